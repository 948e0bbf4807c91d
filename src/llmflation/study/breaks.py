"""Structural breaks in LLM prices: does the data support Du (2026)'s May 2024 break?

The paper reports a Chow test with a break after May 2024, F = 5.74, p = 0.005. That pair
matches F(2, 58): two coefficients (intercept and time trend) allowed to change, 62
observations - its hand-compiled milestone series, log price on time. We rebuild the
closest series the bundle allows and run the same test beside the unknown-date tests the
Chow test cannot replace (Andrews sup-F, Bai-Perron with confidence intervals).

Series used (each a documented function, so every number can be traced):

* :func:`milestone_series` - ``price_milestones`` (128 curated vendor list-price events,
  2021-11 .. 2026-09), restricted to the paper's seven developers (OpenAI, Anthropic,
  Google, DeepSeek, Meta, xAI, Alibaba) and to dates up to the paper's OpenRouter
  snapshot (2026-03-28); log of the 3:1 input:output blended price. This gives 95 events,
  not 62: the paper's own selection is not published.
* :func:`epoch_threshold_index` - a monthly chain-linked index of the **cheapest price at
  fixed capability**: for each of Epoch AI's 21 benchmark-threshold series (models at or
  above GPT-3/GPT-3.5/GPT-4/... level on MMLU, GPQA, MATH, HumanEval, Arena ELO) the
  cheapest price available by each month end; the index moves by the average monthly log
  change of the series present in both months (2021-11 .. 2025-02).
* :func:`panel_capability_index` - the same construction on the canonical panel, with
  capability = Epoch Capabilities Index (ECI) thresholds at the ECI of reference models.
* :func:`tier_series` - per tier (the panel's ``tier``: the developer's positioning,
  economy / mid / flagship) the cheapest blended price by month end.

On each monthly series two models are tested: the log level on a time trend with both
coefficients allowed to break (the paper's specification; a break in the **slope** is
what "technology-driven to competition-driven" means), and the mean of the monthly log
change (the rate of decline; a mean shift there is a slope break of the level).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Annotated, Any

import numpy as np
import pandas as pd

from llmflation.errors import InputError
from llmflation.methods.breaks import (
    BreaksResult,
    Cov,
    SupFResult,
    bai_perron,
    chow_test,
    sup_f_test,
)
from llmflation.methods.pvalues import clip_p_value, p_value_display
from llmflation.normalize.units import blended
from llmflation.results import HypothesisTest, Result, SummaryFormat, render_table
from llmflation.signature import DateLike, Frame, Level, PositiveInt, Range, SomeColumns, validated
from llmflation.study.paper import ref, refs

#: The share of observations trimmed at each end when searching a break date.
Trim = Annotated[float, Range(gt=0, lt=0.5, hint="Use e.g. 0.15.")]

#: What the paper reports (a reference shown beside ours, never returned as a result).
PAPER_CHOW = dict(ref("du2026.chow").value)
PAPER_DEVELOPERS: tuple[str, ...] = ("OpenAI", "Anthropic", "Google", "DeepSeek", "Meta", "xAI",
                                     "Alibaba (Qwen)")
#: Date of the paper's OpenRouter cross-section; the milestone series stops there.
PAPER_SNAPSHOT = "2026-03-28"
#: End of the paper's earlier regime: the last observation in May 2024 (GPT-4o, 2024-05-13).
PAPER_BREAK = "2024-05-31"
#: Input share of the blended price (Epoch AI's 3:1 input:output convention).
BLEND_INPUT_SHARE = 0.75
#: Reference models whose ECI defines the capability thresholds of the panel index.
ECI_REFERENCE_MODELS: tuple[str, ...] = ("gpt-3-5-turbo", "gpt-4", "gpt-4o", "claude-3-5-sonnet")

__all__ = [
    "LLMBreaksResult",
    "chain_index",
    "epoch_threshold_index",
    "llm_price_breaks",
    "milestone_series",
    "monthly_cheapest",
    "panel_capability_index",
    "tier_series",
    "BreakStoryResult",
    "break_story",
]


# =======================================================================================
# series


def milestone_series(milestones: pd.DataFrame, *,
                     developers: tuple[str, ...] | None = PAPER_DEVELOPERS,
                     end: str | None = PAPER_SNAPSHOT, blend: float = BLEND_INPUT_SHARE,
                     events: tuple[str, ...] | None = None) -> pd.Series:
    """Log blended price of the dated milestone events, indexed by date.

    Parameters
    ----------
    milestones : DataFrame
        The ``price_milestones`` table (columns ``date``, ``model``, ``developer``,
        ``input_usd_per_mtok``, ``output_usd_per_mtok``), e.g.
        ``StudyInputs().milestones()``.
    developers : tuple of str or None
        Keep only these developers (default: the paper's seven); None keeps all.
    end : str or None
        Last date kept (default: the paper's snapshot date 2026-03-28).
    blend : float
        Input share of the blended price ``blend * input + (1 - blend) * output``.
    events : tuple of str, optional
        Keep only these ``event`` values (``launch``, ``price_cut``, ``price_increase``);
        default all.

    Returns
    -------
    pandas.Series
        ``log(blended USD per 1M tokens)``, DatetimeIndex sorted by date (ties keep the
        table's order); ``attrs["models"]`` lists the models.

    Examples
    --------
    >>> from llmflation.study.inputs import StudyInputs
    >>> s = milestone_series(StudyInputs().milestones())
    >>> len(s), str(s.index.min().date())
    (91, '2021-11-20')
    """
    need = {"date", "model", "developer", "input_usd_per_mtok", "output_usd_per_mtok"}
    missing = need - set(milestones.columns)
    if missing:
        raise InputError(f"milestones lacks columns {sorted(missing)}; expected the price_milestones "
                         "table (load_table('price_milestones')).")
    if not 0 < blend < 1:
        raise InputError(f"blend (the input-price weight) must be in (0, 1); got {blend}.")
    m = milestones.copy()
    m["date"] = pd.to_datetime(m["date"])
    if developers is not None:
        m = m[m["developer"].isin(developers)]
    if end is not None:
        m = m[m["date"] <= pd.Timestamp(end)]
    if events is not None:
        if "event" not in m.columns:
            raise InputError("milestones has no 'event' column to filter on.")
        m = m[m["event"].isin(events)]
    # one row per model and date at its standard tariff: the milestone table's labels carry
    # tariffs ("DeepSeek-V3 (deepseek-chat), off-peak …") and aliases of one launch
    from llmflation.normalize.identity import normalize_key
    from llmflation.normalize.registry import resolve

    ids = resolve(m["model"].astype(str).map(normalize_key))
    std = ids["tariff"].eq("standard") & ids["kind"].eq("model")
    m = m.assign(_key=ids["model_key"])[std.to_numpy()]
    m = m.drop_duplicates(["_key", "date"], keep="first")
    price = blended(m["input_usd_per_mtok"].astype(float), m["output_usd_per_mtok"].astype(float), blend / (1 - blend))
    m = m.assign(price=price)[price > 0].sort_values("date", kind="stable")
    if m.empty:
        raise InputError("no milestone rows left after the developer/date filters.")
    s = pd.Series(np.log(m["price"].to_numpy()), index=pd.DatetimeIndex(m["date"], name="date"),
                  name="log_blended_usd_per_mtok")
    s.attrs["models"] = m["model"].tolist()
    return s


def monthly_cheapest(obs: pd.DataFrame, *, group: str = "group", model: str = "model",
                     date: str = "date", price: str = "price", start: Any = None,
                     end: Any = None) -> pd.DataFrame:
    """Log of the cheapest price available by each month end, per group.

    A model's price is its latest observation dated on or before the month end (carried
    forward); a group's value is the minimum over its models. Months before a group's
    first observation are NaN.

    Parameters
    ----------
    obs : DataFrame
        One row per (group, model, dated price).
    group, model, date, price : str
        Column names.
    start, end : period-like, optional
        First and last month (default: the observed range).

    Returns
    -------
    DataFrame
        Monthly PeriodIndex x groups, values ``log(price)``.

    Examples
    --------
    >>> o = pd.DataFrame({"group": "g", "model": ["a", "b"], "date": ["2024-01-10", "2024-03-05"],
    ...                   "price": [10.0, 1.0]})
    >>> np.exp(monthly_cheapest(o)["g"]).round(2).tolist()
    [10.0, 10.0, 1.0]
    """
    for c in (group, model, date, price):
        if c not in obs.columns:
            raise InputError(f"monthly_cheapest: column {c!r} missing; columns are {list(obs.columns)}.")
    o = obs[[group, model, date, price]].copy()
    o[date] = pd.to_datetime(o[date])
    o = o[o[price].astype(float) > 0]
    if o.empty:
        raise InputError("monthly_cheapest: no positive prices.")
    o["month"] = o[date].dt.to_period("M")
    first = pd.Period(start, "M") if start is not None else o["month"].min()
    last = pd.Period(end, "M") if end is not None else o["month"].max()
    months = pd.period_range(first, last, freq="M")
    out = {}
    for g, og in o.groupby(group, sort=True):
        # latest price of each model within each month, then carried forward
        og = og.sort_values(date, kind="stable")
        per = og.groupby([model, "month"])[price].last().unstack(model)
        per = per.reindex(pd.period_range(min(per.index.min(), first), last, freq="M")).ffill()
        out[g] = np.log(per.min(axis=1)).reindex(months)
    wide = pd.DataFrame(out, index=months)
    wide.index.name = "month"
    return wide


def chain_index(wide: pd.DataFrame) -> pd.Series:
    """Chain-linked log index: average monthly log change over the series present in both months.

    Starts at 0 in the first month with data; a month with no overlapping series
    repeats the previous level (and is counted in ``attrs["gaps"]``).

    Examples
    --------
    >>> w = pd.DataFrame({"a": [0.0, -1.0, -1.0], "b": [np.nan, 2.0, 1.0]},
    ...                  index=pd.period_range("2024-01", periods=3, freq="M"))
    >>> chain_index(w).tolist()
    [0.0, -1.0, -1.5]
    """
    d = wide.diff()
    both = wide.notna() & wide.shift(1).notna()
    step = d.where(both).mean(axis=1)
    gaps = int(step.iloc[1:].isna().sum())
    start = int(np.flatnonzero(wide.notna().any(axis=1).to_numpy())[0]) if wide.notna().any().any() else 0
    step = step.fillna(0.0)
    step.iloc[: start + 1] = 0.0
    idx = step.cumsum().iloc[start:]
    idx.name = "log_index"
    idx.attrs["gaps"] = gaps
    idx.attrs["n_series"] = int(wide.shape[1])
    return idx


def epoch_threshold_index(lowest: pd.DataFrame) -> tuple[pd.Series, pd.DataFrame]:
    """Monthly chain-linked index of the cheapest price at fixed capability (Epoch AI series).

    Parameters
    ----------
    lowest : DataFrame
        Epoch's ``epoch_lowest_price_data`` (columns ``bench``, ``threshold_model``,
        ``Model Name``, ``Release Date``, ``USD per 1M Tokens``: the models at or above each
        threshold with their dated 3:1 blended prices).

    Returns
    -------
    (index, wide)
        The log index (monthly PeriodIndex) and the per-threshold monthly log cheapest
        prices it is chained from.

    Examples
    --------
    >>> from llmflation.study.inputs import StudyInputs
    >>> idx, wide = epoch_threshold_index(StudyInputs().epoch_lowest())
    >>> str(idx.index[0]), wide.shape[1]
    ('2021-11', 21)
    """
    need = {"bench", "threshold_model", "Model Name", "Release Date", "USD per 1M Tokens"}
    if need - set(lowest.columns):
        raise InputError(f"epoch_threshold_index needs columns {sorted(need)}; got {list(lowest.columns)}.")
    obs = pd.DataFrame({
        "group": lowest["bench"].astype(str) + " >= " + lowest["threshold_model"].astype(str),
        "model": lowest["Model Name"], "date": lowest["Release Date"],
        "price": pd.to_numeric(lowest["USD per 1M Tokens"], errors="coerce"),
    }).dropna(subset=["price"])
    wide = monthly_cheapest(obs)
    return chain_index(wide), wide


def _model_prices(panel: pd.DataFrame, blend: float) -> pd.DataFrame:
    need = {"model_id", "valid_from", "input_usd_per_mtok", "output_usd_per_mtok"}
    if need - set(panel.columns):
        raise InputError(f"panel lacks columns {sorted(need - set(panel.columns))}; pass "
                         "llmflation.load_panel().")
    from llmflation.study.trends import canonical_rows

    p = canonical_rows(panel).copy()
    price = blended(p["input_usd_per_mtok"].astype(float), p["output_usd_per_mtok"].astype(float), blend / (1 - blend))
    p = p.assign(price=price, date=pd.to_datetime(p["valid_from"]))
    if "release_date" in p.columns:
        # a price observed before the model's release date is dated at the release
        rel = pd.to_datetime(p["release_date"])
        p["date"] = p["date"].where(rel.isna() | (p["date"] >= rel), rel)
    return p[p["price"] > 0]


def panel_capability_index(panel: pd.DataFrame, *, thresholds: dict[str, float] | None = None,
                           blend: float = BLEND_INPUT_SHARE, end: Any = None) -> tuple[pd.Series, pd.DataFrame]:
    """Monthly chain-linked index of the cheapest price at or above fixed ECI levels (panel).

    Parameters
    ----------
    panel : DataFrame
        The canonical panel (``model_id``, ``valid_from``, prices, ``eci``).
    thresholds : dict, optional
        Name -> ECI level. Default: the ECI of :data:`ECI_REFERENCE_MODELS` found in the
        panel (GPT-3.5 Turbo, GPT-4, GPT-4o, Claude 3.5 Sonnet levels).
    blend : float
        Input share of the blended price.
    end : period-like, optional
        Last month (default: last observed).

    Returns
    -------
    (index, wide)

    Examples
    --------
    >>> p = pd.DataFrame({"model_id": ["a", "b"], "valid_from": ["2024-01-01", "2024-03-01"],
    ...                   "input_usd_per_mtok": [10.0, 1.0], "output_usd_per_mtok": [10.0, 1.0],
    ...                   "eci": [120.0, 125.0]})
    >>> idx, _ = panel_capability_index(p, thresholds={"120": 120.0})
    >>> np.exp(idx).round(2).tolist()
    [1.0, 1.0, 0.1]
    """
    if "eci" not in panel.columns:
        raise InputError("panel has no 'eci' column; capability thresholds need the Epoch Capabilities Index.")
    p = _model_prices(panel, blend)
    p = p[p["eci"].notna()]
    if p.empty:
        raise InputError("no panel price has an ECI score.")
    if thresholds is None:
        eci_by_model = p.groupby("model_id")["eci"].first()
        thresholds = {m: float(eci_by_model[m]) for m in ECI_REFERENCE_MODELS if m in eci_by_model.index}
        if not thresholds:
            qs = np.quantile(eci_by_model.to_numpy(), [0.5, 0.75, 0.9])
            thresholds = {f"ECI q{int(q * 100)}": float(v) for q, v in zip((0.5, 0.75, 0.9), qs, strict=True)}
    rows = []
    for name, level in thresholds.items():
        sub = p[p["eci"] >= level]
        rows.append(pd.DataFrame({"group": f"ECI >= {name} ({level:.1f})", "model": sub["model_id"],
                                  "date": sub["date"], "price": sub["price"]}))
    obs = pd.concat(rows, ignore_index=True)
    wide = monthly_cheapest(obs, end=end)
    return chain_index(wide), wide


def tier_series(panel: pd.DataFrame, *, blend: float = BLEND_INPUT_SHARE, start: Any = "2023-01",
                end: Any = None) -> pd.DataFrame:
    """Monthly log cheapest blended price within each tier of the panel.

    Examples
    --------
    >>> p = pd.DataFrame({"model_id": ["a", "b"], "valid_from": ["2024-01-01", "2024-02-01"],
    ...                   "input_usd_per_mtok": [4.0, 2.0], "output_usd_per_mtok": [4.0, 2.0],
    ...                   "tier": ["mid", "mid"]})
    >>> np.exp(tier_series(p, start="2024-01")["mid"]).tolist()
    [4.0, 2.0]
    """
    if "tier" not in panel.columns:
        raise InputError("panel has no 'tier' column; build it with llmflation.load_panel().")
    p = _model_prices(panel, blend)
    p = p[p["tier"].notna()]
    obs = pd.DataFrame({"group": p["tier"].astype(str), "model": p["model_id"], "date": p["date"],
                        "price": p["price"]})
    wide = monthly_cheapest(obs, end=end)
    if start is not None:
        wide = wide.loc[pd.Period(start, "M"):]
    return wide


def _trend(index: pd.Index) -> pd.DataFrame:
    """Constant and time in years (since 2020-01-01) for a date or monthly index."""
    if isinstance(index, pd.PeriodIndex):
        ts = index.to_timestamp(how="start")
    else:
        ts = pd.DatetimeIndex(index)
    t = (ts - pd.Timestamp("2020-01-01")).days.to_numpy() / 365.25
    return pd.DataFrame({"(Intercept)": 1.0, "t_years": t}, index=index)


# =======================================================================================
# result


@dataclass(frozen=True, kw_only=True, eq=False, repr=False)
class LLMBreaksResult(Result):
    """Break tests on LLM price series, with the paper's Chow statistic beside ours.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per (series, model, test): ``series, model, test, statistic, p_value, df,
        break_at, conf_low, conf_high, n, paper_value``.
    milestone_chow : HypothesisTest
        Chow test on the milestone series, log price on intercept and time, break after
        May 2024 (the paper's set-up as far as it can be inferred).
    sup_f : dict of SupFResult
        Unknown-date tests per (series, model).
    bai_perron : dict of BreaksResult
        Multiple-break estimates per (series, model).
    series_by_name : dict of pandas.Series
        Every series tested (log prices / log indices).
    verdict : tuple of str
        Plain-language reading of the evidence.
    paper_value : dict
        The paper's reported Chow test (F = 5.74, p = 0.005, F(2, 58)).
    """

    table: pd.DataFrame
    milestone_chow: HypothesisTest
    sup_f: dict[str, SupFResult]
    bai_perron: dict[str, BreaksResult]
    series_by_name: dict[str, pd.Series]
    verdict: tuple[str, ...]
    paper_value: dict[str, Any]
    vintage: str = ""
    title: str = "Structural breaks in LLM prices (paper: Chow F = 5.74, p = 0.005 after May 2024)"

    keys = ('series', 'model')

    def wide(self) -> pd.DataFrame:
        """The tidy table of every test."""
        return self.table.copy()

    def summary(self, fmt: SummaryFormat = "text") -> str:
        """Verdict followed by the table of tests."""
        head = render_table(pd.DataFrame({"verdict": list(self.verdict)}), "What the data say", None, fmt)
        body = render_table(self.table, self.title, self._notes(), fmt)
        return head + ("\n" if fmt == "html" else "\n\n") + body

    def __repr__(self) -> str:
        c = self.milestone_chow
        return (f"LLMBreaksResult(milestone Chow F={c.statistic:.3g}, p={c.p_value:.3g}, df={c.df}; "
                f"paper F=5.74, p=0.005; {len(self.table)} tests)")


def _fmt(v: Any) -> str:
    if isinstance(v, pd.Timestamp):
        return str(v.date())
    return "" if v is None else str(v)


def _rows_for(name: str, model: str, y: pd.Series, X: Any, *, break_at: Any, trim: float,
              max_breaks: int, paper: bool, store_f: dict, store_bp: dict, notes: list[str]) -> list[dict]:
    rows: list[dict] = []
    n = len(y)
    key = f"{name} | {model}"
    covs: tuple[Cov, ...] = ("ols", "hac")
    for cov in covs:
        t = chow_test(y, X, break_at=break_at, cov=cov)
        rows.append({"series": name, "model": model, "test": f"chow ({cov})", "statistic": t.statistic,
                     "p_value": t.p_value, "df": str(t.df), "break_at": _fmt(t.extra.get("break_at")),
                     "conf_low": "", "conf_high": "", "n": n,
                     "paper_value": "F=5.74, p=0.005, F(2, 58)" if paper and cov == "ols" else "",
                     "reason": t.reason or ""})
    for cov in covs:
        s = sup_f_test(y, X, trim=trim, cov=cov)
        store_f[f"{key} | {cov}"] = s
        rows.append({"series": name, "model": model, "test": f"sup-F ({cov})", "statistic": s.statistic,
                     "p_value": s.p_value, "df": str(s.df), "break_at": _fmt(s.break_at), "conf_low": "",
                     "conf_high": "", "n": n, "paper_value": "", "reason": s.reason or ""})
    h = max(int(math.floor(trim * n)), (X.shape[1] if isinstance(X, pd.DataFrame) else 1) + 1)
    if 2 * h <= n:
        bp = bai_perron(y, X, max_breaks=max_breaks, min_size=h)
        store_bp[key] = bp
        ci = bp.conf_int
        rows.append({"series": name, "model": model, "test": f"bai-perron (BIC: {bp.n_breaks} break(s))",
                     "statistic": float(bp.bic_by_m[bp.n_breaks]), "p_value": float("nan"),
                     "df": str(bp.k), "break_at": "; ".join(ci["break_at"]) if len(ci) else "none",
                     "conf_low": "; ".join(v or "n/a" for v in ci["conf_low_label"]) if len(ci) else "",
                     "conf_high": "; ".join(v or "n/a" for v in ci["conf_high_label"]) if len(ci) else "", "n": n,
                     "paper_value": "", "reason": ""})
    else:
        notes.append(f"{key}: too short for Bai-Perron with trim {trim}.")
    return rows


@validated
def llm_price_breaks(milestones: pd.DataFrame, panel: pd.DataFrame | None = None, *,
                     lowest: pd.DataFrame, break_at: DateLike = PAPER_BREAK, trim: Trim = 0.15,
                     max_breaks: PositiveInt = 3, developers: SomeColumns | None = PAPER_DEVELOPERS,
                     end: DateLike | None = PAPER_SNAPSHOT, use_panel: bool = True) -> LLMBreaksResult:
    """Test the paper's May 2024 break on LLM price series, at the known date and from the data.

    Parameters
    ----------
    milestones : DataFrame
        ``price_milestones`` table.
    panel : DataFrame, optional
        Canonical panel for the ECI-threshold index and the per-tier series (needed
        when ``use_panel``).
    lowest : DataFrame
        Epoch's ``epoch_lowest_price_data``.
    (``StudyInputs(store).breaks()`` gives all three.)
    break_at : str
        Last date of the earlier regime (default 2024-05-31: the last observation in May
        2024 is used).
    trim : float
        Trimming of the sup-F candidates and minimum Bai-Perron segment (fraction).
    max_breaks : int
        Largest number of breaks for Bai-Perron.
    developers, end : as in :func:`milestone_series`.
    use_panel : bool
        Also test the panel-based series (ECI-threshold index, tiers).

    Returns
    -------
    LLMBreaksResult

    Examples
    --------
    >>> from llmflation.study.inputs import StudyInputs
    >>> r = llm_price_breaks(**StudyInputs().breaks(use_panel=False), use_panel=False)  # doctest: +SKIP
    >>> r.milestone_chow.df  # doctest: +SKIP
    (2, 91)
    """
    notes: list[str] = []
    store_f: dict[str, SupFResult] = {}
    store_bp: dict[str, BreaksResult] = {}
    series: dict[str, pd.Series] = {}
    rows: list[dict] = []

    ms = milestone_series(milestones, developers=developers, end=end)
    series["milestones: log blended price"] = ms
    Xt = _trend(ms.index)
    chow = chow_test(ms, Xt, break_at=break_at)
    rows += _rows_for("milestones", "log price ~ trend (intercept+slope break)", ms, Xt, break_at=break_at,
                      trim=trim, max_breaks=max_breaks, paper=True, store_f=store_f, store_bp=store_bp,
                      notes=notes)
    kink = _kink_chow(ms, Xt, chow.extra.get("break_position"))
    rows.append({"series": "milestones", "model": "log price ~ trend (continuous slope change)",
                 "test": "chow (ols)", "statistic": kink.statistic, "p_value": kink.p_value,
                 "df": str(kink.df), "break_at": _fmt(chow.extra.get("break_at")), "conf_low": "",
                 "conf_high": "", "n": len(ms), "paper_value": "", "reason": kink.reason or ""})
    launches = milestone_series(milestones, developers=developers, end=end, events=("launch",))
    series["milestones (launches only): log blended price"] = launches
    cl = chow_test(launches, _trend(launches.index), break_at=break_at)
    rows.append({"series": "milestones (launches only)", "model": "log price ~ trend (intercept+slope break)",
                 "test": "chow (ols)", "statistic": cl.statistic, "p_value": cl.p_value, "df": str(cl.df),
                 "break_at": _fmt(cl.extra.get("break_at")), "conf_low": "", "conf_high": "",
                 "n": len(launches), "paper_value": "F=5.74, p=0.005, F(2, 58)", "reason": cl.reason or ""})
    rows += _rows_for("milestones", "log price: mean shift", ms, None, break_at=break_at, trim=trim,
                      max_breaks=max_breaks, paper=False, store_f=store_f, store_bp=store_bp, notes=notes)

    monthly: dict[str, pd.Series] = {}
    eidx, ewide = epoch_threshold_index(lowest)
    monthly["Epoch cheapest-at-threshold index"] = eidx
    notes.append(f"Epoch cheapest-at-threshold index: {ewide.shape[1]} benchmark-threshold series, "
                 f"{eidx.index[0]}..{eidx.index[-1]}.")
    if use_panel:
        if panel is None:
            raise InputError("use_panel=True needs the panel (llmflation.load_panel() or StudyInputs(store).panel()); "
                             "pass panel=... or use_panel=False.")
        try:
            pidx, pwide = panel_capability_index(panel)
            monthly["panel ECI-threshold index"] = pidx.loc[:pd.Period(end, "M")] if end else pidx
            notes.append("panel ECI-threshold index: thresholds " + ", ".join(pwide.columns) + ".")
        except InputError as exc:
            notes.append(f"panel ECI-threshold index not built: {exc}")
        try:
            tw = tier_series(panel, end=end)
            for tier in ("economy", "mid", "flagship"):
                if tier in tw.columns:
                    monthly[f"panel tier {tier}: cheapest"] = tw[tier].dropna()
        except InputError as exc:
            notes.append(f"tier series not built: {exc}")
    month_break = pd.Period(pd.Timestamp(break_at), "M")
    for name, s in monthly.items():
        s = s.dropna()
        series[name] = s
        if len(s) < 12 or not (s.index[0] < month_break < s.index[-1]):
            notes.append(f"{name}: not tested ({len(s)} months, {s.index[0]}..{s.index[-1]}).")
            continue
        rows += _rows_for(name, "log level ~ trend (intercept+slope break)", s, _trend(s.index),
                          break_at=month_break, trim=trim, max_breaks=max_breaks, paper=False,
                          store_f=store_f, store_bp=store_bp, notes=notes)
        ds = s.diff().dropna()
        rows += _rows_for(name, "monthly log change: mean shift", ds, None, break_at=month_break, trim=trim,
                          max_breaks=max_breaks, paper=False, store_f=store_f, store_bp=store_bp, notes=notes)

    table = pd.DataFrame(rows)
    # a p-value below float precision is a bound, never a number such as 1.9e-287
    table["p_value_display"] = [p_value_display(v) if str(t) != "" and not str(t).startswith("bai-perron")
                                else "" for v, t in zip(table["p_value"], table["test"], strict=True)]
    table["p_value"] = table["p_value"].map(clip_p_value)
    verdict = _verdict(chow, ms, table, store_bp)
    notes += [
        f"Milestones: {len(ms)} events of {', '.join(developers or ('all developers',))} up to {end} "
        "(the paper's 62 cannot be identified; its n = 62 is implied by F(2, 58)).",
        "Blended price = 0.75 input + 0.25 output USD per 1M tokens; t in years since 2020-01-01.",
        "HAC rows: Newey-West Wald statistics (Bartlett kernel, floor(4 (n/100)^(2/9)) lags); not computed on "
        "step series (running minima), where they are meaningless (reason column). P-values below 1e-16 are "
        "shown as the bound (p_value_display; p_value clipped to 1e-16).",
        "With a time trend among the regressors the sup-F p-values use Andrews' stationary-regressor "
        "distribution and are approximate (trend breaks: Vogelsang 1997; Perron and Zhu 2005).",
        "Monthly series are running minima (step functions): their log levels are highly persistent, so "
        "level-on-trend tests (and HAC with few lags) over-reject; the mean shift of the monthly log "
        "change is the robust test of a change in the rate of decline (a slope break of the level).",
    ]
    used = [milestones, lowest] + ([panel] if use_panel and panel is not None else [])
    vintage = "; ".join(dict.fromkeys(str(f.attrs.get("vintage", "user data")) for f in used))
    vintage += f"; milestones {ms.index.min().date()}..{ms.index.max().date()}"
    cfg = {"break_at": break_at, "trim": trim, "max_breaks": max_breaks,
           "developers": list(developers) if developers else None, "end": end, "use_panel": use_panel,
           "blend_input_share": BLEND_INPUT_SHARE}
    return LLMBreaksResult(references=refs("du2026.chow"),
        table=table, milestone_chow=chow, sup_f=store_f, bai_perron=store_bp, series_by_name=series,
                           verdict=tuple(verdict), paper_value=dict(PAPER_CHOW), config=cfg, vintage=vintage,
                           notes=tuple(dict.fromkeys(notes)))


def _kink_chow(y: pd.Series, X: pd.DataFrame, b: int | None) -> HypothesisTest:
    """F(1, n-3) test of a change in slope at a known date with a continuous trend."""
    from scipy import stats

    name, null = "Chow (continuous trend, slope change)", "no change in the trend slope"
    if b is None:
        return HypothesisTest.not_computed(name, null, "break date not resolved")
    t = X["t_years"].to_numpy()
    tb = t[b - 1]
    Z0 = X.to_numpy()
    Z1 = np.column_stack([Z0, np.maximum(t - tb, 0.0)])
    yv = y.to_numpy()
    r0 = yv - Z0 @ np.linalg.lstsq(Z0, yv, rcond=None)[0]
    r1 = yv - Z1 @ np.linalg.lstsq(Z1, yv, rcond=None)[0]
    n = len(yv)
    rss0, rss1 = float(r0 @ r0), float(r1 @ r1)
    F = (rss0 - rss1) / (rss1 / (n - 3))
    return HypothesisTest(statistic=F, p_value=float(stats.f.sf(F, 1, n - 3)), df=(1, n - 3), null=null,
                          distribution=f"F(1, {n - 3})", name=name)


def _verdict(chow: HypothesisTest, ms: pd.Series, table: pd.DataFrame,
             bps: dict[str, BreaksResult]) -> list[str]:
    out = []
    if chow.computed:
        sig = "significant" if chow.p_value < 0.05 else "not significant"
        out.append(f"Milestones (n={len(ms)}), log price on intercept and time, break after "
                   f"{_fmt(chow.extra['break_at'])}: Chow F = {chow.statistic:.2f}, p = {chow.p_value:.3g} "
                   f"({sig} at 5%), F{chow.df}; the paper reports F = 5.74, p = 0.005, F(2, 58).")
    else:
        out.append(f"Milestone Chow test not computed: {chow.reason}")
    for series_name in table["series"].unique():
        sub = table[table["series"] == series_name]
        for model in sub["model"].unique():
            m = sub[sub["model"] == model]
            supf = m[m["test"] == "sup-F (ols)"]
            supf_h = m[m["test"] == "sup-F (hac)"]
            chow_o = m[m["test"] == "chow (ols)"]
            bp = m[m["test"].str.startswith("bai-perron")]
            if supf.empty:
                continue
            s, sh = supf.iloc[0], supf_h.iloc[0] if len(supf_h) else None
            parts = [f"{series_name} [{model}]:"]
            if len(chow_o):
                c = chow_o.iloc[0]
                parts.append(f"Chow at May 2024 p = {p_value_display(c.p_value)};")
            parts.append(f"sup-F puts the break at {s.break_at} (p = {p_value_display(s.p_value)}"
                         + (f", HAC p = {p_value_display(sh.p_value)})" if sh is not None and not sh.reason
                            else ", HAC not computed: step series)" if sh is not None else ")") + ";")
            if len(bp):
                b = bp.iloc[0]
                if b.break_at and b.break_at != "none":
                    nb = b.test.split("BIC: ")[1][:-1]
                    parts.append(f"Bai-Perron/BIC: {nb} at {b.break_at} "
                                 f"(95% CI lower {b.conf_low}; upper {b.conf_high}).")
                else:
                    parts.append("Bai-Perron/BIC: no break.")
            out.append(" ".join(parts))
    return out


# =======================================================================================
# the story of a break: direction, controls, unknown date, where a fixed-date Chow rejects

#: Candidate break months scanned with the fixed-date Chow test (inclusive).
CANDIDATE_RANGE: tuple[str, str] = ("2023-08", "2025-09")


@dataclass(frozen=True, kw_only=True, eq=False, repr=False)
class BreakStoryResult(Result):
    """What a break in the milestone series says: slopes before/after, controls, dates.

    Attributes
    ----------
    estimates : DataFrame
        Tidy rows (``spec, term, estimate, std_error, statistic, p_value, conf_low,
        conf_high, n, df, p_value_display``): the slope per year before and after the
        break and their difference, pooled (model-clustered errors) and with tier,
        reasoning and developer controls (model-clustered); the Chow test of both
        specifications; sup-F for an unknown date.
    candidates : DataFrame
        Classical Chow F and p at every candidate month (``break_at, statistic,
        p_value, reject_5pct, slope_before, slope_after``).
    direction : str
        ``"slowdown"`` (the decline is slower after the break), ``"acceleration"`` or
        ``"reversal"`` (prices rise after).
    """

    estimates: pd.DataFrame
    candidates: pd.DataFrame
    direction: str
    break_at: str
    title: str = "The May 2024 break: direction, controls and the dates at which a Chow test rejects"
    keys = ("spec",)

    def wide(self) -> pd.DataFrame:
        """:attr:`estimates` as computed (``df`` as written, ``p_value_display``)."""
        return self.estimates.copy()

    @property
    def rejecting_dates(self) -> list[str]:
        c = self.candidates
        return c.loc[c["reject_5pct"], "break_at"].tolist()

    def _notes(self) -> list[str]:
        c = self.candidates
        return super()._notes() + [
            f"Direction: {self.direction}. A fixed-date Chow test rejects at 5% at {int(c['reject_5pct'].sum())} of "
            f"{len(c)} candidate months ({c['break_at'].iloc[0]}…{c['break_at'].iloc[-1]}): a date chosen by "
            "looking needs sup-F."]


def _segmented(y: np.ndarray, t: np.ndarray, post: np.ndarray, Z: np.ndarray | None, clusters: Any,
               cov: str) -> tuple[Any, int]:
    from llmflation.methods.ols import ols

    cols = [np.ones_like(t), t, post, post * t]
    if Z is not None and Z.shape[1]:
        cols += [Z[:, j] for j in range(Z.shape[1])]
    X = np.column_stack(cols)
    return ols(X, y, cov=cov, clusters=clusters if cov == "cluster" else None), X.shape[1]  # type: ignore[arg-type]


def _story_rows(spec: str, fit: Any, level: float, n: int) -> list[dict]:
    from scipy import stats

    tq = float(stats.t.ppf(0.5 + level / 2, fit.df))
    V = fit.cov
    rows = []
    for term, a in (("slope_per_year_before", np.array([0, 1, 0, 0])),
                    ("slope_per_year_after", np.array([0, 1, 0, 1])),
                    ("slope_change", np.array([0, 0, 0, 1]))):
        a = np.r_[a, np.zeros(len(fit.params) - 4)]
        est = float(a @ fit.params)
        se = float(math.sqrt(max(a @ V @ a, 0.0)))
        tt = est / se if se > 0 else math.nan
        p = float(2 * stats.t.sf(abs(tt), fit.df)) if se > 0 else math.nan
        rows.append({"spec": spec, "term": term, "estimate": est, "std_error": se, "statistic": tt, "p_value": p,
                     "conf_low": est - tq * se, "conf_high": est + tq * se, "n": n, "df": str(fit.df)})
    # Wald test of no break (intercept and slope shift), F = W / 2 on (2, df)
    R = np.zeros((2, len(fit.params)))
    R[0, 2] = R[1, 3] = 1.0
    b = R @ fit.params
    W = float(b @ np.linalg.pinv(R @ V @ R.T) @ b)
    F = W / 2
    rows.append({"spec": spec, "term": "chow_F", "estimate": math.nan, "std_error": math.nan, "statistic": F,
                 "p_value": float(stats.f.sf(F, 2, fit.df)), "conf_low": math.nan, "conf_high": math.nan, "n": n,
                 "df": f"(2, {fit.df})"})
    return rows


@validated
def break_story(milestones: Annotated[pd.DataFrame, Frame(
                    columns=("date", "model", "developer", "event", "input_usd_per_mtok", "output_usd_per_mtok"),
                    what="a pandas DataFrame (the bundled price_milestones table)")], *,
                break_at: DateLike = PAPER_BREAK,
                developers: SomeColumns | None = PAPER_DEVELOPERS, end: DateLike | None = PAPER_SNAPSHOT,
                candidates: tuple[str, str] = CANDIDATE_RANGE, level: Level = 0.95,
                trim: Trim = 0.15, events: SomeColumns | None = None) -> BreakStoryResult:
    """Slopes before and after a break, with composition controls, sup-F and a date scan.

    On the milestone series (:func:`milestone_series`: log 3:1 blended price of each dated
    event) the model is ``ln P = a + b t + c·post + d·post·t (+ controls)``: ``b`` is the
    slope per year before the break, ``b + d`` after it. A less negative slope after the
    break is a **slowdown** of the decline, not an acceleration.

    * *pooled*: no controls, standard errors clustered by model (a model's launch and
      later cuts are not independent), t on ``G − 1`` df;
    * *controlled*: tier (the milestone table's ``tier_hint``), reasoning flag and
      developer dummies, clustered by model — the mix of models changes at the break;
    * *classical*: the paper's Chow test (OLS errors, no controls);
    * *sup-F*: Andrews' test for a break at an unknown date (a date picked by looking).

    The candidate scan runs the classical Chow test at every month end in
    ``candidates``: when most months "reject", the test is detecting curvature, not a date.

    Examples
    --------
    >>> from llmflation.study.inputs import StudyInputs
    >>> r = break_story(StudyInputs().milestones())
    >>> r.direction in ("slowdown", "acceleration", "reversal")
    True
    """
    from llmflation.methods.ols import ols
    from llmflation.validate import check_date

    if isinstance(candidates, str) or not hasattr(candidates, "__len__") or len(candidates) != 2:
        raise InputError(f"candidates must be two months (first, last), e.g. ('2023-08', '2025-09'); "
                         f"got {candidates!r}.")
    c0, c1 = check_date(candidates[0], "candidates[0]"), check_date(candidates[1], "candidates[1]")
    if c1 < c0:
        raise InputError(f"candidates={candidates!r}: the last month is before the first; give (first, last).")
    ms = milestone_series(milestones, developers=developers, end=end, events=events)
    m = milestones.copy()
    m["date"] = pd.to_datetime(m["date"])
    if developers is not None:
        m = m[m["developer"].isin(developers)]
    if end is not None:
        m = m[m["date"] <= pd.Timestamp(end)]
    if events is not None:
        m = m[m["event"].isin(events)]
    price = BLEND_INPUT_SHARE * m["input_usd_per_mtok"].astype(float) + (1 - BLEND_INPUT_SHARE) * m[
        "output_usd_per_mtok"].astype(float)
    m = m.assign(price=price)[price > 0].sort_values("date", kind="stable").reset_index(drop=True)
    y = np.log(m["price"].to_numpy(dtype=float))
    t = (m["date"] - pd.Timestamp("2020-01-01")).dt.days.to_numpy() / 365.25
    t = t - t.mean()  # centred: the intercept shift is measured at the sample's mean date
    bdate = pd.Timestamp(break_at)
    post = (m["date"] > bdate).to_numpy(dtype=float)
    models = m["model"].astype(str).to_numpy()
    n = len(m)
    rows: list[dict] = []
    notes: list[str] = [f"{n} milestone events of {m['model'].nunique()} models, {m['date'].min().date()} to "
                        f"{m['date'].max().date()}; break after {bdate.date()}; t in years (centred)."]
    fit_c, _ = _segmented(y, t, post, None, None, "classical")
    rows += _story_rows("pooled, classical OLS errors (the paper's Chow)", fit_c, level, n)
    fit_p, _ = _segmented(y, t, post, None, models, "cluster")
    rows += _story_rows("pooled, model-clustered errors", fit_p, level, n)
    ctrl = []
    if "tier_hint" in m.columns:
        ctrl.append(pd.get_dummies(m["tier_hint"].astype(str), prefix="tier", drop_first=True, dtype=float))
    if "is_reasoning" in m.columns:
        ctrl.append(m["is_reasoning"].astype("boolean").fillna(False).astype(float).rename("reasoning").to_frame())
    ctrl.append(pd.get_dummies(m["developer"].astype(str), prefix="dev", drop_first=True, dtype=float))
    Z = pd.concat(ctrl, axis=1)
    Z = Z.loc[:, Z.std(ddof=0) > 0]
    Z1 = Z.loc[:, [c for c in Z.columns if not c.startswith("dev_")]]
    if Z1.shape[1]:
        fit_1, _ = _segmented(y, t, post, Z1.to_numpy(dtype=float), models, "cluster")
        rows += _story_rows("tier and reasoning controls, model-clustered errors", fit_1, level, n)
    fit_z, _ = _segmented(y, t, post, Z.to_numpy(dtype=float), models, "cluster")
    rows += _story_rows("tier, reasoning and developer controls, model-clustered errors", fit_z, level, n)
    notes.append(f"Controls: {', '.join(Z.columns)}; clusters: {len(set(models))} models (t and F on G − 1 df).")
    # unknown date
    s = sup_f_test(ms, _trend(ms.index), trim=trim)
    rows.append({"spec": "sup-F (unknown date, OLS)", "term": "sup_F", "estimate": math.nan, "std_error": math.nan,
                 "statistic": s.statistic, "p_value": s.p_value, "conf_low": math.nan, "conf_high": math.nan,
                 "n": s.n, "df": str(s.df), "break_at": _fmt(s.break_at)})
    est = pd.DataFrame(rows)
    est["p_value_display"] = est["p_value"].map(p_value_display)
    est["p_value"] = est["p_value"].map(clip_p_value)
    b0 = float(est.loc[est["term"].eq("slope_per_year_before"), "estimate"].iloc[1])
    b1 = float(est.loc[est["term"].eq("slope_per_year_after"), "estimate"].iloc[1])
    direction = "reversal" if (b0 < 0 <= b1) else ("slowdown" if b1 > b0 else "acceleration")
    # scan of candidate dates with the classical Chow test (same series, same specification)
    scan = []
    Xt = np.column_stack([np.ones_like(t), t])
    for month in pd.period_range(candidates[0], candidates[1], freq="M"):
        end_m = month.to_timestamp(how="end").normalize()
        pm = (m["date"] > end_m).to_numpy(dtype=float)
        if pm.sum() < 3 or (1 - pm).sum() < 3:
            continue
        f0 = ols(Xt, y)
        f1, _ = _segmented(y, t, pm, None, None, "classical")
        F = ((f0.rss - f1.rss) / 2) / (f1.rss / (n - 4))
        from scipy import stats as _st

        p = float(_st.f.sf(F, 2, n - 4))
        scan.append({"break_at": str(month), "statistic": F, "p_value": p, "reject_5pct": p < 0.05,
                     "slope_before": float(f1.params[1]), "slope_after": float(f1.params[1] + f1.params[3])})
    cand = pd.DataFrame(scan)
    notes.append("Slopes are log points per year (−1.83 ≈ prices ÷ 6.2 per year); 'after' = slope before + change.")
    return BreakStoryResult(estimates=est, candidates=cand, direction=direction, break_at=str(bdate.date()),
                            config={"break_at": break_at, "developers": list(developers) if developers else None,
                                    "end": end, "candidates": list(candidates), "level": level, "trim": trim,
                                    "events": list(events) if events else None},
                            vintage=str(milestones.attrs.get("vintage", "user data")), notes=tuple(notes))
