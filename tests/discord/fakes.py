"""Fakes of the answering core and the index builder, following their contracts."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

from bot.answer.core import outlet_summary
from bot.answer.errors import EmptyQueryError, IndexUnavailableError, QueryTooLongError
from bot.answer.types import (
    Claim,
    IndexStatus,
    OutletInfo,
    Passage,
    QuoteProvenance,
    Reply,
    Source,
    Verdict,
)
from index.types import Article, SourceMeta

ARTICLE = (
    "The fire at the Brightwater plant started shortly after 2 a.m. on Monday, "
    'the fire service said. "We evacuated 40 homes," said chief Mara Lind. '
    "@everyone was told to keep windows shut <@&123456789012345678>."
)


def make_source(
    i: int, quote: str | None = None, outlet: str | None = "Tarnholm Courier"
) -> Source:
    """A verified source whose quote is a slice of `ARTICLE` (or the given text)."""
    text = quote if quote is not None else ARTICLE[:90]
    return Source(
        id=i,
        outlet=outlet,
        title=f"Article {i}",
        published="2024-03-12",
        url=f"https://example.org/{i}",
        document=f"{i:02d}.txt",
        quote=text,
        start=0,
        end=len(text),
        article_id=f"art{i}",
    )


def make_reply(
    query: str = "When did the fire start?",
    n_sources: int = 2,
    quote: str | None = None,
    mode: str = "question",
) -> Reply:
    sources = [make_source(i, quote) for i in range(1, n_sources + 1)]
    claims = [
        Claim(text=f"Claim {i} from the articles.", sources=[i]) for i in range(1, n_sources + 1)
    ]
    verdict = Verdict.ANSWERED if mode == "question" else Verdict.SUPPORTED
    return Reply(
        query=query,
        mode=mode,
        verdict=verdict,
        summary="The fire started at 2 a.m. [1]",
        claims=claims,
        sources=sources,
    )


# the fake core's index: invented outlets and headlines, none from the demo corpus
INDEX = (
    ("Harbour Gazette", "Quayside crane collapse closes Pellmont docks", "2025-02-03"),
    ("Harbour Gazette", "Dock union blames Marlow Shipping for crane failure", "2025-02-04"),
    ("Valley Echo", "Pellmont mayor promises inquiry into the crane collapse", "2025-02-05"),
    (None, "Crane parts were years overdue for inspection", None),
)


def index_articles() -> dict[str, Article]:
    """Articles of the fake core's index (`FakeCore.reader.articles`)."""
    out = {}
    for i, (outlet, title, published) in enumerate(INDEX):
        meta = SourceMeta(outlet=outlet, title=title, published=published)
        article = Article.make(f"{title}. More text.", f"{i}.txt", f"/x/{i}.txt", meta)
        out[article.id] = article
    return out


@dataclass
class FakeCore:
    """Synchronous, like the real `FactChecker`; records calls and the threads they ran on."""

    delay: float = 0.0
    dead: bool = False
    n_sources: int = 2
    quote_text: str | None = None
    max_chars: int = 1000
    calls: list[tuple] = field(default_factory=list)
    threads: list[str] = field(default_factory=list)
    reloads: int = 0
    finished: list[float] = field(default_factory=list)
    articles: dict[str, Article] = field(default_factory=index_articles)

    @property
    def reader(self) -> SimpleNamespace:
        """Like `FactChecker.reader`: the loaded index (its `articles` are read for help)."""
        return SimpleNamespace(articles=self.articles)

    def _enter(self, *call: object) -> None:
        self.calls.append(call)
        self.threads.append(threading.current_thread().name)
        if self.delay:
            time.sleep(self.delay)  # CPU-bound work blocks its thread, like embedding does
        self.finished.append(time.monotonic())
        if self.dead:
            raise IndexUnavailableError("the search index cannot be reached right now")

    def _validate(self, text: str) -> None:
        if not text.strip():
            raise EmptyQueryError()
        if len(text) > self.max_chars:
            raise QueryTooLongError(len(text), self.max_chars)

    def ask(self, question: str, context: str | None = None) -> Reply:
        self._enter("ask", question, context)
        self._validate(question)
        return make_reply(question, self.n_sources, self.quote_text)

    def check(self, claim: str) -> Reply:
        self._enter("check", claim)
        self._validate(claim)
        return make_reply(claim, self.n_sources, self.quote_text, mode="claim")

    def sources(self, topic: str, limit: int = 10) -> list[Passage]:
        self._enter("sources", topic, limit)
        return [
            Passage(
                outlet=f"Outlet {i}",
                title=f"T{i}",
                published="2024-03-1" + str(i % 10),
                url=None,
                document=f"{i}.txt",
                article_id=f"a{i}",
                text=ARTICLE * 3,
                start=0,
                end=len(ARTICLE) * 3,
                score=1.0 / (i + 1),
            )
            for i in range(limit)
        ]

    def quote(self, text: str) -> QuoteProvenance:
        self._enter("quote", text)
        found = text in ARTICLE
        passages = (
            [
                Passage(
                    outlet=None,
                    title="Fire",
                    published=None,
                    url=None,
                    document="x.txt",
                    article_id="a1",
                    text=text,
                    start=0,
                    end=len(text),
                    score=1.0,
                    speaker="Mara Lind",
                )
            ]
            if found
            else []
        )
        return QuoteProvenance(text=text, found=found, passages=passages)

    def outlets(self) -> list[OutletInfo]:
        self._enter("outlets")
        return outlet_summary(self.articles.values())

    def status(self) -> IndexStatus:
        self._enter("status")
        return IndexStatus(
            articles=len(self.articles),
            chunks=30,
            outlets=len({a.meta.outlet for a in self.articles.values() if a.meta.outlet}),
            last_build="2024-03-14T10:00:00+00:00",
            model="minilm",
            collection="factbot-x",
        )

    def reload(self) -> None:
        self.calls.append(("reload",))
        self.reloads += 1


@dataclass
class FakeSummary:
    added: list[str] = field(default_factory=lambda: ["a.txt"])
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    failed: list = field(default_factory=list)
    chunks: int = 3
    seconds: float = 0.1

    def line(self) -> str:
        return (
            f"added {len(self.added)} · updated {len(self.updated)} · "
            f"unchanged {len(self.unchanged)} · removed {len(self.removed)} · "
            f"failed {len(self.failed)}"
        )


@dataclass
class FakeBuilder:
    """`build_index(paths, settings, progress)`: `steps` batches over `duration` seconds.

    `failing` names files reported as failed, like the real build does for a bad file.
    """

    duration: float = 0.0
    steps: int = 3
    calls: list = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)
    wait_for_release: bool = False
    failing: list[str] = field(default_factory=list)
    reported: list[tuple[float, str, int]] = field(default_factory=list)

    def __call__(self, paths: list[Path] | None, settings: object, progress=None) -> FakeSummary:
        from index.build import BuildProgress
        from index.types import LoadFailure

        self.calls.append(paths)
        for i in range(self.steps):
            if progress:
                self.reported.append((time.monotonic(), "embed", i))
                progress(BuildProgress("embed", i, self.steps))
            time.sleep(self.duration / self.steps)
        if self.wait_for_release:
            self.release.wait(10)
        if progress:
            progress(BuildProgress("done", 1, 1))
        failed = [LoadFailure(path=f"/data/uploads/{n}", reason="not valid UTF-8 text")
                  for n in self.failing]
        return FakeSummary(failed=failed)
