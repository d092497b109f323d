"""The fingerprint stage: per-article signatures (MinHash over word shingles, content terms).

Corpus statistics (document frequencies of content terms) are a separate, mergeable value
(:class:`TermStats`) so they can be computed by a reduce on any executor.
"""

from __future__ import annotations

import math
import os
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import chain, count
from operator import attrgetter

import numpy as np
import numpy.typing as npt

from newstrace._text import STOPWORDS, stem
from newstrace.clean._sentences import split_sentences
from newstrace.fingerprint._minhash import (
    byte_token_hashes,
    char_to_byte_offsets,
    distinct_pairs,
    hashed_form,
    minhash,
    minhash_rows,
    mix64,
    rolling_hashes,
    shingle_hashes,
    sorted_unique,
    text_token_hashes,
    token_hash,
    token_hash_array,
    unique_first_inverse,
)
from newstrace.fingerprint._table import TermTable
from newstrace.records import Article, PackedSignature, Sentence, Signature
from newstrace.settings import FingerprintSettings

__all__ = [
    "Fingerprinter",
    "LEXICON",
    "Lexicon",
    "LexiconDelta",
    "TermStats",
    "TermTable",
    "TokenBatch",
    "minhash",
    "position_multipliers",
    "sentence_of_tokens",
    "shingle_hashes",
]

_FIXED = 2**32  # fixed-point scale of IDF² sums
_START = attrgetter("start")
_LEXICON_NUMBERS = count(1)
_NORMS_MAX = 200_000  # cached term-set norms per TermStats
_EMPTY_U64 = np.zeros(0, dtype=np.uint64)
_EMPTY_I64 = np.zeros(0, dtype=np.int64)
_SENTENCE_SEEDS = (np.uint64(0x9E3779B97F4A7C15), np.uint64(0xBF58476D1CE4E5B9))


def _find_sorted(
    keys: npt.NDArray[np.uint64], wanted: npt.NDArray[np.uint64]
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.bool_]]:
    """``(at, found)``: where each of ``wanted`` sits in the ascending ``keys``, and whether it is there
    (``at`` is 0 where it is not)."""
    if not keys.size:
        return np.zeros(wanted.size, dtype=np.intp), np.zeros(wanted.size, dtype=bool)
    at = np.searchsorted(keys, wanted)
    at[at == keys.size] = 0
    return at, keys[at] == wanted


