"""Small vectorised OLS helpers for a straight line ``y = a + b x``.

Everything here works on NumPy arrays and is shared by the price-dynamics modules
(trend, threshold, decline, forecast, task cost). The bootstrap fits all resamples at
once from sums (``(B, n)`` index matrices, no Python loop over fits), which is what
makes 10,000-resample confidence intervals cheap.

Formulas are the textbook ones for simple linear regression (e.g. Draper & Smith,
*Applied Regression Analysis*, 3rd ed., ch. 1 and §3.2 for inverse prediction):

* ``b = Sxy / Sxx``, ``a = ȳ − b x̄``, ``s² = RSS / (n − 2)``
* ``se(b) = s / √Sxx``, ``se(a) = s √(1/n + x̄² / Sxx)``
* mean response at ``x0``: ``ŷ0 ± t s √(1/n + (x0 − x̄)² / Sxx)``
* new observation at ``x0``: ``ŷ0 ± t s √(1 + 1/n + (x0 − x̄)² / Sxx)``

:func:`ols` is the general least-squares fit ``y = X β`` with a choice of covariance:
classical, White's heteroskedasticity-consistent HC0 and HC1 (MacKinnon & White 1985;
HC1 = HC0 × n / (n − k), Stata's ``robust``), and the one-way cluster-robust CR1
(Liang & Zeger 1986; Stata's ``vce(cluster)``: ``G/(G − 1) × (n − 1)/(n − k)`` times the
sum over clusters of ``X_g' u_g u_g' X_g``, with t on ``G − 1`` df for inference, as in
Cameron & Miller 2015, §VI).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import linalg, stats

from llmflation.errors import InputError
from llmflation.signature import Level, PositiveInt, Seed, validated

#: Largest number of cells of a resample matrix built at once (memory cap, ~160 MB of float64).
_MAX_CELLS = 20_000_000


@dataclass(frozen=True)
class LineFit:
    """OLS fit of ``y = intercept + slope * x`` with the statistics inference needs.

    Examples
    --------
    >>> f = fit_line([0.0, 1.0, 2.0], [1.0, 3.0, 5.0])
    >>> round(f.slope, 12), round(f.intercept, 12), f.n
    (2.0, 1.0, 3)
    """

    n: int
    intercept: float
    slope: float
    se_intercept: float
    se_slope: float
    sigma: float
    r_squared: float
    x_mean: float
    sxx: float
    rss: float

    @property
    def df_resid(self) -> int:
        return self.n - 2

    def t_crit(self, level: float) -> float:
        """Two-sided critical value of Student's t with ``n − 2`` df."""
        return float(stats.t.ppf(0.5 + level / 2, self.df_resid))

    def slope_ci(self, level: float = 0.95) -> tuple[float, float]:
        """Two-sided t interval for the slope."""
        h = self.t_crit(level) * self.se_slope
        return self.slope - h, self.slope + h

    def predict(self, x0: np.ndarray | float) -> np.ndarray:
        return self.intercept + self.slope * np.asarray(x0, dtype=float)

    def se_mean(self, x0: np.ndarray | float) -> np.ndarray:
        """Standard error of the fitted mean at ``x0``."""
        x0 = np.asarray(x0, dtype=float)
        return self.sigma * np.sqrt(1.0 / self.n + (x0 - self.x_mean) ** 2 / self.sxx)

    def se_pred(self, x0: np.ndarray | float) -> np.ndarray:
        """Standard error of a new observation at ``x0`` (prediction)."""
        x0 = np.asarray(x0, dtype=float)
        return self.sigma * np.sqrt(1.0 + 1.0 / self.n + (x0 - self.x_mean) ** 2 / self.sxx)

    def interval(self, x0: np.ndarray | float, level: float = 0.95,
                 kind: Literal["prediction", "confidence"] = "prediction"
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Point prediction and interval at ``x0`` (t with ``n − 2`` df)."""
        yhat = self.predict(x0)
        se = self.se_pred(x0) if kind == "prediction" else self.se_mean(x0)
        h = self.t_crit(level) * se
        return yhat, yhat - h, yhat + h


def _as_xy(x: object, y: object) -> tuple[np.ndarray, np.ndarray]:
    xa = np.asarray(x, dtype=float).ravel()
    ya = np.asarray(y, dtype=float).ravel()
    if xa.shape != ya.shape:
        raise InputError(f"x and y have different lengths ({xa.size} and {ya.size}); pass paired arrays.")
    if not (np.isfinite(xa).all() and np.isfinite(ya).all()):
        raise InputError("x or y contains NaN or infinite values; drop them before fitting.")
    return xa, ya


#: ``y`` values whose spread (root mean square about their mean) is at most this fraction
#: of their scale (``max(1, |mean|)``) are constant: floating-point noise of sums of ~1e-16,
#: with four orders of margin.
Y_CONST_RTOL = 1e-12


def fit_line(x: object, y: object) -> LineFit:
    """Ordinary least squares of ``y`` on ``x`` with an intercept.

    Raises :class:`~llmflation.errors.InputError` with fewer than 3 points or when all
    ``x`` are equal (the slope is not identified). When all ``y`` are equal within
    :data:`Y_CONST_RTOL` of their scale the line is exactly flat (slope 0, zero residuals)
    and ``r_squared`` is NaN (R² = 1 − 0/0 is undefined).

    Examples
    --------
    >>> f = fit_line([0, 1, 2, 3], [0.1, 0.9, 2.1, 2.9])
    >>> round(f.slope, 4), round(f.r_squared, 4)
    (0.96, 0.9931)
    """
    xa, ya = _as_xy(x, y)
    n = xa.size
    if n < 3:
        raise InputError(f"a line with standard errors needs at least 3 points; got {n}. Add observations.")
    xm, ym = xa.mean(), ya.mean()
    dx, dy = xa - xm, ya - ym
    sxx = float(dx @ dx)
    if sxx <= 1e-300 * max(1.0, abs(xm)):
        raise InputError("all x values are equal, so the slope is not identified; observations must span time.")
    sxy = float(dx @ dy)
    syy = float(dy @ dy)
    # y constant within rounding (relative to its scale): the line is flat *exactly*. Fitting
    # the rounding noise instead would give a slope of ~1e-16 with a standard error of
    # ~1e-16 and a t statistic of any size (a "significant" trend in a constant series).
    constant = syy <= n * (Y_CONST_RTOL * max(1.0, abs(ym))) ** 2
    b = 0.0 if constant else sxy / sxx
    a = ym - b * xm
    resid = np.zeros_like(dy) if constant else dy - b * dx
    rss = float(resid @ resid)
    sigma = math.sqrt(rss / (n - 2)) if n > 2 else float("nan")
    # R² is undefined when y does not vary (0/0): NaN, and callers say so.
    r2 = math.nan if constant else 1.0 - rss / syy
    return LineFit(n=n, intercept=float(a), slope=float(b), se_intercept=sigma * math.sqrt(1 / n + xm**2 / sxx),
                   se_slope=sigma / math.sqrt(sxx), sigma=sigma, r_squared=float(r2), x_mean=float(xm), sxx=sxx,
                   rss=rss)


def batched_slopes(xs: np.ndarray, ys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Slopes and intercepts of one line per row of ``xs``/``ys`` (shape ``(B, n)``).

    Rows whose ``x`` values are all equal get NaN.

    Examples
    --------
    >>> b, a = batched_slopes(np.array([[0., 1., 2.], [1., 1., 1.]]), np.array([[1., 3., 5.], [1., 2., 3.]]))
    >>> b.tolist()[0], bool(np.isnan(b[1]))
    (2.0, True)
    """
    xm = xs.mean(axis=1, keepdims=True)
    ym = ys.mean(axis=1, keepdims=True)
    dx = xs - xm
    sxx = np.einsum("ij,ij->i", dx, dx)
    sxy = np.einsum("ij,ij->i", dx, ys - ym)
    scale = np.maximum(1.0, np.abs(xm[:, 0]))
    ok = sxx > 1e-12 * scale * scale
    with np.errstate(invalid="ignore", divide="ignore"):
        b = np.where(ok, sxy / np.where(ok, sxx, 1.0), np.nan)
    a = ym[:, 0] - b * xm[:, 0]
    return b, a


BootstrapKind = Literal["pairs", "residual", "cluster"]


def _cluster_codes(clusters: object, n: int) -> tuple[np.ndarray, int]:
    """Integer codes 0..G-1 of cluster labels (one per observation)."""
    lab = np.asarray(clusters, dtype=object).ravel()
    if lab.size != n:
        raise InputError(f"clusters has {lab.size} labels for {n} observations; pass one label per observation.")
    if any(v is None or (isinstance(v, float) and math.isnan(v)) for v in lab):
        raise InputError("clusters contains missing labels; give every observation a cluster (e.g. its model id).")
    _, codes = np.unique(lab.astype(str), return_inverse=True)
    return codes.astype(np.int64), int(codes.max()) + 1 if codes.size else 0


@validated
def bootstrap_slopes(x: object, y: object, *, n_boot: PositiveInt = 2000, seed: Seed | None = 0,
                     kind: BootstrapKind = "pairs", rng: np.random.Generator | None = None,
                     clusters: object = None) -> np.ndarray:
    """Bootstrap distribution of the OLS slope, all resamples fitted at once.

    ``kind="pairs"`` resamples (x, y) cases (robust to heteroskedasticity);
    ``"residual"`` keeps x fixed and resamples residuals (assumes i.i.d. errors);
    ``"cluster"`` resamples whole clusters (``clusters``: one label per observation,
    e.g. the model id) with replacement, keeping each cluster's observations together —
    the pairs cluster bootstrap (Cameron, Gelbach & Miller 2008), valid when errors are
    correlated within clusters and independent across them. Degenerate resamples (all x
    equal) are dropped; the returned array may be shorter than ``n_boot`` by that many.

    Examples
    --------
    >>> x = np.arange(20.0); y = 1 - 0.5 * x + np.sin(x)
    >>> s = bootstrap_slopes(x, y, n_boot=500, seed=1)
    >>> s.shape, bool(-0.6 < np.median(s) < -0.4)
    ((500,), True)
    >>> c = bootstrap_slopes(x, y, n_boot=500, seed=1, kind="cluster", clusters=np.arange(20) // 2)
    >>> bool(-0.6 < np.median(c) < -0.4)
    True
    """
    xa, ya = _as_xy(x, y)
    n = xa.size
    if n < 3:
        raise InputError(f"the bootstrap needs at least 3 points; got {n}.")
    gen = rng if rng is not None else np.random.default_rng(seed)
    out = np.empty(n_boot)
    if kind == "residual":
        chunk = max(1, _MAX_CELLS // n)
        f = fit_line(xa, ya)
        resid = ya - f.predict(xa)
        xm = xa.mean()
        dx = xa - xm
        # slope of (fitted + e*) on x = b + dx·e* / Sxx: one matrix product per chunk
        for s in range(0, n_boot, chunk):
            m = min(chunk, n_boot - s)
            e = resid[gen.integers(0, n, size=(m, n))]
            out[s:s + m] = f.slope + e @ dx / f.sxx
        return out
    # A resample is a vector of unit counts (cases, or clusters); its weighted sums are one
    # matrix product counts (m, G) @ per-unit sums of [1, x, y, x², xy] (G, 5) — centred.
    xc, yc = xa - xa.mean(), ya - ya.mean()
    basis = np.column_stack([np.ones(n), xc, yc, xc * xc, xc * yc])
    if kind == "cluster":
        if clusters is None:
            raise InputError("kind='cluster' needs clusters= (one label per observation, e.g. the model id).")
        codes, g = _cluster_codes(clusters, n)
        if g < 2:
            raise InputError(f"the cluster bootstrap needs at least 2 clusters; got {g}.")
        sums = np.zeros((g, 5))
        np.add.at(sums, codes, basis)
        units = g
    else:
        sums, units = basis, n
    chunk = max(1, _MAX_CELLS // units)
    tol = 1e-12 * float(n * n) * max(1.0, float(xc @ xc) / n)
    for s in range(0, n_boot, chunk):
        m = min(chunk, n_boot - s)
        idx = gen.integers(0, units, size=(m, units))
        counts = np.bincount((idx + (np.arange(m) * units)[:, None]).ravel(),
                             minlength=m * units).reshape(m, units)
        w, sx, sy, sxx, sxy = (counts.astype(float) @ sums).T
        den = w * sxx - sx * sx
        with np.errstate(invalid="ignore", divide="ignore"):
            out[s:s + m] = np.where(den > tol, (w * sxy - sx * sy) / np.where(den > tol, den, 1.0), np.nan)
    return out[np.isfinite(out)]


@validated
def percentile_interval(draws: np.ndarray, level: Level = 0.95) -> tuple[float, float]:
    """Equal-tailed percentile interval of bootstrap draws (NaN if there are none)."""
    d = np.asarray(draws, dtype=float)
    d = d[np.isfinite(d)]
    if d.size == 0:
        return float("nan"), float("nan")
    lo, hi = np.quantile(d, [0.5 - level / 2, 0.5 + level / 2])
    return float(lo), float(hi)


@validated
def inverse_prediction(fit: LineFit, y0: float, level: Level = 0.95,
                       kind: Literal["confidence", "prediction"] = "confidence"
                       ) -> tuple[float, float, float]:
    """Where the fitted line reaches ``y0``, with a Fieller (inversion) interval.

    ``kind="confidence"`` (default) gives the set of ``x`` whose confidence band for the
    *mean* response contains ``y0`` — where the trend line itself reaches ``y0``
    ("regulation", Graybill & Iyer 1994 §6.3; Draper & Smith §3.2). ``kind="prediction"``
    uses the prediction band of one new observation instead ("calibration": which ``x``
    produced an observed ``y0``). With ``g = (t · se(b) / b)²`` and ``d = x̂ − x̄`` the
    bounds are ``x̄ + [d ± t s/|b| √(d²/Sxx + (1 − g)(c + 1/n))] / (1 − g)``, ``c`` = 0 or 1.
    Bounds are ``±inf`` when the slope is not significantly different from zero at
    ``level`` (``g ≥ 1``: the set is then unbounded).

    Examples
    --------
    >>> f = fit_line([0., 1., 2., 3., 4.], [10., 8.1, 5.9, 4.2, 1.9])
    >>> x, lo, hi = inverse_prediction(f, 5.0)
    >>> round(x, 3), lo < x < hi
    (2.507, True)
    >>> _, plo, phi = inverse_prediction(f, 5.0, kind="prediction")
    >>> plo < lo and hi < phi
    True
    """
    b = fit.slope
    xhat = (y0 - fit.intercept) / b if b != 0 else float("nan")
    t = fit.t_crit(level)
    g = (t * fit.se_slope / b) ** 2 if b != 0 else float("inf")
    if not g < 1:
        return xhat, -math.inf, math.inf
    c = 1.0 if kind == "prediction" else 0.0
    d = xhat - fit.x_mean
    half = t * fit.sigma / abs(b) * math.sqrt(d**2 / fit.sxx + (1 - g) * (c + 1 / fit.n))
    centre = fit.x_mean + d / (1 - g)
    lo, hi = centre - half / (1 - g), centre + half / (1 - g)
    return xhat, float(lo), float(hi)


# --------------------------------------------------------------------------- general OLS

CovType = Literal["classical", "HC0", "HC1", "HC3", "cluster"]


@dataclass(frozen=True)
class OLSFit:
    """Least squares ``y = X β`` with the covariance of ``cov_type``.

    Attributes
    ----------
    params, std_errors : ndarray
        Coefficients and their standard errors (square roots of ``cov``'s diagonal).
    cov : ndarray
        Covariance matrix of ``params``.
    n, k : int
        Observations and rank of ``X``.
    df : int
        Degrees of freedom of the t reference distribution: ``n − k``, or ``G − 1``
        for cluster-robust errors (``G`` clusters).
    n_clusters : int or None
    cov_type : str
    rss : float

    Examples
    --------
    >>> X = np.column_stack([np.ones(4), [0., 1., 2., 3.]])
    >>> f = ols(X, [0.1, 0.9, 2.1, 2.9])
    >>> [round(float(v), 4) for v in f.params], f.df
    ([0.06, 0.96], 2)
    """

    params: np.ndarray
    cov: np.ndarray
    n: int
    k: int
    df: int
    cov_type: str
    rss: float
    n_clusters: int | None = None

    @property
    def std_errors(self) -> np.ndarray:
        return np.sqrt(np.clip(np.diag(self.cov), 0.0, None))

    @property
    def t_values(self) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            return self.params / self.std_errors

    @property
    def p_values(self) -> np.ndarray:
        """Two-sided p-values from Student's t with ``df`` degrees of freedom."""
        return 2 * stats.t.sf(np.abs(self.t_values), self.df)

    def conf_int(self, level: float = 0.95) -> np.ndarray:
        """``(k, 2)`` t intervals at ``level``."""
        h = float(stats.t.ppf(0.5 + level / 2, self.df)) * self.std_errors
        return np.column_stack([self.params - h, self.params + h])


@validated
def ols(X: object, y: object, *, cov: CovType = "classical", clusters: object = None) -> OLSFit:
    """Ordinary least squares with classical, HC0, HC1, HC3 or cluster-robust (CR1) covariance.

    Parameters
    ----------
    X : array (n, k)
        Regressors (include a column of ones for an intercept). Rank-deficient designs
        are handled with a pseudo-inverse; ``k`` is then the rank.
    y : array (n,)
    cov : {"classical", "HC0", "HC1", "HC3", "cluster"}
        HC3 divides each residual by ``1 − h_ii`` (MacKinnon & White 1985; Stata ``vce(hc3)``).
        ``"cluster"`` needs ``clusters`` (one label per row) and is Stata's
        ``vce(cluster)``: small-sample factor ``G/(G − 1) × (n − 1)/(n − k)``, t on
        ``G − 1`` df.

    Examples
    --------
    >>> X = np.column_stack([np.ones(6), np.arange(6.0)])
    >>> y = np.array([0.0, 1.2, 1.9, 3.3, 3.8, 5.1])
    >>> f = ols(X, y, cov="cluster", clusters=[0, 0, 1, 1, 2, 2])
    >>> f.n_clusters, f.df
    (3, 2)
    """
    Xa = np.asarray(X, dtype=float)
    ya = np.asarray(y, dtype=float).ravel()
    if Xa.ndim == 1:
        Xa = Xa[:, None]
    n = ya.size
    if Xa.shape[0] != n:
        raise InputError(f"X has {Xa.shape[0]} rows and y {n} values; pass one row of X per observation.")
    if not (np.isfinite(Xa).all() and np.isfinite(ya).all()):
        raise InputError("X or y contains NaN or infinite values; drop them before fitting.")
    k = int(np.linalg.matrix_rank(Xa))
    if n <= k:
        raise InputError(f"{n} observations cannot identify {k} coefficients with standard errors; add data.")
    if k == Xa.shape[1]:
        # QR keeps the conditioning of X, not of X'X (dates in years are ~2024: X'X is ill-conditioned)
        q, r = np.linalg.qr(Xa)
        r_inv = linalg.solve_triangular(r, np.eye(k))
        bread = r_inv @ r_inv.T
        beta = r_inv @ (q.T @ ya)
    else:
        bread = np.linalg.pinv(Xa.T @ Xa)
        beta = bread @ (Xa.T @ ya)
    u = ya - Xa @ beta
    rss = float(u @ u)
    n_clusters = None
    df = n - k
    if cov == "classical":
        vcov = bread * (rss / (n - k))
    elif cov in ("HC0", "HC1"):
        xu = Xa * u[:, None]
        vcov = bread @ (xu.T @ xu) @ bread
        if cov == "HC1":
            vcov = vcov * (n / (n - k))
    elif cov == "HC3":
        h = np.einsum("ij,jk,ik->i", Xa, bread, Xa)
        xu = Xa * (u / (1.0 - h))[:, None]
        vcov = bread @ (xu.T @ xu) @ bread
    else:
        if clusters is None:
            raise InputError("cov='cluster' needs clusters= (one label per observation).")
        codes, g = _cluster_codes(clusters, n)
        if g < 2:
            raise InputError(f"cluster-robust standard errors need at least 2 clusters; got {g}.")
        scores = np.zeros((g, Xa.shape[1]))
        np.add.at(scores, codes, Xa * u[:, None])
        vcov = bread @ (scores.T @ scores) @ bread * (g / (g - 1) * (n - 1) / (n - k))
        n_clusters, df = g, g - 1
    return OLSFit(params=beta, cov=vcov, n=n, k=k, df=df, cov_type=cov, rss=rss, n_clusters=n_clusters)


def dummies(values: pd.Series) -> np.ndarray:
    """Treatment dummies of a categorical column (first level dropped)."""
    d = pd.get_dummies(values.astype(str), drop_first=True, dtype=float)
    return d.to_numpy()


@dataclass(frozen=True)
class NamedFit:
    """An :class:`OLSFit` with named coefficients (the attributes the study's regressions read).

    ``params``, ``bse``, ``tvalues``, ``pvalues`` are Series by regressor name; ``nobs``,
    ``df_resid`` (``n − k``), ``rsquared`` (centred when ``X`` has a constant column) and
    ``cov_params()`` as in statsmodels, so one OLS stack serves every regression.
    """

    fit: OLSFit
    names: tuple[str, ...]
    rsquared: float

    def _s(self, v: np.ndarray) -> pd.Series:
        return pd.Series(np.asarray(v, dtype=float), index=list(self.names))

    @property
    def params(self) -> pd.Series:
        return self._s(self.fit.params)

    @property
    def bse(self) -> pd.Series:
        return self._s(self.fit.std_errors)

    @property
    def tvalues(self) -> pd.Series:
        return self._s(self.fit.t_values)

    @property
    def pvalues(self) -> pd.Series:
        return self._s(self.fit.p_values)

    @property
    def nobs(self) -> int:
        return self.fit.n

    @property
    def df_resid(self) -> int:
        return self.fit.n - self.fit.k

    def cov_params(self) -> pd.DataFrame:
        return pd.DataFrame(self.fit.cov, index=list(self.names), columns=list(self.names))

    def conf_int(self, level: float = 0.95) -> np.ndarray:
        return self.fit.conf_int(level)


@validated
def robust_ols(y: pd.Series, X: pd.DataFrame, *, cov_type: Literal["HC1", "HC3", "cluster"],
               groups: np.ndarray | None = None, level: Level = 0.95) -> tuple[NamedFit, pd.DataFrame]:
    """OLS with HC1/HC3 or cluster-robust standard errors and a t reference distribution, by name.

    The same least squares as :func:`ols` (one OLS stack): HC1 is White's sandwich scaled
    by n/(n − k) (Stata ``regress, vce(robust)``), tests and intervals on t(n − k);
    ``cov_type="cluster"`` uses Stata's small-sample factor G/(G−1)·(n−1)/(n−k) and
    t(G − 1). Returns the named fit and the tidy coefficient table
    (``term, estimate, std_error, statistic, p_value, conf_low, conf_high, n``).

    Examples
    --------
    >>> X = pd.DataFrame({"const": 1.0, "x": [0.0, 1.0, 2.0, 3.0, 4.0]})
    >>> fit, table = robust_ols(pd.Series([0.1, 1.1, 1.9, 3.2, 3.9]), X, cov_type="HC1")
    >>> round(float(fit.params["x"]), 2), list(table["term"])
    (0.97, ['const', 'x'])
    """
    cov = cov_type
    Xa = X.to_numpy(dtype=float)
    ya = np.asarray(y, dtype=float)
    f = ols(Xa, ya, cov=cov, clusters=groups if cov == "cluster" else None)  # type: ignore[arg-type]
    u = ya - Xa @ f.params
    has_const = bool(np.any(np.all(Xa == Xa[:1], axis=0) & (Xa[0] != 0))) if len(Xa) else False
    tss = float(((ya - ya.mean()) ** 2).sum()) if has_const else float((ya ** 2).sum())
    r2 = 1.0 - float(u @ u) / tss if tss > 0 else math.nan
    fit = NamedFit(fit=f, names=tuple(map(str, X.columns)), rsquared=r2)
    ci = f.conf_int(level)
    coefs = pd.DataFrame({"term": list(fit.names), "estimate": f.params, "std_error": f.std_errors,
                          "statistic": f.t_values, "p_value": f.p_values,
                          "conf_low": ci[:, 0], "conf_high": ci[:, 1], "n": int(f.n)})
    return fit, coefs
