"""A sweep on a real Dask cluster (``dask scheduler`` + ``dask worker`` processes) equals the local sweep."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import orgsim
from orgsim.cli import app

ROOT = Path(__file__).resolve().parents[1]
FIELDS = {"scenario": str(ROOT / "scenarios" / "top_down.yaml"),
          "set": {"run.days": 20, "organization.n_employees": 150, "organization.n_departments": 4,
                  "rollout.events": [{"day": 0, "announce": "all"}]},
          "grid": {"policy.leader_participation": [0.0, 0.5], "employees.trust_mean": [0.3, 0.7]},
          "replicates": 2, "seed": 9, "outputs": ["final_active_7d_share", "gini_posts"]}


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stop(proc: subprocess.Popen) -> None:
    """Terminate a process, killing it if it does not stop within 15 s."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)


@pytest.fixture(scope="module")
def scheduler(tmp_path_factory):
    """Address of a scheduler on 127.0.0.1 with two one-thread workers; torn down after the module."""
    from dask.distributed import Client

    # this interpreter's `dask` first: a scheduler and workers on another Python cannot run this one's tasks
    dask = (shutil.which("dask", path=str(Path(sys.executable).parent)) or shutil.which("dask")
            or pytest.fail("the `dask` command is not installed"))
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    workdir = tmp_path_factory.mktemp("dask")
    procs = [subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=workdir)]
    try:
        procs.append(subprocess.Popen(
            [dask, "worker", address, "--nworkers", "2", "--nthreads", "1", "--no-dashboard", "--host", "127.0.0.1",
             "--local-directory", str(workdir)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=workdir))
        deadline = time.monotonic() + 90
        while True:
            try:
                with Client(address, timeout="5s") as client:
                    client.wait_for_workers(2, timeout=max(1, deadline - time.monotonic()))
                break
            except (OSError, TimeoutError):
                if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
                    pytest.fail("the Dask scheduler and workers did not start within 90 s")
                time.sleep(0.5)
        yield address
    finally:
        for proc in reversed(procs):
            stop(proc)


def test_sweep_on_a_dask_cluster_equals_the_local_sweep(scheduler):
    """Sweep on a dask cluster equals the local sweep."""
    from dask.distributed import Client

    remote = orgsim.sweep(**FIELDS, scheduler=scheduler)
    local = orgsim.sweep(**FIELDS)
    pd.testing.assert_frame_equal(remote, local)
    with Client(scheduler, timeout="10s") as client:
        # both worker processes took part, and each loaded the kernels once (warm-up plugin) for all its runs
        assert len(client.scheduler_info()["workers"]) == 2
        assert "orgsim-warm-up" in client.run(lambda dask_worker: list(dask_worker.plugins)).popitem()[1]


def test_cli_sweep_with_scheduler_writes_the_same_table(scheduler, tmp_path):
    """The CLI sweep with scheduler writes the same table."""
    import yaml

    path = tmp_path / "exp.yaml"
    path.write_text(yaml.safe_dump({"name": "on_dask", **FIELDS}))
    result = CliRunner().invoke(app, ["sweep", str(path), "--scheduler", scheduler, "--out", str(tmp_path / "o"),
                                      "--quiet"])
    assert result.exit_code == 0, result.output
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "o" / "runs.parquet"), orgsim.sweep(path))


def test_unreachable_scheduler_is_a_clean_error(tmp_path):
    """Unreachable scheduler is a clean error."""
    import dask
    import yaml

    path = tmp_path / "exp.yaml"
    path.write_text(yaml.safe_dump({"name": "nowhere", **FIELDS}))
    address = f"tcp://127.0.0.1:{free_port()}"
    with dask.config.set({"distributed.comm.timeouts.connect": "2s"}):
        result = CliRunner().invoke(app, ["sweep", str(path), "--scheduler", address, "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "error:" in result.output and address.removeprefix("tcp://") in result.output
    assert "Traceback" not in result.output


def test_a_task_that_fails_on_the_cluster_fails_its_runs_not_the_sweep(scheduler):
    """A task error on a worker (e.g. a lost worker) comes back as that batch's runs failing."""
    from orgsim.experiment import Run
    from orgsim.sweeps import execute

    def job(run):
        if run.index % 5 == 0:
            raise RuntimeError(f"task {run.index} lost")
        return run.index

    runs = [Run(i, i, 0, {}) for i in range(40)]
    results = {run.index: value for run, value in execute(job, runs, scheduler=scheduler)}
    assert sorted(results) == list(range(40))
    failed = {i for i, value in results.items() if isinstance(value, RuntimeError)}
    assert {0, 5, 10, 15, 20, 25, 30, 35} <= failed
    assert all(results[i] == i for i in results if i not in failed)
