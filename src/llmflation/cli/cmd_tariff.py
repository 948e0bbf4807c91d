"""The tariff command: every priced line of a model's first-party tariff (issue 21)."""

from __future__ import annotations

from pathlib import Path

import typer

from llmflation.cli._common import Format, FormatOpt, StudyDbOpt, emit


def register(app: typer.Typer) -> None:
    @app.command("tariff")
    def tariff(model: str = typer.Argument(..., help="API id or alias, e.g. gemini-2.5-pro."),
               on: str | None = typer.Option(None, "--on", help="Only the lines in effect on YYYY-MM-DD."),
               db: Path | None = StudyDbOpt, fmt: Format = FormatOpt) -> None:
        """Every priced line of a model's tariff: long-prompt tiers, time-of-day windows, batch, promotions, sources.

        From the curated first-party table and the vendor rules of
        normalize/tables/tariff_rules.csv (batch = 50% of standard at OpenAI, Anthropic and Google);
        with a store (--db), the lines of the developer's own endpoint in the fetched LiteLLM
        catalogue after the curated table's last date, each dated by its fetch.
        """
        from llmflation.cli._common import parse_iso_day, resolve_db
        from llmflation.panel.cost import tariff_of

        day = parse_iso_day(on, "--on").date().isoformat() if on is not None else None
        path = resolve_db(db)
        if path is None:
            t = tariff_of(model, on=day)
        else:
            from llmflation.store import Store

            with Store(path, read_only=True) as store:
                t = tariff_of(model, on=day, store=store)
        out = t[["valid_from", "valid_to", "service", "line", "tier_label", "window", "promotion", "usd_per_mtok",
                 "source", "source_url"]].copy()
        for c in ("valid_from", "valid_to"):
            out[c] = out[c].dt.date
        out["tier_label"] = out["tier_label"].where(out["tier_label"] != "", "all prompts")
        notes = ["A prompt above a tier's threshold bills the whole request at that tier; windows are UTC; "
                 "batch lines follow the vendor's rule (source_url)."]
        from llmflation.panel.cost import dated_by_of

        dated = [d for d in dict.fromkeys(dated_by_of(str(b)) for b in t["basis"]) if d]
        if dated:
            out["dated_by"] = [dated_by_of(str(b)) for b in t["basis"]]
            notes.append(f"Lines with source litellm come from the store {path}: the developer's own endpoint in the "
                         "fetched LiteLLM catalogue after the curated table's last date (dated_by: the fetch).")
        emit(out.rename(columns={"tier_label": "tier"}), fmt,
             title=f"Tariff of {t['offer'].iloc[0]} (first-party), USD per 1M tokens", notes=notes)
