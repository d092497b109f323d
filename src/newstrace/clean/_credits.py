"""Explicit credits in article text: "Bloomberg had reported", "according to X", "Source: caliber.az"."""

from __future__ import annotations

import re

from newstrace._text import CAPITALISED_FUNCTION_WORDS
from newstrace.records import Credit

__all__ = ["find_credits", "names_match"]

# A source name: capitalised words (with dots, ampersands, apostrophes), or a domain name.
_NAME = r"(?P<name>(?:[A-Z][\w&'’-]*(?:\.\w+)*|[a-z][\w-]*\.(?:com|net|org|az|ru|ua|uk|de|fr|in|cn|io|news|co)\b)(?:\s+(?:(?:of|the|de|al|and|&)\s+)?[A-Z][\w&'’-]*(?:\.\w+)*){0,5})"


def _at_word_start(*words: str) -> str:
    r"""A pattern for ``\b(?:word|word|...)``, each word starting with a word character: every alternative
    starts with its first character, then looks behind for the boundary before it. The matches are the
    same, alternatives tried in the same order, but a pattern that starts with literal characters lets
    ``re`` skip in C to where they occur instead of trying a match at every position of the text."""
    return (
        "(?:" + "|".join(f"{re.escape(w[0])}(?<=\\b{re.escape(w[0])}){re.escape(w[1:])}" for w in words) + ")"
    )


_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "reported",
        re.compile(
            _NAME
            + r"\s+(?:had\s+|has\s+|first\s+|earlier\s+|previously\s+)?(?:reported|reports|wrote|writes|revealed|published)\b"
        ),
    ),
    (
        "according to",
        re.compile(
            _at_word_start("According to", "according to")
            + r" (?:a |an |the )?(?:report (?:by|in|from) )?"
            + _NAME
        ),
    ),
    ("told", re.compile(_at_word_start("told") + r" (?:the )?" + _NAME)),
    (
        "citing",
        re.compile(
            _at_word_start("citing", "cited by", "quoted by", "via", "reported by") + r" (?:the )?" + _NAME
        ),
    ),
    (
        "source",
        re.compile(
            r"(?im)^\s*(?:source|sources|originally published (?:by|on|at)|first published (?:by|on|at)|read more at)\s*:?\s*"
            + _NAME
        ),
    ),
    ("reported by", re.compile(_NAME + r"(?:'s|’s) (?:article|report|story|reporting|piece)\b")),
    (
        "first published",
        re.compile(
            r"\b(?i:first|originally|previously)\s+(?:appeared|published|ran|posted)\s+(?:in|on|by|at)\s+(?:the\s+)?"
            + _NAME
        ),
    ),
    (
        "republished",
        re.compile(
            r"\b(?i:republished|reprinted|adapted|syndicated)\s+(?:with permission\s+)?from\s+(?:the\s+)?"
            + _NAME
        ),
    ),
)

# Words that start a capitalised run but are not sources.
_NOT_SOURCES = CAPITALISED_FUNCTION_WORDS | {"First", "Originally", "Previously", "Republished", "Reprinted"}
_MONTHS = frozenset(
    [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ]
)


# Cheap gates: a pattern runs only on texts containing one of its cue words.
_CUES = {
    "reported": re.compile(
        _at_word_start("reported", "reports", "wrote", "writes", "revealed", "published") + r"\b"
    ),
    "according to": re.compile(r"[Aa]ccording to"),
    "told": re.compile(_at_word_start("told") + " "),
    "citing": re.compile(_at_word_start("citing", "cited by", "quoted by", "via", "reported by") + " "),
    "reported by": re.compile(r"(?:'s|’s) (?:article|report|story|reporting|piece)\b"),
}

# The case-insensitive cues, written in lowercase. On an ASCII text, matching case-insensitively is
# matching the lowercased text case-sensitively (``re``'s case-insensitive equivalences beyond ASCII
# case, such as ſ/s, ı/i and K/k, involve non-ASCII characters), and a case-sensitive pattern that starts
# with literals is scanned far faster: ASCII texts take that route.
_CASELESS_CUE_SOURCES = {
    "source": r"^\s*(?:source|sources|originally|first published|read more)",
    "first published": _at_word_start("first", "originally", "previously")
    + r"\s+(?:appeared|published|ran|posted)\b",
    "republished": _at_word_start("republished", "reprinted", "adapted", "syndicated") + r"\b",
}
_CUES.update({phrase: re.compile(src, re.I | re.M) for phrase, src in _CASELESS_CUE_SOURCES.items()})
_LOWERCASE_CUE_PATTERNS = {phrase: re.compile(src, re.M) for phrase, src in _CASELESS_CUE_SOURCES.items()}


# Substrings every match of a cue contains (case as in the cue; "source" cues are matched lowercased):
# plain substring tests reject most texts before any regex scans them.
_CUE_WORDS = {
    "reported": ("report", "wrote", "writes", "revealed", "published"),
    "according to": ("ccording to",),
    "told": ("told ",),
    "citing": ("citing ", "cited by ", "quoted by ", "via ", "reported by "),
    "source": ("source", "originally", "first published", "read more"),
    "reported by": ("'s ", "’s "),
    "first published": ("appeared", "published", " ran ", "posted"),
    "republished": ("republished", "reprinted", "adapted", "syndicated"),
}


