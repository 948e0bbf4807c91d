import warnings

import numpy as np
import pandas as pd
import pytest

from llmflation.errors import ParseError, UnitError
from llmflation.normalize import identity as ident
from llmflation.normalize.catalogues import NON_TEXT, litellm_observations, openrouter_observations
from llmflation.normalize.intervals import observations_to_intervals
from llmflation.normalize.units import ExclusionLog, to_usd_per_mtok
from llmflation.panel.build import PANEL_COLUMNS, load_panel
from llmflation.panel.coverage import coverage


def test_columns_and_types(panel):
    assert list(panel.columns) == PANEL_COLUMNS
    for c in ("valid_from", "valid_to", "observed_at", "release_date"):
        assert pd.api.types.is_datetime64_any_dtype(panel[c]), c
    assert (panel["valid_from"] <= panel["valid_to"]).all()
    assert (panel["input_usd_per_mtok"] > 0).all() and (panel["output_usd_per_mtok"] > 0).all()
    blended = (3 * panel["input_usd_per_mtok"] + panel["output_usd_per_mtok"]) / 4
    np.testing.assert_allclose(panel["blended_usd_per_mtok"], blended)
    assert set(panel["country"].dropna()) <= {"US", "CN", "EU", "other"}
    assert panel["source"].notna().all() and panel["observed_at"].notna().all()


def test_coverage_thresholds(panel):
    cov = coverage(panel).set_index("measure")["share"]
    assert cov["price rows with developer and country"] >= 0.95
    # counted per canonical model since issue 18 (per id it was 0.60: linked aliases of one model
    # counted several times); 405 of 719 canonical models in Epoch's scope are linked
    assert cov["priced models in Epoch's scope linked to their Epoch record"] >= 0.55


def test_exclusions_warn_with_counts():
    with pytest.warns(UserWarning, match=r"openrouter: \d+ free \(\$0\) price"):
        load_panel()


@pytest.mark.parametrize("key,source,expect", [
    ("openai/gpt-4o-2024-08-06", "openrouter", ("gpt-4o-2024-08-06", "OpenAI", "GPT-4o")),
    ("gpt-4o-2024-08-06", "litellm", ("gpt-4o-2024-08-06", "OpenAI", "GPT-4o")),
    ("GPT-4o", "epoch", ("gpt-4o", "OpenAI", "GPT-4o")),
    ("anthropic/claude-3.5-sonnet", "openrouter", ("claude-3-5-sonnet", "Anthropic", "Claude 3.5 Sonnet")),
    ("deepseek/deepseek-chat", "openrouter", ("deepseek-chat", "DeepSeek", None)),
])
def test_identity_resolution(key, source, expect):
    from llmflation.normalize.identity import resolve_keys

    r = resolve_keys(pd.DataFrame({"source": [source], "source_key": [key], "author": [key.split("/")[0] if "/" in key else None]}))
    assert tuple(r.loc[0, ["model_id", "developer", "epoch_model"]]) == expect


def test_alias_table_is_committed_and_current(panel):
    from llmflation.normalize.aliases import alias_table

    t = alias_table()
    assert len(t) > 1000
    assert set(panel["source_key"]) <= set(t["source_key"]) | set(panel.loc[panel.source == "milestones", "source_key"])


def test_model_facts_present(panel):
    m = panel.drop_duplicates("model_id").set_index("model_id")
    assert m.at["gpt-4o-2024-08-06", "country"] == "US"
    assert m.at["deepseek-chat", "country"] == "CN"
    assert bool(m.at["o3-mini", "is_reasoning"]) and not bool(m.at["gpt-4o-2024-08-06", "is_reasoning"])
    assert m.at["gpt-4o-2024-08-06", "release_date"] == pd.Timestamp("2024-08-06")
    assert m["open_weights"].notna().mean() > 0.5


def test_gpt4o_price_cut_is_dated(panel):
    # the alias's rows are the snapshot it served on their dates (repoint 2024-10-02)
    h = panel[(panel.source_key == "gpt-4o") & (panel.provider == "openai") & (panel.source == "litellm")]
    h = h.sort_values("valid_from")
    assert list(h["input_usd_per_mtok"]) == [5.0, 2.5]
    assert list(h["model_id"]) == ["gpt-4o-2024-05-13", "gpt-4o-2024-08-06"]
    assert h["valid_to"].iloc[0] < h["valid_from"].iloc[1]
    # LiteLLM kept $5 until 2024-11-13; OpenAI repointed the alias to the $2.50 snapshot on
    # 2024-10-02, so the stale copy ends the day before (first-party truth wins, issue 12)
    assert h["valid_to"].iloc[0] == pd.Timestamp("2024-10-01")


def test_openrouter_cross_section_2026_03_28(panel):
    from llmflation.sources.bundled import load_table

    o = load_table("openrouter_daily")
    day = o[o.snapshot_date == "2026-03-28"]
    assert len(day) == 347
    priced = day[(day.pricing_prompt_usd_per_token > 0) & (day.pricing_completion_usd_per_token > 0)]
    assert len(priced) == 318  # the paper's count
    d = pd.Timestamp("2026-03-28")
    live = panel[(panel.source == "openrouter") & (panel.valid_from <= d) & (panel.valid_to >= d)]
    # the paper's 318 include 12 non-text models (image, audio, search), which the panel drops (issue 12)
    non_text = priced["id"].str.lower().str.contains(NON_TEXT, regex=True)
    assert int(non_text.sum()) == 12
    assert live["source_key"].nunique() == 318 - 12
    assert set(live["source_key"]) == set(priced.loc[~non_text, "id"])


def test_interval_closes_when_model_disappears():
    snaps = pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03"])
    obs = pd.DataFrame({"k": ["a", "a"], "observed_date": snaps[[0, 2]],
                        "input_usd_per_mtok": [1.0, 1.0], "output_usd_per_mtok": [2.0, 2.0]})
    iv = observations_to_intervals(obs, key=["k"], snapshots=pd.Series(snaps))
    assert len(iv) == 2 and list(iv["valid_to"]) == list(snaps[[0, 2]])


def test_unit_guard():
    assert to_usd_per_mtok([3e-6], "usd_per_token").iloc[0] == pytest.approx(3.0)
    with pytest.raises(UnitError, match="mislabelled"):
        to_usd_per_mtok([3.0], "usd_per_token")
    with pytest.raises(UnitError, match="mislabelled"):
        to_usd_per_mtok([3e-6], "usd_per_mtok")


def test_parser_missing_column_is_parse_error():
    with pytest.raises(ParseError, match="missing column"):
        openrouter_observations(pd.DataFrame({"id": ["x"]}), ExclusionLog())


def test_parser_bad_date_names_record():
    df = pd.DataFrame({"snapshot_date": ["2024-01-01", "yesterday"], "model_key": ["a", "b"],
                       "litellm_provider": ["openai"] * 2, "mode": ["chat"] * 2,
                       "input_cost_per_token": [1e-6, 1e-6], "output_cost_per_token": [2e-6, 2e-6],
                       "supports_reasoning": [None, None], "max_input_tokens": [1, 1]})
    with pytest.raises(ParseError, match="record 1 has snapshot_date='yesterday'"):
        litellm_observations(df, ExclusionLog())


@pytest.mark.parametrize("raw", ["gpt-4o", "us.anthropic.claude-3-haiku-20240307-v1:0", "", "////", "é:free"])
def test_normalize_never_fails(raw):
    assert isinstance(ident.normalize_key(raw), str)


def test_load_panel_does_not_warn_when_asked():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load_panel(warn=False)
