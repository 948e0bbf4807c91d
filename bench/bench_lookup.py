"""Benchmarks of lookups (issue 21, point 6): a lookup is a query, not a rebuild.

Every case runs in a **fresh process** (``subprocess``), timed from start to exit, so
import time and cold caches count, as a user at the shell sees them. Each new path is
measured beside today's path in the same run, and the ratio reported (no timed asserts).

1. ``llmflation price gpt-4o --on 2025-01-01`` (bundle only): the lookup index without
   pandas (:mod:`llmflation.panel.lookup_index`) against the full command with a warm disk
   cache (``LLMFLATION_FAST=0``) and without any cache (the path before issue 21).
2. ``llmflation price gpt-4o-mini --on 2026-12-03 --db STORE`` with a store holding a year
   of daily LiteLLM fetches (365 snapshots; the bundle's last LiteLLM map, with one price
   changing every month): index + one SQL query against the full command and against the
   path before (the panel rebuilt with the store, then looked up).
3. ``history`` and ``cost`` with that store: the merged panel read from its cache (built
   once per content of the store; the first read after a fetch builds it) against rebuilt.
4. ``load_panel()`` cold, in a fresh process and inside one (after ``import pandas``).
5. ``import llmflation.cli``: the floor of the commands that need the full app.

Set ``LLMFLATION_BENCH_DAYS`` to shrink the store of case 2 (default 365).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOAL_SECONDS = 0.5


def _store(path: Path, days: int) -> int:
    """A store with ``days`` daily LiteLLM snapshots ending 2026-12-05 (one batch, one transaction)."""
    import pandas as pd

    from llmflation.sources import bundled
    from llmflation.sources import litellm as litellm_src
    from llmflation.store.db import Store
    from llmflation.store.fetch import prepare
    from llmflation.store.history import record_observations

    snaps = bundled.load_table("litellm_snapshots")
    last = snaps[snaps["snapshot_date"] == snaps["snapshot_date"].max()]
    base = prepare("litellm", litellm_src.payload_from_frame(last),
                   observed_at=pd.Timestamp("2026-01-01").to_pydatetime()).observations
    end = pd.Timestamp("2026-12-05")
    frames = []
    hit = base["source_key"].eq("gpt-4o-mini") & base["provider"].eq("openai")
    for i in range(days):
        day = end - pd.Timedelta(days=days - 1 - i)
        f = base.copy()
        # one price moves each month: the history has real changes, not only extensions
        f.loc[hit, ["input_usd_per_mtok", "output_usd_per_mtok"]] *= 0.97 ** (day.month - 1)
        frames.append(f.assign(observed_at=day))
    obs = pd.concat(frames, ignore_index=True)
    with Store(path) as s:
        record_observations(s, obs, source="litellm")
        return s.count("price_intervals")


def _run(code: str, env: dict[str, str], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, env=env, cwd=ROOT,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        best = min(best, time.perf_counter() - t0)
    return best


def _cli(args: list[str]) -> str:
    return f"from llmflation.cli import main\ntry:\n    main({args!r})\nexcept SystemExit as e:\n    assert not e.code\n"


def _row(case: str, new: float, old: float, **extra: object) -> dict:
    return {"case": case, "new_s": round(new, 3), "old_s": round(old, 3), "ratio": round(old / new, 2),
            "goal_s": GOAL_SECONDS, "met": new <= GOAL_SECONDS, **extra}


def run() -> list[dict]:
    days = int(os.environ.get("LLMFLATION_BENCH_DAYS", "365"))
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp) / "cache"
        env = {**os.environ, "LLMFLATION_CACHE_DIR": str(cache), "LLMFLATION_DB": ""}
        full = {**env, "LLMFLATION_FAST": "0"}  # the full command (pandas, panel module, disk cache)
        before = {**full, "LLMFLATION_CACHE_DIR": "off"}  # and without any cache: the path before issue 21
        db = Path(tmp) / "year.duckdb"
        t0 = time.perf_counter()
        n_iv = _store(db, days)
        build_s = time.perf_counter() - t0
        # warm the disk cache once (what the first command after an install or upgrade pays)
        first = _run("import llmflation as lf; lf.load_panel(warn=False); lf.price_on('gpt-4o', on='2025-01-01')",
                     env, repeat=1)

        # 1. the bundle: lookup index (no pandas) vs the full command (warm cache) vs no cache
        price = _cli(["price", "gpt-4o", "--on", "2025-01-01", "-f", "csv"])
        new, warm, old = _run(price, env), _run(price, full), _run(price, before)
        rows.append(_row("price gpt-4o --on 2025-01-01 (bundle)", new, old, full_path_warm_cache_s=round(warm, 3)))

        # 2. a store with a year of daily fetches: index + one SQL query vs the full command vs the
        #    path before issue 21 (the panel rebuilt with the store, then looked up)
        store_new = _cli(["price", "gpt-4o-mini", "--on", "2026-12-03", "--db", str(db), "-f", "csv"])
        store_old = ("import warnings; warnings.simplefilter('ignore')\n"
                     "import llmflation as lf\n"
                     "from llmflation.panel.build import _merged_panel\n"
                     f"with lf.Store({str(db)!r}, read_only=True) as s:\n"
                     "    p = _merged_panel(s, None)\n"
                     "lf.price_on('gpt-4o-mini', on='2026-11-30', panel=p, provider='openai')\n")
        new, warm, old = _run(store_new, env), _run(store_new, full), _run(store_old, before, repeat=1)
        rows.append(_row(f"price gpt-4o-mini --on 2026-12-03 --db ({days} daily fetches, {n_iv} intervals)", new,
                         old, full_path_warm_cache_s=round(warm, 3), store_build_s=round(build_s, 2)))

        # 3. history and cost with the store: the merged panel read from its cache (built once per
        #    content of the store) vs rebuilt
        for name, args in (("history gpt-4o-mini --db", ["history", "gpt-4o-mini", "--db", str(db), "-f", "csv"]),
                           ("cost gpt-4o-mini 300k/1k --on 2026-12-03 --db",
                            ["cost", "--model", "gpt-4o-mini", "--input-tokens", "300000", "--output-tokens", "1000",
                             "--on", "2026-12-03", "--db", str(db), "-f", "csv"])):
            fill = _run(_cli(args), env, repeat=1)  # the first read after the fetches builds the cache
            new, old = _run(_cli(args), env), _run(_cli(args), before, repeat=1)
            rows.append({**_row(name, new, old), "goal_s": None, "met": None, "first_after_fetch_s": round(fill, 3)})

        # 4. load_panel() in a fresh process, and inside a process once pandas is imported
        lp = "import llmflation as lf; lf.load_panel(warn=False)"
        new, old = _run(lp, env), _run(lp, before)
        rows.append(_row("load_panel() cold, fresh process", new, old, first_run_fills_cache_s=round(first, 3)))
        inproc = ("import time, pandas, llmflation as lf\nt = time.perf_counter(); lf.load_panel(warn=False)\n"
                  "print(time.perf_counter() - t)")
        vals = []
        for e in (env, before):
            out = subprocess.run([sys.executable, "-c", inproc], check=True, env=e, cwd=ROOT, capture_output=True,
                                 text=True).stdout.split()
            vals.append(float(out[-1]))
        rows.append(_row("load_panel() cold, after import", vals[0], vals[1]))

        imp = _run("import llmflation.cli", env)
        bare = _run("import pandas, duckdb", env)
        rows.append({"case": "import llmflation.cli (floor of every command)", "new_s": round(imp, 3),
                     "old_s": None, "ratio": None, "pandas_duckdb_import_s": round(bare, 3)})
    return rows
