"""The fingerprint stage: per-article signatures (MinHash over word shingles, content terms).

Corpus statistics (document frequencies of content terms) are a separate, mergeable value
(:class:`TermStats`) so they can be computed by a reduce on any executor.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from newstrace._text import STOPWORDS, stem, words
from newstrace.fingerprint._minhash import minhash, shingle_hashes
from newstrace.records import Article, Signature
from newstrace.settings import FingerprintSettings

__all__ = ["Fingerprinter", "TermStats", "minhash", "shingle_hashes"]

_SENTENCE_SEEDS = (np.uint64(0x9E3779B97F4A7C15), np.uint64(0xBF58476D1CE4E5B9))


@dataclass(slots=True)
class TermStats:
    """Document frequency of every content term over ``docs`` articles. Merge with ``+``."""

    docs: int = 0
    df: Counter[str] = field(default_factory=Counter)
    _idf: dict[str, float] = field(default_factory=dict, repr=False, compare=False)
    _norms: dict[frozenset[str], float] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_signatures(cls, signatures: Iterable[Signature]) -> TermStats:
        stats = cls()
        for sig in signatures:
            stats.add(sig.terms)
        return stats

    def add(self, terms: Iterable[str]) -> None:
        self.docs += 1
        self.df.update(terms)
        self._idf.clear()
        self._norms.clear()

    def __add__(self, other: TermStats) -> TermStats:
        return TermStats(self.docs + other.docs, self.df + other.df)

    def idf(self, term: str) -> float:
        """Smoothed inverse document frequency, ``log((1 + N) / (1 + df)) + 1`` (always ≥ 1)."""
        value = self._idf.get(term)
        if value is None:
            value = self._idf[term] = math.log((1 + self.docs) / (1 + self.df.get(term, 0))) + 1.0
        return value

    def norm(self, terms: frozenset[str]) -> float:
        """Euclidean norm of a term set's IDF vector (cached per set)."""
        value = self._norms.get(terms)
        if value is None:
            value = self._norms[terms] = math.sqrt(sum(self.idf(t) ** 2 for t in terms))
        return value


class Fingerprinter:
    """Requires ``Article.text``; provides a :class:`Signature` per article."""

    def __init__(self, settings: FingerprintSettings, *, algorithm: str) -> None:
        self.settings = settings
        self.algorithm = algorithm

    def signature(self, article: Article) -> Signature:
        tokens = words(article.text)
        hashes = np.unique(shingle_hashes(tokens, size=self.settings.shingle_words))
        sentence_keys = self.sentence_keys(article)
        terms = frozenset(stem(t) for t in set(tokens) if t not in STOPWORDS and len(t) > 2)
        return Signature(
            article_id=article.id,
            algorithm=self.algorithm,
            minhash=minhash(hashes, num_perm=self.settings.num_perm),
            terms=terms,
            published=article.published,
            sentence_keys=sentence_keys,
        )

    def sentence_keys(self, article: Article) -> npt.NDArray[np.uint64]:
        """Two min-hashes of each sentence's word 3-grams (sentences of at least 6 words), sorted, unique.

        Two sentences share a key with probability equal to the Jaccard similarity of their 3-gram sets,
        so a lightly edited sentence still matches, while any sentence of another article almost never
        does: articles sharing two keys share text (partial reuse, truncation, copies).
        """
        keys: list[int] = []
        for sentence in article.sentences:
            tokens = words(sentence.text)
            if len(tokens) < 6:
                continue
            grams = shingle_hashes(tokens, size=3)
            with np.errstate(over="ignore"):
                keys.append(int((grams * _SENTENCE_SEEDS[0]).min()))
                keys.append(int((grams * _SENTENCE_SEEDS[1]).min()))
        return np.unique(np.array(keys, dtype=np.uint64))
