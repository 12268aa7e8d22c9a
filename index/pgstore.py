"""The shared docstore: article texts, chunk offsets and the build registry in PostgreSQL.

Shared mode (`CHROMA_HOST` and `DATABASE_URL` set) lets several bot or CLI processes, on
several hosts, serve one index: the vectors live in the Chroma server, everything the SQLite
`DocStore` holds lives here, and each host keeps only derived files (rebuilt from this
database when missing) in its own data dir. `PgDocStore` has the same public methods and
semantics as `index.docstore.DocStore`:

* reading never writes: a database without our tables reads as "nothing built";
* the first write creates the tables (under a transaction-level advisory lock, so two hosts
  starting at once do not race);
* a build writes its rows under its own id and becomes visible only when `activate` flips
  the active pointer, in one transaction.

`advisory_lock(settings)` is the build lock of shared mode: a PostgreSQL session advisory
lock held on a dedicated connection for the whole build, so only one host builds at a time;
it is released when the build ends or when the building process dies (the server drops the
session).

Connections: reads share one per process and database URL, guarded by a lock and opened
again when the server dropped it, in autocommit; each write runs in one transaction on a
connection of its own (so a build's long writes never hold up a bot's reads). Errors are the
short `index.errors` kind; no message ever contains the password (`PgDocStore.path` is the
URL without it).
"""

from __future__ import annotations

import atexit
import hashlib
import json
import logging
import os
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

from index.docstore import BuildInfo, WholeBuildReads
from index.errors import StoreError
from index.types import Article, Chunk, SourceMeta

if TYPE_CHECKING:
    import psycopg

    from bot.settings import Settings

log = logging.getLogger(__name__)

T = TypeVar("T")

