"""Building blocks of the report: tables, sections, claims, findings, inlined figures (no state)."""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from llmflation.report.numbers import humanize, render_table_html

#: Rows of a table shown in the page; the rest are behind ``<details>`` and in the CSV.
VISIBLE_ROWS = 12
#: Resolution of the inlined PNGs: legible at 100% zoom, small enough to build fast.
DPI = 90


#: Longest text shown in a cell of the page (the CSV and results.json keep all of it).
CELL_CHARS = 180


def _short(text: str) -> str:
    return text if len(text) <= CELL_CHARS else text[: CELL_CHARS - 1].rstrip(" ,;") + "… (full text in the CSV)"


@dataclass
class Table:
    caption: str
    frame: pd.DataFrame

    def html(self, csv_href: str | None = None) -> str:
        """Escaped HTML, numbers formatted for people, rows beyond :data:`VISIBLE_ROWS` folded."""
        if self.frame.empty:
            return "<p class='note'>(empty table)</p>"
        f = self.frame.drop(columns=[c for c in self.frame.columns if str(c).endswith("_display")])
        for c in f.columns:  # free text from the data ("~1e6 off") in the one number format
            if f[c].dtype == object or pd.api.types.is_string_dtype(f[c]):
                f[c] = f[c].map(lambda v: _short(humanize(v)) if isinstance(v, str) else v)
        return render_table_html(f, caption=self.caption or None, max_rows=VISIBLE_ROWS, csv_href=csv_href)


@dataclass
class Section:
    id: str
    title: str
    text: str = ""
    tables: list[Table] = field(default_factory=list)
    figures: list[dict[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    error: str | None = None
    #: Why the section has no figure (shown instead of one).
    no_figure: str = ""


@dataclass(frozen=True)
class Claim:
    """One published figure beside ours; ``paper`` and ``source`` come from the result's reference."""

    claim: str
    paper: str
    ours: str
    definition: str
    source: str = ""
    #: The reference's key in :mod:`llmflation.study.paper` ("" when the claim is not a published figure).
    key: str = ""

    @classmethod
    def of(cls, reference: Any, ours: str, definition: str, *, claim: str | None = None,
           paper: str | None = None) -> Claim:
        """A claim from a :class:`llmflation.study.paper.Reference` (``claim``/``paper`` override its wording)."""
        return cls(claim=claim or reference.claim, paper=paper or reference.display(), ours=ours,
                   definition=definition, source=reference.citation, key=reference.key)


@dataclass(frozen=True)
class Finding:
    """One key finding: a sentence with a number and its interval, and the section it comes from."""

    section: str
    text: str


#: What the paper column says for a number the papers do not report.
NOT_REPORTED = "(not reported)"


def figure(fig: Any, caption: str) -> dict[str, str]:
    """Inline a matplotlib figure as a base64 PNG (no timestamps in the file: reproducible bytes)."""
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})
    plt.close(fig)
    return {"alt": caption, "b64": base64.b64encode(buf.getvalue()).decode()}
