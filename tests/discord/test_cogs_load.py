"""Every cog imports and loads; no two commands share a name."""

from __future__ import annotations

from collections import Counter

from discord import app_commands

from bot.discord.app import EXTENSIONS, FactBot


def _names(bot: FactBot) -> list[str]:
    names: list[str] = []
    for command in bot.tree.walk_commands():
        names.append(command.qualified_name)
    return names


async def test_every_cog_loads_once_and_names_are_unique(bot: FactBot) -> None:
    assert set(bot.extensions) == set(EXTENSIONS)
    assert {c for c in bot.cogs} == {"Chat", "Lookup", "Moderation", "Feedback", "News"}
    names = _names(bot)
    duplicates = [n for n, k in Counter(names).items() if k > 1]
    assert not duplicates, duplicates
    assert {
        "ask",
        "uploads",
        "factcheck",
        "sources",
        "quote",
        "outlets",
        "about",
        "reindex",
        "ingest",
        "reports",
        "answer-here",
        "audit",
    } <= set(names)
    assert not bot.commands  # no prefix commands
    for command in bot.tree.walk_commands():
        assert command.description and command.description != "…", command.name


async def test_moderator_commands_set_default_permissions(bot: FactBot) -> None:
    for name in ("reindex", "ingest", "uploads", "reports", "answer-here", "audit"):
        command = bot.tree.get_command(name)
        assert isinstance(command, app_commands.Command)
        assert command.default_permissions is not None and command.default_permissions.manage_guild
        assert command.guild_only and command.checks


async def test_a_broken_cog_does_not_stop_startup(bot: FactBot, monkeypatch, caplog) -> None:
    await bot.unload_extension("bot.discord.cogs.feedback")
    monkeypatch.setattr(
        "bot.discord.app.EXTENSIONS", ("bot.discord.cogs.nope", "bot.discord.cogs.feedback")
    )
    await bot.setup_hook()
    assert "bot.discord.cogs.feedback" in bot.extensions
    assert "could not load cog bot.discord.cogs.nope" in caplog.text
