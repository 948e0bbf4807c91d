"""Table views stay readable at 80 columns: no date or number is split over two lines (issue 10, point 8)."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest
from rich.console import Console
from tests.cli_helpers import run

from llmflation.cli import _common
from llmflation.cli._common import fmt_number, print_table

WIDTH = 80
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@pytest.fixture
def narrow(monkeypatch):
    """The CLI's console as an 80-column terminal (what COLUMNS=80 gives)."""
    monkeypatch.setenv("COLUMNS", str(WIDTH))
    monkeypatch.setattr(_common, "console", Console(width=WIDTH, force_terminal=False, color_system=None))


def _check_lines(out: str) -> list[str]:
    lines = out.splitlines()
    assert lines and max(len(x.rstrip()) for x in lines) <= WIDTH
    for a, b in zip(lines, lines[1:], strict=False):
        # a date or number cut at a line end would continue at the start of the next line's cell
        assert not re.search(r"\d{4}-\d{0,2}$|\d{4}-\d{2}-$", a.rstrip()), (a, b)
    return lines


def _render(df: pd.DataFrame, title: str | None = "t") -> str:
    con = Console(width=WIDTH, record=True, force_terminal=False, color_system=None)
    with con.capture() as cap:
        print_table(df, title=title, console=con)
    return cap.get()


def _assert_whole(out: str, values) -> None:
    tokens = set(re.split(r"\s+", out))
    missing = [v for v in values if v and v not in tokens]
    assert not missing, f"split or missing on screen: {missing[:5]}"


def test_wide_table_is_split_into_groups_and_keeps_numbers_whole():
    rng = np.random.default_rng(0)
    n = 6
    df = pd.DataFrame({"model_id": [f"vendor/some-very-long-model-identifier-{i}-preview-2025" for i in range(n)],
                       "valid_from": pd.date_range("2024-01-01", periods=n, freq="37D"),
                       "valid_to": pd.date_range("2024-02-01", periods=n, freq="37D"),
                       **{f"m{j}_usd_per_mtok": rng.lognormal(0, 3, n) for j in range(8)},
                       "p_value": rng.uniform(0, 1e-9, n)})
    out = _render(df)
    _check_lines(out)
    _assert_whole(out, [d.strftime("%Y-%m-%d") for d in df["valid_from"]])
    _assert_whole(out, [fmt_number(v) for j in range(8) for v in df[f"m{j}_usd_per_mtok"]])
    _assert_whole(out, [fmt_number(v) for v in df["p_value"]])
    assert "…" in out and "(1/2)" in out and "USD per 1M tokens" in out
    assert "usd_per_mtok" not in out


def test_wide_single_row_is_shown_as_fields():
    df = pd.DataFrame([{f"statistic_number_{i}": 1234.5678 * i for i in range(12)}])
    out = _render(df)
    _check_lines(out)
    assert "field" in out and "value" in out and "12,346" in out


@pytest.mark.parametrize("v,shown", [(0.0, "0"), (3.14159, "3.142"), (26315.79, "26,316"), (5.7e-11, "5.7e-11"),
                                     (np.nan, ""), (True, "yes"), (2024, "2024"), (123456, "123,456")])
def test_fmt_number(v, shown):
    assert fmt_number(v) == shown


def test_history_at_80_columns(narrow, capsys):
    code, out, _ = run(["history", "gpt-4o"], capsys)
    assert code == 0
    _check_lines(out)
    code, js, _ = run(["history", "gpt-4o", "--format", "json"], capsys)
    rows = json.loads(js)
    _assert_whole(out, {r["valid_from"][:10] for r in rows} | {r["valid_to"][:10] for r in rows if r["valid_to"]})
    _assert_whole(out, {fmt_number(r["input_usd_per_mtok"]) for r in rows})
    # --format json keeps full precision
    assert any(isinstance(r["blended_usd_per_mtok"], float) and r["blended_usd_per_mtok"] == 4.375 for r in rows)


def test_models_at_80_columns(narrow, capsys):
    code, out, _ = run(["models", "--search", "claude"], capsys)
    assert code == 0
    _check_lines(out)
    code, js, _ = run(["models", "--search", "claude", "--format", "json"], capsys)
    rows = json.loads(js)
    _assert_whole(out, {fmt_number(r["output_usd_per_mtok"]) for r in rows})
    _assert_whole(out, {r["as_of"][:10] for r in rows if r["as_of"]})


def test_cost_and_trend_at_80_columns(narrow, capsys):
    code, out, _ = run(["cost", "--model", "gpt-4o", "--input-tokens", "1e6", "--output-tokens", "2e5", "--on",
                        "2025-01-01"], capsys)
    assert code == 0
    _check_lines(out)
    assert "2025-01-01" in out.replace(",", " ").split()
    code, out, _ = run(["trend", "--n-boot", "0"], capsys)
    assert code == 0
    lines = _check_lines(out)
    code, js, _ = run(["trend", "--n-boot", "0", "--format", "json"], capsys)
    rows = json.loads(js)["rows"]
    _assert_whole("\n".join(lines), {fmt_number(r["factor_per_year"]) for r in rows}
                  | {r["start_date"][:10] for r in rows})
