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
ForceOpt = typer.Option(False, "--force",
                        help="Record a snapshot a sanity check refuses (observed before its own timestamps, or "
                             "most prices moved by one factor: a unit change); needs --reason.")
ReasonOpt = typer.Option(None, "--reason", help="Why --force is right; kept with the snapshot in the store.")
LockOpt = typer.Option(None, "--lock-timeout",
                       help="Seconds to wait while other processes use the store (default: "
                            "$LLMFLATION_LOCK_TIMEOUT or 60).")


def _force_reason(force: bool, reason: str | None) -> str | None:
    from llmflation.errors import InputError

    if reason is not None and not force:
        raise InputError("--reason was given without --force; expected both (--force --reason 'why') to record a "
                         "refused snapshot, or neither.")
    if force and (reason is None or not reason.strip()):
        raise InputError("--force needs --reason 'why' (e.g. --reason 'OpenRouter switched to per-1K prices'); "
                         "the reason is kept with the snapshot in the store.")
    return reason if force else None


def _run(source: str, payload: Path | None, observed_at: str | None, url: str | None, attempts: int,
         timeout: float, max_time: float, db: Path | None, fmt: Format, max_bytes: str = "200MB",
         allow_shrink: bool = False, force: bool = False, reason: str | None = None,
         lock_timeout: float | None = None) -> None:
    from llmflation.sources.http import RetryPolicy, parse_size
    from llmflation.store.fetch import fetch

    force_reason = _force_reason(force, reason)
    policy = RetryPolicy(max_attempts=attempts, timeout=timeout, max_total=max_time,
                         max_bytes=parse_size(max_bytes))

    def on_retry(attempt: int, why: str, delay: float) -> None:
        err_console.print(f"{source}: attempt {attempt} failed ({why}); retrying in {delay:.1f} s",
                          markup=False, highlight=False, soft_wrap=True)

    path = db or default_db()
    rep = fetch(path, source, payload=payload, observed_at=observed_at, url=url, policy=policy,
                on_retry=on_retry, allow_shrink=allow_shrink, force_reason=force_reason, lock_timeout=lock_timeout)
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
                allow_shrink: bool = ShrinkOpt, force: bool = ForceOpt, reason: str | None = ReasonOpt,
                lock_timeout: float | None = LockOpt) -> None:
        _run(source, payload, observed_at, url, attempts, timeout, max_time, db, fmt, max_bytes, allow_shrink,
             force, reason, lock_timeout)

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


def _existing_store(db: Path | None) -> Path:
    from llmflation.errors import InputError

    path = db or default_db()
    if not Path(path).exists():
        raise InputError(f"no store at {path}; expected a store written by `llmflation fetch` (pass --db PATH, or "
                         "set $LLMFLATION_DB).")
    return Path(path)


@fetch_app.command("list")
def list_(source: str | None = typer.Option(None, "--source", help="Only this source."),
          db: Path | None = DbOpt, lock_timeout: float | None = LockOpt, fmt: Format = FormatOpt) -> None:
    """The fetched snapshots with their ids (for `llmflation fetch drop ID`), oldest first."""
    from llmflation.store import Store
    from llmflation.store.history import list_snapshots

    path = _existing_store(db)
    with Store(path, read_only=True, lock_timeout=lock_timeout) as store:
        current = store.schema_version() == store.latest_schema_version()
    # a store from before snapshot ids gets them (a migration) once, so that `drop` can name them
    with Store(path, read_only=current, lock_timeout=lock_timeout) as store:
        emit(list_snapshots(store, source), fmt, title=f"fetched snapshots in {path}",
             notes=["remove one with `llmflation fetch drop ID`"] if fmt == Format.table else None)


@fetch_app.command("drop")
def drop(snapshot_id: str = typer.Argument(..., metavar="SNAPSHOT_ID",
                                           help="Id shown by `llmflation fetch list`."),
         db: Path | None = DbOpt, lock_timeout: float | None = LockOpt, fmt: Format = FormatOpt) -> None:
    """Remove one fetched snapshot and rebuild the intervals it touched (one transaction)."""
    from llmflation.store import Store
    from llmflation.store.history import drop_snapshot

    path = _existing_store(db)
    with Store(path, lock_timeout=lock_timeout) as store:
        res = drop_snapshot(store, snapshot_id)
    out = pd.DataFrame([{"snapshot_id": snapshot_id.strip(), "source": res.source, "status": res.status,
                         "observed_at": res.first_observed, "store": str(path), "what": "; ".join(res.notes)}])
    if fmt == Format.table:  # one record: field / value lines
        out = pd.DataFrame({"field": out.columns, "value": [str(v) for v in out.iloc[0]]})
    emit(out, fmt, title=f"fetch drop {snapshot_id.strip()}: {res.status}")


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
        from llmflation.cli._common import load_panel_for
        from llmflation.panel.discrepancies import discrepancies as find

        panel = load_panel_for(db)  # a named store must exist (issue 23): no silent fall-back to the bundle
        src = [s.strip() for s in sources.split(",") if s.strip()] if sources else None
        res = find(panel, on=on, threshold=threshold, sources=src, match=match,  # type: ignore[arg-type]
                   window_days=window_days)
        out = res.to_frame()
        out["on"] = pd.to_datetime(out["on"]).dt.date
        notes = list(res.notes)
        emit(out, fmt, title=res.title, notes=notes,
             extra={"title": res.title, "on": res.on.date(), "notes": notes} if fmt == Format.json else None)
