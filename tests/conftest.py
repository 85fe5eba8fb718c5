"""Shared fixtures: the flagship policy alone (its gold set), a real Chroma store in a temporary folder,
one loaded assistant; and a library of several documents."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.engine import Assistant
from assistant.parser import parse_policy_file
from assistant.settings import DEFAULT_CORPUS, PROJECT_ROOT, Settings


FLAGSHIP = DEFAULT_CORPUS / "xiqing-education-plan-2023-2025.md"


def items_in_part(tree, part_title: str):
    """The items of the part with this title (重点任务, 攻坚行动 …)."""
    return [item for item in tree.items if item.part_title == part_title]


@pytest.fixture(scope="session")
def tree():
    return parse_policy_file(FLAGSHIP)


@pytest.fixture(scope="session")
def store_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("store") / "chroma"


@pytest.fixture(scope="session")
def settings(store_dir) -> Settings:
    return Settings(store=store_dir, corpus=[FLAGSHIP], show_progress=False)


@pytest.fixture(scope="session")
def assistant(settings) -> Assistant:
    return Assistant.load(settings)


@pytest.fixture(scope="session")
def run_cli(store_dir, assistant):
    """Run ``python -m assistant`` (or another ``module``) against the session's store."""

    def run(*args: str, stdin: str | None = None, env: dict | None = None,
            module: str = "assistant") -> subprocess.CompletedProcess:
        environment = {**os.environ, "ASSISTANT_STORE": str(store_dir), "ASSISTANT_SHOW_PROGRESS": "false",
                       **(env or {})}
        return subprocess.run([sys.executable, "-m", module, *args], input=stdin, capture_output=True,
                              text=True, cwd=PROJECT_ROOT, env=environment, timeout=300)

    return run


@pytest.fixture(scope="session")
def web_server(store_dir, assistant, tmp_path_factory):
    """``python app.py`` on a free loopback port, with the session's store and its own feedback file."""
    from eval.webapp import AppDidNotStart, running_app

    feedback_db = tmp_path_factory.mktemp("feedback") / "feedback.sqlite3"
    environment = {**os.environ, "ASSISTANT_STORE": str(store_dir), "ASSISTANT_SHOW_PROGRESS": "false",
                   "ASSISTANT_FEEDBACK_DB": str(feedback_db)}
    log = tmp_path_factory.mktemp("server") / "server.log"
    with open(log, "w") as output:
        try:
            with running_app(environment, output) as app:
                yield {"url": app.url, "feedback_db": feedback_db, "process": app.process}
        except AppDidNotStart as error:
            pytest.fail(f"{error}:\n{log.read_text()}")


LIBRARY_CORPUS = [DEFAULT_CORPUS, PROJECT_ROOT / "eval" / "library" / "dev"]


@pytest.fixture(scope="session")
def library_assistant(tmp_path_factory) -> Assistant:
    """The shipped corpus and the two dev documents of the library gold set: seven documents of five
    layouts, two of them editions of the same plan."""
    settings = Settings(store=tmp_path_factory.mktemp("library") / "store", corpus=LIBRARY_CORPUS,
                        show_progress=False)
    return Assistant.load(settings)
