"""Validation declared once, in the signature: ``@validated`` reads the annotations.

A public function states its argument types, choices and ranges in its signature —
``Literal`` for choices, :data:`Level`, :data:`NonNegativeInt`, ``Annotated[float,
Range(gt=0)]`` for ranges, ``Annotated[pd.DataFrame, Frame(columns=...)]`` for frames —
and ``@validated`` checks every argument the caller passed against it, with the
package's error wording (:class:`~llmflation.errors.InputError`: what was seen, what was
expected, how to fix it; the wording of :mod:`llmflation.validate`'s ``check_*``). The
function body then re-checks nothing its signature declares; it keeps only the checks a
type cannot say (a column that must exist in *this* frame, two options that exclude each
other).

Values are normalised as the ``check_*`` helpers do (``2.0`` for an ``int`` becomes
``2``, an ``int`` for a ``float`` becomes a ``float``). Defaults are trusted and not
checked. Annotations the decorator cannot read as a check (``Sequence[...]``,
``dict[...]``, ``Any``, unions of several kinds) are left to the function.

Examples
--------
>>> from typing import Literal
>>> @validated
... def fit(data: pd.DataFrame, *, rts: Literal["crs", "vrs"] = "crs", level: Level = 0.95,
...         n_boot: NonNegativeInt = 0) -> str:
...     return f"{rts} {level} {n_boot}"
>>> fit(pd.DataFrame({"x": [1]}), n_boot=2.0)
'crs 0.95 2'
>>> fit(pd.DataFrame({"x": [1]}), rts="drs")
Traceback (most recent call last):
...
llmflation.errors.InputError: rts='drs' is not allowed; expected one of: 'crs', 'vrs'.
>>> fit(pd.DataFrame({"x": [1]}), level=1.5)
Traceback (most recent call last):
...
llmflation.errors.InputError: level must be in (0, 1); got 1.5. Use e.g. 0.95.
"""

from __future__ import annotations

import functools
import inspect
import numbers
import os
import types
import typing
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

import pandas as pd

from llmflation.errors import InputError, check_choice
from llmflation.validate import (
    check_bool,
    check_date,
    check_frame,
    check_int,
    check_int_sequence,
    check_number,
    check_price_date,
    check_series,
    check_str,
    check_str_sequence,
)

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Range:
    """Bounds of a number, for ``Annotated[int | float, Range(...)]``.

    ``ge``/``le`` are closed bounds, ``gt``/``lt`` open ones; ``hint`` is appended to the
    error message (how to fix it).

    Examples
    --------
    >>> Range(gt=0, lt=1).gt
    0
    """

    ge: float | None = None
    gt: float | None = None
    le: float | None = None
    lt: float | None = None
    hint: str = ""


@dataclass(frozen=True)
class Frame:
    """The schema of a DataFrame argument, for ``Annotated[pd.DataFrame, Frame(...)]``.

    Examples
    --------
    >>> Frame(columns=("date", "price"), what="a DataFrame of dated prices").columns
    ('date', 'price')
    """

    columns: tuple[str, ...] = ()
    min_rows: int = 0
    what: str = "a pandas DataFrame"


@dataclass(frozen=True)
class Via:
    """A check that a type cannot say, for ``Annotated[T, Via(check)]``: ``check(value, name)``.

    The check raises :class:`~llmflation.errors.InputError` or returns the normalised
    value (e.g. :func:`llmflation.validate.check_price_date` for :data:`PriceDate`).

    Examples
    --------
    >>> Via(check_str).check("x", "by")
    'x'
    """

    check: Callable[[Any, str], Any]


#: A confidence level strictly between 0 and 1.
Level = Annotated[float, Range(gt=0, lt=1, hint="Use e.g. 0.95.")]
#: A count that may be zero (bootstrap resamples: 0 = none).
NonNegativeInt = Annotated[int, Range(ge=0)]
#: A count of at least one.
PositiveInt = Annotated[int, Range(ge=1)]
#: A random seed (use ``Seed | None`` where None means fresh entropy).
Seed = Annotated[int, Range(ge=0)]
#: A strictly positive number.
PositiveFloat = Annotated[float, Range(gt=0)]
#: A non-negative number.
NonNegativeFloat = Annotated[float, Range(ge=0)]
#: Any real number, NaN and infinities included (a statistic, or a bound that could not be computed).
Real = Annotated[float, Via(lambda v, name: _real(v, name))]
#: The date of an LLM price (2015-01-01 to tomorrow; ISO ``YYYY-MM-DD`` when a string), as a Timestamp.
PriceDate = Annotated[str | pd.Timestamp, Via(check_price_date)]
#: A forecast horizon (2015-01-01 to 2100-12-31), as a Timestamp.
HorizonDate = Annotated[str | pd.Timestamp, Via(lambda v, name: check_price_date(v, name, future=True))]
#: Any date (ISO ``YYYY-MM-DD`` when a string), checked and passed on as given.
DateLike = Annotated[str | pd.Timestamp, Via(lambda v, name: (check_date(v, name), v)[1])]
#: Names (columns, series, developers): one string or any sequence of strings, normalised to a tuple.
Columns = Annotated[tuple[str, ...], Via(check_str_sequence)]
#: At least one name (see :data:`Columns`), normalised to a tuple.
SomeColumns = Annotated[tuple[str, ...], Via(lambda v, name: check_str_sequence(v, name, allow_empty=False))]
#: One name or a non-empty sequence of names, checked and passed on as given (``"MMLU"`` stays a string).
Names = Annotated[str | Sequence[str],
                  Via(lambda v, name: (check_str_sequence(v, name, allow_empty=False), v)[1])]
