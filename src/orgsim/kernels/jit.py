"""Compile options of every kernel, and the one function of mathematics they share."""

from __future__ import annotations

import numpy as np
from numba import njit

# Options of every kernel. The kernels allocate no arrays, so they are compiled without numba's
# runtime (NRT): no reference counting. With it, every array of every tuple argument costs an
# atomic increment and decrement per call, which profiling put at ~40% of a visit's time;
# without it a top_down year runs ~1.8x faster with identical results (the golden baseline).
# ``_nrt`` is numba's own switch for this (private, but long-standing: numba issues #2345, #2350).
KERNEL = {"cache": True, "_nrt": False}


@njit(**KERNEL, inline="always")
def logistic(x):
    """The logistic function."""
    return 1.0 / (1.0 + np.exp(-x))
