"""Who is where on the org chart, and what state each person is in: shared by the animation and the dashboard.

The org chart puts each department in its own box (boxes side by side in a grid,
the CEO above them). Inside a box people sit in rows by hierarchy level, head
on top; a level wider than the box wraps onto several rows, and within a level
people are ordered by their manager's position so teams stay together. Larger
organizations are sampled: everyone in the upper levels is kept and the
lowest levels are sampled at random, so managers always stay on the chart.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from orgsim.kernels.state import AWARE, LEFT, MEMBER

STATES = ("unaware", "aware", "idle", "reading", "contributing", "left")
CONTRIBUTING_DAYS = 30  # "contributing" = wrote something in the last 30 days (as n_contributors_30d)
ACTIVE_DAYS = 7  # "active" = visited in the last 7 days (as n_active_7d)
MAX_NODES = 1200  # above this, the chart shows a sample (readable on a projector)
LEVEL_GAP = 0.7  # extra space between hierarchy levels, in rows


def person_states(people, day: int) -> np.ndarray:
    """Each person's display state as an index into :data:`STATES`, at the end of ``day``.

    unaware / aware: not registered; idle: a member who neither visited in the last 7 days nor wrote in
    the last 30; reading: a member who visited in the last 7 days but wrote nothing in the last 30;
    contributing: a member who wrote in the last 30 days; left: a member who stopped visiting and left.
    """
    state = people.state
    codes = np.zeros(state.shape[0], dtype=np.int8)
    codes[state == AWARE] = STATES.index("aware")
    member = state == MEMBER
    writing = people.last_contrib >= day - (CONTRIBUTING_DAYS - 1)
    active = people.last_visit >= day - (ACTIVE_DAYS - 1)
    codes[member & ~writing & ~active] = STATES.index("idle")
    codes[member & ~writing & active] = STATES.index("reading")
    codes[member & writing] = STATES.index("contributing")
    codes[state == LEFT] = STATES.index("left")
    return codes


def headline_shares(people, day: int) -> dict[str, float]:
    """Shares of employees (externals excluded): ever joined, members now, active this week, posting, left; trust."""
    emp = ~people.is_external
    n = max(int(emp.sum()), 1)
    return {
        "registered": float(((people.registered_day >= 0) & emp).sum()) / n,
        "members": float(((people.state == MEMBER) & emp).sum()) / n,
        "active": float(((people.last_visit >= day - (ACTIVE_DAYS - 1)) & emp).sum()) / n,
        "contributing": float(((people.last_contrib >= day - (CONTRIBUTING_DAYS - 1)) & emp).sum()) / n,
        "left": float(((people.state == LEFT) & emp).sum()) / n,
        "trust": float(people.trust[emp].mean()),
    }


@dataclass(frozen=True)
class ChartLayout:
    """Positions of the people shown on the org chart.

    Attributes:
        nodes: person ids shown (all, or a sample for large organizations).
        xy: their positions, one row per node.
        boxes: one ``(label, x0, y0, x1, y1)`` per department box.
        edges: manager-report pairs as indices into ``nodes``.
        spacing: distance between neighbouring seats (to size markers).
        n_people: people in the organization (to say when the chart is a sample).
    """

    nodes: np.ndarray
    xy: np.ndarray
    boxes: list[tuple[str, float, float, float, float]]
    edges: np.ndarray
    spacing: float
    n_people: int

    @property
    def sampled(self) -> bool:
        """Whether the chart shows only a sample of the people."""
        return self.nodes.shape[0] < self.n_people


def sample_people(level: np.ndarray, max_nodes: int, rng: np.random.Generator) -> np.ndarray:
    """Up to ``max_nodes`` ids, upper levels first (random within a level): managers always have their manager."""
    n = level.shape[0]
    if n <= max_nodes:
        return np.arange(n)
    rank = np.where(level < 0, level.max() + 1, level)  # externals after everyone
    order = np.lexsort((rng.random(n), rank))
    return np.sort(order[:max_nodes])


def _department_rows(ids: np.ndarray, level: np.ndarray, manager: np.ndarray, cap: int,
                     x_of: dict[int, float]) -> list[tuple[float, list[int]]]:
    """Rows of one department box: (row offset, ids in that row), levels top-down, teams kept together."""
    rows, y = [], 0.0
    for lev in np.unique(level[ids]):
        at = ids[level[ids] == lev]
        key = np.array([x_of.get(int(manager[i]), 0.0) for i in at])
        at = at[np.lexsort((at, key))]
        for start in range(0, at.shape[0], cap):
            rows.append((y, at[start : start + cap].tolist()))
            y += 1.0
        y += LEVEL_GAP
    return rows


def org_chart(org, max_nodes: int = MAX_NODES, seed: int = 0, organization=None) -> ChartLayout:
    """Lay out ``org`` (an :class:`orgsim.organization.Org`) as department boxes below the CEO.

    With the scenario's ``organization`` section, boxes bear the units' names (a client's chart's), and
    units with fewer employees than the per-unit minimum (``org_chart.min_group_size``) are not drawn.
    """
    nodes = sample_people(org.level, max_nodes, np.random.default_rng(seed))
    kept = np.zeros(org.n, bool)
    kept[nodes] = True
    shown = range(org.n_departments)
    labels = [f"Dept {d + 1}" for d in shown]
    if organization is not None:
        from orgsim.client import min_group_size, unit_names

        sizes = np.bincount(org.department[~org.is_external], minlength=org.n_departments)
        shown = [d for d in shown if sizes[d] >= min_group_size(organization)]
        names = unit_names(organization)
        labels = [names[d] if len(names[d]) <= 28 else names[d][:27] + "…" for d in shown]
    groups = [np.flatnonzero(kept & (org.department == d) & (org.level > 0)) for d in shown]
    externals = np.flatnonzero(kept & org.is_external)
    if externals.size:
        groups.append(externals)
        labels.append("Partners")
    biggest = max((g.size for g in groups), default=1)
    cap = max(4, int(np.ceil(np.sqrt(1.6 * biggest))))  # seats per row: boxes a little wider than tall
    n_boxes = len(groups)
    n_cols = int(np.ceil(np.sqrt(n_boxes * 2.0)))  # the chart is wider than tall
    n_cols = min(n_cols, n_boxes)
    box_w = cap + 1.5
    top = int(np.argmin(np.where(org.is_external, org.n, org.level)))  # the CEO (person 0 if generated)
    x_of: dict[int, float] = {top: (n_cols * box_w) / 2}
    seat_x, seat_y, boxes = {top: x_of[top]}, {top: 1.5}, []
    y_top, row_height = 0.0, 0.0
    for b, (ids, label) in enumerate(zip(groups, labels, strict=True)):
        col = b % n_cols
        if col == 0 and b:
            y_top -= row_height + 2.0
            row_height = 0.0
        x0 = col * box_w
        rows = _department_rows(ids, org.level, org.manager, cap, x_of)
        for dy, row in rows:
            xs = x0 + box_w / 2 + (np.arange(len(row)) - (len(row) - 1) / 2)
            for i, x in zip(row, xs, strict=True):
                x_of[i] = seat_x[i] = float(x)
                seat_y[i] = y_top - 1.0 - dy
        height = (rows[-1][0] + 2.0) if rows else 2.0
        boxes.append((label, x0 + 0.25, y_top - height, x0 + box_w - 0.25, y_top))
        row_height = max(row_height, height)
    nodes = np.array(sorted(seat_x), dtype=np.int64)
    xy = np.column_stack([[seat_x[i] for i in nodes], [seat_y[i] for i in nodes]])
    position = {int(i): k for k, i in enumerate(nodes)}
    edges = np.array([(position[int(org.manager[i])], k) for k, i in enumerate(nodes)
                      if org.manager[i] >= 0 and int(org.manager[i]) in position], dtype=np.int64).reshape(-1, 2)
    return ChartLayout(nodes, xy, boxes, edges, 1.0, org.n)


def cross_contacts(org, people, day: int, limit: int, rng: np.random.Generator) -> np.ndarray:
    """Pairs (poster, colleague) standing for today's contacts across departments or levels.

    The kernel counts interactions but does not record who met whom, so this is
    an approximation: a person who wrote today, linked to each tie who visited
    today in another department or two or more levels away (a skip-level
    contact, as ``n_cross_level``). At most ``limit`` pairs, sampled at random.
    """
    if org.complete:
        return np.zeros((0, 2), dtype=np.int64)
    posters = np.flatnonzero(people.last_contrib == day)
    if posters.size == 0:
        return np.zeros((0, 2), dtype=np.int64)
    starts, ends = org.indptr[posters], org.indptr[posters + 1]
    src = np.repeat(posters, ends - starts)
    dst = org.indices[np.concatenate([np.arange(s, e) for s, e in zip(starts, ends, strict=True)])] \
        if src.size else np.zeros(0, np.int64)
    visited = people.last_visit[dst] == day
    lev_s, lev_d = org.level[src], org.level[dst]
    across = (org.department[src] != org.department[dst]) | ((lev_s >= 0) & (lev_d >= 0) & (np.abs(lev_s - lev_d) >= 2))
    pairs = np.column_stack([src, dst])[visited & across]
    if pairs.shape[0] > limit:
        pairs = pairs[rng.choice(pairs.shape[0], limit, replace=False)]
    return pairs
