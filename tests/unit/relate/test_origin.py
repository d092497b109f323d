"""Origin of a derived pair: an earlier date, a credit to the other's outlet, a statement given to the
article's own outlet; ``None`` with reasons when nothing tells."""

from __future__ import annotations

import datetime as dt

from newstrace import Article, Settings
from newstrace.clean import Cleaner
from newstrace.relate import decide_origin

BODY = "Officials in the capital confirmed the withdrawal of all troops from the border region on Friday."


def _article(
    article_id: str,
    extra: str = "",
    *,
    outlet: str | None = None,
    published: dt.date | None = None,
) -> Article:
    raw = f"{BODY}\n{extra}\n" if extra else f"{BODY}\n"
    return Cleaner(Settings().clean).clean(
        Article(id=article_id, raw=raw, outlet=outlet, published=published)
    )


def test_an_earlier_date_decides() -> None:
    a = _article("a", published=dt.date(2024, 11, 14))
    b = _article("b", published=dt.date(2024, 11, 15))
    origin, confidence, reasons = decide_origin(a, b)
    assert origin == "a"
    assert confidence > 0
    assert any("1 day(s) before" in r for r in reasons)
    # Symmetric: the argument order does not matter.
    assert decide_origin(b, a)[0] == "a"


def test_a_credit_to_the_other_outlet_decides() -> None:
    original = _article("x1", outlet="Bloomberg")
    copy = _article("x2", "The talks will resume next week, according to Bloomberg.", outlet="Caliber.Az")
    for first, second in ((original, copy), (copy, original)):
        origin, _, reasons = decide_origin(first, second)
        assert origin == "x1"
        assert any("credits 'Bloomberg'" in r for r in reasons)


def test_a_source_trailer_is_a_credit() -> None:
    original = _article("o", outlet="Caliber.Az")
    copy = _article("c", "Source: caliber.az", outlet="Daily Mirror of the East")
    assert decide_origin(original, copy)[0] == "o"


def test_a_credit_outweighs_a_date_that_points_the_other_way() -> None:
    # The copy's page carries an earlier date (e.g. a wrong or backdated page), but it credits the original.
    original = _article("o", outlet="Reuters", published=dt.date(2024, 5, 2))
    copy = _article(
        "c", "The ministry denied the report, according to Reuters.", published=dt.date(2024, 5, 1)
    )
    origin, _, reasons = decide_origin(original, copy)
    assert origin == "o"
    assert len(reasons) == 2  # both pieces of evidence are reported


def test_statements_given_to_its_own_outlet_mark_the_original() -> None:
    original = _article(
        "scmp",
        "Kuleba told This Week In Asia that the pact threatened regional security.",
        outlet="South China Morning Post (This Week In Asia)",
    )
    copy = _article("copy", "Kuleba told This Week In Asia that the pact threatened regional security.")
    origin, _, reasons = decide_origin(copy, original)
    assert origin == "scmp"
    assert any("its own outlet" in r for r in reasons)


def test_no_evidence_gives_none_with_reasons() -> None:
    a, b = _article("a"), _article("b")
    origin, confidence, reasons = decide_origin(a, b)
    assert origin is None
    assert confidence == 0.0
    assert any("no publication date" in r for r in reasons)
    assert any("not enough evidence" in r for r in reasons)


def test_same_day_dates_do_not_tell() -> None:
    a = _article("a", published=dt.date(2024, 6, 20), outlet="One")
    b = _article("b", published=dt.date(2024, 6, 20), outlet="Two")
    origin, _, reasons = decide_origin(a, b)
    assert origin is None
    assert any("dates do not tell" in r for r in reasons)


def test_a_credit_to_its_own_outlet_is_not_evidence() -> None:
    a = _article("a", "The plan was first revealed, according to Reuters.", outlet="Reuters")
    b = _article("b", outlet="Reuters")
    assert decide_origin(a, b)[0] is None


def test_conflicting_credits_cancel_out() -> None:
    a = _article("a", "The talks ended, according to Bloomberg.", outlet="Reuters")
    b = _article("b", "The talks ended, according to Reuters.", outlet="Bloomberg")
    origin, _, reasons = decide_origin(a, b)
    assert origin is None
    assert sum("credits" in r for r in reasons) == 2
