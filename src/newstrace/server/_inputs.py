"""Turn request fields into :class:`~newstrace.records.Article` inputs (same rules as JSONL input)."""

from __future__ import annotations

import dataclasses
import datetime as dt

from newstrace.errors import InputError
from newstrace.ingest import article_from_text
from newstrace.ingest._text import FieldProblem, parse_published
from newstrace.records import Article

__all__ = ["InputProblemError", "make_article", "parse_date"]


class InputProblemError(ValueError):
    """A bad field in a request; the message says what is wrong and what to do."""


def parse_date(value: str | None, *, name: str = "published") -> dt.date | None:
    """An ISO date (or a datetime's date as written); ``None`` for absent or blank values — the same
    rule as the ``published`` field of JSONL input."""
    try:
        return parse_published(value, name=name)
    except FieldProblem as exc:
        raise InputProblemError(str(exc)) from None


def _clean(value: str | None) -> str | None:
    return (value.strip() or None) if value is not None else None


def make_article(
    *,
    article_id: str,
    text: str | None,
    html: str | None = None,
    title: str | None = None,
    outlet: str | None = None,
    published: str | None = None,
    url: str | None = None,
    language: str | None = None,
    source: str,
    guess_html: bool = False,
) -> Article:
    """An input article from plain ``text`` and/or an HTML page; raises :class:`InputProblemError`.

    With ``guess_html`` (pasted text), ``text`` that looks like an HTML page is read as one.
    """
    if text is None and html is None:
        raise InputProblemError(
            f'article {article_id!r} has no "text" or "html"; send the article text as "text" (or the page as "html")'
        )
    try:
        if text is not None:
            article = article_from_text(
                text, id=article_id, source=source, html=None if guess_html else False
            )
            if html is not None:
                page = article_from_text(html, id=article_id, source=source, html=True)
                article = dataclasses.replace(article, html=page.html)
        else:
            assert html is not None
            article = article_from_text(html, id=article_id, source=source, html=True)
    except InputError as exc:
        raise InputProblemError(f"article {article_id!r}: {exc.reason}") from None
    return dataclasses.replace(
        article,
        title=_clean(title),
        outlet=_clean(outlet),
        published=parse_date(published),
        url=_clean(url),
        language=_clean(language),
    )
