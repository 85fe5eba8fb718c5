"""Odd and hostile input over real HTTP (``python app.py`` on loopback), and fuzzing with hypothesis:
nothing escapes as a 5xx or a traceback, every 4xx is ``{"error": …}``, and the server stays reachable."""

import json
import socket
import time

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.engine import InvalidQuestion
from assistant.parser import parse_policy
from assistant.web import IDLE_SECONDS, REQUEST_SECONDS

QUESTION = "谁负责学前教育？"
JSON = {"content-type": "application/json"}


@pytest.fixture(scope="module")
def http(web_server):
    with httpx.Client(base_url=web_server["url"], timeout=30) as client:
        yield client


def _error(response, status: int) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"} and body["error"]
    return body["error"]


@pytest.mark.parametrize("body, status, says", [
    ('{"question": "\\ud800谁负责"}', 400, "lone surrogate"),
    ('{"question": "谁负责学前教育？", "history": ["\\udfff"]}', 400, "lone surrogate"),
    ('{"question": "谁负责学前教育？", "document": "\\ud800"}', 400, "lone surrogate"),
    (b'{"question": "\xff\xfe"}', 400, "UTF-8"),
    ('{"question": "\\u0001\\u0002\\u200b"}', 400, "question is empty"),
    ('{"question": "谁负责学前教育？", "history": ["\\u0007"]}', 400, "history[0] is empty"),
    ("[" * 5000 + "]" * 5000, 400, "nested"),
    ('{"question": ' + "9" * 5000 + "}", 400, "not valid JSON"),
    ("{not json", 400, "not valid JSON"),
    ('{"question": "' + "问" * 30000 + '"}', 413, "64 KB"),
])
def test_bad_ask_bodies_are_4xx_errors_that_say_why(http, body, status, says):
    assert says in _error(http.post("/api/ask", content=body, headers=JSON), status)


def test_control_characters_are_dropped_from_a_question(http):
    clean = http.post("/api/ask", json={"question": QUESTION}).json()
    noisy = http.post("/api/ask", json={"question": "\u0000谁负责\u200b学前教育？\u0007"}).json()
    assert noisy["question"] == QUESTION and noisy["answer"] == clean["answer"]


@pytest.mark.parametrize("record, status", [
    ({"rating": "up", "question": "q", "answer": "a", "citations": ["\ud800"]}, 400),
    ({"rating": "up", "question": "q", "answer": "a", "citations": ["四" * 201]}, 422),
    ({"rating": "up", "question": "q" * 4001, "answer": "a"}, 422),
    ({"rating": "sideways", "question": "q", "answer": "a"}, 422),
])
def test_bad_feedback_is_refused_and_never_stored(http, web_server, record, status):
    import sqlite3

    def count():
        with sqlite3.connect(web_server["feedback_db"]) as connection:
            return connection.execute("SELECT COUNT(*) FROM feedback").fetchone()[0]

    before = count()
    body = json.dumps(record)   # ASCII escapes: a lone surrogate travels as "\ud800", as a client would send it
    _error(http.post("/api/feedback", content=body, headers=JSON), status)
    assert count() == before


def test_a_feedback_body_of_big_citations_is_413_before_it_is_read(http):
    big = json.dumps({"rating": "up", "question": "q", "answer": "a", "citations": ["x" * 1_000_000] * 100})
    assert "64 KB" in _error(http.post("/api/feedback", content=big, headers=JSON), 413)


@pytest.mark.parametrize("method", ["OPTIONS", "HEAD", "TRACE", "GET", "PUT", "DELETE"])
def test_wrong_methods_on_ask_are_405_naming_the_right_one(http, method):
    response = http.request(method, "/api/ask")
    assert response.status_code == 405 and response.headers["allow"] == "POST"
    if method != "HEAD":
        _error(response, 405)


@pytest.mark.parametrize("path", ["/api/documents", "/api/duties", "/healthz"])
def test_wrong_methods_on_get_routes_are_405(http, path):
    response = http.post(path, json={})
    assert "GET" in response.headers["allow"].split(", ")
    _error(response, 405)


def test_unknown_api_paths_are_404_errors(http):
    _error(http.get("/api/nothing-here"), 404)


@pytest.mark.parametrize("request_args", [
    ("POST", "/gradio_api/upload", {"files": {"files": ("x.txt", b"hello")}}),
    ("GET", "/gradio_api/file=/etc/hostname", {}),
    ("GET", "/gradio_api/proxy=http://127.0.0.1:1/", {}),
])
def test_gradio_file_routes_are_closed(http, request_args):
    method, path, extra = request_args
    assert "closed" in _error(http.request(method, path, **extra), 403)


def test_idle_connections_are_closed_and_the_server_stays_reachable(web_server, http):
    host, port = web_server["url"].removeprefix("http://").split(":")
    idle = [socket.create_connection((host, int(port))) for _ in range(300)]
    try:
        assert http.get("/healthz").status_code == 200      # reachable while they idle
        time.sleep(IDLE_SECONDS + 1.5)
        for connection in idle:
            connection.settimeout(2)
            assert connection.recv(1) == b""               # closed by the server
    finally:
        for connection in idle:
            connection.close()
    assert http.post("/api/ask", json={"question": QUESTION}).status_code == 200


