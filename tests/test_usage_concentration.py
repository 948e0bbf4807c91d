"""Concentration on usage and spend shares: invariants, bounds, labels, CLI."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from llmflation.errors import InputError
from llmflation.study.concentration import USAGE_MEASURES, usage_concentration
from tolerances import IDENTITY_RTOL

MENLO = "US enterprise LLM API spend (Menlo Ventures survey)"
OR_AUTHOR = "OpenRouter tokens by model author (week-to-date)"


def _shares(market: str, firms: list[str], shares: list[float], period: str = "2025") -> pd.DataFrame:
    return pd.DataFrame({"period_start": f"{period}-01-01", "period_end": f"{period}-12-31", "market": market,
                         "firm": firms, "share_pct": shares})


@pytest.mark.parametrize("n", [1, 2, 5, 10])
def test_equal_shares(n: int) -> None:
    ms = _shares(MENLO, [f"f{i}" for i in range(n)], [100.0 / n] * n)
    t = usage_concentration(ms, usage="menlo").table.iloc[0]
    assert math.isclose(t["hhi"], 10_000 / n, rel_tol=IDENTITY_RTOL)
    assert math.isclose(t["equivalent_firms"], n, rel_tol=IDENTITY_RTOL)
    assert t["hhi_low"] == t["hhi"] == t["hhi_high"]


def test_bounds_contain_point_when_shares_do_not_sum_to_100() -> None:
    ms = _shares(MENLO, ["A", "B", "C"], [40.0, 27.0, 21.0])
    t = usage_concentration(ms, usage="menlo").table.iloc[0]
    assert t["coverage_pct"] == 88.0
    assert t["hhi_low"] <= t["hhi"] <= t["hhi_high"]
    assert t["cr_4_low"] <= 88.0 <= t["cr_4_high"] <= 100.0
    assert t["cr_1_low"] == t["cr_1"] == t["cr_1_high"] == 40.0


def test_residual_row_is_a_bound_not_a_firm() -> None:
    ms = _shares(OR_AUTHOR, ["a", "b", "other (residual, not listed)"], [50.0, 30.0, 20.0])
    t = usage_concentration(ms, usage="openrouter").table
    row = t[t["measure"] == "openrouter_tokens_by_author"].iloc[0]
    assert row["hhi"] == 3400.0 and row["hhi_high"] == 3800.0 and row["n_firms"] == 2


def test_bad_usage() -> None:
    with pytest.raises(InputError, match="expected one of"):
        usage_concentration(_shares(MENLO, ["A"], [50.0]), usage="tokens")


def test_bundled_measures_are_labelled() -> None:
    from llmflation.study.inputs import StudyInputs

    d = StudyInputs()
    r = usage_concentration(d.table("market_shares"), d.table("openrouter_daily"), d.table("openrouter_rankings"))
    t = r.table
    assert set(t["measure"]) == set(USAGE_MEASURES)
    assert t["measures_what"].notna().all()
    assert (t["hhi_low"] <= t["hhi"] + 1e-9).all() and (t["hhi"] <= t["hhi_high"] + 1e-9).all()
    mc = t[t["measure"] == "openrouter_models_available"]
    assert mc["paper_value"].notna().any()  # the paper's figure sits beside the model-count measure only
    assert t.loc[t["measure"] != "openrouter_models_available", "paper_value"].isna().all()
    ow = r.open_weights
    assert len(ow) and ow["open_share_of_priced_models_pct"].between(0, 100).all()
    assert r.vintage.startswith("bundled snapshot")


def test_cli_hhi_usage() -> None:
    from typer.testing import CliRunner

    from llmflation.cli import app

    res = CliRunner().invoke(app, ["hhi", "--usage", "menlo", "--format", "csv"])
    assert res.exit_code == 0, res.output
    assert "menlo_enterprise_spend" in res.output
