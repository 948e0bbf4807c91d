"""Numbers for people: significant digits, factors as ×, shares as %, CIs as [a, b].

One place decides how every number of the report is printed, so that a reader never
sees ``4e+03×``, ``3.21e+04 [7.86, 1.31e+08]×`` or ``1.906e-287``. Scientific notation
is used only where the quantity needs it (from 10⁶ or below 10⁻⁴), and then as
``1.3 × 10⁸`` (a superscript exponent, a real minus sign). Counts and years are never
rounded: ``5,596`` stays ``5,596`` and the year 2019 stays ``2019``.

Examples
--------
>>> factor(4012.3)
'4,010×'
>>> factor_ci(32090, 7.86, 1.31e8)
'32,100× [7.9, 1.3 × 10⁸]'
>>> pvalue(1.906e-287)
'< 0.001'
>>> share(0.2346)
'23.5%'
>>> years(1.104), years(float("inf"))
('1.1 y', '∞')
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from html import escape
from typing import Any

#: Below this a p-value is printed as a bound: a float p of 1e-287 is no more informative
#: than "very small", and HAC tests on step series give such numbers spuriously.
P_FLOOR = 0.001


def _finite(v: Any) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def num(v: Any, sig: int = 3) -> str:
    """A number with ``sig`` significant digits, thousands separators, no exponent
    from 10^-4 up to 10^6.

    Examples
    --------
    >>> num(0.0004871), num(12.3456), num(123456.7), num(-2.0), num(float("nan"))
    ('0.000487', '12.3', '123,000', '−2', 'n/a')
    """
    f = _finite(v)
    if f is None:
        return "n/a"
    if math.isinf(f):
        return "∞" if f > 0 else "−∞"
    if f == 0:
        return "0"
    a = abs(f)
    sign = "−" if f < 0 else ""
    if a >= 1e6 or a < 1e-4:
        exp = math.floor(math.log10(a))
        mant = a / 10**exp
        m = f"{mant:.{sig}g}"
        if float(m) >= 10:  # rounding carried into the next power
            exp += 1
            m = f"{float(m) / 10:.{sig}g}"
        return f"{sign}{m} × 10{superscript(exp)}"
    digits = sig - 1 - math.floor(math.log10(a))
    r = round(a, digits)
    if digits <= 0:
        return f"{sign}{int(r):,}"
    s = f"{r:,.{digits}f}".rstrip("0").rstrip(".")
    return f"{sign}{s}"


_SUPER = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def superscript(exp: int) -> str:
    """An integer exponent in superscript digits: ``-5`` → ``⁻⁵``."""
    return str(int(exp)).translate(_SUPER)


def count(v: Any) -> str:
    """A count, never rounded: ``5,596``.

    Examples
    --------
    >>> count(5596), count(12.0), count(None)
    ('5,596', '12', 'n/a')
    """
    f = _finite(v)
    if f is None or math.isinf(f):
        return "n/a"
    return f"{int(round(f)):,}".replace("-", "−")


def year(v: Any) -> str:
    """A calendar year, never rounded nor given a thousands separator: ``2019``."""
    f = _finite(v)
    if f is None or math.isinf(f):
        return "n/a"
    return str(int(round(f)))


def _is_year_column(c: str) -> bool:
    return ("year" in c and "years" not in c and "per_year" not in c and "_yr" not in c) or c in ("yr", "since")


def _is_count_column(c: str) -> bool:
    return (c in ("n", "n_obs", "n_models", "count", "rows", "df", "df_num", "df_denom", "lags", "rank",
                  "n_removed", "n_specs", "n_firms") or c.startswith(("n_", "num_")) or c.endswith(("_n", "_count")))


def factor(v: Any, sig: int = 3) -> str:
    """A multiplicative factor: ``12.3×``."""
    s = num(v, sig)
    return s if s == "n/a" else f"{s}×"


def ci(lo: Any, hi: Any, sig: int = 2) -> str:
    """An interval ``[a, b]``; ``n/a`` when either end is missing."""
    a, b = _finite(lo), _finite(hi)
    if a is None or b is None:
        return ""
    return f"[{num(a, sig)}, {num(b, sig)}]"


def est_ci(est: Any, lo: Any, hi: Any, *, unit: str = "", sig: int = 3, ci_sig: int = 2) -> str:
    """An estimate with its interval: ``1.1 y [0.8, 1.6]`` (``ci_sig`` digits for the ends)."""
    e = num(est, sig)
    if e == "n/a":
        return e
    c = ci(lo, hi, ci_sig)
    return f"{e}{unit}" + (f" [{c[1:-1]}]" if c else "")


def factor_ci(est: Any, lo: Any, hi: Any, sig: int = 3) -> str:
    """A factor with its interval: ``344× [24, 4,930]``."""
    e = factor(est, sig)
    c = ci(lo, hi)
    return e if e == "n/a" or not c else f"{e} {c}"


def years(v: Any, sig: int = 2) -> str:
    """A duration in years (half-lives): ``1.1 y``; infinite as ``∞``."""
    f = _finite(v)
    if f is None:
        return "n/a"
    if math.isinf(f):
        return "∞"
    return f"{num(f, sig)} y"


def share(v: Any, digits: int = 1, *, scale: float = 1.0) -> str:
    """A share as a percentage; ``scale=100`` when ``v`` is already in percent."""
    f = _finite(v)
    if f is None:
        return "n/a"
    return f"{f * 100 / scale:.{digits}f}%".replace("-", "−")


def pvalue(v: Any) -> str:
    """A p-value: three decimals, or ``< 0.001``.

    Examples
    --------
    >>> pvalue(0.0523), pvalue(0.00049), pvalue(None)
    ('0.052', '< 0.001', 'n/a')
    """
    f = _finite(v)
    if f is None:
        return "n/a"
    if f < P_FLOOR:
        return "< 0.001"
    return f"{f:.3f}" if f < 0.995 else "> 0.99"


def cell(v: Any, column: str = "") -> str:
    """Format one table cell by its column's name (p-values, shares, factors) and type."""
    c = column.lower()
    if v is None:
        return ""
    if isinstance(v, bool):
        return "yes" if v else "no"
    if hasattr(v, "strftime"):
        try:
            return v.strftime("%Y-%m-%d")
        except ValueError:
            return ""
    if isinstance(v, int | float) or hasattr(v, "item"):
        f = _finite(v)
        if f is None:
            return ""
        if c in ("p_value", "p", "pvalue") or c.startswith("p_value") or c.endswith("_p"):
            return pvalue(f)
        if _is_year_column(c) and f.is_integer() and 1000 <= abs(f) <= 3000:
            return year(f)
        if _is_count_column(c) or (isinstance(v, int) or (hasattr(v, "dtype") and getattr(v.dtype, "kind", "") in "iu")):
            return count(f) if f.is_integer() else num(f)
        if "share" in c or c.endswith("_pct") or c.endswith("_percent"):
            return share(f, scale=100.0) if (c.endswith("_pct") or c.endswith("_percent") or abs(f) > 1.0) else share(f)
        if "factor" in c or c.endswith("_x"):
            return factor(f)
        return num(f)
    return str(v)


