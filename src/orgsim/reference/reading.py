"""A visit's reading of the feed (docs/model.md 7.4), written the plain way."""

from __future__ import annotations

from typing import TYPE_CHECKING

from orgsim.kernels.state import (
    ABUSE,
    ANSWER,
    IDEA,
    LEADER,
    QUESTION,
    UPDATE,
    WORK,
)
from orgsim.reference.records import Post, logistic

if TYPE_CHECKING:
    from orgsim.reference.model import ReferenceModel


class Reader:
    """The feed part of :class:`orgsim.reference.Employee`."""

    model: ReferenceModel

    def read_feed(self, score: float) -> float:
        """Answer new questions on one's topics, read up to ``feed_size`` other new posts; return the value in [-1, 1].

        New posts: those written since one's last visit (``seen``), within ``feed_window`` days.
        Topic groups: every new open question on a topic one knows (not one's own) is shown and
        answered with probability ``answer_prob * logistic(score + help_ease)``.
        Reading: every new post, newest first, if there are at most ``3 * feed_size``, otherwise
        ``3 * feed_size`` distinct new posts in random order; questions are not read there. Endorsing uses
        ``max(willingness, post_floor)``, replying ``logistic(score + help_ease)``; a restricted
        member does not write.
        """
        m, b = self.model, self.model.b
        first = max(self.seen, m.day_start[max(m.day - b.feed_window + 1, 0)])
        new = m.posts[first:]
        self.seen = len(m.posts)
        help_will = 0.0 if self.restricted else logistic(score + b.help_ease)
        like_will = max(logistic(score), b.post_floor)
        value, read = 0.0, 0
        for post in new:  # topic groups, oldest first
            question = post.question
            if (post.kind == QUESTION and post.author is not self and question.asker is not self and question.open
                    and question.topic in self.knowledge):
                m.count["new_reads"] += 1  # shown in the topic group
                if self.random.random() < b.answer_prob * help_will:
                    self.answer(question, on_platform=True)
                    value += 1.0
        tries = 3 * b.feed_size
        if len(new) > tries:
            candidates = self.random.sample(new, tries)  # distinct posts, in random order
        else:
            candidates = new[::-1]
        for post in candidates:
            if read >= b.feed_size:
                break
            author = post.author
            if author is self or not post.alive or post.kind == QUESTION:
                continue
            accept = (b.feed_base + b.feed_popularity * min(post.score, 10) / 10.0
                      + (b.feed_department if author.department == self.department else 0.0)
                      + (b.feed_leader if author.is_senior else 0.0))
            if accept < 1.0 and (m.is_tie(self, author) or author in self.contacts):
                accept += b.feed_tie
            if self.random.random() >= accept:
                continue
            read += 1
            m.count["new_reads"] += 1
            if post.kind == ABUSE:
                self.trust = max(0.0, self.trust - b.abuse_trust_hit)
                value -= 1.0
                continue
            if post.kind == ANSWER:
                useful = post.topic not in self.knowledge and self.random.random() < b.learn_prob
                if useful:
                    self.learn(post.topic)
            elif post.kind == LEADER:
                self.trust += b.leader_trust_gain * (1.0 - self.trust)
                useful = self.random.random() < b.value_work
            else:
                chance = {WORK: b.value_work, IDEA: b.value_idea, UPDATE: b.value_update}[post.kind]
                useful = self.random.random() < chance
            if not useful:
                continue
            value += 1.0
            if self.random.random() < b.endorse_prob * like_will:
                self.endorse(post)
            if self.random.random() < b.reply_prob * help_will:
                self.contribute(reply=True)
                author.get_feedback()
                self.interact_on_platform(author)
        return max(-1.0, min(1.0, value / b.feed_size))

    def endorse(self, post: Post) -> None:
        """Like a post; an idea with enough endorsements is adopted."""
        m = self.model
        post.score += 1
        m.count["new_endorsements"] += 1
        self.last_liked = m.day
        post.author.get_feedback()
        self.interact_on_platform(post.author)
        if post.kind == IDEA and not post.adopted and post.score >= m.b.idea_endorsements:
            post.adopted = True
            m.count["ideas_adopted"] += 1
            m.count["sum_idea_latency"] += m.day - post.day

    # --- writing and ties --------------------------------------------------------------------
