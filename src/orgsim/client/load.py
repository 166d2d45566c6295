"""Load a client's org chart, collaboration network and survey into arrays the model reads (docs/model.md 5.1).

Privacy: the chart's ids are pseudonymized as they are read, with a keyed hash (SipHash-2-4, pandas'
``hash_array``) under a random key drawn for each load, so they cannot be recomputed from the file after
the load; duplicates, managers and loops are found on the pseudonyms. The collaboration file's ids are
matched to chart rows inside Arrow's read buffers. What the load returns holds no id: row numbers, the
pseudonyms and the unit names. Only the unit names are kept: they label per-unit results, which leave out
units under ``min_group_size`` employees. People are numbered in the chart's row order, so the key never
changes a result. (Two different ids with equal pseudonyms would be reported as a duplicate: with 64-bit
hashes and 300,000 people the chance is about 2 in a billion.)
"""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from orgsim.client.files import ClientFileError, place, read_columns
from orgsim.client.hierarchy import check_hierarchy
from orgsim.params import OrgChartFiles

MAX_UNITS = 1000  # organization.n_departments' upper bound


@dataclass(frozen=True)
class ClientOrg:
    """A client's organization as arrays indexed by chart row (people), without any id."""

    manager: np.ndarray  # int32, the manager's row; -1 for the top person
    level: np.ndarray  # int32, steps from the top person (0)
    unit: np.ndarray  # int32, index into unit_names
    unit_names: tuple[str, ...]  # the chart's units, sorted
    pseudonyms: np.ndarray = field(repr=False)  # uint64, this load's keyed hash of each person's id
    ties: tuple[np.ndarray, np.ndarray] | None = None  # informal ties (rows), from the collaboration file
    unit_means: dict[str, np.ndarray] = field(default_factory=dict)  # input -> mean per unit (NaN: not surveyed)

    @property
    def n(self) -> int:
        """People in the chart."""
        return self.manager.shape[0]


def new_key() -> str:
    """A random 16-character SipHash key (about 95 bits), drawn for each load and never stored."""
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(16))


def pseudonymize(ids: pa.Array | pa.ChunkedArray, key: str) -> np.ndarray:
    """The keyed hash (uint64) of each id."""
    return pd.util.hash_array(np.asarray(ids.to_numpy(zero_copy_only=False), dtype=object), hash_key=key)


def _no_empty(table: pa.Table, column: str, path: Path, first: int, what: str) -> None:
    empty = np.flatnonzero(pc.is_null(table.column(column)).to_numpy(zero_copy_only=False))
    if empty.size:
        raise ClientFileError(place(path, empty, first, column) + f": empty {what}")


def read_chart(files: OrgChartFiles, key: str) -> tuple[ClientOrg, pa.Array]:
    """The chart's people, and its ids (for looking up the collaboration file's, then dropped)."""
    path = Path(files.chart)
    table, first = read_columns(path, dict.fromkeys([files.person_id, files.manager_id, files.unit], pa.string()),
                                "org chart")
    _no_empty(table, files.person_id, path, first, "person id")
    _no_empty(table, files.unit, path, first, "unit")
    n = table.num_rows
    if n < 2:
        raise ClientFileError(f"{path}: the org chart has {n} person; expected at least 2")
    person = pseudonymize(table.column(files.person_id), key)
    order = np.argsort(person, kind="stable")
    ranked = person[order]
    repeated = np.flatnonzero(ranked[1:] == ranked[:-1])
    if repeated.size:
        rows = np.sort(order[repeated + 1])
        raise ClientFileError(place(path, rows, first, files.person_id) + ": an id given on an earlier "
                              "row too; each person must have one row")
    boss_column = table.column(files.manager_id)
    has_boss = ~pc.is_null(boss_column).to_numpy(zero_copy_only=False)
    manager = np.full(n, -1, np.int32)
    if has_boss.any():
        boss = pseudonymize(boss_column.filter(pa.array(has_boss)), key)
        at = np.minimum(np.searchsorted(ranked, boss), n - 1)
        found = ranked[at] == boss
        if not found.all():
            rows = np.flatnonzero(has_boss)[~found]
            raise ClientFileError(place(path, rows, first, files.manager_id) + ": a manager who has no "
                                  "row in the chart; every manager must be a person of the chart")
        manager[has_boss] = order[at]
    own = np.flatnonzero(manager == np.arange(n))
    if own.size:
        raise ClientFileError(place(path, own, first, files.manager_id) + ": a person is their own "
                              "manager; leave it empty for the top person")
    level = check_hierarchy(manager, path, files.manager_id, first)
    codes, names = pd.factorize(np.asarray(table.column(files.unit).to_numpy(zero_copy_only=False), dtype=object),
                                sort=True)
    if len(names) > MAX_UNITS:
        raise ClientFileError(f"{path} (column {files.unit!r}): {len(names)} units; the model takes at most "
                              f"{MAX_UNITS} (choose a coarser unit column)")
    org = ClientOrg(manager=manager, level=level, unit=codes.astype(np.int32),
                    unit_names=tuple(str(u) for u in names), pseudonyms=person)
    return org, table.column(files.person_id).combine_chunks()


