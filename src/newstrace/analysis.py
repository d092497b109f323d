"""The result of one ``Engine.analyze`` run and its JSON contract.

JSON contract (stable; extended only by adding fields)::

    {"articles": [{"id","title","outlet","published","language","sentences","removed":[...], ...}],
     "relations": [{"a","b","kind","origin","confidence","reasons":[...],"coverage":{"a":x,"b":y},
                    "aligned":[{"a":[start,end],"b":[start,end],"score":s,"type":t}],"changes":[]}],
     "stories": [{"id","articles":[...],"origin":id-or-null}],
     "threads": [{"id","stories":[...]}],
     "settings": {...versioned ids},
     "skipped": [{"source","line","reason"}]}

``sentences`` is a count; ``removed`` lists the removed lines' text. Offsets are character offsets into
the article's cleaned text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from newstrace.errors import InputError
from newstrace.records import (
    Alignment,
    Article,
    Change,
    ChangeType,
    Link,
    LinkType,
    Relation,
    RelationKind,
    Story,
    Thread,
)

__all__ = ["Analysis", "article_to_json", "change_to_json", "relation_from_json", "relation_to_json"]


@dataclass(frozen=True, slots=True)
class Analysis:
    """Articles (cleaned), derived and same-story relations, stories, threads and the settings ids."""

    articles: tuple[Article, ...]
    relations: tuple[Relation, ...]
    stories: tuple[Story, ...]
    threads: tuple[Thread, ...]
    settings: dict[str, str]
    skipped: tuple[InputError, ...] = field(default=())

    def article(self, article_id: str) -> Article:
        for article in self.articles:
            if article.id == article_id:
                return article
        raise KeyError(article_id)

    def to_json(self) -> dict[str, Any]:
        return {
            "articles": [article_to_json(a) for a in self.articles],
            "relations": [relation_to_json(r) for r in self.relations],
            "stories": [{"id": s.id, "articles": list(s.articles), "origin": s.origin} for s in self.stories],
            "threads": [
                {"id": t.id, "stories": list(t.stories), "articles": list(t.articles)} for t in self.threads
            ],
            "settings": dict(self.settings),
            "skipped": [{"source": e.source, "line": e.line, "reason": e.reason} for e in self.skipped],
        }


def article_to_json(article: Article) -> dict[str, Any]:
    return {
        "id": article.id,
        "title": article.title,
        "outlet": article.outlet,
        "published": article.published.isoformat() if article.published else None,
        "language": article.language,
        "url": article.url,
        "byline": article.byline,
        "source": article.source,
        "sentences": len(article.sentences),
        "removed": [r.text for r in article.removed],
        "removed_detail": [{"text": r.text, "line": r.line, "reason": r.reason} for r in article.removed],
        "credits": [{"name": c.name, "phrase": c.phrase, "span": [c.start, c.end]} for c in article.credits],
    }


def change_to_json(change: Change) -> dict[str, Any]:
    return {
        "type": str(change.type),
        "original": change.original,
        "copy": change.copy,
        "original_span": list(change.original_span),
        "copy_span": list(change.copy_span),
        "severity": round(change.severity, 3),
        "detail": change.detail,
    }


def relation_to_json(relation: Relation) -> dict[str, Any]:
    alignment = relation.alignment
    return {
        "a": relation.a,
        "b": relation.b,
        "kind": str(relation.kind),
        "origin": relation.origin,
        "copy": _copy_of(relation),
        "confidence": round(relation.confidence, 3),
        "reasons": list(relation.reasons),
        "coverage": {"a": round(alignment.coverage_a, 3), "b": round(alignment.coverage_b, 3)},
        "quote_coverage": {
            "a": round(alignment.quote_coverage_a, 3),
            "b": round(alignment.quote_coverage_b, 3),
        },
        "longest_run": alignment.longest_run,
        "in_order": round(alignment.in_order, 3),
        "aligned": [
            {
                "a": list(link.a_span),
                "b": list(link.b_span),
                "a_sentence": link.a,
                "b_sentence": link.b,
                "score": round(link.score, 3),
                "type": str(link.type),
                "quote_only": link.quote_only,
            }
            for link in alignment.links
        ],
        "changes": [change_to_json(c) for c in relation.changes],
        "algorithm": relation.algorithm,
    }


def relation_from_json(data: dict[str, Any]) -> Relation:
    """The inverse of :func:`relation_to_json` (scores keep the 3 decimals of the JSON)."""
    links = tuple(
        Link(
            a=int(x["a_sentence"]),
            b=int(x["b_sentence"]),
            a_span=(int(x["a"][0]), int(x["a"][1])),
            b_span=(int(x["b"][0]), int(x["b"][1])),
            score=float(x["score"]),
            type=LinkType(x["type"]),
            quote_only=bool(x.get("quote_only", False)),
        )
        for x in data["aligned"]
    )
    quote = data.get("quote_coverage", {"a": 0.0, "b": 0.0})
    alignment = Alignment(
        a=data["a"],
        b=data["b"],
        links=links,
        coverage_a=float(data["coverage"]["a"]),
        coverage_b=float(data["coverage"]["b"]),
        quote_coverage_a=float(quote["a"]),
        quote_coverage_b=float(quote["b"]),
        longest_run=int(data.get("longest_run", 0)),
        in_order=float(data.get("in_order", 1.0)),
    )
    changes = tuple(
        Change(
            type=ChangeType(c["type"]),
            original=c["original"],
            copy=c["copy"],
            original_span=(int(c["original_span"][0]), int(c["original_span"][1])),
            copy_span=(int(c["copy_span"][0]), int(c["copy_span"][1])),
            severity=float(c["severity"]),
            detail=c.get("detail", ""),
        )
        for c in data.get("changes", [])
    )
    return Relation(
        a=data["a"],
        b=data["b"],
        kind=RelationKind(data["kind"]),
        origin=data.get("origin"),
        confidence=float(data["confidence"]),
        reasons=tuple(data.get("reasons", [])),
        alignment=alignment,
        algorithm=data.get("algorithm", ""),
        changes=changes,
    )


def _copy_of(relation: Relation) -> str | None:
    if relation.origin is None:
        return None
    return relation.b if relation.origin == relation.a else relation.a
