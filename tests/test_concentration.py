import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from llmflation.errors import InputError
from llmflation.methods.concentration import concentration, concentration_ratio, hhi
from llmflation.study.concentration import llm_concentration, openrouter_model_shares
from llmflation.study.inputs import StudyInputs

CASE = Path(__file__).parent / "reference" / "hhi_published_examples"
EXACT = 1e-9  # published HHIs are integers


def test_published_examples():
    data = pd.read_csv(CASE / "data.csv")
    exp = json.loads((CASE / "expected.json").read_text())
    for case, g in data.groupby("case"):
        assert abs(hhi(g["share_pct"]) - exp[case]["hhi"]) <= EXACT


@pytest.mark.parametrize("n", [1, 2, 3, 7, 50])
def test_equal_firms_invariant(n):
    assert hhi(np.full(n, 100.0 / n)) == pytest.approx(10_000 / n)
    assert hhi(np.full(n, 1.0 / n), unit="fraction") == pytest.approx(10_000 / n)


def test_bounds_for_unlisted_remainder():
    r = concentration(pd.DataFrame({"period": 1, "firm": ["a", "b", "rest"], "share_pct": [50, 30, 20]}),
                      residual_firms=["rest"]).wide().iloc[0]
    assert r["hhi"] == 3400 and r["hhi_high"] == 3400 + 400 and r["listed_share_pct"] == 80
    assert r["cr_1"] == 50 and np.isnan(r["cr_4"])


def test_cr_k():
    assert concentration_ratio([5, 40, 30, 25], 1) == 40
    assert concentration_ratio([5, 40, 30, 25], 4) == 100


@pytest.mark.parametrize("bad,match", [([-1, 50], ">= 0"), ([np.nan], "finite"), ([60, 60], "more than 100%"),
                                       ([], "non-empty")])
def test_bad_shares(bad, match):
    with pytest.raises(InputError, match=match):
        hhi(bad)


def test_fraction_hint():
    with pytest.raises(InputError, match="did you mean unit='percent'"):
        hhi([60, 40], unit="fraction")
    assert hhi([0.6, 0.4], unit="fraction") == pytest.approx(5200)


def test_model_shares_by_quarter():
    snap = pd.DataFrame({"author": ["a", "b", "b", "c"],
                         "listed": pd.to_datetime(["2023-01-01", "2023-01-02", "2023-04-02", "2023-07-01"])})
    s = openrouter_model_shares(snap, start="2023Q1", end="2023Q3")
    q3 = s[s["period"] == "2023Q3"].set_index("firm")["share_pct"]
    assert q3.to_dict() == pytest.approx({"a": 25.0, "b": 50.0, "c": 25.0})


def test_llm_concentration_on_bundle():
    r = llm_concentration(**StudyInputs().concentration())
    f = r.wide()
    m = f[f["measure"] == "openrouter_models_available"].set_index("period")
    assert m["hhi"].between(0, 10_000).all()
    assert m.loc["2026Q1", "n_firms"] >= 30 and m.loc["2026Q1", "paper_value"] == 2086.0
    assert m.loc["2026Q1", "hhi"] != m.loc["2026Q1", "paper_value"]  # computed, not copied
    assert "menlo_enterprise_spend" in set(f["measure"])
    assert "HHI" in r.summary() and "<table>" in r._repr_html_() and len(r.wide()) == len(f)


def test_cli_csv_and_errors(tmp_path, capsys):
    from llmflation.cli import main

    f = tmp_path / "s.csv"
    f.write_text("year,firm,share\n2020,a,30\n2020,b,30\n2020,c,20\n2020,d,20\n2021,a,100\n")
    main(["hhi", "--csv", str(f), "--share-column", "share", "--period-column", "year", "--format", "json"])
    rows = json.loads(capsys.readouterr().out)["rows"]
    assert [r["hhi"] for r in rows] == [2600.0, 10000.0]
    with pytest.raises(SystemExit) as e:
        main(["hhi", "--csv", str(f), "--share-column", "nope"])
    assert e.value.code == 1 and "columns ['nope'] not found" in capsys.readouterr().err
