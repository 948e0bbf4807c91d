"""`llmflation fetch …`: replaying real archived snapshots, validation, keys, panel merge.

The OpenRouter payloads are the six raw ``/api/v1/models`` responses of the bundle
(2025-12-18 → 2026-05-01), written to files and replayed with ``--payload``.
"""

from __future__ import annotations

import io
import json
import os
import time
import warnings
import zipfile
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmflation.cli import main
from llmflation.errors import ParseError
from llmflation.normalize.catalogues import openrouter_observations
from llmflation.normalize.intervals import observations_to_intervals
from llmflation.normalize.units import ExclusionLog
from llmflation.sources import bundled
from llmflation.sources import epoch as epoch_src
from llmflation.sources import litellm as litellm_src
from llmflation.sources import openrouter as openrouter_src
from llmflation.store.db import Store
from llmflation.store.fetch import prepare, resolve_observed_at

DATES = bundled.openrouter_payload_dates()


def cli(args: list[str]) -> int:
    try:
        main(args)
    except SystemExit as e:
        return int(e.code or 0)
    return 0


def fetch_json(capsys, args: list[str]) -> dict:
    assert cli([*args, "-f", "json"]) == 0, capsys.readouterr().err
    return json.loads(capsys.readouterr().out)["rows"][0]


def state(db: Path) -> dict[str, pd.DataFrame]:
    with Store(db, read_only=True) as s:
        return {t: s.query(f"SELECT * FROM {t} ORDER BY ALL") for t in
                ("price_intervals", "fetch_snapshots", "epoch_model_history", "openrouter_rankings_daily")}


def assert_same(a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame]) -> None:
    for t in a:
        pd.testing.assert_frame_equal(a[t], b[t], obj=t)


@pytest.fixture(scope="module")
def payloads(tmp_path_factory) -> list[Path]:
    d = tmp_path_factory.mktemp("openrouter")
    out = []
    for day in DATES:
        p = d / f"openrouter_models_{day}.json"
        p.write_bytes(bundled.load_openrouter_payload(day))
        out.append(p)
    return out


@pytest.fixture(scope="module")
def backfilled(payloads, tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("store") / "history.duckdb"
    for p in payloads:
        assert cli(["fetch", "openrouter", "--payload", str(p), "--db", str(db), "-f", "csv"]) == 0
    return db


# --------------------------------------------------------------------------- acceptance 1: back-fill


def test_six_archived_snapshots_back_fill_and_re_running_the_last_changes_no_row(payloads, backfilled, capsys,
                                                                               tmp_path):
    db = tmp_path / "copy.duckdb"
    db.write_bytes(backfilled.read_bytes())
    before = state(db)
    assert len(before["fetch_snapshots"]) == 6
    row = fetch_json(capsys, ["fetch", "openrouter", "--payload", str(payloads[-1]), "--db", str(db)])
    assert row["status"] == "already recorded" and (row["extended"], row["opened"], row["closed"]) == (0, 0, 0)
    assert_same(before, state(db))
    # any earlier archived snapshot too
    row = fetch_json(capsys, ["fetch", "openrouter", "--payload", str(payloads[2]), "--db", str(db)])
    assert row["status"] == "already recorded"
    assert_same(before, state(db))


def test_back_filled_history_equals_the_pandas_run_length_encoding(payloads, backfilled):
    obs = []
    for p in payloads:
        snap = prepare("openrouter", p.read_bytes(), observed_at=resolve_observed_at(None, p)[0])
        obs.append(snap.observations.assign(observed_date=pd.Timestamp(snap.observed_at)))
    allobs = pd.concat(obs, ignore_index=True)
    ref = observations_to_intervals(allobs, key=["source_key", "provider"], snapshots=allobs["observed_date"])
    with Store(backfilled, read_only=True) as s:
        got = s.query("SELECT * FROM price_intervals WHERE origin = 'fetch' ORDER BY source_key, valid_from")
    # 562: the bundle's own filter drops 15 non-text and fine-tuned offers (speech, image, search…)
    assert len(got) == len(ref) == 562
    ref = ref.sort_values(["source_key", "valid_from"]).reset_index(drop=True)
    assert got["source_key"].tolist() == ref["source_key"].tolist()
    np.testing.assert_array_equal(got["input_usd_per_mtok"], ref["input_usd_per_mtok"])
    np.testing.assert_array_equal(got["output_usd_per_mtok"], ref["output_usd_per_mtok"])
    assert (pd.to_datetime(got["valid_from"]) == ref["valid_from"]).all()
    assert (pd.to_datetime(got["valid_to"]) == ref["valid_to"]).all()
    assert got["n_obs"].tolist() == ref["n_obs"].tolist()
    # every row keeps source, identity and observed_at; open = seen in the last snapshot
    assert got["source"].eq("openrouter").all() and got["provider"].eq("openrouter").all()
    assert got["observed_at"].notna().all()
    assert (pd.to_datetime(got.loc[got["is_open"], "valid_to"]) == pd.Timestamp(DATES[-1])).all()
    assert (pd.to_datetime(got.loc[~got["is_open"], "valid_to"]) < pd.Timestamp(DATES[-1])).all()


def test_a_model_that_disappears_is_closed_not_deleted(payloads, backfilled):
    with Store(backfilled, read_only=True) as s:
        df = s.query("SELECT * FROM price_intervals WHERE origin = 'fetch'")

    def priced(p: Path) -> set[str]:
        return set(prepare("openrouter", p.read_bytes(), observed_at=datetime(2026, 1, 1)).observations["source_key"])

    last, first = priced(payloads[-1]), priced(payloads[0])
    gone = df[~df["source_key"].isin(last)]
    assert len(gone) > 0 and not gone["is_open"].any()
    assert first - last and first - last <= set(df["source_key"])  # priced once, still has its rows


@pytest.mark.parametrize("day", ["2026-01-29", "2026-03-31", "2026-05-01"])
def test_live_parse_equals_the_bundled_daily_table_for_the_same_commit(day):
    # these raw payloads are the very commits the bundled daily table took for that day
    live = openrouter_src.parse(bundled.load_openrouter_payload(day), snapshot_date=day).frame
    daily = bundled.load_table("openrouter_daily")
    daily = daily[daily["snapshot_date"] == day]
    a, _ = openrouter_observations(live, ExclusionLog())
    b, _ = openrouter_observations(daily, ExclusionLog())
    cols = ["source_key", "input_usd_per_mtok", "output_usd_per_mtok", "context_tokens", "reasoning_flag"]
    a = a[cols].sort_values("source_key").reset_index(drop=True)
    b = b[cols].sort_values("source_key").reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b, check_dtype=False)


