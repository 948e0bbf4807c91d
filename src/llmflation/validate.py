"""Argument checks shared by the public API and the CLI.

Every check raises :class:`~llmflation.errors.InputError` (or :class:`UnitError` for
mixed price units) with a message that says what was seen, what was expected and how to
fix it. Checks return the normalised value so callers can write
``n_boot = check_int(n_boot, "n_boot", minimum=0)``.

Dates parse only in unambiguous formats: ISO 8601 (``2024-05-13``, ``2024-05``,
``2024``, with an optional time), quarters (``2024Q2``, ``2024-Q2``) and month names
(``May 2024``, ``May-2024``, ``2024-May``), or a declared ``date_format`` (a
``strftime`` pattern such as ``%d/%m/%Y``, or ``"unix"`` for Unix seconds). A date such as
``06/01/2024`` is June 1 in the US and January 6 elsewhere, so it is refused unless a
format is declared.

Examples
--------
>>> check_int(3, "n_boot", minimum=0)
3
>>> check_date("2024-06-01", "on")
Timestamp('2024-06-01 00:00:00')
>>> check_date("06/01/2024", "on")
Traceback (most recent call last):
...
llmflation.errors.InputError: on='06/01/2024' is not an unambiguous date; expected ISO YYYY-MM-DD (e.g. 2024-06-01).
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import numbers
import re
from collections.abc import Iterable, Sequence
from typing import Any, Literal, overload

import numpy as np
import pandas as pd

from llmflation.errors import InputError, UnitError

#: A ratio between a price and its series' median (or between neighbours, see
#: :data:`NEIGHBOUR_JUMP`) at or above this is a unit slip, not a price change: the
#: steepest real declines in LLM prices are ~1,000x over several years, whereas per-token
#: vs per-million (1e6) or per-1k vs per-million (1e3 with a 10x price gap) slips land above.
UNIT_RATIO = 1e4
#: Neighbouring prices (in time order) this far apart are a unit slip (~1e6 = per token vs per 1M).
NEIGHBOUR_JUMP = 1e5
#: Rows named in an error message before "… and N more".
MAX_SHOWN = 5
#: Integer "dates" in this range are read as calendar years.
YEAR_RANGE = (1000, 2999)
#: The earliest date an LLM API price can carry: the first commercial LLM APIs opened in
#: 2020, so anything before 2015 is a typo (year 0000, 1026, a two-digit year), never data.
PRICE_DATE_MIN = pd.Timestamp("2015-01-01")
#: The latest horizon a forecast accepts: a log-linear trend says nothing a century ahead,
#: and nanosecond timestamps end in 2262.
FORECAST_DATE_MAX = pd.Timestamp("2100-12-31")

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?"
                  r"(Z|[+-]\d{2}:?\d{2})?)?$")
_ISO_YM = re.compile(r"^(\d{4})-(\d{1,2})$")
_ISO_Y = re.compile(r"^(\d{4})$")
_QUARTER = re.compile(r"^(\d{4})\s*-?\s*Q([1-4])$|^Q([1-4])\s*[-\s]?\s*(\d{4})$", re.IGNORECASE)
_MONTHS = {m.lower(): i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}
_MONTH_NAME = re.compile(r"^([A-Za-z]{3,9})\.?[\s\-/]+(\d{4})$|^(\d{4})[\s\-/]+([A-Za-z]{3,9})\.?$")
_DAY_MONTH_NAME = re.compile(r"^(\d{1,2})[\s\-]+([A-Za-z]{3,9})\.?[\s\-,]+(\d{4})$|"
                             r"^([A-Za-z]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4})$")
#: Looks like a date but in an order that cannot be told apart (dd/mm vs mm/dd, 2-digit years).
_AMBIGUOUS = re.compile(r"^\d{1,4}[/.\-]\d{1,2}[/.\-]\d{1,4}$")


def _tname(x: Any) -> str:
    return type(x).__name__


def _shown(values: Iterable[Any], n: int | None = None) -> str:
    vals = list(values)
    total = len(vals) if n is None else n
    out = ", ".join(repr(v) if isinstance(v, str) else str(v) for v in vals[:MAX_SHOWN])
    return out + (f" … and {total - MAX_SHOWN} more" if total > MAX_SHOWN else "")


# --------------------------------------------------------------------------- scalars


def check_bool(x: Any, name: str) -> bool:
    """``x`` as a bool; numbers and strings are refused (``"False"`` is truthy).

    >>> check_bool(True, "chained")
    True
    """
    if isinstance(x, bool | np.bool_):
        return bool(x)
    raise InputError(f"{name} must be True or False; got {x!r} ({_tname(x)}).")


def check_int(x: Any, name: str, *, minimum: int | None = None, maximum: int | None = None,
              allow_none: bool = False) -> Any:
    """``x`` as an int within ``[minimum, maximum]``; bools, floats with a fraction and strings are refused.

    >>> check_int(2.0, "k")
    2
    >>> check_int(-5, "n_boot", minimum=0)
    Traceback (most recent call last):
    ...
    llmflation.errors.InputError: n_boot must be an integer >= 0; got -5.
    """
    if x is None and allow_none:
        return None
    rng = (f" >= {minimum}" if maximum is None else f" in [{minimum}, {maximum}]") if minimum is not None else (
        f" <= {maximum}" if maximum is not None else "")
    ok = isinstance(x, numbers.Integral) and not isinstance(x, bool | np.bool_)
    if not ok and isinstance(x, float | np.floating) and math.isfinite(float(x)) and float(x).is_integer():
        ok = True
    if not ok:
        raise InputError(f"{name} must be an integer{rng}; got {x!r} ({_tname(x)}).")
    v = int(x)
    if (minimum is not None and v < minimum) or (maximum is not None and v > maximum):
        raise InputError(f"{name} must be an integer{rng}; got {v}.")
    return v


def check_positive_int(x: Any, name: str, *, allow_none: bool = False) -> Any:
    """``x`` as an int >= 1.

    >>> check_positive_int(4, "max_breaks")
    4
    """
    return check_int(x, name, minimum=1, allow_none=allow_none)


def check_number(x: Any, name: str, *, low: float | None = None, high: float | None = None,
                 low_open: bool = False, high_open: bool = False, allow_none: bool = False,
                 hint: str = "") -> Any:
    """``x`` as a finite float within the given bounds (open or closed).

    >>> check_number(0.95, "level", low=0, high=1, low_open=True, high_open=True)
    0.95
    >>> check_number("0.9", "level")
    Traceback (most recent call last):
    ...
    llmflation.errors.InputError: level must be a number; got '0.9' (str).
    """
    if x is None and allow_none:
        return None
    if isinstance(x, bool | np.bool_) or not isinstance(x, numbers.Real):
        raise InputError(f"{name} must be a number; got {x!r} ({_tname(x)}).{(' ' + hint) if hint else ''}")
    v = float(x)
    if not math.isfinite(v):
        raise InputError(f"{name} must be a finite number; got {v}.{(' ' + hint) if hint else ''}")
    lo_bad = low is not None and (v <= low if low_open else v < low)
    hi_bad = high is not None and (v >= high if high_open else v > high)
    if lo_bad or hi_bad:
        lb = "" if low is None else ("(" if low_open else "[") + f"{low:g}"
        hb = "" if high is None else f"{high:g}" + (")" if high_open else "]")
        want = (f"in {lb}, {hb}" if low is not None and high is not None
                else (f"{'>' if low_open else '>='} {low:g}" if low is not None else f"{'<' if high_open else '<='} {high:g}"))
        raise InputError(f"{name} must be {want}; got {v:g}.{(' ' + hint) if hint else ''}")
    return v


def check_level(x: Any, name: str = "level") -> float:
    """A confidence level strictly between 0 and 1.

    >>> check_level(0.9)
    0.9
    """
    return float(check_number(x, name, low=0, high=1, low_open=True, high_open=True, hint="Use e.g. 0.95."))


def check_seed(x: Any, name: str = "seed") -> int | None:
    """A random seed: None or a non-negative integer."""
    return check_int(x, name, minimum=0, allow_none=True)  # type: ignore[no-any-return]


def check_str(x: Any, name: str, *, allow_none: bool = False) -> Any:
    """``x`` as a non-empty string.

    >>> check_str("tier", "by")
    'tier'
    """
    if x is None and allow_none:
        return None
    if not isinstance(x, str) or not x.strip():
        raise InputError(f"{name} must be a non-empty string (a column name or option); got {x!r} ({_tname(x)}).")
    return x


def check_int_sequence(x: Any, name: str, *, minimum: int = 1) -> tuple[int, ...]:
    """A non-empty sequence of integers >= ``minimum`` (a single int is accepted too).

    >>> check_int_sequence((1, 4), "k")
    (1, 4)
    """
    if isinstance(x, numbers.Integral) and not isinstance(x, bool | np.bool_):
        x = (x,)
    if isinstance(x, str | bytes) or not isinstance(x, Iterable):
        raise InputError(f"{name} must be a sequence of integers >= {minimum} (e.g. (1, 4)); got {x!r} ({_tname(x)}).")
    vals = tuple(check_int(v, f"every element of {name}", minimum=minimum) for v in x)
    if not vals:
        raise InputError(f"{name} is empty; give at least one integer >= {minimum} (e.g. (1, 4)).")
    return vals


def check_str_sequence(x: Any, name: str, *, allow_empty: bool = True) -> tuple[str, ...]:
    """A sequence of strings (a single string is one element).

    >>> check_str_sequence("eci", "quality")
    ('eci',)
    """
    if isinstance(x, str):
        return (x,)
    if not isinstance(x, Iterable) or isinstance(x, bytes | pd.DataFrame):
        raise InputError(f"{name} must be a string or a sequence of strings; got {x!r} ({_tname(x)}).")
    vals = tuple(x)
    bad = [v for v in vals if not isinstance(v, str)]
    if bad:
        raise InputError(f"{name} must hold strings (column names); got {_shown(bad)}.")
    if not vals and not allow_empty:
        raise InputError(f"{name} is empty; give at least one column name.")
    return vals


# --------------------------------------------------------------------------- frames and series


def check_frame(x: Any, name: str, *, columns: Sequence[str] = (), min_rows: int = 0,
                what: str = "a pandas DataFrame", allow_none: bool = False) -> Any:
    """``x`` must be a DataFrame holding ``columns`` and at least ``min_rows`` rows.

    >>> check_frame(pd.DataFrame({"a": [1]}), "panel", columns=["a"]).shape
    (1, 1)
    >>> check_frame([1, 2], "panel")
    Traceback (most recent call last):
    ...
    llmflation.errors.InputError: panel must be a pandas DataFrame; got list. Build one with pd.DataFrame(...) or pd.read_csv(...).
    """
    if x is None and allow_none:
        return None
    if not isinstance(x, pd.DataFrame):
        raise InputError(f"{name} must be {what}; got {_tname(x)}. Build one with pd.DataFrame(...) or "
                         "pd.read_csv(...).")
    missing = [c for c in columns if c not in x.columns]
    if missing:
        raise InputError(f"{name} lacks column(s) {missing}; it has {list(map(str, x.columns))[:20]}.")
    if len(x) < min_rows:
        raise InputError(f"{name} has {len(x)} row(s); at least {min_rows} are needed.")
    return x


def check_column_name(frame: pd.DataFrame, col: Any, name: str, *, allow_none: bool = False) -> Any:
    """``col`` must be a column of ``frame`` (or None when allowed)."""
    if col is None and allow_none:
        return None
    if not isinstance(col, str) and not (isinstance(col, numbers.Integral) and col in frame.columns):
        raise InputError(f"{name} must be a column name (str); got {col!r} ({_tname(col)}).")
    if col not in frame.columns:
        raise InputError(f"{name}={col!r} is not a column; columns are: {', '.join(map(str, frame.columns))}.")
    return col


@overload
def pick_column(frame: pd.DataFrame, given: str | None, candidates: Sequence[str], what: str, *,
                required: Literal[True] = ...) -> str: ...
@overload
def pick_column(frame: pd.DataFrame, given: str | None, candidates: Sequence[str], what: str, *,
                required: bool) -> str | None: ...
def pick_column(frame: pd.DataFrame, given: str | None, candidates: Sequence[str], what: str, *,
                required: bool = True) -> str | None:
    """The column named ``given``, else the first of ``candidates`` present in ``frame``.

    Parameters
    ----------
    frame : DataFrame
    given : str or None
        A column the caller named explicitly (it must exist).
    candidates : sequence of str
        Names to try, in order, when ``given`` is None.
    what : str
        What the column holds, for the error message.
    required : bool, default True
        Raise when no candidate is present (else return None).

    Examples
    --------
    >>> f = pd.DataFrame({"release_date": [], "price": []})
    >>> pick_column(f, None, ("valid_from", "release_date"), "date")
    'release_date'
    >>> pick_column(f, None, ("eci",), "capability score", required=False) is None
    True
    """
    if given is not None:
        if given not in frame.columns:
            raise InputError(f"column {given!r} ({what}) is not in the frame; columns are: "
                             f"{', '.join(map(str, frame.columns))}.")
        return given
    for c in candidates:
        if c in frame.columns:
            return c
    if required:
        raise InputError(f"no {what} column found (looked for {', '.join(candidates)}); pass its name explicitly.")
    return None


def check_series(x: Any, name: str, *, numeric: bool = True, min_len: int = 1) -> pd.Series:
    """``x`` as a Series (1-D arrays and lists are wrapped), numeric when asked.

    >>> check_series([1.0, 2.0], "y").tolist()
    [1.0, 2.0]
    """
    if isinstance(x, pd.DataFrame):
        if x.shape[1] != 1:
            raise InputError(f"{name} must be one series; got a DataFrame with {x.shape[1]} columns. Pass df['col'].")
        x = x.iloc[:, 0]
    if not isinstance(x, pd.Series):
        if isinstance(x, str | bytes | dict) or np.ndim(x) == 0:
            raise InputError(f"{name} must be a pandas Series or a 1-D sequence of numbers; got {_tname(x)}.")
        arr = np.asarray(x, dtype=object)
        if arr.ndim != 1:
            raise InputError(f"{name} must be one-dimensional; got shape {arr.shape}.")
        x = pd.Series(list(arr))
    if numeric:
        num = pd.to_numeric(x, errors="coerce")
        bad = num.isna() & x.notna()
        if bad.any():
            raise InputError(f"{name} must hold numbers; got non-numeric values {_shown(x[bad].unique().tolist())} "
                             f"(at {_shown(x.index[bad].tolist())}). Convert with pd.to_numeric first.")
        x = num.astype(float)
    if len(x) < min_len:
        raise InputError(f"{name} has {len(x)} value(s); at least {min_len} needed.")
    return x


# --------------------------------------------------------------------------- dates


def _parse_one(v: str) -> pd.Timestamp | None:
    """One unambiguous date string, else None."""
    s = v.strip()
    m = _ISO.match(s)
    if m:
        try:
            return pd.Timestamp(s if m.group(4) else f"{int(m.group(1)):04d}-{int(m.group(2)):02d}-{int(m.group(3)):02d}")
        except (ValueError, OverflowError):
            return None
    m = _ISO_YM.match(s)
    if m:
        mon_ = int(m.group(2))
        return pd.Timestamp(int(m.group(1)), mon_, 1) if 1 <= mon_ <= 12 else None
    m = _ISO_Y.match(s)
    if m:
        return pd.Timestamp(int(m.group(1)), 1, 1)
    m = _QUARTER.match(s)
    if m:
        y, q = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        return pd.Timestamp(int(y), 3 * int(q) - 2, 1)
    m = _MONTH_NAME.match(s)
    if m:
        name, y = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        mo = _MONTHS.get(name.lower()[:3])
        full = ["january", "february", "march", "april", "may", "june", "july", "august", "september",
                "october", "november", "december"]
        if mo and (len(name) == 3 or name.lower() == full[mo - 1] or name.lower() == "sept"):
            return pd.Timestamp(int(y), mo, 1)
        return None
    m = _DAY_MONTH_NAME.match(s)
    if m:
        d, name, y = (m.group(1), m.group(2), m.group(3)) if m.group(1) else (m.group(5), m.group(4), m.group(6))
        mon = _MONTHS.get(name.lower()[:3])
        try:
            return pd.Timestamp(int(y), mon, int(d)) if mon else None
        except ValueError:
            return None
    return None


def _naive(ts: pd.Timestamp) -> pd.Timestamp:
    return ts.tz_convert("UTC").tz_localize(None) if ts.tzinfo is not None else ts


def check_date(x: Any, name: str, *, allow_none: bool = False, date_format: str | None = None,
               bounded: bool = True) -> Any:
    """``x`` as a Timestamp; strings must be unambiguous (ISO ``YYYY-MM-DD``) unless ``date_format`` is given.

    >>> check_date(pd.Timestamp("2024-01-02"), "start")
    Timestamp('2024-01-02 00:00:00')
    >>> check_date("2024-02-3", "break_at")
    Timestamp('2024-02-03 00:00:00')

    With ``bounded`` (the default) a date pandas cannot hold as a nanosecond timestamp
    (before 1677 or after 2262) is refused.
    """
    if x is None and allow_none:
        return None
    ts = _check_date(x, name, date_format)
    return _check_representable(ts, name, x) if bounded else ts


def _check_date(x: Any, name: str, date_format: str | None) -> pd.Timestamp:
    if isinstance(x, pd.Timestamp):
        if x is pd.NaT:
            raise InputError(f"{name} is NaT (a missing date); give a date like 2024-06-01.")
        return _naive(x)
    if isinstance(x, _dt.datetime | _dt.date | np.datetime64):
        ts = pd.Timestamp(x)
        if ts is pd.NaT:
            raise InputError(f"{name} is NaT (a missing date); give a date like 2024-06-01.")
        return _naive(ts)
    if isinstance(x, str):
        if date_format is not None:
            try:
                return pd.Timestamp(_dt.datetime.strptime(x.strip(), date_format))
            except ValueError:
                raise InputError(f"{name}={x!r} does not match the declared date format {date_format!r}.") from None
        ts = _parse_one(x)
        if ts is None:
            raise InputError(f"{name}={x!r} is not an unambiguous date; expected ISO YYYY-MM-DD (e.g. 2024-06-01).")
        return _naive(ts)
    raise InputError(f"{name} must be a date (ISO string like '2024-06-01' or a pandas Timestamp); "
                     f"got {x!r} ({_tname(x)}).")


def _check_representable(ts: pd.Timestamp, name: str, x: Any) -> pd.Timestamp:
    """Refuse a date outside what a pandas nanosecond timestamp holds (years 1677-2262)."""
    if not (pd.Timestamp.min <= ts <= pd.Timestamp.max):
        raise InputError(f"{name}={x!r} is outside the dates pandas can hold ({pd.Timestamp.min.date()} to "
                         f"{pd.Timestamp.max.date()}); check the year (a typo such as 0000 or 1026?).")
    return ts.as_unit("ns") if hasattr(ts, "as_unit") else ts


def price_date_bounds(*, future: bool = False) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The dates an LLM price can carry: :data:`PRICE_DATE_MIN` to tomorrow (or :data:`FORECAST_DATE_MAX`).

    Examples
    --------
    >>> lo, hi = price_date_bounds()
    >>> str(lo.date()), hi > pd.Timestamp("2024-01-01")
    ('2015-01-01', True)
    """
    hi = FORECAST_DATE_MAX if future else pd.Timestamp.now().normalize() + pd.Timedelta(days=1)
    return PRICE_DATE_MIN, hi


