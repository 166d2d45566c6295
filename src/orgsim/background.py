"""Simulate a scenario's replicates in worker processes while the caller goes on.

``orgsim run`` starts its replicates here first, then imports pandas and matplotlib
to write the results while the workers import numba and simulate; with several
workers, replicates run in parallel. The replicates are those of
:func:`orgsim.runner.run`: a replicate's seed depends on its number only, not on
the worker that runs it. This module imports neither numba nor pandas, so the
workers start before either. The workers come from :mod:`orgsim.processes`' fork server (never ``fork``
from this process, which may run threads) and end with this process, however it ends.
"""

from __future__ import annotations

import os
import queue
import signal
import threading
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from orgsim import processes
from orgsim.params import Scenario

if TYPE_CHECKING:
    from orgsim.engine import Replicate

# The fork server (which has imported the simulation) forks the workers; spawned where there is none (Windows).
START_METHOD = processes.START_METHOD
POLL_SECONDS = 0.2  # how often the caller looks for a worker that died without a word


def usable_cpus() -> int:
    """The CPUs this process may run on (its affinity mask where the platform has one)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _work(scenario: Scenario, replicates: list[int], messages, count_days: bool) -> None:
    """A worker: simulate ``replicates`` in turn, putting each day, result or error on ``messages``."""
    processes.die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is for the caller, which stops the workers ...
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # ... with SIGTERM, which must not wait for a kernel call to end
    from orgsim.simulation import simulate

    on_day = (lambda: messages.put(("day",))) if count_days else None
    for replicate in replicates:
        try:
            messages.put(("replicate", replicate, simulate(scenario, replicate, scenario.run.seed, on_day)))
        except Exception as exc:
            exc.add_note(f"in the worker process simulating replicate {replicate}:\n{traceback.format_exc()}")
            messages.put(("error", replicate, exc))
            return


class Replicates:
    """A scenario's replicates being simulated in worker processes."""

    def __init__(self, workers: list, shares: list[list[int]], messages, count: int,
                 started: threading.Thread | None = None) -> None:
        self._workers, self._shares, self._messages, self._count = workers, shares, messages, count
        self._started, self.start_error = started, None

    def _wait_started(self) -> None:
        """Wait until every worker has been started (in the background); raise what starting one raised."""
        if self._started is not None:
            self._started.join()
            self._started = None
        if self.start_error is not None:
            raise self.start_error

    def wait(self, on_day: Callable[[], None] | None = None) -> list[Replicate]:
        """Wait for every replicate and return them in order.

        ``on_day`` (a progress bar) is called once per simulated day, including the days done
        before this call, if the workers were asked to count them. A worker's exception is raised
        here as soon as it arrives; a worker that died (killed, out of memory) is a ChildProcessError.
        """
        self._wait_started()
        done: dict[int, Replicate] = {}
        exited: set[int] = set()  # workers seen ended at the previous poll
        while len(done) < self._count:
            try:
                kind, *payload = self._messages.get(timeout=POLL_SECONDS)
            except queue.Empty:
                # a worker's messages are all sent before it ends: one that ended a poll ago without
                # sending all its replicates has died
                if died := [w for w in sorted(exited) if any(r not in done for r in self._shares[w])]:
                    codes = ", ".join(str(self._workers[i].exitcode) for i in died)
                    raise ChildProcessError(f"a worker process simulating the replicates died (exit code {codes}; "
                                            "-9: killed, perhaps for want of memory)") from None
                exited = {i for i, worker in enumerate(self._workers) if worker.exitcode is not None}
                continue
            if kind == "day":
                if on_day is not None:
                    on_day()
            elif kind == "replicate":
                done[payload[0]] = payload[1]
            else:  # "error"
                raise payload[1]
        return [done[r] for r in range(self._count)]


@contextmanager
def simulating(scenario: Scenario, workers: int, count_days: bool = False) -> Iterator[Replicates]:
    """Start simulating ``scenario``'s replicates in up to ``workers`` processes; stop them on leaving.

    Worker ``w`` of ``k`` simulates replicates ``w, w + k, ...``. ``count_days``: report every
    simulated day to :meth:`Replicates.wait` (for a progress bar). While the workers run, SIGTERM
    (a job scheduler, ``docker stop``) ends the caller as SIGINT does, so that the workers are stopped.
    """
    context = processes.context(START_METHOD)
    messages = context.Queue()
    n = scenario.run.replicates
    shares = [list(range(w, n, min(workers, n))) for w in range(min(workers, n))]
    procs = [context.Process(target=_work, args=(scenario, share, messages, count_days),
                             name=f"orgsim worker {w}", daemon=True) for w, share in enumerate(shares)]
    main_thread = threading.current_thread() is threading.main_thread()  # where signal handlers are set
    previous = signal.signal(signal.SIGTERM, _exit_on_sigterm) if main_thread else None

    def start() -> None:
        try:
            for worker in procs:
                worker.start()
        except BaseException as exc:
            replicates.start_error = exc

    # started in the background: the fork server may still be importing, and the caller imports meanwhile
    starting = threading.Thread(target=start, name="orgsim: start workers", daemon=True)
    replicates = Replicates(procs, shares, messages, n, starting)
    try:
        starting.start()
        yield replicates
    finally:
        starting.join()
        for worker in procs:
            if worker.pid is None:  # never started
                continue
            if worker.is_alive():
                worker.terminate()
            worker.join()
        if main_thread:
            signal.signal(signal.SIGTERM, previous)


def _exit_on_sigterm(signum, frame) -> None:
    raise SystemExit(128 + signum)
