"""Issue 19 (5): robustness on the dimensions that move the answer, and the wild cluster bootstrap."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from llmflation.methods.wild import wild_cluster
from llmflation.study.api import Study
from llmflation.study.robustness import robustness

#: Monte Carlo error of a 200-replication coverage estimate of a 95% interval is ~1.5 pp;
#: with 8 clusters a CR1 t interval covers ~85–88%, the wild cluster interval should be near 95%.
MIN_WILD_COVERAGE = 0.89


@pytest.fixture(scope="module")
def panel():
    from llmflation.study.inputs import StudyInputs

    return StudyInputs().panel()


@pytest.mark.slow
def test_wild_cluster_interval_covers_with_few_clusters():
    rng = np.random.default_rng(1)
    hits = 0
    for _ in range(200):
        g = np.repeat(np.arange(8), 25)
        x = rng.normal(size=8)[g] + rng.normal(size=200)  # a regressor correlated within clusters
        y = 0.5 * x + rng.normal(size=8)[g] + rng.normal(size=200)
        r = wild_cluster(np.column_stack([np.ones(200), x]), y, g, n_boot=199, seed=int(rng.integers(1e9)))
        hits += r.conf_low <= 0.5 <= r.conf_high
    assert hits / 200 >= MIN_WILD_COVERAGE


def test_wild_cluster_rejects_a_true_effect_and_not_a_null():
    rng = np.random.default_rng(2)
    g = np.repeat(np.arange(10), 30)
    x = rng.normal(size=300)
    e = rng.normal(size=10)[g] + rng.normal(size=300)
    X = np.column_stack([np.ones(300), x])
    assert wild_cluster(X, 1.0 * x + e, g, n_boot=399).p_value < 0.01
    assert wild_cluster(X, e, g, n_boot=399).p_value > 0.01


def test_headline_and_tier_grids_cover_the_issue19_dimensions(panel):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = robustness("headline_index", panel=panel, influence=False)
    t = r.table
    assert {"default", "start", "canonical", "cluster", "first_party", "leave one developer out"} <= set(t["dimension"])
    assert t["is_default"].sum() == 2  # hedonic and matched rows of the default specification
    rg = r.ranges().set_index("term").loc["hedonic"]
    assert rg["low"] <= rg["default"] <= rg["high"] and 0 < rg["default_percentile"] <= 1
    # the wild developer-clustered interval is a different interval around the same estimate
    h = t[(t["term"] == "hedonic")].set_index("dimension")
    assert h.loc["cluster", "estimate"] == pytest.approx(h.loc["default", "estimate"])
    assert (h.loc["cluster", "conf_low"], h.loc["cluster", "conf_high"]) != (h.loc["default", "conf_low"],
                                                                             h.loc["default", "conf_high"])
    bd = r.by_dimension()
    assert {"low", "high", "default", "n_specs"} <= set(bd.columns)


def test_tier_grid_has_start_canonical_and_developer_clusters(panel):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = robustness("half_life_economy", panel=panel, leave_one_out=False, influence=False)
    t = r.table.set_index("dimension")
    assert {"start", "canonical", "cluster"} <= set(t.index)
    assert t.loc["cluster", "reason"].startswith("wild cluster bootstrap by developer")
    # deduplication off sees more "models" (every listed id) than the canonical series
    assert t.loc["canonical", "n"] > t.loc["default", "n"]


def test_chow_start_dimension_is_not_a_default():
    r = Study().robustness("chow", leave_one_out=False, influence=False)
    t = r.table
    assert t.loc[t["is_default"] & (t["term"] == "chow_F"), "dimension"].tolist() == ["default"]
    assert {"2021-01-01", "2023-01-01"} <= set(t["start"].dropna())
