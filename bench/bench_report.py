"""Report benchmark: the full ``llmflation report`` against the previous build, measured in the same run.

Rows (one repeat each: a build takes seconds and the machine is shared):
- data only: the panel (cold) and the bundled tables the sections read — the floor;
- the previous report (the report package at :data:`BASELINE_REV`, static matplotlib PNGs
  inlined), built on today's study code in a fresh process — the baseline of issue 20;
- the current report in a fresh process, the same way;
- the full build in this process, sequential (``jobs=1``) and with the heaviest sections in a
  forked worker (``jobs=2``, the default), with ``results.json`` compared between the two;
- the installed CLI in a fresh process (imports included), the number the issues bound
  (≤ :data:`TARGET_SECONDS` on 2 cores, the page under :data:`TARGET_PAGE_BYTES`).

``ratio`` is each row's time over the data-only floor; ``vs_previous`` the time over the
previous build's (``cpu_vs_previous`` the same for CPU seconds, which a loaded machine distorts
less); ``page_bytes`` the size of ``index.html`` (interactive figures with the Plotly bundle
inlined once, against inlined PNGs before). ``cpu_seconds`` is the CPU time of the build: a
fresh process's with its worker, or this process's alone for the in-process rows.
"""

from __future__ import annotations

import re
import resource
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import warnings
from io import BytesIO
from pathlib import Path

#: The bound of issues 15 and 20 for the installed CLI on the 2-core machine.
TARGET_SECONDS = 15.0
#: The page budget of issue 20 (the Plotly bundle alone is about 4.8 MB).
TARGET_PAGE_BYTES = 8_000_000
#: The report package before issue 20 (static PNG figures, no claim objects).
BASELINE_REV = "22cf52d"
ROOT = Path(__file__).resolve().parents[1]


def _timed(fn) -> tuple[float, float]:
    w, c = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - w, time.process_time() - c


def _previous_package(tmp: Path) -> str | None:
    """The report package at :data:`BASELINE_REV` as an importable package ``prevreport`` (None: no git)."""
    try:
        blob = subprocess.run(["git", "-C", str(ROOT), "archive", BASELINE_REV, "src/llmflation/report"],
                              check=True, capture_output=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    dest = tmp / "prev"
    with tarfile.open(fileobj=BytesIO(blob)) as tar:
        tar.extractall(dest, filter="data")
    pkg = dest / "prevreport"
    shutil.move(str(dest / "src" / "llmflation" / "report"), pkg)
    for f in pkg.glob("*.py"):
        f.write_text(re.sub(r"llmflation\.report\b", "prevreport", f.read_text()))
    return str(dest)


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _build_in_fresh_process(out: Path, package: str, path: str | None = None) -> tuple[float, float]:
    """Wall seconds and CPU seconds (the process and its forked worker) of one build."""
    code = (f"import sys, warnings; warnings.simplefilter('ignore'); sys.path.insert(0, {path!r}) if {path!r} else 0; "
            f"from {package}.build import build_report; build_report({str(out)!r}, generated='bench')")
    t0, c0 = time.perf_counter(), _children_cpu()
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
    return time.perf_counter() - t0, _children_cpu() - c0


def _size(out: Path) -> int:
    p = out / "index.html"
    return p.stat().st_size if p.is_file() else 0


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
        prev_path = _previous_package(tmp)
        previous = None
        if prev_path is None:
            rows.append({"case": f"previous report ({BASELINE_REV}): not measured, git history not available"})
        else:
            try:
                previous, prev_cpu = _build_in_fresh_process(tmp / "prev_out", "prevreport", prev_path)
                rows.append({"case": f"previous report ({BASELINE_REV}, PNG figures), fresh process",
                             "seconds": previous, "cpu_seconds": prev_cpu, "ratio": previous / base, "vs_previous": 1.0,
                             "page_bytes": _size(tmp / "prev_out")})
            except subprocess.CalledProcessError as e:  # the old package no longer runs on today's study code
                err = e.stderr.decode(errors="replace").strip().splitlines()
                rows.append({"case": f"previous report ({BASELINE_REV}): failed on today's code: "
                                     f"{err[-1] if err else e}"})
        now, now_cpu = _build_in_fresh_process(tmp / "now_out", "llmflation.report")
        rows.append({"case": "current report (interactive figures, claims), fresh process", "seconds": now,
                     "cpu_seconds": now_cpu, "cpu_vs_previous": now_cpu / prev_cpu if previous else None,
                     "ratio": now / base, "vs_previous": now / previous if previous else None,
                     "page_bytes": _size(tmp / "now_out"),
                     "page_vs_previous": _size(tmp / "now_out") / max(_size(tmp / "prev_out"), 1) if previous
                     else None})
        for jobs, label in ((1, "full report in this process, sequential (jobs=1)"),
                            (2, "full report in this process, heavy sections in a forked worker (jobs=2)")):
            def full(jobs: int = jobs) -> None:
                panel_build._CACHE.clear()
                build_report(tmp / f"jobs{jobs}", inputs=StudyInputs(), jobs=jobs, generated="bench")

            w, c = _timed(full)
            rows.append({"case": label, "seconds": w, "cpu_seconds": c, "ratio": w / base,
                         "vs_previous": w / previous if previous else None})
        same = (tmp / "jobs1" / "results.json").read_bytes() == (tmp / "jobs2" / "results.json").read_bytes()
        rows[-1]["results_json_identical"] = same
        cli = shutil.which("llmflation") or f"{sys.executable} -m llmflation"
        t0, c0 = time.perf_counter(), _children_cpu()
        subprocess.run([*cli.split(), "report", "--out", str(tmp / "cli")], check=True, capture_output=True)
        w = time.perf_counter() - t0
        size = _size(tmp / "cli")
        rows.append({"case": "installed CLI `llmflation report` (fresh process)", "seconds": w,
                     "cpu_seconds": _children_cpu() - c0, "ratio": w / base,
                     "vs_previous": w / previous if previous else None, "target_seconds": TARGET_SECONDS,
                     "within_target": w <= TARGET_SECONDS, "page_bytes": size,
                     "page_within_target": size < TARGET_PAGE_BYTES})
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return rows
