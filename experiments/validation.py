"""Regenerate the validation figures and numbers of ``docs/validation.md``.

Usage::

    python experiments/validation.py            # about a minute on 2 cores
    python experiments/validation.py --quick    # fewer runs, for a smoke check

Writes ``docs/figures/validation/{bass,watts,centola_macy}.png`` and
``numbers.json`` (every figure quoted in the document). The experiments are the
ones the tests in ``tests/validation/`` assert on (shared code in
``tests/validation/classics.py``), with finer grids and more runs.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "validation"))
from classics import (  # noqa: E402
    bass_recursion,
    bass_runs,
    days_to_reach,
    granovetter_joiners,
    new_per_day,
    ring_runs,
    watts_cascades,
    watts_condition,
    watts_window,
)

from orgsim.output import atomic_path, write_text  # noqa: E402
from orgsim.viz.palette import OKABE_ITO  # noqa: E402

OUT = ROOT / "docs" / "figures" / "validation"


def save(fig: plt.Figure, name: str) -> None:
    """Write a figure atomically."""
    with atomic_path(OUT / name) as tmp:
        fig.savefig(tmp, dpi=130, bbox_inches="tight", format="png")
    plt.close(fig)


def bass(runs: int) -> dict:
    """Bass on the complete network, n = 10,000, p = 0.03, q = 0.38."""
    n, p, q, days = 10_000, 0.03, 0.38, 30
    shares = bass_runs(n, p, q, days, list(range(runs)))
    expected = bass_recursion(p, q, days)
    t = np.arange(days)
    continuous = (1 - np.exp(-(p + q) * (t + 1))) / (1 + q / p * np.exp(-(p + q) * (t + 1)))
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.8))
    for row in shares:
        ax1.plot(t, row, color=OKABE_ITO["sky"], lw=0.5, alpha=0.4)
    ax1.plot(t, shares.mean(0), color=OKABE_ITO["blue"], lw=2, label=f"orgsim, mean of {runs} runs")
    ax1.plot(t, expected, "k--", lw=1.2, label="discrete Bass recursion")
    ax1.plot(t, continuous, ":", color=OKABE_ITO["vermillion"], lw=1.2, label="continuous Bass (closed form)")
    ax1.set(xlabel="day", ylabel="adopted share", title="Cumulative adoption")
    ax1.legend(frameon=False)
    ax2.plot(t, new_per_day(shares).mean(0), color=OKABE_ITO["blue"], lw=2, label="orgsim")
    ax2.plot(t, new_per_day(expected), "k--", lw=1.2, label="recursion")
    ax2.set(xlabel="day", ylabel="new adopters / n", title="New adoptions per day")
    ax2.legend(frameon=False)
    save(fig, "bass.png")
    gap = np.abs(shares.mean(0) - expected)
    return {
        "runs": runs, "max_gap": float(gap.max()), "max_gap_day": int(gap.argmax()),
        "max_sd_one_run": float(shares.std(0).max()),
        "peak_day_model": int(new_per_day(shares).mean(0).argmax()),
        "peak_day_recursion": int(new_per_day(expected).argmax()),
        "peak_day_continuous": float(np.log(q / p) / (p + q)),
    }


def watts(runs: int) -> dict:
    """Cascade frequency against mean degree, n = 10,000, phi = 0.18, one random seed."""
    n, phi = 10_000, 0.18
    zs = np.arange(0.5, 8.01, 0.5)
    samples = [watts_cascades(n, phi, z, seeds=[int(100_000 + 1000 * z) + r for r in range(runs)]) for z in zs]
    freq = np.array([s.frequency(0.1) for s in samples])
    size = np.array([s.shares[s.shares > 0.1].mean() if (s.shares > 0.1).any() else np.nan for s in samples])
    low, high = watts_window(phi)
    grid = np.linspace(0.3, 8.5, 400)
    condition = np.array([watts_condition(z, phi) for z in grid])
    fig, (ax, below) = plt.subplots(2, 1, figsize=(7, 5.5), sharex=True, height_ratios=(2, 1))
    for axis in (ax, below):
        axis.axvspan(low, high, color=OKABE_ITO["grey"], alpha=0.2)
    ax.plot(zs, freq, "o-", color=OKABE_ITO["blue"], label=f"cascade frequency (> 10% adopt), {runs} runs")
    ax.plot(zs, size, "s--", color=OKABE_ITO["orange"], label="mean final share in those cascades")
    ax.set(ylabel="frequency / share", ylim=(-0.02, 1.05),
           title=f"Watts (2002) cascade window, Erdős–Rényi n = {n:,}, φ = {phi}")
    ax.legend(frameon=False, loc="center right", fontsize=8)
    below.plot(grid, condition, color=OKABE_ITO["vermillion"])
    below.axhline(0, color="k", lw=0.6)
    below.set(xlabel="mean degree z", ylabel="Σ k(k−1)ρ_k p_k − z",
              title=f"analytic cascade condition: cascades where > 0 (shaded: {low:.2f} < z < {high:.2f})")
    save(fig, "watts.png")
    return {
        "runs": runs, "window": [low, high],
        "z": zs.tolist(), "frequency": freq.tolist(), "mean_cascade_size": np.nan_to_num(size).tolist(),
    }


def centola_macy(runs: int) -> dict:
    """Watts–Strogatz n = 1,000, k = 4: simple (1 tie) and complex (2 ties) contagion against rewiring."""
    n, k = 1000, 4
    rewiring = [0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0]
    seeds = list(range(runs))
    days90, coverage = [], []
    for p in rewiring:
        days90.append(float(np.mean([days_to_reach(r, 0.9) for r in ring_runs(n, k, p, 1, seeds)])))
        coverage.append(float(np.mean([r[-1] for r in ring_runs(n, k, p, 2, seeds)])))
    x = [max(p, 3e-4) for p in rewiring]  # p = 0 drawn at the left edge of the log axis
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.8))
    ax1.plot(x, days90, "o-", color=OKABE_ITO["blue"])
    ax1.set(xscale="log", xlabel="rewiring probability p (leftmost: p = 0)", ylabel="days until 90% adopted",
            title="Simple contagion (1 adopted tie)")
    ax2.plot(x, coverage, "o-", color=OKABE_ITO["vermillion"])
    ax2.set(xscale="log", xlabel="rewiring probability p (leftmost: p = 0)", ylabel="final adopted share",
            ylim=(-0.02, 1.05), title="Complex contagion (2 adopted ties)")
    save(fig, "centola_macy.png")
    return {"runs": runs, "rewiring": rewiring, "days_to_90pct": days90, "coverage": coverage}


def granovetter() -> dict:
    """The riot: thresholds 0..99, then the person with threshold 1 moved to 2."""
    uniform = list(range(100))
    changed = [0, 2, *range(2, 100)]
    return {"uniform_joiners": granovetter_joiners(uniform), "changed_joiners": granovetter_joiners(changed)}


def main() -> None:
    """Run every experiment, write the figures and ``numbers.json``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs (smoke check)")
    args = parser.parse_args()
    scale = 0.2 if args.quick else 1.0
    numbers = {
        "bass": bass(max(3, int(50 * scale))),
        "watts": watts(max(5, int(100 * scale))),
        "centola_macy": centola_macy(max(2, int(20 * scale))),
        "granovetter": granovetter(),
    }
    write_text(OUT / "numbers.json", json.dumps(numbers, indent=2) + "\n")
    print(json.dumps(numbers, indent=2))


if __name__ == "__main__":
    main()
