"""Claims: one object per headline, one rendering, a verdict per published figure (issue 20)."""

from __future__ import annotations

import math

from bs4 import BeautifulSoup

from llmflation.report.claims import VERDICTS, Claim, render_html, render_text
from llmflation.report.render import Table, column_label, plain


def _c(**kw) -> Claim:
    base = {"id": "hl", "title": "Economy-tier half-life", "section": "trend", "estimate": 1.4, "conf_low": 0.9,
            "conf_high": 3.0, "unit": "years", "reference_key": "du2026.half_life.economy", "paper_value": 1.1,
            "paper_display": "1.10 y"}
    return Claim(**{**base, **kw})


def test_verdicts() -> None:
    assert _c().verdict == VERDICTS[0]  # 1.1 inside [0.9, 3.0]
    moved = _c(conf_low=1.2, closest=1.0, closest_low=0.8, closest_high=1.3,
               closest_spec="tiers: price band instead of positioning")
    assert moved.verdict == VERDICTS[1]
    why = moved.verdict_reason
    assert "price band instead of positioning" in why and "1 y [0.8, 1.3]" in why and "1.4 y [1.2, 3]" in why
    assert _c(conf_low=1.2, closest=7.0, closest_low=5.0, closest_high=9.0).verdict == VERDICTS[2]
    assert _c(comparable=False, concept="another measure").verdict == VERDICTS[3]
    assert _c(status="not estimable", reason="interval spans 4 orders of magnitude").verdict == VERDICTS[3]
    # without an interval: within 10% counts as reproduced
    assert _c(conf_low=math.nan, conf_high=math.nan, estimate=1.15).verdict == VERDICTS[0]
    assert _c(reference_key="", paper_display="").verdict == ""


def test_not_estimable_is_never_printed_as_a_number() -> None:
    c = _c(status="not estimable", estimate=291.0)
    assert c.display == "not estimable" and "291" not in c.display


def test_one_rendering_in_text_and_html() -> None:
    c = _c(id="half_life_economy")
    claims = {c.id: c}
    t = "Prices halve every {half_life_economy} (paper: {paper:half_life_economy})."
    assert render_text(t, claims) == "Prices halve every 1.4 y [0.9, 3] (paper: 1.10 y)."
    soup = BeautifulSoup(render_html(t, claims), "html.parser")
    span = soup.select_one("span.claim[data-claim='half_life_economy']")
    assert span.get_text() == c.display
    assert soup.get_text() == render_text(t, claims)


def test_html_escapes_claim_text() -> None:
    c = _c(id="x", title="<b>", suffix="(<script>)")
    html = render_html("{x}", {"x": c})
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_tables_for_people() -> None:
    import pandas as pd

    assert column_label("boot_conf_high") == "bootstrap CI high"
    assert column_label("price_usd_per_mtok") == "price (USD per 1M tokens)"
    assert column_label("log_price_slope_per_year") == "log price change per year"
    f = pd.DataFrame({"model_name": ["a"], "empty": [None], "blank": [""], "p_value": [0.01]})
    shown = Table("t", f).display_frame()
    assert list(shown.columns) == ["model_name", "p_value"]  # empty columns dropped
    html = Table("t", f).html()
    assert "model" in html and "model_name" not in html and 'class="sortable"' in html


def test_plain_language() -> None:
    assert plain("see PAPERS.md") == "see the paper notes"
    assert "release_date_trusted" not in plain("flag release_date_trusted is false")
    assert "lf." not in plain("run lf.llm_frontier_invariant() for that")
