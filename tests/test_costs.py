"""Cost decomposition, elasticity and US–China: known truth, published answers, backends."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from llmflation.analysis._parallel import parallel_map, task_seeds
from llmflation.analysis.costs import (
    PAPER_ELASTICITY,
    PAPER_TFP_SHARE,
    DecompositionResult,
    RegressionResult,
    USChinaResult,
    cost_decomposition,
    elasticity,
    us_china,
    us_china_data,
)
from llmflation.errors import InputError

#: Noiseless synthetic data: recovered to floating-point accuracy.
SYNTH_TOL = 1e-9
#: R's printout of the Welch test has 4-5 significant digits.
R_PRINT_TOL = 5e-4

# Welch two-sample t-test on the `sleep` data (Cushny & Peebles 1905, via Student 1908),
# as printed by R's documentation example `t.test(extra ~ group, data = sleep)`
# (R 4.x, ?t.test): t = -1.8608, df = 17.776, p-value = 0.07939.
SLEEP_G1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
SLEEP_G2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]
SLEEP_T, SLEEP_DF, SLEEP_P = -1.8608, 17.776, 0.07939


def _decomp_data(dP=-2.0, d_rent=-0.3, d_mix=-0.2, d_par=0.1, d_ppi=0.05, seed=0):
    rng = np.random.default_rng(seed)
    n = 40
    year = np.repeat([2023, 2024], n // 2)
    eci = rng.uniform(100, 140, n)
    t = (year == 2024).astype(float)
    prices = pd.DataFrame({"year": year, "eci": eci,
                           "ln_price": 1.0 + 0.05 * eci + dP * t,
                           "ln_params": 20 + 0.03 * eci + d_par * t})
    chips = np.array(["a", "b", "c", "a", "b", "c", "b", "c"])
    ry = np.array([2023, 2023, 2023, 2024, 2024, 2024, 2024, 2024])
    chip_fe = {"a": 0.0, "b": 0.7, "c": 1.5}
    ln_rent = np.array([chip_fe[c] for c in chips]) + d_rent * (ry == 2024)
    # FLOP/s per chip; $/FLOP change beyond the constant-chip rental is the chip mix.
    flops = {"a": 30.0, "b": 31.0, "c": 32.0}
    ln_flops = np.array([flops[c] for c in chips])
    rentals = pd.DataFrame({"year": ry, "chip": chips, "ln_usd_per_chip_hour": ln_rent,
                            "ln_flops": ln_flops})
    ppi = pd.DataFrame({"year": [2023, 2023, 2024, 2024], "ln_ppi": [4.6, 4.6, 4.65, 4.65]})
    return {"prices": prices, "rentals": rentals, "ppi": ppi}


def test_decomposition_known_truth_and_shares_add_to_100():
    data = _decomp_data()
    res = cost_decomposition(data, start=2023, end=2024)
    assert isinstance(res, DecompositionResult)
    t = res.table.set_index("term")
    assert t.loc["price_per_capability", "log_change"] == pytest.approx(-2.0, abs=SYNTH_TOL)
    assert t.loc["gpu_rental_price", "log_change"] == pytest.approx(-0.3, abs=SYNTH_TOL)
    assert t.loc["model_compute_per_token", "log_change"] == pytest.approx(0.1, abs=SYNTH_TOL)
    assert t.loc["energy_hosting", "log_change"] == pytest.approx(0.05, abs=SYNTH_TOL)
    # $/FLOP time-dummy mean (no chip FE) minus constant-chip rental = chip-mix term
    r = data["rentals"]
    mix = ((r.loc[r.year == 2024, "ln_usd_per_chip_hour"] - r.loc[r.year == 2024, "ln_flops"]).mean()
           - (r.loc[r.year == 2023, "ln_usd_per_chip_hour"] - r.loc[r.year == 2023, "ln_flops"]).mean())
    assert t.loc["hardware_price_performance", "log_change"] == pytest.approx(mix + 0.3, abs=SYNTH_TOL)
    parts = ["gpu_rental_price", "hardware_price_performance", "model_compute_per_token",
             "energy_hosting", "tfp_residual"]
    assert t.loc[parts, "share_pct"].sum() == pytest.approx(100.0, abs=1e-9)
    assert t.loc["tfp_residual", "paper_share_pct"] == PAPER_TFP_SHARE
    assert res.tfp_share == pytest.approx(t.loc["tfp_residual", "share_pct"])
    assert set(res.sources["term"]) >= set(parts[:-1])
    assert "Growth accounting" in res.summary()


def test_decomposition_errors():
    data = _decomp_data()
    with pytest.raises(InputError, match="no observation in 2023 or 2026"):
        cost_decomposition(data, start=2023, end=2026)
    with pytest.raises(InputError, match="must be after"):
        cost_decomposition(data, start=2024, end=2023)
    with pytest.raises(InputError, match="lacks 'ppi'"):
        cost_decomposition({"prices": data["prices"], "rentals": data["rentals"]})


def test_elasticity_recovers_known_slope_with_controls():
    rng = np.random.default_rng(1)
    n = 80
    cost = np.exp(rng.uniform(12, 22, n))
    year = rng.integers(2022, 2026, n)
    reasoning = rng.integers(0, 2, n).astype(bool)
    openw = rng.integers(0, 2, n).astype(bool)
    ln_p = (0.432 * np.log(cost) - 0.5 * (year - 2022) + 1.2 * reasoning - 0.8 * openw)
    d = pd.DataFrame({"price_usd_per_mtok": np.exp(ln_p), "training_cost_usd": cost,
                      "release_year": year, "is_reasoning": reasoning, "open_weights": openw,
                      "developer": rng.choice(list("abcdef"), n)})
    res = elasticity(d)
    assert isinstance(res, RegressionResult)
    assert res.elasticity == pytest.approx(0.432, abs=SYNTH_TOL)
    assert res.n == n and res.paper_value == PAPER_ELASTICITY
    fr = res.to_frame()
    assert list(fr.columns[:8]) == ["term", "estimate", "std_error", "statistic", "p_value",
                                    "conf_low", "conf_high", "n"]
    lin = elasticity(d, year_effects="linear", cov_type="cluster")
    assert lin.elasticity == pytest.approx(0.432, abs=SYNTH_TOL)
    assert lin.cov_type == "cluster"


def test_elasticity_robust_se_matches_hc1_formula():
    rng = np.random.default_rng(2)
    n = 50
    x = rng.normal(15, 2, n)
    y = 0.4 * x + rng.normal(0, 0.5 + 0.2 * np.abs(x - 15), n)
    d = pd.DataFrame({"p": np.exp(y), "c": np.exp(x)})
    res = elasticity(d, price="p", cost="c", controls=())
    X = np.c_[np.ones(n), x]
    b = np.linalg.lstsq(X, y, rcond=None)[0]
    e = y - X @ b
    XtXi = np.linalg.inv(X.T @ X)
    V = XtXi @ (X.T * e**2) @ X @ XtXi * n / (n - 2)  # HC1 (White, with n/(n-k))
    se = res.coefficients.set_index("term").loc["log_training_cost", "std_error"]
    assert se == pytest.approx(math.sqrt(V[1, 1]), rel=1e-10)


def test_elasticity_errors():
    d = pd.DataFrame({"p": [1.0, 2.0], "c": [1.0, 2.0]})
    with pytest.raises(InputError, match="columns \\['release_year'"):
        elasticity(d, price="p", cost="c")
    with pytest.raises(InputError, match="2 observations"):
        elasticity(d, price="p", cost="c", controls=())
    with pytest.raises(InputError, match="cov_type='HC0' is not allowed"):
        elasticity(d, price="p", cost="c", controls=(), cov_type="HC0")


def _uc(g1, g2, cost_us=100.0):
    # ln($/FLOP) equals the given values; costs differ by a known factor.
    n1, n2 = len(g1), len(g2)
    flop_us = cost_us / np.exp(g1)
    flop_cn = 1.0 / np.exp(g2)
    return pd.DataFrame({"country": ["US"] * n1 + ["China"] * n2,
                         "cost_usd": np.r_[np.full(n1, cost_us), np.ones(n2)],
                         "flop": np.r_[flop_us, flop_cn], "year": 2024})


def test_us_china_welch_matches_r_sleep_example():
    res = us_china(_uc(SLEEP_G1, SLEEP_G2), n_boot=200)
    assert isinstance(res, USChinaResult)
    assert res.welch.statistic == pytest.approx(SLEEP_T, abs=R_PRINT_TOL)
    assert res.welch.df == pytest.approx(SLEEP_DF, abs=R_PRINT_TOL)
    assert res.welch.p_value == pytest.approx(SLEEP_P, abs=R_PRINT_TOL / 10)
    assert res.cost_gap == pytest.approx(100.0, rel=SYNTH_TOL)
    # cost gap = compute gap × $/FLOP gap
    assert res.compute_gap * res.usd_per_flop_gap == pytest.approx(res.cost_gap, rel=1e-10)
    fr = res.to_frame()
    assert fr.loc[0, "paper_value"] == 63.0
    assert {"welch_t_ln_usd_per_flop", "mann_whitney_ln_usd_per_flop",
            "regression_china_ln_usd_per_flop"} <= set(fr["term"])


def test_us_china_bootstrap_ci_covers_and_is_seeded():
    rng = np.random.default_rng(4)
    d = pd.DataFrame({"country": ["US"] * 30 + ["China"] * 20,
                      "cost_usd": np.r_[np.exp(rng.normal(np.log(63), 1, 30)),
                                        np.exp(rng.normal(0, 1, 20))],
                      "flop": 1.0, "year": 2024})
    a = us_china(d, n_boot=2000, seed=3)
    b = us_china(d, n_boot=2000, seed=3, n_jobs=2, backend="loky")
    c = us_china(d, n_boot=2000, seed=3, n_jobs=2, backend="threading")
    assert a.cost_gap_ci == b.cost_gap_ci == c.cost_gap_ci
    assert a.cost_gap_ci[0] < a.cost_gap < a.cost_gap_ci[1]
    assert us_china(d, n_boot=2000, seed=4).cost_gap_ci != a.cost_gap_ci


@pytest.mark.slow
def test_us_china_dask_backend_identical():
    pytest.importorskip("dask.distributed")
    rng = np.random.default_rng(5)
    d = pd.DataFrame({"country": ["US"] * 15 + ["China"] * 10,
                      "cost_usd": np.exp(rng.normal(0, 1, 25)), "flop": 1.0, "year": 2024})
    a = us_china(d, n_boot=1000, seed=9)
    b = us_china(d, n_boot=1000, seed=9, n_jobs=2, backend="dask")
    assert a.cost_gap_ci == b.cost_gap_ci


def test_us_china_not_computed_when_no_flop():
    d = pd.DataFrame({"country": ["US", "US", "China", "China"],
                      "cost_usd": [1.0, 2.0, 3.0, 4.0], "flop": [np.nan] * 4, "year": 2024})
    res = us_china(d, n_boot=100)
    assert not res.welch.computed and "too few models" in res.welch.reason
    with pytest.raises(InputError, match="at least 2 US and 2 Chinese"):
        us_china(d.iloc[:3], n_boot=100)
    with pytest.raises(InputError, match="n_boot=10 is too small"):
        us_china(d, n_boot=10)


def test_us_china_data_classifies_countries():
    m = pd.DataFrame({
        "Model": ["a", "b", "c", "d"],
        "Country (of organization)": ["United States of America",
                                      "United States of America,United States of America",
                                      "China", "United States of America,China"],
        "Training compute cost (2023 USD)": [1.0, 2.0, 3.0, 4.0],
        "Training compute (FLOP)": [1e20, 0.0, 1e21, 1e22],
        "Publication date": ["2023-01-01"] * 4})
    d = us_china_data(m)
    assert d["country"].tolist() == ["US", "US", "China"]
    assert np.isnan(d.loc[1, "flop"])  # zero compute is missing, not 0


def test_parallel_map_and_seeds():
    assert parallel_map(abs, [-1, -2], n_jobs=2, backend="threading") == [1, 2]
    assert task_seeds(5, 3) == task_seeds(5, 3) and len(set(task_seeds(5, 3))) == 3
    with pytest.raises(InputError, match="backend='ray' is not allowed"):
        parallel_map(abs, [1], backend="ray")
