"""Compare scenarios side by side: curves with replicate bands, a table of headline metrics, one report.html."""

from __future__ import annotations

import html
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.ticker import PercentFormatter  # noqa: E402

from orgsim.metrics import spread_table  # noqa: E402
from orgsim.viz.figures import ADOPTION_SERIES, adoption_bands, band, band_note, events_marks  # noqa: E402
from orgsim.viz.narrative import CAVEAT, title  # noqa: E402
from orgsim.viz.palette import (  # noqa: E402
    SCENARIO_COLOURS,
    SCENARIO_DASHES,
    use_projector_style,
)
from orgsim.viz.report import HEADLINES, definitions_html, embed, metrics_table, page  # noqa: E402

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
    fig, axes = plt.subplots(1, k, figsize=(min(5.2 * k, 20), 5.0), sharex=True, sharey=True, squeeze=False)
    for ax, res in zip(axes[0], results, strict=True):
        frame = res.timeseries
        adoption_bands(ax, frame, frame["n_employees"].iloc[0])
        ax.get_legend().remove()
        events_marks(ax, res.scenario)
        ax.set(title=title(res.scenario), xlabel="day since launch", ylim=(0, 1.02), xlim=(0, longest(results)))
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    axes[0][0].set_ylabel("share of employees")
    handles, labels = axes[0][0].get_legend_handles_labels()
    order = [labels.index(label) for label in ADOPTION_SERIES.values()]
    fig.legend([handles[i] for i in order], [labels[i] for i in order], loc="lower center", ncol=len(labels),
               frameon=False, fontsize=13, bbox_to_anchor=(0.5, 0.035))
    fig.suptitle("Who joins and who stays active, scenario by scenario", fontsize=17, weight="bold")
    fig.tight_layout(rect=(0, 0.12, 1, 0.96))
    band_note(fig, min(r.timeseries["replicate"].nunique() for r in results))
    fig.savefig(path)
    plt.close(fig)


def overlay_figure(results: list, path: Path) -> None:
    """Four key measures, every scenario on the same axes in its own colour and dash (bands: 5-95% of replicates)."""
    use_projector_style()
    fig, axes = plt.subplots(2, 2, figsize=(12, 8), sharex=True)
    for ax, (column, (panel, share)) in zip(axes.ravel(), MEASURES.items(), strict=True):
        for k, res in enumerate(results):
            frame = res.timeseries
            scale = frame["n_employees"].iloc[0] if share else 1.0
            band(ax, frame, column, scale, title(res.scenario), SCENARIO_COLOURS[k % len(SCENARIO_COLOURS)],
                 linestyle=SCENARIO_DASHES[k % len(SCENARIO_DASHES)])
        events_marks(ax, *(r.scenario for r in results))
        ax.set(title=panel, ylim=(0, 1.02), xlim=(0, longest(results)))
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0) if share else plt.ScalarFormatter())
    for ax in axes[1]:
        ax.set_xlabel("day since launch")
    axes[0][0].set_ylabel("share of employees")
    axes[1][0].set_ylabel("share of employees")
    axes[1][1].set_ylabel("trust (0 to 1)")
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=len(labels), frameon=False, fontsize=14,
               bbox_to_anchor=(0.5, 0.03))
    fig.suptitle("The scenarios on the same axes", fontsize=17, weight="bold")
    fig.tight_layout(rect=(0, 0.09, 1, 0.97))
    band_note(fig, min(r.timeseries["replicate"].nunique() for r in results))
    fig.savefig(path)
    plt.close(fig)


def longest(results: list) -> int:
    """The last day of the longest run."""
    return max(int(r.timeseries["day"].max()) for r in results)


def comparison_table(results: list) -> pd.DataFrame:
    """Headline metrics by scenario, tidy: mean, low and high across replicates, in the unit named, rounded.

    Shares are in percent (one decimal), days and trust to two decimals, counts whole; ``days`` is each
    scenario's run length, the day its "at the end" metrics refer to.
    """
    rows = []
    for res in results:
        spreads = spread_table(res.replicates, [h.key for h in HEADLINES])
        for h in HEADLINES:
            percent = h.pattern.endswith("%}")
            values = spreads.loc[h.key, ["mean", "low", "high"]].astype(float) * (100 if percent else 1)
            digits = 1 if percent else 0 if h.pattern.endswith(".0f}") else 2
            rows.append({"metric": h.label, "unit": h.unit, "scenario": res.scenario.name,
                         **values.round(digits).to_dict(), "runs": int(spreads.loc[h.key, "runs"]),
                         "days": res.summary["days"]})
    return pd.DataFrame(rows)


def unequal_lengths(results: list) -> str:
    """A sentence saying which scenarios ran how long, or '' when all ran the same days."""
    days = {title(r.scenario): r.summary["days"] for r in results}
    if len(set(days.values())) == 1:
        return ""
    listed = "; ".join(f"{name}: {n} days (its end is day {n - 1})" for name, n in days.items())
    return (f"The scenarios ran for different lengths ({listed}). Numbers 'at the end' refer to each scenario's own "
            "last day, and totals cover its whole run; the figures share one time axis. Run them with the same "
            "--days to compare them on a common horizon.")


def comparison_report(results: list, figures: list[Path]) -> str:
    """The self-contained HTML report comparing ``results``."""
    described = "".join(
        f"<li><b>{html.escape(title(r.scenario))}</b>: {html.escape(r.scenario.description)} "
        f"<span class='meta'>({r.scenario.organization.n_employees:,} employees, {r.summary['days']} days, "
        f"{r.summary['replicates']} run(s), seed {r.summary['seed']}, scenario {html.escape(r.scenario.name)}, "
        f"hash {r.summary['scenario_hash']})</span></li>"
        for r in results
    )
    warning = unequal_lengths(results)
    runs = min(r.summary["replicates"] for r in results)
    body = (
        f"<h1>Comparing {html.escape(', '.join(title(r.scenario) for r in results))}</h1>"
        f"<ul>{described}</ul>"
        + (f"<p class='caveat'>{html.escape(warning)}</p>" if warning else "")
        + f"<p class='caveat'>{html.escape(CAVEAT)}</p>"
        "<h2>Headline numbers</h2>"
        f"{metrics_table(results)}"
        "<h2>Figures</h2>" + "".join(embed(p) for p in figures)
        + definitions_html(runs)
    )
    return page("orgsim comparison", body)
