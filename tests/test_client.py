"""A client's files (orgsim.client): bad files rejected by file, row and column; charts as trees; the round trip."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from orgsim.cli import app
from orgsim.client import load as client_load
from orgsim.client.export import export_client_files
from orgsim.client.files import ClientFileError
from orgsim.client.hierarchy import check_hierarchy, levels
from orgsim.organization import build_organization
from orgsim.params import Scenario
from orgsim.runner import run
from orgsim.scenario import ScenarioError, load_scenario

SECRET = "Zq7SECRET"  # planted in bad cells: no error line may quote it

CHART = "PersonId,ManagerId,Organization\n" + "\n".join(
    [f"{SECRET}0,,Board"] + [f"{SECRET}{i},{SECRET}0,Sales" for i in range(1, 4)]
    + [f"{SECRET}{i},{SECRET}1,Ops" for i in range(4, 8)]) + "\n"
COLLAB = ("PrimaryCollaborator_PersonId,SecondaryCollaborator_PersonId,Strong_tie_score\n"
          f"{SECRET}1,{SECRET}2,3\n{SECRET}4,{SECRET}5,1.5\n{SECRET}2,{SECRET}6,0.5\n")
SURVEY = "Organization,Trust\nSales,4\nOps,2\n"
MEASURES = [{"column": "Trust", "input": "trust", "scale": [1, 5], "to": [0.1, 0.9]}]


def scenario_file(tmp_path, chart=CHART, collab=None, survey=None, measures=None, **files) -> str:
    """A scenario naming the given file contents (bytes or text), written into ``tmp_path``."""
    import yaml

    entries = {} if chart is not None else {"chart": "nowhere.csv"}
    for name, content in (("chart", chart), ("collaboration", collab), ("survey", survey)):
        if content is not None:
            path = tmp_path / f"{name}.csv"
            path.write_bytes(content if isinstance(content, bytes) else content.encode())
            entries[name] = path.name
    if survey is not None or measures is not None:
        entries["measures"] = measures or MEASURES
    entries.update(files)
    data = {"run": {"days": 20}, "rollout": {"champions": 2},
            "organization": {"source": "org_chart", "org_chart": entries}}
    (tmp_path / "client.yaml").write_text(yaml.safe_dump(data))
    return str(tmp_path / "client.yaml")


def test_a_good_chart_gives_its_hierarchy_units_ties_and_survey_means(tmp_path):
    sc = load_scenario(scenario_file(tmp_path, collab=COLLAB, survey=SURVEY))
    assert (sc.organization.n_employees, sc.organization.n_departments) == (8, 3)
    org = build_organization(sc.organization, np.random.default_rng(0))
    assert org.level.tolist() == [0, 1, 1, 1, 2, 2, 2, 2]
    assert org.manager.tolist() == [-1, 0, 0, 0, 1, 1, 1, 1]
    assert org.department.tolist() == [0, 2, 2, 2, 1, 1, 1, 1]  # units sorted: Board, Ops, Sales
    assert set(org.neighbours(2)) == {0, 1, 3, 6}  # manager, teammates, and the tie from the file
    trust = org.mean_of("trust", 0.55)
    assert trust[0] == 0.55 and trust[1] == pytest.approx(0.7) and trust[4] == pytest.approx(0.3)


def test_the_weight_rule_keeps_pairs_at_or_above_the_quantile(tmp_path):
    sc = load_scenario(scenario_file(tmp_path, collab=COLLAB, weight_quantile=0.5))
    org = build_organization(sc.organization, np.random.default_rng(0))
    assert 6 not in org.neighbours(2) and 5 in org.neighbours(4)  # 0.5 and 1.5 of weights 0.5, 1.5, 3


BAD = {  # kind: (scenario_file arguments, words the error line must hold)
    "missing file": (dict(chart=None), ["nowhere.csv", "file not found"]),
    "empty file": (dict(chart=""), ["chart.csv", "empty"]),
    "header only": (dict(chart="PersonId,ManagerId,Organization\n"), ["no rows"]),
    "missing column": (dict(chart=CHART.replace("Organization", "Org")), ["row 1", "'Organization'"]),
    "not UTF-8": (dict(chart=CHART.encode().replace(f"{SECRET}5,".encode(), f"{SECRET}\xe9,".encode("latin-1"))),
                  ["row 7", "column 'PersonId'", "UTF-8"]),
    "UTF-16": (dict(chart=CHART.encode("utf-16")), ["row 1", "UTF-16"]),
    "ragged row": (dict(chart=CHART + f"{SECRET}9,{SECRET}0\n"), ["row 10", "2 fields; expected 3"]),
    "empty id": (dict(chart=CHART + f",{SECRET}0,Ops\n"), ["row 10", "column 'PersonId'", "empty person id"]),
    "duplicate id": (dict(chart=CHART + f"{SECRET}3,{SECRET}0,Ops\n"), ["row 10", "column 'PersonId'", "earlier row"]),
    "self-management": (dict(chart=CHART.replace(f"{SECRET}7,{SECRET}1", f"{SECRET}7,{SECRET}7")),
                        ["row 9", "column 'ManagerId'", "their own manager"]),
    "manager missing": (dict(chart=CHART.replace(f"{SECRET}7,{SECRET}1", f"{SECRET}7,{SECRET}99")),
                        ["row 9", "column 'ManagerId'", "no row in the chart"]),
    "several roots": (dict(chart=CHART.replace(f"{SECRET}5,{SECRET}1", f"{SECRET}5,")),
                      ["rows 2, 7", "column 'ManagerId'", "2 people have no manager"]),
    "loop": (dict(chart=CHART.replace(f"{SECRET}1,{SECRET}0", f"{SECRET}1,{SECRET}4")),
             ["rows 3, 6", "column 'ManagerId'", "loops"]),
    "empty unit": (dict(chart=CHART.replace(f"{SECRET}6,{SECRET}1,Ops", f"{SECRET}6,{SECRET}1,")),
                   ["row 8", "column 'Organization'", "empty unit"]),
    "edge to unknown person": (dict(collab=COLLAB + f"{SECRET}1,{SECRET}42,1\n"),
                               ["collaboration.csv", "row 5", "column 'SecondaryCollaborator_PersonId'",
                                "no row in the org chart"]),
    "non-numeric weight": (dict(collab=COLLAB + f"{SECRET}1,{SECRET}3,{SECRET}\n"),
                           ["collaboration.csv", "row 5", "column 'Strong_tie_score'", "not a number"]),
    "negative weight": (dict(collab=COLLAB + f"{SECRET}1,{SECRET}3,-2\n"), ["row 5", "expected a number >= 0"]),
    "collaboration without its columns": (dict(collab="a,b\nx,y\n"), ["collaboration.csv", "row 1", "no column"]),
    "survey unit not in chart": (dict(survey=SURVEY + f"{SECRET}Unit,3\n"),
                                 ["survey.csv", "row 4", "column 'Organization'", "not in the org chart"]),
    "survey unit twice": (dict(survey=SURVEY + "Ops,3\n"), ["survey.csv", "row 4", "earlier row"]),
    "survey score off the scale": (dict(survey=SURVEY + "Board,9\n"), ["row 4", "column 'Trust'", "outside the scale"]),
    "survey score not a number": (dict(survey=SURVEY + f"Board,{SECRET}\n"),
                                  ["row 4", "column 'Trust'", "not a number"]),
    "semicolons": (dict(chart=CHART.replace(",", ";")), ["row 1", "semicolons"]),
    "survey column missing": (dict(survey="Organization,Workload\nOps,3\n"), ["survey.csv", "row 1", "'Trust'"]),
}


@pytest.mark.parametrize("kind", list(BAD))
def test_bad_files_are_rejected_with_file_row_and_column_and_never_a_cell(tmp_path, kind):
    arguments, words = BAD[kind]
    path = scenario_file(tmp_path, **arguments)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: organization: "), message
    for word in words:
        assert word in message, message
    assert SECRET not in message


def test_orgsim_validate_reports_a_bad_chart_and_exits_2(tmp_path):
    path = scenario_file(tmp_path, chart=BAD["loop"][0]["chart"])
    result = CliRunner().invoke(app, ["validate", path])
    assert result.exit_code == 2
    assert "loops" in result.output and SECRET not in result.output


def test_orgsim_run_writes_nothing_for_a_bad_chart(tmp_path):
    path = scenario_file(tmp_path, chart=BAD["duplicate id"][0]["chart"])
    result = CliRunner().invoke(app, ["run", path, "--out", str(tmp_path / "out"), "-q"])
    assert result.exit_code == 2 and not (tmp_path / "out").exists()
    assert SECRET not in result.output


# --- generated charts: trees, forests and loops ------------------------------------------------------------------

def naive_levels(manager: list[int]) -> list[int]:
    out = []
    for i in range(len(manager)):
        steps, j = 0, i
        while manager[j] >= 0:
            j, steps = manager[j], steps + 1
        out.append(steps)
    return out


@st.composite
def trees(draw, min_size=2, max_size=60):
    """A random tree, its rows in random order: manager[i] is a row index, -1 for the top person."""
    n = draw(st.integers(min_size, max_size))
    parent = [-1] + [draw(st.integers(0, i - 1)) for i in range(1, n)]
    order = draw(st.permutations(range(n)))
    row_of = {person: row for row, person in enumerate(order)}
    return [row_of[parent[p]] if parent[p] >= 0 else -1 for p in order]


@given(trees())
@settings(max_examples=100, deadline=None)
def test_a_tree_in_any_row_order_gets_the_levels_of_its_chains(manager):
    assert check_hierarchy(np.array(manager), "chart.csv", "ManagerId").tolist() == naive_levels(manager)


@given(trees(min_size=3), st.data())
@settings(max_examples=100, deadline=None)
def test_a_forest_is_rejected_naming_its_top_people(manager, data):
    cut = data.draw(st.sampled_from([i for i, m in enumerate(manager) if m >= 0]))
    manager[cut] = -1
    with pytest.raises(ClientFileError, match="2 people have no manager"):
        check_hierarchy(np.array(manager), "chart.csv", "ManagerId")


@given(trees(min_size=3), st.data())
@settings(max_examples=100, deadline=None)
def test_a_loop_is_rejected_naming_exactly_the_people_on_it(manager, data):
    top = manager.index(-1)
    below = [i for i in range(len(manager)) if i != top]
    a = data.draw(st.sampled_from(below))
    chain = [a]  # a's chain up to (not including) the top person
    while manager[chain[-1]] != top:
        chain.append(manager[chain[-1]])
    b = data.draw(st.sampled_from(chain))
    manager[b] = a if a != b else manager[b]
    if a == b:  # no loop made: make one of length 2 with a report, if a has any
        reports = [i for i, m in enumerate(manager) if m == a]
        if not reports:
            return
        manager[a] = reports[0]
        chain = [a, reports[0]]
    else:
        chain = chain[: chain.index(b) + 1]
    with pytest.raises(ClientFileError, match="loops") as caught:
        check_hierarchy(np.array(manager), "chart.csv", "ManagerId")
    rows = re.search(r"\(rows? ([\d, ]+)", str(caught.value)).group(1)
    assert [int(r) - 2 for r in rows.strip(", ").split(", ")] == sorted(chain)[:5]


def test_levels_by_pointer_jumping_on_a_long_chain():
    n = 100_000
    manager = np.arange(-1, n - 1)
    steps, top = levels(manager)
    assert steps.tolist() == list(range(n)) and (top == 0).all()


# --- the round trip ----------------------------------------------------------------------------------------------

BASE = {"run": {"days": 40, "seed": 5}, "rollout": {"champions": 5, "events": [{"day": 0, "announce": "all"}]},
        "organization": {"n_employees": 400, "n_departments": 5}}


def test_an_exported_organization_reads_back_with_the_same_hierarchy_and_ties(tmp_path):
    generated = Scenario.model_validate(BASE)
    org = build_organization(generated.organization, np.random.default_rng(11))
    paths = export_client_files(org, tmp_path)
    files = {"chart": str(paths["chart"]), "collaboration": str(paths["collaboration"])}
    imported = Scenario.model_validate({**BASE, "organization": {"source": "org_chart", "org_chart": files}})
    again = build_organization(imported.organization, np.random.default_rng(11))
    for name in ("level", "department", "manager", "team", "indptr", "indices", "formal"):
        assert np.array_equal(getattr(org, name), getattr(again, name)), name
    first = run(imported)
    client_load._loaded.clear()  # read the files again: a new pseudonymization key
    assert run(imported).timeseries.equals(first.timeseries)  # the key never changes a result


def test_an_exported_chart_gives_the_same_results_for_the_same_seed(tmp_path):
    """Ties generated inside the chart's units draw what the generated organization drew: the same run."""
    generated = Scenario.model_validate(BASE)
    org = build_organization(generated.organization, np.random.default_rng(0))
    paths = export_client_files(org, tmp_path, collaboration=False)
    imported = Scenario.model_validate({**BASE, "organization": {
        "source": "org_chart", "org_chart": {"chart": str(paths["chart"])}}})
    a, b = run(generated), run(imported)
    assert a.timeseries.equals(b.timeseries)
    assert run(imported).timeseries.equals(b.timeseries)  # a new load (a new key) changes nothing


