"""One result contract (DESIGN §4), run over every public result type.

Frozen and keyword-only, equality that never raises, ``config``/``vintage``/``notes``/
``references``, ``to_frame()`` long and tidy with numeric columns, wide views under other
names, and one type per attribute name across all result types.
"""

from __future__ import annotations

import copy
import dataclasses
import importlib
import inspect
import math
import pkgutil
import typing

import numpy as np
import pandas as pd
import pytest

import llmflation
import llmflation as lf
from llmflation.results import TIDY_COLUMNS, Result, ResultMixin
from llmflation.study.inputs import StudyInputs
from llmflation.study.paper import Reference

DATA = StudyInputs()
RNG = np.random.default_rng(0)


def _series(n: int = 40) -> pd.Series:
    y = np.r_[np.zeros(n // 2), np.ones(n - n // 2)] + RNG.normal(0, 0.1, n)
    return pd.Series(y, index=pd.RangeIndex(n))


def _prices() -> pd.DataFrame:
    d = pd.date_range("2021-01-01", periods=30, freq="45D")
    return pd.DataFrame({"date": d, "price": np.exp(-0.5 * np.arange(30) / 8 + RNG.normal(0, 0.1, 30))})


def _dea_data() -> tuple[pd.DataFrame, pd.DataFrame]:
    x = pd.DataFrame({"x": [2.0, 3.0, 4.0, 5.0]}, index=list("abcd"))
    y = pd.DataFrame({"y": [1.0, 2.0, 2.5, 2.0]}, index=list("abcd"))
    return x, y


def _malm() -> pd.DataFrame:
    return pd.DataFrame({"firm": list("abab"), "year": [1, 1, 2, 2], "x": [1.0, 2.0, 1.0, 2.0],
                         "y": [1.0, 1.5, 2.0, 2.5]})


def _uc() -> pd.DataFrame:
    return pd.DataFrame({"country": ["US"] * 3 + ["China"] * 3, "cost_usd": [100.0, 200.0, 400.0, 1.0, 2.0, 4.0],
                         "flop": [1e2, 2e2, 4e2, 1.0, 2.0, 4.0], "year": [2024, 2024, 2025, 2024, 2025, 2025]})


def _elasticity() -> pd.DataFrame:
    c = np.exp(RNG.uniform(10, 20, 60))
    return pd.DataFrame({"price_usd_per_mtok": c ** 0.5 * np.exp(RNG.normal(0, .1, 60)), "training_cost_usd": c})


FACTORIES: dict[str, typing.Callable[[], typing.Any]] = {
    "HypothesisTest": lambda: lf.chow_test(_series(), break_at=19),
    "SupFResult": lambda: lf.sup_f_test(_series()),
    "BreaksResult": lambda: lf.bai_perron(_series(), max_breaks=2),
    "DEAResult": lambda: lf.dea(*_dea_data(), rts="vrs"),
    "MalmquistResult": lambda: lf.malmquist(_malm(), dmu="firm", period="year", inputs=["x"], outputs=["y"]),
    "ConcentrationResult": lambda: lf.concentration(pd.DataFrame({"period": ["p", "p"], "firm": ["a", "b"],
                                                                  "share_pct": [60.0, 40.0]})),
    "TrendResult": lambda: lf.price_trend(_prices(), by=None, date_col="date", price_col="price",
                                          observations="rows", n_boot=0),
    "GroupTrend": lambda: lf.price_trend(_prices(), by=None, date_col="date", price_col="price",
                                         observations="rows", n_boot=0).groups[0],
    "ThresholdTrendResult": lambda: lf.cheapest_above_threshold(DATA.epoch_prices(), benchmark="MMLU"),
    "CheapestSeriesResult": lambda: lf.gpt35_level_decline(DATA.epoch_prices()),
    "RateChangeResult": lambda: lf.rates_since_cutoff(DATA.epoch_prices(), benchmark="MMLU", cutoff="2024-01-01"),
    "ForecastResult": lambda: lf.forecast(lf.price_trend(_prices(), by=None, date_col="date", price_col="price",
                                                         observations="rows", n_boot=0)),
    "RegressionResult": lambda: lf.elasticity(_elasticity(), controls=()),
    "USChinaResult": lambda: lf.us_china(_uc(), n_boot=100),
    "DecompositionResult": lambda: lf.cost_decomposition(DATA.decomposition()),
    "LLMBreaksResult": lambda: lf.llm_price_breaks(**DATA.breaks(use_panel=False), use_panel=False),
    "LLMConcentrationResult": lambda: lf.llm_concentration(**DATA.concentration()),
    "PremiumResult": lambda: lf.reasoning_premium(DATA.panel()),
    "DeclineResult": lambda: lf.total_decline(DATA.panel(), start="2022-01-01", end="2025-01-01"),
    "IndexResult": lambda: lf.hedonic_index(DATA.panel(), n_boot=20),
    "HeadlineIndexResult": lambda: lf.headline_index(DATA.panel(), n_boot=20),
    "BaumolTestResult": lambda: lf.baumol_test(DATA.table("bls_cpi")),
    "LLMFrontierResult": lambda: lf.llm_malmquist(**DATA.frontier()),
    "TaskCostResult": lambda: _task_cost()[0],
    "CostTrendComparison": lambda: _task_cost()[1],
    "JevonsResult": lambda: _jevons(),
    "BaumolResult": lambda: _baumol(),
    "RobustnessResult": lambda: _robustness(),
    "UsageConcentrationResult": lambda: _usage_concentration(),
    "DEABootstrapResult": lambda: _dea_bootstrap(),
    "MalmquistBootstrapResult": lambda: _malmquist_bootstrap(),
    "RecordTrendTest": lambda: _record_trend_test(),
    "QuantileTrend": lambda: _quantile_trend(),
    "ConstantCapabilityResult": lambda: _constant_capability(),
    "LLMFrontierInvariantResult": lambda: _frontier_invariant(),
    "BreakStoryResult": lambda: _break_story(),
    "CalibratedThresholdResult": lambda: _calibrated_threshold(),
    "PerTaskPremiumResult": lambda: _per_task_premium(),
    "PremiumByClassResult": lambda: _premium_by_class(),
    "RateEstimate": lambda: _annual_rate(),
    "ElasticityEstimate": lambda: _log_log_elasticity(),
    "PriceOn": lambda: lf.price_on("gpt-4o", on="2024-11-01"),
    "RequestCost": lambda: lf.cost("gemini-2.5-pro", on="2025-08-01", input_tokens=300_000, output_tokens=1_000,
                                   panel=DATA.panel()),
    "ValidationReport": lambda: lf.validate_panel(DATA.panel()),
}


def _jevons():
    from llmflation.study.jevons import jevons

    return jevons(DATA.panel(), token_volume=DATA.table("token_volume"), rankings=DATA.table("openrouter_rankings"),
                  openrouter_daily=DATA.table("openrouter_daily"),
                  effective_prices=DATA.table("openrouter_effective_prices"))


def _baumol():
    from llmflation.study.baumol import baumol

    return baumol(DATA.table("bls_cpi"), DATA.table("wages"), DATA.panel())


def _robustness():
    from llmflation.study.robustness import robustness

    return robustness("hhi", concentration=DATA.concentration(), leave_one_out=False, influence=False)


def _usage_concentration():
    from llmflation.study.concentration import usage_concentration

    return usage_concentration(DATA.table("market_shares"), DATA.table("openrouter_daily"),
                               DATA.table("openrouter_rankings"))


def _dea_bootstrap():
    from llmflation.methods.dea_bootstrap import dea_bootstrap

    x = pd.DataFrame({"x": RNG.uniform(1, 5, 12)})
    return dea_bootstrap(x, pd.DataFrame({"y": x["x"] ** 0.5 * RNG.uniform(0.5, 1.0, 12)}), n_boot=20, seed=0)


def _malmquist_bootstrap():
    from llmflation.methods.dea_bootstrap import malmquist_bootstrap

    firms = [f"f{i}" for i in range(8)]
    x = RNG.uniform(1, 5, 16)
    p = pd.DataFrame({"firm": firms * 2, "year": [1] * 8 + [2] * 8, "x": x,
                      "y": x ** 0.5 * RNG.uniform(0.5, 1.0, 16) * np.r_[np.ones(8), 1.2 * np.ones(8)]})
    return malmquist_bootstrap(p, dmu="firm", period="year", inputs=["x"], outputs=["y"], n_boot=20)


def _quantile_trend():
    from llmflation.methods.quantile_trend import quantile_trend

    t = np.linspace(0, 3, 30)
    return quantile_trend(t, -0.8 * t + RNG.normal(0, 1, 30), n_perm=99)


def _constant_capability():
    from llmflation.study.decline import constant_capability_decline

    return constant_capability_decline(DATA.panel(), start="2023-01-01", end="2026-03-28", n_boot=99)


def _record_trend_test():
    from llmflation.methods.permutation import record_trend_test

    t = np.linspace(0, 3, 30)
    return record_trend_test(t, -0.8 * t + RNG.normal(0, 1, 30), n_perm=99)


def _frontier_invariant():
    from llmflation.study.frontier import llm_frontier_invariant

    return llm_frontier_invariant(**DATA.frontier(), n_boot=20)


def _break_story():
    from llmflation.study.breaks import break_story

    return break_story(DATA.milestones())


def _calibrated_threshold():
    from llmflation.study.threshold import calibrated_threshold_trends

    return calibrated_threshold_trends(DATA.epoch_prices(), benchmark="MMLU", n_perm=99, interval=False)


def _per_task_premium():
    from llmflation.study.task_cost import per_task_premium

    c = pd.DataFrame({"model": ["o1", "o1-mini", "o3-mini", "claude-3-7", "gpt-4o", "gpt-4o-mini", "llama"],
                      "task": "T", "is_reasoning": [True, True, True, True, False, False, False],
                      "output_tokens_per_task": [4000, 2000, 3000, 1000, 400, 200, 300.0],
                      "price_usd_per_mtok": [20, 4, 4, 6, 10, 2, 1.0]})
    c["cost_usd_per_task"] = c["output_tokens_per_task"] * c["price_usd_per_mtok"] / 1e6
    return per_task_premium(c)


def _premium_by_class():
    from llmflation.study.premium import premium_by_reasoning_class

    return premium_by_reasoning_class(DATA.panel())


def _annual_rate():
    from llmflation.methods.rates import annual_rate

    s = pd.Series(100 * np.exp(np.cumsum(0.003 + 0.002 * RNG.standard_normal(37))),
                  index=pd.date_range("2020-01-01", periods=37, freq="MS"), name="synthetic")
    return annual_rate(s)


def _log_log_elasticity():
    from llmflation.methods.elasticity import log_log_elasticity

    p = np.exp(RNG.uniform(0, 2, 40))
    return log_log_elasticity(3.0 * p ** -1.1 * np.exp(RNG.normal(0, 0.1, 40)), p)


def _task_cost():
    from llmflation.study.task_cost import cost_per_task, cost_vs_price_trends, epoch_task_costs

    prices = DATA.epoch_prices()
    costs = epoch_task_costs(prices, DATA.eval_tokens())
    return cost_per_task(prices, DATA.eval_tokens()), cost_vs_price_trends(costs, frontier_from=prices)


_CACHE: dict[str, typing.Any] = {}


def make(name: str) -> typing.Any:
    if name not in _CACHE:
        with _quiet():
            _CACHE[name] = FACTORIES[name]()
    return _CACHE[name]


class _quiet:
    def __enter__(self):
        import warnings

        self._w = warnings.catch_warnings()
        self._w.__enter__()
        warnings.simplefilter("ignore")

    def __exit__(self, *exc):
        self._w.__exit__(*exc)


def _result_classes() -> dict[str, type]:
    out: dict[str, type] = {}
    for pkg in ("llmflation.methods", "llmflation.study", "llmflation.panel"):
        mod = importlib.import_module(pkg)
        for info in pkgutil.iter_modules(mod.__path__):
            m = importlib.import_module(f"{pkg}.{info.name}")
            for name, obj in vars(m).items():
                if inspect.isclass(obj) and issubclass(obj, ResultMixin) and obj.__module__ == m.__name__:
                    out[name] = obj
    out["HypothesisTest"] = llmflation.results.HypothesisTest
    return out


CLASSES = _result_classes()


@pytest.mark.parametrize("name", sorted(CLASSES))
def test_every_result_type_is_covered(name):
    assert issubclass(CLASSES[name], Result), f"{name} must be built on llmflation.results.Result"
    assert name in FACTORIES, f"add a factory for {name} to FACTORIES"


@pytest.mark.parametrize("name", sorted(FACTORIES))
def test_result_contract(name):
    r = make(name)
    assert type(r).__name__ == name
    # frozen, keyword-only dataclass
    params = type(r).__dataclass_params__
    assert params.frozen
    assert all(f.kw_only for f in dataclasses.fields(r)), f"{name}: every field keyword-only"
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.vintage = "x"
    with pytest.raises(TypeError):
        type(r)(1)  # positional construction is refused
    # equality never raises
    assert (r == r) is True
    assert isinstance(r == copy.copy(r), bool) and (r != object()) is True
    hash(r)
    # metadata
    assert isinstance(r.config, dict)
    assert isinstance(r.vintage, str) and r.vintage
    assert isinstance(r.notes, tuple) and all(isinstance(n, str) for n in r.notes)
    assert isinstance(r.references, tuple) and all(isinstance(x, Reference) for x in r.references)
    for x in r.references:
        assert x.citation and r.reference_figure(x.key) is x
    # to_frame: long and tidy
    f = r.to_frame()
    assert isinstance(f, pd.DataFrame)
    assert set(TIDY_COLUMNS) <= set(f.columns), f"{name}: missing {set(TIDY_COLUMNS) - set(f.columns)}"
    assert "df" not in f.columns, "degrees of freedom are numeric df_num/df_denom"
    for c in TIDY_COLUMNS[1:]:
        assert pd.api.types.is_float_dtype(f[c]) or pd.api.types.is_integer_dtype(f[c]), f"{name}.{c}: {f[c].dtype}"
    assert f["term"].map(type).eq(str).all()
    lead = list(f.columns[: len(r.keys)])
    assert lead == [k for k in r.keys if k in f.columns][: len(lead)]
    # wide view and renderings
    assert isinstance(r.wide(), pd.DataFrame)
    assert isinstance(r.summary(), str) and "<" in r._repr_html_()


def _kind(v: typing.Any) -> str:
    if callable(v) and not isinstance(v, (pd.Series, pd.DataFrame)):
        return "method"
    if isinstance(v, pd.DataFrame):
        return "DataFrame"
    if isinstance(v, pd.Series):
        return "Series"
    if isinstance(v, (bool, np.bool_)):
        return "bool"
    if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool):
        return "number"
    if isinstance(v, (tuple, list)):
        return "sequence"
    if isinstance(v, dict):
        return "dict"
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "none"
    return type(v).__name__


#: Names checked across all result types: the measures the issue found with different meanings.
#: (``df`` is left out: a test's df may be one number or a pair; to_frame() makes it numeric df_num/df_denom.)
SHARED = ("factor_per_year", "table", "premium", "half_life_years", "r_squared", "n", "estimate", "statistic",
          "p_value", "level", "elasticity", "cost_gap", "sample", "series", "coefficients")


@pytest.mark.parametrize("attr", SHARED)
def test_one_name_one_type(attr):
    kinds: dict[str, list[str]] = {}
    for name in FACTORIES:
        r = make(name)
        if hasattr(type(r), attr) or attr in {f.name for f in dataclasses.fields(r)}:
            v = getattr(r, attr)
            k = _kind(v)
            if k != "none":
                kinds.setdefault(k, []).append(name)
    assert len(kinds) <= 1, f"{attr!r} means different things: {kinds}"


#: Column names that identify rows (group, DMU, period, tier, series …): they are keys, never terms.
KEY_LIKE = frozenset({"group", "dmu", "period", "base_period", "tier", "series", "quarter", "year", "date",
                      "developer", "model", "benchmark", "threshold_model", "section", "claim", "spec"})


#: Suffixes of a quantity's interval bounds and standard error (they fill its row, see results.tidy).
BOUND_SUFFIXES = ("_conf_low", "_conf_high", "_low", "_high", "_std_error", "_se")


@pytest.mark.parametrize("name", sorted(FACTORIES))
def test_to_frame_keys_identify_rows(name):
    """Tidy means tidy: ``keys`` are columns, quantities are terms, and keys + term name one row.

    Round trip: the long frame pivots back to one row per key (``wide``-shaped) without
    losing or merging a row, and every estimate is found at its key and term.
    """
    r = make(name)
    f = r.to_frame()
    keys = list(r.keys)
    missing = [k for k in keys if k not in f.columns]
    assert not missing, f"{name}: keys {missing} are not columns of to_frame()"
    if not keys:  # else other key-like columns may describe a keyed row (a robustness spec's period)
        undeclared = sorted(KEY_LIKE & set(f.columns))
        assert not undeclared, f"{name}: to_frame() has key columns {undeclared}; declare them in {name}.keys"
    leaked = sorted(set(f["term"]) & (KEY_LIKE | set(keys)))
    assert not leaked, f"{name}: keys {leaked} come out as terms; declare them in {name}.keys"
    as_terms = sorted(set(f["term"]) & {"estimate", "std_error", "statistic", "p_value", "conf_low", "conf_high", "n"})
    assert not as_terms, f"{name}: {as_terms} are columns of a tidy row, not terms"
    terms = set(f["term"])
    bounds = sorted(t for t in terms for s in BOUND_SUFFIXES if t.endswith(s) and any(
        u == t[: -len(s)] or (u.startswith(t[: -len(s)] + "_") and not u.endswith(BOUND_SUFFIXES)) for u in terms))
    assert not bounds, f"{name}: interval bounds/standard errors {bounds} are terms; they belong in their row"
    dup = f[f.duplicated(subset=[*keys, "term"], keep=False)]
    assert dup.empty, (f"{name}: keys {keys} + term do not identify rows; e.g.\n"
                       f"{dup[[*keys, 'term', 'estimate']].head(4)}")
    if not len(f):
        return
    # pivot back: one row per key, one column per term; every estimate lands where it came from
    idx = f[keys].astype("string").fillna("<NA>") if keys else pd.DataFrame({"_": ["all"] * len(f)})
    long = pd.concat([idx.reset_index(drop=True), f[["term", "estimate"]].reset_index(drop=True)], axis=1)
    back = long.pivot(index=list(idx.columns), columns="term", values="estimate")
    assert back.notna().sum().sum() == f["estimate"].notna().sum()
    assert len(back) == len(idx.drop_duplicates())
    w = r.wide()
    if keys and set(keys) <= set(w.columns):  # the wide view has the same keys, row for row
        wk = w[keys].astype("string").fillna("<NA>").drop_duplicates()
        assert len(wk) == len(back), f"{name}: wide() has {len(wk)} keyed rows, to_frame() {len(back)}"
