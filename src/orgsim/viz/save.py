"""Write a run's or a comparison's files: tables, figures, ``report.html`` and ``summary.json``.

The model and the runners never import this module: it is where results meet matplotlib.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

import pandas as pd

from orgsim.output import published, write_atomic, write_json, write_table, write_text


def save_run(results, out_dir: str | Path, figures: bool = True, pptx: bool = False,
             force: bool = False) -> list[Path]:
    """Write a run's tables, summary, figures and report as the folder ``out_dir``; return the files written.

    The files are written into a temporary sibling folder that then becomes ``out_dir`` in one rename, so
    ``out_dir`` holds this whole run or what it held before (see :func:`orgsim.output.published`); a folder
    holding files is refused unless ``force``. ``pptx``: also a slide deck, ``deck.pptx`` (with the figures).
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
            draw_all(jobs)
            written += pngs
            written.append(write_text(tmp / "report.html", run_report(results, pngs)))
            if pptx:
                written.append(write_deck(tmp / "deck.pptx", [results], pngs))
        written.append(write_json(tmp / "summary.json", results.summary))
    return [out / path.name for path in written]


def draw_all(jobs: list[tuple[Path, Callable[[Path], None]]]) -> None:
    """Write each ``(path, draw)`` job atomically, in this process.

    Figures used to be drawn in forked processes beside this one
    (~0.25 s off ``orgsim run``), but a process running threads must not ``fork``, and a process from the
    fork server (:mod:`orgsim.processes`) would first import matplotlib and pandas, which this process has
    imported already: three figures took 5.6 s that way against 1.6 s here (docs/performance.md).
    """
    for path, draw in jobs:
        write_atomic(path, draw)


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
