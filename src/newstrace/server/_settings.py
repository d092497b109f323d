"""Settings of the HTTP server: the API token, the request body limit and the page size limits."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from newstrace.errors import SettingsError

__all__ = ["TOKEN_ENV", "ServerSettings"]

TOKEN_ENV = "NEWSTRACE_TOKEN"
"""The environment variable read for the API token when :class:`ServerSettings` gets none."""

_MIB = 1024 * 1024


def _token_from_env() -> str | None:
    return os.environ.get(TOKEN_ENV, "").strip() or None


@dataclass(frozen=True, slots=True)
class ServerSettings:
    """How the server guards its API.

    * ``token``: when set, every ``/api`` request needs ``Authorization: Bearer <token>``. The default
      reads ``$NEWSTRACE_TOKEN`` (unset or blank: no token); pass ``token=None`` to turn it off outright.
      The web pages are read-only and not guarded: bind to a loopback address to keep them private.
    * ``max_body_bytes``: larger request bodies get ``413`` (default 2 MiB).
    * ``default_page_size`` / ``max_page_size``: ``limit`` of paginated lists when absent / its cap.
    * ``allowed_hosts``: when set, requests whose ``Host`` header names another host get 400 (guards a
      server on a loopback address against DNS rebinding); ``None`` accepts any host.
    """

    token: str | None = field(default_factory=_token_from_env)
    max_body_bytes: int = 2 * _MIB
    default_page_size: int = 50
    max_page_size: int = 200
    allowed_hosts: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if self.token is not None and (not self.token.strip() or self.token != self.token.strip()):
            raise SettingsError(
                "the API token is blank or has surrounding whitespace; pass a token without spaces, "
                "or None for no token"
            )
        if self.allowed_hosts is not None and not self.allowed_hosts:
            raise SettingsError("allowed_hosts is empty; give at least one host name, or None for any host")
        if self.max_body_bytes < 1:
            raise SettingsError(f"max_body_bytes must be at least 1, not {self.max_body_bytes}")
        if self.max_page_size < 1:
            raise SettingsError(f"max_page_size must be at least 1, not {self.max_page_size}")
        if not 1 <= self.default_page_size <= self.max_page_size:
            raise SettingsError(
                f"default_page_size must be between 1 and max_page_size ({self.max_page_size}), "
                f"not {self.default_page_size}"
            )
