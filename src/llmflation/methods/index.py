"""Price indices: bilateral index-number formulas and the time-dummy regression.

:func:`price_index` implements the textbook bilateral formulas (ILO/IMF/OECD *Consumer
Price Index Manual*, 2004, ch. 15–17; Balk, *Price and Quantity Index Numbers*, 2008,
ch. 3) for a link from period ``a`` to period ``b``:

* Laspeyres ``Σ p_b q_a / Σ p_a q_a``; Paasche ``Σ p_b q_b / Σ p_a q_b``;
* Fisher ``√(Laspeyres × Paasche)``;
* Törnqvist ``exp Σ ½ (s_a + s_b) ln(p_b / p_a)`` with value shares ``s = p q / Σ p q``;
* Jevons ``exp mean ln(p_b / p_a)`` (unweighted; needs no quantities).

A *direct* (fixed-base) index compares every period with the first; a *chained* index
multiplies period-to-period links. Chained links use the **matched set** of each
adjacent pair — the products priced in both periods — so products may enter and exit
(the usual treatment of new and disappearing goods in a chained index; CPI Manual
§§ 9.60–9.64). A direct index needs every product in every period.

:func:`time_dummy_index` is the generic time-dummy regression (CPI Manual ch. 7 and 21)
used by the study's hedonic index and cost decomposition.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd

from llmflation.errors import InputError
from llmflation.signature import Frame, validated
from llmflation.validate import check_price_units, ordered_periods

Formula = Literal["laspeyres", "paasche", "fisher", "tornqvist", "jevons"]
FORMULAS: tuple[str, ...] = ("laspeyres", "paasche", "fisher", "tornqvist", "jevons")

#: Cells listed in an error message before "… and N more".
_MAX_LISTED = 8

#: A wide table of prices or quantities: index = periods, columns = products.
WideFrame = Annotated[pd.DataFrame, Frame(what="a wide pandas DataFrame (index = periods, columns = products)")]


# --------------------------------------------------------------------------- bilateral formulas


def _link(pa: np.ndarray, pb: np.ndarray, qa: np.ndarray | None, qb: np.ndarray | None, formula: str) -> float:
    """One bilateral index from ``a`` to ``b`` over aligned arrays (all finite, p > 0)."""
    if formula == "jevons":
        return float(np.exp(np.mean(np.log(pb / pa))))
    assert qa is not None and qb is not None
    if formula == "tornqvist":
        va, vb = pa * qa, pb * qb
        sa, sb = va / va.sum(), vb / vb.sum()
        return float(np.exp(np.sum(0.5 * (sa + sb) * np.log(pb / pa))))
    if formula == "paasche":
        return float(pb @ qb / (pa @ qb))
    las = float(pb @ qa / (pa @ qa))
    if formula == "laspeyres":
        return las
    return math.sqrt(las * float(pb @ qb / (pa @ qb)))


def _cells(mask: np.ndarray, index: pd.Index, columns: pd.Index) -> str:
    rows, cols = np.nonzero(mask)
    shown = [f"({index[r]!r}, {columns[c]!r})" for r, c in zip(rows[:_MAX_LISTED], cols[:_MAX_LISTED], strict=True)]
    more = f" and {len(rows) - _MAX_LISTED} more" if len(rows) > _MAX_LISTED else ""
    return ", ".join(shown) + more


def _as_matrix(frame: pd.DataFrame, what: str) -> np.ndarray:
    num = frame.apply(pd.to_numeric, errors="coerce")
    bad = num.isna().to_numpy() & frame.notna().to_numpy()
    if bad.any():
        raise InputError(f"{what} has non-numeric cells at (period, product) {_cells(bad, frame.index, frame.columns)}; "
                         "expected numbers (leave a cell empty/NaN when the product is not sold that period).")
    arr = num.to_numpy(dtype=float, na_value=np.nan)
    if np.isinf(arr).any():
        raise InputError(f"{what} has infinite values at {_cells(np.isinf(arr), frame.index, frame.columns)}; "
                         "expected finite numbers.")
    return arr


def _check_frame(x: pd.DataFrame, what: str) -> pd.DataFrame:
    # a DataFrame by price_index's signature (WideFrame); what a type cannot say: its shape and labels
    if x.shape[0] == 0 or x.shape[1] == 0:
        raise InputError(f"{what} is empty (shape {x.shape}); expected at least one period and one product.")
    for axis, lab in ((x.index, "periods (index)"), (x.columns, "products (columns)")):
        if axis.has_duplicates:
            dup = axis[axis.duplicated()].unique().tolist()[:_MAX_LISTED]
            raise InputError(f"{what} has duplicated {lab}: {dup}; each must appear once.")
    return x


def _validate(prices: Any, quantities: Any, formula: str) -> tuple[np.ndarray, np.ndarray | None, pd.Index, pd.Index]:
    p_frame = _check_frame(prices, "prices")
    p = _as_matrix(p_frame, "prices")
    if (p <= 0).any():
        raise InputError(f"prices must be > 0 (log and ratio formulas); got {p[p <= 0][:3].tolist()} at "
                         f"{_cells(p <= 0, p_frame.index, p_frame.columns)}. Drop those products or mark them missing "
                         "(NaN).")
    q = None
    if quantities is None:
        if formula != "jevons":
            raise InputError(f"formula={formula!r} is weighted and needs quantities (a DataFrame like prices); "
                             "pass quantities= or use formula='jevons' (unweighted).")
        return p, None, p_frame.index, p_frame.columns
    q_frame = _check_frame(quantities, "quantities")
    if set(q_frame.index) != set(p_frame.index) or set(q_frame.columns) != set(p_frame.columns):
        extra_i = [i for i in q_frame.index if i not in set(p_frame.index)]
        miss_i = [i for i in p_frame.index if i not in set(q_frame.index)]
        extra_c = [c for c in q_frame.columns if c not in set(p_frame.columns)]
        miss_c = [c for c in p_frame.columns if c not in set(q_frame.columns)]
        parts = [f"{lab}: {v[:_MAX_LISTED]}" for lab, v in (
            ("periods only in quantities", extra_i), ("periods only in prices", miss_i),
            ("products only in quantities", extra_c), ("products only in prices", miss_c)) if v]
        raise InputError("prices and quantities must have the same periods (index) and products (columns); "
                         + "; ".join(parts) + ". Align them (e.g. quantities.reindex_like(prices)).")
    q_frame = q_frame.reindex(index=p_frame.index, columns=p_frame.columns)
    q = _as_matrix(q_frame, "quantities")
    if (q < 0).any():
        raise InputError(f"quantities must be >= 0; got {q[q < 0][:3].tolist()} at "
                         f"{_cells(q < 0, p_frame.index, p_frame.columns)}.")
    odd = np.isnan(p) != np.isnan(q)
    if odd.any():
        raise InputError(f"prices and quantities disagree on which cells are missing at (period, product) "
                         f"{_cells(odd, p_frame.index, p_frame.columns)}: a product sold in a period needs both its "
                         "price and its quantity; mark both missing (NaN) when it is not sold.")
    return p, q, p_frame.index, p_frame.columns


@validated
def price_index(prices: WideFrame, quantities: WideFrame | None = None, *, formula: Formula = "fisher",
                chained: bool = True) -> pd.Series:
    """A price index over periods from wide tables of prices and quantities.

    Parameters
    ----------
    prices, quantities : DataFrame
        Index = periods, columns = products, same labels in both. Periods that are
        dates or numbers, or parse as unambiguous dates (``2024-01``, ``2024Q1``,
        ``Jan-2024``), are put in time order; other labels are taken in the order
        given, which ``.attrs["notes"]`` of the result says. A
        product not sold in a period is NaN in both (chained mode only). ``quantities``
        may be ``None`` for ``formula="jevons"``.
    formula : {"laspeyres", "paasche", "fisher", "tornqvist", "jevons"}
        Bilateral formula (see the module docstring). Jevons is the unweighted geometric
        mean of price relatives.
    chained : bool
        ``True`` (default): multiply period-to-period links, each over the products
        priced in both adjacent periods (the matched set). ``False``: direct comparison
        of every period with the first, which needs complete data.

    Returns
    -------
    Series
        Indexed by period in time order, first value 1.0, named after the formula;
        ``.attrs["notes"]`` says how the periods were ordered.

    Raises
    ------
    InputError
        Misaligned frames, non-positive prices, negative quantities, a missing price
        with a present quantity (or the reverse), missing cells in direct mode, or two
        adjacent periods with no product in common.

    Examples
    --------
    >>> p = pd.DataFrame({"a": [1.0, 2.0], "b": [1.0, 1.0]}, index=[2020, 2021])
    >>> q = pd.DataFrame({"a": [1.0, 1.0], "b": [3.0, 3.0]}, index=[2020, 2021])
    >>> price_index(p, q, formula="laspeyres").tolist()
    [1.0, 1.25]
    >>> round(float(price_index(p, formula="jevons").iloc[1]), 6)
    1.414214
    """
    prices, notes = _time_order(_check_frame(prices, "prices"))
    p, q, periods, products = _validate(prices, quantities, formula)
    for j, product in enumerate(products):
        check_price_units(p[:, j], [f"({periods[i]}, {product})" for i in range(len(periods))],
                          what=f"prices of {product!r}")
    seen = np.isfinite(p)
    empty = ~seen.any(axis=1)
    if empty.any():
        raise InputError(f"period(s) {[periods[i] for i in np.nonzero(empty)[0]][:_MAX_LISTED]} have no priced "
                         "product; drop them or fill in prices.")
    values = np.ones(len(periods))
    if not chained:
        if not seen.all():
            raise InputError(f"a direct (fixed-base) index needs every product priced in every period; missing "
                             f"(period, product): {_cells(~seen, periods, products)}. Use chained=True (links "
                             "over the products priced in both adjacent periods) or fill the gaps.")
        for t in range(1, len(periods)):
            values[t] = _checked_link(p, q, 0, t, np.ones(p.shape[1], bool), formula, periods)
    else:
        for t in range(1, len(periods)):
            both = seen[t - 1] & seen[t]
            if not both.any():
                raise InputError(f"periods {periods[t - 1]!r} and {periods[t]!r} have no product priced in both, "
                                 "so the chain cannot be linked; a chained index needs an overlap between adjacent "
                                 "periods.")
            values[t] = values[t - 1] * _checked_link(p, q, t - 1, t, both, formula, periods)
    out = pd.Series(values, index=periods.copy(), name=formula, dtype=float)
    out.attrs["notes"] = tuple(notes)
    return out


def _time_order(prices: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Rows in time order when the period labels are dates or numbers; else as given, with a note."""
    order, how = ordered_periods(prices.index)
    if how == "text":
        return prices, ["Period labels are not dates or numbers, so the rows are taken in the order given "
                        f"(base = {prices.index[0]!r}); use ISO dates (2024-01-31, 2024-01) or 2024Q1 to order "
                        "them by time."]
    if list(order) == list(prices.index):
        return prices, []
    return prices.loc[order], [f"Periods sorted by {'date' if how == 'date' else 'value'} (they were not in "
                               "time order in the input)."]


