"""Price of a fixed capability: the cheapest model at or above a benchmark threshold.

Epoch AI's method ("LLM inference prices have fallen rapidly but unequally across
tasks", 2025-03; code in GitHub ``epoch-research/llm-benchmark-efficiency``,
``llm_price_trends.ipynb``), reimplemented:

1. Price = blended 3:1 input:output USD per million tokens, first-party price (or the
   median across providers); reasoning models are excluded (they spend many more
   tokens, so a token price understates their cost).
2. Thresholds "above the previous frontier": every model that was the top scorer on
   the benchmark when it was released sets a threshold equal to its score (for
   multiple-choice benchmarks only scores ≥ 30). The band is ``[threshold, 100)`` for
   percentage scores and ``[threshold, ∞)`` for Arena Elo.
3. Walking through the models in release order, a model enters the series when its
   score is in the band and its price is strictly below every earlier entrant's; of
   several entrants on one day only the cheapest is kept.
4. OLS of log price on date; the factor per year is ``10^(−365 × slope per day)`` with a
   90% t interval; a series needs at least 4 points.

Applied to Epoch's own inputs (bundled), this reproduces all 21 published factors.

The module also gives the a16z "LLMflation" series (cheapest model with MMLU ≥ 42 and
≥ 83 by month; a16z averaged input and output prices) and the GPT-3.5-level decline
quoted by the Stanford AI Index (MMLU ≥ 64.8: $20 → $0.07 per million tokens).
"""

from __future__ import annotations

import ast
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd

from llmflation.errors import InputError, check_choice
from llmflation.methods.estimability import ESTIMATED, MIN_POINTS_RATE, estimability
from llmflation.methods.ols import LineFit, fit_line
from llmflation.normalize.units import blended
from llmflation.results import Result, SummaryFormat, render_table
from llmflation.signature import (
    DateLike,
    Frame,
    Level,
    Names,
    PositiveFloat,
    PriceDate,
    Range,
    Seed,
    SomeColumns,
    validated,
)
from llmflation.study.paper import ref, refs
from llmflation.validate import (
    check_number,
    pick_column,
)

#: Models Epoch's notebook excludes as reasoning models when the data have no flag.
EPOCH_REASONING_MODELS: tuple[str, ...] = ("DeepSeek-R1", "o1", "o1-mini", "o1-preview", "o3-mini")
#: Benchmarks of Epoch's insight (column names of its data).
EPOCH_BENCHMARKS: tuple[str, ...] = ("MMLU", "GPQA Diamond", "MATH-500", "MATH 5", "HumanEval",
                                     "LMSys Chatbot Arena ELO")
#: Multiple-choice benchmarks: frontier thresholds below 30% are skipped (near chance).
MULTIPLE_CHOICE: frozenset[str] = frozenset({"MMLU", "GPQA Diamond", "GPQA diamond"})
#: Score cap of percentage benchmarks (band upper bound, exclusive).
PERCENT_MAX = 100.0
#: Minimum points of a series for a regression (Epoch's value).
MIN_POINTS = 4
#: Last release date in Epoch's price data (its cut-off).
EPOCH_CUTOFF = pd.Timestamp("2025-02-05")
#: Days per year used by Epoch to annualise a per-day slope.
EPOCH_DAYS_PER_YEAR = 365.0

#: Published anchors, shown beside our numbers (never returned as ours).
PUBLISHED: dict[str, dict[str, Any]] = {
    "epoch": {"factor_range": ref("epoch2025.factor_range").value, "median_factor": ref("epoch2025.median_factor").value,
              "source": ref("epoch2025.median_factor").citation + " (results table bundled as epoch_lowest_price_results)"},
    "a16z_mmlu42": {**ref("a16z2024.mmlu42").value, "source": ref("a16z2024.mmlu42").citation},
    "a16z_mmlu83": {**ref("a16z2024.mmlu83").value, "source": ref("a16z2024.mmlu83").citation},
    "gpt35_level": {**ref("aiindex2025.gpt35_level").value, "source": ref("aiindex2025.gpt35_level").citation},
}


# --------------------------------------------------------------------------- inputs


def _strip_dates(s: pd.Series) -> pd.Series:
    return pd.to_datetime(s.astype("string").str.strip(), errors="coerce")


def prepare_epoch_inputs(raw: pd.DataFrame) -> pd.DataFrame:
    """Epoch's analysis inputs, prepared exactly as its notebook does.

    ``raw`` is ``epoch_aa_data_with_math5`` and ``epoch_price_not_in_aa_with_benchmarks``
    concatenated (``StudyInputs().epoch_prices()`` does this). Drops rows without a price,
    sorts by release date, renames ``GPT-3 175B (davinci)`` to ``GPT-3``. Columns: ``Model
    Name``, ``Release Date`` (datetime), ``USD per 1M Tokens`` (blended 3:1) and one column
    per benchmark.

    Examples
    --------
    >>> from llmflation.study.inputs import StudyInputs
    >>> d = StudyInputs().epoch_prices()
    >>> len(d), d["Release Date"].max().date().isoformat()
    (73, '2025-02-05')
    """
    df = raw.copy()
    df["Release Date"] = _strip_dates(df["Release Date"])
    df["Model Name"] = df["Model Name"].astype("string").str.strip()
    df = df.dropna(subset=["USD per 1M Tokens"])
    df = df.sort_values("Release Date", kind="stable").reset_index(drop=True)
    df.loc[df["Model Name"] == "GPT-3 175B (davinci)", "Model Name"] = "GPT-3"
    for b in EPOCH_BENCHMARKS:
        df[b] = pd.to_numeric(df[b], errors="coerce")
    return df


def parse_epoch_results(r: pd.DataFrame) -> pd.DataFrame:
    """Epoch's published result table (``epoch_lowest_price_results``), parsed.

    Examples
    --------
    >>> from llmflation.study.inputs import StudyInputs
    >>> r = StudyInputs().epoch_results()
    >>> len(r), round(float(r["factor_per_year"].median()), 1)
    (21, 46.2)
    """
    r = r.copy()
    ci = r["price_reduction_factor_per_year_90_ci"].map(lambda s: ast.literal_eval(str(s)))
    rng = r["performance_range"].astype(str).str.replace("inf", "None").map(ast.literal_eval)
    return pd.DataFrame({
        "benchmark": r["bench"].astype(str), "threshold_model": r["threshold_model"].astype(str),
        "lower": [float(x[0]) for x in rng], "upper": [math.inf if x[1] is None else float(x[1]) for x in rng],
        "n": r["sample_size"].astype(int), "start_date": pd.to_datetime(r["start_date"]),
        "end_date": pd.to_datetime(r["end_date"]), "factor_per_year": r["price_reduction_factor_per_year"].astype(float),
        "conf_low": [float(c[0]) for c in ci], "conf_high": [float(c[1]) for c in ci],
        "r_squared": r["r_squared"].astype(float),
    })


def parse_epoch_selected(d: pd.DataFrame) -> pd.DataFrame:
    """Epoch's selected cheapest-model series (``epoch_lowest_price_data``), parsed."""
    rng = d["performance_range"].astype(str).str.replace("inf", "None").map(ast.literal_eval)
    return pd.DataFrame({
        "benchmark": d["bench"].astype(str), "threshold_model": d["threshold_model"].astype(str),
        "model": d["Model Name"].astype(str), "date": _strip_dates(d["Release Date"]),
        "price": d["USD per 1M Tokens"].astype(float), "score": d["benchmark_score"].astype(float),
        "lower": [float(r[0]) for r in rng], "upper": [math.inf if r[1] is None else float(r[1]) for r in rng],
    })


