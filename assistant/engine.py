"""The assistant: one entry point, ``Assistant.ask``, for the CLI, the web app and the evaluation.

It reads which documents of the library a question is about (:mod:`assistant.scope`), retrieves
from them (:mod:`assistant.retrieval`), has each document's
:class:`~assistant.reading.QuestionReader` read the question and its
:class:`~assistant.answer.Composer` answer from its clause tree, and labels each answer with its
document when the library holds several.

    >>> from assistant.engine import Assistant
    >>> assistant = Assistant.load()
    >>> answer = assistant.ask("谁负责学前教育？")
    >>> answer.citations[0].document_title
    '西青区教育高质量发展三年行动方案（2023—2025年）'
"""

from __future__ import annotations

import re
import time
import tomllib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from index.store import ClauseStore

from .answer import MAX_ANSWER_CHARS, Composer, fit_answer, to_citations
from .editions import EditionChange, compare_editions, same_title
from .embeddings import Embedder, load_embedder
from .lexicon import Lexicon
from .library import derived_cache, document_key, load_library, open_or_sync
from .listing import ListingFilter
from .reading import ARTICLE_REF, Query, QuestionReader
from .records import Answer, Clause, Intent, Library
from .replies import Replies
from .retrieval import Hit, HybridRetriever, QueryTokenizer, RetrievalMode, clause_tokens, flags_degraded
from .scope import Scope, ScopeReader, title_without_period
from .settings import Settings
from .text import fold, has_lone_surrogate, quoted_names, without_controls

if TYPE_CHECKING:
    from .llm import LLMAnswerer

# How many earlier questions a follow-up may reach back through (那呢？ after 那目标呢？ after …).
FOLLOW_UP_DEPTH = 3
# An unscoped question the best document cannot answer is tried on this many documents in all.
FALLBACK_DOCUMENTS = 3
# Intents answered from a document's structure, whatever the question means beyond its names.
STRUCTURAL_INTENTS = frozenset({Intent.UNIT_ITEMS, Intent.LIST, Intent.COUNT, Intent.ITEM, Intent.DOCUMENT})
# At most this many documents answer one question (a comparison, or several documents named).
MAX_DOCUMENTS_PER_ANSWER = 4


class InvalidQuestion(ValueError):
    """A question that cannot be answered as given (empty, too long, an unknown document)."""


@dataclass(frozen=True)
class DocumentAnswer:
    """One document's answer to a question, before labelling, or why it cannot answer."""

    document_id: str
    query: Query                       # the question as analysed, before any follow-up completion
    terms: tuple[str, ...] = ()        # words it matched on (with a follow-up's), for highlighting
    text: str = ""
    cited: tuple[tuple[Clause, float], ...] = ()
    intent: Intent = Intent.OUT_OF_SCOPE
    refusal: str | None = None
    lead: str = ""                     # the sentence or two that answer, told before the evidence


class StructureIndex:
    """Which documents a question may name the structure of, found with one pattern over the words
    of every document's units, items and parts (so only those documents analyse the question)."""

    def __init__(self, library: Library, readers: dict[str, QuestionReader]) -> None:
        self.documents_of: dict[str, set[str]] = {}
        for document_id, reader in readers.items():
            for word in reader.structure_words():
                self.documents_of.setdefault(word, set()).add(document_id)
        words = sorted(self.documents_of, key=len, reverse=True)
        self.pattern = re.compile("|".join(map(re.escape, words))) if words else None
        self.with_articles = {tree.document.id for tree in library.trees
                              if any(item.is_article for item in tree.items)}

    def documents_named(self, folded: str) -> set[str]:
        found: set[str] = set()
        if self.pattern is not None:
            for position in range(len(folded)):   # overlapping matches: 区教育局 inside 区教育局和区财政局
                match = self.pattern.match(folded, position)
                if match:
                    found |= self.documents_of[match.group(0)]
        if ARTICLE_REF.search(folded):
            found |= self.with_articles
        return found


@dataclass(frozen=True)
class EditionQuestion:
    """A question about what changed between two editions: the change, and which side it asks for."""

    change: EditionChange
    added: bool
    removed: bool


@dataclass(frozen=True)
class LibraryListing:
    """A question about the library itself ("知识库里有哪些文件"), for these documents."""

    documents: tuple[str, ...]
    folded: str                  # the question, for the clauses that tie a document to a place it names


