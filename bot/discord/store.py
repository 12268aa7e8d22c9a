"""SQLite store of the Discord layer: answers shown, votes, reports, audit log, answer channels.

One small database under `data_dir/discord.sqlite3`. Calls are short and synchronous; the cogs
run them through `asyncio.to_thread` so the event loop never waits on the disk.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (
    message_id INTEGER PRIMARY KEY, channel_id INTEGER, user_id INTEGER, ts TEXT,
    query TEXT, mode TEXT, verdict TEXT, reply_json TEXT);
CREATE INDEX IF NOT EXISTS answers_channel ON answers(channel_id, ts);
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT, ts TEXT, user_id INTEGER, message_id INTEGER,
    kind TEXT, question TEXT, claim TEXT, source_id INTEGER, article_id TEXT, quote TEXT);
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT, ts TEXT, user_id INTEGER, user_name TEXT,
    action TEXT, target TEXT, result TEXT, ok INTEGER);
CREATE TABLE IF NOT EXISTS answer_channels (channel_id INTEGER PRIMARY KEY);
CREATE TABLE IF NOT EXISTS votes (
    message_id INTEGER, user_id INTEGER, kind TEXT, ts TEXT, question TEXT,
    PRIMARY KEY (message_id, user_id));
"""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class FeedbackRow:
    id: int
    ts: str
    user_id: int
    kind: str
    question: str | None
    claim: str | None
    source_id: int | None
    article_id: str | None
    quote: str | None


@dataclass(frozen=True)
class AuditRow:
    id: int
    ts: str
    user_id: int
    user_name: str
    action: str
    target: str
    result: str
    ok: bool


class BotStore:
    """Feedback, audit log, shown answers and answer channels in one SQLite file."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(SCHEMA)

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._db.close()

    # --- answers ------------------------------------------------------------------------------
    def record_answer(
        self, message_id: int, channel_id: int, user_id: int, reply_json: dict
    ) -> None:
        """Remember the reply shown in `message_id` (for feedback and follow-up context)."""
        with self._tx() as db:
            db.execute(
                "INSERT OR REPLACE INTO answers VALUES (?,?,?,?,?,?,?,?)",
                (
                    message_id,
                    channel_id,
                    user_id,
                    _now(),
                    reply_json.get("query"),
                    reply_json.get("mode"),
                    reply_json.get("verdict"),
                    json.dumps(reply_json),
                ),
            )

    def answer(self, message_id: int) -> dict | None:
        """The reply JSON shown in `message_id`, if the bot answered there."""
        with self._lock:
            row = self._db.execute(
                "SELECT reply_json FROM answers WHERE message_id=?", (message_id,)
            ).fetchone()
        return json.loads(row[0]) if row else None

    def first_question(self, channel_id: int) -> str | None:
        """The earliest question answered in a channel or thread (context for follow-ups)."""
        with self._lock:
            row = self._db.execute(
                "SELECT query FROM answers WHERE channel_id=? ORDER BY ts, rowid LIMIT 1",
                (channel_id,),
            ).fetchone()
        return row[0] if row else None

    # --- votes --------------------------------------------------------------------------------
    def vote(self, user_id: int, message_id: int, kind: str, question: str | None) -> str | None:
        """Record a user's 👍 / 👎 on an answer: one vote per user and answer, changeable.

        Returns:
            The user's previous vote on this answer (None when this is the first).
        """
        with self._tx() as db:
            row = db.execute(
                "SELECT kind FROM votes WHERE message_id=? AND user_id=?", (message_id, user_id)
            ).fetchone()
            db.execute(
                "INSERT OR REPLACE INTO votes VALUES (?,?,?,?,?)",
                (message_id, user_id, kind, _now(), question),
            )
        return row[0] if row else None

    def vote_counts(self, message_id: int | None = None) -> dict[str, int]:
        """Votes by kind, for one answer or for all of them."""
        sql, args = "SELECT kind, COUNT(*) FROM votes", ()
        if message_id is not None:
            sql, args = sql + " WHERE message_id=?", (message_id,)
        with self._lock:
            rows = self._db.execute(sql + " GROUP BY kind", args).fetchall()
        return {kind: count for kind, count in rows}

    # --- reports ------------------------------------------------------------------------------
    def add_feedback(
        self,
        user_id: int,
        message_id: int,
        kind: str,
        question: str | None,
        claim: str | None = None,
        source_id: int | None = None,
        article_id: str | None = None,
        quote: str | None = None,
    ) -> int:
        """Store a bad-quote report (or another kind of feedback); returns its id."""
        with self._tx() as db:
            cur = db.execute(
                "INSERT INTO feedback (ts,user_id,message_id,kind,question,claim,source_id,"
                "article_id,quote) VALUES (?,?,?,?,?,?,?,?,?)",
                (_now(), user_id, message_id, kind, question, claim, source_id, article_id, quote),
            )
            return int(cur.lastrowid or 0)

    def reports(self, limit: int = 10, kind: str | None = "bad_quote") -> list[FeedbackRow]:
        """The most recent feedback rows (bad-quote reports by default), newest first."""
        sql = "SELECT id,ts,user_id,kind,question,claim,source_id,article_id,quote FROM feedback"
        args: tuple = ()
        if kind:
            sql += " WHERE kind=?"
            args = (kind,)
        with self._lock:
            rows = self._db.execute(sql + " ORDER BY id DESC LIMIT ?", (*args, limit)).fetchall()
        return [FeedbackRow(*r) for r in rows]

    # --- audit --------------------------------------------------------------------------------
    def audit(
        self, user_id: int, user_name: str, action: str, target: str, result: str, ok: bool
    ) -> None:
        """Append one moderation run to the audit log."""
        with self._tx() as db:
            db.execute(
                "INSERT INTO audit (ts,user_id,user_name,action,target,result,ok) "
                "VALUES (?,?,?,?,?,?,?)",
                (_now(), user_id, user_name, action, target, result, int(ok)),
            )

    def audit_log(self, limit: int = 20) -> list[AuditRow]:
        """The most recent audit rows, newest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT id,ts,user_id,user_name,action,target,result,ok FROM audit "
                "ORDER BY id DESC LIMIT ?",
                (limit,),
            ).fetchall()
        return [AuditRow(*r[:7], bool(r[7])) for r in rows]

    # --- answer channels ----------------------------------------------------------------------
    def answer_channels(self) -> set[int]:
        """Channels a moderator turned answering on in."""
        with self._lock:
            return {r[0] for r in self._db.execute("SELECT channel_id FROM answer_channels")}

    def set_answer_channel(self, channel_id: int, on: bool) -> None:
        """Turn answering every message in a channel on or off."""
        with self._tx() as db:
            if on:
                db.execute("INSERT OR IGNORE INTO answer_channels VALUES (?)", (channel_id,))
            else:
                db.execute("DELETE FROM answer_channels WHERE channel_id=?", (channel_id,))
