"""Chat answers: when mentioned, when replied to, and in answer channels.

Routing: text ending in `?` or starting with a question word goes to `core.ask`; a leading
`claim:` / `check:` or any other statement goes to `core.check`. In a thread, the first
question answered there is passed as context; in a reply to one of the bot's answers, that
answer's question is.
"""

from __future__ import annotations

import asyncio
import logging

import discord
from discord.ext import commands

from bot.answer.errors import UserFacingError
from bot.discord.app import GENERIC_ERROR, FactBot
from bot.discord.messaging import answer_view, record_answer, reply_in_chat
from bot.discord.render import plain, render_reply
from bot.discord.safety import neutralise_mentions, route, sanitise_query, strip_leading_mention

log = logging.getLogger(__name__)

HELP = (
    "Ask me about the indexed news, e.g. *did the fire reach the river?*, or give me a "
    "claim to check, e.g. *claim: four workers died*."
)
NO_ATTACHMENTS = "I only read text here; moderators can add articles with `/ingest`."


class Chat(commands.Cog):
    """Answers questions and checks claims typed in chat."""

    def __init__(self, bot: FactBot) -> None:
        self.bot = bot
        per = bot.settings.command_cooldown_seconds
        self.cooldowns = (
            commands.CooldownMapping.from_cooldown(1, per, commands.BucketType.user)
            if per > 0
            else None
        )
        self.channels: set[int] = set(bot.settings.answer_channels)

    async def cog_load(self) -> None:
        self.channels |= await asyncio.to_thread(self.bot.store.answer_channels)

    def set_channel(self, channel_id: int, on: bool) -> None:
        """Turn answering every message in a channel on or off (moderation cog calls this)."""
        (self.channels.add if on else self.channels.discard)(channel_id)

    def _addressed(self, message: discord.Message) -> bool:
        me = self.bot.user
        if me is None:
            return False
        if me.id in message.raw_mentions:
            return True
        ref = message.reference
        if ref is not None and isinstance(ref.resolved, discord.Message):
            return ref.resolved.author.id == me.id
        channel = message.channel
        parent = getattr(channel, "parent_id", None)
        return channel.id in self.channels or (parent is not None and parent in self.channels)

    def _text(self, message: discord.Message) -> str:
        content = strip_leading_mention(message.content, self.bot.user.id)  # type: ignore[union-attr]
        for user in message.mentions:
            for token in (f"<@{user.id}>", f"<@!{user.id}>"):
                content = content.replace(token, user.display_name)
        return sanitise_query(content)

    async def _context(self, message: discord.Message) -> str | None:
        store = self.bot.store
        if isinstance(message.channel, discord.Thread):
            first = await asyncio.to_thread(store.first_question, message.channel.id)
            if first:
                return first
        ref = message.reference
        if ref is not None and ref.message_id is not None:
            answer = await asyncio.to_thread(store.answer, ref.message_id)
            if answer:
                return answer.get("query")
        return None

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        """Answer a message addressed to the bot."""
        if message.author.bot or message.guild is None or not self._addressed(message):
            return
        text = self._text(message)
        if not text:
            await reply_in_chat(message, plain(NO_ATTACHMENTS if message.attachments else HELP))
            return
        limit = self.bot.settings.max_query_chars
        if len(text) > limit:
            await reply_in_chat(
                message, plain(f"That is {len(text)} characters; please keep it under {limit}.")
            )
            return
        if self.cooldowns is not None:
            retry = self.cooldowns.update_rate_limit(message)
            if retry:
                await reply_in_chat(message, plain(f"One at a time: try again in {retry:.0f} s."))
                return
        mode, query = route(text)
        try:
            async with message.channel.typing():
                if mode == "check":
                    reply = await self.bot.call_core("check", query)
                else:
                    reply = await self.bot.call_core("ask", query, await self._context(message))
            sent = await reply_in_chat(message, render_reply(reply), answer_view())
        except UserFacingError as exc:
            await reply_in_chat(message, plain(neutralise_mentions(str(exc))))
            return
        except Exception:
            log.exception(
                "answering message %s in channel %s failed", message.id, message.channel.id
            )
            try:
                await reply_in_chat(message, plain(GENERIC_ERROR))
            except discord.HTTPException:
                log.warning("could not send the error reply either")
            return
        await record_answer(self.bot, sent, reply, message.author.id)


async def setup(bot: FactBot) -> None:
    """Load the chat cog."""
    await bot.add_cog(Chat(bot))
