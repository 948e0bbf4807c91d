"""Robustness as a result: each headline rerun over a declared grid of specifications.

The specification moves several headlines more than the data do (the economy half-life
ranges from about one year to "no decline" across tier definitions and observation sets).
:func:`robustness` reruns a claim over a declared grid and returns one tidy row per
specification — ``claim, spec_id, <specification fields>, estimate, conf_low, conf_high,
p_value, n, is_default, is_paper_closest`` — plus influence diagnostics for the default
specification: the fewest observations whose removal moves the estimate by a factor of 2
(or flips its 5% test), found by a **greedy** search (remove the single most influential
observation, refit, repeat; an upper bound on the true minimum, not the minimum).

The grid is declared, not searched: the default specification, each dimension varied
alone around it, the full tier-definition × observation-set product for the tier claims,
the specification closest to what the paper most likely did, and leave-one-developer-out
over the largest developers. Each claim states its default and why it is the most
defensible (:data:`CLAIMS`).

:func:`paper_vs_ours` (in :mod:`llmflation.study.paper_vs_ours`) puts the paper's figure
beside ours under the closest-to-paper specification and under the default.
"""

from __future__ import annotations

import contextlib
import math
import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd

from llmflation.errors import InputError, check_choice
from llmflation.methods.bootstrap import fork_map
from llmflation.methods.pvalues import clip_p_value
from llmflation.results import Result
from llmflation.signature import Frame, validated

#: Window ends compared: the paper's OpenRouter snapshot and the end of the data.
PAPER_END = "2026-03-28"
#: Start dates compared (issue 19): the whole LLM market vs the post-GPT-4 market.
START_DATES: tuple[str, ...] = ("2021-01-01", "2023-01-01")
#: Default start of the headline index (study/headline.py).
HEADLINE_START = "2023-01-01"
#: Bootstrap draws of the developer-clustered (wild) intervals in the grid.
GRID_BOOT = 399
#: Developers left out one at a time (the largest in the panel).
LODO_DEVELOPERS: tuple[str, ...] = ("OpenAI", "Google", "Anthropic", "Meta", "Mistral AI", "DeepSeek", "Alibaba")

#: Per claim: the default specification, why it is the most defensible, and the specification
#: closest to what the paper most likely did (with the reason).
CLAIMS: dict[str, dict[str, Any]] = {
    "half_life_economy": {
        "default": {"tiers": "positioning", "observations": "changes", "blend": 0.75, "first_party": False,
                    "exclude_reasoning": False, "end": None, "start": None, "canonical": True, "cluster": "model"},
        "why_default": "tiers by the developer's own positioning do not select on the outcome (a price band does: "
                       "a model whose price falls leaves its band); every dated change is a price observation; "
                       "model-clustered errors; 3:1 blend as Epoch and Artificial Analysis.",
        "paper_closest": {"tiers": "price_band", "observations": "launch", "blend": 0.75, "first_party": False,
                          "exclude_reasoning": False, "end": PAPER_END, "start": None, "canonical": True,
                          "cluster": "model"},
        "why_paper": "readers report price-band cohorts at launch, data to the 2026-03-28 snapshot.",
        "reference": "du2026.half_life.economy", "unit": "years",
    },
    "half_life_mid": {"same_as": "half_life_economy", "reference": "du2026.half_life.mid", "unit": "years"},
    "half_life_flagship": {"same_as": "half_life_economy", "reference": "du2026.r_squared.flagship",
                           "unit": "years"},
    "total_decline": {
        "default": {"definition": "constant_capability_trend", "end": None},
        "why_default": "a trend at constant capability (ECI level) uses every observation and compares like "
                       "with like; an endpoint ratio depends on two hand-picked prices.",
        "paper_closest": {"definition": "endpoint", "end": PAPER_END},
        "why_paper": "600× over ~5.5 years exceeds any tier trend: an endpoint ratio (PAPERS.md).",
        "reference": "du2026.total_decline", "unit": "x",
    },
    "reasoning_premium": {
        "default": {"term": "regression", "blend": 0.75, "first_party": False, "end": None, "start": None,
                    "canonical": True},
        "why_default": "a regression with developer and release-quarter effects compares models of the same "
                       "developer and vintage; a ratio of geometric means is not dominated by a few extreme models.",
        "paper_closest": {"term": "raw_arithmetic", "blend": 0.75, "first_party": False, "end": PAPER_END,
                          "start": None, "canonical": True},
        "why_paper": "'averaging 31.5×' most likely is an arithmetic mean; per token (the paper shows token prices).",
        "reference": "du2026.reasoning_premium", "unit": "x",
    },
    "chow": {
        "default": {"spec": "tier, reasoning and developer controls, model-clustered errors", "events": "all",
                    "developers": "paper seven", "end": PAPER_END, "start": None},
        "why_default": "the mix of models changes at the break (tier, reasoning, developer); a model's launch "
                       "and later cuts are not independent (clustered).",
        "paper_closest": {"spec": "pooled, classical OLS errors (the paper's Chow)", "events": "all",
                          "developers": "paper seven", "end": PAPER_END, "start": None},
        "why_paper": "F(2, 58): intercept and slope, 62 milestones, OLS errors.",
        "reference": "du2026.chow", "unit": "F",
    },
    "hedonic_vs_matched": {
        "default": {"term": "hedonic", "observations": "changes", "end": None},
        "why_default": "a time-dummy hedonic index on ECI holds capability fixed; dated changes as observations.",
        "paper_closest": {"term": "hedonic", "observations": "changes", "end": None},
        "why_paper": "Zhu (2026) reports a quality-adjusted and a matched-model index over posted prices.",
        "reference": "zhu2026.hedonic", "unit": "log points per year",
    },
    "headline_index": {
        "default": {"start": HEADLINE_START, "canonical": True, "cluster": "model", "first_party": True},
        "why_default": "every first-party canonical model at the price in effect each month, chained adjacent-period "
                       "time-dummy on ECI from 2023 (when enough scored models are listed), model-clustered "
                       "bootstrap (a model's prices are correlated over time).",
        "paper_closest": {"start": HEADLINE_START, "canonical": True, "cluster": "model", "first_party": True},
        "why_paper": "Zhu (2026) fits a time-dummy hedonic index on posted prices with IRT capability: our default.",
        "reference": "zhu2026.hedonic", "unit": "log points per year",
    },
    "constant_capability": {
        "default": {"start": "2021-01-01", "canonical": True, "first_party": False},
        "why_default": "the lower quartile of every qualifying model's dated prices (issue 19), from 2021 when "
                       "scored models are first priced, the canonical series.",
        "paper_closest": {"start": "2021-01-01", "canonical": True, "first_party": False},
        "why_paper": "Epoch's threshold rates use the cheapest qualifying model over time: the same question.",
        "reference": "epoch2025.median_factor", "unit": "x per year",
    },
    "hhi": {
        "default": {"measure": "openrouter_token_share_by_author", "term": "hhi_latest"},
        "why_default": "token shares measure the market; counts of listed models measure catalogue breadth.",
        "paper_closest": {"measure": "openrouter_models_available", "term": "hhi_latest"},
        "why_paper": "readers report shares estimated over OpenRouter-available models, not volumes.",
        "reference": "du2026.hhi", "unit": "HHI",
    },
}

