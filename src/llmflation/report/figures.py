"""The report's figures: one function per study question, each ``result -> (figure, caption)``.

Every figure draws what a result object of this run holds (observations, fitted
coefficients, intervals); nothing is re-estimated here and no number is typed. Colours
are the Okabe–Ito palette (safe for the common colour-vision deficiencies); axes carry
units; sizes and fonts are chosen to be legible at 100% zoom in a 1,100 px column.

Examples
--------
>>> from llmflation.report.figures import OKABE_ITO
>>> len(OKABE_ITO)
8
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

#: Okabe & Ito (2008), "Color Universal Design": black, orange, sky blue, bluish green,
#: yellow, blue, vermillion, reddish purple.
OKABE_ITO: tuple[str, ...] = ("#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00",
                              "#CC79A7")
#: The palette without black and yellow, for lines and markers on white.
LINES: tuple[str, ...] = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
#: Figure size in inches (at the report's dpi, ~800 × 400 px).
SIZE = (8.4, 4.2)
TIER_COLOURS = MappingProxyType({"economy": "#009E73", "mid": "#0072B2", "flagship": "#D55E00"})


def _plt() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({"font.size": 10, "axes.titlesize": 10, "axes.labelsize": 10, "legend.fontsize": 8.5,
                         "axes.prop_cycle": plt.cycler(color=LINES), "axes.spines.top": False,
                         "axes.spines.right": False, "svg.hashsalt": "llmflation", "path.simplify": True})
    return plt


#: Fixed margins (fractions of the figure): a layout engine (constrained, tight) measures every
#: tick label and doubles the drawing time of a figure; these fit the labels used here.
MARGINS = MappingProxyType({"left": 0.1, "right": 0.98, "bottom": 0.15, "top": 0.93, "wspace": 0.25})


def _axes(ylabel: str, *, log: bool = False, dates: bool = True, ncols: int = 1,
          size: tuple[float, float] = SIZE, bottom: float | None = None) -> tuple[Any, Any]:
    plt = _plt()
    import matplotlib.dates as mdates

    fig, axes = plt.subplots(1, ncols, figsize=size)
    fig.subplots_adjust(**{**MARGINS, **({"bottom": bottom} if bottom is not None else {})})
    for ax in np.atleast_1d(axes):
        if dates:
            loc = mdates.AutoDateLocator(minticks=3, maxticks=9)
            ax.xaxis.set_major_locator(loc)
            ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(loc))
        if log:
            _log_y(ax)
        ax.grid(alpha=0.3, lw=0.6)
    (np.atleast_1d(axes)[0]).set_ylabel(ylabel)
    return fig, axes


PRICE = "USD per 1M tokens, blended 3:1 (log scale)"


def _log_y(ax: Any) -> None:
    """A log y axis labelled in plain numbers (0.01, 1, 100), not powers of ten."""
    from matplotlib.ticker import FuncFormatter, NullFormatter

    ax.set_yscale("log")
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: _num(v, 2)))
    ax.yaxis.set_minor_formatter(NullFormatter())


# ----------------------------------------------------------------------- data


def coverage_by_quarter(panel: pd.DataFrame, top: int = 6) -> tuple[Any, str]:
    """Price intervals starting in each quarter, stacked by source (the largest ``top``)."""
    p = panel.assign(quarter=pd.to_datetime(panel["valid_from"]).dt.to_period("Q"))
    counts = p.groupby(["quarter", "source"]).size().unstack(fill_value=0)
    order = counts.sum().sort_values(ascending=False).index
    keep = list(order[:top])
    if len(order) > top:
        counts["other sources"] = counts[[c for c in order if c not in keep]].sum(axis=1)
        keep.append("other sources")
    counts = counts[keep].sort_index()
    fig, ax = _axes("price intervals starting in the quarter", dates=False)
    x = np.arange(len(counts))
    bottom = np.zeros(len(counts))
    for i, c in enumerate(keep):
        ax.bar(x, counts[c].to_numpy(), bottom=bottom, color=LINES[i % len(LINES)] if c != "other sources"
               else "#BBBBBB", label=str(c), width=0.85)
        bottom += counts[c].to_numpy()
    step = max(1, math.ceil(len(x) / 8))
    ax.set_xticks(x[::step], [str(q) for q in counts.index[::step]])
    ax.set_xlabel("quarter in which the price interval starts (launch or price change)")
    ax.legend(ncols=2, frameon=False)
    return fig, ("Coverage: dated price intervals per quarter, by source (a launch price or a price change each). "
                 "Source: the panel of this run (bundled snapshot merged with the store).")


def milestones(panel: pd.DataFrame) -> tuple[Any, str]:
    m = panel[panel["source"] == "milestones"]
    fig, ax = _axes(PRICE, log=True)
    for tier, g in m.groupby(m["tier"].astype(object).fillna("unknown"), sort=True):
        ax.scatter(pd.to_datetime(g["valid_from"]), g["blended_usd_per_mtok"], s=20, label=str(tier),
                   color=TIER_COLOURS.get(str(tier), "#999999"), alpha=0.85, edgecolor="white", linewidth=0.4)
    ax.set_xlabel("date of the launch price or price cut")
    ax.legend(title="developer positioning", frameon=False)
    return fig, ("Hand-compiled price milestones (launch prices and cuts), blended 3:1, log scale. "
                 "Source: bundled price_milestones table (vendor pricing pages).")


# ----------------------------------------------------------------------- price dynamics


def tier_trends(res: Any) -> tuple[Any, str]:
    """Observations per tier with the fitted exponential trend and Moore's law from the same start."""
    from llmflation.study.trends import to_years

    fig, ax = _axes(PRICE, log=True)
    obs = res.observations
    for i, g in enumerate(res.groups):
        o = obs[obs["group"] == g.group]
        colour = TIER_COLOURS.get(str(g.group), LINES[i % len(LINES)])
        ax.scatter(o["date"], o["price"], s=9, alpha=0.35, color=colour, linewidth=0)
        dates = pd.date_range(o["date"].min(), o["date"].max(), periods=60)
        fitted = np.exp(g.fit.predict(to_years(dates)))
        ax.plot(dates, fitted, color=colour, lw=2.2,
                label=f"{g.group}: half-life {_num(g.half_life_years, 2)} y (R² {_num(g.r_squared, 2)})")
    # Moore's law (halving every 2 years) from the first fitted value of the first tier, as a reference slope
    g0 = res.groups[0]
    o0 = obs[obs["group"] == g0.group]
    d = pd.date_range(o0["date"].min(), o0["date"].max(), periods=2)
    start = float(np.exp(g0.fit.predict(to_years(d[:1])))[0])
    yrs = (d - d[0]).days.to_numpy() / 365.25
    ax.plot(d, start * 0.5 ** (yrs / 2.0), color="#000000", ls="--", lw=1.2, label="Moore's law: halving every 2 y")
    ax.set_xlabel("date of the launch price or price change")
    ax.legend(frameon=False, loc="lower left")
    return fig, ("Price trends by tier (developer positioning), log scale: dated prices (dots) and the fitted "
                 "log-linear trend per tier (lines), beside Moore's law. Source: the panel of this run.")


