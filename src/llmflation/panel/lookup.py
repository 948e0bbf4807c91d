"""``price_on``: the list price of one model on one date, with its interval and source.

First-party prices come from the curated first-party table of the bundled snapshot
(vendor price pages and announcements, one ``source_url`` per row; README §11): a moving
alias (``gpt-4o``, ``deepseek-chat``, ``claude-3-5-haiku-latest``) resolves to the
snapshot it served on that date. Models the curated table does not cover, and other
providers, are answered from the canonical panel's dated intervals.

With a store (``store=`` or a panel from ``load_panel(store)``), first-party prices fetched
after the curated table's last date extend the first-party history (issue 21): the
developer's own endpoint in a fetched catalogue (LiteLLM's ``openai`` entry of
``gpt-4o-mini``) prices the model up to today while the latest fetch still lists it, and the
answer names the source and the fetch (snapshot id, ``observed_at``) that dated it.
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import pandas as pd

from llmflation.errors import InputError, UnknownModelError
from llmflation.normalize import identity as ident
from llmflation.normalize.keys import match_api_id
from llmflation.results import Result
from llmflation.validate import check_frame, check_price_date

_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DAY = pd.Timedelta(days=1)
FIRST_PARTY = "first-party"


def parse_iso_date(value: Any, what: str = "on") -> pd.Timestamp:
    """A date from ``YYYY-MM-DD`` only (a Timestamp/date is accepted as is).

    Examples
    --------
    >>> parse_iso_date("2024-10-02").date().isoformat()
    '2024-10-02'
    """
    if value is None or value is pd.NaT:
        raise InputError(f"{what} is missing ({value!r}); give an ISO date YYYY-MM-DD (e.g. 2024-10-02).")
    if isinstance(value, pd.Timestamp):
        return check_price_date(value, what).normalize()
    if hasattr(value, "isoformat") and not isinstance(value, str):
        ts = pd.Timestamp(value)
        if ts is pd.NaT:
            raise InputError(f"{what} is NaT (a missing date); give an ISO date YYYY-MM-DD (e.g. 2024-10-02).")
        return check_price_date(ts, what).normalize()
    if not isinstance(value, str):
        raise InputError(f"{what} must be an ISO date string YYYY-MM-DD or a Timestamp; got {value!r} "
                         f"({type(value).__name__}).")
    s = value.strip()
    if not _ISO.match(s):
        raise InputError(f"{what}={value!r} is not an ISO date; expected YYYY-MM-DD (e.g. 2024-10-02).")
    try:
        ts = pd.Timestamp(s)
    except ValueError:
        raise InputError(f"{what}={value!r} is not a calendar date; expected YYYY-MM-DD.") from None
    return check_price_date(ts, what)


@dataclass(frozen=True, kw_only=True, eq=False, repr=False)
class PriceOn(Result):
    """The price of one model in effect on one date.

    Attributes
    ----------
    model : str
        The name asked for.
    api_model_id : str
        The vendor API id it resolved to (an alias stays the alias).
    served_model : str
        The snapshot/model the id served on that date (the alias target; the id itself
        for a snapshot).
    provider : str
    on : pandas.Timestamp
    input_usd_per_mtok, output_usd_per_mtok, cached_input_usd_per_mtok : float
        USD per 1M tokens (cached input NaN where the vendor states none).
    valid_from, valid_to : pandas.Timestamp or None
        The interval of this price (``valid_to`` None = still in effect at the data's end).
    event : str
        What opened the interval (launch, price_cut, alias_repoint, promo_start …).
    source, source_url : str
        Table the price came from and the page it was read from.
    dated_by : str
        How the interval's start was dated.
    snapshot_id : int or None
        For a price read from a store: the id of the fetch snapshot that first observed it
        (``llmflation fetch list``); None for bundled prices.
    observed_at : pandas.Timestamp or None
        For a price read from a store: when that fetch observed it.
    """

    model: str
    api_model_id: str
    served_model: str
    provider: str
    on: pd.Timestamp
    input_usd_per_mtok: float
    output_usd_per_mtok: float
    cached_input_usd_per_mtok: float
    valid_from: pd.Timestamp | None
    valid_to: pd.Timestamp | None
    event: str
    source: str
    source_url: str
    dated_by: str
    snapshot_id: int | None = None
    observed_at: pd.Timestamp | None = None
    vintage: str = ""

    @property
    def title(self) -> str:  # type: ignore[override]
        return f"Price of {self.model} on {self.on.date()} ({self.provider}), USD per 1M tokens"

    @property
    def is_alias(self) -> bool:
        return self.served_model != self.api_model_id

    keys = ("model", "api_model_id", "served_model", "provider")

    def wide(self) -> pd.DataFrame:
        """One row: the fields as they read (dates as ISO strings; ``to_frame()`` has one row per price)."""
        def d(v: pd.Timestamp | None) -> Any:
            return v.date().isoformat() if v is not None and not pd.isna(v) else None

        return pd.DataFrame([{
            "model": self.model, "api_model_id": self.api_model_id, "served_model": self.served_model,
            "provider": self.provider, "on": d(self.on),
            "input_usd_per_mtok": self.input_usd_per_mtok, "output_usd_per_mtok": self.output_usd_per_mtok,
            "cached_input_usd_per_mtok": self.cached_input_usd_per_mtok,
            "valid_from": d(self.valid_from), "valid_to": d(self.valid_to), "event": self.event,
            "source": self.source, "source_url": self.source_url, "dated_by": self.dated_by,
            "snapshot_id": self.snapshot_id,
            "observed_at": self.observed_at.isoformat() if self.observed_at is not None else None,
        }])


def _match_key(name: str, ids: list[str]) -> str | None:
    """The curated id of the model another id denotes (a label, a variant, an Epoch name)."""
    from llmflation.normalize.registry import resolve

    keys = resolve(pd.Series([ident.normalize_key(i) for i in ids] + [ident.normalize_key(name)]))["model_key"]
    want = keys.iloc[-1]
    hit = [i for i, k in zip(ids, keys.iloc[:-1], strict=True) if k == want]
    own = [i for i in hit if ident.normalize_key(i) == want]
    return own[0] if own else (hit[0] if len(hit) == 1 else None)


def _suggest(name: str, ids: list[str]) -> list[str]:
    n = name.lower()
    close = difflib.get_close_matches(n, ids, n=5, cutoff=0.6)
    close += [i for i in ids if n in i.lower() and i not in close]
    return close[:5]


@lru_cache(maxsize=1)
def _curated_intervals() -> pd.DataFrame:
    from llmflation.normalize.aliases import first_party_intervals
    from llmflation.panel.cache import cached

    return cached("first_party_intervals", first_party_intervals)


def curated_intervals() -> pd.DataFrame:
    """The curated first-party history (:func:`llmflation.normalize.aliases.first_party_intervals`),
    built once per bundle and code version and read from the disk cache afterwards (a copy).

    Examples
    --------
    >>> bool(curated_intervals()["api_model_id"].eq("gpt-4o").any())
    True
    """
    return _curated_intervals().copy()


def _today() -> pd.Timestamp:
    return pd.Timestamp.now(tz="UTC").tz_localize(None).normalize()


def _first_party_providers(developer: str) -> list[str]:
    """Provider slugs of a developer's own API in the catalogues (not its cloud channels)."""
    from llmflation.normalize.catalogues import FIRST_PARTY as CATALOGUE_FIRST_PARTY

    own = [p for p, d in CATALOGUE_FIRST_PARTY.items() if d == developer and "vertex" not in p]
    return [p for p in own if p != "bedrock" or developer == "Amazon"]


def _same_offer(keys: pd.Series, mid: str, served: str) -> pd.Series:
    """Rank of each catalogue key as the curated id: 0 the id itself, 1 the snapshot it served last, else 9."""
    k = keys.astype(str).map(ident.normalize_key)
    rank = pd.Series(9, index=keys.index)
    rank[k == ident.normalize_key(served)] = 1
    rank[k == ident.normalize_key(mid)] = 0
    return rank


def _fetched_first_party(store: Any, ids_iv: pd.DataFrame, mid: str) -> pd.DataFrame:
    """Fetched intervals of the developer's own endpoint of ``mid`` (read from the store's tables)."""
    from llmflation.store.history import fetched_prices

    g = ids_iv[ids_iv["api_model_id"] == mid].sort_values("valid_from")
    dev, served = str(g["developer"].iloc[-1]), str(g["served_model"].iloc[-1])
    rows = fetched_prices(store, _first_party_providers(dev))
    if rows.empty:
        return rows
    rank = _same_offer(rows["source_key"], mid, served)
    best = rank.min()
    if best > 1:
        return rows.iloc[0:0]
    rows = rows[rank == best].copy()
    today = _today()
    last = rows["valid_to"].where(~rows["is_open"].astype(bool), today)
    rows["effective_to"] = (rows["next_from"] - DAY).where(rows["next_from"].notna(), last)
    return rows


def _panel_first_party(panel: pd.DataFrame, ids_iv: pd.DataFrame, mid: str, table_end: pd.Timestamp) -> pd.DataFrame:
    """The same from a panel (``load_panel(store)``): first-party catalogue rows after the curated end."""
    g = ids_iv[ids_iv["api_model_id"] == mid].sort_values("valid_from")
    served = str(g["served_model"].iloc[-1])
    need = {"source", "source_key", "provider", "first_party", "valid_from", "valid_to", "observed_at"}
    if not need <= set(panel.columns):
        return panel.iloc[0:0]
    fp = panel[panel["first_party"].fillna(False).astype(bool) & panel["source"].ne(FIRST_PARTY)
               & (panel["valid_to"] > table_end)
               & panel["provider"].isin(_first_party_providers(str(g["developer"].iloc[-1])))]
    if fp.empty:
        return fp
    rank = _same_offer(fp["source_key"], mid, served)
    if rank.min() > 1:
        return fp.iloc[0:0]
    rows = fp[rank == rank.min()].sort_values(["source", "source_key", "provider", "valid_from"]).copy()
    nxt = rows.groupby(["source", "source_key", "provider"])["valid_from"].shift(-1)
    src_end = panel.groupby("source")["valid_to"].max()
    last = rows["valid_to"].where(rows["valid_to"] < rows["source"].map(src_end), _today())
    rows["effective_to"] = (nxt - DAY).where(nxt.notna(), last)
    rows["opened_snapshot_id"], rows["opened_at"] = None, rows["valid_from"]
    rows["last_snapshot_id"] = None
    return rows


def _agrees(a: float, b: float) -> bool:
    from llmflation.normalize.first_party import TOLERANCE

    return bool(b > 0 and 1 / (1 + TOLERANCE) <= a / b <= 1 + TOLERANCE)


def _from_fetch(model: str, mid: str, on: pd.Timestamp, r: pd.Series, curated: pd.Series | None,
                table_end: pd.Timestamp, vintage: str) -> PriceOn:
    sid = r.get("opened_snapshot_id")
    sid = int(sid) if sid is not None and pd.notna(sid) else None
    opened = pd.Timestamp(r["opened_at"]) if pd.notna(r.get("opened_at")) else pd.Timestamp(r["valid_from"])
    last_seen = pd.Timestamp(r["observed_at"])
    src = str(r["source"])
    fetch = f"snapshot {sid}, " if sid is not None else ""
    dated = (f"first observed in the {src} fetch of {opened.date()} ({fetch}observed_at {opened.isoformat()}); "
             f"the developer's own endpoint ({r['provider']}, key {r['source_key']}) in that catalogue")
    notes = [f"After the curated first-party table's last date ({table_end.date()}): the price of {mid!r} is "
             f"the developer's own endpoint as fetched from {src}, last observed {last_seen.date()}."]
    nxt = r.get("next_from")
    if pd.isna(r.get("next_from")) and bool(r.get("is_open", False)) and on > last_seen.normalize():
        notes.append(f"Still listed at the latest {src} fetch ({last_seen.date()}); assumed in effect on {on.date()}.")
    if pd.notna(nxt):
        notes.append(f"The next {src} fetch that saw a different price was on {pd.Timestamp(nxt).date()}; "
                     "a change between two fetches is dated by the later one.")
    if curated is not None:
        ci, co = float(curated["input_usd_per_mtok"]), float(curated["output_usd_per_mtok"])
        if _agrees(float(r["input_usd_per_mtok"]), ci) and _agrees(float(r["output_usd_per_mtok"]), co):
            notes.append(f"Agrees with the curated list price in effect since {curated['valid_from'].date()} "
                         f"(${ci:g}/${co:g}).")
        else:
            notes.append(f"Differs from the last curated list price (${ci:g}/${co:g} since "
                         f"{curated['valid_from'].date()}): a price change observed by the fetch.")
    cached = r.get("cache_read_usd_per_mtok")
    vt = r["effective_to"] if pd.notna(r["effective_to"]) and r["effective_to"] < _today() else None
    return PriceOn(
        model=model, api_model_id=mid, served_model=mid if curated is None else str(curated["served_model"]),
        provider=FIRST_PARTY, on=on,
        input_usd_per_mtok=float(r["input_usd_per_mtok"]), output_usd_per_mtok=float(r["output_usd_per_mtok"]),
        cached_input_usd_per_mtok=float(cached) if cached is not None and pd.notna(cached) else math.nan,
        valid_from=pd.Timestamp(r["valid_from"]), valid_to=vt, event="observed", source=src, source_url="",
        dated_by=dated, snapshot_id=sid, observed_at=opened,
        config={"provider": FIRST_PARTY, "on": on.date().isoformat()}, vintage=vintage, notes=tuple(notes))


def _curated(model: str, on: pd.Timestamp, ids_iv: pd.DataFrame, mid: str,
             fetched: pd.DataFrame | None = None, vintage: str = "") -> PriceOn:
    table_end = max(ids_iv["valid_from"].max(), ids_iv["shutdown"].max())
    from llmflation.normalize.aliases import FIRST_PARTY_TABLE
    from llmflation.sources import bundled

    g = ids_iv[ids_iv["api_model_id"] == mid].sort_values("valid_from")
    live = g[(g["valid_from"] <= on) & (g["valid_to"].isna() | (g["valid_to"] >= on))]
    if fetched is not None and len(fetched) and on > table_end:
        hit = fetched[(fetched["valid_from"] <= on) & (fetched["effective_to"] >= on)]
        last_cur = live.iloc[-1] if len(live) else None
        if len(hit):
            r = hit.sort_values(["valid_from", "observed_at"]).iloc[-1]
            return _from_fetch(model, mid, on, r, last_cur, table_end, vintage)
        first = fetched.sort_values("valid_from").iloc[0]
        if last_cur is not None and on < first["valid_from"] \
                and _agrees(float(first["input_usd_per_mtok"]), float(last_cur["input_usd_per_mtok"])) \
                and _agrees(float(first["output_usd_per_mtok"]), float(last_cur["output_usd_per_mtok"])):
            # the first fetch after the table's end saw the same list price: it held in between
            table_end = first["valid_from"]
    if live.empty:
        lo = g["valid_from"].min().date()
        shut = g["shutdown"].dropna()
        why = f" (shut down on {shut.min().date()})" if len(shut) and on >= shut.min() else ""
        hi = g["valid_to"].max()
        span = f"{lo} → {hi.date()}" if g["valid_to"].notna().all() else f"{lo} → {table_end.date()}"
        raise InputError(f"no first-party price of {mid!r} is known on {on.date()}{why}: its history covers "
                         f"{span}. Pick a date in that span.")
    if on > table_end:
        raise InputError(f"{on.date()} is after the end of the known first-party history ({table_end.date()}); "
                         f"the price of {mid!r} on that date is not known. Pick a date up to {table_end.date()}.")
    r = live.iloc[-1]
    vt = r["valid_to"] if pd.notna(r["valid_to"]) else None
    notes = []
    if r["served_model"] != mid:
        notes.append(f"{mid} is a moving alias; on {on.date()} it served {r['served_model']}.")
    notes.append("List price (standard tier, shortest-prompt or peak rate); off-peak, batch and long-prompt "
                 "rates are not list prices.")
    if vt is None:
        notes.append("valid_to empty: no later price change, repoint or shutdown is in the curated table.")
    cached = float(r["cached_input_usd_per_mtok"])
    return PriceOn(
        model=model, api_model_id=mid, served_model=str(r["served_model"]), provider=FIRST_PARTY, on=on,
        input_usd_per_mtok=float(r["input_usd_per_mtok"]), output_usd_per_mtok=float(r["output_usd_per_mtok"]),
        cached_input_usd_per_mtok=cached, valid_from=r["valid_from"], valid_to=vt, event=str(r["event"]),
        source=FIRST_PARTY_TABLE, source_url=str(r["source_url"]),
        dated_by=f"vendor {r['event'].replace('_', ' ')} effective date ({r['date_precision'] or 'day'} precision, "
                 f"{r['confidence'] or 'unrated'} confidence)",
        config={"provider": FIRST_PARTY, "on": on.date().isoformat()},
        vintage=bundled.vintage([FIRST_PARTY_TABLE]), notes=tuple(notes))


def _from_panel(model: str, on: pd.Timestamp, provider: str, panel: pd.DataFrame) -> PriceOn:
    from llmflation.panel.query import resolve_model

    mid = resolve_model(panel, model)
    rows = panel[panel["model_id"] == mid]
    if "model_key" in panel.columns and len(rows):
        # every id of the model (aliases, variants, catalogue spellings) prices it
        rows = panel[panel["model_key"] == rows["model_key"].iloc[0]]
    if provider == FIRST_PARTY:
        sel = rows[rows["first_party"].fillna(False).astype(bool)]
        if sel.empty:
            provs = ", ".join(sorted(rows["provider"].astype(str).unique())[:8])
            raise InputError(f"no first-party price of {mid!r} is known (its developer does not sell it, or no "
                             f"source records that); providers with prices: {provs}. Pass provider=… .")
    else:
        sel = rows[rows["provider"].astype(str).str.lower() == provider.lower()]
        if sel.empty:
            known = sorted(rows["provider"].astype(str).unique())
            close = difflib.get_close_matches(provider.lower(), known, n=3, cutoff=0.5)
            hint = f" Did you mean: {', '.join(close)}?" if close else ""
            raise InputError(f"no price of {mid!r} from provider {provider!r}.{hint} Providers: "
                             f"{', '.join(known[:12])}.")
    live = sel[(sel["valid_from"] <= on) & (sel["valid_to"] >= on)]
    if live.empty:
        raise InputError(f"no {provider} price of {mid!r} is known on {on.date()}; its prices cover "
                         f"{sel['valid_from'].min().date()} → {sel['valid_to'].max().date()}. Pick a date in that span.")
    r = live.sort_values(["observed_at", "valid_from"]).iloc[-1]
    cached = r.get("cache_read_usd_per_mtok")
    notes = []
    if live["source"].nunique() > 1:
        notes.append(f"{live['source'].nunique()} sources price it on that date ({', '.join(sorted(live['source'].unique()))}); "
                     "shown: the most recently observed. See `llmflation discrepancies`.")
    return PriceOn(
        model=model, api_model_id=mid, served_model=mid, provider=str(r["provider"]), on=on,
        input_usd_per_mtok=float(r["input_usd_per_mtok"]), output_usd_per_mtok=float(r["output_usd_per_mtok"]),
        cached_input_usd_per_mtok=float(cached) if cached is not None and pd.notna(cached) else math.nan,
        valid_from=r["valid_from"], valid_to=r["valid_to"], event="observed",
        source=str(r["source"]), source_url="", dated_by=f"observed interval in {r['source']} "
        f"(key {r['source_key']}; start = first observation of that price)",
        config={"provider": provider, "on": on.date().isoformat()},
        vintage=str(panel.attrs.get("vintage", "")), notes=tuple(notes))


def price_on(model: str, *, on: Any, provider: str = FIRST_PARTY, panel: pd.DataFrame | None = None,
             store: Any = None) -> PriceOn:
    """The price of ``model`` in effect on date ``on``.

    Parameters
    ----------
    model : str
        A vendor API id (``gpt-4o-2024-08-06``) or a moving alias (``gpt-4o``,
        ``deepseek-chat``, ``claude-3-5-haiku-latest``); other spellings known to the
        panel (``openai/gpt-4o``) work too.
    on : str
        ISO date ``YYYY-MM-DD``.
    provider : str
        ``"first-party"`` (default: the developer's own API price, from the curated
        first-party table where it covers the model) or a provider slug of the panel
        (``openrouter``, ``azure``, ``bedrock`` …).
    panel : DataFrame, optional
        Panel for models outside the curated table (default: the bundled panel, merged with
        ``store`` when given). A panel from ``load_panel(store)`` also extends the
        first-party history past the curated table's end with the fetched prices.
    store : llmflation.Store, optional
        A store of fetched prices: first-party prices it observed after the curated table's
        last date extend the first-party history up to today (while the latest fetch still
        lists the price), read from the store's tables without building a panel; the answer
        names the fetch (``snapshot_id``, ``observed_at``) that dated the price.

    Returns
    -------
    PriceOn
        Input, output and cached-input USD per 1M tokens, the interval, source and how
        the interval was dated.

    Raises
    ------
    UnknownModelError
        Unknown model, with near matches ("Did you mean …").
    InputError
        A date that is not ``YYYY-MM-DD`` or outside the model's known price history.

    Examples
    --------
    >>> import llmflation as lf
    >>> r = lf.price_on("gpt-4o", on="2024-11-01")
    >>> r.served_model, r.input_usd_per_mtok, r.output_usd_per_mtok, r.cached_input_usd_per_mtok
    ('gpt-4o-2024-08-06', 2.5, 10.0, 1.25)
    >>> lf.price_on("deepseek-chat", on="2025-01-15").served_model
    'DeepSeek-V3'
    """
    if not isinstance(model, str) or not model.strip():
        raise InputError(f"model must be a non-empty string (an API id or alias), got {model!r}.")
    if not isinstance(provider, str) or not provider.strip():
        raise InputError(f"provider must be 'first-party' or a provider slug, got {provider!r}.")
    model = model.strip()
    d = parse_iso_date(on)
    if panel is not None:
        check_frame(panel, "panel", what="a pandas DataFrame (the output of llmflation.load_panel()) or None")
    if store is not None and not callable(getattr(store, "query", None)):
        raise InputError(f"store must be an llmflation.Store (or None); got {store!r} ({type(store).__name__}). "
                         "Open one with llmflation.Store('path.duckdb', read_only=True).")
    if provider == FIRST_PARTY:
        iv = curated_intervals()
        ids = sorted(iv["api_model_id"].unique())
        mid = match_api_id(model, ids)
        if mid is None:
            mid = _match_key(model, ids)
        if mid is not None:
            table_end = max(iv["valid_from"].max(), iv["shutdown"].max())
            fetched = None
            vintage = ""
            if store is not None:
                fetched = _fetched_first_party(store, iv, mid)
                vintage = "fetched history of store " + str(getattr(store, "path", ""))
            elif panel is not None:
                fetched = _panel_first_party(panel, iv, mid, table_end)
                vintage = str(panel.attrs.get("vintage", ""))
            return _curated(model, d, iv, mid, fetched, vintage)
    if panel is None and store is not None:
        import warnings

        from llmflation.panel.build import load_panel

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            panel = load_panel(store, warn=False)
    if panel is None:
        import warnings

        from llmflation.panel.build import load_panel

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            panel = load_panel(warn=False)
    try:
        return _from_panel(model, d, provider, panel)
    except UnknownModelError:
        ids = sorted(set(panel["model_id"].astype(str)))
        if provider == FIRST_PARTY:
            ids = sorted(set(curated_intervals()["api_model_id"]) | set(ids))
        raise UnknownModelError(model, _suggest(model, ids)) from None


#: Columns of :func:`fetched_first_party_conflicts`.
CONFLICT_COLUMNS = ["api_model_id", "source", "provider", "source_key", "valid_from", "valid_to", "fetched_input",
                    "fetched_output", "curated_input", "curated_output", "curated_since", "snapshot_id",
                    "observed_at", "label"]


def fetched_first_party_conflicts(store: Any) -> pd.DataFrame:
    """Fetched first-party prices that contradict the curated first-party table inside its coverage.

    A developer's own endpoint in a fetched catalogue (LiteLLM's ``openai`` entry) priced
    beyond :data:`~llmflation.normalize.first_party.TOLERANCE` away from the curated list
    price of the same API id on overlapping dates up to the table's last date. The fetched
    interval stays in the store (it is never deleted) and the panel does not let it override
    the curated price; this table lists it, labelled, for review (``llmflation validate``).

    Returns
    -------
    DataFrame
        One row per conflicting overlap: ``api_model_id, source, provider, source_key,
        valid_from, valid_to`` (the overlap), ``fetched_input, fetched_output, curated_input, curated_output, curated_since,
        snapshot_id, observed_at, label``.

    Examples
    --------
    >>> from llmflation.store import Store
    >>> fetched_first_party_conflicts(Store.memory()).empty
    True
    """
    from llmflation.normalize.aliases import first_party_intervals
    from llmflation.normalize.catalogues import FIRST_PARTY as CATALOGUE_FIRST_PARTY
    from llmflation.normalize.first_party import TOLERANCE
    from llmflation.store.history import fetched_prices

    provs = [p for p in CATALOGUE_FIRST_PARTY if "vertex" not in p]
    rows = fetched_prices(store, provs)
    if rows.empty:
        return pd.DataFrame(columns=CONFLICT_COLUMNS)
    iv = first_party_intervals()
    table_end = max(iv["valid_from"].max(), iv["shutdown"].max())
    iv = iv.assign(_k=iv["api_model_id"].map(ident.normalize_key),
                   _to=iv["valid_to"].fillna(table_end).clip(upper=table_end))
    rows = rows.assign(_k=rows["source_key"].astype(str).map(ident.normalize_key),
                       _dev=rows["provider"].map(CATALOGUE_FIRST_PARTY))
    m = rows.merge(iv[["_k", "api_model_id", "developer", "valid_from", "_to", "input_usd_per_mtok",
                       "output_usd_per_mtok"]], on="_k", suffixes=("", "_cur"))
    m = m[m["_dev"].eq(m["developer"])]
    lo = m[["valid_from", "valid_from_cur"]].max(axis=1)
    hi = m[["valid_to", "_to"]].min(axis=1)
    m = m.assign(_lo=lo, _hi=hi)[lo <= hi]

    def off(a: pd.Series, b: pd.Series) -> pd.Series:
        return ~(a / b).between(1 / (1 + TOLERANCE), 1 + TOLERANCE)

    bad = m[off(m["input_usd_per_mtok"], m["input_usd_per_mtok_cur"])
            | off(m["output_usd_per_mtok"], m["output_usd_per_mtok_cur"])]
    out = pd.DataFrame({
        "api_model_id": bad["api_model_id"], "source": bad["source"], "provider": bad["provider"],
        "source_key": bad["source_key"], "valid_from": bad["_lo"], "valid_to": bad["_hi"],
        "fetched_input": bad["input_usd_per_mtok"], "fetched_output": bad["output_usd_per_mtok"],
        "curated_input": bad["input_usd_per_mtok_cur"], "curated_output": bad["output_usd_per_mtok_cur"],
        "curated_since": bad["valid_from_cur"], "snapshot_id": bad["opened_snapshot_id"],
        "observed_at": bad["opened_at"],
        "label": "fetched first-party price contradicts the curated table (kept in the store; the curated "
                 "price stays the truth inside its coverage)"})
    return out.sort_values(["api_model_id", "valid_from", "source"]).reset_index(drop=True)[CONFLICT_COLUMNS]
