"""👍/👎 feedback in SQLite: never lost, never written as undecodable text, and an export that changes
no file. The server tests run ``python app.py`` with a feedback file of their own: one holds the
database locked from another process, one kills the server while it writes."""

from __future__ import annotations

import hashlib
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from assistant.feedback import FeedbackStore, FeedbackUnavailable, Rating
from eval.webapp import running_app

LOCK_SECONDS = 12
# Another process takes the write lock, says so, keeps it LOCK_SECONDS, then commits.
HOLD_LOCK = """
import sqlite3, sys, time
connection = sqlite3.connect(sys.argv[1], isolation_level=None)
connection.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
connection.execute("COMMIT")
"""


def _record(question: str) -> dict:
    return {"rating": "up", "question": question, "answer": "区教育局……", "citations": ["四（五）"]}


def _questions(db) -> list[str]:
    with sqlite3.connect(db) as connection:
        return [row[0] for row in connection.execute("SELECT question FROM feedback ORDER BY id")]


@pytest.fixture
def server_env(store_dir, assistant, tmp_path) -> dict:
    """The environment of a ``python app.py`` on the session's store with a feedback file of its own."""
    return {**os.environ, "ASSISTANT_STORE": str(store_dir), "ASSISTANT_SHOW_PROGRESS": "false",
            "ASSISTANT_FEEDBACK_DB": str(tmp_path / "feedback.sqlite3")}


def _hold_lock(db, seconds: float) -> subprocess.Popen:
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(db), str(seconds)], stdout=subprocess.PIPE,
                              text=True)
    assert holder.stdout.readline().strip() == "locked"
    return holder


# ---------------------------------------------------------------- over HTTP


def test_feedback_posted_while_another_process_holds_the_lock_is_stored_after_it(server_env, tmp_path):
    db = server_env["ASSISTANT_FEEDBACK_DB"]
    with open(tmp_path / "server.log", "w") as log, running_app(server_env, log) as app:
        holder = _hold_lock(db, LOCK_SECONDS)
        started = time.monotonic()

        def post(number: int) -> tuple[int, float]:
            with httpx.Client(base_url=app.url, timeout=60) as client:
                status = client.post("/api/feedback", json=_record(f"锁住时的反馈 {number}")).status_code
            return status, time.monotonic() - started

        with ThreadPoolExecutor(max_workers=3) as pool:
            results = list(pool.map(post, range(3)))
        assert holder.wait(timeout=30) == 0
    assert [status for status, _ in results] == [201, 201, 201]
    assert min(seconds for _, seconds in results) >= LOCK_SECONDS - 2   # they did wait for the lock
    assert sorted(_questions(db)) == [f"锁住时的反馈 {number}" for number in range(3)]


def test_killing_the_server_mid_write_loses_no_acknowledged_feedback(server_env, tmp_path, run_cli):
    db = server_env["ASSISTANT_FEEDBACK_DB"]
    acknowledged: list[str] = []
    stop = threading.Event()

    def post_until_stopped(url: str, worker: int) -> None:
        with httpx.Client(base_url=url, timeout=30) as client:
            for number in range(10_000):
                if stop.is_set():
                    return
                question = f"反馈 {worker}-{number}"
                try:
                    if client.post("/api/feedback", json=_record(question)).status_code == 201:
                        acknowledged.append(question)
                except httpx.HTTPError:   # the server is gone
                    return

    with open(tmp_path / "server.log", "w") as log, running_app(server_env, log) as app:
        workers = [threading.Thread(target=post_until_stopped, args=(app.url, worker)) for worker in range(4)]
        for worker in workers:
            worker.start()
        deadline = time.monotonic() + 60
        while len(acknowledged) < 60:
            assert time.monotonic() < deadline, "the server acknowledged too little feedback"
            time.sleep(0.01)
        os.kill(app.process.pid, signal.SIGKILL)   # while the workers are still posting
        app.process.wait(timeout=10)
        stop.set()
        for worker in workers:
            worker.join(timeout=30)
    with sqlite3.connect(db) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert set(acknowledged) <= set(_questions(db))
    with open(tmp_path / "restarted.log", "w") as log, running_app(server_env, log) as app:
        response = httpx.post(f"{app.url}/api/feedback", json=_record("重启后的反馈"), timeout=30)
        assert response.status_code == 201 and response.json()["question"] == "重启后的反馈"
    exported = run_cli("feedback", "export", "--db", db)
    assert exported.returncode == 0 and "重启后的反馈" in exported.stdout


