"""Benchmarks of the live price history (issue 4).

1. **Replay**: the 104 OpenRouter daily snapshots and the 46 LiteLLM snapshots of the
   bundle, each rebuilt as the raw payload its source serves, recorded one by one into a
   fresh store through the code path of ``llmflation fetch --payload`` (validate →
   convert → one transaction). Reported: seconds and snapshots/s; baseline: the pure-pandas
   run-length encoding the bundled panel uses (:func:`observations_to_intervals`) on the
   same observations in one batch; the interval counts of both must agree (``check``).
   tokencost's 2024-01-31 copy of the LiteLLM map lacks ``litellm_provider``: its rows take
   their key's provider from the store (:func:`llmflation.store.fetch.fill_providers`, as
   ``record`` does and as the bundle does from the key's other snapshots); without it the
   shrink guard rightly refused the copy, which continued none of the 106 open intervals.
2. **Synthetic 10 M rows**: 20,000 keys × 500 daily snapshots with prices that halve on
   key-specific schedules, loaded into interval history by
   :func:`llmflation.store.history.record_observations` (DuckDB window SQL, one
   transaction, written to a file) against the straightforward pandas implementation
   (:func:`observations_to_intervals`), each in its own subprocess; peak memory is the
   process RSS sampled during the operation (``peak_extra_mb`` = above the RSS with the
   input frame built). Same input frame, same interval count required.

Set ``LLMFLATION_BENCH_KEYS`` / ``LLMFLATION_BENCH_DAYS`` to shrink case 2.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


# --------------------------------------------------------------------------- 1. replay of the bundle


def _payloads() -> list[tuple[str, str, bytes]]:
    from llmflation.sources import bundled
    from llmflation.sources import litellm as litellm_src
    from llmflation.sources import openrouter as openrouter_src

    out = []
    daily = bundled.load_table("openrouter_daily")
    for day, rows in daily.groupby("snapshot_date", sort=True):
        out.append(("openrouter", str(day), openrouter_src.payload_from_frame(rows)))
    snaps = bundled.load_table("litellm_snapshots")
    for day, rows in snaps.groupby("snapshot_date", sort=True):
        out.append(("litellm", str(day), litellm_src.payload_from_frame(rows)))
    return out


def replay() -> list[dict]:
    import pandas as pd

    from llmflation.normalize.intervals import observations_to_intervals
    from llmflation.store.db import Store
    from llmflation.store.fetch import fill_providers, prepare, record
    from llmflation.store.history import record_observations

    t0 = time.perf_counter()
    payloads = _payloads()
    t_build = time.perf_counter() - t0
    n_or = sum(1 for s, _, _ in payloads if s == "openrouter")
    n_ll = len(payloads) - n_or
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        obs = []
        with Store(Path(tmp) / "replay.duckdb") as store:
            for source, day, raw in payloads:
                snap = prepare(source, raw, observed_at=datetime.fromisoformat(day), origin="bundle replay")
                # as `record` does: LiteLLM rows without a provider (tokencost's 2024-01-31 copy)
                # take their key's provider from the store; done here too so that the baseline
                # encodes the same observations
                snap = fill_providers(store, snap)
                record(store, snap)
                obs.append(snap.observations.assign(source=source, observed_date=pd.Timestamp(day)))
            t_replay = time.perf_counter() - t0
            n_store = int(store.query("SELECT count(*) AS n FROM price_intervals")["n"].iloc[0])
        allobs = pd.concat(obs, ignore_index=True)
        # baseline: the bundled panel's pandas run-length encoding, per source, in one batch
        t0 = time.perf_counter()
        n_pandas = 0
        for source, part in allobs.groupby("source"):
            snaps = pd.Series(sorted({pd.Timestamp(d) for s, d, _ in payloads if s == source}))
            n_pandas += len(observations_to_intervals(part, key=["source_key", "provider"], snapshots=snaps))
        t_pandas = time.perf_counter() - t0
        # the same observations as one bulk back-fill per source (one transaction each)
        t0 = time.perf_counter()
        with Store(Path(tmp) / "bulk.duckdb") as store:
            for source, part in allobs.groupby("source"):
                record_observations(store, part.assign(observed_at=part["observed_date"]), source=source)
            n_bulk = int(store.query("SELECT count(*) AS n FROM price_intervals")["n"].iloc[0])
        t_bulk = time.perf_counter() - t0
    total = len(payloads)
    return [
        {"case": f"replay {n_or} OpenRouter + {n_ll} LiteLLM snapshots via fetch path", "snapshots": total,
         "observations": len(allobs), "intervals": n_store, "seconds": round(t_replay, 3),
         "snapshots_per_s": round(total / t_replay, 2), "payload_build_seconds": round(t_build, 3),
         "baseline": "pandas observations_to_intervals, one batch", "baseline_seconds": round(t_pandas, 3),
         "ratio": round(t_replay / t_pandas, 2), "check": "ok" if n_store == n_pandas else
         f"MISMATCH {n_store} vs {n_pandas}"},
        {"case": "same observations, bulk back-fill (one transaction per source)", "snapshots": total,
         "observations": len(allobs), "intervals": n_bulk, "seconds": round(t_bulk, 3),
         "snapshots_per_s": round(total / t_bulk, 2), "baseline": "pandas observations_to_intervals, one batch",
         "baseline_seconds": round(t_pandas, 3), "ratio": round(t_bulk / t_pandas, 2),
         "check": "ok" if n_bulk == n_pandas else f"MISMATCH {n_bulk} vs {n_pandas}"},
    ]


# --------------------------------------------------------------------------- 2. synthetic 10 M rows


def synthetic_frame(n_keys: int, n_days: int):
    """Observations: key k priced (k mod 97 + 1) / 2^⌊(day + k mod 37) / (50 + k mod 13)⌋ (exact in binary)."""
    import numpy as np
    import pandas as pd

    k = np.repeat(np.arange(n_keys), n_days)
    d = np.tile(np.arange(n_days), n_keys)
    price = (k % 97 + 1) * 2.0 ** -((d + k % 37) // (50 + k % 13))
    return pd.DataFrame({
        "source_key": pd.array(np.char.add("synthetic/model-", k.astype(str)), dtype="str"),
        "provider": "synthetic", "input_usd_per_mtok": price, "output_usd_per_mtok": 4.0 * price,
        "cache_read_usd_per_mtok": np.nan, "context_tokens": np.nan, "model_name": None, "author": None,
        "reasoning_flag": pd.NA, "listed_date": pd.NaT,
        "observed_at": pd.Timestamp("2020-01-01") + pd.to_timedelta(d, unit="D"),
    })


class _PeakRSS:
    """Peak resident memory of this process while a block runs (sampled every 5 ms).

    ``ru_maxrss`` is a lifetime high-water mark, dominated here by building the input;
    sampling measures the operation itself (DuckDB's allocations included: it is the
    process's RSS).
    """

    def __init__(self) -> None:
        import threading

        try:
            import psutil

            proc = psutil.Process()
            self._rss = lambda: proc.memory_info().rss
        except ImportError:  # no psutil: the lifetime high-water mark (an upper bound)
            import resource

            self._rss = lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self.before = self.peak = self._rss()

    def _poll(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._rss())
            self._stop.wait(0.005)

    def __enter__(self) -> _PeakRSS:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._rss())


def _synthetic_case(kind: str, n_keys: int, n_days: int) -> None:
    """Run one case in this process and print a JSON line (called in a subprocess)."""
    import gc

    obs = synthetic_frame(n_keys, n_days)
    gc.collect()
    with _PeakRSS() as mem:
        t0 = time.perf_counter()
        if kind == "duckdb":
            from llmflation.store.db import Store
            from llmflation.store.history import record_observations

            with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "synthetic.duckdb") as store:
                res = record_observations(store, obs, source="synthetic")
                n = res.opened
        else:
            from llmflation.normalize.intervals import observations_to_intervals

            iv = observations_to_intervals(obs.assign(observed_date=obs["observed_at"]),
                                           key=["source_key", "provider"], snapshots=obs["observed_at"],
                                           carry=["cache_read_usd_per_mtok", "context_tokens", "model_name",
                                                  "author", "reasoning_flag", "listed_date"])
            n = len(iv)
        secs = time.perf_counter() - t0
    mb = 1024 * 1024
    print(json.dumps({"seconds": secs, "intervals": int(n), "rows": len(obs), "peak_rss_mb": mem.peak / mb,
                      "rss_before_mb": mem.before / mb}))


def _run_case(kind: str, n_keys: int, n_days: int) -> dict:
    code = f"from bench.bench_fetch import _synthetic_case; _synthetic_case({kind!r}, {n_keys}, {n_days})"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "src"),
                                                        os.environ.get("PYTHONPATH", "")])}
    p = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                       timeout=900)
    if p.returncode != 0:
        raise RuntimeError(f"synthetic case {kind} failed: {p.stderr[-2000:]}")
    return dict(json.loads(p.stdout.strip().splitlines()[-1]))


def synthetic() -> list[dict]:
    n_keys = int(os.environ.get("LLMFLATION_BENCH_KEYS", 20_000))
    n_days = int(os.environ.get("LLMFLATION_BENCH_DAYS", 500))
    duck = _run_case("duckdb", n_keys, n_days)
    pand = _run_case("pandas", n_keys, n_days)
    return [{
        "case": f"synthetic {duck['rows']:,} price observations → interval history", "rows": duck["rows"],
        "intervals": duck["intervals"], "seconds": round(duck["seconds"], 3),
        "peak_rss_mb": round(duck["peak_rss_mb"]), "peak_extra_mb": round(duck["peak_rss_mb"] - duck["rss_before_mb"]),
        "baseline": "pandas observations_to_intervals (same frame)", "baseline_seconds": round(pand["seconds"], 3),
        "baseline_peak_rss_mb": round(pand["peak_rss_mb"]),
        "baseline_peak_extra_mb": round(pand["peak_rss_mb"] - pand["rss_before_mb"]),
        "ratio": round(pand["seconds"] / duck["seconds"], 2),
        "memory_ratio": round((pand["peak_rss_mb"] - pand["rss_before_mb"])
                              / max(duck["peak_rss_mb"] - duck["rss_before_mb"], 1.0), 2),
        "check": "ok" if duck["intervals"] == pand["intervals"] else
        f"MISMATCH {duck['intervals']} vs {pand['intervals']}",
    }]


def run() -> list[dict]:
    """Both benchmarks; ``ratio`` = measured ÷ baseline seconds for the replay rows (the
    per-snapshot path pays one transaction per snapshot) and baseline ÷ measured for the
    synthetic row (speed-up of set-based SQL over pandas)."""
    return replay() + synthetic()


if __name__ == "__main__":  # pragma: no cover
    for r in run():
        print(r)
