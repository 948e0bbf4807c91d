"""Data commands: ingest, models, history, cost, sources."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import typer

from llmflation.cli._common import (
    DbOpt,
    Format,
    FormatOpt,
    console,
    default_db,
    emit,
    load_panel_for,
)


def _panel(db: Path | None) -> pd.DataFrame:
    """The panel merged with the store of ``--db`` (a named store that does not open is refused)."""
    return load_panel_for(db)


def register(app: typer.Typer) -> None:
    @app.command("ingest")
    def ingest(db: Path | None = DbOpt, fmt: Format = FormatOpt) -> None:
        """Build the store from the bundled snapshot (idempotent; fetched history is kept)."""
        from rich.progress import Progress

        from llmflation.store import Store
        from llmflation.store.ingest import ingest_bundled

        path = db or default_db()
        with Progress(console=console, transient=True) as prog, Store(path) as store:
            task = prog.add_task("ingesting bundled snapshot", total=None)
            counts = ingest_bundled(store, progress=lambda n: prog.update(task, completed=n, total=n))
        from rich.markup import escape

        # the title is rich markup: a path such as "a[/dim]b" must print as written
        emit(pd.DataFrame([{"table": k, "rows": v} for k, v in counts.items()]), fmt,
             title=f"store {escape(str(path))}")

    @app.command("models")
    def models(search: str | None = typer.Option(None, "--search", help="Substring of the model id or name."),
               developer: str | None = typer.Option(None, "--developer", help="Developer name (case-insensitive)."),
               db: Path | None = DbOpt, fmt: Format = FormatOpt) -> None:
        """Models with their latest known price (USD per 1M tokens)."""
        from llmflation.panel.query import current_prices

        cur = current_prices(_panel(db))
        if search:
            cur = cur[cur["model_id"].str.contains(search, case=False, regex=False)]
        if developer:
            cur = cur[cur["developer"].astype(str).str.lower() == developer.lower()]
        cols = ["model_id", "developer", "country", "input_usd_per_mtok", "output_usd_per_mtok",
                "blended_usd_per_mtok", "eci", "is_reasoning", "as_of", "basis"]
        emit(cur[cols].sort_values("model_id"), fmt, title="Latest prices (USD per 1M tokens)")

    @app.command("history")
    def history(model: str = typer.Argument(..., help="Model id, family or source key, e.g. gpt-4o."),
                db: Path | None = DbOpt, fmt: Format = FormatOpt) -> None:
        """Every dated price interval of a model, all providers and sources."""
        from llmflation.panel.query import resolve_model

        p = _panel(db)
        mid = resolve_model(p, model)
        h = p[p["model_id"] == mid]
        if "model_key" in p.columns and len(h):  # every id of the model, with its tariff
            h = p[p["model_key"] == h["model_key"].iloc[0]]
        h = h.sort_values(["valid_from", "source", "provider"])
        cols = ["valid_from", "valid_to", "provider", "source", "input_usd_per_mtok", "output_usd_per_mtok",
                "blended_usd_per_mtok", "observed_at", "source_key", "model_id", "tariff"]
        cols = [c for c in cols if c in h.columns]
        out = h[cols].copy()
        for c in ("valid_from", "valid_to", "observed_at"):
            out[c] = out[c].dt.date
        emit(out, fmt, title=f"Price history of {mid}")

    @app.command("cost")
    def cost(model: str = typer.Option(..., "--model", help="Model id or name."),
             input_tokens: float = typer.Option(..., "--input-tokens", help="Input tokens of the workload."),
             output_tokens: float = typer.Option(..., "--output-tokens", help="Output tokens of the workload."),
             on: str | None = typer.Option(None, "--on", help="Date YYYY-MM-DD (default: latest price)."),
             db: Path | None = DbOpt, fmt: Format = FormatOpt) -> None:
        """What a workload cost on a date, and the cheapest model of equal or better capability."""
        from llmflation.cli._common import parse_iso_day
        from llmflation.panel.query import workload_cost

        if on is not None:
            on = parse_iso_day(on, "--on").date().isoformat()
        w = workload_cost(_panel(db), model, input_tokens, output_tokens, on)
        emit(w.to_frame(), fmt, title=f"{input_tokens:,.0f} input + {output_tokens:,.0f} output tokens",
             notes=["Capability: Epoch Capabilities Index (ECI); prices: first-party or median across providers."])

    @app.command("sources")
    def sources(coverage: bool = typer.Option(False, "--coverage", help="Show panel coverage figures."),
                fmt: Format = FormatOpt) -> None:
        """Bundled data sources with provenance and licences (and coverage)."""
        from llmflation.sources import bundled

        if coverage:
            from llmflation.panel.build import load_panel
            from llmflation.panel.coverage import by_source
            from llmflation.panel.coverage import coverage as cov

            p = load_panel(warn=False)
            emit(cov(p), fmt, title="Panel coverage")
            if fmt == Format.table:
                from llmflation.panel.build import exclusions

                emit(by_source(p), fmt, title="Panel by source")
                emit(exclusions(), fmt, title="Price rows excluded from the panel")
            return
        m = bundled.manifest()
        rows = [{"table": k, "rows": v["rows"], "vintage": " → ".join(v["vintage"]) if v["vintage"] else "",
                 "licence": v["licence"], "source_url": v["source_url"], "taken_from": v["taken_from"]}
                for k, v in sorted(m["files"].items())]
        emit(pd.DataFrame(rows), fmt, title=f"Bundled snapshot {m['snapshot_id']}",
             notes=[bundled.ATTRIBUTION], extra={"attribution": bundled.ATTRIBUTION} if fmt == Format.json else None)
