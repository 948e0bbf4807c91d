"""Report sections: one per analysis, each from the analysis's own result object.

A section is a title, the result's tidy ``to_frame()`` and its notes; the "paper vs ours"
table collects, from the same results, every number the paper reports beside ours.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from llmflation.report.build import SECTIONS, Section, Table, figure


@dataclass
class Claim:
    """One number of the paper beside ours."""

    claim: str
    paper: str
    ours: str
    definition: str


CLAIMS: list[Claim] = []
_RESULTS: dict[str, Any] = {}


def _fmt(v: Any, digits: int = 3) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "n/a"
    return f"{v:.{digits}g}"


def _ci(est: Any, lo: Any, hi: Any) -> str:
    if lo is None or (isinstance(lo, float) and math.isnan(lo)):
        return _fmt(est)
    return f"{_fmt(est)} [{_fmt(lo)}, {_fmt(hi)}]"


def result_section(sid: str, title: str, text: str = "",
                   plot: Callable[[Any], tuple[Any, str]] | None = None
                   ) -> Callable[[Callable[[pd.DataFrame], Any]], Callable]:
    """Register ``fn(panel) -> result`` as a report section rendering ``result.to_frame()``.

    ``plot(result) -> (matplotlib figure, caption)`` adds an inlined figure.
    """

    def deco(fn: Callable[[pd.DataFrame], Any]) -> Callable[[pd.DataFrame], Any]:
        def build(panel: pd.DataFrame) -> Section:
            res = fn(panel)
            _RESULTS[sid] = res
            s = Section(sid, title, text=text)
            if plot is not None:
                fig, caption = plot(res)
                s.figures.append(figure(fig, caption))
            s.tables.append(Table(getattr(res, "title", title) if isinstance(getattr(res, "title", None), str) else title,
                                  res.to_frame()))
            s.notes += [str(n) for n in (getattr(res, "notes", ()) or ())]
            vint = getattr(res, "vintage", None)
            if vint:
                s.notes.append(f"Data vintage: {vint}")
            return s

        SECTIONS[sid] = build
        return fn

    return deco


# ----------------------------------------------------------------------- supply side (issue 7)


@result_section("decomposition", "Cost decomposition with a TFP residual",
                "Growth accounting of the fall in price per unit of capability (log changes; shares add to 100%).")
def _decomposition(panel: pd.DataFrame) -> Any:
    from llmflation.analysis.costs import cost_decomposition, decomposition_inputs

    r = cost_decomposition(decomposition_inputs(panel))
    f = r.to_frame().set_index("term")
    CLAIMS.append(Claim("TFP residual share of the cost reduction", "103.7%",
                        f"{f.loc['tfp_residual', 'share_pct']:.1f}%", f"log change {r.start}→{r.end}"))
    CLAIMS.append(Claim("GPU hardware share", "−0.9%",
                        f"{f.loc['gpu_hardware (rental + price-performance)', 'share_pct']:.1f}%",
                        "GPU rental price + hardware price-performance"))
    return r


@result_section("malmquist", "DEA Malmquist productivity of LLM developers",
                "Developer × quarter DMUs from 2023Q1; output-oriented CRS Malmquist (Färe et al. 1994), VRS split.")
def _malmquist(panel: pd.DataFrame) -> Any:
    from llmflation.analysis.llm_frontier import llm_malmquist

    r = llm_malmquist(panel)
    f = r.to_frame()
    main = f[(f["window"].str.contains("chained")) & (f["spec"] == f["spec"].iloc[0])].set_index("measure")
    CLAIMS.append(Claim("Malmquist index 2024Q1–Q4", "4.11", _fmt(main.loc["tfpch", "estimate"]),
                        f"{f['spec'].iloc[0]}, chained quarterly"))
    CLAIMS.append(Claim("Technical change 2024Q1–Q4", "4.13", _fmt(main.loc["techch", "estimate"]),
                        f"{f['spec'].iloc[0]}, chained quarterly"))
    return r


@result_section("elasticity", "Elasticity of inference price to training cost")
def _elasticity(panel: pd.DataFrame) -> Any:
    from llmflation.analysis.costs import elasticity, elasticity_data

    r = elasticity(elasticity_data(panel))
    row = r.to_frame().set_index("term").loc["log_training_cost"]
    CLAIMS.append(Claim("Training-cost → price elasticity", "0.432",
                        _ci(row["estimate"], row["conf_low"], row["conf_high"]), f"n = {r.n}, robust SE"))
    return r


@result_section("us_china", "US–China: training cost and $/FLOP")
def _us_china(panel: pd.DataFrame) -> Any:
    from llmflation.analysis.costs import us_china

    r = us_china(n_boot=2000, seed=0)
    f = r.to_frame().set_index("term")
    g = f.loc["training_cost_gap_us_over_china"]
    CLAIMS.append(Claim("US/China training-cost gap", "63×", _ci(g["estimate"], g["conf_low"], g["conf_high"]) + "×",
                        "ratio of geometric means, bootstrap 95% CI"))
    CLAIMS.append(Claim("Equal $/FLOP (p-value)", "0.228", _fmt(f.loc["welch_t_ln_usd_per_flop", "p_value"]),
                        "Welch t on ln $/FLOP"))
    return r


def _paper_vs_ours(panel: pd.DataFrame) -> Section:
    s = Section("paper_vs_ours", "Paper vs ours",
                text="Every number Du (2026) reports, beside ours from the bundled data (95% CI where available).")
    s.tables.append(Table("", pd.DataFrame([c.__dict__ for c in CLAIMS])))
    return s


def paper_section() -> Callable[[pd.DataFrame], Section]:
    return _paper_vs_ours


# ----------------------------------------------------------------------- structural breaks (issue 6)


@result_section("breaks", "Structural breaks in LLM prices",
                "Chow test at May 2024 (the paper's set-up as far as it can be inferred), the unknown-date "
                "sup-F and Bai–Perron, on the milestone series and on monthly cheapest-price indices.")
def _breaks(panel: pd.DataFrame) -> Any:
    from llmflation.analysis.llm_breaks import llm_price_breaks

    r = llm_price_breaks(panel=panel)
    f = r.to_frame()
    chow = f[(f["series"] == "milestones") & (f["test"] == "chow (ols)")]
    if len(chow):
        row = chow.iloc[0]
        CLAIMS.append(Claim("Chow break after May 2024", "F = 5.74, p = 0.005, F(2, 58)",
                            f"F = {_fmt(row['statistic'])}, p = {_fmt(row['p_value'])}, F{row['df']}",
                            f"{row['series']}: {row['model']}, n = {row['n']}"))
    sup = f[(f["series"] == "milestones") & (f["test"] == "sup-F (ols)")]
    if len(sup):
        row = sup.iloc[0]
        CLAIMS.append(Claim("Break date found from the data", "(not tested)",
                            f"{row['break_at']} (sup-F p = {_fmt(row['p_value'])})", "Andrews sup-F, trim 0.15"))
    return r


# ----------------------------------------------------------------------- price dynamics (issue 5)


def _axes(ylabel: str = "USD per 1M tokens (blended 3:1, log scale)") -> tuple[Any, Any]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 4.5))
    locator = mdates.AutoDateLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.set_yscale("log")
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    return fig, ax


def _plot_trend(res: Any) -> tuple[Any, str]:
    import numpy as np

    from llmflation.analysis.trend import to_years

    fig, ax = _axes()
    obs = res.observations
    for i, g in enumerate(res.groups):
        o = obs[obs["group"] == g.group]
        color = f"C{i}"
        ax.scatter(o["date"], o["price"], s=10, alpha=0.45, color=color)
        dates = pd.date_range(o["date"].min(), o["date"].max(), periods=50)
        ax.plot(dates, np.exp(g.fit.predict(to_years(dates))), color=color,
                label=f"{g.group}: half-life {g.half_life_years:.2g} y, R² {g.r_squared:.2f}")
    ax.legend(fontsize=8)
    return fig, "Dated prices (launches and price changes) per tier with the fitted exponential trend"


def _plot_threshold(res: Any) -> tuple[Any, str]:
    fig, ax = _axes()
    ser = res.series
    for i, (_, g) in enumerate(ser.groupby(["benchmark", "threshold_model"], sort=False)):
        g = g.sort_values("date")
        ax.step(g["date"], g["price"], where="post", color=f"C{i % 10}", alpha=0.7, lw=1)
    ax.set_title("Cheapest model at or above each capability threshold (21 Epoch thresholds)", fontsize=9)
    return fig, "Running minimum of price among models above each threshold (Epoch AI's method, reproduced)"


@result_section("trend", "Tiered price half-lives vs Moore's law",
                "Log-linear fit of dated prices (launch prices and price changes) per tier; tiers = the developer's "
                "own positioning (see assign_tiers). One-sided test of H0: half-life ≥ 2 years.",
                plot=_plot_trend)
def _trend(panel: pd.DataFrame) -> Any:
    from llmflation.analysis.trend import price_trend

    r = price_trend(panel, by="tier", n_boot=1000, seed=0)
    f = r.to_frame()
    for tier, paper in (("economy", "1.10 y"), ("mid", "1.55 y")):
        h = f[(f["group"] == tier) & (f["term"] == "half_life_years")]
        if len(h):
            row = h.iloc[0]
            CLAIMS.append(Claim(f"{tier.capitalize()}-tier half-life", paper,
                                _ci(row["estimate"], row["conf_low"], row["conf_high"]) + " y",
                                f"positioning tiers, n = {row['n']}, {row['start_date']} → {row['end_date']}"))
    h = f[(f["group"] == "flagship") & (f["term"] == "half_life_years")]
    if len(h):
        CLAIMS.append(Claim("Flagship trend R²", "0.031", _fmt(h.iloc[0]["r_squared"]), "positioning tiers"))
    return r


@result_section("decline", "Total decline since 2020 under three definitions")
def _decline(panel: pd.DataFrame) -> Any:
    from llmflation.analysis.decline import total_decline

    r = total_decline(panel, start="2020-01-01", end="2026-03-28")
    f = r.to_frame().set_index("term")
    for term, label in (("endpoint", "endpoint ratio"), ("trend", "pooled trend"),
                        ("constant_capability", "constant capability (ECI), endpoint"),
                        ("constant_capability_trend", "constant capability (ECI), trend")):
        if term in f.index:
            row = f.loc[term]
            CLAIMS.append(Claim(f"Total decline 2020–2026 ({label})", "~600×",
                                _ci(row["estimate"], row["conf_low"], row["conf_high"]) + "×", str(row["note"])[:120]))
    return r


@result_section("premium", "Reasoning premium")
def _premium(panel: pd.DataFrame) -> Any:
    from llmflation.analysis.premium import reasoning_premium

    r = reasoning_premium(panel)
    f = r.to_frame().set_index("term")
    for term in ("raw", "matched", "raw_arithmetic", "matched_arithmetic"):
        if term in f.index:
            row = f.loc[term]
            CLAIMS.append(Claim(f"Reasoning premium ({term})", "31.5×",
                                _ci(row["estimate"], row["conf_low"], row["conf_high"]) + "×", str(row["method"])))
    return r


@result_section("threshold", "Cheapest model above a capability threshold (Epoch AI's method)",
                "Reproduction of Epoch AI's 21 published decline factors end to end from the bundled raw inputs.",
                plot=_plot_threshold)
def _threshold(panel: pd.DataFrame) -> Any:
    from llmflation.analysis.threshold import epoch_reproduction

    r = epoch_reproduction()
    f = r.to_frame()
    if "reference_factor" in f:
        ok = ((f["estimate"] / f["reference_factor"] - 1).abs() <= 0.10).sum()
        CLAIMS.append(Claim("Epoch factors reproduced within 10% (of 21)", "21 (Epoch AI)", str(int(ok)),
                            "end to end from raw price and benchmark tables"))
        CLAIMS.append(Claim("Median decline factor per year at constant capability", "~40–50× (Epoch AI)",
                            _fmt(float(f["estimate"].median())) + "×", "median of the 21 thresholds"))
    return r


@result_section("anchors", "a16z and GPT-3.5-level declines")
def _anchors(panel: pd.DataFrame) -> Any:
    from llmflation.analysis.threshold import gpt35_level_decline

    return gpt35_level_decline()


@result_section("forecast", "Forecast of tier prices to the end of 2027 (prediction intervals)")
def _forecast(panel: pd.DataFrame) -> Any:
    from llmflation.analysis.forecast import forecast

    return forecast(panel)


@result_section("rates_since_cutoff", "Have constant-capability decline rates changed since Epoch's cut-off?",
                "Epoch's method at the same thresholds, on our dated panel prices joined to Epoch benchmark "
                "scores, before and after 2025-02-05.")
def _rates_since_cutoff(panel: pd.DataFrame) -> Any:
    from llmflation.analysis import threshold as th

    prices = th.panel_prices(panel).dropna(subset=["epoch_model"])
    r = th.rates_since_cutoff(prices, th.epoch_scores("GPQA Diamond"), benchmark="GPQA Diamond",
                              model_col="epoch_model", date_col="date", price_col="price")
    med = r.medians()
    CLAIMS.append(Claim("Median constant-capability decline, GPQA Diamond: before / after Feb 2025",
                        "(Epoch: ~40–50× to Feb 2025)", f"{_fmt(med['before'])}× / {_fmt(med['after'])}×",
                        "our panel prices, same thresholds in both periods; few points after the cut-off"))
    return r


@result_section("cost_per_task", "Cost per task vs price per token",
                "Epoch's evaluation token counts × blended prices: does the cost of a task fall as fast as the "
                "price of a token once reasoning tokens are counted?")
def _cost_per_task(panel: pd.DataFrame) -> Any:
    from llmflation.analysis.task_cost import cost_vs_price_trends, epoch_task_costs
    from llmflation.analysis.threshold import epoch_price_inputs

    r = cost_vs_price_trends(epoch_task_costs(), frontier_from=epoch_price_inputs())
    CLAIMS.append(Claim("Per-task cost decline ÷ per-token price decline (geometric mean)", "(not in the paper)",
                        _fmt(r.geomean_ratio), "< 1: cost per task falls slower than price per token"))
    return r


@result_section("a16z", "a16z's LLMflation series (cheapest model with MMLU ≥ 42 and ≥ 83)")
def _a16z(panel: pd.DataFrame) -> Any:
    from llmflation.analysis.threshold import a16z_series

    s = a16z_series()
    return s[42.0]


# ----------------------------------------------------------------------- market structure


@result_section("concentration", "Market concentration of LLM developers (HHI, CR-k)")
def _concentration(panel: pd.DataFrame) -> Any:
    from llmflation.analysis.concentration import llm_concentration

    r = llm_concentration()
    f = r.to_frame()
    m = f[f["measure"] == "openrouter_models_available"].set_index("period")
    first = m.index[m["n_firms"] >= 5][0]  # earlier quarters hold one or two surviving listings
    CLAIMS.append(Claim("HHI of developers, 2023Q1 → 2026Q1", "4,558 → 2,086",
                        f"{m.loc[first, 'hhi']:,.0f} ({first}, first quarter with ≥ 5 developers) → "
                        f"{m.loc['2026Q1', 'hhi']:,.0f} (2026Q1)"
                        if "2026Q1" in m.index else "n/a",
                        "shares of priced models available on OpenRouter (listing dates; survivors only)"))
    return r


@result_section("hedonic", "Quality-adjusted (hedonic) price index vs a matched-model index",
                "Time-dummy regression of log price on quarter dummies and capability (ECI) with controls, "
                "beside a chained matched-model index of models priced in adjacent quarters.")
def _hedonic(panel: pd.DataFrame) -> Any:
    from llmflation.analysis.index import hedonic_index

    r = hedonic_index(panel, seed=0)
    lo, hi = r.hedonic_ci
    mlo, mhi = r.matched_ci
    CLAIMS.append(Claim("Quality-adjusted price change (log points per year)", "−0.73 (Zhu 2026)",
                        _ci(r.hedonic_log_change_per_year, lo, hi), "time-dummy hedonic on ECI, quarterly"))
    CLAIMS.append(Claim("Matched-model price change (log points per year)", "−0.10 (Zhu 2026)",
                        _ci(r.matched_log_change_per_year, mlo, mhi), "chained Jevons of models in adjacent quarters"))
    return r
