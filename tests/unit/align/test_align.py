"""Sentence alignment: copies align in order, spun copies still align i to i, reordered copies are found,
unrelated texts do not align, and link spans are sentence offsets."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from newstrace import Article, LinkType, Settings
from newstrace.align import align, article_features, sentence_scores
from newstrace.clean import Cleaner
from newstrace.fingerprint import Fingerprinter, TermStats
from newstrace.records import Alignment

ALIGN = Settings().align


def _clean(text: str, article_id: str) -> Article:
    return Cleaner(Settings().clean).clean(Article(id=article_id, raw=text))


def _align(a: Article, b: Article, stats: TermStats | None = None) -> Alignment:
    stats = stats or TermStats()
    return align(a, b, article_features(a, stats), article_features(b, stats), settings=ALIGN)


def _check_spans(alignment: Alignment, a: Article, b: Article) -> None:
    for link in alignment.links:
        assert a.text[link.a_span[0] : link.a_span[1]] == a.sentences[link.a].text
        assert b.text[link.b_span[0] : link.b_span[1]] == b.sentences[link.b].text
        assert 0.0 <= link.score <= 1.0
    assert len({lk.a for lk in alignment.links}) == len(alignment.links)  # one link per sentence
    assert len({lk.b for lk in alignment.links}) == len(alignment.links)


def test_identical_articles_align_verbatim_with_full_coverage(textgen: Any) -> None:
    gen = textgen(31)
    text = gen.article(gen.sentences(9))
    a, b = _clean(text, "a"), _clean(text, "b")
    alignment = _align(a, b)
    assert [(lk.a, lk.b) for lk in alignment.links] == [(i, i) for i in range(9)]
    assert all(lk.type is LinkType.VERBATIM and lk.score == 1.0 for lk in alignment.links)
    assert alignment.coverage_a == alignment.coverage_b == 1.0
    assert alignment.longest_run == 9
    assert alignment.in_order == 1.0
    _check_spans(alignment, a, b)


def test_synonym_swap_still_aligns_sentence_i_to_i(textgen: Any) -> None:
    gen = textgen(32)
    sentences = gen.sentences(12)
    spun = gen.synonyms(sentences, rate=0.3)
    assert sum(x != y for x, y in zip(sentences, spun, strict=True)) >= 10  # most sentences really changed
    a, b = _clean(gen.article(sentences), "a"), _clean(gen.article(spun, per_paragraph=2), "b")
    alignment = _align(a, b)
    assert [(lk.a, lk.b) for lk in alignment.links] == [(i, i) for i in range(12)]
    assert all(
        lk.type is not LinkType.VERBATIM
        for lk, x, y in zip(alignment.links, sentences, spun, strict=True)
        if x != y
    )
    _check_spans(alignment, a, b)


def test_reordered_paragraphs_are_linked_out_of_order(textgen: Any) -> None:
    gen = textgen(33)
    sentences = gen.sentences(9)
    reordered = sentences[6:] + sentences[:6]
    a, b = _clean(gen.article(sentences), "a"), _clean(gen.article(reordered), "b")
    alignment = _align(a, b)
    assert sorted((lk.a, lk.b) for lk in alignment.links) == sorted((i, (i - 6) % 9) for i in range(9))
    assert alignment.in_order < 1.0
    assert alignment.coverage_a == 1.0
    _check_spans(alignment, a, b)


def test_unrelated_articles_do_not_align(textgen: Any) -> None:
    gen = textgen(34)
    a = _clean(gen.article(gen.sentences(10)), "a")
    b = _clean(gen.article(gen.sentences(10)), "b")
    alignment = _align(a, b)
    assert alignment.links == ()
    assert alignment.coverage_a == alignment.coverage_b == 0.0


def test_a_copied_block_is_aligned_and_the_rest_is_not(textgen: Any) -> None:
    gen = textgen(35)
    source = gen.sentences(12)
    own = gen.sentences(8)
    copy = own[:4] + source[3:7] + own[4:]
    a, b = _clean(gen.article(source), "a"), _clean(gen.article(copy, per_paragraph=4), "b")
    alignment = _align(a, b)
    assert [(lk.a, lk.b) for lk in alignment.links] == [(3, 4), (4, 5), (5, 6), (6, 7)]
    assert alignment.longest_run == 4
    total_b = sum(len(s.text) for s in b.sentences)
    assert abs(alignment.coverage_b - sum(len(s) for s in source[3:7]) / total_b) < 1e-9


def test_shared_quotation_links_are_marked_quote_only(textgen: Any) -> None:
    gen = textgen(36)
    quote = gen.quote("Qalora")
    a = _clean(gen.article([*gen.sentences(4), quote, *gen.sentences(4)]), "a")
    b = _clean(gen.article([*gen.sentences(3), quote, *gen.sentences(5)]), "b")
    alignment = _align(a, b)
    assert [(lk.a, lk.b, lk.quote_only) for lk in alignment.links] == [(4, 3, True)]
    assert alignment.quote_coverage_a == alignment.coverage_a > 0


def test_a_quotation_copied_with_its_attribution_is_copying_not_quoting(textgen: Any) -> None:
    gen = textgen(37)
    statement = " ".join(gen.word() for _ in range(14)).capitalize()
    copied = f"Qalora chief executive Brimwel Tosk said: \u201c{statement}.\u201d"
    retold = f"\u201c{statement},\u201d Tosk told reporters."
    a = _clean(gen.article([*gen.sentences(3), copied, *gen.sentences(3)]), "a")
    b = _clean(gen.article([*gen.sentences(2), copied, *gen.sentences(4)]), "b")
    c = _clean(gen.article([*gen.sentences(2), retold, *gen.sentences(4)]), "c")
    # The same sentence, attribution and all: copied text, evidence of copying.
    assert [(lk.a, lk.b, lk.quote_only) for lk in _align(a, b).links] == [(3, 2, False)]
    # The same statement, attributed in other words: quoting, which independent coverage does too.
    assert [(lk.a, lk.b, lk.quote_only) for lk in _align(a, c).links] == [(3, 2, True)]


def test_an_empty_article_gives_an_empty_alignment(textgen: Any) -> None:
    gen = textgen(37)
    a = _clean(gen.article(gen.sentences(3)), "a")
    empty = _clean("", "e")
    alignment = _align(a, empty)
    assert (alignment.links, alignment.coverage_a, alignment.coverage_b) == ((), 0.0, 0.0)


def test_embedding_similarity_needs_shared_terms(textgen: Any) -> None:
    """A high cosine alone (same topic, different facts) does not raise a score without shared words."""
    gen = textgen(38)
    a = _clean(gen.article(gen.sentences(4)), "a")
    b = _clean(gen.article(gen.sentences(4)), "b")
    fa, fb = article_features(a, TermStats()), article_features(b, TermStats())
    cosine = np.full((4, 4), 0.99)
    lexical, _ = sentence_scores(fa, fb)
    with_cosine, _ = sentence_scores(fa, fb, cosine=cosine)
    assert np.all(lexical == 0.0)
    assert np.array_equal(with_cosine, lexical)


def test_embedding_similarity_raises_a_weak_paraphrase(textgen: Any) -> None:
    gen = textgen(39)
    sentences = gen.sentences(4)
    a = _clean(gen.article(sentences), "a")
    b = _clean(gen.article(gen.synonyms(sentences, rate=0.7)), "b")
    fa, fb = article_features(a, TermStats()), article_features(b, TermStats())
    lexical, _ = sentence_scores(fa, fb)
    cosine = np.where(np.eye(4, dtype=bool), 0.95, 0.2)
    with_cosine, _ = sentence_scores(fa, fb, cosine=cosine)
    assert np.all(np.diag(with_cosine) > np.diag(lexical))
    off_diagonal = ~np.eye(4, dtype=bool)
    assert np.array_equal(with_cosine[off_diagonal], lexical[off_diagonal])


def test_idf_weights_make_rare_shared_words_count_more(textgen: Any) -> None:
    gen = textgen(40)
    common, rare = gen.word(), gen.word()
    a = _clean(f"{common.capitalize()} {rare} {gen.word()} {gen.word()}.", "a")
    b_common = _clean(f"{common.capitalize()} {gen.word()} {gen.word()} {gen.word()}.", "b")
    b_rare = _clean(f"{rare.capitalize()} {gen.word()} {gen.word()} {gen.word()}.", "c")
    stats = TermStats()
    for _ in range(50):
        stats.add({common})
    stats.add({rare})
    fa = article_features(a, stats)
    score_common, _ = sentence_scores(fa, article_features(b_common, stats))
    score_rare, _ = sentence_scores(fa, article_features(b_rare, stats))
    assert score_rare[0, 0] > score_common[0, 0] > 0


def test_texts_with_words_outside_any_sentence_align() -> None:
    """A text too short for a sentence, and a line of symbols before the first sentence, have tokens that
    belong to no sentence: features and alignment still work."""
    from newstrace import Engine

    engine = Engine(embeddings=False)
    relation, a, _ = engine.compare(Article(id="a", raw="a"), Article(id="b", raw="x y"))
    assert not a.sentences
    assert relation.alignment.links == ()
    text = "€€€\nThe minister said the plan would cost 10 million euros. He said it twice."
    relation, a, _ = engine.compare(Article(id="a", raw=text), Article(id="b", raw=text))
    assert len(a.sentences) == 2
    assert [(lk.a, lk.b) for lk in relation.alignment.links] == [(0, 0), (1, 1)]


def _reference_monotone_links(score: np.ndarray, threshold: float) -> list[tuple[int, int]]:
    """The plain dynamic programme over the whole grid, every cell, traced back the same way."""
    from newstrace.align import _WEAK_MIN_SCORE

    n, m = score.shape
    mutual = (score == score.max(axis=1, keepdims=True)) & (score == score.max(axis=0, keepdims=True))
    allowed = (score >= threshold) | (mutual & (score >= _WEAK_MIN_SCORE))
    gain = np.where(allowed, score - _WEAK_MIN_SCORE + 1e-6, -np.inf)
    dp = np.zeros((n + 1, m + 1))
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            dp[i, j] = max(dp[i - 1, j], dp[i, j - 1], dp[i - 1, j - 1] + gain[i - 1, j - 1])
    links, i, j = [], n, m
    while i > 0 and j > 0:
        if dp[i, j] == dp[i, j - 1]:
            j -= 1
        elif dp[i, j] == dp[i - 1, j]:
            i -= 1
        else:
            links.append((i - 1, j - 1))
            i, j = i - 1, j - 1
    return links[::-1]


def test_monotone_links_over_active_rows_and_columns_equal_the_whole_grid() -> None:
    """Leaving out rows and columns without an allowed cell changes no link, ties included."""
    from newstrace.align import _monotone_links

    rng = np.random.default_rng(5)
    for trial in range(3000):
        n, m = int(rng.integers(1, 10)), int(rng.integers(1, 10))
        levels = int(rng.choice([2, 3, 5, 100]))  # coarse levels make many equal totals
        score = np.round(rng.random((n, m)) * levels) / levels
        if trial % 2:
            score = score * (rng.random((n, m)) < 0.3)
        if trial % 5 == 0:
            score = score[:, [0] * m] if trial % 10 else score[[0] * n, :]
        if trial % 7 == 0:  # a clean copy: one cell per row and column, in order (a shortcut's case)
            k = min(n, m)
            score = np.zeros((n, m))
            score[np.arange(k), np.sort(rng.choice(m, size=k, replace=False))] = rng.random(k)
        # A threshold under the weak-link minimum allows cells that lose: they are never linked.
        threshold = float(rng.choice([0.1, 0.2, 0.35, 0.5]))
        assert _monotone_links(score, threshold) == _reference_monotone_links(score, threshold)


def test_monotone_links_of_larger_sparse_and_dense_grids_equal_the_whole_grid() -> None:
    """Article-sized grids: a few allowed cells per row (copies) up to every cell (a dense paraphrase),
    with coarse score levels for ties; the row-by-row totals give the whole grid's links."""
    from newstrace.align import _monotone_links

    rng = np.random.default_rng(9)
    for _ in range(300):
        n, m = int(rng.integers(10, 36)), int(rng.integers(10, 36))
        levels = int(rng.choice([3, 7, 1000]))
        score = np.round(rng.random((n, m)) * levels) / levels
        score = score * (rng.random((n, m)) < rng.choice([0.05, 0.2, 1.0]))
        threshold = float(rng.choice([0.2, 0.42]))
        assert _monotone_links(score, threshold) == _reference_monotone_links(score, threshold)


