"""Followed RSS/Atom feeds: the feed store (SQLite) and feed parsing (feedparser).

The store lives in `<data dir>/feeds.sqlite3`. It keeps each feed's URL and outlet, the HTTP
validators of its last fetch (ETag, Last-Modified), a status (last poll, last success, last
error, articles added), and every entry seen, so an entry is fetched once; an entry whose
article failed is tried again on later polls, at most `MAX_ATTEMPTS` times in all. It also
counts article files written and the count the last successful build started from, so a
build that failed or was skipped (another build held the lock) is run by the next poll.
"""

from __future__ import annotations

import io
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from index.types import sha1_hex

MAX_ATTEMPTS = 3
FEEDS_DB = "feeds.sqlite3"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feeds (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    url TEXT NOT NULL UNIQUE,
    outlet TEXT NOT NULL,
    added_at TEXT NOT NULL,
    added_by TEXT,
    etag TEXT,
    last_modified TEXT,
    last_polled TEXT,
    last_success TEXT,
    last_error TEXT,
    last_error_at TEXT,
    articles_added INTEGER NOT NULL DEFAULT 0,
    last_added INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS entries (
    feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    link TEXT,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    article_url TEXT,
    error TEXT,
    seen_at TEXT NOT NULL,
    PRIMARY KEY (feed_id, key)
);
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT);
"""


class FeedError(ValueError):
    """A feed could not be used or changed; the message is one line for the moderator."""


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True, slots=True)
class Feed:
    """A followed feed and its status."""

    id: int
    url: str
    outlet: str
    added_at: str
    added_by: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    last_polled: str | None = None
    last_success: str | None = None
    last_error: str | None = None
    last_error_at: str | None = None
    articles_added: int = 0
    last_added: int = 0

    @property
    def failing(self) -> bool:
        """The most recent poll ended in an error."""
        return bool(self.last_error_at) and (self.last_error_at or "") >= (self.last_success or "")

    def status_line(self) -> str:
        """One line: state, last success, articles added, last error."""
        state = "never polled" if not self.last_polled else ("failing" if self.failing else "ok")
        parts = [
            state,
            f"last success {self.last_success or 'never'}",
            f"{self.articles_added} article(s) added ({self.last_added} in the last poll)",
        ]
        if self.last_error:
            parts.append(f"last error {self.last_error_at}: {self.last_error}")
        return " · ".join(parts)


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One entry of a parsed feed."""

    key: str  # the entry's id, else its link, else a hash of its title and date
    link: str | None
    title: str | None
    published: str | None


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    title: str | None
    entries: list[FeedEntry]


def parse_feed(body: bytes, url: str, content_type: str = "application/xml") -> ParsedFeed:
    """Parse an RSS or Atom document with feedparser (it never fetches anything here).

    Args:
        body: the document's bytes.
        url: where it came from (relative entry links are resolved against it).
        content_type: the served content type.

    Raises:
        FeedError: the document is not an RSS or Atom feed.
    """
    import feedparser

    parsed = feedparser.parse(
        io.BytesIO(body),
        response_headers={"content-location": url, "content-type": content_type},
    )
    if not parsed.get("version") and not parsed.entries:
        problem = parsed.get("bozo_exception")
        detail = f" ({str(problem).splitlines()[0][:100]})" if problem else ""
        raise FeedError(f"not an RSS or Atom feed{detail}")
    entries = []
    for entry in parsed.entries:
        link = (entry.get("link") or "").strip() or None
        title = (entry.get("title") or "").strip() or None
        published = entry.get("published") or entry.get("updated")
        key = (entry.get("id") or "").strip() or link or sha1_hex(title or "", published or "")
        entries.append(FeedEntry(key=key[:500], link=link, title=title, published=published))
    return ParsedFeed(title=(parsed.feed.get("title") or "").strip() or None, entries=entries)


