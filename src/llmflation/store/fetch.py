"""Live fetch: source → validate → convert units → record, with the store untouched on failure.

The order matters for safety: the payload is downloaded (with retries), validated and
converted **before** the store is opened, so a network fault or a bad payload never
takes the store's write lock or changes a row; the store is then written in one
transaction (:func:`llmflation.store.history.record_observations`).

Sources: ``openrouter`` (public ``/api/v1/models``), ``litellm`` (the price map in
BerriAI/litellm), ``epoch`` (Epoch AI ``ai_models.zip``), and the keyed
``artificial-analysis`` (prices) and ``openrouter-rankings`` (daily token totals).
Prices go through the same conversion as the bundled history
(:func:`llmflation.normalize.catalogues.openrouter_observations` and friends, built on
:mod:`llmflation.normalize.units`), and the same filter: free, sentinel (``-1``) and missing
prices and non-text models are counted and left out, so fetched and bundled intervals
of a key line up and merge.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from os import PathLike
from pathlib import Path
from typing import Any, Literal

import httpx
import pandas as pd

from llmflation.errors import InputError, ParseError, check_choice
from llmflation.normalize.catalogues import (
    filter_prices,
    litellm_observations,
    openrouter_observations,
)
from llmflation.normalize.units import ExclusionLog, to_usd_per_mtok
from llmflation.sources import epoch as epoch_src
from llmflation.sources import keys as keyed
from llmflation.sources import litellm as litellm_src
from llmflation.sources import openrouter as openrouter_src
from llmflation.sources import openrouter_endpoints as endpoints_src
from llmflation.sources.http import (
    DEFAULT_MAX_BYTES,
    GZIP_MAGIC,
    ParsedPayload,
    RetryPolicy,
    gunzip_bounded,
)
from llmflation.store import lock as store_lock
from llmflation.store.db import EARLIEST_OBSERVED, Store
from llmflation.store.history import (
    CLOCK_SKEW,
    EPOCH_MODELS,
    PRICE_INTERVALS,
    TARIFF_INTERVALS,
    HistoryTable,
    RecordResult,
    _settle,
    check_not_future,
    record_observations,
    utc_now,
)
from llmflation.validate import check_bool, check_int

Source = Literal["openrouter", "litellm", "epoch", "artificial-analysis", "openrouter-rankings"]
_DATE_IN_NAME = re.compile(r"(\d{4}-\d{2}-\d{2})")
_ISO = re.compile(r"^\s*\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?)?\s*(Z|[+-]\d{2}(:?\d{2})?)?\s*$",
                  re.IGNORECASE)


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
    #: What the payload itself says about its date: ``(earliest possible observation time,
    #: the evidence)`` pairs (OpenRouter's ``created`` of its newest model; release dates in
    #: model ids such as ``gpt-4o-2024-08-06``). See :func:`check_payload_dates`.
    dated: tuple[tuple[datetime, str], ...] = ()


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


def resolve_observed_at(observed_at: str | datetime | date | None = None, payload: Path | None = None,
                        *, now: Callable[[], datetime] | None = None) -> tuple[datetime, str]:
    """Snapshot time (naive UTC) and where it came from.

    Order: an explicit ``observed_at``; a ``YYYY-MM-DD`` in the payload file's name
    (archived snapshots are usually named by date); the payload file's modification
    time; the current time (a live fetch).

    Raises
    ------
    InputError
        ``observed_at`` is neither a datetime/date nor ISO text (``YYYY-MM-DD`` or e.g.
        ``2026-01-02T03:04:05Z``), or the time lies more than
        :data:`~llmflation.store.history.CLOCK_SKEW` in the future (a typo in the year
        would otherwise block every later snapshot of the source).

    Examples
    --------
    >>> resolve_observed_at(None, Path("openrouter_models_2025-12-18_x.json"))
    (datetime.datetime(2025, 12, 18, 0, 0), 'file name')
    >>> resolve_observed_at("2026-01-02T03:04:05+01:00")
    (datetime.datetime(2026, 1, 2, 2, 4, 5), 'given')
    >>> resolve_observed_at(12345)
    Traceback (most recent call last):
    ...
    llmflation.errors.InputError: observed_at=12345 (int) is not a date or time; expected a datetime, a date, or ISO text such as 2026-01-02 or 2026-01-02T03:04:05Z.
    """
    clock = now or (lambda: datetime.now(UTC))
    t_now = clock()
    if t_now.tzinfo is not None:
        t_now = t_now.astimezone(UTC).replace(tzinfo=None)
    if observed_at is not None:
        when = _parse_observed_at(observed_at)
        check_not_future(when, "observed_at", now=t_now)
        return when, "given"
    if payload is not None:
        m = _DATE_IN_NAME.search(Path(payload).name)
        if m:
            try:
                when = pd.Timestamp(m.group(1)).to_pydatetime()
            except ValueError:
                pass
            else:
                check_not_future(when, f"the date in the payload file name {Path(payload).name!r}", now=t_now)
                return when, "file name"
        mtime = Path(payload).stat().st_mtime
        when = datetime.fromtimestamp(mtime, UTC).replace(tzinfo=None, microsecond=0)
        check_not_future(when, f"the modification time of {Path(payload).name!r}", now=t_now)
        return when, "file modification time"
    return t_now.replace(microsecond=0), "clock (live fetch)"


def _parse_observed_at(observed_at: object) -> datetime:
    expected = "expected a datetime, a date, or ISO text such as 2026-01-02 or 2026-01-02T03:04:05Z."
    if isinstance(observed_at, datetime):
        ts = pd.Timestamp(observed_at)
    elif isinstance(observed_at, date):
        ts = pd.Timestamp(observed_at.isoformat())
    elif isinstance(observed_at, str):
        if not observed_at.strip():
            raise InputError(f"observed_at is empty; {expected}")
        if not _ISO.match(observed_at):
            raise InputError(f"observed_at {observed_at!r} is not a date or time; {expected}")
        try:
            ts = pd.Timestamp(observed_at.strip())
        except (ValueError, TypeError):
            raise InputError(f"observed_at {observed_at!r} is not a date or time; {expected}") from None
    else:
        raise InputError(f"observed_at={observed_at!r} ({type(observed_at).__name__}) is not a date or time; "
                         f"{expected}")
    if ts is pd.NaT:
        raise InputError(f"observed_at is empty; {expected}")
    if ts.tzinfo is not None:
        ts = ts.tz_convert("UTC").tz_localize(None)
    return ts.to_pydatetime()


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
    return adapter(source).fetch(url=url, policy=policy, transport=transport, env=env, **kw)


# --------------------------------------------------------------------------- validate + convert


def _filter_prices(obs: pd.DataFrame, skipped: dict[str, int]) -> pd.DataFrame:
    """The bundle's own filter (:func:`llmflation.normalize.catalogues.filter_prices`): one
    implementation for bundle and fetch, so a fetched snapshot drops exactly what the
    bundled panel drops (non-text models, fine-tunes, free/sentinel/negative/missing/unit-slip
    prices), each row counted once under one reason."""
    log = ExclusionLog()
    kept = filter_prices(obs if "source" in obs.columns else obs.assign(source="fetch"), log)
    for (_src, reason), n in log.counts.items():
        if n:
            skipped[reason] = skipped.get(reason, 0) + int(n)
    return kept[list(obs.columns)]


def _price_obs(obs: pd.DataFrame, skipped: dict[str, int], extra: tuple[str, ...] = ()) -> pd.DataFrame:
    obs = _filter_prices(obs, skipped)
    return obs[[*PRICE_INTERVALS.columns, *extra]].reset_index(drop=True)


def _openrouter_obs(frame: pd.DataFrame, skipped: dict[str, int]) -> tuple[HistoryTable | None, pd.DataFrame]:
    obs, _ = openrouter_observations(frame, ExclusionLog())
    # unit slips are kept by the conversion and counted once by _filter_prices
    obs = _price_obs(obs, skipped)
    # a listing date (from `created`) is an LLM date too: bounded like observed_at
    listed = pd.to_datetime(obs["listed_date"])
    odd = listed.notna() & ((listed < EARLIEST_OBSERVED) | (listed > utc_now() + CLOCK_SKEW))
    if odd.any():
        skipped["listing date (`created`) before 2015 or in the future: left empty (price kept)"] = int(odd.sum())
        obs["listed_date"] = listed.where(~odd)
    return PRICE_INTERVALS, obs


def _litellm_obs(frame: pd.DataFrame, skipped: dict[str, int]) -> tuple[HistoryTable | None, pd.DataFrame]:
    """Price rows, each with its entry's tariff fields (``entry``, canonical JSON): recorded together
    into ``price_intervals`` and ``tariff_intervals`` (:data:`~llmflation.store.history.COMPANIONS`)."""
    obs, _ = litellm_observations(frame, ExclusionLog())
    if litellm_src.TARIFF_COLUMN not in frame:
        return PRICE_INTERVALS, _price_obs(obs, skipped)
    obs["entry"] = frame[litellm_src.TARIFF_COLUMN].to_numpy()
    return PRICE_INTERVALS, _price_obs(obs, skipped, extra=TARIFF_INTERVALS.compare)


def _artificial_analysis_obs(frame: pd.DataFrame, skipped: dict[str, int]
                             ) -> tuple[HistoryTable | None, pd.DataFrame]:
    obs = pd.DataFrame({
        "source_key": frame["slug"].astype(str), "provider": "artificial-analysis",
        "input_usd_per_mtok": to_usd_per_mtok(pd.to_numeric(frame["input_usd_per_mtok"]), "usd_per_mtok",
                                              strict=False, keep_implausible=True),
        "output_usd_per_mtok": to_usd_per_mtok(pd.to_numeric(frame["output_usd_per_mtok"]), "usd_per_mtok",
                                               strict=False, keep_implausible=True),
        "cache_read_usd_per_mtok": float("nan"), "context_tokens": float("nan"),
        "model_name": frame["name"].astype(str), "author": frame["creator"], "reasoning_flag": pd.NA,
        "listed_date": pd.NaT,
    })
    return PRICE_INTERVALS, _price_obs(obs, skipped)


def _endpoints_obs(frame: pd.DataFrame, skipped: dict[str, int]) -> tuple[HistoryTable | None, pd.DataFrame]:
    """One price interval per model × provider endpoint: ``source_key`` is the OpenRouter model id,
    ``provider`` the endpoint's ``tag`` (``deepinfra/fp8``: one offer per provider and quantization)."""
    def usd(col: str) -> pd.Series:
        return to_usd_per_mtok(pd.to_numeric(frame[col]), "usd_per_token", strict=False, keep_implausible=True)

    obs = pd.DataFrame({
        "source_key": frame["model_id"].astype(str), "provider": frame["tag"].astype(str),
        "input_usd_per_mtok": usd("prompt_usd_per_token"), "output_usd_per_mtok": usd("completion_usd_per_token"),
        "cache_read_usd_per_mtok": usd("input_cache_read_usd_per_token"),
        "context_tokens": pd.to_numeric(frame["context_length"]), "model_name": frame["model_name"],
        "author": frame["model_id"].astype(str).str.split("/").str[0], "reasoning_flag": pd.NA,
        "listed_date": pd.NaT,
    })
    dup = obs.duplicated(["source_key", "provider"], keep="last")
    if dup.any():
        skipped["endpoint listed twice for one model and provider tag (the last kept)"] = int(dup.sum())
        obs = obs[~dup]
    return PRICE_INTERVALS, _price_obs(obs, skipped)


