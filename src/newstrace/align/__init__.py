"""The align stage: sentence-to-sentence alignment of two articles, preferring monotone order.

Sentence score (in [0, 1]): IDF-weighted Dice overlap of stemmed content terms; with embeddings, the
score also credits semantic similarity (see :func:`sentence_scores`). A monotone dynamic programme picks
the links that maximise ``Σ (score − link_min_score)`` — a rewrite keeps its original's order — and
unmatched sentences with a strong score are then linked out of order (reordered copies).
"""

from __future__ import annotations

import copyreg
import re
from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import chain, pairwise
from operator import attrgetter
from typing import Any, cast

import numpy as np
import numpy.typing as npt

from newstrace._arrays import ArrayLayout, pack_arrays, unpack_arrays
from newstrace._text import quote_spans
from newstrace.fingerprint import LEXICON, TermStats, TokenBatch, position_multipliers, sentence_of_tokens
from newstrace.fingerprint._minhash import pair_order, stable_order, text_token_hashes, unique_first_inverse
from newstrace.records import Alignment, Article, Link, LinkType
from newstrace.settings import AlignSettings

__all__ = [
    "ArticleFeatures",
    "align",
    "article_features",
    "article_features_many",
    "content_scores",
    "max_links",
    "sentence_scores",
]

# Out-of-order links need a clearly stronger score than in-order ones.
_REORDER_MIN_SCORE = 0.62
_QUOTE_ONLY_FRACTION = 0.6
# Words outside the quotation marks that two mostly-quoted sentences must share, identically and in
# order, to count as the same sentence copied rather than the same statement quoted: an attribution like
# "Lyse chief executive Eimund Nygaard said:" copied with the quotation; "he said" or "said Jane Doe"
# (any outlet writes them) are shorter.
_COPIED_ATTRIBUTION_MIN_WORDS = 4
_WORD_RE = re.compile(r"\w+")
_WEAK_MIN_SCORE = 0.2


@dataclass(frozen=True, slots=True, eq=False)
class ArticleFeatures:
    """Per-article inputs of sentence scoring, as flat arrays.

    Content terms: ``term_columns`` holds the article's distinct terms as stable 64-bit hashes, ascending,
    and ``term_idf`` their IDF (same order); each distinct (sentence, term) pair is one entry, sorted by
    (sentence, term): ``term_rows[k]`` is its sentence and ``term_column_of[k]`` its term's position in
    ``term_columns``. Tokens (all distinct words, stopwords too, unweighted: the surface overlap) have the
    same layout in ``token_columns``/``token_rows``/``token_column_of``. The columns of a pair's overlap
    matrices are the second article's ``*_columns``, made once per article instead of once per pair.
    ``sentence_hashes[i]`` is a hash of sentence ``i``'s whole token sequence (equal sentences, up to case
    and punctuation, have equal hashes); ``quoted[i]`` the fraction of its characters inside quotation
    marks; ``lengths[i]`` its length in characters. Hashes instead of a shared vocabulary keep features
    computable on any worker; entry arrays are int32 (they travel between processes).
    """

    article_id: str
    sentence_count: int
    term_columns: npt.NDArray[np.uint64]
    term_idf: npt.NDArray[np.float64]
    term_rows: npt.NDArray[np.int32]
    term_column_of: npt.NDArray[np.int32]
    token_columns: npt.NDArray[np.uint64]
    token_rows: npt.NDArray[np.int32]
    token_column_of: npt.NDArray[np.int32]
    sentence_hashes: npt.NDArray[np.uint64]
    quoted: npt.NDArray[np.float64]
    lengths: npt.NDArray[np.int64]


def _features_from_parts(
    article_id: str, sentence_count: int, blob: bytes, layout: ArrayLayout
) -> ArticleFeatures:
    return _FEATURES_BY_POSITION(article_id, sentence_count, *unpack_arrays(blob, layout))


