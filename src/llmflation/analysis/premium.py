"""The reasoning premium: how much more reasoning models charge per token.

Three estimates of the ratio of a reasoning model's price to a non-reasoning model's,
each a geometric mean (ratios are multiplicative; an arithmetic mean of ratios is
dominated by a few extreme pairs):

``raw``
    ``exp(mean ln P_reasoning − mean ln P_other)`` over all models, Welch t interval.
``matched``
    Within cells of the same developer and release quarter holding both kinds of
    model, the difference of mean log prices; the premium is ``exp`` of the mean
    difference across cells, with a t interval over cells.
``regression``
    ``ln P = β·reasoning + developer effects + quarter effects (+ capability)`` by OLS
    with heteroskedasticity-robust (HC1) errors; premium ``exp(β)``.

Du (2026) reports a premium "averaging 31.5×" and a flagship trend with almost no fit
(R² = 0.031). :func:`reasoning_premium` also fits the flagship trend with and without
reasoning models, to see whether the premium is what hides the flagship decline.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from llmflation.analysis._results import ResultMixin, SummaryFormat, render_table
from llmflation.analysis.trend import TrendResult, dated_prices, price_trend
from llmflation.errors import InputError, check_choice

#: Du (2026): reasoning models carry a premium "averaging 31.5×" non-reasoning prices.
PAPER_PREMIUM = 31.5
#: Du (2026): flagship-tier trend R².
PAPER_FLAGSHIP_R2 = 0.031


@dataclass(frozen=True, repr=False, eq=False)
class PremiumResult(ResultMixin):
    """Reasoning vs non-reasoning price ratios and the flagship trend with/without them.

    Attributes
    ----------
    estimates : DataFrame
        ``term`` (raw, matched, regression, matched_arithmetic), ``estimate`` (ratio),
        ``conf_low``, ``conf_high``, ``n`` (models, or cells for matched),
        ``p_value`` (H0: no premium), ``paper_value``.
    cells : DataFrame
        Matched cells: ``developer, quarter, n_reasoning, n_other, log_ratio``.
    flagship : DataFrame
        Flagship trend with and without reasoning models: ``sample, n,
        factor_per_year, half_life_years, r_squared``.
    trends : dict of TrendResult
    """

    estimates: pd.DataFrame
    cells: pd.DataFrame
    flagship: pd.DataFrame
    trends: dict[str, TrendResult] = field(default_factory=dict)
    paper_value: float = PAPER_PREMIUM
    config: dict[str, Any] = field(default_factory=dict)
    vintage: str = "user data"
    notes: tuple[str, ...] = ()

    title = "Reasoning premium (price ratio, reasoning / non-reasoning)"

    @property
    def premium(self) -> pd.Series:
        return self.estimates.set_index("term")["estimate"]

    def to_frame(self) -> pd.DataFrame:
        return self.estimates.copy()

    def summary(self, fmt: SummaryFormat = "text") -> str:
        lvl = int(round(100 * self.config.get("level", 0.95)))
        out = render_table(self.estimates, f"{self.title}, {lvl}% CI", [], fmt)
        out += "\n" + render_table(self.flagship, f"Flagship trend with and without reasoning models "
                                   f"(paper R² = {PAPER_FLAGSHIP_R2})", self._notes(), fmt)
        return out


def _welch(a: np.ndarray, b: np.ndarray, level: float) -> tuple[float, float, float, float]:
    d = a.mean() - b.mean()
    va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
    se = math.sqrt(va + vb)
    df = (va + vb) ** 2 / (va**2 / (a.size - 1) + vb**2 / (b.size - 1))
    t = stats.t.ppf(0.5 + level / 2, df)
    p = 2 * stats.t.sf(abs(d / se), df)
    return d, d - t * se, d + t * se, float(p)


def reasoning_premium(panel: pd.DataFrame, *, price: Literal["blended", "input", "output"] = "blended",
                      observations: Literal["launch", "rows"] = "launch", level: float = 0.95,
                      tiers: str | None = None, capability: str | None = None,
                      launch_window_days: float | None = 365.0, n_boot: int = 0, seed: int | None = 0,
                      date_col: str | None = None) -> PremiumResult:
    """Reasoning vs non-reasoning price ratio: raw, matched and regression-adjusted.

    Parameters
    ----------
    panel : DataFrame
        Price panel with ``is_reasoning`` and ``developer`` (``load_panel()``, the
        milestone table, or the OpenRouter cross-section).
    price : {"blended", "input", "output"}
    observations : {"launch", "rows"}
        One launch price per model (default), or the rows as given.
    level : float
    tiers : str, optional
        Tier definition for the flagship comparison (default: the panel's ``tier``
        column, else positioning).
    capability : str, optional
        A score column added as a control in the regression (e.g. ``"eci"``).

    Examples
    --------
    >>> d = pd.DataFrame({"model_id": list("abcdefgh"), "developer": ["X"] * 4 + ["Y"] * 4,
    ...                   "valid_from": pd.to_datetime(["2025-01-10", "2025-02-01", "2025-02-10", "2025-03-01"] * 2),
    ...                   "blended_usd_per_mtok": [1, 2, 10, 20, 3, 6, 30, 60.0],
    ...                   "is_reasoning": [False, False, True, True] * 2})
    >>> r = reasoning_premium(d)
    >>> round(float(r.premium["matched"]), 6)
    10.0
    """
    check_choice("observations", observations, ("launch", "rows"))
    need = {"is_reasoning", "developer"}
    if not need <= set(panel.columns):
        raise InputError(f"the panel needs columns {sorted(need)}; got {list(panel.columns)}.")
    keep = tuple(c for c in ("is_reasoning", "developer", capability) if c)
    obs = dated_prices(panel, price=price, observations=observations, keep=keep, date_col=date_col,
                       launch_window_days=launch_window_days if observations == "launch" else None)
    obs = obs.assign(is_reasoning=obs["is_reasoning"].astype("boolean").fillna(False).astype(bool),
                     developer=obs["developer"].astype("string"),
                     quarter=pd.PeriodIndex(obs["date"], freq="Q").astype(str), lp=np.log(obs["price"]))
    r_, o_ = obs[obs["is_reasoning"]], obs[~obs["is_reasoning"]]
    if len(r_) < 2 or len(o_) < 2:
        raise InputError(f"need at least 2 reasoning and 2 other models; got {len(r_)} and {len(o_)}.")
    rows: list[dict[str, Any]] = []
    d, lo, hi, p = _welch(r_["lp"].to_numpy(), o_["lp"].to_numpy(), level)
    rows.append({"term": "raw", "estimate": math.exp(d), "conf_low": math.exp(lo), "conf_high": math.exp(hi),
                 "p_value": p, "n": len(obs), "method": "ratio of geometric means, Welch t"})
    cell_rows = []
    dev = obs.dropna(subset=["developer"])
    for (dv, q), g in dev.groupby(["developer", "quarter"], sort=True):
        a, b = g[g["is_reasoning"]], g[~g["is_reasoning"]]
        if len(a) and len(b):
            cell_rows.append({"developer": dv, "quarter": q, "n_reasoning": len(a), "n_other": len(b),
                              "log_ratio": a["lp"].mean() - b["lp"].mean()})
    cells = pd.DataFrame(cell_rows, columns=["developer", "quarter", "n_reasoning", "n_other", "log_ratio"])
    k = len(cells)
    if k >= 2:
        lr = cells["log_ratio"].to_numpy(dtype=float)
        m, se = lr.mean(), lr.std(ddof=1) / math.sqrt(k)
        t = stats.t.ppf(0.5 + level / 2, k - 1)
        pv = 2 * stats.t.sf(abs(m / se), k - 1) if se > 0 else 0.0
        rows.append({"term": "matched", "estimate": math.exp(m), "conf_low": math.exp(m - t * se) if se > 0 else math.exp(m),
                     "conf_high": math.exp(m + t * se) if se > 0 else math.exp(m), "p_value": pv, "n": k,
                     "method": "same developer and release quarter; geometric mean over cells, t over cells"})
        rows.append({"term": "matched_arithmetic", "estimate": float(np.exp(lr).mean()), "conf_low": math.nan,
                     "conf_high": math.nan, "p_value": math.nan, "n": k,
                     "method": "arithmetic mean of cell ratios (sensitive to extreme pairs)"})
    else:
        rows.append({"term": "matched", "estimate": math.nan, "conf_low": math.nan, "conf_high": math.nan,
                     "p_value": math.nan, "n": k, "method": "fewer than 2 matched developer-quarter cells"})
    rows.append(_regression(dev, capability, level))
    est = pd.DataFrame(rows)
    est["paper_value"] = PAPER_PREMIUM
    # flagship trend with and without reasoning models
    trends: dict[str, TrendResult] = {}
    flag_rows = []
    for label, excl in (("all models", False), ("without reasoning models", True)):
        try:
            tr = price_trend(panel, by="tier", tiers=tiers if tiers or "tier" not in panel.columns else None,
                             price=price, observations="changes" if observations == "launch" else "rows",
                             exclude_reasoning=excl, n_boot=n_boot, seed=seed, level=level, date_col=date_col,
                             launch_window_days=launch_window_days)
        except InputError as e:
            flag_rows.append({"sample": label, "n": 0, "factor_per_year": math.nan, "half_life_years": math.nan,
                              "r_squared": math.nan, "note": str(e)})
            continue
        trends[label] = tr
        if "flagship" in tr.group_names:
            g = tr["flagship"]
            flag_rows.append({"sample": label, "n": g.n, "factor_per_year": g.factor_per_year,
                              "half_life_years": g.half_life_years, "r_squared": g.r_squared, "note": ""})
        else:
            flag_rows.append({"sample": label, "n": 0, "factor_per_year": math.nan, "half_life_years": math.nan,
                              "r_squared": math.nan, "note": "no flagship group"})
    notes = [f"Paper (Du 2026): premium averaging {PAPER_PREMIUM}×; flagship R² = {PAPER_FLAGSHIP_R2}.",
             "Prices: each model's launch price (first-party, else median across providers)."
             if observations == "launch" else "Prices: rows as given."]
    return PremiumResult(estimates=est, cells=cells, flagship=pd.DataFrame(flag_rows), trends=trends,
                         config={"price": price, "observations": observations, "level": level, "tiers": tiers,
                                 "capability": capability, "launch_window_days": launch_window_days},
                         vintage=str(panel.attrs.get("vintage", "user data")), notes=tuple(notes))


def _regression(obs: pd.DataFrame, capability: str | None, level: float) -> dict[str, Any]:
    import statsmodels.api as sm

    cols = ["lp", "is_reasoning", "developer", "quarter"] + ([capability] if capability else [])
    d = obs[cols].dropna()
    if d["is_reasoning"].nunique() < 2 or len(d) < 10:
        return {"term": "regression", "estimate": math.nan, "conf_low": math.nan, "conf_high": math.nan,
                "p_value": math.nan, "n": len(d), "method": "too few observations for the regression"}
    X = pd.get_dummies(d[["developer", "quarter"]].astype(str), drop_first=True, dtype=float)
    X.insert(0, "reasoning", d["is_reasoning"].astype(float).to_numpy())
    if capability:
        X[capability] = pd.to_numeric(d[capability], errors="coerce").to_numpy(dtype=float)
    X = sm.add_constant(X, has_constant="add")
    fit = sm.OLS(d["lp"].to_numpy(dtype=float), X.to_numpy(dtype=float)).fit(cov_type="HC1")
    b, se = float(fit.params[1]), float(fit.bse[1])
    z = stats.norm.ppf(0.5 + level / 2)
    controls = "developer and release-quarter effects" + (f", {capability}" if capability else "")
    return {"term": "regression", "estimate": math.exp(b), "conf_low": math.exp(b - z * se),
            "conf_high": math.exp(b + z * se), "p_value": float(fit.pvalues[1]), "n": int(fit.nobs),
            "method": f"OLS of ln price on reasoning with {controls}; HC1 errors"}
