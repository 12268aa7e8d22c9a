"""Fixtures for the live-news tests: a real HTTP server on 127.0.0.1 and settings that allow
loopback (only loopback: every other private address stays refused)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.settings import Settings
from tests.news.server import NewsServer


@pytest.fixture
def server() -> Iterator[NewsServer]:
    with NewsServer() as running:
        yield running


@pytest.fixture
def news_settings(tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        discord_token=None,
        fetch_allow_loopback=True,
        fetch_timeout_seconds=2.0,
        fetch_max_bytes=200_000,
        fetch_max_redirects=3,
        feeds_poll_minutes=0,
        command_cooldown_seconds=0,
    )
