"""The Mesa model: :class:`orgsim.simulation.Simulation` as a ``mesa.Model``, with ``Employee`` agent views.

``OrgModel`` owns the same state arrays and steps the same days as ``Simulation``
(a test checks that both give identical results from the same integer seed); Mesa adds
the agent registry, ``steps`` and Mesa's visualization. ``Employee`` agents are
views onto the arrays, for inspection and the dashboard; they hold no state of
their own.
"""

from __future__ import annotations

from collections.abc import Callable

from orgsim.mesa_compat import Agent, Model, count_steps
from orgsim.params import Scenario
from orgsim.simulation import Simulation

MAX_AGENT_VIEWS = 200_000  # above this size, no Employee views are created (memory)


class Employee(Agent):
    """A view onto one person's row of the model's arrays; it holds no state of its own."""

    def __init__(self, model: OrgModel, index: int):
        super().__init__(model)
        self.index = int(index)


def _view(field: str, doc: str):
    def get(self):
        return getattr(self.model.people, field)[self.index].item()

    def set_(self, value):
        getattr(self.model.people, field)[self.index] = value

    return property(get, set_, doc=doc)


for _field, _doc in {
    "level": "Hierarchy level (0 = CEO).",
    "department": "Department index.",
    "manager": "Manager's index (-1 for the CEO).",
    "trust": "Trust in management, 0..1.",
    "time": "Available time, relative.",
    "affinity": "Digital affinity, 0..1.",
    "usefulness": "Perceived usefulness of the platform, 0..1.",
    "state": "0 unaware, 1 aware, 2 member, 3 left.",
    "registered_day": "Day of registration (-1 if never).",
    "last_visit": "Day of the last visit.",
    "n_posts": "Posts written.",
    "n_replies": "Replies and answers written.",
    "is_senior": "Senior manager (leader).",
    "is_manager": "Has direct reports (posts team messages when e-mail moves to the platform).",
    "is_bad": "Bad actor.",
    "is_external": "External partner or customer.",
}.items():
    setattr(Employee, _field, _view(_field, _doc))


class OrgModel(Simulation, Model):
    """An organization adopting a social platform, one day per step, as a Mesa model.

    Args:
        scenario: a validated :class:`orgsim.params.Scenario`.
        rng: seed or generator for everything random (Mesa's ``rng=``).
        agent_views: create :class:`Employee` views (skipped above ``MAX_AGENT_VIEWS`` people).
    """

    def __init__(self, scenario: Scenario, rng=None, agent_views: bool = True):
        Model.__init__(self, rng=rng)
        Simulation.__init__(self, scenario, rng=self.rng)
        if agent_views and self.org.n <= MAX_AGENT_VIEWS:
            for i in range(self.org.n):
                Employee(self, i)

    def run_days(self, days: int, on_day: Callable[[], None] | None = None) -> None:
        """:meth:`Simulation.run_days`; Mesa's ``steps`` counts the days run (also if interrupted)."""
        start = self.day
        try:
            super().run_days(days, on_day)
        finally:
            count_steps(self, self.day - start)