def _reduce_features(features: ArticleFeatures) -> tuple[Callable[..., ArticleFeatures], tuple[Any, ...]]:
    """Features travel with their ten arrays packed into one byte string (:mod:`newstrace._arrays`) and
    come back read-only: the parent receives the features of every paired article from the workers."""
    blob, layout = pack_arrays([getattr(features, name) for name in _FEATURE_ARRAYS])
    return _features_from_parts, (features.article_id, features.sentence_count, blob, layout)


_FEATURE_ARRAYS = ArticleFeatures.__slots__[2:]
_FEATURES_BY_POSITION = cast("Callable[..., ArticleFeatures]", ArticleFeatures)
copyreg.pickle(ArticleFeatures, _reduce_features)

_TEXT = attrgetter("text")
_QUOTE_MARKS = ('"', "“", "”", "„", "«", "»")


def article_features(article: Article, stats: TermStats) -> ArticleFeatures:
    """Features of ``article`` for :func:`sentence_scores`, with IDF weights from ``stats``."""
    sentences = article.sentences
    n = len(sentences)
    # Tokens outside every sentence (a text too short to hold one) have no row to count in.
    hashes, starts, ends = text_token_hashes(article.text) if n else text_token_hashes("")
    rows = sentence_of_tokens(article.text, sentences, starts)
    # Each distinct token of the article, numbered in hash order: (sentence, token number) pairs then
    # sort as one exact int64 key, in the order of (sentence, hash).
    unique, first, inverse = unique_first_inverse(hashes)
    entries = _first_of_each(rows * max(1, unique.size) + inverse)
    token_rows, token_column_of = rows[entries], inverse[entries]
    # Content terms: each distinct token mapped once to its stemmed term.
    term, _ = LEXICON.lookup(unique, starts[first], ends[first], article.text)
    is_term = term >= 0
    term_hash = np.zeros(unique.size, dtype=np.uint64)
    term_hash[is_term] = LEXICON.term_hashes(term[is_term])
    weight = np.zeros(unique.size, dtype=np.float64)
    weight[is_term] = LEXICON.idf(stats)[term[is_term]]
    content = is_term[token_column_of]
    term_rows = token_rows[content]
    term_tokens = token_column_of[content]
    # Two tokens stemming to one term in a sentence count once (terms numbered in hash order, as above).
    term_columns, term_number = np.unique(term_hash[term_tokens], return_inverse=True)
    term_number = term_number.reshape(-1)
    term_idf = np.zeros(term_columns.size, dtype=np.float64)
    term_idf[term_number] = weight[term_tokens]
    distinct = _first_of_each(term_rows * max(1, term_columns.size) + term_number)
    # Whole-sentence hashes: position-weighted sums of token hashes, one per sentence.
    positions = np.arange(hashes.size) - np.searchsorted(rows, rows, side="left")
    sentence_hashes = np.zeros(n, dtype=np.uint64)
    if hashes.size:
        np.add.at(sentence_hashes, rows, hashes * position_multipliers(int(positions.max()) + 1)[positions])
    return ArticleFeatures(
        article_id=article.id,
        sentence_count=n,
        term_columns=term_columns.astype(np.uint64),
        term_idf=term_idf,
        term_rows=term_rows[distinct].astype(np.int32),
        term_column_of=term_number[distinct].astype(np.int32),
        token_columns=unique.astype(np.uint64),
        token_rows=token_rows.astype(np.int32),
        token_column_of=token_column_of.astype(np.int32),
        sentence_hashes=sentence_hashes,
        quoted=_quoted(article),
        lengths=np.array([len(s.text) for s in sentences], dtype=np.int64),
    )


def article_features_many(articles: Sequence[Article], stats: TermStats) -> list[ArticleFeatures]:
    """:func:`article_features` of many articles in one vectorised pass (texts joined by newlines, which
    never join words; sentences numbered across the batch): equal, one for one, to a call per article,
    at a fraction of the per-call array overhead. Sentence-less articles take the one-article path."""
    out: list[ArticleFeatures | None] = [None] * len(articles)
    batch = [k for k, a in enumerate(articles) if a.sentences]
    for k in range(len(articles)):
        if not articles[k].sentences:
            out[k] = article_features(articles[k], stats)
    if batch:
        for k, features in zip(batch, _features_of_batch([articles[k] for k in batch], stats), strict=True):
            out[k] = features
    return [f for f in out if f is not None]


