"""First-party truth: the developers' own list prices as intervals, and the check of
every other price interval against them (pure pandas).

The curated table ``first_party_prices`` holds one row per event of a vendor API id
(``launch``, ``price_cut``, ``price_increase``, ``alias_repoint``, ``promo_start``,
``promo_end``, ``deprecated``, ``shutdown``), each with its ``source_url``. An offer is
(API id × context tier); its price holds from the event's ``effective_date`` until the
day before the offer's next event, a shutdown (or a deprecation not followed by a
shutdown), or the table's last date (its last observation).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

DAY = pd.Timedelta(days=1)
PRICED_EVENTS = ("launch", "price_cut", "price_increase", "alias_repoint", "promo_start", "promo_end")
CLOSING_EVENTS = ("shutdown", "deprecated")
#: Developer (as written in the curated table) → provider slug used in the panel.
DEVELOPER_SLUG = {
    "OpenAI": "openai", "Anthropic": "anthropic", "Google": "google", "DeepSeek": "deepseek",
    "Mistral AI": "mistral", "xAI": "xai", "Amazon": "amazon", "Cohere": "cohere", "Moonshot AI": "moonshot",
    "Alibaba (Qwen)": "alibaba", "Alibaba": "alibaba", "Zhipu AI (Z.ai)": "zai", "Zhipu AI": "zai",
}
#: Relative gap between an interval's price and the first-party list price that still
#: counts as agreement: catalogues round (e.g. $0.0375 → $0.04) and convert per-1K quotes.
TOLERANCE = 0.05
#: A price this many times above or below the reference is a unit slip (per-character,
#: per-1K or per-token written as per-1M), not a pricing decision: no vendor or host
#: prices one model ten times apart, while cuts of one id stay below that (o3: 5×).
UNIT_SLIP_FACTOR = 10.0
#: A regional or sovereign endpoint (``bedrock/us-gov-east-1/…``, ``us/claude-…``,
#: ``eu.anthropic…``) priced up to this factor above the list price is a region's surcharge.
MARKUP_MAX = 1.5
REGION_KEY = r"(?:^|/)(?:us|eu|apac|au|jp|global)[./]|us-gov|(?:^|/)[a-z]{2}-[a-z]+-\d(?:/|$)"
_ARCHIVE = re.compile(r"web\.archive\.org|archive\.(?:is|ph|today|org)|megalodon\.jp", re.I)
_CATALOGUE = re.compile(r"github\.com/(?:pydantic|simonw|BerriAI)|openrouter\.ai|llm-prices\.com", re.I)


def base_tier(tier: pd.Series) -> pd.Series:
    """True for the list-price tier: no tier, the shortest prompt tier (``<=…``) or DeepSeek's peak rate."""
    t = tier.astype("string").fillna("")
    return t.eq("") | t.str.startswith("<=") | t.str.startswith("peak")


def date_basis(source_url: pd.Series) -> pd.Series:
    """How a curated row was dated: ``archive`` (a capture of the vendor page),
    ``observed_first`` (a catalogue's or OpenRouter's first listing) or ``announced``."""
    u = source_url.astype("string").fillna("")
    return pd.Series(np.where(u.str.contains(_ARCHIVE), "archive",
                              np.where(u.str.contains(_CATALOGUE), "observed_first", "announced")), index=u.index)


