"""The DuckDB store: the only module that imports duckdb.

Price history is stored as intervals (see ``sql/001_price_intervals.sql``). Migrations
are the ``sql/NNN_*.sql`` files, applied in order and recorded in ``schema_migrations``.
Writes of one snapshot happen in one transaction, so a failed or killed write leaves the
previous complete state. DuckDB allows one writing process per file, or many reading
ones: opening waits (bounded by ``lock_timeout``) while another process uses the file, as
described in :mod:`llmflation.store.lock`, then raises
:class:`~llmflation.errors.StoreLockedError`.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from llmflation.errors import InputError, StoreError
from llmflation.store import lock as store_lock
from llmflation.store.queries import has_table

if TYPE_CHECKING:  # pandas is imported where a frame is made: opening a store does not need it
    import pandas as pd

INTERVAL_COLUMNS = [
    "source", "source_key", "provider", "valid_from", "valid_to", "observed_at", "input_usd_per_mtok",
    "output_usd_per_mtok", "cache_read_usd_per_mtok", "context_tokens", "model_name", "author",
    "reasoning_flag", "listed_date", "n_obs", "origin", "is_open",
]
#: The earliest date an LLM price snapshot may carry (:data:`llmflation.validate.PRICE_DATE_MIN`,
#: the bound of every LLM price date); fetched rows dated earlier (or later than tomorrow)
#: are refused on read.
EARLIEST_OBSERVED: datetime = datetime(2015, 1, 1)  # == validate.PRICE_DATE_MIN (tests/test_lookup_index.py)
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
CORRUPT_HINT = ("The file looks corrupt: restore it from a backup, or move it away and rebuild it with "
                "`llmflation ingest` (fetched history in it is then lost), or use a different --db path.")


def _version() -> str:
    try:
        from importlib.metadata import version

        return f"version {version('llmflation')}"
    except Exception:  # noqa: BLE001 - metadata missing in a source checkout
        return "this version"


def _store_path(path: object) -> str:
    """The store path as text, or :class:`InputError` for anything that is not a path."""
    if isinstance(path, bytes) or not isinstance(path, (str, os.PathLike)):
        raise InputError(f"Store() needs a file path, got {type(path).__name__} {path!r}; expected a str or "
                         "pathlib.Path such as 'prices.duckdb' (or ':memory:'). Pass a path, or use "
                         "Store.memory() for an in-memory store.")
    text = os.fspath(path)
    if not isinstance(text, str) or not text.strip():
        raise InputError(f"Store() needs a non-empty file path, got {path!r}; expected e.g. 'prices.duckdb'. "
                         "Pass a path, or use Store.memory().")
    if Path(text).is_dir():
        raise InputError(f"store path {text} is a folder; expected a database file such as "
                         f"{Path(text) / 'llmflation.duckdb'}. Pass a file path to --db.")
    return text


def quote_ident(name: str) -> str:
    """Quote an SQL identifier (table/column name) for DuckDB.

    Examples
    --------
    >>> quote_ident("price_intervals")
    '"price_intervals"'
    >>> quote_ident('we"ird')
    '"we""ird"'
    """
    return '"' + str(name).replace('"', '""') + '"'


def _migrations() -> list[tuple[int, str, str]]:
    files = resources.files("llmflation.store") / "sql"
    out = []
    for f in files.iterdir():
        m = re.match(r"^(\d{3})_(.+)\.sql$", f.name)
        if m:
            out.append((int(m.group(1)), m.group(2), f.read_text()))
    return sorted(out)


class Store:
    """An embedded DuckDB database holding the dated price history.

    Parameters
    ----------
    path : str or Path
        Database file (created with its parent directories if missing).
    read_only : bool
        Open for reading only: readers share the file, a writer waits for them.
    lock_timeout : float, optional
        Seconds to wait while another process uses the file (default
        ``$LLMFLATION_LOCK_TIMEOUT`` or 60); then :class:`~llmflation.errors.StoreLockedError`.

    Examples
    --------
    >>> s = Store.memory()
    >>> s.count("price_intervals")
    0
    >>> s.close()
    """

    def __init__(self, path: str | Path, *, read_only: bool = False, lock_timeout: float | None = None):
        self.path = _store_path(path)
        if not isinstance(read_only, bool):
            raise InputError(f"read_only must be True or False; got {read_only!r} ({type(read_only).__name__}).")
        wait = store_lock.lock_timeout(lock_timeout)
        if self.path != ":memory:" and not read_only:
            try:
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"cannot create the folder of store {self.path} ({exc}). Check the path and its "
                                 "permissions, or use a different --db path.") from None
        start = time.monotonic()
        self._locked = store_lock.acquire(self.path, write=not read_only, timeout=wait)
        try:
            self.con = self._connect(read_only, start + wait, start)
            self.check_schema_version()
            if not read_only:
                self.migrate()
        except BaseException:
            if hasattr(self, "con"):
                self.con.close()
            self._release()
            raise

    def _connect(self, read_only: bool, deadline: float, start: float) -> duckdb.DuckDBPyConnection:
        """Open the file; DuckDB's own lock error (a process outside llmflation's lock) is retried
        until ``deadline``."""
        pause = 0.02
        while True:
            try:
                return duckdb.connect(self.path, read_only=read_only)
            except duckdb.IOException as exc:
                if "lock" not in str(exc).lower():
                    raise StoreError(f"cannot open store {self.path}: {exc}. Check the path or delete a corrupt "
                                     "file.") from None
                if time.monotonic() >= deadline:
                    raise store_lock.locked_error(self.path, time.monotonic() - start,
                                                  str(exc).splitlines()[0]) from None
                time.sleep(pause)
                pause = min(pause * 2, 0.5)
            except duckdb.Error as exc:
                raise StoreError(f"cannot open store {self.path}: {exc}. The file may not be a DuckDB database "
                                 f"or may be corrupt. {CORRUPT_HINT}") from None

    def _release(self) -> None:
        if getattr(self, "_locked", False):
            self._locked = False
            store_lock.release(self.path)

    @classmethod
    def memory(cls) -> Store:
        """An in-memory store (for tests and notebooks)."""
        return cls(":memory:")

    # ------------------------------------------------------------------ basics
    def close(self) -> None:
        """Close the connection and let other processes at the file (idempotent)."""
        try:
            self.con.close()
        finally:
            self._release()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def schema_version(self) -> int | None:
        """Latest migration recorded in the store (``None`` for a store without migrations).

        Examples
        --------
        >>> Store.memory().schema_version() == max(v for v, _, _ in _migrations())
        True
        """
        with self.errors("reading the schema version"):
            has = self.con.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'main' "
                                   "AND table_name = 'schema_migrations'").fetchall()
            if not has or not has[0][0]:
                return None
            row = self.con.execute("SELECT max(version) FROM schema_migrations").fetchall()
        return int(row[0][0]) if row and row[0][0] is not None else None

    @staticmethod
    def latest_schema_version() -> int:
        """The schema version this llmflation writes (its latest migration).

        Examples
        --------
        >>> Store.latest_schema_version() >= 4
        True
        """
        return max(v for v, _, _ in _migrations())

    def check_schema_version(self) -> None:
        """Refuse a store written by a newer llmflation (a schema version above the known migrations).

        Raises
        ------
        StoreError
            Naming the version seen, the version this llmflation supports, and the fix.
        """
        seen = self.schema_version()
        known = max(v for v, _, _ in _migrations())
        if seen is not None and seen > known:
            raise StoreError(
                f"store {self.path} has schema version {seen}, newer than this llmflation ({_version()}) "
                f"supports (up to {known}); it was written by a newer llmflation. Upgrade llmflation "
                "(`pip install -U llmflation`), or use a different --db path.")

    def migrate(self) -> list[int]:
        """Apply pending migrations in order; return the versions applied."""
        self.check_schema_version()
        with self.errors("migrating"):
            self.con.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
                             "name VARCHAR NOT NULL, applied_at TIMESTAMP DEFAULT current_timestamp)")
            done = {r[0] for r in self.con.execute("SELECT version FROM schema_migrations").fetchall()}
            applied = []
            for version, name, sql in _migrations():
                if version in done:
                    continue
                with self.transaction():
                    self.con.execute(sql)
                    self.con.execute("INSERT INTO schema_migrations (version, name) VALUES (?, ?)",
                                     [version, name])
                applied.append(version)
        return applied

    @contextmanager
    def errors(self, action: str) -> Iterator[None]:
        """Turn a DuckDB error raised inside into :class:`StoreError` naming the store and ``action``.

        Examples
        --------
        >>> s = Store.memory()
        >>> with s.errors("reading"):
        ...     s.con.execute("SELECT * FROM no_such_table")
        Traceback (most recent call last):
        ...
        llmflation.errors.StoreError: reading store :memory: failed (CatalogException: ...
        """
        try:
            yield
        except duckdb.Error as exc:
            text = str(exc).splitlines()[0] if str(exc) else ""
            hint = CORRUPT_HINT if "corrupt" in text.lower() or "checksum" in text.lower() else (
                "Check the store path, or rebuild it with `llmflation ingest`.")
            raise StoreError(f"{action} store {self.path} failed ({type(exc).__name__}: {text}). {hint}") from None

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """One atomic transaction: everything inside commits together or not at all."""
        self.con.execute("BEGIN TRANSACTION")
        try:
            yield self.con
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        else:
            self.con.execute("COMMIT")

    def query(self, sql: str, params: Sequence[Any] | None = None) -> pd.DataFrame:
        """Run a parameterised query and return a DataFrame (DuckDB errors → :class:`StoreError`)."""
        with self.errors("reading"), self.dates_in_range():
            return self.con.execute(sql, list(params or [])).df()

    @contextmanager
    def dates_in_range(self) -> Iterator[None]:
        """Turn pandas' out-of-range date error (a year pandas cannot hold, e.g. 1026, written by
        an older llmflation) into :class:`StoreError` naming the fix."""
        import pandas as pd

        try:
            yield
        except (pd.errors.OutOfBoundsDatetime, OverflowError) as exc:
            raise StoreError(
                f"store {self.path} holds a date pandas cannot represent (seen: {exc}); expected dates between "
                "2015 and today. It was probably recorded with a mistyped --observed-at by an older llmflation. "
                f"Find it with `llmflation fetch list --db {self.path}` and remove it with `llmflation fetch "
                f"drop SNAPSHOT_ID --db {self.path}`, or use a different --db path.") from None

    def count(self, table: str) -> int:
        """Number of rows of a table."""
        if not _IDENT.match(table):
            raise StoreError(f"invalid table name {table!r}; expected letters, digits and underscores.")
        with self.errors("reading"):
            rows = self.con.execute(f"SELECT count(*) FROM {quote_ident(table)}").fetchall()
        return int(rows[0][0]) if rows else 0

    def counts(self) -> dict[str, int]:
        """Row counts of the store's tables."""
        return {t: self.count(t) for t in ("price_intervals", "snapshots", "model_aliases")}

    # ------------------------------------------------------------------ bundled ingest
    def replace_bundled(self, intervals: pd.DataFrame, aliases: pd.DataFrame, snapshot_id: str,
                        progress: Any = None) -> dict[str, int]:
        """Replace the bundled part of the store in one transaction (idempotent).

        Fetched intervals (``origin = 'fetch'``) are kept.
        """
        import pandas as pd

        iv = intervals.copy()
        iv["origin"] = "bundled"
        iv["is_open"] = False
        for c in INTERVAL_COLUMNS:
            if c not in iv:
                iv[c] = None
        iv = iv[INTERVAL_COLUMNS]
        for c in ("valid_from", "valid_to", "listed_date"):
            iv[c] = pd.to_datetime(iv[c]).dt.date
        iv["observed_at"] = pd.to_datetime(iv["observed_at"])
        iv["reasoning_flag"] = iv["reasoning_flag"].astype("boolean")
        iv = iv.drop_duplicates(["source", "source_key", "provider", "valid_from"], keep="last")
        al = aliases.drop_duplicates(["source", "source_key"])
        with self.errors("writing the bundled snapshot into"), self.transaction() as con:
            con.execute("DELETE FROM price_intervals WHERE origin = ?", ["bundled"])
            con.execute("DELETE FROM snapshots WHERE origin = ?", ["bundled"])
            con.execute("DELETE FROM model_aliases")
            con.register("_iv", iv)
            con.execute(f"INSERT INTO price_intervals ({', '.join(map(quote_ident, INTERVAL_COLUMNS))}) "
                        f"SELECT {', '.join(map(quote_ident, INTERVAL_COLUMNS))} FROM _iv "
                        "ON CONFLICT DO NOTHING")
            con.unregister("_iv")
            if progress:
                progress(len(iv))
            con.register("_al", al)
            con.execute("INSERT INTO model_aliases SELECT source, source_key, model_id, model_family, developer, "
                        "epoch_model, epoch_link_rule FROM _al")
            con.unregister("_al")
            snaps = iv.groupby("source")["observed_at"].max().reset_index()
            for src, obs in snaps.itertuples(index=False):
                n = int((iv["source"] == src).sum())
                con.execute("INSERT INTO snapshots (source, observed_at, rows, sha256, origin) VALUES (?, ?, ?, ?, ?)",
                            [src, obs.to_pydatetime(), n, snapshot_id, "bundled"])
        return self.counts()

    # ------------------------------------------------------------------ reads
    def price_intervals(self, *, origin: str | None = None) -> pd.DataFrame:
        """Stored price intervals (all, or only ``origin`` = 'bundled' / 'fetch')."""
        import pandas as pd

        self.check_fetched_dates()
        sql = f"SELECT {', '.join(map(quote_ident, INTERVAL_COLUMNS))} FROM price_intervals"
        params: list[Any] = []
        if origin is not None:
            sql += " WHERE origin = ?"
            params.append(origin)
        df = self.query(sql + " ORDER BY source, source_key, provider, valid_from", params)
        with self.dates_in_range():
            for c in ("valid_from", "valid_to", "listed_date"):
                df[c] = pd.to_datetime(df[c])
        return df

    def check_fetched_dates(self) -> None:
        """Refuse a store whose fetched snapshots are dated before 2015-01-01 or after tomorrow.

        Such a snapshot (recorded by an older llmflation from a mistyped ``--observed-at``)
        would stretch intervals over years no LLM was priced, or break every read (a year
        such as 1026 is beyond pandas). The message names the snapshots and the fix.

        Examples
        --------
        >>> Store.memory().check_fetched_dates()
        """
        hi = datetime.now(UTC).replace(tzinfo=None) + timedelta(days=1)
        with self.errors("checking the dates of"):
            if not has_table(self.con, "fetch_snapshots"):
                return
            id_col = "snapshot_id" if self.con.execute(
                "SELECT count(*) FROM information_schema.columns WHERE table_name = 'fetch_snapshots' "
                "AND column_name = 'snapshot_id'").fetchall()[0][0] else "NULL"
            bad = self.con.execute(
                f"SELECT {id_col}, source, strftime(observed_at, '%Y-%m-%d') FROM fetch_snapshots "
                "WHERE observed_at < ? OR observed_at > ? ORDER BY observed_at", [EARLIEST_OBSERVED, hi]).fetchall()
            n_iv = self.con.execute(
                "SELECT count(*) FROM price_intervals WHERE origin = 'fetch' AND (valid_from < ? OR valid_to > ?)",
                [EARLIEST_OBSERVED.date(), hi.date()]).fetchall()[0][0]
        if not bad and not n_iv:
            return
        shown = ", ".join(f"id {i} ({src}, {day})" for i, src, day in bad[:5]) + (" …" if len(bad) > 5 else "")
        fix = (f"Remove it with `llmflation fetch drop SNAPSHOT_ID --db {self.path}` (ids: `llmflation fetch list "
               f"--db {self.path}`)" if bad else "Rebuild the store (its fetched history is dated impossibly)")
        raise StoreError(
            f"store {self.path} holds fetched price history dated outside {EARLIEST_OBSERVED:%Y-%m-%d} → "
            f"{hi:%Y-%m-%d}: {len(bad)} snapshot(s){': ' + shown if bad else ''}, {n_iv} interval(s). Expected "
            "LLM prices observed between 2015 and today; such a snapshot was recorded from a mistyped "
            f"--observed-at by an older llmflation and would skew every analysis. {fix}, or use a different "
            "--db path.")

    def history(self, source_keys: Sequence[str]) -> pd.DataFrame:
        """Every stored interval of the given source keys."""
        import pandas as pd

        if not source_keys:
            return pd.DataFrame(columns=INTERVAL_COLUMNS)
        marks = ", ".join("?" for _ in source_keys)
        return self.query(f"SELECT * FROM price_intervals WHERE source_key IN ({marks}) "
                          "ORDER BY valid_from, source, provider", list(source_keys))
