"""Wild cluster bootstrap for one OLS coefficient (few clusters).

With few clusters (a dozen developers) cluster-robust t tests over-reject; the wild
cluster bootstrap (Cameron, Gelbach & Miller 2008, *REStat* 90(3)) keeps the regressors
fixed and multiplies each cluster's residuals by one random weight. :func:`wild_cluster`
gives

* the **WCR** p-value of ``H0: β_j = 0`` (residuals of the model restricted by the null,
  bootstrap t statistics with CR1 errors; the recommended test), and
* a **WCU percentile-t** interval (residuals of the unrestricted model, the bootstrap
  distribution of ``(β*_j − β̂_j) / se*_j``),

with Webb's (2023) six-point weights, which have many more distinct draws than
Rademacher's when clusters are few (2^G). The package implements it directly (a few
lines of linear algebra) rather than depend on ``wildboottest``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from llmflation.errors import InputError
from llmflation.signature import Level, NonNegativeInt, PositiveInt, Seed, validated

#: Webb (2023) six-point weights (mean 0, variance 1).
WEBB = np.array([-math.sqrt(1.5), -1.0, -math.sqrt(0.5), math.sqrt(0.5), 1.0, math.sqrt(1.5)])


@dataclass(frozen=True)
class WildClusterResult:
    """Estimate, CR1 standard error, WCR p-value and WCU percentile-t interval of one coefficient."""

    estimate: float
    std_error: float
    p_value: float
    conf_low: float
    conf_high: float
    n: int
    n_clusters: int
    n_boot: int


def _cr1(X: np.ndarray, XtXi: np.ndarray, u: np.ndarray, codes: np.ndarray, G: int, j: int) -> np.ndarray:
    """CR1 standard error of coefficient ``j`` for each column of residuals ``u`` (n × B)."""
    n, k = X.shape
    a = XtXi[j] @ X.T  # (n,) influence row of coefficient j
    s = np.zeros((G, u.shape[1]))
    np.add.at(s, codes, a[:, None] * u)
    c = G / (G - 1) * (n - 1) / (n - k)
    return np.sqrt(c * (s ** 2).sum(axis=0))


@validated
def wild_cluster(X: Any, y: Any, clusters: Any, *, j: NonNegativeInt = 1, n_boot: PositiveInt = 999,
                 seed: Seed | None = 0, level: Level = 0.95) -> WildClusterResult:
    """Wild cluster bootstrap (Webb weights) for coefficient ``j`` of ``y = Xβ + u``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> g = np.repeat(np.arange(12), 20)
    >>> x = rng.normal(size=240)
    >>> y = 2.0 * x + rng.normal(size=12)[g] + rng.normal(size=240)
    >>> r = wild_cluster(np.column_stack([np.ones(240), x]), y, g, n_boot=499)
    >>> bool(r.conf_low < 2.0 < r.conf_high), r.p_value < 0.01
    (True, True)
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float).ravel()
    if X.ndim != 2 or X.shape[0] != y.size:
        raise InputError(f"X must be n × k and y of length n; got {X.shape} and {y.size}.")
    labels, codes = np.unique(pd.Series(np.asarray(clusters)).astype(str).to_numpy(), return_inverse=True)
    G = len(labels)
    if G < 2:
        raise InputError(f"a wild cluster bootstrap needs at least 2 clusters; got {G}.")
    n, k = X.shape
    if j >= k:
        raise InputError(f"j={j} is not a coefficient of X, which has {k} column(s); pass j in 0..{k - 1}.")
    if n <= k or np.linalg.matrix_rank(X) < k:
        raise InputError("the regressors are collinear or there are no residual degrees of freedom.")
    XtXi = np.linalg.inv(X.T @ X)
    beta = XtXi @ X.T @ y
    u = y - X @ beta
    se = float(_cr1(X, XtXi, u[:, None], codes, G, j)[0])
    rng = np.random.default_rng(seed)
    V = WEBB[rng.integers(0, 6, size=(G, n_boot))][codes]  # n × B
    # unrestricted (WCU): percentile-t interval
    ys = (X @ beta)[:, None] + u[:, None] * V
    bs = XtXi @ X.T @ ys
    us = ys - X @ bs
    ses = _cr1(X, XtXi, us, codes, G, j)
    t = (bs[j] - beta[j]) / ses
    lo_q, hi_q = np.quantile(t, [0.5 + level / 2, 0.5 - level / 2])
    # restricted (WCR): null β_j = 0 imposed
    Xr = np.delete(X, j, axis=1)
    br = np.linalg.lstsq(Xr, y, rcond=None)[0] if Xr.shape[1] else np.zeros(0)
    ur = y - Xr @ br
    yr = (Xr @ br)[:, None] + ur[:, None] * V
    bsr = XtXi @ X.T @ yr
    usr = yr - X @ bsr
    tr = bsr[j] / _cr1(X, XtXi, usr, codes, G, j)
    t0 = beta[j] / se if se > 0 else math.nan
    p = float(np.mean(np.abs(tr) >= abs(t0))) if np.isfinite(t0) else math.nan
    return WildClusterResult(estimate=float(beta[j]), std_error=se, p_value=p,
                             conf_low=float(beta[j] - lo_q * se), conf_high=float(beta[j] - hi_q * se),
                             n=n, n_clusters=G, n_boot=n_boot)
