"""Static figures of one or several runs: adoption, activity, participation inequality."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.ticker import PercentFormatter  # noqa: E402

from orgsim.metrics import spread_limits, spread_words, top_share  # noqa: E402
from orgsim.viz.narrative import title as scenario_title  # noqa: E402
from orgsim.viz.palette import OKABE_ITO, SERIES_COLOURS, use_projector_style  # noqa: E402

ADOPTION_SERIES = {
    "n_aware": "heard of it",
    "n_registered": "joined",
    "n_active_7d": "active in the last 7 days",
    "n_contributors_30d": "posted in the last 30 days",
}


def band(ax, frame: pd.DataFrame, column: str, scale: float = 1.0, label: str | None = None,
         colour: str | None = None, smooth: int = 1, linestyle: str | tuple = "solid", lw: float = 2.2) -> None:
    """Plot the replicate mean of ``column`` (in ``linestyle``) with a band across replicates.

    The band spans what :func:`orgsim.viz.narrative.spread_words` says: every replicate below 20
    replicates, the 5-95% percentiles from 20 on (:func:`band_note` writes it on the figure).
    """
    wide = frame.pivot(index="day", columns="replicate", values=column) / scale
    if smooth > 1:
        wide = wide.rolling(smooth, min_periods=1).mean()
    mean = wide.mean(axis=1)
    line = ax.plot(mean.index, mean.to_numpy(), label=label, color=colour, lw=lw, ls=linestyle)
    if wide.shape[1] > 1:
        lo, hi = spread_limits(wide.to_numpy(), axis=1)
        ax.fill_between(mean.index, lo, hi, color=line[0].get_color(), alpha=0.3, lw=0)


def band_note(fig, runs: int) -> None:
    """Say at the figure's bottom left what its lines and bands show."""
    note = "lines: mean of 1 run" if runs < 2 else f"lines: mean of {runs} runs; bands: {spread_words(runs)}"
    fig.text(0.005, 0.005, note, fontsize=10, color="#555555", va="bottom")


def set_margins(fig, left: float, right: float, bottom: float, top: float, wspace: float | None = None) -> None:
    """Place the axes with fixed margins in inches, wide enough for the labels of any run.

    ``tight_layout`` would measure every label first, drawing each figure's text twice (~0.1 s a figure).
    """
    width, height = fig.get_size_inches()
    fig.subplots_adjust(left=left / width, right=1 - right / width, bottom=bottom / height, top=1 - top / height,
                        wspace=wspace)


def events_marks(ax, *scenarios) -> None:
    """Dotted vertical lines at the scenarios' events after day 0, each labelled once ("relaunch, day 365")."""
    marks = {(e.day, e.note or "change") for s in scenarios for e in s.rollout.events if e.day > 0}
    for day, note in sorted(marks):
        ax.axvline(day, color="#555555", ls=":", lw=1.2)
        ax.text(day, 0.98, f" {note}, day {day}", rotation=90, va="top", ha="right", fontsize=10,
                color="#444444", transform=ax.get_xaxis_transform())


def adoption_plot(results):
    """Shares of employees aware, registered, active and contributing, per day: the figure, to show or save."""
    use_projector_style()
    frame = results.timeseries
    n = frame["n_employees"].iloc[0]
    fig, ax = plt.subplots(figsize=(9, 5))
    adoption_bands(ax, frame, n)
    events_marks(ax, results.scenario)
    ax.set(xlabel="day since launch", ylabel="share of employees", ylim=(0, 1.02),
           title=f"{scenario_title(results.scenario)}: who joins, who stays active")
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    band_note(fig, frame["replicate"].nunique())
    set_margins(fig, left=0.95, right=0.2, bottom=0.7, top=0.45)
    return fig


def adoption_figure(results, path) -> None:
    """:func:`adoption_plot`, saved to ``path``."""
    fig = adoption_plot(results)
    fig.savefig(path)
    plt.close(fig)


def adoption_bands(ax, frame: pd.DataFrame, n: int) -> None:
    """The four adoption shares; "heard of it" dashed and on top, so it shows where it equals "joined"."""
    for column in ("n_registered", "n_active_7d", "n_contributors_30d", "n_aware"):
        aware = column == "n_aware"
        band(ax, frame, column, n, ADOPTION_SERIES[column], SERIES_COLOURS[column],
             linestyle=(0, (4, 3)) if aware else "solid", lw=1.8 if aware else 2.2)
    handles, labels = ax.get_legend_handles_labels()
    order = [labels.index(label) for label in ADOPTION_SERIES.values()]  # the legend in the funnel's order
    ax.legend([handles[i] for i in order], [labels[i] for i in order], loc="best", frameon=False)


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
    band_note(fig, frame["replicate"].nunique())
    set_margins(fig, left=1.2, right=0.2, bottom=0.7, top=0.45, wspace=0.2)  # left: up to 6-digit counts
    fig.savefig(path)
    plt.close(fig)


