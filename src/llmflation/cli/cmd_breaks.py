"""`llmflation breaks`: Chow, sup-F, Bai-Perron and CUSUM tests on any CSV or on LLM prices."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd
import typer

from llmflation.cli._common import (
    Format,
    FormatOpt,
    StudyDbOpt,
    emit,
    emit_result,
    err_console,
    read_user_csv,
    study_inputs,
)
from llmflation.errors import InputError, check_choice

METHODS = ("chow", "supf", "bai-perron", "cusum")
TABLES = ("breaks", "fit", "sequential", "coef")


def _order_by_dates(df: pd.DataFrame, date_column: str, date_format: str | None,
                    notes: list[str]) -> pd.DataFrame:
    """Rows in date order, indexed by their dates; refuses duplicate dates (their order is ambiguous)."""
    from llmflation.validate import dropped_note, parse_dates

    raw = df[date_column]
    what = f"--date-column {date_column!r}"
    if pd.api.types.is_numeric_dtype(raw.dtype) and date_format is None:
        keys = raw.astype(float)
        dropped = {"missing date": int(keys.isna().sum())}
        if (keys.dropna() == keys.dropna().round()).all():
            keys = keys.astype("Int64")
    else:
        keys, counts = parse_dates(raw, what, date_format=date_format)
        dropped = {"missing date": counts["missing"], "unparseable date": counts["unparseable"]}
    note = dropped_note(dropped)
    if note:
        notes.append(note)
    df = df.assign(**{date_column: keys})[keys.notna()]
    dup = df[date_column][df[date_column].duplicated(keep=False)]
    if len(dup):
        shown = ", ".join(sorted({_show_label(v) for v in dup})[:5])
        raise InputError(f"{what} has repeated dates ({shown}), so the order of those rows is ambiguous; "
                         "expected one row per date. Aggregate them first (e.g. one mean per date).")
    if not df[date_column].is_monotonic_increasing:
        notes.append(f"Rows sorted by {date_column} (the file was not in date order).")
    df = df.sort_values(date_column, kind="stable")
    idx = pd.Index(df[date_column].to_numpy(), name=date_column)
    if pd.api.types.is_integer_dtype(df[date_column].dtype):
        idx = pd.Index(df[date_column].astype("int64").to_numpy(), name=date_column)
    return df.set_index(idx)


#: Series at least this long get a progress bar (on stderr) for Bai-Perron's dynamic
#: programme: from here on it runs for more than a few seconds.
PROGRESS_MIN_N = 5_000


@contextmanager
def _dp_progress(n: int) -> Iterator[Callable[[int, int], None] | None]:
    """A progress callback drawing a transient bar on stderr for long series (None for short ones).

    The bar starts at the first report, so a refusal before the search draws nothing.
    """
    if n < PROGRESS_MIN_N:
        yield None
        return
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    prog = Progress(TextColumn("Bai-Perron: searching break dates"), BarColumn(), TimeRemainingColumn(),
                    console=err_console, transient=True)
    task: list[Any] = []

    def update(done: int, total: int) -> None:
        if not task:
            prog.start()
            task.append(prog.add_task("dp", total=total))
        prog.update(task[0], completed=done, total=total)

    try:
        yield update
    finally:
        if task:
            prog.stop()


def _show_label(v: Any) -> str:
    return str(v.date()) if isinstance(v, pd.Timestamp) and v == v.normalize() else str(v)


def _series(csv: Path, column: str, date_column: str | None, regressors: str | None, trend: bool,
            constant: bool, date_format: str | None = None,
            notes: list[str] | None = None) -> tuple[pd.Series, Any]:
    from llmflation.validate import dropped_note

    notes = [] if notes is None else notes
    df = read_user_csv(csv, "--csv", columns=(column,))
    cols = [column] + ([date_column] if date_column else [])
    regs = [c.strip() for c in regressors.split(",") if c.strip()] if regressors else []
    miss = [c for c in cols + regs if c not in df.columns]
    if miss:
        raise InputError(f"columns {miss} not in {csv.name}; available: {list(df.columns)}.")
    if date_column:
        df = _order_by_dates(df, date_column, date_format, notes)
    else:
        notes.append("No --date-column: the rows are taken in file order.")
    for c in [column, *regs]:
        num = pd.to_numeric(df[c], errors="coerce")
        bad = num.isna() & df[c].notna()
        if bad.any():
            where = ", ".join(_show_label(v) for v in df.index[bad][:5])
            raise InputError(f"column {c!r} has non-numeric values {df.loc[bad, c].head(3).tolist()} (rows {where}); "
                             "expected numbers. Fix or blank those cells.")
        df[c] = num
    keep = df[[column, *regs]].dropna()
    note = dropped_note({f"missing {column}" if not regs else "missing value": len(df) - len(keep)})
    if note:
        notes.append(note)
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


def _label(value: str | None, index: pd.Index, date_format: str | None = None,
           notes: list[str] | None = None) -> Any:
    if value is None:
        return None
    if isinstance(index, pd.DatetimeIndex):
        from llmflation.validate import check_date

        try:
            key = check_date(value, "--break-at")
        except InputError:
            if date_format is None:
                raise
            key = check_date(value, "--break-at", date_format=date_format)
        if key not in index and notes is not None:
            before = index[index <= key]
            used = _show_label(before[-1]) if len(before) else None
            notes.append(f"--break-at {value} is not a date of the data; "
                         + (f"used the last observation on or before it, {used}." if used else
                            "it is before the first observation."))
        return key
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
        csv: Path = typer.Option(None, "--csv", help="CSV with one row per observation (sorted by --date-column; "
                                 "without it, taken in file order)."),
        column: str = typer.Option(None, "--column", help="Column of the series to test."),
        date_column: str = typer.Option(None, "--date-column", help="Column of dates (ISO YYYY-MM-DD, or see "
                                        "--date-format) or numbers such as years; rows are sorted by it."),
        date_format: str = typer.Option(None, "--date-format", help="strftime format of --date-column, e.g. "
                                        "%d/%m/%Y, or unix (seconds); default: ISO only."),
        method: str = typer.Option("bai-perron", "--method", help="chow, supf, bai-perron or cusum."),
        break_at: str = typer.Option(None, "--break-at", help="Chow: label of the last observation before the break."),
        regressors: str = typer.Option(None, "--regressors", help="Regressor columns, comma-separated (default: mean only)."),
        no_constant: bool = typer.Option(False, "--no-constant", help="Do not add a constant to --regressors."),
        trend: bool = typer.Option(False, "--trend", help="Regress on a constant and a linear trend."),
        trim: float = typer.Option(0.15, "--trim", help="Trimming / minimum segment fraction."),
        max_breaks: int = typer.Option(5, "--max-breaks", help="Bai-Perron: largest number of breaks."),
        criterion: str = typer.Option("bic", "--criterion", help="Bai-Perron: bic, lwz or sequential."),
        n_breaks: int = typer.Option(None, "--n-breaks", help="Bai-Perron: report this number of breaks."),
        max_n: int = typer.Option(None, "--max-n", help="Bai-Perron: largest series accepted (default 20,000; "
                                  "the work grows as n²)."),
        cov: str = typer.Option("ols", "--cov", help="ols or hac (Newey-West)."),
        kind: str = typer.Option("ols", "--kind", help="CUSUM: ols or rec."),
        table: str = typer.Option("breaks", "--table", help="Bai-Perron csv/json: breaks, fit, sequential or coef."),
        llm_prices: bool = typer.Option(False, "--llm-prices", help="Run the tests on the bundled LLM price series."),
        no_panel: bool = typer.Option(False, "--no-panel", help="--llm-prices: skip the panel-based series."),
        db: Path | None = StudyDbOpt,
        fmt: Format = FormatOpt,
    ) -> None:
        """Structural-break tests (Chow, sup-F, Bai-Perron, CUSUM) on a CSV column or LLM prices."""
        check_choice("method", method, METHODS)
        check_choice("table", table, TABLES)
        if llm_prices:
            if csv is not None:
                raise InputError("--llm-prices and --csv are exclusive; use one.")
            from llmflation.study.api import Study
            from llmflation.study.breaks import PAPER_BREAK

            res = Study.from_inputs(study_inputs(db)).llm_price_breaks(
                break_at=break_at or PAPER_BREAK, trim=trim, max_breaks=min(max_breaks, 5), use_panel=not no_panel)
            if fmt == Format.table:
                emit(pd.DataFrame({"verdict": list(res.verdict)}), fmt, title="What the data say")
            emit(res.wide(), fmt, title=res.title, notes=[*res.notes, f"Data vintage: {res.vintage}"],
                 extra={"title": res.title, "verdict": list(res.verdict), "paper_value": res.paper_value,
                        "notes": list(res.notes), "vintage": res.vintage} if fmt == Format.json else None)
            return
        if csv is None or column is None:
            raise InputError("give --csv FILE and --column Y (or --llm-prices).")
        from llmflation.methods import breaks as B

        if method == "chow" and break_at is None:
            raise InputError("--method chow needs --break-at LABEL (the last observation before the break).")
        cli_notes: list[str] = []
        y, X = _series(csv, column, date_column, regressors, trend, not no_constant, date_format, cli_notes)
        label = _label(break_at, y.index, date_format, cli_notes) if method == "chow" else None
        for n in cli_notes:
            typer.echo(f"Note: {n}", err=True)
        if method == "chow":
            if break_at is None:
                raise InputError("--method chow needs --break-at LABEL (the last observation before the break).")
            emit_result(B.chow_test(y, X, break_at=label, cov=cov), fmt, notes=cli_notes)  # type: ignore[arg-type]
        elif method == "supf":
            emit_result(B.sup_f_test(y, X, trim=trim, cov=cov), fmt, notes=cli_notes)  # type: ignore[arg-type]
        elif method == "cusum":
            emit_result(B.cusum_test(y, X, kind=kind), fmt, notes=cli_notes)  # type: ignore[arg-type]
        else:
            with _dp_progress(len(y)) as progress:
                r = B.bai_perron(y, X, max_breaks=max_breaks, trim=trim, criterion=criterion,  # type: ignore[arg-type]
                                 cov=cov, n_breaks=n_breaks, max_n=max_n, progress=progress)  # type: ignore[arg-type]
            frames = {"breaks": r.wide(), "fit": r.fit_table(), "sequential": r.sequential, "coef": r.coef}
            notes = [*cli_notes, *r.notes, f"Data vintage: {r.vintage}"]
            if fmt == Format.table:
                title = f"{r.title}: {r.n_breaks} break(s) ({r.config['selection']})"
                emit(frames["breaks"], fmt, title=title)
                emit(frames["fit"], fmt, title="Fit by number of breaks (m)")
                emit(frames["sequential"], fmt, title="Sequential sup-F(l+1 | l) tests")
                emit(frames["coef"], fmt, title="Regime coefficients", notes=notes)
            elif fmt == Format.json:
                emit(frames[table], fmt, extra={
                    "title": r.title, "n_breaks": r.n_breaks, "breaks": [_show_label(b) for b in r.breaks],
                    "criterion": r.criterion, "min_size": r.min_size, "notes": notes,
                    **{k: v.to_dict(orient="records") for k, v in frames.items() if k != table}})
            else:
                emit(frames[table], fmt)
