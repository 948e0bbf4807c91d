"""``cost``: what one request to a model cost on a date, billed line by line as the vendor bills it.

The tariff (:mod:`llmflation.normalize.tariff`) holds every priced line of an offer
over time: input, output, cached input, long-prompt tiers (whole-request semantics),
time-of-day windows, promotions, and the batch tier derived from vendor rules with
their sources. :func:`cost` picks the lines that bill the request on that date (and
time of day), multiplies, and puts beside it the cheapest model of equal capability
(Epoch Capabilities Index at least the model's) priced under the same tariff options.

Offers of the curated first-party table are priced from their tariff; other models and
providers from the panel's dated intervals (input, output and cached input only).

With a store of fetched catalogues (``store=``), the first-party tariff goes on after the
curated table's last date (issue 21): the developer's own endpoint in the fetched LiteLLM
catalogue (the ``gemini`` entry of ``gemini-2.5-pro``, as :func:`llmflation.price_on`
picks it) gives every line its entry lists — long-prompt tiers, cached input, cache
write, batch, flex, priority, reasoning — dated by the fetches that observed it
(``tariff_intervals``), plus the vendor rules. Inside the curated coverage the curated
table stays the truth.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
import warnings
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from llmflation.errors import InputError, UnknownModelError
from llmflation.normalize import identity as ident
from llmflation.normalize import tariff as T
from llmflation.normalize.keys import match_api_id
from llmflation.panel.lookup import (
    DAY,
    FIRST_PARTY,
    _agrees,
    _first_party_providers,
    _match_key,
    _today,
    parse_iso_date,
    price_on,
)
from llmflation.results import Result
from llmflation.validate import check_frame

_AT = re.compile(r"^(\d{1,2}):(\d{2})$")
#: Rows of the result table and their roles.
ASKED = "asked"
CHEAPEST = "cheapest, ECI >= model's"


@lru_cache(maxsize=1)
def _first_party_tariff() -> pd.DataFrame:
    from llmflation.normalize.aliases import first_party_prices

    return T.apply_rules(T.curated_tariff(first_party_prices()))


def first_party_tariff() -> pd.DataFrame:
    """The first-party tariff: the curated table's lines plus the vendor rules' batch lines.

    Columns :data:`llmflation.normalize.tariff.TARIFF_COLUMNS`, one row per priced line of an
    offer over an interval.

    Examples
    --------
    >>> t = first_party_tariff()
    >>> g = t[(t.offer == "gemini-2.5-pro") & (t.service == "standard") & (t.line == "input")]
    >>> list(zip(g["above_tokens"].tolist(), g["usd_per_mtok"].tolist()))
    [(0, 1.25), (200000, 2.5)]
    """
    return _first_party_tariff().copy()


_DATED = re.compile(r"first observed in the .*$")


def _check_store(store: Any) -> None:
    if store is not None and not callable(getattr(store, "query", None)):
        raise InputError(f"store must be an llmflation.Store (or None); got {store!r} ({type(store).__name__}). "
                         "Open one with llmflation.Store('path.duckdb', read_only=True).")


def _curated_end(tf: pd.DataFrame) -> pd.Timestamp:
    """The curated first-party table's last date (the end of its tariff lines)."""
    return pd.Timestamp(tf.loc[tf["source"] == T.CURATED, "valid_to"].max())