#: Relative CPU cost of each claim group of the grid (CPU seconds measured on the bundled snapshot;
#: ``total_decline`` with the report's decline section's result reused, see
#: :func:`llmflation.study.decline.shared_declines`): with ``n_jobs > 1`` the groups are taken
#: longest first. Only the order of work depends on it.
GROUP_COST: dict[str, float] = {"reasoning_premium": 1.6, "tiers": 1.6, "headline_index": 1.4,
                                "constant_capability": 1.0, "hedonic_vs_matched": 0.5, "chow": 0.5,
                                "total_decline": 0.4, "hhi": 0.1}
#: The modules the claim groups use (imported before the groups fork).
_GROUP_MODULES = ("llmflation.study.trends", "llmflation.study.premium", "llmflation.study.decline",
                  "llmflation.study.headline", "llmflation.study.indices", "llmflation.study.breaks",
                  "llmflation.study.concentration", "llmflation.methods.wild", "llmflation.panel.tiers")
#: The default ``n_jobs`` of :func:`robustness` (set by :func:`grid_jobs`).
_JOBS = [1]


@contextlib.contextmanager
def grid_jobs(n_jobs: int) -> Iterator[None]:
    """Within the block, :func:`robustness` called without ``n_jobs`` runs its claim groups on
    ``n_jobs`` processes (``build_report`` uses it: the report's section calls ``robustness``
    through :class:`~llmflation.study.api.Study`). The results do not depend on it.

    Examples
    --------
    >>> with grid_jobs(2):
    ...     _JOBS[0]
    2
    >>> _JOBS[0]
    1
    """
    before = _JOBS[0]
    _JOBS[0] = max(1, int(n_jobs))
    try:
        yield
    finally:
        _JOBS[0] = before


#: Greedy influence search: at most this many removals are tried.
INFLUENCE_MAX_STEPS = 25


def claim_info(claim: str) -> dict[str, Any]:
    """The declaration of ``claim`` (default, why, paper-closest), resolving ``same_as``."""
    check_choice("claim", claim, tuple(CLAIMS))
    c = dict(CLAIMS[claim])
    if "same_as" in c:
        base = dict(CLAIMS[c["same_as"]])
        base.update({k: v for k, v in c.items() if k != "same_as"})
        c = base
    return c


@dataclass(frozen=True, kw_only=True, eq=False, repr=False)
class RobustnessResult(Result):
    """A headline rerun over a declared grid of specifications.

    Attributes
    ----------
    table : DataFrame
        Tidy: ``claim, spec_id, dimension`` (what was varied), specification fields,
        ``term, estimate, conf_low, conf_high, p_value, n, is_default, is_paper_closest,
        reason``.
    influence : DataFrame
        Per claim: ``claim, target`` ("estimate ×2 / ÷2" or "test flips at 5%"),
        ``n_removed`` (greedy; NaN when not reached within the step limit), ``removed``
        (labels), ``estimate_before, estimate_after, method, reason``.
    declarations : DataFrame
        ``claim, default, why_default, paper_closest, why_paper``.
    """

    table: pd.DataFrame
    influence: pd.DataFrame
    declarations: pd.DataFrame

    title = "Robustness: headline estimates over a declared grid of specifications"
    keys = ("claim", "spec_id")

    def wide(self) -> pd.DataFrame:
        """:attr:`table` (one row per claim × specification × term)."""
        return self.table.copy()

    def spec_curve_frame(self) -> pd.DataFrame:
        """Rows sorted by estimate within each claim, with their rank: the specification curve."""
        t = self.table[np.isfinite(pd.to_numeric(self.table["estimate"], errors="coerce"))].copy()
        t = t.sort_values(["claim", "term", "estimate"], kind="stable")
        t["rank"] = t.groupby(["claim", "term"]).cumcount() + 1
        return t.reset_index(drop=True)

    def ranges(self) -> pd.DataFrame:
        """Range of the estimate over the grid per claim and term, and the default's place in it.

        ``default`` is the default specification's estimate, ``default_percentile`` the share
        of finite estimates of the grid at or below it (0 = the lowest, 1 = the highest),
        ``n_specs`` the specifications and ``n_finite`` those with an estimate.
        """
        t = self.table.copy()
        t["estimate"] = pd.to_numeric(t["estimate"], errors="coerce")
        out = t.groupby(["claim", "term"]).agg(low=("estimate", "min"), high=("estimate", "max"),
                                               n_specs=("estimate", "size"),
                                               n_finite=("estimate", lambda v: int(np.isfinite(v).sum())))
        dflt = t[t["is_default"]].groupby(["claim", "term"])["estimate"].first()
        out["default"] = dflt.reindex(out.index)

        def place(key: tuple[str, str]) -> float:
            v = t.loc[(t["claim"] == key[0]) & (t["term"] == key[1]), "estimate"].to_numpy(float)
            v = v[np.isfinite(v)]
            dv = out.loc[key, "default"]
            return float(np.mean(v <= dv)) if len(v) and np.isfinite(dv) else math.nan

        out["default_percentile"] = [place(k) for k in out.index]
        return out.reset_index()

    def by_dimension(self) -> pd.DataFrame:
        """Per claim, term and varied dimension: the range of the estimate and the default beside it."""
        t = self.table.copy()
        t["estimate"] = pd.to_numeric(t["estimate"], errors="coerce")
        dflt = t[t["is_default"]].groupby(["claim", "term"])["estimate"].first().rename("default")
        g = t[~t["is_default"]].groupby(["claim", "term", "dimension"])["estimate"].agg(["min", "max", "size"])
        g = g.rename(columns={"min": "low", "max": "high", "size": "n_specs"}).reset_index()
        return g.join(dflt, on=["claim", "term"])


