"""Parameter sweeps: many runs of one scenario, in one process, on local cores or on a Dask cluster.

``sweep(experiment) -> DataFrame`` returns one tidy row per run (run index, design
point, replicate, seed, varied parameters, kept summary metrics, status, error).
Every run goes through :func:`orgsim.runner.run_replicate`; run ``i`` uses the
seed ``SeedSequence(experiment_seed, spawn_key=(i,))``, so the table does not
depend on how many workers ran it or in which order runs finished.

With ``out=DIR`` finished runs are saved as Parquet part files (each written
atomically) while the sweep goes on; a sweep restarted on the same directory
skips the runs it already has, and at the end the parts are combined into
``DIR/runs.parquet`` (and ``DIR/timeseries.parquet`` when daily columns are kept).
"""

from __future__ import annotations

import hashlib
import json
import math
import signal
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd

from orgsim import __version__
from orgsim.experiment import Experiment, Run, base_scenario, design_points, load_experiment, plan, validate_experiment
from orgsim.output import locked, write_json, write_table
from orgsim.params import Scenario
from orgsim.runner import LOADING_KERNELS, kernels_loaded, run_replicate, warm_up
from orgsim.scenario import ScenarioError, with_overrides
from orgsim.simulation import replicate_seed


def run_one(base: Scenario, seed: int, outputs: list[str], columns: list[str],
            run: Run) -> tuple[dict[str, Any], pd.DataFrame | None]:
    """Run one sweep run; a run that raises comes back as a row with status ``failed`` and the error."""
    try:
        scenario = with_overrides(base, run.values, warn=False)  # what has no effect was said at loading
        frame, metrics, _ = run_replicate(scenario, run.index, seed)
    except Exception as exc:  # noqa: BLE001 - any failure of one run is recorded, the sweep goes on
        return failed_row(run, seed, outputs, exc), None
    daily = None
    if columns:
        daily = frame[columns].copy()
        daily.insert(0, "run", run.index)
    return {**_identity(run, seed), **{m: float(metrics[m]) for m in outputs}, "status": "ok", "error": ""}, daily


def _identity(run: Run, seed: int) -> dict[str, Any]:
    return {"run": run.index, "point": run.point, "replicate": run.replicate,
            "seed": replicate_seed(seed, run.index), **run.values}


def failed_row(run: Run, seed: int, outputs: list[str], exc: BaseException) -> dict[str, Any]:
    """The row of a run that raised: its parameters, no metrics, the error in one line."""
    message = " | ".join(str(exc).splitlines()) or repr(exc)
    return {**_identity(run, seed), **dict.fromkeys(outputs, math.nan), "status": "failed",
            "error": f"{type(exc).__name__}: {message}"}


def warm_up_plugin(local: bool = False):
    """A Dask worker plugin that warms the kernels once when a worker joins, not once per run.

    ``local``: the workers are this process's own (a ``LocalCluster``): each also ends when this process
    ends, however it ends (``kill -9`` included; :func:`orgsim.processes.die_with_parent`).
    Defined on demand so that ``import orgsim`` does not import ``distributed``.
    """
    from distributed.diagnostics.plugin import WorkerPlugin

    class WarmUp(WorkerPlugin):
        name = "orgsim-warm-up"

        def setup(self, worker) -> None:
            if local:
                from orgsim.processes import die_with_parent

                die_with_parent()
            warm_up()

    return WarmUp()


# Local workers are new Python processes that import the caller's main script, as in any multiprocessing
GUARD_HINT = 'start the sweep under `if __name__ == "__main__":` (worker processes import the script)'


def _main_is_a_script() -> bool:
    """Whether ``__main__`` is a script file (not ``python -m``, the console script, or a notebook)."""
    main = sys.modules.get("__main__")
    return getattr(main, "__spec__", None) is None and str(getattr(main, "__file__", "")).endswith(".py")