def _epoch_obs(frame: pd.DataFrame, skipped: dict[str, int]) -> tuple[HistoryTable | None, pd.DataFrame]:
    obs = frame.rename(columns=epoch_src.FIELDS)[list(EPOCH_MODELS.columns)].copy()
    obs["publication_date"] = pd.to_datetime(obs["publication_date"])
    return EPOCH_MODELS, obs


def _rankings_obs(frame: pd.DataFrame, skipped: dict[str, int]) -> tuple[HistoryTable | None, pd.DataFrame]:
    return None, frame  # not interval data: recorded by record_rankings


def _public_fetch(mod: Any) -> Callable[..., bytes]:
    def get(*, url: str | None = None, policy: RetryPolicy | None = None,
            transport: httpx.BaseTransport | None = None, env: Mapping[str, str] | None = None,
            **kw: Any) -> bytes:
        return bytes(mod.fetch(url=url or mod.URL, policy=policy, transport=transport, **kw))  # no key: env unused
    return get


def _keyed_fetch(name: str) -> Callable[..., bytes]:
    def get(*, url: str | None = None, policy: RetryPolicy | None = None,
            transport: httpx.BaseTransport | None = None, env: Mapping[str, str] | None = None,
            **kw: Any) -> bytes:
        return keyed.fetch(name, env=env, url=url, policy=policy, transport=transport, **kw)
    return get


