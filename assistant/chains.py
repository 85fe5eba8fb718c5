"""The library as a LangChain retriever, for any chain (LCEL, agents, evaluation tools).

    >>> from assistant.engine import Assistant
    >>> retriever = PolicyRetriever(assistant=Assistant.load(), k=4)      # doctest: +SKIP
    >>> retriever.invoke("谁负责学前教育？")[0].metadata["clause_id"]        # doctest: +SKIP
    '四（五）'

Each ``Document`` is one clause: its verbatim text as ``page_content``; in ``metadata`` the document's
id and title, the clause id, its heading path (as text and as a list), the units responsible for its
item, and the retrieval score. ``document=`` limits the search to one document of the library.
"""

from __future__ import annotations

import asyncio
from typing import Any

from langchain_core.callbacks import AsyncCallbackManagerForRetrieverRun, CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, Field

from .retrieval import Hit


class PolicyRetriever(BaseRetriever):
    """Hybrid (BM25 + embeddings) search over the clauses of an :class:`~assistant.engine.Assistant`'s library."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    assistant: Any = Field(description="the assistant.engine.Assistant whose library is searched")
    document: str | None = Field(default=None, description="search this document only (an id of the library)")
    k: int = Field(default=8, gt=0, le=100, description="how many clauses to return")

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        return [clause_document(hit) for hit in self.assistant.retrieve(query, self.document, self.k)]

    async def _aget_relevant_documents(self, query: str, *,
                                       run_manager: AsyncCallbackManagerForRetrieverRun) -> list[Document]:
        # The search is CPU work of a few milliseconds: off the event loop, in a worker thread.
        hits = await asyncio.to_thread(self.assistant.retrieve, query, self.document, self.k)
        return [clause_document(hit) for hit in hits]


def clause_document(hit: Hit) -> Document:
    clause = hit.clause
    return Document(page_content=clause.text, metadata={
        "document": clause.document.id, "document_title": clause.document.title, "clause_id": clause.id,
        "section": clause.section, "heading_path": list(clause.path),
        "units": list(clause.responsible_units), "score": hit.score})
