"""Numba kernels: the day's rules as pure functions of arrays.

Everything here is ``@njit(cache=True)``: arrays and scalars in, arrays updated
in place. The only random state is numba's generator, seeded at the start of
each day from a seed the model draws from its own ``numpy`` generator, so a run
is a deterministic function of the scenario and the seed.

The step order is written out in :func:`step_day`; the meaning of every
coefficient is in :mod:`orgsim.params`. The pure-Mesa reference in
:mod:`orgsim.reference` implements the same rules, slowly and readably.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np
from numba import njit

# Person states
UNAWARE, AWARE, MEMBER, LEFT = 0, 1, 2, 3
# Post kinds
UPDATE, WORK, QUESTION, ANSWER, IDEA, ABUSE, LEADER = 0, 1, 2, 3, 4, 5, 6
# Registration rules
RULE_ESN, RULE_BASS, RULE_THRESHOLD = 0, 1, 2

People = namedtuple(
    "People",
    [
        "level", "department", "manager", "is_external", "is_senior", "is_bad",  # structure
        "trust", "trust0", "time", "affinity", "confidence", "knowledge", "n_known",  # attributes
        "state", "registered_day", "engaged_day", "last_visit", "last_contrib", "novelty", "habit",  # adoption state
        "usefulness", "feedback", "n_posts", "n_replies", "restricted",  # behaviour state
        "n_active_ties", "n_reg_ties", "phi", "kmin",  # neighbourhood counters, thresholds
        "order", "pending",  # scratch (preallocated once)
    ],
)
Network = namedtuple("Network", ["indptr", "indices", "complete"])
Posts = namedtuple("Posts", ["author", "day", "kind", "topic", "score", "alive", "ref", "total", "day_start"])
Questions = namedtuple("Questions", ["asker", "topic", "day", "holder", "platform", "open", "total"])
IdeaQueue = namedtuple("IdeaQueue", ["day", "head", "tail", "budget"])

# Daily output counters written by the kernel, in this order (see orgsim.metrics for derived columns)
COUNTERS = (
    "n_aware", "n_registered", "n_members", "n_left", "n_active_7d", "n_contributors_30d",
    "new_posts", "new_replies", "new_endorsements", "new_abuse", "abuse_removed",
    "sum_trust", "n_interactions", "n_cross_department", "n_cross_level",
    "questions_asked", "questions_asked_platform", "questions_answered", "questions_answered_platform",
    "sum_answer_days", "questions_dropped", "ideas_posted", "ideas_adopted", "sum_idea_latency",
    "sum_known", "n_external_active", "leader_posts",
)
C = {name: i for i, name in enumerate(COUNTERS)}
(N_AWARE, N_REGISTERED, N_MEMBERS, N_LEFT, N_ACTIVE, N_CONTRIB, NEW_POSTS, NEW_REPLIES, NEW_ENDORSE,
 NEW_ABUSE, ABUSE_REMOVED, SUM_TRUST, N_INTER, N_CROSS_DEPT, N_CROSS_LEVEL, Q_ASKED, Q_ASKED_PLATFORM,
 Q_ANSWERED, Q_ANSWERED_PLATFORM, SUM_ANSWER_DAYS, Q_DROPPED, IDEAS_POSTED, IDEAS_ADOPTED,
 SUM_IDEA_LATENCY, SUM_KNOWN, N_EXTERNAL_ACTIVE, LEADER_POSTS) = range(len(COUNTERS))


@njit(cache=True)
def logistic(x):
    """The logistic function."""
    return 1.0 / (1.0 + np.exp(-x))


@njit(cache=True)
def knows(people, i, topic):
    """Whether person ``i`` knows ``topic``."""
    return (people.knowledge[i] >> topic) & 1 == 1


@njit(cache=True)
def learn(people, i, topic):
    """Person ``i`` learns ``topic`` (no-op if known)."""
    if not knows(people, i, topic):
        people.knowledge[i] |= np.int64(1) << topic
        people.n_known[i] += 1


@njit(cache=True)
def is_tie(net, i, j):
    """Whether ``i`` and ``j`` are tied (binary search in the sorted CSR row)."""
    if net.complete:
        return i != j
    lo, hi = net.indptr[i], net.indptr[i + 1]
    while lo < hi:
        mid = (lo + hi) // 2
        v = net.indices[mid]
        if v == j:
            return True
        if v < j:
            lo = mid + 1
        else:
            hi = mid
    return False


@njit(cache=True)
def add_to_neighbours(net, counter, i, delta):
    """Add ``delta`` to ``counter`` of every tie of ``i`` (no-op on the complete graph)."""
    if net.complete:
        return
    for k in range(net.indptr[i], net.indptr[i + 1]):
        counter[net.indices[k]] += delta


@njit(cache=True)
def record_interaction(people, out, i, j):
    """Count one interaction between ``i`` and ``j`` (cross-department; skip-level: 2+ levels apart)."""
    out[N_INTER] += 1
    if people.department[i] != people.department[j]:
        out[N_CROSS_DEPT] += 1
    li, lj = people.level[i], people.level[j]
    if li >= 0 and lj >= 0 and abs(li - lj) >= 2:
        out[N_CROSS_LEVEL] += 1


@njit(cache=True)
def contribute(people, out, i, day, is_reply):
    """Person ``i`` wrote something (a post, reply or answer)."""
    people.last_contrib[i] = day
    if is_reply:
        people.n_replies[i] += 1
        out[NEW_REPLIES] += 1
    else:
        people.n_posts[i] += 1
        out[NEW_POSTS] += 1


@njit(cache=True)
def new_post(posts, author, day, kind, topic, ref):
    """Append a post to the ring buffer; return its global index."""
    g = posts.total[0]
    s = g % posts.author.shape[0]
    posts.author[s] = author
    posts.day[s] = day
    posts.kind[s] = kind
    posts.topic[s] = topic
    posts.score[s] = 0
    posts.alive[s] = True
    posts.ref[s] = ref
    posts.total[0] = g + 1
    return g


@njit(cache=True)
def give_feedback(people, P, author):
    """The author of a post received a reply or an endorsement."""
    people.feedback[author] += 1.0
    people.confidence[author] = min(people.confidence[author] * (1.0 + P.confidence_gain), 50.0)


@njit(cache=True)
def register(people, i, day, P):
    """Person ``i`` creates an account."""
    people.state[i] = MEMBER
    people.registered_day[i] = day
    people.engaged_day[i] = day
    people.novelty[i] = 1.0
    people.usefulness[i] = P.initial_usefulness
    people.pending[people.pending[-1]] = i
    people.pending[-1] += 1


@njit(cache=True)
def adoption_share(people, net, i, n_registered):
    """Share and count of ``i``'s ties who have registered."""
    if net.complete:
        count = n_registered - (1 if people.registered_day[i] >= 0 else 0)
        deg = people.level.shape[0] - 1
    else:
        count = people.n_reg_ties[i]
        deg = net.indptr[i + 1] - net.indptr[i]
    return (count / deg if deg > 0 else 0.0), count


