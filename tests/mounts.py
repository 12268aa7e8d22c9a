"""Real read-only and full filesystems for tests: a read-only bind mount and a small tmpfs.

Both need root with the right to mount (CI and the dev machines run as root); elsewhere the
tests that use them skip with the reason.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(args, capture_output=True, text=True, timeout=30)


def _require_mount() -> None:
    if shutil.which("mount") is None:
        pytest.skip("no mount command")


@contextmanager
def read_only_view(source: Path, target: Path) -> Iterator[Path]:
    """`source` bind-mounted read-only at `target` (writes there fail with EROFS)."""
    _require_mount()
    target.mkdir(parents=True, exist_ok=True)
    done = _run("mount", "--bind", str(source), str(target))
    if done.returncode != 0:
        pytest.skip(f"cannot bind-mount here: {done.stderr.strip()}")
    try:
        done = _run("mount", "-o", "remount,bind,ro", str(target))
        if done.returncode != 0:
            pytest.skip(f"cannot remount read-only here: {done.stderr.strip()}")
        yield target
    finally:
        _run("umount", str(target))


@contextmanager
def small_tmpfs(target: Path, size: str) -> Iterator[Path]:
    """A tmpfs of `size` (e.g. `8m`) mounted at `target`: a real filesystem that fills up."""
    _require_mount()
    target.mkdir(parents=True, exist_ok=True)
    done = _run("mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(target))
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield target
    finally:
        _run("umount", "-l", str(target))
