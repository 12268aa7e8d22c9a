"""Per-build local files: the lexical index and the chunk table, under `data_dir/builds/<id>/`.

A reader needs, besides the docstore and Chroma, two things about the chunks of a build:
which chunk each BM25 row is (to slice its text from the article) and the BM25 index itself.
Both are written once by the build and memory-mapped by readers, so opening an index reads a
few small files whatever the corpus size:

- `chunks.npy`: int32 rows `(article row, chunk index, start, end)`, ordered by article id
  then chunk index; row `i` is BM25 document `i`.
- `article_ids.npy`: the article ids (bytes, sorted) that `article row` indexes.
- `lexical/`: the `LexicalIndex` (bm25s files, the sorted term files, and each row's term
  counts, which the next build reuses for unchanged chunks instead of tokenising them).
- `manifest.json`: build id, format and counts, written last.

The build writes them into a temporary folder and renames it into place before the active
pointer flips, so an active build never lacks its files because of a crash. The files are
local: in shared mode every host keeps its own. A reader that finds them missing or damaged
(an older build, another host's build, disk trouble) rebuilds them from the docstore, saves
them when the data dir is writable (with one warning) and serves.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import threading
import time
import uuid
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.atomic import remove_trees
from index.docstore import BuildInfo, DocStore
from index.errors import BuildFilesError
from index.lexical import CountsBuilder, LexicalIndex
from index.search import document_tokens

log = logging.getLogger(__name__)

FORMAT = 1
BUILDS_DIR = "builds"
MANIFEST_FILE = "manifest.json"
CHUNKS_FILE = "chunks.npy"
ARTICLES_FILE = "article_ids.npy"
LEXICAL_DIR = "lexical"
TMP_PREFIX = ".tmp-"
_OLD_PREFIX = ".old-"

# chunk table columns
ARTICLE_ROW, CHUNK_INDEX, START, END = range(4)

_warned: set[tuple[str, str]] = set()
_warned_lock = threading.Lock()


@dataclass(frozen=True)
class BuildFiles:
    """The chunk table and lexical index of one build (memory-mapped when loaded).

    Attributes:
        build_id: the build they belong to.
        article_ids: sorted article ids as bytes (`chunk table` column 0 indexes it).
        table: int32 array of shape (chunks, 4): article row, chunk index, start, end.
        lexical: BM25 over the chunks, row `i` == table row `i`.
        seconds: time spent tokenising, indexing (and saving, once saved) when built here.
        carried_rows: rows whose term counts came from a previous build (not tokenised).
    """

    build_id: str
    article_ids: np.ndarray
    table: np.ndarray
    lexical: LexicalIndex
    seconds: dict[str, float] | None = None
    carried_rows: int = 0

    @property
    def n_chunks(self) -> int:
        return int(self.table.shape[0])

    def article_id(self, row: int) -> str:
        """The article id of chunk row `row`."""
        return bytes(self.article_ids[int(self.table[row, ARTICLE_ROW])]).decode("utf-8")

    def has_article(self, article_id: str) -> bool:
        """True when the build holds this article (binary search, nothing loaded)."""
        key = article_id.encode("utf-8")
        i = int(np.searchsorted(self.article_ids, key))
        return i < len(self.article_ids) and bytes(self.article_ids[i]) == key


def builds_root(data_dir: Path) -> Path:
    """The folder holding one folder per build."""
    return data_dir / BUILDS_DIR


def build_dir(data_dir: Path, build_id: str) -> Path:
    """The folder of one build's local files."""
    return builds_root(data_dir) / build_id


