"""The one-way layers of DESIGN.md §2 and CONTRIBUTING.md "Layout".

::

    sources → normalize → store → panel → study → report → cli
    methods (generic econometrics: imports only the core and the scientific stack)

Core modules (``errors``, ``results``, ``_util``, ``validate``, ``signature``, ``etables``) may be imported from anywhere and
import nothing of the package beyond each other. Data flows one way: ``store`` writes
what ``normalize`` made of the sources (bundle and fetch alike), and ``panel`` only reads
the bundle and the store.
"""

import ast
import sys
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "src" / "llmflation"
#: Data and application layers, in import order (a layer imports only itself and layers to its left).
LAYERS = ["sources", "normalize", "store", "panel", "study", "report", "cli"]
#: Generic econometrics: knows nothing of LLMs; may be imported by study, report and cli.
METHODS = "methods"
METHODS_USERS = {"study", "report", "cli"}
CORE = {"errors", "results", "_util", "validate", "signature", "etables"}
ENTRY = {"__init__", "__main__"}
#: Third-party modules only one layer may import.
OWNED = {"duckdb": {"store"}, "matplotlib": {"report"}, "plotly": {"report"}, "jinja2": {"report"},
         "typer": {"cli"}}
#: The only third-party packages methods/ may import (DESIGN §2; joblib/dask: optional parallel backends).
METHODS_THIRD_PARTY = {"numpy", "scipy", "pandas", "statsmodels", "highspy", "joblib", "dask"}


def _modules():
    for f in sorted(PKG.rglob("*.py")):
        rel = f.relative_to(PKG)
        layer = rel.parts[0] if len(rel.parts) > 1 else rel.stem
        yield f, layer


def _package_of(f: Path) -> list[str]:
    rel = f.relative_to(PKG.parent).with_suffix("")
    parts = list(rel.parts)
    return parts if parts[-1] == "__init__" and parts.pop() else parts[:-1]


def _imports(f: Path):
    """(module, imported names, line) for every import, including those inside functions."""
    tree = ast.parse(f.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                yield a.name, (), node.lineno
        elif isinstance(node, ast.ImportFrom):
            mod = node.module or ""
            if node.level:
                base = _package_of(f)
                base = base[: len(base) - (node.level - 1)]
                mod = ".".join([*base, mod] if mod else base)
            yield mod, tuple(a.name for a in node.names), node.lineno


def _layer_of(mod: str) -> str | None:
    parts = mod.split(".")
    if parts[0] != "llmflation":
        return None
    return parts[1] if len(parts) > 1 else ""


IDS = lambda v: str(v).split("llmflation/")[-1]  # noqa: E731


@pytest.mark.parametrize("path,layer", list(_modules()), ids=IDS)
def test_imports_go_one_way(path, layer):
    for mod, _names, line in _imports(path):
        where = f"{path.relative_to(PKG)}:{line}"
        target = _layer_of(mod)
        top = mod.split(".")[0]
        if top in OWNED:
            assert layer in OWNED[top], f"{where}: only {OWNED[top]} may import {top}"
        if layer == METHODS and target is None and top not in sys.stdlib_module_names and top != "__future__":
            assert top in METHODS_THIRD_PARTY, f"{where}: methods/ imports {top} (allowed: {METHODS_THIRD_PARTY})"
        if target is None or layer in ENTRY:
            continue
        if target == "":  # the public facade: only cli, a thin layer over the public API, uses it
            assert layer == "cli", f"{where}: `from llmflation import ...` inside {layer}/; import the defining module"
            continue
        if target in CORE or target == layer:
            continue
        if layer in CORE:
            pytest.fail(f"{where}: core module {layer} imports {mod}")
        if layer == METHODS:
            pytest.fail(f"{where}: methods/ imports {mod}; methods know nothing of the other layers")
        if target == METHODS:
            assert layer in METHODS_USERS, f"{where}: {layer} imports {mod}; only {METHODS_USERS} use methods/"
            continue
        assert target in LAYERS, f"{where}: unknown layer {target!r} in {mod}"
        assert LAYERS.index(target) <= LAYERS.index(layer), f"{where} ({layer}) imports {mod} (a later layer)"


@pytest.mark.parametrize("path,layer", list(_modules()), ids=IDS)
def test_no_private_names_across_layers(path, layer):
    """`_x` is private to its layer: another layer neither imports it nor a `_module` of it."""
    if layer in ENTRY:
        return
    for mod, names, line in _imports(path):
        target = _layer_of(mod)
        if target in (None, "", layer) or target in CORE and layer in CORE:
            continue
        private_mod = [p for p in mod.split(".")[2:] if p.startswith("_") and p != "__init__"]
        private_names = [n for n in names if n.startswith("_")]
        assert not private_mod and not private_names, (
            f"{path.relative_to(PKG)}:{line} ({layer}) imports private {mod} {private_names or ''}")


def test_no_analysis_shim():
    assert not (PKG / "analysis").exists(), "the old analysis/ package is gone: import methods/ or study/"


def test_no_reference_to_shared_folder():
    for f, _ in _modules():
        txt = f.read_text()
        assert "../shared" not in txt and "/shared/data" not in txt, f


@pytest.mark.parametrize("path", sorted(p for p in (PKG / "study").glob("*.py") if p.name not in ("inputs.py", "api.py")),
                         ids=lambda p: p.name)
def test_study_functions_never_load_their_data(path):
    """Data flows one way: a study function takes its data as arguments; only ``study/inputs.py``
    resolves defaults and ``study/api.py`` (``Study``) wires them (docstring examples aside)."""
    loads = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module in ("llmflation.study.inputs", "llmflation.panel.build",
                                                                 "llmflation.panel", "llmflation.store"):
            loads.append(f"line {node.lineno}: from {node.module} import …")
        if isinstance(node, ast.Call):
            f = node.func
            name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""
            if name in ("StudyInputs", "study_inputs", "load_panel"):
                loads.append(f"line {node.lineno}: {name}(…)")
    assert not loads, f"study/{path.name} loads data itself (pass it as arguments; Study wires it): {loads}"