# --------------------------------------------------------------------------- core steps


def frontier_thresholds(df: pd.DataFrame, score_col: str, *, model_col: str = "model",
                        date_col: str = "date") -> pd.DataFrame:
    """Models that were the top scorer at their release date ("previous frontier").

    A row is a frontier model when its score beats every row released before it and
    it is the first best row of its own date (ties keep the earlier row, as pandas'
    ``nlargest(1)`` on a date-sorted frame does).

    Examples
    --------
    >>> d = pd.DataFrame({"model": list("abcd"), "date": pd.to_datetime(["2023-01-01", "2023-06-01",
    ...                   "2023-06-01", "2024-01-01"]), "s": [50, 60, 70, 65]})
    >>> frontier_thresholds(d, "s")["model"].tolist()
    ['a', 'c']
    """
    d = df[df[score_col].notna()].sort_values(date_col, kind="stable")
    best = -math.inf
    keep = []
    for _, g in d.groupby(date_col, sort=True):
        top = g[score_col].max()
        if top > best:
            keep.append(g.index[int(np.argmax(g[score_col].to_numpy() == top))])
            best = top
    return d.loc[keep, [model_col, date_col, score_col]].rename(columns={score_col: "threshold"})


def select_cheapest(df: pd.DataFrame, score_col: str, lower: float, upper: float, *,
                    price_col: str = "price", date_col: str = "date") -> pd.DataFrame:
    """Running-minimum series: models in ``[lower, upper)`` that undercut all earlier ones.

    Rows are taken in date order (the cheapest first within a date) and kept when their
    price is strictly below every earlier kept price, so at most one row per date
    survives — Epoch's walk plus its same-day de-duplication.

    Examples
    --------
    >>> d = pd.DataFrame({"date": pd.to_datetime(["2023-01-01", "2023-05-01", "2023-05-01", "2024-01-01"]),
    ...                   "price": [10.0, 4.0, 2.0, 3.0], "s": [80, 85, 90, 99]})
    >>> select_cheapest(d, "s", 80, 100)["price"].tolist()
    [10.0, 2.0]
    """
    band = df[df[score_col].notna() & (df[score_col] >= lower) & (df[score_col] < upper)]
    band = band.sort_values([date_col, price_col], kind="stable")
    prices = band[price_col].to_numpy(dtype=float)
    prev_min = np.minimum.accumulate(np.concatenate([[np.inf], prices]))[:-1]
    return band[prices < prev_min]


def _fit_series(dates: pd.Series, prices: np.ndarray, *, level: float, days_per_year: float
                ) -> tuple[LineFit, float, tuple[float, float]]:
    days = (pd.to_datetime(dates) - pd.Timestamp("1970-01-01")) / pd.Timedelta(days=1)
    x = days.to_numpy(dtype=float) / days_per_year
    f = fit_line(x, np.log(prices))
    lo, hi = f.slope_ci(level)
    return f, math.exp(-f.slope), (math.exp(-hi), math.exp(-lo))


def _status(n: int, lo: float, hi: float) -> dict[str, Any]:
    """``status``/``reason`` of one fitted series (:func:`llmflation.methods.estimability.estimability`)."""
    st, why = estimability(n=n, min_n=MIN_POINTS_RATE, conf_low=lo, conf_high=hi, what="factor per year")
    return {"status": st, "reason": why or ""}


# --------------------------------------------------------------------------- results


_THRESHOLD_COLUMNS = ["benchmark", "threshold_model", "lower", "upper", "term", "estimate", "std_error",
                      "conf_low", "conf_high", "n", "r_squared", "start_date", "end_date"]


@dataclass(frozen=True, kw_only=True, eq=False, repr=False)
class ThresholdTrendResult(Result):
    """Price trend of the cheapest model above each capability threshold.

    Attributes
    ----------
    trends : DataFrame
        One row per (benchmark, threshold): ``benchmark, threshold_model, lower, upper,
        n, start_date, end_date, factor_per_year, conf_low, conf_high, log_slope_per_year,
        std_error, r_squared, models``.
    series : DataFrame
        The selected points: ``benchmark, threshold_model, model, date, price, score``.
    skipped : DataFrame
        Thresholds not fitted and why (``benchmark, threshold_model, lower, n, reason``).
    level : float
        Confidence level of ``conf_low``/``conf_high`` (Epoch: 0.90).
    reference : DataFrame or None
        Published factors for the same (benchmark, threshold), when known.
    """

    trends: pd.DataFrame
    series: pd.DataFrame
    skipped: pd.DataFrame
    level: float = 0.90
    reference: pd.DataFrame | None = None
    published: dict[str, Any] = field(default_factory=lambda: dict(PUBLISHED["epoch"]))

    title = "Cheapest model above a capability threshold: price decline per year"

    @property
    def factors(self) -> pd.Series:
        """Factor per year indexed by (benchmark, threshold_model)."""
        return self.trends.set_index(["benchmark", "threshold_model"])["factor_per_year"]

    @property
    def median_factor(self) -> float:
        return float(self.trends["factor_per_year"].median()) if len(self.trends) else math.nan

    keys = ('benchmark', 'threshold_model')

    def wide(self) -> pd.DataFrame:
        t = self.trends
        if t.empty:
            return pd.DataFrame(columns=_THRESHOLD_COLUMNS)
        out = pd.DataFrame({
            "benchmark": t["benchmark"], "threshold_model": t["threshold_model"], "lower": t["lower"],
            "upper": t["upper"], "term": "factor_per_year", "estimate": t["factor_per_year"],
            "std_error": t["std_error"], "conf_low": t["conf_low"], "conf_high": t["conf_high"], "n": t["n"],
            "r_squared": t["r_squared"], "start_date": t["start_date"].dt.date, "end_date": t["end_date"].dt.date,
            "status": t["status"] if "status" in t else "", "reason": t["reason"] if "reason" in t else "",
        })
        if self.reference is not None and len(self.reference):
            ref = self.reference.set_index(["benchmark", "threshold_model"])["factor_per_year"]
            keys = list(zip(t["benchmark"], t["threshold_model"], strict=True))
            out["reference_factor"] = [float(ref.get(k, math.nan)) for k in keys]
        return out.reset_index(drop=True)

    def summary(self, fmt: SummaryFormat = "text") -> str:
        f = self.wide().drop(columns=["term", "std_error"], errors="ignore")
        lvl = int(round(100 * self.level))
        notes = self._notes() + [f"Median factor per year: {self.median_factor:.1f}× over {len(self.trends)} "
                                 f"threshold(s); published (Epoch AI): 9×–900× per year, median ~40–50×."]
        return render_table(f, f"{self.title} ({lvl}% CI)", notes, fmt)


