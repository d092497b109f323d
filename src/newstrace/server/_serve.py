"""``newstrace serve``: open the store, build the Engine and run the app with uvicorn."""

from __future__ import annotations

import ipaddress
import logging
import os
from pathlib import Path

from newstrace.engine import Engine
from newstrace.errors import ExtraNotInstalledError
from newstrace.executors import LocalExecutor
from newstrace.server._app import create_app
from newstrace.server._settings import ServerSettings
from newstrace.settings import Settings
from newstrace.store import open_store

__all__ = ["serve"]

logger = logging.getLogger("newstrace.server")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(
    *,
    store_path: str | os.PathLike[str],
    host: str = "127.0.0.1",
    port: int = 8000,
    token: str | None = None,
    embeddings: bool = True,
    settings: Settings | None = None,
) -> None:
    """Serve the API and the web UI for the index at ``store_path`` until interrupted.

    ``token=None`` reads ``$NEWSTRACE_TOKEN`` (unset: no token). With ``embeddings`` the embedding model is
    loaded before the server starts, so a missing extra fails here and the first request is not slow.
    """
    try:
        import uvicorn
    except ModuleNotFoundError as exc:
        raise ExtraNotInstalledError("the HTTP server", extra="server") from exc
    # On a loopback address only local host names are accepted (a web page cannot reach the server
    # through DNS rebinding).
    hosts = ("127.0.0.1", "localhost") if host in ("127.0.0.1", "localhost") else None
    server_settings = (
        ServerSettings(allowed_hosts=hosts)
        if token is None
        else ServerSettings(token=token, allowed_hosts=hosts)
    )
    # Requests run in threads: a serial executor never forks from a threaded process.
    engine = Engine(settings, embeddings=embeddings, executor=LocalExecutor(workers=1))
    if engine.embeddings:
        engine.embedder  # noqa: B018  (load the model now, not on the first request)
    if server_settings.token is None and not _is_loopback(host):
        logger.warning(
            "serving on %s without a token: anyone who can reach it can add articles; "
            "set --token or $NEWSTRACE_TOKEN",
            host,
        )
    store = open_store(Path(store_path))
    try:
        app = create_app(engine=engine, store=store, settings=server_settings)
        uvicorn.run(app, host=host, port=port, server_header=False, proxy_headers=False, log_level="info")
    finally:
        store.close()
