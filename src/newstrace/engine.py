"""The Engine: the one Python API that the CLI, the HTTP API and the web UI call.

Batch pipeline: ``ingest → clean → fingerprint → candidates → align → relate → cluster``. Per-article and
per-pair stages go through the executor's ``map``; the corpus statistics between them (repeated chrome
lines, term document frequencies) are small reduces.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import hashlib
import logging
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import numpy.typing as npt

from newstrace.align import (
    ArticleFeatures,
    align,
    article_features,
    article_features_many,
    content_scores,
    max_links,
)
from newstrace.analysis import Analysis
from newstrace.candidates import (
    anchor_pairs,
    band_keys,
    candidate_pairs,
    min_document_similarity,
    select_anchors,
    shared_term_pairs,
)
from newstrace.clean import Cleaner, chrome_keys, frequent_keys
from newstrace.cluster import stories, threads
from newstrace.errors import InputError
from newstrace.executors import Executor, LocalExecutor, Progress
from newstrace.fingerprint import LEXICON, Fingerprinter, LexiconDelta, TermStats, TermTable
from newstrace.fingerprint._embed import SentenceEmbedder, load_embedder
from newstrace.ingest import ReadResult, read_inputs
from newstrace.records import (
    Alignment,
    Article,
    CandidatePair,
    Change,
    PackedSignature,
    Relation,
    RelationKind,
    Signature,
)
from newstrace.relate import ChangeDetector, decide_kind, decide_origin
from newstrace.settings import Settings
from newstrace.store import Store

__all__ = ["CheckResult", "Engine", "IndexReport", "content_hash", "document_similarity"]

logger = logging.getLogger(__name__)

# What the clean + fingerprint pass gives per article: the cleaned article, its signature (packed: a
# worker's arrives as the Signature), what the process that ran it learnt of the vocabulary (on a run's
# last article), its short-line keys and the keys its cleaning looked up in the corpus chrome (see
# Engine.clean_and_fingerprint).
_Prepared = tuple[Article, Signature | PackedSignature, LexiconDelta | None, frozenset[str], frozenset[str]]


def _absorb_learnt(run: Sequence[_Prepared]) -> None:
    """Add to this process's lexicon what the process that prepared ``run`` learnt."""
    LEXICON.absorb(learnt for _, _, learnt, _, _ in run if learnt is not None)


def _unpacked(signature: Signature | PackedSignature) -> Signature:
    """A stage's signature: a worker's arrive unpickled as :class:`Signature` already."""
    return signature.unpack() if isinstance(signature, PackedSignature) else signature


# Two dated articles more than this many days apart are not coverage of one event.
_SAME_STORY_MAX_DAYS = 7


def document_similarity(terms_a: frozenset[str], terms_b: frozenset[str], stats: TermStats) -> float:
    """IDF-weighted cosine of two articles' content-term sets, in [0, 1]."""
    return stats.cosine(terms_a, terms_b)


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for one batch run.

    A run creates millions of small acyclic objects (sentences, terms) that all live to its end; each
    full collection would walk every one of them again (measured: fingerprinting 10k articles took 16 s
    with the collector on, 8 s with it paused). Reference counting still frees everything as usual, and
    a collection runs when the batch is done.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _same_period(a: dt.date | None, b: dt.date | None) -> bool | None:
    if a is None or b is None:
        return None
    return abs((a - b).days) <= _SAME_STORY_MAX_DAYS


def content_hash(article: Article) -> str:
    """Identity of an input article's content and metadata: the same article added twice is stored once."""
    parts = [article.raw, article.html or "", article.title or "", article.outlet or "", article.url or ""]
    parts.append(article.published.isoformat() if article.published else "")
    return hashlib.blake2b("\x1f".join(parts).encode("utf-8"), digest_size=16).hexdigest()


@dataclass(frozen=True, slots=True)
class IndexReport:
    """What ``Engine.index`` did: ids added (new or with new content), ids already stored unchanged."""

    added: tuple[str, ...]
    unchanged: tuple[str, ...]
    relations: int


@dataclass(frozen=True, slots=True)
class CheckResult:
    """Where a text came from: its cleaned article, its relations to indexed articles (derived and
    same-story, strongest first) and the ids of its likely sources."""

    article: Article
    relations: tuple[Relation, ...]
    sources: tuple[str, ...]


