"""The align stage: sentence-to-sentence alignment of two articles, preferring monotone order.

Sentence score (in [0, 1]): IDF-weighted Dice overlap of stemmed content terms; with embeddings, the
score also credits semantic similarity (see :func:`sentence_scores`). A monotone dynamic programme picks
the links that maximise ``Σ (score − link_min_score)`` — a rewrite keeps its original's order — and
unmatched sentences with a strong score are then linked out of order (reordered copies).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from newstrace._text import STOPWORDS, normalize, quote_spans, stem, word_tokens
from newstrace.fingerprint import TermStats
from newstrace.records import Alignment, Article, Link, LinkType
from newstrace.settings import AlignSettings

__all__ = ["ArticleFeatures", "SentenceFeatures", "align", "article_features", "sentence_scores"]

# Out-of-order links need a clearly stronger score than in-order ones.
_REORDER_MIN_SCORE = 0.62
_QUOTE_ONLY_FRACTION = 0.6
_WEAK_MIN_SCORE = 0.2


@dataclass(frozen=True, slots=True)
class SentenceFeatures:
    """Per-sentence inputs of scoring: content terms, all tokens, normalized text, quoted fraction."""

    terms: frozenset[str]
    tokens: frozenset[str]
    normalized: str
    quoted: float
    length: int


@dataclass(frozen=True, slots=True)
class ArticleFeatures:
    article_id: str
    sentences: tuple[SentenceFeatures, ...]


def article_features(article: Article) -> ArticleFeatures:
    feats = []
    for sentence in article.sentences:
        toks = [t for t, _, _ in word_tokens(sentence.text)]
        quoted_chars = sum(e - s for s, e in quote_spans(sentence.text))
        feats.append(
            SentenceFeatures(
                terms=frozenset(stem(t) for t in toks if t not in STOPWORDS and len(t) > 1),
                tokens=frozenset(toks),
                normalized=" ".join(toks),
                quoted=quoted_chars / max(1, len(sentence.text)),
                length=len(sentence.text),
            )
        )
    return ArticleFeatures(article.id, tuple(feats))


def _dice(
    left: Sequence[frozenset[str]], right: Sequence[frozenset[str]], weight: dict[str, float] | None
) -> npt.NDArray[np.float64]:
    vocab: dict[str, int] = {}
    for terms in (*left, *right):
        for t in terms:
            vocab.setdefault(t, len(vocab))
    if not vocab:
        return np.zeros((len(left), len(right)))
    w = np.ones(len(vocab))
    if weight is not None:
        for t, k in vocab.items():
            w[k] = weight[t]
    a = np.zeros((len(left), len(vocab)))
    b = np.zeros((len(right), len(vocab)))
    for i, terms in enumerate(left):
        a[i, [vocab[t] for t in terms]] = 1.0
    for j, terms in enumerate(right):
        b[j, [vocab[t] for t in terms]] = 1.0
    inter = (a * w) @ b.T
    wa = a @ w
    wb = b @ w
    denom = wa[:, None] + wb[None, :]
    return np.divide(2 * inter, denom, out=np.zeros_like(inter), where=denom > 0)


def sentence_scores(
    fa: ArticleFeatures,
    fb: ArticleFeatures,
    stats: TermStats,
    *,
    cosine: npt.NDArray[np.float64] | None = None,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """``(score, surface)`` matrices of shape ``(len(A sentences), len(B sentences))``.

    ``surface`` is the unweighted Dice overlap of all tokens (how verbatim a pair is); ``score`` is the
    IDF-weighted content-term Dice, raised by embedding cosine when given: the semantic part
    ``clip((cos − 0.55) / 0.4, 0, 1)`` counts only as far as the pair also shares content terms, so a
    same-topic sentence with different facts does not become a link.
    """
    left = [s.terms for s in fa.sentences]
    right = [s.terms for s in fb.sentences]
    weights = {t: stats.idf(t) for terms in (*left, *right) for t in terms}
    lexical = _dice(left, right, weights)
    surface = _dice([s.tokens for s in fa.sentences], [s.tokens for s in fb.sentences], None)
    for i, sa in enumerate(fa.sentences):
        for j, sb in enumerate(fb.sentences):
            if sa.normalized and sa.normalized == sb.normalized:
                surface[i, j] = lexical[i, j] = 1.0
    if cosine is None:
        return lexical, surface
    semantic = np.clip((cosine - 0.55) / 0.4, 0.0, 1.0)
    blended = 0.55 * semantic + 0.45 * lexical
    gate = np.clip(lexical / 0.15, 0.0, 1.0)
    return np.maximum(lexical, blended * gate), surface


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
    stats: TermStats,
    *,
    settings: AlignSettings,
    cosine: npt.NDArray[np.float64] | None = None,
) -> Alignment:
    """Align the sentences of ``a`` and ``b`` (features ``fa``/``fb`` made by :func:`article_features`)."""
    if not a.sentences or not b.sentences:
        return Alignment(a.id, b.id, (), 0.0, 0.0, 0.0, 0.0, 0, 1.0)
    score, surface = sentence_scores(fa, fb, stats, cosine=cosine)
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
        quote_only = min(fa.sentences[i].quoted, fb.sentences[j].quoted) >= _QUOTE_ONLY_FRACTION
        links.append(
            Link(i, j, (sa.start, sa.end), (sb.start, sb.end), round(float(score[i, j]), 4), kind, quote_only)
        )
    total_a = sum(s.length for s in fa.sentences) or 1
    total_b = sum(s.length for s in fb.sentences) or 1
    cov_a = sum(fa.sentences[lk.a].length for lk in links) / total_a
    cov_b = sum(fb.sentences[lk.b].length for lk in links) / total_b
    q_a = sum(fa.sentences[lk.a].length for lk in links if lk.quote_only) / total_a
    q_b = sum(fb.sentences[lk.b].length for lk in links if lk.quote_only) / total_b
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


def normalized_equal(x: str, y: str) -> bool:
    return normalize(x).split() == normalize(y).split()
