"""The report's figures: one function per study question, each ``result -> Fig``.

A :class:`Fig` is a Plotly figure as plain data (``data`` traces and ``layout``, the
format ``Plotly.newPlot`` reads), with a caption stating the finding in words, its
source and the ids of the claims the caption prints. The page draws it interactively
with the Plotly bundle inlined once (:func:`plotly_js`, offline); :mod:`.static` draws
the same data with matplotlib for the static PNG export. Nothing is re-estimated here
and no number is typed: every value is read from a result of this run, published figures
come from the result's references and are drawn as reference marks (dotted lines or
open diamonds, labelled "published").

Hover shows, where the data has them, the model, developer, date, price and source.
Axes carry units; log axes get 1–2–5 ticks written as plain numbers. Colours are the
Okabe–Ito palette (safe for the common colour-vision deficiencies).

Examples
--------
>>> log_ticks([0.07, 60.0])["ticktext"]  # three decades: one tick per decade
['0.1', '1', '10']
>>> log_ticks([0.3, 4.0])["ticktext"]  # about one decade: finer ticks
['0.2', '0.3', '0.5', '0.7', '1', '1.5', '2', '3', '5']
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from llmflation.report import numbers as nb

#: Okabe & Ito (2008): black, orange, sky blue, bluish green, yellow, blue, vermillion, reddish purple.
OKABE_ITO: tuple[str, ...] = ("#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00",
                              "#CC79A7")
#: The palette without black and yellow, for lines and markers on white.
LINES: tuple[str, ...] = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
TIER_COLOURS = MappingProxyType({"economy": "#009E73", "mid": "#0072B2", "flagship": "#D55E00"})
REFERENCE_COLOUR = "#000000"
PRICE = "USD per 1M tokens (3:1 blend, log scale)"


@dataclass
class Fig:
    """One figure: Plotly traces and layout as data, a caption (may hold ``{claim_id}``), its source."""

    data: list[dict[str, Any]]
    layout: dict[str, Any]
    caption: str
    source: str
    height: int = 420
    #: Extra keyword arguments for the static export (e.g. a figure that is a table of small panels).
    static: dict[str, Any] = field(default_factory=dict)

    def spec(self) -> dict[str, Any]:
        return {"data": self.data, "layout": {**self.layout, "height": self.height}}

    def n_points(self) -> int:
        return sum(len(t.get("x") or t.get("y") or []) for t in self.data)


def plotly_js() -> str:
    """The Plotly JavaScript bundle (from the installed package: no network)."""
    from plotly.offline import get_plotlyjs

    return str(get_plotlyjs())


# ----------------------------------------------------------------------- helpers


def _clean(values: Any) -> list[Any]:
    """JSON-ready list: NaN/inf → None, timestamps → ISO dates, numpy scalars → Python."""
    out: list[Any] = []
    for v in list(values):
        if v is None or (isinstance(v, float) and not math.isfinite(v)):
            out.append(None)
        elif isinstance(v, pd.Timestamp | np.datetime64) or hasattr(v, "strftime"):
            t = pd.Timestamp(v)
            out.append(None if pd.isna(t) else t.strftime("%Y-%m-%d"))
        elif isinstance(v, pd.Period):
            out.append(v.start_time.strftime("%Y-%m-%d"))
        elif isinstance(v, np.integer):
            out.append(int(v))
        elif isinstance(v, np.floating):
            out.append(float(v) if np.isfinite(v) else None)
        elif isinstance(v, np.bool_):
            out.append(bool(v))
        elif isinstance(v, str):
            out.append(v)
        else:
            try:
                out.append(None if pd.isna(v) else v)
            except (TypeError, ValueError):
                out.append(str(v))
    return out


def _text(v: Any) -> str:
    """A hover label from the data, HTML-escaped (Plotly renders a subset of HTML in labels)."""
    if v is None or (isinstance(v, float) and math.isnan(v)) or (not isinstance(v, str) and pd.isna(v)):
        return "—"
    return escape(str(v))


def log_ticks(values: Sequence[Any] | np.ndarray) -> dict[str, Any]:
    """Readable ticks for a log axis over ``values``: 1–2–5 per decade (1, 1.5, 2, 3, 5, 7 over
    a narrow range, one per decade or every other decade over a wide one), as plain numbers."""
    v = np.asarray([x for x in _clean(values) if isinstance(x, int | float) and x > 0], dtype=float)
    if not len(v):
        return {}
    lo, hi = float(v.min()), float(v.max())
    if hi / lo < 1.05:
        lo, hi = lo / 1.5, hi * 1.5
    e0, e1 = math.floor(math.log10(lo)) - 1, math.ceil(math.log10(hi)) + 1
    ticks: list[float] = []
    for mant in ((1, 1.5, 2, 3, 5, 7), (1, 2, 5), (1,)):
        ticks = [m * 10.0 ** e for e in range(e0, e1 + 1) for m in mant if lo / 1.6 <= m * 10.0 ** e <= hi * 1.6]
        if len(ticks) <= 9:
            break
    if len(ticks) > 9:  # many decades: every other one
        ticks = [t for t in ticks if round(math.log10(t)) % 2 == 0]
    if len(ticks) < 3:
        ticks = sorted({*ticks, lo, hi, math.sqrt(lo * hi)})
    return {"tickvals": ticks, "ticktext": [nb.num(t, 2) for t in ticks]}


def axis(title: str, *, log: bool = False, values: Any = None, date: bool = False, category: bool = False,
         **kw: Any) -> dict[str, Any]:
    a: dict[str, Any] = {"title": {"text": title, "standoff": 8}, "automargin": True, "zeroline": False,
                         "gridcolor": "#e6e6e6", "linecolor": "#888888", "ticks": "outside", "showline": True}
    if log:
        a["type"] = "log"
        if values is not None:
            a.update(log_ticks(values))
    elif date:
        a["type"] = "date"
    elif category:
        a["type"] = "category"
        a["tickangle"] = kw.pop("tickangle", -30)
    a.update(kw)
    return a


def layout(x: dict[str, Any], y: dict[str, Any], *, title: str = "", **kw: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "xaxis": x, "yaxis": y, "hovermode": "closest", "autosize": True,
        "margin": {"l": 10, "r": 10, "t": 36 if title else 14, "b": 10},
        "font": {"family": "system-ui, -apple-system, Segoe UI, sans-serif", "size": 12, "color": "#1d1d1f"},
        "legend": {"orientation": "h", "yanchor": "top", "y": -0.22, "x": 0, "font": {"size": 11}},
        "plot_bgcolor": "#ffffff", "paper_bgcolor": "#ffffff", "hoverlabel": {"align": "left"},
    }
    if title:
        out["title"] = {"text": title, "font": {"size": 13}, "x": 0, "xanchor": "left"}
    out.update(kw)
    return out


def hover_frame(frame: pd.DataFrame, *, date: str | None = None, price: str | None = None,
                price_label: str = "price", price_unit: str = " per 1M tokens") -> tuple[list[list[Any]], str]:
    """``customdata`` and a hover template: model, developer, date, price and source where present."""
    def pick(*names: str) -> str | None:
        return next((n for n in names if n in frame.columns), None)

    fields: list[tuple[str, str | None]] = [
        ("model", pick("model_name", "model", "model_id", "threshold_model", "label", "name")),
        ("developer", pick("developer", "organization", "author", "country")),
        ("date", date or pick("date", "valid_from", "release_date", "month", "publication_date")),
        (price_label, price or pick("price", "blended_usd_per_mtok", "price_usd_per_mtok")),
        ("source", pick("source", "source_key", "price_source", "benchmark")),
    ]
    cols: list[list[Any]] = []
    parts: list[str] = []
    for i, (label, col) in enumerate(fields):
        if col is None:
            continue
        raw = frame[col]
        if label == "date":
            vals = [_text(d) for d in _clean(pd.to_datetime(raw, errors="coerce"))]
        elif label == price_label:
            vals = [("$" if "USD" in price_unit or "tokens" in price_unit else "") + nb.num(v, 3) + price_unit
                    for v in raw]
        else:
            vals = [_text(v) for v in raw]
        cols.append(vals)
        parts.append(f"<b>%{{customdata[{len(cols) - 1}]}}</b>" if i == 0 else f"{label}: %{{customdata[{len(cols) - 1}]}}")
    data = [list(r) for r in zip(*cols, strict=True)] if cols else []
    return data, "<br>".join(parts) + "<extra></extra>"


def points(frame: pd.DataFrame, x: str, y: str, *, name: str, colour: str, size: int = 7, opacity: float = 0.75,
           symbol: str = "circle", hover: tuple[list[list[Any]], str] | None = None, **kw: Any) -> dict[str, Any]:
    cd, tpl = hover if hover is not None else hover_frame(frame, date=x if "date" in x or x in ("valid_from",
                                                                                                 "month") else None,
                                                           price=y)
    return {"type": "scatter", "mode": "markers", "name": name, "x": _clean(frame[x]), "y": _clean(frame[y]),
            "customdata": cd, "hovertemplate": tpl,
            "marker": {"color": colour, "size": size, "opacity": opacity, "symbol": symbol,
                       "line": {"width": 0.5, "color": "#ffffff"}}, **kw}


def line(x: Any, y: Any, *, name: str, colour: str, width: float = 2.2, dash: str = "solid", shape: str = "linear",
         hover: str | None = None, markers: bool = False, **kw: Any) -> dict[str, Any]:
    t: dict[str, Any] = {"type": "scatter", "mode": "lines+markers" if markers else "lines", "name": name,
                         "x": _clean(x), "y": _clean(y),
                         "line": {"color": colour, "width": width, "dash": dash, "shape": shape}, **kw}
    if markers:
        t["marker"] = {"size": 6, "color": colour}
    if hover:
        t["hovertemplate"] = hover + "<extra></extra>"
    return t


def band(x: Any, lo: Any, hi: Any, *, name: str, colour: str) -> dict[str, Any]:
    """A shaded interval (one closed polygon)."""
    xs, los, his = _clean(x), _clean(lo), _clean(hi)
    keep = [i for i in range(len(xs)) if los[i] is not None and his[i] is not None]
    xx = [xs[i] for i in keep]
    return {"type": "scatter", "mode": "lines", "name": name, "x": xx + xx[::-1],
            "y": [his[i] for i in keep] + [los[i] for i in keep][::-1], "fill": "toself", "fillcolor": _alpha(colour),
            "line": {"width": 0, "color": colour}, "hoverinfo": "skip"}


def _alpha(colour: str, a: float = 0.18) -> str:
    c = colour.lstrip("#")
    return f"rgba({int(c[0:2], 16)},{int(c[2:4], 16)},{int(c[4:6], 16)},{a})"


def errorbars(x: Any, est: Any, lo: Any, hi: Any, *, name: str, colour: str, text: Sequence[str] | None = None,
              symbol: str = "circle", size: int = 9, unit: str = "") -> dict[str, Any]:
    """Points with asymmetric error bars; an interval that does not contain its estimate is not drawn."""
    e, lo_, hi_ = (np.asarray(_num_list(v), dtype=float) for v in (est, lo, hi))
    ok = np.isfinite(lo_) & np.isfinite(hi_) & (lo_ <= e) & (e <= hi_)
    plus = np.where(ok, hi_ - e, np.nan)
    minus = np.where(ok, e - lo_, np.nan)
    labels = list(text) if text is not None else [""] * len(e)
    cd = [[lab, nb.num(v), f"[{nb.num(a)}, {nb.num(b)}]" if k else "(no interval)"]
          for lab, v, a, b, k in zip(labels, e, lo_, hi_, ok, strict=True)]
    return {"type": "scatter", "mode": "markers", "name": name, "x": _clean(x), "y": _clean(e),
            "marker": {"color": colour, "size": size, "symbol": symbol},
            "error_y": {"type": "data", "symmetric": False, "array": _clean(plus), "arrayminus": _clean(minus),
                        "color": colour, "thickness": 1.5, "width": 4},
            "customdata": cd,
            "hovertemplate": f"<b>%{{customdata[0]}}</b><br>{escape(name)}: %{{customdata[1]}}{escape(unit)} "
                             "%{customdata[2]}<extra></extra>"}


def _num_list(v: Any) -> list[float]:
    return [float(x) if x is not None else math.nan for x in _clean(v)]


def hline(y: float, *, x0: Any, x1: Any, name: str, colour: str = REFERENCE_COLOUR, dash: str = "dot",
          width: float = 1.5) -> dict[str, Any]:
    """A horizontal line as a trace (it shows in the legend and on hover)."""
    return {"type": "scatter", "mode": "lines", "name": name, "x": _clean([x0, x1]), "y": [y, y],
            "line": {"color": colour, "dash": dash, "width": width},
            "hovertemplate": f"{escape(name)}<extra></extra>"}


def reference_marks(x: Any, y: Any, *, name: str, labels: Sequence[str]) -> dict[str, Any]:
    """Published figures as open diamonds."""
    return {"type": "scatter", "mode": "markers", "name": name, "x": _clean(x), "y": _clean(y),
            "marker": {"symbol": "diamond-open", "size": 12, "color": REFERENCE_COLOUR, "line": {"width": 2}},
            "customdata": [[_text(s)] for s in labels],
            "hovertemplate": "published: %{customdata[0]}<extra></extra>"}


def _reference(res: Any, key: str) -> Any:
    try:
        return res.reference_figure(key)
    except Exception:  # noqa: BLE001 - a result without that reference draws no reference mark
        return None


def _short_citation(ref: Any) -> str:
    return str(ref.citation).split(",")[0].split("(")[0].strip() or str(ref.citation)


def _label(s: Any) -> str:
    return str(s).replace("_", " ")


def _finite(a: Any) -> np.ndarray:
    v = np.asarray(_num_list(a), dtype=float)
    return v[np.isfinite(v)]


# ----------------------------------------------------------------------- data


def coverage_by_quarter(panel: pd.DataFrame, top: int = 6) -> Fig:
    """Price intervals starting in each quarter, stacked by source (the largest ``top``)."""
    p = panel.assign(quarter=pd.to_datetime(panel["valid_from"]).dt.to_period("Q").astype(str))
    counts = p.groupby(["quarter", "source"]).size().unstack(fill_value=0).sort_index()
    order = counts.sum().sort_values(ascending=False).index
    keep = list(order[:top])
    if len(order) > top:
        counts["other sources"] = counts[[c for c in order if c not in keep]].sum(axis=1)
        keep.append("other sources")
    data = [{"type": "bar", "name": str(c), "x": list(counts.index), "y": _clean(counts[c]),
             "marker": {"color": LINES[i % len(LINES)] if c != "other sources" else "#BBBBBB"},
             "hovertemplate": f"{escape(str(c))}, %{{x}}: %{{y}} price intervals<extra></extra>"}
            for i, c in enumerate(keep)]
    lay = layout(axis("quarter in which the price interval starts", category=True),
                 axis("price intervals starting in the quarter (count)"), barmode="stack")
    return Fig(data, lay, "Dated price intervals per quarter by source: each is a launch price or a price change.",
               "the panel of this run (bundled snapshot merged with the store)")


def milestones(panel: pd.DataFrame) -> Fig:
    m = panel[panel["source"] == "milestones"].copy()
    m["valid_from"] = pd.to_datetime(m["valid_from"])
    data = []
    tiers = m["tier"].astype(object).fillna("unknown")
    for tier in [t for t in ("economy", "mid", "flagship", "unknown") if (tiers == t).any()]:
        g = m[tiers == tier]
        data.append(points(g, "valid_from", "blended_usd_per_mtok", name=str(tier),
                           colour=TIER_COLOURS.get(str(tier), "#999999")))
    lay = layout(axis("date of the launch price or price cut", date=True),
                 axis(PRICE, log=True, values=m["blended_usd_per_mtok"]), legend_title_text="developer positioning")
    return Fig(data, lay, "Hand-compiled launch prices and price cuts, by the developer's positioning of the model.",
               "bundled price milestones (vendors' pricing pages)")


# ----------------------------------------------------------------------- price dynamics


def with_provenance(obs: pd.DataFrame, panel: pd.DataFrame | None) -> pd.DataFrame:
    """Observations (``model``, ``date``) with the developer and the source of the price, from the panel."""
    if panel is None or "model" not in obs or not {"model_id", "developer", "source", "valid_from"} <= set(panel):
        return obs
    p = panel[["model_id", "developer", "source", "valid_from"]].copy()
    p["valid_from"] = pd.to_datetime(p["valid_from"]).dt.normalize()
    exact = p.drop_duplicates(["model_id", "valid_from"]).rename(columns={"model_id": "model", "valid_from": "date"})
    dev = p.drop_duplicates("model_id").set_index("model_id")["developer"]
    out = obs.assign(date=pd.to_datetime(obs["date"]).dt.normalize()).merge(exact[["model", "date", "source"]],
                                                                             on=["model", "date"], how="left")
    out["developer"] = out["model"].map(dev)
    return out


def tier_trends(res: Any, panel: pd.DataFrame | None = None) -> Fig:
    """Observations per tier with the fitted exponential trend and Moore's law from the same start."""
    from llmflation.study.trends import to_years

    obs = with_provenance(res.observations, panel)
    data: list[dict[str, Any]] = []
    for i, g in enumerate(res.groups):
        o = obs[obs["group"] == g.group]
        colour = TIER_COLOURS.get(str(g.group), LINES[i % len(LINES)])
        data.append(points(o, "date", "price", name=f"{g.group}: dated prices", colour=colour, size=6, opacity=0.5,
                           legendgroup=str(g.group)))
        dates = pd.date_range(o["date"].min(), o["date"].max(), periods=40)
        data.append(line(dates, np.exp(g.fit.predict(to_years(dates))), colour=colour, legendgroup=str(g.group),
                         name=f"{g.group}: fitted trend",
                         hover=f"{escape(str(g.group))} trend: %{{y:.3g}} USD per 1M tokens on %{{x|%Y-%m}}"))
    g0 = res.groups[0]
    o0 = obs[obs["group"] == g0.group]
    d = pd.date_range(o0["date"].min(), o0["date"].max(), periods=2)
    start = float(np.exp(g0.fit.predict(to_years(d[:1])))[0])
    yrs = (d - d[0]).days.to_numpy() / 365.25
    data.append(line(d, start * 0.5 ** (yrs / 2.0), name="Moore's law: halving every 2 years (reference)",
                     colour=REFERENCE_COLOUR, dash="dash", width=1.4))
    lay = layout(axis("date of the launch price or price change", date=True),
                 axis(PRICE, log=True, values=obs["price"]))
    parts = []
    for g in res.groups:  # a half-life that is not estimable is said so, never given as a rate
        ok = getattr(g, "half_life_status", ("estimated", ""))[0] == "estimated"
        parts.append(f"{g.group}-tier prices halve every {{half_life_{g.group}}}" if ok
                     else f"the {g.group}-tier half-life is {{half_life_{g.group}}}")
    return Fig(data, lay, "Prices by developer-positioning tier: " + "; ".join(parts) + ". Dashed: Moore's law "
               "(halving every 2 years) from the same start.",
               "the panel of this run (first-party launch prices and price changes of canonical models)")


