"""`llmflation fetch …` (live price history into the store) and `llmflation discrepancies`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import typer

from llmflation.cli._common import DbOpt, Format, FormatOpt, default_db, emit, err_console
from llmflation.store.fetch import ADAPTERS

fetch_app = typer.Typer(
    help="Record a live (or saved) snapshot of a price source into the store's dated history.",
    no_args_is_help=True,
)

PayloadOpt = typer.Option(None, "--payload", help="Replay a saved response (file) instead of the network.")
ObservedOpt = typer.Option(None, "--observed-at",
                           help="Snapshot date/time (default: a YYYY-MM-DD in the --payload file name, else "
                                "the file's modification time, else now).")
UrlOpt = typer.Option(None, "--url", help="Alternative endpoint URL (a mirror or a local server).")
AttemptsOpt = typer.Option(5, "--attempts", min=1, help="Requests at most (retries use backoff with jitter).")
TimeoutOpt = typer.Option(30.0, "--timeout", min=0.001, help="Seconds per request.")
MaxTimeOpt = typer.Option(120.0, "--max-time", min=0.001,
                          help="Seconds for the whole fetch: all attempts, redirects, slow bodies and waits.")
MaxBytesOpt = typer.Option("200MB", "--max-bytes",
                           help="Largest response accepted, also once decompressed (e.g. 500KB, 200MB, 1GB).")
ShrinkOpt = typer.Option(False, "--allow-shrink",
                         help="Record a snapshot listing fewer than half of the models open in the store "
                              "(refused by default: usually a truncated response).")


def _run(source: str, payload: Path | None, observed_at: str | None, url: str | None, attempts: int,
         timeout: float, max_time: float, db: Path | None, fmt: Format, max_bytes: str = "200MB",
         allow_shrink: bool = False) -> None:
    from llmflation.sources.http import RetryPolicy, parse_size
    from llmflation.store.fetch import fetch

    policy = RetryPolicy(max_attempts=attempts, timeout=timeout, max_total=max_time,
                         max_bytes=parse_size(max_bytes))

    def on_retry(attempt: int, why: str, delay: float) -> None:
        err_console.print(f"{source}: attempt {attempt} failed ({why}); retrying in {delay:.1f} s",
                          markup=False, highlight=False, soft_wrap=True)

    path = db or default_db()
    rep = fetch(path, source, payload=payload, observed_at=observed_at, url=url, policy=policy,
                on_retry=on_retry, allow_shrink=allow_shrink)
    notes = [f"store: {path}", *rep.notes]
    out = rep.to_frame()
    if fmt == Format.table:  # one record: show it as field / value lines
        out = pd.DataFrame({"field": out.columns, "value": [str(v) for v in out.iloc[0]]})
    # emit escapes the title and the notes itself: "a[/dim]b" prints as written (escaping here would double it)
    emit(out, fmt, title=f"fetch {source}: {rep.status}", notes=notes,
         extra={"notes": notes} if fmt == Format.json else None)


def _command(source: str) -> Callable[..., None]:
    def command(payload: Path | None = PayloadOpt, observed_at: str | None = ObservedOpt, url: str | None = UrlOpt,
                attempts: int = AttemptsOpt, timeout: float = TimeoutOpt, max_time: float = MaxTimeOpt,
                db: Path | None = DbOpt, fmt: Format = FormatOpt, max_bytes: str = MaxBytesOpt,
                allow_shrink: bool = ShrinkOpt) -> None:
        _run(source, payload, observed_at, url, attempts, timeout, max_time, db, fmt, max_bytes, allow_shrink)

    command.__name__ = command.__qualname__ = source.replace("-", "_")
    return command


for _name, _adapter in ADAPTERS.items():  # one command per source of the registry, its description as help
    fetch_app.command(_name, help=_adapter.description)(_command(_name))


@fetch_app.command("log")
def log(source: str | None = typer.Option(None, "--source", help="Only this source."),
        db: Path | None = DbOpt, fmt: Format = FormatOpt) -> None:
    """The fetched snapshots recorded in the store, newest first."""
    from llmflation.errors import InputError
    from llmflation.store import Store
    from llmflation.store.history import fetch_log

    path = db or default_db()
    if not Path(path).exists():
        raise InputError(f"no store at {path}; run `llmflation fetch openrouter` (or `llmflation ingest`) first.")
    with Store(path, read_only=True) as store:
        emit(fetch_log(store, source), fmt, title=f"fetched snapshots in {path}")


def register(app: typer.Typer) -> None:
    app.add_typer(fetch_app, name="fetch")

    @app.command("discrepancies")
    def discrepancies(on: str | None = typer.Option(None, "--on", help="Date YYYY-MM-DD (default: the date "
                                                    "with the most offers priced by two or more sources)."),
                      threshold: float = typer.Option(0.01, "--threshold", min=0.0,
                                                      help="Relative gap that counts (0.01 = 1%)."),
                      sources: str | None = typer.Option(None, "--sources",
                                                         help="Comma-separated sources, e.g. openrouter,litellm."),
                      match: str = typer.Option("offer", "--match", help="offer (model+provider) or model."),
                      window_days: int = typer.Option(0, "--window-days", min=0,
                                                      help="Let a price count this many days after it was "
                                                           "last seen."),
                      db: Path | None = DbOpt, fmt: Format = FormatOpt) -> None:
        """Models whose price differs between sources on the same date, with both values."""
        from llmflation.panel.build import load_panel
        from llmflation.panel.discrepancies import discrepancies as find

        path = db or default_db()
        if Path(path).exists():
            from llmflation.store import Store

            with Store(path, read_only=True) as store:
                panel = load_panel(store=store, warn=False)
        else:
            panel = load_panel(warn=False)
        src = [s.strip() for s in sources.split(",") if s.strip()] if sources else None
        res = find(panel, on=on, threshold=threshold, sources=src, match=match,  # type: ignore[arg-type]
                   window_days=window_days)
        out = res.to_frame()
        out["on"] = pd.to_datetime(out["on"]).dt.date
        notes = list(res.notes)
        emit(out, fmt, title=res.title, notes=notes,
             extra={"title": res.title, "on": res.on.date(), "notes": notes} if fmt == Format.json else None)
