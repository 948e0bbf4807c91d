"""Inference for record (running-minimum) series that keeps the series' construction.

A "cheapest above a threshold" series is a **record process**: from a pool of items
(models) with dates and values (log prices), the series keeps each item whose value is
below every earlier one. Its points are not independent draws around a trend. With *no*
trend at all — values exchangeable across dates — records still fall (each new minimum is
lower by construction), so ordinary least squares through the records finds a decline
and its t test rejects far too often (≈ 35% at a nominal 5% in the set-up of
``tests/test_running_minimum.py``).

**Superseded for inference** (issue 19): the test below holds its size but has no power
(it rejects "no trend" in about 1% of pools with a true 4.5×/yr fall, ``docs/record_inference.md``):
with a real trend the running minimum has more, flatter steps, so its slope does not
separate the hypotheses. Use :func:`llmflation.methods.quantile_trend.quantile_trend` on
the whole pool; this module stays for comparison.

The test here keeps the construction. Under H0 (no trend) the pairing of values and dates
is exchangeable, so the release dates are permuted among the pool's items, the running
minimum is re-formed each time and the same statistic (the OLS slope through the records)
is recomputed. Because the series is only reported when it has at least ``min_points``
records, the reference set is the permutations whose series is at least that long: given
the pool, the observed pairing is uniform over those, so the conditional test is exact.

The interval inverts the same test over hypothesised slopes ``b``: under ``H_b`` the
detrended values ``y - b t`` are exchangeable across dates; the permuted data are
``b t + (y - b t)_π`` and the observed slope is compared with the slopes of their record
series. ``b`` is in the interval when the equal-tailed p-value exceeds ``1 - level``.
A slope under which fewer than ``2 / (1 - level)`` permutations give a series of the
required length is rejected (the observed series length is itself improbable under it).
The permutations are the same for every ``b`` (common random numbers), so the accepted
set is a stable interval. Fewer than :data:`MIN_POINTS_INTERVAL` records: no interval is
printed, the result says so.
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
from llmflation.signature import Level, PositiveInt, Range, Seed, validated

#: Fewest records for which a calibrated interval is printed (below it: a statement).
MIN_POINTS_INTERVAL = 6
#: Fewest records for the test itself (a line through 3 points has one residual df).
MIN_POINTS_TEST = 3
#: Half-width of the slope grid searched for the interval (log points per year): a factor
#: of e^8 ≈ 3,000× per year either side of the estimate. Beyond it: "unbounded".
GRID_HALF_WIDTH = 8.0

__all__ = ["MIN_POINTS_INTERVAL", "RecordTrendTest", "record_points", "record_slopes", "record_trend_test"]


def _groups(t: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sort order, unique dates and the start of each date's block in the sorted order."""
    order = np.argsort(t, kind="stable")
    ts = t[order]
    starts = np.flatnonzero(np.r_[True, ts[1:] != ts[:-1]])
    return order, ts[starts], starts


