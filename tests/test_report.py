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

from llmflation.report import build, claims, sections
from llmflation.report import numbers as nb
from llmflation.report.claims import VERDICTS
from llmflation.report.render import VISIBLE_ROWS, Section, Table
from llmflation.study.paper import REFERENCES

REPORT_DIR = Path(build.__file__).parent
#: The order of the study's argument (issues 15, 20): the headline index, data, the paper's claims
#: (tiers, decline, premium per token and per task, the break), the articles' anchors, supply side,
#: market, society, forecasts, appendix, methods, glossary, sources.
ORDER = ["headline", "coverage", "trend", "decline", "premium", "cost_per_task", "breaks", "threshold",
         "rates_since_cutoff", "anchors", "a16z", "decomposition", "malmquist", "elasticity", "us_china",
         "concentration", "hedonic", "jevons", "baumol", "forecast", "robustness", "methods", "glossary", "sources"]
SCIENTIFIC = re.compile(r"(?<![\w.])\d+(?:\.\d+)?[eE][+-]?\d+(?![\w.])")
SNAKE = re.compile(r"^[a-z0-9]+(_[a-z0-9]+)+$")
CODE_NAMES = ("release_date_trusted", "assign_tiers", "lf.", "PAPERS.md", "llmflation.study")


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
    # the table of contents links every section, in the same order, and folds (a <details>)
    toc = [a["href"][1:] for a in soup.select("nav#toc a[href^='#']")]
    assert toc == ids
    assert soup.select_one("nav#toc details summary")
    assert "GENERATED-AT" in soup.get_text()
    header = soup.select_one("header").get_text()
    assert "Store: none" in header  # which snapshot and store were used
    assert "1913" not in header  # the data range is the price data's, not the CPI's
    res = json.loads((out / "results.json").read_text())
    assert "1913" not in res["vintage"] and "1913" not in res["inputs"]["bundled"]
    # the title states the main finding: a computed claim, not typed text
    assert soup.h1.select_one("span.claim[data-claim]") is not None


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
def test_paper_vs_ours_has_a_verdict_and_a_reason_per_claim(full):
    out, soup = full
    tables = soup.select("#paper-vs-ours table")
    assert len(tables) >= 2  # the paper's claims, then the articles'
    heads = [th.get_text() for th in tables[0].select("thead th")]
    assert heads[:5] == ["claim", "paper", "ours", "ours under the paper's likely specification", "verdict"]
    rows = [[td.get_text() for td in tr.select("td")] for t in tables for tr in t.select("tbody tr")]
    displays = {nb.humanize(r.display()) for r in REFERENCES.values()}
    assert len(rows) >= 12
    for r in rows:
        assert r[1] in displays, r  # the published figure as published (study/paper.py)
        assert r[4] in VERDICTS, r
        assert r[5], r  # a reason
        if r[4] == VERDICTS[1]:  # names the choice that moves the number, with both numbers
            assert " instead of " in r[5] and " vs " in r[5], r
    # the paper's claims and the articles' claims are both there
    text = soup.select_one("#paper-vs-ours").get_text()
    for must in ("Economy-tier half-life", "Reasoning premium", "Chow", "Total decline", "Epoch", "a16z", "GPT-3.5"):
        assert must in text, must
    res = json.loads((out / "results.json").read_text())
    assert {"claim", "paper", "ours", "verdict", "reason", "ours_closest", "fragility"} <= set(res["paper_vs_ours"][0])
    assert (out / "tables" / "paper_vs_ours.csv").is_file()


