"""price_trend: exact recovery, interval coverage, Moore test, dated observations."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import llmflation as lf
from llmflation.analysis._ols import batched_slopes, fit_line
from llmflation.analysis.trend import (
    LN2,
    TrendResult,
    dated_prices,
    fit_group,
    openrouter_cross_section,
    to_years,
)
from llmflation.errors import InputError

#: Coverage band the issue asks for (nominal 95%).
COVERAGE_LOW, COVERAGE_HIGH = 0.92, 0.98


def _path(half_life: float, n: int = 12, start: str = "2021-01-01", step_days: int = 150,
          p0: float = 40.0) -> pd.DataFrame:
    dates = pd.Timestamp(start) + pd.to_timedelta(np.arange(n) * step_days, unit="D")
    t = to_years(dates)
    return pd.DataFrame({"date": dates, "price": p0 * 2.0 ** (-(t - t[0]) / half_life)})


def test_exact_recovery_without_noise() -> None:
    d = _path(1.1)
    r = lf.price_trend(d, by=None, observations="rows", price_col="price", n_boot=500, seed=1)
    g = r["all"]
    assert g.half_life_years == pytest.approx(1.1, rel=1e-12)
    assert g.factor_per_year == pytest.approx(2 ** (1 / 1.1), rel=1e-12)
    assert g.rate_per_year == pytest.approx(LN2 / 1.1, rel=1e-12)
    assert g.r_squared == pytest.approx(1.0, abs=1e-12)
    assert g.half_life_ci == pytest.approx((1.1, 1.1), rel=1e-9)
    assert g.half_life_boot_ci == pytest.approx((1.1, 1.1), rel=1e-9)
    assert not g.moore.computed and "zero residual" in g.moore.reason
    assert g.n == 12 and g.start == d["date"].min() and g.end == d["date"].max()


def test_rising_prices_have_no_half_life() -> None:
    d = _path(-3.0)
    g = lf.price_trend(d, by=None, observations="rows", price_col="price", n_boot=0)["all"]
    assert g.factor_per_year < 1 and math.isinf(g.half_life_years)


def test_moore_test_direction() -> None:
    rng = np.random.default_rng(0)
    fast = _path(1.0, n=30, step_days=60).assign(price=lambda d: d["price"] * np.exp(rng.normal(0, 0.2, 30)))
    slow = _path(4.0, n=30, step_days=60).assign(price=lambda d: d["price"] * np.exp(rng.normal(0, 0.2, 30)))
    pf = lf.price_trend(fast, by=None, observations="rows", price_col="price", n_boot=0)["all"].moore
    ps = lf.price_trend(slow, by=None, observations="rows", price_col="price", n_boot=0)["all"].moore
    assert pf.p_value < 0.01 < 0.5 < ps.p_value
    assert pf.distribution == "t(28)" and "half-life >= 2" in pf.null


def test_interval_coverage_seeded_simulation() -> None:
    """95% intervals cover the true rate 92–98% of the time (analytic and bootstrap)."""
    rng = np.random.default_rng(20260328)
    true_slope, n, reps = -0.63, 40, 400
    x = np.linspace(2021, 2026, n)
    y = 2.0 + true_slope * (x - 2021) + rng.normal(0, 0.5, (reps, n))
    # analytic: vectorised over replications
    b, a = batched_slopes(np.broadcast_to(x, y.shape), y)
    resid = y - (a[:, None] + b[:, None] * x)
    s = np.sqrt((resid**2).sum(axis=1) / (n - 2))
    se = s / np.sqrt(((x - x.mean()) ** 2).sum())
    from scipy import stats

    t = stats.t.ppf(0.975, n - 2)
    cover = np.mean((b - t * se <= true_slope) & (true_slope <= b + t * se))
    assert COVERAGE_LOW <= cover <= COVERAGE_HIGH
    # bootstrap percentile (pairs) through the public path
    hits = 0
    for i in range(reps):
        g = fit_group(x, y[i], n_boot=999, seed=i)
        lo, hi = g.rate_boot_ci
        hits += lo <= -true_slope <= hi
    assert COVERAGE_LOW <= hits / reps <= COVERAGE_HIGH


def test_residual_bootstrap_close_to_analytic() -> None:
    rng = np.random.default_rng(2)
    x = np.linspace(2021, 2026, 60)
    y = 1.0 - 0.4 * x + rng.normal(0, 0.3, 60)
    g = fit_group(x, y, n_boot=4000, seed=3, bootstrap="residual")
    assert g.rate_boot_ci == pytest.approx(g.rate_ci, rel=0.1)


def test_dated_prices_first_party_changes_and_launch_window() -> None:
    p = pd.DataFrame({
        "model_id": ["a", "a", "a", "a", "b", "b", "c"],
        "developer": ["X", "X", "X", "X", "Y", "Y", "Z"],
        "provider": ["X", "H1", "X", "H2", "H1", "H2", "H1"],
        "source": ["s"] * 7,
        "valid_from": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-06-01", "2024-07-01",
                                      "2024-02-01", "2024-03-01", "2025-06-01"]),
        "valid_to": pd.to_datetime(["2024-05-31", None, None, None, None, None, None]),
        "release_date": pd.to_datetime(["2024-01-01"] * 4 + ["2024-02-01"] * 2 + ["2023-01-01"]),
        "blended_usd_per_mtok": [10.0, 7.0, 5.0, 1.0, 4.0, 2.0, 3.0],
    })
    ch = dated_prices(p)
    # a: first party at launch (10, not the host's 7), first-party cut to 5; the host H2 is ignored
    assert ch[ch["model"] == "a"]["price"].tolist() == [10.0, 5.0]
    # b: no first party → median of hosts at launch only
    assert ch[ch["model"] == "b"]["price"].tolist() == [4.0]
    assert "c" in set(ch["model"])
    # c was first priced 2.4 years after release: not a launch price
    assert "c" not in set(dated_prices(p, launch_window_days=365)["model"])
    assert dated_prices(p, observations="launch")["price"].tolist() == [10.0, 4.0, 3.0]
    assert len(dated_prices(p, observations="rows")) == 7


def test_price_trend_by_tier_with_definitions() -> None:
    rng = np.random.default_rng(5)
    rows = []
    for _tier, name, p0, hl in (("economy", "Haiku", 1.0, 1.0), ("mid", "Sonnet", 6.0, 1.5),
                               ("flagship", "Opus", 40.0, 3.0)):
        for i in range(15):
            d = pd.Timestamp("2022-01-01") + pd.Timedelta(days=int(rng.integers(0, 1500)))
            t = float(to_years([d])[0] - 2022)
            rows.append({"model_id": f"{name}-{i}", "model_name": f"Claude {name} {i}", "valid_from": d,
                         "blended_usd_per_mtok": p0 * 2 ** (-t / hl) * math.exp(rng.normal(0, 0.05)),
                         "is_reasoning": i % 5 == 0})
    panel = pd.DataFrame(rows)
    r = lf.price_trend(panel, tiers="positioning", n_boot=200, seed=1)
    assert r.group_names == ["economy", "mid", "flagship"]
    assert r.half_life_years["economy"] == pytest.approx(1.0, rel=0.05)
    assert r.half_life_years["flagship"] == pytest.approx(3.0, rel=0.1)
    assert r.moore_p_value["economy"] < 0.001 and r.moore_p_value["flagship"] > 0.5
    assert r.config["tiers"] == "positioning"
    rx = lf.price_trend(panel, tiers="positioning", n_boot=0, exclude_reasoning=True)
    assert rx["mid"].n == 12
    frame = r.to_frame()
    assert set(frame["term"]) == {"log_price_slope_per_year", "factor_per_year", "half_life_years", "moore_test"}
    assert list(frame.columns[:8]) == ["group", "term", "estimate", "std_error", "statistic", "p_value",
                                       "conf_low", "conf_high"]


def test_small_groups_are_skipped_with_a_note() -> None:
    d = _path(1.0, n=4).assign(g=["a", "a", "a", "b"])
    r = lf.price_trend(d, by="g", observations="rows", price_col="price", n_boot=0, min_obs=3)
    assert r.group_names == ["a"] and any("'b'" in n and "skipped" in n for n in r.notes)


def test_input_errors_are_helpful() -> None:
    d = _path(1.0)
    with pytest.raises(InputError, match="price column 'blended_usd_per_mtok' is not in the frame"):
        lf.price_trend(d, by=None)
    with pytest.raises(InputError, match="observations='daily' is not allowed"):
        lf.price_trend(d, by=None, price_col="price", observations="daily")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="group column 'tier2'"):
        lf.price_trend(d, by="tier2", price_col="price", observations="rows")
    with pytest.raises(InputError, match="tiers='size' is not allowed"):
        lf.price_trend(d.assign(model_id="m"), tiers="size", price_col="price")
    with pytest.raises(InputError, match="at least 3 points"):
        fit_line([1, 2], [1, 2])
    with pytest.raises(InputError, match="all x values are equal"):
        fit_line([1, 1, 1], [1, 2, 3])


def test_inputs_are_not_mutated() -> None:
    d = _path(1.5).assign(model_id="m", tier="mid")
    before = d.copy()
    lf.price_trend(d, observations="rows", price_col="price", n_boot=10)
    pd.testing.assert_frame_equal(d, before)


def test_cross_section_is_the_papers_and_shows_no_decline() -> None:
    x = openrouter_cross_section("2026-03-28")
    assert len(x) == 318 and (x["input_usd_per_mtok"] > 0).all()
    g = lf.price_trend(x, by=None, observations="rows", date_col="release_date", n_boot=0)["all"]
    # survivor prices on one day: no trend to speak of
    assert g.r_squared < 0.02
    assert g.factor_ci[0] < 1 < g.factor_ci[1]
    assert g.moore.p_value > 0.5


def test_result_smoke() -> None:
    r = lf.price_trend(_path(1.2).assign(model_id=[f"m{i}" for i in range(12)], tier="mid"),
                       observations="rows", price_col="price", n_boot=50)
    assert isinstance(r, TrendResult) and len(r) == 1
    for obj in (r, r["mid"], r["mid"].moore):
        assert isinstance(obj.summary(), str)
        assert isinstance(obj.to_frame(), pd.DataFrame)
        assert obj._repr_html_().startswith("<div")
    assert "Moore" in r.summary("markdown")
    assert list(r.table()["group"]) == ["mid"]
    with pytest.raises(InputError, match="no group 'economy'"):
        r["economy"]
