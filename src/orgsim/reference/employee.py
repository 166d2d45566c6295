"""One person of the reference model: a Mesa agent with its own state, and its day (docs/model.md 7.1-7.5, 7.8)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from orgsim.kernels.state import (
    ABUSE,
    AWARE,
    LEADER,
    LEFT,
    MEMBER,
    UNAWARE,
    UPDATE,
    WORK,
    People,
)
from orgsim.mesa_compat import Agent
from orgsim.reference.asking import Asker
from orgsim.reference.reading import Reader
from orgsim.reference.records import Post, Question, logistic

if TYPE_CHECKING:
    from orgsim.reference.model import ReferenceModel


class Employee(Reader, Asker, Agent):
    """One person of the organization, with their own state."""

    def __init__(self, model: ReferenceModel, index: int, people: People):
        super().__init__(model)
        self.index = index
        for field in ("level", "department", "is_external", "is_senior", "is_manager", "is_bad", "trust", "trust0",
                      "time", "affinity", "confidence", "state", "registered_day", "engaged_day", "last_visit",
                      "seen", "last_contrib", "last_liked", "novelty", "habit", "usefulness", "feedback", "n_posts",
                      "n_replies", "restricted", "phi", "kmin"):
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
