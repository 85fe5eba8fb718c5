"""The store's vectors on a Chroma server (ASSISTANT_CHROMA_URL): a real ``chroma run`` from the project's
venv on a loopback port. Built and extended through the CLI, answered through the CLI and ``python app.py``
exactly as the local store answers; with the server stopped, answers go on from BM25 flagged ``degraded``,
and stop being degraded when it is started again on the same port and data folder. A hung server is given
up in about a second, and nothing leaves 127.0.0.1."""

from __future__ import annotations

import http.server
import ipaddress
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import chromadb
import httpx
import numpy as np
import pytest
from chromadb.config import Settings as ChromaSettings
from policies import SPORTS_ID, run_assistant, write_rural_rules_gb18030, write_sports_plan

from assistant.settings import DEFAULT_CORPUS, PROJECT_ROOT
from eval import webapp as eval_servers
from eval.webapp import free_port, running_app, stop
from index.store import RETRY_SECONDS, StoreUnavailable, open_current

FLAGSHIP = DEFAULT_CORPUS / "xiqing-education-plan-2023-2025.md"
# Answered by meaning (the dense search counts); 区财政局负责哪些任务？ from the clause tree alone.
QUESTIONS = ["谁负责学前教育？", "学前三年毛入园率的目标是多少？", "校外培训机构怎么管？", "课后服务怎么安排？"]
STRUCTURAL = "区财政局负责哪些任务？"
# A stopped server is tried again RETRY_SECONDS after a failure: answers must be whole again well within this.
RECOVERY_SECONDS = RETRY_SECONDS + 12
# Loading the library in the app once the server answers (the embedding model, jieba) takes a few seconds more.
LOAD_SECONDS = 60


class ChromaServer(eval_servers.ChromaServer):
    def start(self, timeout: float = 30) -> None:
        try:
            super().start(timeout)
        except eval_servers.ServerDidNotStart as error:
            pytest.fail(str(error))

    def collections(self) -> dict[str, int]:
        """Every collection on the server and its count (a client of our own, telemetry off)."""
        client = chromadb.HttpClient(host=self.url, settings=ChromaSettings(anonymized_telemetry=False))
        try:
            return {collection.name: collection.count() for collection in client.list_collections()}
        finally:
            client.close()


class GatewayProxy:
    """A reverse proxy in front of the server, as TLS or several app hosts would have; while ``down`` it
    answers 502 Bad Gateway, as nginx does when the server behind it has stopped."""

    def __init__(self, upstream: str) -> None:
        self.down = False
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def forward(self) -> None:
                if proxy.down:
                    status, headers, body = 502, {"Content-Type": "text/html"}, b"<h1>502 Bad Gateway</h1>"
                else:
                    request = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                    answer = httpx.request(self.command, upstream + self.path, content=request, timeout=10,
                                           headers={"Content-Type": self.headers.get("Content-Type", "")})
                    status, headers, body = answer.status_code, {"Content-Type": answer.headers.get(
                        "Content-Type", "")}, answer.content
                self.send_response(status)
                for name, value in {**headers, "Content-Length": str(len(body))}.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PUT = do_DELETE = forward

            def log_message(self, *args) -> None:
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> "GatewayProxy":
        threading.Thread(target=self._server.serve_forever, name="gateway-proxy", daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()


class LoopbackWatch:
    """Samples, every few milliseconds, the sockets of this process and its descendants (the CLI,
    ``python app.py``, ``chroma run``): any peer that is not a loopback address is kept in ``outside``."""

    TABLES = ("tcp", "tcp6", "udp", "udp6")

    def __init__(self) -> None:
        self.outside: set[tuple[str, str]] = set()
        self.loopback: set[tuple[str, str]] = set()
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="loopback-watch", daemon=True)

    def __enter__(self) -> "LoopbackWatch":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stopped.set()
        self._thread.join()

    def _watch(self) -> None:
        while not self._stopped.wait(0.02):
            ours = {inode for pid in _descendants(os.getpid()) for inode in _socket_inodes(pid)}
            for table in self.TABLES:
                for peer, inode in _peers(table):
                    if inode in ours and not peer.is_unspecified:
                        (self.loopback if _is_loopback(peer) else self.outside).add((table, str(peer)))


