"""The report rendered in a real browser: headless Debian Chromium driven by Playwright.

`.ci/run` installs Debian's ``chromium`` (the project's own set-up); where it cannot be
installed the test skips and says why. The structural checks of the same page run
everywhere in ``tests/test_report.py``.

Contract of the page checked here at 1400 px and at 390 px (a phone):
- no console error, no request beyond the file itself (Plotly is inlined);
- no horizontal scroll of the page; the title on the first screen; on a phone the table of
  contents comes after the key findings, folded;
- ``#key-findings`` (5–8 items) and ``#paper-vs-ours`` before the study's sections;
- every ``.plot`` drawn by Plotly with at least one trace holding data;
- every in-page link ``a[href^="#"]`` resolves to one element; a table sorts on a click.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("LLMFLATION_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = pytest.mark.slow


def _browser():
    if CHROMIUM is None:
        pytest.skip("Debian chromium is not installed (CI installs it with apt-get in .ci/run; "
                    "locally: sudo apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - playwright is in the locked dev set
        pytest.skip("playwright is not installed (it is in the dev extra: make test installs it)")
    return sync_playwright, CHROMIUM


@pytest.fixture(scope="module")
def built_report(tmp_path_factory) -> Path:
    from llmflation.cli import main

    out = tmp_path_factory.mktemp("report")
    try:
        main(["report", "--out", str(out)])
    except SystemExit as e:  # typer's standalone exit
        assert e.code in (0, None)
    assert (out / "index.html").is_file()
    return out


def _launch(p, exe):
    return p.chromium.launch(
        executable_path=exe, headless=True,
        args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
              "--disable-background-networking", "--disable-component-update", "--disable-sync"])


#: Desktop and phone (an iPhone 12–15 viewport) widths.
WIDTHS = ((1400, 900), (390, 844))


@pytest.mark.parametrize(("width", "height"), WIDTHS, ids=["desktop-1400", "phone-390"])
def test_report_renders_in_chromium_without_errors(built_report: Path, width: int, height: int) -> None:
    sync_playwright, exe = _browser()
    errors: list[str] = []
    with sync_playwright() as p:
        browser = _launch(p, exe)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.on("console", lambda m: errors.append(f"console.{m.type}: {m.text}") if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
            # a self-contained report makes no request other than the page itself
            requests: list[str] = []
            page.on("request", lambda r: requests.append(r.url))
            page.goto((built_report / "index.html").as_uri(), wait_until="load")
            page.wait_for_function("() => document.querySelectorAll('.plot.js-plotly-plot').length === "
                                   "document.querySelectorAll('.plot').length", timeout=60_000)

            shot = built_report / f"screenshot_{width}.png"
            page.screenshot(path=str(shot), full_page=False)
            assert shot.stat().st_size > 10_000

            # no horizontal scroll of the page (wide tables scroll inside themselves)
            sw, cw = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
            assert sw <= cw, f"the page is {sw} px wide in a {cw} px viewport"

            assert page.locator("#key-findings").count() == 1, "no key-findings block"
            assert page.locator("#paper-vs-ours").count() == 1, "no paper-vs-ours block"
            assert 5 <= page.locator("#key-findings li").count() <= 8

            # the title and the findings come first: the title is on the first screen, before the contents
            top = page.evaluate("() => [document.querySelector('h1').getBoundingClientRect().top, "
                                "document.querySelector('#key-findings').getBoundingClientRect().top, "
                                "document.querySelector('nav#toc').getBoundingClientRect().top]")
            assert top[0] < 200, f"the title starts {top[0]} px down"
            if width < 1100:  # the table of contents comes after the findings, folded
                assert top[1] < top[2]
                assert page.evaluate("() => !document.querySelector('nav#toc details').open")

            # every figure drawn, with data
            plots = page.eval_on_selector_all(
                ".plot", "els => els.map(e => [e.dataset.fig, !!e._fullLayout, (e.data || []).filter("
                         "t => (t.x && t.x.length) || (t.y && t.y.length)).length, e.getBoundingClientRect().width, "
                         "e.getBoundingClientRect().height, e.querySelectorAll('.main-svg').length])")
            assert len(plots) >= 15, f"only {len(plots)} figures"
            for fig, drawn, traces, w, h, svgs in plots:
                assert drawn and traces > 0 and w > 0 and h > 0 and svgs > 0, f"figure {fig} not drawn with data"
                assert w <= width, f"figure {fig} is {w} px wide"

            anchors = page.eval_on_selector_all("a[href^='#']", "els => els.map(e => e.getAttribute('href'))")
            assert len(anchors) >= 10, f"{len(anchors)} in-page links"
            dangling = sorted({a for a in anchors if page.locator(f"[id='{a[1:]}']").count() != 1})
            assert not dangling, f"links without a target: {dangling}"

            # key findings and paper-vs-ours come before the first study section
            order = page.eval_on_selector_all("main section[id]", "els => els.map(e => e.id)")
            assert order[:2] == ["key-findings", "paper-vs-ours"]

            # a table sorts on a click on its header
            th = page.locator("#paper-vs-ours table.sortable thead th").nth(2)
            th.click()
            assert th.get_attribute("aria-sort") == "ascending"
            assert [u for u in requests if not u.startswith(("file:", "data:"))] == []
        finally:
            browser.close()
    assert not errors, errors


def test_injected_model_name_renders_as_text() -> None:
    """A model name with markup from the data is shown as text, never executed."""
    sync_playwright, exe = _browser()
    from llmflation.report.numbers import render_table_html

    html = ("<!doctype html><meta charset=utf-8><body>"
            + render_table_html([{"model": "<script>window.pwned=1</script><b>x</b>", "price": 1.0}])
            + "</body>")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, headless=True,
                                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        try:
            page = browser.new_page()
            page.set_content(html)
            assert page.evaluate("() => window.pwned === undefined")
            assert "<script>window.pwned=1</script>" in page.inner_text("body")
        finally:
            browser.close()
