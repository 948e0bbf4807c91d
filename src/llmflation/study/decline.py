"""How much did token prices fall between two dates? Three definitions, side by side.

``endpoint``
    The cheapest blended price available at the start against the cheapest available
    at the end (a model counts as available at a date when its latest price, set on or
    before that date, was observed within ``window_days``). No capability control: the
    end price may be a far smaller model. A ratio of two observed prices has no sampling
    interval.
``trend``
    ``exp(λ × years)`` from the pooled log-linear trend of all dated prices in the
    period (launch prices and price changes), with the t interval of the slope
    (standard errors clustered by model when there is a model column: a model's
    launch price and its later cuts are not independent).
``constant_capability``
    The price of the start's cheapest scored model against the cheapest model at the
    end that scores at least as well (``capability`` column: ECI by default). Like the
    endpoint ratio it is a ratio of two observed prices, so it has no sampling interval.
``constant_capability_trend``
    The trend-implied fall at that capability, :func:`constant_capability_decline`: the
    lower-quartile regression of log price on time over **every** dated price (launches
    and cuts) of every model scoring at least the start model's score, with a cluster
    bootstrap interval by model, over the window from the start to the pool's last
    observation (never extrapolated past it). ``n`` is the number of dated prices; the
    row's ``status`` says whether it is a finding (:func:`llmflation.methods.estimability.estimability`).
    Epoch's running-minimum OLS stays, as an exact reproduction of Epoch, in
    :func:`llmflation.study.threshold.epoch_reproduction`; it is not this number.

Du (2026) reports a ~600-fold fall 2020–2026 without stating the definition; a fall
that size over ~5.5 years is faster than either of its tier trends, so it is most likely
an endpoint ratio (e.g. GPT-3 davinci at $60 against a ~$0.10 model). The paper's value
is therefore shown beside the ``endpoint`` row only.
"""

from __future__ import annotations

import contextlib
import math
import typing
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd

from llmflation.errors import InputError
from llmflation.methods.estimability import ESTIMATED, MIN_POINTS_RATE, estimability
from llmflation.methods.quantile_trend import DEFAULT_TAU, MIN_POOL, QuantileTrend, quantile_trend
from llmflation.results import Result
from llmflation.signature import (
    Level,
    NonNegativeInt,
    PositiveFloat,
    PositiveInt,
    PriceDate,
    Range,
    Seed,
    validated,
)
from llmflation.study.paper import ref, refs
from llmflation.study.trends import (
    DAYS_PER_YEAR,
    LAUNCH_WINDOW_DAYS,
    dated_prices,
    fit_group,
    to_years,
)

Definition = Literal["endpoint", "trend", "constant_capability", "constant_capability_trend"]
DEFINITIONS: tuple[Definition, ...] = typing.get_args(Definition)
#: The definition Du's ~600× most likely uses (the only row that carries the paper's value).
PAPER_DEFINITION = "endpoint"
#: Du (2026): "token prices fell ~600-fold 2020–2026" (abstract).
PAPER_TOTAL_DECLINE = float(ref("du2026.total_decline").value)
#: Fewest cluster-bootstrap replicates of the constant-capability trend inside total_decline.
CC_BOOT = 999


@dataclass(frozen=True, kw_only=True, eq=False, repr=False)
class DeclineResult(Result):
    """Fall in price between two dates under several definitions.

    Attributes
    ----------
    table : DataFrame
        One row per definition: ``definition, factor, conf_low, conf_high, years,
        factor_per_year, start_date, end_date, start_price, end_price, start_model,
        end_model, n, paper_value, note``. ``n``: for the two ratios, the models priced
        at the start and at the end among which the cheapest were picked; for the two
        trends, the observations fitted. ``paper_value`` is filled on the ``endpoint``
        row only (the paper's likely definition), NaN elsewhere.
    """

    table: pd.DataFrame
    start: pd.Timestamp
    end: pd.Timestamp
    paper_value: float = PAPER_TOTAL_DECLINE

    title = "Total fall in token prices"

    @property
    def factors(self) -> pd.Series:
        return self.table.set_index("definition")["factor"]

    def wide(self) -> pd.DataFrame:
        t = self.table
        return pd.DataFrame({
            "term": t["definition"], "estimate": t["factor"], "conf_low": t["conf_low"], "conf_high": t["conf_high"],
            "n": t["n"], "years": t["years"], "factor_per_year": t["factor_per_year"], "start_date": t["start_date"],
            "end_date": t["end_date"], "start_price": t["start_price"], "end_price": t["end_price"],
            "start_model": t["start_model"], "end_model": t["end_model"], "paper_value": t["paper_value"],
            "n_models": t["n_models"], "status": t["status"], "reason": t["reason"], "note": t["note"],
        })


