"""store layer: the DuckDB price history (the only module importing duckdb)."""

from llmflation.store.db import Store

__all__ = ["Store"]
