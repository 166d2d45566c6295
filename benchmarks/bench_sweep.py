"""Benchmark sweeps: throughput with 1 and 2 workers, and the per-run overhead beyond the simulation.

Two measurements, each against the reference measured in the same process:

1. *Overhead*: many tiny runs (50 employees, 5 days; about 5 ms each, mostly building the model and tables), run
   directly with ``run_replicate`` and through ``orgsim.sweep`` (with Parquet parts written to disk) with 1 worker
   (in-process) and 2 workers (Dask ``LocalCluster``). Overhead per run = steady sweep time per run x workers -
   direct time per run, where "steady" is timed from the first finished run to the last, leaving out the fixed
   start-up of the cluster (processes, imports, numba warm-up).
2. *Throughput*: ``--runs`` full runs (default 1,000 employees x 365 days of ``--scenario``, default ``top_down``,
   the busiest launch; ``bottom_up`` runs are ~4x cheaper) with 1 and 2 workers; the time of a 1,000-run sweep is
   extrapolated from it (start-up + 1000 / throughput).

The load average is printed too: on a shared machine other processes take cores from the workers, and the
speed-up of 2 workers over 1 is then less than the 2x an idle 2-core machine gives (runs share no state).

Usage: ``python benchmarks/bench_sweep.py [--scenario top_down] [--runs 50] [--employees 1000] [--days 365]
[--tiny-runs 400]``
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

import orgsim
from orgsim.experiment import base_scenario, design_points, plan
from orgsim.runner import run_replicate, warm_up
from orgsim.scenario import with_overrides
from orgsim.sweeps import resolve

ROOT = Path(__file__).resolve().parents[1]


def fields(runs: int, employees: int, days: int, scenario: str = "top_down") -> dict:
    """An experiment of ``runs`` runs of a shipped scenario: two values of initial trust, replicates for the rest."""
    return {"name": "bench", "scenario": str(ROOT / "scenarios" / f"{scenario}.yaml"), "seed": 1,
            "set": {"organization.n_employees": employees, "organization.n_departments": min(8, employees // 4),
                    "run.days": days},
            "grid": {"employees.trust_mean": [0.5, 0.6]}, "replicates": max(1, runs // 2),
            "outputs": ["final_active_7d_share", "gini_posts"]}


def direct(spec: dict) -> float:
    """Seconds for the experiment's runs called one by one with ``run_replicate`` (the reference)."""
    exp = resolve(None, spec)
    base = base_scenario(exp)
    runs = plan(exp, design_points(exp, exp.seed))
    start = time.perf_counter()
    for run in runs:
        run_replicate(with_overrides(base, run.values), run.index, exp.seed)
    return time.perf_counter() - start


def timed_sweep(spec: dict, workers: int) -> tuple[float, float]:
    """``orgsim.sweep`` of the experiment with Parquet output: (wall seconds, steady seconds per run).

    The steady rate is timed from the first finished run to the last, so it leaves out the cluster's start-up.
    """
    stamps: list[float] = []
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        table = orgsim.sweep(**spec, out=out, workers=workers, on_result=lambda row: stamps.append(time.perf_counter()))
        wall = time.perf_counter() - start
    assert (table["status"] == "ok").all(), table["error"].unique()
    return wall, (stamps[-1] - stamps[0]) / (len(stamps) - 1)


def main() -> None:
    """Run both measurements and print them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="top_down", help="shipped scenario of the full runs")
    parser.add_argument("--runs", type=int, default=50, help="full runs per measurement")
    parser.add_argument("--employees", type=int, default=1000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--tiny-runs", type=int, default=400, help="tiny runs for the overhead measurement")
    parser.add_argument("--repeat", type=int, default=3, help="repetitions of the overhead measurement")
    args = parser.parse_args()
    warm_up()
    print(f"load average before (other users of the cores): {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")

    tiny = fields(args.tiny_runs, 50, 5)
    n_tiny = 2 * tiny["replicates"]
    ref = direct(tiny) / n_tiny
    print(f"Overhead ({n_tiny} tiny runs of 50 employees x 5 days; direct run_replicate {ref * 1e3:.1f} ms/run)")
    for workers in (1, 2):
        overheads = [timed_sweep(tiny, workers)[1] * workers - ref for _ in range(args.repeat)]
        print(f"  workers={workers}: overhead {statistics.median(overheads) * 1e3:5.1f} ms/run (median of "
              f"{args.repeat}: {', '.join(f'{o * 1e3:.1f}' for o in overheads)})")

    full = fields(args.runs, args.employees, args.days, args.scenario)
    n_full = 2 * full["replicates"]
    print(f"\nThroughput ({n_full} runs of {args.scenario}, {args.employees} employees x {args.days} days)")
    ref = direct(fields(4, args.employees, args.days, args.scenario)) / 4
    print(f"  direct run_replicate: {ref:.2f} s/run (mean of 4)")
    rates, walls = {}, {}
    for workers in (1, 2):
        walls[workers], per_run = timed_sweep(full, workers)
        rates[workers] = 1 / per_run
        print(f"  workers={workers}: {walls[workers]:6.1f} s wall, steady {rates[workers] * 60:5.1f} runs/min "
              f"({per_run:.2f} s/run)")
    print(f"  load average now: {os.getloadavg()[0]:.2f}")
    startup = walls[2] - n_full / rates[2]
    print(f"  speed-up 2 vs 1 workers (steady): {rates[2] / rates[1]:.2f}x; fixed start-up ~{startup:.0f} s")
    print(f"  extrapolated 1,000-run sweep with 2 workers: {startup + 1000 / rates[2]:.0f} s "
          f"(the 120 s target needs {2 * 120 / 1000 * 1e3:.0f} ms per run per worker)")

if __name__ == "__main__":
    main()
