"""``orgsim calibrate``: fit a scenario to a client's usage data, forecast, and compare interventions."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from orgsim.cli.common import Quiet, app, console, fail, user_errors
from orgsim.cli.sweep import Scheduler, Workers

CalibrationFile = Annotated[Path, typer.Argument(help="Calibration YAML file (see experiments/calibration/).",
                                                 show_default=False, metavar="CALIBRATION")]

EXAMPLES = """
Examples:

  orgsim calibrate experiments/calibration/example.yaml

  orgsim calibrate client.yaml --head-count 4200 --launch 2025-09-01 --out results/client

  orgsim calibrate client.yaml --horizon 540 --seed 3

  orgsim calibrate client.yaml --scheduler tcp://10.0.0.5:8786
"""


@app.command(epilog=EXAMPLES)
def calibrate(
    calibration: CalibrationFile,
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", help="Output folder \\[default: results/<calibration name>]; rerun to resume an interrupted "
        "fit.", show_default=False)] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="Seed of the fit (default: the file's).", min=0,
                                             show_default=False)] = None,
    head_count: Annotated[int | None, typer.Option("--head-count", help="Employees (replaces the file's).", min=1,
                                                   show_default=False)] = None,
    launch: Annotated[str | None, typer.Option("--launch", help="Launch date, YYYY-MM-DD: day 0 (replaces the "
                                               "file's).", show_default=False)] = None,
    horizon: Annotated[int | None, typer.Option("--horizon", help="Forecast to this day since launch.", min=1,
                                                show_default=False)] = None,
    workers: Workers = 1,
    scheduler: Scheduler = None,
    restart: Annotated[bool, typer.Option("--restart", help="Discard a fit already in the output folder.")] = False,
    no_figures: Annotated[bool, typer.Option("--no-figures", help="Write the tables only.")] = False,
    quiet: Quiet = False,
) -> None:
    """Fit a scenario's parameters to usage data (ABC-SMC), forecast, compare interventions; write report.html.

    The calibration file names the base scenario, the usage files (Microsoft 365 Viva Engage
    reports as exported, or a plain CSV), the parameters to fit with their priors, the observables
    and the forecast. A broken file or data file is reported one line per problem, with exit status 2.
    One process (the default) gives the same result for the same seed; --workers or --scheduler run
    the simulations on Dask.
    """
    from orgsim.calibration.config import load_calibration
    from orgsim.calibration.data import DataError
    from orgsim.calibration.pipeline import calibrate as run_calibration
    from orgsim.calibration.pipeline import read_data

    with user_errors():
        try:
            cal = load_calibration(calibration, head_count=head_count, launch=launch)
            updates = {k: v for k, v in {"seed": seed, "horizon": horizon}.items() if v is not None}
            cal = cal.model_copy(update=updates) if updates else cal
            data = read_data(cal)
        except DataError as exc:
            fail(str(exc))
        out = out or Path("results") / cal.name

        def progress(t: int, total: int, epsilon: float) -> None:
            if not quiet:
                console.print(f"generation {t + 1} of {total}: tolerance {epsilon:.3g}", highlight=False)

        if not quiet:
            console.print(f"fitting {', '.join(cal.fit)} to {len(data.days)} days of "
                          f"{', '.join(cal.observables)}; history in {out / 'abc.db'}", highlight=False)
        try:
            result = run_calibration(cal, out, workers=workers, scheduler=scheduler, restart=restart,
                                     on_generation=progress, data=data)
        except KeyboardInterrupt:
            console.print(f"[yellow]interrupted:[/] finished generations are saved in [bold]{out}[/]; "
                          "run the same command again to resume")
            raise typer.Exit(130) from None
        except DataError as exc:
            fail(str(exc))
        if not no_figures:
            from orgsim.viz.calibration import save_calibration_report

            save_calibration_report(result)
    if quiet:
        return
    for row in result.summary.itertuples(index=False):
        console.print(f"{row.parameter}: median {row.median:.4g}, 90% interval [{row.q05:.4g}, {row.q95:.4g}]",
                      highlight=False)
    for row in result.coverage.itertuples(index=False):
        console.print(f"{row.observable} ({row.days} days): {row.share_inside_90:.0%} of {row.points} observed "
                      "points inside the 90% band", highlight=False)
    console.print(f"results in [bold]{out}[/]" + ("" if no_figures else f", report [bold]{out / 'report.html'}[/]"))