@dataclass(frozen=True)
class SourceAdapter:
    """How one live source is downloaded, parsed and turned into rows to record.

    Attributes
    ----------
    name : str
        The source's name (``llmflation fetch <name>``).
    description : str
        One line: what the source holds and whether it needs a key (the CLI help).
    url : str
        Default endpoint.
    fetch : callable
        ``fetch(*, url, policy, transport, env, **kw) -> bytes``: the raw payload (keyed
        sources raise :class:`~llmflation.errors.MissingKeyError` before any request).
    parse : callable
        ``parse(raw, *, snapshot_date, origin, max_bytes) -> ParsedPayload``: validated records.
    observations : callable
        ``observations(frame, skipped) -> (table, rows)``: the history table the rows go to
        (``None`` for data that are not price intervals) and the converted rows;
        ``skipped`` (reason → records) is updated in place.
    """

    name: str
    description: str
    url: str
    fetch: Callable[..., bytes]
    parse: Callable[..., ParsedPayload]
    observations: Callable[[pd.DataFrame, dict[str, int]], tuple[HistoryTable | None, pd.DataFrame]]


#: Every live source, by name, in the order the CLI lists them.
ADAPTERS: dict[str, SourceAdapter] = {a.name: a for a in (
    SourceAdapter(
        "openrouter", "OpenRouter's public /api/v1/models (no key): every model's price, as of now.",
        openrouter_src.URL, _public_fetch(openrouter_src),
        lambda raw, *, snapshot_date, origin, max_bytes: openrouter_src.parse(raw, snapshot_date=snapshot_date),
        _openrouter_obs),
    SourceAdapter(
        "openrouter-endpoints", "OpenRouter's public per-model endpoints (no key): each provider's price, "
        "context and quantization of every model, as of now.",
        endpoints_src.BASE, _public_fetch(endpoints_src),
        lambda raw, *, snapshot_date, origin, max_bytes: endpoints_src.parse(raw, snapshot_date=snapshot_date),
        _endpoints_obs),
    SourceAdapter(
        "litellm", "LiteLLM's model_prices_and_context_window.json (GitHub): prices of every provider it knows.",
        litellm_src.URL, _public_fetch(litellm_src),
        lambda raw, *, snapshot_date, origin, max_bytes: litellm_src.parse(raw, snapshot_date=snapshot_date,
                                                                           source_ref=origin),
        _litellm_obs),
    SourceAdapter(
        "epoch", "Epoch AI's ai_models.zip: model records (compute, cost, dates) as dated history.",
        epoch_src.URL, _public_fetch(epoch_src),
        lambda raw, *, snapshot_date, origin, max_bytes: epoch_src.parse(raw, snapshot_date=snapshot_date,
                                                                         max_bytes=max_bytes),
        _epoch_obs),
    SourceAdapter(
        "artificial-analysis", "Artificial Analysis model prices (needs ARTIFICIAL_ANALYSIS_API_KEY).",
        keyed.KEYED_SOURCES["artificial-analysis"].url, _keyed_fetch("artificial-analysis"),
        lambda raw, *, snapshot_date, origin, max_bytes: keyed.parse_artificial_analysis(
            raw, snapshot_date=snapshot_date),
        _artificial_analysis_obs),
    SourceAdapter(
        "openrouter-rankings", "OpenRouter daily token totals of the top 50 models (needs OPENROUTER_API_KEY).",
        keyed.KEYED_SOURCES["openrouter-rankings"].url, _keyed_fetch("openrouter-rankings"),
        lambda raw, *, snapshot_date, origin, max_bytes: keyed.parse_rankings(raw),
        _rankings_obs),
)}
SOURCES: tuple[str, ...] = tuple(ADAPTERS)
URLS: dict[str, str] = {name: a.url for name, a in ADAPTERS.items()}


