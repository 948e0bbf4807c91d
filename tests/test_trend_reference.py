"""The OLS core against certified values (NIST StRD Norris) and statsmodels."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

from llmflation.analysis._ols import batched_slopes, bootstrap_slopes, fit_line, inverse_prediction
from llmflation.analysis.trend import LN2, fit_group

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
    assert g.moore.p_value == pytest.approx(stats.t.cdf(t_sm, m.df_resid), rel=1e-9)


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
    assert np.allclose(b[ok], loop[ok, 0], rtol=1e-9)
    assert np.allclose(a[ok], loop[ok, 1], rtol=1e-9)
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
