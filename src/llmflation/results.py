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


def _df_parts(v: Any) -> tuple[float, float]:
    """(numerator df, denominator df) of a df value: a number, a pair, or a string like "(2, 58)"."""
    if v is None or (isinstance(v, float) and math.isnan(v)) or v == "":
        return math.nan, math.nan
    if isinstance(v, str):
        nums = [float(x) for x in v.strip("()[] ").replace(",", " ").split() if x not in ("None", "nan")]
        v = tuple(nums) if len(nums) != 1 else nums[0]
    if isinstance(v, (tuple, list)):
        a = float(v[0]) if len(v) > 0 and v[0] is not None else math.nan
        b = float(v[1]) if len(v) > 1 and v[1] is not None else math.nan
        return a, b
    try:
        return float(v), math.nan
    except (TypeError, ValueError):
        return math.nan, math.nan


def _numeric(s: pd.Series) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(s):
        return 1970.0 + (s - pd.Timestamp("1970-01-01")).dt.days / 365.25
    if s.dtype == object and len(s) and s.map(lambda v: hasattr(v, "isoformat")).any():
        d = pd.to_datetime(s, errors="coerce")
        return (1970.0 + (d - pd.Timestamp("1970-01-01")).dt.days / 365.25).astype(float)
    return pd.to_numeric(s, errors="coerce").astype(float)


#: Suffixes of a wide column's interval bounds, standard error and count (``hhi_low``, ``cost_conf_high``).
_PARTNERS = {"conf_low": ("_conf_low", "_low"), "conf_high": ("_conf_high", "_high"),
             "std_error": ("_std_error", "_se"), "n": ("_n",)}


def _partners(col: str, numeric: list[str]) -> dict[str, str]:
    """The columns holding ``col``'s interval, standard error and count: ``{col}_low`` … or, for
    ``{p}_{x}``, ``{p}_conf_low`` … when ``{p}_{x}`` is the only other column of prefix ``p``."""
    out = {}
    for what, suffixes in _PARTNERS.items():
        hit = next((col + s for s in suffixes if col + s in numeric), None)
        if hit is None and "_" in col:
            p = col.rsplit("_", 1)[0]
            siblings = [c for c in numeric if c.startswith(p + "_") and not any(
                c.endswith(s) for ss in _PARTNERS.values() for s in ss)]
            if siblings == [col]:
                hit = next((p + s for s in suffixes if p + s in numeric and p + s != col), None)
        if hit is not None:
            out[what] = hit
    return out


def _melt_with_intervals(f: pd.DataFrame, id_vars: list[str], numeric: list[str]) -> pd.DataFrame:
    """Melt ``numeric`` into ``term, estimate``; a column's bounds/SE/count fill its own row."""
    parts = {c: _partners(c, numeric) for c in numeric}
    used = {p for ps in parts.values() for p in ps.values()}
    blocks = []
    for c in numeric:
        if c in used:
            continue
        b = f[id_vars].copy()
        b["term"], b["estimate"] = c, f[c]
        for what, col in parts[c].items():
            b[what] = f[col]
        blocks.append(b)
    if not blocks:
        return f[id_vars].iloc[0:0].assign(term=pd.Series(dtype=str), estimate=pd.Series(dtype=float))
    return pd.concat(blocks, ignore_index=True)


def tidy(frame: pd.DataFrame, keys: tuple[str, ...] | list[str] = ()) -> pd.DataFrame:
    """The long, tidy form of a result table (the ``to_frame`` contract).

    A frame that already has ``term`` and ``estimate`` is kept row for row; any other
    frame is melted (a ``measure`` or ``test`` column names the rows unless it is one of
    the ``keys``): ``keys`` and non-numeric columns identify a row, every numeric
    column becomes a ``term`` with its value as ``estimate`` — except a column's interval
    bounds, standard error and count (``hhi_low``/``hhi_high``, ``cost_conf_low``,
    ``x_std_error``, ``x_n``), which fill ``conf_low``/``conf_high``/``std_error``/``n``
    of that column's own row instead of becoming terms. Then all of
    :data:`TIDY_COLUMNS` exist (NaN where they do not apply) and are numeric (dates as
    decimal years), a ``df`` column becomes numeric ``df_num``/``df_denom``, and the
    tidy columns come first after the keys.

    Examples
    --------
    >>> tidy(pd.DataFrame({"period": ["a"], "hhi": [5000.0]}))[["period", "term", "estimate"]].values.tolist()
    [['a', 'hhi', 5000.0]]
    """
    f = frame.copy()
    ids: list[str] = []
    name = next((c for c in ("measure", "test") if c in f.columns and c not in keys), None)
    if "term" not in f.columns and (name or "estimate" in f.columns):  # long already, rows named by another column
        f["term"] = f[name].astype(str) if name else "estimate"
    if "term" not in f.columns:
        numeric = [c for c in f.columns if c not in keys and pd.api.types.is_numeric_dtype(f[c])
                   and not pd.api.types.is_bool_dtype(f[c]) and c not in ("n", "df")]
        ids = [c for c in f.columns if c not in numeric and c not in ("n", "df")]
        extra = [c for c in ("n", "df") if c in f.columns]
        f = _melt_with_intervals(f.reset_index(drop=True), ids + extra, numeric)
    if "df" in f.columns:
        parts = [_df_parts(v) for v in f["df"]]
        f["df_num"] = [p[0] for p in parts]
        f["df_denom"] = [p[1] for p in parts]
        f = f.drop(columns=["df"])
    for c in TIDY_COLUMNS:
        if c not in f.columns:
            f[c] = math.nan
        elif c != "term":
            f[c] = _numeric(f[c])
    f["term"] = f["term"].astype(str)
    lead = list(dict.fromkeys([k for k in (*keys, *ids) if k in f.columns]))
    rest = [c for c in f.columns if c not in lead and c not in TIDY_COLUMNS]
    return f[lead + TIDY_COLUMNS + rest].reset_index(drop=True)


