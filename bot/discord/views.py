"""Buttons under an answer: "All sources", 👍 / 👎 and "Report a quote".

They are persistent (`DynamicItem`s matched by custom id, so they keep working after a
restart) and look the answer up by the message they sit on. Everything they answer is
ephemeral: only whoever tapped sees it.
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any

import discord
from pydantic import ValidationError

from bot.answer.types import UNKNOWN_OUTLET, Reply
from bot.discord.limits import ellipsize
from bot.discord.pager import Pager
from bot.discord.render import render_all_sources

log = logging.getLogger(__name__)
NONE = discord.AllowedMentions.none()
FORGOTTEN = "I no longer know this answer, sorry."

VOTES = {"up": "👍", "down": "👎"}
_BUTTONS = {
    "up": ("👍", None, discord.ButtonStyle.secondary),
    "down": ("👎", None, discord.ButtonStyle.secondary),
    "report": ("🚩", "Report a quote", discord.ButtonStyle.secondary),
}


async def _stored(interaction: discord.Interaction) -> tuple[int, dict[str, Any] | None]:
    store = interaction.client.store  # type: ignore[attr-defined]
    message_id = interaction.message.id if interaction.message else 0
    return message_id, await asyncio.to_thread(store.answer, message_id)


async def _private(interaction: discord.Interaction, text: str, **kwargs: Any) -> None:
    await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NONE, **kwargs)


class FeedbackButton(
    discord.ui.DynamicItem[discord.ui.Button], template=r"factbot:fb:(?P<kind>up|down|report)"
):
    """👍 / 👎 (one vote per user and answer, changeable) or report a quote."""

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
        message_id, answer = await _stored(interaction)
        if answer is None:
            await _private(interaction, FORGOTTEN)
            return
        if self.kind in VOTES:
            before = await asyncio.to_thread(
                store.vote, interaction.user.id, message_id, self.kind, answer.get("query")
            )
            mark = VOTES[self.kind]
            if before == self.kind:
                text = f"You already voted {mark} on this answer."
            elif before:
                text = f"Changed your vote to {mark}."
            else:
                text = f"Thanks for the feedback: {mark}."
            await _private(interaction, text)
            return
        if not answer.get("sources"):
            await asyncio.to_thread(
                store.add_feedback, interaction.user.id, message_id, "bad_quote", answer["query"]
            )
            await _private(interaction, "Reported, thank you.")
            return
        await _private(interaction, "Which quote is wrong?", view=ReportView(message_id, answer))


class SourcesButton(discord.ui.DynamicItem[discord.ui.Button], template=r"factbot:all"):
    """Every source of the answer, shown only to whoever tapped (with a pager when long)."""

    def __init__(self, count: int | None = None) -> None:
        label = f"All sources ({count})" if count else "All sources"
        super().__init__(
            discord.ui.Button(
                emoji="📚", label=label, style=discord.ButtonStyle.primary, custom_id="factbot:all"
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]
    ) -> SourcesButton:
        return cls()

    async def callback(self, interaction: discord.Interaction) -> None:
        """Answer the tap with the full list of sources, privately."""
        _, answer = await _stored(interaction)
        reply = stored_reply(answer)
        if reply is None:
            await _private(interaction, FORGOTTEN)
            return
        pages = render_all_sources(reply)
        view = Pager(pages, interaction.user.id) if len(pages) > 1 else discord.utils.MISSING
        first = pages[0]
        await interaction.response.send_message(
            content=first.content, embeds=first.embeds, view=view, ephemeral=True,
            allowed_mentions=NONE,
        )


def stored_reply(answer: dict[str, Any] | None) -> Reply | None:
    """The `Reply` recorded for a message (see `messaging.answer_record`), or None."""
    if answer is None:
        return None
    try:
        return Reply.model_validate(answer)
    except ValidationError:
        log.warning("a stored answer no longer matches the Reply type")
        return None


def answer_view(sources: int) -> discord.ui.View:
    """The row of buttons under an answer ("All sources" only when it has sources)."""
    view = discord.ui.View(timeout=None)
    if sources:
        view.add_item(SourcesButton(sources))
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
                label=ellipsize(f"[{s['id']}] {s.get('outlet') or UNKNOWN_OUTLET}", 100),
                description=ellipsize(" ".join((s.get("quote") or "").split()), 100) or None,
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
