"""The Hansen (1997) coefficient table is a verified data file, not code."""

import hashlib
from importlib import resources

import pytest

from llmflation.errors import SnapshotIntegrityError
from llmflation.methods import hansen


def test_table_file_matches_its_checksum_and_layout():
    raw = (resources.files("llmflation.methods") / "tables" / hansen.TABLE_FILE).read_bytes()
    assert hashlib.sha256(raw).hexdigest() == hansen.TABLE_SHA256
    t = hansen._tables()
    assert {k: v.shape for k, v in t.items()} == {"sup": (1000, 3), "ave": (1000, 5), "exp": (1000, 5)}
    assert (resources.files("llmflation.methods") / "tables" / "SOURCE.md").is_file()


def test_altered_table_is_refused(monkeypatch):
    hansen._tables.cache_clear()
    monkeypatch.setattr(hansen, "TABLE_SHA256", "0" * 64)
    try:
        with pytest.raises(SnapshotIntegrityError, match="was altered"):
            hansen._tables()
    finally:
        monkeypatch.undo()
        hansen._tables.cache_clear()


def test_known_critical_value():
    # Andrews (1993) 5% critical value of sup-F, one regressor, 15% trimming: 8.68
    assert hansen.hansen_pvalue(8.68, "sup", 1, ((1 - 0.15) / 0.15) ** 2) == pytest.approx(0.05, abs=0.005)


def test_the_table_is_listed_in_the_manifest_with_its_sha256_and_source():
    import hashlib
    from importlib import resources

    from llmflation.methods import hansen
    from llmflation.sources import bundled

    entry = bundled.manifest()["method_tables"]["hansen1997"]
    raw = (resources.files("llmflation") / entry["file"]).read_bytes()
    assert entry["sha256"] == hashlib.sha256(raw).hexdigest() == hansen.TABLE_SHA256
    assert "Hansen" in entry["source"] and entry["rows"] == raw.count(b"\n") - 1
