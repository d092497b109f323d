"""Page chrome: general line rules (no site lists), duplicates within a page, lines repeated across a corpus.

A rule names the reason that ends up in ``RemovedLine.reason``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

__all__ = [
    "BULLETS",
    "SECTION_END_RE",
    "bare_chrome_reason",
    "chrome_reason",
    "frequent_keys",
    "line_key",
    "short_line_keys",
]

_I = re.IGNORECASE
# Whole-line rules: (reason, pattern). Patterns are matched against the stripped line.
_LINE_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "advertisement",
        re.compile(
            r"^(?:advertisement|advertising|ad|sponsored(?: content)?|promoted|story continues below(?: advertisement)?)$",
            _I,
        ),
    ),
    (
        "navigation",
        re.compile(
            r"^(?:skip to (?:main )?content|skip navigation|edit post|close|menu|search|home|back to top|print|e-?mail|share|share this(?: article| story)?|toggle navigation|open menu|log ?in|sign ?in|register|sign up|my account|next|previous|show more|load more|see more|view comments|comments?|\d+ comments?|listen(?: to (?:this )?article)?|play|pause|watch|video|gallery)$",
            _I,
        ),
    ),
    (
        "reading_time",
        re.compile(
            r"^(?:reading time\s*:?\s*\d+\s*min(?:ute)?s?|\d+\s*min(?:ute)?s?\s*read|\d+\s*min read)$", _I
        ),
    ),
    ("trust_box", re.compile(r"^why you can trust\b.{0,60}$", _I)),
    (
        "ai_disclosure",
        re.compile(
            r"^this (?:audio|article|summary|story|text) (?:is|was|has been) (?:created|generated|produced|translated|read) (?:with|by|using)\b.{0,80}$",
            _I,
        ),
    ),
    (
        "newsletter",
        re.compile(
            r"^(?:\*\s*indicates required|enter your (?:e-?mail|email address).{0,40}|please,? enter (?:a |your )?(?:correct|valid) e-?mail.{0,30}|success(?:ful|fully|fuly)? subscribed!?|thank(?:s| you) for (?:subscribing|signing up).{0,60}|subscribe(?: now| today| here| to (?:our|the) .{0,60})?!?|sign up(?: for| to) .{0,60}newsletter.{0,40}|get (?:our|the) .{0,40}newsletter.{0,40}|newsletter|unsubscribe.{0,60})$",
            _I,
        ),
    ),
    (
        "social",
        re.compile(
            r"^(?:follow us(?: on .{0,60})?|share (?:on|via) (?:facebook|twitter|x|linkedin|whatsapp|telegram|email).{0,40}|facebook|twitter|linkedin|whatsapp|telegram|copy link|copied!?)$",
            _I,
        ),
    ),
    (
        "copyright",
        re.compile(
            r"^(?:©|\(c\)|copyright\s*(?:©|\(c\)|\d{4})).{0,120}$|^.{0,80}\ball rights reserved\.?$", _I
        ),
    ),
    (
        "section_heading",
        re.compile(
            r"^(?:news feed|more news|latest news|editors?['’]? picks|related(?: articles| stories| news| coverage| content)?|read more|read also|read next|most (?:read|popular|viewed)|trending(?: now)?|recommended(?: for you)?|you may also like|see also|top stories|more from .{1,40}|also read)\s*:?$",
            _I,
        ),
    ),
    (
        "timestamp",
        re.compile(
            r"^(?:(?:updated|published|posted)\s*:?\s*)?\(?\d{1,2}:\d{2}(?:\s*[ap]\.?m\.?)?\)?(?:\s*\(?(?:updated|published)\s*:?\s*\)?)?(?:\s*(?:gmt|utc|et|bst|cet))?$",
            _I,
        ),
    ),
    ("counter", re.compile(r"^\d{1,6}$")),
    ("empty_label", re.compile(r"^\(?(?:updated|published)\s*:?\s*\)?$", _I)),
)

# The rules as one pattern, each a group (with its own case flag): a line matches the union where one of
# them matches it, and then in the group of the first that does (alternatives are tried in order, each a
# whole-line pattern with nothing after the union to make it backtrack). One match instead of a dozen.
_LINE_RULES_RE = re.compile(
    "|".join(
        f"((?i:{pattern.pattern}))" if pattern.flags & _I else f"((?:{pattern.pattern}))"
        for _, pattern in _LINE_RULES
    )
)
if _LINE_RULES_RE.groups != len(_LINE_RULES):  # pragma: no cover - a rule with a group of its own
    raise RuntimeError("a chrome rule has a capturing group: make it (?:...), the union numbers the rules")

# Headings after which the rest of a page is teasers, feeds or sign-up boxes.
SECTION_END_RE = re.compile(
    r"^(?:news feed|more news|latest news|editors?['’]? picks|related(?: articles| stories| news| coverage)?|read more|read next|most (?:read|popular|viewed)|trending(?: now)?|recommended(?: for you)?|you may also like|top stories|more from .{1,40})\s*:?$",
    _I,
)

_CAPTION_RE = re.compile(
    r"(?:\b(?:photo|photograph|picture|image|file photo|credit|illustration)s?\s*(?:credit)?\s*:\s*[^.]{1,90}\.?$)"
    r"|(?:\((?:[^()]{0,80}/)?[^()]{0,60}\b(?:getty images|afp|reuters|ap photo|epa|shutterstock|via getty)[^()]{0,40}\)\s*\.?$)",
    _I,
)


_DIGITS_TO_ZERO = str.maketrans("123456789", "000000000")


# A cheap gate before the caption pattern: its cue words.
_CAPTION_HINT = re.compile(
    r"photo|image|picture|credit|illustration|getty|afp|reuters|ap |epa|shutterstock", re.IGNORECASE
)


# For ASCII lines, one bytes translation does all of ``line_key``'s character work: A-Z lowercased, 1-9
# made 0, and every ASCII character ``str.split`` splits on (``bytes.split`` would miss \x1c-\x1f) made a
# space.
_ASCII_KEY_TABLE = bytes.maketrans(
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZ123456789\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f",
    b"abcdefghijklmnopqrstuvwxyz000000000" + b" " * 9,
)

_DIGIT_BYTES_TO_ZERO = bytes.maketrans(b"123456789", b"000000000")


def line_key(line: str) -> str:
    """The key under which a line is compared with other lines: lowercased, spaces and digits folded.

    Always equal to ``" ".join(line.lower().translate(_DIGITS_TO_ZERO).split())``, computed with bytes
    translations (a ``str.translate`` with a dict costs a lookup per character).
    """
    if line.isascii():
        folded = line.encode("ascii").translate(_ASCII_KEY_TABLE)
        # Whitespace is all spaces now: only doubled, leading or trailing ones need the split and join.
        if b"  " in folded or folded.startswith(b" ") or folded.endswith(b" "):
            folded = b" ".join(folded.split())
        return folded.decode("ascii")
    # Other lines: digits folded in UTF-8, where bytes below 0x80 only ever encode ASCII characters (lone
    # surrogates pass through both ways); whitespace is Unicode's, so the split stays on the ``str``.
    lowered = line.lower().encode("utf-8", "surrogatepass").translate(_DIGIT_BYTES_TO_ZERO)
    return " ".join(lowered.decode("utf-8", "surrogatepass").split())


# The characters ``chrome_reason`` strips off a line's ends (with whitespace) before its rules.
BULLETS = "•·|–—-"


def chrome_reason(line: str, *, short_line_words: int) -> str | None:
    """Why ``line`` (stripped) is page chrome, or ``None`` when it is content.

    The first of ``_LINE_RULES`` that matches a line of at most ``short_line_words`` words names the
    reason; else a caption of at most 60 words is ``"caption"``.
    """
    stripped = line.strip().strip(BULLETS).strip()
    if not stripped:
        return None
    # Only "at most short_line_words" is asked here: splitting stops there (``min(words, limit + 1)``
    # pieces), sparing most of the pieces of a paragraph-long line.
    return bare_chrome_reason(stripped, len(stripped.split(maxsplit=short_line_words)), short_line_words)


def bare_chrome_reason(stripped: str, pieces: int, short_line_words: int) -> str | None:
    """``chrome_reason(stripped, short_line_words=short_line_words)`` for a non-empty line that its
    stripping leaves as it is (no whitespace, nor any of ``BULLETS``, at either end), given
    ``pieces == len(stripped.split(maxsplit=short_line_words))``: a caller that has counted the words
    already spares the second count."""
    if pieces <= short_line_words:
        match = _LINE_RULES_RE.match(stripped)
        if match is not None and match.lastindex is not None:
            return _LINE_RULES[match.lastindex - 1][0]
    # Every caption form has a colon or a closing parenthesis: a substring test spares the rest. The word
    # count comes before the regexes, which scan the whole of a long line.
    if (
        (":" in stripped or ")" in stripped)
        and _at_most_60_words(stripped, pieces, short_line_words)
        and _CAPTION_HINT.search(stripped)
        and _CAPTION_RE.search(stripped)
    ):
        return "caption"
    return None


def _at_most_60_words(stripped: str, pieces: int, short_line_words: int) -> bool:
    """Whether ``stripped`` has at most 60 words, given ``pieces == min(words, short_line_words + 1)``."""
    if pieces <= short_line_words:
        return pieces <= 60  # pieces is the word count
    if short_line_words >= 60:
        return False  # more than short_line_words words
    return len(stripped.split(maxsplit=60)) <= 60


def short_line_keys(text: str, *, short_line_words: int) -> frozenset[str]:
    """Keys of the lines of ``text`` with at most ``short_line_words`` words, each once."""
    return frozenset(
        line_key(ln)
        for ln in text.splitlines()
        if 0 < len(ln.split(maxsplit=short_line_words + 1)) <= short_line_words
    )


def frequent_keys(key_sets: Iterable[Iterable[str]], *, min_docs: int) -> frozenset[str]:
    """Keys in at least ``min_docs`` of ``key_sets`` (one set per text), the empty key aside."""
    counts: Counter[str] = Counter()
    for keys in key_sets:
        counts.update(keys)
    return frozenset(k for k, n in counts.items() if n >= min_docs and k)
