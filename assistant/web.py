"""One web server: the JSON API (FastAPI) with the Gradio chat mounted at ``/``.

    >>> from assistant.web import create_app
    >>> app = create_app()            # starts loading the index in the background
    >>> # uvicorn.run(app, host="127.0.0.1", port=7860)   -- what ``python app.py`` does

Routes: ``POST /api/ask``, ``POST /api/feedback``, ``GET /api/outline``, ``GET /healthz``, ``/docs``.
The chat, the API and the CLI all answer through the same :meth:`Assistant.ask`.
"""

from __future__ import annotations

import os
import threading
import time

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # no calls home from the server
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from fastapi import FastAPI, Request  # noqa: E402
from fastapi.exceptions import RequestValidationError  # noqa: E402
from fastapi.responses import JSONResponse  # noqa: E402
from pydantic import BaseModel, Field  # noqa: E402

from . import views  # noqa: E402
from .engine import Assistant, InvalidQuestion  # noqa: E402
from .feedback import FeedbackStore, Rating  # noqa: E402
from .parser import parse_policy_file  # noqa: E402
from .records import PolicyTree  # noqa: E402
from .settings import Settings  # noqa: E402


class AskRequest(BaseModel):
    question: str = Field(description="the question, in Chinese or English", examples=["谁负责学前教育？"])
    history: list[str] = Field(default_factory=list, max_length=50,
                               description="the user's earlier questions in this conversation, oldest first")


class FeedbackRequest(BaseModel):
    rating: Rating
    question: str = Field(min_length=1, max_length=4000)
    answer: str = Field(max_length=4000)
    citations: list[str] = Field(default_factory=list, max_length=100)
    refused: bool = False


class AssistantLoader:
    """Loads the assistant (store, model, dictionaries) in a thread so the server starts at once."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.started = time.perf_counter()
        self.seconds: float | None = None
        self.error: str | None = None
        self._assistant: Assistant | None = None
        self._ready = threading.Event()
        threading.Thread(target=self._load, name="assistant-loader", daemon=True).start()

    def _load(self) -> None:
        try:
            self._assistant = Assistant.load(self.settings)
        except Exception as error:  # reported by /healthz and every answer, not a crash
            self.error = f"{type(error).__name__}: {error}"
        self.seconds = time.perf_counter() - self.started
        self._ready.set()

    @property
    def ready(self) -> bool:
        return self._ready.is_set() and self._assistant is not None

    def get(self, timeout: float | None = None) -> Assistant | None:
        self._ready.wait(timeout)
        return self._assistant


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse(status_code=status, content={"error": message})


def create_api(settings: Settings, tree: PolicyTree, loader: AssistantLoader, feedback: FeedbackStore) -> FastAPI:
    api = FastAPI(title="西青区教育政策问答助手 API",
                  description="Answers about 《西青区教育高质量发展三年行动方案（2023—2025年）》 with cited clauses.",
                  version="0.1.0")

    @api.exception_handler(RequestValidationError)
    async def _invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        problems = "; ".join("body is not valid JSON" if e["type"] == "json_invalid" else
                             f"{'.'.join(str(p) for p in e['loc'] if p != 'body') or 'body'}: {e['msg']}"
                             for e in error.errors())
        return _error(422, f"invalid request: {problems}")

    @api.post("/api/ask", summary="Answer a question (the JSON contract of `ask --json`)")
    def ask(request: AskRequest):
        assistant = loader.get(timeout=0)
        if assistant is None:
            return _error(503, loader.error or "the index is still loading; retry in a few seconds")
        try:
            return assistant.ask(request.question, request.history).to_dict()
        except InvalidQuestion as error:
            return _error(400, str(error))

    # Without this the Gradio app mounted at "/" would answer other methods with a bare 404.
    @api.api_route("/api/ask", methods=["GET", "PUT", "PATCH", "DELETE"], include_in_schema=False)
    def ask_wrong_method(request: Request):
        return JSONResponse(status_code=405, headers={"Allow": "POST"},
                            content={"error": f"{request.method} is not allowed: POST a JSON body "
                                              '{"question": "...", "history": [...]}'})

    @api.post("/api/feedback", status_code=201, summary="Record 👍/👎 on an answer")
    def give_feedback(request: FeedbackRequest):
        return feedback.add(request.rating, request.question, request.answer, request.citations, request.refused)

    @api.get("/api/outline", summary="The clause tree: document, items with responsible units, clauses")
    def outline():
        return views.outline(tree)

    @api.get("/healthz", summary="200 once the index is loaded, 503 before")
    def healthz():
        if not loader.ready:
            status = "error" if loader.error else "loading"
            return JSONResponse(status_code=503, content={"status": status, "error": loader.error})
        return {"status": "ok", "clauses": len(tree.clauses), "model": settings.embedding_model,
                "load_seconds": round(loader.seconds or 0.0, 2)}

    return api


def create_app(settings: Settings | None = None) -> FastAPI:
    """The API with the chat UI mounted at ``/``."""
    settings = settings or Settings()
    loader = AssistantLoader(settings)  # first: its file reads overlap with importing Gradio
    import gradio as gr

    from .ui import CSS, THEME, build_ui

    tree = parse_policy_file(settings.corpus[0])
    feedback = FeedbackStore(settings.feedback_db)
    api = create_api(settings, tree, loader, feedback)
    demo = build_ui(tree, loader.get, feedback)
    return gr.mount_gradio_app(api, demo, path="/", server_name=settings.host, server_port=settings.port,
                               footer_links=[], ssr_mode=False, theme=THEME, css=CSS)
