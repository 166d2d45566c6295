"""Experiment files: which scenario to run, what to vary, how often, and what to keep.

An experiment is YAML data (never code) validated like a scenario: unknown keys,
wrong types, unknown parameter paths and out-of-range values are rejected with
one line per problem naming the file, the field path, the value and what was
expected. Example (``experiments/leaders.yaml``)::

    name: leaders
    scenario: ../scenarios/top_down.yaml   # relative to this file
    seed: 1                                # run i uses SeedSequence(seed, spawn_key=(i,))
    replicates: 3                          # runs per design point
    set:                                   # fixed overrides, dotted paths; the launch
      run.days: 180                        # event is replaced, or it would set the
      rollout.events: [{day: 0, announce: all}]   # swept policy value again
    grid:                                  # every combination of these lists ...
      policy.leader_participation: [0.0, 0.1, 0.5]
    ranges:                                # ... times `samples` points of these ranges
      employees.trust_mean: [0.3, 0.8]
    design: lhs                            # lhs | sobol (scipy.stats.qmc)
    samples: 8
    outputs: [final_active_7d_share, gini_posts]   # summary metrics kept (default: all)
    timeseries: [n_active_7d]              # daily columns kept (default: none)

A ``sensitivity:`` section (method ``sobol`` or ``morris``, ``samples``,
``outcomes``) makes the file usable by ``orgsim sensitivity``, which samples the
``ranges`` with SALib instead of ``design``.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from orgsim.fields import Text, Title
from orgsim.metrics import COLUMNS, SUMMARY_KEYS
from orgsim.params import Scenario
from orgsim.scenario import (
    LENGTH_AND_EVENTS,
    ScenarioError,
    format_validation_error,
    load_scenario,
    overridden,
    overridden_message,
    read_yaml,
    set_dotted,
    warn_unreached,
    with_overrides,
)
from orgsim.yamlfile import clip

METRICS = SUMMARY_KEYS  # the summary metrics of one run, the columns ``outputs`` may name


def _known(names: list[str], valid: tuple[str, ...] | list[str], what: str) -> list[str]:
    unknown = [n for n in names if n not in valid]
    if unknown:
        raise ValueError(f"unknown {what} {unknown[0]!r}; valid: {', '.join(valid)}")
    return names


class Sensitivity(BaseModel):
    """How ``orgsim sensitivity`` samples the ``ranges`` and which outcomes it explains."""

    model_config = ConfigDict(extra="forbid")

    method: Literal["sobol", "morris"] = Field("sobol", description="SALib method: Sobol indices or Morris screening")
    samples: int = Field(8, ge=2, le=65536, description="sobol: base samples N (a power of 2); morris: trajectories")
    outcomes: list[str] = Field(..., min_length=1, description="summary metrics to explain")
    num_levels: int = Field(4, ge=2, le=32, description="morris: grid levels per parameter")

    @field_validator("outcomes")
    @classmethod
    def _outcomes(cls, names: list[str]) -> list[str]:
        return _known(names, METRICS, "metric")

    @model_validator(mode="after")
    def _power_of_two(self) -> Sensitivity:
        if self.method == "sobol" and self.samples & (self.samples - 1):
            raise ValueError(f"sobol needs samples to be a power of 2, got {self.samples}")
        return self


class Experiment(BaseModel):
    """A validated experiment: base scenario, varied parameters, replicates and outputs."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    name: Title = Field("experiment", description="title; its output folder is a slug of it")
    description: Text = Field("", max_length=5000, description="what the experiment asks")
    scenario: str | Scenario = Field(..., description="base scenario: a file (relative to the experiment) or object")
    seed: int | None = Field(None, ge=0, le=2**63 - 1, description="experiment seed; default: the scenario's run.seed")
    replicates: int = Field(1, ge=1, le=100_000, description="runs per design point")
    set: dict[str, Any] = Field(default_factory=dict, description="fixed overrides applied to every run")
    grid: dict[str, list[Any]] = Field(default_factory=dict, description="parameters to vary: every combination")
    ranges: dict[str, tuple[float, float]] = Field(default_factory=dict,
                                                   description="parameters to sample: [low, high]")
    design: Literal["lhs", "sobol"] = Field("lhs", description="sampler for ranges (scipy.stats.qmc)")
    samples: int = Field(16, ge=1, le=1_000_000, description="points drawn from ranges")
    outputs: list[str] = Field(list(METRICS), min_length=1, description="summary metrics kept per run")
    timeseries: list[str] | bool = Field(False, description="daily columns kept (true: all, false: none)")
    sensitivity: Sensitivity | None = Field(None, description="settings for `orgsim sensitivity`")

    @field_validator("grid")
    @classmethod
    def _grid(cls, grid: dict[str, list[Any]]) -> dict[str, list[Any]]:
        for key, values in grid.items():
            if not values:
                raise ValueError(f"grid {key!r} needs at least one value")
        return grid

    @field_validator("ranges")
    @classmethod
    def _ranges(cls, ranges: dict[str, tuple[float, float]]) -> dict[str, tuple[float, float]]:
        for key, (low, high) in ranges.items():
            if not low < high:
                raise ValueError(f"range {key!r} needs low < high, got [{low}, {high}]")
        return ranges

    @field_validator("outputs")
    @classmethod
    def _outputs(cls, names: list[str]) -> list[str]:
        return _known(names, METRICS, "metric")

    @field_validator("timeseries")
    @classmethod
    def _timeseries(cls, names: list[str] | bool) -> list[str] | bool:
        return names if isinstance(names, bool) else _known(names, COLUMNS, "time-series column")

    @model_validator(mode="after")
    def _disjoint(self) -> Experiment:
        if self.ranges and self.design == "sobol" and self.samples & (self.samples - 1):
            raise ValueError(f"design 'sobol' needs samples to be a power of 2, got {self.samples}")
        twice = set(self.grid) & set(self.ranges) | (set(self.set) & (set(self.grid) | set(self.ranges)))
        if twice:
            raise ValueError(f"parameter {sorted(twice)[0]!r} is given in more than one of set, grid and ranges")
        return self

    @property
    def varied(self) -> list[str]:
        """The dotted paths varied by this experiment, grid first."""
        return [*self.grid, *self.ranges]

    @property
    def kept_timeseries(self) -> list[str]:
        """Daily columns kept per run (``day`` always included when any is kept)."""
        if self.timeseries is False:
            return []
        names = [c for c in COLUMNS if c != "replicate"] if self.timeseries is True else list(self.timeseries)
        return ["day", *[n for n in names if n != "day"]]


