"""The executable specification: the ESN rules written the plain Mesa way, slowly and readably.

Every person is an :class:`Employee` agent holding its own state; ``Employee.step()``
is one person's day and :meth:`ReferenceModel.step` is the order of the day, with
``self.agents.shuffle_do("step")`` in the middle. It implements the same rules as
the numba kernel in :mod:`orgsim.kernels` (see ``step_day`` there for the order of
the day); ``tests/test_docking.py`` checks that both give the same distributions of
outcomes (docking, Axtell et al. 1996). When a rule changes, both change.

The initial state (organization, attributes, champions, seeds) is drawn by the
production model's own initializer, so for the same seed both start from the same
organization; only the daily dynamics are written twice.

It is ~100x slower than the kernel: use it to read, to dock and to test, not to study.

Example::

    from orgsim.reference import run_reference
    frame = run_reference(scenario, seed=1)  # the same columns as orgsim.run(...).timeseries
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

import numpy as np
import pandas as pd

from orgsim import kernels as K
from orgsim.mesa_compat import Agent, Model
from orgsim.metrics import timeseries
from orgsim.params import Scenario
from orgsim.simulation import Simulation, department_heads

UNAWARE, AWARE, MEMBER, LEFT = K.UNAWARE, K.AWARE, K.MEMBER, K.LEFT
UPDATE, WORK, QUESTION, ANSWER, IDEA, ABUSE, LEADER = K.UPDATE, K.WORK, K.QUESTION, K.ANSWER, K.IDEA, K.ABUSE, K.LEADER


def logistic(x: float) -> float:
    """The logistic function."""
    return 1.0 / (1.0 + math.exp(-x))


@dataclass(eq=False)
class Question:
    """A work problem: who asked, about what, when, where it is now."""

    asker: Employee
    topic: int
    day: int
    holder: Employee | None  # who handles it in the hierarchy (None: nobody yet)
    via: Employee  # who passed it to the holder; an answer by e-mail or the hierarchy travels back to them
    posted: int = -1  # day it was posted on the platform (-1: not posted)
    open: bool = True


@dataclass(eq=False)
class Post:
    """Something written on the platform."""

    author: Employee
    day: int
    kind: int
    topic: int = 0
    question: Question | None = None  # the question a QUESTION or ANSWER post is about
    score: int = 0  # endorsements
    alive: bool = True  # not removed by moderators
    adopted: bool = False  # an idea that reached enough endorsements


class Employee(Agent):
    """One person of the organization, with their own state."""

    def __init__(self, model: ReferenceModel, index: int, people: K.People):
        super().__init__(model)
        self.index = index
        for field in ("level", "department", "is_external", "is_senior", "is_manager", "is_bad", "trust", "trust0",
                      "time", "affinity", "confidence", "state", "registered_day", "engaged_day", "last_visit",
                      "seen", "last_contrib", "novelty", "habit", "usefulness", "feedback", "n_posts", "n_replies",
                      "restricted", "phi", "kmin"):
            setattr(self, field, getattr(people, field)[index].item())
        self.knowledge = {t for t in range(model.n_topics) if (int(people.knowledge[index]) >> t) & 1}
        self.manager: Employee | None = None  # set once every agent exists
        self.ties: list[Employee] = []  # the organization's network
        self.tie_set: set[Employee] = set()
        self.formal_ties: list[Employee] = []  # manager, reports, teammates (none on the complete network)
        self.reports: list[Employee] = []  # direct reports (among the formal ties)
        self.contacts: dict[Employee, float] = {}  # ties made on the platform, and their strength

    # --- one person's day ------------------------------------------------------------------

    def step(self) -> None:
        """Decay and relax, register or visit (or leave), then maybe a work problem and an idea."""
        m, b, policy = self.model, self.model.b, self.model.policy
        if self.is_external and not policy.partners_open:
            return
        self.novelty *= b.novelty_decay
        self.feedback *= b.feedback_decay
        for other in self.contacts:
            self.contacts[other] *= b.tie_decay
        self.trust += b.trust_relax * (self.trust0 - self.trust)
        self.trust -= b.monitoring_trust_drift * policy.monitoring * self.trust
        if self.state in (UNAWARE, AWARE):
            # nobody joins a closed platform; the classic rules are diffusion alone, platform or not
            if policy.platform_open or m.rule != "esn":
                self.consider_registering()
        elif self.state == MEMBER and policy.platform_open:
            visited = True
            if self.is_senior and self.random.random() < policy.leader_participation:
                self.visit(as_leader=True)
            elif self.random.random() < logistic(self.visit_score()):
                self.visit(as_leader=False)
            else:
                visited = False
            self.habit += b.habit_rate * (float(visited) - self.habit)
            if not visited and m.day - max(self.last_visit, self.engaged_day) > b.churn_days and m.rule == "esn":
                self.state = LEFT
        if self.random.random() < b.question_rate:
            self.ask_question()
        if self.random.random() < b.idea_rate:
            self.new_idea()

    # --- adoption --------------------------------------------------------------------------

    def adopted_ties(self) -> tuple[float, int]:
        """Share and count of one's ties who had registered before today (adoption is synchronous)."""
        m = self.model
        if m.complete:
            count = m.registered_before_today - (1 if self in m.adopted_before_today else 0)
            degree = len(m.people) - 1
        else:
            count = sum(1 for t in self.ties if t in m.adopted_before_today)
            degree = len(self.ties)
        return (count / degree if degree else 0.0), count

    def active_ties(self) -> int:
        """Ties who visited the platform in the last 7 days (the kernel does not track them on the complete network)."""
        week = self.model.day - 6
        return 0 if self.model.complete else sum(t.last_visit >= week for t in self.ties)

    def consider_registering(self) -> None:
        """Bass: hazard p + q x share; threshold: enough adopted ties; esn: word of mouth, then a logistic choice."""
        m, b, reg = self.model, self.model.b, self.model.scenario.registration
        share, count = self.adopted_ties()
        if m.rule == "bass":
            if self.random.random() < reg.bass_p + reg.bass_q * share:
                self.register()
        elif m.rule == "threshold":
            if count >= self.kmin and share >= self.phi:
                self.register()
        elif self.state == UNAWARE:  # invitations by ties who used the platform this week
            inviters = self.active_ties()
            if inviters > 0 and self.random.random() < min(1.0, b.word_of_mouth * inviters):
                self.state = AWARE
        else:
            score = (b.registration_base + b.registration_affinity * self.affinity
                     + b.registration_social * share
                     + b.visit_endorsement * m.policy.management_endorsement * self.trust)
            if self.random.random() < logistic(score):
                self.register()

    def register(self) -> None:
        """Create an account."""
        self.state = MEMBER
        self.registered_day = self.engaged_day = self.model.day
        self.novelty = 1.0
        self.usefulness = self.model.b.initial_usefulness

    # --- visiting --------------------------------------------------------------------------

    def is_active(self) -> bool:
        """Visited in the last 7 days."""
        return self.last_visit >= self.model.day - 6

    def can_write(self) -> bool:
        """A member of the open platform who is not restricted."""
        return self.state == MEMBER and self.model.policy.platform_open and not self.restricted

    def time_cost(self) -> float:
        """Time cost of a visit relative to one's available time."""
        b, policy = self.model.b, self.model.policy
        return b.visit_time * (1.0 - policy.time_allowance) / self.time

    def visit_score(self) -> float:
        """Log-odds of visiting today."""
        b, policy = self.model.b, self.model.policy
        degree = len(self.model.people) - 1 if self.model.complete else len(self.ties)
        active_contacts = sum(c.last_visit >= self.model.day - 6 for c in self.contacts)
        known = degree + len(self.contacts)
        social = (self.active_ties() + active_contacts) / known if known else 0.0
        return (b.visit_base + b.visit_usefulness * self.usefulness + b.visit_novelty * self.novelty
                + b.visit_social * social + b.visit_endorsement * policy.management_endorsement * self.trust
                + b.visit_affinity * self.affinity + b.visit_habit * self.habit - b.visit_time_cost * self.time_cost())

    def post_score(self) -> float:
        """Log-odds of writing a post on a visit: safety, confidence, feedback, 'allowed', monitoring, time."""
        b, policy = self.model.b, self.model.policy
        return (b.post_base + b.post_trust * (self.trust - 0.5) + b.post_confidence * math.log(self.confidence)
                + b.post_feedback * self.feedback + b.post_endorsement * policy.management_endorsement
                - b.post_monitoring * policy.monitoring - b.visit_time_cost * self.time_cost())

    def visit(self, as_leader: bool) -> None:
        """Read the feed, update usefulness, maybe write: a leader's post, abuse, a team message or an update."""
        m, b = self.model, self.model.b
        self.last_visit = m.day
        score = self.post_score()
        value = self.read_feed(score)
        self.usefulness = min(1.0, max(0.0, self.usefulness + b.usefulness_rate * (value - self.usefulness)))
        if self.restricted:
            return
        if as_leader:
            self.write(LEADER)
            m.count["leader_posts"] += 1
        elif self.is_bad and self.random.random() < b.abuse_prob:
            self.write(ABUSE)
            m.count["new_abuse"] += 1
            if self.random.random() < m.policy.monitoring:
                self.restricted = True
        elif self.is_manager and self.random.random() < m.policy.email_replacement * b.work_post_prob:
            self.write(WORK)
        elif self.random.random() < logistic(score):
            self.write(UPDATE)

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
                    and question.topic in self.knowledge and self.random.random() < b.answer_prob * help_will):
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
        post.author.get_feedback()
        self.interact_on_platform(post.author)
        if post.kind == IDEA and not post.adopted and post.score >= m.b.idea_endorsements:
            post.adopted = True
            m.count["ideas_adopted"] += 1
            m.count["sum_idea_latency"] += m.day - post.day

    # --- writing and ties --------------------------------------------------------------------

    def write(self, kind: int, topic: int = 0, question: Question | None = None) -> None:
        """Publish a post and count it as one's post."""
        self.publish(kind, topic, question)
        self.contribute(reply=False)

    def publish(self, kind: int, topic: int = 0, question: Question | None = None) -> None:
        """Put something on the platform, where it enters feeds."""
        self.model.posts.append(Post(self, self.model.day, kind, topic, question))

    def contribute(self, reply: bool) -> None:
        """Count a post, reply or answer by this person."""
        self.last_contrib = self.model.day
        if reply:
            self.n_replies += 1
            self.model.count["new_replies"] += 1
        else:
            self.n_posts += 1
            self.model.count["new_posts"] += 1

    def get_feedback(self) -> None:
        """Someone replied to or endorsed one's post: feedback and confidence grow."""
        self.feedback += 1.0
        self.confidence = min(self.confidence * (1.0 + self.model.b.confidence_gain), 50.0)

    def interact_on_platform(self, other: Employee) -> None:
        """Count the interaction and create or strengthen the platform tie both ways."""
        m = self.model
        m.record_interaction(self, other)
        if m.b.platform_ties == 0:
            return
        new_here, new_there = self.strengthen(other), other.strengthen(self)
        if (new_here or new_there) and not m.is_tie(self, other):
            m.count["new_platform_ties"] += 1
            if self.department != other.department:
                m.count["new_cross_department_ties"] += 1

    def strengthen(self, other: Employee) -> bool:
        """Strengthen the platform tie to ``other``; a new tie replaces the weakest when all slots are used."""
        if other in self.contacts:
            self.contacts[other] += 1.0
            return False
        if len(self.contacts) < self.model.b.platform_ties:
            self.contacts[other] = 1.0
        else:  # the newcomer takes the weakest's slot (the first of equals in slot order, as in the kernel)
            weakest = min(self.contacts, key=self.contacts.get)
            self.contacts = {(other if c is weakest else c): (1.0 if c is weakest else w)
                             for c, w in self.contacts.items()}
        return True

    # --- knowledge: questions and ideas ------------------------------------------------------

    def learn(self, topic: int) -> None:
        """Add a topic to what one knows."""
        self.knowledge.add(topic)

    def ask_question(self) -> None:
        """A work problem on a topic one does not know: ask on the platform, or by e-mail and the hierarchy."""
        m, b = self.model, self.model.b
        topic = None
        for _ in range(4):
            if self.random.random() < b.question_home_share:
                per = max(1, m.n_topics // m.n_departments)
                t = (self.department % m.n_departments + m.n_departments * self.random.randrange(per)) % m.n_topics
            else:
                t = self.random.randrange(m.n_topics)
            if t not in self.knowledge:
                topic = t
                break
        if topic is None:
            return
        on_platform = (self.can_write() and self.is_active()
                       and self.random.random() < logistic(self.post_score() + b.help_ease))
        if not on_platform and self.is_external:
            return
        question = Question(self, topic, m.day, holder=None if on_platform else self.manager, via=self)
        m.questions.append(question)
        m.count["questions_asked"] += 1
        if on_platform:
            m.count["questions_asked_platform"] += 1
            self.post_question(question)

    def post_question(self, question: Question) -> None:
        """Post a question on the platform (the asker, or a manager routing it)."""
        question.posted = self.model.day
        self.write(QUESTION, question.topic, question)

    def answer(self, question: Question, on_platform: bool) -> None:
        """Answer a question: close it and teach the asker."""
        m, asker = self.model, question.asker
        question.open = False
        m.count["questions_answered"] += 1
        m.count["sum_answer_days"] += m.day - question.day
        asker.learn(question.topic)
        if on_platform:
            self.interact_on_platform(asker)
            m.count["questions_answered_platform"] += 1
            self.publish(ANSWER, question.topic, question)
            self.contribute(reply=True)
            self.get_feedback()
            asker.usefulness += m.b.usefulness_rate * (1.0 - asker.usefulness)
        else:
            m.record_interaction(self, question.via)

    def new_idea(self) -> None:
        """An idea: an active member posts it for endorsement, otherwise it queues for executive sign-off."""
        m = self.model
        if self.can_write() and self.is_active():
            if self.random.random() < logistic(self.post_score() + m.b.help_ease):
                self.write(IDEA)
                m.count["ideas_posted"] += 1
                return
        if self.is_external:
            return
        m.idea_queue.append(m.day)
        m.count["ideas_posted"] += 1


class ReferenceModel(Model):
    """The organization as a plain Mesa model: agents with their own state, one day per step.

    Args:
        scenario: a validated :class:`orgsim.params.Scenario`.
        rng: seed of everything random; the initial state equals ``Simulation(scenario, rng=rng)``'s.
    """

    def __init__(self, scenario: Scenario, rng: int | None = None):
        super().__init__(rng=rng)
        initial = Simulation(scenario, rng=rng)
        org, people = initial.org, initial.people
        self.scenario, self.b, self.policy = scenario, scenario.behaviour, scenario.policy.model_copy()
        self.rule, self.complete = scenario.registration.rule, org.complete
        self.n_topics, self.n_departments = scenario.employees.n_topics, org.n_departments
        self.people = [Employee(self, i, people) for i in range(org.n)]
        for person in self.people:
            boss = int(people.manager[person.index])
            person.manager = self.people[boss] if boss >= 0 else None
            if not org.complete:
                person.ties = [self.people[j] for j in org.neighbours(person.index)]
                person.tie_set = set(person.ties)
                formal = org.formal[org.indptr[person.index]:org.indptr[person.index + 1]]
                person.formal_ties = [t for t, f in zip(person.ties, formal, strict=True) if f]
        for person in self.people:
            person.reports = [t for t in person.formal_ties if t.manager is person]
        self.heads = [self.people[h] for h in department_heads(org)]  # each department's top employee below the CEO
        self.events = sorted(scenario.rollout.events, key=lambda e: e.day)
        self.day = 0
        self.posts: list[Post] = []
        self.day_start: list[int] = []  # index in ``posts`` of each day's first post
        self.questions: list[Question] = []  # open questions, oldest first
        self.idea_queue: deque[int] = deque()  # creation days of ideas waiting for executives
        self.exec_budget = 0.0
        self.rows: list[list[float]] = []

    def is_tie(self, a: Employee, b: Employee) -> bool:
        """Whether two people are tied in the organization's network."""
        return a is not b if self.complete else b in a.tie_set

    def record_interaction(self, a: Employee, b: Employee) -> None:
        """Count an interaction (cross-department; skip-level: two or more levels apart)."""
        self.count["n_interactions"] += 1
        self.count["n_cross_department"] += a.department != b.department
        self.count["n_cross_level"] += a.level >= 0 and b.level >= 0 and abs(a.level - b.level) >= 2

    def step(self) -> None:
        """One day: events, moderation, everyone's day in random order, the hierarchy, the executives, counts."""
        self.count = dict.fromkeys(K.COUNTERS, 0.0)
        self.apply_events()
        self.day_start.append(len(self.posts))
        self.moderate()
        registered = [p for p in self.people if p.registered_day >= 0]
        self.adopted_before_today = set(registered)
        self.registered_before_today = sum(not p.is_external for p in registered)
        self.agents.shuffle_do("step")
        self.hierarchy_questions()
        self.executive_review()
        self.count_day()
        self.day += 1

    def apply_events(self) -> None:
        """Today's events: policy changes, then announcements (aware; members and leavers re-engaged if open)."""
        for event in (e for e in self.events if e.day == self.day):
            for name, value in event.set.items():  # first: an event may open the platform and announce it
                setattr(self.policy, name, value)
            if event.announce is not None:
                for p in self.people:
                    if p.is_external or (event.announce != "all" and p.department not in event.announce):
                        continue
                    if p.state == UNAWARE:
                        p.state = AWARE
                    elif p.state in (MEMBER, LEFT) and self.policy.platform_open:
                        p.state, p.novelty, p.engaged_day = MEMBER, 1.0, self.day
            if event.set.get("partners_open"):
                for p in self.people:
                    if p.is_external and p.state == UNAWARE:
                        p.state = AWARE

    def moderate(self) -> None:
        """Moderators remove each abusive post still in the feeds with probability ``moderation``."""
        if self.policy.moderation <= 0:
            return
        for post in self.posts[self.day_start[max(self.day - self.b.feed_window + 1, 0)]:]:
            if post.kind == ABUSE and post.alive and self.random.random() < self.policy.moderation:
                post.alive = False
                self.count["abuse_removed"] += 1

    def hierarchy_questions(self) -> None:
        """Move open questions along e-mail and the hierarchy (see ``kernels.hierarchy_questions``)."""
        b = self.b
        for q in self.questions:
            if not q.open:
                continue
            asker = q.asker
            if self.day - q.day > b.question_ttl:
                q.open = False
                self.count["questions_dropped"] += 1
                continue
            if q.posted >= 0 and self.day - q.posted < b.platform_patience or asker.is_external:
                continue
            if q.holder is None:
                q.holder, q.via = asker.manager, asker
            if asker.formal_ties:  # the asker e-mails a colleague
                colleague = self.random.choice(asker.formal_ties)
                if q.topic in colleague.knowledge and self.random.random() < b.email_reply_prob:
                    colleague.answer(q, on_platform=False)
                    continue
            holder = q.holder
            if holder is None:
                continue
            if self.random.random() >= (b.senior_handle_prob if holder.is_senior else b.manager_handle_prob):
                continue
            if q.topic in holder.knowledge:
                holder.answer(q, on_platform=False)
            elif q.posted < 0 and holder.can_write() and holder.is_active():
                holder.post_question(q)
            else:
                after = self.next_holder(holder, q.topic)
                if after is not None:
                    self.record_interaction(holder, after)
                    q.via, q.holder = holder, after
        self.questions = [q for q in self.questions if q.open]

    def next_holder(self, holder: Employee, topic: int) -> Employee | None:
        """Where a holder who cannot answer passes a question.

        Inside the topic's department, down to a random report (or formal tie); outside it, up to
        one's manager; from a department head or the CEO, across to the head of the topic's department.
        """
        home = topic % self.n_departments
        if holder.department == home and holder.level >= 1:
            below = holder.reports or holder.formal_ties
            return self.random.choice(below) if below else None
        if holder.level >= 2:
            return holder.manager
        return self.heads[home]

    def executive_review(self) -> None:
        """Executives review the oldest queued ideas within their limited time; stale ideas are dropped."""
        b = self.b
        # review time not used is saved up to one idea beyond a day's (the queue was empty)
        self.exec_budget = min(self.exec_budget + b.exec_ideas_per_day, b.exec_ideas_per_day + 1.0)
        while self.idea_queue:
            created = self.idea_queue[0]
            if self.day - created > b.idea_ttl:
                self.idea_queue.popleft()
                continue
            if self.exec_budget < 1.0:
                break
            self.exec_budget -= 1.0
            self.idea_queue.popleft()
            if self.random.random() < b.exec_approval:
                self.count["ideas_adopted"] += 1
                self.count["sum_idea_latency"] += self.day - created

    def count_day(self) -> None:
        """Count the day's stocks (employees only, except ``n_external_active``)."""
        c = self.count
        for p in self.people:
            if p.is_external:
                c["n_external_active"] += p.is_active()
                continue
            c["n_aware"] += p.state != UNAWARE
            c["n_registered"] += p.registered_day >= 0
            c["n_members"] += p.state == MEMBER
            c["n_left"] += p.state == LEFT
            c["n_active_7d"] += p.is_active()
            c["n_contributors_30d"] += p.last_contrib >= self.day - 29
            c["sum_trust"] += p.trust
            c["sum_known"] += len(p.knowledge)
        self.rows.append([c[name] for name in K.COUNTERS])

    @property
    def counters(self) -> np.ndarray:
        """Counters of the days run so far, in the kernel's layout (rows = days)."""
        return np.array(self.rows, dtype=float).reshape(-1, len(K.COUNTERS))


def run_reference(scenario: Scenario, seed: int, days: int | None = None) -> pd.DataFrame:
    """Run the reference model; return the same daily table as :func:`orgsim.runner.run` (one replicate)."""
    model = ReferenceModel(scenario, rng=seed)
    for _ in range(days or scenario.run.days):
        model.step()
    return timeseries(model.counters, scenario.organization.n_employees, scenario.employees.n_topics)