# =======================================================================================
# specification helpers


def _panel_for(panel: pd.DataFrame, *, blend: float = 0.75, first_party: bool = False,
               end: str | None = None, drop_developer: str | None = None, start: str | None = None,
               canonical: bool = True) -> pd.DataFrame:
    p = panel
    if not canonical and "model_key" in p.columns:
        # deduplication off: every listed id is its own model (the pre-issue-18 series)
        p = p.assign(model_key=p["model_id"])
    if start is not None:
        p = p[pd.to_datetime(p["valid_from"]) >= pd.Timestamp(start)]
    if drop_developer is not None:
        p = p[p["developer"].astype(str) != drop_developer]
    if first_party and "first_party" in p.columns:
        p = p[p["first_party"].astype("boolean").fillna(False).astype(bool)]
    if end is not None:
        p = p[pd.to_datetime(p["valid_from"]) <= pd.Timestamp(end)]
    if blend != 0.75:
        p = p.assign(blended_usd_per_mtok=blend * p["input_usd_per_mtok"].astype(float)
                     + (1 - blend) * p["output_usd_per_mtok"].astype(float))
    p = p.copy()
    p.attrs = dict(panel.attrs)
    return p


def _rows_key(frame: pd.DataFrame) -> bytes | None:
    """The rows a specification keeps, as bytes: two specifications whose filters keep the same rows
    (a start before the first observation, say) fit the same data, once. None: an index with repeats."""
    if not frame.index.is_unique:
        return None
    return np.asarray(frame.index).tobytes() + str(frame.index.dtype).encode()


def _once(memo: dict[Any, Any], key: Any, fit: Callable[[], Any]) -> Any:
    """``fit()``, or its result (or its InputError) for the same ``key`` earlier (``key`` None: always fit)."""
    if key is not None and key in memo:
        got = memo[key]
        if isinstance(got, InputError):
            raise got
        return got
    try:
        got = fit()
    except InputError as e:
        if key is not None:
            memo[key] = e
        raise
    if key is not None:
        memo[key] = got
    return got


def _one_at_a_time(default: dict[str, Any], options: dict[str, list[Any]]) -> list[tuple[str, dict[str, Any]]]:
    out = [("default", dict(default))]
    for dim, vals in options.items():
        for v in vals:
            if v != default.get(dim):
                out.append((dim, {**default, dim: v}))
    return out


def _hl_from_slope(b: float) -> float:
    return math.log(2) / -b if b < 0 else math.inf


def _hl_from_factor(f: float) -> float:
    return math.log(2) / math.log(f) if f > 1 else math.inf


# =======================================================================================
# claims


def _tier_specs(lodo: bool) -> list[tuple[str, dict[str, Any]]]:
    c = claim_info("half_life_economy")
    d = c["default"]
    specs = _one_at_a_time(d, {"blend": [0.5, 0.0], "first_party": [True], "exclude_reasoning": [True],
                               "end": [PAPER_END], "start": list(START_DATES), "canonical": [False],
                               "cluster": ["developer"]})
    for tiers in ("positioning", "price_band", "capability"):
        for obs in ("changes", "launch"):
            s = {**d, "tiers": tiers, "observations": obs}
            if s != d:
                specs.append(("tiers × observations", s))
    specs.append(("paper closest", dict(c["paper_closest"])))
    if lodo:
        specs += [("leave one developer out", {**d, "drop_developer": dev}) for dev in LODO_DEVELOPERS]
    return specs


def _run_tiers(panel: pd.DataFrame, lodo: bool) -> tuple[list[dict], dict[str, Any]]:
    from llmflation.study.trends import price_trend

    rows, keep = [], {}
    memo: dict[Any, Any] = {}
    for dim, s in _tier_specs(lodo):
        p = _panel_for(panel, blend=s["blend"], first_party=s["first_party"], end=s["end"],
                       drop_developer=s.get("drop_developer"), start=s.get("start"),
                       canonical=s.get("canonical", True))
        if s.get("cluster") == "developer":
            rows += _tiers_by_developer(p, s, dim)
            continue
        rk = _rows_key(p)
        key = None if rk is None else (rk, s["blend"], s.get("canonical", True), s["tiers"], s["observations"],
                                       s["exclude_reasoning"])
        try:
            tr = _once(memo, key, partial(price_trend, p, by="tier", tiers=s["tiers"],
                                          observations=s["observations"],
                                          exclude_reasoning=s["exclude_reasoning"], n_boot=0))
        except InputError as e:
            for tier in ("economy", "mid", "flagship"):
                rows.append({"claim": f"half_life_{tier}", "dimension": dim, **s, "term": "half_life_years",
                             "estimate": math.nan, "n": 0, "reason": str(e)})
            continue
        for tier in ("economy", "mid", "flagship"):
            if tier not in tr.group_names:
                rows.append({"claim": f"half_life_{tier}", "dimension": dim, **s, "term": "half_life_years",
                             "estimate": math.nan, "n": 0, "reason": "no such tier"})
                continue
            g = tr[tier]
            flo, fhi = g.factor_ci
            rows.append({"claim": f"half_life_{tier}", "dimension": dim, **s, "term": "half_life_years",
                         "estimate": g.half_life_years, "conf_low": _hl_from_factor(fhi),
                         "conf_high": _hl_from_factor(flo), "p_value": math.nan, "n": g.n,
                         "r_squared": g.r_squared, "reason": ""})
            if dim == "default":
                keep[tier] = (p, s)
    return rows, keep


