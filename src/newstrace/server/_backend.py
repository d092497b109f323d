"""What the routes call: the Engine and the Store behind one object, with lookups that raise on unknown ids.

Nothing here analyzes anything: it picks stored records, forwards to :class:`~newstrace.engine.Engine`
and serializes records into the API's JSON shapes.

Threads: store reads run concurrently in the server's thread pool (the SQLite store keeps one connection
per thread). Engine calls (index, check, compare) run one at a time — the Engine caches models and is not
promised to be thread-safe — and async routes wait for their turn with :meth:`Backend.run_engine`, which
queues without holding a pool thread, so a burst of checks never starves the read routes.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import anyio.to_thread
from anyio import CapacityLimiter

from newstrace.analysis import article_to_json, relation_to_json
from newstrace.engine import CheckResult, Engine, IndexReport
from newstrace.records import Article, Relation, Story
from newstrace.server._settings import ServerSettings
from newstrace.store import Page, Store, StoryQuery

__all__ = [
    "Backend",
    "NotFoundError",
    "PairView",
    "StoryView",
    "article_json",
    "relation_item",
    "summary_json",
]


class NotFoundError(LookupError):
    """An unknown article or story id; the message names it and says what to do."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class PairView:
    """Two articles and their relation: the stored one (``stored``) or a fresh comparison."""

    relation: Relation
    a: Article
    b: Article
    stored: bool


@dataclass(frozen=True, slots=True)
class StoryView:
    """A story with its stored articles (ordered by date, undated last) and the relations among them."""

    story: Story
    articles: tuple[Article, ...]
    relations: tuple[Relation, ...]


T = TypeVar("T")


def by_date(articles: Iterable[Article]) -> list[Article]:
    """Articles oldest first; undated ones last, by id."""
    return sorted(articles, key=lambda a: (a.published is None, a.published or dt.date.min, a.id))


class Backend:
    """The Engine, the Store and the server settings, as the routes use them."""

    def __init__(self, engine: Engine, store: Store, settings: ServerSettings) -> None:
        self.engine = engine
        self.store = store
        self.settings = settings
        self._engine_lock = threading.Lock()
        self._engine_limiter: CapacityLimiter | None = None
        self._algorithm = engine.settings_ids()["relation"]

    async def run_engine(self, work: Callable[[], T]) -> T:
        """Run ``work`` (which calls the Engine) in a worker thread, one at a time, waiting without a thread."""
        if self._engine_limiter is None:  # made in the event loop: older anyio needs one running
            self._engine_limiter = CapacityLimiter(1)
        return await anyio.to_thread.run_sync(work, limiter=self._engine_limiter)

    @staticmethod
    async def run_read(work: Callable[[], T]) -> T:
        """Run ``work`` (store reads only) in the shared worker thread pool."""
        return await anyio.to_thread.run_sync(work)

    # -- engine ---------------------------------------------------------------------------------
    def index(self, articles: Sequence[Article]) -> IndexReport:
        with self._engine_lock:
            return self.engine.index(articles, self.store)

    def check(self, article: Article) -> CheckResult:
        with self._engine_lock:
            return self.engine.check(article, self.store)

    def compare(self, a: Article, b: Article) -> tuple[Relation, Article, Article]:
        with self._engine_lock:
            return self.engine.compare(a, b)

    def compare_stored(self, a_id: str, b_id: str) -> tuple[Relation, Article, Article]:
        """A fresh comparison of two stored articles (their stored cleaned text is the input)."""
        found = self.articles_or_404([a_id, b_id])
        return self.compare(_as_input(found[a_id]), _as_input(found[b_id]))

    # -- articles -------------------------------------------------------------------------------
    def article(self, article_id: str) -> Article:
        article = self.store.article(article_id)
        if article is None:
            raise NotFoundError(_unknown_article(article_id))
        return article

    def articles_or_404(self, ids: Sequence[str]) -> dict[str, Article]:
        found = self.store.articles(ids)
        for article_id in ids:
            if article_id not in found:
                raise NotFoundError(_unknown_article(article_id))
        return found

    def relations_of(self, article_id: str) -> list[Relation]:
        """Stored relations of an article, one per pair (the engine's current settings preferred)."""
        chosen: dict[tuple[str, str], Relation] = {}
        for relation in self.store.relations_of(article_id):
            key = (relation.a, relation.b)
            if key not in chosen or relation.algorithm == self._algorithm:
                chosen[key] = relation
        return list(chosen.values())

    def sources_of(self, article_id: str) -> list[Relation]:
        """Relations where the article is the copy, or where the origin is unknown."""
        self.article(article_id)
        return [r for r in self.relations_of(article_id) if r.origin != article_id]

    def copies_of(self, article_id: str) -> list[Relation]:
        """Relations where the article is the origin."""
        self.article(article_id)
        return [r for r in self.relations_of(article_id) if r.origin == article_id]

    def stored_pair(self, a_id: str, b_id: str) -> PairView | None:
        """The stored relation of two articles with their stored text; ``None`` when they are not related."""
        found = self.articles_or_404([a_id, b_id])
        for relation in self.relations_of(a_id):
            if {relation.a, relation.b} == {a_id, b_id}:
                return PairView(relation, found[a_id], found[b_id], stored=True)
        return None

    def fresh_pair(self, a_id: str, b_id: str) -> PairView:
        """A comparison of two stored articles made now."""
        relation, a, b = self.compare_stored(a_id, b_id)
        return PairView(relation, a, b, stored=False)

    # -- stories --------------------------------------------------------------------------------
    def stories(self, query: StoryQuery) -> tuple[Page, dict[str, Article]]:
        """One page of stories and every article in them."""
        page = self.store.stories(query)
        articles = self.store.articles(i for s in page.stories for i in s.articles)
        return page, articles

    def story(self, story_id: str) -> StoryView:
        story = self.store.story(story_id)
        if story is None:
            raise NotFoundError(
                f"no story with id {story_id!r}; list stories with GET /api/v1/stories (ids look like 's-<id>')"
            )
        members = set(story.articles)
        articles = self.store.articles(story.articles)
        relations: dict[tuple[str, str], Relation] = {}
        for article_id in story.articles:
            for relation in self.relations_of(article_id):
                if relation.a in members and relation.b in members:
                    relations.setdefault((relation.a, relation.b), relation)
        ordered = sorted(relations.values(), key=lambda r: (not r.kind.derived, -r.confidence, r.a, r.b))
        return StoryView(story, tuple(by_date(articles.values())), tuple(ordered))

    def story_of(self, article_id: str) -> Story | None:
        return self.store.story_of(article_id)


