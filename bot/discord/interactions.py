"""Answering slash commands with the right visibility.

Discord rules this module follows:
- The first response decides visibility. A deferred response ("thinking…") is public or
  ephemeral once and for all, and the first followup after a defer *replaces* that thinking
  message, so it takes the defer's visibility whatever `ephemeral` it asks for.
- The first response must come within 3 seconds.

So errors must be known before deferring publicly: commands validate their input first (an
error is then an ephemeral first response). `deliver` starts the work and waits up to
`FAST_ANSWER_SECONDS`: an answer (or error) ready by then is the first response itself, with
its own visibility, and only slower work is deferred. If slow work then fails after a public
defer, the public thinking message is deleted before the error is sent, ephemerally.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any

import discord

from bot.answer.types import Reply
from bot.discord.limits import Outgoing
from bot.discord.pager import Pager

log = logging.getLogger(__name__)
NONE = discord.AllowedMentions.none()
FAST_ANSWER_SECONDS = 1.5
PUBLIC_THINKING = "factbot_public_thinking"  # in `interaction.extras` while it is shown


@dataclass
class Result:
    """What a command shows: pages (one message, or a pager), buttons, the reply if any."""

    pages: list[Outgoing]
    view: discord.ui.View | None = None
    reply: Reply | None = None
    paged: bool = False  # several pages: one message with ◀ ▶ instead of several messages


async def deliver(
    interaction: discord.Interaction, work: Awaitable[Result], *, ephemeral: bool = False
) -> tuple[list[Any], Result]:
    """Run `work` and show its result; returns the messages sent (for records) and the result.

    Exceptions from `work` propagate to the command error handler, which answers with
    `respond_error` (ephemeral, whatever happened before).
    """
    task = asyncio.ensure_future(work)
    done, _ = await asyncio.wait({task}, timeout=FAST_ANSWER_SECONDS)
    if not done:
        await interaction.response.defer(ephemeral=ephemeral, thinking=True)
        interaction.extras[PUBLIC_THINKING] = not ephemeral
    result = await task
    return await _send(interaction, result, ephemeral), result


async def _send(interaction: discord.Interaction, result: Result, ephemeral: bool) -> list[Any]:
    pages = result.pages
    pager = Pager(pages, interaction.user.id) if result.paged and len(pages) > 1 else None
    if pager is not None:
        pages = pages[:1]
    view = pager or result.view
    sent: list[Any] = []
    for i, page in enumerate(pages):
        kwargs: dict[str, Any] = {
            "content": page.content, "embeds": page.embeds, "allowed_mentions": NONE,
            "ephemeral": ephemeral,
        }
        if i == len(pages) - 1 and view is not None:
            kwargs["view"] = view
        if not interaction.response.is_done():
            callback = await interaction.response.send_message(**kwargs)
            message = callback.resource
            if not isinstance(message, discord.InteractionMessage):
                message = await interaction.original_response()
            sent.append(message)
        else:
            sent.append(await interaction.followup.send(wait=True, **kwargs))
            interaction.extras[PUBLIC_THINKING] = False
    if pager is not None:
        pager.message = sent[0]
    return sent


async def respond_error(interaction: discord.Interaction, text: str) -> None:
    """Tell only the user what went wrong (`text` must already be safe to show)."""
    try:
        if not interaction.response.is_done():
            await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NONE)
            return
        if interaction.extras.pop(PUBLIC_THINKING, False):
            # the first followup would replace the public thinking message, and be public
            try:
                await interaction.delete_original_response()
            except discord.HTTPException:
                log.info("could not delete the thinking message of %s", interaction.id)
        await interaction.followup.send(text, ephemeral=True, allowed_mentions=NONE)
    except discord.HTTPException:
        log.warning("could not send an error message for interaction %s", interaction.id)
