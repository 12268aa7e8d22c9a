"""Builds of the index: incremental by content hash, switched atomically when complete.

A build writes a new Chroma collection and new docstore rows under a new build id, carrying
the vectors of unchanged articles over from the active build (no re-embedding) and embedding
only added or changed ones. Only when everything is written does `DocStore.activate` flip the
active pointer, in one SQLite transaction. A crash at any point before that leaves the previous
build serving and intact; the half-written build is dropped by the next build (or at once when
the build fails with an exception). The previous build is kept one generation, so readers still
open on it finish their queries. Retired builds lose their collection and, in the embedded
store, the segment folder Chroma leaves behind. A full disk is reported as `DiskFullError`.

After each switch `last_build.json` records the build's roots beside the docstore, so a
docstore that had to be moved aside can be rebuilt with a plain `factbot index build`.
"""

from __future__ import annotations

import errno
import fcntl
import json
import logging
import os
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from bot.settings import Settings
from index.buildfiles import (
    load_build_files,
    make_build_files,
    prune_build_dirs,
    remove_build_dir,
    save_build_files,
)
from index.chunking import Chunker
from index.docstore import BuildInfo, DocStore
from index.embeddings import get_embeddings, model_id
from index.errors import (
    BuildFilesError,
    BuildInProgressError,
    DiskFullError,
    DocStoreDamagedError,
    ReadOnlyDataDirError,
    StoreError,
    is_disk_full,
)
from index.ingest import collect_articles
from index.store import (
    COLLECTION_PREFIX,
    add_vectors,
    check_active_collection,
    chroma_client,
    docstore,
    fetch_vectors,
    open_collection,
    remove_orphan_segment_dirs,
)
from index.types import Article, Chunk, LoadFailure

log = logging.getLogger(__name__)

EMBED_BATCH = 64
LAST_BUILD_FILE = "last_build.json"


@dataclass(frozen=True)
class BuildProgress:
    """Where a running build is: `stage` in load, copy, embed, lexical, switch, done."""

    stage: str
    done: int
    total: int


