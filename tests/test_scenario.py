"""Scenario files: every shipped one is valid; every kind of bad input gets a clear error."""

from __future__ import annotations

import re
import typing
import warnings
from pathlib import Path

import annotated_types as at
import pytest
import yaml

from orgsim import params
from orgsim.scenario import ScenarioError, load_scenario, scenario_hash, with_overrides

SHIPPED = sorted((Path(__file__).resolve().parents[1] / "scenarios").glob("*.yaml"))


def write(tmp_path, text: str, name: str = "s.yaml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def error_of(path, **kwargs) -> str:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, **kwargs)
    return str(info.value)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_scenarios_are_valid(path):
    scenario = load_scenario(path)
    assert scenario.name == path.stem


def test_unknown_key_names_key_path_and_valid_keys(tmp_path):
    msg = error_of(write(tmp_path, "organization:\n  n_employes: 100\n"))
    assert "organization.n_employes" in msg
    assert "unknown key 'n_employes'" in msg
    assert "n_employees" in msg and "span_of_control" in msg  # the valid keys are listed
    assert str(tmp_path / "s.yaml") in msg


def test_unknown_top_level_section(tmp_path):
    msg = error_of(write(tmp_path, "platfrom: {}\n"))
    assert "unknown key 'platfrom'" in msg and "policy" in msg


def test_wrong_type_names_path_and_value(tmp_path):
    msg = error_of(write(tmp_path, "organization:\n  n_employees: lots\n"))
    assert "organization.n_employees" in msg and "'lots'" in msg and "integer" in msg


def test_out_of_range_names_bound(tmp_path):
    path = write(tmp_path, "employees:\n  trust_mean: 1.5\n")
    assert error_of(path) == f"{path}: employees.trust_mean: got 1.5; expected: less than or equal to 1"


def test_inconsistent_values(tmp_path):
    msg = error_of(write(tmp_path, "organization:\n  n_employees: 10\n  n_departments: 12\n"))
    assert "n_departments (12)" in msg and "n_employees (10)" in msg


def test_event_setting_unknown_policy_field(tmp_path):
    text = "rollout:\n  events:\n    - {day: 3, set: {leader_posting: 0.5}}\n"
    msg = error_of(write(tmp_path, text))
    assert "leader_posting" in msg and "leader_participation" in msg


def test_event_value_out_of_range(tmp_path):
    text = "rollout:\n  events:\n    - {day: 3, set: {moderation: 2}}\n"
    msg = error_of(write(tmp_path, text))
    assert "moderation=2" in msg and "less than or equal to 1" in msg


def test_event_announcing_missing_department(tmp_path):
    text = "organization: {n_departments: 4}\nrollout:\n  events:\n    - {day: 3, announce: [1, 9]}\n"
    path = write(tmp_path, text)
    assert error_of(path) == (f"{path}: rollout.events: the event on day 3 announces department(s) [9]; "
                              "expected indices 0..3")  # a rule across sections: where, what, and what is allowed


def test_yaml_syntax_error_has_line(tmp_path):
    msg = error_of(write(tmp_path, "run:\n  days: 10\n  seed: [1, 2\n"))
    assert "YAML syntax error" in msg and "line" in msg


def test_missing_file_empty_file_or_folder(tmp_path):
    assert error_of(tmp_path / "nope.yaml") == f"{tmp_path / 'nope.yaml'}: file not found"
    empty = write(tmp_path, "\n# nothing yet\n")
    assert error_of(empty) == f"{empty}: the file is empty; expected a mapping of sections (see scenarios/)"
    assert error_of(tmp_path) == f"{tmp_path}: a folder; expected a YAML file, such as {empty}"


def test_a_key_given_twice_is_an_error_naming_both_lines(tmp_path):
    """YAML would keep the second ``policy:`` silently; the first block would be lost."""
    path = write(tmp_path, "policy:\n  moderation: 0.2\norganization: {n_employees: 300}\npolicy:\n  monitoring: 0.1\n")
    assert error_of(path) == f"{path} (line 4, column 1): duplicate key 'policy' (first given on line 1)"
    merged = write(tmp_path, "x: &org {n_employees: 300, n_departments: 4}\n"
                             "organization: {<<: *org, n_employees: 400}\n", "m.yaml")
    alias = "alias *org: aliases are not accepted; write the value out"
    assert error_of(merged) == f"{merged} (line 2, column 20): {alias}"
    assert "line 1" in error_of(write(tmp_path, "[a, b]: 1\n", "u.yaml"))  # an unhashable key: a clean error


def test_a_file_that_is_not_utf8_is_an_error_with_its_line(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("name: x\ndescription: Lancé en février\n".encode("latin-1"))
    assert error_of(path) == f"{path} (line 2): not UTF-8 text (byte 0xe9); save the file as UTF-8"


def test_a_missing_base_file_names_the_file_that_extends_it_and_where_it_looked(tmp_path):
    path = write(tmp_path, "extends: base.yaml\n", "copy.yaml")
    assert error_of(path) == (f"{path}: extends: 'base.yaml': file not found (looked for {tmp_path / 'base.yaml'}: "
                              "a relative name is read from the folder of the file that extends it)")


def test_edgelist_is_read_relative_to_the_scenario_and_must_exist(tmp_path):
    """A missing edge list is a validation error naming the field; a relative path is the scenario's folder."""
    text = "organization: {n_employees: 3, n_departments: 1, network: from_edgelist, edgelist: ties.csv}\n"
    scenario_path = write(tmp_path, text)
    message = error_of(scenario_path)
    assert "organization" in message and "ties.csv" in message and "no such file" in message
    (tmp_path / "ties.csv").write_text("source,target\n0,1\n1,2\n")
    assert Path(load_scenario(scenario_path).organization.edgelist) == tmp_path / "ties.csv"


def test_no_code_is_constructed_from_yaml(tmp_path):
    msg = error_of(write(tmp_path, "name: !!python/object/apply:os.system ['echo hacked']\n"))
    assert "YAML" in msg


def test_top_level_must_be_a_mapping(tmp_path):
    assert "mapping" in error_of(write(tmp_path, "- 1\n- 2\n"))


def test_extends_merges_mappings_and_replaces_lists(tmp_path):
    write(tmp_path, "name: parent\norganization: {n_employees: 500, n_departments: 5}\n"
                    "rollout:\n  events: [{day: 1, announce: all}, {day: 2, announce: all}]\n", "parent.yaml")
    child = write(tmp_path, "extends: parent.yaml\nname: child\norganization: {n_employees: 400}\n"
                            "rollout:\n  events: [{day: 5, announce: all}]\n", "child.yaml")
    scenario = load_scenario(child)
    assert scenario.name == "child"
    assert scenario.organization.n_employees == 400
    assert scenario.organization.n_departments == 5  # inherited
    assert [e.day for e in scenario.rollout.events] == [5]  # lists replace


def test_extends_cycle_is_an_error(tmp_path):
    write(tmp_path, "extends: b.yaml\n", "a.yaml")
    write(tmp_path, "extends: a.yaml\n", "b.yaml")
    assert "cycle" in error_of(tmp_path / "a.yaml")


def test_overrides_by_dotted_path(tmp_path):
    path = write(tmp_path, "organization: {n_employees: 200}\n")
    scenario = load_scenario(path, overrides={"policy.moderation": 0.3, "run.days": 12})
    assert scenario.policy.moderation == 0.3 and scenario.run.days == 12
    again = with_overrides(scenario, {"employees.trust_mean": 0.9})
    assert again.employees.trust_mean == 0.9 and scenario.employees.trust_mean != 0.9
    with pytest.raises(ScenarioError, match="employees.trust_mean"):
        with_overrides(scenario, {"employees.trust_mean": 9})


def test_a_policy_override_undone_by_a_day0_event_warns(tmp_path):
    """A policy value that the scenario's day-0 event sets again is never used: the override warns, naming both."""
    path = write(tmp_path, "rollout:\n  events: [{day: 0, note: launch, announce: all, set: {moderation: 0.5}},"
                           " {day: 30, set: {monitoring: 0.2}}]\n")
    with pytest.warns(UserWarning, match=r"policy.moderation: has no effect: .*day-0 event \(launch\) sets "
                                         r"moderation = 0.5"):
        with_overrides(load_scenario(path), {"policy.moderation": 0.1})
    with pytest.warns(UserWarning, match="policy.moderation: has no effect"):
        load_scenario(path, overrides={"policy.moderation": 0.1})
    with pytest.warns(UserWarning, match="policy.moderation: has no effect"):  # the whole section at once
        with_overrides(load_scenario(path), {"policy": {"moderation": 0.1}})
    with warnings.catch_warnings():  # a later event, or a field no event sets, leaves the override in force
        warnings.simplefilter("error")
        with_overrides(load_scenario(path), {"policy.monitoring": 0.1, "policy.leader_participation": 0.3})


def test_an_event_after_the_last_day_warns(tmp_path):
    """An event the run does not reach (e.g. a shortened run) is named, with the run's last day."""
    path = write(tmp_path, "run: {days: 100}\nrollout:\n  events: [{day: 100, note: relaunch, announce: all}]\n")
    with pytest.warns(UserWarning, match=r"s.yaml: rollout.events: the event on day 100 \(relaunch\) comes after "
                                         r"the run's last day \(99\) and is not reached"):
        load_scenario(path)
    with warnings.catch_warnings():  # reached: nothing to say
        warnings.simplefilter("error")
        scenario = load_scenario(path, {"run.days": 101})
    with pytest.warns(UserWarning, match=r"day 100 \(relaunch\) comes after the run's last day \(49\)"):
        short = with_overrides(scenario, {"run.days": 50})
    with warnings.catch_warnings():  # said when the length changed; not again for another seed
        warnings.simplefilter("error")
        with_overrides(short, {"run.seed": 3})


def test_hash_changes_with_content(tmp_path):
    a = load_scenario(write(tmp_path, "organization: {n_employees: 200}\n"))
    b = load_scenario(write(tmp_path, "organization: {n_employees: 201}\n", "b.yaml"))
    assert scenario_hash(a) == scenario_hash(load_scenario(tmp_path / "s.yaml"))
    assert scenario_hash(a) != scenario_hash(b)


def test_every_parameter_has_a_description():
    from orgsim.params import Scenario

    def walk(model, prefix=""):
        for name, field in model.model_fields.items():
            annotation = field.annotation
            if isinstance(annotation, type) and hasattr(annotation, "model_fields"):
                yield from walk(annotation, f"{prefix}{name}.")
            elif name not in ("run", "rollout") or prefix:
                yield f"{prefix}{name}", field.description

    missing = [path for path, description in walk(Scenario) if not description]
    assert missing == [], f"parameters without a description: {missing}"


def allowed(field) -> str:
    """A field's allowed values as docs/model.md shows them: an interval, the choices, or '-'."""
    if typing.get_origin(field.annotation) is typing.Literal:
        return ", ".join(str(a) for a in typing.get_args(field.annotation))
    if field.annotation is bool:
        return "true, false"
    num = lambda v: f"{v:,}" if isinstance(v, int) else f"{v:g}"  # noqa: E731
    bound = {type(m): m for m in field.metadata}
    lo = f"[{num(bound[at.Ge].ge)}" if at.Ge in bound else f"({num(bound[at.Gt].gt)}" if at.Gt in bound else ""
    hi = f"{num(bound[at.Le].le)}]" if at.Le in bound else f"{num(bound[at.Lt].lt)})" if at.Lt in bound else ""
    if lo and hi:
        return f"{lo}, {hi}"
    if lo:
        return ("≥ " if lo[0] == "[" else "> ") + lo[1:]
    return ("≤ " if hi[-1] == "]" else "< ") + hi[:-1] if hi else "-"


def test_model_doc_lists_every_parameter_with_its_default_and_allowed_values():
    """docs/model.md's parameter table has a row per field with the default and the range the validator enforces."""
    text = (SHIPPED[0].parents[1] / "docs" / "model.md").read_text(encoding="utf-8")
    rows = {name: (default.strip(), allowed_.strip())
            for name, default, allowed_ in re.findall(r"^\| `(\w+)` \| ([^|]+) \| ([^|]+) \|", text, flags=re.M)}
    for section in (params.Organization, params.Employees, params.Behaviour, params.Registration, params.Policy,
                    params.RunSettings, params.Rollout, params.Event):
        for name, field in section.model_fields.items():
            default = field.default
            shown = ("required" if field.is_required() else "none" if default is None or field.default_factory
                     else f"{default:g}" if isinstance(default, float) else str(default) or '""')
            expected = (shown, allowed(field))
            assert rows.get(name) == expected, f"docs/model.md: {name} should show {expected}"


def test_yaml_loaded_safely_is_plain_data():
    assert yaml.safe_load("a: 1") == {"a": 1}


def test_run_overrides_are_validated_like_a_file(tmp_path):
    """``orgsim.run(..., replicates=0)`` is a ScenarioError naming the field, not a raw pydantic error."""
    import orgsim

    with pytest.raises(ScenarioError, match=r"run.replicates: got 0; expected: greater than or equal to 1$"):
        orgsim.run(load_scenario(write(tmp_path, "organization: {n_employees: 50}\n")), replicates=0)
