"""Spark graph pieces: the per-group pair rule equals the local candidates rule, and distributed
connected components equal union-find groups."""

from __future__ import annotations

import itertools
import random
from typing import Any

import numpy as np

from newstrace.candidates import _pairs_in_groups
from newstrace.cluster import UnionFind
from newstrace.executors._spark_graph import connected_components, window_pairs


def test_window_pairs_equal_the_local_group_rule() -> None:
    rng = random.Random(3)
    for _ in range(50):
        sizes = [rng.randint(1, 30) for _ in range(rng.randint(1, 6))]
        window = rng.randint(2, 12)
        members = [f"m{i:03d}" for i in range(sum(sizes))]
        group = np.repeat(np.arange(len(sizes), dtype=np.int64), sizes)
        local = _pairs_in_groups(group, np.arange(len(members), dtype=np.int64), max_group=window)
        expected = {(members[i], members[j]) for i, j in local.tolist()}
        found: list[tuple[str, str]] = []
        start = 0
        for size in sizes:
            found.extend(window_pairs(members[start : start + size], window=window))
            start += size
        assert len(found) == len(set(found))
        assert set(found) == expected
        assert all(a < b for a, b in found)


def test_window_pairs_of_a_small_group_are_all_pairs() -> None:
    members = ["a", "b", "c", "d"]
    assert list(window_pairs(members, window=64)) == list(itertools.combinations(members, 2))
    assert list(window_pairs(members, window=2)) == [("a", "b"), ("b", "c"), ("c", "d")]


def _random_edges(rng: random.Random, nodes: int, edges: int) -> list[tuple[str, str]]:
    names = [f"n{rng.randrange(10**6):06d}" for _ in range(nodes)]
    out = [(rng.choice(names), rng.choice(names)) for _ in range(edges)]
    # A long path, so components need several rounds.
    path = sorted(names)[: nodes // 3]
    rng.shuffle(path)
    out += list(itertools.pairwise(path))
    return out


def test_connected_components_equal_union_find(spark_executor: Any) -> None:
    sc = spark_executor.spark.sparkContext
    rng = random.Random(7)
    for nodes, edges in ((2, 1), (60, 40), (200, 300)):
        pairs = _random_edges(rng, nodes, edges)
        uf = UnionFind()
        for a, b in pairs:
            uf.union(a, b)
        # Self-loops carry no connection: a node whose only edge is one gets no label (callers label
        # nodes without edges themselves).
        expected = {x: uf.find(x) for a, b in pairs if a != b for x in (a, b)}
        labels = dict(connected_components(sc.parallelize(pairs, 4), partitions=4).collect())
        assert labels == expected


def test_connected_components_of_no_edges_are_empty(spark_executor: Any) -> None:
    sc = spark_executor.spark.sparkContext
    assert connected_components(sc.parallelize([("a", "a")], 2), partitions=2).collect() == []