@dataclass(frozen=True, kw_only=True, eq=False, repr=False)
class CheapestSeriesResult(Result):
    """Monthly price of the cheapest model at or above a fixed score (a16z's series).

    Attributes
    ----------
    benchmark : str
    threshold : float
    monthly : DataFrame
        ``month, price, model`` — the cheapest qualifying price seen up to each month end.
    changes : DataFrame
        The points where a new cheapest model appeared (``date, model, price, score``).
    start_price, end_price : float
    endpoint_factor : float
        ``start_price / end_price``.
    years : float
        Time between the first and last change point.
    endpoint_factor_per_year : float
        ``endpoint_factor ** (1 / years)``.
    factor_per_year, conf_low, conf_high, r_squared : float
        OLS of log price on date over the change points (``level`` interval); NaN with
        fewer than 3 points.
    published : dict
        The published figures for this series, when there are any.
    """

    benchmark: str
    threshold: float
    monthly: pd.DataFrame
    changes: pd.DataFrame
    start_price: float
    end_price: float
    endpoint_factor: float
    years: float
    endpoint_factor_per_year: float
    factor_per_year: float
    conf_low: float
    conf_high: float
    r_squared: float
    level: float = 0.90
    published: dict[str, Any] = field(default_factory=dict)

    @property
    def title(self) -> str:  # type: ignore[override]
        return f"Cheapest model with {self.benchmark} ≥ {self.threshold:g}"

    def wide(self) -> pd.DataFrame:
        n = len(self.changes)
        start = self.changes["date"].min().date() if n else None
        end = self.changes["date"].max().date() if n else None
        pub = self.published or {}
        return pd.DataFrame([
            {"term": "endpoint_factor", "estimate": self.endpoint_factor, "n": n, "start_date": start,
             "end_date": end, "published": pub.get("factor", math.nan)},
            {"term": "endpoint_factor_per_year", "estimate": self.endpoint_factor_per_year, "n": n,
             "start_date": start, "end_date": end, "published": pub.get("factor_per_year", math.nan)},
            {"term": "factor_per_year_ols", "estimate": self.factor_per_year, "conf_low": self.conf_low,
             "conf_high": self.conf_high, "n": n, "r_squared": self.r_squared, "start_date": start,
             "end_date": end},
            {"term": "start_price_usd_per_mtok", "estimate": self.start_price, "n": n, "start_date": start,
             "published": pub.get("start_price", math.nan)},
            {"term": "end_price_usd_per_mtok", "estimate": self.end_price, "n": n, "end_date": end,
             "published": pub.get("end_price", math.nan)},
        ]).reindex(columns=["term", "estimate", "conf_low", "conf_high", "n", "r_squared", "start_date",
                            "end_date", "published"])


# --------------------------------------------------------------------------- public API


def _prepare(prices: pd.DataFrame, scores: pd.DataFrame | None, benchmarks: list[str], *,
             model_col: str | None, date_col: str | None, price_col: str | None) -> pd.DataFrame:
    if not isinstance(prices, pd.DataFrame):
        raise InputError(f"prices must be a pandas DataFrame; got {type(prices).__name__}.")
    mc = pick_column(prices, model_col, ("Model Name", "model", "model_name", "model_id", "epoch_model"), "model")
    dc = pick_column(prices, date_col, ("Release Date", "date", "release_date", "valid_from"), "date")
    pc = pick_column(prices, price_col, ("USD per 1M Tokens", "price", "blended_usd_per_mtok"), "price")
    frame = prices.copy()
    if scores is not None:
        if not isinstance(scores, pd.DataFrame):
            raise InputError(f"scores must be a pandas DataFrame; got {type(scores).__name__}.")
        smc = pick_column(scores, model_col if model_col in scores.columns else None,
                    (mc, "Model Name", "model", "model_name", "model_id", "epoch_model"), "model")
        missing = [b for b in benchmarks if b not in scores.columns]
        if missing:
            raise InputError(f"benchmark column(s) {missing} not in scores; columns are: "
                             f"{', '.join(map(str, scores.columns))}.")
        s = scores[[smc, *benchmarks]].copy()
        for b in benchmarks:
            s[b] = pd.to_numeric(s[b], errors="coerce")
        s = s.groupby(smc, sort=False)[benchmarks].max().reset_index().rename(columns={smc: mc})
        frame = frame.drop(columns=[b for b in benchmarks if b in frame.columns]).merge(s, on=mc, how="left")
    else:
        missing = [b for b in benchmarks if b not in frame.columns]
        if missing:
            raise InputError(f"benchmark column(s) {missing} not in prices and no scores frame given; "
                             f"columns are: {', '.join(map(str, frame.columns))}.")
    out = pd.DataFrame({"model": frame[mc].astype("string"), "date": _strip_dates(frame[dc]),
                        "price": pd.to_numeric(frame[pc], errors="coerce")}, index=frame.index)
    for b in benchmarks:
        out[b] = pd.to_numeric(frame[b], errors="coerce")
    if "is_reasoning" in frame.columns:
        out["is_reasoning"] = frame["is_reasoning"].astype("boolean").fillna(False).astype(bool)
    bad = out["date"].isna() | ~(out["price"] > 0)
    return out[~bad].sort_values("date", kind="stable").reset_index(drop=True)


def _auto_upper(benchmark: str, score_max: float | None | Literal["auto"]) -> float:
    if score_max == "auto":
        return math.inf if ("elo" in benchmark.lower() or "arena" in benchmark.lower()
                            or benchmark.lower() == "eci") else PERCENT_MAX
    return math.inf if score_max is None else float(score_max)


