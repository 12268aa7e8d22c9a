"""Slash commands for everyone: /ask, /factcheck, /sources, /quote, /outlets, /about.

`/ask` and `/factcheck` answer publicly (the answer is for the channel); the lookups answer
only whoever asked, unless `share:` is set, and a shared pager can be flipped by anyone who
sees it (they get their own copy). Input is checked before anything is shown, so a bad
question is an ephemeral error, never a public one (see `interactions`). Slash commands
need no message-content intent: `/ask` is how servers without it ask questions.
"""

from __future__ import annotations

import asyncio

import discord
from discord import app_commands
from discord.ext import commands

from bot.answer.errors import QueryTooLongError, UserFacingError
from bot.answer.types import Reply
from bot.discord.app import FactBot
from bot.discord.checks import expensive
from bot.discord.interactions import Result, deliver
from bot.discord.messaging import record_answer
from bot.discord.render import render_reply
from bot.discord.render_lookup import render_outlets, render_passages, render_quote, render_status
from bot.discord.safety import safe_text, sanitise_query
from bot.discord.views import answer_view

MAX_OPTION = 4000  # longer than any setting allows, so the length message is ours
NOTHING = "There is nothing left to look up once code blocks, mentions and emoji are removed."
NO_PASSAGES = "No matching passages in the indexed articles."
SHARE = "Post it in the channel for everyone (default: only you see it)"


class Lookup(commands.Cog):
    """Fact-checks and lookups over the indexed articles."""

    def __init__(self, bot: FactBot) -> None:
        self.bot = bot

    def _clean(self, text: str) -> str:
        """The text as the core will get it, or the error the user should see (raised)."""
        cleaned = sanitise_query(text)
        if not cleaned:
            raise UserFacingError(NOTHING)
        if len(cleaned) > self.bot.settings.max_query_chars:
            raise QueryTooLongError(len(cleaned), self.bot.settings.max_query_chars)
        self.bot.check_core()
        return cleaned

    async def _context(self, interaction: discord.Interaction) -> str | None:
        if isinstance(interaction.channel, discord.Thread):
            return await asyncio.to_thread(self.bot.store.first_question, interaction.channel.id)
        return None

    async def _answer(self, interaction: discord.Interaction, mode: str, text: str) -> None:
        query = self._clean(text)

        async def work() -> Result:
            if mode == "check":
                reply: Reply = await self.bot.call_core("check", query)
            else:
                reply = await self.bot.call_core("ask", query, await self._context(interaction))
            pages = render_reply(reply, query_label=True)
            return Result(pages, answer_view(len(reply.sources)), reply)

        sent, result = await deliver(interaction, work())
        if result.reply is not None:
            await record_answer(self.bot, sent, result.reply, interaction.user.id)

    @app_commands.command(name="ask")
    @app_commands.describe(question="A question about the indexed news")
    @expensive()
    async def ask(
        self, interaction: discord.Interaction, question: app_commands.Range[str, 1, MAX_OPTION]
    ) -> None:
        """Ask a question: answered only from the indexed articles, with verbatim quotes."""
        await self._answer(interaction, "ask", question)

    @app_commands.command(name="factcheck")
    @app_commands.describe(claim="The statement to check against the indexed articles")
    @expensive()
    async def factcheck(
        self, interaction: discord.Interaction, claim: app_commands.Range[str, 1, MAX_OPTION]
    ) -> None:
        """Check a claim: verdict and the quotes it rests on."""
        await self._answer(interaction, "check", claim)

    @app_commands.command(name="sources")
    @app_commands.describe(query="A topic, name or phrase to find passages about", share=SHARE)
    @expensive()
    async def sources(
        self,
        interaction: discord.Interaction,
        query: app_commands.Range[str, 1, MAX_OPTION],
        share: bool = False,
    ) -> None:
        """Find matching passages, labelled by outlet."""
        topic = self._clean(query)

        async def work() -> Result:
            passages = await self.bot.call_core("sources", topic, 10)
            title = f"📚 Passages about “{safe_text(topic, markdown=False)}”"[:200]
            pages = render_passages(title, passages, NO_PASSAGES)
            return Result(pages, paged=True)

        await deliver(interaction, work(), ephemeral=not share)

    @app_commands.command(name="quote")
    @app_commands.describe(text="The exact words to trace", share=SHARE)
    @expensive()
    async def quote(
        self,
        interaction: discord.Interaction,
        text: app_commands.Range[str, 1, MAX_OPTION],
        share: bool = False,
    ) -> None:
        """Who said or published these words."""
        words = self._clean(text)

        async def work() -> Result:
            return Result(render_quote(await self.bot.call_core("quote", words)), paged=True)

        await deliver(interaction, work(), ephemeral=not share)

    @app_commands.command(name="outlets")
    async def outlets(self, interaction: discord.Interaction) -> None:
        """Indexed outlets with article counts and date ranges (only you see it)."""
        self.bot.check_core()

        async def work() -> Result:
            return Result(render_outlets(await self.bot.call_core("outlets")), paged=True)

        await deliver(interaction, work(), ephemeral=True)

    @app_commands.command(name="about")
    async def about(self, interaction: discord.Interaction) -> None:
        """What the bot knows: articles, outlets, last build, model (only you see it)."""
        self.bot.check_core()

        async def work() -> Result:
            status = await self.bot.call_core("status")
            outlets = await self.bot.call_core("outlets")
            mode = self.bot.settings.message_content_intent
            return Result([render_status(status, outlets, mode)])

        await deliver(interaction, work(), ephemeral=True)


async def setup(bot: FactBot) -> None:
    """Load the lookup cog."""
    await bot.add_cog(Lookup(bot))
