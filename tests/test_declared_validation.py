"""Validation declared once (issue 22, point 6).

Argument types, choices and ranges of the study's public functions are read from their
signatures by :func:`llmflation.signature.validated`; a function body never re-checks by
hand what its signature declares (it keeps only what a type cannot say: the columns of
this frame, options that exclude each other).
"""

from __future__ import annotations

import ast
import inspect
import textwrap
import typing

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
CHECKS = {"check_choice": 1, "check_int": 0, "check_number": 0, "check_level": 0, "check_seed": 0, "check_bool": 0,
          "check_str": 0, "check_frame": 0, "check_positive_int": 0}


def _declared(func) -> set[str]:
    hints = typing.get_type_hints(func, include_extras=True)
    return {name for name in inspect.signature(func).parameters if name in hints and checker(hints[name])[0]}


def _hand_checks(func) -> list[tuple[str, str, int]]:
    tree = ast.parse(textwrap.dedent(inspect.getsource(func)))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in CHECKS:
            i = CHECKS[node.func.id]
            if len(node.args) > i and isinstance(node.args[i], ast.Name):
                out.append((node.func.id, node.args[i].id, node.lineno))
    return out


@pytest.mark.parametrize("name", STUDY)
def test_study_function_declares_its_validation(name):
    fn = getattr(lf, name)
    decorated = hasattr(fn, "__wrapped__")
    if name in NOT_YET:
        assert not decorated, f"{name} is declared now: remove it from NOT_YET"
        pytest.skip(f"{name}: not converted yet")
    assert decorated, f"{name} is not @validated (llmflation.signature)"
    inner = fn.__wrapped__
    declared = _declared(inner)
    assert declared, f"{name} declares no checkable argument"
    again = [(c, a, ln) for c, a, ln in _hand_checks(inner) if a in declared]
    assert not again, f"{name} re-checks by hand what its signature declares: {again}"


def test_study_methods_are_declared_too():
    for name in ("__init__", "prices", "cheapest_above_threshold"):
        assert hasattr(getattr(lf.Study, name), "__wrapped__"), f"Study.{name} is not @validated"


def test_declared_message_has_the_package_wording():
    with pytest.raises(InputError, match=r"observations='weekly' is not allowed; expected one of: 'changes', 'launch', 'rows'"):
        lf.price_trend(lf.load_panel(warn=False), observations="weekly")


@pytest.mark.parametrize("name", ["dea", "malmquist"])
def test_methods_declared_so_far(name):
    """methods/ functions converted to declared validation (the rest still check by hand)."""
    fn = getattr(lf, name)
    assert hasattr(fn, "__wrapped__"), f"{name} is not @validated"
    declared = _declared(fn.__wrapped__)
    again = [(c, a, ln) for c, a, ln in _hand_checks(fn.__wrapped__) if a in declared]
    assert not again, f"{name} re-checks by hand what its signature declares: {again}"
