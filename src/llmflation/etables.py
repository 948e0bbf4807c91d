"""Several results side by side, the way papers print them: ``etable``.

One column per result, one row per estimate (its keys and term), the estimate over its
interval (or standard error, or p-value for a test), then ``n`` and specification rows
taken from each result's ``config``, and notes. Built from ``to_frame()`` alone, so it
works for every result type: regressions, trends, tests and indices. Rendered as a
DataFrame, Markdown, LaTeX (pandas' ``to_latex``, booktabs rules) or HTML.

Examples
--------
>>> import numpy as np, pandas as pd
>>> import llmflation as lf
>>> rng = np.random.default_rng(0)
>>> d = pd.DataFrame({"date": pd.date_range("2021-01-01", periods=30, freq="45D")})
>>> d["price"] = np.exp(-np.arange(30) / 10 + rng.normal(0, 0.1, 30))
>>> a = lf.price_trend(d, by=None, date_col="date", price_col="price", observations="rows", n_boot=0)
>>> b = lf.price_trend(d, by=None, date_col="date", price_col="price", observations="rows", n_boot=0,
...                    level=0.9)
>>> t = etable([a, b], terms=["half_life_years"], labels=["95%", "90%"])
>>> list(t.columns)
['95%', '90%']
>>> t.index[0]
'all: half_life_years'
"""

from __future__ import annotations

import html
import math
import numbers
from collections.abc import Sequence
from typing import Any, Literal

import pandas as pd

from llmflation.errors import InputError, check_choice

TableType = Literal["df", "md", "tex", "html"]
Below = Literal["ci", "se", "p", "none"]
#: Keys of ``config`` never shown as specification rows (data, not options).
HIDDEN_CONFIG = frozenset({"vintage", "columns", "data", "frame"})


def _num(v: float, digits: int) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    v = float(v)
    if v != 0 and (abs(v) >= 10 ** (digits + 3) or abs(v) < 10 ** -digits):
        return f"{v:.{digits}g}"
    return f"{v:,.{digits}f}"


def _label(row: pd.Series, keys: Sequence[str]) -> str:
    parts = [str(row[k]) for k in keys if k in row.index and pd.notna(row[k]) and str(row[k]) != ""]
    return (": ".join([" · ".join(parts), str(row["term"])])) if parts else str(row["term"])


def _cells(row: pd.Series, below: Below, digits: int) -> tuple[str, str]:
    est, stat = row.get("estimate", math.nan), row.get("statistic", math.nan)
    top = _num(est, digits) if pd.notna(est) else (_num(stat, digits) if pd.notna(stat) else "")
    lo, hi, se, p = (row.get(c, math.nan) for c in ("conf_low", "conf_high", "std_error", "p_value"))
    if below == "none":
        return top, ""
    if below == "ci" and pd.notna(lo) and pd.notna(hi):
        return top, f"[{_num(lo, digits)}, {_num(hi, digits)}]"
    if below in ("ci", "se") and pd.notna(se):
        return top, f"({_num(se, digits)})"
    if pd.notna(p):
        return top, f"p = {_num(p, digits)}"
    return top, ""


def _scalar(v: Any) -> str | None:
    if v is None or isinstance(v, str | bool | numbers.Number):
        return str(v)
    if isinstance(v, tuple | list) and len(v) <= 6 and all(isinstance(x, str | numbers.Number) for x in v):
        return ", ".join(map(str, v))
    return None


def _n(r: Any, f: pd.DataFrame) -> str:
    n = getattr(r, "n", None)
    v = float(n) if isinstance(n, numbers.Real) and not isinstance(n, bool) else math.nan  # type: ignore[arg-type]
    if math.isfinite(v):
        return f"{int(v):,}"
    if "n" in f and f["n"].notna().any():
        return f"{int(f['n'].max()):,}"
    return ""


