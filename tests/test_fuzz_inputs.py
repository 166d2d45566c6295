"""Property: any scenario or experiment file ends valid, or in one-line errors naming the file; never a traceback.

Hypothesis writes documents of every kind a careless user or a hostile file gives: valid trees with hostile leaves
(booleans, huge numbers, infinities, control characters, markup, long strings, odd unicode), invalid trees, deep
nesting, alias bombs, unquoted YAML 1.1 look-alikes and raw text. Each goes through :func:`orgsim.cli.run.describe`,
what ``orgsim validate`` runs, and must end in a description or a :class:`ScenarioError` (exit 2) within
:data:`SECONDS`. The run is derandomized (the same examples on every CI run); ``ORGSIM_FUZZ_EXAMPLES`` raises
the count for a longer, nightly-style run (docs/reliability.md).
"""

from __future__ import annotations

import os
import resource
import tempfile
import time
import warnings
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from orgsim import params
from orgsim.cli import app
from orgsim.cli.run import describe
from orgsim.scenario import ScenarioError

EXAMPLES = int(os.environ.get("ORGSIM_FUZZ_EXAMPLES", "1000"))  # scenario and experiment documents, together
SECONDS = 10.0  # for one document
MAX_RSS_KIB = 1_500_000  # the test process's peak resident memory after all documents
SETTINGS = {"derandomize": True, "deadline": None, "database": None, "print_blob": True,
            "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example]}

SECTIONS = {name: list(field.annotation.model_fields) for name, field in params.Scenario.model_fields.items()
            if isinstance(field.annotation, type) and issubclass(field.annotation, params.Section)}
DOTTED = [f"{section}.{key}" for section, keys in SECTIONS.items() for key in keys]
HOSTILE_TEXT = ["\ud800", "\x1b[31mred\x1b[0m", "[/]", "[bold]x", "a\x00b", "\u202eevil", "../../x", "/etc/passwd",
                "5:00", "yes", ".inf", "\U0001f600" * 3, "é" * 50, "\t\n", "", " "]
UNQUOTED = ["5:00", "yes", "no", "on", "0x1F", "0o17", "010", ".inf", "-.inf", ".nan", "1e400", "~", "null", "true",
            "!!binary aGVsbG8=", "!!python/object:os.system x", "!!timestamp 2001-12-14", "!!set {a, b}", "&a 1",
            "*a", "9" * 5000, "-" + "9" * 40, "!!int '12'", "!!float 'x'", "[1, 2", "{a: 1", "'unterminated",
            "@reserved", "%TAG", "|\n  block", ">-\n  folded"]

scalars = st.one_of(
    st.booleans(), st.none(),
    st.integers(-10, 2000), st.floats(0, 1), st.integers(-10**40, 10**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20), st.sampled_from(HOSTILE_TEXT),
    st.builds(lambda char, n: char * n, st.sampled_from("x[é\u200b\n"), st.sampled_from([81, 10_001, 12_000])),
)
leaves = st.one_of(scalars, st.lists(scalars, max_size=4), st.dictionaries(st.text(max_size=8), scalars, max_size=3))
trees = st.recursive(scalars, lambda children: st.lists(children, max_size=4)
                     | st.dictionaries(st.text(max_size=10) | st.sampled_from(list(SECTIONS)), children, max_size=4),
                     max_leaves=25)
sections = st.dictionaries(st.sampled_from(list(SECTIONS)), st.one_of(
    st.just({}), leaves,
    st.sampled_from(list(SECTIONS)).flatmap(lambda s: st.dictionaries(st.sampled_from(SECTIONS[s]), leaves,
                                                                      max_size=4))), max_size=4)
events = st.lists(st.fixed_dictionaries({"day": st.one_of(st.integers(-1, 400), scalars)}, optional={
    "announce": st.one_of(st.just("all"), st.lists(st.integers(-1, 9), max_size=3), scalars),
    "set": st.dictionaries(st.sampled_from(SECTIONS["policy"]) | st.text(max_size=5), scalars, max_size=3),
    "note": scalars}), max_size=3)
scenario_trees = st.builds(
    lambda head, body, evs: {**head, **body, **({"rollout": {"events": evs}} if evs else {})},
    st.fixed_dictionaries({}, optional={"name": scalars, "description": scalars, "extends": scalars}),
    sections, events)


def dumped(tree: object) -> str:
    return yaml.safe_dump(tree, allow_unicode=True)


def deep(k: int, opener: str) -> str:
    return {"[": "[" * k + "]" * k, "{": "{a: " * k + "1" + "}" * k, "-": "".join(f"{' ' * i}- \n" for i in range(k))
            + " " * k + "- 1"}[opener]


def alias_bomb(levels: int, width: int, key: str) -> str:
    lines = ['a0: &a0 "lol"'] + [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * width)}]" for i in range(1, levels)]
    return "\n".join(lines) + f"\n{key}: *a{levels - 1}\n"