@njit(cache=True)
def registration_step(people, net, P, i, day, n_registered):
    """Awareness and registration of one person under the scenario's rule."""
    share, count = adoption_share(people, net, i, n_registered)
    if P.rule == RULE_BASS:
        if np.random.random() < P.bass_p + P.bass_q * share:
            register(people, i, day, P)
    elif P.rule == RULE_THRESHOLD:
        if count >= people.kmin[i] and share >= people.phi[i]:
            register(people, i, day, P)
    else:
        if people.state[i] == UNAWARE:
            if count > 0 and np.random.random() < min(1.0, P.word_of_mouth * count):
                people.state[i] = AWARE
        elif people.state[i] == AWARE:
            score = (P.registration_base + P.registration_affinity * people.affinity[i]
                     + P.registration_social * share
                     + P.visit_endorsement * P.management_endorsement * people.trust[i])
            if np.random.random() < logistic(score):
                register(people, i, day, P)


@njit(cache=True)
def time_cost(people, P, i):
    """Time cost of a visit relative to one's available time."""
    return P.visit_time * (1.0 - P.time_allowance) / people.time[i]


@njit(cache=True)
def willingness(people, P, i, cost):
    """Probability of writing something on a visit: safety, confidence, feedback, 'allowed', time."""
    score = (P.post_base + P.post_trust * (people.trust[i] - 0.5)
             + P.post_confidence * np.log(people.confidence[i])
             + P.post_feedback * people.feedback[i]
             + P.post_endorsement * P.management_endorsement
             - P.post_monitoring * P.monitoring - P.visit_time_cost * cost)
    return logistic(score)