def _features_of_batch(articles: Sequence[Article], stats: TermStats) -> list[ArticleFeatures]:
    texts = [a.text for a in articles]
    tokens = TokenBatch.of(texts)
    hashes, owner = tokens.hashes, tokens.owner
    sentence, first_sentence = tokens.sentence_numbers(texts, [a.sentences for a in articles])
    # Each article's distinct tokens in hash order; ``column``: a token's position among them.
    token_number, distinct_hashes, first_at, first_distinct = _distinct_per_group(
        owner, hashes, len(articles)
    )
    column = token_number - first_distinct[owner]
    width = int(np.diff(first_distinct).max(initial=0)) + 1
    entries = _first_of_each(sentence * width + column)
    # Content terms of every distinct (article, token): one lexicon lookup of the batch's distinct tokens
    # (articles of a batch share most of their words; a lookup is a binary search among every known
    # token), each at its first occurrence in the batch.
    unique, first_of_unique, unique_of = unique_first_inverse(distinct_hashes)
    at = first_at[first_of_unique]
    term = LEXICON.lookup(unique, tokens.starts[at], tokens.ends[at], tokens.joined)[0][unique_of]
    is_term = term >= 0
    term_hash = np.zeros(distinct_hashes.size, dtype=np.uint64)
    term_hash[is_term] = LEXICON.term_hashes(term[is_term])
    weight = np.zeros(distinct_hashes.size, dtype=np.float64)
    weight[is_term] = LEXICON.idf(stats)[term[is_term]]
    entry_token = token_number[entries]
    content = entries[is_term[entry_token]]
    content_token = token_number[content]
    content_owner = owner[content]
    # Each article's distinct terms in hash order, likewise.
    term_id, all_term_hashes, _, first_term = _distinct_per_group(
        content_owner, term_hash[content_token], len(articles)
    )
    term_column = term_id - first_term[content_owner]
    term_width = int(np.diff(first_term).max(initial=0)) + 1
    distinct_terms = _first_of_each(sentence[content] * term_width + term_column)
    all_term_idf = np.zeros(all_term_hashes.size, dtype=np.float64)
    all_term_idf[term_id] = weight[content_token]
    # Whole-sentence hashes: position-weighted sums of token hashes. Sentence numbers never decrease, so a
    # token's position is its index less that of its sentence's first token (a running maximum of the
    # indices where the number changes: linear, where a binary search per token is not).
    index = np.arange(hashes.size)
    changes = np.ones(hashes.size, dtype=bool)
    np.not_equal(sentence[1:], sentence[:-1], out=changes[1:])
    positions = index - np.maximum.accumulate(np.where(changes, index, 0))
    sentence_count = sum(len(a.sentences) for a in articles)
    sentence_hashes = np.zeros(sentence_count, dtype=np.uint64)
    # Sentence lengths of the whole batch in one array (each article's a slice, as its hashes).
    lengths = np.fromiter(
        map(len, map(_TEXT, chain.from_iterable(a.sentences for a in articles))),
        dtype=np.int64,
        count=sentence_count,
    )
    if hashes.size:
        np.add.at(
            sentence_hashes, sentence, hashes * position_multipliers(int(positions.max()) + 1)[positions]
        )
    # Split per article.
    entry_bounds = np.searchsorted(owner[entries], np.arange(len(articles) + 1))
    term_owner = content_owner[distinct_terms]
    term_bounds = np.searchsorted(term_owner, np.arange(len(articles) + 1))
    out = []
    for row, article in enumerate(articles):
        lo, hi = entry_bounds[row], entry_bounds[row + 1]
        tlo, thi = term_bounds[row], term_bounds[row + 1]
        n = len(article.sentences)
        base = first_sentence[row]
        chosen = entries[lo:hi]
        picked = content[distinct_terms[tlo:thi]]
        out.append(
            ArticleFeatures(
                article_id=article.id,
                sentence_count=n,
                term_columns=all_term_hashes[first_term[row] : first_term[row + 1]].astype(np.uint64),
                term_idf=all_term_idf[first_term[row] : first_term[row + 1]],
                term_rows=(sentence[picked] - base).astype(np.int32),
                term_column_of=term_column[distinct_terms[tlo:thi]].astype(np.int32),
                token_columns=distinct_hashes[first_distinct[row] : first_distinct[row + 1]].astype(
                    np.uint64
                ),
                token_rows=(sentence[chosen] - base).astype(np.int32),
                token_column_of=column[chosen].astype(np.int32),
                sentence_hashes=sentence_hashes[base : base + n],
                quoted=_quoted(article),
                lengths=lengths[base : base + n],
            )
        )
    return out


