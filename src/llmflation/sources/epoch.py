"""Epoch AI "Data on AI Models" (``ai_models.zip``): fetch, validate, parse.

The archive holds ``all_ai_models.csv`` (plus the notable / large-scale / frontier
subsets). :func:`parse` validates every row of ``all_ai_models.csv`` with pydantic —
numbers must parse as numbers, dates as dates — and returns the main columns in the
schema of the bundled ``epoch_models`` table. Model names are stripped of the stray
whitespace and line breaks some carry in the original.
"""

from __future__ import annotations

import io
import math
import zipfile
import zlib
from datetime import date
from typing import Annotated, Any

import httpx
import pandas as pd
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, TypeAdapter, ValidationError

from llmflation.errors import ParseError
from llmflation.sources.http import (
    DEFAULT_MAX_BYTES,
    GZIP_MAGIC,
    ParsedPayload,
    RetryPolicy,
    get_bytes,
    gunzip_bounded,
    validation_error,
)

SOURCE = "epoch"
URL = "https://epoch.ai/data/ai_models.zip"
MEMBER = "all_ai_models.csv"

#: CSV column → field. These columns must be present; others are ignored.
FIELDS = {
    "Model": "model", "Organization": "organization", "Publication date": "publication_date",
    "Domain": "domain", "Country (of organization)": "country", "Model accessibility": "accessibility",
    "Open model weights?": "open_weights", "Frontier model": "frontier_model", "Parameters": "parameters",
    "Training compute (FLOP)": "training_compute_flop",
    "Training compute cost (2023 USD)": "training_compute_cost_2023_usd",
}
NUMERIC = ("Parameters", "Training compute (FLOP)", "Training compute cost (2023 USD)")


def _blank_none(v: Any) -> Any:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    if isinstance(v, str):
        v = v.strip()
        return v or None
    return v


def _number(v: Any) -> float | None:
    v = _blank_none(v)
    if v is None:
        return None
    if isinstance(v, bool):
        raise ValueError("expected a number, got a boolean")
    try:
        f = float(str(v).replace(",", "")) if isinstance(v, str) else float(v)
    except ValueError:
        raise ValueError("not a number") from None
    if not math.isfinite(f):
        raise ValueError("not a finite number")
    return f


Text = Annotated[str | None, BeforeValidator(_blank_none)]
Number = Annotated[float | None, BeforeValidator(_number)]
Day = Annotated[date | None, BeforeValidator(_blank_none)]


