"""Experiment files: the shipped ones are valid, bad ones are rejected clearly, designs are sound."""

from __future__ import annotations

import math
import re
import warnings
from pathlib import Path

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

import orgsim
from orgsim.cli import app
from orgsim.experiment import METRICS, design_points, load_experiment, plan, scale_unit
from orgsim.params import Scenario
from orgsim.runner import run_replicate
from orgsim.scenario import ScenarioError

ROOT = Path(__file__).resolve().parents[1]
EXPERIMENTS = sorted((ROOT / "experiments").glob("*.yaml"))
TOP_DOWN = str(ROOT / "scenarios" / "top_down.yaml")


ANNOUNCE_ONLY = {"rollout.events": [{"day": 0, "announce": "all"}]}  # leaves every policy value to the experiment


def write(tmp_path: Path, data: dict) -> Path:
    """Write an experiment file on top_down, its day-0 event replaced by an announcement, with these fields."""
    path = tmp_path / "exp.yaml"
    path.write_text(yaml.safe_dump({"scenario": TOP_DOWN, **data, "set": {**ANNOUNCE_ONLY, **data.get("set", {})}}))
    return path


@pytest.mark.parametrize("path", EXPERIMENTS, ids=lambda p: p.name)
def test_shipped_experiments_are_valid(path):
    """Shipped experiments are valid."""
    exp = load_experiment(path)
    points = design_points(exp, exp.seed)
    n_grid = math.prod(len(v) for v in exp.grid.values())
    n_sampled = exp.samples if exp.ranges else 1
    assert len(points) == n_grid * n_sampled
    assert len(plan(exp, points)) == len(points) * exp.replicates


def test_metrics_list_matches_the_summary_of_a_real_run(small):
    """Metrics list matches the summary of a real run."""
    _, metrics, _ = run_replicate(small.model_copy(update={"run": small.run.model_copy(update={"days": 5})}), 0, 1)
    assert set(METRICS) == set(metrics) - {"replicate", "replicate_seed"}


@pytest.mark.parametrize(("data", "expected"), [
    ({"gird": {}}, "exp.yaml: gird: unknown key 'gird'; valid keys here:"),
    ({"grid": {"policy.leader_participaton": [0.1]}},
     "exp.yaml: grid.policy.leader_participaton[0]: policy.leader_participaton: unknown key 'leader_participaton'"),
    ({"grid": {"policy.leader_participation": [0.1, 1.5]}},
     "exp.yaml: grid.policy.leader_participation[1]: policy.leader_participation: got 1.5; expected: less than or "
     "equal to 1"),
    ({"ranges": {"policy.moderation": [0.8, 0.2]}}, "exp.yaml: ranges: range 'policy.moderation' needs low"),
    ({"ranges": {"organization.n_employees": [10.5, 300]}},
     "exp.yaml: ranges.organization.n_employees[0]: organization.n_employees: got 10.5; expected: a valid "
     "integer"),
    ({"ranges": {"policy.moderation": [0, 1]}, "design": "sobol", "samples": 10}, "power of 2, got 10"),
    ({"outputs": ["final_activity"]}, "exp.yaml: outputs: unknown metric 'final_activity'; valid: "),
    ({"replicates": 0}, "exp.yaml: replicates: got 0; expected: greater than or equal to 1"),
    ({"set": {"policy.moderation": 2}}, "exp.yaml: set: policy.moderation: got 2; expected"),
    ({"grid": {"policy.moderation": [0.1]}, "set": {"policy.moderation": 0.2}}, "given in more than one"),
])
def test_bad_experiments_name_file_field_value_and_expectation(tmp_path, data, expected):
    """Bad experiments name file field value and expectation."""
    path = write(tmp_path, data)
    with pytest.raises(ScenarioError) as err:
        load_experiment(path)
    assert expected.replace("exp.yaml", str(path)) in str(err.value)


