"""The canonical price panel: one row per model × provider × price interval × source.

Built from every dated source in the bundled snapshot — OpenRouter daily snapshots,
LiteLLM price-map snapshots, Epoch's API price database, llm-prices and genai-prices
histories, and the curated price milestones — plus intervals fetched into a store.
Columns are those of DESIGN.md §3 (see :data:`PANEL_COLUMNS`).
"""

from __future__ import annotations

from typing import Protocol

import numpy as np
import pandas as pd

from llmflation.errors import InputError, check_choice
from llmflation.normalize import first_party as fpt
from llmflation.normalize.aliases import propagated_first_party_table
from llmflation.normalize.catalogues import (
    DAY,
    NOT_MODEL_REASON,
    SOURCE_DATE_BASIS,
    bundled_intervals,
    drop_glitches,
    not_a_base_text_model,
)
from llmflation.normalize.identity import enrich
from llmflation.normalize.intervals import coalesce_intervals
from llmflation.normalize.units import ExclusionLog, blended
from llmflation.sources import bundled
from llmflation.validate import check_bool


class _StoreLike(Protocol):
    def price_intervals(self) -> pd.DataFrame: ...


PANEL_COLUMNS = [
    "model_key", "tariff", "model_id", "model_name", "model_family", "developer", "country", "country_name", "provider",
    "first_party", "release_date", "release_date_source", "release_date_trusted", "valid_from", "valid_to", "observed_at",
    "source", "source_key", "input_usd_per_mtok", "output_usd_per_mtok", "blended_usd_per_mtok",
    "cache_read_usd_per_mtok", "context_tokens", "is_reasoning", "reasoning_class", "open_weights", "tier",
    "epoch_model", "epoch_link_rule", "eci", "n_obs",
    "date_basis", "date_precision", "valid_to_basis", "quality_flag", "kind", "key_rule", "source_start",
]



#: Reasons a row is excluded by the first-party check, by verdict.
_FP_REASON = {
    "stale_copy": "stale copy: a first-party price of other dates, after the developer changed it",
    "unit_slip": "unit slip: 10x or more off the developer's list price",
    "differs": "disagrees with the developer's list price (beyond 5%)",
    "vertex": "Vertex AI per-character price written as per-token (disagrees with the Gemini API list price)",
    "after_shutdown": "first-party price after the developer's shutdown of the model",
    "regional_markup": "regional markup: a regional endpoint of the developer priced above its list price",
}


