"""Report benchmark: the full ``llmflation report`` against baselines measured in the same run.

Rows (one repeat each: a build takes seconds and the machine is shared):
- data only: the panel (cold) and the bundled tables the sections read — the floor;
- the full build as before issue 15's speed-up (every section in this process, ``jobs=1``);
- the full build with the heaviest sections in one forked worker (``jobs=2``, the default);
- the installed CLI in a fresh process (imports included), the number the issue bounds (≤ 15 s).

``ratio`` is each row's time over the data-only floor; ``cpu_seconds`` is this process's CPU
time (the worker's is not counted), which is less sensitive to other load than wall time.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

#: The bound of issue 15 for the installed CLI on the 2-core machine.
TARGET_SECONDS = 15.0


def _timed(fn) -> tuple[float, float]:
    w, c = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - w, time.process_time() - c


def run() -> list[dict]:
    from llmflation.panel import build as panel_build
    from llmflation.report.build import build_report
    from llmflation.study.inputs import StudyInputs

    warnings.simplefilter("ignore")
    rows: list[dict] = []
    tables = ("price_milestones", "epoch_lowest_price_data", "openrouter_daily", "market_shares", "epoch_models",
              "token_volume", "openrouter_rankings", "bls_cpi", "wages")

    def data_only() -> None:
        panel_build._CACHE.clear()
        inp = StudyInputs()
        inp.panel()
        for t in tables:
            inp.table(t)

    base, base_cpu = _timed(data_only)
    rows.append({"case": "data only (cold panel + bundled tables)", "seconds": base, "cpu_seconds": base_cpu,
                 "ratio": 1.0})
    tmp = Path(tempfile.mkdtemp(prefix="bench_report_"))
    try:
        for jobs, label in ((1, "full report, sequential (jobs=1, the previous approach)"),
                            (2, "full report, heavy sections in a forked worker (jobs=2)")):
            def full(jobs: int = jobs) -> None:
                panel_build._CACHE.clear()
                build_report(tmp / f"jobs{jobs}", inputs=StudyInputs(), jobs=jobs, generated="bench")

            w, c = _timed(full)
            rows.append({"case": label, "seconds": w, "cpu_seconds": c, "ratio": w / base})
        same = (tmp / "jobs1" / "results.json").read_bytes() == (tmp / "jobs2" / "results.json").read_bytes()
        rows[-1]["results_json_identical"] = same
        cli = shutil.which("llmflation") or f"{sys.executable} -m llmflation"
        t0 = time.perf_counter()
        subprocess.run([*cli.split(), "report", "--out", str(tmp / "cli")], check=True, capture_output=True)
        w = time.perf_counter() - t0
        rows.append({"case": "installed CLI `llmflation report` (fresh process)", "seconds": w, "ratio": w / base,
                     "target_seconds": TARGET_SECONDS, "within_target": w <= TARGET_SECONDS})
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return rows