def etable(results: Any, *, type: TableType = "df", terms: Sequence[str] | None = None,  # noqa: A002
           below: Below = "ci", digits: int = 3, labels: Sequence[str] | None = None,
           config: bool | Sequence[str] = True, notes: Sequence[str] = (), caption: str | None = None,
           max_rows: int | None = 60) -> Any:
    """Put several results side by side, for papers.

    Parameters
    ----------
    results : Result or sequence of Result
        Any llmflation results (regressions, trends, tests, indices …); one column each.
    type : {"df", "md", "tex", "html"}, default "df"
        A DataFrame of formatted cells, or Markdown, LaTeX (booktabs) or HTML text.
    terms : sequence of str, optional
        Keep only these terms (in this order); default every term of every result.
    below : {"ci", "se", "p", "none"}, default "ci"
        What goes under an estimate: its interval ``[low, high]``, its standard error
        ``(se)`` or its p-value; each falls back to the next available (a test without an
        estimate shows its statistic over its p-value).
    digits : int, default 3
        Decimals (significant digits for very large or small numbers).
    labels : sequence of str, optional
        Column headers; default ``(1)``, ``(2)``, …
    config : bool or sequence of str, default True
        Specification rows from each result's ``config`` (scalar options that differ
        between the results, or these names); False for none.
    notes : sequence of str
        Extra notes under the table (after the line saying what is under the estimates).
    caption : str, optional
        Caption (LaTeX, HTML) or heading (Markdown).
    max_rows : int or None, default 60
        Refuse tables longer than this (choose ``terms``); None for no limit.

    Returns
    -------
    DataFrame or str
        ``type="df"``: the table as strings, index = row labels (``key: term``, then
        ``n``, the specification rows and ``result``); else the rendered text.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> import llmflation as lf
    >>> y = pd.Series(np.r_[np.zeros(20), np.ones(20)] + np.random.default_rng(1).normal(0, .2, 40))
    >>> print(etable([lf.chow_test(y, break_at=19), lf.cusum_test(y)], type="md", digits=2))  # doctest: +ELLIPSIS
    |  | (1) | (2) |
    |---|---|---|
    | Chow test | ... | ... |
    ...
    """
    from llmflation.results import ResultMixin

    check_choice("type", type, ("df", "md", "tex", "html"))
    check_choice("below", below, ("ci", "se", "p", "none"))
    if isinstance(results, ResultMixin):
        results = [results]
    if isinstance(results, str | bytes) or not isinstance(results, Sequence) or not results:
        raise InputError(f"results must be a non-empty list of llmflation results; got {results!r:.80}.")
    bad = [f"{i}: {type_name(r)}" for i, r in enumerate(results) if not isinstance(r, ResultMixin)]
    if bad:
        raise InputError(f"results must hold llmflation results (with to_frame()); got {', '.join(bad[:5])}.")
    if labels is None:
        labels = [f"({i + 1})" for i in range(len(results))]
    labels = [str(x) for x in labels]
    if len(labels) != len(results) or len(set(labels)) != len(labels):
        raise InputError(f"labels must be {len(results)} distinct names, one per result; got {labels}.")
    if not isinstance(digits, int) or isinstance(digits, bool) or not 0 <= digits <= 12:
        raise InputError(f"digits must be an integer in [0, 12]; got {digits!r}.")

    order: list[str] = []
    cols: dict[str, dict[str, tuple[str, str]]] = {}
    frames = []
    for lab, r in zip(labels, results, strict=True):
        f = r.to_frame()
        frames.append(f)
        if terms is not None:
            f = f[f["term"].isin(list(terms))]
        cells: dict[str, tuple[str, str]] = {}
        for _, row in f.iterrows():
            name = _label(row, r.keys)
            if name in cells:  # a result without declared keys: keep the first, say so below
                continue
            top, sub = _cells(row, below, digits)
            if top == "" and sub == "":
                continue
            cells[name] = (top, sub)
            if name not in order:
                order.append(name)
        cols[lab] = cells
    if terms is not None:
        rank = {t: i for i, t in enumerate(terms)}
        order.sort(key=lambda n: rank.get(n.rsplit(": ", 1)[-1], len(rank)))
    if max_rows is not None and len(order) > max_rows:
        raise InputError(f"the table would have {len(order)} estimate rows (max_rows={max_rows}); choose some "
                         f"with terms=[...] (e.g. {order[:3]}) or pass max_rows=None.")

    rows: list[tuple[str, list[str]]] = []
    for name in order:
        rows.append((name, [cols[lab].get(name, ("", ""))[0] for lab in labels]))
        if below != "none":
            subs = [cols[lab].get(name, ("", ""))[1] for lab in labels]
            if any(subs):
                rows.append(("", subs))
    rows.append(("n", [_n(r, f) for r, f in zip(results, frames, strict=True)]))
    for key in _config_rows(results, config):
        rows.append((key, [_scalar(r.config.get(key)) or "" if key in r.config else "" for r in results]))
    rows.append(("result", [type_name(r) for r in results]))

    idx = [name for name, _ in rows]
    table = pd.DataFrame([vals for _, vals in rows], columns=labels)
    table.index = pd.Index(idx, name=None)
    below_text = {"ci": "intervals in brackets (the results' own levels), else (standard errors), else p-values",
                  "se": "standard errors in parentheses, else p-values", "p": "p-values", "none": ""}[below]
    all_notes = [f"Estimates with {below_text}." if below_text else "", *map(str, notes)]
    all_notes = [n for n in all_notes if n]
    table.attrs["notes"] = all_notes
    if type == "df":
        return table
    if type == "md":
        return _markdown(table, all_notes, caption)
    if type == "html":
        return _html(table, all_notes, caption)
    return _latex(table, all_notes, caption)