def decline(res: Any) -> Fig:
    t = res.table.reset_index(drop=True)
    labels = [_label(d) for d in t["definition"]]
    est, lo, hi = t["factor"], t["conf_low"], t["conf_high"]
    ok = (t["status"].astype(str) == "estimated").to_numpy() if "status" in t else np.ones(len(t), dtype=bool)
    data = [errorbars([x for x, k in zip(labels, ok, strict=True) if k], est[ok], lo[ok], hi[ok],
                      name="ours (95% CI where defined)", colour=LINES[0],
                      text=[x for x, k in zip(labels, ok, strict=True) if k], unit="×")]
    if (~ok).any():  # not estimable: drawn hollow and grey, without its interval, and said so
        bad = [x for x, k in zip(labels, ok, strict=True) if not k]
        data.append({"type": "scatter", "mode": "markers", "name": "not estimable (point shown without interval)",
                     "x": bad, "y": _clean(est[~ok]), "marker": {"symbol": "circle-open", "size": 10,
                                                                 "color": "#999999"},
                     "hovertemplate": "%{x}: not estimable (interval spans more than two orders of magnitude or "
                                      "too few points)<extra></extra>"})
    ref = _reference(res, "du2026.total_decline")
    vals = [*_finite(est), *_finite(lo), *_finite(hi)]
    if ref is not None and isinstance(ref.value, int | float):
        data.append(reference_marks(labels, [float(ref.value)] * len(labels),
                                    name=f"published: {ref.display()} ({_short_citation(ref)})",
                                    labels=[f"{ref.display()} — {ref.citation}"] * len(labels)))
        vals.append(float(ref.value))
    lay = layout(axis("definition of the decline", category=True, tickangle=0),
                 axis("decline factor over the window (×, log scale)", log=True, values=vals))
    return Fig(data, lay, "Total decline under four definitions: {total_decline_endpoint} end to end, "
               "{total_decline_trend} along the pooled trend; the trend at constant capability, the like-for-like "
               "definition, is {total_decline}. The published figure is drawn as open diamonds.",
               "the panel of this run; the paper's figure from its text")