@njit(cache=True)
def answer_question(people, posts, qs, P, out, reader, qg, day, on_platform):
    """``reader`` answers question ``qg``: close it, teach the asker, count it."""
    qs_slot = qg % qs.asker.shape[0]
    asker = qs.asker[qs_slot]
    topic = qs.topic[qs_slot]
    qs.open[qs_slot] = False
    out[Q_ANSWERED] += 1
    out[SUM_ANSWER_DAYS] += day - qs.day[qs_slot]
    learn(people, asker, topic)
    record_interaction(people, out, reader, asker)
    if on_platform:
        out[Q_ANSWERED_PLATFORM] += 1
        new_post(posts, reader, day, ANSWER, topic, qg)
        contribute(people, out, reader, day, True)
        give_feedback(people, P, reader)
        people.usefulness[asker] += P.usefulness_rate * (1.0 - people.usefulness[asker])


@njit(cache=True)
def question_open(qs, qg):
    """Whether global question ``qg`` is still held in the pool and unanswered."""
    return qg >= qs.total[0] - qs.asker.shape[0] and qs.open[qg % qs.asker.shape[0]]


@njit(cache=True)
def read_feed(people, net, posts, qs, P, out, i, day, since_day, will):
    """Read up to ``feed_size`` posts new since ``since_day``; return the value received in [-1, 1]."""
    start = posts.day_start[max(since_day + 1, day - P.feed_window + 1, 0)]
    end = posts.total[0]
    start = max(start, end - posts.author.shape[0])
    n_new = end - start
    if n_new <= 0:
        return 0.0
    value = 0.0
    read = 0
    for _ in range(3 * P.feed_size):
        if read >= P.feed_size:
            break
        g = start + np.random.randint(0, n_new)
        s = g % posts.author.shape[0]
        a = posts.author[s]
        if a == i or not posts.alive[s]:
            continue
        accept = (P.feed_base + P.feed_popularity * min(posts.score[s], 10) / 10.0
                  + (P.feed_department if people.department[a] == people.department[i] else 0.0)
                  + (P.feed_leader if people.is_senior[a] else 0.0))
        if accept < 1.0 and is_tie(net, i, a):
            accept += P.feed_tie
        if np.random.random() >= accept:
            continue
        read += 1
        kind = posts.kind[s]
        useful = False
        if kind == ABUSE:
            people.trust[i] = max(0.0, people.trust[i] - P.abuse_trust_hit)
            value -= 1.0
            continue
        if kind == QUESTION:
            qg = posts.ref[s]
            if question_open(qs, qg) and knows(people, i, posts.topic[s]):
                if np.random.random() < P.answer_prob * max(will, P.post_floor):
                    answer_question(people, posts, qs, P, out, i, qg, day, True)
                    value += 0.5
            continue
        if kind == ANSWER:
            if not knows(people, i, posts.topic[s]) and np.random.random() < P.learn_prob:
                learn(people, i, posts.topic[s])
                useful = True
        elif kind == LEADER:
            people.trust[i] += P.leader_trust_gain * (1.0 - people.trust[i])
            useful = np.random.random() < P.value_work
        elif kind == WORK:
            useful = np.random.random() < P.value_work
        else:  # UPDATE, IDEA
            useful = np.random.random() < P.value_update
        if not useful:
            continue
        value += 1.0
        if np.random.random() < P.endorse_prob * max(will, P.post_floor):
            posts.score[s] += 1
            out[NEW_ENDORSE] += 1
            give_feedback(people, P, a)
            record_interaction(people, out, i, a)
            if kind == IDEA and posts.ref[s] == 0 and posts.score[s] >= P.idea_endorsements:
                posts.ref[s] = 1
                out[IDEAS_ADOPTED] += 1
                out[SUM_IDEA_LATENCY] += day - posts.day[s]
        if np.random.random() < P.reply_prob * will:
            contribute(people, out, i, day, True)
            give_feedback(people, P, a)
            record_interaction(people, out, i, a)
    return max(-1.0, min(1.0, value / P.feed_size))


