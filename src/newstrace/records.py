"""Frozen, typed records that flow through the pipeline.

One :class:`Article` flows through every per-article stage (like a spaCy ``Doc``): ingest fills the raw
fields, clean fills ``text``/``sentences``/``credits``/``removed``. Pair stages produce
:class:`CandidatePair`, then :class:`Alignment`, then :class:`Relation`; cluster produces :class:`Story`
and :class:`Thread`.

Offsets are always ``[start, end)`` character offsets (Python ``str`` indices, i.e. code points) into
``Article.text``, the cleaned text.
"""

from __future__ import annotations

import copyreg
import dataclasses
import datetime as dt
import types
from array import array
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from itertools import chain, repeat
from operator import attrgetter
from typing import TYPE_CHECKING, Any, cast

from newstrace._arrays import ArrayLayout, pack_arrays, unpack_arrays

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

__all__ = [
    "Alignment",
    "Article",
    "CandidatePair",
    "Change",
    "ChangeType",
    "Credit",
    "Link",
    "LinkType",
    "PackedSignature",
    "Relation",
    "RelationKind",
    "RemovedLine",
    "Sentence",
    "Signature",
    "SignatureParts",
    "Story",
    "Thread",
    "new_sentence",
    "new_sentences",
    "signature_from_parts",
    "signature_parts",
]


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence of an article's cleaned text: ``text == article.text[start:end]``."""

    index: int
    start: int
    end: int
    text: str


def _sentence_setters() -> list[Callable[[Sentence, Any], None]] | None:
    """The setters of ``Sentence``'s slots ``index``, ``start``, ``end`` and ``text``, in that order, while
    ``Sentence`` is the class they were written for: exactly these four fields, each a plain slot, and no
    ``__post_init__``; otherwise ``None``.

    ``Sentence`` is a frozen dataclass with slots: its ``__init__`` stores each field with
    ``object.__setattr__``, which costs about twice what the slots' own setters do, and every article's
    ~30 sentences are made when it is split and again when a cleaned article is unpickled. An object made
    with ``object.__new__`` whose fields are stored by these setters is the one the constructor makes
    (equal, same hash, repr and pickle).
    """
    names = ("index", "start", "end", "text")
    if tuple(f.name for f in dataclasses.fields(Sentence)) != names or hasattr(Sentence, "__post_init__"):
        return None
    setters = []
    for name in names:
        slot = vars(Sentence).get(name)
        if not isinstance(slot, types.MemberDescriptorType):
            return None
        setters.append(slot.__set__)
    return setters


def _sentence_builder() -> Callable[[int, int, int, str], Sentence]:
    """A function equal to ``Sentence(index, start, end, text)`` on every input: the slots' setters when
    ``_sentence_setters`` gives them, otherwise the constructor."""
    setters = _sentence_setters()
    if setters is None:
        return Sentence
    set_index, set_start, set_end, set_text = setters
    new = object.__new__

    def build(index: int, start: int, end: int, text: str) -> Sentence:
        sentence = new(Sentence)
        set_index(sentence, index)
        set_start(sentence, start)
        set_end(sentence, end)
        set_text(sentence, text)
        return sentence

    return build


def _sentences_builder() -> Callable[[Sequence[int], Sequence[int], Sequence[str]], tuple[Sentence, ...]]:
    """A function equal to ``tuple(map(Sentence, range(len(texts)), starts, ends, texts))`` on sequences of
    one length: the sentences numbered from 0.

    With the slots' setters (``_sentence_setters``), each setter runs over all the sentences in a ``map``
    that C consumes: no Python frame per sentence, where ``new_sentence`` runs one.
    """
    setters = _sentence_setters()
    new = object.__new__

    def build_all(starts: Sequence[int], ends: Sequence[int], texts: Sequence[str]) -> tuple[Sentence, ...]:
        if setters is None:
            return tuple(map(Sentence, range(len(texts)), starts, ends, texts))
        sentences = tuple(map(new, repeat(Sentence, len(texts))))
        for setter, values in zip(setters, (range(len(texts)), starts, ends, texts), strict=True):
            deque(map(setter, sentences, values), maxlen=0)
        return sentences

    return build_all


