"""The canonical price panel: one row per model × provider × price interval × source.

Built from every dated source in the bundled snapshot — OpenRouter daily snapshots,
LiteLLM price-map snapshots, Epoch's API price database, llm-prices and genai-prices
histories, and the curated price milestones — plus intervals fetched into a store.
Columns are those of DESIGN.md §3 (see :data:`PANEL_COLUMNS`).
"""

from __future__ import annotations

import re
from typing import Any, Protocol

import numpy as np
import pandas as pd

from llmflation.errors import ParseError
from llmflation.panel import identity as ident
from llmflation.panel.intervals import coalesce_intervals, observations_to_intervals
from llmflation.panel.units import ExclusionLog, Unit, blended, classify_prices, to_usd_per_mtok
from llmflation.sources import bundled

PANEL_COLUMNS = [
    "model_id", "model_name", "model_family", "developer", "country", "country_name", "provider",
    "first_party", "release_date", "release_date_source", "valid_from", "valid_to", "observed_at",
    "source", "source_key", "input_usd_per_mtok", "output_usd_per_mtok", "blended_usd_per_mtok",
    "cache_read_usd_per_mtok", "context_tokens", "is_reasoning", "open_weights", "tier",
    "epoch_model", "epoch_link_rule", "eci", "n_obs",
]

#: Snapshot/commit dates of the undated "current price" catalogues (from MANIFEST provenance).
LLM_PRICES_DATE = "2026-08-05"   # simonw/llm-prices@723ef0bd (committed 2026-08-05)
GENAI_PRICES_DATE = "2026-07-25"  # pydantic/genai-prices data.json last changed 2026-07-25

#: Provider slug → developer, to flag first-party prices.
FIRST_PARTY = {
    "openai": "OpenAI", "text-completion-openai": "OpenAI", "anthropic": "Anthropic",
    "gemini": "Google", "google": "Google", "vertex_ai-language-models": "Google", "palm": "Google",
    "mistral": "Mistral AI", "deepseek": "DeepSeek", "xai": "xAI", "x-ai": "xAI", "cohere": "Cohere",
    "cohere_chat": "Cohere", "ai21": "AI21 Labs", "moonshot": "Moonshot AI", "dashscope": "Alibaba",
    "zai": "Zhipu AI", "minimax": "MiniMax", "perplexity": "Perplexity", "amazon": "Amazon",
    "bedrock": "Amazon", "alibaba": "Alibaba", "qwen": "Alibaba", "meta": "Meta", "reka": "Reka AI",
}


class _StoreLike(Protocol):
    def price_intervals(self) -> pd.DataFrame: ...


# --------------------------------------------------------------------------- sources


def _obs_frame(**cols: Any) -> pd.DataFrame:
    return pd.DataFrame(cols)


def _require(df: pd.DataFrame, cols: list[str], what: str) -> None:
    if not isinstance(df, pd.DataFrame):
        raise ParseError(f"{what}: expected a pandas DataFrame, got {type(df).__name__}.")
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise ParseError(f"{what}: missing column(s) {missing}; expected the source's raw columns "
                         f"{cols}. Check that the file is the right source and not truncated.")


def _dates(values: pd.Series, what: str, column: str) -> pd.Series:
    d = pd.to_datetime(values.astype("string").str.slice(0, 10), errors="coerce", format="%Y-%m-%d")
    bad = d.isna() & values.notna()
    if bad.any():
        i = int(bad.to_numpy().nonzero()[0][0])
        raise ParseError(f"{what}: record {i} has {column}={values.iloc[i]!r}, expected a date YYYY-MM-DD. "
                         "Fix or drop that record.")
    return d