TABLE_PREFIX = "factbot_"
SCHEMA_VERSION = "1"
SCHEMA = (
    "CREATE TABLE IF NOT EXISTS factbot_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    """CREATE TABLE IF NOT EXISTS factbot_builds (
        id TEXT PRIMARY KEY, collection TEXT NOT NULL, created_at TEXT NOT NULL,
        model TEXT NOT NULL, signature TEXT NOT NULL, roots TEXT NOT NULL,
        status TEXT NOT NULL, summary TEXT)""",
    """CREATE TABLE IF NOT EXISTS factbot_articles (
        build_id TEXT NOT NULL, id TEXT NOT NULL, source_key TEXT NOT NULL,
        source_file TEXT NOT NULL, text TEXT NOT NULL, content_hash TEXT NOT NULL,
        outlet TEXT, title TEXT, published TEXT, author TEXT, url TEXT, republished_by TEXT,
        PRIMARY KEY (build_id, id))""",
    """CREATE TABLE IF NOT EXISTS factbot_chunks (
        build_id TEXT NOT NULL, article_id TEXT NOT NULL, idx INTEGER NOT NULL,
        start INTEGER NOT NULL, "end" INTEGER NOT NULL,
        PRIMARY KEY (build_id, article_id, idx))""",
    "CREATE INDEX IF NOT EXISTS factbot_builds_status ON factbot_builds (status)",
    "CREATE INDEX IF NOT EXISTS factbot_articles_outlet "
    "ON factbot_articles (build_id, outlet, published)",
    "INSERT INTO factbot_meta VALUES ('schema_version', '" + SCHEMA_VERSION + "') "
    "ON CONFLICT (key) DO NOTHING",
)
TABLES = ("meta", "builds", "articles", "chunks")
_META_FIELDS = ("outlet", "title", "published", "author", "url", "republished_by")
_ARTICLE_COLUMNS = ("build_id", "id", "source_key", "source_file", "text", "content_hash",
                    *_META_FIELDS)
_ARTICLE_SELECT = (
    "SELECT id, text, source_file, source_key, content_hash, outlet, title, published, "
    "author, url, republished_by FROM factbot_articles"
)
CONNECT_TIMEOUT_S = 10
STREAM_BATCH = 256  # articles per query when streaming a build


def _lock_key(name: str) -> int:
    """A stable signed 64-bit advisory lock key for `name`."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


BUILD_LOCK_KEY = _lock_key("factbot:build")
SCHEMA_LOCK_KEY = _lock_key("factbot:schema")


class DatabaseError(StoreError):
    """PostgreSQL answered a shared-mode request with an error (message safe to show)."""


class DatabaseUnavailableError(DatabaseError):
    """The PostgreSQL server of `DATABASE_URL` cannot be reached or refused the login."""


def _psycopg() -> Any:
    try:
        import psycopg
    except ImportError as exc:  # the `postgres` extra is not installed
        raise StoreError(
            "DATABASE_URL is set but psycopg is not installed; "
            "install factbot with the `postgres` extra (pip install 'factbot[postgres]')"
        ) from exc
    return psycopg


class DatabaseLocation(str):
    """Where the shared docstore is, as `postgresql://user@host:port/database` (no password).

    A string that also answers `.name` like the `Path` of `DocStore.path`, so messages that
    name the docstore work for either store.
    """

    __slots__ = ()

    @property
    def name(self) -> str:
        return str(self)


def describe_url(url: str) -> DatabaseLocation:
    """`url` as `postgresql://user@host:port/database`, never with its password.

    Raises:
        StoreError: `url` is not a PostgreSQL connection string (it is not echoed back), or
            psycopg is not installed.
    """
    _psycopg()
    from psycopg.conninfo import conninfo_to_dict

    try:
        parts = conninfo_to_dict(url)
    except Exception:  # psycopg.ProgrammingError, whose text may quote the URL: not chained
        raise StoreError(
            "DATABASE_URL is not a valid PostgreSQL connection string "
            "(postgresql://USER:PASSWORD@HOST:PORT/DATABASE)"
        ) from None
    user = parts.get("user")
    host = str(parts.get("host") or parts.get("hostaddr") or "localhost")
    port = parts.get("port") or "5432"
    database = parts.get("dbname") or user or "postgres"
    return DatabaseLocation(f"postgresql://{user + '@' if user else ''}{host}:{port}/{database}")


class _Connection:
    """One connection per process and URL, used by one thread at a time."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.lock = threading.RLock()
        self.conn: psycopg.Connection | None = None
        self.pid = os.getpid()

    def get(self, where: str) -> tuple[psycopg.Connection, bool]:
        """The open connection and whether it was reused (opened now: False)."""
        if self.pid != os.getpid():  # a forked child must not share the parent's socket
            self.conn, self.pid = None, os.getpid()
        if self.conn is not None and not self.conn.closed and not self.conn.broken:
            return self.conn, True
        self.conn = connect(self.url, where)
        return self.conn, False

    def drop(self) -> None:
        conn, self.conn = self.conn, None
        if conn is not None and self.pid == os.getpid():
            try:
                conn.close()
            except Exception:  # already broken
                log.debug("closing a broken database connection failed")


_connections: dict[str, _Connection] = {}
_connections_lock = threading.Lock()


def _shared(url: str) -> _Connection:
    with _connections_lock:
        holder = _connections.get(url)
        if holder is None:
            holder = _connections[url] = _Connection(url)
        return holder


@atexit.register
def close_connections() -> None:
    """Close this process's database connections (at exit, and between tests)."""
    with _connections_lock:
        holders = list(_connections.values())
        _connections.clear()
    for holder in holders:
        with holder.lock:
            holder.drop()


def connect(url: str, where: str | None = None, autocommit: bool = True) -> psycopg.Connection:
    """A new connection to `url`.

    Raises:
        DatabaseUnavailableError: the server does not answer or refuses the login.
    """
    psycopg = _psycopg()
    where = where or describe_url(url)
    try:
        return psycopg.connect(
            url, autocommit=autocommit, connect_timeout=CONNECT_TIMEOUT_S,
            application_name="factbot", keepalives=1, keepalives_idle=30,
            keepalives_interval=10, keepalives_count=3,
        )
    except psycopg.Error as exc:  # not chained: libpq's own text is not shown to users
        raise _unavailable(exc, where) from None


def _unavailable(exc: Exception, where: str) -> DatabaseUnavailableError:
    text = str(exc).lower()
    log.debug("database connection failed: %s", type(exc).__name__)
    if "password" in text or "authentication" in text or "no pg_hba.conf entry" in text:
        reason = "refused the login; check the user and password in DATABASE_URL"
    elif "does not exist" in text:
        reason = "has no such database or user; create it or fix DATABASE_URL"
    else:
        reason = "is not answering; check DATABASE_URL and that PostgreSQL is running"
    return DatabaseUnavailableError(f"the database {where} {reason}")


class PgDocStore(WholeBuildReads):
    """The docstore in a PostgreSQL database (tables `factbot_*`), shared by several hosts."""

    TABLES = TABLES

    def __init__(self, url: str) -> None:
        """Open nothing yet: the first call connects.

        Args:
            url: a libpq connection string or `postgresql://` URL (may hold a password; it is
                never logged nor shown).
        """
        self._url = url
        self.path = describe_url(url)  # for messages, like DocStore.path
        self._schema_ready = False

    @classmethod
    def from_settings(cls, settings: Settings) -> PgDocStore:
        """The shared docstore of `settings.database_url`.

        Raises:
            StoreError: no database URL is set.
        """
        if settings.database_url is None or not settings.database_url.get_secret_value():
            raise StoreError("shared mode needs DATABASE_URL (a PostgreSQL connection URL)")
        return cls(settings.database_url.get_secret_value())

    def __repr__(self) -> str:
        return f"PgDocStore({self.path})"

    # --- connections -----------------------------------------------------------------------
    def _call(self, work: Callable[[psycopg.Connection], T], *, write: bool = False) -> T:
        """Run `work`: a read on the shared connection, a write in one transaction.

        Reads share one connection per process (a connection the server dropped since its
        last use is opened again once). A write gets a connection of its own for its
        transaction, so a build's long writes never hold up the answers a bot in the same
        process is reading.
        """
        if write:
            return self._write(work)
        psycopg = _psycopg()
        holder = _shared(self._url)
        with holder.lock:
            for attempt in (0, 1):
                conn, reused = holder.get(self.path)
                try:
                    return work(conn)
                except psycopg.OperationalError as exc:
                    if conn.broken or conn.closed:
                        holder.drop()
                        if reused and attempt == 0:
                            log.info("database connection to %s was lost; reconnecting",
                                     self.path)
                            continue
                        raise _unavailable(exc, self.path) from None
                    raise self._translate(exc) from exc
                except psycopg.Error as exc:
                    raise self._translate(exc) from exc
        raise AssertionError("unreachable")  # pragma: no cover

    def _write(self, work: Callable[[psycopg.Connection], T]) -> T:
        psycopg = _psycopg()
        conn = connect(self._url, self.path)
        try:
            if not self._schema_ready:
                self._create_schema(conn)
            with conn.transaction():
                return work(conn)
        except psycopg.OperationalError as exc:
            if conn.broken or conn.closed:
                raise _unavailable(exc, self.path) from None
            raise self._translate(exc) from exc
        except psycopg.Error as exc:
            raise self._translate(exc) from exc
        finally:
            conn.close()

    def _read(self, work: Callable[[psycopg.Connection], T], empty: T) -> T:
        """A read; `empty` when our tables are not there yet (reading creates nothing)."""
        from psycopg import errors

        def guarded(conn: psycopg.Connection) -> T:
            try:
                return work(conn)
            except errors.UndefinedTable:
                return empty

        return self._call(guarded)

    def _create_schema(self, conn: psycopg.Connection) -> None:
        """Create our tables unless they are all there (a user without `CREATE` on the schema
        can then still build in tables an administrator made)."""
        present = _scalar(conn, "SELECT count(to_regclass(t)) FROM unnest(%s::text[]) AS t",
                          ([TABLE_PREFIX + t for t in TABLES],))
        if present == len(TABLES):
            self._schema_ready = True
            return
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK_KEY,))
            for statement in SCHEMA:
                conn.execute(statement)
        self._schema_ready = True

    def _translate(self, exc: Exception) -> StoreError:
        sqlstate = getattr(exc, "sqlstate", None) or ""
        log.warning("database %s failed: %s (%s)", self.path, type(exc).__name__, sqlstate)
        if sqlstate == "53100":
            return DatabaseError(f"the database {self.path} is out of disk space; free some "
                                 "space and run the build again (the previous index is kept)")
        if sqlstate in ("25006", "42501"):
            return DatabaseError(f"the database {self.path} cannot be written by this user "
                                 "(builds need write access; reading works as it is)")
        return DatabaseError(f"the database {self.path} failed ({type(exc).__name__}); "
                             "see the log")

    # --- state -----------------------------------------------------------------------------
    def exists(self) -> bool:
        """True when the database holds our tables (none yet reads as "nothing built").

        Raises:
            DatabaseUnavailableError: the server cannot be reached.
        """
        def work(conn: psycopg.Connection) -> bool:
            row = conn.execute("SELECT to_regclass('factbot_builds')").fetchone()
            return row is not None and row[0] is not None

        return self._call(work)

    def writable(self) -> bool:
        """True when this user may write our tables, or create them while they are missing."""
        def work(conn: psycopg.Connection) -> bool:
            if _scalar(conn, "SELECT pg_is_in_recovery()"):  # a read-only standby
                return False
            if _scalar(conn, "SELECT count(to_regclass(t)) FROM unnest(%s::text[]) AS t",
                       ([TABLE_PREFIX + t for t in TABLES],)) < len(TABLES):
                return bool(_scalar(conn,
                                    "SELECT has_schema_privilege(current_schema(), 'CREATE')"))
            return all(
                _scalar(conn, "SELECT has_table_privilege(%s, %s)", (TABLE_PREFIX + t, rights))
                for t, rights in (("builds", "INSERT, UPDATE, DELETE"),
                                  ("articles", "INSERT, UPDATE, DELETE"),
                                  ("chunks", "INSERT, UPDATE, DELETE"),
                                  ("meta", "INSERT, UPDATE"))
            )

        return self._call(work)

    def check(self) -> list[str]:
        """Problems with the database: missing tables (empty when healthy or not created yet).

        Raises:
            DatabaseUnavailableError: the server cannot be reached.
        """
        def work(conn: psycopg.Connection) -> list[str]:
            found = [
                row[0] is not None
                for row in (
                    conn.execute("SELECT to_regclass(%s)", (TABLE_PREFIX + t,)).fetchone()
                    for t in TABLES
                )
                if row is not None
            ]
            if not any(found):
                return []  # nothing created yet: not a problem
            missing = [t for t, ok in zip(TABLES, found, strict=True) if not ok]
            problems = ["missing tables: " + ", ".join(missing)] if missing else []
            version = self._meta(conn, "schema_version") if not missing else SCHEMA_VERSION
            if version not in (None, SCHEMA_VERSION):  # None: tables made by hand
                problems.append(f"schema version {version}, this factbot reads {SCHEMA_VERSION}")
            return problems

        return self._call(work)

    def missing_tables(self) -> list[str]:
        """Our tables that are not in the database (all of them before the first build)."""
        def work(conn: psycopg.Connection) -> list[str]:
            return [t for t in TABLES
                    if _scalar(conn, "SELECT to_regclass(%s)", (TABLE_PREFIX + t,)) is None]

        return self._call(work)

    def repair(self) -> list[str]:
        """Create the tables that are missing, as `factbot index doctor --repair` does for a
        damaged SQLite file by moving it aside; returns their names (empty: nothing to do).

        Rows that were in them are gone: build again afterwards (`factbot index build`).
        """
        missing = self.missing_tables()
        if missing and len(missing) < len(TABLES):
            self._schema_ready = False
            self._write(lambda _conn: None)  # creates what is missing, under the schema lock
            log.warning("created the missing tables %s in %s", ", ".join(missing), self.path)
            return missing
        return []

    @staticmethod
    def _meta(conn: psycopg.Connection, key: str) -> str | None:
        row = conn.execute("SELECT value FROM factbot_meta WHERE key=%s", (key,)).fetchone()
        return row[0] if row else None

    # --- builds ----------------------------------------------------------------------------
    def active_build(self) -> BuildInfo | None:
        """The build answers are served from, or None before the first build."""
        def work(conn: psycopg.Connection) -> BuildInfo | None:
            row = conn.execute(
                "SELECT b.id, b.collection, b.created_at, b.model, b.signature, b.roots, "
                "b.status, b.summary FROM factbot_meta m JOIN factbot_builds b "
                "ON b.id = m.value WHERE m.key = 'active_build'"
            ).fetchone()
            return _build_info(row) if row else None

        return self._read(work, None)

    def builds(self, status: str | None = None) -> list[BuildInfo]:
        """All builds (or those with `status`: building, active, previous)."""
        def work(conn: psycopg.Connection) -> list[BuildInfo]:
            sql = ("SELECT id, collection, created_at, model, signature, roots, status, summary "
                   "FROM factbot_builds")
            rows = (conn.execute(sql + " WHERE status=%s ORDER BY id", (status,)) if status
                    else conn.execute(sql + " ORDER BY id")).fetchall()
            return [_build_info(r) for r in rows]

        return self._read(work, [])

    def start_build(self, info: BuildInfo) -> None:
        """Register a new build with status `building` (invisible to readers)."""
        def work(conn: psycopg.Connection) -> None:
            conn.execute(
                "INSERT INTO factbot_builds VALUES (%s,%s,%s,%s,%s,%s,%s,NULL)",
                (info.id, info.collection, info.created_at, info.model, info.signature,
                 json.dumps(info.roots), "building"),
            )

        self._call(work, write=True)

    def activate(self, build_id: str, summary: dict) -> str | None:
        """Make `build_id` the active build in one transaction; return the previous one's id."""
        def work(conn: psycopg.Connection) -> str | None:
            row = conn.execute(
                "SELECT value FROM factbot_meta WHERE key='active_build' FOR UPDATE"
            ).fetchone()
            previous = row[0] if row else None
            if previous:
                conn.execute("UPDATE factbot_builds SET status='previous' WHERE id=%s",
                             (previous,))
            updated = conn.execute(
                "UPDATE factbot_builds SET status='active', summary=%s WHERE id=%s",
                (json.dumps(summary), build_id),
            ).rowcount
            if updated != 1:
                raise StoreError(f"build {build_id} is not registered; it cannot be activated")
            conn.execute(
                "INSERT INTO factbot_meta VALUES ('active_build', %s) "
                "ON CONFLICT (key) DO UPDATE SET value=excluded.value",
                (build_id,),
            )
            return previous

        return self._call(work, write=True)

    def drop_build(self, build_id: str) -> None:
        """Delete a build's rows (its articles, chunks and registry entry)."""
        def work(conn: psycopg.Connection) -> None:
            conn.execute("DELETE FROM factbot_chunks WHERE build_id=%s", (build_id,))
            conn.execute("DELETE FROM factbot_articles WHERE build_id=%s", (build_id,))
            conn.execute("DELETE FROM factbot_builds WHERE id=%s", (build_id,))

        self._call(work, write=True)

    # --- articles and chunks ---------------------------------------------------------------
    def add_articles(self, build_id: str, articles: Iterable[Article]) -> None:
        """Store articles of a build (an id stored again replaces the earlier row)."""
        rows = {
            a.id: (build_id, a.id, a.source_key, a.source_file, a.text, a.content_hash,
                   *(getattr(a.meta, f) for f in _META_FIELDS))
            for a in articles
        }
        if rows:
            self._upsert("factbot_articles", _ARTICLE_COLUMNS, ("build_id", "id"),
                         list(rows.values()))

    def add_chunks(self, build_id: str, chunks: Iterable[Chunk]) -> None:
        """Store chunk offsets of a build (a chunk stored again replaces the earlier row)."""
        rows = {
            (c.article_id, c.index): (build_id, c.article_id, c.index, c.start, c.end)
            for c in chunks
        }
        if rows:
            self._upsert("factbot_chunks", ("build_id", "article_id", "idx", "start", "end"),
                         ("build_id", "article_id", "idx"), list(rows.values()))

    def _upsert(self, table: str, columns: Sequence[str], key: Sequence[str],
                rows: list[tuple]) -> None:
        """COPY `rows` into a temporary table, then insert them, replacing equal keys."""
        names = ", ".join(f'"{c}"' for c in columns)
        updates = ", ".join(f'"{c}" = excluded."{c}"' for c in columns if c not in key)
        conflict = ", ".join(f'"{c}"' for c in key)

        def work(conn: psycopg.Connection) -> None:
            conn.execute(f"CREATE TEMPORARY TABLE factbot_load (LIKE {table}) ON COMMIT DROP")
            with conn.cursor() as cur, cur.copy(f"COPY factbot_load ({names}) FROM STDIN") as cp:
                for row in rows:
                    cp.write_row(row)
            conn.execute(
                f"INSERT INTO {table} ({names}) SELECT {names} FROM factbot_load "  # noqa: S608
                f"ON CONFLICT ({conflict}) DO UPDATE SET {updates}"
            )

        self._call(work, write=True)

    def counts(self, build_id: str) -> tuple[int, int, int]:
        """Articles, chunks and distinct known outlets of a build, in one SQL query."""
        def work(conn: psycopg.Connection) -> tuple[int, int, int]:
            row = conn.execute(
                "SELECT (SELECT COUNT(*) FROM factbot_articles WHERE build_id=%(b)s), "
                "(SELECT COUNT(*) FROM factbot_chunks WHERE build_id=%(b)s), "
                "(SELECT COUNT(DISTINCT outlet) FROM factbot_articles WHERE build_id=%(b)s)",
                {"b": build_id},
            ).fetchone()
            return (int(row[0]), int(row[1]), int(row[2])) if row else (0, 0, 0)

        return self._read(work, (0, 0, 0))

    def outlet_rows(self, build_id: str) -> list[tuple[str | None, str | None]]:
        """(outlet, published) of every article of a build, in one SQL query (no texts)."""
        def work(conn: psycopg.Connection) -> list[tuple[str | None, str | None]]:
            return [(r[0], r[1]) for r in conn.execute(
                "SELECT outlet, published FROM factbot_articles WHERE build_id=%s",
                (build_id,))]

        return self._read(work, [])

    def get_articles(self, build_id: str, ids: Iterable[str]) -> dict[str, Article]:
        """The articles of a build with these ids (ids not in the build are left out)."""
        wanted = list(dict.fromkeys(ids))
        if not wanted:
            return {}

        def work(conn: psycopg.Connection) -> dict[str, Article]:
            rows = conn.execute(
                _ARTICLE_SELECT + " WHERE build_id=%s AND id = ANY(%s)", (build_id, wanted)
            ).fetchall()
            return {r[0]: _article(r) for r in rows}

        return self._read(work, {})

    def iter_articles(self, build_id: str) -> Iterator[Article]:
        """Every article of a build, streamed in batches (in id order; not held in memory).

        Each batch is one query on the shared connection (keyset pagination), so nothing is
        held open between batches and other threads are not blocked while the caller works.
        """
        after = ""
        while True:
            def work(conn: psycopg.Connection, after: str = after) -> list[Any]:
                return conn.execute(
                    _ARTICLE_SELECT + ' WHERE build_id=%s AND id > %s COLLATE "C" '
                    'ORDER BY id COLLATE "C" LIMIT %s', (build_id, after, STREAM_BATCH),
                ).fetchall()

            rows = self._read(work, [])
            yield from (_article(r) for r in rows)
            if len(rows) < STREAM_BATCH:
                return
            after = rows[-1][0]

    def article_keys(self, build_id: str) -> dict[str, tuple[str, str]]:
        """Article id -> (source key, content hash) of a build, without the texts."""
        def work(conn: psycopg.Connection) -> dict[str, tuple[str, str]]:
            return {r[0]: (r[1], r[2]) for r in conn.execute(
                "SELECT id, source_key, content_hash FROM factbot_articles WHERE build_id=%s",
                (build_id,))}

        return self._read(work, {})

    def chunk_rows(self, build_id: str) -> list[tuple[str, int, int, int]]:
        """(article id, chunk index, start, end) of every chunk of a build, unordered."""
        def work(conn: psycopg.Connection) -> list[tuple[str, int, int, int]]:
            return [(r[0], int(r[1]), int(r[2]), int(r[3])) for r in conn.execute(
                'SELECT article_id, idx, start, "end" FROM factbot_chunks WHERE build_id=%s',
                (build_id,))]

        return self._read(work, [])


