"""Unit tests of the benchmark generators (``bench/synth.py``, ``bench/corpus.py``).

They check the generated data against its own labels with independent measurements (word overlap,
quotations, sentence order), so a generator bug cannot silently turn into a wrong quality gate.
"""

from __future__ import annotations

import collections
import datetime as dt
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

import corpus  # noqa: E402
import synth  # noqa: E402
from textkit import split_sentences, words  # noqa: E402

MIN_PAIRS = 25


@pytest.fixture(scope="module")
def suite() -> synth.Suite:
    return synth.build_suite(7)


@pytest.fixture(scope="module")
def docs(suite: synth.Suite) -> dict[str, synth.Doc]:
    return {d.id: d for d in suite.docs}


def _pairs(suite: synth.Suite, docs: dict[str, synth.Doc], category: str) -> Iterator[tuple[Any, ...]]:
    """(label, original doc, other doc) for each labelled pair of ``category``."""
    for label in suite.labels:
        if label["category"] != category:
            continue
        a, b = docs[label["a"]], docs[label["b"]]
        original, other = (a, b) if a.role == "original" else (b, a)
        yield label, original, other


def _jaccard(x: str, y: str) -> float:
    wx, wy = set(words(x)), set(words(y))
    return len(wx & wy) / max(1, len(wx | wy))


def _quotes(text: str) -> list[str]:
    return [
        (m.group(1) or m.group(2)).strip().rstrip(",.;:")
        for m in re.finditer(r"“([^“”]+)”|\"([^\"]+)\"", text)
    ]


def _lower_content(sentence: str) -> collections.Counter[str]:
    return collections.Counter(w for w in words(sentence) if len(w) >= 3 and w not in synth.STOPWORDS)


# ------------------------------------------------------------------------------------ determinism