def first_party_truth(p: pd.DataFrame, log: ExclusionLog) -> pd.DataFrame:
    """Check every interval against the developer's own list price (curated ``first-party``
    rows) on overlapping dates; exclude or label the ones that disagree.

    * A first-party row (the developer's endpoint in a catalogue) that disagrees beyond
      :data:`~llmflation.normalize.first_party.TOLERANCE` is excluded, counted by reason
      (stale copy, unit slip, Vertex per-character price, other); one that agrees only
      up to a price change is clipped to the dates it agrees (a mirror's lag). A dated
      snapshot without its own curated row is checked against its family's list price
      when the family id is curated (``gemini-1.5-flash-002`` → ``gemini-1.5-flash``).
    * A third-party row stays as its own offer; it is excluded only for a unit slip, and
      labelled in ``quality_flag`` (``regional_markup``, ``differs_from_first_party``).
    * Rows without a first-party reference are checked against the model's other
      providers (10× away) or, priced by one provider only, against the key's latest
      price (100× away): unit slips at the ends of series and inside the plausible range
      (e.g. a per-1K price written per token).
    """
    p = p.copy()
    p["quality_flag"] = pd.Series(pd.NA, index=p.index, dtype="object")
    truth_mask = p["source"].eq("first-party")
    p.loc[truth_mask, "first_party"] = True
    truth = p[truth_mask]
    fp_rows = p["first_party"].fillna(False).astype(bool) & ~truth_mask
    drop = pd.Series(False, index=p.index)
    # shutdowns close the developer's own offers
    sd = fpt.shutdowns(propagated_first_party_table())
    sd_by_model = truth.assign(_sd=truth["source_key"].map(sd)).groupby("model_id")["_sd"].min().dropna()
    cut = p["model_id"].map(sd_by_model)
    if "model_key" in p:
        # a model is shut down when every curated id of its key is: then no id of it (the
        # family id ``claude-instant-1``, an Epoch name) is sold by the developer after that
        by_key = truth["source_key"].map(sd).groupby(truth["model_key"])
        per_key = by_key.max().where(by_key.count() == by_key.size())  # NaT unless every id is shut down
        cut = cut.fillna(p["model_key"].map(per_key.dropna()))
    after = fp_rows & cut.notna() & (p["valid_from"] >= cut)
    drop |= after
    clip = fp_rows & cut.notna() & ~after & (p["valid_to"] >= cut)
    p.loc[clip, "valid_to"] = cut[clip] - DAY
    p.loc[clip, "valid_to_basis"] = "shutdown"
    for src, n in after.groupby(p["source"]).sum().items():
        log.add(str(src), _FP_REASON["after_shutdown"], int(n))
    others = p[~truth_mask & ~drop]
    chk = fpt.check_against_first_party(others, truth)
    # a developer's dated snapshot without its own curated row (gemini-1.5-flash-002) takes
    # the list price of its family where the family id itself is curated (gemini-1.5-flash)
    fam = others["model_family"].astype("string")
    by_family = (chk["verdict"] == "no_reference") & others["first_party"].fillna(False).astype(bool) \
        & fam.isin(set(truth["model_id"].astype(str))).fillna(False) & fam.ne(others["model_id"]).fillna(False)
    if by_family.any():
        sub = others[by_family].assign(model_id=fam[by_family].astype(str))
        chk.loc[by_family] = fpt.check_against_first_party(sub, truth).to_numpy()
        chk["clip_from"] = pd.to_datetime(chk["clip_from"])
        chk["clip_to"] = pd.to_datetime(chk["clip_to"])
    v = chk["verdict"]
    is_fp = others["first_party"].fillna(False).astype(bool)
    vertex = others["provider"].astype(str).str.contains("vertex", regex=False)
    reason = pd.Series("", index=others.index, dtype=object)
    bad = is_fp & v.isin(["stale_copy", "unit_slip", "differs", "regional_markup"])
    reason[bad] = v[bad].map(_FP_REASON)
    reason[bad & vertex & v.ne("unit_slip")] = _FP_REASON["vertex"]
    slip3 = ~is_fp & v.eq("unit_slip")
    reason[slip3] = _FP_REASON["unit_slip"]
    for (src, r), n in reason[reason != ""].groupby([others["source"], reason[reason != ""]]).size().items():
        log.add(str(src), str(r), int(n))
    drop.loc[others.index] |= reason != ""
    # partial agreement: keep the dates it agrees on
    part = chk["clip_to"].notna() & is_fp & (reason == "")
    ix = part[part].index
    new_to = p.loc[ix, "valid_to"].where(p.loc[ix, "valid_to"] <= chk.loc[ix, "clip_to"], chk.loc[ix, "clip_to"])
    tmin = truth.groupby("model_id")["valid_from"].min()
    inside = p.loc[ix, "valid_from"] >= p.loc[ix, "model_id"].map(tmin)
    new_from = p.loc[ix, "valid_from"].where(~inside | (p.loc[ix, "valid_from"] >= chk.loc[ix, "clip_from"]),
                                             chk.loc[ix, "clip_from"])
    changed = (new_to != p.loc[ix, "valid_to"]) | (new_from != p.loc[ix, "valid_from"])
    p.loc[ix, "valid_to"], p.loc[ix, "valid_from"] = new_to, new_from
    p.loc[ix[changed.to_numpy()], "quality_flag"] = "clipped_to_first_party_dates"
    p.loc[ix[(new_to < p.loc[ix, "valid_to"]).to_numpy()], "valid_to_basis"] = "first_party_change"
    for src, n in changed.groupby(p.loc[ix, "source"]).sum().items():
        log.add(str(src), "stale copy clipped at the developer's price change (kept)", int(n))
    lab = ~is_fp & v.isin(["regional_markup", "stale_copy", "differs"])
    p.loc[lab[lab].index, "quality_flag"] = np.where(v[lab].eq("regional_markup"), "regional_markup",
                                                     "differs_from_first_party")
    # no first-party reference: compare with the model's other prices
    norefs = others.index[(v == "no_reference").to_numpy()]
    out = fpt.cross_source_outliers(p.loc[~drop, ["model_id", "provider", "source", "source_key", "valid_from",
                                                  "blended_usd_per_mtok"]].dropna(subset=["model_id",
                                                                                          "blended_usd_per_mtok"]))
    out = out.reindex(norefs).fillna(False).astype(bool)
    for src, n in out.groupby(p.loc[norefs, "source"]).sum().items():
        log.add(str(src), "unit slip: 10x from the model's other providers, or 100x from the key's latest "
                          "price (no first-party reference)", int(n))
    drop.loc[out[out].index] = True
    return p[~drop]


