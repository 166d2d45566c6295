"""Summary statistics on cases whose answer is known by hand."""

from __future__ import annotations

import numpy as np
import pytest

from orgsim.metrics import gini, top_share


def test_gini_known_values():
    assert gini(np.array([5, 5, 5, 5])) == pytest.approx(0.0)
    assert gini(np.array([0, 0, 0, 1])) == pytest.approx(0.75)  # (n-1)/n when one holds all
    assert gini(np.array([1, 2, 3, 4])) == pytest.approx(0.25)
    assert np.isnan(gini(np.array([0, 0])))


def test_top_share_known_values():
    assert top_share(np.ones(100), 0.01) == pytest.approx(0.01)
    assert top_share(np.array([90] + [1] * 99), 0.01) == pytest.approx(90 / 189)
    assert top_share(np.array([3, 1]), 0.10) == pytest.approx(0.75)  # at least one person
    x = np.random.default_rng(0).pareto(1.2, 1000)
    assert top_share(x, 0.01) < top_share(x, 0.10) <= 1.0


def test_summary_returns_exactly_the_documented_keys(small):
    from pathlib import Path

    from orgsim.metrics import SUMMARY_KEYS
    from orgsim.runner import run

    summary = run(small, seed=1, days=20).replicates.drop(columns=["replicate", "replicate_seed"])
    assert tuple(summary.columns) == SUMMARY_KEYS
    documented = (Path(__file__).resolve().parents[1] / "docs" / "outputs.md").read_text()
    assert all(f"`{key}`" in documented for key in SUMMARY_KEYS)


def test_usage_report_observables_are_consistent_with_the_other_columns():
    """Readers, posters and likers of one day fit inside the 7- and 30-day stocks; messages are posts + replies."""
    from pathlib import Path

    from orgsim.runner import run
    from orgsim.scenario import load_scenario

    root = Path(__file__).resolve().parents[1]
    scenario = load_scenario(root / "scenarios" / "top_down.yaml",
                             {"organization.n_employees": 300, "run.days": 40, "run.replicates": 1})
    t = run(scenario, seed=3).timeseries
    assert (t["n_readers"] <= t["n_active_7d"]).all()
    assert (t["n_posters"] <= t["n_contributors_30d"]).all()
    assert (t["n_likers"] <= t["n_readers"]).all()
    assert (t["n_posters"] <= t["new_messages"]).all()
    assert (t["new_messages"] == t["new_posts"] + t["new_replies"]).all()
    assert t["n_readers"].sum() > 0 and t["n_likers"].sum() > 0 and t["new_reads"].sum() > t["n_readers"].sum()
    # a member active this week visited on one of the last 7 days
    week = t["n_readers"].rolling(7, min_periods=1).sum()
    assert (t["n_active_7d"] <= week + t["n_external_active"] * 0).all()
