"""Small samples stated: elasticity without infinite intervals; US–China by release year;
per-task beside per-token reasoning premium."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from llmflation.study.elasticity import elasticity_small_sample, merge_singleton_years
from llmflation.study.premium import reasoning_class
from llmflation.study.task_cost import per_task_premium
from llmflation.study.us_china import us_china_same_years
from tolerances import IDENTITY_RTOL


def test_singleton_year_is_merged_and_hc3_intervals_are_finite():
    rng = np.random.default_rng(1)
    n = 17
    c = np.exp(rng.uniform(15, 22, n))
    d = pd.DataFrame({"price_usd_per_mtok": c ** 0.45 * np.exp(rng.normal(0, 0.3, n)), "training_cost_usd": c,
                      "release_year": [2020] + [2023] * 6 + [2024] * 5 + [2025] * 5,
                      "is_reasoning": [False] * 12 + [True] * 5, "open_weights": [True, False] * 8 + [True]})
    years, merged = merge_singleton_years(d["release_year"])
    assert merged == ["2020 → 2023"] and (years.value_counts() >= 2).all()
    f = elasticity_small_sample(d).set_index("spec")
    assert np.isfinite(f[["conf_low", "conf_high"]].to_numpy()).all()
    assert f.loc["bivariate", "estimate"] == pytest.approx(0.45, abs=0.1)
    assert (f["n"] == n).all() and "merged" in f.iloc[1]["note"]


def test_us_china_same_years_removes_vintage_composition():
    """US models include old, cheap runs; at equal years costs are equal: the same-year gap is 1."""
    rng = np.random.default_rng(2)
    rows = []
    for year, n_us, n_cn in ((2016, 20, 0), (2018, 15, 0), (2023, 10, 10), (2024, 10, 10)):
        lvl = 10 + 1.2 * (year - 2016)
        for c, k in (("US", n_us), ("China", n_cn)):
            lc = lvl + rng.normal(0, 0.2, k)
            rows += [{"country": c, "cost_usd": float(np.exp(v)), "flop": float(np.exp(v + 30)), "year": year}
                     for v in lc]
    d = pd.DataFrame(rows)
    naive = float(np.exp(np.log(d.loc[d.country == "US", "cost_usd"]).mean()
                         - np.log(d.loc[d.country == "China", "cost_usd"]).mean()))
    assert naive < 0.2  # the pooled "gap" is composition
    f = us_china_same_years(d, n_boot=200).set_index("term")
    assert f.loc["cost_geometric_gap", "conf_low"] < 1 < f.loc["cost_geometric_gap", "conf_high"]
    assert f.loc["cost_arithmetic_gap", "estimate"] > 0


def test_strict_reasoning_flag_and_per_task_premium():
    assert reasoning_class("o3-mini") == "strict" and reasoning_class("deepseek-r1") == "strict"
    assert reasoning_class("claude-3-7-sonnet", True) == "hybrid"
    assert reasoning_class("gpt-4o", False) == "none"
    c = pd.DataFrame({"model": ["o1", "o1-mini", "o3-mini", "claude-3-7", "gpt-4o", "gpt-4o-mini", "llama"],
                      "task": "T", "is_reasoning": [True, True, True, True, False, False, False],
                      "output_tokens_per_task": [4000, 2000, 3000, 1000, 400, 200, 300.0],
                      "price_usd_per_mtok": [20, 4, 4, 6, 10, 2, 1.0]})
    c["cost_usd_per_task"] = c["output_tokens_per_task"] * c["price_usd_per_mtok"] / 1e6
    t = per_task_premium(c).table.set_index(["reasoning_class", "term"])
    task = t.loc[("strict", "per_task_cost"), "estimate"]
    tok = t.loc[("strict", "per_token_price"), "estimate"]
    out = t.loc[("strict", "output_tokens_per_task"), "estimate"]
    assert task == pytest.approx(tok * out, rel=IDENTITY_RTOL)  # per task = per token × tokens
    assert ("hybrid", "per_task_cost") in t.index
    assert np.isnan(t.loc[("hybrid", "per_task_cost"), "conf_low"])  # one hybrid: no interval, said so


def test_us_china_defaults_to_same_release_years():
    """Vintage composition: older US models with no Chinese contemporaries are left out by default."""
    import pandas as pd

    from llmflation.study.us_china import us_china

    d = pd.DataFrame({"country": ["US"] * 4 + ["China"] * 3,
                      "cost_usd": [1e9, 1e9, 1.0, 2.0, 1.0, 2.0, 4.0],
                      "flop": [1.0] * 7, "year": [2015, 2016, 2024, 2024, 2024, 2024, 2024]})
    same = us_china(d, n_boot=200)
    pooled = us_china(d, n_boot=200, same_years=False)
    assert same.n_us == 2 and pooled.n_us == 4
    assert same.cost_gap < 2 < pooled.cost_gap
    assert any("same release years only" in n for n in same.notes)
