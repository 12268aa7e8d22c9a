"""Chat cog with `spec_set` mocks: who is answered, routing, context, bad input, no pings.

The gateway path is covered end to end in `test_e2e*.py`; these cover what the fake does
not model (threads) and the cog's decisions one by one.
"""

from __future__ import annotations

from unittest.mock import AsyncMock, MagicMock

import discord

from bot.discord.app import FactBot
from bot.discord.limits import Outgoing, check_message
from tests.discord.fakes import ARTICLE, FakeCore
from tests.discord.helpers import BOT_ID, mock_channel, mock_member, mock_message, sent_kwargs

MENTION = f"<@{BOT_ID}>"


def _chat(bot: FactBot):
    return bot.get_cog("Chat")


def _all_sent(message: MagicMock) -> list[dict]:
    return sent_kwargs(message.reply) + sent_kwargs(message.channel.send)


def _assert_safe(sent: list[dict]) -> None:
    assert sent
    for kwargs in sent:
        assert kwargs["allowed_mentions"].to_dict() == {"parse": []}
        page = Outgoing(content=kwargs.get("content"), embeds=kwargs.get("embeds") or [])
        assert check_message(page) == []
        blob = str(kwargs.get("content")) + str([e.to_dict() for e in page.embeds])
        assert "@everyone" not in blob and "@here" not in blob and "<@&" not in blob


async def test_mention_question_gets_one_cited_reply(bot: FactBot, core: FakeCore) -> None:
    message = mock_message(f"{MENTION} when did the fire start?")
    await _chat(bot).on_message(message)
    assert core.calls == [("ask", "when did the fire start?", None)]
    message.channel.typing.assert_called_once()
    sent = _all_sent(message)
    _assert_safe(sent)
    assert len(sent) == 1 and message.reply.await_args.kwargs["mention_author"] is False
    description = sent[0]["embeds"][0].description
    assert "— **Tarnholm Courier** · 12 Mar 2024 · [Article 1](https://example.org/1#:~:text=" in (
        description
    )
    assert [i.custom_id for i in sent[0]["view"].children][:2] == ["factbot:all", "factbot:fb:up"]


async def test_statement_goes_to_check(bot: FactBot, core: FakeCore) -> None:
    await _chat(bot).on_message(mock_message(f"{MENTION} Four workers died in the fire."))
    assert core.calls == [("check", "Four workers died in the fire.")]


async def test_unaddressed_and_bot_messages_are_ignored(bot: FactBot, core: FakeCore) -> None:
    await _chat(bot).on_message(mock_message("when did the fire start?"))
    await _chat(bot).on_message(mock_message(f"{MENTION} hi?", author=mock_member(bot=True)))
    assert core.calls == []


async def test_answer_channel_answers_everything(bot: FactBot, core: FakeCore) -> None:
    channel = mock_channel()
    _chat(bot).set_channel(channel.id, True)
    await _chat(bot).on_message(mock_message("did the river get polluted?", channel=channel))
    thread = mock_channel(discord.Thread, parent_id=channel.id)
    await _chat(bot).on_message(mock_message("who owns the plant?", channel=thread))
    assert [c[0] for c in core.calls] == ["ask", "ask"]


async def test_answer_channel_ignores_empty_messages(bot: FactBot, core: FakeCore) -> None:
    channel = mock_channel()
    _chat(bot).set_channel(channel.id, True)
    message = mock_message("<:pog:1234567890123456789>", channel=channel)
    await _chat(bot).on_message(message)
    assert core.calls == [] and _all_sent(message) == []  # no help spam in answer channels


async def test_thread_follow_up_uses_first_question(bot: FactBot, core: FakeCore) -> None:
    thread = mock_channel(discord.Thread)
    await _chat(bot).on_message(mock_message(f"{MENTION} when did the fire start?", channel=thread))
    await _chat(bot).on_message(mock_message(f"{MENTION} and who put it out?", channel=thread))
    assert core.calls[1] == ("ask", "and who put it out?", "when did the fire start?")


