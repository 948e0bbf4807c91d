"""The lookup index: a price lookup is a query, not a rebuild (issue 21, point 6).

``llmflation price MODEL --on DATE`` used to import pandas and rebuild (or read from the
disk cache) the curated first-party history before it could answer; a fresh process paid
about a second for that. The curated first-party history is small (a few hundred
intervals) and changes only with the bundle, so it is kept as an index file next to this
module, ``lookup_index.json``, and :func:`fast_price_on` answers from it — and from the
store's ``price_intervals`` and ``fetch_snapshots`` tables with one parameterised SQL
query — without importing pandas.

The index is a build artefact of the bundle and the code, like the registry tables:
``python scripts/build_lookup_index.py`` writes it, and ``tests/test_lookup_index.py``
fails when it differs from what :func:`build_index` derives now (so it cannot go stale
silently). At run time it is used only when the bundle's ``MANIFEST.json`` is the one it
was built from.

:func:`fast_price_on` is an *accelerator*, never a second source of truth: it answers
only the common case it can answer exactly as :func:`llmflation.panel.lookup.price_on`
does (a first-party price of a model the curated table knows by its API id, on a date its
history covers, with or without a store of fetched prices), and returns None for
everything else — other providers, names that need the registry to resolve, dates that
are not covered, any error — so that the full path answers, or raises its error, as
before. ``tests/test_lookup_index.py`` checks that both paths give the same answer over
every model of the table on every interval boundary, with and without a store.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import math
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

#: The index file (package data).
INDEX_PATH = Path(__file__).with_name("lookup_index.json")
#: Version of the index layout.
FORMAT = 1
#: Set ``LLMFLATION_FAST=0`` to always take the full path (for comparisons).
FAST_ENV = "LLMFLATION_FAST"
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
#: The first date an LLM price can carry (:data:`llmflation.validate.PRICE_DATE_MIN`; a test checks they agree).
PRICE_DATE_MIN = _dt.date(2015, 1, 1)
FIRST_PARTY = "first-party"
#: Columns of the curated first-party history kept in the index.
COLUMNS = ("api_model_id", "served_model", "developer", "valid_from", "valid_to", "event", "input_usd_per_mtok",
           "output_usd_per_mtok", "cached_input_usd_per_mtok", "date_precision", "confidence", "source_url",
           "shutdown")
_DATES = ("valid_from", "valid_to", "shutdown")


def _manifest_digest() -> str:
    # the bundle's directory as llmflation.sources.bundled.data_dir() names it (that module imports pandas)
    from importlib import resources

    return hashlib.sha256((Path(str(resources.files("llmflation") / "data")) / "MANIFEST.json").read_bytes()
                          ).hexdigest()


# --------------------------------------------------------------------------- building (pandas)


def build_index() -> dict[str, Any]:
    """The index as derived now from the bundle and the code (pandas; used by the build script and the test).

    Examples
    --------
    >>> ix = build_index()
    >>> ix["format"], "gpt-4o" in {r[0] for r in ix["rows"]}
    (1, True)
    """
    from llmflation.normalize.aliases import FIRST_PARTY_TABLE
    from llmflation.normalize.first_party import TOLERANCE
    from llmflation.panel.lookup import _first_party_providers, curated_intervals
    from llmflation.sources import bundled

    iv = curated_intervals()
    table_end = max(iv["valid_from"].max(), iv["shutdown"].max())

    def cell(c: str, v: Any) -> Any:
        if v is None or (isinstance(v, float) and math.isnan(v)) or str(v) in ("NaT", "<NA>"):
            return None
        if c in _DATES:
            if v != v.normalize():
                raise ValueError(f"{c} {v} of the curated first-party history is not a whole day; the index keeps days")
            return v.date().isoformat()
        if isinstance(v, float):
            return float(v)
        return str(v)

    rows = [[cell(c, v) for c, v in zip(COLUMNS, r, strict=True)] for r in iv[list(COLUMNS)].itertuples(index=False)]
    devs = sorted(iv["developer"].dropna().astype(str).unique())
    return {
        "format": FORMAT,
        "manifest_sha256": _manifest_digest(),
        "table_end": table_end.date().isoformat(),
        "tolerance": float(TOLERANCE),
        "vintage": bundled.vintage([FIRST_PARTY_TABLE]),
        "first_party_table": FIRST_PARTY_TABLE,
        "first_party_providers": {d: _first_party_providers(d) for d in devs},
        "columns": list(COLUMNS),
        "rows": rows,
    }


def write_index(path: Path = INDEX_PATH) -> Path:
    """Write :func:`build_index` to ``path`` (atomically: a temporary file renamed)."""
    text = json.dumps(build_index(), indent=0, sort_keys=True, ensure_ascii=False) + "\n"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return path


# --------------------------------------------------------------------------- reading (no pandas)


@lru_cache(maxsize=1)
def load_index() -> dict[str, Any] | None:
    """The index, or None when it is missing, of another layout, or built from another bundle."""
    try:
        ix = json.loads(INDEX_PATH.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if ix.get("format") != FORMAT or ix.get("manifest_sha256") != _manifest_digest():
        return None
    cols = ix["columns"]
    recs = []
    for r in ix["rows"]:
        d = dict(zip(cols, r, strict=True))
        for c in _DATES:
            d[c] = _dt.date.fromisoformat(d[c]) if d[c] else None
        for c in ("input_usd_per_mtok", "output_usd_per_mtok", "cached_input_usd_per_mtok"):
            d[c] = math.nan if d[c] is None else float(d[c])
        recs.append(d)
    ix["records"] = recs
    ix["by_id"] = {}
    for d in recs:
        ix["by_id"].setdefault(d["api_model_id"], []).append(d)
    ix["table_end_date"] = _dt.date.fromisoformat(ix["table_end"])
    return ix


def _day(value: Any) -> _dt.date | None:
    """``--on`` as a date when it is a plain ISO day inside the price dates, else None (the full path decides)."""
    if not isinstance(value, str) or not _ISO.match(value.strip()):
        return None
    try:
        d = _dt.date.fromisoformat(value.strip())
    except ValueError:
        return None
    tomorrow = _dt.datetime.now().date() + _dt.timedelta(days=1)
    return d if PRICE_DATE_MIN <= d <= tomorrow else None


def _today() -> _dt.date:
    return _dt.datetime.now(_dt.UTC).date()


def _agrees(a: float, b: float, tol: float) -> bool:
    return bool(b > 0 and 1 / (1 + tol) <= a / b <= 1 + tol)


def _fetched_rows(con: Any, providers: list[str]) -> list[dict[str, Any]]:
    """The store's fetched intervals of ``providers`` (:func:`llmflation.store.history.fetched_prices`, same query)."""
    from llmflation.store.queries import fetched_prices_sql, has_table

    if not has_table(con, "fetch_snapshots"):
        return []
    sql, params = fetched_prices_sql(providers)
    cur = con.execute(sql, params)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def _as_day(v: Any) -> _dt.date | None:
    if v is None:
        return None
    return v.date() if isinstance(v, _dt.datetime) else v


