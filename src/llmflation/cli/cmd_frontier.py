"""`llmflation dea | malmquist | decompose | elasticity | us-china`: the production frontier."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import typer

from llmflation.cli._common import (
    Format,
    FormatOpt,
    StudyDbOpt,
    emit,
    emit_result,
    read_user_csv,
    study_inputs,
)
from llmflation.errors import InputError


def _cols(text: str, what: str, df: pd.DataFrame) -> list[str]:
    cols = [c.strip() for c in text.split(",") if c.strip()]
    if not cols:
        raise InputError(f"--{what} is empty; give comma-separated column names.")
    miss = [c for c in cols if c not in df.columns]
    if miss:
        raise InputError(f"--{what}: columns {miss} not in the CSV; available: "
                         f"{list(df.columns)}.")
    return cols


def _read(csv: Path) -> pd.DataFrame:
    return read_user_csv(csv, "--csv")


def register(app: typer.Typer) -> None:
    @app.command("dea")
    def dea_cmd(
        csv: Path = typer.Option(..., "--csv", help="CSV with one row per DMU."),
        inputs: str = typer.Option(..., "--inputs", help="Input columns, comma-separated."),
        outputs: str = typer.Option(..., "--outputs", help="Output columns, comma-separated."),
        rts: str = typer.Option("crs", "--rts", help="crs or vrs."),
        orientation: str = typer.Option("input", "--orientation", help="input or output."),
        dmu: str = typer.Option(None, "--dmu", help="Column with DMU labels (default: row number)."),
        super_eff: bool = typer.Option(False, "--super", help="Andersen–Petersen super-efficiency."),
        fmt: Format = FormatOpt,
    ) -> None:
        """DEA efficiency (CRS/VRS, input/output) with slacks and peers for any CSV."""
        from llmflation.methods.dea import dea

        df = _read(csv)
        if dmu is not None:
            _cols(dmu, "dmu", df)
            rep = df[dmu][df[dmu].duplicated()].astype(str).unique()
            if len(rep):
                raise InputError(f"--dmu {dmu!r} repeats label(s) {', '.join(map(repr, rep[:5]))}; expected one row "
                                 "per DMU (its scores and peers would be ambiguous). Merge or rename those rows.")
            df = df.set_index(dmu)
        res = dea(df[_cols(inputs, "inputs", df)], df[_cols(outputs, "outputs", df)],
                  rts=rts, orientation=orientation, super_efficiency=super_eff)  # type: ignore[arg-type]
        emit_result(res, fmt)

    @app.command("malmquist")
    def malmquist_cmd(
        csv: Path = typer.Option(..., "--csv", help="Long CSV: one row per DMU × period."),
        dmu: str = typer.Option(..., "--dmu", help="DMU id column."),
        period: str = typer.Option(..., "--period", help="Period column (sortable)."),
        inputs: str = typer.Option(..., "--inputs", help="Input columns, comma-separated."),
        outputs: str = typer.Option(..., "--outputs", help="Output columns, comma-separated."),
        orientation: str = typer.Option("output", "--orientation", help="output or input."),
        rts: str = typer.Option("crs", "--rts", help="crs (FGNZ with VRS split) or vrs."),
        by: str = typer.Option("rows", "--by", help="rows, period (geometric means) or dmu."),
        fmt: Format = FormatOpt,
    ) -> None:
        """Malmquist productivity index (effch, techch, pech, sech, tfpch) between periods."""
        from llmflation.errors import check_choice
        from llmflation.methods.malmquist import malmquist

        check_choice("by", by, ("rows", "period", "dmu"))
        df = _read(csv)
        _cols(f"{dmu},{period}", "dmu/--period", df)
        res = malmquist(df, dmu=dmu, period=period, inputs=_cols(inputs, "inputs", df),
                        outputs=_cols(outputs, "outputs", df), orientation=orientation,  # type: ignore[arg-type]
                        rts=rts)  # type: ignore[arg-type]
        if by == "rows":
            emit_result(res, fmt)
        else:
            frame = res.by_period() if by == "period" else res.by_dmu()
            emit(frame, fmt, title=res.title, notes=list(res.notes))

    @app.command("decompose")
    def decompose_cmd(
        start: int = typer.Option(2023, "--start", help="First year."),
        end: int = typer.Option(2025, "--end", help="Last year."),
        sources: bool = typer.Option(False, "--sources", help="List the input series instead."),
        hosting: str = typer.Option(
            "include", "--hosting",
            help="include or exclude the hosting PPI 518210 (overlaps GPU rental + $/FLOP)."),
        db: Path | None = StudyDbOpt,
        fmt: Format = FormatOpt,
    ) -> None:
        """Growth accounting of the price of LLM capability (TFP residual), bundled data."""
        from llmflation.study.api import Study

        res = Study.from_inputs(study_inputs(db)).cost_decomposition(start=start, end=end, hosting=hosting)
        if sources:
            emit(res.sources, fmt, title="Input series and sources")
        else:
            emit_result(res, fmt)

    @app.command("elasticity")
    def elasticity_cmd(
        cov_type: str = typer.Option("HC1", "--cov-type", help="HC1, HC3 or cluster."),
        year_effects: str = typer.Option("fixed", "--year-effects", help="fixed or linear."),
        db: Path | None = StudyDbOpt,
        fmt: Format = FormatOpt,
    ) -> None:
        """Elasticity of launch price to Epoch training cost (log-log, robust SEs)."""
        from llmflation.study.api import Study

        emit_result(Study.from_inputs(study_inputs(db)).elasticity(cov_type=cov_type, year_effects=year_effects), fmt)

    @app.command("us-china")
    def us_china_cmd(
        n_boot: int = typer.Option(4000, "--n-boot", help="Bootstrap resamples."),
        seed: int = typer.Option(0, "--seed", help="Random seed."),
        domain: str = typer.Option(None, "--domain", help="Keep Epoch domain, e.g. Language."),
        since_year: int = typer.Option(None, "--since-year", help="Keep models from this year."),
        fmt: Format = FormatOpt,
    ) -> None:
        """US vs China training cost gap (bootstrap CI) and tests of equal $/FLOP."""
        from llmflation.study.api import Study

        study = Study()  # Epoch models only: no store
        emit_result(study.us_china(domain=domain, since_year=since_year, n_boot=n_boot, seed=seed), fmt)