def make_build_files(
    build_id: str,
    rows: Iterable[tuple[str, int, int, int]],
    texts: Iterable[tuple[str, str]],
    previous: BuildFiles | None = None,
    carried: Collection[str] = (),
) -> BuildFiles:
    """Build the chunk table and lexical index from chunk rows and article texts.

    Args:
        build_id: the build.
        rows: (article id, chunk index, start, end) of every chunk, in any order.
        texts: (article id, text) of every article of the build, in any order, each once
            (streamed: only one text is held at a time). Chunks of articles never given are
            left out; articles given are all listed (`article_ids`), chunks or not.
        previous: the previous build's files, whose saved term counts are reused for the
            chunks of `carried` articles (same article id and offsets) instead of
            tokenising them again.
        carried: ids of articles unchanged since `previous` (equal content hash).

    Returns:
        The files in memory (`save_build_files` writes them); `seconds` has the time spent
        tokenising (and carrying) and indexing.
    """
    started = time.perf_counter()
    ordered = sorted(rows)
    first: dict[str, int] = {}
    for i, (aid, *_rest) in enumerate(ordered):
        first.setdefault(aid, i)
    builder = CountsBuilder()
    handles: list[int | None] = [None] * len(ordered)
    seen: set[str] = set()
    reused = 0
    for aid, text in texts:
        seen.add(aid)
        i = first.get(aid)
        old = _previous_rows(previous, aid) if i is not None and aid in carried else {}
        while i is not None and i < len(ordered) and ordered[i][0] == aid:
            _aid, idx, start, end = ordered[i]
            prow = old.get((idx, start, end))
            handle = None
            if prow is not None and previous is not None:
                handle = builder.add_carried(previous.lexical, prow)
            if handle is None:
                handle = builder.add_tokens(document_tokens(text[start:end]))
            else:
                reused += 1
            handles[i] = handle
            i += 1
    keep = [i for i, h in enumerate(handles) if h is not None]
    if len(keep) < len(ordered):
        log.warning("build %s: %d chunks have no article text and are left out", build_id,
                    len(ordered) - len(keep))
    tokenised = time.perf_counter()
    ids = sorted(seen)  # every article given, with chunks or not
    row_of = {aid: n for n, aid in enumerate(ids)}
    table = np.asarray(
        [(row_of[ordered[i][0]], *ordered[i][1:]) for i in keep], dtype=np.int32
    ).reshape(len(keep), 4)
    article_ids = np.asarray([a.encode("utf-8") for a in ids], dtype=bytes)
    if not ids:
        article_ids = np.zeros(0, dtype="S1")
    lexical = builder.index([handles[i] for i in keep])  # type: ignore[misc]
    indexed = time.perf_counter()
    if reused:
        log.info("build %s: term counts of %d of %d chunks carried from build %s", build_id,
                 reused, len(keep), previous.build_id if previous else "?")
    seconds = {"tokenise": tokenised - started, "index": indexed - tokenised}
    return BuildFiles(build_id, article_ids, table, lexical, seconds, carried_rows=reused)


def _previous_rows(previous: BuildFiles | None, article_id: str) -> dict[tuple[int, int, int], int]:
    """(chunk index, start, end) -> row of an article's chunks in a previous build."""
    if previous is None or not previous.has_article(article_id):
        return {}
    arow = int(np.searchsorted(previous.article_ids, article_id.encode("utf-8")))
    column = previous.table[:, ARTICLE_ROW]
    begin = int(np.searchsorted(column, arow, side="left"))
    end = int(np.searchsorted(column, arow, side="right"))
    return {(int(r[CHUNK_INDEX]), int(r[START]), int(r[END])): begin + n
            for n, r in enumerate(previous.table[begin:end])}


def save_build_files(data_dir: Path, files: BuildFiles) -> Path:
    """Write a build's files atomically (temporary folder, fsync, rename) and return the folder.

    A folder already there (damaged files being replaced) is moved aside and removed.

    Raises:
        OSError: the data dir cannot be written (full, read-only).
    """
    started = time.perf_counter()
    root = builds_root(data_dir)
    root.mkdir(parents=True, exist_ok=True)
    tmp = root / f"{TMP_PREFIX}{files.build_id}-{uuid.uuid4().hex[:8]}"
    try:
        tmp.mkdir()
        np.save(tmp / CHUNKS_FILE, files.table)
        np.save(tmp / ARTICLES_FILE, files.article_ids)
        files.lexical.save(tmp / LEXICAL_DIR)
        manifest = {"format": FORMAT, "build": files.build_id, "chunks": files.n_chunks,
                    "articles": len(files.article_ids)}
        (tmp / MANIFEST_FILE).write_text(json.dumps(manifest), encoding="utf-8")
        _fsync_tree(tmp)
        final = build_dir(data_dir, files.build_id)
        if final.exists():
            aside = root / f"{_OLD_PREFIX}{files.build_id}-{uuid.uuid4().hex[:8]}"
            final.rename(aside)
            shutil.rmtree(aside, ignore_errors=True)
        tmp.rename(final)
        _fsync_dir(root)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if files.seconds is not None:
        files.seconds["save"] = time.perf_counter() - started
    return final


def load_build_files(data_dir: Path, build_id: str) -> BuildFiles:
    """Open a build's saved files, memory-mapped.

    Raises:
        BuildFilesError: the folder is missing, or its files are damaged or do not match.
    """
    folder = build_dir(data_dir, build_id)
    if not (folder / MANIFEST_FILE).is_file():
        raise BuildFilesError(f"the local files of build {build_id} are missing ({folder})")
    try:
        manifest = json.loads((folder / MANIFEST_FILE).read_text(encoding="utf-8"))
        if manifest.get("format") != FORMAT or manifest.get("build") != build_id:
            raise ValueError("manifest of another build or format")
        n_chunks, n_articles = int(manifest["chunks"]), int(manifest["articles"])
        mode = "r" if n_chunks else None  # an empty array cannot be memory-mapped
        table = np.load(folder / CHUNKS_FILE, mmap_mode=mode)
        article_ids = np.load(folder / ARTICLES_FILE, mmap_mode="r" if n_articles else None)
        lexical = LexicalIndex.load(folder / LEXICAL_DIR)
        if table.shape != (n_chunks, 4) or table.dtype != np.int32:
            raise ValueError("chunk table of the wrong shape")
        if len(article_ids) != n_articles or article_ids.dtype.kind != "S":
            raise ValueError("article ids do not match the manifest")
        if lexical.n_docs != n_chunks:
            raise ValueError("lexical index and chunk table disagree")
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise BuildFilesError(
            f"the local files of build {build_id} are damaged ({type(exc).__name__}: "
            f"{str(exc)[:80]})"
        ) from exc
    return BuildFiles(build_id, article_ids, table, lexical)


