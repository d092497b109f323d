"""Shared fixtures: the ``../shared`` data (seeds, truth) and a deterministic generator of synthetic articles.

Synthetic text is made of pronounceable pseudo-words (consonant-vowel syllables), so two generated
articles share no content by accident, stemming never changes a word (every word ends in a vowel) and no
word is a stopword. Everything is seeded: a test that uses ``TextGen(7)`` sees the same text on every run.
"""

from __future__ import annotations

import functools
import json
import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from newstrace import Engine
from newstrace._text import STOPWORDS

SHARED_DIR = Path(__file__).resolve().parents[1].parent / "shared"

_SYLLABLES = tuple(c + v for c in "bdfgklmnprstvz" for v in "aeiou")


@functools.lru_cache(maxsize=4)
def _vocabulary(size: int) -> tuple[str, ...]:
    rng = random.Random(0)
    words: set[str] = set()
    while len(words) < size:
        word = "".join(rng.choices(_SYLLABLES, k=rng.randint(2, 4)))
        if word not in STOPWORDS:
            words.add(word)
    return tuple(sorted(words))


class TextGen:
    """Seeded generator of words, names, sentences and articles (paragraph lines joined by blank lines).

    By default every word is a fresh four-syllable pseudo-word (24 million possibilities), so unrelated
    generated texts share essentially nothing. With ``vocab_size`` words are drawn from a fixed
    vocabulary of that size instead, so unrelated texts share words by chance, as real articles do.
    """

    def __init__(self, seed: int, *, vocab_size: int | None = None) -> None:
        self.rng = random.Random(seed)
        self.vocab: list[str] | None = None
        if vocab_size is not None:
            self.vocab = list(_vocabulary(vocab_size))
            self.rng.shuffle(self.vocab)
        self._names: set[str] = set()

    def word(self) -> str:
        if self.vocab is not None:
            return self.rng.choice(self.vocab)
        return "".join(self.rng.choices(_SYLLABLES, k=4))

    def name(self) -> str:
        """A capitalised word that occurs nowhere else (a rare proper name)."""
        while True:
            name = "Q" + "".join(self.rng.choices(_SYLLABLES, k=3))
            if name not in self._names:
                self._names.add(name)
                return name

    def sentence(self, n_words: int | None = None) -> str:
        n = n_words or self.rng.randint(12, 20)
        words = [self.word() for _ in range(n)]
        return words[0].capitalize() + " " + " ".join(words[1:]) + "."

    def sentences(self, n: int, *, extra: Sequence[str] = ()) -> list[str]:
        """``n`` sentences; each word of ``extra`` is inserted into one of them (not as its first word)."""
        out = [self.sentence() for _ in range(n)]
        for word in extra:
            i = self.rng.randrange(n)
            words = out[i].rstrip(".").split(" ")
            words.insert(self.rng.randrange(1, len(words) + 1), word)
            out[i] = " ".join(words) + "."
        return out

    def quote(self, speaker: str, n_words: int = 16) -> str:
        words = [self.word() for _ in range(n_words)]
        return f"\u201c{words[0].capitalize()} {' '.join(words[1:])},\u201d {speaker} said."

    @staticmethod
    def article(sentences: Sequence[str], *, per_paragraph: int = 3) -> str:
        paragraphs = [
            " ".join(sentences[i : i + per_paragraph]) for i in range(0, len(sentences), per_paragraph)
        ]
        return "\n\n".join(paragraphs) + "\n"

    def synonyms(self, sentences: Sequence[str], *, rate: float = 0.3) -> list[str]:
        """Replace about ``rate`` of the words with other vocabulary words (a synonym-spun copy)."""
        out = []
        for sentence in sentences:
            words = sentence.rstrip(".").split(" ")
            for i, word in enumerate(words):
                if self.rng.random() < rate and word.islower():
                    words[i] = self.word()
            out.append(" ".join(words) + ".")
        return out


@pytest.fixture
def textgen() -> type[TextGen]:
    """The :class:`TextGen` class: ``textgen(seed)`` makes a generator."""
    return TextGen


@pytest.fixture
def lexical_engine() -> Engine:
    """An engine in lexical-only mode (no embedding model loaded)."""
    return Engine(embeddings=False)


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """``../shared`` next to the project root; tests that need it skip when it is absent."""
    if not SHARED_DIR.is_dir():
        pytest.skip(f"shared data folder not found at {SHARED_DIR} (expected next to the project root)")
    return SHARED_DIR


@pytest.fixture(scope="session")
def seeds_dir(shared_dir: Path) -> Path:
    seeds = shared_dir / "seeds"
    if not (seeds / "manifest.jsonl").is_file() or not (seeds / "truth.json").is_file():
        pytest.skip(f"seed articles with manifest.jsonl and truth.json not found in {seeds}")
    return seeds


@pytest.fixture(scope="session")
def truth(seeds_dir: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((seeds_dir / "truth.json").read_text(encoding="utf-8"))
    return data
