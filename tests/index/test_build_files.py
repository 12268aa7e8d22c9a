"""Per-build local files (chunk table + BM25): written before the switch, rebuilt when lost."""

from __future__ import annotations

import json
import logging

import numpy as np
import pytest

from index import build as build_module
from index.build import build_index
from index.buildfiles import (
    BUILDS_DIR,
    build_dir,
    build_files_from_docstore,
    load_build_files,
    make_build_files,
)
from index.docstore import DocStore
from index.doctor import diagnose, healthy
from index.errors import BuildFilesError
from index.search import HybridSearcher, lexical_tokens
from index.store import docstore, open_reader
from tests.mounts import read_only_view

QUERY = "How many dock workers joined the strike?"


def _hits(settings) -> list[tuple[str, float]]:
    reader = open_reader(settings)
    return [(h.chunk.id, round(h.score, 6)) for h in HybridSearcher(reader).search(QUERY, k=5)]


def _folders(settings) -> set[str]:
    root = settings.data_dir / BUILDS_DIR
    return {p.name for p in root.iterdir()} if root.is_dir() else set()


def test_a_build_writes_its_files_before_the_switch(mini_corpus, settings, monkeypatch):
    seen = []
    real = DocStore.activate

    def activate(self, build_id, summary):
        seen.append(build_dir(settings.data_dir, build_id).joinpath("manifest.json").is_file())
        return real(self, build_id, summary)

    monkeypatch.setattr(DocStore, "activate", activate)
    summary = build_index([mini_corpus], settings)
    assert seen == [True]
    assert _folders(settings) == {summary.build_id}
    files = load_build_files(settings.data_dir, summary.build_id)
    reader = open_reader(settings)
    assert files.n_chunks == len(reader.chunks) == summary.chunks
    rows = [(c.article_id, c.index, c.start, c.end) for c in reader.chunks]
    assert rows == sorted(rows)
    assert summary.lexical_seconds > 0


def test_retired_and_failed_builds_lose_their_folders(mini_corpus, settings, monkeypatch):
    first = build_index([mini_corpus], settings)
    (mini_corpus / "b.txt").write_text("Port authority rejects union figures\n\nCranes idle.")
    second = build_index([mini_corpus], settings)
    assert _folders(settings) == {first.build_id, second.build_id}  # previous kept one generation
    (mini_corpus / "c.txt").write_text("Ferry timetable\n\nFerries run again from Monday.")
    third = build_index([mini_corpus], settings)
    assert _folders(settings) == {second.build_id, third.build_id}

    def boom(self, *args):
        raise RuntimeError("crash before the switch")

    monkeypatch.setattr(build_module._Build, "_write_files", boom)
    (mini_corpus / "a.txt").write_text("Harbour strike ends\n\nDock workers returned to work.")
    with pytest.raises(RuntimeError):
        build_index([mini_corpus], settings)
    assert docstore(settings).active_build().id == third.build_id
    assert _folders(settings) == {second.build_id, third.build_id}
    assert open_reader(settings).build.id == third.build_id


def test_unchanged_chunks_carry_their_term_counts_with_the_same_scores(
    mini_corpus, settings, caplog
):
    build_index([mini_corpus], settings)
    (mini_corpus / "b.txt").write_text("Port authority rejects union figures\n\nCranes idle.")
    (mini_corpus / "d.txt").write_text("Dock strike talks\n\nDock workers and the port met.")
    with caplog.at_level(logging.INFO, logger="index.buildfiles"):
        summary = build_index([mini_corpus], settings)
    carried = [r.getMessage() for r in caplog.records if "carried from build" in r.getMessage()]
    assert len(carried) == 1 and "of 4 chunks" in carried[0]
    saved = load_build_files(settings.data_dir, summary.build_id)
    fresh = build_files_from_docstore(docstore(settings), summary.build_id)  # all tokenised
    assert fresh.carried_rows == 0 and saved.table.tolist() == fresh.table.tolist()
    for query in (QUERY, "port authority cranes", "ferries pier", "dock talks", "zzz"):
        tokens = lexical_tokens(query)
        assert np.array_equal(saved.lexical.scores(tokens), fresh.lexical.scores(tokens))
        assert saved.lexical.idf(tokens[0]) == fresh.lexical.idf(tokens[0])