def first_party_intervals(fp: pd.DataFrame, *, as_of: pd.Timestamp | None = None) -> pd.DataFrame:
    """Price intervals of every (API id × context tier) in the curated first-party table.

    Examples
    --------
    >>> fp = pd.DataFrame({"developer": "OpenAI", "api_model_id": "m", "is_alias": False, "alias_target": None,
    ...     "effective_date": ["2024-01-01", "2024-06-01", "2025-01-01"], "date_precision": "day",
    ...     "event": ["launch", "price_cut", "shutdown"], "input_usd_per_mtok": [2.0, 1.0, None],
    ...     "output_usd_per_mtok": [4.0, 2.0, None], "cached_input_usd_per_mtok": None, "context_tier": None,
    ...     "source_url": "https://openai.com/x", "confidence": "high"})
    >>> first_party_intervals(fp)[["input_usd_per_mtok", "valid_from", "valid_to", "valid_to_basis"]].astype(str).values.tolist()
    [['2.0', '2024-01-01', '2024-05-31', 'next_event'], ['1.0', '2024-06-01', '2024-12-31', 'shutdown']]
    """
    d = fp.copy()
    d["date"] = pd.to_datetime(d["effective_date"], errors="coerce")
    d["context_tier"] = d["context_tier"].astype("string").fillna("")
    as_of = pd.Timestamp(as_of) if as_of is not None else d["date"].max()
    d = d.dropna(subset=["date"])
    # a deprecation notice closes the price only when no shutdown of the id follows
    has_shutdown = d[d["event"] == "shutdown"].groupby("api_model_id")["date"].min()
    dep = (d["event"] == "deprecated") & d["api_model_id"].map(has_shutdown).notna()
    d = d[~dep]
    closes = d[d["event"].isin(CLOSING_EVENTS)]
    # closing events carry no tier: they close every tier of the id
    close_rows = []
    tiers = d[d["event"].isin(PRICED_EVENTS)].groupby("api_model_id")["context_tier"].unique()
    for r in closes.itertuples(index=False):
        for t in tiers.get(r.api_model_id, [r.context_tier]):
            if r.context_tier in ("", t):
                close_rows.append({**r._asdict(), "context_tier": t})
    ev = pd.concat([d[d["event"].isin(PRICED_EVENTS)], pd.DataFrame(close_rows, columns=d.columns)],
                   ignore_index=True)
    ev["_closing"] = ev["event"].isin(CLOSING_EVENTS)
    ev["_order"] = np.arange(len(ev))
    ev = ev.sort_values(["api_model_id", "context_tier", "date", "_closing", "_order"], kind="mergesort")
    key = ["api_model_id", "context_tier"]
    g = ev.groupby(key, sort=False)
    nxt, nxt_ev = g["date"].shift(-1), g["event"].shift(-1)
    ev["valid_from"] = ev["date"]
    ev["valid_to"] = (nxt - DAY).where(nxt.notna(), max(as_of, ev["date"].max()))
    ev["valid_to_basis"] = np.where(nxt.isna(), "last_observation",
                                    np.where(nxt_ev.isin(CLOSING_EVENTS), nxt_ev.astype("string"), "next_event"))
    iv = ev[~ev["_closing"] & ev["input_usd_per_mtok"].notna() & ev["output_usd_per_mtok"].notna()].copy()
    iv["valid_to"] = iv[["valid_to", "valid_from"]].max(axis=1)
    iv["date_basis"] = date_basis(iv["source_url"])
    iv["provider"] = iv["developer"].map(DEVELOPER_SLUG).fillna(iv["developer"].astype(str).str.lower())
    return iv.drop(columns=["_closing", "_order", "date"]).reset_index(drop=True)


def shutdowns(fp: pd.DataFrame) -> pd.Series:
    """First shutdown date of each API id."""
    d = fp[fp["event"] == "shutdown"]
    return pd.to_datetime(d["effective_date"]).groupby(d["api_model_id"]).min()


def _agree(a: pd.Series, b: pd.Series, tol: float) -> pd.Series:
    return (a / b).between(1 / (1 + tol), 1 + tol)


