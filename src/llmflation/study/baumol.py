"""Baumol: human services against the AI price index at constant capability.

Baumol's cost disease is a relative-price statement: where productivity grows slowly
(in-person services), prices rise relative to the general price level. :func:`baumol`
puts on one axis, over a common monthly window:

* annual log rates of change of CPI-U human-service items, all items, core (less food
  and energy) and core services (services less energy services), each with a
  Newey–West interval (:func:`llmflation.methods.rates.annual_rate`), and each service
  item's rate *relative to* all items and to core services (the rate of the ratio, with
  its own HAC interval);
* the package's AI price index at constant capability — the cheapest non-reasoning
  model at or above a fixed Epoch Capabilities Index (the GPT-4 (June 2023) level by
  default; :func:`llmflation.study.threshold.cheapest_series` over
  :func:`~llmflation.study.threshold.panel_prices`), rebased to 100 at the window
  start. It is a running minimum (a step series), so its rate is the endpoint rate
  beside the OLS trend through its change points, never a HAC interval;
* the price of one hour of each service in millions of tokens of that capability:
  the occupation's OEWS median hourly wage (May of each year; after the last OEWS year
  moved with the CPI item) ÷ the AI price per million tokens — labour cost only, a lower
  bound on the price of the service hour;
* wage growth of the matching occupations beside those items' price growth, through a
  committed crosswalk (``study/tables/baumol_crosswalk.csv``, one rationale per row).

It cannot identify a causal link from token prices to service prices; CPI items are
quality-adjusted by BLS (hedonics, item substitution), so "price of an hour" is not
what the index holds constant; and business services — where substitution by LLMs
would show first — are outside the CPI.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from importlib import resources
from typing import Annotated, Any

import numpy as np
import pandas as pd

from llmflation.errors import InputError
from llmflation.methods.rates import annual_rate, fill_monthly_gaps
from llmflation.results import Result, SummaryFormat, data_vintage, render_table
from llmflation.signature import (
    Columns,
    DateLike,
    Frame,
    Level,
    NonNegativeInt,
    SomeColumns,
    validated,
)

#: Human-service CPI items shown by default (all published through the bundle's end).
DEFAULT_SERVICE_ITEMS: tuple[str, ...] = ("SEMC01", "SEMC02", "SEMD01", "SEEB03", "SEEB01", "SEGC01", "SEFV01",
                                          "SERB02", "SETD03", "SEHP03", "SEGD03")
#: Benchmarks: all items, core (less food and energy), core services (services less energy services).
BENCHMARKS: dict[str, str] = {"SA0": "all items", "SA0L1E": "core (all items less food and energy)",
                              "SASLE": "core services (services less energy services)"}
#: The capability level of the AI index: this model's ECI in the panel (GPT-4, June 2023).
REFERENCE_MODEL = "gpt-4-0613"
LIMITS = (
    "No causal link: co-movement of token and service prices says nothing about one causing the other.",
    "CPI items are quality-adjusted by BLS (hedonic adjustment, item substitution); the AI index holds a benchmark "
    "score fixed instead: two different notions of constant quality.",
    "Business services (legal, accounting, consulting bought by firms), where LLM substitution would show first, "
    "are outside the CPI, which prices what households buy.",
    "An hour of a service in tokens uses the OEWS median hourly wage (labour cost, no overhead or margin): a lower "
    "bound on the price of the service hour.",
)


def crosswalk() -> pd.DataFrame:
    """The committed CPI item ↔ OEWS occupation crosswalk, each row with its rationale.

    Examples
    --------
    >>> c = crosswalk()
    >>> {"item_code", "soc_code", "rationale"} <= set(c.columns), bool(c["rationale"].str.len().gt(10).all())
    (True, True)
    """
    path = resources.files("llmflation") / "study" / "tables" / "baumol_crosswalk.csv"
    return pd.read_csv(str(path), dtype=str)


def cpi_monthly(bls_cpi: pd.DataFrame, item_code: str, *, prefer_sa: bool = True) -> pd.Series:
    """Monthly CPI-U index of one item (seasonally adjusted where BLS publishes it, else NSA).

    Examples
    --------
    >>> raw = pd.DataFrame({"series_id": ["CUUR0000SA0"] * 2, "item_code": ["SA0"] * 2,
    ...                     "seasonally_adjusted": [0, 0], "period": ["M01", "M13"], "year": [2020, 2020],
    ...                     "date": ["2020-01-01", None], "value": [257.971, 258.811]})
    >>> cpi_monthly(raw, "SA0").tolist()
    [257.971]
    """
    need = {"item_code", "seasonally_adjusted", "period", "date", "value"}
    if not need <= set(bls_cpi.columns):
        raise InputError(f"bls_cpi needs columns {sorted(need)}; got {list(bls_cpi.columns)}.")
    c = bls_cpi[(bls_cpi["item_code"] == item_code) & bls_cpi["period"].astype(str).str.match(r"^M(0[1-9]|1[0-2])$")]
    if c.empty:
        raise InputError(f"no monthly CPI values for item {item_code!r}; known items: "
                         f"{', '.join(sorted(bls_cpi['item_code'].unique())[:60])}.")
    sa = c[c["seasonally_adjusted"].astype(int) == 1]
    use, adj = (sa, True) if prefer_sa and len(sa) else (c[c["seasonally_adjusted"].astype(int) == 0], False)
    s = pd.Series(use["value"].to_numpy(float), index=pd.to_datetime(use["date"]), name=item_code).sort_index()
    s = s[~s.index.duplicated(keep="last")]
    title = str(use["series_title"].iloc[0]).split(" in U.S. city average")[0] if "series_title" in use else item_code
    s, filled = fill_monthly_gaps(s)
    s.attrs["seasonally_adjusted"] = adj
    s.attrs["filled_months"] = filled
    s.attrs["title"] = title
    return s


def ai_constant_capability_series(panel: pd.DataFrame, *, reference_model: str = REFERENCE_MODEL,
                                  threshold: float | None = None) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Monthly price (USD per 1M tokens, 3:1 blend) of the cheapest non-reasoning model at a fixed ECI.

    Returns the monthly frame (``month, price, model``) and a dict with the threshold,
    the OLS trend through the change points and the change points themselves.
    """
    from llmflation.study.threshold import cheapest_series, panel_prices

    pp = panel_prices(panel).dropna(subset=["eci"])
    if threshold is None:
        ref = pp.loc[pp["model"] == reference_model, "eci"]
        if ref.empty:
            raise InputError(f"reference model {reference_model!r} has no ECI in the panel; pass threshold=.")
        threshold = float(ref.iloc[0])
    r = cheapest_series(pp, benchmark="eci", threshold=threshold, exclude_reasoning=True, model_col="model",
                        date_col="date", price_col="price", level=0.95)
    info = {"threshold": threshold, "reference_model": reference_model, "factor_per_year": r.factor_per_year,
            "conf_low": r.conf_low, "conf_high": r.conf_high, "changes": r.changes, "n_changes": len(r.changes)}
    return r.monthly, info


