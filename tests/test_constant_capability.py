"""Constant-capability decline on the whole qualifying pool (issue 19, point 3) and the estimability rule
applied to the headlines (point 4): synthetic truth, and the issue's named cases on the bundled data."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import llmflation as lf
from llmflation.methods.estimability import ESTIMATED, NOT_ESTIMABLE
from llmflation.study.decline import constant_capability_decline, total_decline
from llmflation.study.inputs import StudyInputs

DATA = StudyInputs()
TRUE_FACTOR = 4.0


def _pool(seed: int, n_models: int = 40, factor: float = TRUE_FACTOR) -> pd.DataFrame:
    """Models launched over three years at a price falling ``factor``× a year; 40% later cut their price."""
    rng = np.random.default_rng(seed)
    rows = []
    t0 = pd.Timestamp("2023-01-01")
    for m in range(n_models):
        day = float(rng.uniform(0, 3 * 365.25))
        level = rng.normal(0, 0.8)
        price = math.exp(3 - math.log(factor) * day / 365.25 + level)
        rows.append({"model_id": f"m{m}", "valid_from": t0 + pd.Timedelta(days=round(day)),
                     "blended_usd_per_mtok": price, "eci": 130.0 + rng.uniform(0, 10)})
        if rng.random() < 0.4:
            later = min(3 * 365.25, day + float(rng.uniform(60, 300)))
            rows.append({"model_id": f"m{m}", "valid_from": t0 + pd.Timedelta(days=round(later)),
                         "blended_usd_per_mtok": math.exp(3 - math.log(factor) * later / 365.25 + level),
                         "eci": rows[-1]["eci"]})
    weak = pd.DataFrame({"model_id": ["weak"], "valid_from": [t0 + pd.Timedelta(days=1000)],
                         "blended_usd_per_mtok": [1e-4], "eci": [50.0]})       # below the threshold: ignored
    return pd.concat([pd.DataFrame(rows), weak], ignore_index=True)


def test_recovers_the_true_rate_and_covers_it():
    covered = 0
    draws = 8
    for seed in range(draws):
        r = constant_capability_decline(_pool(seed), start="2023-01-01", end="2026-06-01", threshold=120.0,
                                        n_boot=99, level=0.90)
        assert r.status == ESTIMATED and r.n_models == 40
        lo, hi = r.factor_per_year_conf
        assert lo <= r.factor_per_year <= hi
        covered += lo <= TRUE_FACTOR <= hi
        assert r.factor == pytest.approx(r.factor_per_year ** r.years)
    assert covered >= draws - 2       # 90% intervals: 7.2 of 8 expected


def test_never_extrapolated_past_the_last_observation():
    d = _pool(1)
    a = constant_capability_decline(d, start="2023-01-01", end="2026-06-01", threshold=120.0, n_boot=99)
    b = constant_capability_decline(d, start="2023-01-01", end="2026-11-30", threshold=120.0, n_boot=99)
    assert a.window_end == b.window_end == pd.Timestamp(d["valid_from"].max())
    assert (a.factor, a.conf_low, a.conf_high) == (b.factor, b.conf_low, b.conf_high)


def test_too_few_models_is_not_estimable():
    d = _pool(2, n_models=5)
    r = constant_capability_decline(d, start="2023-01-01", end="2026-06-01", threshold=120.0, n_boot=99)
    assert r.status == NOT_ESTIMABLE and "needs at least" in (r.reason or "")
    assert r.finding() is None


# ----------------------------------------------------------------------------- bundled data: the cases


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return DATA.panel()


@pytest.mark.slow
def test_headline_does_not_move_when_only_the_end_moves(panel):
    """Issue 19: moving the end from 2026-03 to 2026-10-23 took the running-minimum headline from 120× to 291×."""
    a = total_decline(panel, start="2020-01-01", end="2026-03-28", definitions=["constant_capability_trend"])
    b = total_decline(panel, start="2020-01-01", end="2026-10-23", definitions=["constant_capability_trend"])
    ra = a.table.set_index("definition").loc["constant_capability_trend"]
    rb = b.table.set_index("definition").loc["constant_capability_trend"]
    assert ra["factor"] == rb["factor"] and ra["conf_high"] == rb["conf_high"]
    assert ra["end_date"] <= pd.Timestamp("2026-03-28").date()
    assert ra["n"] > 8 * 5                      # the whole pool, not an 8-point running minimum


@pytest.mark.slow
def test_one_definition_wherever_the_number_appears(panel):
    t = total_decline(panel, start="2020-01-01", end="2026-03-28", definitions=["constant_capability_trend"])
    row = t.table.set_index("definition").loc["constant_capability_trend"]
    r = constant_capability_decline(panel, start="2020-01-01", end="2026-03-28", level=0.95, n_boot=999)
    assert (row["factor"], row["conf_low"], row["conf_high"], row["n"]) == (r.factor, r.conf_low, r.conf_high, r.n)
    assert row["status"] == r.status


def test_start_model_does_not_drive_the_estimate(panel):
    """Issue 19: excluding the model that defines the start took the running-minimum figure to 10,735×."""
    base = constant_capability_decline(panel, start="2020-01-01", end="2026-03-28", n_boot=199)
    start_model = base.config["start_model"]
    key = "model_key" if "model_key" in panel.columns else "model_id"
    drop = panel[key].astype(str) == start_model
    assert drop.any()
    ex = constant_capability_decline(panel[~drop], start="2020-01-01", end="2026-03-28", threshold=base.threshold,
                                     n_boot=199)
    assert ex.n_models == base.n_models - 1
    assert 0.5 < ex.factor_per_year / base.factor_per_year < 2.0


def test_rate_from_four_points_is_not_estimable():
    """Issue 19: 210,416×/yr from 4 points (GPQA Diamond, Claude 3 Opus threshold, before Epoch's cut-off)."""
    r = lf.Study().rates_since_cutoff(benchmark="GPQA Diamond")
    t = r.before.trends
    four = t[t["n"] < 6]
    assert len(four) and (four["status"] == NOT_ESTIMABLE).all()
    assert four["reason"].str.contains("point").all()
    huge = t[t["factor_per_year"] > 10_000]
    assert (huge["status"] == NOT_ESTIMABLE).all()
    ok = t[t["status"] == ESTIMATED]
    assert r.medians()["before"] == pytest.approx(float(ok["factor_per_year"].median()))


def test_unbounded_half_life_is_not_estimable():
    """Issue 19: a mid-tier half-life of 375 years printed as a finding; a rate whose interval reaches 0 has none."""
    r = lf.Study().price_trend(by="tier", n_boot=0)
    for g in r.groups:
        st, why = g.half_life_status
        lo, hi = g.half_life_ci
        if not (math.isfinite(lo) and math.isfinite(hi)) or hi / lo > 100:
            assert st == NOT_ESTIMABLE and why
        else:
            assert st == g.status


# ----------------------------------------------------------------------------- decomposition and Malmquist


def _decomp_data(seed: int, price_change: float) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    n = 30
    year = np.repeat([2023, 2024], n)
    eci = rng.uniform(100, 140, 2 * n)
    ln_params = 25 + 0.02 * eci - 0.5 * (year == 2024) + rng.normal(0, 0.3, 2 * n)
    ln_price = 1 + 0.05 * eci + price_change * (year == 2024) + rng.normal(0, 0.3, 2 * n)
    chips = np.tile(["a", "b", "c"], 10)
    rent = pd.DataFrame({"year": np.repeat([2023, 2024], 30), "chip": np.r_[chips, chips],
                         "ln_usd_per_chip_hour": np.r_[np.full(30, 1.0), np.full(30, 0.8)] + rng.normal(0, .1, 60),
                         "ln_flops": np.r_[np.full(30, 33.0), np.full(30, 33.2)]})
    return {"prices": pd.DataFrame({"model": [f"m{i}" for i in range(2 * n)], "year": year, "ln_price": ln_price,
                                    "eci": eci, "ln_params": ln_params}),
            "rentals": rent, "ppi": pd.DataFrame({"year": [2023, 2024], "ln_ppi": [4.6, 4.62]})}


def test_decomposition_shares_have_intervals_and_a_status():
    r = lf.cost_decomposition(_decomp_data(0, -2.0), start=2023, end=2024, n_boot=199)
    t = r.table.set_index("term")
    assert (t["status"] == ESTIMATED).all()
    for term in ("tfp_residual", "gpu_rental_price", "model_compute_per_token"):
        assert t.loc[term, "conf_low_pct"] <= t.loc[term, "share_pct"] <= t.loc[term, "conf_high_pct"]
    # truth: rental −0.2, compute per token −0.5 of a −2.0 change: shares 10% and 25%
    assert t.loc["gpu_rental_price", "conf_low_pct"] < 10 < t.loc["gpu_rental_price", "conf_high_pct"]
    assert t.loc["model_compute_per_token", "conf_low_pct"] < 25 < t.loc["model_compute_per_token", "conf_high_pct"]


def test_decomposition_without_a_price_fall_is_not_estimable():
    r = lf.cost_decomposition(_decomp_data(1, -0.05), start=2023, end=2024, n_boot=199)
    assert (r.table["status"] == NOT_ESTIMABLE).all()
    assert r.table["reason"].str.contains("denominator").all()


@pytest.mark.slow
def test_malmquist_window_has_intervals_or_a_status():
    r = lf.llm_malmquist(**DATA.frontier(), n_boot=30)
    c = r.comparison
    assert c["status"].isin([ESTIMATED, NOT_ESTIMABLE]).all()
    head = c[c["spec"] == c["spec"].iloc[0]]
    assert head["conf_low"].notna().all()
    assert ((head["conf_low"] <= head["estimate"] * (1 + 1e-9)) & (head["estimate"] <= head["conf_high"] * (1 + 1e-9))).all()
    small = c[c["n_dmus"] < 6]
    assert (small["status"] == NOT_ESTIMABLE).all()
