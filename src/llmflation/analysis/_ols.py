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
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import stats

from llmflation.errors import InputError

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


def fit_line(x: object, y: object) -> LineFit:
    """Ordinary least squares of ``y`` on ``x`` with an intercept.

    Raises :class:`~llmflation.errors.InputError` with fewer than 3 points or when all
    ``x`` are equal (the slope is not identified).

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
    b = sxy / sxx
    a = ym - b * xm
    resid = dy - b * dx
    rss = float(resid @ resid)
    sigma = math.sqrt(rss / (n - 2)) if n > 2 else float("nan")
    r2 = 1.0 - rss / syy if syy > 0 else 1.0
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


BootstrapKind = Literal["pairs", "residual"]


def bootstrap_slopes(x: object, y: object, *, n_boot: int = 2000, seed: int | None = 0,
                     kind: BootstrapKind = "pairs", rng: np.random.Generator | None = None) -> np.ndarray:
    """Bootstrap distribution of the OLS slope, all resamples fitted at once.

    ``kind="pairs"`` resamples (x, y) cases (robust to heteroskedasticity);
    ``"residual"`` keeps x fixed and resamples residuals (assumes i.i.d. errors).
    Degenerate pair resamples (all x equal) are dropped; the returned array may be
    shorter than ``n_boot`` by that many.

    Examples
    --------
    >>> x = np.arange(20.0); y = 1 - 0.5 * x + np.sin(x)
    >>> s = bootstrap_slopes(x, y, n_boot=500, seed=1)
    >>> s.shape, bool(-0.6 < np.median(s) < -0.4)
    ((500,), True)
    """
    xa, ya = _as_xy(x, y)
    n = xa.size
    if n < 3:
        raise InputError(f"the bootstrap needs at least 3 points; got {n}.")
    if n_boot < 1:
        raise InputError(f"n_boot must be positive; got {n_boot}.")
    gen = rng if rng is not None else np.random.default_rng(seed)
    out = np.empty(n_boot)
    chunk = max(1, _MAX_CELLS // n)
    if kind == "residual":
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
    if kind != "pairs":
        raise InputError(f"kind={kind!r} is not allowed; expected one of: 'pairs', 'residual'.")
    # A resample is a vector of case counts; its weighted sums are one matrix product
    # counts (m, n) @ [1, x, y, x², xy] (n, 5) — centred for precision.
    xc, yc = xa - xa.mean(), ya - ya.mean()
    basis = np.column_stack([np.ones(n), xc, yc, xc * xc, xc * yc])
    tol = 1e-12 * float(n * n) * max(1.0, float(xc @ xc) / n)
    for s in range(0, n_boot, chunk):
        m = min(chunk, n_boot - s)
        idx = gen.integers(0, n, size=(m, n))
        counts = np.bincount((idx + (np.arange(m) * n)[:, None]).ravel(), minlength=m * n).reshape(m, n)
        w, sx, sy, sxx, sxy = (counts.astype(float) @ basis).T
        den = w * sxx - sx * sx
        with np.errstate(invalid="ignore", divide="ignore"):
            out[s:s + m] = np.where(den > tol, (w * sxy - sx * sy) / np.where(den > tol, den, 1.0), np.nan)
    return out[np.isfinite(out)]


def percentile_interval(draws: np.ndarray, level: float = 0.95) -> tuple[float, float]:
    """Equal-tailed percentile interval of bootstrap draws (NaN if there are none)."""
    d = np.asarray(draws, dtype=float)
    d = d[np.isfinite(d)]
    if d.size == 0:
        return float("nan"), float("nan")
    lo, hi = np.quantile(d, [0.5 - level / 2, 0.5 + level / 2])
    return float(lo), float(hi)


def inverse_prediction(fit: LineFit, y0: float, level: float = 0.95
                       ) -> tuple[float, float, float]:
    """Where the fitted line reaches ``y0``, with a Fieller confidence interval.

    The interval is the set of ``x`` whose confidence band for the mean response
    contains ``y0`` (Draper & Smith §3.2, "inverse regression" with the mean line).
    Bounds are ``±inf`` when the slope is not significantly different from zero at
    ``level`` (the set is then unbounded).

    Examples
    --------
    >>> f = fit_line([0., 1., 2., 3., 4.], [10., 8.1, 5.9, 4.2, 1.9])
    >>> x, lo, hi = inverse_prediction(f, 5.0)
    >>> round(x, 3), lo < x < hi
    (2.507, True)
    """
    b = fit.slope
    xhat = (y0 - fit.intercept) / b if b != 0 else float("nan")
    t = fit.t_crit(level)
    g = (t * fit.se_slope / b) ** 2 if b != 0 else float("inf")
    if not g < 1:
        return xhat, -math.inf, math.inf
    d = xhat - fit.x_mean
    half = t * fit.sigma / abs(b) * math.sqrt(d**2 / fit.sxx + (1 - g) / fit.n)
    centre = fit.x_mean + d / (1 - g)
    lo, hi = centre - half / (1 - g), centre + half / (1 - g)
    return xhat, float(lo), float(hi)
