"""Side-by-side layout of one relation, shared by the terminal and HTML renderers.

:func:`side_by_side` turns a relation's alignment into rows: linked sentence pairs, and the unaligned
sentences of either side in text order between them. Each :class:`Cell` carries its text plus the
ranges to highlight: words that differ from the other side (from :func:`word_diff`) and spans named by
the relation's :class:`Change` s. :func:`runs` cuts a cell into uniformly styled pieces.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum
from itertools import pairwise

from newstrace.records import Article, Change, Link, Relation
from newstrace.report._diff import word_diff

__all__ = ["Cell", "Role", "Row", "Run", "checked_pair", "roles", "runs", "side_by_side"]

logger = logging.getLogger(__name__)


class Role(StrEnum):
    ORIGINAL = "original"
    COPY = "copy"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Cell:
    """One side of a row. ``start`` is the offset of ``text`` in the article's cleaned text;
    ``diff`` and ``changes`` are ranges relative to ``text``."""

    text: str
    start: int
    sentence: int | None
    diff: tuple[tuple[int, int], ...] = ()
    changes: tuple[tuple[int, int, Change], ...] = ()


@dataclass(frozen=True, slots=True)
class Row:
    """A linked pair (``link`` set, both cells) or one unaligned sentence (one cell, no link)."""

    a: Cell | None
    b: Cell | None
    link: Link | None = None


@dataclass(frozen=True, slots=True)
class Run:
    """A piece of a cell's text with one style: ``changed`` words, inside ``change`` (if any)."""

    text: str
    changed: bool
    change: Change | None


def checked_pair(relation: Relation, a: Article, b: Article) -> tuple[Article, Article]:
    """Return ``(a, b)`` in the relation's order; accept them swapped, reject other articles."""
    if a.id == relation.a and b.id == relation.b:
        return a, b
    if a.id == relation.b and b.id == relation.a:
        return b, a
    raise ValueError(
        f"articles {a.id!r} and {b.id!r} do not match relation {relation.a!r} / {relation.b!r}; "
        "pass the two articles the relation is about"
    )


def roles(relation: Relation) -> tuple[Role, Role]:
    """Roles of A and B: which one is the original and which the copy, when known."""
    if relation.origin == relation.a:
        return Role.ORIGINAL, Role.COPY
    if relation.origin == relation.b:
        return Role.COPY, Role.ORIGINAL
    return Role.UNKNOWN, Role.UNKNOWN


def _valid(span: tuple[int, int], text: str) -> bool:
    return 0 <= span[0] <= span[1] <= len(text)


def _linked_text(article: Article, span: tuple[int, int], index: int) -> tuple[str, int]:
    if article.text and _valid(span, article.text):
        return article.text[span[0] : span[1]], span[0]
    if 0 <= index < len(article.sentences):
        sentence = article.sentences[index]
        return sentence.text, sentence.start
    logger.warning("article %r: link span %r and sentence %d are out of range", article.id, span, index)
    return "", 0


def _change_marks(
    text: str, start: int, spans: list[tuple[tuple[int, int], Change]]
) -> tuple[tuple[int, int, Change], ...]:
    end = start + len(text)
    marks: list[tuple[int, int, Change]] = []
    for (c_start, c_end), change in spans:
        lo, hi = max(c_start, start), min(c_end, end)
        if lo < hi:
            marks.append((lo - start, hi - start, change))
    return tuple(marks)


def side_by_side(relation: Relation, a: Article, b: Article) -> list[Row]:
    """Rows for the two-column view of ``relation`` between ``a`` and ``b`` (see module doc)."""
    a, b = checked_pair(relation, a, b)
    role_a, _ = roles(relation)
    # Change spans are in the original's and the copy's text; with no known origin, A is the original.
    a_is_original = role_a is not Role.COPY
    change_spans_a = [(c.original_span if a_is_original else c.copy_span, c) for c in relation.changes]
    change_spans_b = [(c.copy_span if a_is_original else c.original_span, c) for c in relation.changes]

    linked_rows: list[tuple[int, int, Row]] = []
    a_linked: set[int] = set()
    b_linked: set[int] = set()
    a_ranges: list[tuple[int, int]] = []
    b_ranges: list[tuple[int, int]] = []
    for link in relation.alignment.links:
        text_a, start_a = _linked_text(a, link.a_span, link.a)
        text_b, start_b = _linked_text(b, link.b_span, link.b)
        diff = word_diff(text_a, text_b)
        cell_a = Cell(
            text=text_a,
            start=start_a,
            sentence=link.a,
            diff=tuple((s.start, s.end) for s in diff.a if s.changed),
            changes=_change_marks(text_a, start_a, change_spans_a),
        )
        cell_b = Cell(
            text=text_b,
            start=start_b,
            sentence=link.b,
            diff=tuple((s.start, s.end) for s in diff.b if s.changed),
            changes=_change_marks(text_b, start_b, change_spans_b),
        )
        a_linked.add(link.a)
        b_linked.add(link.b)
        a_ranges.append((start_a, start_a + len(text_a)))
        b_ranges.append((start_b, start_b + len(text_b)))
        linked_rows.append((start_a, start_b, Row(a=cell_a, b=cell_b, link=link)))
    linked_rows.sort(key=lambda item: (item[0], item[1]))

    def free(article: Article, linked: set[int], ranges: list[tuple[int, int]]) -> list[Cell]:
        cells = [
            Cell(text=s.text, start=s.start, sentence=s.index)
            for s in article.sentences
            if s.index not in linked and not any(lo <= s.start and s.end <= hi for lo, hi in ranges)
        ]
        return sorted(cells, key=lambda c: c.start)

    free_a = free(a, a_linked, a_ranges)
    free_b = free(b, b_linked, b_ranges)
    rows: list[Row] = []
    i = j = 0
    for start_a, start_b, row in linked_rows:
        while i < len(free_a) and free_a[i].start < start_a:
            rows.append(Row(a=free_a[i], b=None))
            i += 1
        while j < len(free_b) and free_b[j].start < start_b:
            rows.append(Row(a=None, b=free_b[j]))
            j += 1
        rows.append(row)
    rows.extend(Row(a=cell, b=None) for cell in free_a[i:])
    rows.extend(Row(a=None, b=cell) for cell in free_b[j:])
    return rows


def runs(cell: Cell) -> list[Run]:
    """Cut ``cell.text`` at every highlight boundary; overlapping changes show the most severe."""
    cuts = {0, len(cell.text)}
    for lo, hi in cell.diff:
        cuts.update((lo, hi))
    for lo, hi, _ in cell.changes:
        cuts.update((lo, hi))
    bounds = sorted(c for c in cuts if 0 <= c <= len(cell.text))
    result: list[Run] = []
    for lo, hi in pairwise(bounds):
        if lo == hi:
            continue
        changed = any(d_lo <= lo and hi <= d_hi for d_lo, d_hi in cell.diff)
        covering = [c for c_lo, c_hi, c in cell.changes if c_lo <= lo and hi <= c_hi]
        change = max(covering, key=lambda c: c.severity) if covering else None
        if result and result[-1].changed == changed and result[-1].change is change:
            result[-1] = Run(result[-1].text + cell.text[lo:hi], changed, change)
        else:
            result.append(Run(cell.text[lo:hi], changed, change))
    return result
