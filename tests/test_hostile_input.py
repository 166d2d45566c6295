"""Issue 18's cases, one test each: what a careless user or a hostile file typed, and the one-line error it gets.

Each goes through :func:`orgsim.cli.run.describe`, what ``orgsim validate`` runs, or the command line itself.
"""

from __future__ import annotations

import resource
import time
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from orgsim.cli import app
from orgsim.cli.run import describe
from orgsim.scenario import ScenarioError

SMALL_ORG = "organization: {n_employees: 300, n_departments: 4}\n"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def error_of(path: Path, seconds: float = 5.0) -> str:
    """The error ``orgsim validate`` gives ``path``, checked to be quick and one line per problem, naming the file."""
    start = time.monotonic()
    with pytest.raises(ScenarioError) as info:
        describe(path)
    assert time.monotonic() - start < seconds
    message = str(info.value)
    for line in message.splitlines():
        assert len(line) < 1200, line[:200]
        assert str(path) in line or str(path.parent) in line, line
    return message


def billion_laughs(key_path: str) -> str:
    """Nine levels of aliases, each nine times the one before, placed at ``key_path`` (dots nest mappings)."""
    lines = ['a0: &a0 "lol"'] + [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 9)]
    head, *rest = key_path.split(".")
    value = "*a8"
    for key in reversed(rest):
        value = f"{{{key}: {value}}}"
    return "\n".join(lines) + f"\n{head}: {value}\n"


@pytest.mark.parametrize("where", ["name", "organization", "rollout.events"])
def test_yaml_nested_494_levels_deep_is_one_line_not_a_recursion_error(tmp_path, where):
    head, *rest = where.split(".")
    deep = "[" * 494 + "]" * 494 if head != "organization" else "{a: " * 494 + "1" + "}" * 494
    value = f"{{{rest[0]}: {deep}}}" if rest else deep
    message = error_of(write(tmp_path / "s.yaml", f"{head}: {value}\n"))
    assert "nested more than 32 levels deep" in message and "line 1" in message


def test_an_extends_chain_of_1100_files_is_one_line_not_a_recursion_error(tmp_path):
    for i in range(1100):
        write(tmp_path / f"s{i}.yaml", f"extends: s{i + 1}.yaml\n")
    write(tmp_path / "s1100.yaml", SMALL_ORG)
    assert "'extends' chains more than 32 files" in error_of(tmp_path / "s0.yaml")


def test_extends_of_a_symlink_to_itself_is_one_line(tmp_path):
    (tmp_path / "loop.yaml").symlink_to(tmp_path / "loop.yaml")
    message = error_of(write(tmp_path / "s.yaml", "extends: loop.yaml\n"))
    assert "loop.yaml" in message and "cannot be read" in message


@pytest.mark.parametrize("name", ["\\ud800", "x\\0y.yaml"])
def test_an_experiment_naming_an_unencodable_or_nul_scenario_is_one_line(tmp_path, name):
    """Found by the nightly-size property run: an unpaired surrogate in an experiment's scenario was a traceback."""
    assert "file not found" in error_of(write(tmp_path / "e.yaml", f'scenario: "{name}"\n'))


def test_an_experiment_whose_scenario_is_not_a_scenario_names_the_experiment(tmp_path):
    """Found by the nightly-size property run: the line named /etc/passwd but not the experiment naming it."""
    path = write(tmp_path / "e.yaml", "scenario: /etc/passwd\n")
    assert error_of(path).startswith(f"{path}: scenario: /etc/passwd: ")


def test_extends_a_name_with_a_nul_byte_is_one_line(tmp_path):
    message = error_of(write(tmp_path / "s.yaml", 'extends: "x\\0y.yaml"\n'))
    assert "cannot contain a NUL character" in message


def test_extends_a_file_that_is_not_a_scenario_says_so_without_echoing_it(tmp_path):
    secret = write(tmp_path / "shadow", "".join(f"user{i}: $6$secret{i}\n" for i in range(25)))
    message = error_of(write(tmp_path / "s.yaml", f"extends: {secret}\n"))
    assert message.count("\n") == 0 and "not a scenario file" in message and "secret" not in message


def test_extends_a_device_or_folder_is_refused(tmp_path):
    assert "not a regular file" in error_of(write(tmp_path / "s.yaml", "extends: /dev/zero\n"))
    (tmp_path / "d").mkdir()
    assert "a folder" in error_of(write(tmp_path / "t.yaml", "extends: d\n"))


def test_initial_adopters_inf_is_rejected(tmp_path):
    message = error_of(write(tmp_path / "s.yaml", "registration: {initial_adopters: .inf}\n"))
    assert "registration.initial_adopters: got inf; expected: a finite number" in message


