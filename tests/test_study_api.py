"""lf.Study: the study's data with one method per question (issue 22, point 1).

Every question runs with no arguments on the study's defaults, keywords pass through and
override them, the panel is built once, and the CLI and the report run the same methods
(so a notebook, the CLI and the report cannot compute different things).
"""

from __future__ import annotations

import ast
import inspect
import warnings
from pathlib import Path

import pandas as pd
import pytest

import llmflation as lf
from llmflation.errors import InputError
from llmflation.results import Result
from llmflation.study import api
from llmflation.study.inputs import StudyInputs

pytestmark = pytest.mark.slow
SRC = Path(api.__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def study() -> lf.Study:
    return lf.Study()


#: Options that keep the default runs quick where the default is a long bootstrap.
QUICK = {"price_trend": {"n_boot": 0}, "hedonic_index": {"n_boot": 20}, "headline_index": {"n_boot": 20},
         "us_china": {"n_boot": 200}, "robustness": {"leave_one_out": False, "influence": False}}


def test_one_method_per_question_named_as_the_public_function():
    for q in api.QUESTIONS:
        assert callable(getattr(lf.Study, q, None)), f"Study lacks {q}()"
        assert q in lf._API, f"Study.{q} is not named as a public function"
        assert ">>>" in (inspect.getdoc(getattr(lf.Study, q)) or ""), f"Study.{q} has no example"


@pytest.mark.parametrize("q", api.QUESTIONS)
def test_question_runs_on_defaults(study, q):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = getattr(study, q)(**QUICK.get(q, {}))
    assert isinstance(r, Result), f"Study.{q}() returned {type(r).__name__}"
    assert r.vintage != "user data", f"Study.{q}() lost the data vintage"
    assert len(r.to_frame())


def test_defaults_need_no_arguments_at_all(study):
    r = study.llm_concentration()  # no keywords: the wiring alone
    direct = lf.llm_concentration(**StudyInputs().concentration())
    pd.testing.assert_frame_equal(r.to_frame(), direct.to_frame())


def test_keywords_pass_through_and_override_defaults(study):
    a = study.price_trend(n_boot=0)
    b = study.price_trend(n_boot=0, by="developer", price="output")
    assert a.config["price"] == "blended" and b.config["price"] == "output"
    assert {g.group for g in a.groups} == {"economy", "mid", "flagship"}
    assert {g.group for g in b.groups} != {g.group for g in a.groups}
    d = study.total_decline(start="2023-01-01")  # overrides one of the two wired defaults
    assert str(d.config.get("start", d.table["start_date"].min()))[:4] >= "2023"
    # and the same call on the pure function with the same data gives the same numbers
    direct = lf.price_trend(study.panel(), by="developer", price="output", n_boot=0)
    pd.testing.assert_frame_equal(b.to_frame(), direct.to_frame())


def test_unknown_option_is_refused_by_the_function(study):
    with pytest.raises(InputError, match="elasticity\\(\\) has no option 'nonsense'; its options are: price, cost"):
        study.elasticity(nonsense=1)


def test_panel_is_built_once_and_copies_are_returned(monkeypatch):
    import llmflation.study.inputs as inputs_mod

    calls = []
    real = inputs_mod.load_panel

    def counting(*a, **kw):
        calls.append(1)
        return real(*a, **kw)

    monkeypatch.setattr(inputs_mod, "load_panel", counting)
    s = lf.Study()
    assert calls == []  # lazy: nothing read yet
    p1, p2 = s.panel(), s.panel()
    s.price_trend(n_boot=0)
    s.reasoning_premium()
    assert len(calls) == 1
    p1.loc[p1.index[0], "model_id"] = "mutated"
    assert s.panel().loc[p2.index[0], "model_id"] == p2.loc[p2.index[0], "model_id"]


def test_given_panel_is_used():
    panel = lf.load_panel(warn=False)
    sub = panel[panel["developer"] == "OpenAI"].copy()
    sub.attrs = dict(panel.attrs)
    r = lf.Study(panel=sub).price_trend(n_boot=0, by="all")
    assert r.groups[0].n <= (panel["developer"] == "OpenAI").sum()


@pytest.mark.parametrize("kw", [{"tiers": "bands"}, {"tiers": 3}, {"panel": [1, 2]}, {"db": 5},
                                {"db": "/nonexistent/store.duckdb"}])
def test_bad_study_arguments(kw):
    with pytest.raises(InputError):
        lf.Study(**kw)


def test_bad_source_of_threshold(study):
    with pytest.raises(InputError, match="'epoch', 'panel'"):
        study.cheapest_above_threshold(source="web")


def _calls_of(path: Path) -> set[str]:
    """Names of study functions called directly in a module (``fit(...)``, ``price_trend(...)``)."""
    tree = ast.parse(path.read_text())
    return {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}


def test_report_runs_the_study_methods():
    """The report wires no data to questions itself: it calls Study's methods."""
    called = _calls_of(SRC / "report" / "sections.py")
    wired = set(api.QUESTIONS)
    assert not (called & wired), f"report/sections.py calls study functions directly: {sorted(called & wired)}"
    assert "Study" in (SRC / "report" / "sections.py").read_text()


@pytest.mark.parametrize("module", ["cmd_jevons", "cmd_baumol", "cmd_robustness", "cmd_frontier", "cmd_index",
                                    "cmd_prices", "cmd_market", "cmd_breaks", "cmd_headline"])
def test_cli_runs_the_study_methods(module):
    path = SRC / "cli" / f"{module}.py"
    called = _calls_of(path)
    wired = set(api.QUESTIONS)
    assert not (called & wired), f"{module} calls study functions directly: {sorted(called & wired)}"
    assert "Study.from_inputs" in path.read_text() or "Study()" in path.read_text()


def test_bundled_tables_are_read_once_and_copied(monkeypatch):
    import llmflation.study.inputs as inputs_mod

    reads = []
    real = inputs_mod.bundled.load_table

    def counting(name):
        reads.append(name)
        return real(name)

    monkeypatch.setattr(inputs_mod.bundled, "load_table", counting)
    s = lf.Study()
    a = s.table("token_volume")
    a.iloc[0, 0] = None
    b = s.table("token_volume")
    assert reads == ["token_volume"]
    assert b.iloc[0, 0] is not None and b.attrs["vintage"]
