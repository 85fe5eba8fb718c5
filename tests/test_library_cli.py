"""Building a library through the CLI: ``index``, ``docs list/add/remove``, bad files and bad settings.

Every test has its own real store in tmp_path, filled with small policies the tests write
(Markdown, a Word file with heading styles, a GB18030 text file).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from policies import (
    RURAL_ID,
    RURAL_TITLE,
    SPECIAL_ID,
    SPECIAL_TITLE,
    SPORTS_ID,
    SPORTS_TITLE,
    write_rural_rules_gb18030,
    write_special_plan_docx,
    write_sports_plan,
)

from assistant.settings import PROJECT_ROOT

DOCUMENT_FIELDS = {"id", "title", "issuer", "date", "doc_number", "place", "period", "origin", "source",
                   "clauses", "added_at"}


@pytest.fixture
def library(tmp_path):
    """``run(*args)``: ``python -m assistant`` on a store of its own; no ASSISTANT_CORPUS unless given."""
    store = tmp_path / "store"
    environment = {key: value for key, value in os.environ.items() if key != "ASSISTANT_CORPUS"}
    environment.update({"ASSISTANT_STORE": str(store), "ASSISTANT_SHOW_PROGRESS": "false"})

    def run(*args: str, stdin: str | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "assistant", *args], input=stdin, capture_output=True,
                              text=True, cwd=PROJECT_ROOT, env={**environment, **(env or {})}, timeout=300)

    run.store = store
    run.folder = tmp_path / "policies"
    run.folder.mkdir()
    return run


def _manifest(store: Path) -> dict:
    generation = _generation(store)
    return json.loads((store / generation / "manifest.json").read_text(encoding="utf-8"))


def _generation(store: Path) -> str:
    return (store / "CURRENT").read_text(encoding="utf-8").strip()


def _passages(manifest: dict, document_id: str) -> int:
    return next(document["passages"] for document in manifest["documents"] if document["id"] == document_id)


def _ok(result: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result


def _one_error_line(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert result.stderr.startswith("error: ") and "Traceback" not in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    return result.stderr


def _ask(library, question: str, *args: str, env: dict | None = None) -> dict:
    return json.loads(_ok(library("ask", "--json", *args, question, env=env)).stdout)


def test_docs_add_list_remove_across_formats(library):
    sports = write_sports_plan(library.folder)
    indexed = _ok(library("index", str(sports)))
    assert indexed.stdout.startswith("indexed 1 document, 7 clauses")
    first = _manifest(library.store)

    # A Word file with heading styles and a GB18030 text file: only they are embedded.
    docx, rural = write_special_plan_docx(library.folder), write_rural_rules_gb18030(library.folder)
    added = _ok(library("docs", "add", str(docx), str(rural)))
    assert f"added {SPECIAL_ID}, {RURAL_ID}" in added.stdout
    manifest = _manifest(library.store)
    assert manifest["embedded_passages"] == _passages(manifest, SPECIAL_ID) + _passages(manifest, RURAL_ID)
    assert _passages(manifest, SPORTS_ID) == _passages(first, SPORTS_ID)

    listing = json.loads(_ok(library("docs", "list", "--json")).stdout)
    assert listing["generation"] == _generation(library.store)
    documents = {document["id"]: document for document in listing["documents"]}
    assert list(documents) == [SPORTS_ID, SPECIAL_ID, RURAL_ID]
    assert all(set(document) == DOCUMENT_FIELDS for document in documents.values())
    assert documents[SPORTS_ID] | {"added_at": "", "source": ""} == {
        "id": SPORTS_ID, "title": SPORTS_TITLE, "issuer": "云溪区教育局", "date": "2024年3月1日", "doc_number": "",
        "place": "云溪区", "period": [2024, 2026], "origin": "corpus", "source": "", "clauses": 7, "added_at": ""}
    assert documents[SPECIAL_ID]["title"] == SPECIAL_TITLE and documents[SPECIAL_ID]["origin"] == "added"
    assert documents[SPECIAL_ID]["source"].endswith(".docx")
    assert documents[RURAL_ID]["title"] == RURAL_TITLE and documents[RURAL_ID]["clauses"] == 4

    text = _ok(library("docs", "list")).stdout
    assert text.startswith("3 documents in ") and f"{SPECIAL_ID}  [added, " in text and SPECIAL_TITLE in text
    assert "海棠区教育局，2024年5月20日，海棠区，2024—2027年" in text

    # Scoped questions, answered from the Word file and the GB18030 file, cite their documents.
    answer = _ask(library, "送教上门由谁牵头？", "--document", SPECIAL_ID)
    assert "区残联" in answer["answer"]
    assert {(c["document"], c["document_title"]) for c in answer["citations"]} == {(SPECIAL_ID, SPECIAL_TITLE)}
    answer = _ask(library, "农村小学生均图书不少于多少册？", "--document", RURAL_ID)
    assert "25册" in answer["answer"] and answer["citations"][0]["id"] == "第三条"

    # Adding an unchanged file again builds nothing.
    generation = _generation(library.store)
    again = _ok(library("docs", "add", str(docx)))
    assert "unchanged" in again.stdout and _generation(library.store) == generation

    # Removing a document embeds nothing; what is left keeps answering.
    removed = _ok(library("docs", "remove", SPECIAL_ID))
    assert removed.stdout.startswith(f"removed {SPECIAL_ID}; the library has 2 documents")
    manifest = _manifest(library.store)
    assert manifest["embedded_passages"] == 0
    assert [document["id"] for document in manifest["documents"]] == [SPORTS_ID, RURAL_ID]
    assert "no document" in _one_error_line(library("docs", "remove", SPECIAL_ID))
    assert SPECIAL_ID in _one_error_line(library("ask", "--document", SPECIAL_ID, "送教上门由谁牵头？"))
    assert "区住建委" in _ask(library, "谁负责建设运动场地？")["answer"]

    _ok(library("docs", "remove", RURAL_ID))
    assert "empty" in _one_error_line(library("docs", "remove", SPORTS_ID))


def test_a_changed_document_is_embedded_again_and_only_it(library):
    sports, rural = write_sports_plan(library.folder), write_rural_rules_gb18030(library.folder)
    _ok(library("index", str(library.folder)))
    rural.write_bytes(rural.read_bytes().replace("25".encode("gb18030"), "30".encode("gb18030")))
    result = _ok(library("index", str(sports), str(rural)))
    manifest = _manifest(library.store)
    assert f"reused {_passages(manifest, SPORTS_ID)})" in result.stdout
    assert manifest["embedded_passages"] == _passages(manifest, RURAL_ID)   # the changed document only
    assert "30册" in _ask(library, "农村小学生均图书不少于多少册？", "--document", RURAL_ID)["answer"]


def test_a_failed_build_keeps_the_previous_library_answering(library, tmp_path):
    from PIL import Image

    _ok(library("index", str(write_sports_plan(library.folder))))
    generation = _generation(library.store)
    bad = tmp_path / "bad"
    (bad / "a").mkdir(parents=True)
    (bad / "b").mkdir()
    empty = bad / "empty.md"
    empty.write_bytes(b"")
    binary = bad / "binary.txt"
    binary.write_bytes(bytes(range(256)) * 8)
    chat = bad / "chat.md"
    chat.write_text("今天天气很好。\n我们下午去公园散步，晚上一起吃饭。\n", encoding="utf-8")
    scanned = bad / "scanned.pdf"
    Image.new("RGB", (600, 800), "white").save(scanned)   # a page with no text layer
    write_sports_plan(bad / "a", name="plan")
    write_rural_rules_gb18030(bad / "b", name="plan")     # another file with the same id
    cases = {empty: "empty", binary: str(binary), chat: "does not look like a policy", scanned: str(scanned),
             bad / "a" / "plan.md": "would both be document 'plan'"}
    for path, message in cases.items():
        args = [str(path)] if path.parent.name != "a" else [str(path), str(bad / "b" / "plan.txt")]
        for command in (["index"], ["docs", "add"]):
            stderr = _one_error_line(library(*command, *args))
            assert message in stderr, (command, args, stderr)
            assert _generation(library.store) == generation
    answer = _ask(library, "谁负责建设运动场地？")
    assert "区住建委" in answer["answer"] and answer["citations"][0]["document"] == SPORTS_ID


def test_the_same_file_named_twice_is_one_document(library):
    sports = write_sports_plan(library.folder)
    result = _ok(library("index", str(sports), str(library.folder), str(library.folder / ".." / "policies" / sports.name)))
    assert result.stdout.startswith("indexed 1 document, 7 clauses")
    assert [document["id"] for document in _manifest(library.store)["documents"]] == [SPORTS_ID]


def test_a_damaged_store_is_rebuilt_or_named_never_a_traceback(library):
    sports = write_sports_plan(library.folder)
    corpus = {"ASSISTANT_CORPUS": json.dumps([str(sports)])}
    _ok(library("index", str(sports)))
    # CURRENT names no generation: set aside and rebuilt from the configured corpus.
    (library.store / "CURRENT").write_text("garbage", encoding="utf-8")
    assert "区住建委" in _ask(library, "谁负责建设运动场地？", env=corpus)["answer"]
    assert list(library.store.parent.glob("store.damaged-*"))
    # A manifest that is not JSON: the same.
    (library.store / _generation(library.store) / "manifest.json").write_text("{", encoding="utf-8")
    listing = json.loads(_ok(library("docs", "list", "--json", env=corpus)).stdout)
    assert [document["id"] for document in listing["documents"]] == [SPORTS_ID]
    # A stored text that no longer matches its manifest: a clear error naming the fix, which works.
    text = library.store / _generation(library.store) / "texts" / f"{SPORTS_ID}.txt"
    text.write_text(text.read_text(encoding="utf-8") + "篡改", encoding="utf-8")
    stderr = _one_error_line(library("ask", "谁负责建设运动场地？"))
    assert "damaged" in stderr and "python -m assistant index" in stderr
    assert _one_error_line(library("docs", "list")) == stderr
    rebuilt = _ok(library("index", str(sports)))
    assert rebuilt.stdout.startswith("indexed 1 document")
    assert "区住建委" in _ask(library, "谁负责建设运动场地？")["answer"]


@pytest.mark.parametrize("corpus, message", [
    ("not json", "ASSISTANT_CORPUS is not valid JSON"),
    ("data/corpus", "ASSISTANT_CORPUS is not valid JSON"),
    ("[]", "the corpus is empty"),
    ('{"file": "a.md"}', "ASSISTANT_CORPUS: Input should be a valid list"),
    ('["/nonexistent/plan.md"]', "/nonexistent/plan.md"),
])
def test_bad_settings_are_one_error_line(library, corpus, message):
    for args in (["ask", "谁负责？"], ["docs", "list"], ["index"], ["outline"]):
        stderr = _one_error_line(library(*args, env={"ASSISTANT_CORPUS": corpus}))
        assert message in stderr, (args, stderr)


def test_a_configured_file_that_is_not_a_policy_is_one_error_line(library):
    chat = library.folder / "notes.txt"
    chat.write_text("会议记录：下午三点开会，请准时参加。\n", encoding="utf-8")
    stderr = _one_error_line(library("ask", "谁负责？", env={"ASSISTANT_CORPUS": json.dumps([str(chat)])}))
    assert "notes.txt does not look like a policy" in stderr
    other = _one_error_line(library("docs", "list", env={"ASSISTANT_TOP_K": "many"}))
    assert "ASSISTANT_TOP_K" in other


def test_outline_reads_any_supported_format(library):
    docx = json.loads(_ok(library("outline", "--json", str(write_special_plan_docx(library.folder)))).stdout)
    assert docx["document"]["title"] == SPECIAL_TITLE
    item = next(item for item in docx["items"] if item["id"] == "一（二）")
    assert item["responsible_units"] == ["区残联"] and item["cooperating_units"] == ["区教育局", "区民政局"]
    text = _ok(library("outline", str(write_rural_rules_gb18030(library.folder)))).stdout
    assert text.startswith(RURAL_TITLE) and "第三条  第二章办学条件 > 第三条" in text
