"""The committed alias table (``tables/aliases.csv``)."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from io import StringIO

import pandas as pd

COLUMNS = ["source", "source_key", "model_id", "model_family", "developer", "epoch_model", "epoch_link_rule"]


@lru_cache(maxsize=1)
def _read() -> pd.DataFrame:
    f = resources.files("llmflation.normalize") / "tables" / "aliases.csv"
    if not f.is_file():
        return pd.DataFrame(columns=COLUMNS)
    df = pd.read_csv(StringIO(f.read_text()), dtype=str, keep_default_na=False)
    return df.replace({"": None})


def alias_table() -> pd.DataFrame:
    """Every (source, source key) in the bundled snapshot → canonical id, developer, Epoch link.

    Examples
    --------
    >>> t = alias_table()
    >>> list(t.columns) == COLUMNS
    True
    """
    return _read().copy()


# --------------------------------------------------------------------------- moving aliases over time

#: Name of the curated first-party price table in the bundled snapshot
#: (``shared/data/curated/first_party_prices.csv``, README §11).
FIRST_PARTY_TABLE = "first_party_prices"
#: Events that set a price from their effective date on (``deprecated`` only announces;
#: ``shutdown`` ends the id's history).
PRICE_EVENTS = ("launch", "price_cut", "price_increase", "alias_repoint", "promo_start", "promo_end")


@lru_cache(maxsize=1)
def _propagated() -> pd.DataFrame:
    from llmflation.normalize.first_party import propagate_alias_prices
    from llmflation.sources import bundled

    return propagate_alias_prices(bundled.load_table(FIRST_PARTY_TABLE))


def propagated_first_party_table() -> pd.DataFrame:
    """The bundled curated first-party table (raw columns) with alias prices propagated
    (:func:`~llmflation.normalize.first_party.propagate_alias_prices`).

    Computed once per process; returns a fresh copy that callers may modify.

    Examples
    --------
    >>> t = propagated_first_party_table()
    >>> bool(t["source_note"].astype(str).str.contains("so the alias's did").any())
    True
    """
    return _propagated().copy()


def first_party_prices() -> pd.DataFrame:
    """The curated first-party list-price table from the bundled snapshot.

    One row per vendor API id × event (launch, cut, alias repoint, promotion, shutdown),
    with its effective date, USD per 1M tokens and the ``source_url`` it was read from.
    Computed once per process; returns a fresh copy that callers may modify.

    Examples
    --------
    >>> t = first_party_prices()
    >>> {"api_model_id", "is_alias", "alias_target", "effective_date", "source_url"} <= set(t.columns)
    True
    """
    return _first_party_prices().copy()


@lru_cache(maxsize=1)
def _first_party_prices() -> pd.DataFrame:
    df = propagated_first_party_table()
    df["effective_date"] = pd.to_datetime(df["effective_date"], errors="coerce", format="%Y-%m-%d")
    df["is_alias"] = df["is_alias"].astype(str).str.lower().eq("true")
    for c in ("alias_target", "context_tier", "date_precision", "confidence", "source_url", "model_family"):
        df[c] = df[c].astype("string").fillna("").astype(str)
    return df


def list_price_rows(fp: pd.DataFrame) -> pd.DataFrame:
    """Rows of the list price: the shortest-prompt tier, the peak price of a time-of-day split.

    Off-peak discounts (DeepSeek 16:30–00:30 UTC) and long-prompt tiers (``>200k``) are not
    the list price; the README's rule: the shortest tier is the row whose tier starts
    with ``<=``, the ``peak …`` row is the list price of a time-of-day split.
    """
    tier = fp["context_tier"].astype(str).str.strip()
    keep = tier.eq("") | tier.str.startswith("<=") | tier.str.startswith("peak")
    return fp[keep]


def first_party_intervals(fp: pd.DataFrame | None = None) -> pd.DataFrame:
    """Date-ranged list prices of every first-party API id (aliases included).

    Each price event opens an interval that runs until the day before the id's next price
    event or its shutdown (``valid_to`` NaT = still in effect at the table's end). For a
    moving alias (``gpt-4o``, ``deepseek-chat``, ``*-latest``) ``served_model`` is the
    snapshot it pointed to over that interval (``alias_target``); for a snapshot it is the
    id itself. Without ``fp`` (the bundled table) the intervals are computed once per
    process and a fresh copy is returned.

    Examples
    --------
    >>> iv = first_party_intervals()
    >>> r = iv[(iv.api_model_id == "gpt-4o") & (iv.valid_from == "2024-10-02")].iloc[0]
    >>> r.served_model, float(r.input_usd_per_mtok), float(r.output_usd_per_mtok)
    ('gpt-4o-2024-08-06', 2.5, 10.0)
    """
    if fp is None:
        return _bundled_first_party_intervals().copy()
    fp = list_price_rows(fp).dropna(subset=["effective_date", "api_model_id"])
    fp = fp.sort_values(["api_model_id", "effective_date"], kind="stable")
    stops: dict[object, list[pd.Timestamp]] = {}
    for mid, d in fp.loc[fp["event"].eq("shutdown"), ["api_model_id", "effective_date"]].itertuples(index=False):
        stops.setdefault(mid, []).append(d)
    priced = fp[fp["event"].isin(PRICE_EVENTS) & fp["input_usd_per_mtok"].notna() & fp["output_usd_per_mtok"].notna()]
    # one price per day: a later row of the same day wins (promo_end after price_increase)
    priced = priced.drop_duplicates(["api_model_id", "effective_date"], keep="last")
    following = priced.groupby("api_model_id", sort=False)["effective_date"].shift(-1)
    out = []
    for r, nxt in zip(priced.itertuples(index=False), following, strict=True):
        mid = r.api_model_id
        stop = min((s for s in stops.get(mid, []) if s > r.effective_date), default=pd.NaT)
        ends = [d for d in (nxt, stop) if pd.notna(d)]
        valid_to = min(ends) - pd.Timedelta(days=1) if ends else pd.NaT
        target = r.alias_target if (r.is_alias and r.alias_target) else mid
        out.append({
            "api_model_id": mid, "is_alias": bool(r.is_alias), "served_model": target,
            "model_family": r.model_family, "developer": r.developer,
            "valid_from": r.effective_date, "valid_to": valid_to, "event": r.event,
            "input_usd_per_mtok": float(r.input_usd_per_mtok),
            "output_usd_per_mtok": float(r.output_usd_per_mtok),
            "cached_input_usd_per_mtok": (float(r.cached_input_usd_per_mtok)
                                          if pd.notna(r.cached_input_usd_per_mtok) else float("nan")),
            "date_precision": r.date_precision, "confidence": r.confidence, "source_url": r.source_url,
            "shutdown": stop,
        })
    cols = ["api_model_id", "is_alias", "served_model", "model_family", "developer", "valid_from", "valid_to",
            "event", "input_usd_per_mtok", "output_usd_per_mtok", "cached_input_usd_per_mtok", "date_precision",
            "confidence", "source_url", "shutdown"]
    return pd.DataFrame(out, columns=cols)


@lru_cache(maxsize=1)
def _bundled_first_party_intervals() -> pd.DataFrame:
    return first_party_intervals(_first_party_prices())


def alias_intervals(fp: pd.DataFrame | None = None) -> pd.DataFrame:
    """The date-ranged alias table: which snapshot each moving alias served, from when to when.

    Columns ``alias, target, valid_from, valid_to, event, source_url`` (``valid_to`` NaT =
    open). Consecutive price intervals that serve the same target are merged.

    Examples
    --------
    >>> a = alias_intervals()
    >>> a[a.alias == "deepseek-chat"]["target"].str.split(" ").str[0].drop_duplicates().tolist()[:4]
    ['DeepSeek-V2', 'DeepSeek-V2.5', 'DeepSeek-V2.5-1210', 'DeepSeek-V3']
    """
    iv = first_party_intervals(fp)
    iv = iv[iv["is_alias"]].sort_values(["api_model_id", "valid_from"])
    rows: list[dict[str, object]] = []
    cur: dict[str, object] | None = None
    for r in iv.itertuples(index=False):
        if cur is not None and cur["alias"] == r.api_model_id and cur["target"] == r.served_model:
            cur["valid_to"] = r.valid_to
            continue
        if cur is not None:
            rows.append(cur)
        cur = {"alias": r.api_model_id, "target": r.served_model, "valid_from": r.valid_from,
               "valid_to": r.valid_to, "event": r.event, "source_url": r.source_url}
    if cur is not None:
        rows.append(cur)
    return pd.DataFrame(rows, columns=["alias", "target", "valid_from", "valid_to", "event", "source_url"])
