"""Make the shipped SYNTHETIC client example: a made-up 5,000-person organization in Viva Insights' formats.

    python experiments/make_synthetic_client.py [FOLDER]   (default: scenarios/client_example)

Writes ``synthetic_chart.csv`` (organizational data: PersonId, ManagerId, Organization, FunctionType,
LevelDesignation, Layer, HireDate, Location), ``synthetic_collaboration.csv`` (a person-to-person query:
PrimaryCollaborator_PersonId, SecondaryCollaborator_PersonId, Strong_tie_score) and ``synthetic_survey.csv``
(scores by Organization: TrustInLeadership, Workload, DigitalReadiness, 1-5). Every file starts with a
``#`` line saying it is synthetic. No row describes a real person or organization: ids are random
numbers, units are generic function names. Two units are deliberately smaller than 5 people
(Executive Office, Internal Audit): per-unit results must leave them out.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

from orgsim.output import write_text

SEED = 20261204
N = 5000
NOTE = "# SYNTHETIC DATA made by experiments/make_synthetic_client.py (seed {seed}); no real person or organization\n"
FUNCTIONS = ["Sales", "Engineering", "Operations", "Finance", "Human Resources", "Marketing", "Legal", "IT",
             "Customer Support", "Research", "Supply Chain", "Procurement"]
LEVELS = ["Executive", "Director", "Senior Manager", "Manager", "Senior Individual Contributor",
          "Individual Contributor"]
LOCATIONS = ["Amsterdam", "Lyon", "Porto", "Krakow", "Remote"]


def hierarchy(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Managers (row indices, -1 for the CEO) and units of N people in tree order (CEO first)."""
    units = ["Executive Office", "Internal Audit", *FUNCTIONS]
    sizes = [3, 4]
    shares = rng.dirichlet(np.full(len(FUNCTIONS), 3.0))
    rest = N - sum(sizes)
    counts = np.floor(shares * rest).astype(int)
    counts[: rest - counts.sum()] += 1
    sizes += counts.tolist()
    manager, unit = [np.array([-1, 0, 0])], [np.zeros(3, int)]  # the CEO and two chiefs of staff
    start = 3
    for u, size in enumerate(sizes[1:], start=1):
        span = int(rng.integers(4, 11))  # each unit its own span of control
        local = np.arange(size)
        boss = np.where(local == 0, 0, start + (local - 1) // span)  # a complete span-ary tree under the CEO
        manager.append(boss)
        unit.append(np.full(size, u))
        start += size
    return np.concatenate(manager), np.concatenate(unit), units


def levels_of(manager: np.ndarray) -> np.ndarray:
    """Steps from the CEO of each person (tree order)."""
    level = np.zeros(manager.shape[0], int)
    for i in range(1, manager.shape[0]):  # tree order: a manager comes before their reports
        level[i] = level[manager[i]] + 1
    return level


def collaboration(manager, unit, rng) -> pd.DataFrame:
    """Directed, weighted pairs: manager and reports, teammates, colleagues in one's unit, a few across."""
    n = manager.shape[0]
    people = np.arange(1, n)
    pairs = [(people, manager[people], rng.lognormal(1.5, 0.4, n - 1))]
    order = np.argsort(manager[people], kind="stable")
    a, b = people[order][:-1], people[order][1:]
    same = manager[a] == manager[b]
    pairs.append((a[same], b[same], rng.lognormal(1.0, 0.5, int(same.sum()))))
    m = n * 3
    x = rng.integers(0, n, m)
    members = [np.flatnonzero(unit == u) for u in range(unit.max() + 1)]
    y = np.array([rng.choice(members[unit[i]]) for i in x])
    pairs.append((x, y, rng.lognormal(0.0, 0.8, m)))
    m = n // 3
    pairs.append((rng.integers(0, n, m), rng.integers(0, n, m), rng.lognormal(-0.5, 0.8, m)))
    src, dst, weight = (np.concatenate(p) for p in zip(*pairs, strict=True))
    flip = rng.random(src.shape[0]) < 0.5  # a person-to-person query is directed: either may come first
    src, dst = np.where(flip, dst, src), np.where(flip, src, dst)
    keep = src != dst
    return pd.DataFrame({"src": src[keep], "dst": dst[keep], "Strong_tie_score": np.round(weight[keep], 3)})


def main(folder: Path) -> None:
    """Write the three synthetic files into ``folder``."""
    rng = np.random.default_rng(SEED)
    manager, unit, units = hierarchy(rng)
    level = levels_of(manager)
    ids = np.array([f"SYN-{i:07d}" for i in rng.choice(10_000_000, N, replace=False)])
    chart = pd.DataFrame({
        "PersonId": ids,
        "ManagerId": np.where(manager >= 0, ids[np.maximum(manager, 0)], ""),
        "Organization": np.array(units)[unit],
        "FunctionType": np.where(level == 0, "Executive", np.array(units)[unit]),
        "LevelDesignation": np.array(LEVELS)[np.minimum(level, len(LEVELS) - 1)],
        "Layer": level,
        "HireDate": pd.to_datetime("2005-01-01") + pd.to_timedelta(rng.integers(0, 7000, N), unit="D"),
        "Location": rng.choice(LOCATIONS, N),
    })
    chart["HireDate"] = chart["HireDate"].dt.strftime("%Y-%m-%d")
    shuffled = chart.iloc[rng.permutation(N)]  # an HR export is in no particular order
    edges = collaboration(manager, unit, rng)
    network = pd.DataFrame({"PrimaryCollaborator_PersonId": ids[edges["src"]],
                            "SecondaryCollaborator_PersonId": ids[edges["dst"]],
                            "Strong_tie_score": edges["Strong_tie_score"]})
    survey = pd.DataFrame({"Organization": units,
                           "TrustInLeadership": np.round(rng.uniform(2.4, 4.4, len(units)), 2),
                           "Workload": np.round(rng.uniform(2.5, 4.5, len(units)), 2),
                           "DigitalReadiness": np.round(rng.uniform(2.0, 4.5, len(units)), 2)})
    survey.loc[survey["Organization"].isin(["Legal", "Procurement"]), "DigitalReadiness"] = np.nan  # not asked
    note = NOTE.format(seed=SEED)
    for name, table in (("synthetic_chart.csv", shuffled), ("synthetic_collaboration.csv", network),
                        ("synthetic_survey.csv", survey)):
        write_text(folder / name, note + table.to_csv(index=False))
        print(f"{folder / name}: {len(table):,} rows")


if __name__ == "__main__":
    default = Path(__file__).resolve().parents[1] / "scenarios" / "client_example"
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else default)