def test_a_reader_rebuilds_missing_or_damaged_files_and_warns_once(
    mini_corpus, settings, caplog
):
    summary = build_index([mini_corpus], settings)
    expected = _hits(settings)
    folder = build_dir(settings.data_dir, summary.build_id)
    for damage in ("missing", "truncated", "other build"):
        if damage == "missing":
            for path in sorted(folder.rglob("*"), reverse=True):
                path.unlink() if path.is_file() else path.rmdir()
            folder.rmdir()
        elif damage == "truncated":
            table = folder / "chunks.npy"
            table.write_bytes(table.read_bytes()[:-12])
        else:
            manifest = folder / "manifest.json"
            record = json.loads(manifest.read_text())
            manifest.write_text(json.dumps({**record, "build": "someone-else"}))
        with pytest.raises(BuildFilesError):
            load_build_files(settings.data_dir, summary.build_id)
        caplog.clear()
        with caplog.at_level(logging.INFO, logger="index.buildfiles"):
            assert _hits(settings) == expected, damage
        levels = [r.levelno for r in caplog.records if "rebuilding" in r.getMessage()]
        assert levels == [logging.WARNING if damage == "missing" else logging.INFO]
        load_build_files(settings.data_dir, summary.build_id)  # saved again
    assert _folders(settings) == {summary.build_id}


def test_open_prunes_folders_of_builds_no_longer_registered(mini_corpus, settings):
    summary = build_index([mini_corpus], settings)
    root = settings.data_dir / BUILDS_DIR
    (root / "20200101T000000-dead00").mkdir()
    (root / ".tmp-20200101T000000-dead01-0a1b2c3d").mkdir()
    open_reader(settings)
    assert _folders(settings) == {summary.build_id}


def test_doctor_reports_and_repairs_build_files(mini_corpus, settings):
    summary = build_index([mini_corpus], settings)
    folder = build_dir(settings.data_dir, summary.build_id)
    (folder / "lexical" / "lexical.json").write_text("garbage")
    (settings.data_dir / BUILDS_DIR / "20200101T000000-dead00").mkdir()
    findings = diagnose(settings)
    assert not healthy(findings)
    by_check = {f.check: f for f in findings}
    assert not by_check["build files"].ok and "damaged" in by_check["build files"].detail
    assert not by_check["build folders"].ok
    repaired = diagnose(settings, repair=True)
    assert healthy(repaired)
    assert by_check.keys() <= {f.check for f in repaired}
    assert load_build_files(settings.data_dir, summary.build_id).n_chunks == summary.chunks
    assert _folders(settings) == {summary.build_id}
    assert {f.check for f in diagnose(settings)}.isdisjoint({"build files", "build folders"})


def test_a_read_only_data_dir_serves_rebuilt_files_from_memory(mini_corpus, settings, tmp_path):
    summary = build_index([mini_corpus], settings)
    expected = _hits(settings)
    folder = build_dir(settings.data_dir, summary.build_id)
    for path in sorted(folder.rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    folder.rmdir()
    with read_only_view(settings.data_dir, tmp_path / "ro") as ro:
        ro_settings = type(settings)(data_dir=ro, chunk_tokens=64, chunk_overlap=8)
        assert _hits(ro_settings) == expected
        assert not (ro / BUILDS_DIR / summary.build_id).exists()


def test_make_build_files_orders_rows_and_leaves_out_chunks_without_text():
    rows = [("b", 1, 5, 9), ("a", 0, 0, 4), ("b", 0, 0, 4), ("gone", 0, 0, 3)]
    texts = [("b", "dock workers strike"), ("c", "no chunks"), ("a", "ferry pier")]
    files = make_build_files("x", rows, iter(texts))
    assert files.table.tolist() == [[0, 0, 0, 4], [1, 0, 0, 4], [1, 1, 5, 9]]
    assert [bytes(a) for a in files.article_ids] == [b"a", b"b", b"c"]
    assert files.lexical.n_docs == 3 and files.article_id(2) == "b"
    assert files.has_article("a") and not files.has_article("gone")
    assert files.table.dtype == np.int32