@njit(cache=True)
def visit(people, net, posts, qs, P, out, i, day, is_leader_visit):
    """One visit: read the feed, update usefulness, maybe write."""
    since = people.last_visit[i]
    if since < day - 6:
        add_to_neighbours(net, people.n_active_ties, i, 1)
    people.last_visit[i] = day
    cost = time_cost(people, P, i)
    will = willingness(people, P, i, cost)
    value = read_feed(people, net, posts, qs, P, out, i, day, since, will)
    people.usefulness[i] = min(1.0, max(0.0, people.usefulness[i] + P.usefulness_rate * (value - people.usefulness[i])))
    if people.restricted[i]:
        return
    if is_leader_visit:
        new_post(posts, i, day, LEADER, 0, 0)
        contribute(people, out, i, day, False)
        out[LEADER_POSTS] += 1
        return
    if people.is_bad[i] and np.random.random() < P.abuse_prob:
        new_post(posts, i, day, ABUSE, 0, 0)
        contribute(people, out, i, day, False)
        out[NEW_ABUSE] += 1
        if np.random.random() < P.monitoring:
            people.restricted[i] = True
        return
    if np.random.random() < P.email_replacement * P.work_post_prob:
        new_post(posts, i, day, WORK, 0, 0)
        contribute(people, out, i, day, False)
    elif np.random.random() < will:
        new_post(posts, i, day, UPDATE, 0, 0)
        contribute(people, out, i, day, False)