def _distinct_per_group(
    group: npt.NDArray[np.intp], values: npt.NDArray[np.uint64], groups: int
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.uint64], npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """The distinct values of each group (groups ``0 … groups-1`` in order, values ascending within):
    ``(number, distinct, first, bounds)`` — item ``k`` holds ``distinct[number[k]]``, ``first[d]`` is the
    first item holding distinct entry ``d``, and group ``g``'s entries are ``bounds[g]:bounds[g + 1]``.

    One unstable sort of a 64-bit key, the group in the high bits and the value's high bits below it:
    unless two distinct values of a group share a key (then the exact two-key order), equal keys are
    equal items, the keys' order is the (group, value) order, and the first item of each is the smallest
    index among its equal items."""
    n = values.size
    bits = max(1, (groups - 1).bit_length())
    if n >= 2 and bits < 32:
        key = (group.astype(np.uint64) << np.uint64(64 - bits)) | (values >> np.uint64(bits))
        order = np.argsort(key)
        ordered_key, ordered_values = key[order], values[order]
        same = ordered_key[1:] == ordered_key[:-1]
        if not (same & (ordered_values[1:] != ordered_values[:-1])).any():
            new = np.ones(n, dtype=bool)
            np.logical_not(same, out=new[1:])
            starts = np.flatnonzero(new)
            number = np.empty(n, dtype=np.int64)
            number[order] = np.cumsum(new) - 1
            first: npt.NDArray[np.intp] = np.minimum.reduceat(order, starts)
            bounds = np.searchsorted(group[first], np.arange(groups + 1))
            return number, ordered_values[starts], first, bounds
    order = pair_order(group, values)
    ordered_group, ordered_values = group[order], values[order]
    new = np.ones(order.size, dtype=bool)
    new[1:] = (ordered_group[1:] != ordered_group[:-1]) | (ordered_values[1:] != ordered_values[:-1])
    number = np.empty(order.size, dtype=np.int64)
    number[order] = np.cumsum(new) - 1
    bounds = np.searchsorted(ordered_group[new], np.arange(groups + 1))
    return number, ordered_values[new], order[new], bounds


def _quoted(article: Article) -> npt.NDArray[np.float64]:
    """The fraction of each sentence's characters inside quotation marks."""
    quoted = np.zeros(len(article.sentences), dtype=np.float64)
    if any(mark in article.text for mark in _QUOTE_MARKS):
        for row, sentence in enumerate(article.sentences):
            quoted_chars = sum(e - s for s, e in quote_spans(sentence.text))
            quoted[row] = quoted_chars / max(1, len(sentence.text))
    return quoted


