"""Frontier measures invariant to an output's arbitrary zero, and the DEA bootstrap."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from llmflation.methods.dea import dea
from llmflation.methods.dea_bootstrap import dea_bootstrap, malmquist_bootstrap, min_dmus
from llmflation.methods.malmquist import malmquist
from tolerances import LP_RTOL


def _panel(seed: int = 0, n: int = 12) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for q, gain in ((1, 1.0), (2, 1.6)):
        y = rng.uniform(100, 160, n)           # an ECI-like output with an arbitrary zero
        x = (y - 80) / gain / rng.uniform(0.5, 1.0, n)
        rows.append(pd.DataFrame({"dmu": [f"d{i}" for i in range(n)], "q": q, "x": x, "y": y}))
    return pd.concat(rows, ignore_index=True)


def test_vrs_input_dea_is_translation_invariant_in_outputs():
    p = _panel()
    g = p[p["q"] == 1].set_index("dmu")
    e0 = dea(g[["x"]], g[["y"]], rts="vrs", orientation="input").efficiency
    e1 = dea(g[["x"]], g[["y"]] - 90.0, rts="vrs", orientation="input").efficiency
    np.testing.assert_allclose(e0.to_numpy(), e1.to_numpy(), rtol=LP_RTOL, atol=LP_RTOL)
    c0 = dea(g[["x"]], g[["y"]], rts="crs", orientation="output").efficiency
    c1 = dea(g[["x"]], g[["y"]] - 90.0, rts="crs", orientation="output").efficiency
    assert not np.allclose(c0.to_numpy(), c1.to_numpy(), rtol=1e-3)  # CRS: the zero matters


def test_vrs_input_malmquist_is_translation_invariant_and_crs_output_is_not():
    p = _panel(1)
    shifted = p.assign(y=p["y"] - 95.0)
    kw = {"dmu": "dmu", "period": "q", "inputs": ["x"], "outputs": ["y"]}
    a = malmquist(p, orientation="input", rts="vrs", **kw).table
    b = malmquist(shifted, orientation="input", rts="vrs", **kw).table
    for c in ("tfpch", "techch", "effch"):
        np.testing.assert_allclose(a[c].to_numpy(), b[c].to_numpy(), rtol=1e-6, equal_nan=True)
    ca = malmquist(p, orientation="output", rts="crs", **kw).by_period().iloc[0]["tfpch"]
    cb = malmquist(shifted, orientation="output", rts="crs", **kw).by_period().iloc[0]["tfpch"]
    assert abs(ca / cb - 1) > 0.01
    ma = malmquist_bootstrap(p, n_boot=20, **kw).table.set_index("term")["estimate"]
    mb = malmquist_bootstrap(shifted, n_boot=20, **kw).table.set_index("term")["estimate"]
    np.testing.assert_allclose(ma.to_numpy(), mb.to_numpy(), rtol=1e-6)


def test_bootstrap_intervals_cover_true_efficiency():
    """Single input, single output, linear frontier x = y; true θ known."""
    rng = np.random.default_rng(11)
    n = 60
    y = rng.uniform(1, 10, n)
    theta = rng.uniform(0.55, 1.0, n)
    x = y / theta
    r = dea_bootstrap(pd.DataFrame({"x": x}), pd.DataFrame({"y": y}), rts="crs", n_boot=300, level=0.95, seed=3)
    t = r.table
    assert (t["conf_low"] <= t["conf_high"]).all()
    assert (t["efficiency"] >= theta - 1e-9).all()  # DEA overstates efficiency (frontier inside the true one)
    cover = ((t["conf_low"] <= theta) & (theta <= t["conf_high"])).mean()
    assert cover >= 0.70
    assert (t["bias_corrected"] <= t["efficiency"] + 1e-9).mean() > 0.9


def test_too_few_dmus_are_stated():
    assert min_dmus(1, 1) == 6
    r = dea_bootstrap(pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0]}), pd.DataFrame({"y": [1.0, 3.0, 2.0, 4.0]}),
                      n_boot=20)
    assert r.reason and "fewer than 6" in r.reason
    assert r.table["conf_low"].isna().all()
    assert r.to_frame()["reason"].str.contains("fewer|needs at least 6").all()


@pytest.mark.slow
def test_llm_frontier_invariant_to_eci_shift():
    from llmflation.study.frontier import llm_frontier_invariant
    from llmflation.study.inputs import StudyInputs

    r = llm_frontier_invariant(**StudyInputs().frontier(), n_boot=20)
    s = r.shift_check
    inv = s[s["model"].str.startswith("VRS")].pivot(index="term", columns="eci_shift", values="estimate")
    np.testing.assert_allclose(inv.iloc[:, 0], inv.iloc[:, 1], rtol=1e-6)
    assert {"conf_low", "conf_high", "reason"} <= set(r.malmquist.columns)
