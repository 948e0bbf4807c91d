"""Exponential price trends per group: factor per year, half-life, Moore's-law test.

The model is ``ln P = a + b t`` with ``t`` in years, fitted by OLS per group (tier by
default). The annual *rate of decline* is ``λ = −b``; the price falls by a **factor**
``e^λ`` per year and halves every ``ln 2 / λ`` years (the **half-life**; infinite when
prices are not falling). Moore's law corresponds to a 2-year half-life
(``λ = ln 2 / 2 ≈ 0.347``), and the one-sided test here is H0: half-life ≥ 2 years
(``λ ≤ ln 2 / 2``) against "faster than Moore", with Student's t on ``n − 2`` df.

Confidence intervals come two ways: analytic (t interval on ``b``, mapped through the
monotone transforms) and a bootstrap of all resamples at once
(:func:`llmflation.methods.ols.bootstrap_slopes`).

**Clustered by model.** With ``observations="changes"`` a model contributes its launch
price and every later cut: several observations that share the model's level and are
not independent. Treating them as independent understates the standard errors. When
the prices have a model column, :func:`price_trend` therefore clusters by model by
default (``cluster="auto"``): the slope's standard error is the one-way cluster-robust
CR1 estimator (Stata's ``vce(cluster model)``; Liang & Zeger 1986), inference uses
Student's t on ``G − 1`` df (``G`` models), and the bootstrap resamples whole models.
With one observation per model this reduces to White's HC1 estimator.

Which prices enter matters more than the estimator. A cross-section of the models
listed today at today's prices is *survivor* data: old models still listed have been
cut to today's levels (or were delisted when they were not), so regressing today's
price on release date says nothing about how prices fell — on the OpenRouter
cross-section of 2026-03-28 the slope is nil (R² ≈ 0.003). Trends therefore use
**dated** price observations: the price at launch and every later price change, each at
the date it took effect (``observations="changes"``, the default).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from llmflation.errors import InputError, check_choice
from llmflation.methods.estimability import ESTIMATED, MIN_POINTS_RATE, estimability
from llmflation.methods.ols import LineFit, bootstrap_slopes, fit_line, ols, percentile_interval
from llmflation.normalize.units import blended
from llmflation.panel.changes import (
    CHANGE_MAX_GAP_DAYS,
    CHANGE_MERGE_DAYS,
    CHANGE_TOLERANCE,
    LAUNCH_WINDOW_DAYS,
)
from llmflation.panel.tiers import (
    DEFAULT_TIERS,
    TIER_LABELS,
    TierDefinition,
    assign_tiers,
)
from llmflation.results import (
    HypothesisTest,
    Result,
    SummaryFormat,
    render_table,
    tidy,
)
from llmflation.signature import (
    DateLike,
    Frame,
    Level,
    NonNegativeFloat,
    NonNegativeInt,
    PositiveFloat,
    Range,
    Seed,
    check_fields,
    validated,
)
from llmflation.study.paper import ref, refs
from llmflation.validate import (
    check_price_units,
    dropped_note,
    parse_dates,
)

PriceKind = Literal["blended", "input", "output"]
Observations = Literal["changes", "launch", "rows"]
LN2 = math.log(2.0)
#: A model first seen on a source's first day of coverage launched then only if released at
#: most this many days before.
CATALOGUE_START_GRACE_DAYS = 7
#: Moore's law as a price half-life in years.
MOORE_HALF_LIFE_YEARS = 2.0
#: Days per year for converting dates to decimal years (Julian year).
DAYS_PER_YEAR = 365.25
#: Blend of input and output prices (3:1), as Epoch AI and Artificial Analysis use.
BLEND_INPUT_WEIGHT = 0.75
#: The same 3:1 blend as an input:output token ratio (the argument of :func:`llmflation.normalize.units.blended`).
BLEND_RATIO = BLEND_INPUT_WEIGHT / (1 - BLEND_INPUT_WEIGHT)

#: What Du (2026) reports, shown beside our estimates (never returned as ours).
PAPER_VALUES: dict[str, Any] = {
    "half_life_years": {"economy": ref("du2026.half_life.economy").value, "mid": ref("du2026.half_life.mid").value},
    "r_squared": {"flagship": ref("du2026.r_squared.flagship").value},
    "economy_rate_per_year": ref("du2026.economy_rate").value,
    "source": ref("du2026.half_life.economy").citation,
}


# --------------------------------------------------------------------------- dates


def to_years(dates: Any) -> np.ndarray:
    """Decimal calendar years (``1970 + days / 365.25``) of dates.

    Examples
    --------
    >>> t = to_years(pd.to_datetime(["2024-01-01", "2025-01-01"]))
    >>> round(float(t[0]), 2), round(float(t[1] - t[0]), 4)
    (2024.0, 1.0021)
    """
    d = pd.to_datetime(pd.Series(dates), errors="coerce")
    if d.isna().any():
        raise InputError(f"{int(d.isna().sum())} date(s) could not be parsed; use ISO dates like 2024-05-13.")
    days = (d - pd.Timestamp("1970-01-01")) / pd.Timedelta(days=1)
    return 1970.0 + days.to_numpy(dtype=float) / DAYS_PER_YEAR


def from_years(t: float) -> pd.Timestamp:
    """Inverse of :func:`to_years` (day precision)."""
    return pd.Timestamp("1970-01-01") + pd.to_timedelta(round((t - 1970.0) * DAYS_PER_YEAR), unit="D")


# --------------------------------------------------------------------------- input prep


def price_column(price: str) -> str:
    check_choice("price", price, ("blended", "input", "output"))
    return f"{price}_usd_per_mtok"


def _norm_org(s: object) -> str:
    m = re.findall(r"[a-z0-9]+", str(s).lower())
    return m[0] if m else ""


def _first_party(frame: pd.DataFrame) -> pd.Series:
    for col in ("first_party", "is_first_party"):
        if col in frame.columns:
            return frame[col].astype("boolean").fillna(False).astype(bool)
    if {"provider", "developer"} <= set(frame.columns):
        prov = frame["provider"].map(_norm_org)
        dev = frame["developer"].map(_norm_org)
        return pd.Series((prov == dev) & (dev != ""), index=frame.index)
    return pd.Series(True, index=frame.index)


def _ensure_blended(frame: pd.DataFrame) -> pd.DataFrame:
    if "blended_usd_per_mtok" in frame.columns or not {"input_usd_per_mtok", "output_usd_per_mtok"} <= set(frame.columns):
        return frame
    out = frame.copy()
    out["blended_usd_per_mtok"] = blended(pd.to_numeric(out["input_usd_per_mtok"], errors="coerce"),
                                          pd.to_numeric(out["output_usd_per_mtok"], errors="coerce"), BLEND_RATIO)
    return out




def canonical_rows(panel: pd.DataFrame) -> pd.DataFrame:
    """The panel rows every estimator reads: the standard tariff of real models, one id per model.

    Rows of other tariffs (batch, off-peak, promotion, long prompt …), of moving pointers
    (``claude-sonnet-latest``) and of free experimental releases are left out, and
    ``model_id`` becomes the canonical ``model_key`` (the id a row was listed under is kept
    as ``listed_model_id``), so that aliases, snapshots and labels of one model group
    together. A frame without ``model_key`` (user data) is returned unchanged.

    Examples
    --------
    >>> p = pd.DataFrame({"model_key": ["m", "m", "m"], "model_id": ["m", "m-latest", "m-,-off-peak"],
    ...                   "tariff": ["standard", "standard", "off_peak"], "kind": "model"})
    >>> canonical_rows(p)["model_id"].tolist()
    ['m', 'm']
    """
    if "model_key" not in panel.columns:
        return panel
    keep = pd.Series(True, index=panel.index)
    if "tariff" in panel.columns:
        keep &= panel["tariff"].astype("string").fillna("standard").eq("standard")
    if "kind" in panel.columns:
        keep &= panel["kind"].astype("string").fillna("model").eq("model")
    out = panel[keep].copy()
    out["listed_model_id"] = out["model_id"]
    out["model_id"] = out["model_key"].where(out["model_key"].notna(), out["model_id"])
    out.attrs = dict(panel.attrs)
    return out


def _offer_changes(rows: pd.DataFrame, first: pd.DataFrame) -> pd.DataFrame:
    """Genuine price changes: a first-party offer's price that differs from the same offer's
    previous price *in the same source*, which covered the offer up to (about) that date.

    A catalogue's first sighting of a model, a switch of source or host, and a gap in
    coverage are never changes. Where the developer's curated list prices exist for the
    model, only they date its changes; otherwise the changes that several catalogues see
    within :data:`CHANGE_MERGE_DAYS` at the same price are one change.
    """
    fpr = rows[rows["_fp"]].sort_values(["model", "_key", "date"], kind="stable")
    if fpr.empty:
        return pd.DataFrame(columns=["model", "date", "_launch", "_chg_src"])
    g = fpr.groupby(["model", "_key"], sort=False)
    prev_price, prev_to = g["price"].shift(1), g["_to"].shift(1)
    gap = (fpr["date"] - pd.to_datetime(prev_to)).dt.days
    moved = prev_price.notna() & (abs(fpr["price"] / prev_price - 1) > CHANGE_TOLERANCE)
    covered = prev_to.isna() | (gap <= CHANGE_MAX_GAP_DAYS)
    ch = fpr[moved & covered.fillna(True)][["model", "date", "price", "_src"]].rename(columns={"_src": "src"})
    curated = set(rows.loc[rows["_fp"] & rows["_src"].eq("first-party"), "model"])
    ch = ch[~ch["model"].isin(curated) | ch["src"].eq("first-party")]
    ch = ch.merge(first.rename(columns={"date": "_launch_date"}), on="model")
    ch = ch[ch["date"] > ch["_launch_date"]].sort_values(["model", "date"], kind="stable")
    out, last_date, last_price, last_model = [], None, None, None
    for r in ch.itertuples(index=False):
        if (r.model == last_model and last_date is not None and (r.date - last_date).days <= CHANGE_MERGE_DAYS
                and abs(r.price / last_price - 1) <= 0.05):
            continue
        out.append({"model": r.model, "date": r.date, "_launch": False, "_chg_src": r.src})
        last_model, last_date, last_price = r.model, r.date, r.price
    return pd.DataFrame(out, columns=["model", "date", "_launch", "_chg_src"])


def dated_prices(panel: pd.DataFrame, *, price: PriceKind = "blended", observations: Observations = "changes",
                 date_col: str | None = None, price_col: str | None = None, keep: tuple[str, ...] = (),
                 launch_window_days: float | None = None, outlier_factor: float | None = None,
                 date_format: str | None = None) -> pd.DataFrame:
    """Dated prices, one per model and date (the observations trends are fitted on).

    ``"launch"``
        Each model's first observed price, at the date it was first seen: the
        developer's own (first-party) price where it sells the model that day, otherwise
        the median across the providers listing it that day.
    ``"changes"`` (default of :func:`price_trend`)
        The launch price plus every later change of the model's first-party price, each
        at the date it took effect. A median across third-party hosts is not followed
        over time: it moves when hosts come and go, not only when prices change.
    ``"rows"``
        The rows as given (user data, milestone tables).

    With ``launch_window_days`` and a ``release_date`` column, a first observation
    more than that many days after release is not a launch price (the model was first
    seen later, at a possibly cut price) and the model's launch observation is dropped.

    With ``outlier_factor``, rows whose price is more than that factor above or below
    the median of all rows of the same model are dropped first (unit errors such as
    per-character or per-token prices stored as per-million).

    Dates parse only in unambiguous formats (ISO, or ``date_format``; see
    :func:`llmflation.validate.parse_dates`). Rows without a usable date or a positive
    price are dropped and counted by reason in ``.attrs["dropped"]``. With
    ``observations="rows"`` a price series that mixes units (per token among per
    million) is refused (:func:`llmflation.validate.check_price_units`).

    Returns columns ``model, date, price`` plus ``keep`` (from the row that set the
    price; for a median, the first contributing row).

    Examples
    --------
    >>> p = pd.DataFrame({"model_id": ["m", "m", "m"], "developer": ["A", "A", "A"],
    ...                   "provider": ["A", "B", "A"],
    ...                   "valid_from": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-06-01"]),
    ...                   "valid_to": pd.to_datetime(["2024-05-31", None, None]),
    ...                   "blended_usd_per_mtok": [10.0, 8.0, 5.0]})
    >>> dated_prices(p)["price"].tolist()
    [10.0, 5.0]
    >>> dated_prices(p, observations="launch")["price"].tolist()
    [10.0]
    """
    check_choice("observations", observations, ("changes", "launch", "rows"))
    if not isinstance(panel, pd.DataFrame):
        raise InputError(f"expected a pandas DataFrame of prices; got {type(panel).__name__}.")
    frame = _ensure_blended(panel)
    pc = price_col or price_column(price)
    if pc not in frame.columns:
        raise InputError(f"price column {pc!r} is not in the frame; columns are: {', '.join(map(str, frame.columns))}. "
                         "Pass price_col= (or --price-column) to name it.")
    dc = date_col
    if dc is None:
        dc = next((c for c in ("valid_from", "date", "release_date", "observed_at") if c in frame.columns), None)
        if dc is None:
            raise InputError("no date column found (looked for valid_from, date, release_date, observed_at); "
                             "pass date_col= (or --date-column).")
    elif dc not in frame.columns:
        raise InputError(f"date column {dc!r} is not in the frame; columns are: {', '.join(map(str, frame.columns))}.")
    dropped_rows: dict[str, int] = {}
    if "tariff" in frame.columns or "kind" in frame.columns:
        # offers and tariffs are attributes, never models: the series takes the standard
        # tariff of real models (not moving pointers or free experimental releases)
        tariff = frame["tariff"].astype("string").fillna("standard") if "tariff" in frame.columns else None
        kind = frame["kind"].astype("string").fillna("model") if "kind" in frame.columns else None
        off = tariff.ne("standard") if tariff is not None else pd.Series(False, index=frame.index)
        notm = kind.ne("model") if kind is not None else pd.Series(False, index=frame.index)
        dropped_rows = {"tariff other than standard (batch, off-peak, promotion, long prompt …)": int(off.sum()),
                        "not a model (moving pointer or free experimental release)": int((notm & ~off).sum())}
        frame = frame[~(off | notm)]
    mc = next((c for c in ("model_key", "model_id", "model", "model_name") if c in frame.columns), None)
    models = (frame[mc].astype("string").to_numpy() if mc
              else pd.Series(range(len(frame))).astype("string").to_numpy())
    dates, dcount = parse_dates(frame[dc], f"date column {dc!r}", date_format=date_format)
    work = pd.DataFrame({
        "model": models,
        "date": dates.to_numpy(),
        "price": pd.to_numeric(frame[pc], errors="coerce").to_numpy(dtype=float),
    }, index=frame.index)
    for k in keep:
        if k in frame.columns:
            work[k] = frame[k]
    reasons = {"missing model": work["model"].isna().to_numpy(),
               "missing date": frame[dc].isna().to_numpy(),
               "unparseable date": (work["date"].isna() & frame[dc].notna()).to_numpy(),
               "missing price": frame[pc].isna().to_numpy(),
               "non-numeric price": (work["price"].isna() & frame[pc].notna()).to_numpy(),
               "infinite price": np.isinf(work["price"].to_numpy()),
               "non-positive price": (work["price"] <= 0).to_numpy()}
    taken = np.zeros(len(work), dtype=bool)
    dropped: dict[str, int] = dict(dropped_rows)
    for why, mask in reasons.items():
        dropped[why] = int((mask & ~taken).sum())
        taken |= mask
    work = work[~taken]
    if observations == "rows" or mc is None:
        srt = work.sort_values(["date", "price"], kind="stable")
        check_price_units(srt["price"], [f"row {i} ({d.date()})" for i, d in zip(srt.index, srt["date"],
                                                                               strict=True)], what=f"column {pc!r}")
    if outlier_factor is not None:
        if not outlier_factor > 1:
            raise InputError(f"outlier_factor must be above 1 (e.g. 10); got {outlier_factor!r}.")
        med = work.groupby("model")["price"].transform("median")
        work = work[(work["price"] <= med * outlier_factor) & (work["price"] >= med / outlier_factor)]
    if observations == "rows" or mc is None:
        # (date, model, price): the order is the same however the input rows were ordered
        out = work.sort_values(["date", "model", "price"] if mc else ["date", "price"], kind="stable")
        out = out.reset_index(drop=True)
        out.attrs["dropped"] = dropped
        return out

    fp = _first_party(frame).reindex(work.index).fillna(False).to_numpy(dtype=bool)
    prov = (frame["provider"].astype("string").fillna("") if "provider" in frame.columns
            else pd.Series("", index=frame.index)).reindex(work.index)
    # the first-party offer is the developer's own API: its cloud channels (Vertex AI for
    # Gemini, Bedrock, Azure) are other offers of the same model (Vertex priced Gemini per
    # character until 2024), used only where the developer sells no API of its own
    dev = (frame["developer"].astype("string").fillna("") if "developer" in frame.columns
           else pd.Series("", index=frame.index)).reindex(work.index)
    cloud = prov.str.contains(r"vertex|bedrock|azure|sagemaker", regex=True).to_numpy(dtype=bool) & ~(
        (dev.eq("Amazon") & prov.str.contains("bedrock")) | (dev.eq("Microsoft") & prov.str.contains("azure"))
    ).to_numpy(dtype=bool)
    own = pd.Series(fp & ~cloud, index=work.index).groupby(work["model"]).transform("any").to_numpy(dtype=bool)
    fp = fp & ~(cloud & own)
    src = (frame["source"].astype("string").fillna("") if "source" in frame.columns
           else pd.Series("", index=frame.index)).reindex(work.index)
    vto = (pd.to_datetime(frame["valid_to"], errors="coerce").reindex(work.index)
           if "valid_to" in frame.columns else pd.Series(pd.NaT, index=work.index))
    rows = work.assign(_fp=fp, _key=(prov + "|" + src).to_numpy(), _src=src.to_numpy(), _to=vto.to_numpy(),
                       _row=np.arange(len(work)))
    first = rows.groupby("model", sort=False)["date"].min().rename("date").reset_index()
    events = first.assign(_launch=True)
    if observations == "changes":
        events = pd.concat([events, _offer_changes(rows, first)], ignore_index=True)
    m = events.merge(rows, on="model", suffixes=("", "_r"))
    m = m[m["date_r"] <= m["date"]]
    # each provider/source's latest interval starting on or before the event date, if still valid then
    m = m.sort_values(["model", "date", "_key", "date_r"], kind="stable").groupby(
        ["model", "date", "_key"], sort=False).tail(1)
    m = m[m["_to"].isna() | (m["_to"] >= m["date"])]
    has_fp = m.groupby(["model", "date"])["_fp"].transform("any")
    m = m[m["_fp"] | (~has_fp & m["_launch"])]
    # a change is priced by the source that saw it (its own new price), not by a median
    own = m["_chg_src"].isna() | (m["_src"] == m["_chg_src"]) if "_chg_src" in m else pd.Series(True, index=m.index)
    has_own = own.groupby([m["model"], m["date"]]).transform("any")
    m = m[own | ~has_own]
    agg = m.groupby(["model", "date"], sort=False).agg(price=("price", "median"), _row=("_row", "min"),
                                                       _launch=("_launch", "first")).reset_index()
    agg = agg.sort_values(["model", "date"], kind="stable")
    if observations == "changes":
        # a change must move the series: within CHANGE_TOLERANCE of the last price is no change
        moves = np.ones(len(agg), dtype=bool)
        last: dict[str, float] = {}
        for i, (mdl, pr) in enumerate(zip(agg["model"].to_numpy(), agg["price"].to_numpy(), strict=True)):
            if mdl in last and abs(pr / last[mdl] - 1) <= CHANGE_TOLERANCE:
                moves[i] = False
                continue
            last[mdl] = pr
        agg = agg[moves]
    if launch_window_days is not None and "release_date" in frame.columns:
        rel = pd.to_datetime(frame["release_date"], errors="coerce").reindex(work.index).to_numpy()
        lag = (agg["date"].to_numpy() - rel[agg["_row"].to_numpy()]) / np.timedelta64(1, "D")
        late = agg["_launch"].to_numpy(dtype=bool) & (lag > launch_window_days)
        n_untrusted = 0
        if "release_date_trusted" in frame.columns:
            # a launch needs an independent release date, not a catalogue's first listing
            ok = frame["release_date_trusted"].astype("boolean").fillna(True).reindex(work.index).to_numpy(dtype=bool)
            untrusted = agg["_launch"].to_numpy(dtype=bool) & ~ok[agg["_row"].to_numpy()] & ~late
            n_untrusted = int(untrusted.sum())
            late = late | untrusted
        n_start = 0
        if "source_start" in frame.columns:
            # a catalogue's first day sees every model it covers: not their launch
            start = pd.to_datetime(frame["source_start"], errors="coerce").reindex(work.index).to_numpy()
            at_start = agg["date"].to_numpy() == start[agg["_row"].to_numpy()]
            first_day = agg["_launch"].to_numpy(dtype=bool) & at_start & (lag > CATALOGUE_START_GRACE_DAYS) & ~late
            n_start = int(first_day.sum())
            late = late | first_day
        agg = agg[~late]
        # a launch price first seen within the window is dated at the release (API
        # availability), not at the day a catalogue first listed it
        if "release_date_trusted" in frame.columns:
            rel_ok = frame["release_date_trusted"].astype("boolean").fillna(False).reindex(work.index).to_numpy(
                dtype=bool)
            rows_ = agg["_row"].to_numpy()
            redate = agg["_launch"].to_numpy(dtype=bool) & rel_ok[rows_] & ~pd.isna(rel[rows_])
            redate &= (agg["date"].to_numpy() > rel[rows_])
            agg.loc[redate, "date"] = rel[rows_][redate]
            agg = agg.sort_values(["model", "date"], kind="stable")
        agg.attrs["untrusted_launches_dropped"] = n_untrusted
        agg.attrs["catalogue_start_launches_dropped"] = n_start
    for k in keep:
        if k in rows.columns:
            agg[k] = rows[k].to_numpy()[agg["_row"].to_numpy()]
    out = agg.drop(columns=["_row", "_launch"])
    out = out.sort_values(["date", "model"], kind="stable").reset_index(drop=True)
    out.attrs["dropped"] = dropped
    return out


# --------------------------------------------------------------------------- results


_TIDY_TREND_COLUMNS = ["group", "term", "estimate", "std_error", "statistic", "p_value", "conf_low", "conf_high",
                       "boot_conf_low", "boot_conf_high", "n", "n_clusters", "r_squared", "start_date", "end_date",
                       "se_type", "status", "reason"]


def _hl(rate: float) -> float:
    return LN2 / rate if rate > 0 else math.inf


@dataclass(frozen=True, kw_only=True, eq=False, repr=False)
class GroupTrend(Result):
    """The exponential trend of one group.

    Attributes
    ----------
    group : str
    n : int
        Observations fitted.
    start, end : Timestamp
        First and last observation date.
    slope_per_year : float
        ``b`` in ``ln P = a + b t``; ``std_error`` its standard error (cluster-robust
        when ``se_type`` is ``"cluster"``; the classical one is ``fit.se_slope``).
    rate_per_year : float
        ``λ = −b`` (continuous rate of decline).
    factor_per_year : float
        ``e^λ``: the price is divided by this every year (< 1: prices rise).
    factor_ci, factor_boot_ci : (float, float)
        Analytic t and bootstrap percentile intervals at ``level``.
    half_life_years : float
        ``ln 2 / λ`` (``inf`` when prices are not falling).
    half_life_ci, half_life_boot_ci : (float, float)
    r_squared : float
        NaN when all prices are equal (R² undefined).
    moore : HypothesisTest
        One-sided t test of H0: half-life ≥ ``moore_half_life`` years (default 2).
    fit : LineFit
        The underlying OLS fit (t in decimal years, natural-log price).
    n_boot : int
        Bootstrap resamples used (degenerate ones dropped).
    se_type : {"classical", "cluster"}
        Standard errors and t intervals: classical OLS, or clustered (CR1).
    n_clusters : int or None
        Clusters (models) behind a cluster-robust fit.
    df : int
        Degrees of freedom of the t intervals and test (``n − 2``, or ``G − 1``).
    bootstrap : str
        Bootstrap scheme: ``"pairs"``, ``"residual"`` or ``"cluster"``.
    """

    group: str
    n: int
    start: pd.Timestamp
    end: pd.Timestamp
    slope_per_year: float
    std_error: float
    rate_per_year: float
    rate_ci: tuple[float, float]
    rate_boot_ci: tuple[float, float]
    factor_per_year: float
    factor_ci: tuple[float, float]
    factor_boot_ci: tuple[float, float]
    half_life_years: float
    half_life_ci: tuple[float, float]
    half_life_boot_ci: tuple[float, float]
    r_squared: float
    moore: HypothesisTest
    fit: LineFit
    n_boot: int
    level: float = 0.95
    se_type: str = "classical"
    n_clusters: int | None = None
    df: int = 0
    bootstrap: str = "pairs"

    @property
    def title(self) -> str:  # type: ignore[override]
        return f"Price trend — {self.group}"

    @property
    def df_t(self) -> int:
        """Degrees of freedom of the t reference distribution."""
        return self.df or self.fit.df_resid

    keys = ("group",)

    @property
    def status(self) -> str:
        """``"estimated"`` or ``"not estimable"`` for the rate (:func:`llmflation.methods.estimability.estimability`)."""
        return self._verdict()[0]

    @property
    def reason(self) -> str:
        """Why the rate is not estimable ('' when it is)."""
        return self._verdict()[1] or ""

    def _verdict(self) -> tuple[str, str | None]:
        n = self.n_clusters if self.se_type == "cluster" and self.n_clusters else self.n
        return estimability(n=n, min_n=MIN_POINTS_RATE, conf_low=self.factor_ci[0], conf_high=self.factor_ci[1],
                            what="factor per year")

    @property
    def half_life_status(self) -> tuple[str, str]:
        """Status and reason of the half-life: a rate whose interval reaches zero has no finite half-life bound."""
        st, why = self._verdict()
        if st == ESTIMATED:
            st, why = estimability(n=self.n, min_n=MIN_POINTS_RATE, conf_low=self.half_life_ci[0],
                                   conf_high=self.half_life_ci[1], what="half-life")
        return st, why or ""

    def wide(self) -> pd.DataFrame:
        t_slope = self.slope_per_year / self.std_error if self.std_error > 0 else math.nan
        p_slope = 2 * stats.t.sf(abs(t_slope), self.df_t) if np.isfinite(t_slope) else math.nan
        base = {"group": self.group, "n": self.n, "n_clusters": self.n_clusters, "r_squared": self.r_squared,
                "start_date": self.start.date(), "end_date": self.end.date(), "se_type": self.se_type}
        rows = [
            {"term": "log_price_slope_per_year", "estimate": self.slope_per_year, "std_error": self.std_error,
             "statistic": t_slope, "p_value": p_slope,
             "conf_low": -self.rate_ci[1], "conf_high": -self.rate_ci[0],
             "boot_conf_low": -self.rate_boot_ci[1], "boot_conf_high": -self.rate_boot_ci[0]},
            {"term": "factor_per_year", "estimate": self.factor_per_year, "conf_low": self.factor_ci[0],
             "conf_high": self.factor_ci[1], "boot_conf_low": self.factor_boot_ci[0],
             "boot_conf_high": self.factor_boot_ci[1]},
            {"term": "half_life_years", "estimate": self.half_life_years, "conf_low": self.half_life_ci[0],
             "conf_high": self.half_life_ci[1], "boot_conf_low": self.half_life_boot_ci[0],
             "boot_conf_high": self.half_life_boot_ci[1], "status": self.half_life_status[0],
             "reason": self.half_life_status[1]},
            {"term": "moore_test", "statistic": self.moore.statistic, "p_value": self.moore.p_value},
        ]
        for r in rows[:2]:
            r.update(status=self.status, reason=self.reason)
        return pd.DataFrame([{**base, **r} for r in rows]).reindex(columns=_TIDY_TREND_COLUMNS)

    def row(self) -> dict[str, Any]:
        """One wide row (used by :meth:`TrendResult.table`)."""
        return {
            "group": self.group, "n": self.n, "start_date": self.start.date(), "end_date": self.end.date(),
            "factor_per_year": self.factor_per_year, "factor_conf_low": self.factor_ci[0],
            "factor_conf_high": self.factor_ci[1], "factor_boot_low": self.factor_boot_ci[0],
            "factor_boot_high": self.factor_boot_ci[1], "half_life_years": self.half_life_years,
            "half_life_conf_low": self.half_life_ci[0], "half_life_conf_high": self.half_life_ci[1],
            "half_life_boot_low": self.half_life_boot_ci[0], "half_life_boot_high": self.half_life_boot_ci[1],
            "r_squared": self.r_squared, "moore_t": self.moore.statistic, "moore_p_value": self.moore.p_value,
            "se_type": self.se_type, "n_clusters": self.n_clusters, "status": self.status,
            "half_life_status": self.half_life_status[0], "reason": self.half_life_status[1] or self.reason,
        }


@dataclass(frozen=True, kw_only=True, eq=False, repr=False)
class TrendResult(Result):
    """Exponential price trends by group (see :func:`price_trend`).

    Attributes
    ----------
    by : str
        Grouping column (``"all"`` when pooled).
    groups : tuple of GroupTrend
        One fitted trend per group with enough observations.
    observations : DataFrame
        The dated prices fitted: ``group, model, date, price``.
    paper_value : dict
        What Du (2026) reports, for comparison.
    """

    by: str
    groups: tuple[GroupTrend, ...]
    observations: pd.DataFrame
    paper_value: dict[str, Any] = field(default_factory=lambda: dict(PAPER_VALUES))

    title = "Exponential price trends (ln price on years)"

    def __getitem__(self, group: str) -> GroupTrend:
        for g in self.groups:
            if g.group == group:
                return g
        raise InputError(f"no group {group!r} in this result; groups are: {', '.join(self.group_names)}.")

    def __iter__(self) -> Iterator[GroupTrend]:
        return iter(self.groups)

    def __len__(self) -> int:
        return len(self.groups)

    @property
    def group_names(self) -> list[str]:
        return [g.group for g in self.groups]

    def _series(self, attr: str) -> pd.Series:
        return pd.Series({g.group: getattr(g, attr) for g in self.groups}, name=attr, dtype=float)

    @property
    def factor_per_year_by_group(self) -> pd.Series:
        return self._series("factor_per_year")

    @property
    def half_life_years_by_group(self) -> pd.Series:
        return self._series("half_life_years")

    @property
    def r_squared_by_group(self) -> pd.Series:
        return self._series("r_squared")

    @property
    def moore_p_value_by_group(self) -> pd.Series:
        return pd.Series({g.group: g.moore.p_value for g in self.groups}, name="moore_p_value", dtype=float)

    keys = ("group",)

    def to_frame(self) -> pd.DataFrame:
        """Long and tidy: one row per group × term (slope, factor, half-life, Moore test)."""
        if not self.groups:
            return tidy(pd.DataFrame(columns=_TIDY_TREND_COLUMNS), self.keys)
        return pd.concat([g.to_frame() for g in self.groups], ignore_index=True)

    def wide(self) -> pd.DataFrame:
        """One wide row per group: factor, half-life, both CIs, R², Moore test."""
        return pd.DataFrame([g.row() for g in self.groups])

    def summary(self, fmt: SummaryFormat = "text") -> str:
        t = self.wide()
        cols = ["group", "n", "start_date", "end_date", "factor_per_year", "factor_conf_low", "factor_conf_high",
                "half_life_years", "half_life_conf_low", "half_life_conf_high", "r_squared", "moore_p_value"]
        t = t.reindex(columns=cols)
        lvl = int(round(100 * self.config.get("level", 0.95)))
        h0 = float(self.config.get("moore_half_life", MOORE_HALF_LIFE_YEARS))
        return render_table(t, f"{self.title} — by {self.by} ({lvl}% CIs; Moore: H0 half-life ≥ {h0:g} y)",
                            self._notes(), fmt)


# --------------------------------------------------------------------------- estimation


def fit_group(x: np.ndarray, y: np.ndarray, *, group: str = "all", dates: pd.Series | None = None,
              level: float = 0.95, n_boot: int = 2000, seed: int | None = 0,
              bootstrap: Literal["auto", "pairs", "residual", "cluster"] = "auto",
              moore_half_life: float = MOORE_HALF_LIFE_YEARS, clusters: Any = None) -> GroupTrend:
    """Fit ``ln P = a + b t`` for one group (``x`` decimal years, ``y`` natural-log price).

    Without ``clusters`` the intervals and the Moore test use the classical OLS standard
    error (t on ``n − 2`` df) and the bootstrap resamples observations. With
    ``clusters`` (one label per observation, e.g. the model id) they use the
    cluster-robust CR1 standard error (t on ``G − 1`` df) and the bootstrap resamples
    whole clusters (``bootstrap="auto"`` picks ``"cluster"`` then, else ``"pairs"``).

    Examples
    --------
    >>> t = np.linspace(2020, 2026, 13)
    >>> g = fit_group(t, 3.0 - 0.5 * (t - 2020), n_boot=200)
    >>> round(g.half_life_years, 6), round(g.factor_per_year, 6)
    (1.386294, 1.648721)
    >>> fit_group(t, 3.0 - 0.5 * (t - 2020) + 0.1 * np.sin(t), clusters=np.arange(13) // 3, n_boot=0).se_type
    'cluster'
    """
    check_choice("bootstrap", bootstrap, ("auto", "pairs", "residual", "cluster"))
    if not 0 < moore_half_life:
        raise InputError(f"moore_half_life must be a positive number of years; got {moore_half_life!r}.")
    f = fit_line(x, y)
    kind = ("cluster" if clusters is not None else "pairs") if bootstrap == "auto" else bootstrap
    if kind == "cluster" and clusters is None:
        raise InputError("bootstrap='cluster' needs clusters= (one label per observation, e.g. the model id).")
    if clusters is not None:
        cf = ols(np.column_stack([np.ones(f.n), np.asarray(x, dtype=float) - f.x_mean]), y, cov="cluster",
                 clusters=clusters)
        se, df, n_cl, se_type = float(cf.std_errors[1]), int(cf.df), cf.n_clusters, "cluster"
    else:
        se, df, n_cl, se_type = f.se_slope, f.df_resid, None, "classical"
    rate = -f.slope
    tq = float(stats.t.ppf(0.5 + level / 2, df))
    lo_b, hi_b = f.slope - tq * se, f.slope + tq * se
    rate_ci = (-hi_b, -lo_b)
    if n_boot > 0:
        draws = -bootstrap_slopes(x, y, n_boot=n_boot, seed=seed, kind=kind, clusters=clusters)
        rate_boot = percentile_interval(draws, level)
        nb = int(draws.size)
    else:
        rate_boot, nb = (math.nan, math.nan), 0
    lam0 = LN2 / moore_half_life
    null = f"half-life >= {moore_half_life:g} years (rate <= ln2/{moore_half_life:g} per year)"
    name = "Moore's-law test (one-sided t" + (", clustered)" if se_type == "cluster" else ")")
    exact = f.rss <= 1e-24 * max(f.slope**2 * f.sxx, 1e-300)
    if not exact and se > 0 and df > 0:
        tstat = (rate - lam0) / se
        moore = HypothesisTest(statistic=float(tstat), p_value=float(stats.t.sf(tstat, df)),
                               df=df, null=null, distribution=f"t({df})", name=name)
    elif exact:
        moore = HypothesisTest.not_computed(name, null, "the fit is exact (zero residual variance), so the "
                                            "t statistic is undefined")
    else:
        moore = HypothesisTest.not_computed(name, null, "the standard error is zero or has no degrees of "
                                            "freedom, so the t statistic is undefined")
    d = pd.to_datetime(pd.Series(dates)) if dates is not None else pd.Series([from_years(float(x.min())),
                                                                              from_years(float(x.max()))])
    return GroupTrend(
        group=str(group), n=f.n, start=pd.Timestamp(d.min()), end=pd.Timestamp(d.max()),
        slope_per_year=f.slope, std_error=se, rate_per_year=rate, rate_ci=rate_ci, rate_boot_ci=rate_boot,
        factor_per_year=math.exp(rate), factor_ci=(math.exp(rate_ci[0]), math.exp(rate_ci[1])),
        factor_boot_ci=(math.exp(rate_boot[0]), math.exp(rate_boot[1])) if nb else (math.nan, math.nan),
        half_life_years=_hl(rate), half_life_ci=(_hl(rate_ci[1]), _hl(rate_ci[0])),
        half_life_boot_ci=(_hl(rate_boot[1]), _hl(rate_boot[0])) if nb else (math.nan, math.nan),
        r_squared=f.r_squared, moore=moore, fit=f, n_boot=nb, level=level, se_type=se_type, n_clusters=n_cl,
        df=df, bootstrap=kind if n_boot > 0 else "none",
    )


def _vintage(panel: pd.DataFrame, obs: pd.DataFrame) -> str:
    base = str(panel.attrs.get("vintage", "user data")) if hasattr(panel, "attrs") else "user data"
    if len(obs):
        return f"{base}; prices dated {obs['date'].min().date()} to {obs['date'].max().date()}"
    return base


@dataclass(frozen=True, kw_only=True)
class TrendInference:
    """How :func:`price_trend` infers: interval level, bootstrap and clustering, the Moore null.

    These options travel together (the same inference for every group); pass one object
    as ``price_trend(..., inference=TrendInference(...))`` instead of the keywords of the
    same names (which remain accepted). Declared once: the field types are checked on
    construction.

    Parameters
    ----------
    level : float
        Confidence level of the intervals, in (0, 1).
    n_boot : int
        Bootstrap resamples (0 disables the bootstrap).
    seed : int or None
        Seed of the bootstrap (None: fresh entropy).
    bootstrap : {"auto", "pairs", "residual", "cluster"}
        Resampling scheme (see :func:`price_trend`).
    cluster : {"auto", "model", "none"} or None
        Standard errors clustered by model (see :func:`price_trend`).
    moore_half_life : float
        Half-life of the null hypothesis, years (> 0).

    Examples
    --------
    >>> import llmflation as lf
    >>> quick = lf.TrendInference(n_boot=0, level=0.9)
    >>> d = pd.DataFrame({"date": pd.date_range("2021-01-01", periods=8, freq="180D"),
    ...                   "price": 20 * 0.5 ** np.arange(8)})
    >>> lf.price_trend(d, by=None, observations="rows", price_col="price", inference=quick).config["level"]
    0.9
    >>> lf.TrendInference(level=95)
    Traceback (most recent call last):
    ...
    llmflation.errors.InputError: level must be in (0, 1); got 95. Use e.g. 0.95.
    """

    level: Level = 0.95
    n_boot: NonNegativeInt = 2000
    seed: Seed | None = 0
    bootstrap: Literal["auto", "pairs", "residual", "cluster"] = "auto"
    cluster: Literal["auto", "model", "none"] | None = "auto"
    moore_half_life: PositiveFloat = MOORE_HALF_LIFE_YEARS

    def __post_init__(self) -> None:
        check_fields(self)


_INFERENCE_FIELDS = ("level", "n_boot", "seed", "bootstrap", "cluster", "moore_half_life")


@validated
def price_trend(panel: Annotated[pd.DataFrame, Frame(what="a pandas DataFrame of dated prices (e.g. lf.load_panel())")],
                *, by: str | None = "tier", price: PriceKind = "blended",
                tiers: TierDefinition | None = None, observations: Observations = "changes", level: Level = 0.95,
                n_boot: NonNegativeInt = 2000, seed: Seed | None = 0,
                bootstrap: Literal["auto", "pairs", "residual", "cluster"] = "auto",
                cluster: Literal["auto", "model", "none"] | None = "auto",
                moore_half_life: PositiveFloat = MOORE_HALF_LIFE_YEARS,
                min_obs: Annotated[int, Range(ge=3, hint="A line with standard errors needs 3 points.")] = 5,
                date_col: str | None = None, price_col: str | None = None,
                exclude_reasoning: bool = False, tier_options: dict[str, Any] | None = None,
                launch_window_days: NonNegativeFloat | None = LAUNCH_WINDOW_DAYS,
                outlier_factor: Annotated[float, Range(gt=1)] | None = None,
                date_format: str | None = None, inference: TrendInference | None = None) -> TrendResult:
    """Fit log price on time per group: factor per year, half-life, CIs, R², Moore test.

    Parameters
    ----------
    panel : DataFrame
        Canonical price panel (``load_panel()``) or any frame with a date and a price
        column (name them with ``date_col`` / ``price_col``; then use
        ``observations="rows"`` and ``by=None`` unless you have a group column).
    by : str or None
        Grouping column; ``"tier"`` (default) uses the tier definition ``tiers``;
        ``None`` or ``"all"`` fits one pooled trend.
    price : {"blended", "input", "output"}
        Which price (blended = 3:1 input:output).
    tiers : {"positioning", "price_band", "capability"}, optional
        Tier definition (see :mod:`llmflation.panel.tiers`); default: the panel's
        ``tier`` column if present, else :data:`~llmflation.panel.tiers.DEFAULT_TIERS`
        (``"positioning"``: the developer's own product line). Price bands are offered
        because the paper uses them, but a fixed band selects on the outcome — a model
        whose price falls leaves its band — which biases within-band slopes towards
        zero; capability terciles need a score most models lack.
    observations : {"changes", "launch", "rows"}
        Dated prices at launch and at every change (default), launch prices only, or
        the rows as given. See :func:`dated_prices`.
    level : float
        Confidence level of the intervals (default 0.95).
    n_boot : int
        Bootstrap resamples (0 disables the bootstrap); ``seed`` makes them repeatable.
    bootstrap : {"auto", "pairs", "residual", "cluster"}
        ``"cluster"`` resamples whole models, ``"pairs"`` single observations,
        ``"residual"`` residuals; ``"auto"`` (default) is ``"cluster"`` when the fit is
        clustered, else ``"pairs"``.
    cluster : {"auto", "model", "none"} or None
        Cluster the standard errors by model (CR1, t on ``G − 1`` df). ``"auto"``
        (default) clusters whenever the prices have a model column (``model_id``,
        ``model`` or ``model_name``): with ``observations="changes"`` a model's launch
        price and its later cuts are not independent observations. ``"none"``/None
        gives classical OLS errors. A group with fewer than 2 models falls back on
        classical errors (said in ``notes``).
    moore_half_life : float
        Half-life of the null hypothesis (default 2 years).
    min_obs : int
        Groups with fewer observations are skipped (said in ``notes``).
    exclude_reasoning : bool
        Drop models with ``is_reasoning`` true.
    tier_options : dict, optional
        Extra arguments for :func:`~llmflation.panel.tiers.assign_tiers`
        (e.g. ``{"band_edges": (0.5, 5)}``).
    launch_window_days : float or None
        A model first priced more than this many days after its ``release_date`` has no
        launch price in the data; its first observation is dropped (default 90; None
        keeps it). See :func:`dated_prices`.
    outlier_factor : float or None
        Drop rows priced more than this factor away from their model's median (unit
        errors); default None keeps every row. See :func:`dated_prices`.
    date_format : str, optional
        ``strftime`` format of the date column (e.g. ``"%d/%m/%Y"``) or ``"unix"``;
        default: unambiguous formats only (ISO ``YYYY-MM-DD``, whole years, ``2024Q1``).
        Rows dropped for a missing or unparseable date or a non-positive price are
        counted in ``notes``.
    inference : TrendInference, optional
        ``level``, ``n_boot``, ``seed``, ``bootstrap``, ``cluster`` and
        ``moore_half_life`` as one object (then leave those keywords at their defaults).

    Returns
    -------
    TrendResult

    Notes
    -----
    Types, choices and ranges are declared in the signature and checked by
    :func:`llmflation.signature.validated`; the body checks only what a type cannot say
    (columns of this frame, options that exclude each other).

    Examples
    --------
    >>> import llmflation as lf
    >>> d = pd.DataFrame({"date": pd.date_range("2021-01-01", periods=8, freq="180D"),
    ...                   "price": 20 * 0.5 ** np.arange(8)})
    >>> r = lf.price_trend(d, by=None, observations="rows", price_col="price", n_boot=0)
    >>> round(r["all"].half_life_years, 3)
    0.493
    """
    if inference is not None:
        given = {k: v for k, v in (("level", level), ("n_boot", n_boot), ("seed", seed), ("bootstrap", bootstrap),
                                   ("cluster", cluster), ("moore_half_life", moore_half_life))
                 if v != _TREND_DEFAULTS[k]}
        if given:
            raise InputError(f"inference= and the keyword(s) {', '.join(given)} both set the inference; give "
                             "them in inference=TrendInference(...) only.")
        level, n_boot, seed = inference.level, inference.n_boot, inference.seed
        bootstrap, cluster, moore_half_life = inference.bootstrap, inference.cluster, inference.moore_half_life
    has_model = any(c in panel.columns for c in ("model_id", "model", "model_name"))
    if cluster == "model" and not has_model:
        raise InputError("cluster='model' needs a model column (model_id, model or model_name); use cluster='none'.")
    clustered = cluster == "model" or (cluster == "auto" and has_model)
    if bootstrap == "cluster" and not clustered:
        raise InputError("bootstrap='cluster' resamples models and needs a clustered fit (a model column and "
                         "cluster='auto' or 'model').")
    notes: list[str] = []
    frame = panel
    group_col = None if by in (None, "all") else by
    if exclude_reasoning:
        if "is_reasoning" not in frame.columns:
            raise InputError("exclude_reasoning=True needs an is_reasoning column.")
        frame = frame[~frame["is_reasoning"].fillna(False).astype(bool)]
        notes.append("Reasoning models excluded.")
    tier_def: Any = None
    if group_col == "tier":
        if tiers is not None:
            tier_def = tiers
        elif "tier" not in frame.columns:
            tier_def = DEFAULT_TIERS
        if tier_def is not None:
            frame = frame.assign(tier=assign_tiers(frame, tier_def, **(tier_options or {})))
        notes.append(f"Tiers: {tier_def or 'panel tier column'}"
                     + (f" ({tier_options})" if tier_options else "") + ".")
    elif tiers is not None:
        raise InputError(f"tiers={tiers!r} only applies with by='tier'; got by={by!r}.")
    if group_col is not None and group_col not in frame.columns:
        raise InputError(f"group column {group_col!r} is not in the frame; columns are: "
                         f"{', '.join(map(str, frame.columns))}. Use by=None for one pooled trend.")
    keep = (group_col,) if group_col else ()
    obs = dated_prices(frame, price=price, observations=observations, date_col=date_col, price_col=price_col,
                       keep=keep, launch_window_days=launch_window_days, outlier_factor=outlier_factor,
                       date_format=date_format)
    drop_note = dropped_note(obs.attrs.get("dropped", {}))
    if drop_note:
        notes.append(drop_note)
    n_start = int(obs.attrs.get("catalogue_start_launches_dropped", 0))
    if n_start:
        notes.append(f"{n_start} launch observation(s) left out: first seen on a catalogue's first day of coverage, "
                     f"more than {CATALOGUE_START_GRACE_DAYS} days after release (a first sighting, not a launch).")
    n_untrusted = int(obs.attrs.get("untrusted_launches_dropped", 0))
    if n_untrusted:
        notes.append(f"{n_untrusted} launch observation(s) left out: the model has no independent release date "
                     "(only a catalogue's first listing; panel column release_date_trusted).")
    if group_col:
        # a copy, not a rename: grouping by "model" must keep the model column (clusters, observations)
        obs = obs.assign(group=obs[group_col])
        n_na = int(obs["group"].isna().sum())
        if n_na:
            notes.append(f"{n_na} observation(s) without a {group_col} were left out.")
        obs = obs[obs["group"].notna()]
        obs["group"] = obs["group"].astype(str)
    else:
        obs = obs.assign(group="all")
    if obs.empty:
        raise InputError("no usable dated prices (need a parseable date and a positive price); check the columns.")
    order = [g for g in TIER_LABELS if g in set(obs["group"])] + sorted(set(obs["group"]) - set(TIER_LABELS))
    groups: list[GroupTrend] = []
    for i, g in enumerate(order):
        d = obs[obs["group"] == g]
        x = to_years(d["date"])
        if len(d) < min_obs or np.ptp(x) == 0:
            notes.append(f"Group {g!r}: {len(d)} observation(s), fewer than min_obs={min_obs} or one date; skipped.")
            continue
        cl = d["model"].astype(str).to_numpy() if clustered else None
        boot = bootstrap
        if cl is not None and len(set(cl)) < 2:
            notes.append(f"Group {g!r}: all observations are of one model, so standard errors cannot be clustered; "
                         "classical OLS errors used.")
            cl, boot = None, ("pairs" if bootstrap in ("auto", "cluster") else bootstrap)
        gt = fit_group(x, np.log(d["price"].to_numpy(dtype=float)), group=g, dates=d["date"], level=level,
                       n_boot=n_boot, seed=None if seed is None else seed + i, bootstrap=boot,
                       moore_half_life=moore_half_life, clusters=cl)
        if not np.isfinite(gt.r_squared):
            notes.append(f"Group {g!r}: every price is the same, so R² is undefined (NaN).")
        groups.append(gt)
    if not groups:
        why = " ".join(n for n in notes if n.startswith("Group ") or " dropped: " in n)
        raise InputError(f"no group could be fitted: {why} A trend needs at least min_obs={min_obs} dated prices "
                         "on at least two different dates; add rows or lower min_obs (>= 3).")
    if clustered:
        notes.append("Standard errors clustered by model (CR1, Student's t on models − 1 df); the bootstrap "
                     "resamples whole models. A model's launch price and its later cuts are not independent.")
    else:
        notes.append("Classical OLS standard errors (observations treated as independent).")
    notes.append({"changes": "Observations: one launch per canonical model (dated at its release, priced by the "
                             "developer's own API, else the median of the hosts listing it that day) and every "
                             "later change of the developer's own price seen by a source that already covered it; "
                             "a catalogue's first sighting, a switch of source or host, and rows after a shutdown "
                             "are not changes, and hosts' prices of open-weight models are not followed after "
                             "launch (their spread across hosts is not a price change).",
                  "launch": "Observations: each model's launch price (first-party, else median across providers).",
                  "rows": "Observations: the rows as given."}[observations])
    config = {"by": by, "price": price, "tiers": tier_def, "observations": observations, "level": level,
              "n_boot": n_boot, "seed": seed, "bootstrap": bootstrap, "cluster": "model" if clustered else "none",
              "moore_half_life": moore_half_life,
              "min_obs": min_obs, "date_col": date_col, "price_col": price_col,
              "exclude_reasoning": exclude_reasoning, "tier_options": tier_options,
              "launch_window_days": launch_window_days, "outlier_factor": outlier_factor}
    return TrendResult(references=refs("du2026.half_life.economy", "du2026.half_life.mid", "du2026.r_squared.flagship"),
        by=str(group_col or "all"), groups=tuple(groups),
                       observations=obs[["group", "model", "date", "price"]].reset_index(drop=True),
                       config=config, vintage=_vintage(panel, obs), notes=tuple(notes))


# --------------------------------------------------------------------------- the paper's cross-section

#: Date of the OpenRouter cross-section Du (2026) used (318 priced models).
PAPER_SNAPSHOT_DATE = "2026-03-28"


#: Defaults of price_trend's inference keywords (to tell them from values given with ``inference=``).
_TREND_DEFAULTS = {k: TrendInference.__dataclass_fields__[k].default for k in _INFERENCE_FIELDS}


@validated
def openrouter_cross_section(openrouter_daily: pd.DataFrame,
                             snapshot_date: DateLike = PAPER_SNAPSHOT_DATE) -> pd.DataFrame:
    """The OpenRouter model list of one day, as panel-like rows (one per priced model).

    Keeps models with positive input *and* output prices (USD per token → per million);
    ``release_date`` is OpenRouter's listing date (``created``), ``valid_from`` the
    snapshot date. On 2026-03-28 this is the paper's cross-section: 318 models.

    This is survivor data: every price is the price *on the snapshot day*. Regressing it
    on release date measures how today's prices vary with model age, not how prices
    fell (see :func:`price_trend`). ``openrouter_daily`` is the bundled daily model list.

    Examples
    --------
    >>> from llmflation.study.inputs import StudyInputs
    >>> len(openrouter_cross_section(StudyInputs().openrouter_daily()))
    318
    """
    o = openrouter_daily
    x = o[o["snapshot_date"].astype(str) == str(snapshot_date)]
    if x.empty:
        dates = sorted(o["snapshot_date"].astype(str).unique())
        raise InputError(f"no OpenRouter snapshot on {snapshot_date}; snapshots run {dates[0]} to {dates[-1]} "
                         "(with a gap 2026-01-30 to 2026-02-26).")
    pin = pd.to_numeric(x["pricing_prompt_usd_per_token"], errors="coerce") * 1e6
    pout = pd.to_numeric(x["pricing_completion_usd_per_token"], errors="coerce") * 1e6
    ok = (pin > 0) & (pout > 0)
    x, pin, pout = x[ok], pin[ok], pout[ok]
    ids = x["id"].astype(str)
    out = pd.DataFrame({
        "model_id": ids.to_numpy(), "model_name": x["name"].astype(str).to_numpy(),
        "developer": ids.str.split("/").str[0].to_numpy(), "provider": "openrouter",
        "release_date": pd.to_datetime(pd.to_numeric(x["created_unix"], errors="coerce"), unit="s").dt.normalize().to_numpy(),
        "valid_from": pd.Timestamp(snapshot_date), "source": "openrouter",
        "input_usd_per_mtok": pin.to_numpy(dtype=float), "output_usd_per_mtok": pout.to_numpy(dtype=float),
        "blended_usd_per_mtok": blended(pin, pout, BLEND_RATIO).to_numpy(dtype=float),
        "context_tokens": pd.to_numeric(x["context_length"], errors="coerce").to_numpy(),
        "is_reasoning": x["supports_reasoning_param"].astype(str).str.lower().eq("true").to_numpy(),
    })
    out.attrs["vintage"] = f"OpenRouter /api/v1/models snapshot {snapshot_date} (bundled openrouter_daily)"
    return out.reset_index(drop=True)
