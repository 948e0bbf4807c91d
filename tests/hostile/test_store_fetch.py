"""Hostile input against the store and fetch (issue 23, items 2, 3, 8-HTTP, 10; acceptance 7).

Each case asserts the correct answer or a clear refusal: exit 1 and an ``Error:`` line
saying what was seen, what was expected and how to fix it, with the store unchanged.
Payloads are the bundle's raw OpenRouter responses (replayed with ``--payload``) or
small synthetic ones; nothing touches the network.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import subprocess
import sys
import textwrap
import time
from decimal import Decimal
from pathlib import Path

import httpx
import pandas as pd
import pytest

from llmflation.cli import main
from llmflation.errors import FetchError, InputError, ParseError, StoreError
from llmflation.sources import bundled
from llmflation.sources.http import RetryPolicy, get_bytes, load_json
from llmflation.store.db import Store
from llmflation.store.fetch import fill_providers, prepare, record
from llmflation.store.history import list_snapshots, unit_factor

DAY = "2026-02-27"  # a bundled raw OpenRouter payload
NEXT = "2026-03-31"  # the next one


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        main(args)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def state(db: Path) -> dict[str, pd.DataFrame]:
    """Every fetched row, without the bookkeeping that differs between equal histories."""
    with Store(db, read_only=True) as s:
        iv = s.query("SELECT * EXCLUDE (observed_at) FROM price_intervals ORDER BY ALL")
        snaps = s.query("SELECT source, observed_at, snapshot_date, rows, sha256 FROM fetch_snapshots ORDER BY ALL")
    return {"price_intervals": iv, "fetch_snapshots": snaps}


def assert_same(a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame]) -> None:
    for t in a:
        pd.testing.assert_frame_equal(a[t], b[t], obj=t)


@pytest.fixture(scope="module")
def raw_payloads(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("payloads")
    out = {}
    for day in (DAY, NEXT):
        p = d / f"openrouter_models_{day}.json.gz"
        p.write_bytes(gzip.compress(bundled.load_openrouter_payload(day)))
        out[day] = p
    return out


def scaled(raw: bytes, factor: Decimal) -> bytes:
    doc = json.loads(gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw)
    data = doc["data"] if isinstance(doc, dict) else doc
    for rec in data:
        for k in ("prompt", "completion"):
            v = Decimal(str(rec["pricing"][k]))
            if v > 0:
                rec["pricing"][k] = str(v * factor)
    return json.dumps({"data": data}).encode()


def fetch_args(payload: Path, db: Path, *extra: str) -> list[str]:
    return ["fetch", "openrouter", "--payload", str(payload), "--db", str(db), "-f", "csv", *extra]


# --------------------------------------------------------------------------- item 2: dates


def test_a_past_observed_at_before_the_payloads_own_timestamps_is_refused(raw_payloads, tmp_path, capsys):
    db = tmp_path / "t.duckdb"
    code, _, err = run(fetch_args(raw_payloads[DAY], db, "--observed-at", "2016-02-27"), capsys)
    assert code == 1
    assert err.startswith("Error: observed_at 2016-02-27 00:00 is earlier than the payload itself: model ")
    assert "was created (its `created` timestamp) on 2026-02-2" in err  # seen
    assert "cannot have been observed before 2026-02-2" in err  # expected
    assert "--observed-at" in err and "--force --reason" in err  # how to fix
    assert not db.exists()  # refused before the store is opened


def test_a_litellm_map_dated_before_the_models_it_lists_is_refused(tmp_path, capsys):
    """LiteLLM has no timestamps of its own: the release dates in its model ids are the evidence."""
    from llmflation.sources import litellm as litellm_src

    snaps = bundled.load_table("litellm_snapshots")
    p = tmp_path / "litellm.json"
    p.write_bytes(litellm_src.payload_from_frame(snaps[snaps["snapshot_date"].astype(str) == "2026-07-24"]))
    db = tmp_path / "t.duckdb"
    args = ["fetch", "litellm", "--payload", str(p), "--db", str(db), "-f", "csv"]
    code, _, err = run([*args, "--observed-at", "2016-02-27"], capsys)
    assert code == 1
    assert err.startswith("Error: observed_at 2016-02-27 00:00 is earlier than the payload itself: it lists models "
                          "released on 2026-")
    assert "(their ids carry the date: " in err and "--force --reason" in err
    assert not db.exists()
    assert run([*args, "--observed-at", "2026-07-24"], capsys)[0] == 0


def test_odd_created_timestamps_neither_block_a_fetch_nor_enter_the_store():
    """`created` in 2099 (a bogus record) is not evidence against a 2026 snapshot; listing
    dates before 2015 or in the future are left empty, the prices kept."""
    def rec(i: int, created: int) -> dict:
        return {"id": f"a/m{i}", "name": f"M{i}", "created": created,
                "pricing": {"prompt": "0.000001", "completion": "0.000002"}}

    raw = json.dumps({"data": [rec(0, 4_000_000_000), rec(1, 1), rec(2, 1_700_000_000)]}).encode()
    s = Store.memory()
    rep = record(s, prepare("openrouter", raw, observed_at=pd.Timestamp("2026-01-01").to_pydatetime()))
    assert rep.opened == 3
    assert rep.skipped == {"listing date (`created`) before 2015 or in the future: left empty (price kept)": 2}
    listed = s.query("SELECT source_key, listed_date FROM price_intervals ORDER BY 1")["listed_date"]
    assert listed.isna().tolist() == [True, True, False]


@pytest.mark.parametrize("day", ["1026-02-27", "2014-12-31", "0001-01-01"])
def test_llm_price_dates_before_2015_are_refused_at_the_boundary(day, raw_payloads, tmp_path, capsys):
    db = tmp_path / "t.duckdb"
    code, _, err = run(fetch_args(raw_payloads[DAY], db, "--observed-at", day), capsys)
    assert code == 1
    assert err.startswith(f"Error: observed_at {day} is before 2015-01-01, the earliest date an LLM price snapshot")
    assert "expected a date between 2015-01-01 and " in err and "--observed-at 2026-01-02" in err
    assert not db.exists()


def test_a_date_after_tomorrow_is_refused_and_2015_01_01_is_the_first_day_accepted(tmp_path):
    from datetime import datetime, timedelta

    from llmflation.store.history import check_not_future

    check_not_future(datetime(2015, 1, 1))
    check_not_future(datetime.now() + timedelta(hours=12))
    with pytest.raises(InputError, match="is in the future"):
        check_not_future(datetime.now() + timedelta(days=3))
    with pytest.raises(InputError, match="before 2015-01-01"):
        check_not_future(datetime(2014, 12, 31, 23, 59))


def test_force_needs_a_reason_and_the_reason_is_kept_in_the_store(raw_payloads, tmp_path, capsys):
    db = tmp_path / "t.duckdb"
    code, _, err = run(fetch_args(raw_payloads[DAY], db, "--observed-at", "2026-01-01", "--force"), capsys)
    assert code == 1 and err.startswith("Error: --force needs --reason 'why'")
    code, _, err = run(fetch_args(raw_payloads[DAY], db, "--observed-at", "2026-01-01", "--reason", "x"), capsys)
    assert code == 1 and err.startswith("Error: --reason was given without --force")
    code, out, err = run(["fetch", "openrouter", "--payload", str(raw_payloads[DAY]), "--db", str(db), "-f", "json",
                          "--observed-at", "2026-01-01", "--force", "--reason",
                          "archived copy, dated from the mirror's index"], capsys)
    assert code == 0, err
    assert json.loads(out)["notes"][1].startswith("recorded despite a refusal (--force, reason: archived copy")
    code, out, err = run(["fetch", "list", "--db", str(db), "-f", "json"], capsys)
    assert code == 0, err
    rows = json.loads(out)
    assert len(rows) == 1 and rows[0]["forced_reason"] == "archived copy, dated from the mirror's index"
    assert rows[0]["forced_checks"].startswith("observed_at 2026-01-01 00:00 is earlier than the payload itself")


def test_an_older_snapshot_than_the_latest_is_refused_even_when_forced(raw_payloads, tmp_path, capsys):
    """Decision: history is written in date order; --force does not reorder it (drop later
    snapshots, or back-fill into a fresh store in date order)."""
    db = tmp_path / "t.duckdb"
    assert run(fetch_args(raw_payloads[NEXT], db), capsys)[0] == 0
    before = state(db)
    code, _, err = run(fetch_args(raw_payloads[DAY], db, "--force", "--reason", "back-fill"), capsys)
    assert code == 1
    assert "is older than the latest one recorded (2026-03-31 00:00:00); history is written in date order" in err
    assert_same(before, state(db))


# --------------------------------------------------------------------------- item 3: unit changes


@pytest.mark.parametrize("factor, shown", [(Decimal(1000), "×1,000"), (Decimal("0.001"), "÷1,000")])
def test_every_price_times_a_constant_is_a_unit_change_and_refused(factor, shown, raw_payloads, tmp_path, capsys):
    db = tmp_path / "t.duckdb"
    assert run(fetch_args(raw_payloads[DAY], db), capsys)[0] == 0
    before = state(db)
    bad = tmp_path / "openrouter_models_2026-02-28.json"
    bad.write_bytes(scaled(raw_payloads[DAY].read_bytes(), factor))
    code, _, err = run(fetch_args(bad, db), capsys)
    assert code == 1
    assert err.startswith("Error: unit change: in the openrouter snapshot of 2026-02-28, ")
    assert f"moved by one factor, {shown};" in err  # the factor
    share = int(err.split("2026-02-28, ")[1].split("%")[0])
    assert share >= 90  # the share of prices that moved by it
    assert "--force --reason" in err and "Nothing was written" in err
    assert_same(before, state(db))
    # a real next snapshot (prices moving model by model) is recorded
    assert run(fetch_args(raw_payloads[NEXT], db), capsys)[0] == 0


def test_a_forced_unit_change_is_recorded_with_its_reason(raw_payloads, tmp_path, capsys):
    db = tmp_path / "t.duckdb"
    assert run(fetch_args(raw_payloads[DAY], db), capsys)[0] == 0
    bad = tmp_path / "openrouter_models_2026-02-28.json"
    bad.write_bytes(scaled(raw_payloads[DAY].read_bytes(), Decimal(1000)))
    # implausible prices (×1000 of the dearest) are filtered out, so it also shrinks: both overridden
    code, _, err = run(fetch_args(bad, db, "--force", "--reason", "testing the override", "--allow-shrink"), capsys)
    assert code == 0, err
    with Store(db, read_only=True) as s:
        snaps = list_snapshots(s)
    last = snaps.iloc[-1]
    assert last["forced_reason"] == "testing the override"
    assert "unit change" in last["forced_checks"] and "×1,000" in last["forced_checks"]


def test_unit_factor_counts_only_the_constant_factor():
    old = pd.Series([1.0, 2.0, 4.0, 8.0, 3.0, 0.0]).to_numpy()
    new = pd.Series([1000.0, 2000.0, 4000.0, 8.0, 1.5, 5.0]).to_numpy()  # 3 of 5 comparable ×1000
    f, share, n = unit_factor(old, new)
    assert round(f) == 1000 and share == 3 / 5 and n == 5


def test_a_small_catalogue_moving_at_once_is_not_called_a_unit_change(tmp_path):
    """Below UNIT_FACTOR_MIN_PRICES compared prices a common move can be real (one vendor's cut)."""
    s = Store.memory()
    a = synthetic_payload(0, n=5)
    record(s, prepare("openrouter", a, observed_at=pd.Timestamp("2026-01-01").to_pydatetime()))
    halved = synthetic_payload(0, n=5, scale=0.5)
    rep = record(s, prepare("openrouter", halved, observed_at=pd.Timestamp("2026-01-02").to_pydatetime()))
    assert rep.opened == 5 and rep.closed == 5


# --------------------------------------------------------------------------- item 2: drop and list


def test_drop_removes_a_snapshot_and_rebuilds_the_intervals_it_split(raw_payloads, tmp_path, capsys):
    clean = tmp_path / "clean.duckdb"
    for p in (raw_payloads[DAY], raw_payloads[NEXT]):
        assert run(fetch_args(p, clean), capsys)[0] == 0
    db = tmp_path / "t.duckdb"
    bad = tmp_path / "openrouter_models_2026-03-01.json"
    bad.write_bytes(scaled(raw_payloads[DAY].read_bytes(), Decimal(1000)))
    assert run(fetch_args(raw_payloads[DAY], db), capsys)[0] == 0
    assert run(fetch_args(bad, db, "--force", "--reason", "to be dropped", "--allow-shrink"), capsys)[0] == 0
    # after it, the real next snapshot looks like a ÷1000 unit change in turn
    code, _, err = run(fetch_args(raw_payloads[NEXT], db), capsys)
    assert code == 1 and "moved by one factor, ÷1,000" in err
    assert run(fetch_args(raw_payloads[NEXT], db, "--force", "--reason", "units back"), capsys)[0] == 0
    code, out, err = run(["fetch", "list", "--db", str(db), "-f", "json"], capsys)
    assert code == 0, err
    ids = {r["observed_at"][:10]: r["snapshot_id"] for r in json.loads(out)}
    code, out, err = run(["fetch", "drop", str(ids["2026-03-01"]), "--db", str(db), "-f", "json"], capsys)
    assert code == 0, err
    row = json.loads(out)[0]  # only JSON on stdout
    assert (row["snapshot_id"], row["source"], row["status"]) == (str(ids["2026-03-01"]), "openrouter", "dropped")
    assert row["observed_at"].startswith("2026-03-01") and "merged" in row["what"]
    assert_same(state(clean), state(db))  # as if the bad snapshot had never been recorded


def test_dropping_the_latest_snapshot_reopens_the_previous_one(raw_payloads, tmp_path, capsys):
    one = tmp_path / "one.duckdb"
    assert run(fetch_args(raw_payloads[DAY], one), capsys)[0] == 0
    db = tmp_path / "t.duckdb"
    for p in (raw_payloads[DAY], raw_payloads[NEXT]):
        assert run(fetch_args(p, db), capsys)[0] == 0
    with Store(db, read_only=True) as s:
        last = int(list_snapshots(s)["snapshot_id"].iloc[-1])
    code, out, err = run(["fetch", "drop", str(last), "--db", str(db), "-f", "csv"], capsys)
    assert code == 0, err
    assert pd.read_csv(io.StringIO(out))["status"].tolist() == ["dropped"]  # only CSV on stdout
    # prices and dates as if it had never been recorded; the carried columns (cache price, context,
    # name) keep the dropped snapshot's values until the next fetch (intervals keep only the latest)
    carry = ["cache_read_usd_per_mtok", "context_tokens", "model_name", "author", "reasoning_flag", "listed_date"]
    a, b = state(one), state(db)
    pd.testing.assert_frame_equal(a["fetch_snapshots"], b["fetch_snapshots"])
    pd.testing.assert_frame_equal(a["price_intervals"].drop(columns=carry), b["price_intervals"].drop(columns=carry))
    # and the next fetch records as on a store that never had it
    assert run(fetch_args(raw_payloads[NEXT], db), capsys)[0] == 0
    assert run(fetch_args(raw_payloads[NEXT], one), capsys)[0] == 0
    assert_same(state(one), state(db))


@pytest.mark.parametrize("bad_id, seen", [("999", "no fetched snapshot with id 999 (ids in "),
                                          ("abc", "snapshot id 'abc' is not a number")])
def test_drop_of_an_unknown_id_is_refused_and_lists_the_ids(bad_id, seen, raw_payloads, tmp_path, capsys):
    db = tmp_path / "t.duckdb"
    assert run(fetch_args(raw_payloads[DAY], db), capsys)[0] == 0
    before = state(db)
    code, _, err = run(["fetch", "drop", bad_id, "--db", str(db)], capsys)
    assert code == 1 and err.startswith(f"Error: {seen}") and "llmflation fetch list" in err
    assert_same(before, state(db))


def test_drop_and_list_refuse_a_missing_store(tmp_path, capsys):
    for cmd in (["fetch", "drop", "1"], ["fetch", "list"]):
        code, _, err = run([*cmd, "--db", str(tmp_path / "nope.duckdb")], capsys)
        assert code == 1 and err.startswith("Error: no store at ") and "--db PATH" in err
        assert not (tmp_path / "nope.duckdb").exists()


def test_a_store_poisoned_by_an_older_version_is_refused_clearly_and_repaired_by_drop(raw_payloads, tmp_path,
                                                                                        capsys):
    """Year 1026 written by an older llmflation: every --db read said `Out of bounds
    nanosecond timestamp`; now reads refuse with the fix, and `fetch drop` repairs it."""
    db = tmp_path / "t.duckdb"
    assert run(fetch_args(raw_payloads[DAY], db), capsys)[0] == 0
    with Store(db) as s:  # what an older llmflation wrote for --observed-at 1026-02-27
        s.con.execute("UPDATE price_intervals SET valid_from = DATE '1026-02-27', valid_to = DATE '1026-02-27', "
                      "observed_at = TIMESTAMP '1026-02-27' WHERE origin = 'fetch'")
        s.con.execute("UPDATE fetch_snapshots SET observed_at = TIMESTAMP '1026-02-27', "
                      "snapshot_date = DATE '1026-02-27'")
    with Store(db, read_only=True) as s, pytest.raises(StoreError) as e:
        s.price_intervals()  # what every --db read (load_panel) goes through
    err = str(e.value)
    assert err.startswith(f"store {db} holds fetched price history dated outside 2015-01-01 → ")
    assert "id 1 (openrouter, 1026-02-27)" in err and "llmflation fetch drop SNAPSHOT_ID" in err
    code, out, err = run(["fetch", "list", "--db", str(db), "-f", "csv"], capsys)
    assert code == 0 and "1026-02-27" in out, err
    assert run(["fetch", "drop", "1", "--db", str(db)], capsys)[0] == 0
    with Store(db, read_only=True) as s:
        assert s.price_intervals(origin="fetch").empty
    assert run(fetch_args(raw_payloads[DAY], db), capsys)[0] == 0


# --------------------------------------------------------------------------- acceptance 7: LiteLLM copy without providers


def test_a_litellm_copy_without_providers_continues_the_history():
    """tokencost's 2024-01-31 copy of the LiteLLM map lacks `litellm_provider`: the shrink
    guard rightly saw 0 of 106 keys continued; the rows now take their key's provider from
    the store, as the bundle does, and `make bench` replays to the end."""
    from llmflation.sources import litellm as litellm_src

    snaps = bundled.load_table("litellm_snapshots")
    s = Store.memory()
    reps = []
    for day in ("2023-12-13", "2024-01-31", "2024-03-25"):
        raw = litellm_src.payload_from_frame(snaps[snaps["snapshot_date"].astype(str) == day])
        snap = prepare("litellm", raw, observed_at=pd.Timestamp(day).to_pydatetime())
        if day == "2024-01-31":
            assert (snap.observations["provider"] == "unknown").all()
            filled = fill_providers(s, snap).observations
            known = set(s.query("SELECT source_key FROM price_intervals")["source_key"])
            assert filled["source_key"].isin(known).sum() >= 100
            assert (filled["provider"] == "unknown").eq(~filled["source_key"].isin(known)).all()
        reps.append(record(s, snap))
    # most of the history goes on through the copy (before: 0 of 106 open intervals continued)
    assert reps[1].extended >= 0.85 * reps[0].open_intervals and reps[1].closed <= 0.15 * reps[0].open_intervals
    # keys new in that copy keep `unknown` (nothing to take it from), and are closed at the next snapshot
    assert s.query("SELECT count(*) AS n FROM price_intervals WHERE provider = 'unknown' AND is_open")["n"].iloc[0] == 0


# --------------------------------------------------------------------------- item 8: HTTP


def test_a_redirect_without_location_is_a_clear_error():
    t = httpx.MockTransport(lambda req: httpx.Response(302))
    with pytest.raises(FetchError, match=r"returned HTTP 302 \(a redirect\) without a Location header; expected "
                                         r"the address to follow\..*pass another --url"):
        get_bytes("https://example.org/api", transport=t, policy=RetryPolicy(max_attempts=1))


@pytest.mark.parametrize("opt, value", [("--max-time", "inf"), ("--max-time", "nan"), ("--timeout", "inf"),
                                        ("--max-time", "1e308"), ("--lock-timeout", "inf"),
                                        ("--lock-timeout", "-1"), ("--lock-timeout", "1e9")])
def test_non_finite_or_negative_limits_are_refused(opt, value, raw_payloads, tmp_path, capsys):
    db = tmp_path / "t.duckdb"
    code, _, err = run(fetch_args(raw_payloads[DAY], db, opt, value), capsys)
    assert code in (1, 2)  # 2: typer's own range check (--lock-timeout has none, --max-time min 0.001)
    assert "Error" in err
    if code == 1:
        assert ("finite" in err or "86,400 seconds" in err) and "expected e.g." in err
    assert not db.exists()


def test_non_finite_policy_values_are_refused():
    for kw in ({"max_total": float("inf")}, {"timeout": float("nan")}, {"backoff_cap": float("inf")}):
        with pytest.raises(InputError, match="finite number of seconds"):
            RetryPolicy(**kw)
    # finite but huge: the watchdog's timer could not be armed (OverflowError in its thread)
    for kw in ({"max_total": 1e308}, {"timeout": 1e12}):
        with pytest.raises(InputError, match=r"must be at most 86,400 seconds \(one day\)"):
            RetryPolicy(**kw)
    RetryPolicy(max_total=86_400.0, timeout=86_400.0)


def test_deeply_nested_json_is_a_clear_error(tmp_path, capsys):
    raw = b"[" * 100_000 + b"]" * 100_000
    with pytest.raises(ParseError, match="nests arrays or objects too deeply"):
        load_json(raw, "openrouter")
    p = tmp_path / "openrouter_models_2026-02-27.json"
    p.write_bytes(raw)
    code, _, err = run(fetch_args(p, tmp_path / "t.duckdb"), capsys)
    assert code == 1 and err.startswith("Error: openrouter payload nests arrays or objects too deeply")
    assert not (tmp_path / "t.duckdb").exists()


# --------------------------------------------------------------------------- item 10: contention


def synthetic_payload(day: int, n: int = 30, scale: float = 1.0) -> bytes:
    """``n`` models; model k's price drops on days divisible by k + 2 (a real, model-by-model move)."""
    data = []
    for k in range(n):
        cuts = day // (k + 2)
        price = scale * (k + 1) * 1e-6 * 0.9 ** cuts
        data.append({"id": f"lab/model-{k}", "name": f"Model {k}", "created": 1_700_000_000,
                     "pricing": {"prompt": repr(price), "completion": repr(4 * price)}})
    return json.dumps({"data": data}).encode()


READER = textwrap.dedent("""
    import os, sys, time
    from llmflation.store.db import Store
    path, stop = sys.argv[1], sys.argv[2]
    reads = errors = 0
    while not os.path.exists(stop):
        try:
            with Store(path, read_only=True, lock_timeout=30) as s:
                s.query("SELECT count(*) FROM price_intervals")
                time.sleep(0.01)  # hold the store a little, as a command reading it would
            reads += 1
        except Exception as exc:
            errors += 1
            print(type(exc).__name__, exc, file=sys.stderr, flush=True)
    print(reads, errors)
""")

WRITER = textwrap.dedent("""
    import sys, json
    from datetime import datetime, timedelta
    sys.path.insert(0, sys.argv[3])
    from test_store_fetch import synthetic_payload
    from llmflation.store.fetch import fetch
    path, n = sys.argv[1], int(sys.argv[2])
    ok = 0
    for day in range(n):
        try:
            fetch(path, "openrouter", payload=synthetic_payload(day),
                  observed_at=datetime(2026, 1, 1) + timedelta(days=day), lock_timeout=60)
            ok += 1
        except Exception as exc:
            print(type(exc).__name__, exc, file=sys.stderr, flush=True)
    print(ok)
""")


@pytest.mark.slow  # ~30 s on 2 cores: 5 processes
@pytest.mark.skipif(sys.platform == "win32", reason="flock")
def test_40_fetches_beside_4_busy_readers_are_all_recorded(tmp_path):
    db = tmp_path / "t.duckdb"
    Store(db).close()
    stop = tmp_path / "stop"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(__file__).parent), *sys.path])}
    readers = [subprocess.Popen([sys.executable, "-c", READER, str(db), str(stop)], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, env=env) for _ in range(4)]
    try:
        time.sleep(1.0)  # readers up and hammering before the first fetch
        w = subprocess.run([sys.executable, "-c", WRITER, str(db), "40", str(Path(__file__).parent)],
                           capture_output=True, text=True, env=env, timeout=300)
    finally:
        stop.touch()
        outs = [r.communicate(timeout=60) for r in readers]
    assert w.returncode == 0 and w.stdout.split()[-1] == "40", w.stderr[-2000:]
    for out, err in outs:
        reads, errors = map(int, out.split())
        assert errors == 0 and reads > 0, err[-2000:]
    with Store(db, read_only=True) as s:
        assert len(list_snapshots(s)) == 40


