"""Shared test data and HTML checks for the server tests."""

from __future__ import annotations

import datetime as dt
import random
import re
from html.parser import HTMLParser

from newstrace import Engine
from newstrace.executors import LocalExecutor
from newstrace.records import Article

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
PAYLOAD = f"{SCRIPT} {IMG}"
# An id with characters that need escaping in HTML and in URLs (but no "/": ids are path segments).
XSS_A = 'xss-a"<b>&'
XSS_B = "xss-b'<i>"
FILLER_STORIES = 8


def lexical_engine() -> Engine:
    return Engine(embeddings=False, executor=LocalExecutor(workers=1))


class Words:
    """Seeded pseudo-words (consonant-vowel syllables): generated texts share nothing by accident."""

    _SYLLABLES = tuple(c + v for c in "bdfgklmnprstvz" for v in "aeiou")

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def sentence(self, n: int = 14) -> str:
        words = ["".join(self.rng.choices(self._SYLLABLES, k=4)) for _ in range(n)]
        return words[0].capitalize() + " " + " ".join(words[1:]) + "."

    def sentences(self, n: int) -> list[str]:
        return [self.sentence() for _ in range(n)]


def as_text(sentences: list[str]) -> str:
    """Paragraphs of three sentences."""
    return "\n\n".join(" ".join(sentences[i : i + 3]) for i in range(0, len(sentences), 3)) + "\n"


def xss_articles() -> list[Article]:
    """An original and its lightly edited copy; payloads in the title, outlet and text of both."""
    gen = Words(41)
    sentences = gen.sentences(14)
    sentences[2] = f"{sentences[2][:-1]} {SCRIPT} and more."
    sentences[7] = f"{sentences[7][:-1]} {IMG} then."
    text = as_text(sentences)
    copy_sentences = [*sentences]
    copy_sentences[4] = gen.sentence()
    return [
        Article(
            id=XSS_A,
            raw=text,
            title=f"Title {PAYLOAD}",
            outlet=f"Outlet {PAYLOAD}",
            published=dt.date(2023, 5, 1),
            url="javascript:alert(1)",
        ),
        Article(
            id=XSS_B,
            raw=as_text(copy_sentences),
            title=f"Copy {PAYLOAD}",
            outlet=f'"><svg onload=alert(1)> {IMG}',
            published=dt.date(2023, 5, 3),
            url="https://example.org/?q=<script>",
        ),
    ]


def filler_articles() -> list[Article]:
    """Unrelated single-article stories on distinct dates (for pagination)."""
    out = []
    for i in range(FILLER_STORIES):
        out.append(
            Article(
                id=f"filler-{i:02d}",
                raw=as_text(Words(100 + i).sentences(8)),
                title=f"Filler story {i}",
                outlet="Filler Daily",
                published=dt.date(2022, 1, 1) + dt.timedelta(days=10 * i),
            )
        )
    return out


# -- HTML inspection ------------------------------------------------------------------------------------
VOID = {"meta", "br", "col", "img", "hr", "input", "link", "wbr", "source", "area", "base", "embed"}


class Collector(HTMLParser):
    """Every tag and attribute a browser would see; checks that tags nest."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.stack: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs.extend(attrs)
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs.extend(attrs)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack[-1:]}"
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse_html(page: str) -> Collector:
    collector = Collector()
    collector.feed(page)
    collector.close()
    assert collector.stack == [], f"unclosed tags: {collector.stack}"
    return collector


def assert_inert(page: str) -> Collector:
    """Nothing executable: no script/img/iframe/object tags, no event handler attributes, no
    ``javascript:`` links; the raw payload markup never appears unescaped."""
    parsed = parse_html(page)
    for tag in ("script", "img", "iframe", "object", "embed"):
        assert tag not in parsed.tags, f"<{tag}> in the page"
    handlers = [name for name, _ in parsed.attrs if name.startswith("on")]
    assert not handlers, f"event handler attributes: {handlers}"
    for name, value in parsed.attrs:
        if name in ("href", "src", "action", "xlink:href"):
            assert value is not None and not value.strip().lower().startswith("javascript:"), value
    lowered = page.lower()
    assert "<script" not in lowered
    assert "<img" not in lowered
    for tag in re.findall(r"<[A-Za-z][^>]*>", page):
        unquoted = re.sub(r'"[^"]*"', '""', tag)
        assert not re.search(r"\son\w+\s*=", unquoted), f"an on*= attribute in {tag}"
    return parsed
