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
    # the study object, its options objects and tables for papers (issue 22)
    ("Study", (5,), {}),
    ("Study", ("/nonexistent/store.duckdb",), {}),
    ("Study", (), {"tiers": "bands"}),
    ("Study", (), {"panel": [1, 2]}),
    ("TrendInference", (), {"level": 95}),
    ("TrendInference", (), {"n_boot": -1}),
    ("TrendInference", (), {"bootstrap": "wild"}),
    ("TrendInference", (), {"moore_half_life": 0}),
    ("price_trend", (PRICES,), {"by": None, "price_col": "price", "inference": "fast"}),
    ("price_trend", (PRICES,), {"by": None, "price_col": "price", "level": 0.9,
                                "inference": lf.TrendInference(n_boot=0)}),
    ("etable", ([],), {}),
    ("etable", ("result",), {}),
    ("etable", ([lf.HypothesisTest(statistic=1.0, p_value=0.5)],), {"type": "xlsx"}),
    ("etable", ([lf.HypothesisTest(statistic=1.0, p_value=0.5)],), {"labels": ["a", "b"]}),
    ("etable", ([PRICES],), {}),
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
    ("changes", (), {"since": "2026/01/01"}),
    ("changes", (), {"since": "2026-06-01", "until": "2026-01-01"}),
    ("changes", (), {"since": "2014-01-01"}),
    ("changes", (), {"since": "2026-01-01", "panel": 5}),
    ("dispersion", (5,), {"panel": None}),
    ("dispersion", ("x",), {}),
    ("dispersion", ("llama-3.3-70b-instruct",), {"store": 5}),
    ("dispersion", ("llama-3.3-70b-instruct",), {"panel": "p"}),
    ("price_on", ("gpt-4o",), {"on": "06/01/2024"}),
    ("price_on", (5,), {"on": "2024-06-01"}),
    ("price_on", ("gpt-4o",), {"on": "2024-06-01", "provider": 5}),
    ("validate_panel", ([1],), {}),
]

# --------------------------------------------------------------------------- named cases
# Each case also names the argument the message must point at (``match``, a regex on the
# message): the boundary check fired, not some later failure on the way.

DISC = pd.DataFrame({
    "model_id": ["gpt-4o", "gpt-4o"], "provider": ["openrouter", "openrouter"], "source": ["openrouter", "litellm"],
    "source_key": ["openai/gpt-4o", "openrouter/openai/gpt-4o"],
    "valid_from": pd.Timestamp("2026-03-01"), "valid_to": pd.Timestamp("2026-03-01"), "first_party": False,
    "input_usd_per_mtok": [2.5, 5.0], "output_usd_per_mtok": [10.0, 10.0], "developer": "OpenAI", "tier": "frontier"})
FRAME = pd.DataFrame({"a": [1.0, 2.0]})
MILES = pd.DataFrame({"date": ["2024-01-01", "2024-06-01"], "model": ["m", "m"], "developer": ["OpenAI"] * 2,
                      "event": ["launch", "cut"], "input_usd_per_mtok": [10.0, 5.0],
                      "output_usd_per_mtok": [30.0, 15.0]})
TV = pd.DataFrame({"date": ["2025-01-31"], "company": ["X"], "metric": ["tokens_per_month"], "value": [1e12]})
JPANEL = PRICES.assign(blended_usd_per_mtok=PRICES["price"])
JV = {"token_volume": TV, "rankings": FRAME, "openrouter_daily": FRAME, "effective_prices": FRAME}
MS = pd.DataFrame({"market": ["OpenRouter tokens by model author"], "firm": ["a"], "share_pct": [100.0]})
T10, Y10 = np.arange(10.0), -np.arange(10.0)
MB = {"dmu": "firm", "period": "year", "inputs": ["x"], "outputs": ["y"]}

