"""The web app over a library that changes while it serves: ``python app.py`` on a store of its own
(a copy of the flagship's), with ``docs add``, ``index`` and ``docs remove`` run in other processes."""

from __future__ import annotations

import json
import threading
import time

import httpx
import pytest
from policies import (
    RURAL_ID,
    RURAL_TITLE,
    SPORTS_ID,
    SPORTS_TITLE,
    run_assistant,
    served_library,
    write_rural_rules_gb18030,
    write_sports_plan,
)

from assistant.settings import DEFAULT_CORPUS

FLAGSHIP = DEFAULT_CORPUS / "xiqing-education-plan-2023-2025.md"
FLAGSHIP_ID = "xiqing-education-plan-2023-2025"
SWAP_SECONDS = 60          # a new generation must be answering within this long
MAX_REQUESTS = 5000        # the request loop is bounded in count and time
MAX_LOOP_SECONDS = 240


@pytest.fixture(scope="module")
def app(store_dir, assistant, tmp_path_factory):
    """The flagship alone at first; the tests below change the library while it serves."""
    folder = tmp_path_factory.mktemp("served-library")
    with served_library(store_dir, folder) as served:
        served["policies"] = folder / "policies"
        served["policies"].mkdir()
        with httpx.Client(base_url=served["url"], timeout=60) as client:
            served["http"] = client
            yield served


class RequestLoop:
    """Requests, one after another, until stopped: every status and error is kept."""

    REQUESTS = [("POST", "/api/ask", {"question": "谁负责学前教育？"}),
                ("GET", "/api/documents", None),
                ("POST", "/api/ask", {"question": "谁负责建设运动场地？"}),
                ("GET", "/healthz", None)]

    def __init__(self, url: str) -> None:
        self.url = url
        self.statuses: list[int] = []
        self.failures: list[str] = []
        self.generations: set[str] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> RequestLoop:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=120)

    def _run(self) -> None:
        started = time.monotonic()
        with httpx.Client(base_url=self.url, timeout=60) as client:
            while not self._stop.is_set() and len(self.statuses) < MAX_REQUESTS \
                    and time.monotonic() - started < MAX_LOOP_SECONDS:
                method, path, body = self.REQUESTS[len(self.statuses) % len(self.REQUESTS)]
                try:
                    response = client.request(method, path, json=body)
                except httpx.HTTPError as error:
                    self.failures.append(f"{method} {path}: {error!r}")
                    self.statuses.append(0)
                    continue
                self.statuses.append(response.status_code)
                if response.status_code != 200:
                    self.failures.append(f"{method} {path}: {response.status_code} {response.text[:200]}")
                if path == "/api/documents" and response.status_code == 200:
                    self.generations.add(response.json()["generation"])


def _wait_for_documents(http: httpx.Client, wanted: list[str]) -> dict:
    deadline = time.monotonic() + SWAP_SECONDS
    while True:
        listing = http.get("/api/documents").json()
        if [document["id"] for document in listing["documents"]] == wanted:
            return listing
        assert time.monotonic() < deadline, f"still serving {listing} after {SWAP_SECONDS}s"
        time.sleep(0.2)


def _cli(app, *args: str):
    result = run_assistant(*args, env=app["env"])
    assert result.returncode == 0, result.stderr
    return result


def test_docs_add_while_serving_never_fails_a_request_and_is_picked_up(app):
    http = app["http"]
    before = http.get("/healthz").json()["generation"]
    sports = write_sports_plan(app["policies"])
    with RequestLoop(app["url"]) as loop:
        time.sleep(1)                      # requests are flowing before the build starts
        _cli(app, "docs", "add", str(sports))
        listing = _wait_for_documents(http, [FLAGSHIP_ID, SPORTS_ID])
        time.sleep(1)                      # and keep flowing after the swap
    assert loop.failures == [] and len(loop.statuses) > 20 and set(loop.statuses) == {200}
    assert before in loop.generations and listing["generation"] in loop.generations
    answer = http.post("/api/ask", json={"question": "谁负责建设运动场地？", "document": SPORTS_ID}).json()
    assert "区住建委" in answer["answer"]
    assert {(c["document"], c["document_title"]) for c in answer["citations"]} == {(SPORTS_ID, SPORTS_TITLE)}
    assert http.get("/healthz").json()["reloads"] >= 1