@dataclass(slots=True, init=False, eq=False)
class TermStats:
    """Document frequency of every content term over ``docs`` articles. Merge with ``+``.

    Derived tables (IDF², norms, terms in a document-frequency range) are cached and dropped whenever
    the counts change. Statistics made :meth:`from_table` keep the table and name its terms only when
    a table keyed by term string is first asked for (a lexical analysis never asks).
    """

    docs: int
    _counts: Counter[str] | None
    # From a TermTable: the table, and the terms named by its vocabulary positions (``terms[k]`` names
    # ``table.vocabulary[k]``, for ``k`` in ``positions``), until the counts change.
    _table: tuple[TermTable, list[str], npt.NDArray[np.int64]] | None
    _idf: dict[str, float]
    _idf_sq: dict[str, int] | None
    _idf_table: dict[str, float] | None
    _rarity: dict[str, tuple[int, int]] | None
    _norms: dict[frozenset[str], float]
    _in_range: dict[tuple[int, int], frozenset[str]]
    _idf_of_list: tuple[list[str], npt.NDArray[np.float64]] | None
    # From a TermTable: its sorted term hashes, the IDF of each and the IDF of a term of no article.
    _idf_by_hash: tuple[npt.NDArray[np.uint64], npt.NDArray[np.float64], float] | None

    def __init__(self, docs: int = 0, df: Counter[str] | None = None) -> None:
        self.docs = docs
        self._counts = Counter() if df is None else df
        self._table = None
        self._idf = {}
        self._idf_sq = None
        self._idf_table = None
        self._rarity = None
        self._norms = {}
        self._in_range = {}
        self._idf_of_list = None
        self._idf_by_hash = None

    def __repr__(self) -> str:
        return f"TermStats(docs={self.docs}, terms={len(self.df)})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TermStats):
            return NotImplemented
        return self.docs == other.docs and self.df == other.df

    __hash__ = None  # type: ignore[assignment]  # mutable, compared by value

    @property
    def df(self) -> Counter[str]:
        """Articles holding each term, by term string (counted on first use from a table)."""
        if self._counts is None:
            self._counts = Counter(dict(zip(self._table_keys(), self._table_of().df.tolist(), strict=True)))
        return self._counts

    def _table_of(self) -> TermTable:
        if self._table is None:  # pragma: no cover - only called while a table is kept
            raise RuntimeError("no term table")
        return self._table[0]

    def _table_keys(self) -> list[str]:
        """The term of each vocabulary position of the kept table."""
        if self._table is None:  # pragma: no cover - only called while a table is kept
            raise RuntimeError("no term table")
        _, terms, positions = self._table
        return list(map(terms.__getitem__, positions.tolist()))

    @classmethod
    def from_signatures(cls, signatures: Iterable[Signature]) -> TermStats:
        stats = cls()
        for sig in signatures:
            stats.df.update(sig.terms)
            stats.docs += 1
        return stats

    @classmethod
    def from_table(cls, table: TermTable, lexicon: Lexicon) -> TermStats | None:
        """The statistics of the articles of ``table``, as :meth:`from_signatures` of the same
        signatures, their terms named by ``lexicon`` (when first needed); the IDF² table taken from the
        table's integers (the same expression per document frequency) instead of recomputed term by
        term; ``None`` when the lexicon has no term of one of the table's hashes."""
        hashes = lexicon.term_hash_array()
        order = np.argsort(hashes, kind="stable")
        at, found = _find_sorted(hashes[order], table.vocabulary)
        if not found.all():
            return None
        stats = cls(docs=table.docs)
        stats._counts = None
        stats._table = (table, lexicon.terms, order[at])
        # The IDF per distinct document frequency, with the very expression of idf_many.
        levels, position = np.unique(np.concatenate([table.df, [0]]), return_inverse=True)
        docs = 1 + table.docs
        idf = np.array([math.log(docs / (1 + n)) + 1.0 for n in levels.tolist()], dtype=np.float64)
        by_level = idf[position.reshape(-1)]
        stats._idf_by_hash = (table.vocabulary, by_level[:-1], float(by_level[-1]))
        return stats

    def add(self, terms: Iterable[str]) -> None:
        self.df.update(terms)
        self.docs += 1
        self._table = None
        self._idf.clear()
        self._idf_sq = None
        self._idf_table = None
        self._rarity = None
        self._norms.clear()
        self._in_range.clear()
        self._idf_of_list = None
        self._idf_by_hash = None

    def __add__(self, other: TermStats) -> TermStats:
        return TermStats(self.docs + other.docs, self.df + other.df)

    def idf(self, term: str) -> float:
        """Smoothed inverse document frequency, ``log((1 + N) / (1 + df)) + 1`` (always ≥ 1)."""
        value = self._idf.get(term)
        if value is None:
            value = self._idf[term] = math.log((1 + self.docs) / (1 + self.df.get(term, 0))) + 1.0
        return value

    def idf_many(self, terms: Sequence[str | None]) -> list[float]:
        """:meth:`idf` of each term (0.0 for ``None``), from a table of every counted term."""
        if self._idf_table is None:
            docs = 1 + self.docs
            self._idf_table = {t: math.log(docs / (1 + n)) + 1.0 for t, n in self.df.items()}
        get = self._idf_table.get
        return [0.0 if t is None else (w if (w := get(t)) is not None else self.idf(t)) for t in terms]

    def idf_array(
        self, terms: list[str], *, hashes: npt.NDArray[np.uint64] | None = None
    ) -> npt.NDArray[np.float64]:
        """``out[k]`` is :meth:`idf` of ``terms[k]``, for an append-only vocabulary list (the
        :class:`Lexicon`'s ``terms``): kept for the list, extended by the terms appended since the last
        call, so a term's weight is an array lookup. ``hashes[k]`` (optional) is the :func:`token_hash` of
        ``terms[k]``: statistics made :meth:`from_table` then look the terms up by hash, vectorised. The
        returned array must not be modified."""
        cached = self._idf_of_list
        if cached is not None and cached[0] is terms and cached[1].size == len(terms):
            return cached[1]
        known = cached[1] if cached is not None and cached[0] is terms else np.zeros(0)
        by_hash = self._idf_by_hash
        if by_hash is not None and hashes is not None and hashes.size >= len(terms):
            vocabulary, idf, unseen = by_hash
            wanted = hashes[known.size : len(terms)]
            at, found = _find_sorted(vocabulary, wanted)
            fresh = np.full(wanted.size, unseen, dtype=np.float64)
            fresh[found] = idf[at[found]]
        else:
            fresh = np.array(self.idf_many(terms[known.size :]), dtype=np.float64)
        table = np.concatenate([known, fresh]) if known.size else fresh
        self._idf_of_list = (terms, table)
        return table

    def _squared(self) -> dict[str, int]:
        """IDF² of every counted term in fixed point (units of 2**-32), one pass over the vocabulary.

        Integer sums are exact, so a sum over a set does not depend on the set's iteration order (which
        varies with each process's string-hash seed): every executor gets the same bits, at C speed.
        """
        if self._idf_sq is None and self._table is not None:
            self._idf_sq = dict(zip(self._table_keys(), self._table_of().idf_squared.tolist(), strict=True))
        if self._idf_sq is None:
            docs = 1 + self.docs
            self._idf_sq = {
                t: round((math.log(docs / (1 + n)) + 1.0) ** 2 * _FIXED) for t, n in self.df.items()
            }
        return self._idf_sq

    def _sum_squared(self, terms: Iterable[str]) -> float:
        table = self._squared()
        try:
            return sum(map(table.__getitem__, terms)) / _FIXED
        except KeyError:  # a term this corpus never counted (df 0)
            return sum(round(self.idf(t) ** 2 * _FIXED) for t in terms) / _FIXED

    def cosine(self, terms_a: frozenset[str], terms_b: frozenset[str]) -> float:
        """IDF-weighted cosine of two content-term sets, in [0, 1] (document similarity)."""
        if not terms_a or not terms_b:
            return 0.0
        shared = self._sum_squared(terms_a & terms_b)
        return min(1.0, shared / (self.norm(terms_a) * self.norm(terms_b)))

    def remember_norms(self, norms: Iterable[tuple[frozenset[str], float]]) -> None:
        """Keep norms another process computed with these same counts (:meth:`norm` of each set)."""
        for terms, value in norms:
            if len(self._norms) >= _NORMS_MAX:
                break
            self._norms[terms] = value

    def build_tables(self, *, anchor_df: tuple[int, int] | None) -> None:
        """Build the shared lookup tables (IDF²; with ``anchor_df``, rarity keys and the terms of that
        document-frequency range) now, once, so that forked workers inherit them instead of each
        building its own."""
        self._squared()
        if anchor_df is not None:
            self.rarity_keys()
            self.terms_with_df(*anchor_df)

    def norm(self, terms: frozenset[str]) -> float:
        """Euclidean norm of a term set's IDF vector (cached per set)."""
        value = self._norms.get(terms)
        if value is None:
            if len(self._norms) >= _NORMS_MAX:  # long-lived workers see endless term sets
                self._norms.clear()
            value = self._norms[terms] = math.sqrt(self._sum_squared(terms))
        return value

    def rarity_keys(self) -> dict[str, tuple[int, int]]:
        """``(df, stable hash)`` of every counted term: rarest first, ties broken by hash (cached)."""
        if self._rarity is None:
            self._rarity = {t: (n, token_hash(t)) for t, n in self.df.items()}
        return self._rarity

    def terms_with_df(self, low: int, high: int) -> frozenset[str]:
        """Every counted term with ``low ≤ df ≤ high`` (cached per range); ``low ≥ 1``."""
        found = self._in_range.get((low, high))
        if found is None:
            found = self._in_range[(low, high)] = frozenset(t for t, n in self.df.items() if low <= n <= high)
        return found


