"""Fixtures for the Discord layer's tests: settings in a tmp dir, fake core and builder, a bot."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from unittest.mock import MagicMock

import discord
import pytest

from bot.discord.app import EXTENSIONS, FactBot, create_bot
from bot.settings import Settings
from tests.discord.fakes import FakeBuilder, FakeCore
from tests.discord.helpers import BOT_ID


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", discord_token="dummy-token",
                    command_cooldown_seconds=0, moderator_roles=[4242],
                    reindex_sources=[f"demo={tmp_path / 'corpus'}"])


@pytest.fixture
def core() -> FakeCore:
    return FakeCore()


@pytest.fixture
def builder() -> FakeBuilder:
    return FakeBuilder()


@pytest.fixture
async def bot(settings: Settings, core: FakeCore, builder: FakeBuilder) -> AsyncIterator[FactBot]:
    """A FactBot with every cog loaded and a bot user, never connected."""
    instance = create_bot(settings, core=core, builder=builder)
    for name in EXTENSIONS:
        await instance.load_extension(name)
    me = MagicMock(spec_set=discord.ClientUser)
    me.id = BOT_ID
    instance._connection.user = me
    yield instance
    instance._core_pool.shutdown(wait=True)
    instance.store.close()