def headline(res: Any) -> Fig:
    """The headline quality-adjusted index with its interval, beside its companions."""
    if hasattr(res, "figure_data"):
        f = res.figure_data()
        data: list[dict[str, Any]] = []
        names = {"hedonic": "quality-adjusted (chained hedonic)", "token_weighted": "token-weighted",
                 "matched": "matched models (same models, adjacent periods)"}
        for j, (s, g) in enumerate(f.groupby("series", sort=False)):
            g = g.dropna(subset=["index"])
            if g.empty:
                continue
            if g["conf_low"].notna().any():
                data.append(band(g["period_start"], g["conf_low"], g["conf_high"], name=f"{names.get(s, s)}: 95% CI",
                                 colour=LINES[j]))
            data.append(line(g["period_start"], g["index"], name=names.get(s, s), colour=LINES[j], markers=True,
                             hover=f"{escape(names.get(s, s))}: %{{y:.3g}} in %{{x|%Y-%m}}"))
        vals = f[["index", "conf_low", "conf_high"]].to_numpy().ravel()
        lay = layout(axis("month", date=True), axis("price index (first period = 1, log scale)", log=True,
                                                    values=vals))
        return Fig(data, lay, "The price of constant capability: the chained quality-adjusted index falls "
                   "{headline_index} a year.", "first-party prices of canonical models in the panel of this run; "
                   "Epoch Capabilities Index")
    return hedonic(res)


