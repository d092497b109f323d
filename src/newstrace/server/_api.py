"""The JSON API under ``/api/v1``: parse the request, call the Engine or the Store, serialize.

Errors are ``{"detail": "what is wrong and what to do"}`` with a 4xx status: 401 without the right
token, 404 for unknown ids, 413 for large bodies, 422 for bad input.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, HTTPException, Query
from fastapi.security import HTTPBearer
from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr

from newstrace.analysis import relation_to_json
from newstrace.records import Article
from newstrace.server._backend import (
    Backend,
    NotFoundError,
    article_json,
    by_date,
    pair_json,
    relation_item,
    story_json,
    summary_json,
)
from newstrace.server._inputs import InputProblemError, make_article
from newstrace.store import StoryQuery

__all__ = ["CHECK_ID", "ArticleIn", "CheckIn", "CompareIn", "api_router"]

CHECK_ID = "checked-text"
"""The id a checked text gets (the Engine renames it when an indexed article has this id)."""

_MAX_OFFSET = 1_000_000_000
_STRICT = ConfigDict(extra="forbid")

# Enforced by the token middleware (before the body is read); declared here so /docs offers "Authorize".
_bearer = HTTPBearer(
    auto_error=False,
    description="Needed only when the server has a token (--token or $NEWSTRACE_TOKEN).",
)


class ArticleIn(BaseModel):
    """One article to add: ``id`` and ``text`` and/or ``html``; the rest is optional metadata. Other fields
    are ignored, as in JSONL input."""

    model_config = ConfigDict(extra="ignore")

    id: StrictStr | StrictInt = Field(
        description="unique id; an article added again with new content replaces it"
    )
    text: StrictStr | None = Field(None, description="the article as plain text")
    html: StrictStr | None = Field(None, description="the article's HTML page (main text is extracted)")
    title: StrictStr | None = None
    url: StrictStr | None = None
    outlet: StrictStr | None = None
    published: StrictStr | None = Field(None, description='ISO date or datetime, e.g. "2024-07-23"')
    language: StrictStr | None = None


class CheckIn(BaseModel):
    """A text to trace: ``text`` (plain text or an HTML page) and optional metadata."""

    model_config = _STRICT

    text: StrictStr = Field(min_length=1, description="the text to trace (plain text or an HTML page)")
    title: StrictStr | None = None
    outlet: StrictStr | None = None
    published: StrictStr | None = Field(None, description='ISO date, e.g. "2024-07-23"')
    url: StrictStr | None = None


class CompareIn(BaseModel):
    """Two texts (``a`` and ``b``) or two indexed articles (``a_id`` and ``b_id``)."""

    model_config = _STRICT

    a: StrictStr | None = Field(None, description="first text")
    b: StrictStr | None = Field(None, description="second text")
    a_id: StrictStr | None = Field(None, description="id of an indexed article")
    b_id: StrictStr | None = Field(None, description="id of another indexed article")


def _not_found(exc: NotFoundError) -> HTTPException:
    return HTTPException(status_code=404, detail=exc.message)


def _unprocessable(message: str) -> HTTPException:
    return HTTPException(status_code=422, detail=message)


def _article_input(item: ArticleIn, *, index: int) -> Article:
    article_id = str(item.id)
    if not article_id.strip():
        raise _unprocessable(f"article {index}: the id is blank; give every article a non-empty id")
    try:
        return make_article(
            article_id=article_id,
            text=item.text,
            html=item.html,
            title=item.title,
            outlet=item.outlet,
            published=item.published,
            url=item.url,
            language=item.language,
            source="api",
        )
    except InputProblemError as exc:
        raise _unprocessable(f"article {index}: {exc}") from None


def api_router(backend: Backend) -> APIRouter:
    """The ``/api/v1`` routes over ``backend``."""
    settings = backend.settings
    router = APIRouter(prefix="/api/v1", dependencies=[Depends(_bearer)])

    @router.post("/articles", tags=["articles"], summary="Add a batch of articles to the index")
    async def add_articles(
        articles: Annotated[list[ArticleIn], Body(description="the articles to add", max_length=100_000)],
    ) -> dict[str, Any]:
        """Index articles: each is compared with the batch and with indexed articles. An article already
        stored with the same content is ``unchanged``; one with new content replaces the stored one."""
        if not articles:
            raise _unprocessable('the list is empty; send a JSON list of {"id": ..., "text": ...} objects')
        parsed = [_article_input(item, index=i) for i, item in enumerate(articles)]
        seen: set[str] = set()
        for article in parsed:
            if article.id in seen:
                raise _unprocessable(f"id {article.id!r} appears twice in the batch; send each article once")
            seen.add(article.id)
        report = await backend.run_engine(lambda: backend.index(parsed))
        return {
            "added": list(report.added),
            "unchanged": list(report.unchanged),
            "relations": report.relations,
        }

    @router.get("/articles/{article_id}", tags=["articles"], summary="One indexed article")
    def get_article(article_id: str) -> dict[str, Any]:
        """The cleaned article (``text`` is what offsets point into), with its story id."""
        try:
            article = backend.article(article_id)
        except NotFoundError as exc:
            raise _not_found(exc) from None
        return article_json(article, story=backend.story_of(article_id))

    def _relation_items(article_id: str, *, copies: bool) -> dict[str, Any]:
        try:
            relations = backend.copies_of(article_id) if copies else backend.sources_of(article_id)
            this = backend.article(article_id)
        except NotFoundError as exc:
            raise _not_found(exc) from None
        others = backend.store.articles(r.b if r.a == article_id else r.a for r in relations)
        items = [relation_item(r, this, others.get(r.b if r.a == article_id else r.a)) for r in relations]
        items.sort(key=lambda x: (x["kind"] == "same_story", -x["confidence"], x["other"]["id"]))
        return {"article": summary_json(this), "items": items}

    @router.get("/articles/{article_id}/sources", tags=["articles"], summary="Where an article came from")
    def get_sources(article_id: str) -> dict[str, Any]:
        """Relations where this article is the copy or the origin is unknown (incl. same-story coverage),
        copying relations first, strongest first, with the aligned sentences as evidence."""
        return _relation_items(article_id, copies=False)

    @router.get("/articles/{article_id}/copies", tags=["articles"], summary="Who copied an article")
    def get_copies(article_id: str) -> dict[str, Any]:
        """Relations where this article is the origin, strongest first, with the aligned sentences."""
        return _relation_items(article_id, copies=True)

    @router.post("/check", tags=["check"], summary="Where does a text come from?")
    async def check(request: CheckIn) -> dict[str, Any]:
        """Relate a text to the index without storing it. ``sources`` are the likely sources, strongest
        first; ``relations`` hold each relation's kind, origin, aligned evidence (offsets into the checked
        ``article.text`` as ``this`` and into the indexed article as ``other``) and changes."""
        try:
            article = make_article(
                article_id=CHECK_ID,
                text=request.text,
                title=request.title,
                outlet=request.outlet,
                published=request.published,
                url=request.url,
                source="check",
                guess_html=True,
            )
        except InputProblemError as exc:
            raise _unprocessable(str(exc)) from None
        return await backend.run_engine(lambda: _check_json(backend, article))

    @router.get("/stories", tags=["stories"], summary="Stories, newest first")
    def list_stories(
        since: Annotated[dt.date | None, Query(description="published on or after (ISO date)")] = None,
        until: Annotated[dt.date | None, Query(description="published on or before (ISO date)")] = None,
        outlet: Annotated[str | None, Query(max_length=200, description="outlet name contains this")] = None,
        limit: Annotated[
            int | None, Query(ge=1, description="page size; larger than the server's maximum is capped")
        ] = None,
        offset: Annotated[int, Query(ge=0, le=_MAX_OFFSET)] = 0,
    ) -> dict[str, Any]:
        """Paginated: ``{items, total, limit, offset}``; ``limit`` is capped at the server's page size."""
        limit = min(limit or settings.default_page_size, settings.max_page_size)
        if since is not None and until is not None and since > until:
            raise _unprocessable(f"since ({since}) is after until ({until}); swap them or drop one")
        query = StoryQuery(since=since, until=until, outlet=outlet or None, limit=limit, offset=offset)
        page, articles = backend.stories(query)
        return {
            "items": [story_json(s, articles) for s in page.stories],
            "total": page.total,
            "limit": limit,
            "offset": offset,
        }

    @router.get("/stories/{story_id}", tags=["stories"], summary="One story with its articles and relations")
    def get_story(story_id: str) -> dict[str, Any]:
        """The story, its articles (``members``, oldest first) and the relations among them."""
        try:
            view = backend.story(story_id)
        except NotFoundError as exc:
            raise _not_found(exc) from None
        articles = {a.id: a for a in view.articles}
        out = story_json(view.story, articles)
        out["members"] = [summary_json(a) for a in by_date(view.articles)]
        out["relations"] = [relation_to_json(r) for r in view.relations]
        return out

    @router.post("/compare", tags=["compare"], summary="Relate two texts or two indexed articles")
    async def compare(request: CompareIn) -> dict[str, Any]:
        """Send ``{"a": text, "b": text}`` or ``{"a_id": id, "b_id": id}``. Returns the relation (kind,
        origin, aligned sentences with offsets and text, changes) and both cleaned articles."""
        given = {name for name in ("a", "b", "a_id", "b_id") if getattr(request, name) is not None}
        if given not in ({"a", "b"}, {"a_id", "b_id"}):
            raise _unprocessable('send either {"a": text, "b": text} or {"a_id": id, "b_id": id}, not both')
        if request.a is not None and request.b is not None:
            try:
                a = make_article(article_id="a", text=request.a, source="a", guess_html=True)
                b = make_article(article_id="b", text=request.b, source="b", guess_html=True)
            except InputProblemError as exc:
                raise _unprocessable(str(exc)) from None
            return await backend.run_engine(lambda: pair_json(*backend.compare(a, b)))
        a_id, b_id = request.a_id, request.b_id
        assert a_id is not None and b_id is not None
        if a_id == b_id:
            raise _unprocessable("a_id and b_id are the same; give two different articles")
        try:
            return await backend.run_engine(lambda: pair_json(*backend.compare_stored(a_id, b_id)))
        except NotFoundError as exc:
            raise _not_found(exc) from None

    return router


def _check_json(backend: Backend, article: Article) -> dict[str, Any]:
    """Check ``article`` and serialize the answer (runs in a worker thread: it reads the store)."""
    result = backend.check(article)
    checked = result.article
    others = backend.store.articles(r.b if r.a == checked.id else r.a for r in result.relations)
    relations = [
        relation_item(r, checked, others.get(r.b if r.a == checked.id else r.a)) for r in result.relations
    ]
    by_other = {item["other"]["id"]: item for item in relations}
    sources = [
        {
            **(summary_json(others[s]) if s in others else {"id": s}),
            "kind": by_other[s]["kind"] if s in by_other else None,
            "confidence": by_other[s]["confidence"] if s in by_other else None,
            "origin": by_other[s]["origin"] if s in by_other else None,
        }
        for s in result.sources
    ]
    return {"article": article_json(checked), "sources": sources, "relations": relations}