def render_table_html(rows: Sequence[Mapping[str, Any]] | Any, *, caption: str | None = None,
                      max_rows: int | None = None, csv_href: str | None = None,
                      labels: Mapping[str, str] | None = None) -> str:
    """An escaped HTML table for people; rows beyond ``max_rows`` go behind ``<details>``.

    ``rows`` is a sequence of mappings or a DataFrame; ``labels`` gives the header shown for a
    column (formatting still follows the column's own name). Every cell and header is
    HTML-escaped, so a model name such as ``<script>…`` from the data shows as text. Tables
    carry ``class="sortable"`` (the page sorts them on a click) and sit in a wrapper that
    scrolls sideways on its own, never the page.

    Examples
    --------
    >>> html = render_table_html([{"model": "<b>x</b>", "p_value": 1e-300}])
    >>> "&lt;b&gt;x&lt;/b&gt;" in html and "&lt; 0.001" in html
    True
    """
    if hasattr(rows, "to_dict"):
        records: list[Mapping[str, Any]] = rows.to_dict(orient="records")
    else:
        records = list(rows)
    cols: list[str] = list(records[0].keys()) if records else []

    def td(v: Any, c: str) -> str:
        text = escape(cell(v, c))
        # text (not numbers) is left-aligned and may wrap: class "t"
        return f'<td class="t">{text}</td>' if isinstance(v, str) else f"<td>{text}</td>"

    def body(recs: Iterable[Mapping[str, Any]]) -> str:
        return "".join("<tr>" + "".join(td(r.get(c), c) for c in cols) + "</tr>" for r in recs)

    text_cols = {c for c in cols if any(isinstance(r.get(c), str) for r in records[:20])}
    lab = dict(labels or {})

    def head_of(recs: Sequence[Mapping[str, Any]]) -> tuple[list[str], str]:
        # a column with nothing to show in these rows is left out (it stays in the CSV)
        keep = [c for c in cols if any(cell(r.get(c), c) != "" for r in recs)] or cols
        return keep, "<thead><tr>" + "".join(
            f'<th class="t" scope="col">{escape(str(lab.get(c, c)))}</th>' if c in text_cols
            else f'<th scope="col">{escape(str(lab.get(c, c)))}</th>' for c in keep) + "</tr></thead>"

    def table(recs: Sequence[Mapping[str, Any]], cap: str = "") -> str:
        nonlocal cols
        keep, head = head_of(recs)
        every, cols = cols, keep
        try:
            return f'<div class="tablewrap"><table class="sortable">{cap}{head}<tbody>{body(recs)}</tbody></table></div>'
        finally:
            cols = every

    cap = f"<caption>{escape(caption)}</caption>" if caption else ""
    shown = records if max_rows is None else records[:max_rows]
    html = table(shown, cap)
    link = f'<a class="csv" href="{escape(csv_href)}">CSV</a>' if csv_href else ""
    if max_rows is not None and len(records) > max_rows:
        html += (f"<details><summary>All {len(records):,} rows ({link or 'full table'})</summary>"
                 f"{table(records)}</details>")
    elif link:
        html += f'<p class="tablelinks">{link}</p>'
    return html