@pytest.mark.slow
def test_one_number_per_claim(full):
    """Every place that prints a claim (title, abstract, key findings, paper vs ours, its section, figure
    captions) prints the same text, and it is the one in results.json."""
    out, soup = full
    res = json.loads((out / "results.json").read_text())
    claims = res["claims"]
    seen: dict[str, set[str]] = {}
    where: dict[str, set[str]] = {}
    for span in soup.select("span.claim[data-claim]"):
        cid = span["data-claim"]
        seen.setdefault(cid, set()).add(span.get_text())
        place = span.find_parent(["header", "section", "figcaption"])
        where.setdefault(cid, set()).add(place.name if place.name != "section" else place.get("id", ""))
    assert seen, "no claim is marked in the page"
    for cid, texts in seen.items():
        assert cid in claims, f"{cid}: shown in the page but not in results.json"
        assert texts == {claims[cid]["display"]}, f"{cid}: {texts} in the page, {claims[cid]['display']!r} in JSON"
    # the headlines appear in several places, always the same number
    for cid in ("headline_index", "half_life_economy", "reasoning_premium", "chow"):
        assert len(where.get(cid, ())) >= 3, (cid, where.get(cid))
    # results.json's own texts carry the same numbers
    for f in res["key_findings"]:
        assert f["text"] and f["fragility"], f
    texts = " ".join([res["title"], res["abstract"], *(f["text"] for f in res["key_findings"])])
    for cid in ("headline_index", "half_life_economy", "reasoning_premium"):
        assert claims[cid]["display"] in texts, cid
    for row in res["paper_vs_ours"]:
        assert row["ours"] == claims[row["claim_id"]]["display"]


def test_one_number_test_fails_on_two_numbers(tmp_path):
    """The check above would catch a claim printed twice with different numbers."""
    soup = BeautifulSoup('<header><span class="claim" data-claim="x">1.1 y</span></header>'
                         '<section id="s"><span class="claim" data-claim="x">1.2 y</span></section>', "html.parser")
    texts = {s.get_text() for s in soup.select("span.claim[data-claim='x']")}
    assert len(texts) == 2


@pytest.mark.slow
def test_every_section_has_a_figure_or_says_why(full):
    out, soup = full
    numbers = []
    for s in soup.select("main > section[id]"):
        if s["id"] in ("key-findings", "paper-vs-ours"):
            continue
        assert s.select("figure .plot") or s.select_one(".no-figure"), f"{s['id']}: no figure and no reason"
        for fig in s.select("figure"):
            cap = fig.figcaption.get_text()
            assert "Source" in cap and len(cap) > 40, f"{s['id']}: caption must say what and from where"
            m = re.match(r"Figure (\d+)\.", cap)
            assert m, cap
            numbers.append(int(m.group(1)))
            spec = json.loads(fig.select_one("script[type='application/json']").string)
            assert spec["data"] and any(t.get("x") or t.get("y") for t in spec["data"]), f"{s['id']}: empty figure"
            for name, ax in spec["layout"].items():  # every axis with tick labels is labelled (units in the label)
                if re.fullmatch(r"[xy]axis\d*", name) and ax.get("showticklabels", True) and ax.get("visible", True):
                    assert ax["title"]["text"], f"{s['id']}: unlabelled {name}"
            if spec["layout"]["yaxis"].get("type") == "log":  # readable ticks: several, in plain numbers
                assert len(spec["layout"]["yaxis"]["tickvals"]) >= 3, s["id"]
            png = fig.figcaption.select_one("a[href$='.png']")
            assert png and (out / png["href"]).is_file()  # the static export
    assert numbers == list(range(1, len(numbers) + 1)) and len(numbers) >= 15  # numbered once, in order
    # the Plotly bundle is inlined once, nothing is loaded from the network
    scripts = soup.select("script:not([type])")
    bundles = [s for s in scripts if len(s.string or "") > 1_000_000]
    assert len(bundles) == 1 and "plotly" in bundles[0].string[:3000].lower()
    assert not soup.select("script[src]") and not soup.select("link[href^='http']")