def _scalar(conn: psycopg.Connection, sql: str, params: Sequence[Any] = ()) -> Any:
    row = conn.execute(sql, params).fetchone()  # type: ignore[arg-type]
    return row[0] if row else None


def _build_info(row: Sequence[Any]) -> BuildInfo:
    return BuildInfo(
        *row[:5], roots=json.loads(row[5]), status=row[6],
        summary=json.loads(row[7]) if row[7] else None,
    )


def _article(row: Sequence[Any]) -> Article:
    return Article(
        id=row[0], text=row[1], source_file=row[2], source_key=row[3],
        meta=SourceMeta(*row[5:]), content_hash=row[4],
    )


@contextmanager
def advisory_lock(settings: Settings) -> Iterator[None]:
    """The build lock of shared mode: one build at a time across every host.

    Holds a PostgreSQL session advisory lock on a connection of its own for the whole build;
    the server releases it if this process dies.

    Raises:
        BuildInProgressError: another process (on any host) is building.
        DatabaseUnavailableError: the server cannot be reached.
    """
    try:
        from index.errors import BuildInProgressError  # type: ignore[attr-defined]
    except ImportError:  # before the error moved out of index.build
        from index.build import BuildInProgressError
    store = PgDocStore.from_settings(settings)
    conn = connect(store._url, store.path)
    try:
        got = conn.execute("SELECT pg_try_advisory_lock(%s)", (BUILD_LOCK_KEY,)).fetchone()
        if not (got and got[0]):
            raise BuildInProgressError(
                f"a reindex is already running (another process holds the build lock in "
                f"{store.path})"
            )
        log.debug("holding the shared build lock in %s", store.path)
        try:
            yield
        finally:
            try:
                conn.execute("SELECT pg_advisory_unlock(%s)", (BUILD_LOCK_KEY,))
            except Exception:  # the session is gone: the server released the lock with it
                log.debug("build lock connection lost before unlocking")
    finally:
        conn.close()


def build_lock_held(settings: Settings) -> bool:
    """True while some process (on any host) holds the shared build lock."""
    store = PgDocStore.from_settings(settings)
    unsigned = BUILD_LOCK_KEY & 0xFFFFFFFFFFFFFFFF

    def work(conn: psycopg.Connection) -> bool:
        row = conn.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype='advisory' AND granted "
            "AND database=(SELECT oid FROM pg_database WHERE datname=current_database()) "
            "AND classid::bigint=%s AND objid::bigint=%s AND objsubid=1",
            (unsigned >> 32, unsigned & 0xFFFFFFFF),
        ).fetchone()
        return bool(row and row[0])

    return store._call(work)
