"""`factbot index doctor`: check a data dir and repair what is safe to repair.

Checks, in order: the docstore (SQLite quick check and our tables), unfinished builds, the
active build's local files (chunk table and lexical index under `builds/<id>/`) and local
build folders no build uses, the embedded Chroma file, Chroma answering with the active
build's collection (one vector per chunk), collections no build uses, segment folders no
collection uses, and free disk space. The two local-file checks ("build files", "build
folders") add a finding only when they find something wrong.

Repairs (`repair=True`, under the build lock so no build runs meanwhile) never delete data that
a build still needs: a damaged docstore or Chroma file is moved aside (renamed with a
timestamp), never deleted, and the next `factbot index build` rebuilds from the roots recorded
in `last_build.json`; unfinished builds, unused collections (embedded store only: a server may
be shared by other data dirs) and unused segment folders are removed; missing or damaged
local build files are rebuilt from the docstore (readers would otherwise rebuild them at
open) and local folders of builds no longer registered are removed.
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

from bot.settings import Settings
from index.build import build_lock, last_build_roots, orphan_collections
from index.buildfiles import (
    build_files_from_docstore,
    load_build_files,
    prune_build_dirs,
    remove_build_dir,
    save_build_files,
    stale_build_dirs,
)
from index.errors import BuildFilesError, ReadOnlyDataDirError, StoreError, free_bytes
from index.store import (
    check_active_collection,
    chroma_client,
    chroma_path,
    docstore,
    orphan_segment_dirs,
    remove_orphan_segment_dirs,
)

log = logging.getLogger(__name__)

LOW_DISK_BYTES = 200_000_000


@dataclass
class Finding:
    """One check: `ok`, or a problem with what was done (`repaired`) or what to do (`fix`)."""

    check: str
    ok: bool
    detail: str
    repaired: bool = False
    fix: str | None = None

    def line(self) -> str:
        state = "ok" if self.ok else "fixed" if self.repaired else "PROBLEM"
        text = f"{state:<8}{self.check}: {self.detail}"
        return text + (f" -> {self.fix}" if self.fix and not self.ok and not self.repaired else "")

    def as_dict(self) -> dict:
        return asdict(self)


def diagnose(settings: Settings, repair: bool = False) -> list[Finding]:
    """Check the data dir (and repair it when asked).

    Args:
        settings: the data dir and Chroma location.
        repair: fix what is safe to fix (takes the build lock).

    Returns:
        The findings, in the order checked.

    Raises:
        BuildInProgressError: `repair` while a build is running.
        ReadOnlyDataDirError: `repair` on a data dir that cannot be written.
    """
    if not settings.data_dir.is_dir():
        return [Finding("data dir", True, f"{settings.data_dir} does not exist (nothing built)")]
    if not repair:
        return _Doctor(settings, repair=False).run()
    if not docstore(settings).writable():
        raise ReadOnlyDataDirError(settings.data_dir)
    with build_lock(settings):
        return _Doctor(settings, repair=True).run()


def healthy(findings: list[Finding]) -> bool:
    """True when every problem found was repaired."""
    return all(f.ok or f.repaired for f in findings)


class _Doctor:
    def __init__(self, settings: Settings, repair: bool) -> None:
        self.settings = settings
        self.repair = repair
        self.store = docstore(settings)
        self.stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        self.findings: list[Finding] = []

    def add(self, *args: object, **kwargs: object) -> Finding:
        finding = Finding(*args, **kwargs)  # type: ignore[arg-type]
        self.findings.append(finding)
        return finding

    def run(self) -> list[Finding]:
        docstore_ok = self._docstore()
        if docstore_ok:
            self._unfinished()
            self._build_files()
            self._stale_build_dirs()
        chroma_ok = self._chroma_file()
        if docstore_ok and chroma_ok:
            self._active()
            self._orphan_collections()
        if chroma_ok:
            self._segments()
        self._disk()
        return self.findings

    # --- docstore ---------------------------------------------------------------------------
    def _docstore(self) -> bool:
        if not self.store.exists():
            self.add("docstore", True, "none yet (nothing built)")
            return False
        problems = self.store.check()
        if not problems:
            self.add("docstore", True, f"{self.store.path.name} passes SQLite's quick check")
            return True
        detail = f"damaged ({problems[0]})"
        if not self.repair:
            self.add("docstore", False, detail, fix="run `factbot index doctor --repair`")
            return False
        moved = _move_aside(self.store.path, self.stamp, with_sidecars=True)
        roots = last_build_roots(self.settings.data_dir)
        then = ("run `factbot index build` to rebuild from " + ", ".join(roots)) if roots else (
            "run `factbot index build PATH` to rebuild")
        self.add("docstore", False, f"{detail}; moved aside to {moved.name}; {then}",
                 repaired=True)
        return False

    def _unfinished(self) -> None:
        unfinished = self.store.builds(status="building")
        if not unfinished:
            self.add("unfinished builds", True, "none")
            return
        names = ", ".join(b.id for b in unfinished)
        if not self.repair:
            self.add("unfinished builds", False, names,
                     fix="run `factbot index doctor --repair` (or the next build drops them)")
            return
        client = chroma_client(self.settings)
        for build in unfinished:
            try:
                client.delete_collection(build.collection)
            except Exception:
                log.debug("collection %s was not there", build.collection)
            self.store.drop_build(build.id)
            remove_build_dir(self.settings.data_dir, build.id)
        self.add("unfinished builds", False, f"dropped {names}", repaired=True)

    # --- local build files -------------------------------------------------------------------
    def _build_files(self) -> None:
        build = self.store.active_build()
        if build is None:
            return
        try:
            files = load_build_files(self.settings.data_dir, build.id)
        except BuildFilesError as exc:
            problem = str(exc)
        else:
            log.debug("build %s: local files fine (%d chunks)", build.id, files.n_chunks)
            return  # reported only when something is wrong (the list of checks stays short)
        if not self.repair:
            self.add("build files", False, problem,
                     fix="run `factbot index doctor --repair` (readers rebuild them at open)")
            return
        files = build_files_from_docstore(self.store, build.id)
        save_build_files(self.settings.data_dir, files)
        self.add("build files", False, f"{problem}; rebuilt from the docstore "
                 f"({files.n_chunks} chunks)", repaired=True)

    def _stale_build_dirs(self) -> None:
        known = {b.id for b in self.store.builds()}
        stale = stale_build_dirs(self.settings.data_dir, known)
        if not stale:
            return  # reported only when there are some
        names = ", ".join(f.name for f in stale)
        if not self.repair:
            self.add("build folders", False, f"{len(stale)} of builds no longer registered "
                     f"({names})", fix="run `factbot index doctor --repair`")
            return
        removed = prune_build_dirs(self.settings.data_dir, known)
        self.add("build folders", False, f"removed {names}",
                 repaired=len(removed) == len(stale))

    # --- chroma ----------------------------------------------------------------------------
    def _chroma_file(self) -> bool:
        if self.settings.chroma_is_remote:
            return True
        path = chroma_path(self.settings) / "chroma.sqlite3"
        if not path.is_file():
            self.add("vector store", True, "none yet (embedded store not created)")
            return False
        problem = _sqlite_problem(path)
        if problem is None:
            self.add("vector store", True, f"{path.parent.name}/{path.name} passes SQLite's "
                     "quick check")
            return True
        if not self.repair:
            self.add("vector store", False, f"damaged ({problem})",
                     fix="run `factbot index doctor --repair`")
            return False
        moved = _move_aside(path.parent, self.stamp)
        self.add("vector store", False, f"damaged ({problem}); moved aside to {moved.name}; "
                 "the next `factbot index build` embeds everything again", repaired=True)
        return False

    def _active(self) -> None:
        build = self.store.active_build()
        if build is None:
            self.add("active build", True, "none yet (nothing built)")
            return
        problems = check_active_collection(self.settings)
        if problems:
            self.add("active build", False, problems[0].split(";")[0],
                     fix="run `factbot index build` to rebuild it")
        else:
            self.add("active build", True, f"{build.id}: collection {build.collection} present")

    def _orphan_collections(self) -> None:
        try:
            client = chroma_client(self.settings, for_reading=not self.repair)
            known = {b.collection for b in self.store.builds()}
            orphans = orphan_collections(client, known)
        except StoreError as exc:
            self.add("unused collections", False, str(exc))
            return
        except Exception as exc:  # chromadb raises several unrelated types
            self.add("unused collections", False, f"cannot list ({type(exc).__name__})")
            return
        if not orphans:
            self.add("unused collections", True, "none")
            return
        names = ", ".join(orphans)
        if self.settings.chroma_is_remote:
            self.add("unused collections", False, names,
                     fix="not removed: the Chroma server may serve other data dirs; delete "
                     "them on the server if they are this bot's")
            return
        if not self.repair:
            self.add("unused collections", False, names,
                     fix="run `factbot index doctor --repair`")
            return
        for name in orphans:
            client.delete_collection(name)
        self.add("unused collections", False, f"deleted {names}", repaired=True)

    def _segments(self) -> None:
        if self.settings.chroma_is_remote:
            return
        orphans = orphan_segment_dirs(self.settings)
        if not orphans:
            self.add("segment folders", True, "no unused segment folders")
            return
        size = sum(f.stat().st_size for d in orphans for f in d.rglob("*") if f.is_file())
        detail = f"{len(orphans)} unused segment folders ({size / 1e6:.1f} MB)"
        if not self.repair:
            self.add("segment folders", False, detail, fix="run `factbot index doctor --repair`")
            return
        removed = remove_orphan_segment_dirs(self.settings)
        self.add("segment folders", len(removed) < len(orphans), f"removed {detail}",
                 repaired=len(removed) == len(orphans))

    # --- disk -------------------------------------------------------------------------------
    def _disk(self) -> None:
        free = free_bytes(self.settings.data_dir)
        detail = f"{free / 1e6:,.0f} MB free on the device holding {self.settings.data_dir}"
        if free < LOW_DISK_BYTES:
            self.add("free disk", False, detail,
                     fix=f"free space: builds need room for a second copy of the index "
                     f"(at least {LOW_DISK_BYTES / 1e6:.0f} MB is advised)")
        else:
            self.add("free disk", True, detail)


def _sqlite_problem(path: Path) -> str | None:
    try:
        db = sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True, timeout=30)
        try:
            rows = [r[0] for r in db.execute("PRAGMA quick_check")]
        finally:
            db.close()
    except sqlite3.Error as exc:
        return str(exc).splitlines()[0][:80]
    bad = [r for r in rows if r != "ok"]
    return bad[0][:80] if bad else None


def _move_aside(path: Path, stamp: str, with_sidecars: bool = False) -> Path:
    """Rename `path` to `<name>.damaged-<stamp>` (and its -wal/-shm files with it)."""
    target = path.with_name(f"{path.name}.damaged-{stamp}")
    path.rename(target)
    if with_sidecars:
        for suffix in ("-wal", "-shm"):
            side = path.with_name(path.name + suffix)
            if side.exists():
                side.rename(target.with_name(target.name + suffix))
    log.warning("moved %s aside to %s", path, target)
    return target
