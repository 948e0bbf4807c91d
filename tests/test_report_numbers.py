"""How the report prints numbers: significant digits, ×, %, [a, b], p-value bounds."""

from __future__ import annotations

import math

import pytest

from llmflation.report import numbers as nb


@pytest.mark.parametrize(("v", "want"), [
    (4012.3, "4,010"), (0.2, "0.2"), (0.04871, "0.0487"), (1.0, "1"), (344.2, "344"),
    (1.31e8, "1.31 × 10⁸"), (9.996e5, "1,000,000"), (9.9996e6, "1 × 10⁷"), (3e-5, "3 × 10⁻⁵"),
    (float("inf"), "∞"), (float("nan"), "n/a"), (None, "n/a"), ("x", "n/a"),
])
def test_num_has_no_raw_scientific_notation(v, want) -> None:
    got = nb.num(v)
    assert got == want
    assert "e+" not in got and "e-" not in got


def test_p_values_below_the_floor_are_bounds() -> None:
    assert nb.pvalue(1.906e-287) == "< 0.001"
    assert nb.pvalue(0.0) == "< 0.001"
    assert nb.pvalue(0.049) == "0.049"
    assert nb.pvalue(1.0) == "> 0.99"
    assert nb.cell(1e-300, "p_value") == "< 0.001"


def test_factors_shares_and_intervals() -> None:
    assert nb.factor_ci(0.2, 0.0487, 0.702) == "0.2× [0.049, 0.7]"
    assert nb.factor_ci(3.21e4, 7.86, 1.31e8) == "32,100× [7.9, 1.3 × 10⁸]"
    assert nb.share(0.5) == "50.0%" and nb.share(50, scale=100) == "50.0%"
    assert nb.est_ci(1.104, 0.8, 1.6, unit=" y") == "1.1 y [0.8, 1.6]"
    assert nb.ci(float("nan"), 1) == ""
    assert nb.years(math.inf) == "∞"


def test_tables_escape_and_fold_long_tables() -> None:
    rows = [{"model": f"<i>m{i}</i>", "share": 0.1, "n": i} for i in range(30)]
    html = nb.render_table_html(rows, max_rows=12, csv_href="tables/x.csv", caption="c")
    assert "<i>" not in html and "&lt;i&gt;m0&lt;/i&gt;" in html
    visible = html.split("<details>")[0]
    assert visible.count("<tr>") == 1 + 12
    assert "All 30 rows" in html and 'href="tables/x.csv"' in html


def test_counts_and_years_are_never_rounded() -> None:
    assert nb.count(5596) == "5,596" and nb.num(5596) == "5,600"  # a count is not a measurement
    assert nb.cell(2019.0, "year") == "2019" and nb.cell(2024, "start_year") == "2024"
    assert nb.cell(5596.0, "n_models") == "5,596" and nb.cell(5596, "rows") == "5,596"
    assert nb.cell(1.5, "half_life_years") == "1.5"  # a duration in years is a number, not a year


def test_text_uses_superscripts_and_real_minus_signs() -> None:
    assert nb.humanize("1 × 10^11 and 3e-5") == "1 × 10¹¹ and 3 × 10⁻⁵"
    assert nb.humanize("a change of -0.5 on 2024-05-13") == "a change of −0.5 on 2024-05-13"
    assert nb.num(-2.5) == "−2.5"
