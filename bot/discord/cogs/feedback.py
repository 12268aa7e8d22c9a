"""Buttons under answers (All sources, 👍 / 👎, report a quote) and the moderators' /reports."""

from __future__ import annotations

import asyncio

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord.app import FactBot
from bot.discord.checks import moderator_only
from bot.discord.limits import split_text
from bot.discord.messaging import NONE
from bot.discord.safety import safe_text
from bot.discord.views import FeedbackButton, SourcesButton

DYNAMIC_ITEMS = (FeedbackButton, SourcesButton)


class Feedback(commands.Cog):
    """Registers the answer buttons; lists bad-quote reports and vote totals."""

    def __init__(self, bot: FactBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(*DYNAMIC_ITEMS)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(*DYNAMIC_ITEMS)

    @app_commands.command(name="reports")
    @app_commands.describe(count="How many recent reports to show (1-25)")
    @moderator_only()
    async def reports(
        self, interaction: discord.Interaction, count: app_commands.Range[int, 1, 25] = 10
    ) -> None:
        """Recent bad-quote reports and vote totals (moderators)."""
        rows = await asyncio.to_thread(self.bot.store.reports, count)
        votes = await asyncio.to_thread(self.bot.store.vote_counts)
        lines = [f"Votes on answers: 👍 {votes.get('up', 0)} · 👎 {votes.get('down', 0)}"]
        for r in rows:
            source = f"source [{r.source_id}] `{r.article_id}`" if r.source_id else "no source"
            lines.append(
                f"**#{r.id}** `{r.ts}` by <@{r.user_id}> · {source}\n"
                f"> Q: {safe_text((r.question or '')[:200])}\n"
                + (f"> claim: {safe_text(r.claim[:200])}\n" if r.claim else "")
                + (f"> quote: {safe_text(r.quote[:300])}" if r.quote else "")
            )
        if not rows:
            lines.append("No bad-quote reports yet.")
        pages = split_text("\n".join(lines), 2000)
        await interaction.response.send_message(pages[0], ephemeral=True, allowed_mentions=NONE)
        for page in pages[1:]:
            await interaction.followup.send(page, ephemeral=True, allowed_mentions=NONE)


async def setup(bot: FactBot) -> None:
    """Load the feedback cog."""
    await bot.add_cog(Feedback(bot))
