"""The systems the evaluation compares, each a function ``(question, history, document=None) -> JSON contract``
(``document``: the document the asker picked; the chunk baselines have no picker and search everything).

    >>> from eval.systems import SYSTEMS, library_paths, load_system
    >>> ask = load_system("assistant")                      # over the flagship alone
    >>> ask("谁负责学前教育？", [])["citations"][0]["id"]
    '四（五）'
    >>> ask = load_system("assistant", library_paths())     # over every document of the library gold

Ours are named ``assistant…``; the baselines carry ``naive`` / ``bm25`` in their names.
"""

from __future__ import annotations

import json
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from assistant.settings import DEFAULT_CORPUS

AskFunction = Callable[..., dict]     # (question, history, document=None) -> the JSON contract
Corpus = tuple[Path, ...] | None      # files and folders; None = the flagship alone (its gold set)
LIBRARY = Path(__file__).resolve().parent / "library"
FLAGSHIP = "xiqing-education-plan-2023-2025"   # the one document of eval/gold.jsonl


def flagship_file(path: Path = DEFAULT_CORPUS) -> Path:
    """The flagship policy: ``path`` itself, or the flagship inside it when it is the corpus folder."""
    return path / f"{FLAGSHIP}.md" if path.is_dir() else path


def library_paths() -> list[Path]:
    """Every document the library gold is asked over: the shipped corpus, ``eval/library/dev`` and ``…/test``."""
    return [DEFAULT_CORPUS, LIBRARY / "dev", LIBRARY / "test"]


_STORES: dict[tuple[Path, ...], tempfile.TemporaryDirectory] = {}   # removed when the process exits


def _store_for(corpus: tuple[Path, ...]) -> Path:
    """A temporary store per corpus, kept for the run and shared by our three retrieval modes."""
    if corpus not in _STORES:
        _STORES[corpus] = tempfile.TemporaryDirectory(prefix="eval-store-")
    return Path(_STORES[corpus].name)


def _ours(mode: str, corpus: Corpus) -> AskFunction:
    from assistant.engine import Assistant
    from assistant.retrieval import RetrievalMode
    from assistant.settings import Settings

    corpus = corpus or (flagship_file(),)
    settings = Settings(corpus=list(corpus), store=_store_for(corpus), show_progress=False)
    assistant = Assistant.load(settings, mode=RetrievalMode.parse(mode))
    return lambda question, history, document=None: assistant.ask(question, history, document).to_dict()


def _baseline(kind: str, corpus: Corpus) -> AskFunction:
    from .baselines import ChunkBaseline, RetrieverKind

    retriever = RetrieverKind.parse(kind)
    baseline = ChunkBaseline.load(retriever) if corpus is None else ChunkBaseline.load_library(retriever, corpus)
    return lambda question, history, document=None: baseline.ask(question, history)


@dataclass(frozen=True)
class System:
    description: str                       # shown in the report
    load: Callable[[Corpus], AskFunction]


SYSTEMS: dict[str, System] = {
    "assistant": System("our full pipeline: parsed clauses, jieba BM25 + USE dense fused by RRF, structural answers",
                        lambda corpus: _ours("hybrid", corpus)),
    "assistant-dense-only": System("our pipeline with dense (USE + Chroma) retrieval only",
                                   lambda corpus: _ours("dense", corpus)),
    "assistant-keyword-only": System("our pipeline with jieba BM25 retrieval only (no embeddings)",
                                     lambda corpus: _ours("bm25", corpus)),
    "naive-langchain-rag": System("RecursiveCharacterTextSplitter 500/50 chunks, USE embeddings in LangChain's "
                                  "Chroma, top-1 chunk", lambda corpus: _baseline("dense", corpus)),
    "bm25-jieba-chunks": System("jieba BM25 over the same 500/50 chunks, top-1 chunk",
                                lambda corpus: _baseline("bm25", corpus)),
}


def load_system(name: str, corpus: list[Path] | None = None) -> AskFunction:
    """System ``name`` answering over ``corpus`` (files and folders; None = the flagship alone)."""
    if name not in SYSTEMS:
        raise ValueError(f"unknown system {name!r}; choose from: {', '.join(SYSTEMS)}")
    return SYSTEMS[name].load(None if corpus is None else tuple(corpus))


def http_system(url: str, timeout: float = 30.0) -> AskFunction:
    """A system behind an HTTP endpoint that takes ``{"question", "history", "document"}`` and returns the contract."""

    def ask(question: str, history: list[str], document: str | None = None) -> dict:
        body = {"question": question, "history": history} | ({"document": document} if document else {})
        request = urllib.request.Request(url, data=json.dumps(body).encode(),
                                         headers={"Content-Type": "application/json"}, method="POST")
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                answer = json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as error:
            answer = {"answer": "", "refused": False, "citations": [], "error": f"HTTP {error.code}"}
        answer.setdefault("latency_ms", round((time.perf_counter() - started) * 1000, 2))
        return answer

    return ask


def read_answers(path: Path) -> dict[str, dict]:
    """Answers produced elsewhere: JSONL, one contract object per line, matched by ``question``."""
    answers = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            answers[str(record["question"])] = record
        except (ValueError, KeyError, TypeError) as error:
            raise ValueError(f"{path}:{number}: not a JSON answer with a \"question\" ({error})") from None
    return answers