def adapter(source: str) -> SourceAdapter:
    """The adapter of ``source``; an unknown name raises :class:`InputError` listing the allowed ones.

    Examples
    --------
    >>> adapter("litellm").url == litellm_src.URL
    True
    >>> adapter("nope")
    Traceback (most recent call last):
    ...
    llmflation.errors.InputError: source='nope' is not allowed; expected one of: 'openrouter', 'openrouter-endpoints', 'litellm', 'epoch', 'artificial-analysis', 'openrouter-rankings'.
    """
    check_choice("source", source, SOURCES)
    return ADAPTERS[source]


def _convert(parsed: ParsedPayload, source: str) -> tuple[HistoryTable | None, pd.DataFrame, dict[str, int]]:
    skipped = dict(parsed.skipped)
    table, obs = adapter(source).observations(parsed.frame, skipped)
    return table, obs, skipped


def prepare(source: str, raw: bytes, *, observed_at: datetime, origin: str = "payload",
            observed_at_from: str = "given", max_bytes: int = DEFAULT_MAX_BYTES) -> Snapshot:
    """Validate and convert a raw payload into a :class:`Snapshot` (no store involved).

    A gzip-compressed payload (a saved ``.json.gz``) is decompressed first; that and
    Epoch's zip archive are bounded by ``max_bytes`` once decompressed.

    Raises
    ------
    ParseError
        The payload failed validation (the message names the record and field), or
        decompresses past ``max_bytes``.

    Examples
    --------
    >>> raw = (b'{"data": [{"id": "openai/gpt-4o", "name": "OpenAI: GPT-4o", "created": 1715558400,'
    ...        b' "context_length": 128000, "pricing": {"prompt": "0.0000025", "completion": "0.00001"}}]}')
    >>> snap = prepare("openrouter", raw, observed_at=datetime(2026, 1, 1))
    >>> snap.observations.loc[0, ["source_key", "input_usd_per_mtok", "output_usd_per_mtok"]].tolist()
    ['openai/gpt-4o', np.float64(2.5), np.float64(10.0)]
    """
    src = adapter(source)
    if not isinstance(observed_at, datetime):
        observed_at = _parse_observed_at(observed_at)
    day = f"{observed_at:%Y-%m-%d}"
    sha = hashlib.sha256(raw).hexdigest()
    if raw[:2] == GZIP_MAGIC:
        raw = gunzip_bounded(raw, source, max_bytes)
    parsed = src.parse(raw, snapshot_date=day, origin=origin, max_bytes=max_bytes)
    table, obs, skipped = _convert(parsed, source)
    if table is None:
        _check_usage_dates(obs, observed_at, source)
    return Snapshot(source, table, obs, observed_at, sha, parsed.records, skipped, origin, observed_at_from,
                    _payload_dates(source, parsed.frame))


