"""Cost decomposition, elasticity and US–China: known truth, published answers, backends."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from llmflation.errors import InputError
from llmflation.methods.bootstrap import parallel_map, task_seeds
from llmflation.methods.ols import robust_ols as _robust_ols
from llmflation.study.decomposition import PAPER_TFP_SHARE, DecompositionResult, cost_decomposition
from llmflation.study.elasticity import PAPER_ELASTICITY, RegressionResult, elasticity
from llmflation.study.us_china import (
    PAPER_US_CHINA_GAP,
    USChinaResult,
    _china_regression,
    us_china,
    us_china_data,
)
from tolerances import IDENTITY_RTOL, IMPL_RTOL

REF = Path(__file__).parent / "reference"

#: Noiseless synthetic data: recovered to floating-point accuracy.
SYNTH_TOL = 1e-9
#: R's saved printout (welch_sleep): half a unit in the last printed digit.
R_PRINT_T_TOL, R_PRINT_DF_TOL, R_PRINT_P_TOL, R_PRINT_CI_TOL = 5e-5, 5e-4, 5e-5, 5e-8
#: StatisticalTests.jl's 15-digit Welch test vector (welch_sleep, full_precision).
FULL_PRECISION_RTOL = 1e-9
#: Stata's 14-digit `regress, vce(robust)` output (hc1_stata_macro).
STATA_RTOL = 1e-8
STATA_P_RTOL = 1e-6
#: Stata `vce(cluster)` on Grunfeld: statsmodels' own tolerance for this case.
STATA_CLUSTER_RTOL = 1e-6
STATA_CLUSTER_P_RTOL = 1e-5


def _ref(case):
    d = REF / case
    return pd.read_csv(d / "data.csv"), json.loads((d / "expected.json").read_text())


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
    # residual = dP − measured factors, with the chip-mix term as computed above
    assert t.loc["tfp_residual", "log_change"] == pytest.approx(
        -2.0 - (-0.3) - (mix + 0.3) - 0.1 - 0.05, abs=SYNTH_TOL)
    assert res.tfp_share == pytest.approx(t.loc["tfp_residual", "share_pct"])
    assert set(res.sources["term"]) >= set(parts[:-1])
    assert "Growth accounting" in res.summary()


def test_decomposition_hosting_option_and_sensitivity():
    data = _decomp_data(d_ppi=0.05)
    inc = cost_decomposition(data, start=2023, end=2024)
    exc = cost_decomposition(data, start=2023, end=2024, hosting="exclude")
    ti, te = inc.table.set_index("term"), exc.table.set_index("term")
    assert "energy_hosting" not in te.index
    # excluding the PPI leaves its +0.05 log change in the residual, nothing else moves
    assert te.loc["tfp_residual", "log_change"] == pytest.approx(
        ti.loc["tfp_residual", "log_change"] + 0.05, abs=SYNTH_TOL)
    for r in (inc, exc):
        sens = r.sensitivity.set_index("hosting")["tfp_residual_share_pct"]
        assert sens["include"] == pytest.approx(ti.loc["tfp_residual", "share_pct"], abs=SYNTH_TOL)
        assert sens["exclude"] == pytest.approx(te.loc["tfp_residual", "share_pct"], abs=SYNTH_TOL)
        assert any("double counting" in n for n in r.notes)
    parts = [k for k in te.index if k not in ("price_per_capability",
                                             "gpu_hardware (rental + price-performance)")]
    assert te.loc[parts, "share_pct"].sum() == pytest.approx(100.0, abs=1e-9)
    assert exc.config["hosting"] == "exclude"
    with pytest.raises(InputError, match="hosting='none' is not allowed"):
        cost_decomposition(data, start=2023, end=2024, hosting="none")


def test_decomposition_missing_parameter_counts_give_nan_not_zero():
    data = _decomp_data()
    pr = data["prices"].copy()
    pr.loc[pr["year"] == 2024, "ln_params"] = np.nan
    res = cost_decomposition({**data, "prices": pr}, start=2023, end=2024)
    t = res.table.set_index("term")
    for term in ("model_compute_per_token", "tfp_residual"):
        assert np.isnan(t.loc[term, "log_change"]) and np.isnan(t.loc[term, "share_pct"])
    assert np.isnan(res.tfp_share)
    assert res.sensitivity["tfp_residual_share_pct"].isna().all()
    # the factors that were measured are unaffected
    assert t.loc["gpu_rental_price", "log_change"] == pytest.approx(-0.3, abs=SYNTH_TOL)
    note = next(n for n in res.notes if "model_compute_per_token not measured" in n)
    assert "20 in 2023, 0 in 2024" in note and "NaN rather than 0" in note


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
    assert res.n == n
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
    assert se == pytest.approx(math.sqrt(V[1, 1]), rel=IMPL_RTOL)


def test_elasticity_hc1_matches_stata_regress_vce_robust():
    # tests/reference/hc1_stata_macro: Stata `regress g_realinv g_realgdp L.realint,
    # vce(robust)`; elasticity() logs its inputs, so pass exp() of the Stata regressors.
    data, exp = _ref("hc1_stata_macro")
    e = exp["stata_regress_vce_robust"]
    d = pd.DataFrame({"p": np.exp(400 * np.diff(np.log(data["realinv"]))),
                      "c": np.exp(400 * np.diff(np.log(data["realgdp"]))),
                      "realint_lag": data["realint"].to_numpy()[:-1]})
    res = elasticity(d, price="p", cost="c", controls=("realint_lag",), cov_type="HC1")
    assert res.n == e["N"]
    c = res.coefficients.set_index("term").loc[["log_training_cost", "realint_lag", "const"]]
    for ours, theirs in [("estimate", "b"), ("std_error", "se"), ("statistic", "t"),
                         ("conf_low", "ll"), ("conf_high", "ul")]:
        np.testing.assert_allclose(c[ours], e[theirs], rtol=STATA_RTOL, err_msg=ours)
    np.testing.assert_allclose(c["p_value"], e["pvalue"], rtol=STATA_P_RTOL)
    assert any(f"t({e['df_r']})" in n for n in res.notes)


def test_robust_ols_cluster_matches_stata_regress_vce_cluster():
    # tests/reference/elasticity_stata_grunfeld_cluster: the OLS core of
    # elasticity(cov_type="cluster"); Stata's example data are the first 10 firms.
    data, exp = _ref("elasticity_stata_grunfeld_cluster")
    e = exp["stata_regress_vce_cluster"]
    g = data.iloc[:e["N"]]
    assert g["firm"].nunique() == e["N_clust"]
    X = pd.DataFrame({"mvalue": g["value"], "kstock": g["capital"], "const": 1.0})
    fit, c = _robust_ols(g["invest"], X, cov_type="cluster",
                         groups=pd.factorize(g["firm"])[0])
    for ours, theirs in [("estimate", "b"), ("std_error", "se"), ("statistic", "t"),
                         ("conf_low", "ll"), ("conf_high", "ul")]:
        np.testing.assert_allclose(c[ours], e[theirs], rtol=STATA_CLUSTER_RTOL, err_msg=ours)
    np.testing.assert_allclose(c["p_value"], e["pvalue"], rtol=STATA_CLUSTER_P_RTOL)
    np.testing.assert_allclose(np.asarray(fit.cov_params()), e["cov"], rtol=STATA_CLUSTER_RTOL)


def test_elasticity_errors():
    d = pd.DataFrame({"p": [1.0, 2.0], "c": [1.0, 2.0]})
    with pytest.raises(InputError, match="columns \\['release_year'"):
        elasticity(d, price="p", cost="c")
    with pytest.raises(InputError, match="2 observations"):
        elasticity(d, price="p", cost="c", controls=())
    with pytest.raises(InputError, match="cov_type='HC0' is not allowed"):
        elasticity(d, price="p", cost="c", controls=(), cov_type="HC0")
    flat = pd.DataFrame({"p": [1.0, 2.0, 3.0, 4.0], "c": [5.0] * 4})
    with pytest.raises(InputError, match="'c' does not vary in the 4 usable rows"):
        elasticity(flat, price="p", cost="c", controls=())
    one = pd.DataFrame({"p": [1.0, 2.0, 3.0, 5.0], "c": [1.0, 2.0, 4.0, 8.0], "dev": "a"})
    with pytest.raises(InputError, match="at least 2 clusters"):
        elasticity(one, price="p", cost="c", controls=(), cov_type="cluster", cluster="dev")


def test_elasticity_notes_dropped_constant_control():
    rng = np.random.default_rng(3)
    c = np.exp(rng.uniform(10, 20, 30))
    d = pd.DataFrame({"p": c ** 0.5, "c": c, "is_reasoning": True, "release_year": 2024})
    res = elasticity(d, price="p", cost="c", controls=("is_reasoning", "release_year"))
    assert res.elasticity == pytest.approx(0.5, abs=SYNTH_TOL)
    assert set(res.coefficients["term"]) == {"const", "log_training_cost"}
    assert any("without variation" in n and "is_reasoning" in n for n in res.notes)


def _uc(g1, g2, cost_us=100.0):
    # ln($/FLOP) equals the given values; costs differ by a known factor.
    n1, n2 = len(g1), len(g2)
    flop_us = cost_us / np.exp(g1)
    flop_cn = 1.0 / np.exp(g2)
    return pd.DataFrame({"country": ["US"] * n1 + ["China"] * n2,
                         "cost_usd": np.r_[np.full(n1, cost_us), np.ones(n2)],
                         "flop": np.r_[flop_us, flop_cn], "year": 2024})


def test_us_china_welch_matches_r_sleep_example():
    # tests/reference/welch_sleep: group 1 as "US", group 2 as "China" (t = mean1 − mean2).
    data, exp = _ref("welch_sleep")
    g1 = data.loc[data["group"] == 1, "extra"].to_numpy()
    g2 = data.loc[data["group"] == 2, "extra"].to_numpy()
    res = us_china(_uc(g1, g2), n_boot=200)
    assert isinstance(res, USChinaResult)
    r, full = exp["r_printout"], exp["full_precision"]
    assert res.welch.statistic == pytest.approx(r["statistic"], abs=R_PRINT_T_TOL)
    assert res.welch.df == pytest.approx(r["df"], abs=R_PRINT_DF_TOL)
    assert res.welch.p_value == pytest.approx(r["p_value"], abs=R_PRINT_P_TOL)
    assert res.welch.extra["estimate"] == pytest.approx(r["mean_group_1"] - r["mean_group_2"])
    for k in ("statistic", "df", "p_value"):
        assert getattr(res.welch, k) == pytest.approx(full[k], rel=FULL_PRECISION_RTOL)
    # R's 95% CI of the mean difference from our statistic and df
    se = res.welch.extra["estimate"] / res.welch.statistic
    half = stats.t.ppf(0.975, res.welch.df) * se
    assert res.welch.extra["estimate"] - half == pytest.approx(r["conf_low"], abs=R_PRINT_CI_TOL)
    assert res.welch.extra["estimate"] + half == pytest.approx(r["conf_high"], abs=R_PRINT_CI_TOL)
    assert res.cost_gap == pytest.approx(100.0, rel=SYNTH_TOL)
    # cost gap = compute gap × $/FLOP gap
    assert res.compute_gap * res.usd_per_flop_gap == pytest.approx(res.cost_gap, rel=IDENTITY_RTOL)
    assert {"welch_t_ln_usd_per_flop", "mann_whitney_ln_usd_per_flop",
            "regression_china_ln_usd_per_flop"} <= set(res.to_frame()["term"])


def test_china_regression_drops_missing_years_and_uses_t():
    rng = np.random.default_rng(7)
    n = 40
    year = rng.integers(2020, 2025, n).astype(float)
    country = np.where(np.arange(n) % 3 == 0, "China", "US")
    f = pd.DataFrame({"country": country, "year": year,
                      "ln_upf": -40 + 0.3 * (country == "China") - 0.2 * (year - 2020)
                      + rng.normal(0, 0.5, n)})
    with_gaps = f.copy()
    with_gaps.loc[[1, 2], "year"] = np.nan
    full = _china_regression(f.drop(index=[1, 2]), "null")
    gap = _china_regression(with_gaps, "null")
    # rows without a year are dropped (not imputed): same test as on the complete rows
    assert gap.statistic == pytest.approx(full.statistic, rel=IMPL_RTOL)
    assert gap.extra["n"] == n - 2 and gap.extra["n_dropped_no_year"] == 2
    # t reference with df = n − k (const, china, 4 year dummies), label says so
    assert gap.df == n - 2 - 6
    assert gap.distribution.startswith(f"t({n - 8})")
    assert gap.p_value == pytest.approx(2 * stats.t.sf(abs(gap.statistic), gap.df), rel=IMPL_RTOL)
    d = pd.DataFrame({"country": country, "cost_usd": np.exp(with_gaps["ln_upf"] + 50),
                      "flop": np.exp(50.0), "year": with_gaps["year"]})
    res = us_china(d, n_boot=100, same_years=False)  # the pooled sample keeps the year-less rows
    assert any("2 model(s) without a publication year" in s for s in res.notes)
    only_us = with_gaps[with_gaps["country"] == "US"]
    assert not _china_regression(only_us, "null").computed


def test_paper_figures_are_references_beside_ours():
    # Plumbing (one per module): paper figures appear as paper_value, never as estimates.
    dec = cost_decomposition(_decomp_data(), start=2023, end=2024).table.set_index("term")
    assert dec.loc["tfp_residual", "paper_share_pct"] == PAPER_TFP_SHARE
    assert dec.loc["tfp_residual", "share_pct"] != PAPER_TFP_SHARE
    rng = np.random.default_rng(0)
    c = np.exp(rng.uniform(10, 20, 20))
    el = elasticity(pd.DataFrame({"p": c ** 0.5, "c": c}), price="p", cost="c", controls=())
    assert el.paper_value == PAPER_ELASTICITY != el.elasticity
    uc = us_china(_uc([0.0, 1.0], [0.0, 2.0]), n_boot=100).to_frame()
    assert uc.loc[0, "paper_value"] == PAPER_US_CHINA_GAP != uc.loc[0, "estimate"]


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
    with pytest.raises(InputError, match="n_boot must be an integer >= 100; got 10"):
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