def _reference(res: Any, key: str) -> Any:
    """The result's own reference figure ``key`` (from study/paper.py), or None."""
    try:
        return res.reference_figure(key)
    except Exception:  # noqa: BLE001 - a result without that reference draws no reference line
        return None


def _num(v: Any, sig: int = 3) -> str:
    from llmflation.report.numbers import num

    return num(v, sig)


def decline(res: Any) -> tuple[Any, str]:
    t = res.table
    fig, ax = _axes("decline factor over the window (×, log scale)", log=True, dates=False)
    x = np.arange(len(t))
    est = t["factor"].astype(float).to_numpy()
    lo = t["conf_low"].astype(float).to_numpy()
    hi = t["conf_high"].astype(float).to_numpy()
    ax.bar(x, est, color=[LINES[i % len(LINES)] for i in range(len(t))], width=0.6)
    ok = np.isfinite(lo) & np.isfinite(hi)
    ax.errorbar(x[ok], est[ok], yerr=[est[ok] - lo[ok], hi[ok] - est[ok]], fmt="none", ecolor="#000000", capsize=4)
    ref = _reference(res, "du2026.total_decline")
    if ref is not None and isinstance(ref.value, int | float):
        ax.axhline(float(ref.value), color="#000000", ls=":", lw=1.2, label=f"{ref.claim}: {ref.display()} "
                   f"({ref.citation.split(',')[0]})")
    ax.set_xticks(x, [str(d).replace("_", " ") for d in t["definition"]])
    ax.set_xlabel("definition of the decline")
    ax.legend(frameon=False)
    return fig, ("Total decline under four definitions (bars, 95% CI where the definition has one) beside the "
                 "paper's figure (dotted). Source: the panel of this run.")


