"""Canonical model keys from any source's spelling (no pandas: the fast lookup path imports it).

:func:`normalize_key` is the one definition; :mod:`llmflation.normalize.identity` re-exports it.
"""

from __future__ import annotations

import re

_OR_VARIANT = re.compile(r":(free|beta|extended|nitro|floor|online|exacto|latest)$")
_BEDROCK_REGION = re.compile(r"^(us|eu|apac|global|us-gov|jp|au|ca|regional)\.")
_BEDROCK_VENDOR = re.compile(
    r"^(meta|anthropic|amazon|mistral|cohere|ai21|deepseek|qwen|openai|writer|twelvelabs|minimax|moonshot|google|nvidia|xai|moonshotai|zai)\."
)
_BEDROCK_VERSION = re.compile(r"-v\d+(:\d+)?$|:\d+$")
_QUANT = re.compile(r"-(fp8|fp16|bf16|int4|int8|awq|gguf|turbo-fp8)$")


def normalize_key(raw: str) -> str:
    """Canonical model id from any source's model key.

    Examples
    --------
    >>> normalize_key("openai/gpt-4o-2024-08-06")
    'gpt-4o-2024-08-06'
    >>> normalize_key("us.anthropic.claude-3-5-sonnet-20240620-v1:0")
    'claude-3-5-sonnet-20240620'
    >>> normalize_key("claude-3-5-sonnet@20240620")
    'claude-3-5-sonnet-20240620'
    >>> normalize_key("anthropic/claude-3.5-sonnet:beta")
    'claude-3-5-sonnet'
    >>> normalize_key("us.meta.llama3-2-90b-instruct-v1:0")
    'llama-3-2-90b-instruct'
    >>> normalize_key("deepseek/deepseek-v3"), normalize_key("deepseek.v3-v1:0"), normalize_key("deepseek-v3.1")
    ('deepseek-v3', 'deepseek-v3', 'deepseek-v3-1')
    """
    s = str(raw).strip().lower()
    thinking = s.endswith(":thinking")
    s = s.removesuffix(":thinking")
    s = _OR_VARIANT.sub("", s)
    s = s.rsplit("/", 1)[-1]
    # Bedrock ids (``[region.]vendor.name-v1:0``) carry an API revision ``-vN[:M]``; only
    # there is it not part of the model's name (``deepseek-v3``, ``firefunction-v2``,
    # ``deepseek-prover-v2`` keep theirs: V3 is not V2).
    region = _BEDROCK_REGION.match(s) is not None
    s = _BEDROCK_REGION.sub("", s)
    vendor = _BEDROCK_VENDOR.match(s)
    s = _BEDROCK_VENDOR.sub("", s)
    if region or vendor is not None or re.search(r"-v\d+:\d+$", s):
        s = _BEDROCK_VERSION.sub("", s)
    if vendor is not None and re.match(r"v\d", s):  # deepseek.v3-v1:0 → deepseek-v3
        s = f"{vendor.group(1)}-{s}"
    s = s.replace("@", "-").removesuffix("-maas")
    s = re.sub(r"[._\s()]+", "-", s)
    s = re.sub(r"^(databricks-)?(meta-|anthropic-|google-|mistralai-)?(?=llama|claude|gemini|gemma|mistral|mixtral|dbrx)", "", s)
    s = re.sub(r"^databricks-(?=gpt|o[1-9]|qwen|deepseek)", "", s)  # Databricks serving names
    s = re.sub(r"^gpt-35-", "gpt-3-5-", s)
    s = re.sub(r"(\d)p(\d)", r"\1-\2", s)  # Fireworks' llama-v3p1, qwen2p5
    s = re.sub(r"^llama-?v?(\d)", r"llama-\1", s)
    s = re.sub(r"^claude-([4-9](?:-\d)?)-(opus|sonnet|haiku)", r"claude-\2-\1", s)  # claude-4-opus
    s = _QUANT.sub("", s)
    s = re.sub(r"-+", "-", s).strip("-")
    return s + ("-thinking" if thinking else "")


def match_api_id(name: str, ids: list[str]) -> str | None:
    """The id of ``ids`` that ``name`` denotes: the same string, the same up to case, or the one
    id with the same :func:`normalize_key` (None when there is none or several).

    Examples
    --------
    >>> match_api_id("GPT-4o", ["gpt-4o", "gpt-4o-mini"]), match_api_id("openai/gpt-4o-mini", ["gpt-4o-mini"])
    ('gpt-4o', 'gpt-4o-mini')
    >>> match_api_id("claude", ["claude-3-opus"]) is None
    True
    """
    if name in ids:
        return name
    low = {i.lower(): i for i in ids}
    if name.lower() in low:
        return low[name.lower()]
    norm: dict[str, list[str]] = {}
    for i in ids:
        norm.setdefault(normalize_key(i), []).append(i)
    hit = norm.get(normalize_key(name), [])
    return hit[0] if len(hit) == 1 else None