def test_a_reader_waits_for_a_writer_and_readers_share(tmp_path):
    from llmflation.store import lock

    db = str(tmp_path / "t.duckdb")
    Store(db).close()
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent("""
        import sys, time
        from llmflation.store.db import Store
        s = Store(sys.argv[1], read_only=True)
        print("reading", flush=True)
        sys.stdin.readline()
        s.close()
    """), db], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "reading"
        with Store(db, read_only=True, lock_timeout=0):  # readers never block each other
            pass
        t0 = time.monotonic()
        with pytest.raises(StoreError, match=r"is locked by another process \(waited 0\.\d s; seen: another "
                                             r"llmflation process is using the store\)"):
            Store(db, lock_timeout=0.3)
        assert time.monotonic() - t0 < 5
    finally:
        assert holder.stdin is not None
        holder.stdin.write("\n")
        holder.stdin.flush()
        holder.wait(timeout=30)
    Store(db, lock_timeout=5).close()
    assert lock.lock_timeout(None, env={"LLMFLATION_LOCK_TIMEOUT": "7"}) == 7.0
    with pytest.raises(InputError, match=r"\$LLMFLATION_LOCK_TIMEOUT 'soon' is not a finite number"):
        lock.lock_timeout(None, env={"LLMFLATION_LOCK_TIMEOUT": "soon"})


