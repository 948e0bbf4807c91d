"""Command-line interface (typer + rich).

Every module ``llmflation/cli/cmd_*.py`` defines ``register(app)``; they are found at
start-up so that command groups stay independent files. Library errors exit 1 with
``Error: …`` and no traceback.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys

import typer

from llmflation.errors import LLMFlationError

app = typer.Typer(
    name="llmflation",
    help="The economics of LLM token prices: dated price history, econometrics, report.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root() -> None:
    """The economics of LLM token prices: dated price history, econometrics, report."""


def _register_all() -> None:
    pkg = sys.modules[__name__]
    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda i: i.name):
        if info.name.startswith("cmd_"):
            mod = importlib.import_module(f"{__name__}.{info.name}")
            mod.register(app)


_register_all()


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``llmflation`` script."""
    import warnings

    # The panel's count of excluded rows is for library users; on the command line it is
    # shown by `llmflation sources --coverage` instead of on every command's stderr.
    warnings.filterwarnings("ignore", message="price rows excluded from the panel")
    try:
        app(args=argv, standalone_mode=False)
    except LLMFlationError as exc:
        typer.echo(f"Error: {exc}", err=True)
        raise SystemExit(1) from None
    except (FileNotFoundError, PermissionError, OSError) as exc:
        typer.echo(f"Error: {exc}", err=True)
        raise SystemExit(1) from None
    except ValueError as exc:
        typer.echo(f"Error: {exc}", err=True)
        raise SystemExit(1) from None
    except typer.Exit as exc:
        raise SystemExit(exc.exit_code) from None
    except typer.Abort:
        typer.echo("Aborted.", err=True)
        raise SystemExit(1) from None
    except Exception as exc:  # click usage errors (typer vendors click, so match by behaviour)
        if hasattr(exc, "show") and hasattr(exc, "exit_code"):
            exc.show()
            raise SystemExit(exc.exit_code or 2) from None
        raise
