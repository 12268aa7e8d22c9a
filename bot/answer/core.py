"""`FactChecker`: the one entry point of the answering core (synchronous, thread-safe).

    retrieve (hybrid) -> evidence sentences -> judge -> verdict -> compose -> verify -> Reply

The index reader, BM25 index, embedding model and query-vector cache are loaded once and
kept; `reload()` swaps them atomically when a new build is active, and queries already in
flight finish on the state they started with.

A checker that opens the index itself starts opening it, and loading the models, in
background threads as soon as it is created (`preload`), and warms them with the shapes real
queries use (`warm_up`, see `bot.answer.warmup`), so the first answer costs about what later
ones do. Lookups never iterate every article of a large index: `quote` reads the articles
the lexical index points to, `outlets` and `status` read the reader's counts.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from collections import defaultdict
from collections.abc import Hashable, Iterable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from bot.answer.compose import compose_extractive
from bot.answer.errors import EmptyQueryError, IndexUnavailableError, QueryTooLongError
from bot.answer.evidence import EvidenceSelector, MemoEmbeddings
from bot.answer.judge import Judge
from bot.answer.lru import BoundedCache
from bot.answer.sentences import article_key
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
from bot.answer.warmup import WARM_QUERY, preload_models, warm_embeddings, warm_judge
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
# `quote` scans every article of an index this small; a larger one is searched lexically and
# only the articles of the best `QUOTE_CANDIDATE_CHUNKS` chunks are read.
QUOTE_SCAN_MAX_ARTICLES = 2000
QUOTE_CANDIDATE_CHUNKS = 100
LOCATOR_CACHE_SIZE = 256  # articles whose normalised text `quote` keeps


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
    locators: BoundedCache[Hashable, QuoteLocator] = field(
        default_factory=lambda: BoundedCache(LOCATOR_CACHE_SIZE))

    @classmethod
    def load(cls, reader: Any, warm_k: int = 0) -> _State:
        """The state of an open reader.

        Args:
            reader: the index reader.
            warm_k: when positive, warm up: load and warm the embedding model, and run one
                hybrid search of this depth (the first dense query loads the vector index).
        """
        if not isinstance(reader.embeddings, MemoEmbeddings):
            # the dense search and the evidence scorer then embed each query once
            reader.embeddings = MemoEmbeddings(reader.embeddings)
        searcher = HybridSearcher(reader)
        state = cls(reader, searcher, EvidenceSelector(searcher, reader.embeddings))
        if warm_k > 0:
            warm_embeddings(reader.embeddings)
            searcher.search(WARM_QUERY, k=warm_k)
        return state

    @property
    def build_id(self) -> str | None:
        return getattr(self.reader.build, "id", None)

    def locator(self, article: Any) -> QuoteLocator:
        """The article's quote locator (its normalised text), kept in a bounded cache."""
        return self.locators.get(article_key(article), lambda: QuoteLocator(article.text))


