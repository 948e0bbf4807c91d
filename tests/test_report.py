"""The report as a study a reader can follow: structure of the HTML page (BeautifulSoup),
tables for people, escaping, failing sections, and byte-identical ``results.json``.

The same page is rendered in a real browser in ``tests/test_report_browser.py``.
"""

import ast
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from llmflation.report import build, sections
from llmflation.report.render import VISIBLE_ROWS, Section, Table
from llmflation.study.paper import REFERENCES

REPORT_DIR = Path(build.__file__).parent
#: The order of the study's argument (issue 15): data, trends, declines, premium, breaks, supply
#: side, market, society, forecasts, appendix, methods, sources.
ORDER = ["coverage", "trend", "decline", "threshold", "rates_since_cutoff", "anchors", "a16z", "premium",
         "cost_per_task", "breaks", "decomposition", "malmquist", "elasticity", "us_china", "concentration",
         "hedonic", "jevons", "baumol", "forecast", "robustness", "methods", "sources"]
SCIENTIFIC = re.compile(r"(?<![\w.])\d+(?:\.\d+)?[eE][+-]?\d+(?![\w.])")


@pytest.fixture(scope="module")
def full(tmp_path_factory, panel) -> tuple[Path, BeautifulSoup]:
    out = tmp_path_factory.mktemp("report")
    path = build.build_report(out, panel=panel, generated="GENERATED-AT")
    return out, BeautifulSoup(path.read_text(), "html.parser")


@pytest.mark.slow
def test_page_follows_the_study(full):
    out, soup = full
    assert soup.h1 and soup.select_one("header .abstract")
    abstract = soup.select_one("header .abstract").get_text()
    assert re.search(r"\d", abstract) and "[" in abstract  # generated from results, with intervals
    ids = [s["id"] for s in soup.select("main > section[id]")]
    assert ids[:2] == ["key-findings", "paper-vs-ours"]
    assert ids[2:] == ORDER
    # the table of contents links every section, in the same order
    toc = [a["href"][1:] for a in soup.select("nav#toc a[href^='#']")]
    assert toc == ids
    assert "GENERATED-AT" in soup.get_text()
    assert "Store: none" in soup.select_one("header").get_text()  # which snapshot and store were used


@pytest.mark.slow
def test_key_findings_are_sentences_with_numbers_intervals_and_links(full):
    _, soup = full
    items = soup.select("#key-findings li")
    assert 5 <= len(items) <= 8
    ids = {s["id"] for s in soup.select("main section[id]")}
    for li in items:
        text = li.get_text()
        assert re.search(r"\d", text), text
        assert "[" in text or "p = " in text, f"no interval or test: {text}"
        links = [a["href"][1:] for a in li.select("a[href^='#']")]
        assert links and all(x in ids for x in links), text


@pytest.mark.slow
def test_paper_vs_ours_has_both_specifications_and_a_reason(full):
    out, soup = full
    table = soup.select_one("#paper-vs-ours table")
    heads = [th.get_text() for th in table.select("thead th")]
    assert heads[:5] == ["claim", "paper", "ours, closest to the paper", "ours, defensible default", "why they differ"]
    rows = [[td.get_text() for td in tr.select("td")] for tr in table.select("tbody tr")]
    displays = {r.display() for r in REFERENCES.values()}
    assert len(rows) >= 8
    for r in rows[:8]:  # rows from paper_vs_ours(): both columns computed, a one-line reason
        assert r[1] in displays, r
        assert re.search(r"\d", r[2]) and re.search(r"\d", r[3]) and r[4], r
    res = json.loads((out / "results.json").read_text())
    assert {"claim", "paper_value", "ours_closest", "ours_default", "reason"} <= set(res["paper_vs_ours"][0])


@pytest.mark.slow
def test_every_section_has_a_figure_or_says_why(full):
    _, soup = full
    for s in soup.select("main > section[id]"):
        if s["id"] in ("key-findings", "paper-vs-ours"):
            continue
        assert s.select("figure img") or s.select_one(".no-figure"), f"{s['id']}: no figure and no reason"
        for fig in s.select("figure"):
            cap = fig.figcaption.get_text()
            assert "Source" in cap and len(cap) > 40, f"{s['id']}: caption must say what and from where"
            assert fig.img["src"].startswith("data:image/png;base64,")
    assert len(soup.select("main img")) >= 12


