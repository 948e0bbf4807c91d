"""OpenRouter's public per-model endpoints list: every provider's offer of one model.

``GET https://openrouter.ai/api/v1/models/{author}/{slug}/endpoints`` (no key needed)
answers ``{"data": {"id", "name", "created", "description", "architecture", "endpoints":
[...]}}``; each endpoint (OpenRouter's ``PublicEndpoint`` schema, documented at
https://openrouter.ai/docs/api/api-reference/endpoints/list-endpoints) carries ``name``,
``model_id`` (the permaslug), ``model_name``, ``context_length``, ``pricing`` (USD per
token as decimal strings: ``prompt``, ``completion``, optional ``input_cache_read``,
``input_cache_write`` …), ``provider_name``, ``tag`` (the provider slug, with the
quantization where a provider serves several: ``deepinfra/fp8``), ``quantization``,
``max_completion_tokens``, ``max_prompt_tokens``, ``supported_parameters``, ``status``,
``uptime_last_30m`` (and ``uptime_last_5m``/``uptime_last_1d`` where published),
``supports_implicit_caching`` and ``latency_last_30m``/``throughput_last_30m``
(percentiles ``p50, p75, p90, p99``; null for unauthenticated requests).

A snapshot of this source is many such responses: :func:`fetch` lists the models
(``/api/v1/models``) and asks for each one's endpoints, within one time budget, and
returns one document ``{"data": [<data of each response>, …]}``, which is also the format
``--payload`` replays (a single response ``{"data": {...}}`` is accepted too).
"""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import quote

import httpx
import pandas as pd
from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError

from llmflation.errors import FetchError, ParseError
from llmflation.sources import openrouter as openrouter_src
from llmflation.sources.http import (
    ParsedPayload,
    RetryPolicy,
    get_bytes,
    load_json,
    validation_error,
)
from llmflation.sources.openrouter import Price

SOURCE = "openrouter-endpoints"
BASE = "https://openrouter.ai/api/v1"
#: The default ``url`` of :func:`fetch`: the API base the models list and each endpoints list hang from.
URL = BASE
ENDPOINTS_URL = BASE + "/models/{author}/{slug}/endpoints"
#: Models asked for at most in one live snapshot (each is one request).
MAX_MODELS = 1000
COLUMNS = ["snapshot_date", "model_id", "model_name", "provider_name", "tag", "endpoint_name", "quantization",
           "context_length", "max_completion_tokens", "prompt_usd_per_token", "completion_usd_per_token",
           "input_cache_read_usd_per_token", "input_cache_write_usd_per_token", "status", "uptime_last_30m",
           "uptime_last_1d", "latency_p50", "throughput_p50"]


class PercentileStats(BaseModel):
    """Latency (ms) or throughput (tokens/s) percentiles over the last 30 minutes."""

    model_config = ConfigDict(extra="allow")
    p50: float | None = None
    p75: float | None = None
    p90: float | None = None
    p99: float | None = None


class EndpointPricing(BaseModel):
    """``pricing`` of an endpoint: USD per token as decimal strings (other keys kept loosely)."""

    model_config = ConfigDict(extra="allow")
    prompt: Price
    completion: Price
    input_cache_read: Price | None = None
    input_cache_write: Price | None = None


class Endpoint(BaseModel):
    """One provider's offer (``PublicEndpoint``; fields this project reads, others allowed)."""

    model_config = ConfigDict(extra="allow")
    name: str | None = None
    model_id: str | None = None
    model_name: str | None = None
    context_length: float | None = None
    pricing: EndpointPricing
    provider_name: str
    tag: str | None = None
    quantization: str | None = None
    max_completion_tokens: float | None = None
    max_prompt_tokens: float | None = None
    status: int | str | None = None
    uptime_last_30m: float | None = None
    uptime_last_1d: float | None = None
    latency_last_30m: PercentileStats | None = None
    throughput_last_30m: PercentileStats | None = None


class ModelEndpoints(BaseModel):
    """The ``data`` of one response: the model and its endpoints."""

    model_config = ConfigDict(extra="allow")
    id: str
    name: str | None = None
    created: float | None = None
    endpoints: list[Endpoint]


_MODELS = TypeAdapter(list[ModelEndpoints])


def endpoints_url(model_id: str) -> str:
    """The endpoints URL of one model id (``author/slug``), each part percent-encoded.

    Examples
    --------
    >>> endpoints_url("meta-llama/llama-3.1-8b-instruct")
    'https://openrouter.ai/api/v1/models/meta-llama/llama-3.1-8b-instruct/endpoints'
    """
    author, _, slug = model_id.partition("/")
    if not author or not slug:
        raise FetchError(f"OpenRouter model id {model_id!r} is not author/slug; cannot ask for its endpoints.")
    return ENDPOINTS_URL.format(author=quote(author, safe=""), slug=quote(slug, safe=""))


