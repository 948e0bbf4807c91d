"""The static export of a figure (PNG for papers and the README), drawn by matplotlib from the
same data as the interactive figure (:class:`llmflation.report.figures.Fig`): one definition,
two renderings, so the static and the interactive figure cannot disagree.

Only what the report's figures use is interpreted: scatter traces (markers, lines, steps,
filled bands, asymmetric error bars), bars (grouped or stacked), waterfalls, log axes with
their tick values, and several axes (panels).
"""

from __future__ import annotations

import math
from io import BytesIO
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from llmflation.report.figures import Fig

#: Resolution of the exported PNGs.
DPI = 110
#: Figure width in inches.
WIDTH = 8.4


def _plt() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({"font.size": 9.5, "axes.spines.top": False, "axes.spines.right": False,
                         "legend.fontsize": 8, "svg.hashsalt": "llmflation"})
    return plt


def _axis_keys(layout: dict[str, Any]) -> list[str]:
    return sorted({k[5:] for k in layout if k.startswith("xaxis")}, key=lambda s: int(s or 1))


def _x(values: list[Any], ax_def: dict[str, Any], cats: dict[str, int]) -> np.ndarray:
    if ax_def.get("type") == "date":
        return np.asarray(pd.to_datetime(pd.Series(values), errors="coerce"))
    if ax_def.get("type") == "category" or any(isinstance(v, str) for v in values if v is not None):
        for v in values:
            if v is not None and str(v) not in cats:
                cats[str(v)] = len(cats)
        return np.asarray([cats[str(v)] if v is not None else np.nan for v in values], dtype=float)
    return np.asarray([np.nan if v is None else v for v in values], dtype=float)


def _y(values: list[Any]) -> np.ndarray:
    return np.asarray([np.nan if v is None else v for v in values], dtype=float)


def render_png(fig: Fig, path: str | Path) -> Path:
    """Write ``fig`` as a PNG (no timestamp in the file: reproducible bytes)."""
    path = Path(path)
    path.write_bytes(png_bytes(fig))
    return path


