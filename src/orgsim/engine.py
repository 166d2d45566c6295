"""What every engine of the model shares: the day, the policy in force, timed events, counters and results.

Two engines implement the rules of docs/model.md 7: :class:`orgsim.simulation.Simulation`
(numba kernels over arrays, what runs use) and :class:`orgsim.reference.ReferenceModel`
(plain Mesa agents, the readable specification that docking compares with). The rules are
written twice on purpose; everything else is here, once:

- the policy in force and the scenario's events (:meth:`Engine.apply_events`), which
  change inputs only: policy values, who is aware;
- days run in stretches between events (:meth:`Engine.run_days`);
- the daily counters, one row per day in the layout of :class:`orgsim.kernels.state.Out`,
  and a replicate's results (:meth:`Engine.replicate`).

An engine implements :meth:`announce`, :meth:`open_to_partners`, :meth:`_run` (days with no
events among them but the first) and :attr:`contributions`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from orgsim.kernels.state import COUNTERS
from orgsim.params import Scenario

PROGRESS_SECONDS = 0.2  # run_days with a progress callback reports about this often


@dataclass(frozen=True)
class Replicate:
    """What one replicate's simulation leaves: its seed, the daily counters, contributions per member."""

    seed: int
    counters: np.ndarray  # Engine.counters
    contributions: np.ndarray  # Engine.contributions
    by_unit: np.ndarray | None = None  # Engine.unit_counts: per unit, employees, registered, weekly active


class Engine:
    """An organization adopting a social platform, one day per step (the state is the subclass's)."""

    def __init__(self, scenario: Scenario):
        self.scenario = scenario
        self.policy = scenario.policy.model_copy()
        self.events = sorted(scenario.rollout.events, key=lambda e: e.day)
        self.day = 0
        self.out = np.zeros((scenario.run.days, len(COUNTERS)), dtype=np.float64)  # one row per day

    # --- what an engine implements ------------------------------------------------------------

    def announce(self, departments: list[int] | None) -> None:
        """Make a set of departments (``None``: everyone) aware; re-engage members and leavers there if it is open."""
        raise NotImplementedError

    def open_to_partners(self) -> None:
        """The platform opens to partners: externals who have not heard of it become aware."""
        raise NotImplementedError

    def _run(self, days: int) -> None:
        """Run ``days`` days from :attr:`day`, writing their rows of :attr:`out` (no events among them)."""
        raise NotImplementedError

    @property
    def contributions(self) -> np.ndarray:
        """Posts plus replies of every employee who ever registered."""
        raise NotImplementedError

    # --- shared -------------------------------------------------------------------------------

    def set_policy(self, **values: Any) -> None:
        """Set policy fields (validated); the only way the policy changes during a run."""
        for name, value in values.items():
            setattr(self.policy, name, value)
        self._policy_changed()

    def _policy_changed(self) -> None:
        """Called after the policy changed (an engine that caches what it derives from it resets here)."""

    def apply_events(self) -> None:
        """Apply the events scheduled for today (inputs only)."""
        for event in self.events:
            if event.day != self.day:
                continue
            if event.set:  # first: an event may open the platform and announce it
                self.set_policy(**event.set)
            if event.announce is not None:
                self.announce(None if event.announce == "all" else list(event.announce))
            if event.set.get("partners_open"):
                self.open_to_partners()

    def step(self) -> None:
        """Advance one day."""
        self._advance(1)

    def run_days(self, days: int, on_day: Callable[[], None] | None = None) -> None:
        """Advance ``days`` days: the same days as ``days`` calls of :meth:`step`, in fewer calls of :meth:`_run`.

        Each stretch between scheduled events runs in one call (for the kernels, one kernel call, which
        saves entering the kernel every day). ``on_day`` (progress bars) is called once per day, after the
        call that ran it; with it the first call runs one day and later calls about ``PROGRESS_SECONDS``
        of days each. :meth:`step` (and a subclass's override of it) is not called.
        """
        end = self.day + days
        seconds_per_day = 0.0
        while self.day < end:
            stretch = min([end] + [e.day for e in self.events if e.day > self.day]) - self.day
            if on_day:
                stretch = max(1, min(stretch, int(PROGRESS_SECONDS / seconds_per_day) if seconds_per_day else 1))
            start = time.perf_counter()
            self._advance(stretch)
            seconds_per_day = (time.perf_counter() - start) / stretch
            if on_day:
                for _ in range(stretch):
                    on_day()

    def _advance(self, days: int) -> None:
        """Apply today's events, then run ``days`` days (no events among the later days)."""
        if self.day + days > self.out.shape[0]:  # past the scenario's days (the dashboard): grow the rows
            self._grow(max(self.out.shape[0], self.day + days - self.out.shape[0]))
        self.apply_events()
        self._run(days)
        self.day += days

    def _grow(self, extra: int) -> None:
        """Make room for ``extra`` more days."""
        self.out = np.vstack([self.out, np.zeros((extra, self.out.shape[1]))])

    @property
    def counters(self) -> np.ndarray:
        """The daily counters of the days run so far (rows = days, columns = :data:`COUNTERS`)."""
        return self.out[: self.day]

    def replicate(self, seed: int) -> Replicate:
        """The results so far, as one replicate made from ``seed``."""
        return Replicate(seed, self.counters.copy(), self.contributions, self.unit_counts())

    def unit_counts(self) -> np.ndarray | None:
        """Per unit (department), at the end of the days run: employees, registered, active in the last 7 days."""
        return None
