"""The candidates stage: which pairs of articles are worth aligning, without comparing all pairs.

Three channels, all subquadratic:

* ``minhash`` — LSH banding of MinHash signatures (near-verbatim copies). A band bucket larger than
  ``max_bucket`` contributes a chain plus a star instead of all its pairs, so a thousand identical copies
  cost O(n) pairs, not O(n²).
* ``sentences`` — two min-hashes of each sentence's word 3-grams; articles sharing two keys share
  sentences (partial reuse, truncated or lightly edited copies). Keys in more than 50 articles are stock
  phrases and are ignored.
* ``anchors`` — every article keeps its ``anchors_per_article`` rarest content terms (document frequency
  between 2 and ``anchor_max_df``); articles sharing at least ``anchor_min_shared`` anchors are paired.
  Names, numbers and rare words survive synonym spinning and paraphrase, and the df cap bounds the work
  per term (at most ``anchor_max_df²/2`` pairs).

Pairs are returned with ``a < b`` by article id, sorted, so results are deterministic.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable, Sequence

import numpy as np
import numpy.typing as npt

from newstrace.fingerprint import TermStats
from newstrace.records import CandidatePair, Signature
from newstrace.settings import FingerprintSettings

__all__ = [
    "anchor_pairs",
    "band_keys",
    "candidate_pairs",
    "lsh_pairs",
    "min_document_similarity",
    "minhash_matrix_pairs",
    "select_anchors",
    "sentence_pairs",
    "shared_term_pairs",
]

# The channels, in the order of their bits in candidate_pairs' masks.
_CHANNELS = ("minhash", "sentences", "anchors")
_BAND_MULTIPLIERS = np.array(
    [0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93] * 8, dtype=np.uint64
)


def band_keys(minhashes: npt.NDArray[np.uint32], *, bands: int) -> npt.NDArray[np.uint64]:
    """``(n, bands)`` uint64 keys, one per band of ``rows = num_perm // bands`` consecutive values."""
    n, num_perm = minhashes.shape
    rows = num_perm // bands
    grouped = minhashes[:, : bands * rows].reshape(n, bands, rows).astype(np.uint64)
    with np.errstate(over="ignore"):
        keys = (grouped * _BAND_MULTIPLIERS[:rows][None, None, :]).sum(axis=2, dtype=np.uint64)
        keys += np.arange(bands, dtype=np.uint64)[None, :] * np.uint64(0x632BE59BD9B4E019)
    out: npt.NDArray[np.uint64] = keys
    return out


def _pairs_in_groups(
    group: npt.NDArray[np.int64] | npt.NDArray[np.uint64], member: npt.NDArray[np.int64], *, max_group: int
) -> npt.NDArray[np.int64]:
    """All pairs of members sharing a group value (arrays sorted by group), as an ``(k, 2)`` array.

    Groups larger than ``max_group`` give only pairs at distance < ``max_group`` in sorted order (a band
    around the diagonal): linear in the group size, and every member stays connected to its neighbours.
    """
    out: list[npt.NDArray[np.int64]] = []
    n = group.size
    if n < 2:
        return np.zeros((0, 2), dtype=np.int64)
    starts = np.flatnonzero(np.concatenate(([True], group[1:] != group[:-1])))
    sizes = np.diff(np.append(starts, n))
    size_of = np.repeat(sizes, sizes)
    for d in range(1, min(max_group, n)):
        # Pairs at distance d lie inside groups of more than d members: the others are dropped (whole
        # groups, so neighbours stay neighbours); most groups are single members (unshared keys).
        keep = size_of > d
        if not keep.any():
            break
        if not keep.all():
            group, member, size_of = group[keep], member[keep], size_of[keep]
        same = group[d:] == group[:-d]
        out.append(np.stack([member[:-d][same], member[d:][same]], axis=1))
    if not out:
        return np.zeros((0, 2), dtype=np.int64)
    return np.concatenate(out)


