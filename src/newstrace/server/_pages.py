"""The web UI: server-rendered pages over the same Backend as the API (read-only; no scripts).

* ``/`` — stories on a timeline, grouped by date (newest first), with an outlet and date filter.
* ``/stories/{id}`` — one story: its provenance graph (inline SVG), articles and relations.
* ``/pair/{a}/{b}`` — two articles side by side with the changed words highlighted.
* ``/check`` — paste a text; the answer says where it came from, with the aligned evidence.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from itertools import groupby
from typing import Annotated
from urllib.parse import parse_qs

from fastapi import APIRouter, HTTPException, Query, Request
from starlette.responses import HTMLResponse

from newstrace.records import Article, Relation, RelationKind, Story
from newstrace.report import relation_html
from newstrace.server._api import CHECK_ID
from newstrace.server._backend import Backend, NotFoundError, PairView, by_date, role_of
from newstrace.server._graph import MAX_NODES, provenance_svg
from newstrace.server._html import e, page, pair_url, story_url, url_link, with_query
from newstrace.server._inputs import InputProblemError, make_article, parse_date
from newstrace.store import StoryQuery

__all__ = ["pages_router"]

_MAX_OFFSET = 1_000_000_000
_FORM_FIELDS = ("text", "title", "outlet", "published")


def _anchor(prefix: str, key: str) -> str:
    """A safe, unique fragment id for an untrusted key."""
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", key).strip("-")[:40]
    digest = hashlib.sha1(key.encode("utf-8"), usedforsecurity=False).hexdigest()[:8]
    return f"{prefix}-{slug}-{digest}"


def _date_text(day: dt.date | None) -> str:
    return day.isoformat() if day else "undated"


def _article_line(article: Article) -> str:
    """``id · outlet · date`` as markup."""
    return (
        f'<code class="id">{e(article.id)}</code> · {e(article.outlet or "unknown outlet")} · '
        f"{e(_date_text(article.published))}"
    )


def _story_title(story: Story, articles: dict[str, Article]) -> str:
    lead = articles.get(story.origin) if story.origin else None
    for article in ([lead] if lead else []) + by_date(articles[i] for i in story.articles if i in articles):
        if article.title:
            return article.title
    return f"Story {story.id}"


def _story_day(story: Story, articles: dict[str, Article], query: StoryQuery) -> dt.date | None:
    """The date a story is listed under: its latest article matching the filter (as the store orders)."""
    days = []
    for article_id in story.articles:
        article = articles.get(article_id)
        if article is None or article.published is None:
            continue
        if query.since is not None and article.published < query.since:
            continue
        if query.until is not None and article.published > query.until:
            continue
        if query.outlet and query.outlet.lower() not in (article.outlet or "").lower():
            continue
        days.append(article.published)
    return max(days, default=None)


def _story_item(story: Story, articles: dict[str, Article]) -> str:
    members = [articles[i] for i in story.articles if i in articles]
    outlets = sorted({a.outlet for a in members if a.outlet})
    origin = articles.get(story.origin) if story.origin else None
    meta = [f"{len(story.articles)} article{'s' if len(story.articles) != 1 else ''}"]
    if outlets:
        meta.append(", ".join(e(o) for o in outlets))
    meta.append(f"original: {_article_line(origin)}" if origin is not None else "original: unknown")
    return (
        f'<li class="story" data-story="{e(story.id)}"><a href="{e(story_url(story.id))}">'
        f"{e(_story_title(story, articles))}</a>"
        f'<div class="meta">{" · ".join(meta)}</div></li>'
    )


def _kind_badge(relation: Relation) -> str:
    css = "kind derived" if relation.kind.derived else "kind"
    return f'<span class="{css}">{e(relation.kind)}</span>'


def _check_form(values: dict[str, str]) -> str:
    def value(name: str) -> str:
        return e(values.get(name, ""))

    return (
        '<form class="check" method="post" action="/check">'
        "<label>Article text (plain text or an HTML page)"
        f'<textarea name="text" required>{value("text")}</textarea></label>'
        '<div class="meta">'
        f'<label>Title <input name="title" value="{value("title")}"></label>'
        f'<label>Outlet <input name="outlet" value="{value("outlet")}"></label>'
        f'<label>Published <input type="date" name="published" value="{value("published")}"></label>'
        "</div>"
        '<div><button type="submit">Where did it come from?</button></div>'
        "</form>"
    )


def pages_router(backend: Backend) -> APIRouter:
    """The HTML routes over ``backend``."""
    settings = backend.settings
    router = APIRouter(include_in_schema=False)

    @router.get("/", response_class=HTMLResponse)
    def timeline(
        outlet: Annotated[str | None, Query(max_length=200)] = None,
        since: Annotated[str | None, Query(max_length=40)] = None,
        until: Annotated[str | None, Query(max_length=40)] = None,
        limit: Annotated[int, Query(ge=1)] = settings.default_page_size,
        offset: Annotated[int, Query(ge=0, le=_MAX_OFFSET)] = 0,
    ) -> HTMLResponse:
        try:
            since_day, until_day = parse_date(since, name="since"), parse_date(until, name="until")
        except InputProblemError as exc:
            raise HTTPException(status_code=422, detail=str(exc)) from None
        limit = min(limit, settings.max_page_size)
        outlet = (outlet or "").strip() or None
        query = StoryQuery(since=since_day, until=until_day, outlet=outlet, limit=limit, offset=offset)
        stories, articles = backend.stories(query)
        filters: dict[str, str | int | None] = {
            "outlet": outlet,
            "since": since_day.isoformat() if since_day else None,
            "until": until_day.isoformat() if until_day else None,
        }
        body = [
            "<h1>Stories</h1>",
            '<form class="filter" method="get" action="/">',
            f'<label>Outlet <input type="search" name="outlet" value="{e(outlet or "")}"></label>',
            f'<label>Since <input type="date" name="since" value="{e(filters["since"] or "")}"></label>',
            f'<label>Until <input type="date" name="until" value="{e(filters["until"] or "")}"></label>',
            '<button type="submit">Filter</button> <a href="/">Clear</a>',
            "</form>",
        ]
        if not stories.stories:
            hint = (
                "Try a wider filter." if any(filters.values()) else "Add articles with POST /api/v1/articles."
            )
            body.append(
                f'<p class="muted">No stories{" match" if any(filters.values()) else " yet"}. {e(hint)}</p>'
            )
        else:
            first, last = offset + 1, offset + len(stories.stories)
            body.append(f'<p class="muted">{stories.total} stories · showing {first}–{last}</p>')
        dated = [(_story_day(s, articles, query), s) for s in stories.stories]
        dated.sort(key=lambda x: (x[0] is None, -(x[0].toordinal() if x[0] else 0)))
        for day, group in groupby(dated, key=lambda x: x[0]):
            label = (
                f'<time datetime="{day.isoformat()}">{e(f"{day:%A} {day.day} {day:%B %Y}")}</time>'
                if day
                else "Undated"
            )
            body.append(f'<h2 class="day">{label}</h2><ul class="stories">')
            body.extend(_story_item(story, articles) for _, story in group)
            body.append("</ul>")
        nav = []
        if offset > 0:
            newer = with_query("/", {**filters, "limit": limit, "offset": max(0, offset - limit) or None})
            nav.append(f'<a rel="prev" href="{e(newer)}">← Newer</a>')
        if offset + limit < stories.total:
            older = with_query("/", {**filters, "limit": limit, "offset": offset + limit})
            nav.append(f'<a rel="next" href="{e(older)}">Older →</a>')
        if nav:
            body.append(f'<nav class="pages">{"".join(nav)}</nav>')
        return page("Stories", "\n".join(body))

    @router.get("/stories/{story_id}", response_class=HTMLResponse)
    def story_page(story_id: str) -> HTMLResponse:
        try:
            view = backend.story(story_id)
        except NotFoundError as exc:
            raise HTTPException(status_code=404, detail=exc.message) from None
        story = view.story
        articles = {a.id: a for a in view.articles}
        title = _story_title(story, articles)
        dates = [a.published for a in view.articles if a.published]
        span = f"{min(dates)} – {max(dates)}" if dates else "undated"
        origin = articles.get(story.origin) if story.origin else None
        body = [
            f"<h1>{e(title)}</h1>",
            f'<p class="muted">Story <code>{e(story.id)}</code> · {len(view.articles)} articles · {e(span)}</p>',
        ]
        if origin is not None:
            body.append(
                f'<p class="answer">Original: <a href="#{e(_anchor("art", origin.id))}">{_article_line(origin)}</a>'
                f" — {e(origin.title or '(no title)')}</p>"
            )
        else:
            body.append('<p class="answer">The original of this story is not known.</p>')
        body.append("<h2>Who copied whom</h2>")
        if len(view.articles) > MAX_NODES:
            body.append(f'<p class="muted">The graph shows the {MAX_NODES} oldest articles.</p>')
        svg = provenance_svg(
            view.articles,
            view.relations,
            story.origin,
            node_href=lambda i: "#" + _anchor("art", i),
            edge_href=pair_url,
        )
        body.append(f'<figure class="graph">{svg}</figure>')
        body.append(
            '<p class="legend muted">'
            '<span><span class="sw duplicate"></span>duplicate</span>'
            '<span><span class="sw rewrite"></span>rewrite</span>'
            '<span><span class="sw partial"></span>partial copy</span>'
            '<span><span class="sw unknown-origin"></span>copy, direction unknown</span>'
            '<span><span class="sw same_story"></span>same story, written independently</span>'
            "· arrows point from the original to the copy; hover for the reasons, click for the side-by-side view"
            "</p>"
        )
        rows = []
        for article in view.articles:
            roles = []
            if article.id == story.origin:
                roles.append("<strong>original</strong>")
            for relation in view.relations:
                involved = article.id in (relation.a, relation.b)
                if involved and relation.kind.derived and role_of(relation, article.id) == "copy":
                    assert relation.origin is not None
                    roles.append(
                        f'{e(relation.kind)} of <a href="{e(pair_url(relation.origin, article.id))}">'
                        f"<code>{e(relation.origin)}</code></a>"
                    )
            title_cell = e(article.title or "")
            if article.url:
                title_cell += f'<br><small class="muted">{url_link(article.url)}</small>'
            rows.append(
                f'<tr id="{e(_anchor("art", article.id))}"><td class="id">{e(article.id)}</td>'
                f"<td>{e(_date_text(article.published))}</td><td>{e(article.outlet or '')}</td>"
                f"<td>{title_cell}</td><td>{'; '.join(roles)}</td></tr>"
            )
        body.append(
            "<h2>Articles</h2><table><thead><tr><th>id</th><th>published</th><th>outlet</th><th>title</th>"
            f"<th>role</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
        )
        if view.relations:
            rel_rows = []
            for relation in view.relations:
                if relation.origin is not None:
                    copy = relation.b if relation.origin == relation.a else relation.a
                    direction = f"<code>{e(relation.origin)}</code> → <code>{e(copy)}</code>"
                else:
                    direction = f"<code>{e(relation.a)}</code> — <code>{e(relation.b)}</code>"
                coverage = relation.alignment
                rel_rows.append(
                    f"<tr><td>{direction}</td><td>{_kind_badge(relation)}</td>"
                    f'<td class="num">{relation.confidence:.2f}</td>'
                    f'<td class="num">{coverage.coverage_a:.0%} · {coverage.coverage_b:.0%}</td>'
                    f"<td>{len(relation.changes)}</td>"
                    f'<td><a href="{e(pair_url(relation.a, relation.b))}">side by side</a></td></tr>'
                )
            body.append(
                "<h2>Relations</h2><table><thead><tr><th>original → copy</th><th>kind</th>"
                '<th class="num">confidence</th><th class="num">coverage</th><th>changes</th><th></th></tr>'
                f"</thead><tbody>{''.join(rel_rows)}</tbody></table>"
            )
        return page(title, "\n".join(body))

    @router.get("/pair/{a_id}/{b_id}", response_class=HTMLResponse)
    async def pair_page(a_id: str, b_id: str) -> HTMLResponse:
        if a_id == b_id:
            raise HTTPException(status_code=422, detail="the two article ids are the same; pick two articles")
        try:
            view = await backend.run_read(lambda: backend.stored_pair(a_id, b_id))
            if view is None:
                view = await backend.run_engine(lambda: backend.fresh_pair(a_id, b_id))
        except NotFoundError as exc:
            raise HTTPException(status_code=404, detail=exc.message) from None
        return await backend.run_read(lambda: _pair_page(backend, view))

    @router.get("/check", response_class=HTMLResponse)
    def check_form() -> HTMLResponse:
        body = (
            "<h1>Check a text</h1><p>Paste an article: newstrace looks for it in the index and says where it "
            "came from, with the sentences that match. Nothing is stored.</p>" + _check_form({})
        )
        return page("Check a text", body)

    @router.post("/check", response_class=HTMLResponse)
    async def check_answer(request: Request) -> HTMLResponse:
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type != "application/x-www-form-urlencoded":
            raise HTTPException(
                status_code=415,
                detail="send the form as application/x-www-form-urlencoded (or use POST /api/v1/check)",
            )
        raw = await request.body()
        try:
            fields = parse_qs(raw.decode("utf-8"), keep_blank_values=True, max_num_fields=20, errors="strict")
        except (UnicodeDecodeError, ValueError):
            raise HTTPException(status_code=400, detail="the form is not valid UTF-8 form data") from None
        values = {name: fields.get(name, [""])[0] for name in _FORM_FIELDS}
        try:
            article = make_article(
                article_id=CHECK_ID,
                text=values["text"],
                title=values["title"],
                outlet=values["outlet"],
                published=values["published"],
                source="check",
                guess_html=True,
            )
        except InputProblemError as exc:
            body = f'<h1>Check a text</h1><p class="error">{e(exc)}</p>' + _check_form(values)
            return page("Check a text", body, status=422)

        def answer() -> HTMLResponse:
            result = backend.check(article)
            body = _check_result(backend, result.article, result.relations, result.sources, values)
            return page("Where it came from", body)

        return await backend.run_engine(answer)

    return router


def _pair_page(backend: Backend, view: PairView) -> HTMLResponse:
    """The side-by-side page of a pair (reads each article's story from the store)."""
    links = []
    for article in (view.a, view.b):
        story = backend.story_of(article.id)
        line = _article_line(article)
        if story is not None:
            line += f' · <a href="{e(story_url(story.id))}">story</a>'
        line += f" — {e(article.title or '(no title)')}"
        if article.url:
            line += f" · {url_link(article.url)}"
        links.append(f"<li>{line}</li>")
    how = "stored in the index" if view.stored else "computed now (not related in the index)"
    body = [
        f"<h1><code>{e(view.a.id)}</code> ↔ <code>{e(view.b.id)}</code></h1>",
        f"<ul>{''.join(links)}</ul>",
        f'<p class="muted">Relation {e(how)}. Removed or replaced words are marked in the original, '
        "inserted ones in the copy.</p>",
        relation_html(view.relation, view.a, view.b),
    ]
    return page(f"{view.a.id} ↔ {view.b.id}", "\n".join(body))


def _check_result(
    backend: Backend,
    checked: Article,
    relations: tuple[Relation, ...],
    sources: tuple[str, ...],
    values: dict[str, str],
) -> str:
    def other_of(relation: Relation) -> str:
        return relation.b if relation.a == checked.id else relation.a

    others = backend.store.articles(other_of(r) for r in relations)
    by_other = {other_of(r): r for r in relations}
    rank = {source_id: i for i, source_id in enumerate(sources)}
    ordered = sorted(relations, key=lambda r: rank.get(other_of(r), len(rank)))
    body = ["<h1>Where it came from</h1>", '<section class="answer">']
    derived = [s for s in sources if s in by_other and by_other[s].kind.derived]
    if derived:
        body.append('<p>This text comes from:</p><ol class="sources">')
        for source_id in derived:
            relation = by_other[source_id]
            other = others.get(source_id)
            if relation.origin == source_id:
                direction = "your text is the copy"
            elif relation.kind is RelationKind.DUPLICATE:
                direction = "the same text; which one came first is unknown"
            else:
                direction = "which one came first is unknown"
            line = _article_line(other) if other is not None else f'<code class="id">{e(source_id)}</code>'
            story = backend.story_of(source_id)
            story_link = f' · <a href="{e(story_url(story.id))}">story</a>' if story is not None else ""
            body.append(
                f'<li class="source" data-id="{e(source_id)}">{line}{story_link} — '
                f"{e(other.title if other and other.title else '(no title)')}: {_kind_badge(relation)} "
                f"confidence {relation.confidence:.2f}; {e(direction)}</li>"
            )
        body.append("</ol>")
    else:
        body.append(
            "<p>No indexed article was copied into this text. It may be original, or its source is not in the "
            "index.</p>"
        )
    copies = [r for r in relations if r.kind.derived and r.origin == checked.id]
    same = [r for r in relations if not r.kind.derived]
    if copies:
        body.append(f"<p>{len(copies)} indexed article(s) look copied from this text.</p>")
    if same:
        body.append(f"<p>{len(same)} indexed article(s) cover the same story independently.</p>")
    body.append("</section>")
    if ordered:
        body.append("<h2>Evidence</h2>")
        for relation in ordered:
            other = others.get(other_of(relation))
            if other is not None:
                body.append(relation_html(relation, checked, other))
    body.append("<h2>Check another text</h2>")
    body.append(_check_form(values))
    return "\n".join(body)
