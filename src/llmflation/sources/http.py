"""HTTP for the live sources: one bounded GET with retries, and payload decoding helpers.

Timeouts, connection errors and HTTP 408/425/429/5xx are retried with exponential
backoff and *full jitter* (sleep a uniform random time in ``[0, min(cap, base · 2^k)]``,
the AWS Architecture Blog recommendation, so that many cron jobs do not retry in lock
step). ``Retry-After`` is honoured when the server sends it. Other HTTP errors (400, 401,
403, 404 …) are not retried: repeating them cannot help.

Every GET is bounded, whatever the server does:

* **time** — ``max_total`` is one deadline for the whole fetch: every socket operation
  (connect, each read of headers and body) waits at most until the deadline, and the
  deadline is checked again after each chunk of the body, so a server that drips a byte
  a second cannot hold a fetch past it; retries and their sleeps respect it too;
* **size** — at most ``max_bytes`` are read, and at most ``max_bytes`` are produced when
  a body is decompressed (``Content-Encoding: gzip``/``deflate`` is decoded here, in
  bounded steps, so a small gzip bomb cannot expand in memory);
* **redirects** — followed by hand, at most ``max_redirects``; a loop is named as such;
  credentials (every header the caller passed, e.g. ``Authorization`` or ``x-api-key``,
  and cookies) are sent only while every hop stays on the original origin (scheme, host
  and port) and are dropped for good at the first cross-origin hop.

Then :class:`~llmflation.errors.FetchError` says what failed and that the bundled
snapshot still works offline.

The helpers at the end turn a payload's JSON and pydantic validation errors into
:class:`~llmflation.errors.ParseError` messages that name the record and the field.
"""

from __future__ import annotations

