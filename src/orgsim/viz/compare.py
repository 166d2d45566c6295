"""Compare scenarios side by side: curves with replicate bands, a table of headline metrics, one report.html."""

from __future__ import annotations

import html
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.ticker import PercentFormatter  # noqa: E402

from orgsim.viz.figures import ADOPTION_SERIES, band, events_marks  # noqa: E402
from orgsim.viz.palette import (  # noqa: E402
    SCENARIO_COLOURS,
    SCENARIO_DASHES,
    SERIES_COLOURS,
    use_projector_style,
)
from orgsim.viz.report import HEADLINES, embed, metrics_table, page  # noqa: E402

MEASURES = {  # column -> (panel title, share of employees?)
    "n_registered": ("Joined the platform", True),
    "n_active_7d": ("Active in the last 7 days", True),
    "n_contributors_30d": ("Posted in the last 30 days", True),
    "mean_trust": ("Mean trust in management", False),
}


def side_by_side_figure(results: list, path: Path) -> None:
    """One panel per scenario, same axes: who is aware, joined, active and posting, day by day."""
    use_projector_style()
    k = len(results)
    fig, axes = plt.subplots(1, k, figsize=(min(5.2 * k, 20), 5.0), sharey=True, squeeze=False)
    for ax, res in zip(axes[0], results, strict=True):
        frame = res.timeseries
        n = frame["n_employees"].iloc[0]
        for column, label in ADOPTION_SERIES.items():
            band(ax, frame, column, n, label, SERIES_COLOURS[column])
        events_marks(ax, res.scenario)
        ax.set(title=res.scenario.name, xlabel="day since launch", ylim=(0, 1.02))
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    axes[0][0].set_ylabel("share of employees")
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=len(labels), frameon=False, fontsize=13)
    fig.suptitle("Who joins and who stays active, scenario by scenario", fontsize=17, weight="bold")
    fig.tight_layout(rect=(0, 0.08, 1, 0.96))
    fig.savefig(path)
    plt.close(fig)


def overlay_figure(results: list, path: Path) -> None:
    """Four key measures, every scenario on the same axes in its own colour and dash (bands: 5-95% of replicates)."""
    use_projector_style()
    fig, axes = plt.subplots(2, 2, figsize=(12, 8), sharex=True)
    for ax, (column, (title, share)) in zip(axes.ravel(), MEASURES.items(), strict=True):
        for k, res in enumerate(results):
            frame = res.timeseries
            scale = frame["n_employees"].iloc[0] if share else 1.0
            band(ax, frame, column, scale, res.scenario.name, SCENARIO_COLOURS[k % len(SCENARIO_COLOURS)],
                 linestyle=SCENARIO_DASHES[k % len(SCENARIO_DASHES)])
        ax.set(title=title, ylim=(0, 1.02))
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0) if share else plt.ScalarFormatter())
    for ax in axes[1]:
        ax.set_xlabel("day since launch")
    axes[0][0].set_ylabel("share of employees")
    axes[1][0].set_ylabel("share of employees")
    axes[1][1].set_ylabel("trust (0 to 1)")
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=len(labels), frameon=False, fontsize=14)
    fig.suptitle("The scenarios on the same axes", fontsize=17, weight="bold")
    fig.tight_layout(rect=(0, 0.06, 1, 0.97))
    fig.savefig(path)
    plt.close(fig)


def comparison_table(results: list) -> pd.DataFrame:
    """Headline metrics (rows) by scenario (columns), means over replicates."""
    return pd.DataFrame(
        {res.scenario.name: [res.summary.get(h.key) for h in HEADLINES] for res in results},
        index=pd.Index([h.label for h in HEADLINES], name="metric"),
    )


def comparison_report(results: list, figures: list[Path]) -> str:
    """The self-contained HTML report comparing ``results``."""
    described = "".join(
        f"<li><b>{html.escape(r.scenario.name)}</b>: {html.escape(r.scenario.description)} "
        f"<span class='meta'>({r.scenario.organization.n_employees:,} employees, {r.summary['days']} days, "
        f"{r.summary['replicates']} replicate(s), seed {r.summary['seed']}, "
        f"scenario hash {r.summary['scenario_hash']})</span></li>"
        for r in results
    )
    body = (
        f"<h1>Comparing {html.escape(', '.join(r.scenario.name for r in results))}</h1>"
        f"<ul>{described}</ul>"
        "<h2>Headline numbers</h2>"
        f"{metrics_table({r.scenario.name: r.summary for r in results})}"
        "<p class='meta'>Means over replicates. Bands on the figures span 5-95% of replicates; "
        "dotted lines mark scheduled events.</p>"
        "<h2>Figures</h2>" + "".join(embed(p) for p in figures)
        + "<p class='meta'>Made by orgsim compare; in orgsim's repository, docs/outputs.md defines every "
        "output.</p>"
    )
    return page("orgsim comparison", body)
