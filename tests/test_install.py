"""A plain install: the wheel has the shipped scenarios and experiments, and runs one by name from anywhere."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from orgsim import examples, numba_cache
from orgsim.cli import app

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


def test_the_repository_links_to_the_shipped_files():
    """``scenarios/`` and ``experiments/*.yaml`` in a clone are the files inside the package."""
    assert sorted(p.name for p in (ROOT / "scenarios").glob("*.yaml")) == \
        sorted(p.name for p in examples.SCENARIOS.glob("*.yaml"))
    for path in (ROOT / "experiments").glob("*.yaml"):
        assert path.resolve() == ROOT / "src" / "orgsim" / "examples" / "experiments" / path.name
        # the package in use (the source tree, or installed, as under tox) holds the same file
        assert (examples.EXPERIMENTS / path.name).read_bytes() == path.read_bytes()
    assert "top_down" in examples.names() and "leaders" in examples.names("experiment")


def test_a_name_finds_a_shipped_file_and_a_path_that_exists_wins(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert examples.find("top_down") == examples.SCENARIOS / "top_down.yaml"
    assert examples.find("top_down.yaml") == examples.SCENARIOS / "top_down.yaml"
    assert examples.find("leaders", "experiment") == examples.EXPERIMENTS / "leaders.yaml"
    (tmp_path / "top_down.yaml").write_text("name: mine\n")
    assert examples.find("top_down.yaml") == Path("top_down.yaml")  # the user's own file
    assert examples.find("nothing_like_it") == Path("nothing_like_it")  # for the usual "file not found"
    assert examples.find("sub/top_down") == Path("sub/top_down")  # a path is never looked up


def test_orgsim_examples_copies_files_that_run_as_they_are(tmp_path):
    result = runner.invoke(app, ["examples", str(tmp_path / "mine")])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "mine" / "scenarios").glob("*.yaml")) == \
        sorted(p.name for p in examples.SCENARIOS.glob("*.yaml"))
    assert sorted(p.name for p in (tmp_path / "mine" / "scenarios" / "client_example").iterdir()) == \
        sorted(p.name for p in (examples.SCENARIOS / "client_example").glob("*.csv"))  # its data, beside it
    result = runner.invoke(app, ["validate", *map(str, (tmp_path / "mine").glob("*/*.yaml"))])
    assert result.exit_code == 0, result.output  # the experiments find ../scenarios/
    again = runner.invoke(app, ["examples", str(tmp_path / "mine")])
    assert again.exit_code == 2 and "--overwrite" in again.output  # the user's edits are not lost
    assert runner.invoke(app, ["examples", str(tmp_path / "mine"), "--overwrite"]).exit_code == 0
    listed = runner.invoke(app, ["examples"])
    assert listed.exit_code == 0 and "top_down" in listed.output and "leaders" in listed.output


def test_numba_caches_in_the_user_folder_where_the_package_is_read_only(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    assert numba_cache.cache_dir(tmp_path) is None  # writable: beside the code, numba's default
    monkeypatch.setattr(os, "access", lambda path, mode: False)  # as on a read-only file system
    assert numba_cache.cache_dir(tmp_path) == tmp_path / "cache" / "orgsim" / "numba"
    import numba

    monkeypatch.setattr(numba.config, "CACHE_DIR", numba.config.CACHE_DIR)  # restored after the test
    assert numba_cache.configure(tmp_path) == tmp_path / "cache" / "orgsim" / "numba"
    assert os.environ["NUMBA_CACHE_DIR"] == str(tmp_path / "cache" / "orgsim" / "numba")
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path / "mine"))
    assert numba_cache.configure(tmp_path) is None and os.environ["NUMBA_CACHE_DIR"] == str(tmp_path / "mine")


@pytest.mark.slow
def test_the_wheel_installs_into_a_fresh_environment_and_runs_a_shipped_scenario_by_name(tmp_path):
    """``python -m build`` makes a wheel with the shipped files; installed, ``orgsim run top_down`` works anywhere.

    The build fetches setuptools as any build does; the new environment sees this one's packages (no other
    download) but has only the wheel's orgsim; the kernels compile afresh there (about a minute).
    """
    pytest.importorskip("build")
    dist = tmp_path / "dist"
    built = subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(dist),
                            str(ROOT)], capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    (wheel,) = dist.glob("orgsim-*.whl")
    inside = zipfile.ZipFile(wheel).namelist()
    for name in examples.names():
        assert f"orgsim/examples/scenarios/{name}.yaml" in inside
    for name in examples.names("experiment"):
        assert f"orgsim/examples/experiments/{name}.yaml" in inside

    env = tmp_path / "env"
    venv.create(env, system_site_packages=True, with_pip=True)
    bin_dir = env / ("Scripts" if sys.platform == "win32" else "bin")
    python = bin_dir / "python"
    site = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    # this environment's packages (numba, pandas, ...), after the new one's own: no download
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (Path(site) / "this_environment.pth").write_text("\n".join(sorted(ours)) + "\n")
    install = subprocess.run([python, "-m", "pip", "install", "--no-deps", "--no-index", "--ignore-installed",
                              str(wheel)],
                             capture_output=True, text=True, timeout=300)
    assert install.returncode == 0, install.stdout[-3000:] + install.stderr[-3000:]

    empty = tmp_path / "empty"
    empty.mkdir()
    clean = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "NUMBA_CACHE_DIR")}
    where = subprocess.run([python, "-c", "import orgsim; print(orgsim.__file__)"], cwd=empty, env=clean,
                           capture_output=True, text=True, check=True).stdout
    assert Path(where).resolve().is_relative_to(env.resolve()), where  # the wheel's orgsim, not this one's
    run = subprocess.run([bin_dir / "orgsim", "run", "top_down", "--days", "5", "--replicates", "1", "--quiet"],
                         cwd=empty, env=clean, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert (empty / "results" / "top_down" / "summary.json").is_file()
    assert (empty / "results" / "top_down" / "report.html").is_file()
    copied = subprocess.run([bin_dir / "orgsim", "examples", "mine"], cwd=empty, env=clean, capture_output=True,
                            text=True, timeout=120)
    assert copied.returncode == 0 and (empty / "mine" / "experiments" / "leaders.yaml").is_file(), copied.stderr
