"""The align stage: sentence-to-sentence alignment of two articles, preferring monotone order.

Sentence score (in [0, 1]): IDF-weighted Dice overlap of stemmed content terms; with embeddings, the
score also credits semantic similarity (see :func:`sentence_scores`). A monotone dynamic programme picks
the links that maximise ``Σ (score − link_min_score)`` — a rewrite keeps its original's order — and
unmatched sentences with a strong score are then linked out of order (reordered copies).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from newstrace._text import quote_spans
from newstrace.fingerprint import LEXICON, TermStats, position_multipliers, sentence_of_tokens
from newstrace.fingerprint._minhash import distinct_pairs, text_token_hashes
from newstrace.records import Alignment, Article, Link, LinkType
from newstrace.settings import AlignSettings

__all__ = ["ArticleFeatures", "align", "article_features", "max_links", "sentence_scores"]

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
    """Per-article inputs of sentence scoring, as flat arrays (one entry per distinct term of a sentence).

    ``term_rows[k]`` is the sentence of the k-th (sentence, content term) entry, ``term_ids[k]`` the term's
    stable 64-bit hash and ``term_weights[k]`` its IDF; ``token_rows``/``token_ids`` hold all distinct
    tokens (stopwords too) per sentence for the unweighted surface overlap; ``sentence_hashes[i]`` is a
    hash of sentence ``i``'s whole token sequence (equal sentences, up to case and punctuation, have
    equal hashes). Hashes instead of a shared vocabulary keep features computable on any worker.
    """

    article_id: str
    sentence_count: int
    term_rows: npt.NDArray[np.int64]
    term_ids: npt.NDArray[np.uint64]
    term_weights: npt.NDArray[np.float64]
    token_rows: npt.NDArray[np.int64]
    token_ids: npt.NDArray[np.uint64]
    sentence_hashes: npt.NDArray[np.uint64]
    quoted: npt.NDArray[np.float64]
    lengths: npt.NDArray[np.int64]


_QUOTE_MARKS = ('"', "“", "”", "„", "«", "»")


def article_features(article: Article, stats: TermStats) -> ArticleFeatures:
    """Features of ``article`` for :func:`sentence_scores`, with IDF weights from ``stats``."""
    sentences = article.sentences
    n = len(sentences)
    # Tokens outside every sentence (a text too short to hold one) have no row to count in.
    hashes, starts, ends = text_token_hashes(article.text) if n else text_token_hashes("")
    rows = sentence_of_tokens(article.text, sentences, starts)
    # Distinct (sentence, token) entries.
    entries = distinct_pairs(rows, hashes)
    token_rows, token_ids = rows[entries], hashes[entries]
    # Content terms: each distinct token of the article mapped once to its stemmed term.
    unique, first, inverse = np.unique(hashes, return_index=True, return_inverse=True)
    term, _ = LEXICON.lookup(unique, starts[first], ends[first], article.text)
    is_term = term >= 0
    term_hash = np.zeros(unique.size, dtype=np.uint64)
    term_hash[is_term] = LEXICON.term_hashes(term[is_term])
    weight = np.zeros(unique.size, dtype=np.float64)
    weight[is_term] = stats.idf_many(list(map(LEXICON.terms.__getitem__, term[is_term].tolist())))
    entry_unique = inverse.reshape(-1)[entries]
    content = is_term[entry_unique]
    term_rows = token_rows[content]
    term_ids = term_hash[entry_unique[content]]
    term_weights = weight[entry_unique[content]]
    # Two tokens stemming to one term in a sentence count once.
    distinct = distinct_pairs(term_rows, term_ids)
    term_rows, term_ids, term_weights = term_rows[distinct], term_ids[distinct], term_weights[distinct]
    # Whole-sentence hashes: position-weighted sums of token hashes, one per sentence.
    positions = np.arange(hashes.size) - np.searchsorted(rows, rows, side="left")
    sentence_hashes = np.zeros(n, dtype=np.uint64)
    if hashes.size:
        np.add.at(sentence_hashes, rows, hashes * position_multipliers(int(positions.max()) + 1)[positions])
    quoted = np.zeros(n, dtype=np.float64)
    if any(mark in article.text for mark in _QUOTE_MARKS):
        for row, sentence in enumerate(sentences):
            quoted_chars = sum(e - s for s, e in quote_spans(sentence.text))
            quoted[row] = quoted_chars / max(1, len(sentence.text))
    return ArticleFeatures(
        article_id=article.id,
        sentence_count=n,
        term_rows=term_rows.astype(np.int64),
        term_ids=term_ids.astype(np.uint64),
        term_weights=term_weights,
        token_rows=token_rows.astype(np.int64),
        token_ids=token_ids.astype(np.uint64),
        sentence_hashes=sentence_hashes,
        quoted=quoted,
        lengths=np.array([len(s.text) for s in sentences], dtype=np.int64),
    )


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
    rows_a: npt.NDArray[np.int64],
    ids_a: npt.NDArray[np.uint64],
    rows_b: npt.NDArray[np.int64],
    ids_b: npt.NDArray[np.uint64],
    weights_a: npt.NDArray[np.float64] | None = None,
    weights_b: npt.NDArray[np.float64] | None = None,
) -> npt.NDArray[np.float64]:
    """Weighted Dice overlap ``2·w(S∩T) / (w(S) + w(T))`` of every sentence pair (sets of hashed terms).

    Only terms present on both sides can overlap: B's distinct terms index the columns, A's entries are
    looked up among them, so no set intersection is computed; per-sentence totals come straight from the
    entry lists. Weights are A's (both sides weigh a term alike).
    """
    n, m = shape
    total_a = np.bincount(rows_a, weights=weights_a, minlength=n).astype(np.float64)
    total_b = np.bincount(rows_b, weights=weights_b, minlength=m).astype(np.float64)
    inter = np.zeros(shape)
    if ids_a.size and ids_b.size:
        columns, col_b = np.unique(ids_b, return_inverse=True)
        at = np.searchsorted(columns, ids_a)
        at[at == columns.size] = 0
        hit = columns[at] == ids_a
        if hit.any():
            a = np.zeros((n, columns.size))
            a[rows_a[hit], at[hit]] = 1.0 if weights_a is None else weights_a[hit]
            b = np.zeros((m, columns.size))
            b[rows_b, col_b.reshape(-1)] = 1.0
            inter = a @ b.T
    denom = total_a[:, None] + total_b[None, :]
    out: npt.NDArray[np.float64] = np.divide(2 * inter, denom, out=np.zeros_like(inter), where=denom > 0)
    return out


def sentence_scores(
    fa: ArticleFeatures,
    fb: ArticleFeatures,
    *,
    cosine: npt.NDArray[np.float64] | None = None,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """``(score, surface)`` matrices of shape ``(len(A sentences), len(B sentences))``.

    ``surface`` is the unweighted Dice overlap of all tokens (how verbatim a pair is); ``score`` is the
    IDF-weighted content-term Dice, raised by embedding cosine when given: the semantic part
    ``clip((cos − 0.55) / 0.4, 0, 1)`` counts only as far as the pair also shares content terms, so a
    same-topic sentence with different facts does not become a link.
    """
    shape = (fa.sentence_count, fb.sentence_count)
    surface = _dice(shape, fa.token_rows, fa.token_ids, fb.token_rows, fb.token_ids)
    return _content_scores(fa, fb, cosine=cosine), surface


def _content_scores(
    fa: ArticleFeatures, fb: ArticleFeatures, *, cosine: npt.NDArray[np.float64] | None
) -> npt.NDArray[np.float64]:
    lexical = _dice(
        (fa.sentence_count, fb.sentence_count),
        fa.term_rows,
        fa.term_ids,
        fb.term_rows,
        fb.term_ids,
        fa.term_weights,
        fb.term_weights,
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
) -> int:
    """An upper bound on the number of links :func:`align` can make: links are one-to-one and every
    link (in order, weak mutual-best or out of order) scores at least the weak-link minimum, so at most
    ``min(rows, columns)`` holding such a score. Costs one overlap matrix, a fraction of an alignment."""
    if not fa.sentence_count or not fb.sentence_count:
        return 0
    floor = min(_WEAK_MIN_SCORE, settings.link_min_score)
    possible = _content_scores(fa, fb, cosine=cosine) >= floor
    return int(min(possible.any(axis=1).sum(), possible.any(axis=0).sum()))


def _monotone_links(score: npt.NDArray[np.float64], threshold: float) -> list[tuple[int, int]]:
    """Monotone links maximising total gain. A cell may link when its score reaches ``threshold``, or
    when it reaches ``_WEAK_MIN_SCORE`` and is the best cell of both its row and its column: a heavy
    paraphrase keeps few words per sentence, but its sentences still pair up one-to-one in order."""
    n, m = score.shape
    mutual = (score == score.max(axis=1, keepdims=True)) & (score == score.max(axis=0, keepdims=True))
    allowed = (score >= threshold) | (mutual & (score >= _WEAK_MIN_SCORE))
    gain = np.where(allowed, score - _WEAK_MIN_SCORE + 1e-6, -np.inf)
    dp = np.zeros((n + 1, m + 1))
    for i in range(1, n + 1):
        candidate = np.maximum(dp[i - 1, 1:], dp[i - 1, :-1] + gain[i - 1])
        dp[i, 1:] = np.maximum.accumulate(np.concatenate(([dp[i, 0]], candidate)))[1:]
    links: list[tuple[int, int]] = []
    i, j = n, m
    while i > 0 and j > 0:
        if dp[i, j] == dp[i, j - 1]:
            j -= 1
        elif dp[i, j] == dp[i - 1, j]:
            i -= 1
        else:
            links.append((i - 1, j - 1))
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
) -> Alignment:
    """Align the sentences of ``a`` and ``b`` (features ``fa``/``fb`` made by :func:`article_features`)."""
    if not a.sentences or not b.sentences:
        return Alignment(a.id, b.id, (), 0.0, 0.0, 0.0, 0.0, 0, 1.0)
    score, surface = sentence_scores(fa, fb, cosine=cosine)
    pairs = _monotone_links(score, settings.link_min_score)
    in_order = len(pairs)
    used_a = {i for i, _ in pairs}
    used_b = {j for _, j in pairs}
    strong = np.argwhere(score >= max(_REORDER_MIN_SCORE, settings.link_min_score))
    extra = sorted(((float(score[i, j]), int(i), int(j)) for i, j in strong), reverse=True)
    for _, i, j in extra:
        if i not in used_a and j not in used_b:
            pairs.append((i, j))
            used_a.add(i)
            used_b.add(j)
    pairs.sort()
    links = []
    for i, j in pairs:
        sa, sb = a.sentences[i], b.sentences[j]
        surf = float(surface[i, j])
        if surf >= settings.verbatim_min_score:
            kind = LinkType.VERBATIM
        elif surf >= settings.edited_min_score:
            kind = LinkType.EDITED
        else:
            kind = LinkType.PARAPHRASE
        quote_only = bool(min(fa.quoted[i], fb.quoted[j]) >= _QUOTE_ONLY_FRACTION) and not _same_attribution(
            sa.text, sb.text
        )
        links.append(
            Link(i, j, (sa.start, sa.end), (sb.start, sb.end), round(float(score[i, j]), 4), kind, quote_only)
        )
    total_a = int(fa.lengths.sum()) or 1
    total_b = int(fb.lengths.sum()) or 1
    cov_a = sum(int(fa.lengths[lk.a]) for lk in links) / total_a
    cov_b = sum(int(fb.lengths[lk.b]) for lk in links) / total_b
    q_a = sum(int(fa.lengths[lk.a]) for lk in links if lk.quote_only) / total_a
    q_b = sum(int(fb.lengths[lk.b]) for lk in links if lk.quote_only) / total_b
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
