"""Moderator commands: /reindex, /ingest, /answer-here, /audit.

A build runs in a worker thread while the previous index keeps answering; its progress edits
one message; `core.reload()` picks the new index up afterwards. One build at a time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path

import discord
from discord import app_commands
from discord.ext import commands

from bot.answer.errors import UserFacingError
from bot.discord.app import FactBot
from bot.discord.checks import moderator_only
from bot.discord.messaging import NONE
from bot.discord.safety import safe_text
from bot.discord.uploads import check_date, safe_filename, save_upload

log = logging.getLogger(__name__)
EDIT_EVERY = 1.5  # seconds between progress edits (Discord rate limits edits)


def _summary_text(summary: object) -> str:
    failed = getattr(summary, "failed", [])
    text = f"✅ Reindex finished in {getattr(summary, 'seconds', 0.0):.1f} s: {summary.line()}"  # type: ignore[attr-defined]
    for failure in failed[:10]:
        text += f"\n• `{Path(failure.path).name}`: {failure.reason}"
    if len(failed) > 10:
        text += f"\n• … and {len(failed) - 10} more"
    return safe_text(text, markdown=False)[:2000]


class Moderation(commands.Cog):
    """Index maintenance, restricted to moderators."""

    def __init__(self, bot: FactBot) -> None:
        self.bot = bot

    def _resolve(self, source: str | None) -> list[Path] | None:
        if not source:
            return None
        named = self.bot.settings.named_sources
        if source in named:
            return [named[source]]
        path = Path(source).expanduser().resolve()
        roots = [p.resolve() for p in named.values()] + [self.bot.settings.data_dir.resolve()]
        if not any(path == r or r in path.parents for r in roots):
            raise UserFacingError(
                "Give a source name from the settings, or a path inside one of those sources."
            )
        if not path.exists():
            raise UserFacingError("That path does not exist on the bot's machine.")
        return [path]

    async def _build(
        self, interaction: discord.Interaction, action: str, target: str, paths: list[Path] | None
    ) -> None:
        who = f"{interaction.user} ({interaction.user.id})"
        if self.bot.build_lock.locked():
            await interaction.followup.send(
                f"A reindex is already running (started by {safe_text(self.bot.build_owner)}); "
                "try again when it finishes.",
                allowed_mentions=NONE,
            )
            return
        async with self.bot.build_lock:
            self.bot.build_owner = str(interaction.user)
            try:
                ok, text = await self._run(interaction, paths)
            finally:
                self.bot.build_owner = None
        await asyncio.to_thread(
            self.bot.store.audit, interaction.user.id, who, action, target, text, ok
        )

    async def _run(
        self, interaction: discord.Interaction, paths: list[Path] | None
    ) -> tuple[bool, str]:
        message = await interaction.followup.send(
            "⏳ Reindex started…", wait=True, allowed_mentions=NONE
        )
        loop = asyncio.get_running_loop()
        latest: list[object] = []

        def progress(p: object) -> None:  # called from the build thread
            loop.call_soon_threadsafe(latest.append, p)

        task = asyncio.ensure_future(
            asyncio.to_thread(self.bot.builder, paths, self.bot.settings, progress)  # type: ignore[arg-type]
        )
        shown = None
        while not task.done():
            await asyncio.wait({task}, timeout=EDIT_EVERY)
            if latest and latest[-1] is not shown and not task.done():
                shown = latest[-1]
                line = f"⏳ Reindexing: {shown.stage} {shown.done}/{shown.total}"  # type: ignore[attr-defined]
                await self._edit(message, line)
        try:
            summary = task.result()
        except UserFacingError as exc:
            text, ok = f"❌ Reindex failed: {exc}", False
        except Exception as exc:
            from index.build import BuildInProgressError
            from index.store import StoreUnavailableError

            if isinstance(exc, BuildInProgressError):
                text = "A reindex is already running (from another process); try again later."
            elif isinstance(exc, StoreUnavailableError):
                text = "❌ Reindex failed: the vector store cannot be reached right now."
            elif isinstance(exc, ValueError):  # e.g. nothing to index
                text = f"❌ Reindex failed: {safe_text(str(exc))[:300]}"
            else:
                log.error("reindex failed", exc_info=exc)
                name = exc.__class__.__name__
                text = f"❌ Reindex failed ({name}); the previous index still serves."
            ok = False
        else:
            text, ok = _summary_text(summary), True
            try:
                await self.bot.reload_core()
            except UserFacingError as exc:
                text += f"\n⚠️ The new index could not be loaded ({exc}); the previous one serves."
                ok = False
        if not await self._edit(message, text) and interaction.channel is not None:
            # interaction tokens expire after 15 minutes: post the result in the channel
            with contextlib.suppress(discord.HTTPException):
                await interaction.channel.send(text, allowed_mentions=NONE)  # type: ignore[union-attr]
        return ok, text

    async def _edit(self, message: discord.WebhookMessage, text: str) -> bool:
        try:
            await message.edit(content=text, allowed_mentions=NONE)
        except discord.HTTPException as exc:
            log.warning("could not edit the progress message: %s", exc.status)
            return False
        return True

    async def _source_names(
        self, _: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        names = [n for n in self.bot.settings.named_sources if current.lower() in n.lower()]
        return [app_commands.Choice(name=n, value=n) for n in names[:25]]

    @app_commands.command(name="reindex")
    @app_commands.describe(source="A source name from the settings, or a path inside one")
    @app_commands.autocomplete(source=_source_names)
    @moderator_only()
    async def reindex(self, interaction: discord.Interaction, source: str | None = None) -> None:
        """Rebuild the index (moderators); answers keep coming from the old one meanwhile."""
        await interaction.response.defer(thinking=True)
        paths = self._resolve(source)
        await self._build(interaction, "reindex", source or "(previous roots)", paths)

    @app_commands.command(name="ingest")
    @app_commands.describe(
        file="A .txt, .md, .html or .jsonl article",
        outlet="Who published it",
        title="The article's title",
        date="Publication date, YYYY-MM-DD",
    )
    @moderator_only()
    async def ingest(
        self,
        interaction: discord.Interaction,
        file: discord.Attachment,
        outlet: str | None = None,
        title: str | None = None,
        date: str | None = None,
    ) -> None:
        """Add an attached article to the index (moderators)."""
        name = safe_filename(file.filename)
        published = check_date(date)
        if file.size > self.bot.settings.max_file_bytes:
            raise UserFacingError(
                f"That file is too large (limit {self.bot.settings.max_file_bytes} bytes)."
            )
        await interaction.response.defer(thinking=True)
        if self.bot.build_lock.locked():
            raise UserFacingError("A reindex is already running; ingest the file when it finishes.")
        try:
            data = await file.read()
        except discord.HTTPException:
            raise UserFacingError("I could not download that attachment; try again.") from None
        uploads = self.bot.settings.data_dir / "uploads"
        await asyncio.to_thread(save_upload, uploads, name, data, outlet, title, published)
        await self._build(interaction, "ingest", name, None)

    @app_commands.command(name="answer-here")
    @app_commands.describe(enabled="Answer every message in this channel")
    @moderator_only()
    async def answer_here(self, interaction: discord.Interaction, enabled: bool) -> None:
        """Turn answering every message in this channel on or off (moderators)."""
        channel_id = interaction.channel_id or 0
        await asyncio.to_thread(self.bot.store.set_answer_channel, channel_id, enabled)
        chat = self.bot.get_cog("Chat")
        if chat is not None:
            chat.set_channel(channel_id, enabled)  # type: ignore[attr-defined]
        state = "now answer every message" if enabled else "only answer mentions and replies"
        await interaction.response.send_message(
            f"I will {state} in this channel.", ephemeral=True, allowed_mentions=NONE
        )

    @app_commands.command(name="audit")
    @moderator_only()
    async def audit(self, interaction: discord.Interaction) -> None:
        """The last moderation runs (moderators)."""
        rows = await asyncio.to_thread(self.bot.store.audit_log, 10)
        lines = [
            f"`{r.ts}` {'✅' if r.ok else '❌'} **{r.action}** {safe_text(r.target)} by "
            f"{safe_text(r.user_name)}"
            for r in rows
        ] or ["No moderation runs yet."]
        await interaction.response.send_message(
            "\n".join(lines)[:2000], ephemeral=True, allowed_mentions=NONE
        )


async def setup(bot: FactBot) -> None:
    """Load the moderation cog."""
    await bot.add_cog(Moderation(bot))