@dataclass(slots=True)
class _Corpus:
    """Everything one analysis run knows about its articles, by id."""

    articles: dict[str, Article]
    signatures: dict[str, Signature]
    stats: TermStats
    vectors: dict[str, npt.NDArray[np.float32]] = field(default_factory=dict)
    # The term statistics as arrays, rows in article-id order (``None`` when signatures lack term hashes).
    table: TermTable | None = None
    # Document similarities already computed (candidate generation needs many), by (a, b) ids, a < b.
    known_similarity: dict[tuple[str, str], float] = field(default_factory=dict)
    _features: dict[str, ArticleFeatures] = field(default_factory=dict)

    def similarity(self, a_id: str, b_id: str) -> float:
        """:func:`document_similarity` of two articles: as remembered, else computed."""
        known = self.known_similarity.get((a_id, b_id))
        if known is not None:
            return known
        return document_similarity(self.signatures[a_id].terms, self.signatures[b_id].terms, self.stats)

    def features(self, article_id: str) -> ArticleFeatures:
        """Alignment features, made on first use: only articles in a candidate pair need them."""
        found = self._features.get(article_id)
        if found is None:
            found = self._features[article_id] = article_features(self.articles[article_id], self.stats)
        return found


class _PairCache:
    """Alignment features and sentence vectors of recently related articles, for executors that relate
    one pair at a time (an article is in several pairs): valid for one ``stats`` value, at most
    ``limit`` articles, least recently used dropped first. Keyed by id and text, so a reused id with
    other content is not mistaken for the article seen before."""

    def __init__(self, stats: TermStats, *, limit: int = 4096) -> None:
        self.stats = stats
        self.limit = limit
        self.features: OrderedDict[tuple[str, str], ArticleFeatures] = OrderedDict()
        self.vectors: OrderedDict[tuple[str, str], npt.NDArray[np.float32]] = OrderedDict()

    def lend(self, corpus: _Corpus, articles: Sequence[Article]) -> None:
        for article in articles:
            key = (article.id, article.text)
            if key in self.features:
                self.features.move_to_end(key)
                corpus._features[article.id] = self.features[key]
            if key in self.vectors:
                self.vectors.move_to_end(key)
                corpus.vectors[article.id] = self.vectors[key]

    def keep(self, corpus: _Corpus, articles: Sequence[Article]) -> None:
        for article in articles:
            key = (article.id, article.text)
            if article.id in corpus._features:
                self.features[key] = corpus._features[article.id]
            if article.id in corpus.vectors:
                self.vectors[key] = corpus.vectors[article.id]
        for table in (self.features, self.vectors):
            while len(table) > self.limit:
                table.popitem(last=False)


