"""forecast: prices at a horizon with prediction intervals; crossing dates."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import llmflation as lf
from llmflation.errors import InputError
from llmflation.study.forecast import ForecastResult
from llmflation.study.inputs import StudyInputs
from llmflation.study.threshold import epoch_reproduction
from llmflation.study.trends import TrendResult, fit_group, to_years
from tolerances import EXACT_RTOL

DATA = StudyInputs()

COVERAGE_LOW, COVERAGE_HIGH = 0.92, 0.98


def _path(noise: float = 0.0, seed: int = 0, n: int = 20) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2021-01-01", periods=n, freq="91D")
    t = to_years(dates) - 2021
    return pd.DataFrame({"date": dates, "price": 10.0 * 2.0 ** (-t) * np.exp(rng.normal(0, noise, n) if noise else 0)})


def test_exact_trend_extrapolates_exactly() -> None:
    f = lf.forecast(_path(), by=None, observations="rows", price_col="price", until="2027-12-31",
                    target_prices=[0.01])
    t = float(to_years([pd.Timestamp("2027-12-31")])[0] - 2021)
    assert f.prices["price"].iloc[0] == pytest.approx(10 * 2**-t, rel=EXACT_RTOL)
    # crossing: 10 × 2^-t = 0.01 → t = log2(1000)
    want = float(np.log2(1000.0))
    got = float(to_years([f.crossings["date"].iloc[0]])[0] - 2021)
    assert got == pytest.approx(want, abs=1 / 365)
    assert f.crossings["reason"].iloc[0] == ""


def test_prediction_interval_coverage() -> None:
    """A new observation at the horizon falls inside the 95% prediction interval 92–98% of the time."""
    rng = np.random.default_rng(7)
    horizon = pd.Timestamp("2027-06-30")
    th = float(to_years([horizon])[0] - 2021)
    hits, reps = 0, 400
    for i in range(reps):
        d = _path(0.4, seed=1000 + i)
        g = fit_group(to_years(d["date"]), np.log(d["price"].to_numpy()), n_boot=0)
        f = lf.forecast(TrendResult(by="all", groups=(g,), observations=d), until=horizon)
        new = 10.0 * 2.0 ** (-th) * np.exp(rng.normal(0, 0.4))
        hits += f.prices["pi_low"].iloc[0] <= new <= f.prices["pi_high"].iloc[0]
    assert COVERAGE_LOW <= hits / reps <= COVERAGE_HIGH


def test_nat_crossings_say_why() -> None:
    # rising prices: never
    up = _path().assign(price=lambda d: 1.0 / d["price"])
    f = lf.forecast(up, by=None, observations="rows", price_col="price", target_prices=[0.1])
    row = f.crossings.iloc[0]
    assert pd.isna(row["date"]) and row["reason"].startswith("never")
    # a slope not significantly below zero: the Fieller set is unbounded
    flat = _path().assign(price=5.0 * np.exp(0.01 * (-1) ** np.arange(20) - 1e-4 * np.arange(20)))
    f = lf.forecast(flat, by=None, observations="rows", price_col="price", target_prices=[0.1])
    row = f.crossings.iloc[0]
    assert pd.isna(row["conf_high"]) and "unbounded" in row["reason"]
    # a tiny target far in the future: outside 1900–2300
    f = lf.forecast(_path(0.05), by=None, observations="rows", price_col="price", target_prices=[1e-90])
    row = f.crossings.iloc[0]
    assert pd.isna(row["date"]) and "outside 1900–2300" in row["reason"]
    assert "reason" in f.to_frame().columns


def test_capability_reaches_price_from_threshold_trends() -> None:
    f = lf.forecast(epoch_reproduction(DATA.epoch_prices(), DATA.epoch_results()), target_prices=[0.01])
    row = f.crossings.set_index("group").loc["MMLU ≥ GPT-3"]
    assert pd.Timestamp("2024-06-01") < row["date"] < pd.Timestamp("2027-01-01")
    assert row["conf_low"] < row["date"] < row["conf_high"]


def test_errors_and_smoke() -> None:
    with pytest.raises(InputError, match="forecast needs"):
        lf.forecast([1, 2, 3])  # type: ignore[arg-type]
    with pytest.raises(InputError, match="target prices must be positive"):
        lf.forecast(_path(0.1), by=None, observations="rows", price_col="price", target_prices=[0])
    f = lf.forecast(_path(0.1), by=None, observations="rows", price_col="price", target_prices=[1.0])
    assert isinstance(f, ForecastResult)
    assert "prediction" in f.summary() and f._repr_html_().startswith("<div")
    assert len(f.to_frame()) == 2
