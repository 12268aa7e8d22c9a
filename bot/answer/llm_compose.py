"""The optional LLM composer: any LangChain chat model writes the claims, nothing unverified
is kept.

The deterministic checker has already chosen the verdict and the evidence sentences; the
model only phrases the claims, as JSON (claims with source numbers and quotes). Every quote
is checked against the stored article text (`bot.answer.verify`). When some are not
verbatim, the model is asked again with the errors, at most `settings.llm_max_retries`
times (instructor style); after that, bad quotes are dropped and a claim left with none is
removed. The provider packages (`langchain_openai`, `langchain_ollama`) are optional extras
imported only when selected.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from bot.answer.attribution import attribute
from bot.answer.prompts import load_prompt, render_prompt
from bot.answer.types import Claim, Reply, Source, show_outlet
from bot.answer.verify import locate_quote
from bot.settings import Settings
from index.types import Article

log = logging.getLogger(__name__)

_JSON_BLOCK = re.compile(r"\{.*\}", re.DOTALL)


class LLMUnavailableError(RuntimeError):
    """The chat model cannot be built (extra not installed) or did not answer."""


class LLMQuote(BaseModel):
    source: int
    quote: str


class LLMClaim(BaseModel):
    text: str
    sources: list[int] = Field(default_factory=list)
    quotes: list[LLMQuote] = Field(default_factory=list)


class LLMAnswer(BaseModel):
    """The structured output asked of the model."""

    claims: list[LLMClaim] = Field(default_factory=list)


def chat_model_from_settings(settings: Settings) -> Any:
    """A LangChain chat model for `settings.llm_provider` (lazy import of the extra).

    Raises:
        LLMUnavailableError: the provider package is not installed.
    """
    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
    try:
        if settings.llm_provider == "ollama":
            from langchain_ollama import ChatOllama

            return ChatOllama(model=settings.llm_model,
                              base_url=settings.llm_base_url or settings.ollama_base_url,
                              temperature=0,
                              client_kwargs={"timeout": settings.llm_timeout_seconds})
        from langchain_openai import ChatOpenAI

        return ChatOpenAI(model=settings.llm_model, base_url=settings.llm_base_url,
                          api_key=key, temperature=0, timeout=settings.llm_timeout_seconds,
                          max_retries=1)
    except ImportError as exc:
        raise LLMUnavailableError(
            f"the {settings.llm_provider} chat model needs the optional extra: "
            "pip install 'factbot[llm]'"
        ) from exc


def parse_answer(content: str) -> LLMAnswer:
    """Parse the model's JSON (the outermost `{...}` of its message).

    Raises:
        ValueError: no JSON object, or not the expected shape.
    """
    match = _JSON_BLOCK.search(content or "")
    if not match:
        raise ValueError("the reply contains no JSON object")
    try:
        return LLMAnswer.model_validate(json.loads(match.group(0)))
    except (json.JSONDecodeError, ValidationError) as exc:
        raise ValueError(f"the JSON is not in the expected shape: {exc}") from exc


def _sources_block(reply: Reply) -> str:
    lines = []
    for s in reply.sources:
        lines.append(f"[{s.id}] {show_outlet(s.outlet)} — {s.title or 'untitled'} "
                     f"({s.published or 'date unknown'})\n    {s.quote}")
    return "\n".join(lines)


class LLMComposer:
    """Asks a chat model for claims and keeps only verbatim-verified quotes."""

    def __init__(self, chat_model: Any, max_retries: int = 2) -> None:
        self.chat_model = chat_model
        self.max_retries = max_retries

    @classmethod
    def from_settings(cls, settings: Settings, chat_model: Any = None) -> LLMComposer:
        """The composer for the configured provider (or the given model)."""
        return cls(chat_model or chat_model_from_settings(settings), settings.llm_max_retries)

    def _check(self, answer: LLMAnswer, by_id: Mapping[int, Source],
               articles: Mapping[str, Article]) -> list[str]:
        errors = []
        for ci, claim in enumerate(answer.claims, 1):
            for quote in claim.quotes:
                source = by_id.get(quote.source)
                article = articles.get(source.article_id) if source else None
                if article is None:
                    errors.append(f"claim {ci}: source [{quote.source}] does not exist")
                elif locate_quote(quote.quote, article.text) is None:
                    errors.append(f"claim {ci}: quote {quote.quote!r} is not verbatim in "
                                  f"source [{quote.source}]")
        return errors

    def _ask(self, messages: list) -> str:
        try:
            result = self.chat_model.invoke(messages)
        except Exception as exc:  # any provider error: fall back to the extractive reply
            raise LLMUnavailableError(f"the chat model failed: {type(exc).__name__}") from exc
        return str(getattr(result, "content", result))

    def compose(self, reply: Reply, articles: Mapping[str, Article]) -> Reply:
        """Rewrite the claims of an extractive reply with the chat model.

        Args:
            reply: the extractive reply (its sources are the evidence offered to the model).
            articles: the stored articles, to verify quotes against.

        Returns:
            A reply whose sources are only the model's verified quotes (anchored to exact
            offsets), or the extractive reply when nothing verifiable came back.

        Raises:
            LLMUnavailableError: the model could not be called.
        """
        from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

        by_id = {s.id: s for s in reply.sources}
        messages: list = [
            SystemMessage(load_prompt("compose_system")),
            HumanMessage(render_prompt(
                "compose_user", mode_label=reply.mode.capitalize(), query=reply.query,
                verdict=reply.verdict.value, sources=_sources_block(reply),
            )),
        ]
        answer: LLMAnswer | None = None
        errors: list[str] = []
        for attempt in range(self.max_retries + 1):
            content = self._ask(messages)
            try:
                answer = parse_answer(content)
                errors = self._check(answer, by_id, articles)
            except ValueError as exc:
                answer, errors = None, [str(exc)]
            if not errors:
                break
            log.info("LLM attempt %d: %d problem(s)", attempt + 1, len(errors))
            messages += [AIMessage(content),
                         HumanMessage(render_prompt("compose_retry", errors="\n".join(errors)))]
        if answer is None:
            return reply.model_copy(update={"notes": [*reply.notes,
                                                      "LLM reply unusable; extractive reply"]})
        return self._to_reply(reply, answer, by_id, articles, retries_failed=bool(errors))

    def _to_reply(self, reply: Reply, answer: LLMAnswer, by_id: Mapping[int, Source],
                  articles: Mapping[str, Article], retries_failed: bool) -> Reply:
        sources: list[Source] = []
        claims: list[Claim] = []
        dropped_quotes = dropped_claims = 0
        for claim in answer.claims:
            cited: list[int] = []
            for quote in claim.quotes:
                source = by_id.get(quote.source)
                article = articles.get(source.article_id) if source else None
                span = locate_quote(quote.quote, article.text) if article else None
                if span is None or source is None or article is None:
                    dropped_quotes += 1
                    continue
                start, end = span
                sources.append(source.model_copy(update={
                    "id": len(sources) + 1, "quote": article.text[start:end],
                    "start": start, "end": end,
                }))
                cited.append(len(sources))
            if not cited:
                dropped_claims += 1
                continue
            claims.append(Claim(text=_keep_attribution(claim.text, sources[cited[0] - 1]),
                                sources=cited))
        if not claims:
            return reply.model_copy(update={"notes": [
                *reply.notes, "LLM claims had no verbatim quote; extractive reply"]})
        notes = list(reply.notes)
        if dropped_quotes or dropped_claims or retries_failed:
            notes.append(f"LLM composer: {dropped_quotes} quote(s) not verbatim dropped, "
                         f"{dropped_claims} claim(s) removed")
        return reply.model_copy(update={"claims": claims, "sources": sources, "notes": notes})


def _keep_attribution(text: str, source: Source) -> str:
    """Prefix the outlet when the model's claim names neither an outlet nor a speaker verb."""
    outlet = show_outlet(source.outlet)
    if outlet.lower() in text.lower() or attribute(text).verb is not None:
        return text
    return f"{outlet} reports: {text}"
