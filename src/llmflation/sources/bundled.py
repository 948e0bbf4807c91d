"""Loaders of the bundled real-data snapshot (``llmflation/data``).

Every file is listed in ``MANIFEST.json`` with its original source URL, the
repository@commit it was taken from, licence, vintage, row count and sha256; the loaders
verify the hash before returning anything. Tables keep the raw columns of their source;
cleaning happens in :mod:`llmflation.panel`.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from llmflation.errors import InputError, SnapshotIntegrityError

ATTRIBUTION = (
    "Epoch AI data (models, inference prices, benchmarks, hardware) are used under the "
    "Creative Commons Attribution 4.0 licence (CC BY 4.0): Epoch AI, 'Data on AI Models', "
    "'LLM inference prices', 'Machine Learning Hardware', 'AI Benchmarking Hub', https://epoch.ai."
)


def data_dir() -> Path:
    """Directory holding the bundled snapshot."""
    return Path(str(resources.files("llmflation") / "data"))


@lru_cache(maxsize=1)
def manifest() -> dict[str, Any]:
    """The parsed ``MANIFEST.json`` of the bundled snapshot.

    Examples
    --------
    >>> m = manifest()
    >>> m["files"]["epoch_models"]["rows"]
    3237
    """
    path = data_dir() / "MANIFEST.json"
    if not path.exists():
        raise SnapshotIntegrityError(
            f"bundled snapshot manifest not found at {path}; expected MANIFEST.json beside the data "
            "files. Reinstall llmflation or rebuild with `python scripts/build_snapshot.py`."
        )
    return dict(json.loads(path.read_text()))


def table_names() -> list[str]:
    """Names of every bundled table.

    Examples
    --------
    >>> "price_milestones" in table_names()
    True
    """
    return sorted(manifest()["files"])


def _entry(name: str) -> dict[str, Any]:
    files = manifest()["files"]
    if name not in files:
        import difflib

        close = difflib.get_close_matches(name, list(files), n=3)
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        raise InputError(f"no bundled table named {name!r}.{hint} See llmflation.sources.bundled.table_names().")
    return dict(files[name])


def read_verified(name: str, directory: Path | None = None) -> bytes:
    """Bytes of a bundled file after checking its sha256 against the manifest.

    Raises
    ------
    SnapshotIntegrityError
        If the file is missing or its hash differs (a corrupted or edited bundle).

    Examples
    --------
    >>> len(read_verified("price_milestones")) > 0
    True
    """
    entry = _entry(name)
    path = (directory or data_dir()) / entry["file"]
    if not path.exists():
        raise SnapshotIntegrityError(f"bundled file {path} is missing (table {name!r}); reinstall llmflation.")
    raw = path.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    if digest != entry["sha256"]:
        raise SnapshotIntegrityError(
            f"bundled file {entry['file']} has sha256 {digest[:16]}…, expected {entry['sha256'][:16]}… "
            "from MANIFEST.json: the file was modified or corrupted. Reinstall llmflation or rebuild "
            "the snapshot with `python scripts/build_snapshot.py`."
        )
    return raw


@cache
def _load(name: str) -> pd.DataFrame:
    return pd.read_parquet(io.BytesIO(read_verified(name)))


def load_table(name: str) -> pd.DataFrame:
    """Load one bundled table (raw source columns), verified against its sha256.

    Parameters
    ----------
    name : str
        A name from :func:`table_names`, e.g. ``"epoch_models"`` or ``"price_milestones"``.

    Returns
    -------
    pandas.DataFrame
        A fresh copy; callers may modify it.

    Examples
    --------
    >>> df = load_table("price_milestones")
    >>> {"date", "model", "input_usd_per_mtok"} <= set(df.columns)
    True
    """
    entry = _entry(name)
    if not entry["file"].endswith(".parquet"):
        raise InputError(f"bundled table {name!r} is a JSON payload; use load_openrouter_payload().")
    return _load(name).copy()


def openrouter_payload_dates() -> list[str]:
    """Snapshot dates of the raw OpenRouter ``/api/v1/models`` payloads in the bundle."""
    return sorted(n.removeprefix("openrouter_raw_") for n in table_names() if n.startswith("openrouter_raw_"))


def load_openrouter_payload(date: str) -> bytes:
    """Raw JSON bytes of the bundled OpenRouter payload of ``date`` (``YYYY-MM-DD``).

    Examples
    --------
    >>> raw = load_openrouter_payload(openrouter_payload_dates()[0])
    >>> raw[:1] in (b"{", b"[")
    True
    """
    return gzip.decompress(read_verified(f"openrouter_raw_{date}"))


#: The bundled tables of LLM prices (the panel's sources): their dates are "the data's range"
#: wherever one is shown (the CPI's, which reach back to 1913, are not).
PRICE_TABLES = ("openrouter_daily", "litellm_snapshots", "epoch_api_prices", "price_milestones",
                "first_party_prices", "changelog_rocry", "changelog_tokencost", "changelog_genai_prices",
                "changelog_llm_prices", "changelog_modelpricewatch")


def vintage(names: list[str] | None = None) -> str:
    """Human-readable data vintage: snapshot id and the date range of the named tables.

    Examples
    --------
    >>> vintage(["price_milestones"]).startswith("bundled snapshot ")
    True
    """
    m = manifest()
    names = names or list(m["files"])
    ranges = [m["files"][n]["vintage"] for n in names if m["files"].get(n, {}).get("vintage")]
    if ranges:
        lo = min(r[0] for r in ranges)
        hi = max(r[1] for r in ranges)
        return f"bundled snapshot {m['snapshot_id']} ({lo} → {hi})"
    return f"bundled snapshot {m['snapshot_id']}"