class EpochRow(BaseModel):
    """One row of ``all_ai_models.csv`` (validated columns only)."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)
    model: Annotated[str, BeforeValidator(_blank_none)] = Field(alias="Model", min_length=1)
    organization: Text = Field(None, alias="Organization")
    publication_date: Day = Field(None, alias="Publication date")
    domain: Text = Field(None, alias="Domain")
    country: Text = Field(None, alias="Country (of organization)")
    accessibility: Text = Field(None, alias="Model accessibility")
    open_weights: Text = Field(None, alias="Open model weights?")
    frontier_model: Text = Field(None, alias="Frontier model")
    parameters: Number = Field(None, alias="Parameters")
    training_compute_flop: Number = Field(None, alias="Training compute (FLOP)")
    training_compute_cost_2023_usd: Number = Field(None, alias="Training compute cost (2023 USD)")


_ROWS = TypeAdapter(list[EpochRow])


def fetch(*, url: str = URL, policy: RetryPolicy | None = None,
          transport: httpx.BaseTransport | None = None, **kw: Any) -> bytes:
    """GET the live ``ai_models.zip`` (raw bytes).

    Examples
    --------
    >>> t = httpx.MockTransport(lambda req: httpx.Response(200, content=b"PK"))
    >>> fetch(transport=t)
    b'PK'
    """
    return get_bytes(url, what=SOURCE, policy=policy, transport=transport, **kw)


def read_csv_from_zip(raw: bytes, member: str = MEMBER, *, max_bytes: int = DEFAULT_MAX_BYTES) -> pd.DataFrame:
    """The CSV ``member`` of the archive as strings (no type inference).

    The member is decompressed in chunks and refused past ``max_bytes`` (its declared
    size is checked first, and the bytes actually produced too, so a zip bomb stops at
    the cap instead of filling memory).

    Examples
    --------
    >>> read_csv_from_zip(payload_from_frame(pd.DataFrame({"Model": ["X"]}))).to_dict("records")
    [{'Model': 'X'}]
    """
    if raw[:2] == GZIP_MAGIC:  # a gzipped copy of the archive: undo that first (bounded as well)
        raw = gunzip_bounded(raw, SOURCE, max_bytes)
    try:
        zf = zipfile.ZipFile(io.BytesIO(raw))
    except zipfile.BadZipFile as exc:
        raise ParseError(f"{SOURCE} payload is not a valid zip archive (truncated or corrupt?): {exc}. "
                         f"{len(raw):,} bytes were read. The store was not changed.") from None
    too_big = (f"{SOURCE} archive member {{name}} expands to more than the {max_bytes:,} bytes cap "
               f"({len(raw):,} bytes compressed; a zip bomb, or a much larger source). Raise --max-bytes "
               "(max_bytes=) if Epoch's data really grew that much. The store was not changed.")
    with zf:
        infos = [i for i in zf.infolist() if i.filename.rsplit("/", 1)[-1] == member]
        if not infos:
            raise ParseError(f"{SOURCE} archive has no {member}; it holds {zf.namelist()[:8]}. Epoch may have "
                             "renamed the file. The store was not changed.")
        info = infos[0]
        if info.file_size > max_bytes:
            raise ParseError(too_big.format(name=info.filename))
        buf = bytearray()
        try:
            with zf.open(info) as fh:
                while chunk := fh.read(1 << 20):
                    buf += chunk
                    if len(buf) > max_bytes:
                        raise ParseError(too_big.format(name=info.filename))
        except (zipfile.BadZipFile, EOFError, OSError, zlib.error, NotImplementedError) as exc:
            raise ParseError(f"{SOURCE} archive member {info.filename} cannot be read ({exc}); the download is "
                             "probably truncated. The store was not changed.") from None
        data = bytes(buf)
    try:
        return pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        raise ParseError(f"{SOURCE} {member} is not a readable CSV: {exc}. The store was not changed.") from None


def parse(raw: bytes, *, snapshot_date: str, max_bytes: int = DEFAULT_MAX_BYTES) -> ParsedPayload:
    """Validate ``ai_models.zip`` and return the main columns of ``all_ai_models.csv``.

    ``max_bytes`` bounds the decompressed CSV (see :func:`read_csv_from_zip`).

    Returns
    -------
    ParsedPayload
        ``frame`` has the CSV's column names (as the bundled ``epoch_models``) with
        numbers as floats, dates as dates and a ``snapshot_date`` column.

    Examples
    --------
    >>> buf = io.BytesIO()
    >>> with zipfile.ZipFile(buf, "w") as z:
    ...     z.writestr("all_ai_models.csv", "Model,Organization,Publication date,Domain,"
    ...                "Country (of organization),Model accessibility,Open model weights?,Frontier model,"
    ...                "Parameters,Training compute (FLOP),Training compute cost (2023 USD)\\n"
    ...                "GPT-4,OpenAI,2023-03-15,Language,United States of America,API access,No,True,,2.1e+25,\\n")
    >>> parse(buf.getvalue(), snapshot_date="2026-03-25").frame.loc[0, "Training compute (FLOP)"]
    np.float64(2.1e+25)
    """
    df = read_csv_from_zip(raw, max_bytes=max_bytes)
    missing = [c for c in FIELDS if c not in df.columns]
    if missing:
        raise ParseError(f"{SOURCE} {MEMBER} lacks column(s) {missing}; found {list(df.columns)[:12]}… "
                         "Epoch may have renamed them. The store was not changed.")
    recs = df[list(FIELDS)].to_dict(orient="records")
    if not recs:
        raise ParseError(f"{SOURCE} {MEMBER} has no rows; refusing to record it, since it would close every "
                         "open record. The store was not changed.")
    try:
        rows = _ROWS.validate_python(recs)
    except ValidationError as exc:
        raise validation_error(SOURCE, exc, recs, "Model") from None
    out = pd.DataFrame([r.model_dump() for r in rows], columns=list(FIELDS.values()))
    out.columns = list(FIELDS)
    out.insert(0, "snapshot_date", snapshot_date)
    n = len(out)
    out = out.drop_duplicates("Model", keep="last").reset_index(drop=True)
    skipped = {"duplicate model name (last kept)": n - len(out)} if n > len(out) else {}
    return ParsedPayload(SOURCE, out, len(recs), skipped)


def payload_from_frame(df: pd.DataFrame) -> bytes:
    """Zip a frame with the ``all_ai_models.csv`` columns (e.g. the bundled ``epoch_models``).

    Examples
    --------
    >>> df = pd.DataFrame({c: [""] for c in FIELDS}).assign(Model="X")
    >>> parse(payload_from_frame(df), snapshot_date="2026-01-01").frame["Model"].tolist()
    ['X']
    """
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr(MEMBER, df.to_csv(index=False))
    return buf.getvalue()
