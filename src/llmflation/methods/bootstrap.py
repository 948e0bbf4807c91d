"""Run a list of independent tasks through joblib, locally or on a Dask cluster.

``parallel_map(func, items, n_jobs=..., backend=...)`` returns ``[func(i) for i in items]``
in order. Randomness never depends on the backend: give each task its own seed from
:func:`task_seeds` (``numpy.random.SeedSequence.spawn``), so a fixed ``seed`` gives the same
numbers with ``"sequential"``, ``"loky"``, ``"threading"`` or ``"dask"``.

``backend="dask"`` needs the optional extra ``llmflation[scale]`` (``dask[distributed]``).
It uses the active ``dask.distributed.Client`` if there is one, else starts a temporary
in-process ``LocalCluster`` with ``n_jobs`` workers for the call.

:func:`fork_map` runs a few large, unpicklable tasks (closures over data frames) on this
process and forked copies of it: nothing is pickled but the results.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable, Iterable, Sequence
from typing import Annotated, Any, Literal, TypeVar

import numpy as np

from llmflation.errors import InputError
from llmflation.signature import NonNegativeInt, Seed, Via, validated

T = TypeVar("T")
R = TypeVar("R")
Backend = Literal["sequential", "loky", "threading", "dask"]
BACKENDS: tuple[str, ...] = ("sequential", "loky", "threading", "dask")


def _n_jobs(v: Any, name: str) -> int:
    if isinstance(v, bool | np.bool_) or not isinstance(v, int | np.integer) or v == 0 or v < -1:
        raise InputError(f"{name}={v!r} is not allowed; expected a positive integer or -1 (all cores).")
    return int(v)


#: Number of workers: a positive integer, or -1 for all cores.
NJobs = Annotated[int, Via(_n_jobs)]


@validated
def task_seeds(seed: Seed | None, n: NonNegativeInt) -> list[int]:
    """``n`` independent 32-bit seeds derived from ``seed`` (same on every backend).

    Examples
    --------
    >>> task_seeds(1, 2) == task_seeds(1, 2)
    True
    """
    ss = np.random.SeedSequence(seed)
    return [int(c.generate_state(1)[0]) for c in ss.spawn(n)]


@validated
def parallel_map(func: Callable[[T], R], items: Iterable[T], *, n_jobs: NJobs = 1,
                 backend: Backend = "loky") -> list[R]:
    """``[func(x) for x in items]`` run by joblib (``n_jobs`` workers) or on Dask.

    Parameters
    ----------
    func : callable
        A picklable (module-level) function of one argument.
    items : iterable
        Task arguments.
    n_jobs : int
        Number of workers; 1 (or a single task) runs in this process whatever the backend,
        except ``"dask"``, which always ships the work to the cluster.
    backend : {"sequential", "loky", "threading", "dask"}

    Examples
    --------
    >>> parallel_map(abs, [-1, 2, -3], n_jobs=1)
    [1, 2, 3]
    """
    tasks: Sequence[T] = list(items)
    if backend == "dask":
        return _dask_map(func, tasks, n_jobs)
    if backend == "sequential" or n_jobs == 1 or len(tasks) <= 1:
        return [func(t) for t in tasks]
    from joblib import Parallel, delayed

    return list(Parallel(n_jobs=int(n_jobs), backend=backend)(delayed(func)(t) for t in tasks))


def _dask_map(func: Callable[[Any], Any], tasks: Sequence[Any], n_jobs: int) -> list[Any]:
    try:
        from dask.distributed import Client, LocalCluster, get_client
    except ImportError:  # pragma: no cover - depends on the optional extra
        raise InputError("backend='dask' needs the optional extra: pip install "
                         "'llmflation[scale]' (dask[distributed]).") from None
    from joblib import Parallel, delayed, parallel_config

    try:
        get_client()
        own = None
    except ValueError:
        workers = 2 if n_jobs in (-1, 1) else int(n_jobs)
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=False,
                               dashboard_address=None)
        own = (cluster, Client(cluster))
    try:
        with parallel_config(backend="dask"):
            return list(Parallel()(delayed(func)(t) for t in tasks))
    finally:
        if own is not None:
            own[1].close()
            own[0].close()


def fork_map(func: Callable[[T], R], items: Iterable[T], *, n_jobs: int = 2) -> list[R]:
    """``[func(x) for x in items]`` on this process and ``n_jobs - 1`` forked copies of it.

    The processes take the items in the given order from one shared counter (put the longest
    first), so the work balances itself. ``func`` and the items are inherited by the forks,
    never pickled (closures and large frames are fine); each result is pickled back. An item
    whose result cannot be sent, or whose fork died, is computed again here, so an exception
    ``func`` raises is raised here. Without ``os.fork`` (Windows), or with ``n_jobs <= 1`` or
    one item, everything runs here. Works inside a daemonic process (``os.fork``, not
    ``multiprocessing.Process``). The results are the same whatever ran them, as long as
    ``func`` depends only on its item (seed any randomness per item).

    Examples
    --------
    >>> fork_map(abs, [-1, 2, -3], n_jobs=2)
    [1, 2, 3]
    """
    tasks: Sequence[T] = list(items)
    n = min(int(n_jobs), len(tasks))
    if n <= 1 or not hasattr(os, "fork"):
        return [func(t) for t in tasks]
    import multiprocessing as mp

    nxt = mp.get_context("fork").Value("i", 0)

    def take() -> int | None:
        with nxt.get_lock():
            k = int(nxt.value)
            nxt.value = k + 1
        return k if k < len(tasks) else None

    kids: list[tuple[int, int]] = []
    for _ in range(n - 1):
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:  # the fork: work, send, and leave without running the parent's exit handlers
            code = 0
            try:
                os.close(r)
                done: list[tuple[int, bytes | None]] = []
                while (k := take()) is not None:
                    try:
                        done.append((k, pickle.dumps(func(tasks[k]), protocol=pickle.HIGHEST_PROTOCOL)))
                    except BaseException:  # noqa: BLE001 - the parent computes it again and raises
                        done.append((k, None))
                with os.fdopen(w, "wb") as fw:
                    fw.write(pickle.dumps(done, protocol=pickle.HIGHEST_PROTOCOL))
            except BaseException:  # noqa: BLE001
                code = 1
            finally:
                os._exit(code)
        os.close(w)
        kids.append((pid, r))
    out: dict[int, R] = {}
    while (k := take()) is not None:
        out[k] = func(tasks[k])
    for pid, r in kids:
        with os.fdopen(r, "rb") as f:
            blob = f.read()
        os.waitpid(pid, 0)
        try:
            got = pickle.loads(blob) if blob else []  # noqa: S301 - our own fork's bytes
        except Exception:  # noqa: BLE001 - a fork that died mid-write: its items run below
            got = []
        for k, b in got:
            if b is not None:
                out[k] = pickle.loads(b)  # noqa: S301
    return [out[k] if k in out else func(tasks[k]) for k in range(len(tasks))]
