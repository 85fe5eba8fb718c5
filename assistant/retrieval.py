"""Hybrid retrieval: jieba BM25 and dense (Chroma) hits fused by reciprocal rank.

    >>> retriever = HybridRetriever(tree.clauses, lexicon, embedder, store)   # doctest: +SKIP
    >>> [hit.clause.id for hit in retriever.search("补课机构怎么管", k=3)]      # doctest: +SKIP
    ['四（三）.3', '四（三）', '四（三）.2']
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from contextvars import ContextVar
from dataclasses import replace
from functools import lru_cache, wraps
from typing import Collection, ParamSpec

import bm25s
import jieba
import jieba.analyse
import numpy as np

from index.store import ClauseStore, StoreUnavailable, clause_key

from .cache import code_fingerprint, fingerprint
from .embeddings import Embedder
from .lexicon import Lexicon
from .records import Answer, Choice, Clause, Hit
from .text import fold, to_simplified

jieba.setLogLevel(logging.WARNING)
# Nearest clauses taken from the dense index: for one document, and for the whole library (enough
# that the best document's own share of them can be used when the question is answered from it).
DENSE_K = 20
LIBRARY_DENSE_K = 100
# A document with fewer of the library-wide hits than this is searched on its own.
MIN_SHARED_HITS = 1
_WORD = re.compile(r"[\w%]")
_DIGIT = re.compile(r"\d")
P = ParamSpec("P")


class _Outage:
    """Whether a dense search made for the answer under way found the vector store unreachable."""

    happened = False


# The answer under way's outage: a context variable, since the web app answers requests in threads
# of their own and the CLI one after another.
_outage: ContextVar[_Outage | None] = ContextVar("vector_store_outage", default=None)


def flags_degraded(ask: Callable[P, Answer]) -> Callable[P, Answer]:
    """``ask``, its answer marked ``degraded`` when a dense search made for it found the vector store
    unreachable: the answer then came from BM25 and the clause trees alone."""

    @wraps(ask)
    def answer(*args: P.args, **kwargs: P.kwargs) -> Answer:
        outage = _Outage()
        token = _outage.set(outage)
        try:
            answered = ask(*args, **kwargs)
        finally:
            _outage.reset(token)
        return replace(answered, degraded=True) if outage.happened else answered

    return answer


def _note_outage() -> None:
    outage = _outage.get()
    if outage is not None:
        outage.happened = True


class RetrievalMode(Choice):
    HYBRID = "hybrid"
    BM25 = "bm25"
    DENSE = "dense"

    @classmethod
    def label(cls) -> str:
        return "retrieval mode"


@lru_cache(maxsize=1)
def _general_idf() -> tuple[dict[str, float], float]:
    """jieba's inverse document frequencies over general Chinese text, and their median: 什么 or 今年
    say little about a question's topic, 旱厕 says much. Read once a process (270,000 words)."""
    idf = jieba.analyse.TFIDF()
    return idf.idf_freq, idf.median_idf


