"""The dense index: clauses → sentence-transformers embeddings → a Chroma persistent store."""

from .store import ClauseStore, StoreManifest, build_store, open_store

__all__ = ["ClauseStore", "StoreManifest", "build_store", "open_store"]
