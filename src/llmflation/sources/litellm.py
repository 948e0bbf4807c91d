"""LiteLLM's ``model_prices_and_context_window.json``: fetch, validate, parse.

The file maps a model key to an entry with ``litellm_provider``, ``mode`` and costs in
USD **per token** as JSON numbers. ``sample_spec`` documents the schema (its values are
descriptions, not data) and is skipped, as are top-level string values (copies such as
RoCry/llm-api-price add ``last_updated``). :func:`parse` returns the columns of the
bundled ``litellm_snapshots`` table and keeps the same entries: ``mode`` chat, completion
or responses (or no mode, as in old files) with an input or output token cost, plus
:data:`TARIFF_COLUMN`: the entry's tariff fields (:func:`tariff_fields`: every price field,
long-prompt tiers, cache read/write, batch, flex, priority, reasoning) as canonical JSON,
which a store keeps as dated history (``tariff_intervals``).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

import httpx
import pandas as pd
from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError, field_validator

from llmflation.errors import ParseError
from llmflation.sources.http import (
    ParsedPayload,
    RetryPolicy,
    get_bytes,
    load_json,
    validation_error,
)

SOURCE = "litellm"
URL = "https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json"
COLUMNS = ["snapshot_date", "source", "source_ref", "model_key", "litellm_provider", "mode",
           "input_cost_per_token", "output_cost_per_token", "supports_reasoning", "max_input_tokens"]
TEXT_MODES = ("chat", "completion", "responses")
_META_KEYS = ("sample_spec",)
#: Column of :func:`parse`'s frame holding the entry's tariff fields as canonical JSON.
TARIFF_COLUMN = "tariff_json"
#: Tariff fields whose name holds no ``cost`` (LiteLLM's tiered price lists).
_TARIFF_EXTRA = ("tiered_pricing",)


def _canonical(v: Any) -> Any:
    """A JSON value with numbers as floats (``0`` and ``0.0`` are one price) and non-finite numbers dropped."""
    if isinstance(v, bool) or v is None or isinstance(v, str):
        return v
    if isinstance(v, int | float):
        return float(v) if math.isfinite(float(v)) else None
    if isinstance(v, Mapping):
        out = {str(k): _canonical(x) for k, x in v.items()}
        return {k: x for k, x in out.items() if x is not None}
    if isinstance(v, list | tuple):
        return [_canonical(x) for x in v]
    return None


def tariff_fields(entry: Mapping[str, Any]) -> dict[str, Any]:
    """The price/tariff fields of one LiteLLM entry: every field whose name holds ``cost``
    (``input_cost_per_token``, ``input_cost_per_token_above_200k_tokens``,
    ``cache_read_input_token_cost``, ``input_cost_per_token_batches``, ``…_flex``,
    ``…_priority``, ``output_cost_per_reasoning_token`` …) and ``tiered_pricing``; empty and
    non-finite values left out, numbers as floats.

    Examples
    --------
    >>> tariff_fields({"litellm_provider": "gemini", "mode": "chat", "input_cost_per_token": 1.25e-06,
    ...                "input_cost_per_token_above_200k_tokens": 2.5e-06, "output_cost_per_token": None,
    ...                "cache_read_input_token_cost": 0})
    {'input_cost_per_token': 1.25e-06, 'input_cost_per_token_above_200k_tokens': 2.5e-06, 'cache_read_input_token_cost': 0.0}
    """
    out = {}
    for k, v in entry.items():
        if "cost" in str(k) or k in _TARIFF_EXTRA:
            c = _canonical(v)
            if c is not None:
                out[str(k)] = c
    return out


def tariff_json(entry: Mapping[str, Any]) -> str:
    """:func:`tariff_fields` as canonical JSON (sorted keys, no spaces): equal tariffs, equal text.

    Examples
    --------
    >>> tariff_json({"output_cost_per_token": 1e-05, "input_cost_per_token": 1, "mode": "chat"})
    '{"input_cost_per_token":1.0,"output_cost_per_token":1e-05}'
    """
    return json.dumps(tariff_fields(entry), sort_keys=True, separators=(",", ":"), allow_nan=False)


class Entry(BaseModel):
    """One model entry (fields this project reads; others allowed)."""

    model_config = ConfigDict(extra="allow")
    litellm_provider: str | None = None
    mode: str | None = None
    input_cost_per_token: float | None = None
    output_cost_per_token: float | None = None
    max_input_tokens: float | None = None
    max_tokens: float | None = None
    supports_reasoning: bool | None = None

    @field_validator("input_cost_per_token", "output_cost_per_token", "max_input_tokens", "max_tokens")
    @classmethod
    def _finite(cls, v: float | None) -> float | None:
        if v is not None and not math.isfinite(v):
            raise ValueError("not a finite number")
        return v


_ENTRIES = TypeAdapter(dict[str, Entry])


def fetch(*, url: str = URL, policy: RetryPolicy | None = None,
          transport: httpx.BaseTransport | None = None, **kw: Any) -> bytes:
    """GET the live price map (raw bytes).

    Examples
    --------
    >>> t = httpx.MockTransport(lambda req: httpx.Response(200, content=b"{}"))
    >>> fetch(transport=t)
    b'{}'
    """
    return get_bytes(url, what=SOURCE, policy=policy, transport=transport, **kw)


def parse(raw: bytes, *, snapshot_date: str, source_ref: str | None = None) -> ParsedPayload:
    """Validate a LiteLLM price map and return it in the ``litellm_snapshots`` schema
    (plus :data:`TARIFF_COLUMN`, the entry's tariff fields as canonical JSON).

    Raises
    ------
    ParseError
        Invalid JSON, a top-level value that is neither an entry object nor metadata
        text, an entry field of the wrong type (message names the model key and field),
        or no usable entry at all.

    Examples
    --------
    >>> raw = (b'{"sample_spec": {"max_input_tokens": "text"}, "gpt-4o": {"litellm_provider": "openai",'
    ...        b' "mode": "chat", "input_cost_per_token": 2.5e-06, "output_cost_per_token": 1e-05,'
    ...        b' "max_input_tokens": 128000}, "text-embedding-3-small": {"mode": "embedding",'
    ...        b' "input_cost_per_token": 2e-08}}')
    >>> p = parse(raw, snapshot_date="2026-01-01")
    >>> p.frame["model_key"].tolist(), p.skipped
    (['gpt-4o'], {'mode not chat/completion/responses': 1})
    """
    doc = load_json(raw, SOURCE)
    if not isinstance(doc, dict):
        raise ParseError(f"{SOURCE} payload must be a JSON object mapping model keys to entries, got "
                         f"{type(doc).__name__}. The store was not changed.")
    entries: dict[str, Any] = {}
    skipped: dict[str, int] = {}
    for k, v in doc.items():
        if k in _META_KEYS or isinstance(v, str):
            continue
        entries[k] = v
    try:
        parsed = _ENTRIES.validate_python(entries)
    except ValidationError as exc:
        raise validation_error(SOURCE, exc, entries) from None
    rows = []
    for key, e in parsed.items():
        if e.mode is not None and e.mode not in TEXT_MODES:
            skipped["mode not chat/completion/responses"] = skipped.get("mode not chat/completion/responses", 0) + 1
            continue
        if e.input_cost_per_token is None and e.output_cost_per_token is None:
            skipped["no token cost"] = skipped.get("no token cost", 0) + 1
            continue
        rows.append({
            "snapshot_date": snapshot_date, "source": "live" if source_ref is None else "payload",
            "source_ref": source_ref, "model_key": key, "litellm_provider": e.litellm_provider, "mode": e.mode,
            "input_cost_per_token": e.input_cost_per_token, "output_cost_per_token": e.output_cost_per_token,
            "supports_reasoning": None if e.supports_reasoning is None else str(e.supports_reasoning),
            "max_input_tokens": e.max_input_tokens if e.max_input_tokens is not None else e.max_tokens,
            TARIFF_COLUMN: tariff_json(entries[key]),
        })
    if not rows:
        raise ParseError(f"{SOURCE} payload holds no priced chat/completion model among {len(entries)} entries; "
                         "refusing to record it, since it would close every open price interval. "
                         "The store was not changed.")
    frame = pd.DataFrame(rows, columns=[*COLUMNS, TARIFF_COLUMN])
    return ParsedPayload(SOURCE, frame, len(entries), skipped)


def payload_from_frame(rows: pd.DataFrame) -> bytes:
    """Rebuild a price-map payload from ``litellm_snapshots`` rows of one snapshot.

    A :data:`TARIFF_COLUMN` (canonical JSON, as :func:`parse` writes it) adds its tariff
    fields to the entry.

    Examples
    --------
    >>> df = pd.DataFrame({"model_key": ["gpt-4"], "litellm_provider": ["openai"], "mode": ["chat"],
    ...                    "input_cost_per_token": [3e-05], "output_cost_per_token": [6e-05],
    ...                    "supports_reasoning": [None], "max_input_tokens": [8192.0]})
    >>> parse(payload_from_frame(df), snapshot_date="2023-11-11").frame.loc[0, "input_cost_per_token"]
    np.float64(3e-05)
    """
    def opt(v: Any) -> Any:
        if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
            return None
        return v.item() if hasattr(v, "item") else v

    doc: dict[str, Any] = {}
    for r in rows.to_dict(orient="records"):
        sr = opt(r.get("supports_reasoning"))
        doc[str(r["model_key"])] = {
            "litellm_provider": opt(r.get("litellm_provider")), "mode": opt(r.get("mode")),
            "input_cost_per_token": opt(r.get("input_cost_per_token")),
            "output_cost_per_token": opt(r.get("output_cost_per_token")),
            "max_input_tokens": opt(r.get("max_input_tokens")),
            "supports_reasoning": None if sr is None else str(sr).lower() == "true",
        }
        extra = opt(r.get(TARIFF_COLUMN))
        if extra:
            doc[str(r["model_key"])].update(json.loads(str(extra)))
    return json.dumps(doc).encode()