def _first_of_each(keys: npt.NDArray[np.int64]) -> npt.NDArray[np.intp]:
    """Indices of the distinct values of ``keys``, ascending by value, the first occurrence of each
    (what :func:`distinct_pairs` gives for a pair folded into one exact key)."""
    order = stable_order(keys)
    if order.size < 2:
        return order
    ordered = keys[order]
    keep = np.empty(order.size, dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    out: npt.NDArray[np.intp] = order[keep]
    return out


def _unquoted_words(text: str) -> list[str]:
    """The lowercased words of ``text`` outside its direct quotations."""
    kept, at = [], 0
    for start, end in quote_spans(text):
        kept.append(text[at:start])
        at = end
    kept.append(text[at:])
    return _WORD_RE.findall(" ".join(kept).lower())


def _same_attribution(a: str, b: str) -> bool:
    """Whether two sentences have the same words outside their quotations, and at least
    ``_COPIED_ATTRIBUTION_MIN_WORDS`` of them (the sentence was copied with its attribution)."""
    words = _unquoted_words(a)
    return len(words) >= _COPIED_ATTRIBUTION_MIN_WORDS and words == _unquoted_words(b)


def _dice(
    shape: tuple[int, int],
    a: tuple[npt.NDArray[np.int32], npt.NDArray[np.uint64], npt.NDArray[np.int32]],
    b: tuple[npt.NDArray[np.int32], npt.NDArray[np.uint64], npt.NDArray[np.int32]],
    weights: tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]] | None = None,
) -> npt.NDArray[np.float64]:
    """Weighted Dice overlap ``2·w(S∩T) / (w(S) + w(T))`` of every sentence pair (sets of hashed terms).

    ``a`` and ``b`` are ``(rows, columns, column_of)`` of the two articles' entries (the
    :class:`ArticleFeatures` layout); ``weights`` the two articles' weights per column (none: every term
    weighs 1). Only terms present on both sides can overlap: B's columns index the matrix columns, A's
    distinct terms are looked up among them once, so no set intersection is computed; per-sentence totals
    come straight from the entry lists. A's weights count on both sides (a term weighs the same in each).
    """
    n, m = shape
    rows_a, columns_a, column_of_a = a
    rows_b, columns_b, column_of_b = b
    if weights is None:
        weights_a = weights_b = None
        total_a = np.bincount(rows_a, minlength=n).astype(np.float64)
        total_b = np.bincount(rows_b, minlength=m).astype(np.float64)
    else:  # weighted counts are float64 already (no copy)
        weights_a, weights_b = weights[0][column_of_a], weights[1][column_of_b]
        total_a = np.bincount(rows_a, weights=weights_a, minlength=n).astype(np.float64, copy=False)
        total_b = np.bincount(rows_b, weights=weights_b, minlength=m).astype(np.float64, copy=False)
    inter = None
    if columns_a.size and columns_b.size:
        at = np.searchsorted(columns_b, columns_a)
        np.minimum(at, columns_b.size - 1, out=at)  # past B's last column: never equal, never shared
        shared = columns_b[at] == columns_a
        if shared.any():
            hit = shared[column_of_a]
            left = np.zeros((n, columns_b.size))
            left[rows_a[hit], at[column_of_a[hit]]] = 1.0 if weights_a is None else weights_a[hit]
            right = np.zeros((m, columns_b.size))
            right[rows_b, column_of_b] = 1.0
            inter = left @ right.T
    if inter is None:
        return np.zeros(shape)  # 0 / anything, and 0 where the denominator is 0
    denom = total_a[:, None] + total_b[None, :]
    positive = denom > 0
    # ``2 · inter / denom`` in place (a fresh product); cells without a positive denominator are 0.
    np.multiply(inter, 2, out=inter)
    if positive.all():
        np.divide(inter, denom, out=inter)
        return inter
    out: npt.NDArray[np.float64] = np.divide(inter, denom, out=np.zeros_like(inter), where=positive)
    return out


