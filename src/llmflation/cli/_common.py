"""Shared CLI plumbing: output formats, error handling, the store path."""

from __future__ import annotations

import json
import os
from enum import StrEnum
from pathlib import Path
from typing import Any

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

console = Console()
err_console = Console(stderr=True)


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


FormatOpt = typer.Option(Format.table, "--format", "-f", help="Output format: table, json or csv.")


def default_db() -> Path:
    """Store path: ``$LLMFLATION_DB`` or a file in the user data dir."""
    env = os.environ.get("LLMFLATION_DB")
    if env:
        return Path(env)
    from platformdirs import user_data_dir

    return Path(user_data_dir("llmflation")) / "llmflation.duckdb"


DbOpt = typer.Option(None, "--db", help="DuckDB store path (default: $LLMFLATION_DB or user data dir).")


def _jsonable(v: Any) -> Any:
    if isinstance(v, (pd.Timestamp,)):
        return v.isoformat()
    if hasattr(v, "isoformat"):
        return v.isoformat()
    if isinstance(v, float) and v != v:
        return None
    if hasattr(v, "item"):
        return _jsonable(v.item())
    return v


def emit(df: pd.DataFrame, fmt: Format, title: str | None = None, notes: list[str] | None = None,
         extra: dict[str, Any] | None = None) -> None:
    """Print a frame as a rich table, JSON (records, plus ``extra``) or CSV."""
    if fmt == Format.csv:
        typer.echo(df.to_csv(index=False), nl=False)
        return
    if fmt == Format.json:
        recs = [{k: _jsonable(v) for k, v in r.items()} for r in df.to_dict(orient="records")]
        payload: Any = recs if extra is None else {**{k: _jsonable(v) for k, v in extra.items()}, "rows": recs}
        typer.echo(json.dumps(payload, indent=2, default=str))
        return
    table = Table(title=title, show_lines=False)
    for c in df.columns:
        table.add_column(str(c), overflow="fold")
    for row in df.itertuples(index=False):
        table.add_row(*[_cell(v) for v in row])
    console.print(table)
    for n in notes or []:
        console.print(f"[dim]{n}[/dim]", markup=True, highlight=False)


def _cell(v: Any) -> str:
    from rich.markup import escape

    if isinstance(v, float):
        if v != v:
            return ""
        if v != 0 and (abs(v) >= 1e6 or abs(v) < 1e-3):
            return f"{v:.4g}"
        return f"{v:.4f}"
    return escape(str(v)) if v is not None else ""


def emit_result(result: Any, fmt: Format) -> None:
    """Emit an analysis result through its ``to_frame()``."""
    notes = list(getattr(result, "notes", ()) or ())
    vintage = getattr(result, "vintage", None)
    if vintage:
        notes.append(f"Data vintage: {vintage}")
    title = getattr(result, "title", None)
    emit(result.to_frame(), fmt, title=title if isinstance(title, str) else None, notes=notes,
         extra={"title": title, "notes": notes} if fmt == Format.json else None)
