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
from collections.abc import Callable
from functools import lru_cache
from importlib import resources
from io import StringIO
from typing import Any

import numpy as np
import pandas as pd

from llmflation.normalize.keys import (  # noqa: F401 - the one definition, re-exported
    _BEDROCK_REGION,
    _BEDROCK_VENDOR,
    _BEDROCK_VERSION,
    _OR_VARIANT,
    _QUANT,
    normalize_key,
)
from llmflation.sources import bundled

_DATE_SUFFIX = re.compile(
    r"(-\d{4}-\d{2}-\d{2}|-\d{8}|-\d{2}-\d{2}|-0\d{2}|-\d{4}|-latest|-exp|-preview|-experimental|-default|-beta)$"
)
#: Role suffixes dropped for Epoch linking only. A version (``-v2``, ``-v0-3``) is never
#: dropped: DeepSeek-V3 is not DeepSeek-V2, Mistral 7B v0.3 is not v0.1.
_ROLE_SUFFIX = re.compile(r"-(instruct|chat|it|hf|base|versatile)$")


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
    txt = (resources.files("llmflation.normalize") / "tables" / "developers.csv").read_text()
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
    >>> developer_of("fireworks_ai/accounts/fireworks/models/starcoder-16b") is None
    True
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
    # A path segment names the developer only when it is an organisation, not the host:
    # Fireworks' ``accounts/fireworks/models/starcoder-16b`` is StarCoder hosted by
    # Fireworks (its account), not a Fireworks model.
    parts = str(raw_key).lower().split("/")[:-1]
    hosted = {i + 1 for i, seg in enumerate(parts) if seg == "accounts"}
    for i in reversed(range(len(parts))):
        if i not in hosted and parts[i] in amap:
            return amap[parts[i]]
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


#: Names of *hybrid* models: one model with a thinking mode that the request switches on or
#: off (Claude 3.7 and 4.x, Gemini 2.5 and later, Qwen3, DeepSeek-V3.1 and later, Grok 4
#: Fast). A dedicated reasoning model (o-series, R1, QwQ, Magistral, gpt-5) is *strict*.
_HYBRID = re.compile(
    r"(^claude-3-7-sonnet|^claude-(opus|sonnet|haiku)-[4-9]|^gemini-(2-5|[3-9])|^qwen3-(\d+b|\d+b-a\d+b)$|"
    r"^deepseek-v3-[1-9]|^deepseek-v[4-9]|^grok-4(-1)?-fast)"
)


def name_says_hybrid(model_id: str) -> bool:
    """Whether a model's name marks it as a hybrid (thinking mode on request).

    Examples
    --------
    >>> name_says_hybrid("claude-sonnet-4-20250514"), name_says_hybrid("o3-mini-2025-01-31")
    (True, False)
    """
    return bool(_HYBRID.search(str(model_id)))


def name_says_reasoning(model_id: str) -> bool:
    """Whether a model's name marks it as a reasoning model (used where no flag exists).

    Examples
    --------
    >>> name_says_reasoning("o3-mini-2025-01-31"), name_says_reasoning("gpt-4o")
    (True, False)
    """
    return bool(_REASONING.search(model_id))


# --------------------------------------------------------------------------- resolution & enrichment
# (moved here from panel/build.py; build.py re-exports these names)


def _epoch_lookup() -> tuple[dict[str, str], dict[str, str], pd.DataFrame]:
    """(exact version id → Epoch model, match key → Epoch model, Epoch facts by model)."""
    mv = bundled.load_table("epoch_model_versions")
    exact: dict[str, str] = {}
    for vid, model in mv[["id", "Model"]].itertuples(index=False):
        if isinstance(model, str) and isinstance(vid, str):
            exact.setdefault(normalize_key(vid), model)
    em = bundled.load_table("epoch_models")
    em = em[em["Model"].notna()].copy()
    em["_pub"] = pd.to_datetime(em["Publication date"], errors="coerce")
    em = em.sort_values("_pub").drop_duplicates("Model", keep="last").set_index("Model")
    by_key: dict[str, str] = {}
    counts: dict[str, int] = {}
    for m in em.index:
        k = match_key(m)
        counts[k] = counts.get(k, 0) + 1
        by_key.setdefault(k, m)
    by_key = {k: v for k, v in by_key.items() if counts[k] == 1}
    for model in set(exact.values()):
        by_key.setdefault(match_key(model), model)
    return exact, by_key, em


