"""The web app: ``python app.py [--host 127.0.0.1] [--port 7860]`` (what ``make run`` starts).

Serves the Gradio chat at ``/``, the JSON API (``POST /api/ask``, ``GET /api/documents``,
``GET /api/outline``, ``GET /api/duties``, ``GET /api/targets``, ``GET /healthz``, docs at ``/docs``)
and clause pages (``/clause/{document}/{id}``) from one process, on loopback unless told otherwise. It answers from the library in ``ASSISTANT_STORE`` and picks up a library rebuilt
by ``python -m assistant index`` or ``docs add/remove`` without a restart.
"""

from __future__ import annotations

import argparse
import logging
import socket
import sys

from assistant.cli import UsageError, load_settings


def _port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 2


def _check_corpus(settings) -> None:
    """An explicitly configured corpus must name files and folders that exist (read before serving)."""
    if "corpus" in settings.model_fields_set:
        from assistant.library import LibraryError, corpus_files
        try:
            corpus_files(settings.corpus)
        except LibraryError as error:
            raise UsageError(f"{error} (check ASSISTANT_CORPUS)") from None


def main(argv: list[str] | None = None) -> int:
    try:
        defaults = load_settings()
        _check_corpus(defaults)
    except UsageError as error:
        return _fail(str(error))
    parser = argparse.ArgumentParser(prog="python app.py", description="政策文件问答助手 (web chat + JSON API)")
    parser.add_argument("--host", default=defaults.host, help=f"address to listen on (default {defaults.host})")
    parser.add_argument("--port", type=int, default=defaults.port, help=f"port (default {defaults.port})")
    args = parser.parse_args(argv)
    if not 0 < args.port < 65536:
        return _fail(f"--port must be between 1 and 65535, got {args.port}")
    if not _port_is_free(args.host, args.port):
        return _fail(f"cannot listen on {args.host}:{args.port} (in use or not a local address); "
                     "choose another with --port or --host")
    from assistant.feedback import FeedbackUnavailable
    from assistant.web import create_app, serve

    # The library's own messages (a failed load, a new generation picked up) go to stderr.
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    logging.getLogger("assistant").addHandler(handler)
    logging.getLogger("assistant").setLevel(logging.INFO)
    settings = defaults.model_copy(update={"host": args.host, "port": args.port})
    try:
        app = create_app(settings)
    except FeedbackUnavailable as error:
        return _fail(f"ASSISTANT_FEEDBACK_DB ({settings.feedback_db}): {error}")
    print(f"政策问答助手: http://{args.host}:{args.port}/   API docs: /docs   (Ctrl+C to stop)", flush=True)
    serve(app, args.host, args.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
