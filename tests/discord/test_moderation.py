"""Moderator checks in code, /reindex and /ingest builds off the loop, one at a time, audited."""

from __future__ import annotations

import asyncio
import csv
import sys
from unittest.mock import AsyncMock, MagicMock

import discord
import pytest

from bot.answer.errors import UserFacingError
from bot.discord.app import FactBot
from bot.discord.checks import NotModerator
from tests.discord.fakes import FakeBuilder, FakeCore
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


async def test_reindex_reports_progress_and_summary(
    bot: FactBot, core: FakeCore, builder: FakeBuilder, monkeypatch
) -> None:
    monkeypatch.setattr(sys.modules["bot.discord.cogs.moderation"], "EDIT_EVERY", 0.05)
    builder.duration = 0.3
    interaction = mock_interaction(bot, permissions=discord.Permissions(manage_guild=True))
    await _cog(bot).reindex.callback(_cog(bot), interaction, source="demo")
    assert builder.calls == [[bot.settings.named_sources["demo"]]]
    sent = interaction.followup.send.await_args_list
    assert len(sent) == 1 and sent[0].args[0].startswith("⏳")
    assert core.reloads == 1
    audit = bot.store.audit_log()
    assert audit[0].action == "reindex" and audit[0].ok and "added 1" in audit[0].result


async def test_progress_edits_one_message(bot: FactBot, builder: FakeBuilder, monkeypatch) -> None:
    monkeypatch.setattr(sys.modules["bot.discord.cogs.moderation"], "EDIT_EVERY", 0.05)
    builder.duration = 0.4
    edits: list[str] = []
    message = MagicMock(spec_set=discord.WebhookMessage)
    message.edit = AsyncMock(side_effect=lambda **kw: edits.append(kw["content"]))
    interaction = mock_interaction(bot, permissions=discord.Permissions(manage_guild=True))
    interaction.followup.send.side_effect = None
    interaction.followup.send.return_value = message
    await _cog(bot).reindex.callback(_cog(bot), interaction, source=None)
    assert builder.calls == [None]
    assert any(e.startswith("⏳ Reindexing: embed") for e in edits)
    assert edits[-1].startswith("✅ Reindex finished") and "added 1 · updated 0" in edits[-1]


async def test_second_reindex_is_told_one_is_running(
    bot: FactBot, core: FakeCore, builder: FakeBuilder
) -> None:
    builder.wait_for_release = True
    first = mock_interaction(bot, permissions=discord.Permissions(manage_guild=True))
    task = asyncio.create_task(_cog(bot).reindex.callback(_cog(bot), first, source=None))
    while not bot.build_lock.locked():
        await asyncio.sleep(0.01)
    # answers are still served from the previous index while the build runs
    answer = await asyncio.wait_for(bot.call_core("ask", "still there?"), 2)
    assert answer.query == "still there?"
    second = mock_interaction(bot, permissions=discord.Permissions(manage_guild=True))
    await _cog(bot).reindex.callback(_cog(bot), second, source=None)
    assert "already running" in second.followup.send.await_args.args[0]
    builder.release.set()
    await asyncio.wait_for(task, 5)
    assert len(builder.calls) == 1


async def test_reindex_refuses_paths_outside_sources(bot: FactBot, tmp_path) -> None:
    interaction = mock_interaction(bot, permissions=discord.Permissions(manage_guild=True))
    with pytest.raises(UserFacingError):
        await _cog(bot).reindex.callback(_cog(bot), interaction, source="/etc")
    (tmp_path / "corpus" / "sub").mkdir(parents=True)
    await _cog(bot).reindex.callback(
        _cog(bot), interaction, source=str(tmp_path / "corpus" / "sub")
    )


async def test_failed_build_keeps_serving_and_is_audited(bot: FactBot, core: FakeCore) -> None:
    def broken(paths, settings, progress=None):
        raise RuntimeError("disk on fire")

    bot.builder = broken
    interaction = mock_interaction(bot, permissions=discord.Permissions(manage_guild=True))
    await _cog(bot).reindex.callback(_cog(bot), interaction, source=None)
    assert core.reloads == 0
    row = bot.store.audit_log()[0]
    assert not row.ok and "RuntimeError" in row.result and "disk on fire" not in row.result


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


async def test_result_posted_in_channel_when_token_expired(bot: FactBot) -> None:
    message = MagicMock(spec_set=discord.WebhookMessage)
    response = MagicMock(status=401, reason="Unauthorized")
    message.edit = AsyncMock(side_effect=discord.HTTPException(response, "expired"))
    interaction = mock_interaction(bot, permissions=discord.Permissions(manage_guild=True))
    interaction.followup.send.side_effect = None
    interaction.followup.send.return_value = message
    await _cog(bot).reindex.callback(_cog(bot), interaction, source=None)
    text = interaction.channel.send.await_args.args[0]
    assert text.startswith("✅ Reindex finished")
