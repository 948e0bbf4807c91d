"""Record snapshots of observations into interval history — set-based SQL, one transaction.

A *snapshot* is everything one source said at one time (``observed_at``). History is
kept per (source, key) as intervals over the source's snapshots:

* a value (price) re-observed unchanged in the next snapshot **extends** its open
  interval (``valid_to`` moves to the new date, ``n_obs`` + 1);
* a changed value **closes** the open interval (``is_open = FALSE``, ``valid_to`` stays the
  last date it was seen) and **opens** a new one;
* a key missing from the snapshot is **closed**, never deleted; if it comes back it
  opens a new interval (its absence breaks the run, as in
  :func:`llmflation.normalize.intervals.observations_to_intervals`).

Dates are days: of several snapshots on one day the last one counts. Recording a later
snapshot of the latest recorded day first undoes that day exactly (intervals opened
that day are dropped, intervals extended or closed by it go back to the previous
snapshot day), then applies the new one. Recording the same snapshot twice (same
``observed_at`` and payload hash) changes nothing. A snapshot older than the latest one
recorded for its source is refused, even when forced: history is written in date order
(inserting a day between recorded ones would need the observations of the days after it,
which intervals no longer hold). Remove later snapshots first (:func:`drop_snapshot`), or
back-fill into a fresh store in date order.

Sanity checks refuse a snapshot unless forced with a reason (kept in ``fetch_snapshots``):
a snapshot time outside 2015-01-01 → tomorrow is refused outright; most prices moving by
one constant factor against the open intervals is a unit change (:func:`unit_factor`).
:func:`drop_snapshot` removes one snapshot and rebuilds the intervals it touched.

Everything — undo, extend, close, open, the snapshot log — runs inside one
:meth:`Store.transaction`, so a failure or a killed process leaves the previous complete
state. The run-length encoding is a window query (gaps-and-islands) in DuckDB, so a
batch of many snapshots (a back-fill) costs a few scans, not a Python loop.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

import duckdb
import numpy as np
import pandas as pd

from llmflation.errors import InputError, StoreError
from llmflation.store.db import EARLIEST_OBSERVED, Store, quote_ident
from llmflation.store.queries import fetched_prices_sql, has_table

Q = quote_ident

#: How far in the future a snapshot time may lie (clock skew between machines): more is
#: refused, since a mistyped year would block every later snapshot of the source.
CLOCK_SKEW = timedelta(days=1)
#: A snapshot must continue (list the key of) at least this share of the source's open
#: intervals, unless ``allow_shrink``: a much smaller response is usually truncated.
MIN_CONTINUED = 0.5
#: A snapshot whose prices moved by one constant factor against the open intervals, for at
#: least this share of the prices both list, is a unit change (per token vs per 1M, cents
#: vs dollars), never a market event: refused unless forced.
UNIT_FACTOR_SHARE = 0.5
#: ... when that factor is at least this far from 1 (×2 or ÷2 or more) ...
UNIT_FACTOR_MIN = 2.0
#: ... and at least this many prices are compared (a tiny catalogue can really move at once).
UNIT_FACTOR_MIN_PRICES = 20
#: Two price ratios within this relative distance count as the same factor.
UNIT_FACTOR_RTOL = 0.005


def utc_now() -> datetime:
    """The current time, naive UTC (the store's convention)."""
    return datetime.now(UTC).replace(tzinfo=None)


def check_not_future(when: datetime | pd.Timestamp, what: str = "observed_at", *,
                     now: datetime | None = None) -> None:
    """Refuse a snapshot time outside :data:`EARLIEST_OBSERVED` → ``now`` + :data:`CLOCK_SKEW` (naive UTC).

    Examples
    --------
    >>> check_not_future(datetime(2026, 1, 2), now=datetime(2026, 1, 1, 12))
    >>> check_not_future(datetime(2062, 1, 1), now=datetime(2026, 1, 1))
    Traceback (most recent call last):
    ...
    llmflation.errors.InputError: observed_at 2062-01-01 00:00:00 is in the future (now is 2026-01-01 00:00:00 UTC; ...
    >>> check_not_future(datetime(2016, 2, 27), now=datetime(2026, 1, 1))
    >>> check_not_future(datetime(1026, 2, 27), now=datetime(2026, 1, 1))
    Traceback (most recent call last):
    ...
    llmflation.errors.InputError: observed_at 1026-02-27 is before 2015-01-01, the earliest date an LLM price snapshot can carry; ...
    """
    now = now or utc_now()
    if when < EARLIEST_OBSERVED:
        raise InputError(
            f"{what} {when.year:04d}-{when.month:02d}-{when.day:02d} is before {EARLIEST_OBSERVED:%Y-%m-%d}, the "
            "earliest date an LLM price "
            f"snapshot can carry; expected a date between {EARLIEST_OBSERVED:%Y-%m-%d} and "
            f"{(now + CLOCK_SKEW):%Y-%m-%d}. Check the date (a typo in the year?) and pass the time the data "
            "was observed, e.g. --observed-at 2026-01-02.")
    if pd.Timestamp(when) > pd.Timestamp(now) + CLOCK_SKEW:
        raise InputError(
            f"{what} {pd.Timestamp(when):%Y-%m-%d %H:%M:%S} is in the future (now is {now:%Y-%m-%d %H:%M:%S} UTC; "
            f"at most {CLOCK_SKEW.days} day of clock skew is allowed). A snapshot dated in the future would "
            "block every later snapshot of the source; check the date (a typo in the year?) and pass the time "
            "the data was observed, e.g. --observed-at 2026-01-02.")


@dataclass(frozen=True)
class HistoryTable:
    """How one interval table is keyed and what counts as a change.

    Attributes
    ----------
    name : str
        Table name (has ``source``, the key columns, ``valid_from``, ``valid_to``,
        ``observed_at``, ``n_obs``, ``origin``, ``is_open``).
    key : tuple of str
        Columns identifying one tracked item within a source.
    compare : tuple of str
        Columns whose change starts a new interval (NULL-safe equality).
    carry : tuple of str
        Columns updated to the latest observed value without starting a new interval.
    """

    name: str
    key: tuple[str, ...]
    compare: tuple[str, ...]
    carry: tuple[str, ...] = ()

    @property
    def columns(self) -> tuple[str, ...]:
        return (*self.key, *self.compare, *self.carry)


#: Prices: a change of the input or output price starts a new interval (as the bundled
#: history built by :func:`llmflation.normalize.intervals.observations_to_intervals`).
PRICE_INTERVALS = HistoryTable(
    "price_intervals", key=("source_key", "provider"),
    compare=("input_usd_per_mtok", "output_usd_per_mtok"),
    carry=("cache_read_usd_per_mtok", "context_tokens", "model_name", "author", "reasoning_flag", "listed_date"),
)

#: Epoch model records: any change of a tracked fact starts a new interval.
EPOCH_MODELS = HistoryTable(
    "epoch_model_history", key=("model",),
    compare=("organization", "publication_date", "domain", "country", "accessibility", "open_weights",
             "frontier_model", "parameters", "training_compute_flop", "training_compute_cost_2023_usd"),
)

#: Tariffs of catalogue entries (LiteLLM): the entry's price/tariff fields as canonical JSON
#: (:func:`llmflation.sources.litellm.tariff_json`); any change of them starts a new interval.
TARIFF_INTERVALS = HistoryTable("tariff_intervals", key=("source_key", "provider"), compare=("entry",))

#: Tables written with a main table from the same observations, in the same transaction:
#: when a batch recorded into the main table also carries a companion's columns (the
#: LiteLLM fetch's ``entry``), the companion gets the same snapshots by the same interval
#: rules, and :func:`drop_snapshot` rebuilds it with the main table.
COMPANIONS: dict[str, tuple[HistoryTable, ...]] = {"price_intervals": (TARIFF_INTERVALS,)}

Stage = Literal["staged", "undone", "extended", "closed", "inserting", "companion", "logged"]


@dataclass(frozen=True)
class RecordResult:
    """What recording one batch of snapshots did.

    ``status`` is ``"recorded"``, ``"replaced"`` (a later snapshot of the latest recorded
    day replaced that day) or ``"already recorded"`` (nothing changed).
    """

    source: str
    table: str
    status: str
    snapshots: int
    observations: int
    extended: int
    opened: int
    closed: int
    first_observed: datetime | None
    last_observed: datetime | None
    notes: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def _first(res: duckdb.DuckDBPyConnection) -> tuple[Any, ...] | None:
    # fetchall: DuckDB 2 refuses further work (register, …) while a result is unfinished
    rows = res.fetchall()
    return tuple(rows[0]) if rows else None


def _settle(con: duckdb.DuckDBPyConnection) -> None:
    """Finish any result a caller left half-read (``fetchone``): DuckDB 2 refuses to
    ``register`` a frame on a connection with an unfinished result."""
    con.execute("SELECT 1").fetchall()


def _rowcount(res: duckdb.DuckDBPyConnection) -> int:
    row = _first(res)
    return int(row[0]) if row and row[0] is not None else 0


_TYPES: dict[str, dict[str, str]] = {}


def _types(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, str]:
    # column types come from the migrations, the same in every store: look them up once
    if table in _TYPES:
        return _TYPES[table]
    rows = con.execute("SELECT column_name, data_type FROM information_schema.columns "
                       "WHERE table_name = ? AND table_schema = 'main'", [table]).fetchall()
    if not rows:
        raise StoreError(f"table {table!r} does not exist in the store; run the migrations (open the store "
                         "read-write once).")
    _TYPES[table] = {str(n): str(t) for n, t in rows}
    return _TYPES[table]


def _frame(obs: pd.DataFrame, table: HistoryTable) -> pd.DataFrame:
    missing = [c for c in (*table.columns, "observed_at") if c not in obs.columns]
    if missing:
        raise InputError(f"observations lack column(s) {missing}; expected {[*table.columns, 'observed_at']}.")
    if obs.empty:
        raise InputError("no observations to record; refusing to record an empty snapshot, which would close "
                         "every open interval of the source.")
    when = pd.to_datetime(obs["observed_at"])
    if isinstance(when.dtype, pd.DatetimeTZDtype):
        when = when.dt.tz_convert("UTC").dt.tz_localize(None)
    if when.isna().any():
        raise InputError("observed_at has missing values; every observation needs the time of its snapshot.")
    check_not_future(when.max())
    # copy-on-write: selecting columns and assigning new ones does not copy the data
    frame = obs.loc[:, list(table.columns)].reset_index(drop=True).assign(
        observed_at=when.to_numpy(), _row=np.arange(len(obs), dtype="int64"))
    bad = frame[list(table.key)].isna().any(axis=1)
    if bad.any():
        i = int(bad.to_numpy().nonzero()[0][0])
        raise InputError(f"observation {i} has a missing key ({', '.join(table.key)}); every row needs its key.")
    return frame


def record_snapshot(store: Store, obs: pd.DataFrame, *, source: str, observed_at: datetime | str,
                    table: HistoryTable = PRICE_INTERVALS, sha256: str | None = None,
                    on_stage: Callable[[str], None] | None = None, allow_shrink: bool = False,
                    force_reason: str | None = None) -> RecordResult:
    """Record one snapshot (all rows observed at ``observed_at``) — see :func:`record_observations`.

    Examples
    --------
    >>> s = Store.memory()
    >>> obs = pd.DataFrame({"source_key": ["a/x"], "provider": ["p"], "input_usd_per_mtok": [1.0],
    ...                     "output_usd_per_mtok": [2.0], "cache_read_usd_per_mtok": [None],
    ...                     "context_tokens": [None], "model_name": ["X"], "author": ["a"],
    ...                     "reasoning_flag": [False], "listed_date": [None]})
    >>> record_snapshot(s, obs, source="demo", observed_at="2026-01-01").opened
    1
    >>> record_snapshot(s, obs, source="demo", observed_at="2026-01-02").extended
    1
    >>> s.con.execute("SELECT valid_from, valid_to, n_obs, is_open FROM price_intervals").fetchall()
    [(datetime.date(2026, 1, 1), datetime.date(2026, 1, 2), 2, True)]
    """
    return record_observations(store, obs.assign(observed_at=pd.Timestamp(observed_at)), source=source,
                               table=table, sha256=sha256, on_stage=on_stage, allow_shrink=allow_shrink,
                               force_reason=force_reason)


def record_observations(store: Store, obs: pd.DataFrame, *, source: str,
                        table: HistoryTable = PRICE_INTERVALS, sha256: str | None = None,
                        on_stage: Callable[[str], None] | None = None, allow_shrink: bool = False,
                        force_reason: str | None = None, overridden: tuple[str, ...] = ()) -> RecordResult:
    """Record one or many snapshots of ``source`` into ``table``, in one transaction.

    Parameters
    ----------
    store : Store
    obs : DataFrame
        The ``table`` columns (key, compare, carry) plus ``observed_at`` (the snapshot
        time, naive UTC or tz-aware). Rows sharing an ``observed_at`` form one snapshot;
        of several snapshots on one day only the last is used; a key listed twice in a
        snapshot keeps its last row.
    source : str
        Source label written to every row (e.g. ``"openrouter"``).
    table : HistoryTable
        :data:`PRICE_INTERVALS` (default) or :data:`EPOCH_MODELS`.
    sha256 : str, optional
        Hash of the payload of a single snapshot: recording the same snapshot again is
        then recognised and changes nothing.
    on_stage : callable, optional
        Called with a stage name between the statements (progress, tests).
    allow_shrink : bool
        Record a snapshot that lists fewer than half (:data:`MIN_CONTINUED`) of the keys
        of the source's open intervals — of the store's open intervals for the batch's
        first snapshot, of the previous snapshot for later ones in a batch. Off by
        default: such a snapshot is usually a truncated or filtered response, and would
        close most of the history's open intervals.
    force_reason : str, optional
        Record a snapshot that a sanity check refuses (a unit change: most prices moved by
        one constant factor against the open intervals, see :data:`UNIT_FACTOR_SHARE`);
        the reason and the checks it overrode are kept in ``fetch_snapshots``
        (``forced_reason``, ``forced_checks``). The date order is never overridden.
    overridden : tuple of str
        Checks already overridden by the caller (e.g. a payload timestamp later than
        ``observed_at``), logged with ``force_reason``.

    Notes
    -----
    When ``obs`` also holds the columns of a companion table of ``table``
    (:data:`COMPANIONS`: ``entry`` for ``tariff_intervals``), its rows with a value there
    are recorded into that table too, in the same transaction and by the same interval
    rules (stage ``"companion"``, after ``"inserting"``); the sanity checks concern the main
    table only.

    Returns
    -------
    RecordResult

    Raises
    ------
    InputError
        Empty or malformed observations, a snapshot older than the latest one recorded
        for the source, a snapshot time outside :data:`EARLIEST_OBSERVED` → now +
        :data:`CLOCK_SKEW`, a sharp shrink (see ``allow_shrink``), or a unit change (see
        ``force_reason``).
    StoreError
        The write failed; the transaction was rolled back and the store is unchanged.

    Examples
    --------
    Three daily snapshots in one batch: a price cut on day 3 closes one interval and
    opens another.

    >>> s = Store.memory()
    >>> obs = pd.DataFrame({"source_key": ["a/x"] * 3, "provider": "p", "input_usd_per_mtok": [2.0, 2.0, 1.0],
    ...                     "output_usd_per_mtok": 8.0, "cache_read_usd_per_mtok": None, "context_tokens": None,
    ...                     "model_name": "X", "author": "a", "reasoning_flag": False, "listed_date": None,
    ...                     "observed_at": pd.to_datetime(["2026-01-01", "2026-01-02", "2026-01-03"])})
    >>> r = record_observations(s, obs, source="demo")
    >>> (r.snapshots, r.opened, r.closed)
    (3, 2, 1)
    """
    frame = _frame(obs, table)
    if force_reason is not None and (not isinstance(force_reason, str) or not force_reason.strip()):
        raise InputError(f"force_reason={force_reason!r}: forcing a refused snapshot needs a reason, recorded with "
                         "it in the store; expected text such as --reason 'the source switched to per-1K prices'.")
    stage = on_stage or (lambda _s: None)
    companions = []
    for comp in COMPANIONS.get(table.name, ()):
        if all(c in obs.columns for c in comp.columns):
            sub = obs[obs[list(comp.compare)].notna().all(axis=1)]
            if len(sub):
                companions.append((comp, _frame(sub, comp)))
    con = store.con
    _settle(con)
    con.register("_lf_obs_in", frame)
    try:
        with store.transaction():
            types = _types(con, table.name)
            result = _record(con, frame, source=source, table=table, types=types, sha256=sha256, stage=stage, allow_shrink=allow_shrink,
                             force_reason=force_reason, overridden=overridden,
                             companions=tuple(companions))
            # temp tables made in a failed transaction vanish with its rollback
            con.execute("; ".join(f"DROP TABLE IF EXISTS {t}" for t in ("_lf_snaps", "_lf_runs", "_lf_cont",
                                                                         "_lf_new")))
    except duckdb.Error as exc:
        raise StoreError(f"recording the {source} snapshot into {table.name} failed and was rolled back; the "
                         f"store is unchanged ({type(exc).__name__}: {exc}).") from None
    finally:
        con.unregister("_lf_obs_in")
    return result


def _record(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame, *, source: str, table: HistoryTable,
            types: dict[str, str], sha256: str | None, stage: Callable[[str], None],
            allow_shrink: bool = False, force_reason: str | None = None,
            overridden: tuple[str, ...] = (),
            companions: tuple[tuple[HistoryTable, pd.DataFrame], ...] = ()) -> RecordResult:
    # ---------------------------------------------------------------- snapshots in the batch
    # one scan: rows per snapshot time, then the last snapshot of each day
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _lf_snaps AS
        SELECT d, t, n, CAST(row_number() OVER (ORDER BY d) AS INTEGER) AS si FROM (
            SELECT CAST(t AS DATE) AS d, t, n FROM (
                SELECT observed_at AS t, CAST(count(*) AS INTEGER) AS n FROM _lf_obs_in GROUP BY 1)
            QUALIFY row_number() OVER (PARTITION BY CAST(t AS DATE) ORDER BY t DESC) = 1)
    """)
    n_snaps, first_t, last_t, first_d = _first(con.execute(  # type: ignore[misc]
        "SELECT count(*), min(t), max(t), min(d) FROM _lf_snaps"))
    n_obs_total = len(frame)
    latest = _first(con.execute("SELECT max(observed_at), max(snapshot_date) FROM fetch_snapshots "
                                "WHERE source = ?", [source]))
    latest_t, latest_d = (latest or (None, None))
    if n_snaps == 1 and sha256 is not None:
        same = _first(con.execute("SELECT sha256 FROM fetch_snapshots WHERE source = ? AND observed_at = ?",
                                  [source, first_t]))
        if same is not None and same[0] == sha256:
            return RecordResult(source, table.name, "already recorded", 1, n_obs_total, 0, 0, 0, first_t, last_t,
                                ("this snapshot (same time and payload hash) was recorded before; nothing changed",))
    notes: list[str] = []
    if latest_t is not None and first_t < latest_t:
        future = (" That recorded snapshot lies in the future: it was probably recorded with a mistyped "
                  "--observed-at; remove it with `llmflation fetch drop ID`." if latest_t > utc_now() + CLOCK_SKEW else "")
        raise InputError(
            f"the {source} snapshot of {first_t:%Y-%m-%d %H:%M:%S} is older than the latest one recorded "
            f"({latest_t:%Y-%m-%d %H:%M:%S}); history is written in date order (also with --force). Back-fill "
            "older snapshots into a fresh store (--db NEW.duckdb) in date order, remove the later ones first "
            f"(`llmflation fetch list`, `llmflation fetch drop ID`), or pass a later --observed-at.{future}")
    stage("staged")
    replaced, extended, opened, closed, checks = _apply(
        con, source=source, table=table, types=types, n_snaps=int(n_snaps), first_d=first_d, latest_d=latest_d,
        n_obs_total=n_obs_total, notes=notes, stage=stage, run_checks=True, allow_shrink=allow_shrink,
        force_reason=force_reason, overridden=overridden)
    status = "replaced" if replaced else "recorded"
    for comp, comp_frame in companions:
        con.unregister("_lf_obs_in")
        con.register("_lf_obs_in", comp_frame)
        c_notes: list[str] = []
        _r, c_ext, c_open, c_closed, _c = _apply(
            con, source=source, table=comp, types=_types(con, comp.name), n_snaps=int(n_snaps), first_d=first_d,
            latest_d=latest_d, n_obs_total=len(comp_frame), notes=c_notes, stage=lambda _s: None,
            run_checks=False)
        notes.append(f"{comp.name}: {c_ext} interval(s) extended, {c_open} opened, {c_closed} closed")
    if companions:
        stage("companion")

    # ---------------------------------------------------------------- the snapshot log
    forced = "; ".join(checks) or ("none refused" if force_reason else None)
    con.execute("""
        INSERT INTO fetch_snapshots (source, history_table, observed_at, snapshot_date, rows, sha256,
                                     forced_reason, forced_checks)
        SELECT ?, ?, t, d, n, ?, ?, ? FROM _lf_snaps
        ON CONFLICT (source, observed_at) DO UPDATE SET rows = excluded.rows, sha256 = excluded.sha256,
            history_table = excluded.history_table, recorded_at = now(), forced_reason = excluded.forced_reason,
            forced_checks = excluded.forced_checks
    """, [source, table.name, sha256 if n_snaps == 1 else None, force_reason, forced])
    stage("logged")
    return RecordResult(source, table.name, status, int(n_snaps), n_obs_total, extended, opened, closed,
                        first_t, last_t, tuple(notes))


def _apply(con: duckdb.DuckDBPyConnection, *, source: str, table: HistoryTable, types: dict[str, str],
           n_snaps: int, first_d: date, latest_d: date | None, n_obs_total: int, notes: list[str],
           stage: Callable[[str], None], run_checks: bool, allow_shrink: bool = False,
           force_reason: str | None = None, overridden: tuple[str, ...] = ()
           ) -> tuple[bool, int, int, int, list[str]]:
    """Apply the staged snapshots (``_lf_snaps``) of ``_lf_obs_in`` to one interval table: undo a
    same-day snapshot, run-length encode, check (``checks``), extend, close, open.

    Returns ``(replaced, extended, opened, closed, overridden checks)``; notes are appended."""
    tbl = Q(table.name)
    keys = list(table.key)
    cmp_ = list(table.compare)
    carry = list(table.carry)
    value_cols = cmp_ + carry
    k_list = ", ".join(Q(k) for k in keys)
    replaced = False

    def cast(col: str, alias: str = "x") -> str:
        return f"CAST({alias}.{Q(col)} AS {types[col]}) AS {Q(col)}"

    # ---------------------------------------------------------------- same day again: undo that day
    if latest_d is not None and first_d == latest_d:
        prev = _first(con.execute("SELECT max(snapshot_date) FROM fetch_snapshots WHERE source = ? "
                                  "AND snapshot_date < ?", [source, latest_d]))
        prev_d = prev[0] if prev else None
        con.execute(f"DELETE FROM {tbl} WHERE source = ? AND origin = 'fetch' AND valid_from = ?", [source, latest_d])
        if prev_d is not None:
            prev_t = _first(con.execute("SELECT max(observed_at) FROM fetch_snapshots WHERE source = ? "
                                        "AND snapshot_date = ?", [source, prev_d]))[0]  # type: ignore[index]
            con.execute(f"UPDATE {tbl} SET is_open = TRUE WHERE source = ? AND origin = 'fetch' AND valid_to = ?",
                        [source, prev_d])
            con.execute(f"UPDATE {tbl} SET valid_to = ?, n_obs = n_obs - 1, observed_at = ?, is_open = TRUE "
                        "WHERE source = ? AND origin = 'fetch' AND valid_to = ?", [prev_d, prev_t, source, latest_d])
        replaced = True
        notes.append(f"a later snapshot of {latest_d} replaced the one recorded before for that day")
        stage("undone")

    # ---------------------------------------------------------------- run-length encode the batch
    # Gaps and islands in one window pass: a row *starts* a run unless the key was seen
    # at the previous snapshot with the same values, and *ends* one unless it is seen at
    # the next snapshot with the same values. Only start/end rows are kept; each start
    # row's end is the next kept row (or itself).
    in_cols = ", ".join(cast(c) for c in (*keys, *value_cols))
    cont_prev = " AND ".join(["lag(si) OVER w = si - 1",
                              *(f"lag({Q(c)}) OVER w IS NOT DISTINCT FROM {Q(c)}" for c in cmp_)])
    cont_next = " AND ".join(["lead(si) OVER w = si + 1",
                              *(f"lead({Q(c)}) OVER w IS NOT DISTINCT FROM {Q(c)}" for c in cmp_)])
    dedup = ", ".join([*(Q(k) for k in keys), "si", "any_value(d) AS d", "any_value(t) AS t",
                       *(f"arg_max_null({Q(c)}, _row) AS {Q(c)}" for c in value_cols)])

    def edges(source_cte: str) -> str:
        return f"""
            CREATE OR REPLACE TEMP TABLE _lf_runs AS
            WITH o AS (
                SELECT s.si, s.d, s.t, x._row, {in_cols}
                FROM _lf_obs_in x JOIN _lf_snaps s ON x.observed_at = s.t
            ), dd AS ({source_cte}), f AS (
                SELECT *, coalesce({cont_prev}, FALSE) AS cont_prev, coalesce({cont_next}, FALSE) AS cont_next,
                       (lag(si) OVER w = si OR lead(si) OVER w = si) AS dup
                FROM dd WINDOW w AS (PARTITION BY {k_list} ORDER BY si)
            )
            SELECT * FROM f WHERE NOT cont_prev OR NOT cont_next OR dup
        """

    con.execute(edges("SELECT * FROM o"))
    if _rowcount(con.execute("SELECT count(*) FROM _lf_runs WHERE dup")):
        # a key listed twice in one snapshot: keep its last row, then encode again
        con.execute(edges(f"SELECT {dedup} FROM o GROUP BY {k_list}, si"))
    nxt = "".join(f", CASE WHEN cont_next THEN lead({Q(c)}) OVER w ELSE {Q(c)} END AS {Q(c)}"
                  for c in (*carry, "si", "d", "t"))
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _lf_runs AS
        WITH p AS (
            SELECT {k_list}, {", ".join(Q(c) for c in cmp_)}, si AS first_si, d AS valid_from,
                   cont_prev{nxt}
            FROM _lf_runs WINDOW w AS (PARTITION BY {k_list} ORDER BY si)
        )
        SELECT {k_list}, {", ".join(Q(c) for c in (*cmp_, *carry))}, first_si, si AS last_si,
               valid_from, d AS valid_to, CAST(si - first_si + 1 AS INTEGER) AS n_obs, t AS observed_at
        FROM p WHERE NOT cont_prev
    """)
    kept = _first(con.execute("SELECT sum(n) FROM _lf_snaps"))
    if kept and int(kept[0]) < n_obs_total:
        notes.append(f"{n_obs_total - int(kept[0])} observation(s) from earlier snapshots of the same day "
                     "were superseded by the day's last snapshot")

    join_k = " AND ".join(f"i.{Q(k)} = r.{Q(k)}" for k in keys)
    checks = list(overridden)
    if run_checks and table.compare == PRICE_INTERVALS.compare:  # first: a unit change also looks like a
        unit = _unit_change(con, source=source, tbl=tbl, join_k=join_k)  # shrink (implausible prices are
        if unit is not None and force_reason is None:                    # filtered out)
            raise InputError(unit + " Nothing was written.")
        if unit is not None:
            checks.append(unit.split(";")[0])
            notes.append(f"recorded despite a refusal (--force, reason: {force_reason}): {unit}")
    if run_checks and not allow_shrink:
        _check_shrink(con, source=source, tbl=tbl, keys=keys, join_k=join_k, n_snaps=int(n_snaps))

    # ---------------------------------------------------------------- extend open intervals
    r_keys = ", ".join(f"r.{Q(k)}" for k in keys)
    join_c = " AND ".join(f"i.{Q(c)} IS NOT DISTINCT FROM r.{Q(c)}" for c in cmp_)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _lf_cont AS
        SELECT {r_keys}, r.first_si, i.valid_from AS i_from
        FROM _lf_runs r JOIN {tbl} i
          ON i.source = ? AND i.origin = 'fetch' AND i.is_open AND {join_k} AND {join_c}
        WHERE r.first_si = 1
    """, [source])
    set_carry = "".join(f", {Q(c)} = u.{Q(c)}" for c in carry)
    u_k = " AND ".join(f"{tbl}.{Q(k)} = u.{Q(k)}" for k in keys)
    extended = _rowcount(con.execute(f"""
        UPDATE {tbl} SET valid_to = u.valid_to, n_obs = {tbl}.n_obs + u.n_obs, observed_at = u.observed_at,
                         is_open = (u.last_si = ?){set_carry}
        FROM (SELECT c.i_from, r.* FROM _lf_cont c JOIN _lf_runs r USING ({k_list}, first_si)) u
        WHERE {tbl}.source = ? AND {tbl}.origin = 'fetch' AND {u_k} AND {tbl}.valid_from = u.i_from
    """, [n_snaps, source]))
    stage("extended")

    # ---------------------------------------------------------------- close what was not seen again
    closed = _rowcount(con.execute(
        f"UPDATE {tbl} SET is_open = FALSE WHERE source = ? AND origin = 'fetch' AND is_open AND valid_to < ?",
        [source, first_d]))
    stage("closed")

    # ---------------------------------------------------------------- open new intervals
    con.execute(f"CREATE OR REPLACE TEMP TABLE _lf_new AS "
                f"SELECT r.* FROM _lf_runs r ANTI JOIN _lf_cont c USING ({k_list}, first_si)")
    d_k = " AND ".join(f"p.{Q(k)} = n.{Q(k)}" for k in keys)
    taken = _rowcount(con.execute(
        f"DELETE FROM {tbl} p USING _lf_new n WHERE p.source = ? AND p.origin <> 'fetch' AND {d_k} "
        "AND p.valid_from = n.valid_from", [source]))
    if taken:
        notes.append(f"{taken} bundled interval(s) starting on a fetched interval's first day were replaced by "
                     "the fetched one (re-run `llmflation ingest` keeps the fetched rows)")
    stage("inserting")
    cols = [*keys, *cmp_, *carry]
    col_list = ", ".join(Q(c) for c in cols)
    opened = _rowcount(con.execute(f"""
        INSERT INTO {tbl} (source, {col_list}, valid_from, valid_to, observed_at, n_obs, origin, is_open)
        SELECT ?, {col_list}, valid_from, valid_to, observed_at, n_obs, 'fetch', (last_si = ?) FROM _lf_new
    """, [source, n_snaps]))
    # runs that ended inside a multi-snapshot batch are closed intervals
    closed_in_batch = _rowcount(con.execute("SELECT count(*) FROM _lf_runs WHERE last_si < ?", [n_snaps]))
    return replaced, extended, opened, closed + closed_in_batch, checks


def _check_shrink(con: duckdb.DuckDBPyConnection, *, source: str, tbl: str, keys: list[str], join_k: str,
                  n_snaps: int) -> None:
    """Refuse a snapshot listing fewer than :data:`MIN_CONTINUED` of the keys open before it."""
    hint = ("Nothing was written. A response this much smaller than the last one is usually truncated or "
            "filtered (an error page, a partial listing, a wrong --url); if the source really dropped that "
            "many models, record it with --allow-shrink (allow_shrink=True).")
    k_list = ", ".join(Q(k) for k in keys)
    row = _first(con.execute(f"""
        SELECT count(*), count(r.{Q(keys[0])}) FROM {tbl} i
        LEFT JOIN (SELECT DISTINCT {k_list} FROM _lf_runs WHERE first_si = 1) r ON {join_k}
        WHERE i.source = ? AND i.origin = 'fetch' AND i.is_open
    """, [source]))
    n_open, n_kept = (int(row[0]), int(row[1])) if row else (0, 0)
    if n_open and n_kept < MIN_CONTINUED * n_open:
        day = _first(con.execute("SELECT min(d) FROM _lf_snaps"))
        raise InputError(
            f"the {source} snapshot of {day[0] if day else '?'} would close {n_open - n_kept:,} of the "
            f"{n_open:,} open {source} intervals: it lists only {n_kept:,} of their keys (fewer than "
            f"{MIN_CONTINUED:.0%}). {hint}")
    if n_snaps < 2:
        return
    # within a batch: keys whose run ends at a snapshot and that do not go on at the next one
    same_k = " AND ".join(f"r2.{Q(k)} = r.{Q(k)}" for k in keys)
    row = _first(con.execute(f"""
        SELECT s.d, s.n, count(e.last_si) AS lost FROM _lf_snaps s
        LEFT JOIN (SELECT r.last_si FROM _lf_runs r
                   WHERE r.last_si < ? AND NOT EXISTS (SELECT 1 FROM _lf_runs r2
                                                       WHERE {same_k} AND r2.first_si = r.last_si + 1)) e
          ON e.last_si = s.si
        WHERE s.si < ? GROUP BY s.si, s.d, s.n
        HAVING s.n - count(e.last_si) < ? * s.n ORDER BY s.si LIMIT 1
    """, [n_snaps, n_snaps, MIN_CONTINUED]))
    if row:
        d, n, lost = row
        raise InputError(
            f"in the {source} batch, the snapshot after {d} would close {int(lost):,} of the {int(n):,} "
            f"intervals open on {d}: it lists fewer than {MIN_CONTINUED:.0%} of their keys. {hint}")


def unit_factor(old: np.ndarray, new: np.ndarray) -> tuple[float, float, int]:
    """The most common factor between paired prices, the share of prices moved by it, and the count compared.

    Pairs where either price is not positive and finite are left out. Factors within
    :data:`UNIT_FACTOR_RTOL` of each other count as one.

    Examples
    --------
    >>> f, share, n = unit_factor(np.array([1.0, 2.0, 3.0, 4.0]), np.array([1000.0, 2000.0, 3000.0, 4.0]))
    >>> round(f), share, n
    (1000, 0.75, 4)
    """
    old = np.asarray(old, dtype="float64")
    new = np.asarray(new, dtype="float64")
    ok = np.isfinite(old) & np.isfinite(new) & (old > 0) & (new > 0)
    lr = np.log(new[ok] / old[ok])
    if lr.size == 0:
        return 1.0, 0.0, 0
    tol = np.log1p(UNIT_FACTOR_RTOL)
    srt = np.sort(lr)
    # the window of width 2·tol holding the most ratios (two pointers over the sorted logs)
    hi = np.searchsorted(srt, srt + 2 * tol, side="right")
    i = int(np.argmax(hi - np.arange(srt.size)))
    members = srt[i:hi[i]]
    return float(np.exp(np.median(members))), members.size / lr.size, int(lr.size)


def _unit_change(con: duckdb.DuckDBPyConnection, *, source: str, tbl: str, join_k: str) -> str | None:
    """Describe a unit change of the batch's first snapshot against the open intervals, or ``None``."""
    rows = con.execute(f"""
        SELECT i.input_usd_per_mtok, r.input_usd_per_mtok, i.output_usd_per_mtok, r.output_usd_per_mtok
        FROM {tbl} i JOIN (SELECT * FROM _lf_runs WHERE first_si = 1) r ON {join_k}
        WHERE i.source = ? AND i.origin = 'fetch' AND i.is_open
    """, [source]).fetchall()
    if not rows:
        return None
    a = np.array(rows, dtype="float64")
    factor, share, n = unit_factor(np.concatenate([a[:, 0], a[:, 2]]), np.concatenate([a[:, 1], a[:, 3]]))
    if n < UNIT_FACTOR_MIN_PRICES or share < UNIT_FACTOR_SHARE or not (
            factor >= UNIT_FACTOR_MIN or factor <= 1 / UNIT_FACTOR_MIN):
        return None
    day = _first(con.execute("SELECT min(d) FROM _lf_snaps"))
    shown = f"×{factor:,.4g}" if factor >= 1 else f"÷{1 / factor:,.4g}"
    return (f"unit change: in the {source} snapshot of {day[0] if day else '?'}, {share:.0%} of the {n:,} prices "
            f"it shares with the open {source} intervals moved by one factor, {shown}; expected prices to move "
            "model by model (a constant factor across most of a catalogue is a change of unit, e.g. per token "
            "vs per 1M tokens or cents vs dollars, never a market event). Check the payload and its unit; if "
            "the prices really changed that way, record it with --force --reason 'why' "
            "(force_reason='why'), which keeps the reason in the store.")