def _overrides() -> pd.DataFrame:
    from importlib import resources
    from io import StringIO

    txt = (resources.files("llmflation.normalize") / "tables" / "alias_overrides.csv").read_text()
    return pd.read_csv(StringIO(txt), dtype=str, comment="#").fillna("")


def resolve_keys(keys: pd.DataFrame) -> pd.DataFrame:
    """Resolve (source, source_key, author) to model id, family, developer and Epoch link.

    This is the rule set behind ``tables/aliases.csv``; overrides in
    ``tables/alias_overrides.csv`` win.

    Examples
    --------
    >>> r = resolve_keys(pd.DataFrame({"source": ["openrouter"], "source_key": ["openai/gpt-4o-2024-08-06"],
    ...                                "author": ["openai"]}))
    >>> r.loc[0, ["model_id", "developer", "epoch_model"]].tolist()
    ['gpt-4o-2024-08-06', 'OpenAI', 'GPT-4o']
    """
    exact, by_key, em = _epoch_lookup()
    ov = _overrides()
    ov_key = {(r.source, r.source_key): r for r in ov.itertuples(index=False) if r.source_key}
    ov_id = {r.model_id: r for r in ov.itertuples(index=False) if not r.source_key and r.model_id}
    # Epoch names as dashed ids, longest first, for prefix links ("llama-4-maverick" +
    # "-17b-128e-instruct"); only a serving-variant tail may follow the prefix.
    prefixes = sorted({normalize_key(m): m for m in em.index if len(match_key(m)) >= 8}.items(),
                      key=lambda kv: -len(kv[0]))
    params = pd.to_numeric(em["Parameters"], errors="coerce").dropna().to_dict()
    rows = []
    for src, key, author in keys[["source", "source_key", "author"]].itertuples(index=False):
        mid = normalize_key(key)
        fam = model_family(mid)
        dev = developer_of(key, author if isinstance(author, str) else None)
        epoch, rule = None, ""
        if mid in exact:
            epoch, rule = exact[mid], "epoch_version_id"
        elif re.sub(r"-v1$", "", mid) in exact:  # Bedrock's own id of a first version
            epoch, rule = exact[re.sub(r"-v1$", "", mid)], "epoch_version_id"
        else:
            # a first version's "-v1" (nova-lite-v1, claude-instant-v1) is the model itself
            for cand, r in ((mid, "name"), (fam, "family"), (strip_role(fam), "family_no_role"),
                            (re.sub(r"-v1$", "", strip_role(fam)), "family_first_version")):
                k = match_key(cand)
                if k in by_key:
                    epoch, rule = by_key[k], r
                    break
        if epoch is None:
            epoch, rule = _prefix_link(fam, prefixes, params)
        o = ov_key.get((src, key)) or ov_id.get(mid)
        if o is not None:
            if o.epoch_model:
                epoch, rule = (None, "override_none") if o.epoch_model == "-" else (o.epoch_model, "override")
            if o.developer:
                dev = o.developer
            if o.model_family:
                fam = o.model_family
        if dev is None and epoch is not None and epoch in em.index:
            org = em.at[epoch, "Organization"]
            dev = str(org).split(",")[0] if isinstance(org, str) else None
        rows.append((src, key, mid, fam, dev, epoch, rule))
    return pd.DataFrame(rows, columns=["source", "source_key", "model_id", "model_family", "developer",
                                       "epoch_model", "epoch_link_rule"])


def _prefix_link(family: str, prefixes: list[tuple[str, str]],
                 params: dict[str, float]) -> tuple[str | None, str]:
    for pre, model in prefixes:
        tail = family[len(pre):]
        if family.startswith(pre) and serving_tail(tail):
            # A size in the tail ("-8b") must be the Epoch model's own parameter count
            # (±10%): deepseek-r1-8b is a distilled model, not DeepSeek-R1 (671B).
            sizes = [float(m) * 1e9 for m in re.findall(r"-(\d+(?:\.\d+)?)b(?=-|$)", tail)]
            if sizes and not any(abs(params.get(model, np.nan) / z - 1) <= 0.10 for z in sizes):
                continue
            return model, "prefix_serving_variant"
    return None, ""