def _counted_pairs(
    pairs: npt.NDArray[np.int64], n: int
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Distinct unordered pairs of ``pairs`` (items below ``n``) as ascending codes ``lo * n + hi``, and
    how often each occurs (a sort and a diff: ``np.unique`` with counts is several times slower)."""
    codes = np.sort(np.minimum(pairs[:, 0], pairs[:, 1]) * n + np.maximum(pairs[:, 0], pairs[:, 1]))
    first = np.flatnonzero(np.concatenate(([True], codes[1:] != codes[:-1])))
    return codes[first], np.diff(np.append(first, codes.size))


def lsh_pairs(signatures: Sequence[Signature], *, bands: int, max_bucket: int = 64) -> set[tuple[int, int]]:
    """Index pairs ``(i, j)``, ``i < j``, whose MinHash agrees on at least one band."""
    if len(signatures) < 2:
        return set()
    return minhash_matrix_pairs(np.stack([s.minhash for s in signatures]), bands=bands, max_bucket=max_bucket)


def minhash_matrix_pairs(
    matrix: npt.NDArray[np.uint32], *, bands: int, max_bucket: int = 64
) -> set[tuple[int, int]]:
    """:func:`lsh_pairs` over an ``(n, num_perm)`` matrix of MinHash rows (row ``i`` is item ``i``)."""
    if matrix.shape[0] < 2:
        return set()
    empty = (matrix == np.uint32(0xFFFFFFFF)).all(axis=1)
    keys = band_keys(matrix, bands=bands)
    found: list[npt.NDArray[np.int64]] = []
    members = np.arange(matrix.shape[0], dtype=np.int64)[~empty]
    for band in range(keys.shape[1]):
        column = keys[~empty, band]
        order = np.argsort(column, kind="stable")
        found.append(_pairs_in_groups(column[order].astype(np.int64), members[order], max_group=max_bucket))
    return _unique_pairs(found)


def select_anchors(
    terms: frozenset[str], stats: TermStats, *, settings: FingerprintSettings, min_df: int = 2
) -> list[str]:
    """The article's rarest terms with ``min_df ≤ df ≤ anchor_max_df`` (by default: shared with at least
    one other article), rarest first, ties broken by stable hash."""
    # Intersecting with the precomputed set of in-range terms keeps the per-article work in C.
    in_range = terms & stats.terms_with_df(max(1, min_df), settings.anchor_max_df)
    rank = stats.rarity_keys()
    return sorted(in_range, key=rank.__getitem__)[: settings.anchors_per_article]


def anchor_pairs(
    signatures: Sequence[Signature],
    stats: TermStats,
    *,
    settings: FingerprintSettings,
    anchors: Sequence[Sequence[Hashable]] | None = None,
) -> dict[tuple[int, int], int]:
    """Index pairs ``(i, j)`` with the number of anchors they share (only pairs sharing ≥ 2).

    ``anchors[i]`` is :func:`select_anchors` of ``signatures[i]`` when the caller made them already (in
    parallel, or from a :class:`~newstrace.fingerprint.TermTable`: any hashable term ids do, equal ids
    for equal terms)."""
    if anchors is None:
        anchors = [select_anchors(sig.terms, stats, settings=settings) for sig in signatures]
    term_ids: dict[Hashable, int] = {}
    terms: list[int] = []
    for chosen in anchors:
        terms.extend(term_ids.setdefault(term, len(term_ids)) for term in chosen)
    counts = np.fromiter(map(len, anchors), dtype=np.int64, count=len(anchors))
    members = np.repeat(np.arange(len(anchors), dtype=np.int64), counts)
    return shared_term_pairs(
        np.array(terms, dtype=np.int64), members, len(signatures), max_group=settings.anchor_max_df + 1
    )


def shared_term_pairs(
    terms: npt.NDArray[np.int64], members: npt.NDArray[np.int64], n: int, *, max_group: int
) -> dict[tuple[int, int], int]:
    """:func:`anchor_pairs` from its entries: article ``members[k]`` (below ``n``) holds term id
    ``terms[k]`` (non-negative, each once per article). Index pairs ``(i, j)``, ``i < j``, with how many
    terms they share, when at least 2; a term held by more than ``max_group`` articles pairs only
    neighbours in article order (see :func:`_pairs_in_groups`)."""
    if terms.size == 0:
        return {}
    # Each (term, article) entry is distinct, so one exact key orders by term, then article.
    order = np.argsort(terms * n + members)
    pairs = _pairs_in_groups(terms[order], members[order], max_group=max_group)
    if pairs.size == 0:
        return {}
    codes, counts = _counted_pairs(pairs, n)
    keep = counts >= 2
    return {(c // n, c % n): k for c, k in zip(codes[keep].tolist(), counts[keep].tolist(), strict=True)}


def sentence_pairs(
    signatures: Sequence[Signature], *, min_shared: int = 2, max_df: int = 50
) -> set[tuple[int, int]]:
    """Index pairs sharing at least ``min_shared`` sentence keys; a key in more than ``max_df`` articles
    (a stock sentence) is ignored, which bounds the work per key."""
    held = [
        (i, sig.sentence_keys)
        for i, sig in enumerate(signatures)
        if sig.sentence_keys is not None and sig.sentence_keys.size
    ]
    if not held:
        return set()
    keys = np.concatenate([k for _, k in held])
    owners = np.fromiter((i for i, _ in held), dtype=np.int64, count=len(held))
    members = np.repeat(owners, np.fromiter((k.size for _, k in held), dtype=np.int64, count=len(held)))
    # Any order of members inside a key's group will do: every kept group is smaller than the group
    # size limit below, so all its pairs are made (no stable sort needed).
    order = np.argsort(keys)
    keys, members = keys[order], members[order]
    start = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
    counts = np.diff(np.append(start, keys.size))
    kept = np.repeat((counts >= 2) & (counts <= max_df), counts)
    pairs = _pairs_in_groups(keys[kept], members[kept], max_group=max_df + 1)
    if pairs.size == 0:
        return set()
    n = len(signatures)
    codes, shared = _counted_pairs(pairs, n)
    return {(c // n, c % n) for c in codes[shared >= min_shared].tolist()}


def min_document_similarity(channels: Collection[str], *, settings: FingerprintSettings) -> float:
    """The document similarity (IDF-weighted term cosine) a pair proposed by ``channels`` needs before
    it is aligned: 0 with a MinHash band in common; ``anchor_only_min_similarity`` when only shared rare
    terms propose it (no sentence in common at all, so it is coverage of one event or a heavy paraphrase,
    both of which share much vocabulary); ``candidate_min_similarity`` otherwise. Chance overlaps of
    rare terms and stock phrases are dropped before costly alignment."""
    if "minhash" in channels:
        return 0.0
    if set(channels) == {"anchors"}:
        return max(settings.candidate_min_similarity, settings.anchor_only_min_similarity)
    return settings.candidate_min_similarity


def _unique_pairs(chunks: list[npt.NDArray[np.int64]]) -> set[tuple[int, int]]:
    if not chunks:
        return set()
    pairs = np.concatenate(chunks)
    if pairs.size == 0:
        return set()
    span = int(pairs.max()) + 1
    codes, _ = _counted_pairs(pairs, span)
    return {(c // span, c % span) for c in codes.tolist()}


def candidate_pairs(
    signatures: Sequence[Signature],
    stats: TermStats,
    *,
    settings: FingerprintSettings,
    channels: Sequence[str] = ("minhash", "sentences", "anchors"),
    shared_anchors: dict[tuple[int, int], int] | None = None,
    similarity: Callable[[Sequence[tuple[int, int]]], Sequence[float]] | None = None,
) -> list[CandidatePair]:
    """Candidate pairs from the chosen channels, ``a < b`` by id, sorted by ``(a, b)``.

    ``shared_anchors`` is the result of :func:`anchor_pairs` when the caller already has it;
    ``similarity`` gives the document similarity (``stats.cosine`` of the two term sets) of many index
    pairs at once, for a caller that computes them elsewhere (in parallel, or already known).
    """
    # Channels of each pair as a bit mask (bit k: _CHANNELS[k]): a floor and a name set per distinct
    # mask, not per pair (hundreds of thousands of pairs on a large corpus).
    found: dict[tuple[int, int], int] = {}
    if "minhash" in channels:
        for pair in lsh_pairs(signatures, bands=settings.lsh_bands):
            found[pair] = found.get(pair, 0) | 1
    if "sentences" in channels:
        for pair in sentence_pairs(signatures):
            found[pair] = found.get(pair, 0) | 2
    if "anchors" in channels:
        if shared_anchors is None:
            shared_anchors = anchor_pairs(signatures, stats, settings=settings)
        least = settings.anchor_min_shared
        for pair, shared in shared_anchors.items():
            if shared >= least:
                found[pair] = found.get(pair, 0) | 4
    names_of = [frozenset(name for k, name in enumerate(_CHANNELS) if mask >> k & 1) for mask in range(8)]
    floor_of = [min_document_similarity(names, settings=settings) for names in names_of]
    if stats.docs:
        floored = [pair for pair, mask in found.items() if floor_of[mask] > 0]
        if similarity is None:
            similarities = [stats.cosine(signatures[i].terms, signatures[j].terms) for i, j in floored]
        else:
            similarities = list(similarity(floored))
        below = {
            pair for pair, value in zip(floored, similarities, strict=True) if value < floor_of[found[pair]]
        }
    else:
        below = set()
    out = []
    for (i, j), mask in found.items():
        if (i, j) in below:
            continue
        a, b = signatures[i].article_id, signatures[j].article_id
        if a == b:
            continue
        if a > b:
            a, b = b, a
        out.append(CandidatePair(a=a, b=b, channels=names_of[mask]))
    out.sort(key=lambda p: (p.a, p.b))
    return out
