"""What a request must pass before it reaches the API or the chat (an ASGI middleware around both).

- Bodies are capped: 64 KB for the JSON API, 1 MB for anything else (413), read before the app sees them.
- A JSON API body must be UTF-8 JSON without lone surrogates (``"\\ud800"``), nested at most
  ``MAX_DEPTH`` deep: else 400. So nothing undecodable reaches the engine, the database or a response.
- A wrong method on an API route is 405 with ``Allow`` (OPTIONS, HEAD and TRACE too); an unknown
  ``/api/…`` path is 404.
- Gradio's routes that take or serve files (uploads, ``file=``, the proxy, recordings) are closed: the
  chat has no file component, and no path from a request is ever opened.

Every refusal is ``{"error": "…"}``, like the API's own errors.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterable

from starlette.routing import Match, Route

from .text import has_lone_surrogate

API_BODY_LIMIT = 64 * 1024
OTHER_BODY_LIMIT = 1024 * 1024
MAX_DEPTH = 32
API_PREFIX = "/api/"
# Gradio routes (under its /gradio_api prefix) that upload, serve or fetch files, or are for development.
CLOSED_PREFIXES = tuple(f"/gradio_api/{route}" for route in (
    "upload", "file=", "file/", "proxy=", "process_recording", "custom_component", "stream/", "vibe-",
    "undo-vibe-edit", "dev/", "profiling", "run-history"))
_BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}

Scope = dict
Receive = Callable[[], Awaitable[dict]]
Send = Callable[[dict], Awaitable[None]]


class RequestGuard:
    """Refuses what no route should see; ``routes`` are the JSON API's (their methods and bodies are checked)."""

    def __init__(self, app, routes: Iterable[Route]) -> None:
        self.app = app
        self.routes = [route for route in routes if isinstance(route, Route)]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path, method = scope["path"], scope["method"]
        if path.startswith(CLOSED_PREFIXES):
            return await _refuse(send, 403, f"{path.split('=', 1)[0]} is closed: this app takes no files")
        matches = [(route, route.matches(scope)[0]) for route in self.routes]
        is_api = any(match is not Match.NONE for _, match in matches)
        if not is_api and path.startswith(API_PREFIX):   # else the chat mounted at / would answer it
            return await _refuse(send, 404, f"no API route {path}; see /docs")
        if is_api and not any(match is Match.FULL for _, match in matches):
            allowed = sorted({verb for route, match in matches if match is Match.PARTIAL for verb in route.methods})
            return await _refuse(send, 405, f"{method} is not allowed on {path}; use {', '.join(allowed)}",
                                 [(b"allow", ", ".join(allowed).encode())])
        if method not in _BODY_METHODS:
            return await self.app(scope, receive, send)
        limit = API_BODY_LIMIT if is_api else OTHER_BODY_LIMIT
        body = await _read_body(scope, receive, limit)
        if body is None:
            return await _refuse(send, 413, f"the request body is larger than {limit // 1024} KB")
        if is_api and body and (problem := json_problem(body)):
            return await _refuse(send, 400, problem)
        await self.app(scope, _replay(body, receive), send)


def json_problem(body: bytes) -> str | None:
    """Why an API body cannot be accepted, or None: it must be UTF-8 JSON, not too deep, without lone surrogates."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        return f"the request body is not valid UTF-8 (byte {error.start})"
    try:
        value = json.loads(text)
    except RecursionError:
        return f"the request body is nested more than {MAX_DEPTH} levels deep"
    except ValueError as error:   # not JSON, or a number too long to read
        return f"the request body is not valid JSON: {error}"
    return _value_problem(value, 0)


def _value_problem(value, depth: int) -> str | None:
    if depth > MAX_DEPTH:
        return f"the request body is nested more than {MAX_DEPTH} levels deep"
    if isinstance(value, str):
        return "the request holds a lone surrogate (\\ud800-\\udfff), which is not a character" \
            if has_lone_surrogate(value) else None
    children = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, child in children:
        problem = _value_problem(key, depth + 1) if isinstance(key, str) else None
        if problem := problem or _value_problem(child, depth + 1):
            return problem
    return None


async def _read_body(scope: Scope, receive: Receive, limit: int) -> bytes | None:
    """The whole body, or None as soon as it is known to exceed ``limit``."""
    for name, value in scope["headers"]:
        if name == b"content-length" and value.isdigit() and int(value) > limit:
            return None
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """The body already read, then the client's own messages (a disconnect, while a response streams)."""
    sent = False

    async def replay() -> dict:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _refuse(send: Send, status: int, message: str, headers: list[tuple[bytes, bytes]] = ()) -> None:
    body = json.dumps({"error": message}, ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            *headers]})
    await send({"type": "http.response.body", "body": body})
