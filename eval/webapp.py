"""Run ``python app.py`` on a free loopback port until it is healthy, and the browser it is driven
with: shared by the tests (``tests/conftest.py``, ``tests/test_web_e2e.py``) and ``make bench``.

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

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# Debian's chromium: `playwright install` cannot download browsers here. The flags keep it off the
# network (no background updates, sync or first-run fetches).
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]
POLL_SECONDS = 0.05


class AppDidNotStart(RuntimeError):
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


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
            return response.status == 200
    except OSError:  # not listening yet, or 503 while the index loads
        return False


@contextmanager
def running_app(env: dict[str, str], output=subprocess.DEVNULL, timeout: float = 120):
    """Start ``python app.py``, wait until ``/healthz`` says 200, stop it on exit."""
    url = f"http://127.0.0.1:{free_port()}"
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "app.py", "--port", url.rsplit(":", 1)[1]], cwd=PROJECT_ROOT,
                               env=env, stdout=output, stderr=subprocess.STDOUT)
    try:
        while not _healthy(url):
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
