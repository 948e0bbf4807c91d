"""Build the store from the bundled snapshot."""

from __future__ import annotations

from collections.abc import Callable

from llmflation.normalize.aliases import alias_table
from llmflation.normalize.catalogues import bundled_intervals
from llmflation.sources import bundled
from llmflation.store.db import Store


def ingest_bundled(store: Store, progress: Callable[[int], None] | None = None) -> dict[str, int]:
    """Load every bundled price interval and the alias table into ``store`` (idempotent).

    Examples
    --------
    >>> s = Store.memory()
    >>> a = ingest_bundled(s); b = ingest_bundled(s)
    >>> a == b and a["price_intervals"] > 0
    True
    """
    iv = bundled_intervals()
    return store.replace_bundled(iv, alias_table(), bundled.manifest()["snapshot_id"], progress)
