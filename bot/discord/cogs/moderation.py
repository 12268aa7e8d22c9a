"""Moderator commands: /reindex, /ingest, /uploads, /answer-here, /audit.

Everything here answers the moderator only (ephemeral), progress included; a copy of each
build's start and result goes to the mod-log channel when one is set (`builds.py`). Input
is checked before anything is deferred, so a refusal is an immediate private message. One
build at a time; the previous index answers while it runs.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import discord
from discord import app_commands
from discord.ext import commands

from bot.answer.errors import UserFacingError
from bot.discord.app import FactBot
from bot.discord.builds import BuildFailed, BuildJob, Outcome, failure_lines, summary_outcome
from bot.discord.checks import moderator_only
from bot.discord.limits import ellipsize, split_text
from bot.discord.messaging import NONE
from bot.discord.safety import safe_text
from bot.discord.uploads import (
    check_article,
    check_date,
    list_uploads,
    remove_upload,
    safe_filename,
    save_upload,
)

log = logging.getLogger(__name__)
NEEDS_INTENT = (
    "Answer channels need the message content intent, which this bot runs without "
    "(FACTBOT_MESSAGE_CONTENT_INTENT=false): people can mention me or use `/ask` instead."
)


class Moderation(commands.Cog):
    """Index maintenance, restricted to moderators."""

    def __init__(self, bot: FactBot) -> None:
        self.bot = bot

    @property
    def uploads(self) -> Path:
        return self.bot.settings.data_dir / "uploads"

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

    def _free(self) -> None:
        """Raise (before anything is deferred) when a build is already running."""
        if self.bot.build_lock.locked():
            owner = safe_text(self.bot.build_owner) or "another moderator"
            raise UserFacingError(
                f"A reindex is already running (started by {owner}); try again when it finishes."
            )

    async def _locked_build(
        self, interaction: discord.Interaction, job: BuildJob, paths: list[Path] | None
    ) -> object:
        """Run `job` under the build lock; returns the summary (raises `BuildFailed`)."""
        async with self.bot.build_lock:
            self.bot.build_owner = str(interaction.user)
            try:
                return await job.run(paths)
            finally:
                self.bot.build_owner = None

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
        paths = self._resolve(source)
        self._free()
        await interaction.response.defer(ephemeral=True, thinking=True)
        job = BuildJob(self.bot, interaction, "reindex", source or "(previous roots)", "Reindex")
        try:
            outcome = summary_outcome(await self._locked_build(interaction, job, paths), "Reindex")
        except BuildFailed as exc:
            outcome = Outcome(False, str(exc))
        await job.finish(outcome)

    @app_commands.command(name="ingest")
    @app_commands.describe(
        file="A .txt, .md, .html or .jsonl article",
        outlet="Who published it",
        title="The article's title",
        date="Publication date, YYYY-MM-DD",
        url="Or a link to the article (http or https): fetched, then indexed",
    )
    @moderator_only()
    async def ingest(
        self,
        interaction: discord.Interaction,
        file: discord.Attachment | None = None,
        outlet: str | None = None,
        title: str | None = None,
        date: str | None = None,
        url: str | None = None,
    ) -> None:
        """Add an attached article, or one by link, to the index (moderators)."""
        if (file is None) == (url is None):
            raise UserFacingError("Attach a file or give a url (one of the two).")
        if url is not None:  # by link: the live-news cog fetches it, then the same build
            from bot.discord.cogs.news import ingest_url

            return await ingest_url(self.bot, interaction, url, outlet, title, check_date(date))
        name = safe_filename(file.filename)
        published = check_date(date)
        limit = self.bot.settings.max_file_bytes
        if file.size > limit:
            raise UserFacingError(f"That file is too large (limit {limit:,} bytes).")
        self._free()
        await interaction.response.defer(ephemeral=True, thinking=True)
        job = BuildJob(self.bot, interaction, "ingest", name, f"Ingest of `{name}`")
        try:
            data = await file.read()
        except discord.HTTPException:
            await job.finish(Outcome(False, "❌ Ingest failed: I could not download the file."))
            return
        try:
            await asyncio.to_thread(check_article, name, data, outlet, title, published, limit)
        except UserFacingError as exc:  # nothing saved: the file never reaches a build
            reason = safe_text(str(exc), markdown=False)
            await job.finish(Outcome(False, f"❌ Ingest failed: {reason}"))
            return
        await asyncio.to_thread(save_upload, self.uploads, name, data, outlet, title, published)
        try:
            summary = await self._locked_build(interaction, job, None)
        except BuildFailed as exc:
            await asyncio.to_thread(remove_upload, self.uploads, name)
            await job.finish(Outcome(False, f"{exc}\nThe file was not kept."))
            return
        await job.finish(await self._ingest_outcome(name, summary))

    async def _ingest_outcome(self, name: str, summary: object) -> Outcome:
        """✅ when the file is in the new index; ❌ (file removed again) if the build refused it."""
        failed = list(getattr(summary, "failed", []))
        mine = [f for f in failed if Path(f.path).name == name]
        others = [f for f in failed if f not in mine]
        if mine:
            await asyncio.to_thread(remove_upload, self.uploads, name)
            lines = [f"❌ Ingest failed: `{name}`: {mine[0].reason}. The file was not kept."]
        else:
            seconds = getattr(summary, "seconds", 0.0)
            lines = [f"✅ Ingested `{name}` in {seconds:.1f} s: {summary.line()}"]  # type: ignore[attr-defined]
        if others:
            lines += ["Other files the build could not use:", *failure_lines(others)]
        return Outcome(not mine, safe_text("\n".join(lines), markdown=False)[:1900], summary)

    async def _upload_names(
        self, _: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        files = await asyncio.to_thread(list_uploads, self.uploads)
        names = [u.name for u in files if current.lower() in u.name.lower()]
        return [app_commands.Choice(name=n, value=n) for n in names[:25]]

    @app_commands.command(name="uploads")
    @app_commands.describe(remove="An uploaded file to remove from the index")
    @app_commands.autocomplete(remove=_upload_names)
    @moderator_only()
    async def uploads_command(
        self, interaction: discord.Interaction, remove: str | None = None
    ) -> None:
        """List the articles added with /ingest, or remove one (moderators)."""
        if remove is None:
            files = await asyncio.to_thread(list_uploads, self.uploads)
            lines = [
                f"`{u.name}` · {safe_text(u.outlet) or '*unknown outlet*'} · "
                f"{safe_text(ellipsize(u.title, 60)) if u.title else 'untitled'} · "
                f"{u.published or 'undated'} · {u.size:,} bytes"
                for u in files
            ] or ["No uploaded articles. Add one with `/ingest`."]
            pages = split_text("\n".join(lines), 2000)
            await interaction.response.send_message(
                pages[0], ephemeral=True, allowed_mentions=NONE
            )
            for page in pages[1:]:
                await interaction.followup.send(page, ephemeral=True, allowed_mentions=NONE)
            return
        self._free()
        if not await asyncio.to_thread(remove_upload, self.uploads, remove):
            raise UserFacingError("There is no uploaded article with that name (see `/uploads`).")
        await interaction.response.defer(ephemeral=True, thinking=True)
        name = safe_text(remove)
        job = BuildJob(self.bot, interaction, "remove", remove, f"Removal of `{name}`")
        try:
            outcome = summary_outcome(
                await self._locked_build(interaction, job, None), f"Removal of `{name}`"
            )
        except BuildFailed as exc:
            outcome = Outcome(False, f"{exc}\nThe file is deleted; it leaves the index at the "
                              "next successful reindex.")
        await job.finish(outcome)

    @app_commands.command(name="answer-here")
    @app_commands.describe(enabled="Answer every message in this channel")
    @moderator_only()
    async def answer_here(self, interaction: discord.Interaction, enabled: bool) -> None:
        """Turn answering every message in this channel on or off (moderators)."""
        if enabled and not self.bot.settings.message_content_intent:
            raise UserFacingError(NEEDS_INTENT)
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