def _country_group(name: str | None) -> str | None:
    if not isinstance(name, str) or not name:
        return None
    first = name.split(",")[0].strip()
    if "United States" in first:
        return "US"
    if first in {"China", "Hong Kong"}:
        return "CN"
    eu = {"France", "Germany", "Netherlands", "Italy", "Spain", "Sweden", "Finland", "Denmark", "Belgium",
          "Austria", "Ireland", "Poland", "Portugal", "Czechia", "Czech Republic", "Luxembourg", "Greece",
          "Estonia", "Lithuania", "Latvia", "Slovenia", "Slovakia", "Hungary", "Romania", "Bulgaria", "Croatia"}
    return "EU" if first in eu else "other"


def _per_id(ids: pd.Series, rule: Callable[[Any], Any]) -> pd.Series:
    """``ids.map(rule)``, applying the rule once per distinct id."""
    uniq = ids.drop_duplicates()
    return ids.map(dict(zip(uniq, map(rule, uniq), strict=True)))


def enrich(iv: pd.DataFrame) -> pd.DataFrame:
    """Add identity, developer, country, release date, flags, Epoch link and ECI to intervals."""
    from llmflation.normalize.aliases import alias_table
    from llmflation.normalize.catalogues import FIRST_PARTY
    from llmflation.normalize.units import blended

    keys = iv[["source", "source_key", "author"]].drop_duplicates(["source", "source_key"])
    known = alias_table()
    res = keys.merge(known, on=["source", "source_key"], how="left")
    missing = res["model_id"].isna()
    if missing.any():
        fresh = resolve_keys(keys[missing.to_numpy()])
        res = pd.concat([res[~missing], keys[missing.to_numpy()].merge(fresh, on=["source", "source_key"])],
                        ignore_index=True)
    p = iv.merge(res.drop(columns=["author"]), on=["source", "source_key"], how="left")
    # developer: milestone hint where rules found none
    if "developer_hint" in p:
        p["developer"] = p["developer"].fillna(p["developer_hint"].where(p["developer_hint"] != "nan"))
    # normalise developer names used by Epoch/milestones to the developer table where possible
    devs = developers()
    alias = {"Mistral": "Mistral AI", "Alibaba Cloud": "Alibaba", "Qwen": "Alibaba", "Moonshot": "Moonshot AI",
             "Zhipu": "Zhipu AI", "Z.ai": "Zhipu AI", "AI21": "AI21 Labs", "Meta AI": "Meta",
             "Google DeepMind": "Google", "Google Brain": "Google", "DeepMind": "Google", "Reka": "Reka AI",
             "xAI": "xAI", "Microsoft Research": "Microsoft", "Amazon Web Services": "Amazon"}
    p["developer"] = p["developer"].replace(alias)
    dc = devs.set_index("developer")
    p["country_name"] = p["developer"].map(dc["country"])
    p["country"] = p["developer"].map(dc["country_group"])
    exact, by_key, em = _epoch_lookup()
    ecountry = p["epoch_model"].map(em["Country (of organization)"])
    p["country_name"] = p["country_name"].fillna(ecountry.astype("string").str.split(",").str[0])
    p["country"] = p["country"].fillna(ecountry.map(_country_group))
    # first-party flag
    # first party: a known provider slug of the developer, or a provider named after it
    # ("Google (AI Studio / Gemini API)" in the milestones)
    dev_lower = p["developer"].astype("string").str.lower().fillna("\x00")
    named = [str(prov).lower().startswith(str(d)) for prov, d in zip(p["provider"], dev_lower, strict=True)]
    p["first_party"] = p["provider"].map(FIRST_PARTY).eq(p["developer"]) | pd.Series(named, index=p.index)
    # moving aliases: an alias's rows are split at its repoint dates and each piece is the
    # model the alias served then; an undated id is the family's one dated snapshot
    p = resolve_moving_aliases(p, res)
    # the canonical model key (one per model as its developer sells it) and the tariff an id encodes
    from llmflation.normalize import registry

    p = p.drop(columns=[c for c in ("model_key", "tariff", "kind", "key_rule") if c in p.columns])
    p = p.join(registry.resolve(p["model_id"]))
    # reasoning: any source flag or name rule, per model key; reviewed classes win
    # names of the standard tariff only (a "-thinking" output rate is a tariff of a hybrid model)
    std = p["tariff"].astype("string").fillna("standard").eq("standard")
    name_flag = _per_id(p["model_id"], lambda m: name_says_reasoning(str(m))) & std
    hybrid_name = _per_id(p["model_id"], name_says_hybrid) & std
    src_flag = p["reasoning_flag"].fillna(False).astype(bool)
    hybrid = hybrid_name.groupby(p["model_key"]).transform("any")
    strict = name_flag.groupby(p["model_key"]).transform("any") & ~hybrid
    flagged = (src_flag | name_flag | hybrid_name).groupby(p["model_key"]).transform("any")
    rclass = pd.Series(np.where(strict, "strict", np.where(flagged, "hybrid", "none")), index=p.index, dtype=object)
    facts = registry.key_facts()
    reviewed = p["model_key"].map(facts["reasoning_class"].dropna())
    p["reasoning_class"] = reviewed.where(reviewed.notna(), rclass)
    p["is_reasoning"] = p["reasoning_class"].isin(["strict", "hybrid"])
    # open weights: Epoch record when linked, else the developer/name convention
    ow = p["epoch_model"].map(em["Open model weights?"]).astype("string").str.lower()
    acc = p["epoch_model"].map(em["Model accessibility"]).astype("string").str.lower()
    ow_bool = pd.Series(pd.NA, index=p.index, dtype="boolean")
    ow_bool[ow.isin(["true", "yes", "open weights"])] = True
    ow_bool[ow.isin(["false", "no"])] = False
    ow_bool = ow_bool.fillna(acc.str.contains("open weights").astype("boolean").where(acc.notna()))
    open_rx = r"^(?:llama|gemma|mixtral|mistral-7b|mistral-nemo|open-|qwen[0-9-]|qwq|deepseek-(?:r1|v[23]|coder)|phi|gpt-oss|olmo|glm-4[-.]?[5-9]|kimi-k2|minimax-m)"
    guess = p["model_id"].astype("string").str.contains(open_rx, regex=True)
    closed_dev = p["developer"].isin(["OpenAI", "Anthropic", "xAI"]) & ~p["model_id"].astype("string").str.startswith("gpt-oss")
    ow_bool = ow_bool.fillna(guess.where(guess, pd.NA).astype("boolean")).fillna(
        pd.Series(np.where(closed_dev, False, pd.NA), index=p.index, dtype="boolean"))
    p["open_weights"] = ow_bool
    # release date, most trustworthy first: the vendor's own launch/announcement (curated
    # first-party table) → Epoch's version date → the date in a snapshot id → Epoch's
    # publication date of the linked model → curated milestone launch; a catalogue's first
    # listing (OpenRouter ``created``) or the first price seen only stand in, flagged untrusted.
    mv = bundled.load_table("epoch_model_versions")
    vdate = dict(zip(mv["id"].astype(str).map(normalize_key),
                     pd.to_datetime(mv["Version release date"], errors="coerce"), strict=False))
    vendor = p["model_id"].map(vendor_launch_dates())
    ver = pd.to_datetime(p["model_id"].map(vdate), errors="coerce")
    id_date = pd.to_datetime(_per_id(p["model_id"], id_date_suffix), errors="coerce")
    # Mistral's version stamps are year-month (mistral-large-2411 = November 2024): more
    # specific than the publication date of the family's first Epoch record
    ym = p["model_id"].astype("string").str.extract(r"-(2[3-9])(0[1-9]|1[0-2])$")
    stamp = pd.to_datetime("20" + ym[0] + "-" + ym[1] + "-01", errors="coerce")
    id_date = id_date.fillna(stamp.where(p["developer"].eq("Mistral AI")))
    pub = pd.to_datetime(p["epoch_model"].map(em["Publication date"]), errors="coerce")
    listed = p.groupby("model_id")["listed_date"].transform("min") if "listed_date" in p else pd.NaT
    launch = p["valid_from"].where(p.get("event", pd.Series(index=p.index, dtype=object)).eq("launch")
                                   & p["source"].eq("milestones"))
    launch = launch.groupby(p["model_id"]).transform("min")
    first = p.groupby("model_id")["valid_from"].transform("min")
    rd = pd.Series(pd.NaT, index=p.index, dtype="datetime64[ns]")
    src = pd.Series(None, index=p.index, dtype="object")
    for cand, name in ((vendor, "vendor_launch"), (ver, "epoch_version"), (id_date, "id_date"),
                       (pub, "epoch_publication"), (launch, "milestone_launch"), (listed, "openrouter_listing"),
                       (first, "first_price_seen")):
        c = pd.to_datetime(pd.Series(cand, index=p.index), errors="coerce")
        fill = rd.isna() & c.notna()
        rd = rd.where(~fill, c)
        src = src.where(~fill, name)
    # one release date per model key: the earliest trusted date of any of its ids (a dated
    # snapshot's id date is its API availability), else the earliest stand-in
    trusted = src.isin(TRUSTED_RELEASE_SOURCES)
    # (the key's own id first: ``mistral-large-2411-001`` inherits Epoch's family publication date)
    order = pd.DataFrame({"k": p["model_key"], "rd": rd, "src": src, "t": ~trusted,
                          "other": p["model_id"].ne(p["model_key"])})
    best = order.dropna(subset=["rd"]).sort_values(["k", "t", "other", "rd"], kind="stable").drop_duplicates("k")
    best = best.set_index("k")
    has = p["model_key"].isin(best.index)
    rd = rd.where(~has, p["model_key"].map(best["rd"]))
    src = src.where(~has, p["model_key"].map(best["src"]))
    p["release_date"] = pd.to_datetime(rd).dt.normalize()
    p["release_date_source"] = src
    p["release_date_trusted"] = src.isin(TRUSTED_RELEASE_SOURCES)
    # ECI: maximum over the linked Epoch model's versions
    eci = bundled.load_table("epoch_eci")
    eci_by_model = eci.dropna(subset=["Model name"]).groupby("Model name")["ECI Score"].max()
    eci_by_ver = dict(zip(eci["Model version"].astype(str).map(normalize_key), eci["ECI Score"], strict=False))
    p["eci"] = p["model_id"].map(eci_by_ver).fillna(p["epoch_model"].map(eci_by_model)).astype("float64")
    p["blended_usd_per_mtok"] = blended(p["input_usd_per_mtok"], p["output_usd_per_mtok"])
    return p