def _fold_same_launch(p: pd.DataFrame) -> pd.DataFrame:
    """Give an undated key launched with its dated snapshot the snapshot's key and facts."""
    from llmflation.normalize.registry import same_launch_merges

    if "model_key" not in p:
        return p
    merges = same_launch_merges(p)
    if not merges:
        return p
    hit = p["model_key"].isin(list(merges))
    p = p.copy()
    p.loc[hit, "model_key"] = p.loc[hit, "model_key"].map(merges)
    p.loc[hit, "key_rule"] = p.loc[hit, "key_rule"].astype("string").fillna("") + "+same_launch"
    facts = ["release_date", "release_date_source", "release_date_trusted", "reasoning_class", "is_reasoning"]
    first = p[~hit].drop_duplicates("model_key").set_index("model_key")
    for c in facts:
        if c in p:
            v = p.loc[hit, "model_key"].map(first[c])
            p.loc[hit, c] = v.where(v.notna(), p.loc[hit, c])
    return p


def build_panel(intervals: pd.DataFrame, *, tiers: str | None = None, log: ExclusionLog | None = None) -> pd.DataFrame:
    """Resolve identities, enrich, check against first-party truth and order intervals into the canonical panel."""
    log = log if log is not None else ExclusionLog()
    p = enrich(intervals)
    for c in ("valid_from", "valid_to", "observed_at", "release_date"):
        p[c] = pd.to_datetime(p[c]).dt.normalize().astype("datetime64[ns]")
    # non-text models and fine-tunes, by canonical id (catches every source's spelling)
    why = not_a_base_text_model(p["model_id"].astype("string").fillna(""))
    for (src, r), n in why[why != ""].groupby([p["source"], why[why != ""]]).size().items():
        log.add(str(src), NOT_MODEL_REASON[str(r)], int(n))
    p = p[why == ""]
    p["blended_usd_per_mtok"] = blended(p["input_usd_per_mtok"], p["output_usd_per_mtok"])
    # intervals fetched into a store carry no dating columns: how each source is dated
    basis = p["source"].map(SOURCE_DATE_BASIS)
    p["date_basis"] = p["date_basis"].fillna(basis) if "date_basis" in p else basis
    for col, default in (("date_precision", "day"), ("valid_to_basis", "last_observation")):
        p[col] = p[col].fillna(default) if col in p else default
    p = first_party_truth(p, log)
    p = _fold_same_launch(p)
    # the first day each source covers: a model first seen that day was not launched that day
    p["source_start"] = p.groupby("source")["valid_from"].transform("min")
    from llmflation.panel.tiers import DEFAULT_TIERS, assign_tiers

    p["tier"] = assign_tiers(p, definition=tiers or DEFAULT_TIERS)  # type: ignore[arg-type]
    if (tiers or DEFAULT_TIERS) == "positioning" and "model_key" in p:
        # reviewed tiers of the registry (e.g. Gemini 1.0 Pro: mid, under Ultra) win over name rules
        from llmflation.normalize.registry import key_facts

        reviewed = p["model_key"].map(key_facts()["tier"].dropna())
        p["tier"] = reviewed.where(reviewed.notna(), p["tier"]).astype("string")
    for c in PANEL_COLUMNS:
        if c not in p:
            p[c] = pd.NA
    p = p[PANEL_COLUMNS].sort_values(["model_id", "provider", "source", "valid_from"], kind="mergesort")
    return p.reset_index(drop=True)


_CACHE: dict[str, pd.DataFrame] = {}
#: Merged panels of the last stores (or tier definitions) asked for, by content key.
_MERGED: dict[str, pd.DataFrame] = {}