def check_against_first_party(rows: pd.DataFrame, truth: pd.DataFrame, *, tol: float = TOLERANCE,
                              slip: float = UNIT_SLIP_FACTOR) -> pd.DataFrame:
    """Compare each row with the first-party list prices of its model on overlapping dates.

    ``rows`` and ``truth`` need ``model_id, valid_from, valid_to, input_usd_per_mtok,
    output_usd_per_mtok``; ``rows`` also ``first_party``. Returns, per row of ``rows``
    (same index), ``verdict`` — ``no_reference`` (no first-party price overlaps),
    ``agrees``, ``stale_copy`` (agrees with the list price of other dates only), ``unit_slip``
    (≥ ``slip``× off), ``regional_markup`` (a third-party offer, or a regional endpoint
    of the developer, up to :data:`MARKUP_MAX` above) or
    ``differs`` — and ``clip_from``/``clip_to``, the span over which a partly agreeing row
    agrees (a mirror that kept the old price after a change agrees only until the change).

    Examples
    --------
    >>> t = pd.DataFrame({"model_id": "m", "valid_from": pd.to_datetime(["2024-01-01", "2024-06-01"]),
    ...     "valid_to": pd.to_datetime(["2024-05-31", "2024-12-31"]), "input_usd_per_mtok": [2.0, 1.0],
    ...     "output_usd_per_mtok": [4.0, 2.0]})
    >>> r = pd.DataFrame({"model_id": "m", "first_party": True,
    ...     "valid_from": pd.to_datetime(["2024-02-01", "2024-07-01", "2024-07-01"]),
    ...     "valid_to": pd.to_datetime(["2024-09-30", "2024-08-01", "2024-08-01"]),
    ...     "input_usd_per_mtok": [2.0, 2.0, 0.01], "output_usd_per_mtok": [4.0, 4.0, 0.02]})
    >>> check_against_first_party(r, t)[["verdict", "clip_to"]].astype(str).values.tolist()
    [['agrees', '2024-05-31'], ['stale_copy', nan], ['unit_slip', nan]]
    """
    out = pd.DataFrame({"verdict": "no_reference", "clip_from": pd.NaT, "clip_to": pd.NaT}, index=rows.index)
    if rows.empty or truth.empty:
        return out
    r = rows[["model_id", "valid_from", "valid_to", "input_usd_per_mtok", "output_usd_per_mtok"]].copy()
    r["_i"] = np.arange(len(r))
    t = truth[["model_id", "valid_from", "valid_to", "input_usd_per_mtok", "output_usd_per_mtok"]]
    m = r.merge(t, on="model_id", suffixes=("", "_t"))
    if m.empty:
        return out
    m["_ok"] = (_agree(m["input_usd_per_mtok"], m["input_usd_per_mtok_t"], tol)
                & _agree(m["output_usd_per_mtok"], m["output_usd_per_mtok_t"], tol))
    m["_overlap"] = (m["valid_from_t"] <= m["valid_to"]) & (m["valid_to_t"] >= m["valid_from"])
    ov = m[m["_overlap"]]
    any_overlap = ov.groupby("_i").size()
    ok_ov = ov[ov["_ok"]]
    agree_any = m[m["_ok"]].groupby("_i").size()
    span_from = ok_ov.groupby("_i")["valid_from_t"].min()
    span_to = ok_ov.groupby("_i")["valid_to_t"].max()
    all_ok = ov.groupby("_i")["_ok"].all()
    # size of the gap: geometric mean of the input and output ratios to the overlapping reference
    ov = ov.assign(_gap=np.exp(np.abs(np.log(ov["input_usd_per_mtok"] / ov["input_usd_per_mtok_t"])
                                      + np.log(ov["output_usd_per_mtok"] / ov["output_usd_per_mtok_t"])) / 2),
                   _above=(ov["input_usd_per_mtok"] + ov["output_usd_per_mtok"])
                   > (ov["input_usd_per_mtok_t"] + ov["output_usd_per_mtok_t"]))
    gap = ov.groupby("_i")["_gap"].min()
    above = ov.groupby("_i")["_above"].all()
    idx = np.arange(len(r))
    has_ov = pd.Series(idx, index=rows.index).map(any_overlap).notna().to_numpy()
    fp = rows["first_party"].fillna(False).astype(bool).to_numpy()
    key = rows["source_key"].astype(str) if "source_key" in rows.columns else pd.Series("", index=rows.index)
    regional = key.str.contains(REGION_KEY, regex=True).to_numpy()
    verdict = np.full(len(r), "no_reference", dtype=object)
    s = pd.Series(idx, index=rows.index)
    okv = s.map(all_ok).fillna(False).astype(bool).to_numpy()
    some = s.map(span_from).notna().to_numpy()
    g = s.map(gap).to_numpy(dtype=float)
    ab = s.map(above).fillna(False).astype(bool).to_numpy()
    elsewhere = s.map(agree_any).notna().to_numpy()
    verdict[has_ov & (okv | some)] = "agrees"
    none = has_ov & ~(okv | some)
    verdict[none & elsewhere] = "stale_copy"
    verdict[none & ~elsewhere] = "differs"
    verdict[none & ~elsewhere & ab & (g <= MARKUP_MAX) & (~fp | regional)] = "regional_markup"
    verdict[none & (g >= slip)] = "unit_slip"
    out["verdict"] = verdict
    partial = has_ov & some & ~okv
    out.loc[partial, "clip_from"] = s[partial].map(span_from).to_numpy()
    out.loc[partial, "clip_to"] = s[partial].map(span_to).to_numpy()
    out["clip_from"] = pd.to_datetime(out["clip_from"])
    out["clip_to"] = pd.to_datetime(out["clip_to"])
    return out


