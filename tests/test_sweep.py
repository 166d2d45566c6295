"""Sweeps: tidy tables, seeds per run, failures recorded, identical for 1 and 2 workers, nothing lost or redone."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml
from proctree import cpu_seconds, descendants, running, wait_until
from typer.testing import CliRunner

import orgsim
import orgsim.sweeps
from orgsim.cli import app
from orgsim.experiment import design_points
from orgsim.runner import run_replicate
from orgsim.scenario import ScenarioError, with_overrides
from orgsim.simulation import replicate_seed

ROOT = Path(__file__).resolve().parents[1]
TOP_DOWN = str(ROOT / "scenarios" / "top_down.yaml")
# top_down's day-0 event would set the policy values swept here again: an announcement replaces it
SMALL = {"run.days": 20, "organization.n_employees": 150, "organization.n_departments": 4,
         "rollout.events": [{"day": 0, "announce": "all"}]}
GRID = {"policy.leader_participation": [0.0, 0.5], "employees.trust_mean": [0.3, 0.7]}
OUTPUTS = ["final_active_7d_share", "gini_posts", "peak_day"]


def small_sweep(**kw):
    """An 8-run sweep (2 x 2 grid, 2 replicates) of tiny top_down runs (150 employees, 20 days).

    Keywords replace fields.
    """
    fields = {"scenario": TOP_DOWN, "set": SMALL, "grid": GRID, "replicates": 2, "seed": 5, "outputs": OUTPUTS}
    return orgsim.sweep(**{**fields, **kw})


def write_experiment(path: Path, **fields) -> Path:
    """Write an experiment file named ``t`` with these fields."""
    path.write_text(yaml.safe_dump({"name": "t", "scenario": TOP_DOWN, "seed": 5, "outputs": OUTPUTS, **fields}))
    return path


def test_sweep_table_is_tidy_and_each_row_is_the_run_it_names():
    """Sweep table is tidy and each row is the run it names."""
    table = small_sweep()
    assert list(table.columns) == ["run", "point", "replicate", "seed", *GRID, *OUTPUTS, "status", "error"]
    assert list(table["run"]) == list(range(8))
    assert (table["status"] == "ok").all() and (table["error"] == "").all()
    assert list(table["seed"]) == [replicate_seed(5, i) for i in range(8)]
    assert table["seed"].nunique() == 8
    assert table.groupby("point")[list(GRID)].nunique().eq(1).all().all()
    assert len(table.drop_duplicates(list(GRID))) == 4
    # the row of run 5 is what running that scenario with that seed gives
    row = table.iloc[5]
    scenario = with_overrides(orgsim.load_scenario(TOP_DOWN), {**SMALL, **{k: row[k] for k in GRID}})
    _, metrics, _ = run_replicate(scenario, 5, 5)
    assert metrics["replicate_seed"] == row["seed"]
    assert [metrics[m] for m in OUTPUTS] == [row[m] for m in OUTPUTS]


def test_seeds_depend_on_run_index_not_on_other_runs():
    """Seeds depend on run index not on other runs."""
    full = small_sweep()
    fewer = small_sweep(grid={"policy.leader_participation": [0.0, 0.5], "employees.trust_mean": [0.3]})
    # the first two runs are the same (point, replicate, seed) in both designs
    pd.testing.assert_frame_equal(fewer.iloc[:2].drop(columns=list(GRID)), full.iloc[:2].drop(columns=list(GRID)))
    assert small_sweep(seed=6)["seed"].tolist() != full["seed"].tolist()


def test_a_failing_run_is_recorded_and_the_sweep_goes_on():
    """A failing run is recorded and the sweep goes on."""
    table = small_sweep(grid={"organization.n_employees": [6, 150]}, set={"run.days": 10,
                                                                             "organization.n_departments": 8})
    failed = table[table["status"] == "failed"]
    assert list(failed["organization.n_employees"]) == [6, 6]
    assert failed["error"].str.contains("n_departments \\(8\\) must be smaller than n_employees \\(6\\)").all()
    assert failed[OUTPUTS].isna().all().all()
    ok = table[table["status"] == "ok"]
    assert len(ok) == 2 and ok[OUTPUTS].notna().all().all()


def test_an_exception_inside_the_model_is_recorded(monkeypatch):
    """An exception inside the model is recorded."""
    def explode(scenario, replicate, seed):
        if scenario.policy.leader_participation > 0:
            raise RuntimeError("kernel blew up")
        return run_replicate(scenario, replicate, seed)

    monkeypatch.setattr(orgsim.sweeps, "run_replicate", explode)
    table = small_sweep()
    assert (table["status"] == "failed").sum() == 4
    assert (table.loc[table["policy.leader_participation"] > 0, "error"] == "RuntimeError: kernel blew up").all()


def test_one_and_two_workers_give_identical_tables():
    """One and two workers give identical tables."""
    serial = small_sweep(replicates=8)  # 32 runs: sent to Dask in batches of 2
    parallel = small_sweep(replicates=8, workers=2)
    pd.testing.assert_frame_equal(serial, parallel)
    assert len(parallel) == 32 and parallel["seed"].nunique() == 32


def test_time_series_are_kept_per_run_and_saved(tmp_path):
    """Time series are kept per run and saved."""
    table, daily = small_sweep(timeseries=["n_active_7d"], return_timeseries=True, out=tmp_path / "o")
    assert list(daily.columns) == ["run", "day", "n_active_7d"]
    assert len(daily) == len(table) * 20
    assert daily.groupby("run")["day"].apply(list).map(lambda d: d == list(range(20))).all()
    pd.testing.assert_frame_equal(daily, pd.read_parquet(tmp_path / "o" / "timeseries.parquet"))
    final = daily[daily["day"] == 19].set_index("run")["n_active_7d"] / 150
    assert final.to_numpy() == pytest.approx(table.set_index("run")["final_active_7d_share"].to_numpy())


def test_out_dir_holds_the_table_and_a_rerun_redoes_nothing(tmp_path):
    """Out dir holds the table and a rerun redoes nothing."""
    out = tmp_path / "o"
    table = small_sweep(out=out, csv=True)
    pd.testing.assert_frame_equal(table, pd.read_parquet(out / "runs.parquet"))
    assert len(pd.read_csv(out / "runs.csv")) == len(table)
    redone = []
    again = small_sweep(out=out, on_result=redone.append)
    assert redone == []
    pd.testing.assert_frame_equal(table, again)
    with pytest.raises(ScenarioError, match="holds results of a different experiment"):
        small_sweep(out=out, seed=6)


def test_a_sweep_is_not_resumed_across_a_change_of_the_model(tmp_path, monkeypatch):
    """Runs of two versions of the model's code must not end up in one table."""
    out = tmp_path / "o"
    small_sweep(out=out, replicates=1)
    monkeypatch.setattr(orgsim.sweeps, "model_hash", lambda: "another model")
    with pytest.raises(ScenarioError, match="different experiment, design or model version"):
        small_sweep(out=out, replicates=1)


