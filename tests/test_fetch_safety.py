"""A fetch killed mid-write, and a second writer: the store is never corrupted.

The writer runs in a subprocess (DuckDB allows one writing process per file) and
prints each stage of :func:`llmflation.store.history.record_observations` as it enters
it; the parent kills it with SIGKILL inside the write transaction.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest

from llmflation.cli import main
from llmflation.store.db import Store

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")

WRITER = textwrap.dedent("""
    import os, signal, sys
    import numpy as np, pandas as pd
    from llmflation.store.db import Store
    from llmflation.store.history import record_snapshot

    path, n, day, die_at = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    keys = np.char.add("synthetic/model-", np.arange(n).astype(str))
    price = 1.0 + (np.arange(n) % 7) if day < "2025-02-01" else 1.0 + (np.arange(n) % 5)
    obs = pd.DataFrame({"source_key": pd.array(keys, dtype="str"), "provider": "synthetic",
                        "input_usd_per_mtok": price, "output_usd_per_mtok": 4 * price,
                        "cache_read_usd_per_mtok": np.nan, "context_tokens": np.nan, "model_name": None,
                        "author": None, "reasoning_flag": pd.NA, "listed_date": pd.NaT})

    def stage(st):
        print(st, flush=True)
        if st == die_at:
            os.kill(os.getpid(), signal.SIGKILL)

    with Store(path) as s:
        print("open", flush=True)
        record_snapshot(s, obs, source="synthetic", observed_at=day, on_stage=stage)
    print("done", flush=True)
""")


def writer(path: Path, n: int, day: str, die_at: str = "-") -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", WRITER, str(path), str(n), day, die_at],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def snapshot_state(path: Path) -> dict[str, pd.DataFrame]:
    with Store(path) as s:  # read-write: opening replays/cleans the WAL like any later command
        return {t: s.query(f"SELECT * FROM {t} ORDER BY ALL") for t in ("price_intervals", "fetch_snapshots")}


def assert_same(a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame]) -> None:
    for t in a:
        pd.testing.assert_frame_equal(a[t], b[t], obj=t)


@pytest.fixture
def previous(tmp_path) -> tuple[Path, dict[str, pd.DataFrame]]:
    """A store holding one complete snapshot of 2,000 keys."""
    path = tmp_path / "store.duckdb"
    p = writer(path, 2000, "2025-01-01")
    out, err = p.communicate(timeout=60)
    assert p.returncode == 0, err
    return path, snapshot_state(path)


@pytest.mark.slow
def test_sigkill_during_a_large_insert_leaves_the_previous_complete_state(previous):
    path, before = previous
    # 400,000 keys (different prices): the write transaction runs for about a second
    p = writer(path, 400_000, "2025-02-01")
    seen = []
    assert p.stdout is not None
    for line in p.stdout:
        seen.append(line.strip())
        if seen[-1] == "inserting":
            time.sleep(0.05)
            p.send_signal(signal.SIGKILL)
            break
    p.wait(timeout=60)
    assert p.returncode == -signal.SIGKILL
    assert "logged" not in seen and "done" not in seen, f"the writer finished before the kill: {seen}"
    after = snapshot_state(path)
    assert_same(before, after)
    assert len(after["price_intervals"]) == 2000 and after["price_intervals"]["is_open"].all()


@pytest.mark.parametrize("stage", ["extended", "closed", "inserting", "logged"])
def test_sigkill_at_each_stage_inside_the_transaction(previous, stage):
    path, before = previous
    p = writer(path, 3000, "2025-02-01", die_at=stage)
    out, _ = p.communicate(timeout=60)
    assert p.returncode == -signal.SIGKILL and stage in out and "done" not in out
    assert_same(before, snapshot_state(path))
    # the store is usable afterwards and the same snapshot can then be recorded
    p = writer(path, 3000, "2025-02-01")
    out, err = p.communicate(timeout=60)
    assert p.returncode == 0, err
    with Store(path, read_only=True) as s:
        assert s.count("price_intervals") > 2000


HOLDER = textwrap.dedent("""
    import sys, time
    from llmflation.store.db import Store
    with Store(sys.argv[1]) as s:
        s.con.execute("BEGIN TRANSACTION")
        s.con.execute("UPDATE price_intervals SET n_obs = n_obs WHERE false")
        print("holding", flush=True)
        sys.stdin.readline()
""")


def test_a_second_writer_gets_a_clear_locked_error(previous, tmp_path, capsys, monkeypatch):
    path, before = previous
    monkeypatch.setenv("LLMFLATION_LOCK_TIMEOUT", "0.5")  # the holder never lets go: wait briefly, then refuse
    payload = tmp_path / "openrouter_models_2025-03-01.json"
    payload.write_text('{"data": [{"id": "a/b", "name": "B", "created": 1, "context_length": 1000,'
                       ' "pricing": {"prompt": "0.000001", "completion": "0.000002"}}]}')
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(path)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        with pytest.raises(SystemExit) as e:
            main(["fetch", "openrouter", "--payload", str(payload), "--db", str(path)])
        assert e.value.code == 1
        err = capsys.readouterr().err
        assert err.startswith(f"Error: store {path} is locked by another process")
        assert "Wait for the other llmflation command to finish, or use a different --db path" in err
        assert "waited 0." in err and "--lock-timeout" in err
    finally:
        assert holder.stdin is not None
        holder.stdin.write("\n")
        holder.stdin.flush()
        holder.wait(timeout=30)
    assert_same(before, snapshot_state(path))
    # once the other process is gone the same command works
    try:
        main(["fetch", "openrouter", "--payload", str(payload), "--db", str(path), "-f", "csv"])
    except SystemExit as e:  # pragma: no cover - only on failure
        pytest.fail(f"exit {e.code}: {capsys.readouterr().err}")
    assert os.path.exists(path)
