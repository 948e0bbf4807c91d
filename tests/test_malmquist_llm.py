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