def check_price_date(x: Any, name: str, *, allow_none: bool = False, future: bool = False) -> Any:
    """``x`` as a Timestamp within the dates an LLM price can carry (see :func:`price_date_bounds`).

    The one bound check of dates given for LLM prices (``on``, ``start``, ``since``,
    ``until`` and the CLI's ``--on``/``--start``/``--since``/``--until``): from
    :data:`PRICE_DATE_MIN` to today + 1 day, or to :data:`FORECAST_DATE_MAX` for a
    forecast horizon (``future=True``). User data read from files may carry any date
    pandas can hold; they are checked by :func:`check_date`/:func:`parse_dates` instead.

    Parameters
    ----------
    x : str, Timestamp, date or None
        The date (ISO ``YYYY-MM-DD`` when a string).
    name : str
        The argument or option name, for the message.
    allow_none : bool, default False
        Return None for None.
    future : bool, default False
        Allow dates up to :data:`FORECAST_DATE_MAX` (a forecast horizon).

    Examples
    --------
    >>> check_price_date("2024-06-01", "on")
    Timestamp('2024-06-01 00:00:00')
    >>> check_price_date("0000-01-01", "--on")
    Traceback (most recent call last):
    ...
    llmflation.errors.InputError: --on=0000-01-01 is outside the dates of LLM prices; expected a date from 2015-01-01 to ...
    """
    if x is None and allow_none:
        return None
    ts = check_date(x, name, bounded=False)
    lo, hi = price_date_bounds(future=future)
    if not (lo <= ts <= hi):
        what = "a forecast horizon" if future else "the dates of LLM prices"
        upto = f"{hi.date()}" if future else f"{hi.date()} (tomorrow)"
        shown = f"{ts.year:04d}-{ts.month:02d}-{ts.day:02d}"
        raise InputError(f"{name}={shown} is outside {what}; expected a date from {lo.date()} to {upto}. "
                         "Check the year for a typo.")
    return ts.as_unit("ns") if hasattr(ts, "as_unit") else ts