GROUPS = ("top 1%", "next 9%", "other 90%")  # members ranked by what they wrote
GROUP_COLOURS = (OKABE_ITO["blue"], OKABE_ITO["sky"], "#DDDDDD")  # dark to light: writes most to least
# Share of posts by the top 1%, next 9% and other 90% of members (ranked by posts) in four
# long-running online communities: van Mierlo (2014), J Med Internet Res 16(2):e33.
REFERENCE_90_9_1 = (0.747, 0.240, 0.013)


def post_shares(contributions: np.ndarray) -> tuple[float, float, float] | None:
    """Shares of all contributions written by the top 1%, the next 9% and the other 90% of members.

    Members are ranked by what they wrote; the top 1% and top 10% are at least one
    person (:func:`orgsim.metrics.top_share`), so the first share
    is ``top1pct_post_share`` and the first two sum to ``top10pct_post_share``.
    ``None`` if nobody wrote anything.
    """
    top, top10 = top_share(contributions, 0.01), top_share(contributions, 0.10)
    if np.isnan(top):
        return None
    return top, top10 - top, 1.0 - top10


def inequality_figure(results, path) -> None:
    """Who writes: shares of posts and replies by the top 1%, next 9% and other 90% of members, beside 90-9-1."""
    use_projector_style()
    written = [(c, s) for c in results.contributions if (s := post_shares(c)) is not None]
    lurkers = [float(np.mean(c == 0)) for c in results.contributions if c.size]
    fig, ax = plt.subplots(figsize=(12, 4.8))
    rows = ["90-9-1 rule (online communities)"]
    values = [REFERENCE_90_9_1]
    if written:
        rows.append(f"{scenario_title(results.scenario)} (this run)")
        values.append(tuple(np.mean([s for _, s in written], axis=0)))
    for y, (row, shares) in enumerate(zip(rows, values, strict=True)):
        ax.text(0, y + 0.32, row, fontsize=14, va="bottom")  # above its bar: fits any scenario name
        left = 0.0
        for share, colour, group in zip(shares, GROUP_COLOURS, GROUPS, strict=True):
            ax.barh(y, share, left=left, color=colour, edgecolor="white", lw=2, height=0.56,
                    label=f"{group} of members" if y == 0 else None)
            if share >= 0.05:
                ax.text(left + share / 2, y, f"{share:.0%}", ha="center", va="center", fontsize=20,
                        weight="bold", color="white" if colour == OKABE_ITO["blue"] else "#222222")
            left += share
    ax.set_yticks([])
    ax.spines["left"].set_visible(False)
    ax.set_xlim(0, 1)
    ax.set_ylim(-0.4, len(rows) - 0.1)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xlabel("share of all posts and replies, by members ranked from most to least written")
    if written:
        top, nxt, _ = values[-1]
        k1 = round(np.mean([max(1, np.ceil(0.01 * c.size)) for c, _ in written]))
        k10 = round(np.mean([max(1, np.ceil(0.10 * c.size)) for c, _ in written]))
        title = f"Who writes? {k1:,} people (the top 1%) write {top:.0%} of all posts and replies"
        subtitle = (f"The top 10% ({k10:,} people) write {top + nxt:.0%}; "
                    f"{np.mean(lurkers):.0%} of members never wrote anything")
    else:
        title, subtitle = "Who writes? Nobody wrote anything on the platform", ""
    fig.text(0.01, 0.975, title, fontsize=19, weight="bold", va="top")
    fig.text(0.01, 0.905, subtitle, fontsize=14, color="#444444", va="top")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=3, frameon=False, fontsize=13,
              title="written by the", title_fontsize=13)
    fig.text(0.01, 0.015, f"Mean of {len(results.contributions)} replicate(s). Reference: the top 1%, next 9% and "
             "other 90% of members in four online communities (van Mierlo 2014).", fontsize=11, color="#444444")
    set_margins(fig, left=0.15, right=0.4, bottom=1.95, top=0.95)
    fig.savefig(path)
    plt.close(fig)


FIGURES = {
    "adoption.png": adoption_figure,
    "activity.png": activity_figure,
    "participation.png": inequality_figure,
}
