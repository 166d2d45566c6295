"""``orgsim calibrate`` as a function: read the data, fit, forecast, and write the tidy tables.

Files written to the output folder (each atomically; ``calibration.json`` last, so its presence
means the calibration finished):

- ``abc.db``, ``fit.json``: pyabc's history (SQLite) and what it was fitted to (for resuming);
- ``observed.csv``: the data as read, one row per day since launch;
- ``posterior.csv``: the last generation's particles (fitted values in scenario units, weight);
- ``posterior_summary.csv``: each parameter's median and 90% interval, beside the prior;
- ``generations.csv``: per ABC-SMC generation, its tolerance, particles, simulations, acceptance;
- ``predictive.parquet``: the posterior-predictive runs to the horizon, "as is" and per intervention;
- ``bands.csv``, ``bands.parquet``: their 5%, 50%, 95% per scenario, observable and day, with the data;
- ``coverage.csv``: the share of observed points inside the 90% band, fitted and held-out days;
- ``calibration.json``: settings, seed, version, timings and the numbers above.

The figures and ``report.html`` are drawn by :mod:`orgsim.viz.calibration` (the command does it).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from orgsim.calibration.config import Calibration
from orgsim.calibration.data import UsageData, read_usage
from orgsim.calibration.fit import Fit, bands, coverage, fit, fit_days, posterior_summary, predictive
from orgsim.output import write_json, write_table


@dataclass
class Calibrated:
    """What a calibration produced."""

    calibration: Calibration
    data: UsageData
    fit: Fit
    summary: pd.DataFrame
    runs: pd.DataFrame
    bands: pd.DataFrame
    coverage: pd.DataFrame
    out: Path
    seconds: dict[str, float]


def read_data(calibration: Calibration) -> UsageData:
    """The calibration's usage files, checked against its head count and launch date."""
    return read_usage([(d.file, d.report) for d in calibration.data], calibration.head_count, calibration.launch)


def calibrate(calibration: Calibration, out: str | Path, workers: int = 1, scheduler: str | None = None,
              restart: bool = False, on_generation: Callable[[int, int, float], None] | None = None,
              data: UsageData | None = None) -> Calibrated:
    """Fit (or resume the fit) in ``out``, forecast from the posterior, write the tables; return them.

    ``workers`` > 1 runs a local Dask cluster, ``scheduler`` connects to one; either way the fit's
    order depends on the workers' timing (not reproducible bit for bit). With neither, one process
    and deterministic for the calibration's seed.
    """
    out = Path(out)
    data = data or read_data(calibration)
    missing = [o for o in calibration.observables if o not in data.observables]
    if missing:
        from orgsim.calibration.data import DataError

        raise DataError(f"observables {missing} are not in the data (it has {', '.join(data.observables)}); "
                        "fit observables the files hold")
    started = time.perf_counter()
    client_context = contextlib.nullcontext(None)
    if workers > 1 or scheduler:
        from orgsim.sweeps import dask_client

        client_context = dask_client(workers, scheduler)
    with client_context as client:
        result = fit(calibration, data, out, client=client, on_generation=on_generation, restart=restart)
        fitted = time.perf_counter()
        runs = predictive(result, client=client)
    finished = time.perf_counter()
    table = bands(runs, data)
    days = fit_days(calibration, data)
    held = [d for d in data.days if d not in set(days)]
    cover = coverage(table, days).assign(days="fitted")
    if held:
        cover = pd.concat([cover, coverage(table, held).assign(days="held out")], ignore_index=True)
    summary = posterior_summary(result)
    seconds = {"fit": fitted - started, "forecast": finished - fitted}
    write_table(out / "observed.csv", data.frame)
    write_table(out / "posterior.csv", result.posterior[["weight", *calibration.fit]])
    write_table(out / "posterior_summary.csv", summary)
    write_table(out / "generations.csv", result.generations)
    write_table(out / "predictive.parquet", runs)
    write_table(out / "bands.csv", table)
    write_table(out / "bands.parquet", table)
    write_table(out / "coverage.csv", cover)
    from orgsim import __version__

    write_json(out / "calibration.json", {
        "name": calibration.name, "orgsim_version": __version__, "seed": calibration.seed,
        "settings": calibration.model_dump(mode="json"), "fitted_days": [min(days), max(days)],
        "held_out_days": [min(held), max(held)] if held else None, "seconds": seconds,
        "simulations": int(result.generations["samples"].sum()),
        "posterior": summary.to_dict("records"), "coverage": cover.to_dict("records"),
    })
    return Calibrated(calibration, data, result, summary, runs, table, cover, out, seconds)