def test_a_pair_weighing_nothing_is_no_tie_and_rows_of_one_pair_merge(tmp_path):
    collab = COLLAB + f"{SECRET}3,{SECRET}7,0\n{SECRET}6,{SECRET}2,1\n"  # 3-7 weighs 0; 2-6 given twice
    org = build_organization(load_scenario(scenario_file(tmp_path, collab=collab)).organization,
                             np.random.default_rng(0))
    assert 7 not in org.neighbours(3) and list(org.neighbours(2)).count(6) == 1


def test_note_lines_above_the_header_count_as_rows(tmp_path):
    chart = "# SYNTHETIC\n# two notes\n" + CHART.replace(f"{SECRET}7,{SECRET}1", f"{SECRET}7,{SECRET}99")
    with pytest.raises(ScenarioError, match=r"row 11, column 'ManagerId'"):
        load_scenario(scenario_file(tmp_path, chart=chart))


def test_the_summary_says_which_inputs_were_the_clients_and_which_assumed(tmp_path):
    results = run(load_scenario(scenario_file(tmp_path, survey=SURVEY)), days=5)
    inputs = results.summary["inputs"]
    assert inputs["hierarchy and levels"] == "client org chart"
    assert inputs["informal ties"].startswith("assumed: generated inside the chart's units")
    assert inputs["trust (unit means)"].startswith("client survey: column Trust")
    assert inputs["time (unit means)"] == "assumed: employees.time_mean 1"
    assert len(inputs["chart file, SHA-256"]) == 16
    assert "inputs" not in run(Scenario.model_validate(BASE), days=5).summary  # a generated organization


