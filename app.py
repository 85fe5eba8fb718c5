"""The web app: ``python app.py [--host 127.0.0.1] [--port 7860]`` (what ``make run`` starts).

Serves the Gradio chat at ``/`` and the JSON API (``POST /api/ask``, ``GET /api/outline``,
``GET /healthz``, docs at ``/docs``) from one process, on loopback unless told otherwise.
"""

from __future__ import annotations

import argparse
import socket
import sys

from assistant.settings import Settings


def _port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def main(argv: list[str] | None = None) -> int:
    defaults = Settings()
    parser = argparse.ArgumentParser(prog="python app.py", description="西青区教育政策问答助手 (web chat + JSON API)")
    parser.add_argument("--host", default=defaults.host, help=f"address to listen on (default {defaults.host})")
    parser.add_argument("--port", type=int, default=defaults.port, help=f"port (default {defaults.port})")
    args = parser.parse_args(argv)
    if not 0 < args.port < 65536:
        print(f"error: --port must be between 1 and 65535, got {args.port}", file=sys.stderr)
        return 2
    if not _port_is_free(args.host, args.port):
        print(f"error: cannot listen on {args.host}:{args.port} (in use or not a local address); "
              "choose another with --port or --host", file=sys.stderr)
        return 2
    import uvicorn

    from assistant.web import create_app

    settings = Settings(host=args.host, port=args.port)
    app = create_app(settings)
    print(f"西青区教育政策问答助手: http://{args.host}:{args.port}/   API docs: /docs   (Ctrl+C to stop)", flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return 0


if __name__ == "__main__":
    sys.exit(main())
