"""Issue 7, part 5: the optional LLM judge, over real HTTP to a local OpenAI-compatible server.

No fake chat model here: the real `langchain_openai.ChatOpenAI` client (and the `openai`
SDK) talks HTTP to `tests.answer.openai_stub.StubOpenAI` on 127.0.0.1, which judges by a
rule each test controls and records what it received.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable

import pytest
from langchain_openai import ChatOpenAI

from bot.answer.core import FactChecker
from bot.answer.judge import JudgePair, Scores, shared_judge
from bot.answer.llm_compose import LLMUnavailableError
from bot.answer.llm_judge import (
    NEUTRAL,
    FallbackJudge,
    JudgeOutput,
    LLMJudge,
    is_question,
    make_llm_judge,
    to_scores,
)
from bot.answer.question import as_statement
from bot.answer.types import Verdict
from bot.settings import Settings
from tests.answer.openai_stub import StubOpenAI, parse_items

SECRET = "sk-test-0123456789-do-not-log-me"

PAIRS = [
    JudgePair("Rovers won the cup final.", "Rovers beat City 2-1 to lift the cup.",
              context="The final was played in Lenby.", speaker=None, verb=None),
    JudgePair("Rovers won the cup final.", "City won the final on penalties, the league said.",
              speaker="the league", verb="said"),
    JudgePair("Rovers won the cup final.", "Tickets sold out within an hour."),
]
TABLE = {
    "Rovers beat City 2-1 to lift the cup.": ("entail", 0.9),
    "City won the final on penalties, the league said.": ("contradict", 0.8),
    "Tickets sold out within an hour.": ("neutral", 0.7),
}


def by_table(query: str, sentence: str) -> tuple[str, float] | None:
    return TABLE.get(sentence)


def chat(stub_url: str, **kw: object) -> ChatOpenAI:
    """The real client, pointed at the stub (no retries: failures show at once)."""
    options: dict = {"model": "stub-judge", "base_url": stub_url, "api_key": SECRET,
                     "temperature": 0, "max_retries": 0, "timeout": 10}
    options.update(kw)
    return ChatOpenAI(**options)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def assert_probabilities(s: Scores) -> None:
    assert s.entail + s.contradict + s.neutral == pytest.approx(1.0)
    assert min(s.entail, s.contradict, s.neutral) >= 0.0


# --- the judge over HTTP --------------------------------------------------------------------
def test_structured_output_parsed_into_scores_in_one_call() -> None:
    with StubOpenAI(by_table) as stub:
        scores = LLMJudge(chat(stub.base_url)).judge(PAIRS)
    assert [s.label for s in scores] == ["entail", "contradict", "neutral"]
    assert scores[0].entail == pytest.approx(0.9) and scores[0].neutral == pytest.approx(0.05)
    assert scores[1].contradict == pytest.approx(0.8)
    assert scores[2].neutral == pytest.approx(0.7)
    for s in scores:
        assert_probabilities(s)
    # one call for the whole batch, asking for Structured Outputs with the judge's schema
    assert len(stub.requests) == 1
    request = stub.requests[0]
    assert request.path == "/v1/chat/completions"
    assert request.body["model"] == "stub-judge"
    fmt = request.body["response_format"]
    assert fmt["type"] == "json_schema"
    schema = fmt["json_schema"]["schema"]
    assert schema["required"] == ["items"]
    item = schema["$defs"]["JudgeItem"]["properties"]
    assert item["label"]["enum"] == ["entail", "contradict", "neutral"]


def test_request_carries_every_pair_with_who_says_it() -> None:
    with StubOpenAI(by_table) as stub:
        LLMJudge(chat(stub.base_url)).judge(PAIRS)
    prompt = stub.requests[0].user_prompt
    assert parse_items(prompt) == [(i, p.query, p.sentence) for i, p in enumerate(PAIRS, 1)]
    assert "Sentence before it: The final was played in Lenby." in prompt
    assert "Stated by: the league\nReporting verb: said" in prompt
    assert "Stated by: the article itself" in prompt
    system = stub.requests[0].system_prompt
    assert "Who says it is weighed later" in system and "entail" in system


def test_question_items_marked_and_a_no_counts_as_an_answer() -> None:
    pairs = [JudgePair("Did Rovers win the final?", "Rovers lost the final."),
             JudgePair("Did Rovers win the final?", "Tickets sold out within an hour.")]
    rule = {"Rovers lost the final.": ("contradict", 0.9),
            "Tickets sold out within an hour.": ("neutral", 0.8)}
    with StubOpenAI(lambda q, s: rule[s]) as stub:
        scores = LLMJudge(chat(stub.base_url)).judge(pairs)
    assert "Question: Did Rovers win the final?" in stub.requests[0].user_prompt
    assert scores[0].label == "entail" and scores[0].entail == pytest.approx(0.9)
    assert scores[1].label == "neutral"
    assert is_question("who took the keys") and not is_question("Rovers won the final.")


def test_missing_and_invalid_items_are_neutral() -> None:
    pairs = [JudgePair("Claim.", f"Sentence {i}.") for i in range(1, 7)]
    raw = [
        {"index": 1, "label": "Entailment", "confidence": 0.95},   # normalised, kept
        {"index": 2, "label": "maybe", "confidence": 0.9},         # unknown label
        {"index": 3, "label": "contradict", "confidence": 7},      # confidence out of range
        {"index": 4, "label": "contradict"},                       # no confidence
        {"index": 99, "label": "entail", "confidence": 0.9},       # no such item
        {"index": 1, "label": "contradict", "confidence": 0.9},    # duplicate: first wins
        "not an object",
        {"index": 6, "label": "contradict", "confidence": 0.75},   # kept; item 5 is missing
    ]
    with StubOpenAI(mode="raw", raw_items=raw) as stub:
        scores = LLMJudge(chat(stub.base_url)).judge(pairs)
    assert scores[0].label == "entail" and scores[0].entail == pytest.approx(0.95)
    assert scores[1:5] == [NEUTRAL] * 4
    assert scores[5].contradict == pytest.approx(0.75)


@pytest.mark.parametrize("mode", ["garbage_content", "garbage_body", "refusal", "http_500"])
def test_garbage_or_failed_reply_is_a_clean_error(mode: str) -> None:
    with StubOpenAI(mode=mode) as stub, pytest.raises(LLMUnavailableError,
                                                      match="failed to judge"):
        LLMJudge(chat(stub.base_url)).judge(PAIRS)
    assert len(stub.requests) == 1


def test_server_down_raises_llm_unavailable() -> None:
    judge = LLMJudge(chat(f"http://127.0.0.1:{free_port()}/v1"))
    with pytest.raises(LLMUnavailableError, match="ConnectionError"):
        judge.judge(PAIRS)
    assert judge.judge([]) == []  # nothing to judge: no call at all


def test_api_key_sent_as_bearer_and_never_logged(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)  # every logger, the openai SDK's and httpx's included
    with StubOpenAI(by_table) as stub:
        LLMJudge(chat(stub.base_url)).judge(PAIRS)
    with StubOpenAI(mode="http_401") as denied:
        judge = FallbackJudge(LLMJudge(chat(denied.base_url)), shared_judge())
        judge.judge(PAIRS)
    assert stub.requests[0].headers["authorization"] == f"Bearer {SECRET}"
    assert denied.requests[0].headers["authorization"] == f"Bearer {SECRET}"
    assert "unavailable" in caplog.text  # the fallback warning was logged ...
    assert SECRET not in caplog.text  # ... and nothing anywhere logged the key
    for record in caplog.records:
        assert SECRET not in record.getMessage()


# --- the fallback ---------------------------------------------------------------------------
def test_fallback_to_shipped_judge_with_warning_then_retry(
        caplog: pytest.LogCaptureFixture) -> None:
    now = [0.0]
    shipped = shared_judge()
    with StubOpenAI(mode="http_500") as stub:
        judge = FallbackJudge(LLMJudge(chat(stub.base_url)), shipped, retry_after_s=60,
                              clock=lambda: now[0])
        with caplog.at_level(logging.WARNING, logger="bot.answer.llm_judge"):
            scores = judge.judge(PAIRS)
        assert scores == shipped.judge(PAIRS)
        assert judge.last_used == shipped.name and judge.name == "llm-judge"
        assert any("llm-judge unavailable" in r.getMessage() for r in caplog.records)
        now[0] = 30.0  # within the pause: the chat model is not asked again
        judge.judge(PAIRS)
        assert len(stub.requests) == 1
        stub.mode, stub.rule = "ok", by_table  # the model is back
        now[0] = 61.0
        assert [s.label for s in judge.judge(PAIRS)] == ["entail", "contradict", "neutral"]
        assert judge.last_used == "llm-judge" and len(stub.requests) == 2


def test_server_down_falls_back() -> None:
    judge = FallbackJudge(LLMJudge(chat(f"http://127.0.0.1:{free_port()}/v1")), shared_judge)
    assert judge.judge(PAIRS) == shared_judge().judge(PAIRS)
    assert judge.last_used == shared_judge().name


def test_make_llm_judge_from_settings(tmp_path) -> None:  # noqa: ANN001
    with StubOpenAI(by_table) as stub:
        settings = Settings(data_dir=tmp_path, judge="llm", llm_provider="openai",
                            llm_model="stub-model", llm_base_url=stub.base_url,
                            llm_api_key=SECRET)
        judge = make_llm_judge(settings)
        assert isinstance(judge, FallbackJudge) and isinstance(judge.primary, LLMJudge)
        assert [s.label for s in judge.judge(PAIRS)] == ["entail", "contradict", "neutral"]
    assert stub.requests[0].body["model"] == "stub-model"
    assert stub.requests[0].headers["authorization"] == f"Bearer {SECRET}"
    assert SECRET not in repr(settings)


def test_scores_mapping() -> None:
    assert to_scores("entail", 1.0) == Scores(1.0, 0.0, 0.0)
    low = to_scores("contradict", 0.1)  # the label stays the most probable
    assert low.label == "contradict" and low.contradict == pytest.approx(0.34)
    assert_probabilities(low)
    assert JudgeOutput.model_validate({"items": []}).items == []


# --- end to end over the demo index ---------------------------------------------------------
ARMY = "army chemical defence unit"
CLAIM = "An army chemical defence unit took part in the response."
QUESTION = "Did the army take part in the response to the fire?"


def army_rule(label: str) -> Callable[[str, str], tuple[str, float]]:
    """The stub's labels: `label` for the sentences about the army unit, neutral for the rest."""
    def rule(query: str, sentence: str) -> tuple[str, float]:
        return (label, 0.95) if ARMY in sentence else ("neutral", 0.9)
    return rule


