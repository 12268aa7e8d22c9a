"""A moderator's build (reindex, ingest, upload removal): progress, result, mod log, audit.

Everything is shown to the moderator only: the command defers ephemerally, so its progress
message (the first followup) is ephemeral, and it is edited in place. The progress line is
edited whenever a new batch is reported (at most every `MIN_EDIT_GAP` seconds, Discord
rate-limits edits) and at least every `EDIT_EVERY` seconds of work, with the time spent. A
copy of the start and of the result goes to the mod-log channel when one is set. The build
runs in a worker thread; the previous index answers until the new one is loaded.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import discord

from bot.answer.errors import UserFacingError
from bot.discord.safety import safe_text

log = logging.getLogger(__name__)
NONE = discord.AllowedMentions.none()
EDIT_EVERY = 2.0
MIN_EDIT_GAP = 1.0
TICK = 0.2
STAGES = {
    "load": "reading files",
    "embed": "embedding chunks",
    "copy": "copying unchanged vectors",
    "switch": "switching to the new index",
    "done": "finishing",
}


class BuildFailed(Exception):
    """The build did not complete; `str()` is the ❌ line shown to the moderator."""


@dataclass(frozen=True)
class Outcome:
    """A finished build: its summary (None when it failed) and what the moderator sees."""

    ok: bool
    text: str
    summary: Any = None


def failure_lines(failed: list[Any], limit: int = 10) -> list[str]:
    """One `• name: reason` line per file the build could not use."""
    lines = [f"• `{Path(f.path).name}`: {f.reason}" for f in failed[:limit]]
    if len(failed) > limit:
        lines.append(f"• … and {len(failed) - limit} more")
    return lines


def summary_outcome(summary: Any, what: str) -> Outcome:
    """✅ when every file was indexed; ⚠️ with the failing files (and not ok) otherwise."""
    failed = list(getattr(summary, "failed", []))
    icon = "⚠️" if failed else "✅"
    head = f"{icon} {what} finished in {getattr(summary, 'seconds', 0.0):.1f} s: {summary.line()}"
    text = "\n".join([head, *failure_lines(failed)])
    return Outcome(not failed, safe_text(text, markdown=False)[:1900], summary)


def _failure_text(exc: BaseException, what: str) -> str:
    from index.build import BuildInProgressError
    from index.store import StoreUnavailableError

    if isinstance(exc, UserFacingError):
        return f"❌ {what} failed: {exc}"
    if isinstance(exc, BuildInProgressError):
        return f"❌ {what} refused: another reindex is running (from another process)."
    if isinstance(exc, StoreUnavailableError):
        return f"❌ {what} failed: the vector store cannot be reached right now."
    if isinstance(exc, ValueError):  # e.g. nothing to index
        return f"❌ {what} failed: {safe_text(str(exc))[:300]}"
    log.error("%s failed", what, exc_info=exc)
    return f"❌ {what} failed ({exc.__class__.__name__}); the previous index still serves."


class BuildJob:
    """One build for one moderator's command (the command has deferred ephemerally)."""

    def __init__(
        self, bot: Any, interaction: discord.Interaction, action: str, target: str, what: str
    ) -> None:
        self.bot = bot
        self.interaction = interaction
        self.action = action
        self.target = target
        self.what = what
        self.message: discord.WebhookMessage | None = None
        self.modlog: discord.Message | None = None
        self.edits: int = 0

    async def say(self, text: str) -> None:
        """Show `text` in the progress message (sent on first use), only to the moderator."""
        if self.message is None:
            self.message = await self.interaction.followup.send(
                text, wait=True, ephemeral=True, allowed_mentions=NONE
            )
            return
        try:
            await self.message.edit(content=text, allowed_mentions=NONE)
            self.edits += 1
        except discord.HTTPException as exc:  # e.g. the 15-minute interaction token expired
            log.warning("could not edit the progress message: %s", exc.status)

    async def run(self, paths: list[Path] | None) -> Any:
        """Run the builder in a thread with progress; return its summary.

        Raises:
            BuildFailed: the build did not complete (the previous index keeps serving).
        """
        await self.say(f"⏳ {self.what} started…")
        self.modlog = await self._modlog(f"⏳ {self.what} started by {self._who()}")
        loop = asyncio.get_running_loop()
        latest: list[Any] = []

        def progress(p: Any) -> None:  # called from the build thread
            loop.call_soon_threadsafe(latest.append, p)

        started = last_edit = time.monotonic()
        task = asyncio.ensure_future(
            asyncio.to_thread(self.bot.builder, paths, self.bot.settings, progress)
        )
        shown = None
        while not task.done():
            await asyncio.wait({task}, timeout=TICK)
            now = time.monotonic()
            new = latest[-1] if latest else None
            fresh = new is not shown and now - last_edit >= MIN_EDIT_GAP
            if not task.done() and (fresh or now - last_edit >= EDIT_EVERY):
                shown, last_edit = new, now
                await self.say(self._progress_line(new, now - started))
        try:
            summary = task.result()
        except Exception as exc:
            raise BuildFailed(_failure_text(exc, self.what)) from exc
        try:
            await self.bot.reload_core()
        except UserFacingError as exc:
            raise BuildFailed(
                f"❌ {self.what}: the new index could not be loaded ({exc}); the previous one "
                "serves."
            ) from exc
        return summary

    def _progress_line(self, p: Any, elapsed: float) -> str:
        if p is None:
            return f"⏳ {self.what}: starting · {elapsed:.0f} s"
        stage = STAGES.get(p.stage, p.stage)
        return f"⏳ {self.what}: {stage} {p.done}/{p.total} · {elapsed:.0f} s"

    async def finish(self, outcome: Outcome) -> None:
        """Show the result, copy it to the mod log and write the audit row."""
        await self.say(outcome.text)
        if self.modlog is not None:
            with contextlib.suppress(discord.HTTPException):
                await self.modlog.edit(content=f"{outcome.text}\n-# by {self._who()}")
        user = self.interaction.user
        await asyncio.to_thread(
            self.bot.store.audit, user.id, f"{user} ({user.id})", self.action, self.target,
            outcome.text, outcome.ok,
        )

    def _who(self) -> str:
        return safe_text(str(self.interaction.user))

    async def _modlog(self, text: str) -> discord.Message | None:
        channel_id = self.bot.settings.mod_log_channel
        if not channel_id:
            return None
        channel = self.bot.get_channel(channel_id)
        if channel is None:
            log.warning("the mod-log channel %s is not visible to the bot", channel_id)
            return None
        try:
            return await channel.send(text, allowed_mentions=NONE)
        except discord.HTTPException as exc:
            log.warning("could not post in the mod-log channel: %s", exc.status)
            return None
