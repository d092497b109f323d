"""The cluster stage: stories (one event) and threads (one topic over time) by union-find.

Stories join articles linked by a derived or same-story relation. Threads join stories whose articles
are topically similar (document similarity at least ``thread_min_similarity``) and, when both are dated,
at most ``thread_max_gap_days`` apart. Ids are stable: a story's id derives from its smallest article id.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from newstrace.records import Article, Relation, RelationKind, Story, Thread
from newstrace.settings import ClusterSettings

__all__ = ["UnionFind", "stories", "story_origin", "threads"]


class UnionFind:
    """Disjoint sets over string ids; the representative is the smallest id (deterministic)."""

    def __init__(self, ids: Iterable[str] = ()) -> None:
        self.parent: dict[str, str] = {i: i for i in ids}

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, x: str, y: str) -> None:
        rx, ry = self.find(x), self.find(y)
        if rx != ry:
            lo, hi = sorted((rx, ry))
            self.parent[hi] = lo

    def groups(self) -> list[tuple[str, ...]]:
        out: dict[str, list[str]] = {}
        for x in sorted(self.parent):
            out.setdefault(self.find(x), []).append(x)
        return sorted((tuple(v) for v in out.values()), key=lambda g: g[0])


def story_origin(
    members: Sequence[str], relations: Sequence[Relation], articles: dict[str, Article]
) -> str | None:
    derived = [r for r in relations if r.kind.derived]
    copies = {r.b if r.origin == r.a else r.a for r in derived if r.origin is not None}
    roots = {r.origin for r in derived if r.origin is not None} - copies
    if len(roots) == 1:
        return next(iter(roots))
    if len(members) == 1:
        return members[0]
    undecided = any(r.origin is None for r in derived)
    dated = [(articles[m].published, m) for m in members if articles[m].published]
    if not undecided and len(dated) == len(members):
        dated.sort()
        if dated[0][0] != dated[1][0]:
            return dated[0][1]
    return None


def stories(articles: Sequence[Article], relations: Sequence[Relation]) -> list[Story]:
    by_id = {a.id: a for a in articles}
    uf = UnionFind(by_id)
    for r in relations:
        if r.kind is not RelationKind.UNRELATED:
            uf.union(r.a, r.b)
    # Each relation belongs to the story of its endpoints (one pass; scanning all relations per story
    # would be quadratic in the corpus).
    by_story: dict[str, list[Relation]] = {}
    for r in relations:
        root = uf.find(r.a)
        if root == uf.find(r.b):
            by_story.setdefault(root, []).append(r)
    out = []
    for members in uf.groups():
        rels = by_story.get(uf.find(members[0]), [])
        out.append(Story(id=f"s-{members[0]}", articles=members, origin=story_origin(members, rels, by_id)))
    return out


def threads(
    story_list: Sequence[Story],
    articles: Sequence[Article],
    similar_pairs: Iterable[tuple[str, str, float]],
    *,
    settings: ClusterSettings,
) -> list[Thread]:
    """Group stories; ``similar_pairs`` are ``(article id, article id, document similarity)``."""
    by_id = {a.id: a for a in articles}
    story_of = {aid: s.id for s in story_list for aid in s.articles}
    uf = UnionFind(s.id for s in story_list)
    for x, y, similarity in similar_pairs:
        if similarity < settings.thread_min_similarity or story_of[x] == story_of[y]:
            continue
        dx, dy = by_id[x].published, by_id[y].published
        if dx and dy and abs((dx - dy).days) > settings.thread_max_gap_days:
            continue
        uf.union(story_of[x], story_of[y])
    members_of = {s.id: s.articles for s in story_list}
    out = []
    for group in uf.groups():
        arts = tuple(sorted(a for sid in group for a in members_of[sid]))
        out.append(Thread(id=f"t-{arts[0]}", stories=group, articles=arts))
    return out
