"""Recovery (issue 9): damaged docstore, read-only data dir, full disk, lost vector store,
segment folders of retired builds. Real Chroma, real files, real mounts (see tests/mounts.py).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
from pathlib import Path

import pytest

from bot.cli import main
from bot.settings import Settings
from index import build as build_module
from index.build import build_index
from index.doctor import diagnose, healthy
from index.errors import DiskFullError, DocStoreDamagedError, ReadOnlyDataDirError
from index.store import chroma_client, chroma_segments, docstore, open_reader
from tests.mounts import read_only_view, small_tmpfs

QUERY = "How many dock workers joined the strike?"


def _args(settings: Settings, *argv: str) -> list[str]:
    return [*argv, "--data-dir", str(settings.data_dir)]


def _segment_dirs(settings: Settings) -> set[str]:
    folder = settings.data_dir / "chroma"
    return {p.name for p in folder.iterdir() if p.is_dir()}


def _vector_segments(settings: Settings) -> set[str]:
    db = settings.data_dir / "chroma" / "chroma.sqlite3"
    import sqlite3

    with sqlite3.connect(db) as conn:
        return {r[0] for r in conn.execute("SELECT id FROM segments WHERE scope='VECTOR'")}


def _one_line(err: str) -> str:
    assert err.count("\n") == 1 and "Traceback" not in err, err
    return err


# --- damaged docstore ----------------------------------------------------------------------


def _damage(path: Path, how: str) -> None:
    for side in ("-wal", "-shm"):
        path.with_name(path.name + side).unlink(missing_ok=True)
    data = path.read_bytes()
    if how == "truncated":
        path.write_bytes(data[: len(data) // 3])
    else:
        path.write_bytes(os.urandom(100) + data[100:])


@pytest.mark.parametrize("how", ["truncated", "garbage header"])
def test_damaged_docstore_one_line_errors_then_doctor_and_rebuild(
    mini_corpus, settings, capsys, how
):
    build_index([mini_corpus], settings)
    first_collection = docstore(settings).active_build().collection
    _damage(settings.data_dir / "docstore.sqlite", how)

    for argv in (["index", "status"], ["ask", QUERY], ["index", "build"]):
        assert main(_args(settings, *argv)) == 2, argv
        err = _one_line(capsys.readouterr().err)
        assert "damaged" in err and "factbot index doctor --repair" in err

    assert main(_args(settings, "index", "doctor")) == 1
    out = capsys.readouterr().out
    assert "PROBLEM docstore: damaged" in out

    assert main(_args(settings, "index", "doctor", "--repair", "--json")) == 0
    report = json.loads(capsys.readouterr().out)
    [store] = [f for f in report["findings"] if f["check"] == "docstore"]
    assert store["repaired"] and str(mini_corpus) in store["detail"]
    moved = [p.name for p in settings.data_dir.iterdir() if ".damaged-" in p.name]
    assert moved and all(name.startswith("docstore.sqlite.damaged-") for name in moved)

    # a plain build takes the roots from last_build.json and drops the orphaned collection
    assert main(_args(settings, "index", "build")) == 0
    capsys.readouterr()
    reader = open_reader(settings)
    assert len(reader.articles) == 3 and reader.dense_search(QUERY, 1)
    names = {c.name for c in chroma_client(settings).list_collections()}
    assert names == {reader.build.collection} and first_collection not in names
    assert _segment_dirs(settings) == _vector_segments(settings)
    assert healthy(diagnose(settings))


def test_build_refuses_a_damaged_docstore_without_touching_it(mini_corpus, settings):
    build_index([mini_corpus], settings)
    path = settings.data_dir / "docstore.sqlite"
    _damage(path, "truncated")
    before = path.read_bytes()
    with pytest.raises(DocStoreDamagedError):
        build_index([mini_corpus], settings)
    assert path.read_bytes() == before


# --- read-only data dir --------------------------------------------------------------------


def test_reads_work_on_a_read_only_data_dir(mini_corpus, settings, tmp_path, capsys):
    build_index([mini_corpus], settings)
    expected = [c.id for c, _ in open_reader(settings).dense_search(QUERY, 3)]
    assert main(["sources", "dock workers strike", "--json", *_args(settings)[-2:]]) == 0
    writable_sources = json.loads(capsys.readouterr().out)
    assert writable_sources["sources"]
    with read_only_view(settings.data_dir, tmp_path / "ro") as ro:
        with pytest.raises(OSError):
            (ro / "probe").write_text("x")  # really read-only
        ro_settings = Settings(data_dir=ro, chunk_tokens=64, chunk_overlap=8)
        reader = open_reader(ro_settings)
        assert [c.id for c, _ in reader.dense_search(QUERY, 3)] == expected

        assert main(["index", "status", "--json", "--data-dir", str(ro)]) == 0
        status = json.loads(capsys.readouterr().out)
        assert status["healthy"] and status["articles"] == 3

        assert main(["sources", "dock workers strike", "--json", "--data-dir", str(ro)]) == 0
        assert json.loads(capsys.readouterr().out) == writable_sources
        assert main(["ask", QUERY, "--json", "--data-dir", str(ro)]) == 0
        assert json.loads(capsys.readouterr().out)["query"] == QUERY

        assert main(["index", "doctor", "--data-dir", str(ro)]) == 0
        capsys.readouterr()

        for argv in (["index", "build", str(mini_corpus)], ["index", "doctor", "--repair"]):
            assert main([*argv, "--data-dir", str(ro)]) == 2
            err = _one_line(capsys.readouterr().err)
            assert "is read-only" in err
        with pytest.raises(ReadOnlyDataDirError):
            build_index([mini_corpus], ro_settings)


def test_reading_commands_on_a_fresh_data_dir_create_nothing(tmp_path, capsys):
    missing = tmp_path / "never-built"
    for argv in (["index", "status"], ["index", "status", "--json"], ["index", "doctor"],
                 ["ask", QUERY], ["check", "Dock workers went on strike."],
                 ["sources", "strike"], ["quote", "1,200 members"], ["outlets"],
                 ["outlets", "--json"]):
        code = main([*argv, "--data-dir", str(missing)])
        assert code in (0, 1, 2), argv
        assert not missing.exists(), argv
    err = capsys.readouterr().err
    assert "Traceback" not in err and "factbot index build" in err


# --- full disk -----------------------------------------------------------------------------


def test_full_disk_during_a_build_keeps_the_old_index(mini_corpus, tmp_path, capsys):
    with small_tmpfs(tmp_path / "small", "8m") as mount:
        settings = Settings(data_dir=mount / "data", chunk_tokens=64, chunk_overlap=8)
        build_index([mini_corpus], settings)
        old = open_reader(settings)
        expected = [(c.id, round(s, 5)) for c, s in old.dense_search(QUERY, 3)]

        for n in range(40):  # new articles, then fill the disk to the last few kilobytes
            (mini_corpus / f"new{n:02d}.txt").write_text(
                f"Quay report {n}\n\n" + ("The ferry operator changed the timetable again. "
                                          * 40) + f"Number {n}."
            )
        filler = mount / "filler"
        with filler.open("wb") as handle:
            try:
                while True:
                    handle.write(b"\0" * 65536)
                    handle.flush()
            except OSError:
                pass
        shutil.disk_usage(mount)  # the filesystem is now full
        with pytest.raises(DiskFullError, match="no space left"):
            build_index([mini_corpus], settings)

        assert main(["index", "build", str(mini_corpus), "--data-dir",
                     str(settings.data_dir)]) == 2
        err = _one_line(capsys.readouterr().err)
        assert "no space left on the device" in err and "previous index" in err

        assert docstore(settings).active_build().id == old.build.id
        again = open_reader(settings)
        assert [(c.id, round(s, 5)) for c, s in again.dense_search(QUERY, 3)] == expected

        filler.unlink()
        summary = build_index([mini_corpus], settings)
        assert len(summary.added) == 40
        assert _segment_dirs(settings) == _vector_segments(settings)


# --- vector store lost or down -------------------------------------------------------------


def test_status_is_unhealthy_when_the_vector_store_is_gone(mini_corpus, settings, capsys):
    build_index([mini_corpus], settings)
    assert main(_args(settings, "index", "status", "--quiet")) == 0
    assert capsys.readouterr().out == ""
    shutil.rmtree(settings.data_dir / "chroma")
    assert main(_args(settings, "index", "status")) == 1
    out = capsys.readouterr().out
    assert "problem: the vector store" in out and "missing" in out
    assert not (settings.data_dir / "chroma").exists()  # checking created nothing
    assert main(_args(settings, "index", "status", "--quiet")) == 1


def test_status_is_unhealthy_when_the_chroma_server_is_down(
    mini_corpus, settings, capsys, monkeypatch
):
    build_index([mini_corpus], settings)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("CHROMA_HOST", "127.0.0.1")
    monkeypatch.setenv("CHROMA_PORT", str(port))
    assert main(_args(settings, "index", "status", "--json")) == 1
    status = json.loads(capsys.readouterr().out)
    assert not status["healthy"] and f"127.0.0.1:{port}" in status["problems"][0]


# --- segment folders -----------------------------------------------------------------------


def test_builds_remove_the_segment_folders_they_retire(mini_corpus, settings, monkeypatch):
    for n in range(4):
        (mini_corpus / "a.txt").write_text(f"Harbour strike day {n}\n\nDock workers stayed "
                                           f"off the job for day {n}, the union said.")
        build_index([mini_corpus], settings)
    assert len(_segment_dirs(settings)) == 2  # the active build and the one before it
    assert _segment_dirs(settings) == _vector_segments(settings)

    (mini_corpus / "b.txt").write_text("Port authority statement\n\nCranes idle all day.")

    def boom(self, chunks):
        raise RuntimeError("power cut")

    monkeypatch.setattr(build_module._Build, "_vectors", boom)
    with pytest.raises(RuntimeError, match="power cut"):
        build_index([mini_corpus], settings)
    monkeypatch.undo()
    assert _segment_dirs(settings) == _vector_segments(settings)
    assert len(chroma_segments(settings.data_dir / "chroma")) == 4  # 2 collections x 2

    # a folder Chroma left behind earlier (e.g. by an older factbot) is found and removed
    stray = settings.data_dir / "chroma" / "0f0e0d0c-0b0a-4908-8706-050403020100"
    stray.mkdir()
    (stray / "data_level0.bin").write_bytes(b"\0" * 1000)
    findings = diagnose(settings)
    assert not healthy(findings)
    assert any(f.check == "segment folders" and not f.ok for f in findings)
    assert healthy(diagnose(settings, repair=True)) and not stray.exists()
    assert open_reader(settings).dense_search(QUERY, 1)


def _chattr(flag: str, root: Path) -> bool:
    import subprocess

    paths = [str(p) for p in sorted(root.rglob("*"), reverse=True)] + [str(root)]
    done = subprocess.run(["chattr", flag, *paths], capture_output=True, timeout=60)
    return done.returncode == 0


def test_reads_work_when_the_data_dir_files_are_immutable(mini_corpus, settings, capsys):
    if shutil.which("chattr") is None:
        pytest.skip("no chattr")
    build_index([mini_corpus], settings)
    expected = [c.id for c, _ in open_reader(settings).dense_search(QUERY, 3)]
    if not _chattr("+i", settings.data_dir):
        _chattr("-i", settings.data_dir)
        pytest.skip("this filesystem does not support immutable files")
    try:
        with pytest.raises(OSError):
            (settings.data_dir / "probe").write_text("x")
        assert [c.id for c, _ in open_reader(settings).dense_search(QUERY, 3)] == expected
        assert main(_args(settings, "index", "status", "--quiet")) == 0
        assert main(_args(settings, "sources", "dock workers", "--json")) == 0
        assert json.loads(capsys.readouterr().out)["sources"]
        assert main(_args(settings, "index", "build", str(mini_corpus))) == 2
        assert "is read-only" in _one_line(capsys.readouterr().err)
    finally:
        _chattr("-i", settings.data_dir)
