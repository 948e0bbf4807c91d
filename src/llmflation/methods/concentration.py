"""Market concentration: Herfindahl–Hirschman index (HHI) and k-firm concentration ratios.

HHI = Σ sᵢ² with shares in percent (0–10,000 scale). When the listed shares do not add
up to 100% (surveys and rankings name only the top firms), the HHI of the listed firms is
reported with bounds for the unlisted remainder: at least nothing (it is spread over
infinitely many tiny firms), at most the remainder held by one firm.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from llmflation.analysis._results import ResultMixin
from llmflation.errors import InputError, check_choice

Unit = Literal["percent", "fraction"]
#: Du (2026): developer HHI on OpenRouter-available models, 2023Q1 → 2026Q1.
PAPER_HHI = {"2023Q1": 4558.0, "2026Q1": 2086.0}
#: Shares may add up to slightly more than 100 through rounding in published tables.
SUM_TOLERANCE_PCT = 1.0


def _as_percent(shares: Any, unit: Unit) -> np.ndarray:
    check_choice("unit", unit, ("percent", "fraction"))
    s = np.asarray(pd.Series(shares, dtype="float64") if not isinstance(shares, pd.Series)
                   else shares.astype("float64"), dtype="float64")
    if s.ndim != 1 or s.size == 0:
        raise InputError(f"shares must be a non-empty 1-D sequence of numbers, got shape {s.shape}.")
    if not np.isfinite(s).all():
        raise InputError(f"shares must be finite numbers; got {s[~np.isfinite(s)][:3].tolist()}. Drop or fill them.")
    if (s < 0).any():
        raise InputError(f"shares must be >= 0; got {s[s < 0][:3].tolist()}.")
    pct = s * 100.0 if unit == "fraction" else s
    total = pct.sum()
    if total > 100.0 + SUM_TOLERANCE_PCT:
        hint = " (did you mean unit='percent'?)" if unit == "fraction" and s.sum() <= 100.0 + SUM_TOLERANCE_PCT else ""
        raise InputError(f"shares add up to {total:.4g}%, more than 100%{hint}; pass shares of one market "
                         "and one period.")
    return pct


def hhi(shares: Any, *, unit: Unit = "percent") -> float:
    """Herfindahl–Hirschman index of market shares, on the 0–10,000 scale.

    Parameters
    ----------
    shares : sequence of float
        Market shares of the firms of one market in one period.
    unit : {"percent", "fraction"}
        Percent (30 = 30%) or fraction (0.3).

    Returns
    -------
    float
        Σ sᵢ² with sᵢ in percent. If the shares add up to less than 100%, this is the
        HHI of the listed firms only — a lower bound (see :func:`concentration` for bounds).

    Examples
    --------
    The U.S. Department of Justice's example: four firms with 30, 30, 20 and 20 percent.

    >>> hhi([30, 30, 20, 20])
    2600.0
    >>> hhi([0.5, 0.5], unit="fraction")
    5000.0
    """
    pct = _as_percent(shares, unit)
    return float(np.sum(pct**2))


def concentration_ratio(shares: Any, k: int, *, unit: Unit = "percent") -> float:
    """CR-k: the combined share (percent) of the ``k`` largest firms.

    Examples
    --------
    >>> concentration_ratio([10, 40, 30, 20], 2)
    70.0
    """
    if not isinstance(k, (int, np.integer)) or k < 1:
        raise InputError(f"k must be a positive integer, got {k!r}.")
    pct = np.sort(_as_percent(shares, unit))[::-1]
    return float(pct[:k].sum())


@dataclass(frozen=True, repr=False)
class ConcentrationResult(ResultMixin):
    """HHI (with bounds for unlisted firms) and CR-k per period.

    Attributes
    ----------
    table : DataFrame
        One row per period: ``period, n_firms, listed_share_pct, hhi, hhi_low, hhi_high,
        equivalent_firms, cr_<k>...``.
    """

    table: pd.DataFrame
    k: tuple[int, ...]
    market: str = ""
    config: dict[str, Any] = field(default_factory=dict)
    vintage: str = "user data"
    notes: tuple[str, ...] = ()

    @property
    def title(self) -> str:  # type: ignore[override]
        return f"Market concentration{': ' + self.market if self.market else ''}"

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def __repr__(self) -> str:
        return f"ConcentrationResult({len(self.table)} periods, k={self.k})"


def concentration(shares_panel: pd.DataFrame, *, k: Sequence[int] = (1, 4), period: str = "period",
                  firm: str = "firm", share: str = "share_pct", unit: Unit = "percent",
                  residual_firms: Sequence[str] = (), market: str = "") -> ConcentrationResult:
    """HHI and CR-k of every period of a long table of market shares.

    Parameters
    ----------
    shares_panel : DataFrame
        Long table: one row per period × firm with a share column.
    k : sequence of int
        Concentration ratios to report (default CR-1 and CR-4).
    period, firm, share : str
        Column names.
    residual_firms : sequence of str
        Firm labels that stand for "all others" (e.g. "other (residual, not listed)"): they
        are treated as unlisted remainder, not as one firm.

    Returns
    -------
    ConcentrationResult
        ``hhi`` counts the listed firms only (a lower bound when shares add up to less
        than 100%); ``hhi_high`` gives the whole remainder to one firm. ``equivalent_firms``
        = 10,000 / hhi.

    Examples
    --------
    >>> df = pd.DataFrame({"period": ["a"] * 4 + ["b"] * 2, "firm": list("wxyzwx"),
    ...                    "share_pct": [30, 30, 20, 20, 50, 30]})
    >>> r = concentration(df)
    >>> r.to_frame()[["period", "hhi", "hhi_high", "cr_1"]].values.tolist()
    [['a', 2600.0, 2600.0, 30.0], ['b', 3400.0, 3800.0, 50.0]]
    """
    if not isinstance(shares_panel, pd.DataFrame):
        raise InputError(f"shares_panel must be a DataFrame, got {type(shares_panel).__name__}.")
    missing = [c for c in (period, firm, share) if c not in shares_panel.columns]
    if missing:
        raise InputError(f"columns {missing} not found; the frame has {list(shares_panel.columns)}. "
                         "Name them with period=, firm=, share=.")
    ks = tuple(int(x) for x in k)
    rows = []
    for per, g in shares_panel.groupby(period, sort=True):
        resid = g[firm].isin(list(residual_firms))
        listed = _as_percent(g.loc[~resid, share], unit)
        total_listed = float(listed.sum())
        rest = max(0.0, 100.0 - total_listed)
        h = float(np.sum(listed**2))
        row: dict[str, Any] = {"period": per, "n_firms": int(len(listed)), "listed_share_pct": total_listed,
                               "hhi": h, "hhi_low": h, "hhi_high": h + rest**2,
                               "equivalent_firms": 10_000.0 / h if h > 0 else np.nan}
        srt = np.sort(listed)[::-1]
        for kk in ks:
            row[f"cr_{kk}"] = float(srt[:kk].sum()) if len(srt) >= kk else np.nan
        rows.append(row)
    notes = []
    if any(r["listed_share_pct"] < 100 - SUM_TOLERANCE_PCT for r in rows):
        notes.append("Where listed shares add up to less than 100%, hhi counts the listed firms only (a lower "
                     "bound) and hhi_high gives the unlisted remainder to a single firm; CR-k needs k listed firms.")
    return ConcentrationResult(pd.DataFrame(rows), ks, market, {"k": ks, "unit": unit},
                               shares_panel.attrs.get("vintage", "user data"), tuple(notes))


def openrouter_model_shares(snapshot: pd.DataFrame, *, start: str = "2023Q1", end: str = "2026Q1",
                            author: str = "author") -> pd.DataFrame:
    """Developer shares of the models available on OpenRouter at the end of each quarter.

    A model counts as available from its OpenRouter listing date (``created``) on. This
    is the paper's measure as far as it is known ("developer shares estimated over
    OpenRouter-available models"); it is built from one snapshot, so models delisted
    before the snapshot are missing (survivorship: early quarters are understated).

    Parameters
    ----------
    snapshot : DataFrame
        One row per listed model with columns ``author`` (developer slug) and
        ``listed`` (listing date).

    Examples
    --------
    >>> snap = pd.DataFrame({"author": ["a", "a", "b"],
    ...                      "listed": pd.to_datetime(["2023-01-05", "2023-05-01", "2023-02-01"])})
    >>> openrouter_model_shares(snap, start="2023Q1", end="2023Q2")["share_pct"].round(1).tolist()
    [50.0, 50.0, 66.7, 33.3]
    """
    for c in (author, "listed"):
        if c not in snapshot.columns:
            raise InputError(f"column {c!r} not found; expected {author!r} and 'listed' (listing date).")
    quarters = pd.period_range(pd.Period(start, "Q"), pd.Period(end, "Q"), freq="Q")
    out = []
    for q in quarters:
        avail = snapshot[snapshot["listed"] <= q.end_time]
        if avail.empty:
            continue
        counts = avail.groupby(author).size()
        for a, n in counts.items():
            out.append({"period": str(q), "firm": a, "models": int(n), "share_pct": 100.0 * n / counts.sum()})
    return pd.DataFrame(out)


@dataclass(frozen=True, repr=False)
class LLMConcentrationResult(ResultMixin):
    """Concentration of LLM developers under three measures, beside the paper's HHI."""

    table: pd.DataFrame
    config: dict[str, Any] = field(default_factory=dict)
    vintage: str = "bundled snapshot"
    notes: tuple[str, ...] = ()
    title: str = "Concentration of LLM developers (HHI, CR-k)"

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def __repr__(self) -> str:
        return f"LLMConcentrationResult({len(self.table)} rows)"


