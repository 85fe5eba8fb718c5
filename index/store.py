"""The library store: clause embeddings in Chroma, built as immutable generations.

A build writes a complete new generation beside the current one, then switches ``CURRENT``
to it atomically: readers keep answering from the old generation during a build and never
see a half-written one. A document whose passages did not change is copied from the current
generation rather than embedded again, so adding one document to a large library only embeds
that document.

    >>> from pathlib import Path
    >>> from assistant.records import Clause, ClauseKind, Document
    >>> text = "到2025年，普惠性幼儿园覆盖率达到85%。"
    >>> plan = StoreDocument.from_text("plan", "data/plan.md", "corpus", text)
    >>> clause = Clause("1", Document(id="plan", title="方案"), ClauseKind.PARAGRAPH, ("发展目标",), text)
    >>> store = build_generation(Path("/tmp/library"), [(plan, [clause])], "use-multilingual-v3")
    >>> store.generation == current_generation(Path("/tmp/library"))
    True
    >>> [document.id for document in open_current(Path("/tmp/library")).documents()]
    ['plan']

Layout under the store directory::

    CURRENT              the current generation's name ("gen-7"), replaced atomically
    .lock                writer lock (flock): one build at a time; readers never take it
    gen-7/               a complete Chroma persistent directory, plus
        manifest.json    model, dimension, passage size, format, and one entry per document
        texts/<id>.txt   each document's extracted text
    gen-6/               the previous generation, kept for readers that still hold it

With a Chroma server (``chroma_url``, from ASSISTANT_CHROMA_URL) a generation's vectors are a
collection on the server instead, ``library-<fingerprint>-gen-7``, named in its manifest; the
manifest, the texts and CURRENT stay here, so generations are built, switched and collected as
above, a collection dropped with its directory. When the server cannot be reached, searches
raise :class:`StoreUnavailable` (answers go on without them) and skip the server for
``RETRY_SECONDS`` before trying it again.

Chroma is never given an embedding function of its own (its default downloads a model):
every vector comes from our embedder.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import socket
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Collection, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, fields
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

import numpy as np
from threadpoolctl import threadpool_limits
from tqdm import tqdm

from assistant.embeddings import load_embedder
from assistant.records import Clause
from assistant.settings import USE_MODEL
from assistant.text import to_simplified

COLLECTION = "clauses"
CURRENT = "CURRENT"
LOCK = ".lock"
MANIFEST = "manifest.json"
TEXTS = "texts"
CHROMA_DATABASE = "chroma.sqlite3"
# Bump when the layout of a generation changes, so older stores are rebuilt, not misread.
FORMAT_VERSION = 2
ORIGINS = ("corpus", "added")
# USE multilingual v3 reads about 0.8 sentencepiece tokens per Chinese character: 256
# characters stay near 200 tokens, well inside what the model summarises well.
PASSAGE_CHARS = 256
# Passages per encode call: small enough to share out among worker threads and bound memory,
# large enough that the embedders' own batching is efficient.
ENCODE_CHUNK = 256
REBUILD_HINT = "rebuild it with `python -m assistant index`"
# A Chroma server that has not answered a search within this long is taken as down (a refused
# connection is noticed at once): answers go on without its vectors rather than wait.
ANSWER_TIMEOUT_SECONDS = 1.0
# Builds write thousands of vectors a request: they wait longer for an answer, though not to connect.
BUILD_TIMEOUT_SECONDS = 60.0
# After a failure the server is skipped this long (answers do not wait for it), then one request tries it.
RETRY_SECONDS = 3.0
HEARTBEAT_PATH = "/api/v2/heartbeat"
# What a proxy in front of the server (TLS, several app hosts) answers while the server is down.
GATEWAY_DOWN = frozenset({502, 503, 504})

T = TypeVar("T")

_GENERATION = re.compile(r"gen-(\d+)")
_SENTENCE_END = re.compile(r"(?<=[。！？；!?;\n])")
_COMMA = re.compile(r"(?<=[，、,：:])")
# Document ids name files (texts/<id>.txt) and prefix clause keys ("id/clause").
_DOCUMENT_ID = re.compile(r"[^./\\\x00][^/\\\x00]*")


class StoreError(Exception):
    """A build or an open that cannot go ahead; the message is one sentence for the user."""


class StoreCorrupted(StoreError):
    """The store on disk is damaged: rebuilding it is the fix."""


class StoreUnavailable(StoreError):
    """The Chroma server holding the vectors cannot be reached: nothing is damaged, it may come back."""


@dataclass(frozen=True)
class StoreDocument:
    """A document as given to a build."""

    id: str          # stable document id (file stem)
    source: str      # path it was read from
    origin: str      # "corpus" (from configuration) or "added" (docs add)
    text: str        # extracted text the clauses were parsed from, kept so the library reloads without the file
    sha256: str      # of text

    @classmethod
    def from_text(cls, id: str, source: str, origin: str, text: str) -> "StoreDocument":
        return cls(id, source, origin, text, text_sha256(text))


@dataclass(frozen=True)
class StoredDocumentInfo:
    """A document as recorded in a generation's manifest."""

    id: str
    source: str
    origin: str
    sha256: str            # of the extracted text
    clauses: int
    passages: int
    added_at: str          # ISO 8601 UTC: when this id first entered the library
    passages_sha256: str   # of the passages embedded (ids and texts): unchanged means reusable vectors