def _fetched_tariff(store: Any, tf: pd.DataFrame) -> pd.DataFrame:
    """Tariff lines of the developers' own endpoints in the store's fetched catalogues, after the
    curated table's last date, one offer of the curated table each (empty when none).

    An offer takes the fetched entries of its developer's own provider slugs
    (:func:`llmflation.panel.lookup._first_party_providers`) whose key is the offer's id, else
    the model it served last (the same choice as :func:`llmflation.price_on`); of several such
    keys, the one observed last. An interval runs up to the day before the entry's next
    interval, or to today while the latest fetch still lists it. The first fetched interval
    covers the days between the table's end and that fetch when its standard input and
    output prices agree with the last curated ones (the list price held in between).
    """
    from llmflation.store.history import fetched_tariff

    end = _curated_end(tf)
    cur = tf[tf["source"] == T.CURATED]
    last = cur.sort_values("valid_from", kind="mergesort").groupby("offer").tail(1)
    provs = {d: _first_party_providers(str(d)) for d in last["developer"].unique()}
    want: dict[str, list[tuple[str, int]]] = {}
    for r in last.itertuples(index=False):
        want.setdefault(ident.normalize_key(str(r.offer)), []).append((str(r.offer), 0))
        if ident.normalize_key(str(r.served_model)) != ident.normalize_key(str(r.offer)):
            want.setdefault(ident.normalize_key(str(r.served_model)), []).append((str(r.offer), 1))
    rows = fetched_tariff(store, sorted({p for ps in provs.values() for p in ps}))
    if rows.empty:
        return T._frame([])
    today = _today()
    open_to = rows["valid_to"].where(rows["valid_to"] > today, today)
    rows["effective_to"] = (rows["next_from"] - DAY).where(
        rows["next_from"].notna(), open_to.where(rows["is_open"].astype(bool), rows["valid_to"]))
    rows = rows[rows["effective_to"] > end]
    norm = {k: ident.normalize_key(k) for k in rows["source_key"].astype(str).unique()}
    info = {str(r.offer): r for r in last.itertuples(index=False)}
    runs: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for rec in rows.sort_values("valid_from", kind="mergesort").to_dict(orient="records"):
        runs.setdefault((str(rec["source"]), str(rec["source_key"]), str(rec["provider"])), []).append(rec)
    best: dict[str, tuple[int, int, str, tuple[str, str, str]]] = {}
    for run_key, recs in runs.items():
        for offer, rank in want.get(norm[run_key[1]], []):
            if run_key[2] in provs.get(info[offer].developer, []):
                cand = (rank, -max(pd.Timestamp(r["valid_to"]).value for r in recs), run_key[1], run_key)
                if offer not in best or cand < best[offer]:
                    best[offer] = cand
    if not best:
        return T._frame([])
    # the last curated standard base-tier input/output price of each offer (for the days before the first fetch)
    base = cur[(cur["valid_to"] == end) & (cur["service"] == "standard") & (cur["above_tokens"] == 0)
               & cur["window"].isin(["", T.REST]) & cur["line"].isin(["input", "output"])]
    listed = base.groupby(["offer", "line"])["usd_per_mtok"].agg(["first", "size"])
    out = []
    for offer, (_rank, _to, _key, run_key) in sorted(best.items()):
        o = info[offer]
        for i, r in enumerate(runs[run_key]):
            opened = pd.Timestamp(r["opened_at"]) if pd.notna(r["opened_at"]) else pd.Timestamp(r["valid_from"])
            sid = f"snapshot {int(r['opened_snapshot_id'])}, " if pd.notna(r["opened_snapshot_id"]) else ""
            dated = f"first observed in the {r['source']} fetch of {opened.date()} ({sid}observed_at {opened.isoformat()})"
            start = max(pd.Timestamp(r["valid_from"]), end + DAY)
            if i == 0 and start > end + DAY and _held(listed, offer, r["entry"]):
                start = end + DAY
                dated += f"; held since the curated table's end ({end.date()}), whose last list price it agrees with"
            out.append({"source_key": r["source_key"], "entry": r["entry"], "valid_from": start,
                        "valid_to": r["effective_to"], "offer": offer, "provider": str(o.provider),
                        "developer": str(o.developer), "served_model": str(o.served_model), "dated_by": dated})
    entries = pd.DataFrame(out)
    return T.apply_rules(T.litellm_history_tariff(entries))


def _held(listed: pd.DataFrame, offer: str, entry: dict[str, Any]) -> bool:
    """True when a fetched entry's standard input and output prices agree with the offer's last curated ones."""
    for line in ("input", "output"):
        if (offer, line) not in listed.index or int(listed.at[(offer, line), "size"]) != 1:
            return False
        v = entry.get(f"{line}_cost_per_token")
        if not isinstance(v, int | float) or not _agrees(float(v) * 1e6, float(listed.at[(offer, line), "first"])):
            return False
    return True


def _tariff(store: Any = None) -> pd.DataFrame:
    """The first-party tariff: curated (and rules), plus the store's fetched lines after its end."""
    tf = _first_party_tariff()
    if store is None:
        return tf
    fetched = _fetched_tariff(store, tf)
    return pd.concat([tf, fetched], ignore_index=True) if len(fetched) else tf


