"""Forecasts from exponential price trends: prices at a horizon, and crossing dates.

For a fitted trend ``ln P = a + b t`` (t in decimal years):

* the **price at a horizon** ``t0`` is ``exp(a + b t0)`` — the median of a log-normal
  price — with a **prediction interval** for a new observation,
  ``ŷ0 ± t s √(1 + 1/n + (t0 − t̄)² / Sxx)``, and the narrower confidence interval of
  the trend line itself (``√(1/n + …)``);
* the **crossing date** at which the trend line reaches a target price ``P*`` is
  ``(ln P* − a) / b``, with a Fieller (inverse-regression) interval: the dates whose
  confidence band for the trend line contains ``ln P*``. It is unbounded when the slope
  is not significantly different from zero.

Extrapolating a log-linear trend assumes the rate of decline stays what it was; the
intervals cover estimation and scatter, not a change of regime.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from llmflation.errors import InputError
from llmflation.methods.ols import LineFit, fit_line, inverse_prediction
from llmflation.results import Result, SummaryFormat, render_table
from llmflation.signature import HorizonDate, Level, validated
from llmflation.study.threshold import ThresholdTrendResult
from llmflation.study.trends import TrendResult, from_years, price_trend, to_years

#: Default horizon: end of 2027.
DEFAULT_HORIZON = "2027-12-31"
#: Crossing dates outside these years are reported as NaT with a reason: extrapolating a
#: log-linear trend that far says nothing.
YEAR_MIN, YEAR_MAX = 1900, 2300


def _as_date(v: Any) -> Any:
    return None if pd.isna(v) else pd.Timestamp(v).date()


@dataclass(frozen=True, kw_only=True, eq=False, repr=False)
class ForecastResult(Result):
    """Price forecasts per group and the dates trends reach target prices.

    Attributes
    ----------
    horizon : Timestamp
    prices : DataFrame
        ``group, horizon, price, pi_low, pi_high, ci_low, ci_high, n, last_date`` (USD per
        million tokens; ``pi_*`` prediction interval, ``ci_*`` interval of the trend line).
    crossings : DataFrame
        ``group, target_price, date, conf_low, conf_high, n, reason``; ``reason`` says
        why a date is NaT (the trend never falls to the target, the interval is
        unbounded, or the date lies outside 1900–2300) and is empty otherwise.
    level : float
    """

    horizon: pd.Timestamp
    prices: pd.DataFrame
    crossings: pd.DataFrame
    level: float = 0.95

    title = "Price forecast from log-linear trends"

    keys = ("group",)

    def wide(self) -> pd.DataFrame:
        p = self.prices
        rows = [{"group": r.group, "term": f"price_at_{self.horizon.date()}", "estimate": r.price,
                 "conf_low": r.pi_low, "conf_high": r.pi_high, "trend_conf_low": r.ci_low,
                 "trend_conf_high": r.ci_high, "n": r.n} for r in p.itertuples()]
        for r in self.crossings.itertuples():
            rows.append({"group": r.group, "term": f"date_price_reaches_{r.target_price:g}",
                         "estimate": _as_date(r.date), "conf_low": _as_date(r.conf_low),
                         "conf_high": _as_date(r.conf_high), "n": r.n, "reason": r.reason})
        return pd.DataFrame(rows).reindex(columns=["group", "term", "estimate", "conf_low", "conf_high",
                                                    "trend_conf_low", "trend_conf_high", "n", "reason"])

    def summary(self, fmt: SummaryFormat = "text") -> str:
        lvl = int(round(100 * self.level))
        notes = self._notes()
        has_cross = len(self.crossings) > 0
        out = render_table(self.prices, f"{self.title}: price at {self.horizon.date()} ({lvl}% prediction "
                           "interval pi_*, trend-line interval ci_*; USD per million tokens)",
                           [] if has_cross else notes, fmt)
        if has_cross:
            cr = self.crossings.copy()
            for c in ("date", "conf_low", "conf_high"):
                cr[c] = cr[c].map(_as_date)
            out += "\n" + render_table(cr, f"Date the trend reaches each target price ({lvl}% "
                                       "Fieller interval; NaT: see reason)", notes, fmt)
        return out


def _fits_from(data: Any, trend_kw: dict[str, Any]) -> tuple[list[tuple[str, LineFit, pd.Timestamp]], str, tuple[str, ...]]:
    if isinstance(data, TrendResult):
        return [(g.group, g.fit, g.end) for g in data.groups], data.vintage, data.notes
    if isinstance(data, ThresholdTrendResult):
        out = []
        for (b, t), s in data.series.groupby(["benchmark", "threshold_model"], sort=False):
            if len(s) >= 3:
                out.append((f"{b} ≥ {t}", fit_line(to_years(s["date"]), np.log(s["price"].to_numpy(dtype=float))),
                            pd.Timestamp(s["date"].max())))
        return out, data.vintage, data.notes
    if isinstance(data, pd.DataFrame):
        r = price_trend(data, **{"n_boot": 0, **trend_kw})
        return [(g.group, g.fit, g.end) for g in r.groups], r.vintage, r.notes
    raise InputError(f"forecast needs a price panel, a TrendResult or a ThresholdTrendResult; got {type(data).__name__}.")


@validated
def forecast(data: pd.DataFrame | TrendResult | ThresholdTrendResult, *, until: HorizonDate = DEFAULT_HORIZON,
             target_prices: tuple[float, ...] | list[float] | None = None, level: Level = 0.95,
             **trend_kw: Any) -> ForecastResult:
    """Each trend's price at ``until`` with a prediction interval, and crossing dates.

    Parameters
    ----------
    data : DataFrame, TrendResult or ThresholdTrendResult
        A price panel (fitted with :func:`~llmflation.study.trends.price_trend` and
        ``trend_kw``, by tier by default), or fitted trends. With a
        :class:`~llmflation.study.threshold.ThresholdTrendResult` the crossing date
        answers "when does this capability reach this price?".
    until : date
        Forecast horizon (default 2027-12-31).
    target_prices : list of float, optional
        Prices (USD per million tokens) whose crossing dates to compute.
    level : float
        Coverage of the intervals.

    Examples
    --------
    >>> d = pd.DataFrame({"date": pd.date_range("2021-01-01", periods=10, freq="180D"),
    ...                   "price": 10 * 0.5 ** (np.arange(10) / 2) * np.exp(0.01 * (-1) ** np.arange(10))})
    >>> f = forecast(d, by=None, observations="rows", price_col="price", target_prices=[0.01])
    >>> bool(f.prices["price"].iloc[0] < f.prices["pi_high"].iloc[0])
    True
    """
    horizon = pd.Timestamp(until)
    fits, vintage, notes = _fits_from(data, trend_kw)
    t0 = float(to_years([horizon])[0])
    prow, crow = [], []
    for group, f, last in fits:
        yhat, plo, phi = f.interval(t0, level, "prediction")
        _, clo, chi = f.interval(t0, level, "confidence")
        prow.append({"group": group, "horizon": horizon.date(), "price": math.exp(float(yhat)),
                     "pi_low": math.exp(float(plo)), "pi_high": math.exp(float(phi)),
                     "ci_low": math.exp(float(clo)), "ci_high": math.exp(float(chi)), "n": f.n,
                     "last_date": pd.Timestamp(last).date()})
        for target in target_prices or ():
            if not target > 0:
                raise InputError(f"target prices must be positive; got {target!r}.")
            if f.slope >= 0:
                crow.append({"group": group, "target_price": float(target), "date": pd.NaT, "conf_low": pd.NaT,
                             "conf_high": pd.NaT, "n": f.n,
                             "reason": "never: the fitted trend is flat or rising, so it does not fall to the target"})
                continue
            xh, lo, hi = inverse_prediction(f, math.log(target), level)
            why = []
            if not (np.isfinite(lo) and np.isfinite(hi)):
                why.append(f"unbounded interval: the slope is not significantly below zero at the {level:g} level "
                           "(Fieller)")
            if any(np.isfinite(v) and not YEAR_MIN < v < YEAR_MAX for v in (xh, lo, hi)):
                why.append(f"outside {YEAR_MIN}–{YEAR_MAX}: too far an extrapolation to state as a date")

            def _d(v: float) -> pd.Timestamp:
                return from_years(v) if np.isfinite(v) and YEAR_MIN < v < YEAR_MAX else pd.NaT

            crow.append({"group": group, "target_price": float(target), "date": _d(xh), "conf_low": _d(lo),
                         "conf_high": _d(hi), "n": f.n, "reason": "; ".join(why)})
    extra = ("Price = exp(fitted log price): the median of a log-normal price. Extrapolation assumes the "
             "rate of decline stays constant.",)
    return ForecastResult(horizon=horizon, prices=pd.DataFrame(prow), crossings=pd.DataFrame(
        crow, columns=["group", "target_price", "date", "conf_low", "conf_high", "n", "reason"]), level=level,
        config={"until": str(horizon.date()), "target_prices": list(target_prices or ()), "level": level,
                **{k: v for k, v in trend_kw.items() if isinstance(v, (str, int, float, bool, type(None)))}},
        vintage=vintage, notes=tuple(notes) + extra)
