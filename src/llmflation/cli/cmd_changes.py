"""`changes`: every price change of every offer since a date (table, JSON, CSV or an Atom feed)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer

from llmflation.cli._common import DbOpt, Format, emit, load_panel_for


class ChangesFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    atom = "atom"


def register(app: typer.Typer) -> None:
    @app.command("changes")
    def changes_cmd(
        since: str = typer.Option(..., "--since", help="First date YYYY-MM-DD (included)."),
        until: str = typer.Option(None, "--until", help="Last date YYYY-MM-DD (included; default today)."),
        model: str = typer.Option(None, "--model", help="Only this model (any id of it)."),
        provider: str = typer.Option(None, "--provider", help="Only this provider slug (openai, openrouter …)."),
        db: Path | None = DbOpt,
        fmt: ChangesFormat = typer.Option(ChangesFormat.table, "--format", "-f",
                                          help="Output format: table, json, csv or atom (an Atom 1.0 feed)."),
    ) -> None:
        """Every price change (model, provider, tariff, old → new, factor, date, how it was dated, source) since a date."""
        from llmflation.panel.changes import atom_feed, changes
        from llmflation.panel.lookup import parse_iso_date

        parse_iso_date(since, "--since")
        if until is not None:
            parse_iso_date(until, "--until")
        c = changes(since=since, until=until, panel=load_panel_for(db), model=model, provider=provider)
        if fmt == ChangesFormat.atom:
            typer.echo(atom_feed(c), nl=False)
            return
        out = c.assign(date=c["date"].dt.date.astype(str))
        emit(out, Format(fmt.value), title=f"Price changes {since} → {until or 'today'} ({len(c)})",
             notes=[*c.attrs.get("notes", ()), f"Data vintage: {c.attrs.get('vintage', '')}"],
             extra={"notes": list(c.attrs.get("notes", ())), "vintage": c.attrs.get("vintage", "")}
             if fmt == ChangesFormat.json else None)
