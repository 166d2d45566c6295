"""A self-contained HTML report (figures embedded) that a consultant can open and hand on."""

from __future__ import annotations

import base64
import html
from pathlib import Path
from typing import NamedTuple


class Headline(NamedTuple):
    """A headline number of the report and the terminal table."""

    key: str  # the summary key
    label: str
    pattern: str  # str.format pattern
    meaning: str  # what it measures, in the report itself (it travels by e-mail, without the docs)


HEADLINES = [
    Headline("registered_share_day60", "Registered by day 60", "{:.0%}",
             "share of employees with an account on day 60 (day 0 is the launch)"),
    Headline("peak_active_7d_share", "Peak weekly active", "{:.0%}",
             "highest share of employees who visited in the last 7 days (each replicate's, averaged)"),
    Headline("peak_day", "Day of the peak", "{:.0f}",
             "the day of that peak (averaged over replicates)"),
    Headline("final_active_7d_share", "Weekly active at the end", "{:.0%}",
             "share of employees who visited in the last 7 days, on the last day"),
    Headline("final_contributors_30d_share", "Monthly contributors at the end", "{:.0%}",
             "share of employees who wrote in the last 30 days, on the last day"),
    Headline("lurker_share", "Members who never wrote", "{:.0%}",
             "share of members (employees who ever joined) who never wrote a post or reply"),
    Headline("top1pct_post_share", "Contributions by the top 1% of members", "{:.0%}",
             "share of all posts and replies written by the 1% of members who wrote most"),
    Headline("top10pct_post_share", "Contributions by the top 10% of members", "{:.0%}",
             "the same for the 10% who wrote most"),
    Headline("final_mean_trust", "Mean trust in management at the end", "{:.2f}",
             "employees' mean trust in management, 0 to 1"),
    Headline("mean_answer_days", "Days to answer a question", "{:.1f}",
             "mean days from a work question to its answer, by any channel"),
    Headline("final_knowledge_coverage", "Knowledge coverage at the end", "{:.0%}",
             "share of (employee, topic) pairs where the employee knows the topic"),
    Headline("share_cross_department", "Interactions across departments", "{:.0%}",
             "share of interactions (replies, endorsements, e-mails...) between departments"),
    Headline("share_cross_level", "Interactions skipping a level", "{:.0%}",
             "share of interactions between people two or more hierarchy levels apart"),
    Headline("ideas_adopted", "Ideas adopted", "{:.0f}",
             "ideas from employees adopted over the run (endorsed on the platform or approved)"),
    Headline("mean_idea_latency", "Days from idea to decision", "{:.0f}",
             "mean days from an idea to its adoption"),
]

STYLE = """
body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;color:#222;line-height:1.45}
table{border-collapse:collapse;margin:1em 0}td,th{padding:.35em .9em;border-bottom:1px solid #ddd;text-align:left}
td.num,th.num{text-align:right}td.meaning{color:#555;font-size:.9em}
img{max-width:100%;margin:.6em 0}.meta{color:#666;font-size:.9em}
"""


def fmt(value, pattern: str) -> str:
    """Format a metric, showing missing values as a dash."""
    return "&ndash;" if value is None or value != value else pattern.format(value)


def embed(path: Path) -> str:
    """An <img> tag with the PNG embedded, so the report is one file."""
    data = base64.b64encode(path.read_bytes()).decode()
    return f'<img alt="{html.escape(path.stem)}" src="data:image/png;base64,{data}">'


def metrics_table(summaries: dict[str, dict]) -> str:
    """A table of headline metrics, one column per scenario, and what each measures."""
    head = "".join(f'<th class="num">{html.escape(name)}</th>' for name in summaries)
    rows = []
    for h in HEADLINES:
        cells = "".join(f'<td class="num">{fmt(s.get(h.key), h.pattern)}</td>' for s in summaries.values())
        rows.append(f'<tr><td>{h.label}</td>{cells}<td class="meaning">{html.escape(h.meaning)}</td></tr>')
    return f"<table><tr><th>metric</th>{head}<th>what it measures</th></tr>{''.join(rows)}</table>"


def page(title: str, body: str) -> str:
    """Wrap ``body`` in a complete HTML page."""
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
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


def run_report(results, figures: list[Path]) -> str:
    """The report of one scenario run."""
    s = results.scenario
    summary = results.summary
    events = "".join(event_item(e) for e in sorted(s.rollout.events, key=lambda e: e.day))
    body = (
        f"<h1>{html.escape(s.name)}</h1><p>{html.escape(s.description)}</p>"
        f"<p class='meta'>{s.organization.n_employees} employees, {summary['days']} days, "
        f"{summary['replicates']} replicate(s), seed {summary['seed']}, orgsim {summary['orgsim_version']}, "
        f"scenario hash {summary['scenario_hash']}. Values are means over replicates; bands on the figures "
        f"span 5-95% of replicates.</p>"
        f"<h2>Headline numbers</h2>{metrics_table({s.name: summary})}"
        + (f"<h2>Rollout</h2><ul>{events}</ul>" if events else "")
        + unit_section(results) + inputs_section(summary.get("inputs"))
        + "<h2>Figures</h2>" + "".join(embed(p) for p in figures)
        + "<p class='meta'>Made with orgsim; in its repository, docs/outputs.md defines every output and "
        "docs/model.md describes the model.</p>"
    )
    return page(f"orgsim report: {s.name}", body)


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
