"""The live dashboard: its model adapter, the CLI's binding, and the page in headless Chromium."""

from __future__ import annotations

import contextlib
import io
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from proctree import descendants, running, wait_until
from typer.testing import CliRunner

from orgsim.cli import app
from orgsim.params import Scenario
from orgsim.viz import dashboard as D
from orgsim.viz import offline_assets
from orgsim.viz.palette import STATE_COLOURS

pytestmark = pytest.mark.mesa  # the dashboard runs on Mesa's SolaraViz (tox.ini: every Python)

ROOT = Path(__file__).resolve().parents[1]
SERVER_TIMEOUT = 120  # s for the server to answer
UI_TIMEOUT = 60  # s for the page to render or react


def test_controls_change_inputs_only():
    """Launch mode becomes events, sliders become day-0 policy and employee settings."""
    model = D.DashboardModel(launch=D.TOP_DOWN, n_employees=200, initial_trust=0.3, leader_participation=0.7,
                             time_budget=0.4, governance="moderation: remove abuse", bad_actors=0.02, seed=3)
    sc = model.scenario
    assert sc.organization.n_employees == 200 and sc.employees.trust_mean == 0.3
    assert sc.employees.bad_actor_share == 0.02 and sc.rollout.champions == 0
    model.step()
    assert model.policy.leader_participation == 0.7 and model.policy.time_allowance == 0.4
    assert model.policy.moderation == 0.8 and model.policy.monitoring == 0.0
    assert (model.people.state[: model.org.n_employees] != 0).all()  # everyone told on day 0
    frame = model.datacollector.get_model_vars_dataframe()
    assert len(frame) == 2 and set(D.SERIES) <= set(frame.columns)


def test_slider_overrides_the_scenario_files_day0_event_but_later_events_still_happen():
    """A file's day-0 leader_participation is overridden by the slider; its later events stay."""
    relaunch = str(ROOT / "scenarios" / "relaunch.yaml")
    model = D.DashboardModel(scenario_file=relaunch, launch=D.AS_FILE, n_employees=200, leader_participation=0.25)
    model.step()
    assert model.policy.leader_participation == 0.25
    assert any(e.day == 365 and e.set.get("leader_participation") == 0.5 for e in model.scenario.rollout.events)
    bottom = D.DashboardModel(launch=D.BOTTOM_UP, n_employees=500)
    assert bottom.scenario.rollout.champions == 5 and bottom.scenario.rollout.events[-1].note == "dashboard controls"


def test_controls_start_at_the_scenarios_values():
    """Slider defaults come from the file's day-0 policy, so Reset without changes reproduces the file."""
    from orgsim.scenario import load_scenario

    params = D.controls(load_scenario(ROOT / "scenarios" / "abuse_moderated.yaml"), True)
    assert params["leader_participation"]["value"] == 0.5 and params["time_budget"]["value"] == 0.4
    assert params["governance"]["value"] == "moderation: remove abuse"
    assert params["launch"]["value"] == D.AS_FILE
    assert D.controls(Scenario(), False)["launch"]["values"] == list(D.LAUNCH_MODES[1:])


class FakeServer:
    """Stands in for the solara server process: records its command, ends at once."""

    calls: list = []

    def __init__(self, command, env):
        self.calls.append((command, env))

    def wait(self, timeout=None):
        """Ended, with status 0."""
        return 0

    def poll(self):
        """Ended, with status 0."""
        return 0


def test_cli_binds_to_localhost_and_warns_on_another_host(monkeypatch):
    """The server command gets --host 127.0.0.1 by default; another host is passed on with a warning."""
    calls = FakeServer.calls = []
    monkeypatch.setattr(subprocess, "Popen", FakeServer)
    monkeypatch.setattr(offline_assets, "missing", list)  # the browser code is cached: nothing to warn about
    runner = CliRunner()
    port = str(free_port())
    result = runner.invoke(app, ["dashboard", "--port", port])
    assert result.exit_code == 0 and "warning" not in result.output
    command = calls[-1][0]
    assert command[command.index("--host") + 1] == "127.0.0.1" and command[command.index("--port") + 1] == port
    result = runner.invoke(app, ["dashboard", "--host", "127.0.0.2", "--port", port])
    assert result.exit_code == 0 and "warning" in result.output
    assert calls[-1][0][calls[-1][0].index("--host") + 1] == "127.0.0.2"
    result = runner.invoke(app, ["dashboard", "missing.yaml"])
    assert result.exit_code == 2 and "file not found" in result.output and len(calls) == 2


