"""Writing a file so that readers see the old content or the new, never half of it; removing
folders that are no longer used."""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

log = logging.getLogger(__name__)


def atomic_write(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file in the same folder and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix + ".part")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def remove_trees(folders: Iterable[Path], what: str) -> list[Path]:
    """Delete each folder (logging, not raising, those that cannot be); returns those removed.

    Args:
        folders: the folders to delete.
        what: how the log names one, e.g. "unused segment folder".
    """
    removed = []
    for folder in folders:
        try:
            shutil.rmtree(folder)
        except OSError as exc:
            log.warning("could not remove %s %s: %s", what, folder, exc.strerror)
            continue
        log.info("removed %s %s", what, folder.name)
        removed.append(folder)
    return removed
