"""Union-find, stories and threads: deterministic groups and ids, story origins, thread time gaps."""

from __future__ import annotations

import datetime as dt
import itertools
import random

from newstrace import Alignment, Article, Relation, RelationKind, Settings
from newstrace.cluster import UnionFind, stories, threads

CLUSTER = Settings().cluster


def test_union_find_groups_do_not_depend_on_union_order() -> None:
    edges = [("d", "b"), ("b", "a"), ("x", "y"), ("e", "e"), ("y", "z"), ("c", "d")]
    ids = ["a", "b", "c", "d", "e", "x", "y", "z", "w"]
    expected = [("a", "b", "c", "d"), ("e",), ("w",), ("x", "y", "z")]
    rng = random.Random(0)
    for _ in range(30):
        order = edges[:]
        rng.shuffle(order)
        id_order = ids[:]
        rng.shuffle(id_order)
        uf = UnionFind(id_order)
        for x, y in order:
            if rng.random() < 0.5:
                x, y = y, x
            uf.union(x, y)
        assert uf.groups() == expected
        assert uf.find("d") == "a"  # the representative is the smallest id
        assert uf.find("z") == "x"


def test_union_find_adds_unknown_ids_on_find() -> None:
    uf = UnionFind()
    assert uf.find("q") == "q"
    uf.union("r", "q")
    assert uf.groups() == [("q", "r")]


def test_union_find_long_chain() -> None:
    ids = [f"n{i:04d}" for i in range(2000)]
    uf = UnionFind(ids)
    for x, y in itertools.pairwise(reversed(ids)):
        uf.union(x, y)
    assert uf.groups() == [tuple(ids)]
    assert all(uf.find(i) == "n0000" for i in ids)


def _article(article_id: str, published: dt.date | None = None) -> Article:
    return Article(id=article_id, published=published)


def _relation(a: str, b: str, kind: RelationKind, origin: str | None = None) -> Relation:
    empty = Alignment(a, b, (), 0.0, 0.0, 0.0, 0.0, 0, 1.0)
    return Relation(a, b, kind, origin, 1.0, (), empty, "test")


def test_stories_join_related_articles_and_ignore_unrelated_relations() -> None:
    articles = [_article(i) for i in ("e", "a", "c", "b", "d")]
    relations = [
        _relation("a", "b", RelationKind.DUPLICATE, origin="a"),
        _relation("b", "c", RelationKind.SAME_STORY),
        _relation("d", "e", RelationKind.UNRELATED),
    ]
    found = stories(articles, relations)
    assert [(s.id, s.articles) for s in found] == [
        ("s-a", ("a", "b", "c")),
        ("s-d", ("d",)),
        ("s-e", ("e",)),
    ]
    assert found[0].origin == "a"
    assert found[1].origin == "d"  # a story of one article is its own origin


def test_story_ids_do_not_depend_on_input_order() -> None:
    articles = [_article(i) for i in "abcdef"]
    relations = [
        _relation("a", "c", RelationKind.REWRITE, origin="c"),
        _relation("d", "f", RelationKind.PARTIAL, origin=None),
    ]
    expected = stories(articles, relations)
    rng = random.Random(1)
    for _ in range(10):
        shuffled_articles = articles[:]
        rng.shuffle(shuffled_articles)
        shuffled_relations = relations[::-1]
        assert stories(shuffled_articles, shuffled_relations) == expected


def test_story_origin_follows_the_chain_of_copies() -> None:
    articles = [_article(i) for i in "abc"]
    relations = [
        _relation("a", "b", RelationKind.REWRITE, origin="b"),
        _relation("a", "c", RelationKind.DUPLICATE, origin="a"),
    ]
    (story,) = stories(articles, relations)
    assert story.origin == "b"  # b → a → c


def test_story_origin_by_date_and_unknown_without_evidence() -> None:
    dated = [_article("a", dt.date(2024, 1, 3)), _article("b", dt.date(2024, 1, 1))]
    (story,) = stories(dated, [_relation("a", "b", RelationKind.SAME_STORY)])
    assert story.origin == "b"
    undated = [_article("a"), _article("b")]
    (story,) = stories(undated, [_relation("a", "b", RelationKind.SAME_STORY)])
    assert story.origin is None
    same_day = [_article("a", dt.date(2024, 1, 1)), _article("b", dt.date(2024, 1, 1))]
    (story,) = stories(same_day, [_relation("a", "b", RelationKind.SAME_STORY)])
    assert story.origin is None


def test_threads_join_similar_stories_within_the_time_gap() -> None:
    day = dt.date(2024, 6, 1)
    articles = [
        _article("a", day),
        _article("b", day + dt.timedelta(days=30)),
        _article("c", day + dt.timedelta(days=30 + CLUSTER.thread_max_gap_days + 1)),
        _article("d", day),
    ]
    story_list = stories(articles, [])
    similar = 2 * CLUSTER.thread_min_similarity
    weak = CLUSTER.thread_min_similarity / 2
    pairs = [("a", "b", similar), ("b", "c", similar), ("a", "d", weak)]
    found = threads(story_list, articles, pairs, settings=CLUSTER)
    assert [(t.id, t.stories, t.articles) for t in found] == [
        ("t-a", ("s-a", "s-b"), ("a", "b")),
        ("t-c", ("s-c",), ("c",)),
        ("t-d", ("s-d",), ("d",)),
    ]