def openrouter_observations(df: pd.DataFrame, log: ExclusionLog) -> tuple[pd.DataFrame, pd.Series]:
    """OpenRouter daily snapshot rows → observations (USD per token → per 1M)."""
    _require(df, ["snapshot_date", "id", "name", "pricing_prompt_usd_per_token", "pricing_completion_usd_per_token",
                  "pricing_input_cache_read", "context_length", "supports_reasoning_param", "created_unix"],
             "OpenRouter snapshot table")
    d = _dates(df["snapshot_date"], "OpenRouter snapshot table", "snapshot_date")
    obs = _obs_frame(
        source="openrouter", source_key=df["id"].astype(str), provider="openrouter",
        author=df["id"].astype(str).str.split("/").str[0], model_name=df["name"].astype(str),
        observed_date=d,
        input_usd_per_mtok=_convert(_num(df["pricing_prompt_usd_per_token"]), "usd_per_token", log, "openrouter"),
        output_usd_per_mtok=_convert(_num(df["pricing_completion_usd_per_token"]), "usd_per_token", log,
                                     "openrouter"),
        cache_read_usd_per_mtok=pd.to_numeric(df["pricing_input_cache_read"], errors="coerce") * 1e6,
        context_tokens=pd.to_numeric(df["context_length"], errors="coerce"),
        reasoning_flag=df["supports_reasoning_param"].astype("string").str.lower().eq("true"),
        listed_date=pd.to_datetime(_num(df["created_unix"]).where(lambda v: v.between(0, 4.1e9)), unit="s").dt.normalize(),
    )
    # raw sentinels (negative) must be classified before conversion dropped nothing:
    raw_in = _num(df["pricing_prompt_usd_per_token"])
    raw_out = _num(df["pricing_completion_usd_per_token"])
    obs.loc[raw_in < 0, "input_usd_per_mtok"] = -1.0
    obs.loc[raw_out < 0, "output_usd_per_mtok"] = -1.0
    return obs, d


def litellm_observations(df: pd.DataFrame, log: ExclusionLog) -> tuple[pd.DataFrame, pd.Series]:
    """LiteLLM price-map snapshot rows → observations (USD per token → per 1M)."""
    _require(df, ["snapshot_date", "model_key", "litellm_provider", "input_cost_per_token", "output_cost_per_token",
                  "supports_reasoning", "max_input_tokens"], "LiteLLM snapshot table")
    d = _dates(df["snapshot_date"], "LiteLLM snapshot table", "snapshot_date")
    provider = df["litellm_provider"].astype("string").fillna("unknown")
    key = df["model_key"].astype(str)
    obs = _obs_frame(
        source="litellm", source_key=key, provider=provider, author=None, model_name=key,
        observed_date=d,
        input_usd_per_mtok=_convert(_num(df["input_cost_per_token"]), "usd_per_token", log, "litellm"),
        output_usd_per_mtok=_convert(_num(df["output_cost_per_token"]), "usd_per_token", log, "litellm"),
        cache_read_usd_per_mtok=np.nan,
        context_tokens=pd.to_numeric(df["max_input_tokens"], errors="coerce"),
        reasoning_flag=df["supports_reasoning"].astype("string").str.lower().eq("true"),
        listed_date=pd.NaT,
    )
    return obs, d


def epoch_api_observations(df: pd.DataFrame, log: ExclusionLog) -> pd.DataFrame:
    """Epoch API price database (one row per quote, input and output separate) → observations."""
    _require(df, ["Price Unit", "Price", "Model", "Model Version", "Organization (API vendor)",
                  "Organization (model developer)", "Price date"], "Epoch API price table")
    unit = df["Price Unit"].astype(str)
    price = pd.to_numeric(df["Price"].astype(str).str.replace(r"[$,\s]", "", regex=True), errors="coerce")
    is_in = unit.str.contains("input tokens") & ~unit.str.contains(">")
    is_out = unit.str.contains("output tokens") & ~unit.str.contains(">")
    both = unit.str.contains(r"tokens \(input or output\)", regex=True)
    keep = (is_in | is_out | both) & ~unit.str.contains("training|embedding|cashed|image", regex=True)
    log.add("epoch", "non-token or long-context quote (dropped)", int((~keep).sum()))
    base = pd.DataFrame({
        "model": df["Model Version"].fillna(df["Model"]).astype(str),
        "epoch_name": df["Model"].astype(str),
        "vendor": df["Organization (API vendor)"].astype(str),
        "developer": df["Organization (model developer)"].astype(str),
        "date": pd.to_datetime(df["Price date"], errors="coerce"),
        "inp": np.where(is_in | both, price, np.nan), "out": np.where(is_out | both, price, np.nan),
    })[keep]
    g = base.groupby(["model", "vendor", "date"], as_index=False).agg(
        inp=("inp", "max"), out=("out", "max"), epoch_name=("epoch_name", "first"))
    return _obs_frame(
        source="epoch", source_key=g["model"], provider=g["vendor"].str.lower(), author=None,
        model_name=g["epoch_name"], observed_date=g["date"],
        input_usd_per_mtok=to_usd_per_mtok(g["inp"], "usd_per_mtok", strict=False),
        output_usd_per_mtok=to_usd_per_mtok(g["out"], "usd_per_mtok", strict=False),
        cache_read_usd_per_mtok=np.nan, context_tokens=np.nan, reasoning_flag=False, listed_date=pd.NaT,
    )


