"""The HTML report: a study a reader can follow, self-contained (figures inlined), autoescaped,
plus ``results.json`` and CSV tables.

Order of the page: title, data vintage and an abstract generated from the results; key
findings (each linked to its section); the paper-vs-ours table; then the sections of the
explicit, ordered list :data:`llmflation.report.sections.REPORT`. A section whose analysis
fails is reported with the error instead of breaking the report. Everything is computed on
one :class:`~llmflation.study.inputs.StudyInputs` (the bundled snapshot merged with a
store's fetched history; the panel is built once), which the header and ``results.json``
name. ``results.json`` holds no wall-clock time: the same snapshot and store give the same
bytes (the ``generated`` time is printed in ``index.html`` only).
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from llmflation.report import numbers as nb
from llmflation.report import sections as report_sections
from llmflation.report.render import Claim, Finding, Section, Table, figure
from llmflation.report.sections import DataSpec, Spec
from llmflation.sources import bundled
from llmflation.study.inputs import StudyInputs
from llmflation.validate import dumps_strict


def _clean_notes(notes: Any) -> list[str]:
    return [nb.humanize(n) for n in (notes or ())]


def _tables(spec: Spec, res: Any) -> list[Table]:
    view = spec.view(res) if spec.view is not None else res.wide()
    if isinstance(view, pd.DataFrame):
        title = res.title if isinstance(getattr(res, "title", None), str) else spec.title
        return [Table(title, view)]
    return [Table(c, f) for c, f in view]


def _analysis_section(spec: Spec, inputs: StudyInputs) -> tuple[Section, list[Claim], Any, Finding | None]:
    res, claims = spec.run(inputs)
    s = Section(spec.id, spec.title, text=spec.text, no_figure=spec.no_figure)
    if spec.plot is not None:
        try:
            s.figures.append(figure(*spec.plot(res)))
        except Exception as exc:  # a figure that cannot be drawn says why; the numbers still show
            s.no_figure = f"The figure could not be drawn: {type(exc).__name__}: {exc}"
    elif not s.no_figure:
        s.no_figure = "No figure for this section."
    s.tables += _tables(spec, res)
    s.notes += _clean_notes(getattr(res, "notes", ()))
    if getattr(res, "vintage", None):
        s.notes.append(f"Data vintage: {res.vintage}")
    finding = None
    if spec.finding is not None:
        try:
            text = spec.finding(res)
            finding = Finding(spec.id, text) if text else None
        except Exception as exc:  # noqa: BLE001 - a finding that cannot be phrased is left out, and said
            s.notes.append(f"Key finding not computed: {type(exc).__name__}: {exc}")
    return s, claims, res, finding


# ----------------------------------------------------------------------- paper vs ours


def _fmt_unit(est: Any, lo: Any, hi: Any, unit: str) -> str:
    if unit == "years":
        return nb.est_ci(est, lo, hi, unit=" y", sig=2)
    if unit == "x":
        return nb.factor_ci(est, lo, hi)
    if unit == "F":
        return f"F = {nb.num(est)}"
    if unit == "HHI":
        return nb.est_ci(est, lo, hi, sig=4, ci_sig=4) if lo != hi else nb.num(est, 4)
    return nb.est_ci(est, lo, hi, ci_sig=3)


def _one_line(reason: str, limit: int = 120) -> str:
    """``differs in x, y: why …`` cut to its first clause (the full reason is in the CSV and results.json)."""
    head, _, why = str(reason).partition(": ")
    if why:
        for sep in ("; ", ". ", " ("):
            why = why.split(sep)[0]
    line = f"{head}: {why}" if why else head
    return line if len(line) <= limit else line[: limit - 1].rstrip(" ,;") + "…"


def _r2(rob: Any, claim: str, flag: str) -> str:
    t = rob.table
    m = t[(t["claim"] == claim) & t[flag]]
    if m.empty or "r_squared" not in m:
        return ""
    return f" (R² {nb.num(m['r_squared'].iloc[0], 2)})"


def paper_vs_ours(results: dict[str, Any], claims: list[Claim]) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """The paper-vs-ours table: (display frame, tidy frame for results.json, notes).

    Rows from :func:`llmflation.study.paper_vs_ours.paper_vs_ours` (paper figure, ours under the
    closest-to-paper specification and under the defensible default, each with its CI and a
    one-line reason) come first; the claims of sections not covered there follow, with ours
    under the one specification the section runs.
    """
    notes: list[str] = []
    rows: list[dict[str, str]] = []
    tidy = pd.DataFrame()
    covered: set[str] = set()
    rob = results.get("robustness")
    if rob is None:
        notes.append("Closest-to-paper and default columns not computed: the robustness section failed "
                     "(see its error below); every claim shows the one specification its section runs.")
    else:
        try:
            from llmflation.study.paper import ref
            from llmflation.study.paper_vs_ours import paper_vs_ours as pvo
            from llmflation.study.robustness import claim_info

            tidy = pvo(rob)
            for r in tidy.itertuples(index=False):
                key = claim_info(r.claim)["reference"]
                covered.add(key)
                closest = _fmt_unit(r.ours_closest, r.closest_conf_low, r.closest_conf_high, r.unit)
                default = _fmt_unit(r.ours_default, r.default_conf_low, r.default_conf_high, r.unit)
                if r.claim == "half_life_flagship":  # the paper reports only the fit's R²: show ours beside it
                    closest += _r2(rob, r.claim, "is_paper_closest")
                    default += _r2(rob, r.claim, "is_default")
                rows.append({"claim": ref(key).claim, "paper": r.paper_display,
                             "ours, closest to the paper": closest, "ours, defensible default": default,
                             "why they differ": _one_line(r.reason), "source": r.citation, "section": r.claim})
        except Exception as exc:  # noqa: BLE001 - missing or failing: say why, never type numbers
            notes.append(f"paper_vs_ours() could not be used ({type(exc).__name__}: {exc}); every claim shows "
                         "the one specification its section runs.")
    # the paper's own figures first, then the anchors (Epoch AI, a16z, AI Index), then our additions
    rest = sorted((c for c in claims if not (c.key and c.key in covered)),
                  key=lambda c: (not c.key.startswith(("du2026", "zhu2026")), not c.key))
    for c in rest:
        rows.append({"claim": c.claim, "paper": c.paper, "ours, closest to the paper": "(one specification)",
                     "ours, defensible default": c.ours, "why they differ": c.definition, "source": c.source,
                     "section": ""})
    display = pd.DataFrame(rows, columns=["claim", "paper", "ours, closest to the paper", "ours, defensible default",
                                          "why they differ", "source"])
    return display, tidy, notes


def _inside(tidy: pd.DataFrame) -> tuple[int, int]:
    """How many paper figures fall inside our closest-to-paper interval, of those that can be checked."""
    n = k = 0
    for r in tidy.itertuples(index=False):
        pv, lo, hi = (float(x) for x in (r.paper_value, r.closest_conf_low, r.closest_conf_high))
        if not any(math.isnan(x) for x in (pv, lo, hi)) and lo != hi:
            n += 1
            k += int(lo <= pv <= hi)
    return k, n


def _abstract(inputs: StudyInputs, findings: list[Finding], tidy: pd.DataFrame) -> str:
    panel = inputs.panel()
    parts = [f"This report reproduces and tests published claims about the price of LLM tokens on "
             f"{nb.num(len(panel), 6)} dated price intervals of {nb.num(panel['model_id'].nunique(), 6)} models "
             f"({pd.Timestamp(panel['valid_from'].min()).date()} to {pd.Timestamp(panel['valid_to'].max()).date()})."]
    parts += [f.text for f in findings[:3]]
    if len(tidy):
        k, n = _inside(tidy)
        if n:
            parts.append(f"Of {n} published figures with an interval to compare, {k} fall inside our 95% interval "
                         "under the specification closest to the paper's; the table below shows both "
                         "specifications and why they differ.")
    return " ".join(parts)


# ----------------------------------------------------------------------- running the sections

#: Sections run in the worker process when ``jobs > 1``: together about as long as the rest.
OFFLOAD = ("robustness", "jevons")

Outcome = tuple[Section, list[Claim], Any, "Finding | None"]


def _run_spec(spec: DataSpec | Spec, inputs: StudyInputs) -> Outcome:
    try:
        if isinstance(spec, DataSpec):
            return spec.run(inputs), [], None, None
        return _analysis_section(spec, inputs)
    except Exception as exc:  # a failing analysis must not hide the rest of the report
        title = getattr(spec, "title", spec.id.replace("_", " ").title())
        return (Section(spec.id, title, error=f"{type(exc).__name__}: {exc}",
                        no_figure="No figure: the analysis failed."), [], None, None)


def _run_all(sections: Sequence[DataSpec | Spec], inputs: StudyInputs,
             progress: Callable[[str], None] | None, jobs: int) -> list[Outcome]:
    """Every section's outcome, in order; with ``jobs > 1`` the :data:`OFFLOAD` ones in a forked worker."""
    import multiprocessing as mp

    try:
        inputs.panel()  # built once; a forked worker inherits it
    except Exception:  # noqa: BLE001 - each section then reports the error itself
        remote_ok = False
    else:
        remote_ok = True
    remote = [i for i, s in enumerate(sections) if s.id in OFFLOAD] if jobs > 1 and remote_ok else []
    if remote and "fork" not in mp.get_all_start_methods():
        remote = []
    out: list[Outcome | None] = [None] * len(sections)
    proc = conn = None
    if remote:
        ctx = mp.get_context("fork")
        conn, child = ctx.Pipe(duplex=False)

        def work() -> None:  # runs in the fork: the specs (lambdas included) are not pickled
            child.send([_run_spec(sections[i], inputs) for i in remote])
            child.close()

        proc = ctx.Process(target=work, daemon=True)
        proc.start()
        child.close()
    for i, spec in enumerate(sections):
        if i in remote:
            continue
        if progress:
            progress(spec.id)
        out[i] = _run_spec(spec, inputs)
    if proc is not None and conn is not None:
        if progress:
            progress(", ".join(sections[i].id for i in remote))
        try:
            got = conn.recv()
        except (EOFError, OSError):  # the worker died: run its sections here
            got = [_run_spec(sections[i], inputs) for i in remote]
        proc.join()
        for i, o in zip(remote, got, strict=True):
            out[i] = o
    return [o for o in out if o is not None]