def _tiers_by_developer(p: pd.DataFrame, s: dict[str, Any], dim: str) -> list[dict]:
    """Tier half-lives with a wild cluster bootstrap by developer (few clusters): WCU percentile-t interval."""
    from llmflation.methods.wild import wild_cluster
    from llmflation.panel.tiers import assign_tiers
    from llmflation.study.trends import LAUNCH_WINDOW_DAYS, dated_prices, to_years

    frame = p
    if s["exclude_reasoning"] and "is_reasoning" in frame.columns:
        frame = frame[~frame["is_reasoning"].fillna(False).astype(bool)]
    frame = frame.assign(tier=assign_tiers(frame, s["tiers"]))
    obs = dated_prices(frame, observations=s["observations"], keep=("tier", "developer"),
                       launch_window_days=LAUNCH_WINDOW_DAYS)
    rows = []
    for tier in ("economy", "mid", "flagship"):
        d = obs[obs["tier"].astype("string") == tier]
        base = {"claim": f"half_life_{tier}", "dimension": dim, **s, "term": "half_life_years"}
        try:
            x = to_years(d["date"])
            X = np.column_stack([np.ones(len(d)), x])
            w = wild_cluster(X, np.log(d["price"].to_numpy(float)), d["developer"].astype(str).fillna("?"),
                             n_boot=GRID_BOOT, seed=0)
        except InputError as e:
            rows.append({**base, "estimate": math.nan, "n": len(d), "reason": str(e)})
            continue
        hl = _hl_from_slope
        rows.append({**base, "estimate": hl(w.estimate), "conf_low": hl(w.conf_low), "conf_high": hl(w.conf_high),
                     "p_value": math.nan, "n": w.n,
                     "reason": f"wild cluster bootstrap by developer ({w.n_clusters} clusters, Webb weights, "
                               f"WCU percentile-t); slope p = {w.p_value:.3g} (WCR)"})
    return rows


def _run_premium(panel: pd.DataFrame, lodo: bool) -> list[dict]:
    from llmflation.study.premium import reasoning_premium

    c = claim_info("reasoning_premium")
    d = {k: v for k, v in c["default"].items() if k != "term"}
    specs = _one_at_a_time(d, {"blend": [0.5, 0.0], "first_party": [True], "end": [PAPER_END],
                               "start": list(START_DATES), "canonical": [False]})
    if lodo:
        specs += [("leave one developer out", {**d, "drop_developer": dev}) for dev in LODO_DEVELOPERS]
    rows = [{"claim": "reasoning_premium", "dimension": "cluster", **d, "cluster": "developer",
             "term": "regression", "estimate": math.nan,
             "reason": "not computed: reasoning_premium has no developer-clustered interval (its regression has "
                       "developer fixed effects)"}]
    memo: dict[Any, Any] = {}
    for dim, s in specs:
        p = _panel_for(panel, blend=s["blend"], first_party=s["first_party"], end=s["end"],
                       drop_developer=s.get("drop_developer"), start=s.get("start"),
                       canonical=s.get("canonical", True))
        rk = _rows_key(p)
        try:
            r = _once(memo, None if rk is None else (rk, s["blend"], s.get("canonical", True)),
                      partial(reasoning_premium, p, n_boot=0))
        except InputError as e:
            rows.append({"claim": "reasoning_premium", "dimension": dim, **s, "term": "raw", "estimate": math.nan,
                         "reason": str(e)})
            continue
        for est in r.estimates.itertuples(index=False):
            rows.append({"claim": "reasoning_premium", "dimension": dim, **s, "term": est.term,
                         "estimate": est.estimate, "conf_low": est.conf_low, "conf_high": est.conf_high,
                         "p_value": est.p_value, "n": est.n, "reason": est.note})
    return rows


