"""Concentration of LLM developers: HHI and CR-k under three measures, beside Du (2026)."""

from __future__ import annotations

import typing
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd

from llmflation.errors import InputError
from llmflation.methods.concentration import concentration
from llmflation.normalize.units import blended
from llmflation.results import Result, data_vintage
from llmflation.signature import DateLike, Frame, PositiveInts, validated
from llmflation.study.paper import ref, refs

#: Du (2026): HHI of LLM developers, 2023Q1 → 2026Q1.
PAPER_HHI = dict(ref("du2026.hhi").value)


def openrouter_model_shares(snapshot: pd.DataFrame, *, start: str = "2023Q1", end: str = "2026Q1",
                            author: str = "author") -> pd.DataFrame:
    """Developer shares of the models available on OpenRouter at the end of each quarter.

    A model counts as available from its OpenRouter listing date (``created``) on. This
    is the paper's measure as far as it is known ("developer shares estimated over
    OpenRouter-available models"); it is built from one snapshot, so models delisted
    before the snapshot are missing (survivorship: early quarters are understated).

    Parameters
    ----------
    snapshot : DataFrame
        One row per listed model with columns ``author`` (developer slug) and
        ``listed`` (listing date).

    Examples
    --------
    >>> snap = pd.DataFrame({"author": ["a", "a", "b"],
    ...                      "listed": pd.to_datetime(["2023-01-05", "2023-05-01", "2023-02-01"])})
    >>> openrouter_model_shares(snap, start="2023Q1", end="2023Q2")["share_pct"].round(1).tolist()
    [50.0, 50.0, 66.7, 33.3]
    """
    for c in (author, "listed"):
        if c not in snapshot.columns:
            raise InputError(f"column {c!r} not found; expected {author!r} and 'listed' (listing date).")
    quarters = pd.period_range(pd.Period(start, "Q"), pd.Period(end, "Q"), freq="Q")
    out = []
    for q in quarters:
        avail = snapshot[snapshot["listed"] <= q.end_time]
        if avail.empty:
            continue
        counts = avail.groupby(author).size()
        for a, n in counts.items():
            out.append({"period": str(q), "firm": a, "models": int(n), "share_pct": 100.0 * n / counts.sum()})
    return pd.DataFrame(out)


@dataclass(frozen=True, kw_only=True, eq=False, repr=False)
class LLMConcentrationResult(Result):
    """Concentration of LLM developers under three measures, beside the paper's HHI."""

    table: pd.DataFrame
    vintage: str = "bundled snapshot"
    title: str = "Concentration of LLM developers (HHI, CR-k)"
    keys = ("measure", "period")

    def wide(self) -> pd.DataFrame:
        return self.table.copy()

    def __repr__(self) -> str:
        return f"LLMConcentrationResult({len(self.table)} rows)"


