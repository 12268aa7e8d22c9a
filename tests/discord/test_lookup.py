"""Lookup cog with `spec_set` mocks: work off the loop, input checked first, the pager.

Visibility and the first-response rules are tested end to end in `test_e2e_visibility.py`.
"""

from __future__ import annotations

import pytest
from discord import app_commands

from bot.answer.errors import QueryTooLongError, UserFacingError
from bot.discord.app import GENERIC_ERROR, FactBot
from bot.discord.limits import check_message
from bot.discord.pager import Pager
from tests.discord.fakes import FakeCore
from tests.discord.helpers import mock_interaction, sent_kwargs


def _cog(bot: FactBot):
    return bot.get_cog("Lookup")


async def test_factcheck_runs_the_core_off_the_loop_and_answers_once(
    bot: FactBot, core: FakeCore
) -> None:
    interaction = mock_interaction(bot)
    await _cog(bot).factcheck.callback(_cog(bot), interaction, claim="Four ```workers``` died")
    assert core.calls == [("check", "Four workers died")]
    assert core.threads[0].startswith("factbot-core")  # not the event loop's thread
    interaction.response.defer.assert_not_awaited()  # fast: answered directly
    kwargs = interaction.response.send_message.await_args.kwargs
    assert kwargs["ephemeral"] is False and kwargs["allowed_mentions"].to_dict() == {"parse": []}
    assert kwargs["embeds"][0].title == "✅ SUPPORTED"
    assert kwargs["embeds"][0].description.startswith("**Claim:** Four workers died")


@pytest.mark.parametrize("text", ["word " * 800, "``` ```", "<@123456789012345678>"])
async def test_bad_input_raises_before_any_response(bot: FactBot, core: FakeCore, text) -> None:
    interaction = mock_interaction(bot)
    with pytest.raises(UserFacingError) as raised:
        await _cog(bot).ask.callback(_cog(bot), interaction, question=text)
    interaction.response.defer.assert_not_awaited()
    interaction.response.send_message.assert_not_awaited()
    assert core.calls == []
    await bot.on_app_command_error(
        interaction, app_commands.CommandInvokeError(_cog(bot).ask, raised.value)
    )
    assert interaction.response.send_message.await_args.kwargs["ephemeral"] is True
    if isinstance(raised.value, QueryTooLongError):
        assert "1000" in interaction.response.send_message.await_args.args[0]


async def test_unexpected_errors_stay_in_the_log(bot: FactBot, caplog) -> None:
    interaction = mock_interaction(bot)
    error = app_commands.CommandInvokeError(_cog(bot).about, RuntimeError("secret /etc/path"))
    await bot.on_app_command_error(interaction, error)
    text = interaction.response.send_message.await_args.args[0]
    assert text == GENERIC_ERROR and "secret" not in text
    assert "secret /etc/path" in caplog.text


async def test_cooldown_applies_per_user(bot: FactBot) -> None:
    bot.settings.command_cooldown_seconds = 30
    for command in (_cog(bot).ask, _cog(bot).factcheck):
        first = mock_interaction(bot)
        assert await command._check_can_run(first)
        with pytest.raises(app_commands.CommandOnCooldown):
            await command._check_can_run(first)
        assert await command._check_can_run(mock_interaction(bot))  # another user


async def test_sources_pages_fit_and_sit_behind_one_pager(bot: FactBot, core: FakeCore) -> None:
    interaction = mock_interaction(bot)
    await _cog(bot).sources.callback(_cog(bot), interaction, query="brightwater fire")
    assert core.calls == [("sources", "brightwater fire", 10)]
    kwargs = interaction.response.send_message.await_args.kwargs
    assert kwargs["ephemeral"] is True
    pager = kwargs["view"]
    assert isinstance(pager, Pager) and len(pager.pages) > 1
    for page in pager.pages:
        assert check_message(page) == [] and page.content is None  # no "part i/n" labels
    assert "@everyone" not in str([e.to_dict() for p in pager.pages for e in p.embeds])


async def test_pager_flips_for_its_owner_and_copies_for_others(bot: FactBot) -> None:
    interaction = mock_interaction(bot)
    await _cog(bot).sources.callback(_cog(bot), interaction, query="fire", share=True)
    pager = interaction.response.send_message.await_args.kwargs["view"]
    other = mock_interaction(bot)
    await pager.next.callback(other)
    copy = other.response.send_message.await_args.kwargs
    assert copy["ephemeral"] is True and copy["view"].owner_id == other.user.id
    assert copy["view"].index == 1 and pager.index == 0  # the shared one did not move
    owner = mock_interaction(bot, user=interaction.user)
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
        await getattr(_cog(bot), name).callback(_cog(bot), interaction, **kwargs)
        sent = interaction.response.send_message.await_args.kwargs
        assert sent["ephemeral"] is True and sent["allowed_mentions"].to_dict() == {"parse": []}
        assert not sent_kwargs(interaction.followup.send)
    assert [c[0] for c in core.calls] == ["quote", "outlets", "status", "outlets"]
