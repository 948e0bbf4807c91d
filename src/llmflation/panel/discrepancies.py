"""Cross-source price discrepancies on a date (pure pandas, on the canonical panel).

Price catalogues copy each other and drift: LiteLLM's ``openrouter/*`` entries, for
instance, are meant to mirror OpenRouter's own API but lag behind its changes, and
catalogues have been seen to disagree by −89 % to +3000 %. :func:`discrepancies` takes
every price interval in force on a date, matches the *same offer* across sources and
lists the pairs whose input or output price differs by more than a threshold, with both
values, both sources and both source keys.

An *offer* is a canonical model id, the provider that sells it (all first-party
providers pooled as ``first-party``, so that ``gemini`` in LiteLLM and ``google`` in
genai-prices match) and the variant suffix of the key (``:extended``, ``:thinking`` …,
empty for the base model). Where one source lists several keys for one offer, the key
without a path prefix wins, then the latest interval, then the first key in sort order.
"""

from __future__ import annotations

import html
import math
import numbers
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any, Literal

import numpy as np
import pandas as pd

from llmflation.errors import InputError, check_choice
from llmflation.validate import (
    check_date,
    check_frame,
    check_int,
    check_price_date,
    check_str_sequence,
)

Match = Literal["offer", "model"]
#: Order in which a pair's sources are listed (``source_a`` is the earlier one):
#: the curated first-party list prices, first-party APIs, then catalogues, then curated data.
SOURCE_ORDER = ("first-party", "openrouter", "artificial-analysis", "litellm", "genai-prices", "llm-prices",
                "modelpricewatch", "epoch", "milestones")
PRICES = {"input": "input_usd_per_mtok", "output": "output_usd_per_mtok"}
COLUMNS = ["on", "model_id", "provider", "variant", "price", "source_a", "value_a", "source_b", "value_b",
           "diff_pct", "key_a", "key_b"]
_NEEDED = ["model_id", "provider", "source", "source_key", "valid_from", "valid_to", *PRICES.values()]