@validated
def llm_concentration(openrouter_daily: pd.DataFrame, market_shares: pd.DataFrame, *,
                      snapshot_date: DateLike = "2026-03-28", k: PositiveInts = (1, 4)) -> LLMConcentrationResult:
    """HHI and CR-k of LLM developers, beside the paper's 4,558 → 2,086.

    ``openrouter_daily`` and ``market_shares`` are the bundled tables of those names
    (``StudyInputs(store).concentration()`` gives both).

    Three measures: (1) developer shares of the priced models available on OpenRouter at
    each quarter end (the paper's measure as far as it is known; from the
    ``snapshot_date`` listing, so delisted models are missing); (2) OpenRouter token
    shares by model author (weekly, 2026); (3) U.S. enterprise API spend shares (Menlo
    Ventures surveys, top firms only: HHI bounds).

    Examples
    --------
    >>> from llmflation.study.inputs import StudyInputs
    >>> r = llm_concentration(**StudyInputs().concentration())
    >>> set(r.wide()["measure"]) >= {"openrouter_models_available", "menlo_enterprise_spend"}
    True
    """
    from llmflation.normalize.identity import developer_of

    o = openrouter_daily
    day = o[(o["snapshot_date"] == snapshot_date) & (o["pricing_prompt_usd_per_token"] > 0)
            & (o["pricing_completion_usd_per_token"] > 0)].copy()
    if day.empty:
        raise InputError(f"no priced OpenRouter models on {snapshot_date}; pick a snapshot date in "
                         f"{o['snapshot_date'].min()} → {o['snapshot_date'].max()}.")
    day["author"] = [developer_of(i, i.split("/")[0]) or i.split("/")[0] for i in day["id"]]
    day["listed"] = pd.to_datetime(day["created_unix"], unit="s")
    parts = []
    a = concentration(openrouter_model_shares(day), k=k).wide()
    a.insert(0, "measure", "openrouter_models_available")
    a["paper_value"] = a["period"].map(PAPER_HHI)
    parts.append(a)
    ms = market_shares
    tok = ms[ms["market"].str.startswith("OpenRouter tokens by model author")]
    b = concentration(tok.rename(columns={"period_end": "period"}), k=k,
                      residual_firms=tuple(str(f) for f in tok["firm"].unique() if str(f).startswith("other"))).wide()
    b.insert(0, "measure", "openrouter_token_share_by_author")
    parts.append(b)
    men = ms[ms["market"].str.startswith("US enterprise LLM API spend")]
    c = concentration(men.assign(period=men["period_start"].str.slice(0, 4)), k=k).wide()
    c.insert(0, "measure", "menlo_enterprise_spend")
    parts.append(c)
    table = pd.concat(parts, ignore_index=True)
    notes = (
        f"openrouter_models_available: {len(day)} priced models listed on {snapshot_date}, counted from their "
        "listing date; models delisted before that day are missing, so early quarters are understated.",
        "menlo_enterprise_spend lists only the top firms (2024: Anthropic only): hhi is a lower bound, hhi_high "
        "gives the remainder to one firm.",
        "Du (2026) reports HHI 4,558 (2023Q1) → 2,086 (2026Q1) on developer shares over OpenRouter-available "
        "models (paper_value); its exact share definition is not published.",
    )
    return LLMConcentrationResult(references=refs("du2026.hhi"),
        table=table, config={"snapshot_date": snapshot_date, "k": tuple(k)},
                                  vintage=data_vintage(openrouter_daily, market_shares), notes=notes)


# --------------------------------------------------------------------------- issue 14: power on usage, not counts
# usage_concentration: concentration on every usage or spend share the data support, beside the model count.

#: What each concentration measure measures (shown beside every number).
USAGE_MEASURES: dict[str, str] = {
    "openrouter_models_available": "count of priced models on OpenRouter by developer (Du's measure as far as "
                                   "known) — availability, not use",
    "openrouter_tokens_by_author": "share of OpenRouter tokens by model author, weekly (top 9 listed; the rest "
                                   "is a bound)",
    "openrouter_tokens_by_inference_provider": "share of OpenRouter tokens by serving provider, ~24 h (all 74 "
                                               "providers) — the hosting market, not model developers",
    "menlo_enterprise_spend": "share of US enterprise LLM API spend (Menlo Ventures surveys; top firms only)",
}
UsageSource = Literal["openrouter", "menlo", "all"]
USAGE_SOURCES: tuple[str, ...] = typing.get_args(UsageSource)


def _with_bounds(table: pd.DataFrame, k: Sequence[int]) -> pd.DataFrame:
    """Add CR-k bounds, assuming an unlisted firm is no larger than the smallest listed one."""
    t = table.copy()
    rest = (100.0 - t["listed_share_pct"]).clip(lower=0.0)
    t["coverage_pct"] = t["listed_share_pct"].clip(upper=100.0)
    for kk in k:
        col = f"cr_{kk}"
        if col not in t.columns:
            continue
        short = t["n_firms"] < kk
        # fewer listed firms than k: CR-k is at least the listed total and at most that plus the remainder
        t[f"{col}_low"] = t[col].where(~short, t["listed_share_pct"])
        t[f"{col}_high"] = t[col].where(~short, (t["listed_share_pct"] + rest).clip(upper=100.0))
    return t


