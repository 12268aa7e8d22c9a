"""`FactChecker`: the one entry point of the answering core (synchronous, thread-safe).

    retrieve (hybrid) -> evidence sentences -> judge -> verdict -> compose -> verify -> Reply

The index reader, BM25 index, embedding model and query-vector cache are loaded once and
kept; `reload()` swaps them atomically when a new build is active, and queries already in
flight finish on the state they started with.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from bot.answer.compose import compose_extractive
from bot.answer.errors import EmptyQueryError, IndexUnavailableError, QueryTooLongError
from bot.answer.evidence import EvidenceSelector, MemoEmbeddings
from bot.answer.judge import Judge, JudgePair
from bot.answer.types import (
    IndexStatus,
    OutletInfo,
    Passage,
    QuoteProvenance,
    Reply,
    Verdict,
)
from bot.answer.verdict import MIN_SCORE, Decision, decide_claim, decide_question
from bot.answer.verify import QuoteLocator, anchor_source, verify_reply
from bot.settings import Settings
from index.search import HybridSearcher

log = logging.getLogger(__name__)

# Zero-width, bidi embedding/override/isolate marks and BOM: invisible, and used to hide text.
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u061c]")
SOURCES_MIN_SCORE = MIN_SCORE * 0.8  # passages for `sources` may be a little looser
QUOTE_MIN_CHARS = 3
# Evidence reads this many times `retrieval_k` chunks: sentences are scored lexically (no
# embedding), so a wider net is cheap, and the other side of a dispute is often in a chunk
# ranked just below the first k.
HIT_FACTOR = 2


def clean_query(text: str, max_chars: int) -> str:
    """Strip invisible/control characters, collapse whitespace and check the length.

    Raises:
        EmptyQueryError: nothing is left.
        QueryTooLongError: longer than `max_chars` after cleaning.
    """
    text = _INVISIBLE.sub("", text or "")
    text = "".join(ch if ch.isspace() or unicodedata.category(ch)[0] != "C" else " "
                   for ch in text)
    text = " ".join(text.split())
    if not text:
        raise EmptyQueryError()
    if len(text) > max_chars:
        raise QueryTooLongError(len(text), max_chars)
    return text


@dataclass
class _State:
    """Everything loaded for one build; replaced as a whole by `reload`."""

    reader: Any
    searcher: HybridSearcher
    selector: EvidenceSelector
    locators: dict[str, QuoteLocator] = field(default_factory=dict)

    @classmethod
    def load(cls, reader: Any) -> _State:
        if not isinstance(reader.embeddings, MemoEmbeddings):
            # the dense search and the evidence scorer then embed each query once
            reader.embeddings = MemoEmbeddings(reader.embeddings)
        searcher = HybridSearcher(reader)
        state = cls(reader, searcher, EvidenceSelector(searcher, reader.embeddings))
        reader.embeddings.embed_query("warm up")  # load the model now, not on the first query
        return state

    @property
    def build_id(self) -> str | None:
        return getattr(self.reader.build, "id", None)


class FactChecker:
    """Answers questions, checks claims and looks up sources over the active index."""

    def __init__(self, settings: Settings, reader: Any = None, chat_model: Any = None,
                 judge: Judge | None = None) -> None:
        """Create the checker.

        Args:
            settings: the one settings object.
            reader: an already open index reader (tests, RAMDocs); by default the active
                build is opened on first use with `index.store.open_reader`.
            chat_model: a LangChain chat model for `composer="llm"` and `judge="llm"`
                (default: built from settings on first use).
            judge: what scores evidence sentences (default: from `settings.judge`, the
                shipped ONNX model; loaded once per process).
        """
        self.settings = settings
        self._judge = judge
        self._lock = threading.Lock()
        self._state: _State | None = _State.load(reader) if reader is not None else None
        self._chat_model = chat_model
        self._llm = None

    # --- state --------------------------------------------------------------------------
    def _open(self) -> _State:
        from index.store import StoreError, open_reader

        try:
            return _State.load(open_reader(self.settings))
        except StoreError as exc:
            log.warning("index unavailable: %s", exc)
            raise IndexUnavailableError(_reason(exc)) from exc

    def _current(self) -> _State:
        state = self._state
        if state is not None:
            return state
        with self._lock:
            if self._state is None:
                self._state = self._open()
            return self._state

    def reload(self) -> bool:
        """Re-open the index if the active build changed; cheap when it did not.

        Returns:
            True when a new build was loaded.

        Raises:
            IndexUnavailableError: the new build cannot be opened (the old one keeps serving).
        """
        from index.store import docstore

        active = docstore(self.settings).active_build()
        current = self._state
        if active is None or (current is not None and current.build_id == active.id):
            return False
        fresh = self._open()
        with self._lock:
            self._state = fresh  # queries in flight keep their reference to the old state
        log.info("reloaded index: build %s", fresh.build_id)
        return True

    @property
    def judge(self) -> Judge:
        """The judge in use (loaded on first use)."""
        if self._judge is None:
            with self._lock:
                if self._judge is None:
                    judge = make_judge(self.settings, self._chat_model)
                    if self.settings.judge == "model":
                        # the shapes real queries use, so the first answer pays no warm-up
                        # (an LLM judge is not called: that would be a paid request)
                        judge.judge([JudgePair("warm up the judge", "The judge warms up.")])
                    self._judge = judge
        return self._judge

    @property
    def reader(self) -> Any:
        """The index reader currently served (opened on first use)."""
        return self._current().reader

    # --- answering ----------------------------------------------------------------------
    def _retrieve(self, state: _State, query: str):  # noqa: ANN202
        from index.store import StoreError

        try:
            hits = state.searcher.search(query, k=self.settings.retrieval_k * HIT_FACTOR)
        except StoreError as exc:
            raise IndexUnavailableError(_reason(exc)) from exc
        return state.selector.candidates(query, hits)

    def ask(self, question: str, context: str | None = None) -> Reply:
        """Answer a question: `answered`, `disputed` or `not_found`, with verified quotes.

        Args:
            question: the user's question.
            context: optional earlier conversation (e.g. the previous question) used to
                widen retrieval when the question itself is short.
        """
        query = clean_query(question, self.settings.max_query_chars)
        state = self._current()
        candidates = self._retrieve(state, query)
        if context and not _is_relevant_enough(candidates):
            extra = clean_query(context, self.settings.max_query_chars * 4)
            candidates = self._retrieve(state, f"{extra} {query}")
        decision = decide_question(query, candidates, self.judge)
        return self._finish(state, query, "question", decision)

    def check(self, claim: str) -> Reply:
        """Check a claim: `supported`, `refuted`, `disputed`, `unverified` or `not_found`."""
        query = clean_query(claim, self.settings.max_query_chars)
        state = self._current()
        decision = decide_claim(query, self._retrieve(state, query), self.judge)
        return self._finish(state, query, "claim", decision)

    def _finish(self, state: _State, query: str, mode: str, decision: Decision) -> Reply:
        reply = compose_extractive(query, mode, decision)
        if self.settings.composer == "llm" and decision.verdict is not Verdict.NOT_FOUND:
            reply = self._llm_compose(state, reply, decision)
        reply = verify_reply(reply, state.reader.articles)
        if not reply.sources and reply.verdict is not Verdict.NOT_FOUND:
            reply = reply.model_copy(update={
                "verdict": Verdict.NOT_FOUND, "claims": [],
                "summary": "Not found: no verifiable quote supports an answer.",
            })
        return reply

    def _llm_compose(self, state: _State, reply: Reply, decision: Decision) -> Reply:
        from bot.answer.llm_compose import LLMComposer, LLMUnavailableError

        try:
            if self._llm is None:
                self._llm = LLMComposer.from_settings(self.settings, self._chat_model)
            return self._llm.compose(reply, state.reader.articles)
        except LLMUnavailableError as exc:
            log.warning("LLM composer unavailable, using the extractive reply: %s", exc)
            return reply.model_copy(update={"notes": [*reply.notes, "LLM composer unavailable"]})

    # --- lookups ------------------------------------------------------------------------
    def sources(self, topic: str, limit: int = 10) -> list[Passage]:
        """Matching passages (verified sentences) for a topic, best first, several outlets."""
        query = clean_query(topic, self.settings.max_query_chars)
        state = self._current()
        candidates = self._retrieve(state, query)
        out: list[Passage] = []
        per: dict[str, int] = defaultdict(int)
        for e in candidates:
            if len(out) >= limit or e.score < SOURCES_MIN_SCORE:
                break
            if per[e.article.id] >= 3:
                continue
            per[e.article.id] += 1
            out.append(_passage(e.article, e.sentence.start, e.sentence.end, e.score,
                                e.attribution.speaker))
        return [p for p in out if p is not None]

    def quote(self, text: str) -> QuoteProvenance:
        """Where these exact words appear (whitespace and typographic marks aside), and who
        is quoted saying them."""
        from bot.answer.attribution import attribute_in_article
        from bot.answer.sentences import split_sentences

        query = clean_query(text, self.settings.max_query_chars).strip("\"'“”‘’ ")
        state = self._current()
        passages: list[Passage] = []
        if len(query) >= QUOTE_MIN_CHARS:
            for article in state.reader.articles.values():
                locator = state.locators.get(article.id)
                if locator is None:
                    locator = state.locators.setdefault(article.id, QuoteLocator(article.text))
                for start, end in locator.find_all(query):
                    speaker = None
                    for sentence in split_sentences(article):
                        if sentence.start <= start < sentence.end:
                            speaker = attribute_in_article(sentence, article).speaker
                            break
                    passage = _passage(article, start, end, 1.0, speaker)
                    if passage is not None:
                        passages.append(passage)
        passages.sort(key=lambda p: (p.published or "9999", p.outlet is None, p.document))
        return QuoteProvenance(text=query, found=bool(passages), passages=passages)

    def outlets(self) -> list[OutletInfo]:
        """The outlets in the index with article counts and date ranges (unknown last)."""
        return outlet_summary(self._current().reader.articles.values())

    def status(self) -> IndexStatus:
        """Counts and build information of the index being served."""
        reader = self._current().reader
        build = reader.build
        return IndexStatus(
            articles=len(reader.articles),
            chunks=len(reader.chunks),
            outlets=len({a.meta.outlet for a in reader.articles.values() if a.meta.outlet}),
            last_build=getattr(build, "created_at", None) or None,
            model=getattr(build, "model", None) or None,
            collection=getattr(build, "collection", None) or None,
        )


def outlet_summary(articles: Iterable[Any]) -> list[OutletInfo]:
    """Outlets with their article counts and date ranges, by name, the unknown outlet last."""
    groups: dict[str | None, list] = defaultdict(list)
    for article in articles:
        groups[article.meta.outlet].append(article.meta.published)
    out = []
    for outlet, dates in groups.items():
        known = sorted(d for d in dates if d)
        out.append(OutletInfo(outlet=outlet, articles=len(dates),
                              first_published=known[0] if known else None,
                              last_published=known[-1] if known else None))
    return sorted(out, key=lambda o: (o.outlet is None, (o.outlet or "").lower()))


def make_judge(settings: Settings, chat_model: Any = None) -> Judge:
    """The judge the settings select: the shipped model, or an LLM (`FACTBOT_JUDGE=llm`)
    that falls back to the shipped model, with a logged warning, when it fails."""
    if settings.judge == "llm":
        from bot.answer.llm_judge import make_llm_judge

        return make_llm_judge(settings, chat_model)
    from bot.answer.judge import shared_judge

    return shared_judge(settings.judge_threads)


def _is_relevant_enough(candidates) -> bool:  # noqa: ANN001
    from bot.answer.verdict import is_relevant

    return bool(candidates) and is_relevant(candidates[0])


def _passage(article, start: int, end: int, score: float, speaker: str | None) -> Passage | None:  # noqa: ANN001
    """A passage whose text is exactly `article.text[start:end]` (None if that fails)."""
    from bot.answer.types import Source

    probe = Source(id=1, outlet=None, title=None, published=None, url=None, document="",
                   quote=article.text[start:end], start=start, end=end, article_id=article.id)
    if anchor_source(probe, article) is None:
        return None
    meta = article.meta
    return Passage(outlet=meta.outlet, title=meta.title, published=meta.published, url=meta.url,
                   document=article.source_file, article_id=article.id,
                   text=article.text[start:end], start=start, end=end, score=round(score, 4),
                   speaker=speaker)


def _reason(exc: Exception) -> str:
    from index.store import IndexNotBuiltError

    if isinstance(exc, IndexNotBuiltError):
        return "no index has been built yet (run `factbot index build PATH`)"
    return str(exc) or "the vector store is not answering"
