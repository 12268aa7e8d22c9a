"""Logging for the `factbot` command and the bot service: timestamps, text or JSON lines.

- `text` (default): `2026-11-21T10:00:00+0000 INFO factbot.index.build: message`
- `json`: one object per line with `time`, `level`, `logger`, `message` (and `error`, the
  exception type, or `traceback` when tracebacks are shown), for journald, Docker or a log
  collector.

Tracebacks are shown only when asked for (`-v`, or the bot service, whose operator needs
them); otherwise a record carrying an exception gets its type appended, on one line.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import Literal, TextIO

LogFormat = Literal["text", "json"]
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_NOISY = ("httpx", "httpcore", "chromadb", "urllib3", "bm25s", "onnxruntime")


class _UTCFormatter(logging.Formatter):
    converter = time.gmtime

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        return time.strftime("%Y-%m-%dT%H:%M:%S", self.converter(record.created)) + (
            f".{int(record.msecs):03d}Z"
        )


class TextFormatter(_UTCFormatter):
    """`TIME LEVEL logger: message`, UTC timestamps with milliseconds."""

    def __init__(self, tracebacks: bool) -> None:
        super().__init__(TEXT_FORMAT)
        self.tracebacks = tracebacks

    def format(self, record: logging.LogRecord) -> str:
        if self.tracebacks or not record.exc_info:
            return super().format(record)
        return _without_traceback(record, super().format)


class JsonFormatter(_UTCFormatter):
    """One JSON object per line: time, level, logger, message (+ error / traceback)."""

    def __init__(self, tracebacks: bool) -> None:
        super().__init__()
        self.tracebacks = tracebacks

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info and record.exc_info[0] is not None:
            entry["error"] = record.exc_info[0].__name__
            if self.tracebacks:
                entry["traceback"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def _without_traceback(record: logging.LogRecord, fmt) -> str:  # noqa: ANN001
    exc_info, exc_text = record.exc_info, record.exc_text
    name = exc_info[0].__name__ if exc_info and exc_info[0] else "error"
    record.exc_info, record.exc_text = None, None
    try:
        return f"{fmt(record)} ({name}; run with -v for the traceback)"
    finally:
        record.exc_info, record.exc_text = exc_info, exc_text


def configure_logging(
    level: int | str = logging.WARNING,
    fmt: LogFormat = "text",
    tracebacks: bool = False,
    stream: TextIO | None = None,
) -> logging.Handler:
    """Send all logging to one stream handler (stderr by default), replacing earlier ones.

    Args:
        level: the root level (libraries known to be chatty stay at WARNING).
        fmt: `text` or `json`.
        tracebacks: show exception tracebacks (otherwise one line per record).
        stream: where to write.

    Returns:
        The handler (the bot adds its token redaction filter to it).
    """
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter(tracebacks) if fmt == "json" else TextFormatter(tracebacks))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    handler.setLevel(level)  # some libraries (bm25s) set their own loggers to DEBUG on import
    for noisy in _NOISY:
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return handler


def connected_line(user: str, guilds: int, index: dict) -> str:
    """The bot's one line when it connects.

    Args:
        user: the bot user's name.
        guilds: how many servers (guilds) it is in.
        index: `index.build.index_status_counts(settings)`.

    Returns:
        `connected as NAME to N guilds; index: A articles, C chunks, build B` (`no index
        built yet` in place of the counts before the first build).
    """
    head = f"connected as {user} to {guilds} guild{'s' if guilds != 1 else ''}"
    if not index.get("build"):
        return f"{head}; index: no index built yet (run `factbot index build PATH`)"
    return (f"{head}; index: {index['articles']} articles, {index['chunks']} chunks, "
            f"build {index['build']}")
