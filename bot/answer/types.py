"""Types the answering core returns. They know nothing of Discord or the CLI.

`Reply.model_dump(mode="json")` is the stable JSON shape printed by `factbot ask/check --json`.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field

UNKNOWN_OUTLET = "unknown outlet"


def show_outlet(outlet: str | None) -> str:
    """An outlet as shown to people: its name, or "unknown outlet" (never guessed)."""
    return outlet or UNKNOWN_OUTLET


class Verdict(StrEnum):
    # questions
    ANSWERED = "answered"
    # claims
    SUPPORTED = "supported"
    REFUTED = "refuted"
    UNVERIFIED = "unverified"
    # both
    DISPUTED = "disputed"
    NOT_FOUND = "not_found"


class Source(BaseModel):
    """A numbered source of a reply: one verified verbatim quote from one article."""

    id: int
    outlet: str | None  # None = unknown outlet; renderers show "unknown outlet"
    title: str | None
    published: str | None
    url: str | None
    document: str  # file name the article came from
    quote: str  # verbatim slice of the stored article text: text[start:end]
    start: int
    end: int
    article_id: str = Field(exclude=True)
    author: str | None = Field(default=None, exclude=True)
    republished_by: str | None = Field(default=None, exclude=True)

    @property
    def outlet_label(self) -> str:
        """How to name the source: its outlet or "unknown outlet", and any republisher."""
        label = show_outlet(self.outlet)
        if self.republished_by:
            label += f" (republished by {self.republished_by})"
        return label


class Claim(BaseModel):
    """One statement of the reply, backed by the numbered sources it cites."""

    text: str
    sources: list[int]
    # which side of a dispute the claim stands on ("support" / "contra"); None for context.
    # Not in the JSON shape: renderers group by it.
    side: Literal["support", "contra"] | None = Field(default=None, exclude=True)


class Reply(BaseModel):
    """What the core answers to a question or a claim."""

    query: str
    mode: Literal["question", "claim"]
    verdict: Verdict
    summary: str
    claims: list[Claim] = Field(default_factory=list)
    sources: list[Source] = Field(default_factory=list)
    # e.g. "2 claims dropped: quote not verbatim"
    notes: list[str] = Field(default_factory=list, exclude=True)


class Passage(BaseModel):
    """A matching passage for `sources` / `quote` lookups (already verified verbatim)."""

    outlet: str | None
    title: str | None
    published: str | None
    url: str | None
    document: str
    article_id: str
    text: str
    start: int
    end: int
    score: float
    speaker: str | None = None  # for quote provenance: who is quoted saying it, if stated


class QuoteProvenance(BaseModel):
    """Answer to `factbot quote`: where these words appear and who said or published them."""

    text: str
    found: bool
    passages: list[Passage] = Field(default_factory=list)


class OutletInfo(BaseModel):
    outlet: str | None
    articles: int
    first_published: str | None
    last_published: str | None


class IndexStatus(BaseModel):
    articles: int
    chunks: int
    outlets: int
    last_build: str | None  # ISO timestamp (UTC)
    model: str | None
    collection: str | None