def threshold_series(res: Any) -> tuple[Any, str]:
    fig, ax = _axes(PRICE, log=True)
    ser = res.series
    for i, (key, g) in enumerate(ser.groupby("benchmark", sort=True)):
        first = True
        for _, h in g.groupby("threshold_model", sort=False):
            h = h.sort_values("date")
            ax.step(h["date"], h["price"], where="post", color=LINES[i % len(LINES)], alpha=0.75, lw=1.1,
                    label=str(key) if first else None)
            first = False
    ax.set_xlabel("date")
    ax.legend(title="benchmark of the threshold", frameon=False, ncols=2)
    return fig, ("Constant capability: the cheapest model at or above each benchmark threshold (running "
                 "minimum, one line per threshold), log scale. Source: Epoch AI llm-benchmark-efficiency data "
                 "(CC BY 4.0), reproduced end to end.")


def rates_since_cutoff(res: Any) -> tuple[Any, str]:
    fig, ax = _axes("decline factor per year (×, log scale)", log=True, dates=False, bottom=0.3)
    for j, (label, r) in enumerate((("before the cut-off", res.before), ("after the cut-off", res.after))):
        t = r.trends.reset_index(drop=True)
        if t.empty:
            continue
        x = np.arange(len(t)) + (j - 0.5) * 0.35
        est = t["factor_per_year"].astype(float).to_numpy()
        lo, hi = t["conf_low"].astype(float).to_numpy(), t["conf_high"].astype(float).to_numpy()
        ok = np.isfinite(lo) & np.isfinite(hi) & (est > 0)
        ax.errorbar(x[ok], est[ok], yerr=[est[ok] - np.maximum(lo[ok], 1e-9), hi[ok] - est[ok]], fmt="o",
                    color=LINES[j], capsize=3, label=label)
    labels = res.full.trends["threshold_model"].astype(str).tolist() if len(res.full.trends) else []
    if labels:
        ax.set_xticks(np.arange(len(labels)), labels, rotation=30, ha="right", fontsize=8)
    ax.axhline(1.0, color="#000000", lw=0.8)
    ax.set_xlabel("GPQA Diamond threshold (model defining it)")
    ax.legend(frameon=False)
    return fig, ("Constant-capability decline rates at the same GPQA Diamond thresholds before and after "
                 "Epoch's data cut-off (points, 90% CI). Source: the panel of this run joined to Epoch AI scores.")


