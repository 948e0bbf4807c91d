"""The fast path of ``llmflation price`` (issue 21, point 6): answered without pandas.

:func:`try_price` is called by :func:`llmflation.cli.main` before the command-line app is
built. It reads ``price MODEL --on DATE [--provider P] [--db PATH] [-f FORMAT]`` and, when
:func:`llmflation.panel.lookup_index.fast_price_on` can answer, prints exactly what the
full command prints (``tests/test_lookup_index.py`` compares the two outputs byte for
byte, in every format) and returns True. Anything else — help, other options, an error of
any kind, a case the index does not cover — returns False, and the full command runs and
answers (or refuses) as before. ``LLMFLATION_FAST=0`` turns the fast path off.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
from pathlib import Path
from typing import Any

_FIELDS = ("model", "api_model_id", "served_model", "provider", "on", "input_usd_per_mtok", "output_usd_per_mtok",
           "cached_input_usd_per_mtok", "valid_from", "valid_to", "event", "source", "source_url", "dated_by",
           "snapshot_id", "observed_at")
_VALUED = {"--on": "on", "--provider": "provider", "--db": "db", "--format": "fmt", "-f": "fmt"}


def _parse(args: list[str]) -> dict[str, str] | None:
    """The options of ``price`` when they are all plain, else None."""
    out: dict[str, str] = {"provider": "first-party", "fmt": "table"}
    pos: list[str] = []
    i = 0
    while i < len(args):
        a = args[i]
        if a.startswith("-"):
            name, eq, val = a.partition("=")
            if name not in _VALUED:
                return None
            if not eq:
                if i + 1 >= len(args):
                    return None
                val = args[i + 1]
                i += 1
            if _VALUED[name] in out and _VALUED[name] not in ("provider", "fmt"):
                return None  # repeated: let the full parser decide
            out[_VALUED[name]] = val
        else:
            pos.append(a)
        i += 1
    if len(pos) != 1 or "on" not in out or out["fmt"] not in ("table", "json", "csv"):
        return None
    out["model"] = pos[0]
    return out


def _store_path(db: str | None) -> tuple[bool, Path | None]:
    """(usable, path) of the store the command reads, as :func:`llmflation.cli._common.resolve_db` finds it."""
    from llmflation.store.paths import resolve_store_path

    try:
        path = resolve_store_path(db)
    except Exception:  # noqa: BLE001 - the full path raises the error with its message
        return False, None
    if path is not None and path.is_dir():
        return False, None
    return True, path


def _answer(opts: dict[str, str]) -> dict[str, Any] | None:
    from llmflation.panel.lookup_index import fast_price_on

    if opts["provider"] != "first-party":
        return None
    ok, path = _store_path(opts.get("db"))
    if not ok:
        return None
    if path is None:
        return fast_price_on(opts["model"], opts["on"])
    from llmflation.errors import LLMFlationError
    from llmflation.store.db import Store

    try:
        with Store(path, read_only=True) as store:
            # the full command opens the store first too: a locked, corrupt or misdated store is
            # refused with the same message (raised here, so a lock is not waited for twice)
            store.check_fetched_dates()
            return fast_price_on(opts["model"], opts["on"], con=store.con, store_path=str(path))
    except LLMFlationError:
        raise
    except Exception:  # noqa: BLE001 - anything else: the full path answers or says why
        return None


def _show(v: Any) -> str:
    if isinstance(v, float):
        return "" if v != v else f"{v:g}"
    return "" if v is None else str(v)


def _json_cell(v: Any) -> Any:
    return None if isinstance(v, float) and not math.isfinite(v) else v


def _emit(ans: dict[str, Any], fmt: str) -> None:
    import typer

    row = {k: ans[k] for k in _FIELDS}
    notes = [*ans["_notes"], f"Data vintage: {ans['_vintage']}"]
    if fmt == "table":
        from rich.markup import escape

        # the same console the full path prints to
        from llmflation.cli._table import console, escape_controls, render_cells

        cells = [list(_FIELDS), [escape_controls(_show(v).replace("\n", " ")) for v in row.values()]]
        kinds = ["text", "prose" if any(" " in c.strip() for c in cells[1]) else "text"]
        render_cells(console, ["field", "value"], kinds, cells, len(_FIELDS), ans["_title"])
        for n in notes:
            console.print(f"[dim]{escape(escape_controls(n))}[/dim]", markup=True, highlight=False)
        return
    if fmt == "json":
        payload = {"title": ans["_title"], "notes": notes, "rows": [{k: _json_cell(v) for k, v in row.items()}]}
        typer.echo(json.dumps(payload, indent=2, default=str, allow_nan=False))
        return
    from llmflation.cli._table import csv_safe

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([csv_safe(k) for k in row])
    w.writerow([csv_safe(_csv_cell(v)) for v in row.values()])
    typer.echo(buf.getvalue(), nl=False)


def _csv_cell(v: Any) -> Any:
    if v is None or (isinstance(v, float) and v != v):
        return ""
    return repr(v) if isinstance(v, float) else v


def try_price(argv: list[str]) -> bool:
    """Answer ``llmflation price …`` from the lookup index; False when the full command must run.

    Examples
    --------
    >>> try_price(["price", "gpt-4o", "--help"])  # not a plain lookup: the full command runs
    False
    """
    if not argv or argv[0] != "price" or os.environ.get("LLMFLATION_FAST", "1").strip() in ("0", "off", "false"):
        return False
    opts = _parse(argv[1:])
    if opts is None:
        return False
    ans = _answer(opts)
    if ans is None:
        return False
    _emit(ans, opts["fmt"])
    return True
