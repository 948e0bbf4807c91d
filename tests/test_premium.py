"""reasoning_premium: raw, matched and regression ratios; flagship R² with and without."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import llmflation as lf
from llmflation.errors import InputError
from llmflation.study.premium import PAPER_PREMIUM, PAPER_TERMS, PremiumResult, welch_test
from tolerances import EXACT_RTOL, IMPL_RTOL


def _panel(premium: float = 8.0, seed: int = 0, noise: float = 0.1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for dev, base in (("OpenAI", 10.0), ("Google", 2.0), ("Anthropic", 6.0)):
        for q in range(8):
            day = pd.Timestamp("2024-01-15") + pd.DateOffset(months=3 * q)
            for k, reasoning in enumerate((False, False, True)):
                p = base * 0.7**q * (premium if reasoning else 1.0) * float(np.exp(rng.normal(0, noise)))
                rows.append({"model_id": f"{dev}-{q}-{k}", "model_name": f"{dev} Pro {q}.{k}",
                             "developer": dev, "valid_from": day + pd.Timedelta(days=k),
                             "blended_usd_per_mtok": p, "is_reasoning": reasoning})
    return pd.DataFrame(rows)


def test_matched_and_regression_recover_known_premium() -> None:
    r = lf.reasoning_premium(_panel(8.0))
    p = r.premium
    assert p["matched"] == pytest.approx(8.0, rel=0.1)
    assert p["regression"] == pytest.approx(8.0, rel=0.1)
    row = r.estimates.set_index("term").loc["matched"]
    assert row["conf_low"] < 8.0 < row["conf_high"] and row["n"] == 24
    reg = r.estimates.set_index("term").loc["regression"]
    assert reg["conf_low"] < 8.0 < reg["conf_high"] and "HC1" in reg["method"]


def test_exact_premium_recovered_and_degenerate_matched_interval_is_nan() -> None:
    r = lf.reasoning_premium(_panel(5.0, noise=0.0))
    e = r.estimates.set_index("term")
    assert e.loc["matched", "estimate"] == pytest.approx(5.0, rel=EXACT_RTOL)
    assert e.loc["matched_arithmetic", "estimate"] == pytest.approx(5.0, rel=EXACT_RTOL)
    assert e.loc["regression", "estimate"] == pytest.approx(5.0, rel=EXACT_RTOL)
    # every cell has the same log-ratio: a t interval over cells is undefined, not a certainty
    assert np.isnan(e.loc["matched", "p_value"]) and np.isnan(e.loc["matched", "conf_low"])
    assert "zero variance" in e.loc["matched", "note"]
    assert e.loc["raw", "note"] == ""


def test_raw_ratio_is_the_welch_interval_on_log_prices() -> None:
    d = _panel(3.0, seed=4, noise=0.3)
    r = lf.reasoning_premium(d)
    e = r.estimates.set_index("term")
    lp = np.log(d["blended_usd_per_mtok"].to_numpy())
    w = welch_test(lp[d["is_reasoning"].to_numpy()], lp[~d["is_reasoning"].to_numpy()])
    assert e.loc["raw", "estimate"] == pytest.approx(np.exp(w.extra["estimate"]), rel=IMPL_RTOL)
    assert (e.loc["raw", "conf_low"], e.loc["raw", "conf_high"]) == pytest.approx(
        (np.exp(w.extra["conf_low"]), np.exp(w.extra["conf_high"])), rel=IMPL_RTOL)
    assert e.loc["raw", "p_value"] == pytest.approx(w.p_value, rel=IMPL_RTOL)
    reasoning = d["is_reasoning"].to_numpy()
    want = d["blended_usd_per_mtok"][reasoning].mean() / d["blended_usd_per_mtok"][~reasoning].mean()
    assert e.loc["raw_arithmetic", "estimate"] == pytest.approx(want, rel=IMPL_RTOL)


def test_paper_value_only_beside_the_arithmetic_means() -> None:
    e = lf.reasoning_premium(_panel()).estimates.set_index("term")
    assert (e.loc[list(PAPER_TERMS), "paper_value"] == PAPER_PREMIUM).all()
    assert e.drop(index=list(PAPER_TERMS))["paper_value"].isna().all()


def test_no_premium_is_not_significant() -> None:
    r = lf.reasoning_premium(_panel(1.0, seed=3))
    row = r.estimates.set_index("term").loc["matched"]
    assert row["conf_low"] < 1.0 < row["conf_high"]


def test_raw_ratio_is_confounded_matched_is_not() -> None:
    # reasoning models only from the cheap developer: raw ratio < 1, matched recovers the premium
    d = _panel(2.0)
    d = d[~(d["is_reasoning"] & (d["developer"] != "Google"))]
    r = lf.reasoning_premium(d)
    assert r.premium["raw"] < 1.0
    assert r.premium["matched"] == pytest.approx(2.0, rel=0.15)


def test_flagship_with_and_without_reasoning() -> None:
    r = lf.reasoning_premium(_panel(8.0), tiers="positioning")
    f = r.flagship.set_index("sample")
    assert f.loc["without reasoning models", "r_squared"] > f.loc["all models", "r_squared"]
    assert f.loc["without reasoning models", "n"] < f.loc["all models", "n"]


def test_errors() -> None:
    with pytest.raises(InputError, match="needs columns"):
        lf.reasoning_premium(_panel().drop(columns="developer"))
    with pytest.raises(InputError, match="at least 2 reasoning"):
        lf.reasoning_premium(_panel().assign(is_reasoning=False))


def test_result_smoke() -> None:
    r = lf.reasoning_premium(_panel())
    assert isinstance(r, PremiumResult)
    assert "matched" in r.summary() and r._repr_html_().startswith("<div")
    assert {"raw", "raw_arithmetic", "matched", "matched_arithmetic", "regression"} == set(r.to_frame()["term"])
    assert {"method", "note", "paper_value"} <= set(r.to_frame().columns)
