"""Hostile input to ``python -m assistant`` and ``python app.py``, through subprocesses: bytes that are
not UTF-8, lone surrogates and control characters in arguments, batch lines and chat lines, and
settings the assistant cannot work with. Never a traceback; a batch answers every good line."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from assistant.settings import DATA_DIR, DEFAULT_CORPUS, PROJECT_ROOT
from eval.webapp import free_port

FLAGSHIP = DEFAULT_CORPUS / "xiqing-education-plan-2023-2025.md"
FLAGSHIP_ID = "xiqing-education-plan-2023-2025"


@pytest.fixture(scope="module")
def run_bytes(store_dir, assistant):
    """``python -m assistant`` (or ``app.py``) with bytes for arguments and stdin, against the session's store."""

    def run(*args: str | bytes, stdin: bytes = b"", env: dict | None = None, script: str | None = None,
            timeout: float = 300) -> subprocess.CompletedProcess:
        environment = {**os.environ, "ASSISTANT_STORE": str(store_dir), "ASSISTANT_SHOW_PROGRESS": "false",
                       **(env or {})}
        command = [sys.executable, script] if script else [sys.executable, "-m", "assistant"]
        return subprocess.run([*command, *args], input=stdin, capture_output=True, cwd=PROJECT_ROOT,
                              env=environment, timeout=timeout)

    return run


def _one_error_line(result: subprocess.CompletedProcess) -> str:
    stderr = result.stderr.decode("utf-8")
    assert result.returncode == 2, (result.stdout, stderr)
    assert stderr.startswith("error: ") and "Traceback" not in stderr, stderr
    assert len(stderr.strip().splitlines()) == 1, stderr
    return stderr


def _json_lines(result: subprocess.CompletedProcess) -> list[dict]:
    return [json.loads(line) for line in result.stdout.decode("utf-8").splitlines()]


# ---------------------------------------------------------------- the batch (ask -)


BATCH = [
    "谁负责学前教育？".encode(),
    b"\xff\xfe" + "谁负责？".encode(),                                  # not UTF-8
    b'{"question": "\\ud800\xe8\xb0\x81\xe8\xb4\x9f\xe8\xb4\xa3"}',   # a lone surrogate, escaped in JSON
    "\x01\x02\u200b".encode(),                                          # only control characters
    b'{"history": ["x"]}',                                              # no question
    '{"question": "谁负责？",}'.encode(),                               # not valid JSON
    '{"question": "那目标是多少？", "history": ["\\udfff"]}'.encode(),  # a lone surrogate in the history
    "七项攻坚行动分别是什么？".encode(),
]
BAD_LINES = {2: "not valid UTF-8", 3: "lone surrogate", 4: "only control characters", 5: "question is missing",
             6: "not valid JSON", 7: "history[0]"}


def test_a_batch_reports_each_bad_line_in_its_place_and_answers_every_good_one(run_bytes):
    # The last line has no newline; stdout is strict UTF-8, so a lone surrogate printed would be a traceback.
    result = run_bytes("ask", "--json", "-", stdin=b"\n".join(BATCH), env={"PYTHONIOENCODING": "utf-8:strict"})
    assert result.returncode == 1 and result.stderr == b"", result.stderr.decode()
    lines = _json_lines(result)
    assert len(lines) == len(BATCH)
    for number, says in BAD_LINES.items():
        record = lines[number - 1]
        assert set(record) == {"line", "question", "error"} and record["line"] == number, record
        assert says in record["error"], record
    assert lines[1]["question"] is None and lines[2]["question"] is None   # undecodable: not echoed
    assert lines[0]["citations"][0]["id"] == "四（五）" and lines[0]["question"] == "谁负责学前教育？"
    assert lines[7]["answer"] and lines[7]["question"] == "七项攻坚行动分别是什么？"


def test_a_readable_batch_reports_bad_lines_in_place_too(run_bytes):
    result = run_bytes("ask", "-", stdin=b"\xff\n" + "谁负责学前教育？\n".encode())
    assert result.returncode == 1, result.stderr.decode()
    stdout = result.stdout.decode("utf-8")
    assert stdout.startswith("error: line 1: the line is not valid UTF-8 (byte 0xff at offset 0)\n")
    assert "[四（五）]" in stdout


def test_a_batch_of_good_lines_exits_0_and_a_bom_is_no_question(run_bytes):
    result = run_bytes("ask", "--json", "-", stdin="\ufeff谁负责学前教育？\r\n七项攻坚行动分别是什么？\n".encode())
    assert result.returncode == 0, result.stderr.decode()
    lines = _json_lines(result)
    assert [line["question"] for line in lines] == ["谁负责学前教育？", "七项攻坚行动分别是什么？"]


# ---------------------------------------------------------------- arguments and chat lines