def test_initial_adopters_inf_in_a_sweep_grid_is_rejected(tmp_path):
    write(tmp_path / "base.yaml", SMALL_ORG)
    path = write(tmp_path / "e.yaml", "scenario: base.yaml\ngrid: {registration.initial_adopters: [1, .inf]}\n")
    assert "grid.registration.initial_adopters[1]" in error_of(path)


def test_huge_initial_adopters_is_rejected(tmp_path):
    assert "initial_adopters" in error_of(write(tmp_path / "s.yaml", "registration: {initial_adopters: 1e300}\n"))


def test_count_thresholds_of_10_to_the_30_are_rejected_by_validate(tmp_path):
    text = "organization: {n_employees: 3, n_departments: 1}\nregistration: {count_thresholds: [1, 2, 1e30]}\n"
    assert "count_thresholds.2" in error_of(write(tmp_path / "s.yaml", text))
    text = "organization: {n_employees: 3, n_departments: 1}\nregistration: {count_thresholds: [1, 2, %d]}\n"
    assert "count_thresholds.2" in error_of(write(tmp_path / "t.yaml", text % 10**20))
    assert "(line 2, column 41): the number '1000000000000000000000000000000' is too large" in error_of(
        write(tmp_path / "u.yaml", text % 10**30))


def test_negative_count_thresholds_are_rejected(tmp_path):
    text = "organization: {n_employees: 3, n_departments: 1}\nregistration: {count_thresholds: [1, -2, 0]}\n"
    assert "count_thresholds.1: got -2; expected: greater than or equal to 0" in error_of(
        write(tmp_path / "s.yaml", text))


def test_a_name_with_a_lone_surrogate_is_rejected(tmp_path):
    assert "name" in error_of(write(tmp_path / "s.yaml", 'name: "\\ud800"\n'))


@pytest.mark.parametrize("where", ["name", "description", "run.days", "rollout.events", "rollout.announce",
                                   "set", "organization.edgelist", "extends"])
def test_a_billion_laughs_fails_fast_with_one_line(tmp_path, where):
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    message = error_of(write(tmp_path / "s.yaml", billion_laughs(where)), seconds=2)
    assert "aliases are not accepted" in message and message.count("\n") == 0 and len(message) < 300
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 100_000  # KiB: no blow-up


def test_a_million_character_name_fails_fast(tmp_path):
    message = error_of(write(tmp_path / "s.yaml", "name: " + "x" * 1_000_000 + "\n"))  # was > 60 s and 1.7 GB
    assert "a value of 1000000 characters" in message and len(message) < 300


def test_a_100000_character_name_fails_fast(tmp_path):
    assert "at most 10000 are accepted" in error_of(write(tmp_path / "s.yaml", "name: " + "x" * 100_000 + "\n"))


def test_a_name_of_300_characters_is_not_a_title(tmp_path):
    assert "at most 200 characters" in error_of(write(tmp_path / "s.yaml", "name: " + "x" * 300 + "\n"))


def test_base_60_is_not_a_number(tmp_path):
    message = error_of(write(tmp_path / "s.yaml", "organization: {n_employees: 5:00}\n"))
    assert "organization.n_employees: got '5:00'" in message


def test_yes_is_not_a_boolean(tmp_path):
    assert "policy.platform_open: got 'yes'" in error_of(write(tmp_path / "s.yaml", "policy: {platform_open: yes}\n"))


def test_trust_mean_true_is_not_a_number(tmp_path):
    message = error_of(write(tmp_path / "s.yaml", "employees: {trust_mean: true}\n"))
    assert "employees.trust_mean: got True; expected: a valid number" in message


def test_a_quoted_number_is_not_a_number(tmp_path):
    assert "employees.trust_mean: got '0.5'" in error_of(write(tmp_path / "s.yaml", "employees: {trust_mean: '0.5'}\n"))


def edgelist_scenario(tmp_path: Path, csv: bytes, n: int = 300) -> Path:
    (tmp_path / "ties.csv").write_bytes(csv)
    return write(tmp_path / "s.yaml", f"organization: {{n_employees: {n}, n_departments: 4, network: from_edgelist, "
                                      "edgelist: ties.csv}\n")


def test_an_edge_list_with_fractional_ids_is_rejected_not_truncated(tmp_path):
    message = error_of(edgelist_scenario(tmp_path, b"source,target\n0,1\n0.5,1.7\n"))
    assert f"edgelist {tmp_path / 'ties.csv'} (line 3): source '0.5' is not a person id" in message


def test_an_edge_list_with_negative_ids_is_rejected(tmp_path):
    assert "source '-1' is not a person id" in error_of(edgelist_scenario(tmp_path, b"source,target\n-1,1\n"))


def test_an_edge_list_with_ids_beyond_the_organization_is_rejected_by_validate(tmp_path):
    assert "target 300 is not a person id" in error_of(edgelist_scenario(tmp_path, b"source,target\n0,300\n"))


