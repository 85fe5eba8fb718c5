"""Chroma store of clause embeddings, rebuilt when the clauses or the model change.

    >>> from assistant.settings import Settings
    >>> from assistant.parser import parse_policy_file
    >>> settings = Settings()
    >>> clauses = parse_policy_file(settings.corpus[0]).clauses
    >>> store = open_store(settings.store, clauses, settings.embedding_model)   # builds on first use
    >>> store.manifest.clauses == len(clauses)
    True

Chroma is never given an embedding function of its own (its default downloads a model):
every vector comes from our embedder.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from assistant.records import Clause
from assistant.text import to_simplified

COLLECTION = "clauses"
MANIFEST = "manifest.json"
# Bump when the text given to the embedder changes, so old stores are rebuilt.
FORMAT_VERSION = 1


@dataclass(frozen=True)
class StoreManifest:
    corpus_sha256: str
    model: str
    clauses: int
    dimension: int
    format_version: int = FORMAT_VERSION
    build_seconds: float = 0.0


def embedding_text(clause: Clause) -> str:
    """What the embedder sees: heading path and text, simplified characters."""
    return to_simplified(f"{clause.section}\n{clause.text}")


def corpus_fingerprint(clauses: list[Clause] | tuple[Clause, ...]) -> str:
    digest = hashlib.sha256()
    for clause in clauses:
        digest.update(f"{clause.document.id}\x00{clause.id}\x00{clause.section}\x00{clause.text}\x01".encode())
    return digest.hexdigest()


def _client(path: Path):
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    return chromadb.PersistentClient(path=str(path), settings=ChromaSettings(anonymized_telemetry=False))


def _read_manifest(path: Path) -> StoreManifest | None:
    try:
        return StoreManifest(**json.loads((path / MANIFEST).read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None


class ClauseStore:
    """A built store: nearest clauses to a query vector."""

    def __init__(self, path: Path, manifest: StoreManifest) -> None:
        self.path = path
        self.manifest = manifest
        self.collection = _client(path).get_collection(COLLECTION, embedding_function=None)

    def nearest(self, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        """(clause key, cosine similarity) pairs, best first; keys are ``document/clause id``."""
        result = self.collection.query(query_embeddings=[vector.astype(np.float32)], n_results=k,
                                       include=["distances"])
        return [(key, 1.0 - distance) for key, distance in zip(result["ids"][0], result["distances"][0])]


def clause_key(clause: Clause) -> str:
    return f"{clause.document.id}/{clause.id}"


def build_store(path: Path, clauses: list[Clause] | tuple[Clause, ...], model_name: str,
                show_progress: bool = False) -> ClauseStore:
    """(Re)build the store at ``path`` from exactly these clauses."""
    from assistant.embeddings import load_sentence_transformer

    started = time.perf_counter()
    model = load_sentence_transformer(model_name)
    vectors = model.encode([embedding_text(clause) for clause in clauses], batch_size=16,
                           normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=show_progress)
    path.mkdir(parents=True, exist_ok=True)
    client = _client(path)
    # Drop the old collection through the client (not by deleting files): Chroma caches an
    # open store per path within a process.
    if any(existing.name == COLLECTION for existing in client.list_collections()):
        client.delete_collection(COLLECTION)
    collection = client.create_collection(
        COLLECTION, embedding_function=None, configuration={"hnsw": {"space": "cosine"}})
    collection.add(
        ids=[clause_key(clause) for clause in clauses],
        embeddings=vectors.astype(np.float32),
        documents=[clause.text for clause in clauses],
        metadatas=[{"document": clause.document.id, "clause_id": clause.id, "section": clause.section}
                   for clause in clauses],
    )
    manifest = StoreManifest(corpus_sha256=corpus_fingerprint(clauses), model=model_name, clauses=len(clauses),
                             dimension=int(vectors.shape[1]),
                             build_seconds=round(time.perf_counter() - started, 3))
    (path / MANIFEST).write_text(json.dumps(asdict(manifest), ensure_ascii=False, indent=2), encoding="utf-8")
    return ClauseStore(path, manifest)


def open_store(path: Path, clauses: list[Clause] | tuple[Clause, ...], model_name: str,
               show_progress: bool = False) -> ClauseStore:
    """Open the store, building it first when it is missing or was built from other clauses or another model."""
    path = Path(path)
    manifest = _read_manifest(path)
    if (manifest is None or manifest.model != model_name or manifest.format_version != FORMAT_VERSION
            or manifest.corpus_sha256 != corpus_fingerprint(clauses)):
        return build_store(path, clauses, model_name, show_progress)
    return ClauseStore(path, manifest)
