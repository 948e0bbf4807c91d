"""`llmflation report`."""

from __future__ import annotations

from pathlib import Path

import typer

from llmflation.cli._common import console


def register(app: typer.Typer) -> None:
    @app.command("report")
    def report(out: Path = typer.Option(Path("report"), "--out", help="Output directory.")) -> None:
        """Build the HTML report (+ results.json and CSV tables) from the bundled snapshot."""
        from llmflation.report.build import build_report

        with console.status("building report") as status:
            path = build_report(out, progress=lambda name: status.update(f"report: {name}"))
        console.print(f"report written to {path}")