@pytest.mark.slow
def test_tables_are_for_people(full):
    out, soup = full
    for table in soup.select("main table"):
        assert "sortable" in table.get("class", [])
        heads = [th.get_text() for th in table.select("thead th")]
        snake = [h for h in heads if SNAKE.match(h)]
        assert not snake, f"snake_case headers: {snake}"
        if table.find_parent("details"):
            continue
        assert len(table.select("tbody tr")) <= VISIBLE_ROWS
        cols = len(heads)
        for j in range(cols):  # no empty column
            cells = [tr.select("td")[j].get_text().strip() for tr in table.select("tbody tr") if len(tr.select("td")) > j]
            assert any(cells), f"empty column {heads[j]!r} in {table.caption.get_text() if table.caption else ''}"
    for d in soup.select("details:not(.notes)"):
        if d.find_parent("nav"):
            continue
        link = d.select_one("summary a")
        assert link and (out / link["href"]).is_file()  # the full table as CSV
    for tag in soup(["script", "style"]):
        tag.decompose()
    text = soup.get_text(" ")
    hits = SCIENTIFIC.findall(text)
    assert not hits, f"scientific notation in the page: {hits[:5]}"
    assert "^" not in text, "a caret exponent in the page"
    assert not re.search(r"(?<![\w\-])-\d", text), "a hyphen used as a minus sign"
    for name in CODE_NAMES:
        assert name not in text, f"code name in the prose: {name}"


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

    coverage = next(s for s in sections.REPORT if s.id == "coverage")
    specs = (coverage, sections.DataSpec("hostile", hostile), sections.Spec("broken", "Broken", broken))
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
    assert 'class="plot"' in html and "Plotly.newPlot" in html  # figures and their JavaScript are inlined
    res = json.loads((tmp_path / "results.json").read_text())
    assert res["sections"]["broken"]["error"].startswith("RuntimeError")
    assert res["inputs"]["store"] is None and res["inputs"]["snapshot_id"]
    assert (tmp_path / "tables").is_dir() and any((tmp_path / "tables").iterdir())
    assert "CC BY 4.0" in html
    # without the robustness section, paper vs ours says why it has one column
    assert "robustness section failed" in soup.select_one("#paper-vs-ours").get_text()
    # a claim whose section did not run is said so in a template, never invented
    assert "(not computed)" in claims.render_text("{nope}", {})


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


def test_one_blas_thread_inside_and_restored_after(monkeypatch):
    import ctypes
    import os

    import numpy  # noqa: F401 - its OpenBLAS is loaded

    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    paths = sorted({ln.split()[-1] for ln in open("/proc/self/maps") if "openblas64" in ln and ".so" in ln}) \
        if Path("/proc/self/maps").exists() else []
    get = getattr(ctypes.CDLL(paths[0]), "scipy_openblas_get_num_threads64_", None) if paths else None
    before = get() if get else None
    with build.one_blas_thread():
        assert os.environ["OPENBLAS_NUM_THREADS"] == "1"
        if get:
            assert get() == 1
    assert "OPENBLAS_NUM_THREADS" not in os.environ
    if get:
        assert get() == before


def test_an_outcome_the_worker_cannot_send_is_computed_here(tmp_path, panel):
    import time

    def slow(inputs):  # the first in the queue: this process takes it while the worker starts
        time.sleep(1.0)
        return Section("slow", "Slow", no_figure="none")

    def odd(inputs):  # a frame whose attrs hold a lambda cannot be pickled back from the worker
        frame = pd.DataFrame({"x": [1]})
        frame.attrs["f"] = lambda: 0
        return Section("odd", "Odd", tables=[Table("t", frame)], no_figure="none")

    specs = (sections.DataSpec("slow", slow), sections.DataSpec("odd", odd))
    path = build.build_report(tmp_path, panel=panel[panel["source"] == "milestones"], sections=specs, jobs=2,
                              static=False)
    soup = BeautifulSoup(path.read_text(), "html.parser")
    assert [s["id"] for s in soup.select("main > section[id]")][-2:] == ["slow", "odd"]
