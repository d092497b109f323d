"""The default store: one SQLite file in WAL mode (readers keep reading while one writer adds).

Byte layouts of stored blobs (all little-endian):

* ``signatures.minhash`` — ``num_perm`` × uint32, one-permutation MinHash bin ``i`` at byte ``4 i`` (hash
  family: ``newstrace.fingerprint._minhash``; fixed by the fingerprint algorithm id bound to the file).
* ``signatures.sentence_keys`` — n × uint64, sorted ascending.
* ``articles.sentences`` — n × (int32 start, int32 end): character offsets into ``articles.text``;
  sentence ``i`` at byte ``8 i``.

Key columns (``band_keys.key``, ``sentence_keys.key``) hold uint64 values reinterpreted as SQLite's signed
64-bit integers. ``signatures.terms`` is the sorted term set joined by ``\\n``.

Every write is one transaction: a killed process leaves each ``add`` call either complete or absent.
The schema version lives in ``meta``; :data:`MIGRATIONS` upgrades older files in place.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from newstrace.analysis import relation_from_json, relation_to_json
from newstrace.cluster import UnionFind, story_origin
from newstrace.errors import StoreError
from newstrace.fingerprint import TermStats
from newstrace.records import Article, Credit, Relation, RelationKind, RemovedLine, Sentence, Signature, Story
from newstrace.store._protocol import Page, StoryQuery

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "SqliteStore", "open_store"]

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 1

MIGRATIONS: dict[int, str] = {
    1: """
    CREATE TABLE articles(
        id TEXT PRIMARY KEY,
        content_hash TEXT NOT NULL,
        title TEXT, outlet TEXT, published TEXT, url TEXT, language TEXT, byline TEXT, source TEXT,
        text TEXT NOT NULL,
        sentences BLOB NOT NULL,
        credits TEXT NOT NULL,
        removed TEXT NOT NULL,
        added_at TEXT NOT NULL
    );
    CREATE INDEX articles_published ON articles(published);
    CREATE TABLE signatures(
        article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
        algorithm TEXT NOT NULL,
        minhash BLOB NOT NULL,
        sentence_keys BLOB NOT NULL,
        terms TEXT NOT NULL
    );
    CREATE TABLE band_keys(key INTEGER NOT NULL, article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE);
    CREATE INDEX band_keys_key ON band_keys(key);
    CREATE INDEX band_keys_article ON band_keys(article_id);
    CREATE TABLE sentence_keys(key INTEGER NOT NULL, article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE);
    CREATE INDEX sentence_keys_key ON sentence_keys(key);
    CREATE INDEX sentence_keys_article ON sentence_keys(article_id);
    CREATE TABLE anchors(term TEXT NOT NULL, article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE);
    CREATE INDEX anchors_term ON anchors(term);
    CREATE INDEX anchors_article ON anchors(article_id);
    CREATE TABLE df(term TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
    CREATE TABLE relations(
        a TEXT NOT NULL, b TEXT NOT NULL, algorithm TEXT NOT NULL,
        kind TEXT NOT NULL, origin TEXT, confidence REAL NOT NULL, data TEXT NOT NULL,
        PRIMARY KEY (a, b, algorithm)
    );
    CREATE INDEX relations_b ON relations(b);
    CREATE TABLE story_members(article_id TEXT PRIMARY KEY, story_id TEXT NOT NULL);
    CREATE INDEX story_members_story ON story_members(story_id);
    """,
}

_SIGN = 1 << 63


def _signed(values: Iterable[int]) -> list[int]:
    return [v - (1 << 64) if v >= _SIGN else v for v in values]


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def open_store(path: str | Path, *, readonly: bool = False) -> SqliteStore:
    """Open (creating and migrating if needed) the store at ``path``."""
    return SqliteStore(path, readonly=readonly)


class SqliteStore:
    """The :class:`~newstrace.store.Store` protocol over one SQLite file.

    One connection per thread (SQLite connections are not shared across threads); WAL lets readers see
    the last committed state while a writer works.
    """

    def __init__(self, path: str | Path, *, readonly: bool = False) -> None:
        self.path = Path(path)
        self.readonly = readonly
        self._local = threading.local()
        if readonly and not self.path.exists():
            raise StoreError(f"{self.path}: no index here; create one with 'newstrace index add PATH'")
        try:
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise StoreError(
                f"{self.path}: not a newstrace index or damaged ({exc}); give another --store path"
            ) from exc

    # -- connections ------------------------------------------------------------------------------
    def _connection(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            if self.readonly:
                conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=30)
            else:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                conn = sqlite3.connect(self.path, timeout=30)
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            self._local.conn = conn
        return conn

    def close(self) -> None:
        """Close this thread's connection (each thread opens and closes its own)."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        if self.readonly:
            raise StoreError(f"{self.path}: opened read-only")
        conn = self._connection()
        try:
            conn.execute("BEGIN IMMEDIATE")
            yield conn
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def _migrate(self) -> None:
        conn = self._connection()
        if self.readonly:
            return
        with self._write() as db:
            db.execute("CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            row = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            version = int(row[0]) if row else 0
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"{self.path}: made by a newer newstrace (schema {version} > {SCHEMA_VERSION}); upgrade newstrace"
                )
            for target in range(version + 1, SCHEMA_VERSION + 1):
                logger.info("migrating %s to schema %d", self.path, target)
                for statement in MIGRATIONS[target].split(";"):
                    if statement.strip():
                        db.execute(statement)
                db.execute(
                    "INSERT INTO meta(key, value) VALUES('schema_version', ?) "
                    "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    (str(target),),
                )
        del conn

    _BOUND = ("clean", "fingerprint", "relation")

    def bind_settings(self, ids: dict[str, str]) -> None:
        wanted = {k: ids[k] for k in self._BOUND}
        conn = self._connection()
        rows = dict(conn.execute("SELECT key, value FROM meta WHERE key LIKE 'settings.%'").fetchall())
        stored = {k.removeprefix("settings."): v for k, v in rows.items()}
        if not stored:
            if self.readonly:
                return
            with self._write() as db:
                db.executemany(
                    "INSERT OR IGNORE INTO meta(key, value) VALUES (?, ?)",
                    [(f"settings.{k}", v) for k, v in wanted.items()],
                )
            return
        differing = sorted(k for k in wanted if stored.get(k) != wanted[k])
        if differing:
            detail = ", ".join(f"{k}: index {stored.get(k)} vs now {wanted[k]}" for k in differing)
            raise StoreError(
                f"{self.path} was made with other settings ({detail}); use the same settings and mode "
                "(e.g. --no-embeddings) or another --store"
            )

    def schema_version(self) -> int:
        row = self._connection().execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        return int(row[0]) if row else 0

    # -- articles ---------------------------------------------------------------------------------
    def known(self, ids_and_hashes: Iterable[tuple[str, str]]) -> set[str]:
        pairs = list(ids_and_hashes)
        found: set[str] = set()
        conn = self._connection()
        for start in range(0, len(pairs), 500):
            chunk = pairs[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = conn.execute(
                f"SELECT id, content_hash FROM articles WHERE id IN ({marks})", [i for i, _ in chunk]
            ).fetchall()
            stored = dict(rows)
            found.update(i for i, h in chunk if stored.get(i) == h)
        return found

    def add(
        self,
        articles: Sequence[Article],
        signatures: Sequence[Signature],
        anchors: Sequence[Sequence[str]],
        relations: Sequence[Relation],
        *,
        content_hashes: Sequence[str],
        band_keys: Sequence[Sequence[int]] = (),
    ) -> None:
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        with self._write() as db:
            replaced = [a.id for a in articles]
            self._forget(db, replaced)
            db.executemany(
                "INSERT INTO articles(id, content_hash, title, outlet, published, url, language, byline, source,"
                " text, sentences, credits, removed, added_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                [
                    (
                        a.id,
                        h,
                        a.title,
                        a.outlet,
                        a.published.isoformat() if a.published else None,
                        a.url,
                        a.language,
                        a.byline,
                        a.source,
                        a.text,
                        np.array([(s.start, s.end) for s in a.sentences], dtype="<i4").tobytes(),
                        json.dumps([[c.name, c.phrase, c.start, c.end] for c in a.credits]),
                        json.dumps([[r.text, r.line, r.reason] for r in a.removed]),
                        now,
                    )
                    for a, h in zip(articles, content_hashes, strict=True)
                ],
            )
            db.executemany(
                "INSERT INTO signatures(article_id, algorithm, minhash, sentence_keys, terms) VALUES (?,?,?,?,?)",
                [
                    (
                        s.article_id,
                        s.algorithm,
                        s.minhash.astype("<u4").tobytes(),
                        (s.sentence_keys if s.sentence_keys is not None else np.zeros(0, np.uint64))
                        .astype("<u8")
                        .tobytes(),
                        "\n".join(sorted(s.terms)),
                    )
                    for s in signatures
                ],
            )
            for sig, keys in zip(signatures, band_keys, strict=True):
                db.executemany(
                    "INSERT INTO band_keys(key, article_id) VALUES (?, ?)",
                    [(k, sig.article_id) for k in _signed(keys)],
                )
            for sig in signatures:
                if sig.sentence_keys is not None:
                    db.executemany(
                        "INSERT INTO sentence_keys(key, article_id) VALUES (?, ?)",
                        [(k, sig.article_id) for k in _signed(int(x) for x in sig.sentence_keys)],
                    )
            for sig, terms in zip(signatures, anchors, strict=True):
                db.executemany(
                    "INSERT INTO anchors(term, article_id) VALUES (?, ?)",
                    [(t, sig.article_id) for t in terms],
                )
            db.executemany(
                "INSERT INTO df(term, n) VALUES (?, 1) ON CONFLICT(term) DO UPDATE SET n = n + 1",
                [(t,) for s in signatures for t in s.terms],
            )
            db.executemany(
                "INSERT INTO relations(a, b, algorithm, kind, origin, confidence, data) VALUES (?,?,?,?,?,?,?) "
                "ON CONFLICT(a, b, algorithm) DO UPDATE SET kind = excluded.kind, origin = excluded.origin, "
                "confidence = excluded.confidence, data = excluded.data",
                [
                    (
                        r.a,
                        r.b,
                        r.algorithm,
                        str(r.kind),
                        r.origin,
                        r.confidence,
                        json.dumps(relation_to_json(r)),
                    )
                    for r in relations
                ],
            )
            self._restory(db)

    def _forget(self, db: sqlite3.Connection, ids: Sequence[str]) -> None:
        """Remove stored versions of ``ids`` (an article added again with new content replaces the old)."""
        for start in range(0, len(ids), 500):
            chunk = list(ids[start : start + 500])
            marks = ",".join("?" * len(chunk))
            old = db.execute(f"SELECT article_id, terms FROM signatures WHERE article_id IN ({marks})", chunk)
            rows = old.fetchall()
            if not rows:
                continue
            db.executemany(
                "UPDATE df SET n = n - 1 WHERE term = ?",
                [(t,) for _, terms in rows for t in terms.split("\n") if t],
            )
            db.execute(f"DELETE FROM relations WHERE a IN ({marks}) OR b IN ({marks})", chunk + chunk)
            db.execute(f"DELETE FROM articles WHERE id IN ({marks})", chunk)

    def _restory(self, db: sqlite3.Connection) -> None:
        """Recompute story membership: connected components of non-unrelated relations (O(relations))."""
        uf = UnionFind(row[0] for row in db.execute("SELECT id FROM articles"))
        for a, b in db.execute("SELECT a, b FROM relations WHERE kind != ?", (str(RelationKind.UNRELATED),)):
            uf.union(a, b)
        db.execute("DELETE FROM story_members")
        db.executemany(
            "INSERT INTO story_members(article_id, story_id) VALUES (?, ?)",
            [(member, f"s-{group[0]}") for group in uf.groups() for member in group],
        )

    def _row_to_article(self, row: sqlite3.Row | tuple[Any, ...]) -> Article:
        (aid, title, outlet, published, url, language, byline, source, text, sentences, credits, removed) = (
            row
        )
        spans = np.frombuffer(sentences, dtype="<i4").reshape(-1, 2)
        return Article(
            id=aid,
            source=source or "",
            title=title,
            outlet=outlet,
            published=_date(published),
            url=url,
            language=language,
            byline=byline,
            text=text,
            sentences=tuple(
                Sentence(i, int(s), int(e), text[int(s) : int(e)]) for i, (s, e) in enumerate(spans.tolist())
            ),
            credits=tuple(Credit(n, p, s, e) for n, p, s, e in json.loads(credits)),
            removed=tuple(RemovedLine(t, ln, r) for t, ln, r in json.loads(removed)),
        )

    _ARTICLE_COLUMNS = (
        "id, title, outlet, published, url, language, byline, source, text, sentences, credits, removed"
    )

    def article(self, article_id: str) -> Article | None:
        return self.articles([article_id]).get(article_id)

    def articles(self, ids: Iterable[str]) -> dict[str, Article]:
        wanted = list(dict.fromkeys(ids))
        out: dict[str, Article] = {}
        conn = self._connection()
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for row in conn.execute(
                f"SELECT {self._ARTICLE_COLUMNS} FROM articles WHERE id IN ({marks})", chunk
            ):
                article = self._row_to_article(row)
                out[article.id] = article
        return out

    def signatures(self, ids: Iterable[str]) -> dict[str, Signature]:
        wanted = list(dict.fromkeys(ids))
        out: dict[str, Signature] = {}
        conn = self._connection()
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = conn.execute(
                "SELECT s.article_id, s.algorithm, s.minhash, s.sentence_keys, s.terms, a.published "
                f"FROM signatures s JOIN articles a ON a.id = s.article_id WHERE s.article_id IN ({marks})",
                chunk,
            )
            for aid, algorithm, minhash, keys, terms, published in rows:
                out[aid] = Signature(
                    article_id=aid,
                    algorithm=algorithm,
                    minhash=np.frombuffer(minhash, dtype="<u4").astype(np.uint32),
                    terms=frozenset(t for t in terms.split("\n") if t),
                    published=_date(published),
                    sentence_keys=np.frombuffer(keys, dtype="<u8").astype(np.uint64),
                )
        return out

    def count(self) -> int:
        return int(self._connection().execute("SELECT COUNT(*) FROM articles").fetchone()[0])

    def term_stats(self, terms: Iterable[str]) -> TermStats:
        wanted = list(set(terms))
        stats = TermStats(docs=self.count())
        conn = self._connection()
        for start in range(0, len(wanted), 900):
            chunk = wanted[start : start + 900]
            marks = ",".join("?" * len(chunk))
            for term, n in conn.execute(f"SELECT term, n FROM df WHERE term IN ({marks})", chunk):
                stats.df[term] = n
        return stats

    # -- candidate lookup -------------------------------------------------------------------------
    def _matches(self, table: str, column: str, values: Sequence[Any], *, limit: int) -> dict[str, int]:
        if not values:
            return {}
        conn = self._connection()
        counts: dict[str, int] = {}
        for start in range(0, len(values), 900):
            chunk = list(values[start : start + 900])
            marks = ",".join("?" * len(chunk))
            rows = conn.execute(
                f"SELECT article_id, COUNT(*) FROM {table} WHERE {column} IN ({marks}) GROUP BY article_id",
                chunk,
            )
            for aid, n in rows:
                counts[aid] = counts.get(aid, 0) + int(n)
        best = sorted(counts.items(), key=lambda x: (-x[1], x[0]))[:limit]
        return dict(best)

    def band_matches(self, band_keys: Sequence[int], *, limit: int) -> dict[str, int]:
        return self._matches("band_keys", "key", _signed(band_keys), limit=limit)

    def sentence_matches(self, keys: Sequence[int], *, limit: int) -> dict[str, int]:
        return self._matches("sentence_keys", "key", _signed(keys), limit=limit)

    def anchor_matches(self, terms: Sequence[str], *, limit: int) -> dict[str, int]:
        return self._matches("anchors", "term", list(terms), limit=limit)

    # -- relations and stories --------------------------------------------------------------------
    def relations_of(self, article_id: str) -> list[Relation]:
        rows = self._connection().execute(
            "SELECT data FROM relations WHERE (a = ? OR b = ?) AND kind != ? ORDER BY a, b",
            (article_id, article_id, str(RelationKind.UNRELATED)),
        )
        return [relation_from_json(json.loads(data)) for (data,) in rows]

    def _story_from_members(self, story_id: str, members: Sequence[str]) -> Story:
        conn = self._connection()
        marks = ",".join("?" * len(members))
        rows = conn.execute(
            f"SELECT data FROM relations WHERE a IN ({marks}) AND kind != ?", [*members, "unrelated"]
        )
        relations = [relation_from_json(json.loads(d)) for (d,) in rows]
        articles = self.articles(members)
        ordered = tuple(sorted(members))
        return Story(id=story_id, articles=ordered, origin=story_origin(ordered, relations, articles))

    def story(self, story_id: str) -> Story | None:
        members = [
            row[0]
            for row in self._connection().execute(
                "SELECT article_id FROM story_members WHERE story_id = ? ORDER BY article_id", (story_id,)
            )
        ]
        return self._story_from_members(story_id, members) if members else None

    def story_of(self, article_id: str) -> Story | None:
        row = (
            self._connection()
            .execute("SELECT story_id FROM story_members WHERE article_id = ?", (article_id,))
            .fetchone()
        )
        return self.story(row[0]) if row else None

    def stories(self, query: StoryQuery) -> Page:
        where = []
        params: list[Any] = []
        if query.since is not None:
            where.append("a.published >= ?")
            params.append(query.since.isoformat())
        if query.until is not None:
            where.append("a.published <= ?")
            params.append(query.until.isoformat())
        if query.outlet:
            where.append("a.outlet LIKE ?")
            params.append(f"%{query.outlet}%")
        condition = ("WHERE " + " AND ".join(where)) if where else ""
        conn = self._connection()
        base = (
            "SELECT m.story_id, MAX(COALESCE(a.published, '')) AS latest FROM story_members m "
            f"JOIN articles a ON a.id = m.article_id {condition} GROUP BY m.story_id"
        )
        total = int(conn.execute(f"SELECT COUNT(*) FROM ({base})", params).fetchone()[0])
        rows = conn.execute(
            f"{base} ORDER BY latest DESC, m.story_id LIMIT ? OFFSET ?", [*params, query.limit, query.offset]
        ).fetchall()
        stories = [s for s in (self.story(sid) for sid, _ in rows) if s is not None]
        return Page(stories=tuple(stories), total=total)
