"""Property tests: malformed records reach the parsers; only documented errors escape."""

import json

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from llmflation.errors import LLMFlationError
from llmflation.normalize.catalogues import (
    clean_observations,
    litellm_observations,
    openrouter_observations,
)
from llmflation.normalize.identity import developer_of, model_family, normalize_key
from llmflation.normalize.intervals import observations_to_intervals
from llmflation.normalize.units import PRICE_LABELS, ExclusionLog, classify_prices, to_usd_per_mtok

junk = st.one_of(st.none(), st.text(max_size=8), st.floats(allow_nan=True, allow_infinity=True),
                 st.integers(-10, 10), st.just("varies"), st.just("-1"), st.just("abc"))
dates = st.one_of(st.dates().map(str), st.just("2999-12-31"), st.text(max_size=10), st.none())
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

OR_COLS = ["snapshot_date", "id", "name", "pricing_prompt_usd_per_token", "pricing_completion_usd_per_token",
           "pricing_input_cache_read", "context_length", "supports_reasoning_param", "created_unix"]


@SETTINGS
@given(st.lists(st.fixed_dictionaries({
    "snapshot_date": dates, "id": st.sampled_from(["a/x", "a/x", "b/y", ""]), "name": st.text(max_size=5),
    "pricing_prompt_usd_per_token": junk, "pricing_completion_usd_per_token": junk,
    "pricing_input_cache_read": junk, "context_length": junk, "supports_reasoning_param": junk,
    "created_unix": junk}), min_size=1, max_size=6), st.sets(st.sampled_from(OR_COLS), max_size=2))
def test_openrouter_parser_only_documented_errors(records, drop):
    df = pd.DataFrame(records).drop(columns=list(drop))
    log = ExclusionLog()
    try:
        obs, snaps = openrouter_observations(df, log)
        kept = clean_observations(obs, log)
    except LLMFlationError as exc:
        assert str(exc)  # says what was seen
        return
    assert (kept["input_usd_per_mtok"] > 0).all() and np.isfinite(kept["input_usd_per_mtok"]).all()
    assert not kept.duplicated(["source_key", "observed_date"]).any()
    assert (kept["observed_date"] <= pd.Timestamp.now()).all()


@SETTINGS
@given(st.lists(st.fixed_dictionaries({
    "snapshot_date": dates, "model_key": st.sampled_from(["gpt-4o", "azure/gpt-4o", "x"]),
    "litellm_provider": junk, "mode": st.just("chat"), "input_cost_per_token": junk,
    "output_cost_per_token": junk, "supports_reasoning": junk, "max_input_tokens": junk}), min_size=1, max_size=6))
def test_litellm_parser_only_documented_errors(records):
    try:
        obs, _ = litellm_observations(pd.DataFrame(records), ExclusionLog())
        clean_observations(obs, ExclusionLog())
    except LLMFlationError:
        return


@SETTINGS
@given(st.binary(max_size=64))
def test_non_utf8_bytes_in_keys(b):
    s = b.decode("utf-8", errors="surrogateescape")
    assert isinstance(normalize_key(s), str)
    assert isinstance(model_family(normalize_key(s)), str)
    developer_of(s)


@SETTINGS
@given(st.lists(st.floats(allow_nan=True, allow_infinity=True), min_size=1, max_size=8))
def test_unit_conversion_is_guarded(values):
    out = to_usd_per_mtok(values, "usd_per_token", strict=False)
    ok = out.dropna()
    assert ((ok <= 0) | ((ok >= 1e-4) & (ok <= 1e4))).all()
    lab = classify_prices(pd.Series(values), pd.Series(values))
    assert set(lab) <= set(PRICE_LABELS)


@SETTINGS
@given(st.lists(st.tuples(st.integers(0, 9), st.sampled_from([1.0, 2.0, 3.0])), min_size=1, max_size=30, unique_by=lambda t: t[0]))
def test_intervals_cover_observations(obs):
    days = pd.date_range("2024-01-01", periods=10)
    df = pd.DataFrame({"k": "m", "observed_date": [days[d] for d, _ in obs],
                       "input_usd_per_mtok": [p for _, p in obs], "output_usd_per_mtok": 1.0})
    iv = observations_to_intervals(df, key=["k"], snapshots=pd.Series(days))
    assert iv["n_obs"].sum() == len(df)
    for d, p in obs:
        hit = iv[(iv.valid_from <= days[d]) & (iv.valid_to >= days[d])]
        assert len(hit) == 1 and hit["input_usd_per_mtok"].iloc[0] == p


def test_json_roundtrip_of_manifest():
    from llmflation.sources.bundled import manifest

    assert json.loads(json.dumps(manifest()))["snapshot_id"]
