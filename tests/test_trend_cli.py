"""CLI: trend, decline, premium, forecast (exit codes, formats, user CSV)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cli_helpers import run


@pytest.fixture()
def prices_csv(tmp_path: Path) -> Path:
    d = pd.DataFrame({"day": pd.date_range("2021-01-01", periods=10, freq="120D").strftime("%Y-%m-%d"),
                      "usd": 30 * 0.5 ** (np.arange(10) * 120 / 365.25)})
    p = tmp_path / "prices.csv"
    d.to_csv(p, index=False)
    return p


def test_trend_user_csv_json(prices_csv: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["trend", "--csv", str(prices_csv), "--date-column", "day", "--price-column", "usd",
                        "--n-boot", "100", "--format", "json"], capsys)
    assert code == 0
    payload = json.loads(out)
    row = payload["rows"][0]
    assert row["group"] == "all" and row["n"] == 10
    assert row["half_life_years"] == pytest.approx(1.0, rel=1e-6)
    assert "user data (prices.csv)" in " ".join(payload["notes"])


def test_trend_user_csv_csv_format(prices_csv: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["trend", "--csv", str(prices_csv), "--date-column", "day", "--price-column", "usd",
                        "--n-boot", "0", "--format", "csv"], capsys)
    assert code == 0
    assert out.splitlines()[0].startswith("group,n,start_date,end_date,factor_per_year")


def test_trend_csv_needs_columns(prices_csv: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["trend", "--csv", str(prices_csv)], capsys)
    assert code == 1
    assert err.strip() == ("Error: --csv needs --date-column and --price-column (e.g. --date-column date "
                           "--price-column usd_per_mtok).")


def test_trend_bad_column_and_tier_definition(prices_csv: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["trend", "--csv", str(prices_csv), "--date-column", "day", "--price-column", "cost"],
                       capsys)
    assert code == 1 and err.startswith("Error: price column 'cost' is not in the frame")
    code, _, err = run(["trend", "--data", "cross-section", "--tiers", "size", "--n-boot", "0"], capsys)
    assert code == 1 and "tiers='size' is not allowed; expected one of: 'positioning', 'price_band', 'capability'" in err


def test_trend_cross_section_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["trend", "--data", "cross-section", "--tiers", "price_band", "--n-boot", "0"], capsys)
    assert code == 0 and "Exponential price trends" in out and "Tiers: price_band." in out
    code, out, _ = run(["trend", "--data", "cross-section", "--tiers", "price_band", "--n-boot", "0",
                        "--format", "csv"], capsys)
    groups = [line.split(",")[0] for line in out.splitlines()[1:]]
    assert groups == ["economy", "mid", "flagship"]


def test_decline_premium_forecast_on_milestones(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["decline", "--data", "milestones", "--format", "json"], capsys)
    assert code == 0
    rows = {r["term"]: r for r in json.loads(out)["rows"]}
    assert rows["endpoint"]["start_model"] == "davinci" and rows["endpoint"]["paper_value"] == 600
    code, out, _ = run(["premium", "--data", "milestones", "--format", "csv"], capsys)
    assert code == 0 and out.splitlines()[0].startswith("term,estimate,conf_low,conf_high")
    code, out, _ = run(["forecast", "--data", "milestones", "--target", "0.1", "--format", "json"], capsys)
    assert code == 0
    terms = {r["term"] for r in json.loads(out)["rows"]}
    assert "price_at_2027-12-31" in terms and "date_price_reaches_0.1" in terms


def test_decline_bad_dates(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["decline", "--data", "cross-section", "--start", "2026-01-01", "--end", "2025-01-01"],
                       capsys)
    assert code == 1 and err.strip() == "Error: end (2025-01-01) must be after start (2026-01-01)."
