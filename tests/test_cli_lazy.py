"""A command runs with only its own module imported (issue 21, point 6: startup is not a rebuild).

``llmflation.cli.COMMANDS`` names the module that registers each command; this test
registers every ``cmd_*`` module on its own app and checks the map against what they
really register, so a new or moved command cannot be missed.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import subprocess
import sys

import typer

import llmflation.cli as cli
from cli_helpers import run


def _registered() -> dict[str, str]:
    found: dict[str, str] = {}
    for info in sorted(pkgutil.iter_modules(cli.__path__), key=lambda i: i.name):
        if not info.name.startswith("cmd_"):
            continue
        app = typer.Typer()
        importlib.import_module(f"llmflation.cli.{info.name}").register(app)
        for c in app.registered_commands:
            found[c.name or c.callback.__name__.replace("_", "-")] = info.name
        for g in app.registered_groups:
            found[str(g.name)] = info.name
    return found


def test_the_command_map_is_what_the_modules_register():
    assert cli.COMMANDS == _registered()


def test_one_command_imports_only_its_module():
    code = ("import sys\nfrom llmflation.cli import main\n"
            "try:\n    main(['version'])\nexcept SystemExit as e:\n    assert not e.code\n"
            "loaded = sorted(m for m in sys.modules if m.startswith('llmflation.cli.cmd_'))\n"
            "assert loaded == ['llmflation.cli.cmd_version'], loaded\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=dict(os.environ), timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]


def test_help_and_unknown_commands_use_the_full_app(capsys):
    code, out, _ = run(["--help"], capsys)
    assert code == 0 and all(name in out for name in ("price", "report", "fetch", "tariff"))
    code, _, err = run(["no-such-command"], capsys)
    assert code == 2 and "No such command" in err
    code, out, _ = run(["history", "--help"], capsys)
    assert code == 0 and "history [OPTIONS]" in out