# --------------------------------------------------------------------------- reads


def fetched_intervals(store: Store, source: str | None = None, *,
                      table: HistoryTable = PRICE_INTERVALS) -> pd.DataFrame:
    """Intervals written by fetches (``origin = 'fetch'``), optionally of one source.

    Examples
    --------
    >>> fetched_intervals(Store.memory()).empty
    True
    """
    sql = f"SELECT * FROM {Q(table.name)} WHERE origin = 'fetch'"
    params: list[Any] = []
    if source is not None:
        sql += " AND source = ?"
        params.append(source)
    order = ", ".join(Q(c) for c in ("source", *table.key, "valid_from"))
    return store.query(f"{sql} ORDER BY {order}", params)


def fetched_prices(store: Store, providers: list[str] | None = None) -> pd.DataFrame:
    """Fetched price intervals with the fetch snapshots that dated them (for lookups).

    One row per fetched interval of ``price_intervals`` (optionally only the given provider
    slugs), with ``opened_snapshot_id``/``opened_at`` (the snapshot that first observed the
    price: the one recorded on ``valid_from``), ``last_snapshot_id``/``observed_at`` (the
    latest snapshot that still saw it) and ``next_from`` (the start of the same offer's next
    interval in that source, NaT if none). Reads the primary key index; no panel is built.

    Examples
    --------
    >>> list(fetched_prices(Store.memory()).columns)[:4]
    ['source', 'source_key', 'provider', 'valid_from']
    """
    sql, params = fetched_prices_sql(providers)
    if not has_table(store.con, "fetch_snapshots"):
        return pd.DataFrame(columns=["source", "source_key", "provider", "valid_from"])
    store.check_fetched_dates()
    df = store.query(sql, params)
    for c in ("valid_from", "valid_to", "next_from"):
        df[c] = pd.to_datetime(df[c])
    return df


