"""Files ingested from Discord: checked, saved under `data_dir/uploads`, listed and removed.

Each file has a row in the folder's `sources.csv` with what the moderator typed (outlet,
title, date). A file is checked with the index's own loader and cleaner before it is kept,
so a file the build would refuse is refused at once and never stays behind to fail every
later reindex. Writes are atomic (temp file, then `os.replace`) so a concurrent build never
reads half a file. Every function here touches the disk: call them in a worker thread.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from bot.answer.errors import UserFacingError
from index.atomic import atomic_write
from index.metadata import csv_safe

ALLOWED_SUFFIXES = (".txt", ".md", ".html", ".jsonl")
COLUMNS = ("file", "outlet", "title", "published", "author", "url", "republished_by")
SOURCES_CSV = "sources.csv"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class Upload:
    """One uploaded article file and the metadata typed for it."""

    name: str
    size: int
    outlet: str | None
    title: str | None
    published: str | None


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


def _read_rows(folder: Path) -> list[dict[str, str]]:
    index = folder / SOURCES_CSV
    if not index.is_file():
        return []
    with index.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _write_rows(folder: Path, rows: list[dict[str, str]]) -> None:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        # what a moderator typed never starts a spreadsheet formula
        writer.writerow({c: csv_safe(row.get(c)) for c in COLUMNS})
    atomic_write(folder / SOURCES_CSV, out.getvalue().encode("utf-8"))


def _row(filename: str, outlet: str | None, title: str | None, published: str | None) -> dict:
    return {"file": filename, "outlet": outlet or "", "title": title or "",
            "published": published or ""}


def check_article(
    filename: str,
    data: bytes,
    outlet: str | None,
    title: str | None,
    published: str | None,
    max_bytes: int,
) -> None:
    """Load and clean the file exactly as a build would, in a scratch folder.

    Raises:
        UserFacingError: the build would refuse the file; the message says why.
    """
    from index.ingest import collect_articles

    if len(data) > max_bytes:
        raise UserFacingError(f"`{filename}` is too large (limit {max_bytes:,} bytes).")
    with tempfile.TemporaryDirectory(prefix="factbot-upload-") as scratch:
        folder = Path(scratch)
        (folder / filename).write_bytes(data)
        _write_rows(folder, [_row(filename, outlet, title, published)])
        result = collect_articles([folder], max_bytes)
        if result.failures:
            reason = result.failures[0].reason.replace(scratch, "").strip()
            raise UserFacingError(f"`{filename}` cannot be indexed: {reason}.")
        if not result.articles:
            raise UserFacingError(f"`{filename}` holds no article text.")


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
    atomic_write(target, data)
    rows = [r for r in _read_rows(uploads) if r.get("file") != filename]
    rows.append(_row(filename, outlet, title, published))
    _write_rows(uploads, rows)
    return target


def list_uploads(uploads: Path) -> list[Upload]:
    """The article files uploaded from Discord (top level of the folder), by name."""
    if not uploads.is_dir():
        return []
    meta = {r.get("file"): r for r in _read_rows(uploads)}
    out = []
    for path in sorted(uploads.iterdir()):
        if not path.is_file() or path.suffix.lower() not in ALLOWED_SUFFIXES:
            continue
        row = meta.get(path.name, {})
        out.append(
            Upload(path.name, path.stat().st_size, row.get("outlet") or None,
                   row.get("title") or None, row.get("published") or None)
        )
    return out


def remove_upload(uploads: Path, filename: str) -> bool:
    """Delete an uploaded file and its metadata row; False when there is no such upload."""
    base = Path(filename).name
    target = uploads / base
    if base != filename or not target.is_file() or target.suffix.lower() not in ALLOWED_SUFFIXES:
        return False
    target.unlink()
    rows = _read_rows(uploads)
    kept = [r for r in rows if r.get("file") != base]
    if len(kept) != len(rows):
        _write_rows(uploads, kept)
    return True
