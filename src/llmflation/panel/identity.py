"""Model identity across sources: canonical ids, families, developers, Epoch links.

Sources name one model many ways: OpenRouter ``openai/gpt-4o-2024-08-06``, LiteLLM
``gpt-4o-2024-08-06`` or ``azure/global-standard/gpt-4o-2024-08-06``, Bedrock
``us.anthropic.claude-3-5-sonnet-20240620-v1:0``, Vertex ``claude-3-5-sonnet@20240620``,
Epoch ``GPT-4o``. The rules below map each to a canonical ``model_id`` (a dated version
where the source gives one), a ``model_family`` (the id without date/version suffixes) and
a ``match_key`` (alphanumerics only) used to link to Epoch records. The reviewable output
of these rules is ``tables/aliases.csv`` (built by ``scripts/build_aliases.py``).
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from io import StringIO

import pandas as pd

_OR_VARIANT = re.compile(r":(free|beta|extended|nitro|floor|online|exacto|latest)$")
_BEDROCK_REGION = re.compile(r"^(us|eu|apac|global|us-gov|jp|au|ca|regional)\.")
_BEDROCK_VENDOR = re.compile(
    r"^(meta|anthropic|amazon|mistral|cohere|ai21|deepseek|qwen|openai|writer|twelvelabs|minimax|moonshot|google|nvidia|xai|moonshotai|zai)\."
)
_BEDROCK_VERSION = re.compile(r"-v\d+(:\d+)?$|:\d+$")
_QUANT = re.compile(r"-(fp8|fp16|bf16|int4|int8|awq|gguf|turbo-fp8)$")
_DATE_SUFFIX = re.compile(
    r"(-\d{4}-\d{2}-\d{2}|-\d{8}|-\d{2}-\d{2}|-0\d{2}|-\d{4}|-latest|-exp|-preview|-experimental|-default|-beta)$"
)
_ROLE_SUFFIX = re.compile(r"-(instruct|chat|it|hf|base|versatile|v\d+(-\d+)*)$")


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
    """
    s = str(raw).strip().lower()
    thinking = s.endswith(":thinking")
    s = s.removesuffix(":thinking")
    s = _OR_VARIANT.sub("", s)
    s = s.rsplit("/", 1)[-1]
    s = _BEDROCK_REGION.sub("", s)
    s = _BEDROCK_VENDOR.sub("", s)
    s = _BEDROCK_VERSION.sub("", s)
    s = s.replace("@", "-").removesuffix("-maas")
    s = re.sub(r"[._\s()]+", "-", s)
    s = re.sub(r"^(databricks-)?(meta-|anthropic-|google-|mistralai-)?(?=llama|claude|gemini|gemma|mistral|mixtral|dbrx)", "", s)
    s = re.sub(r"^gpt-35-", "gpt-3-5-", s)
    s = re.sub(r"(\d)p(\d)", r"\1-\2", s)  # Fireworks' llama-v3p1, qwen2p5
    s = re.sub(r"^llama-?v?(\d)", r"llama-\1", s)
    s = re.sub(r"^claude-([4-9](?:-\d)?)-(opus|sonnet|haiku)", r"claude-\2-\1", s)  # claude-4-opus
    s = _QUANT.sub("", s)
    s = re.sub(r"-+", "-", s).strip("-")
    return s + ("-thinking" if thinking else "")


def model_family(model_id: str) -> str:
    """Model id without date/version/preview suffixes.

    Examples
    --------
    >>> model_family("gpt-4o-2024-08-06")
    'gpt-4o'
    >>> model_family("gemini-2-5-pro-preview-05-06")
    'gemini-2-5-pro'
    >>> model_family("gemini-1-5-pro-002")
    'gemini-1-5-pro'
    """
    s = model_id.removesuffix("-thinking")
    prev = None
    while prev != s:
        prev = s
        s = _DATE_SUFFIX.sub("", s)
    return s or model_id


def match_key(name: str) -> str:
    """Alphanumeric key used to compare names across sources.

    Examples
    --------
    >>> match_key("Claude 3.5 Sonnet") == match_key(model_family(normalize_key("anthropic/claude-3.5-sonnet")))
    True
    >>> match_key("Qwen2.5-72B") == match_key(_ROLE_SUFFIX.sub("", "qwen-2-5-72b-instruct"))
    True
    """
    return re.sub(r"[^a-z0-9]", "", str(name).lower())


