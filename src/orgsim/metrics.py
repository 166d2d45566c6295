"""Turn the kernel's daily counters into the documented time-series columns and summary metrics.

Every column and key is defined in ``docs/outputs.md``. Flows are named ``new_``,
stocks ``n_``, shares ``share_``; day 0 is the launch day and row ``day = d``
is the state at the end of day ``d``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from orgsim.kernels.state import COUNTERS

COLUMNS = [
    "day", "replicate", "n_employees", "n_aware", "n_registered", "n_active_7d", "n_contributors_30d",
    "new_posts", "new_replies", "new_endorsements", "mean_trust", "share_cross_department",
    "share_cross_level", "questions_asked", "questions_answered", "mean_answer_days", "ideas_adopted",
    "knowledge_coverage",
    # further columns
    "n_members", "n_left", "cum_posts", "new_abuse", "abuse_removed", "n_interactions",
    "questions_asked_platform", "questions_answered_platform", "questions_dropped", "ideas_posted",
    "mean_idea_latency", "n_external_active", "leader_posts", "new_platform_ties", "new_cross_department_ties",
    # the Microsoft 365 usage reports' daily counts (docs/outputs.md); messages liked are new_endorsements
    "n_readers", "n_posters", "n_likers", "new_messages", "new_reads",
]

INTEGER_COLUMNS = frozenset(["day", "replicate"] + [
    name for name in COLUMNS if name.startswith(("n_", "new_", "cum_", "questions_", "ideas_", "leader_", "abuse_"))])


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)


def timeseries(counters: np.ndarray, n_employees: int, n_topics: int, replicate: int = 0) -> pd.DataFrame:
    """The tidy daily table of one replicate from the kernel's counter rows."""
    c = {name: counters[:, i] for i, name in enumerate(COUNTERS)}
    days = counters.shape[0]
    table = {
        "day": np.arange(days),
        "replicate": np.full(days, replicate),
        "n_employees": np.full(days, n_employees),
        "mean_trust": c["sum_trust"] / n_employees,
        "share_cross_department": _ratio(c["n_cross_department"], c["n_interactions"]),
        "share_cross_level": _ratio(c["n_cross_level"], c["n_interactions"]),
        "mean_answer_days": _ratio(c["sum_answer_days"], c["questions_answered"]),
        "mean_idea_latency": _ratio(c["sum_idea_latency"], c["ideas_adopted"]),
        "knowledge_coverage": c["sum_known"] / (n_employees * n_topics),
        "cum_posts": np.cumsum(c["new_posts"]),
        "new_messages": c["new_posts"] + c["new_replies"],
    }
    columns = {name: table[name] if name in table else c[name] for name in COLUMNS}
    return pd.DataFrame({name: values.astype(np.int64) if name in INTEGER_COLUMNS else values
                         for name, values in columns.items()})


def gini(values: np.ndarray) -> float:
    """Gini coefficient of non-negative values (0 = equal, 1 = one holds all)."""
    x = np.sort(np.asarray(values, dtype=float))
    if x.size == 0 or x.sum() == 0:
        return float("nan")
    n = x.size
    return float((2 * np.arange(1, n + 1) - n - 1).dot(x) / (n * x.sum()))


def top_share(values: np.ndarray, fraction: float) -> float:
    """Share of the total held by the top ``fraction`` of people (at least one person)."""
    x = np.sort(np.asarray(values, dtype=float))[::-1]
    if x.size == 0 or x.sum() == 0:
        return float("nan")
    k = max(1, int(np.ceil(fraction * x.size)))
    return float(x[:k].sum() / x.sum())


class _Replicate:
    """What the summary metrics of one replicate are computed from."""

    def __init__(self, frame: pd.DataFrame, contributions: np.ndarray, counters: np.ndarray):
        self.frame, self.contributions = frame, contributions
        self.n = float(frame["n_employees"].iloc[-1])
        self.total = dict(zip(COUNTERS, counters.sum(axis=0), strict=True))  # whole counts: exact
        self.peak = int(np.argmax(frame["n_active_7d"].to_numpy()))

    def last(self, column: str) -> float:
        return float(self.frame[column].iloc[-1])

    def share_on(self, day: int, column: str) -> float:
        rows = np.flatnonzero(self.frame["day"].to_numpy() == day)
        return float(self.frame[column].iloc[rows[0]]) / self.n if rows.size else float("nan")

    def ratio(self, a: str, b: str) -> float:
        return float(self.total[a] / self.total[b]) if self.total[b] > 0 else float("nan")


