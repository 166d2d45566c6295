"""The management chain of an org chart: one top person, no loops, levels by pointer jumping (vectorized).

``manager`` holds each person's manager as a row index (-1: none). Pointer jumping doubles the
length of every chain followed in each pass: after ``ceil(log2 n) + 1`` passes each person points at
the end of their chain (the top person) and has counted the steps there (their level). A chain that
ends on someone who still has a manager is a loop: the people it reaches after n steps are the loop.
"""

from __future__ import annotations

import numpy as np

from orgsim.client.files import ClientFileError, place


def levels(manager: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(steps to the end of each person's chain, the person at that end), by pointer jumping."""
    n = manager.shape[0]
    has = manager >= 0
    up = np.where(has, manager, np.arange(n)).astype(np.int64)
    steps = has.astype(np.int64)
    for _ in range(max(1, int(n).bit_length()) + 1):
        steps += steps[up]  # the top person points at themselves and counts 0
        np.minimum(steps, n + 1, out=steps)  # around a loop the count grows without end: cap it
        up = up[up]
    return steps, up


def check_hierarchy(manager: np.ndarray, path, column: str, first: int = 2) -> np.ndarray:
    """Each person's level (0: the top person); errors name the rows of a loop or of the extra top people."""
    steps, end = levels(manager)
    looping = manager[end] >= 0  # the chain ends on someone who has a manager: it runs around a loop
    if looping.any():
        loop = np.unique(end[looping])  # after n steps every chain into a loop stands on the loop
        raise ClientFileError(place(path, loop, first, column) + f": the management chain loops "
                              f"({loop.shape[0]} people manage each other in a circle); every chain must reach "
                              f"the top person")
    tops = np.flatnonzero(manager < 0)
    if tops.shape[0] > 1:
        raise ClientFileError(place(path, tops, first, column) + f": {tops.shape[0]} people have no "
                              "manager; expected exactly one top person (give the others their manager)")
    return steps.astype(np.int32)
