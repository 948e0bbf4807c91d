"""Malmquist index: published examples (R productivity, MATLAB and Julia DEA toolboxes),
identities, known truth."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from llmflation.errors import InputError
from llmflation.methods.malmquist import COMPONENTS, MalmquistResult, malmquist
from tolerances import IDENTITY_RTOL, IMPL_RTOL

REF = Path(__file__).parent / "reference"

#: R package productivity results stored as doubles (RDS): ours agree to ~2e-12.
RDS_ATOL = 1e-9
#: DEA Toolbox for MATLAB working paper prints 4 decimals.
DEAMATLAB_ATOL = 5e-5
#: The Julia test prints 7-10 decimals and compares EC with atol = 1e-7.
JL_ATOL = 1e-7
#: tfpch = effch·techch and effch = pech·sech (issue #7: to 1e-10).
IDENTITY_TOL = 1e-10
#: Noiseless synthetic frontier shift recovered to floating-point accuracy.
SYNTH_ATOL = 1e-9

#: productivity's Changes columns -> ours.
PRODUCTIVITY = {"malmquist": "tfpch", "effch": "effch", "tech": "techch",
                "pure_effch": "pech", "scalech": "sech"}


def _ref(case):
    d = REF / case
    return pd.read_csv(d / "data.csv"), json.loads((d / "expected.json").read_text())


def _check_productivity(case, orientation):
    data, exp = _ref(case)
    res = malmquist(data, dmu=exp["dmu"], period=exp["period"], inputs=exp["inputs"],
                    outputs=exp["outputs"], orientation=orientation, rts="crs")
    e = pd.DataFrame(exp["orientations"][orientation])
    e = e.rename(columns={c: f"ref_{c}" for c in e.columns if c not in ("dmu", "period")})
    t = res.table.merge(e, on=["dmu", "period"])
    assert len(t) == len(e) == len(res.table)
    np.testing.assert_array_equal(t["base_period"], t["ref_base_period"])
    for theirs, ours in PRODUCTIVITY.items():
        np.testing.assert_allclose(t[ours], t[f"ref_{theirs}"], atol=RDS_ATOL,
                                   err_msg=f"{case} {orientation} {ours}")
    return res, t


@pytest.mark.parametrize("orientation", ["input", "output"])
def test_productivity_grifell_lovell_components_and_distances(orientation):
    res, t = _check_productivity("malmquist_productivity_grifell_lovell", orientation)
    # Shephard distances c{tech}{x}{y}: output orientation = our 1/φ, input = 1/our θ
    o = orientation[0]
    conv = (lambda v: v) if o == "o" else (lambda v: 1.0 / v)
    for ours, theirs in [("e_t_t", "c000"), ("e_t_t1", "c011"), ("e_t1_t", "c100"),
                         ("e_t1_t1", "c111"), ("e_vrs_t", "v000"), ("e_vrs_t1", "v111")]:
        np.testing.assert_allclose(t[ours], conv(t[f"ref_{theirs}{o}"]), atol=RDS_ATOL,
                                   err_msg=ours)
    # DEAP/productivity convention: period means are geometric means over DMUs
    bp = res.by_period().set_index("period")
    for c in COMPONENTS:
        assert bp.loc[2, c] == pytest.approx(np.exp(np.log(t[c]).mean()), rel=IDENTITY_RTOL)


@pytest.mark.parametrize("orientation", ["input", "output"])
def test_productivity_chn_economy_two_inputs_five_periods(orientation):
    res, t = _check_productivity("malmquist_productivity_chn_economy", orientation)
    assert res.periods == (2005, 2006, 2007, 2008, 2009) and len(t) == 4 * 31


def test_deamatlab_previous_period_and_fixed_base():
    data, exp = _ref("malmquist_deamatlab_wp2016")
    kw = dict(dmu="dmu", period="period", inputs=exp["inputs"], outputs=exp["outputs"])
    prev = malmquist(data, orientation="input", **kw).wide()
    e = exp["previous_period_input"]
    for k, per in ((1, 2), (2, 3)):
        g = prev[prev["period"] == per].sort_values("dmu")
        for ours, theirs in (("tfpch", "M"), ("effch", "MTEC"), ("techch", "MTC")):
            np.testing.assert_allclose(g[ours], e[f"{theirs}{k}"], atol=DEAMATLAB_ATOL,
                                       err_msg=f"{ours} {per}")
    # base period fixed at 1: 1→2 and the direct comparison 1→3, output orientation
    e = exp["fixed_base_output"]
    for k, per in ((1, 2), (2, 3)):
        pair = data[data["period"].isin([1, per])]
        g = malmquist(pair, orientation="output", **kw).wide().sort_values("dmu")
        for ours, theirs in (("tfpch", "M"), ("effch", "MTEC"), ("techch", "MTC")):
            np.testing.assert_allclose(g[ours], e[f"{theirs}{k}"], atol=DEAMATLAB_ATOL,
                                       err_msg=f"{ours} 1→{per}")


def test_dea_jl_three_periods_input_orientation():
    data = pd.read_csv(REF / "malmquist_dea_jl_3periods" / "data.csv")
    exp = json.loads((REF / "malmquist_dea_jl_3periods" / "expected.json").read_text())
    res = malmquist(data, dmu="dmu", period="period", inputs=["x"], outputs=["y"],
                    orientation="input", rts="crs")
    fr = res.wide()
    for per in ("2", "3"):
        g = fr[fr["period"] == int(per)].sort_values("dmu")
        np.testing.assert_allclose(g["tfpch"], exp["prod"][per], atol=JL_ATOL)
        np.testing.assert_allclose(g["effch"], exp["ec"][per], atol=JL_ATOL)
        np.testing.assert_allclose(g["techch"], exp["tc"][per], atol=JL_ATOL)


def _random_panel(n=25, periods=4, seed=0):
    rng = np.random.default_rng(seed)
    rows = []
    for t in range(periods):
        X = rng.uniform(1, 10, (n, 2))
        Y = rng.uniform(1, 10, (n, 2)) * (1.1 ** t)
        for i in range(n):
            rows.append({"dmu": f"d{i}", "t": t, "x1": X[i, 0], "x2": X[i, 1],
                         "y1": Y[i, 0], "y2": Y[i, 1]})
    return pd.DataFrame(rows)


@pytest.mark.parametrize("orientation", ["input", "output"])
def test_identities_hold(orientation):
    p = _random_panel()
    res = malmquist(p, dmu="dmu", period="t", inputs=["x1", "x2"], outputs=["y1", "y2"],
                    orientation=orientation)
    fr = res.wide()
    np.testing.assert_allclose(fr["tfpch"], fr["effch"] * fr["techch"], rtol=IDENTITY_TOL)
    np.testing.assert_allclose(fr["effch"], fr["pech"] * fr["sech"], rtol=IDENTITY_TOL)
    bp = res.by_period()
    np.testing.assert_allclose(bp["tfpch"], bp["effch"] * bp["techch"], rtol=IDENTITY_TOL)
    np.testing.assert_allclose(bp["effch"], bp["pech"] * bp["sech"], rtol=IDENTITY_TOL)


def test_crs_index_same_in_both_orientations():
    p = _random_panel(seed=4)
    a = malmquist(p, dmu="dmu", period="t", inputs="x1,x2", outputs="y1,y2", orientation="input")
    b = malmquist(p, dmu="dmu", period="t", inputs="x1,x2", outputs="y1,y2", orientation="output")
    for c in ("tfpch", "effch", "techch"):
        np.testing.assert_allclose(a.wide()[c], b.wide()[c], rtol=IMPL_RTOL)


def test_known_frontier_shift_recovered():
    # Same inputs every period; every DMU's outputs grow by g: pure technical change.
    rng = np.random.default_rng(9)
    n, g = 30, 1.37
    X = rng.uniform(1, 5, (n, 2))
    Y = rng.uniform(1, 5, (n, 1))
    rows = [{"dmu": i, "q": q, "x1": X[i, 0], "x2": X[i, 1], "y": Y[i, 0] * g ** k}
            for k, q in enumerate(["2024Q1", "2024Q2", "2024Q3"]) for i in range(n)]
    res = malmquist(pd.DataFrame(rows), dmu="dmu", period="q", inputs=["x1", "x2"], outputs=["y"])
    fr = res.wide()
    np.testing.assert_allclose(fr["techch"], g, atol=SYNTH_ATOL)
    np.testing.assert_allclose(fr["tfpch"], g, atol=SYNTH_ATOL)
    np.testing.assert_allclose(fr["effch"], 1.0, atol=SYNTH_ATOL)
    assert res.periods == ("2024Q1", "2024Q2", "2024Q3")
    assert res.by_period()["period"].tolist() == ["2024Q2", "2024Q3", "mean"]


def test_known_catch_up_recovered():
    # Frontier fixed; one DMU moves from 50% to 100% efficiency: effch = 2, techch = 1.
    p = pd.DataFrame({"dmu": ["a", "b", "c"] * 2, "t": [1] * 3 + [2] * 3,
                      "x": [1.0, 2.0, 2.0] * 2, "y": [1.0, 2.0, 1.0, 1.0, 2.0, 2.0]})
    fr = malmquist(p, dmu="dmu", period="t", inputs=["x"], outputs=["y"]).wide()
    c = fr.set_index("dmu").loc["c"]
    assert c["effch"] == pytest.approx(2.0) and c["techch"] == pytest.approx(1.0)
    assert c["tfpch"] == pytest.approx(2.0)


def test_unbalanced_panel_and_vrs_cross_period_nan():
    p = pd.DataFrame({"dmu": ["a", "b", "c", "a", "b"], "t": [1, 1, 1, 2, 2],
                      "x": [1.0, 2.0, 4.0, 0.5, 2.0], "y": [1.0, 2.0, 3.0, 1.0, 2.0]})
    res = malmquist(p, dmu="dmu", period="t", inputs=["x"], outputs=["y"], rts="vrs")
    fr = res.wide()
    assert set(fr["dmu"]) == {"a", "b"}
    a = fr.set_index("dmu").loc["a"]
    # a's period-2 input (0.5) is below every period-1 input: VRS cross-period infeasible
    assert np.isnan(a["tfpch"]) and "infeasible" in a["status"]
    assert any("Unbalanced" in n for n in res.notes)
    assert res.by_period().loc[0, "n"] == 1


def test_parallel_and_dask_give_identical_results():
    p = _random_panel(n=15, periods=3, seed=2)
    kw = dict(dmu="dmu", period="t", inputs=["x1", "x2"], outputs=["y1", "y2"])
    a = malmquist(p, **kw).wide()
    b = malmquist(p, n_jobs=2, backend="threading", **kw).wide()
    pd.testing.assert_frame_equal(a, b)


@pytest.mark.slow
def test_dask_backend_local_cluster():
    pytest.importorskip("dask.distributed")
    from dask.distributed import Client, LocalCluster

    p = _random_panel(n=12, periods=3, seed=8)
    kw = dict(dmu="dmu", period="t", inputs=["x1", "x2"], outputs=["y1", "y2"])
    a = malmquist(p, **kw).wide()
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                      dashboard_address=None) as cluster, Client(cluster):
        b = malmquist(p, n_jobs=2, backend="dask", **kw).wide()
    pd.testing.assert_frame_equal(a, b)


def test_result_api():
    data, _ = _ref("malmquist_productivity_grifell_lovell")
    res = malmquist(data, dmu="dmu", period="year", inputs=["x"], outputs=["y"])
    assert isinstance(res, MalmquistResult)
    assert list(res.wide().columns) == ["dmu", "period", "base_period", *COMPONENTS, "status"]
    assert "Malmquist index (output orientation, CRS frontier)" in res.summary()
    assert "<table>" in res._repr_html_()
    assert res.by_dmu().shape[0] == 8
    assert "rows=8" in repr(res)


def test_input_errors():
    p = pd.DataFrame({"d": [1, 1], "t": [1, 2], "x": [1.0, 1.0], "y": [1.0, 2.0]})
    with pytest.raises(InputError, match=r"columns \['z'\] not in panel"):
        malmquist(p, dmu="d", period="t", inputs=["z"], outputs=["y"])
    with pytest.raises(InputError, match="at least two periods"):
        malmquist(p[p.t == 1], dmu="d", period="t", inputs=["x"], outputs=["y"])
    with pytest.raises(InputError, match="one row per DMU × period"):
        malmquist(pd.concat([p, p]), dmu="d", period="t", inputs=["x"], outputs=["y"])
    with pytest.raises(InputError, match="orientation='x' is not allowed"):
        malmquist(p, dmu="d", period="t", inputs=["x"], outputs=["y"], orientation="x")
    with pytest.raises(InputError, match="missing or non-numeric"):
        malmquist(p.assign(x=[1.0, np.nan]), dmu="d", period="t", inputs=["x"], outputs=["y"])
