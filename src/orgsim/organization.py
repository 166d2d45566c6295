"""Build the organization: hierarchy, departments, teams and the social network (CSR).

The hierarchy is a tree: employee 0 is the CEO; the CEO's direct reports head
the departments; each department is a complete ``span``-ary tree filled level by
level, so department sizes differ by at most one. A team is a manager and their
direct reports. Ties are formal (manager-report, teammates) and informal (random,
dense inside a department and sparse across), symmetric, without self-ties, and
stored as CSR arrays (``indptr``, ``indices``) sorted by neighbour id.

The classic network kinds (``complete``, ``erdos_renyi``, ``watts_strogatz``,
``from_edgelist``) keep the hierarchy attributes but replace all ties.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from orgsim.edgelist import read_edgelist
from orgsim.params import Organization

EXTERNAL_TIES = 3  # ties of each external member to random employees
_CHUNK = 1 << 20  # elements per step of the CSR builder's passes (bounds its temporaries)


@dataclass(frozen=True)
class Org:
    """An organization's structure; arrays are indexed by person id (employees first, then externals)."""

    n_employees: int
    level: np.ndarray  # int32, 0 = CEO; externals -1
    department: np.ndarray  # int32, 0..n_departments-1; externals n_departments
    manager: np.ndarray  # int32, -1 for the CEO and externals
    team: np.ndarray  # int32, id of the team's manager
    is_external: np.ndarray  # bool
    indptr: np.ndarray  # int64, CSR row pointers (len n + 1)
    indices: np.ndarray  # int32, CSR neighbour ids
    formal: np.ndarray  # bool, per CSR entry: a formal (reporting or team) tie
    complete: bool  # every pair is tied (ties are implicit, not stored)
    n_departments: int
    unit_means: dict = field(default_factory=dict)  # survey input -> mean per department (NaN: assumed)

    def mean_of(self, name: str, assumed: float) -> float | np.ndarray:
        """Each person's mean of input ``name``: their unit's from a survey, else ``assumed`` (a scalar if none)."""
        per_unit = self.unit_means.get(name)
        if per_unit is None:
            return assumed
        by_person = np.append(per_unit, np.nan)[self.department]  # externals: the index after the last unit
        return np.where(np.isnan(by_person), assumed, by_person)

    @property
    def n(self) -> int:
        """People in the model, employees and externals."""
        return self.level.shape[0]

    @property
    def degree(self) -> np.ndarray:
        """Number of ties of each person."""
        if self.complete:
            return np.full(self.n, self.n_employees - 1, dtype=np.int64)
        return np.diff(self.indptr)

    @property
    def depth(self) -> int:
        """Number of levels below the CEO."""
        return int(self.level.max())

    def neighbours(self, i: int) -> np.ndarray:
        """Ids tied to person ``i``."""
        if self.complete:
            return np.delete(np.arange(self.n_employees), i) if i < self.n_employees else np.array([], int)
        return self.indices[self.indptr[i] : self.indptr[i + 1]]


