"""Atomic writes: a file is complete under its final name or absent."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from orgsim.output import write_atomic, write_json, write_table


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
