"""Hostile input on the command line (issue 23, items 5, 7, 8 and 11): a clear refusal or the right answer.

A refusal is exit code 1, nothing on stdout, and one ``Error:`` line on stderr that says
what was seen, what was expected and how to fix it (never a traceback). Runs in-process
(``tests.cli_helpers.run``); the panel is built once per process, so the module is fast.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from tests.cli_helpers import run

import llmflation as lf
from llmflation.cli import _common
from llmflation.errors import LLMFlationError


@pytest.fixture(autouse=True)
def _no_user_store(monkeypatch, tmp_path):
    """No $LLMFLATION_DB and an empty user-data location: the bundle alone, unless a test says otherwise."""
    monkeypatch.delenv("LLMFLATION_DB", raising=False)
    monkeypatch.setattr(_common, "_user_store", lambda: tmp_path / "user-data" / "llmflation.duckdb")


def refused(code: int, out: str, err: str, *needles: str) -> None:
    assert code == 1, (code, out[:300], err[:300])
    assert out == "", out[:300]
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert lines and lines[-1].startswith("Error: ") and "Traceback" not in err, err  # notes may come first
    for n in needles:
        assert n in err, (n, err)


def write(path, text: str):
    path.write_text(text)
    return str(path)


# --------------------------------------------------------------------------- dates (item 8)

YEAR0 = "0000-01-01"


@pytest.mark.parametrize("args", [
    ["price", "gpt-4o", "--on", YEAR0],
    ["cost", "--model", "gpt-4o", "--input-tokens", "1", "--output-tokens", "1", "--on", YEAR0],
    ["decline", "--start", YEAR0],
    ["decline", "--end", "2999-01-01"],
    ["forecast", "--until", YEAR0],
    ["validate", "--start", YEAR0],
    ["discrepancies", "--on", YEAR0],
    ["threshold", "--since", YEAR0],
    ["threshold", "--until", "1999-12-31"],
    ["price", "gpt-4o", "--on", "2100-01-01"],
])
def test_llm_price_dates_outside_2015_to_tomorrow_are_refused(args, capsys):
    code, out, err = run(args, capsys)
    refused(code, out, err, "outside", "2015-01-01", "typo")


@pytest.mark.parametrize("call", [
    lambda: lf.price_on("gpt-4o", on=YEAR0),
    lambda: lf.price_on("gpt-4o", on=pd.Timestamp("1990-01-01")),
    lambda: lf.forecast(pd.DataFrame({"date": ["2024-01-01"], "price": [1.0]}), until=YEAR0, by=None,
                        observations="rows", price_col="price"),
])
def test_api_date_refusals_are_package_errors(call):
    with pytest.raises(LLMFlationError, match="outside"):
        call()


def test_user_csv_dates_any_pandas_can_hold(tmp_path, capsys):
    # user data are not LLM prices: 1700 is a date (accepted); year 0000 is no date pandas holds (refused)
    rows = "".join(f"{1700 + i}-01-01,{100 * 0.9 ** i}\n" for i in range(8))
    ok = write(tmp_path / "old.csv", "date,price\n" + rows)
    code, out, err = run(["trend", "--csv", ok, "--date-column", "date", "--price-column", "price",
                          "--n-boot", "0", "-f", "json"], capsys)
    assert code == 0, err
    assert json.loads(out)["rows"][0]["start_date"].startswith("1700-01-01")
    bad = write(tmp_path / "y0.csv", "date,price\n0000-01-01,1\n" + rows)
    code, out, err = run(["trend", "--csv", bad, "--date-column", "date", "--price-column", "price"], capsys)
    refused(code, out, err, "0000-01-01", "outside what pandas can hold", "fix or drop")


# --------------------------------------------------------------------------- options (item 8)


def test_trend_by_model_on_a_csv_with_a_model_column(tmp_path, capsys):
    rows = "".join(f"{2023 + i // 6}-{(i % 6) * 2 + 1:02d}-01,{10 * 0.8 ** i:.4f},{'ab'[i % 2]}\n" for i in range(12))
    f = write(tmp_path / "m.csv", "date,price,model\n" + rows)
    code, out, err = run(["trend", "--csv", f, "--date-column", "date", "--price-column", "price", "--by", "model",
                          "--n-boot", "0", "-f", "json"], capsys)
    assert code == 0, err
    got = {r["group"]: r for r in json.loads(out)["rows"]}
    assert set(got) == {"a", "b"} and all(r["n"] == 6 for r in got.values())
    # each model's prices fall by 0.8 per two months: 0.8**6 per year, a factor of ~3.8
    assert got["a"]["factor_per_year"] == pytest.approx(0.8 ** -6, rel=0.01)


@pytest.mark.parametrize("args, needles", [
    (["premium", "--capability", "nope"], ["capability='nope'", "expected a score column", "--capability eci"]),
    (["us-china", "--domain", "nope"], ["domain='nope'", "Language"]),
    (["threshold", "--thresholds", "nan"], ["finite number", "got nan"]),
    (["threshold", "--thresholds", "x,y"], ["'x,y'", "e.g. --thresholds 60,70,80"]),
    (["threshold", "--since", "2025-01-01", "--until", "2024-01-01"], ["after until", "since <= until"]),
    (["threshold", "--thresholds", "1e9"], ["No threshold series could be fitted", "lower the thresholds"]),
])
def test_bad_options_are_refused(args, needles, capsys):
    code, out, err = run(args, capsys)
    refused(code, out, err, *needles)


# --------------------------------------------------------------------------- --db (item 5)

DB_COMMANDS = [
    ["models"], ["history", "gpt-4o"], ["validate"], ["price", "gpt-4o", "--on", "2024-06-01"],
    ["cost", "--model", "gpt-4o", "--input-tokens", "1", "--output-tokens", "1"],
    ["hhi"], ["hhi", "--usage", "all"], ["threshold"], ["trend", "--data", "cross-section"],
    ["discrepancies"],
]


@pytest.mark.parametrize("args", DB_COMMANDS)
def test_a_nonexistent_db_is_refused(args, tmp_path, capsys):
    missing = str(tmp_path / "nope.duckdb")
    code, out, err = run([*args, "--db", missing], capsys)
    refused(code, out, err, "no store at", "leave out --db")


@pytest.mark.parametrize("args", [a for a in DB_COMMANDS if not hasattr(a, "marks")])
def test_a_corrupt_db_is_refused_even_where_the_analysis_reads_only_the_bundle(args, tmp_path, capsys):
    bad = write(tmp_path / "bad.duckdb", "this is not a database\n" * 20)
    code, out, err = run([*args, "--db", bad], capsys)
    refused(code, out, err, "bad.duckdb")
    assert "store" in err


def test_price_reads_the_store_named_by_the_environment(tmp_path, monkeypatch, capsys):
    bad = write(tmp_path / "env.duckdb", "garbage\n")
    monkeypatch.setenv("LLMFLATION_DB", bad)
    code, out, err = run(["price", "gpt-4o", "--on", "2024-06-01"], capsys)
    refused(code, out, err, "env.duckdb")  # it was opened (before: ignored, bundle answered)
    monkeypatch.setenv("LLMFLATION_DB", str(tmp_path / "absent.duckdb"))
    code, out, err = run(["price", "gpt-4o", "--on", "2024-06-01"], capsys)
    refused(code, out, err, "no store at", "LLMFLATION_DB")


def test_the_default_user_store_may_be_absent(capsys):
    # only the *default* location may not exist yet: then the bundle alone is analysed
    code, out, err = run(["price", "gpt-4o", "--on", "2024-06-01", "-f", "json"], capsys)
    assert code == 0, err
    assert json.loads(out)["rows"]


# --------------------------------------------------------------------------- user CSVs (items 7, 11)


def test_hhi_refuses_a_repeated_firm_and_sums_when_told(tmp_path, capsys):
    f = write(tmp_path / "dup.csv", "firm,share_pct\nA,50\nA,30\nC,20\n")
    code, out, err = run(["hhi", "--csv", f], capsys)
    refused(code, out, err, "'A'", "listed more than once", "--sum-duplicates")
    code, out, err = run(["hhi", "--csv", f, "--sum-duplicates", "-f", "json"], capsys)
    assert code == 0, err
    assert json.loads(out)["rows"][0]["hhi"] == 6800.0


def test_dea_refuses_an_input_beyond_the_lp_range(tmp_path, capsys):
    f = write(tmp_path / "dea.csv", "x1,x2,y\n1,2,1\n2,1,1\n3,3,2\n1e20,2,2\n5,4,3\n")
    code, out, err = run(["dea", "--csv", f, "--inputs", "x1,x2", "--outputs", "y"], capsys)
    refused(code, out, err, "'x1'", "orders of magnitude", "Check the units")


@pytest.mark.parametrize("text, needles", [
    ("date,series,value\n2023-01-01,mine,100\n2023-01-01,mine,101\n2024-01-01,mine,110\n",
     ["repeat (date, series)", "'mine' on 2023-01-01", "Remove the duplicates"]),
    ("date,series,value\n2023-01-01,SEMC01,100\n2024-01-01,SEMC01,110\n",
     ["'SEMC01'", "name of a BLS series", "Rename"]),
    ("date,series,value\n03/04/2023,mine,100\n04/04/2024,mine,110\n",
     ["ambiguous order", "03/04/2023", "ISO dates"]),
])
def test_baumol_user_series_are_checked(text, needles, tmp_path, capsys):
    f = write(tmp_path / "services.csv", text)
    code, out, err = run(["baumol", "--csv", f], capsys)
    refused(code, out, err, *needles)


@pytest.mark.parametrize("args", [
    ["hhi", "--csv", "{f}"],
    ["trend", "--csv", "{f}", "--date-column", "firm", "--price-column", "share_pct"],
    ["threshold", "--csv", "{f}", "--date-column", "firm", "--price-column", "share_pct"],
    ["breaks", "--csv", "{f}", "--column", "share_pct"],
    ["dea", "--csv", "{f}", "--inputs", "firm", "--outputs", "share_pct"],
    ["baumol", "--csv", "{f}"],
])
def test_header_only_csv_files_are_refused(args, tmp_path, capsys):
    f = write(tmp_path / "empty.csv", "firm,share_pct\n")
    code, out, err = run([a.format(f=f) for a in args], capsys)
    refused(code, out, err, "empty.csv", "no data rows")


# --------------------------------------------------------------------------- breaks (items 1, 8, 9)


def test_breaks_on_a_constant_series(tmp_path, capsys):
    f = write(tmp_path / "const.csv", "y\n" + "1.0\n" * 48)
    code, out, err = run(["breaks", "--csv", f, "--column", "y", "--method", "cusum", "-f", "json"], capsys)
    assert code == 0, err
    row = json.loads(out)["rows"][0]
    assert row["p_value"] is None and row["statistic"] is None and "constant" in row["reason"]
    code, out, err = run(["breaks", "--csv", f, "--column", "y"], capsys)
    refused(code, out, err, "constant", "no break to date")


def test_breaks_near_the_largest_double(tmp_path, capsys):
    f = write(tmp_path / "huge.csv", "y\n" + "".join(f"{v:.6e}\n" for v in np.linspace(1e307, 1.7e308, 50)))
    for method in ("bai-perron", "supf", "cusum"):
        code, out, err = run(["breaks", "--csv", f, "--column", "y", "--method", method], capsys)
        refused(code, out, err, "too large", "Rescale")


def test_breaks_size_guard_names_the_limit_and_the_way_out(tmp_path, capsys):
    n = 20_001
    y = np.random.default_rng(0).standard_normal(n)
    f = tmp_path / "big.csv"
    pd.DataFrame({"y": y}).to_csv(f, index=False)
    code, out, err = run(["breaks", "--csv", str(f), "--column", "y"], capsys)
    refused(code, out, err, "n=20,001", "limit of 20,000", "Aggregate", "--max-n")


def test_progress_only_on_the_command_line_and_only_for_long_series(capsys):
    from llmflation.cli.cmd_breaks import PROGRESS_MIN_N, _dp_progress
    from llmflation.methods.breaks import bai_perron

    with _dp_progress(PROGRESS_MIN_N - 1) as cb:
        assert cb is None  # short series: no bar
    y = pd.Series(np.r_[np.zeros(300), np.ones(300)] + np.random.default_rng(2).standard_normal(600) / 10)
    bai_perron(y, max_breaks=1)
    assert capsys.readouterr() == ("", "")  # the library prints nothing
    calls: list[tuple[int, int]] = []
    with _dp_progress(PROGRESS_MIN_N) as cb:
        assert cb is not None
        bai_perron(y, max_breaks=1, progress=lambda d, t: (calls.append((d, t)), cb(d, t)))
    assert calls[-1][0] == calls[-1][1]
    assert capsys.readouterr().out == ""  # the bar goes to stderr, never stdout


@pytest.mark.parametrize("name, text, args, needles", [
    ("dea.csv", "firm,x,y\nA,1,1\nA,2,1\nB,3,2\n", ["dea", "--csv", "{f}", "--inputs", "x", "--outputs", "y",
                                                     "--dmu", "firm"], ["'A'", "one row per DMU"]),
    ("malm.csv", "dmu,year,x,y\nA,2020,1,1\nA,2020,2,1\nB,2020,3,2\nA,2021,1,2\nB,2021,2,2\n",
     ["malmquist", "--csv", "{f}", "--dmu", "dmu", "--period", "year", "--inputs", "x", "--outputs", "y"],
     ["same DMU and period", "one row per DMU × period"]),
    ("idx.csv", "period,a,b\n2020,1,2\n2020,1,3\n2021,2,2\n", ["price-index", "--prices", "{f}", "--formula", "jevons"],
     ["'2020' more than once", "one row per period"]),
    ("series.csv", "date,y\n2020-01-01,1\n2020-01-01,2\n2020-02-01,3\n", ["breaks", "--csv", "{f}", "--column", "y",
                                                                        "--date-column", "date"],
     ["repeated dates", "one row per date"]),
])
def test_every_csv_reader_refuses_duplicate_keys(name, text, args, needles, tmp_path, capsys):
    f = write(tmp_path / name, text)
    code, out, err = run([a.format(f=f) for a in args], capsys)
    refused(code, out, err, *needles)
