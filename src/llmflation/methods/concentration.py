"""Market concentration: Herfindahl–Hirschman index (HHI) and k-firm concentration ratios.

HHI = Σ sᵢ² with shares in percent (0–10,000 scale). When the listed shares do not add
up to 100% (surveys and rankings name only the top firms), the HHI of the listed firms is
reported with bounds for the unlisted remainder: at least nothing (it is spread over
infinitely many tiny firms), at most the remainder held by one firm.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd

from llmflation.errors import InputError
from llmflation.results import Result
from llmflation.signature import Columns, Frame, PositiveInt, PositiveInts, validated
from llmflation.validate import (
    check_series,
)

Unit = Literal["percent", "fraction"]
#: Shares may add up to slightly more than 100 through rounding in published tables.
SUM_TOLERANCE_PCT = 1.0
#: Percent shares adding up to at most 1 (+ rounding) are fractions given with the wrong unit:
#: no real market table lists firms covering 1% of a market and nothing else.
FRACTION_TOLERANCE = 0.01


def _as_percent(shares: Any, unit: Unit) -> np.ndarray:
    # unit was checked by the caller's signature (@validated)
    if isinstance(shares, str | bytes | dict | pd.DataFrame) or shares is None or np.ndim(shares) != 1:
        raise InputError(f"shares must be a non-empty 1-D sequence of numbers (e.g. [30, 30, 20, 20]); got "
                         f"{type(shares).__name__}" + (f" of shape {np.shape(shares)}" if np.ndim(shares) > 1 else "")
                         + ".")
    s = check_series(shares, "shares", min_len=0).to_numpy(dtype="float64")
    if s.size == 0:
        raise InputError("shares is empty; expected a non-empty 1-D sequence of numbers.")
    if not np.isfinite(s).all():
        raise InputError(f"shares must be finite numbers; got {s[~np.isfinite(s)][:3].tolist()}. Drop or fill them.")
    if (s < 0).any():
        raise InputError(f"shares must be >= 0; got {s[s < 0][:3].tolist()}.")
    if unit == "percent" and np.isfinite(s).all() and 0 < s.sum() <= 1.0 + FRACTION_TOLERANCE:
        raise InputError(f"shares add up to {s.sum():.4g} with unit='percent' (largest {s.max():.4g}%): they look "
                         "like fractions of 1. Pass unit='fraction' (CLI: --unit fraction), or multiply them by 100.")
    pct = s * 100.0 if unit == "fraction" else s
    total = pct.sum()
    if total > 100.0 + SUM_TOLERANCE_PCT:
        hint = " (did you mean unit='percent'?)" if unit == "fraction" and s.sum() <= 100.0 + SUM_TOLERANCE_PCT else ""
        raise InputError(f"shares add up to {total:.4g}%, more than 100%{hint}; pass shares of one market "
                         "and one period.")
    return pct


@validated
def hhi(shares: Any, *, unit: Unit = "percent") -> float:
    """Herfindahl–Hirschman index of market shares, on the 0–10,000 scale.

    Parameters
    ----------
    shares : sequence of float
        Market shares of the firms of one market in one period.
    unit : {"percent", "fraction"}
        Percent (30 = 30%) or fraction (0.3).

    Returns
    -------
    float
        Σ sᵢ² with sᵢ in percent. If the shares add up to less than 100%, this is the
        HHI of the listed firms only — a lower bound (see :func:`concentration` for bounds).

    Examples
    --------
    The U.S. Department of Justice's example: four firms with 30, 30, 20 and 20 percent.

    >>> hhi([30, 30, 20, 20])
    2600.0
    >>> hhi([0.5, 0.5], unit="fraction")
    5000.0
    """
    pct = _as_percent(shares, unit)
    return float(np.sum(pct**2))


@validated
def concentration_ratio(shares: Any, k: PositiveInt, *, unit: Unit = "percent") -> float:
    """CR-k: the combined share (percent) of the ``k`` largest firms.

    Examples
    --------
    >>> concentration_ratio([10, 40, 30, 20], 2)
    70.0
    """
    pct = np.sort(_as_percent(shares, unit))[::-1]
    return float(pct[:k].sum())


@dataclass(frozen=True, kw_only=True, eq=False, repr=False)
class ConcentrationResult(Result):
    """HHI (with bounds for unlisted firms) and CR-k per period.

    Attributes
    ----------
    table : DataFrame
        One row per period: ``period, n_firms, listed_share_pct, hhi, hhi_low, hhi_high,
        equivalent_firms, cr_<k>...``.
    """

    table: pd.DataFrame
    k: tuple[int, ...]
    market: str = ""

    @property
    def title(self) -> str:  # type: ignore[override]
        return f"Market concentration{': ' + self.market if self.market else ''}"

    keys = ("period",)

    def wide(self) -> pd.DataFrame:
        return self.table.copy()

    def __repr__(self) -> str:
        return f"ConcentrationResult({len(self.table)} periods, k={self.k})"


@validated
def concentration(shares_panel: Annotated[pd.DataFrame, Frame(what="a long pandas DataFrame (one row per period × "
                                                                   "firm)")], *,
                  k: PositiveInts = (1, 4), period: str = "period",
                  firm: str = "firm", share: str = "share_pct", unit: Unit = "percent",
                  residual_firms: Columns = (), market: str = "",
                  duplicates: Literal["refuse", "sum"] = "refuse") -> ConcentrationResult:
    """HHI and CR-k of every period of a long table of market shares.

    Parameters
    ----------
    shares_panel : DataFrame
        Long table: one row per period × firm with a share column.
    k : sequence of int
        Concentration ratios to report (default CR-1 and CR-4).
    period, firm, share : str
        Column names.
    residual_firms : sequence of str
        Firm labels that stand for "all others" (e.g. "other (residual, not listed)"): they
        are treated as unlisted remainder, not as one firm.
    duplicates : {"refuse", "sum"}, default "refuse"
        A firm listed twice in one period (``A 50, A 30``) is refused: counted as two
        firms it would halve its weight in the HHI. ``"sum"`` adds its rows up first
        (when the rows are parts of one firm, e.g. its products).

    Returns
    -------
    ConcentrationResult
        ``hhi`` counts the listed firms only (a lower bound when shares add up to less
        than 100%); ``hhi_high`` gives the whole remainder to one firm. ``equivalent_firms``
        = 10,000 / hhi.

    Examples
    --------
    >>> df = pd.DataFrame({"period": ["a"] * 4 + ["b"] * 2, "firm": list("wxyzwx"),
    ...                    "share_pct": [30, 30, 20, 20, 50, 30]})
    >>> r = concentration(df)
    >>> r.wide()[["period", "hhi", "hhi_high", "cr_1"]].values.tolist()
    [['a', 2600.0, 2600.0, 30.0], ['b', 3400.0, 3800.0, 50.0]]
    """
    missing = [c for c in (period, firm, share) if c not in shares_panel.columns]
    if missing:
        raise InputError(f"columns {missing} not found; the frame has {list(shares_panel.columns)}. "
                         "Name them with period=, firm=, share=.")
    vintage = shares_panel.attrs.get("vintage", "user data")
    ks = tuple(int(x) for x in k)
    named = shares_panel[~shares_panel[firm].isin(list(residual_firms))]
    dup = named.duplicated([period, firm], keep=False)
    if dup.any():
        if duplicates == "refuse":
            pairs = named.loc[dup, [period, firm]].drop_duplicates().astype(str).values.tolist()
            shown = ", ".join(f"{f!r}" + (f" in {p!r}" if p != "all" else "") for p, f in pairs[:5])
            raise InputError(f"firm(s) listed more than once in a period: {shown}"
                             f"{f' … and {len(pairs) - 5} more' if len(pairs) > 5 else ''}; expected one row per "
                             "period × firm (counted twice, a firm's weight in the HHI is wrong). Merge the rows, "
                             "or sum them with duplicates='sum' (CLI: --sum-duplicates).")
        summed = named.groupby([period, firm], sort=False, as_index=False, dropna=False)[share].sum(min_count=1)
        shares_panel = pd.concat([summed, shares_panel[shares_panel[firm].isin(list(residual_firms))]],
                                 ignore_index=True)
    rows = []
    for per, g in shares_panel.groupby(period, sort=True):
        resid = g[firm].isin(list(residual_firms))
        listed = _as_percent(g.loc[~resid, share], unit)
        total_listed = float(listed.sum())
        rest = max(0.0, 100.0 - total_listed)
        h = float(np.sum(listed**2))
        row: dict[str, Any] = {"period": per, "n_firms": int(len(listed)), "listed_share_pct": total_listed,
                               "hhi": h, "hhi_low": h, "hhi_high": h + rest**2,
                               "equivalent_firms": 10_000.0 / h if h > 0 else np.nan}
        srt = np.sort(listed)[::-1]
        for kk in ks:
            row[f"cr_{kk}"] = float(srt[:kk].sum()) if len(srt) >= kk else np.nan
        rows.append(row)
    notes = []
    if any(r["listed_share_pct"] < 100 - SUM_TOLERANCE_PCT for r in rows):
        notes.append("Where listed shares add up to less than 100%, hhi counts the listed firms only (a lower "
                     "bound) and hhi_high gives the unlisted remainder to a single firm; CR-k needs k listed firms.")
    return ConcentrationResult(table=pd.DataFrame(rows), k=ks, market=market, config={"k": ks, "unit": unit},
                               vintage=vintage, notes=tuple(notes))
