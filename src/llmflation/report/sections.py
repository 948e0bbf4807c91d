"""Report sections, in the order of the study's argument: data first, then one section per question.

Each analysis section is a :class:`Spec`: a function ``(inputs) -> (result, claims)`` that
runs one question of :class:`~llmflation.study.api.Study` on
:class:`~llmflation.study.inputs.StudyInputs` (the bundle merged with the store; the
wiring of data to questions lives in ``Study``, shared with the CLI and notebooks) and states, as :class:`~llmflation.report.render.Claim` objects, which of
the result's own reference figures (``result.reference_figure(key)``, from
:mod:`llmflation.study.paper`) it reports beside ours; ``plot`` draws the result
(:mod:`llmflation.report.figures`), ``finding`` turns it into a key-finding sentence. Every
number printed goes through :mod:`llmflation.report.numbers`. Nothing here registers
itself or keeps state: :data:`REPORT` is the list.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from llmflation.panel.build import exclusions
from llmflation.panel.coverage import by_source, coverage
from llmflation.report import figures as fg
from llmflation.report import numbers as nb
from llmflation.report.render import Claim, Section, Table, figure
from llmflation.study.api import Study
from llmflation.study.inputs import StudyInputs

Built = tuple[Any, list[Claim]]
#: What a view returns: one frame (captioned with the result's title) or captioned frames.
View = Callable[[Any], "pd.DataFrame | list[tuple[str, pd.DataFrame]]"]


@dataclass(frozen=True)
class Spec:
    """One section: id, title, text, the analysis, its figure, the tables shown and its key finding."""

    id: str
    title: str
    run: Callable[[StudyInputs], Built]
    text: str = ""
    plot: Callable[[Any], tuple[Any, str]] | None = None
    view: View | None = None  # default: the result's wide()
    finding: Callable[[Any], str | None] | None = None
    no_figure: str = ""  # why there is no figure (when plot is None)


@dataclass(frozen=True)
class DataSpec:
    """A section describing the data or the methods (no result object)."""

    id: str
    run: Callable[[StudyInputs], Section]


def _row(frame: pd.DataFrame, **match: Any) -> pd.Series | None:
    m = pd.Series(True, index=frame.index)
    for k, v in match.items():
        m &= frame[k] == v
    return frame[m].iloc[0] if m.any() else None


def _ci(row: Any, *, unit: str = "", kind: str = "num") -> str:
    if kind == "factor":
        return nb.factor_ci(row["estimate"], row["conf_low"], row["conf_high"])
    return nb.est_ci(row["estimate"], row["conf_low"], row["conf_high"], unit=unit)


# ----------------------------------------------------------------------- data


def coverage_section(inputs: StudyInputs) -> Section:
    panel = inputs.panel()
    s = Section("coverage", "Data and coverage",
                text=(f"{nb.num(len(panel), 6)} price intervals for {nb.num(panel['model_id'].nunique(), 6)} models "
                      f"from {panel['source'].nunique()} dated sources, {panel['valid_from'].min().date()} → "
                      f"{panel['valid_to'].max().date()}. A row is one model × provider × price interval × source; "
                      "first-party prices are preferred where a study needs one price per model."))
    s.figures.append(figure(*fg.coverage_by_quarter(panel)))
    s.figures.append(figure(*fg.milestones(panel)))
    s.tables += [Table("Coverage", coverage(panel)), Table("By source", by_source(panel)),
                 Table("Excluded price rows (data-quality guards)", exclusions())]
    s.notes.append(f"Inputs: {inputs.describe()}")
    return s


# ----------------------------------------------------------------------- price dynamics


def trend(inputs: StudyInputs) -> Built:
    r = Study.from_inputs(inputs).price_trend(by="tier", n_boot=1000, seed=0)
    f = r.to_frame()
    claims = []
    for tier in ("economy", "mid"):
        h = _row(f, group=tier, term="half_life_years")
        if h is not None:
            claims.append(Claim.of(r.reference_figure(f"du2026.half_life.{tier}"), _ci(h, unit=" y"),
                                   f"positioning tiers, n = {int(h['n'])}, {h['start_date']} → {h['end_date']}"))
    h = _row(f, group="flagship", term="half_life_years")
    if h is not None:
        claims.append(Claim.of(r.reference_figure("du2026.r_squared.flagship"), nb.num(h["r_squared"], 2),
                               "positioning tiers"))
    return r, claims


def _trend_view(r: Any) -> pd.DataFrame:
    return pd.concat([g.wide() for g in r.groups], ignore_index=True)


def _trend_finding(r: Any) -> str | None:
    g = next((g for g in r.groups if g.group == "economy"), None)
    if g is None:
        return None
    lo, hi = g.half_life_ci
    return (f"Economy-tier prices halve every {nb.est_ci(g.half_life_years, lo, hi, unit=' y', sig=2)} "
            f"(developer-positioning tiers, {nb.num(g.n)} dated prices); the one-sided test that they fall no "
            f"faster than Moore's law gives p = {nb.pvalue(g.moore.p_value)}.")


def decline(inputs: StudyInputs) -> Built:
    r = Study.from_inputs(inputs).total_decline(start="2020-01-01", end="2026-03-28")
    f = r.wide().set_index("term")
    ref = r.reference_figure("du2026.total_decline")
    claims = []
    for term, label in (("endpoint", "endpoint ratio"), ("trend", "pooled trend"),
                        ("constant_capability", "constant capability (ECI), endpoint"),
                        ("constant_capability_trend", "constant capability (ECI), trend")):
        if term in f.index:
            row = f.loc[term]
            claims.append(Claim.of(ref, _ci(row, kind="factor"), nb.humanize(str(row["note"])[:120]),
                                   claim=f"{ref.claim} ({label})"))
    return r, claims


def _decline_finding(r: Any) -> str | None:
    t = r.table.set_index("definition")
    if "constant_capability_trend" not in t.index:
        return None
    row = t.loc["constant_capability_trend"]
    return (f"At constant capability (ECI level) the price fell {nb.factor_ci(row['factor'], row['conf_low'], row['conf_high'])} "
            f"from {pd.Timestamp(row['start_date']).date()} to {pd.Timestamp(row['end_date']).date()}, "
            f"against an endpoint ratio of {nb.factor(t.loc['endpoint', 'factor'])} over the whole window.")


def threshold(inputs: StudyInputs) -> Built:
    r = Study.from_inputs(inputs).epoch_reproduction()
    f = r.wide()
    claims = []
    if "reference_factor" in f:
        ok = ((f["estimate"] / f["reference_factor"] - 1).abs() <= 0.10).sum()
        claims.append(Claim.of(r.reference_figure("epoch2025.n_thresholds"), str(int(ok)),
                               "end to end from raw price and benchmark tables"))
        claims.append(Claim.of(r.reference_figure("epoch2025.median_factor"), nb.factor(float(f["estimate"].median())),
                               "median of the 21 thresholds"))
    return r, claims


def anchors(inputs: StudyInputs) -> Built:
    return Study.from_inputs(inputs).gpt35_level_decline(), []


def rates_since_cutoff(inputs: StudyInputs) -> Built:
    r = Study.from_inputs(inputs).rates_since_cutoff(benchmark="GPQA Diamond")
    med = r.medians()
    ref = r.reference_figure("epoch2025.median_factor")
    return r, [Claim.of(ref, f"{nb.factor(med['before'])} / {nb.factor(med['after'])}",
                        "our panel prices, same thresholds in both periods; few points after the cut-off",
                        claim="Median constant-capability decline, GPQA Diamond: before / after Feb 2025",
                        paper=f"(Epoch: {ref.display().removesuffix(' (Epoch AI)')} to Feb 2025)")]


def a16z(inputs: StudyInputs) -> Built:
    return Study.from_inputs(inputs).a16z_series()[42.0], []


def premium(inputs: StudyInputs) -> Built:
    r = Study.from_inputs(inputs).reasoning_premium()
    f = r.wide().set_index("term")
    ref = r.reference_figure("du2026.reasoning_premium")
    claims = []
    for term in ("raw", "matched", "raw_arithmetic", "matched_arithmetic"):
        if term in f.index:
            claims.append(Claim.of(ref, _ci(f.loc[term], kind="factor"), str(f.loc[term, "method"]),
                                   claim=f"Reasoning premium ({term})"))
    return r, claims


def _premium_finding(r: Any) -> str | None:
    e = r.estimates.set_index("term")
    if "regression" not in e.index:
        return None
    row = e.loc["regression"]
    ref = r.reference_figure("du2026.reasoning_premium")
    return (f"Per token, reasoning models cost {nb.factor_ci(row['estimate'], row['conf_low'], row['conf_high'])} "
            f"as much as other models of the same developer and release quarter, far from the paper's "
            f"{ref.display()} (per task, reasoning tokens change the picture: see the per-task section).")


def cost_per_task(inputs: StudyInputs) -> Built:
    r = Study.from_inputs(inputs).cost_vs_price_trends()
    return r, [Claim("Per-task cost decline ÷ per-token price decline (geometric mean)", "(not in the paper)",
                     nb.num(r.geomean_ratio), "< 1: cost per task falls slower than price per token")]


def breaks(inputs: StudyInputs) -> Built:
    r = Study.from_inputs(inputs).llm_price_breaks()
    f = r.wide()
    claims = []
    chow = f[(f["series"] == "milestones") & (f["test"] == "chow (ols)")]
    if len(chow):
        row = chow.iloc[0]
        claims.append(Claim.of(r.reference_figure("du2026.chow"),
                               f"F = {nb.num(row['statistic'])}, p = {nb.pvalue(row['p_value'])}, F{row['df']}",
                               f"{row['series']}: {row['model']}, n = {row['n']}"))
    sup = f[(f["series"] == "milestones") & (f["test"] == "sup-F (ols)")]
    if len(sup):
        row = sup.iloc[0]
        claims.append(Claim("Break date found from the data", "(not tested)",
                            f"{row['break_at']} (sup-F p = {nb.pvalue(row['p_value'])})", "Andrews sup-F",
                            r.reference_figure("du2026.chow").citation))
    return r, claims


def _breaks_finding(r: Any) -> str | None:
    f = r.wide()
    chow = f[(f["series"] == "milestones") & (f["test"] == "chow (ols)")]
    sup = f[(f["series"] == "milestones") & (f["test"] == "sup-F (ols)")]
    if not len(chow) or not len(sup):
        return None
    c, s = chow.iloc[0], sup.iloc[0]
    return (f"On the milestone series the Chow test at the paper's date gives F = {nb.num(c['statistic'])} "
            f"(p = {nb.pvalue(c['p_value'])}, n = {int(c['n'])}); searching over all dates puts the break at "
            f"{s['break_at']} (sup-F p = {nb.pvalue(s['p_value'])}).")


# ----------------------------------------------------------------------- supply side


def decomposition(inputs: StudyInputs) -> Built:
    r = Study.from_inputs(inputs).cost_decomposition()
    f = r.wide().set_index("term")
    return r, [
        Claim.of(r.reference_figure("du2026.tfp_share"), nb.share(f.loc["tfp_residual", "share_pct"], scale=100),
                 f"log change {r.start}→{r.end}"),
        Claim.of(r.reference_figure("du2026.gpu_share"),
                 nb.share(f.loc["gpu_hardware (rental + price-performance)", "share_pct"], scale=100),
                 "GPU rental price + hardware price-performance"),
    ]


def malmquist(inputs: StudyInputs) -> Built:
    r = Study.from_inputs(inputs).llm_malmquist()
    f = r.wide()
    main = f[(f["window"].str.contains("chained")) & (f["spec"] == f["spec"].iloc[0])].set_index("measure")
    how = f"{f['spec'].iloc[0]}, chained quarterly"
    return r, [Claim.of(r.reference_figure("du2026.malmquist_2024"), nb.num(main.loc["tfpch", "estimate"]), how),
               Claim.of(r.reference_figure("du2026.techch_2024"), nb.num(main.loc["techch", "estimate"]), how)]


def elasticity(inputs: StudyInputs) -> Built:
    r = Study.from_inputs(inputs).elasticity()
    row = r.wide().set_index("term").loc["log_training_cost"]
    return r, [Claim.of(r.reference_figure("du2026.elasticity"), _ci(row), f"n = {r.n}, robust SE")]


def _elasticity_view(r: Any) -> list[tuple[str, pd.DataFrame]]:
    """The paper's controlled model, then the small-sample view: bivariate and controlled
    slopes with HC3 intervals (singleton year dummies merged, so no interval is infinite)."""
    from llmflation.errors import InputError
    from llmflation.study.elasticity import elasticity_small_sample

    out = [(f"ln price on ln training cost with year effects and controls ({r.cov_type}; n = {r.n})", r.wide())]
    try:
        small = elasticity_small_sample(r.sample)
    except InputError as e:
        small = pd.DataFrame({"note": [f"small-sample view not computed: {e}"]})
    out.insert(0, (f"Elasticity with n = {r.n} models: bivariate and controlled, HC3 intervals", small))
    return out


def _elasticity_finding(r: Any) -> str | None:
    row = r.coefficients.set_index("term").loc["log_training_cost"]
    return (f"The elasticity of launch price to training cost is {_ci(row)} (n = {r.n} models with both, "
            f"{r.cov_type} errors): too few models to tell it from zero.") if row["conf_low"] < 0 < row["conf_high"] \
        else f"The elasticity of launch price to training cost is {_ci(row)} (n = {r.n} models, {r.cov_type} errors)."


def us_china(inputs: StudyInputs) -> Built:
    r = Study.from_inputs(inputs).us_china(n_boot=1000, seed=0)
    f = r.wide().set_index("term")
    g = f.loc["training_cost_gap_us_over_china"]
    return r, [
        Claim.of(r.reference_figure("du2026.us_china_gap"), _ci(g, kind="factor"),
                 "ratio of geometric means, bootstrap 95% CI"),
        Claim.of(r.reference_figure("du2026.usd_per_flop_p"), nb.pvalue(f.loc["welch_t_ln_usd_per_flop", "p_value"]),
                 "Welch t on ln $/FLOP"),
    ]


def _us_china_finding(r: Any) -> str | None:
    lo, hi = r.cost_gap_ci
    return (f"US models' training cost is {nb.factor_ci(r.cost_gap, lo, hi)} that of Chinese models (geometric "
            f"means, {r.n_us} vs {r.n_china} models); the $/FLOP difference has Welch p = {nb.pvalue(r.welch.p_value)}.")


# ----------------------------------------------------------------------- market and society


def concentration(inputs: StudyInputs) -> Built:
    study = Study.from_inputs(inputs)
    c = study.llm_concentration()
    f = c.wide()
    m = f[f["measure"] == "openrouter_models_available"].set_index("period")
    first = m.index[m["n_firms"] >= 5][0]  # earlier quarters hold one or two surviving listings
    ours = (f"{nb.num(m.loc[first, 'hhi'], 4)} ({first}, first quarter with ≥ 5 developers) → "
            f"{nb.num(m.loc['2026Q1', 'hhi'], 4)} (2026Q1)" if "2026Q1" in m.index else "n/a")
    claims = [Claim.of(c.reference_figure("du2026.hhi"), ours,
                       "shares of priced models available on OpenRouter (listing dates; survivors only)")]
    r = study.usage_concentration()
    return r, claims


def _concentration_view(r: Any) -> list[tuple[str, pd.DataFrame]]:
    cols = [c for c in ("measure", "measures_what", "period", "n_firms", "hhi", "hhi_low", "hhi_high",
                        "equivalent_firms", "cr_1", "cr_4", "coverage_pct") if c in r.table.columns]
    return [(r.title, r.table[cols]), ("Open-weights share of tokens and of priced models", r.open_weights)]


def hedonic(inputs: StudyInputs) -> Built:
    r = Study.from_inputs(inputs).hedonic_index(seed=0)
    lo, hi = r.hedonic_ci
    mlo, mhi = r.matched_ci
    return r, [
        Claim.of(r.reference_figure("zhu2026.hedonic"), nb.est_ci(r.hedonic_log_change_per_year, lo, hi),
                 "time-dummy hedonic on ECI, quarterly"),
        Claim.of(r.reference_figure("zhu2026.matched"), nb.est_ci(r.matched_log_change_per_year, mlo, mhi),
                 "chained Jevons of models in adjacent quarters"),
    ]


def _hedonic_finding(r: Any) -> str | None:
    lo, hi = r.hedonic_ci
    mlo, mhi = r.matched_ci
    slo, shi = r.share_missed_ci
    return (f"The quality-adjusted price changes by {nb.est_ci(r.hedonic_log_change_per_year, lo, hi, ci_sig=3)} log points "
            f"a year, a matched-model index by {nb.est_ci(r.matched_log_change_per_year, mlo, mhi, ci_sig=3)}: the matched "
            f"index misses {nb.share(r.share_missed)} [{nb.share(slo)}, {nb.share(shi)}] of the fall.")


def jevons(inputs: StudyInputs) -> Built:
    return Study.from_inputs(inputs).jevons(), []


def _jevons_view(r: Any) -> list[tuple[str, pd.DataFrame]]:
    return [("Accounting: Δln tokens, Δln price, Δln spend", r.accounting),
            ("Elasticities, only where identified", r.elasticities),
            ("Published elasticities (references)", r.published_frame()),
            ("Token share vs price relative to the tier median (OpenRouter)", r.share_vs_price),
            ("Effective vs list prices (OpenRouter)", r.effective_vs_list)]


def baumol(inputs: StudyInputs) -> Built:
    return Study.from_inputs(inputs).baumol(), []


def _baumol_view(r: Any) -> list[tuple[str, pd.DataFrame]]:
    cols = [c for c in ("term", "label", "kind", "estimate", "conf_low", "conf_high", "pct_per_year", "n", "lags",
                        "relative_to_all_items", "relative_to_all_items_low", "relative_to_all_items_high", "reason")
            if c in r.rates.columns]
    return [(f"Annual log change, {r.window[0]} → {r.window[1]} (HAC 95% CI)", r.rates[cols]),
            ("One hour of a service in millions of tokens", r.hours_in_tokens),
            ("Wages of the matching occupations vs service prices", r.wages_vs_prices)]


def _baumol_finding(r: Any) -> str | None:
    t = r.rates.set_index("term")
    if "SASLE" not in t.index or "ai_index_trend" not in t.index:
        return None
    s, a = t.loc["SASLE"], t.loc["ai_index_trend"]
    return (f"From {r.window[0][:7]} to {r.window[1][:7]} core services rose by {_ci(s)} log points a year "
            f"while the AI price at constant capability changed by {_ci(a)}: a relative-price shift of Baumol's "
            "kind, without evidence that one causes the other.")


def forecast(inputs: StudyInputs) -> Built:
    return Study.from_inputs(inputs).forecast(), []


# ----------------------------------------------------------------------- robustness


def robustness(inputs: StudyInputs) -> Built:
    return Study.from_inputs(inputs).robustness(leave_one_out=False, influence=True), []


def _robustness_view(r: Any) -> list[tuple[str, pd.DataFrame]]:
    infl = r.influence
    cols = [c for c in ("claim", "target", "n_removed", "estimate_before", "estimate_after", "removed", "reason")
            if c in infl.columns]
    return [("Range of each headline over its grid of specifications", r.ranges()),
            ("Fewest observations that move the default estimate (greedy upper bound)", infl[cols]),
            ("Declared defaults and why", r.declarations[[c for c in ("claim", "why_default", "why_paper")
                                                          if c in r.declarations.columns]]),
            ("Every specification", r.table)]


# ----------------------------------------------------------------------- methods and sources

#: Methods: (name, formula, what it estimates, citation). Definitions, not results.
METHODS: tuple[tuple[str, str, str, str], ...] = (
    ("Price trend and half-life", "ln Pᵢₜ = α + β·t + εᵢₜ;  half-life = ln 2 / (−β);  factor per year = e^(−β)",
     "OLS on dated prices (launches and price changes), errors clustered by model; bootstrap CI by model.",
     "Du (2026), arXiv:2603.28576; Cameron & Miller (2015), J. Human Resources 50(2)"),
    ("Moore's-law test", "H₀: half-life ≥ 2 years, i.e. −β ≤ ln 2 / 2; one-sided t",
     "Whether a tier falls faster than transistor density doubled.", "Moore (1965); Du (2026)"),
    ("Constant-capability decline", "Pₜ = min{ pⱼ : scoreⱼ ≥ s, launchⱼ ≤ t };  ln Pₜ = a + b·t",
     "Cheapest model above a benchmark threshold (running minimum), Epoch AI's method reproduced.",
     "Epoch AI (2025), 'LLM inference prices have fallen rapidly but unequally across tasks'"),
    ("Reasoning premium", "ln Pᵢ = γ·reasoningᵢ + δ_developer + τ_quarter + εᵢ;  premium = e^γ",
     "Ratio of reasoning to other models' prices per token, within developer and release quarter.",
     "Du (2026); Chen et al. (2026), arXiv:2603.23971"),
    ("Chow and sup-F tests", "F = [(RSS_r − RSS_u)/k] / [RSS_u/(n − 2k)];  sup-F = max over trimmed dates of F(τ)",
     "A break at a known date (Chow) and at an unknown date (Andrews).",
     "Chow (1960), Econometrica 28(3); Andrews (1993), Econometrica 61(4); Hansen (1997), JBES 15(1)"),
    ("Bai–Perron", "min over m breaks of Σ_segments RSS, m chosen by BIC",
     "Several breaks at unknown dates with segment-wise fits.", "Bai & Perron (1998, 2003), Econometrica; JAE"),
    ("Cost decomposition", "Δln P = Δln(GPU $/h) + Δln(FLOP/s per $) + Δln(FLOP per token) + Δln(energy) + TFP",
     "Growth accounting of the price of capability; TFP is the residual; shares add to 100%.",
     "Solow (1957), REStat 39(3); Du (2026)"),
    ("DEA Malmquist", "M = [Dᵗ(xᵗ⁺¹,yᵗ⁺¹)/Dᵗ(xᵗ,yᵗ) · Dᵗ⁺¹(xᵗ⁺¹,yᵗ⁺¹)/Dᵗ⁺¹(xᵗ,yᵗ)]^½ = EC × TC",
     "Output-oriented CRS distance functions by linear programming (HiGHS); VRS for the pure/scale split.",
     "Färe, Grosskopf, Norris & Zhang (1994), AER 84(1); Charnes, Cooper & Rhodes (1978)"),
    ("Elasticity", "ln Pᵢ = α + η·ln Cᵢ + year effects + controls + εᵢ (HC1 errors)",
     "Launch price on Epoch's training-cost estimate.", "Du (2026); White (1980), Econometrica 48(4)"),
    ("US–China gap", "gap = exp(mean ln C_US − mean ln C_CN);  Welch t and Mann–Whitney on ln($/FLOP)",
     "Ratio of geometric means with a percentile bootstrap within country.", "Welch (1947); Efron & Tibshirani (1993)"),
    ("Concentration", "HHI = Σᵢ (100·sᵢ)²;  CR-k = Σ of the k largest shares;  equivalent firms = 10,000 / HHI",
     "Of developers' shares by models listed, tokens and spend.", "Herfindahl (1950); Hirschman (1945)"),
    ("Hedonic vs matched index", "ln Pᵢₜ = Σ_τ δ_τ·1[t = τ] + θ·ECIᵢ + controls;  index_τ = e^(δ_τ)",
     "Time-dummy hedonic index vs a chained Jevons index of the same models in adjacent quarters.",
     "Triplett (2006), OECD Handbook on Hedonic Indexes; Zhu (2026), arXiv:2608.29843"),
    ("Jevons accounting", "Δln spend = Δln tokens + Δln price",
     "Accounting per firm statement; an elasticity only where price variation is identified.",
     "Jevons (1865); Demirer et al., NBER w34608; OpenRouter/a16z arXiv:2601.10088"),
    ("Baumol", "annual Δln CPI(service) − Δln CPI(all items), Newey–West (HAC) intervals",
     "Relative price of human services vs the AI price at constant capability.",
     "Baumol & Bowen (1966); Newey & West (1987), Econometrica 55(3)"),
    ("Forecast", "ln P̂(h) = α̂ + β̂·h, prediction interval ± t·√(σ̂² + Var(α̂ + β̂·h))",
     "Tier trends extrapolated to the horizon.", "Hamilton (1994), Time Series Analysis"),
    ("Robustness", "estimate over a declared grid of specifications (specification curve)",
     "Each headline under every declared specification; greedy influence search.",
     "Simonsohn, Simmons & Nelson (2020), Nature Human Behaviour 4; Broderick, Giordano & Meager (2023)"),
)


def methods_section(inputs: StudyInputs) -> Section:
    s = Section("methods", "Methods: formulas and citations",
                text="How each estimate is computed. Published figures compared with ours are typed once, with "
                     "their citation, in llmflation.study.paper; every other number in this report is computed "
                     "in this run.",
                no_figure="No figure: this section documents the estimators.")
    s.tables.append(Table("", pd.DataFrame(METHODS, columns=["method", "formula", "what it estimates", "citation"])))
    return s


def sources_section(inputs: StudyInputs) -> Section:
    from llmflation.sources import bundled

    m = bundled.manifest()
    rows = [{"table": name, "source": f.get("source_url", ""), "taken from": f.get("taken_from", ""),
             "licence": f.get("licence", ""), "vintage": " → ".join(map(str, f.get("vintage") or [])),
             "rows": f.get("rows")} for name, f in sorted(m.get("files", {}).items())]
    s = Section("sources", "Data sources and licences", text=bundled.ATTRIBUTION,
                no_figure="No figure: this section lists the data.")
    s.tables.append(Table(f"Bundled snapshot {m.get('snapshot_id')}", pd.DataFrame(rows)))
    s.notes.append(f"Inputs of this report: {inputs.describe()}")
    return s


#: The report, in the order of the study's argument.
REPORT: tuple[DataSpec | Spec, ...] = (
    DataSpec("coverage", coverage_section),
    Spec("trend", "Price trends by tier vs Moore's law", trend,
         "Log-linear fit of dated prices (launch prices and price changes) per tier; tiers = the developer's "
         "own positioning (see assign_tiers). One-sided test of H0: half-life ≥ 2 years.",
         plot=fg.tier_trends, view=_trend_view, finding=_trend_finding),
    Spec("decline", "Total decline since 2020 under four definitions", decline,
         "An endpoint ratio, a pooled trend and two constant-capability measures: the paper's figure is most likely an "
         "endpoint ratio; the like-for-like number is the trend at constant capability.",
         plot=fg.decline, finding=_decline_finding),
    Spec("threshold", "Constant-capability declines: the cheapest model above a threshold (Epoch AI's method)",
         threshold, "Reproduction of Epoch AI's published decline factors end to end from the bundled raw inputs.",
         plot=fg.threshold_series),
    Spec("rates_since_cutoff", "Constant-capability declines since Epoch's cut-off", rates_since_cutoff,
         "Epoch's method at the same thresholds, on our dated panel prices joined to Epoch benchmark "
         "scores, before and after 2025-02-05.", plot=fg.rates_since_cutoff),
    Spec("anchors", "GPT-3.5-level decline (Stanford AI Index anchor)", anchors,
         plot=lambda r: fg.cheapest_series(r, "Stanford AI Index anchor")),
    Spec("a16z", "a16z's LLMflation series (cheapest model with MMLU ≥ 42)", a16z,
         plot=lambda r: fg.cheapest_series(r, "a16z LLMflation")),
    Spec("premium", "Reasoning premium per token", premium,
         "Reasoning vs other models' prices per token under five estimators.",
         plot=fg.premium, finding=_premium_finding),
    Spec("cost_per_task", "Reasoning and the cost per task vs the price per token", cost_per_task,
         "Epoch's evaluation token counts × blended prices: does the cost of a task fall as fast as the "
         "price of a token once reasoning tokens are counted?", plot=fg.cost_per_task),
    Spec("breaks", "Structural breaks in LLM prices", breaks,
         "Chow test at May 2024 (the paper's set-up as far as it can be inferred), the unknown-date "
         "sup-F and Bai–Perron, on the milestone series and on monthly cheapest-price indices.",
         plot=fg.breaks, finding=_breaks_finding),
    Spec("decomposition", "Cost decomposition with a TFP residual", decomposition,
         "Growth accounting of the fall in price per unit of capability (log changes; shares add to 100%).",
         plot=fg.waterfall),
    Spec("malmquist", "Frontier: DEA Malmquist productivity of LLM developers", malmquist,
         "Developer × quarter DMUs from 2023Q1; output-oriented CRS Malmquist (Färe et al. 1994), VRS split — the "
         "paper's set-up. CRS on ECI depends on ECI's arbitrary zero (shifting ECI by −100 moves the 2024 index); "
         "lf.llm_frontier_invariant() gives the translation-invariant input-oriented VRS version with Simar–Wilson "
         "bootstrap intervals (not run here: about 15 s), and says where a quarter has too few DMUs.",
         plot=fg.malmquist),
    Spec("elasticity", "Elasticity of inference price to training cost", elasticity, plot=fg.elasticity,
         view=_elasticity_view,
         finding=_elasticity_finding),
    Spec("us_china", "US–China: training cost and $/FLOP", us_china, plot=fg.us_china, finding=_us_china_finding),
    Spec("concentration", "Market concentration (HHI, CR-k) by measure", concentration,
         "Concentration of developers by models listed (the paper's measure), by tokens and by spend.",
         plot=fg.concentration, view=_concentration_view),
    Spec("hedonic", "Quality-adjusted (hedonic) vs matched-model price index", hedonic,
         "Time-dummy regression of log price on quarter dummies and capability (ECI) with controls, "
         "beside a chained matched-model index of models priced in adjacent quarters.",
         plot=fg.hedonic, finding=_hedonic_finding),
    Spec("jevons", "Jevons: token volume vs price", jevons,
         "Accounting (Δln tokens, Δln price, Δln spend) per firm statement; elasticities only where identified.",
         plot=fg.jevons, view=_jevons_view),
    Spec("baumol", "Baumol: human-service prices vs the AI price index", baumol,
         "Annual rates of CPI service items (HAC intervals) beside the AI price at constant capability.",
         plot=fg.baumol, view=_baumol_view, finding=_baumol_finding),
    Spec("forecast", "Forecasts of tier prices (prediction intervals)", forecast, plot=fg.forecast),
    Spec("robustness", "Appendix: robustness and specification curves", robustness,
         "Each headline re-estimated over a declared grid of specifications; the paper-vs-ours table takes its "
         "two columns from here.", plot=fg.spec_curves, view=_robustness_view),
    DataSpec("methods", methods_section),
    DataSpec("sources", sources_section),
)
