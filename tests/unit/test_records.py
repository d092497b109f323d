"""Records cross process boundaries by pickle: every kind comes back equal, through its constructor."""

from __future__ import annotations

import copyreg
import dataclasses
import datetime as dt
import pickle

import numpy as np
import pytest

from newstrace import Article, Engine, records
from newstrace.records import Sentence, _sentences_builder, new_sentence, new_sentences


def test_records_round_trip_through_pickle_equal() -> None:
    text = "Kuleba said the talks would resume. “We will not give up,” he said.\nAdvertisement"
    original = Article(id="a", raw=text, outlet="X", published=dt.date(2024, 7, 1))
    copy = Article(id="b", raw=text.replace("resume", "restart"), published=dt.date(2024, 7, 2))
    engine = Engine(embeddings=False)
    relation, cleaned, _ = engine.compare(original, copy)
    _, (signature, _) = engine.clean_and_fingerprint([original, copy])
    assert cleaned.sentences and cleaned.removed and relation.alignment.links
    for value in (cleaned, relation, relation.alignment, *cleaned.sentences, *cleaned.removed):
        assert pickle.loads(pickle.dumps(value)) == value
    again = pickle.loads(pickle.dumps(signature))
    assert again.terms == signature.terms
    assert np.array_equal(again.minhash, signature.minhash)


def test_records_pickle_by_constructor() -> None:
    for cls in (records.Article, records.Sentence, records.Relation, records.Link, records.Signature):
        assert cls in copyreg.dispatch_table


def test_articles_signatures_and_features_travel_compactly_and_come_back_equal() -> None:
    from newstrace.align import article_features
    from newstrace.fingerprint import TermStats
    from newstrace.records import Sentence

    text = "Kuleba said the talks would resume. “We will not give up,” he said.\nAdvertisement"
    engine = Engine(embeddings=False)
    (cleaned,), (signature,) = engine.clean_and_fingerprint([Article(id="a", raw=text)])
    plain = pickle.dumps(records._reduce_record(cleaned)[1])
    assert len(pickle.dumps(cleaned)) < len(plain)  # sentences as offsets, not as records
    assert pickle.loads(pickle.dumps(cleaned)) == cleaned
    # Sentences that are not the text's slices in order still come back as they were.
    odd = dataclasses.replace(cleaned, sentences=(Sentence(0, 0, 6, "Kuleba"), Sentence(5, 1, 2, "x")))
    assert pickle.loads(pickle.dumps(odd)) == odd
    again = pickle.loads(pickle.dumps(signature))
    for name in ("minhash", "sentence_keys", "term_hashes"):
        sent, back = getattr(signature, name), getattr(again, name)
        assert back.dtype == sent.dtype and back.tolist() == sent.tolist()
    assert (again.article_id, again.algorithm, again.terms, again.published) == (
        signature.article_id,
        signature.algorithm,
        signature.terms,
        signature.published,
    )
    features = article_features(cleaned, TermStats())
    back_features = pickle.loads(pickle.dumps(features))
    for name in type(features).__slots__:
        sent, back = getattr(features, name), getattr(back_features, name)
        if isinstance(sent, np.ndarray):
            assert back.dtype == sent.dtype and back.shape == sent.shape and back.tolist() == sent.tolist()
        else:
            assert back == sent


def test_packed_arrays_come_back_equal_and_read_only() -> None:
    from newstrace._arrays import pack_arrays, unpack_arrays

    grid = np.arange(12, dtype=np.int32).reshape(3, 4)
    arrays = [np.array([3, 1], dtype=np.uint64), None, grid.T, np.zeros(0, dtype=np.float64), grid[:, ::2]]
    blob, layout = pack_arrays(arrays)
    back = unpack_arrays(blob, layout)
    assert back[1] is None
    for sent, came in zip(arrays, back, strict=True):
        if sent is not None:
            assert came is not None
            assert came.dtype == sent.dtype and came.shape == sent.shape
            assert came.tolist() == sent.tolist()
            assert not came.flags.writeable
    with pytest.raises(ValueError, match="bytes"):
        unpack_arrays(blob + b"x", layout)


def test_sentences_are_built_through_the_slots_as_the_constructor_builds_them() -> None:
    assert new_sentence is not Sentence  # the fast builder is in use for the current Sentence class
    for args in [(0, 0, 2, "Hi"), (7, 10, 15, "Émile"), (3, -1, -1, "")]:
        built, constructed = new_sentence(*args), Sentence(*args)
        assert type(built) is Sentence
        assert built == constructed and hash(built) == hash(constructed)
        assert repr(built) == repr(constructed)
        assert pickle.dumps(built) == pickle.dumps(constructed)
        assert pickle.loads(pickle.dumps(built)) == constructed


def test_sentences_are_built_in_one_go_as_the_constructor_builds_them() -> None:
    starts, ends, texts = [0, 10, -1], [2, 15, -1], ["Hi", "Émile", ""]
    constructed = tuple(map(Sentence, range(3), starts, ends, texts))
    for build_all in (new_sentences, _sentences_builder()):
        built = build_all(starts, ends, texts)
        assert type(built) is tuple and all(type(s) is Sentence for s in built)
        assert built == constructed and hash(built) == hash(constructed)
        assert repr(built) == repr(constructed)
        assert pickle.dumps(built) == pickle.dumps(constructed)
    assert new_sentences([], [], []) == ()


def test_sentences_fall_back_to_the_constructor_for_another_class(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(records, "_sentence_setters", lambda: None)
    build_all = records._sentences_builder()
    assert build_all([1], [3], ["ab"]) == (Sentence(0, 1, 3, "ab"),)
