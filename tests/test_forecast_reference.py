"""Crossing dates: inverse prediction (Fieller / inversion) intervals against Graybill & Iyer."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from llmflation.methods.ols import fit_line, inverse_prediction

CASE = Path(__file__).parent / "reference" / "forecast_inverse_graybill_iyer"


def _half_unit(decimals: int) -> float:
    """Half a unit in the last kept decimal: investr's test rounds to that many places."""
    return 0.5 * 10.0 ** (-decimals) + 1e-9


@pytest.mark.parametrize("i", range(3))
def test_inverse_prediction_matches_graybill_iyer(i: int) -> None:
    d = pd.read_csv(CASE / "data.csv")
    e = json.loads((CASE / "expected.json").read_text())["cases"][i]
    sub = d[d["case"] == e["case"]]
    f = fit_line(sub["x"], sub["y"])
    x, lo, hi = inverse_prediction(f, e["y0"], e["level"], kind=e["kind"])
    assert x == pytest.approx(e["estimate"], abs=_half_unit(e["estimate_digits"]))
    assert lo == pytest.approx(e["lower"], abs=_half_unit(e["bound_digits"]))
    assert hi == pytest.approx(e["upper"], abs=_half_unit(e["bound_digits"]))


def test_prediction_band_interval_is_wider_than_mean_band() -> None:
    d = pd.read_csv(CASE / "data.csv")
    sub = d[d["case"] == "chamber"]
    f = fit_line(sub["x"], sub["y"])
    _, clo, chi = inverse_prediction(f, 400.0, 0.99, kind="confidence")
    _, plo, phi = inverse_prediction(f, 400.0, 0.99, kind="prediction")
    assert plo < clo < chi < phi