def milestone_intervals(df: pd.DataFrame) -> pd.DataFrame:
    """Curated milestones: a launch/cut price holds from its date until the model's next event."""
    d = df.assign(date=pd.to_datetime(df["date"])).sort_values(["model", "provider", "date"])
    nxt = d.groupby(["model", "provider"])["date"].shift(-1)
    valid_to = (nxt - pd.Timedelta(days=1)).where(nxt.notna(), d["date"])
    return pd.DataFrame({
        "source": "milestones", "source_key": d["model"].astype(str), "provider": d["provider"].astype(str).str.lower(),
        "author": None, "model_name": d["model"].astype(str),
        "input_usd_per_mtok": to_usd_per_mtok(pd.to_numeric(d["input_usd_per_mtok"]), "usd_per_mtok", strict=False),
        "output_usd_per_mtok": to_usd_per_mtok(pd.to_numeric(d["output_usd_per_mtok"]), "usd_per_mtok", strict=False),
        "cache_read_usd_per_mtok": np.nan, "context_tokens": np.nan,
        "reasoning_flag": d["is_reasoning"].astype(str).str.lower().eq("true"),
        "listed_date": pd.NaT, "valid_from": d["date"], "valid_to": valid_to, "n_obs": 1,
        "observed_at": d["date"], "developer_hint": d["developer"].astype(str),
        "tier_hint": d["tier_hint"].astype(str), "event": d["event"].astype(str),
    })


def catalogue_intervals(df: pd.DataFrame, *, source: str, provider: pd.Series, key: pd.Series,
                        name: pd.Series, inp: pd.Series, out: pd.Series, cache: pd.Series,
                        start: pd.Series, end: pd.Series, snapshot: str, context: Any = np.nan,
                        provider_is_developer: bool = False) -> pd.DataFrame:
    """Catalogues with optional dated entries (llm-prices, genai-prices).

    An undated entry is the price seen at the catalogue's snapshot date (a one-day
    interval); a dated entry runs from its start to its end (or the snapshot date).
    """
    snap = pd.Timestamp(snapshot)
    vf = pd.to_datetime(start, errors="coerce")
    vt = pd.to_datetime(end, errors="coerce")
    # dated start: runs to its end, else to the snapshot (or is a point if it starts later);
    # no start but an end: the price was in effect on its last day only as far as we know;
    # neither: the price seen on the snapshot date.
    open_end = vf.where(vf > snap, snap)
    valid_from = vf.fillna(vt).fillna(snap)
    valid_to = vt.where(vt.notna(), open_end.where(vf.notna(), snap))
    return pd.DataFrame({
        "source": source, "source_key": key.astype(str), "provider": provider.astype(str).str.lower(),
        "author": provider.astype(str).str.lower() if provider_is_developer else None,
        "model_name": name.astype(str),
        "input_usd_per_mtok": to_usd_per_mtok(pd.to_numeric(inp, errors="coerce"), "usd_per_mtok", strict=False),
        "output_usd_per_mtok": to_usd_per_mtok(pd.to_numeric(out, errors="coerce"), "usd_per_mtok", strict=False),
        "cache_read_usd_per_mtok": pd.to_numeric(cache, errors="coerce"), "context_tokens": context,
        "reasoning_flag": False, "listed_date": pd.NaT, "valid_from": valid_from, "valid_to": valid_to,
        "n_obs": 1, "observed_at": snap,
    })


