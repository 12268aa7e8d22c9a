"""Loading article files from disk: bytes -> checked, decoded, normalised `RawDocument`s.

Supported formats: plain text (`.txt`), Markdown (`.md`, `.markdown`, with optional YAML front
matter), HTML (`.html`, `.htm`, main text and metadata extracted with trafilatura) and JSON
Lines (`.jsonl`, one article per line). Text is UTF-8 (a BOM is allowed) or UTF-16 (with a BOM,
or without one when the NUL bytes sit where UTF-16 puts them). Every problem becomes a
`LoadFailure` with a one-line reason a person can act on.
"""

from __future__ import annotations

import json
import logging
import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from index._frontmatter import split_front_matter
from index._html import extract_html
from index.metadata import normalise_date
from index.types import LoadFailure, SourceMeta

log = logging.getLogger(__name__)

FORMATS: dict[str, str] = {
    ".txt": "txt",
    ".md": "md",
    ".markdown": "md",
    ".html": "html",
    ".htm": "html",
    ".jsonl": "jsonl",
}
"""File extension (lower case) -> format name."""

_META_FIELDS = ("outlet", "title", "published", "author", "url", "republished_by")
FIELD_ALIASES = {"date": "published"}
"""Other names accepted for a metadata field (JSON fields, front matter, csv columns)."""
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
_JSON_KNOWN = frozenset({"text", *_META_FIELDS, *FIELD_ALIASES})


@dataclass(frozen=True, slots=True)
class RawDocument:
    """One article as loaded, before metadata merging and cleaning.

    Attributes:
        text: the article text, newlines normalised to `\\n`, Unicode in NFC.
        source_file: the file name it came from.
        source_key: the resolved path, plus `#L<n>` for line n of a JSON Lines file.
        doc_meta: metadata the document itself carries (HTML meta tags, JSON fields).
        format: `txt`, `md`, `html` or `jsonl`.
    """

    text: str
    source_file: str
    source_key: str
    doc_meta: SourceMeta = field(default_factory=SourceMeta)
    format: str = "txt"


class LoadError(Exception):
    """A file could not be loaded; `failure` holds the path and the one-line reason."""

    def __init__(self, failure: LoadFailure) -> None:
        super().__init__(f"{failure.path}: {failure.reason}")
        self.failure = failure


@dataclass(slots=True)
class LoadResult:
    """What one file yielded: documents, and failures (a whole file, or single JSON lines)."""

    documents: list[RawDocument] = field(default_factory=list)
    failures: list[LoadFailure] = field(default_factory=list)


def file_format(path: Path) -> str | None:
    """The format name for a path's extension, or None when the extension is not supported."""
    return FORMATS.get(path.suffix.lower())


