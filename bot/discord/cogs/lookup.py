"""Slash commands that look things up: /factcheck, /sources, /quote, /outlets, /about.

Each defers at once (Discord's 3-second deadline), runs the core off the event loop and
answers by followup.
"""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.answer.errors import QueryTooLongError, UserFacingError
from bot.discord.app import FactBot
from bot.discord.checks import expensive
from bot.discord.messaging import answer_view, followup, paged_followup, record_answer
from bot.discord.render import (
    render_outlets,
    render_passages,
    render_quote,
    render_reply,
    render_status,
)
from bot.discord.safety import safe_text, sanitise_query

MAX_OPTION = 4000  # longer than any setting allows, so the core's own limit message is shown


class Lookup(commands.Cog):
    """Fact-checks and lookups over the indexed articles."""

    def __init__(self, bot: FactBot) -> None:
        self.bot = bot

    def _clean(self, text: str) -> str:
        cleaned = sanitise_query(text)
        if not cleaned:
            raise UserFacingError("Please give me some text to look up.")
        if len(cleaned) > self.bot.settings.max_query_chars:
            raise QueryTooLongError(len(cleaned), self.bot.settings.max_query_chars)
        return cleaned

    @app_commands.command(name="factcheck")
    @app_commands.describe(claim="The statement to check against the indexed articles")
    @expensive()
    async def factcheck(
        self, interaction: discord.Interaction, claim: app_commands.Range[str, 1, MAX_OPTION]
    ) -> None:
        """Check a claim: verdict and the quotes it rests on."""
        await interaction.response.defer(thinking=True)
        reply = await self.bot.call_core("check", self._clean(claim))
        sent = await followup(interaction, render_reply(reply), answer_view())
        await record_answer(self.bot, sent, reply, interaction.user.id)

    @app_commands.command(name="sources")
    @app_commands.describe(query="A topic, name or phrase to find passages about")
    @expensive()
    async def sources(
        self, interaction: discord.Interaction, query: app_commands.Range[str, 1, MAX_OPTION]
    ) -> None:
        """Find matching passages, labelled by outlet."""
        await interaction.response.defer(thinking=True)
        topic = self._clean(query)
        passages = await self.bot.call_core("sources", topic, 10)
        pages = render_passages(
            f"📚 Passages about “{safe_text(topic, markdown=False)}”"[:200],
            passages,
            "No matching passages in the indexed articles.",
        )
        await paged_followup(interaction, pages)

    @app_commands.command(name="quote")
    @app_commands.describe(text="The exact words to trace")
    @expensive()
    async def quote(
        self, interaction: discord.Interaction, text: app_commands.Range[str, 1, MAX_OPTION]
    ) -> None:
        """Who said or published these words."""
        await interaction.response.defer(thinking=True)
        provenance = await self.bot.call_core("quote", self._clean(text))
        await paged_followup(interaction, render_quote(provenance))

    @app_commands.command(name="outlets")
    async def outlets(self, interaction: discord.Interaction) -> None:
        """Indexed outlets with article counts and date ranges."""
        await interaction.response.defer(thinking=True)
        await paged_followup(interaction, render_outlets(await self.bot.call_core("outlets")))

    @app_commands.command(name="about")
    async def about(self, interaction: discord.Interaction) -> None:
        """What the bot knows: articles, chunks, last build, model."""
        await interaction.response.defer(thinking=True)
        await followup(interaction, [render_status(await self.bot.call_core("status"))])


async def setup(bot: FactBot) -> None:
    """Load the lookup cog."""
    await bot.add_cog(Lookup(bot))