#: Keys that are not models: provider size-bucket price tiers, fine-tuning prices, image models.
NOT_A_MODEL = r"^(?:together-ai-|fireworks-ai-)|(?:^|/)ft:|flux-1|stable-diffusion|whisper|tts-|dall-e|embed"


def _num(s: pd.Series) -> pd.Series:
    """Numbers from a raw column; text ("varies", "abc") and ±inf become NaN (counted as missing)."""
    v = pd.to_numeric(s, errors="coerce").astype("float64")
    return v.where(np.isfinite(v))


def _convert(raw: pd.Series, unit: Unit, log: ExclusionLog, source: str) -> pd.Series:
    """Convert to USD/1M once; values ~1e6 off become NaN and are counted (then dropped)."""
    out = to_usd_per_mtok(raw, unit, strict=False)
    log.add(source, "implausible price, ~1e6 off (unit slip in the source)", int((out.isna() & raw.gt(0)).sum()))
    return out


def _filter_prices(obs: pd.DataFrame, log: ExclusionLog) -> pd.DataFrame:
    not_model = obs["source_key"].astype(str).str.lower().str.contains(NOT_A_MODEL, regex=True)
    for src, n in not_model.groupby(obs["source"]).sum().items():
        log.add(str(src), "not a base text model (price tier, fine-tune, image/audio/embedding)", int(n))
    obs = obs[~not_model]
    lab = classify_prices(obs["input_usd_per_mtok"], obs["output_usd_per_mtok"])
    for src, sub in lab.groupby(obs["source"]):
        for reason in ("free", "sentinel", "missing", "partly_free"):
            log.add(str(src), {"free": "free ($0) prices", "sentinel": "sentinel (-1 / varies) prices",
                               "missing": "missing input or output price",
                               "partly_free": "zero input or output price"}[reason],
                    int((sub == reason).sum()))
    return obs[lab == "ok"]


def clean_observations(obs: pd.DataFrame, log: ExclusionLog, *, today: pd.Timestamp | None = None) -> pd.DataFrame:
    """Drop future-dated and duplicate observations and invalid prices, counting each reason.

    Examples
    --------
    >>> log = ExclusionLog()
    >>> obs = pd.DataFrame({"source": ["x"] * 3, "source_key": ["a", "a", "b"], "provider": ["p"] * 3,
    ...     "observed_date": pd.to_datetime(["2024-01-01", "2024-01-01", "2999-01-01"]),
    ...     "input_usd_per_mtok": [1.0, 1.0, 1.0], "output_usd_per_mtok": [2.0, 2.0, 2.0]})
    >>> len(clean_observations(obs, log)), sorted(r for _, r in log.counts)
    (1, ['duplicate record in one snapshot', 'snapshot date in the future'])
    """
    today = today or pd.Timestamp.now().normalize()
    future = obs["observed_date"] > today
    for src, n in future.groupby(obs["source"]).sum().items():
        log.add(str(src), "snapshot date in the future", int(n))
    obs = obs[~future]
    dup = obs.duplicated(["source", "source_key", "provider", "observed_date"], keep="first")
    for src, n in dup.groupby(obs["source"]).sum().items():
        log.add(str(src), "duplicate record in one snapshot", int(n))
    return _filter_prices(obs[~dup], log)


#: An interior interval priced this many times *below* both neighbouring intervals of the
#: same key is a transient catalogue error (e.g. the LiteLLM copies of 2024-10 that wrote
#: Vertex AI's per-character Gemini prices as per-token prices). Only dips are dropped: a
#: real temporary price increase is rare but possible, and high unit slips are caught by
#: the plausible-range guard.
GLITCH_FACTOR = 5.0


