"""Output a hostile value cannot subvert (issue 23, items 4 and 11): strict JSON, safe CSV, escaped text.

* ``--format json`` is strict JSON (RFC 8259): infinities and NaN become ``null`` (with a
  note naming the columns where a number was infinite), never ``NaN``/``Infinity``;
* ``--format csv`` cells that a spreadsheet would run as a formula (``=``, ``+``, ``-``
  when not a number, ``@``, tab, CR) are prefixed with ``'``;
* control and bidi characters (NUL, U+202E …) are shown as escapes in CSV and in
  terminal tables, so a model id cannot reverse or hide text.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from tests.cli_helpers import run

from llmflation.cli import _common
from llmflation.cli._common import Format, csv_safe, emit, escape_controls


@pytest.fixture(autouse=True)
def _no_user_store(monkeypatch, tmp_path):
    monkeypatch.delenv("LLMFLATION_DB", raising=False)
    monkeypatch.setattr(_common, "_user_store", lambda: tmp_path / "user-data" / "llmflation.duckdb")


def strict(text: str):
    """Parse ``text`` as strict JSON: NaN, Infinity and -Infinity are errors."""
    def bad(const: str):
        raise AssertionError(f"non-JSON constant {const} in output")
    return json.loads(text, parse_constant=bad)


# --------------------------------------------------------------------------- strict JSON (item 4)


def test_cost_of_1e308_tokens_is_refused_not_infinity(capsys):
    # before: "cost_usd": Infinity (not JSON); an overflowing cost is no answer at all
    code, out, err = run(["cost", "--model", "gpt-4o", "--input-tokens", "1e308", "--output-tokens", "1",
                          "--on", "2024-10-01", "-f", "json"], capsys)
    assert code == 1 and out == "" and err.startswith("Error: ") and "overflows" in err, err
    code, out, err = run(["cost", "--model", "gpt-4o", "--input-tokens", "1e12", "--output-tokens", "1",
                          "--on", "2024-10-01", "-f", "json"], capsys)
    assert code == 0, err
    total = [r for r in strict(out)["rows"] if r["role"] == "asked" and r["line"] == "total"]
    assert total and total[0]["usd"] > 0


def test_breaks_on_a_constant_series_is_strict_json(tmp_path, capsys):
    f = tmp_path / "c.csv"
    f.write_text("y\n" + "2.5\n" * 40)
    code, out, err = run(["breaks", "--csv", str(f), "--column", "y", "--method", "supf", "-f", "json"], capsys)
    assert code == 0, err
    doc = strict(out)
    assert all(r["statistic"] is None for r in doc["rows"]) and "constant" in doc["rows"][0]["reason"]


def test_flat_trend_is_strict_json(tmp_path, capsys):
    f = tmp_path / "flat.csv"
    f.write_text("date,price\n" + "".join(f"{2023 + i // 6}-{(i % 6) * 2 + 1:02d}-01,5\n" for i in range(12)))
    code, out, err = run(["trend", "--csv", str(f), "--date-column", "date", "--price-column", "price",
                          "--n-boot", "0", "-f", "json"], capsys)
    assert code == 0, err
    doc = strict(out)
    assert doc["rows"][0]["r_squared"] is None and doc["rows"][0]["factor_per_year"] == pytest.approx(1.0)


def test_threshold_on_the_panel_with_eci_is_strict_json(capsys):
    code, out, err = run(["threshold", "--source", "panel", "--benchmark", "ECI", "-f", "json"], capsys)
    assert code == 0, err
    doc = strict(out)
    # open-ended bands have an infinite upper bound: written as null and said in the notes
    assert any(r["upper"] is None for r in doc["rows"])
    assert any("written as null" in n and "upper" in n for n in doc["notes"])


def test_emit_json_never_writes_nan_or_infinity(capsys):
    df = pd.DataFrame({"a": [1.0, np.inf, -np.inf, np.nan], "b": ["x", None, "z", "w"]})
    emit(df, Format.json, extra={"title": "t", "notes": [], "config": {"k": (np.float64(np.inf), 2)}})
    doc = strict(capsys.readouterr().out)
    assert [r["a"] for r in doc["rows"]] == [1.0, None, None, None]
    assert doc["config"]["k"] == [None, 2]
    assert "a" in doc["notes"][-1] and "k" in doc["notes"][-1]


def test_report_results_json_is_strict():
    # results.json is written by report/build.py through the same strict encoder
    import inspect

    from llmflation.report import build

    src = inspect.getsource(build)
    assert 'write_text(dumps_strict(doc' in src and "json.dumps(doc" not in src
    from llmflation.validate import dumps_strict

    assert strict(dumps_strict({"sections": {"x": {"tables": {"t": [{"v": float("inf")}]}}}})) == {
        "sections": {"x": {"tables": {"t": [{"v": None}]}}}}


def test_json_stdout_is_strict_in_a_subprocess(tmp_path):
    # the real stdout (fd 1): what a pipe into a strict parser sees
    f = tmp_path / "c.csv"
    f.write_text("y\n" + "1.0\n" * 30)
    p = subprocess.run([sys.executable, "-m", "llmflation", "breaks", "--csv", str(f), "--column", "y",
                        "--method", "cusum", "-f", "json"], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert strict(p.stdout)["rows"][0]["p_value"] is None


# --------------------------------------------------------------------------- CSV cells (item 11)


@pytest.mark.parametrize("cell, shown", [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"), ("+1+1", "'+1+1"), ("-x", "'-x"),
    ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\\x09x"), ("\r=1", "'\\x0d=1"),
    ("-0.5", "-0.5"), ("+3", "+3"), ("1e-3", "1e-3"), ("gpt-4o", "gpt-4o"), ("a-b", "a-b"),
])
def test_csv_cells_are_spreadsheet_safe(cell, shown):
    assert csv_safe(cell) == shown


@pytest.mark.parametrize("text, shown", [
    ("evil\u202etxt.exe", "evil\\u202etxt.exe"), ("nul\x00byte", "nul\\x00byte"),
    ("bell\x07", "bell\\x07"), ("\u2066isolate\u2069", "\\u2066isolate\\u2069"), ("plain id", "plain id"),
    ("naïve 模型", "naïve 模型"),
])
def test_control_and_bidi_characters_are_escaped(text, shown):
    assert escape_controls(text) == shown


def _hostile_shares(tmp_path) -> str:
    f = tmp_path / "shares.csv"
    pd.DataFrame({"firm": ["=cmd|' /C calc'!A0", "@evil", "rtl\u202eabc", "nul\x00x", "-neg", "ok"],
                  "share_pct": [30, 20, 20, 10, 10, 10]}).to_csv(f, index=False)
    return str(f)


def test_csv_output_of_a_command_is_escaped(tmp_path, capsys, monkeypatch):
    # hhi's output has no firm column, so go through the panel-free path that echoes ids: emit itself,
    # fed what a command would print, plus one end-to-end command whose cells are user text
    df = pd.DataFrame({"model_id": ["=1+2", "@x", "ok\u202e", "-1.5"], "price": [1.0, 2.0, 3.0, -1.5]})
    emit(df, Format.csv)
    out = capsys.readouterr().out
    cells = list(csv.reader(io.StringIO(out)))
    assert cells[1:] == [["'=1+2", "1.0"], ["'@x", "2.0"], ["ok\\u202e", "3.0"], ["-1.5", "-1.5"]]
    f = tmp_path / "prices.csv"
    f.write_text("date,price,model\n" + "".join(f"{2023 + i // 6}-{(i % 6) * 2 + 1:02d}-01,{10 * 0.8 ** i},"
                                                 f"{'=evil' if i % 2 else 'ok'}\n" for i in range(12)))
    code, out, err = run(["trend", "--csv", str(f), "--date-column", "date", "--price-column", "price",
                          "--by", "model", "--n-boot", "0", "-f", "csv"], capsys)
    assert code == 0, err
    groups = [r[0] for r in csv.reader(io.StringIO(out))][1:]
    assert sorted(groups) == ["'=evil", "ok"]


def test_terminal_tables_escape_control_characters(tmp_path, capsys):
    df = pd.DataFrame({"model_id": ["rtl\u202eabc", "nul\x00x"], "price": [1.0, 2.0]})
    emit(df, Format.table, title="ids \u202e title", notes=["note \x1b[31m red"])
    out = capsys.readouterr().out
    assert "\u202e" not in out and "\x00" not in out and "\x1b[31m" not in out
    assert "\\u202e" in out and "\\x00" in out and "\\x1b" in out
