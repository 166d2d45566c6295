"""Read, merge and validate scenario files.

A scenario file is YAML data (never code). It may name a base file with
``extends: other.yaml`` (relative to itself); its mappings are merged into the
base recursively, lists replace lists. Errors are raised as
:class:`ScenarioError` with one line per problem naming the file, the field
path, the bad value and what was expected.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from collections.abc import Hashable
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from orgsim.params import Event, Scenario, expectation


class ScenarioError(ValueError):
    """A scenario (or experiment) file is missing, unreadable or invalid."""


def deep_merge(base: dict, override: dict) -> dict:
    """Return ``base`` updated recursively by ``override`` (mappings merge, other values replace)."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


class DuplicateKeyError(yaml.MarkedYAMLError):
    """A key given twice in one mapping (plain YAML would silently keep the last)."""


class UniqueKeyLoader(yaml.SafeLoader):
    """YAML's safe loader (plain data, no objects) that rejects duplicate keys."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        """A mapping, after checking that no key appears twice."""
        first_line = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":  # "<<: *anchor" merges keys; the mapping's own win
                continue
            key = self.construct_object(key_node, deep=deep)
            if not isinstance(key, Hashable):  # the safe loader rejects it below, with its line
                continue
            if key in first_line:
                raise DuplicateKeyError(problem=f"duplicate key {key!r} (first given on line {first_line[key]})",
                                        problem_mark=key_node.start_mark)
            first_line[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep)


def read_yaml(path: Path) -> dict:
    """Load one YAML mapping safely, with the file and line in any error."""
    if path.is_dir():
        example = next(iter(sorted(path.glob("*.yaml"))), None)
        raise ScenarioError(f"{path}: a folder; expected a YAML file" + (f", such as {example}" if example else ""))
    if not path.is_file():
        raise ScenarioError(f"{path}: file not found")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise ScenarioError(f"{path} (line {line}): not UTF-8 text (byte 0x{raw[exc.start]:02x}); "
                            "save the file as UTF-8") from None
    try:
        data = yaml.load(text, Loader=UniqueKeyLoader)  # a SafeLoader: plain data only
    except DuplicateKeyError as exc:
        mark = exc.problem_mark
        raise ScenarioError(f"{path} (line {mark.line + 1}, column {mark.column + 1}): {exc.problem}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ScenarioError(f"{path}{where}: YAML syntax error: {problem}") from None
    if data is None:
        raise ScenarioError(f"{path}: the file is empty; expected a mapping of sections (see scenarios/)")
    if not isinstance(data, dict):
        raise ScenarioError(f"{path}: expected a mapping of sections at the top level, got {type(data).__name__}")
    return data


def read_scenario_data(path: str | Path, _seen: tuple[Path, ...] = ()) -> dict:
    """Read a scenario file and the chain of files it extends, merged into one mapping."""
    path = Path(path)
    if path.resolve() in _seen:
        raise ScenarioError(f"{path}: 'extends' forms a cycle")
    data = read_yaml(path)
    if "scenario" in data:
        raise ScenarioError(f"{path}: an experiment file, not a scenario (it names a base 'scenario'); run it with "
                            f"'orgsim sweep {path}'")
    org = data.get("organization")
    if isinstance(org, dict) and isinstance(org.get("edgelist"), str) and not Path(org["edgelist"]).is_absolute():
        org["edgelist"] = str(path.parent / org["edgelist"])  # relative to the file that names it
    resolve_client_files(data, path)
    base_name = data.pop("extends", None)
    if base_name is None:
        return data
    if not isinstance(base_name, str):
        raise ScenarioError(f"{path}: extends: expected a file name, got {base_name!r}")
    base_path = path.parent / base_name
    if not base_path.is_file():
        raise ScenarioError(f"{path}: extends: {base_name!r}: file not found (looked for {base_path.resolve()}: "
                            "a relative name is read from the folder of the file that extends it)")
    base = read_scenario_data(base_path, (*_seen, path.resolve()))
    return deep_merge(base, data)


def resolve_client_files(data: dict, path: Path) -> None:
    """Make ``organization.org_chart``'s relative file paths relative to the scenario file ``path`` (in place)."""
    org = data.get("organization")
    files = org.get("org_chart") if isinstance(org, dict) else None
    if not isinstance(files, dict):
        return
    for name in ("chart", "collaboration", "survey"):
        if isinstance(files.get(name), str) and not Path(files[name]).is_absolute():
            files[name] = str(path.parent / files[name])


def set_dotted(data: dict, dotted: str, value: Any) -> dict:
    """Return a copy of ``data`` with ``value`` at ``dotted`` (e.g. ``"policy.moderation"``)."""
    head, _, rest = dotted.partition(".")
    out = dict(data)
    out[head] = set_dotted(dict(out.get(head) or {}), rest, value) if rest else value
    return out


def _model_at(loc: tuple, model: type[BaseModel] = Scenario) -> type[BaseModel] | None:
    """The pydantic model class that owns the field at ``loc`` (for listing valid keys)."""
    for part in loc:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part)
        if field is None:
            return model
        annotation = field.annotation
        inner = getattr(annotation, "__args__", (annotation,))
        submodels = [a for a in inner if isinstance(a, type) and issubclass(a, BaseModel)]
        if not submodels:
            return model
        model = submodels[0]
    return model