def fetch(*, url: str | None = None, policy: RetryPolicy | None = None,
          transport: httpx.BaseTransport | None = None, models: list[str] | None = None,
          max_models: int = MAX_MODELS, **kw: Any) -> bytes:
    """List the models, GET each one's endpoints, and return one document ``{"data": [...]}``.

    ``url`` replaces the base ``https://openrouter.ai/api/v1`` (a mirror or a local server).
    The policy's ``max_total`` bounds the whole snapshot (every request shares it); a model
    whose endpoints are not found (404) is left out; any other failure aborts the fetch
    (nothing is recorded).

    Examples
    --------
    >>> def answer(req):
    ...     if req.url.path.endswith("/models"):
    ...         return httpx.Response(200, json={"data": [{"id": "a/m"}]})
    ...     return httpx.Response(200, json={"data": {"id": "a/m", "endpoints": []}})
    >>> json.loads(fetch(transport=httpx.MockTransport(answer)))["data"][0]["id"]
    'a/m'
    """
    base = (url or BASE).rstrip("/")
    policy = policy or RetryPolicy()
    start = time.monotonic()

    def left() -> RetryPolicy:
        remaining = policy.max_total - (time.monotonic() - start)
        if remaining <= 0:
            raise FetchError(f"{SOURCE}: the time budget (--max-time {policy.max_total:g} s) ran out after "
                             "listing part of the models; nothing was recorded. Give a larger --max-time.")
        from dataclasses import replace

        return replace(policy, max_total=remaining, timeout=min(policy.timeout, remaining))

    if models is None:
        listing = get_bytes(base + "/models", what=SOURCE, policy=left(), transport=transport, **kw)
        models = [str(r.get("id")) for r in openrouter_src.records(listing) if isinstance(r, dict) and r.get("id")]
    out = []
    for mid in models[:max_models]:
        author, _, slug = mid.partition("/")
        if not author or not slug:
            continue
        u = f"{base}/models/{quote(author, safe='')}/{quote(slug, safe='')}/endpoints"
        try:
            body = get_bytes(u, what=SOURCE, policy=left(), transport=transport, **kw)
        except FetchError as exc:
            if "HTTP 404" in str(exc):
                continue
            raise
        doc = load_json(body, SOURCE)
        if isinstance(doc, dict) and isinstance(doc.get("data"), dict):
            out.append(doc["data"])
    return json.dumps({"data": out}).encode()


def parse(raw: bytes, *, snapshot_date: str) -> ParsedPayload:
    """Validate an endpoints document and return one row per model × endpoint (:data:`COLUMNS`).

    Raises
    ------
    ParseError
        Invalid JSON, a model or endpoint that fails validation (the message names the
        model id and field), or no endpoints at all.

    Examples
    --------
    >>> raw = (b'{"data": {"id": "meta-llama/llama-3.1-8b-instruct", "endpoints": [{"name": "DeepInfra | x",'
    ...        b' "provider_name": "DeepInfra", "tag": "deepinfra/fp8", "quantization": "fp8",'
    ...        b' "context_length": 131072, "pricing": {"prompt": "0.00000002", "completion": "0.00000005"}}]}}')
    >>> p = parse(raw, snapshot_date="2026-12-01")
    >>> str(p.frame.loc[0, "tag"]), float(p.frame.loc[0, "prompt_usd_per_token"])
    ('deepinfra/fp8', 2e-08)
    """
    doc = load_json(raw, SOURCE)
    data = doc.get("data") if isinstance(doc, dict) else doc
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        raise ParseError(f"{SOURCE} payload: expected {{\"data\": [...]}} (a list of models with their endpoints) "
                         f"or one response {{\"data\": {{...}}}}; got {type(data).__name__}. The store was not changed.")
    try:
        recs = _MODELS.validate_python(data)
    except ValidationError as exc:
        raise validation_error(SOURCE, exc, data, "id") from None
    rows = []
    for m in recs:
        for e in m.endpoints:
            lat, thr = e.latency_last_30m, e.throughput_last_30m
            rows.append({
                "snapshot_date": snapshot_date, "model_id": m.id, "model_name": e.model_name or m.name,
                "provider_name": e.provider_name, "tag": e.tag or e.provider_name.lower(),
                "endpoint_name": e.name, "quantization": e.quantization, "context_length": e.context_length,
                "max_completion_tokens": e.max_completion_tokens, "prompt_usd_per_token": e.pricing.prompt,
                "completion_usd_per_token": e.pricing.completion,
                "input_cache_read_usd_per_token": e.pricing.input_cache_read,
                "input_cache_write_usd_per_token": e.pricing.input_cache_write,
                "status": None if e.status is None else str(e.status), "uptime_last_30m": e.uptime_last_30m,
                "uptime_last_1d": e.uptime_last_1d, "latency_p50": lat.p50 if lat else None,
                "throughput_p50": thr.p50 if thr else None,
            })
    if not rows:
        raise ParseError(f"{SOURCE} payload holds no endpoints; refusing to record it, since it would close "
                         "every open offer. The store was not changed.")
    frame = pd.DataFrame(rows, columns=COLUMNS)
    return ParsedPayload(SOURCE, frame, records=len(rows), skipped={})
