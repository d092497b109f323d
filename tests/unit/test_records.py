"""Records cross process boundaries by pickle: every kind comes back equal, through its constructor."""

from __future__ import annotations

import copyreg
import datetime as dt
import pickle

import numpy as np

from newstrace import Article, Engine, records


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