def normalise_text(text: str) -> str:
    """Newlines to `\\n` and Unicode to NFC; nothing else is changed."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text)


def load_file(path: Path, max_bytes: int) -> list[RawDocument]:
    """Load one file strictly.

    Args:
        path: the file to load.
        max_bytes: files larger than this are refused without being read.

    Returns:
        The documents in the file (one, or one per JSON line).

    Raises:
        LoadError: for the first problem found, including a single bad JSON line. Use
            `load_documents` to keep the good lines of a JSON Lines file.
    """
    result = load_documents(path, max_bytes)
    if result.failures:
        raise LoadError(result.failures[0])
    return result.documents


def load_documents(path: Path, max_bytes: int) -> LoadResult:
    """Load one file leniently: never raises for a bad file.

    Args:
        path: the file to load.
        max_bytes: files larger than this are refused without being read.

    Returns:
        The documents that loaded and a failure for the file or for each bad JSON line.
    """
    try:
        return _load(path, max_bytes)
    except LoadError as err:
        return LoadResult(failures=[err.failure])


def _fail(path: Path | str, reason: str) -> LoadError:
    return LoadError(LoadFailure(path=str(path), reason=reason))


def _load(path: Path, max_bytes: int) -> LoadResult:
    fmt = file_format(path)
    if fmt is None:
        ext = path.suffix.lower() or "(no file extension)"
        raise _fail(path, f"unsupported file type {ext}")
    text = read_text(path, max_bytes)
    resolved = os.path.realpath(path)  # never raises on a link loop
    if fmt == "jsonl":
        return _load_jsonl(path, text, resolved)
    if fmt == "html":
        body, meta = extract_html(text)
        if not body.strip():
            raise _fail(path, "no article text found in the HTML page")
        doc = RawDocument(normalise_text(body), path.name, resolved, meta, fmt)
    elif fmt == "md":
        body, meta = split_front_matter(text, str(path))
        if not body.strip():
            raise _fail(path, "no article text after the front matter")
        doc = RawDocument(body, path.name, resolved, meta, fmt)
    else:
        doc = RawDocument(text, path.name, resolved, SourceMeta(), fmt)
    return LoadResult(documents=[doc])


def read_text(path: Path, max_bytes: int) -> str:
    """Read a text file after checking its size; decode UTF-8 (BOM allowed) and normalise.

    Args:
        path: the file.
        max_bytes: the size limit, checked with `stat` before anything is read.

    Returns:
        The normalised text (see `normalise_text`).

    Raises:
        LoadError: missing, not a file, too large, empty, binary or not valid UTF-8.
    """
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise _fail(path, "no such file") from None
    except OSError as err:
        raise _fail(path, f"cannot read file ({err.strerror or err})") from None
    if not path.is_file():
        raise _fail(path, "not a regular file")
    if size > max_bytes:
        raise _fail(path, f"file too large ({size:,} bytes; the limit is {max_bytes:,})")
    if size == 0:
        raise _fail(path, "empty file")
    try:
        data = path.read_bytes()
    except OSError as err:
        raise _fail(path, f"cannot read file ({err.strerror or err})") from None
    text = decode_text(data, path)
    if not text.strip():
        raise _fail(path, "empty file (only whitespace)")
    return normalise_text(text)


def decode_text(data: bytes, path: Path | str) -> str:
    """Decode file bytes: UTF-8 (BOM allowed) or UTF-16 (BOM, or NULs where UTF-16 puts them).

    Raises:
        LoadError: binary data, or bytes that are not valid text in the detected encoding.
    """
    encoding, skip = _detect_encoding(data)
    guessed = encoding is not None and encoding.startswith("utf-16") and skip == 0
    if encoding is None:
        raise _fail(path, "binary file (contains NUL bytes), not text")
    try:
        text = data[skip:].decode(encoding)
    except UnicodeDecodeError as err:
        name = "UTF-8" if encoding == "utf-8" else "UTF-16"
        raise _fail(path, f"not valid {name} text (byte {err.start + skip})") from None
    if "\x00" in text or (guessed and not _looks_like_text(text)):
        raise _fail(path, "binary file (contains NUL bytes), not text")
    return text


def _looks_like_text(text: str) -> bool:
    """For UTF-16 guessed without a BOM: mostly printable ASCII and whitespace, with words."""
    if _CONTROL.search(text) or not any(ch.isspace() for ch in text):
        return False
    plain = sum(1 for ch in text if ch in "\t\n\r" or " " <= ch <= "~")
    return plain >= 0.95 * len(text)


def _detect_encoding(data: bytes) -> tuple[str | None, int]:
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8", 3
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) and not data.startswith(b"\xff\xfe\x00\x00"):
        return ("utf-16-le" if data[0] == 0xFF else "utf-16-be"), 2
    if b"\x00" not in data:
        return "utf-8", 0
    # No BOM but NUL bytes: UTF-16 text of mostly Latin script has a NUL in every other byte.
    if len(data) % 2 == 0:
        even, odd = data[0::2].count(0), data[1::2].count(0)
        half = len(data) // 2
        if odd >= half * 0.3 and even == 0:
            return "utf-16-le", 0
        if even >= half * 0.3 and odd == 0:
            return "utf-16-be", 0
    return None, 0


def _load_jsonl(path: Path, text: str, resolved: str) -> LoadResult:
    result = LoadResult()
    unknown: set[str] = set()
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        where = f"{path}#L{number}"
        try:
            result.documents.append(
                _jsonl_document(line, path.name, f"{resolved}#L{number}", unknown)
            )
        except ValueError as err:
            result.failures.append(LoadFailure(path=where, reason=f"line {number}: {err}"))
    if not result.documents and not result.failures:
        raise _fail(path, "empty file (only whitespace)")
    bad_dates = [d.doc_meta.published for d in result.documents
                 if d.doc_meta.published and not normalise_date(d.doc_meta.published)]
    if bad_dates:
        log.warning("%s: dates that cannot be read were dropped: %s", path,
                    ", ".join(repr(d) for d in bad_dates[:5]))
    if unknown:
        log.warning("%s: ignored unknown JSON fields: %s (known: %s)", path,
                    ", ".join(sorted(unknown)[:10]), ", ".join(sorted(_JSON_KNOWN)))
    for failure in result.failures:
        log.debug("bad JSON line %s: %s", failure.path, failure.reason)
    return result


def _jsonl_document(
    line: str, source_file: str, source_key: str, unknown: set[str]
) -> RawDocument:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as err:
        raise ValueError(f"malformed JSON ({err.msg} at column {err.colno})") from None
    if not isinstance(record, dict):
        raise ValueError('a JSON line must be an object with a "text" field')
    unknown.update(str(key) for key in record if key not in _JSON_KNOWN)
    body = record.get("text")
    if not isinstance(body, str):
        raise ValueError('JSON line has no "text" field (a string)')
    if not body.strip():
        raise ValueError('JSON line has an empty "text" field')
    values: dict[str, str | None] = {}
    for name in _META_FIELDS:
        value = record.get(name)
        if value is None:
            value = next((record.get(a) for a, f in FIELD_ALIASES.items() if f == name), None)
        if isinstance(value, str) and value.strip():
            values[name] = normalise_text(value.strip())
        else:
            values[name] = None
    return RawDocument(normalise_text(body), source_file, source_key, SourceMeta(**values), "jsonl")