@dataclass(frozen=True)
class StoreManifest:
    model: str
    dimension: int
    passage_chars: int
    documents: tuple[StoredDocumentInfo, ...]
    embedded_passages: int = 0     # embedded by the build that wrote it; the rest were copied
    build_seconds: float = 0.0
    format_version: int = FORMAT_VERSION
    # Set when the vectors are on a Chroma server: the address it was built with (ASSISTANT_CHROMA_URL,
    # when set, is used instead) and the collection; unset, they are in the generation's directory.
    chroma_url: str | None = None
    chroma_collection: str | None = None

    @property
    def clauses(self) -> int:
        return sum(document.clauses for document in self.documents)

    @property
    def passages(self) -> int:
        return sum(document.passages for document in self.documents)

    def document(self, document_id: str) -> StoredDocumentInfo | None:
        return next((document for document in self.documents if document.id == document_id), None)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2)

    @classmethod
    def from_json(cls, text: str) -> "StoreManifest":
        """Raises ValueError, KeyError or TypeError when ``text`` is not a manifest."""
        data = json.loads(text)
        if not isinstance(data, dict) or not isinstance(data.get("documents"), list):
            raise ValueError("not a manifest object")
        documents = tuple(_typed(StoredDocumentInfo, entry) for entry in data.pop("documents"))
        return _typed(cls, {**data, "documents": documents})


_FIELD_TYPES = {"str": str, "int": int, "float": (int, float), "str | None": (str, type(None))}


def _typed(cls, data: dict):
    """``cls(**data)``, checking the scalar fields' types (a manifest is read from disk)."""
    if not isinstance(data, dict):
        raise TypeError(f"{cls.__name__} entry is not an object")
    instance = cls(**data)
    for field in fields(cls):
        expected = _FIELD_TYPES.get(field.type)
        if expected and not isinstance(getattr(instance, field.name), expected):
            raise TypeError(f"{cls.__name__}.{field.name} is not {field.type}")
    return instance


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def clause_key(clause: Clause) -> str:
    return f"{clause.document.id}/{clause.id}"


def embedding_text(clause: Clause) -> str:
    """What the embedder sees: heading path and text, simplified characters."""
    return to_simplified(f"{clause.section}\n{clause.text}")


def passages(text: str, max_chars: int) -> list[str]:
    """``text`` cut into passages of at most ``max_chars`` characters.

    Whole sentences (。！？；) are packed together; a sentence too long for one passage is cut
    at commas, and a comma-free run still too long every ``max_chars`` characters.

    >>> passages("第一句。第二句，很长的第二句。", 8)
    ['第一句。第二句，', '很长的第二句。']
    """
    if max_chars < 1:
        raise ValueError(f"max_chars must be at least 1, not {max_chars}")
    pieces = [piece for sentence in _split(text, _SENTENCE_END) for piece in _fitted(sentence, max_chars)]
    return _packed(pieces, max_chars)


def _split(text: str, boundary: re.Pattern) -> list[str]:
    return [piece for piece in boundary.split(text) if piece]


def _fitted(sentence: str, max_chars: int) -> list[str]:
    if len(sentence) <= max_chars:
        return [sentence]
    return [sentence_part[start:start + max_chars]
            for sentence_part in _split(sentence, _COMMA)
            for start in range(0, len(sentence_part), max_chars)]


def _packed(pieces: list[str], max_chars: int) -> list[str]:
    packed: list[str] = []
    current = ""
    for piece in pieces:
        if len(current) + len(piece) > max_chars:
            packed.append(current)
            current = ""
        current += piece
    packed.append(current)
    return [passage.strip() for passage in packed if passage.strip()]


class _Passage(NamedTuple):
    document: str
    clause_id: str
    number: int
    text: str

    @property
    def id(self) -> str:
        return f"{self.document}/{self.clause_id}#{self.number}"

    @property
    def metadata(self) -> dict:
        return {"document": self.document, "clause_id": self.clause_id, "passage": self.number}


@dataclass(frozen=True)
class _PlannedDocument:
    """A document ready to store: its passages and their fingerprint."""

    document: StoreDocument
    clauses: int
    passages: tuple[_Passage, ...]

    @property
    def passages_sha256(self) -> str:
        return _fingerprint(self.passages)


def _fingerprint(passages: Sequence[_Passage]) -> str:
    digest = hashlib.sha256()
    for passage in passages:
        digest.update(f"{passage.id}\x00{passage.text}\x01".encode("utf-8"))
    return digest.hexdigest()


def passages_sha256(document_id: str, clauses: Sequence[Clause], passage_chars: int = PASSAGE_CHARS) -> str:
    """The fingerprint a document's clauses get in a store: when a stored document's differs (the
    parser now reads its text otherwise), its vectors no longer match its clauses."""
    return _fingerprint(_passages_of(document_id, clauses, passage_chars))