def _available(obs: pd.DataFrame, at: pd.Timestamp, window_days: float) -> pd.DataFrame:
    """Latest price of every model as of ``at``, if observed within the window."""
    o = obs[obs["date"] <= at].sort_values("date", kind="stable").groupby("model", sort=False).tail(1)
    return o[o["date"] >= at - pd.Timedelta(days=window_days)]


def _r2_text(r2: float) -> str:
    return f"R² = {r2:.3f}" if np.isfinite(r2) else "R² undefined: every price is the same"


@dataclass(frozen=True, kw_only=True, eq=False, repr=False)
class ConstantCapabilityResult(Result):
    """The fall in the price of a fixed capability, from every model that reaches it.

    Attributes
    ----------
    factor, conf_low, conf_high : float
        Fall over the window (``exp(-slope × years)``) and its interval.
    factor_per_year : float
        ``exp(-slope)``; ``factor_per_year_conf`` its interval.
    n, n_models : int
        Dated prices (launches and cuts) and models in the qualifying pool.
    window_start, window_end : Timestamp
        First and last observation of the pool: the fall is never extrapolated past them.
    years : float
    threshold : float
        The capability score a model must reach (``capability`` column).
    status, reason : str
        ``"estimated"`` or ``"not estimable"`` with the reason
        (:func:`llmflation.methods.estimability.estimability`).
    trend : QuantileTrend
        The lower-quantile regression behind it.
    """

    factor: float
    conf_low: float
    conf_high: float
    factor_per_year: float
    factor_per_year_conf: tuple[float, float]
    n: int
    n_models: int
    window_start: pd.Timestamp
    window_end: pd.Timestamp
    years: float
    threshold: float
    capability: str
    status: str
    reason: str | None
    trend: QuantileTrend

    title = "Constant-capability decline (lower quantile of every qualifying model's dated prices)"

    def wide(self) -> pd.DataFrame:
        """Two rows, the fall over the window and per year, with intervals, ``n``, window and status."""
        base = {"n": self.n, "n_models": self.n_models, "window_start": self.window_start.date(),
                "window_end": self.window_end.date(), "years": self.years, "threshold": self.threshold,
                "capability": self.capability, "tau": self.trend.tau, "status": self.status,
                "reason": self.reason or ""}
        lo, hi = self.factor_per_year_conf
        return pd.DataFrame([
            {"term": "factor", "estimate": self.factor, "conf_low": self.conf_low, "conf_high": self.conf_high,
             **base},
            {"term": "factor_per_year", "estimate": self.factor_per_year, "conf_low": lo, "conf_high": hi, **base},
        ])

    def finding(self) -> str | None:
        """The sentence a report may print, or None when the result is not estimable."""
        if self.status != ESTIMATED:
            return None
        return (f"{self.factor:,.0f}× [{self.conf_low:,.0f}, {self.conf_high:,.0f}] from {self.window_start.date()} "
                f"to {self.window_end.date()} ({self.factor_per_year:.2g}×/yr; {self.n_models} models at "
                f"{self.capability} ≥ {self.threshold:g}, {self.n} dated prices)")