def build_files_from_docstore(store: DocStore, build_id: str) -> BuildFiles:
    """Rebuild a build's files from its docstore rows (texts streamed, not all held)."""
    return make_build_files(
        build_id, store.chunk_rows(build_id),
        ((a.id, a.text) for a in store.iter_articles(build_id)),
    )


def ensure_build_files(data_dir: Path, store: DocStore, build: BuildInfo) -> BuildFiles:
    """The build's files: loaded, or rebuilt from the docstore when missing or damaged.

    A rebuilt set is saved when the data dir can be written (and memory-mapped from there);
    otherwise it is served from memory. The first rebuild of a build in a process is
    logged as a warning, later ones at INFO.
    """
    try:
        return load_build_files(data_dir, build.id)
    except BuildFilesError as exc:
        problem = str(exc)
    _warn_once(data_dir, build.id, f"{problem}; rebuilding them from the docstore")
    started = time.perf_counter()
    files = build_files_from_docstore(store, build.id)
    if _writable(data_dir):
        try:
            save_build_files(data_dir, files)
            files = load_build_files(data_dir, build.id)  # memory-mapped from now on
        except (OSError, BuildFilesError) as exc:
            log.warning("could not save the local files of build %s (%s); serving them "
                        "from memory", build.id, exc)
    log.info("rebuilt the local files of build %s (%d chunks) in %.1f s", build.id,
             files.n_chunks, time.perf_counter() - started)
    return files


def _warn_once(data_dir: Path, build_id: str, message: str) -> None:
    key = (str(data_dir), build_id)
    with _warned_lock:
        first = key not in _warned
        _warned.add(key)
    log.log(logging.WARNING if first else logging.INFO, "%s", message)


def _writable(data_dir: Path) -> bool:
    root = builds_root(data_dir)
    target = root if root.exists() else data_dir
    return target.is_dir() and os.access(target, os.W_OK | os.X_OK)


def remove_build_dir(data_dir: Path, build_id: str) -> None:
    """Remove a build's local files (and any temporary folder of it); best effort."""
    root = builds_root(data_dir)
    if not root.is_dir():
        return
    for entry in _entries_of(root, {build_id}):
        shutil.rmtree(entry, ignore_errors=True)


def stale_build_dirs(data_dir: Path, known: Iterable[str]) -> list[Path]:
    """Folders under `builds/` of builds not in `known` (the registry), temporary ones too."""
    root = builds_root(data_dir)
    if not root.is_dir():
        return []
    keep = set(known)
    return sorted(e for e in root.iterdir() if e.is_dir() and _owner(e.name) not in keep)


def prune_build_dirs(data_dir: Path, known: Iterable[str]) -> list[Path]:
    """Remove `stale_build_dirs` when the data dir is writable; returns those removed."""
    if not _writable(data_dir):
        return []
    return remove_trees(stale_build_dirs(data_dir, known), "local files of retired build")


def _entries_of(root: Path, build_ids: set[str]) -> list[Path]:
    return [e for e in root.iterdir() if e.is_dir() and _owner(e.name) in build_ids]


def _owner(name: str) -> str:
    """The build id a folder belongs to (`<id>`, `.tmp-<id>-<hex>` or `.old-<id>-<hex>`)."""
    for prefix in (TMP_PREFIX, _OLD_PREFIX):
        if name.startswith(prefix):
            return name[len(prefix):].rsplit("-", 1)[0]
    return name


def _fsync_tree(folder: Path) -> None:
    for path in sorted(folder.rglob("*"), reverse=True):
        if path.is_file():
            with path.open("rb") as handle:
                os.fsync(handle.fileno())
        else:
            _fsync_dir(path)
    _fsync_dir(folder)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


__all__ = [
    "BuildFiles", "build_dir", "build_files_from_docstore", "builds_root", "ensure_build_files",
    "load_build_files", "make_build_files", "prune_build_dirs", "remove_build_dir",
    "save_build_files", "stale_build_dirs",
]