def llm_concentration(*, snapshot_date: str = "2026-03-28", k: Sequence[int] = (1, 4)) -> LLMConcentrationResult:
    """HHI and CR-k of LLM developers from the bundled data, beside the paper's 4,558 → 2,086.

    Three measures: (1) developer shares of the priced models available on OpenRouter at
    each quarter end (the paper's measure as far as it is known; from the
    ``snapshot_date`` listing, so delisted models are missing); (2) OpenRouter token
    shares by model author (weekly, 2026); (3) U.S. enterprise API spend shares (Menlo
    Ventures surveys, top firms only: HHI bounds).

    Examples
    --------
    >>> r = llm_concentration()
    >>> set(r.to_frame()["measure"]) >= {"openrouter_models_available", "menlo_enterprise_spend"}
    True
    """
    from llmflation.panel.identity import developer_of
    from llmflation.sources import bundled

    o = bundled.load_table("openrouter_daily")
    day = o[(o["snapshot_date"] == snapshot_date) & (o["pricing_prompt_usd_per_token"] > 0)
            & (o["pricing_completion_usd_per_token"] > 0)].copy()
    if day.empty:
        raise InputError(f"no priced OpenRouter models on {snapshot_date}; pick a snapshot date in "
                         f"{o['snapshot_date'].min()} → {o['snapshot_date'].max()}.")
    day["author"] = [developer_of(i, i.split("/")[0]) or i.split("/")[0] for i in day["id"]]
    day["listed"] = pd.to_datetime(day["created_unix"], unit="s")
    parts = []
    a = concentration(openrouter_model_shares(day), k=k).to_frame()
    a.insert(0, "measure", "openrouter_models_available")
    a["paper_value"] = a["period"].map(PAPER_HHI)
    parts.append(a)
    ms = bundled.load_table("market_shares")
    tok = ms[ms["market"].str.startswith("OpenRouter tokens by model author")]
    b = concentration(tok.rename(columns={"period_end": "period"}), k=k,
                      residual_firms=[f for f in tok["firm"].unique() if str(f).startswith("other")]).to_frame()
    b.insert(0, "measure", "openrouter_token_share_by_author")
    parts.append(b)
    men = ms[ms["market"].str.startswith("US enterprise LLM API spend")]
    c = concentration(men.assign(period=men["period_start"].str.slice(0, 4)), k=k).to_frame()
    c.insert(0, "measure", "menlo_enterprise_spend")
    parts.append(c)
    table = pd.concat(parts, ignore_index=True)
    notes = (
        f"openrouter_models_available: {len(day)} priced models listed on {snapshot_date}, counted from their "
        "listing date; models delisted before that day are missing, so early quarters are understated.",
        "menlo_enterprise_spend lists only the top firms (2024: Anthropic only): hhi is a lower bound, hhi_high "
        "gives the remainder to one firm.",
        "Du (2026) reports HHI 4,558 (2023Q1) → 2,086 (2026Q1) on developer shares over OpenRouter-available "
        "models (paper_value); its exact share definition is not published.",
    )
    return LLMConcentrationResult(table, {"snapshot_date": snapshot_date, "k": tuple(k)},
                                  bundled.vintage(["openrouter_daily", "market_shares"]), notes)
