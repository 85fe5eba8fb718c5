"""Baselines that answer with the single best fixed-size chunk of the policy.

What people would build without this project: split the document with LangChain's
``RecursiveCharacterTextSplitter``, retrieve the top chunk (dense, through LangChain's Chroma
store and the same embedding model as ours; or jieba BM25 over the same chunks) and show it.
Both speak the JSON contract so the scorer treats them like any other system; a chunk "cites" the
clauses whose text it overlaps, the most-overlapped first. They never refuse.

    >>> from eval.baselines import ChunkBaseline, RetrieverKind
    >>> naive = ChunkBaseline.load(RetrieverKind.DENSE)
    >>> naive.ask("谁负责学前教育？")["citations"][0]["id"]
    '四（五）'
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

import numpy as np

from assistant.parser import parse_policy_file
from assistant.records import Choice, Clause, PolicyTree
from assistant.settings import Settings
from assistant.text import fold, to_simplified

CHUNK_SIZE = 500
CHUNK_OVERLAP = 50
# Characters that are layout, not content: whitespace and markdown decoration.
_LAYOUT = re.compile(r"[\s#*>|`]")


class RetrieverKind(Choice):
    DENSE = "dense"   # naive LangChain RAG: Chroma + our embedding model
    BM25 = "bm25"     # jieba BM25 over the same chunks

    @classmethod
    def label(cls) -> str:
        return "baseline retriever"


@dataclass(frozen=True)
class Chunk:
    text: str
    clause_ids: tuple[str, ...]   # clauses it overlaps, most-overlapped first


def _content(text: str) -> str:
    return _LAYOUT.sub("", text)


def locate_chunks(raw: str, starts: list[int], chunk_texts: list[str], tree: PolicyTree) -> list[Chunk]:
    """Attach to each chunk (raw text at a raw offset) the clauses whose text it overlaps."""
    kept = [index for index, char in enumerate(raw) if not _LAYOUT.match(char)]
    content = "".join(raw[index] for index in kept)
    content_position = np.searchsorted(np.array(kept), np.arange(len(raw) + 1))
    spans: list[tuple[Clause, int, int]] = []
    cursor = 0
    for clause in tree.clauses:
        body = _content(clause.text)
        found = content.find(body[:16], cursor)
        if found < 0:
            continue
        spans.append((clause, found, found + len(body)))
        cursor = found + 1
    chunks = []
    for start, text in zip(starts, chunk_texts):
        begin = int(content_position[start])
        end = begin + len(_content(text))
        overlaps = [(min(end, stop) - max(begin, first), clause.id) for clause, first, stop in spans]
        ranked = sorted((overlap, cid) for overlap, cid in overlaps if overlap > 0)[::-1]
        chunks.append(Chunk(text=text, clause_ids=tuple(cid for _, cid in ranked)))
    return chunks


class _LangChainEmbeddings:
    """Our embedder behind LangChain's ``Embeddings`` interface (so Chroma never embeds itself)."""

    def __init__(self, embedder) -> None:
        self.embedder = embedder

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embedder.encode([to_simplified(text) for text in texts]).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]


class ChunkBaseline:
    """Top-1 chunk as the answer; ``ask`` returns the JSON contract."""

    def __init__(self, tree: PolicyTree, chunks: list[Chunk], kind: RetrieverKind, search) -> None:
        self.tree = tree
        self.chunks = chunks
        self.kind = kind
        self._search = search

    @classmethod
    def load(cls, kind: RetrieverKind, settings: Settings | None = None) -> "ChunkBaseline":
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        settings = settings or Settings()
        path = settings.corpus[0]
        raw = path.read_text(encoding="utf-8")
        tree = parse_policy_file(path)
        splitter = RecursiveCharacterTextSplitter(chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP,
                                                  add_start_index=True)
        documents = splitter.create_documents([raw])
        chunks = locate_chunks(raw, [d.metadata["start_index"] for d in documents],
                               [d.page_content for d in documents], tree)
        search = _dense_search(documents, settings) if kind == RetrieverKind.DENSE else _bm25_search(chunks)
        return cls(tree, chunks, kind, search)

    def ask(self, question: str, history: list[str] | None = None) -> dict:
        started = time.perf_counter()
        chunk = self.chunks[self._search(question)]
        citations = [{"id": cid, "document": self.tree.document.id, "section": self.tree.clause(cid).section,
                      "text": self.tree.clause(cid).text, "score": 1.0} for cid in chunk.clause_ids]
        return {"question": question, "answer": chunk.text, "refused": False, "intent": "chunk",
                "citations": citations, "latency_ms": round((time.perf_counter() - started) * 1000, 2)}


def _dense_search(documents, settings: Settings):
    import chromadb
    from chromadb.config import Settings as ChromaSettings
    from langchain_chroma import Chroma

    from assistant.embeddings import load_embedder

    for index, document in enumerate(documents):
        document.metadata["chunk"] = index
    client = chromadb.EphemeralClient(settings=ChromaSettings(anonymized_telemetry=False))
    store = Chroma(collection_name="naive_chunks", client=client,
                   embedding_function=_LangChainEmbeddings(load_embedder(settings.embedding_model)),
                   collection_metadata={"hnsw:space": "cosine"})
    store.reset_collection()
    store.add_documents(documents)
    return lambda question: store.similarity_search(question, k=1)[0].metadata["chunk"]


def _bm25_search(chunks: list[Chunk]):
    import bm25s
    import jieba

    def tokens(text: str) -> list[str]:
        return [token for token in jieba.lcut(fold(text)) if re.search(r"\w", token)] or ["∅"]

    retriever = bm25s.BM25()
    retriever.index([tokens(chunk.text) for chunk in chunks], show_progress=False)
    return lambda question: int(np.argmax(retriever.get_scores(tokens(question))))