def test_same_seed_same_bytes(tmp_path: Path, suite: synth.Suite) -> None:
    synth.write_suite(suite, tmp_path / "one")
    synth.write_suite(synth.build_suite(7), tmp_path / "two")
    for name in ("articles.jsonl", "labels.jsonl", "provenance.jsonl"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes(), name


def test_cli_writes_the_three_files_and_another_seed_differs(
    tmp_path: Path, suite: synth.Suite, capsys: pytest.CaptureFixture[str]
) -> None:
    assert synth.main(["--out", str(tmp_path / "cli"), "--seed", "8", "--per-category", "25"]) == 0
    capsys.readouterr()
    lines = (tmp_path / "cli/articles.jsonl").read_text("utf-8").splitlines()
    articles = [json.loads(line) for line in lines]
    labels = [json.loads(line) for line in (tmp_path / "cli/labels.jsonl").read_text("utf-8").splitlines()]
    assert {"id", "text", "title", "outlet", "published"} == set(articles[0])
    assert {"a", "b", "category", "kind", "origin"} <= set(labels[0])
    assert len(articles) == len({a["id"] for a in articles})
    assert {a["text"] for a in articles} != {d.text() for d in suite.docs}


# ------------------------------------------------------------------------------------------ labels


def test_every_category_has_enough_pairs_from_distinct_base_articles(
    suite: synth.Suite, docs: dict[str, synth.Doc]
) -> None:
    for category in (*synth.CATEGORIES, *synth.CHANGE_CATEGORIES, "unrelated"):
        pairs = list(_pairs(suite, docs, category))
        assert len(pairs) >= MIN_PAIRS, category
        if category != "unrelated":
            families = [original.family for _, original, _ in pairs]
            assert len(set(families)) == len(families), category


def test_labels_reference_existing_ids_with_valid_fields(
    suite: synth.Suite, docs: dict[str, synth.Doc]
) -> None:
    seen: set[tuple[str, str]] = set()
    for label in suite.labels:
        assert label["a"] in docs and label["b"] in docs
        assert label["a"] < label["b"]
        assert (label["a"], label["b"]) not in seen
        seen.add((label["a"], label["b"]))
        assert label["kind"] == synth.EXPECTED_KIND[label["category"]]
        assert label["origin"] in (label["a"], label["b"], None)
        if label["kind"] in ("same_story", "unrelated"):
            assert label["origin"] is None
    # Outlets are distinct per article.
    assert len({d.outlet for d in suite.docs}) == len(suite.docs)


def test_origin_is_decidable_exactly_when_labelled(suite: synth.Suite, docs: dict[str, synth.Doc]) -> None:
    counts = collections.Counter()
    for label in suite.labels:
        if label["kind"] in ("same_story", "unrelated"):
            continue
        a, b = docs[label["a"]], docs[label["b"]]
        original, copy = (a, b) if a.role == "original" else (b, a)
        dated = (
            copy.published is not None
            and original.published is not None
            and copy.published > original.published
        )
        credited = original.outlet in copy.text()
        if label["origin"] is None:
            assert not dated and not credited, label
            counts["unknown"] += 1
        else:
            assert label["origin"] == original.id
            assert dated or credited, label
            counts["dated" if dated else "credit"] += 1
    assert min(counts.values()) >= 50, counts


def test_unrelated_pairs_share_no_text_or_story_group(suite: synth.Suite, docs: dict[str, synth.Doc]) -> None:
    for _, x, y in _pairs(suite, docs, "unrelated"):
        assert x.role == y.role == "original"
        assert not x.text_groups & y.text_groups
        assert max(_jaccard(s, t) for s in x.sentences for t in y.sentences) < 0.5


# -------------------------------------------------------------------------------------- categories


def test_verbatim_copies_have_the_same_sentences(suite: synth.Suite, docs: dict[str, synth.Doc]) -> None:
    for _, original, copy in _pairs(suite, docs, "verbatim"):
        assert copy.sentences == original.sentences
        assert copy.text() != original.text()


def test_spin_swaps_a_quarter_to_two_fifths_of_words_but_keeps_order(
    suite: synth.Suite, docs: dict[str, synth.Doc]
) -> None:
    for _, original, copy in _pairs(suite, docs, "spin"):
        assert len(copy.sentences) == len(original.sentences)
        lost = total = 0
        for before, after in zip(original.sentences, copy.sentences, strict=True):
            old = _lower_content(before)
            lost += sum((old - _lower_content(after)).values())
            total += sum(old.values())
        assert 0.18 <= lost / total <= 0.5, lost / total
        # Sentence i of the copy is still closest to sentence i of the original.
        for i, after in enumerate(copy.sentences):
            scores = [_jaccard(after, before) for before in original.sentences]
            assert scores[i] == max(scores)


def test_light_edit_drops_one_sentence_and_changes_a_few_words(
    suite: synth.Suite, docs: dict[str, synth.Doc]
) -> None:
    for _, original, copy in _pairs(suite, docs, "light_edit"):
        assert len(copy.sentences) == len(original.sentences) - 1
        matched = []
        for sentence in copy.sentences:
            scores = [_jaccard(sentence, s) for s in original.sentences]
            assert max(scores) >= 0.4
            matched.append(scores.index(max(scores)))
        assert matched == sorted(set(matched))
        edited = sum(s not in original.sentences for s in copy.sentences)
        assert 1 <= edited <= 7


def test_reorder_keeps_sentences_in_another_order(suite: synth.Suite, docs: dict[str, synth.Doc]) -> None:
    for _, original, copy in _pairs(suite, docs, "reorder"):
        assert len(copy.sentences) == len(original.sentences)
        positions = [
            max(range(len(original.sentences)), key=lambda i: _jaccard(s, original.sentences[i]))
            for s in copy.sentences
        ]
        assert positions != sorted(positions)


def test_truncation_keeps_the_first_40_to_70_percent(suite: synth.Suite, docs: dict[str, synth.Doc]) -> None:
    for _, original, copy in _pairs(suite, docs, "truncation"):
        share = len(copy.sentences) / len(original.sentences)
        assert 0.3 <= share <= 0.75, share
        for before, after in zip(original.sentences, copy.sentences, strict=False):
            assert _jaccard(before, after) >= 0.6


def test_paraphrase_rewrites_most_sentences_and_adds_a_credited_lead(
    suite: synth.Suite, docs: dict[str, synth.Doc]
) -> None:
    for label, original, copy in _pairs(suite, docs, "paraphrase"):
        kept = sum(s in original.sentences for s in copy.sentences)
        assert kept / len(copy.sentences) < 0.2
        lead = copy.paragraphs[0][0]
        assert lead.endswith(" reported.")
        assert (original.outlet in lead) == (label["origin"] is not None)


def test_partial_embeds_two_runs_of_two_to_four_sentences(
    suite: synth.Suite, docs: dict[str, synth.Doc]
) -> None:
    for label, original, copy in _pairs(suite, docs, "partial"):
        flags = [s in original.sentences for s in copy.sentences]
        runs = [len(m.group(0)) for m in re.finditer("1+", "".join("1" if f else "0" for f in flags))]
        assert len(runs) == 2 and all(2 <= r <= 4 for r in runs), runs
        assert sum(runs) == len(label["embedded"])
        assert flags.count(False) >= 5


def test_independent_shares_exactly_one_quote_and_no_other_sentence(
    suite: synth.Suite, docs: dict[str, synth.Doc]
) -> None:
    for label, original, other in _pairs(suite, docs, "independent"):
        original_text = original.text()
        shared = [q for q in _quotes(other.text()) if q in original_text]
        assert shared == [label["quote"]]
        assert len(label["quote"].split()) <= 20
        quote = label["quote"]
        for sentence in other.sentences:
            # Around the shared quote, the words must differ too.
            best = max(
                _jaccard(sentence.replace(quote, ""), s.replace(quote, "")) for s in original.sentences
            )
            assert best < 0.5, (sentence, best)
        names = [n for n in original_text.split() if n[:1].isupper()]
        assert any(n in other.text() for n in names)
        assert original.family not in (other.family,)


def test_change_variants_change_exactly_one_sentence(suite: synth.Suite, docs: dict[str, synth.Doc]) -> None:
    for category in synth.CHANGE_CATEGORIES:
        for label, original, copy in _pairs(suite, docs, category):
            changed = [s for s in copy.sentences if s not in original.sentences]
            change = label["change"]
            if category == "change_control":
                assert change is None and changed == []
                continue
            assert change["type"] == category.removeprefix("change_")
            assert changed == [change["copy_sentence"]]
            assert change["original_sentence"] in original.sentences
            assert change["original_sentence"] not in copy.sentences
            assert change["original"] in change["original_sentence"]
            assert change["copy"] in change["copy_sentence"]
            assert change["original"] != change["copy"]


def test_number_changes_change_a_number(suite: synth.Suite) -> None:
    for label in suite.labels:
        if label["category"] == "change_number":
            before, after = label["change"]["original"], label["change"]["copy"]
            assert re.fullmatch(r"[\d.,]+", before) and re.fullmatch(r"[\d.,]+", after)
            assert float(before.replace(",", "")) != float(after.replace(",", ""))


# ------------------------------------------------------------------------------------ text helpers


def test_sentence_splitter_keeps_abbreviations_and_decimals() -> None:
    text = (
        "Mr. Smith paid $1.5 billion to U.S. Steel Corp. on Monday. Shares rose 3.2%. “It is done,” he said."
    )
    assert split_sentences(text) == [
        "Mr. Smith paid $1.5 billion to U.S. Steel Corp. on Monday.",
        "Shares rose 3.2%.",
        "“It is done,” he said.",
    ]


def test_paraphrase_restructures_said_and_intro_clauses() -> None:
    rng = synth.random.Random(0)
    assert synth.restructure("“We are ready,” said Jane Doe.", rng) == "Jane Doe said: “We are ready.”"
    assert synth.restructure("In May, the firm doubled its output of steel.", rng) == (
        "The firm doubled its output of steel in May."
    )
    assert synth.restructure("Acme Power has signed a deal with the port authority.", rng) == (
        "A deal has been signed by Acme Power with the port authority."
    )
    assert synth.renumber("It employs more than 10,000 people.") == "It employs over 10,000 people."
    assert synth.renumber("Sales rose 12 per cent to $5 million.") == "Sales rose 12% to $5 million."


# ------------------------------------------------------------------------------------------ corpus


def _corpus(n: int, seed: int) -> list[tuple[dict[str, Any], dict[str, Any] | None]]:
    return list(corpus.generate(corpus.CorpusSpec(n=n, seed=seed, vocabulary=5000)))


def test_corpus_is_deterministic_and_seed_dependent() -> None:
    assert _corpus(200, 1) == _corpus(200, 1)
    assert [a["text"] for a, _ in _corpus(50, 1)] != [a["text"] for a, _ in _corpus(50, 2)]


def test_corpus_sizes_dates_and_derived_share() -> None:
    rows = _corpus(1500, 3)
    assert len(rows) == 1500 and len({a["id"] for a, _ in rows}) == 1500
    by_id = {a["id"]: a for a, _ in rows}
    fresh = [len(a["text"].split()) for a, label in rows if label is None]
    assert min(fresh) >= 300 and max(fresh) <= 950
    derived = [label for _, label in rows if label is not None]
    assert 0.12 <= len(derived) / len(rows) <= 0.3
    assert {label["transform"] for label in derived} == set(corpus._TRANSFORMS)
    days = sorted(dt.date.fromisoformat(a["published"]) for a, _ in rows)
    assert (days[-1] - days[0]).days >= 180
    for label in derived:
        copy, source = by_id[label["id"]], by_id[label["source"]]
        assert copy["published"] >= source["published"]
        source_sentences = set(split_sentences(source["text"].replace("\n\n", " ")))
        assert any(s in source_sentences for s in split_sentences(copy["text"].replace("\n\n", " ")))


def test_corpus_cli_writes_n_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "c.jsonl"
    assert corpus.main(["--n", "120", "--out", str(out), "--seed", "5", "--labels"]) == 0
    capsys.readouterr()
    lines = out.read_text("utf-8").splitlines()
    assert len(lines) == 120
    assert {"id", "text", "title", "outlet", "published"} == set(json.loads(lines[0]))
    labels = (tmp_path / "c.labels.jsonl").read_text("utf-8").splitlines()
    assert 0 < len(labels) < 120
