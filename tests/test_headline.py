"""The headline chained quality-adjusted price index: known truth, coverage, the bundled answer."""

from __future__ import annotations

import io
import math
import warnings

import numpy as np
import pandas as pd
import pytest

import llmflation as lf
from llmflation.errors import InputError
from llmflation.study.headline import headline_index
from tolerances import EXACT_ATOL

#: Bootstrap and sampling error of a 40-model synthetic market's annual rate (s.d. ≈ 0.05 log points).
RATE_ATOL = 0.2
#: A 40-replication coverage estimate of a 95% interval has s.d. ≈ 3.5 pp; 0.8 is 4 s.d. below nominal.
MIN_COVERAGE = 0.8


def market(seed: int = 0, n: int = 40, months: int = 24, decline: float = 1.0, cut: dict | None = None,
           sigma_model: float = 0.3, noise: float = 0.1, sticky: bool = False) -> pd.DataFrame:
    """Synthetic first-party market on a shifting hedonic surface.

    ``ln p_it = 0.05 q_i − decline·t + u_i + e_it`` (t in years, u_i a model effect, e_it
    monthly noise): every listed model follows the surface, so the quality-adjusted price
    falls at ``decline`` a year. With ``sticky`` a model keeps its launch price (only
    entrants bring the fall, which a matched-model index cannot see). ``cut`` =
    {model: (month, factor)} multiplies a model's price from that month on.
    """
    rng = np.random.default_rng(seed)
    rows = []
    start = pd.Timestamp("2024-01-01")
    for i in range(n):
        born = int(i * months / n) if i >= 6 else 0
        q = rng.normal(100, 10)
        u = rng.normal(0, sigma_model)
        for m in range(born, months):
            t = (born if sticky else m) / 12
            p = math.exp(0.05 * q - decline * t + u + (0.0 if sticky else rng.normal(0, noise)))
            if cut and f"m{i}" in cut and m >= cut[f"m{i}"][0]:
                p *= cut[f"m{i}"][1]
            rows.append({"model_id": f"m{i}", "developer": f"d{i % 8}", "provider": f"d{i % 8}", "first_party": True,
                         "eci": q, "valid_from": start + pd.DateOffset(months=m),
                         "valid_to": start + pd.DateOffset(months=m + 1) - pd.Timedelta(days=1),
                         "blended_usd_per_mtok": p})
    return pd.DataFrame(rows)


def test_recovers_a_known_quality_adjusted_decline():
    r = headline_index(market(), start="2024-01-01", n_boot=99)
    assert r.log_change_per_year == pytest.approx(-1.0, abs=RATE_ATOL)
    lo, hi = r.log_change_ci
    assert lo < r.log_change_per_year < hi
    assert r.status == "estimated"


def test_entrants_only_fall_is_seen_by_the_hedonic_index_not_the_matched_one():
    r = headline_index(market(sticky=True), start="2024-01-01", n_boot=0)
    a = r.annual.set_index("index_kind")["log_change_per_year"]
    assert a["matched"] == pytest.approx(0.0, abs=EXACT_ATOL)  # no incumbent ever changes its price
    assert a["hedonic"] < -0.2


def test_no_decline_gives_an_interval_around_zero():
    r = headline_index(market(decline=0.0, seed=3), start="2024-01-01", n_boot=99)
    lo, hi = r.log_change_ci
    assert lo < 0 < hi


def test_a_cut_moves_the_index_and_the_matched_index():
    base = headline_index(market(seed=1, sticky=True), start="2024-01-01", n_boot=0)
    cut = headline_index(market(seed=1, sticky=True, cut={"m0": (12, 0.25), "m1": (12, 0.25)}), start="2024-01-01",
                         n_boot=0)
    i = base.table.index[base.table["period"] == "2025-01"][0]
    assert cut.table.loc[i, "log_index"] < base.table.loc[i, "log_index"] - 0.05
    assert cut.table.loc[i, "matched_index"] < base.table.loc[i, "matched_index"]


def test_wild_and_developer_clusters_run():
    r = headline_index(market(), start="2024-01-01", cluster="developer", n_boot=99)
    assert r.config["bootstrap"] == "wild" and r.n_clusters == 8
    assert r.log_change_ci[0] < r.log_change_per_year < r.log_change_ci[1]


@pytest.mark.slow
def test_bootstrap_interval_coverage():
    """A 95% pairs cluster interval covers the true rate in at least MIN_COVERAGE of 40 synthetic markets."""
    hits = 0
    for s in range(40):
        r = headline_index(market(seed=100 + s, n=30, months=18), start="2024-01-01", n_boot=99, seed=s)
        lo, hi = r.log_change_ci
        hits += lo <= -1.0 <= hi
    assert hits / 40 >= MIN_COVERAGE


def test_refuses_too_few_periods():
    with pytest.raises(InputError, match="at least 2 periods"):
        headline_index(market(n=4), start="2024-01-01", min_models=10, n_boot=0)


def test_bundled_headline_and_csv():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = lf.Study().headline_index(n_boot=49)
    assert r.status == "estimated" and r.n_models >= 50
    assert r.log_change_ci[0] < r.log_change_per_year < r.log_change_ci[1] < 0
    kinds = set(r.annual["index_kind"])
    assert kinds == {"hedonic", "token_weighted", "matched"}
    text = r.to_csv()
    assert "# vintage: bundled snapshot" in text
    back = pd.read_csv(io.StringIO(text), comment="#")
    assert list(back["period"]) == list(r.table["period"])
    fig = r.figure_data()
    assert set(fig["series"]) == {"hedonic", "token_weighted", "matched"}


def test_capability_alternatives_run_on_the_bundle():
    """ECI is the default; an Epoch benchmark and LMArena scores are the alternatives (issue 19)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        s = lf.Study()
        for q in ("GPQA Diamond", "arena_elo"):
            r = s.headline_index(quality=q, n_boot=49)
            assert r.config["quality"] == q and r.n_models >= 30
            assert r.log_change_ci[1] < 0, q
