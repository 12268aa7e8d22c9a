"""Fixtures for index tests: a small corpus of our own, written fresh per test."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import Settings

MINI_ARTICLES = {
    "a.txt": (
        "Harbour strike enters third day\n\n"
        "Dock workers in Port Vellan stayed off the job for a third day on Tuesday. "
        "The union said 1,200 members had joined the walkout.\n\n"
        "The port authority claimed only 400 workers were absent."
    ),
    "b.txt": (
        "Port authority rejects union figures\n\n"
        "The port authority said cranes at the north quay were working normally. "
        "A spokesperson denied that ships had been diverted to Calden."
    ),
    "c.txt": (
        "Ferry timetable changes\n\n"
        "Ferries to the islands will leave from the south pier until further notice, "
        "the operator announced on Monday."
    ),
}
MINI_SOURCES = (
    "file,outlet,title,published,author,url,republished_by\n"
    "a.txt,Vellan Gazette,Harbour strike enters third day,2025-03-04,,,\n"
    "b.txt,Coastline Post,Port authority rejects union figures,2025-03-05,,,\n"
    "c.txt,,Ferry timetable changes,2025-03-03,,,\n"
)


@pytest.fixture
def mini_corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    for name, text in MINI_ARTICLES.items():
        (folder / name).write_text(text, encoding="utf-8")
    (folder / "sources.csv").write_text(MINI_SOURCES, encoding="utf-8")
    return folder


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", chunk_tokens=64, chunk_overlap=8)


# A real PostgreSQL for shared-mode tests (session-wide) and a fresh database per test.
from tests.pg_server import pg_server, pg_url  # noqa: E402, F401 - fixtures
