"""The LLM DMU panel (developer × quarter) and its Malmquist application."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from llmflation.study.frontier import (
    PAPER_MI_2024,
    PAPER_TC_2024,
    LLMFrontierResult,
    llm_dmu_panel,
    llm_malmquist,
)
from llmflation.study.inputs import StudyInputs
from tolerances import IDENTITY_RTOL, LP_RTOL

NO_EPOCH = pd.DataFrame({"Model": [], "Training compute (FLOP)": []})


def _panel():
    # Three developers; every quarter each launches a model with ECI +1 and half the price
    # of its previous one: capability per dollar doubles every quarter for everyone.
    rows = []
    for d, (p0, e0) in {"A": (10.0, 100.0), "B": (20.0, 101.0), "C": (5.0, 99.0)}.items():
        for k, q in enumerate(pd.period_range("2024Q1", "2024Q4", freq="Q")):
            day = q.start_time + pd.Timedelta(days=10)
            rows.append({"model_id": f"{d}{k}", "developer": d, "release_date": day,
                         "valid_from": day, "first_party": True,
                         "blended_usd_per_mtok": p0 / 2 ** k, "context_tokens": 8192.0,
                         "eci": e0, "epoch_model": None})
    return pd.DataFrame(rows)


def test_dmu_panel_flagship_and_value():
    d = llm_dmu_panel(_panel(), start="2024Q1", end="2024Q4", epoch_models=NO_EPOCH)
    assert len(d) == 12
    a = d[d.developer == "A"].set_index("quarter")
    # same ECI every quarter: the cheaper (newest) model is the flagship
    assert a["price_usd_per_mtok"].tolist() == [10.0, 5.0, 2.5, 1.25]
    assert a["n_models_offered"].tolist() == [1, 2, 3, 4]
    v = llm_dmu_panel(_panel(), start="2024Q1", end="2024Q4", pick="value", epoch_models=NO_EPOCH)
    assert v["price_usd_per_mtok"].min() == 5.0 / 8


def test_llm_malmquist_known_frontier_shift():
    specs = {"price → ECI": ("flagship", ["price_usd_per_mtok"], ["eci"])}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = llm_malmquist(_panel(), epoch_models=NO_EPOCH, start="2024Q1", end="2024Q4", specs=specs)
    assert isinstance(res, LLMFrontierResult)
    c = res.comparison.set_index(["window", "measure"])["estimate"]
    # price halves each quarter at constant ECI: output/input doubles: TC = 2 per quarter
    assert c[("2024Q1→2024Q4 chained", "tfpch")] == pytest.approx(8.0, rel=LP_RTOL)
    assert c[("2024Q1→2024Q4 chained", "techch")] == pytest.approx(8.0, rel=LP_RTOL)
    assert c[("2024Q1→2024Q4 direct", "tfpch")] == pytest.approx(8.0, rel=LP_RTOL)
    assert c[("2024Q1→2024Q4 direct", "effch")] == pytest.approx(1.0, rel=LP_RTOL)
    bq = res.by_quarter
    np.testing.assert_allclose(bq["tfpch"], bq["effch"] * bq["techch"], rtol=IDENTITY_RTOL)
    assert "developer × quarter" in res.summary()


def test_paper_figures_are_references_beside_ours():
    # Plumbing (one per module): the paper's 4.11 / 4.13 sit in paper_value, not estimate.
    specs = {"price → ECI": ("flagship", ["price_usd_per_mtok"], ["eci"])}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = llm_malmquist(_panel(), epoch_models=NO_EPOCH, start="2024Q1", end="2024Q4", specs=specs)
    c = res.comparison.set_index(["window", "measure"])
    row = c.loc[("2024Q1→2024Q4 chained", "tfpch")]
    assert row["paper_value"] == PAPER_MI_2024 and row["estimate"] != PAPER_MI_2024
    assert c.loc[("2024Q1→2024Q4 chained", "techch"), "paper_value"] == PAPER_TC_2024


@pytest.mark.slow
def test_llm_malmquist_on_bundled_panel():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = llm_malmquist(**StudyInputs().frontier())
    assert res.comparison["spec"].nunique() >= 3
    assert set(res.comparison["window"]) == {"2024Q1→2024Q4 chained", "2024Q1→2024Q4 direct"}
    assert (res.comparison["estimate"] > 0).all()
    assert "2023Q1" <= res.by_quarter["period"].min()


def _bootstrap_by_frames(d, ins, outs, qs, window, n_boot, rng):
    """The DMU bootstrap through malmquist() on resampled data frames (the pre-issue-20 code)."""
    from llmflation.errors import InputError
    from llmflation.methods.malmquist import malmquist

    w0, w1 = window
    dw = d[d["quarter"].isin(qs)]
    devs = dw["developer"].unique()
    by_dev = {k: g for k, g in dw.groupby("developer")}
    out = {"chained": [], "direct": []}
    for _ in range(n_boot):
        pick = rng.choice(devs, len(devs))
        db = pd.concat([by_dev[v].assign(developer=f"{v}#{i}") for i, v in enumerate(pick)], ignore_index=True)
        counts = db.groupby("quarter").size()
        if any(counts.get(q, 0) < 2 for q in qs):
            continue
        try:
            bp = malmquist(db, dmu="developer", period="quarter", inputs=ins, outputs=outs, orientation="output",
                           rts="crs").by_period()
            bp = bp[bp["period"] != "mean"]
            chain = bp[bp["period"].isin(qs[1:]) & bp["base_period"].isin(qs[:-1])]
            if len(chain) == len(qs) - 1:
                out["chained"].append({m: float(np.prod(chain[m])) for m in ("tfpch", "techch", "effch")})
            r2 = malmquist(db[db["quarter"].isin([w0, w1])], dmu="developer", period="quarter", inputs=ins,
                           outputs=outs, orientation="output", rts="crs").by_period().iloc[0]
            out["direct"].append({m: float(r2[m]) for m in ("tfpch", "techch", "effch")})
        except (InputError, ValueError, KeyError, IndexError):
            continue
    return {k: pd.DataFrame(v, columns=["tfpch", "techch", "effch"]) for k, v in out.items()}


@pytest.mark.parametrize("ins,outs", [(["x"], ["y"]), (["x", "z"], ["y"]), (["x"], ["y", "z"])])
def test_dmu_bootstrap_equals_malmquist_on_resampled_frames(ins, outs):
    # The array bootstrap (shared batches, each drawn developer solved once per batch) gives the
    # numbers of malmquist() on every resampled panel, bit for bit; unbalanced presence included.
    from llmflation.study.frontier import _dmu_bootstrap

    rng = np.random.default_rng(3)
    qs = ["2024Q1", "2024Q2", "2024Q3", "2024Q4"]
    rows = []
    for k in range(9):
        for j, q in enumerate(qs):
            if (k + j) % 4 == 3 and k > 2:  # some developers miss a quarter
                continue
            rows.append({"developer": f"D{k}", "quarter": q, "x": float(rng.lognormal()) * 0.8 ** j,
                         "y": float(rng.lognormal()), "z": float(rng.lognormal())})
    d = pd.DataFrame(rows)
    got = _dmu_bootstrap(d, ins, outs, qs, ("2024Q1", "2024Q4"), 40, np.random.default_rng(7))
    want = _bootstrap_by_frames(d, ins, outs, qs, ("2024Q1", "2024Q4"), 40, np.random.default_rng(7))
    for k in ("chained", "direct"):
        assert len(got[k]) > 20
        pd.testing.assert_frame_equal(got[k], want[k], check_exact=True)