def test_overlap_matrices_equal_set_arithmetic(textgen: Any) -> None:
    """Weighted and unweighted Dice of every sentence pair, from the feature arrays, equal the Dice of
    the sentences' term and token sets computed directly."""
    from newstrace.fingerprint import LEXICON

    gen = textgen(77)
    shared = gen.sentences(4)
    a = _clean(gen.article([*shared[:2], *gen.sentences(2), *shared[2:]]), "a")
    b = _clean(gen.article([*gen.synonyms(shared, rate=0.3), *gen.sentences(3)]), "b")
    stats = TermStats()
    for article in (a, b, _clean(gen.article(shared[:1]), "c")):
        stats.add(Fingerprinter(Settings().fingerprint, algorithm="t").signature(article).terms)
    fa, fb = article_features(a, stats), article_features(b, stats)
    score, surface = sentence_scores(fa, fb)

    def sets(f: Any, kind: str) -> list[dict[int, float]]:
        rows, columns, column_of = (getattr(f, f"{kind}_{x}") for x in ("rows", "columns", "column_of"))
        weights = f.term_idf if kind == "term" else np.ones(columns.size)
        out: list[dict[int, float]] = [{} for _ in range(f.sentence_count)]
        for row, column in zip(rows.tolist(), column_of.tolist(), strict=True):
            out[row][int(columns[column])] = float(weights[column])
        return out

    for kind, matrix in (("term", score), ("token", surface)):
        sa, sb = sets(fa, kind), sets(fb, kind)
        for i, x in enumerate(sa):
            for j, y in enumerate(sb):
                shared_weight = sum(w for h, w in x.items() if h in y)
                total = sum(x.values()) + sum(y.values())
                expected = 2 * shared_weight / total if total else 0.0
                if kind == "term" and fa.sentence_hashes[i] == fb.sentence_hashes[j]:
                    expected = 1.0
                assert matrix[i, j] == pytest.approx(expected, abs=1e-12)
    assert (score > 0.5).sum() >= 2  # the shared sentences do overlap
    assert LEXICON.terms  # terms were looked up through the lexicon