@njit(cache=True)
def ask_question(people, posts, qs, P, out, i, day):
    """A work problem arises for ``i``: ask on the platform or through e-mail and the hierarchy."""
    n_topics = P.n_topics
    topic = -1
    for _ in range(4):
        if np.random.random() < P.question_home_share:
            per = max(1, n_topics // P.n_departments)
            t = (people.department[i] % P.n_departments) + P.n_departments * np.random.randint(0, per)
            t = t % n_topics
        else:
            t = np.random.randint(0, n_topics)
        if not knows(people, i, t):
            topic = t
            break
    if topic < 0:
        return
    member = people.state[i] == MEMBER and P.platform_open and not people.restricted[i]
    on_platform = member and people.last_visit[i] >= day - 6 and np.random.random() < 0.5 + 0.5 * people.usefulness[i]
    if not on_platform and people.is_external[i]:
        return
    g = qs.total[0]
    s = g % qs.asker.shape[0]
    if qs.open[s] and qs.day[s] >= day - P.question_ttl:
        out[Q_DROPPED] += 1  # pool full: the oldest open question is dropped
    qs.asker[s] = i
    qs.topic[s] = topic
    qs.day[s] = day
    qs.platform[s] = on_platform
    qs.holder[s] = -1 if on_platform else people.manager[i]
    qs.open[s] = True
    qs.total[0] = g + 1
    out[Q_ASKED] += 1
    if on_platform:
        out[Q_ASKED_PLATFORM] += 1
        new_post(posts, i, day, QUESTION, topic, g)
        contribute(people, out, i, day, False)


@njit(cache=True)
def find_expert(people, topic, n_employees):
    """The hierarchy's search for someone who knows ``topic``: a few random tries, -1 if none found."""
    for _ in range(20):
        j = np.random.randint(0, n_employees)
        if knows(people, j, topic):
            return j
    return -1


@njit(cache=True)
def hierarchy_questions(people, net, posts, qs, P, out, day):
    """Move open questions along e-mail and the hierarchy; drop those past their time to live."""
    cap = qs.asker.shape[0]
    n_employees = P.n_employees
    for g in range(max(0, qs.total[0] - cap), qs.total[0]):
        s = g % cap
        if not qs.open[s]:
            continue
        asker = qs.asker[s]
        topic = qs.topic[s]
        if day - qs.day[s] > P.question_ttl:
            qs.open[s] = False
            out[Q_DROPPED] += 1
            continue
        if qs.platform[s]:
            if day - qs.day[s] < P.platform_patience or people.manager[asker] < 0:
                continue
            if qs.holder[s] == -1:
                qs.holder[s] = people.manager[asker]
        else:
            # e-mail one colleague from one's ties
            deg = net.indptr[asker + 1] - net.indptr[asker] if not net.complete else 0
            if deg > 0:
                j = net.indices[net.indptr[asker] + np.random.randint(0, deg)]
                if knows(people, j, topic) and np.random.random() < P.email_reply_prob:
                    answer_question(people, posts, qs, P, out, j, g, day, False)
                    continue
        h = qs.holder[s]
        if h < 0:
            continue
        p_handle = P.senior_handle_prob if people.is_senior[h] else P.manager_handle_prob
        if np.random.random() >= p_handle:
            continue
        if knows(people, h, topic):
            answer_question(people, posts, qs, P, out, h, g, day, False)
        elif people.manager[h] >= 0:
            record_interaction(people, out, h, people.manager[h])
            qs.holder[s] = people.manager[h]
        else:
            expert = find_expert(people, topic, n_employees)
            if expert >= 0:
                record_interaction(people, out, h, expert)
                qs.holder[s] = expert


@njit(cache=True)
def new_idea(people, posts, ideas, P, out, i, day, will):
    """An idea arises: post it for colleagues to endorse, or send it up for executive sign-off."""
    member = people.state[i] == MEMBER and P.platform_open and not people.restricted[i]
    if member and people.last_visit[i] == day and np.random.random() < max(will, P.post_floor):
        new_post(posts, i, day, IDEA, 0, 0)
        contribute(people, out, i, day, False)
        out[IDEAS_POSTED] += 1
        return
    if people.is_external[i]:
        return
    cap = ideas.day.shape[0]
    if ideas.tail[0] - ideas.head[0] < cap:
        ideas.day[ideas.tail[0] % cap] = day
        ideas.tail[0] += 1
        out[IDEAS_POSTED] += 1


@njit(cache=True)
def executive_review(ideas, P, out, day):
    """Executives review the oldest queued ideas within their limited time."""
    cap = ideas.day.shape[0]
    ideas.budget[0] += P.exec_ideas_per_day
    while ideas.head[0] < ideas.tail[0]:
        created = ideas.day[ideas.head[0] % cap]
        if day - created > P.idea_ttl:
            ideas.head[0] += 1
            continue
        if ideas.budget[0] < 1.0:
            break
        ideas.budget[0] -= 1.0
        ideas.head[0] += 1
        if np.random.random() < P.exec_approval:
            out[IDEAS_ADOPTED] += 1
            out[SUM_IDEA_LATENCY] += day - created


@njit(cache=True)
def moderate(posts, P, out, day):
    """Moderators remove each abusive post still in the feeds with probability ``moderation``."""
    if P.moderation <= 0.0:
        return
    start = max(posts.day_start[max(day - P.feed_window, 0)], posts.total[0] - posts.author.shape[0])
    for g in range(start, posts.total[0]):
        s = g % posts.author.shape[0]
        if posts.kind[s] == ABUSE and posts.alive[s] and np.random.random() < P.moderation:
            posts.alive[s] = False
            out[ABUSE_REMOVED] += 1


@njit(cache=True)
def step_day(people, net, posts, qs, ideas, P, out, day, seed):
    """Advance the organization by one day.

    Order of the day:
      1. Seed the generator from ``seed``; note where today's posts begin.
      2. Moderators remove abuse; members whose last visit left the 7-day window
         stop counting as active for their ties.
      3. For each person, in a fresh random order:
         a. novelty, feedback and habit decay; trust relaxes to its initial value
            and erodes under monitoring;
         b. awareness and registration (word of mouth, or the Bass/threshold rule);
         c. members decide whether to visit (usefulness, novelty, social influence,
            endorsement x trust, affinity, habit, time cost); leaders visit and post
            as role models with probability ``leader_participation``;
            a visit reads the feed (endorse, reply, answer, learn) and may write;
         d. members who have not visited for ``churn_days`` leave;
         e. a work problem may arise (asked on the platform or by e-mail/hierarchy),
            and an idea (posted for endorsement or queued for executives).
      4. Open questions move along e-mail and the hierarchy; executives review ideas.
      5. Today's registrations update their ties' counters (synchronous adoption).
      6. Count the day's stocks into ``out``.
    """
    np.random.seed(seed)
    posts.day_start[day] = posts.total[0]
    n = people.level.shape[0]
    moderate(posts, P, out, day)
    n_registered = 0
    for i in range(n):
        if people.last_visit[i] == day - 7:
            add_to_neighbours(net, people.n_active_ties, i, -1)
        if people.registered_day[i] >= 0 and not people.is_external[i]:
            n_registered += 1

    order = people.order
    for k in range(n - 1, 0, -1):  # Fisher-Yates shuffle in place
        j = np.random.randint(0, k + 1)
        order[k], order[j] = order[j], order[k]
    people.pending[-1] = 0

    for k in range(n):
        i = order[k]
        if people.is_external[i] and not P.partners_open:
            continue
        people.novelty[i] *= P.novelty_decay
        people.feedback[i] *= P.feedback_decay
        people.trust[i] += P.trust_relax * (people.trust0[i] - people.trust[i])
        people.trust[i] -= P.monitoring_trust_drift * P.monitoring * people.trust[i]
        state = people.state[i]
        if state == UNAWARE or state == AWARE:
            registration_step(people, net, P, i, day, n_registered)
        elif state == MEMBER and P.platform_open:
            visited = False
            if people.is_senior[i] and np.random.random() < P.leader_participation:
                visit(people, net, posts, qs, P, out, i, day, True)
                visited = True
            else:
                deg = net.indptr[i + 1] - net.indptr[i] if not net.complete else n - 1
                social = people.n_active_ties[i] / deg if deg > 0 else 0.0
                cost = time_cost(people, P, i)
                score = (P.visit_base + P.visit_usefulness * people.usefulness[i]
                         + P.visit_novelty * people.novelty[i] + P.visit_social * social
                         + P.visit_endorsement * P.management_endorsement * people.trust[i]
                         + P.visit_affinity * people.affinity[i] + P.visit_habit * people.habit[i]
                         - P.visit_time_cost * cost)
                if np.random.random() < logistic(score):
                    visit(people, net, posts, qs, P, out, i, day, False)
                    visited = True
            people.habit[i] += P.habit_rate * ((1.0 if visited else 0.0) - people.habit[i])
            if not visited and day - max(people.last_visit[i], people.engaged_day[i]) > P.churn_days:
                if P.rule == RULE_ESN:
                    people.state[i] = LEFT
        if np.random.random() < P.question_rate:
            ask_question(people, posts, qs, P, out, i, day)
        if np.random.random() < P.idea_rate:
            will = willingness(people, P, i, time_cost(people, P, i))
            new_idea(people, posts, ideas, P, out, i, day, will)

    hierarchy_questions(people, net, posts, qs, P, out, day)
    executive_review(ideas, P, out, day)
    for k in range(people.pending[-1]):
        add_to_neighbours(net, people.n_reg_ties, people.pending[k], 1)
    count_day(people, P, out, day)


@njit(cache=True)
def count_day(people, P, out, day):
    """Count the day's stocks (employees only, except ``n_external_active``)."""
    for i in range(people.level.shape[0]):
        active = people.last_visit[i] >= day - 6
        if people.is_external[i]:
            if active:
                out[N_EXTERNAL_ACTIVE] += 1
            continue
        state = people.state[i]
        out[N_AWARE] += state != UNAWARE
        out[N_REGISTERED] += people.registered_day[i] >= 0
        out[N_MEMBERS] += state == MEMBER
        out[N_LEFT] += state == LEFT
        out[N_ACTIVE] += active
        out[N_CONTRIB] += people.last_contrib[i] >= day - 29
        out[SUM_TRUST] += people.trust[i]
        out[SUM_KNOWN] += people.n_known[i]