@validated
def cheapest_above_threshold(prices: pd.DataFrame, scores: pd.DataFrame | None = None, *,
                             benchmark: Names,
                             thresholds: Literal["frontier"] | Sequence[float] | Mapping[str, float] = "frontier",
                             band: PositiveFloat | None = None, score_max: float | None | Literal["auto"] = "auto",
                             min_threshold: float | None | Literal["auto"] = "auto",
                             min_points: Annotated[int, Range(ge=3)] = MIN_POINTS,
                             level: Level = 0.90, exclude_reasoning: bool = True,
                             reasoning_models: Sequence[str] | None = None,
                             since: PriceDate | None = None, until: PriceDate | None = None,
                             thresholds_from: Literal["all", "period"] = "all",
                             model_col: str | None = None, date_col: str | None = None,
                             price_col: str | None = None, days_per_year: PositiveFloat = EPOCH_DAYS_PER_YEAR,
                             reference: pd.DataFrame | None = None) -> ThresholdTrendResult:
    """Epoch AI's method: decline of the cheapest price above each capability threshold.

    Parameters
    ----------
    prices : DataFrame
        One row per dated price: model, date, blended price (Epoch's column names
        ``Model Name``/``Release Date``/``USD per 1M Tokens``, or ``model``/``date``/
        ``price``, or name them with ``model_col``/``date_col``/``price_col``). May
        hold the benchmark columns itself.
    scores : DataFrame, optional
        Benchmark scores per model (joined on the model column; the best score of a
        model is used). Omit when ``prices`` has them.
    benchmark : str or list of str
        Score column(s).
    thresholds : "frontier", list of float or dict
        ``"frontier"`` (Epoch): each score that set a new record; or explicit lower
        bounds (a dict names them).
    band : float, optional
        Width of the score band above each threshold (default: no upper limit other
        than ``score_max``).
    score_max : float, None or "auto"
        Exclusive cap on scores (``"auto"``: 100 for percentages, none for Elo/ECI).
    min_threshold : float, None or "auto"
        Skip thresholds below this (``"auto"``: 30 on multiple-choice benchmarks).
    min_points : int
        Shortest series fitted (Epoch: 4).
    level : float
        Confidence level (Epoch: 0.90).
    exclude_reasoning : bool
        Drop reasoning models (``is_reasoning`` column, else Epoch's list by name).
    since, until : date, optional
        Restrict the price dates fitted (e.g. ``since="2025-02-06"`` for the period
        after Epoch's cut-off). The cheapest-model walk starts afresh at ``since``.
    thresholds_from : {"all", "period"}
        Where ``"frontier"`` thresholds come from: all the data (default), so that a
        threshold such as "MMLU ≥ GPT-3" means the same score whatever the period —
        periods are then comparable — or only the prices inside ``since``/``until``.
    days_per_year : float
        Annualisation of the per-day slope (Epoch: 365).
    reference : DataFrame, optional
        Published factors to show beside ours (``benchmark, threshold_model,
        factor_per_year``).

    Returns
    -------
    ThresholdTrendResult

    Examples
    --------
    >>> d = pd.DataFrame({"model": list("abcde"),
    ...                   "date": pd.to_datetime(["2022-01-01", "2022-07-01", "2023-01-01", "2023-07-01",
    ...                                           "2024-01-01"]),
    ...                   "price": [100.0, 10.0, 1.0, 0.1, 0.01], "MMLU": [70, 71, 72, 73, 74]})
    >>> r = cheapest_above_threshold(d, benchmark="MMLU", thresholds=[70])
    >>> round(float(r.trends["factor_per_year"].iloc[0]), 1)
    100.0
    """
    t_since = None if since is None else pd.Timestamp(since)  # declared PriceDate: checked, a Timestamp
    t_until = None if until is None else pd.Timestamp(until)
    if t_since is not None and t_until is not None and t_since > t_until:
        raise InputError(f"since ({t_since.date()}) is after until ({t_until.date()}), which leaves no prices; "
                         "give since <= until (CLI: --since before --until).")
    benches = [benchmark] if isinstance(benchmark, str) else list(benchmark)
    df = _prepare(prices, scores, benches, model_col=model_col, date_col=date_col, price_col=price_col)
    notes: list[str] = []
    if exclude_reasoning:
        if "is_reasoning" in df.columns:
            n0 = len(df)
            df = df[~df["is_reasoning"]]
            notes.append(f"Reasoning models excluded ({n0 - len(df)} rows, is_reasoning flag).")
        else:
            names = set(reasoning_models if reasoning_models is not None else EPOCH_REASONING_MODELS)
            n0 = len(df)
            df = df[~df["model"].isin(names)]
            notes.append(f"Reasoning models excluded by name ({n0 - len(df)} rows: {', '.join(sorted(names))}).")
    # thresholds are set before the period is cut (thresholds_from="all"): comparable periods
    df_all = df
    if since is not None:
        df = df[df["date"] >= pd.Timestamp(since)]
    if until is not None:
        df = df[df["date"] <= pd.Timestamp(until)]
    restricted = since is not None or until is not None
    if restricted and isinstance(thresholds, str):
        notes.append("Frontier thresholds set on "
                     + ("all the data, prices fitted only inside the period." if thresholds_from == "all"
                        else "the period's prices only."))
    trends, series, skipped = [], [], []
    for b in benches:
        upper_cap = _auto_upper(b, score_max)
        floor = (30.0 if b in MULTIPLE_CHOICE else None) if min_threshold == "auto" else min_threshold
        if isinstance(thresholds, str):
            check_choice("thresholds", thresholds, ("frontier",))
            th = frontier_thresholds(df_all if thresholds_from == "all" else df, b)
            cand = list(zip(th["model"].astype(str), th["threshold"].astype(float), strict=True))
        elif isinstance(thresholds, Mapping):
            cand = [(str(k), float(check_number(v, f"thresholds[{k!r}]", hint="Give scores such as 70.")))
                    for k, v in thresholds.items()]
        else:
            vals = [float(check_number(v, "every threshold", hint="Give scores such as 70, 80.")) for v in thresholds]
            cand = [(f"{b} >= {v:g}", v) for v in vals]
        for label, lower in cand:
            if floor is not None and lower < floor:
                skipped.append({"benchmark": b, "threshold_model": label, "lower": lower, "n": 0,
                                "reason": f"threshold below {floor:g} on a multiple-choice benchmark"})
                continue
            upper = min(lower + band, upper_cap) if band is not None else upper_cap
            sel = select_cheapest(df, b, lower, upper)
            if len(sel) < min_points:
                skipped.append({"benchmark": b, "threshold_model": label, "lower": lower, "n": len(sel),
                                "reason": f"fewer than {min_points} cheapest models"})
                continue
            f, factor, (lo, hi) = _fit_series(sel["date"], sel["price"].to_numpy(dtype=float), level=level,
                                              days_per_year=days_per_year)
            if not np.isfinite(f.r_squared):
                notes.append(f"{b} ≥ {label}: every selected price is the same, so R² is undefined (NaN).")
            trends.append({"benchmark": b, "threshold_model": label, "lower": lower, "upper": upper, "n": len(sel),
                           "start_date": sel["date"].min(), "end_date": sel["date"].max(),
                           "factor_per_year": factor, "conf_low": lo, "conf_high": hi,
                           "log_slope_per_year": f.slope, "std_error": f.se_slope, "r_squared": f.r_squared,
                           "models": tuple(sel["model"].astype(str)), **_status(len(sel), lo, hi)})
            series.append(pd.DataFrame({"benchmark": b, "threshold_model": label, "model": sel["model"].astype(str),
                                        "date": sel["date"], "price": sel["price"], "score": sel[b]}))
    tcols = ["benchmark", "threshold_model", "lower", "upper", "n", "start_date", "end_date", "factor_per_year",
             "conf_low", "conf_high", "log_slope_per_year", "std_error", "r_squared", "models", "status", "reason"]
    notes.append("Price: blended USD per million tokens as given; OLS of ln price on date, factor per year = "
                 f"exp(-slope), slope per {days_per_year:g}-day year.")
    if len(df):
        notes.append(f"Prices dated {df['date'].min().date()} to {df['date'].max().date()} ({len(df)} rows).")
    if not trends:
        why = "; ".join(sorted({f"{r['threshold_model']}: {r['reason']}" for r in skipped})[:5]) or "no prices"
        notes.append(f"No threshold series could be fitted ({why}); widen since/until, lower the thresholds or "
                     "min_points.")
    config = {"benchmark": benches, "thresholds": thresholds if isinstance(thresholds, str) else list(
        thresholds.items() if isinstance(thresholds, Mapping) else thresholds), "band": band,
              "score_max": score_max, "min_threshold": min_threshold, "min_points": min_points, "level": level,
              "exclude_reasoning": exclude_reasoning, "since": str(pd.Timestamp(since).date()) if since is not None else None,
              "until": str(pd.Timestamp(until).date()) if until is not None else None, "thresholds_from": thresholds_from,
              "days_per_year": days_per_year}
    return ThresholdTrendResult(
        trends=pd.DataFrame(trends, columns=tcols),
        series=pd.concat(series, ignore_index=True) if series else pd.DataFrame(
            columns=["benchmark", "threshold_model", "model", "date", "price", "score"]),
        skipped=pd.DataFrame(skipped, columns=["benchmark", "threshold_model", "lower", "n", "reason"]),
        level=level, reference=reference, config=config,
        vintage=str(prices.attrs.get("vintage", "user data")), notes=tuple(notes))


