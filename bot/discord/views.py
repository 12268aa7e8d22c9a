"""Buttons under answers: feedback (persistent, survives restarts) and page flipping."""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any

import discord

from bot.discord.limits import Outgoing, ellipsize

log = logging.getLogger(__name__)
NONE = discord.AllowedMentions.none()

_BUTTONS = {
    "up": ("👍", "Helpful", discord.ButtonStyle.secondary),
    "down": ("👎", "Not helpful", discord.ButtonStyle.secondary),
    "report": ("🚩", "Report a bad quote", discord.ButtonStyle.danger),
}


class FeedbackButton(
    discord.ui.DynamicItem[discord.ui.Button], template=r"factbot:fb:(?P<kind>up|down|report)"
):
    """👍 / 👎 / report button; the answer it belongs to is looked up by message id."""

    def __init__(self, kind: str) -> None:
        emoji, label, style = _BUTTONS[kind]
        super().__init__(
            discord.ui.Button(emoji=emoji, label=label, style=style, custom_id=f"factbot:fb:{kind}")
        )
        self.kind = kind

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]
    ) -> FeedbackButton:
        return cls(match["kind"])

    async def callback(self, interaction: discord.Interaction) -> None:
        """Store a vote, or offer the answer's sources to pick the bad quote from."""
        store = interaction.client.store  # type: ignore[attr-defined]
        message_id = interaction.message.id if interaction.message else 0
        answer = await asyncio.to_thread(store.answer, message_id)
        if answer is None:
            await interaction.response.send_message(
                "I no longer know this answer, sorry.", ephemeral=True, allowed_mentions=NONE
            )
            return
        if self.kind in ("up", "down"):
            await asyncio.to_thread(
                store.add_feedback, interaction.user.id, message_id, self.kind, answer["query"]
            )
            await interaction.response.send_message(
                "Thanks for the feedback!", ephemeral=True, allowed_mentions=NONE
            )
            return
        sources = answer.get("sources") or []
        if not sources:
            await asyncio.to_thread(
                store.add_feedback, interaction.user.id, message_id, "bad_quote", answer["query"]
            )
            await interaction.response.send_message(
                "Reported, thank you.", ephemeral=True, allowed_mentions=NONE
            )
            return
        await interaction.response.send_message(
            "Which quote is wrong?",
            view=ReportView(message_id, answer),
            ephemeral=True,
            allowed_mentions=NONE,
        )


def feedback_view() -> discord.ui.View:
    """The row of feedback buttons shown under an answer."""
    view = discord.ui.View(timeout=None)
    for kind in _BUTTONS:
        view.add_item(FeedbackButton(kind))
    return view


def _claim_for(answer: dict[str, Any], source_id: int) -> str | None:
    for claim in answer.get("claims") or []:
        if source_id in claim.get("sources", []):
            return claim.get("text")
    return None


class ReportView(discord.ui.View):
    """An ephemeral select of the answer's numbered sources, to report one quote."""

    def __init__(self, message_id: int, answer: dict[str, Any]) -> None:
        super().__init__(timeout=300)
        self.message_id = message_id
        self.answer = answer
        options = [
            discord.SelectOption(
                label=ellipsize(f"[{s['id']}] {s.get('outlet') or 'unknown outlet'}", 100),
                description=ellipsize(s.get("quote") or "", 100),
                value=str(s["id"]),
            )
            for s in (answer.get("sources") or [])[:25]
        ]
        select = discord.ui.Select(placeholder="Pick the source", options=options)
        select.callback = self._picked  # type: ignore[method-assign]
        self.select = select
        self.add_item(select)

    async def _picked(self, interaction: discord.Interaction) -> None:
        source_id = int(self.select.values[0])
        source = next(s for s in self.answer["sources"] if s["id"] == source_id)
        store = interaction.client.store  # type: ignore[attr-defined]
        await asyncio.to_thread(
            store.add_feedback,
            interaction.user.id,
            self.message_id,
            "bad_quote",
            self.answer["query"],
            _claim_for(self.answer, source_id),
            source_id,
            source.get("article_id") or source.get("document"),
            source.get("quote"),
        )
        await interaction.response.edit_message(
            content=f"Reported quote [{source_id}]; a moderator will look at it. Thank you.",
            view=None,
        )


class Pager(discord.ui.View):
    """◀ / ▶ buttons flipping through pre-rendered pages; only the invoker may flip."""

    def __init__(self, pages: list[Outgoing], owner_id: int, timeout: float = 600) -> None:
        super().__init__(timeout=timeout)
        self.pages = pages
        self.owner_id = owner_id
        self.index = 0
        self.message: discord.Message | discord.WebhookMessage | None = None
        self._sync()

    def _sync(self) -> None:
        self.previous.disabled = self.index == 0
        self.next.disabled = self.index >= len(self.pages) - 1
        self.counter.label = f"{self.index + 1}/{len(self.pages)}"

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id != self.owner_id:
            await interaction.response.send_message(
                "These buttons belong to whoever ran the command; run it yourself to browse.",
                ephemeral=True,
                allowed_mentions=NONE,
            )
            return False
        return True

    async def _show(self, interaction: discord.Interaction) -> None:
        self._sync()
        page = self.pages[self.index]
        await interaction.response.edit_message(
            content=page.content, embeds=page.embeds, view=self, allowed_mentions=NONE
        )

    @discord.ui.button(emoji="◀", style=discord.ButtonStyle.secondary)
    async def previous(self, interaction: discord.Interaction, _: discord.ui.Button) -> None:
        self.index = max(0, self.index - 1)
        await self._show(interaction)

    @discord.ui.button(label="1/1", style=discord.ButtonStyle.secondary, disabled=True)
    async def counter(self, interaction: discord.Interaction, _: discord.ui.Button) -> None:
        await interaction.response.defer()

    @discord.ui.button(emoji="▶", style=discord.ButtonStyle.secondary)
    async def next(self, interaction: discord.Interaction, _: discord.ui.Button) -> None:
        self.index = min(len(self.pages) - 1, self.index + 1)
        await self._show(interaction)

    async def on_timeout(self) -> None:
        if self.message is not None:
            for item in self.children:
                item.disabled = True  # type: ignore[attr-defined]
            try:
                await self.message.edit(view=self)
            except discord.HTTPException:
                log.debug("could not disable an expired pager")
