"""A disk cache of frames derived from the bundled snapshot (issue 21, point 6).

Building the bundled panel, its intervals and the first-party history takes seconds; every
new process used to do it again. :func:`cached` keeps such frames in the user cache
directory (``platformdirs.user_cache_dir("llmflation")``, or ``$LLMFLATION_CACHE_DIR``;
``LLMFLATION_CACHE_DIR=off`` disables it), one file per frame, under a key that changes
whenever anything the frame is derived from changes:

* the bundled snapshot: its ``MANIFEST.json`` (snapshot id and the sha256 of every table,
  the registry tables included);
* the code and tables that derive it: every file of ``llmflation/normalize``,
  ``llmflation/panel`` and ``llmflation/sources`` (hashed by content, so an edit or an
  upgrade invalidates it), the pandas and numpy versions.

A file is written to a temporary name and renamed (a reader never sees half a file); a
file that cannot be read or whose digest does not match is rebuilt; a cache directory
that cannot be written is skipped silently (the frame is simply built). The bundle itself
is untouched: the cache is a copy of what the bundle and the code compute.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

#: Environment variable naming the cache directory (``off``, ``0`` or ``none``: no cache).
ENV = "LLMFLATION_CACHE_DIR"
_PACKAGES = ("normalize", "panel", "sources")


def cache_dir() -> Path | None:
    """The cache directory, or None when disabled.

    Examples
    --------
    >>> import os
    >>> os.environ[ENV] = "off"; cache_dir() is None
    True
    >>> del os.environ[ENV]
    """
    env = os.environ.get(ENV)
    if env is not None and env.strip().lower() in ("off", "0", "none", "false"):
        return None
    if env:
        return Path(env)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("llmflation"))


@lru_cache(maxsize=1)
def bundle_key() -> str:
    """A digest of the bundled snapshot's manifest and the code that derives frames from it.

    Examples
    --------
    >>> len(bundle_key())
    24
    """
    import numpy as np

    from llmflation.sources import bundled

    h = hashlib.sha256()
    h.update((bundled.data_dir() / "MANIFEST.json").read_bytes())
    root = Path(__file__).resolve().parent.parent
    for pkg in _PACKAGES:
        for f in sorted((root / pkg).rglob("*")):
            if f.is_file() and f.suffix not in (".pyc",) and "__pycache__" not in f.parts:
                h.update(str(f.relative_to(root)).encode())
                h.update(f.read_bytes())
    for v in (pd.__version__, np.__version__):
        h.update(str(v).encode())
    return h.hexdigest()[:24]


def cached(name: str, build: Callable[[], Any], *, key: str | None = None) -> Any:
    """``build()``, read from the cache when a copy under the same key exists, else built and written.

    Parameters
    ----------
    name : str
        What the value is (``bundled_panel``, ``first_party_intervals``); part of the file name.
    build : callable
        Makes the value (a frame, or a tuple/dict of frames).
    key : str, optional
        Extra key (e.g. options the value depends on); the bundle key is always part of it.

    Examples
    --------
    >>> import os, tempfile
    >>> os.environ[ENV] = tempfile.mkdtemp()
    >>> cached("demo", lambda: pd.DataFrame({"a": [1]}))["a"].tolist()
    [1]
    >>> cached("demo", lambda: 1 / 0)["a"].tolist()  # read back, not rebuilt
    [1]
    >>> del os.environ[ENV]
    """
    d = cache_dir()
    if d is None:
        return build()
    full = hashlib.sha256(f"{bundle_key()}|{key or ''}".encode()).hexdigest()[:24]
    path = d / f"{name}-{full}.pkl"
    digest = path.with_suffix(".sha256")
    try:
        blob = path.read_bytes()
        if digest.read_text().strip() == hashlib.sha256(blob).hexdigest():
            return pickle.loads(blob)  # noqa: S301 - the user's own cache, checked against its digest
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, ValueError):
        pass
    value = build()
    try:
        d.mkdir(parents=True, exist_ok=True)
        blob = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        for target, data in ((path, blob), (digest, hashlib.sha256(blob).hexdigest().encode())):
            fd, tmp = tempfile.mkstemp(dir=d, prefix=f".{name}-", suffix=".tmp")
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, target)
        # old keys of the same name are stale
        for old in d.glob(f"{name}-*"):
            if not old.name.startswith(f"{name}-{full}."):
                old.unlink(missing_ok=True)
    except OSError:
        pass
    return value
