"""Write results to disk atomically: a file is either complete or absent, never half-written."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import sys
import tempfile
from collections.abc import Callable
from contextlib import contextmanager
from functools import partial
from pathlib import Path

import pandas as pd


@contextmanager
def atomic_path(path: str | Path):
    """Yield a temporary path beside ``path``; on success it replaces ``path`` in one rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=f".part{path.suffix}", dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_atomic(path: str | Path, writer: Callable[[Path], None]) -> Path:
    """Call ``writer(tmp_path)`` and move the result into place atomically."""
    with atomic_path(path) as tmp:
        writer(tmp)
    return Path(path)


def write_text(path: str | Path, text: str) -> Path:
    """Write text atomically."""
    return write_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def write_json(path: str | Path, data: dict) -> Path:
    """Write JSON atomically (NaN written as null)."""
    clean = json.loads(json.dumps(data, default=float).replace("NaN", "null"))
    return write_text(path, json.dumps(clean, indent=2) + "\n")


def write_table(path: str | Path, frame: pd.DataFrame) -> Path:
    """Write a DataFrame as CSV or Parquet (by suffix), atomically."""
    path = Path(path)
    if path.suffix == ".parquet":
        return write_atomic(path, lambda tmp: frame.to_parquet(tmp, index=False))
    return write_atomic(path, lambda tmp: frame.to_csv(tmp, index=False))


def save_run(results, out_dir: str | Path, figures: bool = True, fork_figures: bool = False) -> list[Path]:
    """Write a run's tables, summary, figures and report into ``out_dir``; return the files written.

    ``summary.json`` is written last: its presence means the directory is complete. ``fork_figures``:
    draw all figures but the first in forked processes, beside this one (on Linux, from a process
    running no Python threads, such as the command line's).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = [write_table(out / "timeseries.csv", results.timeseries),
               write_table(out / "timeseries.parquet", results.timeseries),
               write_table(out / "replicates.csv", results.replicates)]
    if figures:  # matplotlib is imported only when drawing
        from orgsim.viz.figures import FIGURES
        from orgsim.viz.report import run_report

        pngs = [out / name for name in FIGURES]
        jobs = [(path, partial(FIGURES[path.name], results)) for path in pngs]
        draw_all(jobs, fork=fork_figures and sys.platform == "linux")
        written += pngs
        written.append(write_text(out / "report.html", run_report(results, pngs)))
    written.append(write_json(out / "summary.json", results.summary))
    return written


def draw_all(jobs: list[tuple[Path, Callable[[Path], None]]], fork: bool) -> None:
    """Write each ``(path, draw)`` job atomically; with ``fork``, all but the first in forked processes.

    A forked job's exception is raised here, as if it had run here; on any error or Ctrl+C the
    forked processes are stopped, leaving no temporary files.
    """
    here, forked = (jobs[:1], jobs[1:]) if fork else (jobs, [])
    children = []
    try:
        for path, draw in forked:
            receive, send = multiprocessing.Pipe(duplex=False)
            child = multiprocessing.get_context("fork").Process(target=_draw_in_child, args=(path, draw, send))
            child.start()
            send.close()  # the child's end: once it ends, receiving gives EOFError instead of waiting
            children.append((path, child, receive))
        for path, draw in here:
            write_atomic(path, draw)
        for path, child, receive in children:
            try:
                error = receive.recv()
            except EOFError:
                error = ChildProcessError(f"drawing {path.name}: the process ended with exit code {child.exitcode}")
            if error is not None:
                raise error
    finally:
        for _, child, _ in children:
            if child.is_alive():
                child.terminate()
            child.join()


def _draw_in_child(path: Path, draw: Callable[[Path], None], report) -> None:
    """Draw one figure in a forked process; send ``None`` or the exception to ``report``."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is for the parent, which stops this process
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))  # ... and cleans up (atomic_path)
    try:
        write_atomic(path, draw)
    except Exception as exc:
        report.send(exc)
    else:
        report.send(None)