def _dice_at(
    shape: tuple[int, int],
    a: tuple[npt.NDArray[np.int32], npt.NDArray[np.uint64], npt.NDArray[np.int32]],
    b: tuple[npt.NDArray[np.int32], npt.NDArray[np.uint64], npt.NDArray[np.int32]],
    cells_a: npt.NDArray[np.intp],
    cells_b: npt.NDArray[np.intp],
) -> list[float]:
    """The unweighted :func:`_dice` at the cells ``(cells_a[k], cells_b[k])`` only, which pair each row
    and each column at most once (links): value for value the same, from the same integer counts (shared
    tokens, tokens per sentence) and the same one division, without the matrices.

    A's entries are looked up, each in the row of its sentence's partner, in a boolean table of B's
    entries (B's columns, plus a column for A's terms absent from B and a row for A's sentences without
    a partner, both empty): the matrix product's shared count, cell by cell.
    """
    n, m = shape
    rows_a, columns_a, column_of_a = a
    rows_b, columns_b, column_of_b = b
    denom = (np.bincount(rows_a, minlength=n)[cells_a] + np.bincount(rows_b, minlength=m)[cells_b]).astype(
        np.float64
    )
    inter = np.zeros(cells_a.size)
    if columns_a.size and columns_b.size:
        width = columns_b.size
        at = np.searchsorted(columns_b, columns_a)
        np.minimum(at, width - 1, out=at)
        column_in_b = np.where(columns_b[at] == columns_a, at, width)
        present = np.zeros((m + 1, width + 1), dtype=bool)
        present[rows_b, column_of_b] = True
        partner = np.full(n, m, dtype=np.intp)
        partner[cells_a] = cells_b
        found = present[partner[rows_a], column_in_b[column_of_a]]
        inter = np.bincount(rows_a[found], minlength=n)[cells_a].astype(np.float64)
    out: list[float] = np.divide(2 * inter, denom, out=np.zeros(cells_a.size), where=denom > 0).tolist()
    return out


