"""Data commands: ingest, models, history, cost, sources."""

from __future__ import annotations

from pathlib import Path
from typing import Any

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
    resolve_db,
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
             input_tokens: float = typer.Option(..., "--input-tokens",
                                                help="Prompt tokens of the request (cached ones included)."),
             output_tokens: float = typer.Option(..., "--output-tokens", help="Output tokens of the request."),
             on: str | None = typer.Option(None, "--on", help="Date YYYY-MM-DD (default: latest price)."),
             cached_input_tokens: float = typer.Option(0, "--cached-input-tokens",
                                                       help="The part of the prompt read from the cache."),
             batch: bool = typer.Option(False, "--batch", help="Price at the batch tier (vendor rule, sourced)."),
             at: str | None = typer.Option(None, "--at", help="UTC time of day HH:MM (time-of-day tariffs)."),
             provider: str = typer.Option("first-party", "--provider",
                                          help="first-party (the developer's API) or a provider slug."),
             db: Path | None = DbOpt, fmt: Format = FormatOpt) -> None:
        """What a request cost on a date, line by line, and the cheapest model of equal capability.

        The tariff in effect on that date is applied as billed: long-prompt tiers bill the
        whole request at the higher rate, cached tokens at the cached-input rate, --batch at
        the batch tier, --at picks a time-of-day window (DeepSeek off-peak).
        """
        from llmflation.cli._common import emit_result, parse_iso_day
        from llmflation.panel.cost import cost as request_cost
        from llmflation.panel.cost import latest_on

        given = parse_iso_day(on, "--on") if on is not None else None
        p = _panel(db)  # the merged panel (read from its cache): capability and the cheapest rival
        path = resolve_db(db)

        def run(store: Any) -> Any:
            day = (given if given is not None else latest_on(model, provider=provider, panel=p, store=store))
            return request_cost(model, on=day.date().isoformat(), input_tokens=input_tokens,
                                output_tokens=output_tokens, cached_input_tokens=cached_input_tokens, batch=batch,
                                at=at, provider=provider, panel=p, store=store)

        if path is None:
            r = run(None)
        else:  # the store's fetched tariff lines extend the curated tariff past its last date
            from llmflation.store import Store

            with Store(path, read_only=True) as store:
                r = run(store)
        emit_result(r, fmt, notes=["Capability: Epoch Capabilities Index (ECI)."])

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