def fit_threshold_series(series: pd.DataFrame, *, level: float = 0.90, days_per_year: float = EPOCH_DAYS_PER_YEAR,
                         reference: pd.DataFrame | None = None) -> ThresholdTrendResult:
    """Fit already-selected series (``benchmark, threshold_model, date, price``).

    Use it on Epoch's published selection (:func:`parse_epoch_selected`) to check the
    regression step alone. The threshold of each series is read from a ``lower``
    (optionally ``upper``) column, or from Epoch's ``performance_range`` text
    (``"[43.9, 100]"``); without either, ``lower`` is NaN and ``notes`` say so (the
    lowest selected score is not the threshold). Series with fewer than 3 points are
    listed in ``skipped`` with the reason.

    Examples
    --------
    >>> from llmflation.study.inputs import StudyInputs
    >>> r = fit_threshold_series(StudyInputs().epoch_selected())
    >>> len(r.trends), float(r.trends.set_index(["benchmark", "threshold_model"]).loc[("MMLU", "GPT-3"), "lower"])
    (21, 43.9)
    """
    need = {"benchmark", "threshold_model", "date", "price"}
    if not need <= set(series.columns):
        raise InputError(f"series needs columns {sorted(need)}; got {list(series.columns)}.")
    s = series.copy()
    if "lower" not in s.columns and "performance_range" in s.columns:
        rng = s["performance_range"].astype(str).str.replace("inf", "None").map(ast.literal_eval)
        s["lower"] = [float(r[0]) for r in rng]
        s["upper"] = [math.inf if r[1] is None else float(r[1]) for r in rng]
    notes = ["Regression step only, on a given selection."]
    if "lower" not in s.columns:
        notes.append("No threshold given (no lower or performance_range column): lower is NaN.")
    rows, skipped = [], []
    for (b, t), g in s.groupby(["benchmark", "threshold_model"], sort=False):
        lower = float(g["lower"].iloc[0]) if "lower" in g else math.nan
        upper = float(g["upper"].iloc[0]) if "upper" in g else math.nan
        if len(g) < 3:
            skipped.append({"benchmark": b, "threshold_model": t, "lower": lower, "n": len(g),
                            "reason": f"{len(g)} point(s); a line with standard errors needs at least 3"})
            continue
        f, factor, (lo, hi) = _fit_series(g["date"], g["price"].to_numpy(dtype=float), level=level,
                                          days_per_year=days_per_year)
        rows.append({"benchmark": b, "threshold_model": t, "lower": lower, "upper": upper, "n": len(g),
                     "start_date": pd.to_datetime(g["date"]).min(), "end_date": pd.to_datetime(g["date"]).max(),
                     "factor_per_year": factor, "conf_low": lo, "conf_high": hi, "log_slope_per_year": f.slope,
                     "std_error": f.se_slope, "r_squared": f.r_squared,
                     "models": tuple(g["model"].astype(str)) if "model" in g else (), **_status(len(g), lo, hi)})
    if skipped:
        notes.append(f"{len(skipped)} series with fewer than 3 points not fitted (see skipped).")
    tcols = ["benchmark", "threshold_model", "lower", "upper", "n", "start_date", "end_date", "factor_per_year",
             "conf_low", "conf_high", "log_slope_per_year", "std_error", "r_squared", "models", "status", "reason"]
    return ThresholdTrendResult(trends=pd.DataFrame(rows, columns=tcols), series=series.copy(),
                                skipped=pd.DataFrame(skipped, columns=["benchmark", "threshold_model", "lower", "n",
                                                                       "reason"]),
                                level=level, reference=reference, config={"level": level,
                                                                           "days_per_year": days_per_year},
                                notes=tuple(notes))


@validated
def epoch_reproduction(prices: pd.DataFrame, reference: pd.DataFrame, *,
                       level: Level = 0.90) -> ThresholdTrendResult:
    """Run the method end to end on Epoch's inputs, beside Epoch's published table.

    ``prices``: Epoch's prepared inputs (:func:`prepare_epoch_inputs`); ``reference``:
    its published results (:func:`parse_epoch_results`).

    Examples
    --------
    >>> from llmflation.study.inputs import StudyInputs
    >>> data = StudyInputs()
    >>> r = epoch_reproduction(data.epoch_prices(), data.epoch_results())
    >>> len(r.trends), bool((abs(r.wide()["estimate"] / r.wide()["reference_factor"] - 1) < 1e-6).all())
    (21, True)
    """
    r = cheapest_above_threshold(prices, benchmark=list(EPOCH_BENCHMARKS), level=level, reference=reference)
    return replace(r, references=refs("epoch2025.median_factor", "epoch2025.factor_range", "epoch2025.n_thresholds"))


# --------------------------------------------------------------------------- a16z / GPT-3.5 level


def cheapest_series(prices: pd.DataFrame, scores: pd.DataFrame | None = None, *, benchmark: str = "MMLU",
                    threshold: float = 42.0, freq: str = "MS", start: str | None = None, end: str | None = None,
                    exclude_reasoning: bool = False, level: float = 0.90, model_col: str | None = None,
                    date_col: str | None = None, price_col: str | None = None,
                    published: dict[str, Any] | None = None) -> CheapestSeriesResult:
    """Cheapest price at or above a fixed score, month by month (a16z's "LLMflation").

    The monthly value is the lowest price of any model scoring at least ``threshold``
    dated on or before the end of that month (a model stays available once priced).
    The factor per year is given two ways: the endpoint ratio annualised, and the OLS
    slope through the change points (the months where a new cheapest model appeared —
    monthly repeats of one price would understate the standard error).

    Examples
    --------
    >>> d = pd.DataFrame({"model": ["a", "b", "c"], "date": pd.to_datetime(["2021-11-20", "2022-11-20",
    ...                   "2023-11-20"]), "price": [60.0, 6.0, 0.6], "MMLU": [44, 50, 60]})
    >>> r = cheapest_series(d)
    >>> round(r.endpoint_factor, 1), round(r.endpoint_factor_per_year, 1)
    (100.0, 10.0)
    """
    df = _prepare(prices, scores, [benchmark], model_col=model_col, date_col=date_col, price_col=price_col)
    if exclude_reasoning and "is_reasoning" in df.columns:
        df = df[~df["is_reasoning"]]
    q = df[df[benchmark] >= threshold].sort_values(["date", "price"], kind="stable")
    if q.empty:
        raise InputError(f"no model has {benchmark} >= {threshold:g}; lower the threshold or add scores.")
    p = q["price"].to_numpy(dtype=float)
    prev = np.minimum.accumulate(np.concatenate([[np.inf], p]))[:-1]
    ch = q[p < prev]
    changes = pd.DataFrame({"date": ch["date"].to_numpy(), "model": ch["model"].astype(str).to_numpy(),
                            "price": ch["price"].to_numpy(dtype=float), "score": ch[benchmark].to_numpy(dtype=float)})
    first = pd.Timestamp(start) if start else changes["date"].min()
    last = pd.Timestamp(end) if end else df["date"].max()
    months = pd.date_range(first.to_period("M").to_timestamp(), last, freq=freq)
    month_end = months + pd.offsets.MonthEnd(0)
    idx = np.searchsorted(changes["date"].to_numpy(), month_end.to_numpy(), side="right") - 1
    ok = idx >= 0
    monthly = pd.DataFrame({"month": months[ok], "price": changes["price"].to_numpy()[idx[ok]],
                            "model": changes["model"].to_numpy()[idx[ok]]})
    c = changes
    if start:
        c = c[c["date"] >= pd.Timestamp(start)]
    if end:
        c = c[c["date"] <= pd.Timestamp(end)]
    if len(c) >= 1:
        sp, ep = float(c["price"].iloc[0]), float(c["price"].iloc[-1])
        yrs = float((c["date"].iloc[-1] - c["date"].iloc[0]) / pd.Timedelta(days=365.25))
    else:
        sp = ep = yrs = math.nan
    epf = sp / ep
    epy = epf ** (1 / yrs) if yrs and yrs > 0 else math.nan
    if len(c) >= 3:
        f, fac, (lo, hi) = _fit_series(c["date"], c["price"].to_numpy(dtype=float), level=level, days_per_year=365.25)
        r2 = f.r_squared
    else:
        fac = lo = hi = r2 = math.nan
    return CheapestSeriesResult(
        benchmark=benchmark, threshold=float(threshold), monthly=monthly, changes=c.reset_index(drop=True),
        start_price=sp, end_price=ep, endpoint_factor=epf, years=yrs, endpoint_factor_per_year=epy,
        factor_per_year=fac, conf_low=lo, conf_high=hi, r_squared=r2, level=level, published=published or {},
        config={"benchmark": benchmark, "threshold": threshold, "freq": freq, "start": start, "end": end,
                "exclude_reasoning": exclude_reasoning, "level": level},
        vintage=str(prices.attrs.get("vintage", "user data")),
        notes=(f"Price: as given in {price_col or 'the price column'}; cheapest qualifying model dated on or "
               "before each month end.",))