def type_name(r: Any) -> str:
    """The short name of a result's type (the ``result`` row of :func:`etable`).

    Examples
    --------
    >>> type_name(1.0)
    'float'
    """
    return type(r).__name__


def _config_rows(results: Sequence[Any], config: bool | Sequence[str]) -> list[str]:
    if config is False:
        return []
    if config is not True:
        return [str(c) for c in config]  # type: ignore[union-attr]
    keys: list[str] = []
    for r in results:
        for k, v in (getattr(r, "config", {}) or {}).items():
            if k not in HIDDEN_CONFIG and _scalar(v) is not None and k not in keys:
                keys.append(k)
    if len(results) == 1:
        return keys
    return [k for k in keys if len({_scalar(r.config.get(k)) if k in r.config else "" for r in results}) > 1]


def _md_cell(v: str) -> str:
    return str(v).replace("|", "\\|").replace("\n", " ")


def _markdown(t: pd.DataFrame, notes: list[str], caption: str | None) -> str:
    lines = [f"**{caption}**", ""] if caption else []
    lines.append("|  | " + " | ".join(_md_cell(c) for c in t.columns) + " |")
    lines.append("|" + "---|" * (len(t.columns) + 1))
    for name, row in t.iterrows():
        lines.append(f"| {_md_cell(str(name))} | " + " | ".join(_md_cell(v) for v in row) + " |")
    lines += ["", *[f"_{_md_cell(n)}_" for n in notes]] if notes else []
    return "\n".join(lines)


def _html(t: pd.DataFrame, notes: list[str], caption: str | None) -> str:
    body = t.to_html(escape=True, border=0, classes="llmflation-etable")
    cap = f"<p><strong>{html.escape(caption)}</strong></p>" if caption else ""
    foot = "".join(f"<p><small>{html.escape(n)}</small></p>" for n in notes)
    return f"<div class='llmflation-etable'>{cap}{body}{foot}</div>"


def _latex(t: pd.DataFrame, notes: list[str], caption: str | None) -> str:
    # pandas' own to_latex (Styler, jinja2): booktabs rules, cells escaped
    t = t.copy()
    t.index = [str(i) for i in t.index]
    tex: str = t.to_latex(escape=True, column_format="l" + "c" * len(t.columns), caption=caption,
                          position="htbp" if caption else None)
    if notes:
        note = " ".join(n for n in notes)
        esc = pd.DataFrame({"n": [note]}).to_latex(escape=True, index=False, header=False)
        text = esc.split("\\midrule")[-1] if "\\midrule" in esc else esc
        text = text.replace("\\begin{tabular}{l}", "").replace("\\end{tabular}", "")
        text = text.replace("\\toprule", "").replace("\\bottomrule", "").replace("\\\\", "").strip()
        tex = tex.replace("\\end{tabular}", "\\end{tabular}\n\\par\\footnotesize " + text, 1)
    return tex
