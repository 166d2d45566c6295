"""Atomic writes: a file is complete under its final name or absent."""

from __future__ import annotations

import errno
import fcntl
import json
import os
import subprocess
import sys
from contextlib import contextmanager
from functools import partial
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import orgsim
from orgsim.cli import app
from orgsim.output import OutputError, write_atomic, write_json, write_table
from orgsim.params import Scenario
from orgsim.runner import run
from orgsim.viz import figures as F
from orgsim.viz.save import save_run


def test_failed_write_leaves_no_file_and_no_temporary(tmp_path):
    target = tmp_path / "table.csv"

    def broken(tmp):
        tmp.write_text("half a tab")
        raise RuntimeError("killed mid-write")

    with pytest.raises(RuntimeError):
        write_atomic(target, broken)
    assert list(tmp_path.iterdir()) == []


def test_failed_rewrite_keeps_the_previous_complete_file(tmp_path):
    target = tmp_path / "summary.json"
    write_json(target, {"a": 1})
    with pytest.raises(TypeError):
        write_json(target, {"a": object()})
    assert json.loads(target.read_text()) == {"a": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["summary.json"]


def test_tables_round_trip_and_nan_becomes_null(tmp_path):
    frame = pd.DataFrame({"day": [0, 1], "x": [0.5, float("nan")]})
    write_table(tmp_path / "t.parquet", frame)
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "t.parquet"), frame)
    write_json(tmp_path / "s.json", {"v": float("nan")})
    assert json.loads((tmp_path / "s.json").read_text()) == {"v": None}


def small_results(days: int = 30):
    return run(Scenario.model_validate({"run": {"days": days, "replicates": 2},
                                        "organization": {"n_employees": 200, "n_departments": 4}}))


def _drawn_by(folder, draw, results, path):
    """A figure drawer that leaves a file named after the process that drew it (picklable: a partial of it)."""
    (folder / f"pid{os.getpid()}").touch()
    draw(results, path)


def test_figures_are_drawn_in_this_process_and_the_same_bytes_every_time(tmp_path, monkeypatch):
    """No process is forked for the figures (see ``draw_all``); saving twice gives the same bytes."""
    results = small_results()
    one = save_run(results, tmp_path / "one")
    for name, draw in list(F.FIGURES.items()):
        monkeypatch.setitem(F.FIGURES, name, partial(_drawn_by, tmp_path, draw))
    forked = save_run(results, tmp_path / "forked")
    assert [int(p.name[3:]) for p in tmp_path.glob("pid*")] == [os.getpid()]  # all three drawn here
    assert [p.name for p in one] == [p.name for p in forked]
    pngs = [p.name for p in one if p.suffix == ".png"]
    assert len(pngs) == 3
    for name in pngs + ["report.html", "summary.json"]:
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "forked" / name).read_bytes(), name
    assert sorted(p.name for p in (tmp_path / "forked").iterdir()) == sorted(p.name for p in forked)  # no leftovers


def _broken(results, path):
    raise OSError("disk full")


@pytest.mark.parametrize("where", ["last", "first"])
def test_a_figure_that_fails_leaves_no_files_behind(tmp_path, monkeypatch, where):
    """Its exception is raised as it was; no temporary file is left and the directory is not complete."""
    names = list(F.FIGURES)
    monkeypatch.setitem(F.FIGURES, names[-1] if where == "last" else names[0], _broken)
    with pytest.raises(OSError, match="disk full"):
        save_run(small_results(days=5), tmp_path)
    assert not (tmp_path / "summary.json").exists()  # the directory is not presented as complete
    assert not [p.name for p in tmp_path.iterdir() if ".part" in p.name]  # no temporary file left
    if where == "first":  # the figures after it were not drawn
        assert not list(tmp_path.glob("*.png"))


def tiny_scenario(tmp_path, name: str = "tiny") -> str:
    path = tmp_path / f"{name}.yaml"
    path.write_text(f"name: {name}\nrun: {{days: 3}}\norganization: {{n_employees: 40, n_departments: 3}}\n")
    return str(path)


