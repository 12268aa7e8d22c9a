"""The hybrid search as a LangChain `BaseRetriever`, for use in any LangChain chain.

    from langchain_core.prompts import ChatPromptTemplate
    from langchain_core.runnables import RunnablePassthrough
    from bot.settings import load_settings
    from index.retriever import HybridRetriever, format_documents

    retriever = HybridRetriever.from_settings(load_settings(), k=6)
    prompt = ChatPromptTemplate.from_template("Sources:\\n{context}\\n\\nQuestion: {question}")
    chain = {"context": retriever | format_documents, "question": RunnablePassthrough()} | prompt
    chain.invoke("How many workers joined the strike?")  # then `| llm` for an answer

Each `Document` is one chunk: `page_content` is the exact slice `text[start:end]` of the stored
article, `id` the chunk id, and `metadata` names the outlet (None when unknown), title, date,
url, file, article id, offsets and the fused, dense and lexical scores.
"""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, Field

from bot.settings import Settings
from index.search import DEFAULT_PER_ARTICLE, HybridSearcher
from index.types import Hit

UNKNOWN_OUTLET = "unknown outlet"


class HybridRetriever(BaseRetriever):
    """Dense (Chroma) + BM25 retrieval over the active build, fused as `HybridSearcher` does.

    Attributes:
        searcher: the `HybridSearcher` over an open index reader.
        k: documents returned per query.
        per_article: chunks of one article taken before other articles get a turn.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    searcher: Any  # HybridSearcher, or anything with its `search(query, k, per_article)`
    k: int = Field(default=8, ge=1, le=200)
    per_article: int = Field(default=DEFAULT_PER_ARTICLE, ge=1)

    @classmethod
    def from_settings(cls, settings: Settings, **kwargs: Any) -> HybridRetriever:
        """Open the active build of the data dir and retrieve from it.

        Raises:
            index.store.StoreError: no index is built, or Chroma cannot be reached.
        """
        from index.store import open_reader

        return cls(searcher=HybridSearcher(open_reader(settings)), **kwargs)

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        hits = self.searcher.search(query, k=self.k, per_article=self.per_article)
        return [hit_to_document(hit) for hit in hits]


def hit_to_document(hit: Hit) -> Document:
    """A LangChain `Document` for one hit (see the module docstring for the metadata)."""
    meta = hit.article.meta
    return Document(
        id=hit.chunk.id,
        page_content=hit.chunk.text,
        metadata={
            "article_id": hit.article.id,
            "chunk_index": hit.chunk.index,
            "start": hit.chunk.start,
            "end": hit.chunk.end,
            "outlet": meta.outlet,
            "title": meta.title,
            "published": meta.published,
            "author": meta.author,
            "url": meta.url,
            "republished_by": meta.republished_by,
            "document": hit.article.source_file,
            "score": hit.score,
            "dense_similarity": hit.dense_similarity,
            "lexical_score": hit.lexical_score,
        },
    )


def format_documents(documents: list[Document]) -> str:
    """Numbered sources for a prompt: `[1] Outlet, date: text` (unknown outlets named so)."""
    lines = []
    for number, doc in enumerate(documents, start=1):
        outlet = doc.metadata.get("outlet") or UNKNOWN_OUTLET
        date = doc.metadata.get("published")
        lines.append(f"[{number}] {outlet}{', ' + date if date else ''}: {doc.page_content}")
    return "\n\n".join(lines)
