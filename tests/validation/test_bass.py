"""Bass (1969) diffusion on the complete network reproduces the discrete Bass recursion."""

from __future__ import annotations

import numpy as np
import pytest
from classics import bass_recursion, bass_runs, new_per_day

N, P, Q = 10_000, 0.03, 0.38  # Sultan, Farley & Lehmann (1990) mean coefficients
DAYS = 30  # the recursion reaches 99.9% by day 20
SEEDS = list(range(30))


@pytest.fixture(scope="module")
def shares() -> np.ndarray:
    """Adopted share per day, one row per seed."""
    return bass_runs(N, P, Q, DAYS, SEEDS)


def test_mean_share_tracks_the_recursion_every_day(shares):
    gap = np.abs(shares.mean(axis=0) - bass_recursion(P, Q, DAYS))
    assert gap.max() < 0.02, f"largest gap {gap.max():.4f} on day {gap.argmax()}"


def test_peak_day_of_new_adoptions_matches(shares):
    expected = int(np.argmax(new_per_day(bass_recursion(P, Q, DAYS))))
    assert int(np.argmax(new_per_day(shares).mean(axis=0))) == expected


def test_innovators_alone_on_day_zero(shares):
    """Nobody has adopted before day 0, so only the innovation hazard p acts on it."""
    standard_error = np.sqrt(P * (1 - P) / N / len(SEEDS))
    assert abs(shares[:, 0].mean() - P) < 3 * standard_error
