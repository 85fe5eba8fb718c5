"""The library: which documents the assistant answers from, read, parsed and kept in the store.

Configuration (``ASSISTANT_CORPUS``) names files and folders; ``python -m assistant docs add``
adds more. The store keeps every document's extracted text, so the library reloads without
its source files, and a document whose text is unchanged is never embedded again.

    >>> from assistant.settings import Settings
    >>> store = sync_store(Settings())                 # doctest: +SKIP
    >>> [tree.document.title for tree in load_library(store).trees]   # doctest: +SKIP
    ['西青区教育高质量发展三年行动方案（2023—2025年）', ...]
"""

from __future__ import annotations

import logging
import shutil
import time
from pathlib import Path
from typing import Sequence

from index.store import (ClauseStore, StoreCorrupted, StoreDocument, StoredDocumentInfo, StoreError,
                         build_generation, open_current, passages_sha256)

from .cache import DerivedCache, code_fingerprint
from .parser import document_id_for, parse_policy
from .readers import SUPPORTED_SUFFIXES, UnreadableDocument, read_document
from .records import Library, PolicyTree
from .settings import Settings

log = logging.getLogger(__name__)
CORPUS = "corpus"   # origin of a document named by ASSISTANT_CORPUS or `index`
ADDED = "added"     # origin of a document added with `docs add`
DERIVED = "derived"   # under the store: parsed documents and their search words (assistant.cache)
# What a parsed document depends on besides its text: the parser's code and OpenCC's tables.
_PARSER_CODE = code_fingerprint([Path(__file__).with_name(name) for name in ("parser.py", "records.py", "text.py")],
                                ["opencc"])


class LibraryError(Exception):
    """A library operation that cannot go ahead; the message is one sentence for the user."""


def corpus_files(entries: Sequence[Path]) -> list[Path]:
    """Files named directly, and the policy files inside named folders, each file once."""
    if not entries:
        raise LibraryError("the corpus is empty: name at least one policy file or folder")
    files: dict[Path, None] = {}
    for entry in entries:
        entry = Path(entry)
        if entry.is_dir():
            found = sorted(path for path in entry.rglob("*")
                           if path.is_file() and path.suffix.lower() in SUPPORTED_SUFFIXES
                           and not path.name.startswith("."))
            if not found:
                raise LibraryError(f"{entry} holds no policy files ({', '.join(SUPPORTED_SUFFIXES)})")
            files.update(dict.fromkeys(path.resolve() for path in found))
        elif entry.is_file():
            files[entry.resolve()] = None
        else:
            raise LibraryError(f"cannot read {entry}: no such file or folder")
    return list(files)


def read_sources(paths: Sequence[Path], origin: str) -> list[StoreDocument]:
    """Read each file; the same content given twice is one document, two files may not share an id."""
    documents: dict[str, StoreDocument] = {}
    for path in paths:
        try:
            text = read_document(path)
        except UnreadableDocument as error:
            raise LibraryError(str(error)) from None
        document = StoreDocument.from_text(document_id_for(path), str(path), origin, text)
        if (previous := documents.get(document.id)) is not None:
            if previous.sha256 == document.sha256:
                continue
            raise LibraryError(f"{previous.source} and {path} would both be document {document.id!r}: "
                               "rename one of them")
        documents[document.id] = document
    return list(documents.values())


def derived_cache(store_path: Path) -> DerivedCache:
    return DerivedCache(Path(store_path) / DERIVED)


def document_key(document: StoreDocument | StoredDocumentInfo) -> tuple[str, ...]:
    """Everything a document's parse depends on: what it is cached under."""
    return (_PARSER_CODE, document.id, document.source, document.sha256)


def parse_source(document: StoreDocument, cache: DerivedCache | None = None) -> PolicyTree:
    tree = _parsed(document, document.text, cache or DerivedCache(None))
    if not tree.items and not tree.parts:
        raise LibraryError(f"{document.source} does not look like a policy document: no numbered parts, "
                           "items or articles (一、 / （一） / 第一条) were found in it")
    return tree


def _parsed(document: StoreDocument | StoredDocumentInfo, text: str, cache: DerivedCache) -> PolicyTree:
    return cache.get_or_make("trees", document_key(document),
                             lambda: parse_policy(text, document.id, source=document.source))


def load_library(store: ClauseStore, cache: DerivedCache | None = None) -> Library:
    """The parsed documents of a store generation, in the order they were added (those parsed before
    read from the store's cache)."""
    cache = cache or derived_cache(store.path)
    return Library(tuple(_parsed(info, store.text(info.id), cache) for info in store.documents()))


