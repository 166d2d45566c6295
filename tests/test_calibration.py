"""``orgsim calibrate``: the calibration file, a deterministic and resumable fit, the command, parameter recovery."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from orgsim.calibration.config import load_calibration
from orgsim.calibration.fit import fit
from orgsim.cli import app
from orgsim.scenario import ScenarioError

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "experiments" / "calibration"
_spec = importlib.util.spec_from_file_location("recovery", EXAMPLE / "recovery.py")
recovery = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("recovery", recovery)
_spec.loader.exec_module(recovery)

runner = CliRunner()


def small_calibration(tmp_path: Path, **changes) -> Path:
    """A fast calibration file on a 300-person organization's 40 days of plain usage data."""
    truth = {"behaviour.visit_base": -6.5, "behaviour.post_base": -11.0}
    frame = recovery.synthetic.simulate_truth(truth, seed=5, days=40, head_count=300)
    dates = pd.date_range("2026-01-05", periods=40).date
    pd.DataFrame({"date": dates, "readers": frame["n_readers"], "posters": frame["n_posters"],
                  "registered": frame["n_registered"]}).to_csv(tmp_path / "usage.csv", index=False)
    data = {
        "name": "small", "scenario": str(ROOT / "scenarios" / "bottom_up.yaml"), "data": [{"file": "usage.csv"}],
        "head_count": 300, "launch": "2026-01-05",
        "fit": {"behaviour.visit_base": {"uniform": [-8, -5]}, "behaviour.post_base": {"uniform": [-13, -9]}},
        "observables": ["readers", "posters"], "population": 8, "generations": 2, "seed": 4, "draws": 4,
        "horizon": 60,
        "interventions": [{"name": "relaunch", "events": [{"day": 45, "announce": "all",
                                                           "set": {"leader_participation": 0.5}}]}],
    } | changes
    path = tmp_path / "calibration.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


@pytest.mark.parametrize("change, expected", [
    ({"fit": {"behaviour.visit_base": {"uniform": [-5, -8]}}}, "fit.behaviour.visit_base: needs low < high"),
    ({"fit": {"behaviour.nope": {"uniform": [0, 1]}}}, "unknown key 'nope'"),
    ({"fit": {"behaviour.endorse_prob": {"uniform": [0.1, 2.0]}}}, "behaviour.endorse_prob: got 2.0"),
    ({"fit": {"behaviour.word_of_mouth": {"log_uniform": [0, 0.1]}}}, "log_uniform needs low > 0"),
    ({"observables": ["reeders"]}, "unknown observable(s) ['reeders']"),
    ({"distance": "manhattan"}, "distance: got 'manhattan'"),
    ({"colour": "blue"}, "unknown key 'colour'"),
    ({"head_count": None}, "head_count: not given; set it in the file or with --head-count"),
])
def test_a_bad_calibration_file_names_the_file_the_field_and_the_value(tmp_path, change, expected):
    path = small_calibration(tmp_path, **change)
    with pytest.raises(ScenarioError) as info:
        load_calibration(path)
    assert expected in str(info.value) and str(path) in str(info.value), str(info.value)


def test_the_command_line_replaces_head_count_and_launch(tmp_path):
    cal = load_calibration(small_calibration(tmp_path, head_count=None), head_count=300, launch="2026-01-04")
    assert cal.head_count == 300 and str(cal.launch) == "2026-01-04"


def _fit(tmp_path: Path, folder: str, generations: int | None = None):
    from orgsim.calibration.pipeline import read_data

    cal = load_calibration(small_calibration(tmp_path))
    if generations is not None:
        cal = cal.model_copy(update={"generations": generations})
    return fit(cal, read_data(cal), tmp_path / folder)


def test_a_fit_is_deterministic_for_a_seed_and_resumes_where_it_stopped(tmp_path, monkeypatch):
    whole = _fit(tmp_path, "whole").posterior
    assert _fit(tmp_path, "again").posterior.equals(whole)
    _fit(tmp_path, "resumed", generations=1)  # stopped after the first generation...
    from orgsim.calibration import fit as fitting

    calls = {"n": 0}
    original = fitting.Simulator.__call__

    def interrupted(self, parameters):
        calls["n"] += 1
        if calls["n"] == 5:
            raise KeyboardInterrupt
        return original(self, parameters)

    monkeypatch.setattr(fitting.Simulator, "__call__", interrupted)
    with pytest.raises(KeyboardInterrupt):  # ...then interrupted in the middle of the second
        _fit(tmp_path, "resumed")
    monkeypatch.setattr(fitting.Simulator, "__call__", original)
    resumed = _fit(tmp_path, "resumed").posterior
    pd.testing.assert_frame_equal(resumed, whole)
    calls["n"] = 0
    monkeypatch.setattr(fitting.Simulator, "__call__", interrupted)
    with pytest.raises(KeyboardInterrupt):  # interrupted in the first generation
        _fit(tmp_path, "early")
    monkeypatch.setattr(fitting.Simulator, "__call__", original)
    pd.testing.assert_frame_equal(_fit(tmp_path, "early").posterior, whole)


