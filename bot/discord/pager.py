"""◀ / ▶ page flipping over pre-rendered pages.

The one who ran the command flips the message itself; anyone else who sees it and taps a
button gets their own copy of the pager, only for them (ephemeral), at the page they asked
for, so a shared lookup is usable by whoever sees it without one reader moving it for all.
"""

from __future__ import annotations

import logging

import discord

from bot.discord.limits import Outgoing

log = logging.getLogger(__name__)
NONE = discord.AllowedMentions.none()


class Pager(discord.ui.View):
    """Buttons flipping through pages; `owner_id` flips in place, others get a private copy."""

    def __init__(
        self, pages: list[Outgoing], owner_id: int, index: int = 0, timeout: float = 600
    ) -> None:
        super().__init__(timeout=timeout)
        self.pages = pages
        self.owner_id = owner_id
        self.index = index
        self.message: discord.Message | discord.WebhookMessage | None = None
        self._sync()

    def _sync(self) -> None:
        self.previous.disabled = self.index == 0
        self.next.disabled = self.index >= len(self.pages) - 1
        self.counter.label = f"{self.index + 1}/{len(self.pages)}"

    async def _go(self, interaction: discord.Interaction, index: int) -> None:
        index = max(0, min(len(self.pages) - 1, index))
        if interaction.user.id != self.owner_id:
            copy = Pager(self.pages, interaction.user.id, index)
            page = copy.pages[index]
            await interaction.response.send_message(
                content=page.content, embeds=page.embeds, view=copy, ephemeral=True,
                allowed_mentions=NONE,
            )
            return
        self.index = index
        self._sync()
        page = self.pages[self.index]
        await interaction.response.edit_message(
            content=page.content, embeds=page.embeds, view=self, allowed_mentions=NONE
        )

    @discord.ui.button(emoji="◀", style=discord.ButtonStyle.secondary)
    async def previous(self, interaction: discord.Interaction, _: discord.ui.Button) -> None:
        await self._go(interaction, self.index - 1)

    @discord.ui.button(label="1/1", style=discord.ButtonStyle.secondary, disabled=True)
    async def counter(self, interaction: discord.Interaction, _: discord.ui.Button) -> None:
        await interaction.response.defer()

    @discord.ui.button(emoji="▶", style=discord.ButtonStyle.secondary)
    async def next(self, interaction: discord.Interaction, _: discord.ui.Button) -> None:
        await self._go(interaction, self.index + 1)

    async def on_timeout(self) -> None:
        if self.message is not None:
            for item in self.children:
                item.disabled = True  # type: ignore[attr-defined]
            try:
                await self.message.edit(view=self)
            except discord.HTTPException:
                log.debug("could not disable an expired pager")