# --------------------------------------------------------------------------- drop, exactly


def _obs(rng, keys: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"source_key": keys, "provider": "p",
                         "input_usd_per_mtok": rng.choice([1.0, 2.0], size=len(keys)),
                         "output_usd_per_mtok": 4.0, "cache_read_usd_per_mtok": None, "context_tokens": None,
                         "model_name": keys, "author": "a", "reasoning_flag": False, "listed_date": None})


PRICE_COLS = ["source", "source_key", "provider", "valid_from", "valid_to", "input_usd_per_mtok",
              "output_usd_per_mtok", "n_obs", "origin", "is_open"]


@pytest.mark.parametrize("seed", [0, *(pytest.param(k, marks=pytest.mark.slow) for k in range(1, 6))])
def test_dropping_any_snapshot_equals_never_recording_it(seed):
    """Random histories (keys appearing, vanishing and coming back, prices flipping): recording
    every snapshot and dropping snapshot k gives the intervals of recording all but k."""
    import numpy as np

    from llmflation.store.history import drop_snapshot, record_snapshot

    rng = np.random.default_rng(seed)
    days = pd.date_range("2026-01-01", periods=5, freq="D")
    snaps = []
    for _ in days:
        keys = [f"k{i}" for i in range(8) if rng.random() < 0.8] or ["k0"]
        snaps.append(_obs(rng, keys))
    for k in range(len(days)):
        full = Store.memory()
        for day, obs in zip(days, snaps, strict=True):
            record_snapshot(full, obs, source="t", observed_at=day, allow_shrink=True)
        sid = int(list_snapshots(full)["snapshot_id"].iloc[k])
        drop_snapshot(full, sid)
        ref = Store.memory()
        for j, (day, obs) in enumerate(zip(days, snaps, strict=True)):
            if j != k:
                record_snapshot(ref, obs, source="t", observed_at=day, allow_shrink=True)
        order = ["source_key", "valid_from"]
        got = full.price_intervals()[PRICE_COLS].sort_values(order).reset_index(drop=True)
        want = ref.price_intervals()[PRICE_COLS].sort_values(order).reset_index(drop=True)
        pd.testing.assert_frame_equal(got, want, obj=f"seed {seed}, dropped day {k}")
        assert len(list_snapshots(full)) == len(days) - 1


