"""`llmflation breaks`: exit codes, messages and the three output formats."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli_helpers import run

NILE = Path(__file__).parent / "reference" / "breaks_nile" / "data.csv"




def test_bai_perron_table(capsys) -> None:
    code, out, _ = run(["breaks", "--csv", str(NILE), "--column", "flow", "--date-column", "year"], capsys)
    assert code == 0
    assert "1 break(s)" in out and "1895" in out and "1902" in out and "Sequential" in out


def test_chow_json(capsys) -> None:
    code, out, _ = run(["breaks", "--csv", str(NILE), "--column", "flow", "--date-column", "year",
                        "--method", "chow", "--break-at", "1898", "--format", "json"], capsys)
    assert code == 0
    row = json.loads(out)["rows"][0]
    assert row["distribution"] == "F(1, 98)" and row["statistic"] == pytest.approx(75.9298, abs=1e-4)


def test_supf_and_cusum_csv(capsys) -> None:
    code, out, _ = run(["breaks", "--csv", str(NILE), "--column", "flow", "--date-column", "year",
                        "--method", "supf", "--format", "csv"], capsys)
    assert code == 0
    assert out.splitlines()[0] == "term,statistic,p_value,break_at,df,n"
    assert out.splitlines()[1].startswith("sup_f,75.929")
    code, out, _ = run(["breaks", "--csv", str(NILE), "--column", "flow", "--method", "cusum",
                        "--kind", "rec", "--format", "csv"], capsys)
    assert code == 0 and "Recursive CUSUM test,2.066" in out


def test_bai_perron_json_and_fit_csv(capsys) -> None:
    code, out, _ = run(["breaks", "--csv", str(NILE), "--column", "flow", "--date-column", "year",
                        "--format", "json"], capsys)
    assert code == 0
    payload = json.loads(out)
    assert payload["n_breaks"] == 1 and payload["breaks"] == ["1898"]
    assert payload["rows"][0]["conf_low_label"] == "1895" and len(payload["fit"]) == 6
    code, out, _ = run(["breaks", "--csv", str(NILE), "--column", "flow", "--table", "fit", "--format", "csv"],
                       capsys)
    assert code == 0 and out.splitlines()[0] == "m,rss,bic,lwz,breaks"


def test_trend_regressors_and_hac(capsys, tmp_path: Path) -> None:
    f = tmp_path / "s.csv"
    f.write_text("t,y,x\n" + "".join(f"{i},{(i > 20) * 2 + 0.1 * (i % 3)},{i % 5}\n" for i in range(40)))
    code, out, _ = run(["breaks", "--csv", str(f), "--column", "y", "--date-column", "t", "--trend",
                        "--method", "chow", "--break-at", "20", "--cov", "hac", "--format", "csv"], capsys)
    assert code == 0 and "HAC" in out
    code, out, _ = run(["breaks", "--csv", str(f), "--column", "y", "--regressors", "x", "--method", "supf",
                        "--format", "csv"], capsys)
    assert code == 0 and out.splitlines()[1].split(",")[4] == "2"


@pytest.mark.parametrize(
    "args,message",
    [
        (["--csv", "missing.csv", "--column", "y"], "Error: --csv 'missing.csv' is not a file; expected a CSV with columns 'y'.\n"),
        (["--csv", str(NILE), "--column", "flow", "--method", "chow"],
         "Error: --method chow needs --break-at LABEL (the last observation before the break).\n"),
        (["--csv", str(NILE), "--column", "volume"], "Error: columns ['volume'] not in data.csv; available: "
                                                       "['year', 'flow'].\n"),
        (["--csv", str(NILE), "--column", "flow", "--method", "mosum"],
         "Error: method='mosum' is not allowed; expected one of: 'chow', 'supf', 'bai-perron', 'cusum'.\n"),
        (["--column", "flow"], "Error: give --csv FILE and --column Y (or --llm-prices).\n"),
        (["--csv", str(NILE), "--llm-prices"], "Error: --llm-prices and --csv are exclusive; use one.\n"),
        (["--csv", str(NILE), "--column", "flow", "--date-column", "year", "--method", "chow",
          "--break-at", "x"], "Error: --break-at 'x' is not an integer like the labels (1871, ...).\n"),
    ],
)
def test_errors(args: list[str], message: str, capsys) -> None:
    code, out, err = run(["breaks", *args], capsys)
    assert code == 1 and err == message and out == ""


def test_llm_prices_milestones_only(capsys) -> None:
    code, out, _ = run(["breaks", "--llm-prices", "--no-panel", "--format", "json"], capsys)
    assert code == 0
    payload = json.loads(out)
    assert payload["paper_value"]["statistic"] == 5.74
    first = payload["rows"][0]
    assert first["series"] == "milestones" and first["test"] == "chow (ols)" and first["paper_value"]
    assert any("Chow F =" in v for v in payload["verdict"])
