"""price_on against vendor announcements (tests/reference/price_on) and its errors."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest
from tests.cli_helpers import run

import llmflation as lf
from llmflation.errors import InputError, UnknownModelError

REF = Path(__file__).parent / "reference" / "price_on" / "data.csv"
#: Prices are stored as published decimals; only float round-off is tolerated.
PRICE_TOL = 1e-9


@pytest.mark.parametrize("case", pd.read_csv(REF, dtype={"on": str}).to_dict("records"),
                         ids=lambda c: f"{c['model']}@{c['on']}")
def test_price_on_matches_vendor_announcement(case):
    r = lf.price_on(case["model"], on=case["on"])
    assert r.served_model == case["expected_served_model"]
    assert r.valid_from.date().isoformat() == case["expected_valid_from"]
    assert r.event == case["expected_event"]
    assert r.input_usd_per_mtok == pytest.approx(case["input_usd_per_mtok"], abs=PRICE_TOL)
    assert r.output_usd_per_mtok == pytest.approx(case["output_usd_per_mtok"], abs=PRICE_TOL)
    exp_cached = case["cached_input_usd_per_mtok"]
    if isinstance(exp_cached, float) and math.isnan(exp_cached):
        assert math.isnan(r.cached_input_usd_per_mtok)
    else:
        assert r.cached_input_usd_per_mtok == pytest.approx(exp_cached, abs=PRICE_TOL)
    assert r.source_url == case["source_url"]
    assert r.source == "first_party_prices" and "vendor" in r.dated_by


def test_result_is_frozen_and_tidy():
    r = lf.price_on("gpt-4o", on="2024-11-01")
    with pytest.raises(AttributeError):
        r.model = "x"  # type: ignore[misc]
    w = r.wide()
    assert list(w.columns[:4]) == ["model", "api_model_id", "served_model", "provider"]
    assert w.loc[0, "on"] == "2024-11-01" and w.loc[0, "valid_to"] is None
    f = r.to_frame()  # long and tidy: one row per price
    assert list(f.columns[:4]) == ["model", "api_model_id", "served_model", "provider"]
    assert set(f["term"]) == {"input_usd_per_mtok", "output_usd_per_mtok", "cached_input_usd_per_mtok"}
    assert f.set_index("term").loc["input_usd_per_mtok", "estimate"] == r.input_usd_per_mtok
    assert "served gpt-4o-2024-08-06" in r.summary()


def test_unknown_model_suggests_near_matches():
    with pytest.raises(UnknownModelError, match="Did you mean: .*gpt-4o"):
        lf.price_on("gpt-4q", on="2024-11-01")


@pytest.mark.parametrize("on, msg", [("2023-01-01", "history covers 2024-05-13"),
                                     (str(pd.Timestamp.now().date()), "after the end of the known first-party history"),
                                     ("2030-01-01", "outside the dates of LLM prices")])
def test_dates_outside_known_history(on, msg):
    with pytest.raises(InputError, match=msg):
        lf.price_on("gpt-4o", on=on)


def test_after_shutdown_is_an_error():
    with pytest.raises(InputError, match="shut down on 2026-07-24"):
        lf.price_on("deepseek-chat", on="2026-08-01")


@pytest.mark.parametrize("on", ["2024/10/02", "2024-10", "Oct 2 2024", "2024-02-30"])
def test_only_iso_dates(on):
    with pytest.raises(InputError, match="YYYY-MM-DD"):
        lf.price_on("gpt-4o", on=on)


def test_other_provider_from_panel(panel):
    r = lf.price_on("openai/gpt-4o-2024-08-06", on="2025-01-15", provider="openrouter", panel=panel)
    assert r.provider == "openrouter" and r.api_model_id == "gpt-4o-2024-08-06"
    assert r.valid_from <= pd.Timestamp("2025-01-15") <= r.valid_to


# --------------------------------------------------------------------------- CLI


def test_cli_price_json(capsys):
    code, out, err = run(["price", "deepseek-chat", "--on", "2025-01-15", "--format", "json"], capsys)
    assert code == 0, err
    row = json.loads(out)["rows"][0]
    assert row["served_model"] == "DeepSeek-V3" and row["input_usd_per_mtok"] == 0.14
    assert row["valid_from"] == "2024-12-26" and row["valid_to"] == "2025-02-07"


def test_cli_price_csv_and_table(capsys):
    code, out, _ = run(["price", "gpt-4o", "--on", "2024-10-02", "--format", "csv"], capsys)
    assert code == 0
    f = pd.read_csv(pd.io.common.StringIO(out))
    assert f.loc[0, "served_model"] == "gpt-4o-2024-08-06" and f.loc[0, "cached_input_usd_per_mtok"] == 1.25
    code, out, _ = run(["price", "gpt-4o", "--on", "2024-10-02"], capsys)
    assert code == 0 and "gpt-4o-2024-08-06" in out


@pytest.mark.parametrize("args, msg", [
    (["price", "gpt-4q", "--on", "2024-11-01"], "Error: unknown model 'gpt-4q'. Did you mean"),
    (["price", "gpt-4o", "--on", "2024-11"], "Error: --on='2024-11' is not an ISO date; expected YYYY-MM-DD"),
    (["price", "gpt-4o", "--on", "2023-01-01"], "Error: no first-party price of 'gpt-4o' is known on 2023-01-01"),
])
def test_cli_price_errors_exit_1(args, msg, capsys):
    code, out, err = run(args, capsys)
    assert code == 1 and out == ""
    assert err.startswith(msg)


def test_cli_price_needs_on(capsys):
    code, _, err = run(["price", "gpt-4o"], capsys)
    assert code == 2 and "--on" in err