def test_cli_warns_when_the_page_would_stay_blank(monkeypatch):
    """Without the browser code cached, the page needs Solara's CDN: unreachable, the trainer is told what to run."""
    monkeypatch.setattr(subprocess, "Popen", FakeServer)
    monkeypatch.setattr(offline_assets, "missing", lambda: ["requirejs@2.3.6"])
    for reachable, warned in ((False, True), (True, False)):
        monkeypatch.setattr(offline_assets, "cdn_reachable", lambda reachable=reachable: reachable)
        result = CliRunner().invoke(app, ["dashboard", "--port", str(free_port())])
        assert result.exit_code == 0
        assert ("the page would stay blank" in result.output) == warned
        assert ("python -m orgsim.viz.offline_assets" in result.output) == warned


def test_missing_assets_are_those_not_unpacked_in_the_cache(tmp_path, monkeypatch):
    monkeypatch.setattr(offline_assets, "cache_dir", lambda: tmp_path)
    wanted = sorted(f"{n}@{v}" for n, v in offline_assets.wanted_packages())
    assert len(wanted) >= 3 and offline_assets.missing() == wanted
    (tmp_path / wanted[0]).mkdir(parents=True)
    assert offline_assets.missing() == wanted  # an empty folder is not a cached package
    (tmp_path / wanted[0] / "package.json").write_text("{}")
    assert offline_assets.missing() == wanted[1:]


def test_cli_says_when_the_port_is_taken():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(app, ["dashboard", "--port", str(port)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert f"cannot listen on 127.0.0.1:{port}" in result.output and "--port" in result.output
    assert "Dashboard on" not in result.output
    unknown = CliRunner().invoke(app, ["dashboard", "--host", "no-such-host.invalid"])
    assert unknown.exit_code == 2 and "cannot listen on no-such-host.invalid" in unknown.output
    assert "check --host" in unknown.output


def test_a_dashboard_just_stopped_can_start_again_on_its_port(monkeypatch):
    """A server that closed its connections leaves the port in TIME_WAIT for a minute; it can listen there again."""
    with socket.socket() as server:
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn, solara's server, does
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        with socket.create_connection(("127.0.0.1", port)) as client:
            connection, _ = server.accept()
            connection.close()  # the server side closes first: its end of the connection waits in TIME_WAIT
            client.recv(1)
    monkeypatch.setattr(subprocess, "Popen", FakeServer)
    result = CliRunner().invoke(app, ["dashboard", "--port", str(port)])
    assert result.exit_code == 0, result.output


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout: float, what: str, transient: tuple[type[Exception], ...] = ()):
    """Poll ``predicate`` until it returns a truthy value; fail naming ``what`` after ``timeout``.

    An exception of a ``transient`` type (e.g. an element replaced while the page re-renders) means "not yet".
    """
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            value = predicate()
        except transient:
            value = None
        if value:
            return value
        time.sleep(0.25)
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")


def png_of(img) -> np.ndarray:
    """The pixels of an <img> as shown on the page."""
    return np.asarray(Image.open(io.BytesIO(img.screenshot_as_png)).convert("RGB"))


def count_colour(pixels: np.ndarray, hex_colour: str) -> int:
    """Number of pixels within a small tolerance of ``hex_colour``."""
    rgb = np.array([int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)])
    return int((np.abs(pixels.reshape(-1, 3).astype(int) - rgb).sum(axis=1) <= 6).sum())


@pytest.fixture(scope="session")
def solara_assets():
    """Solara's browser code in its cache, as .ci/run puts it there (no CDN here); a skip if npm cannot fetch it."""
    from orgsim.viz import offline_assets

    if offline_assets.main() != 0:  # quick when everything is cached already
        pytest.skip("Solara's browser code is not cached and npm could not fetch it: "
                    "run `python -m orgsim.viz.offline_assets` while online")


@pytest.fixture
def server(solara_assets):
    """``orgsim dashboard scenarios/bottom_up.yaml`` on a free port of 127.0.0.1, always stopped afterwards.

    Yields the URL and a function that reads the server's output so far.
    """
    port = free_port()
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen([sys.executable, "-m", "orgsim", "dashboard", str(ROOT / "scenarios" / "bottom_up.yaml"),
                             "--port", str(port)], stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}/"

    def up():
        if proc.poll() is not None:
            log.seek(0)
            pytest.fail(f"dashboard exited with {proc.returncode}: {log.read().decode()[-2000:]}")
        try:
            return urllib.request.urlopen(url, timeout=2).status == 200
        except OSError:
            return False

    try:
        try:
            wait_for(up, SERVER_TIMEOUT, f"the dashboard at {url}")
        except pytest.fail.Exception as exc:
            log.seek(0)
            pytest.fail(f"{exc}; server output:\n{log.read().decode()[-2000:]}")
        def output() -> str:
            log.seek(0)
            return log.read().decode()

        yield url, output
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
        log.close()


