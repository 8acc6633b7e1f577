"""Real browser: Debian's chromium drives the dashboard served by `streamlit run` on a free port."""

from __future__ import annotations

import csv
import io
import math
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "tests" / "artifacts"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium "
                       "(apt-get install -y chromium; .ci/run installs it)"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`streamlit run app/main.py` on a free port; its log is printed if it does not come up."""
    port = _free_port()
    log_path = tmp_path_factory.mktemp("server") / "streamlit.log"
    log = log_path.open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app" / "main.py"), "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                log.flush()
                pytest.fail(f"the dashboard did not start (exit {proc.poll()}); server log:\n{log_path.read_text()}")
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        if os.environ.get("SHOW_SERVER_LOG"):
            print(log_path.read_text())


def _table_cells(page) -> list[str]:  # type: ignore[no-untyped-def]
    """The ranked table's cell texts (glide-data-grid keeps an accessible table behind its canvas)."""
    cells: list[str] = page.locator("[data-testid='stDataFrame']").first.evaluate(
        "d => Array.from(d.querySelectorAll('td, [role=gridcell]')).map(e => e.textContent)")
    return cells


def _money(text: str) -> float:
    """'$3.2k' -> 3200.0 (the table's compact money)."""
    t = text.strip().lstrip("$").replace(",", "")
    mult = {"k": 1e3, "M": 1e6, "B": 1e9}.get(t[-1:], 1.0)
    return float(t[:-1] if t[-1:] in "kMB" else t) * mult


def test_change_a_workload_input_then_download_the_csv(server: str) -> None:
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1400}, accept_downloads=True)
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(f"{server}/")
            page.wait_for_selector(IDLE, timeout=90_000)
            page.wait_for_selector("[data-testid='stDataFrame']", timeout=30_000)
            assert not page.locator("[data-testid='stException']").count()
            winner_before = page.locator("[data-testid='stAlertContentSuccess']").first.inner_text()
            assert "cheapest" in winner_before
            page.wait_for_function("() => document.querySelectorAll(\"[data-testid='stDataFrame'] td\").length > 20",
                                   timeout=30_000)
            table_before = _table_cells(page)
            assert any("via" in c for c in table_before), table_before[:20]

            # change the requests per month: the table and the winner's amount must follow
            box = page.get_by_label("Requests per month")
            box.fill("300000000")
            t0 = time.perf_counter()
            box.press("Enter")
            page.wait_for_function("() => new URLSearchParams(location.search).get('w0_req') === '300000000'",
                                   timeout=60_000)
            page.wait_for_selector(IDLE, timeout=90_000)
            print(f"rerun after the change, seen from the browser: {time.perf_counter() - t0:.2f} s")
            winner_after = page.locator("[data-testid='stAlertContentSuccess']").first.inner_text()
            assert winner_after != winner_before
            first_cost = lambda cells: _money(cells[3]) if cells[0] == "1" else math.nan  # noqa: E731

            def grown(cells: list[str]) -> bool:
                try:
                    return cells != table_before and first_cost(cells) > 10 * first_cost(table_before)
                except (ValueError, IndexError):  # the grid is mid-redraw
                    return False

            table_after = _table_cells(page)
            for _ in range(100):  # the grid redraws just after the script finishes
                if grown(table_after):
                    break
                page.wait_for_timeout(200)
                table_after = _table_cells(page)
            assert table_after != table_before
            assert first_cost(table_after) > 10 * first_cost(table_before)

            page.wait_for_selector(IDLE, timeout=90_000)
            page.wait_for_timeout(1000)  # the button is redrawn with the new data after the rerun
            from playwright.sync_api import TimeoutError as PlaywrightTimeout

            for attempt in range(3):  # on a loaded machine a click can land while the button is redrawn
                page.wait_for_selector(IDLE, timeout=90_000)
                try:
                    with page.expect_download(timeout=30_000) as dl:
                        page.get_by_role("button", name="Download results (CSV)").click()
                    break
                except PlaywrightTimeout:
                    if attempt == 2:
                        raise
            path = dl.value.path()
            rows = list(csv.DictReader(io.StringIO(Path(path).read_text(encoding="utf-8"))))
            assert rows, "empty CSV"
            assert {"workload", "route_id", "label", "monthly_usd", "price_source", "price_as_of"} <= set(rows[0])
            assert all(float(r["requests_per_month"]) == 300_000_000 for r in rows)
            cheapest = min((r for r in rows if r["monthly_usd"]), key=lambda r: float(r["monthly_usd"]))
            assert cheapest["label"] in winner_after
            assert not any(str(v).startswith(("=", "+", "@")) for r in rows for v in r.values())

            page.wait_for_timeout(1500)  # let the charts draw before the picture
            page.screenshot(path=str(ARTIFACTS / "compare.png"), full_page=True)
            assert not errors, errors
        finally:
            browser.close()