def _unknown_article(article_id: str) -> str:
    return f"no article with id {article_id!r}; add it with POST /api/v1/articles or check the id"


def _as_input(article: Article) -> Article:
    """A stored (cleaned) article as input for the Engine: its cleaned text becomes the raw text."""
    return Article(
        id=article.id,
        raw=article.text,
        source=article.source,
        title=article.title,
        outlet=article.outlet,
        published=article.published,
        url=article.url,
        language=article.language,
        byline=article.byline,
    )


# -- JSON shapes --------------------------------------------------------------------------------------
def summary_json(article: Article) -> dict[str, Any]:
    """The few fields that name an article in lists."""
    return {
        "id": article.id,
        "title": article.title,
        "outlet": article.outlet,
        "published": article.published.isoformat() if article.published else None,
        "url": article.url,
    }


def article_json(article: Article, *, story: Story | None = None) -> dict[str, Any]:
    """:func:`~newstrace.analysis.article_to_json` plus the cleaned ``text`` (offsets point into it)."""
    out = article_to_json(article)
    out["text"] = article.text
    if story is not None:
        out["story"] = story.id
    return out


def _span(article: Article, span: tuple[int, int]) -> dict[str, Any]:
    return {"span": list(span), "text": article.text[span[0] : span[1]]}


def role_of(relation: Relation, article_id: str) -> str:
    """``original``, ``copy`` or ``unknown`` (origin unknown or not a copying relation) of an article of
    ``relation``."""
    if article_id not in (relation.a, relation.b):
        raise ValueError(f"article {article_id!r} is not part of relation {relation.a!r} / {relation.b!r}")
    if relation.origin is None:
        return "unknown"
    return "original" if relation.origin == article_id else "copy"


def relation_item(relation: Relation, this: Article, other: Article | None) -> dict[str, Any]:
    """A relation seen from ``this`` article: the relation JSON, the other article, this one's role and
    the aligned sentence pairs as text with their offsets (``this``/``other`` sides)."""
    out = relation_to_json(relation)
    this_is_a = relation.a == this.id
    out["role"] = role_of(relation, this.id)
    out["other"] = (
        summary_json(other) if other is not None else {"id": relation.b if this_is_a else relation.a}
    )
    evidence = []
    for link in relation.alignment.links:
        mine, theirs = (link.a_span, link.b_span) if this_is_a else (link.b_span, link.a_span)
        item: dict[str, Any] = {
            "this": _span(this, mine),
            "other": _span(other, theirs) if other is not None else {"span": list(theirs)},
            "score": round(link.score, 3),
            "type": str(link.type),
            "quote_only": link.quote_only,
        }
        evidence.append(item)
    out["evidence"] = evidence
    return out


def pair_json(relation: Relation, a: Article, b: Article) -> dict[str, Any]:
    """A compared pair: the relation (with aligned text) and both cleaned articles."""
    if a.id != relation.a:
        a, b = b, a
    out = relation_to_json(relation)
    out["evidence"] = [
        {
            "a": _span(a, link.a_span),
            "b": _span(b, link.b_span),
            "score": round(link.score, 3),
            "type": str(link.type),
            "quote_only": link.quote_only,
        }
        for link in relation.alignment.links
    ]
    return {"relation": out, "a": article_json(a), "b": article_json(b)}


def story_json(story: Story, articles: dict[str, Article]) -> dict[str, Any]:
    """A story in lists: ids, origin, first and last publication date, outlets and a title."""
    members = by_date(articles[i] for i in story.articles if i in articles)
    dates = [a.published for a in members if a.published is not None]
    lead = articles.get(story.origin) if story.origin else None
    title = next((a.title for a in ([lead] if lead else []) + members if a.title), None)
    return {
        "id": story.id,
        "articles": list(story.articles),
        "origin": story.origin,
        "title": title,
        "first_published": min(dates).isoformat() if dates else None,
        "last_published": max(dates).isoformat() if dates else None,
        "outlets": sorted({a.outlet for a in members if a.outlet}),
    }
