"""The report rendered in a real browser: headless Debian Chromium driven by Playwright.

`.ci/run` installs Debian's ``chromium`` (the project's own set-up); where it cannot be
installed the test skips and says why. The structural checks of the same page run
everywhere in ``tests/test_report.py``.

Contract of the page checked here (the report builds it this way):
- ``nav#toc`` holds the table of contents; every ``a[href^="#"]`` resolves to an element.
- ``#key-findings`` and ``#paper-vs-ours`` are present, before the study's sections.
- every ``<img>`` is inline (``data:`` URI), loads, and has a non-zero rendered size.
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


def test_report_renders_in_chromium_without_errors(built_report: Path) -> None:
    sync_playwright, exe = _browser()
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=exe, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.on("console", lambda m: errors.append(f"console.{m.type}: {m.text}") if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
            # a self-contained report makes no request other than the page itself
            requests: list[str] = []
            page.on("request", lambda r: requests.append(r.url))
            page.goto((built_report / "index.html").as_uri(), wait_until="load")
            page.wait_for_timeout(200)

            shot = built_report / "screenshot_full.png"
            page.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 10_000

            assert page.locator("#key-findings").count() == 1, "no key-findings block"
            assert page.locator("#paper-vs-ours").count() == 1, "no paper-vs-ours block"
            assert page.locator("#key-findings li").count() >= 5, "fewer than five key findings"

            imgs = page.eval_on_selector_all(
                "img", "els => els.map(e => [e.getAttribute('src').slice(0, 11), e.complete, "
                       "e.naturalWidth, e.getBoundingClientRect().width, e.getBoundingClientRect().height, e.alt])")
            assert len(imgs) >= 10, f"only {len(imgs)} figures"
            for src, complete, natural_w, w, h, alt in imgs:
                assert src.startswith("data:image"), f"figure {alt!r} is not inline: {src}"
                assert complete and natural_w > 0 and w > 0 and h > 0, f"figure {alt!r} did not load"

            anchors = page.eval_on_selector_all("nav#toc a[href^='#']", "els => els.map(e => e.getAttribute('href'))")
            assert len(anchors) >= 10, f"table of contents has {len(anchors)} entries"
            dangling = [a for a in anchors if page.locator(f"[id='{a[1:]}']").count() != 1]
            assert not dangling, f"table-of-contents links without a target: {dangling}"

            # key findings and paper-vs-ours come before the first study section
            order = page.eval_on_selector_all(
                "#key-findings, #paper-vs-ours, main section[id]",
                "els => els.map(e => e.id)")
            assert order.index("key-findings") < order.index("paper-vs-ours") < len(order) - 1
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