#: Release-date sources independent of when a catalogue first listed the model.
TRUSTED_RELEASE_SOURCES = ("vendor_launch", "epoch_version", "id_date", "epoch_publication", "milestone_launch")
_ID_DATE = re.compile(r"-(20[2-3]\d)-?(0[1-9]|1[0-2])-?(0[1-9]|[12]\d|3[01])(?:-|$)")


def id_date_suffix(model_id: str) -> str | None:
    """The release date a snapshot id carries (``-2024-08-06``, ``-20241022``), if any.

    Examples
    --------
    >>> id_date_suffix("gpt-4o-2024-08-06"), id_date_suffix("claude-3-5-haiku-20241022"), id_date_suffix("gpt-4o")
    ('2024-08-06', '2024-10-22', None)
    """
    m = _ID_DATE.search(str(model_id))
    return f"{m.group(1)}-{m.group(2)}-{m.group(3)}" if m else None


def alias_target_id(target: str) -> str:
    """Panel model id of an alias target as the curated table writes it.

    Examples
    --------
    >>> alias_target_id("DeepSeek-V3.1 (non-thinking)"), alias_target_id("gpt-4o-2024-08-06")
    ('deepseek-v3-1', 'gpt-4o-2024-08-06')
    """
    return normalize_key(re.sub(r"\s*\(.*?\)\s*", "", str(target)))


