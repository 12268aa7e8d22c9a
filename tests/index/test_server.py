"""Client/server mode: a real `chroma run` server on 127.0.0.1, started by the test."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.settings import Settings
from index.build import build_index
from index.store import StoreUnavailableError, open_reader

CHROMA = Path(sys.executable).with_name("chroma")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(port: int, proc: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"chroma exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError("chroma server did not start")


@pytest.fixture
def chroma_server(tmp_path):
    if not CHROMA.exists():
        pytest.skip(f"no chroma executable beside {sys.executable}")
    port = _free_port()
    proc = subprocess.Popen(
        [str(CHROMA), "run", "--host", "127.0.0.1", "--port", str(port),
         "--path", str(tmp_path / "server-data")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for(port, proc)
        yield port, proc
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.mark.server
def test_build_and_query_through_a_chroma_server(mini_corpus, tmp_path, chroma_server):
    port, proc = chroma_server
    settings = Settings(data_dir=tmp_path / "data", chroma_host="127.0.0.1", chroma_port=port,
                        chunk_tokens=64, chunk_overlap=8)
    summary = build_index([mini_corpus], settings)
    assert len(summary.added) == 3
    assert not (settings.data_dir / "chroma").exists()  # nothing embedded locally
    reader = open_reader(settings)
    hits = reader.dense_search("Were the cranes at the north quay working?", 2)
    assert reader.articles[hits[0][0].article_id].source_file == "b.txt"
    # the same ranking as an embedded store over the same corpus
    local = Settings(data_dir=tmp_path / "local", chunk_tokens=64, chunk_overlap=8)
    build_index([mini_corpus], local)
    local_hits = open_reader(local).dense_search("Were the cranes at the north quay working?", 2)
    assert [c.id for c, _ in hits] == [c.id for c, _ in local_hits]
    assert build_index(None, settings).embedded_chunks == 0

    proc.terminate()
    proc.wait(timeout=20)
    with pytest.raises(StoreUnavailableError, match=f"127.0.0.1:{port}"):
        open_reader(settings)
    with pytest.raises(StoreUnavailableError):
        reader.dense_search("Which ships were diverted?", 2)