#: Positive integers (e.g. the k of CR-k), as a tuple.
PositiveInts = Annotated[Sequence[int], Via(lambda v, name: check_int_sequence(v, name, minimum=1))]

Check = Callable[[Any, str], Any]


def _real(v: Any, name: str) -> float:
    if isinstance(v, bool) or not isinstance(v, numbers.Real):
        raise InputError(f"{name} must be a number; got {v!r} ({type(v).__name__}).")
    return float(v)


def _unwrap(hint: Any) -> tuple[Any, list[Any]]:
    meta: list[Any] = []
    while typing.get_origin(hint) is Annotated:
        args = typing.get_args(hint)
        hint, meta = args[0], [*meta, *args[1:]]
    return hint, meta


def _is_union(hint: Any) -> bool:
    return typing.get_origin(hint) in (typing.Union, types.UnionType)


def _literal_check(values: tuple[Any, ...]) -> Check:
    def check(v: Any, name: str) -> Any:
        if not isinstance(v, str | int | float | bool | type(None)):
            opts = ", ".join(repr(a) for a in values)
            raise InputError(f"{name} must be one of: {opts}; got a {type(v).__name__}.")
        if isinstance(v, bool) and not any(isinstance(a, bool) for a in values):  # True == 1, yet not a choice
            opts = ", ".join(repr(a) for a in values)
            raise InputError(f"{name}={v!r} is not allowed; expected one of: {opts}.")
        check_choice(name, v, values)
        return v

    return check


def _choices_check(values: tuple[Any, ...]) -> Check:
    opts = ", ".join(repr(a) for a in values)

    def check(v: Any, name: str) -> Any:
        if isinstance(v, str | bytes) or not isinstance(v, Iterable):
            raise InputError(f"{name} must be a list of choices from: {opts}; got {v!r} ({type(v).__name__}).")
        out = tuple(v)
        for x in out:
            if not isinstance(x, str | int | float | bool | type(None)) or isinstance(x, bool) or x not in values:
                raise InputError(f"{name} holds {x!r}, which is not allowed; expected one of: {opts}.")
        return out

    return check


def _number_bounds(meta: list[Any]) -> dict[str, Any]:
    r = next((m for m in meta if isinstance(m, Range)), None)
    if r is None:
        return {}
    out: dict[str, Any] = {"hint": r.hint}
    if r.gt is not None:
        out.update(low=r.gt, low_open=True)
    elif r.ge is not None:
        out.update(low=r.ge)
    if r.lt is not None:
        out.update(high=r.lt, high_open=True)
    elif r.le is not None:
        out.update(high=r.le)
    return out


def _int_check(meta: list[Any]) -> Check:
    r = next((m for m in meta if isinstance(m, Range)), None)
    lo = None if r is None else (r.ge if r.ge is not None else (r.gt + 1 if r.gt is not None else None))
    hi = None if r is None else (r.le if r.le is not None else (r.lt - 1 if r.lt is not None else None))
    lo = int(lo) if lo is not None else None
    hi = int(hi) if hi is not None else None
    hint = "" if r is None else r.hint

    def check(v: Any, name: str) -> Any:
        try:
            return check_int(v, name, minimum=lo, maximum=hi)
        except InputError as e:
            if not hint:
                raise
            raise InputError(f"{e} {hint}") from None

    return check


def _class_check(cls: type) -> Check:
    def check(v: Any, name: str) -> Any:
        if not isinstance(v, cls):
            raise InputError(f"{name} must be a {cls.__name__}; got {v!r} ({type(v).__name__}).")
        return v

    return check


def _path_check(v: Any, name: str) -> Any:
    if isinstance(v, bytes) or not isinstance(v, str | os.PathLike) or not os.fspath(v):
        raise InputError(f"{name} must be a path to a file (e.g. 'prices.duckdb'); got {v!r} ({type(v).__name__}).")
    return v