#: A release date written in a model id: ``gpt-4o-2024-08-06``, ``claude-3-5-haiku-20241022``,
#: ``vertex_ai/claude-3-5-sonnet-v2@20241022`` (years 2020-2039, so version numbers never match).
ID_DATE = re.compile(r"(?:^|[-/@_.:])(20[2-3]\d)-?(0[1-9]|1[0-2])-?(0[1-9]|[12]\d|3[01])(?=$|[-/@_.:])")
#: A catalogue may list a dated model id a little before that date (a preview): allowed.
RELEASE_SLACK = timedelta(days=7)
#: Dated ids needed as evidence (one odd id must not block every fetch of a source).
RELEASE_MIN_IDS = 2
_KEY_COLUMN = {"openrouter": "id", "litellm": "model_key", "openrouter-endpoints": "model_id"}


def release_dates(keys: pd.Series) -> pd.Series:
    """Release dates written in model ids (:data:`ID_DATE`), ``NaT`` where an id has none.

    Examples
    --------
    >>> release_dates(pd.Series(["openai/gpt-4o-2024-08-06", "claude-3-5-haiku-20241022", "gpt-4o",
    ...                          "qwen-2-5-72b"])).dt.strftime("%Y-%m-%d").tolist()
    ['2024-08-06', '2024-10-22', nan, nan]
    """
    parts = keys.astype(str).str.extract(ID_DATE)
    text = parts[0] + "-" + parts[1] + "-" + parts[2]
    return pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")


def _check_usage_dates(obs: pd.DataFrame, observed_at: datetime, source: str) -> None:
    """Rankings rows are dated days of usage: from 2015-01-01 to the snapshot's own day (+ clock skew)."""
    hi = pd.Timestamp(observed_at) + CLOCK_SKEW
    for col in ("date", "as_of"):
        if col not in obs:
            continue
        when = pd.Series([pd.Timestamp(v) if v is not None and not pd.isna(v) else pd.NaT for v in obs[col]],
                         dtype=object)
        bad = [i for i, v in enumerate(when) if v is not pd.NaT and not (EARLIEST_OBSERVED <= v <= hi)]
        if bad:
            v = when.iloc[bad[0]]
            raise ParseError(
                f"{source} payload record {bad[0]} has {col} {v.year:04d}-{v.month:02d}-{v.day:02d} ({len(bad)} "
                f"record(s) like it); expected a day from {EARLIEST_OBSERVED:%Y-%m-%d} to the snapshot's "
                f"{observed_at:%Y-%m-%d} (usage cannot be counted before LLM APIs or after it was observed). "
                "The store was not changed; check the payload, or --observed-at.")