def drop_glitches(iv: pd.DataFrame, log: ExclusionLog, factor: float = GLITCH_FACTOR) -> pd.DataFrame:
    """Drop interior intervals priced ``factor``× below both neighbouring intervals.

    Examples
    --------
    >>> iv = pd.DataFrame({"source": "s", "source_key": "k", "provider": "p",
    ...     "valid_from": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01"]),
    ...     "input_usd_per_mtok": [1.0, 0.01, 1.0], "output_usd_per_mtok": [2.0, 0.02, 2.0]})
    >>> drop_glitches(iv, ExclusionLog())["input_usd_per_mtok"].tolist()
    [1.0, 1.0]
    """
    if iv.empty:
        return iv
    d = iv.sort_values(["source", "source_key", "provider", "valid_from"], kind="mergesort")
    price = blended(d["input_usd_per_mtok"], d["output_usd_per_mtok"])
    prev = price.groupby([d["source"], d["source_key"], d["provider"]], sort=False).shift(1)
    nxt = price.groupby([d["source"], d["source_key"], d["provider"]], sort=False).shift(-1)
    bad = ((price * factor < prev) & (price * factor < nxt)).fillna(False).astype(bool)
    for src, n in bad.groupby(d["source"]).sum().items():
        log.add(str(src), f"transient price dip ({factor:g}x below both neighbouring intervals)", int(n))
    return d[~bad]


def bundled_intervals(log: ExclusionLog | None = None) -> pd.DataFrame:
    """Every dated price interval in the bundled snapshot (before identity resolution).

    Examples
    --------
    >>> iv = bundled_intervals()
    >>> sorted(iv["source"].unique())
    ['epoch', 'genai-prices', 'litellm', 'llm-prices', 'milestones', 'openrouter']
    """
    log = log if log is not None else ExclusionLog()
    parts = []
    carry = ["author", "model_name", "cache_read_usd_per_mtok", "context_tokens", "reasoning_flag", "listed_date"]
    for loader, table in ((openrouter_observations, "openrouter_daily"), (litellm_observations, "litellm_snapshots")):
        obs, snaps = loader(bundled.load_table(table), log)
        obs = clean_observations(obs, log)
        iv = observations_to_intervals(obs, key=["source", "source_key", "provider"], snapshots=snaps,
                                       carry=carry)
        iv["observed_at"] = iv["valid_to"]
        # OpenRouter's API is the provider's live price (temporary discounts are real);
        # LiteLLM's map is a hand-maintained copy, where dips are transcription errors.
        parts.append(drop_glitches(iv, log) if table == "litellm_snapshots" else iv)
    ep = _filter_prices(epoch_api_observations(bundled.load_table("epoch_api_prices"), log), log)
    ep = ep.dropna(subset=["observed_date"])
    iv = observations_to_intervals(ep, key=["source", "source_key", "provider"], carry=carry)
    iv["observed_at"] = iv["valid_to"]
    parts.append(iv)
    parts.append(_filter_prices(milestone_intervals(bundled.load_table("price_milestones")), log))
    lp = bundled.load_table("llm_prices")
    parts.append(_filter_prices(catalogue_intervals(
        lp, source="llm-prices", provider=lp["vendor"], key=lp["model_id"], name=lp["model_name"],
        inp=lp["input_usd_per_mtok"], out=lp["output_usd_per_mtok"], cache=lp["input_cached_usd_per_mtok"],
        start=lp["from_date"], end=lp["to_date"], snapshot=LLM_PRICES_DATE, provider_is_developer=True), log))
    gp = bundled.load_table("genai_prices")
    parts.append(_filter_prices(catalogue_intervals(
        gp, source="genai-prices", provider=gp["provider_id"], key=gp["model_id"], name=gp["model_name"],
        inp=gp["input_usd_per_mtok_base"], out=gp["output_usd_per_mtok_base"],
        cache=gp["cache_read_usd_per_mtok_base"], start=gp["constraint_start_date"],
        end=gp["constraint_end_date"], snapshot=GENAI_PRICES_DATE,
        context=pd.to_numeric(gp["context_window"], errors="coerce")), log))
    out = pd.concat([p for p in parts if len(p)], ignore_index=True)
    # A key can start two intervals on one date (e.g. a milestone model listed twice by one
    # provider); the store's primary key allows one, so keep the later row here as well.
    dup = out.duplicated(["source", "source_key", "provider", "valid_from"], keep="last")
    for src, n in dup.groupby(out["source"]).sum().items():
        log.add(str(src), "second interval for a key on the same start date", int(n))
    return coalesce_intervals(out[~dup].reset_index(drop=True))


# --------------------------------------------------------------------------- identity & enrichment