def sentence_scores(
    fa: ArticleFeatures,
    fb: ArticleFeatures,
    *,
    cosine: npt.NDArray[np.float64] | None = None,
    content: npt.NDArray[np.float64] | None = None,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """``(score, surface)`` matrices of shape ``(len(A sentences), len(B sentences))``.

    ``surface`` is the unweighted Dice overlap of all tokens (how verbatim a pair is); ``score`` is
    :func:`content_scores` (passed as ``content`` when the caller made it already, for the same features
    and ``cosine``).
    """
    shape = (fa.sentence_count, fb.sentence_count)
    surface = _dice(
        shape,
        (fa.token_rows, fa.token_columns, fa.token_column_of),
        (fb.token_rows, fb.token_columns, fb.token_column_of),
    )
    return (content_scores(fa, fb, cosine=cosine) if content is None else content), surface


def content_scores(
    fa: ArticleFeatures, fb: ArticleFeatures, *, cosine: npt.NDArray[np.float64] | None = None
) -> npt.NDArray[np.float64]:
    """The sentence score matrix: IDF-weighted content-term Dice, raised by embedding cosine when given
    (the semantic part ``clip((cos − 0.55) / 0.4, 0, 1)`` counts only as far as the pair also shares
    content terms, so a same-topic sentence with different facts does not become a link)."""
    lexical = _dice(
        (fa.sentence_count, fb.sentence_count),
        (fa.term_rows, fa.term_columns, fa.term_column_of),
        (fb.term_rows, fb.term_columns, fb.term_column_of),
        (fa.term_idf, fb.term_idf),
    )
    # The same token sequence (its distinct tokens then coincide too, so surface overlap is 1).
    lexical[fa.sentence_hashes[:, None] == fb.sentence_hashes[None, :]] = 1.0
    if cosine is None:
        return lexical
    semantic = np.clip((cosine - 0.55) / 0.4, 0.0, 1.0)
    blended = 0.55 * semantic + 0.45 * lexical
    gate = np.clip(lexical / 0.15, 0.0, 1.0)
    out: npt.NDArray[np.float64] = np.maximum(lexical, blended * gate)
    return out


def max_links(
    fa: ArticleFeatures,
    fb: ArticleFeatures,
    *,
    settings: AlignSettings,
    cosine: npt.NDArray[np.float64] | None = None,
    content: npt.NDArray[np.float64] | None = None,
) -> int:
    """An upper bound on the number of links :func:`align` can make: links are one-to-one and every
    link (in order, weak mutual-best or out of order) scores at least the weak-link minimum, so at most
    ``min(rows, columns)`` holding such a score. Costs one overlap matrix (none when ``content``, the
    :func:`content_scores` of these features and ``cosine``, is given), a fraction of an alignment."""
    if not fa.sentence_count or not fb.sentence_count:
        return 0
    floor = min(_WEAK_MIN_SCORE, settings.link_min_score)
    scores = content_scores(fa, fb, cosine=cosine) if content is None else content
    possible = scores >= floor
    return int(min(possible.any(axis=1).sum(), possible.any(axis=0).sum()))


def _monotone_links(score: npt.NDArray[np.float64], threshold: float) -> list[tuple[int, int]]:
    """Monotone links maximising total gain. A cell may link when its score reaches ``threshold``, or
    when it reaches ``_WEAK_MIN_SCORE`` and is the best cell of both its row and its column: a heavy
    paraphrase keeps few words per sentence, but its sentences still pair up one-to-one in order.

    The dynamic programme runs over the rows and columns holding an allowed cell only: a row (column)
    without one repeats the totals of the row above (column to the left), so leaving it out changes
    neither the totals nor the path traced back, tie-breaking included.
    """
    mutual = (score == score.max(axis=1, keepdims=True)) & (score == score.max(axis=0, keepdims=True))
    allowed = (score >= threshold) | (mutual & (score >= _WEAK_MIN_SCORE))
    at_rows, at_columns = np.nonzero(allowed)  # row-major: rows ascending, columns ascending within
    if not at_rows.size:
        return []
    cell_rows, cell_columns = at_rows.tolist(), at_columns.tolist()
    # The gain of the allowed cells only (the same two float operations, cell by cell, as on the grid).
    gains = (score[at_rows, at_columns] - _WEAK_MIN_SCORE + 1e-6).tolist()
    rows = sorted(set(cell_rows))
    columns = sorted(set(cell_columns))
    if (
        len(rows) == len(columns) == len(cell_rows)
        and all(c < d for c, d in pairwise(cell_columns))
        and all(g > 0 for g in gains)
    ):
        # One allowed cell per active row and column, in order (a clean copy), each gaining: linking
        # them all is the one best path.
        return list(zip(cell_rows, cell_columns, strict=True))
    # Totals row by row in Python floats (the same IEEE doubles and the same sums as a grid of numpy
    # float64, so the same ties). A row of totals never decreases along the columns, so a row is the one
    # above raised by its few allowed cells: from an allowed cell on, to the best total it starts, until
    # the row above reaches that total anyway. The row stays non-decreasing as it is raised, so where the
    # raise ends is a bisection and the raise one slice assignment (the same values a cell-by-cell walk
    # writes, at C speed: a clean copy's raise runs to the end of the row).
    cells_of_row: list[list[tuple[int, float]]] = [[] for _ in rows]
    row_at = {r: k for k, r in enumerate(rows)}
    column_at = {c: k for k, c in enumerate(columns)}
    for r, c, g in zip(cell_rows, cell_columns, gains, strict=True):
        cells_of_row[row_at[r]].append((column_at[c], g))
    m = len(columns)
    above = [0.0] * (m + 1)
    totals = [above]
    for row_cells in cells_of_row:
        row = above.copy()
        best = 0.0
        for k, g in row_cells:  # in column order
            reached = above[k] + g
            if reached > best:
                best = reached
            end = bisect_left(row, best, k + 1)
            if end > k + 1:
                row[k + 1 : end] = [best] * (end - k - 1)
        totals.append(row)
        above = row
    n = len(rows)
    links: list[tuple[int, int]] = []
    i, j = n, m
    while i > 0 and j > 0:
        if totals[i][j] == totals[i][j - 1]:
            j -= 1
        elif totals[i][j] == totals[i - 1][j]:
            i -= 1
        else:
            links.append((rows[i - 1], columns[j - 1]))
            i -= 1
            j -= 1
    links.reverse()
    return links


def _longest_run(pairs: Sequence[tuple[int, int]]) -> int:
    """Longest chain of links each at most 2 sentences after the previous one on both sides."""
    best = 0
    run = 0
    prev: tuple[int, int] | None = None
    for i, j in sorted(pairs):
        if prev is not None and 0 < i - prev[0] <= 2 and 0 < j - prev[1] <= 2:
            run += 1
        else:
            run = 1
        best = max(best, run)
        prev = (i, j)
    return best


def align(
    a: Article,
    b: Article,
    fa: ArticleFeatures,
    fb: ArticleFeatures,
    *,
    settings: AlignSettings,
    cosine: npt.NDArray[np.float64] | None = None,
    content: npt.NDArray[np.float64] | None = None,
) -> Alignment:
    """Align the sentences of ``a`` and ``b`` (features ``fa``/``fb`` made by :func:`article_features`;
    ``content``: their :func:`content_scores` with ``cosine``, when the caller made them already)."""
    if not a.sentences or not b.sentences:
        return Alignment(a.id, b.id, (), 0.0, 0.0, 0.0, 0.0, 0, 1.0)
    score = content_scores(fa, fb, cosine=cosine) if content is None else content
    pairs = _monotone_links(score, settings.link_min_score)
    in_order = len(pairs)
    used_a = {i for i, _ in pairs}
    used_b = {j for _, j in pairs}
    strong = np.nonzero(score >= max(_REORDER_MIN_SCORE, settings.link_min_score))
    extra = sorted(
        zip(score[strong].tolist(), strong[0].tolist(), strong[1].tolist(), strict=True), reverse=True
    )
    for _, i, j in extra:
        if i not in used_a and j not in used_b:
            pairs.append((i, j))
            used_a.add(i)
            used_b.add(j)
    pairs.sort()
    # The surface overlap is read at the links only: made there alone (equal to sentence_scores' matrix
    # at those cells), with the links' scores, in one pass each.
    surfaces: list[float] = []
    scores: list[float] = []
    if pairs:
        cells_a = np.array([i for i, _ in pairs], dtype=np.intp)
        cells_b = np.array([j for _, j in pairs], dtype=np.intp)
        surfaces = _dice_at(
            (fa.sentence_count, fb.sentence_count),
            (fa.token_rows, fa.token_columns, fa.token_column_of),
            (fb.token_rows, fb.token_columns, fb.token_column_of),
            cells_a,
            cells_b,
        )
        scores = score[cells_a, cells_b].tolist()
    quoted_a, quoted_b = fa.quoted.tolist(), fb.quoted.tolist()
    links = []
    for (i, j), surf, link_score in zip(pairs, surfaces, scores, strict=True):
        sa, sb = a.sentences[i], b.sentences[j]
        if surf >= settings.verbatim_min_score:
            kind = LinkType.VERBATIM
        elif surf >= settings.edited_min_score:
            kind = LinkType.EDITED
        else:
            kind = LinkType.PARAPHRASE
        quote_only = min(quoted_a[i], quoted_b[j]) >= _QUOTE_ONLY_FRACTION and not _same_attribution(
            sa.text, sb.text
        )
        links.append(
            Link(i, j, (sa.start, sa.end), (sb.start, sb.end), round(link_score, 4), kind, quote_only)
        )
    lengths_a, lengths_b = fa.lengths.tolist(), fb.lengths.tolist()
    total_a = sum(lengths_a) or 1
    total_b = sum(lengths_b) or 1
    cov_a = sum(lengths_a[lk.a] for lk in links) / total_a
    cov_b = sum(lengths_b[lk.b] for lk in links) / total_b
    q_a = sum(lengths_a[lk.a] for lk in links if lk.quote_only) / total_a
    q_b = sum(lengths_b[lk.b] for lk in links if lk.quote_only) / total_b
    return Alignment(
        a=a.id,
        b=b.id,
        links=tuple(links),
        coverage_a=cov_a,
        coverage_b=cov_b,
        quote_coverage_a=q_a,
        quote_coverage_b=q_b,
        longest_run=_longest_run(pairs),
        in_order=in_order / len(pairs) if pairs else 1.0,
    )