new_sentence = _sentence_builder()
"""``Sentence(index, start, end, text)``, about twice as fast (see ``_sentence_setters``)."""

new_sentences = _sentences_builder()
"""``tuple(map(Sentence, range(len(texts)), starts, ends, texts))``, faster still per sentence than
``new_sentence`` (see ``_sentences_builder``)."""


@dataclass(frozen=True, slots=True)
class RemovedLine:
    """A line dropped by cleaning: its text, its 1-based line number in the raw text, and why."""

    text: str
    line: int
    reason: str


@dataclass(frozen=True, slots=True)
class Credit:
    """An explicit credit in the text ("Bloomberg had reported", "Source: caliber.az").

    ``name`` is the credited source as written; ``start``/``end`` locate the whole phrase in the
    cleaned text (``-1`` when the credit came from a removed line, e.g. a "Source:" trailer).
    """

    name: str
    phrase: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Article:
    """A news article. ``raw``/``html`` are what was read; the rest is filled by cleaning.

    Invariant after cleaning: every ``sentences[i].text == text[start:end]`` and sentences are in text
    order without overlap.
    """

    id: str
    raw: str = ""
    html: str | None = None
    source: str = ""
    title: str | None = None
    outlet: str | None = None
    published: dt.date | None = None
    url: str | None = None
    language: str | None = None
    byline: str | None = None
    text: str = ""
    sentences: tuple[Sentence, ...] = ()
    credits: tuple[Credit, ...] = ()
    removed: tuple[RemovedLine, ...] = ()


@dataclass(frozen=True, slots=True, eq=False)
class Signature:
    """What candidate generation needs of one article.

    ``minhash`` holds ``num_perm`` uint32 values (byte layout: see ``newstrace.fingerprint._minhash``);
    ``terms`` are the article's distinct stemmed content terms; ``sentence_keys`` (sorted unique uint64)
    are two min-hashes per sentence. ``term_hashes`` (sorted unique uint64) are the stable 64-bit hashes
    of ``terms`` (``newstrace.fingerprint._minhash.token_hash``), for corpus statistics as arrays; ``None``
    where a signature was rebuilt without them (a store keeps ``terms`` only). ``algorithm`` is the
    versioned id of the fingerprint settings that made it.
    """

    article_id: str
    algorithm: str
    minhash: npt.NDArray[np.uint32]
    terms: frozenset[str]
    published: dt.date | None = None
    sentence_keys: npt.NDArray[np.uint64] | None = None
    term_hashes: npt.NDArray[np.uint64] | None = None


@dataclass(frozen=True, slots=True)
class CandidatePair:
    """Two articles worth aligning, ``a < b`` by id; ``channels`` names what proposed them."""

    a: str
    b: str
    channels: frozenset[str]


class LinkType(StrEnum):
    VERBATIM = "verbatim"
    EDITED = "edited"
    PARAPHRASE = "paraphrase"


@dataclass(frozen=True, slots=True)
class Link:
    """One aligned sentence pair: sentence ``a`` of article A with sentence ``b`` of article B.

    ``score`` is in [0, 1]; ``quote_only`` marks links whose shared words sit inside a direct quotation
    on both sides (evidence of quoting the same statement, not of copying).
    """

    a: int
    b: int
    a_span: tuple[int, int]
    b_span: tuple[int, int]
    score: float
    type: LinkType
    quote_only: bool = False


@dataclass(frozen=True, slots=True)
class Alignment:
    """Sentence alignment of two articles.

    ``coverage_a`` is the fraction of A's sentence characters that are linked (likewise ``coverage_b``);
    ``quote_coverage_*`` is the part of it that comes from quote-only links. ``longest_run`` is the longest run
    of links consecutive on both sides (in sentences).
    """

    a: str
    b: str
    links: tuple[Link, ...]
    coverage_a: float
    coverage_b: float
    quote_coverage_a: float
    quote_coverage_b: float
    longest_run: int
    in_order: float


class RelationKind(StrEnum):
    DUPLICATE = "duplicate"
    REWRITE = "rewrite"
    PARTIAL = "partial"
    SAME_STORY = "same_story"
    UNRELATED = "unrelated"

    @property
    def derived(self) -> bool:
        """True when one article is made from the other (copying), not independent coverage."""
        return self in (RelationKind.DUPLICATE, RelationKind.REWRITE, RelationKind.PARTIAL)


