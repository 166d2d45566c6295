"""The order of the day (docs/model.md 3): :func:`step_day` calls the submodels in turn."""

from __future__ import annotations

from numba import njit

from orgsim.kernels.ideas import executive_review, new_idea
from orgsim.kernels.jit import KERNEL
from orgsim.kernels.questions import ask_question, hierarchy_questions
from orgsim.kernels.registration import registration_step
from orgsim.kernels.rng import randint, seed_rng, uniform
from orgsim.kernels.state import AWARE, LEFT, MEMBER, RULE_ESN, UNAWARE, Out
from orgsim.kernels.ties import add_to_neighbours, decay_ties
from orgsim.kernels.trust import moderate, relax_trust
from orgsim.kernels.visit import member_day


@njit(**KERNEL)
def step_day(people, net, posts, qs, ideas, P, out, day, seed, rng):
    """Advance the organization by one day.

    Order of the day:
      1. Seed the generator state ``rng`` from ``seed``; note where today's posts begin.
      2. Moderators remove abuse; members whose last visit left the 7-day window
         stop counting as active for their ties.
      3. For each person, in a fresh random order:
         a. novelty, feedback and platform-tie strengths decay; trust relaxes
            to its initial value and erodes under monitoring;
         b. awareness and registration (word of mouth, or the Bass/threshold rule);
         c. members decide whether to visit (usefulness, novelty, social influence of
            ties and platform ties, endorsement x trust, affinity, habit, time cost);
            leaders visit and post as role models with probability ``leader_participation``;
            a visit reads the feed (endorse, reply, answer, learn; each interaction
            creates or strengthens a platform tie) and may write (managers: team
            messages moved from e-mail; everyone: an update with probability willingness);
         d. habit moves towards whether they visited; members who have not visited for
            ``churn_days`` leave;
         e. a work problem may arise (asked on the platform or by e-mail/hierarchy),
            and an idea (posted for endorsement or queued for executives).
      4. Open questions move along e-mail and the hierarchy (managers who use the
         platform post them there); executives review ideas.
      5. Today's registrations update their ties' counters (synchronous adoption).
      6. Count the day's stocks into ``out``.
    """
    seed_rng(rng, seed)
    posts.day_start[day] = posts.total[0]
    n = people.level.shape[0]
    moderate(posts, P, out, day, rng)
    n_registered = 0
    last_visit, registered_day, is_external, n_active_ties = (people.last_visit, people.registered_day,
                                                              people.is_external, people.n_active_ties)
    for i in range(n):
        if last_visit[i] == day - 7:
            add_to_neighbours(net, n_active_ties, i, -1)
        if registered_day[i] >= 0 and not is_external[i]:
            n_registered += 1

    order = people.order
    for k in range(n - 1, 0, -1):  # Fisher-Yates shuffle in place
        j = randint(rng, 0, k + 1)
        order[k], order[j] = order[j], order[k]
    people.pending[-1] = 0
    state_ = people.state
    for k in range(n):
        i = order[k]
        if is_external[i] and not P.partners_open:
            continue
        people.novelty[i] *= P.novelty_decay
        people.feedback[i] *= P.feedback_decay
        decay_ties(people, P, i)
        relax_trust(people, P, i)
        state = state_[i]
        # unaware without an inviter: nothing to do, the call is skipped
        if state == AWARE or (state == UNAWARE and (n_active_ties[i] > 0 or P.rule != RULE_ESN)):
            # nobody joins a closed platform; the classic rules are diffusion alone, platform or not
            if P.platform_open or P.rule != RULE_ESN:
                registration_step(people, net, P, i, day, n_registered, rng)
        elif state == MEMBER and P.platform_open:
            member_day(people, net, posts, qs, P, out, i, day, rng)
        if uniform(rng) < P.question_rate:
            ask_question(people, posts, qs, P, out, i, day, rng)
        if uniform(rng) < P.idea_rate:
            new_idea(people, posts, ideas, P, out, i, day, rng)

    hierarchy_questions(people, net, posts, qs, P, out, day, rng)
    executive_review(ideas, P, out, day, rng)
    for k in range(people.pending[-1]):
        add_to_neighbours(net, people.n_reg_ties, people.pending[k], 1)
    count_day(people, P, out, day)


@njit(**KERNEL)
def step_days(people, net, posts, qs, ideas, P, out, first_day, seeds, rng):
    """Run ``len(seeds)`` days from ``first_day``: :func:`step_day` with each day's seed and row of ``out``."""
    for k in range(seeds.shape[0]):
        step_day(people, net, posts, qs, ideas, P, out[first_day + k], first_day + k, seeds[k], rng)


@njit(**KERNEL)
def count_day(people, P, out, day):
    """Count the day's stocks (employees only, except ``n_external_active``)."""
    last_visit, is_external, state_ = people.last_visit, people.is_external, people.state
    registered_day, last_contrib, last_liked = people.registered_day, people.last_contrib, people.last_liked
    trust, n_known = people.trust, people.n_known
    for i in range(last_visit.shape[0]):
        active = last_visit[i] >= day - 6
        if is_external[i]:
            if active:
                out[Out.n_external_active] += 1
            continue
        state = state_[i]
        out[Out.n_aware] += state != UNAWARE
        out[Out.n_registered] += registered_day[i] >= 0
        out[Out.n_members] += state == MEMBER
        out[Out.n_left] += state == LEFT
        out[Out.n_active_7d] += active
        out[Out.n_contributors_30d] += last_contrib[i] >= day - 29
        out[Out.n_readers] += last_visit[i] == day
        out[Out.n_posters] += last_contrib[i] == day
        out[Out.n_likers] += last_liked[i] == day
        out[Out.sum_trust] += trust[i]
        out[Out.sum_known] += n_known[i]
