"""Issue 21 (point 2, store side): the fetched tariff is data.

Small LiteLLM payloads are replayed over several days through the fetch pipeline
(``store.fetch.fetch``, as ``llmflation fetch litellm --payload``): each entry's tariff
fields (long-prompt tiers, cache read, batch …) are kept as dated intervals in
``tariff_intervals``, written with the price intervals in one transaction, removed by
``fetch drop``, and price ``lf.cost(..., store=)`` after the curated table's end (2026-10-23).
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pandas as pd
import pytest

import llmflation as lf
from cli_helpers import run
from llmflation.errors import InputError
from llmflation.sources.litellm import tariff_fields, tariff_json
from llmflation.store import Store
from llmflation.store.db import _migrations
from llmflation.store.fetch import fetch
from llmflation.store.history import drop_snapshot, fetched_tariff, list_snapshots

GEMINI = "gemini/gemini-2.5-pro"
#: Google's Gemini 2.5 Pro tariff as LiteLLM lists it (USD per token).
GEMINI_ENTRY = {
    "litellm_provider": "gemini", "mode": "chat", "max_input_tokens": 1048576,
    "input_cost_per_token": 1.25e-06, "output_cost_per_token": 1e-05,
    "input_cost_per_token_above_200k_tokens": 2.5e-06, "output_cost_per_token_above_200k_tokens": 1.5e-05,
    "cache_read_input_token_cost": 1.25e-07, "cache_read_input_token_cost_above_200k_tokens": 2.5e-07,
    "input_cost_per_token_batches": 6.25e-07, "supports_reasoning": True,
}
OTHERS = {
    "gpt-4o-mini": {"litellm_provider": "openai", "mode": "chat", "input_cost_per_token": 1.5e-07,
                    "output_cost_per_token": 6e-07, "cache_read_input_token_cost": 7.5e-08,
                    "input_cost_per_token_flex": 7.5e-08},
    "claude-sonnet-4-5": {"litellm_provider": "anthropic", "mode": "chat", "input_cost_per_token": 3e-06,
                          "output_cost_per_token": 1.5e-05, "cache_creation_input_token_cost": 3.75e-06},
}
#: The curated first-party table's last date.
END = "2026-10-23"


def payload(*, above_input: float = 2.5e-06, drop: tuple[str, ...] = (), gemini: bool = True) -> bytes:
    doc = {k: dict(v) for k, v in OTHERS.items() if k not in drop}
    if gemini:
        doc[GEMINI] = {**GEMINI_ENTRY, "input_cost_per_token_above_200k_tokens": above_input}
    return json.dumps(doc).encode()


def tables(s: Store) -> dict[str, pd.DataFrame]:
    return {t: s.query(f"SELECT * EXCLUDE (recorded_at) FROM {t} ORDER BY ALL") if t == "fetch_snapshots"
            else s.query(f"SELECT * FROM {t} ORDER BY ALL")
            for t in ("price_intervals", "tariff_intervals", "fetch_snapshots")}


def assert_same(a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame], ignore: tuple[str, ...] = ()) -> None:
    for t in a:
        x, y = a[t].drop(columns=[c for c in ignore if c in a[t]]), b[t].drop(columns=[c for c in ignore if c in b[t]])
        pd.testing.assert_frame_equal(x, y, obj=t)


def json_rows(out: str) -> list[dict]:
    doc = json.loads(out)
    return doc["rows"] if isinstance(doc, dict) else doc


def sid_of(s: Store, day: str) -> int:
    snaps = list_snapshots(s)
    return int(snaps.loc[pd.to_datetime(snaps["snapshot_date"]) == pd.Timestamp(day), "snapshot_id"].iloc[0])


def tariff_rows(s: Store, key: str = GEMINI) -> pd.DataFrame:
    return s.query("SELECT * FROM tariff_intervals WHERE source_key = ? ORDER BY valid_from", [key])


#: The replayed days: inside the curated coverage, after it, unchanged, a cut of the long-prompt
#: input price (the list price unchanged), and a day without the Anthropic entry.
DAYS = [("2026-10-20", {}), ("2026-11-01", {}), ("2026-11-02", {}),
        ("2026-11-05", {"above_input": 2.0e-06}), ("2026-11-06", {"above_input": 2.0e-06,
                                                                   "drop": ("claude-sonnet-4-5",)})]


@pytest.fixture
def store() -> Store:
    s = Store.memory()
    for day, kw in DAYS:
        fetch(s, "litellm", payload=payload(**kw), observed_at=day)
    yield s
    s.close()


def test_the_table_holds_each_entrys_tariff_as_dated_intervals(store):
    g = tariff_rows(store)
    assert g[["provider", "n_obs", "is_open"]].values.tolist() == [["gemini", 3, False], ["gemini", 2, True]]
    assert [str(d.date()) for d in pd.to_datetime(g["valid_from"])] == ["2026-10-20", "2026-11-05"]
    assert [str(d.date()) for d in pd.to_datetime(g["valid_to"])] == ["2026-11-02", "2026-11-06"]
    # the JSON round-trips exactly: the entry's price fields, no others, canonical text
    first, second = (json.loads(e) for e in g["entry"])
    assert first == tariff_fields(GEMINI_ENTRY)
    assert second == {**tariff_fields(GEMINI_ENTRY), "input_cost_per_token_above_200k_tokens": 2.0e-06}
    assert "litellm_provider" not in first and "max_input_tokens" not in first and "mode" not in first
    assert g["entry"].iloc[0] == tariff_json(GEMINI_ENTRY) == json.dumps(first, sort_keys=True, separators=(",", ":"))
    # keys identify rows: one per (source, key, provider, valid_from)
    allrows = store.query("SELECT * FROM tariff_intervals")
    assert not allrows.duplicated(["source", "source_key", "provider", "valid_from"]).any()
    assert set(allrows["source_key"]) == {GEMINI, "gpt-4o-mini", "claude-sonnet-4-5"}
    # the long-prompt price is not an input/output price: price_intervals keeps one interval
    p = store.query("SELECT * FROM price_intervals WHERE source_key = ?", [GEMINI])
    assert len(p) == 1 and int(p["n_obs"].iloc[0]) == 5


def test_a_key_that_disappears_is_closed_and_the_others_run_on(store):
    c = tariff_rows(store, "claude-sonnet-4-5")
    assert len(c) == 1 and not c["is_open"].iloc[0] and str(pd.Timestamp(c["valid_to"].iloc[0]).date()) == "2026-11-05"
    m = tariff_rows(store, "gpt-4o-mini")
    assert m[["n_obs", "is_open"]].values.tolist() == [[5, True]]
    assert json.loads(m["entry"].iloc[0])["input_cost_per_token_flex"] == 7.5e-08


def test_an_unchanged_refetch_only_extends_and_the_same_fetch_twice_changes_nothing(store):
    before = tables(store)
    rep = fetch(store, "litellm", payload=payload(above_input=2.0e-06, drop=("claude-sonnet-4-5",)),
                observed_at="2026-11-06")
    assert rep.status == "already recorded"
    assert_same(before, tables(store))
    rep = fetch(store, "litellm", payload=payload(above_input=2.0e-06, drop=("claude-sonnet-4-5",)),
                observed_at="2026-11-07")
    assert rep.opened == 0 and any("tariff_intervals: 2 interval(s) extended, 0 opened" in n for n in rep.notes)
    after = tables(store)
    assert len(after["tariff_intervals"]) == len(before["tariff_intervals"])
    g = tariff_rows(store)
    assert str(pd.Timestamp(g["valid_to"].iloc[-1]).date()) == "2026-11-07" and int(g["n_obs"].iloc[-1]) == 3


def test_drop_removes_exactly_that_snapshots_effect(store):
    # the latest snapshot: the store is as it was before it
    s = Store.memory()
    for day, kw in DAYS[:-1]:
        fetch(s, "litellm", payload=payload(**kw), observed_at=day)
    before = tables(s)
    fetch(s, "litellm", payload=payload(**DAYS[-1][1]), observed_at=DAYS[-1][0])
    last = int(list_snapshots(s)["snapshot_id"].max())
    res = drop_snapshot(s, last)
    assert res.status == "dropped" and any(n.startswith("tariff_intervals: ") for n in res.notes)
    assert_same(before, tables(s))
    # a middle snapshot that alone changed the tariff: the intervals it split merge again
    drop_snapshot(store, sid_of(store, "2026-11-06"))
    drop_snapshot(store, sid_of(store, "2026-11-05"))
    ref = Store.memory()
    for day, kw in DAYS[:3]:
        fetch(ref, "litellm", payload=payload(**kw), observed_at=day)
    assert_same(tables(ref), tables(store))
    # a store replayed without the cut equals one where the cut was dropped
    s2, s3 = Store.memory(), Store.memory()
    for day in ("2026-11-01", "2026-11-05", "2026-11-06"):
        fetch(s2, "litellm", payload=payload(above_input=2.0e-06 if day == "2026-11-05" else 2.5e-06),
              observed_at=day)
        if day != "2026-11-05":
            fetch(s3, "litellm", payload=payload(), observed_at=day)
    drop_snapshot(s2, 2)
    g = tariff_rows(s2)
    assert g[["n_obs", "is_open"]].values.tolist() == [[2, True]]
    assert_same(tables(s3), tables(s2), ignore=("snapshot_id", "sha256"))


@pytest.mark.parametrize("stage", ["extended", "inserting", "companion", "logged"])
def test_an_interrupted_fetch_leaves_nothing(stage):
    s = Store.memory()
    fetch(s, "litellm", payload=payload(), observed_at="2026-11-01")
    before = tables(s)

    def boom(st: str) -> None:
        if st == stage:
            raise RuntimeError(f"killed at {st}")

    with pytest.raises(RuntimeError, match="killed"):
        fetch(s, "litellm", payload=payload(above_input=2.0e-06), observed_at="2026-11-02", on_stage=boom)
    assert_same(before, tables(s))
    # and the store still works: the same fetch again records the change
    fetch(s, "litellm", payload=payload(above_input=2.0e-06), observed_at="2026-11-02")
    assert len(tariff_rows(s)) == 2


def test_a_store_from_before_the_table_opens_and_gets_it(tmp_path):
    db = tmp_path / "old.duckdb"
    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, "
                "applied_at TIMESTAMP DEFAULT current_timestamp)")
    for version, name, sql in _migrations():
        if version < 5:
            con.execute(sql)
            con.execute("INSERT INTO schema_migrations (version, name) VALUES (?, ?)", [version, name])
    con.close()
    with Store(db, read_only=True) as s:  # not migrated: the reader sees no fetched tariff
        assert s.schema_version() == 4 and fetched_tariff(s).empty
    with Store(db) as s:  # read-write: the table is created on open
        assert s.schema_version() == Store.latest_schema_version()
        assert s.count("tariff_intervals") == 0
        fetch(s, "litellm", payload=payload(), observed_at="2026-11-01")
    with Store(db, read_only=True) as s:
        t = fetched_tariff(s, ["gemini"])
    assert t["source_key"].tolist() == [GEMINI] and t["entry"].iloc[0] == tariff_fields(GEMINI_ENTRY)
    assert t["opened_snapshot_id"].iloc[0] == 1 and pd.isna(t["next_from"].iloc[0])


def test_cost_after_the_curated_table_bills_the_fetched_long_prompt_rate(store):
    r = lf.cost("gemini-2.5-pro", on="2026-11-03", input_tokens=300_000, output_tokens=1_000, store=store)
    assert r.total_usd == pytest.approx((300_000 * 2.5 + 1_000 * 15.0) / 1e6)
    assert r.lines["usd_per_mtok"].tolist() == [2.5, 15.0]
    assert r.lines["source"].eq("litellm").all()
    assert r.lines["dated_by"].str.startswith("first observed in the litellm fetch of 2026-10-20 (snapshot 1,").all()
    assert any("After the curated first-party table's last date" in n for n in r.notes)
    w = r.wide()
    assert w.loc[w["line"] == "input", "dated_by"].iloc[0].startswith("first observed in the litellm fetch")
    assert "fetched history of store" in r.vintage
    # after the fetched cut of the long-prompt input price: dated by that fetch
    c = lf.cost("gemini-2.5-pro", on="2026-11-06", input_tokens=300_000, output_tokens=1_000, store=store)
    assert c.lines["usd_per_mtok"].tolist() == [2.0, 15.0]
    sid = sid_of(store, "2026-11-05")
    assert c.lines["dated_by"].iloc[0].startswith(f"first observed in the litellm fetch of 2026-11-05 (snapshot {sid},")
    # a short prompt: the base rates; cached tokens at the fetched cache-read rate
    s = lf.cost("gemini-2.5-pro", on="2026-11-03", input_tokens=100_000, cached_input_tokens=50_000,
                output_tokens=0, store=store)
    assert s.lines.set_index("line")["usd_per_mtok"].to_dict() == {"input": 1.25, "cached_input": 0.125,
                                                                   "output": 10.0}


def test_batch_after_the_end_uses_the_listed_batch_price_and_the_vendor_rule(store):
    b = lf.cost("gemini-2.5-pro", on="2026-11-03", input_tokens=1e5, output_tokens=1e6, batch=True, store=store)
    by = b.lines.set_index("line")
    assert by.loc["input", "usd_per_mtok"] == pytest.approx(0.625) and by.loc["input", "source"] == "litellm"
    # no output batch price listed: Google's rule (50% of standard), still dated by the fetch
    assert by.loc["output", "usd_per_mtok"] == pytest.approx(5.0) and by.loc["output", "source"] == "tariff_rules"
    assert by.loc["output", "dated_by"].startswith("first observed in the litellm fetch of 2026-10-20")


def test_inside_the_curated_coverage_the_curated_table_stays_the_truth(store):
    with_store = lf.cost("gemini-2.5-pro", on="2026-10-20", input_tokens=300_000, output_tokens=1_000, store=store)
    without = lf.cost("gemini-2.5-pro", on="2026-10-20", input_tokens=300_000, output_tokens=1_000)
    assert with_store.total_usd == without.total_usd
    assert with_store.lines["source"].eq("first_party_prices").all()
    # the days between the table's end and the first later fetch: the fetch agrees with the list price
    gap = lf.cost("gemini-2.5-pro", on="2026-10-25", input_tokens=300_000, output_tokens=1_000, store=store)
    assert gap.lines["source"].eq("litellm").all() and gap.total_usd == pytest.approx(0.765)
    with pytest.raises(InputError, match="no first-party price"):
        lf.cost("gemini-2.5-pro", on="2026-11-03", input_tokens=300_000, output_tokens=1_000)


def test_tariff_of_and_the_cli_show_the_fetched_lines(store, tmp_path, capsys):
    t = lf.panel.cost.tariff_of("gemini-2.5-pro", on="2026-11-06", store=store)
    std = t[(t["service"] == "standard") & (t["line"] == "input")]
    assert std.set_index("above_tokens")["usd_per_mtok"].to_dict() == {0: 1.25, 200_000: 2.0}
    assert t["source"].isin(["litellm", "tariff_rules"]).all()
    db = tmp_path / "s.duckdb"
    with Store(db) as s:
        for day, kw in DAYS:
            fetch(s, "litellm", payload=payload(**kw), observed_at=day)
    code, out, err = run(["tariff", "gemini-2.5-pro", "--on", "2026-11-06", "--db", str(db), "-f", "json"], capsys)
    assert code == 0, err
    rows = json_rows(out)
    long_in = [r for r in rows if r["service"] == "standard" and r["line"] == "input" and r["tier"] == ">200k"]
    assert len(long_in) == 1 and long_in[0]["usd_per_mtok"] == pytest.approx(2.0)
    assert long_in[0]["source"] == "litellm" and "2026-11-05" in long_in[0]["dated_by"]


def test_cli_fetch_drop_removes_the_tariff_too(tmp_path, capsys):
    db = tmp_path / "s.duckdb"
    for day, kw in DAYS[:4]:
        p = tmp_path / f"litellm_{day}.json"
        p.write_bytes(payload(**kw))
        code, _, err = run(["fetch", "litellm", "--payload", str(p), "--observed-at", day, "--db", str(db),
                            "-f", "json"], capsys)
        assert code == 0, err
    with Store(db, read_only=True) as s:
        assert len(tariff_rows(s)) == 2
    code, out, err = run(["fetch", "drop", "4", "--db", str(db), "-f", "json"], capsys)
    assert code == 0, err
    assert "tariff_intervals" in json_rows(out)[0]["what"]
    with Store(db, read_only=True) as s:
        g = tariff_rows(s)
    assert g[["n_obs", "is_open"]].values.tolist() == [[3, True]]


def test_store_argument_is_checked():
    with pytest.raises(InputError, match="store must be an llmflation.Store"):
        lf.cost("gemini-2.5-pro", on="2025-08-01", input_tokens=1, output_tokens=1, store="x.duckdb")


def test_replayed_bundle_rows_carry_their_tariff_column():
    """``payload_from_frame`` puts a frame's tariff JSON back into the entry (replays keep the tariff)."""
    from llmflation.sources import litellm as litellm_src

    p = litellm_src.parse(payload(), snapshot_date="2026-11-01")
    raw = litellm_src.payload_from_frame(p.frame)
    again = litellm_src.parse(raw, snapshot_date="2026-11-01").frame.set_index("model_key")
    assert json.loads(again.loc[GEMINI, litellm_src.TARIFF_COLUMN]) == tariff_fields(GEMINI_ENTRY)
    assert Path(__file__).exists()
