"""Make the shipped example's SYNTHETIC usage exports, in the Microsoft 365 Viva Engage report format.

The "client" is the model itself: ``scenarios/bottom_up.yaml`` at 2,000 employees with known values
of the parameters the example fits (``TRUTH``), one run of 180 days, plus reporting noise (each
daily count times a log-normal factor of sd ``NOISE``, rounded; people counts capped at the head
count). It writes, beside this script::

    synthetic_YammerActivityUserCounts.csv   # as getYammerActivityUserCounts (unique users)
    synthetic_YammerActivityCounts.csv       # as getYammerActivityCounts (messages)
    synthetic_truth.json                     # the true values and the noise, for the recovery check

Both CSVs are UTF-8 with a byte-order mark, newest day first, like Microsoft's; unlike Microsoft's
they begin with a ``#`` comment line saying they are synthetic (orgsim's reader skips it).

    python experiments/calibration/make_synthetic_exports.py
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from orgsim.output import write_json, write_text
from orgsim.runner import run_replicate
from orgsim.scenario import load_scenario

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
HEAD_COUNT = 2000
LAUNCH = dt.date(2026, 1, 5)
DAYS = 180  # Microsoft's longest report period, D180
SEED = 20261204
NOISE = 0.05
TRUTH = {
    "behaviour.word_of_mouth": 0.04,
    "behaviour.visit_base": -6.5,
    "behaviour.post_base": -11.0,
    "behaviour.endorse_prob": 0.25,
}
COLUMNS = ("Report Refresh Date", "Liked", "Posted", "Read", "Report Date", "Report Period")


def simulate_truth(truth: dict[str, float], seed: int = SEED, days: int = DAYS, head_count: int = HEAD_COUNT,
                   scenario: str | Path = ROOT / "scenarios" / "bottom_up.yaml") -> pd.DataFrame:
    """One run of the 'client' organization: the daily table."""
    overrides = {**truth, "organization.n_employees": head_count, "run.days": days, "run.replicates": 1}
    return run_replicate(load_scenario(scenario, overrides), 0, seed)[0]


def noisy(values: np.ndarray, rng: np.random.Generator, noise: float = NOISE, cap: int | None = None) -> np.ndarray:
    """Reporting noise: each count times a log-normal factor, rounded (and capped)."""
    out = np.rint(values * rng.lognormal(0.0, noise, size=len(values))).astype(int)
    return np.minimum(out, cap) if cap is not None else out


def export(frame: pd.DataFrame, columns: dict[str, str], rng: np.random.Generator, cap: int | None,
           launch: dt.date = LAUNCH, what: str = "") -> str:
    """A report as Microsoft writes it (newest first), with a leading 'synthetic' comment line."""
    days = frame["day"].to_numpy()
    refresh = launch + dt.timedelta(days=int(days[-1]) + 1)
    table = pd.DataFrame({
        "Report Refresh Date": refresh.isoformat(),
        **{report: noisy(frame[column].to_numpy(), rng, cap=cap) for report, column in columns.items()},
        "Report Date": [(launch + dt.timedelta(days=int(d))).isoformat() for d in days],
        "Report Period": len(days),
    })[list(COLUMNS)].iloc[::-1]
    comment = (f"# SYNTHETIC {what} made by orgsim's experiments/calibration/make_synthetic_exports.py from "
               "known parameters (synthetic_truth.json) plus reporting noise; not a client's data\n")
    return "\ufeff" + comment + table.to_csv(index=False, lineterminator="\n")


def main() -> None:
    """Write the two synthetic exports and the truth."""
    frame = simulate_truth(TRUTH)
    rng = np.random.default_rng(SEED)
    users = export(frame, {"Liked": "n_likers", "Posted": "n_posters", "Read": "n_readers"}, rng, HEAD_COUNT,
                   what="Viva Engage activity user counts (getYammerActivityUserCounts)")
    messages = export(frame, {"Liked": "new_endorsements", "Posted": "new_messages", "Read": "new_reads"}, rng, None,
                      what="Viva Engage activity counts (getYammerActivityCounts)")
    write_text(HERE / "synthetic_YammerActivityUserCounts.csv", users)
    write_text(HERE / "synthetic_YammerActivityCounts.csv", messages)
    write_json(HERE / "synthetic_truth.json", {"scenario": "scenarios/bottom_up.yaml", "head_count": HEAD_COUNT,
                                               "launch": LAUNCH.isoformat(), "days": DAYS, "seed": SEED,
                                               "reporting_noise_lognormal_sd": NOISE, "truth": TRUTH})
    print("wrote the synthetic exports in", HERE.relative_to(ROOT))


if __name__ == "__main__":
    main()