@validated
def a16z_series(prices: pd.DataFrame, scores: pd.DataFrame | None = None, *,
                thresholds: Sequence[float] = (42.0, 83.0), **kw: Any) -> dict[float, CheapestSeriesResult]:
    """a16z's two LLMflation series (MMLU ≥ 42 and ≥ 83) on ``prices`` (e.g. Epoch's inputs).

    Note a16z averaged input and output prices (1:1); Epoch's inputs are 3:1 blends.

    Examples
    --------
    >>> from llmflation.study.inputs import StudyInputs
    >>> s = a16z_series(StudyInputs().epoch_prices())
    >>> round(s[42.0].start_price), s[42.0].changes["model"].iloc[0]
    (60, 'GPT-3')
    """
    out = {}
    for t in thresholds:
        pub = PUBLISHED["a16z_mmlu42"] if t == 42 else (PUBLISHED["a16z_mmlu83"] if t == 83 else {})
        r = cheapest_series(prices, scores, benchmark="MMLU", threshold=t, published=pub, **kw)
        key = {42.0: "a16z2024.mmlu42", 83.0: "a16z2024.mmlu83"}.get(float(t))
        out[float(t)] = replace(r, references=refs(key)) if key else r
    return out


@validated
def gpt35_level_decline(prices: pd.DataFrame, scores: pd.DataFrame | None = None, *,
                        threshold: float = 64.8, **kw: Any) -> CheapestSeriesResult:
    """Decline of the cheapest price at GPT-3.5's MMLU (64.8), as in the Stanford AI Index.

    Examples
    --------
    >>> from llmflation.study.inputs import StudyInputs
    >>> r = gpt35_level_decline(StudyInputs().epoch_prices())
    >>> r.start_price, r.end_price, round(r.endpoint_factor)
    (20.0, 0.07, 286)
    """
    r = cheapest_series(prices, scores, benchmark="MMLU", threshold=threshold,
                        published=PUBLISHED["gpt35_level"], **kw)
    return replace(r, references=refs("aiindex2025.gpt35_level"))


# --------------------------------------------------------------------------- newer data (panel)

#: Benchmarks available for joining to the panel: name → (source table, task or column, scale).
PANEL_BENCHMARKS: dict[str, tuple[str, str, float]] = {
    "GPQA Diamond": ("epoch_benchmark_runs", "GPQA diamond", 100.0),
    "MATH 5": ("epoch_benchmark_runs", "MATH level 5", 100.0),
    "OTIS Mock AIME": ("epoch_benchmark_runs", "OTIS Mock AIME 2024-2025", 100.0),
    "SWE-bench Verified": ("epoch_benchmark_runs", "SWE-Bench verified", 100.0),
    "MMLU": ("epoch_external_mmlu", "EM", 1.0),
    "ECI": ("epoch_eci", "ECI Score", 1.0),
}


def epoch_scores(benchmark: str, versions: pd.DataFrame, table: pd.DataFrame) -> pd.DataFrame:
    """Best score of each Epoch model on a benchmark, from Epoch's tables.

    ``versions`` is ``epoch_model_versions``; ``table`` the benchmark's table
    (``PANEL_BENCHMARKS[benchmark][0]``; ``StudyInputs().epoch_scores(benchmark)`` picks it).

    Model versions (``gpt-5.1_high``, ``gpt-5.1_medium`` …) are mapped to Epoch model
    names through ``epoch_model_versions`` and the best version counts. Columns:
    ``epoch_model`` and the benchmark.

    Examples
    --------
    >>> from llmflation.study.inputs import StudyInputs
    >>> s = StudyInputs().epoch_scores("GPQA Diamond")
    >>> list(s.columns), bool(s["GPQA Diamond"].between(0, 100).all())
    (['epoch_model', 'GPQA Diamond'], True)
    """
    check_choice("benchmark", benchmark, tuple(PANEL_BENCHMARKS))
    table_name, key, scale = PANEL_BENCHMARKS[benchmark]
    versions = versions.set_index("id")["Model"]
    t = table
    table = table_name
    if table == "epoch_benchmark_runs":
        t = t[(t["task"] == key) & (t["Status"].astype("string").fillna("Success") == "Success")]
        raw, vid = pd.to_numeric(t["Best score (across scorers)"], errors="coerce"), t["model"]
    elif table == "epoch_external_mmlu":
        raw = pd.to_numeric(t[key].astype("string").str.rstrip("%"), errors="coerce")
        vid = t["Model version"]
    else:
        raw, vid = pd.to_numeric(t[key], errors="coerce"), t["Model version"]
    model = vid.map(versions)
    out = pd.DataFrame({"epoch_model": model.astype("string"), benchmark: raw.to_numpy(dtype=float) * scale})
    out = out.dropna().groupby("epoch_model", sort=True)[benchmark].max().reset_index()
    return out


def panel_prices(panel: pd.DataFrame, *, blend: float = 0.75, observations: str = "changes",
                 launch_window_days: float | None = 365.0, outlier_factor: float | None = 8.0) -> pd.DataFrame:
    """Dated prices of panel models linked to Epoch records, for threshold analyses.

    Returns ``model`` (the panel ``model_id``), ``epoch_model``, ``date``, ``price``
    (``blend`` × input + (1 − blend) × output, first-party price else median across
    providers, at launch and at each first-party change), ``is_reasoning``, ``eci``.
    Rows more than ``outlier_factor`` from their model's median price are dropped first
    (the bundled LiteLLM history holds some per-character Vertex AI prices).

    Examples
    --------
    >>> p = pd.DataFrame({"model_id": ["a", "a"], "epoch_model": ["A", "A"], "developer": ["X", "X"],
    ...                   "provider": ["X", "X"], "valid_from": pd.to_datetime(["2024-01-01", "2024-06-01"]),
    ...                   "input_usd_per_mtok": [1.0, 0.5], "output_usd_per_mtok": [3.0, 1.5]})
    >>> panel_prices(p)["price"].tolist()
    [1.5, 0.75]
    """
    from llmflation.study.trends import dated_prices

    need = {"model_id", "input_usd_per_mtok", "output_usd_per_mtok"}
    if not need <= set(panel.columns):
        raise InputError(f"panel needs columns {sorted(need)}; got {list(panel.columns)}.")
    if not 0 < blend < 1:
        raise InputError(f"blend is the input-price weight and must be in (0, 1); got {blend!r}.")
    frame = panel.assign(_price=blended(pd.to_numeric(panel["input_usd_per_mtok"], errors="coerce"),
                                        pd.to_numeric(panel["output_usd_per_mtok"], errors="coerce"), blend / (1 - blend)))
    keep = tuple(c for c in ("epoch_model", "is_reasoning", "eci", "developer") if c in frame.columns)
    d = dated_prices(frame, price_col="_price", observations=observations, keep=keep,  # type: ignore[arg-type]
                     launch_window_days=launch_window_days, outlier_factor=outlier_factor)
    if "is_reasoning" in d.columns:
        d["is_reasoning"] = d["is_reasoning"].astype("boolean").fillna(False).astype(bool)
    d.attrs["vintage"] = str(panel.attrs.get("vintage", "llmflation panel"))
    return d