class ChangeType(StrEnum):
    ALTERED_QUOTE = "altered_quote"
    NUMBER = "number"
    ENTITY = "entity"
    NEGATION = "negation"
    ATTRIBUTION = "attribution"
    MEANING = "meaning"


@dataclass(frozen=True, slots=True)
class Change:
    """A change between an original and its copy inside one aligned sentence pair.

    Spans are offsets into the original's and the copy's cleaned text. ``severity`` is in [0, 1].
    """

    type: ChangeType
    original: str
    copy: str
    original_span: tuple[int, int]
    copy_span: tuple[int, int]
    severity: float
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Relation:
    """The decided relation of two articles: ``a < b`` by id in analyses and in the index
    (``Engine.compare`` keeps the order of its two arguments).

    ``origin`` is the id of the original for derived kinds, or ``None`` when evidence is missing (or the
    kind is not derived). ``reasons`` are human-readable sentences; ``algorithm`` is the versioned id of
    the settings that made it.
    """

    a: str
    b: str
    kind: RelationKind
    origin: str | None
    confidence: float
    reasons: tuple[str, ...]
    alignment: Alignment
    algorithm: str
    changes: tuple[Change, ...] = ()


@dataclass(frozen=True, slots=True)
class Story:
    """Articles about one event; ``origin`` is the story's earliest source when it is known."""

    id: str
    articles: tuple[str, ...]
    origin: str | None = None


@dataclass(frozen=True, slots=True)
class Thread:
    """Stories on one evolving topic."""

    id: str
    stories: tuple[str, ...]
    articles: tuple[str, ...] = field(default=())


def _reduce_record(obj: Any) -> tuple[Callable[..., Any], tuple[Any, ...]]:
    cls = type(obj)
    return cls, tuple(getattr(obj, name) for name in cls.__slots__)


def _article_from_parts(fields: tuple[Any, ...], bounds: bytes) -> Article:
    text = fields[_ARTICLE_TEXT]
    ends = array("q")
    ends.frombytes(bounds)
    flat = ends.tolist()
    starts, stops = flat[::2], flat[1::2]
    sentences = new_sentences(starts, stops, list(map(text.__getitem__, map(slice, starts, stops))))
    return _ARTICLE_BY_POSITION(*fields[:_ARTICLE_SENTENCES], sentences, *fields[_ARTICLE_SENTENCES:])


def _reduce_article(article: Article) -> tuple[Callable[..., Any], tuple[Any, ...]]:
    """A cleaned article's sentences travel as their ``(start, end)`` offsets (``array('q')`` bytes,
    native order, two per sentence) and are cut from the text again on arrival: the same objects by value
    at a fraction of the pickle (30 sentence records and their strings per article). Articles whose
    sentences are not the text's slices in index order travel field by field."""
    text = article.text
    sentences = article.sentences
    starts, stops = list(map(_START, sentences)), list(map(_END, sentences))
    # Attribute reads and slices mapped in C: this check runs on every article a worker sends.
    if list(map(_INDEX, sentences)) != list(range(len(sentences))) or list(map(_TEXT, sentences)) != list(
        map(text.__getitem__, map(slice, starts, stops))
    ):
        return _reduce_record(article)
    fields = tuple(getattr(article, name) for name in Article.__slots__ if name != "sentences")
    bounds = array("q", chain.from_iterable(zip(starts, stops, strict=True))).tobytes()
    return _article_from_parts, (fields, bounds)


_INDEX, _START, _END, _TEXT = map(attrgetter, ("index", "start", "end", "text"))


SignatureParts = tuple[str, str, Sequence[str], "dt.date | None", bytes, ArrayLayout]
"""A :class:`Signature` as it travels between processes: ``(article_id, algorithm, terms, published,
packed arrays, layout)``, the arrays (``minhash``, ``sentence_keys``, ``term_hashes``) packed by
:func:`newstrace._arrays.pack_arrays`. Made by :func:`signature_parts`, undone by
:func:`signature_from_parts`."""


