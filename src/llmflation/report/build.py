"""The HTML report: self-contained (figures inlined), autoescaped, plus CSV/JSON tables.

Each section is built by a function returning a :class:`Section`; a section whose
analysis fails is reported with the error instead of breaking the report.
"""

from __future__ import annotations

import base64
import io
import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape

from llmflation.panel.build import exclusions, load_panel
from llmflation.panel.coverage import by_source, coverage
from llmflation.sources import bundled


@dataclass
class Table:
    caption: str
    frame: pd.DataFrame

    def render(self) -> dict[str, Any]:
        def fmt(v: Any) -> str:
            if isinstance(v, float):
                if math.isnan(v):
                    return ""
                return f"{v:.4g}" if (v != 0 and (abs(v) >= 1e5 or abs(v) < 1e-2)) else f"{v:,.3f}"
            if hasattr(v, "date") and isinstance(v, pd.Timestamp):
                return str(v.date())
            return "" if v is None or v is pd.NA else str(v)

        return {"caption": self.caption, "columns": [str(c) for c in self.frame.columns],
                "rows": [[fmt(v) for v in r] for r in self.frame.itertuples(index=False)]}


@dataclass
class Section:
    id: str
    title: str
    text: str = ""
    tables: list[Table] = field(default_factory=list)
    figures: list[dict[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    error: str | None = None


def figure(fig: Any, alt: str) -> dict[str, str]:
    """Inline a matplotlib figure as base64 PNG."""
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return {"alt": alt, "b64": base64.b64encode(buf.getvalue()).decode()}


def section_coverage(panel: pd.DataFrame) -> Section:
    s = Section("coverage", "Data: the dated price panel",
                text=(f"{len(panel):,} price intervals for {panel['model_id'].nunique():,} models from "
                      f"{panel['source'].nunique()} dated sources, {panel['valid_from'].min().date()} → "
                      f"{panel['valid_to'].max().date()}."))
    s.tables += [Table("Coverage", coverage(panel)), Table("By source", by_source(panel)),
                 Table("Excluded price rows", exclusions())]
    return s


def section_milestones(panel: pd.DataFrame) -> Section:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    m = panel[panel["source"] == "milestones"]
    fig, ax = plt.subplots(figsize=(8, 4.5))
    for tier, g in m.groupby(m["tier"].fillna("unknown")):
        ax.scatter(g["valid_from"], g["blended_usd_per_mtok"], label=str(tier), s=18)
    ax.set_yscale("log")
    ax.set_ylabel("blended price, USD per 1M tokens (3:1)")
    ax.legend(title="developer positioning")
    ax.grid(alpha=0.3)
    s = Section("milestones", "Price milestones 2021–2026")
    s.figures.append(figure(fig, "Launch prices and price cuts, blended 3:1, log scale"))
    return s


#: Extra sections registered by analysis modules: name → builder(panel) -> Section.
SECTIONS: dict[str, Callable[[pd.DataFrame], Section]] = {}


def build_report(out: str | Path, *, panel: pd.DataFrame | None = None,
                 progress: Callable[[str], None] | None = None) -> Path:
    """Write ``index.html``, ``results.json`` and CSV tables into ``out``.

    Examples
    --------
    >>> import tempfile
    >>> p = build_report(tempfile.mkdtemp())  # doctest: +SKIP
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    panel = panel if panel is not None else load_panel(warn=False)
    from llmflation.report import sections as _sections  # registers the analysis sections

    _sections.CLAIMS.clear()
    builders: list[tuple[str, Callable[[pd.DataFrame], Section]]] = [
        ("coverage", section_coverage), ("milestones", section_milestones), *SECTIONS.items(),
        ("paper_vs_ours", _sections.paper_section())]
    sections = []
    for name, fn in builders:
        if progress:
            progress(name)
        try:
            sections.append(fn(panel))
        except Exception as exc:  # a failing analysis must not hide the rest of the report
            sections.append(Section(name, name.replace("_", " ").title(), error=f"{type(exc).__name__}: {exc}"))
    env = Environment(loader=PackageLoader("llmflation.report", "templates"), autoescape=select_autoescape(["html", "j2"]))
    html = env.get_template("report.html.j2").render(
        sections=[{**s.__dict__, "tables": [t.render() for t in s.tables]} for s in sections],
        generated=time.strftime("%Y-%m-%d %H:%M"), vintage=bundled.vintage(), attribution=bundled.ATTRIBUTION)
    (out / "index.html").write_text(html)
    tables_dir = out / "tables"
    tables_dir.mkdir(exist_ok=True)
    results: dict[str, Any] = {"vintage": bundled.vintage(), "sections": {}}
    for s in sections:
        results["sections"][s.id] = {"title": s.title, "error": s.error, "notes": s.notes,
                                     "tables": {t.caption: json.loads(t.frame.to_json(orient="records", date_format="iso"))
                                                for t in s.tables}}
        for i, t in enumerate(s.tables):
            t.frame.to_csv(tables_dir / f"{s.id}_{i}.csv", index=False)
    (out / "results.json").write_text(json.dumps(results, indent=1, default=str))
    return out / "index.html"