@dataclass(frozen=True, kw_only=True, eq=False, repr=False)
class RateChangeResult(Result):
    """Threshold trends before and after a cut-off date, on the same data and method.

    Attributes
    ----------
    before, after, full : ThresholdTrendResult
    cutoff : Timestamp
    """

    before: ThresholdTrendResult
    after: ThresholdTrendResult
    full: ThresholdTrendResult
    cutoff: pd.Timestamp

    title = "Have the rates changed since Epoch's cut-off?"

    keys = ('period', 'benchmark', 'threshold_model')

    def wide(self) -> pd.DataFrame:
        parts = []
        for name, r in (("before", self.before), ("after", self.after), ("full", self.full)):
            f = r.wide()
            f.insert(0, "period", name)
            parts.append(f)
        out = pd.concat([p for p in parts if len(p)], ignore_index=True) if any(len(p) for p in parts) else parts[0]
        return out

    def medians(self) -> pd.Series:
        """Median factor per year of each period over its estimable series (``status == "estimated"``)."""
        def med(r: ThresholdTrendResult) -> float:
            ok = r.trends[r.trends["status"] == ESTIMATED] if "status" in r.trends else r.trends
            return float(ok["factor_per_year"].median()) if len(ok) else math.nan
        return pd.Series({"before": med(self.before), "after": med(self.after), "full": med(self.full)},
                         name="median_factor_per_year")

    def n_not_estimable(self) -> pd.Series:
        """Series per period left out of the medians as not estimable."""
        return pd.Series({k: int((r.trends["status"] != ESTIMATED).sum())
                          for k, r in (("before", self.before), ("after", self.after), ("full", self.full))})

    def thresholds(self) -> pd.DataFrame:
        """Lower bound of every threshold in each period (fitted or skipped): identical by design.

        Columns ``period, benchmark, threshold_model, lower``.
        """
        parts = []
        for name, r in (("before", self.before), ("after", self.after), ("full", self.full)):
            cols = ["benchmark", "threshold_model", "lower"]
            t = pd.concat([r.trends[cols], r.skipped[cols]], ignore_index=True)
            parts.append(t.assign(period=name)[["period", *cols]])
        return pd.concat(parts, ignore_index=True)

    def _notes(self) -> list[str]:
        m = self.medians()
        k = self.n_not_estimable()
        return super()._notes() + [f"Median factor per year: before {m['before']:.1f}×, after {m['after']:.1f}×, "
                                   f"whole period {m['full']:.1f}× (cut-off {self.cutoff.date()}), over the "
                                   f"estimable series; not estimable and left out: before {k['before']}, "
                                   f"after {k['after']}, whole period {k['full']} (see status/reason)."]


@validated
def rates_since_cutoff(prices: pd.DataFrame, scores: pd.DataFrame | None = None, *, benchmark: Names,
                       cutoff: DateLike = EPOCH_CUTOFF, **kw: Any) -> RateChangeResult:
    """Epoch's method on the same data up to ``cutoff``, after it, and over the whole span.

    The thresholds (and so the score bands) are the same in the three periods: frontier
    thresholds are set once on all the data (``thresholds_from="all"``), or pass explicit
    ``thresholds=`` (e.g. Epoch's); only the price dates fitted differ. Otherwise each
    period would build its own frontier and compare different capability levels.

    Examples
    --------
    >>> from llmflation.study.inputs import StudyInputs
    >>> r = rates_since_cutoff(StudyInputs().epoch_prices(), benchmark="MMLU", cutoff="2024-01-01")
    >>> len(r.full.trends) > 0
    True
    """
    if kw.get("thresholds_from", "all") != "all":
        raise InputError("rates_since_cutoff compares periods at the same thresholds; thresholds_from must be 'all'.")
    kw = {**kw, "thresholds_from": "all"}
    c = pd.Timestamp(cutoff)
    before = cheapest_above_threshold(prices, scores, benchmark=benchmark, until=c, **kw)
    after = cheapest_above_threshold(prices, scores, benchmark=benchmark, since=c + pd.Timedelta(days=1), **kw)
    full = cheapest_above_threshold(prices, scores, benchmark=benchmark, **kw)
    return RateChangeResult(references=refs("epoch2025.median_factor"), before=before, after=after, full=full, cutoff=c,
                            config={"benchmark": benchmark, "cutoff": str(c.date()), **{k: str(v) for k, v in kw.items()}},
                            vintage=full.vintage, notes=full.notes)


# --------------------------------------------------------------------------- calibrated inference

#: Fewest models in a score band for a calibrated (pool) estimate.
MIN_POOL_CALIBRATED = 8
#: Kept for compatibility: the old record-permutation interval needed this many records.
MIN_POINTS_CALIBRATED = 6


@dataclass(frozen=True, kw_only=True, eq=False, repr=False)
class CalibratedThresholdResult(Result):
    """Epoch's cheapest-above-threshold trends beside inference that holds its size and has power.

    Epoch's series is a running minimum: OLS through it is not a regression (with no
    trend it still falls, and its t test rejects 35–65% of the time at a nominal 10%).
    Beside each series' naive OLS (Epoch's, unchanged) stands the trend of the **lower
    quartile of every model in the score band** (the pool the running minimum is drawn
    from), by quantile regression with the exact rank-score permutation test and its
    inverted interval (:func:`llmflation.methods.quantile_trend.quantile_trend`); its size
    and power over pool sizes 20–200 are in ``docs/record_inference.md``. The previous
    calibrated column (a permutation test through the running minimum) held its size but
    had no power, and is gone.

    Attributes
    ----------
    table : DataFrame
        One row per series: ``benchmark, threshold_model, n, n_pool, factor_per_year,
        naive_conf_low, naive_conf_high, naive_p_value`` (Epoch's OLS through the ``n``
        records) and ``pool_factor_per_year, p_value, conf_low, conf_high, status,
        reason`` (the band's lower-quartile trend over its ``n_pool`` models).
    naive : ThresholdTrendResult
        Epoch's method as is.
    tests : dict
        ``(benchmark, threshold_model) → QuantileTrend``.
    """

    table: pd.DataFrame
    naive: ThresholdTrendResult
    tests: dict[tuple[str, str], Any]
    level: float = 0.90

    title = "Cheapest model above a threshold: Epoch's OLS through the records vs the band's lower-quartile trend"
    keys = ("benchmark", "threshold_model")

    def wide(self) -> pd.DataFrame:
        """Two rows per series: Epoch's naive factor per year, and the pool's with valid inference."""
        t = self.table
        naive = pd.DataFrame({
            "benchmark": t["benchmark"], "threshold_model": t["threshold_model"], "term": "factor_per_year",
            "estimate": t["factor_per_year"], "p_value": t["naive_p_value"], "conf_low": t["naive_conf_low"],
            "conf_high": t["naive_conf_high"], "n": t["n"], "inference": "naive OLS through the records (Epoch)",
            "status": "reproduction", "reason": ""})
        pool = pd.DataFrame({
            "benchmark": t["benchmark"], "threshold_model": t["threshold_model"], "term": "pool_factor_per_year",
            "estimate": t["pool_factor_per_year"], "p_value": t["p_value"], "conf_low": t["conf_low"],
            "conf_high": t["conf_high"], "n": t["n_pool"], "inference": "lower-quartile trend of the band (exact)",
            "status": t["status"], "reason": t["reason"]})
        return pd.concat([naive, pool], ignore_index=True)

    def _notes(self) -> list[str]:
        t = self.table
        a = 1 - self.level
        ok = t["status"] == "estimated"
        return super()._notes() + [
            f"{int((t['naive_p_value'] < a).sum())} of {len(t)} series reject 'no trend' at {a:.0%} with naive OLS; "
            f"{int((t.loc[ok, 'p_value'] <= a).sum())} of {int(ok.sum())} estimable pools with the rank-score test.",
            f"A pool needs at least {MIN_POOL_CALIBRATED} models and an interval within two orders of magnitude; "
            "otherwise its status is 'not estimable' with the reason."]


