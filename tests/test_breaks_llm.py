"""LLM price breaks: series construction (known truth) and the paper's Chow set-up."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from llmflation.errors import InputError
from llmflation.study.breaks import (
    PAPER_CHOW,
    LLMBreaksResult,
    chain_index,
    epoch_threshold_index,
    llm_price_breaks,
    milestone_series,
    monthly_cheapest,
    panel_capability_index,
    tier_series,
)
from llmflation.study.inputs import StudyInputs
from tolerances import EXACT_ATOL

DATA = StudyInputs()


def test_monthly_cheapest_carries_forward_and_takes_minimum() -> None:
    obs = pd.DataFrame({
        "group": ["g", "g", "g", "h"],
        "model": ["a", "b", "a", "c"],
        "date": ["2024-01-15", "2024-03-02", "2024-04-20", "2024-02-01"],
        "price": [8.0, 4.0, 2.0, 1.0],
    })
    w = np.exp(monthly_cheapest(obs))
    assert w.index.astype(str).tolist() == ["2024-01", "2024-02", "2024-03", "2024-04"]
    assert w["g"].tolist() == pytest.approx([8.0, 8.0, 4.0, 2.0])
    assert np.isnan(w["h"].iloc[0]) and w["h"].iloc[1:].tolist() == pytest.approx([1.0, 1.0, 1.0])


def test_chain_index_averages_overlapping_changes() -> None:
    w = pd.DataFrame({"a": [0.0, -0.2, -0.2, -0.6], "b": [np.nan, 1.0, 0.8, 0.8]},
                     index=pd.period_range("2023-01", periods=4, freq="M"))
    idx = chain_index(w)
    assert idx.tolist() == pytest.approx([0.0, -0.2, -0.3, -0.5])
    assert idx.attrs["n_series"] == 2


def test_milestone_series_matches_filters() -> None:
    s = milestone_series(DATA.milestones())
    assert len(s) == 91 and s.index.is_monotonic_increasing
    assert s.index.max() <= pd.Timestamp("2026-03-28")
    launches = milestone_series(DATA.milestones(), events=("launch",))
    # one row per model and date at its standard tariff (issue 18): the off-peak and
    # promotional labels and the second label of one launch are not milestones of their own
    assert len(launches) == 74
    assert len(milestone_series(DATA.milestones(), developers=None, end=None)) == 122
    gpt4o = s.index.get_loc(pd.Timestamp("2024-05-13"))
    assert s.iloc[gpt4o] == pytest.approx(np.log(0.75 * 5 + 0.25 * 15))
    with pytest.raises(InputError, match="lacks columns"):
        milestone_series(pd.DataFrame({"date": []}))


def test_epoch_index_is_a_non_increasing_cheapest_price() -> None:
    idx, wide = epoch_threshold_index(DATA.epoch_lowest())
    assert wide.shape[1] == 21 and str(idx.index[0]) == "2021-11"
    assert (idx.diff().dropna() <= EXACT_ATOL).all()
    assert idx.iloc[-1] < -3  # more than a 20-fold fall at fixed capability


def test_panel_series_on_a_small_panel() -> None:
    p = pd.DataFrame({
        "model_id": ["a", "b", "c", "a"],
        "valid_from": ["2024-01-03", "2024-02-10", "2024-04-01", "2024-05-01"],
        "release_date": ["2024-01-01", "2024-03-01", "2024-04-01", "2024-01-01"],
        "input_usd_per_mtok": [10.0, 5.0, 1.0, 4.0],
        "output_usd_per_mtok": [10.0, 5.0, 1.0, 4.0],
        "eci": [120.0, 130.0, 110.0, 120.0],
        "tier": ["flagship", "flagship", "economy", "flagship"],
    })
    idx, wide = panel_capability_index(p, thresholds={"lo": 115.0, "hi": 125.0})
    lo = np.exp(wide["ECI >= lo (115.0)"]).tolist()
    # b's price observed before its release is dated at the release (March)
    assert lo == pytest.approx([10.0, 10.0, 5.0, 5.0, 4.0])
    assert np.exp(wide["ECI >= hi (125.0)"]).dropna().tolist() == pytest.approx([5.0, 5.0, 5.0])
    t = np.exp(tier_series(p, start="2024-01"))
    assert t["economy"].dropna().tolist() == pytest.approx([1.0, 1.0])
    with pytest.raises(InputError, match="no 'eci' column"):
        panel_capability_index(p.drop(columns="eci"))


@pytest.fixture(scope="module")
def result() -> LLMBreaksResult:
    return llm_price_breaks(**DATA.breaks(use_panel=False), use_panel=False)


def test_paper_set_up_on_milestones(result: LLMBreaksResult) -> None:
    s = milestone_series(DATA.milestones())
    c = result.milestone_chow
    assert c.df == (2, len(s) - 4) and c.extra["break_at"] == pd.Timestamp("2024-05-13")
    # independent recomputation with statsmodels: log price on [1, t] with full interaction
    t = (s.index - pd.Timestamp("2020-01-01")).days.to_numpy() / 365.25
    X = np.column_stack([np.ones(len(s)), t])
    d = (np.arange(len(s)) >= c.extra["break_position"]).astype(float)
    fit = sm.OLS(s.to_numpy(), np.column_stack([X, X * d[:, None]])).fit()
    f = fit.f_test(np.hstack([np.zeros((2, 2)), np.eye(2)]))
    assert c.statistic == pytest.approx(float(np.squeeze(f.fvalue)), rel=1e-8)
    assert result.paper_value == PAPER_CHOW
    row = result.table.iloc[0]
    assert row["paper_value"].startswith("F=5.74") and row["statistic"] == pytest.approx(c.statistic)


def test_unknown_date_tests_and_verdict(result: LLMBreaksResult) -> None:
    tests = set(result.table["test"])
    assert {"chow (ols)", "chow (hac)", "sup-F (ols)", "sup-F (hac)"} <= tests
    assert any(t.startswith("bai-perron") for t in tests)
    models = set(result.table["model"])
    assert "log price ~ trend (continuous slope change)" in models
    assert "monthly log change: mean shift" in models  # the slope-break sensitivity on the index
    assert "Epoch cheapest-at-threshold index" in set(result.table["series"])
    assert result.verdict[0].startswith("Milestones (n=91)") and "paper reports F = 5.74" in result.verdict[0]
    assert "What the data say" in result.summary() and "<table>" in result._repr_html_()
    assert "LLMBreaksResult(milestone Chow F=" in repr(result)


@pytest.mark.slow
def test_with_the_bundled_panel() -> None:
    r = llm_price_breaks(**DATA.breaks())
    series = set(r.table["series"])
    assert "panel ECI-threshold index" in series
    assert {"panel tier economy: cheapest", "panel tier flagship: cheapest"} <= series
