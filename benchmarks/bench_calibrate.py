"""Benchmark ``orgsim calibrate`` on the shipped example (target: <= 10 minutes on 2 cores).

Runs ``orgsim calibrate experiments/calibration/example.yaml --out <tmp> --quiet`` in a subprocess,
from scratch (a fresh output folder, a warm numba cache), and prints its wall time, the fit's
simulations and the time split between the fit and the forecast (from ``calibration.json``).
With ``--workers 2`` the same command runs its simulations on a local Dask cluster of 2 processes.

    python benchmarks/bench_calibrate.py [--workers 2]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "experiments" / "calibration" / "example.yaml"
TARGET_S = 600


def main() -> None:
    """Time the example calibration once and print the result against the target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}; "
          f"python {platform.python_version()}")
    subprocess.run([sys.executable, "-c", "from orgsim.runner import warm_up; warm_up()"], check=True)
    with tempfile.TemporaryDirectory() as tmp:
        command = [sys.executable, "-m", "orgsim", "calibrate", str(EXAMPLE), "--out", tmp, "--quiet",
                   "--workers", str(args.workers)]
        started = time.perf_counter()
        subprocess.run(command, check=True)
        wall = time.perf_counter() - started
        record = json.loads((Path(tmp) / "calibration.json").read_text())
    s = record["seconds"]
    print(f"orgsim calibrate example.yaml (--workers {args.workers}): {wall:.0f} s wall; fit {s['fit']:.0f} s "
          f"({record['simulations']} simulations), forecast {s['forecast']:.0f} s; target <= {TARGET_S} s: "
          + ("met" if wall <= TARGET_S else "MISSED"))


if __name__ == "__main__":
    main()