def _run_chow(milestones: pd.DataFrame, lodo: bool) -> list[dict]:
    from llmflation.study.breaks import PAPER_DEVELOPERS, break_story

    base = {"events": "all", "developers": "paper seven", "end": PAPER_END}
    specs = _one_at_a_time(base, {"events": ["launch"], "developers": ["all"], "end": [None]})
    specs += [("start", {**base, "start": st}) for st in START_DATES]
    if lodo:
        specs += [("leave one developer out", {**base, "drop_developer": dev}) for dev in PAPER_DEVELOPERS]
    rows = [{"claim": "chow", "dimension": dim, **base, "term": "chow_F", "estimate": math.nan, "reason": why}
            for dim, why in (("canonical", "not applicable: the Chow test runs on the milestone table (one row per "
                                           "launch or cut), not on the panel's ids"),
                             ("cluster", "not computed: break_story clusters by model; a developer-level wild "
                                         "bootstrap of an F statistic is not implemented"))]
    memo: dict[Any, Any] = {}
    for dim, s in specs:
        devs = PAPER_DEVELOPERS if s["developers"] == "paper seven" else None
        if s.get("drop_developer"):
            devs = tuple(x for x in (devs or tuple(milestones["developer"].unique())) if x != s["drop_developer"])
        ms = milestones
        if s.get("start"):
            ms = ms[pd.to_datetime(ms["date"]) >= pd.Timestamp(s["start"])]
        rk = _rows_key(ms)
        events = ("launch",) if s["events"] == "launch" else None
        try:
            r = _once(memo, None if rk is None else (rk, devs, s["end"], events),
                      partial(break_story, ms, developers=devs, end=s["end"], events=events))
        except InputError as e:
            rows.append({"claim": "chow", "dimension": dim, **s, "term": "chow_F", "estimate": math.nan,
                         "reason": str(e)})
            continue
        for est in r.estimates.itertuples(index=False):
            if est.term not in ("chow_F", "slope_change", "sup_F"):
                continue
            is_f = est.term in ("chow_F", "sup_F")
            rows.append({"claim": "chow", "dimension": dim, **s, "spec": est.spec, "term": est.term,
                         "estimate": est.statistic if is_f else est.estimate,
                         "conf_low": math.nan if is_f else est.conf_low, "conf_high": math.nan if is_f else est.conf_high,
                         "p_value": est.p_value, "n": est.n, "direction": r.direction,
                         "n_rejecting_dates": len(r.rejecting_dates), "reason": ""})
    return rows


def _run_decline(panel: pd.DataFrame) -> list[dict]:
    from llmflation.study.decline import total_decline

    rows = []
    for dim, end in (("default", None), ("end", PAPER_END)):
        e = end or str(pd.to_datetime(panel["valid_from"]).max().date())
        try:
            r = total_decline(panel, start="2020-01-01", end=e)
        except InputError as ex:
            rows.append({"claim": "total_decline", "dimension": dim, "end": end, "term": "factor",
                         "estimate": math.nan, "reason": str(ex)})
            continue
        for t in r.table.itertuples(index=False):
            rows.append({"claim": "total_decline", "dimension": "definition" if dim == "default" else dim,
                         "definition": t.definition, "end": end, "term": "factor", "estimate": t.factor,
                         "conf_low": t.conf_low, "conf_high": t.conf_high, "n": t.n, "reason": ""})
    return rows


def _run_hedonic(panel: pd.DataFrame) -> list[dict]:
    from llmflation.study.indices import hedonic_index

    rows = []
    for dim, s in (("default", {"observations": "changes", "end": None}),
                   ("observations", {"observations": "launch", "end": None}),
                   ("end", {"observations": "changes", "end": PAPER_END})):
        p = _panel_for(panel, end=s["end"])
        try:
            r = hedonic_index(p, observations=s["observations"], n_boot=0)  # type: ignore[arg-type]
        except (InputError, TypeError, ValueError) as e:
            rows.append({"claim": "hedonic_vs_matched", "dimension": dim, **s, "term": "hedonic",
                         "estimate": math.nan, "reason": str(e)})
            continue
        for term, est, ci in (("hedonic", r.hedonic_log_change_per_year, r.hedonic_ci),
                              ("matched", r.matched_log_change_per_year, r.matched_ci)):
            rows.append({"claim": "hedonic_vs_matched", "dimension": dim, **s, "term": term, "estimate": est,
                         "conf_low": ci[0], "conf_high": ci[1], "n": r.n, "reason": ""})
    return rows


def _run_headline(panel: pd.DataFrame, lodo: bool) -> list[dict]:
    """The headline quality-adjusted index's annual log change over the issue-19 dimensions."""
    from llmflation.study.headline import headline_index

    d = dict(claim_info("headline_index")["default"])
    specs = _one_at_a_time(d, {"start": ["2021-01-01", "2024-01-01"], "canonical": [False],
                               "cluster": ["developer"], "first_party": [False]})
    if lodo:
        specs += [("leave one developer out", {**d, "drop_developer": dev}) for dev in LODO_DEVELOPERS]
    rows = []
    for dim, s in specs:
        p = _panel_for(panel, drop_developer=s.get("drop_developer"), canonical=s["canonical"])
        try:
            r = headline_index(p, start=s["start"], cluster=s["cluster"], first_party_only=s["first_party"],
                               n_boot=GRID_BOOT)
        except InputError as e:
            rows.append({"claim": "headline_index", "dimension": dim, **s, "term": "hedonic", "estimate": math.nan,
                         "reason": str(e)})
            continue
        for a in r.annual.itertuples(index=False):
            if a.index_kind == "token_weighted":
                continue
            rows.append({"claim": "headline_index", "dimension": dim, **s, "term": a.index_kind,
                         "estimate": a.log_change_per_year, "conf_low": a.conf_low, "conf_high": a.conf_high,
                         "n": a.n_models, "status": a.status,
                         "reason": f"{r.config['bootstrap']} cluster bootstrap by {s['cluster']}"})
    return rows