def threshold_series(res: Any) -> Fig:
    ser = res.series.assign(source="Epoch AI benchmark-efficiency data")
    data: list[dict[str, Any]] = []
    for i, (key, g) in enumerate(ser.groupby("benchmark", sort=True)):
        first = True
        for thr, h in g.groupby("threshold_model", sort=False):
            h = h.sort_values("date")
            cd, tpl = hover_frame(h, date="date", price="price")
            tpl = tpl.replace("<extra>", f"<br>threshold: {escape(str(key))} of {escape(str(thr))}<extra>")
            data.append({**line(h["date"], h["price"], name=str(key), colour=LINES[i % len(LINES)], width=1.3,
                                shape="hv", legendgroup=str(key), showlegend=first),
                         "customdata": cd, "hovertemplate": tpl, "opacity": 0.8})
            first = False
    lay = layout(axis("date", date=True), axis(PRICE, log=True, values=ser["price"]),
                 legend_title_text="benchmark of the threshold")
    return Fig(data, lay, "Epoch AI's method reproduced end to end: the cheapest model at or above each benchmark "
               "threshold (one line per threshold); {epoch_reproduced} of Epoch's published factors are "
               "reproduced within 10%.", "Epoch AI llm-benchmark-efficiency data (CC BY 4.0)")


