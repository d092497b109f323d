"""Labelled synthetic rewrite suite for the quality gate.

    python bench/synth.py --out bench/data/suite --seed 7

Writes ``articles.jsonl`` (engine input), ``labels.jsonl`` (one line per labelled pair:
``{"a","b","category","kind","origin",...}``) and ``provenance.jsonl`` (per article: its role, the base
article it was made from and the "text groups" whose sentences it contains; the gate ignores unlabelled
pairs whose text groups intersect, because such pairs really do share text).

Built only from the texts of the development corpus ``business-energy-story-chains/articles.csv`` (split
into sentences here) and from text written in this file. Categories and the relation the engine should
report for them:

- ``verbatim``    exact copy, other page chrome and whitespace                         -> duplicate
- ``light_edit``  a few words and sentences edited, one sentence dropped               -> duplicate
- ``spin``        25–40% of content words swapped for thesaurus synonyms, same order    -> rewrite
- ``reorder``     paragraphs and sentences reordered, lightly edited                   -> rewrite
- ``truncation``  the first 40–70% of the article, lightly edited                      -> rewrite
- ``paraphrase``  synonyms, clause moves, said-flips, passives, splits/merges, number
                  formats, a new lead sentence with a credit "…, <Outlet> reported."  -> rewrite
- ``partial``     two paragraphs of the original inside another article's sentences    -> partial
- ``independent`` new text on the same event sharing entities, numbers and exactly one
                  short quotation with the original                                   -> same_story
- ``unrelated``   two originals of different stories                                  -> unrelated
- ``change_*``    light-edit copies with exactly one injected change (number, qualifier,
                  entity, negation, quote, attribution) and ``change_control`` with none -> duplicate

Change variants carry ``"change": {"type", "original", "copy", "original_sentence", "copy_sentence"}``
(the changed words on both sides and the whole sentences); ``change_control`` has ``"change": null``.

Origin: each derived copy gets a metadata scenario: ``dated`` (original dated earlier), ``credit`` (the
copy credits the original's outlet) or ``none`` (no date, no credit; expected origin ``null``).
Everything is deterministic given ``--seed``.
"""

from __future__ import annotations

import argparse
import ast
import csv
import datetime as dt
import functools
import hashlib
import itertools
import json
import random
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from textkit import (
    NUMBER_RE,
    STOPWORDS,
    WORD_RE,
    match_case,
    quote_spans,
    replace_words,
    shingles,
    split_sentences,
)
from thesaurus import NUMBER_PHRASES, QUALIFIER_SWAPS, SYNONYMS

__all__ = [
    "CATEGORIES",
    "CHANGE_CATEGORIES",
    "DEFAULT_CSV",
    "Suite",
    "build_suite",
    "load_bases",
    "url_id",
    "write_suite",
]

DEFAULT_CSV = Path(__file__).resolve().parents[2] / "shared/corpora/business-energy-story-chains/articles.csv"

CATEGORIES: tuple[str, ...] = (
    "verbatim",
    "light_edit",
    "spin",
    "reorder",
    "truncation",
    "paraphrase",
    "partial",
    "independent",
)
CHANGE_CATEGORIES: tuple[str, ...] = (
    "change_number",
    "change_qualifier",
    "change_entity",
    "change_negation",
    "change_quote",
    "change_attribution",
    "change_control",
)
EXPECTED_KIND: dict[str, str] = {
    "verbatim": "duplicate",
    "light_edit": "duplicate",
    "spin": "rewrite",
    "reorder": "rewrite",
    "truncation": "rewrite",
    "paraphrase": "rewrite",
    "partial": "partial",
    "independent": "same_story",
    "unrelated": "unrelated",
    **{c: "duplicate" for c in CHANGE_CATEGORIES},
}
SCENARIOS: tuple[str, ...] = ("dated", "credit", "none")


def url_id(url: str) -> str:
    """Short stable id of a URL (also the dev corpus article id used by the gate)."""
    return hashlib.blake2b(url.encode("utf-8"), digest_size=6).hexdigest()


# --------------------------------------------------------------------------------------------- bases


@dataclass(frozen=True, slots=True)
class Quote:
    """A short direct quotation inside sentence ``sentence`` of a base article (``whole``: not cut short)."""

    sentence: int
    text: str
    whole: bool = True


@dataclass(slots=True)
class Base:
    """One article of the CSV, split into sentences, with its entities and story group."""

    key: str
    url: str
    title: str
    date: dt.date
    sentences: list[str]
    orgs: list[str]
    persons: list[str]
    locs: list[str]
    numbers: list[str]
    quotes: list[Quote]
    group: int = -1

    @property
    def text(self) -> str:
        return " ".join(self.sentences)


_BOILERPLATE_RE = re.compile(
    r"^\(?(?:Our Standards|From pv magazine|Reporting by|Editing by|Additional reporting|By [A-Z]\w+ [A-Z]|"
    r"Anadolu Agency|Related|Read more|Click here|Subscribe|Sign up|Image|Photo|Source:|Also read)"
    r"|@|https?://|www\.",
)
_UNIT = (
    r"%|per cent|percent|million|billion|bn|MW|GW|GWh|MWh|TWh|kWh|kW|km|tonnes|tons|barrels|psi|bar|"
    r"hectares|acres|jobs|employees|megawatts|gigawatts|years|months|turbines|homes|households|projects|"
    r"companies|countries|metres|meters|miles"
)
_NUMBER_PHRASE_RE = re.compile(
    r"(?:US\$|\$|€|£)?\d[\d,]*(?:\.\d+)?(?:\s?(?:" + _UNIT + r")\b)?(?:\s?(?:" + _UNIT + r")\b)?"
)
_YEAR_RE = re.compile(r"(?:19|20)\d\d")


def _entities(raw: str, text: str) -> list[str]:
    try:
        values = ast.literal_eval(raw) if raw.strip() else []
    except (ValueError, SyntaxError):
        values = []
    out = []
    for value in values:
        name = str(value).strip()
        if len(name) >= 3 and re.search(r"(?<!\w)" + re.escape(name) + r"(?!\w)", text) and name not in out:
            out.append(name)
    return out


def _number_phrases(text: str) -> list[str]:
    out: list[str] = []
    for match in _NUMBER_PHRASE_RE.finditer(text):
        phrase = match.group(0).rstrip(",. ")
        plain = phrase.replace(",", "")
        if _YEAR_RE.fullmatch(plain):
            continue
        has_unit = re.search(r"[A-Za-z%$€£]", phrase) is not None
        if (has_unit or len(plain) >= 3) and phrase not in out:
            out.append(phrase)
    return out


def _short_quotes(sentences: Sequence[str]) -> list[Quote]:
    quotes: list[Quote] = []
    for index, sentence in enumerate(sentences):
        if sentence.count("“") != sentence.count("”") or sentence.count('"') % 2:
            continue
        for start, end in quote_spans(sentence):
            inner = sentence[start:end].strip().rstrip(",.;:")
            n_words = len(inner.split())
            whole = n_words <= 20
            if not whole:
                cut = [
                    m.start() for m in re.finditer(",", inner) if 5 <= len(inner[: m.start()].split()) <= 20
                ]
                if not cut:
                    continue
                inner = inner[: cut[0]]
                n_words = len(inner.split())
            if 5 <= n_words <= 20:
                quotes.append(Quote(index, inner, whole))
    return quotes


def load_bases(csv_path: Path = DEFAULT_CSV) -> list[Base]:
    """Read the CSV, split and clean sentences, and assign story groups (connected components of the
    corpus's same-story pairs plus any pair sharing 5+ word 5-grams). Cached per path; treat as read-only."""
    return list(_load_bases(str(csv_path)))