def test_a_ctrl_c_just_after_a_part_is_saved_does_not_save_its_runs_twice(tmp_path, monkeypatch):
    """A Ctrl-C just after a part file is renamed into place: its runs are saved once.

    The flake of ``ctrl-c-dask``: that test interrupts as soon as a part file appears, on a busy machine often
    just after the rename and before the buffer was cleared; the final flush saved the same runs again.
    """
    saved = orgsim.sweeps.Store.save

    def save_then_ctrl_c(self, rows, daily):
        saved(self, rows, daily)
        if rows:
            monkeypatch.setattr(orgsim.sweeps.Store, "save", saved)
            raise KeyboardInterrupt

    monkeypatch.setattr(orgsim.sweeps.Store, "save", save_then_ctrl_c)
    out = tmp_path / "o"
    experiment = orgsim.sweeps.resolve(None, {"scenario": TOP_DOWN, "set": SMALL, "grid": GRID, "replicates": 2,
                                              "seed": 5, "outputs": OUTPUTS})
    with pytest.raises(KeyboardInterrupt):
        orgsim.sweeps.run_points(experiment, design_points(experiment, 5), out=out, flush_every=3)
    parts = _run_indices_per_part(out)
    assert sorted(r for part in parts for r in part) == [0, 1, 2]
    small_sweep(out=out)
    everything = sorted(r for part in _run_indices_per_part(out) for r in part)
    assert everything == list(range(8)), "a run was saved twice"