def _plan(documents: Sequence[tuple[StoreDocument, Sequence[Clause]]], passage_chars: int) -> list[_PlannedDocument]:
    if not documents:
        raise StoreError("there are no documents to index; a library needs at least one")
    seen: set[str] = set()
    planned = []
    for document, clauses in documents:
        _check_document(document, seen)
        seen.add(document.id)
        planned.append(_PlannedDocument(document, len(clauses), _passages_of(document.id, clauses, passage_chars)))
    if not any(document.passages for document in planned):
        raise StoreError("the documents have no clauses to index")
    return planned


def _check_document(document: StoreDocument, seen: set[str]) -> None:
    if document.id in seen:
        raise StoreError(f"document id {document.id!r} is given twice; every document needs its own id")
    if not _DOCUMENT_ID.fullmatch(document.id):
        raise StoreError(f"document id {document.id!r} cannot name a file; use a plain file stem")
    if document.origin not in ORIGINS:
        raise StoreError(f"document {document.id!r} has origin {document.origin!r}; "
                         f"it must be one of {', '.join(ORIGINS)}")
    if document.sha256 != text_sha256(document.text):
        raise StoreError(f"the sha256 given for document {document.id!r} does not match its text")


def _passages_of(document_id: str, clauses: Sequence[Clause], passage_chars: int) -> tuple[_Passage, ...]:
    clause_ids: set[str] = set()
    found = []
    for clause in clauses:
        if clause.document.id != document_id:
            raise StoreError(f"clause {clause_key(clause)!r} was given with document {document_id!r}")
        if clause.id in clause_ids:
            raise StoreError(f"clause id {clause.id!r} appears twice in document {document_id!r}")
        clause_ids.add(clause.id)
        found += [_Passage(document_id, clause.id, number, text)
                  for number, text in enumerate(passages(embedding_text(clause), passage_chars))]
    return tuple(found)


# ---------------------------------------------------------------------------------------------
# Reading


def _client(directory: Path):
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    return chromadb.PersistentClient(path=str(directory), settings=ChromaSettings(anonymized_telemetry=False))


PASSAGE_MARGIN = 8
# A search in this many documents or fewer scores their passages exactly, from vectors read once and kept.
EXACT_SEARCH_DOCUMENTS = 8
# About 60 MiB of vectors (512 dimensions): a few hundred documents' worth.
CACHED_PASSAGES = 30_000
# Beyond this many nearest passages an index search over everything costs more than Chroma's own filter.
MAX_UNFILTERED = 4_000


def _damaged(path: Path, what: str) -> StoreCorrupted:
    return StoreCorrupted(f"the library store at {path} is damaged ({what}); {REBUILD_HINT}")


def _http_client(url: str, timeout_seconds: float):
    """A Chroma client for the server at ``url`` whose requests give up after ``timeout_seconds``
    (connecting, after ANSWER_TIMEOUT_SECONDS); StoreUnavailable when the server does not answer.

    chromadb 1.x gives its HTTP session no timeout (chroma-core/chroma#5805) and calls the server
    while it builds the client, so a heartbeat with a short timeout goes first: a dead or hung
    server fails it in a second instead of hanging the constructor. The session's timeout is set
    right after, and a proxy's "server down" raised as the HTTP error it is (chromadb would turn
    it into a bare Exception, indistinguishable from a failed search).
    """
    import chromadb
    import httpx
    from chromadb.config import Settings as ChromaSettings

    try:
        httpx.get(url + HEARTBEAT_PATH, timeout=ANSWER_TIMEOUT_SECONDS).raise_for_status()
        client = chromadb.HttpClient(host=url, settings=ChromaSettings(anonymized_telemetry=False))
    except (httpx.HTTPError, ValueError) as error:   # ValueError: chromadb's own "Could not connect"
        raise StoreUnavailable(_unreachable(url, error)) from error
    session = client._server._session
    session.timeout = httpx.Timeout(timeout_seconds, connect=ANSWER_TIMEOUT_SECONDS)
    session.event_hooks["response"].append(_raise_if_gateway_down)
    return client


def _raise_if_gateway_down(response) -> None:
    if response.status_code in GATEWAY_DOWN:
        response.raise_for_status()


def _unreachable(url: str, error: Exception) -> str:
    import httpx

    if isinstance(error, httpx.HTTPStatusError):   # its own text runs over lines, with a link to the status
        reason = f"HTTP {error.response.status_code} {error.response.reason_phrase}"
    else:
        reason = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    return f"the Chroma server at {url} cannot be reached ({reason})"


