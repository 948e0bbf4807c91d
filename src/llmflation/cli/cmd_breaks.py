"""`llmflation breaks`: Chow, sup-F, Bai-Perron and CUSUM tests on any CSV or on LLM prices."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import typer

from llmflation.cli._common import Format, FormatOpt, emit, emit_result
from llmflation.errors import InputError, check_choice

METHODS = ("chow", "supf", "bai-perron", "cusum")
TABLES = ("breaks", "fit", "sequential", "coef")


def _series(csv: Path, column: str, date_column: str | None, regressors: str | None, trend: bool,
            constant: bool) -> tuple[pd.Series, Any]:
    if not csv.exists():
        raise InputError(f"CSV file not found: {csv}.")
    df = pd.read_csv(csv)
    cols = [column] + ([date_column] if date_column else [])
    regs = [c.strip() for c in regressors.split(",") if c.strip()] if regressors else []
    miss = [c for c in cols + regs if c not in df.columns]
    if miss:
        raise InputError(f"columns {miss} not in {csv.name}; available: {list(df.columns)}.")
    if date_column:
        df = df.set_index(date_column)
    keep = df[[column, *regs]].dropna()
    y = keep[column].astype(float)
    if trend and regs:
        raise InputError("--trend and --regressors cannot be combined; add a trend column to the CSV instead.")
    if trend:
        return y, "trend"
    if not regs:
        return y, None
    X = keep[regs].astype(float)
    if constant:
        X.insert(0, "(Intercept)", 1.0)
    return y, X


def _label(value: str | None, index: pd.Index) -> Any:
    if value is None:
        return None
    if pd.api.types.is_integer_dtype(index):
        try:
            return int(value)
        except ValueError as exc:
            raise InputError(f"--break-at {value!r} is not an integer like the labels ({index[0]}, ...).") from exc
    if pd.api.types.is_float_dtype(index):
        return float(value)
    return value


def register(app: typer.Typer) -> None:
    @app.command("breaks")
    def breaks_cmd(
        csv: Path = typer.Option(None, "--csv", help="CSV with one row per observation, in time order."),
        column: str = typer.Option(None, "--column", help="Column of the series to test."),
        date_column: str = typer.Option(None, "--date-column", help="Column labelling the observations."),
        method: str = typer.Option("bai-perron", "--method", help="chow, supf, bai-perron or cusum."),
        break_at: str = typer.Option(None, "--break-at", help="Chow: label of the last observation before the break."),
        regressors: str = typer.Option(None, "--regressors", help="Regressor columns, comma-separated (default: mean only)."),
        no_constant: bool = typer.Option(False, "--no-constant", help="Do not add a constant to --regressors."),
        trend: bool = typer.Option(False, "--trend", help="Regress on a constant and a linear trend."),
        trim: float = typer.Option(0.15, "--trim", help="Trimming / minimum segment fraction."),
        max_breaks: int = typer.Option(5, "--max-breaks", help="Bai-Perron: largest number of breaks."),
        criterion: str = typer.Option("bic", "--criterion", help="Bai-Perron: bic, lwz or sequential."),
        n_breaks: int = typer.Option(None, "--n-breaks", help="Bai-Perron: report this number of breaks."),
        cov: str = typer.Option("ols", "--cov", help="ols or hac (Newey-West)."),
        kind: str = typer.Option("ols", "--kind", help="CUSUM: ols or rec."),
        table: str = typer.Option("breaks", "--table", help="Bai-Perron csv/json: breaks, fit, sequential or coef."),
        llm_prices: bool = typer.Option(False, "--llm-prices", help="Run the tests on the bundled LLM price series."),
        no_panel: bool = typer.Option(False, "--no-panel", help="--llm-prices: skip the panel-based series."),
        fmt: Format = FormatOpt,
    ) -> None:
        """Structural-break tests (Chow, sup-F, Bai-Perron, CUSUM) on a CSV column or LLM prices."""
        check_choice("method", method, METHODS)
        check_choice("table", table, TABLES)
        if llm_prices:
            if csv is not None:
                raise InputError("--llm-prices and --csv are exclusive; use one.")
            from llmflation.analysis.llm_breaks import PAPER_BREAK, llm_price_breaks

            res = llm_price_breaks(break_at=break_at or PAPER_BREAK, trim=trim, max_breaks=min(max_breaks, 5),
                                   use_panel=not no_panel)
            if fmt == Format.table:
                emit(pd.DataFrame({"verdict": list(res.verdict)}), fmt, title="What the data say")
            emit(res.to_frame(), fmt, title=res.title, notes=[*res.notes, f"Data vintage: {res.vintage}"],
                 extra={"title": res.title, "verdict": list(res.verdict), "paper_value": res.paper_value,
                        "notes": list(res.notes), "vintage": res.vintage} if fmt == Format.json else None)
            return
        if csv is None or column is None:
            raise InputError("give --csv FILE and --column Y (or --llm-prices).")
        from llmflation.analysis import breaks as B

        y, X = _series(csv, column, date_column, regressors, trend, not no_constant)
        if method == "chow":
            if break_at is None:
                raise InputError("--method chow needs --break-at LABEL (the last observation before the break).")
            emit_result(B.chow_test(y, X, break_at=_label(break_at, y.index), cov=cov), fmt)  # type: ignore[arg-type]
        elif method == "supf":
            emit_result(B.sup_f_test(y, X, trim=trim, cov=cov), fmt)  # type: ignore[arg-type]
        elif method == "cusum":
            emit_result(B.cusum_test(y, X, kind=kind), fmt)  # type: ignore[arg-type]
        else:
            r = B.bai_perron(y, X, max_breaks=max_breaks, trim=trim, criterion=criterion,  # type: ignore[arg-type]
                             cov=cov, n_breaks=n_breaks)  # type: ignore[arg-type]
            frames = {"breaks": r.to_frame(), "fit": r.fit_table(), "sequential": r.sequential, "coef": r.coef}
            notes = [*r.notes, f"Data vintage: {r.vintage}"]
            if fmt == Format.table:
                title = f"{r.title}: {r.n_breaks} break(s) ({r.config['selection']})"
                emit(frames["breaks"], fmt, title=title)
                emit(frames["fit"], fmt, title="Fit by number of breaks (m)")
                emit(frames["sequential"], fmt, title="Sequential sup-F(l+1 | l) tests")
                emit(frames["coef"], fmt, title="Regime coefficients", notes=notes)
            elif fmt == Format.json:
                emit(frames[table], fmt, extra={
                    "title": r.title, "n_breaks": r.n_breaks, "breaks": [str(b) for b in r.breaks],
                    "criterion": r.criterion, "min_size": r.min_size, "notes": notes,
                    **{k: v.to_dict(orient="records") for k, v in frames.items() if k != table}})
            else:
                emit(frames[table], fmt)
