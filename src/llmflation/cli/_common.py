"""Shared CLI plumbing: output formats, error handling, the store path."""

from __future__ import annotations

import datetime
import json
import os
from enum import StrEnum
from numbers import Integral as numbers_Integral
from numbers import Real as numbers_Real
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import typer
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from llmflation.validate import json_safe

console = Console()
err_console = Console(stderr=True)


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


FormatOpt = typer.Option(Format.table, "--format", "-f", help="Output format: table, json or csv.")


def default_db() -> Path:
    """Store path: ``$LLMFLATION_DB`` or a file in the user data dir."""
    env = os.environ.get("LLMFLATION_DB")
    if env:
        return Path(env)
    from platformdirs import user_data_dir

    return Path(user_data_dir("llmflation")) / "llmflation.duckdb"


DbOpt = typer.Option(None, "--db", help="DuckDB store path (default: $LLMFLATION_DB or user data dir).")
#: For commands that analyse prices: the store whose fetched history is merged with the bundle.
StudyDbOpt = typer.Option(None, "--db", help="Store whose fetched history is analysed with the bundled snapshot "
                          "(default: $LLMFLATION_DB, else the user-data store if it exists, else the bundle alone).")


def _user_store() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("llmflation")) / "llmflation.duckdb"


def resolve_db(db: Path | None) -> Path | None:
    """The store a command reads: ``--db``, else ``$LLMFLATION_DB``, else the user-data store if it exists.

    The one rule of every command with ``--db``: a store named explicitly (the option or
    the variable) must exist and open as a store, else the command refuses with
    ``Error:``; only the *default* user-data store may be absent (the bundle alone is
    analysed then). A file that is not a store (corrupt, another format) is refused too,
    even by commands whose analysis reads only bundled tables.
    """
    from llmflation.errors import LLMFlationError, StoreError
    from llmflation.study.inputs import resolve_store

    path = resolve_store(db, default=_user_store())
    if path is None:
        return None
    if path.is_dir():
        raise StoreError(f"--db {str(path)!r} is a directory; expected a DuckDB store file written by "
                         "`llmflation fetch` (e.g. prices.duckdb).")
    from llmflation.store import Store

    try:
        with Store(path, read_only=True):
            pass
    except LLMFlationError:
        raise
    except Exception as exc:  # duckdb's own errors: not a store, corrupt, wrong version
        raise StoreError(f"--db {str(path)!r} could not be opened as a store ({type(exc).__name__}: "
                         f"{str(exc).splitlines()[0] if str(exc) else ''}); expected a DuckDB store written by "
                         "`llmflation fetch`. Give another path, or leave out --db to use the bundled "
                         "snapshot.") from None
    return path


def study_inputs(db: Path | None) -> Any:
    """The data an analysing command runs on (``llmflation.study.inputs.StudyInputs``); see :func:`resolve_db`."""
    from llmflation.study.inputs import StudyInputs

    return StudyInputs(resolve_db(db))


def load_panel_for(db: Path | None) -> pd.DataFrame:
    """The panel of a command with ``--db``: the bundle merged with the store of :func:`resolve_db`."""
    from llmflation.panel.build import load_panel

    path = resolve_db(db)
    if path is None:
        return load_panel(warn=False)
    from llmflation.store import Store

    with Store(path, read_only=True) as store:
        return load_panel(store=store, warn=False)