@lru_cache(maxsize=1)
def _alias_map() -> dict[str, list[tuple[pd.Timestamp, pd.Timestamp, str]]]:
    from llmflation.normalize.aliases import alias_intervals

    out: dict[str, list[tuple[pd.Timestamp, pd.Timestamp, str]]] = {}
    for r in alias_intervals().itertuples(index=False):
        out.setdefault(normalize_key(r.alias), []).append(
            (r.valid_from, r.valid_to if pd.notna(r.valid_to) else pd.Timestamp.max.normalize(),
             alias_target_id(r.target)))
    return out


@lru_cache(maxsize=1)
def vendor_launch_dates() -> dict[str, pd.Timestamp]:
    """Model id → the vendor's launch/announcement date from the curated first-party table.

    A snapshot's own launch row, or the first day a moving alias served it (DeepSeek
    releases are announced as the day ``deepseek-chat`` moved to them).

    Examples
    --------
    >>> vendor_launch_dates()["gpt-4o-2024-08-06"].date().isoformat()
    '2024-08-06'
    """
    from llmflation.normalize.aliases import alias_intervals, first_party_prices

    fp = first_party_prices()
    own = fp[~fp["is_alias"] & fp["event"].eq("launch")]
    out: dict[str, pd.Timestamp] = {}
    for mid, d in zip(own["api_model_id"].map(normalize_key), own["effective_date"], strict=True):
        if pd.notna(d) and (mid not in out or d < out[mid]):
            out[mid] = d
    for r in alias_intervals().itertuples(index=False):
        t = alias_target_id(r.target)
        if t not in out or r.valid_from < out[t]:
            out.setdefault(t, r.valid_from)
    return out


