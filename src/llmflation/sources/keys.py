"""Optional sources that need an API key, read from an environment variable.

=====================  ===============================  ===========================================
source                 environment variable             what it gives
=====================  ===============================  ===========================================
``openrouter-rankings``  ``OPENROUTER_API_KEY``          daily token totals of the top 50 models
                                                        (``/api/v1/datasets/rankings-daily``, CC BY 4.0)
``artificial-analysis``  ``ARTIFICIAL_ANALYSIS_API_KEY`` model prices (USD per 1M tokens) and
                                                        benchmark indices (``/api/v2/data/llms/models``)
=====================  ===============================  ===========================================

A missing key raises :class:`~llmflation.errors.MissingKeyError` naming the variable;
the key is only ever sent to its own host and never printed.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any

import httpx
import pandas as pd
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, TypeAdapter, ValidationError

from llmflation.errors import MissingKeyError, ParseError, check_choice
from llmflation.sources.http import (
    ParsedPayload,
    RetryPolicy,
    get_bytes,
    load_json,
    validation_error,
)


@dataclass(frozen=True)
class KeyedSource:
    """An optional source: where it lives, which variable holds its key, how it is sent."""

    name: str
    env_var: str
    url: str
    header: str
    scheme: str
    signup: str
    description: str

    def headers(self, key: str) -> dict[str, str]:
        return {self.header: f"{self.scheme} {key}".strip()}


KEYED_SOURCES: dict[str, KeyedSource] = {
    "openrouter-rankings": KeyedSource(
        "openrouter-rankings", "OPENROUTER_API_KEY", "https://openrouter.ai/api/v1/datasets/rankings-daily",
        "Authorization", "Bearer", "https://openrouter.ai/settings/keys",
        "daily token totals of the top 50 OpenRouter models (Data API, CC BY 4.0)"),
    "artificial-analysis": KeyedSource(
        "artificial-analysis", "ARTIFICIAL_ANALYSIS_API_KEY", "https://artificialanalysis.ai/api/v2/data/llms/models",
        "x-api-key", "", "https://artificialanalysis.ai/insights",
        "Artificial Analysis model prices and benchmark indices (attribution required)"),
}


def require_key(name: str, env: Mapping[str, str] | None = None) -> str:
    """The API key of an optional source, or :class:`MissingKeyError` naming the variable.

    Examples
    --------
    >>> require_key("artificial-analysis", env={})
    Traceback (most recent call last):
    ...
    llmflation.errors.MissingKeyError: source 'artificial-analysis' needs an API key in the environment variable ARTIFICIAL_ANALYSIS_API_KEY, which is not set. ...
    >>> require_key("artificial-analysis", env={"ARTIFICIAL_ANALYSIS_API_KEY": "k"})
    'k'
    """
    check_choice("source", name, tuple(KEYED_SOURCES))
    src = KEYED_SOURCES[name]
    env = os.environ if env is None else env
    key = (env.get(src.env_var) or "").strip()
    if not key:
        raise MissingKeyError(
            f"source {name!r} needs an API key in the environment variable {src.env_var}, which is not set. "
            f"Get a key at {src.signup}, then `export {src.env_var}=...` and run again. The sources "
            "openrouter, litellm and epoch need no key, and the bundled snapshot works offline.")
    return key


def fetch(name: str, *, env: Mapping[str, str] | None = None, url: str | None = None,
          params: Mapping[str, str] | None = None, policy: RetryPolicy | None = None,
          transport: httpx.BaseTransport | None = None, **kw: Any) -> bytes:
    """GET an optional source with its key (raises :class:`MissingKeyError` first if unset).

    Examples
    --------
    >>> seen = {}
    >>> t = httpx.MockTransport(lambda req: seen.update(req.headers) or httpx.Response(200, content=b"{}"))
    >>> fetch("openrouter-rankings", env={"OPENROUTER_API_KEY": "k"}, transport=t), seen["authorization"]
    (b'{}', 'Bearer k')
    """
    key = require_key(name, env)
    src = KEYED_SOURCES[name]
    return get_bytes(url or src.url, what=name, headers=src.headers(key), params=params, policy=policy,
                     transport=transport, **kw)


# --------------------------------------------------------------------------- OpenRouter rankings


def _int_string(v: Any) -> int:
    if isinstance(v, bool):
        raise ValueError("expected an integer (as a decimal string), got a boolean")
    if isinstance(v, int):
        return v
    if isinstance(v, str) and v.strip().isdigit():
        return int(v.strip())
    raise ValueError("expected a non-negative integer as a decimal string")


class RankingRow(BaseModel):
    model_config = ConfigDict(extra="allow")
    date: Any = Field(...)
    model_permaslug: str = Field(min_length=1)
    total_tokens: Annotated[int, BeforeValidator(_int_string)]


class RankingMeta(BaseModel):
    model_config = ConfigDict(extra="allow")
    as_of: str | None = None


class RankingsPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    data: list[dict[str, Any]]
    meta: RankingMeta | None = None


_RANK_ROWS = TypeAdapter(list[RankingRow])


def parse_rankings(raw: bytes) -> ParsedPayload:
    """Validate a ``rankings-daily`` response: one row per (date, model_permaslug).

    Examples
    --------
    >>> raw = (b'{"data": [{"date": "2026-05-11", "model_permaslug": "openai/gpt-4o-2024-05-13",'
    ...        b' "total_tokens": "12345678"}], "meta": {"as_of": "2026-05-12T02:00:00Z"}}')
    >>> parse_rankings(raw).frame.loc[0, "total_tokens"]
    np.int64(12345678)
    """
    name = "openrouter-rankings"
    doc = load_json(raw, name)
    try:
        p = RankingsPayload.model_validate(doc)
        rows = _RANK_ROWS.validate_python(p.data)
    except ValidationError as exc:
        recs = doc.get("data", []) if isinstance(doc, dict) else []
        raise validation_error(name, exc, recs if isinstance(recs, list) else [], "model_permaslug") from None
    frame = pd.DataFrame([{"date": r.date, "model_permaslug": r.model_permaslug, "total_tokens": r.total_tokens}
                          for r in rows], columns=["date", "model_permaslug", "total_tokens"])
    dates = pd.to_datetime(frame["date"], errors="coerce", format="%Y-%m-%d")
    if dates.isna().any():
        i = int(dates.isna().to_numpy().nonzero()[0][0])
        raise ParseError(f"{name} payload failed validation at record {i}, field 'date': expected YYYY-MM-DD, "
                         f"got {frame.loc[i, 'date']!r}. The store was not changed.")
    frame["date"] = dates.dt.date
    frame["total_tokens"] = frame["total_tokens"].astype("int64")
    as_of = pd.Timestamp(p.meta.as_of) if p.meta and p.meta.as_of else pd.NaT
    if as_of is not pd.NaT and as_of.tzinfo is not None:
        as_of = as_of.tz_convert("UTC").tz_localize(None)
    frame["as_of"] = as_of
    return ParsedPayload(name, frame, len(rows))


# --------------------------------------------------------------------------- Artificial Analysis


def _num(v: Any) -> float | None:
    if v is None:
        return None
    if isinstance(v, bool):
        raise ValueError("expected a number, got a boolean")
    f = float(v)
    if not math.isfinite(f):
        raise ValueError("not a finite number")
    return f


Num = Annotated[float | None, BeforeValidator(_num)]


class AACreator(BaseModel):
    model_config = ConfigDict(extra="allow")
    name: str | None = None
    slug: str | None = None


class AAPricing(BaseModel):
    model_config = ConfigDict(extra="allow")
    price_1m_input_tokens: Num = None
    price_1m_output_tokens: Num = None
    price_1m_blended_3_to_1: Num = None


class AAModel(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: str | None = None
    name: str
    slug: str = Field(min_length=1)
    model_creator: AACreator | None = None
    pricing: AAPricing | None = None


_AA_ROWS = TypeAdapter(list[AAModel])
AA_COLUMNS = ["snapshot_date", "slug", "name", "creator", "input_usd_per_mtok", "output_usd_per_mtok",
              "blended_usd_per_mtok"]


def parse_artificial_analysis(raw: bytes, *, snapshot_date: str) -> ParsedPayload:
    """Validate an Artificial Analysis ``llms/models`` response (prices in USD per 1M tokens).

    Examples
    --------
    >>> raw = (b'{"data": [{"id": "x", "name": "GPT-4o", "slug": "gpt-4o", "model_creator": {"slug": "openai"},'
    ...        b' "pricing": {"price_1m_input_tokens": 2.5, "price_1m_output_tokens": 10}}]}')
    >>> parse_artificial_analysis(raw, snapshot_date="2026-01-01").frame.loc[0, "output_usd_per_mtok"]
    np.float64(10.0)
    """
    name = "artificial-analysis"
    doc = load_json(raw, name)
    data = doc.get("data") if isinstance(doc, dict) else None
    if not isinstance(data, list) or not data:
        raise ParseError(f"{name} payload has no non-empty list under 'data'. The store was not changed.")
    try:
        rows = _AA_ROWS.validate_python(data)
    except ValidationError as exc:
        raise validation_error(name, exc, data, "slug") from None
    frame = pd.DataFrame([{
        "snapshot_date": snapshot_date, "slug": r.slug, "name": r.name,
        "creator": (r.model_creator.slug or r.model_creator.name) if r.model_creator else None,
        "input_usd_per_mtok": r.pricing.price_1m_input_tokens if r.pricing else None,
        "output_usd_per_mtok": r.pricing.price_1m_output_tokens if r.pricing else None,
        "blended_usd_per_mtok": r.pricing.price_1m_blended_3_to_1 if r.pricing else None,
    } for r in rows], columns=AA_COLUMNS)
    n = len(frame)
    frame = frame.drop_duplicates("slug", keep="last").reset_index(drop=True)
    return ParsedPayload(name, frame, len(data), {"duplicate slug (last kept)": n - len(frame)} if n > len(frame) else {})
