"""store layer: the DuckDB price history (the only module importing duckdb).

``Store`` is imported on first use, so that modules of this package that need no database
(:mod:`llmflation.store.paths`, :mod:`llmflation.store.queries`) load without DuckDB.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from llmflation.store.db import Store

__all__ = ["Store"]


def __getattr__(name: str) -> type:
    if name == "Store":
        from llmflation.store.db import Store

        return Store
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
