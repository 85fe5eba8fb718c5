"""👍/👎 on answers, kept in a SQLite file with the question, the answer, its citations and the time.

    >>> store = FeedbackStore("/tmp/feedback-example.sqlite3")
    >>> record = store.add(Rating.UP, "谁负责学前教育？", "区教育局……", ["四（五）"])
    >>> store.export()[-1]["rating"]
    'up'

Writes are never lost silently. The file is in WAL mode, so readers (an export) never block a
write; a write that finds the database locked by another process waits, retrying with backoff, up
to ``WRITE_SECONDS``; if it still cannot be written it raises :class:`FeedbackUnavailable` (the
web API answers 503) and nothing was stored. A write that returned is committed with
``synchronous=FULL``: WAL is fsynced at every commit, so it survives the process being killed and
a power cut too (``NORMAL`` would survive the kill but could lose the last commits on a power cut;
feedback is written rarely, so one fsync each costs nothing that matters).
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import TypeVar

from .records import Choice
from .text import has_lone_surrogate

SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,           -- UTC, ISO 8601
    rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    citations TEXT NOT NULL,            -- JSON list of clause ids
    refused INTEGER NOT NULL DEFAULT 0
)
"""


# The columns of a record, in the order ``export`` returns them.
COLUMNS = ("id", "created_at", "rating", "question", "answer", "citations", "refused")
# A write waits this long in all for a database another process holds locked ...
WRITE_SECONDS = 30.0
# ... in attempts during which SQLite itself waits up to BUSY_SECONDS, with a backoff between them.
BUSY_SECONDS = 5.0
FIRST_BACKOFF_SECONDS = 0.05
MAX_BACKOFF_SECONDS = 1.0

Result = TypeVar("Result")


class FeedbackUnavailable(RuntimeError):
    """The feedback could not be written (the database stayed locked, or cannot be written at all):
    nothing was stored, and the caller must say so (the web API answers 503). The message names no
    path, so it can be shown to a client."""


class NotAFeedbackDatabase(ValueError):
    """The file given to export is missing, not SQLite, or holds no feedback table."""


class Rating(Choice):
    UP = "up"
    DOWN = "down"

    @classmethod
    def label(cls) -> str:
        return "rating"


class FeedbackStore:
    def __init__(self, path: Path | str, write_seconds: float = WRITE_SECONDS) -> None:
        self.path = Path(path)
        self.write_seconds = write_seconds
        self._lock = threading.Lock()  # the web server writes from worker threads: one at a time
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise FeedbackUnavailable(f"cannot create the folder of the feedback database ({error})") from None
        self._write(lambda connection: connection.execute(SCHEMA))

    def add(self, rating: Rating, question: str, answer: str, citation_ids: list[str],
            refused: bool = False) -> dict:
        """Store one rating and return it with its id; ValueError for text that is not valid Unicode,
        :class:`FeedbackUnavailable` when it cannot be stored in ``write_seconds``."""
        for name, text in [("question", question), ("answer", answer),
                           *((f"citations[{index}]", cited) for index, cited in enumerate(citation_ids))]:
            _check_text(name, text)
        record = {"created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"), "rating": rating.value,
                  "question": question, "answer": answer, "citations": list(citation_ids), "refused": refused}
        row = (record["created_at"], record["rating"], question, answer,
               json.dumps(record["citations"], ensure_ascii=False), int(refused))
        record["id"] = self._write(lambda connection: connection.execute(
            "INSERT INTO feedback (created_at, rating, question, answer, citations, refused) VALUES (?, ?, ?, ?, ?, ?)",
            row).lastrowid)
        return record

    def export(self) -> list[dict]:
        """Every record, oldest first."""
        return read_feedback(self.path)

    def connect(self, busy_seconds: float = BUSY_SECONDS) -> sqlite3.Connection:
        """A connection as every write uses: WAL, fsync at every commit, SQLite waiting ``busy_seconds``
        for a lock, and transactions begun explicitly."""
        connection = sqlite3.connect(self.path, timeout=busy_seconds, isolation_level=None)
        try:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=FULL")
        except sqlite3.Error:
            connection.close()
            raise
        return connection

    def _write(self, change: Callable[[sqlite3.Connection], Result]) -> Result:
        """Run ``change`` in one committed transaction, retrying while the database is locked until
        ``write_seconds`` have passed."""
        deadline = time.monotonic() + self.write_seconds
        if not self._lock.acquire(timeout=self.write_seconds):
            raise FeedbackUnavailable(f"the feedback database stayed busy for {self.write_seconds:g} s: "
                                      "nothing was written")
        try:
            return self._write_until(change, deadline)
        finally:
            self._lock.release()

    def _write_until(self, change: Callable[[sqlite3.Connection], Result], deadline: float) -> Result:
        backoff = FIRST_BACKOFF_SECONDS
        while True:
            try:
                return self._attempt(change, min(BUSY_SECONDS, max(0.0, deadline - time.monotonic())))
            except sqlite3.Error as error:
                if not _is_locked(error):
                    raise FeedbackUnavailable(f"the feedback database cannot be written ({error})") from error
                if time.monotonic() + backoff > deadline:
                    raise FeedbackUnavailable(f"the feedback database stayed locked by another process for "
                                              f"{self.write_seconds:g} s: nothing was written") from error
            time.sleep(backoff)
            backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)

    def _attempt(self, change: Callable[[sqlite3.Connection], Result], busy_seconds: float) -> Result:
        # BEGIN IMMEDIATE takes the write lock first, so SQLite's own wait applies to it (a deferred
        # transaction upgrading from a read could fail at once instead).
        connection = self.connect(busy_seconds)
        try:
            connection.execute("BEGIN IMMEDIATE")
            result = change(connection)
            connection.execute("COMMIT")
            return result
        finally:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            connection.close()


def read_feedback(path: Path | str) -> list[dict]:
    """Every record of a feedback database, oldest first. The file is opened read-only, so pointing
    an export at the wrong file never changes it; :class:`NotAFeedbackDatabase` says what it is not."""
    path = Path(path)
    if not path.is_file():
        raise NotAFeedbackDatabase(f"no feedback file at {path}")
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            rows = _feedback_rows(connection, path)
        finally:
            connection.close()
    except sqlite3.Error as error:
        raise NotAFeedbackDatabase(f"{path} is not a feedback database ({error})") from None
    records = [dict(zip(COLUMNS, row)) for row in rows]
    for record in records:
        record["citations"] = json.loads(record["citations"])
        record["refused"] = bool(record["refused"])
    return records


def _feedback_rows(connection: sqlite3.Connection, path: Path) -> list[tuple]:
    if not connection.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'feedback'").fetchone():
        raise NotAFeedbackDatabase(f"{path} is not a feedback database: it has no feedback table")
    return connection.execute(f"SELECT {', '.join(COLUMNS)} FROM feedback ORDER BY id").fetchall()


def _check_text(name: str, text: object) -> None:
    """Refuse what SQLite could only store as undecodable bytes: a lone surrogate (``"\\ud800"``)."""
    if not isinstance(text, str):
        raise ValueError(f"{name} must be text, not {type(text).__name__}")
    if has_lone_surrogate(text):
        raise ValueError(f"{name} holds a lone surrogate (\\ud800-\\udfff), which is not text and cannot be stored")


def _is_locked(error: sqlite3.Error) -> bool:
    """SQLITE_BUSY or SQLITE_LOCKED (any extended code): another connection holds the lock."""
    return getattr(error, "sqlite_errorname", "").startswith(("SQLITE_BUSY", "SQLITE_LOCKED"))
