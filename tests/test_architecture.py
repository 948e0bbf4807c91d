"""The one-way layers of DESIGN.md §2: sources → panel → store → analysis → report → cli."""

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "src" / "llmflation"
LAYERS = ["sources", "panel", "store", "analysis", "report", "cli"]
CORE = {"errors", "__init__", "__main__"}
#: Third-party modules only one layer may import.
OWNED = {"duckdb": {"store"}, "matplotlib": {"report"}, "jinja2": {"report"}, "typer": {"cli"}}


def _modules():
    for f in sorted(PKG.rglob("*.py")):
        rel = f.relative_to(PKG)
        layer = rel.parts[0] if len(rel.parts) > 1 else rel.stem
        yield f, layer


def _imports(f: Path):
    tree = ast.parse(f.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                yield a.name, node.lineno
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module, node.lineno


@pytest.mark.parametrize("path,layer", list(_modules()), ids=lambda v: str(v).split("llmflation/")[-1])
def test_imports_go_one_way(path, layer):
    if layer in CORE:
        return
    rank = LAYERS.index(layer)
    for mod, line in _imports(path):
        parts = mod.split(".")
        if parts[0] == "llmflation" and len(parts) > 1 and parts[1] in LAYERS:
            assert LAYERS.index(parts[1]) <= rank, f"{path.name}:{line} ({layer}) imports {mod} (a later layer)"
        if parts[0] in OWNED:
            assert layer in OWNED[parts[0]], f"{path.name}:{line}: only {OWNED[parts[0]]} may import {parts[0]}"


def test_no_reference_to_shared_folder():
    for f, _ in _modules():
        txt = f.read_text()
        assert "../shared" not in txt and "/shared/data" not in txt, f