def hierarchy(n: int, span: int, n_departments: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Levels, departments and managers of ``n`` employees (see the module docstring)."""
    sizes = np.full(n_departments, (n - 1) // n_departments)
    sizes[: (n - 1) % n_departments] += 1
    starts = 1 + np.concatenate([[0], np.cumsum(sizes)[:-1]])
    department = np.zeros(n, dtype=np.int32)
    department[1:] = np.repeat(np.arange(n_departments, dtype=np.int32), sizes)
    local = np.arange(n) - starts[department]  # position inside the department tree, head = 0
    local[0] = 0
    manager = np.where(local > 0, starts[department] + (local - 1) // span, 0).astype(np.int32)
    manager[0] = -1
    # a complete span-ary tree numbered level by level: depth d starts at position 1 + span + ... + span^(d-1)
    firsts = [0]
    while firsts[-1] <= local.max():
        firsts.append(firsts[-1] * span + 1)
    level = np.searchsorted(np.array(firsts, dtype=np.int64), local, side="right").astype(np.int32)
    level[0] = 0
    return level, department, manager


def _formal_edges(manager: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Manager-report pairs and teammate pairs (reports of the same manager)."""
    people = np.flatnonzero(manager >= 0)
    src, dst = [people], [manager[people]]
    order = people[np.argsort(manager[people], kind="stable")]
    boss = manager[order]  # sorted: each team is a run
    largest_team = int(np.bincount(boss).max()) if people.size else 0
    for offset in range(1, largest_team):
        same = boss[:-offset] == boss[offset:]
        src.append(order[:-offset][same])
        dst.append(order[offset:][same])
    return np.concatenate(src), np.concatenate(dst)


def _informal_edges(
    department: np.ndarray, k_within: float, k_across: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Random ties: mean degree ``k_within`` inside departments, and ``n * k_across / 2`` random pairs.

    Pairs within one department are dropped, so the mean degree between departments is
    ``k_across * (1 - sum of squared department shares)``.
    """
    n = department.shape[0]
    order = np.argsort(department, kind="stable")
    counts = np.bincount(department)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    m_in = rng.poisson(n * k_within / 2)
    u = rng.integers(0, n, m_in)
    d = department[u]
    v = order[starts[d] + (rng.random(m_in) * counts[d]).astype(np.int64)]
    m_out = rng.poisson(n * k_across / 2)
    a = rng.integers(0, n, m_out)
    b = rng.integers(0, n, m_out)
    across = department[a] != department[b]
    return np.concatenate([u, a[across]]), np.concatenate([v, b[across]])


def to_csr(n: int, src: np.ndarray, dst: np.ndarray, formal_mask: np.ndarray | None = None):
    """Symmetric CSR without self-ties or duplicates; a tie is formal if any copy of it was.

    Each directed copy of a tie is packed into one int64, ``(row << b | col) << 1 | informal`` with ``b``
    bits per id, so one in-place sort orders the ties by row, then column, with the formal copy of a
    duplicated tie first. A pass over the sorted keys, in chunks to bound temporaries, keeps the first
    copy of each tie, drops self-ties, and compacts the kept keys in place.
    """
    bits = max(1, int(n - 1).bit_length())
    if 2 * bits + 1 > 63:
        raise ValueError(f"too many people for the CSR builder: {n}")
    mask = (1 << bits) - 1
    src = np.asarray(src, dtype=np.int64)
    dst = np.asarray(dst, dtype=np.int64)
    m = src.shape[0]
    informal = None if formal_mask is None else ~np.asarray(formal_mask, dtype=bool)
    key = np.empty(2 * m, np.int64)
    for half, (a, b) in enumerate(((src, dst), (dst, src))):  # both directions of every tie
        part = key[half * m : (half + 1) * m]
        np.left_shift(a, bits, out=part)
        part |= b
        part <<= 1
        if informal is None:
            part |= 1
        else:
            np.bitwise_or(part, informal, out=part)
    del informal
    key.sort()

    kept, previous = 0, None  # previous: the last key of the chunk before, as it was before compaction
    for start in range(0, key.shape[0], _CHUNK):
        chunk = key[start : start + _CHUNK]
        keep = np.empty(chunk.shape[0], bool)
        keep[0] = previous is None or (int(chunk[0]) ^ previous) > 1
        np.greater(chunk[1:] ^ chunk[:-1], 1, out=keep[1:])  # copies of one tie differ in the last bit only
        pair = chunk >> 1
        keep &= (pair >> bits) != (pair & mask)  # no self-ties
        previous = int(chunk[-1])
        chunk = chunk[keep]  # a copy; it goes to the compacted part, which ends before the next chunk
        key[kept : kept + chunk.shape[0]] = chunk
        kept += chunk.shape[0]
    key = key[:kept]

    indices = np.empty(kept, np.int32)
    formal = np.empty(kept, bool)
    counts = np.zeros(n, np.int64)
    for start in range(0, kept, _CHUNK):
        chunk = key[start : start + _CHUNK]
        np.equal(chunk & 1, 0, out=formal[start : start + chunk.shape[0]])
        pair = chunk >> 1
        indices[start : start + chunk.shape[0]] = pair & mask
        pair >>= bits  # the rows, sorted: count them over this chunk's range of rows only
        counts[pair[0] : pair[-1] + 1] += np.bincount(pair - pair[0])
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    return indptr, indices, formal


def _classic_edges(cfg: Organization, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Edges of the classic network kinds."""
    if cfg.network == "erdos_renyi":
        m = rng.poisson(n * cfg.mean_degree / 2)
        return rng.integers(0, n, m), rng.integers(0, n, m)
    if cfg.network == "watts_strogatz":
        base = np.repeat(np.arange(n), cfg.ws_k // 2)
        offsets = np.tile(np.arange(1, cfg.ws_k // 2 + 1), n)
        target = (base + offsets) % n
        rewire = rng.random(target.shape[0]) < cfg.ws_p
        target[rewire] = rng.integers(0, n, int(rewire.sum()))
        return base, target
    if cfg.network == "from_edgelist":
        return read_edgelist(cfg.edgelist, n)
    raise ValueError(f"not a classic network kind: {cfg.network}")


def build_organization(cfg: Organization, rng: np.random.Generator) -> Org:
    """Generate the organization described by ``cfg``, deterministically from ``rng``."""
    n = cfg.n_employees
    client = None
    if cfg.source == "org_chart":  # the client's chart (orgsim.client); ties from their file if given
        from orgsim.client import load_client

        client = load_client(cfg.org_chart)
        level, department, manager, n_dept = client.level, client.unit, client.manager, len(client.unit_names)
    else:
        n_dept = min(cfg.n_departments, n - 1)
        level, department, manager = hierarchy(n, cfg.span_of_control, n_dept)
    if cfg.network == "org":
        fs, fd = _formal_edges(manager)
        if client is not None and client.ties is not None:
            is_, id_ = client.ties
        else:
            is_, id_ = _informal_edges(department, cfg.informal_degree_within, cfg.informal_degree_across, rng)
        src, dst = np.concatenate([fs, is_]), np.concatenate([fd, id_])
        formal = np.concatenate([np.ones(fs.shape[0], bool), np.zeros(is_.shape[0], bool)])
        del fs, fd, is_, id_  # only the concatenated copies are needed (memory at a million employees)
    elif cfg.network == "complete":
        src = dst = np.zeros(0, np.int64)
        formal = np.zeros(0, bool)
    else:
        src, dst = _classic_edges(cfg, n, rng)
        formal = np.zeros(src.shape[0], bool)

    x = cfg.n_external
    if x:
        ext = np.arange(n, n + x)
        src = np.concatenate([src, np.repeat(ext, EXTERNAL_TIES)])
        dst = np.concatenate([dst, rng.integers(0, n, x * EXTERNAL_TIES)])
        formal = np.concatenate([formal, np.zeros(x * EXTERNAL_TIES, bool)])
        level = np.concatenate([level, np.full(x, -1, np.int32)])
        department = np.concatenate([department, np.full(x, n_dept, np.int32)])
        manager = np.concatenate([manager, np.full(x, -1, np.int32)])
    indptr, indices, formal_csr = to_csr(n + x, src, dst, formal)
    team = np.where(manager >= 0, manager, np.arange(n + x)).astype(np.int32)
    return Org(
        n_employees=n,
        level=level,
        department=department,
        manager=manager,
        team=team,
        is_external=np.arange(n + x) >= n,
        indptr=indptr,
        indices=indices,
        formal=formal_csr,
        complete=cfg.network == "complete",
        n_departments=n_dept,
        unit_means=client.unit_means if client is not None else {},
    )