def read_user_csv(path: Path, flag: str = "--csv", *, columns: tuple[str, ...] = (), **kwargs: Any) -> pd.DataFrame:
    """A user's CSV file, refused clearly when missing, unreadable, empty or header-only.

    Parameters
    ----------
    path : Path
        The file.
    flag : str
        The option that named it, for the message.
    columns : tuple of str
        Columns the command needs (named in the message when the file is unusable).
    **kwargs
        Passed to :func:`pandas.read_csv`.
    """
    from llmflation.errors import InputError

    want = f" with columns {', '.join(map(repr, columns))}" if columns else ""
    if not Path(path).is_file():
        raise InputError(f"{flag} {str(path)!r} is not a file; expected a CSV{want}.")
    try:
        df = pd.read_csv(path, **kwargs)
    except pd.errors.EmptyDataError:
        raise InputError(f"{flag} {str(path)!r} is empty; expected a CSV{want} and at least one data row.") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise InputError(f"{flag} {str(path)!r} is not a readable CSV ({str(exc).splitlines()[0]}); expected a "
                         f"comma-separated UTF-8 file{want}.") from None
    if df.empty:
        raise InputError(f"{flag} {str(path)!r} has a header ({', '.join(map(str, df.columns))}) but no data rows; "
                         f"expected at least one row{want}.")
    return df


def parse_iso_day(value: str, flag: str) -> pd.Timestamp:
    """An LLM price date given on the command line as ``YYYY-MM-DD`` (``06/01/2024`` is refused: US or European?).

    Dates outside :func:`llmflation.validate.price_date_bounds` (2015-01-01 to tomorrow) are refused.

    >>> parse_iso_day("2024-06-01", "--on").date().isoformat()
    '2024-06-01'
    """
    import re

    from llmflation.errors import InputError
    from llmflation.validate import check_price_date

    s = str(value).strip()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", s):
        raise InputError(f"{flag} {value!r} is not a date; expected YYYY-MM-DD (e.g. 2024-06-01); "
                         "dates such as 06/01/2024 are refused because they read differently in the US and "
                         "elsewhere.")
    try:
        ts = pd.Timestamp(s)
    except ValueError:
        raise InputError(f"{flag} {value!r} is not a calendar date; expected YYYY-MM-DD.") from None
    return check_price_date(ts, flag)  # an LLM price date: 2015-01-01 to tomorrow


def _jsonable(v: Any, seen: set[str] | None = None, key: str = "") -> Any:
    return json_safe(v, seen, key)


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