import email.utils
import json
import math
import random
import re
import socket
import threading
import time
import zlib
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
#: Default cap of a response body (and of its decompressed size): 200 MiB. The largest
#: source (LiteLLM's price map) is a few MB.
DEFAULT_MAX_BYTES = 200 * 1024 ** 2
#: Request headers that carry no credential; every other header the caller passes is
#: dropped on a cross-origin redirect.
SAFE_HEADERS = frozenset({"accept", "accept-encoding", "accept-language", "user-agent"})
GZIP_MAGIC = b"\x1f\x8b"
#: Longest time limit accepted (one day): longer is a typo, and past ~1e9 s the watchdog
#: timer cannot even be armed (the platform's time_t overflows in its thread).
MAX_SECONDS = 86_400.0
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(i?b?)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class RetryPolicy:
    """Bounds of one GET: attempts, timeouts, backoff, total time, size and redirects.

    Parameters
    ----------
    max_attempts : int
        Requests in total (1 = no retry).
    timeout : float
        Seconds for each network operation of a request (connect, each read, write),
        further capped by the time left in ``max_total``.
    backoff_base, backoff_cap : float
        The k-th retry sleeps ``uniform(0, min(backoff_cap, backoff_base * 2**k))`` s.
    max_total : float
        Wall-clock budget in seconds for the whole fetch: all attempts, redirects,
        bodies and sleeps (``--max-time``).
    max_bytes : int
        Largest body accepted, before and after decompression (``--max-bytes``).
    max_redirects : int
        Redirects followed at most per attempt.

    Examples
    --------
    >>> RetryPolicy(max_attempts=3).max_attempts
    3
    >>> RetryPolicy().max_bytes == DEFAULT_MAX_BYTES
    True
    """

    max_attempts: int = 5
    timeout: float = 30.0
    backoff_base: float = 0.5
    backoff_cap: float = 20.0
    max_total: float = 120.0
    max_bytes: int = DEFAULT_MAX_BYTES
    max_redirects: int = 5

    def __post_init__(self) -> None:
        for name in ("max_attempts", "max_bytes", "max_redirects"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int):
                raise InputError(f"{name} must be an integer, got {type(v).__name__} {v!r}.")
        if self.max_attempts < 1:
            raise InputError(f"max_attempts must be at least 1, got {self.max_attempts!r}.")
        if self.max_bytes < 1:
            raise InputError(f"max_bytes must be a positive number of bytes, got {self.max_bytes!r}; "
                             "expected e.g. 200_000_000 (200 MB).")
        if self.max_redirects < 0:
            raise InputError(f"max_redirects must be 0 or more, got {self.max_redirects!r}.")
        flag = {"timeout": "--timeout", "max_total": "--max-time"}
        for name in ("timeout", "max_total", "backoff_base", "backoff_cap"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                raise InputError(f"{name} must be a number of seconds, got {type(v).__name__} {v!r}.")
            positive = name in flag
            if positive and math.isfinite(v) and v > MAX_SECONDS:
                raise InputError(f"{name} must be at most {MAX_SECONDS:,.0f} seconds (one day){f' ({flag[name]})'}, "
                                 f"got {v!r}; expected e.g. {'120' if name == 'max_total' else '30'}. A fetch "
                                 "that needs longer than a day is stalled: pass a value up to a day.")
            if not math.isfinite(v) or (v <= 0 if positive else v < 0):
                how = f" ({flag[name]})" if name in flag else ""
                raise InputError(f"{name} must be a {'positive' if positive else 'non-negative'} finite "
                                 f"number of seconds{how}, got {v!r}; expected e.g. "
                                 f"{'120' if name == 'max_total' else '30' if name == 'timeout' else '0.5'}. "
                                 "Every fetch is bounded in time: pass a finite value (at most 86,400 s, a day) to wait longer.")


def parse_size(text: str | int) -> int:
    """Bytes of a size such as ``"200MB"``, ``"1.5G"``, ``"64KiB"`` or ``"500000"``.

    Units are powers of 1024 (``k``, ``M``, ``G``, ``T``; an optional ``B``/``iB``).

    Examples
    --------
    >>> parse_size("200MB"), parse_size("64k"), parse_size(1000)
    (209715200, 65536, 1000)
    >>> parse_size("lots")
    Traceback (most recent call last):
    ...
    llmflation.errors.InputError: size 'lots' is not understood; expected a number of bytes with an optional unit, e.g. 500000, 64KB, 200MB or 1.5GB.
    """
    if isinstance(text, int) and not isinstance(text, bool):
        n = text
    else:
        m = _SIZE.match(str(text))
        if not m:
            raise InputError(f"size {text!r} is not understood; expected a number of bytes with an optional "
                             "unit, e.g. 500000, 64KB, 200MB or 1.5GB.")
        n = int(float(m.group(1)) * 1024 ** " kmgt".index(m.group(2).lower() or " "))
    if n < 1:
        raise InputError(f"size {text!r} must be at least 1 byte.")
    return n


def _mb(n: int) -> str:
    return f"{n / 1024 ** 2:,.1f} MiB" if n >= 1024 ** 2 else f"{n:,} bytes"


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


# --------------------------------------------------------------------------- bounded decoding


class TooLarge(Exception):
    """Internal: a body or its decompressed form passed the size cap."""

    def __init__(self, produced: int):
        self.produced = produced


class BoundedDecoder:
    """Decode a (possibly gzip/deflate-compressed) byte stream into at most ``limit`` bytes.

    Decompression runs in steps of at most ``limit + 1`` output bytes, so a compressed
    body that would expand past the limit stops there (:class:`TooLarge`) instead of
    filling memory.

    Parameters
    ----------
    encoding : {"identity", "gzip", "deflate"}
    limit : int

    Examples
    --------
    >>> import gzip
    >>> d = BoundedDecoder("gzip", 100)
    >>> d.feed(gzip.compress(b"x" * 10)); d.finish()
    b'xxxxxxxxxx'
    >>> d = BoundedDecoder("gzip", 100)
    >>> d.feed(gzip.compress(b"x" * 10_000))
    Traceback (most recent call last):
    ...
    llmflation.sources.http.TooLarge: 101
    """

    def __init__(self, encoding: str, limit: int):
        self.encoding = encoding
        self.limit = limit
        self.buf = bytearray()
        self._d: Any = self._new() if encoding != "identity" else None
        self._first = True

    def _new(self, wbits: int | None = None) -> Any:
        if wbits is None:
            wbits = 16 + zlib.MAX_WBITS if self.encoding == "gzip" else zlib.MAX_WBITS
        return zlib.decompressobj(wbits)

    def _take(self, out: bytes) -> None:
        self.buf += out
        if len(self.buf) > self.limit:
            raise TooLarge(len(self.buf))

    def feed(self, data: bytes) -> None:
        """Add the next chunk of the stream (raises :class:`TooLarge` past the limit)."""
        if self._d is None:
            self._take(data)
            return
        while data:
            try:
                out = self._d.decompress(data, self.limit - len(self.buf) + 1)
            except zlib.error:
                if self.encoding == "deflate" and self._first:  # raw deflate without zlib header
                    self._d, self._first = self._new(-zlib.MAX_WBITS), False
                    continue
                raise
            self._first = False
            self._take(out)
            if self._d.unconsumed_tail:
                data = self._d.unconsumed_tail
            elif self._d.eof and self._d.unused_data and self.encoding == "gzip":
                data = self._d.unused_data  # a concatenated (multi-member) gzip stream
                self._d = self._new()
            else:
                data = b""

    def finish(self) -> bytes:
        """The decoded bytes; :class:`zlib.error` if a compressed stream stopped early."""
        if self._d is not None:
            self._take(self._d.flush())
            if not self._d.eof:
                raise zlib.error("the compressed stream ends early (truncated)")
        return bytes(self.buf)


def gunzip_bounded(raw: bytes, what: str, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """Decompress a gzip payload (a saved ``.json.gz``) into at most ``max_bytes``.

    Raises
    ------
    ParseError
        The payload expands past ``max_bytes`` or is not valid gzip.

    Examples
    --------
    >>> import gzip
    >>> gunzip_bounded(gzip.compress(b'{"data": []}'), "openrouter")
    b'{"data": []}'
    >>> gunzip_bounded(gzip.compress(b" " * 5000), "openrouter", max_bytes=1000)
    Traceback (most recent call last):
    ...
    llmflation.errors.ParseError: openrouter payload is gzip-compressed and expands past the 1,000 bytes cap ...
    """
    dec = BoundedDecoder("gzip", max_bytes)
    try:
        dec.feed(raw)
        return dec.finish()
    except TooLarge:
        raise ParseError(f"{what} payload is gzip-compressed and expands past the {_mb(max_bytes)} cap "
                         f"({len(raw):,} compressed bytes; a decompression bomb, or a larger source). Raise "
                         "--max-bytes (max_bytes=) if the source really is that large. The store was not "
                         "changed.") from None
    except zlib.error as exc:
        raise ParseError(f"{what} payload starts like gzip but cannot be decompressed ({exc}; "
                         f"{len(raw):,} bytes read): the file is truncated or corrupt. Re-download it, or "
                         "pass the uncompressed JSON. The store was not changed.") from None


# --------------------------------------------------------------------------- the GET


class _Deadline(dict):  # type: ignore[type-arg]
    """httpcore's per-request ``timeout`` extension, capped by the time left to the deadline.

    httpcore looks the timeouts up at the start of each phase (connect, send, headers,
    body), so every phase's waits are capped by the time left when it starts; the
    :class:`_Watchdog` bounds a phase that a dripping server keeps alive.
    """

    def __init__(self, timeout: float, deadline: float, clock: Callable[[], float]):
        super().__init__(connect=timeout, read=timeout, write=timeout, pool=timeout)
        self._timeout, self._deadline, self._clock = timeout, deadline, clock

    def _now(self) -> float:
        return max(0.001, min(self._timeout, self._deadline - self._clock()))

    def get(self, key: Any, default: Any = None) -> Any:
        return self._now() if key in self else default

    def __getitem__(self, key: Any) -> Any:
        super().__getitem__(key)
        return self._now()


class _Watchdog:
    """Shut the attempt's sockets down at the deadline, waking a read that is still waiting.

    Per-read timeouts cannot stop a server that sends one byte just before each timeout
    (httpcore sets the read timeout once per phase, not for the whole phase). The
    watchdog learns the sockets from httpcore's documented ``trace`` request extension
    (``connection.connect_tcp.complete`` / ``start_tls.complete``) and, when the time is
    up, calls ``shutdown()`` on them: the blocked read returns at once and the request
    fails, well within the budget. Responses of injected transports have no socket and
    rely on the checks between body chunks.
    """

    def __init__(self, seconds: float):
        self.fired = False
        self._streams: list[Any] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(max(0.0, seconds), self._fire)
        self._timer.daemon = True

    def trace(self, name: str, info: Mapping[str, Any]) -> None:
        if name.endswith((".connect_tcp.complete", ".start_tls.complete")) and info.get("return_value") is not None:
            with self._lock:
                self._streams.append(info["return_value"])
                if self.fired:
                    self._shutdown(info["return_value"])

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            for stream in self._streams:
                self._shutdown(stream)

    @staticmethod
    def _shutdown(stream: Any) -> None:
        try:
            stream.get_extra_info("socket").shutdown(socket.SHUT_RDWR)
        except Exception:  # noqa: BLE001 - already closed, or not a socket: nothing to wake
            pass

    def __enter__(self) -> _Watchdog:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()


class _Transient(Exception):
    """Internal: one attempt failed in a way worth retrying."""

    def __init__(self, reason: str, retry_after: float | None = None):
        self.reason, self.retry_after = reason, retry_after


class _OutOfTime(Exception):
    """Internal: the deadline passed while a response was being read."""


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    port = url.port or {"http": 80, "https": 443}.get(url.scheme)
    return url.scheme, url.host, port


def _read_body(resp: httpx.Response, *, url: str, what: str, policy: RetryPolicy, deadline: float,
               clock: Callable[[], float], start: float) -> bytes:
    cap = policy.max_bytes
    enc = resp.headers.get("Content-Encoding", "identity").strip().lower() or "identity"
    if enc not in ("identity", "gzip", "x-gzip", "deflate"):
        raise FetchError(f"GET {url} for {what} returned Content-Encoding {enc!r}; expected gzip, deflate or "
                         f"none (llmflation asks for those only). Check --url. {OFFLINE_HINT}")
    declared = resp.headers.get("Content-Length", "").strip()
    if declared.isdigit() and int(declared) > cap:
        raise FetchError(f"GET {url} for {what}: the response declares {int(declared):,} bytes, more than the "
                         f"{_mb(cap)} cap (max_bytes; `--max-bytes`). Raise --max-bytes if the source really "
                         f"grew that much, or check --url. Nothing was read. {OFFLINE_HINT}")
    dec = BoundedDecoder("gzip" if enc == "x-gzip" else enc, cap)
    if resp.is_stream_consumed:  # a response built in memory (httpx.MockTransport): already decoded
        dec = BoundedDecoder("identity", cap)
        chunks: Any = [resp.content]
    else:
        chunks = resp.iter_raw()
    raw = 0
    try:
        for chunk in chunks:
            raw += len(chunk)
            if raw > cap:
                raise TooLarge(raw)
            dec.feed(chunk)
            if clock() > deadline:
                raise _OutOfTime(f"{raw:,} bytes of the body received in {clock() - start:.1f} s")
        return dec.finish()
    except TooLarge as exc:
        how = "decompresses to" if enc != "identity" and exc.produced > raw else "is"
        raise FetchError(f"GET {url} for {what}: the response {how} more than the {_mb(cap)} cap (max_bytes; "
                         f"`--max-bytes`); stopped after {raw:,} bytes read. A server sending far more than "
                         "the source's usual size (or a compression bomb) is refused; raise --max-bytes if the "
                         f"source really grew that much. {OFFLINE_HINT}") from None
    except zlib.error as exc:
        raise _Transient(f"the {enc} body could not be decompressed ({exc})") from None


def get_bytes(url: str, *, what: str = "source", headers: Mapping[str, str] | None = None,
              params: Mapping[str, str] | None = None, policy: RetryPolicy | None = None,
              transport: httpx.BaseTransport | None = None, sleep: Callable[[float], None] = time.sleep,
              clock: Callable[[], float] = time.monotonic, rng: random.Random | None = None,
              on_retry: Callable[[int, str, float], None] | None = None) -> bytes:
    """GET ``url`` and return the body, retrying transient failures, within bounds.

    Parameters
    ----------
    url : str
    what : str
        Name of the source, used in messages (e.g. ``"openrouter"``).
    headers, params : mapping, optional
        Extra request headers (e.g. an API key) and query parameters. The headers are
        sent only to the origin of ``url``: they are dropped at the first redirect to
        another scheme, host or port.
    policy : RetryPolicy, optional
        Attempts, timeouts, the total deadline, the size cap and the redirect limit.
    transport : httpx.BaseTransport, optional
        Injected transport (tests use :class:`httpx.MockTransport`).
    sleep, clock, rng :
        Injected for tests; default real time and a fresh RNG.
    on_retry : callable, optional
        Called as ``on_retry(attempt, reason, delay)`` before each sleep.

    Raises
    ------
    FetchError
        After the last attempt or when the time budget is spent (also in the middle of
        a slow body), or at once for a non-retryable HTTP status, a body larger than
        ``policy.max_bytes``, a redirect loop or too many redirects. The message names
        the URL, the attempts, the last error, and says that the bundled snapshot
        still works offline.

    Examples
    --------
    >>> t = httpx.MockTransport(lambda req: httpx.Response(200, content=b'{"data": []}'))
    >>> get_bytes("https://example.org/api", transport=t)
    b'{"data": []}'
    """
    policy = policy or RetryPolicy()
    rng = rng or random.Random()
    start = clock()
    deadline = start + policy.max_total
    base = {"User-Agent": USER_AGENT, "Accept": "application/json, application/zip, */*",
            "Accept-Encoding": "gzip, deflate"}
    extra = dict(headers or {})
    last = "no attempt made"
    attempt = 0
    # No client-level headers: they would follow every redirect. follow_redirects=False:
    # each hop is checked here (origin, loops, count) before it is requested.
    # No keep-alive: every request opens its own connection, which the watchdog can see.
    with httpx.Client(transport=transport, follow_redirects=False,
                      limits=httpx.Limits(max_keepalive_connections=0)) as client:
        while attempt < policy.max_attempts:
            left = deadline - clock()
            if left <= 0:
                break
            attempt += 1
            timeout = min(policy.timeout, left)
            dog = _Watchdog(left)
            try:
                with dog:
                    return _attempt(client, url, what=what, base=base, extra=extra, params=params,
                                    policy=policy, deadline=deadline, clock=clock, start=start, trace=dog.trace)
            except _Transient as exc:
                last, retry_after = exc.reason, exc.retry_after
            except _OutOfTime as exc:
                raise _out_of_time(url, what, policy, attempt, str(exc)) from None
            except httpx.TransportError as exc:
                if dog.fired:
                    raise _out_of_time(url, what, policy, attempt, "the server had not finished sending "
                                       f"({type(exc).__name__}) when the time was up") from None
                if isinstance(exc, httpx.TimeoutException):
                    last, retry_after = f"timed out after {timeout:.3g} s ({type(exc).__name__})", None
                else:
                    last, retry_after = f"connection error ({type(exc).__name__}: {exc})", None
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
    spent = "; the time budget (max_total, `--max-time`) is spent" if elapsed >= policy.max_total else ""
    raise FetchError(f"GET {url} for {what} failed after {attempt} attempt(s) in {elapsed:.1f} s "
                     f"(last error: {last}{spent}). {OFFLINE_HINT}")


def _out_of_time(url: str, what: str, policy: RetryPolicy, attempt: int, detail: str) -> FetchError:
    return FetchError(f"GET {url} for {what} ran out of its {policy.max_total:g} s time budget (max_total; "
                      f"`--max-time`) while reading the response ({detail}; a slow or stalled server) after "
                      f"{attempt} attempt(s). Raise --max-time if the connection is just slow. {OFFLINE_HINT}")


def _attempt(client: httpx.Client, url: str, *, what: str, base: Mapping[str, str], extra: Mapping[str, str],
             params: Mapping[str, str] | None, policy: RetryPolicy, deadline: float,
             clock: Callable[[], float], start: float, trace: Callable[[str, Mapping[str, Any]], None]) -> bytes:
    """One attempt: the request and its redirects, each hop checked before it is sent."""
    current = httpx.URL(url)
    trusted = True  # still on the original origin: the caller's headers may go along
    chain = [str(current)]
    for hop in range(policy.max_redirects + 1):
        left = deadline - clock()
        if left <= 0:
            raise _OutOfTime("before the response started")
        send = {**base, **extra} if trusted else {**base, **{k: v for k, v in extra.items()
                                                            if k.lower() in SAFE_HEADERS}}
        if not trusted:  # cookies ignore ports: a cookie set by the first origin must not go along either
            client.cookies.clear()
        try:
            req = client.build_request("GET", current, params=params if hop == 0 else None, headers=send,
                                       extensions={"timeout": _Deadline(policy.timeout, deadline, clock),
                                                   "trace": trace})
        except httpx.InvalidURL as exc:
            raise FetchError(f"cannot GET {str(current)!r}: {exc}. Expected an http(s) URL.") from None
        try:
            resp = client.send(req, stream=True)
        except httpx.UnsupportedProtocol as exc:
            raise FetchError(f"cannot GET {str(current)!r}: {exc}. Expected an http(s) URL.") from None
        try:
            if resp.is_redirect:
                location = resp.headers.get("Location")
                if not location or not location.strip():
                    raise FetchError(f"GET {resp.url} for {what} returned HTTP {resp.status_code} (a redirect) "
                                     "without a Location header; expected the address to follow. The server "
                                     f"is misconfigured: try again later or pass another --url. {OFFLINE_HINT}")
                try:
                    nxt = resp.url.join(location)
                except (httpx.InvalidURL, ValueError):
                    raise FetchError(f"GET {resp.url} for {what} redirected to an invalid URL {location!r}. "
                                     f"{OFFLINE_HINT}") from None
                if nxt.scheme not in ("http", "https"):
                    raise FetchError(f"GET {resp.url} for {what} redirected to {str(nxt)!r}; expected an http(s) "
                                     f"URL. {OFFLINE_HINT}")
                if str(nxt) in chain:
                    loop = " → ".join([*chain[chain.index(str(nxt)):], str(nxt)])
                    raise FetchError(f"GET {url} for {what} hit a redirect loop ({loop}); the server is "
                                     f"misconfigured. Try again later or pass another --url. {OFFLINE_HINT}")
                trusted = trusted and _origin(nxt) == _origin(resp.url)
                chain.append(str(nxt))
                current = nxt
                continue
            if resp.status_code < 300:
                return _read_body(resp, url=url, what=what, policy=policy, deadline=deadline, clock=clock,
                                  start=start)
            reason = f"HTTP {resp.status_code} {resp.reason_phrase}".rstrip()
            if not _retryable_status(resp.status_code):
                hint = ""
                if resp.status_code in (401, 403):
                    hint = " The server refused the request: check the API key, if the source needs one."
                via = f" (after redirects to {resp.url})" if hop else ""
                raise FetchError(f"GET {url} for {what} returned {reason}{via}; not retried (a client error "
                                 f"that repeating cannot fix).{hint} {OFFLINE_HINT}")
            raise _Transient(reason, _retry_after(resp))
        finally:
            resp.close()
    raise FetchError(f"GET {url} for {what} was redirected more than {policy.max_redirects} times "
                     f"({' → '.join(chain[:4])} → …); expected the data within {policy.max_redirects} "
                     f"redirect(s). Check --url. {OFFLINE_HINT}")


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


def load_json(raw: bytes, source: str, max_bytes: int = DEFAULT_MAX_BYTES) -> Any:
    """Decode a JSON payload, or raise :class:`ParseError` saying where it broke.

    Examples
    --------
    >>> load_json(b'{"data": [1]}', "openrouter")
    {'data': [1]}
    >>> load_json(b'{"data": [1', "openrouter")
    Traceback (most recent call last):
    ...
    llmflation.errors.ParseError: openrouter payload is not valid JSON (truncated or corrupt?): ...

    A gzip-compressed payload (a saved ``.json.gz``) is decompressed first, bounded by
    ``max_bytes``:

    >>> import gzip
    >>> load_json(gzip.compress(b'{"data": [1]}'), "openrouter")
    {'data': [1]}
    """
    if raw[:2] == GZIP_MAGIC:
        raw = gunzip_bounded(raw, source, max_bytes)
    try:
        return json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ParseError(f"{source} payload is not valid JSON (truncated or corrupt?): {exc}. "
                         f"{len(raw):,} bytes were read. The store was not changed.") from None
    except RecursionError:
        raise ParseError(f"{source} payload nests arrays or objects too deeply to read ({len(raw):,} bytes); "
                         f"expected the source's flat list of models (a few levels deep). The payload is corrupt "
                         "or hostile: re-download it, or check --url. The store was not changed.") from None


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