class ResultMixin:
    """Default ``summary``/``_repr_html_`` from ``wide()`` and ``title``/``notes``.

    ``to_frame()`` is always long and tidy (:func:`tidy` of ``wide()``); ``wide()`` is
    the result's own table as it reads best (one row per group, per DMU, per period…).
    """

    title: str = "Result"
    #: Columns that identify a row of ``to_frame()`` besides ``term`` (group keys).
    keys: tuple[str, ...] = ()

    def wide(self) -> pd.DataFrame:
        if type(self).to_frame is not ResultMixin.to_frame:  # a result defining only to_frame
            return self.to_frame()
        raise NotImplementedError  # pragma: no cover - overridden

    def to_frame(self) -> pd.DataFrame:
        """Long and tidy: ``keys``, then ``term, estimate, std_error, statistic, p_value, conf_low, conf_high, n``."""
        return tidy(self.wide(), self.keys)

    def _notes(self) -> list[str]:
        notes = list(getattr(self, "notes", ()) or ())
        vintage = getattr(self, "vintage", None)
        if vintage:
            notes.append(f"Data vintage: {vintage}")
        return notes

    def summary(self, fmt: SummaryFormat = "text") -> str:
        """Human-readable table of the result (``fmt``: text, html or markdown)."""
        return render_table(self.wide(), self.title, self._notes(), fmt)

    def to_markdown(self, **kw: Any) -> str:
        """This result as a Markdown table: estimates over their intervals, ``n``, options, notes.

        Keywords go to :func:`llmflation.etables.etable` (``terms``, ``below``, ``digits`` …).

        Examples
        --------
        >>> t = HypothesisTest(statistic=5.74, p_value=0.005, df=(2, 58), null="no break", name="Chow")
        >>> print(t.to_markdown().splitlines()[4])
        | Chow | 5.740 |
        """
        from llmflation.etables import etable

        out: str = etable([self], type="md", **{"caption": self.title, "labels": ["estimate"], "max_rows": None,
                                                **kw})
        return out

    def to_latex(self, **kw: Any) -> str:
        """This result as a LaTeX table (booktabs, via pandas' ``to_latex``); see :meth:`to_markdown`.

        Examples
        --------
        >>> t = HypothesisTest(statistic=5.74, p_value=0.005, df=(2, 58), null="no break", name="Chow")
        >>> "toprule" in t.to_latex()
        True
        """
        from llmflation.etables import etable

        out: str = etable([self], type="tex", **{"caption": self.title, "labels": ["estimate"], "max_rows": None,
                                                 **kw})
        return out

    def reference_figure(self, key: str) -> Any:
        """The published figure ``key`` this result is compared with (see ``llmflation.study.paper``)."""
        for r in getattr(self, "references", ()) or ():
            if getattr(r, "key", None) == key:
                return r
        raise KeyError(f"{type(self).__name__} carries no reference {key!r}; it has "
                       f"{[getattr(r, 'key', r) for r in getattr(self, 'references', ())]}.")


@dataclass(frozen=True, kw_only=True, eq=False, repr=False)
class Result(ResultMixin):
    """Base of every result: frozen, keyword-only, identity equality (``==`` never raises).

    ``config`` holds the options used, ``vintage`` the data it ran on, ``notes`` caveats,
    ``references`` the published figures it is compared with
    (:class:`llmflation.study.paper.Reference`, each with its citation).
    """

    config: dict[str, Any] = field(default_factory=dict)
    vintage: str = "user data"
    notes: tuple[str, ...] = ()
    references: tuple[Any, ...] = ()

    def _repr_html_(self) -> str:
        return self.summary("html")

    def __str__(self) -> str:
        return self.summary()


@dataclass(frozen=True, kw_only=True, eq=False, repr=False)
class HypothesisTest(Result):
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

    def wide(self) -> pd.DataFrame:
        """One row as it reads: statistic, p-value, df as written, distribution, null, reason."""
        return pd.DataFrame([{
            "term": self.name, "statistic": float(self.statistic), "p_value": float(self.p_value),
            "df": str(self.df), "distribution": self.distribution, "null": self.null,
            "reason": self.reason or "",
        }])

    def to_frame(self) -> pd.DataFrame:
        """Tidy: the estimate behind the test (if any), statistic, p-value, numeric ``df_num``/``df_denom``."""
        f = self.wide().assign(df=[self.df], estimate=float(self.extra.get("estimate", math.nan)),
                               n=float(self.extra.get("n", math.nan)))
        return tidy(f)

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


def data_vintage(*frames: Any, default: str = "user data") -> str:
    """The vintages (``attrs["vintage"]``) of the frames an analysis ran on, joined; ``default`` if none.

    Examples
    --------
    >>> f = pd.DataFrame({"a": [1]}); f.attrs["vintage"] = "bundled snapshot x"
    >>> data_vintage(f, pd.DataFrame())
    'bundled snapshot x'
    """
    seen = [str(f.attrs["vintage"]) for f in frames if hasattr(f, "attrs") and f.attrs.get("vintage")]
    return "; ".join(dict.fromkeys(seen)) or default
