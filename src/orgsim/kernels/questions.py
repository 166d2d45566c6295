"""Knowledge and questions (docs/model.md 7.6): asked on the platform or by e-mail and the hierarchy."""

from __future__ import annotations

import numpy as np
from numba import njit

from orgsim.kernels.contributions import can_write, contribute, give_feedback, is_active, new_post, post_score, slot
from orgsim.kernels.jit import KERNEL, logistic
from orgsim.kernels.rng import randint, uniform
from orgsim.kernels.state import ANSWER, QUESTION, Out
from orgsim.kernels.ties import platform_interaction, record_interaction


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


@njit(**KERNEL)
def answer_question(people, net, posts, qs, P, out, reader, qg, day, on_platform):
    """``reader`` answers question ``qg``: close it, teach the asker, count it."""
    qs_slot = qg % qs.asker.shape[0]
    asker = qs.asker[qs_slot]
    topic = qs.topic[qs_slot]
    qs.open[qs_slot] = False
    out[Out.questions_answered] += 1
    out[Out.sum_answer_days] += day - qs.day[qs_slot]
    learn(people, asker, topic)
    if on_platform:
        platform_interaction(people, net, out, reader, asker)
        out[Out.questions_answered_platform] += 1
        new_post(people, posts, reader, day, ANSWER, topic, qg)
        contribute(people, out, reader, day, True)
        give_feedback(people, P, reader)
        people.usefulness[asker] += P.usefulness_rate * (1.0 - people.usefulness[asker])
    else:
        record_interaction(people, out, reader, qs.via[qs_slot])


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
        out[Out.questions_dropped] += 1  # pool full: the oldest open question is dropped
    qs.asker[s] = i
    qs.topic[s] = topic
    qs.day[s] = day
    qs.posted[s] = -1
    qs.holder[s] = -1 if on_platform else people.manager[i]
    qs.via[s] = i
    qs.open[s] = True
    qs.total[0] = g + 1
    out[Out.questions_asked] += 1
    if on_platform:
        out[Out.questions_asked_platform] += 1
        post_question(people, posts, qs, out, i, g, day)


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
            out[Out.questions_dropped] += 1
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
