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
import pkgutil
import textwrap
import typing

import numpy as np
import pandas as pd
import pytest

import llmflation as lf
import llmflation.methods
from llmflation.errors import InputError
from llmflation.signature import checker

#: Public functions of study/ still checking their arguments by hand (shrink this set; the
#: test below fails when one of them becomes declared, so it cannot go stale).
NOT_YET: set[str] = {
}

STUDY = sorted(n for n, m in lf._API.items() if m.startswith("llmflation.study.") and inspect.isfunction(getattr(lf, n))
               and n not in ("paper_vs_ours",))
#: Public functions of methods/ exported by the facade (``lf.dea``, ``lf.bai_perron``, …).
METHODS = sorted({n for n, m in lf._API.items() if m.startswith("llmflation.methods.")
                  and inspect.isfunction(getattr(lf, n))})
#: The other public functions of methods/ modules: every one is declared, except these array
#: kernels, which take arrays their (declared) callers built and no option to check, and run
#: inside resampling loops where a per-call check would cost more than the work.
KERNELS: dict[str, str] = {
    "bootstrap.fork_map": "runs its caller's function over items in forked processes (no user options)",
    "breaks.step_series_reason": "a predicate on an array, no options",
    "dea.farrell_scores": "the LP kernel behind dea/malmquist, called per block of DMUs",
    "dea_bootstrap.min_dmus": "arithmetic on two counts the caller computed",
    "estimability.is_finding": "a predicate on a status string",
    "hansen.tau_from_lambda": "arithmetic on a lambda hansen_pvalue has checked",
    "index.time_dummy_index": "a regression on arrays built by its caller",
    "malmquist.components": "Malmquist components of score arrays, per bootstrap replicate",
    "malmquist.pair_means": "geometric means of those components, per bootstrap replicate",
    "ols.fit_line": "the line fit inside bootstrap and permutation loops",
    "ols.batched_slopes": "vectorised slopes of bootstrap draws",
    "ols.dummies": "dummy columns of a label array",
    "permutation.record_slopes": "slopes of permuted records, inside the permutation loop",
    "permutation.record_points": "a mask of an array",
    "pvalues.clip_p_value": "formatting of one number",
    "pvalues.p_value_display": "formatting of one number",
    "quantile_trend.rank_score": "the rank score, evaluated per root-finding step",
    "quantile_trend.quantile_slope": "the slope, evaluated per bootstrap draw",
    "rates.newey_west_lags": "arithmetic on a count",
}


def _methods_module_functions() -> list[str]:
    out = []
    for info in pkgutil.iter_modules(llmflation.methods.__path__):
        if info.name.startswith("_"):
            continue
        mod = importlib.import_module(f"llmflation.methods.{info.name}")
        out += [f"{info.name}.{n}" for n, f in vars(mod).items()
                if not n.startswith("_") and inspect.isfunction(f) and f.__module__ == mod.__name__]
    return sorted(out)


METHODS_MODULE_LEVEL = _methods_module_functions()
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


def _methods_function(qualname: str):
    module, name = qualname.split(".")
    return getattr(importlib.import_module(f"llmflation.methods.{module}"), name)


@pytest.mark.parametrize("qualname", [q for q in METHODS_MODULE_LEVEL if q not in KERNELS])
def test_methods_module_function_declares_its_validation(qualname):
    _assert_declared(f"llmflation.methods.{qualname}", _methods_function(qualname))


def test_kernels_list_is_current():
    """KERNELS names existing, undeclared functions (it cannot go stale)."""
    assert set(KERNELS) <= set(METHODS_MODULE_LEVEL), set(KERNELS) - set(METHODS_MODULE_LEVEL)
    declared = [q for q in KERNELS if hasattr(_methods_function(q), "__wrapped__")]
    assert not declared, f"{declared} are declared now: remove them from KERNELS"


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
