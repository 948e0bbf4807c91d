"""The committed alias table (``tables/aliases.csv``)."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from io import StringIO

import pandas as pd

COLUMNS = ["source", "source_key", "model_id", "model_family", "developer", "epoch_model", "epoch_link_rule"]


@lru_cache(maxsize=1)
def _read() -> pd.DataFrame:
    f = resources.files("llmflation.panel") / "tables" / "aliases.csv"
    if not f.is_file():
        return pd.DataFrame(columns=COLUMNS)
    df = pd.read_csv(StringIO(f.read_text()), dtype=str, keep_default_na=False)
    return df.replace({"": None})


def alias_table() -> pd.DataFrame:
    """Every (source, source key) in the bundled snapshot → canonical id, developer, Epoch link.

    Examples
    --------
    >>> t = alias_table()
    >>> list(t.columns) == COLUMNS
    True
    """
    return _read().copy()