_LOWERCASE_CUES = frozenset(_CASELESS_CUE_SOURCES)

# Letters from the commonest in English text to the rarest; other characters (apostrophes) are rarer still.
_COMMONEST_FIRST = " etaoinshrdlcumwfgypbvkjxqz"


def _rarity(char: str) -> int:
    return _COMMONEST_FIRST.index(char) if char in _COMMONEST_FIRST else len(_COMMONEST_FIRST)


def _word_gate(word: str) -> tuple[str, str, str]:
    """Three substrings of ``word`` (a haystack without one lacks ``word``), in the order that rules most
    texts out cheapest: the word's rarest character (a one-character search is a ``memchr``); the word
    without its trailing space, if it has one (``str.find`` skips along by the needle's last character,
    and a space comes every few letters), else that character again; then the word itself."""
    rarest = max(word, key=_rarity)
    return rarest, word[:-1] if word.endswith(" ") and len(word) > 1 else rarest, word


_CUE_GATES = {phrase: tuple(map(_word_gate, words)) for phrase, words in _CUE_WORDS.items()}


def _holds_any(haystack: str, gates: tuple[tuple[str, str, str], ...]) -> bool:
    """``any(word in haystack for _, _, word in gates)``, each word tried after its cheaper substrings."""
    # A loop, not ``any()`` over a generator: the generator's frames cost more than the tests they skip.
    for rarest, core, word in gates:  # noqa: SIM110
        if rarest in haystack and core in haystack and word in haystack:
            return True
    return False


def find_credits(text: str) -> tuple[Credit, ...]:
    """All explicit credits in ``text``, in text order, one per distinct (name, start)."""
    found: dict[tuple[str, int], Credit] = {}
    lowered = text.lower()
    ascii_text = text.isascii()
    for phrase, pattern in _PATTERNS:
        caseless = phrase in _LOWERCASE_CUES
        if not _holds_any(lowered if caseless else text, _CUE_GATES[phrase]):
            continue
        if caseless and ascii_text:
            cued = _LOWERCASE_CUE_PATTERNS[phrase].search(lowered) is not None
        else:
            cued = _CUES[phrase].search(text) is not None
        if not cued:
            continue
        for match in _matches(pattern, text, phrase):
            name = match.group("name").strip(" .,'’")
            name = re.sub(r"(?:'s|’s)$", "", name)
            name = re.sub(
                r"^(?:(?:The|A|An|As|When|While|After|Before|But|And|If|Since|Because|Then|Also|Earlier|Later)\s+)+",
                "",
                name,
            )
            if (
                not name
                or name in _NOT_SOURCES
                or name.split()[0] in _MONTHS
                or (name.split()[0] in _NOT_SOURCES and len(name.split()) == 1)
            ):
                continue
            key = (name.lower(), match.start("name"))
            found.setdefault(key, Credit(name=name, phrase=phrase, start=match.start(), end=match.end()))
    return tuple(sorted(found.values(), key=lambda c: (c.start, c.name)))


def _matches(pattern: re.Pattern[str], text: str, phrase: str) -> list[re.Match[str]]:
    if phrase not in ("reported", "reported by"):
        return list(pattern.finditer(text))
    # Patterns that start with the name would be tried at every position: only try the text just
    # before each cue word.
    out: list[re.Match[str]] = []
    for cue in _CUES[phrase].finditer(text):
        lo = max(0, cue.start() - 120)
        line_start = text.rfind("\n", lo, cue.start())
        lo = line_start + 1 if line_start >= 0 else lo
        match = pattern.search(text, lo, cue.end() + 20)
        while match is not None and match.end() < cue.start():
            match = pattern.search(text, match.start() + 1, cue.end() + 20)
        if match is not None:
            out.append(match)
    return out


_OUTLET_STOP = frozenset({"the", "of", "and", "news", "com", "www", "media", "via", "az", "net", "org", "in"})


def _name_words(name: str) -> set[str]:
    words = re.findall(r"[a-z0-9]+", name.lower())
    return {w for w in words if w not in _OUTLET_STOP and len(w) > 1}


def names_match(credit_name: str, outlet: str) -> bool:
    """True when a credited name refers to ``outlet`` ("Bloomberg" ~ "Bloomberg News";
    "This Week In Asia" ~ "South China Morning Post (This Week In Asia)"; "caliber.az" ~ "Caliber.Az")."""
    credit_words = _name_words(credit_name)
    if not credit_words:
        return False
    outlet_l = outlet.lower()
    if credit_name.lower() in outlet_l or outlet_l in credit_name.lower():
        return True
    # Every distinctive word of the credit appears in the outlet name (or its parenthesised alias).
    return credit_words <= _name_words(outlet)