def rates_since_cutoff(res: Any) -> Fig:
    data: list[dict[str, Any]] = []
    vals: list[float] = []
    for j, (label, r) in enumerate((("before the cut-off", res.before), ("after the cut-off", res.after))):
        t = r.trends.reset_index(drop=True)
        if t.empty:
            continue
        labels = t["threshold_model"].astype(str).tolist()
        data.append(errorbars(labels, t["factor_per_year"], t["conf_low"], t["conf_high"], name=label,
                              colour=LINES[j], text=labels, unit="× per year", symbol="circle" if j == 0 else "square"))
        vals += [*_finite(t["factor_per_year"]), *_finite(t["conf_low"]), *_finite(t["conf_high"])]
    vals = [v for v in vals if v > 0]
    lay = layout(axis("GPQA Diamond threshold (model defining it)", category=True),
                 axis("decline factor per year (×, log scale)", log=True, values=vals or [1]), boxmode="group")
    return Fig(data, lay, "Constant-capability decline rates at the same GPQA Diamond thresholds before and after "
               "Epoch's data cut-off (90% CI).", "the panel of this run joined to Epoch AI benchmark scores")


def cheapest_series(res: Any, label: str, claim: str) -> Fig:
    m = res.monthly.copy()
    when = pd.PeriodIndex(m["month"].astype(str), freq="M").to_timestamp() \
        if not np.issubdtype(m["month"].dtype, np.datetime64) else m["month"]
    m = m.assign(month_start=when, source="Epoch AI benchmark-efficiency data")
    cd, tpl = hover_frame(m, date="month_start", price="price")
    data = [{**line(m["month_start"], m["price"], name=f"cheapest model with {res.benchmark} ≥ {nb.num(res.threshold)}",
                    colour=LINES[0], shape="hv", markers=True), "customdata": cd, "hovertemplate": tpl}]
    vals = list(_finite(m["price"]))
    ref = _reference(res, "aiindex2025.gpt35_level" if claim == "gpt35_level" else "a16z2024.mmlu42")
    if ref is not None and isinstance(ref.value, dict) and {"start_price", "end_price"} <= set(ref.value):
        v = ref.value
        x0 = v.get("start") or str(m["month_start"].min().date())[:7]
        x1 = v.get("end") or str(m["month_start"].max().date())[:7]
        data.append(reference_marks([f"{x0}-01" if len(str(x0)) == 7 else x0, f"{x1}-01" if len(str(x1)) == 7 else x1],
                                    [v["start_price"], v["end_price"]],
                                    name=f"published: {ref.display()} ({_short_citation(ref)})",
                                    labels=[f"{ref.display()} — {ref.citation}"] * 2))
        vals += [float(v["start_price"]), float(v["end_price"])]
    lay = layout(axis("month", date=True), axis(PRICE, log=True, values=vals))
    return Fig(data, lay, f"{label}: the cheapest model at or above {res.benchmark} {nb.num(res.threshold)} each "
               f"month; {{{claim}}}.", "Epoch AI llm-benchmark-efficiency data (CC BY 4.0); published "
               "figures from the cited sources")


def premium(res: Any) -> Fig:
    e = res.estimates.reset_index(drop=True)
    labels = [_label(t) for t in e["term"]]
    data = [errorbars(labels, e["estimate"], e["conf_low"], e["conf_high"], name="ours, per token (95% CI)",
                      colour=LINES[0], text=labels, unit="×")]
    vals = [*_finite(e["estimate"]), *_finite(e["conf_low"]), *_finite(e["conf_high"]), 1.0]
    ref = _reference(res, "du2026.reasoning_premium")
    if ref is not None and isinstance(ref.value, int | float):
        data.append(reference_marks(labels, [float(ref.value)] * len(labels),
                                    name=f"published: {ref.display()} ({_short_citation(ref)})",
                                    labels=[f"{ref.display()} — {ref.citation}"] * len(labels)))
        vals.append(float(ref.value))
    data.append(hline(1.0, x0=labels[0], x1=labels[-1], name="no premium (1×)", colour="#888888", dash="solid",
                      width=1))
    lay = layout(axis("estimator", category=True, tickangle=0),
                 axis("reasoning ÷ other models' price per token (×, log scale)", log=True, values=vals))
    return Fig(data, lay, "Per token, reasoning models cost {reasoning_premium} as much as other models of the same "
               "developer and release quarter; the published average is drawn as open diamonds.",
               "the panel of this run")


def cost_per_task(res: Any) -> Fig:
    t = res.table.reset_index(drop=True)
    labels = [f"{b}: {m}" for b, m in zip(t["benchmark"], t["threshold_model"], strict=False)]
    data = []
    vals: list[float] = [1.0]
    for j, (col, lab) in enumerate((("price", "price per token"), ("cost", "cost per task"))):
        data.append(errorbars(labels, t[f"{col}_factor"], t[f"{col}_conf_low"], t[f"{col}_conf_high"], name=lab,
                              colour=LINES[j], text=labels, unit="× per year", symbol="circle" if j == 0 else "square"))
        vals += [v for v in (*_finite(t[f"{col}_factor"]), *_finite(t[f"{col}_conf_low"]),
                             *_finite(t[f"{col}_conf_high"])) if v > 0]
    lay = layout(axis("threshold (benchmark: model defining it)", category=True),
                 axis("decline factor per year (×, log scale)", log=True, values=vals))
    return Fig(data, lay, "Per token vs per task at the same thresholds (90% CI): the cost of a task falls "
               "{cost_per_task_ratio} as fast as the price of a token (geometric mean).",
               "Epoch AI evaluation token counts and prices (CC BY 4.0)")


