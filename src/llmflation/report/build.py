"""The HTML report: a study a reader can follow, self-contained (figures and their JavaScript
inlined), autoescaped, plus ``results.json``, CSV tables and static PNG figures.

Order of the page: a title stating the main finding, the data, an abstract and five to
eight key findings (each with how fragile it is, linked to its section); the paper-vs-ours
table with a verdict per published figure; then the sections of the explicit, ordered
list :data:`llmflation.report.sections.REPORT`. A section whose analysis fails is reported
with the error instead of breaking the report.

**One number per claim.** Sections return :class:`~llmflation.report.claims.Claim` objects;
after every section has run, each claim gets its estimate under the paper's likely
specification and its fragility from the robustness result, once. The title, abstract,
key findings, paper-vs-ours, the section's list of headlines, figure captions and
``results.json`` all print :attr:`Claim.display` (in the page, inside
``<span class="claim" data-claim="…">``).

Everything is computed on one :class:`~llmflation.study.inputs.StudyInputs`, which the
header and ``results.json`` name. ``results.json`` holds no wall-clock time: the same
snapshot and store give the same bytes (the ``generated`` time is in ``index.html`` only).
"""

from __future__ import annotations

import contextlib
import json
import math
import re
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from html import escape
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from llmflation.report import claims as cl
from llmflation.report import numbers as nb
from llmflation.report import sections as report_sections
from llmflation.report.claims import Claim
from llmflation.report.figures import plotly_js
from llmflation.report.render import Finding, Section, Table, plain
from llmflation.report.sections import DataSpec, Spec
from llmflation.sources import bundled
from llmflation.study.inputs import StudyInputs
from llmflation.validate import dumps_strict

#: Sections whose finding is a key finding at the top, in this order (the others stay in their section).
KEY_FINDINGS: tuple[str, ...] = ("headline", "trend", "decline", "premium", "breaks", "a16z", "baumol",
                                 "concentration")
#: Robustness claims (study/robustness.py) behind the report's claims.
ROBUSTNESS_OF: Mapping[str, str] = MappingProxyType({"half_life_economy": "half_life_economy", "half_life_mid": "half_life_mid",
                                 "half_life_flagship": "half_life_flagship", "total_decline": "total_decline",
                                 "total_decline_endpoint": "total_decline", "reasoning_premium": "reasoning_premium",
                                 "chow": "chow", "hedonic_rate": "hedonic_vs_matched", "hhi": "hhi"})
#: The robustness term of each claim's default estimate.
ROBUSTNESS_TERM: Mapping[str, str] = MappingProxyType({"half_life_economy": "half_life_years", "half_life_mid": "half_life_years",
                                   "half_life_flagship": "half_life_years", "total_decline": "factor",
                                   "reasoning_premium": "regression", "chow": "chow_F",
                                   "hedonic_vs_matched": "hedonic", "hhi": "hhi_latest"})


def _analysis_section(spec: Spec, inputs: StudyInputs) -> tuple[Section, list[Claim], Any, Finding | None]:
    res, claims = spec.run(inputs)
    s = Section(spec.id, spec.title, text=spec.text, no_figure=spec.no_figure, claims=[c.id for c in claims])
    if spec.plot is not None:
        try:
            s.figures.append(spec.plot(res, inputs.panel()) if spec.plot_panel else spec.plot(res))  # type: ignore[call-arg]
        except Exception as exc:  # a figure that cannot be drawn says why; the numbers still show
            s.no_figure = f"The figure could not be drawn: {type(exc).__name__}: {exc}"
    elif not s.no_figure:
        s.no_figure = "No figure for this section."
    view = spec.view(res) if spec.view is not None else res.wide()
    if isinstance(view, pd.DataFrame):
        title = res.title if isinstance(getattr(res, "title", None), str) else spec.title
        s.tables.append(Table(title, view))
    else:
        s.tables += [Table(c, f) for c, f in view]
    s.notes += [str(n) for n in (getattr(res, "notes", ()) or ())]
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


# ----------------------------------------------------------------------- claims × robustness