#: Within one key's own series, a jump this large is a unit factor (1e3 per-1K, 1e6
#: per-token), never a price change; the key's latest value is taken as the corrected one.
SERIES_SLIP_FACTOR = 100.0
#: Routers quote their cheapest route and run real promotions (a 14x-cheaper OpenRouter
#: price of a distilled model for two months): not compared across providers.
ROUTERS = frozenset({"openrouter"})


def cross_source_outliers(rows: pd.DataFrame, *, slip: float = UNIT_SLIP_FACTOR, min_others: int = 2,
                          series_slip: float = SERIES_SLIP_FACTOR) -> pd.Series:
    """Unit slips without a first-party reference: rows that the plausible-range guard
    lets through (a per-1K price written per token: $200/M) and ends-of-series dips.

    * A row priced ≥ ``slip``× away from the median of the model's *other providers*
      (one median per provider, so that 12 regional copies of one host count once), when
      at least ``min_others`` other providers price it (routers excepted, :data:`ROUTERS`);
    * else a row ≥ ``series_slip``× away from the latest interval of its own key.

    ``rows`` needs ``model_id, provider, source, source_key, valid_from, blended_usd_per_mtok``.

    Examples
    --------
    >>> r = pd.DataFrame({"model_id": ["g"] * 4 + ["w"] * 2, "provider": ["a", "b", "c", "d", "x", "x"],
    ...     "source": "s", "source_key": ["g"] * 4 + ["w"] * 2,
    ...     "valid_from": pd.to_datetime(["2024-01-01"] * 4 + ["2025-04-01", "2025-10-17"]),
    ...     "blended_usd_per_mtok": [0.2, 0.21, 0.19, 200.0, 200.0, 0.2]})
    >>> cross_source_outliers(r).tolist()
    [False, False, False, True, True, False]
    """
    out = pd.Series(False, index=rows.index)
    if rows.empty:
        return out
    lb = np.log(rows["blended_usd_per_mtok"].astype(float))
    d = rows.assign(_lb=lb)
    prov = d.groupby(["model_id", "provider"])["_lb"].median()
    # the reference of each (model, provider) with at least ``min_others`` other providers:
    # the median of the other providers' medians (one pass over the models, then one
    # vectorised comparison: a scan of every row per model was the slowest step of the build)
    many = prov[prov.groupby(level=0).transform("size") > min_others]
    mids, provs = many.index.get_level_values(0).to_numpy(), many.index.get_level_values(1).to_numpy()
    lvals = many.to_numpy()
    starts = np.flatnonzero(np.r_[True, mids[1:] != mids[:-1]])  # each model's first row (sorted index)
    refs: dict[tuple[object, object], float] = {}
    for a, b in zip(starts, [*starts[1:], len(mids)], strict=True):
        for i in range(a, b):
            if provs[i] not in ROUTERS:
                refs[(mids[i], provs[i])] = float(np.median(np.delete(lvals[a:b], i - a)))
    row_key = pd.MultiIndex.from_frame(d[["model_id", "provider"]])
    checked = pd.Series(row_key.isin(list(refs)), index=rows.index)
    if refs:
        ref = pd.Series(refs, dtype="float64").reindex(row_key).to_numpy()
        out = checked & ((d["_lb"] - ref).abs() >= np.log(slip))
    rest = d[~checked].sort_values("valid_from", kind="mergesort")
    last = rest.groupby(["source", "source_key", "provider"])["_lb"].transform("last")
    out.loc[rest.index] = (rest["_lb"] - last).abs() >= np.log(series_slip)
    return out