@dataclass(frozen=True, kw_only=True, eq=False, repr=False)
class BaumolResult(Result):
    """Annual rates of service prices, all items, core services and the AI index; hours in tokens; wages.

    Attributes
    ----------
    rates : DataFrame
        Tidy: ``term`` (item code or ``ai_index``), ``label, kind`` (benchmark / service / user / ai),
        ``estimate`` (annual log rate), ``std_error, conf_low, conf_high`` (HAC), ``n, lags, pct_per_year,
        seasonally_adjusted, relative_to_all_items, relative_to_all_items_low/high, relative_to_core_services
        (…_low/high), reason``.
    indices : DataFrame
        ``month, series, index`` rebased to 100 at the window start.
    hours_in_tokens : DataFrame
        ``date, item_code, soc_code, occupation, hourly_usd, wage_basis, ai_usd_per_mtok, mtok_per_hour``.
    wages_vs_prices : DataFrame
        ``item_code, soc_code, occupation, start_year, end_year, wage_log_growth, price_log_growth,
        price_minus_wage``.
    window : (str, str)
    ai_threshold : float
    """

    rates: pd.DataFrame
    indices: pd.DataFrame
    hours_in_tokens: pd.DataFrame
    wages_vs_prices: pd.DataFrame
    window: tuple[str, str]
    ai_threshold: float
    sources: tuple[str, ...] = ()
    title: str = "Baumol: human services vs the AI price index at constant capability"

    def wide(self) -> pd.DataFrame:
        """:attr:`rates` (one row per series)."""
        return self.rates.copy()

    def summary(self, fmt: SummaryFormat = "text") -> str:
        sep = "" if fmt == "html" else "\n\n"
        return sep.join([
            render_table(self.rates, f"{self.title} — annual log rates {self.window[0]} → {self.window[1]}", [], fmt),
            render_table(self.wages_vs_prices, "Wage growth of matching occupations vs item price growth", [], fmt),
            render_table(self.hours_in_tokens, "One hour of a service in millions of tokens", self._notes(), fmt),
        ])

    def __repr__(self) -> str:
        return f"BaumolResult({len(self.rates)} series, window {self.window[0]} → {self.window[1]})"


def _rate_row(s: pd.Series, *, term: str, label: str, kind: str, lo: pd.Timestamp, hi: pd.Timestamp,
              level: float, lags: int | None, ref: dict[str, pd.Series]) -> dict[str, Any]:
    w = s[(s.index >= lo) & (s.index <= hi)]
    r = annual_rate(w, lags=lags, level=level, name=term)
    row: dict[str, Any] = {"term": term, "label": label, "kind": kind, "estimate": r.log_rate_per_year,
                           "std_error": r.std_error, "conf_low": r.conf_low, "conf_high": r.conf_high, "n": r.n,
                           "lags": r.lags, "pct_per_year": r.pct_per_year,
                           "seasonally_adjusted": s.attrs.get("seasonally_adjusted"), "reason": r.reason or ""}
    for key, b in ref.items():
        if term == b.name:
            row[key] = row[f"{key}_low"] = row[f"{key}_high"] = math.nan
            continue
        ratio = (w / b.reindex(w.index)).rename(f"{term}/{b.name}")
        if ratio.isna().any():
            row[key] = row[f"{key}_low"] = row[f"{key}_high"] = math.nan
            continue
        rr = annual_rate(ratio, lags=lags, level=level, name=str(ratio.name), allow_steps=False)
        # a step series keeps its steps in the ratio: no interval there either
        low, high = (math.nan, math.nan) if r.reason else (rr.conf_low, rr.conf_high)
        row[key], row[f"{key}_low"], row[f"{key}_high"] = rr.log_rate_per_year, low, high
    return row


