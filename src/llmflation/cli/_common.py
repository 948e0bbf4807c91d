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
from rich.console import Console
from rich.markup import escape

from llmflation.cli._table import (  # noqa: F401 - re-exported: the one definition of the layout
    FORMULA_START,
    GAP,
    TEXT_MAX,
    TEXT_MIN,
    console,
    csv_safe,
    err_console,
    escape_controls,
    render_cells,
    short_label,
)
from llmflation.validate import json_safe


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
    from llmflation.store.paths import user_store

    return user_store()


def resolve_db(db: Path | None) -> Path | None:
    """The store a command reads: ``--db``, else ``$LLMFLATION_DB``, else the user-data store if it exists.

    The one rule of every command with ``--db``: a store named explicitly (the option or
    the variable) must exist and open as a store, else the command refuses with
    ``Error:``; only the *default* user-data store may be absent (the bundle alone is
    analysed then). A file that is not a store (corrupt, another format) is refused too,
    even by commands whose analysis reads only bundled tables.
    """
    from llmflation.errors import LLMFlationError, StoreError
    from llmflation.store.paths import resolve_store

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


def print_table(df: pd.DataFrame, *, title: str | None = None, console: Console | None = None) -> None:
    """Render ``df`` for a terminal of ``console.width`` columns (see the notes above)."""
    con = console or globals()["console"]
    cols = list(df.columns)
    kinds = [_kind(df[c]) for c in cols]
    cells = [[_fmt_cell(v, k) for v in df[c]] for c, k in zip(cols, kinds, strict=True)]
    render_cells(con, cols, kinds, cells, len(df), title)


def emit_result(result: Any, fmt: Format, notes: list[str] | None = None) -> None:
    """Emit an analysis result through its ``to_frame()``; ``notes`` (from the CLI's input parsing) come first."""
    notes = [*(notes or []), *(getattr(result, "notes", ()) or ())]
    vintage = getattr(result, "vintage", None)
    if vintage:
        notes.append(f"Data vintage: {vintage}")
    title = getattr(result, "title", None)
    emit(result.wide() if hasattr(result, "wide") else result.to_frame(), fmt, title=title if isinstance(title, str) else None, notes=notes,
         extra={"title": title, "notes": notes} if fmt == Format.json else None)