ID_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=12)


@given(trees(max_size=30), st.lists(ID_TEXT, min_size=30, max_size=30, unique=True))
@settings(max_examples=40, deadline=None)
def test_a_chart_file_with_any_ids_reads_back_as_its_tree(tmp_path_factory, manager, ids):
    """Ids of any text (commas, quotes, accents, emoji; CSV-quoted) are looked up as themselves."""
    import pandas as pd

    from orgsim.client import load_client
    from orgsim.params import OrgChartFiles

    n = len(manager)
    path = tmp_path_factory.mktemp("chart") / "chart.csv"
    pd.DataFrame({"PersonId": ids[:n], "ManagerId": [ids[m] if m >= 0 else "" for m in manager],
                  "Organization": ["A" if i % 2 else "B" for i in range(n)]}).to_csv(path, index=False)
    org = load_client(OrgChartFiles(chart=str(path)))
    assert org.manager.tolist() == manager and org.level.tolist() == naive_levels(manager)


def test_a_survey_needs_measures_and_each_input_one_column(tmp_path):
    with pytest.raises(ScenarioError, match="survey and measures go together"):
        load_scenario(scenario_file(tmp_path, measures=MEASURES))  # measures without a survey
    twice = [*MEASURES, {"column": "Other", "input": "trust", "to": [0, 1]}]
    with pytest.raises(ScenarioError, match="more than one survey column sets trust"):
        load_scenario(scenario_file(tmp_path, survey=SURVEY, measures=twice))


def test_one_small_unit_takes_the_next_smallest_with_it():
    from orgsim.metrics import unit_table

    counts = [np.array([[3, 3, 1], [40, 20, 10], [12, 6, 3], [100, 50, 25.0]])]
    table = unit_table(counts, ("tiny", "mid", "small", "big"), 5)
    assert table["unit"].tolist() == ["mid", "big"] and table.attrs["suppressed_units"] == 2
    table = unit_table(counts, ("tiny", "mid", "small", "big"), 2)
    assert len(table) == 4 and table["registered_share"].tolist() == [1.0, 0.5, 0.5, 0.5]


def test_the_collaboration_files_and_the_surveys_problems_are_told_together(tmp_path):
    path = scenario_file(tmp_path, collab=COLLAB + f"{SECRET}1,{SECRET}42,1\n", survey=SURVEY + "Nowhere,3\n")
    result = CliRunner().invoke(app, ["validate", path])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(lines) == 2 and "collaboration.csv (row 5" in lines[0] and "survey.csv (row 4" in lines[1]
    assert SECRET not in result.output