def test_a_failing_drop_changes_nothing(monkeypatch):
    """One transaction: an error half-way through the rebuild rolls every statement back."""
    import numpy as np

    from llmflation.store import history
    from llmflation.store.history import drop_snapshot, record_snapshot

    rng = np.random.default_rng(0)
    s = Store.memory()
    for day in pd.date_range("2026-01-01", periods=3, freq="D"):
        record_snapshot(s, _obs(rng, ["a", "b", "c"]), source="t", observed_at=day)
    before = (s.query("SELECT * FROM price_intervals ORDER BY ALL"), s.query("SELECT * FROM fetch_snapshots ORDER BY ALL"))
    calls = {"n": 0}
    real = history._rowcount

    def failing(res):
        calls["n"] += 1
        if calls["n"] == 3:  # after the first DELETE and UPDATE ran
            raise RuntimeError("disk full (simulated)")
        return real(res)

    monkeypatch.setattr(history, "_rowcount", failing)
    with pytest.raises(RuntimeError, match="simulated"):
        drop_snapshot(s, 2)
    monkeypatch.undo()
    after = (s.query("SELECT * FROM price_intervals ORDER BY ALL"), s.query("SELECT * FROM fetch_snapshots ORDER BY ALL"))
    for a, b in zip(before, after, strict=True):
        pd.testing.assert_frame_equal(a, b)