def _open_weight_usage(rankings: pd.DataFrame, openrouter_daily: pd.DataFrame) -> pd.DataFrame:
    """Open-weight share of ranked tokens vs open-weight share of listed models, and their relative price."""
    o = openrouter_daily.copy()
    o["open"] = o["hugging_face_id"].astype("string").fillna("").str.len() > 0
    o["price"] = 1e6 * blended(pd.to_numeric(o["pricing_prompt_usd_per_token"], errors="coerce"),
                               pd.to_numeric(o["pricing_completion_usd_per_token"], errors="coerce"))
    from llmflation.study.jevons import week_end_rankings

    m = week_end_rankings(rankings)
    m["snapshot_date"] = m["snapshot_date"].dt.strftime("%Y-%m-%d")
    rows = []
    for d, g in m.groupby("snapshot_date"):
        snaps = o[o["snapshot_date"] <= d]
        if snaps.empty:
            continue
        day = snaps[snaps["snapshot_date"] == snaps["snapshot_date"].max()]
        priced = day[day["price"] > 0]
        flag = day.drop_duplicates("canonical_slug").set_index("canonical_slug")["open"]
        slug = g["model_id"].astype(str).str.replace(":free$", "", regex=True)
        g = g.assign(open=slug.map(flag))
        known = g["open"].notna()
        tok = g.loc[known, "tokens"]
        open_tok = float(g.loc[known & g["open"].astype("boolean").fillna(False), "tokens"].sum())
        med = priced.groupby("open")["price"].median()
        rows.append({"period": d, "catalogue_date": day["snapshot_date"].iloc[0],
                     "open_share_of_ranked_tokens_pct": 100 * open_tok / float(tok.sum()) if tok.sum() else np.nan,
                     "ranked_models_matched": int(known.sum()), "ranked_models": int(len(g)),
                     "open_share_of_priced_models_pct": 100 * float(priced["open"].mean()),
                     "priced_models": int(len(priced)),
                     "open_to_closed_median_price": float(med.get(True, np.nan) / med.get(False, np.nan))})
    return pd.DataFrame(rows)


@dataclass(frozen=True, kw_only=True, eq=False, repr=False)
class UsageConcentrationResult(Result):
    """Concentration on usage and spend shares beside the model-count measure, each labelled.

    Attributes
    ----------
    table : DataFrame
        One row per measure × period: ``measure, measures_what, period, n_firms, listed_share_pct,
        coverage_pct, hhi, hhi_low, hhi_high, equivalent_firms, cr_<k>, cr_<k>_low, cr_<k>_high,
        paper_value``.
    open_weights : DataFrame
        Per rankings snapshot: open-weight share of ranked tokens, of priced models, and the
        open/closed median listed price ratio.
    """

    table: pd.DataFrame
    open_weights: pd.DataFrame
    sources: tuple[str, ...] = ()
    title: str = "Power on usage, not counts: HHI and CR-k of usage and spend shares"
    keys = ("measure", "period")

    def wide(self) -> pd.DataFrame:
        """:attr:`table` (one row per measure × period)."""
        return self.table.copy()

    def summary(self, fmt: Any = "text") -> str:
        from llmflation.results import render_table

        sep = "" if fmt == "html" else "\n\n"
        return sep.join([render_table(self.table, self.title, [], fmt),
                         render_table(self.open_weights, "Open weights: share of tokens vs share of models",
                                      self._notes(), fmt)])

    def __repr__(self) -> str:
        return f"UsageConcentrationResult({self.table['measure'].nunique()} measures, {len(self.table)} rows)"


