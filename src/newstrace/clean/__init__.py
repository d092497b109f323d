"""The clean stage: page chrome out, metadata and credits found, sentences with offsets.

Plain text and HTML both end in the same line-based cleaning, so chrome that survives HTML extraction is
removed by the same rules. The only corpus-level input is the set of short lines repeated across the
corpus (:func:`corpus_chrome`), computed once and passed to every :meth:`Cleaner.clean` call, so the
stage runs the same in-process or on a cluster.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Iterable

from newstrace.clean._chrome import (
    BULLETS,
    SECTION_END_RE,
    bare_chrome_reason,
    chrome_reason,
    frequent_keys,
    line_key,
    short_line_keys,
)
from newstrace.clean._credits import find_credits, names_match
from newstrace.clean._metadata import BYLINE_RE, find_date, is_byline, looks_like_title
from newstrace.clean._sentences import split_sentences
from newstrace.records import Article, Credit, RemovedLine
from newstrace.settings import CleanSettings

__all__ = [
    "Cleaner",
    "chrome_keys",
    "corpus_chrome",
    "frequent_keys",
    "names_match",
    "split_sentences",
]

logger = logging.getLogger(__name__)

_TERMINAL = (".", "!", "?", '"', "”", "’", "'")


def corpus_chrome(articles: Iterable[Article], *, settings: CleanSettings) -> frozenset[str]:
    """Keys of short lines repeated across at least ``corpus_repeat_min_docs`` articles: the reduce
    (:func:`frequent_keys`) of each article's :func:`chrome_keys`, which an executor may spread."""
    return frequent_keys(
        (chrome_keys(a, settings=settings) for a in articles), min_docs=settings.corpus_repeat_min_docs
    )


def chrome_keys(article: Article, *, settings: CleanSettings) -> frozenset[str]:
    """The keys of the article's short lines, each once (the per-article step of :func:`corpus_chrome`)."""
    return short_line_keys(_raw_text(article), short_line_words=settings.short_line_words)


def _raw_text(article: Article) -> str:
    if article.raw or article.html is None:
        return article.raw
    return _html_to_text(article.html)


def _html_to_text(html: str) -> str:
    try:
        import trafilatura
    except ImportError:  # pragma: no cover - trafilatura is a core dependency
        return re.sub(r"<[^>]+>", "\n", html)
    extracted = trafilatura.extract(html, include_comments=False, include_tables=False, favor_recall=True)
    return extracted or ""


