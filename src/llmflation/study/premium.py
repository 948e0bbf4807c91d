"""The reasoning premium: how much more reasoning models charge per token.

Estimates of the ratio of a reasoning model's price to a non-reasoning model's. The
main ones are geometric means (ratios are multiplicative; an arithmetic mean of ratios
is dominated by a few extreme pairs); two arithmetic means are shown beside them because
the paper's "averaging" most likely means one:

``raw``
    ``exp(mean ln P_reasoning − mean ln P_other)`` over all models, with the Welch
    two-sample t interval (:func:`welch_test`).
``raw_arithmetic``
    ``mean P_reasoning / mean P_other``: ratio of arithmetic mean prices (no interval).
``matched``
    Within cells of the same developer and release quarter holding both kinds of
    model, the difference of mean log prices; the premium is ``exp`` of the mean
    difference across cells, with a t interval over cells.
``matched_arithmetic``
    Arithmetic mean of the cells' ratios (no interval).
``regression``
    ``ln P = β·reasoning + developer effects + quarter effects (+ capability)`` by OLS
    with heteroskedasticity-robust HC1 errors (:func:`llmflation.methods.ols.ols`;
    Stata's ``robust``), t on ``n − k`` df; premium ``exp(β)``.

Du (2026) reports a premium "averaging 31.5×" and a flagship trend with almost no fit
(R² = 0.031). :func:`reasoning_premium` also fits the flagship trend with and without
reasoning models, to see whether the premium is what hides the flagship decline.
"""

from __future__ import annotations

import math
import re as _re
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from llmflation.errors import InputError
from llmflation.methods.ols import ols
from llmflation.panel.tiers import TierDefinition
from llmflation.results import HypothesisTest, Result, SummaryFormat, render_table
from llmflation.signature import (
    Frame,
    Level,
    NonNegativeFloat,
    NonNegativeInt,
    Range,
    Seed,
    validated,
)
from llmflation.study.paper import ref, refs
from llmflation.study.trends import LAUNCH_WINDOW_DAYS, TrendResult, dated_prices, price_trend

#: Du (2026): reasoning models carry a premium "averaging 31.5×" non-reasoning prices.
PAPER_PREMIUM = float(ref("du2026.reasoning_premium").value)
#: Du (2026): flagship-tier trend R².
PAPER_FLAGSHIP_R2 = float(ref("du2026.r_squared.flagship").value)
#: Rows whose definition matches the paper's likely one ("averaging": an arithmetic mean);
#: only these carry ``paper_value``.
PAPER_TERMS: tuple[str, ...] = ("raw_arithmetic", "matched_arithmetic")


