"""What a report says in words: spreads across replicates, headline sentences, the inputs in plain words, the caveat.

A client reads the report alone, without the docs: every number carries its spread, every band says
what it spans, and the inputs are named as a manager would name them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from orgsim.metrics import spread_table, spread_words
from orgsim.params import Scenario
from orgsim.scenario import day0_policy


def title(scenario: Scenario) -> str:
    """A scenario's human title: its name with spaces for underscores ("top_down" -> "Top down")."""
    name = scenario.name.replace("_", " ").strip()
    return name[:1].upper() + name[1:]


def with_spread(mean: float, low: float, high: float, pattern: str, runs: int) -> str:
    """``79% (76-82%)``: a mean with its spread, or the mean alone for one run or no value."""
    if mean is None or mean != mean:
        return "–"
    text = pattern.format(mean)
    if runs < 2 or low != low or pattern.format(low) == pattern.format(high):
        return text
    unit = "%" if pattern.endswith("%}") else ""
    low_text = pattern.format(low).removesuffix(unit) if unit else pattern.format(low)
    return f"{text} ({low_text}–{pattern.format(high)})"


def spread_cell(spreads: pd.DataFrame, key: str, pattern: str) -> str:
    """One metric of a :func:`spread_table` as ``mean (low–high)``."""
    row = spreads.loc[key]
    return with_spread(row["mean"], row["low"], row["high"], pattern, int(row["runs"]))


def headline_sentences(results) -> list[str]:
    """Two or three plain sentences on what happened, each number with its range."""
    spreads = spread_table(results.replicates, ["final_active_7d_share", "registered_share_day60",
                                                "peak_active_7d_share", "peak_day", "lurker_share"])
    runs = int(spreads["runs"].iloc[0])
    across = f"across {runs} runs" if runs > 1 else "in one run"

    def share(key: str) -> str:
        return spread_cell(spreads, key, "{:.0%}")

    days = int(results.timeseries["day"].max()) + 1
    peak_day = spreads.loc["peak_day", "mean"]
    sentences = [
        f"Weekly activity peaked at {share('peak_active_7d_share')} of employees around day {peak_day:.0f} "
        f"and stood at {share('final_active_7d_share')} on day {days - 1}, the last day simulated "
        f"({across}; ranges in brackets are {spread_words(runs)})."
    ]
    if known(spreads, "registered_share_day60"):
        sentences.insert(0, f"By day 60, {share('registered_share_day60')} of employees had joined the platform.")
    if known(spreads, "lurker_share"):
        sentences.append(f"{share('lurker_share')} of the employees who joined never wrote a post or reply: "
                         "they only read.")
    return sentences


def known(spreads: pd.DataFrame, key: str) -> bool:
    """Whether a metric has a value (a 40-day run has no day-60 share; nobody joined: no lurker share)."""
    return bool(np.isfinite(spreads.loc[key, "mean"]))


def _level(value: float) -> str:
    """A 0-1 value in words."""
    return "none" if value == 0 else "low" if value < 0.35 else "moderate" if value < 0.65 else "high"


def inputs_table(scenario: Scenario) -> list[tuple[str, str]]:
    """The scenario's main inputs as (plain name, value in words) rows."""
    org, emp, policy = scenario.organization, scenario.employees, day0_policy(scenario)
    launch = (f"{scenario.rollout.champions} enthusiasts start it without backing (bottom-up)"
              if scenario.rollout.champions else "announced by management")
    rows = [
        ("Organization", f"{org.n_employees:,} employees in {org.n_departments} departments, "
                         f"{org.span_of_control} reports per manager"),
        ("Initial trust in management", f"{emp.trust_mean:.2f} — {_level(emp.trust_mean)} (0 to 1)"),
        ("Senior managers' digital affinity", f"{emp.senior_affinity:.2f} — {_level(emp.senior_affinity)}"),
        ("Bad actors", f"{emp.bad_actor_share:.0%} of employees"),
        ("How it starts", launch),
        ("The platform is open", "yes" if policy["platform_open"] else "no (e-mail and the hierarchy only)"),
        ("Management backing, as staff perceive it", f"{policy['management_endorsement']:.2f} — "
                                                     f"{_level(policy['management_endorsement'])}"),
        ("Time on the platform counted as work", f"{policy['time_allowance']:.0%}"),
        ("Leaders posting as role models", f"{policy['leader_participation']:.0%} chance a day for each leader"),
        ("Team messages moved off e-mail", f"{policy['email_replacement']:.0%}"),
        ("Moderation of abuse", f"{policy['moderation']:.0%} chance a day to remove each abusive post"),
        ("Monitoring of staff", f"{policy['monitoring']:.2f} — {_level(policy['monitoring'])}"),
        ("Partners and customers may join", "yes" if policy["partners_open"] else "no"),
    ]
    later = [e for e in sorted(scenario.rollout.events, key=lambda e: e.day) if e.day > 0]
    if later:
        rows.append(("Later changes", "; ".join(f"day {e.day}: {e.note or 'policy change'}" for e in later)))
    return rows


CAVEAT = ("This is a simulation of a typical organization with the inputs listed in this report, not a forecast "
          "for yours. Its behavioural coefficients are modelling assumptions calibrated to reproduce patterns "
          "reported in the literature on enterprise social networks; the numbers show how the inputs push adoption "
          "up or down, and by roughly how much. Read them as a forecast for a real organization only after "
          "calibrating the model to its own usage data.")
