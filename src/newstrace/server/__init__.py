"""The HTTP API and web UI over a persistent index (needs the ``server`` extra: FastAPI and uvicorn).

* :func:`create_app` builds the FastAPI application over an :class:`~newstrace.engine.Engine` and a
  :class:`~newstrace.store.Store`: the JSON API under ``/api/v1`` (OpenAPI at ``/docs``) and the web UI
  (``/``, ``/stories/{id}``, ``/pair/{a}/{b}``, ``/check``).
* :func:`serve` opens the store, builds the Engine and runs the app with uvicorn (``newstrace serve``).
* :class:`ServerSettings`: API token, request body limit, page sizes.

Routes are thin: they parse the request, call the Engine or the Store, and serialize the result.
"""

from __future__ import annotations

try:
    import fastapi as _fastapi  # noqa: F401  (fail early, with the extra to install)
except ModuleNotFoundError as _exc:  # pragma: no cover - exercised by a test that hides fastapi
    if _exc.name not in ("fastapi", "starlette", "pydantic", "pydantic_core"):
        raise
    from newstrace.errors import ExtraNotInstalledError

    raise ExtraNotInstalledError("the HTTP server", extra="server") from _exc

from newstrace.server._app import create_app
from newstrace.server._serve import serve
from newstrace.server._settings import ServerSettings

__all__ = ["ServerSettings", "create_app", "serve"]
