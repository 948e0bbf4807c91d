"""`validate_panel` and `llmflation validate`."""

from __future__ import annotations

import json

import pandas as pd
from tests.cli_helpers import run

import llmflation as lf


def test_validate_panel_sections(panel):
    r = lf.validate_panel(panel)
    assert {"quarter", "developer", "tier", "n_models", "n_intervals"} <= set(r.coverage.columns)
    assert r.coverage["quarter"].min() >= "2020Q1"
    assert r.exclusions["rows"].sum() > 0
    assert r.n_untrusted == len(r.untrusted_launches) and 0 < r.n_untrusted < r.n_models
    assert set(r.untrusted_launches["release_date_source"]) <= {"openrouter_listing", "first_price_seen"}
    f = r.to_frame()
    assert set(f["section"]) == {"coverage", "exclusions", "disagreements", "untrusted_launches", "probable_duplicates"}


def test_cli_validate_formats(capsys, tmp_path):
    code, out, err = run(["validate", "--format", "json"], capsys)
    assert code == 0, err
    rows = json.loads(out)["rows"]
    assert {r["section"] for r in rows} == {"coverage", "exclusions", "disagreements", "untrusted_launches", "probable_duplicates"}
    code, out, _ = run(["validate", "--format", "csv"], capsys)
    assert code == 0 and pd.read_csv(pd.io.common.StringIO(out))["section"].iloc[0] == "coverage"
    code, out, _ = run(["validate"], capsys)
    assert code == 0 and "Models without an independent release date" in out


def test_cli_validate_bad_start(capsys, tmp_path):
    code, out, err = run(["validate", "--start", "2020"], capsys)
    assert code == 1 and out == "" and err.startswith("Error: start='2020' is not an ISO date")