def _epoch_lookup() -> tuple[dict[str, str], dict[str, str], pd.DataFrame]:
    """(exact version id → Epoch model, match key → Epoch model, Epoch facts by model)."""
    mv = bundled.load_table("epoch_model_versions")
    exact: dict[str, str] = {}
    for vid, model in mv[["id", "Model"]].itertuples(index=False):
        if isinstance(model, str) and isinstance(vid, str):
            exact.setdefault(ident.normalize_key(vid), model)
    em = bundled.load_table("epoch_models")
    em = em[em["Model"].notna()].copy()
    em["_pub"] = pd.to_datetime(em["Publication date"], errors="coerce")
    em = em.sort_values("_pub").drop_duplicates("Model", keep="last").set_index("Model")
    by_key: dict[str, str] = {}
    counts: dict[str, int] = {}
    for m in em.index:
        k = ident.match_key(m)
        counts[k] = counts.get(k, 0) + 1
        by_key.setdefault(k, m)
    by_key = {k: v for k, v in by_key.items() if counts[k] == 1}
    for model in set(exact.values()):
        by_key.setdefault(ident.match_key(model), model)
    return exact, by_key, em


def _overrides() -> pd.DataFrame:
    from importlib import resources
    from io import StringIO

    txt = (resources.files("llmflation.panel") / "tables" / "alias_overrides.csv").read_text()
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
    prefixes = sorted({ident.normalize_key(m): m for m in em.index if len(ident.match_key(m)) >= 8}.items(),
                      key=lambda kv: -len(kv[0]))
    params = pd.to_numeric(em["Parameters"], errors="coerce").dropna().to_dict()
    rows = []
    for src, key, author in keys[["source", "source_key", "author"]].itertuples(index=False):
        mid = ident.normalize_key(key)
        fam = ident.model_family(mid)
        dev = ident.developer_of(key, author if isinstance(author, str) else None)
        epoch, rule = None, ""
        if mid in exact:
            epoch, rule = exact[mid], "epoch_version_id"
        else:
            for cand, r in ((mid, "name"), (fam, "family"), (ident.strip_role(fam), "family_no_role")):
                k = ident.match_key(cand)
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
        if family.startswith(pre) and ident.serving_tail(tail):
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


def enrich(iv: pd.DataFrame) -> pd.DataFrame:
    """Add identity, developer, country, release date, flags, Epoch link and ECI to intervals."""
    from llmflation.panel.aliases import alias_table

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
    devs = ident.developers()
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
    # reasoning: any source flag or name rule, per model
    name_flag = p["model_id"].map(lambda m: ident.name_says_reasoning(str(m)))
    flag = p["reasoning_flag"].fillna(False).astype(bool) | name_flag
    p["is_reasoning"] = flag.groupby(p["model_id"]).transform("any")
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
    # release date: Epoch publication → Epoch version date → OpenRouter listing → first price seen
    mv = bundled.load_table("epoch_model_versions")
    vdate = dict(zip(mv["id"].astype(str).map(ident.normalize_key),
                     pd.to_datetime(mv["Version release date"], errors="coerce"), strict=False))
    pub = pd.to_datetime(p["epoch_model"].map(em["Publication date"]), errors="coerce")
    ver = pd.to_datetime(p["model_id"].map(vdate), errors="coerce")
    listed = p.groupby("model_id")["listed_date"].transform("min") if "listed_date" in p else pd.NaT
    launch = p["valid_from"].where(p.get("event", pd.Series(index=p.index, dtype=object)).eq("launch"))
    launch = launch.groupby(p["model_id"]).transform("min")
    first = p.groupby("model_id")["valid_from"].transform("min")
    rd = ver.copy()
    src = pd.Series(["epoch_version" if v else None for v in ver.notna()], index=p.index, dtype="object")
    for cand, name in ((pub, "epoch_publication"), (listed, "openrouter_listing"), (launch, "milestone_launch"),
                       (first, "first_price_seen")):
        fill = rd.isna() & pd.Series(cand, index=p.index).notna()
        rd = rd.where(~fill, cand)
        src = src.where(~fill, name)
    p["release_date"] = rd.dt.normalize()
    p["release_date_source"] = src
    # ECI: maximum over the linked Epoch model's versions
    eci = bundled.load_table("epoch_eci")
    eci_by_model = eci.dropna(subset=["Model name"]).groupby("Model name")["ECI Score"].max()
    eci_by_ver = dict(zip(eci["Model version"].astype(str).map(ident.normalize_key), eci["ECI Score"], strict=False))
    p["eci"] = p["model_id"].map(eci_by_ver).fillna(p["epoch_model"].map(eci_by_model)).astype("float64")
    p["blended_usd_per_mtok"] = blended(p["input_usd_per_mtok"], p["output_usd_per_mtok"])
    return p