# ----------------------------------------------------------------------- build


def build_report(out: str | Path, *, inputs: StudyInputs | None = None, store: str | Path | None = None,
                 panel: pd.DataFrame | None = None, sections: Sequence[DataSpec | Spec] | None = None,
                 progress: Callable[[str], None] | None = None, generated: str | None = None,
                 jobs: int = 2) -> Path:
    """Write ``index.html``, ``results.json`` and CSV tables (``tables/``) into ``out``.

    Parameters
    ----------
    inputs : StudyInputs, optional
        The data (default: the bundle, merged with ``store`` when given).
    store : str or Path, optional
        A store written by ``llmflation fetch`` (ignored when ``inputs`` is given).
    panel : DataFrame, optional
        Use this panel instead of building one (tests).
    sections : sequence of Spec, optional
        The sections, in order (default :data:`~llmflation.report.sections.REPORT`).
    generated : str, optional
        The "generated" time printed in ``index.html`` (default: now); never in ``results.json``.
    jobs : int
        2 runs the heaviest sections (:data:`OFFLOAD`) in one forked worker process while the
        others run here (the panel is built once, before the fork); 1 runs everything here.
        The output is the same either way.

    Examples
    --------
    >>> import tempfile
    >>> p = build_report(tempfile.mkdtemp())  # doctest: +SKIP
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    inputs = inputs if inputs is not None else StudyInputs(store, panel=panel)
    sections = report_sections.REPORT if sections is None else sections
    built: list[Section] = []
    claims: list[Claim] = []
    findings: list[Finding] = []
    results: dict[str, Any] = {}
    for spec, (s, c, res, f) in zip(sections, _run_all(sections, inputs, progress, jobs), strict=True):
        built.append(s)
        claims += c
        if res is not None:
            results[spec.id] = res
        if f is not None:
            findings.append(f)
    pvo_display, pvo_tidy, pvo_notes = paper_vs_ours(results, claims)
    pvo = Section("paper-vs-ours", "Paper vs ours",
                  text="Each published figure (Du 2026, Zhu 2026 and the anchors) beside ours under the "
                       "specification closest to what the paper most likely did and under the defensible default "
                       "(95% CI in brackets), with the reason they differ. Published figures are references from "
                       "llmflation.study.paper; ours are computed in this run.",
                  tables=[Table("", pvo_display)], notes=pvo_notes)
    provenance = inputs.provenance()
    abstract = _abstract(inputs, findings, pvo_tidy)

    tables_dir = out / "tables"
    tables_dir.mkdir(exist_ok=True)
    csv_of: dict[int, str] = {}
    for s in [pvo, *built]:
        for i, t in enumerate(s.tables):
            name = f"{s.id.replace('-', '_')}_{i}.csv"
            t.frame.to_csv(tables_dir / name, index=False)
            csv_of[id(t)] = f"tables/{name}"

    def render(s: Section) -> dict[str, Any]:
        return {**s.__dict__, "text": nb.humanize(s.text), "notes": [nb.humanize(n) for n in s.notes],
                "tables": [Markup(t.html(csv_of[id(t)])) for t in s.tables]}  # noqa: S704 - escaped in numbers.py

    titles = {s.id: s.title for s in built}
    env = Environment(loader=PackageLoader("llmflation.report", "templates"), autoescape=select_autoescape(["html", "j2"]))
    html = env.get_template("report.html.j2").render(
        sections=[render(s) for s in built], paper_vs_ours=render(pvo), abstract=abstract,
        findings=[{"section": f.section, "title": titles.get(f.section, f.section), "text": f.text} for f in findings],
        generated=generated if generated is not None else time.strftime("%Y-%m-%d %H:%M"),
        vintage=provenance["bundled"], snapshot_id=provenance["snapshot_id"], provenance=provenance,
        describe=inputs.describe(), attribution=bundled.ATTRIBUTION)
    (out / "index.html").write_text(html)

    doc: dict[str, Any] = {"vintage": bundled.vintage(), "inputs": provenance, "abstract": abstract,
                           "key_findings": [f.__dict__ for f in findings],
                           "paper_vs_ours": json.loads(pvo_tidy.to_json(orient="records", date_format="iso"))
                           if len(pvo_tidy) else [],
                           "sections": {}}
    for s in [pvo, *built]:
        doc["sections"][s.id] = {"title": s.title, "error": s.error, "notes": s.notes,
                                 "figures": [f["alt"] for f in s.figures],
                                 "tables": {t.caption or f"table {i}": json.loads(t.frame.to_json(orient="records",
                                                                                                  date_format="iso"))
                                            for i, t in enumerate(s.tables)}}
    # strict JSON: an infinite or undefined number is null, never NaN/Infinity (strict parsers reject those)
    (out / "results.json").write_text(dumps_strict(doc, indent=1))
    return out / "index.html"