def _cc_decline(obs: pd.DataFrame, *, capability: str, threshold: float, start: pd.Timestamp, end: pd.Timestamp,
                tau: float, level: float, n_boot: int, seed: int | None, min_models: int, vintage: str,
                config: dict[str, Any]) -> ConstantCapabilityResult:
    """The one computation behind every constant-capability trend figure (see :func:`constant_capability_decline`)."""
    pool = obs[obs[capability].notna() & (obs[capability] >= threshold) & (obs["date"] >= start)
               & (obs["date"] <= end)]
    pool = pool[pool["price"] > 0]
    n, n_models = len(pool), int(pool["model"].nunique())
    w0 = pool["date"].min() if n else start
    w1 = pool["date"].max() if n else start
    years = float((w1 - w0) / pd.Timedelta(days=DAYS_PER_YEAR)) if n else 0.0
    x = (to_years(pool["date"]) if n else np.array([]))
    y = np.log(pool["price"].to_numpy(dtype=float))
    qt = quantile_trend(x, y, tau=tau, level=level, clusters=pool["model"].astype(str).to_numpy(), n_boot=n_boot,
                        seed=seed, min_n=min_models)
    f = math.exp(-qt.slope * years) if math.isfinite(qt.slope) else math.nan
    lo = math.exp(-qt.conf_high * years) if math.isfinite(qt.conf_high) else math.nan
    hi = math.exp(-qt.conf_low * years) if math.isfinite(qt.conf_low) else math.nan
    status, reason = qt.status, qt.reason
    if status == ESTIMATED:   # the window's factor, not only the rate, must be pinned down
        status, reason = estimability(n=n_models, min_n=min_models, conf_low=lo, conf_high=hi,
                                      what=f"{years:.1f}-year fall")
    notes = (f"Pool: every dated price (launch and cuts) of the {n_models} models with {capability} >= "
             f"{threshold:g}, {w0.date()} to {w1.date()}; the fall is not extrapolated past the last observation.",
             *qt.notes)
    if status != ESTIMATED:
        notes = (*notes, f"Not estimable: {reason}.")
    return ConstantCapabilityResult(
        factor=f, conf_low=lo, conf_high=hi, factor_per_year=qt.factor_per_year,
        factor_per_year_conf=qt.factor_conf, n=n, n_models=n_models, window_start=w0, window_end=w1, years=years,
        threshold=float(threshold), capability=capability, status=status, reason=reason, trend=qt,
        config=config, vintage=vintage, notes=notes)


def _start_level(obs: pd.DataFrame, capability: str, s_at: pd.Timestamp, window_days: float
                 ) -> tuple[pd.Series | None, pd.Timestamp, pd.DataFrame, str | None]:
    """The start model (cheapest scored model available at the start), the start date used, the scored pool."""
    a0 = _available(obs, s_at, window_days)
    scored0 = a0[a0[capability].notna()]
    c_start, note = s_at, None
    if scored0.empty:
        scored = obs[obs[capability].notna() & (obs["date"] >= s_at)]
        if len(scored):
            c_start = scored["date"].min()
            scored0 = _available(obs[obs[capability].notna()], c_start, window_days)
            note = (f"constant_capability: no model priced at {s_at.date()} has a {capability} score; "
                    f"the first scored price, on {c_start.date()}, is the start.")
    if scored0.empty:
        return None, c_start, scored0, note
    return scored0.loc[scored0["price"].idxmin()], c_start, scored0, note


