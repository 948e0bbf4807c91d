"""Cost per task: what running a benchmark question costs, not what a token costs.

With the token counts of benchmark runs (Epoch AI's evaluation logs: input and output
tokens per model × task), the cost of one task (question) for a model is

``(input tokens × input price + output tokens × output price) / samples``

or, where only a blended price is known (Epoch's own method),
``total tokens × blended price / samples``. Reasoning models spend many more output
tokens per question, so the per-task cost of a capability level can fall more slowly
than its per-token price. :func:`cost_per_task` computes the costs;
:func:`cost_vs_price_trends` runs the cheapest-above-threshold method
(:mod:`llmflation.study.threshold`) on both and compares the annual factors.

Epoch's own comparison ("lowest cost models above previous frontier",
``llm_evaluation_cost_trends.ipynb`` in ``epoch-research/llm-benchmark-efficiency``)
includes reasoning models for costs; its six published factors are reproduced by
``tests/test_task_cost.py``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd

from llmflation.errors import InputError
from llmflation.normalize.units import blended as blend_prices
from llmflation.results import Result
from llmflation.signature import Frame, Level, validated
from llmflation.study.threshold import (
    EPOCH_BENCHMARKS,
    MULTIPLE_CHOICE,
    cheapest_above_threshold,
    frontier_thresholds,
)

#: Epoch benchmark column → task name in the evaluation logs.
EPOCH_TASKS: dict[str, str] = {"GPQA Diamond": "GPQA Diamond", "MATH 5": "MATH level 5"}


@dataclass(frozen=True, kw_only=True, eq=False, repr=False)
class TaskCostResult(Result):
    """Cost per task per model.

    Attributes
    ----------
    costs : DataFrame
        ``model, task, date, is_reasoning, input_tokens_per_task, output_tokens_per_task,
        price_usd_per_mtok, cost_usd_per_task, method`` (``"in_out"`` when separate input
        and output prices were used, ``"blended"`` otherwise).
    token_ratio : DataFrame
        Per task: geometric-mean output tokens per task of reasoning vs other models.
    """

    costs: pd.DataFrame
    token_ratio: pd.DataFrame

    title = "Cost per task (USD) from benchmark token counts"

    keys = ('model', 'task', 'method')

    def wide(self) -> pd.DataFrame:
        c = self.costs
        return pd.DataFrame({
            "term": "cost_usd_per_task", "model": c["model"], "task": c["task"], "estimate": c["cost_usd_per_task"],
            "price_usd_per_mtok": c["price_usd_per_mtok"], "tokens_per_task": c["input_tokens_per_task"]
            + c["output_tokens_per_task"], "is_reasoning": c["is_reasoning"], "method": c["method"],
        })


@dataclass(frozen=True, kw_only=True, eq=False, repr=False)
class CostTrendComparison(Result):
    """Annual decline of per-task cost beside per-token price, threshold by threshold.

    Attributes
    ----------
    table : DataFrame
        ``benchmark, threshold_model, price_factor, price_conf_low, price_conf_high,
        price_n, cost_factor, cost_conf_low, cost_conf_high, cost_n, ratio`` where
        ``ratio = cost_factor / price_factor`` (< 1: cost per task falls more slowly).
    price, cost : ThresholdTrendResult
    """

    table: pd.DataFrame
    price: Any
    cost: Any

    title = "Per-task cost vs per-token price: factor of decline per year"

    @property
    def geomean_ratio(self) -> float:
        r = self.table["ratio"].dropna()
        return float(np.exp(np.log(r).mean())) if len(r) else math.nan

    keys = ('benchmark', 'threshold_model')

    def wide(self) -> pd.DataFrame:
        return self.table.copy()

    def _notes(self) -> list[str]:
        return super()._notes() + [f"Geometric mean of cost factor / price factor: {self.geomean_ratio:.3f} "
                                   "(below 1 = per-task cost falls more slowly than per-token price)."]


def _norm(s: object) -> str:
    return str(s).strip()


@validated
def cost_per_task(prices: pd.DataFrame, tokens: pd.DataFrame, *, mapping: Mapping[str, str] | None = None,
                  model_col: str | None = None, price_col: str | None = None,
                  input_price_col: str | None = None, output_price_col: str | None = None,
                  how: Literal["inner", "prices"] = "inner") -> TaskCostResult:
    """Cost of one benchmark task per model, from token counts and prices.

    Parameters
    ----------
    prices : DataFrame
        One row per model (and price date): a model column, a date, and either a
        blended price (``price_col``, USD per million tokens) or input and output
        prices (``input_price_col``/``output_price_col``), optional ``is_reasoning``.
    tokens : DataFrame
        Epoch's evaluation token counts: ``Model, Task, total_samples, input_tokens,
        output_tokens`` (``load_table("epoch_eval_tokens")``).
    mapping : dict, optional
        Evaluation model id → model name in ``prices`` (default: identical names).
    how : {"inner", "prices"}
        Keep only matched pairs, or every price row with its matches in the
        order of ``prices`` (Epoch's right merge).

    Examples
    --------
    >>> pr = pd.DataFrame({"model": ["m"], "date": pd.to_datetime(["2024-01-01"]), "price": [2.0]})
    >>> tk = pd.DataFrame({"Model": ["m"], "Task": ["t"], "total_samples": [10], "input_tokens": [1000],
    ...                    "output_tokens": [4000]})
    >>> cost_per_task(pr, tk).costs["cost_usd_per_task"].tolist()
    [0.001]
    """
    need = {"Model", "Task", "total_samples", "input_tokens", "output_tokens"}
    if not need <= set(tokens.columns):
        raise InputError(f"tokens needs columns {sorted(need)}; got {list(tokens.columns)}.")
    mc = model_col or next((c for c in ("Model Name", "model", "model_id") if c in prices.columns), None)
    if mc is None or mc not in prices.columns:
        raise InputError("prices needs a model column (Model Name, model or model_id); name it with model_col=.")
    dc = next((c for c in ("Release Date", "date", "release_date", "valid_from") if c in prices.columns), None)
    tk = tokens.copy()
    tk["_name"] = tk["Model"].map(_norm)
    tk["_name"] = tk["_name"].map(mapping) if mapping is not None else tk["_name"]
    tk = tk.dropna(subset=["_name"])
    pr = prices.copy()
    pr["_name"] = pr[mc].map(_norm)
    merged = tk.merge(pr, on="_name", how="right" if how == "prices" else "inner")
    merged = merged.dropna(subset=["Model", "input_tokens"])
    samples = pd.to_numeric(merged["total_samples"], errors="coerce").to_numpy(dtype=float)
    tin = pd.to_numeric(merged["input_tokens"], errors="coerce").to_numpy(dtype=float) / samples
    tout = pd.to_numeric(merged["output_tokens"], errors="coerce").to_numpy(dtype=float) / samples
    if input_price_col and output_price_col:
        pin = pd.to_numeric(merged[input_price_col], errors="coerce").to_numpy(dtype=float)
        pout = pd.to_numeric(merged[output_price_col], errors="coerce").to_numpy(dtype=float)
        cost = (tin * pin + tout * pout) / 1e6
        blended = blend_prices(pd.Series(pin), pd.Series(pout)).to_numpy(dtype=float)  # 3:1, as Epoch
        method = "in_out"
    else:
        pc = price_col or next((c for c in ("USD per 1M Tokens", "price", "blended_usd_per_mtok")
                                if c in merged.columns), None)
        if pc is None:
            raise InputError("no price column; pass price_col= (blended) or input_price_col= and output_price_col=.")
        blended = pd.to_numeric(merged[pc], errors="coerce").to_numpy(dtype=float)
        if "total_tokens" in merged.columns:
            tot = pd.to_numeric(merged["total_tokens"], errors="coerce").to_numpy(dtype=float) / samples
        else:
            tot = tin + tout
        cost = tot * blended / 1e6
        method = "blended"
    reasoning = (merged["is_reasoning"].astype("boolean").fillna(False).to_numpy(dtype=bool)
                 if "is_reasoning" in merged.columns else np.zeros(len(merged), dtype=bool))
    costs = pd.DataFrame({
        "model": merged["_name"].astype(str).to_numpy(), "eval_model": merged["Model"].astype(str).to_numpy(),
        "task": merged["Task"].astype(str).to_numpy(),
        "date": pd.to_datetime(merged[dc].astype("string").str.strip(), errors="coerce").to_numpy()
        if dc else pd.NaT, "is_reasoning": reasoning,
        "input_tokens_per_task": tin, "output_tokens_per_task": tout, "price_usd_per_mtok": blended,
        "cost_usd_per_task": cost, "method": method,
    })
    keep_scores = [c for c in merged.columns if c in EPOCH_BENCHMARKS]
    for c in keep_scores:
        costs[c] = pd.to_numeric(merged[c], errors="coerce").to_numpy()
    rows = []
    for task, g in costs.groupby("task", sort=True):
        r, nr = g[g["is_reasoning"]], g[~g["is_reasoning"]]
        if len(r) and len(nr):
            gm = lambda v: float(np.exp(np.log(v[v > 0]).mean()))  # noqa: E731
            rows.append({"task": task, "n_reasoning": len(r), "n_other": len(nr),
                         "output_tokens_reasoning": gm(r["output_tokens_per_task"]),
                         "output_tokens_other": gm(nr["output_tokens_per_task"]),
                         "ratio": gm(r["output_tokens_per_task"]) / gm(nr["output_tokens_per_task"])})
    return TaskCostResult(costs=costs, token_ratio=pd.DataFrame(rows), config={"mapping": bool(mapping), "how": how},
                          vintage=str(prices.attrs.get("vintage", "user data")),
                          notes=(f"Cost per task = {'input×p_in + output×p_out' if method == 'in_out' else 'total tokens × blended price'}"
                                 " per sample, USD.",))


def epoch_eval_model_map() -> dict[str, str]:
    """Epoch's own map from evaluation model ids to price-table names (49 entries).

    Examples
    --------
    >>> epoch_eval_model_map()["claude-3-opus-20240229"]
    'Claude-3-Opus'
    """
    from importlib import resources
    from io import StringIO

    txt = (resources.files("llmflation.study") / "tables" / "epoch_eval_model_map.csv").read_text()
    m = pd.read_csv(StringIO(txt), comment="#")
    return dict(zip(m["eval_model"], m["model_name"], strict=True))


def epoch_task_costs(prices: pd.DataFrame, eval_tokens: pd.DataFrame, mapping: Mapping[str, str] | None = None
                     ) -> pd.DataFrame:
    """Epoch's evaluation-cost table: its price inputs joined (right merge) to token counts.

    Rows follow Epoch's notebook: every price row, in release-date order, with its
    matching evaluation rows; ``cost`` = total tokens / samples × blended price / 1e6.
    ``prices``: Epoch's prepared price inputs; ``eval_tokens``: ``epoch_eval_tokens``.
    Reasoning models are flagged by Epoch's list of names. ``mapping`` defaults to
    :func:`epoch_eval_model_map`.

    Examples
    --------
    >>> from llmflation.study.inputs import StudyInputs
    >>> data = StudyInputs()
    >>> c = epoch_task_costs(data.epoch_prices(), data.eval_tokens())
    >>> bool((c["cost_usd_per_task"].dropna() > 0).all())
    True
    """
    mapping = epoch_eval_model_map() if mapping is None else mapping
    from llmflation.study.threshold import EPOCH_REASONING_MODELS

    prices = prices.copy()
    prices["is_reasoning"] = prices["Model Name"].isin(EPOCH_REASONING_MODELS)
    res = cost_per_task(prices, eval_tokens, mapping=mapping, how="prices")
    return res.costs


@validated
def cost_vs_price_trends(costs: pd.DataFrame, *, benchmarks: Mapping[str, str] | None = None,
                         frontier_from: pd.DataFrame | None = None, exclude_reasoning_cost: bool = False,
                         exclude_reasoning_price: bool = True, level: Level = 0.90,
                         prices: pd.DataFrame | None = None) -> CostTrendComparison:
    """Cheapest-above-threshold trends of per-task cost beside per-token price.

    Parameters
    ----------
    costs : DataFrame
        Output of :func:`cost_per_task` (``.costs``) with benchmark score columns.
    benchmarks : dict, optional
        Score column → task name (default: Epoch's GPQA Diamond and MATH level 5).
    frontier_from : DataFrame, optional
        Frame from which frontier thresholds are taken (``model``/``date`` and score
        columns); default ``costs`` itself.
    exclude_reasoning_cost, exclude_reasoning_price : bool
        Epoch keeps reasoning models for costs (their tokens are counted) and drops
        them for prices.
    prices : DataFrame, optional
        Fit the per-token price trends on this fuller price table (``model``/``date``/
        ``price`` or Epoch's column names, with the score columns) instead of on the
        models that have token counts — Epoch's own comparison.

    Examples
    --------
    >>> costs = pd.DataFrame({"model": list("abcd"), "task": "T", "is_reasoning": False,
    ...                       "date": pd.date_range("2023-01-01", periods=4, freq="365D"),
    ...                       "price_usd_per_mtok": [10.0, 1.0, 0.1, 0.01],
    ...                       "cost_usd_per_task": [1e-2, 2e-3, 4e-4, 8e-5], "S": [50, 51, 52, 53]})
    >>> r = cost_vs_price_trends(costs, benchmarks={"S": "T"})
    >>> round(float(r.table["price_factor"].iloc[0]), 1), round(float(r.table["cost_factor"].iloc[0]), 1)
    (10.0, 5.0)
    """
    if benchmarks is not None and not (isinstance(benchmarks, Mapping) and all(
            isinstance(b, str) and isinstance(t, str) for b, t in benchmarks.items())):
        raise InputError(f"benchmarks must map score columns to task names, e.g. {{'GPQA Diamond': 'GPQA'}}; "
                         f"got {benchmarks!r} ({type(benchmarks).__name__}).")
    benchmarks = dict(benchmarks or EPOCH_TASKS)
    rows, price_results, cost_results = [], [], []
    base = costs.rename(columns={"cost_usd_per_task": "cost", "price_usd_per_mtok": "price"})
    for bench, task in benchmarks.items():
        if bench not in base.columns:
            raise InputError(f"score column {bench!r} is not in costs; columns are: {list(base.columns)}.")
        sub = base[base["task"] == task]
        if sub.empty:
            continue
        src = frontier_from if frontier_from is not None else sub
        fr = frontier_thresholds(src.rename(columns={"Model Name": "model", "Release Date": "date"}), bench)
        th = {str(m): float(v) for m, v in zip(fr["model"], fr["threshold"], strict=True)}
        kw: dict[str, Any] = dict(benchmark=bench, thresholds=th, level=level, model_col="model", date_col="date",
                                  min_threshold=30.0 if bench in MULTIPLE_CHOICE else None)
        c = cheapest_above_threshold(sub.drop(columns=["price"]), price_col="cost",
                                     exclude_reasoning=exclude_reasoning_cost, **kw)
        if prices is not None:
            full = prices.rename(columns={"Model Name": "model", "Release Date": "date", "USD per 1M Tokens": "price"})
            p = cheapest_above_threshold(full, price_col="price", exclude_reasoning=exclude_reasoning_price, **kw)
        else:
            p_in = sub.drop(columns=["cost"]).drop_duplicates(subset=["model", "date"])
            p = cheapest_above_threshold(p_in, price_col="price", exclude_reasoning=exclude_reasoning_price, **kw)
        cost_results.append(c)
        price_results.append(p)
        ct = c.trends.set_index("threshold_model")
        pt = p.trends.set_index("threshold_model")
        for t in dict.fromkeys(list(ct.index) + list(pt.index)):
            cr = ct.loc[t] if t in ct.index else None
            pr = pt.loc[t] if t in pt.index else None
            rows.append({
                "benchmark": bench, "threshold_model": t,
                "price_factor": pr["factor_per_year"] if pr is not None else math.nan,
                "price_conf_low": pr["conf_low"] if pr is not None else math.nan,
                "price_conf_high": pr["conf_high"] if pr is not None else math.nan,
                "price_n": int(pr["n"]) if pr is not None else 0,
                "cost_factor": cr["factor_per_year"] if cr is not None else math.nan,
                "cost_conf_low": cr["conf_low"] if cr is not None else math.nan,
                "cost_conf_high": cr["conf_high"] if cr is not None else math.nan,
                "cost_n": int(cr["n"]) if cr is not None else 0,
            })
    table = pd.DataFrame(rows)
    if len(table):
        table["ratio"] = table["cost_factor"] / table["price_factor"]
    from llmflation.study.threshold import ThresholdTrendResult

    def _merge(rs: list[Any]) -> Any:
        if not rs:
            return None
        return ThresholdTrendResult(trends=pd.concat([r.trends for r in rs], ignore_index=True),
                                    series=pd.concat([r.series for r in rs], ignore_index=True),
                                    skipped=pd.concat([r.skipped for r in rs], ignore_index=True), level=level)
    return CostTrendComparison(
        table=table, price=_merge(price_results), cost=_merge(cost_results),
        config={"benchmarks": benchmarks, "exclude_reasoning_cost": exclude_reasoning_cost,
                "exclude_reasoning_price": exclude_reasoning_price, "level": level},
        notes=("Cost: cheapest cost per task above each threshold (reasoning models "
               f"{'excluded' if exclude_reasoning_cost else 'included'}, their tokens counted); price: cheapest "
               f"price per token (reasoning models {'excluded' if exclude_reasoning_price else 'included'}).",))


# --------------------------------------------------------------------------- per-task reasoning premium


#: Fewest reasoning models in a task for a per-task interval (with 2, a t interval spans 10^±5).
MIN_MODELS_INTERVAL = 3


@dataclass(frozen=True, kw_only=True, eq=False, repr=False)
class PerTaskPremiumResult(Result):
    """Reasoning premium per task beside per token, from benchmark token counts.

    Attributes
    ----------
    table : DataFrame
        One row per (task, reasoning class, measure): ``task, reasoning_class, term``
        (``per_task_cost``, ``per_token_price``, ``output_tokens_per_task``),
        ``estimate`` (ratio of geometric means, reasoning / non-reasoning),
        ``conf_low``, ``conf_high`` (Welch t on logs), ``p_value``, ``arithmetic``
        (ratio of arithmetic means), ``n``, ``n_other``.
    """

    table: pd.DataFrame

    title = "Reasoning premium per task and per token (Epoch evaluation token counts)"
    keys = ("task", "reasoning_class")

    def wide(self) -> pd.DataFrame:
        """:attr:`table` (one row per task × reasoning class × measure)."""
        return self.table.copy()

    def summary_ranges(self) -> pd.DataFrame:
        """Range over tasks of each measure per reasoning class (geometric and arithmetic)."""
        t = self.table
        return t.groupby(["reasoning_class", "term"]).agg(low=("estimate", "min"), high=("estimate", "max"),
                                                           arithmetic_low=("arithmetic", "min"),
                                                           arithmetic_high=("arithmetic", "max")).reset_index()


@validated
def per_task_premium(costs: Annotated[pd.DataFrame, Frame(what="a pandas DataFrame (epoch_task_costs(...) or "
                                                               "cost_per_task(...).costs)")], *,
                     level: Level = 0.95, model_col: str = "model") -> PerTaskPremiumResult:
    """Per-task vs per-token premium of reasoning models, strict and hybrid separately.

    ``costs``: :func:`epoch_task_costs` (or :func:`cost_per_task` ``.costs``) with
    ``model, task, is_reasoning, output_tokens_per_task, price_usd_per_mtok,
    cost_usd_per_task``. Rows are averaged per model and task first (a model evaluated
    twice counts once). The reasoning class comes from
    :func:`llmflation.study.premium.reasoning_class` (strict by name; flagged otherwise =
    hybrid).

    Examples
    --------
    >>> c = pd.DataFrame({"model": ["o1", "o1-mini", "gpt-4o", "gpt-4o-mini"], "task": "T",
    ...                   "is_reasoning": [True, True, False, False],
    ...                   "output_tokens_per_task": [4000.0, 2000.0, 400.0, 200.0],
    ...                   "price_usd_per_mtok": [20.0, 4.0, 10.0, 2.0],
    ...                   "cost_usd_per_task": [0.08, 0.008, 0.004, 0.0004]})
    >>> r = per_task_premium(c).table.set_index(["reasoning_class", "term"])
    >>> round(float(r.loc[("strict", "per_task_cost"), "estimate"]), 6)
    20.0
    """
    from llmflation.study.premium import reasoning_class, welch_test
    need = {model_col, "task", "is_reasoning", "output_tokens_per_task", "price_usd_per_mtok", "cost_usd_per_task"}
    miss = need - set(costs.columns)
    if miss:
        raise InputError(f"costs lacks {sorted(miss)}; pass epoch_task_costs(...) or cost_per_task(...).costs.")
    c = costs.dropna(subset=["cost_usd_per_task", "price_usd_per_mtok", "output_tokens_per_task"])
    c = c[(c["cost_usd_per_task"] > 0) & (c["price_usd_per_mtok"] > 0) & (c["output_tokens_per_task"] > 0)]
    c = c.groupby([model_col, "task"], as_index=False).agg(
        is_reasoning=("is_reasoning", "max"), output_tokens_per_task=("output_tokens_per_task", "mean"),
        price_usd_per_mtok=("price_usd_per_mtok", "mean"), cost_usd_per_task=("cost_usd_per_task", "mean"))
    c["reasoning_class"] = [reasoning_class(m, r) for m, r in zip(c[model_col], c["is_reasoning"], strict=True)]
    rows = []
    for task, g in c.groupby("task", sort=True):
        other = g[g["reasoning_class"] == "none"]
        for cls in ("strict", "hybrid", "any"):
            r = g[g["reasoning_class"] != "none"] if cls == "any" else g[g["reasoning_class"] == cls]
            if r.empty:
                continue
            for term, col in (("per_task_cost", "cost_usd_per_task"), ("per_token_price", "price_usd_per_mtok"),
                              ("output_tokens_per_task", "output_tokens_per_task")):
                w = welch_test(np.log(r[col].to_numpy(float)), np.log(other[col].to_numpy(float)), level=level)
                d = w.extra.get("estimate", float(np.log(r[col]).mean() - np.log(other[col]).mean()))
                few = len(r) < MIN_MODELS_INTERVAL
                rows.append({"task": task, "reasoning_class": cls, "term": term, "estimate": math.exp(d),
                             "conf_low": math.nan if few else math.exp(w.extra.get("conf_low", math.nan)),
                             "conf_high": math.nan if few else math.exp(w.extra.get("conf_high", math.nan)),
                             "p_value": math.nan if few else w.p_value,
                             "arithmetic": float(r[col].mean() / other[col].mean()), "n": len(r),
                             "n_other": len(other),
                             "reason": (f"{len(r)} reasoning model(s): fewer than {MIN_MODELS_INTERVAL}, no interval"
                                        if few else w.reason or "")})
    table = pd.DataFrame(rows, columns=["task", "reasoning_class", "term", "estimate", "conf_low", "conf_high",
                                        "p_value", "arithmetic", "n", "n_other", "reason"])
    return PerTaskPremiumResult(
        table=table, config={"level": level}, vintage=str(costs.attrs.get("vintage", "user data")),
        notes=("Ratio of geometric means (reasoning / non-reasoning) per task, Welch t interval on logs; "
               "'arithmetic' = ratio of arithmetic means. Per-task cost = per-token price × tokens per task, so "
               "the per-task premium is the per-token premium times the token ratio.",
               "Strict reasoning: o-series, R1, QwQ, 'thinking' names; hybrid: flagged otherwise."))