def test_a_folder_holding_another_fit_is_not_overwritten(tmp_path):
    _fit(tmp_path, "out", generations=1)
    from orgsim.calibration.pipeline import read_data

    cal = load_calibration(small_calibration(tmp_path, seed=5))
    with pytest.raises(ScenarioError, match="holds a fit of other settings or data"):
        fit(cal, read_data(cal), tmp_path / "out")


def test_calibrate_command_writes_the_report_and_tidy_tables(tmp_path):
    path = small_calibration(tmp_path)
    result = runner.invoke(app, ["calibrate", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    out = tmp_path / "out"
    for name in ("report.html", "posterior.png", "fit.png", "forecast.png", "posterior_summary.csv", "bands.csv",
                 "bands.parquet", "predictive.parquet", "coverage.csv", "calibration.json", "abc.db"):
        assert (out / name).is_file(), name
    summary = pd.read_csv(out / "posterior_summary.csv")
    assert list(summary["parameter"]) == ["behaviour.visit_base", "behaviour.post_base"]
    assert (summary["q05"] <= summary["median"]).all() and (summary["median"] <= summary["q95"]).all()
    bands = pd.read_parquet(out / "bands.parquet")
    assert set(bands["scenario"]) == {"as is", "relaunch"} and bands["day"].max() == 60
    assert (bands["q05"] <= bands["q95"]).all()
    assert "median" in result.output and "inside the 90% band" in result.output
    assert not list(out.glob(".*part*"))  # nothing half-written


def test_calibrate_rejects_a_broken_data_file_with_exit_status_2(tmp_path):
    path = small_calibration(tmp_path)
    (tmp_path / "usage.csv").write_text("date,readers\n2026-01-05,3\n2026-01-07,-2\n")
    result = runner.invoke(app, ["calibrate", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 2 and "negative" in result.stderr and "date gap" in result.stderr
    assert not (tmp_path / "out").exists()


def test_calibrate_help_shows_examples():
    result = runner.invoke(app, ["calibrate", "--help"])
    assert result.exit_code == 0 and "orgsim calibrate experiments/calibration/example.yaml" in result.output


def test_the_shipped_example_is_valid():
    cal = load_calibration(EXAMPLE / "example.yaml")
    assert len(cal.fit) == 4 and cal.interventions


# Parameter recovery: 2,000 employees, 120 days, 3 parameters with truths drawn from the priors.
# A small budget (20 particles, 3 generations: ~140 simulations a case, ~15 s on 2 cores); the docs
# give the numbers of a larger budget and more cases (experiments/calibration/recovery.py).
POPULATION, GENERATIONS = 20, 3
_cases: dict[int, pd.DataFrame] = {}


def recovered(k: int) -> pd.DataFrame:
    if k not in _cases:
        _cases[k] = recovery.case(k, POPULATION, GENERATIONS)
    return _cases[k]


def _assert_coverage(n: int, per_parameter: int) -> None:
    """At least 80% of all the intervals hold their truth, each parameter's in at least ``per_parameter`` cases.

    Exact 90% intervals would pass the pooled check (24 or more of 30) with probability 0.97; the
    per-parameter floor catches one parameter gone wrong while the others carry the pool.
    """
    table = pd.concat([recovered(k) for k in range(n)], ignore_index=True)
    covered = table.groupby("parameter")["covered"].sum()
    widths = table.groupby("parameter")["width_share_of_prior"].median()
    print(f"covered of {n}:\n{covered}\nmedian 90% interval width, share of the prior's:\n{widths}")
    assert table["covered"].mean() >= 0.8, covered
    assert (covered >= per_parameter).all(), covered
    assert (widths < 0.95).all(), widths  # the data narrowed every prior: the coverage is not the prior's


def test_parameter_recovery_three_cases():
    """The default suite's short check: 3 cases, at least 80% of the 9 intervals hold the truth."""
    _assert_coverage(3, 2)


@pytest.mark.slow
def test_parameter_recovery_ten_cases():
    """10 cases: at least 80% of the 30 intervals hold the truth, each parameter's in at least 7 of 10."""
    _assert_coverage(10, 7)
    assert np.isfinite(pd.concat(_cases.values())["median"]).all()
