"""Jevons: log-log elasticity on synthetic data, the accounting identity, the bundled result."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from llmflation.methods.elasticity import MIN_OBS, log_log_elasticity
from tolerances import EXACT_RTOL


def test_elasticity_exact_without_noise() -> None:
    p = np.exp(np.linspace(-1, 2, 15))
    e = log_log_elasticity(3.0 * p**-1.1, p)
    assert math.isclose(e.estimate, -1.1, rel_tol=EXACT_RTOL)


def test_elasticity_recovered_with_noise_and_fixed_effects() -> None:
    rng = np.random.default_rng(11)
    g = np.repeat(["a", "b", "c", "d"], 50)
    lp = rng.normal(size=200)
    lq = np.repeat([0.0, 1.0, 2.0, -1.0], 50) - 0.6 * lp + 0.1 * rng.standard_normal(200)
    e = log_log_elasticity(np.exp(lq), np.exp(lp), groups=g, identification="synthetic")
    assert e.conf_low < -0.6 < e.conf_high and abs(e.estimate + 0.6) < 0.05
    assert e.df == 200 - 5 and e.identification == "synthetic"


def test_elasticity_says_why_not() -> None:
    p = np.array([1.0, 2.0, 3.0])
    e = log_log_elasticity(p, p)
    assert not e.computed and f"at least {MIN_OBS}" in (e.reason or "") and math.isnan(e.estimate)
    flat = log_log_elasticity(np.arange(1.0, 13.0), np.ones(12))
    assert not flat.computed and "does not vary" in (flat.reason or "")


def test_volume_series_time_bases() -> None:
    from llmflation.study.jevons import volume_series

    tv = pd.DataFrame({"date": ["2025-06-30", "2025-07-01", "2026-02-16"], "company": ["G", "G", "G"],
                       "metric": ["tokens_per_month", "api_tokens_per_minute", "peak_tokens_per_minute"],
                       "value": [3e12, 1e6, 5e9]})
    v = volume_series(tv)
    assert v["tokens_per_day"].tolist() == [1e11, 1.44e9]  # the peak is not an average rate


@pytest.fixture(scope="module")
def bundled():
    from llmflation.study.inputs import StudyInputs
    from llmflation.study.jevons import jevons

    d = StudyInputs()
    return jevons(d.panel(), token_volume=d.table("token_volume"), rankings=d.table("openrouter_rankings"),
                  openrouter_daily=d.table("openrouter_daily"), effective_prices=d.table("openrouter_effective_prices"))


def test_jevons_bundled(bundled) -> None:
    r = bundled
    a = r.accounting
    assert {"Google [all]", "OpenAI [api]", "OpenRouter [all]"} <= set(a["series"])
    assert np.allclose(a["dln_spend"], a["dln_tokens"] + a["dln_price"])
    per_firm = r.elasticities[~r.elasticities["term"].str.startswith("pooled")]
    assert (per_firm["reason"] != "").all()  # no firm has enough statements: a reason, not a number
    assert per_firm["estimate"].isna().all()
    keys = {p.key for p in r.published}
    assert keys == {"nber_w34608.elasticity", "openrouter_a16z2026.market_response"}
    pub = r.published_frame()
    assert pub["definition"].str.len().min() > 20
    eff = r.effective_vs_list
    assert {"all", "tier", "weights"} <= set(eff["group"]) and set(eff.loc[eff.group == "weights", "level"]) == {
        "open", "closed"}
    assert (eff["n"] > 0).all()
    assert r.vintage.startswith("bundled snapshot")
    assert any("not an elasticity" in n for n in r.notes)
    f = r.to_frame()
    assert {"part", "term", "estimate"} <= set(f.columns)


# --------------------------------------------------------------------------- issue 19: a price that moves


def _firm(cut: float | None) -> pd.DataFrame:
    """Three scored models of one firm over 2024; model a's price is cut by ``cut`` from August."""
    rows = []
    for m, (q, p) in {"a": (100.0, 1.0), "b": (110.0, 2.0), "c": (120.0, 4.0)}.items():
        if m == "a" and cut is not None:
            rows += [(m, q, p, "2024-01-01", "2024-07-31"), (m, q, p * cut, "2024-08-01", "2024-12-31")]
        else:
            rows.append((m, q, p, "2024-01-01", "2024-12-31"))
    return pd.DataFrame([{"model_id": m, "developer": "D", "provider": "D", "first_party": True, "eci": q,
                          "blended_usd_per_mtok": p, "valid_from": pd.Timestamp(a), "valid_to": pd.Timestamp(b)}
                         for m, q, p, a, b in rows])


def test_quality_adjusted_firm_price_moves_with_a_cut() -> None:
    from llmflation.study.jevons import firm_quality_adjusted_index

    flat = firm_quality_adjusted_index(_firm(None), developer="D").set_index("month")["index"]
    cut = firm_quality_adjusted_index(_firm(0.25), developer="D").set_index("month")["index"]
    assert np.allclose(flat.to_numpy(), 1.0)
    # one of three models at a quarter of its price: the firm's log price falls by ln(0.25)/3
    assert math.isclose(math.log(cut[pd.Period("2024-08", "M")]), math.log(0.25) / 3, rel_tol=EXACT_RTOL)


def test_gemini_cuts_move_google_price(bundled) -> None:
    """Named case: Gemini 1.5 Flash −75% (2024-08-12) and Pro −58% (2024-10-01) move Google's price.

    The issue-14 list-price index over every listed id barely moved through them (issue 19).
    """
    from llmflation.study.inputs import StudyInputs
    from llmflation.study.jevons import firm_price_index, firm_quality_adjusted_index

    p = StudyInputs().panel()
    qa = firm_quality_adjusted_index(p, developer="Google", start="2024-05-01", end="2024-12-31").set_index("month")
    lst = firm_price_index(p, developer="Google", start="2024-05-01", end="2024-12-31").set_index("month")
    m = {k: pd.Period(k, "M") for k in ("2024-07", "2024-08", "2024-09", "2024-10")}
    assert qa.loc[m["2024-08"], "index"] / qa.loc[m["2024-07"], "index"] < 0.8  # Flash cut
    assert qa.loc[m["2024-10"], "index"] / qa.loc[m["2024-09"], "index"] < 0.8  # Pro cut
    assert abs(math.log(lst.loc[m["2024-08"], "index"] / lst.loc[m["2024-07"], "index"])) < 0.1
    # and it reaches the accounting: Google's price falls from its first to its second statement
    g = bundled.accounting[(bundled.accounting["series"] == "Google [all]")].iloc[0]
    assert g["dln_price"] < -0.2


def test_elasticity_only_where_price_moves(bundled) -> None:
    e = bundled.elasticities
    small = e["price_sd"] < bundled.config["min_price_sd"]
    assert small.any()
    assert e.loc[small, "reason"].str.startswith("not identified").all()
    assert e.loc[small, "estimate"].isna().all()


def test_published_figures_imply_volumes(bundled) -> None:
    imp = bundled.implied.set_index("series")
    g = imp.loc["Google [all]"]
    assert math.isclose(g["implied_within_model"], -1.1 * g["dln_price"], rel_tol=EXACT_RTOL)
    assert math.isclose(g["residual_within_model"], g["dln_tokens"] - g["implied_within_model"], rel_tol=EXACT_RTOL)
    # Google's tokens grew far more than either published elasticity explains
    assert g["residual_market"] > 1.0