@pytest.mark.slow
def test_tables_are_for_people(full):
    out, soup = full
    for table in soup.select("main table"):
        if table.find_parent("details"):
            continue
        assert len(table.select("tbody tr")) <= VISIBLE_ROWS
    for d in soup.select("details"):
        link = d.select_one("summary a")
        assert link and (out / link["href"]).is_file()  # the full table as CSV
    for tag in soup(["script", "style"]):
        tag.decompose()
    text = soup.get_text(" ")
    hits = SCIENTIFIC.findall(text)
    assert not hits, f"scientific notation in the page: {hits[:5]}"


@pytest.mark.slow
def test_results_json_is_byte_identical_across_builds(full, tmp_path, panel):
    out, _ = full
    # a second build, sequential this time: neither the run nor the worker process changes a byte
    build.build_report(tmp_path, panel=panel, jobs=1)
    first, second = (out / "results.json").read_bytes(), (tmp_path / "results.json").read_bytes()
    assert first == second
    assert b"GENERATED-AT" not in first  # the wall clock is in index.html only
    assert sorted(p.name for p in (out / "tables").iterdir()) == sorted(p.name for p in (tmp_path / "tables").iterdir())


def test_report_escapes_untrusted_strings_and_survives_a_failing_section(tmp_path, panel):
    evil = "<script>alert('x')</script>"

    def hostile(inputs):
        return Section("hostile", "Hostile", tables=[Table("t", pd.DataFrame({"model": [evil], "p_value": [1e-300]}))],
                       no_figure="none")

    def broken(inputs):
        raise RuntimeError("boom <b>")

    specs = (sections.REPORT[0], sections.DataSpec("hostile", hostile), sections.Spec("broken", "Broken", broken))
    sub = panel[panel["source"] == "milestones"]
    path = build.build_report(tmp_path, panel=sub, sections=specs)
    html = path.read_text()
    assert evil not in html and "&lt;script&gt;" in html
    soup = BeautifulSoup(html, "html.parser")
    assert evil in soup.select_one("#hostile").get_text()  # shown as text
    assert "< 0.001" in soup.select_one("#hostile").get_text()
    assert "boom <b>" in soup.select_one("#broken").get_text()  # the failing section reports its error
    assert [s["id"] for s in soup.select("main > section[id]")] == ["key-findings", "paper-vs-ours", "coverage",
                                                                   "hostile", "broken"]
    assert "data:image/png;base64," in html  # figures are inlined (self-contained)
    res = json.loads((tmp_path / "results.json").read_text())
    assert res["sections"]["broken"]["error"].startswith("RuntimeError")
    assert res["inputs"]["store"] is None and res["inputs"]["snapshot_id"]
    assert (tmp_path / "tables").is_dir() and any((tmp_path / "tables").iterdir())
    assert "CC BY 4.0" in html
    # without the robustness section, paper vs ours says why it has one column
    assert "robustness section failed" in soup.select_one("#paper-vs-ours").get_text()


def test_sections_are_an_explicit_list_without_cycles_or_registries():
    ids = [s.id for s in sections.REPORT]
    assert ids == ORDER and len(ids) == len(set(ids))
    assert isinstance(sections.REPORT, tuple)
    for f in REPORT_DIR.glob("*.py"):
        tree = ast.parse(f.read_text())
        imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
        if f.stem != "build":
            assert "llmflation.report.build" not in imported, f"{f.name} imports build: a cycle"
        for node in tree.body:  # no module-level mutable containers (registries)
            if isinstance(node, (ast.Assign, ast.AnnAssign)) and isinstance(node.value, (ast.Dict, ast.List, ast.Set)):
                raise AssertionError(f"{f.name}:{node.lineno}: module-level mutable container")


def test_paper_column_comes_from_the_references():
    """Every published figure in the paper-vs-ours table is a Reference's own display (study/paper.py)."""
    for name in ("sections.py", "build.py", "figures.py"):
        src = (REPORT_DIR / name).read_text()
        for r in REFERENCES.values():
            if r.display() not in ("(not tested)", "(not in the paper)"):
                assert f'"{r.display()}"' not in src, f"{r.key}: typed in {name} instead of read from the result"
        for typed in ("103.7%", "4.11", "0.432", "63×", "4,558", "31.5×", "~600×", "1.10 y"):
            assert typed not in src, f"{typed} typed in {name}"
