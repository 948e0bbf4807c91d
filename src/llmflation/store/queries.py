"""SQL of the store's read queries that also run without pandas (the fast lookup path).

The store modules that return frames (:mod:`llmflation.store.history`) run these same
queries through :meth:`llmflation.store.db.Store.query`; :mod:`llmflation.panel.lookup_index`
runs them on the bare DuckDB connection, so a price lookup never imports pandas.
"""

from __future__ import annotations

from typing import Any


def has_table(con: Any, name: str) -> bool:
    """Whether the store's main schema has table ``name`` (a store from an older version may lack one).

    Examples
    --------
    >>> from llmflation.store import Store
    >>> s = Store.memory()
    >>> has_table(s.con, "price_intervals"), has_table(s.con, "no_such_table")
    (True, False)
    """
    rows = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'main' "
                       "AND table_name = ?", [name]).fetchall()
    return bool(rows and rows[0][0])


def fetched_prices_sql(providers: list[str] | None = None) -> tuple[str, list[Any]]:
    """The query of :func:`fetched_prices` and its parameters (also run without pandas by the fast
    lookup path, :mod:`llmflation.panel.lookup_index`).

    Examples
    --------
    >>> sql, params = fetched_prices_sql(["openai"])
    >>> params, "price_intervals" in sql
    (['openai'], True)
    """
    where, params = "i.origin = 'fetch'", []
    if providers:
        where += f" AND i.provider IN ({', '.join('?' for _ in providers)})"
        params = list(providers)
    sql = f"""
        SELECT i.source, i.source_key, i.provider, i.valid_from, i.valid_to, i.observed_at,
               i.input_usd_per_mtok, i.output_usd_per_mtok, i.cache_read_usd_per_mtok, i.is_open, i.n_obs,
               o.snapshot_id AS opened_snapshot_id, o.observed_at AS opened_at,
               l.snapshot_id AS last_snapshot_id,
               lead(i.valid_from) OVER (PARTITION BY i.source, i.source_key, i.provider
                                        ORDER BY i.valid_from) AS next_from
        FROM price_intervals i
        LEFT JOIN fetch_snapshots o ON o.source = i.source AND o.snapshot_date = i.valid_from
        LEFT JOIN fetch_snapshots l ON l.source = i.source AND l.observed_at = i.observed_at
        WHERE {where}
        ORDER BY i.source, i.source_key, i.provider, i.valid_from"""
    return sql, params


def content_fingerprint(con: Any) -> str:
    """A digest of everything a panel built from the store reads: every row of ``price_intervals``
    (fetched and ingested), the recorded snapshots and the schema version.

    Any fetch, drop, ingest or migration changes it; reading does not. The merged panel of a
    store is cached under it (:func:`llmflation.panel.build.load_panel`), so a lookup after
    the first reads that copy instead of rebuilding the panel.

    Examples
    --------
    >>> from llmflation.store import Store
    >>> s = Store.memory()
    >>> a = content_fingerprint(s.con); a == content_fingerprint(s.con)
    True
    """
    parts = []
    for t in ("price_intervals", "fetch_snapshots", "schema_migrations"):
        if has_table(con, t):  # fixed names: no user text reaches the query
            n, h = con.execute(f"SELECT count(*), coalesce(sum(hash({t})), 0)::VARCHAR FROM {t}").fetchall()[0]
            parts.append(f"{t}:{n}:{h}")
    return "|".join(parts)