@dataclass(frozen=True, kw_only=True, eq=False, repr=False)
class RequestCost(Result):
    """The cost of one request on one date, line by line, and the cheapest model of equal capability.

    Attributes
    ----------
    model, api_model_id, served_model, provider : str
        The name asked for, the offer it resolved to, the model that offer served on that
        date, and the provider (``first-party`` = the developer's own API).
    on : pandas.Timestamp
    at : str or None
        UTC time of day (``HH:MM``) the request was priced at.
    input_tokens, cached_input_tokens, output_tokens : float
        Prompt tokens (cached ones included), the cached part of them, output tokens.
    service : str
        ``standard`` or ``batch``.
    lines : DataFrame
        The tariff lines used: ``line, tokens, usd_per_mtok, usd, tier, window, source,
        source_url, basis, dated_by`` (``dated_by``: the fetch that first observed a line
        read from a store, e.g. ``first observed in the litellm fetch of 2026-11-01 (snapshot
        3, …)``; empty for curated lines). ``wide()`` shows ``dated_by`` when a line has one.
    total_usd : float
    capability : float or None
        The model's ECI (None when Epoch scores none).
    cheapest_model : str or None
        The cheapest model priced on that date whose ECI is at least the model's, under
        the same tariff (batch, cached tokens, time of day).
    cheapest_usd, cheapest_capability : float or None
    cheapest_basis : str
        How the comparison model was priced.
    """

    model: str
    api_model_id: str
    served_model: str
    provider: str
    on: pd.Timestamp
    at: str | None
    input_tokens: float
    cached_input_tokens: float
    output_tokens: float
    service: str
    lines: pd.DataFrame
    total_usd: float
    capability: float | None
    cheapest_model: str | None
    cheapest_usd: float | None
    cheapest_capability: float | None
    cheapest_basis: str = ""
    vintage: str = ""

    keys = ("role", "model", "line")

    @property
    def title(self) -> str:  # type: ignore[override]
        when = f" at {self.at} UTC" if self.at else ""
        svc = " (batch)" if self.service == "batch" else ""
        return (f"Cost of {self.input_tokens:,.0f} input ({self.cached_input_tokens:,.0f} cached) + "
                f"{self.output_tokens:,.0f} output tokens on {self.model}{svc}, {self.on.date()}{when}, USD")

    def wide(self) -> pd.DataFrame:
        """Rows: each tariff line used, the total, and the cheapest model of equal capability's total."""
        fetched = "dated_by" in self.lines.columns and self.lines["dated_by"].astype(bool).any()
        rows = [{"role": ASKED, "model": self.api_model_id, "line": r.line, "tokens": r.tokens,
                 "usd_per_mtok": r.usd_per_mtok, "usd": r.usd, "eci": math.nan, "source": r.source,
                 "source_url": r.source_url, **({"dated_by": r.dated_by} if fetched else {})}
                for r in self.lines.itertuples(index=False)]
        toks = self.input_tokens + self.output_tokens
        rows.append({"role": ASKED, "model": self.api_model_id, "line": "total", "tokens": toks,
                     "usd_per_mtok": math.nan, "usd": self.total_usd,
                     "eci": self.capability if self.capability is not None else math.nan, "source": "",
                     "source_url": ""})
        if self.cheapest_model is not None:
            rows.append({"role": CHEAPEST, "model": self.cheapest_model, "line": "total", "tokens": toks,
                         "usd_per_mtok": math.nan, "usd": self.cheapest_usd,
                         "eci": self.cheapest_capability if self.cheapest_capability is not None else math.nan,
                         "source": self.cheapest_basis, "source_url": ""})
        out = pd.DataFrame(rows)
        if fetched:
            out["dated_by"] = out["dated_by"].fillna("")
        for c in ("tokens", "usd_per_mtok", "usd", "eci"):
            out[c] = out[c].astype(float)
        return out


def _tokens(name: str, v: Any) -> float:
    if isinstance(v, bool) or not isinstance(v, int | float | np.integer | np.floating):
        raise InputError(f"{name} must be a finite number >= 0 (a token count), got {v!r} ({type(v).__name__}).")
    x = float(v)
    if not math.isfinite(x) or x < 0:
        raise InputError(f"{name} must be a finite number >= 0, got {v!r}. Pass a token count such as 300000.")
    return x


