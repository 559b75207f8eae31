"""The dashboard end to end in headless Chromium (Debian's `chromium`, driven by Playwright) against a real
`moocast serve` on a snapshot published from the real inputs: pages load without console errors, charts render,
filters change the content, the export downloads. Screenshots of every page go to test-artifacts/screenshots/
(git-ignored)."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.conftest import ROOT
from tests.serving_server import running_server

pytestmark = pytest.mark.browser
SHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip


def chromium() -> str:
    """Debian's chromium, installed with apt when missing (as `make browser` does)."""
    found = shutil.which("chromium")
    if found is None:
        subprocess.run("apt-get update && apt-get install -y --no-install-recommends chromium", shell=True,
                       check=True, capture_output=True)  # fmt: skip
        found = shutil.which("chromium")
    assert found, "chromium is not installed and apt-get could not install it"
    return found


@pytest.fixture(scope="module")
def server(published_results: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_server(published_results, tmp_path_factory.mktemp("browser") / "serve.log") as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as profile, sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=chromium(), headless=True, args=CHROMIUM_FLAGS, accept_downloads=True,
            viewport={"width": 1400, "height": 1000},
        )  # fmt: skip
        yield context
        context.close()


class Opened:
    """A page of the dashboard with the console errors it logged."""

    def __init__(self, browser: Any, url: str) -> None:
        self.errors: list[str] = []
        self.page = browser.new_page()
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.goto(url)
        self.settled()

    def settled(self) -> None:
        """Wait until the page's scripts have finished what they started (body[data-busy] = 0)."""
        self.page.wait_for_function("document.body.dataset.busy === '0'")

    def rows(self, table: str) -> list[str]:
        return [row.inner_text() for row in self.page.locator(f"#{table} tbody tr").all()]

    def shot(self, name: str) -> None:
        self.settled()
        self.page.screenshot(path=SHOTS / f"{name}.png", full_page=True)


def charts_drawn(opened: Opened, *ids: str) -> None:
    for chart in ids:
        assert opened.page.locator(f"#{chart} .main-svg").count() >= 1, f"chart {chart} not drawn"


@pytest.mark.parametrize(("path", "charts"), [
    ("/", ("growth-chart", "accuracy-chart", "accuracy-steps-chart")),
    ("/regions", ("region-groups-chart",)),
    ("/skills", ()),
    ("/priorities", ()),
])  # fmt: skip
def test_pages_load_without_console_errors(browser: Any, server: str, path: str, charts: tuple[str, ...]) -> None:
    opened = Opened(browser, server + path)
    name = path.strip("/") or "overview"
    opened.shot(name)
    assert opened.errors == []
    assert opened.page.locator("main h1").inner_text().lower() == name
    assert "moocast-ba v1" in opened.page.locator("#freshness").inner_text()
    charts_drawn(opened, *charts)
    opened.page.close()


def test_overview_shows_growth_gaps_and_accuracy(browser: Any, server: str) -> None:
    opened = Opened(browser, server + "/")
    assert "version 1" in opened.page.locator("#status-cards").inner_text()
    assert len(opened.rows("gaps-table")) == 10
    assert {row.split("\t")[1] for row in opened.rows("accuracy-table")} == {"naive", "window_average", "selected"}
    assert opened.page.locator("#steps-model-select option").all_inner_texts() == ["moocast-ba"]
    lines = opened.page.locator("#accuracy-steps-chart .scatterlayer .trace")
    assert lines.count() == 6  # 3 candidates x (MASE, coverage)
    legend = opened.page.locator("#accuracy-steps-chart .legendtext").all_text_contents()  # SVG: no inner text
    assert sorted(legend) == ["naive", "selected", "window_average"]
    bars = opened.page.locator("#growth-chart .bars .point").count()
    assert bars >= 5 and opened.page.locator("#growth-chart .errorbar").count() == bars  # the 80% intervals
    assert opened.errors == []


def test_region_view_follows_the_state_picked(browser: Any, server: str) -> None:
    opened = Opened(browser, server + "/regions")
    assert opened.page.locator("#tile-map .tile").count() == 16
    assert opened.page.locator("#tile-map .tile:not([disabled])").count() == 2  # the test data: SH and HH
    opened.page.select_option("#state-select", "02")
    opened.settled()
    assert opened.page.locator("#region-title").inner_text() == "Hamburg"
    assert [row.split("\t")[0] for row in opened.rows("districts")] == ["Hamburg, Freie und Hansestadt"]
    opened.page.click("#tile-map .tile[data-code='01']")
    opened.settled()
    assert opened.page.locator("#region-title").inner_text() == "Schleswig-Holstein"
    assert len(opened.rows("districts")) > 5
    assert parse_qs(urlsplit(opened.page.url).query) == {"state": ["01"]}
    assert "region=01" in opened.page.get_attribute("#region-gaps-export", "href") and opened.rows("region-gaps")
    charts_drawn(opened, "region-groups-chart")
    opened.shot("regions-schleswig-holstein")
    assert opened.errors == []


def test_skill_search_and_view(browser: Any, server: str) -> None:
    opened = Opened(browser, server + "/skills")
    opened.page.fill("#skill-q", "python")
    opened.page.click("#skill-search button")
    opened.settled()
    opened.page.locator("#skill-results li a", has_text="Python (computer programming)").click()
    opened.page.wait_for_url("**uri=*")
    opened.settled()
    assert opened.page.locator("#skill-title").inner_text() == "Python (computer programming) · Germany"
    # two bands, history, forecast, and the past forecasts of the backtest window with their 80% whiskers
    assert opened.page.locator("#skill-chart .scatterlayer .trace").count() == 5
    assert "past forecasts (backtest)" in opened.page.locator("#skill-chart .legendtext").all_text_contents()
    assert opened.page.locator("#skill-chart .errorbar").count() == 2  # one per step of the window
    assert {row.split("\t")[0] for row in opened.rows("skill-accuracy")} == {"naive", "window_average", "selected"}
    assert len(opened.rows("skill-regions")) >= 5
    opened.shot("skill-python")
    assert opened.errors == []


def test_priorities_filters_and_export(browser: Any, server: str) -> None:
    opened = Opened(browser, server + "/priorities")
    assert len(opened.rows("priorities-table")) == 20
    opened.page.select_option("#top-select", "10")
    opened.settled()
    assert len(opened.rows("priorities-table")) == 10
    opened.page.select_option("#level-select", "advanced")
    opened.settled()
    levels = {row.split("\t")[3] for row in opened.rows("priorities-table")}
    assert levels == {"advanced"}
    opened.page.select_option("#provider-select", "edx")
    opened.settled()
    assert "against edx's catalogue" in opened.page.locator("#priorities-note").inner_text()
    shown = [row.split("\t")[1] for row in opened.rows("priorities-table")]
    with opened.page.expect_download() as download:
        opened.page.click("#priorities-export")
    exported = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
    assert [row["topic"] for row in exported] == shown
    assert {row["provider"] for row in exported} == {"edx"} and {row["level"] for row in exported} == {"advanced"}
    assert download.value.suggested_filename == "moocast-priorities.csv"
    opened.shot("priorities-edx-advanced")
    assert opened.errors == []
