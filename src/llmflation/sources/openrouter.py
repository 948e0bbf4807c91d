"""OpenRouter ``/api/v1/models``: fetch, validate (pydantic), parse to the bundled schema.

The public endpoint needs no key. Prices are USD **per token** as decimal strings;
``"-1"`` marks router models whose price varies. The response is ``{"data": [...]}``;
archived copies written with ``jq '.data'`` are a bare list — both are accepted.
:func:`parse` returns the columns of the bundled ``openrouter_daily`` table, so live
and bundled snapshots go through the same conversion in :mod:`llmflation.panel`.
"""

from __future__ import annotations

import math
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

import httpx
import pandas as pd
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, TypeAdapter, ValidationError

from llmflation.errors import ParseError
from llmflation.sources.http import (
    ParsedPayload,
    RetryPolicy,
    get_bytes,
    load_json,
    validation_error,
)

SOURCE = "openrouter"
URL = "https://openrouter.ai/api/v1/models"

#: Columns of the bundled ``openrouter_daily`` table (the raw schema of this source).
COLUMNS = [
    "snapshot_date", "commit_date", "source_repo", "source_commit", "id", "canonical_slug", "name",
    "created_unix", "pricing_prompt_usd_per_token", "pricing_completion_usd_per_token", "pricing_request",
    "pricing_image", "pricing_input_cache_read", "pricing_input_cache_write", "pricing_internal_reasoning",
    "context_length", "top_provider_max_completion_tokens", "modality", "tokenizer",
    "supports_reasoning_param", "hugging_face_id", "knowledge_cutoff", "expiration_date",
]


def _decimal(v: Any) -> float:
    """A price given as a decimal string (or a JSON number) → float; reject anything else."""
    if isinstance(v, bool) or not isinstance(v, (str, int, float)):
        raise ValueError(f"expected a decimal number as a string, got {type(v).__name__}")
    try:
        d = Decimal(str(v).strip())
    except InvalidOperation:
        raise ValueError("not a decimal number") from None
    f = float(d)
    if not math.isfinite(f):
        raise ValueError("not a finite number")
    return f


Price = Annotated[float, BeforeValidator(_decimal)]


class Pricing(BaseModel):
    """``pricing``: USD per token (``-1`` = varies); other keys (audio, web_search …) kept loosely."""

    model_config = ConfigDict(extra="allow")
    prompt: Price
    completion: Price
    request: Price | None = None
    image: Price | None = None
    input_cache_read: Price | None = None
    input_cache_write: Price | None = None
    internal_reasoning: Price | None = None


class Architecture(BaseModel):
    model_config = ConfigDict(extra="allow")
    modality: str | None = None
    tokenizer: str | None = None


class TopProvider(BaseModel):
    model_config = ConfigDict(extra="allow")
    context_length: int | None = None
    max_completion_tokens: int | None = None


class ModelRecord(BaseModel):
    """One element of ``data`` (fields this project reads; the rest is allowed and ignored)."""

    model_config = ConfigDict(extra="allow")
    id: str = Field(min_length=1)
    name: str
    created: int | None = None
    canonical_slug: str | None = None
    context_length: int | None = None
    pricing: Pricing
    architecture: Architecture | None = None
    top_provider: TopProvider | None = None
    supported_parameters: list[str] | None = None
    hugging_face_id: str | None = None
    knowledge_cutoff: str | None = None
    expiration_date: str | None = None


_RECORDS = TypeAdapter(list[ModelRecord])


def fetch(*, url: str = URL, policy: RetryPolicy | None = None,
          transport: httpx.BaseTransport | None = None, **kw: Any) -> bytes:
    """GET the live ``/api/v1/models`` response (raw bytes; nothing parsed yet).

    Examples
    --------
    >>> t = httpx.MockTransport(lambda req: httpx.Response(200, content=b'{"data": []}'))
    >>> fetch(transport=t)
    b'{"data": []}'
    """
    return get_bytes(url, what=SOURCE, policy=policy, transport=transport, **kw)


def records(raw: bytes) -> list[Any]:
    """The list of model records of a payload (``{"data": [...]}`` or a bare list).

    Examples
    --------
    >>> records(b'[{"id": "a/b"}]') == records(b'{"data": [{"id": "a/b"}]}')
    True
    """
    doc = load_json(raw, SOURCE)
    data = doc.get("data") if isinstance(doc, dict) else doc
    if not isinstance(data, list):
        got = f"an object with keys {sorted(doc)[:5]}" if isinstance(doc, dict) else type(doc).__name__
        raise ParseError(f"{SOURCE} payload has no list of models: expected {{\"data\": [...]}} or a list, "
                         f"got {got}. The store was not changed.")
    return data


