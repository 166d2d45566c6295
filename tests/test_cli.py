"""The command line end to end: files, columns, consistent numbers, clean errors."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from proctree import children, descendants, running, wait_until
from typer.testing import CliRunner

import orgsim
from orgsim import background
from orgsim.background import simulating
from orgsim.cli import app
from orgsim.metrics import COLUMNS
from orgsim.params import Scenario
from orgsim.scenario import with_run_settings
from orgsim.simulation import replicate_seed, simulate

SMALL = """
name: tiny
run: {days: 40, seed: 3, replicates: 2}
organization: {n_employees: 250, n_departments: 4}
rollout:
  champions: 4
  events:
    - {day: 5, announce: all, note: launch, set: {management_endorsement: 0.7, leader_participation: 0.4}}
"""
SUMMARY_KEYS = ["registered_share_day60", "peak_active_7d_share", "peak_day", "final_active_7d_share",
                "final_contributors_30d_share", "top1pct_post_share", "top10pct_post_share", "lurker_share",
                "gini_posts", "seed", "orgsim_version", "scenario_hash"]
runner = CliRunner()
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cli")
    scenario = tmp / "tiny.yaml"
    scenario.write_text(SMALL)
    result = runner.invoke(app, ["run", str(scenario), "--out", str(tmp / "out"), "--quiet"])
    assert result.exit_code == 0, result.output
    return tmp / "out"


def test_run_writes_every_file(run_dir):
    names = {p.name for p in run_dir.iterdir()}
    assert {"timeseries.csv", "timeseries.parquet", "summary.json", "report.html", "adoption.png",
            "activity.png", "participation.png", "replicates.csv"} <= names
    assert not [n for n in names if n.endswith(".part") or ".part." in n]  # no temporary leftovers


def test_timeseries_columns_and_consistency(run_dir):
    ts = pd.read_csv(run_dir / "timeseries.csv")
    assert list(ts.columns) == COLUMNS
    assert len(ts) == 40 * 2 and set(ts.replicate) == {0, 1} and ts.day.min() == 0 and ts.day.max() == 39
    assert (ts.n_active_7d <= ts.n_registered).all() and (ts.n_registered <= ts.n_employees).all()
    for _, rep in ts.groupby("replicate"):
        assert (rep.cum_posts == rep.new_posts.cumsum()).all()
    pd.testing.assert_frame_equal(pd.read_parquet(run_dir / "timeseries.parquet"), ts, check_dtype=False)


def test_summary_has_the_promised_keys_and_provenance(run_dir):
    summary = json.loads((run_dir / "summary.json").read_text())
    for key in SUMMARY_KEYS:
        assert key in summary
    assert summary["seed"] == 3 and summary["replicates"] == 2 and summary["days"] == 40
    assert summary["registered_share_day60"] is None  # the run is shorter than 60 days
    ts = pd.read_csv(run_dir / "timeseries.csv")
    final = ts[ts.day == 39].n_active_7d.mean() / 250
    assert summary["final_active_7d_share"] == pytest.approx(final)


def test_report_embeds_figures_and_names_the_scenario(run_dir):
    html = (run_dir / "report.html").read_text()
    assert "<h1>Tiny</h1>" in html and html.count("data:image/png;base64,") == 3
    # what happened in words, the inputs in plain words and the caveat, for a client reading it alone
    assert "Weekly activity peaked at" in html and "By day 60" not in html  # a 40-day run: no day-60 sentence
    assert "Initial trust in management" in html and "not a forecast for yours" in html
    assert "lowest to highest of 2 runs" in html and 'alt="Line chart' in html
    # the rollout events are listed, their parts apart
    assert ("<li>day 5: launch; announced to all; sets management_endorsement = 0.7, leader_participation = 0.4</li>"
            in html)
    from orgsim.viz.report import HEADLINES

    for h in HEADLINES:  # each headline says what it measures: the report travels without the docs
        assert f"<td>{h.label}</td>" in html and html.index(h.meaning.replace("'", "&#x27;")) > html.index(h.label)


def test_overrides_from_the_command_line(tmp_path):
    scenario = tmp_path / "tiny.yaml"
    scenario.write_text(SMALL)
    result = runner.invoke(app, ["run", str(scenario), "--out", str(tmp_path / "o"), "--days", "12",
                                 "--seed", "9", "--replicates", "1", "--no-figures", "--quiet"])
    assert result.exit_code == 0, result.output
    summary = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert summary["days"] == 12 and summary["seed"] == 9 and summary["replicates"] == 1
    assert not (tmp_path / "o" / "report.html").exists()


@pytest.mark.parametrize("text,expected", [
    ("organization: {n_employees: 250, n_departmnts: 4}\n", "organization.n_departmnts"),
    ("employees: {trust_mean: -1}\n", "employees.trust_mean"),
    ("run: {days: [1\n", "YAML syntax error"),
    ("run: {days: 10}\nrun: {seed: 2}\n", "duplicate key 'run'"),
])
def test_bad_scenarios_exit_2_with_one_clear_line(tmp_path, text, expected):
    bad = tmp_path / "bad.yaml"
    bad.write_text(text)
    for command in (["run", str(bad), "--out", str(tmp_path / "o")], ["validate", str(bad)]):
        result = runner.invoke(app, command)
        assert result.exit_code == 2
        assert expected in result.output and "Traceback" not in result.output
        assert len(result.output.strip().splitlines()) == 1, result.output  # never wrapped, however long
    assert not (tmp_path / "o").exists()


def test_console_script_fails_cleanly_on_a_missing_file(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "orgsim", "run", str(tmp_path / "missing.yaml")],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "file not found" in proc.stderr and "Traceback" not in proc.stderr + proc.stdout


def test_help_explains_every_command():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("run", "validate"):
        assert command in result.output
    assert "--replicates" in runner.invoke(app, ["run", "--help"]).output
    assert runner.invoke(app, ["run", "-h"]).output == runner.invoke(app, ["run", "--help"]).output
    version = runner.invoke(app, ["--version"])
    assert version.exit_code == 0 and version.stdout.strip() == f"orgsim {orgsim.__version__}"


def test_the_summary_table_goes_to_stdout_and_messages_to_stderr(tmp_path):
    """``orgsim run FILE > summary.txt`` keeps the headline numbers; progress and messages stay on the terminal."""
    scenario = tmp_path / "tiny.yaml"
    scenario.write_text(SMALL)
    result = runner.invoke(app, ["run", str(scenario), "--out", str(tmp_path / "o"), "--no-figures", "--days", "30"])
    assert result.exit_code == 0, result.output
    assert "Peak weekly active" in result.stdout and "Peak weekly active" not in result.stderr
    assert "Results in" in result.stderr and "Results in" not in result.stdout


def test_outside_a_terminal_the_wait_for_the_kernels_is_said_once(tmp_path):
    """The first scenario of a process waits for the kernels and says so; the next one starts at once."""
    (tmp_path / "a.yaml").write_text(SMALL)
    (tmp_path / "b.yaml").write_text(SMALL.replace("name: tiny", "name: tiny_b"))
    result = subprocess.run([sys.executable, "-m", "orgsim", "compare", "a.yaml", "b.yaml", "--out", "cmp",
                             "--days", "10", "--replicates", "1"], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    loading = [line for line in result.stderr.splitlines() if "loading the kernels" in line]
    assert len(loading) == 1 and loading[0].startswith("tiny: loading")


def test_warnings_are_one_line_each(tmp_path):
    """A warning reads as one ``warning:`` line, like an error, not as Python's file:line report."""
    relaunch = str(ROOT / "scenarios" / "relaunch.yaml")
    result = runner.invoke(app, ["run", relaunch, "--days", "3", "--replicates", "1", "--no-figures", "-q",
                                 "--out", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    warning = [line for line in result.stderr.splitlines() if "comes after the run's last day (2)" in line]
    assert len(warning) == 1 and warning[0].startswith("warning: ") and "UserWarning" not in result.stderr


def test_help_and_validate_start_without_the_model_libraries():
    """``orgsim --help`` and ``validate`` answer without importing Mesa, numba, pandas or matplotlib."""
    scenario = str(ROOT / "scenarios" / "top_down.yaml")
    code = ("import sys; from typer.testing import CliRunner; from orgsim.cli import app; "
            "assert CliRunner().invoke(app, ['--help']).exit_code == 0; "
            f"assert CliRunner().invoke(app, ['validate', {scenario!r}]).exit_code == 0; "
            "print(sorted(m for m in ('mesa', 'numba', 'pandas', 'matplotlib') if m in sys.modules))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def test_the_public_api_loads_on_first_use():
    """Every name in ``orgsim.__all__`` resolves; ``orgsim.sweep`` stays the function once its module is loaded."""
    code = ("import orgsim, orgsim.sweeps, inspect; "
            "print(all(getattr(orgsim, n) is not None for n in orgsim.__all__), inspect.isfunction(orgsim.sweep))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["True", "True"]


def test_replicates_are_the_same_whatever_the_number_of_workers(tmp_path):
    """``orgsim run`` simulates replicates in worker processes; the files match one worker's and the API's."""
    scenario = tmp_path / "tiny.yaml"
    scenario.write_text(SMALL)
    files = {}
    for workers in ("1", "2"):
        result = runner.invoke(app, ["run", str(scenario), "--out", str(tmp_path / workers), "--workers", workers,
                                     "--replicates", "3", "--no-figures", "--quiet"])
        assert result.exit_code == 0, result.output
        files[workers] = [(tmp_path / workers / name).read_bytes()
                          for name in ("timeseries.csv", "timeseries.parquet", "replicates.csv", "summary.json")]
    assert files["1"] == files["2"]
    in_process = orgsim.run(scenario, replicates=3)
    written = pd.read_csv(tmp_path / "2" / "timeseries.csv")
    assert written["replicate"].nunique() == 3
    pd.testing.assert_frame_equal(written, in_process.timeseries, check_dtype=False)


def test_spawned_workers_give_the_same_replicates(monkeypatch):
    """Where there is no fork (macOS, Windows), workers are spawned: a fresh interpreter, the same replicates."""
    scenario = with_run_settings(Scenario.model_validate(yaml.safe_load(SMALL)), days=10, replicates=2)
    monkeypatch.setattr(background, "START_METHOD", "spawn")
    with simulating(scenario, 2) as simulated:
        spawned = simulated.wait()
    for r, replicate in enumerate(spawned):
        alone = simulate(scenario, r, scenario.run.seed)
        assert replicate.seed == alone.seed
        np.testing.assert_array_equal(replicate.counters, alone.counters)
        np.testing.assert_array_equal(replicate.contributions, alone.contributions)


def test_an_error_in_a_worker_is_one_clear_line(tmp_path):
    """The organization is built in a worker process; its error reaches the user like any other."""
    (tmp_path / "ties.csv").write_text("from,to\n0,1\n")
    scenario = tmp_path / "ties.yaml"
    scenario.write_text("organization: {n_employees: 3, n_departments: 1, network: from_edgelist, "
                        "edgelist: ties.csv}\nrun: {days: 5, replicates: 2}\n")
    result = runner.invoke(app, ["run", str(scenario), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "expected columns 'source' and 'target'" in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1, result.output
    assert not (tmp_path / "o").exists()


def test_a_worker_that_dies_is_an_error_not_a_wait():
    scenario = with_run_settings(Scenario.model_validate(yaml.safe_load(SMALL)), days=36_500, replicates=2)
    with simulating(scenario, 2) as simulated:
        def started() -> list:  # the workers are started in the background
            return [p for p in multiprocessing.active_children() if p.name == "orgsim worker 1" and p.pid]

        assert wait_until(started, 60)
        os.kill(started()[0].pid, signal.SIGKILL)
        start = time.perf_counter()
        with pytest.raises(ChildProcessError, match="died"):
            simulated.wait()
    assert time.perf_counter() - start < 5
    assert not [p for p in multiprocessing.active_children() if p.name.startswith("orgsim worker")]


@pytest.mark.skipif(sys.platform != "linux", reason="reads the worker processes from /proc")
@pytest.mark.parametrize("how", ["Ctrl+C", "SIGTERM"])
def test_stopping_a_run_stops_its_workers_without_tracebacks(tmp_path, how):
    """Ctrl+C or SIGTERM ends the run and its worker processes, with no traceback from either.

    Ctrl+C goes to the command and its workers, as a terminal sends it; SIGTERM to the command alone, as a
    job scheduler sends it.
    """
    scenario = tmp_path / "long.yaml"
    scenario.write_text("organization: {n_employees: 20000}\nrun: {days: 3000, replicates: 2}\n")
    proc = subprocess.Popen([sys.executable, "-m", "orgsim", "run", str(scenario), "--out", str(tmp_path / "o"),
                             "--workers", "2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    workers = []

    def two_workers() -> bool:  # the fork server's children (the command's own are the server and its helper)
        nonlocal workers
        workers = [pid for pid in descendants(proc.pid) if pid not in children(proc.pid)]
        return len(workers) == 2

    assert wait_until(two_workers, 60)  # the workers start as soon as the scenario is read
    time.sleep(3.0)  # the workers are inside a kernel call by now, which runs all 3000 days (no events)
    stopped = time.perf_counter()
    if how == "Ctrl+C":
        os.killpg(proc.pid, signal.SIGINT)
    else:
        proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    assert time.perf_counter() - stopped < 3  # not waiting for the kernel call to end
    assert len(workers) == 2 and proc.returncode != 0
    assert "Traceback" not in out + err
    assert wait_until(lambda: not any(running(pid) for pid in workers), 5), "a worker is still running"
    assert not (tmp_path / "o").exists()


@pytest.mark.skipif(sys.platform != "linux", reason="reads the processes from /proc")
def test_a_run_killed_with_sigkill_leaves_no_process_behind(tmp_path):
    """``kill -9`` of ``orgsim run`` gives it no chance to stop its workers: they end with it all the same."""
    scenario = tmp_path / "long.yaml"
    scenario.write_text("organization: {n_employees: 20000}\nrun: {days: 3000, replicates: 2}\n")
    proc = subprocess.Popen([sys.executable, "-m", "orgsim", "run", str(scenario), "--out", str(tmp_path / "o"),
                             "--workers", "2"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        assert wait_until(lambda: len(descendants(proc.pid)) >= len(children(proc.pid)) + 2, 60), "no workers"
        everyone = descendants(proc.pid)  # the fork server, its helper and the workers
    finally:
        proc.kill()
        proc.wait()
    assert wait_until(lambda: not any(running(pid) for pid in everyone), 5), \
        f"still running: {[pid for pid in everyone if running(pid)]}"


def test_workers_count_every_simulated_day_for_the_progress_bar():
    scenario = with_run_settings(Scenario.model_validate(yaml.safe_load(SMALL)), days=15, replicates=3)
    days = []
    with simulating(scenario, 2, count_days=True) as simulated:
        replicates = simulated.wait(lambda: days.append(1))
    assert len(days) == 15 * 3
    assert [r.seed for r in replicates] == [replicate_seed(3, r) for r in range(3)]
    assert [len(r.counters) for r in replicates] == [15] * 3


@pytest.mark.parametrize("command", ["run", "validate", "sweep", "sensitivity", "animate", "compare", "dashboard"])
def test_every_command_help_ends_with_real_examples(command):
    """--help ends with examples that name the command and, where it takes files, a shipped file that exists."""
    result = CliRunner().invoke(app, [command, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    tail = result.output.split("Examples", 1)[1]
    lines = [line.strip() for line in tail.splitlines() if line.strip().startswith("orgsim ")]
    assert len(lines) >= 2 and all(line.split()[1] == command for line in lines)
    shipped = [word for line in lines for word in line.split() if word.startswith(("scenarios/", "experiments/"))]
    assert all((ROOT / word).exists() for word in shipped if "*" not in word)
