"""HTTP for the live sources: one GET with bounded retries, and payload decoding helpers.

Timeouts, connection errors and HTTP 408/425/429/5xx are retried with exponential
backoff and *full jitter* (sleep a uniform random time in ``[0, min(cap, base · 2^k)]``,
the AWS Architecture Blog recommendation, so that many cron jobs do not retry in lock
step). ``Retry-After`` is honoured when the server sends it. Attempts and total wall time
are both bounded; then :class:`~llmflation.errors.FetchError` says what failed and that
the bundled snapshot still works offline. Other HTTP errors (400, 401, 403, 404 …) are
not retried: repeating them cannot help.

The helpers at the end turn a payload's JSON and pydantic validation errors into
:class:`~llmflation.errors.ParseError` messages that name the record and the field.
"""

from __future__ import annotations

import email.utils
import json
import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
import pandas as pd
from pydantic import ValidationError

from llmflation.errors import FetchError, InputError, ParseError

#: Statuses worth retrying: request timeout, too early, rate limited, server errors.
RETRY_STATUSES = frozenset({408, 425, 429})
USER_AGENT = "llmflation (+https://github.com/llmflation/llmflation; dated LLM price history)"
OFFLINE_HINT = ("The bundled snapshot still works offline: `llmflation.load_panel()` and every command "
                "without `fetch` use it; a saved response can be replayed with `--payload FILE`.")


@dataclass(frozen=True)
class RetryPolicy:
    """Bounds of one GET: attempts, per-request timeout, backoff and total time.

    Parameters
    ----------
    max_attempts : int
        Requests in total (1 = no retry).
    timeout : float
        Seconds for each request (connect, read, write, pool), further capped by the
        time left in ``max_total``.
    backoff_base, backoff_cap : float
        The k-th retry sleeps ``uniform(0, min(backoff_cap, backoff_base * 2**k))`` s.
    max_total : float
        Wall-clock budget in seconds for all attempts and sleeps.

    Examples
    --------
    >>> RetryPolicy(max_attempts=3).max_attempts
    3
    """

    max_attempts: int = 5
    timeout: float = 30.0
    backoff_base: float = 0.5
    backoff_cap: float = 20.0
    max_total: float = 120.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise InputError(f"max_attempts must be at least 1, got {self.max_attempts!r}.")
        for name in ("timeout", "max_total"):
            if not getattr(self, name) > 0:
                raise InputError(f"{name} must be a positive number of seconds, got {getattr(self, name)!r}.")
        if self.backoff_base < 0 or self.backoff_cap < 0:
            raise InputError("backoff_base and backoff_cap must be non-negative seconds.")


def backoff_delay(retry: int, policy: RetryPolicy, rng: random.Random) -> float:
    """Sleep before retry number ``retry`` (0-based): full jitter on an exponential cap.

    Examples
    --------
    >>> p = RetryPolicy(backoff_base=1.0, backoff_cap=4.0)
    >>> all(0 <= backoff_delay(k, p, random.Random(0)) <= min(4.0, 2 ** k) for k in range(6))
    True
    """
    ceiling = min(policy.backoff_cap, policy.backoff_base * (2.0 ** retry))
    return rng.uniform(0.0, ceiling)


def _retry_after(resp: httpx.Response) -> float | None:
    value = resp.headers.get("Retry-After")
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _retryable_status(code: int) -> bool:
    return code in RETRY_STATUSES or 500 <= code <= 599


