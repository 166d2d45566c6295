"""Simulate a scenario's replicates in worker processes while the caller goes on.

``orgsim run`` starts its replicates here first, then imports pandas and matplotlib
to write the results while the workers import numba and simulate; replicates run in
parallel, one per worker. The replicates are those of :func:`orgsim.runner.run`: a
replicate's seed depends on its number only, not on the worker that runs it. This
module imports neither numba nor pandas, so the workers start before either.
"""

from __future__ import annotations

import multiprocessing
import queue
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from multiprocessing.pool import AsyncResult
from typing import TYPE_CHECKING

from orgsim.params import Scenario

if TYPE_CHECKING:
    from orgsim.simulation import Replicate

_days = None  # in a worker: the queue that counts simulated days for the caller's progress bar, if any


def _start_worker(days) -> None:
    """Set a worker up: Ctrl+C is for the caller (which stops the workers); each day is counted on ``days``."""
    global _days
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _days = days


def _simulate(scenario: Scenario, replicate: int) -> Replicate:
    """Simulate one replicate (in a worker)."""
    from orgsim.simulation import simulate

    return simulate(scenario, replicate, scenario.run.seed, None if _days is None else lambda: _days.put(1))


class Replicates:
    """A scenario's replicates being simulated in worker processes."""

    def __init__(self, pending: list[AsyncResult], days, total_days: int) -> None:
        self._pending, self._days, self._total_days = pending, days, total_days

    def wait(self, on_day: Callable[[], None] | None = None) -> list[Replicate]:
        """Wait for every replicate and return them in order.

        ``on_day`` (a progress bar) is called once per day simulated, including the days done before
        this call. A worker's exception is raised here.
        """
        if on_day is not None and self._days is not None:
            counted = 0
            while counted < self._total_days and not any(p.ready() and not p.successful() for p in self._pending):
                try:
                    self._days.get(timeout=0.1)
                except queue.Empty:
                    continue
                on_day()
                counted += 1
        return [p.get() for p in self._pending]


@contextmanager
def simulating(scenario: Scenario, workers: int, count_days: bool = False) -> Iterator[Replicates]:
    """Start simulating ``scenario``'s replicates in up to ``workers`` processes; stop them on leaving.

    ``count_days``: let :meth:`Replicates.wait` report every simulated day. Workers are forked on Linux
    (they start at once, with what this process has imported) and spawned elsewhere.
    """
    context = multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")
    days = context.Queue() if count_days else None
    n = scenario.run.replicates
    pool = context.Pool(min(workers, n), initializer=_start_worker, initargs=(days,))
    try:
        yield Replicates([pool.apply_async(_simulate, (scenario, r)) for r in range(n)], days, n * scenario.run.days)
    finally:
        pool.terminate()
        pool.join()