def _run_constant_capability(panel: pd.DataFrame, lodo: bool) -> list[dict]:
    """Constant-capability decline (issue 19 point 3, study/decline.py) over the issue-19 dimensions."""
    try:
        from llmflation.study.decline import constant_capability_decline
    except ImportError:  # pragma: no cover - the hook before point 3 landed
        return [{"claim": "constant_capability", "dimension": "default", "term": "factor_per_year",
                 "estimate": math.nan, "reason": "constant_capability_decline is not available"}]
    d = dict(claim_info("constant_capability")["default"])
    specs = _one_at_a_time(d, {"start": list(START_DATES), "canonical": [False], "first_party": [True]})
    if lodo:
        specs += [("leave one developer out", {**d, "drop_developer": dev}) for dev in LODO_DEVELOPERS]
    end = str(pd.to_datetime(panel["valid_from"]).max().date())
    rows = [{"claim": "constant_capability", "dimension": "cluster", **d, "cluster": "developer",
             "term": "factor_per_year", "estimate": math.nan,
             "reason": "not computed: constant_capability_decline bootstraps by model only"}]
    for dim, s in specs:
        p = _panel_for(panel, first_party=s["first_party"], drop_developer=s.get("drop_developer"),
                       canonical=s["canonical"])
        try:
            r = constant_capability_decline(p, start=s["start"], end=end, n_boot=GRID_BOOT)
        except InputError as e:
            rows.append({"claim": "constant_capability", "dimension": dim, **s, "term": "factor_per_year",
                         "estimate": math.nan, "reason": str(e)})
            continue
        lo, hi = r.factor_per_year_conf
        rows.append({"claim": "constant_capability", "dimension": dim, **s, "term": "factor_per_year",
                     "estimate": r.factor_per_year, "conf_low": lo, "conf_high": hi, "n": r.n_models,
                     "status": r.status, "reason": r.reason or ""})
    return rows


def _run_hhi(concentration: dict[str, pd.DataFrame]) -> list[dict]:
    from llmflation.study.concentration import llm_concentration

    r = llm_concentration(**concentration)
    t = r.table
    rows = []
    for m, g in t.groupby("measure", sort=False):
        last = g.iloc[-1]
        first = g.iloc[0]
        for label, row in (("first", first), ("latest", last)):
            rows.append({"claim": "hhi", "dimension": "measure", "measure": m, "period": str(row["period"]),
                         "term": f"hhi_{label}", "estimate": float(row["hhi"]),
                         "conf_low": float(row.get("hhi_low", math.nan)),
                         "conf_high": float(row.get("hhi_high", math.nan)), "n": int(row["n_firms"]), "reason": ""})
    return rows


# =======================================================================================
# influence (greedy)


def _greedy_slope(x: np.ndarray, y: np.ndarray, labels: np.ndarray, groups: np.ndarray,
                  to_value: Callable[[float], float]) -> dict[str, Any]:
    """Remove whole groups (models), one at a time, the one moving ``to_value(slope)`` most."""
    keep = np.ones(len(x), dtype=bool)

    def slope(mask: np.ndarray) -> float:
        xx, yy = x[mask], y[mask]
        if len(xx) < 3 or np.ptp(xx) == 0:
            return math.nan
        dx = xx - xx.mean()
        return float(dx @ (yy - yy.mean()) / (dx @ dx))

    v0 = to_value(slope(keep))
    removed: list[str] = []
    ug = pd.unique(groups)
    for _ in range(INFLUENCE_MAX_STEPS):
        best, best_g, best_v = -1.0, None, v0
        for gname in ug:
            if gname in removed:
                continue
            m = keep & (groups != gname)
            v = to_value(slope(m))
            if not math.isfinite(v) or v <= 0:
                score = math.inf
            else:
                score = abs(math.log(v / v0)) if v0 > 0 and math.isfinite(v0) else 0.0
            if score > best:
                best, best_g, best_v = score, gname, v
        if best_g is None:
            break
        removed.append(str(best_g))
        keep &= groups != best_g
        if not math.isfinite(best_v) or best_v <= 0 or best_v >= 2 * v0 or best_v <= v0 / 2:
            return {"n_removed": len(removed), "removed": "; ".join(removed), "estimate_before": v0,
                    "estimate_after": best_v}
    return {"n_removed": math.nan, "removed": "; ".join(removed), "estimate_before": v0,
            "estimate_after": to_value(slope(keep)),
            "reason": f"not reached within {INFLUENCE_MAX_STEPS} greedy removals"}


def _influence_tiers(keep: dict[str, Any]) -> list[dict]:
    from llmflation.panel.tiers import assign_tiers
    from llmflation.study.trends import LAUNCH_WINDOW_DAYS, dated_prices, to_years

    out = []
    for tier, (p, s) in keep.items():
        try:
            pt = assign_tiers(p, definition=s["tiers"]) if "tier" not in p.columns or s["tiers"] != "positioning" \
                else p
        except Exception:  # noqa: BLE001 - tier assignment API differences: fall back on the panel's column
            pt = p
        obs = dated_prices(pt[pt["tier"] == tier], observations=s["observations"], launch_window_days=LAUNCH_WINDOW_DAYS)
        if len(obs) < 5:
            continue
        x = to_years(obs["date"])
        y = np.log(obs["price"].to_numpy(float))
        r = _greedy_slope(x, y, obs["model"].astype(str).to_numpy(), obs["model"].astype(str).to_numpy(),
                          lambda b: _hl_from_factor(math.exp(-b)) if math.isfinite(b) else math.nan)
        out.append({"claim": f"half_life_{tier}", "target": "half-life ×2 or ÷2 (or no decline)",
                    "method": "greedy removal of whole models (all of a model's observations)", **r})
    return out