#: Columns of :func:`fetched_tariff`.
TARIFF_HISTORY_COLUMNS = ["source", "source_key", "provider", "valid_from", "valid_to", "observed_at", "entry",
                          "is_open", "n_obs", "opened_snapshot_id", "opened_at", "last_snapshot_id", "next_from"]


def _has_table(store: Store, name: str) -> bool:
    row = _first(store.con.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'main' "
                                   "AND table_name = ?", [name]))
    return bool(row and row[0])


def fetched_tariff(store: Store, providers: list[str] | None = None, *,
                   source_keys: list[str] | None = None) -> pd.DataFrame:
    """Fetched tariff intervals (``tariff_intervals``) with the fetch snapshots that dated them.

    One row per interval of a catalogue entry's tariff (optionally only the given provider
    slugs and source keys): ``entry`` is the entry's tariff fields as a dict (the stored
    canonical JSON, parsed), with ``opened_snapshot_id``/``opened_at`` (the snapshot recorded
    on ``valid_from``), ``last_snapshot_id``/``observed_at`` (the latest snapshot that still
    saw it) and ``next_from`` (the start of the entry's next interval, NaT if none), as
    :func:`fetched_prices` gives them for prices. A store from before the table existed
    (opened read-only, not migrated) gives an empty frame.

    Examples
    --------
    >>> fetched_tariff(Store.memory()).columns.tolist()[:7]
    ['source', 'source_key', 'provider', 'valid_from', 'valid_to', 'observed_at', 'entry']
    """
    import json

    empty = pd.DataFrame(columns=TARIFF_HISTORY_COLUMNS)
    if not _has_table(store, "fetch_snapshots") or not _has_table(store, TARIFF_INTERVALS.name):
        return empty
    where = "i.origin = 'fetch'"
    params: list[Any] = []
    if providers:
        where += f" AND i.provider IN ({', '.join('?' for _ in providers)})"
        params += list(providers)
    if source_keys is not None:
        if not source_keys:
            return empty
        where += " AND i.source_key IN (SELECT unnest(?))"
        params.append(list(source_keys))
    sql = f"""
        SELECT i.source, i.source_key, i.provider, i.valid_from, i.valid_to, i.observed_at, i.entry,
               i.is_open, i.n_obs,
               o.snapshot_id AS opened_snapshot_id, o.observed_at AS opened_at,
               l.snapshot_id AS last_snapshot_id,
               lead(i.valid_from) OVER (PARTITION BY i.source, i.source_key, i.provider
                                        ORDER BY i.valid_from) AS next_from
        FROM tariff_intervals i
        LEFT JOIN (SELECT source, snapshot_date, arg_max(snapshot_id, observed_at) AS snapshot_id,
                          max(observed_at) AS observed_at
                   FROM fetch_snapshots GROUP BY ALL) o
          ON o.source = i.source AND o.snapshot_date = i.valid_from
        LEFT JOIN fetch_snapshots l ON l.source = i.source AND l.observed_at = i.observed_at
        WHERE {where}
        ORDER BY i.source, i.source_key, i.provider, i.valid_from"""
    store.check_fetched_dates()
    df = store.query(sql, params)
    for c in ("valid_from", "valid_to", "next_from"):
        df[c] = pd.to_datetime(df[c])
    df["entry"] = [json.loads(e) for e in df["entry"]]
    return df[TARIFF_HISTORY_COLUMNS]


