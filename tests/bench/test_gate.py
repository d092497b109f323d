"""Unit tests of the quality gate's scoring (``bench/gate.py``) on hand-made analyses of the suite."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

import gate  # noqa: E402
import synth  # noqa: E402


@pytest.fixture(scope="module")
def suite() -> synth.Suite:
    return synth.build_suite(5, per_category=25)


def _analysis(
    relations: list[tuple[str, str, str, str | None]], stories: Sequence[Sequence[str]] = ()
) -> Any:
    """A stand-in for ``Analysis`` with just what the gate reads."""
    return SimpleNamespace(
        relations=[
            SimpleNamespace(a=a, b=b, kind=kind, origin=origin, changes=())
            for a, b, kind, origin in relations
        ],
        stories=[SimpleNamespace(id=f"s{i}", articles=tuple(s)) for i, s in enumerate(stories)],
    )


def _expected(label: dict[str, Any]) -> tuple[str, str, str, str | None] | None:
    if label["kind"] == "unrelated":
        return None
    kind = {"duplicate": "duplicate", "rewrite": "rewrite", "partial": "partial"}.get(
        label["kind"], "same_story"
    )
    return (label["a"], label["b"], kind, label["origin"])


def test_perfect_answers_score_one(suite: synth.Suite) -> None:
    relations = [r for r in map(_expected, suite.labels) if r is not None]
    score = gate.score_suite(_analysis(relations), suite.labels, suite.provenance())
    assert all(v == 1.0 for k, v in score.metrics.items() if k.startswith(("recall.", "precision.")))
    assert score.metrics["origin.accuracy"] == 1.0
    assert score.metrics["origin.wrong_rate"] == 0.0
    assert score.metrics["story.independent_together"] == 1.0


def test_reporting_nothing_finds_no_copies_but_keeps_independent_apart(suite: synth.Suite) -> None:
    score = gate.score_suite(_analysis([]), suite.labels, suite.provenance())
    assert score.metrics["recall.verbatim"] == 0.0
    assert score.metrics["recall.derived_all"] == 0.0
    assert score.metrics["recall.independent"] == 1.0
    assert score.metrics["recall.unrelated"] == 1.0
    assert score.metrics["precision.derived"] == 0.0
    assert score.metrics["story.independent_together"] == 0.0


def test_wrong_kinds_origins_and_unlabelled_pairs(suite: synth.Suite) -> None:
    provenance = suite.provenance()
    roles = {p["id"]: p for p in provenance}
    relations = []
    independent = [lab for lab in suite.labels if lab["category"] == "independent"]
    # An independent article reported as a rewrite is a false positive and a recall miss.
    relations.append((independent[0]["a"], independent[0]["b"], "rewrite", None))
    # A truncation reported as a duplicate is not an accepted kind.
    truncation = [lab for lab in suite.labels if lab["category"] == "truncation"]
    relations.append((truncation[0]["a"], truncation[0]["b"], "duplicate", truncation[0]["origin"]))
    # A verbatim copy with the origin the wrong way round.
    verbatim = next(lab for lab in suite.labels if lab["category"] == "verbatim" and lab["origin"])
    wrong = verbatim["b"] if verbatim["origin"] == verbatim["a"] else verbatim["a"]
    relations.append((verbatim["a"], verbatim["b"], "duplicate", wrong))
    # Two originals of different stories reported as derived: an unlabelled false positive.
    originals = sorted((p for p in provenance if p["role"] == "original"), key=lambda p: p["id"])
    x = originals[0]
    y = next(p for p in originals[1:] if not set(p["text_groups"]) & set(x["text_groups"]))
    relations.append((x["id"], y["id"], "partial", None))
    # Two copies of one original share text: ignored, not a false positive.
    family = [
        p["id"]
        for p in provenance
        if p["family"] == roles[verbatim["a"]]["family"] and p["role"] != "original"
    ]
    relations.append((*sorted(family[:2]), "rewrite", None))
    score = gate.score_suite(_analysis(relations), suite.labels, provenance)
    n_independent = len(independent)
    assert score.metrics["recall.independent"] == pytest.approx((n_independent - 1) / n_independent)
    assert score.metrics["recall.truncation"] == 0.0
    assert score.metrics["origin.wrong_rate"] == 0.5  # one right (truncation), one wrong (verbatim)
    assert score.counts["unlabelled_fp"] == 1
    # Labelled derived pairs reported: truncation + verbatim; false positives: independent + unlabelled.
    assert score.metrics["precision.derived"] == pytest.approx(2 / 4)


def test_dev_story_pairs_and_scores(tmp_path: Path) -> None:
    pairs = tmp_path / "story_pairs.csv"
    pairs.write_text("\ufeffu1;u2;1\r\nu1;u3;0\r\nu2;u3;0\r\nu3;u4;1\r\n", encoding="utf-8")
    positive, total = gate.dev_story_pairs(pairs)
    assert total == 4 and len(positive) == 2
    ids = {u: synth.url_id(u) for u in ("u1", "u2", "u3", "u4")}
    analysis = _analysis([], stories=[[ids["u1"], ids["u2"], ids["u3"]], [ids["u4"]]])
    scores = gate.score_dev(analysis, positive)
    assert scores["dev.story_precision"] == pytest.approx(1 / 3)
    assert scores["dev.story_recall"] == pytest.approx(1 / 2)


def test_floors_name_every_regression() -> None:
    floors = {"min": {"recall.spin": 0.9, "dev.story_f1": 0.5}, "max": {"origin.wrong_rate": 0.05}}
    metrics = {"recall.spin": 0.85, "origin.wrong_rate": 0.1}
    problems = gate.check_floors(metrics, floors)
    assert set(problems) == {"recall.spin", "origin.wrong_rate", "dev.story_f1"}
    assert gate.check_floors(metrics, floors, skipped=("dev.",)).keys() == {
        "recall.spin",
        "origin.wrong_rate",
    }
    assert (
        gate.check_floors(
            {"recall.spin": 0.9, "origin.wrong_rate": 0.05},
            floors,
            skipped=("dev.",),
        )
        == {}
    )


def test_change_scores_match_type_and_words(suite: synth.Suite) -> None:
    labels = [lab for lab in suite.labels if lab["category"] in ("change_number", "change_control")]
    number = next(lab for lab in labels if lab["category"] == "change_number")
    control = next(lab for lab in labels if lab["category"] == "change_control")
    right = SimpleNamespace(type="number", original=number["change"]["original"], copy="x", severity=0.9)
    alarm = SimpleNamespace(type="entity", original="a", copy="b", severity=0.7)
    analysis = SimpleNamespace(
        relations=[
            SimpleNamespace(a=number["a"], b=number["b"], origin=number["a"], changes=(right,)),
            SimpleNamespace(a=control["a"], b=control["b"], origin=None, changes=(alarm,)),
        ]
    )
    scores = gate.score_changes(analysis, labels)
    n_number = sum(lab["category"] == "change_number" for lab in labels)
    n_control = len(labels) - n_number
    assert scores["changes.recall.number"] == pytest.approx(1 / n_number)
    assert scores["changes.false_alarm.control"] == pytest.approx(1 / n_control)
    # The number flag is the injected change; the entity flag on a control copy is a false alarm.
    assert scores["changes.precision.number"] == 1.0
    assert scores["changes.precision.entity"] == 0.0
