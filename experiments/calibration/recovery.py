"""Parameter recovery and a held-out forecast check for ``orgsim calibrate`` (docs/calibration.md).

Recovery: for each case, true values of the fitted parameters are drawn from their priors; the
bottom-up scenario at 2,000 employees is run with them for ``DAYS`` days, reporting noise is added
(as in make_synthetic_exports.py), and the fit is run on that data. A case's parameter is covered
when its posterior 90% interval holds the true value. Truths drawn from the prior are what makes
coverage a fair test: a well-calibrated posterior covers them 90% of the time.

Held out: the shipped example's synthetic truth is fitted on days 0-89 and forecast for days
90-179; the share of held-out observed points inside the 90% predictive band is reported.

    python experiments/calibration/recovery.py --cases 20            # recovery, the docs' numbers
    python experiments/calibration/recovery.py --held-out [--scenario top_down]   # the held-out check

Both write CSVs under docs/figures/calibration/.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from orgsim.calibration.config import Calibration
from orgsim.calibration.data import OBSERVABLES, UsageData
from orgsim.calibration.fit import fit, posterior_summary
from orgsim.output import write_table

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
OUT = ROOT / "docs" / "figures" / "calibration"
_spec = importlib.util.spec_from_file_location("make_synthetic_exports", HERE / "make_synthetic_exports.py")
synthetic = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("make_synthetic_exports", synthetic)
_spec.loader.exec_module(synthetic)

HEAD_COUNT = 2000
DAYS = 120
LAUNCH = dt.date(2026, 1, 5)
PRIORS = {
    "behaviour.word_of_mouth": {"log_uniform": [0.015, 0.1]},
    "behaviour.visit_base": {"uniform": [-7.5, -5.5]},
    "behaviour.post_base": {"uniform": [-12.5, -9.5]},
}
OBSERVED = ["readers", "posters", "likers"]


def calibration(population: int, generations: int, seed: int, days: int = DAYS, scenario: str = "bottom_up",
                **extra) -> Calibration:
    """The recovery's calibration settings (no files: the data is passed in)."""
    return Calibration.model_validate({
        "name": "recovery", "scenario": str(ROOT / "scenarios" / f"{scenario}.yaml"),
        "data": [{"file": "(in memory)", "report": "plain"}], "head_count": HEAD_COUNT, "launch": LAUNCH,
        "fit": PRIORS, "observables": OBSERVED, "population": population, "generations": generations,
        "seed": seed, **extra,
    })


def truth_from_prior(k: int) -> dict[str, float]:
    """Case ``k``'s true values, drawn from the priors."""
    rng = np.random.default_rng([20261204, k])
    cal = calibration(10, 1, 0)
    return {key: prior.value(rng.uniform(*prior.bounds)) for key, prior in cal.fit.items()}


def synthetic_data(truth: dict[str, float], seed: int, days: int = DAYS, scenario: str = "bottom_up") -> UsageData:
    """A run with ``truth`` plus reporting noise, as the usage reports would show it."""
    frame = synthetic.simulate_truth(truth, seed=seed, days=days, head_count=HEAD_COUNT,
                                     scenario=ROOT / "scenarios" / f"{scenario}.yaml")
    rng = np.random.default_rng(seed)
    table = pd.DataFrame({"day": frame["day"], "date": [LAUNCH + dt.timedelta(days=int(d)) for d in frame["day"]]})
    for name, column in OBSERVABLES.items():
        cap = HEAD_COUNT if name in ("readers", "posters", "likers", "registered", "active_7d") else None
        table[name] = synthetic.noisy(frame[column].to_numpy(), rng, cap=cap)
    return UsageData(table, HEAD_COUNT, LAUNCH, ["synthetic"])


def case(k: int, population: int, generations: int, out: Path | None = None) -> pd.DataFrame:
    """Fit case ``k``; one row per parameter: truth, median, 90% interval, covered, interval width."""
    truth = truth_from_prior(k)
    data = synthetic_data(truth, seed=1000 + k)
    cal = calibration(population, generations, seed=k)
    with tempfile.TemporaryDirectory() as tmp:
        result = fit(cal, data, out or Path(tmp))
    summary = posterior_summary(result)
    summary.insert(0, "case", k)
    summary["truth"] = summary["parameter"].map(truth)
    summary["covered"] = (summary["q05"] <= summary["truth"]) & (summary["truth"] <= summary["q95"])
    summary["simulations"] = int(result.generations["samples"].sum())
    return summary


def recovery(cases: int, population: int, generations: int) -> pd.DataFrame:
    """Every case's rows."""
    rows = []
    for k in range(cases):
        started = time.perf_counter()
        rows.append(case(k, population, generations))
        print(f"case {k}: covered {rows[-1]['covered'].tolist()} in {time.perf_counter() - started:.0f} s",
              flush=True)
    return pd.concat(rows, ignore_index=True)


def held_out(population: int, generations: int, draws: int, scenario: str = "bottom_up") -> pd.DataFrame:
    """Fit the example's synthetic truth on days 0-89, forecast 90-179: coverage of the held-out days."""
    from orgsim.calibration.fit import bands, coverage, predictive

    truth = {k: v for k, v in synthetic.TRUTH.items() if k in PRIORS}
    data = synthetic_data(truth, seed=synthetic.SEED, days=180, scenario=scenario)
    cal = calibration(population, generations, seed=1, scenario=scenario, fit_until=89, horizon=179, draws=draws)
    with tempfile.TemporaryDirectory() as tmp:
        result = fit(cal, data, Path(tmp))
    table = bands(predictive(result), data)
    fitted = coverage(table, list(range(90))).assign(days="fitted 0-89")
    held = coverage(table, list(range(90, 180))).assign(days="held out 90-179")
    return pd.concat([fitted, held], ignore_index=True).assign(scenario=scenario)


def main() -> None:
    """Run the recovery cases or the held-out check; write the tables the docs quote."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=20)
    parser.add_argument("--population", type=int, default=60)
    parser.add_argument("--generations", type=int, default=5)
    parser.add_argument("--held-out", action="store_true")
    parser.add_argument("--draws", type=int, default=40)
    parser.add_argument("--scenario", default="bottom_up", help="held out: the shipped scenario of the truth")
    args = parser.parse_args()
    started = time.perf_counter()
    if args.held_out:
        table = held_out(args.population, args.generations, args.draws, args.scenario)
        print(table.to_string(index=False))
        write_table(OUT / f"held_out_{args.scenario}.csv", table)
    else:
        table = recovery(args.cases, args.population, args.generations)
        per = table.groupby("parameter", sort=False).agg(coverage=("covered", "mean"),
                                                          median_width_share=("width_share_of_prior", "median"))
        print(per.to_string())
        print("cases with every parameter covered:", table.groupby("case")["covered"].all().mean())
        write_table(OUT / f"recovery_pop{args.population}_gen{args.generations}.csv", table)
    print(f"{time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