class _Server:
    """A Chroma server as this process reaches it: one client with short timeouts, behind a circuit breaker.

    Every generation opened on the server shares it, so after a failure every search skips the
    server at once for RETRY_SECONDS instead of each waiting for a timeout; then one request
    tries it again (the others keep skipping it until that one succeeds).
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self._client = None
        self._connecting = threading.Lock()
        self._lock = threading.Lock()
        self._failure: str | None = None     # why the last request failed; None while the server answers
        self._retry_at = 0.0                 # time.monotonic() before which it is not tried again

    def call(self, operation: Callable[[], T]) -> T:
        """``operation()``, which talks to the server; StoreUnavailable when it cannot be reached or
        failed a moment ago."""
        import httpx

        with self._lock:
            if self._failure is not None:
                if time.monotonic() < self._retry_at:
                    raise StoreUnavailable(self._failure)
                self._retry_at = time.monotonic() + RETRY_SECONDS   # this request tries it; others skip
        try:
            result = operation()
        except (httpx.TransportError, httpx.HTTPStatusError, StoreUnavailable) as error:
            raise StoreUnavailable(self._trip(error)) from error
        except Exception:
            self._failure = None   # it answered, if with an error of another kind
            raise
        self._failure = None
        return result

    def client(self):
        """The client, connected on first use: call it within :meth:`call`."""
        with self._connecting:
            if self._client is None:
                self._client = _http_client(self.url, ANSWER_TIMEOUT_SECONDS)
            return self._client

    def unreachable(self) -> str | None:
        """Why the server cannot be reached, or None when it answers a heartbeat (not asked while skipped)."""
        try:
            self.call(lambda: self.client().heartbeat())
        except StoreUnavailable as error:
            return str(error)
        return None

    def _trip(self, error: Exception) -> str:
        failure = str(error) if isinstance(error, StoreUnavailable) else _unreachable(self.url, error)
        with self._lock:
            self._failure = failure
            self._retry_at = time.monotonic() + RETRY_SECONDS
        return failure


_servers: dict[str, _Server] = {}
_servers_lock = threading.Lock()


def _server(url: str) -> _Server:
    """The process's one connection to the server at ``url``."""
    with _servers_lock:
        if url not in _servers:
            _servers[url] = _Server(url)
        return _servers[url]


