"""Live news: /feeds add|list|remove|poll (moderators), scheduled feed polls, and the link
path of /ingest (`ingest_url`, called by the moderation cog's /ingest).

Fetching is async with the guarded fetcher's limits (time, size, redirects, addresses);
feed parsing, extraction, disk and SQLite work run in worker threads; a build runs in a
thread under the bot's build lock, one at a time, and the core reloads after it. Everything
sent carries no mentions and article-derived text is passed through `safe_text`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.answer.errors import UserFacingError
from bot.discord.app import FactBot
from bot.discord.checks import NotModerator, is_moderator
from bot.discord.limits import CONTENT, split_text
from bot.discord.messaging import NONE
from bot.discord.safety import safe_text
from index.feeds import Feed, FeedError, FeedStore
from index.fetch import FetchError
from index.live import PollReport, add_links, build_pending, check_feed, feed_store, poll_feeds

log = logging.getLogger(__name__)

SCHEDULED = "scheduled feed poll"


async def ingest_link(
    bot: FactBot,
    url: str,
    outlet: str | None = None,
    title: str | None = None,
    published: str | None = None,
) -> str:
    """Fetch one article by link and write its file (the caller runs the build).

    Returns:
        The article's canonical URL (its identity in the index).

    Raises:
        UserFacingError: the link was refused or held no article (one line).
    """
    [outcome] = await add_links(
        [url], bot.settings, outlet=outlet, title=title, published=published
    )
    if outcome.error or outcome.article is None:
        raise UserFacingError(f"I did not add that link: {outcome.error}")
    return outcome.article.url


async def ingest_url(
    bot: FactBot,
    interaction: discord.Interaction,
    url: str,
    outlet: str | None,
    title: str | None,
    published: str | None,
) -> None:
    """`/ingest url:`: fetch the article, then one build with progress, shown to the moderator.

    Refusals (address, scheme, size, type, no article text) are one ❌ line; nothing is
    written or built for them. Audited like every ingest.
    """
    from bot.discord.builds import BuildFailed, BuildJob, Outcome, summary_outcome

    if bot.build_lock.locked():
        owner = safe_text(bot.build_owner) or "another moderator"
        raise UserFacingError(
            f"A reindex is already running (started by {owner}); try again when it finishes."
        )
    await interaction.response.defer(ephemeral=True, thinking=True)
    job = BuildJob(bot, interaction, "ingest", url[:200], "Ingest of the link")
    try:
        job.target = await ingest_link(bot, url, outlet, title, published)
    except UserFacingError as exc:
        await job.finish(Outcome(False, f"❌ {safe_text(str(exc), markdown=False)}"))
        return
    try:
        async with bot.build_lock:
            bot.build_owner = str(interaction.user)
            try:
                summary = await job.run(None)
            finally:
                bot.build_owner = None
        outcome = summary_outcome(summary, "Ingest of the link")
    except BuildFailed as exc:
        outcome = Outcome(False, str(exc))
    await job.finish(outcome)


def _feed_text(feed: Feed) -> str:
    return (
        f"**[{feed.id}] {safe_text(feed.outlet)}** <{safe_text(feed.url, markdown=False)}>\n"
        f"{safe_text(feed.status_line())}"
    )


class News(commands.Cog):
    """Followed feeds and their scheduled polls."""

    feeds = app_commands.Group(
        name="feeds",
        description="Follow outlets' RSS and Atom feeds (moderators)",
        guild_only=True,
        default_permissions=discord.Permissions(manage_guild=True),
    )

    def __init__(self, bot: FactBot) -> None:
        self.bot = bot
        self._store: FeedStore | None = None
        self._wake = asyncio.Event()
        self._poll_lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None

    async def cog_load(self) -> None:
        """Open the feed store (the schedule starts once the bot is connected)."""
        self._store = await asyncio.to_thread(feed_store, self.bot.settings)

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        """Start the schedule on the first connection (unless `feeds_poll_minutes` is 0)."""
        if self._task is None and self.bot.settings.feeds_poll_minutes > 0:
            self._task = asyncio.create_task(self._schedule(), name="factbot-feed-polls")

    async def cog_unload(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def interaction_check(self, interaction: discord.Interaction) -> bool:  # type: ignore[override]
        """Every command here is for moderators (checked in code, not only by permissions)."""
        if not is_moderator(interaction, self.bot.settings):
            raise NotModerator()
        return True

    @property
    def store(self) -> FeedStore:
        if self._store is None:
            self._store = feed_store(self.bot.settings)
        return self._store

    # --- polling -------------------------------------------------------------------------
    def poll_soon(self) -> None:
        """Wake the schedule now (e.g. after a feed was added)."""
        self._wake.set()

    async def _schedule(self) -> None:
        seconds = self.bot.settings.feeds_poll_minutes * 60
        while True:
            try:
                await self.poll(SCHEDULED)
            except Exception:  # the schedule must survive anything one poll does
                log.exception("scheduled feed poll failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=seconds)
            self._wake.clear()

    async def poll(self, who: str, user_id: int = 0) -> tuple[PollReport, str]:
        """Poll every feed once, then index what was written in one build.

        Returns:
            The poll report and one line about the build.
        """
        async with self._poll_lock:
            feeds = await asyncio.to_thread(self.store.feeds)
            report = PollReport()
            if feeds:
                report = await poll_feeds(self.bot.settings, self.store)
            build_line, built = await self._build(who)
        if built or (who != SCHEDULED):
            lines = [p.line() for p in report.feeds] + [build_line]
            ok = not any(p.error for p in report.feeds) and not build_line.startswith("❌")
            await asyncio.to_thread(
                self.bot.store.audit, user_id, who, "feeds poll", f"{len(feeds)} feed(s)",
                "\n".join(lines)[:1000], ok,
            )
        return report, build_line

    async def _build(self, who: str) -> tuple[str, bool]:
        if not await asyncio.to_thread(lambda: self.store.needs_build):
            return "Index unchanged.", False
        if self.bot.build_lock.locked():
            return "A reindex is running; the new articles are indexed by the next poll.", False
        async with self.bot.build_lock:
            self.bot.build_owner = who
            try:
                summary = await asyncio.to_thread(
                    build_pending, self.bot.settings, self.bot.builder, None
                )
            except Exception as exc:
                log.error("feed build failed", exc_info=exc)
                name = exc.__class__.__name__
                return f"❌ Indexing failed ({name}); the previous index still serves.", False
            finally:
                self.bot.build_owner = None
        try:
            await self.bot.reload_core()
        except UserFacingError as exc:
            return f"⚠️ Indexed, but the new index could not be loaded ({exc}).", True
        line = summary.line() if summary is not None else "nothing to index"
        return f"✅ Indexed: {line}", True

    # --- commands ------------------------------------------------------------------------
    @feeds.command(name="add")
    @app_commands.describe(url="The RSS or Atom feed's URL", outlet="The outlet that publishes it")
    async def add(
        self,
        interaction: discord.Interaction,
        url: app_commands.Range[str, 1, 2000],
        outlet: app_commands.Range[str, 1, 100],
    ) -> None:
        """Follow a feed: its new articles are fetched and indexed on every poll."""
        await interaction.response.defer(thinking=True, ephemeral=True)
        try:
            final_url, entries = await check_feed(url.strip(), self.bot.settings)
            feed = await asyncio.to_thread(
                self.store.add, final_url, outlet, f"{interaction.user} ({interaction.user.id})"
            )
        except (FetchError, FeedError) as err:
            raise UserFacingError(f"I did not follow that feed: {err}") from None
        await self._audit(interaction, "feeds add", feed.url, f"{feed.outlet}, {entries} entries")
        minutes = self.bot.settings.feeds_poll_minutes
        if minutes > 0:
            when = f"now and every {minutes:g} min"
            self.poll_soon()
        else:
            when = "when a moderator runs /feeds poll (scheduled polls are off)"
        await self._send(
            interaction,
            f"Following **{safe_text(feed.outlet)}** <{safe_text(feed.url, markdown=False)}> "
            f"({entries} entries). New articles are fetched {when}.",
        )

    @feeds.command(name="list")
    async def list_(self, interaction: discord.Interaction) -> None:
        """Followed feeds with their last success, last error and articles added."""
        await interaction.response.defer(thinking=True, ephemeral=True)
        feeds = await asyncio.to_thread(self.store.feeds)
        minutes = self.bot.settings.feeds_poll_minutes
        head = (
            f"{len(feeds)} feed(s), polled every {minutes:g} min."
            if minutes > 0 else f"{len(feeds)} feed(s); scheduled polls are off."
        )
        if not feeds:
            head = "No feeds followed. Add one with /feeds add."
        await self._send(interaction, "\n".join([head, *(_feed_text(f) for f in feeds)]))

    async def _feed_choices(
        self, _: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        feeds = await asyncio.to_thread(self.store.feeds)
        wanted = current.lower()
        return [
            app_commands.Choice(name=f"[{f.id}] {f.outlet} {f.url}"[:100], value=str(f.id))
            for f in feeds
            if wanted in f"{f.id} {f.outlet} {f.url}".lower()
        ][:25]

    @feeds.command(name="remove")
    @app_commands.describe(feed="The feed's number (see /feeds list) or URL")
    @app_commands.autocomplete(feed=_feed_choices)
    async def remove(self, interaction: discord.Interaction, feed: str) -> None:
        """Stop following a feed (articles already indexed stay)."""
        found = await asyncio.to_thread(self.store.find, feed)
        if found is None:
            raise UserFacingError("No followed feed matches that; see /feeds list.")
        await asyncio.to_thread(self.store.remove, found.id)
        await self._audit(interaction, "feeds remove", found.url, found.outlet)
        await interaction.response.send_message(
            f"Stopped following **{safe_text(found.outlet)}** "
            f"<{safe_text(found.url, markdown=False)}>; its indexed articles stay.",
            ephemeral=True,
            allowed_mentions=NONE,
        )

    @feeds.command(name="poll")
    async def poll_command(self, interaction: discord.Interaction) -> None:
        """Poll every feed now and index new articles."""
        await interaction.response.defer(thinking=True, ephemeral=True)
        if self._poll_lock.locked():
            raise UserFacingError("A feed poll is already running; try again when it finishes.")
        report, build_line = await self.poll(str(interaction.user), interaction.user.id)
        lines = [safe_text(p.line(), markdown=False) for p in report.feeds] or ["No feeds."]
        await self._send(interaction, "\n".join([*lines, build_line]))

    async def _send(self, interaction: discord.Interaction, text: str) -> None:
        for piece in split_text(text, CONTENT):
            await interaction.followup.send(piece, allowed_mentions=NONE, ephemeral=True)

    async def _audit(
        self, interaction: discord.Interaction, action: str, target: str, result: str
    ) -> None:
        who = f"{interaction.user} ({interaction.user.id})"
        await asyncio.to_thread(
            self.bot.store.audit, interaction.user.id, who, action, target, result, True
        )


async def setup(bot: FactBot) -> None:
    """Load the live-news cog."""
    await bot.add_cog(News(bot))