async def test_reply_to_bot_answer_is_a_follow_up(bot: FactBot, core: FakeCore) -> None:
    first = mock_message(f"{MENTION} when did the fire start?")
    await _chat(bot).on_message(first)
    answer_id = bot.store._db.execute("SELECT message_id FROM answers").fetchone()[0]
    resolved = MagicMock(spec_set=discord.Message)
    resolved.author = MagicMock(spec_set=discord.ClientUser)
    resolved.author.id = BOT_ID
    reference = MagicMock(spec_set=discord.MessageReference)
    reference.message_id = answer_id
    reference.resolved = resolved
    await _chat(bot).on_message(mock_message("why?", reference=reference))
    assert core.calls[1] == ("ask", "why?", "when did the fire start?")


async def test_attachment_only_is_explained(bot: FactBot, core: FakeCore) -> None:
    message = mock_message(MENTION, attachments=[MagicMock(spec_set=discord.Attachment)])
    await _chat(bot).on_message(message)
    assert "/ingest" in message.reply.await_args.kwargs["content"]


async def test_very_long_question_gets_short_reply(bot: FactBot, core: FakeCore) -> None:
    message = mock_message(f"{MENTION} " + "why " * 1000)
    await _chat(bot).on_message(message)
    assert core.calls == []
    text = message.reply.await_args.kwargs["content"]
    assert "under 1000" in text and len(text) < 200


async def test_injection_never_pings(bot: FactBot, core: FakeCore) -> None:
    core.quote_text = ARTICLE
    victim = mock_member(name="@everyone")
    message = mock_message(
        f"{MENTION} is @everyone <@&123456789012345678> <@{victim.id}> \u202esafe\u202c? @here",
        mentions=[victim],
    )
    await _chat(bot).on_message(message)
    assert core.calls[0][1] == "is safe?"
    _assert_safe(_all_sent(message))


async def test_dead_chroma_gets_short_reply(bot: FactBot, core: FakeCore) -> None:
    core.dead = True
    message = mock_message(f"{MENTION} is it on fire?")
    await _chat(bot).on_message(message)
    text = message.reply.await_args.kwargs["content"]
    assert text.startswith("Sorry, the search index cannot be reached")


async def test_crash_in_core_is_logged_not_shown(bot: FactBot, core: FakeCore, caplog) -> None:
    core.ask = MagicMock(side_effect=KeyError("internal detail"))
    message = mock_message(f"{MENTION} is it on fire?")
    await _chat(bot).on_message(message)
    assert "internal detail" not in message.reply.await_args.kwargs["content"]
    assert "answering message" in caplog.text


async def test_cooldown_is_a_reaction_not_a_reply(bot: FactBot, core: FakeCore) -> None:
    from discord.ext import commands

    _chat(bot).cooldowns = commands.CooldownMapping.from_cooldown(1, 60, commands.BucketType.user)
    author = mock_member()
    channel = mock_channel()
    messages = []
    for text in ("one?", "two?", "three?"):
        message = mock_message(f"{MENTION} {text}", author=author, channel=channel)
        message.created_at = discord.utils.utcnow()
        message.add_reaction = AsyncMock()
        await _chat(bot).on_message(message)
        messages.append(message)
    assert len(core.calls) == 1
    for skipped in messages[1:]:
        skipped.add_reaction.assert_awaited_once_with("⏳")
        skipped.reply.assert_not_awaited()
    assert channel.send.await_count == 1  # one notice for both, not one per message
    assert channel.send.await_args.kwargs["delete_after"] > 0


async def test_long_answer_is_one_message_with_buttons(bot: FactBot, core: FakeCore) -> None:
    core.n_sources = 25
    core.quote_text = "A long verified quote. " * 60
    message = mock_message(f"{MENTION} tell me everything?")
    await _chat(bot).on_message(message)
    sent = _all_sent(message)
    assert len(sent) == 1
    _assert_safe(sent)
    ids = [r[0] for r in bot.store._db.execute("SELECT message_id FROM answers")]
    assert len(ids) == 1
    assert bot.store.answer(ids[0])["sources"][24]["article_id"] == "art25"
