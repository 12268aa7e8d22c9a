"""FactChecker with hand-built readers: validation, errors, load-once, reload, lookups."""

from __future__ import annotations

import threading

import pytest

from bot.answer import core
from bot.answer.core import FactChecker, clean_query
from bot.answer.errors import (
    EmptyQueryError,
    IndexUnavailableError,
    QueryTooLongError,
    UserFacingError,
)
from bot.answer.memory_index import MemoryReader, whole_article_chunks
from bot.answer.types import Verdict
from bot.answer.verify import all_quotes_verbatim
from bot.settings import Settings
from tests.answer.helpers import HashEmbeddings, article

ARTICLES = [
    article("Harbour officials said the storm sank 12 boats on Friday night. "
            "The harbour master confirmed the pier will stay closed until May.",
            outlet="Coast News", name="c.txt"),
    article("Fishermen said the storm destroyed their nets. "
            "The council denied that the pier was unsafe before the storm.",
            outlet=None, name="u.txt"),
]


def _checker(tmp_path, **kw) -> FactChecker:  # noqa: ANN001
    reader = MemoryReader(ARTICLES, whole_article_chunks(ARTICLES), HashEmbeddings())
    return FactChecker(Settings(data_dir=tmp_path, **kw), reader=reader)


def test_clean_query() -> None:
    assert clean_query("  who\u200b  won\u202e? \n", 100) == "who won?"
    with pytest.raises(EmptyQueryError):
        clean_query(" \u200b\u200f\t ", 100)
    with pytest.raises(QueryTooLongError):
        clean_query("x" * 101, 100)


def test_errors_are_user_facing(tmp_path) -> None:  # noqa: ANN001
    checker = _checker(tmp_path, max_query_chars=50)
    with pytest.raises(EmptyQueryError):
        checker.ask("   ")
    with pytest.raises(QueryTooLongError) as info:
        checker.check("y" * 51)
    assert isinstance(info.value, UserFacingError) and "50" in str(info.value)


def test_no_index_built_is_index_unavailable(tmp_path) -> None:  # noqa: ANN001
    checker = FactChecker(Settings(data_dir=tmp_path / "empty"))
    with pytest.raises(IndexUnavailableError) as info:
        checker.ask("anything?")
    assert "index" in str(info.value)


def test_dead_chroma_server_is_index_unavailable(tmp_path) -> None:  # noqa: ANN001
    from index.store import StoreUnavailableError

    checker = _checker(tmp_path)

    def dead(query: str, k: int):  # noqa: ANN202
        raise StoreUnavailableError("Chroma server at 127.0.0.1:9 is not answering")

    checker.reader.dense_search = dead
    with pytest.raises(IndexUnavailableError) as info:
        checker.ask("How many boats sank?")
    assert "127.0.0.1:9" in str(info.value)


def test_reader_opened_once(tmp_path, monkeypatch) -> None:  # noqa: ANN001
    calls = []
    reader = MemoryReader(ARTICLES, whole_article_chunks(ARTICLES), HashEmbeddings())

    def fake_open(settings):  # noqa: ANN001, ANN202
        calls.append(1)
        return reader

    import index.store

    monkeypatch.setattr(index.store, "open_reader", fake_open)
    checker = FactChecker(Settings(data_dir=tmp_path))
    threads = [threading.Thread(target=checker.ask, args=("How many boats sank?",))
               for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    checker.check("The storm sank 12 boats.")
    assert len(calls) == 1


def test_reload_is_cheap_when_build_unchanged(tmp_path, monkeypatch) -> None:  # noqa: ANN001
    checker = _checker(tmp_path)
    state = checker._state

    class Store:
        def active_build(self):  # noqa: ANN202
            return type("B", (), {"id": "memory"})()

    import index.store

    monkeypatch.setattr(index.store, "docstore", lambda settings: Store())
    assert checker.reload() is False
    assert checker._state is state


def test_reply_cites_outlets_and_unknown(tmp_path) -> None:  # noqa: ANN001
    checker = _checker(tmp_path)
    reply = checker.ask("What did the storm destroy?")
    assert reply.verdict is not Verdict.NOT_FOUND
    assert all_quotes_verbatim(reply, checker.reader.articles)
    for claim in reply.claims:
        assert claim.sources and all(1 <= s <= len(reply.sources) for s in claim.sources)
    if any(s.outlet is None for s in reply.sources):
        assert any("unknown outlet" in c.text for c in reply.claims)


def test_lookups(tmp_path) -> None:  # noqa: ANN001
    checker = _checker(tmp_path)
    outlets = checker.outlets()
    assert [o.outlet for o in outlets] == ["Coast News", None]
    status = checker.status()
    assert (status.articles, status.chunks, status.outlets) == (2, 2, 1)
    found = checker.quote("“the pier was unsafe”")
    assert found.found and found.passages[0].outlet is None
    assert found.passages[0].speaker == "council"
    art = checker.reader.articles[found.passages[0].article_id]
    p = found.passages[0]
    assert art.text[p.start:p.end] == p.text
    assert not checker.quote("the pier was totally unsafe").found
    passages = checker.sources("storm boats")
    assert passages and all(
        checker.reader.articles[p.article_id].text[p.start:p.end] == p.text for p in passages)


def test_module_has_no_discord_import() -> None:
    from pathlib import Path

    assert "discord" not in Path(core.__file__).read_text(encoding="utf-8")