@dataclass
class Assistant:
    settings: Settings
    library: Library
    store: ClauseStore | None
    lexicon: Lexicon
    scope_reader: ScopeReader
    readers: dict[str, QuestionReader]
    composers: dict[str, Composer]
    retriever: HybridRetriever
    replies: Replies
    structure_index: StructureIndex
    listing_filter: ListingFilter
    mode: RetrievalMode = RetrievalMode.HYBRID
    llm: LLMAnswerer | None = None    # set by ASSISTANT_LLM_*: answers worded by a model, verified

    @classmethod
    def load(cls, settings: Settings | None = None, mode: RetrievalMode = RetrievalMode.HYBRID) -> "Assistant":
        """Sync the store with the configured corpus (embedding only what changed) and load it."""
        settings = settings or Settings()
        return cls.from_store(settings, open_or_sync(settings), mode)

    @classmethod
    def from_store(cls, settings: Settings, store: ClauseStore, mode: RetrievalMode = RetrievalMode.HYBRID,
                   embedder: Embedder | None = None) -> "Assistant":
        """The assistant over an opened store generation; ``embedder`` reuses a loaded model (a server
        picking up a new generation)."""
        uses_dense = mode != RetrievalMode.BM25
        with ThreadPoolExecutor(max_workers=1) as pool:
            # Load the model weights while jieba builds its dictionary: shortens the cold start.
            embedder_future = pool.submit(load_embedder, settings.embedding_model) \
                if uses_dense and embedder is None else None
            cache = derived_cache(store.path)
            library = load_library(store, cache)
            lexicon = Lexicon.load(settings.lexicon_dir)
            units = list(dict.fromkeys(unit for tree in library.trees for unit in tree.responsible_units))
            tokenizer = QueryTokenizer(lexicon, extra_words=units)
            templates = tomllib.loads((Path(settings.prompts_dir) / "answers.toml").read_text(encoding="utf-8"))
            scope_reader = ScopeReader(library, lexicon)
            scope_words = scope_reader.scope_words()
            place_pattern = re.compile("|".join(map(re.escape, sorted(scope_words, key=len, reverse=True)))) \
                if scope_words else None
            readers = {tree.document.id: QuestionReader(tree, lexicon, tokenizer, scope_words, place_pattern)
                       for tree in library.trees}
            composers = {tree.document.id: Composer(tree, lexicon, tokenizer, templates, readers[tree.document.id])
                         for tree in library.trees}
            # Each document's words for BM25, kept with its parse: unchanged documents are not cut again.
            tokens = [token_list for info, tree in zip(store.documents(), library.trees)
                      for token_list in cache.get_or_make("tokens", (tokenizer.fingerprint, *document_key(info)),
                                                          lambda tree=tree: clause_tokens(tree.clauses, tokenizer))]
            cache.prune("trees")
            cache.prune("tokens")
            embedder = embedder_future.result() if embedder_future else (embedder if uses_dense else None)
        retriever = HybridRetriever(library.clauses, tokenizer, embedder, store if uses_dense else None,
                                    settings.rrf_k, tokens)
        structure_index = StructureIndex(library, readers)
        return cls(settings=settings, library=library, store=store, lexicon=lexicon, scope_reader=scope_reader,
                   readers=readers, composers=composers, retriever=retriever, replies=Replies(library, templates),
                   structure_index=structure_index,
                   listing_filter=ListingFilter(library, lexicon, tokenizer, structure_index.with_articles, scope_words),
                   mode=mode, llm=_llm_answerer(settings, units))

    @property
    def embedder(self) -> Embedder | None:
        return self.retriever.embedder

    @property
    def generation(self) -> str | None:
        return self.store.generation if self.store else None

    def validate(self, question: object, name: str = "question") -> str:
        """The question as text to answer: control characters dropped; ``name`` says which text it is
        in an error (question, history[2])."""
        if not isinstance(question, str):
            raise InvalidQuestion(f"{name} is empty" if question is None else f"{name} must be text")
        if has_lone_surrogate(question):
            raise InvalidQuestion(f"{name} holds a lone surrogate (\\ud800-\\udfff): not valid Unicode text")
        question = without_controls(question).strip()
        if not question:
            raise InvalidQuestion(f"{name} is empty")
        if len(question) > self.settings.max_question_chars:
            raise InvalidQuestion(f"{name} is {len(question)} characters long; "
                                  f"the limit is {self.settings.max_question_chars}")
        return question

    def validate_document(self, document: object) -> str | None:
        if document is None:
            return None
        if not isinstance(document, str) or not self.library.has(document):
            known = ", ".join(tree.document.id for tree in self.library.trees[:10])
            raise InvalidQuestion(f"no document {document!r} in the library; documents: {known}")
        return document

    @flags_degraded
    def ask(self, question: str, history: list[str] | None = None, document: str | None = None) -> Answer:
        """Answer one question; ``history`` holds the user's earlier questions, oldest first;
        ``document`` limits the answer to one document of the library."""
        started = time.perf_counter()
        question = self.validate(question)
        history = [self.validate(earlier, f"history[{index}]") for index, earlier in enumerate(history or [])]
        document = self.validate_document(document)
        read = self.lexicon.standard_wording
        answers = self._answer(read(question), [read(earlier) for earlier in history], document)
        answer = self._assemble(question, answers, started)
        if self.llm is None or answer.refused or answer.intent is Intent.LIBRARY:
            return answer
        # The library decides what is covered; a model only words what the clauses say.
        worded = self.llm.word(answer, self._clauses_for_model(answer, document))
        return replace(worded, latency_ms=_elapsed(started))

    def retrieve(self, question: str, document: str | None = None, k: int | None = None) -> list[Hit]:
        """The clauses that match ``question`` best (the configured retrieval, hybrid by default),
        in the whole library or in one document."""
        question = self.validate(question)
        document = self.validate_document(document)
        documents = [document] if document else [tree.document.id for tree in self.library.trees]
        query = self.readers[documents[0]].analyse(self.lexicon.standard_wording(question))
        hits, _ = self._retrieve(question, query, documents, k=k)
        return hits

    def _clauses_for_model(self, answer: Answer, document: str | None) -> list[Clause]:
        """The clauses the extractive answer cites, then the best retrieved ones, without repeats."""
        cited = [self.library.tree(citation.document).clause(citation.id) for citation in answer.citations]
        found = [hit.clause for hit in self.retrieve(answer.question, document)]
        return list({(clause.document.id, clause.id): clause for clause in cited + found}.values())

    # ---------------------------------------------------------------- one question
    def _answer(self, question: str, history: list[str],
                document: str | None) -> list[DocumentAnswer] | Scope | LibraryListing | EditionQuestion:
        """The answering documents' answers, the scope that refuses the question, or the documents
        a question about the library asks for."""
        folded = fold(question)
        scope = Scope((document,), named=True) if document else self.scope_reader.read(folded)
        if scope.refusal:
            return scope
        if self.lexicon.cues("library", folded):
            # Years limit a listing through its own filter (2020年以前), not as a document's period.
            within = scope.within or [tree.document.id for tree in self.library.trees]
            return LibraryListing(self.listing_filter.documents(folded, list(within)), folded)
        if scope.named and len(scope.documents) == 2 and (edition := self._edition_question(folded, scope.documents)):
            return edition
        candidates = list(scope.documents)
        previous: list[DocumentAnswer] = []
        # A follow-up continues the previous question, in the document picked too ("谁负责？").
        if history and (document or not scope.named) and self._looks_like_follow_up(question, candidates):
            earlier = self._answer(history[-1], history[-FOLLOW_UP_DEPTH - 1:-1], document)
            previous = [answer for answer in earlier if answer.cited] if isinstance(earlier, list) else []
            candidates = [answer.document_id for answer in previous] or candidates
        if scope.named or len(candidates) == 1:
            answers = self._answers_from(candidates[:MAX_DOCUMENTS_PER_ANSWER], question, previous)
            return [answer for answer in answers if not answer.refusal] or answers[:1]
        structural = self._structural_documents(question, candidates)
        if structural:
            answers = self._answers_from(structural, question, previous)
            answered = [answer for answer in answers if not answer.refusal]
            if answered:
                return answered
        ranked = self._rank_documents(question, candidates)
        # The best document by retrieval answers; when it cannot, the next ones are tried.
        first_refusal = None
        for document_id in ranked[:FALLBACK_DOCUMENTS]:
            answer = self._answer_from(document_id, question, previous)
            if not answer.refusal:
                return [answer]
            first_refusal = first_refusal or answer
        return [first_refusal] if first_refusal else []

    def _edition_question(self, folded: str, document_ids: tuple[str, ...]) -> EditionQuestion | None:
        """What two named documents' lists of items differ by, when the question asks that."""
        cues = self.lexicon.cues
        added, removed = cues("edition_added", folded), cues("edition_removed", folded)
        if cues("responsible_units", folded) or cues("unit_items", folded):
            return None   # what changed in who is responsible is read from each document
        changed = cues("edition_changed", folded)
        composers = [self.composers[document_id] for document_id in document_ids]
        if not same_title(*(title_without_period(composer.title) for composer in composers)):
            return None   # two different policies, not two editions of one
        named = [self.readers[document_id].named_parts(folded) for document_id in document_ids]
        if not (added or removed or (changed and all(named))):
            return None
        parts = [found or composer.main_parts() for found, composer in zip(named, composers)]
        if not all(parts):
            return None
        trees = [composer.tree for composer in composers]
        change = compare_editions(trees[0], trees[1], parts[0][0], parts[1][0])
        both = not (added or removed)
        return EditionQuestion(change, added or both, removed or both)

    def _looks_like_follow_up(self, question: str, candidates: list[str]) -> bool:
        reader = self.readers[candidates[0]]
        return reader.is_follow_up(reader.analyse(question))

    def _structural_documents(self, question: str, candidates: list[str]) -> list[str]:
        """The documents whose items, units or parts an unscoped question names."""
        maybe = self.structure_index.documents_named(fold(question))
        structural = [document_id for document_id in candidates
                      if document_id in maybe and self.readers[document_id].names_structure(question)]
        if len(structural) > 1:
            # Several documents have a 第二条: the question's other words tell which it means (幼儿园条例).
            fit = {document_id: self.readers[document_id].topic_fit(question) for document_id in structural}
            structural = [document_id for document_id in structural if fit[document_id] == max(fit.values())]
        return structural[:MAX_DOCUMENTS_PER_ANSWER]

    def _rank_documents(self, question: str, candidates: list[str]) -> list[str]:
        """All candidates in the order of their best retrieval hit (one clause that matches well, a
        number or a rare name, says more than many that match a little)."""
        query = self.readers[candidates[0]].analyse(question)
        hits, _ = self._retrieve(question, query, candidates, k=self.settings.top_k * 2)
        best: dict[str, float] = {}
        for hit in hits:
            best.setdefault(hit.clause.document.id, hit.score)
        ranked = list(best) + [document_id for document_id in candidates if document_id not in best]
        # A name the question quotes ("护眼公约") is looked for as written: the documents that use it first.
        quoted = quoted_names(fold(question))
        if quoted:
            uses = {document_id for document_id in ranked
                    if all(name in self.readers[document_id].corpus_folded for name in quoted)}
            ranked = [document_id for document_id in ranked if document_id in uses] + \
                [document_id for document_id in ranked if document_id not in uses]
        return ranked

    def _answers_from(self, document_ids: list[str], question: str,
                      previous: list[DocumentAnswer]) -> list[DocumentAnswer]:
        if len(document_ids) > 1 and any(self._searches_by_meaning(document_id, question) for document_id in document_ids):
            # One search of the whole library (faster than one limited to these documents), which
            # each document's answer then filters.
            self._retrieve(question, self.readers[document_ids[0]].analyse(question),
                           [tree.document.id for tree in self.library.trees])
        return [self._answer_from(document_id, question, previous) for document_id in document_ids]

    def _searches_by_meaning(self, document_id: str, question: str) -> bool:
        reader = self.readers[document_id]
        return reader.intent(reader.analyse(question)) not in STRUCTURAL_INTENTS

    def _answer_from(self, document_id: str, question: str, previous: list[DocumentAnswer]) -> DocumentAnswer:
        reader, composer = self.readers[document_id], self.composers[document_id]
        query = analysed = reader.analyse(question)
        earlier = next((answer for answer in previous if answer.document_id == document_id), None)
        if earlier is not None and reader.is_follow_up(query):
            # A follow-up is about what the previous answer cited in this document.
            query = reader.continue_from(query, earlier.query, reader.items_of(earlier.cited))
        intent = reader.intent(query)
        # A question answered from the document's structure (a unit's tasks, an item, a list) needs
        # no search by meaning: the embedding and the vector search are skipped.
        mode = RetrievalMode.BM25 if intent in STRUCTURAL_INTENTS else self.mode
        hits, dense_max = self._retrieve(question, query, [document_id], mode=mode)
        unset = composer.unset_detail(query, hits)
        reason = reader.refusal_reason(query, dense_max, hits)
        if reason:
            # A detail asked of a topic the document does not cover: the refusal says which detail.
            return DocumentAnswer(document_id, analysed, refusal=unset if unset and reason == "uncovered" else reason)
        if unset:
            # What the document says of the topic is told, not an amount or a time it gives for something else.
            query, intent = replace(query, shapes=frozenset()), Intent.TOPIC
        text, cited = composer.compose(query, intent, hits)
        if not cited:
            return DocumentAnswer(document_id, analysed, refusal=unset or "uncovered")
        lead = composer.lead(query, intent, hits, cited, unset)
        return DocumentAnswer(document_id, analysed, tuple(query.terms), text, tuple(cited), intent, lead=lead)

    def _retrieve(self, question: str, query: Query, documents: list[str], k: int | None = None,
                  mode: RetrievalMode | None = None):
        # The question as asked is embedded (shorter, so faster, and as good); the policy terms its
        # wording implies go to BM25.
        scope = None if len(documents) == len(self.library.trees) else documents
        return self.retriever.search(question, query.terms, k=k or self.settings.top_k, mode=mode or self.mode,
                                     documents=scope)

    # ---------------------------------------------------------------- the answer
    def _assemble(self, question: str, answers: list[DocumentAnswer] | Scope | LibraryListing | EditionQuestion,
                  started: float) -> Answer:
        if isinstance(answers, Scope):
            return self._refused(question, answers.refusal, answers, started)
        if isinstance(answers, LibraryListing):
            documents = [self.library.tree(document_id).document for document_id in answers.documents]
            cited = [(clause, 1.0) for document in documents
                     for clause in self.composers[document.id].document_sources() or
                     self.library.tree(document.id).clauses[:1]]
            # A document listed for the city it names in its text cites where it names it.
            cited += [(clause, 0.5) for document in documents
                      if (clause := self.scope_reader.clause_naming_around(document.id, answers.folded)) is not None]
            return Answer(question, self.replies.listing(documents), False, Intent.LIBRARY, to_citations(cited),
                          _elapsed(started))
        if isinstance(answers, EditionQuestion):
            change = answers.change
            items = [(change.newer, item) for item in change.added if answers.added] + \
                [(change.older, item) for item in change.removed if answers.removed]
            cited = [(tree.clause(item.id), 1.0) for tree, item in items]
            # Each document compared is cited, the one that lists nothing extra by its part's first item.
            for tree, part in ((change.newer, change.newer_part), (change.older, change.older_part)):
                if part.item_ids and not any(cited_tree is tree for cited_tree, _ in items):
                    cited.append((tree.clause(part.item_ids[0]), 0.5))
            return Answer(question, self.replies.edition_change(change, answers.added, answers.removed), False,
                          Intent.LIST, to_citations(cited), _elapsed(started))
        answered = [answer for answer in answers if not answer.refusal]
        if not answered:
            scope = Scope(tuple(answer.document_id for answer in answers), named=True)
            return self._refused(question, answers[0].refusal, scope, started)
        labelled = len(self.library.trees) > 1
        budget = MAX_ANSWER_CHARS // len(answered)
        blocks = []
        for answer in answered:
            label = [self.replies.label(self.library.tree(answer.document_id).document)] if labelled else []
            body = fit_answer(answer.text, budget - len(answer.lead))
            lead = answer.lead
            if not lead and len(answered) == 1 and label:
                # An answer from the document's structure opens with its answer (the units, the count):
                # that line comes before the document's name too.
                lead, _, body = body.partition("\n")
                if lead.endswith("：") and body:   # a heading (…的量化目标：) opens with what it heads
                    first, _, body = body.partition("\n")
                    lead += first
            # The sentence that answers comes first; with several documents, first within each one's block.
            lead_line = [lead] if lead else []
            opening = lead_line + label if len(answered) == 1 else label + lead_line
            blocks.append("\n".join(opening + ([body] if body else [])))
        cited = [pair for answer in answered for pair in answer.cited]
        terms = tuple(dict.fromkeys(term for answer in answered for term in answer.terms))
        return Answer(question, "\n".join(blocks), False, answered[0].intent, to_citations(cited),
                      _elapsed(started), terms)

    def _refused(self, question: str, reason: str, scope: Scope, started: float) -> Answer:
        return Answer(question, self.replies.refusal(reason, scope), True, Intent.OUT_OF_SCOPE, (),
                      _elapsed(started), suggestions=tuple(self.replies.suggestions(scope)))


def _llm_answerer(settings: Settings, units: list[str]) -> LLMAnswerer | None:
    if not settings.uses_llm:
        return None
    from .llm import LLMAnswerer   # langchain-openai is loaded only when a model is configured
    return LLMAnswerer(settings, units)


def _elapsed(started: float) -> float:
    return (time.perf_counter() - started) * 1000
