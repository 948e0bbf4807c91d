"""`llmflation baumol`: human-service prices vs the AI price index at constant capability."""

from __future__ import annotations

from pathlib import Path

import typer

from llmflation.cli._common import Format, FormatOpt, StudyDbOpt, emit, read_user_csv, study_inputs


def register(app: typer.Typer) -> None:
    @app.command("baumol")
    def baumol_cmd(
        series: str | None = typer.Option(None, "--series", help="Comma-separated CPI item codes of the human "
                                          "services (default: physicians, dental, hospital, day care, tuition, "
                                          "haircuts, full-service meals, pet services, car repair, moving, laundry)."),
        csv: Path | None = typer.Option(None, "--csv", help="Your own service prices: CSV with date,series,value."),
        start: str | None = typer.Option(None, "--start", help="Window start (YYYY-MM)."),
        end: str | None = typer.Option(None, "--end", help="Window end (YYYY-MM)."),
        part: str = typer.Option("rates", "--part", help="rates, hours, wages, indices, or test (post-2022 vs "
                                 "pre-LLM placebo windows, difference in differences)."),
        db: Path | None = StudyDbOpt,
        fmt: Format = FormatOpt,
    ) -> None:
        """Annual rates with HAC intervals, an hour of service in tokens, and wages of matching occupations."""

        from llmflation.errors import check_choice
        from llmflation.study.api import Study
        from llmflation.study.baumol import DEFAULT_SERVICE_ITEMS

        check_choice("--part", part, ("rates", "hours", "wages", "indices", "test"))
        if part == "test":
            t = Study.from_inputs(study_inputs(db)).baumol_test()
            tnotes = [t.finding, *t.notes, f"Data vintage: {t.vintage}"]
            emit(t.wide(), fmt, title=t.title, notes=tnotes,
                 extra={"title": t.title, "finding": t.finding, "changed": t.changed, "notes": tnotes}
                 if fmt == Format.json else None)
            return
        user = None
        if csv is not None:
            user = read_user_csv(csv, "--csv", columns=("date", "series", "value"))
        items = tuple(s.strip() for s in series.split(",") if s.strip()) if series else DEFAULT_SERVICE_ITEMS
        r = Study.from_inputs(study_inputs(db)).baumol(series=items, user_prices=user,
                                                       start=f"{start}-01" if start and len(start) == 7 else start,
                                                       end=f"{end}-01" if end and len(end) == 7 else end)
        frames = {"rates": r.rates, "hours": r.hours_in_tokens, "wages": r.wages_vs_prices, "indices": r.indices}
        notes = [*r.notes, f"Data vintage: {r.vintage}"]
        emit(frames[part], fmt, title=f"{r.title} ({r.window[0]} → {r.window[1]})", notes=notes,
             extra={"title": r.title, "window": list(r.window), "notes": notes} if fmt == Format.json else None)
