"""Cross-source price discrepancies on a date: synthetic truth, real catalogues, CLI."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from llmflation.cli import main
from llmflation.errors import InputError
from llmflation.panel.discrepancies import DiscrepancyReport, discrepancies

D = pd.Timestamp("2026-03-01")


def row(source, key, model_id, provider, inp, out, start=D, end=D, first_party=False):
    return {"source": source, "source_key": key, "model_id": model_id, "provider": provider,
            "valid_from": pd.Timestamp(start), "valid_to": pd.Timestamp(end), "first_party": first_party,
            "input_usd_per_mtok": inp, "output_usd_per_mtok": out}


def frame(*rows) -> pd.DataFrame:
    return pd.DataFrame(list(rows))


def test_known_gaps_are_found_with_both_values_and_sources():
    p = frame(
        row("openrouter", "openai/gpt-4o", "gpt-4o", "openrouter", 2.5, 10.0),
        row("litellm", "openrouter/openai/gpt-4o", "gpt-4o", "openrouter", 5.0, 10.0),      # input +100 %
        row("openrouter", "mistralai/mixtral-8x22b", "mixtral-8x22b", "openrouter", 6.0, 6.0),
        row("litellm", "openrouter/mistralai/mixtral-8x22b", "mixtral-8x22b", "openrouter", 0.65, 6.0),
        row("openrouter", "x/agree", "agree", "openrouter", 1.0, 2.0),
        row("litellm", "openrouter/x/agree", "agree", "openrouter", 1.0, 2.0),
    )
    r = discrepancies(p, on=D)
    t = r.to_frame()
    assert isinstance(r, DiscrepancyReport)
    assert t[["model_id", "price", "source_a", "value_a", "source_b", "value_b"]].values.tolist() == [
        ["mixtral-8x22b", "input", "openrouter", 6.0, "litellm", 0.65],   # |log| 2.22: largest first
        ["gpt-4o", "input", "openrouter", 2.5, "litellm", 5.0],
    ]
    assert t["diff_pct"].tolist() == pytest.approx([(0.65 / 6 - 1) * 100, 100.0])
    assert t["key_b"].tolist() == ["openrouter/mistralai/mixtral-8x22b", "openrouter/openai/gpt-4o"]
    assert (r.offers_compared, r.pairs_compared) == (3, 6)
    assert "2 of 6 price comparisons differ by more than 1%" in r.notes[0]


def test_threshold_is_symmetric_and_strict():
    p = frame(row("openrouter", "a", "m", "openrouter", 1.0, 1.0), row("litellm", "b", "m", "openrouter", 1.1, 1 / 1.1))
    assert len(discrepancies(p, on=D, threshold=0.1).table) == 0      # exactly 10 % both ways: not beyond
    assert len(discrepancies(p, on=D, threshold=0.0999).table) == 2
    assert len(discrepancies(p, on=D, threshold=0.5).table) == 0


def test_only_intervals_in_force_on_the_date_count():
    p = frame(
        row("openrouter", "a", "m", "openrouter", 1.0, 1.0, "2026-01-01", "2026-02-27"),
        row("openrouter", "a", "m", "openrouter", 2.0, 2.0, "2026-02-28", "2026-04-01"),
        row("litellm", "b", "m", "openrouter", 1.0, 1.0, "2026-01-01", "2026-03-10"),
    )
    t = discrepancies(p, on="2026-03-01").table
    assert t["value_a"].tolist() == [2.0, 2.0] and t["value_b"].tolist() == [1.0, 1.0]
    assert discrepancies(p, on="2026-02-01").table.empty
    assert discrepancies(p, on="2026-03-20").offers_compared == 0
    # a window lets a price seen ten days earlier still count
    assert discrepancies(p, on="2026-03-20", window_days=10).offers_compared == 1


def test_first_party_providers_pool_and_variants_stay_apart():
    p = frame(
        row("litellm", "gemini/gemini-2.5-pro", "gemini-2-5-pro", "gemini", 1.25, 10.0, first_party=True),
        row("genai-prices", "gemini-2.5-pro", "gemini-2-5-pro", "google", 2.5, 10.0, first_party=True),
        row("openrouter", "openai/gpt-4o", "gpt-4o", "openrouter", 2.5, 10.0),
        row("openrouter", "openai/gpt-4o:extended", "gpt-4o", "openrouter", 6.0, 18.0),
        row("genai-prices", "openai/gpt-4o:extended", "gpt-4o", "openrouter", 6.0, 18.0),
    )
    t = discrepancies(p, on=D).table
    assert t[["model_id", "provider", "variant", "price"]].values.tolist() == [
        ["gemini-2-5-pro", "first-party", "", "input"]]
    r = discrepancies(p, on=D)
    assert r.offers_compared == 2  # gemini (pooled) and gpt-4o:extended; base gpt-4o has one source


def test_several_keys_for_one_offer_prefer_the_unprefixed_latest_key():
    p = frame(
        row("genai-prices", "openai/gpt-4o", "gpt-4o", "openai", 5.0, 15.0, first_party=True),
        row("genai-prices", "gpt-4o", "gpt-4o", "openai", 2.5, 10.0, first_party=True),
        row("llm-prices", "gpt-4o", "gpt-4o", "openai", 2.5, 10.0, first_party=True),
    )
    assert discrepancies(p, on=D).table.empty


def test_model_matching_uses_first_party_else_the_median():
    p = frame(
        row("openrouter", "meta/llama-3-70b", "llama-3-70b", "openrouter", 0.5, 0.7),
        row("litellm", "together/llama-3-70b", "llama-3-70b", "together", 0.9, 0.9),
        row("litellm", "groq/llama-3-70b", "llama-3-70b", "groq", 0.5, 0.8),
        row("litellm", "deepinfra/llama-3-70b", "llama-3-70b", "deepinfra", 0.3, 0.4),
    )
    r = discrepancies(p, on=D, match="model")
    t = r.table.set_index("price")
    assert "input" not in t.index  # 0.5 vs median(0.9, 0.5, 0.3) = 0.5: no gap
    assert t.loc["output", "value_b"] == pytest.approx(0.8)  # median of 0.9, 0.8, 0.4
    assert t.loc["output", "key_b"].startswith("median of ")
    assert t.loc["output", "provider"] == "median across providers"


def test_default_date_has_the_most_comparable_offers():
    p = frame(
        row("openrouter", "a", "m1", "openrouter", 1, 1, "2026-01-01", "2026-01-31"),
        row("litellm", "a", "m1", "openrouter", 2, 2, "2026-01-01", "2026-01-31"),
        row("openrouter", "b", "m2", "openrouter", 1, 1, "2026-01-01", "2026-01-31"),
        row("litellm", "b", "m2", "openrouter", 1, 1, "2026-01-01", "2026-01-31"),
        row("llm-prices", "c", "m3", "openai", 1, 1, "2026-09-01", "2026-09-01"),
        row("genai-prices", "c", "m3", "openai", 1, 1, "2026-09-01", "2026-09-01"),
    )
    r = discrepancies(p)
    assert r.on == pd.Timestamp("2026-01-31") and r.offers_compared == 2
    assert "the date with the most offers" in r.notes[0]


def test_sources_filter_and_bad_input():
    p = frame(row("openrouter", "a", "m", "openrouter", 1, 1), row("litellm", "a", "m", "openrouter", 2, 2),
              row("genai-prices", "a", "m", "openrouter", 4, 4))
    r = discrepancies(p, on=D, sources=["litellm", "genai-prices"])
    assert set(r.table["source_a"]) | set(r.table["source_b"]) == {"litellm", "genai-prices"}
    with pytest.raises(InputError, match="match='x' is not allowed"):
        discrepancies(p, match="x")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="threshold must be a non-negative fraction"):
        discrepancies(p, threshold=-0.1)
    with pytest.raises(InputError, match=r"source\(s\) \['nope'\] are not in the panel"):
        discrepancies(p, sources=["openrouter", "nope"])
    with pytest.raises(InputError, match="compare at least two sources"):
        discrepancies(p, sources=["openrouter"])
    with pytest.raises(InputError, match="lacks column"):
        discrepancies(p.drop(columns="source_key"))
    with pytest.raises(InputError, match="is not a date"):
        discrepancies(p, on="soon")
    with pytest.raises(InputError, match="no date on which two sources"):
        discrepancies(p[p["source"] == "openrouter"])


def test_inputs_are_not_mutated_and_free_prices_are_ignored():
    p = frame(row("openrouter", "a", "m", "openrouter", 0.0, 0.0), row("litellm", "a", "m", "openrouter", 2, 2),
              row("openrouter", "b", "n", "openrouter", 1, 1), row("litellm", "b", "n", "openrouter", 1, 3))
    copy = p.copy()
    r = discrepancies(p, on=D)
    pd.testing.assert_frame_equal(p, copy)
    assert r.offers_compared == 1 and r.table["model_id"].unique().tolist() == ["n"]


def test_summary_formats():
    p = frame(row("openrouter", "a", "m", "openrouter", 1, 1), row("litellm", "<b>", "m", "openrouter", 2, 2))
    r = discrepancies(p, on=D)
    assert r.summary().startswith("Price discrepancies between sources on 2026-03-01 (gap > 1%)")
    html = r._repr_html_()
    assert "&lt;b&gt;" in html and "<td><b>" not in html
    assert r.summary("markdown").startswith("**Price discrepancies")
    with pytest.raises(InputError):
        r.summary("pdf")  # type: ignore[arg-type]


# --------------------------------------------------------------------------- the real catalogues


def test_litellm_openrouter_entries_drift_from_openrouter_itself(panel):
    r = discrepancies(panel, on="2026-03-01", sources=["openrouter", "litellm"])
    t = r.table
    assert len(t) > 10 and set(t["provider"]) == {"openrouter"}
    # every value reported is the price of the interval in force that day, from the named key
    for rec in t.head(20).itertuples():
        for src, key, val in ((rec.source_a, rec.key_a, rec.value_a), (rec.source_b, rec.key_b, rec.value_b)):
            iv = panel[(panel["source"] == src) & (panel["source_key"] == key) & (panel["valid_from"] <= r.on)
                       & (panel["valid_to"] >= r.on)]
            assert len(iv) == 1 and iv[f"{rec.price}_usd_per_mtok"].iloc[0] == val
    # the known drift of catalogues: as low as −89 % (Mixtral 8x22B output: $6 vs $0.65)
    low = t.loc[t["diff_pct"].idxmin()]
    assert (low["model_id"], low["price"]) == ("mixtral-8x22b-instruct", "output")
    assert low["diff_pct"] == pytest.approx((0.65 / 6.0 - 1) * 100)
    assert t["diff_pct"].max() > 300


def test_cli_discrepancies_json(tmp_path, capsys):
    main(["discrepancies", "--on", "2026-03-01", "--sources", "openrouter,litellm", "--threshold", "0.5",
          "-f", "json"])
    out = json.loads(capsys.readouterr().out)
    assert out["on"] == "2026-03-01" and out["title"].endswith("(gap > 50%)")
    assert all(abs(np.log(r["value_b"] / r["value_a"])) > np.log(1.5) for r in out["rows"])
    assert {r["source_a"] for r in out["rows"]} == {"openrouter"}


def test_cli_discrepancies_bad_option(capsys, tmp_path):
    with pytest.raises(SystemExit) as e:
        main(["discrepancies", "--match", "vendor"])
    assert e.value.code == 1
    assert capsys.readouterr().err.startswith("Error: match='vendor' is not allowed; expected one of: 'offer', "
                                              "'model'.")