def breaks(res: Any) -> Fig:
    """The F statistic at every candidate date of the milestone series, with the Chow date and the sup-F date."""
    key_f = next((k for k in res.sup_f if k.startswith("milestones") and "trend" in k and k.endswith("ols")), None)
    data: list[dict[str, Any]] = []
    if key_f is None:
        key_f = next(iter(res.sup_f), None)
    if key_f is None:
        raise ValueError("no sup-F sequence in the result")
    s = res.sup_f[key_f]
    f = s.f_stats
    x = pd.DatetimeIndex(pd.to_datetime([str(i) for i in f.index]))
    data.append(line(x, f.to_numpy(), name="F at each candidate break date", colour=LINES[0], markers=True,
                     hover="break after %{x|%Y-%m-%d}: F = %{y:.3g}"))
    top = float(np.nanmax(f.to_numpy())) if len(f) else 1.0
    if s.break_at is not None:
        b = pd.Timestamp(str(s.break_at))
        data.append(line([b, b], [0, top], name=f"sup-F date {b.date()}", colour=LINES[1], dash="dash", width=1.5))
    w = res.wide()
    chow = w[(w["series"] == "milestones") & (w["test"] == "chow (ols)")]
    chow_at = chow["break_at"].iloc[0] if len(chow) else res.config.get("break_at")
    if chow_at:  # the last observation of the first regime, as the Chow test's table states it
        c = pd.Timestamp(str(chow_at))
        data.append(line([c, c], [0, top], name=f"Chow test: break after {c.date()} (the paper's May 2024)",
                         colour=REFERENCE_COLOUR, dash="dot", width=1.5))
    lay = layout(axis("last date of the first regime (candidate break)", date=True),
                 axis("F statistic (intercept and slope break)", rangemode="tozero"))
    return Fig(data, lay, "Structural break in the milestone series: at the paper's date the Chow test gives "
               "{chow}; searching all dates the F statistic peaks at {break_date}.",
               "bundled price milestones")


def waterfall(res: Any) -> Fig:
    t = res.table.set_index("term")
    parts = [p for p in t.index if p not in ("price_per_capability",) and not p.startswith("gpu_hardware (")]
    vals = [float(t.loc[p, "log_change"]) for p in parts]
    total = float(t.loc["price_per_capability", "log_change"])
    labels = [_label(p) for p in parts] + ["price per capability (total)"]
    data = [{"type": "waterfall", "name": "log change", "x": labels, "y": _clean([*vals, total]),
             "measure": ["relative"] * len(parts) + ["total"], "text": [nb.num(v, 2) for v in [*vals, total]],
             "textposition": "outside", "decreasing": {"marker": {"color": LINES[0]}},
             "increasing": {"marker": {"color": LINES[1]}}, "totals": {"marker": {"color": "#000000"}},
             "hovertemplate": "%{x}: %{y:.3g} log points<extra></extra>", "connector": {"line": {"color": "#999999"}}}]
    lay = layout(axis(f"factor ({res.start} → {res.end}); blue lowers the price, orange raises it", category=True),
                 axis("log change (natural log points)"), showlegend=False)
    return Fig(data, lay, f"Where the fall in the price of capability comes from, {res.start} → {res.end}: the "
               "residual (TFP) accounts for {tfp_share} of it.", "panel, Epoch AI hardware and models data, BLS PPI")


def malmquist(res: Any) -> Fig:
    q = res.by_quarter
    spec = q["spec"].iloc[0]
    g = q[q["spec"] == spec]
    x = [f"{b}→{p}" for b, p in zip(g["base_period"], g["period"], strict=True)]
    data = [line(x, g[col].astype(float), name=lab, colour=LINES[j], markers=True,
                 hover=f"{lab}, %{{x}}: %{{y:.3g}}")
            for j, (col, lab) in enumerate((("tfpch", "Malmquist (TFP change)"), ("techch", "technical change"),
                                            ("effch", "efficiency change")))]
    data.append(hline(1.0, x0=x[0], x1=x[-1], name="no change (1)", colour="#888888", dash="solid", width=1))
    vals = g[["tfpch", "techch", "effch"]].to_numpy(float).ravel()
    lay = layout(axis(f"quarter pair ({_label(spec)})", category=True),
                 axis("index, 1 = no change (log scale)", log=True, values=[*vals, 1.0]))
    return Fig(data, lay, "DEA Malmquist productivity index of LLM developers by quarter (chained), with its "
               "technical- and efficiency-change parts; 2024: {malmquist_2024}.",
               "the panel of this run and Epoch AI models data")


def elasticity(res: Any) -> Fig:
    s = res.sample
    data = [points(s, "training_cost_usd", "price_usd_per_mtok", name="model (launch price vs training cost)",
                   colour=LINES[0], size=9, opacity=0.85,
                   hover=hover_frame(s, price="price_usd_per_mtok", date="release_date" if "release_date" in s
                                     else None))]
    lay = layout(axis("training cost, 2023 USD (Epoch AI estimate, log scale)", log=True,
                      values=s["training_cost_usd"]),
                 axis("launch price, USD per 1M tokens (log scale)", log=True, values=s["price_usd_per_mtok"]))
    return Fig(data, lay, "Launch price against training cost per model: the elasticity with controls is "
               "{elasticity}.", "the panel of this run and Epoch AI models data (CC BY 4.0)")


def us_china(res: Any) -> Fig:
    s = res.sample
    data = []
    for j, (c, g) in enumerate(s.groupby("country", sort=True)):
        cd, tpl = hover_frame(g, price="cost_usd", price_label="training cost", price_unit=" (2023 USD)")
        data.append(points(g, "flop", "cost_usd", name=f"{c} (n = {len(g)})", colour=LINES[j % len(LINES)], size=8,
                           hover=(cd, tpl.replace("<extra>", "<br>compute: %{x:.3g} FLOP<extra>"))))
    lay = layout(axis("training compute, FLOP (log scale)", log=True, values=s["flop"]),
                 axis("training cost, 2023 USD (log scale)", log=True, values=s["cost_usd"]))
    return Fig(data, lay, "Training cost against compute, US and Chinese models: US models' training cost is "
               "{us_china_gap} that of Chinese models (geometric means).", "Epoch AI models data (CC BY 4.0)")


# ----------------------------------------------------------------------- market


def _when(p: Any) -> pd.Timestamp:
    p = str(p)
    if "Q" in p:
        return pd.Period(p, "Q").start_time
    if len(p) == 4:
        return pd.Timestamp(f"{p}-07-01")
    return pd.Timestamp(p)


