"""``difflib.SequenceMatcher`` opcodes of word sequences, faster on near-copies: the change detector
compares each copied sentence with its original, the reports show their word differences, and most such
pairs differ by a few words inside long equal runs.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence

__all__ = ["Opcode", "opcodes"]

Opcode = tuple[str, int, int, int, int]
"""``(tag, i1, i2, j1, j2)`` as :meth:`difflib.SequenceMatcher.get_opcodes` gives them."""


def opcodes(a: tuple[str, ...], b: tuple[str, ...]) -> Sequence[Opcode]:
    """``difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()``, faster when ``a`` and ``b``
    share a prefix or suffix around a small edit (a copied sentence), where difflib spends its time
    finding the long equal runs.

    Without junk, difflib takes the longest common block of a range (on a tie the one starting first in
    ``a``, then in ``b``) and recurses on the ranges before and after it; its blocks, hence its opcodes,
    depend only on the contents of each range. So when the common prefix ``P`` (the common suffix ``S``)
    is provably the block it takes, the opcodes are ``P`` equal, difflib's opcodes of the middle shifted,
    ``S`` equal:

    - ``P`` (at 0, 0: it wins every tie) is taken when no block is longer, i.e. ``a`` and ``b`` share no
      run of ``len(P) + 1`` words;
    - ``S`` (last in ``a``: it loses every tie) is taken when it is the only common run of ``len(S)``
      words (which also excludes longer blocks), counting all positions;

    the longer of the two is looked at first (``P`` on equal length), the other within what remains.
    The middle's own blocks never touch ``P`` or ``S`` (both are maximal), so no merging differs.
    Otherwise the general matcher runs on the whole.
    """
    la, lb = len(a), len(b)
    if a == b:  # one equal run (none for two empty sequences), as difflib gives
        return [("equal", 0, la, 0, lb)] if la else []
    limit = min(la, lb)
    p = 0
    while p < limit and a[p] == b[p]:
        p += 1
    s = 0
    while s < limit - p and a[la - 1 - s] == b[lb - 1 - s]:
        s += 1
    if p >= s:
        peel = p > 0 and not _share_run(a, b, p + 1) and (s == 0 or _only_common_run_is_last(a, b, p, s))
    else:
        peel = _only_common_run_is_last(a, b, 0, s) and (
            p == 0 or not _share_run(a[: la - s], b[: lb - s], p + 1)
        )
    if not peel:
        return difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    x, y = a[p : la - s], b[p : lb - s]
    out: list[Opcode] = [("equal", 0, p, 0, p)] if p else []
    if not x:
        out.append(("insert", p, p, p, lb - s))
    elif not y:
        out.append(("delete", p, la - s, p, p))
    elif set(x).isdisjoint(y):  # no common word, no block: one replacement (as difflib finds)
        out.append(("replace", p, la - s, p, lb - s))
    else:
        matcher = difflib.SequenceMatcher(None, x, y, autojunk=False)
        out.extend((tag, p + i1, p + i2, p + j1, p + j2) for tag, i1, i2, j1, j2 in matcher.get_opcodes())
    if s:
        out.append(("equal", la - s, la, lb - s, lb))
    return out


def _share_run(a: tuple[str, ...], b: tuple[str, ...], n: int) -> bool:
    """Whether ``a`` and ``b`` have a common run of ``n`` words anywhere."""
    if n > len(a) or n > len(b):
        return False
    runs = {b[j : j + n] for j in range(len(b) - n + 1)}
    return any(a[i : i + n] in runs for i in range(len(a) - n + 1))


def _only_common_run_is_last(a: tuple[str, ...], b: tuple[str, ...], start: int, n: int) -> bool:
    """Whether, from ``start`` on in both, the only common run of ``n`` words is the one ending both
    (once in each): no other block of that length or longer."""
    runs_a = [a[i : i + n] for i in range(start, len(a) - n + 1)]
    runs_b = [b[j : j + n] for j in range(start, len(b) - n + 1)]
    last = a[len(a) - n :]
    return runs_a.count(last) == 1 and runs_b.count(last) == 1 and set(runs_a).intersection(runs_b) == {last}
