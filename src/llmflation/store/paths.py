"""Which store a command reads (no pandas: the fast lookup path uses it too)."""

from __future__ import annotations

import os
from pathlib import Path

from llmflation.errors import InputError

#: Environment variable naming the store.
DB_ENV = "LLMFLATION_DB"


def user_store() -> Path:
    """The default store in the user data directory (it exists once something was fetched into it)."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("llmflation")) / "llmflation.duckdb"


def resolve_store(db: str | Path | None, *, default: str | Path | None = None) -> Path | None:
    """The store to analyse: ``db``, else ``$LLMFLATION_DB``, else ``default`` if that file exists.

    An explicitly named store (``db`` or the variable) must exist; the default location
    is used only when something has been fetched into it.

    Examples
    --------
    >>> resolve_store(None, default="/nonexistent/llmflation.duckdb") is None  # doctest: +SKIP
    True
    """
    named = db if db is not None else os.environ.get(DB_ENV) or None
    if named is not None:
        p = Path(named).expanduser()
        if not p.exists():
            raise InputError(f"no store at {p}; fetch into it first (llmflation fetch openrouter --db {p}) "
                             f"or leave out --db / unset ${DB_ENV} to analyse the bundled snapshot.")
        return p
    if default is not None and Path(default).expanduser().exists():
        return Path(default).expanduser()
    return None


def resolve_store_path(db: str | Path | None) -> Path | None:
    """:func:`resolve_store` with the user-data store as the default (the rule of every ``--db`` option)."""
    return resolve_store(db, default=user_store())