def test_a_request_that_trickles_in_is_closed(web_server, http):
    """Slowloris: a request head, or a body, sent a few bytes a second (never idle long enough for the
    idle timeout) is closed REQUEST_SECONDS after its first byte."""
    host, port = web_server["url"].removeprefix("http://").split(":")
    trickles = {"head": (b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n", b"X-Slow: 1\r\n"),
                "body": (b"POST /api/ask HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                         b"Content-Length: 1000\r\n\r\n{", b" ")}
    connections = {name: socket.create_connection((host, int(port))) for name in trickles}
    closed: dict[str, float] = {}
    try:
        for name, (start, _) in trickles.items():
            connections[name].sendall(start)
            connections[name].setblocking(False)
        started = time.perf_counter()
        while len(closed) < len(trickles) and time.perf_counter() - started < REQUEST_SECONDS + 6:
            time.sleep(1)
            for name, (_, more) in trickles.items():
                if name in closed:
                    continue
                try:
                    if connections[name].recv(1024) == b"":
                        closed[name] = time.perf_counter() - started
                        continue
                except BlockingIOError:
                    pass
                except OSError:
                    closed[name] = time.perf_counter() - started
                    continue
                connections[name].send(more)
    finally:
        for connection in connections.values():
            connection.close()
    assert set(closed) == set(trickles), closed
    assert all(IDLE_SECONDS < seconds <= REQUEST_SECONDS + 2 for seconds in closed.values()), closed
    assert http.post("/api/ask", json={"question": QUESTION}).status_code == 200


# ---------------------------------------------------------------- fuzzing

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
# Any code point, lone surrogates (what invalid UTF-8 decodes to) and control characters included.
any_text = st.text(st.characters(exclude_categories=()), max_size=200)
json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | any_text,
                           lambda children: st.lists(children, max_size=4)
                           | st.dictionaries(st.text(max_size=10), children, max_size=4), max_leaves=20)
ask_bodies = st.fixed_dictionaries({"question": any_text},
                                   optional={"history": st.lists(any_text, max_size=3),
                                             "document": st.none() | any_text})


@FUZZ
@given(st.text(st.characters(exclude_categories=("Cs",)), max_size=2000))
def test_the_parser_reads_any_text(text):
    tree = parse_policy(text, document_id="fuzz")
    assert all(clause.text for clause in tree.clauses)


@FUZZ
@given(question=any_text, history=st.lists(any_text, max_size=2))
def test_the_query_path_answers_or_refuses_any_text(assistant, question, history):
    try:
        answer = assistant.ask(question, history)
    except InvalidQuestion as error:
        assert str(error)
        return
    json.dumps(answer.to_dict(), ensure_ascii=False).encode("utf-8")   # sendable as it is


@FUZZ
@given(body=ask_bodies | json_values)
def test_the_api_never_fails_on_any_json(http, body):
    for path in ("/api/ask", "/api/feedback"):
        response = http.post(path, content=json.dumps(body), headers=JSON)
        assert response.status_code < 500, (path, body, response.text)
        if response.status_code >= 400:
            assert set(response.json()) == {"error"}


@FUZZ
@given(st.binary(max_size=300))
def test_the_api_never_fails_on_any_bytes(http, body):
    response = http.post("/api/ask", content=body, headers=JSON)
    assert response.status_code in (200, 400, 422) and response.json()


def test_an_unusable_feedback_file_stops_the_app_with_one_line(store_dir, tmp_path):
    import os
    import subprocess
    import sys

    from assistant.settings import PROJECT_ROOT
    from eval.webapp import free_port

    not_sqlite = tmp_path / "feedback.sqlite3"
    not_sqlite.write_bytes(b"this is not a database" * 100)
    environment = {**os.environ, "ASSISTANT_STORE": str(store_dir), "ASSISTANT_FEEDBACK_DB": str(not_sqlite)}
    result = subprocess.run([sys.executable, "app.py", "--port", str(free_port())], cwd=PROJECT_ROOT, env=environment,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.startswith("error: ASSISTANT_FEEDBACK_DB") and len(result.stderr.strip().splitlines()) == 1


def test_the_load_script_reports_each_level_and_draws_the_curve(web_server, tmp_path, capsys):
    from eval.load import main

    assert main(["--url", web_server["url"], "--levels", "1,4", "--requests", "40",
                 "--plot", str(tmp_path / "load.png")]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(row["concurrency"], row["requests"], row["errors"]) for row in rows] == [(1, 40, 0), (4, 40, 0)]
    assert all(row["p50_ms"] <= row["p95_ms"] <= row["p99_ms"] for row in rows)
    assert (tmp_path / "load.png").read_bytes().startswith(b"\x89PNG")