@pytest.mark.parametrize("args, says", [
    ((b"ask", b"\xff\xfe"), "the question argument is not valid UTF-8 text: \\xff\\xfe"),
    ((b"ask", b"--json", b"--document", b"plan\xff", "谁负责？".encode()), "--document argument"),
    ((b"ask", b"--json", b"--document", b"\xff", b"-"), "--document argument"),
    ((b"ask", b"--mode", b"\xe9", b"x"), "--mode argument"),
    ((b"docs", b"remove", b"\xff"), "the ID argument"),
    ((b"outline", b"--document", b"\xff"), "--document argument"),
    ((b"chat", b"--document", b"\xff"), "--document argument"),
    ((b"ask", b"\x01\x02"), "only control characters"),
])
def test_undecodable_or_empty_arguments_are_one_error_line(run_bytes, args, says):
    assert says in _one_error_line(run_bytes(*args))


def test_chat_says_what_is_wrong_with_a_line_and_goes_on(run_bytes):
    # Strict stdin and stdout: bytes that are not UTF-8 must neither stop input() nor be printed back.
    lines = [b"\xff\xfe", b"\x01\x07", "谁负责学前教育？".encode(), b"exit"]
    result = run_bytes("chat", stdin=b"\n".join(lines) + b"\n", env={"PYTHONIOENCODING": "utf-8:strict"})
    assert result.returncode == 0 and result.stderr == b"", result.stderr.decode()
    stdout = result.stdout.decode("utf-8")
    assert "（question is not valid UTF-8 text (it holds a lone surrogate)）" in stdout
    assert "（question is empty (it holds only control characters)）" in stdout
    assert "区教育局" in stdout and "[四（五）]" in stdout


# ---------------------------------------------------------------- settings


BAD_SETTINGS = [
    ({"ASSISTANT_TOP_K": "0"}, "ASSISTANT_TOP_K must be a whole number from 1 to 1000, got 0"),
    ({"ASSISTANT_TOP_K": "99999999999999999999"}, "ASSISTANT_TOP_K must be a whole number"),
    ({"ASSISTANT_TOP_K": "many"}, "ASSISTANT_TOP_K: Input should be a valid integer"),
    ({"ASSISTANT_PORT": "0"}, "ASSISTANT_PORT must be a whole number from 1 to 65535, got 0"),
    ({"ASSISTANT_PORT": "70000"}, "ASSISTANT_PORT must be a whole number from 1 to 65535, got 70000"),
    ({"ASSISTANT_PORT": "http"}, "ASSISTANT_PORT: Input should be a valid integer"),
    ({"ASSISTANT_RRF_K": "-60"}, "ASSISTANT_RRF_K must be a whole number from 0"),
    ({"ASSISTANT_LEXICON_DIR": "/nonexistent/lexicon"}, "ASSISTANT_LEXICON_DIR names no folder: /nonexistent/lexicon"),
    ({"ASSISTANT_LEXICON_DIR": str(PROJECT_ROOT / "prompts")}, "ASSISTANT_LEXICON_DIR"),
    ({"ASSISTANT_PROMPTS_DIR": "/nonexistent/prompts"}, "ASSISTANT_PROMPTS_DIR names no folder: /nonexistent/prompts"),
    ({"ASSISTANT_EMBEDDING_MODEL": "no-such-model"}, "unknown embedding model 'no-such-model'"),
]
COMMANDS = [(("ask", "谁负责学前教育？"), b""), (("index",), b""), (("ask", "--json", "-"), "谁负责？\n".encode()),
            (("chat",), "谁负责？\n".encode())]


@pytest.fixture
def own_store(tmp_path) -> dict:
    """A store of the test's own and a one-file corpus: a check that failed to stop a command would
    build it, not touch the session's store."""
    return {"ASSISTANT_STORE": str(tmp_path / "store"), "ASSISTANT_CORPUS": json.dumps([str(FLAGSHIP)])}


@pytest.mark.parametrize("setting, says", BAD_SETTINGS)
def test_bad_settings_are_one_error_line_in_every_command(run_bytes, own_store, setting, says):
    for args, stdin in COMMANDS:
        stderr = _one_error_line(run_bytes(*args, stdin=stdin, env={**own_store, **setting}))
        assert says in stderr, (args, stderr)


@pytest.mark.parametrize("setting, says", BAD_SETTINGS)
def test_bad_settings_stop_the_web_app_with_one_error_line(run_bytes, own_store, setting, says):
    # A check that failed would leave the server running: the timeout ends the test as a failure.
    result = run_bytes("--port", str(free_port()), script="app.py", env={**own_store, **setting}, timeout=60)
    assert says in _one_error_line(result)