def test_features_of_a_batch_equal_one_article_at_a_time(textgen: Any) -> None:
    """Batched features (texts joined, sentences numbered across the batch) equal the one-article path,
    field for field and dtype for dtype, whatever the batch order, with non-ASCII, quoted, short and
    sentence-less texts among them."""
    from newstrace.align import article_features_many

    gen = textgen(91)
    shared = gen.sentences(5)
    raws = [gen.article([*shared[: 1 + n % 5], *gen.sentences(1 + n % 4)]) for n in range(12)]
    raws += [
        "",
        "a",
        "\u20ac\u20ac\u20ac\nThe minister said \u201cit twice\u201d in Z\u00fcrich. He said it \u1e9etra\u00dfe again.",
        "\u00c9COLE na\u00efve caf\u00e9 \u2014 \u201cquoted\u201d words here. Emoji \U0001f600 sit inside. A second one.",
        "\u041e\u0434\u0438\u043d \u0434\u0432\u0430 \u0442\u0440\u0438. \u0412\u0456\u0441\u0456\u043c \u0434\u0435\u0432.",
    ]
    articles = [_clean(raw, f"a{n:02d}") for n, raw in enumerate(raws)]
    stats = TermStats()
    for article in articles:
        stats.add(Fingerprinter(Settings().fingerprint, algorithm="t").signature(article).terms)
    one_by_one = {a.id: article_features(a, stats) for a in articles}
    assert sum(1 for a in articles if not a.sentences) >= 1
    for order in (articles, articles[::-1], articles[5:] + articles[:5]):
        batch = article_features_many(order, stats)
        assert [f.article_id for f in batch] == [a.id for a in order]
        for features in batch:
            expected = one_by_one[features.article_id]
            for name in expected.__slots__:
                value, wanted = getattr(features, name), getattr(expected, name)
                if isinstance(wanted, np.ndarray):
                    assert value.dtype == wanted.dtype, name
                    assert np.array_equal(value, wanted), name
                else:
                    assert value == wanted, name
    assert article_features_many([], stats) == []


