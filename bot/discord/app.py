"""The bot: client setup, the shared answering core, startup and the slash-command error handler.

`run_bot` is what `factbot serve` calls; `create_bot` builds a `FactBot` for it and for tests.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import aiohttp
import discord
from discord import app_commands
from discord.ext import commands

from bot.answer.errors import UserFacingError
from bot.discord.interactions import respond_error
from bot.discord.safety import neutralise_mentions
from bot.discord.store import BotStore
from bot.settings import Settings

log = logging.getLogger(__name__)

EXTENSIONS = (
    "bot.discord.cogs.chat",
    "bot.discord.cogs.lookup",
    "bot.discord.cogs.moderation",
    "bot.discord.cogs.feedback",
    "bot.discord.cogs.news",
)
GENERIC_ERROR = "Something went wrong on my side; it has been logged. Please try again later."


class CoreBusyError(UserFacingError):
    """More questions are waiting for the core than `settings.core_queue_limit`."""

    def __init__(self) -> None:
        super().__init__(
            "I'm busy answering other questions right now; please ask again in a few seconds."
        )


def intents(message_content: bool = True) -> discord.Intents:
    """Guilds and guild messages, and the privileged message-content intent when enabled.

    Without it Discord still sends the text of messages that mention the bot, so mentions
    and slash commands work; replies without a ping and answer channels do not.
    """
    value = discord.Intents.none()
    value.guilds = True
    value.guild_messages = True
    value.message_content = message_content
    return value


class FactBot(commands.Bot):
    """A `commands.Bot` holding the settings, the shared core, the store and the build lock."""

    def __init__(
        self,
        settings: Settings,
        core: Any | None = None,
        builder: Callable[..., Any] | None = None,
        sync: bool = False,
        **options: Any,
    ) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents(settings.message_content_intent),
            allowed_mentions=discord.AllowedMentions.none(),
            help_command=None,
            **options,
        )
        self.settings = settings
        self.core = core
        self.builder = builder
        self.sync_on_start = sync
        self.store = BotStore(settings.data_dir / "discord.sqlite3")
        self.build_lock = asyncio.Lock()
        self.build_owner: str | None = None
        # one worker: core calls run in order, off the event loop, never two at once
        self._core_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="factbot-core")
        self.core_waiting = 0  # calls queued or running on the worker
        self.tree.error(self.on_app_command_error)

    async def setup_hook(self) -> None:
        """Load the core (off the loop), every cog in its own try, and sync if asked."""
        if self.core is None:
            try:
                from bot.answer.core import FactChecker

                self.core = await asyncio.to_thread(FactChecker, self.settings)
            except Exception as exc:  # the bot still starts; commands say the index is down
                log.error("answering core failed to load: %s", exc.__class__.__name__)
        if self.builder is None:
            from index.build import build_index

            self.builder = build_index
        for name in EXTENSIONS:
            try:
                await self.load_extension(name)
            except Exception:
                log.exception("could not load cog %s", name)
        if self.sync_on_start:
            synced = await self.tree.sync()
            log.info("synced %d application commands", len(synced))

    async def on_ready(self) -> None:
        """Log the connection with the index it serves (the docstore is read off the loop)."""
        from bot.logs import connected_line
        from index.build import index_status_counts

        try:
            counts = await asyncio.to_thread(index_status_counts, self.settings)
        except Exception as exc:  # noqa: BLE001 - an unreadable index must not stop the bot
            log.warning("index status unavailable: %s", exc)
            counts = {}
        log.info("%s", connected_line(str(self.user), len(self.guilds), counts))

    async def on_message(self, message: discord.Message) -> None:
        """No prefix commands: chat answers are handled by the chat cog's listener."""

    async def close(self) -> None:
        """Close the connection, then the core's worker and the store."""
        await super().close()
        self._core_pool.shutdown(wait=False, cancel_futures=True)
        self.store.close()

    def check_core(self) -> None:
        """Raise the error a user should see when a question cannot be taken right now.

        Raises:
            UserFacingError: the core is not loaded.
            CoreBusyError: `settings.core_queue_limit` calls are already waiting.
        """
        if self.core is None:
            raise UserFacingError("The answering core is not available right now.")
        if self.core_waiting >= self.settings.core_queue_limit:
            raise CoreBusyError()

    async def call_core(self, method: str, *args: Any) -> Any:
        """Call a method of the answering core in its worker thread (never on the loop).

        Raises:
            UserFacingError: the core is not loaded, or the core raised one.
            CoreBusyError: the queue of waiting calls is full.
        """
        return await self.run_on_core(functools.partial(getattr(self.core, method), *args))

    async def run_on_core(self, func: Callable[[], Any]) -> Any:
        """Run `func` on the core's worker thread, counted against the bounded queue."""
        self.check_core()
        self.core_waiting += 1
        try:
            return await asyncio.get_running_loop().run_in_executor(self._core_pool, func)
        finally:
            self.core_waiting -= 1

    async def reload_core(self) -> None:
        """Let the core pick up a finished build, in its own thread so answers keep flowing.

        The core is thread-safe: queries in flight finish on the state they started with.
        """
        if self.core is not None:
            await asyncio.to_thread(self.core.reload)

    async def on_app_command_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        """One handler for slash-command errors: friendly text to the user only, details logged.

        The text is always ephemeral, even after a public defer (see `interactions`).
        """
        original = getattr(error, "original", error)
        if isinstance(error, app_commands.CommandOnCooldown):
            text = f"Slow down a little: try again in {error.retry_after:.0f} s."
        elif isinstance(error, app_commands.CheckFailure):
            text = str(error) or "You can't use this command here."
        elif isinstance(original, UserFacingError):
            text = str(original)
        else:
            command = interaction.command.qualified_name if interaction.command else "?"
            log.error("command /%s failed", command, exc_info=original)
            text = GENERIC_ERROR
        await respond_error(interaction, neutralise_mentions(text))


