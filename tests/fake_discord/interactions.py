"""Discord's rules for answering an interaction, as the fake enforces them.

- An interaction is answered once (a second callback: 400, code 40060) and within
  `ACK_DEADLINE` seconds of being sent (later: 404, code 10062 "Unknown interaction").
- A deferred response ("thinking…", callback type 5) is public or ephemeral once and for
  all. While it is still loading, the first followup *replaces* it: that message takes the
  defer's visibility, whatever flags the followup asks for. Once the original was edited
  or deleted, followups are new messages with their own flags.
- Followups need an acknowledged interaction (else 404, code 10015 "Unknown Webhook") and
  a live token (15 minutes; `expire()` ends one early: 401, code 50027).
- An ephemeral message is seen only by the user of its interaction.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

EPHEMERAL = 1 << 6
ACK_DEADLINE = 3.0

ALREADY_ACKED = (400, {"code": 40060, "message": "Interaction has already been acknowledged."})
UNKNOWN_INTERACTION = (404, {"code": 10062, "message": "Unknown interaction"})
UNKNOWN_WEBHOOK = (404, {"code": 10015, "message": "Unknown Webhook"})
INVALID_TOKEN = (401, {"code": 50027, "message": "Invalid Webhook Token"})


@dataclass
class Interaction:
    """One interaction sent to the bot and how it has been answered so far."""

    id: str
    token: str
    user_id: str
    message_id: str | None = None  # the message a clicked component sits on
    sent_at: float = field(default_factory=time.monotonic)
    acked: bool = False
    expired: bool = False
    deferred_flags: int | None = None
    original: str | None = None  # id of the original response message
    original_state: str = "none"  # none, loading, sent, deleted
    callbacks: list[int] = field(default_factory=list)

    def ack_error(self, deadline: float = ACK_DEADLINE) -> tuple[int, dict] | None:
        """Why a callback is refused now, or None when it may answer."""
        if self.acked:
            return ALREADY_ACKED
        if time.monotonic() - self.sent_at > deadline:
            return UNKNOWN_INTERACTION
        return None

    def webhook_error(self) -> tuple[int, dict] | None:
        """Why a followup or an edit through the token is refused now, or None."""
        if self.expired:
            return INVALID_TOKEN
        if not self.acked:
            return UNKNOWN_WEBHOOK
        return None

    def followup_flags(self, asked: int) -> tuple[int, bool]:
        """The flags a followup really gets, and whether it replaces the loading original."""
        if self.original_state == "loading":
            defer = self.deferred_flags or 0
            return (asked & ~EPHEMERAL) | (defer & EPHEMERAL), True
        return asked, False
