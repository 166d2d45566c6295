"""Benchmark loading a client's files: a 300,000-row org chart and 10 million collaboration edges.

Issue 21 asks for <= 20 s and <= 4 GB. The files are made first (random, in Viva Insights' columns, in a
temporary folder): a 300,000-person chart in 300 units with rows shuffled, and 10 million directed weighted
edges, 90% inside a unit. Then a fresh process loads them with :func:`orgsim.client.load_client` (ids
pseudonymized, every check of the chart and the edges, pairs summed and filtered by ``weight_quantile``) and
with the simulation's network (:func:`orgsim.organization.build_organization`: formal ties, CSR); it prints
the wall time of each step and the process's peak resident memory (``ru_maxrss``: interpreter and imports
included, about 0.2 GB of it). For reference, the time to only read the same CSV columns with pyarrow is
measured in the same process: the load's own work is what exceeds it.

Usage: ``python benchmarks/bench_client.py [--people 300000] [--edges 10000000] [--units 300] [--quantile 0.2]
[--files FOLDER]``
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv


def ids(numbers: np.ndarray) -> pa.Array:
    """Ids 'E<number>' made in Arrow (no Python string per row)."""
    return pc.binary_join_element_wise("E", pc.cast(pa.array(numbers), pa.string()), "")


def make_files(folder: Path, people: int, edges: int, units: int, seed: int = 1) -> None:
    """A random chart (complete trees under a CEO, one per unit) and edges, written as CSV."""
    from orgsim.organization import hierarchy

    rng = np.random.default_rng(seed)
    level, unit, manager = hierarchy(people, 8, units)
    code = rng.permutation(people) + 1_000_000  # ids unrelated to row order
    order = rng.permutation(people)  # an HR export's rows in no particular order
    boss = pc.if_else(pa.array(manager[order] >= 0), ids(code[np.maximum(manager[order], 0)]), None)
    chart = pa.table({"PersonId": ids(code[order]), "ManagerId": boss,
                      "Organization": pc.binary_join_element_wise("Unit ", pc.cast(pa.array(unit[order]),
                                                                                    pa.string()), ""),
                      "LevelDesignation": pc.cast(pa.array(level[order]), pa.string())})
    pacsv.write_csv(chart, folder / "chart.csv")
    src = rng.integers(0, people, edges)
    members = np.argsort(unit, kind="stable")
    starts = np.concatenate([[0], np.cumsum(np.bincount(unit))[:-1]])
    inside = rng.random(edges) < 0.9
    dst = np.where(inside, members[starts[unit[src]] + (rng.random(edges) * np.bincount(unit)[unit[src]]).astype(int)],
                   rng.integers(0, people, edges))
    table = pa.table({"PrimaryCollaborator_PersonId": ids(code[src]), "SecondaryCollaborator_PersonId": ids(code[dst]),
                      "Strong_tie_score": np.round(rng.lognormal(0, 1, edges), 3)})
    pacsv.write_csv(table, folder / "collaboration.csv")


def measure(folder: str, quantile: float) -> None:
    """In a fresh process: time the read alone, the load, and the network; print JSON."""
    from orgsim.client import load_client
    from orgsim.params import Organization, OrgChartFiles

    folder = Path(folder)
    files = OrgChartFiles(chart=str(folder / "chart.csv"), collaboration=str(folder / "collaboration.csv"),
                          weight_quantile=quantile)
    start = time.perf_counter()
    for name in ("chart.csv", "collaboration.csv"):
        pacsv.read_csv(folder / name)
    read = time.perf_counter() - start
    start, cpu = time.perf_counter(), cpu_seconds()
    client = load_client(files)
    load, load_cpu = time.perf_counter() - start, cpu_seconds() - cpu
    from orgsim.organization import build_organization

    start = time.perf_counter()
    org = build_organization(Organization(source="org_chart", org_chart=files), np.random.default_rng(0))
    build = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    print(json.dumps({"people": client.n, "units": len(client.unit_names), "ties_from_file": int(client.ties[0].size),
                      "csr_entries": int(org.indices.size), "read_only_s": read, "load_s": load, "load_cpu_s": load_cpu,
                      "build_network_s": build, "peak_rss_gb": peak}))


def cpu_seconds() -> float:
    """User and system CPU time of this process so far (all threads)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    """Make the files, measure in a fresh process, print the numbers against the issue's limits."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=300_000)
    parser.add_argument("--edges", type=int, default=10_000_000)
    parser.add_argument("--units", type=int, default=300)
    parser.add_argument("--files", help="a folder: make the files there once and keep them (default: temporary)")
    parser.add_argument("--quantile", type=float, default=0.2, help="weight_quantile (0.2: pairs are summed)")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        return measure(args.measure, args.quantile)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(args.files or tmp)
        folder.mkdir(parents=True, exist_ok=True)
        if not (folder / "collaboration.csv").is_file():
            start = time.perf_counter()
            make_files(folder, args.people, args.edges, args.units)
            print(f"made the files in {time.perf_counter() - start:.1f} s")
        print(", ".join(f"{p.name} {p.stat().st_size / 2**20:.0f} MB" for p in sorted(folder.glob("*.csv"))))
        command = [sys.executable, __file__, "--measure", str(folder), "--quantile", str(args.quantile)]
        out = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=True)  # its errors show
    r = json.loads(out.stdout)
    print(f"{r['people']:,} people in {r['units']} units, {args.edges:,} edges -> {r['ties_from_file']:,} ties "
          f"({r['csr_entries']:,} CSR entries with the formal ties)")
    print(f"reading the columns alone (pyarrow): {r['read_only_s']:.1f} s")
    print(f"load_client (read, pseudonymize, check, sum pairs): {r['load_s']:.1f} s (limit 20 s); "
          f"CPU time {r['load_cpu_s']:.1f} s; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"build_organization (formal ties, CSR): {r['build_network_s']:.1f} s")
    print(f"peak memory of the process: {r['peak_rss_gb']:.2f} GB (limit 4 GB)")


if __name__ == "__main__":
    main()
