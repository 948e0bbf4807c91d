import subprocess
import sys
import textwrap

import pytest

from llmflation.errors import StoreLockedError
from llmflation.panel.build import load_panel
from llmflation.store import Store
from llmflation.store.db import quote_ident
from llmflation.store.ingest import ingest_bundled


def test_migrations_recorded_in_order(tmp_path):
    with Store(tmp_path / "s.duckdb") as s:
        v = s.query("SELECT version FROM schema_migrations ORDER BY version")["version"].tolist()
        assert v == sorted(v) and v[0] == 1
        assert s.migrate() == []  # nothing pending on re-open


def test_ingest_is_idempotent(tmp_path):
    path = tmp_path / "s.duckdb"
    with Store(path) as s:
        a = ingest_bundled(s)
    with Store(path) as s:
        b = ingest_bundled(s)
        assert a == b and a["price_intervals"] > 4000
        dup = s.query("SELECT source, source_key, provider, valid_from, count(*) n FROM price_intervals "
                      "GROUP BY ALL HAVING n > 1")
        assert dup.empty


def test_panel_from_store_has_no_duplicates(tmp_path, panel):
    with Store(tmp_path / "s.duckdb") as s:
        ingest_bundled(s)
        p = load_panel(store=s, warn=False)
    assert len(p) == len(panel)


def test_parameterised_query_with_hostile_text():
    s = Store.memory()
    evil = "x'; DROP TABLE price_intervals; --"
    assert s.query("SELECT * FROM price_intervals WHERE source_key = ?", [evil]).empty
    assert s.count("price_intervals") == 0
    assert quote_ident('a"b') == '"a""b"'


def test_second_writer_gets_locked_error(tmp_path):
    path = tmp_path / "s.duckdb"
    Store(path).close()
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import time, duckdb
        con = duckdb.connect({str(path)!r})
        print("ready", flush=True)
        time.sleep(30)
    """)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        # a process outside llmflation's lock files (plain duckdb): DuckDB's lock error is retried
        # until the lock timeout, then refused clearly
        with pytest.raises(StoreLockedError, match=r"locked by another process \(waited 0\.\d s;.*--lock-timeout"):
            Store(path, lock_timeout=0.5)
    finally:
        holder.kill()
        holder.wait()
