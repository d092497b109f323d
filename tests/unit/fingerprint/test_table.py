"""Term statistics as arrays (TermTable) give exactly what TermStats gives by strings."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from newstrace import Article, Settings
from newstrace.candidates import anchor_pairs, select_anchors, shared_term_pairs
from newstrace.clean import Cleaner
from newstrace.fingerprint import LEXICON, Fingerprinter, Lexicon, TermStats, TermTable
from newstrace.fingerprint._minhash import token_hash
from newstrace.records import Signature

SETTINGS = Settings().fingerprint


def _signatures(textgen: Any, count: int = 60) -> list[Signature]:
    gen = textgen(7)
    cleaner = Cleaner(Settings().clean)
    # Articles share sentences in varying amounts, so document frequencies spread from 1 to many.
    pool = gen.sentences(80)
    articles = [
        cleaner.clean(Article(id=f"a{n:03d}", raw=gen.article(pool[n % 50 : n % 50 + 6] + gen.sentences(4))))
        for n in range(count)
    ]
    articles.append(Article(id="empty", text=""))
    fingerprinter = Fingerprinter(SETTINGS, algorithm="t")
    return fingerprinter.signatures(articles)


def _anchors(table: TermTable, *, low: int, high: int, per_article: int) -> list[list[int]]:
    """The table's anchor entries as one list of vocabulary positions per article."""
    article, term = table.anchor_entries(low=low, high=high, per_article=per_article)
    out: list[list[int]] = [[] for _ in range(table.docs)]
    for row, position in zip(article.tolist(), term.tolist(), strict=True):
        out[row].append(position)
    return out


def test_term_hashes_are_the_sorted_hashes_of_the_terms(textgen: Any) -> None:
    for signature in _signatures(textgen, 10):
        expected = sorted(token_hash(t) for t in signature.terms)
        assert signature.term_hashes is not None
        assert signature.term_hashes.dtype == np.uint64
        assert signature.term_hashes.tolist() == expected


def test_counts_norms_and_anchors_equal_those_by_strings(textgen: Any) -> None:
    signatures = _signatures(textgen)
    table = TermTable.from_signatures(signatures)
    assert table is not None
    stats = TermStats.from_signatures(signatures)
    from_table = TermStats.from_table(table, LEXICON)
    assert from_table is not None
    assert from_table.docs == stats.docs
    counts = from_table.df
    assert counts == stats.df
    assert sorted(set(counts.values())) != [1]  # the corpus does have shared terms
    # The IDF² integers taken from the table are those computed term by term.
    assert from_table._squared() == stats._squared()
    assert [from_table.norm(s.terms) for s in signatures] == [stats.norm(s.terms) for s in signatures]
    # Norms equal bit for bit (the same fixed-point integers, summed exactly).
    assert table.norms.tolist() == [stats.norm(s.terms) for s in signatures]
    names = {h: t for t, h in ((t, token_hash(t)) for t in stats.df)}
    by_position = [names[h] for h in table.vocabulary.tolist()]
    anchors = _anchors(table, low=2, high=SETTINGS.anchor_max_df, per_article=SETTINGS.anchors_per_article)
    expected = [select_anchors(s.terms, stats, settings=SETTINGS) for s in signatures]
    assert [[by_position[v] for v in chosen] for chosen in anchors] == expected
    assert any(expected)
    # Fewer anchors per article, a narrower range: still the same prefix rule.
    narrow = _anchors(table, low=3, high=5, per_article=2)
    assert [[by_position[v] for v in chosen] for chosen in narrow] == [
        sorted((t for t in s.terms if 3 <= stats.df[t] <= 5), key=stats.rarity_keys().__getitem__)[:2]
        for s in signatures
    ]


def test_anchor_pairs_from_the_table_entries_equal_those_by_strings(textgen: Any) -> None:
    signatures = _signatures(textgen)
    table = TermTable.from_signatures(signatures)
    assert table is not None
    stats = TermStats.from_signatures(signatures)
    article, term = table.anchor_entries(
        low=2, high=SETTINGS.anchor_max_df, per_article=SETTINGS.anchors_per_article
    )
    assert article.tolist() == sorted(article.tolist())
    shared = shared_term_pairs(term, article, len(signatures), max_group=SETTINGS.anchor_max_df + 1)
    assert shared == anchor_pairs(signatures, stats, settings=SETTINGS)
    assert shared  # the corpus does share anchors
    # A narrow group cap: large groups pair neighbours only, the same way on both paths.
    capped = shared_term_pairs(term, article, len(signatures), max_group=3)
    narrow = replace(SETTINGS, anchor_max_df=2)
    assert capped == anchor_pairs(
        signatures,
        stats,
        settings=narrow,
        anchors=[select_anchors(s.terms, stats, settings=SETTINGS) for s in signatures],
    )
    assert len(capped) < len(shared)


def test_a_signature_without_hashes_or_an_unknown_name_gives_no_table(textgen: Any) -> None:
    signatures = _signatures(textgen, 5)
    old = Signature(article_id="old", algorithm="t", minhash=signatures[0].minhash, terms=frozenset({"x"}))
    assert TermTable.from_signatures([*signatures, old]) is None
    table = TermTable.from_signatures(signatures)
    assert table is not None
    assert TermStats.from_table(table, Lexicon()) is None


def test_an_empty_corpus() -> None:
    table = TermTable.from_signatures([])
    assert table is not None
    assert table.docs == 0
    assert table.norms.tolist() == []
    assert _anchors(table, low=2, high=10, per_article=3) == []


def test_pair_cosines_equal_those_by_strings(textgen: Any) -> None:
    signatures = _signatures(textgen)
    table = TermTable.from_signatures(signatures)
    assert table is not None
    stats = TermStats.from_signatures(signatures)
    n = len(signatures)
    # Grouped by first article, then scattered, then an article paired twice apart: the marks follow.
    pairs = [(i, j) for i in range(n) for j in range(i + 1, n) if (i + j) % 3 == 0]
    pairs += [(j, i) for i, j in pairs[::7]] + [(0, 5), (3, 4), (0, 6)]
    cosines = table.cosines(pairs)
    assert cosines == [stats.cosine(signatures[i].terms, signatures[j].terms) for i, j in pairs]
    assert max(cosines) > 0.3
    assert table.cosines([(0, n - 1), (n - 1, n - 1)]) == [0.0, 0.0]  # the last article has no terms


def test_vocabulary_positions_equal_a_binary_search() -> None:
    from newstrace.fingerprint._table import _MAX_PROBES, _positions

    rng = np.random.default_rng(5)
    vocabulary = np.unique(rng.integers(0, 2**64, size=5000, dtype=np.uint64))
    keys = vocabulary[rng.integers(0, vocabulary.size, size=40_000)]
    assert _positions(vocabulary, keys).tolist() == np.searchsorted(vocabulary, keys).tolist()
    # Hashes piled on a few homes (equal top bits): walks longer than the probe limit fall back to a
    # binary search, with the same answer.
    piled = np.unique(rng.integers(0, 2**20, size=3 * _MAX_PROBES, dtype=np.uint64))
    keys = np.concatenate([piled[::-1], piled])
    found = _positions(piled, keys)
    assert found.dtype == np.int64
    assert found.tolist() == np.searchsorted(piled, keys).tolist()
    assert _positions(piled, keys[:0]).size == 0
    assert _positions(np.zeros(0, dtype=np.uint64), keys[:0]).size == 0
