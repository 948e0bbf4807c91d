"""CLI: `price-index` on CSVs and `hedonic` on the bundled panel (exit codes, messages, formats)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from cli_helpers import run

REF = Path(__file__).parent / "reference" / "price_index_balk_artificial"




@pytest.fixture()
def wide(tmp_path: Path) -> tuple[Path, Path]:
    d = pd.read_csv(REF / "data.csv")
    p, q = tmp_path / "prices.csv", tmp_path / "quantities.csv"
    d.pivot(index="period", columns="product", values="price").to_csv(p)
    d.pivot(index="period", columns="product", values="quantity").to_csv(q)
    return p, q


def test_price_index_direct_json(wide: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    p, q = wide
    code, out, _ = run(["price-index", "--prices", str(p), "--quantities", str(q), "--formula", "laspeyres",
                        "--direct", "--format", "json"], capsys)
    assert code == 0
    payload = json.loads(out)
    assert payload["title"] == "Laspeyres price index (direct, base t1)" and payload["chained"] is False
    assert [r["period"] for r in payload["rows"]] == ["t1", "t2", "t3", "t4", "t5"]
    assert [round(r["index"], 4) for r in payload["rows"]] == [1.0, 1.42, 1.345, 1.355, 1.44]


def test_price_index_chained_csv_and_table(wide: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    p, q = wide
    code, out, _ = run(["price-index", "--prices", str(p), "--quantities", str(q), "--format", "csv"], capsys)
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "period,index" and lines[1] == "t1,1.0" and lines[2].startswith("t2,1.40105")
    code, out, _ = run(["price-index", "--prices", str(p), "--quantities", str(q)], capsys)
    assert code == 0 and "Fisher price index" in out and "Each chain link uses the products priced" in out


def test_price_index_jevons_without_quantities(wide: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["price-index", "--prices", str(wide[0]), "--formula", "jevons", "--format", "csv"], capsys)
    assert code == 0 and out.splitlines()[2].startswith("t2,1.24192")


def test_price_index_errors(wide: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p, q = wide
    code, _, err = run(["price-index", "--prices", str(p)], capsys)
    assert code == 1
    assert err.strip() == ("Error: --formula fisher needs --quantities FILE (a wide CSV: first column = period, one "
                           "column per product, like --prices); only --formula jevons works without quantities.")
    missing = tmp_path / "nope.csv"
    code, _, err = run(["price-index", "--prices", str(missing), "--formula", "jevons"], capsys)
    assert code == 1
    assert err.strip() == (f"Error: --prices {str(missing)!r} is not a file; expected a wide CSV: first column = "
                           "period, one column per product.")
    code, _, err = run(["price-index", "--prices", str(p), "--quantities", str(q), "--formula", "walsh"], capsys)
    assert code == 1
    assert err.strip() == ("Error: formula='walsh' is not allowed; expected one of: 'laspeyres', 'paasche', "
                           "'fisher', 'tornqvist', 'jevons'.")
    code, _, err = run(["price-index", "--formula", "jevons"], capsys)
    assert code == 2 and "Missing option '--prices'" in err


def test_price_index_direct_gap_message(wide: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    p, q = wide
    pp = pd.read_csv(p, index_col=0)
    qq = pd.read_csv(q, index_col=0)
    pp.loc["t3", "4"] = None
    qq.loc["t3", "4"] = None
    pp.to_csv(p)
    qq.to_csv(q)
    code, _, err = run(["price-index", "--prices", str(p), "--quantities", str(q), "--direct"], capsys)
    assert code == 1
    assert err.strip() == ("Error: a direct (fixed-base) index needs every product priced in every period; missing "
                           "(period, product): ('t3', '4'). Use chained=True (links over the products priced in "
                           "both adjacent periods) or fill the gaps.")
    code, out, _ = run(["price-index", "--prices", str(p), "--quantities", str(q), "--format", "csv"], capsys)
    assert code == 0 and len(out.splitlines()) == 6


def test_hedonic_json_and_errors(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["hedonic", "--n-boot", "20", "--format", "json"], capsys)
    assert code == 0
    payload = json.loads(out)
    assert payload["rows"][0]["index"] == 1.0 and {"matched_index", "conf_low", "n"} <= set(payload["rows"][0])
    terms = [a["term"] for a in payload["annual"]]
    assert terms == ["hedonic_log_change_per_year", "matched_log_change_per_year", "share_missed_by_matched"]
    assert any(n.startswith("Data vintage: bundled snapshot") for n in payload["notes"])
    code, out, _ = run(["hedonic", "--n-boot", "0", "--show", "coefficients", "--format", "csv"], capsys)
    assert code == 0 and out.splitlines()[0].startswith("term,estimate,std_error") and "\neci," in out
    code, _, err = run(["hedonic", "--period", "W"], capsys)
    assert code == 1 and err.strip() == "Error: period='W' is not allowed; expected one of: 'M', 'Q', 'Y'."
    code, _, err = run(["hedonic", "--show", "all"], capsys)
    assert code == 1
    assert err.strip() == "Error: show='all' is not allowed; expected one of: 'index', 'annual', 'coefficients'."
    code, _, err = run(["hedonic", "--no-controls", "--quality", "speed", "--n-boot", "0"], capsys)
    assert code == 1 and err.startswith("Error: column 'speed' is not in the panel")
