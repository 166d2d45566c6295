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
