"""``orgsim animate``, ``orgsim compare`` and ``orgsim dashboard``: what a trainer shows the room."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from orgsim.cli.common import (
    Force,
    Quiet,
    ScenarioFile,
    app,
    console,
    day_progress,
    examples,
    fail,
    find_scenario,
    find_scenarios,
    stdout_console,
    summary_table,
    user_errors,
)
from orgsim.scenario import load_scenario

LOCALHOST = "127.0.0.1"


@contextmanager
def _frame_progress(total: int, label: str, quiet: bool) -> Iterator:
    """A progress bar over rendered frames; yields the per-frame callback (or None when quiet)."""
    if quiet:
        yield None
        return
    columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("frames"),
               TimeRemainingColumn()]
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task(label, total=total)
        yield lambda: progress.advance(task)


@app.command(epilog=examples(
    "orgsim animate scenarios/bottom_up.yaml --out workshop/bottom_up.gif",
    "orgsim animate scenarios/top_down.yaml --out workshop/top_down.mp4 --every 2",
))
def animate(
    scenario: ScenarioFile,
    out: Annotated[Path, typer.Option("--out", "-o", help="Output file: .gif (Pillow) or .mp4 (needs ffmpeg).")],
    days: Annotated[int | None, typer.Option(help="Days to simulate \\[default: run.days].", min=1)] = None,
    fps: Annotated[float, typer.Option(help="Frames per second.", min=0.5, max=60)] = 10.0,
    every: Annotated[int | None, typer.Option(help="Days per frame \\[default: at most 200 frames].", min=1)] = None,
    seed: Annotated[int | None, typer.Option(help="Override run.seed (the animation is replicate 0).", min=0)] = None,
    force: Force = False,
    quiet: Quiet = False,
) -> None:
    """Animate the org chart lighting up (or going dark) as people hear of, join, post on and leave the platform."""
    from orgsim.output import locked, refuse_taken
    from orgsim.viz.animate import FfmpegMissing, check_output, default_every, frame_days
    from orgsim.viz.animate import animate as render

    with user_errors():
        try:
            check_output(out)
        except (FfmpegMissing, ValueError) as exc:
            fail(str(exc))
        sc = load_scenario(scenario)
        n_days = days or sc.run.days
        n_frames = len(frame_days(n_days, every or default_every(n_days)))
        with locked(out):  # the file is written whole (renamed into place); one process at a time
            refuse_taken(out, force)
            with _frame_progress(n_frames, escape(f"{sc.name} -> {out.name}"), quiet) as tick:
                render(sc, out, days=n_days, fps=fps, every=every, seed=seed, on_frame=tick)
    if not quiet:
        console.print(f"Wrote [bold]{escape(str(out))}[/] ({n_frames} frames at {fps:g} fps)")


@app.command(epilog=examples(
    "orgsim compare scenarios/bottom_up.yaml scenarios/top_down.yaml --out workshop/compare",
    "orgsim compare scenarios/top_down.yaml scenarios/leaders_silent.yaml --out out/leaders --replicates 10 --pptx",
))
def compare(
    scenarios: Annotated[list[Path], typer.Argument(help="Two or more scenario files (or shipped scenarios' names).",
                                                    show_default=False, metavar="SCENARIO", callback=find_scenarios)],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output directory for figures, tables and report.html.")],
    days: Annotated[int | None, typer.Option(help="Override run.days of every scenario.", min=1)] = None,
    seed: Annotated[int | None, typer.Option(help="Override run.seed of every scenario.", min=0)] = None,
    replicates: Annotated[int | None, typer.Option(help="Override run.replicates of every scenario.", min=1)] = None,
    pptx: Annotated[bool, typer.Option("--pptx", help="Also write deck.pptx: a short slide deck of the comparison.")
                    ] = False,
    force: Force = False,
    quiet: Quiet = False,
) -> None:
    """Run scenarios and compare them side by side: curves with replicate bands, a table, one report.html."""
    from orgsim.output import locked, refuse_taken
    from orgsim.runner import run as run_scenario
    from orgsim.viz.save import save_comparison

    if len(scenarios) < 2:
        fail(f"compare: got {len(scenarios)} scenario file(s); expected two or more")
    with user_errors():
        loaded = [load_scenario(path) for path in scenarios]
        names = [sc.name for sc in loaded]
        if len(set(names)) < len(names):
            fail(f"compare: scenario names must differ to tell them apart; got {names}")
        results = []
        with locked(out):  # before running: a second comparison into this folder, or a taken folder, fails at once
            refuse_taken(out, force)
            for sc in loaded:
                with day_progress(days or sc.run.days, replicates or sc.run.replicates, sc.name, quiet) as tick:
                    results.append(run_scenario(sc, seed=seed, replicates=replicates, days=days, on_day=tick))
            save_comparison(results, out, pptx=pptx, force=force)
    if not quiet:
        stdout_console.print(summary_table(results))
        console.print(f"Compared {escape(', '.join(names))}; open [bold]{escape(str(out / 'report.html'))}[/]")


@app.command(epilog=examples(
    "orgsim dashboard",
    "orgsim dashboard scenarios/bottom_up.yaml --port 8800",
))
def dashboard(
    scenario: Annotated[Path | None, typer.Argument(
        help="Scenario YAML file (or a shipped scenario's name) to start from \\[default: built-in defaults].",
        show_default=False, callback=find_scenario)] = None,
    host: Annotated[str, typer.Option(
        help="Address to listen on; anything but 127.0.0.1 exposes the dashboard.")] = LOCALHOST,
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8765,
) -> None:
    """Open the live dashboard (Mesa SolaraViz): sliders, the org chart, live charts; play, step, reset."""
    import os
    import sys

    with user_errors():
        if scenario is not None:
            load_scenario(scenario)  # fail early, with a clear message, on a bad file
    _check_can_listen(host, port)
    if host != LOCALHOST:
        console.print(f"[bold yellow]warning:[/] listening on {host}: anyone who can reach this machine "
                      "on that address can open the dashboard")
    from orgsim.viz import offline_assets

    if (absent := offline_assets.missing()) and not offline_assets.cdn_reachable():
        console.print(f"[bold yellow]warning:[/] the page would stay blank: Solara's browser code "
                      f"({', '.join(absent)}) is not cached and its CDN cannot be reached; run "
                      "`python -m orgsim.viz.offline_assets` once where npm and the network are available",
                      highlight=False)
    env = {**os.environ, "ORGSIM_DASHBOARD_SCENARIO": str(scenario.resolve()) if scenario else ""}
    base_config = Path(sys.base_prefix) / "etc" / "jupyter"
    if sys.prefix != sys.base_prefix and base_config.is_dir():
        # a virtual environment over system packages: the widgets' notebook config, which solara reads, is there
        env["JUPYTER_CONFIG_PATH"] = os.pathsep.join(filter(None, [env.get("JUPYTER_CONFIG_PATH"), str(base_config)]))
    from orgsim.processes import DIE_WITH_PARENT_CODE, PARENT_PID_VARIABLE

    # `python -m solara run ...`, made first to end with this process, however it ends (kill -9 included)
    env[PARENT_PID_VARIABLE] = str(os.getpid())
    command = [sys.executable, "-c", f"{DIE_WITH_PARENT_CODE}; import runpy; runpy.run_module('solara', "
               "run_name='__main__', alter_sys=True)", "run", "orgsim.viz.dashboard_app", "--host", host,
               "--port", str(port), "--production", "--no-open"]
    from orgsim.runner import LOADING_KERNELS, warm_up

    with console.status(f"{LOADING_KERNELS.capitalize()}..."):
        warm_up()  # so the page does not hang on its first model: the server loads them from numba's cache
    console.print(f"Dashboard on [bold]http://{host}:{port}[/] (Ctrl+C to stop)")
    raise typer.Exit(_serve(command, env))


def _check_can_listen(host: str, port: int) -> None:
    """Fail with a clear message, before anything starts, if the server could not listen on ``host:port``."""
    import errno
    import socket

    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server: a just-closed port is free
            probe.bind(address)
    except OSError as exc:  # includes an unknown host name
        hint = "choose another port with --port" if exc.errno in (errno.EADDRINUSE, errno.EACCES) else "check --host"
        fail(f"cannot listen on {host}:{port} ({exc.strerror or exc}); {hint}")


def _serve(command: list[str], env: dict[str, str]) -> int:
    """Run the server until it ends or is stopped (Ctrl+C, or SIGTERM to this process); its exit status."""
    import signal
    import subprocess

    server, stopping = None, False

    def stop(signum: int | None = None, frame: object = None) -> None:
        nonlocal stopping
        stopping = True
        if server is not None:
            server.terminate()

    previous = signal.signal(signal.SIGTERM, stop)  # `kill` of this process stops the server too
    code = 0
    try:
        server = subprocess.Popen(command, env=env)
        if stopping:  # a SIGTERM came while it started
            server.terminate()
        code = server.wait()
    except KeyboardInterrupt:  # Ctrl+C reaches the server as well; make sure it ends
        stop()
    finally:
        if server is not None and server.poll() is None:
            try:
                server.wait(10)
            except (subprocess.TimeoutExpired, KeyboardInterrupt):
                server.kill()
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    if code < 0:  # ended by a signal: ours is a normal end; another (a crash, the OOM killer) is not
        return 0 if stopping else 128 - code
    return code