def signature_from_parts(
    article_id: str,
    algorithm: str,
    terms: Sequence[str],
    published: dt.date | None,
    blob: bytes,
    layout: ArrayLayout,
) -> Signature:
    """The :class:`Signature` of its :data:`SignatureParts` (its arrays read-only views into ``blob``)."""
    minhash, sentence_keys, term_hashes = unpack_arrays(blob, layout)
    return Signature(
        article_id,
        algorithm,
        cast("npt.NDArray[np.uint32]", minhash),
        frozenset(terms),
        published,
        cast("npt.NDArray[np.uint64] | None", sentence_keys),
        cast("npt.NDArray[np.uint64] | None", term_hashes),
    )


def signature_parts(sig: Signature | PackedSignature) -> SignatureParts:
    """The :data:`SignatureParts` of a signature (its terms in set order), or of a packed one (its terms
    as listed)."""
    blob, layout = pack_arrays([sig.minhash, sig.sentence_keys, sig.term_hashes])
    terms = sig.terms if isinstance(sig, PackedSignature) else tuple(sig.terms)
    return (sig.article_id, sig.algorithm, terms, sig.published, blob, layout)


@dataclass(frozen=True, slots=True, eq=False)
class PackedSignature:
    """A :class:`Signature` as a process makes it to send away: its terms as a list (no set built) and
    its arrays as made (they may be views into a batch's arrays). Pickled, it travels as
    :data:`SignatureParts` and comes back as the :class:`Signature` itself, so the receiving side holds
    nothing beside it; where it stays in process, :meth:`unpack` makes the signature without packing."""

    article_id: str
    algorithm: str
    terms: Sequence[str]
    published: dt.date | None
    minhash: npt.NDArray[np.uint32]
    sentence_keys: npt.NDArray[np.uint64] | None
    term_hashes: npt.NDArray[np.uint64] | None

    def unpack(self) -> Signature:
        """The signature, with the arrays as they are (views into a batch's arrays keep those alive, but
        a batch's arrays hold little besides its signatures' parts)."""
        return Signature(
            self.article_id,
            self.algorithm,
            self.minhash,
            frozenset(self.terms),
            self.published,
            self.sentence_keys,
            self.term_hashes,
        )

    def __reduce__(self) -> tuple[Callable[..., Signature], SignatureParts]:
        return signature_from_parts, signature_parts(self)


def _reduce_signature(sig: Signature) -> tuple[Callable[..., Any], tuple[Any, ...]]:
    """A signature's arrays travel packed into one byte string (:mod:`newstrace._arrays`) and come back
    read-only; its terms as a tuple."""
    return signature_from_parts, signature_parts(sig)


def _register_record_pickling() -> None:
    """Pickle the frozen slots records as ``Class(*fields)`` (articles and signatures more compactly:
    :func:`_reduce_article`, :func:`_reduce_signature`).

    Records travel between processes (the local executor's forked workers, Spark's Python workers); the
    dataclass ``__getstate__`` path calls ``dataclasses.fields`` per object (measured: an article with its
    sentences unpickled in 0.23 ms, 0.14 ms by constructor; in Spark workers it was a third of the time).
    Only classes whose fields are all positional ``__init__`` arguments in slot order are registered, so
    the objects that come back equal the ones sent.
    """
    special: dict[type, Callable[[Any], tuple[Callable[..., Any], tuple[Any, ...]]]] = {
        Article: _reduce_article,
        Signature: _reduce_signature,
    }
    for cls in (
        Alignment,
        Article,
        CandidatePair,
        Change,
        Credit,
        Link,
        Relation,
        RemovedLine,
        Sentence,
        Signature,
        Story,
        Thread,
    ):
        fields = dataclasses.fields(cls)
        names = tuple(f.name for f in fields)
        if names == tuple(getattr(cls, "__slots__", ())) and all(f.init and not f.kw_only for f in fields):
            copyreg.pickle(cls, special.get(cls, _reduce_record))


# Article's fields by position (the reducers below keep slot order), sentences put back in their place.
_ARTICLE_BY_POSITION = cast("Callable[..., Article]", Article)
_ARTICLE_SENTENCES = Article.__slots__.index("sentences")
_ARTICLE_TEXT = [name for name in Article.__slots__ if name != "sentences"].index("text")
_register_record_pickling()