@dataclass
class BuildSummary:
    """What a build did, by article source key."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    failed: list[LoadFailure] = field(default_factory=list)
    chunks: int = 0
    embedded_chunks: int = 0
    seconds: float = 0.0
    lexical_seconds: float = 0.0  # tokenising, indexing and saving BM25 and the chunk table
    build_id: str = ""

    @property
    def ok(self) -> bool:
        return not self.failed

    def line(self) -> str:
        """One line: `added 3 · updated 0 · unchanged 2 · removed 0 · failed 1`."""
        return (
            f"added {len(self.added)} · updated {len(self.updated)} · "
            f"unchanged {len(self.unchanged)} · removed {len(self.removed)} · "
            f"failed {len(self.failed)}"
        )

    def as_dict(self) -> dict:
        return asdict(self)


def uploads_dir(settings: Settings) -> Path:
    """Folder for files ingested from Discord; always part of a build when it exists."""
    return settings.data_dir / "uploads"


def build_signature(settings: Settings) -> str:
    """Model and chunking parameters: vectors carry over only between equal signatures."""
    return f"{model_id(settings)}|{settings.chunk_tokens}|{settings.chunk_overlap}"


def new_build(settings: Settings, roots: list[str]) -> BuildInfo:
    """The record of a build about to start: a fresh time-ordered id, its own collection."""
    now = datetime.now(UTC)
    build_id = now.strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
    return BuildInfo(
        id=build_id,
        collection=f"{COLLECTION_PREFIX}{build_id}",
        created_at=now.isoformat(timespec="seconds"),
        model=model_id(settings),
        signature=build_signature(settings),
        roots=roots,
        status="building",
    )


@contextmanager
def build_lock(settings: Settings) -> Iterator[None]:
    """An exclusive, non-blocking lock on the data dir (across processes).

    In shared mode (`settings.shared_store`) the lock is PostgreSQL's advisory lock
    (`index.pgstore.advisory_lock`), held across every host sharing the database.

    Raises:
        BuildInProgressError: another build is running.
    """
    if settings.shared_store:
        from index.pgstore import advisory_lock  # only shared mode needs the driver

        with advisory_lock(settings):
            yield
        return
    try:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        handle = open(settings.data_dir / "build.lock", "a+")  # noqa: SIM115 - closed below
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise DiskFullError(settings.data_dir) from exc
        raise ReadOnlyDataDirError(settings.data_dir) from exc
    with handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise BuildInProgressError("a reindex is already running") from exc
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def build_index(
    paths: Sequence[Path] | None,
    settings: Settings,
    progress: Callable[[BuildProgress], None] | None = None,
) -> BuildSummary:
    """Build the index from files and folders, incrementally, and switch to it when complete.

    Args:
        paths: files and folders to index; None rebuilds from the active build's roots.
            The uploads folder (`uploads_dir`) is always included when it exists.
        settings: data dir, model, chunking and Chroma location.
        progress: called with a `BuildProgress` as the build advances (from this thread).

    Returns:
        The summary: added / updated / unchanged / removed / failed.

    Raises:
        BuildInProgressError: another build is running on this data dir.
        StoreUnavailableError: Chroma cannot be reached.
        DiskFullError: the device holding the data dir filled up (the old index is kept).
        DocStoreDamagedError: the docstore is damaged (`factbot index doctor --repair`).
        ReadOnlyDataDirError: the data dir cannot be written.
        ValueError: no paths given and no previous build to take them from.
    """
    report = progress or (lambda _p: None)
    with build_lock(settings):
        store = docstore(settings)
        if not store.writable():
            raise ReadOnlyDataDirError(settings.data_dir)
        problems = store.check()
        if problems:
            raise DocStoreDamagedError(store.path, problems[0])
        return _Build(settings, store, report).run(paths)


class _Build:
    def __init__(
        self, settings: Settings, store: DocStore, report: Callable[[BuildProgress], None]
    ) -> None:
        self.settings = settings
        self.store = store
        self.report = report
        self.client = chroma_client(settings)
        self.started = time.perf_counter()
        self.reembedded = 0  # unchanged chunks whose stored vectors were lost
        self.lexical_seconds = 0.0

    def run(self, paths: Sequence[Path] | None) -> BuildSummary:
        self._drop_unfinished()
        self._drop_orphans()
        prune_build_dirs(self.settings.data_dir, {b.id for b in self.store.builds()})
        self.building: BuildInfo | None = None
        try:
            return self._run(paths)
        except BaseException as exc:
            self._abandon()
            if isinstance(exc, Exception) and not isinstance(exc, DiskFullError) and (
                is_disk_full(exc, self.settings.data_dir)
            ):
                raise DiskFullError(self.settings.data_dir) from exc
            raise

    def _abandon(self) -> None:
        """Drop a build that failed half-way at once (the next build would do it anyway)."""
        if self.building is None:
            return
        try:
            self._drop(self.building)
            remove_orphan_segment_dirs(self.settings)
        except Exception:  # e.g. still no space: the next build drops it
            log.warning("could not drop the unfinished build %s now; the next build will",
                        self.building.id)

    def _run(self, paths: Sequence[Path] | None) -> BuildSummary:
        previous = self.store.active_build()
        roots = self._roots(paths, previous)
        self.report(BuildProgress("load", 0, len(roots)))
        ingested = collect_articles(roots, self.settings.max_file_bytes)
        for failure in ingested.failures:
            log.warning("skipped %s: %s", failure.path, failure.reason)

        build = new_build(self.settings, [str(r) for r in roots])
        self.store.start_build(build)
        self.building = build
        collection = open_collection(self.client, build.collection, create=True)

        summary = BuildSummary(failed=list(ingested.failures), build_id=build.id)
        new = {a.id: a for a in ingested.articles}
        # ids, source keys and hashes only: the previous texts are never loaded
        old = self.store.article_keys(previous.id) if previous else {}
        reusable = previous is not None and previous.signature == build.signature
        keep = {
            aid for aid, a in new.items()
            if reusable and aid in old and old[aid][1] == a.content_hash
        }
        summary.unchanged = sorted(new[a].source_key for a in keep)
        summary.added = sorted(a.source_key for aid, a in new.items() if aid not in old)
        summary.updated = sorted(
            a.source_key for aid, a in new.items() if aid in old and aid not in keep
        )
        summary.removed = sorted(key for aid, (key, _h) in old.items() if aid not in new)

        self.store.add_articles(build.id, new.values())
        carried = self._carry(previous, keep, new, collection) if keep else []
        fresh = self._embed([new[aid] for aid in new if aid not in keep], collection)
        chunks = carried + fresh
        self.store.add_chunks(build.id, chunks)
        summary.chunks = len(chunks)
        summary.embedded_chunks = len(fresh) + self.reembedded
        self._write_files(build, chunks, new, previous, keep)
        summary.lexical_seconds = self.lexical_seconds
        del chunks, carried, fresh

        self.report(BuildProgress("switch", 0, 1))
        summary.seconds = round(time.perf_counter() - self.started, 3)
        replaced = self.store.activate(build.id, _summary_record(summary))
        self.building = None
        log.info("build %s active: %s (%d chunks)", build.id, summary.line(), summary.chunks)
        _write_last_build(self.settings.data_dir, build)
        self._retire(keep_ids={build.id, replaced})
        remove_orphan_segment_dirs(self.settings)
        prune_build_dirs(self.settings.data_dir, {b.id for b in self.store.builds()})
        self.report(BuildProgress("done", 1, 1))
        return summary

    def _roots(self, paths: Sequence[Path] | None, previous: BuildInfo | None) -> list[Path]:
        if paths:
            roots = [Path(p).resolve() for p in paths]
        elif previous is not None or last_build_roots(self.settings.data_dir):
            uploads = str(uploads_dir(self.settings).resolve())
            known = previous.roots if previous else last_build_roots(self.settings.data_dir)
            roots = [Path(r) for r in known if r != uploads]
        else:
            roots = []
        uploads = uploads_dir(self.settings)
        if uploads.is_dir():
            roots.append(uploads.resolve())
        if not roots:
            raise ValueError("nothing to index: give files or folders to build from")
        return list(dict.fromkeys(roots))

    def _carry(
        self,
        previous: BuildInfo | None,
        keep: set[str],
        new: dict[str, Article],
        collection,  # noqa: ANN001 - chromadb Collection
    ) -> list[Chunk]:
        """Copy unchanged articles' chunks and vectors from the previous build.

        Offsets come from the previous build's chunk rows; texts are sliced from the new
        articles, which are the same texts (equal content hashes).
        """
        if previous is None:
            return []
        chunks = [
            Chunk(aid, idx, start, end, new[aid].text[start:end])
            for aid, idx, start, end in sorted(self.store.chunk_rows(previous.id))
            if aid in keep
        ]
        self.report(BuildProgress("copy", 0, len(chunks)))
        try:
            vectors = fetch_vectors(open_collection(self.client, previous.collection),
                                    [c.id for c in chunks])
        except Exception:  # e.g. the data dir now points at another Chroma server
            log.warning("previous collection %s is gone; embedding again", previous.collection)
            vectors = {}
        missing = [c for c in chunks if c.id not in vectors]
        if missing:  # the old collection lost some vectors: embed those again
            vectors.update(zip([c.id for c in missing], self._vectors(missing), strict=True))
            self.reembedded += len(missing)
        add_vectors(collection, chunks, [vectors[c.id] for c in chunks])
        self.report(BuildProgress("copy", len(chunks), len(chunks)))
        return chunks

    def _embed(
        self,
        articles: list[Article],
        collection,  # noqa: ANN001 - chromadb Collection
    ) -> list[Chunk]:
        """Chunk and embed new or changed articles, writing vectors batch by batch."""
        chunker = Chunker(
            self.settings.chunk_tokens, self.settings.chunk_overlap,
            self.settings.tiktoken_cache_dir,
        )
        chunks = chunker.split_all(articles)
        # Batches of similar length pad little (the encoder pads each batch to its longest).
        by_length = sorted(chunks, key=lambda c: len(c.text))
        self.report(BuildProgress("embed", 0, len(chunks)))
        for begin in range(0, len(by_length), EMBED_BATCH):
            part = by_length[begin : begin + EMBED_BATCH]
            add_vectors(collection, part, self._vectors(part))
            self.report(BuildProgress("embed", begin + len(part), len(chunks)))
        return chunks

    def _write_files(
        self,
        build: BuildInfo,
        chunks: list[Chunk],
        new: dict[str, Article],
        previous: BuildInfo | None,
        keep: set[str],
    ) -> None:
        """Write the build's chunk table and lexical index (before the switch, atomically).

        Unchanged articles' chunks take their term counts from the previous build's files
        when those are readable, so only added and changed articles are tokenised.
        """
        self.report(BuildProgress("lexical", 0, len(chunks)))
        before = None
        if previous is not None and keep:
            try:
                before = load_build_files(self.settings.data_dir, previous.id)
            except BuildFilesError as exc:
                log.info("not reusing the previous build's term counts: %s", exc)
        files = make_build_files(
            build.id, [(c.article_id, c.index, c.start, c.end) for c in chunks],
            ((aid, article.text) for aid, article in new.items()),
            previous=before, carried=keep,
        )
        save_build_files(self.settings.data_dir, files)
        seconds = files.seconds or {}
        self.lexical_seconds = round(sum(seconds.values()), 3)
        log.info("lexical index over %d chunks (%d carried): tokenise %.2f s, index %.2f s, "
                 "save %.2f s", files.n_chunks, files.carried_rows, seconds.get("tokenise", 0.0),
                 seconds.get("index", 0.0), seconds.get("save", 0.0))
        self.report(BuildProgress("lexical", len(chunks), len(chunks)))

    def _vectors(self, chunks: Sequence[Chunk]) -> list[list[float]]:
        return get_embeddings(self.settings).embed_documents([c.text for c in chunks])

    def _drop_unfinished(self) -> None:
        """Remove builds a crash left half-written (their rows and their collection)."""
        for build in self.store.builds(status="building"):
            log.warning("dropping unfinished build %s", build.id)
            self._drop(build)

    def _drop_orphans(self) -> None:
        """Remove factbot collections no build knows (e.g. left by a docstore moved aside).

        Only in the embedded store: a Chroma server may be shared by several data dirs.
        """
        if self.settings.chroma_is_remote:
            return
        known = {b.collection for b in self.store.builds()}
        for name in orphan_collections(self.client, known):
            log.warning("dropping collection %s: no build of this data dir uses it", name)
            try:
                self.client.delete_collection(name)
            except Exception:
                log.debug("collection %s could not be deleted", name)
        remove_orphan_segment_dirs(self.settings)

    def _retire(self, keep_ids: set[str | None]) -> None:
        for build in self.store.builds():
            if build.id not in keep_ids:
                self._drop(build)

    def _drop(self, build: BuildInfo) -> None:
        try:
            self.client.delete_collection(build.collection)
        except Exception:  # already gone, or never created
            log.debug("collection %s was not there", build.collection)
        self.store.drop_build(build.id)
        remove_build_dir(self.settings.data_dir, build.id)


def orphan_collections(client, known: set[str]) -> list[str]:  # noqa: ANN001 - ClientAPI
    """Names of factbot collections in Chroma that are not in `known`."""
    names = [getattr(c, "name", c) for c in client.list_collections()]
    return sorted(n for n in names if n.startswith(COLLECTION_PREFIX) and n not in known)


def _write_last_build(data_dir: Path, build: BuildInfo) -> None:
    """Record the active build's roots beside the docstore (atomically; best effort)."""
    record = {"build": build.id, "created_at": build.created_at, "roots": build.roots}
    try:
        fd, tmp = tempfile.mkstemp(dir=data_dir, prefix=".last_build.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(record, handle, ensure_ascii=False, indent=1)
        os.replace(tmp, data_dir / LAST_BUILD_FILE)
    except OSError as exc:
        log.warning("could not write %s: %s", LAST_BUILD_FILE, exc.strerror)


def last_build_roots(data_dir: Path) -> list[str]:
    """The roots of the last build that was switched to, from `last_build.json` (or [])."""
    try:
        record = json.loads((data_dir / LAST_BUILD_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    roots = record.get("roots") if isinstance(record, dict) else None
    return [r for r in roots if isinstance(r, str)] if isinstance(roots, list) else []


def _summary_record(summary: BuildSummary) -> dict:
    record = summary.as_dict()
    record["failed"] = [asdict(f) for f in summary.failed]
    return record


def index_status_counts(settings: Settings, check_store: bool = False) -> dict:
    """Counts and build details of the active build, for `status`; creates nothing.

    Args:
        settings: the data dir and Chroma location.
        check_store: also check that Chroma answers and holds the active collection; the
            result then has `healthy` and `problems`.

    Raises:
        DocStoreDamagedError: the docstore cannot be read.
    """
    empty = {"articles": 0, "chunks": 0, "outlets": 0, "last_build": None, "model": None,
             "collection": None, "build": None, "roots": []}
    store = docstore(settings)
    build = store.active_build()
    counts = dict(empty)
    if build is not None:
        articles, chunks, outlets = store.counts(build.id)
        counts.update(articles=articles, chunks=chunks, outlets=outlets,
                      last_build=build.created_at, model=build.model,
                      collection=build.collection, build=build.id, roots=build.roots)
    if check_store:
        problems = [] if build is None else check_active_collection(settings)
        counts["problems"] = problems
        counts["healthy"] = build is not None and not problems
    return counts


# BuildInProgressError is defined in index.errors (so index.pgstore can raise it).
__all__ = [
    "BuildInProgressError", "BuildProgress", "BuildSummary", "StoreError", "build_index",
    "build_lock", "build_signature", "new_build", "index_status_counts", "last_build_roots",
    "orphan_collections", "uploads_dir",
]
