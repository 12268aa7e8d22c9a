"""A local OpenAI-compatible chat-completions server for tests (127.0.0.1, a free port).

Real HTTP, so the real `langchain_openai.ChatOpenAI` client (and the `openai` SDK under
it) talks to it exactly as to a provider. `ChatOpenAI.with_structured_output` asks, by
default in the installed version, for `response_format = {"type": "json_schema", ...}`
(OpenAI's Structured Outputs) and reads the JSON from `choices[0].message.content`; the
stub answers in that shape.

It judges by a rule the test controls: `rule(query, sentence)` returns `(label,
confidence)` for an item, or None to leave the item out. Items are read back from the
judge prompt (`prompts/judge_item.txt`: "Item N", "Claim:"/"Question:", "Sentence:").
`mode` makes it misbehave: "garbage_content" (a 200 whose content is not JSON),
"garbage_body" (a 200 that is not a chat completion at all), "refusal", "http_401",
"http_500", or "raw" (send `raw_items` as the items, unchecked).
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Rule = Callable[[str, str], tuple[str, float] | None]
_ITEM = re.compile(r"^Item (\d+)\n(?:Claim|Question): (.*)\nSentence: (.*)$", re.MULTILINE)


@dataclass
class Recorded:
    """One request as the server received it."""

    path: str
    headers: dict[str, str]  # names lower-cased
    body: dict[str, Any]

    @property
    def user_prompt(self) -> str:
        return next(m["content"] for m in self.body["messages"] if m["role"] == "user")

    @property
    def system_prompt(self) -> str:
        return next(m["content"] for m in self.body["messages"] if m["role"] == "system")


def parse_items(prompt: str) -> list[tuple[int, str, str]]:
    """(index, query, sentence) of every item in a judge prompt."""
    return [(int(m[1]), m[2], m[3]) for m in _ITEM.finditer(prompt)]


def always_neutral(query: str, sentence: str) -> tuple[str, float]:
    return "neutral", 0.9


@dataclass
class StubOpenAI:
    """The server; use as a context manager (`with StubOpenAI(rule) as stub:`)."""

    rule: Rule = always_neutral
    mode: str = "ok"
    raw_items: list[Any] = field(default_factory=list)
    requests: list[Recorded] = field(default_factory=list)

    def __post_init__(self) -> None:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                headers = {k.lower(): v for k, v in self.headers.items()}
                stub.requests.append(Recorded(self.path, headers, body))
                if self.path.rstrip("/") != "/v1/chat/completions":
                    self._send(404, {"error": {"message": "not found", "type": "not_found"}})
                    return
                status, payload = stub.answer(body)
                self._send(status, payload)

            def _send(self, status: int, payload: Any) -> None:
                data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json"
                                 if not isinstance(payload, bytes) else "text/html")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass  # keep test output clean

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def __enter__(self) -> StubOpenAI:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    # --- answers ----------------------------------------------------------------------------
    def items_for(self, prompt: str) -> list[dict[str, Any]]:
        out = []
        for index, query, sentence in parse_items(prompt):
            decided = self.rule(query, sentence)
            if decided is not None:
                out.append({"index": index, "label": decided[0], "confidence": decided[1]})
        return out

    def answer(self, body: dict[str, Any]) -> tuple[int, Any]:
        if self.mode == "http_401":
            return 401, {"error": {"message": "Incorrect API key provided.",
                                   "type": "invalid_request_error", "code": "invalid_api_key"}}
        if self.mode == "http_500":
            return 500, {"error": {"message": "The server had an error.", "type": "server_error"}}
        if self.mode == "garbage_body":
            return 200, b"<html><body>502 Bad Gateway (but sent as 200)</body></html>"
        prompt = next((m["content"] for m in body.get("messages", []) if m["role"] == "user"), "")
        message: dict[str, Any] = {"role": "assistant", "content": None, "refusal": None}
        if self.mode == "garbage_content":
            message["content"] = "I think item 1 is probably true, item 2 not so much."
        elif self.mode == "refusal":
            message["refusal"] = "I can't help with that."
        elif self.mode == "raw":
            message["content"] = json.dumps({"items": self.raw_items})
        else:
            message["content"] = json.dumps({"items": self.items_for(prompt)})
        return 200, {
            "id": f"chatcmpl-stub-{len(self.requests)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", "stub"),
            "choices": [{"index": 0, "message": message, "finish_reason": "stop",
                         "logprobs": None}],
            "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
        }