@dataclass(frozen=True, slots=True, eq=False)
class LexiconDelta:
    """What one :class:`Lexicon` learnt since its last :meth:`Lexicon.drain`, for another to
    :meth:`Lexicon.absorb`.

    Layout: entry ``k`` is token hash ``hashes[k]`` (distinct, in the order they were learnt), its length
    in characters ``lengths[k]`` and its stemmed term ``terms[term[k]]`` (``term[k] == -1`` for a token
    that is no term); ``term_hashes[j]`` is :func:`token_hash` of ``terms[j]``, which come in ascending
    order of the draining lexicon's term indices. Arrays travel between processes as a few buffers, where
    a tuple per token cost more to pickle and unpickle than learning the token again. ``source`` is the
    ``(process id, lexicon number)`` that drained it: a lexicon skips its own.
    """

    hashes: npt.NDArray[np.uint64]
    lengths: npt.NDArray[np.int64]
    term: npt.NDArray[np.int64]
    terms: list[str]
    term_hashes: npt.NDArray[np.uint64]
    source: tuple[int, int] = (0, 0)

    def __len__(self) -> int:
        return int(self.hashes.size)

    def entries(self) -> list[tuple[int, str | None, int]]:
        """``(token hash, term or None, length)`` of every entry, in order (for tests and diagnostics)."""
        names = self.terms
        return [
            (h, names[t] if t >= 0 else None, n)
            for h, t, n in zip(self.hashes.tolist(), self.term.tolist(), self.lengths.tolist(), strict=True)
        ]


