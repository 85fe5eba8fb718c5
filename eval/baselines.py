"""Baselines that answer with the single best fixed-size chunk of the documents.

What people would build without this project: split the documents with LangChain's
``RecursiveCharacterTextSplitter``, retrieve the top chunk (dense, through LangChain's Chroma
store and the same embedding model as ours; or jieba BM25 over the same chunks) and show it.
Both speak the JSON contract so the scorer treats them like any other system. They never refuse.

- ``ChunkBaseline.load``: over the flagship policy; a chunk "cites" the clauses whose text it
  overlaps, the most-overlapped first (scored by clause id on ``eval/gold.jsonl``).
- ``ChunkBaseline.load_library``: over every document of a library, each read with
  ``read_document``; a chunk cites itself (id ``chunk-N`` within its document, its own text), which
  the library gold scores by evidence text and document id.

    >>> from eval.baselines import ChunkBaseline, RetrieverKind
    >>> naive = ChunkBaseline.load(RetrieverKind.DENSE)
    >>> naive.ask("谁负责学前教育？")["citations"][0]["id"]
    '四（五）'
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.parser import parse_policy_file
from assistant.readers import SUPPORTED_SUFFIXES, read_document
from assistant.records import Choice, Clause, PolicyTree
from assistant.settings import Settings
from assistant.text import fold, to_simplified

from .systems import flagship_file

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
    clause_ids: tuple[str, ...]   # clauses it overlaps, most-overlapped first; a library chunk: its own id
    document: str = ""            # id of the document it was cut from


def corpus_files(corpus: list[Path] | tuple[Path, ...]) -> list[Path]:
    """The documents named by ``corpus``: files as given, folders searched (READMEs and hidden files skipped)."""
    files = []
    for path in map(Path, corpus):
        found = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        files += [p for p in found if p.suffix.lower() in SUPPORTED_SUFFIXES
                  and not p.name.startswith((".", "README"))]
    return files


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
        chunks.append(Chunk(text=text, clause_ids=tuple(cid for _, cid in ranked), document=tree.document.id))
    return chunks


def _split(text: str, document: str):
    """LangChain documents of ``text``, 500/50 characters, with their start offset and document id."""
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP,
                                              add_start_index=True)
    return splitter.create_documents([text], metadatas=[{"document": document}])


def _title(text: str) -> str:
    """A document's first non-empty line, without markdown heading marks."""
    return next((line.strip("# \t") for line in text.splitlines() if line.strip()), "")


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

    def __init__(self, chunks: list[Chunk], kind: RetrieverKind, search, titles: dict[str, str],
                 tree: PolicyTree | None = None) -> None:
        self.chunks = chunks
        self.kind = kind
        self.titles = titles          # document id → title
        self.tree = tree              # the flagship's clauses, when chunks cite clauses
        self._search = search

    @classmethod
    def load(cls, kind: RetrieverKind, settings: Settings | None = None) -> "ChunkBaseline":
        """Over the flagship policy (the first corpus entry): a chunk cites the clauses it overlaps."""
        settings = settings or Settings()
        path = flagship_file(settings.corpus[0])
        raw = path.read_text(encoding="utf-8")
        tree = parse_policy_file(path)
        pieces = _split(raw, tree.document.id)
        chunks = locate_chunks(raw, [d.metadata["start_index"] for d in pieces], [d.page_content for d in pieces],
                               tree)
        return cls(chunks, kind, _search(kind, pieces, chunks, settings), {tree.document.id: tree.document.title},
                   tree)

    @classmethod
    def load_library(cls, kind: RetrieverKind, corpus: list[Path] | tuple[Path, ...],
                     settings: Settings | None = None) -> "ChunkBaseline":
        """Over every document of ``corpus`` (files and folders): a chunk cites itself."""
        settings = settings or Settings()
        texts = {path.stem: read_document(path) for path in corpus_files(corpus)}
        pieces, chunks = [], []
        for document, text in texts.items():
            split = _split(text, document)
            pieces += split
            chunks += [Chunk(text=d.page_content, clause_ids=(f"chunk-{n}",), document=document)
                       for n, d in enumerate(split, 1)]
        titles = {document: _title(text) for document, text in texts.items()}
        return cls(chunks, kind, _search(kind, pieces, chunks, settings), titles)

    def ask(self, question: str, history: list[str] | None = None) -> dict:
        started = time.perf_counter()
        chunk = self.chunks[self._search(question)]
        citations = [self._citation(chunk, cid) for cid in chunk.clause_ids]
        return {"question": question, "answer": chunk.text, "refused": False, "intent": "chunk",
                "citations": citations, "latency_ms": round((time.perf_counter() - started) * 1000, 2)}

    def _citation(self, chunk: Chunk, clause_id: str) -> dict:
        """A clause the chunk overlaps (flagship) or the chunk itself (library)."""
        clause = self.tree.clause(clause_id) if self.tree else None
        return {"id": clause_id, "document": chunk.document, "document_title": self.titles.get(chunk.document, ""),
                "section": clause.section if clause else "", "text": clause.text if clause else chunk.text,
                "score": 1.0}


def _search(kind: RetrieverKind, pieces, chunks: list[Chunk], settings: Settings):
    """Function question → index of the best chunk."""
    return _dense_search(pieces, settings) if kind == RetrieverKind.DENSE else _bm25_search(chunks)


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