def parse_dates(values: Any, name: str, *, date_format: str | None = None) -> tuple[pd.Series, dict[str, int]]:
    """Parse a column of dates strictly; returns the dates (NaT where unusable) and counts of dropped cells.

    * datetime columns pass through (time zones are converted to UTC and dropped);
    * integers within :data:`YEAR_RANGE` are calendar years (1 January);
    * other numbers are refused (Unix seconds or milliseconds? declare ``date_format="unix"``);
    * strings must be unambiguous (see the module docstring) or match ``date_format``.
      A column with dates in an ambiguous order (``06/01/2024``) is refused with a hint;
      empty cells and text that is no date at all become NaT and are counted as
      ``missing`` and ``unparseable``.

    Examples
    --------
    >>> d, dropped = parse_dates(pd.Series(["2024-01-31", "Feb 2024", "n/a", None]), "date")
    >>> [str(x.date()) if x == x else None for x in d], dropped
    (['2024-01-31', '2024-02-01', None, None], {'missing': 1, 'unparseable': 1})
    >>> parse_dates(pd.Series([2020, 2021]), "date")[0].dt.year.tolist()
    [2020, 2021]
    """
    s = values if isinstance(values, pd.Series) else pd.Series(values)
    dropped = {"missing": 0, "unparseable": 0}
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        out = s
        if getattr(out.dt, "tz", None) is not None:
            out = out.dt.tz_convert("UTC").dt.tz_localize(None)
        dropped["missing"] = int(out.isna().sum())
        return out.astype("datetime64[ns]"), dropped
    if date_format == "unix":
        num = pd.to_numeric(s, errors="coerce")
        dropped["missing"] = int(s.isna().sum())
        dropped["unparseable"] = int((num.isna() & s.notna()).sum())
        return pd.to_datetime(num, unit="s").astype("datetime64[ns]"), dropped
    if pd.api.types.is_bool_dtype(s.dtype):
        raise InputError(f"{name} holds True/False, not dates; expected ISO dates like 2024-05-13.")
    if pd.api.types.is_numeric_dtype(s.dtype):
        num = s.astype(float)
        fin = num[np.isfinite(num)]
        lo, hi = YEAR_RANGE
        if len(fin) and (fin == np.floor(fin)).all() and fin.between(lo, hi).all():
            dropped["missing"] = int((~np.isfinite(num)).sum())
            out = pd.to_datetime(pd.Series([f"{int(v):04d}-01-01" if math.isfinite(v) else None for v in num],
                                           index=s.index), format="%Y-%m-%d")
            return out.astype("datetime64[ns]"), dropped
        ex = fin.iloc[0] if len(fin) else float("nan")
        raise InputError(f"{name} holds numbers (e.g. {ex:g}), not dates; expected ISO dates like 2024-05-13 or "
                         "whole years like 2024. If they are Unix seconds, declare the format (date_format='unix', "
                         "CLI: --date-format unix) or convert them with pd.to_datetime(x, unit='s').")
    strs = s.astype("string")
    uniq = pd.unique(strs.dropna())
    if date_format is not None:
        parsed: dict[str, Any] = {}
        for u in uniq:
            try:
                parsed[u] = pd.Timestamp(_dt.datetime.strptime(str(u).strip(), date_format))
            except ValueError:
                parsed[u] = pd.NaT
    else:
        parsed = {}
        for u in uniq:
            ts = _parse_one(str(u))
            parsed[u] = _naive(ts) if ts is not None else pd.NaT
        ambiguous = [u for u in uniq if parsed[u] is pd.NaT and _AMBIGUOUS.match(str(u).strip())]
        if ambiguous:
            raise InputError(f"{name} has dates in an ambiguous order, e.g. {_shown(ambiguous)} (day/month or "
                             "month/day?); expected ISO dates like 2024-05-13, or declare the format "
                             "(date_format='%d/%m/%Y', CLI: --date-format '%d/%m/%Y').")
    oob = [u for u in uniq if parsed[u] is not pd.NaT and not (pd.Timestamp.min <= parsed[u] <= pd.Timestamp.max)]
    if oob:
        raise InputError(f"{name} has dates outside what pandas can hold ({pd.Timestamp.min.date()} to "
                         f"{pd.Timestamp.max.date()}), e.g. {_shown(oob)}; check the years (a typo such as 0000 "
                         "or 1026?) and fix or drop those rows.")
    missing = strs.isna() | (strs.str.strip() == "")
    out = pd.Series([pd.NaT if m else parsed.get(v, pd.NaT) for v, m in zip(strs, missing, strict=True)],
                    index=s.index, dtype="datetime64[ns]")
    dropped["missing"] = int(missing.sum())
    dropped["unparseable"] = int((out.isna() & ~missing).sum())
    if len(s) and dropped["unparseable"] and dropped["unparseable"] == int((~missing).sum()):
        bad = [u for u in uniq if parsed[u] is pd.NaT]
        how = f"the declared format {date_format!r}" if date_format else "an unambiguous format"
        raise InputError(f"no value of {name} is a date in {how}, e.g. {_shown(bad)}; expected ISO dates like "
                         "2024-05-13" + ("" if date_format else " (or declare the format, e.g. "
                                         "date_format='%d.%m.%Y', CLI: --date-format)") + ".")
    return out, dropped


