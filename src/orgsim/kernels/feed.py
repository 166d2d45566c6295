"""The feed (docs/model.md 7.4): what a visit reads, endorses, replies to and answers."""

from __future__ import annotations

from numba import njit

from orgsim.kernels.contributions import contribute, give_feedback, slot
from orgsim.kernels.jit import KERNEL, logistic
from orgsim.kernels.questions import answer_question, knows, learn
from orgsim.kernels.rng import randint, uniform
from orgsim.kernels.state import ABUSE, ANSWER, IDEA, LEADER, QUESTION, WORK, Out
from orgsim.kernels.ties import mark_ties, platform_interaction
from orgsim.kernels.trust import read_abuse, read_leader_post


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
        out[Out.new_reads] += 1  # shown in the topic group
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
        out[Out.new_reads] += 1
        useful = False
        if kind == ABUSE:
            read_abuse(people, P, i)
            value -= 1.0
            continue
        if kind == ANSWER:
            if not knows(knowledge, i, post.topic) and uniform(rng) < P.learn_prob:
                learn(people, i, post.topic)
                useful = True
        elif kind == LEADER:
            read_leader_post(people, P, i)
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
            out[Out.new_endorsements] += 1
            people.last_liked[i] = day
            give_feedback(people, P, a)
            platform_interaction(people, net, out, i, a)
            stamp = mark_ties(people, net, i)
            if kind == IDEA and post.ref == 0 and post.score >= P.idea_endorsements:
                post.ref = 1
                out[Out.ideas_adopted] += 1
                out[Out.sum_idea_latency] += day - post.day
        if uniform(rng) < P.reply_prob * help_will:
            contribute(people, out, i, day, True)
            give_feedback(people, P, a)
            platform_interaction(people, net, out, i, a)
            stamp = mark_ties(people, net, i)
    return max(-1.0, min(1.0, value / P.feed_size))
