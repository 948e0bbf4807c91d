"""``price_on``: the list price of one model on one date, with its interval and source.

First-party prices come from the curated first-party table of the bundled snapshot
(vendor price pages and announcements, one ``source_url`` per row; README §11): a moving
alias (``gpt-4o``, ``deepseek-chat``, ``claude-3-5-haiku-latest``) resolves to the
snapshot it served on that date. Models the curated table does not cover, and other
providers, are answered from the canonical panel's dated intervals.
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass
from typing import Any

import pandas as pd

from llmflation.errors import InputError, UnknownModelError
from llmflation.normalize import identity as ident
from llmflation.results import Result
from llmflation.validate import check_frame, check_price_date

_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
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
        }])


def _match_id(name: str, ids: list[str]) -> str | None:
    if name in ids:
        return name
    low = {i.lower(): i for i in ids}
    if name.lower() in low:
        return low[name.lower()]
    norm: dict[str, list[str]] = {}
    for i in ids:
        norm.setdefault(ident.normalize_key(i), []).append(i)
    hit = norm.get(ident.normalize_key(name), [])
    return hit[0] if len(hit) == 1 else None


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


def _curated(model: str, on: pd.Timestamp, ids_iv: pd.DataFrame, mid: str) -> PriceOn:
    table_end = max(ids_iv["valid_from"].max(), ids_iv["shutdown"].max())
    from llmflation.normalize.aliases import FIRST_PARTY_TABLE
    from llmflation.sources import bundled

    g = ids_iv[ids_iv["api_model_id"] == mid].sort_values("valid_from")
    live = g[(g["valid_from"] <= on) & (g["valid_to"].isna() | (g["valid_to"] >= on))]
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


def price_on(model: str, *, on: Any, provider: str = FIRST_PARTY, panel: pd.DataFrame | None = None) -> PriceOn:
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
        Panel for models outside the curated table (default: the bundled panel).

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
    if provider == FIRST_PARTY:
        from llmflation.normalize.aliases import first_party_intervals

        iv = first_party_intervals()
        ids = sorted(iv["api_model_id"].unique())
        mid = _match_id(model, ids)
        if mid is None:
            mid = _match_key(model, ids)
        if mid is not None:
            return _curated(model, d, iv, mid)
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
            from llmflation.normalize.aliases import first_party_intervals

            ids = sorted(set(first_party_intervals()["api_model_id"]) | set(ids))
        raise UnknownModelError(model, _suggest(model, ids)) from None