def cheapest_series(res: Any, label: str) -> tuple[Any, str]:
    fig, ax = _axes(PRICE, log=True)
    m = res.monthly
    ax.step(pd.PeriodIndex(m["month"], freq="M").to_timestamp() if not np.issubdtype(m["month"].dtype, np.datetime64)
            else m["month"], m["price"], where="post", color=LINES[0], lw=1.8,
            label=f"cheapest model with {res.benchmark} ≥ {_num(res.threshold)}")
    ax.set_xlabel("month")
    ax.legend(frameon=False)
    return fig, (f"{label}: the cheapest model at or above {res.benchmark} {_num(res.threshold)} each month, "
                 "log scale. Source: Epoch AI llm-benchmark-efficiency data (CC BY 4.0).")


def premium(res: Any) -> tuple[Any, str]:
    e = res.estimates.reset_index(drop=True)
    fig, ax = _axes("reasoning / non-reasoning price (×, log scale)", log=True, dates=False)
    x = np.arange(len(e))
    est = e["estimate"].astype(float).to_numpy()
    lo, hi = e["conf_low"].astype(float).to_numpy(), e["conf_high"].astype(float).to_numpy()
    ax.bar(x, est, color=LINES[0], width=0.55, label="ours, per token (95% CI)")
    ok = np.isfinite(lo) & np.isfinite(hi)
    ax.errorbar(x[ok], est[ok], yerr=[est[ok] - lo[ok], hi[ok] - est[ok]], fmt="none", ecolor="#000000", capsize=4)
    ref = _reference(res, "du2026.reasoning_premium")
    if ref is not None and isinstance(ref.value, int | float):
        ax.axhline(float(ref.value), color=LINES[1], ls="--", lw=1.4,
                   label=f"paper: {ref.display()} ({ref.citation.split(',')[0]})")
    ax.axhline(1.0, color="#000000", lw=0.8)
    ax.set_xticks(x, [str(t).replace("_", " ") for t in e["term"]])
    ax.set_xlabel("estimator")
    ax.legend(frameon=False)
    return fig, ("Reasoning premium per token under five estimators (bars, 95% CI where defined) beside the "
                 "paper's average (dashed). Source: the panel of this run.")


def cost_per_task(res: Any) -> tuple[Any, str]:
    t = res.table.reset_index(drop=True)
    fig, ax = _axes("decline factor per year (×, log scale)", log=True, dates=False, bottom=0.3)
    x = np.arange(len(t))
    for j, (col, lab) in enumerate((("price", "price per token"), ("cost", "cost per task"))):
        est = t[f"{col}_factor"].astype(float).to_numpy()
        lo, hi = t[f"{col}_conf_low"].astype(float).to_numpy(), t[f"{col}_conf_high"].astype(float).to_numpy()
        ok = np.isfinite(est) & np.isfinite(lo) & np.isfinite(hi) & (est > 0)
        ax.errorbar(x[ok] + (j - 0.5) * 0.3, est[ok], yerr=[est[ok] - np.maximum(lo[ok], 1e-9), hi[ok] - est[ok]],
                    fmt="o", color=LINES[j], capsize=3, label=lab)
    ax.set_xticks(x, [f"{b}: {m}" for b, m in zip(t["benchmark"], t["threshold_model"], strict=False)],
                  rotation=25, ha="right", fontsize=8)
    ax.axhline(1.0, color="#000000", lw=0.8)
    ax.set_xlabel("threshold (benchmark: model defining it)")
    ax.legend(frameon=False)
    return fig, ("Per token vs per task: yearly decline of the cheapest price per token and of the cheapest cost "
                 "per completed task at the same thresholds (90% CI). Source: Epoch AI evaluation token counts "
                 "and prices (CC BY 4.0).")