def resolve_moving_aliases(p: pd.DataFrame, resolved: pd.DataFrame) -> pd.DataFrame:
    """Give an alias's rows the model it served on their dates; fold undated ids into a sole snapshot.

    * Rows of a moving alias of the curated table (``gpt-4o``, ``deepseek-chat``,
      ``claude-3-5-haiku-latest``) sold by the developer or routed through OpenRouter are
      split at the alias's repoint dates; each piece takes the target's id, family and
      Epoch link. Pieces before the alias's first known date keep the alias id.
    * An undated id (``claude-3-5-haiku``, ``o3-mini``) or a ``-latest`` id whose family
      has exactly one snapshot with a full date in its id, and that was first priced on
      or after that date, is that snapshot.
    """
    amap = _alias_map()
    info = resolved.drop_duplicates("model_id").set_index("model_id")
    ids = set(p["model_id"].dropna().astype(str))
    # undated ids → the family's only fully dated snapshot
    fam_of = {m: model_family(m) for m in ids}
    snaps: dict[str, list[str]] = {}
    for m, f in fam_of.items():
        if m != f and id_date_suffix(m) is not None and model_family(m) == f:
            snaps.setdefault(f, []).append(m)
    first = p.groupby("model_id")["valid_from"].min()
    fold: dict[str, str] = {}
    for m in ids:
        if m in amap:
            continue
        if not (m == fam_of[m] or m.endswith("-latest")):
            continue
        cand = snaps.get(fam_of[m], [])
        if len(cand) == 1 and pd.notna(first.get(m)) and first[m] >= pd.Timestamp(id_date_suffix(cand[0])):
            fold[m] = cand[0]
    if fold:
        hit = p["model_id"].isin(list(fold))
        p.loc[hit, "model_id"] = p.loc[hit, "model_id"].map(fold)
    # moving aliases of the curated table, split by date
    via_vendor = p["first_party"].fillna(False).astype(bool) | p["provider"].astype(str).eq("openrouter")
    is_alias = p["model_id"].isin(list(amap)) & via_vendor
    if not is_alias.any():
        return p
    keep = p[~is_alias]
    # the facts each alias target takes from its own resolution (id, Epoch link, developer)
    targets = info.index.intersection(list({t for spans in amap.values() for _, _, t in spans}))
    target_facts = info.loc[targets, [c for c in ("epoch_model", "epoch_link_rule", "developer")
                                      if c in info.columns and c in p.columns]].to_dict("index")
    pieces = []
    for r in p[is_alias].itertuples(index=False):
        row = r._asdict()
        vf, vt = row["valid_from"], row["valid_to"] if pd.notna(row["valid_to"]) else row["valid_from"]
        cursor = vf
        for af, at, target in amap[row["model_id"]]:
            lo, hi = max(vf, af), min(vt, at)
            if lo > hi:
                continue
            if lo > cursor:  # before the alias's first known date: stays the alias
                pieces.append({**row, "valid_from": cursor, "valid_to": lo - pd.Timedelta(days=1)})
            new = {**row, "valid_from": lo, "valid_to": hi, "model_id": target, "model_family": model_family(target)}
            if target in target_facts:
                new.update(target_facts[target])
            else:
                new["epoch_model"], new["epoch_link_rule"] = None, "alias_target_unlinked"
            pieces.append(new)
            cursor = hi + pd.Timedelta(days=1)
        if cursor <= vt:  # no known target (before/after the alias's history): stays the alias
            pieces.append({**row, "valid_from": cursor} if cursor > vf else row)
    out = pd.concat([keep, pd.DataFrame(pieces, columns=p.columns)], ignore_index=True)
    return out
