"""A self-contained HTML report (figures embedded) that a consultant can open and hand on."""

from __future__ import annotations

import base64
import html
from pathlib import Path
from typing import NamedTuple

from orgsim.metrics import spread_table, spread_words
from orgsim.viz.narrative import (
    CAVEAT,
    headline_sentences,
    inputs_table,
    spread_cell,
    title,
)


class Headline(NamedTuple):
    """A headline number of the report and the terminal table."""

    key: str  # the summary key
    label: str
    pattern: str  # str.format pattern
    meaning: str  # what it measures, in the report itself (it travels by e-mail, without the docs)
    unit: str = "% of employees"  # the unit of the value in tables (shares are shown in %)


HEADLINES = [
    Headline("registered_share_day60", "Registered by day 60", "{:.0%}",
             "share of employees with an account on day 60 (day 0 is the launch)"),
    Headline("peak_active_7d_share", "Peak weekly active", "{:.0%}",
             "highest share of employees who visited in the last 7 days (each replicate's, averaged)"),
    Headline("peak_day", "Day of the peak", "{:.0f}",
             "the day of that peak (averaged over replicates)", "day"),
    Headline("final_active_7d_share", "Weekly active at the end", "{:.0%}",
             "share of employees who visited in the last 7 days, on the last day"),
    Headline("final_contributors_30d_share", "Monthly contributors at the end", "{:.0%}",
             "share of employees who wrote in the last 30 days, on the last day"),
    Headline("lurker_share", "Members who never wrote", "{:.0%}",
             "share of members (employees who ever joined) who never wrote a post or reply", "% of members"),
    Headline("top1pct_post_share", "Contributions by the top 1% of members", "{:.0%}",
             "share of all posts and replies written by the 1% of members who wrote most", "% of contributions"),
    Headline("top10pct_post_share", "Contributions by the top 10% of members", "{:.0%}",
             "the same for the 10% who wrote most", "% of contributions"),
    Headline("final_mean_trust", "Mean trust in management at the end", "{:.2f}",
             "employees' mean trust in management, 0 to 1", "0 to 1"),
    Headline("mean_answer_days", "Days to answer a question", "{:.1f}",
             "mean days from a work question to its answer, by any channel", "days"),
    Headline("final_knowledge_coverage", "Knowledge coverage at the end", "{:.0%}",
             "share of (employee, topic) pairs where the employee knows the topic", "% of employee-topic pairs"),
    Headline("share_cross_department", "Interactions across departments", "{:.0%}",
             "share of interactions (replies, endorsements, e-mails...) between departments", "% of interactions"),
    Headline("share_cross_level", "Interactions skipping a level", "{:.0%}",
             "share of interactions between people two or more hierarchy levels apart", "% of interactions"),
    Headline("ideas_adopted", "Ideas adopted", "{:.0f}",
             "ideas from employees adopted over the run (endorsed on the platform or approved)", "ideas"),
    Headline("mean_idea_latency", "Days from idea to decision", "{:.0f}",
             "mean days from an idea to its adoption", "days"),
]

STYLE = """
body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;color:#222;line-height:1.45}
table{border-collapse:collapse;margin:1em 0}td,th{padding:.35em .9em;border-bottom:1px solid #ddd;text-align:left}
td.num,th.num{text-align:right;white-space:nowrap}td.meaning{color:#555;font-size:.9em}
img{max-width:100%;margin:.6em 0}.meta{color:#666;font-size:.9em}
.lead{font-size:1.15em}.caveat{border-left:4px solid #E69F00;padding:.4em 1em;background:#fdf6e9}
figure{margin:1.2em 0}figcaption{color:#444;font-size:.95em}
@media print{body{max-width:none;margin:0 1.2cm;font-size:10.5pt}figure,tr{break-inside:avoid}
h2{break-after:avoid}img{max-width:100%;max-height:9cm}}
"""

# What each figure of a run shows, for readers who cannot see it (alt text) and as its caption
FIGURE_TEXT = {
    "adoption": "Line chart over the days since launch of the shares of employees who have heard of the platform, "
                "joined it, visited it in the last 7 days and posted in the last 30 days",
    "activity": "Two line charts over the days since launch: posts, replies and endorsements per day (7-day mean), "
                "and employees' mean trust in management",
    "participation": "Stacked bars of the share of all posts and replies written by the top 1%, the next 9% and "
                     "the other 90% of members, beside the 90-9-1 shape of online communities",
    "side_by_side": "One line chart per scenario, on the same axes, of the shares of employees who have heard of "
                    "the platform, joined it, are active weekly and post monthly",
    "measures": "Four line charts, every scenario on the same axes: joined, active in the last 7 days, posted in "
                "the last 30 days, and mean trust in management",
}


def fmt(value, pattern: str) -> str:
    """Format a metric, showing missing values as a dash."""
    return "&ndash;" if value is None or value != value else pattern.format(value)


def embed(path: Path) -> str:
    """The figure with the PNG embedded (the report is one file), its description as alt text and caption."""
    data = base64.b64encode(path.read_bytes()).decode()
    text = html.escape(FIGURE_TEXT.get(path.stem, path.stem))
    return f'<figure><img alt="{text}" src="data:image/png;base64,{data}"><figcaption>{text}.</figcaption></figure>'