@validated
def constant_capability_decline(panel: pd.DataFrame, *, start: PriceDate, end: PriceDate, capability: str = "eci",
                                threshold: float | None = None,
                                tau: Annotated[float, Range(gt=0, lt=1)] = DEFAULT_TAU, level: Level = 0.90,
                                n_boot: PositiveInt = 999, seed: Seed | None = 0,
                                min_models: PositiveInt = MIN_POOL, window_days: PositiveFloat = 365.0,
                                price: Literal["blended", "input", "output"] = "blended",
                                exclude_reasoning: bool = False) -> ConstantCapabilityResult:
    """How fast the price of a fixed capability falls, estimated on every model that reaches it.

    The qualifying pool is every model scoring at least ``threshold`` on ``capability``
    (default: the score of the cheapest scored model priced at ``start``), with every
    dated price it had in the window (its launch price and each later cut: the canonical
    series of :func:`llmflation.study.trends.dated_prices`). The trend is the slope of the
    lower quartile (``tau``) of log price on time, by quantile regression
    (:func:`llmflation.methods.quantile_trend.quantile_trend`), with a cluster bootstrap
    interval by model; the fall over the window is ``exp(-slope × years)`` where the window
    runs from the pool's first to its **last observation** (a later ``end`` with no new
    price does not lengthen it). Results whose interval spans more than two orders of
    magnitude, or that rest on fewer than ``min_models`` models, have ``status = "not
    estimable"``. This is the one definition of the constant-capability trend: the
    ``constant_capability_trend`` row of :func:`total_decline` is this function's result.
    Epoch's running-minimum OLS is kept as a reproduction of Epoch
    (:func:`llmflation.study.threshold.epoch_reproduction`).

    Parameters
    ----------
    panel : DataFrame
        Price panel (``load_panel()``) or any frame with model, date, price and score columns.
    start, end : date
    capability : str
        Score column (ECI by default).
    threshold : float, optional
        Score a model must reach; default the start model's.
    tau : float
        Quantile of the pool's log prices whose trend is estimated.
    level : float
        Interval level.
    n_boot, seed : int
        Cluster-bootstrap replicates and seed.
    min_models : int
        Fewest models for an estimate.

    Examples
    --------
    >>> rng = np.random.default_rng(0); n = 40
    >>> d = pd.DataFrame({"model_id": [f"m{i}" for i in range(n)],
    ...                   "valid_from": pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.uniform(0, 1000, n), unit="D"),
    ...                   "eci": 120.0})
    >>> d["blended_usd_per_mtok"] = np.exp(3 - np.log(4.0) * (d["valid_from"].dt.year - 2023) + rng.normal(0, .5, n))
    >>> r = constant_capability_decline(d, start="2023-01-01", end="2026-01-01", threshold=100.0, n_boot=199)
    >>> r.status, r.n_models, 2 < r.factor_per_year < 8
    ('estimated', 40, True)
    """
    t0, t1 = pd.Timestamp(start), pd.Timestamp(end)
    if not t1 > t0:
        raise InputError(f"end ({t1.date()}) must be after start ({t0.date()}).")
    frame = panel
    if exclude_reasoning and "is_reasoning" in frame.columns:
        frame = frame[~frame["is_reasoning"].astype("boolean").fillna(False).astype(bool)]
    if capability not in frame.columns:
        raise InputError(f"no {capability!r} column in the prices; pass capability= a score column "
                         f"(columns are: {', '.join(map(str, frame.columns))}).")
    obs = dated_prices(frame, price=price, keep=(capability,))
    obs = obs[obs["date"] <= t1]
    obs_trend = dated_prices(frame, price=price, keep=(capability,), launch_window_days=LAUNCH_WINDOW_DAYS)
    if obs.empty:
        raise InputError(f"no dated prices on or before {t1.date()}; check the period and the columns.")
    notes: list[str] = []
    c_start = max(t0, obs["date"].min())
    start_model = None
    if threshold is None:
        base, c_start, _, note = _start_level(obs, capability, c_start, window_days)
        if note:
            notes.append(note)
        if base is None:
            raise InputError(f"no priced model has a {capability} score; pass threshold= or another capability.")
        threshold = float(base[capability])
        start_model = str(base["model"])
        notes.append(f"Threshold: {capability} of {base['model']}, the cheapest scored model priced at {c_start.date()}.")
    cfg = {"start": str(t0.date()), "end": str(t1.date()), "capability": capability, "threshold": threshold,
           "tau": tau, "level": level, "n_boot": n_boot, "seed": seed, "min_models": min_models, "price": price,
           "exclude_reasoning": exclude_reasoning, "start_model": start_model}
    r = _cc_decline(obs_trend, capability=capability, threshold=float(threshold), start=c_start, end=t1, tau=tau,
                    level=level, n_boot=n_boot, seed=seed, min_models=min_models,
                    vintage=str(panel.attrs.get("vintage", "user data")), config=cfg)
    return replace(r, notes=(*notes, *r.notes))


#: total_decline results kept within :func:`shared_declines` (None: not kept): the arguments, the
#: data and the result, per call computed.
_SHARED: list[list[tuple[Any, pd.DataFrame, DeclineResult]]] = []


