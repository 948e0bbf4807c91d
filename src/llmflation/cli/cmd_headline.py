"""`llmflation headline-index`: the chained quality-adjusted LLM price index (the headline answer)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from llmflation.cli._common import Format, FormatOpt, StudyDbOpt, emit, study_inputs


def register(app: typer.Typer) -> None:
    @app.command("headline-index")
    def headline_cmd(
        period: str = typer.Option("M", "--period", help="Period length: M or Q."),
        quality: str = typer.Option("eci", "--quality", help="eci, or an Epoch benchmark (GPQA Diamond, MMLU, …)."),
        start: str = typer.Option("2023-01-01", "--start", help="First month of the index."),
        cluster: str = typer.Option("model", "--cluster", help="Bootstrap cluster: model or developer."),
        bootstrap: str = typer.Option("auto", "--bootstrap", help="auto, pairs or wild (cluster bootstrap)."),
        all_providers: bool = typer.Option(False, "--all-providers", help="Include models no developer sells itself."),
        n_boot: int = typer.Option(499, "--n-boot", help="Bootstrap draws."),
        seed: int = typer.Option(0, "--seed", help="Bootstrap seed."),
        show: str = typer.Option("index", "--show", help="Table to print: index or annual."),
        db: Path | None = StudyDbOpt,
        fmt: Format = FormatOpt,
    ) -> None:
        """Chained quality-adjusted price index of first-party LLMs with its annual rate (CSV carries the vintage)."""
        import warnings

        from llmflation.errors import check_choice
        from llmflation.study.api import Study

        check_choice("show", show, ("index", "annual"))
        check_choice("period", period, ("M", "Q"))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            study = Study.from_inputs(study_inputs(db))
            study.panel()
        r = study.headline_index(period=period, quality=quality, start=start, cluster=cluster, bootstrap=bootstrap,
                                 first_party_only=not all_providers, n_boot=n_boot, seed=seed)
        frame = (r.wide() if show == "index" else r.annual).assign(vintage=r.vintage)
        notes = [*r.notes, f"Data vintage: {r.vintage}"]
        if fmt == Format.json:
            extra: dict[str, Any] = {"title": r.title, "notes": notes, "vintage": r.vintage,
                                     "annual": r.annual.to_dict(orient="records")}
            emit(frame, fmt, extra=extra)
            return
        if fmt == Format.table and show == "index":
            emit(r.annual[["index_kind", "log_change_per_year", "conf_low", "conf_high", "pct_per_year", "n_models",
                           "status"]], fmt, title=f"{r.title} — annual change")
        emit(frame.drop(columns=["vintage"]) if fmt == Format.table else frame, fmt,
             title="Index by period (first period = 1)" if show == "index" else r.title, notes=notes)