def _run_indices_per_part(out: Path) -> list[list[int]]:
    """The run indices of each saved part file."""
    return [pd.read_parquet(p)["run"].tolist() for p in sorted((out / "parts").glob("runs-*.parquet"))]


# ``orgsim sweep`` that stops taking results after the first 16 (one part file): a test's interrupt, however late
# a busy machine lets it come, lands mid-way. Without it a sweep of a few seconds could finish first.
PAUSED_SWEEP = """
import sys, time
import orgsim.sweeps
from orgsim.cli import main

def paused(*args, **kwargs):
    for i, item in enumerate(execute(*args, **kwargs)):
        while i >= 16:
            time.sleep(0.05)
        yield item

if __name__ == "__main__":
    execute, orgsim.sweeps.execute = orgsim.sweeps.execute, paused
    sys.argv[0] = "orgsim"
    main()
"""


@pytest.mark.parametrize(("how", "workers"), [(signal.SIGKILL, 1), (signal.SIGINT, 1), (signal.SIGINT, 2)],
                         ids=["kill-9", "ctrl-c", "ctrl-c-dask"])
def test_interrupted_sweep_resumes_to_the_same_table(tmp_path, how, workers):
    """Interrupt a real ``orgsim sweep`` process mid-way, start it again, compare with an uninterrupted sweep.

    Ctrl-C goes to the whole process group, workers included, as a terminal sends it; it ends without a traceback.
    The interrupted sweep pauses after its first 16 runs (:data:`PAUSED_SWEEP`), so the interrupt is mid-way.
    """
    fields = {"set": {"run.days": 60, "organization.n_employees": 300, "organization.n_departments": 4,
                      "rollout.events": [{"day": 0, "announce": "all"}]},
              "grid": {"policy.leader_participation": [0.0, 0.2, 0.5], "employees.trust_mean": [0.3, 0.5, 0.7]},
              "replicates": 4}
    path = write_experiment(tmp_path / "exp.yaml", **fields)
    out = tmp_path / "out"
    (tmp_path / "paused.py").write_text(PAUSED_SWEEP)
    arguments = ["sweep", str(path), "--out", str(out), "--quiet", "--workers", str(workers)]
    proc = subprocess.Popen([sys.executable, str(tmp_path / "paused.py"), *arguments], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True)
    try:
        deadline = time.monotonic() + 300
        while not list(out.glob("parts/runs-*.parquet")) and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert proc.poll() is None, "the sweep ended before it could be interrupted: " + proc.stderr.read().decode()
        (os.killpg if how == signal.SIGINT else os.kill)(proc.pid, how)
        code = proc.wait(timeout=60)
        messages = proc.stderr.read().decode()
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert code == (-signal.SIGKILL if how == signal.SIGKILL else 130), messages
    assert "Traceback" not in messages, messages
    assert not (out / "runs.parquet").exists()
    saved = sorted(r for part in _run_indices_per_part(out) for r in part)
    assert 0 < len(saved) <= 16

    again = subprocess.run([sys.executable, "-m", "orgsim", *arguments], capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    parts = _run_indices_per_part(out)
    everything = sorted(r for part in parts for r in part)
    assert everything == list(range(36)), "a run was lost or done twice"
    uninterrupted = orgsim.sweep(path)
    pd.testing.assert_frame_equal(pd.read_parquet(out / "runs.parquet"), uninterrupted)


def test_cli_sweep_says_it_starts_workers_only_when_it_does(tmp_path):
    """Starting local workers is announced; re-running a finished sweep starts none and does not say so."""
    path = write_experiment(tmp_path / "e.yaml", set=SMALL, grid={"policy.moderation": [0.0, 1.0]})
    command = ["sweep", str(path), "--out", str(tmp_path / "o"), "--workers", "2"]
    first = CliRunner().invoke(app, command)
    assert first.exit_code == 0 and "starting the workers" in first.stderr, first.output
    again = CliRunner().invoke(app, command)
    assert again.exit_code == 0 and "2 of 2 runs ok" in again.stderr and "starting" not in again.stderr
    assert "t: 2 of 2 runs were done before; nothing left to run" in again.stderr


def test_cli_sweep_exit_status_says_whether_a_run_failed(tmp_path):
    """The CLI sweep exit status says whether a run failed."""
    ok = write_experiment(tmp_path / "ok.yaml", set=SMALL, grid={"policy.moderation": [0.0, 1.0]})
    result = CliRunner().invoke(app, ["sweep", str(ok), "--out", str(tmp_path / "a"), "--csv", "--quiet"])
    assert result.exit_code == 0 and result.output == "", result.output  # --quiet: only warnings and errors print
    assert (tmp_path / "a" / "runs.parquet").exists() and (tmp_path / "a" / "runs.csv").exists()
    bad = write_experiment(tmp_path / "bad.yaml", set={"run.days": 5, "organization.n_departments": 5},
                           grid={"organization.n_employees": [5, 50]})
    result = CliRunner().invoke(app, ["sweep", str(bad), "--out", str(tmp_path / "b"), "--quiet"])
    assert result.exit_code == 1
    assert "1 of 2 runs ok" in result.output and "failed run 0" in result.output
    assert len(pd.read_parquet(tmp_path / "b" / "runs.parquet")) == 2


def test_a_script_without_a_main_guard_gets_told_what_to_do(tmp_path):
    """Local workers import the calling script; run unguarded, each says so in one line and the sweep fails."""
    script = tmp_path / "unguarded.py"
    script.write_text(f"import orgsim\n"
                      f"orgsim.sweep(scenario={TOP_DOWN!r}, set={SMALL!r}, grid={GRID!r}, replicates=1,\n"
                      f"             outputs={OUTPUTS!r}, out='out', workers=2)\n")
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    hint = 'start the sweep under `if __name__ == "__main__":` (worker processes import the script)'
    assert done.returncode != 0
    assert done.stderr.count(f"orgsim: a worker process started a sweep while importing your script; {hint}") == 2
    assert any(line.startswith("RuntimeError: local Dask workers did not start") and line.endswith(hint + ".")
               for line in done.stderr.splitlines())
    assert not (tmp_path / "out" / "runs.parquet").exists()


@pytest.mark.skipif(sys.platform != "linux", reason="reads the processes from /proc")
def test_a_sweep_killed_with_sigkill_leaves_no_process_behind(tmp_path):
    """``kill -9`` of ``orgsim sweep --workers 2`` gives it no chance to stop its Dask workers: they end with it.

    The runs are long (20,000 employees, 3,000 days): the workers must end at once, not after them.
    """
    fields = {"set": {"run.days": 3000, "organization.n_employees": 20000,
                      "rollout.events": [{"day": 0, "announce": "all"}]},
              "grid": {"policy.leader_participation": [0.0, 0.5]}, "replicates": 2}
    path = write_experiment(tmp_path / "exp.yaml", **fields)
    proc = subprocess.Popen([sys.executable, "-m", "orgsim", "sweep", str(path), "--out", str(tmp_path / "out"),
                             "--quiet", "--workers", "2"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:  # both workers well into their first run: they have started, joined and warmed up
        assert wait_until(lambda: sum(cpu_seconds(pid) > 5 for pid in descendants(proc.pid)) >= 2, 300)
        everyone = descendants(proc.pid)
    finally:
        proc.kill()
        proc.wait()
    assert wait_until(lambda: not any(running(pid) for pid in everyone), 5), \
        f"still running: {[pid for pid in everyone if running(pid)]}"