def _payload_dates(source: str, frame: pd.DataFrame) -> tuple[tuple[datetime, str], ...]:
    """What a payload says about its own date (see :attr:`Snapshot.dated`)."""
    out: list[tuple[datetime, str]] = []
    if frame.empty:
        return ()
    # a timestamp in the future is itself wrong (one odd record must not block every fetch)
    latest = utc_now() + CLOCK_SKEW
    if source == "openrouter" and "created_unix" in frame:
        created = pd.to_numeric(frame["created_unix"], errors="coerce")
        # OpenRouter's `created` is a Unix time in seconds
        created = created.where((created > 0) & (created <= latest.replace(tzinfo=UTC).timestamp()))
        if created.notna().any():
            i = created.idxmax()
            when = datetime.fromtimestamp(float(created[i]), UTC).replace(tzinfo=None)
            out.append((when - CLOCK_SKEW, f"model {frame.loc[i, 'id']!r} was created (its `created` timestamp) "
                                           f"on {when:%Y-%m-%d %H:%M} UTC"))
    col = _KEY_COLUMN.get(source)
    if col in frame:
        rel = release_dates(frame[col])
        dated = rel[rel <= latest].sort_values(ascending=False)
        if len(dated) >= RELEASE_MIN_IDS:
            when = dated.iloc[RELEASE_MIN_IDS - 1].to_pydatetime()
            later = ", ".join(repr(str(k)) for k in frame.loc[dated.index[:RELEASE_MIN_IDS], col])
            out.append((when - RELEASE_SLACK, f"it lists models released on {when:%Y-%m-%d} or later (their ids "
                                              f"carry the date: {later})"))
    return tuple(out)


def check_payload_dates(snap: Snapshot) -> str | None:
    """Why ``snap.observed_at`` contradicts the payload's own timestamps, or ``None``.

    A snapshot cannot have been observed before a model it lists was created (OpenRouter's
    ``created``) or released (a date in at least :data:`RELEASE_MIN_IDS` model ids, as
    ``gpt-4o-2024-08-06``): its ``observed_at`` (given, or taken from a file name) is then
    wrong, and recording it would date prices years too early. Slack:
    :data:`~llmflation.store.history.CLOCK_SKEW` for ``created`` (time zones, a date given
    without a time), :data:`RELEASE_SLACK` for id dates (a preview listed early). Epoch's
    records carry publication dates of models, not of the listing, and are not checked.

    Examples
    --------
    >>> raw = (b'{"data": [{"id": "openai/gpt-4o", "name": "GPT-4o", "created": 1715558400,'
    ...        b' "pricing": {"prompt": "0.0000025", "completion": "0.00001"}}]}')
    >>> check_payload_dates(prepare("openrouter", raw, observed_at=datetime(2026, 1, 1))) is None
    True
    >>> print(check_payload_dates(prepare("openrouter", raw, observed_at=datetime(2016, 1, 1))))
    observed_at 2016-01-01 00:00 is earlier than the payload itself: model 'openai/gpt-4o' was created ...
    """
    for earliest, what in snap.dated:
        if snap.observed_at < earliest:
            return (f"observed_at {snap.observed_at:%Y-%m-%d %H:%M} is earlier than the payload itself: {what}, so "
                    f"the {snap.source} snapshot cannot have been observed before {earliest:%Y-%m-%d}")
    return None


def fill_providers(store: Store, snap: Snapshot) -> Snapshot:
    """Give LiteLLM rows without a provider the provider their key has in the store.

    Some copies of the LiteLLM map lack ``litellm_provider`` (tokencost's 2024-01-31 copy):
    the conversion then says ``unknown``, which would break every interval of the key and
    trip the shrink guard. As the bundle does with a key's other snapshots
    (:func:`llmflation.normalize.changelogs.fill_missing_provider`), such a row takes the
    provider of the key's latest fetched interval; keys the store does not know stay
    ``unknown``. Other sources are returned unchanged.

    Examples
    --------
    >>> raw = b'{"gpt-4": {"input_cost_per_token": 3e-05, "output_cost_per_token": 6e-05, "mode": "chat"}}'
    >>> snap = prepare("litellm", raw, observed_at=datetime(2026, 1, 1))
    >>> fill_providers(Store.memory(), snap).observations["provider"].tolist()
    ['unknown']
    """
    obs = snap.observations
    if snap.source != "litellm" or obs.empty or "provider" not in obs:
        return snap
    missing = obs["provider"].astype("string").fillna("unknown").eq("unknown")
    if not missing.any():
        return snap
    keys = obs.loc[missing, "source_key"].astype(str).unique().tolist()
    known = store.query(
        "SELECT source_key, arg_max(provider, valid_to) AS provider FROM price_intervals WHERE source = ? "
        "AND origin = 'fetch' AND provider <> 'unknown' AND source_key IN (SELECT unnest(?)) GROUP BY source_key",
        [snap.source, keys])
    if known.empty:
        return snap
    filled = obs["source_key"].astype(str).map(dict(zip(known["source_key"], known["provider"], strict=True)))
    new = obs.assign(provider=obs["provider"].where(~missing | filled.isna(), filled))
    n = int((missing & filled.notna()).sum())
    skipped = {**snap.skipped, "provider missing, taken from the key's fetched history (kept)": n}
    return replace(snap, observations=new, skipped=skipped)