def parse_at(at: Any) -> tuple[str | None, int | None]:
    """``(HH:MM, minute of the day)`` of a UTC time of day (``"17:00"`` or a :class:`datetime.time`).

    Examples
    --------
    >>> parse_at("17:00"), parse_at(None)
    (('17:00', 1020), (None, None))
    """
    if at is None:
        return None, None
    if isinstance(at, _dt.time):
        return f"{at.hour:02d}:{at.minute:02d}", at.hour * 60 + at.minute
    m = _AT.match(at.strip()) if isinstance(at, str) else None
    if m is None or int(m.group(1)) > 23 or int(m.group(2)) > 59:
        raise InputError(f"at={at!r} is not a UTC time of day; expected HH:MM from 00:00 to 23:59 (e.g. 17:00).")
    h, mi = int(m.group(1)), int(m.group(2))
    return f"{h:02d}:{mi:02d}", h * 60 + mi


def _day(tf: pd.DataFrame, d: pd.Timestamp) -> pd.DataFrame:
    return tf[(tf["valid_from"] <= d) & (tf["valid_to"] >= d)]


def _bill(day: pd.DataFrame, *, input_tokens: float, cached: float, output_tokens: float,
          minute: int | None) -> tuple[pd.DataFrame, float, list[str]]:
    """Bill one request from one offer's lines of one service on one day."""
    sel, notes = T.select_lines(day, prompt_tokens=input_tokens, minute=minute)
    by = {r.line: r for r in sel.itertuples(index=False)}
    if "input" not in by or "output" not in by:
        raise InputError(f"the tariff of {day['offer'].iloc[0]!r} lacks an input or output price on that date; "
                         "it cannot be costed. Pick another date or model.")
    want = [("input", input_tokens - cached, by["input"])]
    if cached > 0:
        c = by.get("cached_input")
        if c is None:
            notes.append("No cached-input price is recorded for this offer on that date: cached tokens are billed at "
                         "the input rate (an upper bound).")
            want.append(("cached_input", cached, by["input"]))
        else:
            want.append(("cached_input", cached, c))
    want.append(("output", output_tokens, by["output"]))
    rows = []
    for line, toks, r in want:
        tier = r.tier_label if r.tier_label else ("all prompts" if r.above_tokens == 0 else f">{r.above_tokens:,}")
        rows.append({"line": line, "tokens": float(toks), "usd_per_mtok": float(r.usd_per_mtok),
                     "usd": float(toks) * float(r.usd_per_mtok) / 1e6, "tier": tier,
                     "window": r.window, "promotion": bool(r.promotion), "source": r.source,
                     "source_url": r.source_url, "basis": r.basis, "valid_from": r.valid_from,
                     "valid_to": r.valid_to, "dated_by": dated_by_of(str(r.basis))})
    out = pd.DataFrame(rows)
    with np.errstate(over="ignore"):
        total = float(out["usd"].sum())
    if not math.isfinite(total):
        raise InputError(f"the cost of {input_tokens:g} input + {output_tokens:g} output tokens overflows (it is not a "
                         "finite number of dollars); expected token counts a request can have, e.g. 1e6.")
    if out["promotion"].any():
        notes.append("A promotional price applies on that date (see the curated table's promo_start/promo_end).")
    return out, total, notes


def dated_by_of(basis: str) -> str:
    """The fetch that dated a fetched line (from its ``basis``), ``""`` for curated and panel lines.

    Examples
    --------
    >>> dated_by_of("listed (LiteLLM key x); first observed in the litellm fetch of 2026-11-01 (snapshot 1, …)")
    'first observed in the litellm fetch of 2026-11-01 (snapshot 1, …)'
    >>> dated_by_of("listed")
    ''
    """
    m = _DATED.search(basis)
    return m.group(0) if m else ""


def _panel_lines(p: Any, d: pd.Timestamp) -> pd.DataFrame:
    """Tariff lines of one panel price (a :class:`~llmflation.panel.lookup.PriceOn`)."""
    end = p.valid_to if p.valid_to is not None else d
    base = {"offer": p.api_model_id, "provider": p.provider, "developer": "", "served_model": p.served_model,
            "valid_from": p.valid_from, "valid_to": end, "service": "standard", "above_tokens": 0, "window": "",
            "tier_label": "", "promotion": p.event == "promo_start", "source": p.source,
            "source_url": p.source_url, "basis": p.dated_by}
    rows = [{**base, "line": "input", "usd_per_mtok": p.input_usd_per_mtok},
            {**base, "line": "output", "usd_per_mtok": p.output_usd_per_mtok}]
    if not math.isnan(p.cached_input_usd_per_mtok):
        rows.append({**base, "line": "cached_input", "usd_per_mtok": p.cached_input_usd_per_mtok})
    return T.apply_rules(T._frame(rows))