def fetch_log(store: Store, source: str | None = None) -> pd.DataFrame:
    """The recorded fetch snapshots (one row per snapshot), newest first.

    Examples
    --------
    >>> list(fetch_log(Store.memory()).columns)[:3]
    ['source', 'history_table', 'observed_at']
    """
    sql = "SELECT * FROM fetch_snapshots"
    params: list[Any] = []
    if source is not None:
        sql += " WHERE source = ?"
        params.append(source)
    return store.query(sql + " ORDER BY observed_at DESC, source", params)


def latest_snapshot(store: Store, source: str) -> tuple[datetime | None, date | None]:
    """(time, day) of the latest recorded fetch snapshot of ``source``.

    Examples
    --------
    >>> latest_snapshot(Store.memory(), "openrouter")
    (None, None)
    """
    row = _first(store.con.execute("SELECT max(observed_at), max(snapshot_date) FROM fetch_snapshots "
                                   "WHERE source = ?", [source]))
    return (row[0], row[1]) if row else (None, None)


#: The interval tables a fetched snapshot can go to, by name (``fetch_snapshots.history_table``).
TABLES: dict[str, HistoryTable] = {t.name: t for t in (PRICE_INTERVALS, EPOCH_MODELS)}


def list_snapshots(store: Store, source: str | None = None) -> pd.DataFrame:
    """The fetched snapshots with their ids (for :func:`drop_snapshot`), oldest first.

    Columns: ``snapshot_id, source, observed_at, snapshot_date, rows, history_table,
    sha256, recorded_at, forced_reason, forced_checks``.

    Examples
    --------
    >>> list(list_snapshots(Store.memory()).columns)[:3]
    ['snapshot_id', 'source', 'observed_at']
    """
    sql = ("SELECT snapshot_id, source, observed_at, snapshot_date, rows, history_table, sha256, recorded_at, "
           "forced_reason, forced_checks FROM fetch_snapshots")
    params: list[Any] = []
    if source is not None:
        sql += " WHERE source = ?"
        params.append(source)
    return store.query(sql + " ORDER BY source, observed_at", params)


