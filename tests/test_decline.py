"""total_decline: endpoint ratio, trend-implied factor, constant-capability factor."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import llmflation as lf
from llmflation.errors import InputError
from llmflation.study.decline import PAPER_TOTAL_DECLINE, DeclineResult
from llmflation.study.trends import to_years
from tolerances import EXACT_RTOL


def _synthetic() -> pd.DataFrame:
    """Prices halve every year exactly; capability rises with launch date."""
    dates = pd.date_range("2021-01-01", periods=11, freq="182D")
    t = to_years(dates) - to_years(dates[:1])[0]
    return pd.DataFrame({"model_id": [f"m{i}" for i in range(11)], "valid_from": dates,
                         "blended_usd_per_mtok": 64.0 * 2.0 ** (-t), "eci": 100 + np.arange(11)})


def test_three_definitions_on_exact_decline() -> None:
    d = _synthetic()
    end = d["valid_from"].max()
    r = lf.total_decline(d, start="2021-01-01", end=end)
    f = r.factors
    years = float(to_years([end])[0] - to_years([pd.Timestamp("2021-01-01")])[0])
    assert f["endpoint"] == pytest.approx(2.0**years, rel=EXACT_RTOL)
    assert f["trend"] == pytest.approx(2.0**years, rel=EXACT_RTOL)
    assert f["constant_capability"] == pytest.approx(2.0**years, rel=EXACT_RTOL)
    assert f["constant_capability_trend"] == pytest.approx(2.0**years, rel=EXACT_RTOL)
    row = r.table.set_index("definition")
    assert math.isnan(row.loc["endpoint", "conf_low"])                    # no sampling CI for two prices
    assert math.isnan(row.loc["constant_capability", "conf_low"])         # nor for this ratio
    assert row.loc["trend", "conf_low"] == pytest.approx(2.0**years, rel=1e-6)
    assert row.loc["constant_capability_trend", "conf_high"] == pytest.approx(2.0**years, rel=1e-6)
    assert row.loc["constant_capability_trend", "n"] == 11                # the fitted series, not the end models
    assert np.allclose(row["factor_per_year"], 2.0, rtol=EXACT_RTOL)
    # the paper's ~600× is an endpoint ratio at best: shown beside that row only
    assert row.loc["endpoint", "paper_value"] == PAPER_TOTAL_DECLINE
    assert row.drop(index="endpoint")["paper_value"].isna().all()


def _noisy(seed: int, n: int = 14, factor: float = 3.0) -> pd.DataFrame:
    """A frontier falling ``factor``× a year with log-normal scatter; capability rises."""
    rng = np.random.default_rng(seed)
    dates = pd.Timestamp("2021-01-01") + pd.to_timedelta(np.sort(rng.uniform(0, 5 * 365.25, n)).round(), unit="D")
    t = to_years(dates) - to_years(dates[:1])[0]
    return pd.DataFrame({"model_id": [f"m{i}" for i in range(n)], "valid_from": dates,
                         "blended_usd_per_mtok": 50.0 * factor ** (-t) * np.exp(rng.normal(0, 0.3, n)),
                         "eci": 100.0 + np.arange(n)})


def test_constant_capability_trend_interval_contains_its_estimate_and_the_truth() -> None:
    covered = 0
    draws = 40
    for seed in range(draws):
        d = _noisy(seed)
        end = d["valid_from"].max()
        r = lf.total_decline(d, start="2021-01-01", end=end, definitions=["constant_capability",
                                                                          "constant_capability_trend"])
        row = r.table.set_index("definition")
        if row.loc["constant_capability_trend", "status"] != "estimated":
            assert any("constant_capability_trend: not estimable" in n for n in r.notes)
            continue
        t = row.loc["constant_capability_trend"]
        assert t["conf_low"] <= t["factor"] <= t["conf_high"]             # by construction now
        assert t["factor_per_year"] == pytest.approx(t["factor"] ** (1 / t["years"]))
        covered += t["conf_low"] ** (1 / t["years"]) <= 3.0 <= t["conf_high"] ** (1 / t["years"])
        c = row.loc["constant_capability"]
        assert np.isnan(c["conf_low"]) and np.isnan(c["conf_high"])
    # the running-minimum series is a selected sample: no exact coverage claim, but most draws cover
    assert covered >= 0.8 * draws


def test_constant_capability_trend_failure_is_said() -> None:
    d = _synthetic().iloc[[0, 10]]                                         # two prices: no line
    r = lf.total_decline(d, start="2021-01-01", end=d["valid_from"].max())
    assert "constant_capability" in set(r.table["definition"])
    row = r.table.set_index("definition").loc["constant_capability_trend"]    # present, with its status
    assert row["status"] == "not estimable" and math.isnan(row["factor"])
    assert "needs at least" in row["reason"]
    assert any(n.startswith("constant_capability_trend: not estimable") for n in r.notes)


def test_endpoint_ignores_capability_but_constant_capability_does_not() -> None:
    d = _synthetic()
    # a tiny, weak model appears at the end at 1 cent: the endpoint ratio jumps, constant capability does not
    tiny = pd.DataFrame({"model_id": ["tiny"], "valid_from": [d["valid_from"].max()],
                         "blended_usd_per_mtok": [0.01], "eci": [50]})
    r = lf.total_decline(pd.concat([d, tiny], ignore_index=True), start="2021-01-01", end=d["valid_from"].max(),
                         definitions=["endpoint", "constant_capability"])
    assert r.factors["endpoint"] == pytest.approx(64 / 0.01)
    assert r.factors["constant_capability"] < 64


def test_start_before_data_is_moved_and_said() -> None:
    r = lf.total_decline(_synthetic(), start="2019-01-01", end="2024-01-01", definitions=["endpoint"])
    assert r.start == pd.Timestamp("2021-01-01")
    assert any("first priced date" in n for n in r.notes)


def test_errors() -> None:
    with pytest.raises(InputError, match="must be after start"):
        lf.total_decline(_synthetic(), start="2024-01-01", end="2023-01-01")
    with pytest.raises(InputError, match="definitions holds 'median', which is not allowed"):
        lf.total_decline(_synthetic(), start="2021-01-01", end="2023-01-01", definitions=["median"])


def test_result_smoke() -> None:
    r = lf.total_decline(_synthetic(), start="2021-01-01", end="2026-01-01")
    assert isinstance(r, DeclineResult)
    assert isinstance(r.summary(), str) and "endpoint" in r.summary()
    assert list(r.to_frame()["term"]) == ["endpoint", "trend", "constant_capability", "constant_capability_trend"]
    assert r._repr_html_().startswith("<div")


def test_shared_declines_returns_the_first_result_on_equal_data_only(monkeypatch) -> None:
    import llmflation.study.decline as decline
    from llmflation.study.robustness import PAPER_END, _run_decline

    d = _noisy(3)
    calls = []
    compute = decline._total_decline
    monkeypatch.setattr(decline, "_total_decline", lambda *a, **k: calls.append(k) or compute(*a, **k))
    with decline.shared_declines():
        r = lf.total_decline(d, start="2020-01-01", end=PAPER_END)
        assert lf.total_decline(d.copy(), start="2020-01-01", end=pd.Timestamp(PAPER_END)) is r
        rows = _run_decline(d.copy())  # the robustness grid: its end dimension reuses r
        assert len(calls) == 2         # r, and the grid's default dimension (another end)
        other = d.assign(blended_usd_per_mtok=d["blended_usd_per_mtok"] * 2)
        assert lf.total_decline(other, start="2020-01-01", end=PAPER_END) is not r      # other data
        assert lf.total_decline(d, start="2020-01-01", end=PAPER_END, level=0.9) is not r  # other arguments
        assert len(calls) == 4
    assert lf.total_decline(d, start="2020-01-01", end=PAPER_END) is not r              # outside: never kept
    end_rows = [x for x in rows if x["dimension"] == "end"]
    assert [x["estimate"] for x in end_rows] == list(r.table["factor"])
