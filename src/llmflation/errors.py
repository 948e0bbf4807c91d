"""The package's documented exceptions.

Every error says what was seen, what was expected and how to fix it. Only these
exceptions (and their subclasses) escape the public API on bad input.
"""

from __future__ import annotations


class LLMFlationError(Exception):
    """Base class of every error llmflation raises on purpose."""


class InputError(LLMFlationError, ValueError):
    """Bad user input: wrong option, wrong shape, missing column, too few observations."""


class SnapshotIntegrityError(LLMFlationError):
    """A bundled snapshot file is missing or its sha256 differs from ``MANIFEST.json``."""


class ParseError(LLMFlationError, ValueError):
    """A source record could not be parsed (names the record and the field)."""


class UnitError(ParseError):
    """A price is off by a factor that suggests the wrong unit (e.g. per token vs per 1M)."""


class StoreError(LLMFlationError):
    """The DuckDB store could not be opened, migrated or written."""


class StoreLockedError(StoreError):
    """Another process holds the store's write lock."""


class FetchError(LLMFlationError):
    """A live fetch failed after its retries; the bundled snapshot still works offline."""


class MissingKeyError(FetchError):
    """An optional source needs an API key in an environment variable that is not set."""


class UnknownModelError(InputError, KeyError):
    """A model name that is not in the panel; carries close matches."""

    def __init__(self, name: str, suggestions: list[str]):
        self.name = name
        self.suggestions = suggestions
        hint = f" Did you mean: {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"unknown model {name!r}.{hint} List models with `llmflation models --search TEXT`.")

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


def check_choice(name: str, value: object, allowed: tuple[object, ...] | list[object]) -> None:
    """Raise :class:`InputError` unless ``value`` is one of ``allowed``.

    Examples
    --------
    >>> check_choice("rts", "crs", ("crs", "vrs"))
    >>> check_choice("rts", "xx", ("crs", "vrs"))
    Traceback (most recent call last):
    ...
    llmflation.errors.InputError: rts='xx' is not allowed; expected one of: 'crs', 'vrs'.
    """
    if value not in allowed:
        opts = ", ".join(repr(a) for a in allowed)
        raise InputError(f"{name}={value!r} is not allowed; expected one of: {opts}.")