def _load_panel(panel: pd.DataFrame | None) -> pd.DataFrame:
    if panel is not None:
        return panel
    from llmflation.panel.build import load_panel

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load_panel(warn=False)


def _capability(panel: pd.DataFrame, names: list[str], d: pd.Timestamp) -> tuple[str | None, float | None]:
    from llmflation.panel.query import resolve_model

    for n in names:
        try:
            pid = resolve_model(panel, n)
        except UnknownModelError:
            continue
        e = panel.loc[panel["model_id"] == pid, "eci"]
        if "model_key" in panel.columns:
            key = panel.loc[panel["model_id"] == pid, "model_key"]
            if len(key):
                e = panel.loc[panel["model_key"] == key.iloc[0], "eci"]
        e = e.dropna()
        return pid, (float(e.max()) if len(e) else None)
    return None, None


def _prices_on(panel: pd.DataFrame, d: pd.Timestamp) -> pd.DataFrame:
    """One price per model on ``d`` (first-party rows if any, else the median across providers),
    with its ECI and release date: :func:`llmflation.panel.query.price_on`, vectorised."""
    live = panel[(panel["valid_from"] <= d) & (panel["valid_to"] >= d)]
    if live.empty:
        return pd.DataFrame(columns=["model_id", "input_usd_per_mtok", "output_usd_per_mtok", "eci",
                                     "release_date", "basis"])
    fp = live["first_party"].fillna(False).astype(bool)
    has_fp = fp.groupby(live["model_id"]).transform("any")
    use = live[fp | ~has_fp]
    g = use.groupby("model_id")
    out = pd.DataFrame({"input_usd_per_mtok": g["input_usd_per_mtok"].median(),
                        "output_usd_per_mtok": g["output_usd_per_mtok"].median()})
    allg = live.groupby("model_id")
    out["eci"] = allg["eci"].max()
    out["release_date"] = allg["release_date"].min()
    out["basis"] = np.where(has_fp.groupby(live["model_id"]).any().reindex(out.index), "first-party",
                            "median across providers")
    return out.reset_index()


def _cheapest(panel: pd.DataFrame, tf_day: pd.DataFrame, *, cap: float, d: pd.Timestamp, service: str,
              input_tokens: float, cached: float, output_tokens: float,
              minute: int | None) -> tuple[str | None, float | None, float | None, str, int]:
    on_day = _prices_on(panel, d)
    if on_day.empty:
        return None, None, None, "", 0
    released = on_day["release_date"].isna() | (on_day["release_date"] <= d)
    cand = on_day[(on_day["eci"] >= cap) & released]
    offers = {ident.normalize_key(o): o for o in tf_day["offer"].unique()}
    by_offer = {o: g for o, g in tf_day[tf_day["service"] == service].groupby("offer")}
    # the smallest long-prompt threshold of any curated offer: above it, a list price alone may be wrong
    tiers = tf_day.loc[tf_day["above_tokens"] > 0, "above_tokens"]
    unknown_above = float(tiers.min()) if len(tiers) else math.inf
    best: tuple[float, str, float, str] | None = None
    skipped = 0
    for r in cand.itertuples(index=False):
        mid = str(r.model_id)
        off = offers.get(ident.normalize_key(mid))
        if off is not None and off in by_offer:
            try:
                _, usd, _ = _bill(by_offer[off], input_tokens=input_tokens, cached=cached,
                                  output_tokens=output_tokens, minute=minute)
            except InputError:
                continue
            basis = f"first-party tariff of {off}"
        elif off is not None or service != "standard" or input_tokens > unknown_above:
            # a curated offer without that service; or a model priced by its list price only, whose
            # batch or long-prompt tariff is unknown: comparing its base rate would understate its cost
            skipped += 1
            continue
        else:
            usd = ((input_tokens * float(r.input_usd_per_mtok)) + output_tokens * float(r.output_usd_per_mtok)) / 1e6
            basis = f"list price ({r.basis}; cached tokens at the input rate)"
        if best is None or usd < best[0]:
            best = (usd, mid, float(r.eci), basis)
    if best is None:
        return None, None, None, "", skipped
    return best[1], best[0], best[2], best[3], skipped


