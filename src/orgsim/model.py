"""The Mesa model: :class:`orgsim.simulation.Simulation` as a ``mesa.Model``, for Mesa's visualization.

``OrgModel`` owns the same state arrays and steps the same days as ``Simulation`` (a test
checks that both give identical results from the same integer seed); Mesa adds ``steps``,
its seeded generator and SolaraViz (:mod:`orgsim.viz.dashboard`). People are rows of
``model.people``'s arrays, not agent objects: the readable agent-per-person model is
:class:`orgsim.reference.ReferenceModel`.
"""

from __future__ import annotations

from collections.abc import Callable

from orgsim.mesa_compat import Model, count_steps
from orgsim.params import Scenario
from orgsim.simulation import Simulation


class OrgModel(Simulation, Model):
    """An organization adopting a social platform, one day per step, as a Mesa model.

    Args:
        scenario: a validated :class:`orgsim.params.Scenario`.
        rng: seed or generator for everything random (Mesa's ``rng=``).
    """

    def __init__(self, scenario: Scenario, rng=None):
        Model.__init__(self, rng=rng)
        Simulation.__init__(self, scenario, rng=self.rng)

    def run_days(self, days: int, on_day: Callable[[], None] | None = None) -> None:
        """:meth:`Simulation.run_days`; Mesa's ``steps`` counts the days run (also if interrupted)."""
        start = self.day
        try:
            super().run_days(days, on_day)
        finally:
            count_steps(self, self.day - start)
