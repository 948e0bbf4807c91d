"""Identity over time: stable ids, no merged versions, moving aliases by date, developer ≠ host."""

from __future__ import annotations

import pandas as pd
import pytest

from llmflation.normalize.aliases import alias_intervals
from llmflation.normalize.identity import developer_of, id_date_suffix, model_family, normalize_key


@pytest.mark.parametrize("key, mid", [
    ("deepseek/deepseek-v3", "deepseek-v3"), ("deepinfra/deepseek-ai/DeepSeek-V3", "deepseek-v3"),
    ("deepseek.v3-v1:0", "deepseek-v3"), ("bedrock/us-east-1/deepseek.v3.2", "deepseek-v3-2"),
    ("deepseek-v3.1", "deepseek-v3-1"), ("deepseek-ai/DeepSeek-V2", "deepseek-v2"),
    ("deepseek-prover-v2", "deepseek-prover-v2"), ("us.anthropic.claude-3-5-sonnet-20240620-v1:0",
                                                   "claude-3-5-sonnet-20240620"),
    ("databricks/databricks-gpt-5", "gpt-5"),
])
def test_normalisation_keeps_versions(key, mid):
    assert normalize_key(key) == mid


def test_versions_are_different_models():
    ids = {normalize_key(k) for k in ("deepseek-v2", "deepseek-v3", "deepseek-v3.1", "deepseek-v3.2")}
    assert len(ids) == 4
    assert model_family("deepseek-v3-1") != model_family("deepseek-v3")


@pytest.mark.parametrize("key, dev", [
    ("fireworks_ai/accounts/fireworks/models/starcoder-16b", None),   # hosted by Fireworks, not by it
    ("fireworks_ai/accounts/fireworks/models/firefunction-v2", "Fireworks AI"),
    ("databricks/databricks-gpt-5", "OpenAI"), ("writer/palmyra-x5", "Writer"),
    ("perplexity/llama-3.1-sonar-large-128k-online", "Perplexity"),
    ("nvidia/llama-3.1-nemotron-ultra-253b-v1", "NVIDIA"), ("zai-org/AutoGLM-Phone-9B-Multilingual", "Zhipu AI"),
])
def test_developer_is_not_the_host(key, dev):
    assert developer_of(key) == dev


def test_alias_table_is_date_ranged():
    a = alias_intervals()
    ds = a[a["alias"] == "deepseek-chat"]
    assert ds["valid_from"].is_monotonic_increasing
    assert (ds["valid_from"].iloc[1:].to_numpy() > ds["valid_to"].iloc[:-1].to_numpy()).all()
    g = a[(a["alias"] == "gpt-4o") & (a["target"] == "gpt-4o-2024-08-06")]
    assert g["valid_from"].iloc[0] == pd.Timestamp("2024-10-02")
    assert set(a[a["alias"] == "gpt-3.5-turbo"]["target"]) == {"gpt-3.5-turbo-0301", "gpt-3.5-turbo-0613",
                                                               "gpt-3.5-turbo-0125"}
    assert a["source_url"].str.startswith("http").all()


def test_panel_resolves_aliases_by_date(panel):
    assert "deepseek" not in set(panel["model_id"])
    v3 = panel[panel["model_id"] == "deepseek-v3"]
    assert set(v3["epoch_model"].dropna()) == {"DeepSeek-V3"}
    # first-party deepseek-chat rows became the model it served on their dates
    fp = panel[panel["first_party"].astype(bool) & panel["source_key"].astype(str).str.endswith("deepseek-chat")]
    served = fp.groupby("model_id")["valid_from"].min()
    assert {"deepseek-v3", "deepseek-v3-1", "deepseek-v3-2"} <= set(served.index)
    assert served["deepseek-v3"] >= pd.Timestamp("2024-12-26")
    assert served["deepseek-v3-2"] >= pd.Timestamp("2025-12-01")
    # one id carries one model: the alias's V3 pieces never run into V3.1's time
    assert fp.loc[fp["model_id"] == "deepseek-v3", "valid_to"].max() < pd.Timestamp("2025-08-21")
    assert fp.loc[fp["model_id"] == "deepseek-v3-1", "valid_from"].min() >= pd.Timestamp("2025-08-21")


def test_snapshot_and_aliases_share_family_and_launch(panel):
    ids = set(panel.loc[panel["model_family"] == "claude-3-5-haiku", "model_id"])
    assert ids == {"claude-3-5-haiku-20241022"}
    g = panel[panel["model_id"] == "claude-3-5-haiku-20241022"]
    assert g["release_date"].nunique() == 1 and bool(g["release_date_trusted"].all())


def test_release_dates_flagged(panel):
    m = panel.drop_duplicates("model_id")
    assert m["release_date_trusted"].dtype == bool
    untrusted = set(m.loc[~m["release_date_trusted"], "release_date_source"])
    assert untrusted <= {"openrouter_listing", "first_price_seen"}
    assert m.loc[m["model_id"] == "gpt-4o-2024-08-06", "release_date_source"].iloc[0] == "vendor_launch"
    assert id_date_suffix("claude-3-5-sonnet-20241022") == "2024-10-22"


def test_untrusted_launches_left_out_of_trend(panel):
    import llmflation as lf

    r = lf.price_trend(panel, by="tier", n_boot=0)
    assert any("no independent release date" in n for n in r.notes)
