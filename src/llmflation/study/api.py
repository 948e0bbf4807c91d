"""``Study``: the study's data with one method per question (the wiring of data to questions, once).

The study functions (:func:`llmflation.price_trend`, :func:`llmflation.jevons`, …) take
their data as arguments so that they run on anyone's data. ``Study`` is the other half:
it holds the study's data (the bundled snapshot, merged with a store's fetched history
when one is named; loaded lazily, once) and has one method per question, named as the
public function it runs, which runs with no arguments on the study's defaults. Keyword
arguments are passed through to the function and override the defaults ``Study`` wires
in. The CLI commands and the report call these methods, so a notebook, the CLI and the
report compute the same thing.

Examples
--------
>>> import llmflation as lf
>>> study = lf.Study()                       # the bundled snapshot; lf.Study("prices.duckdb") adds a store
>>> r = study.llm_concentration()
>>> r.reference_figure("du2026.hhi").citation.startswith("Du")
True
>>> study.panel() is not study.panel()       # a fresh copy each time, loaded once
True
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from llmflation.errors import InputError
from llmflation.signature import validated
from llmflation.study.inputs import StudyInputs, resolve_store

#: Where the prices of the price-dynamics questions come from (``Study.prices``).
PriceSource = Literal["panel", "milestones", "cross-section"]
#: Default window of :meth:`Study.total_decline` (the paper's: 2020 to its 2026-03-28 snapshot).
DECLINE_WINDOW = ("2020-01-01", "2026-03-28")


def _run(func: Any, *args: Any, **kw: Any) -> Any:
    """``func(*args, **kw)``, refusing an option ``func`` does not have with the package's error."""
    params = inspect.signature(func).parameters
    if not any(p.kind is p.VAR_KEYWORD for p in params.values()):
        unknown = sorted(set(kw) - set(params))
        if unknown:
            opts = ", ".join(n for n, p in params.items() if p.kind is p.KEYWORD_ONLY)
            raise InputError(f"{func.__name__}() has no option {', '.join(map(repr, unknown))}; its options are: "
                             f"{opts}. See help(llmflation.{func.__name__}).")
    return func(*args, **kw)


def _with(defaults: dict[str, Any], kw: dict[str, Any]) -> dict[str, Any]:
    """``defaults`` overridden by the caller's keywords."""
    return {**defaults, **kw}


