from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from newstrace.records import Article, Relation
from newstrace.report._diff import Segment, word_diff
from newstrace.report._layout import Role, roles, runs, side_by_side


def changed(segments: tuple[Segment, ...]) -> list[str]:
    return [s.text for s in segments if s.changed]


def test_identical_texts_have_no_changes() -> None:
    diff = word_diff("Police closed the road.", "Police closed the road.")
    assert diff.identical
    assert [s.text for s in diff.a] == ["Police closed the road."]


def test_changed_words_on_both_sides() -> None:
    diff = word_diff(
        "The minister said 12 people were hurt in the blast.",
        "The minister said 15 people were injured in the blast.",
    )
    assert changed(diff.a) == ["12", "hurt"]
    assert changed(diff.b) == ["15", "injured"]


def test_numbers_stay_whole_and_whitespace_is_not_a_change() -> None:
    diff = word_diff("Costs rose to 1,200 dollars.", "Costs  rose to 1,500 dollars.")
    assert changed(diff.a) == ["1,200"]
    assert changed(diff.b) == ["1,500"]


def test_insertion_highlights_only_the_new_words() -> None:
    diff = word_diff("Police closed the road.", "Police quickly closed the road.")
    assert changed(diff.a) == []
    assert changed(diff.b) == ["quickly"]


@given(st.text(max_size=80), st.text(max_size=80))
def test_segments_cover_each_text_exactly(a: str, b: str) -> None:
    diff = word_diff(a, b)
    for text, segments in ((a, diff.a), (b, diff.b)):
        assert "".join(s.text for s in segments) == text
        position = 0
        for segment in segments:
            assert segment.start == position
            assert text[segment.start : segment.end] == segment.text
            position = segment.end
            if segment.changed:
                assert segment.text.strip() == segment.text != ""


def test_side_by_side_interleaves_unaligned_sentences(
    original: Article, copy: Article, relation: Relation
) -> None:
    rows = side_by_side(relation, original, copy)
    shape = [(r.a.sentence if r.a else None, r.b.sentence if r.b else None, r.link is not None) for r in rows]
    assert shape == [(None, 0, False), (0, 1, True), (1, 2, True), (2, None, False)]
    first_link = rows[1]
    assert first_link.a is not None and first_link.b is not None
    a_runs = runs(first_link.a)
    assert "".join(r.text for r in a_runs) == original.sentences[0].text
    assert [r.text for r in a_runs if r.changed] == ["12", "hurt"]
    # The NUMBER change covers "12 people were hurt" on A and "15 people were injured" on B.
    assert "".join(r.text for r in a_runs if r.change is not None) == "12 people were hurt"
    b_runs = runs(first_link.b)
    assert "".join(r.text for r in b_runs if r.change is not None) == "15 people were injured"


def test_swapped_articles_are_accepted_and_strangers_rejected(
    original: Article, copy: Article, relation: Relation
) -> None:
    assert side_by_side(relation, copy, original) == side_by_side(relation, original, copy)
    stranger = Article(id="other")
    try:
        side_by_side(relation, original, stranger)
    except ValueError as error:
        assert "other" in str(error)
    else:
        raise AssertionError("expected ValueError")


def test_roles_follow_origin(relation: Relation) -> None:
    assert roles(relation) == (Role.ORIGINAL, Role.COPY)
