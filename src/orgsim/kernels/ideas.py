"""Ideas (docs/model.md 7.7): endorsed on the platform, or queued for the executives' sign-off."""

from __future__ import annotations

from numba import njit

from orgsim.kernels.contributions import can_write, contribute, is_active, new_post, post_score
from orgsim.kernels.jit import KERNEL, logistic
from orgsim.kernels.rng import uniform
from orgsim.kernels.state import IDEA, Out


@njit(**KERNEL)
def new_idea(people, posts, ideas, P, out, i, day, rng):
    """An idea arises for ``i``: posted for colleagues to endorse, or queued for executive sign-off.

    An active member who may write posts it with probability ``logistic(post score + help_ease)``.
    """
    if can_write(people, P, i) and is_active(people, i, day):
        if uniform(rng) < logistic(post_score(people, P, i) + P.help_ease):
            new_post(people, posts, i, day, IDEA, 0, 0)
            contribute(people, out, i, day, False)
            out[Out.ideas_posted] += 1
            return
    if people.is_external[i]:
        return
    out[Out.ideas_posted] += 1
    cap = ideas.day.shape[0]  # 1.5 x the ideas of idea_ttl + 1 days (at least 256): a lost idea is rare
    if ideas.tail[0] - ideas.head[0] < cap:
        ideas.day[ideas.tail[0] % cap] = day
        ideas.tail[0] += 1


@njit(**KERNEL)
def executive_review(ideas, P, out, day, rng):
    """Executives review the oldest queued ideas within their limited time."""
    cap = ideas.day.shape[0]
    # review time not used is saved up to one idea beyond a day's (the queue was empty)
    ideas.budget[0] = min(ideas.budget[0] + P.exec_ideas_per_day, P.exec_ideas_per_day + 1.0)
    while ideas.head[0] < ideas.tail[0]:
        created = ideas.day[ideas.head[0] % cap]
        if day - created > P.idea_ttl:
            ideas.head[0] += 1
            continue
        if ideas.budget[0] < 1.0:
            break
        ideas.budget[0] -= 1.0
        ideas.head[0] += 1
        if uniform(rng) < P.exec_approval:
            out[Out.ideas_adopted] += 1
            out[Out.sum_idea_latency] += day - created
