"""The disk cache of derived frames (issue 21, point 6): the same frames as a build, keyed and invalidated."""

from __future__ import annotations

import pandas as pd
import pytest

from llmflation.panel import cache


@pytest.fixture()
def cdir(tmp_path, monkeypatch):
    monkeypatch.setenv(cache.ENV, str(tmp_path / "c"))
    return tmp_path / "c"


def test_cached_value_is_read_back_not_rebuilt(cdir):
    calls = []

    def build():
        calls.append(1)
        return pd.DataFrame({"a": pd.array([1, None], dtype="Int64"), "s": ["x", None]})

    a = cache.cached("t", build)
    b = cache.cached("t", build)
    assert len(calls) == 1
    pd.testing.assert_frame_equal(a, b)


def test_a_changed_bundle_or_code_key_rebuilds_and_drops_the_stale_file(cdir, monkeypatch):
    cache.cached("t", lambda: pd.DataFrame({"a": [1]}))
    monkeypatch.setattr(cache, "bundle_key", lambda: "another-bundle")
    assert cache.cached("t", lambda: pd.DataFrame({"a": [2]}))["a"].tolist() == [2]
    assert len(list(cdir.glob("t-*.pkl"))) == 1


def test_a_corrupt_file_is_rebuilt(cdir):
    cache.cached("t", lambda: pd.DataFrame({"a": [1]}))
    (pkl,) = cdir.glob("t-*.pkl")
    pkl.write_bytes(b"garbage")
    assert cache.cached("t", lambda: pd.DataFrame({"a": [3]}))["a"].tolist() == [3]


def test_off_and_unwritable(tmp_path, monkeypatch):
    monkeypatch.setenv(cache.ENV, "off")
    calls = []
    for _ in range(2):
        cache.cached("t", lambda: calls.append(1))
    assert len(calls) == 2
    ro = tmp_path / "file"
    ro.write_text("not a directory")
    monkeypatch.setenv(cache.ENV, str(ro))
    assert cache.cached("t", lambda: 5) == 5


def test_the_key_covers_the_manifest_and_the_code():
    from pathlib import Path

    import llmflation

    root = Path(llmflation.__file__).parent
    assert (root / "panel" / "build.py").is_file() and (root / "normalize" / "tables").is_dir()
    assert cache.bundle_key() == cache.bundle_key()


def test_cached_bundled_panel_equals_a_fresh_build(cdir):
    from llmflation.panel import build

    iv, fresh, log = build._build_bundled()
    cache.cached("bundled_panel", lambda: (fresh, log))
    read, read_log = cache.cached("bundled_panel", lambda: pytest.fail("rebuilt"))
    pd.testing.assert_frame_equal(read, fresh)
    pd.testing.assert_frame_equal(read_log, log)
