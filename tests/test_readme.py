"""The README's Python examples run (each ```python block, in order, in one namespace)."""

import re
import warnings
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)


def test_readme_has_python_examples():
    assert BLOCKS


@pytest.mark.parametrize("i", range(len(BLOCKS)))
def test_readme_python_block_runs(i, capsys):
    ns: dict = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for block in BLOCKS[: i + 1]:
            exec(compile(block, f"README.md python block {i + 1}", "exec"), ns)  # noqa: S102


def test_readme_starts_with_make_report_and_make_test():
    first = re.search(r"```bash\n(.*?)```", README.read_text(), flags=re.S).group(1).splitlines()
    assert [ln.split()[:2] for ln in first[:2]] == [["make", "report"], ["make", "test"]]


def test_readme_command_table_is_generated_from_the_cli():
    """Every command is in the README's table with its one-line help (scripts/readme_commands.py writes it)."""
    from llmflation.cli.docs import BEGIN, END, command_table, commands

    text = README.read_text()
    assert BEGIN in text and END in text, "README.md lost the markers of the command table"
    block = text.split(BEGIN, 1)[1].split(END, 1)[0].strip()
    listed = dict(re.findall(r"^\| `llmflation ([^`]+)` \| (.*) \|$", block, flags=re.M))
    cli = commands()
    missing = sorted(set(cli) - set(listed))
    assert not missing, f"README's command table lacks {missing}: run python scripts/readme_commands.py"
    stale = sorted(set(listed) - set(cli))
    assert not stale, f"README lists commands the CLI does not have: {stale}"
    differs = {n: (listed[n], cli[n]) for n in cli if listed[n].replace("\\|", "|") != cli[n]}
    assert not differs, f"one-line help differs from the CLI (README, CLI): {differs}"
    assert block == command_table()
