"""Write a run's or a comparison's files: tables, figures, ``report.html`` and ``summary.json``.

The model and the runners never import this module: it is where results meet matplotlib.
"""

from __future__ import annotations

import multiprocessing
import signal
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path

import pandas as pd

from orgsim.output import published, write_atomic, write_json, write_table, write_text


def save_run(results, out_dir: str | Path, figures: bool = True, fork_figures: bool = False,
             pptx: bool = False, force: bool = False) -> list[Path]:
    """Write a run's tables, summary, figures and report as the folder ``out_dir``; return the files written.

    The files are written into a temporary sibling folder that then becomes ``out_dir`` in one rename, so
    ``out_dir`` holds this whole run or what it held before (see :func:`orgsim.output.published`); a folder
    holding files is refused unless ``force``. ``fork_figures``: draw all figures but the first in forked
    processes, beside this one (on Linux, from a process running no Python threads, such as the command line's).
    ``pptx``: also a slide deck, ``deck.pptx`` (with the figures).
    """
    out = Path(out_dir)
    with published(out, force) as tmp:
        written = [write_table(tmp / "timeseries.csv", results.timeseries),
                   write_table(tmp / "timeseries.parquet", results.timeseries),
                   write_table(tmp / "replicates.csv", results.replicates)]
        if results.by_unit is not None:  # units under the minimum group size are already left out
            written.append(write_table(tmp / "by_unit.csv", results.by_unit))
        if figures:  # matplotlib is imported only when drawing
            from orgsim.viz.figures import FIGURES
            from orgsim.viz.report import run_report

            pngs = [tmp / name for name in FIGURES]
            jobs = [(path, partial(FIGURES[path.name], results)) for path in pngs]
            draw_all(jobs, fork=fork_figures and sys.platform == "linux")
            written += pngs
            written.append(write_text(tmp / "report.html", run_report(results, pngs)))
            if pptx:
                written.append(write_deck(tmp / "deck.pptx", [results], pngs))
        written.append(write_json(tmp / "summary.json", results.summary))
    return [out / path.name for path in written]


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


def save_comparison(results: list, out_dir: str | Path, pptx: bool = False, force: bool = False) -> list[Path]:
    """Write the comparison of ``results`` as the folder ``out_dir``, whole or not at all (as :func:`save_run`).

    Files: ``comparison.csv`` (headline metrics by scenario), ``timeseries.csv``
    (every scenario's daily table with a ``scenario`` column), ``side_by_side.png``,
    ``measures.png``, ``deck.pptx`` (with ``pptx``) and ``report.html``.
    """
    from orgsim.viz.compare import comparison_report, comparison_table, overlay_figure, side_by_side_figure

    out = Path(out_dir)
    with published(out, force) as tmp:
        written = [
            write_table(tmp / "comparison.csv", comparison_table(results)),
            write_table(tmp / "timeseries.csv", pd.concat(
                [r.timeseries.assign(scenario=r.scenario.name) for r in results], ignore_index=True)),
        ]
        pngs = [write_atomic(tmp / name, lambda path, draw=draw: draw(results, path))
                for name, draw in (("side_by_side.png", side_by_side_figure), ("measures.png", overlay_figure))]
        written += pngs
        if pptx:
            written.append(write_deck(tmp / "deck.pptx", results, pngs))
        written.append(write_text(tmp / "report.html", comparison_report(results, pngs)))
    return [out / path.name for path in written]


def write_deck(path: Path, results: list, figures: list[Path]) -> Path:
    """The slide deck of ``results`` (:mod:`orgsim.viz.deck`, python-pptx), written atomically."""
    from orgsim.viz.deck import deck

    return write_atomic(path, lambda tmp: deck(tmp, results, figures))