def _snapshot_row(store: Store, snapshot_id: object) -> tuple[int, str, str, datetime, date]:
    if isinstance(snapshot_id, bool) or not isinstance(snapshot_id, (int, str, np.integer)):
        raise InputError(f"snapshot id {snapshot_id!r} ({type(snapshot_id).__name__}) is not a snapshot id; "
                         "expected the number shown by `llmflation fetch list`.")
    try:
        sid = int(str(snapshot_id).strip())
    except ValueError:
        raise InputError(f"snapshot id {snapshot_id!r} is not a number; expected the id shown by "
                         "`llmflation fetch list`, e.g. 3.") from None
    row = _first(store.con.execute("SELECT snapshot_id, source, history_table, observed_at, snapshot_date "
                                   "FROM fetch_snapshots WHERE snapshot_id = ?", [sid]))
    if row is None:
        ids = [r[0] for r in store.con.execute("SELECT snapshot_id FROM fetch_snapshots ORDER BY 1").fetchall()]
        known = (f"ids in {store.path}: {', '.join(map(str, ids[:20]))}{' …' if len(ids) > 20 else ''}"
                 if ids else f"{store.path} holds no fetched snapshot")
        raise InputError(f"no fetched snapshot with id {sid} ({known}). List them with `llmflation fetch list`.")
    return int(row[0]), str(row[1]), str(row[2]), row[3], row[4]


