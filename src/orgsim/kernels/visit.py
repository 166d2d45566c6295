"""Visiting and churn, and a visit (docs/model.md 7.2 and 7.3)."""

from __future__ import annotations

from numba import njit

from orgsim.kernels.contributions import contribute, new_post, post_score, time_cost
from orgsim.kernels.feed import read_feed
from orgsim.kernels.jit import KERNEL, logistic
from orgsim.kernels.rng import uniform
from orgsim.kernels.state import ABUSE, LEADER, LEFT, RULE_ESN, UPDATE, WORK, Out
from orgsim.kernels.ties import add_to_neighbours


@njit(**KERNEL, inline="always")
def visit_score(people, net, P, i, day):
    """Log-odds of visiting today: usefulness, novelty, social influence, endorsement x trust, affinity, habit, time.

    Social influence is the share of one's ties and platform ties who visited this week.
    """
    if net.complete:
        deg = people.level.shape[0] - 1
    else:
        deg = net.indptr[i + 1] - net.indptr[i]
    n_contacts, n_active = 0, people.n_active_ties[i]
    for c in range(people.contacts.shape[1]):
        j = people.contacts[i, c]
        if j >= 0:
            n_contacts += 1
            if people.last_visit[j] >= day - 6:
                n_active += 1
    social = n_active / (deg + n_contacts) if deg + n_contacts > 0 else 0.0
    return (P.visit_base + P.visit_usefulness * people.usefulness[i] + P.visit_novelty * people.novelty[i]
            + P.visit_social * social + P.visit_endorsement * P.management_endorsement * people.trust[i]
            + P.visit_affinity * people.affinity[i] + P.visit_habit * people.habit[i]
            - P.visit_time_cost * time_cost(people, P, i))


@njit(**KERNEL, inline="always")
def visit(people, net, posts, qs, P, out, i, day, is_leader_visit, rng):
    """One visit: read the feed, update usefulness, maybe write."""
    if people.last_visit[i] < day - 6:
        add_to_neighbours(net, people.n_active_ties, i, 1)
    people.last_visit[i] = day
    score = post_score(people, P, i)
    value = read_feed(people, net, posts, qs, P, out, i, day, score, rng)
    people.usefulness[i] = min(1.0, max(0.0, people.usefulness[i] + P.usefulness_rate * (value - people.usefulness[i])))
    if people.restricted[i]:
        return
    if is_leader_visit:
        new_post(people, posts, i, day, LEADER, 0, 0)
        contribute(people, out, i, day, False)
        out[Out.leader_posts] += 1
        return
    if people.is_bad[i] and uniform(rng) < P.abuse_prob:
        new_post(people, posts, i, day, ABUSE, 0, 0)
        contribute(people, out, i, day, False)
        out[Out.new_abuse] += 1
        if uniform(rng) < P.monitoring:
            people.restricted[i] = True
        return
    if people.is_manager[i] and uniform(rng) < P.email_replacement * P.work_post_prob:
        new_post(people, posts, i, day, WORK, 0, 0)
        contribute(people, out, i, day, False)
    elif uniform(rng) < logistic(score):
        new_post(people, posts, i, day, UPDATE, 0, 0)
        contribute(people, out, i, day, False)


@njit(**KERNEL, inline="always")
def member_day(people, net, posts, qs, P, out, i, day, rng):
    """A member's day on the open platform: a leader's role-model visit, or a visit by choice; habit; churn."""
    leader_visit = people.is_senior[i] and uniform(rng) < P.leader_participation
    visited = leader_visit or uniform(rng) < logistic(visit_score(people, net, P, i, day))
    if visited:  # one call site: visit is inlined
        visit(people, net, posts, qs, P, out, i, day, leader_visit, rng)
    people.habit[i] += P.habit_rate * ((1.0 if visited else 0.0) - people.habit[i])
    if not visited and day - max(people.last_visit[i], people.engaged_day[i]) > P.churn_days:
        if P.rule == RULE_ESN:
            people.state[i] = LEFT
