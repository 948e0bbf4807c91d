"""Cost per task from benchmark token counts, against per-token prices."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from llmflation.errors import InputError
from llmflation.study.inputs import StudyInputs
from llmflation.study.task_cost import (
    CostTrendComparison,
    TaskCostResult,
    cost_per_task,
    cost_vs_price_trends,
    epoch_task_costs,
)
from tolerances import EXACT_RTOL

DATA = StudyInputs()
epoch_price_inputs = DATA.epoch_prices

CASE = Path(__file__).parent / "reference" / "epoch_threshold_cost"
#: Epoch published int(round(factor)); ours must round to the same integer.
ROUNDING = 0.5


def _mapping() -> dict[str, str]:
    m = pd.read_csv(CASE / "model_map.csv")
    return dict(zip(m["eval_model"], m["model_name"], strict=True))


def test_reference_tokens_equal_bundle() -> None:
    from llmflation.sources.bundled import load_table

    ref = pd.read_csv(CASE / "data.csv")
    b = load_table("epoch_eval_tokens")
    assert len(ref) == len(b) == 185
    assert (ref["output_tokens"].to_numpy() == b["output_tokens"].to_numpy()).all()


def test_reproduces_epoch_cost_factors() -> None:
    costs = epoch_task_costs(DATA.epoch_prices(), DATA.eval_tokens(), _mapping())
    cmp = cost_vs_price_trends(costs, frontier_from=epoch_price_inputs(), exclude_reasoning_cost=False)
    exp = pd.DataFrame(json.loads((CASE / "expected.json").read_text())["results"])
    got = cmp.cost.trends.set_index(["benchmark", "threshold_model"])
    assert len(got) == len(exp) == 6
    for r in exp.itertuples():
        g = got.loc[(r.benchmark, r.threshold_model)]
        assert abs(g["factor_per_year"] - r.cost_factor_per_year_rounded) <= ROUNDING
        assert int(g["n"]) == r.n
        assert abs(g["r_squared"] - r.r_squared) <= 0.005 + 1e-12
        assert abs(g["conf_low"] - r.conf_rounded[0]) <= ROUNDING
        assert abs(g["conf_high"] - r.conf_rounded[1]) <= ROUNDING
        assert g["conf_low"] < g["factor_per_year"] < g["conf_high"]
        assert str(g["start_date"].date()) == r.start_date and str(g["end_date"].date()) == r.end_date


def test_cost_per_task_in_out_and_blended() -> None:
    pr = pd.DataFrame({"model": ["fast", "think"], "date": pd.to_datetime(["2024-01-01", "2024-06-01"]),
                       "input": [1.0, 1.0], "output": [4.0, 4.0], "is_reasoning": [False, True]})
    tk = pd.DataFrame({"Model": ["fast", "think"], "Task": ["t", "t"], "total_samples": [100, 100],
                       "input_tokens": [10_000, 10_000], "output_tokens": [20_000, 200_000]})
    r = cost_per_task(pr, tk, input_price_col="input", output_price_col="output")
    c = r.costs.set_index("model")["cost_usd_per_task"]
    assert c["fast"] == pytest.approx((100 * 1 + 200 * 4) / 1e6)
    assert c["think"] == pytest.approx((100 * 1 + 2000 * 4) / 1e6)
    assert r.token_ratio.iloc[0]["ratio"] == pytest.approx(10.0)
    # blended (Epoch): total tokens × 3:1 price
    rb = cost_per_task(pr.assign(price=0.75 * 1 + 0.25 * 4), tk, price_col="price")
    assert rb.costs.set_index("model").loc["fast", "cost_usd_per_task"] == pytest.approx(300 * 1.75 / 1e6)


def test_per_task_cost_falls_slower_when_tokens_grow() -> None:
    # price per token falls 10×/year; tokens per task grow 2×/year → cost falls 5×/year
    n = 6
    days = np.arange(n) * 120
    dates = pd.Timestamp("2023-01-01") + pd.to_timedelta(days, unit="D")
    t = days / 365.0
    price = 10.0 * 10.0 ** (-t)
    tokens = 1000.0 * 2.0 ** t
    pr = pd.DataFrame({"model": [f"m{i}" for i in range(n)], "date": dates, "price": price,
                       "S": np.linspace(50, 60, n)})
    tk = pd.DataFrame({"Model": pr["model"], "Task": "T", "total_samples": 1, "input_tokens": 0.0,
                       "output_tokens": tokens})
    costs = cost_per_task(pr, tk, price_col="price").costs.assign(S=pr["S"].to_numpy())
    cmp = cost_vs_price_trends(costs, benchmarks={"S": "T"}, exclude_reasoning_price=False)
    row = cmp.table.iloc[0]
    assert row["price_factor"] == pytest.approx(10.0, rel=EXACT_RTOL)
    assert row["cost_factor"] == pytest.approx(5.0, rel=EXACT_RTOL)
    assert cmp.geomean_ratio == pytest.approx(0.5, rel=EXACT_RTOL)


def test_errors() -> None:
    with pytest.raises(InputError, match="tokens needs columns"):
        cost_per_task(pd.DataFrame({"model": ["a"]}), pd.DataFrame({"Model": ["a"]}))


def test_result_smoke() -> None:
    costs = epoch_task_costs(DATA.epoch_prices(), DATA.eval_tokens(), _mapping())
    r = cost_per_task(epoch_price_inputs(), pd.read_csv(CASE / "data.csv"), mapping=_mapping())
    cmp = cost_vs_price_trends(costs, frontier_from=epoch_price_inputs())
    for obj, cls in ((r, TaskCostResult), (cmp, CostTrendComparison)):
        assert isinstance(obj, cls)
        assert isinstance(obj.summary(), str)
        assert isinstance(obj.to_frame(), pd.DataFrame) and len(obj.to_frame())
        assert obj._repr_html_().startswith("<div")
