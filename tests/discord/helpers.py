"""Discord mocks built with `spec_set` from real discord.py classes (python-discord style).

A wrong attribute name fails the test instead of silently returning a new mock.
"""

from __future__ import annotations

import itertools
from typing import Any
from unittest.mock import AsyncMock, MagicMock

import discord

_ids = itertools.count(100_000_000_000_000_000)
GUILD_ID = 900_000_000_000_000_001
BOT_ID = 800_000_000_000_000_001


def next_id() -> int:
    return next(_ids)


def mock_role(role_id: int | None = None, name: str = "role") -> MagicMock:
    role = MagicMock(spec_set=discord.Role)
    role.id = role_id or next_id()
    role.name = name
    return role


def mock_guild() -> MagicMock:
    guild = MagicMock(spec_set=discord.Guild)
    guild.id = GUILD_ID
    guild.name = "Test guild"
    return guild


def mock_member(
    roles: list[MagicMock] | None = None, bot: bool = False, name: str = "alice"
) -> MagicMock:
    member = MagicMock(spec_set=discord.Member)
    member.id = next_id()
    member.bot = bot
    member.name = name
    member.display_name = name
    member.roles = roles or []
    member.__str__.return_value = name
    return member


def mock_channel(kind: type = discord.TextChannel, parent_id: int | None = None) -> MagicMock:
    channel = MagicMock(spec_set=kind)
    channel.id = next_id()
    channel.send = AsyncMock(side_effect=lambda *a, **kw: mock_sent(channel))
    if kind is discord.Thread:
        channel.parent_id = parent_id or next_id()
    return channel


def mock_sent(channel: MagicMock | None = None) -> MagicMock:
    """A message the bot sent (what `send`/`reply` return)."""
    sent = MagicMock(spec_set=discord.Message)
    sent.id = next_id()
    sent.channel = channel or mock_channel()
    return sent


def mock_message(
    content: str,
    *,
    author: MagicMock | None = None,
    channel: MagicMock | None = None,
    mentions: list[Any] | None = None,
    reference: discord.MessageReference | None = None,
    attachments: list[Any] | None = None,
) -> MagicMock:
    message = MagicMock(spec_set=discord.Message)
    message.id = next_id()
    message.content = content
    message.author = author or mock_member()
    message.guild = mock_guild()
    message.channel = channel or mock_channel()
    message.mentions = mentions or []
    message.raw_mentions = [int(x) for x in discord.utils.re.findall(r"<@!?(\d+)>", content)]
    message.reference = reference
    message.attachments = attachments or []
    message.reply = AsyncMock(side_effect=lambda **kw: mock_sent(message.channel))
    return message


def mock_interaction(
    client: discord.Client,
    *,
    user: MagicMock | None = None,
    permissions: discord.Permissions | None = None,
) -> MagicMock:
    """An interaction whose response and followup record what the command sent."""
    interaction = MagicMock(spec_set=discord.Interaction)
    interaction.id = next_id()
    interaction.client = client
    interaction.user = user or mock_member()
    interaction.guild = mock_guild()
    interaction.guild_id = GUILD_ID
    channel = mock_channel()
    interaction.channel = channel
    interaction.channel_id = channel.id
    interaction.permissions = permissions or discord.Permissions.none()
    interaction.command = None
    interaction.created_at = discord.utils.utcnow()
    response = MagicMock(spec_set=discord.InteractionResponse)
    state = {"done": False}

    def _done(*_: Any, **__: Any) -> None:
        state["done"] = True

    def _sent(*_: Any, **__: Any) -> MagicMock:
        state["done"] = True
        callback = MagicMock(spec_set=discord.InteractionCallbackResponse)
        callback.resource = None
        return callback

    response.is_done.side_effect = lambda: state["done"]
    response.defer.side_effect = _done
    response.send_message.side_effect = _sent
    interaction.response = response
    interaction.original_response.return_value = mock_sent(channel)
    interaction.extras = {}
    followup = MagicMock(spec_set=discord.Webhook)

    def _followup(*args: Any, **kwargs: Any) -> MagicMock:
        sent = MagicMock(spec_set=discord.WebhookMessage)
        sent.id = next_id()
        sent.channel = channel
        return sent

    followup.send.side_effect = _followup
    interaction.followup = followup
    return interaction


def sent_kwargs(mock: AsyncMock) -> list[dict[str, Any]]:
    """Keyword arguments of every call of a send-like mock."""
    return [c.kwargs for c in mock.await_args_list]


async def eventually(condition: Any, timeout: float = 5.0) -> None:
    """Wait until `condition()` is truthy (work finishing after the last Discord request)."""
    import asyncio
    import time

    deadline = time.monotonic() + timeout
    while True:
        try:
            if condition():
                return
        except IndexError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"condition still false after {timeout} s")
        await asyncio.sleep(0.02)


# --- end to end: matching what the bot sent to the fake Discord ------------------------------
def chat_posts(r: Any) -> bool:
    """Messages the bot posted in a channel (chat replies, notices), successfully."""
    import re

    return r.method == "POST" and bool(re.fullmatch(r"/channels/\d+/messages", r.path)) and (
        r.status == 200
    )


def answer_of(interaction: dict) -> Any:
    """Matches the callback (the first response) to an interaction."""
    return lambda r: r.path.startswith(f"/interactions/{interaction['id']}/")


def followups_of(interaction: dict) -> Any:
    """Matches followups sent with an interaction's token."""
    return lambda r: r.method == "POST" and r.path.startswith("/webhooks/") and r.path.endswith(
        interaction["token"]
    )


def flags(body: dict | None) -> int:
    """Message flags of a callback or message body (64: ephemeral)."""
    body = body or {}
    data = body.get("data") if "type" in body and "data" in body else body
    return int((data or {}).get("flags") or 0)


def buttons(body: dict) -> list[str]:
    """Custom ids of every component in a message body."""
    return [c.get("custom_id") for row in body.get("components") or [] for c in row["components"]]
