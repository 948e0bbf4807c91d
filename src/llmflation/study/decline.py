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
    The trend-implied factor at that capability: the cheapest-above-threshold series
    (:mod:`llmflation.study.threshold`) at the start model's score, fitted by OLS of
    log price on time; ``factor_per_year ** years`` with the slope's t interval raised to
    the years; ``n`` is the number of points of that series. When the series cannot be
    fitted the row is absent and ``notes`` say why.

Du (2026) reports a ~600-fold fall 2020–2026 without stating the definition; a fall
that size over ~5.5 years is faster than either of its tier trends, so it is most likely
an endpoint ratio (e.g. GPT-3 davinci at $60 against a ~$0.10 model). The paper's value
is therefore shown beside the ``endpoint`` row only.
"""

from __future__ import annotations

import math
import typing
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from llmflation.errors import InputError
from llmflation.results import Result
from llmflation.signature import Level, NonNegativeInt, PositiveFloat, PriceDate, Seed, validated
from llmflation.study.paper import ref, refs
from llmflation.study.threshold import cheapest_above_threshold
from llmflation.study.trends import DAYS_PER_YEAR, LAUNCH_WINDOW_DAYS, dated_prices, fit_group, to_years

Definition = Literal["endpoint", "trend", "constant_capability", "constant_capability_trend"]
DEFINITIONS: tuple[Definition, ...] = typing.get_args(Definition)
#: The definition Du's ~600× most likely uses (the only row that carries the paper's value).
PAPER_DEFINITION = "endpoint"
#: Du (2026): "token prices fell ~600-fold 2020–2026" (abstract).
PAPER_TOTAL_DECLINE = float(ref("du2026.total_decline").value)


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
            "note": t["note"],
        })


def _available(obs: pd.DataFrame, at: pd.Timestamp, window_days: float) -> pd.DataFrame:
    """Latest price of every model as of ``at``, if observed within the window."""
    o = obs[obs["date"] <= at].sort_values("date", kind="stable").groupby("model", sort=False).tail(1)
    return o[o["date"] >= at - pd.Timedelta(days=window_days)]


def _r2_text(r2: float) -> str:
    return f"R² = {r2:.3f}" if np.isfinite(r2) else "R² undefined: every price is the same"


def _capability_trend(obs: pd.DataFrame, capability: str, level_score: float, c_start: pd.Timestamp,
                      t1: pd.Timestamp, years: float, level: float
                      ) -> tuple[tuple[float, float, float, int, str, str] | None, str]:
    """Trend-implied factor of the cheapest price at ``capability >= level_score``, or why not."""
    per = obs[(obs["date"] >= c_start) & (obs["date"] <= t1)].rename(columns={capability: "_cap"})
    try:
        tr = cheapest_above_threshold(per, benchmark="_cap", thresholds={"start": level_score}, score_max=None,
                                      min_threshold=None, exclude_reasoning=False, level=level,
                                      days_per_year=DAYS_PER_YEAR, min_points=3, model_col="model",
                                      date_col="date", price_col="price")
    except InputError as e:
        return None, str(e)
    if tr.trends.empty:
        reason = str(tr.skipped["reason"].iloc[0]) if len(tr.skipped) else "no series selected"
        n = int(tr.skipped["n"].iloc[0]) if len(tr.skipped) else 0
        return None, f"the cheapest-above-threshold series has {n} point(s) ({reason})."
    t = tr.trends.iloc[0]
    f, lo, hi = float(t["factor_per_year"]), float(t["conf_low"]), float(t["conf_high"])
    models = tuple(t["models"])
    return (f**years, lo**years, hi**years, int(t["n"]), models[0] if models else "",
            models[-1] if models else ""), ""


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
                "start_model": sm, "end_model": em, "n": n,
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
                    rows_t, why = _capability_trend(obs, capability, level_score, c_start, t1, yrs_c, level)
                    if rows_t is None:
                        notes.append(f"constant_capability_trend: not estimated — {why}")
                    else:
                        factor, lo, hi, n_pts, m0, m1 = rows_t
                        r = row("constant_capability_trend", factor, lo, hi, math.nan, math.nan, m0, m1, n_pts,
                                f"factor_per_year ** years from the OLS trend of the cheapest model with "
                                f"{capability} >= {level_score:g} ({n_pts} points); t interval of the slope")
                        r.update(per_c, factor_per_year=factor ** (1 / yrs_c) if factor > 0 and yrs_c > 0
                                 else math.nan)
                        rows.append(r)
    cols = ["definition", "factor", "conf_low", "conf_high", "years", "factor_per_year", "start_date", "end_date",
            "start_price", "end_price", "start_model", "end_model", "n", "paper_value", "note"]
    notes.append(f"Paper (Du 2026): ~{PAPER_TOTAL_DECLINE:g}-fold fall 2020–2026, definition not stated; "
                 "shown beside the endpoint row only, the definition it most likely uses.")
    return DeclineResult(references=refs("du2026.total_decline"),
        table=pd.DataFrame(rows, columns=cols), start=s_at, end=t1,
                         config={"start": str(t0.date()), "end": str(t1.date()), "definitions": list(definitions),
                                 "price": price, "window_days": window_days, "capability": capability,
                                 "level": level, "observations": observations,
                                 "exclude_reasoning": exclude_reasoning},
                         vintage=str(panel.attrs.get("vintage", "user data")), notes=tuple(notes))