def drop_snapshot(store: Store, snapshot_id: int | str) -> RecordResult:
    """Remove one fetched snapshot and rebuild the intervals it touched, in one transaction.

    Intervals are runs over the source's snapshot days, so removing day ``S`` (between
    the previous day ``P`` and the next day ``N`` of the source) is exact:

    * an interval seen only on ``S`` is deleted; one running through ``S`` counts one
      snapshot fewer (``n_obs`` − 1);
    * one starting on ``S`` now starts on ``N``, one ending on ``S`` now ends on ``P``
      (one snapshot fewer, ``n_obs`` − 1);
    * an interval ending on ``P`` and one starting on ``N`` with the same key and prices
      are merged (``S`` alone broke the run: a unit slip, or the key missing from it);
    * when ``S`` was the latest snapshot, every interval seen on ``P`` is open again.

    The companion tables recorded with the snapshot (:data:`COMPANIONS`: the LiteLLM
    entries' ``tariff_intervals``) are rebuilt the same way in the same transaction.

    Of several snapshots of one day only the last was applied (see
    :func:`record_observations`): dropping an earlier one only removes its log row,
    dropping the last one removes the day (all its log rows). Not restorable, since
    intervals keep only their latest values: the *carried* columns (context length, name,
    cache price …) of an interval whose last snapshot was ``S`` keep ``S``'s values until
    the next fetch updates them; bundled intervals that a fetched one replaced come back
    with ``llmflation ingest``.

    Raises
    ------
    InputError
        No snapshot with that id (the message lists the ids).
    StoreError
        The write failed; the transaction was rolled back.

    Examples
    --------
    >>> s = Store.memory()
    >>> obs = pd.DataFrame({"source_key": ["a/x"], "provider": ["p"], "input_usd_per_mtok": [1.0],
    ...                     "output_usd_per_mtok": [2.0], "cache_read_usd_per_mtok": [None],
    ...                     "context_tokens": [None], "model_name": ["X"], "author": ["a"],
    ...                     "reasoning_flag": [False], "listed_date": [None]})
    >>> _ = record_snapshot(s, obs, source="demo", observed_at="2026-01-01")
    >>> _ = record_snapshot(s, obs.assign(input_usd_per_mtok=1000.0), source="demo", observed_at="2026-01-02")
    >>> _ = record_snapshot(s, obs, source="demo", observed_at="2026-01-03")
    >>> drop_snapshot(s, 2).status
    'dropped'
    >>> s.con.execute("SELECT valid_from, valid_to, n_obs, is_open FROM price_intervals").fetchall()
    [(datetime.date(2026, 1, 1), datetime.date(2026, 1, 3), 2, True)]
    """
    sid, source, table_name, when, day = _snapshot_row(store, snapshot_id)
    table = TABLES.get(table_name)
    if table is None:
        raise StoreError(f"snapshot {sid} of {source} went to table {table_name!r}, which this llmflation does "
                         f"not know (expected one of {sorted(TABLES)}); upgrade llmflation.")
    con = store.con
    notes: list[str] = []
    _settle(con)
    try:
        with store.transaction():
            last_t = _first(con.execute("SELECT max(observed_at) FROM fetch_snapshots WHERE source = ? "
                                        "AND snapshot_date = ?", [source, day]))[0]  # type: ignore[index]
            if when != last_t:  # superseded by a later snapshot of the same day: never applied
                con.execute("DELETE FROM fetch_snapshots WHERE snapshot_id = ?", [sid])
                return RecordResult(source, table.name, "dropped", 1, 0, 0, 0, 0, when, when,
                                    (f"snapshot {sid} had been superseded by a later snapshot of {day}; only its "
                                     "log row was removed (the intervals did not depend on it)",))
            prev = _first(con.execute("SELECT max(snapshot_date) FROM fetch_snapshots WHERE source = ? "
                                      "AND snapshot_date < ?", [source, day]))
            nxt = _first(con.execute("SELECT min(snapshot_date) FROM fetch_snapshots WHERE source = ? "
                                     "AND snapshot_date > ?", [source, day]))
            p_d = prev[0] if prev else None
            n_d = nxt[0] if nxt else None
            p_t = (_first(con.execute("SELECT max(observed_at) FROM fetch_snapshots WHERE source = ? "
                                      "AND snapshot_date = ?", [source, p_d])) or (None,))[0] if p_d else None
            removed, changed, merged, reopened = _drop_day(con, table, source=source, day=day, p_d=p_d, p_t=p_t,
                                                           n_d=n_d)
            for comp in COMPANIONS.get(table.name, ()):
                c = _drop_day(con, comp, source=source, day=day, p_d=p_d, p_t=p_t, n_d=n_d)
                if any(c):
                    notes.append(f"{comp.name}: removed {c[0]} interval(s) seen only in it, shortened {c[1]}, "
                                 f"merged {c[2]} pair(s) it had split, reopened {c[3]}")
            n_rows = _rowcount(con.execute("SELECT count(*) FROM fetch_snapshots WHERE source = ? AND "
                                           "snapshot_date = ?", [source, day]))
            con.execute("DELETE FROM fetch_snapshots WHERE source = ? AND snapshot_date = ?", [source, day])
    except duckdb.Error as exc:
        raise StoreError(f"dropping snapshot {sid} ({source}, {when:%Y-%m-%d %H:%M:%S}) from {store.path} failed and "
                         f"was rolled back; the store is unchanged ({type(exc).__name__}: {exc}).") from None
    if n_rows > 1:
        notes.append(f"{n_rows - 1} earlier snapshot(s) of {day}, superseded by this one, were removed with it")
    notes.append(f"removed {removed} interval(s) seen only in it, shortened {changed}, merged {merged} pair(s) it "
                 f"had split, reopened {reopened}")
    return RecordResult(source, table.name, "dropped", 1, 0, 0, 0, 0, when, when, tuple(notes))


