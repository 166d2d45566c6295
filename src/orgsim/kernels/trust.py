"""Trust, abuse, moderation and monitoring (docs/model.md 7.9).

Trust in management relaxes daily towards its initial value and erodes under monitoring;
reading a leader's post raises it, reading abuse lowers it.
"""

from __future__ import annotations

from numba import njit

from orgsim.kernels.contributions import slot
from orgsim.kernels.jit import KERNEL
from orgsim.kernels.rng import uniform
from orgsim.kernels.state import ABUSE, Out


@njit(**KERNEL)
def moderate(posts, P, out, day, rng):
    """Moderators remove each abusive post still in the feeds with probability ``moderation``."""
    if P.moderation <= 0.0:
        return
    ring = posts.ring
    start = max(posts.day_start[max(day - P.feed_window + 1, 0)], posts.total[0] - ring.shape[0])
    for g in range(start, posts.total[0]):
        post = ring[slot(ring, g)]
        if post.kind == ABUSE and post.alive and uniform(rng) < P.moderation:
            post.alive = False
            out[Out.abuse_removed] += 1


@njit(**KERNEL, inline="always")
def relax_trust(people, P, i):
    """A day passes: trust relaxes towards its initial value, then erodes under monitoring."""
    people.trust[i] += P.trust_relax * (people.trust0[i] - people.trust[i])
    people.trust[i] -= P.monitoring_trust_drift * P.monitoring * people.trust[i]


@njit(**KERNEL, inline="always")
def read_abuse(people, P, i):
    """``i`` reads abuse left online: trust falls by ``abuse_trust_hit`` (floored at 0)."""
    people.trust[i] = max(0.0, people.trust[i] - P.abuse_trust_hit)


@njit(**KERNEL, inline="always")
def read_leader_post(people, P, i):
    """``i`` reads a leader's post: trust moves towards 1 by ``leader_trust_gain``."""
    people.trust[i] += P.leader_trust_gain * (1.0 - people.trust[i])