def test_index_while_serving_swaps_in_the_new_library(app):
    http = app["http"]
    rural = write_rural_rules_gb18030(app["policies"])
    with RequestLoop(app["url"]) as loop:
        time.sleep(1)
        result = _cli(app, "index", str(FLAGSHIP), str(rural))
        assert "reused" in result.stdout
        # Documents added with `docs add` stay when the corpus is indexed again.
        _wait_for_documents(http, [FLAGSHIP_ID, RURAL_ID, SPORTS_ID])
    assert loop.failures == [] and set(loop.statuses) == {200}
    answer = http.post("/api/ask", json={"question": "农村小学生均图书不少于多少册？", "document": RURAL_ID}).json()
    assert "25册" in answer["answer"] and answer["citations"][0]["document_title"] == RURAL_TITLE


def test_documents_outline_and_scoped_asks_follow_the_library(app):
    http = app["http"]
    listing = http.get("/api/documents").json()
    assert listing == json.loads(_cli(app, "docs", "list", "--json").stdout)
    assert {document["id"]: document["origin"] for document in listing["documents"]} == {
        FLAGSHIP_ID: "corpus", RURAL_ID: "corpus", SPORTS_ID: "added"}
    several = http.get("/api/outline")
    assert several.status_code == 400 and "?document=ID" in several.json()["error"]
    outline = http.get("/api/outline", params={"document": SPORTS_ID}).json()
    assert outline["document"]["title"] == SPORTS_TITLE
    assert [item["id"] for item in outline["items"]] == ["二（一）", "二（二）", "三（一）"]
    unscoped = http.post("/api/ask", json={"question": "谁负责建设运动场地？"}).json()
    assert unscoped["citations"][0]["document"] == SPORTS_ID
    health = http.get("/healthz").json()
    assert health["documents"] == 3 and health["generation"] == listing["generation"]


def test_removing_a_document_while_serving(app):
    http = app["http"]
    with RequestLoop(app["url"]) as loop:
        _cli(app, "docs", "remove", SPORTS_ID)
        _wait_for_documents(http, [FLAGSHIP_ID, RURAL_ID])
    assert loop.failures == [] and set(loop.statuses) == {200}
    gone = http.post("/api/ask", json={"question": "谁负责建设运动场地？", "document": SPORTS_ID})
    assert gone.status_code == 400 and SPORTS_ID in gone.json()["error"]
    assert "Traceback" not in app["log"].read_text()


def _settled(holder, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while holder.reloading:
        assert time.monotonic() < deadline, "the holder is still loading"
        time.sleep(0.05)


def test_the_holder_keeps_answering_when_a_new_generation_cannot_be_loaded(assistant, settings, tmp_path):
    import shutil

    from assistant.web import AssistantHolder

    store = tmp_path / "store"
    store.mkdir()
    (store / "CURRENT").write_text(assistant.generation + "\n", encoding="utf-8")
    holder = AssistantHolder(settings.model_copy(update={"store": store}), watch=False,
                             load=lambda settings, mode: assistant)
    assert holder.get(timeout=30) is assistant
    holder.check(force=True)
    assert not holder.reloading and holder.reloads == 0      # the same generation: nothing to load

    (store / "CURRENT").write_text("gen-98\n", encoding="utf-8")   # names a generation that is not there
    holder.check(force=True)
    _settled(holder)
    assert holder.get() is assistant and holder.reloads == 0
    assert "damaged" in holder.reload_error
    holder.check(force=True)
    assert not holder.reloading                                # a failed generation is not retried

    shutil.copytree(settings.store / assistant.generation, store / "gen-99")
    (store / "CURRENT").write_text("gen-99\n", encoding="utf-8")
    holder.check(force=True)
    _settled(holder)
    fresh = holder.get()
    assert fresh is not assistant and fresh.generation == "gen-99" and holder.reloads == 1
    assert holder.reload_error is None
    assert fresh.ask("谁负责学前教育？").citations[0].id == "四（五）"
    fresh.store.close()