def _random_entries(
    rng: np.random.Generator, sentences: int, pool: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(rows, columns, column_of)`` in the :class:`ArticleFeatures` layout: distinct (sentence, column)
    entries sorted by sentence then column, over distinct terms drawn from ``pool``; some sentences
    empty."""
    columns = np.unique(rng.choice(pool, size=int(rng.integers(0, pool.size + 1)), replace=False))
    grid = rng.random((sentences, columns.size)) < rng.choice([0.05, 0.3, 0.9])
    grid[rng.random(sentences) < 0.2] = False
    rows, column_of = np.nonzero(grid)
    return rows.astype(np.int32), columns.astype(np.uint64), column_of.astype(np.int32)


def test_dice_at_cells_equals_the_whole_matrix_there() -> None:
    """The unweighted overlap made at one-to-one cells alone is the whole matrix's value at each cell,
    bit for bit: shared and disjoint vocabularies, empty sentences (a zero denominator), no terms."""
    from newstrace.align import _dice, _dice_at

    rng = np.random.default_rng(13)
    for _ in range(2000):
        n, m = int(rng.integers(1, 25)), int(rng.integers(1, 25))
        pool = rng.integers(0, 2**64, size=int(rng.integers(1, 60)), dtype=np.uint64)
        a, b = _random_entries(rng, n, pool), _random_entries(rng, m, pool)
        k = int(rng.integers(0, min(n, m) + 1))
        cells_a = np.sort(rng.choice(n, size=k, replace=False)).astype(np.intp)
        cells_b = rng.choice(m, size=k, replace=False).astype(np.intp)
        expected = _dice((n, m), a, b)[cells_a, cells_b].tolist()
        assert _dice_at((n, m), a, b, cells_a, cells_b) == expected


def test_distinct_per_group_equals_the_two_key_order() -> None:
    """The one-key sort gives what the stable (group, value) order gives: numbers, distinct values, first
    items and bounds, with values sharing their high bits in a group (the exact order's case), empty
    groups and a single item."""
    from newstrace.align import _distinct_per_group

    rng = np.random.default_rng(17)
    for trial in range(500):
        groups = int(rng.integers(1, 140))
        n = int(rng.integers(1, 400))
        group = np.sort(rng.integers(0, groups, size=n)).astype(np.intp)
        pool = rng.integers(0, 2**64, size=int(rng.integers(1, 50)), dtype=np.uint64)
        if trial % 3 == 0:  # neighbours in the low bits: equal keys for distinct values
            pool = np.concatenate([pool, pool ^ np.uint64(1)])
        values = pool[rng.integers(0, pool.size, size=n)]
        order = np.lexsort((values, group))
        new = np.ones(n, dtype=bool)
        new[1:] = (group[order][1:] != group[order][:-1]) | (values[order][1:] != values[order][:-1])
        number = np.empty(n, dtype=np.int64)
        number[order] = np.cumsum(new) - 1
        bounds = np.searchsorted(group[order][new], np.arange(groups + 1))
        got = _distinct_per_group(group, values, groups)
        for value, wanted in zip(got, (number, values[order][new], order[new], bounds), strict=True):
            assert np.array_equal(value, wanted)