@contextmanager
def lock_held_elsewhere(out):
    """Hold ``out``'s lock as another process would (a separate open file description)."""
    fd = os.open(out.parent / f".{out.name}.lock", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        yield
    finally:
        os.close(fd)


@pytest.mark.parametrize("command", ["run", "compare", "animate"])
def test_a_second_process_writing_the_same_output_is_refused(tmp_path, command):
    scenario = tiny_scenario(tmp_path)
    out = tmp_path / ("o.gif" if command == "animate" else "o")
    args = {"run": ["run", scenario, "-w", "1"], "compare": ["compare", scenario, tiny_scenario(tmp_path, "other")],
            "animate": ["animate", scenario]}[command]
    with lock_held_elsewhere(out):
        result = CliRunner().invoke(app, [*args, "--out", str(out), "-q"])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {out}: another orgsim process is writing there")
    assert result.stderr.count("\n") == 1 and not out.exists()


def test_a_second_sweep_into_the_same_folder_is_refused(tmp_path):
    out = tmp_path / "o"
    with lock_held_elsewhere(out), pytest.raises(OutputError, match="another orgsim process is writing there"):
        orgsim.sweep(scenario=tiny_scenario(tmp_path), grid={"policy.moderation": [0.0]}, out=out)


def test_compare_and_animate_refuse_a_taken_output_unless_forced(tmp_path):
    scenario, other = tiny_scenario(tmp_path), tiny_scenario(tmp_path, "other")
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "old.txt").write_text("another run")
    (tmp_path / "a.gif").write_text("another animation")
    compare = ["compare", scenario, other, "--out", str(tmp_path / "c"), "-q"]
    animate = ["animate", scenario, "--out", str(tmp_path / "a.gif"), "-q"]
    for args in (compare, animate):
        refused = CliRunner().invoke(app, args)
        assert refused.exit_code == 2 and "already holds files" in refused.stderr, refused.output
        forced = CliRunner().invoke(app, [*args, "--force"])
        assert forced.exit_code == 0, forced.output
    assert not (tmp_path / "c" / "old.txt").exists() and (tmp_path / "c" / "report.html").exists()
    assert (tmp_path / "a.gif").read_bytes().startswith(b"GIF")


def test_a_full_disk_is_one_line_naming_the_file_and_leaves_no_partial_run(tmp_path, monkeypatch):
    def no_space(self, path, *args, **kwargs):
        Path(path).write_bytes(b"x" * 1000)  # what fitted before the disk filled
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))  # as a writer raises it: no file name

    monkeypatch.setattr(pd.DataFrame, "to_parquet", no_space)
    out = tmp_path / "o"
    result = CliRunner().invoke(app, ["run", tiny_scenario(tmp_path), "-w", "1", "--out", str(out), "-q",
                                      "--no-figures"])
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {out / 'timeseries.parquet'}: no space left on device; "
                                                   "the run needs more than 0.0 MB free there"), result.stderr
    assert not out.exists() and sorted(p.name for p in tmp_path.iterdir()) == [".o.lock", "tiny.yaml"]


def test_a_failed_run_leaves_the_previous_run_whole(tmp_path, monkeypatch):
    out = tmp_path / "o"
    first = save_run(small_results(days=5), out, figures=False)
    before = {p.name: p.read_bytes() for p in first}
    monkeypatch.setattr(pd.DataFrame, "to_parquet", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("killed")))
    with pytest.raises(RuntimeError):
        save_run(small_results(days=6), out, figures=False, force=True)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [".o.lock", "o"]  # no temporary folder left


@pytest.mark.skipif(sys.platform != "linux" or os.geteuid() != 0, reason="mounting a tmpfs needs root on Linux")
def test_a_real_full_disk_a_small_tmpfs(tmp_path):
    """The same on a real full disk: a 100 KB tmpfs, where a run's figures and report do not fit."""
    disk = tmp_path / "disk"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=100k", "tmpfs", str(disk)]).returncode != 0:
        pytest.skip("mount refused here")
    try:
        result = CliRunner().invoke(app, ["run", tiny_scenario(tmp_path), "-w", "1", "-q", "--out", str(disk / "o")])
        left = sorted(p.name for p in disk.iterdir())
    finally:
        subprocess.run(["umount", str(disk)], check=True)
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {disk / 'o'}/") and "no space left on device; the run " \
        "needs more than" in lines[0], result.stderr
    assert left == [".o.lock"]  # no partial run, no temporary folder
