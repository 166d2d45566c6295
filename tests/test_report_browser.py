"""The run and comparison reports in a real browser: they render, show what a client needs, and print to PDF."""

from __future__ import annotations

import base64

import pytest
from PIL import Image

from orgsim.params import Scenario
from orgsim.runner import run
from orgsim.viz.save import save_comparison, save_run


def scenario(name: str, **rollout) -> Scenario:
    return Scenario.model_validate({"name": name, "run": {"days": 40, "seed": 2, "replicates": 2},
                                    "organization": {"n_employees": 200, "n_departments": 4},
                                    "rollout": rollout or {"champions": 5}})


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    bottom = run(scenario("bottom_up_small"))
    top = run(scenario("top_down_small", events=[{"day": 0, "announce": "all",
                                                   "set": {"management_endorsement": 0.8}}]))
    save_run(bottom, out / "run")
    save_comparison([bottom, top], out / "compare")
    return out


@pytest.mark.parametrize("which, heading", [("run", "Bottom up small"),
                                             ("compare", "Comparing Bottom up small, Top down small")])
def test_the_report_renders_in_a_browser_and_prints_to_pdf(reports, browser, which, heading):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.print_page_options import PrintOptions

    browser.get((reports / which / "report.html").as_uri())
    assert browser.find_element(By.TAG_NAME, "h1").text == heading
    images = browser.find_elements(By.TAG_NAME, "img")
    assert images and all(browser.execute_script("return arguments[0].naturalWidth", img) > 800 for img in images)
    assert all(len(img.get_attribute("alt")) > 40 for img in images)  # described, not named
    text = browser.find_element(By.TAG_NAME, "body").text
    assert "not a forecast for yours" in text and "How to read this report" in text
    assert "docs/outputs.md" not in text  # the definitions travel with the report
    browser.save_screenshot(str(reports / f"{which}.png"))
    with Image.open(reports / f"{which}.png") as shot:
        assert shot.width >= 1000 and len(shot.convert("L").getcolors(maxcolors=256 * 256) or ()) > 50  # not blank
    options = PrintOptions()
    options.page_width, options.page_height = 21.0, 29.7  # A4, cm
    pdf = base64.b64decode(browser.print_page(options))
    pages = pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages")
    assert pdf.startswith(b"%PDF") and 2 <= pages <= 8 and len(pdf) > 50_000  # whole, with its figures
