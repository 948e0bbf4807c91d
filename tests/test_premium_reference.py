"""The premium's statistics against published output: Welch's t (R) and HC1 errors (Stata)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from llmflation.methods.ols import ols
from llmflation.study.premium import welch_test

REF = Path(__file__).parent / "reference"
#: Stata stores 14 significant digits; QR vs Stata's solver differ by ~1e-13.
REL_TOL_STATA = 1e-9
#: Stata's smallest p-values carry 10 significant digits.
REL_TOL_STATA_P = 1e-6


def _half_unit(decimals: int) -> float:
    """Half a unit in the last printed decimal: the tolerance of a rounded published number."""
    return 0.5 * 10.0 ** (-decimals) + 1e-12


@pytest.mark.parametrize(("case", "value", "group", "a", "b"), [
    ("premium_welch_sleep", "extra", "group", 1, 2),
    ("premium_welch_mtcars", "mpg", "am", 0, 1),
])
def test_welch_matches_r_t_test(case: str, value: str, group: str, a: int, b: int) -> None:
    d = pd.read_csv(REF / case / "data.csv")
    e = json.loads((REF / case / "expected.json").read_text())
    dg = e["digits"]
    t = welch_test(d.loc[d[group] == a, value], d.loc[d[group] == b, value], level=e["level"])
    assert t.computed
    assert t.statistic == pytest.approx(e["statistic"], abs=_half_unit(dg["statistic"]))
    assert t.df == pytest.approx(e["df"], abs=_half_unit(dg["df"]))
    assert t.p_value == pytest.approx(e["p_value"], abs=_half_unit(dg["p_value"]))
    assert t.extra["conf_low"] == pytest.approx(e["conf_low"], abs=_half_unit(dg["conf"]))
    assert t.extra["conf_high"] == pytest.approx(e["conf_high"], abs=_half_unit(dg["conf"]))
    means = [v for k, v in e.items() if k.startswith("mean_group_")]
    assert (t.extra["mean_a"], t.extra["mean_b"]) == pytest.approx(tuple(means), abs=_half_unit(dg["means"]))


def test_hc1_matches_stata_vce_robust() -> None:
    d = pd.read_csv(REF / "ols_hc1_stata_macro" / "data.csv")
    e = json.loads((REF / "ols_hc1_stata_macro" / "expected.json").read_text())
    g_inv = 400 * np.diff(np.log(d["realinv"].to_numpy(dtype=float)))
    g_gdp = 400 * np.diff(np.log(d["realgdp"].to_numpy(dtype=float)))
    lag_int = d["realint"].to_numpy(dtype=float)[:-1]
    f = ols(np.column_stack([g_gdp, lag_int, np.ones(g_gdp.size)]), g_inv, cov="HC1")
    assert f.n == e["N"] and f.df == e["df_r"]
    assert np.allclose(f.params, e["b"], rtol=REL_TOL_STATA)
    assert np.allclose(f.std_errors, e["se"], rtol=REL_TOL_STATA)
    assert np.allclose(f.t_values, e["t"], rtol=REL_TOL_STATA)
    assert np.allclose(f.p_values, e["pvalue"], rtol=REL_TOL_STATA_P)
    ci = f.conf_int(0.95)
    assert np.allclose(ci[:, 0], e["ll"], rtol=REL_TOL_STATA)
    assert np.allclose(ci[:, 1], e["ul"], rtol=REL_TOL_STATA)
    assert np.allclose(f.cov, e["cov"], rtol=REL_TOL_STATA)


def test_welch_not_computed_says_why() -> None:
    t = welch_test([1.0, 1.0, 1.0], [2.0, 2.0])
    assert not t.computed and "zero variance" in (t.reason or "")
    assert t.extra["estimate"] == pytest.approx(-1.0)
    assert "at least 2" in (welch_test([1.0], [1.0, 2.0]).reason or "")