class Cleaner:
    """Requires ``Article.raw`` or ``Article.html``; provides ``text``, ``sentences``, ``credits``,
    ``removed``, and fills ``title``/``byline``/``published``/``outlet`` when they are missing."""

    def __init__(self, settings: CleanSettings, *, corpus_lines: frozenset[str] = frozenset()) -> None:
        self.settings = settings
        self.corpus_lines = corpus_lines

    def clean(self, article: Article) -> Article:
        return self._clean(article, asked=None)

    def clean_and_probe(self, article: Article) -> tuple[Article, frozenset[str], frozenset[str]]:
        """:meth:`clean`, in the same pass the article's :func:`chrome_keys` (its short lines' keys, the
        per-article input of :func:`corpus_chrome`), and the keys that cleaning looked up in
        ``corpus_lines`` which any corpus chrome key could equal (of lines with at most
        ``short_line_words`` words).

        Cleaning with other ``corpus_lines`` that hold none of those looked-up keys gives the same article:
        each line meets the same tests with the same answers. So a batch can be cleaned before its corpus
        chrome is known (one read of every text, one HTML extraction), and only the articles whose
        looked-up keys turn out to be corpus chrome cleaned again.
        """
        asked: set[str] = set()
        short_keys: set[str] = set()
        cleaned = self._clean(article, asked=asked, short_keys=short_keys)
        return cleaned, frozenset(short_keys), frozenset(asked)

    def _clean(
        self, article: Article, *, asked: set[str] | None, short_keys: set[str] | None = None
    ) -> Article:
        """The cleaned article; adds to ``asked`` (when given) the key of every line of at most
        ``short_line_words`` words whose membership in ``corpus_lines`` was asked, and to ``short_keys``
        (when given) the keys of the short lines of the raw text it was cleaned from (its
        :func:`chrome_keys`)."""
        html_meta: dict[str, str] = {}
        if article.html is not None and not article.raw:
            raw = _html_to_text(article.html)
            html_meta = _html_metadata(article.html)
        else:
            raw = article.raw
        lines = raw.split("\n")
        removed: list[RemovedLine] = []
        kept: list[str] = []
        seen: set[str] = set()
        title = article.title or html_meta.get("title")
        byline = article.byline or html_meta.get("author")
        published = article.published or find_date(html_meta.get("date", ""))
        trailer_credits: list[Credit] = []
        stripped_lines = [ln.strip() for ln in lines]
        content_lines = len(stripped_lines) - stripped_lines.count("")
        content_seen = 0
        cut_rest: str | None = None
        title_key = line_key(title) if title else None
        corpus_lines = self.corpus_lines
        short_line_words = self.settings.short_line_words
        # The short lines' keys come from this loop's own word counts and keys when its lines are those of
        # ``short_line_keys`` (``str.splitlines``, whose lines are stripped here without changing their
        # keys or word counts), which they are unless the text holds another line boundary.
        collected = short_keys
        if short_keys is not None and not _only_newlines_break(raw):
            short_keys.update(short_line_keys(raw, short_line_words=short_line_words))
            collected = None
        for number, stripped in enumerate(stripped_lines, start=1):
            if not stripped:
                continue
            content_seen += 1
            # ``min(words, short_line_words + 1)``: whether the line is short, and the chrome rules' count.
            pieces = len(stripped.split(maxsplit=short_line_words))
            key = None
            if collected is not None and pieces <= short_line_words:
                key = line_key(stripped)
                collected.add(key)
            if cut_rest is not None:
                removed.append(RemovedLine(stripped, number, cut_rest))
                continue
            reason = None
            # The section-end, byline and trailer patterns all anchor at the line's start: one match of
            # their union rules all three out on most lines.
            starts_known = _LINE_START_RE.match(stripped) is not None
            if starts_known and SECTION_END_RE.match(stripped) and content_seen > content_lines * 0.4:
                # Past the article's middle, a "News Feed"/"Related" heading starts teasers to the end.
                reason = "section_end"
                cut_rest = "after_section_end"
            if reason is None:
                # A line with no bullet at either end is the one the chrome rules see: its count serves.
                if stripped[0] in BULLETS or stripped[-1] in BULLETS:
                    reason = chrome_reason(stripped, short_line_words=short_line_words)
                else:
                    reason = bare_chrome_reason(stripped, pieces, short_line_words)
            if (
                reason is None
                and starts_known
                and is_byline(stripped)
                and (len(kept) <= 3 or len(stripped.split(maxsplit=7)) <= 6)
            ):
                reason = "byline"
                byline = byline or stripped
                published = published or find_date(stripped)
            if reason is None and starts_known and _is_source_trailer(stripped):
                reason = "source_line"
                trailer_credits.extend(
                    dataclasses.replace(c, start=-1, end=-1) for c in find_credits(stripped)
                )
            if reason is not None:
                removed.append(RemovedLine(stripped, number, reason))
                continue
            # The key is only asked from here on (lines removed above never reach ``seen``).
            if key is None:
                key = line_key(stripped)
            if key in seen:
                reason = "duplicate_line"
            elif title_key is not None and key == title_key:
                reason = "title"
            elif kept and (
                not stripped.endswith(_TERMINAL)
                or (pieces <= 4 if short_line_words >= 4 else len(stripped.split()) <= 4)
            ):
                # Only here does the corpus chrome decide the line (removed if its key is chrome, kept
                # otherwise, everything else alike), so only here is its key asked. A key has its line's
                # words (joined by single spaces): the line's count tells a short key.
                if asked is not None and pieces <= short_line_words:
                    asked.add(key)
                if key in corpus_lines:
                    reason = "corpus_repeated"
            elif title is None and not kept and looks_like_title(stripped):
                title = stripped
                title_key = key
                seen.add(key)
                continue
            if reason is not None:
                removed.append(RemovedLine(stripped, number, reason))
                continue
            seen.add(key)
            kept.append(stripped.lstrip("•·▪-–— ").strip())
        text = "\n".join(kept)
        credits = find_credits(text) + tuple(trailer_credits)
        outlet = article.outlet or html_meta.get("sitename")
        return dataclasses.replace(
            article,
            text=text,
            sentences=split_sentences(text),
            credits=credits,
            removed=tuple(removed),
            title=title,
            byline=byline,
            published=published,
            outlet=outlet,
        )


_TRAILER_RE = re.compile(
    r"^(?:source|sources|originally published (?:by|on|at)|first published (?:by|on|at)|read more at)\s*:",
    re.I,
)


# Exactly the lines that ``SECTION_END_RE``, ``is_byline``'s pattern or ``_TRAILER_RE`` match at their start
# (each keeps its own case flag): a line none of them matches is none of the three.
_LINE_START_RE = re.compile(
    "|".join(
        f"(?i:{pattern.pattern})" if pattern.flags & re.IGNORECASE else f"(?:{pattern.pattern})"
        for pattern in (SECTION_END_RE, BYLINE_RE, _TRAILER_RE)
    )
)


# The line boundaries of ``str.splitlines`` besides the newline.
_OTHER_LINE_BREAKS = ("\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029")


def _only_newlines_break(raw: str) -> bool:
    """Whether the non-empty lines of ``raw.split("\\n")`` are those of ``raw.splitlines()``: ``raw``
    holds no other line boundary."""
    # A loop of substring tests (each a ``memchr``), not a character-set regex, which tests every character.
    for boundary in _OTHER_LINE_BREAKS:  # noqa: SIM110
        if boundary in raw:
            return False
    return True


def _is_source_trailer(line: str) -> bool:
    return bool(_TRAILER_RE.match(line)) and len(line.split(maxsplit=13)) <= 12


def _html_metadata(html: str) -> dict[str, str]:
    try:
        import trafilatura
    except ImportError:  # pragma: no cover
        return {}
    meta = trafilatura.extract_metadata(html)
    if meta is None:
        return {}
    out: dict[str, str] = {}
    for name in ("title", "author", "sitename", "date"):
        value = getattr(meta, name, None)
        if isinstance(value, str) and value:
            out[name] = value
    return out
