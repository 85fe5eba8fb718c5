"""One web server: the JSON API (FastAPI) with the Gradio chat mounted at ``/``.

    >>> from assistant.web import create_app
    >>> app = create_app()            # starts loading the library in the background
    >>> # uvicorn.run(app, host="127.0.0.1", port=7860)   -- what ``python app.py`` does

Routes: ``POST /api/ask``, ``GET /api/documents``, ``GET /api/outline``, ``POST /api/feedback``,
``GET /api/duties`` and ``GET /api/targets`` (tables as JSON, CSV or XLSX), ``GET /clause/{document}/{id}``
(a clause's page), ``GET /healthz``, ``/docs``. The chat, the API and the CLI all answer through the same
:meth:`Assistant.ask`.

The assistant is held by an :class:`AssistantHolder`: it never answers from a half-built store, and
when ``python -m assistant index`` or ``docs add/remove`` makes a new store generation current, it
loads that generation in the background and swaps it in when ready; the old one answers meanwhile.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from importlib.resources import files
from typing import Annotated

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # no calls home from the server
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import anyio  # noqa: E402
from fastapi import FastAPI, Query, Request  # noqa: E402
from fastapi.exceptions import RequestValidationError  # noqa: E402
from fastapi.openapi.docs import get_swagger_ui_html  # noqa: E402
from fastapi.responses import HTMLResponse, JSONResponse  # noqa: E402
from fastapi.staticfiles import StaticFiles  # noqa: E402
from starlette.exceptions import HTTPException as StarletteHTTPException  # noqa: E402
import uvicorn  # noqa: E402
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol  # noqa: E402
from pydantic import BaseModel, Field  # noqa: E402

from index.store import StoreError, current_generation, open_current  # noqa: E402

from . import exports, pages, views  # noqa: E402
from .guard import RequestGuard  # noqa: E402
from .engine import Assistant, InvalidQuestion  # noqa: E402
from .feedback import FeedbackStore, FeedbackUnavailable, Rating  # noqa: E402
from .library import LibraryError  # noqa: E402
from .records import Library  # noqa: E402
from .retrieval import RetrievalMode  # noqa: E402
from .settings import Settings  # noqa: E402

log = logging.getLogger(__name__)

# How often (at most) a request makes the holder look for a new store generation; a watcher
# thread looks as often, so an idle server picks up a new library too.
CHECK_SECONDS = 1.0
# A replaced assistant's store is closed this long after the swap: requests that took it just
# before the swap finish first (answers take milliseconds).
CLOSE_AFTER_SECONDS = 30.0
# Connections that send nothing for this long are closed; more than MAX_CONNECTIONS at once get 503.
IDLE_SECONDS = 5
# Questions answered at the same time; the rest queue (see the /api/ask route).
ANSWER_THREADS = 2
MAX_CONNECTIONS = 512
# A request must arrive whole (head and body) this long after its first byte: one sent a byte at a time
# (slowloris) would otherwise hold its connection for ever.
REQUEST_SECONDS = 10
# Swagger UI's own files, served by the app: /docs must work with no request leaving the machine.
DOCS_ASSETS = "/docs-assets"


class AskRequest(BaseModel):
    question: str = Field(description="the question, in Chinese or English", examples=["谁负责学前教育？"])
    history: list[str] = Field(default_factory=list, max_length=50,
                               description="the user's earlier questions in this conversation, oldest first")
    document: str | None = Field(default=None, max_length=200,
                                 description="answer from this document only (an id from GET /api/documents); "
                                             "omitted or null: the whole library")


class FeedbackRequest(BaseModel):
    rating: Rating
    question: str = Field(min_length=1, max_length=4000)
    answer: str = Field(max_length=4000)
    citations: list[Annotated[str, Field(max_length=200)]] = Field(default_factory=list, max_length=100)
    refused: bool = False


class AssistantHolder:
    """Holds the assistant the server answers with, and swaps in a newer store generation when one appears.

    The first load runs in a thread so the server answers ``/healthz`` at once. Afterwards
    :meth:`get` (at most every ``check_seconds``) and a watcher thread compare the store's current
    generation, a cheap read of one small file, with the one served; a different one is opened
    and loaded with :meth:`Assistant.from_store` in a background thread and swapped in with one
    assignment when complete. A build in progress is never seen: the store switches generations
    only when the new one is complete.
    """

    def __init__(self, settings: Settings, mode: RetrievalMode = RetrievalMode.HYBRID,
                 check_seconds: float = CHECK_SECONDS, watch: bool = True,
                 load: Callable[[Settings, RetrievalMode], Assistant] | None = None) -> None:
        self.settings = settings
        self.mode = mode
        self.check_seconds = check_seconds
        self.started = time.perf_counter()
        self.seconds: float | None = None        # the first load's duration
        self.error: str | None = None            # why the first load failed
        self.reload_error: str | None = None     # why the last swap failed (the old assistant still answers)
        self.reloads = 0
        self._load = load or (lambda settings, mode: Assistant.load(settings, mode=mode))
        # Stores this holder opened (and so closes once replaced); one given by ``load`` is its caller's.
        self._owned: set[int] = set()
        self._owns_first = load is None
        self._assistant: Assistant | None = None
        self._ready = threading.Event()
        self._lock = threading.Lock()
        self._reloading = False
        self._last_check = 0.0
        self._failed_generation: str | None = None
        self._stopped = threading.Event()
        threading.Thread(target=self._first_load, name="assistant-loader", daemon=True).start()
        if watch:
            threading.Thread(target=self._watch, name="store-watcher", daemon=True).start()

    # ---------------------------------------------------------------- reading
    @property
    def ready(self) -> bool:
        return self._assistant is not None

    @property
    def generation(self) -> str | None:
        assistant = self._assistant
        return assistant.generation if assistant is not None else None

    @property
    def reloading(self) -> bool:
        """True while a new generation is being loaded in the background."""
        return self._reloading

    def get(self, timeout: float | None = None) -> Assistant | None:
        """The assistant to answer with (waiting up to ``timeout`` for the first load); None before it."""
        self._ready.wait(timeout)
        self.check()
        return self._assistant

    def stop(self) -> None:
        self._stopped.set()

    # ---------------------------------------------------------------- loading
    def _first_load(self) -> None:
        try:
            self._assistant = self._load(self.settings, self.mode)
            if self._owns_first:
                self._owned.add(id(self._assistant))
        except Exception as error:  # reported by /healthz and every answer, not a crash
            self.error = _describe(error)
            log.error("cannot load the library: %s", self.error)
            # Serve no stale library: only a generation built after this failure is picked up (unless
            # its Chroma server was down: then it is tried again, and served once the server answers).
            try:
                self._failed_generation = None if self._retry_later(error) else current_generation(self.settings.store)
            except StoreError:
                self._failed_generation = None
        self.seconds = time.perf_counter() - self.started
        self._ready.set()

    def _watch(self) -> None:
        while not self._stopped.wait(self.check_seconds):
            if self._ready.is_set():
                self.check(force=True)

    def check(self, force: bool = False) -> None:
        """Start loading the store's current generation if it is not the one served (at most every
        ``check_seconds`` unless ``force``)."""
        if not self._ready.is_set():
            return
        now = time.monotonic()
        with self._lock:
            if self._reloading or (not force and now - self._last_check < self.check_seconds):
                return
            self._last_check = now
        try:
            generation = current_generation(self.settings.store)
        except StoreError as error:
            self.reload_error = _describe(error)
            return
        if generation is None or generation == self.generation or generation == self._failed_generation:
            return
        with self._lock:
            if self._reloading:
                return
            self._reloading = True
        threading.Thread(target=self._swap_in, args=(generation,), name="assistant-reloader", daemon=True).start()

    def _swap_in(self, generation: str) -> None:
        store = None
        try:
            store = open_current(self.settings.store, self.settings.chroma_url)
            if store is None:
                return
            current = self._assistant
            fresh = Assistant.from_store(self.settings, store, self.mode,
                                         embedder=current.embedder if current is not None else None)
            store = None   # the assistant holds it now
            self._owned.add(id(fresh))
            previous, self._assistant = self._assistant, fresh   # one assignment: requests see old or new
            self.reloads += 1
            self.reload_error = self.error = None
            self._failed_generation = None
            log.info("now answering from %s (%d documents)", fresh.generation, len(fresh.library.trees))
            if previous is not None and previous.store is not None and id(previous) in self._owned:
                self._owned.discard(id(previous))
                closer = threading.Timer(CLOSE_AFTER_SECONDS, previous.store.close)
                closer.daemon = True
                closer.start()
        except Exception as error:  # the old assistant keeps answering
            if store is not None:
                store.close()
            reason = _describe(error)
            if reason != self.reload_error:   # a server that stays down is tried every second: say it once
                log.error("cannot load %s, still answering from %s: %s", generation, self.generation, reason)
            self.reload_error = reason
            self._failed_generation = None if self._retry_later(error) else generation
        finally:
            with self._lock:
                self._reloading = False

    @staticmethod
    def _retry_later(error: Exception) -> bool:
        """A generation whose Chroma server could not be reached is tried again: the server may come back."""
        from index.store import StoreUnavailable

        return isinstance(error, StoreUnavailable)


def _describe(error: Exception) -> str:
    if isinstance(error, (LibraryError, StoreError)):
        return str(error)
    return f"{type(error).__name__}: {error}"


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse(status_code=status, content={"error": message})


def _not_ready(holder: AssistantHolder) -> JSONResponse:
    return _error(503, holder.error or "the library is still loading; retry in a few seconds")


def create_api(settings: Settings, holder: AssistantHolder, feedback: FeedbackStore) -> FastAPI:
    api = FastAPI(title="教育政策问答助手 API",
                  description="Answers about a library of policy documents, with cited clauses.",
                  version="0.2.0", docs_url=None, redoc_url=None)
    api.mount(DOCS_ASSETS, StaticFiles(directory=files("swagger_ui") / "static"), name="docs-assets")

    @api.get("/docs", include_in_schema=False)
    def docs():
        return get_swagger_ui_html(openapi_url=api.openapi_url, title=f"{api.title} · 文档",
                                   swagger_js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
                                   swagger_css_url=f"{DOCS_ASSETS}/swagger-ui.css",
                                   swagger_favicon_url=f"{DOCS_ASSETS}/favicon-32x32.png")

    @api.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        # FastAPI's own 4xx (a body it cannot parse, an unknown route) in the API's {"error": ...} shape.
        return JSONResponse(status_code=error.status_code, content={"error": str(error.detail)},
                            headers=getattr(error, "headers", None))

    @api.exception_handler(RequestValidationError)
    async def _invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        problems = "; ".join("body is not valid JSON" if e["type"] == "json_invalid" else
                             f"{'.'.join(str(p) for p in e['loc'] if p not in ('body', 'query')) or 'body'}: "
                             f"{e['msg']}"
                             for e in error.errors())
        return _error(422, f"invalid request: {problems}")

    # Answering is CPU work under the GIL: a few threads answer while the other requests wait their turn,
    # instead of 40 threads slicing the GIL and every answer finishing late.
    answering = anyio.CapacityLimiter(ANSWER_THREADS)

    @api.post("/api/ask", summary="Answer a question (the JSON contract of `ask --json`)")
    async def ask(request: AskRequest):
        assistant = holder.get(timeout=0)
        if assistant is None:
            return _not_ready(holder)
        try:
            answer = await anyio.to_thread.run_sync(
                lambda: assistant.ask(request.question, request.history, document=request.document),
                limiter=answering)
        except InvalidQuestion as error:
            return _error(400, str(error))
        # Plain JSON types already: returned as they are, without FastAPI's encoder walking them.
        return JSONResponse(answer.to_dict())

    @api.get("/api/documents", summary="The documents of the library (same as `docs list --json`)")
    def documents():
        assistant = holder.get(timeout=0)
        if assistant is None:
            return _not_ready(holder)
        infos = assistant.store.documents() if assistant.store is not None else ()
        return views.library_listing(assistant.library, infos, assistant.generation)

    @api.get("/api/outline", summary="One document's clause tree: document, parts, items with units, clauses")
    def outline(document: str | None = Query(default=None, max_length=200,
                                             description="a document id from GET /api/documents; may be "
                                                         "omitted when the library holds one document")):
        assistant = holder.get(timeout=0)
        if assistant is None:
            return _not_ready(holder)
        library = assistant.library
        if document is None:
            if len(library.trees) == 1:
                return views.outline(library.trees[0])
            return _error(400, f"the library holds {len(library.trees)} documents: name one with "
                               f"?document=ID ({_ids(library)})")
        if not library.has(document):
            return _error(404, f"no document {document!r} in the library; documents: {_ids(library)}")
        return views.outline(library.tree(document))

    # ---- clause permalinks (assistant/pages.py) and the duty and target tables as files (assistant/exports.py)
    @api.get("/clause/{document}/{clause_id:path}", response_class=HTMLResponse,
             summary="One clause on a page of its own: its item's clauses, units, targets and a citation")
    def clause_page(document: str, clause_id: str):
        assistant = holder.get(timeout=0)
        if assistant is None:
            return pages.not_ready_response(holder.error)
        return pages.clause_response(assistant.library, document, clause_id)

    def export(build: Callable[[Library, str | None], exports.Table], chosen: str, document: str | None,
               unit: str | None = None):
        try:
            export_format = exports.ExportFormat.parse(chosen)
        except ValueError as error:
            return _error(400, str(error))
        assistant = holder.get(timeout=0)
        if assistant is None:
            return _not_ready(holder)
        library = assistant.library
        if document is not None and not library.has(document):
            return _error(404, f"no document {document!r} in the library; documents: {_ids(library)}")
        return exports.export_response(build(library, document), export_format, (document or "library", unit))

    @api.get("/api/duties", summary="Item → 责任单位 and 配合单位, as JSON, CSV or XLSX")
    def duties(chosen: str = Query(default="json", alias="format", max_length=200,
                                   description="json ({columns, rows}), csv (UTF-8 with a BOM) or xlsx"),
               document: str | None = Query(default=None, max_length=200,
                                            description="one document's items; omitted: the whole library's"),
               unit: str | None = Query(default=None, max_length=200,
                                        description="only the items this unit leads or cooperates on")):
        return export(lambda library, document: exports.duties_table(library, document, unit), chosen, document,
                      unit)

    @api.get("/api/targets", summary="Every quantitative target with its clause and item, as JSON, CSV or XLSX")
    def targets(chosen: str = Query(default="json", alias="format", max_length=200,
                                    description="json ({columns, rows}), csv (UTF-8 with a BOM) or xlsx"),
                document: str | None = Query(default=None, max_length=200,
                                             description="one document's targets; omitted: the whole library's")):
        return export(exports.targets_table, chosen, document)

    @api.post("/api/feedback", status_code=201, summary="Record 👍/👎 on an answer")
    def give_feedback(request: FeedbackRequest):
        try:
            return feedback.add(request.rating, request.question, request.answer, request.citations, request.refused)
        except FeedbackUnavailable as error:   # the database stayed busy past the retries: nothing was written
            return _error(503, str(error))
        except ValueError as error:
            return _error(400, str(error))

    @api.get("/healthz", summary="200 once the library is loaded, 503 before")
    def healthz():
        assistant = holder.get(timeout=0)
        if assistant is None:
            status = "error" if holder.error else "loading"
            return JSONResponse(status_code=503, content={"status": status, "error": holder.error})
        # Still 200 when the vector store is down: answers go on from BM25 and the clause trees, degraded.
        store = assistant.store
        outage = store.unreachable() if store is not None else None
        location = store.vector_location if store is not None else None
        return {"status": "ok", "generation": assistant.generation, "documents": len(assistant.library.trees),
                "clauses": len(assistant.library.clauses), "model": settings.embedding_model,
                "load_seconds": round(holder.seconds or 0.0, 2), "reloads": holder.reloads,
                "reload_error": holder.reload_error, "degraded": outage is not None,
                "vector_store": f"unreachable: {outage}" if outage else location}

    return api


def _ids(library, limit: int = 10) -> str:
    ids = [tree.document.id for tree in library.trees]
    return ", ".join(ids[:limit]) + (", …" if len(ids) > limit else "")


def create_app(settings: Settings | None = None) -> FastAPI:
    """The API with the chat UI mounted at ``/``."""
    settings = settings or Settings()
    holder = AssistantHolder(settings)  # first: its file reads overlap with importing Gradio
    import gradio as gr

    from .ui import CSS, HEAD, THEME, build_ui

    feedback = FeedbackStore(settings.feedback_db)
    api = create_api(settings, holder, feedback)
    api.state.holder = holder
    demo = build_ui(holder.get, feedback)
    app = gr.mount_gradio_app(api, demo, path="/", server_name=settings.host, server_port=settings.port,
                              footer_links=[], ssr_mode=False, theme=THEME, css=CSS, head=HEAD)
    app.add_middleware(RequestGuard, routes=list(api.routes))
    return app


class IdleTimeoutProtocol(HttpToolsProtocol):
    """uvicorn's HTTP protocol, timing out a connection that never sends a request too (uvicorn only
    times out idle keep-alive connections), and one whose request does not arrive whole within
    REQUEST_SECONDS of its first byte, so neither idle nor trickling connections can use up the server."""

    _request_deadline = None

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        self.timeout_keep_alive_task = self.loop.call_later(self.timeout_keep_alive, self.timeout_keep_alive_handler)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._cancel_request_deadline()
        self._request_deadline = self.loop.call_later(REQUEST_SECONDS, self.timeout_keep_alive_handler)

    def on_message_complete(self) -> None:
        self._cancel_request_deadline()
        super().on_message_complete()

    def handle_websocket_upgrade(self) -> None:
        self._cancel_request_deadline()   # the connection is a websocket's now, with no message to complete
        super().handle_websocket_upgrade()

    def connection_lost(self, exc) -> None:
        self._cancel_request_deadline()
        super().connection_lost(exc)

    def _cancel_request_deadline(self) -> None:
        if self._request_deadline is not None:
            self._request_deadline.cancel()
            self._request_deadline = None


def serve(app: FastAPI, host: str, port: int) -> None:
    """Run the app with uvicorn: idle connections closed after IDLE_SECONDS, at most MAX_CONNECTIONS at once
    (more get 503 at once instead of queueing)."""
    uvicorn.run(app, host=host, port=port, log_level="warning", http=IdleTimeoutProtocol,
                timeout_keep_alive=IDLE_SECONDS, limit_concurrency=MAX_CONNECTIONS)
