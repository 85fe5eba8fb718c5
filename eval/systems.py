"""The systems the evaluation compares, each a function ``(question, history) -> JSON contract``.

    >>> from eval.systems import SYSTEMS, load_system
    >>> ask = load_system("assistant")
    >>> ask("谁负责学前教育？", [])["citations"][0]["id"]
    '四（五）'

Ours are named ``assistant…``; the baselines carry ``naive`` / ``bm25`` in their names.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

AskFunction = Callable[[str, list[str]], dict]


def _ours(mode: str) -> AskFunction:
    from assistant.engine import Assistant
    from assistant.retrieval import RetrievalMode

    assistant = Assistant.load(mode=RetrievalMode.parse(mode))
    return lambda question, history: assistant.ask(question, history).to_dict()


def _baseline(kind: str) -> AskFunction:
    from .baselines import ChunkBaseline, RetrieverKind

    return ChunkBaseline.load(RetrieverKind.parse(kind)).ask


@dataclass(frozen=True)
class System:
    description: str                  # shown in the report
    load: Callable[[], AskFunction]


SYSTEMS: dict[str, System] = {
    "assistant": System("our full pipeline: parsed clauses, jieba BM25 + USE dense fused by RRF, structural answers",
                        lambda: _ours("hybrid")),
    "assistant-dense-only": System("our pipeline with dense (USE + Chroma) retrieval only", lambda: _ours("dense")),
    "assistant-keyword-only": System("our pipeline with jieba BM25 retrieval only (no embeddings)",
                                     lambda: _ours("bm25")),
    "naive-langchain-rag": System("RecursiveCharacterTextSplitter 500/50 chunks, USE embeddings in LangChain's "
                                  "Chroma, top-1 chunk", lambda: _baseline("dense")),
    "bm25-jieba-chunks": System("jieba BM25 over the same 500/50 chunks, top-1 chunk", lambda: _baseline("bm25")),
}


def load_system(name: str) -> AskFunction:
    if name not in SYSTEMS:
        raise ValueError(f"unknown system {name!r}; choose from: {', '.join(SYSTEMS)}")
    return SYSTEMS[name].load()


def http_system(url: str, timeout: float = 30.0) -> AskFunction:
    """A system behind an HTTP endpoint that takes ``{"question", "history"}`` and returns the contract."""

    def ask(question: str, history: list[str]) -> dict:
        request = urllib.request.Request(url, data=json.dumps({"question": question, "history": history}).encode(),
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
