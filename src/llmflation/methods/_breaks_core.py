"""Array kernels behind :mod:`llmflation.methods.breaks` (no pandas, no labels).

Conventions: observations are 0-based; a *break position* ``b`` is the number of
observations in the earlier regime (strucchange's convention), so the earlier regime is
``0 .. b-1`` and the later one ``b .. n-1``.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from scipy import optimize, stats

# ---------------------------------------------------------------------------------------
# segment residual sums of squares


def rss_prefix(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """RSS of the OLS fit on observations ``0..t`` for every ``t`` (NaN while ``t+1 < k``).

    Uses running cross-products started at the first row of the slice (no global
    cumulative sums, so no cancellation from far-away observations); singular segments
    fall back to the pseudo-inverse (the RSS of the reduced model, as ``lm.fit`` does).
    """
    n, k = X.shape
    out = np.full(n, np.nan)
    if n < k:
        return out
    yy = np.cumsum(y * y)
    if k == 1:
        x = X[:, 0]
        xx = np.cumsum(x * x)
        xy = np.cumsum(x * y)
        with np.errstate(divide="ignore", invalid="ignore"):
            rss = yy - np.where(xx > 0, xy * xy / xx, 0.0)
        out[:] = rss
    else:
        xx = np.cumsum(X[:, :, None] * X[:, None, :], axis=0)[k - 1 :]
        xy = np.cumsum(X * y[:, None], axis=0)[k - 1 :]
        try:
            b = np.linalg.solve(xx, xy[:, :, None])[:, :, 0]
            bad = ~np.isfinite(b).all(axis=1)
        except np.linalg.LinAlgError:
            b = np.einsum("tij,tj->ti", np.linalg.pinv(xx), xy)
            bad = np.zeros(len(b), dtype=bool)
        if bad.any():
            b[bad] = np.einsum("tij,tj->ti", np.linalg.pinv(xx[bad]), xy[bad])
        out[k - 1 :] = yy[k - 1 :] - np.einsum("ti,ti->t", b, xy)
    # round-off can make a perfect fit slightly negative
    np.maximum(out, 0.0, out=out, where=~np.isnan(out))
    return out


def rss_suffix(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """RSS of the OLS fit on observations ``t..n-1`` for every ``t``."""
    return rss_prefix(X[::-1], y[::-1])[::-1].copy()


def rss_segment(X: np.ndarray, y: np.ndarray, a: int, b: int) -> float:
    """RSS of the OLS fit on observations ``a..b-1``."""
    Xs, ys = X[a:b], y[a:b]
    if len(ys) == 0:
        return 0.0
    coef, *_ = np.linalg.lstsq(Xs, ys, rcond=None)
    r = ys - Xs @ coef
    return float(r @ r)


def condition(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """An equivalent, better-conditioned problem with the same segment RSS everywhere.

    Segment RSS is invariant to ``X -> X A`` (A invertible) and ``y -> y - X c``; we use
    orthonormal columns (scaled by sqrt(n)) and the full-sample OLS residual.
    """
    n = len(y)
    q, r = np.linalg.qr(X)
    keep = np.abs(np.diag(r)) > 1e-12 * max(1.0, np.abs(np.diag(r)).max())
    q = q[:, keep]
    yt = y - q @ (q.T @ y)
    return q * math.sqrt(n), yt


# ---------------------------------------------------------------------------------------
# dynamic programming (Bai and Perron 2003)


def dp_breaks(X: np.ndarray, y: np.ndarray, h: int, max_breaks: int,
              progress: Callable[[int, int], None] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Globally optimal partitions with 0..max_breaks breaks by dynamic programming.

    One pass over segment starts ``s`` computes the row ``RSS(s, s..n-1)`` of the
    triangular matrix of segment RSS (O(n) per row after the running cross-products) and
    relaxes every layer ``m`` at once: ``best[m, i] = min_j best[m-1, j] + RSS(j+1, i)``.
    Total work O(n^2) (times k^3), memory O(max_breaks * n). ``progress(done, total)``,
    when given, is called about a hundred times with the segment starts done so far.

    Returns
    -------
    rss : array (max_breaks + 1,)
        Minimal total RSS for each number of breaks (inf when infeasible).
    positions : array (max_breaks + 1, max_breaks)
        Break positions (observations in the earlier regime) for each m, -1 padded.
    """
    n = len(y)
    M = max_breaks
    best = np.full((M + 1, n), np.inf)
    arg = np.full((M + 1, n), -1, dtype=np.int64)
    total = n - h + 1
    every = max(total // 100, 1)
    for s in range(0, total):
        if progress is not None and s % every == 0:
            progress(s, total)
        row = rss_prefix(X[s:], y[s:])
        seg = row[h - 1 :]  # segment s..i for i = s+h-1 .. n-1
        lo = s + h - 1
        if s == 0:
            best[0, lo:] = seg
            continue
        j = s - 1
        for m in range(1, M + 1):
            prev = best[m - 1, j]
            if not np.isfinite(prev):
                continue
            cand = prev + seg
            tgt = best[m, lo:]
            better = cand < tgt
            if better.any():
                tgt[better] = cand[better]
                arg[m, lo:][better] = j
    if progress is not None:
        progress(total, total)
    rss = best[:, n - 1].copy()
    pos = np.full((M + 1, max(M, 1)), -1, dtype=np.int64)
    for m in range(1, M + 1):
        if not np.isfinite(rss[m]):
            continue
        i, mm = n - 1, m
        found = []
        while mm > 0:
            j = arg[mm, i]
            found.append(j + 1)
            i, mm = j, mm - 1
        pos[m, :m] = sorted(found)
    return rss, pos


def brute_force_breaks(X: np.ndarray, y: np.ndarray, h: int, m: int) -> tuple[float, tuple[int, ...]]:
    """Exhaustive search over all admissible m-break partitions (for testing and benchmarks)."""
    from itertools import combinations

    n = len(y)
    if m == 0:
        return rss_segment(X, y, 0, n), ()
    cache: dict[tuple[int, int], float] = {}

    def seg(a: int, b: int) -> float:
        key = (a, b)
        if key not in cache:
            cache[key] = rss_segment(X, y, a, b)
        return cache[key]

    best: float = math.inf
    best_bp: tuple[int, ...] = ()
    for bp in combinations(range(h, n - h + 1), m):
        edges = (0, *bp, n)
        if any(edges[i + 1] - edges[i] < h for i in range(m + 1)):
            continue
        tot = sum(seg(edges[i], edges[i + 1]) for i in range(m + 1))
        if tot < best:
            best, best_bp = tot, bp
    return best, best_bp


# ---------------------------------------------------------------------------------------
# HAC (Newey-West) long-run covariance


def nw_lags(n: int) -> int:
    """Newey and West (1994) rule of thumb: floor(4 (n/100)^(2/9))."""
    return int(math.floor(4.0 * (n / 100.0) ** (2.0 / 9.0)))


def nw_meat(U: np.ndarray, lags: int) -> np.ndarray:
    """Sum over t of the Bartlett-weighted autocovariances of the score rows ``U`` (n x p).

    ``sum_t u_t u_t' + sum_{l=1}^{L} (1 - l/(L+1)) (Gamma_l + Gamma_l')`` with
    ``Gamma_l = sum_t u_t u_{t-l}'``; no small-sample adjustment, no prewhitening.
    """
    S = U.T @ U
    for lag in range(1, min(lags, len(U) - 1) + 1):
        w = 1.0 - lag / (lags + 1.0)
        G = U[lag:].T @ U[:-lag]
        S = S + w * (G + G.T)
    return S


# ---------------------------------------------------------------------------------------
# F statistics for one break


def wald_break(X: np.ndarray, y: np.ndarray, b: int, brk: np.ndarray, lags: int | None) -> tuple[float, float, int]:
    """Wald statistic (chi-square scale) for a break at position ``b`` in the columns ``brk``.

    Model ``y = X beta + (X[:, brk] * 1{t >= b}) delta + u``. With ``lags is None`` the
    statistic is ``(RSS_0 - RSS_1) / (RSS_1 / (n - k - q))`` (homoskedastic OLS); with a
    lag count it is ``delta' V_HAC(delta)^{-1} delta`` with Newey-West V.

    Returns (statistic, RSS of the unrestricted model, rank of its design).
    """
    n, k = X.shape
    d = (np.arange(n) >= b).astype(float)
    Z = np.column_stack([X, X[:, brk] * d[:, None]])
    coef, _, rank, _ = np.linalg.lstsq(Z, y, rcond=None)
    u = y - Z @ coef
    rss1 = float(u @ u)
    q = int(brk.sum())
    if rank < k + q:
        return math.nan, rss1, int(rank)
    if lags is None:
        c0, *_ = np.linalg.lstsq(X, y, rcond=None)
        r0 = y - X @ c0
        rss0 = float(r0 @ r0)
        dfr = n - k - q
        if rss1 <= 0:
            return (math.inf if rss0 > 0 else math.nan), rss1, int(rank)
        return (rss0 - rss1) / (rss1 / dfr), rss1, int(rank)
    zz_inv = np.linalg.inv(Z.T @ Z)
    V = zz_inv @ nw_meat(Z * u[:, None], lags) @ zz_inv
    delta = coef[k:]
    Vd = V[k:, k:]
    try:
        stat = float(delta @ np.linalg.solve(Vd, delta))
    except np.linalg.LinAlgError:
        return math.nan, rss1, int(rank)
    return stat, rss1, int(rank)


def f_sequence_ols(X: np.ndarray, y: np.ndarray, positions: np.ndarray) -> tuple[np.ndarray, float, np.ndarray]:
    """Full-break F statistics (chi-square scale, strucchange's ``Fstats``) at many positions.

    ``F(b) = (RSS_0 - RSS(b)) / (RSS(b) / (n - 2k))`` with ``RSS(b) = RSS(0..b-1) +
    RSS(b..n-1)`` from running prefix/suffix cross-products: O(n k^3) for all b.
    """
    n, k = X.shape
    Xc, yc = condition(X, y)
    pre = rss_prefix(Xc, yc)
    suf = rss_suffix(Xc, yc)
    rss0 = pre[-1]
    rss_b = pre[positions - 1] + suf[positions]
    with np.errstate(divide="ignore", invalid="ignore"):
        f = (rss0 - rss_b) / (rss_b / (n - 2 * k))
    return f, float(rss0), rss_b


# ---------------------------------------------------------------------------------------
# CUSUM


def recursive_residuals(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Standardised recursive residuals w_{k+1..n} (Brown, Durbin and Evans 1975)."""
    n, k = X.shape
    Xk, yk = X[:k], y[:k]
    try:
        P = np.linalg.inv(Xk.T @ Xk)
    except np.linalg.LinAlgError:
        P = np.linalg.pinv(Xk.T @ Xk)
    beta = P @ (Xk.T @ yk)
    w = np.empty(n - k)
    for t in range(k, n):
        x = X[t]
        f = 1.0 + x @ P @ x
        e = y[t] - x @ beta
        w[t - k] = e / math.sqrt(f)
        Px = P @ x
        P = P - np.outer(Px, Px) / f
        beta = beta + Px * (e / f)
    return w


def pvalue_bm_linear(x: float) -> float:
    """P(sup |W(t)| / (1 + 2t) > x) for Brownian motion W (Rec-CUSUM; strucchange formula)."""
    if x < 0.3:
        return 1.0 - 0.1465 * x
    n = stats.norm.cdf
    p = 2.0 * (1.0 - n(3 * x) + math.exp(-4 * x * x) * (n(x) + n(5 * x) - 1.0)
               - math.exp(-16 * x * x) * (1.0 - n(x)))
    return float(min(max(p, 0.0), 1.0))


def pvalue_bb_sup(x: float) -> float:
    """P(sup |B(t)| > x) for a Brownian bridge B (Kolmogorov distribution; OLS-CUSUM)."""
    return float(stats.kstwobign.sf(x))


# ---------------------------------------------------------------------------------------
# Bai (1997) distribution of the break-date estimator


def pargmax_v(x: float, xi: float = 1.0, phi1: float = 1.0, phi2: float = 1.0) -> float:
    """CDF at ``x`` of argmax_v of a two-sided Brownian motion with drift (Bai 1997).

    ``xi`` is the ratio of the regressor second moments across the break, ``phi1``,
    ``phi2`` the error scales before and after; the same closed form as strucchange's
    ``pargmaxV`` (Bai 1997, "Estimation of a change point in multiple regression models",
    Review of Economics and Statistics 79, 551-563; Bai and Perron 1998, section 4).
    """
    phi = xi * (phi2 / phi1) ** 2
    lcdf = stats.norm.logcdf
    a = abs(float(x))
    if x < 0:
        frac = xi / phi
        return float(
            -math.exp(math.log(a) / 2 - a / 8 - math.log(2 * math.pi) / 2)
            - (phi / xi * (phi + 2 * xi) / (phi + xi))
            * math.exp(frac * (1 + frac) * a / 2 + lcdf(-(0.5 + frac) * math.sqrt(a)))
            + math.exp(math.log(a / 2 - 2 + ((phi + 2 * xi) ** 2) / ((phi + xi) * xi))
                       + lcdf(-math.sqrt(a) / 2))
        )
    frac = xi**2 / phi
    first = 0.0 if a == 0 else math.sqrt(frac) * math.exp(math.log(a) / 2 - frac * a / 8 - math.log(2 * math.pi) / 2)
    return float(
        1
        + first
        + (xi / phi * (2 * phi + xi) / (phi + xi))
        * math.exp((phi + xi) * a / 2 + lcdf(-(phi + xi / 2) / math.sqrt(phi) * math.sqrt(a)))
        - math.exp(math.log(((2 * phi + xi) ** 2) / ((phi + xi) * phi) - 2 + frac * a / 2)
                   + lcdf(-math.sqrt(frac) * math.sqrt(a) / 2))
    )


def break_ci_offsets(level: float, xi: float, phi1: float, phi2: float) -> tuple[float, float] | None:
    """Quantiles (a2, 1-a2) of the limiting distribution, or None if P(argmax <= 0) is outside."""
    a2 = (1.0 - level) / 2.0
    p0 = pargmax_v(0.0, xi=xi, phi1=phi1, phi2=phi2)
    if not np.isfinite(p0) or p0 < a2 or p0 > 1 - a2:
        return None
    ub, lb = 0.0, 0.0
    while pargmax_v(ub, xi, phi1, phi2) < 1 - a2:
        ub += 1000.0
    while pargmax_v(lb, xi, phi1, phi2) > a2:
        lb -= 1000.0
    upper = optimize.brentq(lambda v: pargmax_v(v, xi, phi1, phi2) - (1 - a2), 0.0, ub, xtol=1e-10)
    lower = optimize.brentq(lambda v: pargmax_v(v, xi, phi1, phi2) - a2, lb, 0.0, xtol=1e-10)
    return lower, upper
