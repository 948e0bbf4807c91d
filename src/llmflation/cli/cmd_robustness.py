"""`llmflation robustness`: headline estimates over a declared grid of specifications."""

from __future__ import annotations

from pathlib import Path

import typer

from llmflation.cli._common import FormatOpt, StudyDbOpt, emit, study_inputs


def register(app: typer.Typer) -> None:
    @app.command("robustness")
    def robustness_cmd(
        claim: str = typer.Option(None, "--claim", help="One claim (half_life_economy, half_life_mid, "
                                  "half_life_flagship, total_decline, reasoning_premium, chow, "
                                  "hedonic_vs_matched, hhi); default all."),
        view: str = typer.Option("grid", "--view", help="grid (one row per specification), influence, "
                                 "declarations or paper (paper vs ours)."),
        leave_one_out: bool = typer.Option(True, "--leave-one-out/--no-leave-one-out",
                                           help="Add leave-one-developer-out specifications."),
        db: Path = StudyDbOpt,
        fmt=FormatOpt,
    ) -> None:
        """Rerun each headline over tier definitions, observation sets, blends, first-party only,
        excluding reasoning, window end and leave-one-developer-out."""
        from llmflation.errors import check_choice
        from llmflation.study.api import Study
        from llmflation.study.paper_vs_ours import paper_vs_ours

        check_choice("view", view, ("grid", "influence", "declarations", "paper"))
        r = Study.from_inputs(study_inputs(db)).robustness(claim, leave_one_out=leave_one_out,
                                                           influence=view in ("influence", "grid"))
        frame = {"grid": r.table, "influence": r.influence, "declarations": r.declarations}.get(view)
        if view == "paper":
            frame = paper_vs_ours(r)
        notes = [*r.notes, f"Data vintage: {r.vintage}"]
        emit(frame, fmt, title=r.title, notes=notes, extra={"title": r.title, "notes": notes} if fmt.value == "json"
             else None)
