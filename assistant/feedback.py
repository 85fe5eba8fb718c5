"""👍/👎 on answers, kept in a SQLite file with the question, the answer, its citations and the time.

    >>> store = FeedbackStore("/tmp/feedback-example.sqlite3")
    >>> record = store.add(Rating.UP, "谁负责学前教育？", "区教育局……", ["四（五）"])
    >>> store.export()[-1]["rating"]
    'up'
"""

from __future__ import annotations

import json
import sqlite3
import threading
from datetime import datetime, timezone
from pathlib import Path

from .records import Choice

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


class Rating(Choice):
    UP = "up"
    DOWN = "down"

    @classmethod
    def label(cls) -> str:
        return "rating"


class FeedbackStore:
    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()  # the web server writes from worker threads
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as connection:
            connection.execute(SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=10)

    def add(self, rating: Rating, question: str, answer: str, citation_ids: list[str],
            refused: bool = False) -> dict:
        record = {"created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"), "rating": rating.value,
                  "question": question, "answer": answer, "citations": list(citation_ids), "refused": refused}
        with self._lock, self._connect() as connection:
            cursor = connection.execute(
                "INSERT INTO feedback (created_at, rating, question, answer, citations, refused) VALUES (?, ?, ?, ?, ?, ?)",
                (record["created_at"], record["rating"], question, answer,
                 json.dumps(record["citations"], ensure_ascii=False), int(refused)))
            record["id"] = cursor.lastrowid
        return record

    def export(self) -> list[dict]:
        """Every record, oldest first."""
        with self._connect() as connection:
            rows = connection.execute(f"SELECT {', '.join(COLUMNS)} FROM feedback ORDER BY id").fetchall()
        records = [dict(zip(COLUMNS, row)) for row in rows]
        for record in records:
            record["citations"] = json.loads(record["citations"])
            record["refused"] = bool(record["refused"])
        return records
