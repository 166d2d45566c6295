"""Numba kernels: the day's rules as pure functions of arrays.

Everything here is ``@njit(**KERNEL)``: arrays and scalars in, arrays updated
in place, nothing allocated. The only random state is the ``rng`` array (xoshiro256**, see
:func:`next_u64`), seeded at the start of each day from a seed the model draws from its own
``numpy`` generator, so a run is a deterministic function of the scenario and the seed.

The step order is written out in :func:`step_day`; the meaning of every
coefficient is in :mod:`orgsim.params`. The pure-Mesa reference in
:mod:`orgsim.reference` implements the same rules, slowly and readably.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np
from numba import njit

from orgsim.params import Behaviour, Policy

# Options of every kernel. The kernels allocate no arrays, so they are compiled without numba's
# runtime (NRT): no reference counting. With it, every array of every tuple argument costs an
# atomic increment and decrement per call, which profiling put at ~40% of a visit's time;
# without it a top_down year runs ~1.8x faster with identical results (the golden baseline).
# ``_nrt`` is numba's own switch for this (private, but long-standing: numba issues #2345, #2350).
KERNEL = {"cache": True, "_nrt": False}

# Person states
UNAWARE, AWARE, MEMBER, LEFT = 0, 1, 2, 3
# Post kinds
UPDATE, WORK, QUESTION, ANSWER, IDEA, ABUSE, LEADER = 0, 1, 2, 3, 4, 5, 6
# Registration rules
RULE_ESN, RULE_BASS, RULE_THRESHOLD = 0, 1, 2

People = namedtuple(
    "People",
    [
        "level", "department", "manager", "is_external", "is_senior", "is_manager", "is_bad",  # structure
        "trust", "trust0", "time", "affinity", "confidence", "knowledge", "n_known",  # attributes
        "state", "registered_day", "engaged_day", "last_visit", "seen", "last_contrib", "novelty", "habit",  # adoption
        "usefulness", "feedback", "n_posts", "n_replies", "restricted",  # behaviour state
        "contacts", "contact_w",  # platform ties: (n, slots) ids (-1 empty) and strengths
        "n_active_ties", "n_reg_ties", "phi", "kmin",  # neighbourhood counters, thresholds
        "order", "pending", "tie_mark",  # scratch (preallocated once)
    ],
)
Network = namedtuple("Network", ["indptr", "indices", "formal", "heads", "complete"])
# A post is one record, so reading a sampled post from a large feed touches one cache line; it carries its
# author's department and seniority (fixed attributes) for the same reason. ``ref``: the question of a
# question or answer; for an idea, 1 once adopted.
POST = np.dtype([("author", np.int32), ("day", np.int32), ("score", np.int32), ("department", np.int32),
                 ("ref", np.int64), ("topic", np.int16), ("kind", np.int8), ("alive", np.bool_),
                 ("senior", np.bool_)], align=True)
# Posts: a ring buffer of POST records; the total ever posted; where each day's posts begin; and, per slot
# of the ring, the last feed sample that drew it (``drawn``, counted in ``samples``), so none is drawn twice
Posts = namedtuple("Posts", ["ring", "total", "day_start", "drawn", "samples"])
# Questions: a ring buffer pool; ``post_index`` lists the global post index of every question posted on the
# platform, in order (``n_posted`` of them), so readers scan new questions without scanning all new posts.
Questions = namedtuple("Questions", ["asker", "topic", "day", "holder", "via", "posted", "open", "total",
                                     "post_index", "n_posted"])
IdeaQueue = namedtuple("IdeaQueue", ["day", "head", "tail", "budget"])
# The scalars: behaviour and the current policy (orgsim.params, by name), the registration rule and constants
KernelParams = namedtuple("KernelParams", [*Behaviour.model_fields, *Policy.model_fields,
                                           "rule", "bass_p", "bass_q", "n_topics", "n_departments", "n_employees"])

# Daily output counters written by the kernel, in this order (see orgsim.metrics for derived columns)
COUNTERS = (
    "n_aware", "n_registered", "n_members", "n_left", "n_active_7d", "n_contributors_30d",
    "new_posts", "new_replies", "new_endorsements", "new_abuse", "abuse_removed",
    "sum_trust", "n_interactions", "n_cross_department", "n_cross_level",
    "questions_asked", "questions_asked_platform", "questions_answered", "questions_answered_platform",
    "sum_answer_days", "questions_dropped", "ideas_posted", "ideas_adopted", "sum_idea_latency",
    "sum_known", "n_external_active", "leader_posts", "new_platform_ties", "new_cross_department_ties",
)
C = {name: i for i, name in enumerate(COUNTERS)}
(N_AWARE, N_REGISTERED, N_MEMBERS, N_LEFT, N_ACTIVE, N_CONTRIB, NEW_POSTS, NEW_REPLIES, NEW_ENDORSE,
 NEW_ABUSE, ABUSE_REMOVED, SUM_TRUST, N_INTER, N_CROSS_DEPT, N_CROSS_LEVEL, Q_ASKED, Q_ASKED_PLATFORM,
 Q_ANSWERED, Q_ANSWERED_PLATFORM, SUM_ANSWER_DAYS, Q_DROPPED, IDEAS_POSTED, IDEAS_ADOPTED,
 SUM_IDEA_LATENCY, SUM_KNOWN, N_EXTERNAL_ACTIVE, LEADER_POSTS, NEW_TIES, NEW_CROSS_DEPT_TIES) = range(len(COUNTERS))


@njit(**KERNEL, inline="always")
def logistic(x):
    """The logistic function."""
    return 1.0 / (1.0 + np.exp(-x))


# Random numbers: xoshiro256** (Blackman & Vigna 2021, ACM TOMS 47(4):36), its state a uint64[4]
# array the model owns, seeded each day by splitmix64 from a seed the model draws from its numpy
# generator. Inlined into the kernels a draw costs ~2 ns; numba's np.random costs ~15 ns (a
# thread-local state lookup on every call), which made drawing most of a visit's time.


@njit(**KERNEL, inline="always")
def rotl(x, k):
    """Rotate the 64-bit word ``x`` left by ``k`` bits."""
    return (x << np.uint64(k)) | (x >> np.uint64(64 - k))


@njit(**KERNEL)
def seed_rng(rng, seed):
    """Fill the generator state ``rng`` (uint64[4]) from ``seed`` with splitmix64, as xoshiro's authors advise."""
    z = np.uint64(seed)
    for k in range(4):
        z += np.uint64(0x9E3779B97F4A7C15)
        x = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        rng[k] = x ^ (x >> np.uint64(31))


