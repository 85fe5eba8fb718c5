"""The assistant: one entry point, ``Assistant.ask``, for the CLI, the web app and the evaluation.

    >>> from assistant.engine import Assistant
    >>> assistant = Assistant.load()
    >>> answer = assistant.ask("谁负责学前教育？")
    >>> answer.citations[0].id
    '四（五）'
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from index.store import open_store

from .answer import Composer, Query, fit_answer, to_citations
from .embeddings import load_embedder
from .lexicon import Lexicon
from .parser import parse_policy_file
from .records import Answer, Intent, PolicyTree
from .retrieval import HybridRetriever, QueryTokenizer, RetrievalMode
from .settings import Settings


# How many earlier questions a follow-up may reach back through (那呢？ after 那目标呢？ after …).
FOLLOW_UP_DEPTH = 3


class InvalidQuestion(ValueError):
    """A question that cannot be answered as given (empty, too long)."""


@dataclass
class Assistant:
    settings: Settings
    tree: PolicyTree
    composer: Composer
    retriever: HybridRetriever
    mode: RetrievalMode = RetrievalMode.HYBRID

    @classmethod
    def load(cls, settings: Settings | None = None, mode: RetrievalMode = RetrievalMode.HYBRID) -> "Assistant":
        """Parse the corpus, open (or build) the store and load the embedder."""
        settings = settings or Settings()
        trees = [parse_policy_file(path) for path in settings.corpus]
        if len(trees) != 1:
            raise ValueError("this version answers from exactly one policy document; "
                             f"ASSISTANT_CORPUS names {len(trees)}")
        tree = trees[0]
        uses_dense = mode != RetrievalMode.BM25
        store = open_store(settings.store, tree.clauses, settings.embedding_model,
                           settings.show_progress) if uses_dense else None
        with ThreadPoolExecutor(max_workers=1) as pool:
            # Load the model weights while jieba builds its dictionary: shortens the cold start.
            embedder_future = pool.submit(load_embedder, settings.embedding_model) if uses_dense else None
            lexicon = Lexicon.load(settings.lexicon_dir)
            tokenizer = QueryTokenizer(lexicon, extra_words=tree.responsible_units)
            composer = Composer(tree, lexicon, tokenizer, settings.prompts_dir)
            embedder = embedder_future.result() if embedder_future else None
        retriever = HybridRetriever(tree.clauses, tokenizer, embedder, store, settings.rrf_k)
        return cls(settings=settings, tree=tree, composer=composer, retriever=retriever, mode=mode)

    def validate(self, question: object) -> str:
        if not isinstance(question, str) or not question.strip():
            raise InvalidQuestion("question is empty")
        if len(question) > self.settings.max_question_chars:
            raise InvalidQuestion(f"question is {len(question)} characters long; "
                                  f"the limit is {self.settings.max_question_chars}")
        return question.strip()

    def ask(self, question: str, history: list[str] | None = None) -> Answer:
        """Answer one question; ``history`` holds the user's earlier questions, oldest first."""
        return self._answer(question, history)[0]

    def _answer(self, question: str, history: list[str] | None) -> tuple[Answer, Query]:
        """The answer and the question as analysed (before any follow-up completion)."""
        started = time.perf_counter()
        question = self.validate(question)
        analysed = query = self.composer.analyse(question)
        if history and self.composer.is_follow_up(query):
            # A follow-up is about what the previous answer cited: answer the previous question again
            # (with its own recent history, so chains of follow-ups work) and take its items.
            previous_answer, previous = self._answer(self.validate(history[-1]), history[-FOLLOW_UP_DEPTH - 1:-1])
            query = self.composer.continue_from(query, previous, self.composer.cited_items(previous_answer))
        hits, dense_max = self._retrieve(question, query)
        reason = self.composer.refusal_reason(query, dense_max, hits)
        if reason:
            text = self.composer.refusal(reason)
            return Answer(question, text, True, Intent.OUT_OF_SCOPE, (), _elapsed(started)), analysed
        intent = self.composer.intent(query)
        text, cited = self.composer.compose(query, intent, hits)
        if not cited:
            text = self.composer.refusal("uncovered")
            return Answer(question, text, True, Intent.OUT_OF_SCOPE, (), _elapsed(started)), analysed
        answer = Answer(question, fit_answer(text), False, intent, to_citations(cited), _elapsed(started),
                        tuple(query.terms))
        return answer, analysed

    def _retrieve(self, question: str, query):
        text = " ".join([question] + query.terms)
        return self.retriever.search(text, query.terms, k=self.settings.top_k, mode=self.mode)


def _elapsed(started: float) -> float:
    return (time.perf_counter() - started) * 1000
