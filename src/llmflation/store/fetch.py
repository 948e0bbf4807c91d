"""Live fetch: source → validate → convert units → record, with the store untouched on failure.

The order matters for safety: the payload is downloaded (with retries), validated and
converted **before** the store is opened, so a network fault or a bad payload never
takes the store's write lock or changes a row; the store is then written in one
transaction (:func:`llmflation.store.history.record_observations`).

Sources: ``openrouter`` (public ``/api/v1/models``), ``litellm`` (the price map in
BerriAI/litellm), ``epoch`` (Epoch AI ``ai_models.zip``), and the keyed
``artificial-analysis`` (prices) and ``openrouter-rankings`` (daily token totals).
Prices go through the same conversion as the bundled history
(:func:`llmflation.panel.build.openrouter_observations` and friends, built on
:mod:`llmflation.panel.units`), and the same filter: free, sentinel (``-1``) and missing
prices and non-text models are counted and left out, so fetched and bundled intervals
of a key line up and merge.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import httpx
import pandas as pd

from llmflation.errors import InputError, check_choice
from llmflation.panel.build import NOT_A_MODEL, litellm_observations, openrouter_observations
from llmflation.panel.units import ExclusionLog, classify_prices, to_usd_per_mtok
from llmflation.sources import epoch as epoch_src
from llmflation.sources import keys as keyed
from llmflation.sources import litellm as litellm_src
from llmflation.sources import openrouter as openrouter_src
from llmflation.sources.http import ParsedPayload, RetryPolicy
from llmflation.store.db import Store
from llmflation.store.history import (
    EPOCH_MODELS,
    PRICE_INTERVALS,
    HistoryTable,
    RecordResult,
    _settle,
    record_observations,
)

Source = Literal["openrouter", "litellm", "epoch", "artificial-analysis", "openrouter-rankings"]
SOURCES: tuple[str, ...] = ("openrouter", "litellm", "epoch", "artificial-analysis", "openrouter-rankings")
URLS = {"openrouter": openrouter_src.URL, "litellm": litellm_src.URL, "epoch": epoch_src.URL,
        **{k: v.url for k, v in keyed.KEYED_SOURCES.items()}}
_DATE_IN_NAME = re.compile(r"(\d{4}-\d{2}-\d{2})")


@dataclass(frozen=True)
class Snapshot:
    """A validated, converted snapshot, ready to record (nothing written yet).

    Attributes
    ----------
    source : str
    table : HistoryTable or None
        Where it goes (``None`` for ``openrouter-rankings``, which is not interval data).
    observations : DataFrame
        Rows to record (the ``table`` columns).
    observed_at : datetime
        Snapshot time (naive UTC).
    sha256 : str
        Hash of the raw payload.
    records : int
        Records in the payload.
    skipped : dict
        Reason → records validated but not recorded.
    origin : str
        Where the payload came from (URL or file).
    """

    source: str
    table: HistoryTable | None
    observations: pd.DataFrame
    observed_at: datetime
    sha256: str
    records: int
    skipped: dict[str, int] = field(default_factory=dict)
    origin: str = "payload"
    observed_at_from: str = "given"


@dataclass(frozen=True)
class FetchReport:
    """What one ``fetch`` did: counts of the snapshot and of the interval changes."""

    source: str
    status: str
    observed_at: datetime
    records: int
    recorded: int
    skipped: dict[str, int]
    extended: int
    opened: int
    closed: int
    open_intervals: int
    origin: str
    observed_at_from: str
    notes: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """One row: the counts, with ``skipped`` as ``reason: n; …`` text."""
        row = {k: getattr(self, k) for k in ("source", "status", "observed_at", "records", "recorded", "extended",
                                             "opened", "closed", "open_intervals")}
        row["skipped"] = "; ".join(f"{k}: {v}" for k, v in sorted(self.skipped.items()) if v)
        row["origin"] = self.origin
        row["observed_at_from"] = self.observed_at_from
        return pd.DataFrame([row])


# --------------------------------------------------------------------------- time of a snapshot


def resolve_observed_at(observed_at: str | datetime | None = None, payload: Path | None = None,
                        *, now: Callable[[], datetime] | None = None) -> tuple[datetime, str]:
    """Snapshot time (naive UTC) and where it came from.

    Order: an explicit ``observed_at``; a ``YYYY-MM-DD`` in the payload file's name
    (archived snapshots are usually named by date); the payload file's modification
    time; the current time (a live fetch).

    Examples
    --------
    >>> resolve_observed_at(None, Path("openrouter_models_2025-12-18_x.json"))
    (datetime.datetime(2025, 12, 18, 0, 0), 'file name')
    >>> resolve_observed_at("2026-01-02T03:04:05+01:00")
    (datetime.datetime(2026, 1, 2, 2, 4, 5), 'given')
    """
    if observed_at is not None:
        try:
            ts = pd.Timestamp(observed_at)
        except (ValueError, TypeError):
            raise InputError(f"observed_at {observed_at!r} is not a date or time; expected YYYY-MM-DD or an "
                             "ISO time such as 2026-01-02T03:04:05Z.") from None
        if ts is pd.NaT:
            raise InputError("observed_at is empty; expected YYYY-MM-DD or an ISO time.")
        if ts.tzinfo is not None:
            ts = ts.tz_convert("UTC").tz_localize(None)
        return ts.to_pydatetime(), "given"
    if payload is not None:
        m = _DATE_IN_NAME.search(Path(payload).name)
        if m:
            try:
                return pd.Timestamp(m.group(1)).to_pydatetime(), "file name"
            except ValueError:
                pass
        mtime = Path(payload).stat().st_mtime
        return datetime.fromtimestamp(mtime, UTC).replace(tzinfo=None, microsecond=0), "file modification time"
    clock = now or (lambda: datetime.now(UTC))
    t = clock()
    if t.tzinfo is not None:
        t = t.astimezone(UTC).replace(tzinfo=None)
    return t.replace(microsecond=0), "clock (live fetch)"


# --------------------------------------------------------------------------- download


def download(source: str, *, url: str | None = None, policy: RetryPolicy | None = None,
             transport: httpx.BaseTransport | None = None, env: Mapping[str, str] | None = None,
             **kw: Any) -> bytes:
    """GET a source's live payload (retries, backoff, jitter; see :mod:`llmflation.sources.http`).

    Keyed sources raise :class:`~llmflation.errors.MissingKeyError` before any request
    when their environment variable is unset.

    Examples
    --------
    >>> t = httpx.MockTransport(lambda req: httpx.Response(200, content=b"{}"))
    >>> download("litellm", transport=t)
    b'{}'
    """
    check_choice("source", source, SOURCES)
    if source in keyed.KEYED_SOURCES:
        return keyed.fetch(source, env=env, url=url, policy=policy, transport=transport, **kw)
    mod = {"openrouter": openrouter_src, "litellm": litellm_src, "epoch": epoch_src}[source]
    return bytes(mod.fetch(url=url or mod.URL, policy=policy, transport=transport, **kw))


# --------------------------------------------------------------------------- validate + convert


def _filter_prices(obs: pd.DataFrame, skipped: dict[str, int]) -> pd.DataFrame:
    """The bundled panel's filter: non-text models, free / sentinel / missing prices."""
    def add(reason: str, n: int) -> None:
        if n:
            skipped[reason] = skipped.get(reason, 0) + int(n)

    not_model = obs["source_key"].astype(str).str.lower().str.contains(NOT_A_MODEL, regex=True)
    add("not a base text model (price tier, fine-tune, image/audio/embedding)", int(not_model.sum()))
    obs = obs[~not_model.to_numpy()]
    lab = classify_prices(obs["input_usd_per_mtok"], obs["output_usd_per_mtok"])
    for reason, text in (("free", "free ($0) price"), ("sentinel", "sentinel price (-1: varies)"),
                         ("missing", "missing input or output price"),
                         ("partly_free", "zero input or output price")):
        add(text, int((lab == reason).sum()))
    return obs[(lab == "ok").to_numpy()]


