"""Benchmark the simulator: kernel against the reference, scaling to a million employees, end-to-end runs.

Every figure is measured in the same run of this script and printed (nothing is read from earlier runs).
Throughput is in *employee-days per second*: employees x simulated days / seconds spent stepping.

1. *Kernel vs reference* (``orgsim.simulation.Simulation`` with the numba kernels against the pure-Mesa
   ``orgsim.reference.ReferenceModel``) at 1,000 and 10,000 employees. Both start from the same organization
   and initial state (same scenario, same seed) and step the *same* days (day 0 onwards: a year at 1,000, a
   short window at 10,000, as the reference is slow), so the ratio compares like with like. Only stepping is timed (the
   kernel runs the days with ``run_days``, as ``orgsim run`` does); the kernel's figure is the median of several
   repeats, the reference is run once. Numba is warmed up first.
2. *Kernel scaling* from 1,000 to 1,000,000 employees, each size in a fresh subprocess (so that its peak
   resident memory, ``ru_maxrss``, is its own): time to build the model (organization, attributes, buffers)
   and time to step, throughput, cost per employee-day (ns), mean degree of the network, peak memory.
   A run whose stepping exceeds ``--budget`` seconds stops early and says after how many days (its
   throughput is then that of the first days; the 1M target is extrapolated from them).
   The default organization has a mean degree of about 14.5 (formal ties ~8 plus ``informal_degree_within``
   6 and ``informal_degree_across`` 0.6), below the issue's 20, so the scaling runs raise
   ``organization.informal_degree_within`` (``--informal-within``, default 12, giving ~20.5); one extra row
   at 100,000 employees keeps the default ties for comparison.
3. *End to end*: wall time of ``orgsim run <scenario> --replicates 1 --out <tmp> --quiet`` (1,000 employees,
   365 days, figures and report included) in a subprocess with a warm numba cache: one warm-up run, then the
   median of ``--cli-repeats`` runs, for ``bottom_up`` and ``top_down`` (and ``top_down --no-figures``: what
   the figures and the report cost); and, the same way, the time a bare
   ``python -c "import ..."`` of the libraries ``orgsim run`` needs (numba, pandas, pyarrow, matplotlib,
   pydantic, typer, rich; not Mesa, which runs skip): the floor under the end-to-end time.

The kernel figures use ``top_down`` (management launches to everyone on day 0: the busiest scenario);
``bottom_up`` is reported next to it where cheap (``--no-bottom-up`` skips it).

Targets (issue 4, and issue 2's end-to-end time, on the 2-core reference machine), each printed as met or missed:

* the kernel is >= 100x faster than the reference at 10,000 employees;
* >= 10 M employee-days/s at 100,000 employees with a mean degree >= 20;
* 1,000,000 employees for 365 days in <= 90 s (build + steps; extrapolated from fewer days when the largest
  size runs fewer) with peak memory <= 4 GB;
* cost per employee-day within 2x from 1,000 to 1,000,000 employees (max / min over the sizes measured);
* ``orgsim run`` of a 1,000-employee year in < 3 s with a warm numba cache (issue 2).

The machine (CPU, cores, memory, load average) and versions are printed first: timings on a shared machine
are noisy; compare runs on a quiet one.

Usage::

    python benchmarks/bench.py                  # everything (~15 minutes on 2 cores; each scaling run stops
                                                # after --budget seconds of stepping, default 300)
    python benchmarks/bench.py --quick          # smaller sizes, fewer days and repeats (~2 minutes)
    python benchmarks/bench.py --sizes 1000,100000 --skip-reference --skip-cli
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from orgsim.background import usable_cpus
from orgsim.runner import warm_up  # compiles (or loads from numba's cache) the kernels, so no measurement includes it

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
SEED = 20261122

TARGET_RATIO = 100.0
TARGET_RATE_100K = 10e6
TARGET_DEGREE = 20.0
TARGET_1M_SECONDS = 90.0
TARGET_1M_MEMORY_GB = 4.0
TARGET_COST_SPREAD = 2.0
TARGET_END_TO_END_SECONDS = 3.0  # issue 2
# What ``orgsim run`` cannot do without: the floor under its end-to-end time.
STACK = ("numba", "pandas", "pyarrow.parquet", "matplotlib.pyplot", "pydantic", "typer", "rich.progress")


def scenario(name: str, employees: int, days: int, informal_within: float | None = None):
    """A shipped scenario resized: ``employees`` and ``days``, optionally with denser informal ties."""
    from orgsim.scenario import load_scenario

    overrides = {"organization.n_employees": employees, "run.days": days, "run.replicates": 1}
    if informal_within is not None:
        overrides["organization.informal_degree_within"] = informal_within
    return load_scenario(SCENARIOS / f"{name}.yaml", overrides)


def time_kernel(sc, days: int, seed: int = SEED, budget: float | None = None) -> tuple[float, float, object]:
    """Seconds to build a ``Simulation`` (what runs use: ``OrgModel`` without Mesa) and to step it; the model.

    Without a budget, runs the days with ``model.run_days`` (as ``orgsim run`` does: few kernel calls).
    With one, steps day by day (each day timed, in ``model.day_seconds``) and stops early if stepping
    exceeds ``budget`` seconds (``model.day`` says after how many days).
    """
    from orgsim.simulation import Simulation

    start = time.perf_counter()
    model = Simulation(sc, rng=seed)
    built = time.perf_counter()
    model.day_seconds = []  # seconds of each day's step
    if budget is None:
        model.run_days(days)
        return built - start, time.perf_counter() - built, model
    for _ in range(days):
        before = time.perf_counter()
        model.step()
        model.day_seconds.append(time.perf_counter() - before)
        if time.perf_counter() - built > budget:
            break
    return built - start, time.perf_counter() - built, model


def time_reference(sc, days: int, seed: int = SEED) -> float:
    """Seconds to step the pure-Mesa reference ``days`` days (construction not timed)."""
    from orgsim.reference import ReferenceModel

    model = ReferenceModel(sc, rng=seed)
    start = time.perf_counter()
    for _ in range(days):
        model.step()
    return time.perf_counter() - start


# ---------------------------------------------------------------------------------------------- machine


def machine() -> list[str]:
    """Lines describing the machine and the software."""
    import numba
    import numpy

    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "?"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 2**20:.1f} GB"
                break
    except OSError:
        pass
    cores = usable_cpus()
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return [
        f"CPU: {cpu}; {cores} cores usable ({os.cpu_count()} online); RAM {mem}",
        f"load average (1, 5, 15 min): {load}  (other work on the cores slows every figure below)",
        f"Python {platform.python_version()}, numpy {numpy.__version__}, numba {numba.__version__}, "
        f"{platform.system()} {platform.release()}",
    ]


# ------------------------------------------------------------------------------- 1. kernel vs reference


def kernel_vs_reference(sizes_days: list[tuple[int, int]], repeats: int, names: list[str]) -> dict:
    """Print and return {(name, employees): ratio} of kernel to reference throughput over the same days."""
    print("\n1. Kernel vs reference (same scenario, seed, initial state and days; stepping only)")
    print(f"   {'scenario':10s} {'employees':>9s} {'days':>4s}   {'kernel emp-days/s':>17s}   "
          f"{'reference emp-days/s':>20s}   {'ratio':>7s}")
    ratios = {}
    for name in names:
        for employees, days in sizes_days:
            sc = scenario(name, employees, days)
            kernel = statistics.median(time_kernel(sc, days)[1] for _ in range(repeats))
            reference = time_reference(sc, days)
            work = employees * days
            ratios[(name, employees)] = reference / kernel
            print(f"   {name:10s} {employees:9,d} {days:4d}   {work / kernel:17,.0f}   {work / reference:20,.0f}   "
                  f"{reference / kernel:6.0f}x", flush=True)
    print(f"   (kernel: median of {repeats} repeats; reference: one run. The window starts on day 0, which in "
          "top_down is the launch to everyone, so it is busier than the year's average.)")
    return ratios


# --------------------------------------------------------------------------------------- 2. scaling


def child(args: argparse.Namespace) -> None:
    """Measure one size in this (fresh) process and print one JSON line."""
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    warm_up()
    sc = scenario(args.child_scenario, args.child_employees, args.child_days, args.child_informal)
    try:  # reset the peak (Linux: VmHWM and ru_maxrss), so a numba compilation in warm_up() is not counted
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    build, step, model = time_kernel(sc, args.child_days, budget=args.budget)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    org = model.org
    print(json.dumps({
        "employees": args.child_employees, "days": model.day, "asked_days": args.child_days,
        "build_s": build, "step_s": step,
        "mean_degree": float(org.degree[: org.n_employees].mean()),
        "peak_mb": peak / 1024, "before_mb": before / 1024, "imports_mb": base / 1024,
        "members": int((model.people.state == 2).sum()), "day_s": model.day_seconds,
    }))


def measure_size(name: str, employees: int, days: int, informal: float | None, budget: float) -> dict:
    """Run :func:`child` in a fresh interpreter and return its figures."""
    cmd = [sys.executable, __file__, "--child-employees", str(employees), "--child-days", str(days),
           "--child-scenario", name, "--budget", str(budget)]
    if informal is not None:
        cmd += ["--child-informal", str(informal)]
    start = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if out.returncode:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{out.stderr[-3000:]}")
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["process_s"] = time.perf_counter() - start
    return result


def days_for(employees: int, args: argparse.Namespace) -> int:
    """Days to simulate at a size: a year, fewer for the largest sizes when asked."""
    if employees >= 1_000_000:
        return args.days_1m
    return args.days


def scaling(args: argparse.Namespace, names: list[str]) -> dict:
    """Print the scaling table; return the rows by (scenario, employees, ties)."""
    print("\n2. Kernel scaling (one fresh subprocess per size; build = Simulation construction: organization, "
          "attributes, buffers)")
    print(f"   ties: informal_degree_within = {args.informal_within:g} (default 6, mean degree ~14.5) so that the "
          f"mean degree reaches {TARGET_DEGREE:g}; 'default ties' rows keep the default")
    print(f"   {'scenario':10s} {'ties':8s} {'employees':>9s} {'days':>4s} {'degree':>6s} {'build s':>8s} "
          f"{'step s':>8s} {'M emp-days/s':>12s} {'ns/emp-day':>10s} {'peak MB':>8s} {'(+run)':>7s}")
    rows = {}
    plan = [(name, n, args.informal_within) for name in names for n in args.sizes
            if name == "top_down" or n <= args.bottom_up_max]
    if args.default_ties_at:
        plan.append(("top_down", args.default_ties_at, None))
    for name, employees, informal in plan:
        days = days_for(employees, args)
        r = measure_size(name, employees, days, informal, args.budget)
        days = r["days"]
        rate = employees * days / r["step_s"]
        ties = "dense" if informal is not None else "default"
        rows[(name, employees, ties)] = {**r, "rate": rate, "ns": 1e9 / rate}
        print(f"   {name:10s} {ties:8s} {employees:9,d} {days:4d} {r['mean_degree']:6.1f} {r['build_s']:8.2f} "
              f"{r['step_s']:8.2f} {rate / 1e6:12.2f} {1e9 / rate:10.1f} {r['peak_mb']:8.0f} "
              f"{r['peak_mb'] - r['before_mb']:+7.0f}"
              + (f"  stopped after {days} of {r['asked_days']} days (--budget {args.budget:g} s)"
                 if days < r["asked_days"] else ""), flush=True)
    print("   peak MB: the subprocess's ru_maxrss, reset after warming numba up (so it includes the interpreter, "
          f"imports and compiled kernels, ~{statistics.median(r['before_mb'] for r in rows.values()):.0f} MB before "
          "building); (+run): growth while building and stepping")
    return rows


# ------------------------------------------------------------------------------------------ 3. end to end


def median_wall(cmd: list[str], repeats: int) -> tuple[float, list[float]]:
    """Median wall seconds of ``repeats`` runs of ``cmd`` after one untimed warm-up run, and the timed runs."""
    times = []
    for i in range(repeats + 1):
        start = time.perf_counter()
        subprocess.run([*cmd, "--force"], check=True, capture_output=True)  # each run replaces the one before
        if i:  # the first run warms the numba cache (and the OS's file cache)
            times.append(time.perf_counter() - start)
    return statistics.median(times), times


def end_to_end(names: list[str], repeats: int) -> dict:
    """Median wall seconds of `orgsim run <scenario> --replicates 1 --quiet` per scenario, and of the imports."""
    print(f"\n3. End to end: `orgsim run scenarios/<name>.yaml --replicates 1 --out <tmp> --quiet` (1,000 employees, "
          f"365 days, figures and report), warm numba cache, median of {repeats} subprocesses after 1 warm-up")
    medians = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            cmd = [sys.executable, "-m", "orgsim", "run", str(SCENARIOS / f"{name}.yaml"), "--replicates", "1",
                   "--out", str(Path(tmp) / name), "--quiet"]
            medians[name], times = median_wall(cmd, repeats)
            print(f"   {name:10s} {medians[name]:6.2f} s  (runs: {', '.join(f'{t:.2f}' for t in times)})", flush=True)
        # what the figures and the report cost: top_down again without them
        cmd = [sys.executable, "-m", "orgsim", "run", str(SCENARIOS / "top_down.yaml"), "--replicates", "1",
               "--out", str(Path(tmp) / "no_figures"), "--quiet", "--no-figures"]
        medians["no figures"], times = median_wall(cmd, repeats)
        print(f"   top_down --no-figures {medians['no figures']:.2f} s (runs: {', '.join(f'{t:.2f}' for t in times)})",
              flush=True)
        # as shipped: the scenario's 3 replicates, simulated in parallel by `orgsim run`'s worker processes
        cmd = [sys.executable, "-m", "orgsim", "run", str(SCENARIOS / "top_down.yaml"), "--out",
               str(Path(tmp) / "shipped"), "--quiet"]
        medians["3 replicates"], times = median_wall(cmd, repeats)
        print(f"   top_down, its 3 replicates {medians['3 replicates']:.2f} s "
              f"(runs: {', '.join(f'{t:.2f}' for t in times)})", flush=True)
    medians["imports"], times = median_wall([sys.executable, "-c", f"import {', '.join(STACK)}"], repeats)
    print(f"   of which the libraries' imports alone ({', '.join(STACK)}): {medians['imports']:.2f} s "
          f"(runs: {', '.join(f'{t:.2f}' for t in times)})", flush=True)
    return medians


# ---------------------------------------------------------------------------------------------- targets


def verdict(ok: bool | None) -> str:
    """Met / missed / not measured."""
    return "not measured" if ok is None else ("met" if ok else "MISSED")


def targets(ratios: dict, rows: dict, walls: dict) -> None:
    """Print each issue target with met/missed."""
    print("\nTargets (issues 4 and 2; figures from this run, on this machine)")
    ratio = ratios.get(("top_down", 10_000))
    print(f"   kernel >= {TARGET_RATIO:.0f}x reference at 10,000 employees: "
          + (f"{ratio:.0f}x -> {verdict(ratio >= TARGET_RATIO)}" if ratio else verdict(None)))

    r = rows.get(("top_down", 100_000, "dense"))
    if r:
        ok = r["rate"] >= TARGET_RATE_100K and r["mean_degree"] >= TARGET_DEGREE
        print(f"   >= {TARGET_RATE_100K / 1e6:.0f} M employee-days/s at 100,000 with mean degree >= {TARGET_DEGREE:g}: "
              f"{r['rate'] / 1e6:.2f} M/s at degree {r['mean_degree']:.1f} -> {verdict(ok)}")
    else:
        print(f"   >= {TARGET_RATE_100K / 1e6:.0f} M employee-days/s at 100,000: {verdict(None)}")

    r = rows.get(("top_down", 1_000_000, "dense"))
    if r:
        total = r["build_s"] + r["step_s"] * 365 / r["days"]
        note = "" if r["days"] == 365 else f" (extrapolated from {r['days']} days)"
        gb = r["peak_mb"] / 1024
        ok = total <= TARGET_1M_SECONDS and gb <= TARGET_1M_MEMORY_GB
        print(f"   1,000,000 employees x 365 days <= {TARGET_1M_SECONDS:.0f} s, peak <= {TARGET_1M_MEMORY_GB:g} GB: "
              f"{total:.0f} s{note} (build {r['build_s']:.1f} s), peak {gb:.2f} GB -> {verdict(ok)}")
    else:
        print(f"   1,000,000 employees x 365 days <= {TARGET_1M_SECONDS:.0f} s: {verdict(None)}")

    dense = {n: row for (name, n, ties), row in rows.items() if name == "top_down" and ties == "dense"}
    common = min((row["days"] for row in dense.values()), default=0)  # same days at every size: a fair comparison
    costs = {n: 1e9 * sum(row["day_s"][:common]) / (n * common) for n, row in dense.items()}
    if len(costs) >= 2:
        spread = max(costs.values()) / min(costs.values())
        span = f"{min(costs):,} to {max(costs):,} employees"
        print(f"   cost per employee-day within {TARGET_COST_SPREAD:g}x from {span} (over the days all sizes ran: "
              f"0-{common - 1}): "
              + ", ".join(f"{n:,}: {c:.0f} ns" for n, c in sorted(costs.items()))
              + f"; max/min {spread:.2f}x -> {verdict(spread <= TARGET_COST_SPREAD)}"
              + ("" if 1_000 in costs and 1_000_000 in costs else " (not the full 1k-1M range)"))
    else:
        print(f"   cost per employee-day within {TARGET_COST_SPREAD:g}x: {verdict(None)}")

    runs = {name: wall for name, wall in walls.items() if name not in ("imports", "no figures", "3 replicates")}
    if runs:
        slowest = max(runs.values())
        print(f"   `orgsim run` of a 1,000-employee year < {TARGET_END_TO_END_SECONDS:g} s (warm cache): "
              + ", ".join(f"{name} {wall:.2f} s" for name, wall in runs.items())
              + f" (without figures {walls['no figures']:.2f} s, imports alone {walls['imports']:.2f} s) -> "
              + verdict(slowest < TARGET_END_TO_END_SECONDS))
    else:
        print(f"   `orgsim run` of a 1,000-employee year < {TARGET_END_TO_END_SECONDS:g} s: {verdict(None)}")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options (``--child-*`` are internal: one size measured in a subprocess)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="sizes 1k-100k, 60 days, shorter reference windows, 2 repeats (a couple of minutes)")
    parser.add_argument("--sizes", type=lambda s: [int(float(x)) for x in s.split(",")], default=None,
                        help="employee counts of the scaling table (default 1000,10000,100000,1000000)")
    parser.add_argument("--days", type=int, default=None, help="days per scaling run (default 365)")
    parser.add_argument("--days-1m", type=int, default=None, help="days at 1,000,000 employees (default 365)")
    parser.add_argument("--ref-days-1k", type=int, default=None, help="reference window at 1,000 (default 365)")
    parser.add_argument("--ref-days-10k", type=int, default=None, help="reference window at 10,000 (default 20)")
    parser.add_argument("--repeats", type=int, default=None, help="kernel repeats in section 1 (default 5)")
    parser.add_argument("--cli-repeats", type=int, default=None, help="timed CLI runs per scenario (default 5)")
    parser.add_argument("--budget", type=float, default=300.0,
                        help="stepping seconds per scaling run; a slower run stops early, saying after how many days")
    parser.add_argument("--informal-within", type=float, default=12.0,
                        help="organization.informal_degree_within of the scaling runs (mean degree >= 20)")
    parser.add_argument("--default-ties-at", type=int, default=100_000,
                        help="size of the extra scaling row with the default ties (0: none)")
    parser.add_argument("--bottom-up-max", type=int, default=100_000,
                        help="largest size of the bottom_up scaling rows")
    parser.add_argument("--no-bottom-up", action="store_true", help="top_down only")
    parser.add_argument("--skip-reference", action="store_true", help="skip section 1")
    parser.add_argument("--skip-scaling", action="store_true", help="skip section 2")
    parser.add_argument("--skip-cli", action="store_true", help="skip section 3")
    parser.add_argument("--child-employees", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--child-days", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--child-scenario", default="top_down", help=argparse.SUPPRESS)
    parser.add_argument("--child-informal", type=float, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    quick = args.quick
    defaults = {"sizes": [1_000, 10_000, 100_000] if quick else [1_000, 10_000, 100_000, 1_000_000],
                "days": 60 if quick else 365, "days_1m": 30 if quick else 365,
                "ref_days_1k": 30 if quick else 365, "ref_days_10k": 10 if quick else 20,
                "repeats": 2 if quick else 5, "cli_repeats": 2 if quick else 5}
    for key, value in defaults.items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    return args


def main(argv: list[str] | None = None) -> None:
    """Run the measurements and print them."""
    args = parse_args(argv)
    if args.child_employees:
        child(args)
        return
    start = time.perf_counter()
    print("orgsim benchmark" + (" (--quick)" if args.quick else ""))
    for line in machine():
        print("   " + line)
    names = ["top_down"] if args.no_bottom_up else ["top_down", "bottom_up"]
    warm_up()
    ratios, rows, walls = {}, {}, {}
    if not args.skip_reference:
        ratios = kernel_vs_reference([(1_000, args.ref_days_1k), (10_000, args.ref_days_10k)], args.repeats,
                                     ["top_down"])
    if not args.skip_scaling:
        rows = scaling(args, names)
    if not args.skip_cli:
        walls = end_to_end(names[::-1], args.cli_repeats)
    targets(ratios, rows, walls)
    print(f"\n   load average now: {os.getloadavg()[0]:.2f}; benchmark took {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
