"""Builds: all articles indexed with offsets, incremental by hash, atomic switch, removal."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from bot.settings import Settings
from index import build as build_module
from index.build import BuildInProgressError, build_index, build_lock
from index.store import chroma_client, docstore, open_reader

SEED_OUTLETS = {
    "000_10ac64a31bd1628e.txt": ("France 24", "Global NewsX"),
    "001_043ac7210efe0f4d.txt": ("LBC", None),
    "002_311be6bcf7b6cb24.txt": (None, None),
    "003_af2395a67663be8b.txt": ("The Kyiv Independent", None),
    "004_be0d90aa579888f6.txt": ("Newsweek", None),
}
# Page junk in the seed corpus, by file and 1-based line number of the raw file.
SEED_JUNK_LINES = {
    "000_10ac64a31bd1628e.txt": [25, 29, 33, 35, 37],
    "001_043ac7210efe0f4d.txt": [14, 16, 28, 62, 64, 68, 72, 88, 116, 128],
    "002_311be6bcf7b6cb24.txt": [1, 2, 10, 46, 48],
    "003_af2395a67663be8b.txt": [2, 8, 33, 35],
    "004_be0d90aa579888f6.txt": [25],
}


def _chunk_texts_by_file(reader):
    out: dict[str, list[str]] = {}
    for chunk in reader.chunks:
        out.setdefault(reader.articles[chunk.article_id].source_file, []).append(chunk.text)
    return out


def test_seed_corpus_indexed_with_outlets_offsets_and_no_junk(seed_corpus, tmp_path):
    settings = Settings(data_dir=tmp_path / "data")
    summary = build_index([seed_corpus], settings)
    assert len(summary.added) == 5 and not summary.failed
    reader = open_reader(settings)
    by_file = {a.source_file: a for a in reader.articles.values()}
    assert set(by_file) == set(SEED_OUTLETS)
    for name, (outlet, republished_by) in SEED_OUTLETS.items():
        assert by_file[name].meta.outlet == outlet
        assert by_file[name].meta.republished_by == republished_by
    for chunk in reader.chunks:
        assert reader.articles[chunk.article_id].text[chunk.start : chunk.end] == chunk.text
    # Chroma holds the same chunks: the four keys search needs, and no texts
    got = reader.collection.get(include=["metadatas", "documents"])
    assert len(got["ids"]) == len(reader.chunks)
    by_id = {c.id: c for c in reader.chunks}
    for cid, meta, doc in zip(got["ids"], got["metadatas"], got["documents"], strict=True):
        chunk = by_id[cid]
        assert doc is None and set(meta) == {"article_id", "chunk_index", "start", "end"}
        assert (meta["article_id"], meta["chunk_index"], meta["start"], meta["end"]) == (
            chunk.article_id, chunk.index, chunk.start, chunk.end)
    texts = _chunk_texts_by_file(reader)
    for name, lines in SEED_JUNK_LINES.items():
        raw = (seed_corpus / name).read_text(encoding="utf-8").splitlines()
        for number in lines:
            junk = raw[number - 1].strip()
            assert junk, f"{name}:{number} is blank"
            assert all(junk not in t for t in texts[name]), f"junk {name}:{number} indexed"


def test_second_build_reembeds_nothing(mini_corpus, settings, monkeypatch):
    first = build_index([mini_corpus], settings)
    assert first.embedded_chunks == first.chunks > 0
    calls = []
    real = build_module._Build._vectors
    monkeypatch.setattr(build_module._Build, "_vectors",
                        lambda self, chunks: calls.append(len(chunks)) or real(self, chunks))
    second = build_index([mini_corpus], settings)
    assert calls == [] and second.embedded_chunks == 0
    assert second.unchanged == first.added and second.chunks == first.chunks
    reader = open_reader(settings)
    assert reader.collection.count() == first.chunks


def test_changed_and_deleted_files(mini_corpus, settings):
    build_index([mini_corpus], settings)
    before = open_reader(settings)
    old_b = {c.id for c in before.chunks if before.articles[c.article_id].source_file == "b.txt"}
    (mini_corpus / "b.txt").write_text("Port authority rejects union figures\n\nCranes idle.")
    (mini_corpus / "c.txt").unlink()
    summary = build_index(None, settings)  # None: rebuild the previous roots
    assert [p.rsplit("/", 1)[1] for p in summary.updated] == ["b.txt"]
    assert [p.rsplit("/", 1)[1] for p in summary.removed] == ["c.txt"]
    reader = open_reader(settings)
    files = {a.source_file for a in reader.articles.values()}
    assert files == {"a.txt", "b.txt"}
    ids = set(reader.collection.get()["ids"])
    assert ids == {c.id for c in reader.chunks}
    assert not ids & old_b
    assert all("Ferries" not in c.text for c in reader.chunks)


def test_crash_mid_build_leaves_old_index_serving(mini_corpus, settings, monkeypatch):
    build_index([mini_corpus], settings)
    old = open_reader(settings)
    query = "How many dock workers joined the strike?"
    expected = [(c.id, round(s, 5)) for c, s in old.dense_search(query, 3)]

    (mini_corpus / "d.txt").write_text("New article\n\nThe ferry operator cancelled sailings.")
    (mini_corpus / "a.txt").write_text("Harbour strike ends\n\nWorkers returned on Friday.")

    def boom(self, chunks):
        raise RuntimeError("power cut")

    monkeypatch.setattr(build_module._Build, "_vectors", boom)
    with pytest.raises(RuntimeError, match="power cut"):
        build_index([mini_corpus], settings)
    monkeypatch.undo()

    assert docstore(settings).active_build().id == old.build.id
    again = open_reader(settings)
    assert [(c.id, round(s, 5)) for c, s in again.dense_search(query, 3)] == expected
    assert [(c.id, round(s, 5)) for c, s in old.dense_search(query, 3)] == expected
    # the next build drops the half-written one and completes
    summary = build_index([mini_corpus], settings)
    assert len(summary.added) == 1 and len(summary.updated) == 1
    names = {c.name for c in chroma_client(settings).list_collections()}
    assert names <= {old.build.collection, open_reader(settings).build.collection}


def test_killed_process_mid_build_leaves_old_index(mini_corpus, settings):
    build_index([mini_corpus], settings)
    old_id = docstore(settings).active_build().id
    (mini_corpus / "a.txt").write_text("Harbour strike ends\n\nWorkers returned on Friday.")
    script = textwrap.dedent(f"""
        import os
        from pathlib import Path
        from bot.settings import Settings
        from index.build import build_index
        def die(p):
            if p.stage == "embed" and p.done > 0:
                os._exit(9)
        build_index([Path({str(mini_corpus)!r})],
                    Settings(data_dir=Path({str(settings.data_dir)!r}), chunk_tokens=64,
                             chunk_overlap=8), die)
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=120)
    assert proc.returncode == 9, proc.stderr.decode()[-2000:]
    assert docstore(settings).active_build().id == old_id
    reader = open_reader(settings)
    assert any("1,200 members" in c.text for c in reader.chunks)
    assert build_index(None, settings).updated