def read_collaboration(files: OrgChartFiles, chart_ids: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Informal ties: the pairs whose summed weight (both directions) passes the rule of ``weight_quantile``.

    Each id is looked up among the chart's ids inside Arrow (a hash table in C++, no Python object per
    row): 10 million edges take seconds, and the edges' ids never leave the read buffers.
    """
    path = Path(files.collaboration)
    columns = dict.fromkeys([files.source, files.target], pa.string())
    if files.weight:
        columns[files.weight] = pa.float64()
    table, first = read_columns(path, columns, "collaboration file")
    n = len(chart_ids)
    ends = []
    for column in (files.source, files.target):
        _no_empty(table, column, path, first, "person id")
        row = pc.index_in(table.column(column), value_set=chart_ids)
        unknown = np.flatnonzero(pc.is_null(row).to_numpy(zero_copy_only=False))
        if unknown.size:
            raise ClientFileError(place(path, unknown, first, column) + ": a person who has no row in the org chart")
        ends.append(row.to_numpy().astype(np.int64))
        table = table.drop_columns([column])  # the ids are not needed any more
    i, j = ends
    if files.weight:
        weight = table.column(files.weight).to_numpy()  # nulls become NaN
        bad = np.flatnonzero(~np.isfinite(weight) | (weight < 0))
        if bad.size:
            raise ClientFileError(place(path, bad, first, files.weight) + ": expected a number >= 0")
    else:
        weight = np.ones(i.shape[0])
    del table
    apart = i != j  # a row of someone with themselves is no tie
    if files.weight_quantile == 0:  # a pair is a tie if any of its rows weighs > 0: no sums needed
        keep = apart & (weight > 0)  # (the network's builder merges a pair's rows)
        return i[keep].astype(np.int32), j[keep].astype(np.int32)
    pair = np.minimum(i, j)[apart] * n + np.maximum(i, j)[apart]
    del i, j
    which, pairs = pd.factorize(pair)  # by hashing: faster than sorting 10 million pairs
    del pair
    total = np.bincount(which, weights=weight[apart], minlength=pairs.shape[0])
    keep = total > 0
    if files.weight_quantile > 0 and keep.any():
        keep &= total >= np.quantile(total[keep], files.weight_quantile)
    pairs = pairs[keep]
    return (pairs // n).astype(np.int32), (pairs % n).astype(np.int32)


def read_survey(files: OrgChartFiles, names: tuple[str, ...]) -> dict[str, np.ndarray]:
    """Each measure's input mean per unit, by the linear rule of its ``scale`` and ``to`` (NaN: no score)."""
    path = Path(files.survey)
    columns = {files.unit: pa.string(), **{m.column: pa.float64() for m in files.measures}}
    table, first = read_columns(path, columns, "survey")
    _no_empty(table, files.unit, path, first, "unit")
    units = np.asarray(table.column(files.unit).to_numpy(zero_copy_only=False), dtype=object)
    index = pd.Index(names).get_indexer(units)
    unknown = np.flatnonzero(index < 0)
    if unknown.size:
        raise ClientFileError(place(path, unknown, first, files.unit) + ": a unit that is not in the org "
                              "chart's unit column")
    seen = pd.Series(index).duplicated().to_numpy()
    if seen.any():
        raise ClientFileError(place(path, np.flatnonzero(seen), first, files.unit) + ": a unit given on "
                              "an earlier row too; expected one row per unit")
    means = {}
    for m in files.measures:
        score = table.column(m.column).to_numpy()  # empty: NaN, the unit keeps the assumed mean
        lo, hi = m.scale
        outside = np.flatnonzero((score < lo) | (score > hi))
        if outside.size:
            raise ClientFileError(place(path, outside, first, m.column) + f": a score outside the "
                                  f"scale {lo:g} to {hi:g}")
        per_unit = np.full(len(names), np.nan)
        per_unit[index] = m.to[0] + (score - lo) / (hi - lo) * (m.to[1] - m.to[0])
        means[m.input] = per_unit
    return means


_loaded: dict[tuple, ClientOrg] = {}  # the last loads, by settings and files' sizes and times


def load_client(files: OrgChartFiles) -> ClientOrg:
    """The client's organization from ``files`` (validated; read again only when a file or a setting changes)."""
    paths = [Path(p) for p in (files.chart, files.collaboration, files.survey) if p]
    stamp = tuple((str(p), p.stat().st_size, p.stat().st_mtime_ns) if p.is_file() else (str(p),) for p in paths)
    key = (files.model_dump_json(), stamp)
    if key not in _loaded:
        hash_key = new_key()
        org, chart_ids = read_chart(files, hash_key)
        problems, ties, means = [], None, {}
        try:  # the collaboration file's and the survey's problems are told together
            ties = read_collaboration(files, chart_ids) if files.collaboration else None
        except ClientFileError as exc:
            problems.append(str(exc))
        del chart_ids
        try:
            means = read_survey(files, org.unit_names) if files.survey else {}
        except ClientFileError as exc:
            problems.append(str(exc))
        if problems:
            raise ClientFileError("\n".join(problems))
        _loaded.clear()  # one client at a time: a 300,000-person network is large
        _loaded[key] = ClientOrg(org.manager, org.level, org.unit, org.unit_names, org.pseudonyms, ties, means)
    return _loaded[key]


def chart_shape(files: OrgChartFiles) -> dict[str, int]:
    """``n_employees`` and ``n_departments`` of the chart (for the scenario's checks); raises ValueError."""
    org = load_client(files)
    return {"n_employees": org.n, "n_departments": len(org.unit_names)}
