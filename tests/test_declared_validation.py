"""Validation declared once (issue 22, point 6).

Argument types, choices and ranges of the public functions of study/ and methods/ are
read from their signatures by :func:`llmflation.signature.validated`; a function body
never re-checks by hand what its signature declares (it keeps only what a type cannot
say: the columns of this frame, options that exclude each other, data-dependent limits).
"""

from __future__ import annotations

import ast
import importlib
import inspect
import textwrap
import typing

import numpy as np
import pandas as pd
import pytest

import llmflation as lf
from llmflation.errors import InputError
from llmflation.signature import checker

#: Public functions of study/ still checking their arguments by hand (shrink this set; the
#: test below fails when one of them becomes declared, so it cannot go stale).
NOT_YET: set[str] = {
}

STUDY = sorted(n for n, m in lf._API.items() if m.startswith("llmflation.study.") and inspect.isfunction(getattr(lf, n))
               and n not in ("paper_vs_ours",))
#: Public functions of methods/: those of the facade, and the module-level ones beside them
#: that take options (the rest are array kernels without options: ``fit_line``,
#: ``batched_slopes``, ``percentile_interval``, ``time_dummy_index``, …).
METHODS = sorted({n for n, m in lf._API.items() if m.startswith("llmflation.methods.")
                  and inspect.isfunction(getattr(lf, n))})
METHODS_MODULE_LEVEL = [
    ("llmflation.methods.concentration", "concentration_ratio"),
    ("llmflation.methods.ols", "ols"),
    ("llmflation.methods.ols", "robust_ols"),
    ("llmflation.methods.ols", "bootstrap_slopes"),
    ("llmflation.methods.ols", "inverse_prediction"),
    ("llmflation.methods.elasticity", "log_log_elasticity"),
    ("llmflation.methods.wild", "wild_cluster"),
    ("llmflation.methods.rates", "annual_rate"),
    ("llmflation.methods.bootstrap", "parallel_map"),
    ("llmflation.methods.hansen", "hansen_pvalue"),
]
#: Hand checks and the position of the argument they check.
CHECKS = {"check_choice": 1, "check_int": 0, "check_number": 0, "check_level": 0, "check_seed": 0, "check_bool": 0,
          "check_str": 0, "check_frame": 0, "check_positive_int": 0, "check_str_sequence": 0,
          "check_int_sequence": 0}


def _declared(func) -> set[str]:
    hints = typing.get_type_hints(func, include_extras=True)
    return {name for name in inspect.signature(func).parameters if name in hints and checker(hints[name])[0]}


def _raises(body: list[ast.stmt]) -> bool:
    return any(isinstance(n, ast.Raise) for stmt in body for n in ast.walk(stmt))


def _hand_checks(func) -> list[tuple[str, str, int]]:
    """``check_*(arg, ...)`` calls, and ``if arg not in (...)`` / ``if not isinstance(arg, ...)`` guards that raise."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(func)))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in CHECKS:
            i = CHECKS[node.func.id]
            if len(node.args) > i and isinstance(node.args[i], ast.Name):
                out.append((node.func.id, node.args[i].id, node.lineno))
        if isinstance(node, ast.If) and _raises(node.body):
            for t in ast.walk(node.test):
                if (isinstance(t, ast.Compare) and isinstance(t.left, ast.Name) and len(t.ops) == 1
                        and isinstance(t.ops[0], ast.NotIn) and isinstance(t.comparators[0], ast.Tuple | ast.List | ast.Set)
                        and all(isinstance(e, ast.Constant) for e in t.comparators[0].elts)):
                    out.append(("not in", t.left.id, t.lineno))
                if (isinstance(t, ast.Call) and isinstance(t.func, ast.Name) and t.func.id == "isinstance"
                        and t.args and isinstance(t.args[0], ast.Name)):
                    out.append(("isinstance", t.args[0].id, t.lineno))
    return out


def _assert_declared(label: str, fn) -> None:
    assert hasattr(fn, "__wrapped__"), f"{label} is not @validated (llmflation.signature)"
    inner = fn.__wrapped__
    declared = _declared(inner)
    assert declared, f"{label} declares no checkable argument"
    again = [(c, a, ln) for c, a, ln in _hand_checks(inner) if a in declared]
    assert not again, f"{label} re-checks by hand what its signature declares: {again}"


@pytest.mark.parametrize("name", STUDY)
def test_study_function_declares_its_validation(name):
    fn = getattr(lf, name)
    decorated = hasattr(fn, "__wrapped__")
    if name in NOT_YET:
        assert not decorated, f"{name} is declared now: remove it from NOT_YET"
        pytest.skip(f"{name}: not converted yet")
    _assert_declared(name, fn)


def test_study_methods_are_declared_too():
    for name in ("__init__", "prices", "cheapest_above_threshold"):
        assert hasattr(getattr(lf.Study, name), "__wrapped__"), f"Study.{name} is not @validated"


def test_declared_message_has_the_package_wording():
    with pytest.raises(InputError, match=r"observations='weekly' is not allowed; expected one of: 'changes', 'launch', 'rows'"):
        lf.price_trend(lf.load_panel(warn=False), observations="weekly")


def test_methods_are_listed():
    assert {"dea", "malmquist", "bai_perron", "hhi", "price_index", "quantile_trend"} <= set(METHODS)


@pytest.mark.parametrize("name", METHODS)
def test_methods_function_declares_its_validation(name):
    _assert_declared(name, getattr(lf, name))


@pytest.mark.parametrize(("module", "name"), METHODS_MODULE_LEVEL)
def test_methods_module_function_declares_its_validation(module, name):
    _assert_declared(f"{module}.{name}", getattr(importlib.import_module(module), name))


def test_the_detector_sees_a_hand_check():
    """The AST scan finds the patterns it looks for (so an empty finding means something)."""
    def body(kind, level, n):
        check_level(level)  # noqa: F821
        if kind not in ("a", "b"):
            raise InputError("x")
        if not isinstance(n, int):
            raise InputError("y")
    found = {(c, a) for c, a, _ in _hand_checks(body)}
    assert found == {("check_level", "level"), ("not in", "kind"), ("isinstance", "n")}


def test_declared_methods_message_has_the_package_wording():
    with pytest.raises(InputError, match=r"criterion='aic' is not allowed; expected one of: 'bic', 'lwz', 'sequential'"):
        lf.bai_perron(pd.Series(np.arange(30.0)), criterion="aic")
    with pytest.raises(InputError, match=r"n_boot must be an integer >= 20; got 5\. Use e\.g\. 200\."):
        lf.dea_bootstrap(pd.DataFrame({"x": [1.0, 2.0]}), pd.DataFrame({"y": [1.0, 2.0]}), n_boot=5)
