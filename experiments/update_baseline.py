"""Regenerate the golden baseline of ``tests/test_baseline.py`` — deliberately.

Run this only when a change to the model's outputs is intended, and commit the new
CSVs with the change that explains them::

    python experiments/update_baseline.py

The baseline is the daily table of a few small versions of the shipped scenarios
(300 employees, 90 days, 2 replicates, fixed seed).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from orgsim.output import write_table
from orgsim.params import Scenario
from orgsim.runner import run
from orgsim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
BASELINE_DIR = ROOT / "tests" / "baseline"
CASES = ("bottom_up", "top_down", "abuse_moderated", "email_only")
SEED = 7


def baseline_scenario(name: str) -> Scenario:
    """A small, fast version of a shipped scenario."""
    data = load_scenario(ROOT / "scenarios" / f"{name}.yaml").model_dump()
    data["organization"]["n_employees"] = 300
    data["organization"]["n_departments"] = 4
    data["run"].update(days=90, replicates=2, seed=SEED)
    return Scenario.model_validate(data)


def baseline_table(name: str) -> pd.DataFrame:
    """The daily table the baseline holds for one case."""
    return run(baseline_scenario(name)).timeseries


def main() -> None:
    """Rewrite the golden baseline files from the current model."""
    BASELINE_DIR.mkdir(parents=True, exist_ok=True)
    for name in CASES:
        path = BASELINE_DIR / f"{name}.csv"
        write_table(path, baseline_table(name))
        print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
