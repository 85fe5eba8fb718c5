"""Shared fixtures: the shipped corpus, a real Chroma store in a temporary folder, one loaded assistant."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.engine import Assistant
from assistant.parser import parse_policy_file
from assistant.settings import DEFAULT_CORPUS, PROJECT_ROOT, Settings


@pytest.fixture(scope="session")
def tree():
    return parse_policy_file(DEFAULT_CORPUS)


@pytest.fixture(scope="session")
def store_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("store") / "chroma"


@pytest.fixture(scope="session")
def settings(store_dir) -> Settings:
    return Settings(store=store_dir, show_progress=False)


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
