"""First-party truth: the prices in effect are the developers' own (issue 12)."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from llmflation.normalize import identity as ident
from llmflation.normalize.catalogues import NON_TEXT
from llmflation.panel.build import exclusions, load_panel

REF = Path(__file__).parent / "reference" / "first_party_prices"
#: The panel must carry the vendor's price itself; only floating-point noise is allowed.
PRICE_RTOL = 1e-9
#: Coverage floors from issue 12: distinct models with a first-party price in effect on
#: the middle day of every quarter, from the quarter named.
COVERAGE_FLOORS = [("2022Q1", 3), ("2023Q2", 8), ("2024Q2", 25)]


@pytest.fixture(scope="module")
def panel():
    return load_panel(warn=False)


@pytest.fixture(scope="module")
def first_party(panel):
    return panel[panel["first_party"].fillna(False).astype(bool)]


def _in_force(frame, date):
    d = pd.Timestamp(date)
    return frame[(frame["valid_from"] <= d) & (frame["valid_to"] >= d)]


REF_ROWS = pd.read_csv(REF / "data.csv")


@pytest.mark.parametrize("row", REF_ROWS.to_dict("records"), ids=lambda r: f"{r['model']}@{r['date']}")
def test_price_in_effect_is_the_vendors_own(first_party, row):
    live = _in_force(first_party, row["date"])
    mid = ident.normalize_key(row["model"])
    hits = live[(live["model_id"] == mid) | (live["source_key"].astype(str).str.lower() == row["model"])]
    assert len(hits), f"no first-party price of {row['model']} in effect on {row['date']}"
    assert row["source_url"].startswith("http")
    for col in ("input", "output"):
        got = hits[f"{col}_usd_per_mtok"].to_numpy(dtype=float)
        want = row[f"expected_{col}_usd_per_mtok"]
        bad = hits[~np.isclose(got, want, rtol=PRICE_RTOL, atol=0)]
        assert bad.empty, (row["model"], row["date"], col, want,
                           bad[["source", "source_key", "provider", "valid_from", "valid_to", f"{col}_usd_per_mtok"]])


def test_first_party_coverage_every_quarter(first_party):
    last = pd.Timestamp(first_party.loc[first_party["source"] == "first-party", "valid_to"].max())
    for q in pd.period_range("2022Q1", last.to_period("Q"), freq="Q"):
        mid = (q.start_time + (q.end_time - q.start_time) / 2).normalize()
        if mid > last:
            break
        n = _in_force(first_party, mid)["model_id"].nunique()
        floor = max(f for start, f in COVERAGE_FLOORS if q >= pd.Period(start, "Q"))
        assert n >= floor, f"{q}: {n} models with a first-party price on {mid.date()}, expected >= {floor}"


def test_intervals_carry_dates_basis_and_precision(panel):
    assert (panel["valid_from"] <= panel["valid_to"]).all()
    assert set(panel["date_basis"]) <= {"announced", "observed_first", "commit", "archive"}
    assert panel["date_basis"].notna().all() and panel["date_precision"].notna().all()
    assert set(panel["date_precision"]) <= {"day", "month"}
    assert panel["valid_to_basis"].notna().all()
    # launch prices no longer live for one day: curated, Epoch and milestone intervals
    for src in ("first-party", "epoch", "milestones"):
        s = panel[panel["source"] == src]
        assert (s["valid_to"] > s["valid_from"]).mean() > 0.95, src


def test_panel_on_2023_03_16_knows_more_than_one_model(first_party):
    assert _in_force(first_party, "2023-03-16")["model_id"].nunique() >= 8


def test_epoch_fine_tuned_quotes_are_not_base_prices(panel):
    e = panel[(panel["source"] == "epoch") & (panel["model_id"] == "gpt-4o-mini-2024-07-18")]
    assert len(e) and set(zip(e["input_usd_per_mtok"], e["output_usd_per_mtok"], strict=True)) == {(0.15, 0.60)}
    ex = exclusions()
    assert ex[(ex.source == "epoch") & ex.reason.str.startswith("fine-tuned")]["rows"].sum() > 0


def test_stale_alias_copies_end_at_the_vendor_repoint(panel):
    # LiteLLM kept gpt-4o at $5 until 2024-11-14; OpenAI repointed the alias on 2024-10-02
    h = panel[(panel.source_key == "gpt-4o") & (panel.provider == "openai") & (panel.source == "litellm")]
    old = h[h["input_usd_per_mtok"] == 5.0]
    assert len(old) and old["valid_to"].max() <= pd.Timestamp("2024-10-01")
    live = _in_force(panel[panel.first_party.astype(bool)], "2024-10-20")
    g = live[live.source_key.astype(str).str.lower().isin(["gpt-4o", "openai/gpt-4o"])]
    assert len(g) and set(g["input_usd_per_mtok"]) == {2.5}


def test_unit_slips_at_series_ends_and_inside_the_range_guard_are_gone(panel):
    w = panel[panel.source_key == "watsonx/ibm/granite-3-8b-instruct"]
    assert len(w) and (w["input_usd_per_mtok"] < 1).all()  # the $200/M entry is a per-1K slip
    g = panel[panel.model_id.astype(str).str.contains("gemini-1.5-flash|gemini-1-5-flash", regex=True)]
    assert (g["input_usd_per_mtok"] > 0.01).all()  # Vertex's $0.0047/M per-character copy
    ex = exclusions()
    assert ex[ex.reason.str.startswith("unit slip")]["rows"].sum() > 10


def test_litellm_2024_01_31_snapshot_keeps_providers(panel):
    lit = _in_force(panel[panel.source == "litellm"], "2024-02-15")
    assert not (lit["provider"].astype(str) == "unknown").any()
    g = panel[(panel.source == "litellm") & (panel.source_key == "gpt-4") & (panel.provider == "openai")]
    assert len(_in_force(g, "2023-12-20")) == len(_in_force(g, "2024-02-15")) == len(_in_force(g, "2024-03-30")) == 1


def test_non_text_models_and_fine_tunes_are_dropped_and_counted(panel):
    ids = panel["model_id"].astype(str)
    assert not ids.str.contains(NON_TEXT, regex=True).any()
    assert not ids.str.contains("ft:", regex=False).any()
    ex = exclusions()
    assert ex[ex.reason.str.startswith("non-text")]["rows"].sum() > 100
    assert ex[ex.reason.str.startswith("fine-tuned")]["rows"].sum() > 10


def test_first_party_check_reasons_are_counted(panel):
    ex = exclusions()
    for reason in ("stale copy", "unit slip", "disagrees with the developer"):
        assert ex[ex.reason.str.contains(reason)]["rows"].sum() > 0, reason
    flags = set(panel["quality_flag"].dropna())
    assert flags <= {"regional_markup", "differs_from_first_party", "clipped_to_first_party_dates"}
    assert "regional_markup" in flags
    # labelled rows are third-party offers (or clipped first-party ones), never averaged into truth
    lab = panel[panel["quality_flag"].isin(["regional_markup", "differs_from_first_party"])]
    assert not lab["first_party"].astype(bool).any()
