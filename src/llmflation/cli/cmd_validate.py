"""`validate`: an audit of the panel (coverage, exclusions, disagreements, launch dating)."""

from __future__ import annotations

from pathlib import Path

import typer

from llmflation.cli._common import DbOpt, Format, FormatOpt, emit, emit_result


def register(app: typer.Typer) -> None:
    @app.command("validate")
    def validate(
        db: Path | None = DbOpt,
        start: str = typer.Option("2020-01-01", "--start", help="First date of the coverage table (YYYY-MM-DD)."),
        threshold: float = typer.Option(0.01, "--threshold", help="Relative gap that counts as a disagreement."),
        fmt: Format = FormatOpt,
    ) -> None:
        """Coverage by quarter × developer × tier, exclusions, source disagreements, untrusted launch dates, probable duplicates."""
        from llmflation.cli._common import resolve_db
        from llmflation.cli.cmd_data import _panel
        from llmflation.panel.validate import validate_panel

        panel = _panel(db)
        path = resolve_db(db)
        if path is None:
            r = validate_panel(panel, start=start, threshold=threshold)
        else:
            from llmflation.store import Store

            with Store(path, read_only=True) as store:
                r = validate_panel(panel, start=start, threshold=threshold, store=store)
        if fmt != Format.table:
            emit_result(r, fmt)
            return
        emit(r.summary_frame(), fmt, title=r.title)
        emit(r.coverage, fmt, title="Coverage by quarter × developer × tier (models, intervals)")
        emit(r.exclusions, fmt, title="Price rows excluded or labelled, by reason")
        emit(r.disagreements.head(30), fmt, title=f"Cross-source disagreements (largest 30 of {len(r.disagreements)})")
        emit(r.untrusted_launches, fmt, title="Models without an independent release date")
        if len(r.fetched_first_party):
            emit(r.fetched_first_party, fmt, title="Fetched first-party prices that contradict the curated table "
                 "(kept in the store, for review)")
        emit(r.probable_duplicates, fmt,
             title="Probable duplicates: one developer, launched within 3 days at one price, not in the registry",
             notes=list(r.notes) + ["Review each pair: add an override (normalize/tables/registry_overrides.csv) or "
                                    "a distinct pair (registry_distinct.csv) and run scripts/build_registry.py.",
                                    f"Data vintage: {r.vintage}"])