@dataclass(frozen=True, kw_only=True, eq=False, repr=False)
class PremiumResult(Result):
    """Reasoning vs non-reasoning price ratios and the flagship trend with/without them.

    Attributes
    ----------
    estimates : DataFrame
        ``term`` (raw, raw_arithmetic, matched, matched_arithmetic, regression),
        ``estimate`` (ratio), ``conf_low``, ``conf_high``, ``p_value`` (H0: no
        premium), ``n`` (models, or cells for matched), ``method``, ``note`` (why a
        value is NaN), ``paper_value`` (on the arithmetic-mean rows only).
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

    title = "Reasoning premium (price ratio, reasoning / non-reasoning)"

    @property
    def premium(self) -> pd.Series:
        return self.estimates.set_index("term")["estimate"]

    def wide(self) -> pd.DataFrame:
        return self.estimates.copy()

    def summary(self, fmt: SummaryFormat = "text") -> str:
        lvl = int(round(100 * self.config.get("level", 0.95)))
        out = render_table(self.estimates, f"{self.title}, {lvl}% CI", [], fmt)
        out += "\n" + render_table(self.flagship, f"Flagship trend with and without reasoning models "
                                   f"(paper R² = {PAPER_FLAGSHIP_R2})", self._notes(), fmt)
        return out


def welch_test(a: Any, b: Any, *, level: float = 0.95) -> HypothesisTest:
    """Welch's two-sample t test of equal means (unequal variances), as R's ``t.test``.

    ``t = (mean a − mean b) / √(s_a²/n_a + s_b²/n_b)`` on Welch–Satterthwaite df
    ``(v_a + v_b)² / (v_a²/(n_a − 1) + v_b²/(n_b − 1))``, ``v = s²/n``; two-sided p.
    ``extra`` holds ``estimate`` (difference of means), ``conf_low``/``conf_high`` (its
    ``level`` interval), ``mean_a``, ``mean_b``. Not computed (with a reason) when a
    sample has fewer than 2 values or both have zero variance.

    Examples
    --------
    >>> t = welch_test([1.0, 2.0, 3.0, 4.0], [3.0, 5.0, 7.0])
    >>> round(t.statistic, 4), round(t.df, 3), round(t.extra["estimate"], 2)
    (-1.8898, 3.235, -2.5)
    """
    x = np.asarray(a, dtype=float).ravel()
    y = np.asarray(b, dtype=float).ravel()
    name, null = "Welch two-sample t test", "equal means"
    if x.size < 2 or y.size < 2:
        return HypothesisTest.not_computed(name, null, f"each sample needs at least 2 values; got {x.size} and "
                                           f"{y.size}")
    d = float(x.mean() - y.mean())
    va, vb = x.var(ddof=1) / x.size, y.var(ddof=1) / y.size
    if not va + vb > 0:
        return HypothesisTest.not_computed(name, null, "both samples have zero variance, so the t statistic is "
                                           "undefined", extra={"estimate": d, "conf_low": math.nan,
                                                               "conf_high": math.nan})
    se = math.sqrt(va + vb)
    df = float((va + vb) ** 2 / (va**2 / (x.size - 1) + vb**2 / (y.size - 1)))
    t = d / se
    h = float(stats.t.ppf(0.5 + level / 2, df)) * se
    return HypothesisTest(statistic=t, p_value=float(2 * stats.t.sf(abs(t), df)), df=df, null=null,
                          distribution=f"t({df:.3f})", name=name, config={"level": level},
                          extra={"estimate": d, "conf_low": d - h, "conf_high": d + h,
                                 "mean_a": float(x.mean()), "mean_b": float(y.mean())})


@validated
def reasoning_premium(panel: pd.DataFrame, *, price: Literal["blended", "input", "output"] = "blended",
                      observations: Literal["launch", "rows"] = "launch", level: Level = 0.95,
                      tiers: TierDefinition | None = None, capability: str | None = None,
                      launch_window_days: NonNegativeFloat | None = LAUNCH_WINDOW_DAYS, n_boot: NonNegativeInt = 0,
                      seed: Seed | None = 0, date_col: str | None = None) -> PremiumResult:
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
    need = {"is_reasoning", "developer"}
    if not need <= set(panel.columns):
        raise InputError(f"the panel needs columns {sorted(need)}; got {list(panel.columns)}.")
    if capability is not None and capability not in panel.columns:
        num = [str(c) for c in panel.columns if pd.api.types.is_numeric_dtype(panel[c])]
        raise InputError(f"capability={capability!r} is not a column of the panel; expected a score column such "
                         f"as {', '.join(repr(c) for c in num[:12])} (CLI: --capability eci).")
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
    w = welch_test(r_["lp"].to_numpy(), o_["lp"].to_numpy(), level=level)
    d = float(w.extra.get("estimate", r_["lp"].mean() - o_["lp"].mean()))
    rows.append({"term": "raw", "estimate": math.exp(d), "conf_low": math.exp(w.extra.get("conf_low", math.nan)),
                 "conf_high": math.exp(w.extra.get("conf_high", math.nan)), "p_value": w.p_value, "n": len(obs),
                 "method": "ratio of geometric means, Welch t", "note": w.reason or ""})
    rows.append({"term": "raw_arithmetic", "estimate": float(r_["price"].mean() / o_["price"].mean()),
                 "conf_low": math.nan, "conf_high": math.nan, "p_value": math.nan, "n": len(obs),
                 "method": "ratio of arithmetic mean prices (no interval)", "note": ""})
    cell_rows = []
    dev = obs.dropna(subset=["developer"])
    for (dv, q), g in dev.groupby(["developer", "quarter"], sort=True):
        a, b = g[g["is_reasoning"]], g[~g["is_reasoning"]]
        if len(a) and len(b):
            cell_rows.append({"developer": dv, "quarter": q, "n_reasoning": len(a), "n_other": len(b),
                              "log_ratio": a["lp"].mean() - b["lp"].mean()})
    cells = pd.DataFrame(cell_rows, columns=["developer", "quarter", "n_reasoning", "n_other", "log_ratio"])
    k = len(cells)
    method = "same developer and release quarter; geometric mean over cells, t over cells"
    if k >= 2:
        lr = cells["log_ratio"].to_numpy(dtype=float)
        m, se = float(lr.mean()), float(lr.std(ddof=1) / math.sqrt(k))
        if se > 1e-12 * max(1.0, abs(m)):
            t = stats.t.ppf(0.5 + level / 2, k - 1)
            rows.append({"term": "matched", "estimate": math.exp(m), "conf_low": math.exp(m - t * se),
                         "conf_high": math.exp(m + t * se), "p_value": float(2 * stats.t.sf(abs(m / se), k - 1)),
                         "n": k, "method": method, "note": ""})
        else:
            rows.append({"term": "matched", "estimate": math.exp(m), "conf_low": math.nan, "conf_high": math.nan,
                         "p_value": math.nan, "n": k, "method": method,
                         "note": f"all {k} cell log-ratios are equal (zero variance): the t interval and p-value "
                                 "are undefined"})
        rows.append({"term": "matched_arithmetic", "estimate": float(np.exp(lr).mean()), "conf_low": math.nan,
                     "conf_high": math.nan, "p_value": math.nan, "n": k,
                     "method": "arithmetic mean of cell ratios (sensitive to extreme pairs; no interval)", "note": ""})
    else:
        rows.append({"term": "matched", "estimate": math.nan, "conf_low": math.nan, "conf_high": math.nan,
                     "p_value": math.nan, "n": k, "method": method,
                     "note": f"{k} developer-quarter cell(s) hold both kinds of model; at least 2 are needed"})
    rows.append(_regression(dev, capability, level))
    est = pd.DataFrame(rows).reindex(columns=["term", "estimate", "conf_low", "conf_high", "p_value", "n", "method",
                                              "note"])
    est["note"] = est["note"].fillna("").astype(str)
    est["paper_value"] = [PAPER_PREMIUM if t in PAPER_TERMS else math.nan for t in est["term"]]
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
    notes = [f"Paper (Du 2026): premium averaging {PAPER_PREMIUM}×; flagship R² = {PAPER_FLAGSHIP_R2}. The "
             f"paper's value is shown beside the arithmetic-mean rows ({', '.join(PAPER_TERMS)}) only: 'averaging' "
             "most likely means an arithmetic mean; the geometric-mean rows measure a typical ratio instead.",
             "Prices: each model's launch price (first-party, else median across providers)."
             if observations == "launch" else "Prices: rows as given."]
    return PremiumResult(references=refs("du2026.reasoning_premium", "du2026.r_squared.flagship"),
        estimates=est, cells=cells, flagship=pd.DataFrame(flag_rows), trends=trends,
                         config={"price": price, "observations": observations, "level": level, "tiers": tiers,
                                 "capability": capability, "launch_window_days": launch_window_days},
                         vintage=str(panel.attrs.get("vintage", "user data")), notes=tuple(notes))


def _regression(obs: pd.DataFrame, capability: str | None, level: float) -> dict[str, Any]:
    cols = ["lp", "is_reasoning", "developer", "quarter"] + ([capability] if capability else [])
    d = obs[cols].dropna()
    method = "OLS of ln price on reasoning with developer and release-quarter effects" + (
        f", {capability}" if capability else "") + "; HC1 errors, t on n − k df"
    if d["is_reasoning"].nunique() < 2 or len(d) < 10:
        return {"term": "regression", "estimate": math.nan, "conf_low": math.nan, "conf_high": math.nan,
                "p_value": math.nan, "n": len(d), "method": method,
                "note": f"too few observations for the regression ({len(d)}; at least 10 with both kinds needed)"}
    X = pd.get_dummies(d[["developer", "quarter"]].astype(str), drop_first=True, dtype=float)
    X.insert(0, "reasoning", d["is_reasoning"].astype(float).to_numpy())
    if capability:
        X[capability] = pd.to_numeric(d[capability], errors="coerce").to_numpy(dtype=float)
    X.insert(0, "const", 1.0)
    try:
        fit = ols(X.to_numpy(dtype=float), d["lp"].to_numpy(dtype=float), cov="HC1")
    except InputError as e:
        return {"term": "regression", "estimate": math.nan, "conf_low": math.nan, "conf_high": math.nan,
                "p_value": math.nan, "n": len(d), "method": method, "note": str(e)}
    b = float(fit.params[1])
    lo, hi = fit.conf_int(level)[1]
    return {"term": "regression", "estimate": math.exp(b), "conf_low": math.exp(lo), "conf_high": math.exp(hi),
            "p_value": float(fit.p_values[1]), "n": fit.n, "method": method, "note": ""}


# --------------------------------------------------------------------------- strict vs hybrid reasoning


#: Names of dedicated reasoning models: OpenAI o-series, DeepSeek R1, QwQ, "thinking"/"reasoner"
#: variants. A model flagged ``is_reasoning`` without such a name is a **hybrid** (a chat model
#: with an optional reasoning mode, e.g. Claude 3.7 Sonnet, Gemini 2.5 Flash, Qwen3), whose
#: per-token price is that of a chat model.
STRICT_REASONING_PATTERN = _re.compile(
    r"(^|[^a-z0-9])o[1-9](-|$|[^a-z0-9])|(^|[^a-z0-9])r1($|[^a-z0-9])|deepseek-r1|qwq|thinking|reasoner|"
    r"(^|[^a-z])reasoning($|[^a-z])", _re.IGNORECASE)

ReasoningClass = Literal["strict", "hybrid", "none"]


def reasoning_class(name: Any, is_reasoning: Any = None) -> str:
    """``"strict"`` (a dedicated reasoning model), ``"hybrid"`` (flagged, not dedicated) or ``"none"``.

    Examples
    --------
    >>> [reasoning_class(n) for n in ("o1-mini", "DeepSeek-R1", "gemini-2.0-flash-thinking-exp", "gpt-4o")]
    ['strict', 'strict', 'strict', 'none']
    >>> reasoning_class("claude-3-7-sonnet", True), reasoning_class("gpt-4o", False)
    ('hybrid', 'none')
    """
    if bool(STRICT_REASONING_PATTERN.search(str(name))):
        return "strict"
    if is_reasoning is not None and not pd.isna(is_reasoning) and bool(is_reasoning):
        return "hybrid"
    return "none"


@dataclass(frozen=True, kw_only=True, eq=False, repr=False)
class PremiumByClassResult(Result):
    """Per-token reasoning premium for strict reasoning models and for hybrids, separately.

    Attributes
    ----------
    estimates : DataFrame
        ``term`` (``strict``, ``hybrid``, ``any``), ``estimate`` (ratio of geometric mean
        launch prices to non-reasoning models'), ``conf_low``, ``conf_high`` (Welch t on
        logs), ``p_value``, ``arithmetic`` (ratio of arithmetic means), ``n``, ``n_other``.
    """

    estimates: pd.DataFrame

    title = "Reasoning premium per token: strict reasoning models vs hybrids"

    def wide(self) -> pd.DataFrame:
        """:attr:`estimates` (one row per reasoning class)."""
        return self.estimates.copy()


@validated
def premium_by_reasoning_class(
        panel: Annotated[pd.DataFrame, Frame(what="a pandas DataFrame (llmflation.load_panel())")], *,
        price: Literal["blended", "input", "output"] = "blended", level: Level = 0.95,
        launch_window_days: Annotated[float, Range(ge=0, hint="Days after release, e.g. 365 (None: no window).")]
        | None = LAUNCH_WINDOW_DAYS, name_col: str | None = None) -> PremiumByClassResult:
    """Per-token premium with a strict reasoning flag, and hybrids separately.

    ``is_reasoning`` in the panel counts hybrids (chat models with a reasoning mode) as
    reasoning models; :func:`reasoning_class` separates dedicated reasoning models by name.

    Examples
    --------
    >>> d = pd.DataFrame({"model_id": ["o1", "o3-mini", "claude-3-7", "c37b", "gpt-4o", "gpt-4o-mini"],
    ...                   "developer": "X", "valid_from": pd.to_datetime(["2025-01-01"] * 6),
    ...                   "blended_usd_per_mtok": [40.0, 10.0, 6.0, 6.0, 4.0, 1.0],
    ...                   "is_reasoning": [True, True, True, True, False, False]})
    >>> r = premium_by_reasoning_class(d)
    >>> round(float(r.estimates.set_index("term").loc["strict", "estimate"]), 3)
    10.0
    """
    from llmflation.validate import check_column_name

    check_column_name(panel, name_col, "name_col", allow_none=True)
    if not {"is_reasoning", "model_id"} <= set(panel.columns) and name_col is None:
        raise InputError(f"the panel needs model_id and is_reasoning; got {list(panel.columns)}.")
    obs = dated_prices(panel, price=price, observations="launch", keep=("is_reasoning",),
                       launch_window_days=launch_window_days)
    names = obs["model"].astype(str)
    obs = obs.assign(cls=[reasoning_class(n, r) for n, r in zip(names, obs["is_reasoning"], strict=True)],
                     lp=np.log(obs["price"].astype(float)))
    other = obs[obs["cls"] == "none"]
    rows = []
    for term, sel in (("strict", obs["cls"] == "strict"), ("hybrid", obs["cls"] == "hybrid"),
                      ("any", obs["cls"] != "none")):
        g = obs[sel]
        w = welch_test(g["lp"].to_numpy(), other["lp"].to_numpy(), level=level)
        d = w.extra.get("estimate", math.nan)
        rows.append({"term": term, "estimate": math.exp(d) if math.isfinite(d) else math.nan,
                     "conf_low": math.exp(w.extra.get("conf_low", math.nan)),
                     "conf_high": math.exp(w.extra.get("conf_high", math.nan)), "p_value": w.p_value,
                     "arithmetic": float(g["price"].mean() / other["price"].mean()) if len(g) else math.nan,
                     "n": len(g), "n_other": len(other), "note": w.reason or ""})
    return PremiumByClassResult(
        estimates=pd.DataFrame(rows), config={"price": price, "level": level, "launch_window_days": launch_window_days},
        vintage=str(panel.attrs.get("vintage", "user data")),
        notes=("Strict: o-series, R1, QwQ, 'thinking'/'reasoner' names; hybrid: flagged is_reasoning without such a "
               "name (a chat model with a reasoning mode). Launch prices, ratio of geometric means, Welch t on logs.",
               "Per token only: a reasoning model also spends several times more output tokens per task "
               "(see llmflation.study.task_cost.per_task_premium)."))