def _fetched_first_party(con: Any, ix: dict[str, Any], mid: str) -> list[dict[str, Any]]:
    """As :func:`llmflation.panel.lookup._fetched_first_party`, on plain rows."""
    from llmflation.normalize.keys import normalize_key

    g = sorted(ix["by_id"][mid], key=lambda d: d["valid_from"])
    dev, served = str(g[-1]["developer"]), str(g[-1]["served_model"])
    rows = _fetched_rows(con, ix["first_party_providers"].get(dev, []))
    if not rows:
        return []
    k_mid, k_served = normalize_key(mid), normalize_key(served)

    def rank(key: Any) -> int:
        k = normalize_key(str(key))
        return 0 if k == k_mid else 1 if k == k_served else 9

    ranks = [rank(r["source_key"]) for r in rows]
    best = min(ranks)
    if best > 1:
        return []
    today = _today()
    out = []
    for r, rk in zip(rows, ranks, strict=True):
        if rk != best:
            continue
        r = dict(r)
        for c in ("valid_from", "valid_to", "next_from"):
            r[c] = _as_day(r[c])
        last = today if bool(r["is_open"]) else r["valid_to"]
        r["effective_to"] = r["next_from"] - _dt.timedelta(days=1) if r["next_from"] is not None else last
        out.append(r)
    return out


