"""Graph pieces of the Spark executor: pair rules of one key group, and connected components on RDDs.

:func:`window_pairs` is the per-group rule of ``newstrace.candidates._pairs_in_groups`` (which works on the
whole sorted array at once): within one group of members sorted in article-id order, every pair at
positional distance below ``window``. :func:`connected_components` labels every node of an edge RDD with
the smallest node of its component (the union-find representative of ``newstrace.cluster.UnionFind``),
by alternating the large-star and small-star steps of Kiveris et al. (2014, "Connected Components in
MapReduce and Beyond"); it never brings nodes or edges to the driver.

Nothing here imports pyspark at module level: the functions take RDDs built elsewhere.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyspark import RDD

__all__ = ["connected_components", "window_pairs"]

logger = logging.getLogger(__name__)

_MAX_ROUNDS = 200
"""Large/small-star rounds before giving up (the algorithm needs O(log² n) rounds; 200 is never reached)."""


def window_pairs(members: Sequence[str], *, window: int) -> Iterator[tuple[str, str]]:
    """Pairs ``(members[i], members[j])`` with ``0 < j - i < window``, in order of ``i`` then ``j``.

    ``members`` must be sorted (article-id order, which is the local executor's index order), so every
    pair comes out as ``(smaller id, larger id)``. A group of at most ``window`` members gives all its
    pairs; a larger one gives a band around the diagonal (linear in the group size).
    """
    n = len(members)
    for i in range(n):
        for j in range(i + 1, min(n, i + window)):
            yield members[i], members[j]


# -- connected components -------------------------------------------------------------------------------
# Edges are (child, parent) with parent < child after every step; at convergence every component is a
# star whose centre is its smallest node.


def _both_ways(edge: tuple[str, str]) -> list[tuple[str, str]]:
    return [(edge[0], edge[1]), (edge[1], edge[0])]


def _large_star(item: tuple[str, Iterable[str]]) -> list[tuple[str, str]]:
    """Connect every larger neighbour of ``u`` to the smallest node of ``u``'s closed neighbourhood."""
    u, neighbours = item
    around = set(neighbours)
    smallest = min(min(around), u)
    return [(v, smallest) for v in around if v > u]


def _down(edge: tuple[str, str]) -> tuple[str, str]:
    """The edge keyed by its larger end: ``(larger, smaller)``."""
    a, b = edge
    return (a, b) if a > b else (b, a)


def _small_star(item: tuple[str, Iterable[str]]) -> list[tuple[str, str]]:
    """Connect ``u`` and its smaller neighbours to the smallest of them."""
    u, smaller = item
    group = set(smaller)
    group.add(u)
    smallest = min(group)
    return [(v, smallest) for v in group if v != smallest]


def _roles(edge: tuple[str, str]) -> list[tuple[str, tuple[int, int]]]:
    """``(node, (times it is a child, times it is a parent))`` for both ends of a (child, parent) edge."""
    return [(edge[0], (1, 0)), (edge[1], (0, 1))]


def _add_roles(x: tuple[int, int], y: tuple[int, int]) -> tuple[int, int]:
    return x[0] + y[0], x[1] + y[1]


def _not_a_star_node(item: tuple[str, tuple[int, int]]) -> bool:
    """A node breaks the star forest when it has two parents, or is both a child and a parent."""
    children, parents = item[1]
    return children > 1 or (children >= 1 and parents >= 1)


def _self_label(edge: tuple[str, str]) -> tuple[str, str]:
    return edge[1], edge[1]


def connected_components(
    edges: RDD[tuple[str, str]], *, partitions: int, max_rounds: int = _MAX_ROUNDS
) -> RDD[tuple[str, str]]:
    """``(node, smallest node of its component)`` for every node that has an edge (self-loops ignored).

    Node order is Python string order (code points), the order of ``UnionFind``'s representative. Each
    round is a few shuffles of the edge set; the result is cached (``persist``) and its lineage is cut.
    """
    from pyspark import StorageLevel

    current = edges.filter(lambda e: e[0] != e[1]).map(_down).distinct(partitions)
    current.persist(StorageLevel.MEMORY_AND_DISK)
    for round_number in range(1, max_rounds + 1):
        large = current.flatMap(_both_ways).groupByKey(partitions).flatMap(_large_star)
        small = large.map(_down).groupByKey(partitions).flatMap(_small_star).distinct(partitions)
        small.persist(StorageLevel.MEMORY_AND_DISK)
        small.localCheckpoint()
        converged = (
            small.flatMap(_roles).reduceByKey(_add_roles, partitions).filter(_not_a_star_node).isEmpty()
        )
        current.unpersist()
        current = small
        if converged:
            logger.debug("connected components: %d rounds", round_number)
            roots = current.map(_self_label).distinct(partitions)
            return current.union(roots)
    raise RuntimeError(f"connected components did not converge in {max_rounds} rounds")