# ---------------------------------------------------------------- the store itself


def test_a_write_that_cannot_get_the_lock_in_time_raises_feedback_unavailable(tmp_path):
    db = tmp_path / "feedback.sqlite3"
    store = FeedbackStore(db, write_seconds=1.5)
    holder = _hold_lock(db, 4)
    started = time.monotonic()
    with pytest.raises(FeedbackUnavailable, match="stayed locked by another process for 1.5 s"):
        store.add(Rating.UP, "等不到锁的反馈", "答", [])
    assert 1.0 < time.monotonic() - started < 3.5
    assert holder.wait(timeout=30) == 0
    assert _questions(db) == []                       # nothing half-written
    store.add(Rating.DOWN, "锁放开后的反馈", "答", [])   # and the store works once the lock is gone
    assert _questions(db) == ["锁放开后的反馈"]


def test_a_file_that_cannot_hold_feedback_is_feedback_unavailable(tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("not a database\n" * 100, encoding="utf-8")
    with pytest.raises(FeedbackUnavailable, match="cannot be written"):
        FeedbackStore(text)


@pytest.mark.parametrize("field, arguments", [
    ("question", ("\ud800谁负责？", "答", [])),
    ("answer", ("谁负责？", "区教育局\udcff", [])),
    ("citations[1]", ("谁负责？", "答", ["四（五）", "\udfff"])),
])
def test_lone_surrogates_are_refused_and_nothing_is_written(tmp_path, field, arguments):
    store = FeedbackStore(tmp_path / "feedback.sqlite3")
    with pytest.raises(ValueError, match=rf"^{re.escape(field)} holds a lone surrogate"):
        store.add(Rating.UP, *arguments)
    assert store.export() == []


def test_the_file_is_in_wal_mode_and_every_commit_is_fsynced(tmp_path):
    store = FeedbackStore(tmp_path / "feedback.sqlite3")
    store.add(Rating.UP, "谁负责？", "答", ["四（五）"])
    with sqlite3.connect(store.path) as plain:   # WAL is a property of the file
        assert plain.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    connection = store.connect()
    try:
        assert connection.execute("PRAGMA synchronous").fetchone()[0] == 2   # FULL
    finally:
        connection.close()
    assert [record["question"] for record in store.export()] == ["谁负责？"]


# ---------------------------------------------------------------- export


def _write_unrelated_sqlite(path) -> None:
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE notes (body TEXT)")
        connection.execute("INSERT INTO notes VALUES ('keep me')")
    connection.close()


def _write_other_feedback_table(path) -> None:
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE feedback (stars INTEGER)")
    connection.close()


@pytest.mark.parametrize("make, says", [
    (_write_unrelated_sqlite, "is not a feedback database: it has no feedback table"),
    (_write_other_feedback_table, "is not a feedback database (no such column"),
    (lambda path: path.write_text("question,answer\n谁负责？,区教育局\n", encoding="utf-8"),
     "is not a feedback database (file is not a database)"),
    (lambda path: path.write_bytes(b""), "it has no feedback table"),
    (lambda path: None, "no feedback file at"),
])
def test_export_of_a_file_that_is_not_a_feedback_database_changes_nothing(run_cli, tmp_path, make, says):
    folder = tmp_path / "files"
    folder.mkdir()
    path = folder / "data.sqlite3"
    make(path)

    def snapshot() -> dict:
        return {file.name: hashlib.sha256(file.read_bytes()).hexdigest() for file in folder.iterdir()}

    before = snapshot()
    result = run_cli("feedback", "export", "--db", str(path))
    assert result.returncode == 2 and result.stderr.startswith("error: ") and says in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert snapshot() == before   # byte for byte, and no journal or table created beside it


def test_export_reads_a_feedback_database_without_writing_to_it(run_cli, tmp_path):
    store = FeedbackStore(tmp_path / "feedback.sqlite3")
    store.add(Rating.DOWN, "谁负责学前教育？", "区教育局……", ["四（五）"], refused=False)
    digest = hashlib.sha256(store.path.read_bytes()).hexdigest()
    result = run_cli("feedback", "export", "--format", "csv", "--db", str(store.path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[1].endswith(",down,谁负责学前教育？,区教育局……,四（五）,False")
    assert hashlib.sha256(store.path.read_bytes()).hexdigest() == digest
