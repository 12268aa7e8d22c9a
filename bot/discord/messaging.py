"""Chat-side sending: replies with no mentions, reactions, rare notices, answer records."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import discord

from bot.answer.types import Reply
from bot.discord.limits import Outgoing

log = logging.getLogger(__name__)
NONE = discord.AllowedMentions.none()
NOTICE_EVERY = 60.0  # seconds: at most one busy/cooldown notice per channel
NOTICE_LIFETIME = 30.0  # seconds before a notice deletes itself


async def reply_in_chat(
    message: discord.Message, pages: list[Outgoing], view: discord.ui.View | None = None
) -> list[discord.Message]:
    """Reply to a chat message with one or more messages; `view` goes on the last one."""
    sent: list[discord.Message] = []
    for i, page in enumerate(pages):
        kwargs: dict[str, Any] = {
            "content": page.content, "embeds": page.embeds, "allowed_mentions": NONE
        }
        if i == len(pages) - 1 and view is not None:
            kwargs["view"] = view
        if i == 0:
            sent.append(await message.reply(mention_author=False, **kwargs))
        else:
            sent.append(await message.channel.send(**kwargs))
    return sent


async def react(message: discord.Message, emoji: str) -> bool:
    """Add a reaction (best effort: missing permissions or a deleted message are logged)."""
    try:
        await message.add_reaction(emoji)
    except discord.HTTPException as exc:
        log.info("could not react to message %s: %s", message.id, exc.status)
        return False
    return True


class Notices:
    """Short public notices (busy, slow down) at most once per channel per `NOTICE_EVERY`.

    A burst of questions gets reactions on each message and one notice that explains them,
    which deletes itself after `NOTICE_LIFETIME`: never a reply per message.
    """

    def __init__(self) -> None:
        self._last: dict[int, float] = {}

    async def post(self, channel: discord.abc.Messageable, channel_id: int, text: str) -> bool:
        now = time.monotonic()
        if now - self._last.get(channel_id, float("-inf")) < NOTICE_EVERY:
            return False
        self._last[channel_id] = now
        try:
            await channel.send(text, allowed_mentions=NONE, delete_after=NOTICE_LIFETIME)
        except discord.HTTPException as exc:
            log.info("could not post a notice in channel %s: %s", channel_id, exc.status)
            return False
        return True


def answer_record(reply: Reply) -> dict[str, Any]:
    """The reply as stored for its message: JSON, with the fields `model_dump` leaves out."""
    data = reply.model_dump(mode="json")
    for stored, source in zip(data["sources"], reply.sources, strict=True):
        stored["article_id"] = source.article_id
        stored["author"] = source.author
        stored["republished_by"] = source.republished_by
    data["notes"] = list(reply.notes)
    return data


async def record_answer(
    bot: discord.Client, sent: list[Any], reply: Reply, user_id: int
) -> None:
    """Remember the reply under each message id it was shown in (buttons, follow-ups)."""
    data = answer_record(reply)
    store = bot.store  # type: ignore[attr-defined]
    for message in sent:
        await asyncio.to_thread(store.record_answer, message.id, message.channel.id, user_id, data)
