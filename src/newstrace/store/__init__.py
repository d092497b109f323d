"""Persistent storage behind a small protocol; the default is one SQLite file in WAL mode."""

from __future__ import annotations

from newstrace.store._protocol import Page, Store, StoryQuery
from newstrace.store._sqlite import MIGRATIONS, SCHEMA_VERSION, SqliteStore, open_store

__all__ = ["MIGRATIONS", "Page", "SCHEMA_VERSION", "SqliteStore", "Store", "StoryQuery", "open_store"]
