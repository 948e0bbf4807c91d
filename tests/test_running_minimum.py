"""Running-minimum (record) series: calibrated inference beside Epoch's naive OLS.

With no true trend (20–40 models over two years, log-price s.d. 1–1.5), OLS through the
cheapest-so-far points finds a decline and its nominal 5% test rejects far more often;
the permutation test that re-forms the running minimum rejects at its nominal size.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from llmflation.methods.permutation import (
    MIN_POINTS_INTERVAL,
    record_points,
    record_slopes,
    record_trend_test,
)

#: Monte Carlo tolerance of the size check: ±3 points at 5% (the acceptance criterion);
#: with ~1,200 usable series the standard error of a rejection rate near 5% is 0.6 points.
SIZE_TOL = 0.03
NOMINAL = 0.05


def _simulate(n_sim: int, seed: int, n_perm: int) -> tuple[float, float, float, int]:
    rng = np.random.default_rng(seed)
    naive = calib = used = 0
    factors = []
    for i in range(n_sim):
        n = int(rng.integers(20, 41))
        sd = float(rng.uniform(1.0, 1.5))
        t = rng.uniform(0, 2, n)
        y = rng.normal(0, sd, n)
        r = record_trend_test(t, y, n_perm=n_perm, level=1 - NOMINAL, interval=False, min_points=4, seed=i)
        if not math.isfinite(r.p_value):
            continue  # fewer than 4 records: Epoch would not report the series
        used += 1
        naive += r.naive_p_value < NOMINAL
        calib += r.p_value <= NOMINAL
        factors.append(r.factor_per_year)
    return naive / used, calib / used, float(np.median(factors)), used


def test_calibrated_test_has_nominal_size_and_naive_ols_does_not():
    naive, calib, med_factor, used = _simulate(2000, seed=2026, n_perm=499)
    assert used > 800
    assert abs(calib - NOMINAL) <= SIZE_TOL, (calib, used)
    assert naive > 0.25, naive          # naive OLS: ~40% at a nominal 5%
    assert med_factor > 3.0              # a spurious "decline" of several × per year


def test_record_points_keep_one_cheapest_per_date():
    t = np.array([0.0, 1.0, 1.0, 2.0, 3.0])
    y = np.array([5.0, 4.0, 3.0, 3.5, 1.0])
    assert record_points(t, y).tolist() == [True, False, True, False, True]
    order = np.argsort(t, kind="stable")
    s, k = record_slopes(np.array([0.0, 1.0, 2.0, 3.0]), np.array([0, 1, 3, 4]), y[order][None, :])
    assert int(k[0]) == 3
    assert s[0] == pytest.approx(np.polyfit([0, 1, 3], [5, 3, 1], 1)[0])


def test_short_series_say_so_instead_of_an_interval():
    t = np.array([0.0, 0.5, 1.0, 1.5, 2.0, 2.5])
    y = np.array([3.0, 2.0, 5.0, 1.0, 6.0, 0.0])  # 4 records
    r = record_trend_test(t, y, n_perm=199)
    assert r.n_points == 4 < MIN_POINTS_INTERVAL
    assert math.isnan(r.conf_low) and math.isnan(r.conf_high)
    assert "fewer than" in (r.reason or "")
    assert math.isfinite(r.p_value)


def test_calibrated_interval_covers_a_true_trend():
    """Test inversion: the true slope is inside the interval in about `level` of samples."""
    rng = np.random.default_rng(7)
    cover = done = 0
    for i in range(60):
        t = rng.uniform(0, 3, 60)
        y = -1.5 * t + rng.normal(0, 1.0, 60)
        r = record_trend_test(t, y, n_perm=199, level=0.90, seed=i, grid_size=81)
        if math.isnan(r.conf_low):
            continue
        done += 1
        cover += r.conf_low <= -1.5 <= r.conf_high
    assert done >= 30
    assert cover / done >= 0.80


def test_epoch_reproduction_untouched_and_calibrated_beside_it():
    from llmflation.study.inputs import StudyInputs
    from llmflation.study.threshold import (
        MIN_POOL_CALIBRATED,
        calibrated_threshold_trends,
        cheapest_above_threshold,
    )

    d = StudyInputs().epoch_prices()
    naive = cheapest_above_threshold(d, benchmark="MMLU")
    r = calibrated_threshold_trends(d, benchmark="MMLU", n_perm=199)
    assert r.naive.trends["factor_per_year"].tolist() == naive.trends["factor_per_year"].tolist()
    assert (r.table["n"].to_numpy() == naive.trends["n"].to_numpy()).all()
    # the calibrated column is the band's lower-quartile trend, with a status
    small = r.table[r.table["n_pool"] < MIN_POOL_CALIBRATED]
    assert len(small) and (small["status"] == "not estimable").all() and small["conf_low"].isna().all()
    assert small["reason"].str.contains("needs at least").all()
    ok = r.table[r.table["status"] == "estimated"]
    assert len(ok) >= 2 and ((ok["conf_low"] <= ok["pool_factor_per_year"]) & (ok["pool_factor_per_year"]
                                                                              <= ok["conf_high"])).all()
    f = r.to_frame()
    assert {"estimate", "p_value", "conf_low", "conf_high", "n", "status"} <= set(f.columns)
    assert set(f["term"]) == {"factor_per_year", "pool_factor_per_year"}