def create_bot(
    settings: Settings,
    core: Any | None = None,
    builder: Callable[..., Any] | None = None,
    sync: bool = False,
    **options: Any,
) -> FactBot:
    """A configured `FactBot`; `core` and `builder` default to the real ones (loaded lazily).

    Args:
        settings: the settings object.
        core: the answering core; None loads `FactChecker(settings)` in `setup_hook`.
        builder: `build_index`-compatible callable; None uses `index.build.build_index`.
        sync: sync the slash commands in `setup_hook`.
        **options: passed to `discord.Client` (tests use `guild_ready_timeout`).
    """
    return FactBot(settings, core=core, builder=builder, sync=sync, **options)


class _RedactToken(logging.Filter):
    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self.token in message:
            record.msg, record.args = message.replace(self.token, "[token]"), ()
        return True


async def _serve(settings: Settings, token: str, sync: bool) -> None:
    async with create_bot(settings, sync=sync) as bot:
        await bot.start(token)


def run_bot(settings: Settings, sync: bool = False) -> int:
    """Run the bot until it stops; return the process exit code (errors are one log line).

    Args:
        settings: the settings; the token comes from `DISCORD_TOKEN`.
        sync: sync the slash commands with Discord at startup.
    """
    token = settings.discord_token.get_secret_value().strip() if settings.discord_token else ""
    if not token:
        log.error("DISCORD_TOKEN is not set (environment or .env)")
        return 2
    if not logging.getLogger().handlers:
        discord.utils.setup_logging(level=logging.INFO)
    redact = _RedactToken(token)
    handlers = logging.getLogger().handlers
    for handler in handlers:
        handler.addFilter(redact)
    try:
        asyncio.run(_serve(settings, token, sync or settings.sync_commands))
    except discord.LoginFailure:
        log.error("Discord rejected DISCORD_TOKEN (401 Unauthorized)")
        return 1
    except discord.PrivilegedIntentsRequired:
        log.error(
            "Discord refused the message content intent: enable it in the developer portal, "
            "or set FACTBOT_MESSAGE_CONTENT_INTENT=false (docs/DISCORD.md)"
        )
        return 1
    except (discord.HTTPException, discord.GatewayNotFound, aiohttp.ClientError, OSError) as exc:
        log.error("could not connect to Discord: %s", exc.__class__.__name__)
        return 1
    except KeyboardInterrupt:
        log.info("stopped")
    finally:
        for handler in handlers:
            handler.removeFilter(redact)
    return 0