#: A period where fewer developers than this have a share is not drawn (one firm is HHI 10,000 by arithmetic).
MIN_FIRMS = 3


def concentration(res: Any) -> Fig:
    t = res.table.copy()
    if "n_firms" in t:
        t = t[pd.to_numeric(t["n_firms"], errors="coerce").fillna(MIN_FIRMS) >= MIN_FIRMS]
    t["when"] = [_when(p) for p in t["period"]]
    data = []
    for j, (m, g) in enumerate(t.groupby("measure", sort=False)):
        g = g.sort_values("when")
        colour = LINES[j % len(LINES)]
        lo, hi = g["hhi_low"].astype(float), g["hhi_high"].astype(float)
        if (hi - lo).abs().max() > 0:
            data.append(band(g["when"], lo, hi, name=f"{_label(m)}: bounds", colour=colour))
        n = g["n_firms"] if "n_firms" in g else pd.Series([None] * len(g))
        cd = [[str(p), nb.count(k) if k is not None and pd.notna(k) else "—"] for p, k in zip(g["period"], n,
                                                                                              strict=True)]
        data.append({**line(g["when"], g["hhi"].astype(float), name=_label(m), colour=colour, markers=True),
                     "customdata": cd,
                     "hovertemplate": f"{escape(_label(m))}, %{{customdata[0]}}: HHI %{{y:,.0f}} "
                                      "(%{customdata[1]} developers)<extra></extra>"})
    lay = layout(axis("period", date=True), axis("HHI (0 to 10,000)", rangemode="tozero"))
    return Fig(data, lay, f"Concentration of LLM developers by measure (periods with at least {MIN_FIRMS} developers;"
               " shaded: bounds where shares are partly unpublished); latest HHI by token share: {hhi}.",
               "OpenRouter listings and rankings, published market-share surveys")


def hedonic(res: Any) -> Fig:
    t = res.table.reset_index(drop=True)
    x = [str(p) for p in t["period"]]
    data = [band(x, t["conf_low"], t["conf_high"], name="quality-adjusted: 95% band", colour=LINES[0]),
            line(x, t["index"].astype(float), name="quality-adjusted (hedonic)", colour=LINES[0], markers=True,
                 hover="hedonic, %{x}: %{y:.3g}"),
            line(x, t["matched_index"].astype(float), name="matched models", colour=LINES[1], markers=True,
                 hover="matched models, %{x}: %{y:.3g}")]
    vals = t[["index", "conf_low", "conf_high", "matched_index"]].to_numpy(float).ravel()
    lay = layout(axis("quarter", category=True, tickangle=0),
                 axis("price index (first quarter = 1, log scale)", log=True, values=vals))
    return Fig(data, lay, "Quality-adjusted (time-dummy hedonic on ECI) vs matched-model index: "
               "{hedonic_rate} vs {matched_rate} log points a year.",
               "the panel of this run and the Epoch Capabilities Index")


def jevons(res: Any) -> Fig:
    a = res.accounting
    a = a[a["interval"] == "first→last"] if (a["interval"] == "first→last").any() else a
    yrs = a["years"].astype(float).to_numpy()
    x = [str(s) for s in a["series"]]
    data = [{"type": "bar", "name": lab, "x": x, "y": _clean(a[col].astype(float).to_numpy() / yrs),
             "marker": {"color": LINES[j]}, "hovertemplate": f"{lab}, %{{x}}: %{{y:.3g}} log points a year<extra></extra>"}
            for j, (col, lab) in enumerate((("dln_tokens", "tokens (volume)"), ("dln_price", "price (own index)"),
                                            ("dln_spend", "spend")))]
    lay = layout(axis("firm statement series (first → last statement)", category=True),
                 axis("log change per year"), barmode="group")
    return Fig(data, lay, "Jevons accounting per firm statement: token volume grows far faster than prices fall, "
               "so spend rises.", "firms' published token volumes and the panel of this run")


def baumol(res: Any) -> Fig:
    """Two panels on their own scales: services against all items (linear), the AI price (log)."""
    idx = res.indices.copy()
    idx["month"] = pd.to_datetime(idx["month"].astype(str))
    labels = dict(zip(res.rates["term"], res.rates["label"], strict=False))
    data: list[dict[str, Any]] = []
    services = [s for s in idx["series"].unique() if s != "ai_index"]
    for j, s in enumerate(services):
        g = idx[idx["series"] == s].sort_values("month")
        bench = s in ("SA0", "SA0L1E", "SASLE")
        name = labels.get(s, s) if bench else f"{labels.get(s, s)} (service)"
        data.append(line(g["month"], g["index"].astype(float), name=name, width=2.2 if bench else 1,
                         colour={"SA0": "#000000", "SA0L1E": LINES[2], "SASLE": LINES[4]}.get(s, "#9a9a9a"),
                         dash="solid" if s == "SA0" or not bench else "dash",
                         hover=f"{escape(str(name))}: %{{y:.1f}} in %{{x|%Y-%m}}",
                         legendgroup="cpi" if bench else "services", showlegend=bench or j == len(services) - 1,
                         opacity=1 if bench else 0.7))
    cpi_vals = idx.loc[idx["series"] != "ai_index", "index"].astype(float)
    g = idx[idx["series"] == "ai_index"].sort_values("month")
    data.append({**line(g["month"], g["index"].astype(float), name="AI: price at constant capability (bottom)",
                        colour=LINES[0], shape="hv", hover="AI price index: %{y:.3g} in %{x|%Y-%m}"),
                 "xaxis": "x2", "yaxis": "y2"})
    lay = layout(axis("", date=True, anchor="y", matches="x2", showticklabels=False),
                 axis("CPI (start = 100)", domain=[0.5, 1], range=[float(cpi_vals.min()) * 0.98,
                                                                 float(cpi_vals.max()) * 1.02]),
                 xaxis2=axis("month", date=True, anchor="y2"),
                 yaxis2=axis("AI price (start = 100, log)", log=True, anchor="x2", domain=[0, 0.4],
                             values=g["index"]))
    return Fig(data, lay, "Baumol: human-service prices (top, linear scale) rose while the AI price at constant "
               "capability (bottom, log scale) fell {baumol_ai} a year; core services outpaced all items by "
               "{baumol_services} a year.", "BLS CPI-U and the panel of this run", height=600)