@validated
def baumol(bls_cpi: Annotated[pd.DataFrame, Frame(what="a pandas DataFrame (the bundled bls_cpi table)")],
           wages: Annotated[pd.DataFrame, Frame(what="a pandas DataFrame (the bundled wages table)")],
           panel: Annotated[pd.DataFrame, Frame(what="a pandas DataFrame (llmflation.load_panel()) or None")]
           | None = None, *,
           ai_index: Annotated[pd.DataFrame, Frame(what="a pandas DataFrame with columns month, price (or None to "
                                                        "build it from the panel)")] | None = None,
           series: SomeColumns = DEFAULT_SERVICE_ITEMS,
           user_prices: Annotated[pd.DataFrame, Frame(what="a pandas DataFrame with columns date, series, value "
                                                           "(or None)")] | None = None,
           start: DateLike | None = None, end: DateLike | None = None,
           reference_model: str = REFERENCE_MODEL, ai_threshold: float | None = None,
           wage_years: tuple[int, int] = (2019, 2024), level: Level = 0.95,
           lags: NonNegativeInt | None = None) -> BaumolResult:
    """Human-service prices, all items and core services against the AI index at constant capability.

    Parameters
    ----------
    bls_cpi, wages : DataFrame
        Bundled ``bls_cpi`` and ``wages`` tables.
    panel : DataFrame, optional
        Canonical panel, to build the AI index (needed unless ``ai_index`` is given).
    ai_index : DataFrame, optional
        ``month, price`` (USD per 1M tokens at constant capability), instead of building it.
    series : sequence of str
        CPI item codes of the human services (see :data:`DEFAULT_SERVICE_ITEMS`).
    user_prices : DataFrame, optional
        A user's service prices, long ``date, series, value`` (monthly index or price
        levels); each series is treated like a CPI item.
    start, end : str, optional
        Narrow the common window (default: where the AI index and every benchmark exist).
    wage_years : (int, int)
        OEWS years for wage vs price growth (May to May).
    level, lags : as in :func:`llmflation.methods.rates.annual_rate`.

    Returns
    -------
    BaumolResult

    Examples
    --------
    >>> import llmflation as lf
    >>> from llmflation.sources.bundled import load_table as t
    >>> r = lf.baumol(t("bls_cpi"), t("wages"), lf.load_panel())  # doctest: +SKIP
    >>> r.rates[["term", "estimate", "conf_low", "conf_high"]]  # doctest: +SKIP
    """
    from llmflation.validate import check_int, parse_dates

    t0 = None if start is None else pd.Timestamp(start)
    t1 = None if end is None else pd.Timestamp(end)
    if t0 is not None and t1 is not None and t1 <= t0:
        raise InputError(f"end={end!r} is not after start={start!r}; give start < end (e.g. start='2023-01', "
                         "end='2025-12').")
    if (isinstance(wage_years, str) or not hasattr(wage_years, "__len__") or len(wage_years) != 2):
        raise InputError(f"wage_years must be two OEWS years (first, last), e.g. (2019, 2024); got {wage_years!r}.")
    y0, y1 = (check_int(y, "every element of wage_years", minimum=1997, maximum=2100) for y in wage_years)
    if y1 <= y0:
        raise InputError(f"wage_years={wage_years!r}: the second year must be after the first, e.g. (2019, 2024).")
    wage_years = (y0, y1)
    notes: list[str] = []
    if ai_index is None:
        if panel is None:
            raise InputError("pass panel= (to build the AI index at constant capability) or ai_index=.")
        monthly, info = ai_constant_capability_series(panel, reference_model=reference_model, threshold=ai_threshold)
    else:
        if not {"month", "price"} <= set(ai_index.columns):
            raise InputError(f"ai_index needs columns month, price; got {list(ai_index.columns)}.")
        monthly, info = ai_index, {"threshold": ai_threshold if ai_threshold is not None else math.nan,
                                   "factor_per_year": math.nan, "conf_low": math.nan, "conf_high": math.nan,
                                   "n_changes": 0, "reference_model": "user"}
    ai = pd.Series(pd.to_numeric(monthly["price"]).to_numpy(float),
                   index=pd.to_datetime(monthly["month"]).dt.to_period("M").dt.to_timestamp(), name="ai_index")
    bench = {code: cpi_monthly(bls_cpi, code) for code in BENCHMARKS}
    lo = max([ai.index.min()] + [b.index.min() for b in bench.values()])
    hi = min([ai.index.max()] + [b.index.max() for b in bench.values()])
    if start is not None:
        lo = max(lo, pd.Timestamp(start))
    if end is not None:
        hi = min(hi, pd.Timestamp(end))
    if hi <= lo:
        raise InputError(f"the AI index ({ai.index.min().date()} → {ai.index.max().date()}) and the CPI "
                         "benchmarks have no common window; widen start/end.")
    services: dict[str, tuple[pd.Series, str, str]] = {}
    for code in series:
        s = cpi_monthly(bls_cpi, code)
        if s.index.min() > lo or s.index.max() < hi:
            notes.append(f"{code}: published {s.index.min().date()} → {s.index.max().date()}, not over the whole "
                         f"window; left out.")
            continue
        services[code] = (s, str(s.attrs.get("title", code)), "service")
    if user_prices is not None:
        need = {"date", "series", "value"}
        if not need <= set(user_prices.columns):
            raise InputError(f"user prices need columns date, series, value; got {list(user_prices.columns)}.")
        up = user_prices.assign(series=user_prices["series"].astype(str))
        taken = sorted(set(up["series"]) & ({*services, *bench, "ai_index"} | set(series)))
        if taken:
            raise InputError(f"user series {', '.join(map(repr, taken))} have the name of a BLS series (or the AI "
                             "index) in this comparison and would replace it; expected names of your own. Rename "
                             f"them (e.g. 'my_{taken[0]}').")
        # strict dates: 03/04/2024 (March 4 or 3 April?) is refused rather than read as mm/dd
        dates, _ = parse_dates(up["date"], "user_prices['date']")
        up = up.assign(date=dates)[dates.notna()]
        dup = up.duplicated(["date", "series"], keep=False)
        if dup.any():
            ex = up.loc[dup, ["series", "date"]].drop_duplicates().head(5)
            shown = ", ".join(f"{s!r} on {d.date()}" for s, d in zip(ex["series"], ex["date"], strict=True))
            raise InputError(f"user prices repeat (date, series) pairs: {shown}; expected one value per series and "
                             "date. Remove the duplicates or average them yourself.")
        for name, g in up.groupby("series"):
            s = pd.Series(pd.to_numeric(g["value"], errors="coerce").to_numpy(float),
                          index=pd.DatetimeIndex(g["date"]).to_period("M").to_timestamp(), name=str(name))
            s = s.groupby(level=0).mean().sort_index()
            s.attrs["seasonally_adjusted"] = None
            services[str(name)] = (s, str(name), "user")
    filled = sorted({m for b in [*bench.values(), *[v[0] for v in services.values()]]
                     for m in b.attrs.get("filled_months", []) if lo <= pd.Timestamp(m + "-01") <= hi})
    if filled:
        notes.append(f"Months not published by BLS inside the window, filled log-linearly (endpoint rates are "
                     f"unchanged): {', '.join(filled)}.")
    ref = {"relative_to_all_items": bench["SA0"], "relative_to_core_services": bench["SASLE"]}
    rows = []
    for code, b in bench.items():
        rows.append(_rate_row(b, term=code, label=BENCHMARKS[code], kind="benchmark", lo=lo, hi=hi, level=level,
                              lags=lags, ref=ref))
    for code, (s, label, kind) in services.items():
        sw = s[(s.index >= lo) & (s.index <= hi)]
        full = pd.date_range(lo, hi, freq="MS")
        if len(sw) < len(full):
            notes.append(f"{code}: {len(full) - len(sw)} months missing in the window; left out.")
            continue
        rows.append(_rate_row(s, term=code, label=label, kind=kind, lo=lo, hi=hi, level=level, lags=lags, ref=ref))
    aw = ai[(ai.index >= lo) & (ai.index <= hi)]
    ai_row = _rate_row(ai, term="ai_index", label=f"AI: cheapest non-reasoning model with ECI ≥ "
                       f"{info['threshold']:.1f} ({info['reference_model']} level)", kind="ai", lo=lo, hi=hi,
                       level=level, lags=lags, ref=ref)
    rows.append(ai_row)
    fpy = info.get("factor_per_year", math.nan)
    if fpy and not math.isnan(fpy):
        rows.append({"term": "ai_index_trend", "label": "AI index: OLS trend through its change points (t interval)",
                     "kind": "ai", "estimate": -math.log(fpy), "conf_low": -math.log(info["conf_high"]),
                     "conf_high": -math.log(info["conf_low"]), "n": info["n_changes"],
                     "pct_per_year": 100 * (1 / fpy - 1), "reason": "trend over all change points, not the window"})
    rates = pd.DataFrame(rows)
    # rebased indices over the window
    idx_rows = []
    for code, s in [("ai_index", ai), *[(c, b) for c, b in bench.items()], *[(c, v[0]) for c, v in services.items()]]:
        w = s[(s.index >= lo) & (s.index <= hi)]
        if len(w):
            idx_rows.append(pd.DataFrame({"month": w.index, "series": code, "index": 100 * w.to_numpy() / w.iloc[0]}))
    indices = pd.concat(idx_rows, ignore_index=True)
    hours, wvp = _hours_and_wages(bls_cpi, wages, aw, wage_years)
    notes += [f"Common window {lo.date()} → {hi.date()} (where the AI index and the benchmarks exist); rates are "
              "12 × mean monthly Δln (= endpoint log change per year) with Newey–West intervals (Bartlett, lags "
              "≥ 12); relative rates are the rates of the ratio to all items / core services.",
              f"The AI index is a running minimum (step series): its window rate is the endpoint rate without an "
              f"interval; the row ai_index_trend is the OLS trend through its {info['n_changes']} change points.",
              "Seasonally adjusted CPI series where BLS publishes them, else unadjusted (seasonally_adjusted column).",
              *LIMITS]
    sources = ("BLS CPI-U U.S. city average (bundled bls_cpi: https://www.bls.gov/cpi/)",
               "BLS OEWS national May estimates (bundled wages: https://www.bls.gov/oes/)",
               "llmflation panel prices and Epoch Capabilities Index (bundled; Epoch AI, CC BY 4.0)")
    frames = [bls_cpi, wages] + ([panel] if panel is not None else [])
    return BaumolResult(rates=rates, indices=indices, hours_in_tokens=hours, wages_vs_prices=wvp,
                        window=(str(lo.date()), str(hi.date())), ai_threshold=float(info["threshold"]),
                        sources=sources, config={"series": tuple(series), "start": start, "end": end,
                                                 "reference_model": reference_model, "wage_years": wage_years,
                                                 "level": level, "lags": lags,
                                                 "user_series": sorted(k for k, v in services.items()
                                                                       if v[2] == "user")},
                        vintage=data_vintage(*frames), notes=tuple(notes))


