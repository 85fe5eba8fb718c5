"""The JSON API over real HTTP: ``python app.py`` on a loopback port (fixture ``web_server``)."""

import json
import sqlite3

import httpx
import pytest


@pytest.fixture(scope="module")
def http(web_server):
    with httpx.Client(base_url=web_server["url"], timeout=30) as client:
        yield client


FLAGSHIP_ID = "xiqing-education-plan-2023-2025"


def test_healthz_reports_the_loaded_index(http):
    response = http.get("/healthz")
    assert response.status_code == 200
    health = response.json()
    assert health["status"] == "ok" and health["clauses"] == 76 and health["documents"] == 1
    assert health["generation"].startswith("gen-")


def test_ask_returns_the_same_contract_as_the_cli(http, run_cli):
    question = "区财政局负责哪些任务？"
    over_http = http.post("/api/ask", json={"question": question}).json()
    from_cli = json.loads(run_cli("ask", "--json", question).stdout)
    for record in (over_http, from_cli):
        record.pop("latency_ms")
    assert over_http == from_cli
    assert [c["id"] for c in over_http["citations"]][:2] == ["四（四）", "四（五）"]


def test_ask_follows_up_on_the_history(http):
    answer = http.post("/api/ask", json={"question": "那目标是多少？", "history": ["谁负责学前教育？"]}).json()
    assert "93%" in answer["answer"] and answer["citations"][0]["id"] == "四（五）"


def test_ask_scoped_to_a_document(http):
    answer = http.post("/api/ask", json={"question": "区财政局负责哪些任务？", "document": FLAGSHIP_ID}).json()
    assert {c["document"] for c in answer["citations"]} == {FLAGSHIP_ID}
    assert answer["citations"][0]["document_title"] == "西青区教育高质量发展三年行动方案（2023—2025年）"
    assert http.post("/api/ask", json={"question": "区财政局负责哪些任务？", "document": None}).status_code == 200
    unknown = http.post("/api/ask", json={"question": "谁负责学前教育？", "document": "no-such-plan"})
    assert unknown.status_code == 400
    assert "no-such-plan" in unknown.json()["error"] and FLAGSHIP_ID in unknown.json()["error"]


def test_documents_lists_the_library_like_the_cli(http, run_cli):
    listing = http.get("/api/documents").json()
    assert listing == json.loads(run_cli("docs", "list", "--json").stdout)
    [document] = listing["documents"]
    assert document["id"] == FLAGSHIP_ID and document["clauses"] == 76 and document["period"] == [2023, 2025]
    assert document["issuer"] == "天津市西青区人民政府办公室" and document["origin"] == "corpus"
    assert listing["generation"] == http.get("/healthz").json()["generation"]


def test_ask_refuses_what_the_policy_does_not_cover(http):
    answer = http.post("/api/ask", json={"question": "和平区的学前教育由谁负责？"}).json()
    assert answer["refused"] is True and answer["citations"] == []


@pytest.mark.parametrize("body, status, message", [
    ({"question": ""}, 400, "question is empty"),
    ({"question": "学" * 2001}, 400, "limit is 2000"),
    ({}, 422, "question: Field required"),
    ({"question": 5}, 422, "question: Input should be a valid string"),
    ({"question": "谁负责？", "history": "谁负责学前教育？"}, 422, "history: Input should be a valid list"),
    ({"question": "谁负责？", "document": 5}, 422, "document: Input should be a valid string"),
    ({"question": "谁负责？", "document": ""}, 400, "no document ''"),
])
def test_bad_requests_get_a_4xx_that_says_what_was_wrong(http, body, status, message):
    response = http.post("/api/ask", json=body)
    assert response.status_code == status and message in response.json()["error"]


def test_malformed_json_and_wrong_method(http):
    response = http.post("/api/ask", content=b"{not json", headers={"Content-Type": "application/json"})
    assert response.status_code == 400 and "not valid JSON" in response.json()["error"]
    assert http.get("/api/ask").status_code == 405