class FactChecker:
    """Answers questions, checks claims and looks up sources over the active index."""

    def __init__(self, settings: Settings, reader: Any = None, chat_model: Any = None,
                 judge: Judge | None = None, *, preload: bool = True,
                 warm_up: bool = True) -> None:
        """Create the checker.

        Args:
            settings: the one settings object.
            reader: an already open index reader (tests, RAMDocs); by default the active
                build is opened with `index.store.open_reader`.
            chat_model: a LangChain chat model for `composer="llm"` and `judge="llm"`
                (default: built from settings on first use).
            judge: what scores evidence sentences (default: from `settings.judge`, the
                shipped ONNX model; loaded once per process).
            preload: without `reader`, start opening the index and loading the models in
                background threads now; the first query waits for them, and an error is
                raised by it (False: everything loads on first use).
            warm_up: when the checker opens the index, warm up with the shapes real queries
                use (models, one hybrid search). An injected `reader` is never warmed; a
                single-shot caller (the CLI's `ask`) passes False, since its one query pays
                the same first-run costs once anyway.
        """
        self.settings = settings
        self._judge = judge
        self._lock = threading.Lock()
        self._judge_lock = threading.Lock()
        self._warm_up = warm_up
        self._state: _State | None = _State.load(reader) if reader is not None else None
        self._preloading: Future[_State] | None = None
        self._chat_model = chat_model
        self._llm = None
        if reader is None and preload:
            self._preloading = self._start_preload()

    # --- state --------------------------------------------------------------------------
    def _start_preload(self) -> Future[_State]:
        """Load the models in one thread and open the index in another (GIL-free model
        loading overlaps the imports and the index opening)."""
        preload_models(self.settings, judge=self._judge is None)
        future: Future[_State] = Future()

        def run() -> None:
            try:
                future.set_result(self._open())
            except BaseException as exc:  # noqa: BLE001 - handed to the first query
                future.set_exception(exc)

        threading.Thread(target=run, daemon=True, name="factbot-open").start()
        return future

    def _open(self) -> _State:
        from index.store import StoreError, open_reader

        warm_k = self.settings.retrieval_k * HIT_FACTOR if self._warm_up else 0
        try:
            return _State.load(open_reader(self.settings), warm_k)
        except StoreError as exc:
            log.warning("index unavailable: %s", exc)
            raise IndexUnavailableError(_reason(exc)) from exc

    def _current(self) -> _State:
        state = self._state
        if state is not None:
            return state
        with self._lock:
            if self._state is None:
                self._state = self._preloaded() or self._open()
            return self._state

    def _preloaded(self) -> _State | None:
        """The state the preload thread opened (waiting for it); None when it failed (the
        caller opens again, so the error it raises is about the index as it is now)."""
        future, self._preloading = self._preloading, None
        if future is None:
            return None
        try:
            return future.result()
        except Exception:  # noqa: BLE001 - opened again by the caller
            return None

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
        """The judge in use (loaded on first use, and warmed when it is the shipped model)."""
        if self._judge is None:
            with self._judge_lock:
                if self._judge is None:
                    judge = make_judge(self.settings, self._chat_model)
                    warm_judge(judge)  # the shipped model only: an LLM call would be paid
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
        is quoted saying them.

        An index of at most `QUOTE_SCAN_MAX_ARTICLES` articles is scanned whole; in a larger
        one only the articles of the chunks the lexical index ranks best for the words are
        read (words that are all stopwords then find nothing).
        """
        from bot.answer.attribution import attribute_in_article
        from bot.answer.sentences import article_sentences

        query = clean_query(text, self.settings.max_query_chars).strip("\"'“”‘’ ")
        state = self._current()
        passages: list[Passage] = []
        if len(query) >= QUOTE_MIN_CHARS:
            for article in _quote_candidates(state, query):
                for start, end in state.locator(article).find_all(query):
                    speaker = None
                    for sentence in article_sentences(article):
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
        return outlet_rows_summary(self._current().reader.outlet_rows())

    def status(self) -> IndexStatus:
        """Counts and build information of the index being served."""
        reader = self._current().reader
        build = reader.build
        articles, chunks, outlets = reader.counts()
        return IndexStatus(
            articles=articles,
            chunks=chunks,
            outlets=outlets,
            last_build=getattr(build, "created_at", None) or None,
            model=getattr(build, "model", None) or None,
            collection=getattr(build, "collection", None) or None,
        )


def _quote_candidates(state: _State, query: str) -> Iterator[Any]:
    """The articles `quote` reads: all of a small index, else those the lexical index
    ranks best for the words (each once, best first)."""
    articles = state.reader.articles
    if len(articles) <= QUOTE_SCAN_MAX_ARTICLES:
        yield from articles.values()
        return
    seen: set[str] = set()
    for chunk, _score in state.searcher.lexical_search(query, QUOTE_CANDIDATE_CHUNKS):
        if chunk.article_id in seen:
            continue
        seen.add(chunk.article_id)
        article = articles.get(chunk.article_id)
        if article is not None:
            yield article


def outlet_summary(articles: Iterable[Any]) -> list[OutletInfo]:
    """Outlets with their article counts and date ranges, by name, the unknown outlet last."""
    return outlet_rows_summary((a.meta.outlet, a.meta.published) for a in articles)


def outlet_rows_summary(rows: Iterable[tuple[str | None, str | None]]) -> list[OutletInfo]:
    """`outlet_summary` from (outlet, published) rows, one per article."""
    groups: dict[str | None, list] = defaultdict(list)
    for outlet, published in rows:
        groups[outlet].append(published)
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
