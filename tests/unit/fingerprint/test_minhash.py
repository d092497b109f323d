"""MinHash over word shingles, signatures and term statistics."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from typing import Any

import numpy as np
import pytest

from newstrace import Article, Settings
from newstrace.fingerprint import Fingerprinter, TermStats, minhash, shingle_hashes
from newstrace.records import Signature

NUM_PERM = Settings().fingerprint.num_perm


def _random_sets(rng: np.random.Generator, jaccard: float, size: int = 400) -> tuple[np.ndarray, np.ndarray]:
    """Two sets of random 64-bit hashes whose true Jaccard similarity is close to ``jaccard``."""
    shared = round(2 * size * jaccard / (1 + jaccard))
    pool = rng.integers(0, 2**64 - 1, size=2 * size, dtype=np.uint64, endpoint=True)
    pool = np.unique(pool)
    common, rest = pool[:shared], pool[shared:]
    a = np.concatenate([common, rest[: size - shared]])
    b = np.concatenate([common, rest[size - shared : 2 * (size - shared)]])
    return a, b


def _true_jaccard(a: np.ndarray, b: np.ndarray) -> float:
    sa, sb = set(a.tolist()), set(b.tolist())
    return len(sa & sb) / len(sa | sb)


def _estimate(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.mean(minhash(a, num_perm=NUM_PERM) == minhash(b, num_perm=NUM_PERM)))


def test_identical_sets_have_identical_minhash_whatever_the_order_or_repeats() -> None:
    rng = np.random.default_rng(1)
    values = rng.integers(0, 2**63, size=300, dtype=np.uint64)
    first = minhash(values, num_perm=NUM_PERM)
    again = minhash(np.concatenate([values[::-1], values[:50]]), num_perm=NUM_PERM)
    assert first.dtype == np.uint32
    assert first.shape == (NUM_PERM,)
    assert np.array_equal(first, again)


def test_empty_set_has_the_empty_signature() -> None:
    empty = minhash(np.zeros(0, dtype=np.uint64), num_perm=16)
    assert np.array_equal(empty, np.full(16, 0xFFFFFFFF, dtype=np.uint32))


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("jaccard", [0.1, 0.3, 0.5, 0.7, 0.9])
def test_estimated_jaccard_is_close_to_the_true_value(seed: int, jaccard: float) -> None:
    a, b = _random_sets(np.random.default_rng(seed * 10 + int(jaccard * 10)), jaccard)
    assert abs(_estimate(a, b) - _true_jaccard(a, b)) <= 0.15


def test_disjoint_sets_rarely_agree() -> None:
    rng = np.random.default_rng(5)
    a, b = _random_sets(rng, 0.0)
    assert _true_jaccard(a, b) == 0.0
    assert _estimate(a, b) <= 0.15


def test_shingles_depend_on_word_order_and_size() -> None:
    words = ["kuleba", "urges", "china", "to", "play", "a", "constructive", "role"]
    forward = shingle_hashes(words, size=3)
    assert forward.shape == (len(words) - 2,)
    assert not np.array_equal(forward, shingle_hashes(words[::-1], size=3)[::-1])
    assert np.array_equal(forward, shingle_hashes(list(words), size=3))
    assert shingle_hashes(["one", "two"], size=5).shape == (1,)  # fewer tokens than the size: one gram
    assert shingle_hashes([], size=5).shape == (0,)


def test_jaccard_of_shingled_texts(textgen: Any) -> None:
    gen = textgen(11)
    words = " ".join(gen.sentences(30)).lower().replace(".", "").split()
    edited = list(words)
    for i in range(0, len(edited), 25):  # one word in 25 replaced
        edited[i] = gen.word()
    a = np.unique(shingle_hashes(words, size=5))
    b = np.unique(shingle_hashes(edited, size=5))
    assert abs(_estimate(a, b) - _true_jaccard(a, b)) <= 0.15


def _article(text: str, article_id: str = "x") -> Article:
    from newstrace.clean import Cleaner

    return Cleaner(Settings().clean).clean(Article(id=article_id, raw=text))


def test_signature_of_a_copy_equals_the_original(textgen: Any) -> None:
    gen = textgen(2)
    text = gen.article(gen.sentences(9))
    fingerprinter = Fingerprinter(Settings().fingerprint, algorithm="test-v1")
    a = fingerprinter.signature(_article(text, "a"))
    b = fingerprinter.signature(_article(text, "b"))
    assert np.array_equal(a.minhash, b.minhash)
    assert a.terms == b.terms
    assert (a.article_id, b.article_id, a.algorithm) == ("a", "b", "test-v1")
    assert a.terms and all(t == t.lower() for t in a.terms)


def test_signature_is_the_same_in_another_process(textgen: Any) -> None:
    gen = textgen(4)
    text = gen.article(gen.sentences(6))
    fingerprinter = Fingerprinter(Settings().fingerprint, algorithm="a")
    here = fingerprinter.signature(Article(id="x", text=text)).minhash.tolist()
    code = (
        "import sys\n"
        "from newstrace import Article, Settings\n"
        "from newstrace.fingerprint import Fingerprinter\n"
        "f = Fingerprinter(Settings().fingerprint, algorithm='a')\n"
        "print(f.signature(Article(id='x', text=sys.stdin.read())).minhash.tolist())\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": "777"}
    done = subprocess.run(
        [sys.executable, "-c", code], input=text, capture_output=True, text=True, check=True, env=env
    )
    assert done.stdout.strip() == str(here)


def test_term_stats_merge_and_idf() -> None:
    left, right = TermStats(), TermStats()
    left.add({"troop", "border"})
    left.add({"troop"})
    right.add({"troop", "kuleba"})
    merged = left + right
    assert merged.docs == 3
    assert merged.df == {"troop": 3, "border": 1, "kuleba": 1}
    assert merged.idf("troop") == pytest.approx(1.0)
    assert merged.idf("kuleba") > merged.idf("troop")
    assert merged.idf("never-seen") > merged.idf("kuleba")
    assert left.docs == 2  # merging makes a new value


def test_token_hashes_split_words_like_a_reader() -> None:
    from newstrace.fingerprint._minhash import text_token_hashes

    hashes, starts, ends = text_token_hashes("Kuleba’s “visit” — to Kyiv… in 2024")
    again, _, _ = text_token_hashes('KULEBA\'S "visit" - to kyiv... in 2024')
    # Case, curly quotes, dashes and ellipses do not change the words.
    assert hashes.tolist() == again.tolist()
    assert len(hashes) == 7  # kuleba s visit to kyiv in 2024
    assert (ends > starts).all()
    other, _, _ = text_token_hashes("Київ Київ київ")
    assert other[0] == other[1] == other[2]  # non-ASCII words, lowercased
    assert text_token_hashes("")[0].size == 0
    assert text_token_hashes("… — “ ”")[0].size == 0


def test_sparse_sets_fill_every_bin_deterministically() -> None:
    few = np.array([1, 2, 3], dtype=np.uint64)
    signature = minhash(few, num_perm=NUM_PERM)
    # Empty bins borrow from their neighbours (densification), so no bin holds the empty marker ...
    assert (signature != 0xFFFFFFFF).all()
    # ... and equal sets stay equal, while a different set differs in most bins.
    assert np.array_equal(signature, minhash(few[::-1], num_perm=NUM_PERM))
    other = minhash(np.array([4, 5, 6], dtype=np.uint64), num_perm=NUM_PERM)
    assert np.mean(signature == other) < 0.2


def test_many_texts_at_once_equal_one_at_a_time(textgen: Any) -> None:
    gen = textgen(9)
    texts = [gen.article(gen.sentences(n)) for n in (1, 3, 12)]
    texts += ["", "two words", "Київ “Kyiv” — one, two, three, four, five six"]
    fingerprinter = Fingerprinter(Settings().fingerprint, algorithm="a")
    together = fingerprinter.document_minhashes(texts)
    assert together.shape == (len(texts), NUM_PERM)
    for row, text in zip(together, texts, strict=True):
        assert np.array_equal(row, fingerprinter.document_minhash(text))
    # Shingles never span two texts: a text's row does not depend on its neighbours.
    assert np.array_equal(fingerprinter.document_minhashes(texts[::-1])[::-1], together)


def _same_signature(x: Any, y: Any) -> bool:
    return bool(
        x.article_id == y.article_id
        and x.algorithm == y.algorithm
        and x.published == y.published
        and x.terms == y.terms
        and x.minhash.dtype == y.minhash.dtype
        and np.array_equal(x.minhash, y.minhash)
        and x.sentence_keys.dtype == y.sentence_keys.dtype
        and np.array_equal(x.sentence_keys, y.sentence_keys)
        and x.term_hashes.dtype == y.term_hashes.dtype
        and np.array_equal(x.term_hashes, y.term_hashes)
    )


def test_signatures_of_a_batch_equal_one_article_at_a_time(textgen: Any) -> None:
    gen = textgen(11)
    texts = [gen.article(gen.sentences(n)) for n in (1, 2, 5, 12, 30)]
    texts += [
        "",
        "two words",
        "   ...   ",
        "Один два три четыре пять шесть семь. Вісім дев'ять десять одинадцять дванадцять тринадцять.",
        "ÉCOLE naïve café — “quoted” words here and there, in Zürich. Another long sentence follows here now!",
        "Emoji 😀 sit inside a long sentence of words here. A second sentence has a few more words.",
    ]
    articles = [_article(text, f"a{n}") for n, text in enumerate(texts)]
    # Texts the cleaner would never give: sentence-less but worded, and shorter than a shingle.
    articles += [Article(id="bare", text="one two three four five six seven eight nine ten")]
    fingerprinter = Fingerprinter(Settings().fingerprint, algorithm="a")
    one_by_one = [fingerprinter.signature(a) for a in articles]
    assert all(s.terms for s in one_by_one[:5])  # the generated articles do have terms and keys
    assert all(s.sentence_keys.size for s in one_by_one[2:5])
    for order in (articles, articles[::-1], articles[3:] + articles[:3]):
        batch = fingerprinter.signatures(order)
        expected = {s.article_id: s for s in one_by_one}
        assert [s.article_id for s in batch] == [a.id for a in order]
        assert all(_same_signature(s, expected[s.article_id]) for s in batch)
        # The packed signatures a worker sends arrive as the same signatures, or unpack to them.
        packed = fingerprinter.packed_signatures(order)
        arrived = pickle.loads(pickle.dumps(packed))
        assert all(type(s) is Signature for s in arrived)
        for rebuilt in (arrived, [p.unpack() for p in packed]):
            assert [s.article_id for s in rebuilt] == [a.id for a in order]
            assert all(_same_signature(s, expected[s.article_id]) for s in rebuilt)
    assert fingerprinter.signatures([]) == []
    assert fingerprinter.packed_signatures([]) == []


def test_distinct_pairs_keeps_the_first_of_each_pair_in_sorted_order() -> None:
    from newstrace.fingerprint._minhash import distinct_pairs

    major = np.array([2, 1, 2, 1, 1, 2], dtype=np.int64)
    minor = np.array([5, 9, 5, 3, 9, 4], dtype=np.uint64)
    assert distinct_pairs(major, minor).tolist() == [3, 1, 5, 0]
    assert distinct_pairs(major[:0], minor[:0]).tolist() == []
    assert distinct_pairs(major[:1], minor[:1]).tolist() == [0]


@pytest.mark.parametrize("seed", range(6))
def test_fast_sorts_equal_numpys_stable_ones(seed: int) -> None:
    """pair_order, stable_order and unique_first_inverse give exactly what lexsort, a stable argsort and
    np.unique give, ties included (few distinct values, so most entries tie)."""
    from newstrace.fingerprint._minhash import pair_order, stable_order, unique_first_inverse

    rng = np.random.default_rng(seed)
    for size in (0, 1, 2, 3, 50, 3000):
        major = rng.integers(0, 1 + seed * 7, size=size).astype(np.intp)
        pool = rng.integers(0, 2**64 - 1, size=max(1, size // 5), dtype=np.uint64, endpoint=True)
        minor = pool[rng.integers(0, pool.size, size=size)] if size else pool[:0]
        assert pair_order(major, minor).tolist() == np.lexsort((minor, major)).tolist()
        keys = rng.integers(0, 1 + size // 3, size=size).astype(np.int64)
        assert stable_order(keys).tolist() == np.argsort(keys, kind="stable").tolist()
        unique, first, inverse = unique_first_inverse(minor)
        expected = np.unique(minor, return_index=True, return_inverse=True)
        assert unique.tolist() == expected[0].tolist()
        assert first.tolist() == expected[1].tolist()
        assert inverse.tolist() == expected[2].reshape(-1).tolist()


def test_fast_sorts_fall_back_where_one_key_would_overflow() -> None:
    from newstrace.fingerprint._minhash import pair_order, stable_order

    major = np.array([2**61, 0, 2**61, 5], dtype=np.int64)
    minor = np.array([7, 7, 3, 2**63], dtype=np.uint64)
    assert pair_order(major, minor).tolist() == np.lexsort((minor, major)).tolist()
    keys = np.array([2**62, 3, 2**62, 0], dtype=np.int64)
    assert stable_order(keys).tolist() == np.argsort(keys, kind="stable").tolist()
    negative = np.array([-1, 0, -1], dtype=np.int64)
    assert stable_order(negative).tolist() == [0, 2, 1]
    assert pair_order(negative, minor[:3]).tolist() == np.lexsort((minor[:3], negative)).tolist()


def test_token_hash_array_equals_token_hash_one_by_one() -> None:
    from newstrace.fingerprint._minhash import token_hash, token_hash_array

    tokens = ["troop", "", "élan", "東京", "x" * 300, "troop"]
    found = token_hash_array(tokens)
    assert found.dtype == np.uint64 and found.flags.writeable
    assert found.tolist() == [token_hash(t) for t in tokens]
    assert token_hash_array([]).tolist() == []


@pytest.mark.parametrize("size", [0, 1, 2, 3, 4095, 4096, 4097, 70_001])
def test_powers_by_doubling_equal_the_running_product(size: int) -> None:
    from newstrace.fingerprint._minhash import _P, _P_INV, powers_of

    for base in (_P, _P_INV):
        steps = np.full(max(size, 1), base, dtype=np.uint64)
        steps[0] = 1
        expected = np.multiply.accumulate(steps, dtype=np.uint64)[:size]
        found = powers_of(base, size)
        assert found.dtype == np.uint64 and found.shape == (size,)
        assert np.array_equal(found, expected)
