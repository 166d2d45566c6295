"""Golden baseline: any change to the model's outputs must be deliberate.

The daily tables of small versions of four shipped scenarios are compared with
``tests/baseline/*.csv``: integer columns exactly, float columns to 1e-9 relative.
If a change to the model is intended, regenerate the baseline with
``python experiments/update_baseline.py`` and commit it with the change.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("update_baseline", ROOT / "experiments" / "update_baseline.py")
update_baseline = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(update_baseline)


@pytest.mark.parametrize("name", update_baseline.CASES)
def test_outputs_match_the_golden_baseline(name):
    expected = pd.read_csv(update_baseline.BASELINE_DIR / f"{name}.csv")
    actual = update_baseline.baseline_table(name)
    assert list(actual.columns) == list(expected.columns), "columns changed: update the baseline deliberately"
    assert len(actual) == len(expected)
    for column in expected.columns:
        a, e = actual[column].to_numpy(), expected[column].to_numpy()
        if np.issubdtype(e.dtype, np.integer):
            np.testing.assert_array_equal(a, e, err_msg=f"{name}: column {column} differs from the baseline")
        else:
            np.testing.assert_allclose(
                a,
                e,
                rtol=1e-9,
                atol=1e-12,
                equal_nan=True,
                err_msg=f"{name}: column {column} differs from the baseline",
            )
