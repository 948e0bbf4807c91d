"""`llmflation price-index` (index numbers of a CSV) and `llmflation hedonic` (quality-adjusted LLM prices)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pandas as pd
import typer

from llmflation.cli._common import Format, FormatOpt, StudyDbOpt, emit, read_user_csv, study_inputs

_WIDE = "a wide CSV: first column = period, one column per product"


def _read_wide(path: Path, flag: str) -> pd.DataFrame:
    from llmflation.errors import InputError

    if not path.is_file():
        raise InputError(f"{flag} {str(path)!r} is not a file; expected {_WIDE}.")
    df = read_user_csv(path, flag, index_col=0)
    if df.shape[1] == 0:
        raise InputError(f"{flag} {str(path)!r} has no product columns; expected {_WIDE}.")
    dup = df.index[df.index.duplicated()].unique()
    if len(dup):
        raise InputError(f"{flag} {str(path)!r} lists period(s) {', '.join(map(repr, map(str, dup[:5])))} more than "
                         f"once; expected one row per period ({_WIDE}). Merge those rows.")
    return df


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    out = []
    for rec in df.to_dict(orient="records"):
        out.append({k: (None if isinstance(v, float) and math.isnan(v) else (v.item() if hasattr(v, "item") else v))
                    for k, v in rec.items()})
    return out


def register(app: typer.Typer) -> None:
    @app.command("price-index")
    def price_index_cmd(
        prices: Path = typer.Option(..., "--prices", help=f"Prices: {_WIDE}."),
        quantities: Path | None = typer.Option(None, "--quantities", help="Quantities, same layout as --prices "
                                               "(not needed for --formula jevons)."),
        formula: str = typer.Option("fisher", "--formula", help="laspeyres, paasche, fisher, tornqvist or jevons."),
        direct: bool = typer.Option(False, "--direct", help="Fixed base (first period) instead of chained links."),
        fmt: Format = FormatOpt,
    ) -> None:
        """Price index of a CSV of prices (and quantities): chained or direct, first period = 1."""
        from llmflation.errors import InputError, check_choice
        from llmflation.methods.index import FORMULAS, price_index

        check_choice("formula", formula, FORMULAS)
        if quantities is None and formula != "jevons":
            raise InputError(f"--formula {formula} needs --quantities FILE ({_WIDE}, like --prices); only "
                             "--formula jevons works without quantities.")
        p = _read_wide(prices, "--prices")
        q = _read_wide(quantities, "--quantities") if quantities is not None else None
        s = price_index(p, q, formula=formula, chained=not direct)  # type: ignore[arg-type]
        how = f"direct, base {s.index[0]}" if direct else "chained"
        notes = [*s.attrs.get("notes", ()),
                 *([] if direct else ["Each chain link uses the products priced in both adjacent periods."])]
        title = f"{formula.capitalize()} price index ({how})"
        emit(pd.DataFrame({"period": s.index.astype(str), "index": s.to_numpy(dtype=float)}), fmt, title=title,
             notes=notes, extra={"title": title, "formula": formula, "chained": not direct, "notes": notes}
             if fmt == Format.json else None)

    @app.command("hedonic")
    def hedonic_cmd(
        period: str = typer.Option("Q", "--period", help="Period length: M, Q or Y."),
        price: str = typer.Option("blended", "--price", help="blended, input or output."),
        quality: list[str] = typer.Option(["eci"], "--quality", help="Quality column (repeatable)."),
        control: list[str] | None = typer.Option(None, "--control", help="Control column (repeatable; default: "
                                                 "is_reasoning, open_weights, log_context_tokens)."),
        no_controls: bool = typer.Option(False, "--no-controls", help="No control variables."),
        min_obs: int = typer.Option(10, "--min-obs", help="Leave out periods with fewer observations."),
        observations: str = typer.Option("changes", "--observations", help="changes, launch or posted."),
        cov: str = typer.Option("cluster", "--cov", help="Standard errors: cluster (by model) or HC1."),
        n_boot: int = typer.Option(500, "--n-boot", help="Model bootstrap resamples for the matched index."),
        seed: int = typer.Option(0, "--seed", help="Bootstrap seed."),
        show: str = typer.Option("index", "--show", help="Table to print: index, annual or coefficients."),
        db: Path | None = StudyDbOpt,
        fmt: Format = FormatOpt,
    ) -> None:
        """Quality-adjusted (time-dummy hedonic) price index of LLMs beside a matched-model index."""
        import warnings

        from llmflation.errors import check_choice
        from llmflation.study.api import Study

        check_choice("show", show, ("index", "annual", "coefficients"))
        check_choice("period", period, ("M", "Q", "Y"))  # before the panel is loaded
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            study = Study.from_inputs(study_inputs(db))
            study.panel()  # built here, its warnings silenced
        kw: dict[str, Any] = {}
        if no_controls:
            kw["controls"] = ()
        elif control:
            kw["controls"] = tuple(control)
        r = study.hedonic_index(price=price, quality=tuple(quality), period=period, min_obs=min_obs,
                                observations=observations, cov=cov, n_boot=n_boot, seed=seed, **kw)
        frames = {"index": r.wide(), "annual": r.annual, "coefficients": r.coefficients}
        notes = list(r.notes) + [f"Data vintage: {r.vintage}"]
        if fmt == Format.json:
            emit(frames[show], fmt, extra={"title": r.title, "notes": notes, "annual": _records(r.annual)})
            return
        if fmt == Format.table and show == "index":
            emit(r.annual[["term", "estimate", "conf_low", "conf_high", "paper_value"]], fmt,
                 title=f"{r.title} — annual log change (--show annual for details)")
        emit(frames[show], fmt, title=r.title if show != "index" else "Index by period (base = first period)",
             notes=notes)
