"""Input parsing: a clear error or a correct answer, never a silent wrong number (issue 10, point 5)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from tests.cli_helpers import run

import llmflation as lf
from llmflation.errors import InputError, UnitError
from llmflation.validate import check_price_units, ordered_periods, parse_dates


def _series_csv(tmp_path: Path, *, shuffle: bool, name: str = "y.csv") -> Path:
    rng = np.random.default_rng(1)
    d = pd.date_range("2019-01-31", periods=80, freq="ME")
    y = np.repeat([0.0, 2.0, -1.0, 1.5], 20) + 0.3 * rng.standard_normal(80)
    df = pd.DataFrame({"date": d.strftime("%Y-%m-%d"), "y": y})
    if shuffle:
        df = df.sample(frac=1, random_state=3)
    path = tmp_path / name
    df.to_csv(path, index=False)
    return path


# --------------------------------------------------------------------------- breaks


def test_breaks_unsorted_rows_are_sorted_by_date(tmp_path, capsys):
    ordered = _series_csv(tmp_path, shuffle=False, name="a.csv")
    shuffled = _series_csv(tmp_path, shuffle=True, name="b.csv")
    args = ["--column", "y", "--date-column", "date", "--method", "chow", "--break-at", "2020-08-31",
            "--format", "json"]
    code_a, out_a, _ = run(["breaks", "--csv", str(ordered), *args], capsys)
    code_b, out_b, err_b = run(["breaks", "--csv", str(shuffled), *args], capsys)
    assert code_a == code_b == 0
    pa, pb = json.loads(out_a)["rows"][0]["p_value"], json.loads(out_b)["rows"][0]["p_value"]
    assert pa == pb and pa < 0.05
    assert "sorted by date" in err_b
    code, out, _ = run(["breaks", "--csv", str(shuffled), "--column", "y", "--date-column", "date",
                        "--format", "json"], capsys)
    assert code == 0 and json.loads(out)["n_breaks"] == 3


def test_break_at_is_parsed_as_a_date_and_the_used_date_is_said(tmp_path, capsys):
    path = _series_csv(tmp_path, shuffle=False)
    code, out, err = run(["breaks", "--csv", str(path), "--column", "y", "--date-column", "date", "--method",
                          "chow", "--break-at", "2020-08-3", "--format", "json"], capsys)
    assert code == 0
    assert json.loads(out)["rows"][0]["null"] == "no break after 2020-07-31"
    assert "used the last observation on or before it, 2020-07-31" in err
    code, _, err = run(["breaks", "--csv", str(path), "--column", "y", "--date-column", "date", "--method",
                        "chow", "--break-at", "08/03/2020"], capsys)
    assert code == 1 and err.startswith("Error: --break-at='08/03/2020' is not an unambiguous date")


def test_breaks_refuses_repeated_dates_and_counts_dropped_rows(tmp_path, capsys):
    p = tmp_path / "dup.csv"
    p.write_text("date,y\n2020-01-01,1\n2020-01-01,2\n2020-02-01,3\n")
    code, _, err = run(["breaks", "--csv", str(p), "--column", "y", "--date-column", "date"], capsys)
    assert code == 1 and "repeated dates (2020-01-01)" in err and "ambiguous" in err
    df = pd.read_csv(_series_csv(tmp_path, shuffle=False))
    df.loc[5, "date"] = "not a date"
    df.loc[7, "y"] = np.nan
    df.to_csv(p, index=False)
    code, out, err = run(["breaks", "--csv", str(p), "--column", "y", "--date-column", "date", "--method",
                          "supf", "--format", "json"], capsys)
    assert code == 0
    assert "1 row(s) dropped: 1 unparseable date" in err and "1 row(s) dropped: 1 missing y" in err
    assert any("unparseable date" in n for n in json.loads(out)["notes"])


def test_breaks_integer_years_stay_years(tmp_path, capsys):
    p = tmp_path / "years.csv"
    pd.DataFrame({"year": range(1990, 2030)[::-1], "y": np.r_[np.ones(20), np.zeros(20)]}).to_csv(p, index=False)
    code, out, _ = run(["breaks", "--csv", str(p), "--column", "y", "--date-column", "year", "--method", "chow",
                        "--break-at", "2009", "--format", "json"], capsys)
    assert code == 0 and json.loads(out)["rows"][0]["null"] == "no break after 2009"


def test_api_refuses_unsorted_dated_series():
    y = pd.Series(np.arange(10.0), index=pd.date_range("2020-01-01", periods=10)[::-1])
    with pytest.raises(InputError, match=r"not sorted in time order.*y.sort_index\(\)"):
        lf.bai_perron(y)


# --------------------------------------------------------------------------- trend


def _trend(tmp_path: Path, capsys, text: str, *extra: str) -> tuple[int, str, str]:
    p = tmp_path / "t.csv"
    p.write_text(text)
    return run(["trend", "--csv", str(p), "--date-column", "date", "--price-column", "price", "--n-boot", "0",
                "--format", "json", *extra], capsys)


@pytest.mark.parametrize("text,match", [
    ("date,price\n2024-01-01,10\n", "no group could be fitted"),
    ("date,price\n2024-01-01,10\n2024-06-01,5\n", "no group could be fitted"),
    ("date,price\n" + "2024-01-01,10\n" * 6, "at least two different dates"),
    ("date,price\n" + "".join(f"{1577836800 + i * 31536000},{10 / 2 ** i}\n" for i in range(6)), "Unix seconds"),
    ("date,price\n13/01/2021,10\n14/07/2021,8\n15/01/2022,5\n", "ambiguous order"),
    ("date,price\nfoo,1\nbar,2\n", "no value of date column 'date' is a date"),
])
def test_trend_bad_csv_gives_error_not_traceback(tmp_path, capsys, text, match):
    code, out, err = _trend(tmp_path, capsys, text)
    assert code == 1 and err.startswith("Error: ") and match in err and out == ""


def test_trend_integer_years_and_declared_format(tmp_path, capsys):
    years = "date,price\n" + "".join(f"{2020 + i},{16 / 2 ** i}\n" for i in range(6))
    code, out, _ = _trend(tmp_path, capsys, years)
    assert code == 0 and json.loads(out)["rows"][0]["half_life_years"] == pytest.approx(1.0, rel=1e-3)
    dmy = "date,price\n" + "".join(f"01/0{m}/2021,{10 - m}\n" for m in range(1, 8))
    code, out, _ = _trend(tmp_path, capsys, dmy, "--date-format", "%d/%m/%Y")
    row = json.loads(out)["rows"][0]
    assert code == 0 and row["start_date"].startswith("2021-01-01") and row["end_date"].startswith("2021-07-01")


def test_trend_counts_dropped_rows_in_notes_and_stderr(tmp_path, capsys):
    text = ("date,price\n2021-01-01,10\n2021-07-01,8\nnot a date,5\n2022-07-01,-1\n2023-01-01,\n2023-07-01,2\n"
            "2024-01-01,1.5\n2024-07-01,1\n2025-01-01,0.9\n2025-03-01,0.8\n")
    code, out, err = _trend(tmp_path, capsys, text)
    msg = "3 row(s) dropped: 1 unparseable date, 1 missing price, 1 non-positive price."
    assert code == 0 and msg in err and msg in json.loads(out)["notes"]


def test_trend_mixed_units_are_refused_with_rows_named(tmp_path, capsys):
    rows = [f"202{i // 2 + 1}-0{1 + 6 * (i % 2)}-01,{10 / 1.5 ** i}" for i in range(8)]
    text = "date,price\n" + "\n".join(rows) + "\n2025-06-01,0.000001\n2025-09-01,0.0000008\n"
    code, _, err = _trend(tmp_path, capsys, text)
    assert code == 1 and "mixes units" in err and "row 8 (2025-06-01)" in err and "row 9 (2025-09-01)" in err


def test_check_price_units_neighbour_jump_and_ok_series():
    check_price_units([60.0, 30.0, 10.0, 2.0, 0.5, 0.1, 0.06], list("abcdefg"))  # 1,000x over years: fine
    with pytest.raises(UnitError, match="a = 1e-05"):
        check_price_units([1e-5, 10.0, 9.0, 8.0, 7.0], list("abcde"))


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize("value", ["06/01/2024", "6.1.2024", "01-06-24", "2024/06/01"])
def test_on_refuses_ambiguous_dates(value, capsys):
    code, _, err = run(["cost", "--model", "gpt-4o", "--input-tokens", "1e6", "--output-tokens", "2e5",
                        "--on", value], capsys)
    assert code == 1 and err.startswith(f"Error: --on {value!r} is not a date; expected YYYY-MM-DD")


def test_parse_dates_formats():
    d, dropped = parse_dates(pd.Series(["2024-01-31", "2024-02", "2024Q3", "Mar-2024", "March 2024", "", None]),
                             "d")
    assert [x.strftime("%Y-%m-%d") for x in d.dropna()] == ["2024-01-31", "2024-02-01", "2024-07-01",
                                                            "2024-03-01", "2024-03-01"]
    assert dropped == {"missing": 2, "unparseable": 0}
    with pytest.raises(InputError, match="ambiguous order"):
        parse_dates(pd.Series(["2024-01-01", "06/01/2024"]), "d")


# --------------------------------------------------------------------------- shares


def test_hhi_percent_vs_fraction_both_directions(tmp_path, capsys):
    with pytest.raises(InputError, match=r"look like fractions of 1\. Pass unit='fraction'"):
        lf.hhi([0.5, 0.5])
    with pytest.raises(InputError, match="did you mean unit='percent'"):
        lf.hhi([50, 50], unit="fraction")
    assert lf.hhi([0.5, 0.5], unit="fraction") == lf.hhi([50, 50]) == 5000.0
    p = tmp_path / "s.csv"
    pd.DataFrame({"firm": list("abcd"), "share_pct": [0.4, 0.3, 0.2, 0.1]}).to_csv(p, index=False)
    code, out, err = run(["hhi", "--csv", str(p)], capsys)
    assert code == 1 and "--unit fraction" in err and out == ""
    code, out, _ = run(["hhi", "--csv", str(p), "--unit", "fraction", "--format", "json"], capsys)
    assert code == 0 and json.loads(out)["rows"][0]["hhi"] == pytest.approx(3000.0)


def test_concentration_k_checked():
    df = pd.DataFrame({"period": ["a", "a"], "firm": ["x", "y"], "share_pct": [60.0, 40.0]})
    with pytest.raises(InputError, match="integer >= 1"):
        lf.concentration(df, k=[-1])


# --------------------------------------------------------------------------- periods


def test_malmquist_orders_month_labels_as_dates():
    p = pd.DataFrame({"firm": [1, 2] * 3, "per": ["Feb-2020"] * 2 + ["Jan-2020"] * 2 + ["Mar-2020"] * 2,
                      "x": [2.0, 3.0, 1.0, 3.0, 1.5, 2.0], "y": [1.0, 3.0, 1.0, 3.0, 2.0, 2.5]})
    r = lf.malmquist(p, dmu="firm", period="per", inputs=["x"], outputs=["y"])
    assert r.periods == ("Jan-2020", "Feb-2020", "Mar-2020")
    assert "Periods ordered as dates." in r.notes


def test_price_index_orders_dated_periods_and_says_when_it_cannot(tmp_path, capsys):
    p = pd.DataFrame({"a": [2.0, 1.0, 4.0], "b": [1.0, 1.0, 1.0]}, index=["2021-02", "2021-01", "2021-03"])
    s = lf.price_index(p, formula="jevons")
    assert list(s.index) == ["2021-01", "2021-02", "2021-03"] and s.iloc[0] == 1.0
    assert s.iloc[-1] == pytest.approx(2.0)
    assert "Periods sorted by date" in s.attrs["notes"][0]
    t = lf.price_index(p.set_axis(["b", "a", "c"]), formula="jevons")
    assert list(t.index) == ["b", "a", "c"] and "order given" in t.attrs["notes"][0]
    f = tmp_path / "p.csv"
    p.to_csv(f)
    code, out, _ = run(["price-index", "--prices", str(f), "--formula", "jevons", "--format", "json"], capsys)
    assert code == 0 and [r["period"] for r in json.loads(out)["rows"]] == ["2021-01", "2021-02", "2021-03"]


def test_price_index_mixed_units_refused():
    p = pd.DataFrame({"a": [2.0, 1.5, 1.4e-6], "b": [1.0, 1.0, 1.0]}, index=[2020, 2021, 2022])
    with pytest.raises(UnitError, match=r"prices of 'a' mixes units: \(2022, a\) = 1.4e-06"):
        lf.price_index(p, formula="jevons")


def test_ordered_periods_refuses_two_labels_for_one_period():
    with pytest.raises(InputError, match="same period"):
        ordered_periods(["2024-01", "Jan-2024"])


def test_the_data_range_is_the_price_data_not_the_cpi():
    """Issue 20 point 6: the range shown is the price tables' (the CPI reaches back to 1913)."""
    from llmflation.sources import bundled
    from llmflation.study.inputs import StudyInputs

    line = StudyInputs(None).describe()
    assert "1913" not in line and bundled.vintage(list(bundled.PRICE_TABLES)) in line
    import llmflation as lf

    assert "1913" not in lf.load_panel(warn=False).attrs["vintage"]