@dataclass(frozen=True)
class Run:
    """One simulation of a sweep: its index fixes its seed, ``point`` its parameter values."""

    index: int
    point: int
    replicate: int
    values: dict[str, Any]


def _python(value: Any) -> Any:
    """Numpy scalars to plain Python (for pydantic, YAML and JSON)."""
    return value.item() if isinstance(value, np.generic) else value


def scale_unit(unit: np.ndarray, ranges: dict[str, tuple[float, float]]) -> list[dict[str, Any]]:
    """Map points of the unit cube onto ``ranges``; ranges with integer bounds give integers."""
    points = []
    for row in np.atleast_2d(unit):
        point = {}
        for u, (key, (low, high)) in zip(row, ranges.items(), strict=True):
            value = low + float(u) * (high - low)
            if isinstance(low, int) and isinstance(high, int):
                value = min(high, int(np.floor(low + float(u) * (high - low + 1))))
            point[key] = value
        points.append(point)
    return points


def design_points(experiment: Experiment, seed: int) -> list[dict[str, Any]]:
    """Parameter values of every design point: the grid's combinations times the sampled ranges."""
    from scipy.stats import qmc

    grid = [dict(zip(experiment.grid, combo, strict=True)) for combo in itertools.product(*experiment.grid.values())]
    sampled: list[dict[str, Any]] = [{}]
    if experiment.ranges:
        d = len(experiment.ranges)
        sampler = qmc.LatinHypercube(d, rng=seed) if experiment.design == "lhs" else qmc.Sobol(d, rng=seed)
        sampled = scale_unit(sampler.random(experiment.samples), experiment.ranges)
    return [{k: _python(v) for k, v in {**g, **s}.items()} for g in grid for s in sampled]


def plan(experiment: Experiment, points: list[dict[str, Any]]) -> list[Run]:
    """Every run of an experiment, point by point, replicates innermost."""
    return [Run(p * experiment.replicates + r, p, r, values)
            for p, values in enumerate(points) for r in range(experiment.replicates)]


def base_scenario(experiment: Experiment) -> Scenario:
    """The experiment's base scenario with its fixed ``set`` overrides applied."""
    scenario = experiment.scenario
    if isinstance(scenario, str):
        scenario = load_scenario(scenario)
    return with_overrides(scenario, experiment.set, f"{experiment.name}: set", warn=False) if experiment.set \
        else scenario