def _worker_importing_the_script() -> bool:
    """Whether this is a new worker process still importing its parent's main script.

    ``_inheriting`` is what multiprocessing's own check reads (``spawn._check_not_importing_main``);
    ``parent_process()`` is not set yet at that point.
    """
    import multiprocessing

    return bool(getattr(multiprocessing.current_process(), "_inheriting", False))


@contextmanager
def dask_client(workers: int = 2, scheduler: str | None = None) -> Iterator:
    """A ``dask.distributed`` client: ``Client(scheduler)`` if given, else a ``LocalCluster`` of processes."""
    import logging

    from dask.distributed import Client, LocalCluster

    cluster = None
    if scheduler:
        client = Client(scheduler)  # connect timeout: dask config distributed.comm.timeouts.connect
    else:
        warm_up()  # compile or load the kernels here first, so local workers read the cache instead of compiling
        with _workers_ignore_ctrl_c():
            # No dashboard; the scheduler's health endpoint on this machine only, on any free port (its default,
            # 8787, may be taken). A failed run is recorded with its error: what the workers log as the cluster
            # stops is noise.
            try:
                cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                       dashboard_address=None, scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
                                       silence_logs=logging.CRITICAL)
            except RuntimeError as exc:  # a worker that exits while it starts ("Nanny failed to start")
                hint = f" If the script has no __main__ guard, {GUARD_HINT}." if _main_is_a_script() else ""
                raise RuntimeError(f"local Dask workers did not start ({exc}).{hint}") from exc
        client = Client(cluster)
    try:
        client.register_plugin(warm_up_plugin(local=cluster is not None))
        yield client
    finally:  # bounded: on Ctrl-C, do not wait for workers to finish their runs
        client.close(timeout=10)
        if cluster is not None:
            cluster.close(timeout=10)


@contextmanager
def _workers_ignore_ctrl_c() -> Iterator[None]:
    """Start worker processes that ignore Ctrl-C (SIGINT), which reaches the whole process group.

    This process stops them cleanly; a worker interrupted while it starts or runs prints tracebacks.
    A Ctrl-C during these few seconds of start-up is ignored here too, and a worker that Dask restarts
    later (after one was lost) handles Ctrl-C as usual.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)  # inherited by the processes started meanwhile
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def execute(job: Callable[[Run], tuple], runs: list[Run], workers: int = 1,
            scheduler: str | None = None) -> Iterator[tuple[Run, tuple | BaseException]]:
    """Yield ``(run, job(run))`` as runs finish: in this process for one local worker, else on Dask.

    On Dask, runs travel in small batches (about 8 batches per worker, at most 8 runs each) to spread the
    per-task cost; a batch whose task fails (a worker lost) yields the exception for each of its runs.
    """
    if not runs:
        return
    if scheduler is None and workers <= 1:
        for run in runs:
            yield run, job(run)
        return
    from dask.distributed import as_completed

    with dask_client(workers, scheduler) as client:
        size = max(1, min(8, len(runs) // (8 * max(1, len(client.nthreads())))))
        batches = [runs[i:i + size] for i in range(0, len(runs), size)]
        [remote_job] = client.scatter([job], broadcast=True)
        futures = client.map(_call, batches, job=remote_job, pure=False)
        by_key = {f.key: batch for f, batch in zip(futures, batches, strict=True)}
        try:
            # results are fetched in the background as batches finish; a failed task yields its exception
            for future, results in as_completed(futures, with_results=True, raise_errors=False):
                failed = future.status != "finished"  # read before release(), which may reset it
                future.release()
                batch = by_key[future.key]
                if failed:  # an error gives (type, exception, traceback); a cancelled task its CancelledError
                    error = results if isinstance(results, BaseException) else results[1]
                    results = [error] * len(batch)
                yield from zip(batch, results, strict=True)
        finally:
            client.cancel([f for f in futures if not f.done()])


def _call(batch: list[Run], job: Callable[[Run], tuple]) -> list[tuple]:
    return [job(run) for run in batch]


def tidy(rows: list[dict] | pd.DataFrame, experiment: Experiment, points: list[dict[str, Any]]) -> pd.DataFrame:
    """Put run rows into the sweep table's fixed column order and types, sorted by run."""
    frame = pd.DataFrame(rows)
    columns = ["run", "point", "replicate", "seed", *experiment.varied, *experiment.outputs, "status", "error"]
    frame = frame.reindex(columns=columns)
    if len(frame):
        frame = frame.drop_duplicates("run").sort_values("run", ignore_index=True)
    types = {"run": "int64", "point": "int64", "replicate": "int64", "seed": "int64", "status": "str", "error": "str"}
    types |= dict.fromkeys(experiment.outputs, "float64")
    types |= {k: pd.Series([p[k] for p in points]).dtype for k in experiment.varied}
    return frame.astype(types)