class QueryTokenizer:
    """jieba search-mode tokens of folded text, with the policy's own terms in the dictionary."""

    def __init__(self, lexicon: Lexicon, extra_words: list[str]) -> None:
        self.lexicon = lexicon
        self.jieba = jieba.Tokenizer()
        # A question is tokenized once, however many documents analyse it (per instance: see Composer).
        self._cached_tokens = lru_cache(maxsize=4096)(self._tokens)
        words = set(extra_words)
        for _, values in lexicon.synonyms:
            words.update(values)
        words.update(lexicon.synonym_keys)
        for aliases in lexicon.unit_aliases.values():
            words.update(aliases)
        for word in sorted(words):
            if word and not word.isascii():
                self.jieba.add_word(word, freq=2000)
        self._idf, self._median_idf = _general_idf()
        # Everything a text's tokens depend on: the code, jieba's dictionary and the words added to it,
        # the stopwords.
        code = code_fingerprint([Path(__file__), Path(__file__).with_name("text.py")], ["jieba"])
        self.fingerprint = fingerprint([code, *sorted(words), "\x00", *sorted(lexicon.stopwords)])

    def weight(self, word: str) -> float:
        """How much a word says about what a question is about (its IDF; an unknown word the median)."""
        return self._idf.get(word, self._median_idf)

    def in_dictionary(self, word: str) -> bool:
        """A dictionary word, not one jieba's HMM guessed from unknown characters (多建, 要交)."""
        return bool(self.jieba.FREQ.get(word))

    def tokens(self, folded_text: str) -> list[str]:
        """Content tokens: no stopwords, no punctuation, no lone CJK characters."""
        return list(self._cached_tokens(folded_text))

    def question_tokens(self, folded_question: str) -> list[str]:
        """Content tokens of a question, with the dictionary words jieba's chosen segmentation cut
        through (学区 of 学区划好, which it reads as 学|区划|好): a question is short, and the word its
        asker meant must not be lost to an unlucky split."""
        tokens = self.tokens(folded_question)
        extra = self._crossing_words(folded_question) + self.compounds(folded_question)
        return tokens + [word for word in dict.fromkeys(extra) if word not in tokens]

    @lru_cache(maxsize=1024)
    def _pieces(self, folded_question: str) -> tuple[str, ...]:
        """jieba's chosen segmentation of a question (what the two readings below start from)."""
        return tuple(self.jieba.cut(folded_question))

    @lru_cache(maxsize=1024)
    def compounds(self, folded_question: str) -> tuple[str, ...]:
        """A word with the lone character that follows it (足球课 of 足球|课): a question's noun is often
        a word jieba knows plus a character it leaves alone."""
        pieces = [piece.strip() for piece in self._pieces(folded_question)]
        found = []
        for word, after, then in zip(pieces, pieces[1:], pieces[2:] + [""]):
            if (len(word) >= 2 and not _DIGIT.search(word) and len(after) == 1 and _WORD.search(after) and not after.isascii()
                    and after not in self.lexicon.stopwords and word not in self.lexicon.stopwords
                    and not (len(then) == 1 and _WORD.search(then) and not then.isascii())
                    and not then.startswith("不" + after)):   # 学校|管|不管 asks 管不管, it names no 学校管
                found.append(word + after)
        return tuple(found)

    @lru_cache(maxsize=1024)
    def _crossing_words(self, folded_question: str) -> tuple[str, ...]:
        boundaries, position = set(), 0
        for piece in self._pieces(folded_question):
            position += len(piece)
            boundaries.add(position)
        found, start = [], 0
        for word in self.jieba.cut(folded_question, cut_all=True):
            start = folded_question.find(word, start)
            end = start + len(word)
            if (len(word) >= 2 and self.in_dictionary(word) and word not in self.lexicon.stopwords
                    and any(start < boundary < end for boundary in boundaries)):
                found.append(word)
        return tuple(dict.fromkeys(found))

    def _tokens(self, folded_text: str) -> tuple[str, ...]:
        out = []
        singles = ""   # a word jieba does not know comes out as single characters (旱, 厕): joined again
        for token in self.jieba.lcut_for_search(folded_text):
            token = token.strip()
            if len(token) == 1 and not token.isascii() and _WORD.search(token) and token not in self.lexicon.stopwords:
                singles += token
                continue
            if len(singles) >= 2:
                out.append(singles)
            singles = ""
            if not token or token in self.lexicon.stopwords or not _WORD.search(token):
                continue
            if len(token) == 1 and not token.isascii():
                continue
            out.append(token)
        if len(singles) >= 2:
            out.append(singles)
        return tuple(out)


def search_text(clause: Clause) -> str:
    return fold(f"{clause.section} {clause.text}")


def clause_tokens(clauses: Sequence[Clause], tokenizer: QueryTokenizer) -> list[list[str]]:
    """What BM25 indexes of each clause (a clause with no content words gets a placeholder)."""
    return [tokenizer.tokens(search_text(clause)) or ["∅"] for clause in clauses]


