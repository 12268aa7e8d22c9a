"""Gateway and REST payloads the fake sends: the shapes discord.py parses."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

APP_ID = "1000000000000000001"
BOT_ID = APP_ID
GUILD_ID = "1000000000000000002"
CHANNEL_ID = "1000000000000000003"
OWNER_ID = "1000000000000000004"
MOD_ROLE_ID = "1000000000000000005"
USER_ID = "1000000000000000006"
MODLOG_CHANNEL_ID = "1000000000000000007"
MANAGE_GUILD = 1 << 5


def _now() -> str:
    return datetime.now(UTC).isoformat()


def user(user_id: str = USER_ID, name: str = "alice", bot: bool = False) -> dict:
    return {
        "id": user_id,
        "username": name,
        "global_name": name,
        "discriminator": "0",
        "avatar": None,
        "bot": bot,
        "public_flags": 0,
    }


def bot_user() -> dict:
    return {
        **user(BOT_ID, "factbot", bot=True),
        "verified": True,
        "mfa_enabled": False,
        "flags": 0,
        "email": None,
    }


def application() -> dict:
    return {
        "id": APP_ID,
        "name": "factbot",
        "description": "",
        "icon": None,
        "bot_public": True,
        "bot_require_code_grant": False,
        "owner": user(OWNER_ID, "owner"),
        "verify_key": "0" * 64,
        "flags": 0,
        "summary": "",
        "team": None,
    }


def ready(ws_url: str) -> dict:
    return {
        "v": 10,
        "user": bot_user(),
        "guilds": [{"id": GUILD_ID, "unavailable": True}],
        "session_id": secrets.token_hex(8),
        "resume_gateway_url": ws_url,
        "application": {"id": APP_ID, "flags": 0},
        "shard": [0, 1],
        "private_channels": [],
        "relationships": [],
    }


def _member(user_data: dict, roles: list[str] | None = None) -> dict:
    return {
        "user": user_data,
        "roles": roles or [],
        "joined_at": _now(),
        "deaf": False,
        "mute": False,
        "flags": 0,
        "nick": None,
        "avatar": None,
    }


def _text_channel(channel_id: str, name: str) -> dict:
    return {
        "id": channel_id,
        "type": 0,
        "name": name,
        "position": 0,
        "permission_overwrites": [],
        "guild_id": GUILD_ID,
        "nsfw": False,
        "parent_id": None,
        "topic": None,
        "last_message_id": None,
        "rate_limit_per_user": 0,
    }


def guild() -> dict:
    everyone = {
        "id": GUILD_ID,
        "name": "@everyone",
        "permissions": str(1 << 11 | 1 << 10),
        "position": 0,
        "color": 0,
        "hoist": False,
        "managed": False,
        "mentionable": False,
    }
    mod = {**everyone, "id": MOD_ROLE_ID, "name": "moderator", "position": 1, "permissions": "0"}
    return {
        "id": GUILD_ID,
        "name": "Fake guild",
        "icon": None,
        "owner_id": OWNER_ID,
        "unavailable": False,
        "member_count": 3,
        "large": False,
        "features": [],
        "roles": [everyone, mod],
        "emojis": [],
        "stickers": [],
        "threads": [],
        "members": [_member(bot_user())],
        "presences": [],
        "voice_states": [],
        "stage_instances": [],
        "guild_scheduled_events": [],
        "soundboard_sounds": [],
        "channels": [
            _text_channel(CHANNEL_ID, "general"),
            _text_channel(MODLOG_CHANNEL_ID, "mod-log"),
        ],
        "joined_at": _now(),
        "verification_level": 0,
        "default_message_notifications": 0,
        "explicit_content_filter": 0,
        "mfa_level": 0,
        "premium_tier": 0,
        "preferred_locale": "en-US",
        "nsfw_level": 0,
        "system_channel_flags": 0,
    }


def user_message(
    message_id: str,
    content: str,
    author: dict | None = None,
    channel_id: str = CHANNEL_ID,
    mentions: list[dict] | None = None,
    referenced: dict | None = None,
    roles: list[str] | None = None,
) -> dict:
    """A MESSAGE_CREATE payload from a member of the fake guild."""
    author = author or user()
    message = {
        "id": message_id,
        "channel_id": channel_id,
        "guild_id": GUILD_ID,
        "author": author,
        "member": {k: v for k, v in _member(author, roles).items() if k != "user"},
        "content": content,
        "timestamp": _now(),
        "edited_timestamp": None,
        "tts": False,
        "mention_everyone": False,
        "mentions": mentions or [],
        "mention_roles": [],
        "attachments": [],
        "embeds": [],
        "pinned": False,
        "type": 0,
        "flags": 0,
    }
    if referenced is not None:
        message.update(
            type=19,
            referenced_message=referenced,
            message_reference={
                "message_id": referenced["id"],
                "channel_id": channel_id,
                "guild_id": GUILD_ID,
            },
        )
    return message


def bot_message(message_id: str, channel_id: str, body: dict, webhook: bool = False) -> dict:
    """The message object Discord returns for a message the bot sent."""
    message = {
        "id": message_id,
        "channel_id": channel_id,
        "author": bot_user(),
        "content": body.get("content") or "",
        "embeds": body.get("embeds") or [],
        "components": body.get("components") or [],
        "timestamp": _now(),
        "edited_timestamp": None,
        "tts": False,
        "mention_everyone": False,
        "mentions": [],
        "mention_roles": [],
        "attachments": [],
        "pinned": False,
        "type": 19 if body.get("message_reference") else 0,
        "flags": body.get("flags", 0),
    }
    if webhook:
        message["webhook_id"] = APP_ID
        message["application_id"] = APP_ID
    if body.get("message_reference"):
        message["message_reference"] = body["message_reference"]
    return message


def _option(name: str, value: Any, resolved: dict) -> dict:
    if isinstance(value, dict) and "attachment" in value:
        attachment = value["attachment"]
        resolved.setdefault("attachments", {})[attachment["id"]] = attachment
        return {"name": name, "type": 11, "value": attachment["id"]}
    kind = 5 if isinstance(value, bool) else 4 if isinstance(value, int) else 3
    return {"name": name, "type": kind, "value": value}


def attachment(attachment_id: str, filename: str, url: str, size: int) -> dict:
    return {
        "id": attachment_id,
        "filename": filename,
        "size": size,
        "url": url,
        "proxy_url": url,
        "content_type": "text/plain",
    }


def slash_interaction(
    interaction_id: str,
    name: str,
    options: dict[str, Any],
    author: dict | None = None,
    permissions: int = 0,
    roles: list[str] | None = None,
) -> dict:
    """An INTERACTION_CREATE payload for a chat-input command used in the fake guild."""
    resolved: dict[str, Any] = {}
    opts = [_option(k, v, resolved) for k, v in options.items()]
    member = {**_member(author or user(), roles), "permissions": str(permissions)}
    data: dict[str, Any] = {"id": "1", "name": name, "type": 1, "options": opts}
    if resolved:
        data["resolved"] = resolved
    return {
        "id": interaction_id,
        "application_id": APP_ID,
        "type": 2,
        "token": "itoken-" + secrets.token_hex(8),
        "version": 1,
        "guild_id": GUILD_ID,
        "channel_id": CHANNEL_ID,
        "channel": {
            "id": CHANNEL_ID,
            "type": 0,
            "guild_id": GUILD_ID,
            "name": "general",
            "position": 0,
            "permission_overwrites": [],
            "nsfw": False,
            "parent_id": None,
        },
        "member": member,
        "data": data,
        "app_permissions": str((1 << 53) - 1),
        "locale": "en-US",
        "guild_locale": "en-US",
        "entitlements": [],
        "authorizing_integration_owners": {"0": GUILD_ID},
        "context": 0,
        "attachment_size_limit": 26214400,
    }


def component_interaction(
    interaction_id: str, custom_id: str, message: dict, author: dict | None = None
) -> dict:
    """An INTERACTION_CREATE payload for a button click on `message`."""
    base = slash_interaction(interaction_id, "unused", {}, author=author)
    return {
        **base,
        "type": 3,
        "message": message,
        "data": {"custom_id": custom_id, "component_type": 2},
    }
