"""Running the model: ``run(scenario) -> Results`` in this process, and ``collect`` for replicates run elsewhere.

``run`` and ``run_replicate`` serve notebooks, sweeps and ``orgsim compare``; ``collect`` makes the same Results of
replicates simulated in ``orgsim run``'s worker processes (:mod:`orgsim.background`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from orgsim import __version__
from orgsim.client import min_group_size, provenance, unit_names
from orgsim.engine import Replicate
from orgsim.metrics import SUMMARY_KEYS, spread_table, spread_words, summary, timeseries, unit_table
from orgsim.params import Scenario
from orgsim.scenario import load_scenario, scenario_hash, with_run_settings
from orgsim.simulation import simulate


@dataclass
class Results:
    """What a run produces: a tidy daily table, headline metrics, and what made them."""

    scenario: Scenario
    timeseries: pd.DataFrame  # one row per day and replicate
    replicates: pd.DataFrame  # one row per replicate: seeds and summary metrics
    contributions: list[np.ndarray] = field(repr=False)  # per replicate, posts+replies per registered employee
    seed: int = 0
    by_unit: pd.DataFrame | None = None  # adoption by unit at the end (metrics.unit_table), small units left out

    @property
    def summary(self) -> dict:
        """Mean of each summary metric over replicates, with provenance, and each metric's spread (``spread``)."""
        metrics = self.replicates.drop(columns=["replicate", "replicate_seed"]).mean(numeric_only=True)
        spread = self.spread
        return {
            "scenario": self.scenario.name,
            "seed": self.seed,
            "replicates": int(len(self.replicates)),
            "days": int(self.timeseries["day"].max()) + 1,
            "orgsim_version": __version__,
            "scenario_hash": scenario_hash(self.scenario),
            **{k: (None if pd.isna(v) else float(v)) for k, v in metrics.items()},
            "spread": {"spans": spread_words(len(self.replicates)),
                       **{k: [None if pd.isna(v) else float(v) for v in spread.loc[k, ["low", "high"]]]
                          for k in SUMMARY_KEYS}},
            **({"inputs": inputs} if (inputs := provenance(self.scenario)) else {}),
        }

    @property
    def spread(self) -> pd.DataFrame:
        """Each summary metric's mean, low and high across replicates (:func:`orgsim.metrics.spread_table`)."""
        return spread_table(self.replicates, list(SUMMARY_KEYS))

    def mean_timeseries(self) -> pd.DataFrame:
        """The daily table averaged over replicates."""
        return self.timeseries.drop(columns="replicate").groupby("day", as_index=False).mean()


def tabulate(scenario: Scenario, replicate: int, simulated: Replicate) -> tuple[pd.DataFrame, dict, np.ndarray]:
    """One simulated replicate's daily table, summary metrics and per-member contributions."""
    frame = timeseries(simulated.counters, scenario.organization.n_employees, scenario.employees.n_topics, replicate)
    metrics = {"replicate": replicate, "replicate_seed": simulated.seed,
               **summary(frame, simulated.contributions, simulated.counters)}
    return frame, metrics, simulated.contributions


def run_replicate(scenario: Scenario, replicate: int, seed: int,
                  on_day: Callable[[], None] | None = None) -> tuple[pd.DataFrame, dict, np.ndarray]:
    """Run one replicate from the master ``seed``; return its daily table, summary and per-member contributions."""
    return tabulate(scenario, replicate, simulate(scenario, replicate, seed, on_day))


def collect(scenario: Scenario, simulated: list[Replicate]) -> Results:
    """The results of all of a scenario's replicates, simulated in order here or in worker processes."""
    frames, rows, contributions = zip(*(tabulate(scenario, r, sim) for r, sim in enumerate(simulated)), strict=True)
    counts = [sim.by_unit for sim in simulated if sim.by_unit is not None]
    by_unit = (unit_table(counts, unit_names(scenario.organization), min_group_size(scenario.organization))
               if counts else None)
    return Results(scenario, pd.concat(frames, ignore_index=True), pd.DataFrame(list(rows)), list(contributions),
                   scenario.run.seed, by_unit)


def run(scenario: Scenario | str | Path, seed: int | None = None, replicates: int | None = None,
        days: int | None = None, on_day: Callable[[], None] | None = None) -> Results:
    """Run a scenario (object or file path) for all its replicates, in this process.

    Args:
        scenario: a :class:`Scenario` or the path of a scenario file.
        seed: overrides ``run.seed``.
        replicates: overrides ``run.replicates``.
        days: overrides ``run.days``.
        on_day: called after every simulated day (progress bars).
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    scenario = with_run_settings(scenario, seed=seed, replicates=replicates, days=days)
    return collect(scenario, [simulate(scenario, r, scenario.run.seed, on_day) for r in range(scenario.run.replicates)])


# What the first run in a process waits for, said by progress bars until its first day
LOADING_KERNELS = "loading the kernels (the first run on a machine compiles them, 1-2 minutes)"


def kernels_loaded() -> bool:
    """Whether this process has loaded the kernels already (then a run starts at once)."""
    from orgsim.kernels.day import step_days

    return bool(getattr(step_days, "signatures", True))  # a plain function under NUMBA_DISABLE_JIT


def warm_up() -> None:
    """Load the numba kernels (from the on-disk cache; compiled on a machine's first run) with a tiny run."""
    tiny = Scenario.model_validate({"run": {"days": 2}, "organization": {"n_employees": 30, "n_departments": 2},
                                    "rollout": {"champions": 2}})
    run_replicate(tiny, 0, 0)
