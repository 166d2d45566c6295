"""``orgsim run`` and ``orgsim validate``: one scenario to a report, or checked without running."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from orgsim.cli.common import (
    Force,
    Quiet,
    ScenarioFile,
    app,
    console,
    day_progress,
    examples,
    print_errors,
    stdout_console,
    summary_table,
    user_errors,
)
from orgsim.scenario import ScenarioError, load_scenario, read_yaml, with_run_settings


@app.command(epilog=examples(
    "orgsim run scenarios/top_down.yaml",
    "orgsim run scenarios/relaunch.yaml --replicates 10 --out out/relaunch --pptx",
    "orgsim run my_company.yaml --days 180 --seed 7 --no-figures",
))
def run(
    scenario: ScenarioFile,
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", help="Output directory \\[default: results/<scenario name as a folder name>].")] = None,
    days: Annotated[int | None, typer.Option(help="Override run.days.", min=1)] = None,
    seed: Annotated[int | None, typer.Option(help="Override run.seed.", min=0)] = None,
    replicates: Annotated[int | None, typer.Option(help="Override run.replicates.", min=1)] = None,
    workers: Annotated[int | None, typer.Option(
        "--workers", "-w", min=1, show_default=False,
        help="Worker processes that simulate the replicates, in parallel if more than one "
             "\\[default: one per CPU, at most one per replicate].",
    )] = None,
    figures: Annotated[bool, typer.Option(help="Draw figures and report.html.")] = True,
    pptx: Annotated[bool, typer.Option("--pptx", help="Also write deck.pptx: a short slide deck of the run.")] = False,
    force: Force = False,
    quiet: Quiet = False,
) -> None:
    """Run a scenario; write timeseries.csv/.parquet, replicates.csv, summary.json, figures and report.html.

    The output folder is written whole, or not at all; one that holds files is refused without --force.
    """
    from orgsim.background import simulating, usable_cpus
    from orgsim.output import default_out, locked, refuse_taken

    with user_errors():
        sc = with_run_settings(load_scenario(scenario), seed=seed, replicates=replicates, days=days)
        out = out or default_out(sc.name)
        with locked(out):  # before simulating: a second run into this folder, or a taken folder, fails at once
            refuse_taken(out, force)
            count_days = not quiet and console.is_terminal  # for the progress bar (there is none otherwise)
            with simulating(sc, workers or usable_cpus(), count_days) as simulated:
                # what writes the results is imported while the workers import numba and simulate
                from orgsim.runner import collect
                from orgsim.viz.save import save_run

                if figures:
                    import orgsim.viz.figures  # noqa: F401  (matplotlib: the longest import)
                with day_progress(sc.run.days, sc.run.replicates, sc.name, quiet) as tick:
                    results = collect(sc, simulated.wait(tick))
            save_run(results, out, figures=figures, pptx=pptx and figures, force=force)
    if not quiet:
        stdout_console.print(summary_table([results]))
        report = f"; open [bold]{escape(str(out / 'report.html'))}[/]" if figures else ""
        console.print(f"Results in [bold]{escape(str(out))}[/]" + report)


def _find_files(paths: list[Path]) -> list[Path]:
    from orgsim.examples import find

    return [find(find(path, "scenario"), "experiment") for path in paths]


@app.command(epilog=examples(
    "orgsim validate scenarios/*.yaml",
    "orgsim validate my_company.yaml experiments/leaders.yaml",
))
def validate(
    files: Annotated[list[Path], typer.Argument(help="Scenario or experiment files (or shipped ones' names) to check.",
                                                metavar="FILE", callback=_find_files)],
) -> None:
    """Check scenario (or experiment) files without running them; exit 2 if any is invalid."""
    bad = 0
    for path in files:
        try:
            console.print(f"[green]ok[/] {escape(f'{path} ({describe(path)})')}")
        except (ScenarioError, OSError) as exc:
            bad += 1
            print_errors(str(exc) if isinstance(exc, ScenarioError) else f"{path}: {exc.strerror or exc}")
    if bad:
        raise typer.Exit(2)


def describe(path: Path) -> str:
    """Validate a scenario or, if it names a base ``scenario``, an experiment file; say what it is."""
    if path.is_file() and "scenario" in read_yaml(path):
        from orgsim.experiment import load_experiment

        exp = load_experiment(path)
        return f"experiment {exp.name}: {len(exp.varied)} parameter(s) varied, {exp.replicates} replicate(s) per point"
    sc = load_scenario(path)
    return f"{sc.name}: {sc.organization.n_employees} employees, {sc.run.days} days"