def build_panel(intervals: pd.DataFrame, *, tiers: str | None = None) -> pd.DataFrame:
    """Resolve identities, enrich and order intervals into the canonical panel."""
    p = enrich(intervals)
    for c in ("valid_from", "valid_to", "observed_at", "release_date"):
        p[c] = pd.to_datetime(p[c]).dt.normalize().astype("datetime64[ns]")
    from llmflation.panel.tiers import DEFAULT_TIERS, assign_tiers

    p["tier"] = assign_tiers(p, definition=tiers or DEFAULT_TIERS)  # type: ignore[arg-type]
    for c in PANEL_COLUMNS:
        if c not in p:
            p[c] = pd.NA
    p = p[PANEL_COLUMNS].sort_values(["model_id", "provider", "source", "valid_from"], kind="mergesort")
    return p.reset_index(drop=True)


_CACHE: dict[str, pd.DataFrame] = {}


def load_panel(store: _StoreLike | None = None, *, tiers: str | None = None, warn: bool = True) -> pd.DataFrame:
    """The canonical price panel (DESIGN.md §3).

    Parameters
    ----------
    store : llmflation.Store, optional
        When given, intervals fetched into the store are merged with the bundled ones
        (duplicates — same source, key, provider and interval start — are dropped).
    tiers : {"positioning", "price_band", "capability"}, optional
        Tier definition for the ``tier`` column (see :func:`llmflation.panel.tiers.assign_tiers`,
        which documents the default and why).
    warn : bool
        Emit a warning counting excluded free/sentinel/missing prices.

    Returns
    -------
    pandas.DataFrame
        One row per model × provider × price interval × source, with USD per 1M tokens,
        dates as ``datetime64``, and model facts (developer, country group US/CN/EU/other,
        release date, reasoning and open-weights flags, Epoch link and ECI).

    Examples
    --------
    >>> import llmflation as lf
    >>> panel = lf.load_panel(warn=False)
    >>> panel.loc[panel.model_id == "gpt-4o-2024-08-06", "developer"].iloc[0]
    'OpenAI'
    """
    log = ExclusionLog()
    if "bundled" not in _CACHE:
        iv = bundled_intervals(log)
        _CACHE["bundled"] = iv
        _CACHE["log"] = log.to_frame()
    iv = _CACHE["bundled"]
    if warn and len(_CACHE["log"]):
        ExclusionLog({(r.source, r.reason): r.rows for r in _CACHE["log"].itertuples()}).warn()
    if store is not None:
        fetched = store.price_intervals()
        if len(fetched):
            merged = pd.concat([iv, fetched.drop(columns=["origin", "is_open"], errors="ignore")],
                               ignore_index=True)
            merged = merged.sort_values("valid_to").drop_duplicates(
                ["source", "source_key", "provider", "valid_from"], keep="last")
            merged = coalesce_intervals(merged)
            lit = merged["source"] == "litellm"
            iv = pd.concat([merged[~lit], drop_glitches(merged[lit], ExclusionLog())], ignore_index=True)
    p = build_panel(iv.copy(), tiers=tiers)
    p.attrs["vintage"] = bundled.vintage(["openrouter_daily", "litellm_snapshots", "epoch_api_prices",
                                          "price_milestones", "llm_prices", "genai_prices"])
    if store is not None:
        p.attrs["vintage"] += " + fetched history"
    return p


def exclusions() -> pd.DataFrame:
    """Counts of price rows excluded from the bundled panel, by source and reason."""
    if "log" not in _CACHE:
        load_panel(warn=False)
    return _CACHE["log"].copy()