def test_observed_at_comes_from_the_option_the_file_name_or_the_file_time(tmp_path):
    p = tmp_path / "models.json"
    p.write_bytes(b"{}")
    os.utime(p, (1767225600, 1767225600))  # 2026-01-01T00:00:00Z
    assert resolve_observed_at(None, p) == (datetime(2026, 1, 1), "file modification time")
    assert resolve_observed_at(None, tmp_path / "x_2025-12-18.json")[1] == "file name"
    assert resolve_observed_at("2026-03-04")[0] == datetime(2026, 3, 4)
    when, how = resolve_observed_at(now=lambda: datetime(2026, 5, 6, 7, 8, 9, 123))
    assert (when, how) == (datetime(2026, 5, 6, 7, 8, 9), "clock (live fetch)")


def test_out_of_order_snapshot_is_refused_by_the_cli(payloads, tmp_path, capsys):
    db = tmp_path / "s.duckdb"
    assert cli(["fetch", "openrouter", "--payload", str(payloads[3]), "--db", str(db), "-f", "csv"]) == 0
    before = state(db)
    capsys.readouterr()
    assert cli(["fetch", "openrouter", "--payload", str(payloads[1]), "--db", str(db)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Error: the openrouter snapshot of 2026-01-07 00:00:00 is older than the latest one "
                          "recorded (2026-02-27 00:00:00)")
    assert_same(before, state(db))


def test_bad_observed_at_and_missing_payload(tmp_path, capsys, payloads):
    assert cli(["fetch", "openrouter", "--payload", str(payloads[0]), "--observed-at", "yesterday-ish",
                "--db", str(tmp_path / "s.duckdb")]) == 1
    assert "is not a date or time" in capsys.readouterr().err
    assert cli(["fetch", "openrouter", "--payload", str(tmp_path / "nope.json"), "--db",
                str(tmp_path / "s.duckdb")]) == 1
    assert "is not a file" in capsys.readouterr().err


# --------------------------------------------------------------------------- acceptance 3: validation


def _mutate(raw: bytes, fn) -> bytes:
    doc = json.loads(raw)
    fn(doc["data"] if isinstance(doc, dict) else doc)
    return json.dumps(doc).encode()


BAD_PAYLOADS = {
    "truncated": (lambda raw: raw[: len(raw) // 2], "openrouter payload is not valid JSON (truncated or corrupt?)"),
    "price abc": (lambda raw: _mutate(raw, lambda d: d[17]["pricing"].__setitem__("prompt", "abc")),
                  "at record 17 (id {id17!r}), field 'pricing.prompt': Value error, not a decimal number (got 'abc')"),
    "pricing became a list": (lambda raw: _mutate(raw, lambda d: d[3].__setitem__("pricing", ["0.1"])),
                              "at record 3 (id {id3!r}), field 'pricing'"),
    "id became a number": (lambda raw: _mutate(raw, lambda d: d[5].__setitem__("id", 12345)),
                           "at record 5 (id 12345), field 'id': Input should be a valid string"),
    "context_length text": (lambda raw: _mutate(raw, lambda d: d[9].__setitem__("context_length", "lots")),
                            "at record 9 (id {id9!r}), field 'context_length'"),
    "missing completion price": (lambda raw: _mutate(raw, lambda d: d[0]["pricing"].pop("completion")),
                                 "at record 0 (id {id0!r}), field 'pricing.completion': Field required"),
    "empty list": (lambda raw: b'{"data": []}', "holds no models"),
    "not a list": (lambda raw: b'{"models": {}}', "has no list of models"),
}


@pytest.mark.parametrize("case", list(BAD_PAYLOADS))
def test_an_invalid_payload_leaves_the_store_exactly_as_it_was(case, payloads, backfilled, tmp_path, capsys):
    db = tmp_path / "copy.duckdb"
    db.write_bytes(backfilled.read_bytes())
    before = state(db)
    raw = payloads[-1].read_bytes()
    make, expected = BAD_PAYLOADS[case]
    bad = tmp_path / "openrouter_models_2026-06-01.json"
    bad.write_bytes(make(raw))
    ids = {f"id{i}": json.loads(raw)[i]["id"] for i in (0, 3, 9, 17)}
    assert cli(["fetch", "openrouter", "--payload", str(bad), "--db", str(db)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Error: ") and expected.format(**ids) in err, err
    assert "The store was not changed" in err
    assert_same(before, state(db))


def test_an_invalid_payload_never_creates_a_store(tmp_path, capsys):
    bad = tmp_path / "p.json"
    bad.write_bytes(b'{"data": [{"id": "x/y", "name": "Y", "pricing": {"prompt": "abc", "completion": "1"}}]}')
    db = tmp_path / "new.duckdb"
    assert cli(["fetch", "openrouter", "--payload", str(bad), "--db", str(db)]) == 1
    assert not db.exists()


# --------------------------------------------------------------------------- acceptance 2: litellm, epoch


def _litellm_payload(day: str) -> bytes:
    snaps = bundled.load_table("litellm_snapshots")
    return litellm_src.payload_from_frame(snaps[snaps["snapshot_date"] == day])


def test_litellm_snapshots_replay_into_intervals(tmp_path, capsys):
    db = tmp_path / "s.duckdb"
    days = ["2025-10-01", "2025-11-01", "2025-12-01"]
    obs = []
    for day in days:
        p = tmp_path / f"litellm_{day}.json"
        p.write_bytes(_litellm_payload(day))
        row = fetch_json(capsys, ["fetch", "litellm", "--payload", str(p), "--db", str(db)])
        assert row["status"] == "recorded"
        obs.append(prepare("litellm", p.read_bytes(), observed_at=datetime.fromisoformat(day)).observations
                   .assign(observed_date=pd.Timestamp(day)))
    allobs = pd.concat(obs, ignore_index=True)
    ref = observations_to_intervals(allobs, key=["source_key", "provider"], snapshots=allobs["observed_date"])
    with Store(db, read_only=True) as s:
        got = s.query("SELECT * FROM price_intervals WHERE source = 'litellm'")
    assert len(got) == len(ref) > 1000
    merged = got.merge(ref, on=["source_key", "provider", "input_usd_per_mtok", "output_usd_per_mtok"],
                       suffixes=("", "_ref"))
    assert len(merged) == len(ref)
    # re-running the last one changes nothing
    before = state(db)
    row = fetch_json(capsys, ["fetch", "litellm", "--payload", str(tmp_path / "litellm_2025-12-01.json"),
                              "--db", str(db)])
    assert row["status"] == "already recorded"
    assert_same(before, state(db))


def test_litellm_validation_names_the_model_key_and_field(tmp_path, capsys):
    doc = json.loads(_litellm_payload("2025-12-01"))
    key = next(iter(doc))
    doc[key]["input_cost_per_token"] = "abc"
    p = tmp_path / "litellm_2025-12-02.json"
    p.write_bytes(json.dumps(doc).encode())
    assert cli(["fetch", "litellm", "--payload", str(p), "--db", str(tmp_path / "s.duckdb")]) == 1
    err = capsys.readouterr().err
    assert f"litellm payload failed validation at record {key!r}, field 'input_cost_per_token'" in err
    with pytest.raises(ParseError, match="record 'm', field 'max_input_tokens'"):
        litellm_src.parse(b'{"m": {"mode": "chat", "max_input_tokens": [1]}}', snapshot_date="2026-01-01")


def test_litellm_skips_the_schema_entry_and_metadata():
    raw = (b'{"sample_spec": {"max_input_tokens": "max input tokens"}, "last_updated": "2026-07-24",'
           b' "gpt-4o": {"litellm_provider": "openai", "mode": "chat", "input_cost_per_token": 2.5e-06,'
           b' "output_cost_per_token": 1e-05}, "dall-e-3": {"mode": "image_generation"}}')
    p = litellm_src.parse(raw, snapshot_date="2026-07-24")
    assert p.frame["model_key"].tolist() == ["gpt-4o"] and p.records == 2


def _epoch_zip(df: pd.DataFrame) -> bytes:
    return epoch_src.payload_from_frame(df)


def test_epoch_model_records_become_history(tmp_path, capsys):
    db = tmp_path / "s.duckdb"
    models = bundled.load_table("epoch_models")
    p1 = tmp_path / "ai_models_2026-03-25.zip"
    p1.write_bytes(_epoch_zip(models))
    row = fetch_json(capsys, ["fetch", "epoch", "--payload", str(p1), "--db", str(db)])
    n_models = models["Model"].str.strip().nunique()
    assert row["status"] == "recorded" and row["opened"] == n_models == row["open_intervals"]
    # a month later: one model's compute revised, one model dropped
    changed = models.copy()
    target = changed.index[changed["Model"].str.strip() == "GPT-4 (Mar 2023)"][0]
    changed.loc[target, "Training compute (FLOP)"] = 2.5e25
    dropped = changed["Model"].iloc[-1]
    changed = changed.iloc[:-1]
    p2 = tmp_path / "ai_models_2026-04-25.zip"
    p2.write_bytes(_epoch_zip(changed))
    row = fetch_json(capsys, ["fetch", "epoch", "--payload", str(p2), "--db", str(db)])
    assert (row["opened"], row["closed"], row["extended"]) == (1, 2, n_models - 2)
    with Store(db, read_only=True) as s:
        h = s.query("SELECT * FROM epoch_model_history WHERE model = 'GPT-4 (Mar 2023)' ORDER BY valid_from")
        gone = s.query("SELECT is_open FROM epoch_model_history WHERE model = ?", [dropped.strip()])
    assert h["training_compute_flop"].tolist() == [2.1e25, 2.5e25]
    assert h["is_open"].tolist() == [False, True] and gone["is_open"].tolist() == [False]
    # truncated archive
    p3 = tmp_path / "ai_models_2026-05-25.zip"
    p3.write_bytes(p2.read_bytes()[:5000])
    assert cli(["fetch", "epoch", "--payload", str(p3), "--db", str(db)]) == 1
    assert "not a valid zip archive" in capsys.readouterr().err


def test_epoch_validation_names_the_row_and_column():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        cols = ",".join(epoch_src.FIELDS)
        z.writestr("all_ai_models.csv", f"{cols}\nGPT-4,OpenAI,2023-03-15,,,,,,,2.1e+25,\n"
                                        f"Bad,X,2023-13-45,,,,,,,,\n")
    with pytest.raises(ParseError, match=r"record 1 \(Model 'Bad'\), field 'Publication date'"):
        epoch_src.parse(buf.getvalue(), snapshot_date="2026-01-01")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("readme.txt", "x")
    with pytest.raises(ParseError, match="archive has no all_ai_models.csv"):
        epoch_src.parse(buf.getvalue(), snapshot_date="2026-01-01")


# --------------------------------------------------------------------------- keyed sources


@pytest.mark.parametrize("source,var", [("artificial-analysis", "ARTIFICIAL_ANALYSIS_API_KEY"),
                                        ("openrouter-rankings", "OPENROUTER_API_KEY")])
def test_keyed_sources_name_the_missing_variable(source, var, monkeypatch, tmp_path, capsys):
    monkeypatch.delenv(var, raising=False)
    assert cli(["fetch", source, "--db", str(tmp_path / "s.duckdb")]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"Error: source {source!r} needs an API key in the environment variable {var}, "
                          "which is not set.")
    assert not (tmp_path / "s.duckdb").exists()


def test_artificial_analysis_sends_its_key_and_records_prices(monkeypatch, tmp_path, capsys):
    from test_http import Server

    body = json.dumps({"status": 200, "data": [
        {"id": "1", "name": "GPT-4o", "slug": "gpt-4o", "model_creator": {"slug": "openai"},
         "pricing": {"price_1m_input_tokens": 2.5, "price_1m_output_tokens": 10, "price_1m_blended_3_to_1": 4.375}},
        {"id": "2", "name": "Free thing", "slug": "free", "pricing": {"price_1m_input_tokens": 0,
                                                                      "price_1m_output_tokens": 0}}]}).encode()
    monkeypatch.setenv("ARTIFICIAL_ANALYSIS_API_KEY", "secret-key")
    with Server([(200, body, 0)]) as srv:
        row = fetch_json(capsys, ["fetch", "artificial-analysis", "--url", srv.url, "--db", str(tmp_path / "s.duckdb")])
    headers = {k.lower(): v for k, v in srv.requests[0].items()}
    assert headers["x-api-key"] == "secret-key"
    assert row["recorded"] == 1 and "free ($0) price: 1" in row["skipped"]
    assert "secret-key" not in json.dumps(row)


def test_rankings_replay_needs_no_key_and_restated_figures_replace(monkeypatch, tmp_path, capsys):
    monkeypatch.delenv("OPENROUTER_API_KEY", raising=False)
    db = tmp_path / "s.duckdb"

    def payload(tokens: str, as_of: str) -> Path:
        p = tmp_path / f"rankings_{as_of[:10]}.json"
        p.write_text(json.dumps({"data": [
            {"date": "2026-05-11", "model_permaslug": "openai/gpt-4o-2024-05-13", "total_tokens": tokens},
            {"date": "2026-05-11", "model_permaslug": "other", "total_tokens": "4321098"}],
            "meta": {"as_of": as_of, "start_date": "2026-05-11", "end_date": "2026-05-11", "version": "v1"}}))
        return p

    row = fetch_json(capsys, ["fetch", "openrouter-rankings", "--payload", str(payload("12345678",
                                                                                        "2026-05-12T02:00:00Z")),
                              "--db", str(db)])
    assert row["opened"] == 2
    row = fetch_json(capsys, ["fetch", "openrouter-rankings", "--payload", str(payload("12345999",
                                                                                        "2026-05-13T02:00:00Z")),
                              "--db", str(db)])
    assert (row["opened"], row["extended"]) == (0, 2)
    with Store(db, read_only=True) as s:
        df = s.query("SELECT * FROM openrouter_rankings_daily ORDER BY model_permaslug")
    assert df["total_tokens"].tolist() == [12345999, 4321098]
    assert df["as_of"].iloc[0] == pd.Timestamp("2026-05-13 02:00:00")
    bad = tmp_path / "bad.json"
    bad.write_text('{"data": [{"date": "2026-05-11", "model_permaslug": "x", "total_tokens": "1.5e3"}]}')
    assert cli(["fetch", "openrouter-rankings", "--payload", str(bad), "--db", str(db)]) == 1
    assert "field 'total_tokens'" in capsys.readouterr().err


# --------------------------------------------------------------------------- acceptance 6: panel and history


def test_load_panel_and_history_include_fetched_intervals_without_duplicates(payloads, tmp_path, capsys):
    from llmflation.panel.build import load_panel
    from llmflation.store.ingest import ingest_bundled

    db = tmp_path / "s.duckdb"
    with Store(db) as s:
        ingest_bundled(s)
    for p in payloads:
        assert cli(["fetch", "openrouter", "--payload", str(p), "--db", str(db), "-f", "csv"]) == 0
    # a later snapshot: GPT-4o's price is cut and a brand-new model appears
    doc = json.loads(payloads[-1].read_bytes())
    for m in doc:
        if m["id"] == "openai/gpt-4o":
            m["pricing"]["prompt"], m["pricing"]["completion"] = "0.000002", "0.000008"
    doc.append({"id": "acme/zeta-9000", "name": "Acme: Zeta 9000", "created": 1780000000, "context_length": 64000,
                "pricing": {"prompt": "0.0000003", "completion": "0.0000012"}})
    later = tmp_path / "openrouter_models_2026-06-15.json"
    later.write_text(json.dumps(doc))
    assert cli(["fetch", "openrouter", "--payload", str(later), "--db", str(db), "-f", "csv"]) == 0
    capsys.readouterr()
    with Store(db, read_only=True) as s, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        panel = load_panel(store=s, warn=False)
    key = ["source", "source_key", "provider", "valid_from"]
    assert not panel.duplicated(key).any()
    new = panel[panel["source_key"] == "acme/zeta-9000"]
    assert len(new) == 1 and new["valid_from"].iloc[0] == pd.Timestamp("2026-06-15")
    cut = panel[(panel["source_key"] == "openai/gpt-4o") & (panel["source"] == "openrouter")]
    assert cut.sort_values("valid_from")["input_usd_per_mtok"].iloc[-1] == pytest.approx(2.0)
    assert cut["valid_to"].max() == pd.Timestamp("2026-06-15")
    # the lead's `history` command reads the same merged panel
    assert cli(["history", "zeta-9000", "--db", str(db), "-f", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["source"], r["source_key"], r["valid_from"]) for r in rows] == [
        ("openrouter", "acme/zeta-9000", "2026-06-15")]
    # bundled ingest again keeps the fetched rows
    with Store(db) as s:
        ingest_bundled(s)
        assert s.query("SELECT count(*) AS n FROM price_intervals WHERE origin = 'fetch'")["n"].iloc[0] > 0


def test_fetch_log_command(backfilled, capsys):
    assert cli(["fetch", "log", "--db", str(backfilled), "-f", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["snapshot_date"][:10] for r in rows] == DATES[::-1]


def test_prepare_is_fast_enough_for_cron(payloads):
    t0 = time.perf_counter()
    prepare("openrouter", payloads[-1].read_bytes(), observed_at=datetime(2026, 5, 1))
    assert time.perf_counter() - t0 < 5.0


def test_fetch_works_on_a_store_object_with_a_half_read_result(payloads):
    # Store.count() reads one row with fetchone(); DuckDB 2 then refuses to register a
    # frame on the connection until the result is finished: the recorder settles it.
    from llmflation.store.fetch import fetch

    s = Store.memory()
    s.con.execute("SELECT * FROM range(10)").fetchone()
    rep = fetch(s, "openrouter", payload=payloads[0])
    assert rep.status == "recorded" and rep.opened > 300


# --------------------------------------------------------------------------- parsers (property tests)

_prices = st.decimals(min_value="0.0000000001", max_value="0.001", places=10, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.from_regex(r"[a-z]{1,8}/[a-z0-9.\-]{1,12}", fullmatch=True), _prices, _prices),
                min_size=1, max_size=8, unique_by=lambda t: t[0]))
def test_openrouter_payload_round_trip(models):
    raw = json.dumps({"data": [{"id": k, "name": k, "created": 1, "context_length": 1000,
                                "pricing": {"prompt": str(p), "completion": str(c)}} for k, p, c in models]}).encode()
    frame = openrouter_src.parse(raw, snapshot_date="2026-01-01").frame
    assert frame["pricing_prompt_usd_per_token"].tolist() == [float(p) for _, p, _ in models]
    again = openrouter_src.parse(openrouter_src.payload_from_frame(frame), snapshot_date="2026-01-01").frame
    pd.testing.assert_frame_equal(again, frame)


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=1, max_size=12).filter(lambda s: not _is_number(s)))
def test_openrouter_rejects_any_non_number_price(text):
    raw = json.dumps({"data": [{"id": "a/b", "name": "B", "pricing": {"prompt": text, "completion": "1"}}]})
    with pytest.raises(ParseError, match=r"record 0 \(id 'a/b'\), field 'pricing.prompt'"):
        openrouter_src.parse(raw.encode(), snapshot_date="2026-01-01")


def _is_number(s: str) -> bool:
    from decimal import Decimal, InvalidOperation

    try:
        return Decimal(s.strip()).is_finite()
    except (InvalidOperation, ValueError):
        return False
