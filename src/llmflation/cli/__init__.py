"""Command-line interface (typer + rich).

Every module ``llmflation/cli/cmd_*.py`` defines ``register(app)``; they are found when
the app is first needed (:func:`get_app`, or ``llmflation.cli.app``) so that command groups
stay independent files. Before that, :func:`main` gives ``price`` its fast path
(:mod:`llmflation.cli.fast`: answered from the lookup index without importing pandas).
Library errors exit 1 with ``Error: …`` and no traceback.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys

import typer

from llmflation.errors import LLMFlationError


def _new_app() -> typer.Typer:
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

    return app


_app = _new_app()
_registered = False

#: The module that registers each command (``tests/test_cli_lazy.py`` checks it against the
#: modules): a command runs with only its own module imported.
COMMANDS: dict[str, str] = {
    "baumol": "cmd_baumol", "breaks": "cmd_breaks", "changes": "cmd_changes", "ingest": "cmd_data",
    "models": "cmd_data", "history": "cmd_data", "cost": "cmd_data", "sources": "cmd_data",
    "dispersion": "cmd_dispersion", "discrepancies": "cmd_fetch", "fetch": "cmd_fetch", "dea": "cmd_frontier",
    "malmquist": "cmd_frontier", "decompose": "cmd_frontier", "elasticity": "cmd_frontier",
    "us-china": "cmd_frontier", "headline-index": "cmd_headline", "price-index": "cmd_index",
    "hedonic": "cmd_index", "jevons": "cmd_jevons", "hhi": "cmd_market", "trend": "cmd_prices",
    "decline": "cmd_prices", "premium": "cmd_prices", "threshold": "cmd_prices", "forecast": "cmd_prices",
    "price": "cmd_prices", "report": "cmd_report", "robustness": "cmd_robustness", "tariff": "cmd_tariff",
    "validate": "cmd_validate", "version": "cmd_version",
}


def get_app() -> typer.Typer:
    """The app with every command registered (imports every ``cmd_*`` module once)."""
    global _registered
    if not _registered:
        pkg = sys.modules[__name__]
        for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda i: i.name):
            if info.name.startswith("cmd_"):
                mod = importlib.import_module(f"{__name__}.{info.name}")
                mod.register(_app)
        _registered = True
    return _app


def _app_for(argv: list[str]) -> typer.Typer:
    """An app with only the module of ``argv``'s command registered (the full app for anything else)."""
    if _registered or not argv or argv[0] not in COMMANDS:
        return get_app()
    app = _new_app()
    importlib.import_module(f"{__name__}.{COMMANDS[argv[0]]}").register(app)
    return app


def __getattr__(name: str) -> typer.Typer:
    if name == "app":  # ``from llmflation.cli import app``: the full app
        return get_app()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``llmflation`` script."""
    import warnings

    # The panel's count of excluded rows is for library users; on the command line it is
    # shown by `llmflation sources --coverage` instead of on every command's stderr.
    warnings.filterwarnings("ignore", message="price rows excluded from the panel")
    try:
        from llmflation.cli.fast import try_price

        args = sys.argv[1:] if argv is None else list(argv)
        if try_price(args):
            return
        _app_for(args)(args=argv, standalone_mode=False)
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