class ClauseStore:
    """One opened generation, immutable: nearest clauses to a query vector, and the documents' texts.

    Opening checks the generation as a reader would use it (manifest, texts, vector count, one
    query), so damage shows up here as :class:`StoreCorrupted`, not mid-answer. A generation
    whose vectors are on a Chroma server is read from ``chroma_url`` if given, else from the
    address it was built with; that server being down is :class:`StoreUnavailable`.
    """

    def __init__(self, path: Path, generation: str, chroma_url: str | None = None) -> None:
        self.path = Path(path)
        self.generation = generation
        self.directory = self.path / generation
        if not self.directory.is_dir():
            raise _damaged(self.path, f"{CURRENT} names {generation}, which does not exist")
        self.manifest = self._read_manifest()
        self._check_texts()
        on_server = self.manifest.chroma_collection is not None
        self._server = _server(chroma_url or self.manifest.chroma_url) if on_server else None
        self._client, self._collection = self._open_collection()
        self._vectors: OrderedDict[str, tuple[list[str], np.ndarray]] = OrderedDict()
        self._vectors_lock = threading.Lock()
        self._cached_passages = 0

    def nearest(self, vector: np.ndarray, k: int,
                documents: Collection[str] | None = None) -> list[tuple[str, float]]:
        """(clause key ``document_id/clause_id``, cosine similarity), best first, one entry per clause.

        A clause split into passages scores as its best passage. ``documents`` limits the search
        to those document ids. StoreUnavailable when the vectors' Chroma server cannot be reached.
        """
        query = np.asarray(vector, dtype=np.float32).reshape(-1)
        if query.shape[0] != self.manifest.dimension:
            raise ValueError(f"query vector has {query.shape[0]} dimensions; the store has {self.manifest.dimension}")
        pool = self._passage_count(documents)
        if k <= 0 or pool == 0:
            return []
        if documents is not None and len(set(documents)) <= EXACT_SEARCH_DOCUMENTS:
            return self._exact_nearest(query, k, sorted(set(documents)))
        scope = None if documents is None else set(documents)
        # Chroma's own filter (where=) is slow on a large library (40 ms for one document of 500):
        # the whole index is searched for enough passages that k of the wanted documents' are among them.
        # Several passages may belong to one clause (about 1.1 on average): ask for a few more than k
        # and widen until k clauses are found.
        wanted = min(self.manifest.passages, (k + k // 2 + PASSAGE_MARGIN) * self.manifest.passages // pool)
        while wanted <= MAX_UNFILTERED:
            best = [(key, similarity) for key, similarity in self._best_per_clause(query, wanted)
                    if scope is None or key.split("/", 1)[0] in scope]
            if len(best) >= k or wanted == self.manifest.passages:
                return best[:k]
            wanted = min(self.manifest.passages, 2 * wanted)
        where = {"document": {"$in": sorted(scope)}} if scope is not None else None
        wanted = min(pool, k + k // 2 + PASSAGE_MARGIN)
        while True:
            best = self._best_per_clause(query, wanted, where)
            if len(best) >= k or wanted == pool:
                return best[:k]
            wanted = min(pool, 2 * wanted)

    def _exact_nearest(self, query: np.ndarray, k: int, documents: list[str]) -> list[tuple[str, float]]:
        """Every passage of a few documents scored: exact, and far faster than a filtered index search."""
        matrices = [self._document_vectors(document_id) for document_id in documents]
        ids = [passage_id for passage_ids, _ in matrices for passage_id in passage_ids]
        if not ids:
            return []
        query = query / max(float(np.linalg.norm(query)), 1e-12)
        unit = np.concatenate([vectors for _, vectors in matrices]) @ query
        best: dict[str, float] = {}
        for index in np.argsort(-unit, kind="stable"):
            best.setdefault(ids[index].rsplit("#", 1)[0], float(unit[index]))
            if len(best) >= k:
                break
        return list(best.items())

    def _document_vectors(self, document_id: str) -> tuple[list[str], np.ndarray]:
        """A document's passage ids and unit-length vectors, kept for the next question (least recently
        used documents dropped beyond CACHED_PASSAGES)."""
        with self._vectors_lock:
            if document_id in self._vectors:
                self._vectors.move_to_end(document_id)
                return self._vectors[document_id]
        stored = self._read(lambda: self._collection.get(where={"document": document_id}, include=["embeddings"]),
                            f"read the vectors of {document_id!r}")
        vectors = np.asarray(stored["embeddings"], dtype=np.float32).reshape(len(stored["ids"]),
                                                                             self.manifest.dimension)
        vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
        entry = (list(stored["ids"]), vectors)
        with self._vectors_lock:
            if document_id in self._vectors:   # read meanwhile by another thread
                return self._vectors[document_id]
            self._vectors[document_id] = entry
            self._cached_passages += len(entry[0])
            while self._cached_passages > CACHED_PASSAGES and len(self._vectors) > 1:
                _, (dropped, _) = self._vectors.popitem(last=False)
                self._cached_passages -= len(dropped)
        return entry

    def documents(self) -> list[StoredDocumentInfo]:
        return list(self.manifest.documents)

    def text(self, document_id: str) -> str:
        """The stored extracted text of a document."""
        info = self.manifest.document(document_id)
        if info is None:
            raise StoreError(f"the library has no document {document_id!r}")
        try:
            text = self._text_path(document_id).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise _damaged(self.path, f"the text of {document_id!r} cannot be read") from error
        if text_sha256(text) != info.sha256:
            raise _damaged(self.path, f"the text of {document_id!r} does not match its manifest entry")
        return text

    @property
    def on_server(self) -> bool:
        return self._server is not None

    @property
    def vector_location(self) -> str:
        """Where the vectors are: "local", or the server's address and the collection."""
        return f"{self._server.url} ({self.manifest.chroma_collection})" if self._server else "local"

    def unreachable(self) -> str | None:
        """Why the vectors cannot be searched now (their server is down), or None."""
        return self._server.unreachable() if self._server else None

    def close(self) -> None:
        """Release Chroma's hold on the directory (it caches one open system per path). A server's
        client is the process's, shared with the other generations on it, and stays open."""
        if self._client is not None:
            self._client.close()

    def _call(self, operation: Callable[[], T]) -> T:
        """``operation()`` on the vectors; on a server, through its circuit breaker."""
        return self._server.call(operation) if self._server else operation()

    def _read_manifest(self) -> StoreManifest:
        try:
            manifest = StoreManifest.from_json((self.directory / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise _damaged(self.path, f"{self.generation}/{MANIFEST} cannot be read") from error
        if manifest.format_version != FORMAT_VERSION:
            raise _damaged(self.path, f"{self.generation} was written in format {manifest.format_version}, "
                                      f"not {FORMAT_VERSION}")
        return manifest

    def _check_texts(self) -> None:
        missing = [document.id for document in self.manifest.documents if not self._text_path(document.id).is_file()]
        if missing:
            raise _damaged(self.path, f"the text of {missing[0]!r} is missing")

    def _text_path(self, document_id: str) -> Path:
        return self.directory / TEXTS / f"{document_id}.txt"

    def _open_collection(self):
        if self._server is not None:
            return None, self._open_server_collection()
        # Checked first: Chroma would quietly create an empty database in its place.
        if not (self.directory / CHROMA_DATABASE).is_file():
            raise _damaged(self.path, f"{self.generation}/{CHROMA_DATABASE} is missing")
        client = None
        try:
            client = _client(self.directory)
            collection = client.get_collection(COLLECTION, embedding_function=None)
            self._check_vectors(collection)
        except StoreCorrupted:
            client.close()
            raise
        except Exception as error:
            if client is not None:
                client.close()
            raise _damaged(self.path, f"Chroma cannot read {self.generation}: {error}") from error
        return client, collection

    def _open_server_collection(self):
        """The generation's collection on its server. A server that is down is StoreUnavailable, not
        damage: the store must not be set aside and rebuilt for that."""
        from chromadb.errors import NotFoundError

        name = self.manifest.chroma_collection
        try:
            collection = self._call(lambda: self._server.client().get_collection(name, embedding_function=None))
            self._check_vectors(collection)
        except StoreError:
            raise
        except NotFoundError:
            raise _damaged(self.path, f"the Chroma server at {self._server.url} has no collection {name} "
                                      f"for {self.generation}") from None
        except Exception as error:
            raise _damaged(self.path, f"Chroma cannot read {self.generation}: {error}") from error
        return collection

    def _check_vectors(self, collection) -> None:
        """The vector count matches the manifest, and a stored vector finds itself."""
        count = self._call(collection.count)
        if count != self.manifest.passages:
            raise _damaged(self.path, f"{self.generation} holds {count} vectors; its manifest lists "
                                      f"{self.manifest.passages}")
        if count:
            probe = self._call(lambda: collection.get(limit=1, include=["embeddings"]))["embeddings"][0]
            found = self._call(lambda: collection.query(query_embeddings=[probe], n_results=1,
                                                        include=["distances"]))
            if not found["distances"][0] or found["distances"][0][0] > 1e-3:
                raise _damaged(self.path, f"the vector index of {self.generation} does not find its own vectors")

    def _passage_count(self, documents: Collection[str] | None) -> int:
        if documents is None:
            return self.manifest.passages
        return sum(info.passages for info in self.manifest.documents if info.id in documents)

    def _best_per_clause(self, query: np.ndarray, wanted: int, where: dict | None = None) -> list[tuple[str, float]]:
        # Only distances: a passage's id names its clause, and fetching metadata costs more than the search.
        result = self._read(lambda: self._collection.query(query_embeddings=[query], n_results=wanted, where=where,
                                                           include=["distances"]), f"search {self.generation}")
        best: dict[str, float] = {}
        # Results come best first, so a clause's first passage is its best.
        for passage_id, distance in zip(result["ids"][0], result["distances"][0]):
            best.setdefault(passage_id.rsplit("#", 1)[0], 1.0 - float(distance))
        return list(best.items())

    def _stored_passages(self, document_id: str) -> dict:
        """Every passage of one document: ids, embeddings, metadatas, documents (for reuse)."""
        return self._call(lambda: self._collection.get(where={"document": document_id},
                                                       include=["embeddings", "metadatas", "documents"]))

    def _read(self, operation: Callable[[], T], what: str) -> T:
        """``operation()`` on the vectors for a question (through :meth:`_call`): a server that is down is
        StoreUnavailable, any other failure damage."""
        try:
            return self._call(operation)
        except StoreUnavailable:
            raise
        except Exception as error:
            raise _damaged(self.path, f"Chroma cannot {what}: {error}") from error


def current_generation(path: Path) -> str | None:
    """The current generation's name, or None when none was built. Cheap: reads one small file."""
    path = Path(path)
    try:
        name = (path / CURRENT).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as error:
        raise _damaged(path, f"{CURRENT} cannot be read") from error
    if not _GENERATION.fullmatch(name):
        raise _damaged(path, f"{CURRENT} does not name a generation")
    return name


def open_current(path: Path, chroma_url: str | None = None) -> ClauseStore | None:
    """The current generation, or None when none was built; StoreCorrupted when it is damaged,
    StoreUnavailable when its Chroma server (``chroma_url``, else the one it was built with) is down."""
    path = Path(path)
    generation = current_generation(path)
    if generation is None:
        return None
    try:
        return ClauseStore(path, generation, chroma_url)
    except StoreCorrupted:
        # Builds may have switched generations, and collected this one, while we opened it.
        if current_generation(path) == generation:
            raise
        return open_current(path, chroma_url)


# ---------------------------------------------------------------------------------------------
# Building


def build_generation(path: Path, documents: Sequence[tuple[StoreDocument, Sequence[Clause]]], model_name: str,
                     show_progress: bool = False, passage_chars: int = PASSAGE_CHARS,
                     chroma_url: str | None = None) -> ClauseStore:
    """Build a new generation holding exactly ``documents``, make it current and return it open.

    Documents whose passages are unchanged since the current generation (same model) get their
    vectors copied, wherever the two generations keep them; only the others are embedded. With
    ``chroma_url`` the vectors go to a collection on that Chroma server, else into the generation's
    directory. On any failure, interruption included, the new generation is removed, the current
    one stays current, and a StoreError is raised.
    """
    started = time.perf_counter()
    path = Path(path)
    planned = _plan(documents, passage_chars)
    path.mkdir(parents=True, exist_ok=True)
    with _writer_lock(path):
        previous_name = _current_name(path)
        _remove_generations(path, _generations_up_to(path, previous_name), chroma_url)
        generation = _next_generation(path)
        remote = _ServerCollection(chroma_url, _collection_name(path, generation)) if chroma_url else None
        store = _build_aside(path, generation, planned, model_name, passage_chars, show_progress, started, remote)
        _switch_current(path, generation)
        # Keep the previous generation: a reader may still be querying it.
        _remove_generations(path, {generation, previous_name}, chroma_url)
    return store


class _ServerCollection(NamedTuple):
    """A generation's vectors on a Chroma server: the server's address and the collection's name."""

    url: str
    name: str


def _collection_name(path: Path, generation: str) -> str:
    """``library-<fingerprint>-gen-7``: the fingerprint, of this machine's name and the store's absolute
    path, keeps the generations of two stores that share one server apart."""
    where = f"{socket.gethostname()}:{Path(path).resolve()}"
    return f"library-{hashlib.sha256(where.encode('utf-8')).hexdigest()[:16]}-{generation}"


@contextmanager
def _writer_lock(path: Path) -> Iterator[None]:
    with open(path / LOCK, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise StoreError(f"another build of the library store at {path} is running; "
                             "try again when it has finished") from None
        yield


def _current_name(path: Path) -> str | None:
    try:
        return current_generation(path)
    except StoreCorrupted:
        return None


def _generations(path: Path) -> dict[str, int]:
    return {entry.name: int(match.group(1)) for entry in path.iterdir()
            if entry.is_dir() and (match := _GENERATION.fullmatch(entry.name))}


def _generations_up_to(path: Path, current: str | None) -> set[str]:
    """Generations no newer than ``current``: the others are leftovers of interrupted builds."""
    if current is None:
        return set()
    limit = int(_GENERATION.fullmatch(current).group(1))
    return {name for name, number in _generations(path).items() if number <= limit}


def _remove_generations(path: Path, keep: set[str | None], chroma_url: str | None) -> None:
    for name in _generations(path):
        if name not in keep:
            _remove_generation(path, name, chroma_url)


def _remove_generation(path: Path, name: str, chroma_url: str | None) -> None:
    """Remove a generation's directory, and first its collection if it has one on a Chroma server. When
    the server cannot drop it, the directory stays, so that a later build tries again."""
    remote = _remote_of(path, name, chroma_url)
    if remote is not None:
        try:
            _drop_collection(remote)
        except Exception:   # best effort, as for the directory: the next build tries again
            return
    shutil.rmtree(path / name, ignore_errors=True)


def _remote_of(path: Path, name: str, chroma_url: str | None) -> _ServerCollection | None:
    """A generation's collection on a server, as its manifest names it (on ``chroma_url`` when given);
    for a build that stopped before writing its manifest, the one it would have made on ``chroma_url``."""
    try:
        manifest = StoreManifest.from_json((path / name / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, TypeError):
        return _ServerCollection(chroma_url, _collection_name(path, name)) if chroma_url else None
    if manifest.chroma_collection is None:
        return None
    return _ServerCollection(chroma_url or manifest.chroma_url, manifest.chroma_collection)


def _drop_collection(remote: _ServerCollection) -> None:
    client = _http_client(remote.url, BUILD_TIMEOUT_SECONDS)
    try:
        _drop_if_present(client, remote.name)
    finally:
        client.close()


def _drop_if_present(client: Any, name: str) -> None:
    from chromadb.errors import NotFoundError

    try:
        client.delete_collection(name)
    except NotFoundError:
        pass


def _next_generation(path: Path) -> str:
    return f"gen-{max(_generations(path).values(), default=0) + 1}"


def _build_aside(path: Path, generation: str, planned: list[_PlannedDocument], model_name: str,
                 passage_chars: int, show_progress: bool, started: float,
                 remote: _ServerCollection | None) -> ClauseStore:
    """Write, open and sync the new generation; remove it again if anything fails."""
    directory = path / generation
    chroma_url = remote.url if remote else None
    store = None
    try:
        previous = _open_for_reuse(path, chroma_url)
        try:
            _write_generation(directory, planned, model_name, passage_chars, previous, show_progress, started,
                              remote)
        finally:
            if previous is not None:
                previous.close()
        store = ClauseStore(path, generation, chroma_url)   # opened as a reader would: proves it complete
        _fsync_tree(directory)
        return store
    except (Exception, KeyboardInterrupt) as error:
        if store is not None:
            store.close()
        _remove_generation(path, generation, chroma_url)
        if isinstance(error, StoreError):
            raise
        reason = "it was interrupted" if isinstance(error, KeyboardInterrupt) else str(error) or type(error).__name__
        raise StoreError(f"building the library store at {path} failed ({reason}); "
                         "the previous library is still in use") from error


def _open_for_reuse(path: Path, chroma_url: str | None) -> ClauseStore | None:
    """The current generation to copy vectors from; None (embed everything) when absent, damaged or
    on a server that cannot be reached."""
    try:
        return open_current(path, chroma_url)
    except (StoreCorrupted, StoreUnavailable):
        return None


def _write_generation(directory: Path, planned: list[_PlannedDocument], model_name: str, passage_chars: int,
                      previous: ClauseStore | None, show_progress: bool, started: float,
                      remote: _ServerCollection | None) -> None:
    directory.mkdir()
    (directory / TEXTS).mkdir()
    for item in planned:
        (directory / TEXTS / f"{item.document.id}.txt").write_text(item.document.text, encoding="utf-8")
    reusable = _reusable(planned, previous, model_name)
    client = _client(directory) if remote is None else _http_client(remote.url, BUILD_TIMEOUT_SECONDS)
    try:
        if remote is not None:
            # A collection of this name is a leftover of a build of this generation that failed.
            _drop_if_present(client, remote.name)
        collection = client.create_collection(remote.name if remote else COLLECTION, embedding_function=None,
                                              configuration={"hnsw": {"space": "cosine"}})
        writer = _BatchWriter(collection, client.get_max_batch_size())
        for document_id in reusable:
            writer.add(previous._stored_passages(document_id))
        fresh = [passage for item in planned if item.document.id not in reusable for passage in item.passages]
        dimension = _embed_into(writer, fresh, model_name, show_progress) or previous.manifest.dimension
        writer.flush()
    finally:
        client.close()
    manifest = StoreManifest(
        model=model_name, dimension=dimension, passage_chars=passage_chars,
        documents=tuple(_document_info(item, previous) for item in planned),
        embedded_passages=len(fresh), build_seconds=round(time.perf_counter() - started, 3),
        chroma_url=remote.url if remote else None, chroma_collection=remote.name if remote else None)
    (directory / MANIFEST).write_text(manifest.to_json(), encoding="utf-8")


def _reusable(planned: list[_PlannedDocument], previous: ClauseStore | None, model_name: str) -> set[str]:
    """Ids of the documents whose vectors the previous generation holds: same model, same passages."""
    if previous is None or previous.manifest.model != model_name:
        return set()
    return {item.document.id for item in planned
            if (stored := previous.manifest.document(item.document.id)) is not None
            and stored.passages_sha256 == item.passages_sha256}


def _document_info(item: _PlannedDocument, previous: ClauseStore | None) -> StoredDocumentInfo:
    stored = previous.manifest.document(item.document.id) if previous is not None else None
    added_at = stored.added_at if stored is not None else datetime.now(timezone.utc).isoformat(timespec="seconds")
    return StoredDocumentInfo(
        id=item.document.id, source=item.document.source, origin=item.document.origin,
        sha256=item.document.sha256, clauses=item.clauses, passages=len(item.passages),
        added_at=added_at, passages_sha256=item.passages_sha256)


def _embed_into(writer: "_BatchWriter", fresh: list[_Passage], model_name: str, show_progress: bool) -> int | None:
    """Embed ``fresh`` passages into the writer; the vectors' dimension, or None when there were none."""
    if not fresh:
        return None   # the model is not even loaded: nothing changed
    # The question-time embedder: the same vectors as the sentence-transformers model (checked by
    # tests/test_retrieval.py), and for USE it skips importing torch (~6 s of a build).
    embedder = load_embedder(model_name)
    # USE is single-threaded numpy, so it scales with threads (measured 2x on 2 cores);
    # torch models already use every core.
    workers = (os.cpu_count() or 1) if model_name == USE_MODEL else 1
    dimension = None
    with tqdm(total=len(fresh), unit="passage", desc="embedding", disable=not show_progress) as progress:
        for chunk, vectors in _encoded_chunks(embedder, fresh, workers):
            dimension = int(vectors.shape[1])
            writer.add({"ids": [passage.id for passage in chunk],
                        "embeddings": vectors,
                        "metadatas": [passage.metadata for passage in chunk],
                        "documents": [passage.text for passage in chunk]})
            progress.update(len(chunk))
    return dimension


def _encoded_chunks(embedder, fresh: list[_Passage], workers: int) -> Iterator[tuple[list[_Passage], np.ndarray]]:
    """Chunks of passages with their vectors, in order, encoded by ``workers`` threads.

    At most ``workers + 1`` chunks are in flight, so memory stays bounded and Chroma writes
    the finished chunks while the next ones are encoded.
    """
    def encode(chunk: list[_Passage]) -> np.ndarray:
        return np.asarray(embedder.encode([passage.text for passage in chunk]), dtype=np.float32)

    chunks = [fresh[start:start + ENCODE_CHUNK] for start in range(0, len(fresh), ENCODE_CHUNK)]
    in_flight: deque = deque()
    pool = ThreadPoolExecutor(max_workers=workers)
    # One BLAS thread per worker, set once around all of them: the embedder's own per-call limit
    # would otherwise be undone by whichever worker leaves it first, and BLAS threads competing
    # for the same cores run several times slower.
    try:
        with threadpool_limits(limits=1, user_api="blas"):
            for chunk in chunks:
                in_flight.append((chunk, pool.submit(encode, chunk)))
                if len(in_flight) > workers:
                    done, future = in_flight.popleft()
                    yield done, future.result()
            for done, future in in_flight:
                yield done, future.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


class _BatchWriter:
    """Adds records to a collection in batches no larger than Chroma accepts."""

    FIELDS = ("ids", "embeddings", "metadatas", "documents")

    def __init__(self, collection, max_batch: int) -> None:
        self.collection = collection
        self.max_batch = max_batch
        self.pending: dict[str, list] = {field: [] for field in self.FIELDS}

    def add(self, records: dict) -> None:
        for field in self.FIELDS:
            self.pending[field].extend(records[field])
        while len(self.pending["ids"]) >= self.max_batch:
            self._add(self.max_batch)

    def flush(self) -> None:
        if self.pending["ids"]:
            self._add(len(self.pending["ids"]))

    def _add(self, size: int) -> None:
        batch = {field: values[:size] for field, values in self.pending.items()}
        self.collection.add(ids=batch["ids"], embeddings=np.asarray(batch["embeddings"], dtype=np.float32),
                            metadatas=batch["metadatas"], documents=batch["documents"])
        self.pending = {field: values[size:] for field, values in self.pending.items()}


def _fsync_tree(directory: Path) -> None:
    for root, _, files in os.walk(directory):
        for name in files:
            descriptor = os.open(os.path.join(root, name), os.O_RDONLY)
            try:
                os.fsync(descriptor)
            finally:
                os.close(descriptor)
        _fsync_directory(Path(root))


def _fsync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _switch_current(path: Path, generation: str) -> None:
    """Point CURRENT at ``generation`` atomically: readers see the old name or the new, never half."""
    temporary = path / f"{CURRENT}.{os.getpid()}.tmp"
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.write(generation + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path / CURRENT)
    _fsync_directory(path)