def _hours_and_wages(bls_cpi: pd.DataFrame, wages: pd.DataFrame, ai: pd.Series, wage_years: tuple[int, int]
                     ) -> tuple[pd.DataFrame, pd.DataFrame]:
    cw = crosswalk()
    med = wages[wages["measure"] == "median_hourly_wage"]
    h_rows, w_rows = [], []
    for r in cw.itertuples(index=False):
        w = med[med["soc_code"] == r.soc_code].groupby("year")["value"].mean()
        try:
            cpi = cpi_monthly(bls_cpi, r.item_code, prefer_sa=False)
        except InputError:
            continue
        if w.empty:
            continue
        y0, y1 = wage_years
        may = {y: cpi.get(pd.Timestamp(f"{y}-05-01"), np.nan) for y in (y0, y1)}
        if y0 in w.index and y1 in w.index and not any(np.isnan(v) for v in may.values()):
            wg = math.log(w[y1] / w[y0]) / (y1 - y0)
            pg = math.log(may[y1] / may[y0]) / (y1 - y0)
            w_rows.append({"item_code": r.item_code, "cpi_item": r.cpi_item, "soc_code": r.soc_code,
                           "occupation": r.occupation, "start_year": y0, "end_year": y1, "wage_log_growth": wg,
                           "price_log_growth": pg, "price_minus_wage": pg - wg})
        last_year = int(w.index.max())
        base_cpi = cpi.get(pd.Timestamp(f"{last_year}-05-01"), np.nan)
        dates = sorted({d for d in ai.index if d.month == 5} | ({ai.index.max()} if len(ai) else set()))
        for d in dates:
            if d.year in w.index:
                hourly, basis = float(w[d.year]), f"OEWS May {d.year}"
            elif d.year > last_year and not np.isnan(base_cpi) and d in cpi.index:
                hourly = float(w[last_year] * cpi[d] / base_cpi)
                basis = f"OEWS May {last_year} × CPI {r.item_code} since"
            else:
                continue
            h_rows.append({"date": d.date(), "item_code": r.item_code, "soc_code": r.soc_code,
                           "occupation": r.occupation, "hourly_usd": hourly, "wage_basis": basis,
                           "ai_usd_per_mtok": float(ai[d]), "mtok_per_hour": hourly / float(ai[d])})
    return pd.DataFrame(h_rows), pd.DataFrame(w_rows)


