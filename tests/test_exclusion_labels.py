"""Each excluded price row is counted once, under the reason that describes it."""

from __future__ import annotations

import numpy as np
import pandas as pd

from llmflation.normalize.catalogues import (
    PRICE_REASONS,
    clean_observations,
    openrouter_observations,
)
from llmflation.normalize.units import ExclusionLog, classify_prices, to_usd_per_mtok

#: one raw OpenRouter row per reason (USD per token), plus one valid row
RAW = {
    "ok": (1e-6, 2e-6),
    "free": (0.0, 0.0),
    "sentinel": (-1.0, -1.0),           # OpenRouter's "price varies" mark
    "negative": (-0.5, 1e-6),           # negative, but not the sentinel
    "missing": ("varies", 1e-6),        # text is no price
    "implausible": (2.5, 2.5),          # $2.5M per 1M tokens: per-1M written as per-token
    "partly_free": (0.0, 1e-6),
}


def _openrouter_frame() -> pd.DataFrame:
    return pd.DataFrame({
        "snapshot_date": "2024-06-01", "id": [f"acme/{k}" for k in RAW], "name": list(RAW),
        "pricing_prompt_usd_per_token": [v[0] for v in RAW.values()],
        "pricing_completion_usd_per_token": [v[1] for v in RAW.values()],
        "pricing_input_cache_read": np.nan, "context_length": 8192, "supports_reasoning_param": "false",
        "created_unix": 1.7e9,
    })


def test_each_reason_counted_once_with_its_label():
    log = ExclusionLog()
    obs, _ = openrouter_observations(_openrouter_frame(), log)
    kept = clean_observations(obs, log, today=pd.Timestamp("2025-01-01"))
    assert kept["source_key"].tolist() == ["acme/ok"]
    counts = {reason: n for (src, reason), n in log.counts.items() if src == "openrouter"}
    expected = {PRICE_REASONS[k]: 1 for k in RAW if k != "ok"}
    assert counts == expected


def test_labels_read_as_what_they_are():
    assert PRICE_REASONS["implausible"] == "outside the plausible range (unit slip)"
    assert "-1" in PRICE_REASONS["sentinel"] and "negative" not in PRICE_REASONS["sentinel"]
    assert PRICE_REASONS["negative"].startswith("negative price")
    assert not any("varies" in r and "negative" in r for r in PRICE_REASONS.values())


def test_sentinel_only_when_exactly_minus_one():
    inp = pd.Series([-1.0, -0.5, -1.0, -2.0])
    out = pd.Series([-1.0, 1.0, 2.0, -1.0])
    assert classify_prices(inp, out).tolist() == ["sentinel", "negative", "sentinel", "negative"]


def test_unit_slip_is_not_missing():
    lab = classify_prices(pd.Series([5e6, np.nan, 5e6]), pd.Series([1.0, 1.0, np.nan]))
    assert lab.tolist() == ["implausible", "missing", "implausible"]
    # the guard's NaN (default) and the kept value (for counting) come from the same check
    assert to_usd_per_mtok([2.5], "usd_per_token", strict=False).isna().all()
    assert to_usd_per_mtok([2.5], "usd_per_token", strict=False, keep_implausible=True).tolist() == [2.5e6]


def test_catalogue_rows_slipped_in_usd_per_mtok_are_unit_slips():
    log = ExclusionLog()
    obs = pd.DataFrame({"source": "llm-prices", "source_key": ["m1", "m2", "m3"], "provider": "p",
                        "observed_date": pd.Timestamp("2024-01-01"),
                        "input_usd_per_mtok": [1.0, 5e4, np.nan], "output_usd_per_mtok": [2.0, 6e4, 2.0]})
    kept = clean_observations(obs, log)
    assert kept["source_key"].tolist() == ["m1"]
    assert log.counts == {("llm-prices", PRICE_REASONS["implausible"]): 1,
                          ("llm-prices", PRICE_REASONS["missing"]): 1}