def _num(v: Any) -> float:
    return math.nan if v is None else float(v)


def _iso_ts(v: Any) -> str:
    """A timestamp as pandas writes it (``2026-12-01T00:00:00``)."""
    if isinstance(v, _dt.datetime):
        return v.replace(tzinfo=None).isoformat()
    return _dt.datetime.combine(v, _dt.time()).isoformat()


def _from_fetch(model: str, mid: str, on: _dt.date, r: dict[str, Any], curated: dict[str, Any] | None,
                table_end: _dt.date, vintage: str, tol: float) -> dict[str, Any]:
    """As :func:`llmflation.panel.lookup._from_fetch`."""
    sid = r.get("opened_snapshot_id")
    sid = int(sid) if sid is not None else None
    opened = r["opened_at"] if r.get("opened_at") is not None else r["valid_from"]
    opened_iso = _iso_ts(opened)
    opened_day = _as_day(opened)
    last_seen = _as_day(r["observed_at"])
    src = str(r["source"])
    fetch = f"snapshot {sid}, " if sid is not None else ""
    dated = (f"first observed in the {src} fetch of {opened_day} ({fetch}observed_at {opened_iso}); "
             f"the developer's own endpoint ({r['provider']}, key {r['source_key']}) in that catalogue")
    notes = [f"After the curated first-party table's last date ({table_end}): the price of {mid!r} is "
             f"the developer's own endpoint as fetched from {src}, last observed {last_seen}."]
    nxt = r.get("next_from")
    if nxt is None and bool(r.get("is_open", False)) and last_seen is not None and on > last_seen:
        notes.append(f"Still listed at the latest {src} fetch ({last_seen}); assumed in effect on {on}.")
    if nxt is not None:
        notes.append(f"The next {src} fetch that saw a different price was on {nxt}; "
                     "a change between two fetches is dated by the later one.")
    if curated is not None:
        ci, co = curated["input_usd_per_mtok"], curated["output_usd_per_mtok"]
        if _agrees(_num(r["input_usd_per_mtok"]), ci, tol) and _agrees(_num(r["output_usd_per_mtok"]), co, tol):
            notes.append(f"Agrees with the curated list price in effect since {curated['valid_from']} "
                         f"(${ci:g}/${co:g}).")
        else:
            notes.append(f"Differs from the last curated list price (${ci:g}/${co:g} since "
                         f"{curated['valid_from']}): a price change observed by the fetch.")
    eff = r["effective_to"]
    vt = eff if eff is not None and eff < _today() else None
    return {
        "model": model, "api_model_id": mid, "served_model": mid if curated is None else str(curated["served_model"]),
        "provider": FIRST_PARTY, "on": on.isoformat(),
        "input_usd_per_mtok": _num(r["input_usd_per_mtok"]), "output_usd_per_mtok": _num(r["output_usd_per_mtok"]),
        "cached_input_usd_per_mtok": _num(r.get("cache_read_usd_per_mtok")),
        "valid_from": r["valid_from"].isoformat(), "valid_to": vt.isoformat() if vt is not None else None,
        "event": "observed", "source": src, "source_url": "", "dated_by": dated, "snapshot_id": sid,
        "observed_at": opened_iso, "_notes": notes, "_vintage": vintage,
        "_title": f"Price of {model} on {on} ({FIRST_PARTY}), USD per 1M tokens",
    }


