"""Breaks tell the story: direction of the slope change, controls, unknown date, date scan;
HAC tests on step series are not computed; tiny p-values are bounds."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from llmflation.methods.breaks import chow_test, step_series_reason, sup_f_test
from llmflation.methods.pvalues import P_FLOOR, clip_p_value, p_value_display
from llmflation.study.breaks import break_story
from tolerances import EXACT_RTOL


def _milestones(noise: float = 0.0, seed: int = 0) -> pd.DataFrame:
    """Log price falls 1.5/yr until 2024-05-31, then 0.3/yr (a slowdown), continuous at the break."""
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2022-01-15", "2026-03-15", freq="20D")
    t = (dates - pd.Timestamp("2024-05-31")).days.to_numpy() / 365.25
    lp = 2.0 + np.where(t <= 0, -1.5 * t, -0.3 * t) + noise * rng.normal(size=len(t))
    p = np.exp(lp)
    n = len(dates)
    return pd.DataFrame({"date": dates, "model": [f"m{i}" for i in range(n)],
                         "developer": ["OpenAI", "Google"] * (n // 2) + ["OpenAI"] * (n % 2),
                         "input_usd_per_mtok": p, "output_usd_per_mtok": p, "event": "launch",
                         "is_reasoning": [False] * n, "tier_hint": ["mid"] * n})


def test_slopes_before_after_recovered_exactly_and_direction_is_slowdown():
    r = break_story(_milestones(), developers=None, end=None)
    e = r.to_frame()
    pooled = e[e["spec"] == "pooled, model-clustered errors"].set_index("term")
    assert pooled.loc["slope_per_year_before", "estimate"] == pytest.approx(-1.5, rel=1e-8)
    assert pooled.loc["slope_per_year_after", "estimate"] == pytest.approx(-0.3, rel=1e-8)
    assert r.direction == "slowdown"
    assert {"conf_low", "conf_high", "p_value", "p_value_display"} <= set(e.columns)
    assert (e["p_value"].dropna() >= P_FLOOR).all()
    assert "sup-F (unknown date, OLS)" in set(e["spec"])
    assert {"break_at", "statistic", "p_value", "reject_5pct"} <= set(r.candidates.columns)


def test_noisy_break_story_has_controls_and_scan():
    r = break_story(_milestones(noise=0.3, seed=3), developers=None, end=None)
    specs = set(r.to_frame()["spec"])
    assert any("developer controls" in s for s in specs)
    assert len(r.candidates) > 20
    assert isinstance(r.rejecting_dates, list)


def test_hac_on_a_step_series_is_not_computed():
    steps = pd.Series(np.repeat([3.0, 2.5, 2.5, 1.0, 0.2], 8), index=pd.period_range("2022-01", periods=40, freq="M"))
    assert step_series_reason(steps) is not None
    t = chow_test(steps, "trend", break_at=steps.index[20], cov="hac")
    assert not t.computed and "step series" in t.reason
    s = sup_f_test(steps, "trend", cov="hac")
    assert not s.computed and math.isnan(s.statistic)
    assert all(not h.computed for h in s.tests().values())
    # the OLS version is still computed, and the changes of the series are not a step series
    assert chow_test(steps, "trend", break_at=steps.index[20]).computed
    assert step_series_reason(steps.diff().dropna()) is None


def test_tiny_p_values_are_bounds():
    assert p_value_display(1.9e-287) == "< 1e-16"
    assert clip_p_value(1.9e-287) == P_FLOOR
    assert p_value_display(0.11) == "0.11"
    assert clip_p_value(0.2) == pytest.approx(0.2, rel=EXACT_RTOL)


def test_bundled_milestones_story():
    from llmflation.study.inputs import StudyInputs

    r = break_story(StudyInputs().milestones())
    e = r.to_frame().set_index(["spec", "term"])
    before = e.loc[("pooled, model-clustered errors", "slope_per_year_before"), "estimate"]
    after = e.loc[("pooled, model-clustered errors", "slope_per_year_after"), "estimate"]
    assert after > before  # the decline slowed after May 2024
    assert r.direction in ("slowdown", "reversal")