def parse(raw: bytes, *, snapshot_date: str) -> ParsedPayload:
    """Validate a ``/api/v1/models`` payload and return it in the ``openrouter_daily`` schema.

    Parameters
    ----------
    raw : bytes
        The response body.
    snapshot_date : str
        ``YYYY-MM-DD`` written to the ``snapshot_date`` column.

    Raises
    ------
    ParseError
        Invalid JSON, or a record that fails validation (message names the record's
        index and id and the field), or no records at all.

    Examples
    --------
    >>> raw = (b'{"data": [{"id": "openai/gpt-4o", "name": "GPT-4o", "created": 1715558400,'
    ...        b' "context_length": 128000, "pricing": {"prompt": "0.0000025", "completion": "0.00001"}}]}')
    >>> p = parse(raw, snapshot_date="2026-01-01")
    >>> p.frame.loc[0, ["id", "pricing_prompt_usd_per_token"]].tolist()
    ['openai/gpt-4o', np.float64(2.5e-06)]
    """
    data = records(raw)
    if not data:
        raise ParseError(f"{SOURCE} payload holds no models (an empty list); refusing to record it, since "
                         "it would close every open price interval. The store was not changed.")
    try:
        recs = _RECORDS.validate_python(data)
    except ValidationError as exc:
        raise validation_error(SOURCE, exc, data, "id") from None
    rows = []
    for r in recs:
        arch = r.architecture or Architecture()
        top = r.top_provider or TopProvider()
        p = r.pricing
        rows.append({
            "snapshot_date": snapshot_date, "commit_date": None, "source_repo": None, "source_commit": None,
            "id": r.id, "canonical_slug": r.canonical_slug, "name": r.name, "created_unix": r.created,
            "pricing_prompt_usd_per_token": p.prompt, "pricing_completion_usd_per_token": p.completion,
            "pricing_request": p.request, "pricing_image": p.image,
            "pricing_input_cache_read": p.input_cache_read, "pricing_input_cache_write": p.input_cache_write,
            "pricing_internal_reasoning": p.internal_reasoning,
            "context_length": r.context_length if r.context_length is not None else top.context_length,
            "top_provider_max_completion_tokens": top.max_completion_tokens,
            "modality": arch.modality, "tokenizer": arch.tokenizer,
            "supports_reasoning_param": "reasoning" in (r.supported_parameters or []),
            "hugging_face_id": r.hugging_face_id, "knowledge_cutoff": r.knowledge_cutoff,
            "expiration_date": r.expiration_date,
        })
    frame = pd.DataFrame(rows, columns=COLUMNS)
    n = len(frame)
    frame = frame.drop_duplicates("id", keep="last").reset_index(drop=True)
    skipped = {"duplicate id (last kept)": n - len(frame)} if n > len(frame) else {}
    return ParsedPayload(SOURCE, frame, len(data), skipped)


def payload_from_frame(rows: pd.DataFrame) -> bytes:
    """Rebuild a ``{"data": [...]}`` payload from ``openrouter_daily`` rows of one snapshot.

    Used to replay the bundled daily history through the same path as a live fetch
    (benchmarks, back-fills). Prices are written back as decimal strings.

    Examples
    --------
    >>> df = pd.DataFrame({"id": ["a/b"], "name": ["B"], "created_unix": [0], "context_length": [1000],
    ...                    "pricing_prompt_usd_per_token": [1e-6], "pricing_completion_usd_per_token": [2e-6],
    ...                    "supports_reasoning_param": [True]})
    >>> parse(payload_from_frame(df), snapshot_date="2026-01-01").frame.loc[0, "supports_reasoning_param"]
    np.True_
    """
    import json

    def s(v: Any) -> str | None:
        return None if v is None or (isinstance(v, float) and math.isnan(v)) else repr(float(v))

    def opt(v: Any) -> Any:
        if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
            return None
        return v.item() if hasattr(v, "item") else v

    data = []
    for r in rows.to_dict(orient="records"):
        pricing = {"prompt": s(r["pricing_prompt_usd_per_token"]),
                   "completion": s(r["pricing_completion_usd_per_token"])}
        for k in ("request", "image", "input_cache_read", "input_cache_write", "internal_reasoning"):
            v = s(r.get(f"pricing_{k}"))
            if v is not None:
                pricing[k] = v
        data.append({
            "id": r["id"], "name": r["name"], "created": opt(r.get("created_unix")),
            "canonical_slug": opt(r.get("canonical_slug")), "context_length": opt(r.get("context_length")),
            "pricing": pricing,
            "architecture": {"modality": opt(r.get("modality")), "tokenizer": opt(r.get("tokenizer"))},
            "top_provider": {"max_completion_tokens": opt(r.get("top_provider_max_completion_tokens"))},
            "supported_parameters": ["reasoning"] if bool(r.get("supports_reasoning_param")) else [],
            "hugging_face_id": opt(r.get("hugging_face_id")), "knowledge_cutoff": opt(r.get("knowledge_cutoff")),
            "expiration_date": opt(r.get("expiration_date")),
        })
    return json.dumps({"data": data}).encode()
