"""price_index against published index numbers (see each case's SOURCE.md)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from llmflation.methods.index import price_index

REF = Path(__file__).parent / "reference"
#: Half a unit of the 4th decimal: gpindex prints Balk's tables rounded to 4 decimals.
DIRECT_TOL = 0.5e-4 + 1e-12
#: Half a unit of the 7th significant digit of numbers near 1 (R's default print).
LINK_TOL = 0.5e-6 + 1e-12
#: Half a unit of the 4th significant digit of numbers in [1, 10) (micEconIndex run with digits = 4).
SIG4_TOL = 0.5e-3 + 1e-12


def load(case: str) -> tuple[pd.DataFrame, pd.DataFrame, dict]:  # type: ignore[type-arg]
    d = pd.read_csv(REF / case / "data.csv")
    p = d.pivot(index="period", columns="product", values="price")
    q = d.pivot(index="period", columns="product", values="quantity")
    return p, q, json.loads((REF / case / "expected.json").read_text())


BALK = "price_index_balk_artificial"


@pytest.mark.parametrize("formula", ["laspeyres", "paasche", "fisher", "tornqvist"])
def test_balk_direct_indices(formula: str) -> None:
    p, q, exp = load(BALK)
    got = price_index(p, q, formula=formula, chained=False)  # type: ignore[arg-type]
    assert list(got.index) == exp["direct_periods"]
    assert np.abs(got.to_numpy() - np.array(exp["direct"][formula])).max() <= DIRECT_TOL


def test_balk_chained_links() -> None:
    p, q, exp = load(BALK)
    links = exp["links"]
    las = price_index(p, q, formula="laspeyres")
    assert abs(las["t3"] / las["t2"] - links["laspeyres_t2_t3"]) <= LINK_TOL
    jev = price_index(p, formula="jevons")
    assert abs(jev["t2"] - 1 - links["jevons_t1_t2_minus_1"]) <= LINK_TOL


def test_balk_matched_set_links() -> None:
    p, q, exp = load(BALK)
    links = exp["links"]
    # product 3 not sold in t2: the t2 → t3 Fisher link runs over the other five products
    p3, q3 = p.copy(), q.copy()
    p3.loc["t2", 3] = np.nan
    q3.loc["t2", 3] = np.nan
    fis = price_index(p3, q3, formula="fisher")
    assert abs(fis["t3"] / fis["t2"] - links["fisher_t2_t3_without_product_3"]) <= LINK_TOL
    # product 6 not priced in t2: the Laspeyres link drops its price relative
    p6, q6 = p.copy(), q.copy()
    p6.loc["t2", 6] = np.nan
    q6.loc["t2", 6] = np.nan
    las = price_index(p6, q6, formula="laspeyres")
    assert abs(las["t3"] / las["t2"] - links["laspeyres_t2_t3_without_product_6"]) <= LINK_TOL
    assert abs(links["laspeyres_t2_t3_without_product_6"] - links["laspeyres_t2_t3"]) > 100 * LINK_TOL


@pytest.mark.parametrize("formula", ["laspeyres", "paasche", "fisher"])
def test_bleymueller_micecon(formula: str) -> None:
    p, q, exp = load("price_index_bleymueller_micecon")
    got = price_index(p, q, formula=formula, chained=False)  # type: ignore[arg-type]
    assert list(got.index) == exp["periods"]
    assert np.abs(got.to_numpy() - np.array(exp[formula])).max() <= SIG4_TOL