class HybridRetriever:
    def __init__(self, clauses: tuple[Clause, ...] | list[Clause], tokenizer: QueryTokenizer,
                 embedder: Embedder | None, store: ClauseStore | None, rrf_k: int = 60,
                 tokens: Sequence[list[str]] | None = None) -> None:
        """``tokens``: each clause's :func:`clause_tokens`, when they were kept (cutting 50,000 clauses
        into words takes about 20 s)."""
        self.clauses = list(clauses)
        self.tokenizer = tokenizer
        self.embedder = embedder
        self.store = store
        self.rrf_k = rrf_k
        self.by_key = {clause_key(clause): index for index, clause in enumerate(self.clauses)}
        rows: dict[str, list[int]] = {}
        for index, clause in enumerate(self.clauses):
            rows.setdefault(clause.document.id, []).append(index)
        # Each document's rows: a search in some documents keeps their scores (np.isin over 50,000 ids took 9 ms).
        self.rows_of = {document_id: np.array(indices) for document_id, indices in rows.items()}
        # Recent searches over several documents: question → (their ids, or None for all; hits).
        self._searched: dict[str, tuple[frozenset[str] | None, list[tuple[str, float]]]] = {}
        # One question is searched in several documents (ranking, answering): embed it and score it once.
        self._question_vector = lru_cache(maxsize=256)(self._embed)
        self._bm25_scores = lru_cache(maxsize=64)(self._scores_of)
        self.bm25 = bm25s.BM25()
        self.bm25.index(list(tokens) if tokens is not None else clause_tokens(self.clauses, tokenizer),
                        show_progress=False)

    def _embed(self, question: str) -> np.ndarray:
        return self.embedder.encode([to_simplified(question)])[0]

    def bm25_scores(self, query_tokens: list[str]) -> np.ndarray:
        if not query_tokens:
            return np.zeros(len(self.clauses), dtype=np.float32)
        return self._bm25_scores(tuple(query_tokens))

    def _scores_of(self, query_tokens: tuple[str, ...]) -> np.ndarray:
        # Read-only: one question's scores are filtered for each document that answers it.
        scores = self.bm25.get_scores(list(query_tokens))
        scores.setflags(write=False)
        return scores

    def dense_scores(self, question: str, documents: Collection[str] | None = None) -> dict[int, float]:
        """Cosine similarity of the nearest clauses (index → similarity), within ``documents`` if given;
        none while the vector store cannot be reached.

        A question is often searched in several documents, then answered from each of them: a search
        over many documents is kept, and a later search in some of them filters it instead of
        querying the store again (when it holds enough of their clauses)."""
        if self.embedder is None or self.store is None:
            return {}
        wanted = None if documents is None else frozenset(documents)
        nearest = self._shared_hits(question, wanted)
        if nearest is None:
            try:
                nearest = self._nearest(question, documents, k=LIBRARY_DENSE_K if wanted is None or len(wanted) > 1
                                        else DENSE_K)
            except StoreUnavailable:
                # Its Chroma server is down: BM25 alone ranks, and the answer says it is degraded.
                _note_outage()
                return {}
            if wanted is None or len(wanted) > 1:
                self._remember(question, wanted, nearest)
        return {self.by_key[key]: similarity for key, similarity in nearest if key in self.by_key}

    def _shared_hits(self, question: str, wanted: frozenset[str] | None) -> list[tuple[str, float]] | None:
        remembered = self._searched.get(question)
        if remembered is None or wanted is None:
            return None
        scope, nearest = remembered
        if scope is not None and not wanted <= scope:
            return None
        shared = [(key, similarity) for key, similarity in nearest if key.split("/", 1)[0] in wanted]
        return shared if len(shared) >= MIN_SHARED_HITS else None

    def _nearest(self, question: str, documents: Collection[str] | None, k: int) -> list[tuple[str, float]]:
        return self.store.nearest(self._question_vector(question), k=min(k, len(self.clauses)), documents=documents)

    def _remember(self, question: str, scope: frozenset[str] | None, nearest: list[tuple[str, float]]) -> None:
        if len(self._searched) >= 64:
            self._searched.pop(next(iter(self._searched)))
        self._searched[question] = (scope, nearest)

    def search(self, question: str, query_tokens: list[str], k: int = 8,
               mode: RetrievalMode = RetrievalMode.HYBRID,
               documents: Collection[str] | None = None) -> tuple[list[Hit], float]:
        """Fused hits, best first, and the best dense similarity (0 when dense is off); only from
        ``documents`` when given."""
        bm25 = self.bm25_scores(query_tokens) if mode != RetrievalMode.DENSE else np.zeros(len(self.clauses))
        if documents is not None:
            kept = np.zeros(len(self.clauses), dtype=bool)
            for document_id in documents:
                kept[self.rows_of.get(document_id, [])] = True
            bm25 = np.where(kept, bm25, 0.0)
        dense = self.dense_scores(question, documents) if mode != RetrievalMode.BM25 else {}
        matched = np.flatnonzero(bm25 > 0)
        bm25_order = matched[np.argsort(-bm25[matched], kind="stable")].tolist()
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
