"""Issue 21, point 6: a store's merged panel is built once per content of the store, then read.

``load_panel(store)`` is cached under a digest of the store's rows
(:func:`llmflation.store.queries.content_fingerprint`). The cached copy must equal a fresh
build, and every change of the store (a fetch, a drop) must change what is read.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest

from llmflation.panel import build
from llmflation.store import Store
from llmflation.store.queries import content_fingerprint
from test_live_first_party import fetch_day


def _load(db: Path) -> pd.DataFrame:
    with warnings.catch_warnings(), Store(db, read_only=True) as s:
        warnings.simplefilter("ignore")
        return build.load_panel(s, warn=False)


def _fresh(db: Path) -> pd.DataFrame:
    with warnings.catch_warnings(), Store(db, read_only=True) as s:
        warnings.simplefilter("ignore")
        return build._merged_panel(s, None)


def _mini(p: pd.DataFrame) -> pd.DataFrame:
    return p[(p["source"] == "litellm") & (p["source_key"] == "gpt-4o-mini") & (p["provider"] == "openai")]


def test_cached_merged_panel_equals_a_fresh_build_and_follows_the_store(tmp_path, monkeypatch):
    from llmflation.cli import main

    monkeypatch.setenv("LLMFLATION_CACHE_DIR", str(tmp_path / "cache"))
    build._MERGED.clear()
    db = tmp_path / "s.duckdb"
    fetch_day(tmp_path, db, "2026-11-01", halve=False)
    with Store(db, read_only=True) as s:
        fp1 = content_fingerprint(s.con)
        assert fp1 == content_fingerprint(s.con)  # reading does not change it
    p1 = _load(db)
    assert list((tmp_path / "cache").glob("merged_panel_default-*.pkl")), "the merged panel was not cached"
    build._MERGED.clear()
    p1_disk = _load(db)  # from the disk cache
    pd.testing.assert_frame_equal(p1_disk, p1)
    pd.testing.assert_frame_equal(p1, _fresh(db))

    fetch_day(tmp_path, db, "2026-12-01", halve=True)
    with Store(db, read_only=True) as s:
        assert content_fingerprint(s.con) != fp1
    p2 = _load(db)
    pd.testing.assert_frame_equal(p2, _fresh(db))
    assert len(_mini(p2)) == len(_mini(p1)) + 1  # the halved price opened an interval
    assert _mini(p2)["input_usd_per_mtok"].min() == pytest.approx(0.075)

    # dropping the second fetch gives back the first panel
    with Store(db, read_only=True) as s:
        sid = int(s.con.execute("SELECT max(snapshot_id) FROM fetch_snapshots").fetchall()[0][0])
    try:
        main(["fetch", "drop", str(sid), "--db", str(db), "-f", "csv"])
    except SystemExit as exc:
        assert not exc.code
    p3 = _load(db)
    pd.testing.assert_frame_equal(p3.reset_index(drop=True), p1.reset_index(drop=True))


def test_an_empty_store_gives_the_bundled_panel(tmp_path, monkeypatch):
    monkeypatch.setenv("LLMFLATION_CACHE_DIR", str(tmp_path / "cache"))
    db = tmp_path / "empty.duckdb"
    Store(db).close()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bundled = build.load_panel(warn=False)
    got = _load(db)
    pd.testing.assert_frame_equal(got.reset_index(drop=True), bundled.reset_index(drop=True), check_like=False)
