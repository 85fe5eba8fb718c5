"""Hybrid retrieval: jieba BM25 and dense (Chroma) hits fused by reciprocal rank.

    >>> retriever = HybridRetriever(tree.clauses, lexicon, embedder, store)   # doctest: +SKIP
    >>> [hit.clause.id for hit in retriever.search("补课机构怎么管", k=3)]      # doctest: +SKIP
    ['四（三）.3', '四（三）', '四（三）.2']
"""

from __future__ import annotations

import logging
import re

import bm25s
import jieba
import numpy as np

from index.store import ClauseStore, clause_key

from .embeddings import Embedder
from .lexicon import Lexicon
from .records import Choice, Clause, Hit
from .text import fold, to_simplified

jieba.setLogLevel(logging.WARNING)
_WORD = re.compile(r"[\w%]")


class RetrievalMode(Choice):
    HYBRID = "hybrid"
    BM25 = "bm25"
    DENSE = "dense"

    @classmethod
    def label(cls) -> str:
        return "retrieval mode"


class QueryTokenizer:
    """jieba search-mode tokens of folded text, with the policy's own terms in the dictionary."""

    def __init__(self, lexicon: Lexicon, extra_words: list[str]) -> None:
        self.lexicon = lexicon
        self.jieba = jieba.Tokenizer()
        words = set(extra_words)
        for _, values in lexicon.synonyms:
            words.update(values)
        words.update(lexicon.synonym_keys)
        for aliases in lexicon.unit_aliases.values():
            words.update(aliases)
        for word in sorted(words):
            if word and not word.isascii():
                self.jieba.add_word(word, freq=2000)

    def in_dictionary(self, word: str) -> bool:
        """A dictionary word, not one jieba's HMM guessed from unknown characters (多建, 要交)."""
        return bool(self.jieba.FREQ.get(word))

    def tokens(self, folded_text: str) -> list[str]:
        """Content tokens: no stopwords, no punctuation, no lone CJK characters."""
        out = []
        for token in self.jieba.lcut_for_search(folded_text):
            token = token.strip()
            if not token or token in self.lexicon.stopwords or not _WORD.search(token):
                continue
            if len(token) == 1 and not token.isascii():
                continue
            out.append(token)
        return out


def search_text(clause: Clause) -> str:
    return fold(f"{clause.section} {clause.text}")


class HybridRetriever:
    def __init__(self, clauses: tuple[Clause, ...] | list[Clause], tokenizer: QueryTokenizer,
                 embedder: Embedder | None, store: ClauseStore | None, rrf_k: int = 60) -> None:
        self.clauses = list(clauses)
        self.tokenizer = tokenizer
        self.embedder = embedder
        self.store = store
        self.rrf_k = rrf_k
        self.by_key = {clause_key(clause): index for index, clause in enumerate(self.clauses)}
        self.bm25 = bm25s.BM25()
        self.bm25.index([tokenizer.tokens(search_text(clause)) or ["∅"] for clause in self.clauses],
                        show_progress=False)

    def bm25_scores(self, query_tokens: list[str]) -> np.ndarray:
        if not query_tokens:
            return np.zeros(len(self.clauses), dtype=np.float32)
        return self.bm25.get_scores(query_tokens)

    def dense_scores(self, question: str) -> dict[int, float]:
        """Cosine similarity of the nearest clauses (index → similarity)."""
        if self.embedder is None or self.store is None:
            return {}
        vector = self.embedder.encode([to_simplified(question)])[0]
        nearest = self.store.nearest(vector, k=min(20, len(self.clauses)))
        return {self.by_key[key]: similarity for key, similarity in nearest if key in self.by_key}

    def search(self, question: str, query_tokens: list[str], k: int = 8,
               mode: RetrievalMode = RetrievalMode.HYBRID) -> tuple[list[Hit], float]:
        """Fused hits, best first, and the best dense similarity (0 when dense is off)."""
        bm25 = self.bm25_scores(query_tokens) if mode != RetrievalMode.DENSE else np.zeros(len(self.clauses))
        dense = self.dense_scores(question) if mode != RetrievalMode.BM25 else {}
        bm25_order = [int(index) for index in np.argsort(-bm25) if bm25[index] > 0]
        dense_order = sorted(dense, key=dense.get, reverse=True)
        bm25_rank = {index: rank for rank, index in enumerate(bm25_order)}
        dense_rank = {index: rank for rank, index in enumerate(dense_order)}
        fused: dict[int, float] = {}
        for ranks in (bm25_rank, dense_rank):
            for index, rank in ranks.items():
                fused[index] = fused.get(index, 0.0) + 1.0 / (self.rrf_k + rank + 1)
        order = sorted(fused, key=fused.get, reverse=True)[:k]
        hits = [Hit(self.clauses[index], round(fused[index], 6), bm25_rank.get(index), dense_rank.get(index))
                for index in order]
        return hits, max(dense.values(), default=0.0)
