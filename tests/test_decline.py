"""total_decline: endpoint ratio, trend-implied factor, constant-capability factor."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import llmflation as lf
from llmflation.analysis.decline import PAPER_TOTAL_DECLINE, DeclineResult
from llmflation.analysis.trend import to_years
from llmflation.errors import InputError


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
    assert f["endpoint"] == pytest.approx(2.0**years, rel=1e-9)
    assert f["trend"] == pytest.approx(2.0**years, rel=1e-9)
    assert f["constant_capability"] == pytest.approx(2.0**years, rel=1e-9)
    row = r.table.set_index("definition")
    assert math.isnan(row.loc["endpoint", "conf_low"])                    # no sampling CI for two prices
    assert row.loc["trend", "conf_low"] == pytest.approx(2.0**years, rel=1e-6)
    assert np.allclose(row["factor_per_year"], 2.0, rtol=1e-9)
    assert (row["paper_value"] == PAPER_TOTAL_DECLINE).all()


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
    with pytest.raises(InputError, match="definition='median' is not allowed"):
        lf.total_decline(_synthetic(), start="2021-01-01", end="2023-01-01", definitions=["median"])


def test_result_smoke() -> None:
    r = lf.total_decline(_synthetic(), start="2021-01-01", end="2026-01-01")
    assert isinstance(r, DeclineResult)
    assert isinstance(r.summary(), str) and "600" in r.summary()
    assert list(r.to_frame()["term"]) == ["endpoint", "trend", "constant_capability"]
    assert r._repr_html_().startswith("<div")
