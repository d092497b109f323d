"""Candidate generation: LSH finds near-duplicates, anchors pair articles sharing rare names, and
unrelated articles do not all become pairs."""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Sequence
from typing import Any

import numpy as np

from newstrace import Article, Settings
from newstrace.candidates import (
    anchor_pairs,
    candidate_pairs,
    lsh_pairs,
    min_document_similarity,
    select_anchors,
)
from newstrace.cluster import UnionFind
from newstrace.fingerprint import Fingerprinter, TermStats
from newstrace.records import Signature

FP = Settings().fingerprint


def _signatures(texts: Sequence[str], ids: Sequence[str] | None = None) -> list[Signature]:
    fingerprinter = Fingerprinter(FP, algorithm="test")
    ids = ids or [f"d{i:04d}" for i in range(len(texts))]
    return [fingerprinter.signature(Article(id=i, text=t)) for i, t in zip(ids, texts, strict=True)]


def _near_copy(text: str, gen: Any, every: int = 20) -> str:
    """``text`` with one word in ``every`` replaced."""
    words = text.split(" ")
    for i in range(every // 2, len(words), every):
        words[i] = gen.word()
    return " ".join(words)


def test_lsh_finds_near_duplicates_among_unrelated_texts(textgen: Any) -> None:
    gen = textgen(21)
    texts = [gen.article(gen.sentences(10)) for _ in range(60)]
    copies = {0: 60, 5: 61, 17: 62}
    texts += [_near_copy(texts[i], gen) for i in copies]
    found = lsh_pairs(_signatures(texts), bands=FP.lsh_bands)
    assert {(i, j) for i, j in copies.items()} <= found
    assert found == {(i, j) for i, j in copies.items()}  # no unrelated text shares a band


def test_candidate_pairs_name_their_channels_and_are_sorted(textgen: Any) -> None:
    gen = textgen(22)
    names = [gen.name() for _ in range(6)]
    original = gen.article(gen.sentences(10))
    unrelated = [gen.article(gen.sentences(10)) for _ in range(30)]
    # Two independent texts about the same rare people and places: no shared wording at all.
    about_a = gen.article(gen.sentences(10, extra=names))
    about_b = gen.article(gen.sentences(10, extra=names))
    texts = [*unrelated, original, _near_copy(original, gen), about_a, about_b]
    ids = [f"u{i:02d}" for i in range(30)] + ["orig", "copy", "names-b", "names-a"]
    sigs = _signatures(texts, ids)
    stats = TermStats.from_signatures(sigs)
    # Names alone make these two look unalike as documents: the default pruning drops the pair ...
    assert ("names-a", "names-b") not in {(p.a, p.b) for p in candidate_pairs(sigs, stats, settings=FP)}
    # ... which without pruning the anchor channel proposes.
    unpruned = dataclasses.replace(FP, candidate_min_similarity=0.0, anchor_only_min_similarity=0.0)
    pairs = candidate_pairs(sigs, stats, settings=unpruned)
    by_ids = {(p.a, p.b): p.channels for p in pairs}
    assert "minhash" in by_ids[("copy", "orig")]
    assert by_ids[("names-a", "names-b")] == frozenset({"anchors"})
    assert all(p.a < p.b for p in pairs)
    assert [(p.a, p.b) for p in pairs] == sorted((p.a, p.b) for p in pairs)
    assert set(by_ids) == {("copy", "orig"), ("names-a", "names-b")}
    # Only the channels asked for run.
    only_lsh = candidate_pairs(sigs, stats, settings=FP, channels=("minhash",))
    assert [(p.a, p.b) for p in only_lsh] == [("copy", "orig")]
    only_anchors = candidate_pairs(sigs, stats, settings=unpruned, channels=("anchors",))
    assert ("names-a", "names-b") in {(p.a, p.b) for p in only_anchors}


def test_unrelated_random_texts_do_not_give_all_pairs(textgen: Any) -> None:
    # Words drawn from a 2,000-word vocabulary: unrelated texts share many words by chance.
    gen = textgen(23, vocab_size=2000)
    texts = [gen.article(gen.sentences(8)) for _ in range(150)]
    sigs = _signatures(texts)
    pairs = candidate_pairs(sigs, TermStats.from_signatures(sigs), settings=FP)
    all_pairs = len(texts) * (len(texts) - 1) // 2
    assert len(pairs) < 0.05 * all_pairs
    assert not any("minhash" in p.channels for p in pairs)  # no shared five-word shingles by chance


def test_many_identical_copies_stay_connected_without_all_pairs(textgen: Any) -> None:
    gen = textgen(24)
    text = gen.article(gen.sentences(6))
    n = 150
    sigs = _signatures([text] * n)
    found = lsh_pairs(sigs, bands=FP.lsh_bands, max_bucket=16)
    assert len(found) < n * (n - 1) // 2
    uf = UnionFind(str(i) for i in range(n))
    for i, j in found:
        uf.union(str(i), str(j))
    assert len(uf.groups()) == 1


def test_empty_articles_are_never_paired() -> None:
    sigs = _signatures(["", "", "   "])
    assert lsh_pairs(sigs, bands=FP.lsh_bands) == set()


def test_select_anchors_prefers_rare_terms_and_skips_unique_and_common_ones() -> None:
    stats = TermStats()
    for terms in ({"qorvi", "common", "unique"}, {"qorvi", "common"}, *({"common"} for _ in range(60))):
        stats.add(terms)
    settings = dataclasses.replace(FP, anchor_max_df=40)
    # df: qorvi 2, common 62 (> anchor_max_df), unique 1 (shared with nobody)
    assert select_anchors(frozenset({"qorvi", "common", "unique"}), stats, settings=settings) == ["qorvi"]


def _sig(article_id: str, terms: set[str]) -> Signature:
    return Signature(article_id, "test", np.full(FP.num_perm, 0xFFFFFFFF, dtype=np.uint32), frozenset(terms))


def test_anchor_pairs_count_shared_anchors() -> None:
    filler = [_sig(f"f{i}", {f"word{i}", f"other{i}"}) for i in range(20)]
    sigs = [
        _sig("a", {"qorvi", "zalta", "mikon", "alpha"}),
        _sig("b", {"qorvi", "zalta", "beta"}),
        _sig("c", {"mikon", "gamma"}),
        *filler,
    ]
    shared = anchor_pairs(sigs, TermStats.from_signatures(sigs), settings=FP)
    assert shared == {(0, 1): 2}  # a and c share only one anchor: below the floor of two


def test_candidates_do_not_depend_on_input_order(textgen: Any) -> None:
    gen = textgen(26)
    originals = [gen.article(gen.sentences(8)) for _ in range(10)]
    texts = originals + [_near_copy(t, gen) for t in originals[:4]]
    ids = [f"d{i:02d}" for i in range(len(texts))]
    sigs = _signatures(texts, ids)
    stats = TermStats.from_signatures(sigs)
    expected = candidate_pairs(sigs, stats, settings=FP)
    assert {(f"d{i:02d}", f"d{i + 10:02d}") for i in range(4)} <= {(p.a, p.b) for p in expected}
    for perm in itertools.islice(itertools.permutations(range(len(sigs))), 1, 40, 7):
        shuffled = [sigs[k] for k in perm]
        assert candidate_pairs(shuffled, stats, settings=FP) == expected


def test_minhash_rows_use_the_whole_signature() -> None:
    # A signature that differs only in its last values still shares the first bands.
    base = np.arange(FP.num_perm, dtype=np.uint32)
    other = base.copy()
    other[-1] += 1
    sigs = [Signature("a", "t", base, frozenset()), Signature("b", "t", other, frozenset())]
    assert lsh_pairs(sigs, bands=FP.lsh_bands) == {(0, 1)}
    different = [Signature("a", "t", base, frozenset()), Signature("b", "t", base + 1000, frozenset())]
    assert lsh_pairs(different, bands=FP.lsh_bands) == set()


def test_the_anchor_document_frequency_cap_is_absolute() -> None:
    stats = TermStats()
    for i in range(10):
        stats.add({"qorvi", f"own{i}"} if i < 4 else {f"own{i}"})
    # df(qorvi) = 4: above a cap of 3, within a cap of 4, whatever the corpus size.
    assert (
        select_anchors(frozenset({"qorvi"}), stats, settings=dataclasses.replace(FP, anchor_max_df=3)) == []
    )
    assert select_anchors(frozenset({"qorvi"}), stats, settings=dataclasses.replace(FP, anchor_max_df=4)) == [
        "qorvi"
    ]


def test_document_similarity_needed_depends_on_the_channels() -> None:
    fp = dataclasses.replace(FP, candidate_min_similarity=0.15, anchor_only_min_similarity=0.2)
    assert min_document_similarity({"minhash", "anchors"}, settings=fp) == 0.0
    assert min_document_similarity({"anchors"}, settings=fp) == 0.2
    assert min_document_similarity({"anchors", "sentences"}, settings=fp) == 0.15
    assert min_document_similarity({"sentences"}, settings=fp) == 0.15
    # The anchor-only floor never undercuts the general one.
    low = dataclasses.replace(fp, anchor_only_min_similarity=0.05)
    assert min_document_similarity({"anchors"}, settings=low) == 0.15


def test_similarities_and_anchors_made_elsewhere_give_the_same_pairs(textgen: Any) -> None:
    gen = textgen(23)
    names = ["Zorvath", "Quillmere", "Brantoxe", "Velkarin", "Oshtemar", "Drivellan"]
    originals = [gen.article(gen.sentences(8, extra=names)) for _ in range(6)]
    texts = [*originals, *(_near_copy(t, gen) for t in originals[:3])]
    sigs = _signatures(texts)
    stats = TermStats.from_signatures(sigs)
    loose = dataclasses.replace(
        FP, candidate_min_similarity=0.001, anchor_only_min_similarity=0.001, anchor_min_shared=2
    )
    asked: list[tuple[int, int]] = []

    def computed_elsewhere(pairs: Sequence[tuple[int, int]]) -> list[float]:
        asked.extend(pairs)
        return [stats.cosine(sigs[i].terms, sigs[j].terms) for i, j in pairs]

    anchors = [select_anchors(s.terms, stats, settings=loose) for s in sigs]
    shared = anchor_pairs(sigs, stats, settings=loose, anchors=anchors)
    assert shared == anchor_pairs(sigs, stats, settings=loose)
    expected = candidate_pairs(sigs, stats, settings=loose)
    assert len(expected) > 3
    got = candidate_pairs(sigs, stats, settings=loose, shared_anchors=shared, similarity=computed_elsewhere)
    assert got == expected
    # Only pairs with a floor are asked about (a MinHash band needs none) ...
    assert asked and all(i < j for i, j in asked)
    minhash_pairs = {(min(i, j), max(i, j)) for i, j in lsh_pairs(sigs, bands=FP.lsh_bands)}
    assert minhash_pairs and not minhash_pairs & set(asked)
    # ... and what the callback says decides: nothing is similar enough, only the copies stay.
    copies = candidate_pairs(sigs, stats, settings=loose, similarity=lambda pairs: [0.0] * len(pairs))
    assert {(p.a, p.b) for p in copies} == {
        (sigs[i].article_id, sigs[j].article_id) for i, j in minhash_pairs
    }


def test_pairs_in_groups_are_all_pairs_within_the_band() -> None:
    from newstrace.candidates import _pairs_in_groups

    rng = np.random.default_rng(3)
    # Group sizes from 1 to 12 (most single, as unshared keys are), members in any order.
    sizes = np.minimum(rng.geometric(0.45, size=400), 12)
    group = np.repeat(np.arange(sizes.size, dtype=np.int64), sizes)
    member = rng.permutation(group.size).astype(np.int64)
    for max_group in (2, 5, 13):
        found = sorted(map(tuple, _pairs_in_groups(group, member, max_group=max_group).tolist()))
        expected = sorted(
            (int(member[i]), int(member[j]))
            for i in range(group.size)
            for j in range(i + 1, min(group.size, i + max_group))
            if group[i] == group[j]
        )
        assert found == expected
    assert _pairs_in_groups(group[:1], member[:1], max_group=5).shape == (0, 2)


def test_sentence_pairs_are_the_pairs_sharing_enough_uncommon_keys() -> None:
    from newstrace.candidates import sentence_pairs

    rng = np.random.default_rng(4)
    keys = rng.integers(0, 2**64, size=60, dtype=np.uint64)
    signatures = []
    for i in range(80):
        # Each article holds a few keys of a small pool (shared with others) and some of its own.
        held = np.concatenate([rng.choice(keys, size=4), rng.integers(0, 2**64, size=5, dtype=np.uint64)])
        signatures.append(
            Signature(f"s{i}", "t", np.zeros(4, dtype=np.uint32), frozenset(), sentence_keys=np.unique(held))
        )
    for max_df in (4, 6, 50):
        holders: dict[int, set[int]] = {}
        for i, sig in enumerate(signatures):
            assert sig.sentence_keys is not None
            for key in sig.sentence_keys.tolist():
                holders.setdefault(key, set()).add(i)
        shared: dict[tuple[int, int], int] = {}
        for members in holders.values():
            if len(members) <= max_df:
                for pair in itertools.combinations(sorted(members), 2):
                    shared[pair] = shared.get(pair, 0) + 1
        expected = {pair for pair, count in shared.items() if count >= 2}
        assert expected
        assert sentence_pairs(signatures, max_df=max_df) == expected
