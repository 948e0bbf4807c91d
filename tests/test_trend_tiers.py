"""Tier definitions, and why price bands are not the default."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import llmflation as lf
from llmflation.errors import InputError
from llmflation.panel.tiers import DEFAULT_TIERS, TIER_DEFINITIONS, assign_tiers, positioning_tier
from llmflation.study.trends import to_years


def test_three_definitions_and_default() -> None:
    assert set(TIER_DEFINITIONS) == {"positioning", "price_band", "capability"}
    assert DEFAULT_TIERS == "positioning"


@pytest.mark.parametrize(("name", "tier"), [
    ("Claude 3 Haiku", "economy"), ("Claude 3.5 Sonnet", "mid"), ("Claude Opus 4", "flagship"),
    ("Gemini 2.0 Flash-Lite", "economy"), ("Gemini 2.5 Flash", "mid"), ("Gemini 2.5 Pro", "flagship"),
    ("GPT-4.1 nano", "economy"), ("GPT-4.1 mini", "mid"), ("GPT-4.1", "flagship"), ("GPT-4o mini", "economy"),
    ("o3-mini", "mid"), ("o3", "flagship"), ("Mistral Small", "economy"), ("Mistral Medium 3", "mid"),
    ("Mistral Large 2", "flagship"), ("Llama 3.1 8B Instruct", "economy"), ("Llama 3.1 70B", "mid"),
    ("Llama 3.1 405B", "flagship"), ("Qwen3-235B-A22B", "flagship"), ("Mixtral 8x7B", "mid"),
    ("GPT-4 Turbo", "flagship"), ("gpt-3.5-turbo", "mid"), ("DeepSeek-V3", "flagship"), ("Grok 3 mini", "economy"),
])
def test_positioning_rules(name: str, tier: str) -> None:
    assert positioning_tier(name) == tier


def test_positioning_agrees_with_curated_milestone_hints() -> None:
    from llmflation.sources.bundled import load_table

    m = load_table("price_milestones")
    rx = m["model"].map(positioning_tier)
    agree = (rx == m["tier_hint"]).mean()
    assert agree > 0.95   # 124 of 128 rows
    # the hint column wins where present
    p = m.rename(columns={"model": "model_id", "date": "valid_from"})
    assert (assign_tiers(p, "positioning") == m["tier_hint"]).all()


def test_tier_is_fixed_at_launch() -> None:
    p = pd.DataFrame({"model_id": ["x", "x"], "valid_from": pd.to_datetime(["2023-01-01", "2025-01-01"]),
                      "blended_usd_per_mtok": [30.0, 0.5]})
    assert assign_tiers(p, "price_band").tolist() == ["flagship", "flagship"]
    assert assign_tiers(p, "price_band", band_edges=(40, 100)).tolist() == ["economy", "economy"]
    with pytest.raises(InputError, match="band_edges"):
        assign_tiers(p, "price_band", band_edges=(10, 1))


def test_capability_terciles_within_year() -> None:
    p = pd.DataFrame({"model_id": list("abcdefg"),
                      "valid_from": pd.to_datetime(["2024-02-01"] * 3 + ["2025-02-01"] * 3 + ["2025-03-01"]),
                      "eci": [100, 110, 120, 130, 140, 150, np.nan]})
    t = assign_tiers(p, "capability")
    assert t.tolist()[:6] == ["economy", "mid", "flagship"] * 2
    assert pd.isna(t.iloc[6])
    with pytest.raises(InputError, match="capability score"):
        assign_tiers(p.drop(columns="eci"), "capability")


def test_price_bands_truncate_the_outcome_and_flatten_the_trend() -> None:
    """Why positioning is the default: fixed price bands select on the dependent variable.

    Three product lines whose prices all halve every year; tiers by line recover the
    one-year half-life, tiers by launch-price band do not.
    """
    rng = np.random.default_rng(42)
    rows = []
    for line, p0 in (("Haiku", 0.8), ("Sonnet", 6.0), ("Opus", 45.0)):
        for i in range(60):
            d = pd.Timestamp("2021-06-01") + pd.Timedelta(days=int(rng.integers(0, 5 * 365)))
            t = float(to_years([d])[0] - 2021.4)
            rows.append({"model_id": f"{line}-{i}", "model_name": f"Claude {line} {i}", "valid_from": d,
                         "blended_usd_per_mtok": p0 * 2.0 ** (-t) * float(np.exp(rng.normal(0, 0.3)))})
    panel = pd.DataFrame(rows)
    pos = lf.price_trend(panel, tiers="positioning", n_boot=0)
    band = lf.price_trend(panel, tiers="price_band", n_boot=0)
    assert np.allclose(pos.half_life_years_by_group.to_numpy(), 1.0, rtol=0.1)
    # inside a fixed band prices cannot fall far: the slopes are attenuated towards zero,
    # most where the band is bounded on both sides
    rates = np.log(band.factor_per_year_by_group)
    assert rates.mean() < 0.6 * np.log(2)
    assert band.half_life_years_by_group["mid"] > 3
    assert band.r_squared_by_group["mid"] < 0.2 < pos.r_squared_by_group.min()