#: What may follow a known Epoch model's name in a price key without making it another
#: model: sizes, serving variants, dates, context tiers (used for prefix links only).
_SERVING_TAIL = re.compile(
    r"^(-(\d+(\.\d+)?b|a\d+b|\d+e|\d+k|instruct|chat|it|turbo|tput|basic|preview|latest|ga|fp8|online|"
    r"high|instant|<=\d+k-prompt|\d{4}|\d{6,8}))+$"
)


def serving_tail(rest: str) -> bool:
    """Whether ``rest`` (the part of a key after a model name) only names a serving variant.

    Examples
    --------
    >>> serving_tail("-17b-128e-instruct"), serving_tail("-lite"), serving_tail("-7-default")
    (True, False, False)
    """
    return bool(_SERVING_TAIL.match(rest))


def strip_role(model_id: str) -> str:
    """Drop ``-instruct``/``-chat``/``-it`` role suffixes (for linking only)."""
    prev = None
    s = model_id
    while prev != s:
        prev = s
        s = _ROLE_SUFFIX.sub("", s)
    return s


@lru_cache(maxsize=1)
def developers() -> pd.DataFrame:
    """The committed developer table (``tables/developers.csv``).

    Examples
    --------
    >>> developers().set_index("developer").loc["DeepSeek", "country_group"]
    'CN'
    """
    txt = (resources.files("llmflation.panel") / "tables" / "developers.csv").read_text()
    return pd.read_csv(StringIO(txt), dtype=str)


@lru_cache(maxsize=1)
def _author_map() -> dict[str, str]:
    out: dict[str, str] = {}
    for dev, authors in developers()[["developer", "openrouter_authors"]].itertuples(index=False):
        for a in str(authors).split("|"):
            out[a.strip().lower()] = dev
    return out


@lru_cache(maxsize=1)
def _patterns() -> list[tuple[re.Pattern[str], str]]:
    return [(re.compile(p), d) for d, p in developers()[["developer", "name_patterns"]].itertuples(index=False)
            if isinstance(p, str) and p]


def developer_of(raw_key: str, author: str | None = None) -> str | None:
    """Developer of a model from its source key (author prefix first, then name rules).

    Examples
    --------
    >>> developer_of("deepinfra/deepseek-ai/DeepSeek-V3")
    'DeepSeek'
    >>> developer_of("gpt-4o-mini")
    'OpenAI'
    >>> developer_of("meta-llama/llama-3.1-8b-instruct")
    'Meta'
    """
    amap = _author_map()
    if author and author.lower() in amap:
        return amap[author.lower()]
    # The model name is more reliable than a path segment: LiteLLM keys start with the
    # hosting provider (``snowflake/claude-4-opus``), not the developer.
    name = normalize_key(raw_key)
    for pat, dev in _patterns():
        if pat.search(name):
            return dev
    parts = str(raw_key).lower().split("/")
    for seg in reversed(parts[:-1]):
        if seg in amap:
            return amap[seg]
    return None


def country_of(developer: str | None) -> tuple[str | None, str | None]:
    """(country, country_group) of a developer from the committed table."""
    if developer is None:
        return None, None
    d = developers().set_index("developer")
    if developer in d.index:
        return str(d.at[developer, "country"]), str(d.at[developer, "country_group"])
    return None, None


_REASONING = re.compile(
    r"(^o[1345](-|$)|^o[1345]-mini|deepseek-r1|reasoner|-thinking|thinking-|^qwq|^qvq|magistral|"
    r"-r1($|-)|grok-3-mini|grok-4|gpt-5|gpt-oss|kimi-k2-thinking|claude-3-7-sonnet|claude-(opus|sonnet)-4)"
)


def name_says_reasoning(model_id: str) -> bool:
    """Whether a model's name marks it as a reasoning model (used where no flag exists).

    Examples
    --------
    >>> name_says_reasoning("o3-mini-2025-01-31"), name_says_reasoning("gpt-4o")
    (True, False)
    """
    return bool(_REASONING.search(model_id))
