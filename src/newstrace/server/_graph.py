"""The provenance graph of a story as an inline SVG (laid out here; no scripts, no external resources).

Layout: one row per article, oldest at the top (undated last); arrows run from the original to the copy
as arcs in a gutter left of the rows, wider the more rows they span. Derived relations with a known
origin are arrows coloured by kind; derived relations with an unknown origin are dashed lines without a
head; same-story relations are dotted. The story's original gets a thick frame and an "original" label.
For each copy the most direct source is drawn bold and other copying edges faint. Every node and edge has a ``<title>`` (the reasons of a relation), which browsers show on hover.

Every piece of article data goes through :func:`html.escape` before it reaches the markup.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence

from newstrace.records import Article, Relation

__all__ = ["MAX_NODES", "provenance_svg"]

MAX_NODES = 150
_ROW = 48
_BOX_H = 36
_BOX_W = 600
_TOP = 10
_ARC_MIN = 26
_ARC_STEP = 20
_ARC_MAX = 300
_KINDS = ("duplicate", "rewrite", "partial")


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _node_label(article: Article) -> str:
    date = article.published.isoformat() if article.published else "undated"
    return f"{article.id} · {article.outlet or 'unknown outlet'} · {date}"


def _edge_title(relation: Relation) -> str:
    if relation.origin is not None:
        copy = relation.b if relation.origin == relation.a else relation.a
        head = f"{relation.origin} → {copy} (original → copy)"
    else:
        head = f"{relation.a} — {relation.b} (origin unknown)"
    lines = [head, f"{relation.kind} · confidence {relation.confidence:.2f}", *relation.reasons]
    return "\n".join(lines)


def _main_sources(edges: Sequence[Relation], row: dict[str, int]) -> set[int]:
    """For each copy, its most direct source (a display choice, drawn bold): the strongest derived relation
    naming it as the copy, ties going to the latest original. Other copying edges (e.g. to the original
    of its source) are drawn faint. Returns ``id()`` of the chosen relations."""
    best: dict[str, Relation] = {}
    for relation in edges:
        if not relation.kind.derived or relation.origin is None:
            continue
        copy = relation.b if relation.origin == relation.a else relation.a
        current = best.get(copy)
        if current is None or (relation.confidence, row[relation.origin]) > (
            current.confidence,
            row[current.origin or copy],
        ):
            best[copy] = relation
    return {id(r) for r in best.values()}


def provenance_svg(
    articles: Sequence[Article],
    relations: Sequence[Relation],
    origin: str | None,
    *,
    node_href: Callable[[str], str],
    edge_href: Callable[[str, str], str],
) -> str:
    """An ``<svg>`` element: ``articles`` in the given order (oldest first), edges from ``relations``.

    ``node_href(id)`` and ``edge_href(a, b)`` give the (already URL-safe) links of nodes and edges.
    """
    shown = list(articles[:MAX_NODES])
    row = {a.id: i for i, a in enumerate(shown)}
    edges = [r for r in relations if r.a in row and r.b in row]

    def y(i: int) -> float:
        return _TOP + i * _ROW + _BOX_H / 2

    spans = [abs(row[r.a] - row[r.b]) for r in edges]
    gutter = 16 + max([min(_ARC_MAX, _ARC_MIN + _ARC_STEP * (s - 1)) for s in spans] or [_ARC_MIN])
    width = gutter + _BOX_W + 8
    height = _TOP * 2 + max(1, len(shown)) * _ROW - (_ROW - _BOX_H)
    out = [
        f'<svg class="graph" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="provenance graph: who copied whom">',
        "<defs>",
        *(
            f'<marker id="nt-arrow-{kind}" class="arrow-{kind}" viewBox="0 0 10 10" refX="9" refY="5" '
            'markerUnits="userSpaceOnUse" markerWidth="11" markerHeight="11" orient="auto"><path d="M0,0 L10,5 L0,10 z"/></marker>'
            for kind in _KINDS
        ),
        "</defs>",
    ]
    # Edges first, so the boxes sit on top of their ends.
    main = _main_sources(edges, row)
    ordered_edges = sorted(edges, key=lambda r: (id(r) in main, r.kind.derived, r.confidence))
    for relation in ordered_edges:
        if relation.origin is not None:
            start, end = relation.origin, relation.b if relation.origin == relation.a else relation.a
        else:
            start, end = relation.a, relation.b
        i, j = row[start], row[end]
        bulge = min(_ARC_MAX, _ARC_MIN + _ARC_STEP * (abs(i - j) - 1))
        shift = 5 if j > i else -5
        x0 = gutter
        y1, y2 = y(i) + shift, y(j) - shift
        path = f"M{x0},{y1:.1f} C{x0 - bulge},{y1:.1f} {x0 - bulge},{y2:.1f} {x0},{y2:.1f}"
        if relation.kind.derived and relation.origin is not None:
            css = f"edge derived {relation.kind}" + ("" if id(relation) in main else " secondary")
            marker = f' marker-end="url(#nt-arrow-{relation.kind})"'
        elif relation.kind.derived:
            css, marker = "edge derived unknown-origin", ""
        else:
            css, marker = f"edge {relation.kind}", ""
        stroke = 1.2 + 2.0 * max(0.0, min(1.0, relation.confidence))
        out.append(
            f'<a href="{_e(edge_href(relation.a, relation.b))}">'
            f'<g class="{_e(css)}"><title>{_e(_edge_title(relation))}</title>'
            f'<path class="hit" d="{path}"/>'
            f'<path class="line" d="{path}" style="stroke-width:{stroke:.1f}px"{marker}/></g></a>'
        )
    for article in shown:
        i = row[article.id]
        top = _TOP + i * _ROW
        is_origin = article.id == origin
        css = "node original" if is_origin else "node"
        tooltip = [_node_label(article)]
        if article.title:
            tooltip.append(article.title)
        if is_origin:
            tooltip.append("the original of this story")
        label_w = 84 if is_origin else 0
        chars = (_BOX_W - 20 - label_w) // 7
        out.append(
            f'<a href="{_e(node_href(article.id))}"><g class="{css}" data-article="{_e(article.id)}">'
            f"<title>{_e(chr(10).join(tooltip))}</title>"
            f'<rect x="{gutter}" y="{top}" width="{_BOX_W}" height="{_BOX_H}" rx="6"/>'
            f'<text class="label" x="{gutter + 10}" y="{top + 15}">{_e(_clip(_node_label(article), chars))}</text>'
            f'<text class="sub" x="{gutter + 10}" y="{top + 30}">{_e(_clip(article.title or "(no title)", chars))}</text>'
        )
        if is_origin:
            out.append(
                f'<text class="badge" x="{gutter + _BOX_W - 10}" y="{top + 22}" text-anchor="end">original</text>'
            )
        out.append("</g></a>")
    out.append("</svg>")
    return "".join(out)
