"""Terminal tables without pandas: the layout of :func:`llmflation.cli._common.print_table`.

:func:`render_cells` lays out columns of already formatted cells for a terminal of the
console's width; ``_common`` formats a DataFrame's cells and calls it, and the fast lookup
path (:mod:`llmflation.cli.fast`) calls it directly, so one layout serves both and the
``price`` command starts without importing pandas.
"""

from __future__ import annotations

from typing import Any

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

#: The consoles every command prints to (stdout: data and tables; stderr: progress and retries).
console = Console()
err_console = Console(stderr=True)

#: Characters that make a spreadsheet read a CSV cell as a formula (OWASP "CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: Bidirectional-text controls (U+202E shows text reversed, "Trojan Source"): escaped on output.
_BIDI = {0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)}


def escape_controls(text: str) -> str:
    r"""``text`` with control and bidi characters written as escapes (``\x00``, ``\u202e``).

    >>> escape_controls("a\u202eb\x00c")
    'a\\u202eb\\x00c'
    """
    if text.isprintable() and not any(ord(c) in _BIDI for c in text):
        return text
    out = []
    for c in text:
        o = ord(c)
        if o in _BIDI or (not c.isprintable() and c != " "):
            out.append(f"\\x{o:02x}" if o < 0x100 else f"\\u{o:04x}" if o < 0x10000 else f"\\U{o:08x}")
        else:
            out.append(c)
    return "".join(out)



def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def csv_safe(value: Any) -> Any:
    r"""A CSV cell that a spreadsheet shows as text: formula starts prefixed with ``'``, controls escaped.

    Numbers (``-0.5``, ``+3``) are left alone; text beginning with ``=``, ``+``, ``-``, ``@``,
    a tab or a carriage return is prefixed with a single quote.

    >>> [csv_safe(x) for x in ("=1+1", "-0.5", "-x", "@SUM(A1)", "gpt-4o", 3.0)]
    ["'=1+1", '-0.5', "'-x", "'@SUM(A1)", 'gpt-4o', 3.0]
    """
    if not isinstance(value, str):
        return value
    if value.startswith(FORMULA_START) and not _is_number(value):
        value = "'" + value
    return escape_controls(value)


# --------------------------------------------------------------------------- terminal tables
#
# A table must stay readable in an 80-column terminal: a date or a number is never split
# over two lines. Numbers are rounded for display (json/csv keep full precision), column
# labels are shortened with the units moved into the title, ids are cut with an ellipsis,
# a table too wide for the terminal is split into column groups that repeat the first
# column, and a wide single row is shown as field/value pairs.

#: Text columns (ids, names) are cut to no fewer than this many characters before the
#: table is split into column groups instead.
TEXT_MIN = 12
#: Nor are they ever wider than this (long ids are cut with an ellipsis).
TEXT_MAX = 36
#: Characters between two columns (right padding + the divider).
GAP = 2

#: Whole column names shortened for display.
_LABELS = {
    "factor_per_year": "factor/yr", "half_life_years": "half-life", "r_squared": "R²", "moore_p_value": "Moore p",
    "moore_t": "Moore t", "std_error": "se", "p_value": "p", "statistic": "stat", "valid_from": "from",
    "valid_to": "to", "observed_at": "observed", "source_key": "source key", "is_reasoning": "reasoning",
    "model_id": "model", "equivalent_firms": "equiv. firms", "listed_share_pct": "listed %", "n_clusters": "clusters",
    "start_date": "start", "end_date": "end", "se_type": "se type", "distribution": "distrib.", "open_weights": "open",
    "context_tokens": "context", "df_num": "df1", "df_denom": "df2", "n_firms": "firms",
}
#: Name endings shortened for display, with the unit they carry (said once in the title).
_SUFFIXES = (("_usd_per_mtok", "", "prices in USD per 1M tokens"), ("_years", "", "{} in years"),
             ("_pct", " %", None), ("_conf_low", " lo", None), ("_conf_high", " hi", None),
             ("_boot_low", " boot lo", None), ("_boot_high", " boot hi", None))


def short_label(name: Any) -> tuple[str, str | None]:
    """A short display label for a column and the unit it names (or None).

    >>> short_label("input_usd_per_mtok"), short_label("half_life_conf_low")
    (('input', 'prices in USD per 1M tokens'), ('half-life lo', None))
    """
    s = str(name)
    if s in _LABELS:
        unit = "half-life in years" if s == "half_life_years" else None
        return _LABELS[s], unit
    unit = None
    for suf, rep_, u in _SUFFIXES:
        if s.endswith(suf) and len(s) > len(suf):
            base = s[: -len(suf)]
            unit = u.format(base.replace("_", " ")) if u else None
            s = base + rep_
            break
    s = s.replace("half_life", "half-life").replace("factor_conf", "factor").replace("_", " ")
    return s, unit


