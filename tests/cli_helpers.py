"""Run the CLI in-process and capture exit code, stdout and stderr (shared by the CLI tests)."""

from __future__ import annotations

import pytest

from llmflation.cli import main


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """``(exit code, stdout, stderr)`` of ``llmflation ARGS`` run through ``cli.main``."""
    try:
        main(args)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err
