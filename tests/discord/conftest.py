"""Fixtures for the Discord layer's tests: settings in a tmp dir, fake core and builder, a bot."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any
from unittest.mock import MagicMock

import discord
import pytest

from bot.discord.app import EXTENSIONS, FactBot, create_bot
from bot.settings import Settings
from tests.discord.fakes import FakeBuilder, FakeCore
from tests.discord.helpers import BOT_ID
from tests.fake_discord import FakeDiscord
from tests.fake_discord import payloads as p
from tests.fake_discord.limits import pings

Connect = Callable[..., Awaitable[FactBot]]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        discord_token="dummy-token",
        command_cooldown_seconds=0,
        moderator_roles=[4242],
        reindex_sources=[f"demo={tmp_path / 'corpus'}"],
    )


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
    me.display_name = "factbot"
    instance._connection.user = me
    yield instance
    instance._core_pool.shutdown(wait=True)
    instance.store.close()


@pytest.fixture(scope="session")
def real_settings(tmp_path_factory: pytest.TempPathFactory, demo_corpus: Path) -> Settings:
    """A real index of the demo corpus, built once per session (real embedding model)."""
    build = pytest.importorskip("index.build")
    data = tmp_path_factory.mktemp("real-index")
    real = Settings(data_dir=data, discord_token=None, command_cooldown_seconds=0)
    summary = build.build_index([demo_corpus], real)
    assert not summary.failed and summary.added
    return real


@pytest.fixture(scope="session")
def real_core(real_settings: Settings):  # noqa: ANN201 - FactChecker
    """The real answering core over the session's demo index."""
    core = pytest.importorskip("bot.answer.core")
    return core.FactChecker(real_settings)


# --- end to end: the real client against the fake Discord -----------------------------------
@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    """The fake Discord; afterwards, checks what every test's bot sent.

    Nobody was pinged, and Discord refused nothing (limits, a second or late answer to an
    interaction, an unknown webhook). A test that provokes a refusal on purpose lists the
    codes in `server.expected_codes`.
    """
    server = FakeDiscord()
    server.expected_codes = set()  # type: ignore[attr-defined]
    await server.start()
    with server.patched():
        yield server
        for body in server.sent():
            assert body.get("allowed_mentions", {}).get("parse") == [], body
            assert pings(body) == [], body
            text = json.dumps(body, ensure_ascii=False)
            assert "@everyone" not in text and "@here" not in text and "<@&" not in text
        refused = [
            (r.method, r.path, r.status, (r.response or {}).get("code"))
            for r in server.requests
            if r.status >= 400 and r.status != 429
            and (r.response or {}).get("code") not in server.expected_codes  # type: ignore[attr-defined]
        ]
        assert not refused, f"Discord would refuse these: {refused}"
    await server.close()


@pytest.fixture
def e2e_settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={"moderator_roles": [int(p.MOD_ROLE_ID)], "discord_token": None}
    )


@pytest.fixture
async def connect(fake: FakeDiscord, e2e_settings: Settings) -> AsyncIterator[Connect]:
    started: list[tuple[FactBot, asyncio.Task]] = []

    async def _connect(
        core: Any = None, builder: Any = None, sync: bool = False, settings: Settings | None = None
    ) -> FactBot:
        bot = create_bot(
            settings or e2e_settings,
            core=core or FakeCore(),
            builder=builder or FakeBuilder(),
            sync=sync,
            guild_ready_timeout=0.05,
        )
        task = asyncio.create_task(bot.start(fake.token))
        started.append((bot, task))
        await asyncio.wait_for(bot.wait_until_ready(), 15)
        return bot

    yield _connect
    for bot, task in started:
        await bot.close()
        await asyncio.wait_for(task, 10)