def _build_bundled() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(intervals, panel, exclusion log) of the bundled snapshot, built from its tables."""
    log = ExclusionLog()
    iv = bundled_intervals(log)
    # the panel-stage checks (non-text ids, first-party truth) of the bundled panel
    plog = ExclusionLog()
    panel = build_panel(iv.copy(), log=plog)
    both = ExclusionLog({(r.source, r.reason): r.rows for r in log.to_frame().itertuples()})
    for (src, reason), n in plog.counts.items():
        both.add(src, reason, n)
    return iv, panel, both.to_frame()


def _bundled_panel() -> None:
    """Fill the in-process cache with the bundled panel and its exclusion log, read from the
    disk cache of :mod:`llmflation.panel.cache` when the bundle and the code are unchanged."""
    if "panel" in _CACHE:
        return
    from llmflation.panel.cache import cached

    def build() -> tuple[pd.DataFrame, pd.DataFrame]:
        iv, panel, log = _build_bundled()
        _CACHE["bundled"] = iv
        return panel, log

    _CACHE["panel"], _CACHE["log"] = cached("bundled_panel", build)


def _merged_panel(store: _StoreLike | None, tiers: str | None) -> pd.DataFrame:
    """The bundled intervals merged with the store's (duplicates dropped, runs coalesced) and built."""
    if "bundled" not in _CACHE:
        from llmflation.panel.cache import cached

        _CACHE["bundled"] = cached("bundled_intervals", lambda: bundled_intervals(ExclusionLog()))
    iv = _CACHE["bundled"]
    if store is not None:
        fetched = store.price_intervals()
        if len(fetched):
            merged = pd.concat([iv, fetched.drop(columns=["origin", "is_open"], errors="ignore")],
                               ignore_index=True)
            merged = merged.sort_values("valid_to").drop_duplicates(
                ["source", "source_key", "provider", "valid_from"], keep="last")
            merged = coalesce_intervals(merged)
            lit = merged["source"] == "litellm"
            iv = pd.concat([merged[~lit], drop_glitches(merged[lit], ExclusionLog())], ignore_index=True)
    return build_panel(iv.copy(), tiers=tiers)


def load_panel(store: _StoreLike | None = None, *, tiers: str | None = None, warn: bool = True) -> pd.DataFrame:
    """The canonical price panel (DESIGN.md §3).

    Parameters
    ----------
    store : llmflation.Store, optional
        When given, intervals fetched into the store are merged with the bundled ones
        (duplicates — same source, key, provider and interval start — are dropped).
    tiers : {"positioning", "price_band", "capability"}, optional
        Tier definition for the ``tier`` column (see :func:`llmflation.panel.tiers.assign_tiers`,
        which documents the default and why).
    warn : bool
        Emit a warning counting excluded rows by reason (free, sentinel -1, negative, missing,
        outside the plausible range, …).

    Returns
    -------
    pandas.DataFrame
        One row per model × provider × price interval × source, with USD per 1M tokens,
        dates as ``datetime64``, and model facts (developer, country group US/CN/EU/other,
        release date, reasoning and open-weights flags, Epoch link and ECI).

    Examples
    --------
    >>> import llmflation as lf
    >>> panel = lf.load_panel(warn=False)
    >>> panel.loc[panel.model_id == "gpt-4o-2024-08-06", "developer"].iloc[0]
    'OpenAI'
    """
    if store is not None and not callable(getattr(store, "price_intervals", None)):
        raise InputError(f"store must be an llmflation.Store (or None for the bundled snapshot); got "
                         f"{store!r} ({type(store).__name__}). Open one with llmflation.Store('path.duckdb').")
    if tiers is not None:
        from llmflation.panel.tiers import TIER_DEFINITIONS

        if not isinstance(tiers, str):
            raise InputError(f"tiers must be one of {', '.join(map(repr, TIER_DEFINITIONS))} or None; got {tiers!r} "
                             f"({type(tiers).__name__}).")
        check_choice("tiers", tiers, TIER_DEFINITIONS)
    warn = check_bool(warn, "warn")
    _bundled_panel()
    if warn and len(_CACHE["log"]):
        ExclusionLog({(r.source, r.reason): r.rows for r in _CACHE["log"].itertuples()}).warn()
    if store is None and tiers is None:
        p = _CACHE["panel"].copy()
    else:
        # a store's merged panel (or another tier definition) is built once per content of the
        # store and the bundle, then read from the disk cache: a lookup after the first is a read
        from llmflation.panel.cache import cached
        from llmflation.store.queries import content_fingerprint

        con = getattr(store, "con", None)
        if store is not None and con is None:  # a store-like object without a connection: not cached
            p = _merged_panel(store, tiers)
        else:
            key = f"{content_fingerprint(con) if store is not None else 'no store'}|{tiers}"
            if key not in _MERGED:
                while len(_MERGED) >= 4:  # a few per process (stores, tier definitions): oldest out
                    _MERGED.pop(next(iter(_MERGED)))
                _MERGED[key] = cached(f"merged_panel_{tiers or 'default'}", lambda: _merged_panel(store, tiers),
                                      key=key)
            p = _MERGED[key].copy()
    p.attrs["vintage"] = bundled.vintage(list(bundled.PRICE_TABLES))
    if store is not None:
        p.attrs["vintage"] += " + fetched history"
    return p


def exclusions() -> pd.DataFrame:
    """Counts of price rows excluded from the bundled panel, by source and reason."""
    _bundled_panel()
    return _CACHE["log"].copy()
