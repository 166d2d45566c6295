"""Watts (2002): global cascades on Erdős–Rényi graphs occur only inside a window of mean degree."""

from __future__ import annotations

import pytest
from classics import watts_cascades, watts_window

N, PHI = 10_000, 0.18
RUNS = 50  # independent graphs and seeds per mean degree


def test_analytic_window_for_phi_018():
    low, high = watts_window(PHI)
    assert 1.0 < low < 1.1  # percolation of the vulnerable cluster, just above z = 1
    assert 5.5 < high < 6.0  # vulnerable nodes (degree <= 5) become too rare to connect


@pytest.mark.slow
@pytest.mark.parametrize("z", [1, 7, 8])
def test_no_global_cascades_outside_the_window(z):
    sample = watts_cascades(N, PHI, z, seeds=[1000 * z + r for r in range(RUNS)])
    assert sample.frequency(0.1) <= 0.05


@pytest.mark.slow
@pytest.mark.parametrize("z", [2, 3, 4, 5])
def test_frequent_global_cascades_inside_the_window(z):
    sample = watts_cascades(N, PHI, z, seeds=[1000 * z + r for r in range(RUNS)])
    assert sample.frequency(0.1) > 0.3
    # cascades are global, not merely above the 10% cut: most of the graph adopts
    assert sample.shares[sample.shares > 0.1].mean() > 0.5
