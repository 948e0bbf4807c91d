"""Every public function refuses wrong-type and out-of-range arguments with llmflation's own errors.

Each case is one call of a name exported by ``llmflation`` with one bad argument (the
others valid where the function needs them to get that far). The call must raise a
:class:`~llmflation.errors.LLMFlationError` — never a raw pandas/NumPy/Python error and
never a silent answer.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import llmflation as lf
from llmflation.errors import LLMFlationError

RNG = np.random.default_rng(0)
Y = pd.Series(np.r_[np.zeros(20), np.ones(20)] + 0.1 * RNG.standard_normal(40), index=range(2000, 2040))
YD = pd.Series(Y.to_numpy(), index=pd.date_range("2020-01-01", periods=40, freq="MS"))
PRICES = pd.DataFrame({"date": pd.date_range("2021-01-01", periods=8, freq="180D"),
                       "price": 20 * 0.5 ** np.arange(8)})
INPUTS = pd.DataFrame({"x": [1.0, 2.0, 3.0]}, index=list("abc"))
OUTPUTS = pd.DataFrame({"y": [1.0, 3.0, 2.0]}, index=list("abc"))
MPANEL = pd.DataFrame({"firm": [1, 2, 1, 2], "year": [1, 1, 2, 2], "x": [2.0, 3.0, 1.0, 3.0],
                       "y": [1.0, 3.0, 1.0, 3.0]})
SHARES = pd.DataFrame({"period": ["a"] * 2, "firm": ["w", "x"], "share_pct": [60.0, 40.0]})
WIDE = pd.DataFrame({"a": [1.0, 2.0], "b": [1.0, 1.0]}, index=[2020, 2021])
NOT_FRAMES = [[1, 2, 3], "prices.csv", None, 5, {"a": [1]}]

CASES: list[tuple[str, tuple, dict]] = [
    # data
    ("load_panel", (123,), {}),
    ("load_panel", (), {"tiers": "bogus"}),
    ("load_panel", (), {"tiers": 5}),
    ("load_panel", (), {"warn": "yes"}),
    ("Store", (123,), {}),
    ("Store", (None,), {}),
    ("Store", ("x.duckdb",), {"read_only": "no"}),
    ("fetch", (123, "openrouter"), {}),
    ("discrepancies", ([1, 2],), {}),
    ("discrepancies", (PRICES,), {"on": "garbage"}),
    ("discrepancies", (PRICES,), {"threshold": "x"}),
    ("discrepancies", (PRICES,), {"threshold": -1}),
    ("discrepancies", (PRICES,), {"match": "zzz"}),
    ("discrepancies", (PRICES,), {"window_days": -3}),
    # breaks
    ("chow_test", ("abc",), {"break_at": 2010}),
    ("chow_test", ([[1, 2], [3, 4]],), {"break_at": 1}),
    ("chow_test", (pd.Series(["a", "b", "c"]),), {"break_at": 1}),
    ("chow_test", (Y,), {"break_at": object()}),
    ("chow_test", (Y,), {"break_at": "garbage"}),
    ("chow_test", (YD,), {"break_at": "not a date"}),
    ("chow_test", (YD,), {"break_at": "06/01/2021"}),
    ("chow_test", (Y,), {"break_at": 2010, "cov": "x"}),
    ("chow_test", (Y,), {"break_at": 2010, "cov": "hac", "hac_lags": -1}),
    ("chow_test", (Y,), {"break_at": 2010, "cov": "hac", "hac_lags": "2"}),
    ("chow_test", (Y, "bogus"), {"break_at": 2010}),
    ("chow_test", (YD.iloc[::-1],), {"break_at": "2021-01-01"}),
    ("sup_f_test", (Y,), {"trim": 0.7}),
    ("sup_f_test", (Y,), {"trim": "a"}),
    ("sup_f_test", (Y,), {"trim": -0.1}),
    ("sup_f_test", (Y,), {"break_range": 5}),
    ("sup_f_test", (None,), {}),
    ("bai_perron", (Y,), {"max_breaks": 0}),
    ("bai_perron", (Y,), {"max_breaks": "3"}),
    ("bai_perron", (Y,), {"max_breaks": 2.5}),
    ("bai_perron", (Y,), {"criterion": "aic"}),
    ("bai_perron", (Y,), {"min_size": -1}),
    ("bai_perron", (Y,), {"level": 2}),
    ("bai_perron", (Y,), {"n_breaks": -1}),
    ("bai_perron", (Y,), {"n_breaks": "1"}),
    ("bai_perron", (Y,), {"trim": None}),
    ("cusum_test", (Y,), {"kind": "x"}),
    ("cusum_test", ({"a": 1},), {}),
    ("llm_price_breaks", ([1],), {"lowest": PRICES}),
    ("llm_price_breaks", (PRICES,), {"lowest": None}),
    # frontier
    ("dea", ("x", OUTPUTS), {}),
    ("dea", (INPUTS, OUTPUTS.iloc[:2]), {}),
    ("dea", (INPUTS, OUTPUTS), {"rts": "x"}),
    ("dea", (INPUTS, OUTPUTS), {"orientation": 1}),
    ("dea", (-INPUTS, OUTPUTS), {}),
    ("dea", (INPUTS, OUTPUTS), {"n_jobs": 0}),
    ("dea", (INPUTS, OUTPUTS), {"n_jobs": "2"}),
    ("dea", (INPUTS, OUTPUTS), {"backend": "x"}),
    ("dea", (INPUTS, OUTPUTS), {"slacks": "yes"}),
    ("dea", (INPUTS.astype(str).replace("1.0", "one"), OUTPUTS), {}),
    ("malmquist", ([1],), {"dmu": "firm", "period": "year", "inputs": ["x"], "outputs": ["y"]}),
    ("malmquist", (MPANEL,), {"dmu": 5, "period": "year", "inputs": ["x"], "outputs": ["y"]}),
    ("malmquist", (MPANEL,), {"dmu": "firm", "period": "nope", "inputs": ["x"], "outputs": ["y"]}),
    ("malmquist", (MPANEL,), {"dmu": "firm", "period": "year", "inputs": 5, "outputs": ["y"]}),
    ("malmquist", (MPANEL,), {"dmu": "firm", "period": "year", "inputs": [], "outputs": ["y"]}),
    ("malmquist", (MPANEL,), {"dmu": "firm", "period": "year", "inputs": ["x"], "outputs": ["y"],
                              "orientation": "x"}),
    ("malmquist", (MPANEL,), {"dmu": "firm", "period": "year", "inputs": ["x"], "outputs": ["y"], "n_jobs": -5}),
    ("cost_decomposition", ([1],), {}),
    ("cost_decomposition", ({},), {"start": "2023"}),
    ("cost_decomposition", ({},), {"start": 2025, "end": 2020}),
    ("cost_decomposition", ({},), {"hosting": "x"}),
    ("elasticity", ([1],), {}),
    ("elasticity", (PRICES,), {"level": 5}),
    ("elasticity", (PRICES,), {"cov_type": "x"}),
    ("elasticity", (PRICES,), {"year_effects": "x"}),
    ("us_china", ([1],), {}),
    ("us_china", (PRICES,), {"n_boot": -5}),
    ("us_china", (PRICES,), {"n_boot": "a"}),
    ("us_china", (PRICES,), {"seed": "x"}),
    ("us_china", (PRICES,), {"level": 0}),
    ("llm_malmquist", ([1],), {"epoch_models": PRICES}),
    ("llm_malmquist", (PRICES,), {"epoch_models": None}),
    ("llm_malmquist", (PRICES,), {"epoch_models": PRICES, "min_dmus": 0}),
    ("llm_dmu_panel", (None,), {"epoch_models": PRICES}),
    ("llm_dmu_panel", (PRICES,), {"epoch_models": PRICES, "pick": "x"}),
    # price dynamics
    *[("price_trend", (bad,), {}) for bad in NOT_FRAMES],
    ("price_trend", (PRICES,), {"by": None, "price_col": "price", "n_boot": -5}),
    ("price_trend", (PRICES,), {"by": None, "price_col": "price", "n_boot": 1.5}),
    ("price_trend", (PRICES,), {"by": None, "price_col": "price", "n_boot": "100"}),
    ("price_trend", (PRICES,), {"by": None, "price_col": "price", "level": 1.5}),
    ("price_trend", (PRICES,), {"by": None, "price_col": "price", "level": "0.9"}),
    ("price_trend", (PRICES,), {"by": None, "price_col": "price", "seed": "x"}),
    ("price_trend", (PRICES,), {"by": 5, "price_col": "price"}),
    ("price_trend", (PRICES,), {"by": None, "price_col": "price", "min_obs": "5"}),
    ("price_trend", (PRICES,), {"by": None, "price_col": "price", "observations": "x"}),
    ("price_trend", (PRICES,), {"by": None, "price": "x"}),
    ("price_trend", (PRICES,), {"by": None, "price_col": "price", "date_col": 5}),
    ("price_trend", (PRICES,), {"by": None, "price_col": "price", "outlier_factor": "x"}),
    ("price_trend", (PRICES,), {"by": None, "price_col": "price", "launch_window_days": -1}),
    ("price_trend", (PRICES,), {"by": None, "price_col": "price", "tier_options": 5}),
    ("total_decline", (PRICES,), {"start": "garbage", "end": "2024-01-01", "price_col": "price"}),
    ("total_decline", (PRICES,), {"start": "2021-01-01", "end": 5, "price_col": "price"}),
    ("total_decline", (PRICES,), {"start": "2024-01-01", "end": "2021-01-01", "price_col": "price"}),
    ("total_decline", (PRICES,), {"start": "2021-01-01", "end": "2024-01-01", "window_days": -1}),
    ("total_decline", (PRICES,), {"start": "2021-01-01", "end": "2024-01-01", "definitions": "x"}),
    ("total_decline", (PRICES,), {"start": "2021-01-01", "end": "2024-01-01", "n_boot": -1}),
    ("total_decline", ([1],), {"start": "2021-01-01", "end": "2024-01-01"}),
    ("reasoning_premium", (None,), {}),
    ("reasoning_premium", (PRICES,), {"price": "x"}),
    ("reasoning_premium", (PRICES,), {"observations": "changes"}),
    ("reasoning_premium", (PRICES,), {"level": 3}),
    ("reasoning_premium", (PRICES,), {"n_boot": -1}),
    ("cheapest_above_threshold", (None,), {"benchmark": "MMLU"}),
    ("cheapest_above_threshold", (PRICES,), {"benchmark": 5}),
    ("cheapest_above_threshold", (PRICES,), {"benchmark": "MMLU", "thresholds": "x"}),
    ("cheapest_above_threshold", (PRICES,), {"benchmark": "MMLU", "min_points": 0}),
    ("cheapest_above_threshold", (PRICES,), {"benchmark": "MMLU", "level": 2}),
    ("cheapest_above_threshold", (PRICES,), {"benchmark": "MMLU", "since": "garbage"}),
    ("cheapest_above_threshold", (PRICES,), {"benchmark": "MMLU", "days_per_year": 0}),
    ("forecast", (5,), {}),
    ("forecast", (PRICES,), {"until": "garbage"}),
    ("forecast", (PRICES,), {"target_prices": "x"}),
    ("forecast", (PRICES,), {"target_prices": [-1.0]}),
    ("forecast", (PRICES,), {"level": 2}),
    ("cost_per_task", (None, PRICES), {}),
    ("cost_per_task", (PRICES, [1]), {}),
    ("cost_per_task", (PRICES, PRICES), {"how": "x"}),
    *[("price_index", (bad,), {"formula": "jevons"}) for bad in NOT_FRAMES],
    ("price_index", (pd.DataFrame(),), {"formula": "jevons"}),
    ("price_index", (WIDE, "x"), {}),
    ("price_index", (WIDE, WIDE), {"formula": "x"}),
    ("price_index", (WIDE, WIDE), {"chained": "yes"}),
    ("price_index", (WIDE.astype(object).replace(2.0, "two"),), {"formula": "jevons"}),
    ("hedonic_index", (None,), {}),
    ("hedonic_index", (PRICES,), {"price": "x"}),
    ("hedonic_index", (PRICES,), {"period": "W"}),
    ("hedonic_index", (PRICES,), {"min_obs": -1}),
    ("hedonic_index", (PRICES,), {"n_boot": -1}),
    ("hedonic_index", (PRICES,), {"level": 2}),
    ("hedonic_index", (PRICES,), {"quality": 5}),
    # market structure
    ("hhi", ([0.5, 0.5],), {}),
    ("hhi", ("abc",), {}),
    ("hhi", (None,), {}),
    ("hhi", ([-1.0, 50.0],), {}),
    ("hhi", ([50.0, 50.0],), {"unit": "x"}),
    ("hhi", ([[1, 2], [3, 4]],), {}),
    ("hhi", ({"a": 1},), {}),
    ("hhi", (["30", "x"],), {}),
    ("hhi", ([30.0, 30.0],), {"unit": "fraction"}),
    ("concentration", (SHARES,), {"k": [-1]}),
    ("concentration", (SHARES,), {"k": "a"}),
    ("concentration", (SHARES,), {"k": None}),
    ("concentration", (SHARES,), {"k": [1.5]}),
    ("concentration", ([1],), {}),
    ("concentration", (SHARES,), {"unit": "x"}),
    ("concentration", (SHARES,), {"period": 5}),
    ("concentration", (SHARES.assign(share_pct=[0.6, 0.4]),), {}),
    ("llm_concentration", (None, SHARES), {}),
    ("llm_concentration", (SHARES, [1]), {}),
    ("cost_vs_price_trends", (None,), {}),
    ("cost_vs_price_trends", (PRICES,), {"level": 2}),
    ("assign_tiers", (None,), {}),
    ("assign_tiers", (PRICES, "x"), {}),
    ("assign_tiers", (PRICES, "price_band"), {"band_edges": (10.0, 1.0)}),
    ("assign_tiers", (PRICES, "price_band"), {"band_edges": "x"}),
    ("assign_tiers", (PRICES, "capability"), {"cohort": "x"}),
    ("openrouter_cross_section", (None,), {}),
    ("openrouter_cross_section", (PRICES,), {"snapshot_date": "garbage"}),
    ("a16z_series", (None,), {}),
    ("gpt35_level_decline", (None,), {}),
    ("gpt35_level_decline", (PRICES,), {"threshold": "x"}),
    ("epoch_reproduction", (None, PRICES), {}),
    ("epoch_reproduction", (PRICES, None), {}),
    ("epoch_reproduction", (PRICES, PRICES), {"level": 5}),
    ("rates_since_cutoff", (None,), {"benchmark": "MMLU"}),
    ("rates_since_cutoff", (PRICES,), {"benchmark": "MMLU", "cutoff": "garbage"}),
    ("price_on", ("gpt-4o",), {"on": "06/01/2024"}),
    ("price_on", (5,), {"on": "2024-06-01"}),
    ("price_on", ("gpt-4o",), {"on": "2024-06-01", "provider": 5}),
    ("validate_panel", ([1],), {}),
]

#: Functions in panel/ and store/, whose owners add their own checks; these cases show
#: what is still missing there (xfail, not strict: they pass once fixed).
ELSEWHERE = {"load_panel", "Store", "discrepancies", "validate_panel", "fetch"}


def _id(case: tuple[str, tuple, dict]) -> str:
    name, args, kw = case
    bits = [type(a).__name__ if not isinstance(a, str | int | float) else repr(a) for a in args]
    bits += [f"{k}={v!r}"[:24] for k, v in kw.items()]
    return f"{name}({', '.join(bits)})"


@pytest.mark.parametrize("case", [
    pytest.param(c, marks=pytest.mark.xfail(reason="panel/ and store/ validate their own arguments", strict=False))
    if c[0] in ELSEWHERE else c for c in CASES], ids=[_id(c) for c in CASES])
def test_bad_argument_raises_llmflation_error(case, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # Store("x.duckdb") must not litter the repo
    name, args, kw = case
    fn = getattr(lf, name)
    with pytest.raises(LLMFlationError):
        fn(*args, **kw)


COVERED = {c[0] for c in CASES}
#: Public names added to the API after these cases were written: probed with a wrong-type
#: first argument only (xfail until their owners add boundary checks and cases above).
NEWER = sorted(n for n in lf.__all__ if n not in COVERED and n not in ("__version__", "HypothesisTest")
               and callable(getattr(lf, n)) and not isinstance(getattr(lf, n), type))


def test_enough_cases():
    assert len(CASES) >= 100
    assert len(COVERED) >= 35


@pytest.mark.xfail(reason="public function added after this test; its owner adds boundary checks", strict=False)
@pytest.mark.parametrize("name", NEWER)
def test_newer_functions_refuse_a_list_for_a_frame(name):
    with pytest.raises(LLMFlationError):
        getattr(lf, name)([1, 2, 3])


def test_hhi_fraction_message_suggests_unit():
    with pytest.raises(LLMFlationError, match="unit='fraction'"):
        lf.hhi([0.5, 0.5])
    assert lf.hhi([0.5, 0.5], unit="fraction") == 5000.0
