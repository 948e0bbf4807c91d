"""Price-dynamics commands: `trend`, `decline`, `premium`, `threshold`, `forecast`."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Any

import pandas as pd
import typer

from llmflation.cli._common import (
    DbOpt,
    Format,
    FormatOpt,
    StudyDbOpt,
    emit,
    emit_result,
    load_panel_for,
    read_user_csv,
    resolve_db,
    study_inputs,
)


class Data(StrEnum):
    panel = "panel"
    milestones = "milestones"
    cross_section = "cross-section"


DataOpt = typer.Option(Data.panel, "--data", help="Prices: the canonical panel, the curated milestones, or the "
                       "OpenRouter cross-section of --snapshot (survivor prices; shows no decline).")
SnapshotOpt = typer.Option("2026-03-28", "--snapshot", help="OpenRouter snapshot date for --data cross-section.")
CsvOpt = typer.Option(None, "--csv", help="Your own CSV of dated prices (one row per observation).")
DateColOpt = typer.Option(None, "--date-column", help="Date column of --csv (ISO YYYY-MM-DD or whole years; "
                          "see --date-format).")
DateFmtOpt = typer.Option(None, "--date-format", help="strftime format of --date-column, e.g. %d/%m/%Y, or unix "
                          "(seconds); default: unambiguous formats only.")
PriceColOpt = typer.Option(None, "--price-column", help="Price column of --csv (USD per million tokens).")


def _load(data: Data, snapshot: str, db: Path | None = None) -> tuple[Any, pd.DataFrame, dict[str, Any]]:
    """The study (``lf.Study`` on the store of --db), its prices of ``--data`` and the options that fit them."""
    from llmflation.study.api import Study

    study = Study.from_inputs(study_inputs(db))
    frame, kw = study.prices(data.value, snapshot=snapshot)
    return study, frame, kw


def _read_csv(path: Path, date_column: str | None, price_column: str | None) -> pd.DataFrame:
    from llmflation.errors import InputError

    if not date_column or not price_column:
        raise InputError("--csv needs --date-column and --price-column (e.g. --date-column date "
                         "--price-column usd_per_mtok).")
    df = read_user_csv(path, "--csv", columns=(date_column, price_column))
    df.attrs["vintage"] = f"user data ({path.name})"
    return df


def register(app: typer.Typer) -> None:
    @app.command("trend")
    def trend(
        by: str = typer.Option(None, "--by", help="Group column: tier (default for the panel), any column, or all."),
        tiers: str = typer.Option(None, "--tiers", help="Tier definition: positioning, price_band or capability."),
        price: str = typer.Option("blended", "--price", help="blended (3:1), input or output."),
        observations: str = typer.Option(None, "--observations", help="changes (default), launch or rows."),
        level: float = typer.Option(0.95, "--level", help="Confidence level."),
        n_boot: int = typer.Option(2000, "--n-boot", help="Bootstrap resamples (0 = none)."),
        seed: int = typer.Option(0, "--seed", help="Random seed of the bootstrap."),
        cluster: str = typer.Option("auto", "--cluster", help="Standard errors clustered by model: auto (when "
                                    "there is a model column), model, or none (classical OLS)."),
        data: Data = DataOpt, snapshot: str = SnapshotOpt,
        csv: Path = CsvOpt, date_column: str = DateColOpt, price_column: str = PriceColOpt,
        date_format: str = DateFmtOpt,
        db: Path | None = StudyDbOpt,
        fmt: Format = FormatOpt,
    ) -> None:
        """Exponential price trend per group: factor per year, half-life, CIs, R², Moore test."""
        import llmflation as lf

        if csv is not None:
            resolve_db(db)  # a --db that is no store is refused here too
            frame, kw = _read_csv(csv, date_column, price_column), {"observations": "rows", "date_col": date_column,
                                                                   "price_col": price_column,
                                                                   "date_format": date_format}
            by = by or "all"
            fit: Any = lf.price_trend  # the user's data: the pure function
        else:
            study, frame, kw = _load(data, snapshot, db)
            by = by or "tier"
            fit = study.price_trend
        if observations:
            kw["observations"] = observations
        r = fit(frame, by=None if by == "all" else by, tiers=tiers, price=price, level=level,
                n_boot=n_boot, seed=seed, cluster=cluster, **kw)
        notes = list(r.notes) + [f"Data vintage: {r.vintage}"]
        if csv is not None:
            for n in r.notes:
                if " dropped: " in n:
                    typer.echo(f"Note: {n}", err=True)
        table = r.wide()
        if fmt == Format.table:
            table = table[["group", "n", "start_date", "end_date", "factor_per_year", "factor_conf_low",
                           "factor_conf_high", "half_life_years", "half_life_conf_low", "half_life_conf_high",
                           "r_squared", "moore_p_value", "se_type"]]
        emit(table, fmt, title=r.title, notes=notes,
             extra={"title": r.title, "notes": notes, "config": r.config} if fmt == Format.json else None)

    @app.command("decline")
    def decline(
        start: str = typer.Option("2020-01-01", "--start", help="Start date."),
        end: str = typer.Option("2026-03-28", "--end", help="End date."),
        capability: str = typer.Option("eci", "--capability", help="Score column for constant capability."),
        window_days: float = typer.Option(365.0, "--window-days", help="How long a price counts as available."),
        data: Data = DataOpt, snapshot: str = SnapshotOpt, db: Path | None = StudyDbOpt, fmt: Format = FormatOpt,
    ) -> None:
        """Fall in price between two dates: endpoint ratio, trend factor, constant capability."""
        study, frame, kw = _load(data, snapshot, db)
        kw.pop("date_col", None)
        emit_result(study.total_decline(frame, start=start, end=end, capability=capability, window_days=window_days,
                                        **kw), fmt)

    @app.command("premium")
    def premium(
        price: str = typer.Option("blended", "--price", help="blended (3:1), input or output."),
        capability: str = typer.Option(None, "--capability", help="Score column to control for (e.g. eci)."),
        tiers: str = typer.Option(None, "--tiers", help="Tier definition for the flagship comparison."),
        data: Data = DataOpt, snapshot: str = SnapshotOpt, db: Path | None = StudyDbOpt, fmt: Format = FormatOpt,
    ) -> None:
        """Reasoning vs non-reasoning price ratio (raw, matched, regression) and the flagship R²."""
        study, frame, kw = _load(data, snapshot, db)
        obs = "rows" if kw.get("observations") == "rows" else "launch"
        r = study.reasoning_premium(frame, price=price, capability=capability, tiers=tiers, observations=obs,
                                    date_col=kw.get("date_col"))
        emit_result(r, fmt)
        if fmt == Format.table:
            emit(r.flagship, fmt, title="Flagship trend with and without reasoning models (paper R² = 0.031)")

    @app.command("threshold")
    def threshold(
        benchmark: str = typer.Option("MMLU", "--benchmark", help="Score column (Epoch data: MMLU, GPQA Diamond, "
                                      "MATH-500, MATH 5, HumanEval, LMSys Chatbot Arena ELO; panel: GPQA Diamond, "
                                      "MATH 5, MMLU, ECI, …)."),
        source: str = typer.Option("epoch", "--source", help="epoch (Epoch's inputs, to Feb 2025) or panel "
                                   "(our dated prices joined to Epoch benchmark scores)."),
        thresholds: str = typer.Option("frontier", "--thresholds", help="frontier, or comma-separated scores."),
        since: str = typer.Option(None, "--since", help="Only prices dated on or after."),
        until: str = typer.Option(None, "--until", help="Only prices dated on or before."),
        level: float = typer.Option(0.90, "--level", help="Confidence level (Epoch: 0.90)."),
        csv: Path = CsvOpt, date_column: str = DateColOpt, price_column: str = PriceColOpt,
        model_column: str = typer.Option(None, "--model-column", help="Model column of --csv."),
        db: Path | None = StudyDbOpt,
        fmt: Format = FormatOpt,
    ) -> None:
        """Epoch AI's method: decline of the cheapest price above each capability threshold."""
        from llmflation.errors import InputError
        from llmflation.study import threshold as th

        try:
            thr: Any = "frontier" if thresholds == "frontier" else [float(v) for v in thresholds.split(",")]
        except ValueError:
            raise InputError(f"--thresholds {thresholds!r} is not 'frontier' or comma-separated scores; expected "
                             "e.g. --thresholds 60,70,80.") from None
        kw: dict[str, Any] = {"benchmark": benchmark, "thresholds": thr, "since": since, "until": until,
                              "level": level}
        if csv is not None:
            resolve_db(db)  # a --db that is no store is refused here too
            frame = _read_csv(csv, date_column, price_column)
            r = th.cheapest_above_threshold(frame, date_col=date_column, price_col=price_column,
                                            model_col=model_column, **kw)
        elif source in ("epoch", "panel"):
            from llmflation.study.api import Study

            r = Study.from_inputs(study_inputs(db)).cheapest_above_threshold(source=source, **kw)
        else:
            raise InputError(f"--source {source!r} is not allowed; expected one of: 'epoch', 'panel'.")
        if r.trends.empty:  # an empty table with exit 0 says nothing: refuse with the reasons
            raise InputError(next((n for n in r.notes if n.startswith("No threshold series")),
                                  "no threshold series could be fitted") + " (CLI: --since/--until, --thresholds).")
        emit_result(r, fmt)

    @app.command("forecast")
    def forecast(
        until: str = typer.Option("2027-12-31", "--until", help="Forecast horizon."),
        target: list[float] = typer.Option(None, "--target", help="Target price(s), USD per million tokens: "
                                           "when does the trend reach it? Repeatable."),
        by: str = typer.Option("tier", "--by", help="Group column, or all."),
        tiers: str = typer.Option(None, "--tiers", help="Tier definition: positioning, price_band or capability."),
        capability: str = typer.Option(None, "--capability", help="Instead of tiers: forecast the cheapest price "
                                       "above Epoch's thresholds on this benchmark (e.g. MMLU)."),
        level: float = typer.Option(0.95, "--level", help="Interval level."),
        data: Data = DataOpt, snapshot: str = SnapshotOpt, db: Path | None = StudyDbOpt, fmt: Format = FormatOpt,
    ) -> None:
        """Price per tier at a horizon with a prediction interval; dates trends reach target prices."""
        if capability:
            from llmflation.study.api import Study

            r = Study.from_inputs(study_inputs(db)).forecast(capability=capability, until=until,
                                                             target_prices=target or None, level=level)
        else:
            study, frame, kw = _load(data, snapshot, db)
            r = study.forecast(frame, until=until, target_prices=target or None, level=level,
                               by=None if by == "all" else by, tiers=tiers, **kw)
        if fmt == Format.table:
            emit(r.prices, fmt, title=f"Price at {r.horizon.date()} (USD per million tokens; "
                 f"{int(round(100 * level))}% prediction interval pi_*)")
            if len(r.crossings):
                cr = r.crossings.copy()
                for c in ("date", "conf_low", "conf_high"):
                    cr[c] = pd.to_datetime(cr[c]).dt.date
                emit(cr, fmt, title="Date the trend reaches each target price (Fieller interval; empty = unbounded)")
            for n in list(r.notes) + [f"Data vintage: {r.vintage}"]:
                typer.echo(n)
        else:
            emit_result(r, fmt)

    @app.command("price")
    def price_cmd(
        model: str = typer.Argument(..., help="Vendor API id or alias, e.g. gpt-4o, deepseek-chat, "
                                    "claude-3-5-haiku-20241022."),
        on: str = typer.Option(..., "--on", help="Date YYYY-MM-DD."),
        provider: str = typer.Option("first-party", "--provider", help="first-party (the developer's own API "
                                     "price) or a provider slug (openrouter, azure, bedrock …)."),
        db: Path | None = DbOpt,
        fmt: Format = FormatOpt,
    ) -> None:
        """The price of a model on a date: input, output, cached input (USD per 1M tokens), interval, source."""
        from llmflation.panel.lookup import parse_iso_date, price_on

        parse_iso_date(on, "--on")
        # the store of --db, $LLMFLATION_DB or the user-data store, as every command reads it;
        # a first-party lookup reads the store's tables (no panel is built)
        path = resolve_db(db)
        if provider == "first-party" and path is not None:
            from llmflation.store import Store

            with Store(path, read_only=True) as store:
                r = price_on(model, on=on, provider=provider, store=store)
        else:
            panel = load_panel_for(db) if provider != "first-party" else None
            r = price_on(model, on=on, provider=provider, panel=panel)
        if fmt == Format.table:
            row = r.wide().iloc[0]
            emit(pd.DataFrame({"field": row.index, "value": [_show(v) for v in row]}), fmt, title=r.title,
                 notes=list(r.notes) + [f"Data vintage: {r.vintage}"])
        else:
            emit_result(r, fmt)


def _show(v: Any) -> str:
    if isinstance(v, float):
        return "" if v != v else f"{v:g}"
    return "" if v is None else str(v)