def forecast(res: Any) -> Fig:
    p = res.prices.reset_index(drop=True)
    x = [str(g) for g in p["group"]]
    data = [errorbars(x, p["price"], p["pi_low"], p["pi_high"], name="prediction interval (a new price)",
                      colour=LINES[0], text=x, unit=" USD per 1M tokens"),
            errorbars(x, p["price"], p["ci_low"], p["ci_high"], name="confidence interval (the trend)",
                      colour=LINES[1], text=x, unit=" USD per 1M tokens", symbol="line-ew-open", size=14)]
    vals = p[["price", "pi_low", "pi_high"]].to_numpy(float).ravel()
    lay = layout(axis(f"tier (forecast at {pd.Timestamp(res.horizon).date()})", category=True, tickangle=0),
                 axis(PRICE, log=True, values=vals))
    return Fig(data, lay, "Forecast price per tier at the horizon with prediction and confidence intervals: "
               "extrapolations of the tier trends, not predictions of any model's price.",
               "the trend fits of this run")


def spec_curves(res: Any, claims: Sequence[str] | None = None) -> Fig:
    """One small panel per headline: its estimate under every specification, sorted, with the default
    and the paper-closest specification marked; an interval that does not contain its estimate (a
    different statistic's interval) is not drawn."""
    c = res.spec_curve_frame()
    c = c[np.isfinite(c["estimate"].astype(float))]
    wanted = list(claims or [k for k in ("half_life_economy", "half_life_mid", "reasoning_premium", "chow",
                                         "total_decline", "hedonic_vs_matched") if k in set(c["claim"])])
    n = max(1, len(wanted))
    cols = 1  # one column: legible on a phone
    rows = math.ceil(n / cols)
    data: list[dict[str, Any]] = []
    lay = layout(axis(""), axis(""), showlegend=True)
    gap = 0.35 / max(rows, 1)
    legend_done: set[str] = set()
    h = (1 - gap * (rows - 1)) / rows
    for k, claim in enumerate(wanted):
        r, col = divmod(k, cols)
        ax = "" if k == 0 else str(k + 1)
        g = c[c["claim"] == claim]
        term = g.loc[g["is_default"], "term"].iloc[0] if g["is_default"].any() else g["term"].iloc[0]
        g = g[g["term"] == term].sort_values("estimate", kind="stable").reset_index(drop=True)
        x = list(range(1, len(g) + 1))
        specs = [", ".join(f"{d}" for d in (str(row.get("dimension", "")), str(row.get("spec_id", ""))) if d)
                 for _, row in g.iterrows()]
        e = data_len = g["estimate"].astype(float)
        del data_len
        lo = g["conf_low"] if "conf_low" in g else pd.Series(np.nan, index=g.index)
        hi = g["conf_high"] if "conf_high" in g else pd.Series(np.nan, index=g.index)
        tr = errorbars(x, e, lo, hi, name="estimate under a specification (95% CI)", colour=LINES[0], text=specs,
                       size=6)
        tr.update(xaxis=f"x{ax}", yaxis=f"y{ax}", legendgroup="est", showlegend=k == 0)
        data.append(tr)
        for flag, colour, lab in (("is_default", LINES[1], "default"),
                                  ("is_paper_closest", LINES[2], "closest to the paper")):
            m = g[flag].to_numpy(dtype=bool)
            first = bool(m.any()) and lab not in legend_done
            if first:
                legend_done.add(lab)
            data.append({"type": "scatter", "mode": "markers", "name": lab, "x": [xi for xi, b in zip(x, m,
                                                                                                      strict=True) if b],
                         "y": _clean(e[m]), "marker": {"color": colour, "size": 12, "line": {"width": 1, "color": "#000"}},
                         "xaxis": f"x{ax}", "yaxis": f"y{ax}", "legendgroup": lab, "showlegend": first,
                         "hovertemplate": f"{lab}: %{{y:.3g}}<extra></extra>"})
        top = 1 - r * (h + gap)
        x0 = col * 0.54 if cols > 1 else 0.0
        vals = [v for v in (*_finite(e), *_finite(lo), *_finite(hi)) if v > 0]
        ef = _finite(e)
        log = bool(len(ef) and (ef > 0).all() and ef.max() / max(ef.min(), 1e-12) > 20)
        lay[f"xaxis{ax}"] = axis("specifications, sorted by estimate",
                                 domain=[x0, x0 + (0.44 if cols > 1 else 1.0)], anchor=f"y{ax}")
        lay[f"yaxis{ax}"] = axis(_CURVE_LABELS.get(claim, _label(claim)), log=log, values=vals if log else None,
                                 domain=[max(0.0, top - h), top], anchor=f"x{ax}")
        if not log and len(ef):  # clip the view to the estimates (wide intervals run off the panel)
            span = float(ef.max() - ef.min()) or abs(float(ef.max())) or 1.0
            lay[f"yaxis{ax}"]["range"] = [float(ef.min()) - 0.5 * span, float(ef.max()) + 0.5 * span]
    lay["legend"] = {"orientation": "h", "y": -0.3 / rows, "x": 0}
    return Fig(data, lay, "Specification curves: each headline re-estimated over its declared grid of "
               "specifications, sorted, with the default (orange) and the specification closest to the paper "
               "(green); an interval is drawn only where it contains its estimate.",
               "robustness analysis on the data of this run", height=230 * rows + 60)


#: Short axis titles of the specification curves (with units).
_CURVE_LABELS = MappingProxyType({
    "half_life_economy": "economy half-life (y)", "half_life_mid": "mid half-life (y)",
    "reasoning_premium": "reasoning premium (×)", "chow": "Chow F", "total_decline": "total decline (×)",
    "hedonic_vs_matched": "hedonic (log pts/yr)"})


#: Figures drawn from a result without a section of their own (the data section).
DATA_FIGURES = ("coverage_by_quarter", "milestones")
