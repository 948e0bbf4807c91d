"""The OLS core against certified and published values (NIST Norris, R, Stata, Greene) and statsmodels."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

from llmflation.methods.ols import (
    batched_slopes,
    bootstrap_slopes,
    fit_line,
    inverse_prediction,
    ols,
)
from llmflation.study.trends import LN2, fit_group
from tolerances import EXACT_ATOL, IMPL_RTOL

CASE = Path(__file__).parent / "reference" / "trend_nist_norris"
#: NIST certifies 15 significant digits; two-pass centred sums lose a few.
REL_TOL_NIST = 1e-9
#: statsmodels (QR/pinv) vs our closed form on well-conditioned data.
REL_TOL_SM = 1e-10


def test_norris_certified_values() -> None:
    d = pd.read_csv(CASE / "data.csv")
    e = json.loads((CASE / "expected.json").read_text())
    f = fit_line(d["x"], d["y"])
    assert f.intercept == pytest.approx(e["intercept"], rel=REL_TOL_NIST)
    assert f.slope == pytest.approx(e["slope"], rel=REL_TOL_NIST)
    assert f.se_intercept == pytest.approx(e["se_intercept"], rel=REL_TOL_NIST)
    assert f.se_slope == pytest.approx(e["se_slope"], rel=REL_TOL_NIST)
    assert f.sigma == pytest.approx(e["residual_sd"], rel=REL_TOL_NIST)
    assert f.r_squared == pytest.approx(e["r_squared"], rel=REL_TOL_NIST)
    assert f.rss == pytest.approx(e["rss"], rel=REL_TOL_NIST)
    assert f.df_resid == e["df_resid"]


def _data(seed: int = 3, n: int = 25) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(2021, 2026, n))
    y = 3.0 - 0.8 * (x - 2021) + rng.normal(0, 0.6, n)
    return x, y


def test_matches_statsmodels_intervals_and_moore_test() -> None:
    x, y = _data()
    m = sm.OLS(y, sm.add_constant(x)).fit()
    g = fit_group(x, y, n_boot=0)
    assert g.slope_per_year == pytest.approx(m.params[1], rel=REL_TOL_SM)
    assert g.std_error == pytest.approx(m.bse[1], rel=REL_TOL_SM)
    lo, hi = m.conf_int(0.05)[1]
    assert g.rate_ci == pytest.approx((-hi, -lo), rel=REL_TOL_SM)
    assert g.factor_ci == pytest.approx((math.exp(-hi), math.exp(-lo)), rel=REL_TOL_SM)
    assert g.half_life_ci == pytest.approx((LN2 / -lo, LN2 / -hi), rel=REL_TOL_SM)
    assert g.r_squared == pytest.approx(m.rsquared, rel=REL_TOL_SM)
    # H0: rate <= ln2/2  <=>  slope >= -ln2/2; one-sided p from statsmodels' two-sided t test
    t = m.t_test(([0.0, 1.0], -LN2 / 2))
    t_sm = float(np.asarray(t.tvalue).ravel()[0])
    assert g.moore.statistic == pytest.approx(-t_sm, rel=REL_TOL_SM)
    assert g.moore.p_value == pytest.approx(stats.t.cdf(t_sm, m.df_resid), rel=IMPL_RTOL)


def test_prediction_intervals_match_statsmodels() -> None:
    x, y = _data(5)
    m = sm.OLS(y, sm.add_constant(x)).fit()
    f = fit_line(x, y)
    x0 = np.array([2022.5, 2027.9])
    sf = m.get_prediction(sm.add_constant(x0, has_constant="add")).summary_frame(alpha=0.05)
    yhat, lo, hi = f.interval(x0, 0.95, "prediction")
    assert np.allclose(yhat, sf["mean"], rtol=REL_TOL_SM)
    assert np.allclose(lo, sf["obs_ci_lower"], rtol=REL_TOL_SM)
    assert np.allclose(hi, sf["obs_ci_upper"], rtol=REL_TOL_SM)
    _, clo, chi = f.interval(x0, 0.95, "confidence")
    assert np.allclose(clo, sf["mean_ci_lower"], rtol=REL_TOL_SM)
    assert np.allclose(chi, sf["mean_ci_upper"], rtol=REL_TOL_SM)


def test_vectorised_bootstrap_equals_loop_of_fits() -> None:
    x, y = _data(7, 15)
    rng = np.random.default_rng(11)
    idx = rng.integers(0, x.size, size=(200, x.size))
    b, a = batched_slopes(x[idx], y[idx])
    loop = np.array([np.polyfit(x[i], y[i], 1) for i in idx])
    ok = np.isfinite(b)
    assert np.allclose(b[ok], loop[ok, 0], rtol=IMPL_RTOL)
    assert np.allclose(a[ok], loop[ok, 1], rtol=IMPL_RTOL)
    # same seed, same draws
    assert np.array_equal(bootstrap_slopes(x, y, n_boot=300, seed=4), bootstrap_slopes(x, y, n_boot=300, seed=4))


def test_inverse_prediction_is_where_the_confidence_band_meets_y0() -> None:
    x, y = _data(9, 30)
    f = fit_line(x, y)
    y0 = float(f.predict(2024.0))
    xh, lo, hi = inverse_prediction(f, y0, 0.95)
    assert xh == pytest.approx(2024.0)
    # at the bounds the confidence band for the mean just touches y0
    for xb in (lo, hi):
        _, clo, chi = f.interval(xb, 0.95, "confidence")
        assert min(abs(float(clo) - y0), abs(float(chi) - y0)) == pytest.approx(0.0, abs=1e-8)


# --------------------------------------------------------------------------- published OLS examples

REF = Path(__file__).parent / "reference"
#: r-tutor prints R's predict() to 4 decimals: half a unit in the last digit.
ABS_TOL_FAITHFUL = 5e-5
#: Stata prints the clustered covariance to 5 significant digits.
REL_TOL_STATA_PRINTED = 1e-4
#: R prints sandwich's results to 7 significant digits.
REL_TOL_R_7DIGITS = 1e-6


def test_prediction_and_confidence_intervals_match_r_faithful() -> None:
    d = pd.read_csv(REF / "ols_prediction_faithful" / "data.csv")
    e = json.loads((REF / "ols_prediction_faithful" / "expected.json").read_text())
    f = fit_line(d["waiting"], d["eruptions"])
    yhat, lo, hi = f.interval(e["x0"], e["level"], "prediction")
    assert float(yhat) == pytest.approx(e["fit"], abs=ABS_TOL_FAITHFUL)
    assert (float(lo), float(hi)) == pytest.approx((e["prediction"]["lwr"], e["prediction"]["upr"]),
                                                   abs=ABS_TOL_FAITHFUL)
    _, clo, chi = f.interval(e["x0"], e["level"], "confidence")
    assert (float(clo), float(chi)) == pytest.approx((e["confidence"]["lwr"], e["confidence"]["upr"]),
                                                     abs=ABS_TOL_FAITHFUL)


def test_cluster_robust_covariance_matches_stata_petersen() -> None:
    d = pd.read_csv(REF / "ols_cluster_petersen" / "data.csv")
    e = json.loads((REF / "ols_cluster_petersen" / "expected.json").read_text())
    X = np.column_stack([np.ones(len(d)), d["x"]])
    f = ols(X, d["y"], cov="cluster", clusters=d["firm"])
    assert f.n_clusters == e["n_clusters"] and f.df == e["n_clusters"] - 1
    assert np.allclose(f.cov, e["stata_vce_cluster_firm"]["vcov"], rtol=REL_TOL_STATA_PRINTED, atol=0)
    assert np.allclose(f.cov, e["sandwich_vcovCL_firm"]["vcov"], rtol=REL_TOL_R_7DIGITS, atol=0)
    assert np.allclose(f.std_errors, e["se_cluster_firm"], rtol=REL_TOL_R_7DIGITS)
    assert np.allclose(ols(X, d["y"]).std_errors, e["se_classical"], rtol=REL_TOL_R_7DIGITS)
    # the trend's clustered fit is this estimator
    g = fit_group(d["x"].to_numpy(), d["y"].to_numpy(), n_boot=0, clusters=d["firm"].to_numpy())
    assert g.std_error == pytest.approx(e["se_cluster_firm"][1], rel=REL_TOL_R_7DIGITS)
    assert g.df == e["n_clusters"] - 1


def test_white_hc0_matches_greene_public_schools() -> None:
    d = pd.read_csv(REF / "ols_hc0_greene_publicschools" / "data.csv").dropna()
    e = json.loads((REF / "ols_hc0_greene_publicschools" / "expected.json").read_text())
    inc = d["Income"].to_numpy(dtype=float) * 1e-4
    X = np.column_stack([np.ones(len(d)), inc, inc**2])
    f0 = ols(X, d["Expenditure"], cov="HC0")
    assert f0.n == 50 and f0.df == e["df_resid"]
    assert np.allclose(f0.params, e["coef"], rtol=REL_TOL_R_7DIGITS)
    assert np.allclose(f0.std_errors, e["se_hc0"], rtol=REL_TOL_R_7DIGITS)
    assert np.allclose(ols(X, d["Expenditure"]).std_errors, e["se_const"], rtol=REL_TOL_R_7DIGITS)
    # HC1 is HC0 scaled by n / (n − k) (checked against Stata in tests/test_premium_reference.py)
    f1 = ols(X, d["Expenditure"], cov="HC1")
    assert np.allclose(f1.cov, f0.cov * 50 / 47, rtol=IMPL_RTOL)


def test_cluster_bootstrap_resamples_whole_clusters() -> None:
    x, y = _data(7, 12)
    cl = np.arange(12) // 3
    draws = bootstrap_slopes(x, y, n_boot=300, seed=5, kind="cluster", clusters=cl)
    # same draws as fitting each resample of clusters explicitly
    rng = np.random.default_rng(5)
    idx = rng.integers(0, 4, size=(300, 4))
    loop = []
    for row in idx:
        rows = np.concatenate([np.flatnonzero(cl == c) for c in row])
        xs = x[rows]
        loop.append(np.nan if np.ptp(xs) == 0 else np.polyfit(xs, y[rows], 1)[0])
    loop_a = np.asarray(loop)
    assert np.allclose(draws, loop_a[np.isfinite(loop_a)], rtol=IMPL_RTOL)
    with pytest.raises(Exception, match="needs clusters"):
        bootstrap_slopes(x, y, kind="cluster")


def test_r_squared_is_undefined_for_constant_y() -> None:
    f = fit_line([0.0, 1.0, 2.0, 3.0], [0.1, 0.1, 0.1, 0.1])
    assert math.isnan(f.r_squared) and f.slope == pytest.approx(0.0, abs=EXACT_ATOL)
    assert fit_line([0.0, 1.0, 2.0], [1.0, 3.0, 5.0]).r_squared == pytest.approx(1.0)