def png_bytes(fig: Fig) -> bytes:
    """``fig`` as PNG bytes (no timestamp: reproducible), the content :func:`render_png` writes."""
    plt = _plt()
    lay = fig.layout
    keys = _axis_keys(lay)
    n = len(keys)
    cols = 2 if n > 1 else 1
    rows = math.ceil(n / cols)
    height = max(3.4, fig.height / 100 * (1.0 if n == 1 else 0.9))
    mfig, axes = plt.subplots(rows, cols, figsize=(WIDTH, height), squeeze=False)
    axes_by_key: dict[str, Any] = {}
    cats: dict[str, dict[str, int]] = {}
    for i, k in enumerate(keys):
        ax = axes.ravel()[i]
        axes_by_key[k] = ax
        cats[k] = {}
    for ax in axes.ravel()[n:]:
        ax.set_visible(False)
    n_bar: dict[str, int] = {}
    for t in fig.data:
        k = str(t.get("xaxis", "x"))[1:]
        n_bar[k] = n_bar.get(k, 0) + (t.get("type") == "bar")
    bar_i: dict[str, int] = {}
    stack: dict[str, np.ndarray] = {}
    for t in fig.data:
        k = str(t.get("xaxis", "x"))[1:]
        ax = axes_by_key.get(k) or axes.ravel()[0]
        xdef = lay.get(f"xaxis{k}", {})
        x = _x(t.get("x") or [], xdef, cats.setdefault(k, {}))
        y = _y(t.get("y") or [])
        colour = (t.get("marker") or {}).get("color") or (t.get("line") or {}).get("color") or "#0072B2"
        colour = colour if isinstance(colour, str) else "#0072B2"
        label = t.get("name") if t.get("showlegend", True) else None
        kind = t.get("type", "scatter")
        if kind == "bar":
            if lay.get("barmode") == "stack":
                base = stack.get(k, np.zeros(len(x)))
                ax.bar(x, y, bottom=base[: len(x)], color=colour, label=label, width=0.85)
                stack[k] = base[: len(x)] + np.nan_to_num(y)
            else:
                j, m = bar_i.get(k, 0), max(1, n_bar.get(k, 1))
                bar_i[k] = j + 1
                w = 0.8 / m
                ax.bar(x + (j - (m - 1) / 2) * w, y, width=w, color=colour, label=label)
        elif kind == "waterfall":
            cum = 0.0
            for xi, yi, meas in zip(x, y, t.get("measure", []), strict=False):
                if meas == "total":
                    ax.bar(xi, yi, color="#000000", width=0.6)
                else:
                    ax.bar(xi, yi, bottom=cum, color="#0072B2" if yi < 0 else "#D55E00", width=0.6)
                    cum += yi
        elif t.get("fill") == "toself":
            ax.fill(x, y, color=colour, alpha=0.18, lw=0, label=label)
        else:
            mode = t.get("mode", "markers")
            ls = {"dot": ":", "dash": "--"}.get((t.get("line") or {}).get("dash", "solid"), "-")
            if "lines" in mode:
                if (t.get("line") or {}).get("shape") == "hv":
                    ax.step(x, y, where="post", color=colour, lw=1.4, ls=ls, label=label)
                else:
                    ax.plot(x, y, color=colour, lw=(t.get("line") or {}).get("width", 2), ls=ls,
                            marker="o" if "markers" in mode else None, ms=3, label=label)
            elif "error_y" in t:
                e = t["error_y"]
                plus, minus = _y(e.get("array") or []), _y(e.get("arrayminus") or [])
                ok = np.isfinite(plus) & np.isfinite(minus)
                ax.errorbar(x[ok], y[ok], yerr=[minus[ok], plus[ok]], fmt="none", ecolor=colour, capsize=3)
                ax.scatter(x, y, color=colour, s=22, zorder=3, label=label)
            else:
                sym = (t.get("marker") or {}).get("symbol", "circle")
                open_ = "open" in str(sym)
                ax.scatter(x, y, s=(t.get("marker") or {}).get("size", 7) ** 2 / 2.2,
                           marker="D" if "diamond" in str(sym) else ("s" if "square" in str(sym) else "o"),
                           facecolors="none" if open_ else colour, edgecolors=colour, linewidths=1.2 if open_ else 0,
                           alpha=(t.get("marker") or {}).get("opacity", 0.8), label=label, zorder=3)
    for k, ax in axes_by_key.items():
        xdef, ydef = lay.get(f"xaxis{k}", {}), lay.get(f"yaxis{k}", {})
        if ydef.get("type") == "log":
            ax.set_yscale("log")
            if ydef.get("tickvals"):
                ax.set_yticks(ydef["tickvals"], ydef["ticktext"])
                ax.yaxis.set_minor_locator(plt.NullLocator())  # only the given ticks, as in Plotly
        if xdef.get("type") == "log":
            ax.set_xscale("log")
            if xdef.get("tickvals"):
                ax.set_xticks(xdef["tickvals"], xdef["ticktext"])
                ax.xaxis.set_minor_locator(plt.NullLocator())  # only the given ticks, as in Plotly
        if "range" in ydef and ydef.get("type") != "log":
            ax.set_ylim(*ydef["range"])
        c = cats.get(k) or {}
        if c:
            step = max(1, math.ceil(len(c) / 10))
            names = list(c)
            ax.set_xticks(range(0, len(names), step), [names[i] for i in range(0, len(names), step)],
                          rotation=25 if len(names) > 4 else 0, ha="right" if len(names) > 4 else "center")
        ax.set_xlabel((xdef.get("title") or {}).get("text", ""))
        ax.set_ylabel((ydef.get("title") or {}).get("text", ""), fontsize=8.5)
        ax.grid(alpha=0.3, lw=0.6)
    handles = [h for ax in axes_by_key.values() for h in ax.get_legend_handles_labels()[0]]
    if handles:
        axes.ravel()[0].legend(frameon=False, fontsize=7.5, loc="best")
    # fixed margins: a layout engine measures every label and doubles the drawing time
    mfig.subplots_adjust(left=0.1, right=0.98, bottom=0.2 if rows == 1 else 0.12, top=0.95, wspace=0.3, hspace=0.45)
    buf = BytesIO()
    mfig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})
    plt.close(mfig)
    return buf.getvalue()
