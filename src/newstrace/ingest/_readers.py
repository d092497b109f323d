"""Readers: one per file format, each turning one file into articles and problems.

A reader never raises for bad input: it yields an :class:`InputError` for each problem and goes on with
the rest of the file. :data:`READERS` is tried in order; the first reader that accepts a path reads it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol, runtime_checkable

from newstrace.errors import InputError
from newstrace.ingest._text import (
    BOM,
    FieldProblem,
    binary_problem,
    decode_text,
    identifier,
    looks_like_html,
    normalize_newlines,
    optional_string,
    parse_json_object,
    parse_published,
)
from newstrace.records import Article

__all__ = [
    "READERS",
    "HtmlReader",
    "JsonlReader",
    "Reader",
    "TextReader",
    "article_from_text",
]

logger = logging.getLogger(__name__)

_HEAD_BYTES = 8192


@runtime_checkable
class Reader(Protocol):
    """Reads one kind of input file.

    ``accepts`` looks only at the path (it must not open the file); ``read`` yields every article of the
    file in file order and an :class:`InputError` for every problem, never raising for bad input.
    """

    def accepts(self, path: Path) -> bool:
        """True when this reader handles ``path`` (decided from its name)."""
        ...

    def read(self, path: Path) -> Iterator[Article | InputError]:
        """Yield the file's articles and problems in file order."""
        ...


def _read_bytes(path: Path) -> bytes | InputError:
    """The whole file's bytes, or the problem reading it."""
    try:
        return path.read_bytes()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        return InputError(
            f"cannot read the file ({reason}); check that it exists and that you may read it",
            source=str(path),
        )


def _suffix(path: Path) -> str:
    return path.suffix.lower()


class TextReader:
    """A ``.txt`` file is one article: ``id`` is the file name without extension, ``raw`` its text.

    Text is UTF-8 (a BOM is stripped) with ``\\n`` line ends.
    """

    suffixes: tuple[str, ...] = (".txt",)

    def accepts(self, path: Path) -> bool:
        return _suffix(path) in self.suffixes

    def read(self, path: Path) -> Iterator[Article | InputError]:
        source = str(path)
        data = _read_bytes(path)
        if isinstance(data, InputError):
            yield data
            return
        text = decode_text(data, source=source)
        if isinstance(text, InputError):
            yield text
            return
        yield Article(id=path.stem, raw=text, source=source)


class HtmlReader:
    """A ``.html``/``.htm`` file is one article: ``id`` is the file name without extension.

    The page goes to ``html`` (``raw`` stays empty until cleaning extracts the text). Pages are UTF-8
    unless they declare another charset in a ``<meta>`` tag.
    """

    suffixes: tuple[str, ...] = (".html", ".htm")

    def accepts(self, path: Path) -> bool:
        return _suffix(path) in self.suffixes

    def read(self, path: Path) -> Iterator[Article | InputError]:
        source = str(path)
        data = _read_bytes(path)
        if isinstance(data, InputError):
            yield data
            return
        text = decode_text(data, source=source, html=True)
        if isinstance(text, InputError):
            yield text
            return
        yield Article(id=path.stem, raw="", html=text, source=source)


class JsonlReader:
    """A ``.jsonl``/``.ndjson`` file holds one JSON object per line, one article each.

    Each object has ``id`` (string or integer), ``text`` and/or ``html``, and optionally ``title``,
    ``url``, ``outlet``, ``published`` (ISO date or datetime, or null) and ``language``; other fields are
    ignored. Blank lines are skipped. An article's ``source`` is ``"<path>:<line>"`` (1-based line). A bad
    line is one problem; the other lines are still read.
    """

    suffixes: tuple[str, ...] = (".jsonl", ".ndjson")

    def accepts(self, path: Path) -> bool:
        return _suffix(path) in self.suffixes

    def read(self, path: Path) -> Iterator[Article | InputError]:
        source = str(path)
        found_any = False
        try:
            with path.open("rb") as stream:
                problem = binary_problem(stream.read(_HEAD_BYTES))
                if problem is not None:
                    yield InputError(problem, source=source)
                    return
                stream.seek(0)
                for number, data in enumerate(stream, start=1):
                    body = data.removeprefix(BOM) if number == 1 else data
                    if not body.strip():
                        continue
                    found_any = True
                    yield _article_from_json_line(body, path=path, line=number)
        except OSError as exc:
            reason = exc.strerror or str(exc)
            yield InputError(
                f"cannot read the file ({reason}); check that it exists and that you may read it",
                source=source,
            )
            return
        if not found_any:
            yield InputError(
                "the file has no JSON lines (it is empty or only whitespace); "
                'add one {"id": ..., "text": ...} object per line or remove the file',
                source=source,
            )


