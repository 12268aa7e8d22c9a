"""Sending rendered messages: every send with no mentions, the view on the last message."""

from __future__ import annotations

import asyncio
import logging

import discord

from bot.answer.types import Reply
from bot.discord.limits import Outgoing
from bot.discord.views import Pager, feedback_view

log = logging.getLogger(__name__)
NONE = discord.AllowedMentions.none()


async def reply_in_chat(
    message: discord.Message, pages: list[Outgoing], view: discord.ui.View | None = None
) -> list[discord.Message]:
    """Reply to a chat message with one or more messages; `view` goes on the last one."""
    sent: list[discord.Message] = []
    for i, page in enumerate(pages):
        last = i == len(pages) - 1
        kwargs = {"content": page.content, "embeds": page.embeds, "allowed_mentions": NONE}
        if last and view is not None:
            kwargs["view"] = view
        if i == 0:
            sent.append(await message.reply(mention_author=False, **kwargs))
        else:
            sent.append(await message.channel.send(**kwargs))
    return sent


async def followup(
    interaction: discord.Interaction,
    pages: list[Outgoing],
    view: discord.ui.View | None = None,
    ephemeral: bool = False,
) -> list[discord.WebhookMessage]:
    """Answer a deferred interaction with one or more followup messages."""
    sent: list[discord.WebhookMessage] = []
    for i, page in enumerate(pages):
        kwargs = {
            "content": page.content,
            "embeds": page.embeds,
            "allowed_mentions": NONE,
            "wait": True,
            "ephemeral": ephemeral,
        }
        if i == len(pages) - 1 and view is not None:
            kwargs["view"] = view
        sent.append(await interaction.followup.send(**kwargs))
    return sent


async def paged_followup(interaction: discord.Interaction, pages: list[Outgoing]) -> None:
    """One followup message, with ◀ / ▶ buttons when there is more than one page."""
    if len(pages) == 1:
        await followup(interaction, pages)
        return
    pager = Pager(pages, interaction.user.id)
    first = pages[0]
    pager.message = await interaction.followup.send(
        content=first.content, embeds=first.embeds, view=pager, allowed_mentions=NONE, wait=True
    )


async def record_answer(bot: discord.Client, sent: list, reply: Reply, user_id: int) -> None:
    """Remember the reply under each message id it was shown in (feedback, follow-ups)."""
    data = reply.model_dump(mode="json")
    data["sources"] = [
        {**s, "article_id": src.article_id}
        for s, src in zip(data["sources"], reply.sources, strict=True)
    ]
    for message in sent:
        await asyncio.to_thread(
            bot.store.record_answer,
            message.id,
            message.channel.id,
            user_id,
            data,  # type: ignore[attr-defined]
        )


def answer_view() -> discord.ui.View:
    """The feedback buttons under an answer."""
    return feedback_view()
