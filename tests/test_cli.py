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
    rows = json.loads(out)
    assert code == 0 and rows[0]["cost_usd"] == pytest.approx(5 + 0.2 * 15)
    assert rows[1]["cost_usd"] <= rows[0]["cost_usd"]


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
