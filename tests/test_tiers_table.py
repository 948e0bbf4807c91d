"""Positioning tiers reviewed against every model name of the eight largest developers."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from llmflation.panel.tiers import assign_tiers, positioning_tier

REF = Path(__file__).parent / "reference" / "tiers" / "data.csv"
TABLE = pd.read_csv(REF, dtype=str, keep_default_na=False)


def test_every_name_gets_its_reviewed_tier():
    bad = [(dev, name, exp, positioning_tier(name) or "")
           for dev, name, exp in TABLE[["developer", "model_name", "expected_tier"]].itertuples(index=False)
           if (positioning_tier(name) or "") != exp]
    assert not bad, f"{len(bad)} names changed tier (developer, name, expected, got): {bad[:40]}"


def test_table_covers_every_name_of_the_eight_largest_developers(panel):
    top = panel.drop_duplicates("model_id")["developer"].value_counts().head(8).index
    assert set(top) == set(TABLE["developer"])
    names = set(panel.loc[panel["developer"].isin(top), "model_name"].dropna())
    missing = sorted(names - set(TABLE["model_name"]))
    assert len(missing) <= 0.02 * len(names), f"names to review and add to {REF}: {missing[:40]}"


@pytest.mark.parametrize("name, tier", [
    ("Anthropic: Claude Opus 4.6 (Fast)", "flagship"),   # flagship line name beats the speed label
    ("claude-opus-4-6-fast", "flagship"),
    ("Gemini 1.5 Flash-8B", "economy"),
    ("gemini-2.0-flash-lite", "economy"),
    ("Gemini 2.5 Flash", "mid"),
    ("gemini-2.5-pro", "flagship"),
    ("grok-4-fast", "economy"),
    ("Claude Instant", "economy"),
    ("llama-3-3-70b-instruct-fp8-fast", "mid"),
    ("azure/gpt-35-turbo", "mid"),
    ("gpt 4o mini", "economy"),
])
def test_rule_order(name, tier):
    assert positioning_tier(name) == tier


def test_opus_fast_is_flagship_in_assign_tiers():
    p = pd.DataFrame({"model_id": ["a", "b"], "model_name": ["Claude Opus 4.6 (fast)", "Claude Haiku 4.5"],
                      "valid_from": pd.to_datetime(["2026-02-05", "2025-10-15"])})
    assert assign_tiers(p).tolist() == ["flagship", "economy"]
