"""The canonical model registry: one key per model as its developer sells it.

Sources name one model many ways. Identity resolution (:mod:`.identity`) already maps each
source's key to a canonical ``model_id``; this module maps every ``model_id`` that
*denotes the same model* to one ``model_key`` and separates the **tariff** an id encodes
from the model:

* variant suffixes of one release — ``-latest``, ``-beta``, ``-api``, ``-ga``, ``-001``
  (``grok-3``, ``grok-3-api``, ``grok-3-beta``, ``grok-3-latest`` → ``grok-3``);
* display labels of the curated milestone table (``DeepSeek-V3 (deepseek-chat),
  promotional`` → ``deepseek-v3`` with tariff ``promotion``) and prompt-length tiers in an
  id (``gemini-1-5-flash-<=128k-prompt`` → ``gemini-1-5-flash``, standard tariff);
* names of one release in several sources (``gpt-3-davinci``, ``gpt-3-175b-davinci`` →
  ``davinci``), and an undated id launched on the same day at the same price as its dated
  snapshot (``claude-3-7-sonnet`` → ``claude-3-7-sonnet-20250219``) — reviewed merges in
  ``tables/model_registry.csv``, written by ``scripts/build_registry.py``;
* generation-less moving pointers (``claude-sonnet-latest``, ``gpt-latest``) and free
  experimental releases (``gemini-exp-1206``) are *not models*: their rows stay for lookup
  but never enter the analysis series (``kind``).

The registry file is the reviewed output; the rules here also cover ids first seen in a
live fetch. Overrides live in ``tables/registry_overrides.csv`` (each row with a note).
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from io import StringIO

import pandas as pd

#: Tariffs an id (or a label) can carry. ``standard`` is the list price of the offer.
TARIFFS = ("standard", "batch", "flex", "priority", "cached_input", "long_prompt", "off_peak", "promotion",
           "reasoning_output", "free", "experimental")
#: Kinds of ids: a model (or one of its names), a moving pointer without a generation, or a
#: free experimental release that catalogues list at another model's price.
KINDS = ("model", "moving_pointer", "experimental")
#: Columns of ``tables/model_registry.csv`` (one row per model id).
REGISTRY_COLUMNS = ["model_id", "model_key", "tariff", "kind", "rule", "developer", "release_date",
                    "release_date_source", "reasoning_class", "open_weights", "tier"]
#: Columns of ``tables/registry_overrides.csv``.
OVERRIDE_COLUMNS = ["model_id", "model_key", "tariff", "kind", "reasoning_class", "tier", "note"]

_VARIANT = re.compile(r"-(latest|beta|api|ga|001)$")
_TIER_STD = re.compile(r"-<=\d+k(?:-(?:prompt|context))?$")
_TIER_LONG = re.compile(r"->\d+k(?:-(?:prompt|context))?$")
_LABEL_TARIFF = re.compile(r"-,-(off-peak|promotional|standard|batch)(?:-.*)?$")
_EXPERIMENTAL = re.compile(r"^gemini(?:-.*)?-exp(?:-\d{4}|-\d{2}-\d{2})?$|^gemini-exp-\d{4}$|-experimental$")
#: Spellings of one release across hosts and catalogues (applied in order, repeatedly).
_SPELLINGS = [
    (re.compile(r"^amazon-(?=nova)"), "", "vendor_prefix"),
    (re.compile(r"^(nova-(?:lite|micro|pro|premier))-v1$"), r"\1", "api_revision"),
    (re.compile(r"^qwen-(\d)"), r"qwen\1", "qwen_spelling"),
    (re.compile(r"^llama-(\d)(\d)-"), r"llama-\1-\2-", "llama_spelling"),
    (re.compile(r"^gemma(\d)"), r"gemma-\1", "gemma_spelling"),
    (re.compile(r"^open-(?=mistral|mixtral|codestral)"), "", "mistral_open_prefix"),
    (re.compile(r"^command-r\+"), "command-r-plus", "cohere_spelling"),
    (re.compile(r"-(20\d{2})-(\d{2})(\d{2})$"), r"-\1-\2-\3", "date_spelling"),
    (re.compile(r"-(?:default|tput)$"), "", "serving_variant"),
    (re.compile(r"-instruct-(\d{4})$"), r"-\1", "role_suffix"),
    (re.compile(r"^((?:llama|qwen|mixtral|gemma)[a-z0-9-]*?)-instruct-turbo$"), r"\1", "host_serving_tier"),
    (re.compile(r"^llama-4-(maverick|scout)-17b-\d+e$"), r"llama-4-\1", "size_spelling"),
    (re.compile(r"^(llama-3-1-8b)-instant$"), r"\1", "host_serving_tier"),
    (re.compile(r"^(mixtral-8x\d+b)-instruct-v0-1$"), r"\1", "only_version"),
    (re.compile(r"^(kimi-.*-\d{4})-preview$"), r"\1", "dated_preview"),
    (re.compile(r"^ministral-3-(\d+b)-"), r"ministral-\1-", "mistral_spelling"),
    (re.compile(r"^(claude-.+)-thinking$"), r"\1", "reasoning_mode"),
    (re.compile(r"-(?:8192|8k|32768|32k|128k)$"), "", "context_suffix"),
    (re.compile(r"-(?:instruct-basic|instruct|it|hf|versatile|basic)$"), "", "role_suffix"),
    (re.compile(r"(\d+b)-chat$"), r"\1", "role_suffix"),
    (re.compile(r"^(llama-3-2-\d+b)-preview$"), r"\1", "host_preview"),
]
#: Whether any of :data:`_SPELLINGS` applies (most ids need none of them).
_ANY_SPELLING = re.compile("|".join(f"(?:{rx.pattern})" for rx, _, _ in _SPELLINGS))
_TARIFF_WORD = {"off-peak": "off_peak", "promotional": "promotion", "standard": "standard", "batch": "batch"}


def rule_key(model_id: str) -> tuple[str, str, str, str]:
    """``(model_key, tariff, kind, rule)`` of a model id by the naming rules alone.

    Examples
    --------
    >>> rule_key("grok-3-latest")[:3]
    ('grok-3', 'standard', 'model')
    >>> rule_key("deepseek-v3-deepseek-chat-,-off-peak-16:30-00:30-utc")[:2]
    ('deepseek-v3-deepseek-chat', 'off_peak')
    >>> rule_key("gemini-1-5-pro-<=128k-prompt")[:2]
    ('gemini-1-5-pro', 'standard')
    >>> rule_key("claude-sonnet-latest")[2], rule_key("gemini-exp-1206")[2]
    ('moving_pointer', 'experimental')
    """
    s = str(model_id)
    tariff, rules = "standard", []
    m = _LABEL_TARIFF.search(s)
    if m:
        tariff = _TARIFF_WORD[m.group(1)]
        s = s[: m.start()]
        rules.append("label_tariff")
    if _TIER_STD.search(s):
        s = _TIER_STD.sub("", s)
        rules.append("shortest_prompt_tier")
    elif _TIER_LONG.search(s):
        s = _TIER_LONG.sub("", s)
        tariff = "long_prompt"
        rules.append("long_prompt_tier")
    before = None
    while before != s and _ANY_SPELLING.search(s):
        before = s
        for rx, repl, name in _SPELLINGS:
            t = rx.sub(repl, s)
            if t != s and len(t) > 2:
                s = t
                rules.append(name)
    kind = "model"
    if _EXPERIMENTAL.search(s):
        kind = "experimental"
        rules.append("free_experimental")
    moving = False
    prev = None
    while prev != s:
        prev = s
        m2 = _VARIANT.search(s)
        if m2 and len(s) > len(m2.group(0)) + 1:
            moving |= m2.group(1) == "latest"
            s = s[: m2.start()]
            rules.append(f"variant_{m2.group(1)}")
    if moving and not re.search(r"\d", s):
        kind = "moving_pointer"  # claude-sonnet-latest, gpt-latest: no generation, no model
    return s, tariff, kind, "+".join(rules) or "identity"


@lru_cache(maxsize=1)
def _table(name: str, columns: tuple[str, ...]) -> pd.DataFrame:
    f = resources.files("llmflation.normalize") / "tables" / name
    if not f.is_file():
        return pd.DataFrame(columns=list(columns))
    txt = "\n".join(ln for ln in f.read_text().splitlines() if not ln.startswith("#"))
    return pd.read_csv(StringIO(txt), dtype=str, keep_default_na=False).replace({"": None})


def overrides() -> pd.DataFrame:
    """Hand-reviewed registry decisions (``tables/registry_overrides.csv``), one row per id, with a note.

    Examples
    --------
    >>> o = overrides()
    >>> o.set_index("model_id").at["gpt-3-davinci", "model_key"]
    'davinci'
    """
    return _table("registry_overrides.csv", tuple(OVERRIDE_COLUMNS)).copy()


def registry() -> pd.DataFrame:
    """The committed model registry (``tables/model_registry.csv``): every model id of the
    bundled panel → its ``model_key``, tariff, kind and the key's facts.

    Examples
    --------
    >>> r = registry().set_index("model_id")
    >>> r.at["grok-3-beta", "model_key"] == r.at["grok-3", "model_key"]
    True
    """
    return _table("model_registry.csv", tuple(REGISTRY_COLUMNS)).copy()


#: Read the committed registry in :func:`resolve` (``scripts/build_registry.py`` turns it off
#: to rebuild the registry from the rules and overrides alone).
USE_REGISTRY = True


def resolve(model_ids: pd.Series) -> pd.DataFrame:
    """``model_key``, ``tariff``, ``kind`` and ``key_rule`` for each id: the committed registry
    first, then the reviewed overrides, then the naming rules (ids first seen in a fetch).

    Examples
    --------
    >>> resolve(pd.Series(["grok-3-api", "gpt-3-175b-davinci", "brand-new-model-latest"]))["model_key"].tolist()
    ['grok-3', 'davinci', 'brand-new-model']
    """
    ids = model_ids.astype("string")
    uniq = pd.Series(ids.dropna().unique(), dtype="string")
    reg = (registry() if USE_REGISTRY else pd.DataFrame(columns=REGISTRY_COLUMNS)).drop_duplicates(
        "model_id").set_index("model_id")[["model_key", "tariff", "kind", "rule"]].to_dict("index")
    ov = overrides().drop_duplicates("model_id").set_index("model_id")[["model_key", "tariff", "kind"]].to_dict("index")
    rows = []
    for m in uniq:
        k, t, kind, rule = rule_key(str(m))
        if m in ov:
            o = ov[m]
            # an override names the model; the naming rules still apply to that name
            k = rule_key(o["model_key"])[0] if o["model_key"] else k
            t = o["tariff"] or t
            kind = o["kind"] or kind
            rule = "override"
        elif k in ov and ov[k]["model_key"]:
            # a variant of an overridden id follows it (grok-4-fast-reasoning-latest → grok-4-fast)
            o = ov[k]
            k, t = rule_key(o["model_key"])[0], o["tariff"] or t
            rule = f"{rule}+override"
        elif m in reg:
            r = reg[m]
            k, t, kind, rule = r["model_key"], r["tariff"], r["kind"], r["rule"]
        rows.append((m, k, t, kind, rule))
    table = pd.DataFrame(rows, columns=["model_id", "model_key", "tariff", "kind", "key_rule"]).set_index("model_id")
    out = pd.DataFrame({c: ids.map(table[c]) for c in table.columns}, index=model_ids.index)
    return out


def key_facts() -> pd.DataFrame:
    """Reviewed facts per model key (reasoning class, tier) from the overrides, indexed by key."""
    o = overrides()
    o = o[o["reasoning_class"].notna() | o["tier"].notna()]
    key = o["model_key"].fillna(o["model_id"]).map(lambda k: rule_key(str(k))[0])
    return o.assign(model_key=key).drop_duplicates("model_key").set_index("model_key")[
        ["reasoning_class", "tier", "note"]]


#: An undated id and a dated snapshot of it that first appear this many days apart at the
#: same launch price (within :data:`SAME_PRICE`) are one release.
SAME_LAUNCH_DAYS = 3
SAME_PRICE = 0.02
_DATED_TAIL = re.compile(
    r"^-(?:\d{4}-\d{2}-\d{2}|\d{8}|\d{4}|\d{2}-\d{2}|\d{2}-\d{4}|\d{3}|v\d+-\d{8}|preview-\d{2}-\d{2})$")


def same_launch_merges(p: pd.DataFrame) -> dict[str, str]:
    """Undated keys that are a dated snapshot under another name: ``{undated: dated}``.

    An undated key ``U`` and a key ``U-<date or version stamp>`` of the same developer whose
    first prices appear within :data:`SAME_LAUNCH_DAYS` of each other at the same launch
    price are one release (``gpt-5`` and ``gpt-5-2025-08-07``; ``mistral-large`` and
    ``mistral-large-2402``): the undated name is the dated snapshot's alias at launch.

    Examples
    --------
    >>> p = pd.DataFrame({"model_key": ["gpt-5", "gpt-5-2025-08-07", "gpt-5-chat"], "developer": "OpenAI",
    ...     "valid_from": pd.to_datetime(["2025-08-07"] * 3), "blended_usd_per_mtok": [3.4375, 3.4375, 3.4375]})
    >>> same_launch_merges(p)
    {'gpt-5': 'gpt-5-2025-08-07'}
    """
    cols = ["model_key", "developer", "valid_from", "blended_usd_per_mtok"]
    d = p[cols].copy()
    if {"release_date", "release_date_trusted"} <= set(p.columns):
        # launch = the release (API availability) where independently dated, else the first price seen
        ok = p["release_date_trusted"].astype("boolean").fillna(False).astype(bool) & p["release_date"].notna()
        d["valid_from"] = pd.to_datetime(p["release_date"]).where(ok, d["valid_from"])
    d = d.dropna(subset=["model_key", "valid_from", "blended_usd_per_mtok"])
    d = d.sort_values(["model_key", "valid_from"], kind="stable")
    first = d.groupby("model_key", sort=False).head(1).set_index("model_key")
    keys = sorted(first.index.astype(str))
    by_prefix: dict[str, list[str]] = {}
    for k in keys:
        by_prefix.setdefault(k, [])
    out: dict[str, str] = {}
    for k in keys:
        for u in (k[:i] for i in range(len(k) - 1, 1, -1) if k[i] == "-"):
            if u in by_prefix and _DATED_TAIL.match(k[len(u):]):
                a, b = first.loc[u], first.loc[k]
                same_dev = str(a["developer"]) == str(b["developer"])
                close = abs((a["valid_from"] - b["valid_from"]).days) <= SAME_LAUNCH_DAYS
                same = abs(float(a["blended_usd_per_mtok"]) / float(b["blended_usd_per_mtok"]) - 1) <= SAME_PRICE
                if same_dev and close and same and u not in out:
                    out[u] = k
                break
    return out


def reviewed_distinct() -> set[frozenset[str]]:
    """Pairs of keys reviewed as *different* models although they launched together at one
    price (``tables/registry_distinct.csv``, a note per pair)."""
    t = _table("registry_distinct.csv", ("key_a", "key_b", "note"))
    return {frozenset((str(a), str(b))) for a, b in zip(t["key_a"], t["key_b"], strict=True)}


def probable_duplicates(launches: pd.DataFrame, *, days: int = SAME_LAUNCH_DAYS,
                        rel_price: float = SAME_PRICE) -> pd.DataFrame:
    """Pairs of model keys of one developer launched within ``days`` at the same price
    (within ``rel_price``) that the registry neither merges nor lists as reviewed distinct.

    ``launches`` has one row per key: ``model_key, developer, date, price``.

    Examples
    --------
    >>> l = pd.DataFrame({"model_key": ["a", "a-pro", "b"], "developer": ["X", "X", "Y"],
    ...     "date": pd.to_datetime(["2025-01-01", "2025-01-02", "2025-01-01"]), "price": [1.0, 1.0, 1.0]})
    >>> probable_duplicates(l)[["key_a", "key_b"]].values.tolist()
    [['a', 'a-pro']]
    """
    ok = reviewed_distinct()
    d = launches.dropna(subset=["developer", "date", "price"]).sort_values(["developer", "date"], kind="stable")
    rows = []
    for _, g in d.groupby("developer", sort=True):
        recs = g.to_dict("records")
        for i, a in enumerate(recs):
            for b in recs[i + 1:]:
                if (b["date"] - a["date"]).days > days:
                    break
                if abs(float(b["price"]) / float(a["price"]) - 1) <= rel_price and \
                        frozenset((a["model_key"], b["model_key"])) not in ok:
                    rows.append({"developer": a["developer"], "key_a": a["model_key"], "key_b": b["model_key"],
                                 "date_a": a["date"], "date_b": b["date"], "price": float(a["price"])})
    return pd.DataFrame(rows, columns=["developer", "key_a", "key_b", "date_a", "date_b", "price"])
