"""Shared fixtures: small scenarios that run in well under a second."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest

from orgsim.params import Scenario

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
CHROMIUM, CHROMEDRIVER = shutil.which("chromium"), shutil.which("chromedriver")
UI_TIMEOUT = 60  # s for a page to render or react


@pytest.fixture
def small() -> Scenario:
    """A 300-person top-down launch over 60 days."""
    return Scenario.model_validate({
        "name": "small",
        "run": {"days": 60, "seed": 7, "replicates": 1},
        "organization": {"n_employees": 300, "n_departments": 4},
        "rollout": {"champions": 5, "events": [
            {"day": 10, "announce": "all", "set": {"management_endorsement": 0.8, "leader_participation": 0.5}},
        ]},
    })


@pytest.fixture
def browser():
    """Debian's headless Chromium driven by Selenium (no browser download)."""
    if not (CHROMIUM and CHROMEDRIVER):
        pytest.skip("needs Debian's chromium and chromium-driver (installed by .ci/run)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = tempfile.mkdtemp(prefix="orgsim-chromium-")
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync", f"--user-data-dir={profile}",
                 "--window-size=1600,1200"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(UI_TIMEOUT)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def pytest_sessionfinish(session, exitstatus):
    """A selection that matches no test (``pytest -m mesa`` on a tree without such tests) is not a failure."""
    if exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED:
        session.exitstatus = pytest.ExitCode.OK
