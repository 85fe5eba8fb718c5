"""Run ``python app.py`` (or ``chroma run``) on a free loopback port until it is healthy, and the browser
the app is driven with: shared by the tests (``tests/conftest.py``, ``tests/test_web_e2e.py``) and ``make bench``.

    >>> with running_app(dict(os.environ)) as app:    # doctest: +SKIP
    ...     print(app.url, app.ready_seconds)
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from index.store import HEARTBEAT_PATH

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# Debian's chromium: `playwright install` cannot download browsers here. The flags keep it off the
# network (no background updates, sync or first-run fetches).
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]
POLL_SECONDS = 0.05


class ServerDidNotStart(RuntimeError):
    """A server started here exited, or did not answer its health check in time."""


class AppDidNotStart(ServerDidNotStart):
    """``python app.py`` exited or did not answer ``/healthz`` with 200 in time."""


@dataclass(frozen=True)
class RunningApp:
    url: str                   # http://127.0.0.1:PORT
    process: subprocess.Popen
    ready_seconds: float       # from starting the process to the first healthy /healthz


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _answers_ok(url: str) -> bool:
    """``GET url`` answers 200 (not listening yet, or 503 while the index loads, is not)."""
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@contextmanager
def running_app(env: dict[str, str], output=subprocess.DEVNULL, timeout: float = 120):
    """Start ``python app.py``, wait until ``/healthz`` says 200, stop it on exit."""
    url = f"http://127.0.0.1:{free_port()}"
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "app.py", "--port", url.rsplit(":", 1)[1]], cwd=PROJECT_ROOT,
                               env=env, stdout=output, stderr=subprocess.STDOUT)
    try:
        while not _answers_ok(f"{url}/healthz"):
            if process.poll() is not None or time.perf_counter() - started > timeout:
                raise AppDidNotStart(f"python app.py did not become healthy at {url}")
            time.sleep(POLL_SECONDS)
        yield RunningApp(url, process, time.perf_counter() - started)
    finally:
        stop(process)


def stop(process: subprocess.Popen) -> None:
    """Ask a process to end; kill it if it has not within 10 s."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


# The Chroma server the chromadb package ships, from the same venv.
CHROMA = Path(sys.executable).with_name("chroma")


class ChromaServer:
    """``chroma run`` over a data folder on a fixed loopback port, stopped and started again at will."""

    def __init__(self, path: Path, port: int, log: Path) -> None:
        self.path, self.port, self.log = path, port, log
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30) -> None:
        with open(self.log, "a") as output:
            self.process = subprocess.Popen([str(CHROMA), "run", "--path", str(self.path), "--host", "127.0.0.1",
                                             "--port", str(self.port)], stdout=output, stderr=subprocess.STDOUT)
        started = time.perf_counter()
        while not _answers_ok(self.url + HEARTBEAT_PATH):
            if self.process.poll() is not None or time.perf_counter() - started > timeout:
                self.stop()
                raise ServerDidNotStart(f"chroma run did not answer its heartbeat at {self.url}:\n"
                                        f"{self.log.read_text()}")
            time.sleep(POLL_SECONDS)

    def stop(self) -> None:
        """Terminate, then kill: the port is free again when this returns."""
        if self.process is None:
            return
        stop(self.process)
        self.process.wait(timeout=10)
        self.process = None

    def __enter__(self) -> "ChromaServer":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