def test_dropping_an_epoch_snapshot_restores_the_record_it_revised():
    from llmflation.store.history import EPOCH_MODELS, drop_snapshot, record_snapshot

    def epoch(compute: float) -> pd.DataFrame:
        row = dict.fromkeys(EPOCH_MODELS.columns)
        row.update(model="GPT-4", organization="OpenAI", training_compute_flop=compute)
        return pd.DataFrame([row, {**row, "model": "Other", "training_compute_flop": 1e20}])

    s = Store.memory()
    for day, c in (("2026-01-01", 2.1e25), ("2026-02-01", 9.9e99), ("2026-03-01", 2.1e25)):
        record_snapshot(s, epoch(c), source="epoch", observed_at=day, table=EPOCH_MODELS)
    drop_snapshot(s, 2)
    h = s.query("SELECT model, valid_from, valid_to, n_obs, is_open, training_compute_flop FROM epoch_model_history "
                "ORDER BY model")
    assert h["n_obs"].tolist() == [2, 2] and h["is_open"].all()
    assert h["training_compute_flop"].tolist() == [2.1e25, 1e20]
    assert list(pd.to_datetime(h["valid_from"])) == [pd.Timestamp("2026-01-01")] * 2


@pytest.mark.slow  # loads the bundled panel (~10 s)
def test_a_poisoned_store_gives_an_error_line_in_a_study_command(raw_payloads, tmp_path, capsys):
    db = tmp_path / "t.duckdb"
    assert run(fetch_args(raw_payloads[DAY], db), capsys)[0] == 0
    with Store(db) as s:
        s.con.execute("UPDATE fetch_snapshots SET observed_at = TIMESTAMP '1026-02-27'")
    code, _, err = run(["history", "gpt-4o-mini", "--db", str(db)], capsys)
    assert code == 1
    assert err.startswith(f"Error: store {db} holds fetched price history dated outside 2015-01-01 → ")
    assert "Traceback" not in err


