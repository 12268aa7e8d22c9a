"""Errors of the answering core. Their messages are short and safe to show a user."""

from __future__ import annotations


class UserFacingError(Exception):
    """Base class: `str(error)` is what a user may see (no paths, no raw backend text)."""


class EmptyQueryError(UserFacingError):
    """The question or claim is empty (or only whitespace and control characters)."""

    def __init__(self) -> None:
        super().__init__("Please give a question or a claim to check.")


class QueryTooLongError(UserFacingError):
    """The question or claim is longer than `settings.max_query_chars`."""

    def __init__(self, length: int, limit: int) -> None:
        super().__init__(f"That is too long ({length} characters); the limit is {limit}.")
        self.length = length
        self.limit = limit


class IndexUnavailableError(UserFacingError):
    """The index is not built yet, or the vector store cannot be reached."""

    def __init__(self, reason: str = "the source index is not available right now") -> None:
        super().__init__(f"Sorry, {reason}.")