_SCI = re.compile(r"(?<![\w.])(-?\d+(?:\.\d+)?)[eE]([+-]?\d+)(?![\w.])")


def humanize(text: Any) -> str:
    """Free text (a result's notes) with raw scientific notation rewritten by :func:`num`.

    Examples
    --------
    >>> humanize("p = 1.906e-287, n = 12, change -0.5 (2024-05-13)")
    'p = 1.91 × 10⁻²⁸⁷, n = 12, change −0.5 (2024-05-13)'
    """
    out = _SCI.sub(lambda m: num(float(m.group(0))), str(text))
    out = _CARET.sub(lambda m: superscript(int(m.group(1).replace("−", "-"))), out)
    out = _CARET_GROUP.sub(lambda m: m.group(1).translate(_SUPER_GROUP), out)
    return _MINUS.sub("−", out)


#: ``10^8`` written with a caret in free text.
_CARET = re.compile(r"\^([−-]?\d+)")
#: ``x^(2/9)``: a parenthesised exponent of digits and operators.
_CARET_GROUP = re.compile(r"\^(\([0-9/+\-−]+\))")
_SUPER_GROUP = str.maketrans("0123456789/+-−()", "⁰¹²³⁴⁵⁶⁷⁸⁹ᐟ⁺⁻⁻⁽⁾")
#: A hyphen used as a minus sign: at the start of a number not preceded by a word character.
_MINUS = re.compile(r"(?<![\w.\-])-(?=\d)")