def period_keys(labels: Any) -> tuple[pd.Series | None, str]:
    """Sort keys of period labels: numbers as numbers, date-like labels as dates, else None.

    Returns ``(keys, how)`` with ``how`` in ``"numeric"``, ``"date"``, ``"text"``.

    >>> k, how = period_keys(["Feb-2020", "Jan-2020"])
    >>> how, k.dt.month.tolist()
    ('date', [2, 1])
    """
    s = pd.Series(list(labels) if not isinstance(labels, pd.Series) else labels.to_list())
    if len(s) == 0:
        return None, "text"
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        return s, "date"
    if all(isinstance(v, pd.Period) for v in s):
        return pd.Series([v.start_time for v in s]), "date"
    if all(isinstance(v, pd.Timestamp | _dt.date | np.datetime64) for v in s):
        return pd.Series(pd.to_datetime(list(s))), "date"
    if all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in s):
        return s.astype(float), "numeric"
    if all(isinstance(v, str) for v in s):
        parsed = [_parse_one(v) for v in s]
        if all(p is not None for p in parsed):
            return pd.Series([_naive(p) for p in parsed if p is not None]), "date"
    return None, "text"


def ordered_periods(labels: Iterable[Any]) -> tuple[list[Any], str]:
    """Distinct period labels in time order and how the order was found (``date``/``numeric``/``text``).

    Text labels keep their sorted (alphabetical) order only if they are all strings of
    the same kind; callers decide whether that is acceptable.

    >>> ordered_periods(["Mar-2020", "Jan-2020", "Feb-2020"])
    (['Jan-2020', 'Feb-2020', 'Mar-2020'], 'date')
    """
    uniq = list(pd.unique(pd.Series(list(labels), dtype=object)))
    keys, how = period_keys(uniq)
    if keys is None:
        return uniq, "text"
    dup = pd.Series(keys.to_numpy()).duplicated(keep=False)
    if dup.any():
        clash = [u for u, d in zip(uniq, dup, strict=True) if d]
        raise InputError(f"period labels {_shown(clash)} denote the same period; use one label per period.")
    order = np.argsort(keys.to_numpy(), kind="stable")
    return [uniq[i] for i in order], how