# The headline metrics of one replicate, in order (each defined in docs/outputs.md)
SUMMARY: dict[str, Callable[[_Replicate], float]] = {
    "registered_share_day60": lambda r: r.share_on(60, "n_registered"),
    "peak_active_7d_share": lambda r: float(r.frame["n_active_7d"].iloc[r.peak]) / r.n,
    "peak_day": lambda r: int(r.frame["day"].iloc[r.peak]),
    "final_active_7d_share": lambda r: r.last("n_active_7d") / r.n,
    "final_contributors_30d_share": lambda r: r.last("n_contributors_30d") / r.n,
    "final_registered_share": lambda r: r.last("n_registered") / r.n,
    "top1pct_post_share": lambda r: top_share(r.contributions, 0.01),
    "top10pct_post_share": lambda r: top_share(r.contributions, 0.10),
    "lurker_share": lambda r: float(np.mean(r.contributions == 0)) if r.contributions.size else float("nan"),
    "gini_posts": lambda r: gini(r.contributions),
    "total_posts": lambda r: float(r.total["new_posts"]),
    "total_replies": lambda r: float(r.total["new_replies"]),
    "total_endorsements": lambda r: float(r.total["new_endorsements"]),
    "final_mean_trust": lambda r: r.last("mean_trust"),
    "mean_answer_days": lambda r: r.ratio("sum_answer_days", "questions_answered"),
    "answered_share": lambda r: r.ratio("questions_answered", "questions_asked"),
    "final_knowledge_coverage": lambda r: r.last("knowledge_coverage"),
    "share_cross_department": lambda r: r.ratio("n_cross_department", "n_interactions"),
    "share_cross_level": lambda r: r.ratio("n_cross_level", "n_interactions"),
    "ideas_adopted": lambda r: float(r.total["ideas_adopted"]),
    "mean_idea_latency": lambda r: r.ratio("sum_idea_latency", "ideas_adopted"),
}
SUMMARY_KEYS = tuple(SUMMARY)


def summary(frame: pd.DataFrame, contributions: np.ndarray, counters: np.ndarray) -> dict[str, float]:
    """Headline metrics of one replicate (see docs/outputs.md)."""
    replicate = _Replicate(frame, contributions, counters)
    return {key: metric(replicate) for key, metric in SUMMARY.items()}


# Spreads across replicates: what every number of a report carries beside its mean
PERCENTILE_RUNS = 20  # from this many replicates on, spreads are 5-95% percentiles; below, the whole range


def spread_words(runs: int) -> str:
    """What a spread (or a band on a figure) spans, for ``runs`` replicates."""
    if runs < 2:
        return "one run: no spread (run more replicates for a range)"
    if runs < PERCENTILE_RUNS:
        return f"lowest to highest of {runs} runs"
    return f"5th to 95th percentile of {runs} runs"


def spread_limits(values: np.ndarray, axis: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The low and high ends of a spread: min-max below ``PERCENTILE_RUNS`` values, else the 5-95% percentiles."""
    values = np.asarray(values, dtype=float)
    runs = values.shape[axis] if axis is not None else values.size
    q = (0, 100) if runs < PERCENTILE_RUNS else (5, 95)
    with np.errstate(invalid="ignore"):
        low, high = np.nanpercentile(values, q, axis=axis) if np.isfinite(values).any() else (np.nan, np.nan)
    return low, high


def spread_table(replicates: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Mean, low and high of each summary metric across replicates (rows: metrics)."""
    rows = {}
    for key in keys:
        values = replicates[key].to_numpy(dtype=float)
        low, high = spread_limits(values) if np.isfinite(values).any() else (np.nan, np.nan)
        rows[key] = {"mean": np.nanmean(values) if np.isfinite(values).any() else np.nan,
                     "low": float(low), "high": float(high), "runs": len(values)}
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("metric")


def unit_table(counts: list[np.ndarray], names: tuple[str, ...], min_size: int) -> pd.DataFrame:
    """Adoption by unit at the end of the run, means over replicates; units under ``min_size`` employees left out.

    If exactly one unit is too small, the next smallest is left out too (its numbers could otherwise be
    worked out from the whole organization's). ``attrs["suppressed_units"]`` counts the units left out.
    """
    mean = np.mean(np.stack(counts), axis=0)
    employees = mean[:, 0]
    with np.errstate(invalid="ignore", divide="ignore"):
        frame = pd.DataFrame({"unit": list(names), "n_employees": np.rint(employees).astype(np.int64),
                              "registered_share": mean[:, 1] / employees, "active_7d_share": mean[:, 2] / employees})
    hidden = employees < min_size
    if hidden.sum() == 1 and (~hidden).any():
        hidden[np.flatnonzero(~hidden)[np.argmin(employees[~hidden])]] = True
    shown = frame[~hidden].reset_index(drop=True)
    shown.attrs["suppressed_units"] = int(hidden.sum())
    shown.attrs["min_group_size"] = int(min_size)
    return shown
