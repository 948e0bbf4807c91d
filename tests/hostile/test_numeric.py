"""Hostile numbers against the methods (issue 23, items 1, 7 and 9): no silent wrong numbers.

Each case asserts the correct answer or a clear refusal (an ``llmflation.errors``
exception whose message says what was seen, what was expected and how to fix it).
Classes, not single cases: zero variance is judged by a tolerance relative to the data's
scale (so constant series at any scale are caught, and a genuinely small variation is
not); magnitudes that overflow or underflow when squared are refused; duplicate keys
are refused unless the caller says how to aggregate them.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from tests.tolerances import EXACT_RTOL, LP_RTOL

from llmflation.errors import InputError, LLMFlationError
from llmflation.methods import breaks as B
from llmflation.methods.concentration import concentration
from llmflation.methods.dea import MIN_SCALED_VALUE, dea
from llmflation.results import HypothesisTest
from llmflation.validate import (
    PRICE_DATE_MIN,
    check_date,
    check_price_date,
    dumps_strict,
    json_safe,
    parse_dates,
    price_date_bounds,
)

# --------------------------------------------------------------------------- zero variance

SCALES = [1e-60, 1e-3, 1.0, 1e6, 1e60]


def _noisy_step(n: int = 60, scale: float = 1.0, noise: float = 0.1) -> pd.Series:
    rng = np.random.default_rng(3)
    y = np.r_[np.zeros(n // 2), np.ones(n - n // 2)] + noise * rng.standard_normal(n)
    return pd.Series(scale * (10.0 + y))


@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("kind", ["ols", "rec"])
def test_cusum_on_a_constant_series_is_not_computed(scale, kind):
    # the reported case: statistic 6.86, p = 3e-41 from rounding noise
    r = B.cusum_test(pd.Series([scale] * 48), kind=kind)
    assert isinstance(r, HypothesisTest)
    assert math.isnan(r.p_value) and math.isnan(r.statistic)
    assert "constant" in r.reason and "tolerance" in r.reason


@pytest.mark.parametrize("scale", SCALES)
def test_sup_f_and_chow_on_a_constant_series_are_not_computed(scale):
    y = pd.Series([scale] * 48)
    s = B.sup_f_test(y)
    assert not s.computed and math.isnan(s.p_value) and "constant" in s.reason
    c = B.chow_test(y, break_at=20)
    assert math.isnan(c.p_value) and "constant" in c.reason


@pytest.mark.parametrize("scale", SCALES)
def test_bai_perron_refuses_a_constant_series(scale):
    with pytest.raises(InputError, match="constant.*no break to date"):
        B.bai_perron(pd.Series([scale] * 48), max_breaks=2)


def test_rounding_noise_around_a_constant_counts_as_constant():
    # a constant plus float noise of ~1e-15 relative: still nothing to test
    y = pd.Series(1.0 + np.random.default_rng(0).standard_normal(48) * 1e-15)
    assert math.isnan(B.cusum_test(y).p_value)
    assert not B.sup_f_test(y).computed


def test_exact_linear_fit_with_a_trend_is_not_computed():
    y = pd.Series(3.0 + 0.5 * np.arange(40))
    r = B.cusum_test(y, X="trend")
    assert math.isnan(r.p_value) and "fitted exactly by X" in r.reason


@pytest.mark.parametrize("scale", SCALES)
def test_a_real_break_is_still_found_at_any_scale(scale):
    # the tolerance is relative: a small but genuine variation is tested, and the same
    # series in other units gives the same statistics
    y = _noisy_step(scale=scale)
    ref = _noisy_step(scale=1.0)
    assert B.cusum_test(y).p_value < 0.01
    assert B.sup_f_test(y).statistic == pytest.approx(B.sup_f_test(ref).statistic, rel=1e-6)
    assert B.bai_perron(y, max_breaks=2).breaks == (29,)


def test_small_relative_variation_is_not_mistaken_for_a_constant():
    # variation of 1e-7 of the level: far above rounding (1e-16), below any absolute guard such as 1e-6
    y = 1e3 + 1e-4 * (_noisy_step() - 10.0)  # a step of 1e-4 with noise 1e-5 on a level of 1,000
    r = B.cusum_test(y)
    assert math.isfinite(r.p_value) and r.p_value < 0.01


# --------------------------------------------------------------------------- magnitudes


@pytest.mark.parametrize("value", [1.7e308, 1e200, 1e100, 1e-100, 1e-200])
@pytest.mark.parametrize("func", ["cusum", "supf", "chow", "bai_perron"])
def test_values_that_overflow_when_squared_are_refused(value, func):
    y = pd.Series(np.linspace(0.5, 1.0, 50) * value)
    call = {"cusum": lambda: B.cusum_test(y), "supf": lambda: B.sup_f_test(y),
            "chow": lambda: B.chow_test(y, break_at=20), "bai_perron": lambda: B.bai_perron(y)}[func]
    with pytest.raises(InputError, match=r"too (large|small) to square.*expected magnitudes.*Rescale"):
        call()


# --------------------------------------------------------------------------- size guard


def test_bai_perron_refuses_above_its_documented_size():
    n = B.MAX_BAI_PERRON_N + 1
    y = pd.Series(np.random.default_rng(1).standard_normal(n))
    with pytest.raises(InputError) as e:
        B.bai_perron(y)
    msg = str(e.value)
    assert f"n={n:,}" in msg and "20,000" in msg and "max_n" in msg and "Aggregate" in msg


def test_bai_perron_limit_is_adjustable_and_progress_reported():
    y = _noisy_step(n=80)
    with pytest.raises(InputError, match="above the limit of 50"):
        B.bai_perron(y, max_n=50)
    seen: list[tuple[int, int]] = []
    r = B.bai_perron(y, max_n=80, max_breaks=2, progress=lambda done, total: seen.append((done, total)))
    assert r.breaks == (39,)
    dones = [d for d, _ in seen]
    assert dones == sorted(dones) and seen[-1][0] == seen[-1][1] and len(seen) >= 2


# --------------------------------------------------------------------------- DEA scale


def _dea_data(big: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    X = pd.DataFrame({"x1": [1.0, 2, 3, big, 5], "x2": [2.0, 1, 3, 2, 4.5]})
    Y = pd.DataFrame({"y": [1.0, 1, 2, 2, 3]})
    return X, Y


@pytest.mark.parametrize("big", [1e10, 1e15, 1e20])
def test_dea_refuses_a_variable_beyond_the_lp_range(big):
    # reported: efficiency 1.6 with status "optimal" at 1e20, NaN at 1e10-1e15
    X, Y = _dea_data(big)
    with pytest.raises(InputError, match="'x1' spans too many orders of magnitude.*Check the units"):
        dea(X, Y)


def test_dea_within_range_is_unit_invariant():
    # the guard is relative: the same data in other units (x1 * 1e12) gives the same scores
    X, Y = _dea_data(100.0)
    base = dea(X, Y).efficiency
    X2 = X.assign(x1=X["x1"] * 1e12)
    assert dea(X2, Y).efficiency.to_numpy() == pytest.approx(base.to_numpy(), rel=LP_RTOL)
    assert (base <= 1 + LP_RTOL).all() and (dea(X2, Y).status == "optimal").all()
    assert MIN_SCALED_VALUE > 1e-9  # above HiGHS's small_matrix_value, where coefficients are dropped


# --------------------------------------------------------------------------- duplicate keys


def test_concentration_refuses_a_repeated_firm():
    df = pd.DataFrame({"period": "all", "firm": ["A", "A", "C"], "share_pct": [50.0, 30.0, 20.0]})
    with pytest.raises(InputError, match=r"listed more than once in a period: 'A'.*duplicates='sum'"):
        concentration(df)
    r = concentration(df, duplicates="sum")
    assert r.table["hhi"].iloc[0] == pytest.approx(80.0**2 + 20.0**2, rel=EXACT_RTOL)  # 6,800, not 3,800
    assert r.table["n_firms"].iloc[0] == 2


def test_concentration_allows_repeated_residual_rows():
    df = pd.DataFrame({"period": "all", "firm": ["A", "B", "other", "other"], "share_pct": [50.0, 30.0, 10, 10]})
    r = concentration(df, residual_firms=["other"])
    assert r.table["hhi"].iloc[0] == pytest.approx(50.0**2 + 30.0**2, rel=EXACT_RTOL)


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize("value", ["0000-01-01", "1026-02-27", "2014-12-31", "2100-01-01",
                                   pd.Timestamp("1990-01-01"), "9999-12-31"])
def test_price_dates_outside_the_llm_era_are_refused(value):
    with pytest.raises(InputError) as e:
        check_price_date(value, "on")
    msg = str(e.value)
    assert "outside the dates of LLM prices" in msg and "2015-01-01" in msg and "typo" in msg


def test_price_date_bounds_are_2015_to_tomorrow():
    lo, hi = price_date_bounds()
    assert lo == PRICE_DATE_MIN == pd.Timestamp("2015-01-01")
    assert hi == pd.Timestamp.now().normalize() + pd.Timedelta(days=1)
    assert check_price_date(hi, "on") == hi and check_price_date(lo, "on") == lo
    assert check_price_date("2090-01-01", "until", future=True) == pd.Timestamp("2090-01-01")
    with pytest.raises(InputError, match="forecast horizon"):
        check_price_date("2300-01-01", "until", future=True)


@pytest.mark.parametrize("value", ["0000-01-01", "1500-06-01", "2500-01-01"])
def test_user_dates_outside_pandas_range_are_refused(value):
    with pytest.raises(InputError, match="outside the dates pandas can hold"):
        check_date(value, "date")
    with pytest.raises(InputError, match="outside what pandas can hold.*fix or drop"):
        parse_dates(pd.Series(["2020-01-01", value]), "date")


def test_user_dates_pandas_can_hold_are_accepted():
    d, _ = parse_dates(pd.Series(["1700-01-01", "1999-12-31", "2250-06-30"]), "date")
    assert d.dt.year.tolist() == [1700, 1999, 2250]


# --------------------------------------------------------------------------- strict JSON


def test_json_is_strict():
    payload = {"a": float("inf"), "b": [float("nan"), -np.inf, np.float64(2.5)], "c": {"d": pd.NaT}}
    text = dumps_strict(payload)
    parsed = json.loads(text, parse_constant=lambda c: pytest.fail(f"non-JSON constant {c}"))
    assert parsed == {"a": None, "b": [None, None, 2.5], "c": {"d": None}}
    seen: set[str] = set()
    json_safe({"x": float("inf"), "y": float("nan")}, seen)
    assert seen == {"x"}  # infinities are reported (NaN is simply missing)


def test_only_package_errors_escape():
    # the class rule of the API: every refusal above is an llmflation error, never a raw one
    for call in (lambda: B.cusum_test(pd.Series([1e308] * 10)), lambda: check_price_date("0000-01-01", "on"),
                 lambda: dea(*_dea_data(1e20))):
        with pytest.raises(LLMFlationError):
            call()


# --------------------------------------------------------------------------- flat trends


@pytest.mark.parametrize("level", [1e-9, 1.0, 1.6094379124341003, 1e9])
def test_a_flat_line_is_exactly_flat_not_a_trend_in_rounding_noise(level):
    from llmflation.methods.ols import fit_line
    from llmflation.study.trends import fit_group

    t = np.linspace(2023.0, 2025.0, 12)
    y = level * (1 + 1e-15 * (-1.0) ** np.arange(12))  # a constant up to float noise
    f = fit_line(t, y)
    assert f.slope == 0.0 and f.rss == 0.0 and math.isnan(f.r_squared)
    g = fit_group(t, y, n_boot=0)
    # before: half-life 2.8e15 years, Moore t = -6e14 (a "test" of rounding noise)
    assert g.factor_per_year == 1.0 and math.isinf(g.half_life_years) and math.isnan(g.moore.p_value)


def test_a_tiny_genuine_slope_is_still_fitted():
    from llmflation.methods.ols import fit_line

    t = np.linspace(0.0, 10.0, 50)
    f = fit_line(t, 5.0 + 1e-9 * t + 1e-11 * np.sin(7 * t))  # spread 3e-9 of the level: far above 1e-12
    assert f.slope == pytest.approx(1e-9, rel=0.05) and f.r_squared > 0.9
