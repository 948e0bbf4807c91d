"""Fair, bounded waiting for a store file shared by several llmflation processes.

DuckDB lets one process open a database file read-write, or any number of processes
open it read-only, never both at once: a writer finds the file locked while a reader has
it open, and a reader while a writer has it open. Left alone, a fetch beside a few
commands that read the store in a loop fails at once ("Conflicting lock is held"), and
retrying blindly can starve: some reader almost always holds the file.

So llmflation processes agree on a lock of their own before they open the file
(POSIX ``flock`` on two small files beside the store, ``<store>.lock`` and
``<store>.turnstile``), the classic writer-preferring readers-writer lock:

* a **reader** passes the turnstile (takes it exclusively and releases it at once), then
  holds ``.lock`` *shared*: readers never wait for each other;
* a **writer** takes the turnstile and keeps it, so new readers queue behind it, then
  waits for ``.lock`` *exclusively* (the readers already in finish first).

Every wait is bounded by ``timeout`` seconds (``--lock-timeout``,
``$LLMFLATION_LOCK_TIMEOUT``, default :data:`DEFAULT_LOCK_TIMEOUT`), polling with a
short sleep, and ends in :class:`~llmflation.errors.StoreLockedError`. Processes that are
not llmflation (a notebook holding the file) are not covered by these files; DuckDB's own
lock error is then retried until the same deadline (:class:`llmflation.store.db.Store`).
Where ``flock`` is unavailable (Windows) or the lock files cannot be created (a
read-only folder), only that retry applies.

Within one process the lock is taken once per store path and counted, so a process may
open the same store several times.
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from llmflation.errors import InputError, StoreLockedError

try:  # POSIX only
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

#: Seconds a command waits for a store another process is using, unless told otherwise.
DEFAULT_LOCK_TIMEOUT = 60.0
#: Environment variable overriding :data:`DEFAULT_LOCK_TIMEOUT`.
LOCK_TIMEOUT_ENV = "LLMFLATION_LOCK_TIMEOUT"
#: Longest wait accepted: every wait is bounded.
MAX_LOCK_TIMEOUT = 86_400.0
#: Pause between two tries of a busy lock.
POLL_SECONDS = 0.02

_held: dict[str, list[Any]] = {}  # resolved path -> [lock fd, turnstile fd or None, count]
_key_locks: dict[str, threading.Lock] = {}  # resolved path -> the lock its threads take turns on
_guard = threading.Lock()  # guards _key_locks


def lock_timeout(value: float | str | None = None, env: Mapping[str, str] | None = None) -> float:
    """Seconds to wait for a busy store: ``value``, else ``$LLMFLATION_LOCK_TIMEOUT``, else the default.

    Raises
    ------
    InputError
        The value is not a finite number of seconds ≥ 0.

    Examples
    --------
    >>> lock_timeout(5)
    5.0
    >>> lock_timeout(None, env={"LLMFLATION_LOCK_TIMEOUT": "2.5"})
    2.5
    >>> lock_timeout("inf")
    Traceback (most recent call last):
    ...
    llmflation.errors.InputError: lock timeout 'inf' is not a finite number of seconds >= 0; expected e.g. 60 (--lock-timeout or $LLMFLATION_LOCK_TIMEOUT).
    """
    where = "lock timeout"
    if value is None:
        value = (os.environ if env is None else env).get(LOCK_TIMEOUT_ENV)
        if value is None or not str(value).strip():
            return DEFAULT_LOCK_TIMEOUT
        where = f"${LOCK_TIMEOUT_ENV}"
    try:
        if isinstance(value, bool):
            raise TypeError
        secs = float(value)
    except (TypeError, ValueError):
        secs = float("nan")
    if not math.isfinite(secs) or secs < 0:
        raise InputError(f"{where} {value!r} is not a finite number of seconds >= 0; expected e.g. 60 "
                         f"(--lock-timeout or ${LOCK_TIMEOUT_ENV}).")
    if secs > MAX_LOCK_TIMEOUT:
        raise InputError(f"{where} {value!r} is longer than {MAX_LOCK_TIMEOUT:,.0f} seconds (one day); expected e.g. "
                         f"60. A store busy for a day is held by a stuck process: find it instead of waiting.")
    return secs


def locked_error(path: str, waited: float, seen: str) -> StoreLockedError:
    return StoreLockedError(
        f"store {path} is locked by another process (waited {waited:.1f} s; seen: {seen}). Wait for the other "
        "llmflation command to finish, or use a different --db path; to wait longer, raise --lock-timeout "
        f"(or ${LOCK_TIMEOUT_ENV}, in seconds).")


def _open(path: str) -> int | None:
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    except OSError:
        return None  # a read-only folder: no lock files, DuckDB's own lock still applies


def _take(fd: int, mode: int, deadline: float, path: str, start: float,
          clock: Callable[[], float], what: str) -> None:
    while True:
        try:
            fcntl.flock(fd, mode | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if clock() >= deadline:
                raise locked_error(path, clock() - start, what) from None
            time.sleep(POLL_SECONDS)


def acquire(path: str, *, write: bool, timeout: float, clock: Callable[[], float] = time.monotonic) -> bool:
    """Take the store's lock (shared to read, exclusive to write), waiting at most ``timeout`` s.

    Returns ``True`` when a lock was taken (release it with :func:`release`), ``False``
    when none applies (``:memory:``, no ``flock``, lock files not creatable).

    Raises
    ------
    StoreLockedError
        Still busy after ``timeout`` seconds (the message says how to wait longer).

    Examples
    --------
    >>> import tempfile
    >>> p = str(Path(tempfile.mkdtemp()) / "s.duckdb")
    >>> acquire(p, write=True, timeout=0), acquire(p, write=False, timeout=0)  # same process: counted
    (True, True)
    >>> release(p); release(p)
    """
    if fcntl is None or path == ":memory:":
        return False
    key = str(Path(path).resolve())
    with _key_lock(key):  # threads of one process take a path's lock one at a time, then share it
        if key in _held:
            _held[key][2] += 1
            return True
        return _acquire(key, path, write=write, timeout=timeout, clock=clock)


def _key_lock(key: str) -> threading.Lock:
    with _guard:
        return _key_locks.setdefault(key, threading.Lock())


def _acquire(key: str, path: str, *, write: bool, timeout: float, clock: Callable[[], float]) -> bool:
    start = clock()
    deadline = start + timeout
    lock_fd = _open(key + ".lock")
    if lock_fd is None:
        return False
    gate_fd = _open(key + ".turnstile")
    try:
        if gate_fd is not None:
            _take(gate_fd, fcntl.LOCK_EX, deadline, path, start, clock, "a writer is waiting for the store")
        _take(lock_fd, fcntl.LOCK_EX if write else fcntl.LOCK_SH, deadline, path, start, clock,
              "another llmflation process is " + ("using" if write else "writing") + " the store")
    except BaseException:
        for fd in (lock_fd, gate_fd):
            if fd is not None:
                os.close(fd)  # closing drops the flock
        raise
    if gate_fd is not None and not write:  # readers only pass the turnstile
        os.close(gate_fd)
        gate_fd = None
    _held[key] = [lock_fd, gate_fd, 1]
    return True


def release(path: str) -> None:
    """Release one :func:`acquire` of ``path`` (the files' locks go with the last one)."""
    if fcntl is None or path == ":memory:":
        return
    key = str(Path(path).resolve())
    with _key_lock(key):
        entry = _held.get(key)
        if entry is None:
            return
        entry[2] -= 1
        if entry[2] > 0:
            return
        del _held[key]
        for fd in entry[:2]:
            if fd is not None:
                os.close(fd)