# --------------------------------------------------------------------------- prices


def check_price_units(values: Any, labels: Any, what: str = "price") -> None:
    """Refuse a price series (in time order) that mixes units.

    A row at least :data:`UNIT_RATIO` times above or below the series median, or a step
    of at least :data:`NEIGHBOUR_JUMP` between neighbours, is a unit slip (per token vs
    per million tokens is 1e6) rather than a price change.

    >>> check_price_units([10.0, 8.0, 5.0, 5e-6], ["r1", "r2", "r3", "r4"])
    Traceback (most recent call last):
    ...
    llmflation.errors.UnitError: price mixes units: r4 = 5e-06 are 1e+04x or more away from the series median (6.325)...
    """
    v = np.asarray(pd.to_numeric(pd.Series(list(values) if not isinstance(values, pd.Series) else values),
                                 errors="coerce"), dtype=float)
    lab = list(labels)
    ok = np.isfinite(v) & (v > 0)
    if ok.sum() < 2:
        return
    lv = np.log10(v[ok])
    lab_ok = [lab[i] for i in np.flatnonzero(ok)]
    med = float(np.median(lv))
    far = np.abs(lv - med) >= math.log10(UNIT_RATIO)
    jump = np.zeros_like(far)
    steps = np.abs(np.diff(lv)) >= math.log10(NEIGHBOUR_JUMP)
    jump[1:] |= steps
    if not far.any() and not jump.any():
        return
    if far.any():
        idx = np.flatnonzero(far)
        why = f"are {UNIT_RATIO:.0e}x or more away from the series median ({10 ** med:.4g})"
    else:
        idx = np.flatnonzero(jump)
        why = f"jump by {NEIGHBOUR_JUMP:.0e}x or more from the row before"
    rows = ", ".join(f"{lab_ok[i]} = {10 ** lv[i]:.4g}" for i in idx[:MAX_SHOWN])
    more = f" … and {len(idx) - MAX_SHOWN} more" if len(idx) > MAX_SHOWN else ""
    raise UnitError(f"{what} mixes units: {rows}{more} {why}, which looks like prices per token (or per "
                    "1k tokens) among prices per million tokens. Convert every row to one unit (USD per million "
                    "tokens) and try again.")