def _spec_words(info: dict[str, Any]) -> str:
    """What the paper-closest specification changes, in words: ``tiers: price band instead of positioning``."""
    d, p = info.get("default", {}), info.get("paper_closest", {})
    out = []
    for k in p:
        if d.get(k) != p.get(k):
            dv = "all data" if d.get(k) is None else str(d.get(k))
            out.append(f"{k.replace('_', ' ')}: {str(p[k]).replace('_', ' ')} instead of {dv.replace('_', ' ')}")
    return "; ".join(out) or "the same specification"


def _fragility(c: Claim, rob: Any, ranges: pd.DataFrame | None = None) -> str:
    """One clause on how fragile ``c`` is: its range over the specification grid and the fewest models
    that move it (robustness), else what its own interval says. ``ranges``: ``rob.ranges()`` computed once."""
    parts: list[str] = []
    rc = ROBUSTNESS_OF.get(c.id)
    if rob is not None and rc is not None:
        try:
            term = ROBUSTNESS_TERM.get(rc)
            r = rob.ranges() if ranges is None else ranges
            r = r[(r["claim"] == rc) & ((r["term"] == term) if term else True)]
            if len(r):
                row = r.iloc[0]
                parts.append(f"{cl.fmt(row['low'], unit=c.unit)} to {cl.fmt(row['high'], unit=c.unit)} over "
                             f"{nb.count(row['n_specs'])} specifications")
            infl = rob.influence
            m = infl[infl["claim"] == rc] if "claim" in infl else infl.iloc[0:0]
            if len(m) and pd.notna(m["n_removed"].iloc[0]):
                k = int(m["n_removed"].iloc[0])
                what = str(m["target"].iloc[0])
                if "flips" in what:
                    parts.append(f"loses significance at 5% without {k} model{'s' if k != 1 else ''}")
                else:
                    parts.append(f"halves or doubles without {k} model{'s' if k != 1 else ''}")
        except Exception:  # noqa: BLE001 - a robustness result of another shape: fall back to the interval
            parts = []
    if parts:
        return "; ".join(parts)
    if c.status != "estimated":
        return f"not estimable: {plain(c.reason)[:140]}" if c.reason else "not estimable on this data"
    lo, hi = c.conf_low, c.conf_high
    if math.isfinite(lo) and math.isfinite(hi):
        null = 1.0 if c.unit in ("x", "") and lo > 0 else 0.0
        if c.unit == "x" and lo > 0 and hi / lo > 100:
            return "interval spans more than two orders of magnitude"
        if lo <= null <= hi and c.unit in ("x", ""):
            return "the interval includes no change"
        return f"95% interval {nb.ci(lo, hi)}" + (f", n = {nb.count(c.n)}" if c.n else "")
    if c.n:
        return f"one specification, no interval, n = {nb.count(c.n)}"
    return "one specification, no interval"


def enrich(claims: list[Claim], results: dict[str, Any]) -> dict[str, Claim]:
    """Each claim once, with its estimate under the paper's likely specification and its fragility."""
    rob = results.get("robustness")
    closest: dict[str, dict[str, Any]] = {}
    if rob is not None:
        try:
            from llmflation.study.paper_vs_ours import paper_vs_ours as pvo
            from llmflation.study.robustness import claim_info

            for r in pvo(rob).itertuples(index=False):
                closest[str(r.claim)] = {"closest": float(r.ours_closest), "closest_low": float(r.closest_conf_low),
                                         "closest_high": float(r.closest_conf_high),
                                         "closest_spec": _spec_words(claim_info(str(r.claim)))}
        except Exception:  # noqa: BLE001 - without it each claim shows its one specification
            closest = {}
    out: dict[str, Claim] = {}
    for c in claims:
        rc = ROBUSTNESS_OF.get(c.id)
        extra = closest.get(rc, {}) if rc and c.reference_key else {}
        out[c.id] = cl.with_(c, **extra)
    try:
        ranges = rob.ranges() if rob is not None else None
    except Exception:  # noqa: BLE001 - a robustness result of another shape: _fragility falls back
        ranges = None
    for cid, c in out.items():
        out[cid] = cl.with_(c, fragility=c.fragility or _fragility(c, rob, ranges))  # a section's own clause first
    return out


# ----------------------------------------------------------------------- HTML pieces