@contextlib.contextmanager
def shared_declines() -> Iterator[None]:
    """Within the block, :func:`total_decline` called again on equal data with the same arguments
    returns the result computed first (the same object, not a recomputation).

    The report uses it: its decline section and the robustness grid's ``total_decline`` claim
    both compute the fall from 2020-01-01 to the paper's 2026-03-28 on the same panel (each on
    its own copy). Data are equal when they have the same columns, dtypes, index, values and
    ``attrs``. Results outside the block are never kept.

    Examples
    --------
    >>> d = pd.DataFrame({"model_id": ["a", "b"], "valid_from": pd.to_datetime(["2021-01-01", "2022-01-01"]),
    ...                   "blended_usd_per_mtok": [60.0, 6.0]})
    >>> with shared_declines():
    ...     r = total_decline(d, start="2021-01-01", end="2022-06-01", definitions=["endpoint"])
    ...     r is total_decline(d.copy(), start="2021-01-01", end="2022-06-01", definitions=["endpoint"])
    True
    >>> r is total_decline(d, start="2021-01-01", end="2022-06-01", definitions=["endpoint"])
    False
    """
    _SHARED.append([])
    try:
        yield
    finally:
        _SHARED.pop()


def _same_data(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    try:
        return bool(a is b or (a.shape == b.shape and list(a.columns) == list(b.columns)
                               and a.dtypes.equals(b.dtypes) and a.attrs == b.attrs and a.equals(b)))
    except (TypeError, ValueError):  # attrs that cannot be compared: not the same data
        return False


def _shared(panel: pd.DataFrame, key: Any, compute: Callable[[], DeclineResult]) -> DeclineResult:
    """``compute()``, or within :func:`shared_declines` the result of an earlier call with ``key`` on equal data."""
    if not _SHARED:
        return compute()
    kept = _SHARED[-1]
    for k, frame, result in kept:
        if k == key and _same_data(frame, panel):
            return result
    result = compute()
    kept.append((key, panel.copy(), result))
    return result


@validated
def total_decline(panel: pd.DataFrame, *, start: PriceDate, end: PriceDate,
                  definitions: Sequence[Definition] = DEFINITIONS,
                  price: Literal["blended", "input", "output"] = "blended",
                  window_days: PositiveFloat = 365.0, capability: str = "eci", level: Level = 0.95,
                  n_boot: NonNegativeInt = 0, seed: Seed | None = 0, date_col: str | None = None,
                  price_col: str | None = None, observations: Literal["changes", "launch", "rows"] = "changes",
                  exclude_reasoning: bool = False) -> DeclineResult:
    """The fall in price between ``start`` and ``end`` under three stated definitions.

    Parameters
    ----------
    panel : DataFrame
        Price panel (``load_panel()``) or any frame with model, date and price columns.
    start, end : date
        Period. If nothing is priced at ``start`` the first priced date after it is used
        (the result says which dates were used).
    definitions : list of {"endpoint", "trend", "constant_capability", "constant_capability_trend"}
    window_days : float
        A model's price counts as available for this long after it was last set.
    capability : str
        Score column for ``constant_capability`` (default ``eci``).
    level : float
        Interval level for ``trend`` and ``constant_capability_trend``.

    Examples
    --------
    >>> d = pd.DataFrame({"model_id": ["a", "b", "c"], "valid_from": pd.to_datetime(["2021-01-01", "2022-01-01",
    ...                   "2023-01-01"]), "blended_usd_per_mtok": [60.0, 6.0, 0.6], "eci": [100, 110, 105]})
    >>> r = total_decline(d, start="2021-01-01", end="2023-06-01", definitions=["endpoint"])
    >>> round(float(r.factors["endpoint"]))
    100
    """
    key = (pd.Timestamp(start), pd.Timestamp(end), tuple(definitions), price, window_days, capability, level, n_boot,
           seed, date_col, price_col, observations, exclude_reasoning)
    return _shared(panel, key, lambda: _total_decline(
        panel, start=start, end=end, definitions=definitions, price=price, window_days=window_days,
        capability=capability, level=level, n_boot=n_boot, seed=seed, date_col=date_col, price_col=price_col,
        observations=observations, exclude_reasoning=exclude_reasoning))


def _total_decline(panel: pd.DataFrame, *, start: Any, end: Any, definitions: Sequence[Definition], price: str,
                   window_days: float, capability: str, level: float, n_boot: int, seed: int | None,
                   date_col: str | None, price_col: str | None, observations: str,
                   exclude_reasoning: bool) -> DeclineResult:
    """The computation behind :func:`total_decline` (validated arguments)."""
    t0, t1 = pd.Timestamp(start), pd.Timestamp(end)
    if not t1 > t0:
        raise InputError(f"end ({t1.date()}) must be after start ({t0.date()}).")
    frame = panel
    if exclude_reasoning and "is_reasoning" in frame.columns:
        frame = frame[~frame["is_reasoning"].astype("boolean").fillna(False).astype(bool)]
    keep = tuple(c for c in (capability, "model_name") if c in frame.columns)
    # availability (endpoint, constant capability): every dated price, a catalogue's first sighting
    # included — the model was on sale at that price then
    obs = dated_prices(frame, price=price, observations=observations, date_col=date_col,  # type: ignore[arg-type]
                       price_col=price_col, keep=keep)
    # the pooled trend: the series every estimator fits (issue 18), launches dated within the
    # launch window of release, first sightings out
    obs_trend = dated_prices(frame, price=price, observations=observations, date_col=date_col,  # type: ignore[arg-type]
                             price_col=price_col, keep=keep, launch_window_days=LAUNCH_WINDOW_DAYS)
    obs_trend = obs_trend[obs_trend["date"] <= t1]
    obs = obs[obs["date"] <= t1]
    if obs.empty:
        raise InputError(f"no dated prices on or before {t1.date()}; check the period and the columns.")
    first_date = obs["date"].min()
    s_at = max(t0, first_date)
    rows: list[dict[str, Any]] = []
    notes: list[str] = []
    if s_at > t0:
        notes.append(f"Nothing is priced at {t0.date()}; the first priced date, {s_at.date()}, is used as the start.")
    a0 = _available(obs, s_at, window_days)
    a1 = _available(obs, t1, window_days)
    cheapest0 = a0.loc[a0["price"].idxmin()]
    cheapest1 = a1.loc[a1["price"].idxmin()] if len(a1) else None
    years = float((t1 - s_at) / pd.Timedelta(days=DAYS_PER_YEAR))

    def row(defn: str, factor: float, lo: float, hi: float, sp: float, ep: float, sm: str, em: str, n: int,
            note: str) -> dict[str, Any]:
        return {"definition": defn, "factor": factor, "conf_low": lo, "conf_high": hi, "years": years,
                "factor_per_year": factor ** (1 / years) if factor > 0 and years > 0 else math.nan,
                "start_date": s_at.date(), "end_date": t1.date(), "start_price": sp, "end_price": ep,
                "start_model": sm, "end_model": em, "n": n, "n_models": math.nan, "status": ESTIMATED, "reason": "",
                "paper_value": PAPER_TOTAL_DECLINE if defn == PAPER_DEFINITION else math.nan, "note": note}

    if "endpoint" in definitions:
        if cheapest1 is None:
            notes.append(f"endpoint: no price observed within {window_days:g} days before {t1.date()}.")
        else:
            rows.append(row("endpoint", float(cheapest0["price"] / cheapest1["price"]), math.nan, math.nan,
                            float(cheapest0["price"]), float(cheapest1["price"]), str(cheapest0["model"]),
                            str(cheapest1["model"]), len(a0) + len(a1),
                            "cheapest available price at start / at end; no capability control, no sampling CI"))
    if "trend" in definitions:
        per = obs_trend[(obs_trend["date"] >= s_at) & (obs_trend["date"] <= t1)]
        if len(per) >= 3 and per["date"].nunique() > 1:
            cl = per["model"].astype(str).to_numpy()
            cl = cl if len(set(cl)) >= 2 else None
            g = fit_group(to_years(per["date"]), np.log(per["price"].to_numpy(dtype=float)), level=level,
                          n_boot=n_boot, seed=seed, clusters=cl)
            rows.append(row("trend", math.exp(g.rate_per_year * years), math.exp(g.rate_ci[0] * years),
                            math.exp(g.rate_ci[1] * years), math.nan, math.nan, "", "", g.n,
                            f"exp(rate × years) from the pooled log-linear trend of the dated launch and change series "
                            f"({_r2_text(g.r_squared)}); t interval of the slope"
                            + (f", clustered by model ({g.n_clusters} models)" if cl is not None else "")))
            st, why = estimability(n=g.n, min_n=MIN_POINTS_RATE, conf_low=rows[-1]["conf_low"],
                                   conf_high=rows[-1]["conf_high"], what="fall")
            rows[-1].update(status=st, reason=why or "",
                            n_models=float(g.n_clusters) if cl is not None and g.n_clusters else math.nan)
        else:
            notes.append("trend: fewer than 3 dated prices in the period.")
    want_cc = "constant_capability" in definitions
    want_cct = "constant_capability_trend" in definitions
    if want_cc or want_cct:
        if capability not in obs.columns:
            notes.append(f"constant_capability: no {capability!r} column; pass capability= a score column.")
        else:
            scored0 = a0[a0[capability].notna()]
            c_start = s_at
            if scored0.empty:
                scored = obs[obs[capability].notna() & (obs["date"] >= s_at)]
                if len(scored):
                    c_start = scored["date"].min()
                    scored0 = _available(obs[obs[capability].notna()], c_start, window_days)
                    notes.append(f"constant_capability: no model priced at {s_at.date()} has a {capability} score; "
                                 f"the first scored price, on {c_start.date()}, is the start.")
            if scored0.empty:
                notes.append(f"constant_capability: no priced model has a {capability} score.")
            else:
                base = scored0.loc[scored0["price"].idxmin()]
                level_score = float(base[capability])
                yrs_c = float((t1 - c_start) / pd.Timedelta(days=DAYS_PER_YEAR))
                per_c = {"start_date": c_start.date(), "years": yrs_c}
                if want_cc:
                    ok1 = a1[a1[capability] >= level_score] if len(a1) else a1
                    if ok1.empty:
                        notes.append("constant_capability: no model at the end scores as well as the start model.")
                    else:
                        best = ok1.loc[ok1["price"].idxmin()]
                        factor = float(base["price"] / best["price"])
                        r = row("constant_capability", factor, math.nan, math.nan, float(base["price"]),
                                float(best["price"]), str(base["model"]), str(best["model"]), len(scored0) + len(ok1),
                                f"cheapest model with {capability} >= {level_score:g} (the start model's score) at "
                                "the end / the start model's price; a ratio of two prices, no sampling CI")
                        r.update(per_c, factor_per_year=factor ** (1 / yrs_c) if factor > 0 and yrs_c > 0
                                 else math.nan)
                        rows.append(r)
                if want_cct:
                    cc = _cc_decline(obs_trend, capability=capability, threshold=level_score, start=c_start, end=t1,
                                     tau=DEFAULT_TAU, level=level, n_boot=max(n_boot, CC_BOOT), seed=seed,
                                     min_models=MIN_POOL, vintage="", config={})
                    r = row("constant_capability_trend", cc.factor, cc.conf_low, cc.conf_high, math.nan, math.nan,
                            str(base["model"]), "", cc.n,
                            f"lower-quartile trend of every dated price of the {cc.n_models} models with "
                            f"{capability} >= {level_score:g}, {cc.window_start.date()} to {cc.window_end.date()} "
                            "(the last observation; never extrapolated), cluster bootstrap by model")
                    r.update(start_date=cc.window_start.date(), end_date=cc.window_end.date(), years=cc.years,
                             factor_per_year=cc.factor_per_year, n_models=cc.n_models, status=cc.status,
                             reason=cc.reason or "")
                    if cc.status != ESTIMATED:
                        notes.append(f"constant_capability_trend: not estimable — {cc.reason}.")
                    rows.append(r)
    cols = ["definition", "factor", "conf_low", "conf_high", "years", "factor_per_year", "start_date", "end_date",
            "start_price", "end_price", "start_model", "end_model", "n", "n_models", "status", "reason",
            "paper_value", "note"]
    notes.append(f"Paper (Du 2026): ~{PAPER_TOTAL_DECLINE:g}-fold fall 2020–2026, definition not stated; "
                 "shown beside the endpoint row only, the definition it most likely uses.")
    return DeclineResult(references=refs("du2026.total_decline"),
        table=pd.DataFrame(rows, columns=cols), start=s_at, end=t1,
                         config={"start": str(t0.date()), "end": str(t1.date()), "definitions": list(definitions),
                                 "price": price, "window_days": window_days, "capability": capability,
                                 "level": level, "observations": observations,
                                 "exclude_reasoning": exclude_reasoning},
                         vintage=str(panel.attrs.get("vintage", "user data")), notes=tuple(notes))
