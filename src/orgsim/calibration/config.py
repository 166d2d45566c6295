"""The calibration file: base scenario, data, parameters to fit with priors, observables, distance, forecast.

Read through :func:`orgsim.scenario.read_yaml` like every scenario and experiment file and validated
with pydantic; every problem is one line naming the file, the field and the value.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from orgsim.calibration.data import OBSERVABLES, REPORTS
from orgsim.params import Event, Scenario
from orgsim.scenario import (
    ScenarioError,
    format_validation_error,
    load_scenario,
    read_yaml,
    with_overrides,
)


class Prior(BaseModel):
    """A prior of one fitted parameter: ``{uniform: [low, high]}`` or ``{log_uniform: [low, high]}``."""

    model_config = ConfigDict(extra="forbid")

    uniform: tuple[float, float] | None = Field(None, description="flat between low and high")
    log_uniform: tuple[float, float] | None = Field(None, description="flat in log between low > 0 and high")
    integer: bool = Field(False, description="round the drawn value to a whole number (e.g. churn_days)")

    @model_validator(mode="after")
    def _one(self) -> Prior:
        given = [b for b in (self.uniform, self.log_uniform) if b is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of uniform: [low, high] or log_uniform: [low, high]")
        low, high = given[0]
        if not low < high:
            raise ValueError(f"needs low < high, got [{low}, {high}]")
        if self.log_uniform is not None and low <= 0:
            raise ValueError(f"log_uniform needs low > 0, got {low}")
        return self

    @property
    def log(self) -> bool:
        """Whether the fit works on the logarithm of this parameter."""
        return self.log_uniform is not None

    @property
    def bounds(self) -> tuple[float, float]:
        """(low, high) on the fit's scale: the value, or its natural log for a log-uniform prior."""
        low, high = self.log_uniform if self.log else self.uniform
        return (float(np.log(low)), float(np.log(high))) if self.log else (float(low), float(high))

    def value(self, x: float) -> float | int:
        """The scenario value of a point ``x`` on the fit's scale."""
        value = float(np.exp(x)) if self.log else float(x)
        return int(round(value)) if self.integer else value


class DataFile(BaseModel):
    """One usage file."""

    model_config = ConfigDict(extra="forbid")

    file: str = Field(..., description="CSV file, relative to the calibration file")
    report: Literal[REPORTS] = Field("auto", description="plain, user_counts, activity_counts (auto: plain)")


class Intervention(BaseModel):
    """A counterfactual: the fitted posterior with scenario events added."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(..., min_length=1, description="shown in the report")
    events: list[Event] = Field(..., min_length=1, description="rollout events added to the scenario's own")


class Calibration(BaseModel):
    """A validated calibration file."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field("calibration", description="short name, used for the output folder")
    description: str = Field("", description="what is fitted, for the report")
    scenario: str = Field(..., description="base scenario file, relative to the calibration file")
    data: list[DataFile] = Field(..., min_length=1, description="usage files, joined on their dates")
    head_count: int | None = Field(None, ge=1, le=10_000_000, description="employees (or --head-count)")
    launch: dt.date | None = Field(None, description="launch date, day 0 (or --launch)")
    set: dict[str, Any] = Field(default_factory=dict, description="fixed scenario overrides")
    fit: dict[str, Prior] = Field(..., min_length=1, description="dotted scenario paths to fit, with priors")
    observables: list[str] = Field(["readers", "posters", "likers"], min_length=1,
                                   description="observables compared with the data")
    summary: Literal["daily", "weekly"] = Field("weekly", description="compare daily values or weekly means")
    distance: Literal["scaled", "euclidean"] = Field(
        "scaled", description="Euclidean distance of the statistics, each observable divided by its observed mean "
        "(scaled) or by the head count (euclidean)")
    fit_until: int | None = Field(None, ge=1, description="fit the data up to this day since launch; later days are "
                                  "held out and checked against the forecast")
    population: int = Field(100, ge=5, le=100_000, description="particles per ABC-SMC generation")
    generations: int = Field(6, ge=1, le=100, description="ABC-SMC generations")
    min_epsilon: float = Field(0.0, ge=0, description="stop early once the tolerance is this small")
    seed: int = Field(1, ge=0, description="seed of the fit (numpy) and of every simulation it draws")
    horizon: int | None = Field(None, ge=1, le=3650, description="forecast to this day since launch")
    draws: int = Field(40, ge=2, le=10_000, description="posterior draws simulated for bands and forecasts")
    interventions: list[Intervention] = Field(default_factory=list, description="counterfactual forecasts")

    @field_validator("observables")
    @classmethod
    def _observables(cls, names: list[str]) -> list[str]:
        unknown = [n for n in names if n not in OBSERVABLES]
        if unknown:
            raise ValueError(f"unknown observable(s) {unknown}; valid: {', '.join(OBSERVABLES)}")
        return names

    @model_validator(mode="after")
    def _fit_not_set(self) -> Calibration:
        twice = sorted(set(self.fit) & set(self.set))
        if twice:
            raise ValueError(f"parameter {twice[0]!r} is both fitted (fit) and fixed (set)")
        return self


def resolve(path: Path, name: str) -> str:
    """A file named in a calibration file: relative names are read from that file's folder."""
    return name if Path(name).is_absolute() else str(path.parent / name)


def validate_calibration(data: dict, source: str = "<calibration>") -> Calibration:
    """Validate a calibration mapping; :class:`ScenarioError` lists every problem, one per line."""
    try:
        calibration = Calibration.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(format_validation_error(source, exc, Calibration)) from None
    base = load_scenario(calibration.scenario)
    problems = []
    try:
        base = with_overrides(base, calibration.set, f"{source}: set", warn=False) if calibration.set else base
    except ScenarioError as exc:
        problems.append(str(exc))
    for key, prior in calibration.fit.items():
        for bound in (prior.log_uniform or prior.uniform):
            value = int(round(bound)) if prior.integer else bound
            try:
                with_overrides(base, {key: value}, f"{source}: fit.{key}", warn=False)
            except ScenarioError as exc:
                problems.append(str(exc))
    if problems:
        raise ScenarioError("\n".join(dict.fromkeys(problems)))
    return calibration


def load_calibration(path: str | Path, head_count: int | None = None, launch: str | None = None) -> Calibration:
    """Load and validate a calibration file; file names in it are relative to it.

    ``head_count`` and ``launch`` (from the command line) replace the file's.
    """
    path = Path(path)
    data = read_yaml(path)
    if "scenario" not in data and set(data) & set(Scenario.model_fields) - {"name", "description"}:
        raise ScenarioError(f"{path}: a scenario file, not a calibration file (it has no 'scenario' field)")
    if isinstance(data.get("scenario"), str):
        data["scenario"] = resolve(path, data["scenario"])
        if not Path(data["scenario"]).is_file():
            raise ScenarioError(f"{path}: scenario: {data['scenario']!r}: file not found (a relative name is read "
                                "from the calibration file's folder)")
    if isinstance(data.get("data"), list):
        for entry in data["data"]:
            if isinstance(entry, dict) and isinstance(entry.get("file"), str):
                entry["file"] = resolve(path, entry["file"])
    if head_count is not None:
        data["head_count"] = head_count
    if launch is not None:
        data["launch"] = launch
    calibration = validate_calibration(data, str(path))
    missing = [name for name in ("head_count", "launch") if getattr(calibration, name) is None]
    if missing:
        raise ScenarioError("\n".join(f"{path}: {name}: not given; set it in the file or with "
                                      f"--{name.replace('_', '-')}" for name in missing))
    return calibration
