"""Awareness and registration (docs/model.md 7.1): word of mouth and the esn rule, or the classic rules."""

from __future__ import annotations

from numba import njit

from orgsim.kernels.jit import KERNEL, logistic
from orgsim.kernels.rng import uniform
from orgsim.kernels.state import AWARE, MEMBER, RULE_BASS, RULE_THRESHOLD, UNAWARE


@njit(**KERNEL, inline="always")
def register(people, i, day, P):
    """Person ``i`` creates an account."""
    people.state[i] = MEMBER
    people.registered_day[i] = day
    people.engaged_day[i] = day
    people.novelty[i] = 1.0
    people.usefulness[i] = P.initial_usefulness
    people.pending[people.pending[-1]] = i
    people.pending[-1] += 1


@njit(**KERNEL, inline="always")
def adoption_share(people, net, i, n_registered):
    """Share and count of ``i``'s ties who have registered."""
    if net.complete:
        count = n_registered - (1 if people.registered_day[i] >= 0 else 0)
        deg = people.level.shape[0] - 1
    else:
        count = people.n_reg_ties[i]
        deg = net.indptr[i + 1] - net.indptr[i]
    return (count / deg if deg > 0 else 0.0), count


@njit(**KERNEL)
def registration_step(people, net, P, i, day, n_registered, rng):
    """Awareness and registration of one person under the scenario's rule."""
    share, count = adoption_share(people, net, i, n_registered)
    if P.rule == RULE_BASS:
        if uniform(rng) < P.bass_p + P.bass_q * share:
            register(people, i, day, P)
    elif P.rule == RULE_THRESHOLD:
        if count >= people.kmin[i] and share >= people.phi[i]:
            register(people, i, day, P)
    else:
        if people.state[i] == UNAWARE:
            inviters = people.n_active_ties[i]  # members who visited this week tell their ties
            if inviters > 0 and uniform(rng) < min(1.0, P.word_of_mouth * inviters):
                people.state[i] = AWARE
        elif people.state[i] == AWARE:
            score = (P.registration_base + P.registration_affinity * people.affinity[i]
                     + P.registration_social * share
                     + P.visit_endorsement * P.management_endorsement * people.trust[i])
            if uniform(rng) < logistic(score):
                register(people, i, day, P)