@validated
def usage_concentration(
        market_shares: Annotated[pd.DataFrame, Frame(columns=("market",),
                                                     what="a pandas DataFrame (the bundled market_shares table)")],
        openrouter_daily: Annotated[pd.DataFrame, Frame(what="a pandas DataFrame (the bundled openrouter_daily "
                                                             "table) or None")] | None = None,
        rankings: Annotated[pd.DataFrame, Frame(what="a pandas DataFrame (the bundled openrouter_rankings table) "
                                                     "or None")] | None = None, *,
        usage: UsageSource = "all", k: PositiveInts = (1, 4),
        snapshot_date: DateLike = "2026-03-28") -> UsageConcentrationResult:
    """HHI, CR-k and equivalent firms on usage and spend shares, beside the model count.

    Parameters
    ----------
    market_shares : DataFrame
        Bundled ``market_shares`` (OpenRouter token shares by author and by inference
        provider, Menlo spend shares).
    openrouter_daily, rankings : DataFrame, optional
        Bundled ``openrouter_daily`` and ``openrouter_rankings``: the model-count measure
        (with the paper's 4,558 → 2,086) and the open-weight comparison. Needed for
        ``usage="all"`` / ``"openrouter"``; left out otherwise.
    usage : {"openrouter", "menlo", "all"}
        Which share measures.
    k : sequence of int
        Concentration ratios.

    Returns
    -------
    UsageConcentrationResult

    Examples
    --------
    >>> ms = pd.DataFrame({"period_start": ["2025-01-01"] * 3, "period_end": ["2025-12-31"] * 3,
    ...                    "market": ["US enterprise LLM API spend (Menlo Ventures survey)"] * 3,
    ...                    "firm": ["A", "B", "C"], "share_pct": [40.0, 27.0, 21.0]})
    >>> r = usage_concentration(ms, usage="menlo")
    >>> r.table[["hhi", "hhi_high", "cr_1", "cr_4_low", "cr_4_high"]].values.round(1).tolist()
    [[2770.0, 2914.0, 40.0, 88.0, 100.0]]
    """
    parts = []
    notes = []
    ms = market_shares
    if usage in ("openrouter", "all"):
        tok = ms[ms["market"].str.startswith("OpenRouter tokens by model author")]
        if len(tok):
            b = concentration(tok.rename(columns={"period_end": "period"}), k=k,
                              residual_firms=tuple(str(f) for f in tok["firm"].unique() if str(f).startswith("other"))).wide()
            b.insert(0, "measure", "openrouter_tokens_by_author")
            parts.append(b)
        prov = ms[ms["market"].str.startswith("OpenRouter tokens by inference provider")]
        if len(prov):
            p = concentration(prov.rename(columns={"period_end": "period"}), k=k).wide()
            p.insert(0, "measure", "openrouter_tokens_by_inference_provider")
            parts.append(p)
        if openrouter_daily is not None:
            mc = llm_concentration(openrouter_daily, ms, snapshot_date=snapshot_date, k=k).wide()
            mc = mc[mc["measure"] == "openrouter_models_available"]
            parts.append(mc)
        else:
            notes.append("openrouter_daily not given: the model-count measure is left out.")
    if usage in ("menlo", "all"):
        men = ms[ms["market"].str.startswith("US enterprise LLM API spend")]
        c = concentration(men.assign(period=men["period_start"].astype(str).str.slice(0, 4)), k=k).wide()
        c.insert(0, "measure", "menlo_enterprise_spend")
        parts.append(c)
        notes.append("menlo_enterprise_spend: only the top firms are published (2024: Anthropic alone); coverage_pct "
                     "is the listed total, hhi the listed firms (lower bound), hhi_high the remainder as one firm; "
                     "CR-k bounds assume an unlisted firm is no larger than the smallest listed one.")
    if not parts:
        raise InputError(f"no share rows for usage={usage!r} in market_shares.")
    table = _with_bounds(pd.concat(parts, ignore_index=True, sort=False), k)
    table.insert(1, "measures_what", table["measure"].map(USAGE_MEASURES))
    if "paper_value" not in table.columns:
        table["paper_value"] = np.nan
    ow = pd.DataFrame()
    if rankings is not None and openrouter_daily is not None and usage in ("openrouter", "all"):
        ow = _open_weight_usage(rankings, openrouter_daily)
        notes.append("open_weights: a model counts as open-weight when OpenRouter lists a Hugging Face id for it; "
                     "token shares cover the top-9 ranked models only (matched to the catalogue); prices are listed "
                     "3:1 blends on the latest catalogue snapshot on or before each rankings date.")
    notes.append("Du (2026): HHI 4,558 (2023Q1) → 2,086 (2026Q1) on developer shares over OpenRouter-available "
                 "models (paper_value, model-count rows only); usage-based measures answer a different question.")
    frames = [f for f in (market_shares, openrouter_daily, rankings) if f is not None]
    return UsageConcentrationResult(table=table, open_weights=ow, config={"usage": usage, "k": tuple(k),
                                                                          "snapshot_date": snapshot_date},
                                    vintage=data_vintage(*frames), notes=tuple(notes),
                                    sources=("market_shares (per row source_url)", "openrouter_daily",
                                             "openrouter_rankings (jampongsathorn/openrouter-rankings)"))
