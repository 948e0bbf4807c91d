"""The tariff as data: every priced line of an offer over an interval (pure pandas).

A *tariff line* is one price an offer (model × provider) charges over a dated interval:
the ``line`` it prices (``input``, ``output``, ``cached_input`` (cache read),
``cache_write``, ``reasoning_output``) under a ``service`` tier (``standard``, ``batch``,
``flex``, ``priority``), for prompts above ``above_tokens`` (a long-prompt tier; whole-request
semantics: a prompt above the threshold bills *every* token of the request at that tier's
rates, as Google bills Gemini 2.5 Pro above 200k tokens and Anthropic its long-context
tier), inside a UTC time-of-day ``window`` (DeepSeek's off-peak hours) or all day
(``""``), with ``promotion`` for a temporary price, in USD per 1M tokens, with its
``source`` and ``source_url``.

Three feeds make the frame, all with the columns :data:`TARIFF_COLUMNS`:

* :func:`curated_tariff` — the curated first-party table (context tiers, off-peak
  windows, promotions, cached input);
* :func:`litellm_tariff` — one LiteLLM catalogue entry (``*_above_*k_tokens``,
  ``cache_read_input_token_cost``, ``cache_creation_input_token_cost``, ``*_batches``,
  ``*_flex``, ``*_priority``, ``output_cost_per_reasoning_token``), and
  :func:`litellm_history_tariff` for a dated series of them, so that a store of fetched
  catalogues (which must keep each entry's JSON object per snapshot interval) feeds the
  same frame;
* :func:`apply_rules` — vendor rules with their sources (``tables/tariff_rules.csv``:
  batch = 50% of standard at OpenAI, Anthropic and Google), which derive service tiers
  from the standard lines.

:func:`select_lines` picks the lines that bill one request.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from importlib import resources
from io import StringIO
from typing import Any

import numpy as np
import pandas as pd

from llmflation.errors import InputError, ParseError

#: Columns of a tariff frame, in order.
TARIFF_COLUMNS = ["offer", "provider", "developer", "served_model", "valid_from", "valid_to", "service", "line",
                  "above_tokens", "window", "tier_label", "promotion", "usd_per_mtok", "source", "source_url",
                  "basis"]
#: Service tiers (how fast and how surely a request is served).
SERVICES = ("standard", "batch", "flex", "priority")
#: What a line prices.
LINES = ("input", "output", "cached_input", "cache_write", "reasoning_output")
#: ``window`` of the lines that hold outside every other window of their tier
#: (DeepSeek's "off-peak (all other hours)").
REST = "rest"
#: The curated first-party table's name (as in ``normalize.aliases.FIRST_PARTY_TABLE``).
CURATED = "first_party_prices"
RULES = "tariff_rules"
_HHMM = re.compile(r"^([01]?\d|2[0-3])(?::([0-5]\d))?$")
_TIER_SIZE = re.compile(r"^(<=|>)\s*(\d+(?:\.\d+)?)\s*([km]?)$", re.I)


def _hhmm(text: str, what: str) -> str:
    m = _HHMM.match(text.strip())
    if not m:
        raise ParseError(f"{what}: {text!r} is not a time of day; expected HH or HH:MM (00:00 to 23:59).")
    return f"{int(m.group(1)):02d}:{m.group(2) or '00'}"


def parse_context_tier(tier: Any) -> tuple[int, str, str]:
    """``(above_tokens, window, label)`` of a curated ``context_tier``.

    ``<=200k`` → the base tier (0), ``>200k`` → above 200,000 prompt tokens, ``off-peak
    16:30-00:30 UTC`` → a UTC window, ``peak 01-04 & 06-10 UTC`` → two windows,
    ``off-peak (all other hours)`` → :data:`REST`.

    Examples
    --------
    >>> parse_context_tier(">200k"), parse_context_tier("<=128k"), parse_context_tier(None)
    ((200000, '', '>200k'), (0, '', '<=128k'), (0, '', ''))
    >>> parse_context_tier("off-peak 16:30-00:30 UTC")
    (0, '16:30-00:30', 'off-peak')
    >>> parse_context_tier("peak 01-04 & 06-10 UTC")
    (0, '01:00-04:00,06:00-10:00', 'peak')
    >>> parse_context_tier("off-peak (all other hours)")
    (0, 'rest', 'off-peak')
    """
    t = "" if tier is None or (isinstance(tier, float) and np.isnan(tier)) else str(tier).strip()
    if not t:
        return 0, "", ""
    m = _TIER_SIZE.match(t)
    if m:
        n = float(m.group(2)) * {"k": 1e3, "m": 1e6, "": 1.0}[m.group(3).lower()]
        return (0 if m.group(1) == "<=" else int(round(n))), "", t
    low = t.lower()
    for label in ("off-peak", "peak"):
        if low.startswith(label):
            rest = low[len(label):].strip()
            if "all other hours" in rest:
                return 0, REST, label
            spans = []
            for part in re.split(r"\s*(?:&|,|and)\s*", rest.replace("utc", "").strip()):
                if not part:
                    continue
                a, sep, b = part.partition("-")
                if not sep:
                    raise ParseError(f"context_tier {tier!r}: {part!r} is not a time span; expected HH[:MM]-HH[:MM].")
                spans.append(f"{_hhmm(a, f'context_tier {tier!r}')}-{_hhmm(b, f'context_tier {tier!r}')}")
            if not spans:
                raise ParseError(f"context_tier {tier!r} names no time span; expected e.g. 'off-peak 16:30-00:30 UTC'.")
            return 0, ",".join(spans), label
    raise ParseError(f"context_tier {tier!r} is not understood; expected '<=Nk', '>Nk', 'off-peak HH:MM-HH:MM UTC', "
                     "'peak HH-HH & HH-HH UTC' or 'off-peak (all other hours)'. Fix the curated row.")


def in_window(window: str, minute: int) -> bool:
    """True when ``minute`` of the day (UTC, 0–1439) falls in ``window`` (start inclusive, end exclusive).

    Examples
    --------
    >>> in_window("16:30-00:30", 17 * 60), in_window("16:30-00:30", 10 * 60), in_window("16:30-00:30", 0)
    (True, False, True)
    """
    for span in window.split(","):
        a, _, b = span.partition("-")
        lo = int(a[:2]) * 60 + int(a[3:5])
        hi = int(b[:2]) * 60 + int(b[3:5])
        inside = lo <= minute < hi if lo < hi else (minute >= lo or minute < hi)
        if inside:
            return True
    return False


def _frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    out = pd.DataFrame(rows, columns=TARIFF_COLUMNS)
    out["valid_from"] = pd.to_datetime(out["valid_from"])
    out["valid_to"] = pd.to_datetime(out["valid_to"])
    out["above_tokens"] = out["above_tokens"].astype("int64")
    out["promotion"] = out["promotion"].astype(bool)
    out["usd_per_mtok"] = out["usd_per_mtok"].astype(float)
    return out


def curated_tariff(fp: pd.DataFrame, *, as_of: pd.Timestamp | None = None) -> pd.DataFrame:
    """Tariff lines of the curated first-party table (standard service).

    Each (API id × context tier) interval of
    :func:`llmflation.normalize.first_party.first_party_intervals` gives an ``input``,
    an ``output`` and, where the vendor states one, a ``cached_input`` line; its tier
    becomes ``above_tokens``/``window`` (:func:`parse_context_tier`); an interval opened by
    ``promo_start`` is a promotion. ``valid_to`` is the last day the table knows the price
    (the day before the next event, a shutdown, or the table's last date).

    Examples
    --------
    >>> fp = pd.DataFrame({"developer": "Google", "api_model_id": "g", "is_alias": False, "alias_target": "",
    ...     "effective_date": pd.to_datetime(["2025-06-17", "2025-06-17", "2026-06-17"]), "date_precision": "day",
    ...     "event": ["launch", "launch", "shutdown"], "input_usd_per_mtok": [1.25, 2.5, None],
    ...     "output_usd_per_mtok": [10.0, 15.0, None], "cached_input_usd_per_mtok": [0.125, 0.25, None],
    ...     "context_tier": ["<=200k", ">200k", ""], "source_url": "https://ai.google.dev/pricing", "confidence": "high"})
    >>> t = curated_tariff(fp)
    >>> t[t.above_tokens > 0][["line", "above_tokens", "usd_per_mtok", "valid_to"]].astype(str).values.tolist()
    [['input', '200000', '2.5', '2026-06-16'], ['output', '200000', '15.0', '2026-06-16'], ['cached_input', '200000', '0.25', '2026-06-16']]
    """
    from llmflation.normalize.first_party import first_party_intervals

    if fp.empty:
        return _frame([])
    iv = first_party_intervals(fp, as_of=as_of)
    rows: list[dict[str, Any]] = []
    for r in iv.itertuples(index=False):
        above, window, label = parse_context_tier(r.context_tier)
        served = str(r.alias_target) if bool(r.is_alias) and str(r.alias_target or "") else str(r.api_model_id)
        base = {"offer": str(r.api_model_id), "provider": str(r.provider), "developer": str(r.developer),
                "served_model": served, "valid_from": r.valid_from, "valid_to": r.valid_to,
                "service": "standard", "above_tokens": above, "window": window, "tier_label": label,
                "promotion": r.event == "promo_start", "source": CURATED, "source_url": str(r.source_url),
                "basis": "listed"}
        for line, col in (("input", "input_usd_per_mtok"), ("output", "output_usd_per_mtok"),
                          ("cached_input", "cached_input_usd_per_mtok")):
            v = getattr(r, col)
            if v is not None and pd.notna(v):
                rows.append({**base, "line": line, "usd_per_mtok": float(v)})
    return _frame(rows)


@lru_cache(maxsize=1)
def _rules_text() -> str:
    return (resources.files("llmflation.normalize") / "tables" / "tariff_rules.csv").read_text()


def tariff_rules() -> pd.DataFrame:
    """The committed vendor rules (``tables/tariff_rules.csv``), each with its source page and quote.

    Examples
    --------
    >>> r = tariff_rules()
    >>> r[r.service == "batch"][["provider", "factor"]].values.tolist()
    [['openai', 0.5], ['anthropic', 0.5], ['google', 0.5]]
    >>> bool(r["source_url"].str.startswith("https://").all() and r["quote"].str.len().gt(20).all())
    True
    """
    df = pd.read_csv(StringIO(_rules_text()), comment="#", dtype=str, keep_default_na=False)
    df["factor"] = pd.to_numeric(df["factor"].replace("", np.nan))
    df["valid_from"] = pd.to_datetime(df["valid_from"].replace("", None), format="%Y-%m-%d")
    df["valid_to"] = pd.to_datetime(df["valid_to"].replace("", None), format="%Y-%m-%d")
    return df


def apply_rules(tariff: pd.DataFrame, rules: pd.DataFrame | None = None) -> pd.DataFrame:
    """``tariff`` plus the service-tier lines the vendor ``rules`` derive from its standard lines.

    A rule (provider, service, factor, lines, valid_from, valid_to) multiplies every
    standard line of that provider named in ``lines`` by ``factor`` over the part of the
    line's interval inside the rule's validity. Rules without a factor or a start date
    are not applied (see the table's notes). A line the tariff already lists for that
    service (a catalogue's own batch price) wins over the derived one.

    Examples
    --------
    >>> t = _frame([{"offer": "m", "provider": "openai", "developer": "OpenAI", "served_model": "m",
    ...     "valid_from": "2024-01-01", "valid_to": "2024-12-31", "service": "standard", "line": "input",
    ...     "above_tokens": 0, "window": "", "tier_label": "", "promotion": False, "usd_per_mtok": 2.0,
    ...     "source": "x", "source_url": "", "basis": "listed"}])
    >>> b = apply_rules(t).query("service == 'batch'")
    >>> b[["valid_from", "usd_per_mtok"]].astype(str).values.tolist()
    [['2024-04-15', '1.0']]
    """
    rules = tariff_rules() if rules is None else rules
    std = tariff[tariff["service"] == "standard"]
    add = []
    for r in rules.itertuples(index=False):
        if pd.isna(r.factor) or pd.isna(r.valid_from):
            continue
        lines = str(r.lines).split("|")
        sel = std[(std["provider"] == r.provider) & std["line"].isin(lines)
                  & (std["valid_to"] >= r.valid_from)]
        if pd.notna(r.valid_to):
            sel = sel[sel["valid_from"] <= r.valid_to]
        if sel.empty:
            continue
        d = sel.copy()
        d["valid_from"] = d["valid_from"].where(d["valid_from"] >= r.valid_from, r.valid_from)
        if pd.notna(r.valid_to):
            d["valid_to"] = d["valid_to"].where(d["valid_to"] <= r.valid_to, r.valid_to)
        d["service"] = r.service
        d["usd_per_mtok"] = d["usd_per_mtok"] * float(r.factor)
        rule = f"rule: {r.service} = {float(r.factor):g} × standard {r.provider} price"
        # a fetched standard line keeps saying which fetch dated it
        d["basis"] = [f"{rule}; standard line {b}" if src == "litellm" else rule
                      for src, b in zip(d["source"], d["basis"], strict=True)]
        d["source"] = RULES
        d["source_url"] = r.source_url
        add.append(d)
    if not add:
        return tariff.reset_index(drop=True)
    derived = pd.concat(add, ignore_index=True)
    # a price listed for the service itself wins over the rule's
    key = ["offer", "provider", "service", "line", "above_tokens", "window", "valid_from"]
    listed = tariff[tariff["service"] != "standard"][key]
    if len(listed):
        derived = derived.merge(listed.assign(_listed=True), on=key, how="left")
        derived = derived[derived["_listed"].isna()].drop(columns="_listed")
    return pd.concat([tariff, derived[TARIFF_COLUMNS]], ignore_index=True)


_LITELLM_TOKEN = re.compile(r"^(input|output)_cost_per_token(?:_above_(\d+)k_tokens)?(?:_(batches|flex|priority))?$")
_LITELLM_CACHE = re.compile(r"^cache_(read|creation)_input_token_cost(?:_above_(\d+)k_tokens)?(?:_(flex|priority))?$")
_LITELLM_SERVICE = {None: "standard", "batches": "batch", "flex": "flex", "priority": "priority"}
#: Where LiteLLM's catalogue lives (the source of :func:`litellm_tariff` lines).
LITELLM_SOURCE_URL = "https://github.com/BerriAI/litellm/blob/main/model_prices_and_context_window.json"


def litellm_tariff(key: str, entry: Mapping[str, Any], *, valid_from: Any, valid_to: Any = None,
                   offer: str | None = None, provider: str | None = None,
                   source_url: str = LITELLM_SOURCE_URL, developer: str = "", served_model: str | None = None,
                   dated_by: str = "") -> pd.DataFrame:
    """Tariff lines of one LiteLLM catalogue entry (``model_prices_and_context_window.json``).

    Reads ``input_cost_per_token``/``output_cost_per_token`` (USD per token) and their
    ``_above_Nk_tokens`` (long-prompt tier above N thousand prompt tokens), ``_batches``,
    ``_flex`` and ``_priority`` variants; ``cache_read_input_token_cost`` (→
    ``cached_input``) and ``cache_creation_input_token_cost`` (→ ``cache_write``) with
    theirs; ``output_cost_per_reasoning_token`` (→ ``reasoning_output``). Prices become USD
    per 1M tokens. The interval is the one the entry was observed over (a store's
    snapshots). Other per-unit fields (audio, image, character, per-second) are skipped and
    named in ``attrs["skipped"]``.

    Parameters
    ----------
    key : str
        The entry's key (``gemini/gemini-2.5-pro``); the offer id unless ``offer`` is given.
    entry : mapping
        The entry's fields.
    valid_from, valid_to : date-like
        The interval the entry was observed over (``valid_to`` None = ``valid_from``).
    offer, provider : str, optional
        Offer id and provider slug (default: the key, and ``litellm_provider``).
    developer, served_model : str, optional
        The offer's developer and the model it serves (default: empty, and the offer).
    dated_by : str, optional
        What dated the interval (e.g. the fetch that first observed the entry), added to ``basis``.

    Raises
    ------
    ParseError
        A price field that is not a finite non-negative number, or an entry that is not a mapping.

    Examples
    --------
    >>> e = {"litellm_provider": "gemini", "input_cost_per_token": 1.25e-06, "output_cost_per_token": 1e-05,
    ...      "input_cost_per_token_above_200k_tokens": 2.5e-06, "output_cost_per_token_above_200k_tokens": 1.5e-05,
    ...      "cache_read_input_token_cost": 1.25e-07, "input_cost_per_token_batches": 6.25e-07,
    ...      "input_cost_per_audio_token": 7e-07}
    >>> t = litellm_tariff("gemini/gemini-2.5-pro", e, valid_from="2025-08-01")
    >>> t[["service", "line", "above_tokens", "usd_per_mtok"]].values.tolist()  # doctest: +NORMALIZE_WHITESPACE
    [['standard', 'input', 0, 1.25], ['standard', 'output', 0, 10.0], ['standard', 'input', 200000, 2.5],
     ['standard', 'output', 200000, 15.0], ['standard', 'cached_input', 0, 0.125], ['batch', 'input', 0, 0.625]]
    >>> t.attrs["skipped"]
    ['input_cost_per_audio_token']
    """
    rows, skipped = _litellm_rows(key, entry, valid_from=valid_from, valid_to=valid_to, offer=offer,
                                  provider=provider, source_url=source_url, developer=developer,
                                  served_model=served_model, dated_by=dated_by)
    out = _frame(rows)
    out.attrs["skipped"] = skipped
    return out


def _litellm_rows(key: str, entry: Mapping[str, Any], *, valid_from: Any, valid_to: Any, offer: str | None,
                  provider: str | None, source_url: str, developer: str, served_model: str | None,
                  dated_by: str) -> tuple[list[dict[str, Any]], list[str]]:
    """The rows of :func:`litellm_tariff` (and the cost fields skipped), before the frame is made."""
    if not isinstance(entry, Mapping):
        raise ParseError(f"LiteLLM entry {key!r} is a {type(entry).__name__}, expected a JSON object (a mapping "
                         "of field → value).")
    start = pd.Timestamp(valid_from)
    end = pd.Timestamp(valid_to) if valid_to is not None else start
    prov = provider or str(entry.get("litellm_provider") or "")
    base = {"offer": offer or key, "provider": prov, "developer": developer,
            "served_model": served_model or offer or key, "valid_from": start, "valid_to": end, "window": "",
            "tier_label": "", "promotion": False, "source": "litellm", "source_url": source_url,
            "basis": f"listed (LiteLLM key {key})" + (f"; {dated_by}" if dated_by else "")}
    rows: list[dict[str, Any]] = []
    skipped: list[str] = []
    for field, value in entry.items():
        m = _LITELLM_TOKEN.match(field)
        c = _LITELLM_CACHE.match(field)
        if m:
            line, above, svc = m.group(1), m.group(2), _LITELLM_SERVICE[m.group(3)]
        elif c:
            line = "cached_input" if c.group(1) == "read" else "cache_write"
            above, svc = c.group(2), _LITELLM_SERVICE[c.group(3)]
        elif field == "output_cost_per_reasoning_token":
            line, above, svc = "reasoning_output", None, "standard"
        else:
            if "cost" in field:
                skipped.append(field)
            continue
        if value is None:
            continue
        try:
            v = float(value)
        except (TypeError, ValueError):
            raise ParseError(f"LiteLLM entry {key!r}, field {field!r}: {value!r} is not a number; expected USD per "
                             "token (e.g. 1.25e-06).") from None
        if not np.isfinite(v) or v < 0:
            raise ParseError(f"LiteLLM entry {key!r}, field {field!r}: {value!r} is not a finite price >= 0; "
                             "expected USD per token (e.g. 1.25e-06).")
        rows.append({**base, "service": svc, "line": line, "above_tokens": int(above) * 1000 if above else 0,
                     "tier_label": f">{above}k" if above else "", "usd_per_mtok": v * 1e6})
    return rows, skipped


def litellm_history_tariff(entries: pd.DataFrame, *, provider: str | None = None) -> pd.DataFrame:
    """Tariff lines of a dated series of LiteLLM entries (what a store of fetched catalogues holds).

    ``entries`` has one row per (key, interval) with ``source_key``, ``valid_from``,
    ``valid_to`` and ``entry`` (the entry's JSON object as a mapping, or its JSON text), e.g.
    one row per run of identical snapshots of a key; :func:`litellm_tariff` parses each, and
    consecutive intervals of a key with the same price on the same line are merged (the
    merged line keeps the ``basis`` of its first interval: the fetch that first saw the price).
    Optional columns ``offer``, ``provider``, ``developer``, ``served_model`` and ``dated_by``
    are passed on per row (see :func:`litellm_tariff`); ``provider=`` is the default provider.

    Examples
    --------
    >>> e = pd.DataFrame({"source_key": "gpt-x", "valid_from": pd.to_datetime(["2025-01-01", "2025-02-01"]),
    ...     "valid_to": pd.to_datetime(["2025-01-31", "2025-02-28"]),
    ...     "entry": [{"input_cost_per_token": 2e-06, "output_cost_per_token": 8e-06},
    ...               {"input_cost_per_token": 2e-06, "output_cost_per_token": 4e-06}]})
    >>> t = litellm_history_tariff(e, provider="openai")
    >>> t[["line", "valid_from", "valid_to", "usd_per_mtok"]].astype(str).values.tolist()
    [['input', '2025-01-01', '2025-02-28', '2.0'], ['output', '2025-01-01', '2025-01-31', '8.0'], ['output', '2025-02-01', '2025-02-28', '4.0']]
    """
    missing = [c for c in ("source_key", "valid_from", "valid_to", "entry") if c not in entries.columns]
    if missing:
        raise InputError(f"LiteLLM history lacks columns {missing}; expected source_key, valid_from, valid_to, "
                         "entry (one row per key and interval, entry = the JSON object).")
    import json

    def opt(row: Mapping[str, Any], col: str) -> Any:
        v = row.get(col)
        return None if v is None or (isinstance(v, float) and np.isnan(v)) else v

    rows: list[dict[str, Any]] = []
    for r in entries.to_dict(orient="records"):
        entry = r["entry"]
        if isinstance(entry, str):
            try:
                entry = json.loads(entry)
            except ValueError:
                raise ParseError(f"LiteLLM entry {r['source_key']!r}: its JSON does not parse ({entry[:60]!r}); "
                                 "expected the entry's JSON object.") from None
        rows += _litellm_rows(
            str(r["source_key"]), entry, valid_from=r["valid_from"], valid_to=r["valid_to"],
            offer=opt(r, "offer"), provider=opt(r, "provider") or provider, source_url=LITELLM_SOURCE_URL,
            developer=opt(r, "developer") or "", served_model=opt(r, "served_model"),
            dated_by=opt(r, "dated_by") or "")[0]
    if not rows:
        return _frame([])
    t = _frame(rows).sort_values(
        ["offer", "service", "line", "above_tokens", "valid_from"], kind="mergesort")
    key = ["offer", "provider", "service", "line", "above_tokens", "window"]
    prev_to = t.groupby(key)["valid_to"].shift()
    prev_p = t.groupby(key)["usd_per_mtok"].shift()
    new_run = ~((t["usd_per_mtok"] == prev_p) & (t["valid_from"] <= prev_to + pd.Timedelta(days=1)))
    t["_run"] = new_run.cumsum()
    agg = {c: "first" for c in TARIFF_COLUMNS if c not in ("valid_to",)}
    agg["valid_to"] = "max"
    out = t.groupby("_run", sort=True).agg(agg)[TARIFF_COLUMNS]
    return out.sort_values(["offer", "line", "valid_from"], kind="mergesort").reset_index(drop=True)


def check_tariff(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` if it is a tariff frame (columns :data:`TARIFF_COLUMNS`, known services and lines).

    Examples
    --------
    >>> check_tariff(_frame([])).columns.tolist() == TARIFF_COLUMNS
    True
    """
    if not isinstance(frame, pd.DataFrame):
        raise InputError(f"tariff must be a pandas DataFrame with columns {TARIFF_COLUMNS}; got "
                         f"{type(frame).__name__}.")
    missing = [c for c in TARIFF_COLUMNS if c not in frame.columns]
    if missing:
        raise InputError(f"tariff frame lacks columns {missing}; expected {TARIFF_COLUMNS} (see "
                         "llmflation.normalize.tariff).")
    bad = sorted(set(frame["service"].astype(str)) - set(SERVICES)) + sorted(set(frame["line"].astype(str)) - set(LINES))
    if bad:
        raise InputError(f"tariff frame has unknown services/lines {bad}; expected services {SERVICES} and lines "
                         f"{LINES}.")
    return frame


def select_lines(lines: pd.DataFrame, *, prompt_tokens: float, minute: int | None) -> tuple[pd.DataFrame, list[str]]:
    """The lines that bill one request among one offer's lines of one service on one day.

    The long-prompt tier is the highest ``above_tokens`` below ``prompt_tokens``
    (whole-request semantics: every token of the request is billed at that tier). Within
    the tier, ``minute`` (UTC minute of the day) picks the lines of the window it falls
    in, else the :data:`REST` lines, else the all-day lines; without ``minute`` the
    all-day lines are used, else the dearest window (the peak rate), with a note. One row
    per ``line`` is returned, with the notes.

    Examples
    --------
    >>> t = _frame([{"offer": "g", "provider": "google", "developer": "Google", "served_model": "g",
    ...     "valid_from": "2025-06-17", "valid_to": "2025-12-31", "service": "standard", "line": ln,
    ...     "above_tokens": a, "window": "", "tier_label": "", "promotion": False, "usd_per_mtok": p,
    ...     "source": "x", "source_url": "", "basis": "listed"}
    ...     for ln, a, p in [("input", 0, 1.25), ("output", 0, 10.0), ("input", 200000, 2.5), ("output", 200000, 15.0)]])
    >>> sel, _ = select_lines(t, prompt_tokens=300_000, minute=None)
    >>> sel[["line", "usd_per_mtok"]].values.tolist()
    [['input', 2.5], ['output', 15.0]]
    """
    notes: list[str] = []
    tiers = sorted(set(lines["above_tokens"].astype(int)))
    below = [t for t in tiers if t < prompt_tokens] or [min(tiers)]
    tier = max(below)
    d = lines[lines["above_tokens"] == tier]
    if tier > 0:
        notes.append(f"The prompt ({prompt_tokens:,.0f} tokens) is above {tier:,} tokens: the whole request is billed "
                     "at the long-prompt rates.")
    if (d["window"] == REST).any():
        # a peak/off-peak split covers the whole day: it supersedes an older all-day price
        d = d[d["window"] != ""]
    windowed = d[~d["window"].isin(["", REST])]
    if len(windowed) or (d["window"] == REST).any():
        if minute is not None:
            hit = windowed[[in_window(w, minute) for w in windowed["window"]]]
            if len(hit):
                d = hit
            elif (d["window"] == REST).any():
                d = d[d["window"] == REST]
            else:
                d = d[d["window"] == ""]
        else:
            allday = d[d["window"] == ""]
            if len(allday):
                labels = sorted(set(windowed["tier_label"].astype(str) + " " + windowed["window"]))
                notes.append(f"This offer has time-of-day prices on that date ({'; '.join(labels)} UTC); the all-day "
                             "(standard) rate is used. Pass at=HH:MM (UTC) to price a request at a given time.")
                d = allday
            else:
                cand = d.copy()
                cand["_sum"] = cand.groupby("window")["usd_per_mtok"].transform("sum")
                top = cand.sort_values("_sum", kind="mergesort")["window"].iloc[-1]
                d = d[d["window"] == top]
                notes.append(f"This offer is priced by time of day on that date; without at=HH:MM the dearest window "
                             f"({d['tier_label'].iloc[0]} {top} UTC) is used.")
    d = d.sort_values(["line", "valid_from"], kind="mergesort").drop_duplicates("line", keep="last")
    return d.reset_index(drop=True), notes
