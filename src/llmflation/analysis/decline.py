"""How much did token prices fall between two dates? Three definitions, side by side.

``endpoint``
    The cheapest blended price available at the start against the cheapest available
    at the end (a model counts as available at a date when its latest price, set on or
    before that date, was observed within ``window_days``). No capability control: the
    end price may be a far smaller model. A ratio of two observed prices has no sampling
    interval.
``trend``
    ``exp(λ × years)`` from the pooled log-linear trend of all dated prices in the
    period (launch prices and price changes), with the t interval of the slope.
``constant_capability``
    The price of the start's cheapest model against the cheapest model at the end that
    scores at least as well (``capability`` column: ECI by default); the interval is the
    one of the fitted cheapest-above-threshold trend at that level, raised to the years.

Du (2026) reports a ~600-fold fall 2020–2026 without stating the definition; a fall
that size over ~5.5 years is faster than either of its tier trends, so it is most likely
an endpoint ratio (e.g. GPT-3 davinci at $60 against a ~$0.10 model).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from llmflation.analysis._results import ResultMixin
from llmflation.analysis.threshold import cheapest_above_threshold
from llmflation.analysis.trend import DAYS_PER_YEAR, dated_prices, fit_group, to_years
from llmflation.errors import InputError, check_choice

Definition = Literal["endpoint", "trend", "constant_capability"]
DEFINITIONS: tuple[str, ...] = ("endpoint", "trend", "constant_capability")
#: Du (2026): "token prices fell ~600-fold 2020–2026" (abstract).
PAPER_TOTAL_DECLINE = 600.0


@dataclass(frozen=True, repr=False, eq=False)
class DeclineResult(ResultMixin):
    """Fall in price between two dates under several definitions.

    Attributes
    ----------
    table : DataFrame
        One row per definition: ``definition, factor, conf_low, conf_high, years,
        factor_per_year, start_date, end_date, start_price, end_price, start_model,
        end_model, n, paper_value, note``.
    """

    table: pd.DataFrame
    start: pd.Timestamp
    end: pd.Timestamp
    paper_value: float = PAPER_TOTAL_DECLINE
    config: dict[str, Any] = field(default_factory=dict)
    vintage: str = "user data"
    notes: tuple[str, ...] = ()

    title = "Total fall in token prices"

    @property
    def factors(self) -> pd.Series:
        return self.table.set_index("definition")["factor"]

    def to_frame(self) -> pd.DataFrame:
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


def total_decline(panel: pd.DataFrame, *, start: str | pd.Timestamp, end: str | pd.Timestamp,
                  definitions: tuple[str, ...] | list[str] = DEFINITIONS, price: str = "blended",
                  window_days: float = 365.0, capability: str = "eci", level: float = 0.95,
                  n_boot: int = 0, seed: int | None = 0, date_col: str | None = None,
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
    definitions : list of {"endpoint", "trend", "constant_capability"}
    window_days : float
        A model's price counts as available for this long after it was last set.
    capability : str
        Score column for ``constant_capability`` (default ``eci``).
    level : float
        Interval level for ``trend`` and ``constant_capability``.

    Examples
    --------
    >>> d = pd.DataFrame({"model_id": ["a", "b", "c"], "valid_from": pd.to_datetime(["2021-01-01", "2022-01-01",
    ...                   "2023-01-01"]), "blended_usd_per_mtok": [60.0, 6.0, 0.6], "eci": [100, 110, 105]})
    >>> r = total_decline(d, start="2021-01-01", end="2023-06-01", definitions=["endpoint"])
    >>> round(float(r.factors["endpoint"]))
    100
    """
    for d in definitions:
        check_choice("definition", d, DEFINITIONS)
    t0, t1 = pd.Timestamp(start), pd.Timestamp(end)
    if not t1 > t0:
        raise InputError(f"end ({t1.date()}) must be after start ({t0.date()}).")
    frame = panel
    if exclude_reasoning and "is_reasoning" in frame.columns:
        frame = frame[~frame["is_reasoning"].astype("boolean").fillna(False).astype(bool)]
    keep = tuple(c for c in (capability, "model_name") if c in frame.columns)
    obs = dated_prices(frame, price=price, observations=observations, date_col=date_col,  # type: ignore[arg-type]
                       price_col=price_col, keep=keep)
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
                "start_model": sm, "end_model": em, "n": n, "paper_value": PAPER_TOTAL_DECLINE, "note": note}

    if "endpoint" in definitions:
        if cheapest1 is None:
            notes.append(f"endpoint: no price observed within {window_days:g} days before {t1.date()}.")
        else:
            rows.append(row("endpoint", float(cheapest0["price"] / cheapest1["price"]), math.nan, math.nan,
                            float(cheapest0["price"]), float(cheapest1["price"]), str(cheapest0["model"]),
                            str(cheapest1["model"]), len(a0) + len(a1),
                            "cheapest available price at start / at end; no capability control, no sampling CI"))
    if "trend" in definitions:
        per = obs[(obs["date"] >= s_at) & (obs["date"] <= t1)]
        if len(per) >= 3 and per["date"].nunique() > 1:
            g = fit_group(to_years(per["date"]), np.log(per["price"].to_numpy(dtype=float)), level=level,
                          n_boot=n_boot, seed=seed)
            rows.append(row("trend", math.exp(g.rate_per_year * years), math.exp(g.rate_ci[0] * years),
                            math.exp(g.rate_ci[1] * years), math.nan, math.nan, "", "", g.n,
                            f"exp(rate × years) from the pooled log-linear trend of all dated prices "
                            f"(R² = {g.r_squared:.3f}); t interval of the slope"))
        else:
            notes.append("trend: fewer than 3 dated prices in the period.")
    if "constant_capability" in definitions:
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
                ok1 = a1[a1[capability] >= level_score] if len(a1) else a1
                if ok1.empty:
                    notes.append("constant_capability: no model at the end scores as well as the start model.")
                else:
                    best = ok1.loc[ok1["price"].idxmin()]
                    factor = float(base["price"] / best["price"])
                    lo = hi = math.nan
                    yrs_c = float((t1 - c_start) / pd.Timedelta(days=DAYS_PER_YEAR))
                    per = obs[(obs["date"] >= c_start) & (obs["date"] <= t1)].rename(columns={capability: "_cap"})
                    try:
                        tr = cheapest_above_threshold(per, benchmark="_cap", thresholds={"start": level_score},
                                                      score_max=None, min_threshold=None, exclude_reasoning=False,
                                                      level=level, days_per_year=DAYS_PER_YEAR, min_points=3,
                                                      model_col="model", date_col="date", price_col="price")
                        if len(tr.trends):
                            t = tr.trends.iloc[0]
                            lo, hi = float(t["conf_low"]) ** yrs_c, float(t["conf_high"]) ** yrs_c
                    except InputError:
                        pass
                    r = row("constant_capability", factor, lo, hi, float(base["price"]), float(best["price"]),
                            str(base["model"]), str(best["model"]), len(ok1),
                            f"cheapest model with {capability} >= {level_score:g} (the start model's "
                            "score); interval from the cheapest-above-threshold trend")
                    if c_start != s_at:
                        yrs = float((t1 - c_start) / pd.Timedelta(days=DAYS_PER_YEAR))
                        r.update(start_date=c_start.date(), years=yrs,
                                 factor_per_year=factor ** (1 / yrs) if yrs > 0 else math.nan)
                    rows.append(r)
    cols = ["definition", "factor", "conf_low", "conf_high", "years", "factor_per_year", "start_date", "end_date",
            "start_price", "end_price", "start_model", "end_model", "n", "paper_value", "note"]
    notes.append(f"Paper (Du 2026): ~{PAPER_TOTAL_DECLINE:g}-fold fall 2020–2026, definition not stated "
                 "(most likely an endpoint ratio).")
    return DeclineResult(table=pd.DataFrame(rows, columns=cols), start=s_at, end=t1,
                         config={"start": str(t0.date()), "end": str(t1.date()), "definitions": list(definitions),
                                 "price": price, "window_days": window_days, "capability": capability,
                                 "level": level, "observations": observations,
                                 "exclude_reasoning": exclude_reasoning},
                         vintage=str(panel.attrs.get("vintage", "user data")), notes=tuple(notes))
