"""The seeds' phenomena emerge from the default parameters (issue 3, docs/phenomena.md).

Each test asserts one claim of ``docs/phenomena.md`` on the shipped scenarios with
1,000 employees, the mean of ``REPLICATES`` replicates and a fixed seed. Every
scenario is run once per module (``runs`` fixture), so the whole module takes
about a minute and a half on two cores.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from orgsim.runner import Results, run

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
REPLICATES = 10
SEED = 20261122


class Runs:
    """Each scenario run at most once, on first use."""

    def __init__(self) -> None:
        self._results: dict[str, Results] = {}

    def __getitem__(self, name: str) -> Results:
        if name not in self._results:
            self._results[name] = run(SCENARIOS / f"{name}.yaml", seed=SEED, replicates=REPLICATES)
        return self._results[name]

    def series(self, name: str, column: str) -> np.ndarray:
        """The replicate mean of a daily column."""
        return self[name].mean_timeseries()[column].to_numpy()

    def final(self, name: str, column: str) -> float:
        """The replicate mean of a column on the last day, per employee."""
        return float(self.series(name, column)[-1] / 1000)

    def metric(self, name: str, key: str) -> float:
        """The replicate mean of a summary metric."""
        return float(self[name].summary[key])

    def late_share(self, name: str, column: str, days: int = 30) -> float:
        """A share of interactions (e.g. ``share_cross_department``) over the last ``days`` days, all replicates."""
        table = self[name].timeseries
        last = table[table["day"] > table["day"].max() - days]
        return float((last[column] * last["n_interactions"]).sum() / last["n_interactions"].sum())


@pytest.fixture(scope="module")
def runs() -> Runs:
    return Runs()


def test_bottom_up_hype_then_death(runs):
    assert runs.metric("bottom_up", "registered_share_day60") >= 0.65
    active = runs.series("bottom_up", "n_active_7d")
    peak_day = int(np.argmax(active))
    assert peak_day < 120, "the hype peaks early"
    assert active[-1] <= 0.4 * active[peak_day]


def test_top_down_sustains_participation(runs):
    assert runs.final("top_down", "n_active_7d") >= 2 * runs.final("bottom_up", "n_active_7d")
    assert runs.final("top_down", "n_contributors_30d") >= 2 * runs.final("bottom_up", "n_contributors_30d")


def test_leaders_silent_lands_between(runs):
    for column in ("n_active_7d", "n_contributors_30d"):
        assert runs.final("bottom_up", column) < runs.final("leaders_silent", column) < runs.final("top_down", column)


def test_relaunch_rises_and_stays_above_the_bottom_up_tail(runs):
    active = runs.series("relaunch", "n_active_7d") / 1000
    tail = max(active[364], runs.final("bottom_up", "n_active_7d"))
    assert active[365:].max() >= tail + 0.2, "activity rises again after the relaunch"
    assert active[395:].min() > tail, "and stays above the bottom-up tail"


def test_participation_inequality_emerges_in_top_down(runs):
    assert runs.metric("top_down", "top1pct_post_share") >= 0.20
    assert runs.metric("top_down", "top10pct_post_share") >= 0.60
    assert 0.6 <= runs.metric("top_down", "lurker_share") <= 0.95


def test_moderation_keeps_trust_and_contributors_that_monitoring_loses(runs):
    assert runs.series("abuse_moderated", "mean_trust")[-1] > runs.series("abuse_monitored", "mean_trust")[-1]
    assert runs.final("abuse_moderated", "n_contributors_30d") > runs.final("abuse_monitored", "n_contributors_30d")


def test_email_only_is_slower_and_more_siloed_than_the_platform(runs):
    assert runs.metric("email_only", "mean_answer_days") >= 3 * runs.metric("top_down", "mean_answer_days")
    assert runs.metric("email_only", "final_knowledge_coverage") < runs.metric("top_down", "final_knowledge_coverage")
    column = "share_cross_department"
    assert runs.late_share("email_only", column) < runs.late_share("top_down", column)


def test_email_only_decides_fewer_ideas_more_slowly(runs):
    assert runs.metric("email_only", "ideas_adopted") < runs.metric("top_down", "ideas_adopted")
    assert runs.metric("email_only", "mean_idea_latency") > runs.metric("top_down", "mean_idea_latency")


def test_platform_interactions_cross_levels(runs):
    assert runs.metric("top_down", "share_cross_level") >= 2 * runs.metric("email_only", "share_cross_level")


def test_platform_creates_cross_department_ties(runs):
    assert runs.series("top_down", "new_cross_department_ties").sum() > 0
    assert runs.series("email_only", "new_cross_department_ties").sum() == 0
