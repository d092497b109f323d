"""Shared test data and HTML checks for the server tests."""

from __future__ import annotations

import datetime as dt
import random

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