DECIDING = ("Monthly ($)", "$ / 1M tok", "Quality", "Price age")
TRACE_COLOURS = """() => Array.from(document.querySelectorAll('.js-plotly-plot')).map(g => (g.data || []).map(
    t => [t.name || '', (t.marker && typeof t.marker.color === 'string') ? t.marker.color
          : (t.line && t.line.color) || '']))"""


def _colours(page) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Legend name -> colour of every trace of every plotly chart on the page."""
    out: dict[str, str] = {}
    for chart in page.evaluate(TRACE_COLOURS):
        for name, colour in chart:
            if name and colour:
                out.setdefault(name, colour.lower())
    return out


def test_compare_at_1440_px_shows_the_deciding_columns_and_the_report_uses_its_colours(
        server: str, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    from pricing.catalog import default_catalog
    from pricing.compare import presets
    from pricing.report import build_report, to_html
    from pricing.schema import Scenario

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            ctx = browser.new_context(viewport={"width": 1440, "height": 1000})
            ctx.grant_permissions(["clipboard-read", "clipboard-write"], origin=server)
            page = ctx.new_page()
            page.goto(f"{server}/?w0_req=20000000")
            page.wait_for_selector(IDLE, timeout=90_000)
            page.wait_for_function("() => document.querySelectorAll(\"[data-testid='stDataFrame'] td\").length > 20",
                                   timeout=30_000)
            grid = page.locator("[data-testid='stDataFrame']").first
            heads: list[str] = grid.evaluate("d => Array.from(d.querySelectorAll('th, [role=columnheader]'))"
                                             ".map(e => e.textContent.trim())")
            for name in DECIDING:
                assert any(h.startswith(name) for h in heads), (name, heads)
            # every column of the grid is inside its frame: nothing to scroll sideways to
            fits = grid.evaluate("d => { const s = d.querySelector('.dvn-scroller'); "
                                 "return s ? s.scrollWidth <= s.clientWidth + 1 : null; }")
            assert fits is True, "the ranked table scrolls sideways at 1440 px"
            assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")
            box = grid.bounding_box()
            assert box is not None and box["x"] + box["width"] <= 1440
            page.wait_for_timeout(1500)
            page.screenshot(path=str(ARTIFACTS / "compare-1440.png"), full_page=True)
            page_colours = _colours(page)
            assert page_colours, "no plotly chart on the Compare page"

            # the page's own link, copied with its button, is the address bar's
            page.wait_for_function("() => location.search.includes('w0_req=20000000')", timeout=20_000)
            page.get_by_text("Link to this view", exact=True).click()
            frame = page.frame_locator("iframe").first
            # The button writes the clipboard asynchronously, and under load a click can land before the frame's
            # script has wired it up: click, then read back in Python (page.evaluate awaits the clipboard
            # promise; wait_for_function does not, so a pending read passed as true and returned null), and
            # click again until the copied link and the address bar both carry the state.
            copied = here = ""
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                frame.get_by_role("button", name="Copy link").click()
                page.wait_for_timeout(300)
                copied = page.evaluate("navigator.clipboard.readText()")
                here = page.evaluate("() => location.href")
                if "w0_req=20000000" in copied and "w0_req=20000000" in here:
                    break
            assert "w0_req=20000000" in copied, f"copied link / address bar never both carried the state: {[copied, here]}"
            from urllib.parse import parse_qs, urlsplit

            assert parse_qs(urlsplit(copied).query) == parse_qs(urlsplit(here).query) == {"w0_req": ["20000000"]}, (
                copied, here)

            w = presets()["chat assistant"].model_copy(update={"requests_per_month": 20e6})
            report = build_report(Scenario(name="chat", workloads=(w,)), default_catalog(), samples=200)
            html = tmp_path / "report.html"
            html.write_text(to_html(report), encoding="utf-8")
            rep = browser.new_page(viewport={"width": 1200, "height": 1000})
            rep.goto(html.as_uri())
            rep.wait_for_function("() => document.querySelectorAll('.js-plotly-plot .main-svg').length >= 3",
                                  timeout=30_000)
            report_colours = _colours(rep)
            common = set(page_colours) & set(report_colours)
            assert {"input tokens", "output tokens"} <= common, (page_colours, report_colours)
            assert {n: page_colours[n] for n in common} == {n: report_colours[n] for n in common}
        finally:
            browser.close()
