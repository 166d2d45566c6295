"""Static figures of one or several runs: adoption, activity, participation inequality."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from orgsim.viz.palette import CYCLE, SERIES_COLOURS, use_projector_style  # noqa: E402

ADOPTION_SERIES = {
    "n_aware": "heard of it",
    "n_registered": "joined",
    "n_active_7d": "active in the last 7 days",
    "n_contributors_30d": "posted in the last 30 days",
}


def band(ax, frame: pd.DataFrame, column: str, scale: float = 1.0, label: str | None = None,
         colour: str | None = None, smooth: int = 1) -> None:
    """Plot the replicate mean of ``column`` with a 5-95% band across replicates."""
    wide = frame.pivot(index="day", columns="replicate", values=column) / scale
    if smooth > 1:
        wide = wide.rolling(smooth, min_periods=1).mean()
    mean = wide.mean(axis=1)
    line = ax.plot(mean.index, mean.to_numpy(), label=label, color=colour, lw=2.2)
    if wide.shape[1] > 1:
        lo, hi = np.nanpercentile(wide.to_numpy(), [5, 95], axis=1)
        ax.fill_between(mean.index, lo, hi, color=line[0].get_color(), alpha=0.2, lw=0)


def events_marks(ax, scenario) -> None:
    """Dotted vertical lines at the scenario's events."""
    for event in scenario.rollout.events:
        if event.day > 0:
            ax.axvline(event.day, color="#555555", ls=":", lw=1.2)


def adoption_figure(results, path) -> None:
    """Shares of employees aware, registered, active and contributing, per day."""
    use_projector_style()
    frame = results.timeseries
    n = frame["n_employees"].iloc[0]
    fig, ax = plt.subplots(figsize=(9, 5))
    for column, label in ADOPTION_SERIES.items():
        band(ax, frame, column, n, label, SERIES_COLOURS[column])
    events_marks(ax, results.scenario)
    ax.set(xlabel="day since launch", ylabel="share of employees", ylim=(0, 1.02),
           title=f"{results.scenario.name}: who joins, who stays active")
    ax.legend(loc="best", frameon=False)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def activity_figure(results, path) -> None:
    """Posts, replies and endorsements per day (7-day mean) and mean trust."""
    use_projector_style()
    frame = results.timeseries
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(12, 4.6))
    for column, label in (("new_posts", "posts"), ("new_replies", "replies and answers"),
                          ("new_endorsements", "endorsements")):
        band(ax, frame, column, 1.0, label, SERIES_COLOURS[column], smooth=7)
    events_marks(ax, results.scenario)
    ax.set(xlabel="day since launch", ylabel="per day (7-day mean)", title="Activity on the platform")
    ax.legend(frameon=False)
    band(ax2, frame, "mean_trust", 1.0, "mean trust", SERIES_COLOURS["mean_trust"])
    events_marks(ax2, results.scenario)
    ax2.set(xlabel="day since launch", ylabel="mean trust in management", ylim=(0, 1), title="Trust in management")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def inequality_figure(results, path) -> None:
    """Lorenz curve of contributions among registered members, and the 90-9-1 split."""
    use_projector_style()
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(12, 4.6))
    shares = []
    for r, contrib in enumerate(results.contributions):
        x = np.sort(contrib)[::-1].astype(float)
        if x.size == 0 or x.sum() == 0:
            continue
        people = np.arange(1, x.size + 1) / x.size
        ax.plot(people, np.cumsum(x) / x.sum(), color=CYCLE[0], alpha=0.5 if r else 1.0, lw=2)
        heavy = max(1, int(np.ceil(0.01 * x.size)))
        shares.append([np.mean(contrib == 0), np.mean(contrib > 0) - heavy / x.size, heavy / x.size])
    ax.plot([0, 1], [0, 1], color="#999999", ls="--", lw=1, label="everyone equal")
    ax.set(xlabel="share of members, most active first", ylabel="share of all contributions",
           title="Who writes: participation inequality", xlim=(0, 1), ylim=(0, 1.02))
    ax.legend(frameon=False, loc="lower right")
    if shares:
        lurk, some, top = np.mean(shares, axis=0)
        bars = ax2.bar(["never wrote", "wrote", "top 1% writers"], [lurk, max(some, 0), top],
                       color=[CYCLE[5], CYCLE[0], CYCLE[1]])
        ax2.bar_label(bars, labels=[f"{v:.0%}" for v in (lurk, max(some, 0), top)], fontsize=13)
    ax2.set(ylim=(0, 1.05), ylabel="share of registered members", title="Members by what they do (90-9-1?)")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


FIGURES = {
    "adoption.png": adoption_figure,
    "activity.png": activity_figure,
    "participation.png": inequality_figure,
}