def claims_list_html(ids: Sequence[str], claims: dict[str, Claim]) -> str:
    """A section's headlines: title, the one number, n and verdict."""
    items = []
    for i in ids:
        c = claims.get(i)
        if c is None:
            continue
        bits = [f"<b>{escape(c.title)}</b>: {c.span()}"]
        if c.n and c.unit != "count":
            bits.append(f" <span class='muted'>(n = {escape(nb.count(c.n))})</span>")
        if c.verdict:
            bits.append(f" <span class='verdict v{cl.VERDICTS.index(c.verdict)}'>{escape(c.verdict)}</span>")
        if c.status != "estimated" and c.reason:
            bits.append(f" <span class='muted'>{escape(plain(c.reason)[:300])}</span>")
        items.append("<li>" + "".join(bits) + "</li>")
    return f"<ul class='claims'>{''.join(items)}</ul>" if items else ""


PVO_COLUMNS = ("claim", "paper", "ours", "ours under the paper's likely specification", "verdict",
               "why (the choice that moves the number)", "source")


#: Groups of the paper-vs-ours table (each at most about a dozen rows): sections → caption.
PVO_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("The paper's price claims (Du 2026; Zhu 2026 for the indices)",
     ("headline", "trend", "decline", "premium", "cost_per_task", "breaks", "hedonic")),
    ("The paper's supply-side and market claims (Du 2026)",
     ("decomposition", "malmquist", "elasticity", "us_china", "concentration")),
)