def _checked_link(p: np.ndarray, q: np.ndarray | None, a: int, b: int, keep: np.ndarray, formula: str,
                  periods: pd.Index) -> float:
    qa = q[a, keep] if q is not None else None
    qb = q[b, keep] if q is not None else None
    if formula != "jevons":
        assert qa is not None and qb is not None
        need = {"laspeyres": (qa,), "paasche": (qb,)}.get(formula, (qa, qb))
        if any(float(x.sum()) == 0.0 for x in need):
            raise InputError(f"the {formula} link from {periods[a]!r} to {periods[b]!r} has zero total quantity "
                             "over the products priced in both periods, so its weights are undefined; check the "
                             "quantities or use formula='jevons'.")
    return _link(p[a, keep], p[b, keep], qa, qb, formula)


def time_dummy_index(y: np.ndarray, period: np.ndarray, controls: np.ndarray | None = None) -> pd.Series:
    """Time-dummy regression ``y = Σ_t α_t 1[t] + controls·β``; returns α_t − α_first.

    ``controls`` may hold fixed-effect dummies or quality variables. Periods are sorted.

    Examples
    --------
    >>> time_dummy_index(np.log([1.0, 2.0, 4.0]), np.array([0, 1, 2])).round(4).tolist()
    [0.0, 0.6931, 1.3863]
    """
    periods = np.array(sorted(pd.unique(period)))
    D = (period[:, None] == periods[None, :]).astype(float)
    Z = D if controls is None or controls.size == 0 else np.c_[D, controls]
    coef, *_ = np.linalg.lstsq(Z, y, rcond=None)
    a = coef[:len(periods)]
    return pd.Series(a - a[0], index=periods)