def dropped_note(dropped: dict[str, int], what: str = "row") -> str | None:
    """A sentence counting dropped rows by reason, or None when nothing was dropped.

    >>> dropped_note({"unparseable date": 2, "missing price": 0, "non-positive price": 1})
    '3 row(s) dropped: 2 unparseable date, 1 non-positive price.'
    """
    parts = [f"{n} {k}" for k, n in dropped.items() if n]
    if not parts:
        return None
    return f"{sum(dropped.values())} {what}(s) dropped: {', '.join(parts)}."


# --------------------------------------------------------------------------- JSON


def json_safe(v: Any, seen: set[str] | None = None, key: str = "") -> Any:
    """``v`` made strict-JSON-ready: non-finite floats become None, dates ISO strings, numpy scalars Python ones.

    Containers are converted recursively. The keys under which infinities were replaced
    are added to ``seen`` (NaN is "missing", null anyway), so a caller can say so in notes.

    >>> json_safe({"a": float("inf"), "b": [np.float64(2.0), pd.Timestamp("2024-01-02")]})
    {'a': None, 'b': [2.0, '2024-01-02T00:00:00']}
    """
    if v is None or v is pd.NaT or v is pd.NA:
        return None
    if isinstance(v, dict):
        return {str(k): json_safe(x, seen, str(k)) for k, x in v.items()}
    if isinstance(v, list | tuple | set | frozenset):
        return [json_safe(x, seen, key) for x in v]
    if isinstance(v, np.ndarray):
        return [json_safe(x, seen, key) for x in v.tolist()]
    if isinstance(v, pd.Timestamp):
        return v.isoformat()
    if hasattr(v, "isoformat"):
        return v.isoformat()
    if hasattr(v, "item") and not isinstance(v, str | bytes):
        return json_safe(v.item(), seen, key)
    if isinstance(v, float) and not math.isfinite(v):
        if v == v and seen is not None:  # NaN is "missing" (null) anyway; infinities need saying
            seen.add(key or "?")
        return None
    return v


def dumps_strict(payload: Any, **kwargs: Any) -> str:
    """``payload`` as strict JSON (RFC 8259): NaN and infinities become ``null``, never ``NaN``/``Infinity``.

    >>> dumps_strict({"a": float("inf"), "b": [float("nan"), 1.0]})
    '{"a": null, "b": [null, 1.0]}'
    """
    return json.dumps(json_safe(payload), allow_nan=False, default=str, **kwargs)
