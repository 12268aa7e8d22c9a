"""Point 4/5: the LLM composer — structured claims, fabricated quotes dropped, capped retries."""

from __future__ import annotations

import json

import pytest
from langchain_core.language_models.fake_chat_models import (
    FakeMessagesListChatModel,
    GenericFakeChatModel,
)
from langchain_core.messages import AIMessage

from bot.answer.core import FactChecker
from bot.answer.llm_compose import LLMComposer, LLMUnavailableError, chat_model_from_settings
from bot.answer.memory_index import MemoryReader, whole_article_chunks
from bot.answer.prompts import PromptNotFoundError, load_prompt, render_prompt
from bot.answer.types import Verdict
from bot.answer.verify import all_quotes_verbatim
from bot.settings import Settings
from tests.answer.helpers import HashEmbeddings, article

ART = article("The harbour master said the storm sank 12 boats on Friday night. "
              "Fishermen said the storm destroyed their nets and their sheds.",
              outlet="Coast News", name="c.txt")
FAITHFUL = "the storm sank 12 boats on Friday night"
FABRICATED = "the storm sank 40 boats and killed a diver"


def _answer(*claims: tuple[str, str]) -> AIMessage:
    body = {"claims": [{"text": text, "sources": [1], "quotes": [{"source": 1, "quote": q}]}
                       for text, q in claims]}
    return AIMessage(content="Here you go:\n" + json.dumps(body))


def _checker(tmp_path, model, retries: int = 1) -> FactChecker:  # noqa: ANN001
    reader = MemoryReader([ART], whole_article_chunks([ART]), HashEmbeddings())
    settings = Settings(data_dir=tmp_path, composer="llm", llm_max_retries=retries)
    return FactChecker(settings, reader=reader, chat_model=model)


def test_fabricated_quote_dropped_faithful_kept(tmp_path) -> None:  # noqa: ANN001
    model = FakeMessagesListChatModel(responses=[_answer(
        ("The harbour master (Coast News) said 12 boats sank.", FAITHFUL),
        ("A diver died.", FABRICATED),
    )])
    checker = _checker(tmp_path, model, retries=0)
    reply = checker.check("The storm sank 12 boats on Friday night.")
    assert reply.verdict is not Verdict.NOT_FOUND
    assert [c.text for c in reply.claims] == ["The harbour master (Coast News) said 12 boats sank."]
    assert all_quotes_verbatim(reply, checker.reader.articles)
    assert all(FABRICATED not in s.quote for s in reply.sources)
    assert any("not verbatim" in n for n in reply.notes)


def test_retry_with_error_then_fixed(tmp_path) -> None:  # noqa: ANN001
    model = FakeMessagesListChatModel(responses=[
        _answer(("Forty boats sank.", FABRICATED)),
        _answer(("Twelve boats sank, the harbour master said.", FAITHFUL)),
    ])
    seen = []
    original = model.invoke

    def spy(messages, *a, **kw):  # noqa: ANN001, ANN202
        seen.append(messages)
        return original(messages, *a, **kw)

    object.__setattr__(model, "invoke", spy)
    reply = _checker(tmp_path, model, retries=1).check("The storm sank 12 boats.")
    assert len(seen) == 2
    assert "not verbatim" in seen[1][-1].content  # the error went back to the model
    assert reply.claims[0].text.startswith("Twelve boats sank")
    assert reply.sources[0].quote == FAITHFUL


def test_all_fabricated_falls_back_to_verified_extractive(tmp_path) -> None:  # noqa: ANN001
    model = GenericFakeChatModel(messages=iter([_answer(("x", FABRICATED))] * 3))
    checker = _checker(tmp_path, model, retries=2)
    reply = checker.check("The storm sank 12 boats on Friday night.")
    assert reply.sources and all_quotes_verbatim(reply, checker.reader.articles)
    assert all(FABRICATED not in s.quote for s in reply.sources)


def test_claim_without_attribution_gets_outlet(tmp_path) -> None:  # noqa: ANN001
    model = FakeMessagesListChatModel(responses=[_answer(("Twelve boats sank.", FAITHFUL))])
    reply = _checker(tmp_path, model, retries=0).check("The storm sank 12 boats.")
    assert reply.claims[0].text == "Coast News reports: Twelve boats sank."


def test_unparseable_reply_keeps_extractive(tmp_path) -> None:  # noqa: ANN001
    model = FakeMessagesListChatModel(responses=[AIMessage(content="no json here")])
    reply = _checker(tmp_path, model, retries=0).check("The storm sank 12 boats.")
    assert reply.sources and reply.claims


def test_provider_extra_missing_is_reported(tmp_path) -> None:  # noqa: ANN001
    import importlib.util

    if importlib.util.find_spec("langchain_openai"):
        pytest.skip("langchain_openai is installed here")
    with pytest.raises(LLMUnavailableError, match="factbot\\[llm\\]"):
        chat_model_from_settings(Settings(data_dir=tmp_path, composer="llm"))
    # and the checker falls back to the extractive reply instead of failing
    reader = MemoryReader([ART], whole_article_chunks([ART]), HashEmbeddings())
    checker = FactChecker(Settings(data_dir=tmp_path, composer="llm"), reader=reader)
    assert checker.check("The storm sank 12 boats.").sources


def test_prompts_load_by_name() -> None:
    assert "JSON" in load_prompt("compose_system")
    assert "12" in render_prompt("compose_retry", errors="quote 12 bad")
    with pytest.raises(PromptNotFoundError):
        load_prompt("nope")
    assert isinstance(LLMComposer(None), LLMComposer)
