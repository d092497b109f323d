"""Fixtures for the HTTP server tests: a real SQLite index of the seed articles (lexical-only Engine),
two articles carrying XSS payloads, and synthetic single-article stories for pagination."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi", reason="the server extra (fastapi) is not installed")
pytest.importorskip("httpx", reason="fastapi.testclient needs httpx")

from fastapi.testclient import TestClient

from newstrace.records import Article
from newstrace.server import ServerSettings, create_app
from newstrace.store import SqliteStore, open_store

from .helpers import filler_articles, lexical_engine, xss_articles


@pytest.fixture(scope="session")
def seed_articles(seeds_dir: Path) -> list[Article]:
    read = lexical_engine().read([seeds_dir], manifest=seeds_dir / "manifest.jsonl")
    assert not read.skipped, read.skipped
    return list(read.articles)


@pytest.fixture(scope="session")
def index_path(tmp_path_factory: pytest.TempPathFactory, seed_articles: list[Article]) -> Path:
    """A read-mostly index: the seeds, the XSS pair and the fillers (tests must not write to it)."""
    path = tmp_path_factory.mktemp("index") / "index.db"
    store = open_store(path)
    try:
        lexical_engine().index([*seed_articles, *xss_articles(), *filler_articles()], store)
    finally:
        store.close()
    return path


@pytest.fixture
def store(index_path: Path) -> Iterator[SqliteStore]:
    opened = open_store(index_path)
    yield opened
    opened.close()


@pytest.fixture
def make_client(store: SqliteStore) -> Callable[..., TestClient]:
    """``make_client(**server_settings)``: a client over the shared index (no token unless given)."""

    def make(**settings: Any) -> TestClient:
        settings.setdefault("token", None)
        app = create_app(engine=lexical_engine(), store=store, settings=ServerSettings(**settings))
        return TestClient(app)

    return make


@pytest.fixture
def client(make_client: Callable[..., TestClient]) -> TestClient:
    return make_client()


@pytest.fixture
def empty_client(tmp_path: Path) -> Iterator[TestClient]:
    """A client over a new, empty index (for tests that add articles)."""
    store = open_store(tmp_path / "empty.db")
    app = create_app(engine=lexical_engine(), store=store, settings=ServerSettings(token=None))
    yield TestClient(app)
    store.close()