def tariff_of(model: str, *, on: Any = None, store: Any = None) -> pd.DataFrame:
    """The first-party tariff lines of one model (every interval, or those in effect on ``on``).

    Parameters
    ----------
    model : str
        An API id or alias of the curated first-party table.
    on : str, optional
        ISO date ``YYYY-MM-DD``: only the lines in effect that day.
    store : llmflation.Store, optional
        A store of fetched catalogues: the lines fetched after the curated table's last date
        follow (source ``litellm``, ``basis`` naming the fetch that dated each).

    Examples
    --------
    >>> t = tariff_of("deepseek-chat", on="2025-03-01")
    >>> sorted(set(t["window"]))
    ['', '16:30-00:30']
    """
    if not isinstance(model, str) or not model.strip():
        raise InputError(f"model must be a non-empty string (an API id or alias), got {model!r}.")
    _check_store(store)
    tf = _tariff(store)
    offers = sorted(tf["offer"].unique())
    mid = match_api_id(model.strip(), offers) or _match_key(model.strip(), offers)
    if mid is None:
        import difflib

        raise UnknownModelError(model, difflib.get_close_matches(model.strip(), offers, n=5, cutoff=0.6))
    out = tf[tf["offer"] == mid]
    if on is not None:
        d = parse_iso_date(on)
        day = _day(out, d)
        if day.empty:
            raise InputError(f"no first-party tariff of {mid!r} is known on {d.date()}: its history covers "
                             f"{out['valid_from'].min().date()} → {out['valid_to'].max().date()}. Pick a date in "
                             "that span.")
        out = day
    order = {s: i for i, s in enumerate(T.SERVICES)}
    return (out.assign(_s=out["service"].map(order))
            .sort_values(["valid_from", "_s", "above_tokens", "window", "line"], kind="mergesort")
            .drop(columns="_s").reset_index(drop=True))


def latest_on(model: str, *, provider: str = FIRST_PARTY, panel: pd.DataFrame | None = None,
              store: Any = None) -> pd.Timestamp:
    """The last date ``model`` is priced (the default date of ``llmflation cost``); with a
    ``store``, its fetched first-party tariff counts (up to today while still listed).

    Examples
    --------
    >>> latest_on("gpt-4o-2024-05-13").date().isoformat()
    '2026-10-22'
    """
    if not isinstance(model, str) or not model.strip():
        raise InputError(f"model must be a non-empty string (an API id or alias), got {model!r}.")
    model = model.strip()
    _check_store(store)
    if provider == FIRST_PARTY:
        tf = _tariff(store)
        offers = sorted(tf["offer"].unique())
        mid = match_api_id(model, offers) or _match_key(model, offers)
        if mid is not None:
            return pd.Timestamp(tf.loc[tf["offer"] == mid, "valid_to"].max())
    from llmflation.panel.query import resolve_model

    panel = _load_panel(panel)
    pid = resolve_model(panel, model)
    rows = panel[panel["model_id"] == pid]
    if provider == FIRST_PARTY and rows["first_party"].fillna(False).astype(bool).any():
        rows = rows[rows["first_party"].fillna(False).astype(bool)]
    elif provider != FIRST_PARTY:
        rows = rows[rows["provider"].astype(str).str.lower() == provider.lower()]
        if rows.empty:
            raise InputError(f"no price of {pid!r} from provider {provider!r}; see `llmflation history {pid}`.")
    return pd.Timestamp(rows["valid_to"].max())


