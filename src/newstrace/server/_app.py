"""The FastAPI application: the JSON API, the web UI, the token and body-size guard and error pages."""

from __future__ import annotations

import hmac
import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from newstrace import __version__
from newstrace.engine import Engine
from newstrace.errors import StoreError
from newstrace.server._api import api_router
from newstrace.server._backend import Backend
from newstrace.server._html import error_page
from newstrace.server._pages import pages_router
from newstrace.server._settings import ServerSettings
from newstrace.store import Store

__all__ = ["create_app"]

logger = logging.getLogger("newstrace.server")

_DESCRIPTION = """\
Trace news articles back to their sources: copies, rewrites, origins and what changed.

Add articles with `POST /api/v1/articles`, ask where a text came from with `POST /api/v1/check`, browse
stories with `GET /api/v1/stories`. Offsets are `[start, end)` character offsets into an article's
cleaned `text`. Errors are `{"detail": "what is wrong and what to do"}`. When the server has a token,
every `/api` request needs `Authorization: Bearer <token>`.
"""


def _is_api(path: str) -> bool:
    return path == "/api" or path.startswith("/api/")


def _wants_html(path: str) -> bool:
    return not _is_api(path) and path not in ("/docs", "/redoc", "/openapi.json", "/docs/oauth2-redirect")


def _error(path: str, status: int, detail: str, headers: dict[str, str] | None = None) -> Response:
    if _wants_html(path):
        response: Response = error_page(status, detail)
        response.headers.update(headers or {})
        return response
    return JSONResponse({"detail": detail}, status_code=status, headers=headers)


class _Guard:
    """Pure ASGI middleware: the API token (checked before the body is read) and the body size limit."""

    def __init__(self, app: ASGIApp, *, token: str | None, max_body_bytes: int) -> None:
        self.app = app
        self.token = token.encode("utf-8") if token is not None else None
        self.max_body_bytes = max_body_bytes

    def _authorized(self, scope: Scope) -> bool:
        assert self.token is not None
        for name, value in scope["headers"]:
            if name == b"authorization":
                scheme, _, credentials = value.partition(b" ")
                if scheme.lower() == b"bearer":
                    return hmac.compare_digest(credentials.strip(), self.token)
                return False
        return False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if self.token is not None and _is_api(path) and not self._authorized(scope):
            has_header = any(name == b"authorization" for name, _ in scope["headers"])
            detail = (
                "wrong token; send the server's token as 'Authorization: Bearer <token>'"
                if has_header
                else "this server needs a token; send 'Authorization: Bearer <token>'"
            )
            response = _error(path, 401, detail, {"WWW-Authenticate": 'Bearer realm="newstrace"'})
            await response(scope, receive, send)
            return
        limit = self.max_body_bytes
        too_large = (
            f"the request body is larger than the server's limit of {limit:,} bytes; "
            "send fewer or shorter articles per request"
        )
        for name, value in scope["headers"]:
            if name == b"content-length":
                try:
                    length = int(value)
                except ValueError:
                    await _error(path, 400, "the Content-Length header is not a number")(scope, receive, send)
                    return
                if length > limit:
                    await _error(path, 413, too_large)(scope, receive, send)
                    return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise HTTPException(status_code=413, detail=too_large)
            return message

        await self.app(scope, limited, send)


def _where(loc: Sequence[Any]) -> str:
    parts = [str(x) for x in loc]
    if not parts:
        return "the request"
    if parts[0] in ("query", "path", "header", "cookie") and len(parts) > 1:
        return f"{parts[0]} parameter {parts[1]!r}"
    if parts[0] == "body":
        out = "body"
        for x in loc[1:]:
            out += f"[{x}]" if isinstance(x, int) else f".{x}"
        return out
    return ".".join(parts)


def _describe(errors: Sequence[Any]) -> str:
    parts = []
    for err in errors[:10]:
        loc, kind, msg = err.get("loc", ()), err.get("type", ""), err.get("msg", "invalid")
        if kind == "json_invalid":
            reason = (err.get("ctx") or {}).get("error", "")
            parts.append(f"the body is not valid JSON ({reason}); send a JSON document")
        elif kind == "missing" and tuple(loc) == ("body",):
            parts.append("the request needs a JSON body")
        else:
            parts.append(f"{_where(loc)}: {msg}")
    more = f" (and {len(errors) - 10} more)" if len(errors) > 10 else ""
    return "; ".join(parts) + more + "; see /docs for the request format"


def create_app(*, engine: Engine, store: Store, settings: ServerSettings | None = None) -> FastAPI:
    """The HTTP API (``/api/v1``, OpenAPI at ``/docs``) and the web UI over ``engine`` and ``store``.

    Build the Engine with an executor that does not fork (``LocalExecutor(workers=1)``): requests are
    served from threads. ``settings`` default to :class:`ServerSettings` (token from
    ``$NEWSTRACE_TOKEN``).
    """
    settings = settings or ServerSettings()
    backend = Backend(engine, store, settings)
    app = FastAPI(title="newstrace", version=__version__, description=_DESCRIPTION)
    app.state.backend = backend
    app.include_router(api_router(backend))
    app.include_router(pages_router(backend))
    app.add_middleware(_Guard, token=settings.token, max_body_bytes=settings.max_body_bytes)
    if settings.allowed_hosts is not None:
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(settings.allowed_hosts))

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        path, detail = request.url.path, str(exc.detail)
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"nothing at {path}; the API is under /api/v1 (see /docs), the stories at /"
        elif exc.status_code == 405 and detail == "Method Not Allowed":
            detail = f"{request.method} is not allowed on {path}; see /docs for the methods of each route"
        return _error(path, exc.status_code, detail, dict(exc.headers or {}))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        return _error(request.url.path, 422, _describe(exc.errors()))

    @app.exception_handler(StoreError)
    async def store_error(request: Request, exc: StoreError) -> Response:
        logger.error("store error on %s %s: %s", request.method, request.url.path, exc)
        return _error(request.url.path, 503, f"the index is not available right now ({exc}); try again")

    return app