def breaks(res: Any) -> tuple[Any, str]:
    """Left: the Epoch cheapest-price index with the Bai–Perron segment fits; right: the sup-F sequence."""
    fig, (a, b) = _axes("log index (0 = first month)", ncols=2, size=(9.6, 4.0))
    key = next((k for k in res.bai_perron if k.startswith("Epoch") and "trend" in k), None)
    if key is not None:
        ser = res.series_by_name[key.split(" | ")[0]]
        ts = ser.index.to_timestamp() if isinstance(ser.index, pd.PeriodIndex) else pd.DatetimeIndex(ser.index)
        a.plot(ts, ser.to_numpy(), color="#999999", lw=1.2, marker="o", ms=2.5, label="index (monthly)")
        bp = res.bai_perron[key]
        coef = bp.coef
        for i, (seg, g) in enumerate(coef.groupby("segment", sort=True)):
            c = g.set_index("term")["estimate"]
            s0, s1 = pd.Period(str(g["start"].iloc[0]), "M"), pd.Period(str(g["end"].iloc[0]), "M")
            d = pd.period_range(s0, s1, freq="M").to_timestamp()
            t = (d - pd.Timestamp("2020-01-01")).days.to_numpy() / 365.25  # the study's time origin (_trend)
            a.plot(d, c.get("(Intercept)", 0.0) + c.get("t_years", 0.0) * t, color=LINES[i % len(LINES)], lw=2.2,
                   label=f"segment {seg}" if i < 4 else None)
        for br in bp.breaks:
            a.axvline(pd.Period(str(br), "M").to_timestamp(), color="#000000", ls=":", lw=1)
        a.set_title(f"Epoch cheapest-at-threshold index: {bp.n_breaks} break(s) (Bai–Perron, BIC)")
        a.legend(frameon=False, fontsize=8)
    key_f = next((k for k in res.sup_f if k.startswith("milestones") and "trend" in k and k.endswith("ols")), None)
    if key_f is not None:
        s = res.sup_f[key_f]
        f = s.f_stats
        b.plot(pd.DatetimeIndex(f.index), f.to_numpy(), color=LINES[0], lw=1.6, label="F at each candidate date")
        if s.break_at is not None:
            b.axvline(pd.Timestamp(s.break_at), color=LINES[1], ls="--", lw=1.2,
                      label=f"sup-F date {pd.Timestamp(s.break_at).date()}")
        chow_at = res.config.get("break_at")
        if chow_at:
            b.axvline(pd.Timestamp(chow_at), color="#000000", ls=":", lw=1.2, label=f"Chow date tested {chow_at}")
        b.set_ylabel("F statistic (intercept + slope break)")
        b.set_title("Milestones: F sequence of the unknown-date test")
        b.legend(frameon=False, fontsize=8)
    return fig, ("Structural breaks. Left: Epoch's cheapest-at-threshold index (log) with the Bai–Perron segment "
                 "fits and break dates; right: the F statistic at every candidate break date of the milestone "
                 "series (sup-F), with the date the Chow test fixes. Source: bundled milestones and Epoch AI data.")


# ----------------------------------------------------------------------- supply side


def waterfall(res: Any) -> tuple[Any, str]:
    t = res.table.set_index("term")
    parts = [p for p in t.index if p not in ("price_per_capability",) and not p.startswith("gpu_hardware (")]
    vals = [float(t.loc[p, "log_change"]) for p in parts]
    total = float(t.loc["price_per_capability", "log_change"])
    fig, ax = _axes("log change (natural log points)", dates=False, bottom=0.3)
    cum = 0.0
    for i, v in enumerate(vals):
        ax.bar(i, v, bottom=cum, color=LINES[0] if v < 0 else LINES[1], width=0.6)
        ax.text(i, cum + v, _num(v, 2), ha="center", va="top" if v < 0 else "bottom", fontsize=8.5)
        cum += v
    ax.bar(len(parts), total, color="#000000", width=0.6)
    ax.text(len(parts), total, _num(total, 2), ha="center", va="top", fontsize=8.5)
    ax.axhline(0, color="#000000", lw=0.8)
    ax.set_xticks(range(len(parts) + 1), [p.replace("_", " ") for p in parts] + ["price per capability"],
                  rotation=15, ha="right")
    ax.set_xlabel(f"factor ({res.start} → {res.end}); blue lowers the price, orange raises it")
    return fig, (f"Cost decomposition as a waterfall: log change of each factor, {res.start} → {res.end}, adding "
                 "up to the log change of the price of capability (black). Source: panel, Epoch AI hardware and "
                 "models data, BLS PPI.")