def test_an_empty_edge_list_is_one_line_naming_the_file(tmp_path):
    message = error_of(edgelist_scenario(tmp_path, b""))
    assert f"edgelist {tmp_path / 'ties.csv'}: the file is empty" in message and "EmptyDataError" not in message


def test_an_edge_list_that_is_not_a_table_is_one_line_naming_the_file(tmp_path):
    message = error_of(edgelist_scenario(tmp_path, b'source,target\n0,1,2,3\n"x\n'))
    assert f"edgelist {tmp_path / 'ties.csv'}: not a CSV table" in message and "ParserError" not in message


def test_an_edge_list_with_other_columns_is_rejected(tmp_path):
    assert "expected columns 'source' and 'target'" in error_of(edgelist_scenario(tmp_path, b"a,b\n0,1\n"))


def test_an_edge_list_that_is_not_utf8_is_rejected(tmp_path):
    assert "not UTF-8 text" in error_of(edgelist_scenario(tmp_path, b"source,target\n\xff,1\n"))


def test_mean_degree_1000_with_300_people_is_an_error(tmp_path):
    text = "organization: {n_employees: 300, network: erdos_renyi, mean_degree: 1000}\n"
    assert "mean_degree (1000) cannot be realised" in error_of(write(tmp_path / "s.yaml", text))


def test_informal_degree_within_200_with_20_people_is_an_error(tmp_path):
    text = "organization: {n_employees: 20, n_departments: 4, informal_degree_within: 200}\n"
    assert "informal_degree_within (200) cannot be realised" in error_of(write(tmp_path / "s.yaml", text))


@pytest.mark.parametrize("name", ["a\x1b[31mred", "bell\x07", "zero\u200bwidth"])
def test_control_characters_and_ansi_escapes_in_a_name_are_refused(tmp_path, name):
    message = error_of(write(tmp_path / "s.yaml", yaml.safe_dump({"name": name})))
    assert "a control or invisible character" in message and "\x1b" not in message and "\x07" not in message


def test_an_error_line_quotes_at_most_about_80_characters_of_a_value(tmp_path):
    message = error_of(write(tmp_path / "s.yaml", "run: {days: " + "x" * 5000 + "}\n"))
    assert "... (5002 characters)" in message and len(message) < 300


runner = CliRunner()


def tiny(tmp_path: Path, name: str) -> Path:
    return write(tmp_path / "tiny.yaml", yaml.safe_dump({"name": name, "run": {"days": 3},
                                                         "organization": {"n_employees": 40, "n_departments": 3}}))


def test_a_name_that_climbs_out_writes_inside_results(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["run", str(tiny(tmp_path, "../../x")), "--no-figures", "-q", "-w", "1"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "results" / "x" / "summary.json").exists()
    assert not (tmp_path.parent / "x").exists() and not (tmp_path.parent.parent / "x").exists()


def test_an_absolute_name_writes_inside_results(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    outside = tmp_path / "elsewhere"
    result = runner.invoke(app, ["run", str(tiny(tmp_path, str(outside))), "--no-figures", "-q", "-w", "1"])
    assert result.exit_code == 0, result.output
    assert not outside.exists() and len(list((tmp_path / "results").glob("*/summary.json"))) == 1


def test_markup_in_a_name_or_path_does_not_raise(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["run", str(tiny(tmp_path, "a [/] b [bold]")), "--no-figures", "-w", "1",
                                 "--out", str(tmp_path / "o[/]ut")])
    assert result.exit_code == 0, result.output
    assert "A [/] b [bold]" in result.stdout and "o[/]ut" in result.stderr  # the table's title of the run
    assert (tmp_path / "o[/]ut" / "summary.json").exists()


def test_a_folder_of_two_runs_is_impossible_without_force(tmp_path):
    """The issue's stale folder: a rerun with --no-figures --seed 2 left seed 1's report.html beside it."""
    scenario, out = tiny(tmp_path, "t"), str(tmp_path / "o")
    assert runner.invoke(app, ["run", str(scenario), "-q", "-w", "1", "--out", out]).exit_code == 0
    again = runner.invoke(app, ["run", str(scenario), "-q", "-w", "1", "--out", out, "--no-figures", "--seed", "2"])
    assert again.exit_code == 2
    assert again.stderr == f"error: {out}: already holds files (another run's); choose another --out, or add " \
                           "--force to replace it whole\n"
    forced = runner.invoke(app, ["run", str(scenario), "-q", "-w", "1", "--out", out, "--no-figures", "--seed", "2",
                                 "--force"])
    assert forced.exit_code == 0, forced.output
    assert "report.html" not in [p.name for p in Path(out).iterdir()]  # seed 1's
    assert '"seed": 2' in (Path(out) / "summary.json").read_text()