def test_a_store_from_before_snapshot_ids_gets_them_on_list(raw_payloads, tmp_path, capsys):
    db = tmp_path / "old.duckdb"
    for p in (raw_payloads[DAY], raw_payloads[NEXT]):
        assert run(fetch_args(p, db), capsys)[0] == 0
    with Store(db) as s:  # back to schema 3, as an older llmflation wrote it
        for c in ("snapshot_id", "forced_reason", "forced_checks"):
            s.con.execute(f"ALTER TABLE fetch_snapshots DROP COLUMN {c}")
        s.con.execute("DROP SEQUENCE fetch_snapshot_id")
        s.con.execute("DELETE FROM schema_migrations WHERE version >= 4")
    with Store(db, read_only=True) as s:
        assert s.schema_version() == 3
    code, out, err = run(["fetch", "list", "--db", str(db), "-f", "json"], capsys)
    assert code == 0, err
    assert [r["snapshot_id"] for r in json.loads(out)] == [1, 2]
    assert run(["fetch", "drop", "2", "--db", str(db), "-f", "csv"], capsys)[0] == 0


@pytest.mark.parametrize("day, col", [("1026-05-11", "date"), ("2026-09-11", "date")])
def test_rankings_days_outside_2015_to_the_snapshot_are_refused(day, col, tmp_path, capsys):
    p = tmp_path / "rankings.json"
    p.write_text('{"data": [{"date": "2026-05-10", "model_permaslug": "a/b", "total_tokens": "5"}, '
                 f'{{"date": "{day}", "model_permaslug": "x/y", "total_tokens": "10"}}]}}')
    db = tmp_path / "t.duckdb"
    code, _, err = run(["fetch", "openrouter-rankings", "--payload", str(p), "--observed-at", "2026-05-12",
                        "--db", str(db), "-f", "csv"], capsys)
    assert code == 1
    assert err.startswith(f"Error: openrouter-rankings payload record 1 has {col} {day} (1 record(s) like it); "
                          "expected a day from 2015-01-01 to the snapshot's 2026-05-12")
    assert not db.exists()


def test_threads_of_one_process_share_the_store_lock_without_leaking_it(tmp_path, monkeypatch):
    """Readers in threads (a report's sections) open the store at once; afterwards a writer
    in the same process gets it at once (no lock file left held by a lost handle)."""
    from concurrent.futures import ThreadPoolExecutor

    from llmflation.store import lock

    db = str(tmp_path / "t.duckdb")
    Store(db).close()
    real_open = lock._open

    def slow_open(p: str) -> int | None:  # widen the window between "is it held?" and "held"
        time.sleep(0.02)
        return real_open(p)

    monkeypatch.setattr(lock, "_open", slow_open)

    def read(_: int) -> int:
        with Store(db, read_only=True, lock_timeout=5) as s:
            return s.count("price_intervals")

    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(read, range(64))) == [0] * 64
    assert not lock._held
    Store(db, lock_timeout=0).close()
