"""The kernels' random draws: the generator, and the feed's sampling of distinct posts.

The generator is xoshiro256** seeded by splitmix64, checked against a plain-Python transcription of the authors' C.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from orgsim.kernels.feed import draw_new_post
from orgsim.kernels.rng import next_u64, randint, seed_rng, uniform
from orgsim.kernels.state import POST, Posts

MASK = (1 << 64) - 1


def splitmix64_state(seed: int) -> list[int]:
    """Four splitmix64 outputs from ``seed`` (Vigna's splitmix64.c)."""
    state, z = [], seed & MASK
    for _ in range(4):
        z = (z + 0x9E3779B97F4A7C15) & MASK
        x = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & MASK
        state.append(x ^ (x >> 31))
    return state


def xoshiro256starstar(state: list[int], n: int) -> list[int]:
    """``n`` outputs of xoshiro256** (Blackman & Vigna's xoshiro256starstar.c) from ``state``."""
    def rotl(x: int, k: int) -> int:
        return ((x << k) | (x >> (64 - k))) & MASK

    s = list(state)
    out = []
    for _ in range(n):
        out.append(rotl((s[1] * 5) & MASK, 7) * 9 & MASK)
        t = (s[1] << 17) & MASK
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
    return out


@njit(_nrt=False)
def draw_words(rng, out):
    for k in range(out.shape[0]):
        out[k] = next_u64(rng)


@njit(_nrt=False)
def draw_uniforms(rng, out):
    for k in range(out.shape[0]):
        out[k] = uniform(rng)


@njit(_nrt=False)
def draw_ints(rng, out, lo, hi):
    for k in range(out.shape[0]):
        out[k] = randint(rng, lo, hi)


@njit(_nrt=False)
def draw_samples(rng, posts, start, n, out):
    """``out.shape[0]`` feed samples of ``out.shape[1]`` posts among ``n`` from ``start``, as visits draw them."""
    for r in range(out.shape[0]):
        for t in range(out.shape[1]):
            out[r, t] = draw_new_post(posts, start, n, r + 1, rng)


def seeded(seed: int) -> np.ndarray:
    rng = np.zeros(4, np.uint64)
    seed_rng(rng, seed)
    return rng


def test_seeding_and_stream_match_the_reference_algorithms():
    for seed in (0, 1, 20261122, 2**63 - 2):
        rng = seeded(seed)
        assert [int(w) for w in rng] == splitmix64_state(seed)
        words = np.zeros(1000, np.uint64)
        draw_words(rng, words)
        assert [int(w) for w in words] == xoshiro256starstar(splitmix64_state(seed), 1000)


def test_published_test_vectors():
    """splitmix64 from 1234567 and xoshiro256** from the state {1, 2, 3, 4}, as published."""
    assert [int(w) for w in seeded(1234567)[:2]] == [6457827717110365317, 3203168211198807973]
    words = np.zeros(4, np.uint64)
    draw_words(np.array([1, 2, 3, 4], np.uint64), words)
    assert [int(w) for w in words] == [11520, 0, 1509978240, 1215971899390074240]


def state_whose_next_output_is(word: int) -> np.ndarray:
    """A generator state whose next 64-bit output is ``word`` (the output is an invertible function of s[1])."""
    y = word * pow(9, -1, 1 << 64) & MASK
    s1 = ((y >> 7) | (y << 57)) & MASK  # rotate right by 7
    return np.array([0, s1 * pow(5, -1, 1 << 64) & MASK, 0, 0], np.uint64)


def test_extreme_words_give_the_ends_of_the_ranges():
    for word, u_expected, k_expected in ((0, 0.0, 3), (MASK, 1.0 - 2.0**-53, 9)):
        u, k = np.zeros(1), np.zeros(1, np.int64)
        draw_uniforms(state_whose_next_output_is(word), u)
        draw_ints(state_whose_next_output_is(word), k, 3, 10)
        assert u[0] == u_expected and k[0] == k_expected  # in [0, 1) and [lo, hi): never 1.0, never hi


def test_uniforms_and_integers_are_uniform():
    u = np.zeros(200_000)
    draw_uniforms(seeded(5), u)
    assert abs(u.mean() - 0.5) < 4 * np.sqrt(1 / 12 / u.size)  # 4 standard errors
    ints = np.zeros(200_000, np.int64)
    draw_ints(seeded(6), ints, 3, 10)
    counts = np.bincount(ints - 3, minlength=7)
    assert ints.min() == 3 and ints.max() == 9
    expected = ints.size / 7
    chi2 = ((counts - expected) ** 2 / expected).sum()
    assert chi2 < 22.5  # the 0.999 quantile of chi-square with 6 degrees of freedom


def test_different_seeds_give_different_streams():
    a, b = np.zeros(100, np.uint64), np.zeros(100, np.uint64)
    draw_words(seeded(1), a)
    draw_words(seeded(2), b)
    assert not np.any(a == b)


def test_feed_samples_are_distinct_and_uniform_in_every_position():
    k, n, samples, start = 30, 40, 20_000, 100  # few posts more than candidates: duplicates would be frequent
    ring = np.zeros(64, POST)  # global indices 100..139 wrap around the ring's end
    posts = Posts(ring, np.zeros(1, np.int64), np.zeros(1, np.int64), np.zeros(64, np.int64), np.zeros(1, np.int64))
    out = np.zeros((samples, k), np.int64)
    draw_samples(seeded(7), posts, start, n, out)
    out -= start
    assert all(len(set(row)) == k for row in out) and out.min() == 0 and out.max() == n - 1
    expected = samples / n
    for position in (0, k // 2, k - 1):  # a uniform random ordered sample: every offset equally likely anywhere
        counts = np.bincount(out[:, position], minlength=n)
        chi2 = ((counts - expected) ** 2 / expected).sum()
        assert chi2 < 72.1  # the 0.999 quantile of chi-square with 39 degrees of freedom
    # ... and jointly: the gap between two positions is uniform over 1..n-1 (runs of neighbours would fail this)
    gaps = np.bincount((out[:, 1] - out[:, 0]) % n, minlength=n)
    assert gaps[0] == 0
    chi2 = ((gaps[1:] - samples / (n - 1)) ** 2 / (samples / (n - 1))).sum()
    assert chi2 < 70.7  # the 0.999 quantile of chi-square with 38 degrees of freedom