raw_texts = st.one_of(
    st.builds(lambda key, k, o: f"{key}: {deep(k, o)}\n", st.sampled_from(["name", "organization", "rollout"]),
              st.integers(1, 1200), st.sampled_from("[{-")),
    st.builds(alias_bomb, st.integers(2, 12), st.integers(2, 12), st.sampled_from(["name", "run", "extends", "set"])),
    st.builds(lambda path, raw: f"{path.split('.')[0]}:\n  {path.split('.')[1]}: {raw}\n", st.sampled_from(DOTTED),
              st.sampled_from(UNQUOTED)),
    st.text(max_size=300),
)
scenario_documents = st.one_of(scenario_trees.map(dumped), trees.map(dumped), raw_texts)

BASE = "name: base\nrun: {days: 30}\norganization: {n_employees: 200, n_departments: 4}\n"
paths = st.one_of(st.sampled_from(DOTTED), st.text(max_size=12), st.sampled_from(["policy", "run", "a..b", "."]))
experiment_trees = st.fixed_dictionaries({"scenario": st.one_of(st.just("base.yaml"), scalars, scenario_trees)},
                                         optional={
    "name": scalars, "description": scalars, "seed": scalars, "replicates": scalars, "samples": scalars,
    "design": st.sampled_from(["lhs", "sobol"]) | scalars,
    "set": st.dictionaries(paths, leaves, max_size=3),
    "grid": st.dictionaries(paths, st.lists(scalars, max_size=4) | scalars, max_size=3),
    "ranges": st.dictionaries(paths, st.lists(scalars, min_size=2, max_size=2) | scalars, max_size=3),
    "outputs": st.lists(st.text(max_size=10) | st.sampled_from(["gini_posts", "peak_day"]), max_size=3) | scalars,
    "timeseries": st.booleans() | st.lists(st.sampled_from(["day", "n_active_7d", "x"]), max_size=3) | scalars,
    "sensitivity": st.fixed_dictionaries({}, optional={"method": st.sampled_from(["sobol", "morris"]) | scalars,
                                                       "samples": scalars, "outcomes": leaves,
                                                       "num_levels": scalars}) | scalars,
})
experiment_documents = st.one_of(experiment_trees.map(dumped), raw_texts.map(lambda text: "scenario: base.yaml\n"
                                                                            + text))


def check(text: str, folder: Path) -> None:
    """``text`` as a file ends in a description or one-line errors naming the file, quickly."""
    path = folder / "doc.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    start = time.monotonic()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            assert describe(path)
    except ScenarioError as exc:
        lines = str(exc).split("\n")
        assert lines, "an empty error"
        for line in lines:
            assert str(folder) in line, f"a line that names no file: {line[:300]!r}"
            assert len(line) < 1500, f"a line of {len(line)} characters: {line[:300]!r}"
    assert time.monotonic() - start < SECONDS


@pytest.fixture(scope="module")
def folder():
    with tempfile.TemporaryDirectory() as name:
        (Path(name) / "base.yaml").write_text(BASE)
        yield Path(name)


@settings(max_examples=EXAMPLES * 3 // 5, **SETTINGS)
@given(text=scenario_documents)
def test_any_scenario_document_is_valid_or_one_line_errors(folder, text):
    check(text, folder)


@settings(max_examples=EXAMPLES * 2 // 5, **SETTINGS)
@given(text=experiment_documents)
def test_any_experiment_document_is_valid_or_one_line_errors(folder, text):
    check(text, folder)


def test_memory_stayed_bounded():
    """After the documents above (this module runs in order), the process never held more than about 1.5 GB."""
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss < MAX_RSS_KIB


@pytest.mark.parametrize("text", [alias_bomb(9, 9, "name"), "name: " + deep(600, "["), "run: {days: 5:00}\n",
                                  "name: \"\\ud800\\x1b[31m[/]\"\n", "employees: {trust_mean: true}\n"])
def test_the_command_line_says_one_error_line_per_problem_and_exits_2(tmp_path, text):
    path = tmp_path / "s.yaml"
    path.write_text(text)
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 2 and result.stdout == ""
    assert all(line.startswith(f"error: {path}") for line in result.stderr.split("\n")[:-1]), result.stderr
    assert "\x1b" not in result.stderr and "Traceback" not in result.stderr