@dataclass(frozen=True)
class DiscrepancyReport:
    """Price pairs that differ between sources on one date.

    Attributes
    ----------
    table : DataFrame
        One row per (offer, price kind, source pair) beyond the threshold: ``on,
        model_id, provider, variant, price, source_a, value_a, source_b, value_b,
        diff_pct, key_a, key_b``; ``diff_pct = (value_b / value_a − 1) × 100``; sorted by
        the size of the gap (``|log(value_b / value_a)|``), largest first.
    on : pandas.Timestamp
    threshold : float
        Relative gap that counts (0.01 = 1 %), applied symmetrically: a pair is listed
        when ``value_b / value_a`` is above ``1 + threshold`` or below ``1 / (1 + threshold)``.
    offers_compared : int
        Offers priced by at least two sources on ``on``.
    pairs_compared : int
        (offer, price kind, source pair) comparisons made.
    """

    table: pd.DataFrame
    on: pd.Timestamp
    threshold: float
    offers_compared: int
    pairs_compared: int
    config: dict[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    vintage: str = ""

    @property
    def title(self) -> str:
        return (f"Price discrepancies between sources on {self.on:%Y-%m-%d} "
                f"(gap > {self.threshold:.0%})")

    def to_frame(self) -> pd.DataFrame:
        """The discrepancy table (a copy)."""
        return self.table.copy()

    def summary(self, fmt: Literal["text", "html", "markdown"] = "text") -> str:
        """The table with title and notes as text, HTML (escaped) or Markdown."""
        check_choice("fmt", fmt, ("text", "html", "markdown"))
        df = self.table.copy()
        df["on"] = df["on"].dt.strftime("%Y-%m-%d")
        notes = [*self.notes, *([f"Data vintage: {self.vintage}"] if self.vintage else [])]
        if fmt == "html":
            return (f"<div class='llmflation-result'><strong>{html.escape(self.title)}</strong>"
                    f"{df.to_html(index=False, escape=True, float_format=lambda v: f'{v:.4g}')}"
                    + "".join(f"<p><small>{html.escape(n)}</small></p>" for n in notes) + "</div>")
        if fmt == "markdown":
            head = "| " + " | ".join(df.columns) + " |\n|" + "---|" * len(df.columns)
            rows = ["| " + " | ".join("" if v is None else (f"{v:.4g}" if isinstance(v, float) else str(v))
                                      for v in r) + " |" for r in df.itertuples(index=False)]
            return "\n".join([f"**{self.title}**", "", head, *rows, "", *(f"_{n}_" for n in notes)])
        body = df.to_string(index=False) if len(df) else "(no discrepancies)"
        return "\n".join([self.title, body, *notes])

    def _repr_html_(self) -> str:
        return self.summary("html")


def _variant(keys: pd.Series) -> pd.Series:
    tail = keys.astype(str).str.rsplit("/", n=1).str[-1]
    return tail.str.extract(r":([A-Za-z0-9_-]+)$", expand=False).fillna("").str.lower()


def _offers(rows: pd.DataFrame, match: str) -> pd.DataFrame:
    """One row per (offer, source) in force, with its price and the key it came from."""
    r = rows.copy()
    fp = r["first_party"].fillna(False).astype(bool) if "first_party" in r else pd.Series(False, index=r.index)
    r["provider"] = np.where(fp, "first-party", r["provider"].astype(str).str.lower())
    r["variant"] = _variant(r["source_key"])
    r["_prefixed"] = r["source_key"].astype(str).str.count("/")
    r = r.sort_values(["_prefixed", "valid_from", "source_key"], ascending=[True, False, True], kind="mergesort")
    if match == "offer":
        return r.drop_duplicates(["model_id", "provider", "variant", "source"], keep="first")
    # model: per source, the first-party price if any, else the median across providers
    r = r.drop_duplicates(["model_id", "provider", "variant", "source"], keep="first")
    key = ["model_id", "variant", "source"]
    first = r[r["provider"] == "first-party"]
    has_fp = r.set_index(key).index.isin(first.set_index(key).index)
    med = r[~has_fp].groupby(key, as_index=False).agg(
        input_usd_per_mtok=("input_usd_per_mtok", "median"), output_usd_per_mtok=("output_usd_per_mtok", "median"),
        n=("source_key", "size"), source_key=("source_key", lambda s: ", ".join(sorted(map(str, s)))))
    med["source_key"] = np.where(med["n"] > 1, "median of " + med["source_key"], med["source_key"])
    med["provider"] = "median across providers"
    out = pd.concat([first, med.drop(columns="n")], ignore_index=True)
    return out[["model_id", "provider", "variant", "source", "source_key", *PRICES.values()]]


def _in_force(panel: pd.DataFrame, on: pd.Timestamp, window_days: int) -> pd.DataFrame:
    end = panel["valid_to"] + pd.Timedelta(days=window_days)
    return panel[(panel["valid_from"] <= on) & (end >= on)]


def _default_date(panel: pd.DataFrame, match: str, window_days: int) -> tuple[pd.Timestamp | None, int]:
    """The date with the most offers priced by two or more sources (the latest on ties)."""
    if panel.empty:
        return None, 0
    fp = panel["first_party"].fillna(False).astype(bool) if "first_party" in panel else False
    prov = np.where(fp, "first-party", panel["provider"].astype(str).str.lower())
    if match == "model":
        prov = np.full(len(panel), "")
    offer = pd.factorize(pd.Series(panel["model_id"].astype(str).to_numpy() + "\x00" + prov + "\x00"
                                   + _variant(panel["source_key"]).to_numpy()))[0]
    src = pd.factorize(panel["source"])[0]
    n_src = int(src.max()) + 1
    code = offer.astype("int64") * n_src + src
    vf = panel["valid_from"].to_numpy("datetime64[ns]")
    vt = (panel["valid_to"] + pd.Timedelta(days=window_days)).to_numpy("datetime64[ns]")
    best, best_n = None, 0
    for d in np.unique(np.concatenate([panel["valid_to"].to_numpy("datetime64[ns]"), vf])):
        m = (vf <= d) & (vt >= d)
        pairs = np.unique(code[m])
        n = int((np.bincount(pairs // n_src) >= 2).sum()) if len(pairs) else 0
        if n >= best_n and n > 0:
            best, best_n = pd.Timestamp(d), n
    return best, best_n


def discrepancies(panel: pd.DataFrame, *, on: str | pd.Timestamp | None = None, threshold: float = 0.01,
                  sources: list[str] | tuple[str, ...] | None = None, match: Match = "offer",
                  window_days: int = 0) -> DiscrepancyReport:
    """Offers whose price differs between sources on one date, beyond a threshold.

    Parameters
    ----------
    panel : DataFrame
        The canonical panel (:func:`llmflation.load_panel`, optionally with a store so
        that fetched intervals count).
    on : date, optional
        Date to compare on; default the date on which the most offers are priced by two
        or more sources (the latest such date on ties).
    threshold : float
        Relative gap that counts (default 0.01 = 1 %), symmetric in the two sources.
    sources : list of str, optional
        Only compare these sources (at least two), e.g. ``["openrouter", "litellm"]``.
    match : {"offer", "model"}
        ``"offer"``: same model, provider (first-party pooled) and variant. ``"model"``:
        same model and variant, each source's first-party price or else its median
        across providers (DESIGN.md §3).
    window_days : int
        Let an interval count for this many days after its last observation (sources
        observed on different days, e.g. monthly catalogues); default 0 = strictly the
        same date.

    Returns
    -------
    DiscrepancyReport

    Examples
    --------
    >>> d = pd.Timestamp("2026-03-01")
    >>> panel = pd.DataFrame({
    ...     "model_id": ["gpt-4o", "gpt-4o"], "provider": ["openrouter", "openrouter"],
    ...     "source": ["openrouter", "litellm"], "source_key": ["openai/gpt-4o", "openrouter/openai/gpt-4o"],
    ...     "valid_from": [d, d], "valid_to": [d, d], "first_party": [False, False],
    ...     "input_usd_per_mtok": [2.5, 5.0], "output_usd_per_mtok": [10.0, 10.0]})
    >>> r = discrepancies(panel)
    >>> r.to_frame()[["price", "source_a", "value_a", "source_b", "value_b", "diff_pct"]].values.tolist()
    [['input', 'openrouter', 2.5, 'litellm', 5.0, 100.0]]
    """
    check_frame(panel, "panel", what="a pandas DataFrame (the output of llmflation.load_panel())")
    if not isinstance(match, str):
        raise InputError(f"match must be 'offer' or 'model'; got {match!r} ({type(match).__name__}).")
    check_choice("match", match, ("offer", "model"))
    if (isinstance(threshold, bool | np.bool_) or not isinstance(threshold, numbers.Real)
            or not (math.isfinite(threshold) and threshold >= 0)):
        raise InputError(f"threshold must be a non-negative fraction (0.01 = 1 %), got {threshold!r}.")
    window_days = check_int(window_days, "window_days", minimum=0)
    try:
        on = check_date(on, "on", allow_none=True, bounded=False)
    except InputError:
        raise InputError(f"on={on!r} is not a date; expected ISO YYYY-MM-DD (e.g. 2026-03-01). Ambiguous "
                         "forms such as 06/01/2026 (June 1 or January 6?) are refused.") from None
    on = check_price_date(on, "on", allow_none=True)
    if sources is not None:
        sources = list(check_str_sequence(sources, "sources"))
    missing = [c for c in _NEEDED if c not in panel.columns]
    if missing:
        raise InputError(f"panel lacks column(s) {missing}; pass the output of llmflation.load_panel().")
    p = panel[[c for c in (*_NEEDED, "first_party") if c in panel.columns]].copy()
    p["valid_from"] = pd.to_datetime(p["valid_from"])
    p["valid_to"] = pd.to_datetime(p["valid_to"])
    p["source"] = p["source"].astype(str)
    if sources is not None:
        sources = [str(s) for s in sources]
        unknown = sorted(set(sources) - set(p["source"].unique()))
        if unknown:
            raise InputError(f"source(s) {unknown} are not in the panel; it has {sorted(p['source'].unique())}.")
        if len(set(sources)) < 2:
            raise InputError(f"compare at least two sources, got {sources}.")
        p = p[p["source"].isin(sources)]
    p = p[(p["input_usd_per_mtok"] > 0) & (p["output_usd_per_mtok"] > 0)]
    if on is None:
        day, _ = _default_date(p, match, int(window_days))
        if day is None:
            raise InputError("no date on which two sources price a common offer; pass --on DATE, widen "
                             "--window-days or compare other sources.")
        how_on = "the date with the most offers priced by two or more sources"
    else:
        try:
            day = pd.Timestamp(on).normalize()
        except (ValueError, TypeError):
            raise InputError(f"on={on!r} is not a date; expected YYYY-MM-DD.") from None
        how_on = "given"
    offers = _offers(_in_force(p, day, int(window_days)), match)
    order = {s: i for i, s in enumerate(SOURCE_ORDER)}
    rows: list[dict[str, Any]] = []
    n_offers = 0
    n_pairs = 0
    for (mid, prov, var), g in offers.groupby(["model_id", "provider", "variant"], sort=True):
        if g["source"].nunique() < 2:
            continue
        n_offers += 1
        g = g.assign(_o=g["source"].map(lambda s: (order.get(s, len(order)), s))).sort_values("_o")
        for (_, a), (_, b) in combinations(g.iterrows(), 2):
            for kind, col in PRICES.items():
                va, vb = float(a[col]), float(b[col])
                n_pairs += 1
                ratio = vb / va
                if ratio > 1 + threshold or ratio < 1 / (1 + threshold):
                    rows.append({"on": day, "model_id": mid, "provider": prov, "variant": var, "price": kind,
                                 "source_a": a["source"], "value_a": va, "source_b": b["source"], "value_b": vb,
                                 "diff_pct": (ratio - 1.0) * 100.0, "key_a": a["source_key"],
                                 "key_b": b["source_key"]})
    table = pd.DataFrame(rows, columns=COLUMNS)
    if len(table):
        gap = np.abs(np.log(table["value_b"] / table["value_a"]))
        table = table.assign(_gap=gap).sort_values(["_gap", "model_id", "price"], ascending=[False, True, True],
                                                   kind="mergesort").drop(columns="_gap").reset_index(drop=True)
    span = (f"{table['diff_pct'].min():+.0f}% to {table['diff_pct'].max():+.0f}%" if len(table) else "none")
    notes: tuple[str, ...] = (
        f"On {day:%Y-%m-%d} ({how_on}): {n_offers} offer(s) priced by two or more sources; "
        f"{len(table)} of {n_pairs} price comparisons differ by more than {threshold:.0%} (range {span}).",
        "Prices in USD per 1M tokens; diff_pct = (value_b / value_a − 1) × 100.",
        "Offers match on canonical model id, provider (first-party providers pooled) and variant suffix."
        if match == "offer" else
        "Models match on canonical id and variant; each source's first-party price, else its median "
        "across providers.",
    )
    if window_days:
        notes += (f"An interval counts up to {window_days} day(s) after its last observation.",)
    return DiscrepancyReport(table, day, float(threshold), n_offers, n_pairs,
                             {"on": None if on is None else str(on), "threshold": threshold,
                              "sources": None if sources is None else list(sources), "match": match,
                              "window_days": int(window_days)}, notes,
                             f"price intervals in force on {day:%Y-%m-%d}")
