"""Relation kind from an alignment (and document similarity for independent coverage)."""

from __future__ import annotations

from newstrace.records import Alignment, LinkType, RelationKind
from newstrace.settings import RelateSettings

__all__ = ["decide_kind"]


def decide_kind(
    alignment: Alignment, *, doc_similarity: float, settings: RelateSettings, same_period: bool | None
) -> tuple[RelationKind, float, list[str]]:
    """``(kind, confidence, reasons)``.

    Derived kinds need evidence outside direct quotations: two outlets quoting the same statement is
    independent coverage, so quote-only links count toward coverage only when at least
    ``partial_min_links`` other links support copying.
    """
    links = alignment.links
    own = [lk for lk in links if not lk.quote_only]
    quotes = [lk for lk in links if lk.quote_only]
    close = [lk for lk in own if lk.type is not LinkType.PARAPHRASE]
    reasons: list[str] = []
    supported = len(own) >= settings.partial_min_links
    cov_a = alignment.coverage_a - (0.0 if supported else alignment.quote_coverage_a)
    cov_b = alignment.coverage_b - (0.0 if supported else alignment.quote_coverage_b)
    high = max(cov_a, cov_b)
    low = min(cov_a, cov_b)
    verbatim_share = sum(lk.type is LinkType.VERBATIM for lk in links) / max(1, len(links))
    mean_score = sum(lk.score for lk in links) / max(1, len(links))
    if quotes and not supported:
        reasons.append(
            f"{len(quotes)} shared quotation(s) but no other shared sentences: quoting, not copying"
        )
    if supported and low >= settings.duplicate_min_coverage and verbatim_share >= 0.8:
        reasons.append(
            f"near-verbatim: {verbatim_share:.0%} of {len(links)} aligned sentences identical, "
            f"coverage {cov_a:.0%}/{cov_b:.0%}"
        )
        return RelationKind.DUPLICATE, min(1.0, 0.6 + 0.4 * verbatim_share), reasons
    # Order matters for weak (paraphrase) links; a copy whose sentences are close to the original's is a
    # rewrite even when they were reordered.
    ordered = alignment.in_order >= 0.6 or len(close) >= 0.6 * len(links)
    if supported and high >= settings.rewrite_min_coverage and ordered and len(links) >= 3:
        reasons.append(
            f"restated: {len(links)} sentences aligned ({len(close)} verbatim or edited), "
            f"covering {high:.0%} of the shorter side in {alignment.in_order:.0%} original order, "
            f"longest run {alignment.longest_run}"
        )
        confidence = min(1.0, 0.4 + 0.4 * high + 0.2 * mean_score)
        return RelationKind.REWRITE, confidence, reasons
    if (
        len(close) >= settings.partial_min_links
        and alignment.longest_run >= 2
        and high >= settings.partial_min_coverage
    ):
        reasons.append(
            f"reused part: {len(close)} verbatim or edited sentences in runs up to {alignment.longest_run}, "
            f"covering {cov_a:.0%} of {alignment.a} and {cov_b:.0%} of {alignment.b}"
        )
        return RelationKind.PARTIAL, min(1.0, 0.4 + high), reasons
    if doc_similarity >= settings.same_story_min_score and same_period is not False:
        reasons.append(f"same event, independently written: document similarity {doc_similarity:.2f}")
        if links:
            reasons.append(f"only {len(links)} sentence(s) alike ({len(quotes)} shared quotation(s))")
        return RelationKind.SAME_STORY, min(1.0, doc_similarity + 0.3), reasons
    return RelationKind.UNRELATED, 1.0 - doc_similarity, reasons
