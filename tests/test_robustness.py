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


def _fork_task(args):
    frame, k = args
    if k == 3:
        raise InputError("item 3 is refused")
    return float(frame["x"].sum() * k), __import__("os").getpid()


def test_fork_map_same_results_as_sequential_and_raises_here():
    import os

    from llmflation.methods.bootstrap import fork_map

    frame = pd.DataFrame({"x": np.arange(5.0)})
    items = [(frame, k) for k in (0, 1, 2, 4, 5, 6)]
    got = fork_map(lambda a: _fork_task(a)[0], items, n_jobs=3)  # a closure: never pickled
    assert got == [10.0 * k for k in (0, 1, 2, 4, 5, 6)]
    ran = fork_map(_fork_task, items, n_jobs=2)
    # which process takes which item depends on scheduling (under load a fork may take them
    # all); what must hold is the results, in order, from this process or a fork of it
    assert [v for v, _ in ran] == [10.0 * k for k in (0, 1, 2, 4, 5, 6)]
    assert all(isinstance(p, int) and p > 0 for _, p in ran) and os.getpid() > 0
    with pytest.raises(InputError, match="item 3 is refused"):  # a fork's exception is raised here
        fork_map(_fork_task, [(frame, 1), (frame, 3)], n_jobs=2)


def test_fork_map_inside_a_daemonic_worker():
    # The report's forked worker is daemonic: multiprocessing would refuse children, os.fork does not.
    import multiprocessing as mp

    from llmflation.methods.bootstrap import fork_map

    ctx = mp.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)

    def work() -> None:
        child.send(fork_map(lambda k: k * k, range(6), n_jobs=2))

    p = ctx.Process(target=work, daemon=True)
    p.start()
    assert parent.recv() == [0, 1, 4, 9, 16, 25]
    p.join()


def test_identical_specifications_fit_once():
    from llmflation.study.robustness import _once, _rows_key

    calls = []

    def fit():
        calls.append(1)
        raise InputError("too few models")

    memo: dict = {}
    a = pd.DataFrame({"x": [1, 2, 3]}, index=[4, 7, 9])
    b = a[a["x"] >= 0]  # a filter that keeps every row: the same data
    assert _rows_key(a) == _rows_key(b) != _rows_key(a.iloc[1:])
    for _ in range(2):
        with pytest.raises(InputError, match="too few models"):
            _once(memo, (_rows_key(b), "k"), fit)
    assert len(calls) == 1
    assert _rows_key(pd.DataFrame({"x": [1, 2]}, index=[0, 0])) is None


@pytest.mark.slow
def test_grid_on_two_processes_is_the_same_table():
    from llmflation.study.robustness import grid_jobs

    one = Study().robustness(leave_one_out=False, n_jobs=1)
    with grid_jobs(2):
        two = Study().robustness(leave_one_out=False)
    pd.testing.assert_frame_equal(one.table, two.table, check_exact=True)
    pd.testing.assert_frame_equal(one.influence, two.influence, check_exact=True)