# --------------------------------------------------------------------------- record


def _open_count(store: Store, table: HistoryTable, source: str) -> int:
    with store.errors("reading"):
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
    check_not_future(snap.observed_at)
    with store.errors(f"recording the {snap.source} snapshot into"):
        _settle(store.con)
    with store.errors(f"recording the {snap.source} snapshot into"), store.transaction() as con:
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


def record(store: Store, snap: Snapshot, *, on_stage: Callable[[str], None] | None = None,
           allow_shrink: bool = False, force_reason: str | None = None) -> FetchReport:
    """Write a prepared snapshot into ``store`` in one transaction and report what changed.

    Refused (:class:`~llmflation.errors.InputError`, nothing written):

    * a snapshot listing fewer than half of the keys of the source's open intervals,
      unless ``allow_shrink`` (see :func:`~llmflation.store.history.record_observations`);
    * an ``observed_at`` earlier than the payload's own timestamps
      (:func:`check_payload_dates`) or most prices moved by one constant factor (a unit
      change), unless ``force_reason`` gives a reason, which is kept in the store;
    * an ``observed_at`` older than the latest snapshot recorded for the source, always:
      history is written in date order (back-fill older snapshots into a fresh store, or
      remove later ones with :func:`~llmflation.store.history.drop_snapshot`).

    Examples
    --------
    >>> raw = (b'{"data": [{"id": "a/x", "name": "X", "pricing": {"prompt": "0.000001",'
    ...        b' "completion": "0.000004"}}]}')
    >>> rep = record(Store.memory(), prepare("openrouter", raw, observed_at=datetime(2026, 1, 1)))
    >>> rep.status, rep.opened, rep.open_intervals
    ('recorded', 1, 1)
    """
    overridden = _dates_or_refuse(snap, force_reason)
    table = snap.table
    if table is None:
        res = record_rankings(store, snap)
        n_open = 0
    else:
        snap = fill_providers(store, snap)
        res = record_observations(store, snap.observations.assign(observed_at=snap.observed_at),
                                  source=snap.source, table=table, sha256=snap.sha256, on_stage=on_stage,
                                  allow_shrink=allow_shrink, force_reason=force_reason, overridden=overridden)
        n_open = _open_count(store, table, snap.source)
    return FetchReport(snap.source, res.status, snap.observed_at, snap.records, len(snap.observations),
                       snap.skipped, res.extended, res.opened, res.closed, n_open, snap.origin,
                       snap.observed_at_from,
                       (*(f"recorded despite a refusal (--force, reason: {force_reason}): {o}" for o in overridden),
                        *res.notes))


def _dates_or_refuse(snap: Snapshot, force_reason: str | None) -> tuple[str, ...]:
    """Refuse a snapshot dated before its payload's own timestamps, unless forced (then: the check overridden)."""
    early = check_payload_dates(snap)
    if early is None:
        return ()
    if force_reason is None:
        raise InputError(f"{early}. Nothing was written. Pass the date the payload was downloaded "
                         "(--observed-at), or, if it really is right, record it with --force --reason 'why' "
                         "(force_reason='why'), which keeps the reason in the store.")
    return (early,)


