"""The figure of a sensitivity analysis: the ranking index of each parameter, per outcome."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt

from orgsim.sensitivity import INDEX_COLUMNS, SensitivityResult
from orgsim.viz.palette import OKABE_ITO


def plot_indices(result: SensitivityResult, path: str | Path | None = None):
    """Horizontal bars of the ranking index per outcome (with confidence intervals); save if ``path``."""
    key, conf = INDEX_COLUMNS[result.method][:2]
    outcomes = list(dict.fromkeys(result.indices["outcome"]))
    fig, axes = plt.subplots(1, len(outcomes), figsize=(4.2 * len(outcomes), 0.5 + 0.45 * result.indices[
        "parameter"].nunique()), squeeze=False, constrained_layout=True)
    for ax, outcome in zip(axes[0], outcomes, strict=True):
        rows = result.indices[result.indices["outcome"] == outcome].iloc[::-1]
        ax.barh(rows["parameter"], rows[key], xerr=rows[conf], color=OKABE_ITO["blue"], ecolor=OKABE_ITO["black"],
                capsize=3)
        ax.set_title(outcome, fontsize=10)
        ax.set_xlabel({"ST": "total Sobol index ST", "mu_star": "Morris mu* (range scaled to 0-1)"}[key])
        ax.axvline(0, color="#999999", linewidth=0.8)  # each panel in its own ranking, so each names its bars
    if path is not None:
        fig.savefig(path, dpi=120, format="png")
        plt.close(fig)
    return fig