@pytest.mark.parametrize(("mode", "query", "label", "expected"), [
    ("check", CLAIM, "entail", Verdict.SUPPORTED),
    ("check", CLAIM, "contradict", Verdict.REFUTED),
    ("check", CLAIM, "neutral", Verdict.UNVERIFIED),
    ("ask", QUESTION, "entail", Verdict.ANSWERED),
    ("ask", QUESTION, "neutral", Verdict.NOT_FOUND),
])
def test_fact_checker_with_llm_judge_over_demo_index(
        demo_settings: Settings, mode: str, query: str, label: str, expected: Verdict) -> None:
    """The verdict follows the stub's labels through the same aggregation, and every quote
    of the reply is verbatim in the stored article."""
    from index.store import open_reader

    with StubOpenAI(army_rule(label)) as stub:
        judge = LLMJudge(chat(stub.base_url))
        checker = FactChecker(demo_settings, reader=open_reader(demo_settings), judge=judge)
        reply = getattr(checker, mode)(query)
    assert len(stub.requests) == 1  # every candidate sentence of the query in one call
    judged = parse_items(stub.requests[0].user_prompt)
    # a yes/no question is judged as the statement it asks about
    asked = as_statement(query) if mode == "ask" else query
    assert {q for _, q, _ in judged} == {asked}
    assert any(ARMY in sentence for _, _, sentence in judged)
    assert reply.verdict is expected, reply.summary
    if expected is Verdict.NOT_FOUND:
        assert not reply.sources
        return
    if expected is not Verdict.UNVERIFIED:
        assert any(ARMY in s.quote for s in reply.sources)
    articles = checker.reader.articles
    assert reply.sources
    for source in reply.sources:  # every quote verbatim in the stored article text
        text = articles[source.article_id].text
        assert source.quote in text and text[source.start:source.end] == source.quote
