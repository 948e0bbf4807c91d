"""`llmflation jevons`: tokens, prices and spend per firm; elasticities or why not; effective prices."""

from __future__ import annotations

from pathlib import Path

import typer

from llmflation.cli._common import Format, FormatOpt, StudyDbOpt, emit, study_inputs


def register(app: typer.Typer) -> None:
    @app.command("jevons")
    def jevons_cmd(
        part: str = typer.Option("all", "--part", help="accounting, elasticities, shares, effective, implied, "
                                                      "published or all (the tidy long frame)."),
        price_basis: str = typer.Option("quality_adjusted", "--price-basis", help="Firm price: quality_adjusted "
                                        "(default) or list."),
        min_obs: int = typer.Option(10, "--min-obs", help="Fewest points for a log-log elasticity."),
        db: Path | None = StudyDbOpt,
        fmt: Format = FormatOpt,
    ) -> None:
        """Jevons accounting (Δln tokens, Δln price, Δln spend) beside the published elasticities."""
        from llmflation.errors import check_choice
        from llmflation.study.api import Study

        check_choice("--part", part, ("all", "accounting", "elasticities", "shares", "effective", "implied",
                                      "published"))
        check_choice("--price-basis", price_basis, ("quality_adjusted", "list"))
        r = Study.from_inputs(study_inputs(db)).jevons(min_obs=min_obs, price_basis=price_basis)
        frames = {"all": r.wide(), "accounting": r.accounting, "elasticities": r.elasticities,
                  "shares": r.share_vs_price, "effective": r.effective_vs_list, "implied": r.implied,
                  "published": r.published_frame()}
        notes = [*r.notes, f"Data vintage: {r.vintage}"]
        emit(frames[part], fmt, title=f"{r.title} [{part}]", notes=notes,
             extra={"title": r.title, "notes": notes} if fmt == Format.json else None)