def _descendants(root: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            children.setdefault(int(stat.rsplit(")", 1)[1].split()[1]), []).append(int(entry.name))
    found, waiting = {root}, [root]
    while waiting:
        for child in children.get(waiting.pop(), []):
            found.add(child)
            waiting.append(child)
    return found


def _socket_inodes(pid: int) -> set[str]:
    inodes = set()
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    except OSError:   # the process ended, or a descriptor closed, while we looked
        pass
    return inodes


def _peers(table: str) -> list[tuple[ipaddress.IPv4Address | ipaddress.IPv6Address, str]]:
    """(remote address, socket inode) of every socket in /proc/net/<table>."""
    try:
        lines = Path(f"/proc/net/{table}").read_text().splitlines()[1:]
    except OSError:
        return []
    return [(_address(fields[2].split(":")[0]), fields[9]) for fields in (line.split() for line in lines)]


def _address(hex_address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    raw = bytes.fromhex(hex_address)
    if len(raw) == 4:
        return ipaddress.IPv4Address(raw[::-1])
    return ipaddress.IPv6Address(b"".join(raw[start:start + 4][::-1] for start in range(0, 16, 4)))


def _is_loopback(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    mapped = getattr(address, "ipv4_mapped", None)
    return address.is_loopback or (mapped is not None and mapped.is_loopback)


@pytest.fixture(scope="module")
def traffic():
    with LoopbackWatch() as watch:
        yield watch


@pytest.fixture(scope="module")
def chroma(traffic, tmp_path_factory):
    folder = tmp_path_factory.mktemp("chroma")
    server = ChromaServer(folder / "data", free_port(), folder / "chroma.log")
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def running_chroma(chroma):
    """The module's server, started again if a test stopped it and failed before starting it."""
    if chroma.process is None:
        chroma.start()
    return chroma


@pytest.fixture(scope="module")
def server_env(chroma, tmp_path_factory) -> dict[str, str]:
    """A store of the flagship whose vectors are on the server, built with ``index``."""
    env = {"ASSISTANT_STORE": str(tmp_path_factory.mktemp("server-store") / "store"),
           "ASSISTANT_CHROMA_URL": chroma.url, "ASSISTANT_CORPUS": json.dumps([str(FLAGSHIP)]),
           "ASSISTANT_SHOW_PROGRESS": "false"}
    built = run_assistant("index", env=env)
    assert built.returncode == 0 and "Traceback" not in built.stderr, built.stderr
    return env


@pytest.fixture(scope="module")
def local_answers(store_dir, assistant) -> dict[str, dict]:
    """Every question answered by the CLI from the session's local store of the flagship."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith("ASSISTANT_")}
    return _batch(QUESTIONS + [STRUCTURAL], {**environment, "ASSISTANT_STORE": str(store_dir),
                                             "ASSISTANT_SHOW_PROGRESS": "false"})


def _batch(questions: list[str], env: dict[str, str]) -> dict[str, dict]:
    """``ask --json -``: each question's answer, without its latency."""
    batch = subprocess.run([sys.executable, "-m", "assistant", "ask", "--json", "-"], input="\n".join(questions) + "\n",
                           capture_output=True, text=True, cwd=PROJECT_ROOT, env=env, timeout=300)
    assert batch.returncode == 0 and "Traceback" not in batch.stderr, batch.stderr
    return {record["question"]: _contract(record) for record in map(json.loads, batch.stdout.splitlines())}


def _contract(record: dict) -> dict:
    return {key: value for key, value in record.items() if key != "latency_ms"}


def _manifest(env: dict[str, str]) -> dict:
    store = Path(env["ASSISTANT_STORE"])
    generation = (store / "CURRENT").read_text(encoding="utf-8").strip()
    return json.loads((store / generation / "manifest.json").read_text(encoding="utf-8"))


def _passages(manifest: dict, document_id: str) -> int:
    return next(document["passages"] for document in manifest["documents"] if document["id"] == document_id)


def _until(condition: Callable[[], object], seconds: float, what: str):
    """``condition()``'s first true value, polled for up to ``seconds``."""
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        if value := condition():
            return value
        time.sleep(0.2)
    pytest.fail(f"after {seconds:.0f} s, {what}")


def test_index_puts_the_vectors_on_the_server_and_the_rest_in_the_store(running_chroma, server_env):
    manifest = _manifest(server_env)
    generation = (Path(server_env["ASSISTANT_STORE"]) / "CURRENT").read_text(encoding="utf-8").strip()
    assert manifest["chroma_url"] == running_chroma.url
    assert manifest["chroma_collection"].startswith("library-") and manifest["chroma_collection"].endswith(
        f"-{generation}")
    passages = sum(document["passages"] for document in manifest["documents"])
    assert running_chroma.collections()[manifest["chroma_collection"]] == passages
    directory = Path(server_env["ASSISTANT_STORE"]) / generation
    assert sorted(path.name for path in directory.iterdir()) == ["manifest.json", "texts"]   # no chroma.sqlite3


def test_the_cli_answers_from_the_server_as_from_the_local_store(running_chroma, server_env, local_answers):
    answers = _batch(list(local_answers), {**os.environ, **server_env})
    assert answers == local_answers
    assert all(answer["citations"] for answer in answers.values())


def test_the_app_answers_degraded_while_the_server_is_down_and_recovers(running_chroma, server_env, local_answers,
                                                                        tmp_path):
    env = {**os.environ, **server_env, "ASSISTANT_FEEDBACK_DB": str(tmp_path / "feedback.sqlite3")}
    with open(tmp_path / "app.log", "w") as log, running_app(env, log) as app, \
            httpx.Client(base_url=app.url, timeout=30) as http:
        def ask(question: str) -> dict:
            response = http.post("/api/ask", json={"question": question})
            assert response.status_code == 200, response.text
            return response.json()

        health = http.get("/healthz").json()
        assert health["degraded"] is False and health["vector_store"].startswith(running_chroma.url)
        assert {question: _contract(ask(question)) for question in local_answers} == local_answers

        running_chroma.stop()
        for question in QUESTIONS:
            started = time.perf_counter()
            answer = ask(question)
            # From BM25 and the clause tree, at once: no request waits for the dead server.
            assert time.perf_counter() - started < 1.0
            assert answer["degraded"] is True and not answer["refused"] and answer["citations"]
        assert "degraded" not in ask(STRUCTURAL)     # answered from the clause tree alone: nothing missing
        response = http.get("/healthz")
        assert response.status_code == 200
        health = response.json()
        assert health["degraded"] is True
        assert health["vector_store"].startswith(f"unreachable: the Chroma server at {running_chroma.url} "
                                                 "cannot be reached")

        running_chroma.start()
        _until(lambda: "degraded" not in ask(QUESTIONS[0]), RECOVERY_SECONDS, "answers were still degraded")
        assert {question: _contract(ask(question)) for question in local_answers} == local_answers
        assert http.get("/healthz").json()["degraded"] is False


def test_an_app_started_while_the_server_is_down_says_why_then_serves_once_it_is_up(running_chroma, server_env,
                                                                                    local_answers, tmp_path):
    running_chroma.stop()
    refused = run_assistant("ask", "--json", QUESTIONS[0], env=server_env)
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert refused.stderr.strip().splitlines() == [
        f"error: the Chroma server at {running_chroma.url} cannot be reached "
        "(ConnectError: [Errno 111] Connection refused)"]

    port = free_port()
    env = {**os.environ, **server_env, "ASSISTANT_FEEDBACK_DB": str(tmp_path / "feedback.sqlite3")}
    with open(tmp_path / "app.log", "w") as log:
        app = subprocess.Popen([sys.executable, "app.py", "--port", str(port)], cwd=PROJECT_ROOT, env=env,
                               stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"

    def health(status: int) -> dict | None:
        """/healthz's body once it answers with ``status``."""
        try:
            response = httpx.get(f"{url}/healthz", timeout=5)
        except httpx.HTTPError:
            return None
        return response.json() if response.status_code == status and response.json()["status"] != "loading" \
            else None

    try:
        failed = _until(lambda: health(503), LOAD_SECONDS, "/healthz did not report the failed load")
        assert failed["status"] == "error"
        assert failed["error"].startswith(f"the Chroma server at {running_chroma.url} cannot be reached")
        assert httpx.post(f"{url}/api/ask", json={"question": QUESTIONS[0]}, timeout=5).status_code == 503

        running_chroma.start()
        _until(lambda: health(200), LOAD_SECONDS, "the app did not load the library once the server was back")
        answer = httpx.post(f"{url}/api/ask", json={"question": QUESTIONS[0]}, timeout=30).json()
        assert _contract(answer) == local_answers[QUESTIONS[0]]
        assert "Traceback" not in (tmp_path / "app.log").read_text()
    finally:
        stop(app)


def test_moving_to_the_server_and_back_copies_and_docs_add_embeds_only_the_new(running_chroma, server_env,
                                                                              tmp_path):
    """A second store, on the same server as the module's: local first, then moved there, extended, and
    moved back with ``index``; its collections are its own, and each goes with its generation's directory."""
    store = tmp_path / "store"
    local = {"ASSISTANT_STORE": str(store), "ASSISTANT_SHOW_PROGRESS": "false"}
    on_server = {**local, "ASSISTANT_CHROMA_URL": running_chroma.url}
    assert run_assistant("index", str(FLAGSHIP), env=local).returncode == 0
    assert _manifest(local)["chroma_collection"] is None

    # The first command with the variable set moves the library as it is: copied, not embedded again.
    listed = run_assistant("docs", "list", "--json", env=on_server)
    assert listed.returncode == 0 and json.loads(listed.stdout)["generation"] == "gen-2", listed.stderr
    moved = _manifest(on_server)
    assert moved["embedded_passages"] == 0 and moved["chroma_url"] == running_chroma.url
    assert [document["id"] for document in moved["documents"]] == [FLAGSHIP.stem]
    assert moved["chroma_collection"] != _manifest(server_env)["chroma_collection"]
    fingerprint = moved["chroma_collection"].removesuffix("-gen-2")

    added = run_assistant("docs", "add", str(write_sports_plan(tmp_path)), env=on_server)
    assert added.returncode == 0, added.stderr
    manifest = _manifest(on_server)
    assert manifest["chroma_collection"] == f"{fingerprint}-gen-3"
    assert manifest["embedded_passages"] == _passages(manifest, SPORTS_ID)   # the flagship's vectors were copied
    answer = json.loads(run_assistant("ask", "--json", "谁负责建设运动场地？", env=on_server).stdout)
    assert answer["citations"] and answer["citations"][0]["document"] == SPORTS_ID and "degraded" not in answer

    assert run_assistant("docs", "add", str(write_rural_rules_gb18030(tmp_path)), env=on_server).returncode == 0
    ours = {name: count for name, count in running_chroma.collections().items() if name.startswith(fingerprint)}
    # The current generation and the previous one (a reader may still use it); gen-2 went with its directory.
    assert set(ours) == {f"{fingerprint}-gen-3", f"{fingerprint}-gen-4"}
    assert ours[f"{fingerprint}-gen-4"] == sum(document["passages"] for document in _manifest(on_server)["documents"])
    assert sorted(path.name for path in store.glob("gen-*")) == ["gen-3", "gen-4"]

    assert run_assistant("index", str(FLAGSHIP), env=local).returncode == 0   # back: the added documents stay
    back = _manifest(local)
    assert back["embedded_passages"] == 0 and back["chroma_collection"] is None and len(back["documents"]) == 3
    assert (store / "gen-5" / "chroma.sqlite3").is_file()
    assert {name for name in running_chroma.collections() if name.startswith(fingerprint)} == {
        f"{fingerprint}-gen-4"}
    assert _manifest(server_env)["chroma_collection"] in running_chroma.collections()   # the other store's


def test_a_hung_server_is_given_up_in_about_a_second_then_skipped_until_retried(running_chroma, server_env):
    store = open_current(Path(server_env["ASSISTANT_STORE"]), running_chroma.url)
    query = np.ones(store.manifest.dimension, dtype=np.float32)
    try:
        assert store.nearest(query, 3)
        os.kill(running_chroma.process.pid, signal.SIGSTOP)   # it still accepts connections, but answers nothing
        try:
            started = time.perf_counter()
            with pytest.raises(StoreUnavailable, match="cannot be reached .*Timeout"):
                store.nearest(query, 3)
            assert 0.5 < time.perf_counter() - started < 3
            started = time.perf_counter()
            with pytest.raises(StoreUnavailable):
                store.nearest(query, 3)
            assert time.perf_counter() - started < 0.1    # the breaker is open: not even tried
            assert store.unreachable().startswith(f"the Chroma server at {running_chroma.url} cannot be reached")
        finally:
            os.kill(running_chroma.process.pid, signal.SIGCONT)
        _until(lambda: store.unreachable() is None, RECOVERY_SECONDS, "the server was not tried again")
        assert store.nearest(query, 3)
    finally:
        store.close()


def test_a_proxy_saying_the_server_is_down_is_an_outage_not_damage(running_chroma, server_env):
    with GatewayProxy(running_chroma.url) as proxy:
        store = open_current(Path(server_env["ASSISTANT_STORE"]), proxy.url)
        query = np.ones(store.manifest.dimension, dtype=np.float32)
        try:
            assert store.nearest(query, 3)
            proxy.down = True
            with pytest.raises(StoreUnavailable, match=r"cannot be reached \(HTTP 502 Bad Gateway\)$"):
                store.nearest(query, 3)
            proxy.down = False
            _until(lambda: store.unreachable() is None, RECOVERY_SECONDS, "the server was not tried again")
            assert store.nearest(query, 3)
        finally:
            store.close()


def test_a_chroma_url_that_is_not_an_http_url_is_one_error_line(server_env):
    result = run_assistant("docs", "list", env={**server_env, "ASSISTANT_CHROMA_URL": "localhost:8000"})
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "error: ASSISTANT_CHROMA_URL: must be an http(s) URL such as http://127.0.0.1:8000, not 'localhost:8000'"]


def test_no_traffic_left_loopback(traffic):
    """Chroma's telemetry is off in every client (anonymized_telemetry=False), and the server sends none."""
    assert ("tcp", "127.0.0.1") in traffic.loopback, "the watch saw none of the tests' own connections"
    assert not traffic.outside
