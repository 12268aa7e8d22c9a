"""The hybrid search as a LangChain `BaseRetriever`, used in a real LangChain chain."""

from __future__ import annotations

from langchain_core.prompts import ChatPromptTemplate
from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import RunnablePassthrough

from index.build import build_index
from index.retriever import HybridRetriever, format_documents
from index.search import HybridSearcher
from index.store import open_reader


def test_retriever_in_a_chain(mini_corpus, settings):
    build_index([mini_corpus], settings)
    retriever = HybridRetriever.from_settings(settings, k=3)
    assert isinstance(retriever, BaseRetriever)

    question = "Were the cranes at the north quay working?"
    docs = retriever.invoke(question)
    reader = open_reader(settings)
    expected = HybridSearcher(reader).search(question, k=3)
    assert [d.id for d in docs] == [h.chunk.id for h in expected]
    top = docs[0]
    assert top.metadata["document"] == "b.txt" and top.metadata["outlet"] == "Coastline Post"
    article = reader.articles[top.metadata["article_id"]]
    assert article.text[top.metadata["start"] : top.metadata["end"]] == top.page_content

    prompt = ChatPromptTemplate.from_template("Sources:\n{context}\n\nQuestion: {question}")
    chain = {"context": retriever | format_documents, "question": RunnablePassthrough()} | prompt
    text = chain.invoke(question).to_string()
    assert "[1] Coastline Post, 2025-03-05: " in text and "cranes at the north quay" in text
    assert text.endswith(f"Question: {question}")


def test_unknown_outlet_is_named_as_such(mini_corpus, settings):
    build_index([mini_corpus], settings)
    retriever = HybridRetriever.from_settings(settings, k=1)
    [doc] = retriever.invoke("ferries south pier timetable")
    assert doc.metadata["outlet"] is None  # c.txt has no outlet in sources.csv
    assert format_documents([doc]).startswith("[1] unknown outlet, 2025-03-03: ")