def _about(error: dict, key: str) -> bool:
    """Whether a validation error concerns the field at ``key`` itself (not a rule across fields)."""
    loc, parts = tuple(str(p) for p in error["loc"]), tuple(key.split("."))
    return loc[:len(parts)] == parts or (parts[:len(loc)] == loc and error["type"] != "value_error")


def check_values(experiment: Experiment, base: Scenario, source: str) -> None:
    """Reject unknown parameter paths and grid values or range bounds that no combination could make valid.

    Rules across fields (``n_departments < n_employees``) are checked per run: a run breaking them fails.
    """
    problems = []
    singles = [(f"grid.{k}[{i}]", k, v) for k, values in experiment.grid.items() for i, v in enumerate(values)]
    singles += [(f"ranges.{k}[{i}]", k, v) for k, bounds in experiment.ranges.items() for i, v in enumerate(bounds)]
    for where, key, value in singles:
        try:
            Scenario.model_validate(set_dotted(base.model_dump(), key, value))
        except ValidationError as exc:
            own = [{k: e[k] for k in ("type", "loc", "input", "ctx") if k in e} for e in exc.errors() if _about(e, key)]
            if own:
                problems.append(format_validation_error(f"{source}: {where}",
                                                        ValidationError.from_exception_data(exc.title, own)))
    if problems:
        raise ScenarioError("\n".join(dict.fromkeys(problems)))


def check_effective(experiment: Experiment, base: Scenario, source: str) -> None:
    """Reject a ``policy.*`` value in set, grid or ranges that a day-0 event of the scenario sets again.

    Every run would use the event's value: the sweep would vary nothing.
    """
    problems = [f"{source}: {where}.{overridden_message(base, key, event)}"
                for where, values in (("set", experiment.set), ("grid", experiment.grid), ("ranges", experiment.ranges))
                for key, event in overridden(base, values)]
    if problems:
        raise ScenarioError("\n".join(problems))


def validate_experiment(data: dict, source: str = "<experiment>") -> Experiment:
    """Validate an experiment mapping; raise :class:`ScenarioError` with readable lines, every problem at once.

    The fields' own errors come first; the parameter values are then checked without the fields in error.
    """
    problems = []
    try:
        experiment = Experiment.model_validate(data)
    except ValidationError as exc:
        problems.append(format_validation_error(source, exc, Experiment))
        in_error = {str(e["loc"][0]) for e in exc.errors() if e["loc"]}
        try:
            experiment = Experiment.model_validate({k: v for k, v in data.items() if k not in in_error})
        except ValidationError:
            raise ScenarioError(problems[0]) from None
    try:
        try:
            base = base_scenario(experiment.model_copy(update={"set": {}}))
        except ScenarioError as exc:  # lines naming the scenario's file: say which experiment names it
            raise ScenarioError("\n".join(f"{source}: scenario: {line}" for line in str(exc).split("\n"))) from None
        if experiment.set:  # applied here, not by base_scenario, so that its errors name this file
            base = with_overrides(base, experiment.set, f"{source}: set", warn=False)
        check_values(experiment, base, source)
        check_effective(experiment, base, source)
    except ScenarioError as exc:
        problems.append(str(exc))
    if problems:
        raise ScenarioError("\n".join(problems))
    if LENGTH_AND_EVENTS & set(experiment.set):
        warn_unreached(base, f"{source}: set")
    return experiment


def load_experiment(path: str | Path) -> Experiment:
    """Load and validate an experiment file; its scenario path is relative to the file."""
    path = Path(path)
    data = read_yaml(path)
    if "scenario" not in data and set(data) & ({"extends", *Scenario.model_fields} - {"name", "description"}):
        raise ScenarioError(f"{path}: a scenario file, not an experiment (it has no 'scenario' field); run it with "
                            f"'orgsim run {path}', or name it in an experiment file's 'scenario' field")
    scenario = data.get("scenario")
    if isinstance(scenario, str) and not Path(scenario).is_absolute():
        data["scenario"] = str(path.parent / scenario)
    if isinstance(scenario, str) and not (found := Path(data["scenario"])).is_file():
        looked = str(found.absolute())
        raise ScenarioError(f"{path}: scenario: {clip(scenario)}: file not found (looked for "
                            f"{looked if looked.isprintable() else clip(looked)}: a relative name is read from the "
                            "experiment file's folder)")
    return validate_experiment(data, str(path))