def _influence_chow(milestones: pd.DataFrame) -> list[dict]:
    from scipy import stats

    from llmflation.study.breaks import PAPER_BREAK, PAPER_DEVELOPERS, milestone_series

    ms = milestone_series(milestones, developers=PAPER_DEVELOPERS, end=PAPER_END)
    t = (ms.index - pd.Timestamp("2020-01-01")).days.to_numpy() / 365.25
    y = ms.to_numpy()
    models = np.asarray(ms.attrs["models"], dtype=str)
    post = (ms.index > pd.Timestamp(PAPER_BREAK)).astype(float)

    def pval(mask: np.ndarray) -> float:
        n = int(mask.sum())
        X0 = np.column_stack([np.ones(n), t[mask]])
        X1 = np.column_stack([X0, post[mask], post[mask] * t[mask]])
        r0 = y[mask] - X0 @ np.linalg.lstsq(X0, y[mask], rcond=None)[0]
        r1 = y[mask] - X1 @ np.linalg.lstsq(X1, y[mask], rcond=None)[0]
        F = ((r0 @ r0 - r1 @ r1) / 2) / ((r1 @ r1) / (n - 4))
        return float(stats.f.sf(F, 2, n - 4))

    keep = np.ones(len(y), dtype=bool)
    p0 = pval(keep)
    removed: list[str] = []
    for _ in range(INFLUENCE_MAX_STEPS):
        cand = [(pval(keep & (models != m)), m) for m in pd.unique(models[keep])]
        p, m = max(cand) if p0 < 0.05 else min(cand)
        removed.append(m)
        keep &= models != m
        if (p0 < 0.05) != (p < 0.05):
            return [{"claim": "chow", "target": "Chow test flips at 5%", "n_removed": len(removed),
                     "removed": "; ".join(removed), "estimate_before": clip_p_value(p0), "estimate_after": p,
                     "method": "greedy removal of whole models; estimate = classical Chow p-value"}]
    return [{"claim": "chow", "target": "Chow test flips at 5%", "n_removed": math.nan, "removed": "; ".join(removed),
             "estimate_before": p0, "estimate_after": pval(keep), "method": "greedy removal of whole models",
             "reason": f"not reached within {INFLUENCE_MAX_STEPS} greedy removals"}]


def _influence_premium(panel: pd.DataFrame) -> list[dict]:
    from llmflation.study.trends import LAUNCH_WINDOW_DAYS, dated_prices

    obs = dated_prices(panel, observations="launch", keep=("is_reasoning",), launch_window_days=LAUNCH_WINDOW_DAYS)
    r = obs["is_reasoning"].astype("boolean").fillna(False).astype(bool).to_numpy()
    lp = np.log(obs["price"].to_numpy(float))
    names = obs["model"].astype(str).to_numpy()
    keep = np.ones(len(lp), dtype=bool)

    def prem(mask: np.ndarray) -> float:
        a, b = lp[mask & r], lp[mask & ~r]
        return math.exp(a.mean() - b.mean()) if len(a) and len(b) else math.nan

    v0 = prem(keep)
    removed = []
    for _ in range(INFLUENCE_MAX_STEPS):
        # the most influential single model is the extreme one on the side that pulls the ratio most
        cand = [(abs(math.log(prem(keep & (names != m)) / v0)), m) for m in pd.unique(names[keep & r])]
        cand += [(abs(math.log(prem(keep & (names != m)) / v0)), m) for m in
                 pd.unique(names[keep & ~r][np.argsort(lp[keep & ~r])][:5])]
        _, m = max(cand)
        removed.append(m)
        keep &= names != m
        v = prem(keep)
        if v >= 2 * v0 or v <= v0 / 2:
            return [{"claim": "reasoning_premium", "target": "premium ×2 or ÷2", "n_removed": len(removed),
                     "removed": "; ".join(removed), "estimate_before": v0, "estimate_after": v,
                     "method": "greedy removal of single models (raw geometric premium)"}]
    return [{"claim": "reasoning_premium", "target": "premium ×2 or ÷2", "n_removed": math.nan,
             "removed": "; ".join(removed), "estimate_before": v0, "estimate_after": prem(keep),
             "method": "greedy removal of single models (raw geometric premium)",
             "reason": f"not reached within {INFLUENCE_MAX_STEPS} greedy removals"}]


# =======================================================================================
# public


Claim = Literal["half_life_economy", "half_life_mid", "half_life_flagship", "total_decline", "reasoning_premium",
                "chow", "hedonic_vs_matched", "headline_index", "constant_capability", "hhi"]
ALL_CLAIMS: tuple[str, ...] = typing.get_args(Claim)


