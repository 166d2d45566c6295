"""Global sensitivity analysis with SALib: which varied parameters drive which outcomes.

The experiment's ``ranges`` are sampled with SALib (Sobol: Saltelli-style
sequences, first-order and total indices; Morris: elementary-effect
trajectories), the points run through the same engine as :func:`orgsim.sweep`
(same seeds, workers, Dask, resume), and each outcome is averaged over
replicates per point before analysis. Parameters are analysed on their range
scaled to [0, 1], so Morris ``mu_star`` values are comparable across parameters.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from orgsim.experiment import Experiment, base_scenario, scale_unit
from orgsim.output import write_table
from orgsim.scenario import ScenarioError
from orgsim.sweeps import resolve, run_points, sweep_lock

INDEX_COLUMNS = {"sobol": ["ST", "ST_conf", "S1", "S1_conf"], "morris": ["mu_star", "mu_star_conf", "mu", "sigma"]}
"""The index columns of each method; the first one ranks the parameters."""


@dataclass
class SensitivityResult:
    """Sensitivity indices (one row per outcome and parameter, ranked) and the runs behind them."""

    method: str
    indices: pd.DataFrame
    runs: pd.DataFrame


def _problem(experiment: Experiment) -> dict[str, Any]:
    names = list(experiment.ranges)
    return {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}


def unit_sample(experiment: Experiment, seed: int) -> np.ndarray:
    """SALib's sample of the unit cube for the experiment's method (rows: points, columns: ranges)."""
    from SALib.sample import morris, sobol

    settings = experiment.sensitivity
    problem = _problem(experiment)
    if settings.method == "sobol":
        return sobol.sample(problem, settings.samples, calc_second_order=False, seed=seed)
    return morris.sample(problem, settings.samples, num_levels=settings.num_levels, seed=seed)


def analyse(experiment: Experiment, unit: np.ndarray, runs: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Indices per outcome from the runs table, ranked within each outcome (rank 1 = most influential)."""
    from SALib.analyze import morris, sobol

    settings = experiment.sensitivity
    problem = _problem(experiment)
    means = runs.groupby("point")[settings.outcomes].mean().reindex(range(len(unit)))
    frames = []
    for outcome in settings.outcomes:
        y = means[outcome].to_numpy(dtype=float)
        if np.isnan(y).any():
            bad = runs.loc[runs[outcome].isna(), ["run", "status", "error"]].head(1).to_dict("records")
            raise ScenarioError(f"sensitivity.outcomes: {outcome!r} is undefined (NaN or failed) at "
                                f"{int(np.isnan(y).sum())} of {len(y)} points (first: {bad}); "
                                "expected an outcome defined in every run")
        if settings.method == "sobol":
            result = sobol.analyze(problem, y, calc_second_order=False, seed=seed)
        else:
            result = morris.analyze(problem, unit, y, num_levels=settings.num_levels, seed=seed)
        columns = INDEX_COLUMNS[settings.method]
        frame = pd.DataFrame({c: np.asarray(result[c], dtype=float) for c in columns})
        frame.insert(0, "parameter", problem["names"])
        frame.insert(0, "outcome", outcome)
        frame = frame.sort_values(columns[0], ascending=False, ignore_index=True)
        frame.insert(2, "rank", np.arange(1, len(frame) + 1))
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def sensitivity(experiment: Experiment | str | Path | None = None, *, out: str | Path | None = None,
                workers: int = 1, scheduler: str | None = None, progress: bool = False,
                **fields: Any) -> SensitivityResult:
    """Run a Sobol or Morris analysis of the experiment's ``ranges`` on its ``sensitivity.outcomes``.

    Args:
        experiment: an experiment file or object with ``ranges`` and a ``sensitivity`` section, or ``None`` to
            build one from keyword ``fields``.
        out: directory for the runs (Parquet, resumable) and ``indices.csv``; ``orgsim sensitivity`` adds
            ``sensitivity.png`` (:func:`orgsim.viz.sensitivity.plot_indices`).
        workers: local worker processes, as in :func:`orgsim.sweep`.
        scheduler: Dask scheduler address, as in :func:`orgsim.sweep`.
        progress: show a progress bar.
        **fields: experiment fields when ``experiment`` is ``None``.
    """
    experiment = resolve(experiment, fields)
    if experiment.sensitivity is None or not experiment.ranges or experiment.grid:
        raise ScenarioError(f"{experiment.name}: sensitivity needs 'ranges', a 'sensitivity' section and no "
                            f"'grid' (got ranges={list(experiment.ranges)}, grid={list(experiment.grid)})")
    seed = base_scenario(experiment).run.seed if experiment.seed is None else experiment.seed
    experiment = experiment.model_copy(update={"outputs": list(dict.fromkeys(
        [*experiment.sensitivity.outcomes, *experiment.outputs]))})
    unit = unit_sample(experiment, seed)
    with sweep_lock(out):
        runs, _ = run_points(experiment, scale_unit(unit, experiment.ranges), out=out, workers=workers,
                             scheduler=scheduler, progress=progress)
        indices = analyse(experiment, unit, runs, seed)
        result = SensitivityResult(experiment.sensitivity.method, indices, runs)
        if out is not None:
            write_table(Path(out) / "indices.csv", indices)
    return result
