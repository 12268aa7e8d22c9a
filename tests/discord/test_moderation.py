"""Moderator checks in code, /reindex and /ingest builds off the loop, one at a time, audited."""

from __future__ import annotations

import csv
from unittest.mock import AsyncMock, MagicMock

import discord
import pytest

from bot.answer.errors import UserFacingError
from bot.discord.app import FactBot
from bot.discord.checks import NotModerator
from tests.discord.fakes import FakeBuilder
from tests.discord.helpers import mock_interaction, mock_member, mock_role


def _cog(bot: FactBot):
    return bot.get_cog("Moderation")


async def test_member_without_rights_is_refused(bot: FactBot) -> None:
    interaction = mock_interaction(bot)
    with pytest.raises(NotModerator):
        await _cog(bot).reindex._check_can_run(interaction)
    await bot.on_app_command_error(interaction, NotModerator())
    assert "Manage Server" in interaction.response.send_message.await_args.args[0]


async def test_manage_server_or_moderator_role_is_allowed(bot: FactBot) -> None:
    manager = mock_interaction(bot, permissions=discord.Permissions(manage_guild=True))
    assert await _cog(bot).reindex._check_can_run(manager)
    moderator = mock_interaction(bot, user=mock_member(roles=[mock_role(4242)]))
    assert await _cog(bot).ingest._check_can_run(moderator)
    other_role = mock_interaction(bot, user=mock_member(roles=[mock_role(1)]))
    with pytest.raises(NotModerator):
        await _cog(bot).ingest._check_can_run(other_role)





async def test_reindex_refuses_paths_outside_sources(bot: FactBot, tmp_path) -> None:
    interaction = mock_interaction(bot, permissions=discord.Permissions(manage_guild=True))
    with pytest.raises(UserFacingError):
        await _cog(bot).reindex.callback(_cog(bot), interaction, source="/etc")
    (tmp_path / "corpus" / "sub").mkdir(parents=True)
    await _cog(bot).reindex.callback(
        _cog(bot), interaction, source=str(tmp_path / "corpus" / "sub")
    )



def _attachment(name: str, data: bytes = b"Some article text.", size: int | None = None):
    attachment = MagicMock(spec_set=discord.Attachment)
    attachment.filename = name
    attachment.size = len(data) if size is None else size
    attachment.read = AsyncMock(return_value=data)
    return attachment


@pytest.mark.parametrize("name", ["evil.exe", "photo.png", "noext", "archive.tar.gz"])
async def test_ingest_refuses_unsupported_files(
    bot: FactBot, builder: FakeBuilder, name: str
) -> None:
    interaction = mock_interaction(bot, permissions=discord.Permissions(manage_guild=True))
    with pytest.raises(UserFacingError, match="only ingest"):
        await _cog(bot).ingest.callback(_cog(bot), interaction, file=_attachment(name))
    assert builder.calls == []


async def test_ingest_saves_file_and_metadata_then_builds(
    bot: FactBot, builder: FakeBuilder
) -> None:
    interaction = mock_interaction(bot, user=mock_member(roles=[mock_role(4242)]))
    attachment = _attachment("../../Fire report!.md", b"# Fire\nIt burned.")
    await _cog(bot).ingest.callback(
        _cog(bot),
        interaction,
        file=attachment,
        outlet="Courier",
        title="Fire, again",
        date="2024-03-12",
    )
    uploads = bot.settings.data_dir / "uploads"
    assert (uploads / "Fire_report.md").read_bytes() == b"# Fire\nIt burned."
    rows = list(csv.DictReader((uploads / "sources.csv").open()))
    assert rows == [
        {
            "file": "Fire_report.md",
            "outlet": "Courier",
            "title": "Fire, again",
            "published": "2024-03-12",
            "author": "",
            "url": "",
            "republished_by": "",
        }
    ]
    assert builder.calls == [None]
    assert bot.store.audit_log()[0].action == "ingest"


async def test_ingest_rejects_bad_date_and_big_files(bot: FactBot) -> None:
    interaction = mock_interaction(bot, permissions=discord.Permissions(manage_guild=True))
    with pytest.raises(UserFacingError, match="2024-03-12"):
        await _cog(bot).ingest.callback(
            _cog(bot), interaction, file=_attachment("a.txt"), date="yesterday"
        )
    with pytest.raises(UserFacingError, match="too large"):
        await _cog(bot).ingest.callback(
            _cog(bot), interaction, file=_attachment("a.txt", size=10**9)
        )


async def test_answer_here_toggles_channel(bot: FactBot) -> None:
    interaction = mock_interaction(bot, permissions=discord.Permissions(manage_guild=True))
    await _cog(bot).answer_here.callback(_cog(bot), interaction, enabled=True)
    assert interaction.channel_id in bot.get_cog("Chat").channels
    assert bot.store.answer_channels() == {interaction.channel_id}
    await _cog(bot).answer_here.callback(_cog(bot), interaction, enabled=False)
    assert interaction.channel_id not in bot.get_cog("Chat").channels


async def test_nothing_to_index_is_explained(bot: FactBot) -> None:
    def empty(paths, settings, progress=None):
        raise ValueError("nothing to index: give files or folders to build from")

    bot.builder = empty
    interaction = mock_interaction(bot, permissions=discord.Permissions(manage_guild=True))
    await _cog(bot).reindex.callback(_cog(bot), interaction, source=None)
    assert "nothing to index" in bot.store.audit_log()[0].result
