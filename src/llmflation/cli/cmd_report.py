"""`llmflation report`."""

from __future__ import annotations

from pathlib import Path

import typer

from llmflation.cli._common import StudyDbOpt, console, study_inputs


def register(app: typer.Typer) -> None:
    @app.command("report")
    def report(out: Path = typer.Option(Path("report"), "--out", help="Output directory."),
               db: Path | None = StudyDbOpt,
               jobs: int = typer.Option(2, "--jobs", min=1, help="2: the heaviest sections run in a forked "
                                        "worker process (same output); 1: everything in this process.")) -> None:
        """Build the HTML report (+ results.json and CSV tables): bundled snapshot + the store's fetched history."""
        from llmflation.report.build import build_report

        inputs = study_inputs(db)
        with console.status("building report") as status:
            path = build_report(out, inputs=inputs, jobs=jobs,
                                progress=lambda name: status.update(f"report: {name}"))
        console.print(f"report written to {path}")
        console.print(f"inputs: {inputs.describe()}")