def _cut(s: str, width: int) -> str:
    return s if len(s) <= width else s[: max(width - 1, 0)] + "…"


def render_cells(con: Console, cols: list[str], kinds: list[str], cells: list[list[str]], n_rows: int,
                 title: str | None) -> None:
    """Lay out formatted ``cells`` (one list per column of ``cols``, of kind ``text``, ``prose``,
    ``number``, ``date`` or ``short``) for the console's width (see the notes above)."""
    width = max(int(con.width), 40)
    labels, units = [], []
    for c in cols:
        lab, unit = short_label(c)
        labels.append(lab)
        if unit and unit not in units:
            units.append(unit)
    if len(set(labels)) < len(labels):  # shortening made two labels equal: keep the names
        labels = [str(c) for c in cols]
    if units and title and not any(u in title or u.split(" in ")[-1] in title.split("(")[-1] for u in units):
        title = f"{title} ({'; '.join(units)})"
    elif units and not title:
        title = "; ".join(units).capitalize()
    natural = [max([len(lab), *(len(x) for x in col)]) for lab, col in zip(labels, cells, strict=True)]
    minimum = []
    for lab, col, k, nat in zip(labels, cells, kinds, natural, strict=True):
        if k in ("text",):
            minimum.append(max(min(nat, TEXT_MIN), len(lab)))
        elif k == "prose":
            longest = max([len(lab), *(len(w) for x in col for w in x.split())])
            minimum.append(min(max(longest, TEXT_MIN), width - 4))
        else:
            minimum.append(nat)
    need = sum(natural) + GAP * (len(cols) - 1)
    if n_rows == 1 and len(cols) > 2 and sum(minimum) + GAP * (len(cols) - 1) > width:
        _render(con, ["text", "prose"], [[str(x) for x in labels], [col[0] for col in cells]], ["field", "value"],
                title, width)
        return
    if need <= width or not cols:
        _render(con, kinds, cells, labels, title, width)
        return
    groups: list[list[int]] = []
    rest = list(range(1, len(cols)))
    while rest:
        group, used = [0], minimum[0]
        while rest and used + GAP + minimum[rest[0]] <= width:
            used += GAP + minimum[rest[0]]
            group.append(rest.pop(0))
        if len(group) == 1:  # one column wider than the terminal on its own: show it anyway
            group.append(rest.pop(0))
        groups.append(group)
    for i, g in enumerate(groups):
        part = title if len(groups) == 1 else f"{title} ({i + 1}/{len(groups)})" if title else \
            f"({i + 1}/{len(groups)})"
        _render(con, [kinds[j] for j in g], [cells[j] for j in g], [labels[j] for j in g], part, width)


def _render(con: Console, kinds: list[str], cells: list[list[str]], labels: list[str],
            title: str | None, width: int) -> None:
    natural = [max([len(lab), *(len(x) for x in col)]) for lab, col in zip(labels, cells, strict=True)]
    fixed = [k not in ("text", "prose") for k in kinds]
    widths = [n if f else min(n, TEXT_MAX) if k == "text" else n for n, f, k in zip(natural, fixed, kinds,
                                                                                    strict=True)]
    budget = width - GAP * (len(widths) - 1)
    # shrink the widest text/prose columns until the table fits (never below their minimum)
    floor = [w if f else (max(min(w, TEXT_MIN), len(lab)) if k == "text" else
                          min(max([TEXT_MIN, len(lab), *(len(t) for x in col for t in x.split())]), budget))
             for w, f, k, lab, col in zip(widths, fixed, kinds, labels, cells, strict=True)]
    while sum(widths) > budget:
        cand = [i for i, w in enumerate(widths) if w > floor[i]]
        if not cand:
            break
        i = max(cand, key=lambda j: widths[j])
        widths[i] -= 1
    # the title is its own line, wrapped at the terminal's width: as a rich table title it
    # would wrap at the (often narrow) table's width, a word per line
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, padding=(0, 1, 0, 0),
                  collapse_padding=True)
    for lab, k, w in zip(labels, kinds, widths, strict=True):
        table.add_column(escape(lab), justify="right" if k == "number" else "left", no_wrap=k != "prose",
                         overflow="fold" if k == "prose" else "ellipsis", min_width=w if k != "prose" else None,
                         max_width=w)
    for r in range(len(cells[0]) if cells else 0):
        table.add_row(*[escape(col[r] if k == "prose" else _cut(col[r], w))
                        for col, k, w in zip(cells, kinds, widths, strict=True)])
    if title:
        from rich.text import Text

        con.print(Text(escape_controls(title), style="bold"), width=width)  # Text: never parsed as markup
    con.print(table, width=width)
