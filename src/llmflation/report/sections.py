"""Report sections, in the order of the study's argument: data first, then one section per question.

Each analysis section is a :class:`Spec`: a function ``(inputs) -> (result, claims)`` that
runs one question of :class:`~llmflation.study.api.Study` on
:class:`~llmflation.study.inputs.StudyInputs` (the bundle merged with the store; the
wiring of data to questions lives in ``Study``, shared with the CLI and notebooks) and states its headlines as :class:`~llmflation.report.claims.Claim` objects (each computed
once, with the result's own reference figure, ``result.reference_figure(key)`` from
:mod:`llmflation.study.paper`); ``plot`` draws the result (:mod:`llmflation.report.figures`),
``finding`` turns it into a key-finding sentence whose numbers are the claims. Every
number printed goes through :mod:`llmflation.report.numbers`. Nothing here registers
itself or keeps state: :data:`REPORT` is the list.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from llmflation.panel.build import exclusions
from llmflation.panel.coverage import by_source, coverage
from llmflation.report import figures as fg
from llmflation.report import numbers as nb
from llmflation.report.claims import Claim, from_reference
from llmflation.report.figures import Fig
from llmflation.report.render import Section, Table
from llmflation.study.api import Study
from llmflation.study.inputs import StudyInputs

Built = tuple[Any, list[Claim]]
#: What a view returns: one frame (captioned with the result's title) or captioned frames.
View = Callable[[Any], "pd.DataFrame | list[tuple[str, pd.DataFrame]]"]


@dataclass(frozen=True)
class Spec:
    """One section: id, title, text, the analysis, its figure, the tables shown and its key finding.

    ``run`` returns the result and its :class:`~llmflation.report.claims.Claim` objects (each
    headline computed once); ``finding`` returns a sentence whose numbers are ``{claim_id}``
    placeholders, filled from those claims wherever the sentence is printed.
    """

    id: str
    title: str
    run: Callable[[StudyInputs], Built]
    text: str = ""
    plot: Callable[[Any], Fig] | None = None
    view: View | None = None  # default: the result's wide()
    finding: Callable[[Any], str | None] | None = None
    no_figure: str = ""  # why there is no figure (when plot is None)
    #: The figure also reads the panel (hover: each price's developer and source).
    plot_panel: bool = False


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


def _f(v: Any) -> float:
    try:
        return float(v)
    except (TypeError, ValueError):
        return math.nan


def describe(inputs: StudyInputs) -> str:
    """The inputs in one line, with the range of the price data (the snapshot's own range starts with the CPI)."""
    import re

    try:
        p = inputs.panel()
        a, b = pd.Timestamp(p["valid_from"].min()).date(), pd.Timestamp(p["valid_to"].max()).date()
    except Exception:  # noqa: BLE001 - no panel: the inputs as they describe themselves
        return inputs.describe()
    return re.sub(r"\(\d{4}-\d\d-\d\d → \d{4}-\d\d-\d\d\)", f"(prices {a} to {b})", inputs.describe(), count=1)


def _ref(res: Any, key: str) -> dict[str, Any]:
    try:
        return from_reference(res.reference_figure(key))
    except Exception:  # noqa: BLE001 - a result without that reference: no paper column
        return {}


# ----------------------------------------------------------------------- data


def coverage_section(inputs: StudyInputs) -> Section:
    panel = inputs.panel()
    start, end = pd.Timestamp(panel["valid_from"].min()).date(), pd.Timestamp(panel["valid_to"].max()).date()
    s = Section("coverage", "Data and coverage",
                text=(f"{nb.count(len(panel))} price intervals for {nb.count(panel['model_id'].nunique())} models "
                      f"from {panel['source'].nunique()} dated sources, {start} to {end}. A row is one model × "
                      "provider × price interval × source; where a study needs one price per model it takes the "
                      "developer's own (first-party) price."))
    s.figures.append(fg.coverage_by_quarter(panel))
    s.figures.append(fg.milestones(panel))
    s.tables += [Table("Coverage", coverage(panel)), Table("By source", by_source(panel)),
                 Table("Excluded price rows (data-quality guards)", exclusions())]
    s.notes.append(f"Inputs: {describe(inputs)}")
    return s


# ----------------------------------------------------------------------- the headline


def headline(inputs: StudyInputs) -> Built:
    r = Study.from_inputs(inputs).headline_index()
    if hasattr(r, "annual"):  # the chained quality-adjusted index (study/headline.py)
        a = r.annual.set_index("index_kind")
        h = a.loc["hedonic"]
        lo, hi = r.log_change_ci
        import re

        listed = next((int(m.group(1)) for n in r.notes
                       for m in [re.search(r"(\d+) first-party canonical models listed", str(n))] if m), None)
        frag = [f"rests on the {nb.count(r.n_models)}" + (f" of {nb.count(listed)}" if listed else "")
                + " models with a capability score"]
        if "token_weighted" in a.index and _f(a.loc["token_weighted", "conf_low"]) <= 0 \
                <= _f(a.loc["token_weighted", "conf_high"]):
            frag.append("weighted by tokens, the interval includes no change")
        claims = [Claim(id="headline_index", title="Price of constant capability, fall per year", section="headline",
                        estimate=r.factor_per_year, conf_low=math.exp(-hi), conf_high=math.exp(-lo), n=r.n_models,
                        unit="x", status=r.status, reason=" ".join(r.notes[:1]) if r.status != "estimated" else "",
                        specification=f"chained time-dummy hedonic on capability (ECI), monthly, {r.n_models} "
                                      f"first-party models, cluster bootstrap by model",
                        fragility="; ".join(frag),
                        extra={"pct_per_year": _f(h.get("pct_per_year")), "n_periods": r.n_periods})]
        for kind, title in (("token_weighted", "token-weighted"), ("matched", "matched-model")):
            if kind in a.index:
                k = a.loc[kind]
                claims.append(Claim(id=f"headline_{kind}", title=f"Price index, {title}, fall per year",
                                    section="headline", estimate=math.exp(-_f(k["log_change_per_year"])),
                                    conf_low=math.exp(-_f(k["conf_high"])), conf_high=math.exp(-_f(k["conf_low"])),
                                    n=int(k["n_models"]), unit="x", status=str(k["status"])))
        return r, claims
    lo, hi = r.hedonic_ci  # the study's headline is still the quarterly hedonic index
    return r, [Claim(id="headline_index", title="Price of constant capability, fall per year", section="headline",
                     estimate=math.exp(-r.hedonic_log_change_per_year), conf_low=math.exp(-hi),
                     conf_high=math.exp(-lo), unit="x", specification="time-dummy hedonic on ECI, quarterly")]


def _headline_finding(r: Any) -> str:
    how = ""
    a = getattr(r, "annual", None)
    if isinstance(a, pd.DataFrame) and {"hedonic", "matched"} <= set(a["index_kind"]):
        m = a.set_index("index_kind").loc["matched"]
        h = a.set_index("index_kind").loc["hedonic"]
        if _f(m["conf_low"]) <= 0 <= _f(m["conf_high"]) and _f(h["conf_high"]) < 0:
            how = ": prices fall through new models that bring more capability for the money, not through cuts"
    return ("Quality-adjusted, the price of constant LLM capability falls {headline_index} a year (chained hedonic "
            "index of first-party models on the Epoch Capabilities Index, ECI); weighting models by tokens used "
            "gives {headline_token_weighted}, and an index of the same models only (no entrants) "
            "{headline_matched}" + how + ".")


# ----------------------------------------------------------------------- price dynamics


def trend(inputs: StudyInputs) -> Built:
    r = Study.from_inputs(inputs).price_trend(by="tier", n_boot=1000, seed=0)
    claims = []
    for g in r.groups:
        lo, hi = g.half_life_ci
        ref = {"economy": "du2026.half_life.economy", "mid": "du2026.half_life.mid"}.get(str(g.group))
        hl_status, hl_reason = g.half_life_status
        claims.append(Claim(id=f"half_life_{g.group}", title=f"{str(g.group).capitalize()}-tier half-life",
                            section="trend", estimate=g.half_life_years, conf_low=lo, conf_high=hi, n=int(g.n),
                            unit="years", status=hl_status, reason=hl_reason,
                            specification=f"developer-positioning tiers, dated launch prices and changes, "
                                          f"{g.start} to {g.end}, errors clustered by model",
                            extra={"moore_p": _f(g.moore.p_value), "r_squared": _f(g.r_squared)},
                            **(_ref(r, ref) if ref else {})))
        claims.append(Claim(id=f"moore_{g.group}", title=f"{str(g.group).capitalize()} tier: one-sided test of "
                            "a half-life of 2 years or more (Moore)", section="trend", estimate=_f(g.moore.p_value),
                            n=int(g.n), unit="p", specification="one-sided t, errors clustered by model"))
        if g.group == "flagship":
            claims.append(Claim(id="r_squared_flagship", title="Flagship trend R²", section="trend",
                                estimate=g.r_squared, n=int(g.n), unit="", specification="positioning tiers",
                                **_ref(r, "du2026.r_squared.flagship")))
    return r, claims


def _trend_view(r: Any) -> pd.DataFrame:
    return pd.concat([g.wide() for g in r.groups], ignore_index=True)


def _trend_finding(r: Any) -> str | None:
    parts = []
    for g in r.groups:
        status = getattr(g, "half_life_status", ("estimated", ""))[0]
        lead = f"{g.group}-tier prices halve every " if status == "estimated" else f"the {g.group}-tier half-life is "
        parts.append(f"{lead}{{half_life_{g.group}}} (one-sided test of no faster than Moore: {{moore_{g.group}}})")
    return ("Against Moore's law (prices halving every 2 years), by the developer's own tiers: " + "; ".join(parts)
            + ". The paper: {paper:half_life_economy} (economy) and {paper:half_life_mid} (mid).")


def decline(inputs: StudyInputs) -> Built:
    r = Study.from_inputs(inputs).total_decline(start="2020-01-01", end="2026-03-28")
    t = r.table.set_index("definition")
    paper = _ref(r, "du2026.total_decline")
    claims = []
    names = {"constant_capability_trend": ("total_decline", "Total decline, constant-capability trend"),
             "endpoint": ("total_decline_endpoint", "Total decline, endpoint ratio"),
             "trend": ("total_decline_trend", "Total decline, pooled trend"),
             "constant_capability": ("total_decline_cc_endpoint", "Total decline, constant capability, endpoint")}
    for d, (cid, title) in names.items():
        if d not in t.index:
            continue
        row = t.loc[d]
        status = str(row.get("status", "estimated") or "estimated")
        claims.append(Claim(id=cid, title=title, section="decline", estimate=_f(row["factor"]),
                            conf_low=_f(row["conf_low"]), conf_high=_f(row["conf_high"]),
                            n=int(row["n"]) if pd.notna(row.get("n")) else None, unit="x", status=status,
                            reason=str(row.get("reason") or ""),
                            specification=f"{d.replace('_', ' ')}, {row['start_date']} to {row['end_date']}",
                            **(paper if cid == "total_decline" else {})))
    return r, claims


def _decline_finding(r: Any) -> str | None:
    return ("The paper's {paper:total_decline} total decline is most likely an endpoint ratio of two hand-picked prices: ours is "
            "{total_decline_endpoint} end to end and {total_decline_trend} along the pooled trend; at constant "
            "capability the decline is {total_decline}.")


def threshold(inputs: StudyInputs) -> Built:
    r = Study.from_inputs(inputs).epoch_reproduction()
    f = r.wide()
    claims = []
    if "reference_factor" in f:
        est, refv = f["estimate"].astype(float), f["reference_factor"].astype(float)
        ok = int(((est / refv - 1).abs() <= 0.10).sum())
        claims.append(Claim(id="epoch_reproduced", title="Epoch AI factors reproduced within 10%", section="threshold",
                            estimate=ok, n=len(f), unit="count", suffix=f"of {nb.count(len(f))}",
                            specification="end to end from the raw price and benchmark tables",
                            **_ref(r, "epoch2025.n_thresholds")))
        claims.append(Claim(id="epoch_median", title="Median decline per year at constant capability (Epoch's 21 "
                            "thresholds)", section="threshold", estimate=float(est.median()), n=len(f), unit="x",
                            suffix=f"(range {nb.factor(est.min())} to {nb.factor(est.max())})",
                            specification="median of the 21 thresholds", **_ref(r, "epoch2025.median_factor")))
    return r, claims


def _threshold_finding(r: Any) -> str:
    return ("Epoch AI's constant-capability declines reproduce end to end: {epoch_reproduced} published factors "
            "within 10%, median {epoch_median} per year (Epoch: {paper:epoch_median}).")


def anchors(inputs: StudyInputs) -> Built:
    r = Study.from_inputs(inputs).gpt35_level_decline()
    return r, [_cheapest_claim(r, "gpt35_level", "GPT-3.5-level price (MMLU ≥ 64.8), start → end", "anchors",
                               "aiindex2025.gpt35_level")]


def _cheapest_claim(r: Any, cid: str, title: str, section: str, key: str) -> Claim:
    ref = _ref(r, key)
    pub = getattr(r, "published", None) or {}
    if "factor" in pub:
        ref["paper_value"] = float(pub["factor"])
    return Claim(id=cid, title=title, section=section, estimate=_f(r.endpoint_factor), unit="x",
                 prefix=f"${nb.num(r.start_price, 2)} → ${nb.num(r.end_price, 2)} per 1M tokens, ",
                 specification=f"cheapest model with {r.benchmark} ≥ {nb.num(r.threshold)}, endpoint ratio",
                 extra={"factor_per_year": _f(r.factor_per_year)}, **ref)


def a16z(inputs: StudyInputs) -> Built:
    r = Study.from_inputs(inputs).a16z_series()[42.0]
    c = _cheapest_claim(r, "a16z", "a16z LLMflation: cheapest model with MMLU ≥ 42", "a16z", "a16z2024.mmlu42")
    pub = getattr(r, "published", None) or {}
    # a16z's headline is the rate: 10× a year; compare it with ours per year
    c = Claim(**{**c.__dict__, "id": "a16z", "estimate": _f(r.factor_per_year), "conf_low": _f(r.conf_low),
                 "conf_high": _f(r.conf_high), "prefix": "", "paper_value": _f(pub.get("factor_per_year", math.nan)),
                 "title": "a16z LLMflation: fall per year of the cheapest model with MMLU ≥ 42",
                 "specification": "log-linear trend of the monthly cheapest price"})
    return r, [c]


def rates_since_cutoff(inputs: StudyInputs) -> Built:
    r = Study.from_inputs(inputs).rates_since_cutoff(benchmark="GPQA Diamond")
    med = r.medians()
    return r, [Claim(id="since_cutoff", title="Median constant-capability decline, GPQA Diamond, after Epoch's "
                     "cut-off", section="rates_since_cutoff", estimate=_f(med["after"]), unit="x",
                     suffix=f"before: {nb.factor(med['before'])}",
                     specification="our panel prices, same thresholds in both periods; few points after the "
                                   "cut-off")]


def premium(inputs: StudyInputs) -> Built:
    r = Study.from_inputs(inputs).reasoning_premium()
    e = r.estimates.set_index("term")
    paper = _ref(r, "du2026.reasoning_premium")
    claims = []
    if "regression" in e.index:
        row = e.loc["regression"]
        claims.append(Claim(id="reasoning_premium", title="Reasoning premium per token", section="premium",
                            estimate=_f(row["estimate"]), conf_low=_f(row["conf_low"]),
                            conf_high=_f(row["conf_high"]), n=int(row["n"]), unit="x",
                            specification=str(row["method"]), **paper))
    if "raw_arithmetic" in e.index:
        row = e.loc["raw_arithmetic"]
        claims.append(Claim(id="reasoning_premium_arithmetic", title="Reasoning premium per token, ratio of "
                            "arithmetic means", section="premium", estimate=_f(row["estimate"]), n=int(row["n"]),
                            unit="x", specification=str(row["method"])))
    return r, claims


def _premium_finding(r: Any) -> str | None:
    return ("Per token, reasoning models cost {reasoning_premium} as much as other models of the same developer "
            "and release quarter (the paper's average: {paper:reasoning_premium}); per task, their extra reasoning tokens make "
            "the cost of a task fall only {cost_per_task_ratio} as fast as the price of a token.")


def cost_per_task(inputs: StudyInputs) -> Built:
    r = Study.from_inputs(inputs).cost_vs_price_trends()
    return r, [Claim(id="cost_per_task_ratio", title="Per-task cost decline ÷ per-token price decline (geometric "
                     "mean)", section="cost_per_task", estimate=_f(r.geomean_ratio), n=len(r.table), unit="x",
                     specification="below 1×: the cost per task falls slower than the price per token")]


def breaks(inputs: StudyInputs) -> Built:
    r = Study.from_inputs(inputs).llm_price_breaks()
    f = r.wide()
    claims = []
    chow = f[(f["series"] == "milestones") & (f["test"] == "chow (ols)")]
    if len(chow):
        row = chow.iloc[0]
        ref = _ref(r, "du2026.chow")
        claims.append(Claim(id="chow", title="Chow test at May 2024", section="breaks", estimate=_f(row["statistic"]),
                            n=int(row["n"]), unit="F", suffix=f"p = {nb.pvalue(row['p_value'])}",
                            specification=f"milestone series, {row['model']}, break after {row['break_at']}",
                            extra={"p_value": _f(row["p_value"])}, **ref))
    sup = f[(f["series"] == "milestones") & (f["test"] == "sup-F (ols)")]
    if len(sup):
        row = sup.iloc[0]
        claims.append(Claim(id="break_date", title="Break date found from the data (sup-F)", section="breaks",
                            estimate=_f(row["statistic"]), n=int(row["n"]), unit="F",
                            prefix=f"a break after {row['break_at']}, sup-",
                            suffix=f"p = {nb.pvalue(row['p_value'])}",
                            specification="Andrews sup-F over all candidate dates, milestone series"))
    return r, claims


def _breaks_finding(r: Any) -> str | None:
    return ("The May 2024 break: at the paper's date the Chow test on the milestone series gives {chow}; searching "
            "all dates finds {break_date}.")


def _a16z_finding(r: Any) -> str:
    return ("The articles' anchors: Epoch AI's constant-capability declines reproduce end to end "
            "({epoch_reproduced}, median {epoch_median} a year against Epoch's {paper:epoch_median}); the cheapest "
            "model at a16z's MMLU ≥ 42 falls {a16z} a year (a16z: {paper:a16z}); GPT-3.5-level capability went "
            "{gpt35_level} (AI Index: {paper:gpt35_level}).")


# ----------------------------------------------------------------------- supply side


def decomposition(inputs: StudyInputs) -> Built:
    r = Study.from_inputs(inputs).cost_decomposition()
    f = r.wide().set_index("term")

    def share(term: str) -> dict[str, Any]:
        row = f.loc[term]
        return {"estimate": _f(row["share_pct"]), "conf_low": _f(row.get("conf_low_pct", math.nan)),
                "conf_high": _f(row.get("conf_high_pct", math.nan)),
                "status": str(row.get("status", "estimated") or "estimated"), "reason": str(row.get("reason") or "")}

    return r, [Claim(id="tfp_share", title="TFP residual share of the fall in the price of capability",
                     section="decomposition", unit="%", specification=f"log change {r.start} to {r.end}",
                     **share("tfp_residual"), **_ref(r, "du2026.tfp_share")),
               Claim(id="gpu_share", title="GPU hardware share", section="decomposition", unit="%",
                     specification="GPU rental price + hardware price-performance",
                     **share("gpu_hardware (rental + price-performance)"), **_ref(r, "du2026.gpu_share"))]


def malmquist(inputs: StudyInputs) -> Built:
    r = Study.from_inputs(inputs).llm_malmquist()
    f = r.wide()
    main = f[(f["window"].str.contains("chained")) & (f["spec"] == f["spec"].iloc[0])].set_index("measure")
    how = f"{f['spec'].iloc[0]}, chained quarterly, {int(main.loc['tfpch', 'n_dmus'])} developers"
    def ci(m: str) -> dict[str, Any]:
        row = main.loc[m]
        return {"conf_low": _f(row.get("conf_low", math.nan)), "conf_high": _f(row.get("conf_high", math.nan)),
                "status": str(row.get("status", "estimated") or "estimated"), "reason": str(row.get("reason") or "")}

    return r, [Claim(id="malmquist_2024", title="Malmquist index 2024Q1 to Q4", section="malmquist",
                     estimate=_f(main.loc["tfpch", "estimate"]), unit="", specification=how,
                     n=int(main.loc["tfpch", "n_dmus"]), **ci("tfpch"), **_ref(r, "du2026.malmquist_2024")),
               Claim(id="techch_2024", title="Technical change 2024Q1 to Q4", section="malmquist",
                     estimate=_f(main.loc["techch", "estimate"]), unit="", specification=how,
                     n=int(main.loc["techch", "n_dmus"]), **ci("techch"), **_ref(r, "du2026.techch_2024"))]


def elasticity(inputs: StudyInputs) -> Built:
    r = Study.from_inputs(inputs).elasticity()
    row = r.coefficients.set_index("term").loc["log_training_cost"]
    return r, [Claim(id="elasticity", title="Elasticity of launch price to training cost", section="elasticity",
                     estimate=_f(row["estimate"]), conf_low=_f(row["conf_low"]), conf_high=_f(row["conf_high"]),
                     n=r.n, specification=f"year effects and controls, {r.cov_type} errors",
                     **_ref(r, "du2026.elasticity"))]


def _elasticity_view(r: Any) -> list[tuple[str, pd.DataFrame]]:
    """The paper's controlled model, then the small-sample view: bivariate and controlled
    slopes with HC3 intervals (singleton year dummies merged, so no interval is infinite)."""
    from llmflation.errors import InputError
    from llmflation.study.elasticity import elasticity_small_sample

    out = [(f"Log price on log training cost with year effects and controls ({r.cov_type} errors; n = {r.n}): "
            "the estimate of the headline", r.wide())]
    try:
        small = elasticity_small_sample(r.sample)
    except InputError as e:
        small = pd.DataFrame({"note": [f"small-sample view not computed: {e}"]})
    out.append((f"Sensitivity with n = {r.n} models: bivariate and controlled slopes, HC3 errors (a different "
                "estimator: not the headline)", small))
    return out


def us_china(inputs: StudyInputs) -> Built:
    r = Study.from_inputs(inputs).us_china(n_boot=1000, seed=0)
    lo, hi = r.cost_gap_ci
    return r, [Claim(id="us_china_gap", title="US/China training-cost gap", section="us_china", estimate=r.cost_gap,
                     conf_low=lo, conf_high=hi, n=r.n_us + r.n_china, unit="x",
                     specification=f"ratio of geometric means, {r.n_us} US vs {r.n_china} Chinese models, "
                                   "bootstrap 95% CI", **_ref(r, "du2026.us_china_gap")),
               Claim(id="usd_per_flop_p", title="Equal $/FLOP, US vs China (p-value)", section="us_china",
                     estimate=_f(r.welch.p_value), unit="p", n=r.n_us + r.n_china,
                     specification="Welch t on ln $/FLOP", **_ref(r, "du2026.usd_per_flop_p"))]


def _us_china_finding(r: Any) -> str | None:
    return ("US models' training cost is {us_china_gap} that of Chinese models (geometric means; the paper: "
            "{paper:us_china_gap}); "
            "equal cost per FLOP: {usd_per_flop_p}.")


# ----------------------------------------------------------------------- market and society


def concentration(inputs: StudyInputs) -> Built:
    study = Study.from_inputs(inputs)
    r = study.usage_concentration()
    t = r.table
    claims = []
    paper = _ref(r, "du2026.hhi") or _ref(study.llm_concentration(), "du2026.hhi")
    for measure, cid, title in (("openrouter_tokens_by_author", "hhi", "HHI of developers by tokens, latest"),
                                ("openrouter_models_available", "hhi_models", "HHI of developers by models listed, "
                                                                              "latest quarter")):
        m = t[t["measure"] == measure]
        if m.empty:
            continue
        row = m.iloc[-1]
        lo, hi = _f(row["hhi_low"]), _f(row["hhi_high"])
        claims.append(Claim(id=cid, title=title, section="concentration", estimate=_f(row["hhi"]),
                            conf_low=lo if hi > lo else math.nan, conf_high=hi if hi > lo else math.nan,
                            n=int(row["n_firms"]), unit="HHI",
                            extra={"period": str(row["period"])},
                            specification=str(row.get("measures_what", measure)),
                            **({**paper, "paper_value": _latest_hhi(paper)} if paper else {})))
    return r, claims


def _latest_hhi(paper: dict[str, Any]) -> float:
    from llmflation.study.paper import ref

    v = ref(paper["reference_key"]).value
    return float(v[max(v)]) if isinstance(v, dict) and v else math.nan


def _concentration_view(r: Any) -> list[tuple[str, pd.DataFrame]]:
    cols = [c for c in ("measure", "measures_what", "period", "n_firms", "hhi", "hhi_low", "hhi_high",
                        "equivalent_firms", "cr_1", "cr_4", "coverage_pct") if c in r.table.columns]
    return [(r.title, r.table[cols]), ("Open-weights share of tokens and of priced models", r.open_weights)]


def _concentration_finding(r: Any) -> str:
    t = r.table
    m = t[t["measure"] == "openrouter_tokens_by_author"]
    level = ""
    if len(m):
        h = float(m["hhi"].iloc[-1])
        level = ("unconcentrated (HHI below 1,500)" if h < 1500 else "moderately concentrated (HHI 1,500 to 2,500)"
                 if h <= 2500 else "highly concentrated (HHI above 2,500)")
    return (f"By tokens used the market of LLM developers is {level}: " if level else "By tokens used ") + (
        "the HHI is {hhi}; by models listed (the paper's measure) {hhi_models}, against the paper's {paper:hhi}.")


def hedonic(inputs: StudyInputs) -> Built:
    r = Study.from_inputs(inputs).hedonic_index(seed=0)
    lo, hi = r.hedonic_ci
    mlo, mhi = r.matched_ci
    return r, [
        Claim(id="hedonic_rate", title="Quality-adjusted price change (log points a year)", section="hedonic",
              estimate=r.hedonic_log_change_per_year, conf_low=lo, conf_high=hi,
              specification="time-dummy hedonic on ECI, quarterly", **_ref(r, "zhu2026.hedonic")),
        Claim(id="matched_rate", title="Matched-model price change (log points a year)", section="hedonic",
              estimate=r.matched_log_change_per_year, conf_low=mlo, conf_high=mhi,
              specification="chained Jevons of models in adjacent quarters", **_ref(r, "zhu2026.matched")),
    ]


def jevons(inputs: StudyInputs) -> Built:
    r = Study.from_inputs(inputs).jevons()
    a = r.accounting
    a = a[a["interval"] == "first→last"]
    claims = []
    if len(a):
        tok = (a["dln_tokens"].astype(float) / a["years"].astype(float))
        pri = (a["dln_price"].astype(float) / a["years"].astype(float))
        claims.append(Claim(id="jevons_tokens", title="Token volume growth per year (median across firm statements)",
                            section="jevons", estimate=math.exp(float(tok.median())), n=len(a), unit="x",
                            suffix=f"(own price index: {nb.factor(math.exp(float(pri.median())))} a year)",
                            specification="first to last dated statement of each firm, log changes per year"))
    el = r.elasticities
    ident = el[el["estimate"].notna()] if "estimate" in el else el.iloc[0:0]
    ref = _ref(r, "nber_w34608.elasticity")
    claims.append(Claim(id="jevons_elasticity", title="Price elasticity of token demand", section="jevons",
                        estimate=_f(ident["estimate"].median()) if len(ident) else math.nan,
                        n=len(ident), status="estimated" if len(ident) else "not estimable",
                        reason=("list prices of the firms' own index barely move within a statement series, "
                                "so no elasticity is identified" if not len(ident) else ""),
                        specification="ln tokens on ln own price index, only where price varies",
                        comparable=False, concept="the published −1.1 is a within-model elasticity across "
                        "providers of the same model (substitution), ours a firm-level co-movement over time", **ref))
    return r, claims


def _jevons_finding(r: Any) -> str:
    return ("Jevons: firms' token volumes grow {jevons_tokens}: spend rises as prices fall, but a demand "
            "elasticity is {jevons_elasticity} on this data.")


def _jevons_view(r: Any) -> list[tuple[str, pd.DataFrame]]:
    return [("Accounting: change in log tokens, log price and log spend", r.accounting),
            ("Elasticities, only where identified", r.elasticities),
            ("Published elasticities (references)", r.published_frame()),
            ("Token share vs price relative to the tier median (OpenRouter)", r.share_vs_price),
            ("Effective vs list prices (OpenRouter)", r.effective_vs_list)]


def baumol(inputs: StudyInputs) -> Built:
    r = Study.from_inputs(inputs).baumol()
    t = r.rates.set_index("term")
    claims = []
    if "SASLE" in t.index:
        s = t.loc["SASLE"]
        claims.append(Claim(id="baumol_services", title="Core services' price growth minus all items' (per year)",
                            section="baumol", estimate=_f(s.get("relative_to_all_items")),
                            conf_low=_f(s.get("relative_to_all_items_low")),
                            conf_high=_f(s.get("relative_to_all_items_high")), n=int(s["n"]), unit="pp",
                            specification=f"log points a year, HAC intervals, {r.window[0]} to {r.window[1]}"))
    if "ai_index_trend" in t.index:
        a = t.loc["ai_index_trend"]
        claims.append(Claim(id="baumol_ai", title="AI price at constant capability, fall per year (Baumol window)",
                            section="baumol", estimate=math.exp(-_f(a["estimate"])),
                            conf_low=math.exp(-_f(a["conf_high"])), conf_high=math.exp(-_f(a["conf_low"])),
                            n=int(a["n"]) if pd.notna(a.get("n")) else None, unit="x",
                            specification="the same window, HAC intervals"))
    return r, claims


def _baumol_view(r: Any) -> list[tuple[str, pd.DataFrame]]:
    cols = [c for c in ("term", "label", "kind", "estimate", "conf_low", "conf_high", "pct_per_year", "n", "lags",
                        "relative_to_all_items", "relative_to_all_items_low", "relative_to_all_items_high", "reason")
            if c in r.rates.columns]
    out = [(f"Annual log change, {r.window[0]} to {r.window[1]} (HAC 95% CI)", r.rates[cols]),
           ("One hour of a service in millions of tokens", r.hours_in_tokens),
           ("Wages of the matching occupations vs service prices", r.wages_vs_prices)]
    placebo = getattr(r, "placebo", None)
    if isinstance(placebo, pd.DataFrame):
        out.insert(1, ("Placebo: the same comparison before LLMs", placebo))
    return out


def _baumol_finding(r: Any) -> str | None:
    return ("Baumol and Jevons: core services' prices outpaced all items by {baumol_services} a year while the AI "
            "price at constant capability fell {baumol_ai} a year, a relative-price shift of Baumol's kind (which "
            "says nothing of cause); firms' token volumes grew {jevons_tokens} a year, so spend rose as prices "
            "fell, but a demand elasticity is {jevons_elasticity} on this data.")


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
    ("Price trend and half-life", "ln Pᵢₜ = α + β·t + εᵢₜ;  half-life = ln 2 / (−β);  factor per year = exp(−β)",
     "OLS on dated prices (launches and price changes), errors clustered by model; bootstrap CI by model.",
     "Du (2026), arXiv:2603.28576; Cameron & Miller (2015), J. Human Resources 50(2)"),
    ("Moore's-law test", "H₀: half-life ≥ 2 years, i.e. −β ≤ ln 2 / 2; one-sided t",
     "Whether a tier falls faster than transistor density doubled.", "Moore (1965); Du (2026)"),
    ("Constant-capability decline", "Pₜ = min{ pⱼ : scoreⱼ ≥ s, launchⱼ ≤ t };  ln Pₜ = a + b·t",
     "Cheapest model above a benchmark threshold (running minimum), Epoch AI's method reproduced.",
     "Epoch AI (2025), 'LLM inference prices have fallen rapidly but unequally across tasks'"),
    ("Reasoning premium", "ln Pᵢ = γ·reasoningᵢ + δ_developer + τ_quarter + εᵢ;  premium = exp(γ)",
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
    ("DEA Malmquist", "M = √( Dᵗ(xᵗ⁺¹,yᵗ⁺¹)/Dᵗ(xᵗ,yᵗ) · Dᵗ⁺¹(xᵗ⁺¹,yᵗ⁺¹)/Dᵗ⁺¹(xᵗ,yᵗ) ) = EC × TC",
     "Output-oriented CRS distance functions by linear programming (HiGHS); VRS for the pure/scale split.",
     "Färe, Grosskopf, Norris & Zhang (1994), AER 84(1); Charnes, Cooper & Rhodes (1978)"),
    ("Elasticity", "ln Pᵢ = α + η·ln Cᵢ + year effects + controls + εᵢ (HC1 errors)",
     "Launch price on Epoch's training-cost estimate.", "Du (2026); White (1980), Econometrica 48(4)"),
    ("US–China gap", "gap = exp(mean ln C_US − mean ln C_CN);  Welch t and Mann–Whitney on ln($/FLOP)",
     "Ratio of geometric means with a percentile bootstrap within country.", "Welch (1947); Efron & Tibshirani (1993)"),
    ("Concentration", "HHI = Σᵢ (100·sᵢ)²;  CR-k = Σ of the k largest shares;  equivalent firms = 10,000 / HHI",
     "Of developers' shares by models listed, tokens and spend.", "Herfindahl (1950); Hirschman (1945)"),
    ("Hedonic vs matched index", "ln Pᵢₜ = Σ_τ δ_τ·1[t = τ] + θ·ECIᵢ + controls;  index_τ = exp(δ_τ)",
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
                     "their citation, in the package's table of published figures; every other number in this "
                     "report is computed in this run.",
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
    s.notes.append(f"Inputs of this report: {describe(inputs)}")
    return s



#: Terms and abbreviations used in the report, defined once.
GLOSSARY: tuple[tuple[str, str], ...] = (
    ("Blended price", "USD per million tokens, 3 parts input to 1 part output (as Epoch AI and Artificial Analysis)."),
    ("Tier", "economy, mid or flagship, as the developer positions the model (its own naming), not a price band."),
    ("Half-life", "the time in which a price trend halves: ln 2 divided by the rate of decline."),
    ("Moore's law", "a doubling of transistor density every 2 years; here a price halving every 2 years."),
    ("ECI", "Epoch Capabilities Index: one capability score per model from many benchmarks (Epoch AI)."),
    ("Constant capability", "the price of the same capability over time: the cheapest model at or above a "
                            "benchmark score, or a regression holding capability fixed."),
    ("Hedonic index", "a price index from a regression of log price on period dummies and quality, so that a "
                      "new model's extra capability is not counted as a price change."),
    ("Matched-model index", "a price index of the same models in adjacent periods; it misses what new models bring."),
    ("CI", "95% confidence interval, in brackets after an estimate: [low, high]."),
    ("OLS", "ordinary least squares regression."),
    ("HC1, HC3", "heteroskedasticity-robust standard errors (White 1980 and its small-sample variants)."),
    ("HAC", "heteroskedasticity- and autocorrelation-consistent (Newey–West) standard errors, for time series."),
    ("Chow test", "an F test of a structural break at a date given in advance."),
    ("sup-F", "the largest Chow F over all candidate dates (Andrews 1993): a break at an unknown date."),
    ("Bai–Perron", "several breaks at unknown dates, their number chosen by an information criterion (BIC)."),
    ("TFP", "total factor productivity: the part of a change not explained by measured inputs (a residual)."),
    ("DEA", "data envelopment analysis: a frontier of best practice fitted by linear programming."),
    ("DMU", "decision-making unit: one unit compared in DEA (here a developer in a quarter)."),
    ("CRS, VRS", "constant or variable returns to scale in DEA."),
    ("Malmquist index", "productivity change between two periods from DEA distances; above 1 is growth."),
    ("HHI", "Herfindahl–Hirschman index: the sum of squared market shares in percent, 0 to 10,000; 2,500 and "
            "above is highly concentrated (US merger guidelines)."),
    ("CR-k", "the combined share of the k largest firms."),
    ("Elasticity", "the percentage change of one quantity for a 1% change of another."),
    ("Jevons effect", "cheaper use of a resource raising its total use (and possibly spend)."),
    ("Baumol effect", "prices of labour-intensive services rising relative to goods whose productivity grows."),
    ("CPI", "consumer price index (US Bureau of Labor Statistics, CPI-U)."),
    ("p", "p-value of the test named beside it."),
)


def glossary_section(inputs: StudyInputs) -> Section:
    s = Section("glossary", "Glossary", text="Terms and abbreviations used in this report.",
                no_figure="No figure: this section defines terms.")
    s.tables.append(Table("", pd.DataFrame(GLOSSARY, columns=["term", "meaning"])))
    return s


#: The report, in the order of the study's argument: the headline first, the paper's claims, the
#: articles' claims, the supply side, the market and society, then the appendix.
REPORT: tuple[DataSpec | Spec, ...] = (
    Spec("headline", "How fast do LLM prices fall? A quality-adjusted price index", headline,
         "The study's answer: a monthly chained index of first-party prices that holds capability (ECI) fixed, "
         "with a bootstrap interval by model, beside a token-weighted variant and a matched-model index of the "
         "same models only. The paper's tiers and Epoch AI's thresholds follow as reproductions.",
         plot=fg.headline, finding=_headline_finding),
    DataSpec("coverage", coverage_section),
    Spec("trend", "Price trends by tier vs Moore's law", trend,
         "Log-linear fit of dated prices (launch prices and price changes) per tier; tiers are the developer's "
         "own positioning of the model. One-sided test that the half-life is 2 years or more (Moore's law).",
         plot=fg.tier_trends, view=_trend_view, finding=_trend_finding, plot_panel=True),
    Spec("decline", "Total decline since 2020 under four definitions", decline,
         "An endpoint ratio, a pooled trend and two constant-capability measures: the paper's figure is most likely an "
         "endpoint ratio; the like-for-like number is the trend at constant capability.",
         plot=fg.decline, finding=_decline_finding),
    Spec("premium", "Reasoning premium per token", premium,
         "Reasoning vs other models' prices per token under five estimators.",
         plot=fg.premium, finding=_premium_finding),
    Spec("cost_per_task", "Reasoning and the cost per task vs the price per token", cost_per_task,
         "Epoch AI's evaluation token counts × blended prices: does the cost of a task fall as fast as the "
         "price of a token once reasoning tokens are counted?", plot=fg.cost_per_task),
    Spec("breaks", "Structural breaks in LLM prices", breaks,
         "Chow test at May 2024 (the paper's set-up as far as it can be inferred), the unknown-date "
         "sup-F and Bai–Perron, on the milestone series and on monthly cheapest-price indices.",
         plot=fg.breaks, finding=_breaks_finding),
    Spec("threshold", "Constant-capability declines: the cheapest model above a threshold (Epoch AI's method)",
         threshold, "Reproduction of Epoch AI's published decline factors end to end from the bundled raw inputs.",
         plot=fg.threshold_series, finding=_threshold_finding),
    Spec("rates_since_cutoff", "Constant-capability declines since Epoch's cut-off", rates_since_cutoff,
         "Epoch's method at the same thresholds, on our dated panel prices joined to Epoch benchmark "
         "scores, before and after 2025-02-05.", plot=fg.rates_since_cutoff),
    Spec("anchors", "GPT-3.5-level decline (Stanford AI Index anchor)", anchors,
         plot=lambda r: fg.cheapest_series(r, "GPT-3.5 level (Stanford AI Index anchor)", "gpt35_level")),
    Spec("a16z", "a16z's LLMflation series (cheapest model with MMLU ≥ 42)", a16z,
         plot=lambda r: fg.cheapest_series(r, "a16z LLMflation", "a16z"), finding=_a16z_finding),
    Spec("decomposition", "Cost decomposition with a TFP residual", decomposition,
         "Growth accounting of the fall in price per unit of capability (log changes; shares add to 100%).",
         plot=fg.waterfall),
    Spec("malmquist", "Frontier: DEA Malmquist productivity of LLM developers", malmquist,
         "Developer × quarter units (DMUs) from 2023Q1; output-oriented, constant returns to scale (CRS) Malmquist "
         "(Färe et al. 1994) with the variable-returns (VRS) split: the paper's set-up. CRS on ECI depends on "
         "ECI's arbitrary zero (shifting ECI by −100 moves the 2024 index); the package's translation-invariant "
         "frontier (input-oriented VRS with Simar–Wilson bootstrap intervals) is not run here (about 15 s).",
         plot=fg.malmquist),
    Spec("elasticity", "Elasticity of inference price to training cost", elasticity, plot=fg.elasticity,
         view=_elasticity_view),
    Spec("us_china", "US–China: training cost and $/FLOP", us_china, plot=fg.us_china, finding=_us_china_finding),
    Spec("concentration", "Market concentration (HHI, CR-k) by measure", concentration,
         "Concentration of developers by models listed (the paper's measure), by tokens and by spend.",
         plot=fg.concentration, view=_concentration_view, finding=_concentration_finding),
    Spec("hedonic", "Quality-adjusted (hedonic) vs matched-model price index, quarterly", hedonic,
         "Time-dummy regression of log price on quarter dummies and capability (ECI) with controls, "
         "beside a chained matched-model index of models priced in adjacent quarters (Zhu 2026's comparison).",
         plot=fg.hedonic),
    Spec("jevons", "Jevons: token volume vs price", jevons,
         "Accounting (change in log tokens, log price and log spend) per firm statement; elasticities only where "
         "prices vary enough to identify one.", plot=fg.jevons, view=_jevons_view, finding=_jevons_finding),
    Spec("baumol", "Baumol: human-service prices vs the AI price index", baumol,
         "Annual rates of consumer price index (CPI) service items, with HAC intervals, beside the AI price at "
         "constant capability.", plot=fg.baumol, view=_baumol_view, finding=_baumol_finding),
    Spec("forecast", "Forecasts of tier prices (prediction intervals)", forecast, plot=fg.forecast),
    Spec("robustness", "Appendix: robustness and specification curves", robustness,
         "Each headline re-estimated over a declared grid of specifications; the paper-vs-ours table takes the "
         "estimate under the paper's likely specification from here, and each key finding its fragility.",
         plot=fg.spec_curves, view=_robustness_view),
    DataSpec("methods", methods_section),
    DataSpec("glossary", glossary_section),
    DataSpec("sources", sources_section),
)
