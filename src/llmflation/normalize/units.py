"""Unit conversion to USD per 1M tokens, done once, with a guard against unit slips."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from llmflation.errors import UnitError, check_choice

Unit = Literal["usd_per_token", "usd_per_mtok", "usd_per_ktok"]
_FACTOR = {"usd_per_token": 1e6, "usd_per_ktok": 1e3, "usd_per_mtok": 1.0}
#: Plausible range of a token price in USD per 1M tokens. The most expensive listed
#: model (o1-pro output) is $600/M; the cheapest non-free prices are ~$0.01/M. A value
#: outside [1e-4, 1e3] is far from any real price: a unit slip (LiteLLM's wandb/*
#: entries, written per 1M tokens but labelled per token, land at $10,000–540,000/M;
#: its watsonx jais/mt0 entries at $2,000/M are per-1k prices written per token).
PLAUSIBLE_USD_PER_MTOK = (1e-4, 1e3)


def to_usd_per_mtok(values: pd.Series | np.ndarray | list[float], unit: Unit, *,
                    strict: bool = True, what: str = "price", keep_implausible: bool = False) -> pd.Series:
    """Convert prices to USD per 1M tokens and reject values a factor ~1e6 off.

    The examples use doctest ELLIPSIS.

    Parameters
    ----------
    values : array-like of float
        Prices in ``unit``; NaN passes through. Zero and negative values are not checked
        here (see :func:`classify_prices`).
    unit : {"usd_per_token", "usd_per_mtok", "usd_per_ktok"}
    strict : bool
        Raise :class:`UnitError` on an implausible value (default); otherwise set it to NaN.
    keep_implausible : bool
        With ``strict=False``, return implausible values unchanged instead of NaN, so
        that :func:`classify_prices` labels them ``implausible`` (a unit slip) rather than
        ``missing``.

    Examples
    --------
    >>> to_usd_per_mtok([2.5e-6], "usd_per_token").tolist()
    [2.5]
    >>> to_usd_per_mtok([2.5], "usd_per_token")
    Traceback (most recent call last):
    ...
    llmflation.errors.UnitError: price 2.5e+06 USD/1M tokens (from 2.5 usd_per_token) is outside ...
    >>> to_usd_per_mtok([2.5], "usd_per_token", strict=False).isna().tolist()
    [True]
    """
    check_choice("unit", unit, tuple(_FACTOR))
    s = pd.Series(values, dtype="float64") if not isinstance(values, pd.Series) else values.astype("float64")
    out = s * _FACTOR[unit]
    lo, hi = PLAUSIBLE_USD_PER_MTOK
    bad = (out > 0) & ((out < lo) | (out > hi))
    if bad.any():
        i = bad.to_numpy().nonzero()[0][0]
        v, raw = float(out.iloc[i]), float(s.iloc[i])
        guess = "USD per 1M tokens mislabelled as " + unit if v > hi else "USD per token mislabelled as " + unit
        msg = (f"{what} {v:.6g} USD/1M tokens (from {raw:.6g} {unit}) is outside the plausible range "
               f"[{lo:g}, {hi:.4g}]: the value looks like {guess}. Check the unit of the source.")
        if strict:
            raise UnitError(msg)
        if not keep_implausible:
            out = out.mask(bad)
    return out


@dataclass
class ExclusionLog:
    """Counts of price rows excluded while building the panel, by source and reason."""

    counts: dict[tuple[str, str], int] = field(default_factory=dict)

    def add(self, source: str, reason: str, n: int) -> None:
        if n:
            self.counts[(source, reason)] = self.counts.get((source, reason), 0) + int(n)

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([{"source": s, "reason": r, "rows": n} for (s, r), n in sorted(self.counts.items())],
                            columns=["source", "reason", "rows"])

    def warn(self) -> None:
        if self.counts:
            parts = "; ".join(f"{s}: {n} {r}" for (s, r), n in sorted(self.counts.items()))
            warnings.warn(f"price rows excluded from the panel — {parts}", UserWarning, stacklevel=3)


#: Every label :func:`classify_prices` gives.
PRICE_LABELS = ("ok", "free", "partly_free", "sentinel", "negative", "missing", "implausible")


def classify_prices(inp: pd.Series, out: pd.Series) -> pd.Series:
    """Label each (input, output) price pair (USD per 1M tokens), one label per pair.

    ``missing`` = either price absent (NaN, or text such as "varies"); ``implausible`` =
    a positive price outside :data:`PLAUSIBLE_USD_PER_MTOK` (a unit slip, see
    ``to_usd_per_mtok(..., keep_implausible=True)``); ``negative`` = a negative price
    other than the sentinel; ``sentinel`` = exactly ``-1`` (OpenRouter's mark for router
    models whose price varies); ``free`` = both prices zero; ``partly_free`` = one of
    them zero. Later labels in this list win (a pair is counted once).

    Examples
    --------
    >>> classify_prices(pd.Series([1.0, 0, -1, None, -0.5, 2e6]),
    ...                 pd.Series([2.0, 0, -1, 1.0, 1.0, 1.0])).tolist()
    ['ok', 'free', 'sentinel', 'missing', 'negative', 'implausible']
    """
    lo, hi = PLAUSIBLE_USD_PER_MTOK

    def mask(m: pd.Series) -> np.ndarray:
        return m.to_numpy(dtype=bool, na_value=False)

    lab = np.full(len(inp), "ok", dtype=object)
    lab[mask(inp.isna() | out.isna())] = "missing"
    lab[mask(((inp > 0) & ((inp < lo) | (inp > hi))) | ((out > 0) & ((out < lo) | (out > hi))))] = "implausible"
    lab[mask((inp < 0) | (out < 0))] = "negative"
    sentinel = ((inp == -1) | (out == -1)) & ~(((inp < 0) & (inp != -1)) | ((out < 0) & (out != -1)))
    lab[mask(sentinel)] = "sentinel"
    lab[mask((inp == 0) & (out == 0))] = "free"
    lab[(lab == "ok") & mask((inp == 0) | (out == 0))] = "partly_free"
    return pd.Series(lab, index=inp.index, dtype="object")


def blended(inp: pd.Series, out: pd.Series, ratio: float = 3.0) -> pd.Series:
    """Blended price: ``(ratio × input + output) / (ratio + 1)`` (default 3:1, as Epoch).

    Examples
    --------
    >>> blended(pd.Series([2.5]), pd.Series([10.0])).tolist()
    [4.375]
    """
    if not ratio > 0:
        from llmflation.errors import InputError

        raise InputError(f"blend ratio must be positive (input:output tokens), got {ratio!r}.")
    return (ratio * inp + out) / (ratio + 1.0)