@dataclass
class Store:
    """A sweep's output directory: a manifest, Parquet part files of finished runs, the combined tables."""

    out: Path
    fingerprint: str

    def __post_init__(self) -> None:
        self.parts = self.out / "parts"
        manifest = self.out / "sweep.json"
        if manifest.exists():
            found = json.loads(manifest.read_text())
            if found.get("fingerprint") != self.fingerprint:
                raise ScenarioError(f"{self.out}: holds results of a different experiment, design or model version "
                                    f"({found.get('experiment')!r}); choose another --out or delete it")

    def start(self, experiment: Experiment, total: int) -> None:
        """Write the manifest that ties this directory to one experiment."""
        write_json(self.out / "sweep.json", {"experiment": experiment.name, "fingerprint": self.fingerprint,
                                            "runs": total, "orgsim_version": __version__})

    def finished(self) -> pd.DataFrame:
        """Rows of every run saved so far."""
        files = sorted(self.parts.glob("runs-*.parquet"))
        return pd.concat([pd.read_parquet(f) for f in files], ignore_index=True) if files else pd.DataFrame()

    def save(self, rows: list[dict], daily: list[pd.DataFrame]) -> None:
        """Write one part of finished runs (time series first: a runs part implies its time series)."""
        if not rows:
            return
        tag = f"{min(r['run'] for r in rows):07d}-{uuid.uuid4().hex[:8]}"
        if daily:
            write_table(self.parts / f"timeseries-{tag}.parquet", pd.concat(daily, ignore_index=True))
        write_table(self.parts / f"runs-{tag}.parquet", pd.DataFrame(rows))

    def combine(self, table: pd.DataFrame, csv: bool) -> None:
        """Write the final ``runs.parquet`` (and ``runs.csv``, ``timeseries.parquet``)."""
        write_table(self.out / "runs.parquet", table)
        if csv:
            write_table(self.out / "runs.csv", table)
        files = sorted(self.parts.glob("timeseries-*.parquet"))
        if files:
            daily = pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)
            daily = daily[daily["run"].isin(table["run"])].drop_duplicates(["run", "day"])
            write_table(self.out / "timeseries.parquet", daily.sort_values(["run", "day"], ignore_index=True))