def metrics_table(results: list) -> str:
    """A table of headline metrics, one column per run (mean and spread across replicates), and what each measures."""
    head = "".join(f'<th class="num">{html.escape(title(r.scenario))}</th>' for r in results)
    spreads = [spread_table(r.replicates, [h.key for h in HEADLINES]) for r in results]
    rows = []
    for h in HEADLINES:
        cells = "".join(f'<td class="num">{spread_cell(s, h.key, h.pattern)}</td>' for s in spreads)
        rows.append(f'<tr><td>{h.label}</td>{cells}<td class="meaning">{html.escape(h.meaning)}</td></tr>')
    return f"<table><tr><th>metric</th>{head}<th>what it measures</th></tr>{''.join(rows)}</table>"


def page(title_text: str, body: str) -> str:
    """Wrap ``body`` in a complete HTML page."""
    return (f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(title_text)}</title>"
            f"<style>{STYLE}</style></head><body>{body}</body></html>\n")


def event_item(event) -> str:
    """One timed event as an HTML list item: day, then note, who is told and what is set, separated by '; '."""
    parts = [event.note or ""]
    if event.announce is not None:
        parts.append("announced to " + (event.announce if isinstance(event.announce, str)
                                        else f"departments {event.announce}"))
    if event.set:
        parts.append("sets " + ", ".join(f"{k} = {v}" for k, v in event.set.items()))
    return f"<li>day {event.day}: {html.escape('; '.join(p for p in parts if p))}</li>"


def inputs_html(scenario) -> str:
    """The scenario's inputs in plain words, as a table."""
    rows = "".join(f"<tr><td>{html.escape(k)}</td><td>{html.escape(v)}</td></tr>" for k, v in inputs_table(scenario))
    return f"<table>{rows}</table>"


def definitions_html(runs: int) -> str:
    """What the numbers and figures mean, in the report itself (it travels by e-mail, without the docs)."""
    items = "".join(f"<li><b>{html.escape(h.label)}</b>: {html.escape(h.meaning)}.</li>" for h in HEADLINES)
    return (f"<h2>How to read this report</h2><ul><li>Numbers are means over the simulated runs "
            f"(replicates); ranges in brackets and the shaded bands on the figures span the "
            f"{html.escape(spread_words(runs))}. A run is one possible history of the same organization.</li>"
            "<li>Day 0 is the launch; dotted vertical lines mark the scenario's later changes.</li>"
            f"{items}</ul>")


def run_report(results, figures: list[Path]) -> str:
    """The report of one scenario run."""
    s = results.scenario
    summary = results.summary
    runs = summary["replicates"]
    events = "".join(event_item(e) for e in sorted(s.rollout.events, key=lambda e: e.day))
    lead = " ".join(headline_sentences(results))
    body = (
        f"<h1>{html.escape(title(s))}</h1><p>{html.escape(s.description)}</p>"
        f"<p class='lead'>{html.escape(lead)}</p>"
        f"<p class='caveat'>{html.escape(CAVEAT)}</p>"
        f"<h2>Headline numbers</h2>{metrics_table([results])}"
        f"<h2>Inputs</h2>{inputs_html(s)}"
        + (f"<h3>Rollout, as set in the scenario</h3><ul>{events}</ul>" if events else "")
        + unit_section(results) + inputs_section(summary.get("inputs"))
        + "<h2>Figures</h2>" + "".join(embed(p) for p in figures)
        + definitions_html(runs)
        + f"<p class='meta'>{s.organization.n_employees:,} employees, {summary['days']} days, {runs} run(s), "
        f"seed {summary['seed']}, orgsim {summary['orgsim_version']}, scenario {html.escape(s.name)} "
        f"(hash {summary['scenario_hash']}): the same inputs and seed give the same numbers.</p>"
    )
    return page(f"orgsim report: {title(s)}", body)


AGGREGATES_ONLY = ("This report holds aggregates only: no person's id, name or attribute, and no unit with "
                   "fewer than {min_size} employees.")


def unit_section(results) -> str:
    """Adoption by unit at the end of the run (small units left out), and the statement that it is aggregates."""
    table = getattr(results, "by_unit", None)
    if table is None:
        return ""
    min_size = table.attrs.get("min_group_size", 5)
    rows = "".join(f"<tr><td>{html.escape(str(r.unit))}</td><td class='num'>{r.n_employees:,}</td>"
                   f"<td class='num'>{fmt(r.registered_share, '{:.0%}')}</td>"
                   f"<td class='num'>{fmt(r.active_7d_share, '{:.0%}')}</td></tr>" for r in table.itertuples())
    left_out = table.attrs.get("suppressed_units", 0)
    note = (f" {left_out} unit(s) with fewer than {min_size} employees (or one more, so that a single small unit "
            "cannot be worked out from the totals) are left out." if left_out else "")
    return (f"<h2>Adoption by unit</h2><p class='meta'>{AGGREGATES_ONLY.format(min_size=min_size)}{note} "
            "Shares of each unit's employees at the end of the run (by_unit.csv).</p>"
            "<table><tr><th>unit</th><th class='num'>employees</th><th class='num'>registered</th>"
            f"<th class='num'>weekly active</th></tr>{rows}</table>")


def inputs_section(inputs: dict | None) -> str:
    """Which inputs came from the client's files and which were assumed."""
    if not inputs:
        return ""
    rows = "".join(f"<tr><td>{html.escape(k)}</td><td>{html.escape(v)}</td></tr>" for k, v in inputs.items())
    return f"<h2>Inputs: the client's and assumed</h2><table><tr><th>input</th><th>from</th></tr>{rows}</table>"
