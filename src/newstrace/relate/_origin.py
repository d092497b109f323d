"""Which article of a derived pair is the original, with reasons; ``None`` when evidence is missing."""

from __future__ import annotations

from newstrace.clean import names_match
from newstrace.records import Article

__all__ = ["decide_origin"]

# Evidence weights: an explicit credit outweighs a one-day date difference; same-day dates say nothing.
_CREDIT = 4.0
_SELF_REPORTED = 2.0
_DATE = 2.0
_DECIDE_AT = 1.5


def _credits_outlet(copy: Article, original: Article) -> str | None:
    """A credit in ``copy`` naming ``original``'s outlet — unless ``original`` carries the same credit
    (identical texts both say "Source: X": that says nothing about direction)."""
    if not original.outlet:
        return None
    own = {c.name.lower() for c in original.credits}
    for credit in copy.credits:
        if credit.name.lower() in own:
            continue
        if names_match(credit.name, original.outlet) and not (
            copy.outlet and names_match(credit.name, copy.outlet)
        ):
            return credit.name
    return None


def _self_reported(article: Article) -> str | None:
    """A credit in the article to its own outlet as the recipient ("told This Week In Asia")."""
    if not article.outlet:
        return None
    for credit in article.credits:
        if credit.phrase == "told" and names_match(credit.name, article.outlet):
            return credit.name
    return None


def decide_origin(a: Article, b: Article) -> tuple[str | None, float, list[str]]:
    """``(origin id or None, confidence, reasons)`` for a derived pair."""
    score = 0.0  # > 0 favours a as the original
    reasons: list[str] = []
    for original, copy, sign in ((a, b, 1.0), (b, a, -1.0)):
        credited = _credits_outlet(copy, original)
        if credited:
            score += sign * _CREDIT
            reasons.append(f"{copy.id} credits {credited!r}, the outlet of {original.id} ({original.outlet})")
        told = _self_reported(original)
        if told and not _self_reported(copy):
            score += sign * _SELF_REPORTED
            reasons.append(f"{original.id} says the statements were given to its own outlet ({told})")
    if a.published and b.published:
        days = (b.published - a.published).days
        if days:
            score += _DATE if days > 0 else -_DATE
            first, later = (a, b) if days > 0 else (b, a)
            reasons.append(
                f"{first.id} published {first.published} is {abs(days)} day(s) before {later.id} ({later.published})"
            )
        else:
            reasons.append(f"both published on {a.published}: dates do not tell")
    else:
        missing = [x.id for x in (a, b) if not x.published]
        reasons.append(f"no publication date for {', '.join(missing)}")
    if abs(score) < _DECIDE_AT:
        reasons.append("not enough evidence to tell which is the original")
        return None, 0.0, reasons
    origin = a.id if score > 0 else b.id
    return origin, min(1.0, abs(score) / 5.0), reasons
