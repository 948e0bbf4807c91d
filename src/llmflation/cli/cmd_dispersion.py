"""`dispersion`: the spread of one model's price across hosts per snapshot date."""

from __future__ import annotations

from pathlib import Path

import typer

from llmflation.cli._common import DbOpt, Format, FormatOpt, emit, load_panel_for


def register(app: typer.Typer) -> None:
    @app.command("dispersion")
    def dispersion_cmd(
        model: str = typer.Argument(..., help="Model id, e.g. meta-llama/llama-3.3-70b-instruct."),
        source: str = typer.Option("openrouter-endpoints", "--source",
                                   help="Source of per-provider offers: openrouter-endpoints (fetched with "
                                        "`llmflation fetch openrouter-endpoints`) or a panel source such as litellm."),
        since: str = typer.Option(None, "--since", help="First date YYYY-MM-DD."),
        until: str = typer.Option(None, "--until", help="Last date YYYY-MM-DD."),
        db: Path | None = DbOpt,
        fmt: Format = FormatOpt,
    ) -> None:
        """Spread of one model's price across hosts per date: min, median, max, coefficient of variation."""
        from llmflation.panel.dispersion import dispersion

        d = dispersion(model, panel=load_panel_for(db), source=source, since=since, until=until)
        out = d.assign(date=d["date"].dt.date.astype(str))
        el = d.attrs["elasticity"]
        emit(out, fmt, title=f"Price dispersion of {model} across hosts ({source}), blended USD per 1M tokens",
             notes=list(d.attrs["notes"]),
             extra={"notes": list(d.attrs["notes"]), "elasticity": el} if fmt == Format.json else None)
