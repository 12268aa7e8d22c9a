"""Permission and cooldown checks for slash commands, enforced in code."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import discord
from discord import app_commands

from bot.settings import Settings

T = TypeVar("T")


class NotModerator(app_commands.CheckFailure):
    """The member lacks Manage Server and every moderator role."""

    def __init__(self) -> None:
        super().__init__("Only members with Manage Server or a moderator role can do that.")


def is_moderator(interaction: discord.Interaction, settings: Settings) -> bool:
    """True when the user has Manage Server (or Administrator) or a role in `moderator_roles`.

    Uses the permissions Discord resolved for this interaction, not the command's
    `default_permissions`, which server admins can override.
    """
    if interaction.guild is None or not isinstance(interaction.user, discord.Member):
        return False
    perms = interaction.permissions
    if perms.manage_guild or perms.administrator:
        return True
    allowed = set(settings.moderator_roles)
    return any(role.id in allowed for role in interaction.user.roles)


async def _moderator_predicate(interaction: discord.Interaction) -> bool:
    if not is_moderator(interaction, interaction.client.settings):  # type: ignore[attr-defined]
        raise NotModerator()
    return True


def moderator_only() -> Callable[[T], T]:
    """Allow a command only to moderators: checked in code, `default_permissions` as a hint."""

    def decorator(func: Any) -> Any:
        func = app_commands.guild_only()(func)
        func = app_commands.default_permissions(manage_guild=True)(func)
        return app_commands.check(_moderator_predicate)(func)

    return decorator


def _cooldown(interaction: discord.Interaction) -> app_commands.Cooldown | None:
    seconds = interaction.client.settings.command_cooldown_seconds  # type: ignore[attr-defined]
    return app_commands.Cooldown(1, seconds) if seconds > 0 else None


def expensive() -> Callable[[T], T]:
    """Per-user cooldown of `settings.command_cooldown_seconds` on an expensive command."""
    return app_commands.checks.dynamic_cooldown(_cooldown, key=lambda i: i.user.id)