class Lexicon:
    """Per-process map from token hash (:func:`text_token_hashes`) to content term, for vectorised
    lookups: each distinct word of a corpus is decoded and stemmed once.

    Layout: ``known`` holds sorted token hashes, ``term_of[k]`` the index in ``terms`` of ``known[k]``'s
    stemmed term (-1 for stopwords and one-character tokens) and ``length[k]`` its length in characters.
    Tokens first seen since the last merge wait in a dict, merged into the arrays in bulk. ``terms`` only
    grows (until a reset), in the order terms were first met.

    Forked workers fill their own copies; :meth:`drain` hands what a worker learnt back to the parent as
    a :class:`LexiconDelta`, which :meth:`absorb` adds, so that later stages forked from the parent start
    warm instead of decoding and stemming the whole vocabulary again.
    """

    def __init__(self, *, max_tokens: int = 2_000_000) -> None:
        self.max_tokens = max_tokens
        # Told apart from other lexicons of this process; a forked copy has another process id.
        self._number = next(_LEXICON_NUMBERS)
        self._reset()

    def __len__(self) -> int:
        """Tokens known (merged into the arrays or waiting)."""
        return int(self.known.size) + len(self._pending)

    def _reset(self) -> None:
        self.terms: list[str] = []
        self._term_index: dict[str, int] = {}
        self._term_hash_parts: list[npt.NDArray[np.uint64]] = []  # appended since the array was made
        self._term_hash_buffer = np.zeros(0, dtype=np.uint64)
        self._term_hash_array = self._term_hash_buffer[:0]
        self.known = np.zeros(0, dtype=np.uint64)
        self.term_of = np.zeros(0, dtype=np.int64)
        self.length = np.zeros(0, dtype=np.int64)
        self._pending: dict[int, tuple[int, int]] = {}
        # What this process learnt since the last drain: (token hashes, term indices, lengths) per lookup.
        self._fresh: list[tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64], npt.NDArray[np.int64]]] = []

    def drain(self) -> LexiconDelta:
        """Every token this process learnt (decoded and stemmed itself) since the last drain."""
        fresh, self._fresh = self._fresh, []
        source = (os.getpid(), self._number)
        if not fresh:
            return LexiconDelta(_EMPTY_U64, _EMPTY_I64, _EMPTY_I64, [], _EMPTY_U64, source)
        hashes = np.concatenate([h for h, _, _ in fresh])
        term = np.concatenate([t for _, t, _ in fresh])
        lengths = np.concatenate([n for _, _, n in fresh])
        _, first = np.unique(hashes, return_index=True)
        if first.size < hashes.size:  # a token hash asked twice in one lookup was learnt twice
            first.sort()
            hashes, term, lengths = hashes[first], term[first], lengths[first]
        content = term >= 0
        ids, local = np.unique(term[content], return_inverse=True)
        local_term = np.full(term.size, -1, dtype=np.int64)
        local_term[content] = local
        names = list(map(self.terms.__getitem__, ids.tolist()))
        return LexiconDelta(hashes, lengths, local_term, names, self.term_hashes(ids), source)

    def absorb(self, deltas: Iterable[LexiconDelta]) -> None:
        """Add what other processes :meth:`drain` ed (tokens already known are skipped), as if this
        process had learnt their tokens itself in the same order. The terms' hashes come with them: a
        blake2b per new term was most of this serial step in the parent. What this lexicon drained itself
        it knows already: skipped."""
        mine = (os.getpid(), self._number)
        deltas = [d for d in deltas if d.hashes.size and d.source != mine]
        if not deltas:
            return
        hashes = np.concatenate([d.hashes for d in deltas])
        lengths = np.concatenate([d.lengths for d in deltas])
        offsets = np.cumsum([0] + [len(d.terms) for d in deltas[:-1]]).tolist()
        term = np.concatenate(
            [np.where(d.term >= 0, d.term + off, -1) for d, off in zip(deltas, offsets, strict=True)]
        )
        names = [name for d in deltas for name in d.terms]
        name_hashes = np.concatenate([d.term_hashes for d in deltas])
        # Each token once, at its first appearance, unless this process knows it already.
        _, keep = np.unique(hashes, return_index=True)
        keep.sort()
        keep = keep[~_find_sorted(self.known, hashes[keep])[1]]
        if self._pending:
            pending = self._pending
            keep = keep[np.fromiter((h not in pending for h in hashes[keep].tolist()), bool, keep.size)]
        if not keep.size:
            return
        term = term[keep]
        content = term >= 0
        # Terms in the order of the first token naming them: the order learning those tokens here gives.
        ids, first = np.unique(term[content], return_index=True)
        ordered = ids[np.argsort(first, kind="stable")]
        mapping = np.full(len(names), -1, dtype=np.int64)
        mapping[ordered] = self._indices([names[i] for i in ordered.tolist()], name_hashes[ordered])
        term[content] = mapping[term[content]]
        if keep.size > self._pending_limit():
            self._merge_arrays(hashes[keep], term, lengths[keep])
        else:  # a small delta (one chunk's, absorbed as it arrives) waits with the tokens learnt here
            self._pending.update(
                zip(
                    hashes[keep].tolist(),
                    zip(term.tolist(), lengths[keep].tolist(), strict=True),
                    strict=True,
                )
            )
            self._merge_when_full()

    def lookup(
        self,
        hashes: npt.NDArray[np.uint64],
        starts: npt.NDArray[np.int64],
        ends: npt.NDArray[np.int64],
        text: str | bytes,
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """``(term index or -1, token length)`` of each token hash; ``starts``/``ends`` are the tokens'
        UTF-8 byte offsets in ``text``'s hashed form, as :func:`text_token_hashes` returns them (or in
        ``text`` itself when it is bytes already in hashed form)."""
        if self.known.size + len(self._pending) > self.max_tokens:
            self._reset()
        at, hit = _find_sorted(self.known, hashes)
        term = np.full(hashes.size, -1, dtype=np.int64)
        length = np.zeros(hashes.size, dtype=np.int64)
        term[hit], length[hit] = self.term_of[at[hit]], self.length[at[hit]]
        missing = np.flatnonzero(~hit)
        if missing.size:
            term[missing], length[missing] = self._learn(
                hashes[missing], starts[missing], ends[missing], text
            )
            self._merge_when_full()
        return term, length

    def _learn(
        self,
        hashes: npt.NDArray[np.uint64],
        starts: npt.NDArray[np.int64],
        ends: npt.NDArray[np.int64],
        text: str | bytes,
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """``(term index or -1, length)`` of tokens missing from the arrays: pending ones as learnt, the
        others decoded and stemmed now (one list operation at a time: a Python step per token and
        per stage of its learning cost more than the learning)."""
        keys = hashes.tolist()
        entries = list(map(self._pending.get, keys))
        term = np.empty(len(keys), dtype=np.int64)
        length = np.empty(len(keys), dtype=np.int64)
        new = [k for k, entry in enumerate(entries) if entry is None]
        if len(new) < len(keys):
            old = [k for k, entry in enumerate(entries) if entry is not None]
            values = np.array([entries[k] for k in old], dtype=np.int64).reshape(-1, 2)
            term[old], length[old] = values[:, 0], values[:, 1]
        if not new:
            return term, length
        data = text if isinstance(text, bytes) else hashed_form(text).encode("utf-8", "surrogatepass")
        lo, hi = starts.tolist(), ends.tolist()
        tokens = [data[lo[k] : hi[k]].decode("utf-8", "replace") for k in new]
        sizes = list(map(len, tokens))
        is_term = [size > 1 and token not in STOPWORDS for token, size in zip(tokens, sizes, strict=True)]
        indices = np.full(len(new), -1, dtype=np.int64)
        indices[np.array(is_term, dtype=bool)] = self._indices(
            [stem(token) for token, wanted in zip(tokens, is_term, strict=True) if wanted]
        )
        new_hashes = hashes[new]
        new_sizes = np.array(sizes, dtype=np.int64)
        term[new], length[new] = indices, new_sizes
        self._pending.update(zip(new_hashes.tolist(), zip(indices.tolist(), sizes, strict=True), strict=True))
        self._fresh.append((new_hashes, indices, new_sizes))
        return term, length

    def _indices(self, names: list[str], name_hashes: npt.NDArray[np.uint64] | None = None) -> list[int]:
        """The index in ``terms`` of each name, new ones appended in order of first appearance
        (``name_hashes``: their :func:`token_hash` es, when known already)."""
        term_index = self._term_index
        unseen = [k for k, found in enumerate(map(term_index.get, names)) if found is None]
        if unseen:
            fresh = dict.fromkeys([names[k] for k in unseen])  # distinct, in order
            if name_hashes is None:
                hashes = token_hash_array(fresh)
            elif len(fresh) == len(unseen):
                hashes = name_hashes[unseen]
            else:  # a name's hash is the same wherever it appears
                given = dict(zip(map(names.__getitem__, unseen), name_hashes[unseen].tolist(), strict=True))
                hashes = np.array([given[name] for name in fresh], dtype=np.uint64)
            base = len(self.terms)
            term_index.update(zip(fresh, range(base, base + len(fresh)), strict=True))
            self.terms.extend(fresh)
            self._term_hash_parts.append(hashes)
        return list(map(term_index.__getitem__, names))

    def _pending_limit(self) -> int:
        """Entries that may wait in the dict before a bulk merge into the arrays (a quarter of what the
        arrays hold, so merges cost linear time overall)."""
        return max(4096, self.known.size // 4)

    def _merge_when_full(self) -> None:
        if len(self._pending) > self._pending_limit():
            self._merge()

    def _merge(self) -> None:
        if not self._pending:
            return
        hashes = np.fromiter(self._pending, dtype=np.uint64, count=len(self._pending))
        values = np.array(list(self._pending.values()), dtype=np.int64).reshape(-1, 2)
        self._pending = {}
        self._merge_arrays(hashes, values[:, 0], values[:, 1])

    def _merge_arrays(
        self, hashes: npt.NDArray[np.uint64], term_of: npt.NDArray[np.int64], length: npt.NDArray[np.int64]
    ) -> None:
        """Add entries for token hashes not yet in ``known`` (distinct), keeping ``known`` sorted."""
        known = np.concatenate([self.known, hashes])
        order = np.argsort(known, kind="stable")
        self.known = known[order]
        self.term_of = np.concatenate([self.term_of, term_of])[order]
        self.length = np.concatenate([self.length, length])[order]

    def term_hashes(self, indices: npt.NDArray[np.int64]) -> npt.NDArray[np.uint64]:
        """Stable hashes (:func:`token_hash`) of the terms at ``indices`` (all ``>= 0``)."""
        out: npt.NDArray[np.uint64] = self.term_hash_array()[indices]
        return out

    def idf(self, stats: TermStats) -> npt.NDArray[np.float64]:
        """``out[k]`` is ``stats.idf(terms[k])`` (:meth:`TermStats.idf_array` of ``terms``, looked up by
        hash when it can be). Must not be modified."""
        return stats.idf_array(self.terms, hashes=self.term_hash_array())

    def term_hash_array(self) -> npt.NDArray[np.uint64]:
        """:func:`token_hash` of every term: ``out[k]`` of ``terms[k]``. Must not be modified."""
        if self._term_hash_parts:
            # A buffer of doubling capacity: the terms arrive batch by batch, and copying every hash
            # known at each batch was quadratic on a large corpus.
            known = self._term_hash_array.size
            fresh = np.concatenate(self._term_hash_parts)
            self._term_hash_parts = []
            if known + fresh.size > self._term_hash_buffer.size:
                grown = np.empty(max(2 * self._term_hash_buffer.size, known + fresh.size), dtype=np.uint64)
                grown[:known] = self._term_hash_array
                self._term_hash_buffer = grown
            self._term_hash_buffer[known : known + fresh.size] = fresh
            self._term_hash_array = self._term_hash_buffer[: known + fresh.size]
        return self._term_hash_array


# One per process: forked workers start from the parent's.
LEXICON = Lexicon()


@dataclass(frozen=True, slots=True, eq=False)
class TokenBatch:
    """The tokens of several texts at once, joined by newlines (which never join words).

    ``joined`` is the texts' hashed forms (:func:`hashed_form`) in UTF-8, newline-separated, and text
    ``r`` starts at byte ``text_starts[r]`` (``len(texts) + 1`` entries); ``hashes``/``starts``/``ends``
    are every token's hash and byte offsets in ``joined`` (:func:`byte_token_hashes`), in text order, and
    ``owner[t]`` the text of token ``t``. A text's tokens and hashes are those of the text alone.
    """

    joined: bytes
    text_starts: npt.NDArray[np.int64]
    hashes: npt.NDArray[np.uint64]
    starts: npt.NDArray[np.int64]
    ends: npt.NDArray[np.int64]
    owner: npt.NDArray[np.intp]

    @classmethod
    def of(cls, texts: Sequence[str]) -> TokenBatch:
        encoded = [hashed_form(t).encode("utf-8", "surrogatepass") for t in texts]
        text_starts = np.zeros(len(encoded) + 1, dtype=np.int64)
        np.cumsum([len(e) + 1 for e in encoded], out=text_starts[1:])
        joined = b"\n".join(encoded)
        hashes, starts, ends = byte_token_hashes(np.frombuffer(joined, dtype=np.uint8))
        # Tokens are in text order and never span two texts: each text's run of them, repeated.
        bounds = np.searchsorted(starts, text_starts)
        owner = np.repeat(np.arange(len(texts), dtype=np.intp), np.diff(bounds))
        return cls(joined, text_starts, hashes, starts, ends, owner)

    def sentence_numbers(
        self, texts: Sequence[str], sentences: Sequence[Sequence[Sentence]]
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """``(sentence_of, first_sentence)``: the sentences of all texts numbered in order across the
        batch (text ``r``'s are ``first_sentence[r]`` on), and the number of each token's sentence, as
        :func:`sentence_of_tokens` per text (a token before its text's first sentence counts with it)."""
        counts = np.fromiter(map(len, sentences), dtype=np.int64, count=len(sentences))
        first_sentence = np.zeros(len(sentences), dtype=np.int64)
        np.cumsum(counts[:-1], out=first_sentence[1:])
        total = int(counts.sum())
        # Every sentence's start in one pass (character offsets, which are byte offsets in ASCII texts).
        starts = np.fromiter(map(_START, chain.from_iterable(sentences)), dtype=np.int64, count=total)
        for row, text in enumerate(texts):
            if not text.isascii():
                mine = slice(first_sentence[row], first_sentence[row] + counts[row])
                starts[mine] = char_to_byte_offsets(text)[starts[mine]]
        starts += np.repeat(self.text_starts[: len(texts)], counts)
        sentence_of = np.searchsorted(starts, self.starts, side="right") - 1
        return np.maximum(sentence_of.astype(np.int64), first_sentence[self.owner]), first_sentence


class Fingerprinter:
    """Requires ``Article.sentences`` (made from ``Article.text`` when absent); provides a
    :class:`Signature` per article."""

    def __init__(self, settings: FingerprintSettings, *, algorithm: str) -> None:
        self.settings = settings
        self.algorithm = algorithm

    def document_minhash(self, text: str) -> npt.NDArray[np.uint32]:
        """The MinHash of ``text``'s word shingles alone (what :meth:`signature` puts in ``minhash``)."""
        hashes, _, _ = text_token_hashes(text)
        return minhash(
            rolling_hashes(hashes, size=self.settings.shingle_words), num_perm=self.settings.num_perm
        )

    def document_minhashes(self, texts: Sequence[str]) -> npt.NDArray[np.uint32]:
        """``(len(texts), num_perm)``: :meth:`document_minhash` of many texts in one vectorised pass
        (texts joined by newlines; shingles never span two texts). Equal, row for row, to one call per
        text."""
        k = self.settings.shingle_words
        num_perm = self.settings.num_perm
        tokens = TokenBatch.of(texts)
        hashes, owner = tokens.hashes, tokens.owner
        counts = np.bincount(owner, minlength=len(texts))
        out = np.empty((len(texts), num_perm), dtype=np.uint32)
        short = np.flatnonzero(counts < k)
        if hashes.size >= k:
            shingles = rolling_hashes(hashes, size=k)
            within = owner[: shingles.size] == owner[k - 1 :]
            out[:] = minhash_rows(
                shingles[within], owner[: shingles.size][within], rows=len(texts), num_perm=num_perm
            )
        for row in short.tolist():  # fewer words than a shingle: one gram of them all, as document_minhash
            out[row] = self.document_minhash(texts[row])
        return out

    def signatures(self, articles: Sequence[Article]) -> list[Signature]:
        """:meth:`signature` of many articles in one vectorised pass (texts joined by newlines, which
        never join words): equal, one for one, to a call per article, at a fraction of the per-call
        array overhead. Their arrays may be views into the batch's arrays."""
        return [packed.unpack() for packed in self.packed_signatures(articles)]

    def packed_signatures(self, articles: Sequence[Article]) -> list[PackedSignature]:
        """:meth:`signatures` in the form they leave a process in (:class:`PackedSignature`: terms as a
        list, arrays packed only if pickled), each unpickling as the :class:`Signature` itself. A stage
        that may run in a worker process returns these instead of signatures: the worker never builds
        the term sets, which the receiving process builds anyway when it unpickles."""
        k = self.settings.shingle_words
        split = [a.sentences or split_sentences(a.text) for a in articles]
        texts = [a.text for a in articles]
        tokens = TokenBatch.of(texts)
        hashes, owner = tokens.hashes, tokens.owner
        counts = np.bincount(owner, minlength=len(articles))
        # Short or sentence-less texts follow the single-article rules (one gram of all their words, all
        # tokens in one sentence) and are rare: they take the one-article path.
        batched = (counts >= max(k, 3)) & np.fromiter((bool(s) for s in split), dtype=bool, count=len(split))
        out: list[PackedSignature | None] = [None] * len(articles)
        for row in np.flatnonzero(~batched).tolist():
            single = self.signature(articles[row])
            arrays = (single.minhash, single.sentence_keys, single.term_hashes)
            out[row] = PackedSignature(
                single.article_id, self.algorithm, list(single.terms), single.published, *arrays
            )
        if not batched.any():
            return [s for s in out if s is not None]
        # Document shingles: runs of k tokens inside one text.
        shingles = rolling_hashes(hashes, size=k)
        within = owner[: shingles.size] == owner[k - 1 :]
        minhashes = minhash_rows(
            shingles[within],
            owner[: shingles.size][within],
            rows=len(articles),
            num_perm=self.settings.num_perm,
        )
        # Terms: each distinct token of the batch looked up once, then distinct (text, term) entries.
        unique, first, inverse = unique_first_inverse(hashes)
        term, length = LEXICON.lookup(unique, tokens.starts[first], tokens.ends[first], tokens.joined)
        token_term = term[inverse]
        content = (token_term >= 0) & (length[inverse] > 2)
        entries = sorted_unique(
            owner[content].astype(np.int64) * (len(LEXICON.terms) + 1) + token_term[content]
        )
        entry_owner = entries // (len(LEXICON.terms) + 1)
        entry_term = entries % (len(LEXICON.terms) + 1)
        term_bounds = np.searchsorted(entry_owner, np.arange(len(articles) + 1)).tolist()
        # Each text's term hashes, ascending and distinct (two terms could share a 64-bit hash).
        entry_hash = LEXICON.term_hashes(entry_term)
        distinct_hashes = distinct_pairs(entry_owner, entry_hash)
        hash_owner, entry_hash = entry_owner[distinct_hashes], entry_hash[distinct_hashes]
        hash_bounds = np.searchsorted(hash_owner, np.arange(len(articles) + 1)).tolist()
        sentence_of, _ = tokens.sentence_numbers(texts, split)
        # Texts of the one-article path have no sentence numbers of their own here: their tokens go.
        mine = batched[owner]
        keys, key_owner = _sentence_key_entries(hashes[mine], sentence_of[mine], owner[mine])
        distinct = distinct_pairs(key_owner, keys)
        keys, key_owner = keys[distinct], key_owner[distinct]
        key_bounds = np.searchsorted(key_owner, np.arange(len(articles) + 1)).tolist()
        names = list(map(LEXICON.terms.__getitem__, entry_term.tolist()))
        for row in np.flatnonzero(batched).tolist():
            article = articles[row]
            out[row] = PackedSignature(
                article.id,
                self.algorithm,
                names[term_bounds[row] : term_bounds[row + 1]],
                article.published,
                minhashes[row],
                keys[key_bounds[row] : key_bounds[row + 1]],
                entry_hash[hash_bounds[row] : hash_bounds[row + 1]],
            )
        return [s for s in out if s is not None]

    def signature(self, article: Article) -> Signature:
        # One vectorised tokenisation of the whole text serves the document shingles and the sentence keys.
        text = article.text
        sentences = article.sentences or split_sentences(text)
        token_hashes, token_starts, token_ends = text_token_hashes(text)
        shingles = rolling_hashes(token_hashes, size=self.settings.shingle_words)
        unique, first, _ = unique_first_inverse(token_hashes)
        term, length = LEXICON.lookup(unique, token_starts[first], token_ends[first], text)
        chosen = np.sort(term[(term >= 0) & (length > 2)])
        terms = frozenset(map(LEXICON.terms.__getitem__, chosen.tolist()))
        return Signature(
            article_id=article.id,
            algorithm=self.algorithm,
            minhash=minhash(shingles, num_perm=self.settings.num_perm),
            terms=terms,
            published=article.published,
            sentence_keys=_sentence_keys(token_hashes, sentence_of_tokens(text, sentences, token_starts)),
            term_hashes=sorted_unique(LEXICON.term_hashes(chosen)),
        )


def sentence_of_tokens(
    text: str, sentences: Sequence[Sentence], token_starts: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    """Index of the sentence holding each token (tokens are in text order; ``token_starts`` in UTF-8
    bytes). Sentences cover every word of the text, so each token falls inside one."""
    if not sentences or token_starts.size == 0:
        return np.zeros(token_starts.size, dtype=np.int64)
    offsets = char_to_byte_offsets(text)
    starts = offsets[np.fromiter((s.start for s in sentences), dtype=np.int64, count=len(sentences))]
    # A token before the first sentence (a line of symbols only, which is no sentence) counts with it.
    return np.maximum(np.searchsorted(starts, token_starts, side="right").astype(np.int64) - 1, 0)


_POSITION_SEED = np.uint64(0x706F73)  # "pos"


def position_multipliers(n: int) -> npt.NDArray[np.uint64]:
    """Odd 64-bit multipliers for token positions ``0 … n-1`` (for order-sensitive sequence hashes);
    position ``i`` always gets the same multiplier."""
    return mix64(np.arange(n, dtype=np.uint64) + _POSITION_SEED) | np.uint64(1)


def _sentence_keys(
    token_hashes: npt.NDArray[np.uint64], sentence_of: npt.NDArray[np.int64]
) -> npt.NDArray[np.uint64]:
    """Two min-hashes of each sentence's word 3-grams (sentences of at least 6 words), sorted, unique.

    Two sentences share a key with probability equal to the Jaccard similarity of their 3-gram sets, so
    a lightly edited sentence still matches, while a sentence of another article almost never does:
    articles sharing two keys share text (partial reuse, truncation, copies).
    """
    keys, _ = _sentence_key_entries(token_hashes, sentence_of, np.zeros(token_hashes.size, dtype=np.intp))
    return sorted_unique(keys)


def _sentence_key_entries(
    token_hashes: npt.NDArray[np.uint64], sentence_of: npt.NDArray[np.int64], owner: npt.NDArray[np.intp]
) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.intp]]:
    """The two keys of each sentence of at least 6 words (unsorted, with repeats) and the owner of each
    key; tokens are in text order, ``sentence_of`` numbers sentences increasingly and never shares a
    number between owners."""
    empty = np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.intp)
    if token_hashes.size < 3:
        return empty
    sizes = np.bincount(np.maximum(sentence_of, 0))
    grams = rolling_hashes(token_hashes, size=3)
    valid = (sentence_of[:-2] == sentence_of[2:]) & (sizes[sentence_of[:-2]] >= 6) & (sentence_of[:-2] >= 0)
    if not valid.any():
        return empty
    grams, sentence, gram_owner = grams[valid], sentence_of[:-2][valid], owner[:-2][valid]
    starts = np.flatnonzero(np.concatenate(([True], sentence[1:] != sentence[:-1])))
    first = np.minimum.reduceat(grams * _SENTENCE_SEEDS[0], starts)
    second = np.minimum.reduceat(grams * _SENTENCE_SEEDS[1], starts)
    return np.concatenate([first, second]), np.concatenate([gram_owner[starts], gram_owner[starts]])
