"""Jevons: did spending on tokens rise as their price fell? Accounting, not an identified elasticity.

Jevons' paradox needs a market price elasticity of demand above 1 in magnitude. Two
published elasticities answer different questions and differ ~20×:

* **within-model, short run ≈ −1.1** (Demirer, Fradkin, Tadelis & Peng, NBER w34608):
  identified by price differences across providers serving the *same* open model on
  OpenRouter/Azure — substitution between providers of one good, not the market's
  response to cheaper intelligence;
* **market level ≈ −0.05 to −0.07** (OpenRouter/a16z, arXiv:2601.10088: a 10% lower
  price ≈ 0.5–0.7% more usage) — closer to the Jevons question, and inelastic.

What the bundled data support, in :func:`jevons`:

(a) per firm with at least :data:`MIN_STATEMENTS` dated volume statements on one basis
    (``token_volume``), the change in log tokens per day, in log price (the firm's own
    chained price index over its models, from the panel: token-weighted Törnqvist
    links where token quantities cover both months, else unweighted Jevons —
    :func:`llmflation.methods.index.price_index`) and in log spend (their sum). This
    is accounting: capability gains, free consumer surfaces, agents and reasoning
    tokens shift demand at the same time, so the ratio is not an elasticity;
(b) a log-log elasticity with HC1 interval where at least
    :data:`~llmflation.methods.elasticity.MIN_OBS` points exist (per firm: never in
    these data, and the result says so), and pooled across firms with firm fixed
    effects (within-firm co-movement over time; not identified as demand);
(c) OpenRouter token shares of ranked models against their price relative to models
    of the same tier (developer positioning as the capability class), descriptive;
(d) effective (actually paid) against listed price on the day the effective prices
    were taken: the share of the list price buyers pay, by tier and open vs closed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd

from llmflation.errors import InputError
from llmflation.methods.elasticity import MIN_OBS, ElasticityEstimate, log_log_elasticity
from llmflation.methods.index import price_index
from llmflation.results import Result, SummaryFormat, data_vintage, render_table
from llmflation.signature import DateLike, Frame, Level, Range, validated
from llmflation.study.paper import Reference, refs

#: Fewest dated volume statements on one basis for a firm's accounting rows.
MIN_STATEMENTS = 3
#: Date the effective prices were taken (pacell/openrouter-stats snapshot: on or after
#: 2026-08-31, the listing date of its newest models; see the data README).
EFFECTIVE_PRICE_DATE = "2026-08-31"
#: Longest gap (days) between the last observed list price and that date for a match.
MAX_LIST_GAP_DAYS = 60
#: Input-price weight of the blended price (the package's 3:1 convention).
BLEND_INPUT_WEIGHT = 0.75
#: Fewest within-firm s.d. of log price (across the firm's statement dates) for an elasticity:
#: below it price barely moves, so a log-log slope is identified by noise (a pooled "+59" in
#: issue 19) and only the accounting is reported.
MIN_PRICE_SD = 0.2
#: Fewest scored models of a firm (in a month) for its quality-adjusted price index.
MIN_FIRM_MODELS = 3

#: Days behind each volume metric (token counts per that period → tokens per day).
_PER_DAY: dict[str, float | None] = {
    "tokens_per_day": 1.0, "api_tokens_per_day": 1.0, "tokens_per_minute": 1 / 1440, "api_tokens_per_minute": 1 / 1440,
    "tokens_per_week": 7.0, "tokens_per_year": 365.25, "tokens_per_quarter": None, "tokens_per_month": None,
}
#: Metrics left out: a peak rate is not an average, a week-to-date count is a partial week.
_EXCLUDED_METRICS = {"peak_tokens_per_minute": "peak, not an average rate",
                     "tokens_week_to_date_implied_total": "week-to-date (partial week) count"}
#: Volume-statement company → how its price index is built from the panel.
FIRM_PANEL: dict[str, dict[str, str]] = {
    "Google": {"developer": "Google"},
    "OpenAI": {"developer": "OpenAI"},
    "Microsoft": {"developer": "Microsoft"},
    "ByteDance (Volcano Engine, Doubao models)": {"developer": "ByteDance"},
    "ByteDance (Doubao)": {"developer": "ByteDance"},
    "Alibaba (Qwen)": {"developer": "Alibaba"},
    "OpenRouter": {"provider": "openrouter"},
}
CAVEATS = (
    "Accounting, not an elasticity: Δln tokens and Δln price move together with capability gains, free consumer "
    "surfaces (Google's count covers all AI surfaces), agents and reasoning tokens, all of which shift demand.",
    "Token counts are tokenizer-specific and most company figures are lower bounds ('over …'); time bases are "
    "converted to tokens per day (per-minute figures × 1,440, monthly ÷ days in the month).",
    "The price is the firm's list-price index over its own models (matched models, chained monthly): new, "
    "cheaper models enter without lowering it, so it understates the fall in the price of capability.",
    "Δln spend = Δln tokens + Δln price holds only if the index tracks the average price paid (mix, discounts, "
    "caching and free tiers break it).",
)


def _published() -> tuple[Reference, ...]:
    return refs("nber_w34608.elasticity", "openrouter_a16z2026.market_response")


# --------------------------------------------------------------------------- (a) volumes and firm indices


def volume_series(token_volume: pd.DataFrame) -> pd.DataFrame:
    """Dated volume statements as tokens per day, one series per company × basis.

    ``basis`` is ``"api"`` for API-only metrics and ``"all"`` otherwise; statements on
    different bases are never mixed. Peak rates and week-to-date counts are left out.

    Examples
    --------
    >>> tv = pd.DataFrame({"date": ["2025-01-31", "2025-02-28"], "company": ["X", "X"],
    ...                    "metric": ["tokens_per_month", "api_tokens_per_minute"], "value": [3.1e12, 1e6]})
    >>> volume_series(tv)[["series", "tokens_per_day"]].values.tolist()
    [['X [all]', 100000000000.0], ['X [api]', 1440000000.0]]
    """
    need = {"date", "company", "metric", "value"}
    if not need <= set(token_volume.columns):
        raise InputError(f"token_volume needs columns {sorted(need)}; got {list(token_volume.columns)}.")
    rows = []
    for r in token_volume.itertuples(index=False):
        metric = str(r.metric)
        if metric in _EXCLUDED_METRICS or metric not in _PER_DAY:
            continue
        d = pd.Timestamp(str(r.date))
        days = _PER_DAY[metric]
        if metric == "tokens_per_month":
            days = float(d.days_in_month)
        elif metric == "tokens_per_quarter":
            q = d.to_period("Q")
            days = float((q.end_time.normalize() - q.start_time.normalize()).days + 1)
        assert days is not None
        basis = "api" if metric.startswith("api_") else "all"
        rows.append({"series": f"{r.company} [{basis}]", "company": str(r.company), "basis": basis, "date": d,
                     "metric": metric, "tokens_per_day": float(r.value) / days})
    out = pd.DataFrame(rows, columns=["series", "company", "basis", "date", "metric", "tokens_per_day"])
    return out.sort_values(["series", "date"], kind="stable").reset_index(drop=True)


def _monthly_prices(rows: pd.DataFrame, months: pd.PeriodIndex, price: str) -> pd.DataFrame:
    """Wide month × model price in effect at each month end (median across providers)."""
    r = rows.dropna(subset=[price, "valid_from"])
    r = r[r[price] > 0]
    if r.empty:
        return pd.DataFrame(index=months)
    last = months[-1].end_time.normalize()
    vf = pd.to_datetime(r["valid_from"])
    vt = pd.to_datetime(r["valid_to"]).fillna(last)
    recs = []
    for m in months:
        end = m.end_time.normalize()
        ok = (vf <= end) & (vt >= m.start_time.normalize())
        if ok.any():
            g = r.loc[ok].assign(_vf=vf[ok]).sort_values("_vf")
            # the interval in effect at month end per model × provider, then the median across providers
            cur = g.groupby(["model_id", "provider"], sort=False).tail(1)
            med = cur.groupby("model_id")[price].median()
            recs.append(med.rename(m))
    wide = pd.DataFrame(recs)
    return wide.reindex(months)


def firm_price_index(panel: pd.DataFrame, *, developer: str | None = None, provider: str | None = None,
                     start: Any = None, end: Any = None, price: str = "blended_usd_per_mtok",
                     quantities: pd.DataFrame | None = None) -> pd.DataFrame:
    """Monthly chained price index over one firm's models (first party preferred).

    Parameters
    ----------
    panel : DataFrame
        Canonical panel.
    developer, provider : str
        Which rows: a developer's models (its first-party rows where a model has them,
        else the median across providers) or every model a provider lists.
    quantities : DataFrame, optional
        Month (Period) × model token quantities. A link whose matched models all have
        quantities in both months is Törnqvist (token-value weighted); otherwise Jevons.

    Returns
    -------
    DataFrame
        ``month, index, n_models, formula`` (index = 1 in the first month with prices).

    Examples
    --------
    >>> p = pd.DataFrame({"model_id": ["a", "a", "b"], "provider": ["x", "x", "x"], "developer": ["D"] * 3,
    ...                   "first_party": [True] * 3, "valid_from": pd.to_datetime(["2024-01-01", "2024-03-01",
    ...                   "2024-01-01"]), "valid_to": pd.to_datetime(["2024-02-29", "2024-04-30", "2024-04-30"]),
    ...                   "blended_usd_per_mtok": [4.0, 1.0, 2.0]})
    >>> firm_price_index(p, developer="D")["index"].round(4).tolist()
    [1.0, 1.0, 0.5, 0.5]
    """
    if (developer is None) == (provider is None):
        raise InputError("pass exactly one of developer= or provider=.")
    need = {"model_id", "provider", "valid_from", "valid_to", price}
    if not need <= set(panel.columns):
        raise InputError(f"panel needs columns {sorted(need)}; got {list(panel.columns)}.")
    if developer is not None:
        rows = panel[panel["developer"].astype("string") == developer]
        if "first_party" in rows.columns and len(rows):
            fp = rows["first_party"].astype("boolean").fillna(False).astype(bool)
            has_fp = rows.loc[fp, "model_id"].unique()
            rows = rows[fp | ~rows["model_id"].isin(has_fp)]
    else:
        rows = panel[panel["provider"].astype("string") == provider]
    if rows.empty:
        raise InputError(f"no panel rows for {'developer ' + repr(developer) if developer else 'provider ' + repr(provider)}.")
    lo = pd.Timestamp(start) if start is not None else pd.to_datetime(rows["valid_from"]).min()
    hi = pd.Timestamp(end) if end is not None else pd.to_datetime(rows["valid_to"]).max()
    months = pd.period_range(lo.to_period("M"), hi.to_period("M"), freq="M")
    wide = _monthly_prices(rows, months, price)
    wide = wide.loc[wide.notna().any(axis=1)]
    if wide.empty:
        raise InputError("no priced model in the requested months.")
    vals, formulas = [1.0], ["base"]
    for a, b in zip(wide.index[:-1], wide.index[1:], strict=True):
        both = wide.columns[wide.loc[a].notna() & wide.loc[b].notna()]
        if len(both) == 0:
            vals.append(vals[-1])
            formulas.append("no overlap (carried)")
            continue
        sub = wide.loc[[a, b], both]
        formula = "jevons"
        qsub = None
        if quantities is not None and a in quantities.index and b in quantities.index:
            qs = quantities.reindex(index=[a, b], columns=both)
            if qs.notna().all().all() and (qs > 0).all().all():
                formula, qsub = "tornqvist", qs
        link = price_index(sub, qsub, formula=formula)  # type: ignore[arg-type]
        vals.append(vals[-1] * float(link.iloc[1]))
        formulas.append(formula)
    return pd.DataFrame({"month": wide.index, "index": vals, "n_models": wide.notna().sum(axis=1).to_numpy(),
                         "formula": formulas})


def firm_quality_adjusted_index(panel: pd.DataFrame, *, developer: str, start: Any = None, end: Any = None,
                                quality: str = "eci", min_models: int = MIN_FIRM_MODELS,
                                price: str = "blended_usd_per_mtok") -> pd.DataFrame:
    """Monthly quality-adjusted price index of one developer's first-party canonical models.

    The headline method (:func:`llmflation.study.headline.headline_index`: chained
    adjacent-period time-dummy regressions on ``quality``, each model at its price in
    effect in every month) restricted to the developer's models: a price cut of a model
    moves it by its log change divided by the number of the firm's scored models that
    month, and a new model that is cheaper for its capability lowers it. Where the firm
    has fewer than ``min_models`` scored models, the firm's canonical list-price index
    (:func:`firm_price_index` on :func:`~llmflation.study.trends.canonical_rows`) is used
    and ``formula`` says so.

    Returns
    -------
    DataFrame
        ``month, index, n_models, formula``.

    Examples
    --------
    >>> p = pd.DataFrame({"model_id": ["a", "a", "b", "c"], "developer": "D", "provider": "D",
    ...                   "first_party": True, "eci": [100.0, 100.0, 110.0, 120.0],
    ...                   "valid_from": pd.to_datetime(["2024-01-01", "2024-03-01", "2024-01-01", "2024-01-01"]),
    ...                   "valid_to": pd.to_datetime(["2024-02-29", "2024-04-30", "2024-04-30", "2024-04-30"]),
    ...                   "blended_usd_per_mtok": [4.0, 1.0, 2.0, 8.0]})
    >>> firm_quality_adjusted_index(p, developer="D")["index"].round(4).tolist()
    [1.0, 1.0, 0.63, 0.63]
    """
    from llmflation.study.headline import headline_index
    from llmflation.study.trends import canonical_rows

    rows = panel[panel["developer"].astype("string") == developer]
    kind = {"blended_usd_per_mtok": "blended", "input_usd_per_mtok": "input", "output_usd_per_mtok": "output"}
    if price not in kind:
        raise InputError(f"a quality-adjusted firm index prices {sorted(kind)}; got {price!r}.")
    try:
        r = headline_index(rows, quality=quality, start=start, end=end, min_models=min_models, n_boot=0,
                           price=kind[price])  # type: ignore[arg-type]
    except InputError:
        r = None
    if r is not None and np.isfinite(r.table["index"].to_numpy(float)).sum() >= 2:
        t = r.table.dropna(subset=["index"])
        return pd.DataFrame({"month": pd.PeriodIndex(t["period"], freq="M"), "index": t["index"].to_numpy(float),
                             "n_models": t["n_models"].to_numpy(int), "formula": f"hedonic ({quality})"})
    out = firm_price_index(canonical_rows(panel), developer=developer, start=start, end=end, price=price)
    return out.assign(formula="list-price jevons (too few scored models)")


# --------------------------------------------------------------------------- result


@dataclass(frozen=True, kw_only=True, eq=False, repr=False)
class JevonsResult(Result):
    """Jevons accounting, elasticities (or why not), usage shares and effective prices.

    Attributes
    ----------
    accounting : DataFrame
        Per firm × interval: ``series, start, end, years, dln_tokens, dln_price, dln_spend, n_models_start,
        n_models_end, price_formula``; an ``all`` row spans first → last statement.
    elasticities : DataFrame
        One row per firm and one pooled: tidy ``term, estimate, std_error, statistic, p_value, conf_low,
        conf_high, n, df, identification, reason`` (``reason`` set where not computed).
    share_vs_price : DataFrame
        OpenRouter ranked models: ``model_id, author, tier, open_weights, token_share_pct, price_usd_per_mtok,
        relative_price`` (to the tier's median price among ranked models).
    share_vs_price_slope : ElasticityEstimate
        Descriptive cross-model slope of ln token share on ln relative price, tier fixed effects.
    effective_vs_list : DataFrame
        ``group, level, measure, n, median, geo_mean, q25, q75`` of effective ÷ list price.
    effective_matches : DataFrame
        The matched models behind it.
    implied : DataFrame
        Per firm (first → last statement): ``dln_price`` and observed ``dln_tokens``, and
        the ``dln_tokens`` each published elasticity would imply for that price change
        (``implied_within_model`` = −1.1 × Δln p; ``implied_market_low/high`` = −0.07 / −0.05
        × Δln p), with ``residual_within_model`` (observed − implied: demand shifts the
        elasticity does not explain).
    published : tuple of Reference
        The two published elasticities, with definitions.
    """

    accounting: pd.DataFrame
    elasticities: pd.DataFrame
    share_vs_price: pd.DataFrame
    share_vs_price_slope: ElasticityEstimate
    effective_vs_list: pd.DataFrame
    effective_matches: pd.DataFrame
    implied: pd.DataFrame = field(default_factory=pd.DataFrame)
    published: tuple[Reference, ...] = field(default_factory=_published)
    title: str = "Jevons: tokens, prices and spend (accounting), elasticities and effective prices"

    def published_frame(self) -> pd.DataFrame:
        """The published elasticities with what each measures."""
        defs = {"nber_w34608.elasticity": "within-model short-run elasticity: price differences across providers "
                                          "of the same model (substitution between providers)",
                "openrouter_a16z2026.market_response": "market-level usage response to price (closer to Jevons)"}
        return pd.DataFrame([{"term": r.key, "published": r.display(), "definition": defs.get(r.key, r.claim),
                              "citation": r.citation} for r in self.published])

    keys = ("part", "series", "group", "level", "measure", "start", "end")

    def wide(self) -> pd.DataFrame:
        """Every part stacked, keyed by ``part``, each with its own columns (``to_frame()`` is its tidy form)."""
        a = self.accounting.melt(id_vars=["series", "start", "end"], value_vars=["dln_tokens", "dln_price",
                                 "dln_spend"], var_name="term", value_name="estimate")
        a.insert(0, "part", "a_accounting")
        e = self.elasticities.assign(part="b_elasticity")
        s = self.share_vs_price_slope.wide().assign(part="c_share_vs_relative_price")
        f = self.effective_vs_list.rename(columns={"median": "estimate"}).assign(
            term=lambda d: d["measure"] + " | " + d["group"] + "=" + d["level"].astype(str), part="d_effective_vs_list")
        imp = (self.implied.melt(id_vars=["series", "start", "end"], value_vars=[
            c for c in self.implied.columns if c.startswith(("implied_", "residual_"))], var_name="term",
            value_name="estimate").assign(part="e_implied") if len(self.implied) else pd.DataFrame())
        pub = self.published_frame().assign(part="published")
        pub["estimate"] = [r.value if isinstance(r.value, float) else float(np.mean(r.value)) for r in self.published]
        return pd.concat([a, e, s, f, imp, pub], ignore_index=True, sort=False)

    def summary(self, fmt: SummaryFormat = "text") -> str:
        sep = "" if fmt == "html" else "\n\n"
        parts = [
            render_table(self.accounting, f"{self.title} — (a) accounting per firm", [], fmt),
            render_table(self.elasticities, "(b) log-log elasticities (or why not)", [], fmt),
            render_table(self.share_vs_price_slope.wide(), "(c) OpenRouter token share vs relative price "
                         "(descriptive)", [], fmt),
            render_table(self.effective_vs_list, "(d) effective ÷ list price", [], fmt),
            render_table(self.implied, "(e) what each published elasticity would imply for our price changes",
                         [], fmt),
            render_table(self.published_frame(), "Published elasticities", self._notes(), fmt),
        ]
        return sep.join(parts)

    def __repr__(self) -> str:
        return (f"JevonsResult({self.accounting['series'].nunique()} firms, "
                f"{int((self.elasticities['reason'] == '').sum())} elasticities computed)")


# --------------------------------------------------------------------------- (c) and (d)


def week_end_rankings(rankings: pd.DataFrame) -> pd.DataFrame:
    """Ranked models' token counts at the last snapshot of each rankings week."""
    m = rankings[rankings["section"] == "models"].copy()
    m["snapshot_date"] = pd.to_datetime(m["snapshot_date"])
    tot = m.groupby("snapshot_date")["tokens"].sum()
    # week-to-date counts reset when a week starts: the last snapshot before a drop closes a week
    dates = tot.index.sort_values()
    ends = [d for d, nxt in zip(dates[:-1], dates[1:], strict=True) if tot[nxt] < tot[d]] + [dates[-1]]
    return m[m["snapshot_date"].isin(ends)]


def _listed_openrouter(openrouter_daily: pd.DataFrame) -> pd.DataFrame:
    o = openrouter_daily.copy()
    o["input"] = pd.to_numeric(o["pricing_prompt_usd_per_token"], errors="coerce") * 1e6
    o["output"] = pd.to_numeric(o["pricing_completion_usd_per_token"], errors="coerce") * 1e6
    o = o[(o["input"] > 0) & (o["output"] > 0)]
    o = o.sort_values("snapshot_date").groupby("canonical_slug").tail(1)
    o["price"] = BLEND_INPUT_WEIGHT * o["input"] + (1 - BLEND_INPUT_WEIGHT) * o["output"]
    return o[["id", "canonical_slug", "price", "snapshot_date"]]


def _panel_attributes(panel: pd.DataFrame) -> pd.DataFrame:
    """tier and open_weights per OpenRouter id (from the panel's OpenRouter rows)."""
    q = panel[panel["provider"].astype("string") == "openrouter"].copy()
    q["or_id"] = q["source_key"].astype(str).str.replace("^openrouter/", "", regex=True)
    cols = [c for c in ("tier", "open_weights", "model_id", "developer") if c in q.columns]
    return q.sort_values("valid_from").groupby("or_id")[cols].last()


def share_vs_relative_price(rankings: pd.DataFrame, openrouter_daily: pd.DataFrame, panel: pd.DataFrame
                            ) -> tuple[pd.DataFrame, ElasticityEstimate]:
    """OpenRouter token shares of ranked models against price relative to their tier (descriptive)."""
    w = week_end_rankings(rankings)
    w = w[~w["model_id"].astype(str).str.endswith(":free")]
    share = (w.groupby("model_id")["tokens"].sum() / w["tokens"].sum() * 100).rename("token_share_pct")
    author = w.groupby("model_id")["author"].first()
    listed = _listed_openrouter(openrouter_daily).set_index("canonical_slug")
    attrs = _panel_attributes(panel)
    df = pd.DataFrame({"token_share_pct": share, "author": author})
    df["or_id"] = listed["id"].reindex(df.index)
    df["price_usd_per_mtok"] = listed["price"].reindex(df.index)
    df["price_date"] = listed["snapshot_date"].reindex(df.index)
    df = df.join(attrs[["tier", "open_weights"]], on="or_id")
    df = df.reset_index().rename(columns={"index": "model_id"})
    ok = df["price_usd_per_mtok"].notna() & df["tier"].notna()
    med = df[ok].groupby("tier")["price_usd_per_mtok"].median()
    df["relative_price"] = df["price_usd_per_mtok"] / df["tier"].map(med).astype(float)
    df = df.sort_values("token_share_pct", ascending=False).reset_index(drop=True)
    d = df[ok & df["relative_price"].notna()]
    slope = log_log_elasticity(d["token_share_pct"], d["relative_price"], groups=d["tier"].astype(str),
                               term="ln token share on ln price relative to tier median (OpenRouter)",
                               identification="cross-section of ranked models within tier (developer positioning); "
                                              "descriptive — quality, routing, free tiers and launch timing differ")
    return df, slope


def effective_vs_list(effective: pd.DataFrame, panel: pd.DataFrame, *, on: str = EFFECTIVE_PRICE_DATE,
                      max_gap_days: int = MAX_LIST_GAP_DAYS) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Share of the list price buyers pay on OpenRouter, by tier and open vs closed weights.

    Effective prices (``weighted_*`` of the pacell table, ``:batch`` and ``:free`` rows
    left out) are matched to the panel's OpenRouter list price in effect on ``on`` or,
    failing that, last observed at most ``max_gap_days`` earlier. Effective input
    prices count cached prompt tokens, so they sit below list by the cache discount.

    Examples
    --------
    >>> eff = pd.DataFrame({"model_id": ["a/m"], "variant": ["standard"], "weighted_input_usd_per_mtok": [0.5],
    ...                     "weighted_output_usd_per_mtok": [2.0], "weighted_cache_hit_rate": [0.4]})
    >>> pan = pd.DataFrame({"provider": ["openrouter"], "source_key": ["a/m"], "model_id": ["m"], "tier": ["mid"],
    ...                     "open_weights": [True], "valid_from": [pd.Timestamp("2026-01-01")],
    ...                     "valid_to": [pd.Timestamp("2026-08-20")], "input_usd_per_mtok": [1.0],
    ...                     "output_usd_per_mtok": [2.0]})
    >>> s, m = effective_vs_list(eff, pan)
    >>> s.loc[(s.group == "all") & (s.measure == "input"), "median"].item()
    0.5
    """
    need = {"model_id", "variant", "weighted_input_usd_per_mtok", "weighted_output_usd_per_mtok"}
    if not need <= set(effective.columns):
        raise InputError(f"effective prices need columns {sorted(need)}; got {list(effective.columns)}.")
    at = pd.Timestamp(on)
    e = effective[effective["variant"].astype(str) == "standard"].copy()
    e = e[(e["weighted_input_usd_per_mtok"] > 0) & (e["weighted_output_usd_per_mtok"] > 0)]
    q = panel[panel["provider"].astype("string") == "openrouter"].copy()
    q["or_id"] = q["source_key"].astype(str).str.replace("^openrouter/", "", regex=True)
    q = q[(pd.to_datetime(q["valid_from"]) <= at)]
    q = q[pd.to_datetime(q["valid_to"]).fillna(at) >= at - pd.Timedelta(days=max_gap_days)]
    q = q.dropna(subset=["input_usd_per_mtok", "output_usd_per_mtok"])
    q = q[(q["input_usd_per_mtok"] > 0) & (q["output_usd_per_mtok"] > 0)]
    last = q.sort_values("valid_from").groupby("or_id").tail(1).set_index("or_id")
    m = e.join(last[["model_id", "tier", "open_weights", "input_usd_per_mtok", "output_usd_per_mtok", "valid_to"]]
               .rename(columns={"model_id": "panel_model_id"}), on="model_id", how="inner")
    m["gap_days"] = (at - pd.to_datetime(m["valid_to"]).fillna(at)).dt.days.clip(lower=0)
    m["input_ratio"] = m["weighted_input_usd_per_mtok"] / m["input_usd_per_mtok"]
    m["output_ratio"] = m["weighted_output_usd_per_mtok"] / m["output_usd_per_mtok"]
    w = BLEND_INPUT_WEIGHT
    m["blended_ratio"] = ((w * m["weighted_input_usd_per_mtok"] + (1 - w) * m["weighted_output_usd_per_mtok"])
                          / (w * m["input_usd_per_mtok"] + (1 - w) * m["output_usd_per_mtok"]))
    m["weights"] = m["open_weights"].map({True: "open", False: "closed"})
    rows = []
    for group, col in (("all", None), ("tier", "tier"), ("weights", "weights")):
        grouped = [("all", m)] if col is None else [(k, g) for k, g in m.groupby(col, dropna=True)]
        for lvl, g in grouped:
            for meas in ("input", "output", "blended"):
                v = g[f"{meas}_ratio"].replace([np.inf, -np.inf], np.nan).dropna()
                v = v[v > 0]
                rows.append({"group": group, "level": str(lvl), "measure": meas, "n": int(len(v)),
                             "median": float(v.median()) if len(v) else math.nan,
                             "geo_mean": float(np.exp(np.log(v).mean())) if len(v) else math.nan,
                             "q25": float(v.quantile(0.25)) if len(v) else math.nan,
                             "q75": float(v.quantile(0.75)) if len(v) else math.nan})
    keep = ["model_id", "panel_model_id", "tier", "weights", "weighted_input_usd_per_mtok",
            "weighted_output_usd_per_mtok", "weighted_cache_hit_rate", "input_usd_per_mtok", "output_usd_per_mtok",
            "gap_days", "input_ratio", "output_ratio", "blended_ratio"]
    return pd.DataFrame(rows), m.reindex(columns=keep).reset_index(drop=True)


def implied_by_published(accounting: pd.DataFrame) -> pd.DataFrame:
    """What each published elasticity would imply for a firm's observed price change (first → last statement).

    Reads the elasticities from :mod:`llmflation.study.paper` (NBER w34608 within-model −1.1;
    arXiv:2601.10088 market level −0.07 to −0.05); never returns them as ours.

    Examples
    --------
    >>> acc = pd.DataFrame({"series": ["X"], "interval": ["consecutive"], "start": ["2024-01-01"],
    ...                     "end": ["2025-01-01"], "dln_tokens": [3.0], "dln_price": [-1.0]})
    >>> implied_by_published(acc)[["implied_within_model", "implied_market_low"]].values.tolist()
    [[1.1, 0.07]]
    """
    from llmflation.study.paper import ref

    cols = ["series", "start", "end", "dln_price", "dln_tokens", "implied_within_model", "implied_market_low",
            "implied_market_high", "residual_within_model", "residual_market"]
    if accounting.empty:
        return pd.DataFrame(columns=cols)
    within = float(ref("nber_w34608.elasticity").value)
    m_lo, m_hi = (float(x) for x in ref("openrouter_a16z2026.market_response").value)
    rows = []
    for s, g in accounting.groupby("series", sort=False):
        span = g[g["interval"] == "first→last"]
        r = (span if len(span) else g).iloc[-1] if len(g) else None
        if r is None:
            continue
        dlp, dlt = float(r["dln_price"]), float(r["dln_tokens"])
        rows.append({"series": s, "start": r["start"], "end": r["end"], "dln_price": dlp, "dln_tokens": dlt,
                     "implied_within_model": within * dlp, "implied_market_low": m_lo * dlp,
                     "implied_market_high": m_hi * dlp, "residual_within_model": dlt - within * dlp,
                     "residual_market": dlt - 0.5 * (m_lo + m_hi) * dlp})
    return pd.DataFrame(rows, columns=cols)


# --------------------------------------------------------------------------- public API


@validated
def jevons(panel: Annotated[pd.DataFrame, Frame(what="a pandas DataFrame (llmflation.load_panel())")], *,
           token_volume: Annotated[pd.DataFrame, Frame(columns=("date", "company", "metric", "value"),
                                                       what="a pandas DataFrame (the bundled token_volume table)")],
           rankings: Annotated[pd.DataFrame, Frame(what="a pandas DataFrame (the bundled openrouter_rankings table)")],
           openrouter_daily: Annotated[pd.DataFrame, Frame(what="a pandas DataFrame (the bundled openrouter_daily "
                                                                "table)")],
           effective_prices: Annotated[pd.DataFrame, Frame(what="a pandas DataFrame (the bundled effective-price "
                                                                "table)")],
           min_statements: Annotated[int, Range(ge=2)] = MIN_STATEMENTS, min_obs: Annotated[int, Range(ge=3)] = MIN_OBS,
           price: str = "blended_usd_per_mtok", effective_date: DateLike = EFFECTIVE_PRICE_DATE,
           level: Level = 0.95, price_basis: Literal["quality_adjusted", "list"] = "quality_adjusted",
           min_price_sd: Annotated[float, Range(ge=0)] = MIN_PRICE_SD) -> JevonsResult:
    """Jevons accounting per firm, elasticities where the data allow, usage shares, effective prices.

    Parameters
    ----------
    panel : DataFrame
        Canonical panel (prices, tiers, open weights).
    token_volume, rankings, openrouter_daily, effective_prices : DataFrame
        Bundled ``token_volume``, ``openrouter_rankings``, ``openrouter_daily`` and
        ``openrouter_effective_prices`` tables (``StudyInputs`` gives them).
    min_statements : int
        Fewest dated statements on one basis for a firm's accounting rows.
    min_obs : int
        Fewest points for a log-log elasticity with a robust interval.
    effective_date : str
        Day the effective prices were taken.
    price_basis : {"quality_adjusted", "list"}
        The firm's price: its quality-adjusted index (:func:`firm_quality_adjusted_index`,
        default; it falls with the Gemini 1.5 Flash and Pro cuts of 2024) or the chained
        list-price index over all its listed ids (:func:`firm_price_index`, the issue-14
        measure, which stays flat through them).
    min_price_sd : float
        An elasticity is estimated only where the s.d. of log price across the firm's
        statement dates (pooled: within firms) is at least this; otherwise the row says
        "not identified" and the accounting stands alone.

    Returns
    -------
    JevonsResult

    Examples
    --------
    >>> import llmflation as lf
    >>> from llmflation.sources.bundled import load_table as t
    >>> r = lf.jevons(lf.load_panel(), token_volume=t("token_volume"), rankings=t("openrouter_rankings"),
    ...               openrouter_daily=t("openrouter_daily"),
    ...               effective_prices=t("openrouter_effective_prices"))  # doctest: +SKIP
    >>> r.elasticities[["term", "estimate", "reason"]]  # doctest: +SKIP
    """
    from llmflation.validate import check_column_name

    check_column_name(panel, price, "price")
    vol = volume_series(token_volume)
    counts = vol.groupby("series").size()
    kept = counts[counts >= min_statements].index
    notes = [f"(a) firms with at least {min_statements} dated statements on one basis: "
             f"{', '.join(kept) or 'none'}; fewer: {', '.join(counts[counts < min_statements].index) or 'none'}."]
    acc_rows, el_rows, pooled = [], [], []
    for s in kept:
        v = vol[vol["series"] == s].reset_index(drop=True)
        spec = FIRM_PANEL.get(str(v["company"].iloc[0]))
        if spec is None:
            notes.append(f"{s}: no panel mapping for this company; skipped.")
            continue
        try:
            lo_d, hi_d = v["date"].min() - pd.DateOffset(months=1), v["date"].max()
            if price_basis == "quality_adjusted" and "developer" in spec:
                idx = firm_quality_adjusted_index(panel, developer=spec["developer"], start=lo_d, end=hi_d,
                                                  price=price)
            else:
                idx = firm_price_index(panel, price=price, start=lo_d, end=hi_d, **spec)
        except InputError as exc:
            notes.append(f"{s}: no price index ({exc}).")
            continue
        ix = idx.set_index("month")
        v["month"] = v["date"].dt.to_period("M")
        v["price_index"] = ix["index"].reindex(v["month"]).to_numpy()
        v["n_models"] = ix["n_models"].reindex(v["month"]).to_numpy()
        v = v.dropna(subset=["price_index"])
        if len(v) < 2:
            notes.append(f"{s}: the price index does not cover the statement dates.")
            continue
        pairs = [(i, i + 1) for i in range(len(v) - 1)] + ([(0, len(v) - 1)] if len(v) > 2 else [])
        for i, j in pairs:
            a, b = v.iloc[i], v.iloc[j]
            forms = set(idx[(idx["month"] > a["month"]) & (idx["month"] <= b["month"])]["formula"])
            dlt = math.log(b["tokens_per_day"] / a["tokens_per_day"])
            dlp = math.log(b["price_index"] / a["price_index"])
            acc_rows.append({"series": s, "interval": "first→last" if (j - i) > 1 else "consecutive",
                             "start": a["date"].date(), "end": b["date"].date(),
                             "years": (b["date"] - a["date"]).days / 365.25, "dln_tokens": dlt, "dln_price": dlp,
                             "dln_spend": dlt + dlp, "n_models_start": int(a["n_models"]),
                             "n_models_end": int(b["n_models"]),
                             "price_formula": ", ".join(sorted(forms)) or "base"})
        ident = (f"co-movement over time of {s}'s log tokens per day and its own price index; demand shifts "
                 "at the same time, so not a demand elasticity")
        term = f"{s}: ln tokens on ln own price index"
        sd = float(np.log(v["price_index"].to_numpy(float)).std(ddof=1)) if len(v) > 1 else 0.0
        if sd < min_price_sd:
            e = ElasticityEstimate.not_computed(term, f"not identified: s.d. of log price across the statements "
                                                f"{sd:.3f} < {min_price_sd} (price barely moves)", n=len(v),
                                                identification=ident)
        else:
            e = log_log_elasticity(v["tokens_per_day"], v["price_index"], min_obs=min_obs, level=level,
                                   term=term, identification=ident)
        el_rows.append(e.wide().assign(price_sd=sd))
        pooled.append(v.assign(series=s))
    if pooled:
        pv = pd.concat(pooled, ignore_index=True)
        lp = np.log(pv["price_index"].to_numpy(float))
        within = lp - pd.Series(lp).groupby(pv["series"].to_numpy()).transform("mean").to_numpy()
        sd = float(within.std(ddof=1)) if len(within) > 1 else 0.0
        term = "pooled, firm fixed effects: ln tokens on ln own price index"
        ident = ("within-firm co-movement over time across firms (firm fixed effects); capability, free surfaces, "
                 "agents and reasoning tokens shift demand at the same time: descriptive, not an identified elasticity")
        if sd < min_price_sd:
            e = ElasticityEstimate.not_computed(term, f"not identified: within-firm s.d. of log price {sd:.3f} < "
                                                f"{min_price_sd} (price barely moves)", n=len(pv),
                                                identification=ident)
        else:
            e = log_log_elasticity(pv["tokens_per_day"], pv["price_index"], groups=pv["series"], min_obs=min_obs,
                                   level=level, term=term, identification=ident)
        el_rows.append(e.wide().assign(price_sd=sd))
    accounting = pd.DataFrame(acc_rows)
    implied = implied_by_published(accounting)
    elasticities = (pd.concat(el_rows, ignore_index=True) if el_rows
                    else ElasticityEstimate.not_computed("elasticity", "no firm has enough statements").wide())
    notes.append(f"(b) an elasticity only where price moves: s.d. of log price across a firm's statements (pooled: "
                 f"within firms) >= {min_price_sd}, else 'not identified'; and at least {min_obs} points and 5 "
                 "residual df for a robust (HC1) interval; rows below either say so in 'reason'.")
    notes.append("Firm price: " + ("quality-adjusted index of the firm's first-party canonical models (chained "
                                   "adjacent-period time-dummy on ECI; list-price Jevons where a firm has fewer than "
                                   f"{MIN_FIRM_MODELS} scored models, and for OpenRouter)." if price_basis ==
                                   "quality_adjusted" else "chained list-price index over the firm's listed ids."))
    svp, slope = share_vs_relative_price(rankings, openrouter_daily, panel)
    notes.append("(c) OpenRouter ranked models (top 9 per snapshot, last snapshot of each rankings week, :free "
                 "variants left out): share of the ranked models' tokens against listed blended price (3:1) relative "
                 "to the median of ranked models in the same tier (developer positioning stands in for capability); "
                 "descriptive.")
    eff, matches = effective_vs_list(effective_prices, panel, on=effective_date)
    gap = int(matches["gap_days"].max()) if len(matches) else 0
    notes.append(f"(d) effective prices taken on or after {effective_date}; {len(matches)} standard variants matched "
                 f"to the panel's OpenRouter list price (last observed up to {gap} days before that date; batch rows "
                 "are not prices and free rows are zero, both left out). Effective input includes cached tokens.")
    notes.extend(CAVEATS)
    notes.append("Published: within-model elasticity ≈ −1.1 (NBER w34608, across providers of one model) and "
                 "market-level ≈ −0.05 to −0.07 (arXiv:2601.10088); they differ ~20×, and the market-level one "
                 "is the one that speaks to Jevons.")
    vintage = data_vintage(panel, token_volume, rankings, openrouter_daily, effective_prices,
                           default="bundled snapshot")
    return JevonsResult(accounting=accounting, elasticities=elasticities, share_vs_price=svp,
                        share_vs_price_slope=slope, effective_vs_list=eff, effective_matches=matches,
                        implied=implied,
                        config={"min_statements": min_statements, "min_obs": min_obs, "price": price,
                                "effective_date": effective_date, "level": level, "price_basis": price_basis,
                                "min_price_sd": min_price_sd},
                        vintage=vintage, notes=tuple(notes), references=_published())