def test_one_build_at_a_time(mini_corpus, settings):
    with build_lock(settings), pytest.raises(BuildInProgressError):
        build_index([mini_corpus], settings)


def test_bad_files_are_reported_and_skipped(mini_corpus, settings):
    (mini_corpus / "binary.txt").write_bytes(b"\x00\x01\x02PNG\x00" * 100)
    (mini_corpus / "empty.txt").write_text("   \n")
    (mini_corpus / "latin1.txt").write_bytes("caf\xe9 au lait".encode("latin-1"))
    (mini_corpus / "page.html").write_text(
        "<html><head><title>Quay fire</title><script>var secret='TRACKER';</script></head>"
        "<body><article><h1>Quay fire</h1><p>A small fire broke out at the quay on Sunday "
        "evening and was put out within the hour, the fire service said.</p>"
        "<p>No one was hurt, according to the port authority.</p></article></body></html>"
    )
    big = mini_corpus / "huge.txt"
    with big.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    summary = build_index([mini_corpus], settings)
    failed = {f.path.rsplit("/", 1)[1]: f.reason for f in summary.failed}
    assert set(failed) == {"binary.txt", "empty.txt", "latin1.txt", "huge.txt"}
    assert all(reason and "\n" not in reason for reason in failed.values())
    reader = open_reader(settings)
    assert {a.source_file for a in reader.articles.values()} >= {"a.txt", "b.txt", "c.txt",
                                                                 "page.html"}
    assert all("TRACKER" not in a.text for a in reader.articles.values())


def test_lost_previous_collection_is_embedded_again(mini_corpus, settings):
    first = build_index([mini_corpus], settings)
    client = chroma_client(settings)
    client.delete_collection(docstore(settings).active_build().collection)
    again = build_index([mini_corpus], settings)
    assert again.unchanged == first.added and again.embedded_chunks == first.chunks
    reader = open_reader(settings)
    assert reader.collection.count() == len(reader.chunks) == first.chunks
    assert reader.dense_search("dock workers strike", 1)
