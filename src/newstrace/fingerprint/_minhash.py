"""Vectorised MinHash over word shingles.

Layout of a stored MinHash (``MinHash.to_bytes``): ``num_perm`` little-endian unsigned 32-bit integers,
permutation ``i`` at byte offset ``4 * i``; nothing else (the permutation family and seed are fixed by
the fingerprint algorithm id).

Hash family: multiply-shift on 64-bit shingle hashes, ``h_i(x) = ((a_i * x + b_i) mod 2**64) >> 32``
with odd ``a_i``; a shingle's hash is a fixed random linear combination (mod 2**64) of its tokens'
stable 64-bit hashes, so it depends on token order.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import numpy.typing as npt

from newstrace._text import stable_hash64

__all__ = ["minhash", "rolling_hashes", "shingle_hashes", "token_hash"]

_SEED = 0x6E657773  # "news"
_MAX_SHINGLE = 16
_rng = np.random.default_rng(_SEED)
_SHINGLE_MULTIPLIERS = _rng.integers(1, 2**63, size=_MAX_SHINGLE, dtype=np.uint64) * np.uint64(2) + np.uint64(
    1
)
_PERM_A_ALL = _rng.integers(1, 2**63, size=1024, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
_PERM_B_ALL = _rng.integers(0, 2**63, size=1024, dtype=np.uint64)
_EMPTY = np.uint32(0xFFFFFFFF)


@lru_cache(maxsize=500_000)
def token_hash(token: str) -> int:
    return stable_hash64(token)


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
    """MinHash signature (``num_perm`` uint32) of a set of 64-bit hashes; all ``0xFFFFFFFF`` if empty."""
    if hashes.size == 0:
        return np.full(num_perm, _EMPTY, dtype=np.uint32)
    a = _PERM_A_ALL[:num_perm]
    b = _PERM_B_ALL[:num_perm]
    permuted = (hashes[:, None] * a[None, :] + b[None, :]) >> np.uint64(32)
    signature: npt.NDArray[np.uint32] = permuted.min(axis=0).astype(np.uint32)
    return signature
