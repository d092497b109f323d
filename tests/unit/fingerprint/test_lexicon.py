"""The per-process lexicon: token hashes to stemmed content terms, before and after bulk merges."""

from __future__ import annotations

import numpy as np

from newstrace.fingerprint import Lexicon
from newstrace.fingerprint._minhash import text_token_hashes, token_hash


def _lookup(lexicon: Lexicon, text: str) -> list[tuple[str | None, int]]:
    hashes, starts, ends = text_token_hashes(text)
    term, length = lexicon.lookup(hashes, starts, ends, text)
    return [(lexicon.terms[t] if t >= 0 else None, int(n)) for t, n in zip(term, length, strict=True)]


def _names(lexicon: Lexicon) -> dict[int, str]:
    """Every term of ``lexicon`` by the hash it holds for it."""
    return dict(zip(lexicon.term_hash_array().tolist(), lexicon.terms, strict=True))


def test_stopwords_and_single_letters_have_no_term_and_stems_are_shared() -> None:
    lexicon = Lexicon()
    found = _lookup(lexicon, "The troops and a troop: Troops!")
    assert found == [(None, 3), ("troop", 6), (None, 3), (None, 1), ("troop", 5), ("troop", 6)]
    assert len(lexicon.terms) == 1


def test_answers_do_not_change_when_pending_tokens_are_merged() -> None:
    lexicon = Lexicon()
    words = [f"word{i}x" for i in range(6000)]  # enough new tokens to force a bulk merge
    text = " ".join(words)
    first = _lookup(lexicon, text)
    assert lexicon.known.size > 0  # merged into the sorted arrays
    assert np.all(np.diff(lexicon.known.astype(np.float64)) >= 0)
    assert _lookup(lexicon, text) == first
    assert [t for t, _ in first] == [w for w in words]


def test_a_full_lexicon_starts_afresh() -> None:
    lexicon = Lexicon(max_tokens=10)
    _lookup(lexicon, " ".join(f"alpha{i}" for i in range(20)))
    assert _lookup(lexicon, "alpha3 beta") == [("alpha3", 6), ("beta", 4)]
    assert len(lexicon.terms) <= 22


def test_what_one_lexicon_drains_another_absorbs_with_the_same_answers() -> None:
    text = "Troops crossed the border; the troop commander said borders close at noon."
    worker = Lexicon()
    learnt = _lookup(worker, text)
    drained = worker.drain()
    entries = drained.entries()
    assert len(entries) == len(drained) == len({h for h, _, _ in entries}) == 11  # distinct tokens
    assert [term for _, term, _ in entries if term] == [
        *("troop", "cross", "border", "troop", "commander", "border", "close", "noon")
    ]
    assert len(worker.drain()) == 0  # each entry is handed over once
    parent = Lexicon()
    parent.absorb([drained])
    # The terms' hashes came with them, and are the ones the parent would compute.
    assert _names(parent) == {token_hash(t): t for t in parent.terms} == _names(worker)
    assert len(parent) == len(drained) and not parent.drain()  # nothing to decode any more
    assert _lookup(parent, text) == learnt
    parent.absorb([drained])  # absorbing twice changes nothing
    assert len(parent) == len(drained)
    assert _lookup(parent, text) == learnt


def test_entries_merged_before_the_drain_are_handed_over_too() -> None:
    text = " ".join(f"item{i}s" for i in range(6000)) + " the of"  # forces a bulk merge before the drain
    worker = Lexicon()
    learnt = _lookup(worker, text)
    assert worker.known.size > 0  # merged: the drain reads these back from the arrays
    drained = worker.drain()
    entries = drained.entries()
    assert len(entries) == len({h for h, _, _ in entries}) == 6002
    assert {term for _, term, _ in entries} == {f"item{i}" for i in range(6000)} | {None}
    parent = Lexicon()
    parent.absorb([drained])
    assert not parent.drain() and _lookup(parent, text) == learnt
    assert _names(parent) == {token_hash(t): t for t in parent.terms}


def test_deltas_absorbed_one_by_one_or_together_give_the_same_lexicon() -> None:
    first_text = "Troops crossed the border at noon; the commander said so."
    second_text = "The border stays closed, commanders said, and troops wait. " + " ".join(
        f"word{i}s"
        for i in range(5000)  # a delta large enough to merge straight into the arrays
    )
    worker = Lexicon()
    _lookup(worker, first_text)
    first = worker.drain()
    _lookup(worker, second_text)
    second = worker.drain()
    together, one_by_one = Lexicon(), Lexicon()
    together.absorb([first, second])
    one_by_one.absorb([first])
    assert len(one_by_one) == len(first) and one_by_one.known.size == 0  # a small delta waits
    one_by_one.absorb([second])
    assert one_by_one.terms == together.terms == worker.terms  # in the order they were first named
    for text in (first_text, second_text):
        assert _lookup(one_by_one, text) == _lookup(together, text) == _lookup(worker, text)
    assert not one_by_one.drain() and not together.drain()  # nothing had to be learnt again


def test_a_lexicon_skips_only_what_it_drained_itself() -> None:
    text = "Troops crossed the border; the commander said borders close at noon."
    worker = Lexicon()
    learnt = _lookup(worker, text)
    drained = worker.drain()
    worker.absorb([drained])  # its own delta: skipped, nothing changes
    assert len(worker) == len(drained)
    del worker
    parent = Lexicon()  # may sit where the drainer sat in memory: still another lexicon
    parent.absorb([drained])
    assert len(parent) == len(drained) and not parent.drain()
    assert _lookup(parent, text) == learnt
