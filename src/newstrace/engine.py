"""The Engine: the one Python API that the CLI, the HTTP API and the web UI call.

Batch pipeline: ``ingest → clean → fingerprint → candidates → align → relate → cluster``. Per-article and
per-pair stages go through the executor's ``map``; the corpus statistics between them (repeated chrome
lines, term document frequencies) are small reduces.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

from newstrace.align import ArticleFeatures, align, article_features
from newstrace.analysis import Analysis
from newstrace.candidates import anchor_pairs, candidate_pairs
from newstrace.clean import Cleaner, corpus_chrome
from newstrace.cluster import stories, threads
from newstrace.errors import InputError
from newstrace.executors import Executor, LocalExecutor, Progress
from newstrace.fingerprint import Fingerprinter, TermStats
from newstrace.fingerprint._embed import SentenceEmbedder, load_embedder
from newstrace.ingest import ReadResult, read_inputs
from newstrace.records import Article, CandidatePair, Change, Relation, RelationKind, Signature
from newstrace.relate import ChangeDetector, decide_kind, decide_origin
from newstrace.settings import Settings

__all__ = ["Engine", "document_similarity"]

logger = logging.getLogger(__name__)

# Two dated articles more than this many days apart are not coverage of one event.
_SAME_STORY_MAX_DAYS = 7


def document_similarity(terms_a: frozenset[str], terms_b: frozenset[str], stats: TermStats) -> float:
    """IDF-weighted cosine of two articles' content-term sets, in [0, 1]."""
    if not terms_a or not terms_b:
        return 0.0
    idf = stats.idf
    shared = sum(idf(t) ** 2 for t in terms_a & terms_b)
    return shared / (stats.norm(terms_a) * stats.norm(terms_b))


def _same_period(a: dt.date | None, b: dt.date | None) -> bool | None:
    if a is None or b is None:
        return None
    return abs((a - b).days) <= _SAME_STORY_MAX_DAYS


@dataclass(slots=True)
class _Corpus:
    """Everything one analysis run knows about its articles, by id."""

    articles: dict[str, Article]
    signatures: dict[str, Signature]
    stats: TermStats
    vectors: dict[str, npt.NDArray[np.float32]] = field(default_factory=dict)
    _features: dict[str, ArticleFeatures] = field(default_factory=dict)

    def features(self, article_id: str) -> ArticleFeatures:
        """Alignment features, made on first use: only articles in a candidate pair need them."""
        found = self._features.get(article_id)
        if found is None:
            found = self._features[article_id] = article_features(self.articles[article_id], self.stats)
        return found


class Engine:
    """Analyze piles of articles, compare pairs, and (later) index and check.

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
        corpus_lines = corpus_chrome(articles, settings=self.settings.clean)
        cleaner = Cleaner(self.settings.clean, corpus_lines=corpus_lines)
        return self.executor.map("clean", cleaner.clean, articles)

    def _prepare(self, articles: Sequence[Article]) -> _Corpus:
        cleaned = self.clean(articles)
        fingerprinter = Fingerprinter(
            self.settings.fingerprint, algorithm=self.settings.section_id("fingerprint")
        )
        signatures = self.executor.map("fingerprint", fingerprinter.signature, cleaned)
        return _Corpus(
            articles={a.id: a for a in cleaned},
            signatures={s.article_id: s for s in signatures},
            stats=TermStats.from_signatures(signatures),
        )

    def candidate_pairs(
        self, articles: Sequence[Article], *, channels: Sequence[str] = ("minhash", "sentences", "anchors")
    ) -> list[CandidatePair]:
        """Clean, fingerprint and generate candidate pairs only (for benchmarks and diagnostics)."""
        cleaned = self.clean(articles)
        fingerprinter = Fingerprinter(
            self.settings.fingerprint, algorithm=self.settings.section_id("fingerprint")
        )
        signatures = self.executor.map("fingerprint", fingerprinter.signature, cleaned)
        stats = TermStats.from_signatures(signatures) if "anchors" in channels else TermStats()
        return candidate_pairs(signatures, stats, settings=self.settings.fingerprint, channels=channels)

    def _embed(self, corpus: _Corpus, ids: Iterable[str]) -> None:
        todo = [i for i in sorted(set(ids)) if i not in corpus.vectors]
        if not todo or not self.embeddings:
            return
        sentences = [s.text for i in todo for s in corpus.articles[i].sentences]
        vectors = self.embedder.encode(sentences)
        offset = 0
        for i in todo:
            n = len(corpus.articles[i].sentences)
            corpus.vectors[i] = vectors[offset : offset + n]
            offset += n

    def _relate(self, corpus: _Corpus, a_id: str, b_id: str) -> Relation:
        a, b = corpus.articles[a_id], corpus.articles[b_id]
        cosine = None
        if self.embeddings and a_id in corpus.vectors and b_id in corpus.vectors:
            cosine = (corpus.vectors[a_id] @ corpus.vectors[b_id].T).astype(np.float64)
        alignment = align(
            a,
            b,
            corpus.features(a_id),
            corpus.features(b_id),
            settings=self.settings.align,
            cosine=cosine,
        )
        similarity = document_similarity(
            corpus.signatures[a_id].terms, corpus.signatures[b_id].terms, corpus.stats
        )
        kind, confidence, reasons = decide_kind(
            alignment,
            doc_similarity=similarity,
            settings=self.settings.relate,
            same_period=_same_period(a.published, b.published),
        )
        origin = None
        changes: tuple[Change, ...] = ()
        if kind.derived:
            origin, _origin_confidence, origin_reasons = decide_origin(a, b)
            reasons.extend(origin_reasons)
            original, copy = (b, a) if origin == b_id else (a, b)
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
        corpus = self._prepare(articles)
        ordered = [corpus.signatures[a.id] for a in articles if a.id in corpus.signatures]
        shared_anchors = anchor_pairs(ordered, corpus.stats, settings=self.settings.fingerprint)
        pairs = candidate_pairs(
            ordered, corpus.stats, settings=self.settings.fingerprint, shared_anchors=shared_anchors
        )
        logger.info("%d articles, %d candidate pairs", len(ordered), len(pairs))
        self._embed(corpus, (x for p in pairs for x in (p.a, p.b)))
        relations = self.executor.map("align", lambda p: self._relate(corpus, p.a, p.b), pairs)
        kept = [r for r in relations if r.kind is not RelationKind.UNRELATED]
        cleaned = [corpus.articles[s.article_id] for s in ordered]
        story_list = stories(cleaned, kept)
        thread_pairs = []
        for i, j in shared_anchors:
            x, y = ordered[i].article_id, ordered[j].article_id
            thread_pairs.append((x, y, document_similarity(ordered[i].terms, ordered[j].terms, corpus.stats)))
        thread_list = threads(story_list, cleaned, thread_pairs, settings=self.settings.cluster)
        return Analysis(
            articles=tuple(cleaned),
            relations=tuple(kept),
            stories=tuple(story_list),
            threads=tuple(thread_list),
            settings=self.settings_ids(),
            skipped=tuple(skipped),
        )

    def compare(self, a: Article, b: Article) -> tuple[Relation, Article, Article]:
        """Relate two articles with the full alignment (uniform term weights: no corpus to weigh by)."""
        corpus = self._prepare([a, b])
        corpus.stats = TermStats()  # two documents give no useful document frequencies
        self._embed(corpus, (a.id, b.id))
        relation = self._relate(corpus, a.id, b.id)
        return relation, corpus.articles[a.id], corpus.articles[b.id]
