"""The optional LLM judge: any LangChain chat model scores evidence sentences (`FACTBOT_JUDGE=llm`).

The same seam as the shipped cross-encoder (`bot.answer.judge.Judge`): the pairs of one
query go to the chat model in **one** call, numbered, with who states each sentence, and
the model is asked for structured output (`with_structured_output` with the pydantic
schema `JudgeOutput`: per item an index, a label entail | contradict | neutral and a
confidence). Everything above the seam is unchanged: the same aggregation
(`bot.answer.verdict`), the same quote verification (`bot.answer.verify`) — the model never
writes a quote here, it only labels sentences taken from the stored articles.

- A label with confidence `c` becomes `Scores` with `c` on the label (at least 0.34, so the
  label stays the most probable) and the rest split evenly over the other two. The
  aggregation's thresholds (`ENTAIL_MIN` 0.6 ...) then read the model's own confidence.
- For a question the model says whether the sentence answers it ("entail") or not
  ("neutral"); a "contradict" on a question (a "no" answer) counts as answering it.
- An item the model left out, or gave in a shape the schema rejects (unknown label,
  confidence outside 0..1, unknown index), is neutral: one bad item never loses the answer.
- A call that fails (network error, timeout, HTTP error, refusal, a reply that is not the
  structured output at all) raises `LLMUnavailableError`. `FallbackJudge` turns that into
  the shipped model judge with a logged warning, and keeps using it for a while before it
  tries the chat model again; `make_llm_judge` builds that pair from settings.

Error messages and logs name only the exception type, never its text (a provider's error
can echo part of the API key), and never the key.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, Literal

from pydantic import (
    BaseModel,
    Field,
    ValidationError,
    ValidatorFunctionWrapHandler,
    field_validator,
)

from bot.answer.judge import Judge, JudgePair, Scores
from bot.answer.llm_compose import LLMUnavailableError, chat_model_from_settings
from bot.answer.prompts import load_prompt, render_prompt
from bot.answer.question import question_kind
from bot.settings import Settings

log = logging.getLogger(__name__)

Label = Literal["entail", "contradict", "neutral"]
LABELS: tuple[Label, ...] = ("entail", "contradict", "neutral")
_SYNONYMS = {"entailment": "entail", "entails": "entail", "contradiction": "contradict",
             "contradicts": "contradict"}
_WH_START = re.compile(r"^\s*(?:who|whom|whose|what|when|where|why|which|how)\b", re.IGNORECASE)
# After a failed call, the fallback judges for this long before the chat model is tried again
# (a model that is down would otherwise cost every query its timeout).
RETRY_AFTER_S = 60.0
# The least probability a label gets: above 1/3, so the model's label is always the argmax.
LABEL_FLOOR = 0.34


class JudgeItem(BaseModel):
    """The model's judgement of one numbered item."""

    index: int = Field(description="The item's number, as given in the prompt.")
    label: Label = Field(description="entail, contradict or neutral (for a question: entail "
                                     "when the sentence answers it, else neutral).")
    confidence: float = Field(ge=0.0, le=1.0,
                              description="Probability (0 to 1) that the label is right.")

    @field_validator("label", mode="before")
    @classmethod
    def _normalise_label(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.strip().lower()
            return _SYNONYMS.get(value, value)
        return value


class JudgeOutput(BaseModel):
    """The structured output asked of the model: one result per numbered item."""

    items: list[JudgeItem] = Field(description="One result for every item, by its index.")

    @field_validator("items", mode="wrap")
    @classmethod
    def _drop_invalid(cls, value: object, handler: ValidatorFunctionWrapHandler) -> object:
        """Keep the items that validate; a malformed one is dropped (judged neutral), not
        fatal for the rest of the batch."""
        if not isinstance(value, list):
            return handler(value)
        kept: list[JudgeItem] = []
        for raw in value:
            try:
                kept.extend(handler([raw]))
            except ValidationError as exc:
                log.debug("LLM judge item dropped: %d validation error(s)", exc.error_count())
        return kept


def is_question(query: str) -> bool:
    """Whether a judge query is a question (answered or not) rather than a claim."""
    return (query.rstrip().endswith("?") or bool(_WH_START.match(query))
            or question_kind(query).yes_no)


def to_scores(label: Label, confidence: float) -> Scores:
    """Probabilities summing to 1: `confidence` on the label (at least `LABEL_FLOOR`, so the
    label stays the most probable), the rest split evenly over the other two."""
    p = min(1.0, max(float(confidence), LABEL_FLOOR))
    rest = (1.0 - p) / 2.0
    return Scores(entail=p if label == "entail" else rest,
                  contradict=p if label == "contradict" else rest,
                  neutral=p if label == "neutral" else rest)


NEUTRAL = to_scores("neutral", 1.0)


def _one_line(text: str | None) -> str:
    return " ".join((text or "").split())


def render_items(pairs: Sequence[JudgePair]) -> str:
    """The numbered items of one prompt (1-based), with context, speaker and verb."""
    blocks = []
    for i, pair in enumerate(pairs, 1):
        blocks.append(render_prompt(
            "judge_item", index=i,
            kind="Question" if is_question(pair.query) else "Claim",
            query=_one_line(pair.query), sentence=_one_line(pair.sentence),
            context=_one_line(pair.context) or "(none)",
            speaker=_one_line(pair.speaker) or (
                "someone the sentence reports" if pair.verb else "the article itself"),
            verb=_one_line(pair.verb) or "(none)",
        ).rstrip())
    return "\n\n".join(blocks)


class LLMJudge:
    """A LangChain chat model as the judge: one structured-output call per batch."""

    name = "llm-judge"

    def __init__(self, chat_model: Any) -> None:
        """Wrap a LangChain chat model (anything with `with_structured_output`)."""
        self.chat_model = chat_model
        self._structured = chat_model.with_structured_output(JudgeOutput)

    @classmethod
    def from_settings(cls, settings: Settings, chat_model: Any = None) -> LLMJudge:
        """The judge for the configured provider (or the given model).

        Raises:
            LLMUnavailableError: the provider's package is not installed.
        """
        return cls(chat_model if chat_model is not None else chat_model_from_settings(settings))

    def messages(self, pairs: Sequence[JudgePair]) -> list:
        """The system and user messages of one call."""
        from langchain_core.messages import HumanMessage, SystemMessage

        return [SystemMessage(load_prompt("judge_system")),
                HumanMessage(render_prompt("judge_user", count=len(pairs),
                                           items=render_items(pairs)))]

    def _call(self, pairs: Sequence[JudgePair]) -> JudgeOutput:
        started = time.perf_counter()
        try:
            result = self._structured.invoke(self.messages(pairs))
        except Exception as exc:  # any provider, transport or parsing error
            raise LLMUnavailableError(
                f"the chat model failed to judge: {type(exc).__name__}") from exc
        if isinstance(result, dict):  # a provider that hands back the raw dict
            try:
                result = JudgeOutput.model_validate(result)
            except ValidationError as exc:
                raise LLMUnavailableError(
                    "the chat model's judgement is not in the expected shape") from exc
        if not isinstance(result, JudgeOutput):
            raise LLMUnavailableError("the chat model gave no structured judgement")
        log.debug("LLM judge: %d pair(s) in %.0f ms", len(pairs),
                  (time.perf_counter() - started) * 1000)
        return result

    def judge(self, pairs: Sequence[JudgePair]) -> list[Scores]:
        """Scores for every pair, in order (neutral where the model gave nothing usable).

        Raises:
            LLMUnavailableError: the call failed or its reply was not structured output.
        """
        if not pairs:
            return []
        output = self._call(pairs)
        scores: list[Scores | None] = [None] * len(pairs)
        ignored = 0
        for item in output.items:
            slot = item.index - 1
            if not 0 <= slot < len(pairs) or scores[slot] is not None:
                ignored += 1
                continue
            label: Label = item.label
            if label == "contradict" and is_question(pairs[slot].query):
                label = "entail"  # a "no" is an answer to the question
            scores[slot] = to_scores(label, item.confidence)
        missing = sum(s is None for s in scores)
        if missing or ignored:
            log.warning("LLM judge: %d of %d item(s) missing or invalid (judged neutral), "
                        "%d extra ignored", missing, len(pairs), ignored)
        return [s if s is not None else NEUTRAL for s in scores]


class FallbackJudge:
    """The primary judge (the LLM) while it answers; the fallback (the shipped model) when it
    raises `LLMUnavailableError`, with a logged warning. After a failure the fallback judges
    alone for `retry_after_s` seconds, then the primary is tried again.

    `fallback` may be a judge or a function building one (loaded on first need).
    """

    def __init__(self, primary: Judge, fallback: Judge | Callable[[], Judge],
                 retry_after_s: float = RETRY_AFTER_S,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.primary = primary
        self._fallback = fallback
        self.retry_after_s = retry_after_s
        self._clock = clock
        self._down_until: float | None = None
        self._lock = threading.Lock()
        self.last_used: str | None = None  # name of the judge that gave the last scores

    @property
    def name(self) -> str:
        return self.primary.name

    @property
    def fallback(self) -> Judge:
        """The fallback judge (built on first use when given as a function)."""
        with self._lock:
            judge = self._fallback = _resolve(self._fallback)
            return judge

    def _use_fallback(self, pairs: Sequence[JudgePair]) -> list[Scores]:
        judge = self.fallback
        self.last_used = judge.name
        return judge.judge(pairs)

    def judge(self, pairs: Sequence[JudgePair]) -> list[Scores]:
        if not pairs:
            return []
        down_until = self._down_until
        if down_until is not None and self._clock() < down_until:
            return self._use_fallback(pairs)
        try:
            scores = self.primary.judge(pairs)
        except LLMUnavailableError as exc:
            self._down_until = self._clock() + self.retry_after_s
            log.warning("%s unavailable (%s); the shipped model judges instead for the next "
                        "%.0f s", self.primary.name, exc, self.retry_after_s)
            return self._use_fallback(pairs)
        self._down_until = None
        self.last_used = self.primary.name
        return scores


def make_llm_judge(settings: Settings, chat_model: Any = None,
                   fallback: Judge | Callable[[], Judge] | None = None) -> Judge:
    """The judge for `FACTBOT_JUDGE=llm`: the chat model, falling back to the shipped judge.

    Args:
        settings: the one settings object (provider, model, endpoint, key, judge threads).
        chat_model: a LangChain chat model to use instead of building one from settings.
        fallback: the judge used when the chat model fails (default: the shipped ONNX
            judge, loaded only when first needed).

    Returns:
        A `FallbackJudge`, or the fallback itself (with a warning) when no chat model can be
        built (the provider's optional extra is not installed).
    """
    if fallback is None:
        from bot.answer.judge import shared_judge

        threads = settings.judge_threads
        fallback = lambda: shared_judge(threads)  # noqa: E731 (loaded only when needed)
    try:
        primary = LLMJudge.from_settings(settings, chat_model)
    except LLMUnavailableError as exc:
        log.warning("LLM judge unavailable (%s); using the shipped model judge", exc)
        return _resolve(fallback)
    return FallbackJudge(primary, fallback)


def _resolve(judge: Judge | Callable[[], Judge]) -> Judge:
    """A judge, or the judge a factory builds."""
    if hasattr(judge, "judge"):
        return judge  # type: ignore[return-value]
    return judge()  # type: ignore[operator]
