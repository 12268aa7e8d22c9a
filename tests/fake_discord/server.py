"""Fake Discord on 127.0.0.1: REST API (aiohttp) and gateway (websocket), in one app.

Point an unmodified discord.py client at it with `FakeDiscord.patched()`, which sets
`discord.http.Route.BASE` and `DiscordWebSocket.DEFAULT_GATEWAY` (and restores them).
Every REST request is captured; events are injected as gateway dispatches.

It answers the way Discord does where the bot could get it wrong: message, embed and
component limits (400, code 50035), interaction acknowledgement and visibility rules
(`interactions.py`: one answer within 3 s, the first followup after a defer takes the
defer's visibility), and, for a client that did not ask for the message-content intent,
messages arrive without their text unless they mention the bot.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import discord
import yarl
from aiohttp import web
from discord.gateway import DiscordWebSocket

from tests.fake_discord import payloads as p
from tests.fake_discord.interactions import ACK_DEADLINE, EPHEMERAL, UNKNOWN_WEBHOOK, Interaction
from tests.fake_discord.limits import validate_message

LOADING = 1 << 7
MESSAGE_CONTENT = 1 << 15
UNKNOWN_MESSAGE = (404, {"message": "Unknown Message", "code": 10008})

MESSAGE_PATHS = re.compile(
    r"^/(channels/\d+/messages(/\d+)?|webhooks/\d+/[^/]+(/messages/.+)?"
    r"|interactions/\d+/[^/]+/callback)$"
)


@dataclass
class Captured:
    """One REST request as the fake received it, and the status it answered."""

    method: str
    path: str
    body: Any
    headers: dict[str, str]
    status: int = 0
    response: Any = None
    at: float = field(default_factory=time.monotonic)

    def message_body(self) -> dict | None:
        """The message part of the body (a callback's `data`), for message-carrying requests."""
        if not isinstance(self.body, dict) or not MESSAGE_PATHS.match(self.path):
            return None
        if self.path.endswith("/callback"):
            return self.body.get("data") if self.body.get("type") in (4, 7) else None
        return self.body


@dataclass
class _Limit:
    method: str
    pattern: re.Pattern[str]
    times: int
    retry_after: float


@dataclass
class FakeDiscord:
    """The fake. `start()` it inside the test's event loop; `close()` when done."""

    token: str = "fake-token"
    heartbeat_ms: int = 250
    allow_message_content: bool = True
    requests: list[Captured] = field(default_factory=list)
    heartbeats: list[float] = field(default_factory=list)
    identify: dict | None = None
    commands: list[dict] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)
    messages: dict[str, dict] = field(default_factory=dict)
    ack_deadline: float = ACK_DEADLINE
    interactions: dict[str, Interaction] = field(default_factory=dict)  # by token
    reactions: list[tuple[str, str]] = field(default_factory=list)  # (message id, emoji)
    deleted: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._ids = itertools.count(1_100_000_000_000_000_000)
        self._seq = itertools.count(1)
        self._limits: list[_Limit] = []
        self._ws: web.WebSocketResponse | None = None
        self._send_lock = asyncio.Lock()
        self._runner: web.AppRunner | None = None
        self.port = 0
        self.request_seen = asyncio.Event()
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/gateway", self._gateway)
        app.router.add_get("/cdn/{name}", self._cdn)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._rest)
        self._app = app
        self._routes: list[tuple[str, re.Pattern[str], Callable[..., Any]]] = [
            ("GET", re.compile(r"/users/@me"), self._me),
            ("GET", re.compile(r"/oauth2/applications/@me"), lambda *_: (200, p.application())),
            ("GET", re.compile(r"/gateway(/bot)?"), lambda *_: (200, {"url": self.ws_url})),
            ("PUT", re.compile(r"/applications/\d+(/guilds/\d+)?/commands"), self._sync),
            ("GET", re.compile(r"/applications/\d+(/guilds/\d+)?/commands"), lambda *_: (200, [])),
            ("POST", re.compile(r"/channels/(\d+)/typing"), lambda *_: (204, None)),
            ("POST", re.compile(r"/channels/(\d+)/messages"), self._create),
            ("PATCH", re.compile(r"/channels/(\d+)/messages/(\d+)"), self._edit),
            ("DELETE", re.compile(r"/channels/(\d+)/messages/(\d+)"), self._delete),
            (
                "PUT",
                re.compile(r"/channels/(\d+)/messages/(\d+)/reactions/([^/]+)/@me"),
                self._react,
            ),
            ("POST", re.compile(r"/interactions/(\d+)/([^/]+)/callback"), self._callback),
            ("POST", re.compile(r"/webhooks/(\d+)/([^/]+)"), self._followup),
            ("PATCH", re.compile(r"/webhooks/(\d+)/([^/]+)/messages/([^/]+)"), self._edit_webhook),
            ("GET", re.compile(r"/webhooks/(\d+)/([^/]+)/messages/([^/]+)"), self._get_webhook),
            (
                "DELETE",
                re.compile(r"/webhooks/(\d+)/([^/]+)/messages/([^/]+)"),
                self._delete_webhook,
            ),
        ]

    # --- lifecycle ---------------------------------------------------------------------------
    async def start(self) -> None:
        """Listen on an ephemeral port of 127.0.0.1."""
        self._runner = web.AppRunner(self._app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def close(self) -> None:
        if self._ws is not None and not self._ws.closed:
            await self._ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    @contextlib.contextmanager
    def patched(self) -> Iterator[None]:
        """Point discord.py at this fake; restore the real addresses afterwards."""
        old_base, old_gateway = discord.http.Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
        discord.http.Route.BASE = f"{self.base}/api/v10"
        DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(self.ws_url)
        try:
            yield
        finally:
            discord.http.Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = old_base, old_gateway

    # --- test controls -----------------------------------------------------------------------
    def rate_limit(
        self, method: str, pattern: str, times: int = 1, retry_after: float = 0.2
    ) -> None:
        """Answer the next `times` matching requests with 429 and a `Via` header, like Discord."""
        self._limits.append(_Limit(method, re.compile(pattern), times, retry_after))

    async def dispatch(self, event: str, data: dict) -> None:
        """Send a gateway DISPATCH (op 0) to the connected client."""
        await self._send({"op": 0, "t": event, "s": next(self._seq), "d": data})

    async def message_create(self, content: str, reply_ping: bool = True, **kwargs: Any) -> dict:
        """Inject a MESSAGE_CREATE; returns the message payload as the bot received it.

        `mentions` defaults to the users mentioned in `content` (and the bot, for a reply to
        it with `reply_ping`). Without the message-content intent, a message that does not
        mention the bot arrives with empty content, like on Discord.
        """
        if "mentions" not in kwargs:
            kwargs["mentions"] = self._mentions_in(content, kwargs.get("referenced"), reply_ping)
        message = p.user_message(str(next(self._ids)), content, **kwargs)
        intents = (self.identify or {}).get("intents", 0)
        mentioned = any(u["id"] == p.BOT_ID for u in message["mentions"])
        if not intents & MESSAGE_CONTENT and not mentioned:
            message.update(content="", embeds=[], attachments=[], components=[])
        await self.dispatch("MESSAGE_CREATE", message)
        return message

    @staticmethod
    def _mentions_in(content: str, referenced: dict | None, reply_ping: bool) -> list[dict]:
        ids = list(dict.fromkeys(re.findall(r"<@!?(\d+)>", content)))
        if referenced is not None and reply_ping:
            ids.append(referenced["author"]["id"])
        return [p.bot_user() if i == p.BOT_ID else p.user(i, f"user{i[-4:]}") for i in ids]

    def _track(self, data: dict, message_id: str | None = None) -> None:
        user_id = data["member"]["user"]["id"]
        self.interactions[data["token"]] = Interaction(
            data["id"], data["token"], user_id, message_id=message_id
        )

    async def slash(self, name: str, options: dict[str, Any] | None = None, **kwargs: Any) -> dict:
        """Inject an INTERACTION_CREATE for a slash command; returns the interaction payload."""
        data = p.slash_interaction(str(next(self._ids)), name, options or {}, **kwargs)
        self._track(data)
        await self.dispatch("INTERACTION_CREATE", data)
        return data

    async def click(self, custom_id: str, message: dict, **kwargs: Any) -> dict:
        """Inject a button click on a message the bot sent; returns the interaction payload."""
        data = p.component_interaction(str(next(self._ids)), custom_id, message, **kwargs)
        self._track(data, message_id=message["id"])
        await self.dispatch("INTERACTION_CREATE", data)
        return data

    def expire(self, token: str) -> None:
        """End an interaction token now (Discord ends them after 15 minutes)."""
        self.interactions[token].expired = True

    # --- what people see ---------------------------------------------------------------------
    def channel_messages(self) -> list[dict]:
        """Messages everyone in the channel sees now (not ephemeral, not deleted)."""
        return [m for m in self.messages.values() if not m.get("flags", 0) & EPHEMERAL]

    def ephemeral_messages(self, user_id: str | None = None) -> list[dict]:
        """Ephemeral messages (of one user's interactions, when given)."""
        return [
            m
            for m in self.messages.values()
            if m.get("flags", 0) & EPHEMERAL and user_id in (None, m.get("_visible_to"))
        ]

    @staticmethod
    def text_of(message: dict) -> str:
        """Everything a message shows: content, embeds and components, as one string."""
        shown = {k: message.get(k) for k in ("content", "embeds", "components")}
        return json.dumps(shown, ensure_ascii=False)

    async def wait_for(
        self, predicate: Callable[[Captured], bool], timeout: float = 10.0, count: int = 1
    ) -> list[Captured]:
        """Wait until `count` captured requests satisfy `predicate`; returns them."""
        deadline = time.monotonic() + timeout
        while True:
            found = [r for r in self.requests if r.status and predicate(r)]
            if len(found) >= count:
                return found
            if time.monotonic() > deadline:
                seen = [(r.method, r.path, r.status) for r in self.requests]
                raise TimeoutError(f"no matching request after {timeout} s; saw {seen}")
            self.request_seen.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.request_seen.wait(), 0.1)

    def sent(self) -> list[dict]:
        """Bodies of every message the bot sent or edited (successfully or not)."""
        return [b for r in self.requests if (b := r.message_body()) is not None]

    # --- gateway -----------------------------------------------------------------------------
    async def _send(self, payload: dict) -> None:
        if self._ws is None:
            raise RuntimeError("no client connected to the gateway")
        async with self._send_lock:
            await self._ws.send_str(json.dumps(payload))

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self._ws = ws
        await self._send({"op": 10, "d": {"heartbeat_interval": self.heartbeat_ms}})
        async for msg in ws:
            data = json.loads(msg.data)
            op = data.get("op")
            if op == 1:
                self.heartbeats.append(time.monotonic())
                await self._send({"op": 11})
            elif op == 2:
                await self._identify(ws, data["d"])
            elif op == 6:  # resume: not supported, ask for a fresh session
                await self._send({"op": 9, "d": False})
        return ws

    async def _identify(self, ws: web.WebSocketResponse, data: dict) -> None:
        self.identify = data
        if data.get("token") != self.token:
            await ws.close(code=4004, message=b"Authentication failed.")
            return
        if data.get("intents", 0) & (1 << 15) and not self.allow_message_content:
            await ws.close(code=4014, message=b"Disallowed intent(s).")
            return
        await self.dispatch("READY", p.ready(self.ws_url))
        await self.dispatch("GUILD_CREATE", p.guild())

    # --- REST --------------------------------------------------------------------------------
    async def _cdn(self, request: web.Request) -> web.Response:
        data = self.files.get(request.match_info["name"])
        return web.Response(body=data) if data is not None else web.Response(status=404)

    async def _rest(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["tail"]
        body = await _read_body(request)
        captured = Captured(request.method, path, body, dict(request.headers))
        self.requests.append(captured)
        status, payload, headers = self._handle(captured, request)
        captured.status, captured.response = status, payload
        self.request_seen.set()
        if payload is None:
            return web.Response(status=status, headers=headers)
        # Content-Type exactly `application/json`: discord.py parses nothing else
        return web.Response(
            status=status,
            body=json.dumps(payload).encode(),
            headers={**headers, "Content-Type": "application/json"},
        )

    def _handle(self, c: Captured, request: web.Request) -> tuple[int, Any, dict[str, str]]:
        is_webhook = c.path.startswith(("/webhooks/", "/interactions/"))
        if not is_webhook and c.headers.get("Authorization") != f"Bot {self.token}":
            return 401, {"message": "401: Unauthorized", "code": 0}, {}
        for limit in self._limits:
            if limit.times > 0 and limit.method == c.method and limit.pattern.search(c.path):
                limit.times -= 1
                body = {
                    "message": "You are being rate limited.",
                    "retry_after": limit.retry_after,
                    "global": False,
                }
                return (
                    429,
                    body,
                    {
                        "Via": "1.1 google",
                        "Retry-After": str(limit.retry_after),
                        "X-RateLimit-Scope": "user",
                    },
                )
        for method, pattern, handler in self._routes:
            match = pattern.fullmatch(c.path)
            if method == c.method and match:
                status, payload = handler(c, match, request)
                return status, payload, {}
        return 404, {"message": "404: Not Found", "code": 0}, {}

    def _me(self, *_: Any) -> tuple[int, Any]:
        return 200, p.bot_user()

    def _sync(self, c: Captured, *_: Any) -> tuple[int, Any]:
        self.commands = [
            {**cmd, "id": str(next(self._ids)), "application_id": p.APP_ID, "version": "1"}
            for cmd in c.body
        ]
        return 200, self.commands

    def _store(
        self, channel_id: str, body: dict, message_id: str | None = None, webhook: bool = False
    ) -> tuple[int, Any]:
        errors = validate_message(body)
        if errors:
            return 400, {"code": 50035, "errors": errors, "message": "Invalid Form Body"}
        if (
            not (body.get("content") or body.get("embeds") or body.get("components"))
            and message_id is None
        ):
            return 400, {"code": 50006, "message": "Cannot send an empty message"}
        old = self.messages.get(message_id or "", {})
        message = p.bot_message(
            message_id or str(next(self._ids)), channel_id, {**old, **body}, webhook=webhook
        )
        self.messages[message["id"]] = message
        return 200, message

    def _create(self, c: Captured, m: re.Match[str], _: Any) -> tuple[int, Any]:
        return self._store(m[1], c.body)

    def _edit(self, c: Captured, m: re.Match[str], _: Any) -> tuple[int, Any]:
        return self._store(m[1], c.body, message_id=m[2])

    def _callback(self, c: Captured, m: re.Match[str], _: Any) -> tuple[int, Any]:
        it = self.interactions.get(m[2])
        if it is None or it.id != m[1]:
            return 404, {"code": 10062, "message": "Unknown interaction"}
        if refused := it.ack_error(self.ack_deadline):
            return refused
        kind = c.body.get("type")
        data = c.body.get("data") or {}
        if kind in (4, 7) and (errors := validate_message(data)):
            return 400, {"code": 50035, "errors": {"data": errors}, "message": "Invalid Form Body"}
        it.acked = True
        it.callbacks.append(kind)
        resource: dict[str, Any] = {"type": kind}
        flags = data.get("flags", 0)
        if kind in (4, 5):
            body = {**data, "flags": flags | (LOADING if kind == 5 else 0)}
            message = self._new(p.CHANNEL_ID, body, webhook=True, visible_to=it.user_id)
            it.original = message["id"]
            it.original_state = "loading" if kind == 5 else "sent"
            it.deferred_flags = flags if kind == 5 else None
            if kind == 4:
                resource["message"] = message
        elif kind == 7 and it.message_id in self.messages:
            status, message = self._store(p.CHANNEL_ID, data, message_id=it.message_id)
            if status != 200:
                return status, message
        interaction = {
            "id": it.id,
            "type": 2,
            "response_message_id": it.original,
            "response_message_loading": kind == 5,
            "response_message_ephemeral": bool(flags & EPHEMERAL),
        }
        return 200, {"interaction": interaction, "resource": resource}

    def _interaction(self, token: str) -> Interaction | None:
        return self.interactions.get(token)

    def _new(self, channel_id: str, body: dict, webhook: bool, visible_to: str) -> dict:
        message = p.bot_message(str(next(self._ids)), channel_id, body, webhook=webhook)
        if message["flags"] & EPHEMERAL:
            message["_visible_to"] = visible_to
        self.messages[message["id"]] = message
        return message

    def _followup(self, c: Captured, m: re.Match[str], _: Any) -> tuple[int, Any]:
        it = self._interaction(m[2])
        if it is None:
            return UNKNOWN_WEBHOOK
        if refused := it.webhook_error():
            return refused
        if errors := validate_message(c.body):
            return 400, {"code": 50035, "errors": errors, "message": "Invalid Form Body"}
        flags, replaces = it.followup_flags(c.body.get("flags", 0))
        body = {**c.body, "flags": flags}
        if replaces and it.original in self.messages:
            it.original_state = "sent"
            message = {**self.messages[it.original], **body}
            message = p.bot_message(it.original, p.CHANNEL_ID, message, webhook=True)
            if flags & EPHEMERAL:
                message["_visible_to"] = it.user_id
            self.messages[it.original] = message
            return 200, message
        if not (body.get("content") or body.get("embeds") or body.get("components")):
            return 400, {"code": 50006, "message": "Cannot send an empty message"}
        return 200, self._new(p.CHANNEL_ID, body, webhook=True, visible_to=it.user_id)

    def _target(self, token: str, ref: str) -> tuple[Interaction | None, str | None]:
        it = self._interaction(token)
        if it is None:
            return None, None
        return it, it.original if ref == "@original" else ref

    def _edit_webhook(self, c: Captured, m: re.Match[str], _: Any) -> tuple[int, Any]:
        it, message_id = self._target(m[2], m[3])
        if it is None:
            return UNKNOWN_WEBHOOK
        if refused := it.webhook_error():
            return refused
        if message_id not in self.messages:
            return UNKNOWN_MESSAGE
        old = self.messages[message_id]
        body = {**c.body, "flags": old.get("flags", 0) & ~LOADING}
        status, message = self._store(p.CHANNEL_ID, body, message_id=message_id, webhook=True)
        if status == 200:
            if old.get("_visible_to"):
                message["_visible_to"] = old["_visible_to"]
            if message_id == it.original:
                it.original_state = "sent"
        return status, message

    def _get_webhook(self, c: Captured, m: re.Match[str], _: Any) -> tuple[int, Any]:
        _, message_id = self._target(m[2], m[3])
        message = self.messages.get(message_id or "")
        return (200, message) if message else UNKNOWN_MESSAGE

    def _delete_webhook(self, c: Captured, m: re.Match[str], _: Any) -> tuple[int, Any]:
        it, message_id = self._target(m[2], m[3])
        if it is None:
            return UNKNOWN_WEBHOOK
        if refused := it.webhook_error():
            return refused
        if message_id not in self.messages:
            return UNKNOWN_MESSAGE
        del self.messages[message_id]
        self.deleted.append(message_id)
        if message_id == it.original:
            it.original_state = "deleted"
        return 204, None

    def _delete(self, c: Captured, m: re.Match[str], _: Any) -> tuple[int, Any]:
        if m[2] not in self.messages:
            return UNKNOWN_MESSAGE
        del self.messages[m[2]]
        self.deleted.append(m[2])
        return 204, None

    def _react(self, c: Captured, m: re.Match[str], _: Any) -> tuple[int, Any]:
        self.reactions.append((m[2], m[3]))
        return 204, None


async def _read_body(request: web.Request) -> Any:
    if request.content_type == "application/json":
        return await request.json()
    if request.content_type.startswith("multipart/"):
        form = await request.post()
        return json.loads(str(form.get("payload_json") or "{}"))
    raw = await request.read()
    return raw.decode("utf-8", "replace") if raw else None


@contextlib.contextmanager
def serve_in_thread(**kwargs: Any) -> Iterator[FakeDiscord]:
    """Run a `FakeDiscord` on its own event loop in a thread (for code that calls `asyncio.run`)."""
    import threading

    loop = asyncio.new_event_loop()
    server = FakeDiscord(**kwargs)
    started = threading.Event()

    def _run() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(server.start())
        started.set()
        loop.run_forever()

    thread = threading.Thread(target=_run, name="fake-discord", daemon=True)
    thread.start()
    if not started.wait(10):
        raise RuntimeError("fake Discord did not start")
    try:
        with server.patched():
            yield server
    finally:
        asyncio.run_coroutine_threadsafe(server.close(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()
