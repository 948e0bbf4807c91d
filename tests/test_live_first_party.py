"""Issue 21 (point 1): first-party prices fetched after the curated table's end extend the
first-party history; a fetched price that contradicts the curated table is listed by validate.

Two LiteLLM payloads are replayed (built from the bundle's last LiteLLM snapshot): fetched on
2026-11-01 (gpt-4o-mini at its list price) and 2026-12-01 (OpenAI's own gpt-4o-mini price halved).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli_helpers import run
from llmflation.sources import bundled
from llmflation.sources import litellm as litellm_src

DAYS = ("2026-11-01", "2026-12-01")


def litellm_payload(halve: bool) -> bytes:
    """The bundle's last LiteLLM snapshot, with OpenAI's own ``gpt-4o-mini`` halved when asked."""
    snaps = bundled.load_table("litellm_snapshots")
    last = snaps[snaps["snapshot_date"] == snaps["snapshot_date"].max()].copy()
    if halve:
        hit = last["model_key"].eq("gpt-4o-mini") & last["litellm_provider"].eq("openai")
        assert hit.sum() == 1
        last.loc[hit, ["input_cost_per_token", "output_cost_per_token"]] /= 2
    return litellm_src.payload_from_frame(last)


def replay(tmp: Path, capsys, db: Path, day: str, payload: bytes) -> dict:
    p = tmp / f"litellm_{day}.json"
    p.write_bytes(payload)
    code, out, err = run(["fetch", "litellm", "--payload", str(p), "--observed-at", day, "--db", str(db),
                          "-f", "json"], capsys)
    assert code == 0, err
    return json.loads(out)["rows"][0]


def fetch_day(d: Path, db: Path, day: str, halve: bool) -> None:
    """``llmflation fetch litellm`` of :func:`litellm_payload` observed on ``day`` into ``db`` (payload file in ``d``)."""
    from llmflation.cli import main

    p = d / f"litellm_{day}.json"
    p.write_bytes(litellm_payload(halve))
    try:
        main(["fetch", "litellm", "--payload", str(p), "--observed-at", day, "--db", str(db), "-f", "csv"])
    except SystemExit as exc:
        assert not exc.code


def two_fetch_store(d: Path) -> Path:
    """A store with the two fetches of :data:`DAYS` (the second halves OpenAI's gpt-4o-mini)."""
    db = d / "store.duckdb"
    for day, halve in zip(DAYS, (False, True), strict=True):
        fetch_day(d, db, day, halve)
    return db


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    return two_fetch_store(tmp_path_factory.mktemp("live"))


def test_price_after_the_curated_table_comes_from_the_fetch(store, capsys):
    code, out, err = run(["price", "gpt-4o-mini", "--on", "2026-12-03", "--db", str(store), "-f", "json"], capsys)
    assert code == 0, err
    row = json.loads(out)["rows"][0]
    assert row["input_usd_per_mtok"] == pytest.approx(0.075) and row["output_usd_per_mtok"] == pytest.approx(0.3)
    assert row["source"] == "litellm" and row["valid_from"] == "2026-12-01"
    assert "2026-12-01" in row["dated_by"] and "snapshot" in row["dated_by"]


def test_before_the_cut_the_fetch_confirms_the_list_price(store, capsys):
    code, out, err = run(["price", "gpt-4o-mini", "--on", "2026-11-15", "--db", str(store), "-f", "json"], capsys)
    assert code == 0, err
    row = json.loads(out)["rows"][0]
    assert row["input_usd_per_mtok"] == pytest.approx(0.15) and row["output_usd_per_mtok"] == pytest.approx(0.6)


def test_library_price_on_with_a_store(store):
    import llmflation as lf

    with lf.Store(store, read_only=True) as s:
        r = lf.price_on("gpt-4o-mini", on="2026-12-03", store=s)
    assert r.input_usd_per_mtok == pytest.approx(0.075) and r.source == "litellm"
    assert r.snapshot_id is not None and str(r.observed_at.date()) == "2026-12-01"


def test_without_the_store_the_end_of_history_is_still_an_error(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("LLMFLATION_DB", "")
    monkeypatch.setattr("platformdirs.user_data_dir", lambda *a, **k: str(tmp_path / "nowhere"))
    code, _, err = run(["price", "gpt-4o-mini", "--on", "2026-12-03", "-f", "json"], capsys)
    assert code == 1 and "after the end of the known first-party history" in err


def test_a_fetched_price_contradicting_the_curated_table_is_listed_by_validate(tmp_path, capsys):
    """Fetched inside the curated coverage (2026-10-01) at twice OpenAI's list price: kept and listed."""
    db = tmp_path / "s.duckdb"
    snaps = bundled.load_table("litellm_snapshots")
    last = snaps[snaps["snapshot_date"] == snaps["snapshot_date"].max()].copy()
    hit = last["model_key"].eq("gpt-4o-mini") & last["litellm_provider"].eq("openai")
    last.loc[hit, ["input_cost_per_token", "output_cost_per_token"]] *= 2
    replay(tmp_path, capsys, db, "2026-10-01", litellm_src.payload_from_frame(last))
    from llmflation.panel.lookup import fetched_first_party_conflicts
    from llmflation.store import Store

    with Store(db, read_only=True) as s:
        assert len(s.query("SELECT * FROM price_intervals WHERE source_key = 'gpt-4o-mini' "
                           "AND provider = 'openai'")) == 1  # kept in the store
        c = fetched_first_party_conflicts(s)
    row = c[c["source_key"] == "gpt-4o-mini"].iloc[0]
    assert row["fetched_input"] == pytest.approx(0.3) and row["curated_input"] == pytest.approx(0.15)
    assert row["snapshot_id"] == 1 and "contradicts" in row["label"]
    code, out, err = run(["validate", "--db", str(db), "-f", "json"], capsys)
    assert code == 0, err
    rows = json.loads(out)["rows"]
    assert any(r["section"] == "fetched_first_party" and r["term"].startswith("gpt-4o-mini via gpt-4o-mini")
               for r in rows)


def test_the_change_feed_lists_the_cut_after_the_bundle(store, capsys):
    code, out, err = run(["changes", "--since", "2026-11-01", "--db", str(store), "-f", "json"], capsys)
    assert code == 0, err
    rows = [r for r in json.loads(out)["rows"] if r["provider"] == "openai" and r["source_key"] == "gpt-4o-mini"]
    assert len(rows) == 1
    r = rows[0]
    assert r["date"] == "2026-12-01" and r["old_input"] == pytest.approx(0.15) and r["new_input"] == pytest.approx(0.075)
    assert r["factor"] == pytest.approx(0.5) and r["direction"] == "cut" and r["source"] == "litellm"
    assert "litellm" in r["dated_by"]
    code, out, err = run(["changes", "--since", "2026-11-01", "--db", str(store), "-f", "atom"], capsys)
    assert code == 0, err
    import xml.etree.ElementTree as ET

    feed = ET.fromstring(out.encode())
    ns = {"a": "http://www.w3.org/2005/Atom"}
    titles = [e.findtext("a:title", namespaces=ns) for e in feed.findall("a:entry", ns)]
    assert any(t.startswith("gpt-4o-mini") and "openai" in t and "$0.15 → $0.075" in t for t in titles)
    assert feed.findtext("a:updated", namespaces=ns) == "2026-12-01T00:00:00Z"


def test_a_panel_merged_with_the_store_extends_the_history_too(store):
    import llmflation as lf

    with lf.Store(store, read_only=True) as s:
        panel = lf.load_panel(s, warn=False)
    r = lf.price_on("gpt-4o-mini", on="2026-12-03", panel=panel)
    assert r.input_usd_per_mtok == pytest.approx(0.075) and r.source == "litellm"
    assert str(r.valid_from.date()) == "2026-12-01" and r.snapshot_id is None


def test_cost_with_the_store_bills_the_fetched_price_after_the_curated_end(store, capsys):
    """`llmflation cost --db` reads the store's fetched tariff (issue 21, points 2–3)."""
    args = ["cost", "--model", "gpt-4o-mini", "--input-tokens", "1000000", "--output-tokens", "1000000",
            "--on", "2026-12-03", "--db", str(store), "-f", "json"]
    code, out, err = run(args, capsys)
    assert code == 0, err
    rows = [r for r in json.loads(out)["rows"] if r["role"] == "asked"]
    total = next(r for r in rows if r["line"] == "total")
    assert total["usd"] == pytest.approx(0.075 + 0.3)  # OpenAI's own price, halved on 2026-12-01
    assert all(r["source"] == "litellm" for r in rows if r["line"] in ("input", "output"))
    assert any("2026-12-01" in (r.get("dated_by") or "") for r in rows)
    # without the store the date is past the known history: refused, not guessed
    code, out, err = run(args[:-4] + ["-f", "json"], capsys)
    assert code == 1 and out == "" and "2026-10-23" in err
