"""Centola & Macy (2007): rewiring speeds simple contagion and stops complex contagion."""

from __future__ import annotations

import numpy as np
import pytest
from classics import days_to_reach, ring_runs

N, K = 1000, 4
REWIRING = [0.0, 0.01, 0.1, 1.0]
SEEDS = list(range(10))


@pytest.fixture(scope="module")
def simple() -> dict[float, list[np.ndarray]]:
    """Adopt with one adopted tie."""
    return {p: ring_runs(N, K, p, 1, SEEDS) for p in REWIRING}


@pytest.fixture(scope="module")
def complex_() -> dict[float, list[np.ndarray]]:
    """Adopt with two adopted ties."""
    return {p: ring_runs(N, K, p, 2, SEEDS) for p in REWIRING}


def test_simple_contagion_spreads_faster_with_rewiring(simple):
    days = [np.mean([days_to_reach(run, 0.9) for run in simple[p]]) for p in REWIRING]
    assert np.all(np.isfinite(days))
    assert all(later < earlier for earlier, later in zip(days, days[1:], strict=False)), days
    # on the ring the front moves k/2 people a day in each direction: about n / k days
    assert 0.8 * N / K < days[0] < 1.0 * N / K


def test_complex_contagion_covers_the_ring_but_collapses_with_rewiring(complex_):
    coverage = [np.mean([run[-1] for run in complex_[p]]) for p in REWIRING]
    assert coverage[0] == 1.0
    assert all(later < earlier for earlier, later in zip(coverage, coverage[1:], strict=False)), coverage
    assert coverage[2] < 0.05 and coverage[3] < 0.05
