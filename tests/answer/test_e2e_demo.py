"""End to end over the demo corpus: eval set, lookups, reload, the LLM path, load-once."""

from __future__ import annotations

import json
import time
from pathlib import Path

from langchain_core.language_models.fake_chat_models import FakeMessagesListChatModel
from langchain_core.messages import AIMessage

from bot.answer.core import FactChecker
from bot.answer.verify import all_quotes_verbatim
from tests.answer.helpers import run_eval_set


def test_demo_eval_set(demo_checker: FactChecker) -> None:
    # measured with the learned judge: 0.826 (the rules, tuned on this set: 1.000)
    run_eval_set(demo_checker, "demo_corpus.jsonl", min_items=15, min_accuracy=0.78)




def test_unknown_outlet_and_lookups(demo_checker: FactChecker) -> None:
    reply = demo_checker.check("A lightning strike started the fire at the Brightwater works.")
    assert any(s.outlet is None for s in reply.sources)
    outlets = demo_checker.outlets()
    assert outlets[-1].outlet is None
    assert sum(o.articles for o in outlets) == 7
    status = demo_checker.status()
    assert status.articles == 7 and status.chunks > 0 and status.last_build and status.model
    found = demo_checker.quote("No chlorine was stored at the Brightwater site")
    assert found.found and {p.outlet for p in found.passages} >= {"Northern Ledger"}


def test_second_query_does_not_reload_and_reload_is_cheap(demo_checker: FactChecker) -> None:
    demo_checker.ask("Did the army take part?")
    state = demo_checker._state
    started = time.perf_counter()
    demo_checker.ask("Who controls the Brightwater site?")
    assert demo_checker._state is state
    assert demo_checker.reload() is False
    assert time.perf_counter() - started < 5


def test_reload_picks_up_new_build(demo_settings, tmp_path) -> None:  # noqa: ANN001
    from index.build import build_index

    checker = FactChecker(demo_settings.model_copy(update={"data_dir": tmp_path}))
    corpus = Path(__file__).resolve().parents[2] / "index" / "demo_corpus"
    build_index([corpus / "01_tarnholm_courier.txt"], checker.settings)
    assert checker.status().articles == 1
    build_index([corpus], checker.settings)
    assert checker.reload() is True
    assert checker.status().articles == 7


def test_llm_composer_over_real_index(demo_settings) -> None:  # noqa: ANN001
    body = {"claims": [
        {"text": "The environment ministry (Northern Ledger) denied any chlorine escaped.",
         "sources": [1], "quotes": [{"source": 1, "quote": "No chlorine was stored at the"}]},
        {"text": "Chlorine poisoned the whole river.", "sources": [1],
         "quotes": [{"source": 1, "quote": "chlorine poisoned every fish in the Osk"}]},
    ]}
    model = FakeMessagesListChatModel(responses=[AIMessage(content=json.dumps(body))])
    settings = demo_settings.model_copy(update={"composer": "llm", "llm_max_retries": 0})
    checker = FactChecker(settings, chat_model=model)
    reply = checker.ask("Did chlorine leak into the River Osk?")
    assert all_quotes_verbatim(reply, checker.reader.articles)
    assert all("poisoned" not in s.quote for s in reply.sources)