def format_validation_error(source: str, exc: ValidationError, root: type[BaseModel] = Scenario) -> str:
    """Turn pydantic errors into lines ``source: path: value ...: expected ...``."""
    lines = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        path = ".".join(str(p) for p in loc)
        value = err.get("input")
        if err["type"] == "extra_forbidden":
            owner = _model_at(loc[:-1], root)
            valid = ", ".join(sorted(owner.model_fields)) if owner else "?"
            lines.append(f"{source}: {path}: unknown key {loc[-1]!r}; valid keys here: {valid}")
            continue
        if err["type"] == "value_error":  # a rule across fields: its message is a sentence of its own
            lines.append(f"{source}: " + (f"{path}: " if loc else "") + err["msg"].removeprefix("Value error, "))
            continue
        shown = "" if err["type"] == "missing" else f"got {value!r}; "
        lines.append(f"{source}: {path or '(top level)'}: {shown}expected: {expectation(err['msg'])}")
    return "\n".join(lines)


def validate(data: dict, source: str = "<scenario>") -> Scenario:
    """Validate a merged scenario mapping; raise :class:`ScenarioError` with readable lines."""
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(format_validation_error(source, exc)) from None


def overridden(scenario: Scenario, overrides: dict[str, Any]) -> list[tuple[str, Event]]:
    """The policy fields among ``overrides`` that a day-0 event of ``scenario`` sets again, with that event.

    A value given for such a field is never used. ``policy.<name>`` names one field; ``policy``
    with a mapping sets each of its keys.
    """
    fields = []
    for dotted, value in overrides.items():
        if dotted == "policy" and isinstance(value, dict):
            fields += [f"policy.{name}" for name in value]
        elif dotted.startswith("policy."):
            fields.append(dotted)
    found = []
    for field in fields:
        name = field.partition(".")[2]
        event = next((e for e in scenario.rollout.events if e.day == 0 and name in e.set), None)
        if event is not None:
            found.append((field, event))
    return found


def overridden_message(scenario: Scenario, dotted: str, event: Event) -> str:
    """Why a value for ``dotted`` has no effect, and what to do instead."""
    name = dotted.partition(".")[2]
    note = f" ({event.note})" if event.note else ""
    return (f"{dotted}: has no effect: {scenario.name}'s day-0 event{note} sets {name} = {event.set[name]} "
            "before the first day; replace the scenario's events (e.g. rollout.events: "
            "[{day: 0, announce: all}]) or set the value in an event")


def _applied(data: dict, overrides: dict[str, Any], source: str, warn: bool = True) -> Scenario:
    """Validate ``data`` with ``overrides`` applied: the one path of every override (files, API, sweeps).

    With ``warn``, warns about what has no effect: a policy override a day-0 event undoes, or an
    event after the run's last day. Errors name ``source``.
    """
    for dotted, value in overrides.items():
        data = set_dotted(data, dotted, value)
    scenario = validate(data, source)
    if not warn:
        return scenario
    for dotted, event in overridden(scenario, overrides):
        warnings.warn(f"{source}: {overridden_message(scenario, dotted, event)}", UserWarning, stacklevel=3)
    if not overrides or LENGTH_AND_EVENTS & set(overrides):  # as written, or with another length or other events
        warn_unreached(scenario, source, stacklevel=3)
    return scenario


LENGTH_AND_EVENTS = {"run", "run.days", "rollout", "rollout.events"}  # overrides that decide which events happen


def warn_unreached(scenario: Scenario, source: str, stacklevel: int = 2) -> None:
    """Warn about each event after the run's last day: it never happens."""
    last = scenario.run.days - 1
    for event in (e for e in scenario.rollout.events if e.day > last):
        note = f" ({event.note})" if event.note else ""
        warnings.warn(f"{source}: rollout.events: the event on day {event.day}{note} comes after the run's last "
                      f"day ({last}) and is not reached; raise run.days to include it", UserWarning,
                      stacklevel=stacklevel + 1)


def load_scenario(path: str | Path, overrides: dict[str, Any] | None = None) -> Scenario:
    """Load, merge and validate a scenario file, applying dotted-path ``overrides``."""
    return _applied(read_scenario_data(path), overrides or {}, str(path))


def with_overrides(scenario: Scenario, overrides: dict[str, Any], source: str | None = None,
                   warn: bool = True) -> Scenario:
    """A copy of ``scenario`` with dotted-path ``overrides`` applied and validated; errors name ``source``.

    With ``warn``, warns if a ``policy.*`` override is undone by a day-0 event of the scenario, and, when
    the overrides change the run's length or the events, about each event after the last day.
    """
    return _applied(scenario.model_dump(), overrides, source or scenario.name, warn)


def with_run_settings(scenario: Scenario, seed: int | None = None, replicates: int | None = None,
                      days: int | None = None) -> Scenario:
    """``scenario`` with the given ``run.seed``, ``run.replicates`` and ``run.days`` (validated); unchanged if none."""
    settings = {"seed": seed, "replicates": replicates, "days": days}
    updates = {f"run.{key}": value for key, value in settings.items() if value is not None}
    return with_overrides(scenario, updates) if updates else scenario


def day0_policy(scenario: Scenario) -> dict:
    """The policy in force on day 0: the scenario's policy updated by its day-0 events."""
    policy = scenario.policy.model_dump()
    for event in scenario.rollout.events:
        if event.day == 0:
            policy.update(event.set)
    return policy


def scenario_hash(scenario: Scenario) -> str:
    """A short stable hash of the resolved scenario (recorded in every output)."""
    blob = json.dumps(scenario.model_dump(mode="json"), sort_keys=True).encode()
    return hashlib.sha256(blob).hexdigest()[:16]
