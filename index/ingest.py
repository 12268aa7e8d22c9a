"""From paths on disk to cleaned `Article`s: load -> metadata -> clean, never raising per file.

Which files are read:

- a path to a file is taken as given (an unsupported extension is a failure);
- a folder is walked recursively in sorted order; hidden files and folders (name starting
  with `.`) and every `sources.csv` are skipped; symbolic links are followed, but each folder
  and each file is visited once (by device and inode), a link back into a folder being walked
  (a loop) is one failure line, and a link that cannot be followed (dangling, or a cycle of
  links) is one failure line; a `README.md` is skipped when its folder has a
  `sources.csv` that does not list it (the folder is a corpus and the README describes it);
  any other file with an unsupported extension is reported as a failure.

Each article's metadata comes from the folder's `sources.csv` row, then the document, then
text heuristics (see `index.metadata`). For JSON Lines files, whose lines are separate
articles, the fields of each line win over a file-level csv row.
"""

from __future__ import annotations

import errno
import logging
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from index.clean import clean_text
from index.loaders import RawDocument, file_format, load_documents
from index.metadata import (
    SOURCES_CSV,
    SourcesTable,
    article_meta,
    heuristic_meta,
    read_sources_csv,
)
from index.types import Article, LoadFailure

log = logging.getLogger(__name__)

EMPTY_AFTER_CLEANING = "no article text left after cleaning"


@dataclass(slots=True)
class IngestResult:
    """The articles that were built and every file (or JSON line) that could not be used."""

    articles: list[Article] = field(default_factory=list)
    failures: list[LoadFailure] = field(default_factory=list)


def collect_articles(paths: Sequence[Path], max_bytes: int) -> IngestResult:
    """Load, describe and clean every article under the given paths.

    Args:
        paths: files and folders (folders are walked recursively; see the module docstring).
        max_bytes: files larger than this are refused without being read.

    Returns:
        The articles in a stable order (paths in the order given, folders sorted) and the
        failures, each with a one-line reason. Never raises for a bad file.
    """
    result = IngestResult()
    walker = _Walker()
    seen_keys: set[str] = set()
    for path in paths:
        for file, failure in walker.expand(Path(path)):
            if failure is not None:
                result.failures.append(failure)
                continue
            try:
                _ingest_file(
                    file, max_bytes, _table(file.parent, walker.tables, result), result,
                    seen_keys,
                )
            except Exception as err:  # a bad file must never stop the ingest
                log.debug("unexpected error while ingesting %s", file, exc_info=True)
                reason = f"unexpected error: {type(err).__name__}: {err}".splitlines()[0]
                result.failures.append(LoadFailure(path=str(file), reason=reason))
    result.failures = list(dict.fromkeys(result.failures))  # a path given twice: report once
    return result


def article_from_document(doc: RawDocument, table: SourcesTable | None) -> Article | None:
    """Merge metadata, clean the text and build the `Article` (None when no text is left).

    Args:
        doc: the loaded document.
        table: the `sources.csv` of the document's folder, if any.
    """
    cleaned = clean_text(doc.text, doc.format)
    if not cleaned.strip():
        return None
    csv_row = table.lookup(doc.source_file) if table else None
    meta = article_meta(
        csv_row,
        doc.doc_meta,
        heuristic_meta(doc.text, cleaned),
        document_first=doc.format == "jsonl",
    )
    return Article.make(cleaned, doc.source_file, doc.source_key, meta)


def _ingest_file(
    file: Path,
    max_bytes: int,
    table: SourcesTable,
    result: IngestResult,
    seen_keys: set[str],
) -> None:
    loaded = load_documents(file, max_bytes)
    result.failures.extend(loaded.failures)
    for doc in loaded.documents:
        if doc.source_key in seen_keys:
            continue
        seen_keys.add(doc.source_key)
        article = article_from_document(doc, table)
        if article is None:
            where = doc.source_key if "#L" in doc.source_key else str(file)
            result.failures.append(LoadFailure(path=where, reason=EMPTY_AFTER_CLEANING))
            continue
        result.articles.append(article)


def _table(folder: Path, tables: dict[Path, SourcesTable], result: IngestResult) -> SourcesTable:
    table = _folder_table(folder, tables)
    if table.failure is not None and table.failure not in result.failures:
        result.failures.append(table.failure)
    return table


def _folder_table(folder: Path, tables: dict[Path, SourcesTable]) -> SourcesTable:
    """The folder's `sources.csv`, read once per folder (so each warning is given once)."""
    key = Path(os.path.realpath(folder))
    if key not in tables:
        csv_path = folder / SOURCES_CSV
        tables[key] = read_sources_csv(csv_path) if csv_path.is_file() else SourcesTable()
    return tables[key]


class _Walker:
    """Expands paths into files, visiting each folder and file once by (device, inode)."""

    def __init__(self) -> None:
        self.tables: dict[Path, SourcesTable] = {}
        self.seen_dirs: set[tuple[int, int]] = set()
        self.seen_files: set[tuple[int, int]] = set()

    def expand(self, path: Path) -> Iterator[tuple[Path, LoadFailure | None]]:
        try:
            info = path.stat()
        except OSError as err:
            yield path, LoadFailure(path=str(path), reason=_stat_reason(path, err))
            return
        if path.is_dir():
            yield from self._walk(path, (info.st_dev, info.st_ino), ancestors=())
        elif self._first_visit(info):
            yield path, None

    def _first_visit(self, info: os.stat_result) -> bool:
        key = (info.st_dev, info.st_ino)
        if key in self.seen_files:
            return False
        self.seen_files.add(key)
        return True

    def _walk(
        self, root: Path, key: tuple[int, int], ancestors: tuple[tuple[int, int], ...]
    ) -> Iterator[tuple[Path, LoadFailure | None]]:
        if key in self.seen_dirs:
            return  # reached again through another link: already walked
        self.seen_dirs.add(key)
        try:
            entries = sorted(root.iterdir(), key=lambda p: p.name)
        except OSError as err:
            reason = f"cannot list folder ({err.strerror or err})"
            yield root, LoadFailure(path=str(root), reason=reason)
            return
        inside = (*ancestors, key)
        for entry in entries:
            if entry.name.startswith("."):
                continue
            try:
                info = entry.stat()
            except OSError as err:
                yield entry, LoadFailure(path=str(entry), reason=_stat_reason(entry, err))
                continue
            if entry.is_dir():
                child = (info.st_dev, info.st_ino)
                if child in inside:
                    target = os.path.realpath(entry)
                    yield entry, LoadFailure(
                        path=str(entry), reason=f"symbolic link loop (points back to {target})"
                    )
                    continue
                yield from self._walk(entry, child, inside)
                continue
            if entry.name.lower() == SOURCES_CSV or self._is_corpus_readme(entry):
                continue
            if file_format(entry) is None:
                ext = entry.suffix.lower() or "(no file extension)"
                yield entry, LoadFailure(path=str(entry), reason=f"unsupported file type {ext}")
                continue
            if self._first_visit(info):
                yield entry, None

    def _is_corpus_readme(self, path: Path) -> bool:
        if path.name.lower() != "readme.md" or not (path.parent / SOURCES_CSV).is_file():
            return False
        return _folder_table(path.parent, self.tables).lookup(path.name) is None


def _stat_reason(path: Path, err: OSError) -> str:
    if err.errno == errno.ELOOP:
        return "symbolic link loop (the link cannot be followed)"
    if err.errno == errno.ENOENT:
        return "broken symbolic link" if path.is_symlink() else "no such file or folder"
    return f"cannot read ({err.strerror or err})"
