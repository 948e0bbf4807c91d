"""Structural breaks: synthetic truth, invariants, independent cross-checks, input errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from llmflation.errors import InputError
from llmflation.methods import _breaks_core as core
from llmflation.methods.breaks import (
    BreaksResult,
    SupFResult,
    bai_perron,
    chow_test,
    cusum_test,
    sup_f_test,
)
from llmflation.methods.hansen import hansen_pvalue
from llmflation.results import HypothesisTest
from tolerances import IMPL_RTOL

SEED = 20240513
# statsmodels and our F/Wald differ only by floating-point summation order
XCHECK_RTOL = 1e-8


def piecewise(levels, lengths, slopes=None, noise=0.0, seed=SEED, start=2000) -> pd.Series:
    rng = np.random.default_rng(seed)
    parts = []
    t0 = 0
    for i, (lev, ln) in enumerate(zip(levels, lengths, strict=True)):
        t = np.arange(t0, t0 + ln, dtype=float)
        s = 0.0 if slopes is None else slopes[i]
        parts.append(lev + s * t)
        t0 += ln
    y = np.concatenate(parts) + noise * rng.standard_normal(t0)
    return pd.Series(y, index=pd.period_range(f"{start}-01", periods=t0, freq="M"))


# --------------------------------------------------------------------------- synthetic truth


def test_piecewise_constant_recovered_exactly_without_noise() -> None:
    y = piecewise([1.0, 3.0, 0.5, 2.0], [30, 40, 25, 25])
    r = bai_perron(y, max_breaks=5, min_size=10)
    assert r.positions_by_m[3] == (30, 70, 95)
    assert r.n_breaks == 3 and r.breaks == tuple(y.index[[29, 69, 94]])
    assert r.rss_by_m[3] == pytest.approx(0.0, abs=1e-9)
    assert r.criterion == "bic"


def test_piecewise_linear_recovered_exactly_without_noise() -> None:
    y = piecewise([0.0, 5.0, -2.0], [40, 35, 45], slopes=[0.1, -0.05, 0.02])
    r = bai_perron(y, "trend", max_breaks=4, trim=0.1)
    assert r.positions_by_m[2] == (40, 75)
    assert r.n_breaks == 2
    coef = r.coef.pivot(index="segment", columns="term", values="estimate")
    np.testing.assert_allclose(coef["trend"].to_numpy(), [0.1, -0.05, 0.02], atol=1e-9)


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_moderate_noise_within_one_period(seed: int) -> None:
    y = piecewise([1.0, 2.5, 0.5], [50, 50, 50], noise=0.4, seed=seed)
    r = bai_perron(y, max_breaks=5)
    assert r.n_breaks == 2
    assert np.all(np.abs(np.array(r.break_positions) - [50, 100]) <= 1)
    ci = r.conf_int
    assert (ci["conf_low"] <= [50, 100]).all() and (ci["conf_high"] >= [50, 100]).all()


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_trend_break_moderate_noise(seed: int) -> None:
    y = piecewise([0.0, 4.0], [60, 60], slopes=[0.05, -0.03], noise=0.3, seed=seed)
    r = bai_perron(y, "trend", max_breaks=3)
    assert r.n_breaks == 1 and abs(r.break_positions[0] - 60) <= 1
    s = sup_f_test(y, "trend")
    assert abs(s.break_position - 60) <= 1 and s.p_value < 1e-6


@pytest.mark.parametrize("k,seed", [(1, 1), (1, 2), (2, 3), (3, 4)])
def test_dynamic_programming_equals_brute_force(k: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, h = 40, 6
    X = np.column_stack([np.ones(n), rng.standard_normal((n, k - 1))])
    y = rng.standard_normal(n) + np.repeat(rng.normal(0, 2, 4), 10)
    Xc, yc = core.condition(X, y)
    rss, pos = core.dp_breaks(Xc, yc, h, 3)
    for m in range(4):
        b_rss, b_pos = core.brute_force_breaks(X, y, h, m)
        assert rss[m] == pytest.approx(b_rss, rel=IMPL_RTOL)
        assert tuple(pos[m, :m]) == b_pos


def test_no_break_in_stable_series() -> None:
    rng = np.random.default_rng(SEED)
    y = pd.Series(rng.standard_normal(150))
    r = bai_perron(y)
    assert r.n_breaks == 0 and r.breaks == () and r.conf_int.empty
    assert sup_f_test(y).p_value > 0.05
    assert cusum_test(y).p_value > 0.05 and cusum_test(y, kind="rec").p_value > 0.05


def test_sequential_criterion_and_lwz() -> None:
    y = piecewise([0.0, 1.5, -1.0], [60, 60, 60], noise=0.5, seed=7)
    seq = bai_perron(y, criterion="sequential")
    lwz = bai_perron(y, criterion="lwz")
    assert seq.n_breaks == 2 and lwz.n_breaks == 2
    t = seq.sequential.set_index("l")
    assert t.loc[0, "p_value"] < 0.01 and t.loc[1, "p_value"] < 0.01 and t.loc[2, "p_value"] > 0.05
    assert t.loc[0, "wald"] == pytest.approx(t.loc[0, "statistic"])  # k = 1


def test_sup_f_size_under_the_null() -> None:
    """Hansen p-values are roughly uniform under H0 (5% rejections in 300 replications)."""
    rng = np.random.default_rng(SEED)
    p = [sup_f_test(pd.Series(rng.standard_normal(120))).p_value for _ in range(300)]
    rate = np.mean(np.array(p) < 0.05)
    assert 0.015 <= rate <= 0.095


def test_hansen_pvalues_match_andrews_and_are_monotone() -> None:
    lam = ((1 - 0.15) / 0.15) ** 2
    xs = np.linspace(1, 30, 40)
    ps = [hansen_pvalue(x, "sup", 2, lam) for x in xs]
    assert all(a >= b for a, b in zip(ps, ps[1:], strict=False))
    # tau = 0.5 degenerates to the chi-square(k) tail
    assert hansen_pvalue(5.0, "sup", 3, 1.0) == pytest.approx(0.1717971, rel=1e-6)
    assert hansen_pvalue(5.0, "sup", 60, lam) == hansen_pvalue(5.0, "sup", 40, lam)


# --------------------------------------------------------------------------- cross-checks


def _interaction_fit(y: np.ndarray, X: np.ndarray, b: int, **fit_kw):
    d = (np.arange(len(y)) >= b).astype(float)
    Z = np.column_stack([X, X * d[:, None]])
    return sm.OLS(y, Z).fit(**fit_kw), X.shape[1]


def test_chow_equals_statsmodels_f_test() -> None:
    rng = np.random.default_rng(SEED)
    n = 80
    X = np.column_stack([np.ones(n), rng.standard_normal(n)])
    y = X @ [1.0, 0.5] + rng.standard_normal(n) + (np.arange(n) >= 50) * 0.8
    t = chow_test(pd.Series(y), pd.DataFrame(X, columns=["c", "x"]), break_at=49)
    fit, k = _interaction_fit(y, X, 50)
    R = np.hstack([np.zeros((k, k)), np.eye(k)])
    ft = fit.f_test(R)
    assert t.statistic == pytest.approx(float(np.squeeze(ft.fvalue)), rel=XCHECK_RTOL)
    assert t.p_value == pytest.approx(float(ft.pvalue), rel=1e-6)
    assert t.df == (2, 76)


def test_chow_hac_equals_statsmodels_wald() -> None:
    rng = np.random.default_rng(SEED)
    n = 90
    e = np.zeros(n)
    for i in range(1, n):
        e[i] = 0.6 * e[i - 1] + rng.standard_normal()
    X = np.column_stack([np.ones(n), np.arange(n, dtype=float)])
    y = X @ [1.0, 0.02] + e
    t = chow_test(pd.Series(y), "trend", break_at=44, cov="hac", hac_lags=4)
    fit, k = _interaction_fit(y, X, 45, cov_type="HAC", cov_kwds={"maxlags": 4, "use_correction": False})
    R = np.hstack([np.zeros((k, k)), np.eye(k)])
    w = fit.wald_test(R, use_f=False, scalar=True)
    assert t.statistic == pytest.approx(float(w.statistic) / k, rel=XCHECK_RTOL)
    assert t.config["hac_lags"] == 4 and "HAC" in t.name


def test_partial_break_sup_f_uses_q_breaking_coefficients() -> None:
    rng = np.random.default_rng(3)
    n = 100
    x = rng.standard_normal(n)
    y = 1 + 0.5 * x + (np.arange(n) >= 60) * 1.5 + 0.3 * rng.standard_normal(n)
    X = pd.DataFrame({"c": 1.0, "x": x})
    r = sup_f_test(pd.Series(y), X, breaking=["c"])
    assert r.df == 1 and abs(r.break_position - 60) <= 1
    full = sup_f_test(pd.Series(y), X)
    assert full.df == 2
    t = chow_test(pd.Series(y), X, break_at=59, breaking="c")
    fit, _ = _interaction_fit(y, X.to_numpy(), 60)
    # partial model: only the constant interacts
    d = (np.arange(n) >= 60).astype(float)
    f2 = sm.OLS(y, np.column_stack([X.to_numpy(), d])).fit()
    assert t.statistic == pytest.approx(float(f2.tvalues[-1]) ** 2, rel=XCHECK_RTOL)


def test_sup_f_hac_option_runs_and_is_robust() -> None:
    rng = np.random.default_rng(SEED)
    n = 120
    e = np.zeros(n)
    for i in range(1, n):
        e[i] = 0.8 * e[i - 1] + rng.standard_normal()
    y = pd.Series(e)
    ols, hac = sup_f_test(y), sup_f_test(y, cov="hac")
    assert hac.statistic < ols.statistic  # positive autocorrelation inflates the OLS F
    assert hac.config["cov"] == "hac" and hac.config["hac_lags"] == core.nw_lags(n)
    assert "HAC" in " ".join(hac.notes)
    bp = bai_perron(piecewise([0, 2], [60, 60], noise=0.5), cov="hac")
    assert bp.n_breaks == 1 and np.isfinite(bp.conf_int["conf_low"]).all()


def test_f_sequence_matches_direct_chow() -> None:
    y = piecewise([1.0, 2.0], [30, 30], noise=0.5, seed=5)
    r = sup_f_test(y, "trend", trim=0.2)
    for lab in list(r.f_stats.index)[::7]:
        t = chow_test(y, "trend", break_at=lab)
        assert r.f_stats[lab] == pytest.approx(2 * t.statistic, rel=1e-8)


def test_exp_and_ave_definitions() -> None:
    y = piecewise([1.0, 1.4], [40, 40], noise=0.5, seed=9)
    r = sup_f_test(y)
    f = r.f_stats.to_numpy()
    assert r.ave_f == pytest.approx(f.mean())
    assert r.exp_f == pytest.approx(np.log(np.mean(np.exp(f / 2))))
    assert r.statistic == pytest.approx(f.max()) and r.f_stats.idxmax() == r.break_at


# --------------------------------------------------------------------------- labels


def test_break_at_resolution_on_dates_and_duplicates() -> None:
    idx = pd.DatetimeIndex(["2024-01-05", "2024-02-01", "2024-02-01", "2024-05-13", "2024-06-20",
                            "2024-07-01", "2024-08-01", "2024-09-01"])
    y = pd.Series([5.0, 4.0, 4.1, 3.0, 1.0, 0.9, 1.1, 0.8], index=idx)
    t = chow_test(y, break_at="2024-05-31")
    assert t.extra["break_position"] == 4 and t.extra["break_at"] == pd.Timestamp("2024-05-13")
    assert "not an index label" in t.extra["note"]
    t2 = chow_test(y, break_at="2024-02-01")  # duplicate label: both in regime 1
    assert t2.extra["break_position"] == 3


def test_not_computed_when_a_regime_is_too_short() -> None:
    y = piecewise([1.0, 2.0], [10, 10], noise=0.1)
    t = chow_test(y, "trend", break_at=y.index[-2])
    assert isinstance(t, HypothesisTest) and not t.computed
    assert "not identified" in t.reason and np.isnan(t.statistic)
    empty = chow_test(y, break_at=y.index[-1])
    assert not empty.computed and "empty" in empty.reason


def test_inputs_not_mutated_and_numpy_accepted() -> None:
    y = piecewise([1.0, 2.0], [30, 30], noise=0.2)
    X = pd.DataFrame({"c": 1.0, "t": np.arange(60.0)}, index=y.index)
    y0, X0 = y.copy(), X.copy()
    bai_perron(y, X)
    sup_f_test(y, X)
    pd.testing.assert_series_equal(y, y0)
    pd.testing.assert_frame_equal(X, X0)
    r = bai_perron(y.to_numpy())
    assert r.breaks == (29,)


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "call,match",
    [
        (lambda y: sup_f_test(y.where(y.index != y.index[3])), "missing or infinite"),
        (lambda y: sup_f_test(y, trim=0.6), "trim must be in"),
        (lambda y: bai_perron(y, criterion="aic"), "criterion='aic' is not allowed"),
        (lambda y: sup_f_test(y, cov="nw"), "cov='nw' is not allowed"),
        (lambda y: cusum_test(y, kind="mosum"), "kind='mosum' is not allowed"),
        (lambda y: bai_perron(y, "trend", min_size=2), "must exceed the number of regressors"),
        (lambda y: bai_perron(y, max_breaks=0), "max_breaks must be an integer >= 1"),
        (lambda y: bai_perron(y, min_size=40), "more than half"),
        (lambda y: chow_test(y, pd.DataFrame({"c": np.ones(60)}), break_at=y.index[9]), "index differs"),
        (lambda y: chow_test(y, np.ones((59, 1)), break_at=y.index[9]), "one row per observation"),
        (lambda y: chow_test(y, pd.DataFrame({"a": 1.0, "b": 2.0}, index=y.index), break_at=y.index[9]),
         "linearly dependent"),
        (lambda y: chow_test(y, break_at="1990-01"), "before the first observation"),
        (lambda y: chow_test(y, "trend", break_at=y.index[9], breaking="slope"), "not a column"),
        (lambda y: chow_test(y, X="quadratic", break_at=y.index[9]), "X='quadratic' is not allowed"),
        (lambda y: bai_perron(y, n_breaks=9), "n_breaks=9 is not available"),
    ],
)
def test_input_errors(call, match: str) -> None:
    y = piecewise([1.0, 2.0], [30, 30], noise=0.2)
    with pytest.raises(InputError, match=match):
        call(y)


def test_unsorted_index_unknown_label() -> None:
    y = pd.Series([1.0, 2, 3, 4, 5, 6], index=[3, 1, 2, 6, 5, 4])
    with pytest.raises(InputError, match="not sorted"):
        chow_test(y, break_at=2.5)


# --------------------------------------------------------------------------- result objects


def test_result_objects_render() -> None:
    y = piecewise([1.0, 2.5, 0.5], [40, 40, 40], noise=0.3)
    s = sup_f_test(y)
    b = bai_perron(y)
    c = chow_test(y, break_at=y.index[39])
    u = cusum_test(y, kind="rec")
    assert isinstance(s, SupFResult) and isinstance(b, BreaksResult)
    assert list(s.to_frame()["term"]) == ["sup_f", "ave_f", "exp_f"]
    assert set(s.tests()) == {"sup_f", "ave_f", "exp_f"} and s.tests()["sup_f"].p_value == s.p_value
    for fmt in ("text", "html", "markdown"):
        assert "sup_f" in s.summary(fmt)
        out = b.summary(fmt)
        assert "Sequential" in out and "Regime coefficients" in out
    assert "<table>" in b._repr_html_() and "BreaksResult(n_breaks=2" in repr(b)
    assert list(b.wide().columns[:5]) == ["term", "break_at", "estimate", "conf_low", "conf_high"]
    assert list(b.fit_table().columns) == ["m", "rss", "bic", "lwz", "breaks"]
    assert {"term", "estimate", "std_error", "statistic", "p_value", "conf_low", "conf_high", "n"} <= set(b.coef)
    assert c.computed and c.df == (1, 118)
    assert isinstance(u.extra["process"], pd.Series) and u.extra["max_at"] in y.index
    with pytest.raises(AttributeError):
        b.n_breaks = 3  # type: ignore[misc]
