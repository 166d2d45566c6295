"""Atomic writes: a file is complete under its final name or absent."""

from __future__ import annotations

import json
import os
from functools import partial

import pandas as pd
import pytest

from orgsim.output import write_atomic, write_json, write_table
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


def test_figures_are_drawn_here_whatever_fork_figures_says(tmp_path, monkeypatch):
    """No process is forked for the figures (see ``draw_all``); the files are the same bytes either way."""
    results = small_results()
    one = save_run(results, tmp_path / "one")
    for name, draw in list(F.FIGURES.items()):
        monkeypatch.setitem(F.FIGURES, name, partial(_drawn_by, tmp_path, draw))
    forked = save_run(results, tmp_path / "forked", fork_figures=True)
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
        save_run(small_results(days=5), tmp_path, fork_figures=True)
    assert not (tmp_path / "summary.json").exists()  # the directory is not presented as complete
    assert not [p.name for p in tmp_path.iterdir() if ".part" in p.name]  # no temporary file left
    if where == "first":  # the figures after it were not drawn
        assert not list(tmp_path.glob("*.png"))
