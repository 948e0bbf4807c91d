"""lf.cost and the tariff frame (issue 21, points 2, 3 and 7).

The totals come from vendor pages (``tests/reference/cost_*``, each with its SOURCE.md and
hand-computed expected values); the rest checks the tariff model, the LiteLLM parser, the
vendor rules' sources and the refusals.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest
from tests.tolerances import IMPL_RTOL

import llmflation as lf
from llmflation.errors import InputError, LLMFlationError, ParseError, UnknownModelError
from llmflation.normalize import tariff as T
from llmflation.panel.cost import first_party_tariff

REF = Path(__file__).parent / "reference"
CASES = ("cost_long_prompt", "cost_cached_input", "cost_batch", "cost_off_peak")


def _rows() -> list[tuple[str, dict]]:
    out = []
    for case in CASES:
        data = pd.read_csv(REF / case / "data.csv", dtype={"at": str}, keep_default_na=False)
        expected = json.loads((REF / case / "expected.json").read_text())["total_usd"]
        assert set(expected) == set(data["case"]), f"{case}: data.csv and expected.json name different cases"
        for r in data.to_dict(orient="records"):
            out.append((f"{case}/{r['case']}", {**r, "expected": expected[r["case"]]}))
    return out


ROWS = _rows()


@pytest.fixture(scope="module")
def panel():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return lf.load_panel(warn=False)


@pytest.mark.parametrize("row", [r for _, r in ROWS], ids=[i for i, _ in ROWS])
def test_cost_matches_vendor_pages(row, panel):
    r = lf.cost(row["model"], on=row["on"], input_tokens=float(row["input_tokens"]),
                output_tokens=float(row["output_tokens"]), cached_input_tokens=float(row["cached_input_tokens"]),
                batch=str(row["batch"]).lower() == "true", at=row["at"] or None, panel=panel)
    assert r.total_usd == pytest.approx(row["expected"], rel=IMPL_RTOL)
    used = dict(zip(r.lines["line"], r.lines["usd_per_mtok"], strict=True))
    assert used["input"] == pytest.approx(float(row["input_usd_per_mtok"]), rel=IMPL_RTOL)
    assert used["output"] == pytest.approx(float(row["output_usd_per_mtok"]), rel=IMPL_RTOL)
    if float(row["cached_input_tokens"]) > 0:
        assert used["cached_input"] == pytest.approx(float(row["cached_input_usd_per_mtok"]), rel=IMPL_RTOL)
    # the lines add up to the total, and each names its source
    assert r.lines["usd"].sum() == pytest.approx(r.total_usd, rel=IMPL_RTOL)
    assert r.lines["source_url"].str.startswith("http").all()


def test_the_issues_example_is_not_the_list_price(panel):
    r = lf.cost("gemini-2.5-pro", on="2025-08-01", input_tokens=300_000, output_tokens=1_000, panel=panel)
    assert r.total_usd == pytest.approx(0.765, rel=IMPL_RTOL)
    assert r.total_usd != pytest.approx(0.385)
    assert any("whole request" in n for n in r.notes)
    w = r.wide()
    assert list(w.columns[:6]) == ["role", "model", "line", "tokens", "usd_per_mtok", "usd"]
    assert w.loc[w["line"] == "total", "usd"].iloc[0] == pytest.approx(0.765, rel=IMPL_RTOL)


def test_cheapest_of_equal_capability_is_priced_under_the_same_tariff(panel):
    r = lf.cost("gemini-2.5-pro", on="2025-08-01", input_tokens=300_000, output_tokens=1_000, panel=panel)
    assert r.capability is not None and r.cheapest_model is not None
    assert r.cheapest_capability >= r.capability
    assert r.cheapest_usd <= r.total_usd + 1e-12
    # a model known only by its list price is not compared on a long prompt (its long tier is unknown)
    assert "list price" not in r.cheapest_basis
    b = lf.cost("gpt-4o", on="2024-11-01", input_tokens=1e6, output_tokens=2e5, batch=True, panel=panel)
    assert b.service == "batch" and "tariff" in b.cheapest_basis


def test_time_of_day_without_at_uses_the_all_day_rate_with_a_note(panel):
    r = lf.cost("deepseek-chat", on="2025-03-01", input_tokens=1e6, output_tokens=1e6, panel=panel)
    assert r.total_usd == pytest.approx(1.37, rel=IMPL_RTOL)
    assert any("at=HH:MM" in n for n in r.notes)


def test_at_for_a_model_without_time_of_day_pricing_is_a_note(panel):
    r = lf.cost("gpt-4o", on="2024-11-01", input_tokens=1e6, output_tokens=0, at="17:00", panel=panel)
    assert r.total_usd == pytest.approx(2.5, rel=IMPL_RTOL)
    assert any("no time-of-day pricing" in n for n in r.notes)


def test_peak_split_supersedes_an_older_all_day_price():
    t = first_party_tariff()
    day = t[(t.offer == "deepseek-v4-flash") & (t.service == "standard") & (t.valid_from <= "2026-09-01")
            & (t.valid_to >= "2026-09-01")]
    peak, _ = T.select_lines(day, prompt_tokens=1e6, minute=2 * 60)
    off, _ = T.select_lines(day, prompt_tokens=1e6, minute=12 * 60)
    dear, notes = T.select_lines(day, prompt_tokens=1e6, minute=None)
    assert dict(zip(peak.line, peak.usd_per_mtok, strict=True))["input"] == pytest.approx(0.44)
    assert dict(zip(off.line, off.usd_per_mtok, strict=True))["input"] == pytest.approx(0.22)
    assert dict(zip(dear.line, dear.usd_per_mtok, strict=True))["input"] == pytest.approx(0.44)
    assert notes


@pytest.mark.parametrize("kw, match", [
    ({"input_tokens": -1, "output_tokens": 1}, "input_tokens must be a finite number >= 0"),
    ({"input_tokens": math.nan, "output_tokens": 1}, "input_tokens must be a finite number >= 0"),
    ({"input_tokens": 1, "output_tokens": math.inf}, "output_tokens must be a finite number >= 0"),
    ({"input_tokens": 10, "output_tokens": 1, "cached_input_tokens": 20}, "exceeds input_tokens"),
    ({"input_tokens": 10, "output_tokens": 1, "cached_input_tokens": -1}, "cached_input_tokens"),
    ({"input_tokens": "10", "output_tokens": 1}, "input_tokens"),
    ({"input_tokens": True, "output_tokens": 1}, "input_tokens"),
    ({"input_tokens": 10, "output_tokens": 1, "at": "25:00"}, "at="),
    ({"input_tokens": 10, "output_tokens": 1, "at": "5pm"}, "at="),
    ({"input_tokens": 10, "output_tokens": 1, "batch": "yes"}, "batch"),
])
def test_bad_arguments_are_refused(kw, match):
    with pytest.raises(InputError, match=match):
        lf.cost("gpt-4o", on="2024-11-01", **kw)


def test_batch_without_a_batch_tariff_lists_the_offers_that_have_one():
    with pytest.raises(InputError, match=r"no batch tariff of 'deepseek-chat'.*Offers with a batch tariff.*gpt-4o"):
        lf.cost("deepseek-chat", on="2025-03-01", input_tokens=1, output_tokens=1, batch=True)
    with pytest.raises(InputError, match="no batch tariff of 'gemini-2.5-pro'"):
        lf.cost("gemini-2.5-pro", on="2025-07-01", input_tokens=1, output_tokens=1, batch=True)


def test_dates_outside_the_history_are_refused():
    with pytest.raises(InputError, match=r"history covers 2025-06-17"):
        lf.cost("gemini-2.5-pro", on="2025-01-01", input_tokens=1, output_tokens=1)
    with pytest.raises(InputError, match="YYYY-MM-DD"):
        lf.cost("gemini-2.5-pro", on="08/01/2025", input_tokens=1, output_tokens=1)
    with pytest.raises(InputError):
        lf.cost("gemini-2.5-pro", on="2099-01-01", input_tokens=1, output_tokens=1)


def test_unknown_model_suggests(panel):
    with pytest.raises(UnknownModelError, match="Did you mean"):
        lf.cost("gpt-4oo", on="2024-11-01", input_tokens=1, output_tokens=1, panel=panel)


def test_model_outside_the_curated_table_is_priced_from_the_panel(panel):
    p = panel[~panel["first_party"].fillna(False).astype(bool)]
    row = p.sort_values("valid_to").iloc[-1]
    on = row["valid_from"].date().isoformat()
    r = lf.cost(str(row["model_id"]), on=on, input_tokens=1e6, output_tokens=0, provider=str(row["provider"]),
                panel=panel)
    assert r.lines["line"].tolist() == ["input", "output"]
    assert any("not in the curated first-party table" in n for n in r.notes)
    assert r.total_usd > 0


# --------------------------------------------------------------------------- the tariff frame


def test_curated_tariff_carries_tiers_windows_promotions_and_cached_input():
    t = first_party_tariff()
    assert list(t.columns) == T.TARIFF_COLUMNS
    T.check_tariff(t)
    assert set(t["service"]) <= set(T.SERVICES) and set(t["line"]) <= set(T.LINES)
    g = t[(t.offer == "gemini-2.5-pro") & (t.service == "standard") & (t.above_tokens == 200_000)]
    assert dict(zip(g.line, g.usd_per_mtok, strict=True)) == {"input": 2.5, "output": 15.0, "cached_input": 0.25}
    off = t[(t.offer == "deepseek-chat") & (t.window == "16:30-00:30")]
    assert off["promotion"].all() and off["valid_from"].min() == pd.Timestamp("2025-02-26")
    assert off["valid_to"].max() == pd.Timestamp("2025-09-04")
    assert (t.loc[t["source"] == T.CURATED, "basis"] == "listed").all()


def test_batch_rules_cite_the_vendor_and_apply_from_their_start():
    rules = T.tariff_rules()
    applied = rules[rules["factor"].notna() & rules["valid_from"].notna()]
    assert set(applied["provider"]) == {"openai", "anthropic", "google"}
    assert (applied["source_url"].str.startswith("https://")).all()
    assert applied["quote"].str.contains("50%").all()
    t = first_party_tariff()
    b = t[t["service"] == "batch"]
    starts = b.groupby("provider")["valid_from"].min()
    assert starts["openai"] >= pd.Timestamp("2024-04-15") and starts["google"] >= pd.Timestamp("2025-07-07")
    assert set(b["provider"]) == {"openai", "anthropic", "google"}
    # the batch price is half the standard line it comes from
    s = t[(t.offer == "gpt-4o-2024-08-06") & (t.service == "standard") & (t.line == "input")]
    bb = b[(b.offer == "gpt-4o-2024-08-06") & (b.line == "input")]
    assert bb["usd_per_mtok"].tolist() == [x / 2 for x in s["usd_per_mtok"]]


def test_unapplied_rules_are_kept_with_their_reason():
    rules = T.tariff_rules()
    idle = rules[rules["factor"].isna() | rules["valid_from"].isna()]
    assert {"flex", "priority"} <= set(idle["service"])
    assert idle["note"].str.startswith("Not applied").all()


def test_litellm_entry_parses_every_priced_field():
    entry = {
        "litellm_provider": "anthropic", "mode": "chat", "max_input_tokens": 1_000_000,
        "input_cost_per_token": 3e-06, "output_cost_per_token": 1.5e-05,
        "input_cost_per_token_above_200k_tokens": 6e-06, "output_cost_per_token_above_200k_tokens": 2.25e-05,
        "cache_read_input_token_cost": 3e-07, "cache_creation_input_token_cost": 3.75e-06,
        "cache_read_input_token_cost_above_200k_tokens": 6e-07,
        "cache_creation_input_token_cost_above_200k_tokens": 7.5e-06,
        "input_cost_per_token_batches": 1.5e-06, "output_cost_per_token_batches": 7.5e-06,
        "input_cost_per_token_flex": 1.5e-06, "output_cost_per_token_priority": 3e-05,
        "output_cost_per_reasoning_token": 1.5e-05, "search_context_cost_per_query": {"low": 0.01},
        "supports_reasoning": True,
    }
    t = T.litellm_tariff("claude-sonnet-4-5", entry, valid_from="2025-10-01", valid_to="2025-10-31")
    T.check_tariff(t)
    got = {(r.service, r.line, r.above_tokens): r.usd_per_mtok for r in t.itertuples()}
    assert got[("standard", "input", 200_000)] == pytest.approx(6.0)
    assert got[("standard", "output", 200_000)] == pytest.approx(22.5)
    assert got[("standard", "cached_input", 0)] == pytest.approx(0.3)
    assert got[("standard", "cache_write", 0)] == pytest.approx(3.75)
    assert got[("standard", "cached_input", 200_000)] == pytest.approx(0.6)
    assert got[("standard", "cache_write", 200_000)] == pytest.approx(7.5)
    assert got[("batch", "input", 0)] == pytest.approx(1.5) and got[("batch", "output", 0)] == pytest.approx(7.5)
    assert got[("flex", "input", 0)] == pytest.approx(1.5)
    assert got[("priority", "output", 0)] == pytest.approx(30.0)
    assert got[("standard", "reasoning_output", 0)] == pytest.approx(15.0)
    assert (t["provider"] == "anthropic").all() and (t["valid_to"] == pd.Timestamp("2025-10-31")).all()
    assert t.attrs["skipped"] == ["search_context_cost_per_query"]
    # the frame it makes bills a request like the curated one (whole-request semantics)
    sel, _ = T.select_lines(t[t.service == "standard"], prompt_tokens=250_000, minute=None)
    assert dict(zip(sel.line, sel.usd_per_mtok, strict=True))["input"] == pytest.approx(6.0)


def test_a_listed_batch_price_wins_over_the_rule():
    t = T.litellm_tariff("gpt-x", {"input_cost_per_token": 2e-06, "output_cost_per_token": 8e-06,
                                   "input_cost_per_token_batches": 0.8e-06},
                         valid_from="2025-01-01", valid_to="2025-01-31", provider="openai")
    b = T.apply_rules(t).query("service == 'batch'")
    assert dict(zip(b.line, b.usd_per_mtok, strict=True)) == {"input": pytest.approx(0.8),
                                                             "output": pytest.approx(4.0)}


@pytest.mark.parametrize("entry, match", [
    ([1, 2], "expected a JSON object"),
    ({"input_cost_per_token": "cheap"}, "not a number"),
    ({"input_cost_per_token": -1e-6}, "finite price >= 0"),
    ({"output_cost_per_token": float("nan")}, "finite price >= 0"),
])
def test_litellm_bad_entries_are_refused(entry, match):
    with pytest.raises(ParseError, match=match):
        T.litellm_tariff("k", entry, valid_from="2025-01-01")


@pytest.mark.parametrize("tier", ["between 1 and 2", "off-peak", "peak 25-26 UTC"])
def test_unknown_context_tier_is_refused(tier):
    with pytest.raises(ParseError, match="context_tier"):
        T.parse_context_tier(tier)


def test_check_tariff_refuses_other_frames():
    with pytest.raises(LLMFlationError, match="lacks columns"):
        T.check_tariff(pd.DataFrame({"offer": ["x"]}))
    with pytest.raises(LLMFlationError, match="DataFrame"):
        T.check_tariff([1])


def test_litellm_history_feeds_the_same_frame_and_bills_like_the_curated_table():
    """A store's dated LiteLLM entries become tariff lines; a request is billed from them as from the bundle."""
    e = {"litellm_provider": "gemini", "input_cost_per_token": 1.25e-06, "output_cost_per_token": 1e-05,
         "input_cost_per_token_above_200k_tokens": 2.5e-06, "output_cost_per_token_above_200k_tokens": 1.5e-05}
    hist = pd.DataFrame({"source_key": "gemini/gemini-2.5-pro",
                         "valid_from": pd.to_datetime(["2025-07-01", "2025-08-01"]),
                         "valid_to": pd.to_datetime(["2025-07-31", "2025-08-31"]), "entry": [e, e]})
    t = T.litellm_history_tariff(hist, provider="google")
    assert len(t) == 4 and (t["valid_from"] == pd.Timestamp("2025-07-01")).all()
    assert (t["valid_to"] == pd.Timestamp("2025-08-31")).all()
    t = T.apply_rules(t)
    day = t[(t.valid_from <= "2025-08-01") & (t.valid_to >= "2025-08-01") & (t.service == "standard")]
    sel, _ = T.select_lines(day, prompt_tokens=300_000, minute=None)
    rates = dict(zip(sel.line, sel.usd_per_mtok, strict=True))
    assert (300_000 * rates["input"] + 1_000 * rates["output"]) / 1e6 == pytest.approx(0.765, rel=IMPL_RTOL)
    assert set(t.loc[t.service == "batch", "valid_from"]) == {pd.Timestamp("2025-07-07")}
    with pytest.raises(InputError, match="lacks columns"):
        T.litellm_history_tariff(pd.DataFrame({"source_key": ["k"]}))