# --------------------------------------------------------------------------- issue 19: Baumol as a test

#: The post-ChatGPT window starts here (the same window for AI and services; ends where the CPI ends).
POST_START = "2023-01-01"
#: Pre-LLM placebo windows: the same comparison where nothing about LLMs can have changed.
PLACEBO_WINDOWS: tuple[tuple[str, str], ...] = (("2015-01-01", "2019-12-01"), ("2017-01-01", "2020-12-01"))


def ai_exposure() -> pd.DataFrame:
    """The committed rule for AI-exposed CPI service items (``study/tables/baumol_ai_exposure.csv``).

    An item is AI-exposed when the labour it prices is mostly knowledge work — reading,
    writing and processing information (SOC major groups 13 business and financial
    operations, 15 computer and mathematical, 23 legal), the occupations that task-based
    exposure measures rank highest (Eloundou, Manning, Mishkin & Rock 2023, "GPTs are
    GPTs"); in-person manual or care services are the comparison group. One rationale per row.

    Examples
    --------
    >>> e = ai_exposure()
    >>> sorted(e.loc[e["ai_exposed"], "item_code"])
    ['SEEE03', 'SEGD01', 'SEGD05']
    """
    path = resources.files("llmflation") / "study" / "tables" / "baumol_ai_exposure.csv"
    out = pd.read_csv(str(path), dtype=str)
    out["ai_exposed"] = out["ai_exposed"].str.lower().eq("true")
    return out