def test_outline_is_the_clause_tree(http, run_cli):
    outline = http.get("/api/outline").json()
    assert outline == json.loads(run_cli("outline", "--json").stdout)
    assert outline == http.get("/api/outline", params={"document": FLAGSHIP_ID}).json()
    assert len(outline["items"]) == 26 and len(outline["clauses"]) == 76
    unknown = http.get("/api/outline", params={"document": "no-such-plan"})
    assert unknown.status_code == 404 and "no-such-plan" in unknown.json()["error"]


def test_openapi_docs_are_served(http):
    assert http.get("/docs").status_code == 200
    paths = http.get("/openapi.json").json()["paths"]
    assert {"/api/ask", "/api/documents", "/api/outline", "/api/feedback", "/healthz"} <= set(paths)


def test_feedback_is_stored_and_exported(http, web_server, run_cli):
    record = {"rating": "down", "question": "谁负责学前教育？", "answer": "区教育局……", "citations": ["四（五）"]}
    response = http.post("/api/feedback", json=record)
    assert response.status_code == 201 and response.json()["id"] >= 1
    with sqlite3.connect(web_server["feedback_db"]) as connection:
        rows = connection.execute("SELECT rating, question, citations FROM feedback").fetchall()
    assert ("down", "谁负责学前教育？", '["四（五）"]') in rows
    exported = run_cli("feedback", "export", "--db", str(web_server["feedback_db"]))
    assert exported.returncode == 0
    assert any(json.loads(line)["rating"] == "down" for line in exported.stdout.splitlines())
    as_csv = run_cli("feedback", "export", "--format", "csv", "--db", str(web_server["feedback_db"]))
    assert as_csv.stdout.splitlines()[0] == "id,created_at,rating,question,answer,citations,refused"
    bad = http.post("/api/feedback", json={**record, "rating": "meh"})
    assert bad.status_code == 422 and "rating" in bad.json()["error"]


def test_feedback_export_without_a_file_is_a_usage_error(run_cli, tmp_path):
    result = run_cli("feedback", "export", "--db", str(tmp_path / "none.sqlite3"))
    assert result.returncode == 2 and result.stderr.startswith("error: no feedback file")


def test_the_scorer_scores_the_running_server(web_server, run_cli, tmp_path):
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({"id": "x", "split": "test", "category": "target", "facts": ["93%"],
                                "question": "学前三年毛入园率要达到多少？", "cite": ["四（五）"], "refused": False},
                               ensure_ascii=False), encoding="utf-8")
    result = run_cli("--gold", str(gold), "--url", f"{web_server['url']}/api/ask", "--json", module="eval")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["systems"][f"{web_server['url']}/api/ask"]["overall"] == 1.0


def test_app_refuses_a_bad_port_or_one_in_use(web_server):
    import subprocess
    import sys

    from assistant.settings import PROJECT_ROOT

    for args in (["--port", "0"], ["--port", web_server["url"].rsplit(":", 1)[1]], ["--port", "x"]):
        result = subprocess.run([sys.executable, "app.py", *args], cwd=PROJECT_ROOT, capture_output=True,
                                text=True, timeout=60)
        assert result.returncode == 2, args
        assert "error" in result.stderr and "Traceback" not in result.stderr, args


@pytest.mark.parametrize("variables, message", [
    ({"ASSISTANT_CORPUS": "not json"}, "ASSISTANT_CORPUS is not valid JSON"),
    ({"ASSISTANT_CORPUS": "[]"}, "the corpus is empty"),
    ({"ASSISTANT_CORPUS": '["/nonexistent/plan.md"]'}, "/nonexistent/plan.md"),
    ({"ASSISTANT_PORT": "web"}, "ASSISTANT_PORT"),
])
def test_app_refuses_bad_settings_with_one_clear_line(variables, message):
    import os
    import subprocess
    import sys

    from assistant.settings import PROJECT_ROOT

    result = subprocess.run([sys.executable, "app.py"], cwd=PROJECT_ROOT, capture_output=True, text=True,
                            timeout=60, env={**os.environ, **variables})
    assert result.returncode == 2
    assert result.stderr.startswith("error: ") and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