def get_bytes(url: str, *, what: str = "source", headers: Mapping[str, str] | None = None,
              params: Mapping[str, str] | None = None, policy: RetryPolicy | None = None,
              transport: httpx.BaseTransport | None = None, sleep: Callable[[float], None] = time.sleep,
              clock: Callable[[], float] = time.monotonic, rng: random.Random | None = None,
              on_retry: Callable[[int, str, float], None] | None = None) -> bytes:
    """GET ``url`` and return the body, retrying transient failures.

    Parameters
    ----------
    url : str
    what : str
        Name of the source, used in messages (e.g. ``"openrouter"``).
    headers, params : mapping, optional
        Extra request headers (e.g. an API key) and query parameters.
    policy : RetryPolicy, optional
    transport : httpx.BaseTransport, optional
        Injected transport (tests use :class:`httpx.MockTransport`).
    sleep, clock, rng :
        Injected for tests; default real time and a fresh RNG.
    on_retry : callable, optional
        Called as ``on_retry(attempt, reason, delay)`` before each sleep.

    Raises
    ------
    FetchError
        After the last attempt or when the time budget is spent, or at once for a
        non-retryable HTTP status. The message names the URL, the attempts, the last
        error, and says that the bundled snapshot still works offline.

    Examples
    --------
    >>> t = httpx.MockTransport(lambda req: httpx.Response(200, content=b'{"data": []}'))
    >>> get_bytes("https://example.org/api", transport=t)
    b'{"data": []}'
    """
    policy = policy or RetryPolicy()
    rng = rng or random.Random()
    start = clock()
    hdrs = {"User-Agent": USER_AGENT, "Accept": "application/json, application/zip, */*"}
    hdrs.update(headers or {})
    last = "no attempt made"
    attempt = 0
    with httpx.Client(transport=transport, headers=hdrs, follow_redirects=True) as client:
        while attempt < policy.max_attempts:
            attempt += 1
            left = policy.max_total - (clock() - start)
            if left <= 0:
                break
            timeout = min(policy.timeout, left)
            retry_after: float | None = None
            try:
                resp = client.get(url, params=params, timeout=httpx.Timeout(timeout))
            except httpx.UnsupportedProtocol as exc:
                raise FetchError(f"cannot GET {url!r}: {exc}. Expected an http(s) URL.") from None
            except httpx.TimeoutException as exc:
                last = f"timed out after {timeout:.3g} s ({type(exc).__name__})"
            except httpx.TransportError as exc:
                last = f"connection error ({type(exc).__name__}: {exc})"
            else:
                if resp.status_code < 300:
                    return resp.content
                reason = f"HTTP {resp.status_code} {resp.reason_phrase}".rstrip()
                if not _retryable_status(resp.status_code):
                    hint = ""
                    if resp.status_code in (401, 403):
                        hint = " The server refused the request: check the API key, if the source needs one."
                    raise FetchError(f"GET {url} for {what} returned {reason}; not retried (a client error "
                                     f"that repeating cannot fix).{hint} {OFFLINE_HINT}")
                last = reason
                retry_after = _retry_after(resp)
            if attempt >= policy.max_attempts:
                break
            delay = backoff_delay(attempt - 1, policy, rng)
            if retry_after is not None:
                delay = max(delay, retry_after)
            if clock() - start + delay >= policy.max_total:
                last += f"; the next retry would wait {delay:.3g} s, past the {policy.max_total:g} s budget"
                break
            if on_retry is not None:
                on_retry(attempt, last, delay)
            sleep(delay)
    elapsed = clock() - start
    raise FetchError(f"GET {url} for {what} failed after {attempt} attempt(s) in {elapsed:.1f} s "
                     f"(last error: {last}). {OFFLINE_HINT}")


# --------------------------------------------------------------------------- payload helpers


@dataclass(frozen=True)
class ParsedPayload:
    """A validated payload in its source's raw schema, plus what was left out and why.

    Attributes
    ----------
    source : str
    frame : DataFrame
        One row per kept record, in the schema of the bundled table of that source.
    records : int
        Records in the payload.
    skipped : dict
        Reason → number of records validated but not kept (e.g. embedding models).
    """

    source: str
    frame: pd.DataFrame
    records: int
    skipped: dict[str, int] = field(default_factory=dict)


def load_json(raw: bytes, source: str) -> Any:
    """Decode a JSON payload, or raise :class:`ParseError` saying where it broke.

    Examples
    --------
    >>> load_json(b'{"data": [1]}', "openrouter")
    {'data': [1]}
    >>> load_json(b'{"data": [1', "openrouter")
    Traceback (most recent call last):
    ...
    llmflation.errors.ParseError: openrouter payload is not valid JSON (truncated or corrupt?): ...
    """
    try:
        return json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ParseError(f"{source} payload is not valid JSON (truncated or corrupt?): {exc}. "
                         f"{len(raw):,} bytes were read. The store was not changed.") from None


def validation_error(source: str, exc: ValidationError, records: Sequence[Any] | Mapping[str, Any],
                     key_field: str = "id") -> ParseError:
    """A :class:`ParseError` naming the first invalid record and field of a payload.

    ``records`` is the sequence (or mapping) that was validated; the error's location
    starts with the record's index (or key).

    Examples
    --------
    >>> from pydantic import TypeAdapter
    >>> recs = [{"id": "a/b", "n": 1}, {"id": "c/d", "n": "x"}]
    >>> try:
    ...     TypeAdapter(list[dict[str, int]]).validate_python([{"n": 1}, {"n": "x"}])
    ... except ValidationError as exc:
    ...     print(validation_error("demo", exc, recs))  # doctest: +ELLIPSIS
    demo payload failed validation at record 1 (id 'c/d'), field 'n': Input should be a valid integer...
    """
    errs = exc.errors()
    e = errs[0]
    loc = list(e.get("loc", ()))
    where = "payload"
    if loc:
        head = loc.pop(0)
        if isinstance(records, Mapping):
            where = f"record {head!r}"
        elif isinstance(head, int):
            rec = records[head] if 0 <= head < len(records) else None
            key = rec.get(key_field) if isinstance(rec, Mapping) else None
            where = f"record {head}" + (f" ({key_field} {key!r})" if key is not None else "")
        else:
            loc.insert(0, head)
    fld = ".".join(str(p) for p in loc) or "(the record itself)"
    got = e.get("input")
    shown = repr(got) if not isinstance(got, (dict, list)) else type(got).__name__
    if len(shown) > 80:
        shown = shown[:77] + "..."
    more = f" ({len(errs) - 1} more error(s) after this one)" if len(errs) > 1 else ""
    return ParseError(f"{source} payload failed validation at {where}, field {fld!r}: {e.get('msg')} "
                      f"(got {shown}){more}. The store was not changed; fix or re-download the payload.")
