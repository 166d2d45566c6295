"""Sensitivity analysis: SALib indices are wired to the right points and rank a real driver first."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
import yaml
from PIL import Image
from typer.testing import CliRunner

from orgsim.cli import app
from orgsim.experiment import Experiment
from orgsim.sensitivity import SensitivityResult, analyse, sensitivity, unit_sample
from orgsim.viz.sensitivity import plot_indices

ROOT = Path(__file__).resolve().parents[1]
TOP_DOWN = str(ROOT / "scenarios" / "top_down.yaml")
OUTCOME = "final_registered_share"
FIELDS = {
    "scenario": TOP_DOWN, "seed": 3,
    "set": {"run.days": 20, "organization.n_employees": 150, "organization.n_departments": 4,
            "rollout.events": [{"day": 0, "announce": "all"}], "registration.rule": "bass"},
    # Bass (1969) registration over 20 days: with no seeds the innovation rate p starts everything, imitation q
    # only amplifies it; abuse_prob does nothing without bad actors (bad_actor_share is 0)
    "ranges": {"registration.bass_q": [0.0, 0.5], "behaviour.abuse_prob": [0.0, 1.0],
               "registration.bass_p": [0.0, 0.1]},
}


@pytest.mark.parametrize("method", ["sobol", "morris"])
def test_analysis_recovers_a_known_linear_response(method):
    """A response y = 3 x0 + 0 x1 on the unit cube: x0 carries all the effect, x1 none."""
    exp = Experiment.model_validate({"scenario": TOP_DOWN, "ranges": {"policy.moderation": [0, 1],
                                                                      "policy.monitoring": [0, 1]},
                                     "replicates": 2,
                                     "sensitivity": {"method": method, "samples": 64, "outcomes": [OUTCOME]}})
    unit = unit_sample(exp, seed=1)
    points = np.repeat(np.arange(len(unit)), 2)
    runs = pd.DataFrame({"run": np.arange(len(points)), "point": points, "status": "ok", "error": "",
                         OUTCOME: 3 * unit[points, 0]})
    indices = analyse(exp, unit, runs, seed=1).set_index("parameter")
    assert list(indices["rank"]) == [1, 2] and indices.index[0] == "policy.moderation"
    if method == "sobol":
        assert indices.loc["policy.moderation", "ST"] == pytest.approx(1.0, abs=0.05)
        assert indices.loc["policy.monitoring", "ST"] == pytest.approx(0.0, abs=1e-9)
    else:
        assert indices.loc["policy.moderation", "mu_star"] == pytest.approx(3.0)
        assert indices.loc["policy.monitoring", "mu_star"] == pytest.approx(0.0)


@pytest.mark.parametrize(("method", "samples", "key"), [("morris", 8, "mu_star"), ("sobol", 16, "ST")])
def test_the_driver_is_ranked_first_and_a_parameter_without_effect_last(method, samples, key, tmp_path):
    """The driver is ranked first and a parameter without effect last."""
    result = sensitivity(**FIELDS, sensitivity={"method": method, "samples": samples, "outcomes": [OUTCOME]},
                         out=tmp_path)
    n_params = len(FIELDS["ranges"])
    runs_expected = samples * (n_params + (2 if method == "sobol" else 1))
    assert len(result.runs) == runs_expected and (result.runs["status"] == "ok").all()
    ranked = result.indices.set_index("parameter")
    assert list(ranked.index) == ["registration.bass_p", "registration.bass_q", "behaviour.abuse_prob"]
    assert ranked.loc["registration.bass_p", key] > 3 * ranked.loc["behaviour.abuse_prob", key]
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "indices.csv"), result.indices, check_dtype=False)
    plot_indices(result, tmp_path / "sensitivity.png")
    with Image.open(tmp_path / "sensitivity.png") as image:
        assert image.format == "PNG" and image.width > 200


def test_each_panel_of_the_figure_names_its_own_bars():
    """Outcomes rank the parameters differently: every panel labels its bars in its own order."""
    indices = pd.DataFrame({"outcome": ["a", "a", "b", "b"], "parameter": ["x", "y", "y", "x"],
                            "rank": [1, 2, 1, 2], "mu_star": [0.9, 0.1, 0.8, 0.2], "mu_star_conf": 0.05,
                            "mu": 0.0, "sigma": 0.0})
    fig = plot_indices(SensitivityResult("morris", indices, pd.DataFrame()))
    for ax, top_first in zip(fig.axes, (["x", "y"], ["y", "x"]), strict=True):
        shown = [label.get_text() for label in ax.get_yticklabels() if label.get_visible()]
        assert shown == top_first[::-1]  # bars from the bottom up: the first-ranked on top
    plt.close(fig)


def test_cli_prints_a_ranked_table_and_saves_a_figure(tmp_path):
    """The CLI prints a ranked table and saves a figure."""
    path = tmp_path / "sens.yaml"
    path.write_text(yaml.safe_dump({"name": "sens", **FIELDS,
                                    "sensitivity": {"method": "morris", "samples": 4, "outcomes": [OUTCOME]}}))
    result = CliRunner().invoke(app, ["sensitivity", str(path), "--out", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    assert "morris sensitivity of final_registered_share" in result.stdout  # results on stdout
    lines = [line for line in result.stdout.splitlines() if "registration.bass_p" in line]
    assert lines and lines[0].split()[1] == "1"
    assert (tmp_path / "o" / "sensitivity.png").exists() and (tmp_path / "o" / "runs.parquet").exists()
    quiet = CliRunner().invoke(app, ["sensitivity", str(path), "--out", str(tmp_path / "o"), "--quiet"])
    assert quiet.exit_code == 0 and quiet.output == "", quiet.output  # resumed: nothing to run, nothing printed


def test_sensitivity_without_its_section_is_a_clean_error(tmp_path):
    """Sensitivity without its section is a clean error."""
    path = tmp_path / "sens.yaml"
    path.write_text(yaml.safe_dump({"name": "sens", **FIELDS}))
    result = CliRunner().invoke(app, ["sensitivity", str(path), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "sensitivity needs 'ranges', a 'sensitivity' section" in result.output
    assert "Traceback" not in result.output