def _pvo_table(rows: list[Claim], caption: str) -> str:
    head = "".join(f"<th class='t' scope='col'>{escape(h)}</th>" for h in PVO_COLUMNS)
    body = []
    for c in rows:
        v = cl.VERDICTS.index(c.verdict)
        body.append("<tr>" + "".join((
            f"<td class='t'><a href='#{escape(c.section)}'>{escape(c.title)}</a></td>",
            f"<td class='t'>{escape(plain(c.paper_display))}</td>",
            f"<td class='t nw'>{c.span()}</td>",
            f"<td class='t nw'>{escape(c.closest_display or '—')}</td>",
            f"<td class='t'><span class='verdict v{v}'>{escape(c.verdict)}</span></td>",
            f"<td class='t'>{escape(plain(c.verdict_reason))}</td>",
            f"<td class='t'>{escape(c.citation)}</td>")) + "</tr>")
    return (f"<div class='tablewrap'><table class='sortable pvo'><caption>{escape(caption)}</caption>"
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>")


def paper_vs_ours_html(claims: dict[str, Claim], titles: dict[str, str]) -> tuple[str, pd.DataFrame]:
    """The paper-vs-ours tables (HTML with claim spans, sortable; grouped by :data:`PVO_GROUPS`, the
    articles' claims last) and one tidy frame for the CSV."""
    rows = [c for c in claims.values() if c.verdict]
    groups: list[tuple[str, list[Claim]]] = []
    used: set[str] = set()
    for caption, secs in PVO_GROUPS:
        g = [c for c in rows if c.section in secs]
        used |= {c.id for c in g}
        groups.append((caption, g))
    groups.append(("The articles' anchors and other published figures (Epoch AI, a16z, Stanford AI Index, NBER)",
                   [c for c in rows if c.id not in used]))
    html = "".join(_pvo_table(g, caption) for caption, g in groups if g)
    ordered = [c for _, g in groups for c in g]
    tidy = pd.DataFrame([{"claim_id": c.id, "claim": c.title, "paper": c.paper_display, "paper_value": c.paper_value,
                          "ours": c.display, "estimate": c.estimate, "conf_low": c.conf_low, "conf_high": c.conf_high,
                          "n": c.n, "status": c.status, "ours_closest": c.closest_display,
                          "closest_estimate": c.closest, "closest_spec": c.closest_spec, "verdict": c.verdict,
                          "reason": c.verdict_reason, "fragility": c.fragility, "source": c.citation,
                          "section": titles.get(c.section, c.section)} for c in ordered])
    return html, tidy


def _verdict_counts(claims: dict[str, Claim]) -> str:
    counts = {v: sum(1 for c in claims.values() if c.verdict == v) for v in cl.VERDICTS}
    n = sum(counts.values())
    if not n:
        return ""
    def are(k: int) -> str:
        return f"{k} {'is' if k == 1 else 'are'}"

    words = [f"{are(counts[cl.VERDICTS[0]])} reproduced within our interval",
             f"{counts[cl.VERDICTS[1]]} only under the paper's likely specification",
             f"{are(counts[cl.VERDICTS[2]])} not reproduced",
             f"{are(counts[cl.VERDICTS[3]])} not comparable (a different concept, or not estimable here)"]
    return (f"Of {n} published figures checked, " + ", ".join(words[:-1]) + " and " + words[-1]
            + ": see the paper-vs-ours table.")


def _price_range(inputs: StudyInputs) -> tuple[str, str]:
    p = inputs.panel()
    return str(pd.Timestamp(p["valid_from"].min()).date()), str(pd.Timestamp(p["valid_to"].max()).date())


def _title(claims: dict[str, Claim]) -> str:
    h = claims.get("headline_index")
    if h is not None and h.status == "estimated":
        return "At constant capability, LLM token prices fall {headline_index} a year"
    if "half_life_economy" in claims:
        return "LLM token prices: economy-tier prices halve every {half_life_economy}"
    return "llmflation: the economics of LLM token prices"


def _abstract(inputs: StudyInputs, claims: dict[str, Claim]) -> str:
    try:
        p = inputs.panel()
        a, b = _price_range(inputs)
        lead = (f"This report tests published claims about the price of LLM tokens on {nb.count(len(p))} dated "
                f"price intervals of {nb.count(p['model_id'].nunique())} models ({a} to {b}). ")
    except Exception:  # noqa: BLE001
        lead = "This report tests published claims about the price of LLM tokens. "
    parts = [lead]
    if "headline_index" in claims:
        parts.append("Holding capability fixed, prices fall {headline_index} a year. ")
    if "half_life_economy" in claims:
        def halve(tier: str) -> str:
            c = claims.get(f"half_life_{tier}")
            if c is not None and c.status != "estimated":
                return f"the {tier}-tier half-life is {{half_life_{tier}}}"
            return f"{tier}-tier prices halve every {{half_life_{tier}}}"

        parts.append(f"By the developer's own tiers, {halve('economy')} and {halve('mid')} (the paper: "
                     "{paper:half_life_economy} and {paper:half_life_mid}). ")
    if "reasoning_premium" in claims:
        parts.append("Reasoning models cost {reasoning_premium} as much per token as comparable models (the paper: "
                     "{paper:reasoning_premium}). ")
    if "epoch_reproduced" in claims:
        parts.append("Epoch AI's constant-capability declines reproduce ({epoch_reproduced}). ")
    parts.append(_verdict_counts(claims))
    return "".join(parts).strip()


# ----------------------------------------------------------------------- running the sections

#: Estimated CPU seconds of each section on the bundled snapshot (issue 20, 2 cores), figures' PNGs
#: included. With ``jobs > 1`` the processes take sections from one shared queue, longest first, so
#: the heaviest start at once and the short ones fill the gaps (an unlisted section counts as
#: :data:`DEFAULT_COST`). Only the order of the queue depends on these numbers, never the output.
COST: Mapping[str, float] = MappingProxyType({
    "robustness": 8.0, "malmquist": 3.3, "headline": 1.5, "decline": 0.5, "jevons": 1.3, "breaks": 0.5,
    "baumol": 0.5, "concentration": 0.4, "decomposition": 0.4, "coverage": 0.3, "premium": 0.3, "hedonic": 0.25,
    "rates_since_cutoff": 0.2, "threshold": 0.2, "elasticity": 0.2, "trend": 0.2, "cost_per_task": 0.2})
#: The estimated cost of a section missing from :data:`COST`.
DEFAULT_COST = 0.1
#: Sections one process runs one after the other, in this order: the robustness grid's
#: ``total_decline`` claim reuses the decline section's result computed before the grid forks
#: (:func:`llmflation.study.decline.shared_declines`), whichever process runs it.
TOGETHER: tuple[tuple[str, ...], ...] = (("decline", "robustness"),)

#: A section's outcome: the section, its claims, its result, its key finding and its figures as PNG
#: bytes (None: not drawn; empty without ``static``).
Outcome = tuple[Section, list[Claim], Any, "Finding | None", "list[bytes | None]"]


def _run_spec(spec: DataSpec | Spec, inputs: StudyInputs) -> tuple[Section, list[Claim], Any, Finding | None]:
    try:
        if isinstance(spec, DataSpec):
            return spec.run(inputs), [], None, None
        return _analysis_section(spec, inputs)
    except Exception as exc:  # a failing analysis must not hide the rest of the report
        title = getattr(spec, "title", spec.id.replace("_", " ").title())
        return (Section(spec.id, title, error=f"{type(exc).__name__}: {exc}",
                        no_figure="No figure: the analysis failed."), [], None, None)


def _pngs(s: Section) -> list[bytes | None]:
    """Each figure of ``s`` as PNG bytes (None where it cannot be drawn: the interactive figure still shows)."""
    out: list[bytes | None] = []
    for fig in s.figures:
        try:
            from llmflation.report.static import png_bytes

            out.append(png_bytes(fig))
        except Exception:  # noqa: BLE001 - no PNG link for this figure
            out.append(None)
    return out


def _outcome(spec: DataSpec | Spec, inputs: StudyInputs, static: bool) -> Outcome:
    s, c, res, f = _run_spec(spec, inputs)
    return s, c, res, f, (_pngs(s) if static else [])


#: The environment variable OpenBLAS reads when it loads.
_BLAS_ENV = "OPENBLAS_NUM_THREADS"


@contextlib.contextmanager
def one_blas_thread() -> Iterator[None]:
    """OpenBLAS (numpy's and scipy's) on one thread within the block, as it was after.

    With ``jobs`` processes on as many cores each process's BLAS threads compete with the other
    processes and spin idle: one thread each is faster (issue 20: about 2 s of wall time and 5
    CPU seconds less for the CLI on 2 cores) with the same ``results.json``. Libraries loaded
    later in the block read ``OPENBLAS_NUM_THREADS=1``. Nothing is changed when the user set
    ``OPENBLAS_NUM_THREADS``, or where the loaded libraries cannot be found (not Linux).
    """
    import ctypes
    import os

    if _BLAS_ENV in os.environ:
        yield
        return
    restore: list[tuple[Any, int]] = []
    try:
        with open("/proc/self/maps") as f:
            paths = sorted({ln.split()[-1] for ln in f if "openblas" in ln.rsplit("/", 1)[-1].lower()
                            and ".so" in ln})
    except OSError:
        paths = []
    for path in paths:
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for stem, tail in (("scipy_openblas", "64_"), ("scipy_openblas", ""), ("openblas", "64_"), ("openblas", "")):
            get = getattr(lib, f"{stem}_get_num_threads{tail}", None)
            put = getattr(lib, f"{stem}_set_num_threads{tail}", None)
            if get is not None and put is not None:
                restore.append((put, int(get())))
                put(1)
                break
    os.environ[_BLAS_ENV] = "1"
    try:
        yield
    finally:
        os.environ.pop(_BLAS_ENV, None)
        for put, n in restore:
            put(n)


def _queue(sections: Sequence[DataSpec | Spec]) -> list[list[int]]:
    """Units of work, the most expensive first (:data:`COST` summed; ties in report order): each
    section alone, except those :data:`TOGETHER` (one unit, in that order)."""
    pos = {s.id: i for i, s in enumerate(sections)}
    units: list[list[int]] = []
    grouped: set[int] = set()
    for ids in TOGETHER:
        unit = [pos[i] for i in ids if i in pos]
        if len(unit) > 1:
            units.append(unit)
            grouped |= set(unit)
    units += [[i] for i in range(len(sections)) if i not in grouped]
    units.sort(key=lambda u: min(u))
    return sorted(units, key=lambda u: -sum(COST.get(sections[i].id, DEFAULT_COST) for i in u))


#: Sections that read bundled tables only, never the panel: a worker forked before the panel is
#: built runs them first, while this process builds the panel (issue 20). Only the order of work
#: depends on it: a section listed here that does read the panel waits for it in the worker.
NO_PANEL: frozenset[str] = frozenset({"concentration", "cost_per_task", "threshold", "anchors", "us_china", "a16z",
                                      "methods", "glossary", "sources"})


def _receive_panel(inputs: StudyInputs, ready: Any, failed: Any, blob: Any) -> None:
    """In a worker forked before the panel was built: ``inputs.panel()`` waits for this process's
    parent to build it and reads it from ``blob`` (a pickle), once; if the parent could not build it
    the worker tries itself (and each section reports the error, as it would with ``jobs=1``)."""
    import os
    import pickle

    def panel() -> pd.DataFrame:
        del inputs.panel  # the class's method from now on
        ready.wait()
        if not failed.value:
            fd = blob.fileno()  # read at offsets: the file's position is shared with the other processes
            size, data = os.fstat(fd).st_size, b""
            while len(data) < size and (chunk := os.pread(fd, size - len(data), len(data))):
                data += chunk
            # the parent's StudyInputs state after its panel build, with the same bytes
            inputs._panel, inputs._fetched = pickle.loads(data)  # noqa: S301 - our own parent's bytes
        return inputs.panel()

    inputs.panel = panel  # type: ignore[method-assign]


@contextlib.contextmanager
def _sharing(jobs: int) -> Iterator[None]:
    """What each process of the build runs its sections in: the decline section's total decline
    kept for the robustness grid (:func:`~llmflation.study.decline.shared_declines`) and, with
    ``jobs > 1``, the grid's claim groups on ``jobs`` processes
    (:func:`~llmflation.study.robustness.grid_jobs`). Entered in each process after the fork: the
    study modules (scipy.stats among them) are imported there, not before it (the workers import
    theirs while this process builds the panel)."""
    from llmflation.study.decline import shared_declines
    from llmflation.study.robustness import grid_jobs

    with shared_declines(), grid_jobs(jobs):
        yield


def _run_all(sections: Sequence[DataSpec | Spec], inputs: StudyInputs,
             progress: Callable[[str], None] | None, jobs: int, static: bool = False) -> list[Outcome]:
    """Every section's outcome (its PNGs drawn where it ran, with ``static``), in report order.

    With ``jobs > 1``, ``jobs - 1`` workers are forked first, then this process builds the panel
    (once) and hands it to them (a pickle in a temporary file); meanwhile the workers run the
    sections that need no panel (:data:`NO_PANEL`), importing what the sections use. Then all
    processes take units of sections from one shared list, longest first (:func:`_queue`), until none is
    left; a worker sends its outcomes back at the end. A section's outcome does not depend on the
    process that ran it (the output is the same with ``jobs=1``); an outcome that cannot be sent,
    or a worker that dies, is computed here instead.
    """
    import multiprocessing as mp
    import pickle
    import tempfile

    units = _queue(sections)
    order = [i for u in units for i in u]
    out: list[Outcome | None] = [None] * len(sections)
    if jobs > 1 and "fork" not in mp.get_all_start_methods():
        jobs = 1
    if jobs <= 1:
        with _sharing(1):
            for i in range(len(sections)):  # report order
                if progress:
                    progress(sections[i].id)
                out[i] = _outcome(sections[i], inputs, static)
        return [o for o in out if o is not None]

    ctx = mp.get_context("fork")
    taken = ctx.Array("b", len(units))  # which units a process has taken (shared, with its lock)
    ready, failed = ctx.Event(), ctx.Value("b", 0)
    first = [k for k, u in enumerate(units) if all(sections[i].id in NO_PANEL for i in u)]
    worker_order = first + [k for k in range(len(units)) if k not in first]

    def take(pref: Sequence[int]) -> list[int] | None:
        with taken.get_lock():
            for k in pref:
                if not taken[k]:
                    taken[k] = 1
                    return units[k]
        return None

    workers = []
    with tempfile.TemporaryFile() as blob:
        for _ in range(jobs - 1):
            conn, child = ctx.Pipe(duplex=False)

            def work(child: Any = child) -> None:  # runs in the fork: the specs (lambdas included) are not pickled
                _receive_panel(inputs, ready, failed, blob)
                done: list[tuple[int, bytes | None]] = []
                with _sharing(jobs):
                    while (unit := take(worker_order)) is not None:
                        for k in unit:
                            o = _outcome(sections[k], inputs, static)
                            try:
                                done.append((k, pickle.dumps(o, protocol=pickle.HIGHEST_PROTOCOL)))
                            except Exception:  # noqa: BLE001 - not picklable: the parent computes it again
                                done.append((k, None))
                child.send(done)
                child.close()

            proc = ctx.Process(target=work, daemon=True)
            proc.start()
            child.close()
            workers.append((proc, conn))
        if progress:
            progress("the panel")
        try:
            inputs.panel()  # built once, here, while the workers run the sections without it
            pickle.dump((inputs._panel, inputs._fetched), blob, protocol=pickle.HIGHEST_PROTOCOL)
            blob.flush()
        except Exception:  # noqa: BLE001 - the workers try themselves; each section reports the error
            failed.value = 1
        finally:
            ready.set()
        with _sharing(jobs):
            while (unit := take(range(len(units)))) is not None:
                for j in unit:
                    if progress:
                        progress(sections[j].id)
                    out[j] = _outcome(sections[j], inputs, static)
        if progress:
            progress("the worker's last sections")
        for proc, conn in workers:
            try:
                for i, data in conn.recv():
                    if data is not None:
                        out[i] = pickle.loads(data)  # noqa: S301 - our own fork's bytes
            except (EOFError, OSError):  # the worker died: its sections run here below
                pass
            proc.join()
    with _sharing(jobs):
        for i in order:
            if out[i] is None:
                if progress:
                    progress(sections[i].id)
                out[i] = _outcome(sections[i], inputs, static)
    return [o for o in out if o is not None]


# ----------------------------------------------------------------------- build


def _script_json(obj: Any) -> str:
    """JSON safe inside ``<script type="application/json">`` (no ``</script>`` can close it)."""
    return dumps_strict(obj).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def build_report(out: str | Path, *, inputs: StudyInputs | None = None, store: str | Path | None = None,
                 panel: pd.DataFrame | None = None, sections: Sequence[DataSpec | Spec] | None = None,
                 progress: Callable[[str], None] | None = None, generated: str | None = None,
                 jobs: int = 2, static: bool = True) -> Path:
    """Write ``index.html``, ``results.json``, CSV tables (``tables/``) and PNG figures (``figures/``) into ``out``.

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
        2 (the default): this process and one forked worker take the sections from one queue,
        longest first (:data:`COST`), each drawing the PNGs of the sections it ran (the worker is
        forked first and runs the sections without the panel (:data:`NO_PANEL`) while this
        process builds it, once, see :func:`_run_all`), the robustness grid splits its claim groups over two
        processes (:func:`~llmflation.study.robustness.grid_jobs`) and BLAS runs on one thread
        per process (:func:`one_blas_thread`); N: N - 1 workers; 1 runs everything here. The
        output is the same either way.
    static : bool
        Also write every figure as a PNG (``figures/figure-N.png``, for papers and the README).

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
    all_claims: list[Claim] = []
    findings: dict[str, Finding] = {}
    results: dict[str, Any] = {}
    pngs: dict[int, list[bytes | None]] = {}
    with contextlib.ExitStack() as stack:
        if jobs > 1:  # as many processes as cores: BLAS on one thread each (same numbers)
            stack.enter_context(one_blas_thread())
        outcomes = _run_all(sections, inputs, progress, jobs, static)
    for spec, (s, c, res, f, drawn) in zip(sections, outcomes, strict=True):
        built.append(s)
        pngs[id(s)] = drawn
        all_claims += c
        if res is not None:
            results[spec.id] = res
        if f is not None:
            findings[spec.id] = f
    claims = enrich(all_claims, results)
    titles = {s.id: s.title for s in built}
    pvo_html, pvo_tidy = paper_vs_ours_html(claims, titles)
    pvo_notes = [] if "robustness" in results else [
        "The estimates under the paper's likely specification were not computed: the robustness section failed "
        "(see its error below); each claim shows the one specification its section runs."]

    def text(template: str) -> str:
        return plain(cl.render_text(template, claims))

    def html(template: str) -> Markup:
        return Markup(cl.render_html(template, claims))  # noqa: S704 - escaped piece by piece in claims.py

    key = [findings[k] for k in KEY_FINDINGS if k in findings] or list(findings.values())[:8]

    def finding_parts(f: Finding) -> dict[str, Any]:
        first = re.search(r"\{([a-z0-9_]+)\}", f.template)
        c = claims.get(first.group(1)) if first else None
        return {"section": f.section, "title": titles.get(f.section, f.section), "html": html(f.template),
                "text": text(f.template), "fragility": plain(c.fragility) if c is not None else ""}

    key_findings = [finding_parts(f) for f in key]
    title_t, abstract_t = _title(claims), _abstract(inputs, claims)

    tables_dir = out / "tables"
    tables_dir.mkdir(exist_ok=True)
    csv_of: dict[int, str] = {}
    pvo_tidy.to_csv(tables_dir / "paper_vs_ours.csv", index=False)
    for s in built:
        for i, t in enumerate(s.tables):
            name = f"{s.id.replace('-', '_')}_{i}.csv"
            t.frame.to_csv(tables_dir / name, index=False)
            csv_of[id(t)] = f"tables/{name}"

    figures_dir = out / "figures"
    number = 0
    fig_meta: dict[int, dict[str, Any]] = {}
    for s in built:
        for k, fig in enumerate(s.figures):
            number += 1
            png = f"figures/figure-{number}.png"
            blob = pngs[id(s)][k] if static and k < len(pngs[id(s)]) else None
            if blob is not None:  # drawn where the section ran (see _run_all)
                figures_dir.mkdir(exist_ok=True)
                (out / png).write_bytes(blob)
            else:  # not asked for, or the figure could not be drawn: the interactive figure still shows
                png = ""
            fig_meta[id(fig)] = {"number": number, "png": png, "caption_text": text(fig.caption),
                                 "caption_html": html(fig.caption), "source": fig.source,
                                 "json": Markup(_script_json(fig.spec())),  # noqa: S704 - JSON escaped for <script>
                                 "height": fig.height, "n_points": fig.n_points()}

    def render(s: Section) -> dict[str, Any]:
        return {"id": s.id, "title": s.title, "error": s.error, "no_figure": s.no_figure,
                "text": plain(s.text), "notes": [plain(n) for n in s.notes],
                "claims": Markup(claims_list_html(s.claims, claims)),  # noqa: S704 - escaped in claims_list_html
                "figures": [fig_meta[id(f)] for f in s.figures],
                "tables": [Markup(t.html(csv_of[id(t)])) for t in s.tables]}  # noqa: S704 - escaped in numbers.py

    price_from, price_to = _price_range(inputs) if inputs is not None else ("", "")
    provenance = inputs.provenance()
    env = Environment(loader=PackageLoader("llmflation.report", "templates"), autoescape=select_autoescape(["html", "j2"]))
    page = env.get_template("report.html.j2").render(
        title_html=html(title_t), title_text=text(title_t), abstract=html(abstract_t), findings=key_findings,
        sections=[render(s) for s in built], pvo_html=Markup(pvo_html), pvo_notes=pvo_notes,  # noqa: S704
        generated=generated if generated is not None else time.strftime("%Y-%m-%d %H:%M"),
        snapshot_id=provenance["snapshot_id"], price_from=price_from, price_to=price_to, provenance=provenance,
        describe=report_sections.describe(inputs), attribution=bundled.ATTRIBUTION, plotly_js=Markup(plotly_js()),  # noqa: S704
        n_figures=number)
    (out / "index.html").write_text(page)

    doc: dict[str, Any] = {
        "title": text(title_t), "vintage": bundled.vintage(list(bundled.PRICE_TABLES)), "price_range": [price_from, price_to],
        "inputs": provenance, "abstract": text(abstract_t),
        "key_findings": [{"section": f["section"], "text": f["text"], "fragility": f["fragility"]}
                         for f in key_findings],
        "claims": {cid: c.to_json() for cid, c in claims.items()},
        "paper_vs_ours": json.loads(pvo_tidy.to_json(orient="records")) if len(pvo_tidy) else [],
        "sections": {}}
    for s in built:
        doc["sections"][s.id] = {
            "title": s.title, "error": s.error, "notes": [plain(n) for n in s.notes], "claims": s.claims,
            "figures": [{"number": fig_meta[id(f)]["number"], "caption": fig_meta[id(f)]["caption_text"],
                         "source": f.source, "png": fig_meta[id(f)]["png"]} for f in s.figures],
            "tables": {t.caption or f"table {i}": json.loads(t.frame.to_json(orient="records", date_format="iso"))
                       for i, t in enumerate(s.tables)}}
    # strict JSON: an infinite or undefined number is null, never NaN/Infinity (strict parsers reject those)
    (out / "results.json").write_text(dumps_strict(doc, indent=1))
    return out / "index.html"