def _drop_day(con: duckdb.DuckDBPyConnection, table: HistoryTable, *, source: str, day: date, p_d: date | None,
              p_t: datetime | None, n_d: date | None) -> tuple[int, int, int, int]:
    """Remove snapshot day ``day`` (between ``p_d`` and ``n_d``) from one interval table of ``source``
    (see :func:`drop_snapshot`): ``(removed, shortened, merged, reopened)``."""
    tbl = Q(table.name)
    keys = list(table.key)
    where = "source = ? AND origin = 'fetch'"
    removed = _rowcount(con.execute(f"SELECT count(*) FROM {tbl} WHERE {where} AND valid_from = ? "
                                    "AND valid_to = ?", [source, day, day]))
    con.execute(f"DELETE FROM {tbl} WHERE {where} AND valid_from = ? AND valid_to = ?", [source, day, day])
    # runs through S: one snapshot fewer
    changed = _rowcount(con.execute(f"SELECT count(*) FROM {tbl} WHERE {where} AND valid_from < ? "
                                    "AND valid_to > ?", [source, day, day]))
    con.execute(f"UPDATE {tbl} SET n_obs = n_obs - 1 WHERE {where} AND valid_from < ? AND valid_to > ?",
                [source, day, day])
    if n_d is not None:
        changed += _rowcount(con.execute(
            f"SELECT count(*) FROM {tbl} WHERE {where} AND valid_from = ? AND valid_to > ?",
            [source, day, day]))
        con.execute(f"UPDATE {tbl} SET valid_from = ?, n_obs = n_obs - 1 WHERE {where} AND valid_from = ? "
                    "AND valid_to > ?", [n_d, source, day, day])
    if p_d is not None:
        changed += _rowcount(con.execute(
            f"SELECT count(*) FROM {tbl} WHERE {where} AND valid_to = ? AND valid_from < ?",
            [source, day, day]))
        con.execute(f"UPDATE {tbl} SET valid_to = ?, n_obs = n_obs - 1, observed_at = ? WHERE {where} "
                    "AND valid_to = ? AND valid_from < ?", [p_d, p_t, source, day, day])
    merged = 0
    if p_d is not None and n_d is not None:
        same = " AND ".join([*(f"a.{Q(k)} = b.{Q(k)}" for k in keys),
                             *(f"a.{Q(c)} IS NOT DISTINCT FROM b.{Q(c)}" for c in table.compare)])
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE _lf_merge AS
            SELECT {", ".join(f"a.{Q(k)}" for k in keys)}, a.valid_from AS a_from, b.valid_from AS b_from,
                   b.valid_to, b.n_obs, b.observed_at, b.is_open
                   {"".join(f", b.{Q(c)}" for c in table.carry)}
            FROM {tbl} a JOIN {tbl} b ON {same}
            WHERE a.source = ? AND a.origin = 'fetch' AND b.source = ? AND b.origin = 'fetch'
              AND a.valid_to = ? AND b.valid_from = ?
        """, [source, source, p_d, n_d])
        merged = _rowcount(con.execute("SELECT count(*) FROM _lf_merge"))
        if merged:
            k_m = " AND ".join(f"{tbl}.{Q(k)} = m.{Q(k)}" for k in keys)
            con.execute(f"DELETE FROM {tbl} USING _lf_merge m WHERE {tbl}.source = ? AND "
                        f"{tbl}.origin = 'fetch' AND {k_m} AND {tbl}.valid_from = m.b_from", [source])
            set_carry = "".join(f", {Q(c)} = m.{Q(c)}" for c in table.carry)
            con.execute(f"""
                UPDATE {tbl} SET valid_to = m.valid_to, n_obs = {tbl}.n_obs + m.n_obs,
                                 observed_at = m.observed_at, is_open = m.is_open{set_carry}
                FROM _lf_merge m
                WHERE {tbl}.source = ? AND {tbl}.origin = 'fetch' AND {k_m} AND {tbl}.valid_from = m.a_from
            """, [source])
        con.execute("DROP TABLE IF EXISTS _lf_merge")
    reopened = 0
    if n_d is None and p_d is not None:  # the latest snapshot goes: the previous one is the latest again
        reopened = _rowcount(con.execute(f"SELECT count(*) FROM {tbl} WHERE {where} AND valid_to = ? "
                                         "AND NOT is_open", [source, p_d]))
        con.execute(f"UPDATE {tbl} SET is_open = TRUE WHERE {where} AND valid_to = ?", [source, p_d])
    return removed, changed, merged, reopened
