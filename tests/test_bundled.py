import re
import shutil
from pathlib import Path

import pytest

from llmflation.errors import InputError, SnapshotIntegrityError
from llmflation.sources import bundled

EXPECTED_ROWS = {  # from ../shared/data/README.md
    "epoch_models": 3237, "openrouter_daily": 36209, "litellm_snapshots": 37192, "price_milestones": 128,
    "epoch_lowest_price_results": 21, "bls_cpi": 42191, "llm_prices": 148, "genai_prices": 1451,
    "hardware_prices": 591, "ml_hardware": 169, "epoch_eci": 426,
    # issue 12: first-party list prices, per-commit change logs (README §10–12), wages
    "first_party_prices": 297, "changelog_rocry": 4005, "changelog_rocry_commits": 640,
    "changelog_tokencost": 2165, "changelog_tokencost_commits": 200, "changelog_genai_prices": 3447,
    "changelog_genai_prices_commits": 174, "changelog_llm_prices": 209, "changelog_llm_prices_commits": 123,
    "changelog_modelpricewatch": 10462, "modelpricewatch_models": 220, "openrouter_effective_prices": 396,
    "wages": 2398,
}


@pytest.mark.parametrize("name,rows", sorted(EXPECTED_ROWS.items()))
def test_row_counts_match_source_readme(name, rows):
    assert len(bundled.load_table(name)) == rows
    assert bundled.manifest()["files"][name]["rows"] == rows


def test_snapshot_counts():
    assert bundled.load_table("openrouter_daily")["snapshot_date"].nunique() == 104
    assert bundled.load_table("litellm_snapshots")["snapshot_date"].nunique() == 46
    assert len(bundled.openrouter_payload_dates()) == 6


def test_manifest_provenance_complete_and_size_budget():
    m = bundled.manifest()
    total = 0
    for name, e in m["files"].items():
        for k in ("source_url", "taken_from", "licence", "rows", "sha256", "file"):
            assert e.get(k) not in (None, ""), (name, k)
        total += (bundled.data_dir() / e["file"]).stat().st_size
    assert total <= 15 * 1024 * 1024
    assert "CC BY 4.0" in m["attribution"] and "CC BY 4.0" in bundled.ATTRIBUTION


def test_corrupted_file_raises_integrity_error(tmp_path: Path):
    d = tmp_path / "data"
    shutil.copytree(bundled.data_dir(), d)
    f = d / bundled.manifest()["files"]["price_milestones"]["file"]
    raw = bytearray(f.read_bytes())
    raw[100] ^= 0xFF
    f.write_bytes(bytes(raw))
    with pytest.raises(SnapshotIntegrityError, match="sha256"):
        bundled.read_verified("price_milestones", directory=d)
    (d / bundled.manifest()["files"]["lmarena"]["file"]).unlink()
    with pytest.raises(SnapshotIntegrityError, match="missing"):
        bundled.read_verified("lmarena", directory=d)


def test_unknown_table_suggests():
    with pytest.raises(InputError, match="price_milestones"):
        bundled.load_table("price_milestone")


def test_build_script_is_reproducible(tmp_path: Path):
    shared = Path(__file__).resolve().parents[2] / "shared" / "data"
    if not shared.is_dir():
        pytest.skip("../shared/data not present (only maintainers rebuild the snapshot)")
    import importlib.util

    spec = importlib.util.spec_from_file_location("build_snapshot", Path(__file__).parents[1] / "scripts" / "build_snapshot.py")
    mod = importlib.util.module_from_spec(spec)
    import sys

    sys.modules["build_snapshot"] = mod
    spec.loader.exec_module(mod)
    m = mod.build(shared, tmp_path)
    assert m["files"]["epoch_models"]["sha256"] == bundled.manifest()["files"]["epoch_models"]["sha256"]
    assert m["snapshot_id"] == bundled.manifest()["snapshot_id"]
    assert m["method_tables"] == bundled.manifest()["method_tables"]


def test_bls_cpi_and_wages_hold_every_series():
    cpi = bundled.load_table("bls_cpi")
    assert cpi["series_id"].nunique() == 77  # README §8: 77 CPI-U series (SA and NSA)
    assert cpi["date"].dropna().max().startswith("2026-08")
    assert bundled.load_table("wages")["series_id"].nunique() == 157


def test_first_party_and_change_logs_keep_provenance():
    m = bundled.manifest()["files"]
    fp = bundled.load_table("first_party_prices")
    assert fp["source_url"].notna().all() and fp["source_url"].str.startswith("http").all()
    assert m["first_party_prices"]["vintage"] == ["2021-11-18", "2026-10-23"]
    for name in ("changelog_rocry", "changelog_tokencost", "changelog_genai_prices", "changelog_llm_prices"):
        assert re.search(r"[0-9a-f]{40}", m[name]["taken_from"]), name
        assert bundled.load_table(name)["source_ref"].str.fullmatch(r"[0-9a-f]{40}").all(), name
    assert "CC BY 4.0" in m["changelog_modelpricewatch"]["licence"]
    eff = bundled.load_table("openrouter_effective_prices")
    assert eff["model_id"].is_unique and set(eff["variant"]) == {"standard", "batch", "free"}
