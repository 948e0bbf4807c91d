"""Robustness as a result: declared grids, defaults, paper-closest specs, influence, paper vs ours."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from llmflation.errors import InputError
from llmflation.study.api import Study
from llmflation.study.robustness import ALL_CLAIMS, CLAIMS, _greedy_slope, claim_info, robustness
from tolerances import EXACT_RTOL


def test_every_claim_declares_default_reason_and_paper_closest():
    for c in ALL_CLAIMS:
        info = claim_info(c)
        assert info["default"] and info["paper_closest"] and info["why_default"] and info["why_paper"]
        assert "reference" in info
    assert set(ALL_CLAIMS) == set(CLAIMS)


def test_chow_and_hhi_grids_are_tidy_with_default_and_paper_rows():
    r = Study().robustness("chow", leave_one_out=False)
    t = r.to_frame()
    assert {"claim", "spec_id", "dimension", "term", "estimate", "conf_low", "conf_high", "p_value", "n",
            "is_default", "is_paper_closest"} <= set(t.columns)
    assert t["is_default"].any() and t["is_paper_closest"].any()
    assert (t["p_value"].dropna() >= 1e-16).all()
    curve = r.spec_curve_frame()
    assert (curve.groupby(["claim", "term"])["estimate"].apply(lambda s: s.is_monotonic_increasing)).all()
    assert {"claim", "target", "n_removed"} <= set(r.influence.columns)
    h = Study().robustness("hhi").to_frame()
    assert h["is_default"].sum() == 1 and h["is_paper_closest"].sum() == 1


def test_robustness_takes_its_data_as_arguments():
    """A study function never loads the bundle itself: missing data is refused, with the Study path as the fix."""
    with pytest.raises(InputError, match=r"robustness\('chow'\) needs milestones=.*lf\.Study\(\)\.robustness\('chow'\)"):
        robustness("chow", leave_one_out=False)
    with pytest.raises(InputError, match=r"needs panel=, milestones=, concentration=, which were not given"):
        robustness()
    study = Study()
    r = robustness("chow", milestones=study.data.milestones(), leave_one_out=False, influence=False)
    assert set(r.table["claim"]) == {"chow"}


def test_greedy_influence_finds_a_single_outlier():
    rng = np.random.default_rng(0)
    x = np.linspace(0, 3, 40)
    y = -0.5 * x + rng.normal(0, 0.05, 40)
    y[0] += 12.0  # one expensive early model drives half of the decline
    lab = np.array([f"m{i}" for i in range(40)])
    r = _greedy_slope(x, y, lab, lab, lambda b: np.log(2) / -b if b < 0 else np.inf)
    assert r["n_removed"] == 1 and r["removed"] == "m0"


@pytest.mark.slow
def test_full_grid_runs_in_budget_and_paper_vs_ours_has_two_columns():
    from llmflation.study.paper_vs_ours import paper_vs_ours

    r = Study().robustness()
    rng = r.ranges()
    assert set(rng["claim"]) >= {"half_life_economy", "reasoning_premium", "chow", "hhi"}
    f = paper_vs_ours(r)
    assert {"claim", "paper_value", "citation", "ours_closest", "closest_conf_low", "ours_default",
            "default_conf_low", "reason"} <= set(f.columns)
    assert f["reason"].str.len().gt(0).all()
    # a paper figure is a reference, never a returned value
    row = f.set_index("claim").loc["half_life_economy"]
    assert row["paper_value"] == pytest.approx(1.10)
    assert row["ours_default"] != pytest.approx(1.10, rel=EXACT_RTOL)
    assert isinstance(r.table, pd.DataFrame)