@validated
def robustness(claim: Claim | None = None, *,
               panel: Annotated[pd.DataFrame, Frame(what="a pandas DataFrame (llmflation.load_panel()) or None")]
               | None = None,
               milestones: Annotated[pd.DataFrame, Frame(what="a pandas DataFrame (the bundled price_milestones "
                                                               "table) or None")] | None = None,
               concentration: dict[str, pd.DataFrame] | None = None,
               leave_one_out: bool = True, influence: bool = True, n_jobs: int | None = None) -> RobustnessResult:
    """Rerun a headline (or all of them) over its declared grid of specifications.

    Parameters
    ----------
    claim : str or None
        One of :data:`ALL_CLAIMS`; None runs every claim.
    panel, milestones, concentration :
        The data the claims need (the panel; the bundled ``price_milestones`` table for
        ``"chow"``; the concentration tables for ``"hhi"``). This function loads nothing
        itself: on the study's data run ``lf.Study().robustness(claim)`` (``Study(db)`` for a
        store), which passes them; a claim whose data is missing is refused with that hint.
    leave_one_out : bool
        Add leave-one-developer-out specifications.
    influence : bool
        Greedy search for the fewest observations that move the default estimate 2× (or
        flip its test).
    n_jobs : int, optional
        Processes the claim groups run on (this one and forked copies, see
        :func:`llmflation.methods.bootstrap.fork_map`); the result is the same for any value.
        Default: 1, or the number :func:`grid_jobs` sets around the call (the report: 2).

    Examples
    --------
    >>> import llmflation as lf
    >>> r = lf.Study().robustness("hhi", leave_one_out=False, influence=False)  # the study's data
    >>> sorted(set(r.table["claim"]))
    ['hhi']
    >>> robustness("hhi")
    Traceback (most recent call last):
    ...
    llmflation.errors.InputError: robustness('hhi') needs concentration=, which was not given. Run it on the ...
    """
    from llmflation.validate import check_frame

    for key, frame in (concentration or {}).items():
        check_frame(frame, f"concentration[{key!r}]")
    claims = ALL_CLAIMS if claim is None else (claim,)
    need_panel = any(c.startswith("half_life") or c in ("total_decline", "reasoning_premium", "hedonic_vs_matched",
                                                          "headline_index", "constant_capability")
                     for c in claims)
    missing = [f"{name}=" for name, absent in (("panel", panel is None and need_panel),
                                               ("milestones", milestones is None and "chow" in claims),
                                               ("concentration", concentration is None and "hhi" in claims))
               if absent]
    if missing:  # data flows one way: the study's data is wired by Study, never loaded here
        call = "" if claim is None else repr(claim)
        raise InputError(f"robustness({call}) needs {', '.join(missing)}, which {'was' if len(missing) == 1 else 'were'}"
                         " not given. Run it on the "
                         f"study's data with lf.Study().robustness({call}) (Study(db) for a store), or pass "
                         f"{', '.join(missing)} yourself.")
    # The grid's claim groups are independent: run them (longest first) on ``n_jobs`` processes and
    # put their rows together in this order, so the table is the same whatever ran them.
    def tiers() -> tuple[list[dict], list[dict]]:
        r, keep = _run_tiers(panel, leave_one_out)  # type: ignore[arg-type]
        return ([x for x in r if x["claim"] in claims],
                _influence_tiers({k: v for k, v in keep.items() if f"half_life_{k}" in claims}) if influence else [])

    def decline() -> tuple[list[dict], list[dict]]:
        return _run_decline(panel), [  # type: ignore[arg-type]
            {"claim": "total_decline", "target": "", "n_removed": math.nan,
             "reason": "not computed: an endpoint ratio rests on two prices (removing either moves it)"}]

    def premium() -> tuple[list[dict], list[dict]]:
        return (_run_premium(panel, leave_one_out),  # type: ignore[arg-type]
                _influence_premium(panel) if influence else [])  # type: ignore[arg-type]

    def chow() -> tuple[list[dict], list[dict]]:
        return (_run_chow(milestones, leave_one_out),  # type: ignore[arg-type]
                _influence_chow(milestones) if influence else [])  # type: ignore[arg-type]

    def hhi() -> tuple[list[dict], list[dict]]:
        return _run_hhi(concentration), [  # type: ignore[arg-type]
            {"claim": "hhi", "target": "", "n_removed": math.nan,
             "reason": "not computed: a share index, not an estimate from observations"}]

    Group = Callable[[], tuple[list[dict], list[dict]]]
    groups: list[tuple[str, Group]] = []
    if any(c.startswith("half_life") for c in claims):
        groups.append(("tiers", tiers))
    if "total_decline" in claims:
        groups.append(("total_decline", decline))
    if "reasoning_premium" in claims:
        groups.append(("reasoning_premium", premium))
    if "chow" in claims:
        groups.append(("chow", chow))
    if "hedonic_vs_matched" in claims:
        groups.append(("hedonic_vs_matched", lambda: (_run_hedonic(panel), [])))  # type: ignore[arg-type]
    if "headline_index" in claims:
        groups.append(("headline_index", lambda: (_run_headline(panel, leave_one_out), [])))  # type: ignore[arg-type]
    if "constant_capability" in claims:
        groups.append(("constant_capability", lambda: (
            _run_constant_capability(panel, leave_one_out), [])))  # type: ignore[arg-type]
    if "hhi" in claims:
        groups.append(("hhi", hhi))
    order = sorted(range(len(groups)), key=lambda i: -GROUP_COST.get(groups[i][0], 0.0))
    jobs = _JOBS[0] if n_jobs is None else n_jobs
    if jobs > 1 and len(groups) > 1:  # import once, before the fork, rather than in every process
        import importlib

        for mod in _GROUP_MODULES:
            importlib.import_module(mod)
    done = dict(zip(order, fork_map(lambda i: groups[i][1](), order, n_jobs=jobs), strict=True))
    rows: list[dict] = [x for i in range(len(groups)) for x in done[i][0]]
    infl: list[dict] = [x for i in range(len(groups)) for x in done[i][1]]
    table = pd.DataFrame(rows)
    table.insert(1, "spec_id", table.groupby("claim").cumcount() + 1)
    table["is_default"] = False
    table["is_paper_closest"] = False
    for c in table["claim"].unique():
        info = claim_info(c)
        for flag, spec in (("is_default", info["default"]), ("is_paper_closest", info["paper_closest"])):
            m = table["claim"].eq(c) & ~table["dimension"].eq("leave one developer out")
            # a row that only says why a dimension is not computed is never the default
            m &= ~table["reason"].astype("string").fillna("").str.startswith(("not computed", "not applicable"))
            for k, v in spec.items():
                if k in table.columns:
                    col = table[k].astype(object)
                    m &= col.eq(v) | (col.isna() & (v is None))
            table.loc[m, flag] = True
    if "p_value" in table.columns:
        table["p_value"] = table["p_value"].map(lambda p: clip_p_value(p) if p == p else p)
    decl = pd.DataFrame([{"claim": c, "default": str(claim_info(c)["default"]),
                          "why_default": claim_info(c)["why_default"],
                          "paper_closest": str(claim_info(c)["paper_closest"]),
                          "why_paper": claim_info(c)["why_paper"], "reference": claim_info(c)["reference"]}
                         for c in claims])
    notes = ("Grid: the default, each dimension varied alone, tier definition × observation set (tier claims), "
             "the paper-closest specification, leave one developer out. Intervals: each estimator's own "
             "(no bootstrap in the grid).",
             "Influence: greedy search (remove the single most influential model, refit, repeat) for the fewest "
             "removals that move the default estimate 2× or flip its 5% test; an upper bound on the true minimum.")
    vint = str((panel if panel is not None else milestones if milestones is not None else pd.DataFrame()).attrs.get(
        "vintage", "user data"))
    return RobustnessResult(table=table, influence=pd.DataFrame(infl), declarations=decl,
                            config={"claim": claim, "leave_one_out": leave_one_out, "influence": influence},
                            vintage=vint, notes=notes)
