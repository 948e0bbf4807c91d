"""Baumol: annual CPI rates against BLS's published figures, HAC rates, the study result."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from llmflation.errors import InputError
from llmflation.methods.rates import (
    annual_averages,
    annual_rate,
    fill_monthly_gaps,
    hac_variance_of_mean,
)
from tolerances import EXACT_RTOL, IMPL_RTOL

REF = Path(__file__).parent / "reference" / "baumol_bls_annual"
#: BLS publishes annual averages rounded to three decimals: half a unit in the third decimal.
BLS_ROUNDING_ABS = 5e-4 + 1e-9


def _monthly(df: pd.DataFrame, sid: str) -> pd.Series:
    g = df[df["series_id"] == sid]
    return pd.Series(g["value"].to_numpy(float), index=pd.to_datetime(g["date"]))


def test_annual_averages_match_bls_published() -> None:
    data = pd.read_csv(REF / "data.csv")
    exp = json.loads((REF / "expected.json").read_text())["annual_average"]
    assert len(exp) >= 9
    for key, value in exp.items():
        sid, year = key.split(":")
        got = annual_averages(_monthly(data, sid))[int(year)]
        assert abs(got - value) <= BLS_ROUNDING_ABS, key


def test_percent_changes_match_bls_pages() -> None:
    data = pd.read_csv(REF / "data.csv")
    pages = json.loads((REF / "expected.json").read_text())["bls_page_cross_check"]
    s = _monthly(data, "CUUR0000SA0")
    ann = annual_averages(s)
    assert abs(ann[2024] - pages["CUUR0000SA0:2024:annual_average"]) <= BLS_ROUNDING_ABS
    pub = json.loads((REF / "expected.json").read_text())["annual_average"]
    avg_change = 100 * (pub["CUUR0000SA0:2024"] / pub["CUUR0000SA0:2023"] - 1)
    assert round(avg_change, 1) == pages["CUUR0000SA0:2024:annual_average_pct_change"]
    for year in (2023, 2024):
        dd = 100 * (s[f"{year}-12-01"] / s[f"{year - 1}-12-01"] - 1)
        assert round(dd, 1) == pages[f"CUUR0000SA0:{year}:dec_dec_pct_change"]


def test_annual_rate_is_endpoint_rate_and_hac_matches_statsmodels() -> None:
    sm = pytest.importorskip("statsmodels.api")
    rng = np.random.default_rng(7)
    d = 0.003 + 0.002 * rng.standard_normal(60)
    s = pd.Series(100 * np.exp(np.concatenate([[0.0], np.cumsum(d)])),
                  index=pd.date_range("2020-01-01", periods=61, freq="MS"))
    r = annual_rate(s, lags=6)
    assert math.isclose(r.log_rate_per_year, 12 * math.log(s.iloc[-1] / s.iloc[0]) / 60, rel_tol=IMPL_RTOL)
    fit = sm.OLS(d, np.ones(60)).fit(cov_type="HAC", cov_kwds={"maxlags": 6, "use_correction": False})
    assert math.isclose(r.std_error, 12 * float(fit.bse[0]), rel_tol=IMPL_RTOL)
    assert math.isclose(hac_variance_of_mean(d, 6), float(fit.bse[0]) ** 2, rel_tol=IMPL_RTOL)
    assert r.conf_low < r.log_rate_per_year < r.conf_high


def test_annual_rate_refuses_step_series_and_gaps() -> None:
    idx = pd.date_range("2023-01-01", periods=24, freq="MS")
    step = pd.Series(np.where(np.arange(24) < 12, 10.0, 5.0), index=idx)
    r = annual_rate(step)
    assert r.reason and "step series" in r.reason and math.isnan(r.conf_low)
    assert math.isclose(r.log_rate_per_year, 12 * math.log(0.5) / 23)
    with pytest.raises(InputError, match="months missing"):
        annual_rate(step.drop(idx[5]))
    filled, months = fill_monthly_gaps(step.drop(idx[5]))
    assert months == ["2023-06"] and len(filled) == 24


def test_crosswalk_rows_have_rationales() -> None:
    from llmflation.study.baumol import crosswalk

    cw = crosswalk()
    assert cw["rationale"].str.len().min() > 20
    assert cw["soc_code"].str.match(r"^\d{2}-\d{4}$").all()


@pytest.fixture(scope="module")
def bundled_result():
    from llmflation.study.baumol import baumol
    from llmflation.study.inputs import StudyInputs

    data = StudyInputs()
    return baumol(data.table("bls_cpi"), data.table("wages"), data.panel())


def test_baumol_result(bundled_result) -> None:
    r = bundled_result
    rates = r.rates.set_index("term")
    assert {"SA0", "SA0L1E", "SASLE", "ai_index"} <= set(rates.index)
    assert (rates.loc["SA0", "conf_low"] < rates.loc["SA0", "estimate"] < rates.loc["SA0", "conf_high"])
    # the AI index is a step series: an endpoint rate, no HAC interval
    assert math.isnan(rates.loc["ai_index", "conf_low"]) and rates.loc["ai_index", "reason"]
    assert rates.loc["ai_index", "estimate"] < 0
    assert r.vintage.startswith("bundled snapshot") and r.sources
    assert any("No causal link" in n for n in r.notes) and any("outside the CPI" in n for n in r.notes)
    assert len(r.hours_in_tokens) and (r.hours_in_tokens["mtok_per_hour"] > 0).all()
    assert len(r.wages_vs_prices) >= 5
    ai = r.indices[r.indices["series"] == "ai_index"]
    assert ai["index"].iloc[0] == 100.0


def test_baumol_user_csv_series() -> None:
    from llmflation.study.baumol import baumol
    from llmflation.study.inputs import StudyInputs

    data = StudyInputs()
    months = pd.date_range("2020-01-01", "2026-12-01", freq="MS")
    user = pd.DataFrame({"date": months, "series": "my_plumber", "value": 100 * 1.004 ** np.arange(len(months))})
    ai = pd.DataFrame({"month": months, "price": 10 * 0.9 ** np.arange(len(months))})
    r = baumol(data.table("bls_cpi"), data.table("wages"), ai_index=ai, series=("SEMC01",), user_prices=user,
               start="2023-01-01", end="2025-12-01")
    row = r.rates.set_index("term").loc["my_plumber"]
    assert math.isclose(row["estimate"], 12 * math.log(1.004), rel_tol=EXACT_RTOL)  # a noiseless geometric series
    assert row["kind"] == "user"


# --------------------------------------------------------------------------- issue 19: Baumol as a test


def _fake_cpi(seed: int, shift: float = 0.0) -> pd.DataFrame:
    """Monthly CPI-like items 2014–2026: services drift 1 pp/yr over all items; ``shift`` (log points a year)
    added to core services and the exposed item from 2023 on."""
    rng = np.random.default_rng(seed)
    months = pd.date_range("2014-01-01", "2026-06-01", freq="MS")
    post = (months >= "2023-01-01").astype(float)
    base = np.cumsum(0.025 / 12 + rng.normal(0, 0.002, len(months)))
    series = {"SA0": base,
              "SASLE": base + np.cumsum(0.01 / 12 + shift / 12 * post + rng.normal(0, 0.002, len(months))),
              "EXP1": base + np.cumsum(0.01 / 12 + shift / 12 * post + rng.normal(0, 0.004, len(months))),
              "OTH1": base + np.cumsum(0.01 / 12 + rng.normal(0, 0.004, len(months)))}
    rows = []
    for code, lv in series.items():
        for d, v in zip(months, np.exp(lv) * 100, strict=True):
            rows.append({"series_id": f"CUSR0000{code}", "item_code": code, "seasonally_adjusted": 1,
                         "period": f"M{d.month:02d}", "year": d.year, "date": d.strftime("%Y-%m-%d"), "value": v})
    return pd.DataFrame(rows)


def test_baumol_placebo_on_synthetic_series() -> None:
    """No change after 2022: the DiD intervals cover zero in most draws (nominal 95%)."""
    from llmflation.study.baumol import baumol_test

    covered = 0
    for s in range(20):
        r = baumol_test(_fake_cpi(s), exposed=("EXP1",), other=("OTH1",))
        covered += int(((r.did["conf_low"] <= 0) & (r.did["conf_high"] >= 0)).all())
    assert covered >= 14  # four overlapping intervals per draw; independent 95% each would give ≥ 81%


def test_baumol_test_detects_a_change_after_2022() -> None:
    from llmflation.study.baumol import baumol_test

    r = baumol_test(_fake_cpi(0, shift=0.05), exposed=("EXP1",), other=("OTH1",))
    assert r.changed and r.finding.startswith("Something changed")
    d = r.did.set_index(["comparison", "placebo"])["estimate"]
    assert d.loc["services_vs_all_items"].between(0.03, 0.07).all()


def test_baumol_test_bundled() -> None:
    import llmflation as lf
    from llmflation.sources.bundled import load_table
    from llmflation.study.baumol import ai_exposure

    r = lf.baumol_test(load_table("bls_cpi"))
    w = r.windows.set_index(["comparison", "kind"])
    # the observation: core services over all items ~ +0.9–1 pp/yr before and after
    assert w.loc[("services_vs_all_items", "post"), "estimate"] == pytest.approx(0.0098, abs=0.003)
    assert set(r.exposed_items) <= set(ai_exposure().loc[lambda e: e["ai_exposed"], "item_code"])
    assert len(r.did) == 4 and r.did["std_error"].gt(0).all()
    assert isinstance(r.changed, bool) and r.finding