def _implausible(raw: pd.Series, converted: pd.Series) -> int:
    r = pd.to_numeric(raw, errors="coerce")
    return int((r.notna() & (r > 0) & converted.isna()).sum())


def _price_obs(obs: pd.DataFrame, skipped: dict[str, int]) -> pd.DataFrame:
    obs = _filter_prices(obs, skipped)
    return obs[list(PRICE_INTERVALS.columns)].reset_index(drop=True)


def _convert(parsed: ParsedPayload, source: str) -> tuple[HistoryTable | None, pd.DataFrame, dict[str, int]]:
    skipped = dict(parsed.skipped)
    frame = parsed.frame
    log = ExclusionLog()
    if source == "openrouter":
        obs, _ = openrouter_observations(frame, log)
        n = (_implausible(frame["pricing_prompt_usd_per_token"], obs["input_usd_per_mtok"])
             + _implausible(frame["pricing_completion_usd_per_token"], obs["output_usd_per_mtok"]))
        if n:
            skipped["implausible price (unit guard)"] = n
        return PRICE_INTERVALS, _price_obs(obs, skipped), skipped
    if source == "litellm":
        obs, _ = litellm_observations(frame, log)
        return PRICE_INTERVALS, _price_obs(obs, skipped), skipped
    if source == "artificial-analysis":
        obs = pd.DataFrame({
            "source_key": frame["slug"].astype(str), "provider": "artificial-analysis",
            "input_usd_per_mtok": to_usd_per_mtok(pd.to_numeric(frame["input_usd_per_mtok"]), "usd_per_mtok",
                                                  strict=False),
            "output_usd_per_mtok": to_usd_per_mtok(pd.to_numeric(frame["output_usd_per_mtok"]), "usd_per_mtok",
                                                   strict=False),
            "cache_read_usd_per_mtok": float("nan"), "context_tokens": float("nan"),
            "model_name": frame["name"].astype(str), "author": frame["creator"], "reasoning_flag": pd.NA,
            "listed_date": pd.NaT,
        })
        return PRICE_INTERVALS, _price_obs(obs, skipped), skipped
    if source == "epoch":
        obs = frame.rename(columns=epoch_src.FIELDS)[list(EPOCH_MODELS.columns)].copy()
        obs["publication_date"] = pd.to_datetime(obs["publication_date"])
        return EPOCH_MODELS, obs, skipped
    if source == "openrouter-rankings":
        return None, frame, skipped
    raise InputError(f"unknown source {source!r}; expected one of {SOURCES}.")  # pragma: no cover


