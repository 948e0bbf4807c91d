"""Annual rates of change of a monthly (or any regular) index, with HAC intervals.

The annual log rate over a window is ``r = k × mean(Δ ln p_t)`` with ``k`` periods per
year; it equals ``(ln p_T − ln p_0) / years`` exactly, so it is the endpoint rate, and
its standard error comes from the serial correlation of the period changes: the
Newey–West (1987) long-run variance with Bartlett weights ``1 − j/(L + 1)``,
``Var(mean) = (γ₀ + 2 Σ_{j≤L} w_j γ_j) / T`` (no small-sample correction, as
statsmodels' ``cov_type="HAC"`` with ``use_correction=False``). The interval is normal
(HAC inference is asymptotic). The default lag is the larger of Newey–West's (1994)
rule ``⌊4 (T/100)^{2/9}⌋`` and one year of periods, so that seasonal autocorrelation in
unadjusted series is covered.

A step series (a running minimum, a price that changes a few times a year) has period
changes that are mostly exactly zero; a HAC interval on it is meaningless and
:func:`annual_rate` refuses it unless ``allow_steps=True``.

:func:`annual_averages` gives calendar-year means of a monthly series, the way BLS
computes CPI annual averages (the mean of the twelve monthly indexes).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Annotated, Any

import numpy as np
import pandas as pd
from scipy import stats

from llmflation.errors import InputError
from llmflation.results import Result
from llmflation.signature import Level, NonNegativeInt, PositiveInt, Via, validated

#: Share of exactly-zero period changes above which a series counts as a step series.
STEP_SHARE = 0.5


def newey_west_lags(n: int) -> int:
    """Newey–West (1994) automatic lag ``⌊4 (n/100)^{2/9}⌋``.

    Examples
    --------
    >>> newey_west_lags(100), newey_west_lags(36)
    (4, 3)
    """
    return int(math.floor(4 * (n / 100.0) ** (2.0 / 9.0)))


@validated
def hac_variance_of_mean(x: Any, lags: NonNegativeInt) -> float:
    """Newey–West (Bartlett) variance of the sample mean of ``x``.

    Examples
    --------
    >>> round(hac_variance_of_mean([1.0, -1.0, 1.0, -1.0], 0), 6)
    0.25
    """
    a = np.asarray(x, dtype=float).ravel()
    n = a.size
    if n < 2:
        raise InputError(f"a HAC variance needs at least 2 observations; got {n}.")
    u = a - a.mean()
    lrv = float(u @ u) / n
    for j in range(1, min(int(lags), n - 1) + 1):
        lrv += 2.0 * (1.0 - j / (lags + 1.0)) * float(u[j:] @ u[:-j]) / n
    return max(lrv, 0.0) / n


@dataclass(frozen=True, kw_only=True, eq=False, repr=False)
class RateEstimate(Result):
    """Annual log rate of change of one series over a window.

    Attributes
    ----------
    log_rate_per_year : float
        ``k × mean(Δ ln p)`` = endpoint log change per year.
    pct_per_year : float
        ``100 × (exp(log_rate) − 1)``.
    term : str
        The series' name.
    std_error, conf_low, conf_high : float
        HAC standard error and normal interval of the log rate (NaN with ``reason``).
    n : int
        Number of period changes.
    lags : int
    start, end : str
    reason : str or None
        Why no interval was computed (step series, too few points).
    """

    term: str
    log_rate_per_year: float
    std_error: float
    conf_low: float
    conf_high: float
    n: int
    lags: int
    start: str
    end: str
    level: float = 0.95
    reason: str | None = None

    @property
    def title(self) -> str:  # type: ignore[override]
        return f"Annual rate of change: {self.term}"

    @property
    def pct_per_year(self) -> float:
        return 100.0 * math.expm1(self.log_rate_per_year)

    def wide(self) -> pd.DataFrame:
        """One row: the tidy columns, then ``pct_per_year, lags, start, end, reason``."""
        z = self.log_rate_per_year / self.std_error if self.std_error and self.std_error > 0 else math.nan
        p = 2 * stats.norm.sf(abs(z)) if math.isfinite(z) else math.nan
        return pd.DataFrame([{"term": self.term, "estimate": self.log_rate_per_year, "std_error": self.std_error,
                              "statistic": z, "p_value": p, "conf_low": self.conf_low, "conf_high": self.conf_high,
                              "n": self.n, "pct_per_year": self.pct_per_year, "lags": self.lags,
                              "start": self.start, "end": self.end, "reason": self.reason or ""}])

    def __repr__(self) -> str:
        return (f"RateEstimate({self.term}: {self.log_rate_per_year:+.4f}/y "
                f"[{self.conf_low:+.4f}, {self.conf_high:+.4f}], n={self.n})")


def _index_series(v: Any, name: str) -> pd.Series:
    if not isinstance(v, pd.Series):
        raise InputError(f"{name} must be a pandas Series indexed by date; got {type(v).__name__}. Build one with "
                         "pd.Series(values, index=pd.DatetimeIndex(dates)).")
    return v


#: A regular index series (a pandas Series, indexed by date or period).
IndexSeries = Annotated[pd.Series, Via(_index_series)]


def _dated_series(v: Any, name: str) -> pd.Series:
    if not isinstance(v, pd.Series) or not isinstance(v.index, pd.DatetimeIndex):
        got = type(v).__name__ + (f" with a {type(v.index).__name__}" if isinstance(v, pd.Series) else "")
        raise InputError(f"{name} must be a pandas Series indexed by dates (a DatetimeIndex); got {got}. "
                         "Set its index with series.index = pd.to_datetime(...).")
    return v


#: A pandas Series indexed by dates (a DatetimeIndex).
DatedSeries = Annotated[pd.Series, Via(_dated_series)]


@validated
def annual_rate(series: IndexSeries, *, periods_per_year: PositiveInt = 12, lags: NonNegativeInt | None = None,
                level: Level = 0.95, start: Any = None, end: Any = None, allow_steps: bool = False,
                name: str | None = None) -> RateEstimate:
    """Annual log rate of change of a regular index with a Newey–West interval.

    Parameters
    ----------
    series : Series
        Positive index values on a regular grid (index = dates or periods, sorted);
        no gaps inside the window.
    periods_per_year : int
        12 for monthly, 4 for quarterly data.
    lags : int, optional
        Bartlett lags; default ``max(newey_west_lags(T), periods_per_year)``.
    start, end : optional
        Window (inclusive labels); default the whole series.
    allow_steps : bool
        Compute the interval even when more than half the period changes are zero.

    Returns
    -------
    RateEstimate

    Examples
    --------
    A series rising exactly 1% a month has log rate 12 × ln 1.01 and zero variance:

    >>> s = pd.Series(100 * 1.01 ** np.arange(25), index=pd.date_range("2020-01-01", periods=25, freq="MS"))
    >>> r = annual_rate(s)
    >>> round(r.log_rate_per_year, 6), round(r.pct_per_year, 3), r.n
    (0.119404, 12.683, 24)
    """
    s = pd.to_numeric(series, errors="coerce").sort_index()
    dated = isinstance(s.index, pd.DatetimeIndex)
    if start is not None:
        s = s[s.index >= (pd.Timestamp(start) if dated else start)]
    if end is not None:
        s = s[s.index <= (pd.Timestamp(end) if dated else end)]
    label = name or str(series.name or "series")
    if s.isna().any():
        raise InputError(f"{label}: {int(s.isna().sum())} missing values inside the window; a rate of change "
                         "over a window needs every period (fill or shorten the window).")
    if (s <= 0).any():
        raise InputError(f"{label}: index values must be positive to take logs.")
    if len(s) < 3:
        raise InputError(f"{label}: a rate with an interval needs at least 3 periods in the window; got {len(s)}.")
    if dated and periods_per_year == 12:
        grid = pd.date_range(s.index[0].to_period("M").to_timestamp(), s.index[-1], freq="MS")
        have = set(s.index.to_period("M"))
        gaps = [str(g.date())[:7] for g in grid if g.to_period("M") not in have]
        if gaps:
            raise InputError(f"{label}: months missing from the monthly grid: {', '.join(gaps[:6])}"
                             f"{' …' if len(gaps) > 6 else ''}; fill them (e.g. fill_monthly_gaps) or shorten "
                             "the window.")
    d = np.diff(np.log(s.to_numpy(dtype=float)))
    n = d.size
    rate = float(periods_per_year * d.mean())
    L = int(lags) if lags is not None else max(newey_west_lags(n), int(periods_per_year))
    L = min(L, n - 1)
    reason = None
    se = lo = hi = math.nan
    if not allow_steps and float(np.mean(d == 0.0)) > STEP_SHARE:
        reason = (f"step series ({100 * float(np.mean(d == 0.0)):.0f}% of period changes are zero): a HAC interval "
                  "on it is meaningless; the rate is the endpoint rate only")
    else:
        se = float(periods_per_year * math.sqrt(hac_variance_of_mean(d, L)))
        h = float(stats.norm.ppf(0.5 + level / 2)) * se
        lo, hi = rate - h, rate + h
    def fmt(v: Any) -> str:
        return str(pd.Timestamp(v).date()) if dated else str(v)

    return RateEstimate(term=label, log_rate_per_year=rate, std_error=se, conf_low=lo, conf_high=hi, n=n, lags=L,
                        start=fmt(s.index[0]), end=fmt(s.index[-1]), level=level, reason=reason,
                        config={"periods_per_year": periods_per_year, "lags": L, "level": level},
                        vintage=str(series.attrs.get("vintage", "user data")))


@validated
def annual_averages(series: DatedSeries, *, complete: bool = True) -> pd.Series:
    """Calendar-year means of a monthly series (BLS's CPI annual average).

    Parameters
    ----------
    series : Series
        Monthly values indexed by dates.
    complete : bool
        Keep only years with all twelve months.

    Examples
    --------
    >>> s = pd.Series(np.arange(1.0, 25.0), index=pd.date_range("2020-01-01", periods=24, freq="MS"))
    >>> annual_averages(s).tolist()
    [6.5, 18.5]
    """
    s = pd.to_numeric(series, errors="coerce").dropna()
    g = s.groupby(s.index.year)
    out = g.mean()
    if complete:
        out = out[g.size() == 12]
    out.index.name = "year"
    return out


@validated
def fill_monthly_gaps(series: DatedSeries) -> tuple[pd.Series, list[str]]:
    """Put a monthly series on a complete month-start grid, filling gaps log-linearly.

    Returns the filled series and the months filled (``YYYY-MM``). A geometric
    interpolation leaves the endpoint rate unchanged and splits a two-month change
    evenly (BLS did not publish October 2025 CPI, for instance).

    Examples
    --------
    >>> s = pd.Series([100.0, 121.0], index=pd.to_datetime(["2025-09-01", "2025-11-01"]))
    >>> f, filled = fill_monthly_gaps(s)
    >>> f.round(6).tolist(), filled
    ([100.0, 110.0, 121.0], ['2025-10'])
    """
    s = pd.to_numeric(series, errors="coerce").dropna().sort_index()
    s.index = s.index.to_period("M").to_timestamp()
    s = s[~s.index.duplicated(keep="last")]
    grid = pd.date_range(s.index[0], s.index[-1], freq="MS")
    missing = [str(d.date())[:7] for d in grid if d not in s.index]
    out = np.exp(np.log(s).reindex(grid).interpolate(method="linear"))
    out.name = series.name
    out.attrs.update(series.attrs)
    return out, missing