def malmquist(res: Any) -> tuple[Any, str]:
    q = res.by_quarter
    spec = q["spec"].iloc[0]
    g = q[q["spec"] == spec]
    fig, ax = _axes("index, 1 = no change (log scale)", log=True, dates=False, bottom=0.3)
    x = np.arange(len(g))
    for j, (col, lab) in enumerate((("tfpch", "Malmquist (TFP change)"), ("techch", "technical change"),
                                    ("effch", "efficiency change"))):
        ax.plot(x, g[col].astype(float).to_numpy(), marker="o", color=LINES[j], lw=1.6, label=lab)
    ax.axhline(1.0, color="#000000", lw=0.8)
    ax.set_xticks(x, [f"{b}→{p}" for b, p in zip(g["base_period"], g["period"], strict=True)], rotation=30,
                  ha="right", fontsize=8)
    ax.set_xlabel(f"quarter pair (specification: {spec})")
    ax.legend(frameon=False)
    return fig, ("DEA Malmquist productivity index of LLM developers by quarter (chained), with its technical- and "
                 "efficiency-change parts, log scale. Source: the panel of this run and Epoch AI models data.")


def elasticity(res: Any) -> tuple[Any, str]:
    s = res.sample
    fig, ax = _axes("launch price, USD per 1M tokens (log scale)", log=True, dates=False)
    ax.set_xscale("log")
    ax.scatter(s["training_cost_usd"], s["price_usd_per_mtok"], color=LINES[0], s=26)
    ax.set_xlabel("training cost, 2023 USD (Epoch AI estimate, log scale)")
    ax.text(0.02, 0.95, f"elasticity {_num(res.elasticity)} (n = {res.n}, with controls)", transform=ax.transAxes,
            va="top")
    return fig, ("Launch price against training cost per model (log–log); the elasticity is the slope of the "
                 "regression with controls. Source: the panel of this run and Epoch AI models data (CC BY 4.0).")


def us_china(res: Any) -> tuple[Any, str]:
    s = res.sample
    fig, ax = _axes("training cost, 2023 USD (log scale)", log=True, dates=False)
    ax.set_xscale("log")
    for j, (c, g) in enumerate(s.groupby("country", sort=True)):
        ax.scatter(g["flop"], g["cost_usd"], s=18, color=LINES[j % len(LINES)], alpha=0.8, label=f"{c} (n = {len(g)})")
    ax.set_xlabel("training compute, FLOP (log scale)")
    ax.legend(frameon=False)
    return fig, ("Training cost against training compute, US and Chinese models: the vertical distance at equal "
                 "compute is the $/FLOP difference. Source: Epoch AI models data (CC BY 4.0).")


# ----------------------------------------------------------------------- market


def concentration(res: Any) -> tuple[Any, str]:
    t = res.table.copy()
    fig, ax = _axes("HHI (0–10,000)", dates=True)

    def when(p: str) -> pd.Timestamp:
        p = str(p)
        if "Q" in p:
            return pd.Period(p, "Q").to_timestamp(how="end").normalize()
        if len(p) == 4:
            return pd.Timestamp(f"{p}-07-01")
        return pd.Timestamp(p)

    t["when"] = [when(p) for p in t["period"]]
    for j, (m, g) in enumerate(t.groupby("measure", sort=False)):
        g = g.sort_values("when")
        ax.plot(g["when"], g["hhi"].astype(float), marker="o", ms=3.5, lw=1.6, color=LINES[j % len(LINES)],
                label=str(m).replace("_", " "))
        lo, hi = g["hhi_low"].astype(float), g["hhi_high"].astype(float)
        if (hi - lo).abs().max() > 0:
            ax.fill_between(g["when"], lo, hi, color=LINES[j % len(LINES)], alpha=0.15, lw=0)
    ax.set_xlabel("period")
    ax.legend(frameon=False, fontsize=8)
    return fig, ("Concentration of LLM developers over time by measure (HHI; shaded: bounds where shares are "
                 "partly unpublished). Source: OpenRouter listings and rankings, published market-share surveys.")