def record_slopes(t_unique: np.ndarray, starts: np.ndarray, Y: np.ndarray,
                  min_points: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """OLS slope through the records of each row of ``Y`` (values in date-sorted order).

    Items sharing a date form a block (``starts``): the block's minimum is its candidate
    and at most one record per date is kept, as in the cheapest-model walk. Returns
    ``(slopes, n_records)``; a slope is NaN with fewer than ``min_points`` records.

    Examples
    --------
    >>> s, k = record_slopes(np.array([0.0, 1.0, 2.0]), np.array([0, 1, 2]),
    ...                      np.array([[2.0, 1.0, 0.0], [0.0, 1.0, 2.0]]))
    >>> s.tolist()[0], int(k[0]), int(k[1])
    (-1.0, 3, 1)
    """
    Y = np.atleast_2d(np.asarray(Y, dtype=float))
    gmin = np.minimum.reduceat(Y, starts, axis=1)
    prev = np.concatenate([np.full((Y.shape[0], 1), np.inf), np.minimum.accumulate(gmin, axis=1)[:, :-1]], axis=1)
    rec = gmin < prev
    k = rec.sum(axis=1)
    w = rec.astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        mt = (w * t_unique).sum(axis=1) / k
        my = (w * np.where(rec, gmin, 0.0)).sum(axis=1) / k
        dt = np.where(rec, t_unique[None, :] - mt[:, None], 0.0)
        dy = np.where(rec, gmin - my[:, None], 0.0)
        sxx = (dt * dt).sum(axis=1)
        slope = (dt * dy).sum(axis=1) / sxx
    slope = np.where((k >= max(2, min_points)) & (sxx > 0), slope, np.nan)
    return slope, k


def record_points(t: Any, y: Any) -> np.ndarray:
    """Boolean mask (in the input order) of the items that are records of the series.

    Examples
    --------
    >>> record_points([0, 1, 2, 3], [3.0, 4.0, 1.0, 2.0]).tolist()
    [True, False, True, False]
    """
    t, y = np.asarray(t, dtype=float), np.asarray(y, dtype=float)
    order = np.lexsort((y, t))
    ys = y[order]
    ts = t[order]
    first = np.r_[True, ts[1:] != ts[:-1]]
    prev = np.r_[np.inf, np.minimum.accumulate(ys)[:-1]]
    keep_sorted = first & (ys < prev)
    mask = np.zeros(len(y), dtype=bool)
    mask[order[keep_sorted]] = True
    return mask


def _pvalue(obs: float, draws: np.ndarray) -> tuple[float, int]:
    d = draws[np.isfinite(draws)]
    m = len(d)
    lo = (1 + np.sum(d <= obs + 1e-12 * max(1.0, abs(obs)))) / (m + 1)
    hi = (1 + np.sum(d >= obs - 1e-12 * max(1.0, abs(obs)))) / (m + 1)
    return float(min(1.0, 2 * min(lo, hi))), m


@dataclass(frozen=True, kw_only=True, eq=False, repr=False)
class RecordTrendTest(Result):
    """Naive and calibrated inference on the trend of one record series.

    Attributes
    ----------
    slope : float
        OLS slope of the records' values on time (log points per year when values are
        log prices and time is in years); ``factor_per_year = exp(-slope)``.
    naive_p_value, naive_conf_low, naive_conf_high : float
        Student-t inference treating records as independent (what Epoch prints).
    p_value : float
        Permutation p-value of no trend (equal-tailed, two-sided), conditional on a
        series of at least ``min_points`` records.
    conf_low, conf_high : float
        Calibrated interval for the slope (test inversion); NaN when not computed,
        ±inf when unbounded within the searched grid.
    n_points, n_pool : int
        Records in the series; items in the pool the records are drawn from.
    reason : str or None
        Why a p-value or interval is not given.
    """

    slope: float
    naive_p_value: float
    naive_conf_low: float
    naive_conf_high: float
    p_value: float
    conf_low: float
    conf_high: float
    n_points: int
    n_pool: int
    n_perm: int
    n_reference: int
    level: float
    reason: str | None = None

    title = "Trend of a record (running-minimum) series: naive vs permutation inference"

    @property
    def factor_per_year(self) -> float:
        return math.exp(-self.slope) if math.isfinite(self.slope) else math.nan

    @property
    def factor_conf(self) -> tuple[float, float]:
        """Calibrated interval on the factor per year (``exp(-slope)``, so bounds swap)."""
        return (math.exp(-self.conf_high) if not math.isnan(self.conf_high) else math.nan,
                math.exp(-self.conf_low) if not math.isnan(self.conf_low) else math.nan)

    keys = ("inference",)

    def wide(self) -> pd.DataFrame:
        """Two rows, naive and permutation inference, on the factor-per-year scale."""
        fl, fh = self.factor_conf
        nl = math.exp(-self.naive_conf_high) if math.isfinite(self.naive_conf_high) else math.nan
        nh = math.exp(-self.naive_conf_low) if math.isfinite(self.naive_conf_low) else math.nan
        return pd.DataFrame([
            {"term": "factor_per_year", "inference": "naive OLS t", "estimate": self.factor_per_year,
             "p_value": self.naive_p_value, "conf_low": nl, "conf_high": nh, "n": self.n_points, "reason": ""},
            {"term": "factor_per_year", "inference": "permutation (record process)", "estimate": self.factor_per_year,
             "p_value": self.p_value, "conf_low": fl, "conf_high": fh, "n": self.n_points,
             "reason": self.reason or ""},
        ])


@validated
def record_trend_test(t: Any, y: Any, *,
                      n_perm: Annotated[int, Range(ge=19, hint="A permutation test needs at least 99.")] = 999,
                      level: Level = 0.90, seed: Seed | None = 0,
                      min_points: PositiveInt = MIN_POINTS_TEST,
                      min_points_interval: Annotated[int, Range(ge=3)] = MIN_POINTS_INTERVAL,
                      interval: bool = True, grid_size: Annotated[int, Range(ge=3)] = 161,
                      half_width: Annotated[float, Range(gt=0, hint="Log points per year around the estimate, "
                                                                     "e.g. 8.")] = GRID_HALF_WIDTH
                      ) -> RecordTrendTest:
    """Trend of the record series of a pool, with inference valid for a record process.

    Parameters
    ----------
    t, y : array-like
        Dates (e.g. years) and values (e.g. log prices) of **every item of the pool** the
        records are drawn from (not only the records).
    n_perm : int
        Permutations of the dates (reused for every hypothesised slope).
    level : float
        Confidence level of the intervals (the test rejects at ``1 - level``).
    seed : int or None
        Seed of the permutations.
    min_points : int
        Length a series must reach to be tested; the reference set keeps only the
        permutations whose series is at least this long (the conditional test).
    min_points_interval : int
        Fewest records for which an interval is computed (:data:`MIN_POINTS_INTERVAL`).
    interval : bool
        Compute the calibrated interval (test inversion; ~``grid_size`` times the test).

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> t = rng.uniform(0, 2, 30); y = rng.normal(0, 1.2, 30)   # no trend
    >>> r = record_trend_test(t, y, n_perm=199, interval=False)
    >>> r.slope < 0, r.p_value > 0.05                        # records fall, the test is not fooled
    (True, True)
    """
    from llmflation.validate import check_series

    t = check_series(t, "t").to_numpy(dtype=float)
    y = check_series(y, "y").to_numpy(dtype=float)
    if t.shape != y.shape:
        raise InputError(f"t and y have different lengths ({t.size} and {y.size}).")
    if not (np.isfinite(t).all() and np.isfinite(y).all()):
        raise InputError("t or y contains NaN or infinite values; drop them first.")
    min_points = max(int(min_points), MIN_POINTS_TEST)
    alpha = 1 - level
    cfg = {"n_perm": n_perm, "level": level, "seed": seed, "min_points": min_points,
           "min_points_interval": min_points_interval}
    mask = record_points(t, y)
    k = int(mask.sum())
    nan = math.nan
    slope = nan
    naive = (nan, nan, nan)
    if k >= 3 and np.ptp(t[mask]) > 0:
        tr, yr = t[mask], y[mask]
        dt = tr - tr.mean()
        sxx = float(dt @ dt)
        slope = float(dt @ (yr - yr.mean()) / sxx)
        resid = yr - yr.mean() - slope * dt
        se = math.sqrt(float(resid @ resid) / (k - 2) / sxx)
        tc = stats.t.ppf(1 - alpha / 2, k - 2)
        p_naive = float(2 * stats.t.sf(abs(slope / se), k - 2)) if se > 0 else 0.0
        naive = (p_naive, slope - tc * se, slope + tc * se)
    base: dict[str, Any] = dict(slope=slope, naive_p_value=naive[0], naive_conf_low=naive[1],
                                naive_conf_high=naive[2],
                n_points=k, n_pool=len(y), n_perm=n_perm, level=level, config=cfg)
    if k < min_points or not math.isfinite(slope):
        return RecordTrendTest(p_value=nan, conf_low=nan, conf_high=nan, n_reference=0,
                               reason=f"{k} record(s); the test needs at least {min_points}", **base)
    order, tu, starts = _groups(t)
    ts = t[order]
    ys = y[order]
    rng = np.random.default_rng(seed)
    perms = np.argsort(rng.random((n_perm, len(y))), axis=1)

    def pval(b: float) -> tuple[float, int]:
        e = ys - b * ts
        Y = b * ts[None, :] + e[perms]
        s, kk = record_slopes(tu, starts, Y, min_points=min_points)
        return _pvalue(slope, s[kk >= min_points])

    p0, m0 = pval(0.0)
    notes = [f"Permutation test: {n_perm} permutations of the release dates among {len(y)} pool items, "
             f"running minimum re-formed each time; {m0} give a series of at least {min_points} records "
             "(the conditional reference set)."]
    if not interval:
        return RecordTrendTest(p_value=p0, conf_low=nan, conf_high=nan, n_reference=m0, notes=tuple(notes),
                               reason="interval not requested", **base)
    if k < min_points_interval:
        return RecordTrendTest(p_value=p0, conf_low=nan, conf_high=nan, n_reference=m0, notes=tuple(notes),
                               reason=f"{k} records: fewer than {min_points_interval}, too few for an interval "
                                      "(the series says little about the rate)", **base)
    grid = slope + np.linspace(-half_width, half_width, grid_size)
    need = math.ceil(2 / alpha)
    acc = np.zeros(grid_size, dtype=bool)
    for i, b in enumerate(grid):
        p, m = pval(float(b))
        acc[i] = (m >= need) and (p > alpha)
    if not acc.any():
        return RecordTrendTest(p_value=p0, conf_low=nan, conf_high=nan, n_reference=m0, notes=tuple(notes),
                               reason="no slope in the searched grid is accepted", **base)
    idx = np.flatnonzero(acc)
    lo = -math.inf if idx[0] == 0 else float(grid[idx[0]])
    hi = math.inf if idx[-1] == grid_size - 1 else float(grid[idx[-1]])
    if not acc[idx[0]: idx[-1] + 1].all():
        notes.append("The accepted set of slopes has gaps; the interval is its hull.")
    if math.isinf(lo) or math.isinf(hi):
        notes.append(f"Interval unbounded within ±{half_width:g} log points per year of the estimate.")
    return RecordTrendTest(p_value=p0, conf_low=lo, conf_high=hi, n_reference=m0, notes=tuple(notes), **base)
