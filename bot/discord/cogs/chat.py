"""Chat answers: when mentioned, when replied to, and in answer channels.

Routing: text ending in `?` or starting with a question word goes to `core.ask`; a leading
`claim:` / `check:` or any other statement goes to `core.check`. Mentions and custom emoji
are removed from the text first. In a thread, the first question answered there is passed
as context; in a reply to one of the bot's answers, that answer's question is.

Without the message-content intent Discord only sends the text of messages that mention the
bot, so only mentions are answered (and `/ask`, in the lookup cog).

A user on cooldown, or a question arriving while the core's queue is full, gets a ⏳
reaction, and the channel at most one short notice a minute: never a reply per message.
"""

from __future__ import annotations

import asyncio
import logging

import discord
from discord.ext import commands

from bot.answer.errors import UserFacingError
from bot.discord.app import GENERIC_ERROR, CoreBusyError, FactBot
from bot.discord.help import Overview, help_text, overview
from bot.discord.messaging import Notices, react, record_answer, reply_in_chat
from bot.discord.render import plain, render_reply
from bot.discord.safety import neutralise_mentions, route, sanitise_query
from bot.discord.views import answer_view

log = logging.getLogger(__name__)

WAIT = "⏳"
NO_ATTACHMENTS = "I only read text here; moderators can add articles with `/ingest`."
SLOW_DOWN = "⏳ marks questions I skipped: one question every {seconds:.0f} s per person, please."
BUSY = "⏳ marks questions I could not take: I'm busy, please ask again in a few seconds."


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
        self.notices = Notices()

    async def cog_load(self) -> None:
        self.channels |= await asyncio.to_thread(self.bot.store.answer_channels)

    def set_channel(self, channel_id: int, on: bool) -> None:
        """Turn answering every message in a channel on or off (moderation cog calls this)."""
        (self.channels.add if on else self.channels.discard)(channel_id)

    def _mentioned(self, message: discord.Message) -> bool:
        me = self.bot.user
        return me is not None and (
            me.id in message.raw_mentions or any(u.id == me.id for u in message.mentions)
        )

    def _addressed(self, message: discord.Message) -> bool:
        me = self.bot.user
        if me is None:
            return False
        if self._mentioned(message):
            return True
        if not self.bot.settings.message_content_intent:
            return False  # Discord sends no text for anything else
        ref = message.reference
        resolved = ref.resolved if ref is not None else None
        if isinstance(resolved, discord.Message) and resolved.author.id == me.id:
            return True
        channel = message.channel
        parent = getattr(channel, "parent_id", None)
        return channel.id in self.channels or (parent is not None and parent in self.channels)

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

    async def _help(self, message: discord.Message) -> None:
        view: Overview | None
        try:
            view = await self.bot.run_on_core(lambda: overview(self.bot.core))
        except CoreBusyError:
            await self._wait_mark(message, BUSY)
            return
        except Exception as exc:  # the help must still be shown
            log.info("no index overview for help: %s", exc.__class__.__name__)
            view = None
        me = self.bot.user
        name = me.display_name if me is not None else "factbot"
        text = help_text(view, name, slash_only=not self.bot.settings.message_content_intent)
        await reply_in_chat(message, plain(text))

    async def _wait_mark(self, message: discord.Message, notice: str) -> None:
        await react(message, WAIT)
        await self.notices.post(message.channel, message.channel.id, notice)

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        """Answer a message addressed to the bot."""
        if message.author.bot or message.guild is None or not self._addressed(message):
            return
        text = sanitise_query(message.content)
        if not text:
            if self._mentioned(message):
                if message.attachments:
                    await reply_in_chat(message, plain(NO_ATTACHMENTS))
                else:
                    await self._help(message)
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
                seconds = self.bot.settings.command_cooldown_seconds
                await self._wait_mark(message, SLOW_DOWN.format(seconds=seconds))
                return
        await self._answer(message, text)

    async def _answer(self, message: discord.Message, text: str) -> None:
        mode, query = route(text)
        try:
            self.bot.check_core()
            async with message.channel.typing():
                if mode == "check":
                    reply = await self.bot.call_core("check", query)
                else:
                    reply = await self.bot.call_core("ask", query, await self._context(message))
            sent = await reply_in_chat(
                message, render_reply(reply), answer_view(len(reply.sources))
            )
        except CoreBusyError:
            await self._wait_mark(message, BUSY)
            return
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