def _pool_frame(prices: pd.DataFrame, scores: pd.DataFrame | None, benches: list[str], kw: dict[str, Any]
                ) -> pd.DataFrame:
    """The rows Epoch's walk draws from (same preparation and filters as cheapest_above_threshold)."""
    df = _prepare(prices, scores, benches, model_col=kw.get("model_col"), date_col=kw.get("date_col"),
                  price_col=kw.get("price_col"))
    if kw.get("exclude_reasoning", True):
        if "is_reasoning" in df.columns:
            df = df[~df["is_reasoning"]]
        else:
            rm = kw.get("reasoning_models")
            df = df[~df["model"].isin(set(rm if rm is not None else EPOCH_REASONING_MODELS))]
    if kw.get("since") is not None:
        df = df[df["date"] >= pd.Timestamp(kw["since"])]
    if kw.get("until") is not None:
        df = df[df["date"] <= pd.Timestamp(kw["until"])]
    return df


@validated
def calibrated_threshold_trends(
        prices: Annotated[pd.DataFrame, Frame(what="a pandas DataFrame (the panel or Epoch's benchmark price table)")],
        scores: Annotated[pd.DataFrame, Frame(what="a pandas DataFrame of benchmark scores, or None")] | None = None,
        *, benchmark: SomeColumns, n_perm: Annotated[int, Range(ge=99)] = 999, seed: Seed | None = 0,
        level: Level = 0.90, interval: bool = True,
        min_points_interval: Annotated[int, Range(ge=3)] = MIN_POOL_CALIBRATED,
        tau: Annotated[float, Range(gt=0, lt=1)] = 0.25,
        **kw: Any) -> CalibratedThresholdResult:
    """Epoch's method plus a valid test and interval for the trend of every score band.

    ``kw`` are the options of :func:`cheapest_above_threshold` (thresholds, band,
    exclude_reasoning, since/until, column names, …); the naive result is exactly that
    function's. For each series, every model in its score band (the pool its running
    minimum is drawn from) enters a quantile regression of log price on time at ``tau``
    (the lower quartile): exact rank-score permutation test of no trend (``n_perm``
    random subsets) and interval by test inversion
    (:func:`llmflation.methods.quantile_trend.quantile_trend`). A band with fewer than
    ``min_points_interval`` models, or whose interval spans more than two orders of
    magnitude, has ``status = "not estimable"``.

    Examples
    --------
    >>> from llmflation.study.inputs import StudyInputs
    >>> r = calibrated_threshold_trends(StudyInputs().epoch_prices(), benchmark="MMLU", n_perm=199, interval=False)
    >>> bool((r.table["n"] == r.naive.trends["n"].to_numpy()).all())
    True
    """
    from scipy import stats as _st

    from llmflation.methods.quantile_trend import quantile_trend
    benches = list(benchmark)
    naive = cheapest_above_threshold(prices, scores, benchmark=benches, level=level, **kw)
    pool = _pool_frame(prices, scores, benches, kw)
    dpy = float(kw.get("days_per_year", EPOCH_DAYS_PER_YEAR))
    rows, tests = [], {}
    for i, tr in enumerate(naive.trends.itertuples(index=False)):
        b = tr.benchmark
        band = pool[pool[b].notna() & (pool[b] >= tr.lower) & (pool[b] < tr.upper)]
        x = ((band["date"] - pd.Timestamp("1970-01-01")) / pd.Timedelta(days=1)).to_numpy(dtype=float) / dpy
        y = np.log(band["price"].to_numpy(dtype=float))
        res = quantile_trend(x, y, tau=tau, level=level, n_perm=n_perm, seed=None if seed is None else seed + i,
                             min_n=min_points_interval, interval=interval)
        tests[(b, tr.threshold_model)] = res
        lo, hi = res.factor_conf
        n_rec = int(tr.n)
        se = float(tr.std_error)
        naive_p = (float(2 * _st.t.sf(abs(float(tr.log_slope_per_year) / se), n_rec - 2))
                   if n_rec > 2 and se > 0 else math.nan)
        tau_band = _st.kendalltau(x, y) if len(band) >= 3 else None
        rows.append({"benchmark": b, "threshold_model": tr.threshold_model, "n": n_rec, "n_pool": len(band),
                     "factor_per_year": tr.factor_per_year, "naive_conf_low": tr.conf_low,
                     "naive_conf_high": tr.conf_high, "naive_p_value": naive_p,
                     "pool_factor_per_year": res.factor_per_year, "p_value": res.p_value,
                     "conf_low": lo, "conf_high": hi, "status": res.status,
                     "band_tau_p_value": float(tau_band.pvalue) if tau_band is not None else math.nan,
                     "reason": res.reason or ("interval not requested" if not interval else "")})
    table = pd.DataFrame(rows, columns=["benchmark", "threshold_model", "n", "n_pool", "factor_per_year",
                                        "naive_conf_low", "naive_conf_high", "naive_p_value",
                                        "pool_factor_per_year", "p_value", "conf_low", "conf_high", "status",
                                        "band_tau_p_value", "reason"])
    notes = (*naive.notes,
             "Naive: Epoch's OLS through the selected points, as published (points treated as independent; "
             "not a valid test for a running minimum).",
             f"Pool: the τ = {tau:g} quantile-regression slope of log price on date over every model in the score "
             f"band; exact rank-score permutation test ({n_perm} random subsets) and {level:.0%} interval by test "
             "inversion. Size and power by simulation: docs/record_inference.md.",
             "band_tau_p_value: Kendall's tau test of log price on date among all models in the score band.")
    return CalibratedThresholdResult(table=table, naive=naive, tests=tests, level=level,
                                     config={"benchmark": benches, "n_perm": n_perm, "seed": seed, "level": level,
                                             "interval": interval, "min_points_interval": min_points_interval,
                                             "tau": tau,
                                             **{k: (v if isinstance(v, (int, float, str, bool, type(None))) else str(v))
                                                for k, v in kw.items()}},
                                     vintage=naive.vintage, notes=notes)
