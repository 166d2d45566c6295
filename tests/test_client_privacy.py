"""Privacy of a client's files: no id, name or small unit reaches any output, log or error (issue 21).

A unique marker is planted in every id column (chart, collaboration) and in a name column of a copy of the
shipped synthetic example, and the two units under 5 people are renamed with another marker. Every command
that writes output runs on it, and neither marker may appear in any file written, nor on stdout or stderr.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "scenarios" / "client_example"
ID_MARK = "QXMARKERID"  # in every PersonId, ManagerId and collaborator id, and every name
UNIT_MARK = "QXTINYUNIT"  # in the names of the units too small to be shown
MARKS = (ID_MARK, UNIT_MARK)


def plant(text: str) -> str:
    return (text.replace("SYN-", f"{ID_MARK}-").replace("Executive Office", f"{UNIT_MARK} A")
            .replace("Internal Audit", f"{UNIT_MARK} B"))


@pytest.fixture(scope="module")
def client(tmp_path_factory) -> Path:
    """A copy of the example with the markers planted, a scenario, a variant and an experiment."""
    folder = tmp_path_factory.mktemp("client")
    for name in ("synthetic_collaboration.csv", "synthetic_survey.csv"):
        (folder / name).write_text(plant((EXAMPLE / name).read_text()))
    lines = plant((EXAMPLE / "synthetic_chart.csv").read_text()).splitlines()
    header = 1  # after the '# SYNTHETIC' note
    lines[header] += ",DisplayName"
    lines[header + 1:] = [f"{line},{ID_MARK} Person {i}" for i, line in enumerate(lines[header + 1:])]
    (folder / "synthetic_chart.csv").write_text("\n".join(lines) + "\n")
    scenario = (ROOT / "scenarios" / "client_example.yaml").read_text()
    scenario = scenario.replace("extends: top_down.yaml", f"extends: {ROOT / 'scenarios' / 'top_down.yaml'}")
    scenario = scenario.replace("client_example/", "")
    (folder / "client.yaml").write_text(scenario.replace("name: client_example", "name: client")
                                        + "run: {days: 20, replicates: 2}\n")
    (folder / "variant.yaml").write_text("extends: client.yaml\nname: variant\n"
                                          "organization: {org_chart: {weight_quantile: 0.6}}\n")
    (folder / "sweep.yaml").write_text("name: sweep\nscenario: client.yaml\nseed: 1\nreplicates: 1\n"
                                       "grid:\n  policy.leader_participation: [0.0, 0.5]\n"
                                       "set:\n  run.days: 15\n  rollout.events: [{day: 0, announce: all}]\n"
                                       "timeseries: [n_registered]\n")
    bad = (folder / "synthetic_chart.csv").read_text().splitlines()
    (folder / "bad_chart.csv").write_text("\n".join([*bad, bad[5]]) + "\n")  # a duplicate id
    (folder / "bad.yaml").write_text((folder / "client.yaml").read_text().replace("synthetic_chart.csv",
                                                                                  "bad_chart.csv"))
    return folder


def orgsim(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "orgsim", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=600)


def leaks(folder: Path) -> list[str]:
    """Files under ``folder`` holding a marker (Parquet files read as tables: they compress their text)."""
    found = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        if path.suffix == ".parquet":
            text = pd.read_parquet(path).astype(str).to_csv()
        elif path.suffix == ".pptx":  # a zip of XML parts: read each part
            with zipfile.ZipFile(path) as deck:
                text = "".join(deck.read(name).decode("utf-8", errors="replace") for name in deck.namelist())
        else:
            text = path.read_bytes().decode("utf-8", errors="replace")
        found += [f"{path.name}: {mark}" for mark in MARKS if mark in text]
    return found


def test_no_id_name_or_small_unit_reaches_any_output(client, tmp_path):
    assert ID_MARK in (client / "synthetic_chart.csv").read_text()  # the markers are there to be found
    out = tmp_path / "out"
    commands = [
        ("validate", "client.yaml", "variant.yaml", "sweep.yaml"),
        ("run", "client.yaml", "--out", str(out / "run"), "--workers", "1", "--pptx"),
        ("compare", "client.yaml", "variant.yaml", "--out", str(out / "compare"), "--pptx"),
        ("sweep", "sweep.yaml", "--out", str(out / "sweep"), "--csv"),
        ("animate", "client.yaml", "--out", str(out / "chart.gif"), "--days", "4", "--every", "2"),
    ]
    for command in commands:
        result = orgsim(*command, cwd=client)
        assert result.returncode == 0, (command, result.stderr[-2000:])
        for mark in MARKS:
            assert mark not in result.stdout and mark not in result.stderr, (command, mark)
    bad = orgsim("validate", "bad.yaml", cwd=client)
    assert bad.returncode == 2 and "earlier row" in bad.stderr
    assert not any(mark in bad.stdout + bad.stderr for mark in MARKS)
    assert (out / "run" / "by_unit.csv").is_file() and (out / "sweep").is_dir()
    assert (out / "run" / "deck.pptx").is_file() and (out / "compare" / "deck.pptx").is_file()
    assert leaks(out) == []


def test_units_under_the_minimum_size_never_appear_per_unit(client, tmp_path):
    from orgsim.runner import run

    results = run(str(client / "client.yaml"))
    table = results.by_unit
    assert table.attrs["suppressed_units"] == 2
    assert (table["n_employees"] >= 5).all()
    assert not table["unit"].str.contains(UNIT_MARK).any()
    assert "Sales" in set(table["unit"])


def test_the_org_chart_view_names_the_real_units_and_draws_no_small_unit(client):
    from orgsim.client import unit_names
    from orgsim.scenario import load_scenario
    from orgsim.simulation import Simulation
    from orgsim.viz.layout import org_chart

    model = Simulation(load_scenario(client / "client.yaml"), rng=0)
    chart = org_chart(model.org, organization=model.scenario.organization)
    labels = [box[0] for box in chart.boxes]
    assert "Sales" in labels and len(labels) == 12 and not any(UNIT_MARK in label for label in labels)
    small = [d for d, name in enumerate(unit_names(model.scenario.organization)) if UNIT_MARK in name]
    drawn = set(model.org.department[chart.nodes][model.org.level[chart.nodes] > 0].tolist())
    assert len(small) == 2 and not drawn & set(small)
    assert model.org.level[chart.nodes].min() == 0  # the top person is drawn (above the boxes)


def test_the_dashboard_runs_a_client_organization_without_a_size_control():
    from orgsim.scenario import load_scenario
    from orgsim.viz.dashboard import DashboardModel, controls

    path = str(ROOT / "scenarios" / "client_example.yaml")
    model = DashboardModel(scenario_file=path)
    model.step()
    assert model.org.n_employees == 5000 and "Sales" in [box[0] for box in model.chart.boxes]
    assert "n_employees" not in controls(load_scenario(path), True)
