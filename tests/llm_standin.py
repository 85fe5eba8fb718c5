"""A scripted stand-in for an OpenAI-compatible LLM server (no real model can run here).

It serves ``POST …/chat/completions`` on 127.0.0.1 over real HTTP, streamed as server-sent events the
way OpenAI, vLLM and Ollama stream, so the product's real LangChain client talks to it. What it
answers is scripted by the test: ``server.script = lambda request: Reply(...)``, where ``request`` is
the JSON body the client sent (its messages hold the numbered clauses and the question).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Reply:
    content: str
    cut: bool = False            # close the connection halfway, before the model says it is done
    delay: float = 0.0           # seconds to wait before answering (a slow server)
    pieces: int = 6              # how many chunks the content is streamed in


class StandInLLM:
    def __init__(self) -> None:
        self.script: Callable[[dict], Reply] = lambda request: Reply('{"answer": "", "citations": []}')
        self.requests: list[dict] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> StandInLLM:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _handler(self):
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"   # the body ends when the connection closes: a cut is a close

            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:
                request = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
                standin.requests.append(request)
                reply = standin.script(request)
                time.sleep(reply.delay)
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                step = max(1, len(reply.content) // reply.pieces)
                chunks = [reply.content[start:start + step] for start in range(0, len(reply.content), step)]
                if reply.cut:
                    chunks = chunks[:len(chunks) // 2]
                for text in chunks:
                    self._event({"role": "assistant", "content": text}, None)
                if not reply.cut:
                    self._event({}, "stop")
                    self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()

            def _event(self, delta: dict, finish_reason: str | None) -> None:
                chunk = {"id": "standin", "object": "chat.completion.chunk", "created": 0, "model": "standin",
                         "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}]}
                self.wfile.write(f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n".encode())
                self.wfile.flush()

        return Handler


def clause_text(request: dict, number: int) -> str:
    """The text of clause [number] as the client sent it to the model."""
    prompt = request["messages"][-1]["content"]
    start = prompt.index(f"[{number}] ")
    end = prompt.find(f"\n\n[{number + 1}] ", start)
    end = prompt.index("\n</clauses>", start) if end < 0 else end
    return prompt[start:end].split("\n", 1)[1]
