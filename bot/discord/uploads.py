"""Files ingested from Discord: saved under `data_dir/uploads` with a `sources.csv` row.

Writes are atomic (temp file, then `os.replace`) so a concurrent build never reads half a file.
"""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
from datetime import date
from pathlib import Path

from bot.answer.errors import UserFacingError

ALLOWED_SUFFIXES = (".txt", ".md", ".html", ".jsonl")
COLUMNS = ("file", "outlet", "title", "published", "author", "url", "republished_by")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_filename(name: str) -> str:
    """A plain file name for an upload, or raise a `UserFacingError` for an unsupported type."""
    base = Path(name.replace("\\", "/")).name
    suffix = Path(base).suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        kinds = ", ".join(ALLOWED_SUFFIXES)
        raise UserFacingError(f"I can only ingest {kinds} files, not `{suffix or 'no extension'}`.")
    stem = _UNSAFE.sub("_", Path(base).stem).strip("._") or "upload"
    return stem[:80] + suffix


def check_date(value: str | None) -> str | None:
    """An ISO date (YYYY-MM-DD) or None; anything else is a `UserFacingError`."""
    if not value:
        return None
    try:
        return date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        raise UserFacingError("The date must look like 2024-03-12.") from None


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix + ".part")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_upload(
    uploads: Path,
    filename: str,
    data: bytes,
    outlet: str | None,
    title: str | None,
    published: str | None,
) -> Path:
    """Write the file and its metadata row (replacing an earlier row for the same file).

    Args:
        uploads: the uploads folder (`data_dir/uploads`).
        filename: a name from `safe_filename`.
        data: the file's bytes.
        outlet, title, published: metadata typed by the moderator (None when not given).

    Returns:
        The path of the saved file.
    """
    target = uploads / filename
    _atomic_write(target, data)
    index = uploads / "sources.csv"
    rows: list[dict[str, str]] = []
    if index.is_file():
        with index.open(newline="", encoding="utf-8") as handle:
            rows = [r for r in csv.DictReader(handle) if r.get("file") != filename]
    rows.append(
        {
            "file": filename,
            "outlet": outlet or "",
            "title": title or "",
            "published": published or "",
        }
    )
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: row.get(c) or "" for c in COLUMNS})
    _atomic_write(index, out.getvalue().encode("utf-8"))
    return target
