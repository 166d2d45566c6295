"""Platform ties and interactions (docs/model.md 7.8 and 7.11).

The organization's network is CSR (``Network``); platform ties are ``platform_ties`` slots
of (id, strength) per person (``People.contacts``, ``People.contact_w``).
"""

from __future__ import annotations

from numba import njit

from orgsim.kernels.jit import KERNEL
from orgsim.kernels.state import Out


@njit(**KERNEL, inline="always")
def is_tie(indptr, indices, complete, i, j):
    """Whether ``i`` and ``j`` are tied in the organization's network (binary search in the sorted CSR row)."""
    if complete:
        return i != j
    lo, hi = indptr[i], indptr[i + 1]
    while lo < hi:
        mid = (lo + hi) // 2
        v = indices[mid]
        if v == j:
            return True
        if v < j:
            lo = mid + 1
        else:
            hi = mid
    return False


@njit(**KERNEL, inline="always")
def mark_ties(people, net, i):
    """Stamp ``i``'s ties and platform ties in ``tie_mark`` with a new stamp and return it.

    Afterwards ``tie_mark[j] == stamp`` says whether ``j`` is a tie or platform tie of ``i`` in one
    load, for the feed's many checks in one visit (until ``i``'s platform ties change). On the
    complete network, whose ties are implicit (everyone), nothing is stamped and 0 is returned.
    """
    if net.complete:
        return 0
    mark = people.tie_mark
    stamp = mark[-1] + 1
    mark[-1] = stamp
    for k in range(net.indptr[i], net.indptr[i + 1]):
        mark[net.indices[k]] = stamp
    for c in range(people.contacts.shape[1]):
        j = people.contacts[i, c]
        if j >= 0:
            mark[j] = stamp
    return stamp


@njit(**KERNEL, inline="always")
def contact_slot(contacts, i, j):
    """Slot of ``j`` among ``i``'s platform ties (``contacts`` rows), or -1."""
    for k in range(contacts.shape[1]):
        if contacts[i, k] == j:
            return k
    return -1


@njit(**KERNEL, inline="always")
def strengthen(people, i, j):
    """Strengthen ``i``'s platform tie to ``j`` by one; a new tie replaces the weakest. Return True if new."""
    k = contact_slot(people.contacts, i, j)
    if k >= 0:
        people.contact_w[i, k] += 1.0
        return False
    weakest = 0
    for k in range(people.contacts.shape[1]):
        if people.contacts[i, k] < 0:
            weakest = k
            break
        if people.contact_w[i, k] < people.contact_w[i, weakest]:
            weakest = k
    people.contacts[i, weakest] = j
    people.contact_w[i, weakest] = 1.0
    return True


@njit(**KERNEL, inline="always")
def platform_interaction(people, net, out, i, j):
    """A platform interaction between ``i`` and ``j``: count it and create or strengthen their platform tie."""
    record_interaction(people, out, i, j)
    if people.contacts.shape[1] == 0:
        return
    new_i = strengthen(people, i, j)
    new_j = strengthen(people, j, i)
    if (new_i or new_j) and not is_tie(net.indptr, net.indices, net.complete, i, j):
        out[Out.new_platform_ties] += 1
        if people.department[i] != people.department[j]:
            out[Out.new_cross_department_ties] += 1


@njit(**KERNEL, inline="always")
def add_to_neighbours(net, counter, i, delta):
    """Add ``delta`` to ``counter`` of every tie of ``i`` (no-op on the complete graph)."""
    if net.complete:
        return
    for k in range(net.indptr[i], net.indptr[i + 1]):
        counter[net.indices[k]] += delta


@njit(**KERNEL, inline="always")
def record_interaction(people, out, i, j):
    """Count one interaction between ``i`` and ``j`` (cross-department; skip-level: 2+ levels apart)."""
    out[Out.n_interactions] += 1
    if people.department[i] != people.department[j]:
        out[Out.n_cross_department] += 1
    li, lj = people.level[i], people.level[j]
    if li >= 0 and lj >= 0 and abs(li - lj) >= 2:
        out[Out.n_cross_level] += 1


@njit(**KERNEL, inline="always")
def decay_ties(people, P, i):
    """A day passes: the strengths of ``i``'s platform ties decay by ``tie_decay``."""
    for c in range(people.contacts.shape[1]):
        people.contact_w[i, c] *= P.tie_decay