def propagate_alias_prices(fp: pd.DataFrame) -> pd.DataFrame:
    """Give a moving alias the price events of the snapshot it serves.

    A vendor alias (``claude-2`` → ``claude-2.0``) is billed at its target's price: when the
    target's price changes (or the target is shut down) while the alias points to it, the
    alias changes with it, even where the curated table records the event on the target
    only. Without this, the alias keeps its old price for ever (``claude-2`` at
    $11.02/$32.68 after the 2023-11-21 cut to $8/$24). Added rows say so in
    ``source_note`` and keep the target's ``source_url``.

    Examples
    --------
    >>> fp = pd.DataFrame({"developer": "A", "api_model_id": ["a", "a-1", "a-1", "a-1"],
    ...     "is_alias": [True, False, False, False], "alias_target": ["a-1", None, None, None],
    ...     "effective_date": ["2024-01-01", "2024-01-01", "2024-06-01", "2025-01-01"],
    ...     "event": ["launch", "launch", "price_cut", "shutdown"],
    ...     "input_usd_per_mtok": [2.0, 2.0, 1.0, None], "output_usd_per_mtok": [4.0, 4.0, 2.0, None],
    ...     "context_tier": None, "source_url": "u", "source_note": ""})
    >>> out = propagate_alias_prices(fp)
    >>> out[out.api_model_id == "a"][["effective_date", "event"]].values.tolist()
    [['2024-01-01', 'launch'], ['2024-06-01', 'price_cut'], ['2025-01-01', 'shutdown']]
    """
    d = fp.copy()
    date = pd.to_datetime(d["effective_date"], errors="coerce")
    is_alias = d["is_alias"].astype(str).str.lower().eq("true")
    target = d["alias_target"].astype("string").fillna("").str.strip()
    tier = d["context_tier"].astype("string").fillna("") if "context_tier" in d else pd.Series("", index=d.index)
    ids = set(d["api_model_id"].astype(str))
    # the table as plain lists: a few hundred rows, scanned once per alias row (a frame
    # filter per row made this the slowest step of reading the curated table)
    mids, events, dates, tiers, targets = (d["api_model_id"].tolist(), d["event"].tolist(), date.tolist(),
                                           tier.tolist(), target.tolist())
    rows = range(len(d))
    target_events = PRICED_EVENTS + ("shutdown",)
    added: list[dict[str, object]] = []
    for alias in sorted(set(d.loc[is_alias, "api_model_id"].astype(str))):
        mine = [k for k in rows if mids[k] == alias]
        own = sorted((k for k in mine if events[k] in PRICED_EVENTS and pd.notna(dates[k])), key=lambda k: dates[k])
        stops = [dates[k] for k in mine if events[k] == "shutdown"]
        # the alias's prices by (target, tier), in order of first appearance
        served: dict[tuple[str, str], list[int]] = {}
        for k in own:
            served.setdefault((targets[k], tiers[k]), []).append(k)
        for (t, tr), ks in served.items():
            if not t or t not in ids or t == alias:
                continue
            tev = [j for j in rows if mids[j] == t and tiers[j] == tr and events[j] in target_events]
            for k in ks:
                # the alias served t from this price until its next price on the tier or its shutdown
                start = dates[k]
                end = min((dates[j] for j in own if tiers[j] == tr and dates[j] > start), default=pd.NaT)
                stop = min((x for x in stops if x > start), default=pd.NaT)
                if pd.notna(stop) and (pd.isna(end) or stop < end):
                    end = stop
                for j in tev:
                    if dates[j] > start and (pd.isna(end) or dates[j] < end):
                        i = d.index[j]
                        row = {c: d.at[i, c] for c in d.columns}
                        row.update(api_model_id=alias, is_alias=d.at[d.index[own[0]], "is_alias"], alias_target=t,
                                   source_note=f"{alias} served {t}; the price of {t} changed (or it was shut "
                                               f"down) on this date, so the alias's did")
                        added.append(row)
    if not added:
        return fp
    out = pd.concat([fp, pd.DataFrame(added, columns=fp.columns)], ignore_index=True)
    # an alias's own event on the same day wins over one propagated from its target
    key = ["api_model_id", "effective_date", "event"] + (["context_tier"] if "context_tier" in out else [])
    return out.drop_duplicates(key, keep="first").reset_index(drop=True)
