"""One exception tree. Every message says what went wrong, where, and what to do."""

from __future__ import annotations

__all__ = [
    "ExtraNotInstalledError",
    "InputError",
    "NewstraceError",
    "SettingsError",
    "StoreError",
]


class NewstraceError(Exception):
    """Base of every error newstrace raises on purpose."""


class InputError(NewstraceError):
    """An input could not be read; ``source`` names the file and ``line`` the 1-based line (if any)."""

    def __init__(self, message: str, *, source: str, line: int | None = None) -> None:
        self.source = source
        self.line = line
        self.reason = message
        where = f"{source}:{line}" if line is not None else source
        super().__init__(f"{where}: {message}")


class SettingsError(NewstraceError):
    """A setting has a bad value or name."""


class ExtraNotInstalledError(NewstraceError):
    """An optional part needs an extra that is not installed."""

    def __init__(self, feature: str, *, extra: str, hint: str = "") -> None:
        self.feature = feature
        self.extra = extra
        message = f"{feature} needs the '{extra}' extra: pip install 'newstrace[{extra}]'"
        if hint:
            message += f" ({hint})"
        super().__init__(message)


class StoreError(NewstraceError):
    """The store could not be opened, migrated or written; nothing already stored was changed."""
