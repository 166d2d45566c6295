"""The reference model: the order of the day, the hierarchy and the executives, written the plain Mesa way."""

from __future__ import annotations

from collections import deque

import pandas as pd

from orgsim.engine import Engine
from orgsim.kernels.state import (
    ABUSE,
    AWARE,
    LEFT,
    MEMBER,
    UNAWARE,
)
from orgsim.mesa_compat import Model
from orgsim.metrics import timeseries
from orgsim.params import Scenario
from orgsim.population import department_heads
from orgsim.reference.employee import Employee
from orgsim.reference.records import DayCounts, Post, Question
from orgsim.simulation import Simulation


class ReferenceModel(Engine, Model):
    """The organization as a plain Mesa model: agents with their own state, one day per step.

    Args:
        scenario: a validated :class:`orgsim.params.Scenario`.
        rng: seed of everything random; the initial state equals ``Simulation(scenario, rng=rng)``'s.
    """

    def __init__(self, scenario: Scenario, rng: int | None = None):
        Model.__init__(self, rng=rng)
        Engine.__init__(self, scenario)
        initial = Simulation(scenario, rng=rng)
        org, people = initial.org, initial.people
        self.b = scenario.behaviour
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
        self.posts: list[Post] = []
        self.day_start: list[int] = []  # index in ``posts`` of each day's first post
        self.questions: list[Question] = []  # open questions, oldest first
        self.idea_queue: deque[int] = deque()  # creation days of ideas waiting for executives
        self.exec_budget = 0.0

    def is_tie(self, a: Employee, b: Employee) -> bool:
        """Whether two people are tied in the organization's network."""
        return a is not b if self.complete else b in a.tie_set

    def record_interaction(self, a: Employee, b: Employee) -> None:
        """Count an interaction (cross-department; skip-level: two or more levels apart)."""
        self.count["n_interactions"] += 1
        self.count["n_cross_department"] += a.department != b.department
        self.count["n_cross_level"] += a.level >= 0 and b.level >= 0 and abs(a.level - b.level) >= 2

    def _run(self, days: int) -> None:
        """Each day: moderation, everyone's day in random order, the hierarchy, the executives, counts."""
        start = self.day
        for day in range(start, start + days):
            self.day = day
            self.count = DayCounts(self.out[day])
            self.day_start.append(len(self.posts))
            self.moderate()
            registered = [p for p in self.people if p.registered_day >= 0]
            self.adopted_before_today = set(registered)
            self.registered_before_today = sum(not p.is_external for p in registered)
            self.agents.shuffle_do("step")
            self.hierarchy_questions()
            self.executive_review()
            self.count_day()
        self.day = start  # Engine._advance moves past the days run

    def announce(self, departments: list[int] | None) -> None:
        """Make a set of departments (``None``: everyone) aware; re-engage members and leavers there if it is open."""
        for p in self.people:
            if p.is_external or (departments is not None and p.department not in departments):
                continue
            if p.state == UNAWARE:
                p.state = AWARE
            elif p.state in (MEMBER, LEFT) and self.policy.platform_open:
                p.state, p.novelty, p.engaged_day = MEMBER, 1.0, self.day

    def open_to_partners(self) -> None:
        """Externals who have not heard of the platform become aware."""
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
            c["n_readers"] += p.last_visit == self.day
            c["n_posters"] += p.last_contrib == self.day
            c["n_likers"] += p.last_liked == self.day
            c["sum_trust"] += p.trust
            c["sum_known"] += len(p.knowledge)


def run_reference(scenario: Scenario, seed: int, days: int | None = None) -> pd.DataFrame:
    """Run the reference model; return the same daily table as :func:`orgsim.runner.run` (one replicate)."""
    model = ReferenceModel(scenario, rng=seed)
    model.run_days(days or scenario.run.days)
    return timeseries(model.counters, scenario.organization.n_employees, scenario.employees.n_topics)