def safe_csv_frame(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with every text cell and column name passed through :func:`csv_safe`."""
    out = df.copy()
    out.columns = [csv_safe(str(c)) for c in out.columns]
    for c in out.columns:
        col = out[c]
        if col.dtype == object or pd.api.types.is_string_dtype(col.dtype) or isinstance(col.dtype, pd.CategoricalDtype):
            out[c] = col.astype(object).map(csv_safe)
    return out


def emit(df: pd.DataFrame, fmt: Format, title: str | None = None, notes: list[str] | None = None,
         extra: dict[str, Any] | None = None) -> None:
    """Print a frame as a rich table, strict JSON (records, plus ``extra``) or spreadsheet-safe CSV."""
    if fmt == Format.csv:
        typer.echo(safe_csv_frame(df).to_csv(index=False), nl=False)
        return
    if fmt == Format.json:
        seen: set[str] = set()
        recs = [{str(k): _jsonable(v, seen, str(k)) for k, v in r.items()} for r in df.to_dict(orient="records")]
        payload: Any = recs
        if extra is not None:
            head = _jsonable(extra, seen)
            if seen:
                msg = (f"Non-finite values (infinite or undefined) written as null in: {', '.join(sorted(seen))}; "
                       "JSON has no NaN or Infinity.")
                head["notes"] = [*(head.get("notes") or []), msg]
            payload = {**head, "rows": recs}
        typer.echo(json.dumps(payload, indent=2, default=str, allow_nan=False))
        return
    print_table(df, title=title, console=console)
    for n in notes or []:
        console.print(f"[dim]{escape(escape_controls(n))}[/dim]", markup=True, highlight=False)


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


def _kind(s: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(s.dtype):
        return "short"
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        return "date"
    if pd.api.types.is_numeric_dtype(s.dtype):
        return "number"
    vals = [v for v in s if v is not None and not (isinstance(v, float) and v != v) and v is not pd.NaT]
    if vals and all(hasattr(v, "isoformat") for v in vals):
        return "date"
    if vals and all(isinstance(v, numbers_Real) and not isinstance(v, bool) for v in vals):
        return "number"
    if vals and all(isinstance(v, bool) for v in vals):
        return "short"
    if any(isinstance(v, str) and " " in v.strip() for v in vals):
        return "prose"  # words wrap at spaces; ids (no spaces) are cut with an ellipsis
    return "text"


def fmt_number(v: Any) -> str:
    """A number rounded for reading: 4 significant digits, thousands separators, no float noise.

    >>> [fmt_number(x) for x in (2600.0, 26315.79, 0.38, 5.7e-11, 1.0, 12, 1.23456789e9)]
    ['2,600', '26,316', '0.38', '5.7e-11', '1', '12', '1.23e+09']
    """
    if v is None or isinstance(v, float | np.floating) and not np.isfinite(v):
        if v is None or v != v:
            return ""
        return "inf" if v > 0 else "-inf"
    if isinstance(v, bool | np.bool_):
        return "yes" if v else "no"
    if isinstance(v, numbers_Integral):
        return f"{int(v):,}" if abs(int(v)) >= 10_000 else str(int(v))
    x = float(v)
    a = abs(x)
    if a == 0:
        return "0"
    if a >= 1e9 or a < 1e-3:
        return f"{x:.3g}"
    if a >= 1000:
        return f"{x:,.0f}"
    return f"{x:.4g}"


def _fmt_cell(v: Any, kind: str) -> str:
    if v is None or v is pd.NaT or v is pd.NA or (isinstance(v, float) and v != v):
        return ""
    if isinstance(v, bool | np.bool_):
        return "yes" if v else "no"
    if kind == "number" or (isinstance(v, numbers_Real) and not isinstance(v, bool)):
        return fmt_number(v)
    if isinstance(v, pd.Timestamp | datetime.datetime):
        ts = pd.Timestamp(v)
        return ts.strftime("%Y-%m-%d") if ts == ts.normalize() else ts.strftime("%Y-%m-%d %H:%M")
    if isinstance(v, datetime.date):
        return v.isoformat()
    return escape_controls(str(v).replace("\n", " "))


def _cut(s: str, width: int) -> str:
    return s if len(s) <= width else s[: max(width - 1, 0)] + "…"


def print_table(df: pd.DataFrame, *, title: str | None = None, console: Console | None = None) -> None:
    """Render ``df`` for a terminal of ``console.width`` columns (see the notes above)."""
    con = console or globals()["console"]
    width = max(int(con.width), 40)
    cols = list(df.columns)
    kinds = [_kind(df[c]) for c in cols]
    cells = [[_fmt_cell(v, k) for v in df[c]] for c, k in zip(cols, kinds, strict=True)]
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
    if len(df) == 1 and len(cols) > 2 and sum(minimum) + GAP * (len(cols) - 1) > width:
        kv = pd.DataFrame({"field": labels, "value": [col[0] for col in cells]})
        _render(con, kv, ["text", "prose"], [[str(x) for x in kv["field"]], list(kv["value"])], ["field", "value"],
                title, width)
        return
    if need <= width or not cols:
        _render(con, df, kinds, cells, labels, title, width)
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
        _render(con, df, [kinds[j] for j in g], [cells[j] for j in g], [labels[j] for j in g], part, width)


def _render(con: Console, df: pd.DataFrame, kinds: list[str], cells: list[list[str]], labels: list[str],
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


def emit_result(result: Any, fmt: Format, notes: list[str] | None = None) -> None:
    """Emit an analysis result through its ``to_frame()``; ``notes`` (from the CLI's input parsing) come first."""
    notes = [*(notes or []), *(getattr(result, "notes", ()) or ())]
    vintage = getattr(result, "vintage", None)
    if vintage:
        notes.append(f"Data vintage: {vintage}")
    title = getattr(result, "title", None)
    emit(result.wide() if hasattr(result, "wide") else result.to_frame(), fmt, title=title if isinstance(title, str) else None, notes=notes,
         extra={"title": title, "notes": notes} if fmt == Format.json else None)