def prepare(source: str, raw: bytes, *, observed_at: datetime, origin: str = "payload",
            observed_at_from: str = "given") -> Snapshot:
    """Validate and convert a raw payload into a :class:`Snapshot` (no store involved).

    Raises
    ------
    ParseError
        The payload failed validation (the message names the record and field).

    Examples
    --------
    >>> raw = (b'{"data": [{"id": "openai/gpt-4o", "name": "OpenAI: GPT-4o", "created": 1715558400,'
    ...        b' "context_length": 128000, "pricing": {"prompt": "0.0000025", "completion": "0.00001"}}]}')
    >>> snap = prepare("openrouter", raw, observed_at=datetime(2026, 1, 1))
    >>> snap.observations.loc[0, ["source_key", "input_usd_per_mtok", "output_usd_per_mtok"]].tolist()
    ['openai/gpt-4o', np.float64(2.5), np.float64(10.0)]
    """
    check_choice("source", source, SOURCES)
    day = f"{observed_at:%Y-%m-%d}"
    if source == "openrouter":
        parsed = openrouter_src.parse(raw, snapshot_date=day)
    elif source == "litellm":
        parsed = litellm_src.parse(raw, snapshot_date=day, source_ref=origin)
    elif source == "epoch":
        parsed = epoch_src.parse(raw, snapshot_date=day)
    elif source == "artificial-analysis":
        parsed = keyed.parse_artificial_analysis(raw, snapshot_date=day)
    else:
        parsed = keyed.parse_rankings(raw)
    table, obs, skipped = _convert(parsed, source)
    return Snapshot(source, table, obs, observed_at, hashlib.sha256(raw).hexdigest(), parsed.records,
                    skipped, origin, observed_at_from)


# --------------------------------------------------------------------------- record


def _open_count(store: Store, table: HistoryTable, source: str) -> int:
    rows = store.con.execute(f'SELECT count(*) FROM "{table.name}" WHERE source = ? AND origin = \'fetch\' '
                             "AND is_open", [source]).fetchall()
    return int(rows[0][0]) if rows else 0


def record_rankings(store: Store, snap: Snapshot) -> RecordResult:
    """Upsert ``openrouter-rankings`` rows (restated figures replace earlier ones), one transaction.

    Examples
    --------
    >>> raw = b'{"data": [{"date": "2026-05-11", "model_permaslug": "x/y", "total_tokens": "10"}]}'
    >>> record_rankings(Store.memory(), prepare("openrouter-rankings", raw, observed_at=datetime(2026, 5, 12))).opened
    1
    """
    df = snap.observations.assign(observed_at=snap.observed_at)
    _settle(store.con)
    with store.transaction() as con:
        con.register("_lf_rank", df)
        try:
            before = con.execute("SELECT count(*) FROM openrouter_rankings_daily").fetchall()[0]
            con.execute("INSERT INTO openrouter_rankings_daily (date, model_permaslug, total_tokens, as_of, observed_at) "
                        "SELECT CAST(date AS DATE), model_permaslug, total_tokens, CAST(as_of AS TIMESTAMP), "
                        "observed_at FROM _lf_rank ON CONFLICT (date, model_permaslug) DO UPDATE SET "
                        "total_tokens = excluded.total_tokens, as_of = excluded.as_of, "
                        "observed_at = excluded.observed_at")
            after = con.execute("SELECT count(*) FROM openrouter_rankings_daily").fetchall()[0]
        finally:
            con.unregister("_lf_rank")
    new = int(after[0]) - int(before[0]) if after and before else 0
    return RecordResult(snap.source, "openrouter_rankings_daily", "recorded", 1, len(df), len(df) - new, new, 0,
                        snap.observed_at, snap.observed_at)