class FeedStore:
    """The followed feeds and their seen entries; one short SQLite connection per call,
    so it can be used from any thread."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / FEEDS_DB
        data_dir.mkdir(parents=True, exist_ok=True)
        with self._db() as db:
            db.executescript(_SCHEMA)

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=30)
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA foreign_keys = ON")
        try:
            with db:
                yield db
        finally:
            db.close()

    # --- feeds ---------------------------------------------------------------------------
    def add(self, url: str, outlet: str, added_by: str | None = None) -> Feed:
        """Follow a feed.

        Raises:
            FeedError: the feed is already followed, or the outlet is empty.
        """
        outlet = " ".join(outlet.split())
        if not outlet:
            raise FeedError("give the outlet that publishes this feed")
        with self._db() as db:
            try:
                cursor = db.execute(
                    "INSERT INTO feeds (url, outlet, added_at, added_by) VALUES (?, ?, ?, ?)",
                    (url, outlet, now_iso(), added_by),
                )
            except sqlite3.IntegrityError:
                raise FeedError("that feed is already followed") from None
            feed_id = cursor.lastrowid
        feed = self.get(int(feed_id or 0))
        if feed is None:  # pragma: no cover - just inserted
            raise FeedError("the feed could not be saved")
        return feed

    def get(self, feed_id: int) -> Feed | None:
        with self._db() as db:
            row = db.execute("SELECT * FROM feeds WHERE id = ?", (feed_id,)).fetchone()
        return Feed(**dict(row)) if row else None

    def find(self, url_or_id: str) -> Feed | None:
        """A feed by its number (as `feeds list` shows it) or its URL."""
        with self._db() as db:
            if url_or_id.strip().isdigit():
                row = db.execute("SELECT * FROM feeds WHERE id = ?", (int(url_or_id),)).fetchone()
            else:
                row = db.execute(
                    "SELECT * FROM feeds WHERE url = ?", (url_or_id.strip(),)
                ).fetchone()
        return Feed(**dict(row)) if row else None

    def remove(self, feed_id: int) -> None:
        """Stop following a feed and forget its entries (indexed articles stay)."""
        with self._db() as db:
            db.execute("DELETE FROM feeds WHERE id = ?", (feed_id,))

    def feeds(self) -> list[Feed]:
        with self._db() as db:
            rows = db.execute("SELECT * FROM feeds ORDER BY id").fetchall()
        return [Feed(**dict(r)) for r in rows]

    def record_poll(
        self,
        feed_id: int,
        *,
        error: str | None,
        fetched: bool,
        added: int = 0,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> None:
        """Store one poll's outcome.

        Args:
            feed_id: the feed.
            error: the feed's error (None when the feed itself was fetched and parsed).
            fetched: the feed was fetched (200 or 304); its validators are then stored.
            added: new articles written in this poll.
            etag, last_modified: the validators of this fetch.
        """
        stamp = now_iso()
        with self._db() as db:
            db.execute(
                "UPDATE feeds SET last_polled = ?, last_added = ?, "
                "articles_added = articles_added + ? WHERE id = ?",
                (stamp, added, added, feed_id),
            )
            if fetched:
                db.execute(
                    "UPDATE feeds SET etag = ?, last_modified = ? WHERE id = ?",
                    (etag, last_modified, feed_id),
                )
            if error is None:
                db.execute("UPDATE feeds SET last_success = ? WHERE id = ?", (stamp, feed_id))
            else:
                db.execute(
                    "UPDATE feeds SET last_error = ?, last_error_at = ? WHERE id = ?",
                    (error[:300], stamp, feed_id),
                )

    def note_error(self, feed_id: int, error: str) -> None:
        """Record an article's error on its feed without marking the feed failed."""
        with self._db() as db:
            db.execute("UPDATE feeds SET last_error = ? WHERE id = ?", (error[:300], feed_id))

    # --- entries -------------------------------------------------------------------------
    def done_keys(self, feed_id: int) -> set[str]:
        """Entries not to fetch again: indexed, or failed `MAX_ATTEMPTS` times."""
        with self._db() as db:
            rows = db.execute(
                "SELECT key FROM entries WHERE feed_id = ? AND (status = 'ok' OR attempts >= ?)",
                (feed_id, MAX_ATTEMPTS),
            ).fetchall()
        return {r["key"] for r in rows}

    def mark_entry(
        self,
        feed_id: int,
        entry: FeedEntry,
        *,
        article_url: str | None = None,
        error: str | None = None,
    ) -> None:
        """Record an entry as indexed (`article_url`) or failed (`error`, one more attempt)."""
        status = "failed" if error else "ok"
        with self._db() as db:
            db.execute(
                "INSERT INTO entries (feed_id, key, link, status, attempts, article_url, error, "
                "seen_at) VALUES (?, ?, ?, ?, 1, ?, ?, ?) "
                "ON CONFLICT (feed_id, key) DO UPDATE SET status = excluded.status, "
                "attempts = entries.attempts + 1, article_url = excluded.article_url, "
                "error = excluded.error",
                (feed_id, entry.key, entry.link, status, article_url, error, now_iso()),
            )

    def entries(self, feed_id: int) -> list[dict]:
        """Every recorded entry of a feed (for status and tests)."""
        with self._db() as db:
            rows = db.execute(
                "SELECT key, link, status, attempts, article_url, error FROM entries "
                "WHERE feed_id = ? ORDER BY seen_at, key",
                (feed_id,),
            ).fetchall()
        return [dict(r) for r in rows]

    # --- build flag ----------------------------------------------------------------------
    def _counter(self, db: sqlite3.Connection, key: str) -> int:
        row = db.execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()
        return int(row["value"]) if row else 0

    def mark_written(self) -> None:
        """An article file was written: the next build must run."""
        with self._db() as db:
            db.execute(
                "INSERT INTO state (key, value) VALUES ('written', '1') "
                "ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + 1"
            )

    def written_mark(self) -> int:
        """Take before a build; give to `mark_built` after it succeeded."""
        with self._db() as db:
            return self._counter(db, "written")

    def mark_built(self, mark: int) -> None:
        """A build that started at `mark` succeeded (files written since still need one)."""
        with self._db() as db:
            db.execute(
                "INSERT INTO state (key, value) VALUES ('built', ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (str(mark),),
            )

    @property
    def needs_build(self) -> bool:
        """Some article file was written after the last successful build began."""
        with self._db() as db:
            return self._counter(db, "written") > self._counter(db, "built")
