"""Posts, contributions and the willingness to write (docs/model.md 7.3 step 2, and 7.5)."""

from __future__ import annotations

import numpy as np
from numba import njit

from orgsim.kernels.jit import KERNEL
from orgsim.kernels.state import MEMBER, Out


@njit(**KERNEL, inline="always")
def slot(ring, g):
    """Position of global entry ``g`` in a ring buffer whose length is a power of two."""
    return g & (ring.shape[0] - 1)


@njit(**KERNEL, inline="always")
def new_post(people, posts, author, day, kind, topic, ref):
    """Append a post to the ring buffer; return its global index."""
    g = posts.total[0]
    post = posts.ring[slot(posts.ring, g)]
    post.author = author
    post.day = day
    post.kind = kind
    post.topic = topic
    post.score = 0
    post.alive = True
    post.ref = ref
    post.department = people.department[author]
    post.senior = people.is_senior[author]
    posts.total[0] = g + 1
    return g


@njit(**KERNEL, inline="always")
def contribute(people, out, i, day, is_reply):
    """Person ``i`` wrote something (a post, reply or answer)."""
    people.last_contrib[i] = day
    if is_reply:
        people.n_replies[i] += 1
        out[Out.new_replies] += 1
    else:
        people.n_posts[i] += 1
        out[Out.new_posts] += 1


@njit(**KERNEL, inline="always")
def give_feedback(people, P, author):
    """The author of a post received a reply or an endorsement: feedback and confidence grow."""
    people.feedback[author] += 1.0
    people.confidence[author] = min(people.confidence[author] * (1.0 + P.confidence_gain), 50.0)


@njit(**KERNEL, inline="always")
def time_cost(people, P, i):
    """Time cost of a visit relative to one's available time."""
    return P.visit_time * (1.0 - P.time_allowance) / people.time[i]


@njit(**KERNEL, inline="always")
def post_score(people, P, i):
    """Log-odds of writing a post on a visit: safety, confidence, feedback, 'allowed', monitoring, time."""
    return (P.post_base + P.post_trust * (people.trust[i] - 0.5)
            + P.post_confidence * np.log(people.confidence[i])
            + P.post_feedback * people.feedback[i]
            + P.post_endorsement * P.management_endorsement
            - P.post_monitoring * P.monitoring - P.visit_time_cost * time_cost(people, P, i))


@njit(**KERNEL, inline="always")
def is_active(people, i, day):
    """Visited the platform in the last 7 days."""
    return people.last_visit[i] >= day - 6


@njit(**KERNEL, inline="always")
def can_write(people, P, i):
    """A member who may write on the open platform (not restricted)."""
    return people.state[i] == MEMBER and P.platform_open and not people.restricted[i]
