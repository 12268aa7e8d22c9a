"""Errors of the index and store. Each message is one line that says what happened and what
to do; it is safe to show a user (no raw backend text, no secrets)."""

from __future__ import annotations

import errno
import shutil
import sqlite3
from pathlib import Path


class StoreError(RuntimeError):
    """Base class of store errors; the message is short and safe to show a user."""


class IndexNotBuiltError(StoreError):
    """No build has completed yet in this data dir."""


class StoreUnavailableError(StoreError):
    """Chroma could not be reached or answered with an error."""


class DocStoreDamagedError(StoreError):
    """The docstore file is not a readable SQLite database with our tables."""

    def __init__(self, path: Path, detail: str) -> None:
        super().__init__(
            f"the docstore {path} is damaged ({detail}); run `factbot index doctor --repair` "
            "to move it aside, then `factbot index build` to rebuild from the corpus"
        )
        self.path = path


class DiskFullError(StoreError):
    """A write failed because the device holding the data dir is full."""

    def __init__(self, where: Path) -> None:
        super().__init__(
            f"no space left on the device holding {where}; free some space and run the build "
            "again (the previous index was kept and is still serving)"
        )
        self.where = where


class ReadOnlyDataDirError(StoreError):
    """A write was needed (a build, a repair) but the data dir cannot be written."""

    def __init__(self, where: Path) -> None:
        super().__init__(
            f"the data dir {where} is read-only; builds and repairs need write access "
            "(reading commands work as they are)"
        )
        self.where = where


_DISK_FULL_TEXT = ("no space left", "disk is full", "database or disk is full", "enospc")
_DAMAGE_TEXT = (
    "file is not a database",
    "malformed",
    "no such table",
    "file is encrypted",
    "disk i/o error",
)
LOW_SPACE_BYTES = 1_000_000


def is_disk_full(exc: BaseException, where: Path | None = None) -> bool:
    """True when `exc` (or an exception it was raised from) means the disk is full.

    Chroma reports a full disk through several unrelated types, with the errno lost in a
    message; when the message does not say, a device with almost no free space left decides.
    """
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError) and current.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        text = str(current).lower()
        if any(marker in text for marker in _DISK_FULL_TEXT):
            return True
        current = current.__cause__ or current.__context__
    if where is not None:
        return free_bytes(where) < LOW_SPACE_BYTES
    return False


def is_damage(exc: sqlite3.Error) -> bool:
    """True for SQLite errors that mean a damaged database file (not a lock or a full disk)."""
    text = str(exc).lower()
    return any(marker in text for marker in _DAMAGE_TEXT)


def free_bytes(path: Path) -> int:
    """Free bytes on the device holding `path` (or its nearest existing parent)."""
    probe = Path(path)
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    try:
        return shutil.disk_usage(probe).free
    except OSError:
        return 1 << 62


class BuildInProgressError(RuntimeError):
    """Another build holds the data dir's build lock (a file lock, or in shared mode the
    database's advisory lock)."""


class BuildFilesError(StoreError):
    """A build's local files (lexical index, chunk table) are missing or damaged.

    Readers rebuild them from the docstore; `factbot index doctor --repair` does it ahead.
    """