def _curated(model: str, on: _dt.date, ix: dict[str, Any], mid: str, fetched: list[dict[str, Any]] | None,
             vintage: str) -> dict[str, Any] | None:
    """As :func:`llmflation.panel.lookup._curated`; None where that raises."""
    tol = float(ix["tolerance"])
    table_end = ix["table_end_date"]
    g = sorted(ix["by_id"][mid], key=lambda d: d["valid_from"])
    live = [d for d in g if d["valid_from"] <= on and (d["valid_to"] is None or d["valid_to"] >= on)]
    if fetched and on > table_end:
        hit = [r for r in fetched if r["valid_from"] <= on and r["effective_to"] is not None and r["effective_to"] >= on]
        last_cur = live[-1] if live else None
        if hit:
            r = sorted(hit, key=lambda x: (x["valid_from"], x["observed_at"]))[-1]
            return _from_fetch(model, mid, on, r, last_cur, table_end, vintage, tol)
        first = sorted(fetched, key=lambda x: x["valid_from"])[0]
        if last_cur is not None and on < first["valid_from"] \
                and _agrees(_num(first["input_usd_per_mtok"]), last_cur["input_usd_per_mtok"], tol) \
                and _agrees(_num(first["output_usd_per_mtok"]), last_cur["output_usd_per_mtok"], tol):
            table_end = first["valid_from"]
    if not live or on > table_end:
        return None  # the full path raises its error
    r = live[-1]
    notes = []
    if r["served_model"] != mid:
        notes.append(f"{mid} is a moving alias; on {on} it served {r['served_model']}.")
    notes.append("List price (standard tier, shortest-prompt or peak rate); off-peak, batch and long-prompt "
                 "rates are not list prices.")
    if r["valid_to"] is None:
        notes.append("valid_to empty: no later price change, repoint or shutdown is in the curated table.")
    return {
        "model": model, "api_model_id": mid, "served_model": str(r["served_model"]), "provider": FIRST_PARTY,
        "on": on.isoformat(), "input_usd_per_mtok": r["input_usd_per_mtok"],
        "output_usd_per_mtok": r["output_usd_per_mtok"], "cached_input_usd_per_mtok": r["cached_input_usd_per_mtok"],
        "valid_from": r["valid_from"].isoformat(),
        "valid_to": r["valid_to"].isoformat() if r["valid_to"] is not None else None,
        "event": str(r["event"]), "source": ix["first_party_table"], "source_url": str(r["source_url"]),
        "dated_by": f"vendor {str(r['event']).replace('_', ' ')} effective date ({r['date_precision'] or 'day'} "
                    f"precision, {r['confidence'] or 'unrated'} confidence)",
        "snapshot_id": None, "observed_at": None, "_notes": notes, "_vintage": ix["vintage"],
        "_title": f"Price of {model} on {on} ({FIRST_PARTY}), USD per 1M tokens",
    }


def fast_price_on(model: str, on: str, *, provider: str = FIRST_PARTY, con: Any = None,
                  store_path: str = "") -> dict[str, Any] | None:
    """The answer of :func:`llmflation.panel.lookup.price_on` as plain fields, or None (take the full path).

    Parameters
    ----------
    model, on, provider
        As ``price_on`` (``on`` an ISO date string).
    con : duckdb connection, optional
        An open store (read only) whose fetched first-party prices extend the curated history.
    store_path : str
        The store's path, for the answer's vintage.

    Returns
    -------
    dict or None
        The fields of ``PriceOn.wide()`` (dates as ISO strings) plus ``_title``, ``_notes``
        and ``_vintage``; None when this path does not answer (see the module notes).

    Examples
    --------
    >>> a = fast_price_on("gpt-4o", "2024-11-01")
    >>> a["served_model"], a["input_usd_per_mtok"], a["output_usd_per_mtok"], a["cached_input_usd_per_mtok"]
    ('gpt-4o-2024-08-06', 2.5, 10.0, 1.25)
    >>> fast_price_on("gpt-4o", "2024-11-01", provider="azure") is None  # the full path answers
    True
    """
    if provider != FIRST_PARTY or not isinstance(model, str) or not model.strip():
        return None
    d = _day(on)
    ix = load_index()
    if d is None or ix is None:
        return None
    model = model.strip()
    from llmflation.normalize.keys import match_api_id

    mid = match_api_id(model, sorted(ix["by_id"]))
    if mid is None:
        return None
    fetched = None
    vintage = ""
    if con is not None:
        fetched = _fetched_first_party(con, ix, mid)
        vintage = "fetched history of store " + store_path
    return _curated(model, d, ix, mid, fetched, vintage)
