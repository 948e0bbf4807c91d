"""The DuckDB store: the only module that imports duckdb.

Price history is stored as intervals (see ``sql/001_price_intervals.sql``). Migrations
are the ``sql/NNN_*.sql`` files, applied in order and recorded in ``schema_migrations``.
Writes of one snapshot happen in one transaction, so a failed or killed write leaves the
previous complete state. DuckDB allows one writing process per file: a second writer gets
:class:`~llmflation.errors.StoreLockedError`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from llmflation.errors import StoreError, StoreLockedError

INTERVAL_COLUMNS = [
    "source", "source_key", "provider", "valid_from", "valid_to", "observed_at", "input_usd_per_mtok",
    "output_usd_per_mtok", "cache_read_usd_per_mtok", "context_tokens", "model_name", "author",
    "reasoning_flag", "listed_date", "n_obs", "origin", "is_open",
]
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


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
        Open without taking the write lock.

    Examples
    --------
    >>> s = Store.memory()
    >>> s.count("price_intervals")
    0
    >>> s.close()
    """

    def __init__(self, path: str | Path, *, read_only: bool = False):
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        try:
            self.con = duckdb.connect(self.path, read_only=read_only)
        except duckdb.IOException as exc:
            if "lock" in str(exc).lower():
                raise StoreLockedError(
                    f"store {self.path} is locked by another process (seen: {exc}). Wait for the other "
                    "llmflation command to finish, or use a different --db path."
                ) from None
            raise StoreError(f"cannot open store {self.path}: {exc}. Check the path or delete a corrupt file.") from None
        except duckdb.Error as exc:
            raise StoreError(f"cannot open store {self.path}: {exc}. The file may not be a DuckDB database.") from None
        if not read_only:
            self.migrate()

    @classmethod
    def memory(cls) -> Store:
        """An in-memory store (for tests and notebooks)."""
        return cls(":memory:")

    # ------------------------------------------------------------------ basics
    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def migrate(self) -> list[int]:
        """Apply pending migrations in order; return the versions applied."""
        self.con.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
                         "name VARCHAR NOT NULL, applied_at TIMESTAMP DEFAULT current_timestamp)")
        done = {r[0] for r in self.con.execute("SELECT version FROM schema_migrations").fetchall()}
        applied = []
        for version, name, sql in _migrations():
            if version in done:
                continue
            with self.transaction():
                self.con.execute(sql)
                self.con.execute("INSERT INTO schema_migrations (version, name) VALUES (?, ?)", [version, name])
            applied.append(version)
        return applied

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
        """Run a parameterised query and return a DataFrame."""
        return self.con.execute(sql, list(params or [])).df()

    def count(self, table: str) -> int:
        """Number of rows of a table."""
        if not _IDENT.match(table):
            raise StoreError(f"invalid table name {table!r}; expected letters, digits and underscores.")
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
        with self.transaction() as con:
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
        sql = f"SELECT {', '.join(map(quote_ident, INTERVAL_COLUMNS))} FROM price_intervals"
        params: list[Any] = []
        if origin is not None:
            sql += " WHERE origin = ?"
            params.append(origin)
        df = self.query(sql + " ORDER BY source, source_key, provider, valid_from", params)
        for c in ("valid_from", "valid_to", "listed_date"):
            df[c] = pd.to_datetime(df[c])
        return df

    def history(self, source_keys: Sequence[str]) -> pd.DataFrame:
        """Every stored interval of the given source keys."""
        if not source_keys:
            return pd.DataFrame(columns=INTERVAL_COLUMNS)
        marks = ", ".join("?" for _ in source_keys)
        return self.query(f"SELECT * FROM price_intervals WHERE source_key IN ({marks}) "
                          "ORDER BY valid_from, source, provider", list(source_keys))
