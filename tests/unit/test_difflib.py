"""The opcodes of word sequences equal difflib's, on every input (exhaustively on small alphabets)."""

from __future__ import annotations

from newstrace._difflib import opcodes


def test_opcodes_equal_difflib_on_small_alphabets_and_near_copies() -> None:
    import difflib
    import itertools
    import random
    from collections.abc import Sequence

    def reference(a: tuple[str, ...], b: tuple[str, ...]) -> Sequence[tuple[str, int, int, int, int]]:
        return difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()

    # Repeated words are where a common prefix or suffix is not the block difflib takes: "a b a b c" vs
    # "a b c" matches "a b c" at the end, not the prefix "a b".
    assert opcodes(tuple("ababc"), tuple("abc")) == reference(tuple("ababc"), tuple("abc"))
    for la in range(6):
        for lb in range(6):
            for a in itertools.product("ab", repeat=la):
                for b in itertools.product("ab", repeat=lb):
                    assert opcodes(a, b) == reference(a, b), (a, b)  # equal ones too
    rng = random.Random(5)
    for _ in range(3000):
        words = [str(k) for k in range(rng.choice([2, 3, 5, 20]))]
        a = tuple(rng.choice(words) for _ in range(rng.randint(0, 30)))
        edited = list(a)
        for _ in range(rng.randint(1, 3)):
            k = rng.randint(0, len(edited))
            if rng.random() < 0.5 or not edited:
                edited.insert(k, rng.choice(words))
            else:
                edited[min(k, len(edited) - 1)] = rng.choice(words)
        b = tuple(edited)
        assert opcodes(a, b) == reference(a, b), (a, b)