def cost(model: str, *, on: Any, input_tokens: float, output_tokens: float, cached_input_tokens: float = 0,
         batch: bool = False, at: Any = None, provider: str = FIRST_PARTY,
         panel: pd.DataFrame | None = None, store: Any = None) -> RequestCost:
    """What one request to ``model`` cost on date ``on``, billed line by line.

    The tariff lines in effect on that date are applied as the vendor bills them: a
    prompt above a long-prompt threshold bills the *whole* request at the higher rates
    (Gemini 2.5 Pro above 200k tokens: $2.50/$15 instead of $1.25/$10), cached tokens at
    the cached-input rate, ``batch=True`` at the batch tier (the vendor's batch rule, with
    its source), and ``at`` picks a time-of-day window (DeepSeek's off-peak hours).

    Parameters
    ----------
    model : str
        An API id or alias (``gemini-2.5-pro``, ``gpt-4o``, ``deepseek-chat``) or any name
        the panel knows.
    on : str
        ISO date ``YYYY-MM-DD``.
    input_tokens : float
        Prompt tokens of the request, cached ones included (they decide the long-prompt tier).
    output_tokens : float
        Output tokens (reasoning tokens included: billed as output).
    cached_input_tokens : float
        The part of ``input_tokens`` read from the prompt cache (≤ ``input_tokens``).
    batch : bool
        Price at the batch tier; refused where no batch tariff is known (the message lists
        the offers that have one on that date).
    at : str or datetime.time, optional
        UTC time of day ``HH:MM``; only time-of-day tariffs depend on it (a note says so otherwise).
    provider : str
        ``"first-party"`` (the developer's own API; default) or a provider slug of the panel.
    panel : DataFrame, optional
        The panel for capability scores and models outside the curated table (default:
        the bundled panel; with ``store``, models outside the curated table are priced from
        the bundled panel merged with the store).
    store : llmflation.Store, optional
        A store of fetched catalogues (``llmflation fetch litellm``). After the curated
        first-party table's last date, the first-party tariff is the developer's own
        endpoint in the fetched LiteLLM catalogue: every line its entry lists (long-prompt
        tiers, cached input, batch …) plus the vendor rules, dated by the fetches. The lines
        used then have source ``litellm`` (or ``tariff_rules`` for a derived batch line) and
        ``dated_by`` names the fetch (snapshot id, ``observed_at``) that first observed them.
        Inside the curated coverage the curated table stays the truth.

    Returns
    -------
    RequestCost
        The lines used (line, tokens, USD per 1M, USD, source), the total, and the cheapest
        model of equal capability under the same tariff.

    Raises
    ------
    InputError
        Negative or non-finite tokens, cached tokens above input tokens, a bad date or
        time, a date outside the model's history, or ``batch`` where no batch tariff exists.
    UnknownModelError
        An unknown model, with near matches.

    Examples
    --------
    >>> import llmflation as lf
    >>> r = lf.cost("gemini-2.5-pro", on="2025-08-01", input_tokens=300_000, output_tokens=1_000)
    >>> round(r.total_usd, 4), r.lines["usd_per_mtok"].tolist()
    (0.765, [2.5, 15.0])
    >>> round(lf.cost("gpt-4o", on="2024-11-01", input_tokens=1e6, output_tokens=0, batch=True).total_usd, 2)
    1.25

    After the curated table's end, from a store of fetched LiteLLM catalogues:

    >>> import json
    >>> from llmflation.store.fetch import fetch
    >>> s = lf.Store.memory()
    >>> entry = {"litellm_provider": "gemini", "mode": "chat", "input_cost_per_token": 1.25e-06,
    ...          "output_cost_per_token": 1e-05, "input_cost_per_token_above_200k_tokens": 2.5e-06,
    ...          "output_cost_per_token_above_200k_tokens": 1.5e-05}
    >>> _ = fetch(s, "litellm", payload=json.dumps({"gemini/gemini-2.5-pro": entry}).encode(),
    ...           observed_at="2026-11-02")
    >>> r = lf.cost("gemini-2.5-pro", on="2026-11-02", input_tokens=300_000, output_tokens=1_000, store=s)
    >>> r.lines[["usd_per_mtok", "source"]].values.tolist(), r.lines["dated_by"].iloc[0][:50]
    ([[2.5, 'litellm'], [15.0, 'litellm']], 'first observed in the litellm fetch of 2026-11-02 ')
    """
    if not isinstance(model, str) or not model.strip():
        raise InputError(f"model must be a non-empty string (an API id or alias), got {model!r}.")
    if not isinstance(provider, str) or not provider.strip():
        raise InputError(f"provider must be 'first-party' or a provider slug, got {provider!r}.")
    if not isinstance(batch, bool | np.bool_):
        raise InputError(f"batch must be True or False, got {batch!r}.")
    model = model.strip()
    d = parse_iso_date(on)
    n_in = _tokens("input_tokens", input_tokens)
    n_out = _tokens("output_tokens", output_tokens)
    n_cached = _tokens("cached_input_tokens", cached_input_tokens)
    if n_cached > n_in:
        raise InputError(f"cached_input_tokens ({n_cached:,.0f}) exceeds input_tokens ({n_in:,.0f}); cached tokens are "
                         "the part of the prompt read from the cache, so at most input_tokens. Pass the whole prompt "
                         "as input_tokens.")
    at_s, minute = parse_at(at)
    if panel is not None:
        check_frame(panel, "panel", what="a pandas DataFrame (the output of llmflation.load_panel()) or None")
    _check_store(store)
    service = "batch" if batch else "standard"
    notes: list[str] = []
    tf = _tariff(store)
    tf_day = _day(tf, d)
    mid = None
    if provider == FIRST_PARTY:
        offers = sorted(tf["offer"].unique())
        mid = match_api_id(model, offers) or _match_key(model, offers)
    if mid is not None:
        own = tf[tf["offer"] == mid]
        day = _day(own, d)
        if day.empty:
            lo, hi = own["valid_from"].min().date(), own["valid_to"].max().date()
            raise InputError(f"no first-party price of {mid!r} is known on {d.date()}: its history covers {lo} → {hi}. "
                             "Pick a date in that span.")
        source_vintage = "first_party_prices"
    else:
        if store is None or panel is not None:
            panel = _load_panel(panel)
        p = price_on(model, on=d.date().isoformat(), provider=provider, panel=panel, store=store)
        mid = p.api_model_id
        day = _day(_panel_lines(p, d), d)
        source_vintage = p.source
        notes.append(f"{mid} is not in the curated first-party table: priced from the panel's {p.source} interval "
                     "(input, output and cached input only; no long-prompt or time-of-day tiers).")
    svc = day[day["service"] == service]
    if svc.empty:
        have = tf_day[tf_day["service"] == service].groupby("provider")["offer"].unique()
        listed = "; ".join(f"{prov}: {', '.join(sorted(ids))}" for prov, ids in have.items())
        raise InputError(f"no {service} tariff of {mid!r} is known on {d.date()} (batch = 50% of standard is a "
                         f"vendor rule of OpenAI, Anthropic and Google, see normalize/tables/tariff_rules.csv). "
                         f"Offers with a {service} tariff on that date: {listed or 'none'}. Drop --batch or pick one "
                         "of them.")
    windowed = ~day["window"].isin([""])
    if at_s is not None and not windowed.any():
        notes.append(f"{mid} has no time-of-day pricing on {d.date()}: at={at_s} does not change the price.")
    lines, total, bill_notes = _bill(svc, input_tokens=n_in, cached=n_cached, output_tokens=n_out, minute=minute)
    notes += bill_notes
    fetched = lines[lines["dated_by"] != ""]
    if len(fetched):
        dated = "; ".join(dict.fromkeys(fetched["dated_by"]))
        notes.append(f"After the curated first-party table's last date ({_curated_end(tf).date()}): {mid} is priced "
                     f"by the developer's own endpoint in the fetched LiteLLM catalogue ({dated}).")
        source_vintage = "fetch"
    served = str(svc["served_model"].iloc[0])
    panel = _load_panel(panel)
    _pid, cap = _capability(panel, [served, mid, model], d)
    cheapest = cheapest_usd = cheapest_cap = None
    basis = ""
    if cap is None:
        notes.append(f"No capability score (ECI) is known for {mid}: no comparison model is shown.")
    else:
        cheapest, cheapest_usd, cheapest_cap, basis, skipped = _cheapest(
            panel, tf_day, cap=cap, d=d, service=service, input_tokens=n_in, cached=n_cached, output_tokens=n_out,
            minute=minute)
        if skipped:
            notes.append(f"{skipped} model(s) of equal or higher ECI are left out of the comparison: no {service} "
                         "tariff is known for them on that date, or only a list price while the prompt is long "
                         "enough for a long-prompt tier.")
    if service == "batch":
        notes.append("Batch prices are derived by the vendor's rule (source_url of each line); the rule is applied "
                     "to every offer of that vendor from its start date.")
    return RequestCost(
        model=model, api_model_id=str(mid), served_model=served, provider=provider, on=d, at=at_s,
        input_tokens=n_in, cached_input_tokens=n_cached, output_tokens=n_out, service=service, lines=lines,
        total_usd=total, capability=cap, cheapest_model=cheapest, cheapest_usd=cheapest_usd,
        cheapest_capability=cheapest_cap, cheapest_basis=basis,
        config={"on": d.date().isoformat(), "batch": bool(batch), "at": at_s, "provider": provider,
                **({"store": str(getattr(store, "path", ""))} if store is not None else {})},
        vintage=_vintage(source_vintage, panel, store), notes=tuple(notes))


def _vintage(source: str, panel: pd.DataFrame, store: Any) -> str:
    from llmflation.sources import bundled

    if source == "first_party_prices":
        return bundled.vintage([source])
    if source == "fetch":
        return f"{bundled.vintage(['first_party_prices'])}; fetched history of store {getattr(store, 'path', '')}"
    return str(panel.attrs.get("vintage", "") or source)