def fetch(store: Store | str | Path, source: str, *, payload: Path | str | bytes | None = None,
          observed_at: str | datetime | None = None, url: str | None = None, policy: RetryPolicy | None = None,
          transport: httpx.BaseTransport | None = None, env: Mapping[str, str] | None = None,
          on_stage: Callable[[str], None] | None = None,
          on_retry: Callable[[int, str, float], None] | None = None, max_bytes: int | None = None,
          allow_shrink: bool = False, force_reason: str | None = None,
          lock_timeout: float | None = None) -> FetchReport:
    """Fetch (or replay) one snapshot of ``source`` and record it — the ``llmflation fetch`` path.

    Parameters
    ----------
    store : Store or path
        A path is opened only after the payload was downloaded and validated, and
        closed afterwards (so a slow or failing network never holds the write lock).
    source : {"openrouter", "litellm", "epoch", "artificial-analysis", "openrouter-rankings"}
    payload : path or bytes, optional
        Replay a saved response instead of the network (a ``.json.gz`` is decompressed).
    observed_at : str, datetime or date, optional
        Snapshot time; default from the payload file name, its modification time, or now.
        Refused when it is not a date/time or lies more than a day in the future.
    url, policy, transport, env :
        Network options (alternative URL, retry policy with the time budget, size cap
        and redirect limit, injected transport, environment holding API keys).
    on_stage, on_retry : callable, optional
        Progress hooks: the write stage, and each retry ``(attempt, reason, delay)``.
    max_bytes : int, optional
        Largest payload accepted, downloaded or decompressed (default
        ``policy.max_bytes``, 200 MiB).
    allow_shrink : bool
        Record a snapshot that lists fewer than half of the keys of the source's open
        intervals (refused by default: such a response is usually truncated).
    force_reason : str, optional
        Record a snapshot refused by a sanity check (``observed_at`` before the payload's
        own timestamps, a unit change); the reason is kept with it in the store.
    lock_timeout : float, optional
        Seconds to wait while other processes read the store (default
        ``$LLMFLATION_LOCK_TIMEOUT`` or 60).

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
    if not isinstance(source, str):
        raise InputError(f"source must be one of {', '.join(map(repr, SOURCES))}; got {source!r} "
                         f"({type(source).__name__}).")
    check_choice("source", source, SOURCES)
    max_bytes = check_int(max_bytes, "max_bytes", minimum=1, allow_none=True)
    allow_shrink = check_bool(allow_shrink, "allow_shrink")
    if force_reason is not None and (not isinstance(force_reason, str) or not force_reason.strip()):
        raise InputError(f"force_reason={force_reason!r}: forcing a refused snapshot needs a reason, kept with it "
                         "in the store; expected text such as --reason 'the source switched to per-1K prices'.")
    wait = store_lock.lock_timeout(lock_timeout)
    for cb_name, cb in (("on_stage", on_stage), ("on_retry", on_retry)):
        if cb is not None and not callable(cb):
            raise InputError(f"{cb_name} must be a callable or None; got {cb!r} ({type(cb).__name__}).")
    if not isinstance(store, (Store, str, PathLike)):
        raise InputError(f"store={store!r} ({type(store).__name__}) is not a store; expected a Store or a file "
                         "path such as 'prices.duckdb'.")
    policy = policy or RetryPolicy()
    if max_bytes is not None:
        policy = replace(policy, max_bytes=max_bytes)  # validated by RetryPolicy
    cap = policy.max_bytes
    if payload is None:
        when, how = resolve_observed_at(observed_at)
        raw = download(source, url=url, policy=policy, transport=transport, env=env, on_retry=on_retry)
        origin = url or URLS[source]
    elif isinstance(payload, bytes):
        when, how = resolve_observed_at(observed_at)
        raw, origin = payload, "payload bytes"
    elif isinstance(payload, (str, PathLike)):
        path = Path(payload)
        if not path.is_file():
            raise InputError(f"--payload {str(path)!r} is not a file; expected a saved {source} response.")
        when, how = resolve_observed_at(observed_at, path)
        size = path.stat().st_size
        if size > cap:
            raise InputError(f"--payload {str(path)!r} holds {size:,} bytes, more than the {cap:,} bytes cap; "
                             f"expected a saved {source} response. Raise --max-bytes (max_bytes=) if it really "
                             "is that large.")
        raw, origin = path.read_bytes(), str(path)
    else:
        raise InputError(f"payload={payload!r} ({type(payload).__name__}) is not a payload; expected a file path "
                         "or the response bytes.")
    snap = prepare(source, raw, observed_at=when, origin=origin, observed_at_from=how, max_bytes=cap)
    _dates_or_refuse(snap, force_reason)  # before the store is opened (or created)
    if isinstance(store, Store):
        return record(store, snap, on_stage=on_stage, allow_shrink=allow_shrink, force_reason=force_reason)
    with Store(store, lock_timeout=wait) as s:
        return record(s, snap, on_stage=on_stage, allow_shrink=allow_shrink, force_reason=force_reason)
