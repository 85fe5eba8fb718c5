"""The dense index: clauses → sentence-transformers embeddings → generations of a Chroma library store."""

from .store import (
    PASSAGE_CHARS,
    ClauseStore,
    StoreCorrupted,
    StoreDocument,
    StoredDocumentInfo,
    StoreError,
    StoreManifest,
    StoreUnavailable,
    build_generation,
    clause_key,
    current_generation,
    embedding_text,
    open_current,
    passages,
)

__all__ = ["PASSAGE_CHARS", "ClauseStore", "StoreCorrupted", "StoreDocument", "StoredDocumentInfo", "StoreError",
           "StoreManifest", "StoreUnavailable", "build_generation", "clause_key", "current_generation",
           "embedding_text", "open_current", "passages"]
