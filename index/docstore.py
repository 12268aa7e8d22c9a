"""The docstore: full cleaned article texts, chunk offsets and the build registry, in SQLite.

Answers quote from the article texts stored here; Chroma holds only vectors and the four
chunk keys search needs (article id, chunk index, offsets), never a text. A build writes its
rows under its own build id and becomes visible only when `activate` flips the active pointer
in one transaction.

Reading never writes: a missing file reads as "nothing built" (nothing is created), and a file
on a read-only mount or with immutable permissions is opened with SQLite's `immutable` flag.
Only the first write creates the file and its tables. SQLite errors are turned into the short
errors of `index.errors` (damaged file, full disk, read-only data dir).

All SQL lives in `DocStore`'s methods and is plain, portable SQL: `index.pgstore.PgDocStore`
(shared mode, PostgreSQL) has the same public methods. Readers fetch articles by id
(`get_articles`) or stream them (`iter_articles`); nothing here loads a whole build unless
asked to (`articles`, `chunks`).
"""

from __future__ import annotations

import errno
import json
import logging
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from index.errors import DiskFullError, DocStoreDamagedError, ReadOnlyDataDirError, is_damage
from index.types import Article, Chunk, SourceMeta

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS builds (
    id TEXT PRIMARY KEY, collection TEXT NOT NULL, created_at TEXT NOT NULL,
    model TEXT NOT NULL, signature TEXT NOT NULL, roots TEXT NOT NULL,
    status TEXT NOT NULL, summary TEXT
);
CREATE TABLE IF NOT EXISTS articles (
    build_id TEXT NOT NULL, id TEXT NOT NULL, source_key TEXT NOT NULL,
    source_file TEXT NOT NULL, text TEXT NOT NULL, content_hash TEXT NOT NULL,
    outlet TEXT, title TEXT, published TEXT, author TEXT, url TEXT, republished_by TEXT,
    PRIMARY KEY (build_id, id)
);
CREATE TABLE IF NOT EXISTS chunks (
    build_id TEXT NOT NULL, article_id TEXT NOT NULL, idx INTEGER NOT NULL,
    start INTEGER NOT NULL, "end" INTEGER NOT NULL,
    PRIMARY KEY (build_id, article_id, idx)
);
CREATE INDEX IF NOT EXISTS articles_outlet ON articles (build_id, outlet, published);
"""

_META_FIELDS = ("outlet", "title", "published", "author", "url", "republished_by")


@dataclass(frozen=True)
class BuildInfo:
    """One build of the index: its Chroma collection and what it was built from."""

    id: str
    collection: str
    created_at: str
    model: str
    signature: str
    roots: list[str] = field(default_factory=list)
    status: str = "active"
    summary: dict | None = None


class WholeBuildReads:
    """Whole-build reads derived from `iter_articles` and `chunk_rows`, shared by the SQLite
    docstore and its PostgreSQL twin (`index.pgstore.PgDocStore`)."""

    def iter_articles(self, build_id: str) -> Iterator[Article]:
        raise NotImplementedError

    def chunk_rows(self, build_id: str) -> list[tuple[str, int, int, int]]:
        raise NotImplementedError

    def articles(self, build_id: str) -> dict[str, Article]:
        """Every article of a build, texts included, by id in source-key order (loads the
        whole build: for tests and small tools; readers use `get_articles`, `iter_articles`)."""
        return {a.id: a for a in sorted(self.iter_articles(build_id),
                                        key=lambda a: a.source_key)}

    def chunks(self, build_id: str, articles: Mapping[str, Article]) -> list[Chunk]:
        """All chunks of a build in (article id, index) order, text sliced from `articles`
        (chunks of articles not given are left out)."""
        return [
            Chunk(aid, idx, start, end, articles[aid].text[start:end])
            for aid, idx, start, end in sorted(self.chunk_rows(build_id))
            if aid in articles
        ]


class DocStore(WholeBuildReads):
    """SQLite file `docstore.sqlite` under the data dir. One connection per call site."""

    TABLES = ("meta", "builds", "articles", "chunks")

    def __init__(self, path: Path) -> None:
        self.path = path
        self._schema_ready = False
        self._copy: tempfile.TemporaryDirectory | None = None

    def exists(self) -> bool:
        """True when the docstore file is there (a missing file reads as "nothing built")."""
        return self.path.is_file()

    def writable(self) -> bool:
        """True when the file (or, before it exists, its folder) can be written."""
        target = self.path if self.path.exists() else self.path.parent
        return target.exists() and os.access(target, os.W_OK) and (
            os.access(self.path.parent, os.W_OK)
        )

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection | None]:
        """A read-only connection, or None when no docstore exists (nothing is created)."""
        if not self.exists():
            yield None
            return
        path, flags = self.path, "mode=ro"
        if not self.writable():
            path, flags = self._frozen_path(), "mode=ro&immutable=1"
        try:
            db = sqlite3.connect(f"file:{quote(str(path))}?{flags}", uri=True, timeout=30)
        except sqlite3.Error as exc:
            raise self._translate(exc) from exc
        try:
            yield db
        except sqlite3.Error as exc:
            raise self._translate(exc) from exc
        finally:
            db.close()

    def _frozen_path(self) -> Path:
        """The file to open with `immutable=1` when the data dir cannot be written.

        `immutable` ignores a write-ahead log, so a log that still holds writes is replayed
        into a private copy first (kept for the life of this object).
        """
        wal = self.path.with_name(self.path.name + "-wal")
        if not wal.is_file() or wal.stat().st_size == 0:
            return self.path
        if self._copy is None:
            self._copy = tempfile.TemporaryDirectory(prefix="factbot-docstore-")
            target = Path(self._copy.name) / self.path.name
            shutil.copyfile(self.path, target)
            shutil.copyfile(wal, target.with_name(target.name + "-wal"))
            sqlite3.connect(target).close()  # replays the log into the copy
            log.info("data dir is read-only: reading a private copy of %s", self.path)
        return Path(self._copy.name) / self.path.name

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """A writing connection in one transaction; creates the file and tables if needed."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise _os_error(exc, self.path.parent) from exc
        try:
            db = sqlite3.connect(self.path, timeout=30)
        except sqlite3.Error as exc:
            raise self._translate(exc) from exc
        try:
            db.execute("PRAGMA journal_mode=WAL")
            if not self._schema_ready:
                db.executescript(SCHEMA)
                self._schema_ready = True
            with db:
                yield db
        except sqlite3.Error as exc:
            raise self._translate(exc) from exc
        finally:
            db.close()

    def _translate(self, exc: sqlite3.Error) -> Exception:
        text = str(exc).lower()
        if "disk is full" in text or "no space" in text:
            return DiskFullError(self.path.parent)
        if "readonly" in text or "read-only" in text:
            return ReadOnlyDataDirError(self.path.parent)
        if is_damage(exc) or isinstance(exc, sqlite3.DatabaseError) and not isinstance(
            exc, sqlite3.OperationalError
        ):
            return DocStoreDamagedError(self.path, str(exc).splitlines()[0][:80])
        if "unable to open" in text:
            return DocStoreDamagedError(self.path, "the file cannot be opened")
        return exc

    def check(self) -> list[str]:
        """Problems with the file: SQLite's quick check and our tables (empty when healthy)."""
        if not self.exists():
            return []
        try:
            with self._read() as db:
                if db is None:
                    return []
                rows = [r[0] for r in db.execute("PRAGMA quick_check")]
                tables = {r[0] for r in db.execute(
                    "SELECT name FROM sqlite_master WHERE type='table'")}
        except DocStoreDamagedError as exc:
            return [str(exc).split("(", 1)[-1].split(")")[0]]
        problems = [r for r in rows if r != "ok"][:3]
        missing = [t for t in self.TABLES if t not in tables]
        if missing:
            problems.append("missing tables: " + ", ".join(missing))
        return problems

    # --- builds ----------------------------------------------------------------------------
    def active_build(self) -> BuildInfo | None:
        """The build answers are served from, or None before the first build."""
        with self._read() as db:
            if db is None:
                return None
            row = db.execute("SELECT value FROM meta WHERE key='active_build'").fetchone()
            return self._build(db, row[0]) if row else None

    def builds(self, status: str | None = None) -> list[BuildInfo]:
        """Every registered build (or those with this status: building, active, previous)."""
        with self._read() as db:
            if db is None:
                return []
            sql = "SELECT id FROM builds" + (" WHERE status=?" if status else "")
            ids = [r[0] for r in db.execute(sql, (status,) if status else ())]
            return [b for b in (self._build(db, i) for i in ids) if b]

    @staticmethod
    def _build(db: sqlite3.Connection, build_id: str) -> BuildInfo | None:
        row = db.execute(
            "SELECT id, collection, created_at, model, signature, roots, status, summary "
            "FROM builds WHERE id=?",
            (build_id,),
        ).fetchone()
        if not row:
            return None
        return BuildInfo(
            *row[:5], roots=json.loads(row[5]), status=row[6],
            summary=json.loads(row[7]) if row[7] else None,
        )

    def start_build(self, info: BuildInfo) -> None:
        """Register a new build with status "building" (creates the file on first use)."""
        with self._connect() as db:
            db.execute(
                "INSERT INTO builds VALUES (?,?,?,?,?,?,?,NULL)",
                (info.id, info.collection, info.created_at, info.model, info.signature,
                 json.dumps(info.roots), "building"),
            )

    def activate(self, build_id: str, summary: dict) -> str | None:
        """Make `build_id` the active build in one transaction; return the previous one's id."""
        with self._connect() as db:
            row = db.execute("SELECT value FROM meta WHERE key='active_build'").fetchone()
            previous = row[0] if row else None
            if previous:
                db.execute("UPDATE builds SET status='previous' WHERE id=?", (previous,))
            db.execute(
                "UPDATE builds SET status='active', summary=? WHERE id=?",
                (json.dumps(summary), build_id),
            )
            db.execute(
                "INSERT INTO meta VALUES ('active_build', ?) "
                "ON CONFLICT(key) DO UPDATE SET value=excluded.value",
                (build_id,),
            )
            return previous

    def drop_build(self, build_id: str) -> None:
        """Delete a build's articles, chunks and registry row, in one transaction."""
        with self._connect() as db:
            for table in ("articles", "chunks"):
                db.execute(f"DELETE FROM {table} WHERE build_id=?", (build_id,))  # noqa: S608
            db.execute("DELETE FROM builds WHERE id=?", (build_id,))

    # --- articles and chunks ---------------------------------------------------------------
    def add_articles(self, build_id: str, articles: Iterable[Article]) -> None:
        """Store articles (text and metadata) under a build (replacing rows with equal ids)."""
        with self._connect() as db:
            db.executemany(
                "INSERT OR REPLACE INTO articles VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                [
                    (build_id, a.id, a.source_key, a.source_file, a.text, a.content_hash,
                     *(getattr(a.meta, f) for f in _META_FIELDS))
                    for a in articles
                ],
            )

    def add_chunks(self, build_id: str, chunks: Iterable[Chunk]) -> None:
        """Store chunk offsets (article id, index, start, end; never texts) under a build."""
        with self._connect() as db:
            db.executemany(
                "INSERT OR REPLACE INTO chunks VALUES (?,?,?,?,?)",
                [(build_id, c.article_id, c.index, c.start, c.end) for c in chunks],
            )

    def counts(self, build_id: str) -> tuple[int, int, int]:
        """Articles, chunks and distinct known outlets of a build, in one SQL query."""
        with self._read() as db:
            if db is None:
                return 0, 0, 0
            row = db.execute(
                "SELECT (SELECT COUNT(*) FROM articles WHERE build_id=?), "
                "(SELECT COUNT(*) FROM chunks WHERE build_id=?), "
                "(SELECT COUNT(DISTINCT outlet) FROM articles WHERE build_id=?)",
                (build_id, build_id, build_id),
            ).fetchone()
        return int(row[0]), int(row[1]), int(row[2])

    def outlet_rows(self, build_id: str) -> list[tuple[str | None, str | None]]:
        """(outlet, published) of every article of a build, in one SQL query (no texts)."""
        with self._read() as db:
            if db is None:
                return []
            return [(r[0], r[1]) for r in db.execute(
                "SELECT outlet, published FROM articles WHERE build_id=?", (build_id,))]

    def get_articles(self, build_id: str, ids: Iterable[str]) -> dict[str, Article]:
        """The articles of a build with these ids (ids not in the build are left out)."""
        wanted = list(dict.fromkeys(ids))
        out: dict[str, Article] = {}
        if not wanted:
            return out
        with self._read() as db:
            if db is None:
                return out
            for begin in range(0, len(wanted), _IN_BATCH):
                part = wanted[begin : begin + _IN_BATCH]
                marks = ",".join("?" * len(part))
                rows = db.execute(
                    f"SELECT {_ARTICLE_COLUMNS} FROM articles "  # noqa: S608 - only ?s
                    f"WHERE build_id=? AND id IN ({marks})",
                    (build_id, *part),
                )
                out.update((r[0], _article(r)) for r in rows)
        return out

    def iter_articles(self, build_id: str) -> Iterator[Article]:
        """Every article of a build, streamed in batches (one query; not held in memory)."""
        with self._read() as db:
            if db is None:
                return
            cursor = db.execute(
                f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE build_id=?",  # noqa: S608
                (build_id,),
            )
            while rows := cursor.fetchmany(_STREAM_BATCH):
                yield from (_article(r) for r in rows)

    def article_keys(self, build_id: str) -> dict[str, tuple[str, str]]:
        """Article id -> (source key, content hash) of a build, without the texts."""
        with self._read() as db:
            if db is None:
                return {}
            return {r[0]: (r[1], r[2]) for r in db.execute(
                "SELECT id, source_key, content_hash FROM articles WHERE build_id=?",
                (build_id,))}

    def chunk_rows(self, build_id: str) -> list[tuple[str, int, int, int]]:
        """(article id, chunk index, start, end) of every chunk of a build, unordered."""
        with self._read() as db:
            if db is None:
                return []
            return [(r[0], int(r[1]), int(r[2]), int(r[3])) for r in db.execute(
                'SELECT article_id, idx, start, "end" FROM chunks WHERE build_id=?',
                (build_id,))]



_ARTICLE_COLUMNS = (
    "id, text, source_file, source_key, content_hash, outlet, title, published, author, url, "
    "republished_by"
)
_IN_BATCH = 500  # ids per IN (...) list: far below every database's parameter limit
_STREAM_BATCH = 256


def _article(row: Sequence) -> Article:
    return Article(id=row[0], text=row[1], source_file=row[2], source_key=row[3],
                   meta=SourceMeta(*row[5:11]), content_hash=row[4])


def _os_error(exc: OSError, where: Path) -> Exception:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return DiskFullError(where)
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return ReadOnlyDataDirError(where)
    return exc
