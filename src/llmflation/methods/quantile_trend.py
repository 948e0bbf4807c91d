"""Trend of the lower quantile of a pool: an estimate, a test and an interval that hold their size.

Why not the running minimum. A "cheapest so far" (record) series is selected from a pool
and its points depend on each other, so OLS through it is not a regression: with no trend
it still falls. A permutation test that re-forms the records keeps its size but has no
power (:mod:`llmflation.methods.permutation`: it rejects "no trend" in 0 of 40 pools with
a true 20×/yr fall, ``docs/record_inference.md``). The records are a handful of order
statistics of the pool; the information about the trend is in the whole pool.

What is estimated instead. The slope ``β_τ`` of the τ-th conditional quantile of ``y``
(log price) on ``t`` (years) over **every item of the pool** (every model at or above the
capability threshold), by linear quantile regression. When the pool's price distribution
shifts over time (a location shift), every quantile and the running minimum's expected
path fall at that same rate, so ``exp(-β_τ)`` is the factor per year of the cheapest price
of the capability; unlike the records it uses every model and does not depend on which
model happened to be first.

The estimate and the test come from one function, the rank score of the profiled
quantile regression, ``T(b) = Σ_{i ∈ L(b)} (t_i − t̄)``, where ``L(b)`` is the set of the
``m = round(τ n)`` items with the smallest residuals ``y_i − b t_i``:

* ``T`` is non-decreasing in ``b`` (it is minus the derivative of the concave sum of the
  ``m`` smallest residuals), so its zero is unique up to a flat step; that zero is the
  estimate (the quantile-regression slope at ``τ = m / n``).
* Under ``H_b`` (slope ``b``, residuals ``y − b t`` exchangeable across items, e.g. i.i.d.
  noise around the line), ``L(b)`` is a uniformly random ``m``-subset of the items, so
  the null distribution of ``T(b)`` is that of the sum of ``t_i − t̄`` over a random
  ``m``-subset — the same for every ``b`` and known exactly from ``t``. The test is a
  permutation test, exact in finite samples (no asymptotics, no density estimate).
* The interval inverts the test; because ``T`` is monotone it is an interval, found by
  bisection.

With clusters (several dated prices of one model: its launch price and its cuts) the
residuals are not exchangeable; the interval is then a cluster (model) bootstrap of the
same estimate, percentile, and the p-value is the bootstrap's test inversion.

The size and power of the test over pool sizes 20–200 and noise 0.5–1.5 are measured by
``scripts/record_power.py`` (table in ``docs/record_inference.md``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

import numpy as np
import pandas as pd

from llmflation.errors import InputError
from llmflation.methods.estimability import estimability
from llmflation.results import Result
from llmflation.signature import Level, Range, Seed, validated

__all__ = ["DEFAULT_TAU", "MIN_POOL", "QuantileTrend", "quantile_slope", "quantile_trend", "rank_score"]

#: Default quantile: the lower quartile of the pool. A lower τ is closer to the cheapest
#: model but uses fewer items (the test's information is ~ τ(1−τ)/f(q_τ)²): at τ = 0.1
#: power against a 4.5×/yr fall with 60 models and σ = 1.5 is ~80%, at τ = 0.25 ~95%
#: (``docs/record_inference.md``).
DEFAULT_TAU = 0.25
#: Fewest items of a pool for an estimate (a quantile regression at τ = 0.25 on fewer than
#: 8 items rests on one or two of them).
MIN_POOL = 8
#: Bisection steps of the slope search (the bracket shrinks by 2^-60).
_BISECT = 60


def rank_score(b: float, t: np.ndarray, y: np.ndarray, m: int) -> float:
    """``T(b)``: sum of ``t_i − t̄`` over the ``m`` items with the smallest ``y_i − b t_i``.

    Examples
    --------
    >>> t = np.array([0.0, 1.0, 2.0, 3.0]); y = -t        # falling by 1 per unit
    >>> rank_score(0.0, t, y, 2), rank_score(-2.0, t, y, 2)   # latest items lowest / earliest lowest
    (2.0, -2.0)
    """
    return _scorer(t, y, m)(b)


def _scorer(t: np.ndarray, y: np.ndarray, m: int) -> Callable[[float], float]:
    """``b ↦ T(b)`` for one pool, with ``t − t̄`` computed once.

    The same floats as computing ``t[low] − t.mean()`` in every call: the centred values are
    elementwise the same, taken in the same (argpartition) order and summed by the same reduction.
    """
    c = t - t.mean()
    n = len(t)
    if m >= n:
        total = float(c.sum())
        return lambda b: total
    kth = m - 1

    def score(b: float) -> float:
        return float(c[(y - b * t).argpartition(kth)[:m]].sum())

    return score


def _bracket(t: np.ndarray, y: np.ndarray) -> float:
    """A slope magnitude beyond every pairwise slope (where ``T`` has reached its extremes)."""
    ts = np.unique(t)
    gap = float(np.min(np.diff(ts))) if len(ts) > 1 else 1.0
    return 4.0 * (float(np.ptp(y)) + 1.0) / gap


def _bisect(score: Callable[[float], float], lo: float, hi: float, target: float, side: str, steps: int) -> float:
    """``steps`` bisection steps of :func:`_crossing` from the bracket ``[lo, hi]``."""
    if side == "ge":
        for _ in range(steps):
            mid = 0.5 * (lo + hi)
            if score(mid) >= target:
                hi = mid
            else:
                lo = mid
        return hi
    for _ in range(steps):
        mid = 0.5 * (lo + hi)
        if score(mid) <= target:
            lo = mid
        else:
            hi = mid
    return lo


def _crossing(t: np.ndarray, y: np.ndarray, m: int, target: float, side: str) -> float:
    """Smallest ``b`` with ``T(b) >= target`` (side "ge") or largest with ``T(b) <= target`` ("le")."""
    score = _scorer(t, y, m)
    B = _bracket(t, y)
    lo, hi = -B, B
    if side == "ge":
        if score(hi) < target:
            return math.inf
        if score(lo) >= target:
            return -math.inf
    else:
        if score(lo) > target:
            return -math.inf
        if score(hi) <= target:
            return math.inf
    return _bisect(score, lo, hi, target, side, _BISECT)


def _zero_crossings(t: np.ndarray, y: np.ndarray, m: int) -> tuple[float, float]:
    """``(_crossing(t, y, m, 0.0, "ge"), _crossing(t, y, m, 0.0, "le"))``, the same floats, in about half the work.

    Both bisections start from the same bracket and take the same step whenever ``T(mid)`` is
    not zero (``T > 0``: both move ``hi``; ``T < 0``: both move ``lo``), so they share their
    midpoints and ``T`` is evaluated once per step until the first step where they part (``T(mid)
    = 0``, a flat step at zero, or NaN); from there each finishes on its own with the rule of
    :func:`_crossing`. The bracket and ``t − t̄`` are computed once.
    """
    score = _scorer(t, y, m)
    B = _bracket(t, y)
    lo, hi = -B, B
    s_lo, s_hi = score(lo), score(hi)
    ge_end = math.inf if s_hi < 0.0 else -math.inf if s_lo >= 0.0 else None
    le_end = -math.inf if s_lo > 0.0 else math.inf if s_hi <= 0.0 else None
    if ge_end is not None or le_end is not None:
        return (ge_end if ge_end is not None else _bisect(score, lo, hi, 0.0, "ge", _BISECT),
                le_end if le_end is not None else _bisect(score, lo, hi, 0.0, "le", _BISECT))
    for k in range(_BISECT):
        mid = 0.5 * (lo + hi)
        s = score(mid)
        ge_up = s >= 0.0          # "ge" moves hi to mid
        le_up = not s <= 0.0      # "le" moves hi to mid
        if ge_up and le_up:
            hi = mid
        elif not ge_up and not le_up:
            lo = mid
        else:                     # they part here: each finishes its own bisection
            rest = _BISECT - k - 1
            a = _bisect(score, lo, mid, 0.0, "ge", rest) if ge_up else _bisect(score, mid, hi, 0.0, "ge", rest)
            b = _bisect(score, mid, hi, 0.0, "le", rest) if not le_up else _bisect(score, lo, mid, 0.0, "le", rest)
            return a, b
    return hi, lo


def _m(n: int, tau: float) -> int:
    return int(min(n - 1, max(1, round(tau * n))))


def quantile_slope(t: Any, y: Any, tau: float = DEFAULT_TAU) -> float:
    """Slope of the τ-th quantile of ``y`` on ``t`` (the zero of the rank score ``T``).

    Where ``T`` has a flat step at zero the midpoint of the step is returned.

    Examples
    --------
    >>> t = np.arange(10.0); y = 2.0 - 0.5 * t
    >>> round(quantile_slope(t, y), 6)
    -0.5
    """
    t = np.asarray(t, dtype=float)
    y = np.asarray(y, dtype=float)
    m = _m(len(t), tau)
    a, b = _zero_crossings(t, y, m)
    if not (math.isfinite(a) and math.isfinite(b)):
        return a if math.isfinite(a) else b
    return 0.5 * (a + b)


def _null_draws(t: np.ndarray, m: int, n_perm: int, rng: np.random.Generator) -> np.ndarray:
    """Sums of ``t_i − t̄`` over ``n_perm`` uniformly random ``m``-subsets (the exact null of ``T``)."""
    c = t - t.mean()
    out = np.empty(n_perm)
    step = max(1, 2_000_000 // max(len(t), 1))
    for s in range(0, n_perm, step):
        k = min(step, n_perm - s)
        idx = np.argpartition(rng.random((k, len(t))), m - 1, axis=1)[:, :m]
        out[s:s + k] = c[idx].sum(axis=1)
    return np.sort(out)


def _perm_p(stat: float, draws: np.ndarray) -> float:
    M = len(draws)
    tol = 1e-9 * max(1.0, abs(stat))
    lo = (1 + np.searchsorted(draws, stat + tol, side="right")) / (M + 1)
    hi = (1 + M - np.searchsorted(draws, stat - tol, side="left")) / (M + 1)
    return float(min(1.0, 2 * min(lo, hi)))


@dataclass(frozen=True, kw_only=True, eq=False, repr=False)
class QuantileTrend(Result):
    """Trend of the τ-th quantile of a pool's log prices, with a valid test and interval.

    Attributes
    ----------
    slope : float
        Quantile-regression slope (log points per year when ``t`` is in years);
        ``factor_per_year = exp(-slope)``.
    conf_low, conf_high : float
        Interval for the slope at ``level`` (±inf when unbounded).
    p_value : float
        Two-sided p-value of no trend (slope 0).
    n, n_clusters : int
        Observations and clusters (models); equal without clusters.
    tau, level : float
    method : str
        ``"rank-score permutation"`` (independent items: exact) or ``"cluster bootstrap"``.
    status : str
        ``"estimated"`` or ``"not estimable"`` (:func:`llmflation.methods.estimability.estimability`);
        ``reason`` says why.
    """

    slope: float
    conf_low: float
    conf_high: float
    p_value: float
    n: int
    n_clusters: int
    tau: float
    level: float
    method: str
    status: str
    reason: str | None = None

    title = "Trend of the lower quantile of the pool"

    @property
    def factor_per_year(self) -> float:
        return math.exp(-self.slope) if math.isfinite(self.slope) else math.nan

    @property
    def factor_conf(self) -> tuple[float, float]:
        """Interval on the factor per year (``exp(-slope)``, so the bounds swap)."""
        return (math.exp(-self.conf_high) if not math.isnan(self.conf_high) else math.nan,
                math.exp(-self.conf_low) if not math.isnan(self.conf_low) else math.nan)

    def wide(self) -> pd.DataFrame:
        """One row: the factor per year with its interval, p-value, n, status."""
        lo, hi = self.factor_conf
        return pd.DataFrame([{"term": "factor_per_year", "estimate": self.factor_per_year, "p_value": self.p_value,
                              "conf_low": lo, "conf_high": hi, "n": self.n, "n_clusters": self.n_clusters,
                              "tau": self.tau, "method": self.method, "status": self.status,
                              "reason": self.reason or ""}])


#: A quantile strictly between 0 and 1.
Quantile = Annotated[float, Range(gt=0, lt=1, hint="Use e.g. 0.25.")]
#: Draws of a permutation null or bootstrap replicates: at least 99.
Draws = Annotated[int, Range(ge=99)]


@validated
def quantile_trend(t: Any, y: Any, *, tau: Quantile = DEFAULT_TAU, level: Level = 0.90, clusters: Any = None,
                   n_perm: Draws = 1999, n_boot: Draws = 999, seed: Seed | None = 0,
                   min_n: Annotated[int, Range(ge=3)] = MIN_POOL, interval: bool = True) -> QuantileTrend:
    """Slope of the τ-th quantile of ``y`` on ``t`` over a whole pool, with a valid test and interval.

    Parameters
    ----------
    t, y : array-like
        Dates (years) and values (log prices) of every item of the pool.
    tau : float
        Quantile (default the lower quartile, :data:`DEFAULT_TAU`).
    level : float
        Interval level; the test rejects at ``1 - level``.
    clusters : array-like, optional
        Cluster (model) of each item; with repeated clusters the interval is a cluster
        bootstrap, otherwise the exact rank-score permutation test is inverted.
    n_perm, n_boot : int
        Draws of the permutation null / bootstrap replicates.
    seed : int or None
    min_n : int
        Fewest items (clusters) for an estimate; fewer: ``status = "not estimable"``.
    interval : bool
        Compute the interval (the p-value is always computed).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> t = rng.uniform(0, 3, 80); y = -np.log(4.5) * t + rng.normal(0, 1.5, 80)   # 4.5×/yr
    >>> r = quantile_trend(t, y)
    >>> r.p_value < 0.01, r.factor_conf[0] > 1, r.status
    (True, True, 'estimated')
    """
    from llmflation.validate import check_series

    t = check_series(t, "t").to_numpy(dtype=float)
    y = check_series(y, "y").to_numpy(dtype=float)
    if t.shape != y.shape:
        raise InputError(f"t and y have different lengths ({t.size} and {y.size}).")
    if not (np.isfinite(t).all() and np.isfinite(y).all()):
        raise InputError("t or y contains NaN or infinite values; drop them first.")
    n = len(t)
    cl = None if clusters is None else pd.factorize(pd.Series(np.asarray(clusters)).astype(str))[0]
    n_cl = n if cl is None else int(cl.max() + 1) if n else 0
    grouped = cl is not None and n_cl < n
    alpha = 1 - level
    cfg = {"tau": tau, "level": level, "n_perm": n_perm, "n_boot": n_boot, "seed": seed, "min_n": min_n}
    method = "cluster bootstrap" if grouped else "rank-score permutation"
    nan = math.nan
    if n_cl < min_n or n < 3 or np.ptp(t) == 0:
        why = (f"the pool has {n_cl} {'models' if grouped else 'items'}; a quantile trend needs at least {min_n}"
               if n_cl < min_n or n < 3 else "every item has the same date")
        return QuantileTrend(slope=nan, conf_low=nan, conf_high=nan, p_value=nan, n=n, n_clusters=n_cl, tau=tau,
                             level=level, method=method, status="not estimable", reason=why, config=cfg)
    rng = np.random.default_rng(seed)
    slope = quantile_slope(t, y, tau)
    m = _m(n, tau)
    notes: list[str] = []
    if not grouped:
        draws = _null_draws(t, m, n_perm, rng)
        p = _perm_p(rank_score(0.0, t, y, m), draws)
        lo = hi = nan
        if interval:
            # accept b iff the two-sided permutation p-value of T(b) exceeds alpha
            M = len(draws)
            k = int(math.floor(alpha / 2 * (M + 1)))       # draws allowed in each tail
            c_lo = draws[k - 1] if k >= 1 else -math.inf
            c_hi = draws[M - k] if k >= 1 else math.inf
            tol = 1e-9 * (float(np.abs(t - t.mean()).sum()) + 1.0)   # T(b) and the draws are sums in other orders
            lo = _crossing(t, y, m, float(c_lo) - tol, "ge") if k >= 1 else -math.inf
            hi = _crossing(t, y, m, float(c_hi) + tol, "le") if k >= 1 else math.inf
        notes.append(f"Rank-score test of the τ = {tau:g} quantile slope: {m} of {n} items below the line; "
                     f"null distribution from {n_perm} random {m}-subsets (exact under exchangeable residuals); "
                     "interval by test inversion.")
    else:
        assert cl is not None
        members = [np.flatnonzero(cl == g) for g in range(n_cl)]
        boots = np.empty(n_boot)
        for i in range(n_boot):
            pick = rng.integers(0, n_cl, n_cl)
            idx = np.concatenate([members[g] for g in pick])
            tb = t[idx]
            boots[i] = quantile_slope(tb, y[idx], tau) if np.ptp(tb) > 0 else nan
        boots = boots[np.isfinite(boots)]
        lo, hi = (float(np.quantile(boots, alpha / 2)), float(np.quantile(boots, 1 - alpha / 2))) if interval \
            else (nan, nan)
        # p-value by inverting the percentile interval: the smallest alpha at which 0 is outside it
        share = float(np.mean(boots <= 0.0)) if len(boots) else nan
        p = float(min(1.0, 2 * min(share, 1 - share) + 1 / (len(boots) + 1))) if len(boots) else nan
        notes.append(f"Cluster bootstrap by model: {len(boots)} resamples of the {n_cl} models with all their "
                     f"dated prices; percentile interval of the τ = {tau:g} quantile-regression slope.")
    status, reason = estimability(n=n_cl, min_n=min_n, conf_low=math.exp(-hi) if interval else nan,
                                  conf_high=math.exp(-lo) if interval else nan, interval=interval,
                                  what="factor per year")
    return QuantileTrend(slope=slope, conf_low=lo, conf_high=hi, p_value=p, n=n, n_clusters=n_cl, tau=tau,
                         level=level, method=method, status=status, reason=reason, config=cfg, notes=tuple(notes))