class Engine:
    """Analyze piles of articles, compare pairs, keep a persistent index and check texts against it.

    ``embeddings=False`` is the lexical-only mode: no model is loaded. The embedding model is loaded once,
    on first use.
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        embeddings: bool = True,
        executor: Executor | None = None,
        progress: Progress | None = None,
    ) -> None:
        self.settings = settings or Settings.load()
        self.embeddings = embeddings and bool(self.settings.embedding.model)
        self.executor: Executor = executor or LocalExecutor(progress=progress)
        self._embedder: SentenceEmbedder | None = None
        self._changes: ChangeDetector | None = None
        self._pair_cache: _PairCache | None = None
        ids = self.settings.ids()
        ids["embedding"] = ids["embedding"] if self.embeddings else "none"
        ids["relation"] = self.settings.relation_id + ("" if self.embeddings else "+lexical")
        self._ids = ids

    # -- settings ids ---------------------------------------------------------------------------
    def settings_ids(self) -> dict[str, str]:
        """Versioned ids of every settings section in force (lexical-only mode has its own relation id)."""
        return dict(self._ids)

    @property
    def embedder(self) -> SentenceEmbedder:
        if self._embedder is None:
            emb = self.settings.embedding
            self._embedder = load_embedder(emb.model, batch_size=emb.batch_size)
        return self._embedder

    @property
    def change_detector(self) -> ChangeDetector:
        if self._changes is None:
            # Lexical-only mode loads no model at all: entities then come from capitalised words.
            self._changes = ChangeDetector(ner=None if self.embeddings else False)
        return self._changes

    # -- stages ---------------------------------------------------------------------------------
    def read(self, paths: Sequence[str | Path], *, manifest: str | Path | None = None) -> ReadResult:
        """Read files, folders and JSONL (see :mod:`newstrace.ingest`); bad inputs land in ``skipped``."""
        return read_inputs(paths, manifest=manifest)

    def clean(self, articles: Sequence[Article]) -> list[Article]:
        return self.executor.map("clean", self.cleaner(self._corpus_chrome(articles)).clean, articles)

    def _corpus_chrome(self, articles: Sequence[Article]) -> frozenset[str]:
        """:func:`newstrace.clean.corpus_chrome`, its per-article step (reading HTML, splitting lines)
        spread over the executor."""
        settings = self.settings.clean
        keys = self.executor.map("repeated lines", lambda a: chrome_keys(a, settings=settings), articles)
        return frequent_keys(keys, min_docs=settings.corpus_repeat_min_docs)

    def clean_and_fingerprint(self, articles: Sequence[Article]) -> tuple[list[Article], list[Signature]]:
        """Clean every article and make its signature, in one pass over the executor (each worker
        fingerprints the article it has just cleaned).

        The corpus chrome (short lines repeated across articles) is only known once every article has
        been read, so the pass cleans without it and brings back each article's short-line keys and the
        keys its cleaning looked up (:meth:`Cleaner.clean_and_probe`); the few articles whose looked-up
        keys are corpus chrome are cleaned again. The result is what cleaning with the corpus chrome from
        the start gives, without a separate pass reading every text (and extracting every HTML page)
        first.
        """
        fingerprinter = self.fingerprinter()

        def prepare(cleaner: Cleaner, *, probe: bool) -> Callable[[Sequence[Article]], list[_Prepared]]:
            def run_of(run: Sequence[Article]) -> list[_Prepared]:
                if probe:
                    probed = [cleaner.clean_and_probe(article) for article in run]
                else:
                    probed = [(cleaner.clean(article), frozenset(), frozenset()) for article in run]
                cleaned = [article for article, _, _ in probed]
                signatures = fingerprinter.packed_signatures(cleaned)
                learnt: list[LexiconDelta | None] = [None] * len(run)
                if learnt:
                    learnt[-1] = LEXICON.drain()
                return [
                    (article, signature, entries, keys, asked)
                    for (article, keys, asked), signature, entries in zip(
                        probed, signatures, learnt, strict=True
                    )
                ]

            return run_of

        # What forked workers learnt of the vocabulary comes back with their results, absorbed as each run
        # arrives: this process's own runs, and stages forked later (alignment features), then find
        # those words decoded and stemmed already.
        done = self.executor.map_batches(
            "clean + fingerprint", prepare(self.cleaner(), probe=True), articles, on_results=_absorb_learnt
        )
        chrome = frequent_keys(
            (keys for _, _, _, keys, _ in done), min_docs=self.settings.clean.corpus_repeat_min_docs
        )
        cleaned = [article for article, _, _, _, _ in done]
        signatures = [_unpacked(signature) for _, signature, _, _, _ in done]
        again = [k for k, (_, _, _, _, asked) in enumerate(done) if not asked.isdisjoint(chrome)]
        if again:
            redone = self.executor.map_batches(
                "clean again (corpus chrome)",
                prepare(self.cleaner(chrome), probe=False),
                [articles[k] for k in again],
                on_results=_absorb_learnt,
            )
            for k, (article, signature, _, _, _) in zip(again, redone, strict=True):
                cleaned[k], signatures[k] = article, _unpacked(signature)
        logger.info("%d corpus chrome lines; %d articles cleaned again", len(chrome), len(again))
        return cleaned, signatures

    def _prepare(self, articles: Sequence[Article]) -> _Corpus:
        cleaned, signatures = self.clean_and_fingerprint(articles)
        by_id = {s.article_id: s for s in signatures}
        ordered = sorted(by_id.values(), key=lambda s: s.article_id)
        # Counting terms by hash, then naming the distinct ones, gives TermStats' counts without a
        # dictionary update per (article, term).
        table = TermTable.from_signatures(ordered)
        stats = TermStats.from_table(table, LEXICON) if table is not None else None
        if table is None or stats is None:
            return _Corpus(
                articles={a.id: a for a in cleaned},
                signatures=by_id,
                stats=TermStats.from_signatures(ordered),
            )
        return _Corpus(articles={a.id: a for a in cleaned}, signatures=by_id, stats=stats, table=table)

    def candidate_pairs(
        self, articles: Sequence[Article], *, channels: Sequence[str] = ("minhash", "sentences", "anchors")
    ) -> list[CandidatePair]:
        """Clean, fingerprint and generate candidate pairs only (for benchmarks and diagnostics)."""
        _, signatures = self.clean_and_fingerprint(articles)
        stats = TermStats.from_signatures(signatures) if "anchors" in channels else TermStats()
        return candidate_pairs(signatures, stats, settings=self.settings.fingerprint, channels=channels)

    def _embed(self, corpus: _Corpus, ids: Iterable[str]) -> None:
        todo = [i for i in sorted(set(ids)) if i not in corpus.vectors]
        if not todo or not self.embeddings:
            return
        # Copies repeat their originals' sentences: each distinct sentence is encoded once.
        row_of: dict[str, int] = {}
        for i in todo:
            for sentence in corpus.articles[i].sentences:
                row_of.setdefault(sentence.text, len(row_of))
        vectors = self.embedder.encode(list(row_of))
        for i in todo:
            rows = [row_of[s.text] for s in corpus.articles[i].sentences]
            corpus.vectors[i] = vectors[rows]

    # -- stage seam: the pieces another executor composes (see newstrace.executors) -------------------
    def cleaner(self, corpus_lines: frozenset[str] = frozenset()) -> Cleaner:
        """The clean stage for one corpus: ``corpus_lines`` are its repeated chrome lines
        (:func:`newstrace.clean.corpus_chrome`, a reduce over all inputs)."""
        return Cleaner(self.settings.clean, corpus_lines=corpus_lines)

    def fingerprinter(self) -> Fingerprinter:
        """The fingerprint stage (per article, no corpus state)."""
        return Fingerprinter(self.settings.fingerprint, algorithm=self.settings.section_id("fingerprint"))

    def relate_pair(
        self,
        a: Article,
        b: Article,
        *,
        signatures: tuple[Signature, Signature],
        stats: TermStats,
    ) -> Relation:
        """Align and relate one candidate pair of cleaned articles (``a.id < b.id``) under corpus
        statistics ``stats``. Embeddings, when on, are made here on demand: any executor that ships a pair
        with its two articles and signatures gets the same relation as :meth:`analyze`."""
        cache = self._pair_cache
        if cache is None or cache.stats is not stats:
            cache = self._pair_cache = _PairCache(stats)
        corpus = _Corpus(
            articles={a.id: a, b.id: b},
            signatures={signatures[0].article_id: signatures[0], signatures[1].article_id: signatures[1]},
            stats=stats,
        )
        cache.lend(corpus, (a, b))
        try:
            lexical = self._relate(corpus, a.id, b.id)
            if not self._needs_embeddings(corpus, lexical):
                return lexical
            self._embed(corpus, (a.id, b.id))
            return self._relate(corpus, a.id, b.id, semantic=True)
        finally:
            cache.keep(corpus, (a, b))

    def _needs_embeddings(self, corpus: _Corpus, lexical: Relation) -> bool:
        """Whether sentence embeddings can change a pair's lexical relation.

        Near-verbatim copies are settled by their words. Otherwise embeddings are needed unless even a
        perfect semantic match of every sentence pair could not give the pair two links while it shares
        too little vocabulary for coverage of one event — then it stays unrelated whatever the model says.
        """
        if not self.embeddings or lexical.kind is RelationKind.DUPLICATE:
            return False
        if lexical.kind is not RelationKind.UNRELATED:
            return True
        a, b = corpus.articles[lexical.a], corpus.articles[lexical.b]
        similarity = corpus.similarity(a.id, b.id)
        if (
            similarity >= self.settings.relate.same_story_min_score
            and _same_period(a.published, b.published) is not False
        ):
            return True
        fa, fb = corpus.features(a.id), corpus.features(b.id)
        perfect = np.ones((fa.sentence_count, fb.sentence_count))
        return (
            max_links(fa, fb, settings=self.settings.align, cosine=perfect)
            >= self.settings.relate.partial_min_links
        )

    def _relate(
        self, corpus: _Corpus, a_id: str, b_id: str, *, semantic: bool = False, full: bool = False
    ) -> Relation:
        """Relate one pair, with embedding cosines when ``semantic`` (vectors must be in ``corpus``);
        ``full`` aligns even pairs that cannot be reported (``compare`` shows them)."""
        a, b = corpus.articles[a_id], corpus.articles[b_id]
        cosine = None
        if semantic:
            cosine = (corpus.vectors[a_id] @ corpus.vectors[b_id].T).astype(np.float64)
        similarity = corpus.similarity(a_id, b_id)
        fa, fb = corpus.features(a_id), corpus.features(b_id)
        same_period = _same_period(a.published, b.published)
        content = None
        if not full and (similarity < self.settings.relate.same_story_min_score or same_period is False):
            # Made once: the bound below and the alignment, when it follows, score the same matrix.
            content = content_scores(fa, fb, cosine=cosine)
        if (
            content is not None
            and max_links(fa, fb, settings=self.settings.align, content=content)
            < self.settings.relate.partial_min_links
        ):
            # Neither copying (too few sentences can link) nor coverage of one event (too little in
            # common): the full alignment would only confirm "unrelated", which is never reported.
            return Relation(
                a=a_id,
                b=b_id,
                kind=RelationKind.UNRELATED,
                origin=None,
                confidence=round(1.0 - similarity, 4),
                reasons=("too few alike sentences and too little shared vocabulary",),
                alignment=Alignment(a_id, b_id, (), 0.0, 0.0, 0.0, 0.0, 0, 1.0),
                algorithm=self._ids["relation"],
            )
        alignment = align(a, b, fa, fb, settings=self.settings.align, cosine=cosine, content=content)
        kind, confidence, reasons = decide_kind(
            alignment,
            doc_similarity=similarity,
            settings=self.settings.relate,
            same_period=same_period,
        )
        origin = None
        changes: tuple[Change, ...] = ()
        if kind.derived:
            origin, _origin_confidence, origin_reasons = decide_origin(a, b)
            reasons.extend(origin_reasons)
            original, copy = (b, a) if origin == b_id else (a, b)
            if self.settings.relate.changes:
                changes = self.change_detector.changes(original, copy, alignment)
            serious = sorted({str(c.type) for c in changes if c.severity >= 0.6})
            if serious:
                reasons.append(f"changed in the copy: {', '.join(serious)}")
        return Relation(
            a=a_id,
            b=b_id,
            kind=kind,
            origin=origin,
            confidence=round(confidence, 4),
            reasons=tuple(reasons),
            alignment=alignment,
            algorithm=self._ids["relation"],
            changes=changes,
        )

    # -- public operations ----------------------------------------------------------------------
    def analyze(self, articles: Sequence[Article], *, skipped: Sequence[InputError] = ()) -> Analysis:
        """Find copies, rewrites and independent coverage among ``articles``; group stories and threads."""
        with _collector_paused():
            return self._analyze(articles, skipped=skipped)

    def _analyze(self, articles: Sequence[Article], *, skipped: Sequence[InputError]) -> Analysis:
        corpus = self._prepare(articles)
        # By id, not input order: candidates and clusters must not depend on how the input was split.
        ordered = sorted(corpus.signatures.values(), key=lambda s: s.article_id)
        shared_anchors = self._anchor_pairs(corpus, ordered)
        # Document similarities of pairs sharing anchors (threads use them) and of the candidates that
        # need one: per-pair work over the corpus statistics, spread over the executor, each pair once.
        known = self._similarities(corpus, ordered, list(shared_anchors), stage="similarity (thread pairs)")

        def similarity(index_pairs: Sequence[tuple[int, int]]) -> list[float]:
            todo = [p for p in index_pairs if p not in known]
            known.update(self._similarities(corpus, ordered, todo, stage="similarity (candidates)"))
            return [known[p] for p in index_pairs]

        pairs = candidate_pairs(
            ordered,
            corpus.stats,
            settings=self.settings.fingerprint,
            shared_anchors=shared_anchors,
            similarity=similarity,
        )
        logger.info("%d articles, %d candidate pairs", len(ordered), len(pairs))
        position = {sig.article_id: i for i, sig in enumerate(ordered)}
        for pair in pairs:
            value = known.get((position[pair.a], position[pair.b]))
            if value is not None:
                corpus.known_similarity[pair.a, pair.b] = value
        relations = self._relate_pairs(corpus, pairs)
        kept = [r for r in relations if r.kind is not RelationKind.UNRELATED]
        cleaned = list({a.id: corpus.articles[a.id] for a in articles if a.id in corpus.articles}.values())
        story_list = stories(cleaned, kept)
        thread_pairs = [
            (ordered[i].article_id, ordered[j].article_id, known[i, j]) for i, j in shared_anchors
        ]
        thread_list = threads(story_list, cleaned, thread_pairs, settings=self.settings.cluster)
        return Analysis(
            articles=tuple(cleaned),
            relations=tuple(kept),
            stories=tuple(story_list),
            threads=tuple(thread_list),
            settings=self.settings_ids(),
            skipped=tuple(skipped),
        )

    def _similarities(
        self,
        corpus: _Corpus,
        ordered: Sequence[Signature],
        index_pairs: Sequence[tuple[int, int]],
        *,
        stage: str,
    ) -> dict[tuple[int, int], float]:
        """:func:`document_similarity` of index pairs into ``ordered``, on the executor (as ``stage``);
        from the term table's arrays when the corpus has one (its rows are ``ordered``)."""
        stats, table = corpus.stats, corpus.table
        if table is not None and table.docs == len(ordered):
            # Pairs come sorted by their first article: each run marks an article's terms once.
            cosines = table.cosines
            return dict(zip(index_pairs, self.executor.map_batches(stage, cosines, index_pairs), strict=True))

        def run_of(run: Sequence[tuple[int, int]]) -> list[float]:
            return [document_similarity(ordered[i].terms, ordered[j].terms, stats) for i, j in run]

        similarities = self.executor.map_batches(stage, run_of, index_pairs)
        return dict(zip(index_pairs, similarities, strict=True))

    def _anchor_pairs(self, corpus: _Corpus, ordered: Sequence[Signature]) -> dict[tuple[int, int], int]:
        """:func:`anchor_pairs` of ``ordered`` (index pairs sharing ≥ 2 anchors, with their count): from
        the term table's arrays when the corpus has one (its rows are ``ordered``), else per-article work
        spread over the executor (which also puts each article's term-vector norm into
        ``corpus.stats``)."""
        stats, settings = corpus.stats, self.settings.fingerprint
        table = corpus.table
        if table is not None and table.docs == len(ordered):
            # Nothing here needs the statistics keyed by term string (document similarities come from
            # the table too): they are made only if something later asks for them.
            article, term = table.anchor_entries(
                low=2, high=settings.anchor_max_df, per_article=settings.anchors_per_article
            )
            return shared_term_pairs(term, article, len(ordered), max_group=settings.anchor_max_df + 1)
        stats.build_tables(anchor_df=(2, settings.anchor_max_df))

        def score(run: Sequence[Signature]) -> list[tuple[float, list[str]]]:
            return [
                (stats.norm(sig.terms), select_anchors(sig.terms, stats, settings=settings)) for sig in run
            ]

        done = self.executor.map_batches("term statistics", score, ordered)
        stats.remember_norms((sig.terms, norm) for sig, (norm, _) in zip(ordered, done, strict=True))
        return anchor_pairs(ordered, stats, settings=settings, anchors=[anchors for _, anchors in done])

    # -- persistent index -------------------------------------------------------------------------
    def index(self, articles: Sequence[Article], store: Store, *, batch_size: int = 500) -> IndexReport:
        """Add articles to ``store`` incrementally: each new article is compared with the batch and with
        indexed articles found through the store's candidate keys — never by recomputing everything.

        Each batch is one transaction, so an interrupted run loses at most the batch in progress and a
        re-run completes it. An article already stored with the same content is skipped.
        """
        store.bind_settings(self._ids)
        added: list[str] = []
        unchanged: list[str] = []
        relations = 0
        seen: set[str] = set()
        unique = []
        for article in articles:
            if article.id not in seen:
                seen.add(article.id)
                unique.append(article)
        for start in range(0, len(unique), batch_size):
            batch = unique[start : start + batch_size]
            hashes = {a.id: content_hash(a) for a in batch}
            known = store.known(hashes.items())
            unchanged.extend(a.id for a in batch if a.id in known)
            new = [a for a in batch if a.id not in known]
            if not new:
                continue
            with _collector_paused():
                corpus, pairs, anchors, bands = self._against_store(new, store)
                kept = [r for r in self._relate_pairs(corpus, pairs) if r.kind is not RelationKind.UNRELATED]
            new_ids = [a.id for a in new]
            store.add(
                [corpus.articles[i] for i in new_ids],
                [corpus.signatures[i] for i in new_ids],
                [anchors[i] for i in new_ids],
                kept,
                content_hashes=[hashes[i] for i in new_ids],
                band_keys=[bands[i] for i in new_ids],
            )
            added.extend(new_ids)
            relations += len(kept)
            logger.info("indexed %d articles (%d relations); %d stored", len(new), len(kept), store.count())
        return IndexReport(tuple(added), tuple(unchanged), relations)

    def check(self, article: Article, store: Store) -> CheckResult:
        """Relate ``article`` to indexed articles without storing it."""
        store.bind_settings(self._ids)
        # A text checked under the id of an indexed article is compared with everything but that article.
        corpus, pairs, _, _ = self._against_store([article], store, exclude={article.id})
        relations = [r for r in self._relate_pairs(corpus, pairs) if r.kind is not RelationKind.UNRELATED]
        relations.sort(key=lambda r: (not r.kind.derived, -r.confidence, r.a, r.b))

        # Sources: articles decided to be the original first, then those whose direction is unknown.
        def other(r: Relation) -> str:
            return r.b if r.a == article.id else r.a

        derived = [r for r in relations if r.kind.derived]
        sources = [other(r) for r in derived if r.origin == other(r)]
        sources += [other(r) for r in derived if r.origin is None]
        return CheckResult(corpus.articles[article.id], tuple(relations), tuple(sources))

    def _against_store(
        self, new: Sequence[Article], store: Store, *, exclude: frozenset[str] | set[str] = frozenset()
    ) -> tuple[_Corpus, list[CandidatePair], dict[str, list[str]], dict[str, list[int]]]:
        """Clean and fingerprint ``new``; find candidates among them and in ``store``; return a corpus
        holding both, the pairs to relate, index anchors and band keys of the new articles."""
        fp = self.settings.fingerprint
        cleaned, signatures = self.clean_and_fingerprint(new)
        batch_stats = TermStats.from_signatures(signatures)
        stats = store.term_stats(batch_stats.df) + batch_stats
        new_ids = {a.id for a in cleaned}
        pairs = {(p.a, p.b): p for p in candidate_pairs(signatures, stats, settings=fp)}
        keys = band_keys(np.stack([s.minhash for s in signatures]), bands=fp.lsh_bands)
        bands = {s.article_id: [int(k) for k in row] for s, row in zip(signatures, keys, strict=True)}
        anchors: dict[str, list[str]] = {}
        for sig in signatures:
            # Stored anchors include terms seen once so far: the first article of a story holds its
            # names alone until a copy arrives.
            anchors[sig.article_id] = select_anchors(
                sig.terms,
                stats,
                settings=replace(fp, anchors_per_article=2 * fp.anchors_per_article),
                min_df=1,
            )
            found: dict[str, set[str]] = {}
            for other in store.band_matches(bands[sig.article_id], limit=50):
                found.setdefault(other, set()).add("minhash")
            if sig.sentence_keys is not None:
                for other, n in store.sentence_matches([int(k) for k in sig.sentence_keys], limit=50).items():
                    if n >= 2:
                        found.setdefault(other, set()).add("sentences")
            query = select_anchors(sig.terms, stats, settings=fp)
            for other, n in store.anchor_matches(query, limit=50).items():
                if n >= fp.anchor_min_shared:
                    found.setdefault(other, set()).add("anchors")
            for other, channels in found.items():
                if other in new_ids or other in exclude:
                    continue
                a, b = sorted((sig.article_id, other))
                pairs[(a, b)] = CandidatePair(a, b, frozenset(channels))
        stored_ids = {x for a, b in pairs for x in (a, b)} - new_ids
        stored_articles = store.articles(stored_ids)
        stored_signatures = store.signatures(stored_ids)
        corpus = _Corpus(
            articles={**stored_articles, **{a.id: a for a in cleaned}},
            signatures={**stored_signatures, **{s.article_id: s for s in signatures}},
            stats=stats,
        )
        ordered = [
            p
            for p in sorted(pairs.values(), key=lambda p: (p.a, p.b))
            if stats.cosine(corpus.signatures[p.a].terms, corpus.signatures[p.b].terms)
            >= min_document_similarity(p.channels, settings=fp)
        ]
        return corpus, ordered, anchors, bands

    def _relate_pairs(self, corpus: _Corpus, pairs: Sequence[CandidatePair]) -> list[Relation]:
        """Relate pairs by their words; in default mode, pairs whose relation embeddings can change are
        related again with sentence embeddings (only their articles are encoded)."""
        # Built once here, inherited by forked workers: the IDF of every lexicon term, for features.
        LEXICON.idf(corpus.stats)

        def relate_run(run: Sequence[CandidatePair]) -> list[tuple[Relation, bool]]:
            # Features of a run's articles in one vectorised pass, where the run is related: made in the
            # parent and shipped back, features cost more to pickle than to make (15 KB each).
            self._features(corpus, (x for pair in run for x in (pair.a, pair.b)))
            out = []
            for pair in run:
                relation = self._relate(corpus, pair.a, pair.b)
                out.append((relation, self._needs_embeddings(corpus, relation)))
            return out

        first = self.executor.map_batches("align", relate_run, pairs)
        lexical = [relation for relation, _ in first]
        todo = [k for k, (_, needed) in enumerate(first) if needed]
        if not todo:
            return lexical
        self._embed(corpus, (x for k in todo for x in (pairs[k].a, pairs[k].b)))

        def relate_semantic(run: Sequence[int]) -> list[Relation]:
            self._features(corpus, (x for k in run for x in (pairs[k].a, pairs[k].b)))
            return [self._relate(corpus, pairs[k].a, pairs[k].b, semantic=True) for k in run]

        semantic = self.executor.map_batches("align (embeddings)", relate_semantic, todo)
        out = list(lexical)
        for k, relation in zip(todo, semantic, strict=True):
            out[k] = relation
        return out

    @staticmethod
    def _features(corpus: _Corpus, ids: Iterable[str]) -> None:
        """Alignment features of every article in ``ids`` not made yet, into ``corpus`` (in a forked
        worker, into its copy: kept for the worker's later runs)."""
        todo = sorted({i for i in ids if i not in corpus._features})
        if todo:
            made = article_features_many([corpus.articles[i] for i in todo], corpus.stats)
            corpus._features.update(zip(todo, made, strict=True))

    def compare(self, a: Article, b: Article) -> tuple[Relation, Article, Article]:
        """Relate two articles with the full alignment (uniform term weights: no corpus to weigh by)."""
        corpus = self._prepare([a, b])
        corpus.stats = TermStats()  # two documents give no useful document frequencies
        corpus.table = None  # nor their arrays
        self._embed(corpus, (a.id, b.id))
        relation = self._relate(corpus, a.id, b.id, semantic=self.embeddings, full=True)
        return relation, corpus.articles[a.id], corpus.articles[b.id]

    def analyze_inputs(self, paths: Sequence[str | Path], *, manifest: str | Path | None = None) -> Analysis:
        """Read ``paths`` and analyze them on this engine's executor: one program for a laptop and a
        cluster. An executor that reads inputs itself (``SparkExecutor``: JSONL/Parquet on any Hadoop
        filesystem) runs the whole batch; otherwise :meth:`read` then :meth:`analyze` here."""
        batch = getattr(self.executor, "analyze_inputs", None)
        if batch is not None:
            result: Analysis = batch(self, paths, manifest=manifest)
            return result
        read = self.read(paths, manifest=manifest)
        return self.analyze(read.articles, skipped=read.skipped)