def hedonic(res: Any) -> tuple[Any, str]:
    t = res.table
    fig, ax = _axes("price index (first quarter = 1, log scale)", log=True, dates=False)
    x = np.arange(len(t))
    ax.plot(x, t["index"].astype(float), marker="o", color=LINES[0], lw=1.8, label="quality-adjusted (hedonic)")
    ax.fill_between(x, t["conf_low"].astype(float), t["conf_high"].astype(float), color=LINES[0], alpha=0.15, lw=0)
    ax.plot(x, t["matched_index"].astype(float), marker="s", color=LINES[1], lw=1.8, label="matched models")
    ax.set_xticks(x, [str(p) for p in t["period"]])
    ax.set_xlabel("quarter")
    ax.legend(frameon=False)
    return fig, ("Quality-adjusted (time-dummy hedonic on ECI, 95% band) vs matched-model price index, quarterly, "
                 "log scale. Source: the panel of this run and Epoch Capabilities Index.")


def jevons(res: Any) -> tuple[Any, str]:
    a = res.accounting
    a = a[a["interval"] == "first→last"] if (a["interval"] == "first→last").any() else a
    fig, ax = _axes("log change per year", dates=False, bottom=0.3)
    x = np.arange(len(a))
    yrs = a["years"].astype(float).to_numpy()
    for j, (col, lab) in enumerate((("dln_tokens", "tokens (volume)"), ("dln_price", "price (own index)"),
                                    ("dln_spend", "spend"))):
        ax.bar(x + (j - 1) * 0.26, a[col].astype(float).to_numpy() / yrs, width=0.26, color=LINES[j], label=lab)
    ax.axhline(0, color="#000000", lw=0.8)
    ax.set_xticks(x, [str(s) for s in a["series"]], rotation=15, ha="right", fontsize=8)
    ax.set_xlabel("firm statement series (first → last statement)")
    ax.legend(frameon=False)
    return fig, ("Jevons accounting: yearly log change of token volume, of the firm's own price index and of spend "
                 "(first to last dated statement). Source: firms' published token volumes and the panel.")


def baumol(res: Any) -> tuple[Any, str]:
    idx = res.indices.copy()
    idx["month"] = pd.to_datetime(idx["month"].astype(str))
    fig, ax = _axes("index (window start = 100, log scale)", log=True)
    labels = dict(zip(res.rates["term"], res.rates["label"], strict=False))
    services = [s for s in idx["series"].unique() if s not in ("ai_index",)]
    for j, s in enumerate(services):
        g = idx[idx["series"] == s].sort_values("month")
        bench = s in ("SA0", "SA0L1E", "SASLE")
        ax.plot(g["month"], g["index"].astype(float), lw=2.0 if bench else 0.9,
                color="#000000" if s == "SA0" else (LINES[4] if bench else "#999999"),
                ls="-" if s == "SA0" else ("--" if bench else "-"), alpha=1 if bench else 0.7,
                label=labels.get(s, s) if bench else ("human services (CPI items)" if j == len(services) - 1 else None))
    g = idx[idx["series"] == "ai_index"].sort_values("month")
    ax.step(g["month"], g["index"].astype(float), where="post", color=LINES[0], lw=2.2,
            label="AI: price at constant capability")
    ax.set_xlabel("month")
    ax.legend(frameon=False, fontsize=8, loc="lower left")
    return fig, ("Baumol: human-service CPIs (grey), all items and core (black/orange) vs the AI price index at "
                 "constant capability (blue), log scale. Source: BLS CPI-U and the panel of this run.")