@dataclass(frozen=True, kw_only=True, eq=False, repr=False)
class BaumolTestResult(Result):
    """Did anything change after 2022? Relative service inflation, post window against pre-LLM placebos.

    Attributes
    ----------
    windows : DataFrame
        One row per comparison × window: ``comparison`` (``services_vs_all_items``: core
        services ÷ all items; ``exposed_vs_other``: AI-exposed ÷ other service items,
        equal-weighted geometric means; ``ai_headline`` and ``ai_constant_capability``:
        the AI price index, post window only), ``window``, ``start, end``, ``estimate``
        (annual log change of the ratio, 12 × mean monthly Δln), ``std_error`` (Newey–West),
        ``conf_low, conf_high, n``.
    did : DataFrame
        One row per comparison × placebo: ``estimate`` = post − placebo annual log change
        (difference in differences), HAC ``std_error`` (independent windows:
        ``√(v_post + v_placebo)``), normal ``conf_low, conf_high``, ``p_value``.
    changed : bool
        True when any difference-in-differences interval excludes zero.
    finding : str
        The answer in one sentence.
    exposed_items, other_items : tuple of str
        Items in the exposed and comparison baskets (published over every window).
    """

    windows: pd.DataFrame
    did: pd.DataFrame
    changed: bool
    finding: str
    exposed_items: tuple[str, ...]
    other_items: tuple[str, ...]
    title: str = "Baumol as a test: relative service inflation after 2022 against pre-LLM placebo windows"
    keys = ("comparison", "window")

    def wide(self) -> pd.DataFrame:
        w = self.windows.assign(term="annual_log_change")
        d = self.did.assign(window=lambda f: "post − " + f["placebo"], term="difference_in_differences")
        cols = ["comparison", "window", "term", "estimate", "std_error", "statistic", "p_value", "conf_low",
                "conf_high", "n"]
        return pd.concat([w, d], ignore_index=True).reindex(columns=cols)

    def summary(self, fmt: SummaryFormat = "text") -> str:
        sep = "" if fmt == "html" else "\n\n"
        return sep.join([render_table(self.windows, f"{self.title} — annual log changes by window", [], fmt),
                         render_table(self.did, "Difference in differences (post − placebo)",
                                      [self.finding, *self._notes()], fmt)])

    def __repr__(self) -> str:
        return f"BaumolTestResult(changed={self.changed}: {self.finding})"


def _ratio_changes(num: list[pd.Series], den: list[pd.Series], lo: pd.Timestamp, hi: pd.Timestamp) -> pd.Series:
    """Monthly Δln of (geometric mean of ``num``) ÷ (geometric mean of ``den``) over [lo, hi]."""
    def mean_dln(series: list[pd.Series]) -> pd.Series:
        parts = [np.log(x[(x.index >= lo - pd.DateOffset(months=1)) & (x.index <= hi)]).diff().iloc[1:]
                 for x in series]
        return pd.concat(parts, axis=1).mean(axis=1, skipna=False)
    return (mean_dln(num) - mean_dln(den)).dropna()


def _window_rate(d: pd.Series, lags: int | None, level: float) -> dict[str, Any]:
    from scipy import stats

    from llmflation.methods.rates import hac_variance_of_mean, newey_west_lags

    n = len(d)
    L = int(lags) if lags is not None else max(newey_west_lags(n), 12)
    est = 12.0 * float(d.mean())
    # fixed-b: with 12+ lags on 44–60 months the Newey–West variance is biased down and normal
    # critical values over-reject (14% at a nominal 5% in the synthetic placebo test); scale the
    # standard error by the Kiefer–Vogelsang (2005) Bartlett critical value at b = (L+1)/n over 1.96
    b = min((L + 1) / n, 1.0)
    fixed_b = (1.96 + 2.9694 * b + 0.4160 * b ** 2 - 0.5324 * b ** 3) / 1.96
    se = 12.0 * math.sqrt(hac_variance_of_mean(d.to_numpy(float), L)) * fixed_b
    z = float(stats.norm.ppf(0.5 + level / 2))
    return {"estimate": est, "std_error": se, "conf_low": est - z * se, "conf_high": est + z * se, "n": n, "lags": L}


