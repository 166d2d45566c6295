"""Write an organization in the client formats: an org chart and a collaboration file (Viva Insights columns).

For the round trip (``tests/test_client.py``) and the shipped synthetic example: a generated organization
written here and read back with ``organization.source: org_chart`` has the same hierarchy and ties.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from orgsim.output import write_table


def person_ids(n: int, prefix: str = "P") -> pd.Series:
    """Made-up ids ``P000000``, ``P000001``, ... (a synthetic organization's)."""
    return prefix + pd.Series(np.arange(n)).astype(str).str.zfill(6)


def unit_labels(n_units: int) -> list[str]:
    """Unit names that sort in index order: ``unit 000``, ``unit 001``, ..."""
    return [f"unit {d:03d}" for d in range(n_units)]


def chart_table(org, ids: pd.Series | None = None, units: list[str] | None = None) -> pd.DataFrame:
    """The org chart of ``org``'s employees: PersonId, ManagerId (empty for the top), Organization, levels."""
    n = org.n_employees
    ids = person_ids(n) if ids is None else ids
    units = unit_labels(org.n_departments) if units is None else units
    manager = org.manager[:n]
    return pd.DataFrame({
        "PersonId": ids.to_numpy(),
        "ManagerId": np.where(manager >= 0, ids.to_numpy()[np.maximum(manager, 0)], ""),
        "Organization": np.asarray(units, dtype=object)[org.department[:n]],
        "LevelDesignation": "L" + pd.Series(org.level[:n]).astype(str),
        "Layer": org.level[:n],
    })


def collaboration_table(org, ids: pd.Series | None = None, weight: np.ndarray | None = None) -> pd.DataFrame:
    """Each informal tie between employees once (lower id first), with a weight (default 1)."""
    n = org.n_employees
    ids = person_ids(n) if ids is None else ids
    row = np.repeat(np.arange(org.n, dtype=np.int64), np.diff(org.indptr))
    col = org.indices.astype(np.int64)
    keep = (row < col) & (col < n) & ~org.formal
    row, col = row[keep], col[keep]
    return pd.DataFrame({
        "PrimaryCollaborator_PersonId": ids.to_numpy()[row],
        "SecondaryCollaborator_PersonId": ids.to_numpy()[col],
        "Strong_tie_score": np.ones(row.shape[0]) if weight is None else weight[: row.shape[0]],
    })


def export_client_files(org, folder: str | Path, collaboration: bool = True) -> dict[str, Path]:
    """Write ``chart.csv`` (and ``collaboration.csv``) of ``org`` into ``folder``; return their paths."""
    folder = Path(folder)
    paths = {"chart": write_table(folder / "chart.csv", chart_table(org))}
    if collaboration:
        paths["collaboration"] = write_table(folder / "collaboration.csv", collaboration_table(org))
    return paths
