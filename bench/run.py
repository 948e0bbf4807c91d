"""`make bench`: run every ``bench/bench_*.py`` and print a table of results.

Each module defines ``run() -> list[dict]``; every dict is one measured row (it should
carry ``case``, the timings and, where a baseline is measured in the same run, a
``ratio``). Results are written to ``bench/results/<module>.json``. Pass module names to
run a subset: ``python -m bench.run bench_dea``.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import platform
import sys
import time
from pathlib import Path

RESULTS = Path(__file__).parent / "results"


def main(argv: list[str]) -> int:
    from rich.console import Console
    from rich.table import Table

    import bench

    names = sorted(m.name for m in pkgutil.iter_modules(bench.__path__) if m.name.startswith("bench_"))
    if argv:
        names = [n for n in names if n in argv or n.removeprefix("bench_") in argv]
    RESULTS.mkdir(exist_ok=True)
    console = Console(width=max(Console().width, 160))
    for name in names:
        mod = importlib.import_module(f"bench.{name}")
        t0 = time.perf_counter()
        rows = mod.run()
        meta = {"module": name, "python": platform.python_version(), "machine": platform.machine(),
                "wall_seconds": round(time.perf_counter() - t0, 3),
                "when": time.strftime("%Y-%m-%dT%H:%M:%S")}
        (RESULTS / f"{name}.json").write_text(json.dumps({"meta": meta, "rows": rows}, indent=2, default=str))
        table = Table(title=f"{name} ({meta['wall_seconds']} s)")
        cols = list(dict.fromkeys(k for r in rows for k in r))
        for c in cols:
            table.add_column(c)
        for r in rows:
            table.add_row(*[_fmt(r.get(c)) for c in cols])
        console.print(table)
    return 0


def _fmt(v: object) -> str:
    if isinstance(v, float):
        return f"{v:.4g}"
    return "" if v is None else str(v)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    raise SystemExit(main(sys.argv[1:]))
