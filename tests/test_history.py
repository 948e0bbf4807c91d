"""Interval history in the store: extend / close / open, one transaction, date order.

The reference for every recorded history is the pure-pandas run-length encoding the
bundled panel uses (:func:`llmflation.normalize.intervals.observations_to_intervals`): the
store, fed snapshot by snapshot or in one batch, must hold exactly the same intervals.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from llmflation.errors import InputError, StoreError
from llmflation.normalize.intervals import observations_to_intervals
from llmflation.store.db import Store
from llmflation.store.history import (
    EPOCH_MODELS,
    fetch_log,
    fetched_intervals,
    latest_snapshot,
    record_observations,
    record_snapshot,
)

DAY0 = pd.Timestamp("2026-01-01")


def obs_frame(rows: list[tuple[str, float, float]], **extra) -> pd.DataFrame:
    """Price observations of one snapshot: (key, input, output)."""
    df = pd.DataFrame(rows, columns=["source_key", "input_usd_per_mtok", "output_usd_per_mtok"])
    df["provider"] = "p"
    for c, v in {"cache_read_usd_per_mtok": np.nan, "context_tokens": np.nan, "model_name": None,
                 "author": None, "reasoning_flag": pd.NA, "listed_date": pd.NaT, **extra}.items():
        df[c] = v
    return df


def state(store: Store) -> pd.DataFrame:
    return store.query("SELECT * FROM price_intervals ORDER BY ALL")


def log_state(store: Store) -> pd.DataFrame:
    return store.query("SELECT source, observed_at, snapshot_date, rows, sha256 FROM fetch_snapshots ORDER BY ALL")


def intervals(store: Store, source: str = "t") -> pd.DataFrame:
    df = fetched_intervals(store, source)
    out = df[["source_key", "provider", "input_usd_per_mtok", "output_usd_per_mtok", "valid_from", "valid_to",
              "n_obs"]].copy()
    out["valid_from"] = pd.to_datetime(out["valid_from"])
    out["valid_to"] = pd.to_datetime(out["valid_to"])
    return out.astype({"n_obs": "int64", "source_key": object, "provider": object}).sort_values(
        ["source_key", "valid_from"]).reset_index(drop=True)


def reference(snaps: list[tuple[pd.Timestamp, pd.DataFrame]]) -> pd.DataFrame:
    obs = pd.concat([o.assign(observed_date=d) for d, o in snaps], ignore_index=True)
    iv = observations_to_intervals(obs, key=["source_key", "provider"],
                                   snapshots=pd.Series([d for d, _ in snaps]))
    out = iv[["source_key", "provider", "input_usd_per_mtok", "output_usd_per_mtok", "valid_from", "valid_to",
              "n_obs"]]
    return out.astype({"n_obs": "int64", "source_key": object, "provider": object}).sort_values(
        ["source_key", "valid_from"]).reset_index(drop=True)


# --------------------------------------------------------------------------- the three rules


def test_unchanged_extends_changed_closes_and_opens_missing_closes():
    s = Store.memory()
    r1 = record_snapshot(s, obs_frame([("a", 1, 2), ("b", 3, 4), ("c", 5, 6)]), source="t", observed_at=DAY0)
    assert (r1.opened, r1.extended, r1.closed) == (3, 0, 0)
    # a unchanged, b price cut, c gone
    r2 = record_snapshot(s, obs_frame([("a", 1, 2), ("b", 1.5, 4)]), source="t",
                         observed_at=DAY0 + pd.Timedelta(days=1))
    assert (r2.opened, r2.extended, r2.closed) == (1, 1, 2)
    df = fetched_intervals(s, "t").set_index(["source_key", "valid_from"])
    a = df.loc[("a", DAY0)]
    assert (a["valid_to"], a["n_obs"], a["is_open"]) == (pd.Timestamp("2026-01-02"), 2, True)
    b_old = df.loc[("b", DAY0)]
    assert (b_old["valid_to"], b_old["is_open"], b_old["input_usd_per_mtok"]) == (pd.Timestamp(DAY0), False, 3.0)
    b_new = df.loc[("b", pd.Timestamp("2026-01-02"))]
    assert (b_new["is_open"], b_new["input_usd_per_mtok"]) == (True, 1.5)
    c = df.loc[("c", DAY0)]  # closed, not deleted
    assert (c["valid_to"], c["is_open"]) == (pd.Timestamp(DAY0), False)
    # every row keeps its source and the time it was last observed
    full = fetched_intervals(s)
    assert full["source"].eq("t").all() and full["observed_at"].notna().all()
    assert full["origin"].eq("fetch").all()


def test_a_model_that_comes_back_opens_a_new_interval():
    s = Store.memory()
    for i, rows in enumerate([[("a", 1, 2), ("x", 9, 9)], [("x", 9, 9)], [("a", 1, 2), ("x", 9, 9)]]):
        record_snapshot(s, obs_frame(rows), source="t", observed_at=DAY0 + pd.Timedelta(days=i))
    a = intervals(s)
    a = a[a["source_key"] == "a"]
    assert a["valid_from"].tolist() == [DAY0, DAY0 + pd.Timedelta(days=2)]
    assert a["n_obs"].tolist() == [1, 1]


def test_carried_columns_follow_the_latest_snapshot_without_a_new_interval():
    s = Store.memory()
    record_snapshot(s, obs_frame([("a", 1, 2)], model_name="Old name", context_tokens=8000.0), source="t",
                    observed_at=DAY0)
    record_snapshot(s, obs_frame([("a", 1, 2)], model_name="New name", context_tokens=128000.0), source="t",
                    observed_at=DAY0 + pd.Timedelta(days=1))
    df = fetched_intervals(s, "t")
    assert len(df) == 1
    assert (df.loc[0, "model_name"], df.loc[0, "context_tokens"]) == ("New name", 128000.0)


def test_same_snapshot_twice_changes_nothing_with_and_without_hash():
    s = Store.memory()
    o = obs_frame([("a", 1, 2), ("b", 3, 4)])
    record_snapshot(s, o, source="t", observed_at=DAY0, sha256="h1")
    record_snapshot(s, o, source="t", observed_at=DAY0 + pd.Timedelta(days=3), sha256="h2")
    before, log_before = state(s), log_state(s)
    r = record_snapshot(s, o, source="t", observed_at=DAY0 + pd.Timedelta(days=3), sha256="h2")
    assert r.status == "already recorded"
    pd.testing.assert_frame_equal(state(s), before)
    pd.testing.assert_frame_equal(log_state(s), log_before)
    # without a hash the day is undone and applied again: same rows
    r = record_snapshot(s, o, source="t", observed_at=DAY0 + pd.Timedelta(days=3))
    assert r.status == "replaced"
    pd.testing.assert_frame_equal(state(s), before)


def test_a_later_snapshot_of_the_same_day_replaces_that_day():
    day2 = DAY0 + pd.Timedelta(days=1)
    first = [obs_frame([("a", 1, 2), ("b", 3, 4)]), obs_frame([("a", 1, 2), ("c", 7, 8)])]
    s = Store.memory()
    record_snapshot(s, first[0], source="t", observed_at=DAY0)
    record_snapshot(s, first[1], source="t", observed_at=day2 + pd.Timedelta(hours=1))
    # later that day: b is back, a's price changed, c gone
    late = obs_frame([("a", 1.5, 2), ("b", 3, 4)])
    r = record_snapshot(s, late, source="t", observed_at=day2 + pd.Timedelta(hours=20))
    assert r.status == "replaced"
    direct = Store.memory()
    record_snapshot(direct, first[0], source="t", observed_at=DAY0)
    record_snapshot(direct, late, source="t", observed_at=day2 + pd.Timedelta(hours=20))
    cols = ["source_key", "input_usd_per_mtok", "valid_from", "valid_to", "n_obs", "is_open"]
    pd.testing.assert_frame_equal(fetched_intervals(s, "t")[cols], fetched_intervals(direct, "t")[cols])
    assert latest_snapshot(s, "t")[1] == day2.date()


def test_an_older_snapshot_is_refused_and_changes_nothing():
    s = Store.memory()
    record_snapshot(s, obs_frame([("a", 1, 2)]), source="t", observed_at=DAY0 + pd.Timedelta(days=5))
    before = state(s)
    with pytest.raises(InputError, match="older than the latest one recorded.*date order"):
        record_snapshot(s, obs_frame([("a", 9, 9)]), source="t", observed_at=DAY0)
    pd.testing.assert_frame_equal(state(s), before)
    # other sources are independent
    record_snapshot(s, obs_frame([("a", 9, 9)]), source="other", observed_at=DAY0)


def test_bad_input_is_refused_before_any_write():
    s = Store.memory()
    with pytest.raises(InputError, match="empty snapshot"):
        record_snapshot(s, obs_frame([]), source="t", observed_at=DAY0)
    with pytest.raises(InputError, match="lack column"):
        record_snapshot(s, obs_frame([("a", 1, 2)]).drop(columns="provider"), source="t", observed_at=DAY0)
    bad = obs_frame([("a", 1, 2), (None, 1, 2)])
    with pytest.raises(InputError, match="observation 1 has a missing key"):
        record_snapshot(s, bad, source="t", observed_at=DAY0)
    assert s.count("price_intervals") == 0 and s.count("fetch_snapshots") == 0


@pytest.mark.parametrize("stage", ["staged", "undone", "extended", "closed", "inserting", "logged"])
def test_a_failure_at_any_stage_rolls_everything_back(stage):
    s = Store.memory()
    record_snapshot(s, obs_frame([("a", 1, 2), ("b", 3, 4)]), source="t", observed_at=DAY0)
    record_snapshot(s, obs_frame([("a", 1, 2), ("c", 3, 4)]), source="t", observed_at=DAY0 + pd.Timedelta(days=1))
    before, log_before = state(s), log_state(s)

    def boom(st: str) -> None:
        if st == stage:
            raise RuntimeError(f"injected failure at {st}")

    # a same-day replacement passes through every stage, including "undone"
    with pytest.raises(RuntimeError, match="injected"):
        record_snapshot(s, obs_frame([("a", 5, 2), ("d", 3, 4)]), source="t",
                        observed_at=DAY0 + pd.Timedelta(days=1, hours=3), on_stage=boom)
    pd.testing.assert_frame_equal(state(s), before)
    pd.testing.assert_frame_equal(log_state(s), log_before)
    # and the store still works
    record_snapshot(s, obs_frame([("a", 1, 2)]), source="t", observed_at=DAY0 + pd.Timedelta(days=2))


def test_a_key_listed_twice_in_a_snapshot_keeps_its_last_row():
    s = Store.memory()
    record_snapshot(s, obs_frame([("a", 1, 2), ("a", 5, 6)]), source="t", observed_at=DAY0)
    df = fetched_intervals(s, "t")
    assert df["input_usd_per_mtok"].tolist() == [5.0]


def test_fetched_rows_take_over_a_bundled_row_with_the_same_start():
    s = Store.memory()
    s.con.execute("INSERT INTO price_intervals (source, source_key, provider, valid_from, valid_to, observed_at, "
                  "input_usd_per_mtok, output_usd_per_mtok, origin) VALUES ('t', 'a', 'p', ?, ?, ?, 1, 2, 'bundled')",
                  [DAY0.date(), (DAY0 + pd.Timedelta(days=9)).date(), DAY0.to_pydatetime()])
    r = record_snapshot(s, obs_frame([("a", 1, 2)]), source="t", observed_at=DAY0)
    assert r.opened == 1 and any("bundled" in n for n in r.notes)
    df = s.query("SELECT origin, valid_to FROM price_intervals")
    assert df["origin"].tolist() == ["fetch"]


def test_epoch_records_compare_every_fact_null_safely():
    s = Store.memory()
    base = pd.DataFrame({"model": ["GPT-4", "Tiny"], "organization": ["OpenAI", None],
                         "publication_date": pd.to_datetime(["2023-03-15", None]), "domain": "Language",
                         "country": "United States of America", "accessibility": "API access", "open_weights": "No",
                         "frontier_model": None, "parameters": [np.nan, 1e6], "training_compute_flop": [2.1e25, np.nan],
                         "training_compute_cost_2023_usd": np.nan})
    record_snapshot(s, base, source="epoch", observed_at=DAY0, table=EPOCH_MODELS)
    r = record_snapshot(s, base, source="epoch", observed_at=DAY0 + pd.Timedelta(days=30), table=EPOCH_MODELS)
    assert (r.extended, r.opened, r.closed) == (2, 0, 0)  # NULLs equal NULLs: nothing changed
    changed = base.assign(training_compute_flop=[2.2e25, np.nan])
    r = record_snapshot(s, changed, source="epoch", observed_at=DAY0 + pd.Timedelta(days=60), table=EPOCH_MODELS)
    assert (r.extended, r.opened, r.closed) == (1, 1, 1)
    h = fetched_intervals(s, "epoch", table=EPOCH_MODELS)
    assert h.loc[h["model"] == "GPT-4", "training_compute_flop"].tolist() == [2.1e25, 2.2e25]


def test_fetch_log_lists_snapshots_newest_first():
    s = Store.memory()
    for i in range(3):
        record_snapshot(s, obs_frame([("a", 1, 2)]), source="t", observed_at=DAY0 + pd.Timedelta(days=i), sha256=str(i))
    log = fetch_log(s, "t")
    assert log["sha256"].tolist() == ["2", "1", "0"] and log["rows"].tolist() == [1, 1, 1]


def test_store_errors_are_reported_as_store_errors():
    s = Store.memory()
    s.con.execute("DROP TABLE fetch_snapshots")
    with pytest.raises(StoreError, match="rolled back; the store is unchanged"):
        record_snapshot(s, obs_frame([("a", 1, 2)]), source="t", observed_at=DAY0)


# --------------------------------------------------------------------------- against the pandas reference

KEYS = ["a", "b", "c", "d"]
PRICES = [(1.0, 2.0), (1.0, 4.0), (0.5, 2.0)]


@st.composite
def histories(draw):
    n = draw(st.integers(1, 7))
    gaps = draw(st.lists(st.integers(1, 40), min_size=n, max_size=n))
    days = [DAY0 + pd.Timedelta(days=int(g)) for g in np.cumsum(gaps)]
    snaps = []
    for d in days:
        keys = draw(st.lists(st.sampled_from(KEYS), min_size=1, max_size=4, unique=True))
        rows = [(k, *PRICES[draw(st.integers(0, len(PRICES) - 1))]) for k in keys]
        snaps.append((d, obs_frame(rows)))
    return snaps


@pytest.mark.slow
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(histories(), st.integers(1, 7))
def test_snapshot_by_snapshot_and_batches_equal_the_pandas_run_length_encoding(snaps, chunk):
    ref = reference(snaps)
    one = Store.memory()
    # random histories drop keys freely: the shrink guard is tested on its own below
    for d, o in snaps:
        record_snapshot(one, o, source="t", observed_at=d, allow_shrink=True)
    pd.testing.assert_frame_equal(intervals(one), ref, check_dtype=False)
    # the same history written in batches of `chunk` snapshots
    batched = Store.memory()
    for i in range(0, len(snaps), chunk):
        part = pd.concat([o.assign(observed_at=d) for d, o in snaps[i:i + chunk]], ignore_index=True)
        record_observations(batched, part, source="t", allow_shrink=True)
    pd.testing.assert_frame_equal(intervals(batched), ref, check_dtype=False)
    # open intervals are exactly those seen in the last snapshot
    last_keys = set(snaps[-1][1]["source_key"])
    df = fetched_intervals(one, "t")
    assert set(df.loc[df["is_open"], "source_key"]) == last_keys
    assert df.loc[df["is_open"], "valid_to"].eq(snaps[-1][0]).all()


@pytest.mark.slow
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(histories(), st.data())
def test_extra_earlier_snapshots_on_the_same_day_do_not_change_history(snaps, data):
    plain = Store.memory()
    noisy = Store.memory()
    for d, o in snaps:
        record_snapshot(plain, o, source="t", observed_at=d + pd.Timedelta(hours=12), allow_shrink=True)
        if data.draw(st.booleans()):
            keys = data.draw(st.lists(st.sampled_from(KEYS), min_size=1, max_size=4, unique=True))
            record_snapshot(noisy, obs_frame([(k, 9.0, 9.0) for k in keys]), source="t",
                            observed_at=d + pd.Timedelta(hours=1), allow_shrink=True)
        record_snapshot(noisy, o, source="t", observed_at=d + pd.Timedelta(hours=12), allow_shrink=True)
    pd.testing.assert_frame_equal(intervals(noisy), intervals(plain))
    cols = ["source_key", "valid_from", "valid_to", "n_obs", "is_open", "observed_at"]
    pd.testing.assert_frame_equal(fetched_intervals(noisy, "t")[cols], fetched_intervals(plain, "t")[cols])
