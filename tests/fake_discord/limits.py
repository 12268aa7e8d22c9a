"""Discord's message validation, answered the way Discord does: 400 with code 50035."""

from __future__ import annotations

import re
from typing import Any

MAX = {
    "content": 2000,
    "title": 256,
    "description": 4096,
    "field_name": 256,
    "field_value": 1024,
    "fields": 25,
    "footer": 2048,
    "author": 256,
    "total": 6000,
    "embeds": 10,
}
_MASS = re.compile(r"@(everyone|here)")
_USER = re.compile(r"<@!?(\d+)>")
_ROLE = re.compile(r"<@&(\d+)>")


def _err(message: str, code: str = "BASE_TYPE_MAX_LENGTH") -> dict:
    return {"_errors": [{"code": code, "message": message}]}


def validate_message(body: dict[str, Any]) -> dict[str, Any] | None:
    """Discord's `errors` object for an invalid message body, or None when it is valid."""
    errors: dict[str, Any] = {}
    content = body.get("content") or ""
    if len(content) > MAX["content"]:
        errors["content"] = _err("Must be 2000 or fewer in length.")
    embeds = body.get("embeds") or []
    if len(embeds) > MAX["embeds"]:
        errors["embeds"] = _err("Must be 10 or fewer in length.")
    total = 0
    for i, embed in enumerate(embeds):
        e: dict[str, Any] = {}
        for key in ("title", "description"):
            text = embed.get(key) or ""
            total += len(text)
            if len(text) > MAX[key]:
                e[key] = _err(f"Must be {MAX[key]} or fewer in length.")
        footer = (embed.get("footer") or {}).get("text") or ""
        author = (embed.get("author") or {}).get("name") or ""
        total += len(footer) + len(author)
        if len(footer) > MAX["footer"]:
            e["footer"] = {"text": _err("Must be 2048 or fewer in length.")}
        fields = embed.get("fields") or []
        if len(fields) > MAX["fields"]:
            e["fields"] = _err("Must be 25 or fewer in length.")
        for j, field in enumerate(fields):
            name, value = field.get("name") or "", field.get("value") or ""
            total += len(name) + len(value)
            f: dict[str, Any] = {}
            if not name or len(name) > MAX["field_name"]:
                f["name"] = _err("Must be between 1 and 256 in length.")
            if not value or len(value) > MAX["field_value"]:
                f["value"] = _err("Must be between 1 and 1024 in length.")
            if f:
                e.setdefault("fields", {})[str(j)] = f
        if e:
            errors.setdefault("embeds", {})[str(i)] = e
    components = validate_components(body.get("components") or [])
    if components:
        errors.update(components)
    if total > MAX["total"]:
        errors.setdefault("embeds", {})["_errors"] = [
            {
                "code": "MAX_EMBED_SIZE_EXCEEDED",
                "message": "Embed size exceeds maximum size of 6000",
            }
        ]
    return errors or None


def pings(body: dict[str, Any]) -> list[str]:
    """Who Discord would ping for this message body, honouring `allowed_mentions`.

    Without `allowed_mentions`, Discord parses every mention in the content.
    """
    content = body.get("content") or ""
    allowed = body.get("allowed_mentions")
    parse = {"everyone", "users", "roles"} if allowed is None else set(allowed.get("parse", []))
    users = set(map(str, (allowed or {}).get("users", [])))
    roles = set(map(str, (allowed or {}).get("roles", [])))
    out = []
    if "everyone" in parse:
        out += ["@" + m for m in _MASS.findall(content)]
    out += [f"user:{u}" for u in _USER.findall(content) if "users" in parse or u in users]
    out += [f"role:{r}" for r in _ROLE.findall(content) if "roles" in parse or r in roles]
    replied = allowed is None or allowed.get("replied_user", False)
    if replied and body.get("message_reference"):
        out.append("replied_user")
    return out


def validate_components(components: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Discord's limits on message components: rows, buttons, selects, ids and labels."""
    errors: dict[str, Any] = {}
    if len(components) > 5:
        errors["_errors"] = [{"code": "BASE_TYPE_MAX_LENGTH", "message": "Must be 5 or fewer."}]
    for i, row in enumerate(components):
        items = row.get("components") or []
        problems: list[str] = []
        if row.get("type") != 1 or not 1 <= len(items) <= 5:
            problems.append("an action row holds 1 to 5 components")
        if any(c.get("type") != 2 for c in items) and len(items) > 1:
            problems.append("a select menu fills its row alone")
        for c in items:
            if len(c.get("custom_id") or "") > 100:
                problems.append("custom_id longer than 100")
            if len(c.get("label") or "") > 80:
                problems.append("button label longer than 80")
            options = c.get("options")
            if options is not None:
                if not 1 <= len(options) <= 25:
                    problems.append("a select has 1 to 25 options")
                for o in options:
                    if any(len(o.get(k) or "") > 100 for k in ("label", "value", "description")):
                        problems.append("select option text longer than 100")
        if problems:
            errors[str(i)] = _err("; ".join(problems), "COMPONENT_INVALID")
    return {"components": errors} if errors else None