def record(store: Store, snap: Snapshot, *, on_stage: Callable[[str], None] | None = None) -> FetchReport:
    """Write a prepared snapshot into ``store`` in one transaction and report what changed.

    Examples
    --------
    >>> raw = (b'{"data": [{"id": "a/x", "name": "X", "pricing": {"prompt": "0.000001",'
    ...        b' "completion": "0.000004"}}]}')
    >>> rep = record(Store.memory(), prepare("openrouter", raw, observed_at=datetime(2026, 1, 1)))
    >>> rep.status, rep.opened, rep.open_intervals
    ('recorded', 1, 1)
    """
    if snap.table is None:
        res = record_rankings(store, snap)
        n_open = 0
    else:
        res = record_observations(store, snap.observations.assign(observed_at=snap.observed_at),
                                  source=snap.source, table=snap.table, sha256=snap.sha256, on_stage=on_stage)
        n_open = _open_count(store, snap.table, snap.source)
    return FetchReport(snap.source, res.status, snap.observed_at, snap.records, len(snap.observations),
                       snap.skipped, res.extended, res.opened, res.closed, n_open, snap.origin,
                       snap.observed_at_from, res.notes)


def fetch(store: Store | str | Path, source: str, *, payload: Path | str | bytes | None = None,
          observed_at: str | datetime | None = None, url: str | None = None, policy: RetryPolicy | None = None,
          transport: httpx.BaseTransport | None = None, env: Mapping[str, str] | None = None,
          on_stage: Callable[[str], None] | None = None,
          on_retry: Callable[[int, str, float], None] | None = None) -> FetchReport:
    """Fetch (or replay) one snapshot of ``source`` and record it — the ``llmflation fetch`` path.

    Parameters
    ----------
    store : Store or path
        A path is opened only after the payload was downloaded and validated, and
        closed afterwards (so a slow or failing network never holds the write lock).
    source : {"openrouter", "litellm", "epoch", "artificial-analysis", "openrouter-rankings"}
    payload : path or bytes, optional
        Replay a saved response instead of the network.
    observed_at : str or datetime, optional
        Snapshot time; default from the payload file name, its modification time, or now.
    url, policy, transport, env :
        Network options (alternative URL, retry policy, injected transport, environment
        holding API keys).
    on_stage, on_retry : callable, optional
        Progress hooks: the write stage, and each retry ``(attempt, reason, delay)``.

    Examples
    --------
    >>> raw = (b'{"data": [{"id": "openai/gpt-4o", "name": "GPT-4o", "created": 1715558400,'
    ...        b' "context_length": 128000, "pricing": {"prompt": "0.0000025", "completion": "0.00001"}}]}')
    >>> s = Store.memory()
    >>> fetch(s, "openrouter", payload=raw, observed_at="2026-01-01").opened
    1
    >>> fetch(s, "openrouter", payload=raw, observed_at="2026-01-01").status
    'already recorded'
    """
    check_choice("source", source, SOURCES)
    if payload is None:
        when, how = resolve_observed_at(observed_at)
        raw = download(source, url=url, policy=policy, transport=transport, env=env, on_retry=on_retry)
        origin = url or URLS[source]
    elif isinstance(payload, bytes):
        when, how = resolve_observed_at(observed_at)
        raw, origin = payload, "payload bytes"
    else:
        path = Path(payload)
        if not path.is_file():
            raise InputError(f"--payload {str(path)!r} is not a file; expected a saved {source} response.")
        when, how = resolve_observed_at(observed_at, path)
        raw, origin = path.read_bytes(), str(path)
    snap = prepare(source, raw, observed_at=when, origin=origin, observed_at_from=how)
    if isinstance(store, Store):
        return record(store, snap, on_stage=on_stage)
    with Store(store) as s:
        return record(s, snap, on_stage=on_stage)
