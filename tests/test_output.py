"""Atomic writes: a file is complete under its final name or absent."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from orgsim.output import save_run, write_atomic, write_json, write_table
from orgsim.params import Scenario
from orgsim.runner import run


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


def test_figures_drawn_in_forked_processes_are_the_same_files(tmp_path):
    """``orgsim run`` draws figures in forked processes; the files are those drawn in one process."""
    scenario = Scenario.model_validate({"run": {"days": 30, "replicates": 2},
                                        "organization": {"n_employees": 200, "n_departments": 4}})
    results = run(scenario)
    one = save_run(results, tmp_path / "one")
    forked = save_run(results, tmp_path / "forked", fork_figures=True)
    assert [p.name for p in one] == [p.name for p in forked]
    pngs = [p.name for p in one if p.suffix == ".png"]
    assert len(pngs) == 3
    for name in pngs + ["report.html", "summary.json"]:
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "forked" / name).read_bytes(), name
    assert sorted(p.name for p in (tmp_path / "forked").iterdir()) == sorted(p.name for p in forked)  # no leftovers


def test_a_figure_failing_in_a_forked_process_is_an_error(tmp_path, monkeypatch):
    import orgsim.viz.figures as F

    def broken(results, path):
        raise ValueError("cannot draw")

    monkeypatch.setitem(F.FIGURES, "participation.png", broken)  # drawn in a forked process
    scenario = Scenario.model_validate({"run": {"days": 5, "replicates": 1},
                                        "organization": {"n_employees": 50, "n_departments": 2}})
    with pytest.raises(RuntimeError, match="drawing participation.png failed"):
        save_run(run(scenario), tmp_path, fork_figures=True)
    assert not (tmp_path / "participation.png").exists() and not (tmp_path / "summary.json").exists()