def start_dashboard():
    """``orgsim dashboard`` in its own session on a free port, and a check that it answers."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "orgsim", "dashboard", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)

    def answers() -> bool:
        try:
            return urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).status == 200
        except OSError:
            return False

    return proc, answers


def test_kill_of_the_command_stops_the_server_too():
    """SIGTERM to ``orgsim dashboard`` alone (not its process group) stops the solara server it started."""
    proc, answers = start_dashboard()
    try:
        wait_for(answers, SERVER_TIMEOUT, "the dashboard to answer")
        os.kill(proc.pid, signal.SIGTERM)
        assert proc.wait(30) == 0
        wait_for(lambda: not answers(), 10, "the server to stop answering")
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)


@pytest.mark.skipif(sys.platform != "linux", reason="reads the processes from /proc")
def test_kill_9_of_the_command_stops_the_server_too():
    """``kill -9`` of ``orgsim dashboard`` gives it no chance to stop the solara server: it ends all the same."""
    proc, answers = start_dashboard()
    try:
        wait_for(answers, SERVER_TIMEOUT, "the dashboard to answer")
        everyone = descendants(proc.pid)
        assert everyone
    finally:
        proc.kill()
        proc.wait()
    assert wait_until(lambda: not any(running(pid) for pid in everyone), 5), \
        f"still running: {[pid for pid in everyone if running(pid)]}"
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)


def test_dashboard_in_a_browser(server, browser, tmp_path):
    """Controls and the org chart render; stepping changes the charts; a smaller organization after Reset.

    The tab is titled after the scenario, and the terminal shows no library warnings.
    """
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    def until(predicate, what: str):
        """Wait for the page; Solara replaces elements as it re-renders, so a stale one means "not yet"."""
        return wait_for(predicate, UI_TIMEOUT, what, transient=(StaleElementReferenceException,))

    url, server_output = server
    browser.get(url)
    body = lambda: browser.find_element(By.TAG_NAME, "body").text  # noqa: E731
    images = lambda: [i for i in browser.find_elements(By.TAG_NAME, "img")  # noqa: E731
                      if i.size["width"] > 100 and i.size["height"] > 100]
    shot = lambda k: until(lambda: (png_of(images()[k]),), f"image {k} to settle")[0]  # noqa: E731
    until(lambda: len(images()) >= 3 and "Before launch" in body(), "org chart and two charts")
    until(lambda: browser.title == "orgsim: bottom_up", "the tab's title")
    text = body()
    for control in ("Launch", "Organization size", "Initial trust", "Leaders post", "Time budget",
                    "Moderation vs monitoring", "RESET", "STEP"):
        assert control in text, control
    assert "1,000 employees" in text

    chart = shot(0)  # the org chart: most people not yet heard of it, the champions joined
    assert chart.var() > 100
    assert count_colour(chart, STATE_COLOURS["unaware"]) > 5000
    plots_before = [shot(1), shot(2)]

    def click(xpath: str) -> None:
        until(lambda: browser.find_element(By.XPATH, xpath).click() or True, f"to click {xpath}")

    for day in range(3):  # day 0 is the launch day
        click("//button[contains(., 'Step')]")
        until(lambda day=day: f"Day {day}\n" in body() + "\n", f"day {day} after Step")
    until(lambda: all(not np.array_equal(a, png_of(b)) for a, b in zip(plots_before, images()[1:3], strict=True)),
          "the charts to change after stepping")

    slider = "//*[@role='slider'][starts-with(@aria-label, 'Organization size')]"
    until(lambda: browser.execute_script("arguments[0].focus(); return true", browser.find_element(By.XPATH, slider)),
          "to focus the size slider")
    browser.switch_to.active_element.send_keys(Keys.HOME)  # the slider's minimum: 100 employees
    until(lambda: browser.find_element(By.XPATH, slider).get_attribute("aria-valuenow") == "100",
          "the size slider to move")
    shown = browser.execute_script("return getComputedStyle(arguments[0], '::after').content",
                                   browser.find_element(By.XPATH, slider))
    assert shown == '"100"', shown  # every slider shows its value, not only while dragged
    click("//button[contains(., 'Reset')]")
    until(lambda: "Settings: 100 employees" in body(), "the reset model with 100 employees")
    until(lambda: "Before launch" in body() and not np.array_equal(png_of(images()[0]), chart),
          "a new org chart for the reset model")
    browser.save_screenshot(str(tmp_path / "dashboard.png"))
    assert (tmp_path / "dashboard.png").stat().st_size > 10_000
    assert "warning" not in server_output().lower(), server_output()