def open_or_sync(settings: Settings) -> ClauseStore:
    """The store to answer from. An explicitly configured ``ASSISTANT_CORPUS`` is synced at every start;
    otherwise the store is served as the last ``index`` or ``docs`` command left it (built from the
    shipped corpus the first time), its vectors first moved if ASSISTANT_CHROMA_URL now says they
    belong elsewhere."""
    if "corpus" not in settings.model_fields_set:
        try:
            store = open_current(settings.store, settings.chroma_url)
        except StoreCorrupted as error:
            store = _set_aside(settings.store, error)
        if store is not None and store.manifest.model == settings.embedding_model:
            if _placed(store, settings):
                return store
            return _build_if_changed(settings, store, [_stored(store, info) for info in store.documents()])
    return sync_store(settings)


def _placed(store: ClauseStore, settings: Settings) -> bool:
    """The store's vectors are where ASSISTANT_CHROMA_URL says (on a server, or in the store): when
    it has changed, the next build moves them, copying rather than embedding them again."""
    return store.on_server == (settings.chroma_url is not None)


def sync_store(settings: Settings, corpus: Sequence[Path] | None = None) -> ClauseStore:
    """Make the store hold the corpus plus the documents added with ``docs add``; build only on change."""
    wanted = read_sources(corpus_files(settings.corpus if corpus is None else corpus), CORPUS)
    try:
        current = open_current(settings.store, settings.chroma_url)
    except StoreCorrupted as error:
        current = _set_aside(settings.store, error)
    corpus_ids = {document.id for document in wanted}
    if current is not None:
        wanted += [_stored(current, info) for info in current.documents()
                   if info.origin == ADDED and info.id not in corpus_ids]
    return _build_if_changed(settings, current, wanted)


def sync_library(settings: Settings, corpus: Sequence[Path] | None = None) -> tuple[ClauseStore, Library, bool]:
    """:func:`sync_store`, then the library loaded from it; a store whose stored texts are damaged
    (the sync does not notice: its manifest is intact) is moved aside and built again. The last
    value says whether that happened."""
    store = sync_store(settings, corpus)
    try:
        return store, load_library(store), False
    except StoreCorrupted as error:
        store.close()
        _set_aside(settings.store, error)
        store = sync_store(settings, corpus)
        return store, load_library(store), True


def add_documents(settings: Settings, paths: Sequence[Path]) -> tuple[ClauseStore, list[str]]:
    """Add (or update) documents; returns the store and the ids added."""
    new = read_sources(corpus_files(paths), ADDED)
    current = open_or_sync(settings)
    new_ids = {document.id for document in new}
    kept = [_stored(current, info) for info in current.documents() if info.id not in new_ids]
    return _build_if_changed(settings, current, kept + new), [document.id for document in new]


def remove_documents(settings: Settings, document_ids: Sequence[str]) -> ClauseStore:
    current = open_or_sync(settings)
    infos = {info.id: info for info in current.documents()}
    for document_id in document_ids:
        if document_id not in infos:
            raise LibraryError(f"no document {document_id!r} in the library; see `python -m assistant docs list`")
        if infos[document_id].origin == CORPUS and "corpus" in settings.model_fields_set:
            raise LibraryError(f"{document_id!r} comes from ASSISTANT_CORPUS: remove it there instead")
    removed = set(document_ids)
    kept = [_stored(current, info) for info in current.documents() if info.id not in removed]
    if not kept:
        raise LibraryError("that would leave the library empty; add another document first")
    return _build_if_changed(settings, current, kept)


def _stored(store: ClauseStore, info: StoredDocumentInfo) -> StoreDocument:
    return StoreDocument(info.id, info.source, info.origin, store.text(info.id), info.sha256)


def _build_if_changed(settings: Settings, current: ClauseStore | None,
                      documents: list[StoreDocument]) -> ClauseStore:
    cache = derived_cache(settings.store)
    trees = [parse_source(document, cache) for document in documents]
    if current is not None and _same(current, documents, trees, settings):
        return current
    try:
        return build_generation(settings.store, [(document, tree.clauses) for document, tree in zip(documents, trees)],
                                settings.embedding_model, show_progress=settings.show_progress,
                                chroma_url=settings.chroma_url)
    except StoreError as error:
        raise LibraryError(str(error)) from None


def _same(store: ClauseStore, documents: list[StoreDocument], trees: list[PolicyTree], settings: Settings) -> bool:
    """Same texts, same model, the same clauses read from them (a newer parser may read a text
    otherwise; then the stored vectors no longer match its clauses), and the vectors where configured."""
    stored = [(info.id, info.sha256, info.origin, info.passages_sha256) for info in store.documents()]
    wanted = [(document.id, document.sha256, document.origin, passages_sha256(document.id, tree.clauses))
              for document, tree in zip(documents, trees)]
    return sorted(stored) == sorted(wanted) and store.manifest.model == settings.embedding_model \
        and _placed(store, settings)


def _set_aside(path: Path, error: StoreCorrupted) -> None:
    """A damaged store is moved aside (not deleted: it may hold added documents) and rebuilt."""
    damaged = Path(path).with_name(f"{Path(path).name}.damaged-{time.strftime('%Y%m%d-%H%M%S')}")
    log.warning("%s; moving it to %s and rebuilding", error, damaged)
    shutil.move(str(path), str(damaged))
    return None
