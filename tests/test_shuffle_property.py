"""Shuffling the rows of a dated CSV changes no result (breaks, trend, price-index, malmquist)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.cli_helpers import run

SETTINGS = settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
RNG = np.random.default_rng(7)
N = 40
SERIES = pd.DataFrame({"date": pd.date_range("2020-01-31", periods=N, freq="ME").strftime("%Y-%m-%d"),
                       "y": np.repeat([0.0, 2.0], N // 2) + 0.3 * RNG.standard_normal(N)})
PRICES = pd.DataFrame({"date": pd.date_range("2021-01-01", periods=12, freq="75D").strftime("%Y-%m-%d"),
                       "price": 30 * 0.6 ** np.arange(12) * np.exp(0.2 * RNG.standard_normal(12))})
WIDE = pd.DataFrame({"a": [1.0, 1.5, 1.2, 2.0, 2.2], "b": [3.0, 2.5, 2.0, 1.8, 1.0], "c": [5.0, 5.0, 4.0, 4.0, 3.5]},
                    index=["2021-01", "2021-02", "2021-03", "2021-04", "2021-05"])
QTY = WIDE.rdiv(10.0)
LONG = pd.DataFrame({"firm": np.tile(list("abcd"), 3), "period": np.repeat(["Jan-2020", "Feb-2020", "Mar-2020"], 4),
                     "x": RNG.uniform(1, 3, 12), "y": RNG.uniform(1, 3, 12)})


def _csv(df: pd.DataFrame, order, name: str, index: bool = False) -> Path:
    path = Path(tempfile.mkdtemp()) / name
    df.iloc[list(order)].to_csv(path, index=index)
    return path


#: LP solutions (malmquist) differ in the last bits when the DMUs come in another order.
SIGNIFICANT = 10


def _rows(out: str) -> list:
    payload = json.loads(out)
    rows = payload["rows"] if isinstance(payload, dict) else payload
    return [{k: float(f"{v:.{SIGNIFICANT}g}") if isinstance(v, float) else v for k, v in r.items()} for r in rows]


def _same(capsys, df: pd.DataFrame, order, args: list[str], flag: str, name: str, index: bool = False,
          key=None) -> None:
    base = _csv(df, range(len(df)), name, index)
    shuf = _csv(df, order, name, index)
    code_a, out_a, _ = run([*args, flag, str(base)], capsys)
    code_b, out_b, _ = run([*args, flag, str(shuf)], capsys)
    assert code_a == code_b == 0
    a, b = _rows(out_a), _rows(out_b)
    if key is not None:
        a, b = sorted(a, key=key), sorted(b, key=key)  # type: ignore[arg-type]
    assert a == b


@SETTINGS
@given(order=st.permutations(range(N)))
def test_breaks_shuffle_invariant(capsys, order):
    args = ["breaks", "--column", "y", "--date-column", "date", "--format", "json"]
    _same(capsys, SERIES, order, args, "--csv", "s.csv")
    _same(capsys, SERIES, order, [*args, "--method", "chow", "--break-at", "2021-08-31"], "--csv", "s.csv")


@SETTINGS
@given(order=st.permutations(range(len(PRICES))))
def test_trend_shuffle_invariant(capsys, order):
    args = ["trend", "--date-column", "date", "--price-column", "price", "--n-boot", "99", "--format", "json"]
    _same(capsys, PRICES, order, args, "--csv", "p.csv")


@SETTINGS
@given(order=st.permutations(range(len(WIDE))))
def test_price_index_shuffle_invariant(capsys, order):
    qpath = _csv(QTY, order, "q.csv", index=True)
    args = ["price-index", "--formula", "fisher", "--quantities", str(qpath), "--format", "json"]
    _same(capsys, WIDE, order, args, "--prices", "w.csv", index=True)


@SETTINGS
@given(order=st.permutations(range(len(LONG))))
def test_malmquist_shuffle_invariant(capsys, order):
    args = ["malmquist", "--dmu", "firm", "--period", "period", "--inputs", "x", "--outputs", "y",
            "--format", "json"]
    _same(capsys, LONG, order, args, "--csv", "m.csv", key=lambda r: (r["period"], r["dmu"]))
    _same(capsys, LONG, order, [*args[:-2], "--by", "period", "--format", "json"], "--csv", "m.csv",
          key=lambda r: str(r["period"]))


def test_malmquist_periods_in_date_order(capsys):
    path = _csv(LONG, range(len(LONG))[::-1], "m.csv")
    code, out, _ = run(["malmquist", "--csv", str(path), "--dmu", "firm", "--period", "period", "--inputs", "x",
                        "--outputs", "y", "--by", "period", "--format", "json"], capsys)
    assert code == 0
    assert [r["period"] for r in _rows(out)] == ["Feb-2020", "Mar-2020", "mean"]


pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")
