"""The kernels' random numbers: xoshiro256** (Blackman & Vigna 2021, ACM TOMS 47(4):36).

Its state is a uint64[4] array the model owns, seeded each day by splitmix64 from a seed the
model draws from its numpy generator, so a run is a deterministic function of the scenario and
the seed. Inlined into the kernels a draw costs ~2 ns; numba's np.random costs ~15 ns (a
thread-local state lookup on every call), which made drawing most of a visit's time.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from orgsim.kernels.jit import KERNEL


@njit(**KERNEL, inline="always")
def rotl(x, k):
    """Rotate the 64-bit word ``x`` left by ``k`` bits."""
    return (x << np.uint64(k)) | (x >> np.uint64(64 - k))


@njit(**KERNEL)
def seed_rng(rng, seed):
    """Fill the generator state ``rng`` (uint64[4]) from ``seed`` with splitmix64, as xoshiro's authors advise."""
    z = np.uint64(seed)
    for k in range(4):
        z += np.uint64(0x9E3779B97F4A7C15)
        x = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        rng[k] = x ^ (x >> np.uint64(31))


@njit(**KERNEL, inline="always")
def next_u64(rng):
    """The next 64 random bits of xoshiro256**."""
    s0, s1, s2, s3 = rng[0], rng[1], rng[2], rng[3]
    result = rotl(s1 * np.uint64(5), 7) * np.uint64(9)
    t = s1 << np.uint64(17)
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    rng[0], rng[1], rng[2], rng[3] = s0, s1, s2, rotl(s3, 45)
    return result


@njit(**KERNEL, inline="always")
def uniform(rng):
    """A uniform draw in [0, 1) with 53 random bits."""
    return (next_u64(rng) >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@njit(**KERNEL, inline="always")
def randint(rng, lo, hi):
    """A uniform integer in [lo, hi)."""
    return lo + int(uniform(rng) * (hi - lo))
