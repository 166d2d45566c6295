"""The one way to run the model: ``run(scenario) -> Results``, used by the CLI, notebooks, sweeps and dashboard."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from orgsim import __version__
from orgsim import kernels as K
from orgsim.metrics import summary, timeseries
from orgsim.params import Scenario
from orgsim.scenario import load_scenario, scenario_hash, with_overrides
from orgsim.simulation import Simulation


def replicate_seed(seed: int, replicate: int) -> int:
    """The seed of one replicate, derived from the master seed (independent of how runs are scheduled)."""
    return int(np.random.SeedSequence(seed, spawn_key=(replicate,)).generate_state(1, np.uint64)[0] >> 1)


@dataclass
class Results:
    """What a run produces: a tidy daily table, headline metrics, and what made them."""

    scenario: Scenario
    timeseries: pd.DataFrame  # one row per day and replicate
    replicates: pd.DataFrame  # one row per replicate: seeds and summary metrics
    contributions: list[np.ndarray] = field(repr=False)  # per replicate, posts+replies per registered employee
    seed: int = 0

    @property
    def summary(self) -> dict:
        """Mean of each summary metric over replicates, with provenance."""
        metrics = self.replicates.drop(columns=["replicate", "replicate_seed"]).mean(numeric_only=True)
        return {
            "scenario": self.scenario.name,
            "seed": self.seed,
            "replicates": int(len(self.replicates)),
            "days": int(self.timeseries["day"].max()) + 1,
            "orgsim_version": __version__,
            "scenario_hash": scenario_hash(self.scenario),
            **{k: (None if pd.isna(v) else float(v)) for k, v in metrics.items()},
        }

    def mean_timeseries(self) -> pd.DataFrame:
        """The daily table averaged over replicates."""
        return self.timeseries.drop(columns="replicate").groupby("day", as_index=False).mean()


def run_replicate(scenario: Scenario, replicate: int, seed: int,
                  on_day: Callable[[], None] | None = None) -> tuple[pd.DataFrame, dict, np.ndarray]:
    """Run one replicate; return its daily table, summary and per-member contributions."""
    rseed = replicate_seed(seed, replicate)
    model = Simulation(scenario, rng=rseed)
    model.run_days(scenario.run.days, on_day)
    frame = timeseries(model.counters, scenario.organization.n_employees, scenario.employees.n_topics, replicate)
    contributions = model.contributions
    metrics = {"replicate": replicate, "replicate_seed": rseed,
               **summary(frame, contributions, model.counters)}
    return frame, metrics, contributions


def run(scenario: Scenario | str | Path, seed: int | None = None, replicates: int | None = None,
        days: int | None = None, on_day: Callable[[], None] | None = None) -> Results:
    """Run a scenario (object or file path) for all its replicates.

    Args:
        scenario: a :class:`Scenario` or the path of a scenario file.
        seed: overrides ``run.seed``.
        replicates: overrides ``run.replicates``.
        days: overrides ``run.days``.
        on_day: called after every simulated day (progress bars).
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    updates = {f"run.{k}": v for k, v in {"seed": seed, "replicates": replicates, "days": days}.items()
               if v is not None}
    if updates:
        scenario = with_overrides(scenario, updates)  # validated: a bad value is a ScenarioError
    frames, rows, contributions = [], [], []
    for r in range(scenario.run.replicates):
        frame, metrics, contrib = run_replicate(scenario, r, scenario.run.seed, on_day)
        frames.append(frame)
        rows.append(metrics)
        contributions.append(contrib)
    return Results(scenario, pd.concat(frames, ignore_index=True), pd.DataFrame(rows), contributions,
                   scenario.run.seed)


# What the first run in a process waits for, said by progress bars until its first day
LOADING_KERNELS = "loading the kernels (the first run on a machine compiles them, 1-2 minutes)"


def kernels_loaded() -> bool:
    """Whether this process has loaded the kernels already (then a run starts at once)."""
    return bool(getattr(K.step_days, "signatures", True))  # a plain function under NUMBA_DISABLE_JIT


def warm_up() -> None:
    """Load the numba kernels (from the on-disk cache; compiled on a machine's first run) with a tiny run."""
    tiny = Scenario.model_validate({"run": {"days": 2}, "organization": {"n_employees": 30, "n_departments": 2},
                                    "rollout": {"champions": 2}})
    run_replicate(tiny, 0, 0)
