"""`llmflation hhi`: market concentration (HHI, CR-k) of a CSV or of LLM developers."""

from __future__ import annotations

from pathlib import Path

import typer

from llmflation.cli._common import (
    Format,
    FormatOpt,
    StudyDbOpt,
    emit_result,
    read_user_csv,
    study_inputs,
)


def register(app: typer.Typer) -> None:
    @app.command("hhi")
    def hhi_cmd(
        csv: Path | None = typer.Option(None, "--csv", help="Long CSV: one row per period × firm."),
        share_column: str = typer.Option("share_pct", "--share-column", help="Share column."),
        firm_column: str = typer.Option("firm", "--firm-column", help="Firm column."),
        period_column: str | None = typer.Option(None, "--period-column", help="Period column (default: one period)."),
        unit: str = typer.Option("percent", "--unit", help="percent or fraction."),
        k: list[int] = typer.Option([1, 4], "--k", help="CR-k to report (repeatable)."),
        residual: list[str] = typer.Option([], "--residual", help="Firm label meaning 'all others' (repeatable)."),
        usage: str | None = typer.Option(None, "--usage", help="Concentration on usage/spend shares: openrouter, "
                                         "menlo or all (beside the model-count measure)."),
        sum_duplicates: bool = typer.Option(False, "--sum-duplicates", help="Add up rows of a firm listed twice "
                                            "in a period (default: refuse them)."),
        db: Path | None = StudyDbOpt,
        fmt: Format = FormatOpt,
    ) -> None:
        """HHI (0–10,000) and CR-k per period; without --csv, LLM developers from the bundled data."""
        from llmflation.methods.concentration import concentration
        from llmflation.study.api import Study

        if usage is not None:
            emit_result(Study.from_inputs(study_inputs(db)).usage_concentration(usage=usage, k=tuple(k)), fmt)
            return
        if csv is None:
            emit_result(Study.from_inputs(study_inputs(db)).llm_concentration(k=tuple(k)), fmt)
            return
        study_inputs(db)  # a --db that is no store is refused here too
        df = read_user_csv(csv, "--csv", columns=(firm_column, share_column))
        per = period_column or "_period"
        if period_column is None:
            df[per] = "all"
        r = concentration(df, k=tuple(k), period=per, firm=firm_column, share=share_column,
                          unit=unit, residual_firms=residual,  # type: ignore[arg-type]
                          duplicates="sum" if sum_duplicates else "refuse")
        emit_result(r, fmt)
