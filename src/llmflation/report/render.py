"""Building blocks of the report: tables for people, sections, findings (no state).

Tables are shown with human column names and units (:func:`column_label`), without
columns that are empty, at most :data:`VISIBLE_ROWS` rows (the rest folded, and in the
CSV), sortable by a click on a header (a few lines of inline JavaScript in the page),
every number through :mod:`llmflation.report.numbers`. The CSV keeps the raw columns.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import pandas as pd

from llmflation.report.figures import Fig
from llmflation.report.numbers import humanize, render_table_html

#: Rows of a table shown in the page; the rest are behind ``<details>`` and in the CSV.
VISIBLE_ROWS = 12
#: Longest text shown in a cell of the page (the CSV and results.json keep all of it).
CELL_CHARS = 180

#: Column names for people (units in the name); other snake_case names follow :func:`column_label`'s rules.
COLUMN_LABELS: Mapping[str, str] = MappingProxyType({
    "n": "n", "term": "quantity", "estimate": "estimate", "std_error": "standard error", "statistic": "statistic",
    "p_value": "p-value", "conf_low": "95% CI low", "conf_high": "95% CI high", "boot_conf_low": "bootstrap CI low",
    "boot_conf_high": "bootstrap CI high", "half_life_years": "half-life (years)", "factor_per_year":
    "fall per year (×)", "r_squared": "R²", "df": "degrees of freedom", "df_num": "df (numerator)",
    "df_denom": "df (denominator)", "log_price_slope_per_year": "log price change per year",
    "slope_per_year": "log change per year", "rate_per_year": "rate per year", "start_date": "from", "end_date": "to",
    "valid_from": "from", "valid_to": "to", "model_id": "model", "model_name": "model", "n_models": "models",
    "n_obs": "observations", "n_firms": "developers", "n_dmus": "developers (DMUs)", "n_clusters": "clusters",
    "hhi": "HHI", "hhi_low": "HHI low", "hhi_high": "HHI high", "cr_1": "CR-1 (%)", "cr_4": "CR-4 (%)",
    "equivalent_firms": "equivalent firms", "coverage_pct": "coverage (%)", "share_pct": "share (%)",
    "paper_share_pct": "paper's share (%)", "paper_value": "paper", "reference_factor": "Epoch's factor (×)",
    "log_change": "log change", "blended_usd_per_mtok": "blended price (USD per 1M tokens)",
    "input_usd_per_mtok": "input price (USD per 1M tokens)", "output_usd_per_mtok": "output price (USD per 1M tokens)",
    "price": "price (USD per 1M tokens)", "dln_tokens": "Δ ln tokens", "dln_price": "Δ ln price",
    "dln_spend": "Δ ln spend", "pct_per_year": "% per year", "tfpch": "Malmquist (TFP change)",
    "techch": "technical change", "effch": "efficiency change", "pech": "pure efficiency change",
    "sech": "scale efficiency change", "is_default": "default?", "is_paper_closest": "closest to paper?",
    "break_at": "break after", "lags": "HAC lags", "why_default": "why this default",
    "why_paper": "why the paper likely differs", "measures_what": "what it measures",
})
_UNITS = (("_usd_per_mtok", " (USD per 1M tokens)"), ("_usd", " (USD)"), ("_pct", " (%)"), ("_percent", " (%)"),
          ("_years", " (years)"), ("_per_year", " per year"), ("_flop", " (FLOP)"), ("_low", " low"),
          ("_high", " high"))


def column_label(name: Any) -> str:
    """A column name for people: ``boot_conf_high`` → ``bootstrap CI high``, ``x_usd_per_mtok`` → ``x (USD per 1M tokens)``.

    Examples
    --------
    >>> column_label("boot_conf_high"), column_label("start_price_usd"), column_label("hhi")
    ('bootstrap CI high', 'start price (USD)', 'HHI')
    """
    c = str(name)
    if c in COLUMN_LABELS:
        return COLUMN_LABELS[c]
    suffix = ""
    for end, unit in _UNITS:
        if c.endswith(end) and len(c) > len(end):
            c, suffix = c[: -len(end)], unit + suffix
            break
    c = c.replace("conf_low", "CI low").replace("conf_high", "CI high").replace("boot_", "bootstrap ")
    words = re.sub(r"_+", " ", c).strip()
    words = re.sub(r"\b(hhi|eci|tfp|dmu|hac|cpi|usd|gpu|ols|ci)\b", lambda m: m.group(1).upper(), words)
    return (words + suffix).strip() or str(name)


def _short(text: str) -> str:
    return text if len(text) <= CELL_CHARS else text[: CELL_CHARS - 1].rstrip(" ,;") + "… (full text in the CSV)"


#: Code names that may come from results' notes, as a reader would say them.
_PLAIN = ((re.compile(r"\s*\(PAPERS\.md\)"), ""), (re.compile(r"PAPERS\.md"), "the paper notes"),
          (re.compile(r"\blf\.([a-z_]+)\(\)"), r"the package's \1"), (re.compile(r"\bllmflation\.[a-z_.]+"),
                                                                     "the package"))
_SNAKE = re.compile(r"\b([a-z][a-z0-9]*(?:_[a-z0-9]+)+)\b")


def plain(text: Any) -> str:
    """Prose for people: raw numbers through :func:`~llmflation.report.numbers.humanize`, code names
    (``PAPERS.md``, ``lf.x()``, ``release_date_trusted``) in words."""
    s = humanize(text)
    for pat, rep in _PLAIN:
        s = pat.sub(rep, s)
    s = re.sub(r"the package's ([a-z_]+)", lambda m: "the package's " + m.group(1).replace("_", " "), s)
    return _SNAKE.sub(lambda m: m.group(1).replace("_", " "), s)


def _empty(col: pd.Series) -> bool:
    if col.isna().all():
        return True
    if col.dtype == object or pd.api.types.is_string_dtype(col):
        return bool(col.map(lambda v: v is None or (isinstance(v, float) and pd.isna(v)) or str(v).strip() == "").all())
    return False


@dataclass
class Table:
    caption: str
    frame: pd.DataFrame

    def display_frame(self) -> pd.DataFrame:
        """The frame as shown: empty and ``*_display`` columns dropped, human names, text in plain words."""
        f = self.frame.drop(columns=[c for c in self.frame.columns if str(c).endswith("_display")])
        f = f.drop(columns=[c for c in f.columns if _empty(f[c])])
        f = f.copy()
        for c in f.columns:  # free text from the data ("~1e6 off") in the one number format
            if f[c].dtype == object or pd.api.types.is_string_dtype(f[c]):
                f[c] = f[c].map(lambda v: _short(plain(v)) if isinstance(v, str) else v)
        return f

    def html(self, csv_href: str | None = None) -> str:
        """Escaped HTML, numbers formatted for people, rows beyond :data:`VISIBLE_ROWS` folded."""
        if self.frame.empty:
            return "<p class='note'>(empty table)</p>"
        f = self.display_frame()
        labels = {c: column_label(c) for c in f.columns}
        return render_table_html(f, caption=plain(self.caption) or None, max_rows=VISIBLE_ROWS, csv_href=csv_href,
                                 labels=labels)


@dataclass
class Section:
    id: str
    title: str
    text: str = ""
    tables: list[Table] = field(default_factory=list)
    figures: list[Fig] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    error: str | None = None
    #: Why the section has no figure (shown instead of one).
    no_figure: str = ""
    #: Ids of the claims this section states (rendered from the claims, in order).
    claims: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Finding:
    """One key finding: a sentence whose numbers are ``{claim_id}`` placeholders, and its section."""

    section: str
    template: str