def forecast(res: Any, trend: Any | None = None) -> tuple[Any, str]:
    p = res.prices.reset_index(drop=True)
    fig, ax = _axes(PRICE, log=True, dates=False)
    x = np.arange(len(p))
    est = p["price"].astype(float).to_numpy()
    ax.errorbar(x, est, yerr=[est - p["pi_low"].astype(float), p["pi_high"].astype(float) - est], fmt="o",
                color=LINES[0], capsize=5, label="prediction interval (a new price)")
    ax.errorbar(x + 0.12, est, yerr=[est - p["ci_low"].astype(float), p["ci_high"].astype(float) - est], fmt="none",
                ecolor=LINES[1], capsize=3, lw=2.5, label="confidence interval (the trend)")
    ax.set_xticks(x, [str(g) for g in p["group"]])
    ax.set_xlabel(f"tier (forecast at {pd.Timestamp(res.horizon).date()})")
    ax.legend(frameon=False)
    return fig, ("Forecast price per tier at the horizon, with prediction and confidence intervals, log scale. "
                 "Source: the trend fits of this run.")


def spec_curves(res: Any, claims: Sequence[str] | None = None) -> tuple[Any, str]:
    c = res.spec_curve_frame()
    c = c[np.isfinite(c["estimate"].astype(float))]
    wanted = claims or [k for k in ("half_life_economy", "half_life_mid", "reasoning_premium", "chow",
                                    "total_decline", "hedonic_vs_matched") if k in set(c["claim"])]
    n = len(wanted)
    plt = _plt()
    cols = 3 if n > 4 else max(1, n)
    rows = math.ceil(n / cols) if n else 1
    fig, axes = plt.subplots(rows, cols, figsize=(10.0, 3.0 * rows), squeeze=False)
    fig.subplots_adjust(left=0.07, right=0.99, bottom=0.2 / rows, top=1 - 0.09 / rows, wspace=0.22, hspace=0.55)
    for ax, claim in zip(axes.ravel(), wanted, strict=False):
        g = c[c["claim"] == claim]
        term = g.loc[g["is_default"], "term"].iloc[0] if g["is_default"].any() else g["term"].iloc[0]
        g = g[g["term"] == term].sort_values("estimate", kind="stable").reset_index(drop=True)
        x = np.arange(len(g))
        est = g["estimate"].astype(float).to_numpy()
        lo = g["conf_low"].astype(float).to_numpy() if "conf_low" in g else np.full(len(g), np.nan)
        hi = g["conf_high"].astype(float).to_numpy() if "conf_high" in g else np.full(len(g), np.nan)
        ok = np.isfinite(lo) & np.isfinite(hi)
        top = np.nanmax(est) * 4 if np.isfinite(est).any() else 1
        ax.vlines(x[ok], lo[ok], np.minimum(hi[ok], top), color="#BBBBBB", lw=1.2)
        ax.scatter(x, est, s=14, color=LINES[0], zorder=3)
        for flag, colour, lab in (("is_default", LINES[1], "default"), ("is_paper_closest", LINES[2], "closest to paper")):
            m = g[flag].to_numpy(dtype=bool)
            ax.scatter(x[m], est[m], s=48, color=colour, zorder=4, label=lab, edgecolor="#000000", lw=0.5)
        ax.set_title(f"{claim.replace('_', ' ')} ({term.replace('_', ' ')})")
        ax.set_xlabel("specification (sorted by estimate)")
        ax.grid(alpha=0.3, lw=0.6)
        if (est > 0).all() and est.max() / max(est.min(), 1e-12) > 20:
            _log_y(ax)
    for ax in axes.ravel()[n:]:
        ax.set_visible(False)
    axes.ravel()[0].legend(frameon=False, fontsize=8)
    return fig, ("Specification curves: each headline re-estimated over its declared grid of specifications "
                 "(points, sorted; grey: the estimator's interval), the default (orange) and the specification "
                 "closest to the paper (green). Source: robustness() on the data of this run.")