def checker(hint: Any) -> tuple[Check | None, bool]:
    """The check a type annotation declares, and whether it allows None.

    Returns ``(None, allow_none)`` for annotations that declare no check this module
    reads (the function keeps those).

    Examples
    --------
    >>> check, allow_none = checker(Level | None)
    >>> allow_none, check(0.9, "level")
    (True, 0.9)
    """
    hint, meta = _unwrap(hint)
    allow_none = False
    via = next((m for m in meta if isinstance(m, Via)), None)
    if via is not None:
        return via.check, _is_union(hint) and type(None) in typing.get_args(hint)
    if _is_union(hint):
        parts = [p for p in typing.get_args(hint) if p is not type(None)]
        allow_none = len(parts) < len(typing.get_args(hint))
        if len(parts) == 1:
            inner, allow = checker(parts[0] if not meta else Annotated[parts[0], *meta])
            return inner, allow_none or allow
        if set(parts) <= {str, Path, os.PathLike}:
            return _path_check, allow_none
        if all(typing.get_origin(p) is Literal for p in parts):
            return _literal_check(tuple(a for p in parts for a in typing.get_args(p))), allow_none
        return None, allow_none
    if hint is type(None):
        return None, True
    if typing.get_origin(hint) is Literal:
        values = typing.get_args(hint)
        return _literal_check(tuple(v for v in values if v is not None)), None in values
    if hint is bool:
        return check_bool, False
    if hint is int:
        return _int_check(meta), False
    if hint is float:
        bounds = _number_bounds(meta)
        return (lambda v, name: check_number(v, name, **bounds)), False
    if hint is str:
        return check_str, False
    if hint is pd.DataFrame:
        fr = next((m for m in meta if isinstance(m, Frame)), Frame())
        return (lambda v, name: check_frame(v, name, columns=fr.columns, min_rows=fr.min_rows, what=fr.what)), False
    if hint is pd.Series:
        return (lambda v, name: check_series(v, name, numeric=False)), False
    origin = typing.get_origin(hint)
    if origin in (tuple, list, Sequence) and typing.get_args(hint) and typing.get_origin(typing.get_args(hint)[0]) \
            is Literal:
        return _choices_check(typing.get_args(typing.get_args(hint)[0])), False
    if typing.get_origin(hint) is dict or hint is dict:
        return _class_check(dict), False
    if isinstance(hint, type) and hint.__module__.startswith("llmflation"):
        return _class_check(hint), False
    return None, False


def _checks(func: Callable[..., Any]) -> dict[str, tuple[Check, bool]]:
    hints = typing.get_type_hints(func, include_extras=True)
    out: dict[str, tuple[Check, bool]] = {}
    for name, p in inspect.signature(func).parameters.items():
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) or name not in hints:
            continue
        check, allow_none = checker(hints[name])
        if check is not None:
            out[name] = (check, allow_none)
    return out


def check_fields(obj: Any) -> None:
    """Check a dataclass's fields against their annotations (call it from ``__post_init__``).

    An options object (several options that travel together) declares its types once,
    like a function's signature; values are normalised in place.

    Examples
    --------
    >>> from dataclasses import dataclass
    >>> @dataclass(frozen=True)
    ... class Options:
    ...     level: Level = 0.95
    ...     def __post_init__(self) -> None:
    ...         check_fields(self)
    >>> Options(level=2)
    Traceback (most recent call last):
    ...
    llmflation.errors.InputError: level must be in (0, 1); got 2. Use e.g. 0.95.
    """
    import dataclasses

    hints = typing.get_type_hints(type(obj), include_extras=True)
    for f in dataclasses.fields(obj):
        check, allow_none = checker(hints.get(f.name, Any))
        v = getattr(obj, f.name)
        if check is None or (v is None and allow_none):
            continue
        object.__setattr__(obj, f.name, check(v, f.name))


def validated(func: F) -> F:
    """Check every argument passed to ``func`` against its annotation (see the module docstring).

    Parameters
    ----------
    func : callable
        A function (or method) with annotated parameters.

    Returns
    -------
    callable
        ``func`` wrapped: the arguments the caller passed are checked and normalised,
        then ``func`` runs. Bad values raise :class:`~llmflation.errors.InputError` naming
        the argument, the value seen and what is expected. ``__wrapped__`` is the original.

    Examples
    --------
    >>> @validated
    ... def trend(*, n_boot: NonNegativeInt = 0, by: str | None = "tier") -> tuple:
    ...     return n_boot, by
    >>> trend(n_boot=3.0, by=None)
    (3, None)
    >>> trend(n_boot=-1)
    Traceback (most recent call last):
    ...
    llmflation.errors.InputError: n_boot must be an integer >= 0; got -1.
    """
    sig = inspect.signature(func)
    checks: dict[str, tuple[Check, bool]] | None = None

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        nonlocal checks
        if checks is None:
            checks = _checks(func)
        try:
            bound = sig.bind(*args, **kwargs)
        except TypeError as e:
            raise InputError(f"{func.__qualname__}(): {e}; see help({func.__name__}) for its arguments.") from None
        for name, value in bound.arguments.items():
            if name not in checks:
                continue
            check, allow_none = checks[name]
            if value is None and allow_none:
                continue
            bound.arguments[name] = check(value, name)
        return func(*bound.args, **bound.kwargs)

    wrapper.__signature__ = sig  # type: ignore[attr-defined]
    return typing.cast(F, wrapper)
