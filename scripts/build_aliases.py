#!/usr/bin/env python3
"""Regenerate ``src/llmflation/normalize/tables/aliases.csv`` from the bundled snapshot.

Every (source, source key) seen in a bundled price source is resolved by the rules in
``llmflation.normalize.identity.resolve_keys`` (overrides in ``alias_overrides.csv`` win) and
written sorted, so that a diff of the CSV shows exactly which links changed.
"""

from __future__ import annotations

from pathlib import Path

from llmflation.normalize import aliases
from llmflation.normalize.catalogues import bundled_intervals
from llmflation.normalize.identity import resolve_keys

OUT = Path(__file__).resolve().parent.parent / "src" / "llmflation" / "normalize" / "tables" / "aliases.csv"


def main() -> int:
    iv = bundled_intervals()
    keys = iv[["source", "source_key", "author"]].drop_duplicates(["source", "source_key"])
    res = resolve_keys(keys).sort_values(["source", "source_key"])
    res[aliases.COLUMNS].to_csv(OUT, index=False)
    linked = res["epoch_model"].notna().mean()
    print(f"{len(res)} aliases, {res['model_id'].nunique()} model ids, {linked:.1%} linked to Epoch -> {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