@validated
def baumol_test(bls_cpi: Annotated[pd.DataFrame, Frame(what="a pandas DataFrame (the bundled bls_cpi table)")],
                panel: Annotated[pd.DataFrame, Frame(what="a pandas DataFrame (llmflation.load_panel()) or None")]
                | None = None, *, post_start: DateLike = POST_START, post_end: DateLike | None = None,
                placebos: tuple[tuple[str, str], ...] = PLACEBO_WINDOWS,
                exposed: Columns | None = None, other: Columns | None = None,
                level: Level = 0.95, lags: NonNegativeInt | None = None) -> BaumolTestResult:
    """Baumol as a test: did relative service inflation change after 2022, against pre-LLM placebos?

    Two comparisons, each as the annual log change of a price ratio (12 × mean monthly
    Δln, Newey–West standard error) in the post window and in each placebo window:
    core services ÷ all items (the Baumol relative price), and AI-exposed ÷ other
    service items (:func:`ai_exposure`; equal-weighted geometric means of the items
    published over every window). The difference post − placebo is a difference in
    differences of annual log changes; its HAC interval says whether anything changed
    after 2022. With ``panel``, the AI price index over the same post window is shown
    beside it (the headline quality-adjusted index and the constant-capability series).

    Parameters
    ----------
    bls_cpi : DataFrame
        Bundled ``bls_cpi``.
    panel : DataFrame, optional
        The panel, for the AI rates over the post window.
    post_start, post_end : date
        Post window (default 2023-01 to the last month every series is published).
    placebos : tuple of (start, end)
        Pre-LLM windows (default 2015–19 and 2017–20).
    exposed, other : tuple of str, optional
        Item codes of the two baskets (default from :func:`ai_exposure`).

    Returns
    -------
    BaumolTestResult

    Examples
    --------
    >>> import llmflation as lf
    >>> from llmflation.sources.bundled import load_table as t
    >>> r = baumol_test(t("bls_cpi"))
    >>> set(r.did["placebo"]) == {"2015-01-01 → 2019-12-01", "2017-01-01 → 2020-12-01"}
    True
    """
    from llmflation.validate import check_date

    if (isinstance(placebos, str) or not hasattr(placebos, "__iter__")
            or not all(isinstance(w, (tuple, list)) and len(w) == 2 for w in placebos) or not len(placebos)):
        raise InputError(f"placebos must be (start, end) pairs, e.g. (('2015-01-01', '2019-12-01'),); got "
                         f"{placebos!r}.")
    for a, b in placebos:
        check_date(a, "placebos start")
        check_date(b, "placebos end")
        if pd.Timestamp(b) <= pd.Timestamp(a) or pd.Timestamp(b) >= pd.Timestamp(post_start):
            raise InputError(f"placebo window ({a}, {b}) must run forward and end before post_start={post_start!r}.")
    rule = ai_exposure()
    exp_items = tuple(exposed) if exposed is not None else tuple(rule.loc[rule["ai_exposed"], "item_code"])
    oth_items = tuple(other) if other is not None else tuple(rule.loc[~rule["ai_exposed"], "item_code"])
    notes: list[str] = []
    bench = {c: cpi_monthly(bls_cpi, c) for c in ("SA0", "SASLE")}
    p0 = pd.Timestamp(post_start)
    windows_in = [(f"{a} → {b}", pd.Timestamp(a), pd.Timestamp(b), "placebo") for a, b in placebos]
    items: dict[str, pd.Series] = {}
    for code in (*exp_items, *oth_items):
        try:
            items[code] = cpi_monthly(bls_cpi, code)
        except InputError:
            notes.append(f"{code}: not in the CPI table; left out.")
    last = min([b.index.max() for b in bench.values()])
    if post_end is not None:
        last = min(last, pd.Timestamp(post_end))
    # the post window ends where the benchmarks end; an item must cover every window to enter a basket
    def covers(sr: pd.Series, lo: pd.Timestamp, hi: pd.Timestamp) -> bool:
        w = sr[(sr.index >= lo - pd.DateOffset(months=1)) & (sr.index <= hi)]
        return len(w) == len(pd.date_range(lo - pd.DateOffset(months=1), hi, freq="MS"))
    spans = [(lo, hi) for _, lo, hi, _ in windows_in] + [(p0, last)]
    keep = {c: sr for c, sr in items.items() if all(covers(sr, lo, hi) for lo, hi in spans)}
    dropped = sorted(set(items) - set(keep))
    if dropped:
        notes.append(f"Items not published over every window, left out of both baskets so that each window compares "
                     f"the same items: {', '.join(dropped)}.")
    ex = [keep[c] for c in exp_items if c in keep]
    ot = [keep[c] for c in oth_items if c in keep]
    if not ex or not ot:
        raise InputError(f"the exposed and other baskets need at least one item published over every window; got "
                         f"exposed {[c for c in exp_items if c in keep]}, other {[c for c in oth_items if c in keep]}.")
    post_label = f"{p0.date()} → {last.date()}"
    windows = [*windows_in, (post_label, p0, last, "post")]
    rows = []
    for comp, num, den in (("services_vs_all_items", [bench["SASLE"]], [bench["SA0"]]),
                           ("exposed_vs_other", ex, ot)):
        for label, lo, hi, kind in windows:
            d = _ratio_changes(num, den, lo, hi)
            rows.append({"comparison": comp, "window": label, "kind": kind, "start": lo.date(), "end": hi.date(),
                         **_window_rate(d, lags, level)})
    if panel is not None:
        from llmflation.study.headline import headline_index

        try:
            h = headline_index(panel, start=p0, end=last, n_boot=199, level=level)
            rows.append({"comparison": "ai_headline", "window": post_label, "kind": "post", "start": p0.date(),
                         "end": last.date(), "estimate": h.log_change_per_year,
                         "std_error": float(h.annual.iloc[0]["std_error"]), "conf_low": h.log_change_ci[0],
                         "conf_high": h.log_change_ci[1], "n": h.n_models, "lags": math.nan})
        except InputError as exc:
            notes.append(f"AI headline index over the post window: not computed ({exc}).")
        try:
            monthly, _ = ai_constant_capability_series(panel)
            ai = pd.Series(pd.to_numeric(monthly["price"]).to_numpy(float),
                           index=pd.to_datetime(monthly["month"]).dt.to_period("M").dt.to_timestamp())
            w = ai[(ai.index >= p0) & (ai.index <= last)]
            if len(w) >= 2:
                yrs = (w.index[-1] - w.index[0]).days / 365.25
                rows.append({"comparison": "ai_constant_capability", "window": f"{w.index[0].date()} → "
                             f"{w.index[-1].date()}", "kind": "post", "start": w.index[0].date(),
                             "end": w.index[-1].date(), "estimate": math.log(w.iloc[-1] / w.iloc[0]) / yrs,
                             "std_error": math.nan, "conf_low": math.nan, "conf_high": math.nan, "n": len(w),
                             "lags": math.nan})
        except InputError as exc:
            notes.append(f"AI constant-capability series: not computed ({exc}).")
    wtab = pd.DataFrame(rows)
    from scipy import stats

    z = float(stats.norm.ppf(0.5 + level / 2))
    did_rows = []
    for comp in ("services_vs_all_items", "exposed_vs_other"):
        post = wtab[(wtab["comparison"] == comp) & (wtab["kind"] == "post")].iloc[0]
        for _, pl in wtab[(wtab["comparison"] == comp) & (wtab["kind"] == "placebo")].iterrows():
            est = float(post["estimate"] - pl["estimate"])
            se = math.sqrt(float(post["std_error"]) ** 2 + float(pl["std_error"]) ** 2)
            did_rows.append({"comparison": comp, "placebo": pl["window"], "estimate": est, "std_error": se,
                             "statistic": est / se if se > 0 else math.nan,
                             "p_value": float(2 * stats.norm.sf(abs(est / se))) if se > 0 else math.nan,
                             "conf_low": est - z * se, "conf_high": est + z * se,
                             "n": int(post["n"] + pl["n"])})
    did = pd.DataFrame(did_rows)
    sig = did[(did["conf_low"] > 0) | (did["conf_high"] < 0)]
    changed = bool(len(sig))
    def fmt(r: pd.Series) -> str:
        return f"{r['estimate']:+.3f} [{r['conf_low']:+.3f}, {r['conf_high']:+.3f}]"
    parts = [f"{c}: " + "; ".join(f"vs {r['placebo'][:4]}–{r['placebo'][-10:-6]} {fmt(r)}"
                                  for _, r in did[did["comparison"] == c].iterrows())
             for c in ("services_vs_all_items", "exposed_vs_other")]
    finding = (("Something changed after 2022: " if changed else "Nothing detectably changed after 2022 (every "
                "difference-in-differences interval covers 0): ")
               + " | ".join(parts) + " (annual log points, post − placebo).")
    notes += [f"Baskets: AI-exposed {', '.join(c for c in exp_items if c in keep)}; other "
              f"{', '.join(c for c in oth_items if c in keep)} (rule and rationale: study/tables/"
              "baumol_ai_exposure.csv).",
              "Rates: 12 × mean monthly Δln of the ratio (= annual log change), Newey–West (Bartlett, lags ≥ 12) "
              "standard errors scaled to Kiefer–Vogelsang (2005) fixed-b critical values (short windows); windows "
              "do not overlap the post window, so the DiD variance is the sum.",
              "The 2017–20 placebo contains the 2020 pandemic shock, the post window the 2022–23 inflation "
              "unwinding: a non-zero DiD is a change, not evidence that LLMs caused it.",
              *LIMITS[:2]]
    return BaumolTestResult(windows=wtab, did=did, changed=changed, finding=finding,
                            exposed_items=tuple(c for c in exp_items if c in keep),
                            other_items=tuple(c for c in oth_items if c in keep),
                            config={"post_start": str(post_start), "post_end": str(last.date()),
                                    "placebos": tuple(placebos), "level": level, "lags": lags},
                            vintage=data_vintage(*([bls_cpi] + ([panel] if panel is not None else []))),
                            notes=tuple(notes))
