"""Normalisation of the bundled snapshot and of fetched catalogues into dated price
intervals: observations per source, units to USD per 1M tokens, price filters with counted
reasons, change logs, and the bundle's interval table (pure pandas, no store).

Shared by :mod:`llmflation.store` (ingest and fetch) and :mod:`llmflation.panel` (the
read side), so that data flows one way: sources → normalize → store → panel.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from llmflation.errors import ParseError
from llmflation.normalize import changelogs as cl
from llmflation.normalize import first_party as fpt
from llmflation.normalize.aliases import propagated_first_party_table
from llmflation.normalize.intervals import coalesce_intervals, observations_to_intervals
from llmflation.normalize.units import ExclusionLog, Unit, blended, classify_prices, to_usd_per_mtok
from llmflation.sources import bundled

#: How an interval's start was dated: the vendor's announcement, the first snapshot that
#: listed it, the commit of a price file that first showed it, or an archive capture.
DATE_BASES = ("announced", "observed_first", "commit", "archive")
#: Date basis of each source's intervals (when a row does not say).
SOURCE_DATE_BASIS = {"openrouter": "observed_first", "litellm": "commit", "genai-prices": "commit",
                     "llm-prices": "commit", "epoch": "archive", "milestones": "announced", "first-party": "announced",
                     "modelpricewatch": "observed_first", "openrouter-endpoints": "observed_first"}

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
        input_usd_per_mtok=_convert(_num(df["pricing_prompt_usd_per_token"]), "usd_per_token"),
        output_usd_per_mtok=_convert(_num(df["pricing_completion_usd_per_token"]), "usd_per_token"),
        cache_read_usd_per_mtok=pd.to_numeric(df["pricing_input_cache_read"], errors="coerce") * 1e6,
        context_tokens=pd.to_numeric(df["context_length"], errors="coerce"),
        reasoning_flag=df["supports_reasoning_param"].astype("string").str.lower().eq("true"),
        listed_date=pd.to_datetime(_num(df["created_unix"]).where(lambda v: v.between(0, 4.1e9)), unit="s").dt.normalize(),
    )
    # the raw sentinel -1 stays -1 (_convert); other negative prices stay negative and are
    # counted apart from it by filter_prices
    return obs, d


def litellm_observations(df: pd.DataFrame, log: ExclusionLog) -> tuple[pd.DataFrame, pd.Series]:
    """LiteLLM price-map snapshot rows → observations (USD per token → per 1M)."""
    _require(df, ["snapshot_date", "model_key", "litellm_provider", "input_cost_per_token", "output_cost_per_token",
                  "supports_reasoning", "max_input_tokens"], "LiteLLM snapshot table")
    d = _dates(df["snapshot_date"], "LiteLLM snapshot table", "snapshot_date")
    # tokencost's 2024-01-31 copy of the map dropped ``litellm_provider``: take the key's
    # provider from the other snapshots (else every interval of 2023-12 → 2024-03 breaks)
    raw_prov = df["litellm_provider"].astype("string").replace("", pd.NA)
    filled = cl.fill_missing_provider(df.assign(litellm_provider=raw_prov), provider="litellm_provider")
    log.add("litellm", "provider missing in the snapshot, taken from the key's other snapshots (kept)",
            int((raw_prov.isna() & pd.Series(filled, index=df.index).notna()).sum()))
    provider = pd.Series(filled, index=df.index).astype("string").fillna("unknown")
    key = df["model_key"].astype(str)
    obs = _obs_frame(
        source="litellm", source_key=key, provider=provider, author=None, model_name=key,
        observed_date=d,
        input_usd_per_mtok=_convert(_num(df["input_cost_per_token"]), "usd_per_token"),
        output_usd_per_mtok=_convert(_num(df["output_cost_per_token"]), "usd_per_token"),
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
    # quotes for a fine-tuned copy of the model (OpenAI's fine-tuning price list) are not
    # the base model's price: gpt-4o-mini 0.30/1.20 fine-tuned vs 0.15/0.60 base
    tuned = df["Fine Tuned Model"].astype("string").str.strip().str.lower().eq("checked").fillna(False) \
        if "Fine Tuned Model" in df.columns else pd.Series(False, index=df.index)
    tuned |= df["Price description"].astype("string").str.contains("fine.?tun", case=False, regex=True).fillna(False) \
        if "Price description" in df.columns else False
    log.add("epoch", "fine-tuned model quote (not the base price)", int((keep & tuned).sum()))
    keep &= ~tuned
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
        input_usd_per_mtok=_convert(g["inp"], "usd_per_mtok"),
        output_usd_per_mtok=_convert(g["out"], "usd_per_mtok"),
        cache_read_usd_per_mtok=np.nan, context_tokens=np.nan, reasoning_flag=False, listed_date=pd.NaT,
    )


def milestone_intervals(df: pd.DataFrame) -> pd.DataFrame:
    """Curated milestones: a launch/cut price holds from its date until the day before the
    model's next event, else until the table's last date (its last
    observation: the table's vintage); first-party shutdowns and the first-party check
    close it earlier."""
    d = df.assign(date=pd.to_datetime(df["date"])).sort_values(["model", "provider", "date"])
    held = cl.hold_until_next(d.assign(valid_from=d["date"], valid_to=d["date"]), key=["model", "provider"],
                              last_basis="source_vintage")
    d = d.loc[held.index]
    valid_to = held["valid_to"]
    return pd.DataFrame({
        "source": "milestones", "source_key": d["model"].astype(str), "provider": d["provider"].astype(str).str.lower(),
        "author": None, "model_name": d["model"].astype(str),
        "input_usd_per_mtok": _convert(pd.to_numeric(d["input_usd_per_mtok"]), "usd_per_mtok"),
        "output_usd_per_mtok": _convert(pd.to_numeric(d["output_usd_per_mtok"]), "usd_per_mtok"),
        "cache_read_usd_per_mtok": np.nan, "context_tokens": np.nan,
        "reasoning_flag": d["is_reasoning"].astype(str).str.lower().eq("true"),
        "listed_date": pd.NaT, "valid_from": d["date"], "valid_to": valid_to, "n_obs": 1,
        "observed_at": d["date"], "developer_hint": d["developer"].astype(str),
        "tier_hint": d["tier_hint"].astype(str), "event": d["event"].astype(str),
        "date_basis": fpt.date_basis(d["source_url"]), "date_precision": "day",
        "valid_to_basis": held["valid_to_basis"],
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
#: Keys of models that are not text LLMs: speech, transcription, realtime/audio, search,
#: image, embedding and moderation endpoints (priced per token but not comparable).
NON_TEXT = (r"(?:^|[/:._-])(?:tts|transcribe|transcription|realtime|audio|search|image|images|imagen|dall-e|"
            r"whisper|embed\w*|rerank|moderation|speech|live)(?=$|[/:._-]|\d)")
#: Fine-tuned models and fine-tuning price entries.
FINE_TUNE = r"(?:^|/)ft:|fine-?tun|(?:^|[/_-])ft(?:-|:|$)"
PRICE_TIER = r"^(?:together-ai-|fireworks-ai-)"


def not_a_base_text_model(keys: pd.Series) -> pd.Series:
    """Reason a key is not a base text model (``price tier``, ``fine-tune``, ``non-text``), else empty.

    Examples
    --------
    >>> not_a_base_text_model(pd.Series(["gpt-4o-mini-tts", "ft:gpt-4o-mini:acme", "gpt-4o", "gpt-4o-realtime-preview"])).tolist()
    ['non-text', 'fine-tune', '', 'non-text']
    """
    k = keys.astype("string").str.lower().fillna("")
    # the rules run once per distinct key (a catalogue lists each key in every snapshot)
    codes, uniq = pd.factorize(k)
    u = pd.Series(uniq, dtype="string")
    why = np.full(len(u), "", dtype=object)
    why[u.str.contains(NOT_A_MODEL, regex=True).to_numpy(dtype=bool)] = "non-text"
    why[u.str.contains(NON_TEXT, regex=True).to_numpy(dtype=bool)] = "non-text"
    why[u.str.contains(FINE_TUNE, regex=True).to_numpy(dtype=bool)] = "fine-tune"
    why[u.str.contains(PRICE_TIER, regex=True).to_numpy(dtype=bool)] = "price tier"
    return pd.Series(why[codes], index=keys.index, dtype=object)


NOT_MODEL_REASON = {"non-text": "non-text model (speech, transcription, realtime/audio, search, image, embedding)",
                     "fine-tune": "fine-tuned model or fine-tuning price",
                     "price tier": "provider size-bucket price tier, not a model"}


def _num(s: pd.Series) -> pd.Series:
    """Numbers from a raw column; text ("varies", "abc") and ±inf become NaN (counted as missing)."""
    v = pd.to_numeric(s, errors="coerce").astype("float64")
    return v.where(np.isfinite(v))


def _convert(raw: pd.Series, unit: Unit) -> pd.Series:
    """Convert to USD/1M once. A value outside the plausible range (a unit slip) is kept as
    it is, and the sentinel ``-1`` stays ``-1``, so that :func:`filter_prices` counts each
    row once under its own reason (not a unit slip as a "missing" price)."""
    raw = pd.Series(raw, dtype="float64") if not isinstance(raw, pd.Series) else raw.astype("float64")
    out = to_usd_per_mtok(raw, unit, strict=False, keep_implausible=True)
    return out.mask(raw == -1, -1.0)


#: Exclusion-log reason of each :func:`~llmflation.normalize.units.classify_prices` label.
PRICE_REASONS = {
    "free": "free ($0) price",
    "sentinel": "sentinel price (-1: varies by request)",
    "negative": "negative price (invalid, not the -1 sentinel)",
    "missing": "missing input or output price",
    "implausible": "outside the plausible range (unit slip)",
    "partly_free": "zero input or output price",
}


def filter_prices(obs: pd.DataFrame, log: ExclusionLog) -> pd.DataFrame:
    """Drop non-text models and invalid prices, counting each row once under one reason."""
    why = not_a_base_text_model(obs["source_key"])
    for (src, r), n in why[why != ""].groupby([obs["source"], why]).size().items():
        log.add(str(src), NOT_MODEL_REASON[str(r)], int(n))
    obs = obs[why == ""]
    lab = classify_prices(obs["input_usd_per_mtok"], obs["output_usd_per_mtok"])
    for src, sub in lab.groupby(obs["source"]):
        for reason, text in PRICE_REASONS.items():
            log.add(str(src), text, int((sub == reason).sum()))
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
    return filter_prices(obs[~dup], log)


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


CARRY = ["author", "model_name", "cache_read_usd_per_mtok", "context_tokens", "reasoning_flag", "listed_date"]
_KEY = ["source", "source_key", "provider"]
DAY = pd.Timedelta(days=1)


def _commit_range(name: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    c = cl.commit_day(bundled.load_table(name)["author_date_utc"])
    return c.min(), c.max()


def _litellm_changelog(df: pd.DataFrame, log: ExclusionLog, *, end: pd.Timestamp, label: str) -> pd.DataFrame:
    """A LiteLLM-format change log (tokencost, RoCry) → ``litellm`` intervals (USD per token → per 1M)."""
    raw_prov = df["provider"].astype("string").replace("", pd.NA)
    prov = pd.Series(cl.fill_missing_provider(df.assign(provider=raw_prov)), index=df.index)
    # tokencost 2024-03-26: the field coming back shows as `removed` (provider empty) + `added`
    artefact = raw_prov.isna() & df["event"].eq("removed")
    log.add("litellm", f"{label}: provider missing in the copy, taken from the key's other commits (kept)",
            int((raw_prov.isna() & ~artefact).sum()))
    ev = df.assign(provider=prov.fillna("unknown"), date=cl.commit_day(df["observed_at"]))[~artefact]
    iv = cl.events_to_intervals(ev, key=["model_key", "provider"], end=end)
    return _obs_frame(
        source="litellm", source_key=iv["model_key"].astype(str), provider=iv["provider"].astype(str),
        author=None, model_name=iv["model_key"].astype(str),
        input_usd_per_mtok=_convert(_num(iv["input_cost_per_token"]), "usd_per_token"),
        output_usd_per_mtok=_convert(_num(iv["output_cost_per_token"]), "usd_per_token"),
        cache_read_usd_per_mtok=_num(iv["cache_read_input_token_cost"]) * 1e6,
        context_tokens=pd.to_numeric(iv["max_input_tokens"], errors="coerce"),
        reasoning_flag=iv["supports_reasoning"].astype("string").str.lower().eq("true"), listed_date=pd.NaT,
        valid_from=iv["valid_from"], valid_to=iv["valid_to"], n_obs=1, observed_at=iv["valid_to"],
        date_basis="commit", date_precision="day", valid_to_basis=iv["valid_to_basis"],
        source_ref=iv["source_ref"].astype(str),
    )


def litellm_intervals(log: ExclusionLog) -> pd.DataFrame:
    """LiteLLM's price map over time, from its densest copies.

    2023-11 → 2024-01: the map inside the ``litellm`` package sdists (snapshots, a change
    dated to the first snapshot showing it); 2024-01-31 → 2025-02-05: every commit of
    tokencost's copy; from 2025-02-06: every commit of RoCry's mirror. Each interval's
    start is a commit (or package build) day, ``date_basis = "commit"``.
    """
    tc_start, tc_end = _commit_range("changelog_tokencost_commits")
    rc_start, rc_end = _commit_range("changelog_rocry_commits")
    snaps = bundled.load_table("litellm_snapshots")
    sd = pd.to_datetime(snaps["snapshot_date"].astype("string").str.slice(0, 10), errors="coerce")
    early = snaps[sd < tc_start]
    obs, d = litellm_observations(early, log)
    obs = clean_observations(obs, log)
    iv = observations_to_intervals(obs, key=_KEY, snapshots=d, carry=CARRY, hold=True)
    last_snap = d.max()
    iv = iv.assign(observed_at=iv["valid_to"], date_basis="commit", date_precision="day",
                   valid_to_basis=np.where(iv["valid_to"] == last_snap, "last_observation", "next_event"))
    tc = bundled.load_table("changelog_tokencost")
    tc = tc[cl.commit_day(tc["observed_at"]) < rc_start]
    tci = filter_prices(_litellm_changelog(tc, log, end=min(tc_end, rc_start - DAY), label="tokencost"), log)
    rci = filter_prices(_litellm_changelog(bundled.load_table("changelog_rocry"), log, end=rc_end,
                                            label="RoCry"), log)
    # the package snapshots end 2023-12-13, tokencost starts 2024-01-31: a key seen in both
    # holds its last package price until the day before tokencost shows it
    seen_next = set(map(tuple, tci.loc[tci["valid_from"] == tc_start, ["source_key", "provider"]].to_numpy()))
    nxt_seen = np.array([(k, p) in seen_next for k, p in zip(iv["source_key"], iv["provider"], strict=True)], dtype=bool)
    bridge = (iv["valid_to"] == last_snap).to_numpy() & nxt_seen
    iv.loc[bridge, "valid_to"] = tc_start - DAY
    iv.loc[bridge, "valid_to_basis"] = "next_event"
    # and tokencost's last prices hold until RoCry's first commit where RoCry lists the key
    out = pd.concat([iv, tci, rci], ignore_index=True)
    out = coalesce_intervals(out.sort_values([*_KEY, "valid_from"], kind="mergesort"))
    return drop_glitches(out, log)


def genai_changelog_intervals(log: ExclusionLog) -> pd.DataFrame:
    """pydantic genai-prices, every commit of ``prices/data.json`` (USD per 1M tokens).

    A conditional item ``start_date=X`` starts at X (the catalogue's stated effective date,
    ``date_basis = "announced"``) and ends the default item's price the day before;
    time-of-day items (DeepSeek off-peak) are not list prices and are dropped, as are items
    scheduled after the source's last commit.
    """
    df = bundled.load_table("changelog_genai_prices")
    _, end = _commit_range("changelog_genai_prices_commits")
    pc = df["price_constraint"].astype("string").fillna("")
    tod = pc.str.contains("start_time|end_time", regex=True)
    log.add("genai-prices", "time-of-day (off-peak) price item, not the list price", int(tod.sum()))
    df = df[~tod].assign(price_constraint=pc[~tod], date=cl.commit_day(df.loc[~tod, "observed_at"]))
    iv = cl.events_to_intervals(df, key=["model_key", "provider", "price_constraint"], end=end)
    start = pd.to_datetime(iv["price_constraint"].str.extract(r"start_date=(\d{4}-\d{2}-\d{2})")[0], errors="coerce")
    basis = pd.Series("commit", index=iv.index, dtype=object)
    dated = start.notna()
    iv.loc[dated, "valid_from"] = start[dated]
    basis[dated] = "announced"
    future = dated & (start > iv["valid_to"])
    log.add("genai-prices", "price scheduled after the catalogue's last commit (not yet observed)", int(future.sum()))
    # the default item's price ends where a dated item of the same key takes over
    first_dated = start[dated & ~future].groupby([iv["model_key"], iv["provider"]]).min()
    cut = pd.Series(list(zip(iv["model_key"], iv["provider"], strict=True)), index=iv.index).map(first_dated)
    default = ~dated & cut.notna()
    iv.loc[default, "valid_to"] = iv.loc[default, ["valid_to"]].assign(c=cut[default] - DAY).min(axis=1)
    gone = default & (iv["valid_to"] < iv["valid_from"])
    log.add("genai-prices", "default price superseded by a dated price before it was observed", int(gone.sum()))
    iv, basis = iv[~future & ~gone], basis[~future & ~gone]
    key = iv["model_key"].astype(str) + np.where(iv["price_constraint"].eq(""), "", "@" + iv["price_constraint"])
    out = _obs_frame(
        source="genai-prices", source_key=key, provider=iv["provider"].astype(str).str.lower(), author=None,
        model_name=iv["model_key"].astype(str),
        input_usd_per_mtok=_convert(_num(iv["input_usd_per_mtok"]), "usd_per_mtok"),
        output_usd_per_mtok=_convert(_num(iv["output_usd_per_mtok"]), "usd_per_mtok"),
        cache_read_usd_per_mtok=_num(iv["cache_read_usd_per_mtok"]),
        context_tokens=pd.to_numeric(iv["max_input_tokens"], errors="coerce"), reasoning_flag=False,
        listed_date=pd.NaT, valid_from=iv["valid_from"], valid_to=iv["valid_to"], n_obs=1,
        observed_at=iv["valid_to"], date_basis=basis, date_precision="day", valid_to_basis=iv["valid_to_basis"],
    )
    out["source_key"] = out["source_key"].str.replace(r"@start_date=\d{4}-\d{2}-\d{2}$", "", regex=True)
    return coalesce_intervals(filter_prices(out, log))


def llm_prices_changelog_intervals(log: ExclusionLog) -> pd.DataFrame:
    """simonw/llm-prices, every commit (USD per 1M tokens). The source's own dated periods
    (``price_from_date``/``price_to_date``) bound an interval where given; long-context
    tier entries (``>128k``) are separate offers and dropped."""
    df = bundled.load_table("changelog_llm_prices")
    _, end = _commit_range("changelog_llm_prices_commits")
    longctx = df["model_name"].astype("string").str.contains(">", regex=False).fillna(False) | \
        df["model_key"].astype("string").str.contains(r"-(?:128|200)k$", regex=True).fillna(False)
    log.add("llm-prices", "long-context tier entry (>128k/>200k), not the list price", int(longctx.sum()))
    df = df[~longctx].assign(date=cl.commit_day(df.loc[~longctx, "observed_at"]),
                             price_from_date=df.loc[~longctx, "price_from_date"].astype("string").fillna(""))
    iv = cl.events_to_intervals(df, key=["model_key", "provider", "price_from_date"], end=end)
    pf = pd.to_datetime(iv["price_from_date"].replace("", pd.NA), errors="coerce")
    pt = pd.to_datetime(iv["price_to_date"].astype("string"), errors="coerce")
    basis = pd.Series(np.where(pf.notna(), "announced", "commit"), index=iv.index)
    iv["valid_from"] = pf.where(pf.notna(), iv["valid_from"])
    iv["valid_to"] = pt.where(pt.notna(), iv["valid_to"])
    iv["valid_to_basis"] = np.where(pt.notna(), "stated_end", iv["valid_to_basis"])
    ok = iv["valid_to"] >= iv["valid_from"]
    log.add("llm-prices", "dated period ends before it starts", int((~ok).sum()))
    iv, basis = iv[ok], basis[ok]
    out = _obs_frame(
        source="llm-prices", source_key=iv["model_key"].astype(str), provider=iv["provider"].astype(str).str.lower(),
        author=iv["provider"].astype(str).str.lower(), model_name=iv["model_name"].astype(str),
        input_usd_per_mtok=_convert(_num(iv["input_usd_per_mtok"]), "usd_per_mtok"),
        output_usd_per_mtok=_convert(_num(iv["output_usd_per_mtok"]), "usd_per_mtok"),
        cache_read_usd_per_mtok=_num(iv["cache_read_usd_per_mtok"]), context_tokens=np.nan, reasoning_flag=False,
        listed_date=pd.NaT, valid_from=iv["valid_from"], valid_to=iv["valid_to"], n_obs=1,
        observed_at=iv["valid_to"], date_basis=basis, date_precision="day", valid_to_basis=iv["valid_to_basis"],
    )
    return coalesce_intervals(filter_prices(out, log))


#: ModelPriceWatch seller names → provider slugs (the developer's own slug where it sells).
_MPW_PROVIDER = {"AI21 Labs": "ai21", "Z.AI": "zai", "xAI": "xai", "Mistral": "mistral", "Moonshot": "moonshot",
                 "Moonshot AI": "moonshot", "Amazon": "amazon", "Google": "google", "Alibaba": "alibaba"}


def modelpricewatch_intervals(log: ExclusionLog) -> pd.DataFrame:
    """ModelPriceWatch's own daily captures (from 2026-06-25), USD per 1M tokens.

    Keyed by the model's display name (its ids, e.g. ``google-gemini-2-5-flash``, drop the
    version dots) and seller. A price holds until the day before the capture that shows a
    new one, else until the key's last capture. Its ``litellm-archive`` backfill is rebuilt
    from LiteLLM's git history, which the ``litellm`` source already holds: left out.
    """
    df = bundled.load_table("changelog_modelpricewatch")
    backfill = df["source"].astype("string").fillna("").str.startswith("litellm")
    log.add("modelpricewatch", "backfill rebuilt from LiteLLM's history (already in the litellm source)",
            int(backfill.sum()))
    removed = df["event"].eq("removed")
    df = df[~backfill & ~removed]
    prov = df["provider"].astype(str)
    slug = prov.map(_MPW_PROVIDER).fillna(prov.str.lower().str.replace(r"[^a-z0-9]", "", regex=True))
    obs = _obs_frame(
        source="modelpricewatch", source_key=df["model"].astype(str), provider=slug, author=slug,
        model_name=df["model"].astype(str), observed_date=pd.to_datetime(df["date"], errors="coerce"),
        input_usd_per_mtok=_convert(_num(df["input_per_mtok"]), "usd_per_mtok"),
        output_usd_per_mtok=_convert(_num(df["output_per_mtok"]), "usd_per_mtok"),
        cache_read_usd_per_mtok=_num(df["cached_input_per_mtok"]), context_tokens=np.nan, reasoning_flag=False,
        listed_date=pd.NaT,
    ).dropna(subset=["observed_date"])
    obs = clean_observations(obs, log)
    iv = observations_to_intervals(obs, key=_KEY, carry=CARRY, hold=True)
    last = iv.groupby(_KEY)["valid_to"].transform("max")
    return iv.assign(observed_at=iv["valid_to"], date_basis="observed_first", date_precision="day",
                     valid_to_basis=np.where(iv["valid_to"] == last, "last_observation", "next_event"))


def first_party_source_intervals(log: ExclusionLog) -> pd.DataFrame:
    """The curated first-party list prices (list-price tier only) as ``first-party`` intervals."""
    iv = fpt.first_party_intervals(propagated_first_party_table())
    base = fpt.base_tier(iv["context_tier"])
    log.add("first-party", "long-context or off-peak tier (the list-price tier is kept)", int((~base).sum()))
    iv = iv[base]
    return filter_prices(_obs_frame(
        source="first-party", source_key=iv["api_model_id"].astype(str), provider=iv["provider"],
        author=iv["provider"], model_name=iv["api_model_id"].astype(str),
        input_usd_per_mtok=_convert(_num(iv["input_usd_per_mtok"]), "usd_per_mtok"),
        output_usd_per_mtok=_convert(_num(iv["output_usd_per_mtok"]), "usd_per_mtok"),
        cache_read_usd_per_mtok=_num(iv["cached_input_usd_per_mtok"]), context_tokens=np.nan,
        reasoning_flag=False, listed_date=pd.NaT, valid_from=iv["valid_from"], valid_to=iv["valid_to"], n_obs=1,
        observed_at=iv["valid_to"], developer_hint=iv["developer"].astype(str), event=iv["event"].astype(str),
        date_basis=iv["date_basis"], date_precision=iv["date_precision"].astype(str),
        valid_to_basis=iv["valid_to_basis"].astype(str), source_url=iv["source_url"].astype(str),
    ), log)


def bundled_intervals(log: ExclusionLog | None = None) -> pd.DataFrame:
    """Every dated price interval in the bundled snapshot (before identity resolution).

    Examples
    --------
    >>> iv = bundled_intervals()
    >>> sorted(iv["source"].unique())
    ['epoch', 'first-party', 'genai-prices', 'litellm', 'llm-prices', 'milestones', 'modelpricewatch', 'openrouter']
    >>> bool((iv["valid_to"] >= iv["valid_from"]).all()) and set(iv["date_basis"]) <= set(DATE_BASES)
    True
    """
    log = log if log is not None else ExclusionLog()
    parts = [first_party_source_intervals(log)]
    obs, snaps = openrouter_observations(bundled.load_table("openrouter_daily"), log)
    obs = clean_observations(obs, log)
    iv = observations_to_intervals(obs, key=_KEY, snapshots=snaps, carry=CARRY, hold=True)
    # OpenRouter's API is the provider's live price (temporary discounts are real): no dip filter
    parts.append(iv.assign(observed_at=iv["valid_to"], date_basis="observed_first", date_precision="day",
                           valid_to_basis=np.where(iv["valid_to"] == snaps.max(), "last_observation", "next_event")))
    parts.append(litellm_intervals(log))
    ep = filter_prices(epoch_api_observations(bundled.load_table("epoch_api_prices"), log), log)
    ep = ep.dropna(subset=["observed_date"])
    iv = observations_to_intervals(ep, key=_KEY, carry=CARRY)
    # a quote holds until the offer's next quote, else until Epoch's last quote (its vintage);
    # first-party shutdowns and the first-party check close it earlier
    iv = cl.hold_until_next(iv, key=_KEY, last_basis="source_vintage")
    parts.append(iv.assign(observed_at=iv["valid_to"], date_basis="archive", date_precision="day"))
    parts.append(filter_prices(milestone_intervals(bundled.load_table("price_milestones")), log))
    parts.append(llm_prices_changelog_intervals(log))
    parts.append(genai_changelog_intervals(log))
    parts.append(modelpricewatch_intervals(log))
    out = pd.concat([p for p in parts if len(p)], ignore_index=True)
    # A key can start two intervals on one date (e.g. a milestone model listed twice by one
    # provider); the store's primary key allows one, so keep the later row here as well.
    dup = out.duplicated(["source", "source_key", "provider", "valid_from"], keep="last")
    for src, n in dup.groupby(out["source"]).sum().items():
        log.add(str(src), "second interval for a key on the same start date", int(n))
    return coalesce_intervals(out[~dup].reset_index(drop=True))
