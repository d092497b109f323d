"""The storage protocol: what the Engine needs from a persistent index (SQLite by default)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from newstrace.fingerprint import TermStats
from newstrace.records import Article, Relation, Signature, Story

__all__ = ["Page", "Store", "StoryQuery"]


@dataclass(frozen=True, slots=True)
class StoryQuery:
    """Filters for listing stories: publication window (inclusive), outlet substring, pagination."""

    since: dt.date | None = None
    until: dt.date | None = None
    outlet: str | None = None
    limit: int = 50
    offset: int = 0


@dataclass(frozen=True, slots=True)
class Page:
    """One page of stories and the total number matching the query."""

    stories: tuple[Story, ...]
    total: int


class Store(Protocol):
    """A persistent index of articles, their fingerprints, relations and stories.

    Writes are atomic per call: after a crash, a call's articles are either all stored (with their
    fingerprints and relations) or not at all. Readers see a consistent snapshot while a writer works.
    """

    def close(self) -> None: ...

    def bind_settings(self, ids: dict[str, str]) -> None:
        """Record the settings ids the index is made with on first use; on later use, raise
        ``StoreError`` when they differ, so results of different settings never mix in one index."""
        ...

    # -- articles and fingerprints --------------------------------------------------------------
    def known(self, ids_and_hashes: Iterable[tuple[str, str]]) -> set[str]:
        """The ids among ``(id, content hash)`` pairs already stored with that same content."""
        ...

    def add(
        self,
        articles: Sequence[Article],
        signatures: Sequence[Signature],
        anchors: Sequence[Sequence[str]],
        relations: Sequence[Relation],
        *,
        content_hashes: Sequence[str],
        band_keys: Sequence[Sequence[int]] = (),
    ) -> None:
        """Store new articles (with fingerprints, anchor terms) and their relations in one transaction."""
        ...

    def article(self, article_id: str) -> Article | None: ...

    def articles(self, ids: Iterable[str]) -> dict[str, Article]: ...

    def signatures(self, ids: Iterable[str]) -> dict[str, Signature]: ...

    def count(self) -> int: ...

    def term_stats(self, terms: Iterable[str]) -> TermStats:
        """Document frequencies of ``terms`` over all stored articles (``docs`` = article count)."""
        ...

    # -- candidate lookup -----------------------------------------------------------------------
    def band_matches(self, band_keys: Sequence[int], *, limit: int) -> dict[str, int]:
        """Stored article ids sharing at least one MinHash band key, with the number shared."""
        ...

    def sentence_matches(self, keys: Sequence[int], *, limit: int) -> dict[str, int]: ...

    def anchor_matches(self, terms: Sequence[str], *, limit: int) -> dict[str, int]: ...

    # -- relations and stories ------------------------------------------------------------------
    def relations_of(self, article_id: str) -> list[Relation]:
        """Stored relations involving the article (either side)."""
        ...

    def stories(self, query: StoryQuery) -> Page: ...

    def story(self, story_id: str) -> Story | None: ...

    def story_of(self, article_id: str) -> Story | None: ...