NAMED: list[tuple[str, tuple, dict, str]] = [
    # panel/ and store/
    ("load_panel", (123,), {}, "store"),
    ("load_panel", ("prices.duckdb",), {}, "store"),
    ("load_panel", (), {"tiers": "bogus"}, "tiers"),
    ("load_panel", (), {"tiers": 5}, "tiers"),
    ("load_panel", (), {"warn": "yes"}, "warn"),
    ("StudyInputs", (5,), {}, "store"),
    ("StudyInputs", ("",), {}, "store"),
    ("StudyInputs", (), {"tiers": "bogus"}, "tiers"),
    ("StudyInputs", (), {"tiers": 5}, "tiers"),
    ("StudyInputs", (), {"panel": [1]}, "panel"),
    ("Store", (123,), {}, "path"),
    ("Store", ("",), {}, "non-empty"),
    ("Store", ("x.duckdb",), {"read_only": "no"}, "read_only"),
    ("fetch", (123, "openrouter"), {"payload": b"{}"}, "store"),
    ("fetch", ("x.duckdb", 5), {"payload": b"{}"}, "source"),
    ("fetch", ("x.duckdb", "bogus"), {"payload": b"{}"}, "source"),
    ("fetch", ("x.duckdb", "openrouter"), {"payload": b"{}", "max_bytes": -1}, "max_bytes"),
    ("fetch", ("x.duckdb", "openrouter"), {"payload": b"{}", "allow_shrink": "yes"}, "allow_shrink"),
    ("fetch", ("x.duckdb", "openrouter"), {"payload": 5}, "payload"),
    ("fetch", ("x.duckdb", "openrouter"), {"payload": b"{}", "observed_at": "garbage"}, "observed_at"),
    ("fetch", ("x.duckdb", "openrouter"), {"payload": b"{}", "on_stage": "print"}, "on_stage"),
    ("discrepancies", ([1, 2],), {}, "panel"),
    ("discrepancies", (DISC,), {"on": "garbage"}, "on="),
    ("discrepancies", (DISC,), {"on": "06/01/2026"}, "on="),
    ("discrepancies", (DISC,), {"threshold": "x"}, "threshold"),
    ("discrepancies", (DISC,), {"threshold": -1}, "threshold"),
    ("discrepancies", (DISC,), {"match": "zzz"}, "match"),
    ("discrepancies", (DISC,), {"match": 5}, "match"),
    ("discrepancies", (DISC,), {"window_days": -3}, "window_days"),
    ("discrepancies", (DISC,), {"window_days": 1.5}, "window_days"),
    ("discrepancies", (DISC,), {"sources": 5}, "sources"),
    ("discrepancies", (DISC,), {"sources": [1, 2]}, "sources"),
    ("validate_panel", ([1],), {}, "panel"),
    ("validate_panel", (PRICES,), {}, "lacks"),
    ("validate_panel", (DISC,), {"start": "garbage"}, "start"),
    ("validate_panel", (DISC,), {"start": 2020}, "start"),
    ("validate_panel", (DISC,), {"threshold": "x"}, "threshold"),
    ("validate_panel", (DISC,), {"threshold": -0.5}, "threshold"),
    ("validate_panel", (DISC,), {"on": "06/01/2026"}, "on"),
    ("price_on", ("gpt-4o",), {"on": "06/01/2024"}, "on"),
    ("price_on", ("gpt-4o",), {"on": 20240601}, "on"),
    ("price_on", ("gpt-4o",), {"on": None}, "on"),
    ("price_on", ("gpt-4o",), {"on": pd.NaT}, "on"),
    ("price_on", (5,), {"on": "2024-06-01"}, "model"),
    ("price_on", ("gpt-4o",), {"on": "2024-06-01", "provider": 5}, "provider"),
    ("price_on", ("gpt-4o",), {"on": "2024-06-01", "panel": [1]}, "panel"),
    ("cost", ("gpt-4o",), {"on": "2024-11-01", "input_tokens": -1, "output_tokens": 1}, "input_tokens"),
    ("cost", ("gpt-4o",), {"on": "2024-11-01", "input_tokens": 1, "output_tokens": 1, "cached_input_tokens": 2},
     "cached_input_tokens"),
    ("cost", ("gpt-4o",), {"on": "11/01/2024", "input_tokens": 1, "output_tokens": 1}, "on"),
    ("cost", ("gpt-4o",), {"on": "2024-11-01", "input_tokens": 1, "output_tokens": 1, "at": "25:00"}, "at"),
    ("cost", (5,), {"on": "2024-11-01", "input_tokens": 1, "output_tokens": 1}, "model"),
    # issue 13/14 functions
    ("baumol", ([1], FRAME), {}, "bls_cpi"),
    ("baumol", (FRAME, None), {}, "wages"),
    ("baumol", (FRAME, FRAME, 5), {}, "panel"),
    ("baumol", (FRAME, FRAME), {"ai_index": "x"}, "ai_index"),
    ("baumol", (FRAME, FRAME), {"user_prices": [1]}, "user_prices"),
    ("baumol", (FRAME, FRAME), {"series": 5}, "series"),
    ("baumol", (FRAME, FRAME), {"series": []}, "series"),
    ("baumol", (FRAME, FRAME), {"start": "garbage"}, "start"),
    ("baumol", (FRAME, FRAME), {"start": "2025-01", "end": "2024-01"}, "end"),
    ("baumol", (FRAME, FRAME), {"reference_model": 5}, "reference_model"),
    ("baumol", (FRAME, FRAME), {"ai_threshold": "x"}, "ai_threshold"),
    ("baumol", (FRAME, FRAME), {"wage_years": (2024, 2019)}, "wage_years"),
    ("baumol", (FRAME, FRAME), {"wage_years": "2019"}, "wage_years"),
    ("baumol", (FRAME, FRAME), {"level": 2}, "level"),
    ("baumol", (FRAME, FRAME), {"lags": -1}, "lags"),
    ("baumol_test", ([1],), {}, "bls_cpi"),
    ("baumol_test", (FRAME,), {"placebos": "2015"}, "placebos"),
    ("baumol_test", (FRAME,), {"placebos": (("2019-12-01", "2015-01-01"),)}, "placebo"),
    ("baumol_test", (FRAME,), {"post_start": "garbage"}, "post_start"),
    ("baumol_test", (FRAME,), {"level": 2}, "level"),
    ("headline_index", ([1],), {}, "panel"),
    ("headline_index", (JPANEL,), {"period": "W"}, "period"),
    ("headline_index", (JPANEL,), {"cluster": "firm"}, "cluster"),
    ("headline_index", (JPANEL,), {"n_boot": -1}, "n_boot"),
    ("headline_index", (JPANEL,), {"start": "garbage"}, "start"),
    ("headline_index", (JPANEL.assign(model_id="m", developer="D", first_party=True),), {"quality": "nope"}, "nope"),
    ("break_story", ([1],), {}, "milestones"),
    ("break_story", (PRICES,), {}, "lacks"),
    ("break_story", (MILES,), {"break_at": "garbage"}, "break_at"),
    ("break_story", (MILES,), {"break_at": "06/01/2024"}, "break_at"),
    ("break_story", (MILES,), {"end": 5}, "end"),
    ("break_story", (MILES,), {"developers": 5}, "developers"),
    ("break_story", (MILES,), {"events": [1]}, "events"),
    ("break_story", (MILES,), {"candidates": ("2025-09", "2023-08")}, "candidates"),
    ("break_story", (MILES,), {"candidates": "2023-08"}, "candidates"),
    ("break_story", (MILES,), {"level": 0}, "level"),
    ("break_story", (MILES,), {"trim": 0.6}, "trim"),
    ("calibrated_threshold_trends", ([1],), {"benchmark": "MMLU"}, "prices"),
    ("calibrated_threshold_trends", (PRICES, 5), {"benchmark": "MMLU"}, "scores"),
    ("calibrated_threshold_trends", (PRICES,), {"benchmark": 5}, "benchmark"),
    ("calibrated_threshold_trends", (PRICES,), {"benchmark": "MMLU", "n_perm": 5}, "n_perm"),
    ("calibrated_threshold_trends", (PRICES,), {"benchmark": "MMLU", "n_perm": "999"}, "n_perm"),
    ("calibrated_threshold_trends", (PRICES,), {"benchmark": "MMLU", "seed": -1}, "seed"),
    ("calibrated_threshold_trends", (PRICES,), {"benchmark": "MMLU", "level": 1.5}, "level"),
    ("calibrated_threshold_trends", (PRICES,), {"benchmark": "MMLU", "interval": "yes"}, "interval"),
    ("calibrated_threshold_trends", (PRICES,), {"benchmark": "MMLU", "min_points_interval": 1},
     "min_points_interval"),
    ("dea_bootstrap", ("x", OUTPUTS), {}, "inputs"),
    ("dea_bootstrap", (INPUTS, None), {}, "outputs"),
    ("dea_bootstrap", (INPUTS.astype(str).replace("1.0", "one"), OUTPUTS), {}, "numbers"),
    ("dea_bootstrap", (INPUTS, OUTPUTS.iloc[:2]), {}, "rows"),
    ("dea_bootstrap", (INPUTS, OUTPUTS), {"rts": "x"}, "rts"),
    ("dea_bootstrap", (INPUTS, OUTPUTS), {"rts": 5}, "rts"),
    ("dea_bootstrap", (INPUTS, OUTPUTS), {"n_boot": 5}, "n_boot"),
    ("dea_bootstrap", (INPUTS, OUTPUTS), {"n_boot": "200"}, "n_boot"),
    ("dea_bootstrap", (INPUTS, OUTPUTS), {"level": 2}, "level"),
    ("dea_bootstrap", (INPUTS, OUTPUTS), {"seed": "x"}, "seed"),
    ("malmquist_bootstrap", ([1],), MB, "panel"),
    ("malmquist_bootstrap", (MPANEL,), {**MB, "dmu": 5}, "dmu"),
    ("malmquist_bootstrap", (MPANEL,), {**MB, "period": "nope"}, "period"),
    ("malmquist_bootstrap", (MPANEL,), {**MB, "inputs": 5}, "inputs"),
    ("malmquist_bootstrap", (MPANEL,), {**MB, "outputs": []}, "outputs"),
    ("malmquist_bootstrap", (MPANEL,), {**MB, "rts": "x"}, "rts"),
    ("malmquist_bootstrap", (MPANEL,), {**MB, "n_boot": 5}, "n_boot"),
    ("malmquist_bootstrap", (MPANEL,), {**MB, "level": 2}, "level"),
    ("malmquist_bootstrap", (MPANEL,), {**MB, "seed": "x"}, "seed"),
    ("malmquist_bootstrap", (MPANEL,), {**MB, "pairs": "ab"}, "pairs"),
    ("jevons", ([1],), JV, "panel"),
    ("jevons", (JPANEL,), {**JV, "token_volume": [1]}, "token_volume"),
    ("jevons", (JPANEL,), {**JV, "token_volume": PRICES}, "lacks"),
    ("jevons", (JPANEL,), {**JV, "rankings": None}, "rankings"),
    ("jevons", (JPANEL,), {**JV, "openrouter_daily": 5}, "openrouter_daily"),
    ("jevons", (JPANEL,), {**JV, "effective_prices": "x"}, "effective_prices"),
    ("jevons", (JPANEL,), {**JV, "min_statements": 0}, "min_statements"),
    ("jevons", (JPANEL,), {**JV, "min_obs": "10"}, "min_obs"),
    ("jevons", (JPANEL,), {**JV, "price": "nope"}, "price"),
    ("jevons", (JPANEL,), {**JV, "effective_date": "garbage"}, "effective_date"),
    ("jevons", (JPANEL,), {**JV, "level": 1}, "level"),
    ("llm_frontier_invariant", ([1],), {"epoch_models": PRICES}, "panel"),
    ("llm_frontier_invariant", (PRICES,), {"epoch_models": None}, "epoch_models"),
    ("llm_frontier_invariant", (PRICES,), {"epoch_models": PRICES, "start": "garbage"}, "start"),
    ("llm_frontier_invariant", (PRICES,), {"epoch_models": PRICES, "start": "2025Q1", "end": "2024Q1"}, "end"),
    ("llm_frontier_invariant", (PRICES,), {"epoch_models": PRICES, "window": "2024Q1"}, "window"),
    ("llm_frontier_invariant", (PRICES,), {"epoch_models": PRICES, "window": ("2024Q4", "2024Q1")}, "window"),
    ("llm_frontier_invariant", (PRICES,), {"epoch_models": PRICES, "pick": "x"}, "pick"),
    ("llm_frontier_invariant", (PRICES,), {"epoch_models": PRICES, "pick": 5}, "pick"),
    ("llm_frontier_invariant", (PRICES,), {"epoch_models": PRICES, "n_boot": 5}, "n_boot"),
    ("llm_frontier_invariant", (PRICES,), {"epoch_models": PRICES, "seed": "x"}, "seed"),
    ("llm_frontier_invariant", (PRICES,), {"epoch_models": PRICES, "level": 0}, "level"),
    ("llm_frontier_invariant", (PRICES,), {"epoch_models": PRICES, "shift": "x"}, "shift"),
    ("paper_vs_ours", ([1, 2, 3],), {}, "result"),
    ("paper_vs_ours", (), {"bogus": 1}, "unknown option"),
    ("paper_vs_ours", (), {"claim": 5}, "claim"),
    ("paper_vs_ours", (), {"leave_one_out": "no"}, "leave_one_out"),
    ("paper_vs_ours", (), {"panel": [1]}, "panel"),
    ("per_task_premium", ([1],), {}, "costs"),
    ("per_task_premium", (PRICES,), {}, "lacks"),
    ("per_task_premium", (PRICES,), {"level": 2}, "level"),
    ("per_task_premium", (PRICES,), {"model_col": 5}, "model_col"),
    ("premium_by_reasoning_class", ([1],), {}, "panel"),
    ("premium_by_reasoning_class", (PRICES,), {"price": "x"}, "price"),
    ("premium_by_reasoning_class", (PRICES,), {"price": 5}, "price"),
    ("premium_by_reasoning_class", (PRICES,), {"level": 2}, "level"),
    ("premium_by_reasoning_class", (PRICES,), {"launch_window_days": -1}, "launch_window_days"),
    ("premium_by_reasoning_class", (PRICES,), {"launch_window_days": "365"}, "launch_window_days"),
    ("premium_by_reasoning_class", (PRICES,), {"name_col": "nope"}, "name_col"),
    ("record_trend_test", ("abc", Y10), {}, "^t must"),
    ("record_trend_test", (T10, "abc"), {}, "^y must"),
    ("record_trend_test", (T10, Y10[:5]), {}, "lengths"),
    ("record_trend_test", (T10, [np.nan] * 10), {}, "NaN"),
    ("record_trend_test", (T10, Y10), {"n_perm": 5}, "n_perm"),
    ("record_trend_test", (T10, Y10), {"level": 2}, "level"),
    ("record_trend_test", (T10, Y10), {"seed": "x"}, "seed"),
    ("record_trend_test", (T10, Y10), {"min_points": 0}, "min_points"),
    ("record_trend_test", (T10, Y10), {"min_points_interval": 1}, "min_points_interval"),
    ("quantile_trend", (T10, "abc"), {}, "^y must"),
    ("quantile_trend", (T10, Y10[:5]), {}, "lengths"),
    ("quantile_trend", (T10, Y10), {"tau": 1.5}, "tau"),
    ("quantile_trend", (T10, Y10), {"level": 2}, "level"),
    ("estimability", (), {"n": "x", "min_n": 3}, "^n must"),
    ("estimability", (), {"n": 5, "min_n": 0}, "min_n"),
    ("estimability", (), {"n": 5, "min_n": 3, "max_ratio": 1}, "max_ratio"),
    ("constant_capability_decline", ([1],), {"start": "2023-01-01", "end": "2026-01-01"}, "panel"),
    ("constant_capability_decline", (PRICES,), {"start": "2023-01-01", "end": "2026-01-01", "tau": 2}, "tau"),
    ("constant_capability_decline", (PRICES,), {"start": "2023-01-01", "end": "2026-01-01", "capability": "nope"},
     "nope"),
    ("constant_capability_decline", (PRICES,), {"start": "2026-01-01", "end": "2023-01-01"}, "end"),
    ("record_trend_test", (T10, Y10), {"interval": "yes"}, "interval"),
    ("record_trend_test", (T10, Y10), {"grid_size": 1}, "grid_size"),
    ("record_trend_test", (T10, Y10), {"half_width": -1}, "half_width"),
    ("usage_concentration", ([1],), {}, "market_shares"),
    ("usage_concentration", (PRICES,), {}, "lacks"),
    ("usage_concentration", (MS, 5), {}, "openrouter_daily"),
    ("usage_concentration", (MS, None, "x"), {}, "rankings"),
    ("usage_concentration", (MS,), {"usage": "x"}, "usage"),
    ("usage_concentration", (MS,), {"usage": 5}, "usage"),
    ("usage_concentration", (MS,), {"k": [0]}, "k"),
    ("usage_concentration", (MS,), {"k": "a"}, "k"),
    ("usage_concentration", (MS,), {"snapshot_date": "garbage"}, "snapshot_date"),
    # older functions: enough cases each
    ("a16z_series", ("x",), {}, "prices"),
    ("a16z_series", (5,), {}, "prices"),
    ("cost_vs_price_trends", ("costs.csv",), {}, "costs"),
    ("cost_vs_price_trends", (PRICES,), {"benchmarks": 5}, "benchmarks"),
    ("cusum_test", (Y, "bogus"), {}, "X="),
    ("gpt35_level_decline", ("x",), {}, "prices"),
    ("llm_concentration", ([1], SHARES), {}, "openrouter_daily"),
    ("llm_dmu_panel", (PRICES,), {"epoch_models": PRICES, "pick": 5}, "pick"),
    ("llm_price_breaks", ("x",), {"lowest": PRICES}, "milestones"),
    ("openrouter_cross_section", (PRICES,), {"snapshot_date": 5}, "snapshot_date"),
    ("rates_since_cutoff", (PRICES,), {"benchmark": "MMLU", "cutoff": 5}, "cutoff"),
    ("robustness", (5,), {}, "claim"),
    ("robustness", ("nope",), {}, "claim"),
    ("robustness", ([1, 2, 3],), {}, "claim"),
    ("robustness", (), {"panel": [1]}, "panel"),
    ("robustness", (), {"milestones": "x"}, "milestones"),
    ("robustness", (), {"concentration": [1]}, "concentration"),
    ("robustness", (), {"concentration": {"a": 1}}, "concentration"),
    ("robustness", (), {"leave_one_out": "no"}, "leave_one_out"),
    ("robustness", (), {"influence": 1}, "influence"),
]