# The modules whose code decides a run's results: a sweep resumed after any change to them would mix two models
def model_hash() -> str:
    """A hash of the code of the whole orgsim package (every module, by its path in the package)."""
    here = Path(__file__).parent
    digest = hashlib.sha256()
    for path in sorted(here.rglob("*.py")):
        digest.update(str(path.relative_to(here)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def fingerprint(base: Scenario, experiment: Experiment, seed: int, runs: list[Run]) -> str:
    """A hash of everything that decides a sweep's table, the model's code included: resuming needs the same one."""
    blob = json.dumps({"model": model_hash(), "scenario": base.model_dump(mode="json"), "seed": seed,
                       "outputs": experiment.outputs,
                       "timeseries": experiment.kept_timeseries,
                       "runs": [(r.index, r.point, r.replicate, r.values) for r in runs]}, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def resolve(experiment: Experiment | str | Path | None, fields: dict[str, Any]) -> Experiment:
    """An :class:`Experiment` from a file path, an object, or keyword fields."""
    if experiment is None:
        return validate_experiment(fields, "<sweep>")
    if fields:
        raise TypeError("give either an experiment or its fields as keywords, not both")
    if isinstance(experiment, Experiment):
        return experiment
    return load_experiment(experiment)


def run_points(experiment: Experiment, points: list[dict[str, Any]], *, out: str | Path | None = None,
               workers: int = 1, scheduler: str | None = None, csv: bool = False, progress: bool = False,
               on_result: Callable[[dict], None] | None = None, flush_every: int = 16,
               flush_seconds: float = 10.0) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Run ``replicates`` runs of every design point; the engine behind :func:`sweep` and sensitivity.

    With local workers, a worker process that runs this while importing the caller's script (which
    lacks a ``__main__`` guard) exits with one line (``SystemExit``) instead of running the sweep again.
    """
    if workers > 1 and scheduler is None and _worker_importing_the_script():
        # before touching ``out``, which the caller's sweep is writing
        raise SystemExit(f"orgsim: a worker process started a sweep while importing your script; {GUARD_HINT}")
    base = base_scenario(experiment)
    seed = base.run.seed if experiment.seed is None else experiment.seed
    runs = plan(experiment, points)
    store = Store(Path(out), fingerprint(base, experiment, seed, runs)) if out is not None else None
    done = store.finished() if store else pd.DataFrame()
    finished = set(done["run"]) if len(done) else set()
    todo = [r for r in runs if r.index not in finished]
    if store:
        store.start(experiment, len(runs))
    rows: list[dict] = done.to_dict("records")
    daily_all: list[pd.DataFrame] = []
    buffer: list[dict] = []
    daily_buffer: list[pd.DataFrame] = []
    last_flush = time.monotonic()

    def flush() -> None:
        # the rows leave the buffer before they are saved: a Ctrl-C just after the part file is renamed into
        # place must not save them again (in the flush of the ``finally`` below), or a resume would count
        # them twice; a Ctrl-C before the rename loses them, and the resumed sweep runs them again
        nonlocal last_flush
        part, part_daily = buffer[:], daily_buffer[:]
        buffer.clear()
        daily_buffer.clear()
        if store:
            store.save(part, part_daily)
        last_flush = time.monotonic()

    job = partial(run_one, base, seed, experiment.outputs, experiment.kept_timeseries)
    failed = int((done["status"] != "ok").sum()) if len(done) else 0
    waiting = _first_wait(workers, scheduler) if todo else ""
    with (_progress(progress, experiment.name, len(runs), len(finished), failed, waiting) as tick,
          _interruptible() as stop):
        try:
            for run, result in execute(job, todo, workers, scheduler):
                if stop.is_set():  # a Ctrl-C that a library swallowed
                    raise KeyboardInterrupt
                if isinstance(result, BaseException):
                    result = failed_row(run, seed, experiment.outputs, result), None
                row, daily = result
                rows.append(row)
                buffer.append(row)
                if daily is not None:
                    daily_all.append(daily)
                    daily_buffer.append(daily)
                for callback in (tick, on_result):
                    if callback:
                        callback(row)
                if len(buffer) >= flush_every or time.monotonic() - last_flush > flush_seconds:
                    flush()
        finally:
            flush()
    table = tidy(rows, experiment, points)
    daily = None
    if experiment.kept_timeseries:
        if store:
            store.combine(table, csv)
            daily = pd.read_parquet(store.out / "timeseries.parquet")
        else:
            daily = pd.concat(daily_all, ignore_index=True).sort_values(["run", "day"], ignore_index=True)
    elif store:
        store.combine(table, csv)
    return table, daily


def sweep(experiment: Experiment | str | Path | None = None, *, out: str | Path | None = None, workers: int = 1,
          scheduler: str | None = None, csv: bool = False, progress: bool = False,
          return_timeseries: bool = False, on_result: Callable[[dict], None] | None = None,
          **fields: Any) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame | None]:
    """Run a parameter sweep and return one tidy row per run.

    Args:
        experiment: an experiment file, an :class:`Experiment`, or ``None`` to build one from ``fields``.
        out: directory for Parquet results; a sweep restarted on it skips runs already saved.
        workers: local worker processes (1: run in this process; more: a Dask ``LocalCluster``).
        scheduler: address of a Dask scheduler (``tcp://host:8786``); overrides ``workers``.
        csv: also write ``runs.csv`` into ``out``.
        progress: show a progress bar (runs done, failed, time left).
        return_timeseries: also return the long daily table (columns of ``timeseries`` in the experiment).
        on_result: called with each finished run's row.
        **fields: experiment fields when ``experiment`` is ``None`` (``scenario=``, ``grid=``, ``ranges=``,
            ``replicates=``, ``seed=``, ``outputs=``, ... as in the file).

    Returns:
        The runs table (columns ``run, point, replicate, seed``, the varied parameters by dotted path, the kept
        metrics, ``status`` (``ok``/``failed``) and ``error``), or ``(runs, timeseries)``.
    """
    experiment = resolve(experiment, fields)
    if return_timeseries and not experiment.kept_timeseries:
        experiment = experiment.model_copy(update={"timeseries": True})
    seed = experiment.seed if experiment.seed is not None else base_scenario(experiment).run.seed
    with sweep_lock(out):
        table, daily = run_points(experiment, design_points(experiment, seed), out=out, workers=workers,
                                  scheduler=scheduler, csv=csv, progress=progress, on_result=on_result)
    return (table, daily) if return_timeseries else table


def sweep_lock(out: str | Path | None):
    """The lock of a sweep's folder: one sweep at a time into it (it resumes).

    None without a folder, and none in a worker process importing the caller's script, which
    :func:`run_points` tells what to do instead of waiting for the lock its parent holds.
    """
    return locked(out) if out is not None and not _worker_importing_the_script() else nullcontext()


@contextmanager
def _interruptible() -> Iterator[threading.Event]:
    """Remember a Ctrl-C (SIGINT) even if a library catches the KeyboardInterrupt it raises."""
    stop = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return

    def on_interrupt(signum, frame):
        stop.set()
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, on_interrupt)
    try:
        yield stop
    finally:
        signal.signal(signal.SIGINT, previous)


def _first_wait(workers: int, scheduler: str | None) -> str:
    """What the first run waits for, said before the progress bar (nothing if it starts at once)."""
    if scheduler:
        return f"connecting to the scheduler at {scheduler}"
    if workers > 1:
        return f"{LOADING_KERNELS} and starting the workers"
    return "" if kernels_loaded() else LOADING_KERNELS


@contextmanager
def _progress(show: bool, label: str, total: int, done: int, failed: int,
              waiting: str) -> Iterator[Callable[[dict], None] | None]:
    """A rich progress bar of runs: done, failed, elapsed and time left, after a line saying what the wait is."""
    if not show:
        yield None
        return
    from rich.console import Console
    from rich.markup import escape
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("runs"),
               TextColumn("[red]{task.fields[failed]} failed"), TimeElapsedColumn(), TextColumn("left"),
               TimeRemainingColumn()]
    console = Console(stderr=True, soft_wrap=True)
    if done:
        console.print(f"[dim]{escape(label)}: {done} of {total} runs were done before; "
                      + ("nothing left to run[/]" if done == total else "running the others[/]"), highlight=False)
    if waiting:
        console.print(f"[dim]{escape(label)}: {waiting}...[/]", highlight=False)
    with Progress(*columns, console=console) as bar:
        task = bar.add_task(escape(label), total=total, completed=done, failed=failed)

        def tick(row: dict) -> None:
            failed = bar.tasks[0].fields["failed"] + (row["status"] != "ok")
            bar.update(task, advance=1, failed=failed)

        yield tick
