"""Slash lookups: defer first, core off the loop, followups within limits, friendly errors."""

from __future__ import annotations

import pytest
from discord import app_commands

from bot.answer.errors import QueryTooLongError
from bot.discord.app import GENERIC_ERROR, FactBot
from bot.discord.limits import Outgoing, check_message
from bot.discord.views import Pager
from tests.discord.fakes import FakeCore
from tests.discord.helpers import mock_interaction, sent_kwargs


def _cog(bot: FactBot):
    return bot.get_cog("Lookup")


def _assert_no_mentions(kwargs_list: list[dict]) -> None:
    for kwargs in kwargs_list:
        assert kwargs["allowed_mentions"].to_dict() == {"parse": []}
        page = Outgoing(content=kwargs.get("content"), embeds=kwargs.get("embeds") or [])
        assert check_message(page) == []


async def test_factcheck_defers_then_follows_up(bot: FactBot, core: FakeCore) -> None:
    interaction = mock_interaction(bot)
    await _cog(bot).factcheck.callback(_cog(bot), interaction, claim="Four ```workers``` died")
    interaction.response.defer.assert_awaited_once()
    assert core.calls == [("check", "Four workers died")]
    assert core.threads[0].startswith("factbot-core")  # not the event loop's thread
    sends = sent_kwargs(interaction.followup.send)
    _assert_no_mentions(sends)
    assert sends[-1]["view"].children[0].custom_id == "factbot:fb:up"
    embed = sends[0]["embeds"][0]
    assert embed.title.startswith("✅") and "Four workers died" in embed.description


async def test_factcheck_records_the_answer_for_feedback(bot: FactBot) -> None:
    interaction = mock_interaction(bot)
    await _cog(bot).factcheck.callback(_cog(bot), interaction, claim="x happened")
    rows = bot.store._db.execute("SELECT message_id, query, mode FROM answers").fetchall()
    assert [r[1:] for r in rows] == [("x happened", "claim")]
    assert bot.store.answer(rows[0][0])["sources"][0]["article_id"] == "art1"


async def test_too_long_claim_gets_a_short_reply(bot: FactBot) -> None:
    interaction = mock_interaction(bot)
    with pytest.raises(QueryTooLongError) as raised:
        await _cog(bot).factcheck.callback(_cog(bot), interaction, claim="word " * 800)
    await bot.on_app_command_error(
        interaction, app_commands.CommandInvokeError(_cog(bot).factcheck, raised.value)
    )
    text = interaction.followup.send.await_args.args[0]
    assert "too long" in text and "1000" in text


async def test_dead_index_gets_a_friendly_message(bot: FactBot, core: FakeCore) -> None:
    core.dead = True
    interaction = mock_interaction(bot)
    with pytest.raises(Exception) as raised:
        await _cog(bot).about.callback(_cog(bot), interaction)
    await bot.on_app_command_error(
        interaction, app_commands.CommandInvokeError(_cog(bot).about, raised.value)
    )
    call = interaction.followup.send.await_args
    assert call.args[0].startswith("Sorry, the search index cannot be reached")
    assert call.kwargs["ephemeral"] is True


async def test_unexpected_errors_stay_in_the_log(bot: FactBot, caplog) -> None:
    interaction = mock_interaction(bot)
    error = app_commands.CommandInvokeError(_cog(bot).about, RuntimeError("secret /etc/path"))
    await bot.on_app_command_error(interaction, error)
    text = interaction.response.send_message.await_args.args[0]
    assert text == GENERIC_ERROR and "secret" not in text
    assert "secret /etc/path" in caplog.text


async def test_cooldown_message_is_friendly(bot: FactBot) -> None:
    interaction = mock_interaction(bot)
    error = app_commands.CommandOnCooldown(app_commands.Cooldown(1, 10), 7.2)
    await bot.on_app_command_error(interaction, error)
    assert "try again in 7 s" in interaction.response.send_message.await_args.args[0]


async def test_cooldown_applies_per_user(bot: FactBot) -> None:
    bot.settings.command_cooldown_seconds = 30
    command = _cog(bot).factcheck
    first = mock_interaction(bot)
    assert await command._check_can_run(first)
    with pytest.raises(app_commands.CommandOnCooldown):
        await command._check_can_run(first)
    assert await command._check_can_run(mock_interaction(bot))  # another user


async def test_sources_paginates_with_buttons(bot: FactBot, core: FakeCore) -> None:
    interaction = mock_interaction(bot)
    await _cog(bot).sources.callback(_cog(bot), interaction, query="brightwater fire")
    assert core.calls == [("sources", "brightwater fire", 10)]
    sends = sent_kwargs(interaction.followup.send)
    assert len(sends) == 1
    pager = sends[0]["view"]
    assert isinstance(pager, Pager) and len(pager.pages) > 1
    for page in pager.pages:
        assert check_message(page) == []
    assert "@everyone" not in str([e.to_dict() for p in pager.pages for e in p.embeds])


async def test_pager_flips_for_its_owner_only(bot: FactBot) -> None:
    interaction = mock_interaction(bot)
    await _cog(bot).sources.callback(_cog(bot), interaction, query="fire")
    pager = sent_kwargs(interaction.followup.send)[0]["view"]
    other = mock_interaction(bot)
    assert not await pager.interaction_check(other)
    owner = mock_interaction(bot, user=interaction.user)
    assert await pager.interaction_check(owner)
    await pager.next.callback(owner)
    assert pager.index == 1
    owner.response.edit_message.assert_awaited_once()


async def test_quote_outlets_about(bot: FactBot, core: FakeCore) -> None:
    for name, kwargs in (
        ("quote", {"text": "We evacuated 40 homes"}),
        ("outlets", {}),
        ("about", {}),
    ):
        interaction = mock_interaction(bot)
        command = getattr(_cog(bot), name)
        await command.callback(_cog(bot), interaction, **kwargs)
        interaction.response.defer.assert_awaited_once()
        _assert_no_mentions(sent_kwargs(interaction.followup.send))
    assert [c[0] for c in core.calls] == ["quote", "outlets", "status"]