def _id(case: tuple) -> str:
    name, args, kw = case[:3]
    bits = [type(a).__name__ if not isinstance(a, str | int | float) else repr(a) for a in args]
    bits += [f"{k}={v!r}"[:24] for k, v in kw.items()]
    return f"{name}({', '.join(bits)})"


@pytest.mark.parametrize("case", NAMED, ids=[_id(c) for c in NAMED])
def test_bad_argument_is_named_in_the_error(case, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # Store("x.duckdb") / fetch("x.duckdb", ...) must not litter the repo
    name, args, kw, match = case
    with pytest.raises(LLMFlationError, match=match):
        getattr(lf, name)(*args, **kw)
    assert not list(tmp_path.iterdir()) or name == "Store"  # refused before a store file is created


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_bad_argument_raises_llmflation_error(case, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # Store("x.duckdb") must not litter the repo
    name, args, kw = case
    fn = getattr(lf, name)
    with pytest.raises(LLMFlationError):
        fn(*args, **kw)


COVERED = {c[0] for c in CASES} | {c[0] for c in NAMED}
#: Every public function (classes included: ``Store``), except the result type.
PUBLIC = sorted(n for n in lf.__all__ if n not in ("__version__", "HypothesisTest") and callable(getattr(lf, n)))


def test_enough_cases():
    assert len(CASES) >= 100
    assert len(COVERED) >= 35


@pytest.mark.parametrize("name", PUBLIC)
def test_every_public_function_has_three_bad_argument_cases(name):
    n = sum(c[0] == name for c in CASES) + sum(c[0] == name for c in NAMED)
    assert n >= 3, f"{name} has {n} bad-argument case(s); add cases to CASES or NAMED"


def test_hhi_fraction_message_suggests_unit():
    with pytest.raises(LLMFlationError, match="unit='fraction'"):
        lf.hhi([0.5, 0.5])
    assert lf.hhi([0.5, 0.5], unit="fraction") == 5000.0