@functools.cache
def _load_bases(path: str) -> tuple[Base, ...]:
    csv_path = Path(path)
    with open(csv_path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    split = [split_sentences(row["text"]) for row in rows]
    seen: dict[str, int] = {}
    for sentences in split:
        for sentence in set(sentences):
            seen[sentence] = seen.get(sentence, 0) + 1
    bases: list[Base] = []
    for row, sentences in zip(rows, split, strict=True):
        kept = [
            s
            for s in dict.fromkeys(sentences)  # a sentence repeated inside one article is kept once
            if seen[s] == 1 and not _BOILERPLATE_RE.search(s) and len(s.split()) >= 5 and len(s) <= 600
        ]
        text = " ".join(kept)
        date = dt.date.fromisoformat(row["date"][:10]) if row["date"] else dt.date(2021, 6, 1)
        bases.append(
            Base(
                key=url_id(row["url"]),
                url=row["url"],
                title=row["title"].strip(),
                date=date,
                sentences=kept,
                orgs=_entities(row["org"], text),
                persons=_entities(row["per"], text),
                locs=_entities(row["loc"], text),
                numbers=_number_phrases(text),
                quotes=_short_quotes(kept),
            )
        )
    _assign_groups(bases, csv_path.parent / "story_pairs.csv")
    return tuple(bases)


def _assign_groups(bases: list[Base], pairs_path: Path) -> None:
    parent = list(range(len(bases)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(i: int, j: int) -> None:
        parent[find(i)] = find(j)

    index = {b.url: i for i, b in enumerate(bases)}
    if pairs_path.exists():
        for line in pairs_path.read_text(encoding="utf-8-sig").splitlines():
            parts = line.strip().split(";")
            if len(parts) == 3 and parts[2].strip() == "1" and parts[0] in index and parts[1] in index:
                union(index[parts[0]], index[parts[1]])
    grams = [shingles(b.text) for b in bases]
    for i in range(len(bases)):
        for j in range(i + 1, len(bases)):
            if len(grams[i] & grams[j]) >= 5:
                union(i, j)
    roots: dict[int, int] = {}
    for i, base in enumerate(bases):
        base.group = roots.setdefault(find(i), len(roots))


# ---------------------------------------------------------------------------------------- documents


@dataclass(slots=True)
class Doc:
    """A generated article: paragraphs of sentences plus page chrome and metadata."""

    id: str
    title: str
    outlet: str
    published: dt.date | None
    paragraphs: list[list[str]]
    role: str
    family: str | None
    text_groups: set[int]
    top: list[str] = field(default_factory=list)
    bottom: list[str] = field(default_factory=list)
    paragraph_sep: str = "\n\n"
    sentence_sep: str = " "

    @property
    def sentences(self) -> list[str]:
        return [s for p in self.paragraphs for s in p]

    def text(self) -> str:
        body = [self.sentence_sep.join(p) for p in self.paragraphs if p]
        return self.paragraph_sep.join([*self.top, *body, *self.bottom])

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "text": self.text(),
            "title": self.title,
            "outlet": self.outlet,
            "published": self.published.isoformat() if self.published else None,
        }


_CHROME_TOP = (
    "Advertisement",
    "Share this article",
    "Listen to this article",
    "Skip to main content",
    "Menu",
    "Home | News | Energy",
    "Log in to your account",
)
_CHROME_BOTTOM = (
    "Share this:",
    "Click to share on Twitter",
    "Related articles",
    "Sign up for our daily newsletter",
    "Comments are closed.",
    "Follow us on LinkedIn",
    "Tags: energy, business",
    "Advertisement",
)

_PLACES = [
    "Harrowgate",
    "Ashbury",
    "Brackenfield",
    "Caldmoor",
    "Dunmere",
    "Eastwick",
    "Fennholt",
    "Glenmarsh",
    "Hollowmere",
    "Ironbridge",
    "Juniper",
    "Kestrel",
    "Larkspur",
    "Millbrook",
    "Northcliff",
    "Oakridge",
    "Pinecrest",
    "Queensbay",
    "Ravenhill",
    "Saltmarsh",
    "Thornbury",
    "Upton",
    "Valewood",
    "Westerly",
    "Yarrow",
    "Zephyr",
    "Amberlea",
    "Blackwater",
    "Coppergate",
    "Driftwood",
    "Elmstead",
    "Foxglove",
    "Greystone",
    "Heatherdown",
    "Ivybridge",
    "Kingsmoor",
    "Lowfield",
    "Marlowe",
    "Netherby",
    "Orchard",
]
_TOPICS = ("Energy", "Power", "Markets", "Business", "Industry", "Grid", "Resources", "Trade", "Climate")
_KINDS = [
    "Ledger",
    "Courier",
    "Wire",
    "Tribune",
    "Dispatch",
    "Monitor",
    "Journal",
    "Gazette",
    "Post",
    "Herald",
    "Times",
    "Review",
    "Report",
    "Bulletin",
    "Chronicle",
    "Observer",
    "Digest",
    "Insider",
    "Daily",
    "Record",
]


class Names:
    """Unique outlet names and article ids drawn from one seeded generator."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        combos = [f"{p} {t} {k}" for p in _PLACES for t in _TOPICS for k in _KINDS]
        rng.shuffle(combos)
        self._outlets = combos
        self._ids: set[str] = set()

    def outlet(self) -> str:
        return self._outlets.pop()

    def article_id(self) -> str:
        while True:
            new = f"{self._rng.getrandbits(48):012x}"
            if new not in self._ids:
                self._ids.add(new)
                return new


def layout(sentences: Sequence[str], rng: random.Random) -> list[list[str]]:
    """Group sentences into paragraphs of 1–3 sentences; no paragraph has fewer than 15 words."""
    paragraphs: list[list[str]] = []
    current: list[str] = []
    target = rng.randint(1, 3)
    for sentence in sentences:
        current.append(sentence)
        if len(current) >= target and sum(len(s.split()) for s in current) >= 15:
            paragraphs.append(current)
            current = []
            target = rng.randint(1, 3)
    if current:
        if paragraphs and sum(len(s.split()) for s in current) < 15:
            paragraphs[-1].extend(current)
        else:
            paragraphs.append(current)
    return paragraphs


def add_chrome(doc: Doc, rng: random.Random, *, most: int = 2) -> None:
    doc.top = rng.sample(_CHROME_TOP, rng.randint(0, most))
    doc.bottom = rng.sample(_CHROME_BOTTOM, rng.randint(0, most))
    if rng.random() < 0.4:
        doc.bottom.append(f"© 2021 {doc.outlet}. All rights reserved.")


# ------------------------------------------------------------------------------------- word edits


def _swappable(word: str, first: bool) -> bool:
    lower = word.lower()
    if lower not in SYNONYMS:
        return False
    return word.islower() or (first and word[:1].isupper() and word[1:].islower())


def swap_words(
    sentences: list[str],
    rng: random.Random,
    *,
    count: int | None = None,
    fraction: float | None = None,
    skip_quotes: bool = False,
    protect: Iterable[str] = (),
) -> tuple[list[str], int]:
    """Replace ``count`` (or ``fraction`` of all content words) thesaurus words by synonyms.

    Words inside ``protect`` phrases (entities) are never touched. Returns the sentences and how many
    words were replaced.
    """
    protected = sorted({p for p in protect if p}, key=len, reverse=True)
    protect_re = re.compile("|".join(map(re.escape, protected))) if protected else None
    slots: list[tuple[int, int]] = []
    n_content = 0
    for si, sentence in enumerate(sentences):
        spans = quote_spans(sentence) if skip_quotes else []
        if protect_re is not None:
            spans += [(m.start(), m.end()) for m in protect_re.finditer(sentence)]
        for wi, match in enumerate(WORD_RE.finditer(sentence)):
            word = match.group(0)
            lower = word.lower()
            content = len(lower) >= 3 and lower not in STOPWORDS
            if content and word[:1].islower():
                n_content += 1
            if not content or not _swappable(word, wi == 0):
                continue
            if spans and any(a <= match.start() < b for a, b in spans):
                continue
            slots.append((si, wi))
    if fraction is not None:
        count = round(fraction * n_content)
    count = min(count or 0, len(slots))
    chosen = set(rng.sample(slots, count))
    out = []
    for si, sentence in enumerate(sentences):

        def choose(word: str, wi: int, si: int = si) -> str | None:
            if (si, wi) not in chosen:
                return None
            return _MARK + match_case(word, rng.choice(SYNONYMS[word.lower()]))

        out.append(_fix_articles(replace_words(sentence, choose)[0]))
    return out, count


_MARK = "\x01"


def _fix_articles(sentence: str) -> str:
    """Fix "a"/"an" before replaced words (marked with ``_MARK``) and drop the marks."""
    sentence = re.sub(r"\b([Aa])n? " + _MARK + r"(?=[aeiouAEIOU])", r"\1n ", sentence)
    sentence = re.sub(r"\b([Aa])n? " + _MARK + r"(?=[^aeiouAEIOU])", r"\1 ", sentence)
    return sentence.replace(_MARK, "")


def entity_names(base: Base) -> list[str]:
    return [*base.orgs, *base.persons, *base.locs]


# ----------------------------------------------------------------------------------- paraphrasing

_SAY = r"(?:said|says|added|noted|explained|stated)"
_INTRO_RE = re.compile(
    r"^((?:In|On|At|After|Before|Last|Earlier|Under|Following|During|Since|Once|Despite|For|By|Over|"
    r"Within|Through) [^,“”\"]{2,70}), ([a-zA-Z].+?)([.!?])$"
)
_ACCORDING_RE = re.compile(r"^According to ([^,“”\"]{2,80}), (.+?)([.!?])$")
_QUOTE_SAID_RE = re.compile(rf"^“([^“”]+?)[,.]?” ({_SAY}) ([^.,“”]{{2,60}})\.$")
_QUOTE_WHO_SAID_RE = re.compile(rf"^“([^“”]+?)[,.]?” ([^.,“”]{{2,60}}?) ({_SAY})\.$")
_WHO_SAID_RE = re.compile(rf"^([A-Z][^,“”\"]{{1,60}}?) ({_SAY}) (?:that )?([^“”\"]{{20,}})\.$")
_REST_WHO_SAID_RE = re.compile(rf"^([^“”\"]{{20,}}), ([^,“”\"]{{2,60}}) ({_SAY})\.$")
# Past tense -> past participle of verbs the passive rewrite handles.
_PASSIVE_VERBS: tuple[str, ...] = (
    "signed",
    "awarded",
    "acquired",
    "completed",
    "launched",
    "secured",
    "approved",
    "commissioned",
    "installed",
    "developed",
    "selected",
    "ordered",
    "received",
    "published",
    "released",
    "submitted",
    "unveiled",
    "opened",
    "started",
    "finalised",
    "appointed",
    "granted",
    "issued",
    "announced",
    "built",
    "bought",
    "sold",
    "held",
    "made",
    "won",
)
_PASSIVE_PAST: dict[str, str] = {**{v: v for v in _PASSIVE_VERBS}, "took": "taken"}
# Base form -> past participle for "X will build Y" -> "Y will be built by X".
_PASSIVE_BASE: dict[str, str] = {
    "build": "built",
    "develop": "developed",
    "operate": "operated",
    "supply": "supplied",
    "acquire": "acquired",
    "buy": "bought",
    "install": "installed",
    "construct": "constructed",
    "deliver": "delivered",
    "provide": "provided",
    "sign": "signed",
    "fund": "funded",
    "finance": "financed",
    "own": "owned",
    "manage": "managed",
    "launch": "launched",
    "complete": "completed",
    "hold": "held",
    "take": "taken",
    "make": "made",
    "receive": "received",
}
_MODALS = {
    "will": "will be",
    "would": "would be",
    "could": "could be",
    "is set to": "is set to be",
    "is expected to": "is expected to be",
}
_SUBJECT = r"((?:The )?[A-Z][\w’'&.-]*(?: (?:[A-Z][\w’'&.-]*|of|and|&)){0,5})"
_OBJECT = r"((?:a|an|the|its|their|two|three|four|five|\d)[^,;“”\"]{3,80}?)"
_TAIL = r"((?: (?:to|for|with|from|in|at|on|under|worth|through|by|as|near|off) [^“”\"]*)?)\.$"
_PASSIVE_RE = re.compile(
    "^" + _SUBJECT + r" (has |have )?(" + "|".join(_PASSIVE_PAST) + ") " + _OBJECT + _TAIL
)
_PASSIVE_MODAL_RE = re.compile(
    "^" + _SUBJECT + " (" + "|".join(_MODALS) + ") (" + "|".join(_PASSIVE_BASE) + ") " + _OBJECT + _TAIL
)
_SUBORDINATE_RE = re.compile(
    r"^([^“”\"]{25,}?), (while|although|after|before|because|since|with|when|following|despite|whereas|"
    r"thanks to|as part of|in order to|as) (?!well\b)([^“”\"]{12,})([.!?])$"
)
_WHICH_RE = re.compile(r"^([^“”\"]{25,}?), which ([^,“”\"]{12,})\.$")
_LOWERABLE = frozenset(
    (
        "The",
        "It",
        "This",
        "These",
        "They",
        "There",
        "Its",
        "Their",
        "A",
        "An",
        "We",
        "He",
        "She",
        "That",
        "Such",
    )
)


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _lower_first(text: str) -> str:
    first = text.split(" ", 1)[0]
    return text[:1].lower() + text[1:] if first in _LOWERABLE else text


def restructure(sentence: str, rng: random.Random) -> str | None:
    """One clause-level rewrite of ``sentence`` (said-flip, clause move, passive) or None."""
    m = _QUOTE_SAID_RE.match(sentence)
    if m:
        return f"{_cap(m.group(3))} {m.group(2)}: “{m.group(1)}.”"
    m = _QUOTE_WHO_SAID_RE.match(sentence)
    if m:
        return f"{_cap(m.group(2))} {m.group(3)}: “{m.group(1)}.”"
    m = _ACCORDING_RE.match(sentence)
    if m:
        return f"{_cap(m.group(2))}, according to {m.group(1)}{m.group(3)}"
    m = _PASSIVE_MODAL_RE.match(sentence)
    if m and len(m.group(4).split()) >= 2:
        verb = f"{_MODALS[m.group(2)]} {_PASSIVE_BASE[m.group(3)]}"
        return f"{_cap(m.group(4))} {verb} by {_lower_first(m.group(1))}{m.group(5)}."
    m = _PASSIVE_RE.match(sentence)
    if m and len(m.group(4).split()) >= 2:
        aux = "has been" if m.group(2) else "was"
        return (
            f"{_cap(m.group(4))} {aux} {_PASSIVE_PAST[m.group(3)]} by {_lower_first(m.group(1))}{m.group(5)}."
        )
    m = _INTRO_RE.match(sentence)
    if m and len(m.group(1).split()) <= 9:
        intro = m.group(1)[:1].lower() + m.group(1)[1:]
        return f"{_cap(m.group(2))} {intro}{m.group(3)}"
    m = _SUBORDINATE_RE.match(sentence)
    if m and rng.random() < 0.7:
        return f"{_cap(m.group(2))} {m.group(3)}, {_lower_first(m.group(1))}{m.group(4)}"
    m = _WHO_SAID_RE.match(sentence)
    if m and len(m.group(1).split()) <= 8:
        return f"{_cap(m.group(3))}, {_lower_first(m.group(1))} {m.group(2)}."
    m = _REST_WHO_SAID_RE.match(sentence)
    if m and len(m.group(2).split()) <= 8:
        return f"{_cap(m.group(2))} {m.group(3)} {_lower_first(m.group(1))}."
    return None


def split_sentence(sentence: str) -> list[str] | None:
    """Split at ``;``, ``, and``, ``, but``, ``, while`` or a final ``, which`` clause (both halves 6+ words,
    no quotation cut)."""
    if "“" in sentence or '"' in sentence:
        return None
    m = _WHICH_RE.match(sentence)
    if m and len(m.group(1).split()) >= 6:
        return [f"{m.group(1)}.", f"This {m.group(2)}."]
    for sep, prefix in (("; ", ""), (", and ", ""), (", but ", "But "), (", while ", "Meanwhile, ")):
        at = sentence.find(sep)
        if at > 0:
            left, right = sentence[:at], sentence[at + len(sep) :]
            if len(left.split()) >= 6 and len(right.split()) >= 6:
                return [f"{left}.", prefix + right if prefix else _cap(right)]
    return None


def renumber(sentence: str) -> str:
    """Change number formats: "more than 10,000" -> "over 10,000", "10 per cent" -> "10%", "$5 million" ->
    "$5m"."""
    for src, dst in NUMBER_PHRASES:
        if src in ("per cent", "percent"):
            pattern = re.compile(r"(\d) " + src + r"\b")
            if pattern.search(sentence):
                return pattern.sub(r"\1%", sentence, count=1)
            continue
        pattern = re.compile(r"\b" + re.escape(src) + r" (?=[\d$€£])", re.IGNORECASE)
        match = pattern.search(sentence)
        if match:
            return sentence[: match.start()] + match_case(match.group(0), dst + " ") + sentence[match.end() :]
    pattern = re.compile(r"(\d) (million|billion)\b")
    if pattern.search(sentence):
        return pattern.sub(
            lambda m: m.group(1) + ("m" if m.group(2) == "million" else "bn"), sentence, count=1
        )
    pattern = re.compile(r"(\d)%")
    if pattern.search(sentence):
        return pattern.sub(r"\1 per cent", sentence, count=1)
    return sentence


_LEADS = (
    "{org} is pressing ahead with a fresh initiative tied to {loc}, {credit} reported.",
    "A new move by {org} is drawing attention from across the energy sector, {credit} reported.",
    "Plans linked to {org} took a decisive step forward this week, {credit} reported.",
    "{loc} is at the heart of the latest development for {org}, {credit} reported.",
    "Fresh details have emerged about the ambitions of {org}, {credit} reported.",
)


def paraphrase(base: Base, rng: random.Random, credit: str) -> tuple[list[list[str]], dict[str, int]]:
    """Heavy paraphrase of a base article; returns paragraphs and counts of each operation."""
    stats = {"restructured": 0, "split": 0, "merged": 0, "renumbered": 0, "dropped": 0, "swapped": 0}
    sentences: list[str] = []
    for sentence in base.sentences:
        if len(sentences) > 1 and rng.random() < 0.08:
            stats["dropped"] += 1
            continue
        new = renumber(sentence) if rng.random() < 0.8 else sentence
        stats["renumbered"] += new != sentence
        moved = restructure(new, rng)
        if moved is not None and rng.random() < 0.9:
            new = moved
            stats["restructured"] += 1
        parts = split_sentence(new) if rng.random() < 0.7 else None
        if parts:
            stats["split"] += 1
            sentences.extend(parts)
        else:
            sentences.append(new)
    merged: list[str] = []
    for sentence in sentences:
        prev = merged[-1] if merged else ""
        first = sentence.split(" ", 1)[0]
        if (
            prev
            and len(prev.split()) < 22
            and len(sentence.split()) < 22
            and prev.endswith(".")
            and first[:1].isalpha()
            and "“" not in prev + sentence
            and '"' not in prev + sentence
            and rng.random() < 0.5
        ):
            merged[-1] = f"{prev[:-1]}, and {_lower_first(sentence)}"
            stats["merged"] += 1
        else:
            merged.append(sentence)
    merged, stats["swapped"] = swap_words(
        merged, rng, fraction=rng.uniform(0.3, 0.4), protect=entity_names(base)
    )
    org = (base.orgs or base.persons or ["The company"])[0]
    loc = (base.locs or ["the region"])[0]
    lead = rng.choice(_LEADS).format(org=org, loc=loc, credit=credit)
    return [[_cap(lead)], *layout(merged, rng)], stats


# --------------------------------------------------------------------------------- independent text

# Sentence templates for independent coverage. Each template has variants; slots are filled with the
# original's entities and numbers. Any two independent articles share at most one template.
_TEMPLATES: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (
        ("topic",),
        (
            "Interest in {topic} has grown sharply over the past year.",
            "The debate over {topic} has intensified in recent months.",
        ),
    ),
    (
        ("topic", "org"),
        (
            "For {org}, {topic} is now a central part of the strategy.",
            "{org} sees {topic} as central to its plans for the coming years.",
        ),
    ),
    (
        ("topic2", "loc"),
        (
            "Questions about {topic2} are likely to dominate discussion in {loc}.",
            "In {loc}, attention is turning to {topic2} and what it means locally.",
        ),
    ),
    (
        ("topic", "topic2"),
        (
            "Analysts link progress on {topic} closely to {topic2}.",
            "Both {topic} and {topic2} featured prominently in the briefing.",
        ),
    ),
    (
        ("topic3",),
        (
            "Some observers expect {topic3} to become a bigger issue before long.",
            "The subject of {topic3} was raised by several participants.",
        ),
    ),
    (
        ("topic2", "org"),
        (
            "Executives at {org} have spoken often about {topic2} this year.",
            "{org} has made {topic2} a recurring theme in its public remarks.",
        ),
    ),
    (
        ("org", "loc"),
        (
            "{org} moved forward this week with {thing} centred on {loc}, documents show.",
            "Documents reviewed by reporters show {org} pressing on with {thing} in {loc}.",
        ),
    ),
    (
        ("num",),
        (
            "The figure of {num} came up repeatedly during a briefing held on {weekday}.",
            "Officials kept returning to {num} when they briefed journalists on {weekday}.",
        ),
    ),
    (
        ("loc",),
        (
            "Market watchers in {loc} had been bracing for news of this kind for weeks.",
            "For observers in {loc}, the announcement had been a long time coming.",
        ),
    ),
    (
        ("org",),
        (
            "{org} has not yet set out a detailed timetable for the next steps.",
            "No firm schedule for what happens next has been published by {org}.",
        ),
    ),
    (
        ("num", "org"),
        (
            "People close to {org} put the number at {num}, though some doubted the timing.",
            "Sources familiar with {org} cited {num} while cautioning that dates could slip.",
        ),
    ),
    (
        ("person",),
        (
            "{person} has been closely involved in the talks since they started.",
            "The negotiations have had {person} at the table from the outset.",
        ),
    ),
    (
        ("loc", "loc2"),
        (
            "The decision is being watched closely in {loc} as well as in {loc2}.",
            "Reaction was swift in {loc}, and interest spread quickly to {loc2}.",
        ),
    ),
    (
        ("org", "org2"),
        (
            "{org2} is expected to play a role alongside {org}, according to one analyst.",
            "One analyst said {org2} would likely end up working with {org}.",
        ),
    ),
    (
        ("num2",),
        (
            "A second number, {num2}, was mentioned in supporting material handed to investors.",
            "Investor slides also pointed to {num2} as a relevant benchmark.",
        ),
    ),
    (
        (),
        (
            "Critics argue the timeline leaves little room for error if costs rise.",
            "Sceptics warned that any overrun in costs could quickly derail the schedule.",
        ),
    ),
    (
        ("org",),
        (
            "Shares and bonds linked to {org} were little changed after the news broke.",
            "Investors barely reacted to the news about {org} during early trading.",
        ),
    ),
    (
        ("loc",),
        (
            "Local officials in {loc} welcomed the prospect of new jobs and investment.",
            "Community leaders in {loc} voiced cautious optimism about jobs and investment.",
        ),
    ),
    (
        ("person", "org"),
        (
            "{person}, who speaks for {org} on the matter, declined to add further detail.",
            "Further detail was declined by {person} on behalf of {org}.",
        ),
    ),
    (
        ("num",),
        (
            "If the {num} figure holds, it would mark a notable jump on earlier estimates.",
            "A total of {num} would be well ahead of what many had pencilled in.",
        ),
    ),
    (
        (),
        (
            "Environmental groups said they would study the plans before taking a position.",
            "Campaigners said they wanted to see the full paperwork before commenting.",
        ),
    ),
    (
        ("org",),
        (
            "The move fits a broader pattern of spending by {org} on lower-carbon options.",
            "{org} has been steadily shifting its spending toward lower-carbon options.",
        ),
    ),
    (
        ("loc",),
        (
            "Regulators in {loc} are yet to give their final word on the matter.",
            "A final ruling from regulators in {loc} is still outstanding.",
        ),
    ),
    (
        ("org2",),
        (
            "Rival {org2} has been watching the developments with interest.",
            "The developments have been followed closely by {org2}, a competitor.",
        ),
    ),
    (
        (),
        (
            "Further announcements are expected before the end of the quarter.",
            "More news is anticipated before the quarter closes.",
        ),
    ),
    (
        ("person",),
        (
            "{person} is expected to present the details to stakeholders in the coming weeks.",
            "Stakeholders will hear directly from {person} within weeks, aides said.",
        ),
    ),
    (
        ("num", "loc"),
        (
            "In {loc}, the headline number of {num} dominated conversations on the day.",
            "Conversation in {loc} centred on the {num} number throughout the day.",
        ),
    ),
    (
        ("org",),
        (
            "A representative for {org} confirmed the broad outline but not the specifics.",
            "{org} confirmed the general outline while staying quiet on specifics.",
        ),
    ),
    (
        (),
        (
            "Supply chain bottlenecks remain a concern for the wider industry this year.",
            "Across the industry, shortages of parts and skilled staff are still a worry.",
        ),
    ),
    (
        ("loc",),
        (
            "The weather and grid conditions in {loc} could shape how quickly work proceeds.",
            "How fast work proceeds may depend on conditions on the ground in {loc}.",
        ),
    ),
    (
        ("org", "num"),
        (
            "Figures circulated by {org} referred to {num} in total.",
            "{org} circulated papers that mentioned {num} overall.",
        ),
    ),
    (
        ("person", "loc"),
        (
            "{person} travelled to {loc} earlier in the week for meetings.",
            "Meetings in {loc} earlier this week were attended by {person}.",
        ),
    ),
    (
        (),
        (
            "Financing terms were not disclosed, and no lenders were named.",
            "Nobody disclosed the financing terms or named any lenders.",
        ),
    ),
    (
        ("org2", "loc"),
        (
            "{org2} already has a foothold in {loc}, which may help.",
            "Having a presence in {loc} could give {org2} an advantage.",
        ),
    ),
    (
        ("num2", "org"),
        (
            "Separately, {org} pointed to {num2} as evidence of momentum.",
            "{org} also cited {num2} to argue that momentum was building.",
        ),
    ),
    (
        (),
        (
            "Trade associations are preparing a joint response to the proposals.",
            "A joint response from industry associations is being drafted.",
        ),
    ),
    (
        ("loc2",),
        (
            "Officials in {loc2} are said to be studying a similar approach.",
            "A comparable approach is reportedly under review in {loc2}.",
        ),
    ),
    (
        ("person",),
        (
            "Speaking later, {person} stressed that consultation would continue.",
            "Consultation will carry on, {person} stressed in later remarks.",
        ),
    ),
)
_QUOTE_TEMPLATES = (
    "“{quote},” {speaker} told reporters on {weekday}.",
    "{Speaker} put it plainly: “{quote}.”",
    "Asked about {thing}, {speaker} replied: “{quote}.”",
    "In remarks to journalists, {speaker} said: “{quote}.”",
    "{Speaker} summed up the mood in one line: “{quote}.”",
    "“{quote},” {speaker} said in an interview.",
)
_THINGS = ("the plan", "the project", "the deal", "the initiative", "the programme", "the scheme")
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")


def _speaker(base: Base, quote: Quote) -> str:
    window = " ".join(base.sentences[max(0, quote.sentence - 1) : quote.sentence + 1])
    for person in base.persons:
        if person in window:
            return person
    for org in base.orgs:
        if org in window:
            return f"a spokesperson for {org}"
    return f"a spokesperson for {base.orgs[0]}" if base.orgs else "an official involved in the talks"


_TOPIC_WORD_RE = re.compile(r"[a-z][a-z-]{3,}")


def _topics(base: Base) -> list[str]:
    """Up to three salient topic phrases of a base article: repeated pairs of adjacent lower-case content
    words ("offshore wind", "solar plant"), else repeated single content words."""
    pairs: dict[str, int] = {}
    singles: dict[str, int] = {}
    for sentence in base.sentences:
        tokens = sentence.replace(",", " ,").split()
        for x, y in itertools.pairwise(tokens):
            if all(_TOPIC_WORD_RE.fullmatch(t) and t not in STOPWORDS for t in (x, y)):
                pairs[f"{x} {y}"] = pairs.get(f"{x} {y}", 0) + 1
        for token in tokens:
            if _TOPIC_WORD_RE.fullmatch(token) and token not in STOPWORDS and len(token) >= 6:
                singles[token] = singles.get(token, 0) + 1
    ranked = [p for p, n in sorted(pairs.items(), key=lambda kv: -kv[1]) if n >= 2]
    ranked += [w for w, n in sorted(singles.items(), key=lambda kv: -kv[1]) if n >= 3]
    out: list[str] = []
    for phrase in ranked:
        if not any(set(phrase.split()) & set(o.split()) for o in out):
            out.append(phrase)
        if len(out) == 3:
            break
    return out


def _slots(base: Base, rng: random.Random) -> dict[str, str]:
    orgs = base.orgs or ["the company"]
    locs = base.locs or ["the region"]
    persons = base.persons or []
    numbers = base.numbers
    values = {"thing": rng.choice(_THINGS), "weekday": rng.choice(_WEEKDAYS)}
    values["org"] = orgs[0]
    if len(orgs) > 1:
        values["org2"] = orgs[1]
    values["loc"] = locs[0]
    if len(locs) > 1:
        values["loc2"] = locs[1]
    if persons:
        values["person"] = persons[0]
    if numbers:
        values["num"] = numbers[0]
    if len(numbers) > 1:
        values["num2"] = numbers[1]
    for name, topic in zip(("topic", "topic2", "topic3"), _topics(base), strict=False):
        values[name] = topic
    return values


def _fill(template: str, values: dict[str, str]) -> str:
    return _cap(template.format(**values))


# ------------------------------------------------------------------------------------ change kinds


@dataclass(frozen=True, slots=True)
class Injected:
    """One injected change: sentence index, the new sentence and the changed words on both sides."""

    index: int
    sentence: str
    original: str
    copy: str


def _outside_quotes(sentence: str, start: int) -> bool:
    return not any(a <= start < b for a, b in quote_spans(sentence))


def _candidates(base: Base) -> list[int]:
    # Never change the first sentence (copies keep it; engines may treat leads specially).
    return list(range(1, len(base.sentences)))


def inject_number(base: Base, rng: random.Random) -> Injected | None:
    for index in rng.sample(_candidates(base), len(_candidates(base))):
        sentence = base.sentences[index]
        for match in NUMBER_RE.finditer(sentence):
            token = match.group(0).rstrip(",.")
            plain = token.replace(",", "")
            if _YEAR_RE.fullmatch(plain) or not _outside_quotes(sentence, match.start()):
                continue
            if "." in plain:
                decimals = len(plain.split(".")[1])
                new_value = float(plain) + rng.choice((1, 2, 3))
                new = f"{new_value:.{decimals}f}"
            else:
                value = int(plain)
                if value == 0:
                    continue
                new_int = (
                    value + rng.choice((2, 3, 5)) if value < 20 else round(value * rng.choice((1.5, 2, 0.5)))
                )
                new = f"{new_int:,}" if "," in token else str(new_int)
            if new == token:
                continue
            changed = sentence[: match.start()] + new + sentence[match.start() + len(token) :]
            return Injected(index, changed, token, new)
    return None


def inject_qualifier(base: Base, rng: random.Random) -> Injected | None:
    needs_number = {"over", "about", "around", "some", "nearly", "almost", "approximately"}
    for index in rng.sample(_candidates(base), len(_candidates(base))):
        sentence = base.sentences[index]
        for src, dst in QUALIFIER_SWAPS:
            tail = r" (?=[\d$€£])" if src in needs_number else r"\b"
            for match in re.finditer(r"(?<![\w-])" + re.escape(src) + tail, sentence):
                if _outside_quotes(sentence, match.start()):
                    end = match.start() + len(src)
                    return Injected(index, sentence[: match.start()] + dst + sentence[end:], src, dst)
    return None


def _replace_entity(sentence: str, name: str, other: str) -> tuple[str, int] | None:
    for match in re.finditer(r"(?<!\w)" + re.escape(name) + r"(?!\w)", sentence):
        if _outside_quotes(sentence, match.start()):
            return sentence[: match.start()] + other + sentence[match.end() :], match.start()
    return None


def inject_entity(base: Base, rng: random.Random, others: Sequence[Base]) -> Injected | None:
    pool = [(kind, name) for kind in ("orgs", "locs") for name in getattr(base, kind) if len(name) >= 4]
    text = base.text
    for index in rng.sample(_candidates(base), len(_candidates(base))):
        sentence = base.sentences[index]
        for kind, name in pool:
            replaced = None
            if name in sentence:
                donors = [n for b in others if b.group != base.group for n in getattr(b, kind) if len(n) >= 4]
                donors = sorted({n for n in donors if n not in text and name not in n and n not in name})
                if not donors:
                    continue
                other = rng.choice(donors)
                replaced = _replace_entity(sentence, name, other)
            if replaced:
                return Injected(index, replaced[0], name, other)
    return None


_NEGATABLE_RE = re.compile(r"\b(will|is|are|was|were|has|have|can|would|could|should)\b(?! not| no\b|n’t)")


def inject_negation(base: Base, rng: random.Random) -> Injected | None:
    for index in rng.sample(_candidates(base), len(_candidates(base))):
        sentence = base.sentences[index]
        if re.search(r"\bnot\b|n’t|n't", sentence):
            continue
        for match in _NEGATABLE_RE.finditer(sentence):
            if not _outside_quotes(sentence, match.start()):
                continue
            word = match.group(1)
            new = "cannot" if word == "can" else f"{word} not"
            return Injected(index, sentence[: match.start()] + new + sentence[match.end() :], word, new)
    return None


def inject_quote(base: Base, rng: random.Random) -> Injected | None:
    for index in rng.sample(_candidates(base), len(_candidates(base))):
        sentence = base.sentences[index]
        for start, end in quote_spans(sentence):
            if len(sentence[start:end].split()) < 5:
                continue
            for match in WORD_RE.finditer(sentence, start, end):
                word = match.group(0)
                if word.islower() and word in SYNONYMS and match.end() <= end:
                    new = rng.choice(SYNONYMS[word])
                    changed = sentence[: match.start()] + new + sentence[match.end() :]
                    return Injected(index, changed, word, new)
    return None


def inject_attribution(base: Base, rng: random.Random, others: Sequence[Base]) -> Injected | None:
    say = re.compile(r"\b(said|says|told|added|stated|noted|explained|according to)\b")
    for index in rng.sample(_candidates(base), len(_candidates(base))):
        sentence = base.sentences[index]
        if not say.search(sentence):
            continue
        for person in base.persons:
            names = [person]
            if " " in person:
                names.append(person.split()[-1])
            for name in names:
                replaced_at = _replace_entity(sentence, name, "\x00")
                if replaced_at is None:
                    continue
                _, at = replaced_at
                if not any(abs(m.start() - at) < 60 for m in say.finditer(sentence)):
                    continue
                pool = [p for p in base.persons if p not in sentence and person not in p and " " in p]
                if not pool:
                    pool = sorted({p for b in others if b.group != base.group for p in b.persons if " " in p})
                    pool = [p for p in pool if p not in base.text]
                other = rng.choice(pool)
                if name != person:
                    other = other.split()[-1]
                new_sentence = sentence[:at] + other + sentence[at + len(name) :]
                return Injected(index, new_sentence, name, other)
    return None


# ------------------------------------------------------------------------------------------- suite


@dataclass(slots=True)
class Suite:
    """The generated articles, labelled pairs and per-article provenance."""

    docs: list[Doc]
    labels: list[dict[str, Any]]

    def provenance(self) -> list[dict[str, Any]]:
        return [
            {"id": d.id, "role": d.role, "family": d.family, "text_groups": sorted(d.text_groups)}
            for d in sorted(self.docs, key=lambda d: d.id)
        ]


def _balanced(sentence: str) -> bool:
    return sentence.count("“") == sentence.count("”") and sentence.count('"') % 2 == 0


class DonorPool:
    """Hands out runs of consecutive sentences from donor articles, never the same sentence twice."""

    def __init__(self, donors: Sequence[Base]) -> None:
        self._donors = list(donors)
        # Only sentences that open and close their own quotations, so runs read as whole sentences.
        self._sentences = [[s for s in d.sentences if _balanced(s)] for d in self._donors]
        self._offset = [0] * len(self._donors)
        self._next = 0

    def take(self, n: int, avoid_group: int) -> tuple[list[str], Base]:
        for step in range(len(self._donors)):
            i = (self._next + step) % len(self._donors)
            donor = self._donors[i]
            if donor.group == avoid_group or len(self._sentences[i]) - self._offset[i] < n:
                continue
            start = self._offset[i]
            self._offset[i] += n
            self._next = i + 1
            return self._sentences[i][start : start + n], donor
        raise RuntimeError(f"donor sentences exhausted (needed {n}); lower --per-category")

    def remaining(self) -> int:
        return sum(len(s) - o for s, o in zip(self._sentences, self._offset, strict=True))


_CREDIT_LINES = (
    "This article was first published by {outlet}.",
    "Source: {outlet}",
    "Originally published by {outlet}.",
    "This story first appeared in {outlet}.",
)


class Builder:
    """Builds the suite; one instance per generation run."""

    def __init__(self, bases: list[Base], seed: int, per_category: int) -> None:
        self.rng = random.Random(seed)
        self.names = Names(random.Random(self.rng.getrandbits(64)))
        self.per_category = per_category
        usable = [b for b in bases if len(b.sentences) >= 3]
        ranked = sorted(
            usable,
            key=lambda b: (-(len(b.quotes) > 0), -(len(b.sentences) >= 10), -len(b.persons), b.key),
        )
        rich = [b for b in ranked if len(b.sentences) >= 10]
        n_orig = min(len(rich), max(per_category * 2, 40))
        self.originals = rich[:n_orig]
        self.donors = sorted((b for b in usable if b not in self.originals), key=lambda b: b.key)
        self.rng.shuffle(self.donors)
        self.pool = DonorPool(self.donors)
        self.all_bases = bases
        self.docs: list[Doc] = []
        self.labels: list[dict[str, Any]] = []
        self.original_doc: dict[str, Doc] = {}

    # -- helpers -----------------------------------------------------------------------------------

    def new_doc(self, base: Base | None, role: str, paragraphs: list[list[str]], title: str) -> Doc:
        doc = Doc(
            id=self.names.article_id(),
            title=title,
            outlet=self.names.outlet(),
            published=None,
            paragraphs=paragraphs,
            role=role,
            family=base.key if base else None,
            text_groups={base.group} if base else set(),
        )
        self.docs.append(doc)
        return doc

    def label(self, x: Doc, y: Doc, category: str, origin: str | None, **extra: Any) -> None:
        a, b = sorted((x.id, y.id))
        self.labels.append(
            {"a": a, "b": b, "category": category, "kind": EXPECTED_KIND[category], "origin": origin, **extra}
        )

    def scenarios(self, n: int) -> list[str]:
        out = [SCENARIOS[i % len(SCENARIOS)] for i in range(n)]
        self.rng.shuffle(out)
        return out

    def apply_scenario(
        self, copy: Doc, original: Doc, scenario: str, *, credit_line: bool = True
    ) -> str | None:
        """Set the copy's date and credit; return the expected origin id (or None)."""
        if scenario == "dated":
            assert original.published is not None
            copy.published = original.published + dt.timedelta(days=self.rng.randint(1, 9))
            return original.id
        if scenario == "credit":
            copy.published = original.published if self.rng.random() < 0.5 else None
            if credit_line:
                copy.bottom.insert(0, self.rng.choice(_CREDIT_LINES).format(outlet=original.outlet))
            return original.id
        copy.published = None
        return None

    def pick(self, eligible: Sequence[Base], n: int | None = None) -> list[Base]:
        n = min(n or self.per_category, len(eligible))
        return self.rng.sample(list(eligible), n)

    # -- originals ---------------------------------------------------------------------------------

    def make_originals(self) -> None:
        for base in self.originals:
            doc = self.new_doc(base, "original", layout(base.sentences, self.rng), base.title)
            doc.published = base.date
            add_chrome(doc, self.rng, most=1)
            self.original_doc[base.key] = doc

    # -- categories --------------------------------------------------------------------------------

    def copy_doc(
        self, base: Base, category: str, paragraphs: list[list[str]], title: str | None = None
    ) -> Doc:
        doc = self.new_doc(base, category, paragraphs, base.title if title is None else title)
        add_chrome(doc, self.rng, most=3)
        return doc

    def verbatim(self) -> None:
        bases = self.pick(self.originals)
        for base, scenario in zip(bases, self.scenarios(len(bases)), strict=True):
            original = self.original_doc[base.key]
            doc = self.copy_doc(base, "verbatim", layout(base.sentences, self.rng))
            doc.paragraph_sep = self.rng.choice(("\n", "\n\n", "\n \n", "\n\n\n"))
            doc.sentence_sep = self.rng.choice((" ", "  ", " "))
            origin = self.apply_scenario(doc, original, scenario)
            self.label(original, doc, "verbatim", origin, scenario=scenario)

    def _light_edit(self, base: Base) -> list[str]:
        sentences = list(base.sentences)
        drop = self.rng.randrange(1, len(sentences))
        del sentences[drop]
        protect = entity_names(base)
        sentences, _ = swap_words(sentences, self.rng, count=self.rng.randint(2, 5), protect=protect)
        for index in self.rng.sample(range(len(sentences)), min(2, len(sentences))):
            edited, _ = swap_words([sentences[index]], self.rng, count=3, protect=protect)
            sentences[index] = edited[0]
        return sentences

    def light_edit(self) -> None:
        bases = self.pick(self.originals)
        for base, scenario in zip(bases, self.scenarios(len(bases)), strict=True):
            original = self.original_doc[base.key]
            doc = self.copy_doc(base, "light_edit", layout(self._light_edit(base), self.rng))
            origin = self.apply_scenario(doc, original, scenario)
            self.label(original, doc, "light_edit", origin, scenario=scenario)

    def spin(self) -> None:
        bases = self.pick(self.originals)
        for base, scenario in zip(bases, self.scenarios(len(bases)), strict=True):
            original = self.original_doc[base.key]
            fraction = self.rng.uniform(0.25, 0.40)
            sentences, _ = swap_words(
                list(base.sentences), self.rng, fraction=fraction, protect=entity_names(base)
            )
            title, _ = swap_words([base.title], self.rng, fraction=0.3, protect=entity_names(base))
            paragraphs = [list(p) for p in original.paragraphs]
            flat = iter(sentences)
            paragraphs = [[next(flat) for _ in p] for p in paragraphs]
            doc = self.copy_doc(base, "spin", paragraphs, title[0])
            origin = self.apply_scenario(doc, original, scenario)
            self.label(original, doc, "spin", origin, scenario=scenario)

    def reorder(self) -> None:
        bases = self.pick(self.originals)
        for base, scenario in zip(bases, self.scenarios(len(bases)), strict=True):
            original = self.original_doc[base.key]
            paragraphs = layout(base.sentences, self.rng)
            order = list(range(len(paragraphs)))
            while len(order) > 1 and order[0] == 0:
                self.rng.shuffle(order)
            paragraphs = [paragraphs[i] for i in order]
            for paragraph in self.rng.sample(paragraphs, min(2, len(paragraphs))):
                paragraph.reverse()
            flat = [s for p in paragraphs for s in p]
            edited, _ = swap_words(flat, self.rng, count=self.rng.randint(2, 4), protect=entity_names(base))
            it = iter(edited)
            paragraphs = [[next(it) for _ in p] for p in paragraphs]
            doc = self.copy_doc(base, "reorder", paragraphs)
            origin = self.apply_scenario(doc, original, scenario)
            self.label(original, doc, "reorder", origin, scenario=scenario)

    def truncation(self) -> None:
        bases = self.pick(self.originals)
        for base, scenario in zip(bases, self.scenarios(len(bases)), strict=True):
            original = self.original_doc[base.key]
            keep = max(2, round(len(base.sentences) * self.rng.uniform(0.4, 0.7)))
            sentences, _ = swap_words(
                list(base.sentences[:keep]),
                self.rng,
                count=self.rng.randint(1, 3),
                protect=entity_names(base),
            )
            doc = self.copy_doc(base, "truncation", layout(sentences, self.rng))
            origin = self.apply_scenario(doc, original, scenario)
            self.label(original, doc, "truncation", origin, scenario=scenario)

    def paraphrase(self) -> None:
        bases = self.pick(self.originals)
        for base, scenario in zip(bases, self.scenarios(len(bases)), strict=True):
            original = self.original_doc[base.key]
            # "none": the credit names an outlet that is not in the corpus, so the origin is unknown.
            credit = original.outlet if scenario != "none" else self.names.outlet()
            paragraphs, _ = paraphrase(base, self.rng, credit)
            title, _ = swap_words([base.title], self.rng, fraction=0.4, protect=entity_names(base))
            doc = self.copy_doc(base, "paraphrase", paragraphs, title[0])
            origin = self.apply_scenario(doc, original, scenario, credit_line=False)
            self.label(original, doc, "paraphrase", origin, scenario=scenario)

    def partial(self) -> None:
        eligible = [b for b in self.originals if len(b.sentences) >= 10]
        bases = self.pick(eligible)
        for base, scenario in zip(bases, self.scenarios(len(bases)), strict=True):
            original = self.original_doc[base.key]
            n1, n2 = self.rng.randint(2, 4), self.rng.randint(2, 4)
            start1 = self.rng.randint(0, len(base.sentences) - n1 - n2 - 2)
            start2 = self.rng.randint(start1 + n1 + 1, len(base.sentences) - n2)
            first = list(base.sentences[start1 : start1 + n1])
            second = list(base.sentences[start2 : start2 + n2])
            host, donor = self.pool.take(self.rng.randint(6, 9), avoid_group=base.group)
            cut1 = self.rng.randint(1, 2)
            cut2 = self.rng.randint(cut1 + 2, len(host) - 1)
            paragraphs = [
                *layout(host[:cut1], self.rng),
                first,
                *layout(host[cut1:cut2], self.rng),
                second,
                *layout(host[cut2:], self.rng),
            ]
            title, _ = swap_words([donor.title], self.rng, fraction=0.3)
            doc = self.new_doc(base, "partial", paragraphs, title[0])
            doc.text_groups.add(donor.group)
            add_chrome(doc, self.rng, most=2)
            if scenario == "credit":
                line = f"Parts of this report were first published by {original.outlet}."
                doc.paragraphs.insert(paragraphs.index(second) + 1, [line])
            origin = self.apply_scenario(doc, original, scenario, credit_line=False)
            self.label(original, doc, "partial", origin, scenario=scenario, embedded=first + second)

    def independent(self) -> None:
        eligible = [b for b in self.originals if b.quotes and (b.orgs or b.persons)]
        bases = self.pick(eligible)
        used_sets: list[set[int]] = []
        for base in bases:
            original = self.original_doc[base.key]
            values = _slots(base, self.rng)
            fillable = [i for i, (need, _) in enumerate(_TEMPLATES) if all(k in values for k in need)]
            self.rng.shuffle(fillable)
            # Topic templates first: independent coverage of one event shares its key terms.
            fillable.sort(key=lambda i: not any(k.startswith("topic") for k in _TEMPLATES[i][0]))
            chosen: list[int] = []
            for i in fillable:
                if all(len(used & {*chosen, i}) <= 1 for used in used_sets):
                    chosen.append(i)
                if len(chosen) == 7:
                    break
            self.rng.shuffle(chosen)
            used_sets.append(set(chosen))
            sentences = [_fill(self.rng.choice(_TEMPLATES[i][1]), values) for i in chosen]
            quote = self.rng.choice([q for q in base.quotes if q.whole] or base.quotes)
            speaker = _speaker(base, quote)
            quote_sentence = self.rng.choice(_QUOTE_TEMPLATES).format(
                quote=quote.text, speaker=speaker, Speaker=_cap(speaker), **values
            )
            background, donor = self.pool.take(self.rng.randint(2, 3), avoid_group=base.group)
            paragraphs = [
                sentences[:2],
                [quote_sentence, *sentences[2:3]],
                sentences[3:5],
                background,
                sentences[5:],
            ]
            paragraphs = [p for p in paragraphs if p]
            thing = values["thing"].split(" ", 1)[1]
            verb = self.rng.choice(("advances", "outlines", "pushes ahead with"))
            title = f"{values['org']} {verb} {values.get('topic', '')} {thing}".replace("  ", " ")
            doc = self.new_doc(None, "independent", paragraphs, _cap(title))
            doc.text_groups = {donor.group}
            doc.published = (
                base.date + dt.timedelta(days=self.rng.randint(-2, 3)) if self.rng.random() < 0.7 else None
            )
            add_chrome(doc, self.rng, most=2)
            self.label(original, doc, "independent", None, quote=quote.text)

    def unrelated(self, n: int) -> None:
        pairs: list[tuple[Base, Base]] = []
        seen: set[tuple[str, str]] = set()
        attempts = 0
        while len(pairs) < n and attempts < 100 * n:
            attempts += 1
            x, y = self.rng.sample(self.originals, 2)
            key = (min(x.key, y.key), max(x.key, y.key))
            if x.group == y.group or key in seen:
                continue
            seen.add(key)
            pairs.append((x, y))
        for x, y in pairs:
            self.label(self.original_doc[x.key], self.original_doc[y.key], "unrelated", None)

    def changes(self) -> None:
        injectors = {
            "change_number": lambda b: inject_number(b, self.rng),
            "change_qualifier": lambda b: inject_qualifier(b, self.rng),
            "change_entity": lambda b: inject_entity(b, self.rng, self.all_bases),
            "change_negation": lambda b: inject_negation(b, self.rng),
            "change_quote": lambda b: inject_quote(b, self.rng),
            "change_attribution": lambda b: inject_attribution(b, self.rng, self.all_bases),
            "change_control": lambda b: None,
        }
        for category, inject in injectors.items():
            candidates = list(self.originals)
            self.rng.shuffle(candidates)
            made: list[tuple[Base, Injected | None]] = []
            for base in candidates:
                if len(made) == self.per_category:
                    break
                injected = inject(base)
                if injected is None and category != "change_control":
                    continue
                made.append((base, injected))
            for (base, injected), scenario in zip(made, self.scenarios(len(made)), strict=True):
                original = self.original_doc[base.key]
                sentences = list(base.sentences)
                change: dict[str, str] | None = None
                if injected is not None:
                    sentences[injected.index] = injected.sentence
                    change = {
                        "type": category.removeprefix("change_"),
                        "original": injected.original,
                        "copy": injected.copy,
                        "original_sentence": base.sentences[injected.index],
                        "copy_sentence": injected.sentence,
                    }
                keep = injected.index if injected is not None else 0
                droppable = [i for i in range(1, len(sentences)) if i != keep]
                if droppable and len(sentences) >= 8:
                    del sentences[self.rng.choice(droppable)]
                doc = self.copy_doc(base, category, layout(sentences, self.rng))
                origin = self.apply_scenario(doc, original, scenario)
                self.label(original, doc, category, origin, scenario=scenario, change=change)

    def build(self) -> Suite:
        self.make_originals()
        self.verbatim()
        self.light_edit()
        self.spin()
        self.reorder()
        self.truncation()
        self.paraphrase()
        self.partial()
        self.independent()
        self.changes()
        self.unrelated(max(self.per_category, 40))
        docs = sorted(self.docs, key=lambda d: d.id)
        self.rng.shuffle(docs)
        labels = sorted(self.labels, key=lambda lab: (lab["category"], lab["a"], lab["b"]))
        return Suite(docs, labels)


def build_suite(seed: int, *, csv_path: Path = DEFAULT_CSV, per_category: int = 30) -> Suite:
    """Generate the labelled suite from the development corpus (deterministic given ``seed``)."""
    return Builder(load_bases(csv_path), seed, per_category).build()


def _dump(path: Path, rows: Iterable[dict[str, Any]]) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")


def write_suite(suite: Suite, out: Path) -> None:
    """Write ``articles.jsonl``, ``labels.jsonl`` and ``provenance.jsonl`` into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    _dump(out / "articles.jsonl", (d.to_json() for d in suite.docs))
    _dump(out / "labels.jsonl", suite.labels)
    _dump(out / "provenance.jsonl", suite.provenance())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("bench/data/suite"))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--csv", type=Path, default=DEFAULT_CSV)
    parser.add_argument("--per-category", type=int, default=30)
    args = parser.parse_args(argv)
    suite = build_suite(args.seed, csv_path=args.csv, per_category=args.per_category)
    write_suite(suite, args.out)
    counts: dict[str, int] = {}
    for label in suite.labels:
        counts[label["category"]] = counts.get(label["category"], 0) + 1
    print(f"{len(suite.docs)} articles, {len(suite.labels)} labelled pairs -> {args.out}")
    for category, n in sorted(counts.items()):
        print(f"  {category:20s} {n}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
