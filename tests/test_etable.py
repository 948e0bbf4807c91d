"""lf.etable: several results side by side (regressions, trends, tests, indices), for papers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import llmflation as lf
from llmflation.errors import InputError

RNG = np.random.default_rng(0)


def _trend(level: float = 0.95):
    d = pd.DataFrame({"date": pd.date_range("2021-01-01", periods=30, freq="45D")})
    d["price"] = np.exp(-np.arange(30) / 10 + RNG.normal(0, 0.1, 30))
    return lf.price_trend(d, by=None, date_col="date", price_col="price", observations="rows", n_boot=0, level=level)


def _regression():
    c = np.exp(RNG.uniform(10, 20, 40))
    data = pd.DataFrame({"price_usd_per_mtok": c ** 0.5 * np.exp(RNG.normal(0, 1.0, 40) * np.linspace(0.2, 3, 40)), "training_cost_usd": c})
    return lf.elasticity(data, controls=()), lf.elasticity(data, controls=(), cov_type="HC3")


def test_regressions_side_by_side_numbers_and_spec_rows():
    a, b = _regression()
    t = lf.etable([a, b], terms=["log_training_cost"], labels=["HC1", "HC3"])
    fa = a.to_frame().set_index("term").loc["log_training_cost"]
    fb = b.to_frame().set_index("term").loc["log_training_cost"]
    assert t.loc["log_training_cost", "HC1"] == f"{fa['estimate']:.3f}"
    ci = t.iloc[1]
    assert ci["HC1"] == f"[{fa['conf_low']:.3f}, {fa['conf_high']:.3f}]"
    assert ci["HC3"] == f"[{fb['conf_low']:.3f}, {fb['conf_high']:.3f}]"
    assert ci["HC1"] != ci["HC3"]  # the specifications differ, and so do their intervals
    assert t.loc["n"].tolist() == ["40", "40"]
    assert t.loc["cov_type"].tolist() == ["HC1", "HC3"]  # a specification row from config (only what differs)
    assert "controls" not in t.index
    se = lf.etable([a, b], terms=["log_training_cost"], below="se")
    assert se.iloc[1, 0] == f"({fa['std_error']:.3f})"


def test_trends_tests_and_indices_together():
    y = pd.Series(np.r_[np.zeros(20), np.ones(20)] + RNG.normal(0, .2, 40))
    chow = lf.chow_test(y, break_at=19)
    tr = _trend()
    idx = lf.price_index(pd.DataFrame({"a": [1.0, 2.0], "b": [1.0, 1.0]}, index=[2020, 2021]),
                         pd.DataFrame({"a": [1.0, 1.0], "b": [1.0, 1.0]}, index=[2020, 2021]))
    assert isinstance(idx, pd.Series)  # a plain index is not a result: etable refuses it, with the reason
    with pytest.raises(InputError, match="llmflation results"):
        lf.etable([tr, idx])
    t = lf.etable([tr, chow], terms=["half_life_years", "Chow test"])
    assert list(t.index[:4]) == ["all: half_life_years", "", "Chow test", ""]
    assert t.loc["Chow test", "(2)"] == f"{chow.statistic:.3f}"  # a test shows its statistic over its p-value
    assert t.iloc[3, 1].startswith("p = ")
    assert t.loc["all: half_life_years", "(1)"] == f"{tr.groups[0].half_life_years:.3f}"
    assert t.loc["result"].tolist() == ["TrendResult", "HypothesisTest"]


def test_renderings():
    a, b = _trend(0.95), _trend(0.90)
    md = lf.etable([a, b], type="md", terms=["half_life_years"], caption="Half-life", notes=["Synthetic data."])
    assert md.splitlines()[0] == "**Half-life**" and "| all: half_life_years |" in md and "_Synthetic data._" in md
    tex = lf.etable([a, b], type="tex", terms=["half_life_years"], caption="Half-life")
    assert "\\toprule" in tex and "half\\_life\\_years" in tex and "\\caption{Half-life}" in tex
    html = lf.etable([a, b], type="html", terms=["half_life_years"], caption="<b>")
    assert "<table" in html and "&lt;b&gt;" in html
    assert a.to_markdown().startswith(f"**{a.title}**")
    assert "\\begin{tabular}" in a.to_latex(terms=["half_life_years"])


@pytest.mark.parametrize("kw", [{"type": "xlsx"}, {"below": "stars"}, {"labels": ["a"]}, {"labels": ["a", "a"]},
                                {"digits": -1}, {"digits": "3"}])
def test_bad_options(kw):
    with pytest.raises(InputError):
        lf.etable([_trend(), _trend()], **kw)


def test_bad_results_and_long_tables():
    with pytest.raises(InputError):
        lf.etable([])
    with pytest.raises(InputError):
        lf.etable("result")
    with pytest.raises(InputError, match="max_rows"):
        lf.etable([lf.validate_panel(lf.load_panel(warn=False))], max_rows=10)


def test_indices_side_by_side_keep_their_periods():
    panel = lf.load_panel(warn=False)
    a = lf.hedonic_index(panel, n_boot=0)
    b = lf.hedonic_index(panel, n_boot=0, period="Y")
    t = lf.etable([a, b], terms=["index"], labels=["quarterly", "yearly"], max_rows=None)
    fa = a.to_frame()
    first = fa[fa["term"] == "index"].iloc[1]
    row = f"{first['period']}: index"
    assert t.loc[row, "quarterly"] == f"{first['estimate']:.3f}"
    assert t.loc[row, "yearly"] == ""  # a quarter is not a period of the yearly index
    assert t.loc["period"].tolist() == ["Q", "Y"]  # the specification row that differs