@pytest.mark.parametrize("field", ["set", "grid", "ranges"])
def test_a_policy_value_the_scenarios_day0_event_sets_again_is_rejected(tmp_path, field):
    """On top_down as shipped, its launch event sets moderation on day 0: a swept or set moderation would do nothing."""
    values = {"set": 0.2, "grid": [0.2, 0.8], "ranges": [0.2, 0.8]}[field]
    path = tmp_path / "exp.yaml"
    path.write_text(yaml.safe_dump({"scenario": TOP_DOWN, field: {"policy.moderation": values}}))
    with pytest.raises(ScenarioError) as err:
        load_experiment(path)
    assert (f"{path}: {field}.policy.moderation: has no effect: top_down's day-0 event (official launch) sets "
            "moderation = 0.5") in str(err.value)
    fixed = yaml.safe_load(path.read_text())
    fixed["set"] = {**fixed.get("set", {}), **ANNOUNCE_ONLY}
    path.write_text(yaml.safe_dump(fixed))
    assert load_experiment(path).scenario  # with the launch event replaced, the value is in force


def test_every_problem_of_an_experiment_is_reported_at_once(tmp_path):
    """A misspelled field does not hide the bad values behind it: one line each, in one go."""
    path = tmp_path / "exp.yaml"
    path.write_text(yaml.safe_dump({"scenario": TOP_DOWN, "replicate": 3, "set": ANNOUNCE_ONLY,
                                    "grid": {"policy.moderation": [0.2, 1.5], "employees.trust_mena": [0.4]}}))
    with pytest.raises(ScenarioError) as err:
        load_experiment(path)
    lines = str(err.value).splitlines()
    assert len(lines) == 3, lines
    assert lines[0].startswith(f"{path}: replicate: unknown key 'replicate'")
    assert any("grid.policy.moderation[1]: policy.moderation: got 1.5; expected: less than or equal to 1" in line
               for line in lines)
    assert any("employees.trust_mena" in line and "unknown key 'trust_mena'" in line for line in lines)


