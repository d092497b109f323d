"""Vectorised token hashing, word shingles and one-permutation MinHash.

Token hashes (:func:`text_token_hashes`): a word is a maximal run of ASCII letters/digits or non-ASCII
bytes of the UTF-8 encoded, lowercased text (general punctuation — curly quotes, dashes, ellipsis — and
no-break spaces separate words). A word's hash is the polynomial hash ``Σ byte_i · P^i (mod 2**64)`` of
its bytes, computed for all words at once from prefix sums (``P`` is odd, so it is invertible modulo
2**64), then passed through the splitmix64 finaliser. Stable across processes and machines.

Shingle hashes (:func:`rolling_hashes`): a fixed random linear combination (mod 2**64) of ``size``
consecutive token hashes, so a shingle depends on word order.

MinHash (:func:`minhash`): one-permutation hashing with rotation densification. Each shingle hash is
mixed (splitmix64), its bin is ``floor(mixed · num_perm / 2**64)`` and a bin keeps the low 32 bits of its
smallest mixed hash; an empty bin copies the nearest non-empty bin to its right (circularly), offset by
``distance · 0x9E3779B1``. Two sets agree in a bin with probability ≈ their Jaccard similarity, as with
``num_perm`` independent permutations, at the cost of one hash per shingle instead of ``num_perm``.

Layout of a stored MinHash: ``num_perm`` little-endian unsigned 32-bit integers, bin ``i`` at byte
offset ``4 * i``; nothing else (the hash family and seeds are fixed by the fingerprint algorithm id).
All bins ``0xFFFFFFFF`` is the signature of an empty set.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from functools import lru_cache
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

from newstrace._text import stable_hash64

_Scalar = TypeVar("_Scalar", bound=np.generic)

__all__ = [
    "char_to_byte_offsets",
    "distinct_pairs",
    "hashed_form",
    "byte_token_hashes",
    "minhash",
    "minhash_rows",
    "mix64",
    "pair_order",
    "rolling_hashes",
    "shingle_hashes",
    "sorted_unique",
    "stable_order",
    "text_token_hashes",
    "token_hash",
    "token_hash_array",
    "unique_first_inverse",
]

_SEED = 0x6E657773  # "news"
_MAX_SHINGLE = 16
_rng = np.random.default_rng(_SEED)
_SHINGLE_MULTIPLIERS = _rng.integers(1, 2**63, size=_MAX_SHINGLE, dtype=np.uint64) * np.uint64(2) + np.uint64(
    1
)
_MINHASH_SEED = np.uint64(_rng.integers(0, 2**63, dtype=np.uint64))
_EMPTY = np.uint32(0xFFFFFFFF)
_LOW32 = np.uint64(0xFFFFFFFF)
_NO_HASH = np.uint64(0xFFFFFFFFFFFFFFFF)
_DENSIFY_STEP = np.uint64(0x9E3779B1)

# Polynomial byte hash: an odd multiplier and its inverse modulo 2**64.
_P = 0x100000001B3
_P_INV = pow(_P, -1, 2**64)
_powers = np.ones(1, dtype=np.uint64)
_inverse_powers = np.ones(1, dtype=np.uint64)

# Bytes that belong to words (text is lowercased first): ASCII letters and digits, and every byte of a
# non-ASCII character (their lead and continuation bytes are >= 0x80).
_WORD_BYTE = np.zeros(256, dtype=bool)
_WORD_BYTE[ord("0") : ord("9") + 1] = True
_WORD_BYTE[ord("a") : ord("z") + 1] = True
_WORD_BYTE[ord("A") : ord("Z") + 1] = True
_WORD_BYTE[0x80:] = True
_WORD_BYTE_FLAGS = bytes(_WORD_BYTE.astype(np.uint8))


@lru_cache(maxsize=500_000)
def token_hash(token: str) -> int:
    """Stable 64-bit hash of a token string (blake2b; used for term ids)."""
    return stable_hash64(token)


_BLAKE2B_8 = hashlib.blake2b(digest_size=8)


def token_hash_array(tokens: Iterable[str]) -> npt.NDArray[np.uint64]:
    """:func:`token_hash` of each token, as an array: the same values (:func:`stable_hash64`: blake2b,
    8 bytes, little end), at half the cost per token (an empty state copied instead of one made, no
    integer per digest)."""
    copy = _BLAKE2B_8.copy
    digests = []
    for token in tokens:
        state = copy()
        state.update(token.encode("utf-8"))
        digests.append(state.digest())
    out: npt.NDArray[np.uint64] = np.frombuffer(b"".join(digests), dtype="<u8").astype(np.uint64)
    return out


def mix64(x: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """splitmix64 finaliser (uint64 arithmetic wraps modulo 2**64, as intended)."""
    x = x ^ (x >> np.uint64(30))
    x = x * np.uint64(0xBF58476D1CE4E5B9)
    x ^= x >> np.uint64(27)
    x *= np.uint64(0x94D049BB133111EB)
    x ^= x >> np.uint64(31)
    return x


def _power_tables(n: int) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64]]:
    """``P**i`` and ``P**-i`` modulo 2**64 for ``i < n`` (grown by doubling, shared by all calls)."""
    global _powers, _inverse_powers
    if _powers.size < n:
        size = max(2 * n, 2 * _powers.size, 4096)  # room for the next, slightly longer batches
        _powers = powers_of(_P, size)
        _inverse_powers = powers_of(_P_INV, size)
    return _powers[:n], _inverse_powers[:n]


def powers_of(base: int, size: int) -> npt.NDArray[np.uint64]:
    """``base**i`` modulo 2**64 for ``i < size``: equal to ``np.multiply.accumulate`` of ``[1, base, base,
    …]``, made by doubling (each filled prefix times the next power, one vectorised product per step)
    instead of one sequential product per entry (12 → 3 ms for two tables of 600k entries)."""
    out = np.empty(max(size, 1), dtype=np.uint64)
    out[0] = 1
    filled = 1
    while filled < size:
        step = min(filled, size - filled)
        # base**filled from the last entry, as a one-entry array (array products wrap silently).
        multiplier = out[filled - 1 : filled] * np.uint64(base % 2**64)
        np.multiply(out[:step], multiplier, out=out[filled : filled + step])
        filled += step
    return out[:size]


def sorted_unique(values: npt.NDArray[_Scalar]) -> npt.NDArray[_Scalar]:
    """Distinct values, ascending (a sort and a mask: several times faster than ``np.unique``'s hash
    table, on the few hundred values of one article as on a batch's entries)."""
    ordered = np.sort(values)
    if ordered.size < 2:
        return ordered
    keep = np.empty(ordered.size, dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


def pair_order(major: npt.NDArray[Any], minor: npt.NDArray[Any]) -> npt.NDArray[np.intp]:
    """``np.lexsort((minor, major))``: the stable order by ``(major, minor)``, for non-negative integer
    ``major`` (a group or owner number) and any sortable ``minor`` (64-bit hashes).

    Ranks of ``minor`` (equal values, equal rank) fold with ``major`` and the position into one exact,
    distinct int64 key, so one unstable sort gives the stable order (several times faster than lexsort's
    two stable passes); when the key could overflow, lexsort itself.
    """
    n = minor.size
    if n < 2 or int(major.min()) < 0:
        return np.lexsort((minor, major))
    by_minor = np.argsort(minor)
    ordered = minor[by_minor]
    step = np.empty(n, dtype=np.int64)
    step[0] = 0
    np.not_equal(ordered[1:], ordered[:-1], out=step[1:], casting="unsafe")
    rank = np.empty(n, dtype=np.int64)
    rank[by_minor] = np.cumsum(step)
    ranks = int(rank[by_minor[-1]]) + 1
    if (int(major.max()) + 1) * ranks * n >= 2**63:
        return np.lexsort((minor, major))
    key = (major.astype(np.int64) * ranks + rank) * n + np.arange(n, dtype=np.int64)
    out: npt.NDArray[np.intp] = np.argsort(key)
    return out


def stable_order(keys: npt.NDArray[np.int64]) -> npt.NDArray[np.intp]:
    """``np.argsort(keys, kind="stable")`` for non-negative int64 ``keys``: each key with its position
    folded in is distinct, so an unstable sort gives the stable order (when that cannot overflow)."""
    n = keys.size
    if n < 2 or int(keys.min()) < 0 or (int(keys.max()) + 1) * n >= 2**63:
        return np.argsort(keys, kind="stable")
    out: npt.NDArray[np.intp] = np.argsort(keys * n + np.arange(n, dtype=np.int64))
    return out


def unique_first_inverse(
    values: npt.NDArray[_Scalar],
) -> tuple[npt.NDArray[_Scalar], npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """``np.unique(values, return_index=True, return_inverse=True)`` (distinct values ascending, the
    first position of each, each value's position among them) from one unstable sort: the first
    position of a value is the smallest of its positions, whatever order the sort left them in."""
    n = values.size
    if n < 2:
        unique, at, inverse = np.unique(values, return_index=True, return_inverse=True)
        return unique, at, inverse.reshape(-1)
    order = np.argsort(values)
    ordered = values[order]
    new = np.empty(n, dtype=bool)
    new[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=new[1:])
    starts = np.flatnonzero(new)
    inverse = np.empty(n, dtype=np.intp)
    inverse[order] = np.cumsum(new) - 1
    first: npt.NDArray[np.intp] = np.minimum.reduceat(order, starts)
    return ordered[starts], first, inverse


def distinct_pairs(major: npt.NDArray[Any], minor: npt.NDArray[Any]) -> npt.NDArray[np.intp]:
    """Indices of the distinct ``(major[i], minor[i])`` pairs, one per pair, sorted by ``(major, minor)``
    (of equal pairs the first in input order is kept; ``major`` non-negative integers)."""
    order = pair_order(major, minor)
    if order.size < 2:
        return order
    major_sorted, minor_sorted = major[order], minor[order]
    keep = np.empty(order.size, dtype=bool)
    keep[0] = True
    keep[1:] = (major_sorted[1:] != major_sorted[:-1]) | (minor_sorted[1:] != minor_sorted[:-1])
    out: npt.NDArray[np.intp] = order[keep]
    return out


def hashed_form(text: str) -> str:
    """The form of ``text`` whose words are hashed: lowercased, unless lowercasing changes its length
    (then as is, so character offsets still match)."""
    lowered = text.lower()
    return lowered if len(lowered) == len(text) else text


def text_token_hashes(
    text: str,
) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """``(hashes, starts, ends)`` of the words of ``text``: 64-bit hashes and UTF-8 byte offsets of
    ``text.lower()`` (of ``text`` itself in the rare case lowercasing changes its length)."""
    return byte_token_hashes(
        np.frombuffer(hashed_form(text).encode("utf-8", "surrogatepass"), dtype=np.uint8)
    )


def byte_token_hashes(
    data: npt.NDArray[np.uint8],
) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """:func:`text_token_hashes` of UTF-8 bytes already in hashed form (a newline never joins words, so
    several texts joined by newlines give each text's tokens, offsets shifted by its start)."""
    n = data.size
    if n == 0:
        empty = np.zeros(0, dtype=np.int64)
        return np.zeros(0, dtype=np.uint64), empty, empty
    # A bytes translation to 0/1 read as booleans: a fifth of the time of indexing the table with the bytes.
    is_word = np.frombuffer(bytearray(data.tobytes().translate(_WORD_BYTE_FLAGS)), dtype=np.bool_)
    # U+2000–U+206F (curly quotes, dashes, ellipsis: E2 80/81 xx), no-break space (C2 A0), «» (C2 AB/BB):
    # only the few lead bytes are inspected.
    leads = np.flatnonzero((data[:-1] == 0xE2) | (data[:-1] == 0xC2))
    if leads.size:
        second = data[leads + 1]
        three = leads[(data[leads] == 0xE2) & ((second == 0x80) | (second == 0x81)) & (leads + 2 < n)]
        two = leads[(data[leads] == 0xC2) & ((second == 0xA0) | (second == 0xAB) | (second == 0xBB))]
        for k in range(3):
            is_word[three + k] = False
        is_word[two] = False
        is_word[two + 1] = False
    # Word boundaries: positions where the word/non-word state flips, pairing starts with ends.
    flips = np.flatnonzero(is_word[1:] != is_word[:-1]) + 1
    if is_word[0]:
        flips = np.concatenate(([0], flips))
    if is_word[-1]:
        flips = np.concatenate((flips, [n]))
    starts = flips[0::2].astype(np.int64)
    ends = flips[1::2].astype(np.int64)
    if starts.size == 0:
        return np.zeros(0, dtype=np.uint64), starts, ends
    powers, inverse_powers = _power_tables(n)
    # The products and their running sum in one array (uint8 × uint64 is computed in uint64): no
    # temporaries of 8 bytes per input byte.
    prefix = np.empty(n + 1, dtype=np.uint64)
    prefix[0] = 0
    np.multiply(data, powers, out=prefix[1:])
    np.cumsum(prefix[1:], out=prefix[1:])
    raw = (prefix[ends] - prefix[starts]) * inverse_powers[starts]
    return mix64(raw ^ (ends - starts).astype(np.uint64)), starts, ends


def char_to_byte_offsets(text: str) -> npt.NDArray[np.int64]:
    """``offsets[i]`` is the UTF-8 byte offset of character ``i`` of ``text`` (``len(text) + 1`` entries)."""
    if text.isascii():
        return np.arange(len(text) + 1, dtype=np.int64)
    points = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    sizes = 1 + (points >= 0x80).astype(np.int64) + (points >= 0x800) + (points >= 0x10000)
    out = np.zeros(points.size + 1, dtype=np.int64)
    np.cumsum(sizes, out=out[1:])
    return out


def shingle_hashes(tokens: list[str], *, size: int) -> npt.NDArray[np.uint64]:
    """64-bit hashes of the word ``size``-grams of ``tokens`` (one gram when there are fewer tokens)."""
    hashes = np.fromiter(map(token_hash, tokens), dtype=np.uint64, count=len(tokens))
    return rolling_hashes(hashes, size=size)


def rolling_hashes(hashes: npt.NDArray[np.uint64], *, size: int) -> npt.NDArray[np.uint64]:
    """Hashes of every run of ``size`` consecutive token hashes (one run when there are fewer).

    Array arithmetic on uint64 wraps modulo 2**64 silently, which is the intended hash arithmetic.
    """
    if hashes.size == 0:
        return np.zeros(0, dtype=np.uint64)
    k = min(size, hashes.size)
    count = hashes.size - k + 1
    out: npt.NDArray[np.uint64] = hashes[:count] * _SHINGLE_MULTIPLIERS[0]
    for j in range(1, k):
        out += hashes[j : j + count] * _SHINGLE_MULTIPLIERS[j]
    return out


def minhash(hashes: npt.NDArray[np.uint64], *, num_perm: int) -> npt.NDArray[np.uint32]:
    """One-permutation MinHash (``num_perm`` uint32 bins) of a set of 64-bit hashes (repeats and order
    do not matter); all ``0xFFFFFFFF`` if the set is empty."""
    if hashes.size == 0:
        return np.full(num_perm, _EMPTY, dtype=np.uint32)
    row: npt.NDArray[np.uint32] = minhash_rows(
        hashes, np.zeros(hashes.size, dtype=np.intp), rows=1, num_perm=num_perm
    )[0]
    return row


def minhash_rows(
    hashes: npt.NDArray[np.uint64], owners: npt.NDArray[np.intp], *, rows: int, num_perm: int
) -> npt.NDArray[np.uint32]:
    """``(rows, num_perm)`` MinHash signatures at once: row ``r`` is :func:`minhash` of the hashes whose
    owner is ``r`` (a row owning none is the empty signature)."""
    mixed = mix64(hashes ^ _MINHASH_SEED)
    # floor(mixed * num_perm / 2**64) via the high 32 bits; each bin keeps its smallest mixed hash.
    bins = (((mixed >> np.uint64(32)) * np.uint64(num_perm)) >> np.uint64(32)).astype(np.intp)
    smallest = np.full(rows * num_perm, _NO_HASH, dtype=np.uint64)
    np.minimum.at(smallest, owners * num_perm + bins, mixed)
    table = smallest.reshape(rows, num_perm)
    filled = table != _NO_HASH
    values = table & _LOW32
    if not filled.all():
        # Rotation densification for every row at once: an empty bin takes the nearest filled bin to
        # its right (circularly); positions over two laps, a running minimum from the right finds it.
        columns = np.arange(2 * num_perm)
        lap = np.where(np.concatenate([filled, filled], axis=1), columns, 3 * num_perm)
        nearest = np.minimum.accumulate(lap[:, ::-1], axis=1)[:, ::-1][:, :num_perm]
        distance = (nearest - columns[:num_perm]).astype(np.uint64)
        donor = np.take_along_axis(values, np.minimum(nearest, 2 * num_perm - 1) % num_perm, axis=1)
        values = (donor + distance * _DENSIFY_STEP) & _LOW32
        values[~filled.any(axis=1)] = _EMPTY
    out: npt.NDArray[np.uint32] = values.astype(np.uint32)
    return out
