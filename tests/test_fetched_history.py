"""Fetched history reaches the analyses: a replayed payload with a new model price shows up in
``history``, in ``trend --db`` and in ``report --db`` (issue 11, "data flow one way")."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from cli_helpers import run
from llmflation.report import sections
from llmflation.sources import bundled

NEW_ID = "acme/frugal-1"
NEW_PRICE = {"prompt": "0.00000002", "completion": "0.00000008"}  # $0.02 / $0.08 per 1M tokens


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    """A store holding one replayed OpenRouter snapshot (the bundle's last) plus a model nobody priced before."""
    d = tmp_path_factory.mktemp("fetched")
    raw = json.loads(bundled.load_openrouter_payload(bundled.openrouter_payload_dates()[-1]))
    data = raw["data"] if isinstance(raw, dict) else raw
    new = copy.deepcopy(data[0])
    new.update(id=NEW_ID, canonical_slug=NEW_ID, name="Acme: Frugal 1", created=1779000000, hugging_face_id=None,
               pricing=NEW_PRICE)
    data.append(new)
    payload = d / "openrouter_models_2026-06-01.json"
    payload.write_text(json.dumps(raw))
    db = d / "store.duckdb"
    from llmflation.cli import main

    try:
        main(["fetch", "openrouter", "--payload", str(payload), "--db", str(db), "-f", "csv"])
    except SystemExit as exc:
        assert not exc.code
    return db


def test_history_shows_the_fetched_price(store, capsys):
    code, out, err = run(["history", NEW_ID, "--db", str(store), "-f", "json"], capsys)
    assert code == 0, err
    rows = json.loads(out)
    assert rows[0]["input_usd_per_mtok"] == pytest.approx(0.02) and rows[0]["output_usd_per_mtok"] == pytest.approx(0.08)
    assert rows[0]["source"] == "openrouter"


def test_trend_analyses_the_store(store, capsys, monkeypatch):
    monkeypatch.delenv("LLMFLATION_DB", raising=False)
    args = ["trend", "--by", "all", "--observations", "rows", "--n-boot", "0", "-f", "json"]
    code, out, err = run([*args, "--db", str(store)], capsys)
    assert code == 0, err
    with_store = json.loads(out)
    code, out, err = run([*args, "--db", str(store.parent / "missing.duckdb")], capsys)
    assert code == 1 and "no store at" in err
    monkeypatch.setenv("LLMFLATION_DB", str(store))  # $LLMFLATION_DB is honoured like --db
    code, out, _ = run(args, capsys)
    assert json.loads(out)["rows"][0]["n"] == with_store["rows"][0]["n"]
    monkeypatch.setenv("LLMFLATION_DB", "")
    monkeypatch.setattr("platformdirs.user_data_dir", lambda *a, **k: str(store.parent / "nowhere"))
    code, out, err = run(args, capsys)
    assert code == 0, err
    bundle_only = json.loads(out)
    # the fetched intervals (the new model among them) are observations of the trend
    assert with_store["rows"][0]["n"] > bundle_only["rows"][0]["n"]
    assert any(f"store {store}" in n for n in with_store["notes"])
    assert not any("store" in n for n in bundle_only["notes"] if n.startswith("Data vintage"))


def test_report_states_and_uses_the_store(store, capsys, tmp_path, monkeypatch):
    keep = {"coverage", "trend"}
    monkeypatch.setattr(sections, "REPORT", tuple(s for s in sections.REPORT if s.id in keep))
    code, out, err = run(["report", "--out", str(tmp_path), "--db", str(store)], capsys)
    assert code == 0, err
    res = json.loads((tmp_path / "results.json").read_text())
    inputs = res["inputs"]
    assert inputs["store"] == str(store) and inputs["fetched_intervals"] > 300
    assert inputs["fetched_sources"] == ["openrouter"] and inputs["fetched_observed"][0].startswith("2026-06-01")
    assert any(str(store) in n for n in res["sections"]["coverage"]["notes"])
    assert any(str(store) in n for n in res["sections"]["trend"]["notes"])
    by_source = res["sections"]["coverage"]["tables"]["By source"]
    assert by_source  # the panel the report describes is the merged one
    assert str(store) in (tmp_path / "index.html").read_text()
