"""Structural breaks: Chow, Andrews sup-F (with ave-F, exp-F), Bai-Perron and CUSUM tests.

``y`` is a :class:`pandas.Series` whose index labels the observations (years, dates,
periods); ``X`` holds the regressors (default: a constant, i.e. a break in the mean). A
break is reported as the index label of the **last observation of the earlier regime**
(strucchange's "breakpoint"), so ``break_at=1898`` on the Nile series means regime 1 is
1871-1898 and regime 2 starts in 1899.

Definitions follow the textbook sources; where a convention had to be chosen it is the
one of R's strucchange (Zeileis, Leisch, Hornik and Kleiber 2002), the reference
implementation, and the tests in ``tests/reference/breaks_*`` check our numbers against
its published output and against textbook examples:

* Chow (1960) F test for a known break date: ``F = ((RSS_0 - RSS_1)/q) / (RSS_1/(n-k-q))``
  with ``F(q, n-k-q)``, ``q`` the number of coefficients allowed to break.
* Andrews (1993) sup-F and Andrews-Ploberger (1994) ave-F / exp-F over candidate dates
  trimmed by ``trim`` at both ends; the F sequence is on the Wald (chi-square) scale,
  ``F(b) = (RSS_0 - RSS(b)) / (RSS(b)/(n-2k))`` (q times the Chow F), as in strucchange's
  ``Fstats``; p-values from Hansen's (1997) response surfaces.
* Bai and Perron (1998, 2003): global minimisers of the total RSS for 0..max_breaks breaks
  by dynamic programming over the triangular matrix of segment RSS (O(T^2)); BIC (as
  strucchange: ``n log(RSS/n) + n (1 + log 2 pi) + (k+1)(m+1) log n``) and LWZ (Liu, Wu and
  Zidek 1997, as in Bai and Perron 2003); sequential sup-F(l+1|l); confidence intervals for
  the break dates from Bai's (1997) limiting distribution with heterogeneous regressors and
  errors across regimes.
* CUSUM: OLS-based (Ploberger and Kraemer 1992; Kolmogorov p-value) and recursive
  (Brown, Durbin and Evans 1975; boundary-crossing probability of Brownian motion).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
from scipy import special, stats

from llmflation.errors import InputError, check_choice
from llmflation.methods import _breaks_core as core
from llmflation.methods.hansen import hansen_pvalue
from llmflation.results import HypothesisTest, Result, SummaryFormat, render_table
from llmflation.signature import Level, NonNegativeInt, PositiveInt, Range, validated
from llmflation.validate import check_date

Cov = Literal["ols", "hac"]
Criterion = Literal["bic", "lwz", "sequential"]
CusumKind = Literal["ols", "rec"]
#: The trimming fraction of the break-date search: in (0, 0.5).
Trim = Annotated[float, Range(gt=0, lt=0.5, hint="It is the fraction of observations left out at each end "
                                                  "(0.15 is usual).")]
#: A test's significance level: in (0, 1).
Alpha = Annotated[float, Range(gt=0, lt=1, hint="Use e.g. 0.05.")]

COVS: tuple[str, ...] = ("ols", "hac")
CRITERIA: tuple[str, ...] = ("bic", "lwz", "sequential")
CUSUM_KINDS: tuple[str, ...] = ("ols", "rec")

# Liu, Wu and Zidek (1997) constants used by Bai and Perron (2003): c0 = 0.299, delta0 = 0.1
_LWZ_C0 = 0.299
_LWZ_DELTA0 = 0.1
# RSS below this fraction of the no-break RSS is numerically an exact fit
_EXACT_FIT_REL = 1e-14

__all__ = [
    "BreaksResult",
    "SupFResult",
    "bai_perron",
    "chow_test",
    "cusum_test",
    "step_series_reason",
    "sup_f_test",
]


# =======================================================================================
# input handling

#: Values beyond this magnitude overflow: the break-date intervals multiply fourth powers of
#: the data (variance times moments), and 1e77 to the fourth is past the largest double,
#: 1.8e308. Such values are refused with a hint to rescale (breaks do not depend on units).
MAX_ABS_VALUE = 1e75
#: Non-zero values below this magnitude underflow to zero in the same products; refused the same way.
MIN_ABS_VALUE = 1e-75
#: A full-sample residual standard deviation at or below this fraction of the data's scale
#: (max |y|) is an exact fit: least squares leaves rounding noise of ~1e-16 relative, so
#: statistics computed from it (CUSUM, F) measure noise. Six orders above the noise.
EXACT_FIT_RTOL = 1e-10


def _check_magnitude(v: np.ndarray, what: str, func: str) -> None:
    a = np.abs(v)
    big = a > MAX_ABS_VALUE
    small = (a > 0) & (a < MIN_ABS_VALUE)
    if big.any() or small.any():
        ex = float(v[big][0] if big.any() else v[small][0])
        raise InputError(f"{func}: {what} has values too {'large' if big.any() else 'small'} to square without "
                         f"{'overflow' if big.any() else 'underflow'} (e.g. {ex:.3g}); expected magnitudes between "
                         f"{MIN_ABS_VALUE:g} and {MAX_ABS_VALUE:g}. Rescale first (divide by a power of ten, or "
                         "take logs); breaks do not depend on the unit.")


def _exact_fit_reason(y: np.ndarray, X: np.ndarray, names: tuple[str, ...]) -> str | None:
    """Why ``y`` leaves nothing to test (fitted exactly by ``X``, within :data:`EXACT_FIT_RTOL`), else None."""
    scale = float(np.max(np.abs(y))) if len(y) else 0.0
    if scale == 0.0:
        return "y is zero throughout: there is no variation to test for a break."
    ys = y / scale  # unit scale: no overflow in the squares
    coef, *_ = np.linalg.lstsq(X, ys, rcond=None)
    e = ys - X @ coef
    sd = math.sqrt(float(e @ e) / len(e))
    if sd > EXACT_FIT_RTOL:
        return None
    const_only = X.shape[1] == 1 and np.ptp(X[:, 0]) == 0
    what = "y is constant" if const_only else f"y is fitted exactly by X ({', '.join(names)})"
    return (f"{what} (residual s.d. {sd:.1e} of the data's scale, below the tolerance {EXACT_FIT_RTOL:g}): "
            "there is no variation left to test for a break; a statistic here would measure rounding noise.")


@dataclass(frozen=True)
class _Data:
    y: np.ndarray
    X: np.ndarray
    labels: pd.Index
    names: tuple[str, ...]
    brk: np.ndarray  # bool mask of the columns allowed to break
    #: Why no break can be tested (y fitted exactly by X: a constant series), else None.
    degenerate: str | None = None

    @property
    def n(self) -> int:
        return len(self.y)

    @property
    def k(self) -> int:
        return self.X.shape[1]

    @property
    def q(self) -> int:
        return int(self.brk.sum())

    def label(self, pos: int) -> Any:
        """Label of the observation at 0-based position ``pos`` as a plain Python value."""
        v = self.labels[pos]
        return v.item() if isinstance(v, np.generic) else v


def _prepare(y: Any, X: Any, breaking: Any = None, *, func: str) -> _Data:
    if isinstance(y, pd.DataFrame):
        if y.shape[1] != 1:
            raise InputError(f"{func}: y must be a pandas Series (one column); got a DataFrame with "
                             f"{y.shape[1]} columns. Pass df['column'].")
        y = y.iloc[:, 0]
    if not isinstance(y, pd.Series):
        arr = np.asarray(y)
        if arr.ndim != 1:
            raise InputError(f"{func}: y must be one-dimensional; got shape {arr.shape}. "
                             "Pass a pandas Series indexed by date or period.")
        y = pd.Series(arr)
    try:
        yv = pd.to_numeric(y, errors="raise").to_numpy(dtype=float)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{func}: y must be numeric; got dtype {y.dtype}. Convert it with "
                         "pd.to_numeric first.") from exc
    labels = y.index
    _check_order(labels, func)
    bad = ~np.isfinite(yv)
    if bad.any():
        shown = ", ".join(str(v) for v in labels[bad][:5])
        raise InputError(f"{func}: y has {int(bad.sum())} missing or infinite values (at {shown}). "
                         "Drop them first, e.g. y.dropna().")
    n = len(yv)
    names: tuple[str, ...]
    if isinstance(X, str):
        check_choice("X", X, ("constant", "trend"))
        if X == "constant":
            Xv, names = np.ones((n, 1)), ("(Intercept)",)
        else:
            Xv = np.column_stack([np.ones(n), np.arange(1, n + 1, dtype=float)])
            names = ("(Intercept)", "trend")
    elif X is None:
        Xv, names = np.ones((n, 1)), ("(Intercept)",)
    else:
        if isinstance(X, pd.Series):
            X = X.to_frame()
        if isinstance(X, pd.DataFrame):
            if len(X) != n:
                raise InputError(f"{func}: X has {len(X)} rows but y has {n}; they must describe the "
                                 "same observations.")
            if not X.index.equals(labels):
                raise InputError(f"{func}: X's index differs from y's index; align them first "
                                 "(e.g. X = X.loc[y.index]).")
            names = tuple(str(c) for c in X.columns)
            try:
                Xv = X.apply(pd.to_numeric).to_numpy(dtype=float)
            except (TypeError, ValueError) as exc:
                raise InputError(f"{func}: X must be numeric; encode categorical columns as dummies "
                                 "(pd.get_dummies(..., drop_first=True, dtype=float)).") from exc
        else:
            Xv = np.asarray(X, dtype=float)
            if Xv.ndim == 1:
                Xv = Xv[:, None]
            if Xv.ndim != 2 or Xv.shape[0] != n:
                raise InputError(f"{func}: X must have one row per observation of y ({n}); got shape "
                                 f"{Xv.shape}.")
            names = tuple(f"x{i + 1}" for i in range(Xv.shape[1]))
        if not np.isfinite(Xv).all():
            raise InputError(f"{func}: X has missing or infinite values; drop those observations "
                             "from y and X first.")
    k = Xv.shape[1]
    if k == 0:
        raise InputError(f"{func}: X has no columns; pass None for a constant (mean-shift) model.")
    _check_magnitude(yv, "y", func)
    _check_magnitude(Xv, "X", func)
    if np.linalg.matrix_rank(Xv) < k:
        raise InputError(f"{func}: the columns of X are linearly dependent (rank "
                         f"{np.linalg.matrix_rank(Xv)} < {k}); drop redundant regressors.")
    if breaking is None:
        brk = np.ones(k, dtype=bool)
    else:
        wanted = [breaking] if isinstance(breaking, str | int) else list(breaking)
        brk = np.zeros(k, dtype=bool)
        for w in wanted:
            if isinstance(w, str):
                if w not in names:
                    raise InputError(f"{func}: breaking={w!r} is not a column of X; columns are "
                                     f"{', '.join(names)}.")
                brk[names.index(w)] = True
            elif isinstance(w, int | np.integer) and 0 <= int(w) < k:
                brk[int(w)] = True
            else:
                raise InputError(f"{func}: breaking must name columns of X ({', '.join(names)}) or "
                                 f"give their positions 0..{k - 1}; got {w!r}.")
        if not brk.any():
            raise InputError(f"{func}: breaking selects no column; name at least one of {', '.join(names)}.")
    return _Data(y=yv, X=Xv, labels=labels, names=names, brk=brk,
                 degenerate=_exact_fit_reason(yv, Xv, names) if n > k else None)


def _check_order(labels: pd.Index, func: str) -> None:
    """Dated or numeric labels must be in time order: the tests read the series in index order."""
    timed = isinstance(labels, pd.DatetimeIndex | pd.PeriodIndex) or pd.api.types.is_numeric_dtype(labels.dtype)
    if timed and not labels.is_monotonic_increasing:
        vals = labels.to_numpy()
        i = next((j for j in range(1, len(vals)) if vals[j] < vals[j - 1]), 1)
        raise InputError(f"{func}: the index of y is not sorted in time order ({_fmt_label(labels[i])} comes after "
                         f"{_fmt_label(labels[i - 1])}); the tests read the observations in index order. "
                         "Sort first: y = y.sort_index() (and X = X.loc[y.index]).")


def _resolve_label(d: _Data, label: Any, *, what: str) -> tuple[int, Any, str | None]:
    """Position (observations up to and including ``label``) of a label, plus a note.

    An exact label match uses its **last** occurrence (duplicate labels, e.g. several
    models launched on one day, all belong to the earlier regime). Otherwise, on a sorted
    index, the last observation at or before ``label`` is used and a note says so.
    """
    labels = d.labels
    key = label
    if label is None or isinstance(label, bool | dict | list | set) or (
            not isinstance(label, str | int | float | np.number | pd.Timestamp | pd.Period)
            and not hasattr(label, "year")):
        raise InputError(f"{what} must be a label of the index of y (first: {labels[0]}, last: {labels[-1]}); "
                         f"got {label!r} ({type(label).__name__}).")
    if isinstance(labels, pd.DatetimeIndex) and not isinstance(label, pd.Timestamp):
        try:
            key = check_date(label, what)
        except InputError as exc:
            raise InputError(f"{exc} The index of y holds dates ({_fmt_label(labels[0])} .. "
                             f"{_fmt_label(labels[-1])}).") from None
    elif pd.api.types.is_numeric_dtype(labels.dtype) and not isinstance(labels, pd.PeriodIndex):
        if isinstance(label, str) or not isinstance(label, int | float | np.number):
            raise InputError(f"{what}={label!r} is not a number, but the index of y holds numbers "
                             f"({labels[0]} .. {labels[-1]}); pass one of them, e.g. {what}={labels[len(labels) // 2]}.")
    elif isinstance(labels, pd.PeriodIndex) and not isinstance(label, pd.Period):
        try:
            key = pd.Period(label, freq=labels.freq)
        except (TypeError, ValueError) as exc:
            raise InputError(f"{what}={label!r} is not a period of frequency {labels.freqstr}.") from exc
    try:
        hits = np.flatnonzero(np.asarray(labels == key, dtype=bool))
    except (TypeError, ValueError):
        hits = np.array([], dtype=int)
    if hits.size:
        return int(hits[-1]) + 1, d.label(int(hits[-1])), None
    if labels.is_monotonic_increasing:
        try:
            pos = int(labels.searchsorted(key, side="right"))
        except (TypeError, ValueError) as exc:
            raise InputError(f"{what}={label!r} cannot be compared with the index of y "
                             f"({labels.dtype}); use one of its labels.") from exc
        if pos == 0:
            raise InputError(f"{what}={label!r} is before the first observation ({labels[0]}).")
        resolved = d.label(pos - 1)
        return pos, resolved, (f"{what}={label!r} is not an index label; used the last observation "
                               f"at or before it, {resolved}.")
    raise InputError(f"{what}={label!r} is not in the index of y and the index is not sorted; "
                     f"use one of its labels (first: {labels[0]}, last: {labels[-1]}).")


def _lags(d: _Data, cov: str, hac_lags: int | None) -> int | None:
    # cov and hac_lags were checked by the callers' signatures (@validated)
    if cov == "ols":
        return None
    if hac_lags is None:
        return core.nw_lags(d.n)
    return int(hac_lags)


def _fmt_label(v: Any) -> str:
    if isinstance(v, pd.Timestamp):
        return v.strftime("%Y-%m-%d") if v == v.normalize() else v.isoformat()
    return str(v)


#: A series counts as a step series (e.g. a running minimum) when at least this share of its
#: consecutive values are equal and at least :data:`STEP_ONE_SIGN` of its moves go one way.
STEP_TIE_SHARE = 0.5
STEP_ONE_SIGN = 0.7


def step_series_reason(y: Any) -> str | None:
    """Why a HAC test is meaningless on ``y`` (a monotone step series), or None.

    A running minimum (the cheapest price so far) repeats its value in most periods and
    moves one way: its level is non-stationary by construction, and a Newey-West long-run
    variance with a handful of lags is no estimate of anything — HAC Wald statistics in
    the thousands and p-values of 1e-287 follow. Such series get ``not computed``; test
    the mean of their changes, or use a permutation test that keeps the construction
    (:mod:`llmflation.methods.permutation`).

    Examples
    --------
    >>> step_series_reason([3.0, 3.0, 3.0, 2.0, 2.0, 2.0, 1.0, 1.0]) is not None
    True
    >>> step_series_reason([0.0, 1.0, 0.5, 2.0, 1.5, 3.0]) is None
    True
    """
    v = np.asarray(y, dtype=float).ravel()
    v = v[np.isfinite(v)]
    if len(v) < 4:
        return None
    dv = np.diff(v)
    zero = np.abs(dv) <= 1e-12 * max(1.0, float(np.abs(v).max()))
    nz = dv[~zero]
    share = float(zero.mean())
    if share >= STEP_TIE_SHARE and len(nz) and max(float((nz < 0).mean()), float((nz > 0).mean())) >= STEP_ONE_SIGN:
        return (f"step series ({share:.0%} of consecutive values repeat and the moves go one way, e.g. a running "
                "minimum): a Newey-West (HAC) test on its level is not meaningful; test the mean of its changes "
                "or use a permutation test that keeps the construction")
    return None


def _config(d: _Data, **kw: Any) -> dict[str, Any]:
    return {"n": d.n, "k": d.k, "regressors": list(d.names),
            "breaking": [nm for nm, b in zip(d.names, d.brk, strict=True) if b], **kw}


# =======================================================================================
# Chow test


@validated
def chow_test(y: Any, X: Any = None, *, break_at: Any, breaking: Any = None, cov: Cov = "ols",
              hac_lags: NonNegativeInt | None = None) -> HypothesisTest:
    """Chow (1960) F test of parameter constancy at a break date chosen in advance.

    Parameters
    ----------
    y : pandas.Series
        The dependent variable; its index labels the observations (in time order).
    X : DataFrame, array, "constant", "trend" or None
        Regressors. ``None``/``"constant"``: a constant (test of a mean shift);
        ``"trend"``: constant and linear time trend (observation number). A DataFrame must
        share ``y``'s index. Include a constant column yourself when passing X.
    break_at : label
        Label of the **last** observation of the earlier regime. If it is not a label of a
        sorted index, the last observation at or before it is used (and noted).
    breaking : column names or positions, optional
        Coefficients allowed to change (default: all, the classic Chow test).
    cov : {"ols", "hac"}
        ``"hac"`` gives a Wald test with a Newey-West covariance (Bartlett kernel,
        ``hac_lags`` lags, default floor(4 (n/100)^(2/9))), reported as W/q against F(q, n-k-q).
    hac_lags : int, optional
        Lags of the Newey-West estimator.

    Returns
    -------
    HypothesisTest
        ``statistic`` (F), ``p_value``, ``df = (q, n-k-q)``; ``extra`` holds the resolved
        ``break_at`` label, ``n1``, ``n2``, ``rss_restricted``, ``rss_unrestricted`` (with
        ``breaking`` = all: ``rss_regime1 + rss_regime2``) and the OLS coefficients of each
        regime fitted separately.

    Examples
    --------
    >>> import pandas as pd
    >>> y = pd.Series([1.0, 1.2, 0.9, 1.1, 3.0, 3.2, 2.9, 3.1], index=range(2001, 2009))
    >>> t = chow_test(y, break_at=2004)
    >>> round(t.statistic, 1), t.df
    (480.0, (1, 6))
    """
    d = _prepare(y, X, breaking, func="chow_test")
    lags = _lags(d, cov, hac_lags)
    b, resolved, note = _resolve_label(d, break_at, what="break_at")
    n, k, q = d.n, d.k, d.q
    dfd = n - k - q
    name, null = "Chow test", f"no break after {_fmt_label(resolved)}"
    cfg = _config(d, break_at=_fmt_label(resolved), cov=cov, hac_lags=lags)
    kw: dict[str, Any] = {"config": cfg, "df": (q, dfd), "distribution": f"F({q}, {dfd})"}
    if d.degenerate:
        return HypothesisTest.not_computed(name, null, d.degenerate, **kw)
    step = step_series_reason(d.y) if cov == "hac" else None
    if step:
        return HypothesisTest.not_computed("Chow test (HAC Wald / q)", null, step, **kw)
    n1, n2 = b, n - b
    if n1 < 1 or n2 < 1:
        return HypothesisTest.not_computed(name, null, f"break_at={_fmt_label(resolved)} leaves an empty "
                                           f"regime ({n1} and {n2} observations).", **kw)
    if dfd < 1:
        return HypothesisTest.not_computed(name, null, f"too few observations: n={n} with k={k} "
                                           f"regressors and q={q} breaking ones leaves {dfd} residual df.", **kw)
    stat_w, rss1, rank = core.wald_break(d.X, d.y, b, d.brk, lags)
    if not math.isfinite(stat_w) or rank < k + q:
        return HypothesisTest.not_computed(
            name, null, f"the model with a break after {_fmt_label(resolved)} is not identified "
            f"({n1} and {n2} observations for {q} breaking coefficients; design rank {rank} < {k + q}). "
            "Choose a date with more observations on each side.", **kw)
    F = stat_w / q
    p = float(stats.f.sf(F, q, dfd))
    rss0 = core.rss_segment(d.X, d.y, 0, n)
    coef1 = np.linalg.lstsq(d.X[:b], d.y[:b], rcond=None)[0] if n1 >= k else np.full(k, np.nan)
    coef2 = np.linalg.lstsq(d.X[b:], d.y[b:], rcond=None)[0] if n2 >= k else np.full(k, np.nan)
    extra = {"break_at": resolved, "break_position": b, "n1": n1, "n2": n2,
             "rss_restricted": rss0, "rss_unrestricted": rss1,
             "rss_regime1": core.rss_segment(d.X, d.y, 0, b), "rss_regime2": core.rss_segment(d.X, d.y, b, n),
             "coef_regime1": dict(zip(d.names, map(float, coef1), strict=True)),
             "coef_regime2": dict(zip(d.names, map(float, coef2), strict=True))}
    if note:
        extra["note"] = note
    if cov == "hac":
        name = "Chow test (HAC Wald / q)"
    return HypothesisTest(statistic=float(F), p_value=p, null=null, name=name, extra=extra, **kw)


# =======================================================================================
# sup-F / ave-F / exp-F


@dataclass(frozen=True, kw_only=True, eq=False, repr=False)
class SupFResult(Result):
    """Andrews sup-F test of no break against one break at an unknown date.

    Attributes
    ----------
    statistic, p_value : float
        sup-F (Wald scale: ``q`` times the Chow F at the best date) and its asymptotic
        p-value (Hansen 1997).
    break_at : label
        Label of the last observation of the earlier regime at the sup-F date.
    break_position : int
        Number of observations in the earlier regime at that date.
    f_stats : pandas.Series
        The whole F sequence, indexed by the candidate break labels.
    ave_f, ave_p_value, exp_f, exp_p_value : float
        Andrews-Ploberger average and exponential statistics and their p-values.
    df : int
        Number of coefficients allowed to break (q).
    n : int
        Observations.
    lam : float
        Andrews' lambda of the candidate range (symmetric trimming pi0: ((1-pi0)/pi0)^2).
    """

    statistic: float
    p_value: float
    break_at: Any
    break_position: int
    f_stats: pd.Series
    ave_f: float
    ave_p_value: float
    exp_f: float
    exp_p_value: float
    df: int
    n: int
    lam: float
    title: str = "Andrews sup-F test of no structural break (unknown date)"
    #: Why the test was not computed (then the statistics are NaN), else None.
    reason: str | None = None

    @property
    def computed(self) -> bool:
        return self.reason is None

    def wide(self) -> pd.DataFrame:
        """One row per statistic: sup-F, ave-F, exp-F."""
        rows = [
            {"term": "sup_f", "statistic": self.statistic, "p_value": self.p_value,
             "break_at": _fmt_label(self.break_at)},
            {"term": "ave_f", "statistic": self.ave_f, "p_value": self.ave_p_value, "break_at": ""},
            {"term": "exp_f", "statistic": self.exp_f, "p_value": self.exp_p_value, "break_at": ""},
        ]
        df = pd.DataFrame(rows)
        df["df"] = self.df
        df["n"] = self.n
        if self.reason:
            df["reason"] = self.reason
        return df

    def tests(self) -> dict[str, HypothesisTest]:
        """The three statistics as :class:`HypothesisTest` objects."""
        null = "no structural break"
        if self.reason:
            return {k: HypothesisTest.not_computed(nm, null, self.reason, df=self.df)
                    for k, nm in (("sup_f", "sup-F"), ("ave_f", "ave-F"), ("exp_f", "exp-F"))}
        dist = f"Andrews (1993) sup/ave/exp of F, q={self.df}, lambda={self.lam:.4g}; Hansen (1997) p-values"
        common: dict[str, Any] = {"df": self.df, "null": null, "distribution": dist,
                                  "config": self.config, "vintage": self.vintage}
        return {
            "sup_f": HypothesisTest(statistic=self.statistic, p_value=self.p_value, name="sup-F",
                                    extra={"break_at": self.break_at}, **common),
            "ave_f": HypothesisTest(statistic=self.ave_f, p_value=self.ave_p_value, name="ave-F", **common),
            "exp_f": HypothesisTest(statistic=self.exp_f, p_value=self.exp_p_value, name="exp-F", **common),
        }

    def __repr__(self) -> str:
        if self.reason:
            return f"SupFResult(not computed — {self.reason})"
        return (f"SupFResult(sup_f={self.statistic:.4g}, p_value={self.p_value:.4g}, "
                f"break_at={_fmt_label(self.break_at)}, n={self.n})")


def _candidate_range(d: _Data, trim: float, break_range: tuple[Any, Any] | None,
                     notes: list[str]) -> tuple[int, int]:
    n, k = d.n, d.k
    if break_range is not None:
        if len(break_range) != 2:
            raise InputError(f"break_range must be (first, last) candidate labels; got {break_range!r}.")
        lo, _, n1 = _resolve_label(d, break_range[0], what="break_range[0]")
        hi, _, n2 = _resolve_label(d, break_range[1], what="break_range[1]")
        notes.extend(x for x in (n1, n2) if x)
    else:  # trim was checked by sup_f_test's signature (Trim)
        lo = int(math.floor(trim * n))
        hi = n - lo
    if lo < k + 1:
        notes.append(f"first candidate moved from {lo} to {k + 1} observations (needs more than k={k}).")
        lo = k + 1
    if hi > n - k - 1:
        notes.append(f"last candidate moved from {hi} to {n - k - 1} observations "
                     f"(the later regime needs more than k={k}).")
        hi = n - k - 1
    if lo > hi:
        raise InputError(f"no admissible break date: n={n} observations with k={k} regressors and "
                         f"trimming leave the range {lo}..{hi} empty. Use more data or a smaller trim.")
    return lo, hi


def _supf_pvalues(sup: float, ave: float, expf: float, q: int, lam: float, n: int, k: int,
                  lags: int | None) -> tuple[float, float, float]:
    if lam == 1 and lags is None:
        # a single candidate date: the statistic is q times a Chow F
        p = float(stats.f.sf(sup / q, q, n - k - q))
        return p, p, hansen_pvalue(expf, "exp", q, lam)
    return (hansen_pvalue(sup, "sup", q, lam), hansen_pvalue(ave, "ave", q, lam),
            hansen_pvalue(expf, "exp", q, lam))


@validated
def sup_f_test(y: Any, X: Any = None, *, trim: Trim = 0.15, break_range: tuple[Any, Any] | None = None,
               breaking: Any = None, cov: Cov = "ols", hac_lags: NonNegativeInt | None = None) -> SupFResult:
    """Andrews (1993) sup-F test for one break at an unknown date, with ave-F and exp-F.

    Parameters
    ----------
    y : pandas.Series
        The dependent variable, index = observation labels in time order.
    X : DataFrame, array, "constant", "trend" or None
        Regressors (default: constant). See :func:`chow_test`.
    trim : float
        Fraction of observations excluded at each end: candidate positions (observations
        in the earlier regime) run from ``floor(trim n)`` to ``n - floor(trim n)``
        (strucchange's ``from``/``to``), at least ``k+1`` from either end.
    break_range : (label, label), optional
        First and last candidate break labels instead of ``trim`` (the p-values then use
        Andrews' lambda of that asymmetric range).
    breaking : column names or positions, optional
        Coefficients allowed to change (partial structural change); default all.
    cov : {"ols", "hac"}
        ``"hac"``: each F is a Wald statistic with a Newey-West covariance (robust to
        heteroskedasticity and autocorrelation); same asymptotic distribution.
    hac_lags : int, optional
        Lags of the Newey-West estimator (default floor(4 (n/100)^(2/9))).

    Returns
    -------
    SupFResult

    Notes
    -----
    ``F(b) = (RSS_0 - RSS(b)) / (RSS(b) / (n - k - q))`` is on the Wald scale (q times the
    Chow F), as Andrews' tables, Hansen's p-values and strucchange's ``Fstats``;
    ave-F = mean F(b); exp-F = log mean exp(F(b)/2). P-values: Hansen (1997) response
    surfaces for any q <= 40 and trimming (see ``_breaks_hansen``).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> y = pd.Series(np.r_[np.zeros(30), np.ones(30)] + np.sin(np.arange(60)) / 4,
    ...               index=range(1961, 2021))
    >>> r = sup_f_test(y)
    >>> r.break_at, r.p_value < 0.01
    (1990, True)
    """
    d = _prepare(y, X, breaking, func="sup_f_test")
    if break_range is not None and (not isinstance(break_range, tuple | list) or len(break_range) != 2):
        raise InputError(f"break_range must be (first, last) candidate labels; got {break_range!r}.")
    lags = _lags(d, cov, hac_lags)
    notes: list[str] = []
    lo, hi = _candidate_range(d, trim, break_range, notes)
    n, k, q = d.n, d.k, d.q
    step = d.degenerate or (step_series_reason(d.y) if cov == "hac" else None)
    if step:
        nan = float("nan")
        cfg0 = _config(d, trim=trim, cov=cov, hac_lags=lags)
        return SupFResult(statistic=nan, p_value=nan, break_at=None, break_position=0,
                          f_stats=pd.Series(dtype=float, name="F"), ave_f=nan, ave_p_value=nan, exp_f=nan,
                          exp_p_value=nan, df=q, n=n, lam=nan, config=cfg0, notes=(step,), reason=step)
    positions = np.arange(lo, hi + 1)
    if lags is None and q == k:
        f, _, _ = core.f_sequence_ols(d.X, d.y, positions)
    else:
        f = np.array([core.wald_break(d.X, d.y, int(b), d.brk, lags)[0] for b in positions])
    if not np.isfinite(f).all():
        bad = [_fmt_label(d.label(int(b) - 1)) for b in positions[~np.isfinite(f)][:5]]
        raise InputError(f"sup_f_test: the F statistic is undefined at candidate dates {', '.join(bad)} "
                         "(a regime with a perfect or unidentified fit); raise trim or check X.")
    lam = ((n - lo) * hi) / (lo * (n - hi))
    i = int(np.argmax(f))
    sup = float(f[i])
    ave = float(f.mean())
    expf = float(special.logsumexp(f / 2.0) - math.log(len(f)))
    p_sup, p_ave, p_exp = _supf_pvalues(sup, ave, expf, q, lam, n, k, lags)
    b = int(positions[i])
    lab = [d.label(int(p) - 1) for p in positions]
    fs = pd.Series(f, index=pd.Index(lab, name=d.labels.name), name="F")
    if cov == "hac":
        notes.append(f"HAC (Newey-West, Bartlett, {lags} lags) Wald statistics.")
    cfg = _config(d, trim=trim, break_range=None if break_range is None else [str(v) for v in break_range],
                  first_candidate=lo, last_candidate=hi, cov=cov, hac_lags=lags)
    return SupFResult(statistic=sup, p_value=p_sup, break_at=d.label(b - 1), break_position=b,
                      f_stats=fs, ave_f=ave, ave_p_value=p_ave, exp_f=expf, exp_p_value=p_exp,
                      df=q, n=n, lam=float(lam), config=cfg, notes=tuple(notes))


# =======================================================================================
# Bai-Perron


@dataclass(frozen=True, kw_only=True, eq=False, repr=False)
class BreaksResult(Result):
    """Bai-Perron multiple-break estimates.

    Attributes
    ----------
    breaks : tuple
        Labels of the last observation of each earlier regime, for the selected number of
        breaks.
    n_breaks : int
        Selected number of breaks (by ``criterion``).
    break_positions : tuple of int
        Observations before each selected break (1-based count, strucchange's numbers).
    breaks_by_m : dict
        For every m = 0..max_breaks the optimal break labels.
    positions_by_m : dict
        The same as observation counts.
    rss_by_m, bic_by_m, lwz_by_m : pandas.Series
        Minimal RSS and the two information criteria, indexed by m.
    sequential : pandas.DataFrame
        sup-F(l+1 | l) for l = 0..max_breaks-1: ``statistic`` (F scale, divided by q as in
        Bai and Perron), ``wald`` (= q statistic), ``p_value``, the segment and date
        where the added break would go.
    coef : pandas.DataFrame
        Coefficients of each regime of the selected partition (tidy: segment, start, end,
        term, estimate, std_error, statistic, p_value, conf_low, conf_high, n).
    conf_int : pandas.DataFrame
        For each selected break: position and label with ``level`` confidence bounds.
    criterion, min_size, max_breaks, level : as used.
    """

    breaks: tuple[Any, ...]
    n_breaks: int
    break_positions: tuple[int, ...]
    breaks_by_m: dict[int, tuple[Any, ...]]
    positions_by_m: dict[int, tuple[int, ...]]
    rss_by_m: pd.Series
    bic_by_m: pd.Series
    lwz_by_m: pd.Series
    sequential: pd.DataFrame
    coef: pd.DataFrame
    conf_int: pd.DataFrame
    criterion: str
    min_size: int
    max_breaks: int
    level: float
    n: int
    k: int
    title: str = "Bai-Perron structural breaks"

    def wide(self) -> pd.DataFrame:
        """The selected breaks with their confidence intervals (one row per break)."""
        return self.conf_int.copy()

    def fit_table(self) -> pd.DataFrame:
        """RSS, BIC and LWZ for every number of breaks, with the break labels."""
        return pd.DataFrame({
            "m": self.rss_by_m.index, "rss": self.rss_by_m.to_numpy(), "bic": self.bic_by_m.to_numpy(),
            "lwz": self.lwz_by_m.to_numpy(),
            "breaks": [", ".join(_fmt_label(v) for v in self.breaks_by_m[m]) for m in self.rss_by_m.index],
        })

    def summary(self, fmt: SummaryFormat = "text") -> str:
        """Breaks with intervals, the fit table, the sequential tests and the coefficients."""
        parts = [
            render_table(self.wide(), f"{self.title}: {self.n_breaks} break(s) "
                         f"({self.config.get('selection', self.criterion)})", None, fmt),
            render_table(self.fit_table(), "Fit by number of breaks (m)", None, fmt),
            render_table(self.sequential, "Sequential sup-F(l+1 | l) tests", None, fmt),
            render_table(self.coef, "Regime coefficients", self._notes(), fmt),
        ]
        return ("\n" if fmt == "html" else "\n\n").join(parts)

    def __repr__(self) -> str:
        return (f"BreaksResult(n_breaks={self.n_breaks}, breaks={[_fmt_label(b) for b in self.breaks]}, "
                f"criterion={self.criterion!r}, n={self.n})")


def _segment_fit(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    coef, *_ = np.linalg.lstsq(X, y, rcond=None)
    u = y - X @ coef
    return coef, u, float(u @ u)


def _break_cis(d: _Data, bps: list[int], level: float, het_reg: bool, het_err: bool,
               lags: int | None, notes: list[str]) -> list[tuple[float, float]]:
    """Bai (1997) intervals for each break, as strucchange's ``confint.breakpointsfull``."""
    X, y, n = d.X, d.y, d.n
    edges = [0, *bps, n]
    resid = np.concatenate([_segment_fit(X[a:b], y[a:b])[1] for a, b in zip(edges[:-1], edges[1:], strict=True)])
    sigma_all = float(resid @ resid) / n
    Q_all = X.T @ X / n

    def omega(Xs: np.ndarray, us: np.ndarray, sig: float, Q: np.ndarray) -> np.ndarray:
        if lags is None:
            return sig * Q
        return core.nw_meat(Xs * us[:, None], lags) / len(us)

    Omega_all = omega(X, resid, sigma_all, Q_all)
    out: list[tuple[float, float]] = []
    a, b = edges[0], edges[1]
    X2, y2 = X[a:b], y[a:b]
    beta2, u2, r2 = _segment_fit(X2, y2)
    Q2 = X2.T @ X2 / len(y2) if het_reg else Q_all
    sigma2 = r2 / len(y2) if het_err else sigma_all
    Omega2 = omega(X2, u2, sigma2, Q2) if het_err else Omega_all
    for i in range(1, len(edges) - 1):
        beta1, sigma1, Q1, Omega1 = beta2, sigma2, Q2, Omega2
        a, b = edges[i], edges[i + 1]
        X2, y2 = X[a:b], y[a:b]
        beta2, u2, r2 = _segment_fit(X2, y2)
        if het_reg:
            Q2 = X2.T @ X2 / len(y2)
        if het_err:
            sigma2 = r2 / len(y2)
            Omega2 = omega(X2, u2, sigma2, Q2)
        delta = beta2 - beta1
        Qp1, Qp2 = float(delta @ Q1 @ delta), float(delta @ Q2 @ delta)
        Op1, Op2 = float(delta @ Omega1 @ delta), float(delta @ Omega2 @ delta)
        xi = Qp2 / Qp1 if het_reg else 1.0
        if lags is None:
            phi1, phi2 = math.sqrt(sigma1), math.sqrt(sigma2)
        else:
            phi1, phi2 = math.sqrt(Op1 / Qp1), math.sqrt(Op2 / Qp2)
        try:
            res = core.break_ci_offsets(level, xi, phi1, phi2) if Qp1 > 0 and phi1 > 0 and phi2 > 0 else None
        except (ValueError, OverflowError, ZeroDivisionError):
            res = None
        if res is None:
            notes.append(f"confidence interval for break {i} cannot be computed (degenerate "
                         "limiting distribution, e.g. a perfect fit or no change in coefficients).")
            out.append((math.nan, math.nan))
            continue
        lower, upper = res
        scale = phi1**2 / Qp1
        out.append((lower * scale, upper * scale))
    return out


def _sequential_tests(d: _Data, Xc: np.ndarray, yc: np.ndarray, positions_by_m: dict[int, tuple[int, ...]],
                      h: int, max_breaks: int, lam: float) -> pd.DataFrame:
    n, k = d.n, d.k
    rows = []
    for m in range(0, max_breaks):
        bps = positions_by_m.get(m)
        if bps is None:
            break
        edges = [0, *bps, n]
        best = (-math.inf, -1, -1)
        for s, (a, b) in enumerate(zip(edges[:-1], edges[1:], strict=True)):
            L = b - a
            if L < 2 * h:
                continue
            Xs, ys = Xc[a:b], yc[a:b]
            pre = core.rss_prefix(Xs, ys)
            suf = core.rss_suffix(Xs, ys)
            cut = np.arange(h, L - h + 1)  # observations of the segment before the new break
            split = pre[cut - 1] + suf[cut]
            j = int(np.argmin(split))
            r0, r1 = float(pre[-1]), float(split[j])
            dfr = L - 2 * k
            if dfr < 1 or r1 <= 0:
                F = math.inf if r0 > r1 else math.nan
            else:
                F = ((r0 - r1) / k) / (r1 / dfr)
            if F > best[0] or (math.isnan(best[0]) and not math.isnan(F)):
                best = (F, s + 1, a + int(cut[j]))
        F, seg, pos = best
        if seg < 0:
            rows.append({"l": m, "statistic": math.nan, "wald": math.nan, "p_value": math.nan,
                         "segment": None, "break_at": "", "position": None,
                         "reason": "no segment long enough (2 h) for another break"})
            continue
        p1 = hansen_pvalue(k * F, "sup", k, lam) if math.isfinite(F) else 0.0
        p = 1.0 - (1.0 - p1) ** (m + 1)
        rows.append({"l": m, "statistic": F, "wald": k * F, "p_value": p, "segment": seg,
                     "break_at": _fmt_label(d.label(pos - 1)), "position": pos, "reason": ""})
    out = pd.DataFrame(rows, columns=["l", "statistic", "wald", "p_value", "segment", "break_at",
                                      "position", "reason"])
    return out.astype({"segment": "Int64", "position": "Int64"})


#: Largest series :func:`bai_perron` accepts by default (see ``max_n``): the dynamic
#: programme is O(n²), a few seconds at this size on one core (``make bench``: bench/bench_breaks.py).
MAX_BAI_PERRON_N = 20_000
#: Seconds per n² of the dynamic programme on one core (order of magnitude, for messages).
_BP_SECONDS_PER_N2 = 1.0e-8


def _bp_seconds(n: int) -> float:
    return _BP_SECONDS_PER_N2 * float(n) ** 2


@validated
def bai_perron(y: Any, X: Any = None, *, max_breaks: PositiveInt = 5, trim: Trim = 0.15,
               criterion: Criterion = "bic", min_size: PositiveInt | None = None, level: Level = 0.95,
               alpha: Alpha = 0.05, het_reg: bool = True, het_err: bool = True, cov: Cov = "ols",
               hac_lags: NonNegativeInt | None = None, n_breaks: NonNegativeInt | None = None,
               max_n: PositiveInt | None = None, progress: Callable[[int, int], None] | None = None) -> BreaksResult:
    """Bai and Perron (1998, 2003) estimation of multiple structural breaks.

    Parameters
    ----------
    y : pandas.Series
        The dependent variable, index = observation labels in time order.
    X : DataFrame, array, "constant", "trend" or None
        Regressors, all of which may change at each break (pure structural change).
    max_breaks : int
        Largest number of breaks considered (reduced, with a note, if the minimum segment
        size does not allow it).
    trim : float
        Minimum segment length as a fraction of n: ``h = floor(trim n)`` (ignored when
        ``min_size`` is given).
    criterion : {"bic", "lwz", "sequential"}
        How the number of breaks is chosen: minimum BIC, minimum LWZ, or Bai-Perron's
        sequential sup-F(l+1|l) tests at level ``alpha``.
    min_size : int, optional
        Minimum number of observations per segment ``h`` (must exceed the number of
        regressors).
    level : float
        Confidence level of the break-date intervals.
    alpha : float
        Significance level of the sequential procedure.
    het_reg, het_err : bool
        Allow the regressor moments / error variance to differ across regimes in the
        break-date intervals (Bai 1997; strucchange's defaults).
    cov : {"ols", "hac"}
        ``"hac"`` uses Newey-West long-run variances in the break-date intervals.
    hac_lags : int, optional
        Newey-West lags (default floor(4 (n/100)^(2/9))).
    n_breaks : int, optional
        Report this number of breaks (coefficients, intervals) instead of the one chosen
        by ``criterion`` (which is still computed and shown in the fit table).
    max_n : int, optional
        Largest series accepted (default :data:`MAX_BAI_PERRON_N`, 20,000). The dynamic
        programme's work grows as n²: seconds at 20,000 observations, ~2 min at 100,000.
        A longer series is refused with a message; aggregate it (e.g. monthly means),
        test a window of it, or raise ``max_n`` deliberately.
    progress : callable, optional
        ``progress(done, total)`` is called about a hundred times during the dynamic
        programme (the CLI draws a progress bar with it; the library prints nothing).

    Returns
    -------
    BreaksResult

    Notes
    -----
    The global minimisers for each m come from dynamic programming over the triangular
    matrix of segment RSS, computed row by row from running cross-products (O(T^2) work,
    O(T) memory per m). BIC(m) = n log(RSS_m/n) + n(1 + log 2 pi) + (k+1)(m+1) log n
    (strucchange's; the break dates are not counted as parameters). LWZ(m) =
    log(RSS_m/(n - p*)) + p* c0 (log n)^(2+d0)/n with p* = (m+1)k + m, c0 = 0.299,
    d0 = 0.1 (Bai and Perron 2003). Sequential tests: in each regime of the m-break
    solution, the F statistic of one more break (F scale, with the regime's own variance
    estimate, at positions leaving h observations on each side); the largest is compared
    with the sup-F distribution with trimming h/n: p = 1 - (1 - p_1)^(l+1).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> y = pd.Series(np.repeat([0.0, 2.0, -1.0], 20) + 0.1 * np.cos(np.arange(60)),
    ...               index=range(1901, 1961))
    >>> r = bai_perron(y, max_breaks=3)
    >>> r.breaks
    (1920, 1940)
    """
    d = _prepare(y, X, None, func="bai_perron")
    limit = MAX_BAI_PERRON_N if max_n is None else max_n
    if d.n > limit:
        raise InputError(f"bai_perron: the series has n={d.n:,} observations, above the limit of {limit:,} "
                         f"(the search for break dates costs O(n²): ~{_bp_seconds(d.n):,.0f} s here). Aggregate it to "
                         "a coarser frequency (e.g. monthly means), test a window of it, or raise the limit "
                         "deliberately with max_n= (CLI: --max-n).")
    if d.degenerate:
        raise InputError(f"bai_perron: {d.degenerate} Expected a series that varies; a constant series has no "
                         "break to date.")
    lags = _lags(d, cov, hac_lags)
    n, k = d.n, d.k
    notes: list[str] = []
    if min_size is None:
        h = int(math.floor(trim * n))
    else:
        h = int(min_size)
    if h <= k:
        raise InputError(f"bai_perron: minimum segment size h={h} must exceed the number of regressors "
                         f"k={k}; raise trim (now {trim}) or pass min_size > {k}.")
    if h > n // 2:
        raise InputError(f"bai_perron: minimum segment size h={h} is more than half of n={n}; "
                         "no break fits. Lower trim or min_size.")
    M = min(int(max_breaks), n // h - 1)
    if M < int(max_breaks):
        notes.append(f"max_breaks reduced from {max_breaks} to {M}: with segments of at least "
                     f"h={h} observations no more breaks fit in n={n}.")
    Xc, yc = core.condition(d.X, d.y)
    rss, pos = core.dp_breaks(Xc, yc, h, M, progress=progress)
    # an exact fit leaves round-off (~1e-30 relative); treat it as zero so that the
    # information criteria see a perfect fit (-inf) and pick the smallest such m
    tiny = _EXACT_FIT_REL * float(rss[0])
    rss = np.where(rss <= tiny, 0.0, rss)
    ms = list(range(M + 1))
    positions_by_m = {m: tuple(int(v) for v in pos[m, :m]) for m in ms if np.isfinite(rss[m])}
    breaks_by_m = {m: tuple(d.label(b - 1) for b in bp) for m, bp in positions_by_m.items()}
    rss_s = pd.Series(rss, index=pd.Index(ms, name="m"), name="rss")
    with np.errstate(divide="ignore", invalid="ignore"):
        bic = n * (np.log(rss) + 1 - math.log(n) + math.log(2 * math.pi)) + math.log(n) * (k + 1) * (
            np.arange(M + 1) + 1)
        pstar = (np.arange(M + 1) + 1) * k + np.arange(M + 1)
        lwz = np.log(rss / (n - pstar)) + pstar * _LWZ_C0 * math.log(n) ** (2 + _LWZ_DELTA0) / n
    bic_s = pd.Series(bic, index=rss_s.index, name="bic")
    lwz_s = pd.Series(lwz, index=rss_s.index, name="lwz")
    eps = h / n
    lam = ((1 - eps) / eps) ** 2
    seq = _sequential_tests(d, Xc, yc, positions_by_m, h, M, lam)
    if criterion == "bic":
        m_sel = int(np.argmin(np.where(np.isnan(bic), np.inf, bic)))
    elif criterion == "lwz":
        m_sel = int(np.argmin(np.where(np.isnan(lwz), np.inf, lwz)))
    else:
        m_sel = 0
        for _, row in seq.iterrows():
            if row["p_value"] == row["p_value"] and row["p_value"] < alpha:
                m_sel = int(row["l"]) + 1
            else:
                break
    if n_breaks is not None:
        if not (0 <= int(n_breaks) <= M) or int(n_breaks) not in positions_by_m:
            raise InputError(f"n_breaks={n_breaks} is not available; choose 0..{M} (max_breaks={M} "
                             f"with minimum segment size h={h}).")
        notes.append(f"{criterion.upper()} selects {m_sel} break(s); {int(n_breaks)} requested "
                     "with n_breaks are reported.")
        m_sel = int(n_breaks)
    bps = list(positions_by_m[m_sel])
    coef = _coef_table(d, bps)
    ci_rows = []
    if bps:
        offs = _break_cis(d, bps, level, het_reg, het_err, lags, notes)
        for i, (bp, (lo_off, up_off)) in enumerate(zip(bps, offs, strict=True), start=1):
            if math.isnan(lo_off):
                lo_p = hi_p = math.nan
            else:
                lo_p = bp - math.ceil(up_off)
                hi_p = bp - math.floor(lo_off)
            ci_rows.append({
                "term": f"break {i}", "break_at": _fmt_label(d.label(bp - 1)), "estimate": bp,
                "conf_low": lo_p, "conf_high": hi_p,
                "conf_low_label": _ci_label(d, lo_p, notes, i),
                "conf_high_label": _ci_label(d, hi_p, notes, i),
            })
    conf = pd.DataFrame(ci_rows, columns=["term", "break_at", "estimate", "conf_low", "conf_high",
                                          "conf_low_label", "conf_high_label"])
    a2 = round((1 - level) / 2 * 100, 1)
    notes.append(f"Break positions count observations in the earlier regime; intervals are {a2}%-"
                 f"{100 - a2}% quantiles of Bai's (1997) limiting distribution"
                 f"{' (HAC)' if lags is not None else ''}.")
    cfg = _config(d, max_breaks=int(max_breaks), trim=trim, min_size=h, criterion=criterion,
                  n_breaks=n_breaks,
                  selection=(f"fixed n_breaks={n_breaks}" if n_breaks is not None else f"selected by {criterion.upper()}"),
                  level=level, alpha=alpha, het_reg=het_reg, het_err=het_err, cov=cov, hac_lags=lags)
    return BreaksResult(
        breaks=breaks_by_m[m_sel], n_breaks=m_sel, break_positions=tuple(bps), breaks_by_m=breaks_by_m,
        positions_by_m=positions_by_m, rss_by_m=rss_s, bic_by_m=bic_s, lwz_by_m=lwz_s, sequential=seq,
        coef=coef, conf_int=conf, criterion=criterion, min_size=h, max_breaks=M, level=level, n=n, k=k,
        config=cfg, notes=tuple(dict.fromkeys(notes)))


def _ci_label(d: _Data, p: float, notes: list[str], i: int) -> str:
    if p != p:
        return ""
    pi = int(p)
    if pi < 1 or pi > d.n:
        notes.append(f"the interval of break {i} extends beyond the sample (position {pi}); its label "
                     "is clipped to the first/last observation.")
        pi = min(max(pi, 1), d.n)
    return _fmt_label(d.label(pi - 1))


def _coef_table(d: _Data, bps: list[int]) -> pd.DataFrame:
    """Regime coefficients; variances sigma_j^2 (X_j'X_j)^-1 with sigma_j^2 = RSS_j/n_j
    (strucchange's ``vcov.breakpointsfull`` default), normal-approximation intervals."""
    edges = [0, *bps, d.n]
    z = float(stats.norm.ppf(0.975))
    rows = []
    for s, (a, b) in enumerate(zip(edges[:-1], edges[1:], strict=True), start=1):
        Xs, ys = d.X[a:b], d.y[a:b]
        coef, _, r = _segment_fit(Xs, ys)
        nj = b - a
        try:
            V = (r / nj) * np.linalg.inv(Xs.T @ Xs)
            se = np.sqrt(np.clip(np.diag(V), 0, None))
        except np.linalg.LinAlgError:
            se = np.full(d.k, np.nan)
        for name, est, s_e in zip(d.names, coef, se, strict=True):
            t = est / s_e if s_e > 0 else math.nan
            rows.append({"segment": s, "start": _fmt_label(d.label(a)), "end": _fmt_label(d.label(b - 1)),
                         "term": name, "estimate": float(est), "std_error": float(s_e), "statistic": t,
                         "p_value": float(2 * stats.norm.sf(abs(t))) if t == t else math.nan,
                         "conf_low": float(est - z * s_e), "conf_high": float(est + z * s_e), "n": nj})
    return pd.DataFrame(rows)


# =======================================================================================
# CUSUM


@validated
def cusum_test(y: Any, X: Any = None, *, kind: CusumKind = "ols") -> HypothesisTest:
    """CUSUM test of parameter constancy.

    Parameters
    ----------
    y : pandas.Series
        The dependent variable, index = observation labels in time order.
    X : DataFrame, array, "constant", "trend" or None
        Regressors (default: constant).
    kind : {"ols", "rec"}
        ``"ols"``: OLS-residual CUSUM (Ploberger and Kraemer 1992), statistic
        ``max_t |sum_{s<=t} e_s| / (sigma sqrt(n))`` with ``sigma^2 = RSS/(n-k)``, p-value
        from the sup of a Brownian bridge (Kolmogorov). ``"rec"``: recursive-residual
        CUSUM (Brown, Durbin and Evans 1975), statistic ``max_t |W_t| / (1 + 2 t/(n-k))``
        with ``W_t = sum w_s / (sd(w) sqrt(n-k))``, p-value of crossing the linear
        boundary by Brownian motion.

    Returns
    -------
    HypothesisTest
        ``extra["process"]`` is the empirical fluctuation process (a Series on y's labels)
        and ``extra["max_at"]`` the label where its (scaled) absolute value peaks.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> y = pd.Series(np.r_[np.zeros(40), np.ones(40)] + np.sin(np.arange(80)) / 3)
    >>> cusum_test(y).p_value < 0.01
    True
    """
    d = _prepare(y, X, None, func="cusum_test")
    n, k = d.n, d.k
    cfg = _config(d, kind=kind)
    null = "coefficients constant over the sample"
    if d.degenerate:
        return HypothesisTest.not_computed("OLS-CUSUM test" if kind == "ols" else "Recursive CUSUM test", null,
                                           d.degenerate, config=cfg)
    if kind == "ols":
        name = "OLS-CUSUM test"
        if n - k < 1:
            return HypothesisTest.not_computed(name, null, f"n={n} leaves no residual df with k={k}.", config=cfg)
        coef, *_ = np.linalg.lstsq(d.X, d.y, rcond=None)
        e = d.y - d.X @ coef
        sigma = math.sqrt(float(e @ e) / (n - k))
        if sigma == 0:
            return HypothesisTest.not_computed(name, null, "the regression fits perfectly (zero residual "
                                               "variance).", config=cfg)
        proc = np.cumsum(e) / (sigma * math.sqrt(n))
        stat = float(np.max(np.abs(proc)))
        i = int(np.argmax(np.abs(proc)))
        p = core.pvalue_bb_sup(stat)
        process = pd.Series(proc, index=d.labels, name="ols_cusum")
        dist = "sup |Brownian bridge|"
        max_at = d.label(i)
    else:
        name = "Recursive CUSUM test"
        if n - k < 2:
            return HypothesisTest.not_computed(name, null, f"n={n} gives fewer than 2 recursive residuals "
                                               f"with k={k}.", config=cfg)
        w = core.recursive_residuals(d.X, d.y)
        sd = float(np.std(w, ddof=1))
        if sd == 0:
            return HypothesisTest.not_computed(name, null, "recursive residuals have zero variance.",
                                               config=cfg)
        proc = np.cumsum(w) / (sd * math.sqrt(n - k))
        j = np.arange(1, n - k + 1) / (n - k)
        scaled = np.abs(proc) / (1 + 2 * j)
        stat = float(scaled.max())
        i = int(np.argmax(scaled))
        p = core.pvalue_bm_linear(stat)
        process = pd.Series(proc, index=d.labels[k:], name="rec_cusum")
        dist = "sup |W(t)|/(1+2t), W Brownian motion"
        max_at = d.label(k + i)
    return HypothesisTest(statistic=stat, p_value=p, df=None, null=null, distribution=dist, name=name,
                          config=cfg, extra={"process": process, "max_at": max_at})