@njit(**KERNEL, inline="always")
def next_u64(rng):
    """The next 64 random bits of xoshiro256**."""
    s0, s1, s2, s3 = rng[0], rng[1], rng[2], rng[3]
    result = rotl(s1 * np.uint64(5), 7) * np.uint64(9)
    t = s1 << np.uint64(17)
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    rng[0], rng[1], rng[2], rng[3] = s0, s1, s2, rotl(s3, 45)
    return result


@njit(**KERNEL, inline="always")
def uniform(rng):
    """A uniform draw in [0, 1) with 53 random bits."""
    return (next_u64(rng) >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@njit(**KERNEL, inline="always")
def randint(rng, lo, hi):
    """A uniform integer in [lo, hi)."""
    return lo + int(uniform(rng) * (hi - lo))


@njit(**KERNEL, inline="always")
def knows(knowledge, i, topic):
    """Whether person ``i`` knows ``topic`` (``knowledge`` is the bit-set array)."""
    return (knowledge[i] >> topic) & 1 == 1


@njit(**KERNEL, inline="always")
def learn(people, i, topic):
    """Person ``i`` learns ``topic`` (no-op if known)."""
    if not knows(people.knowledge, i, topic):
        people.knowledge[i] |= np.int64(1) << topic
        people.n_known[i] += 1


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
        out[NEW_TIES] += 1
        if people.department[i] != people.department[j]:
            out[NEW_CROSS_DEPT_TIES] += 1


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
    out[N_INTER] += 1
    if people.department[i] != people.department[j]:
        out[N_CROSS_DEPT] += 1
    li, lj = people.level[i], people.level[j]
    if li >= 0 and lj >= 0 and abs(li - lj) >= 2:
        out[N_CROSS_LEVEL] += 1


@njit(**KERNEL, inline="always")
def contribute(people, out, i, day, is_reply):
    """Person ``i`` wrote something (a post, reply or answer)."""
    people.last_contrib[i] = day
    if is_reply:
        people.n_replies[i] += 1
        out[NEW_REPLIES] += 1
    else:
        people.n_posts[i] += 1
        out[NEW_POSTS] += 1


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
def give_feedback(people, P, author):
    """The author of a post received a reply or an endorsement: feedback and confidence grow."""
    people.feedback[author] += 1.0
    people.confidence[author] = min(people.confidence[author] * (1.0 + P.confidence_gain), 50.0)


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


@njit(**KERNEL)
def answer_question(people, net, posts, qs, P, out, reader, qg, day, on_platform):
    """``reader`` answers question ``qg``: close it, teach the asker, count it."""
    qs_slot = qg % qs.asker.shape[0]
    asker = qs.asker[qs_slot]
    topic = qs.topic[qs_slot]
    qs.open[qs_slot] = False
    out[Q_ANSWERED] += 1
    out[SUM_ANSWER_DAYS] += day - qs.day[qs_slot]
    learn(people, asker, topic)
    if on_platform:
        platform_interaction(people, net, out, reader, asker)
        out[Q_ANSWERED_PLATFORM] += 1
        new_post(people, posts, reader, day, ANSWER, topic, qg)
        contribute(people, out, reader, day, True)
        give_feedback(people, P, reader)
        people.usefulness[asker] += P.usefulness_rate * (1.0 - people.usefulness[asker])
    else:
        record_interaction(people, out, reader, qs.via[qs_slot])


@njit(**KERNEL, inline="always")
def first_question_post(index, n_posted, start):
    """Position in the question-post index of the first question posted at global post index ``start`` or later."""
    lo, hi = max(0, n_posted - index.shape[0]), n_posted
    while lo < hi:
        mid = (lo + hi) // 2
        if index[slot(index, mid)] < start:
            lo = mid + 1
        else:
            hi = mid
    return lo


@njit(**KERNEL, inline="always")
def random_formal_tie(net, i, rng):
    """A random formal tie (manager, report, teammate) of ``i``, or -1 if none."""
    if net.complete:
        return -1
    n_formal = 0
    for k in range(net.indptr[i], net.indptr[i + 1]):
        n_formal += net.formal[k]
    if n_formal == 0:
        return -1
    pick = randint(rng, 0, n_formal)
    for k in range(net.indptr[i], net.indptr[i + 1]):
        if net.formal[k]:
            if pick == 0:
                return net.indices[k]
            pick -= 1
    return -1


@njit(**KERNEL, inline="always")
def draw_new_post(posts, start, n, sample, rng):
    """A random one of the ``n`` posts from global index ``start`` that feed sample ``sample`` has not drawn.

    Redrawn until new, then marked: successive draws are a uniform random ordered sample without replacement.
    """
    drawn = posts.drawn
    while True:
        g = start + randint(rng, 0, n)
        s = slot(drawn, g)
        if drawn[s] != sample:
            drawn[s] = sample
            return g


@njit(**KERNEL, inline="always")
def read_feed(people, net, posts, qs, P, out, i, day, score, rng):
    """Answer new questions on one's topics; read up to ``feed_size`` other new posts; return the value in [-1, 1].

    New posts are those written since the reader's last visit (``people.seen``), within ``feed_window`` days.
    Every new open question on a topic the reader knows is shown (topic groups) and answered
    with probability ``answer_prob * logistic(score + help_ease)``.

    ``score`` is the reader's posting log-odds: endorsing uses ``max(willingness, post_floor)``,
    replying and answering ``logistic(score + help_ease)``; a restricted member does not write.

    The candidates are all new posts, newest first, when there are at most ``3 * feed_size``
    of them, otherwise ``3 * feed_size`` distinct new posts in random order (:func:`draw_new_post`);
    each is accepted with probability ``feed_base + feed_popularity * min(score, 10) / 10``
    (+ ``feed_department`` for one's department, ``feed_leader`` for leaders, ``feed_tie`` for a
    tie or platform tie).
    """
    ring = posts.ring
    cap = ring.shape[0]
    end = posts.total[0]
    start = max(people.seen[i], posts.day_start[max(day - P.feed_window + 1, 0)], end - cap)
    people.seen[i] = end
    n_new = end - start
    if n_new <= 0:
        return 0.0
    value = 0.0
    help_will = 0.0 if people.restricted[i] else logistic(score + P.help_ease)
    like_will = max(logistic(score), P.post_floor)
    knowledge, department, tie_mark, complete = people.knowledge, people.department, people.tie_mark, net.complete
    # topic groups: every new question (the index is as long as the ring, so it holds every question in it)
    index, n_posted, q_asker, q_open, q_total = qs.post_index, qs.n_posted[0], qs.asker, qs.open, qs.total[0]
    q_cap = q_asker.shape[0]
    for k in range(first_question_post(index, n_posted, start), n_posted):
        question = ring[slot(ring, index[slot(index, k)])]
        if question.author == i or not knows(knowledge, i, question.topic):
            continue
        qg = question.ref
        if qg < q_total - q_cap or not q_open[qg % q_cap] or q_asker[qg % q_cap] == i:  # not open, or one's own
            continue
        if uniform(rng) < P.answer_prob * help_will:
            answer_question(people, net, posts, qs, P, out, i, qg, day, True)
            value += 1.0
    n_try = 3 * P.feed_size
    sample_id = 0  # > 0: this visit samples the new posts (more than it can try), as sample number sample_id
    if n_new > n_try:
        sample_id = posts.samples[0] + 1
        posts.samples[0] = sample_id
    read = 0
    stamp = mark_ties(people, net, i)  # again whenever i's platform ties change
    for t in range(min(n_new, n_try)):
        if read >= P.feed_size:
            break
        g = draw_new_post(posts, start, n_new, sample_id, rng) if sample_id else end - 1 - t
        post = ring[slot(ring, g)]
        a = post.author
        if a == i or not post.alive:
            continue
        kind = post.kind
        if kind == QUESTION:
            continue
        accept = (P.feed_base + P.feed_popularity * min(post.score, 10) / 10.0
                  + (P.feed_department if post.department == department[i] else 0.0)
                  + (P.feed_leader if post.senior else 0.0))
        u = uniform(rng)
        # accepted if u < accept, or u < accept + feed_tie for a tie (on the complete network, everyone);
        # written without branches (& and |): a random accept/reject costs one mispredicted branch, not three
        tie = complete | (tie_mark[a] == stamp)
        if not ((u < accept) | (tie & (u < accept + P.feed_tie))):
            continue
        read += 1
        useful = False
        if kind == ABUSE:
            people.trust[i] = max(0.0, people.trust[i] - P.abuse_trust_hit)
            value -= 1.0
            continue
        if kind == ANSWER:
            if not knows(knowledge, i, post.topic) and uniform(rng) < P.learn_prob:
                learn(people, i, post.topic)
                useful = True
        elif kind == LEADER:
            people.trust[i] += P.leader_trust_gain * (1.0 - people.trust[i])
            useful = uniform(rng) < P.value_work
        elif kind == WORK:
            useful = uniform(rng) < P.value_work
        elif kind == IDEA:
            useful = uniform(rng) < P.value_idea
        else:  # UPDATE
            useful = uniform(rng) < P.value_update
        if not useful:
            continue
        value += 1.0
        if uniform(rng) < P.endorse_prob * like_will:
            post.score += 1
            out[NEW_ENDORSE] += 1
            give_feedback(people, P, a)
            platform_interaction(people, net, out, i, a)
            stamp = mark_ties(people, net, i)
            if kind == IDEA and post.ref == 0 and post.score >= P.idea_endorsements:
                post.ref = 1
                out[IDEAS_ADOPTED] += 1
                out[SUM_IDEA_LATENCY] += day - post.day
        if uniform(rng) < P.reply_prob * help_will:
            contribute(people, out, i, day, True)
            give_feedback(people, P, a)
            platform_interaction(people, net, out, i, a)
            stamp = mark_ties(people, net, i)
    return max(-1.0, min(1.0, value / P.feed_size))


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
        out[LEADER_POSTS] += 1
        return
    if people.is_bad[i] and uniform(rng) < P.abuse_prob:
        new_post(people, posts, i, day, ABUSE, 0, 0)
        contribute(people, out, i, day, False)
        out[NEW_ABUSE] += 1
        if uniform(rng) < P.monitoring:
            people.restricted[i] = True
        return
    if people.is_manager[i] and uniform(rng) < P.email_replacement * P.work_post_prob:
        new_post(people, posts, i, day, WORK, 0, 0)
        contribute(people, out, i, day, False)
    elif uniform(rng) < logistic(score):
        new_post(people, posts, i, day, UPDATE, 0, 0)
        contribute(people, out, i, day, False)


@njit(**KERNEL)
def post_question(people, posts, qs, out, author, g, day):
    """``author`` posts question ``g`` on the platform (the asker, or a manager routing it)."""
    s = g % qs.asker.shape[0]
    qs.posted[s] = day
    g_post = new_post(people, posts, author, day, QUESTION, qs.topic[s], g)
    qs.post_index[slot(qs.post_index, qs.n_posted[0])] = g_post
    qs.n_posted[0] += 1
    contribute(people, out, author, day, False)


@njit(**KERNEL)
def ask_question(people, posts, qs, P, out, i, day, rng):
    """A work problem arises for ``i``: ask on the platform or through e-mail and the hierarchy.

    An active member asks on the platform with probability ``logistic(post score + help_ease)``;
    otherwise the question goes by e-mail and up the hierarchy (see :func:`hierarchy_questions`).
    """
    n_topics = P.n_topics
    topic = -1
    for _ in range(4):
        if uniform(rng) < P.question_home_share:
            per = max(1, n_topics // P.n_departments)
            t = (people.department[i] % P.n_departments) + P.n_departments * randint(rng, 0, per)
            t = t % n_topics
        else:
            t = randint(rng, 0, n_topics)
        if not knows(people.knowledge, i, t):
            topic = t
            break
    if topic < 0:
        return
    on_platform = False
    if can_write(people, P, i) and is_active(people, i, day):
        on_platform = uniform(rng) < logistic(post_score(people, P, i) + P.help_ease)
    if not on_platform and people.is_external[i]:
        return
    g = qs.total[0]
    s = g % qs.asker.shape[0]
    if qs.open[s]:
        out[Q_DROPPED] += 1  # pool full: the oldest open question is dropped
    qs.asker[s] = i
    qs.topic[s] = topic
    qs.day[s] = day
    qs.posted[s] = -1
    qs.holder[s] = -1 if on_platform else people.manager[i]
    qs.via[s] = i
    qs.open[s] = True
    qs.total[0] = g + 1
    out[Q_ASKED] += 1
    if on_platform:
        out[Q_ASKED_PLATFORM] += 1
        post_question(people, posts, qs, out, i, g, day)


@njit(**KERNEL)
def random_report(people, net, h, rng):
    """A random direct report of ``h``; without reports, a random formal tie; -1 if none."""
    if net.complete:
        return -1
    n_reports = 0
    for k in range(net.indptr[h], net.indptr[h + 1]):
        if net.formal[k] and people.manager[net.indices[k]] == h:
            n_reports += 1
    if n_reports == 0:
        return random_formal_tie(net, h, rng)
    pick = randint(rng, 0, n_reports)
    for k in range(net.indptr[h], net.indptr[h + 1]):
        j = net.indices[k]
        if net.formal[k] and people.manager[j] == h:
            if pick == 0:
                return j
            pick -= 1
    return -1


@njit(**KERNEL)
def next_holder(people, net, P, h, topic, rng):
    """Where holder ``h`` passes a question they cannot answer.

    Up the chain to the department head, across to the head of the topic's department, then
    down to random reports.
    """
    home = topic % P.n_departments
    if people.department[h] == home and people.level[h] >= 1:
        return random_report(people, net, h, rng)
    if people.level[h] >= 2:
        return people.manager[h]
    return net.heads[home]


@njit(**KERNEL)
def hierarchy_questions(people, net, posts, qs, P, out, day, rng):
    """Move open questions along e-mail and the hierarchy; drop those past their time to live.

    A question posted on the platform waits ``platform_patience`` days, then goes to the
    asker's manager. Each day the asker e-mails one random formal tie (manager, report,
    teammate), who answers with ``email_reply_prob`` if they know. The holder handles it
    with ``manager_handle_prob`` (senior: ``senior_handle_prob``): answers if they know
    (the answer travels back to whoever passed the question); otherwise, if the holder is an
    active member and the question is not on the platform yet, posts it there; otherwise
    passes it on (:func:`next_holder`). Every hand-over is an interaction.
    """
    cap = qs.asker.shape[0]
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
        if qs.posted[s] >= 0 and day - qs.posted[s] < P.platform_patience:
            continue
        if people.is_external[asker]:
            continue
        if qs.holder[s] == -1:
            qs.holder[s] = people.manager[asker]
            qs.via[s] = asker
        j = random_formal_tie(net, asker, rng)
        if j >= 0 and knows(people.knowledge, j, topic) and uniform(rng) < P.email_reply_prob:
            answer_question(people, net, posts, qs, P, out, j, g, day, False)
            continue
        h = qs.holder[s]
        if h < 0:
            continue
        p_handle = P.senior_handle_prob if people.is_senior[h] else P.manager_handle_prob
        if uniform(rng) >= p_handle:
            continue
        if knows(people.knowledge, h, topic):
            answer_question(people, net, posts, qs, P, out, h, g, day, False)
        elif qs.posted[s] < 0 and can_write(people, P, h) and is_active(people, h, day):
            post_question(people, posts, qs, out, h, g, day)
        else:
            nxt = next_holder(people, net, P, h, topic, rng)
            if nxt >= 0:
                record_interaction(people, out, h, nxt)
                qs.via[s] = h
                qs.holder[s] = nxt


@njit(**KERNEL)
def new_idea(people, posts, ideas, P, out, i, day, rng):
    """An idea arises for ``i``: posted for colleagues to endorse, or queued for executive sign-off.

    An active member who may write posts it with probability ``logistic(post score + help_ease)``.
    """
    if can_write(people, P, i) and is_active(people, i, day):
        if uniform(rng) < logistic(post_score(people, P, i) + P.help_ease):
            new_post(people, posts, i, day, IDEA, 0, 0)
            contribute(people, out, i, day, False)
            out[IDEAS_POSTED] += 1
            return
    if people.is_external[i]:
        return
    out[IDEAS_POSTED] += 1
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
            out[IDEAS_ADOPTED] += 1
            out[SUM_IDEA_LATENCY] += day - created


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
            out[ABUSE_REMOVED] += 1


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
    # local names for the arrays of the per-person loop
    novelty, feedback, habit, usefulness = people.novelty, people.feedback, people.habit, people.usefulness
    trust, trust0, affinity, time = people.trust, people.trust0, people.affinity, people.time
    state_, is_senior, engaged_day = people.state, people.is_senior, people.engaged_day
    contacts, contact_w = people.contacts, people.contact_w
    indptr = net.indptr
    slots = contacts.shape[1]
    monitoring_drift = P.monitoring_trust_drift * P.monitoring
    endorsement = P.visit_endorsement * P.management_endorsement
    cost_factor = P.visit_time_cost * P.visit_time * (1.0 - P.time_allowance)

    for k in range(n):
        i = order[k]
        if is_external[i] and not P.partners_open:
            continue
        novelty[i] *= P.novelty_decay
        feedback[i] *= P.feedback_decay
        for c in range(slots):
            contact_w[i, c] *= P.tie_decay
        trust[i] += P.trust_relax * (trust0[i] - trust[i])
        trust[i] -= monitoring_drift * trust[i]
        state = state_[i]
        # unaware without an inviter: nothing to do, the call is skipped
        if state == AWARE or (state == UNAWARE and (n_active_ties[i] > 0 or P.rule != RULE_ESN)):
            # nobody joins a closed platform; the classic rules are diffusion alone, platform or not
            if P.platform_open or P.rule != RULE_ESN:
                registration_step(people, net, P, i, day, n_registered, rng)
        elif state == MEMBER and P.platform_open:
            leader_visit = is_senior[i] and uniform(rng) < P.leader_participation
            visited = leader_visit
            if not leader_visit:
                # social influence: share of one's ties and platform ties active this week
                deg = indptr[i + 1] - indptr[i] if not net.complete else n - 1
                n_contacts, n_active = 0, n_active_ties[i]
                for c in range(slots):
                    j = contacts[i, c]
                    if j >= 0:
                        n_contacts += 1
                        if last_visit[j] >= day - 6:
                            n_active += 1
                social = n_active / (deg + n_contacts) if deg + n_contacts > 0 else 0.0
                score = (P.visit_base + P.visit_usefulness * usefulness[i] + P.visit_novelty * novelty[i]
                         + P.visit_social * social + endorsement * trust[i] + P.visit_affinity * affinity[i]
                         + P.visit_habit * habit[i] - cost_factor / time[i])
                visited = uniform(rng) < logistic(score)
            if visited:  # one call site: visit is inlined
                visit(people, net, posts, qs, P, out, i, day, leader_visit, rng)
            habit[i] += P.habit_rate * ((1.0 if visited else 0.0) - habit[i])
            if not visited and day - max(last_visit[i], engaged_day[i]) > P.churn_days:
                if P.rule == RULE_ESN:
                    state_[i] = LEFT
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
    registered_day, last_contrib = people.registered_day, people.last_contrib
    trust, n_known = people.trust, people.n_known
    for i in range(last_visit.shape[0]):
        active = last_visit[i] >= day - 6
        if is_external[i]:
            if active:
                out[N_EXTERNAL_ACTIVE] += 1
            continue
        state = state_[i]
        out[N_AWARE] += state != UNAWARE
        out[N_REGISTERED] += registered_day[i] >= 0
        out[N_MEMBERS] += state == MEMBER
        out[N_LEFT] += state == LEFT
        out[N_ACTIVE] += active
        out[N_CONTRIB] += last_contrib[i] >= day - 29
        out[SUM_TRUST] += trust[i]
        out[SUM_KNOWN] += n_known[i]