def test_an_experiment_that_cuts_the_run_before_an_event_warns_once(tmp_path):
    """The relaunch event (day 365) is not reached in 100 days: said when the experiment loads, not by each run."""
    path = tmp_path / "exp.yaml"
    path.write_text(yaml.safe_dump({"scenario": str(ROOT / "scenarios" / "relaunch.yaml"), "replicates": 2,
                                    "outputs": ["peak_day"],
                                    "set": {"run.days": 100, "organization.n_employees": 100,
                                            "organization.n_departments": 4},
                                    "grid": {"employees.trust_mean": [0.4, 0.6]}}))
    with pytest.warns(UserWarning, match=r"exp.yaml: set: rollout.events: the event on day 365 .* comes after the "
                                         r"run's last day \(99\)"):
        experiment = load_experiment(path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(orgsim.sweep(experiment)) == 4


def test_cli_rejects_a_bad_experiment_with_exit_2_and_no_traceback(tmp_path):
    """The CLI rejects a bad experiment with exit 2 and no traceback."""
    path = write(tmp_path, {"grid": {"policy.leader_participation": [2.0]}})
    result = CliRunner().invoke(app, ["sweep", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "grid.policy.leader_participation[0]" in result.output and "got 2.0" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()
    checked = CliRunner().invoke(app, ["validate", str(path), str(EXPERIMENTS[0])])  # validate reads experiments too
    assert checked.exit_code == 2 and "grid.policy.leader_participation[0]" in checked.output
    assert f"ok {EXPERIMENTS[0]} (experiment {EXPERIMENTS[0].stem}:" in checked.output


def test_a_scenario_file_given_as_an_experiment_says_so(tmp_path):
    result = CliRunner().invoke(app, ["sweep", TOP_DOWN, "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert f"{TOP_DOWN}: a scenario file, not an experiment" in result.output and "orgsim run" in result.output
    backwards = CliRunner().invoke(app, ["run", str(EXPERIMENTS[0]), "--out", str(tmp_path / "r")])
    assert backwards.exit_code == 2 and "an experiment file, not a scenario" in backwards.output
    assert "orgsim sweep" in backwards.output
    forgot = tmp_path / "forgot.yaml"  # an experiment that forgot its scenario is still an experiment
    forgot.write_text("name: mine\ngrid: {employees.trust_mean: [0.3]}\n")
    with pytest.raises(ScenarioError, match="scenario: expected: Field required"):
        load_experiment(forgot)


def test_scenario_path_is_relative_to_the_experiment_file(tmp_path):
    """Scenario path is relative to the experiment file."""
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "mine.yaml").write_text(f"extends: {TOP_DOWN}\nname: mine\n")
    path = tmp_path / "sub" / "exp.yaml"
    path.write_text("scenario: mine.yaml\n")
    assert Path(load_experiment(path).scenario) == tmp_path / "sub" / "mine.yaml"
    assert load_experiment(path).scenario != "mine.yaml"
    missing = tmp_path / "exp2.yaml"
    missing.write_text("scenario: nowhere.yaml\n")
    with pytest.raises(ScenarioError, match=r"exp2.yaml: scenario: 'nowhere.yaml': file not found \(looked for "
                                            + re.escape(str(tmp_path / "nowhere.yaml"))):
        load_experiment(missing)


def test_rules_across_fields_are_left_to_the_runs(tmp_path):
    """A value valid in some combination is accepted; the invalid combination fails at run time."""
    path = write(tmp_path, {"grid": {"organization.n_employees": [6, 200], "organization.n_departments": [4, 8]}})
    exp = load_experiment(path)
    assert len(design_points(exp, 1)) == 4


def test_grid_is_every_combination_in_order(tmp_path):
    """Grid is every combination in order."""
    exp = load_experiment(write(tmp_path, {"grid": {"policy.moderation": [0.0, 0.5], "policy.monitoring": [0.1, 0.2,
                                                                                                      0.3]}}))
    points = design_points(exp, 1)
    assert [(p["policy.moderation"], p["policy.monitoring"]) for p in points] == [
        (m, n) for m in (0.0, 0.5) for n in (0.1, 0.2, 0.3)]
    runs = plan(exp.model_copy(update={"replicates": 3}), points)
    assert [r.index for r in runs] == list(range(18))
    assert [(r.point, r.replicate) for r in runs[:4]] == [(0, 0), (0, 1), (0, 2), (1, 0)]


@pytest.mark.parametrize("design", ["lhs", "sobol"])
def test_sampled_ranges_cover_their_bounds_and_depend_only_on_the_seed(tmp_path, design):
    """Sampled ranges cover their bounds and depend only on the seed."""
    ranges = {"policy.moderation": [0.2, 0.6], "employees.trust_mean": [0.1, 0.9]}
    exp = load_experiment(write(tmp_path, {"ranges": ranges, "design": design, "samples": 16}))
    points = design_points(exp, 3)
    assert points == design_points(exp, 3)
    assert points != design_points(exp, 4)
    for key, (low, high) in ranges.items():
        values = np.array([p[key] for p in points])
        assert values.min() >= low and values.max() <= high
        # both designs put exactly one point in each of the 16 equal strata of every parameter
        strata = np.floor((values - low) / (high - low) * 16).astype(int)
        assert sorted(strata) == list(range(16))


def test_integer_ranges_give_integers_over_the_whole_range():
    """Integer ranges give integers over the whole range."""
    unit = np.linspace(0, 1, 41)[:, None]
    values = [p["behaviour.feed_size"] for p in scale_unit(unit, {"behaviour.feed_size": (4, 8)})]
    assert all(isinstance(v, int) for v in values)
    assert set(values) == {4, 5, 6, 7, 8}
    floats = scale_unit(np.array([[0.5]]), {"policy.moderation": (0.0, 1.0)})
    assert floats == [{"policy.moderation": 0.5}]


def test_experiment_from_keywords_accepts_a_scenario_object(small):
    """Experiment from keywords accepts a scenario object."""
    from orgsim.sweeps import resolve

    exp = resolve(None, {"scenario": small, "grid": {"policy.moderation": [0.0, 1.0]}, "replicates": 2})
    assert isinstance(exp.scenario, Scenario) and exp.scenario.name == "small"
    with pytest.raises(ScenarioError, match="unknown key 'moderaton'"):
        resolve(None, {"scenario": small, "grid": {"policy.moderaton": [0.0]}})