def _article_from_json_line(data: bytes, *, path: Path, line: int) -> Article | InputError:
    """One JSONL line (its bytes) as an article, or the problem with it (naming the 1-based line)."""
    try:
        record = parse_json_object(data, line=line, what="file", example='{"id": ..., "text": ...}')
        return _article_from_record(record, source=f"{path}:{line}")
    except FieldProblem as exc:
        return InputError(str(exc), source=str(path), line=line)


def _article_from_record(record: dict[str, object], *, source: str) -> Article:
    """Build an article from a parsed JSON object; raises :class:`FieldProblem`."""
    if record.get("id") is None:
        raise FieldProblem('no "id"; add an "id" (string or integer) to the line')
    article_id = identifier(record["id"])
    text = record.get("text")
    html = record.get("html")
    if text is None and html is None:
        raise FieldProblem(
            f'article {article_id!r} has no "text" or "html"; add the article text as "text" '
            '(or the page as "html")'
        )
    for key, value in (("text", text), ("html", html)):
        if value is not None and not isinstance(value, str):
            raise FieldProblem(
                f'"{key}" must be a string, not {type(value).__name__}; put the article {key} in a string'
            )
    raw = normalize_newlines(text) if isinstance(text, str) else ""
    page = normalize_newlines(html) if isinstance(html, str) else None
    if not raw.strip() and not (page and page.strip()):
        raise FieldProblem(
            f'article {article_id!r} has an empty "text"/"html"; add the article text or remove the line'
        )
    return Article(
        id=article_id,
        raw=raw,
        html=page,
        source=source,
        title=optional_string(record, "title"),
        outlet=optional_string(record, "outlet"),
        published=parse_published(record.get("published")),
        url=optional_string(record, "url"),
        language=optional_string(record, "language"),
    )


READERS: list[Reader] = [JsonlReader(), HtmlReader(), TextReader()]
"""The readers :func:`read_inputs` tries, in order; append a reader (e.g. for WARC) to add a format."""


def article_from_text(text: str, *, id: str, source: str = "<text>", html: bool | None = None) -> Article:
    """Make one article from a string already in memory.

    ``html=None`` guesses: text that starts with a tag and holds an element such as ``<html>``,
    ``<body>``, ``<p>`` or ``<div>`` is treated as an HTML page. An HTML page goes to ``Article.html``
    (``raw`` stays empty); plain text goes to ``Article.raw``. A leading BOM is stripped and line ends
    become ``\\n``.

    Raises :class:`InputError` (with ``source``) when ``id`` is blank or the text is empty, only
    whitespace, or contains NUL characters.
    """
    if not id.strip():
        raise InputError("the article id is blank; pass a non-empty id", source=source)
    body = normalize_newlines(text.removeprefix("\ufeff"))
    if "\x00" in body:
        raise InputError(
            "the text contains NUL characters (binary data?); pass the article as text", source=source
        )
    if not body.strip():
        raise InputError("the text is empty or only whitespace; pass the article text", source=source)
    as_html = looks_like_html(body) if html is None else html
    if as_html:
        return Article(id=id, raw="", html=body, source=source)
    return Article(id=id, raw=body, source=source)
