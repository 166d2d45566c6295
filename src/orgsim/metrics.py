"""Turn the kernel's daily counters into the documented time-series columns and summary metrics.

Every column and key is defined in ``docs/outputs.md``. Flows are named ``new_``,
stocks ``n_``, shares ``share_``; day 0 is the launch day and row ``day = d``
is the state at the end of day ``d``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from orgsim.kernels import COUNTERS

COLUMNS = [
    "day", "replicate", "n_employees", "n_aware", "n_registered", "n_active_7d", "n_contributors_30d",
    "new_posts", "new_replies", "new_endorsements", "mean_trust", "share_cross_department",
    "share_cross_level", "questions_asked", "questions_answered", "mean_answer_days", "ideas_adopted",
    "knowledge_coverage",
    # further columns
    "n_members", "n_left", "cum_posts", "new_abuse", "abuse_removed", "n_interactions",
    "questions_asked_platform", "questions_answered_platform", "questions_dropped", "ideas_posted",
    "mean_idea_latency", "n_external_active", "leader_posts", "new_platform_ties", "new_cross_department_ties",
]

SUMMARY_KEYS = (
    "registered_share_day60", "peak_active_7d_share", "peak_day", "final_active_7d_share",
    "final_contributors_30d_share", "final_registered_share", "top1pct_post_share", "top10pct_post_share",
    "lurker_share", "gini_posts", "total_posts", "total_replies", "total_endorsements", "final_mean_trust",
    "mean_answer_days", "answered_share", "final_knowledge_coverage", "share_cross_department",
    "share_cross_level", "ideas_adopted", "mean_idea_latency",
)
"""Keys of :func:`summary`, in order (defined in docs/outputs.md)."""

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


def summary(frame: pd.DataFrame, contributions: np.ndarray, counters: np.ndarray) -> dict[str, float]:
    """Headline metrics of one replicate (see docs/outputs.md)."""
    col = {name: frame[name].to_numpy() for name in ("day", "n_employees", "n_registered", "n_active_7d",
                                                     "n_contributors_30d", "mean_trust", "knowledge_coverage")}
    last = {name: float(values[-1]) for name, values in col.items()}
    n = last["n_employees"]
    day60 = np.flatnonzero(col["day"] == 60)
    peak = int(np.argmax(col["n_active_7d"]))
    c = dict(zip(COUNTERS, counters.sum(axis=0), strict=True))  # the totals used below are whole counts: exact

    def ratio(a: float, b: float) -> float:
        return float(a / b) if b > 0 else float("nan")

    return {
        "registered_share_day60": float(col["n_registered"][day60[0]]) / n if day60.size else float("nan"),
        "peak_active_7d_share": float(col["n_active_7d"][peak]) / n,
        "peak_day": int(col["day"][peak]),
        "final_active_7d_share": last["n_active_7d"] / n,
        "final_contributors_30d_share": last["n_contributors_30d"] / n,
        "final_registered_share": last["n_registered"] / n,
        "top1pct_post_share": top_share(contributions, 0.01),
        "top10pct_post_share": top_share(contributions, 0.10),
        "lurker_share": float(np.mean(contributions == 0)) if contributions.size else float("nan"),
        "gini_posts": gini(contributions),
        "total_posts": float(c["new_posts"]),
        "total_replies": float(c["new_replies"]),
        "total_endorsements": float(c["new_endorsements"]),
        "final_mean_trust": last["mean_trust"],
        "mean_answer_days": ratio(c["sum_answer_days"], c["questions_answered"]),
        "answered_share": ratio(c["questions_answered"], c["questions_asked"]),
        "final_knowledge_coverage": last["knowledge_coverage"],
        "share_cross_department": ratio(c["n_cross_department"], c["n_interactions"]),
        "share_cross_level": ratio(c["n_cross_level"], c["n_interactions"]),
        "ideas_adopted": float(c["ideas_adopted"]),
        "mean_idea_latency": ratio(c["sum_idea_latency"], c["ideas_adopted"]),
    }
