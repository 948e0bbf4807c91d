"""Structural-break estimators against published examples (tests/reference/breaks_*).

Published numbers are stored as the strings that were printed; ``agrees`` accepts a value
within half a unit of the last printed digit (i.e. the value rounds to the printed one).
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import llmflation as lf
from llmflation.methods.breaks import bai_perron, chow_test, cusum_test, sup_f_test

REF = Path(__file__).parent / "reference"
# float noise allowed beyond the printed half-unit (relative): the printed numbers come from
# double-precision R code, ours from a different but exact algorithm
REL_EPS = 1e-9


def agrees(value: float, printed: str) -> bool:
    """True if ``value`` rounds to ``printed`` (half a unit in its last digit)."""
    d = Decimal(printed)
    half_ulp = Decimal(5) * Decimal(10) ** (d.as_tuple().exponent - 1)
    return abs(Decimal(repr(float(value))) - d) <= half_ulp + Decimal(REL_EPS) * abs(d)


def truncates_to(value: float, printed: str) -> bool:
    """True if ``value`` cut (not rounded) after the printed digits gives ``printed``."""
    d = Decimal(printed)
    ulp = Decimal(10) ** d.as_tuple().exponent
    v = Decimal(repr(float(value)))
    return d <= v < d + ulp if d >= 0 else d - ulp < v <= d


def check(value: float, printed: str, what: str) -> None:
    assert agrees(value, printed), f"{what}: got {value!r}, published {printed}"


def load(case: str) -> tuple[pd.DataFrame, dict]:
    return pd.read_csv(REF / case / "data.csv"), json.loads((REF / case / "expected.json").read_text())


def check_breakpoints(res, exp: dict, labels: bool = True) -> None:
    for m, pos in exp["positions_by_m"].items():
        assert list(res.positions_by_m[int(m)]) == pos, f"m={m}"
    if labels and "labels_by_m" in exp:
        for m, lab in exp["labels_by_m"].items():
            assert [str(v) for v in res.breaks_by_m[int(m)]] == [str(v) for v in lab], f"m={m}"
    for m, s in enumerate(exp["rss"]):
        check(res.rss_by_m[m], s, f"RSS m={m}")
    for m, s in enumerate(exp["bic"]):
        check(res.bic_by_m[m], s, f"BIC m={m}")


def test_agrees_helper_can_fail() -> None:
    assert agrees(75.934, "75.93") and not agrees(75.936, "75.93")
    assert agrees(5.4094e-08, "5.409e-08") and not agrees(5.41e-08, "5.409e-08")


# ------------------------------------------------------------------------------ Nile


@pytest.fixture(scope="module")
def nile() -> tuple[pd.Series, dict]:
    df, exp = load("breaks_nile")
    return pd.Series(df["flow"].to_numpy(float), index=df["year"].to_numpy()), exp


def test_nile_sup_f(nile) -> None:
    y, exp = nile
    e = exp["supf"]
    r = sup_f_test(y, trim=e["trim"])
    check(r.statistic, e["sup_f"], "sup-F")
    check(r.ave_f, e["ave_f"], "ave-F")
    check(r.exp_f, e["exp_f"], "exp-F")
    assert r.break_position == e["break_position"] and r.break_at == e["break_at"]
    assert r.p_value < e["p_value_sup_below"]
    assert r.ave_p_value < float(e["p_value_ave_below"]) and r.exp_p_value < float(e["p_value_exp_below"])
    assert len(r.f_stats) == 71 and r.f_stats.index[0] == 1885


def test_nile_cusum(nile) -> None:
    y, exp = nile
    o, rc = cusum_test(y), cusum_test(y, kind="rec")
    check(o.statistic, exp["ols_cusum"]["statistic"], "OLS-CUSUM")
    check(o.p_value, exp["ols_cusum"]["p_value"], "OLS-CUSUM p")
    check(rc.statistic, exp["rec_cusum"]["statistic"], "Rec-CUSUM")
    check(rc.p_value, exp["rec_cusum"]["p_value"], "Rec-CUSUM p")


def test_nile_bai_perron(nile) -> None:
    y, exp = nile
    e = exp["breakpoints"]
    r = bai_perron(y, max_breaks=e["max_breaks"], trim=e["trim"])
    check_breakpoints(r, e)
    check(r.bic_by_m[1], e["bic_1_break"], "BIC(1)")
    loglik = -0.5 * len(y) * (np.log(r.rss_by_m[1]) + 1 - np.log(len(y)) + np.log(2 * np.pi))
    check(loglik, e["loglik_1_break"], "logLik(1)")
    assert r.n_breaks == e["selected_n_breaks"] and r.breaks == (1898,)
    ci = r.conf_int
    assert [[int(ci.conf_low[0]), int(ci.estimate[0]), int(ci.conf_high[0])]] == e["conf_int_positions"]
    assert [int(ci.conf_low_label[0]), int(ci.break_at[0]), int(ci.conf_high_label[0])] == e["conf_int_labels"][0]


def test_nile_public_names(nile) -> None:
    y, _ = nile
    assert lf.chow_test(y, break_at=1898).statistic == pytest.approx(75.9298, abs=1e-4)
    assert lf.bai_perron(y).breaks == (1898,)


# ------------------------------------------------------------------------------ seatbelt


@pytest.fixture(scope="module")
def seatbelt() -> tuple[pd.Series, pd.DataFrame, dict]:
    df, exp = load("breaks_seatbelt")
    y = pd.Series(np.log10(df["deaths"].to_numpy(float)), index=df["month"].to_numpy())
    d = pd.DataFrame({"y": y, "ylag1": y.shift(1), "ylag12": y.shift(12)}).loc["1970-01":"1984-12"]
    X = pd.DataFrame({"(Intercept)": 1.0, "ylag1": d["ylag1"], "ylag12": d["ylag12"]})
    assert len(d) == 180
    return d["y"], X, exp


def test_seatbelt_sup_f(seatbelt) -> None:
    y, X, exp = seatbelt
    e = exp["supf"]
    r = sup_f_test(y, X, trim=e["trim"])
    for val, key in [(r.statistic, "sup_f"), (r.p_value, "p_sup"), (r.ave_f, "ave_f"), (r.ave_p_value, "p_ave"),
                     (r.exp_f, "exp_f"), (r.exp_p_value, "p_exp")]:
        check(val, e[key], key)
    assert r.break_position == e["break_position"] and r.break_at == e["break_at"]


def test_seatbelt_cusum(seatbelt) -> None:
    y, X, exp = seatbelt
    o, rc = cusum_test(y, X), cusum_test(y, X, kind="rec")
    check(o.statistic, exp["ols_cusum"]["statistic"], "OLS-CUSUM")
    check(o.p_value, exp["ols_cusum"]["p_value"], "OLS-CUSUM p")
    check(rc.statistic, exp["rec_cusum"]["statistic"], "Rec-CUSUM")
    check(rc.p_value, exp["rec_cusum"]["p_value"], "Rec-CUSUM p")


def test_seatbelt_bai_perron(seatbelt) -> None:
    y, X, exp = seatbelt
    e = exp["breakpoints"]
    r = bai_perron(y, X, trim=e["trim"], max_breaks=e["max_breaks"])
    check_breakpoints(r, e)
    assert r.n_breaks == e["selected_n_breaks"] and r.breaks == ()
    r2 = bai_perron(y, X, trim=e["trim"], max_breaks=e["max_breaks"], n_breaks=2)
    ci = r2.conf_int
    assert ci[["conf_low", "estimate", "conf_high"]].astype(int).to_numpy().tolist() == e["conf_int_2_breaks_positions"]
    assert ci[["conf_low_label", "break_at", "conf_high_label"]].to_numpy().tolist() == e["conf_int_2_breaks_labels"]


# ------------------------------------------------------------------------------ German M1


@pytest.fixture(scope="module")
def german_m1() -> tuple[pd.Series, pd.DataFrame, dict]:
    df, exp = load("breaks_germanm1")
    df = df.set_index("quarter")
    X = df[["dy2", "dR", "dR1", "dp", "m1", "y1", "R1"]].copy()
    X.insert(0, "(Intercept)", 1.0)
    for q in ("Q2", "Q3", "Q4"):
        X[f"season{q}"] = (df["season"] == q).astype(float)
    return df["dm"], X, exp


def test_german_m1_sup_f_and_cusum(german_m1) -> None:
    y, X, exp = german_m1
    e = exp["supf"]
    r = sup_f_test(y, X, trim=e["trim"])
    assert r.df == 11
    check(r.statistic, e["sup_f"], "sup-F")
    check(r.ave_f, e["ave_f"], "ave-F")
    check(r.ave_p_value, e["p_ave"], "ave-F p")
    check(r.exp_f, e["exp_f"], "exp-F")
    assert r.p_value < float(e["p_sup_below"]) and r.exp_p_value < float(e["p_exp_below"])
    o = cusum_test(y, X)
    check(o.statistic, exp["ols_cusum"]["statistic"], "OLS-CUSUM")
    check(o.p_value, exp["ols_cusum"]["p_value"], "OLS-CUSUM p")


def test_german_m1_bai_perron(german_m1) -> None:
    y, X, exp = german_m1
    e = exp["breakpoints"]
    r = bai_perron(y, X, trim=e["trim"], max_breaks=e["max_breaks"])
    check_breakpoints(r, e)
    assert r.n_breaks == e["selected_n_breaks"] and r.breaks == ("1990Q3",)


# ------------------------------------------------------------------------------ Grossarl


@pytest.mark.parametrize("column", ["fraction", "marriages"])
def test_grossarl(column: str) -> None:
    df, exp = load("breaks_grossarl")
    y = pd.Series(df[column].to_numpy(float), index=df["year"].to_numpy())
    e = exp[column]
    r = bai_perron(y, trim=e["trim"], max_breaks=e["max_breaks"])
    check_breakpoints(r, e)
    if column == "fraction":
        assert r.n_breaks == e["selected_n_breaks"]
        ci = r.conf_int[["conf_low", "estimate", "conf_high"]].astype(int).to_numpy().tolist()
        assert ci == e["conf_int_positions"]
        coef = bai_perron(y, trim=e["trim"], max_breaks=e["max_breaks"], n_breaks=6).coef
        for v, s in zip(coef["estimate"], e["coef_6_breaks"], strict=True):
            check(v, s, "coef")
    else:
        coef = bai_perron(y, trim=e["trim"], max_breaks=e["max_breaks"], n_breaks=4).coef
        for v, s in zip(coef["estimate"], e["coef_4_breaks"], strict=True):
            check(v, s, "coef")


# ------------------------------------------------------------------------------ Phillips curve


@pytest.fixture(scope="module")
def phillips() -> tuple[pd.DataFrame, dict]:
    df, exp = load("breaks_phillips")
    df = df.set_index("year")
    df.insert(0, "(Intercept)", 1.0)
    return df, exp


def test_phillips_inflation(phillips) -> None:
    df, exp = phillips
    e = exp["inflation"]
    X = df[["(Intercept)", "dp1"]]
    r = bai_perron(df["dp"], X, min_size=e["min_size"], max_breaks=e["max_breaks"])
    check_breakpoints(r, e)
    r2 = bai_perron(df["dp"], X, min_size=e["min_size"], max_breaks=e["max_breaks"], n_breaks=2)
    for term in ("(Intercept)", "dp1"):
        rows = r2.coef[r2.coef["term"] == term]
        for v, s in zip(rows["estimate"], e["coef_2_breaks"][term], strict=True):
            check(v, s, f"coef {term}")
        for v, s in zip(rows["std_error"], e["se_2_breaks"][term], strict=True):
            check(v, s, f"se {term}")
    ci = r2.conf_int
    assert ci[["conf_low", "estimate", "conf_high"]].astype(int).to_numpy().tolist() == e["conf_int_2_breaks_positions"]
    labs = ci[["conf_low_label", "break_at", "conf_high_label"]].astype(int).to_numpy().tolist()
    assert labs == e["conf_int_2_breaks_labels"]


def test_phillips_wages_homoskedastic_ci(phillips) -> None:
    df, exp = phillips
    e = exp["wages"]
    X = df[["(Intercept)", "dp1", "du", "u1"]]
    r = bai_perron(df["dw"], X, min_size=e["min_size"], max_breaks=e["max_breaks"])
    check_breakpoints(r, e)
    r2 = bai_perron(df["dw"], X, min_size=e["min_size"], max_breaks=e["max_breaks"], n_breaks=2, het_err=False)
    ci = r2.conf_int[["conf_low", "estimate", "conf_high"]].astype(int).to_numpy().tolist()
    assert ci == e["conf_int_2_breaks_het_err_false_positions"]


# ------------------------------------------------------------------------------ real interest rate


def test_real_interest_rate() -> None:
    df, e = load("breaks_realint")
    y = pd.Series(df["rate"].to_numpy(float), index=df["quarter"].to_numpy())
    r = bai_perron(y, min_size=e["min_size"], max_breaks=e["max_breaks"])
    check_breakpoints(r, e)
    assert r.n_breaks == e["selected_n_breaks"]
    coef = bai_perron(y, min_size=e["min_size"], max_breaks=e["max_breaks"], n_breaks=3).coef
    for v, s in zip(coef["estimate"], e["coef_3_breaks"], strict=True):
        check(v, s, "coef")


# ------------------------------------------------------------------------------ US income/expenditure


def test_us_income_expenditure_ecm() -> None:
    df, e = load("breaks_usincexp")
    df = df.set_index("month")
    d2 = df.loc["1985-12":]
    Z = np.column_stack([np.ones(len(d2)), d2["income"]])
    beta = np.linalg.lstsq(Z, d2["expenditure"].to_numpy(), rcond=None)[0]
    coint = pd.Series(d2["expenditure"].to_numpy() - Z @ beta, index=d2.index)
    m = pd.DataFrame({"dexp": d2["expenditure"].diff(), "(Intercept)": 1.0, "coint_res": coint.shift(1),
                      "dinc": d2["income"].diff()}).loc["1986-01":"2001-02"]
    assert len(m) == 182
    X = m[["(Intercept)", "coint_res", "dinc"]]
    o = cusum_test(m["dexp"], X)
    check(o.statistic, e["ols_cusum"]["statistic"], "OLS-CUSUM")
    check(o.p_value, e["ols_cusum"]["p_value"], "OLS-CUSUM p")
    f = e["expf"]
    labels = m.index
    r = sup_f_test(m["dexp"], X, break_range=(labels[f["from_position"] - 1], labels[f["to_position"] - 1]))
    assert r.config["first_candidate"] == f["from_position"] and r.config["last_candidate"] == f["to_position"]
    check(r.exp_f, f["exp_f"], "exp-F")
    check(r.exp_p_value, f["p_exp"], "exp-F p")


# ------------------------------------------------------------------------------ DJIA volatility


def test_djia_squared_returns() -> None:
    df, e = load("breaks_djia")
    s = pd.Series(df["djia"].to_numpy(float), index=pd.DatetimeIndex(df["date"]))
    ret2 = np.log(s).diff().dropna() ** 2
    r = bai_perron(ret2)
    assert r.n_breaks == e["selected_n_breaks"]
    assert r.break_positions == (e["break_position"],)
    assert r.breaks[0] == pd.Timestamp(e["break_at"])
    assert r.conf_int["break_at"].tolist() == [e["break_at"]]


# ------------------------------------------------------------------------------ Gujarati Chow test


def test_gujarati_chow() -> None:
    df, e = load("breaks_gujarati_chow")
    df = df.set_index("year")
    X = pd.DataFrame({"(Intercept)": 1.0, "income": df["income"]})
    t = chow_test(df["savings"], X, break_at=e["break_at"])
    check(t.statistic, e["F"], "F")
    assert list(t.df) == e["df"]
    assert 0.0005 <= t.p_value < 0.0006  # the book truncates to 0.0005
    check(t.extra["rss_restricted"], e["rss_restricted"], "RSS_R")
    check(t.extra["rss_regime1"], e["rss_regime1"], "RSS_1")
    check(t.extra["rss_regime2"], e["rss_regime2"], "RSS_2")
    assert t.extra["rss_unrestricted"] == pytest.approx(t.extra["rss_regime1"] + t.extra["rss_regime2"])
    # the book sometimes truncates its printed digits (0.014862 is shown as 0.0148) and
    # sometimes rounds (153.49467 as 153.4947): accept either, never anything else
    def book(v: float, s: str) -> bool:
        return agrees(v, s) or truncates_to(v, s)

    for v, s in zip(t.extra["coef_regime1"].values(), e["coef_regime1"], strict=True):
        assert book(v, s), ("regime 1", v, s)
    for v, s in zip(t.extra["coef_regime2"].values(), e["coef_regime2"], strict=True):
        assert book(v, s), ("regime 2", v, s)
    pooled = np.linalg.lstsq(X.to_numpy(), df["savings"].to_numpy(), rcond=None)[0]
    for v, s in zip(pooled, e["coef_pooled"], strict=True):
        assert book(v, s), ("pooled", v, s)
    # the same test as a Wald test on the interaction model gives the identical F
    assert t.statistic == pytest.approx(sup_f_test(df["savings"], X, break_range=(1981, 1981)).statistic / 2)