# A lexicon or prompts file broken in place: (folder setting, file, its new bytes, what the one line says).
BROKEN_FILES = [
    ("LEXICON_DIR", "synonyms.toml", b"[terms\n", "synonyms.toml is not valid TOML (Expected ']'"),
    ("LEXICON_DIR", "units.toml", b"[other]\n", "lacks the entry 'aliases'"),
    ("LEXICON_DIR", "scope.toml", DATA_DIR.joinpath("lexicon", "scope.toml").read_bytes().replace(
        b"min_covered_share =", b"min_covered_share = 'half' #"), "holds an entry that cannot be used"),
    ("LEXICON_DIR", "stopwords.txt", "的\n了\n".encode("gb18030") + b"\xff\xfe", "stopwords.txt is not UTF-8 text"),
    ("PROMPTS_DIR", "answers.toml", b"refusal = \n", "answers.toml is not valid TOML"),
]


@pytest.mark.parametrize("setting, name, content, says", BROKEN_FILES)
def test_a_broken_lexicon_or_prompts_file_is_one_error_line(run_bytes, own_store, tmp_path, setting, name, content,
                                                            says):
    shipped = DATA_DIR / "lexicon" if setting == "LEXICON_DIR" else PROJECT_ROOT / "prompts"
    folder = shutil.copytree(shipped, tmp_path / shipped.name)
    (folder / name).write_bytes(content)
    env = {**own_store, f"ASSISTANT_{setting}": str(folder)}
    for args, stdin in COMMANDS:
        assert says in _one_error_line(run_bytes(*args, stdin=stdin, env=env)), args
    result = run_bytes("--port", str(free_port()), script="app.py", env=env, timeout=60)
    assert says in _one_error_line(result)


# ---------------------------------------------------------------- no network for an unknown model


# Loaded into every Python process of the test: a connection anywhere but this machine is written
# down and refused, so a model name that reached the Hugging Face hub would show in the log.
NO_NETWORK = textwrap.dedent('''
    import ipaddress, os, socket

    _LOG = os.environ["NETWORK_LOG"]

    def _local(host):
        host = host.decode() if isinstance(host, bytes) else str(host or "localhost")
        try:
            return host == "localhost" or ipaddress.ip_address(host.split("%")[0]).is_loopback
        except ValueError:
            return False

    def _refuse(what):
        with open(_LOG, "a") as log:
            log.write(f"{what}\\n")
        raise OSError(f"network disabled by the test: {what}")

    _getaddrinfo, _connect = socket.getaddrinfo, socket.socket.connect

    def getaddrinfo(host, *args, **kwargs):
        if not _local(host):
            _refuse(f"getaddrinfo {host}")
        return _getaddrinfo(host, *args, **kwargs)

    def connect(self, address):
        if self.family != socket.AF_UNIX and not _local(address[0]):
            _refuse(f"connect {address}")
        return _connect(self, address)

    socket.getaddrinfo, socket.socket.connect = getaddrinfo, connect
''')


@pytest.fixture
def no_network(tmp_path) -> dict:
    """The environment that loads NO_NETWORK (as ``sitecustomize``); it logs to ``NETWORK_LOG``."""
    folder = tmp_path / "no-network"
    folder.mkdir()
    (folder / "sitecustomize.py").write_text(NO_NETWORK, encoding="utf-8")
    return {"PYTHONPATH": os.pathsep.join(filter(None, [str(folder), os.environ.get("PYTHONPATH")])),
            "NETWORK_LOG": str(tmp_path / "network.log")}


def test_the_network_guard_catches_a_hub_request(run_bytes, no_network, tmp_path):
    """The guard works: a request to the hub is logged (else the test below would prove nothing)."""
    probe = tmp_path / "probe.py"
    probe.write_text("import urllib.request\ntry:\n    urllib.request.urlopen('https://huggingface.co', timeout=5)\n"
                     "except OSError:\n    pass\n", encoding="utf-8")
    assert run_bytes(script=str(probe), env=no_network).returncode == 0
    assert "getaddrinfo huggingface.co" in Path(no_network["NETWORK_LOG"]).read_text(encoding="utf-8")


def test_an_unknown_model_fails_before_any_network_access(run_bytes, no_network, own_store):
    # HF_HUB_OFFLINE=0 lets the hub libraries try the network: only the check before them stops it.
    env = {**own_store, **no_network, "HF_HUB_OFFLINE": "0", "ASSISTANT_EMBEDDING_MODEL": "no-such-model"}
    for args, stdin in COMMANDS:
        assert "no-such-model" in _one_error_line(run_bytes(*args, stdin=stdin, env=env))
    app = run_bytes("--port", str(free_port()), script="app.py", env=env, timeout=60)
    assert "no-such-model" in _one_error_line(app)
    log = Path(no_network["NETWORK_LOG"])
    assert not log.exists(), log.read_text(encoding="utf-8")