class Study:
    """The LLM-price study: its data (bundle, or bundle + store) and one method per question.

    Parameters
    ----------
    db : str or Path, optional
        A DuckDB store written by ``llmflation fetch``, merged with the bundled snapshot;
        None analyses the bundled snapshot alone. A named store must exist.
    tiers : {"positioning", "price_band", "capability"}, optional
        Tier definition of the panel (default: the developer's own positioning).
    panel : DataFrame, optional
        Use this panel instead of building one (a subset, a test fixture).

    Notes
    -----
    Each question method runs the public function of the same name on the study's data
    with the study's defaults; its keyword arguments are passed through and override
    those defaults (``study.price_trend(by="developer", n_boot=0)``). The data are read
    once per ``Study`` and every accessor returns a fresh copy, so results never share
    mutable inputs.

    Examples
    --------
    >>> import llmflation as lf
    >>> study = lf.Study()
    >>> t = study.price_trend(n_boot=0)            # by tier, blended price, the whole panel
    >>> "economy" in set(t.to_frame()["group"])
    True
    >>> study.jevons().title.startswith("Jevons")
    True
    """

    @validated
    def __init__(self, db: str | Path | None = None, *,
                 tiers: Literal["positioning", "price_band", "capability"] | None = None,
                 panel: pd.DataFrame | None = None) -> None:
        store = resolve_store(db) if db is not None else None
        self.data = StudyInputs(store, tiers=tiers, panel=panel)

    @classmethod
    def from_inputs(cls, inputs: StudyInputs) -> Study:
        """A ``Study`` on already resolved inputs (the CLI resolves ``--db`` / ``$LLMFLATION_DB``).

        Examples
        --------
        >>> from llmflation.study.inputs import StudyInputs
        >>> Study.from_inputs(StudyInputs()).data.store is None
        True
        """
        if not isinstance(inputs, StudyInputs):
            raise InputError(f"inputs must be a StudyInputs (llmflation.study.inputs); got {type(inputs).__name__}.")
        self = cls.__new__(cls)
        self.data = inputs
        return self

    def __repr__(self) -> str:
        return f"Study(db={str(self.data.store) if self.data.store else None!r}, tiers={self.data.tiers!r})"

    # ------------------------------------------------------------------ data
    def panel(self) -> pd.DataFrame:
        """The canonical panel (bundle merged with the store), a fresh copy; built once.

        Examples
        --------
        >>> import llmflation as lf
        >>> {"model_id", "blended_usd_per_mtok"} <= set(lf.Study().panel().columns)
        True
        """
        return self.data.panel()

    def table(self, name: str) -> pd.DataFrame:
        """One bundled table (a fresh copy) with ``attrs["vintage"]``.

        Examples
        --------
        >>> import llmflation as lf
        >>> "vintage" in lf.Study().table("token_volume").attrs
        True
        """
        return self.data.table(name)

    def describe(self) -> str:
        """What the study runs on, in one line (snapshot, store, fetched intervals).

        Examples
        --------
        >>> import llmflation as lf
        >>> lf.Study().describe().endswith("no store")
        True
        """
        return self.data.describe()

    def provenance(self) -> dict[str, Any]:
        """What the study runs on: snapshot id and range, store path, fetched intervals and dates.

        Examples
        --------
        >>> import llmflation as lf
        >>> lf.Study().provenance()["store"] is None
        True
        """
        return self.data.provenance()

    @validated
    def prices(self, source: PriceSource = "panel", *, snapshot: str = "2026-03-28") -> tuple[pd.DataFrame,
                                                                                          dict[str, Any]]:
        """Prices for the price-dynamics questions and the options that fit them.

        ``panel`` (every dated price), ``milestones`` (the curated milestone rows, one
        observation per row) or ``cross-section`` (OpenRouter's listing on ``snapshot``:
        survivor prices by release date, which show no decline).

        Examples
        --------
        >>> import llmflation as lf
        >>> frame, options = lf.Study().prices("milestones")
        >>> options
        {'observations': 'rows'}
        """
        if source == "cross-section":
            from llmflation.study.trends import openrouter_cross_section

            return (openrouter_cross_section(self.data.openrouter_daily(), snapshot),
                    {"observations": "rows", "date_col": "release_date"})
        panel = self.panel()
        if source == "milestones":
            m = panel[panel["source"] == "milestones"].copy()
            m.attrs = dict(panel.attrs)
            return m, {"observations": "rows"}
        return panel, {}

    # ------------------------------------------------------------------ price dynamics
    def price_trend(self, prices: pd.DataFrame | None = None, **kw: Any) -> Any:
        """:func:`llmflation.price_trend` on the panel (by tier, blended price).

        ``prices`` replaces the panel (e.g. ``study.prices("milestones")[0]``).

        Examples
        --------
        >>> import llmflation as lf
        >>> lf.Study().price_trend(by="all", n_boot=0).groups[0].group
        'all'
        """
        from llmflation.study.trends import price_trend

        kw = _with({"by": "tier"}, kw)
        if kw.get("by") == "all":
            kw["by"] = None
        return _run(price_trend, self.panel() if prices is None else prices, **kw)

    def total_decline(self, prices: pd.DataFrame | None = None, **kw: Any) -> Any:
        """:func:`llmflation.total_decline` on the panel, 2020-01-01 to the 2026-03-28 snapshot.

        Examples
        --------
        >>> import llmflation as lf
        >>> "endpoint" in set(lf.Study().total_decline().to_frame()["term"])
        True
        """
        from llmflation.study.decline import total_decline

        start, end = DECLINE_WINDOW
        return _run(total_decline, self.panel() if prices is None else prices, **_with({"start": start, "end": end}, kw))

    def constant_capability_decline(self, prices: pd.DataFrame | None = None, **kw: Any) -> Any:
        """:func:`llmflation.constant_capability_decline` on the panel, over :data:`DECLINE_WINDOW`.

        Examples
        --------
        >>> import llmflation as lf
        >>> lf.Study().constant_capability_decline(n_boot=99).status in ("estimated", "not estimable")
        True
        """
        from llmflation.study.decline import constant_capability_decline

        start, end = DECLINE_WINDOW
        return _run(constant_capability_decline, self.panel() if prices is None else prices,
                    **_with({"start": start, "end": end}, kw))

    def reasoning_premium(self, prices: pd.DataFrame | None = None, **kw: Any) -> Any:
        """:func:`llmflation.reasoning_premium` on the panel.

        Examples
        --------
        >>> import llmflation as lf
        >>> "regression" in set(lf.Study().reasoning_premium().estimates["term"])
        True
        """
        from llmflation.study.premium import reasoning_premium

        return _run(reasoning_premium, self.panel() if prices is None else prices, **kw)

    @validated
    def cheapest_above_threshold(self, *, source: Literal["epoch", "panel"] = "epoch",
                                 benchmark: str = "MMLU", **kw: Any) -> Any:
        """:func:`llmflation.cheapest_above_threshold` on Epoch AI's inputs (or on our panel).

        ``source="epoch"``: Epoch's bundled prices and benchmark scores (to Feb 2025),
        compared with Epoch's published factors; ``source="panel"``: our dated panel prices
        of models Epoch scored, joined to Epoch's best score on ``benchmark``.

        Examples
        --------
        >>> import llmflation as lf
        >>> r = lf.Study().cheapest_above_threshold()     # MMLU, Epoch's frontier thresholds
        >>> len(r.to_frame()) > 0
        True
        """
        from llmflation.study import threshold as th

        if source == "epoch":
            return _run(th.cheapest_above_threshold, self.data.epoch_prices(),
                                               **_with({"benchmark": benchmark,
                                                        "reference": self.data.epoch_results()}, kw))
        prices = th.panel_prices(self.panel()).dropna(subset=["epoch_model"])
        if benchmark == "ECI":
            prices, scores = prices.rename(columns={"eci": "ECI"}), None
        else:
            scores = self.data.epoch_scores(benchmark)
        return _run(th.cheapest_above_threshold, prices, scores, **_with({"benchmark": benchmark, "model_col": "epoch_model",
                                                                    "date_col": "date", "price_col": "price"}, kw))

    def epoch_reproduction(self, **kw: Any) -> Any:
        """:func:`llmflation.epoch_reproduction`: Epoch AI's published factors, end to end.

        Examples
        --------
        >>> import llmflation as lf
        >>> "reference_factor" in lf.Study().epoch_reproduction().wide()
        True
        """
        from llmflation.study.threshold import epoch_reproduction

        return _run(epoch_reproduction, self.data.epoch_prices(), self.data.epoch_results(), **kw)

    def rates_since_cutoff(self, **kw: Any) -> Any:
        """:func:`llmflation.rates_since_cutoff` on our panel prices, GPQA Diamond thresholds.

        Examples
        --------
        >>> import llmflation as lf
        >>> list(lf.Study().rates_since_cutoff().medians().index)
        ['before', 'after', 'full']
        """
        from llmflation.study import threshold as th

        kw = _with({"benchmark": "GPQA Diamond", "model_col": "epoch_model", "date_col": "date",
                    "price_col": "price"}, kw)
        prices = th.panel_prices(self.panel()).dropna(subset=["epoch_model"])
        return _run(th.rates_since_cutoff, prices, self.data.epoch_scores(kw["benchmark"]), **kw)

    def gpt35_level_decline(self, **kw: Any) -> Any:
        """:func:`llmflation.gpt35_level_decline` on Epoch's prices (the Stanford AI Index anchor).

        Examples
        --------
        >>> import llmflation as lf
        >>> lf.Study().gpt35_level_decline().title != ""
        True
        """
        from llmflation.study.threshold import gpt35_level_decline

        return _run(gpt35_level_decline, self.data.epoch_prices(), **kw)

    def a16z_series(self, **kw: Any) -> Any:
        """:func:`llmflation.a16z_series` on Epoch's prices (cheapest model above MMLU 42 and 83).

        Examples
        --------
        >>> import llmflation as lf
        >>> sorted(lf.Study().a16z_series())
        [42.0, 83.0]
        """
        from llmflation.study.threshold import a16z_series

        return _run(a16z_series, self.data.epoch_prices(), **kw)

    def cost_vs_price_trends(self, **kw: Any) -> Any:
        """:func:`llmflation.cost_vs_price_trends`: cost per task vs price per token (Epoch's token counts).

        Examples
        --------
        >>> import llmflation as lf
        >>> lf.Study().cost_vs_price_trends().geomean_ratio > 0
        True
        """
        from llmflation.study.task_cost import cost_vs_price_trends, epoch_task_costs

        prices = self.data.epoch_prices()
        return _run(cost_vs_price_trends, epoch_task_costs(prices, self.data.eval_tokens()),
                                    **_with({"frontier_from": prices}, kw))

    def forecast(self, prices: pd.DataFrame | None = None, **kw: Any) -> Any:
        """:func:`llmflation.forecast` of the tier trends of the panel (or of ``capability`` thresholds).

        ``capability="MMLU"`` forecasts the cheapest price above Epoch's thresholds on that
        benchmark instead of the tiers.

        Examples
        --------
        >>> import llmflation as lf
        >>> len(lf.Study().forecast().prices) > 0
        True
        """
        from llmflation.study.forecast import forecast

        capability = kw.pop("capability", None)
        if capability:
            return _run(forecast, self.cheapest_above_threshold(benchmark=capability), **kw)
        if kw.get("by") == "all":
            kw["by"] = None
        return _run(forecast, self.panel() if prices is None else prices, **kw)

    def llm_price_breaks(self, **kw: Any) -> Any:
        """:func:`llmflation.llm_price_breaks` on the milestones, Epoch's lowest prices and the panel.

        Examples
        --------
        >>> import llmflation as lf
        >>> "milestones" in set(lf.Study().llm_price_breaks(use_panel=False).wide()["series"])
        True
        """
        from llmflation.study.breaks import llm_price_breaks

        use_panel = kw.get("use_panel", True)
        data = self.data.breaks(use_panel=bool(use_panel) if isinstance(use_panel, bool) else True)
        return _run(llm_price_breaks, **_with(data, kw))

    # ------------------------------------------------------------------ supply side
    def cost_decomposition(self, **kw: Any) -> Any:
        """:func:`llmflation.cost_decomposition` on the unit-level inputs (GPU, hardware, energy).

        Examples
        --------
        >>> import llmflation as lf
        >>> "tfp_residual" in set(lf.Study().cost_decomposition().wide()["term"])
        True
        """
        from llmflation.study.decomposition import cost_decomposition

        return _run(cost_decomposition, self.data.decomposition(), **kw)

    def llm_malmquist(self, **kw: Any) -> Any:
        """:func:`llmflation.llm_malmquist`: developer × quarter DMUs from the panel and Epoch's models.

        Examples
        --------
        >>> import llmflation as lf
        >>> "tfpch" in set(lf.Study().llm_malmquist().wide()["measure"])
        True
        """
        from llmflation.study.frontier import llm_malmquist

        return _run(llm_malmquist, **_with(self.data.frontier(), kw))

    def elasticity(self, **kw: Any) -> Any:
        """:func:`llmflation.elasticity` of launch price to training cost (models with both).

        Examples
        --------
        >>> import llmflation as lf
        >>> "log_training_cost" in set(lf.Study().elasticity().wide()["term"])
        True
        """
        from llmflation.study.elasticity import elasticity

        return _run(elasticity, self.data.elasticity(), **kw)

    def us_china(self, *, since_year: int | None = None, domain: str | None = None, frontier_only: bool = False,
                 **kw: Any) -> Any:
        """:func:`llmflation.us_china` on Epoch's models (``since_year``, ``domain``, ``frontier_only`` filter them).

        Examples
        --------
        >>> import llmflation as lf
        >>> lf.Study().us_china(n_boot=200).n_us > 0
        True
        """
        from llmflation.study.us_china import us_china

        data = self.data.us_china(since_year=since_year, domain=domain, frontier_only=frontier_only)
        return _run(us_china, data, **kw)

    # ------------------------------------------------------------------ market and society
    def llm_concentration(self, **kw: Any) -> Any:
        """:func:`llmflation.llm_concentration`: developers' shares of priced OpenRouter models and of usage.

        Examples
        --------
        >>> import llmflation as lf
        >>> bool((lf.Study().llm_concentration().wide()["hhi"] > 0).any())
        True
        """
        from llmflation.study.concentration import llm_concentration

        return _run(llm_concentration, **_with(self.data.concentration(), kw))

    def usage_concentration(self, **kw: Any) -> Any:
        """:func:`llmflation.usage_concentration` by tokens and spend (Menlo, OpenRouter).

        Examples
        --------
        >>> import llmflation as lf
        >>> len(lf.Study().usage_concentration().table) > 0
        True
        """
        from llmflation.study.concentration import usage_concentration

        return _run(usage_concentration, **_with({"market_shares": self.table("market_shares"),
                                            "openrouter_daily": self.data.openrouter_daily(),
                                            "rankings": self.table("openrouter_rankings")}, kw))

    def hedonic_index(self, prices: pd.DataFrame | None = None, **kw: Any) -> Any:
        """:func:`llmflation.hedonic_index`: quality-adjusted (time-dummy) vs matched-model index of the panel.

        Examples
        --------
        >>> import llmflation as lf
        >>> r = lf.Study().hedonic_index(n_boot=20)
        >>> r.hedonic_log_change_per_year < 0
        True
        """
        from llmflation.study.indices import hedonic_index

        return _run(hedonic_index, self.panel() if prices is None else prices, **kw)

    def headline_index(self, **kw: Any) -> Any:
        """:func:`llmflation.headline_index`: the chained quality-adjusted price index (the headline answer).

        Runs on the canonical panel with the OpenRouter rankings and listings (token-weighted
        variant). ``quality`` may be ``"eci"`` (default, the panel's column), a benchmark
        of ``threshold.PANEL_BENCHMARKS`` (``"GPQA Diamond"``, ``"MMLU"`` …), whose Epoch
        scores are joined on the panel's ``epoch_model``, or ``"arena_elo"`` (LMArena
        scores matched to model keys).

        Examples
        --------
        >>> import llmflation as lf
        >>> r = lf.Study().headline_index(n_boot=20)
        >>> type(r).__name__, r.log_change_per_year < 0
        ('HeadlineIndexResult', True)
        """
        from llmflation.study.headline import headline_index
        from llmflation.study.threshold import PANEL_BENCHMARKS

        quality = kw.get("quality", "eci")
        extra: dict[str, Any] = {}
        if quality in PANEL_BENCHMARKS and quality != "ECI" and "scores" not in kw:
            extra["scores"] = self.data.epoch_scores(quality)
        elif quality == "arena_elo" and "scores" not in kw:
            from llmflation.study.headline import arena_scores

            extra["scores"] = arena_scores(self.table("lmarena"), self.panel())
        return _run(headline_index, self.panel(), **_with({"rankings": self.table("openrouter_rankings"),
                                                          "openrouter_daily": self.data.openrouter_daily(),
                                                          **extra}, kw))

    def jevons(self, **kw: Any) -> Any:
        """:func:`llmflation.jevons`: token volume, price and spend per firm statement.

        Examples
        --------
        >>> import llmflation as lf
        >>> len(lf.Study().jevons().accounting) > 0
        True
        """
        from llmflation.study.jevons import jevons

        return _run(jevons, self.panel(), **_with({"token_volume": self.table("token_volume"),
                                             "rankings": self.table("openrouter_rankings"),
                                             "openrouter_daily": self.data.openrouter_daily(),
                                             "effective_prices": self.table("openrouter_effective_prices")}, kw))

    def baumol(self, **kw: Any) -> Any:
        """:func:`llmflation.baumol`: CPI service items vs the AI price at constant capability.

        Examples
        --------
        >>> import llmflation as lf
        >>> "SASLE" in set(lf.Study().baumol().rates["term"])
        True
        """
        from llmflation.study.baumol import DEFAULT_SERVICE_ITEMS, baumol

        return _run(baumol, self.table("bls_cpi"), self.table("wages"), self.panel(),
                      **_with({"series": DEFAULT_SERVICE_ITEMS}, kw))

    def baumol_test(self, **kw: Any) -> Any:
        """:func:`llmflation.baumol_test`: relative service inflation after 2022 against pre-LLM placebos.

        Examples
        --------
        >>> import llmflation as lf
        >>> r = lf.Study().baumol_test()
        >>> isinstance(r.changed, bool) and len(r.did) == 4
        True
        """
        from llmflation.study.baumol import baumol_test

        return _run(baumol_test, self.table("bls_cpi"), self.panel(), **kw)

    # ------------------------------------------------------------------ robustness
    def robustness(self, claim: str | None = None, **kw: Any) -> Any:
        """:func:`llmflation.robustness`: each headline (or ``claim``) over its grid of specifications.

        Examples
        --------
        >>> import llmflation as lf
        >>> r = lf.Study().robustness("hhi", leave_one_out=False, influence=False)
        >>> set(r.table["claim"])
        {'hhi'}
        """
        from llmflation.study.robustness import robustness

        return _run(robustness, claim, **_with({"panel": self.panel(), "milestones": self.data.milestones(),
                                          "concentration": self.data.concentration()}, kw))


#: The questions a ``Study`` answers: method name → the public function it runs.
QUESTIONS: tuple[str, ...] = (
    "price_trend", "total_decline", "reasoning_premium", "cheapest_above_threshold", "llm_price_breaks",
    "cost_decomposition", "llm_malmquist", "elasticity", "us_china", "llm_concentration", "usage_concentration",
    "hedonic_index", "jevons", "baumol", "forecast", "robustness", "headline_index", "baumol_test",
    "constant_capability_decline",
)
