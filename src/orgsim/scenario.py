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
import os
import warnings
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from orgsim.params import Event, Scenario, expectation
from orgsim.yamlfile import YamlFileError, clip, read_mapping


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


def read_yaml(path: Path) -> dict:
    """Load one YAML mapping with orgsim's bounded YAML 1.2 loader; one line per problem, naming the file."""
    try:
        return read_mapping(Path(path))
    except YamlFileError as exc:
        raise ScenarioError(str(exc)) from None


MAX_EXTENDS = 32  # files in one chain of 'extends'
SCENARIO_KEYS = {"extends", *Scenario.model_fields}


def _base_path(path: Path, name: object) -> Path:
    """The file that ``path`` names in ``extends: name``, checked to be a readable name."""
    if not isinstance(name, str) or not name:
        raise ScenarioError(f"{path}: extends: expected a file name, got {clip(name)}")
    if "\0" in name:
        raise ScenarioError(f"{path}: extends: {clip(name)}: a file name cannot contain a NUL character")
    try:
        os.fsencode(name)
    except UnicodeEncodeError:
        raise ScenarioError(f"{path}: extends: {clip(name)}: not a valid file name (an unpaired surrogate)") from None
    base = path.parent / name
    try:
        found = base.exists() or base.is_symlink()
    except OSError as exc:  # a name too long
        raise ScenarioError(f"{path}: extends: {clip(name)}: cannot be read ({exc.strerror or exc})") from None
    if not found:
        looked = str(base.absolute())
        raise ScenarioError(f"{path}: extends: {clip(name)}: file not found (looked for "
                            f"{looked if looked.isprintable() else clip(looked)}: a relative name is read from "
                            "the folder of the file that extends it)")
    return base


def _scenario_file(path: Path, named_by: Path | None) -> dict:
    """Read one file of an ``extends`` chain; a base file with no scenario section is "not a scenario file"."""
    try:
        data = read_yaml(path)
    except ScenarioError as exc:
        if named_by is None:
            raise
        raise ScenarioError(f"{named_by}: extends: {exc}") from None
    if "scenario" in data:
        raise ScenarioError(f"{path}: an experiment file, not a scenario (it names a base 'scenario'); run it with "
                            f"'orgsim sweep {path}'")
    if named_by is not None and not SCENARIO_KEYS & set(data):
        raise ScenarioError(f"{path} (named by {named_by}'s extends): not a scenario file: none of its "
                            f"{len(data)} top-level key(s) is a scenario section ({', '.join(sorted(SCENARIO_KEYS))})")
    org = data.get("organization")
    if isinstance(org, dict) and isinstance(org.get("edgelist"), str) and not Path(org["edgelist"]).is_absolute():
        org["edgelist"] = str(path.parent / org["edgelist"])  # relative to the file that names it
    resolve_client_files(data, path)
    return data


def read_scenario_data(path: str | Path) -> dict:
    """Read a scenario file and the chain of files it extends, merged into one mapping.

    The chain is followed iteratively, at most :data:`MAX_EXTENDS` files long, and must not return to
    a file already read (a cycle) or pass through a symbolic-link loop.
    """
    path, named_by = Path(path), None
    chain: list[dict] = []
    seen: set[Path] = set()
    while True:
        try:
            real = path.resolve(strict=True)
        except FileNotFoundError:
            real = path.absolute()  # read_yaml says "file not found"
        except (OSError, RuntimeError, ValueError) as exc:  # RuntimeError: a symbolic-link loop (Python 3.11)
            why = getattr(exc, "strerror", None) or ("a symbolic-link loop" if isinstance(exc, RuntimeError) else exc)
            raise ScenarioError((f"{named_by}: extends: " if named_by else "") + f"{path}: cannot be read ({why})") \
                from None
        if real in seen:
            raise ScenarioError(f"{named_by}: 'extends' forms a cycle: {path} is already in the chain")
        seen.add(real)
        data = _scenario_file(path, named_by)
        chain.append(data)
        base_name = data.pop("extends", None)
        if base_name is None:
            break
        if len(chain) >= MAX_EXTENDS:
            raise ScenarioError(f"{path}: 'extends' chains more than {MAX_EXTENDS} files; merge some of them")
        path, named_by = _base_path(path, base_name), path
    merged = chain.pop()
    while chain:
        merged = deep_merge(merged, chain.pop())
    return merged


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


MAX_LINES = 20  # problems listed in one error; the rest are counted


def format_validation_error(source: str, exc: ValidationError, root: type[BaseModel] = Scenario) -> str:
    """Turn pydantic errors into lines ``source: path: value ...: expected ...`` (values clipped, lines capped)."""
    lines = []
    errors = exc.errors()
    for err in errors[:MAX_LINES]:
        loc = tuple(err["loc"])
        path = clip_path(loc)
        value = err.get("input")
        if err["type"] == "extra_forbidden":
            owner = _model_at(loc[:-1], root)
            valid = ", ".join(sorted(owner.model_fields)) if owner else "?"
            lines.append(f"{source}: {path}: unknown key {clip(loc[-1])}; valid keys here: {valid}")
            continue
        if err["type"] == "value_error":  # a rule across fields: its message is a sentence of its own
            message = "\n".join(line if len(line) <= 400 else f"{line[:400]}..."  # a line per problem, clipped
                                for line in err["msg"].removeprefix("Value error, ").split("\n"))
            lines.append(f"{source}: " + (f"{path}: " if loc else "") + message)
            continue
        shown = "" if err["type"] == "missing" else f"got {clip(value)}; "
        lines.append(f"{source}: {path or '(top level)'}: {shown}expected: {expectation(err['msg'])}")
    if len(errors) > MAX_LINES:
        lines.append(f"{source}: ... and {len(errors) - MAX_LINES} more problem(s)")
    return "\n".join(lines)


def clip_path(loc: tuple) -> str:
    """A field's dotted path, each part clipped (a key may be a long string)."""
    return ".".join(str(p) if len(str(p)) <= 40 and str(p).isprintable() else clip(p, 40) for p in loc)


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
