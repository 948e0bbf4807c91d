"""Log-log (constant) elasticity with heteroskedasticity-robust standard errors.

``ln q_i = α_g + ε ln p_i + γ'z_i + u_i``: ``ε`` is the elasticity of ``q`` with respect
to ``p``; optional group fixed effects ``α_g`` (then ``ε`` is identified by variation
*within* groups only) and controls ``z``. Standard errors are HC1 (White's sandwich ×
n/(n − k), Stata's ``robust``) with t on n − k df, or cluster-robust (CR1).

A regression only describes co-movement: it is a demand elasticity only if prices
moved for reasons unrelated to demand (a supply shifter or an instrument). The caller
states what identifies it (``identification``); with fewer than ``min_obs`` points or
residual df below ``min_df`` the function returns an estimate that says why it was
not computed instead of a number.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from llmflation.errors import InputError
from llmflation.methods.ols import dummies, ols
from llmflation.results import Result
from llmflation.signature import Level, NonNegativeInt, validated

#: Fewest observations for an elasticity with a robust interval: HC standard errors are
#: biased down in small samples (MacKinnon & White 1985), badly so below ~10 points.
MIN_OBS = 10
#: Fewest residual degrees of freedom (observations − coefficients).
MIN_DF = 5

Cov = Literal["HC1", "cluster"]


@dataclass(frozen=True, kw_only=True, eq=False, repr=False)
class ElasticityEstimate(Result):
    """A log-log elasticity, or the reason it could not be computed.

    Attributes
    ----------
    estimate, std_error, conf_low, conf_high, p_value : float
        NaN only when ``reason`` is set.
    n, df : int
        Observations and residual degrees of freedom (t reference).
    identification : str
        What variation identifies the slope, in words.
    reason : str or None
    """

    term: str
    estimate: float
    std_error: float
    conf_low: float
    conf_high: float
    p_value: float
    n: int
    df: int
    cov: str
    identification: str = ""
    reason: str | None = None
    level: float = 0.95

    @property
    def title(self) -> str:  # type: ignore[override]
        return f"Log-log elasticity: {self.term}"

    @property
    def computed(self) -> bool:
        return self.reason is None

    def wide(self) -> pd.DataFrame:
        """One row: the tidy columns, then ``df`` (as an integer), ``cov, identification, reason``."""
        stat = self.estimate / self.std_error if self.computed and self.std_error > 0 else math.nan
        return pd.DataFrame([{"term": self.term, "estimate": self.estimate, "std_error": self.std_error,
                              "statistic": stat, "p_value": self.p_value, "conf_low": self.conf_low,
                              "conf_high": self.conf_high, "n": self.n, "df": self.df, "cov": self.cov,
                              "identification": self.identification, "reason": self.reason or ""}])

    def __repr__(self) -> str:
        if self.reason:
            return f"ElasticityEstimate({self.term}: not computed — {self.reason})"
        return (f"ElasticityEstimate({self.term}: {self.estimate:.4g} [{self.conf_low:.4g}, {self.conf_high:.4g}], "
                f"n={self.n})")

    @classmethod
    def not_computed(cls, term: str, reason: str, *, n: int = 0, identification: str = "",
                     **kw: Any) -> ElasticityEstimate:
        nan = float("nan")
        return cls(term=term, estimate=nan, std_error=nan, conf_low=nan, conf_high=nan, p_value=nan, n=n, df=0,
                   cov=str(kw.pop("cov", "")), identification=identification, reason=reason, **kw)


@validated
def log_log_elasticity(quantity: Any, price: Any, *, groups: Any = None, controls: pd.DataFrame | None = None,
                       cov: Cov = "HC1", clusters: Any = None, level: Level = 0.95, min_obs: NonNegativeInt = MIN_OBS,
                       min_df: NonNegativeInt = MIN_DF, term: str = "elasticity", identification: str = "") -> ElasticityEstimate:
    """Elasticity of ``quantity`` with respect to ``price`` from a log-log OLS fit.

    Parameters
    ----------
    quantity, price : array-like
        Positive values, one per observation.
    groups : array-like, optional
        Group labels for fixed effects (identification within groups).
    controls : DataFrame, optional
        Further regressors (already transformed), one row per observation.
    cov : {"HC1", "cluster"}
        Robust covariance; ``"cluster"`` needs ``clusters``.
    min_obs, min_df : int
        Below these the result says so instead of returning a number.
    identification : str
        What identifies the slope (shown with the estimate).

    Returns
    -------
    ElasticityEstimate

    Examples
    --------
    >>> p = np.exp(np.linspace(0, 2, 12)); q = 5.0 * p ** -1.2
    >>> e = log_log_elasticity(q, p)
    >>> round(e.estimate, 10), e.n
    (-1.2, 12)
    >>> log_log_elasticity(q[:4], p[:4]).reason
    'only 4 observations; a robust interval needs at least 10'
    """
    q = np.asarray(quantity, dtype=float).ravel()
    p = np.asarray(price, dtype=float).ravel()
    if q.shape != p.shape:
        raise InputError(f"quantity and price have different lengths ({q.size} and {p.size}).")
    if not (np.isfinite(q).all() and np.isfinite(p).all()) or (q <= 0).any() or (p <= 0).any():
        raise InputError("quantity and price must be finite and positive (logs are taken); drop zeros and NaN.")
    n = q.size
    cfg = {"cov": cov, "level": level, "min_obs": min_obs, "min_df": min_df, "groups": groups is not None}
    if n < min_obs:
        return ElasticityEstimate.not_computed(term, f"only {n} observations; a robust interval needs at least "
                                               f"{min_obs}", n=n, identification=identification, cov=cov, config=cfg)
    cols = [np.ones(n), np.log(p)]
    if groups is not None:
        g = pd.Series(np.asarray(groups, dtype=object).ravel()).astype(str)
        if len(g) != n:
            raise InputError(f"groups has {len(g)} labels for {n} observations.")
        d = dummies(g)
        if d.size:
            cols.append(d)
    if controls is not None:
        if len(controls) != n:
            raise InputError(f"controls has {len(controls)} rows for {n} observations.")
        cols.append(controls.to_numpy(dtype=float))
    X = np.column_stack(cols)
    k = int(np.linalg.matrix_rank(X))
    if n - k < min_df:
        return ElasticityEstimate.not_computed(term, f"{n} observations and {k} coefficients leave {n - k} residual "
                                               f"degrees of freedom; at least {min_df} are needed", n=n,
                                               identification=identification, cov=cov, config=cfg)
    resid_p = np.log(p) - X[:, [0] + list(range(2, X.shape[1]))] @ np.linalg.lstsq(
        X[:, [0] + list(range(2, X.shape[1]))], np.log(p), rcond=None)[0]
    if float(resid_p @ resid_p) <= 1e-20 * n:
        return ElasticityEstimate.not_computed(term, "price does not vary (within groups, after controls), so the "
                                               "slope is not identified", n=n, identification=identification,
                                               cov=cov, config=cfg)
    fit = ols(X, np.log(q), cov="HC1" if cov == "HC1" else "cluster", clusters=clusters)
    ci = fit.conf_int(level)[1]
    return ElasticityEstimate(term=term, estimate=float(fit.params[1]), std_error=float(fit.std_errors[1]),
                              conf_low=float(ci[0]), conf_high=float(ci[1]), p_value=float(fit.p_values[1]), n=n,
                              df=int(fit.df), cov=cov, identification=identification, level=level, config=cfg)
