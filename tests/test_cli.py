import json

import pytest

from cli_helpers import run
from llmflation.cli import _common


@pytest.fixture(autouse=True)
def _db(tmp_path, monkeypatch):
    # a store named by --db or $LLMFLATION_DB must exist, so readers run on an absent
    # user-data store (the bundle alone); the ingest test names its store explicitly
    monkeypatch.delenv("LLMFLATION_DB", raising=False)
    monkeypatch.setattr(_common, "_user_store", lambda: tmp_path / "user-data" / "llmflation.duckdb")


def test_help(capsys):
    code, out, _ = run(["--help"], capsys)
    assert code == 0
    for cmd in ("ingest", "models", "history", "cost", "sources", "report"):
        assert cmd in out


def test_ingest_twice_same_counts(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("LLMFLATION_DB", str(tmp_path / "cli.duckdb"))
    c1, o1, _ = run(["ingest", "--format", "json"], capsys)
    c2, o2, _ = run(["ingest", "--format", "json"], capsys)
    assert c1 == c2 == 0 and json.loads(o1) == json.loads(o2)


def test_history_json_and_csv(capsys):
    code, out, _ = run(["history", "gpt-4o", "--format", "json"], capsys)
    rows = json.loads(out)
    assert code == 0 and {r["input_usd_per_mtok"] for r in rows} >= {5.0, 2.5}
    code, out, _ = run(["history", "gpt-4o", "--format", "csv"], capsys)
    assert out.splitlines()[0].startswith("valid_from,valid_to,provider,source")


def test_unknown_model_suggests_and_exits_1(capsys):
    code, out, err = run(["history", "gpt-4oo"], capsys)
    assert code == 1
    assert err.startswith("Error: unknown model 'gpt-4oo'. Did you mean: gpt-4o")
    assert "Traceback" not in err


def test_cost_on_date(capsys):
    code, out, _ = run(["cost", "--model", "gpt-4o", "--input-tokens", "1e6", "--output-tokens", "2e5",
                        "--on", "2024-06-01", "--format", "json"], capsys)
    rows = json.loads(out)["rows"]
    total = next(r for r in rows if r["role"] == "asked" and r["line"] == "total")
    cheapest = next(r for r in rows if r["role"] != "asked")
    assert code == 0 and total["usd"] == pytest.approx(5 + 0.2 * 15)
    assert cheapest["usd"] <= total["usd"]
    assert [r["line"] for r in rows if r["role"] == "asked"] == ["input", "output", "total"]


def test_cost_whole_tariff(capsys):
    """Issue 21: long-prompt tier over the whole request, batch, cached input, time of day."""
    code, out, _ = run(["cost", "--model", "gemini-2.5-pro", "--input-tokens", "300000", "--output-tokens", "1000",
                        "--on", "2025-08-01", "--format", "json"], capsys)
    rows = json.loads(out)["rows"]
    assert code == 0 and next(r for r in rows if r["line"] == "total")["usd"] == pytest.approx(0.765)
    code, out, _ = run(["cost", "--model", "gpt-4o", "--input-tokens", "1e6", "--cached-input-tokens", "5e5",
                        "--output-tokens", "0", "--on", "2024-11-01", "--batch", "--format", "json"], capsys)
    rows = json.loads(out)["rows"]
    assert code == 0 and next(r for r in rows if r["line"] == "total")["usd"] == pytest.approx(0.625 + 0.3125)
    code, out, _ = run(["cost", "--model", "deepseek-chat", "--input-tokens", "1e6", "--output-tokens", "1e6",
                        "--on", "2025-03-01", "--at", "17:00", "--format", "json"], capsys)
    assert code == 0 and next(r for r in json.loads(out)["rows"] if r["line"] == "total")["usd"] == pytest.approx(0.685)
    code, _, err = run(["cost", "--model", "deepseek-chat", "--input-tokens", "1", "--output-tokens", "1",
                        "--on", "2025-03-01", "--batch"], capsys)
    assert code == 1 and "Offers with a batch tariff" in err and "Traceback" not in err
    code, _, err = run(["cost", "--model", "gpt-4o", "--input-tokens", "1", "--cached-input-tokens", "2",
                        "--output-tokens", "1", "--on", "2024-11-01"], capsys)
    assert code == 1 and "exceeds input_tokens" in err
    code, _, err = run(["cost", "--model", "gpt-4o", "--input-tokens", "1", "--output-tokens", "1",
                        "--on", "2024-11-01", "--at", "9pm"], capsys)
    assert code == 1 and "HH:MM" in err


def test_tariff_lists_tiers_windows_and_batch(capsys):
    code, out, _ = run(["tariff", "gemini-2.5-pro", "--on", "2025-08-01", "--format", "json"], capsys)
    rows = json.loads(out)
    assert code == 0 and {r["service"] for r in rows} == {"standard", "batch"}
    assert {r["tier"] for r in rows} == {"<=200k", ">200k"}
    code, out, _ = run(["tariff", "deepseek-chat", "--on", "2025-03-01", "--format", "json"], capsys)
    assert code == 0 and "16:30-00:30" in {r["window"] for r in json.loads(out)}
    code, _, err = run(["tariff", "gemini-2.5-pro", "--on", "2025-01-01"], capsys)
    assert code == 1 and "history covers 2025-06-17" in err


def test_cost_bad_date_and_negative_tokens(capsys):
    code, _, err = run(["cost", "--model", "gpt-4o", "--input-tokens", "1", "--output-tokens", "1", "--on", "soon"], capsys)
    assert code == 1 and "expected YYYY-MM-DD" in err
    code, _, err = run(["cost", "--model", "gpt-4o", "--input-tokens", "-5", "--output-tokens", "1"], capsys)
    assert code == 1 and "input_tokens must be a finite number >= 0" in err


def test_models_filter(capsys):
    code, out, _ = run(["models", "--developer", "anthropic", "--format", "json"], capsys)
    rows = json.loads(out)
    assert code == 0 and rows and all(r["developer"] == "Anthropic" for r in rows)


def test_sources_attribution_and_coverage(capsys):
    code, out, _ = run(["sources", "--format", "json"], capsys)
    assert code == 0 and "CC BY 4.0" in json.loads(out)["attribution"]
    code, out, _ = run(["sources", "--coverage", "--format", "csv"], capsys)
    assert code == 0 and "price rows with developer and country" in out


def test_bad_format_is_usage_error(capsys):
    code, _, err = run(["models", "--format", "xml"], capsys)
    assert code == 2 and "xml" in err
