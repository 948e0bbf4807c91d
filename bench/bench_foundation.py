"""Foundation benchmark: ingest of the whole bundled snapshot and load_panel()."""

from __future__ import annotations

import warnings

from bench._timing import best_of


def run() -> list[dict]:
    from llmflation.panel import build
    from llmflation.store import Store
    from llmflation.store.ingest import ingest_bundled

    warnings.simplefilter("ignore")
    rows = []
    build._CACHE.clear()
    t_cold, _ = best_of(lambda: (build._CACHE.clear(), build.load_panel(warn=False))[1], repeat=1)
    t_warm, panel = best_of(lambda: build.load_panel(warn=False))
    rows.append({"case": "load_panel (cold: parse + intervals + identity)", "seconds": t_cold, "rows": len(panel),
                 "rows_per_s": len(panel) / t_cold})
    rows.append({"case": "load_panel (warm: intervals cached)", "seconds": t_warm, "rows": len(panel),
                 "rows_per_s": len(panel) / t_warm, "ratio": t_cold / t_warm})

    def ingest() -> dict:
        with Store.memory() as s:
            return ingest_bundled(s)

    t_ing, counts = best_of(ingest)
    n = counts["price_intervals"] + counts["model_aliases"]
    raw = 36209 + 37192  # raw snapshot observations parsed into intervals
    rows.append({"case": "ingest bundled snapshot into DuckDB", "seconds": t_ing, "rows": n, "rows_per_s": n / t_ing,
                 "raw_observations_per_s": raw / t_ing})
    return rows
