"""Shared result machinery: every analysis returns a frozen dataclass built on these.

A result has typed fields, ``config`` (options used), ``vintage`` (data snapshot id and
date range, or ``"user data"``), ``summary()`` (text, HTML or Markdown from one table),
``to_frame()`` (tidy, snake_case) and ``_repr_html_`` for Jupyter.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd

from llmflation.errors import check_choice

SummaryFormat = Literal["text", "html", "markdown"]
TIDY_COLUMNS = ["term", "estimate", "std_error", "statistic", "p_value", "conf_low", "conf_high", "n"]


def _fmt(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        if math.isnan(v):
            return "NaN"
        if v != 0 and (abs(v) >= 1e6 or abs(v) < 1e-3):
            return f"{v:.4g}"
        return f"{v:.4f}"
    return str(v)


def render_table(df: pd.DataFrame, title: str, notes: list[str] | None = None,
                 fmt: SummaryFormat = "text") -> str:
    """Render a small frame as text, HTML (escaped) or Markdown.

    Examples
    --------
    >>> print(render_table(pd.DataFrame({"a": [1.5]}), "T"))  # doctest: +NORMALIZE_WHITESPACE
    T
    a
    1.5000
    """
    check_choice("fmt", fmt, ("text", "html", "markdown"))
    notes = notes or []
    cells = df.map(_fmt) if len(df) else df.astype(str)
    if fmt == "html":
        head = "".join(f"<th>{html.escape(str(c))}</th>" for c in df.columns)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(v)}</td>" for v in row) + "</tr>"
            for row in cells.itertuples(index=False)
        )
        foot = "".join(f"<p><small>{html.escape(n)}</small></p>" for n in notes)
        return (f"<div class='llmflation-result'><strong>{html.escape(title)}</strong>"
                f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{foot}</div>")
    if fmt == "markdown":
        lines = [f"**{title}**", "", "| " + " | ".join(map(str, df.columns)) + " |",
                 "|" + "---|" * len(df.columns)]
        lines += ["| " + " | ".join(row) + " |" for row in cells.itertuples(index=False)]
        lines += [""] + [f"_{n}_" for n in notes]
        return "\n".join(lines)
    body = cells.to_string(index=False) if len(df) else "(no rows)"
    return "\n".join([title, body, *notes])


class ResultMixin:
    """Default ``summary``/``_repr_html_`` from ``to_frame`` and ``title``/``notes``."""

    title: str = "Result"

    def to_frame(self) -> pd.DataFrame:  # pragma: no cover - overridden
        raise NotImplementedError

    def _notes(self) -> list[str]:
        notes = list(getattr(self, "notes", ()) or ())
        vintage = getattr(self, "vintage", None)
        if vintage:
            notes.append(f"Data vintage: {vintage}")
        return notes

    def summary(self, fmt: SummaryFormat = "text") -> str:
        """Human-readable table of the result (``fmt``: text, html or markdown)."""
        return render_table(self.to_frame(), self.title, self._notes(), fmt)

    def _repr_html_(self) -> str:
        return self.summary("html")

    def __str__(self) -> str:
        return self.summary()


@dataclass(frozen=True, repr=False)
class HypothesisTest(ResultMixin):
    """One hypothesis test.

    Attributes
    ----------
    statistic, p_value : float
        NaN only when ``reason`` says why the test could not be computed.
    df : tuple of float or float or None
        Degrees of freedom of the reference distribution.
    null : str
        The null hypothesis in words.
    distribution : str
        Reference distribution, e.g. ``"F(2, 58)"``.
    name : str
        Name of the test.
    reason : str or None
        Why the test could not be computed (then statistic/p_value are NaN).

    Examples
    --------
    >>> t = HypothesisTest(statistic=5.74, p_value=0.005, df=(2, 58), null="no break",
    ...                    distribution="F", name="Chow")
    >>> t.to_frame().loc[0, "statistic"]
    np.float64(5.74)
    """

    statistic: float
    p_value: float
    df: Any = None
    null: str = ""
    distribution: str = ""
    name: str = "test"
    reason: str | None = None
    config: dict[str, Any] = field(default_factory=dict)
    vintage: str = "user data"
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def title(self) -> str:  # type: ignore[override]
        return f"{self.name} — H0: {self.null}"

    @property
    def computed(self) -> bool:
        return self.reason is None

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([{
            "term": self.name, "statistic": float(self.statistic), "p_value": float(self.p_value),
            "df": str(self.df), "distribution": self.distribution, "null": self.null,
            "reason": self.reason or "",
        }])

    def __repr__(self) -> str:
        if self.reason:
            return f"HypothesisTest({self.name}: not computed — {self.reason})"
        return (f"HypothesisTest({self.name}: statistic={self.statistic:.4g}, "
                f"p_value={self.p_value:.4g}, df={self.df}, {self.distribution})")

    @classmethod
    def not_computed(cls, name: str, null: str, reason: str, **kw: Any) -> HypothesisTest:
        """A test that could not be computed, saying why (never a silent NaN)."""
        return cls(statistic=float("nan"), p_value=float("nan"), null=null, name=name,
                   reason=reason, **kw)
