"""Write the table of CLI commands into README.md (between the markers of llmflation.cli.docs).

Usage: python scripts/readme_commands.py [--check]   (--check: exit 1 if the README is stale)
"""

from __future__ import annotations

import sys
from pathlib import Path

from llmflation.cli.docs import BEGIN, END, command_table

README = Path(__file__).resolve().parents[1] / "README.md"


def render(text: str) -> str:
    """``text`` with the block between the markers replaced by the current table."""
    if BEGIN not in text or END not in text:
        raise SystemExit(f"README.md lacks the markers {BEGIN!r} … {END!r}")
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{BEGIN}\n{command_table()}\n{END}{tail}"


def main(argv: list[str]) -> int:
    text = README.read_text()
    new = render(text)
    if "--check" in argv:
        if new != text:
            print("README.md's command table is stale: run python scripts/readme_commands.py", file=sys.stderr)
            return 1
        return 0
    README.write_text(new)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
