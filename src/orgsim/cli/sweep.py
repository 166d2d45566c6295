"""``orgsim sweep`` and ``orgsim sensitivity``: many runs from an experiment file, locally or on Dask."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from orgsim.cli.common import Quiet, app, console, examples, stdout_console, user_errors
from orgsim.output import default_out


def _find_experiment(path: Path) -> Path:
    from orgsim.examples import find

    return find(path, "experiment")


ExperimentFile = Annotated[Path, typer.Argument(
    help="Experiment YAML file, or the name of a shipped experiment (leaders; `orgsim examples` lists them).",
    show_default=False, metavar="EXPERIMENT", callback=_find_experiment)]
Workers = Annotated[int, typer.Option("--workers", "-w", help="Local worker processes (1: in this process).", min=1)]
Scheduler = Annotated[str | None, typer.Option(
    "--scheduler", help="Dask scheduler address (tcp://HOST:PORT); runs go to that cluster.", show_default=False)]
Out = Annotated[Path | None, typer.Option(
    "--out", "-o", help="Output directory \\[default: results/<experiment name>]; rerun to resume.",
    show_default=False)]


def _finish(out: Path, n_runs: int, n_failed: int, interrupted: bool, quiet: bool = False) -> None:
    if interrupted:
        console.print(f"[yellow]interrupted:[/] finished runs are saved in [bold]{escape(str(out))}[/]; "
                      "run the same command again to resume")
        raise typer.Exit(130)
    if n_failed or not quiet:
        console.print(f"{n_runs - n_failed} of {n_runs} runs ok" + (f", [red]{n_failed} failed[/]" if n_failed else "")
                      + f"; results in [bold]{escape(str(out))}[/]")
    if n_failed:
        raise typer.Exit(1)


@app.command(epilog=examples(
    "orgsim sweep experiments/leaders.yaml",
    "orgsim sweep experiments/trust_time.yaml --workers 2 --csv",
    "orgsim sweep experiments/trust_time.yaml --scheduler tcp://scheduler-host:8786",
))
def sweep(
    experiment: ExperimentFile,
    workers: Workers = 1,
    scheduler: Scheduler = None,
    out: Out = None,
    csv: Annotated[bool, typer.Option("--csv", help="Also write runs.csv.")] = False,
    quiet: Quiet = False,
) -> None:
    """Run every run of an experiment; write runs.parquet (and timeseries.parquet); exit 1 if any run failed."""
    from orgsim.experiment import load_experiment
    from orgsim.sweeps import sweep as run_sweep

    with user_errors():
        exp = load_experiment(experiment)
        out = out or default_out(exp.name)
        try:
            table = run_sweep(exp, out=out, workers=workers, scheduler=scheduler, csv=csv, progress=not quiet)
        except KeyboardInterrupt:
            _finish(out, 0, 0, interrupted=True)
    failed = table[table["status"] != "ok"]
    for row in failed.head(5).itertuples():
        console.print(f"[red]failed[/] run {row.run}: {escape(row.error)}", highlight=False)
    _finish(out, len(table), len(failed), interrupted=False, quiet=quiet)


@app.command(epilog=examples(
    "orgsim sensitivity experiments/screening_morris.yaml",
    "orgsim sensitivity experiments/sensitivity_sobol.yaml --workers 2 --out out/sobol",
))
def sensitivity(
    experiment: ExperimentFile,
    workers: Workers = 1,
    scheduler: Scheduler = None,
    out: Out = None,
    quiet: Quiet = False,
) -> None:
    """Sobol or Morris sensitivity (SALib) of an experiment's ranges; print ranked indices, save a figure."""
    from orgsim.experiment import load_experiment
    from orgsim.sensitivity import INDEX_COLUMNS
    from orgsim.sensitivity import sensitivity as run_sensitivity

    with user_errors():
        exp = load_experiment(experiment)
        out = out or default_out(exp.name)
        from orgsim.output import locked, write_atomic

        with locked(out):  # the runs, indices.csv and the figure: one analysis at a time into a folder
            try:
                result = run_sensitivity(exp, out=out, workers=workers, scheduler=scheduler, progress=not quiet)
            except KeyboardInterrupt:
                _finish(out, 0, 0, interrupted=True)
            from orgsim.viz.sensitivity import plot_indices

            write_atomic(out / "sensitivity.png", lambda tmp: plot_indices(result, tmp))
    if quiet:
        return
    columns = INDEX_COLUMNS[result.method]
    for outcome, rows in result.indices.groupby("outcome", sort=False):
        table = Table(title=f"{result.method} sensitivity of {outcome}")
        for name in ["rank", "parameter", *columns]:
            table.add_column(name, justify="left" if name == "parameter" else "right")
        for row in rows.itertuples(index=False):
            table.add_row(str(row.rank), row.parameter, *(f"{getattr(row, c):.3f}" for c in columns))
        stdout_console.print(table)
    console.print(f"Indices in [bold]{escape(str(out / 'indices.csv'))}[/], "
                  f"figure [bold]{escape(str(out / 'sensitivity.png'))}[/]")
