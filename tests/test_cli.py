"""``python -m assistant`` through subprocesses, against the session's store (the flagship alone)."""

import json

from assistant.settings import DEFAULT_CORPUS

FLAGSHIP = DEFAULT_CORPUS / "xiqing-education-plan-2023-2025.md"

CONTRACT = {"question", "answer", "refused", "intent", "citations", "latency_ms", "terms", "suggestions", "mode"}
CITATION = {"id", "document", "document_title", "section", "text", "score"}
FLAGSHIP_ID = "xiqing-education-plan-2023-2025"
FLAGSHIP_TITLE = "西青区教育高质量发展三年行动方案（2023—2025年）"


def test_ask_readable(run_cli):
    result = run_cli("ask", "区残联负责哪些任务？")
    assert result.returncode == 0, result.stderr
    assert "加快特殊教育融合发展" in result.stdout
    assert "引用条款" in result.stdout and "[四（八）]" in result.stdout


def test_ask_json(run_cli):
    result = run_cli("ask", "--json", "重点任务（十三）的行动目标是什么？")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == CONTRACT
    citation = data["citations"][0]
    assert set(citation) == CITATION
    assert citation["id"] == "四（十三）"
    assert citation["section"] == "四、重点任务 > （十三）聚焦数字化赋能教育发展 > 行动目标"
    assert citation["document"] == FLAGSHIP_ID and citation["document_title"] == FLAGSHIP_TITLE


def test_ask_scoped_to_a_document(run_cli):
    result = run_cli("ask", "--json", "--document", FLAGSHIP_ID, "谁负责学前教育？")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["citations"] and {c["document"] for c in data["citations"]} == {FLAGSHIP_ID}
    unknown = run_cli("ask", "--document", "no-such-plan", "谁负责学前教育？")
    assert unknown.returncode == 2 and "no-such-plan" in unknown.stderr and FLAGSHIP_ID in unknown.stderr


def test_ask_jsonl_batch_keeps_order_and_reports_bad_lines(run_cli):
    questions = ["谁负责学前教育？", "", "今天天气怎么样？", "七项攻坚行动分别是什么？"]
    result = run_cli("ask", "--json", "-", stdin="\n".join(questions) + "\n")
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["question"] for line in lines] == questions
    assert lines[1] == {"line": 2, "question": "", "error": "question is empty"}
    assert lines[2]["refused"] is True and lines[0]["refused"] is False
    assert result.returncode == 1


def test_ask_jsonl_batch_takes_request_objects(run_cli):
    requests = [
        "谁负责学前教育？",
        json.dumps({"question": "那目标是多少？", "history": ["谁负责学前教育？"]}, ensure_ascii=False),
        json.dumps({"question": "区财政局负责哪些任务？", "document": FLAGSHIP_ID}, ensure_ascii=False),
        json.dumps({"question": "谁负责？", "document": "no-such-plan"}, ensure_ascii=False),
        json.dumps({"question": "谁负责？", "history": "谁负责学前教育？"}, ensure_ascii=False),
        json.dumps({"question": "谁负责？", "topic": "x"}, ensure_ascii=False),
        '{"question": "谁负责？"',   # not JSON: a question like any other line
        '{"question": "谁负责？",}',  # looks like an object but is not valid JSON
    ]
    result = run_cli("ask", "--json", "-", stdin="\n".join(requests) + "\n")
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == len(requests) and result.returncode == 1
    assert lines[0]["citations"][0]["id"] == "四（五）"
    assert "93%" in lines[1]["answer"] and lines[1]["question"] == "那目标是多少？"
    assert lines[2]["citations"][0]["document"] == FLAGSHIP_ID
    assert "no-such-plan" in lines[3]["error"] and lines[3]["question"] == "谁负责？"
    assert "history" in lines[4]["error"]
    assert "topic" in lines[5]["error"]
    assert "answer" in lines[6] and lines[6]["question"] == '{"question": "谁负责？"'
    assert "not valid JSON" in lines[7]["error"]


def test_bad_input_gives_one_line_and_exit_2(run_cli, tmp_path):
    unreadable = tmp_path / "missing.md"
    binary = tmp_path / "binary.md"
    binary.write_bytes(b"\xff\xfe\x00bad")
    cases = [("ask", ""), ("ask", "问" * 2001), ("ask", "--nope", "x"), ("frobnicate",),
             ("outline", str(unreadable)), ("index", str(binary)), ("ask", "--mode", "sparse", "x"),
             ("docs",), ("docs", "remove"), ("docs", "add"), ("docs", "frobnicate"),
             ("outline", str(binary), "--document", FLAGSHIP_ID), ("outline", "--document", "no-such-plan"),
             ("chat", "--document", "no-such-plan")]
    for args in cases:
        result = run_cli(*args)
        assert result.returncode == 2, (args, result.stderr)
        assert result.stderr.startswith("error: "), (args, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1, (args, result.stderr)
        assert "Traceback" not in result.stderr


def test_missing_corpus_is_a_clear_error(run_cli, tmp_path):
    result = run_cli("ask", "谁负责学前教育？", env={"ASSISTANT_CORPUS": json.dumps([str(tmp_path / "none.md")])})
    assert result.returncode == 2 and "none.md" in result.stderr and "Traceback" not in result.stderr


def test_outline_json(run_cli, tree):
    result = run_cli("outline", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data == json.loads(run_cli("outline", "--json", "--document", FLAGSHIP_ID).stdout)
    from_file = json.loads(run_cli("outline", "--json", str(FLAGSHIP)).stdout)
    assert from_file["items"] == data["items"] and from_file["clauses"] == data["clauses"]
    assert len(data["items"]) == 15 + 7 + 4
    assert [item["part_title"] for item in data["items"]].count("攻坚行动") == 7
    assert len(data["clauses"]) == len(tree.clauses)
    first = next(c for c in data["clauses"] if c["id"] == "四（五）.2")
    assert first["section"] == "四、重点任务 > （五）推进学前教育普及普惠发展 > 具体举措 2"
    assert first["responsible_units"][0] == "区教育局"


def test_outline_text_of_a_given_file(run_cli, tmp_path):
    policy = tmp_path / "policy.txt"
    policy.write_text("一、重点任务\n(一)办好学校\n行动目标：建好学校。(责任单位：区教育局)\n", encoding="utf-8")
    result = run_cli("outline", str(policy))
    assert result.returncode == 0, result.stderr
    assert "一（一）  一、重点任务 > （一）办好学校 > 行动目标  [责任单位：区教育局]" in result.stdout


def test_index_builds_a_store_from_the_given_files(run_cli, tmp_path):
    store = tmp_path / "store"
    result = run_cli("index", str(FLAGSHIP), env={"ASSISTANT_STORE": str(store)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("indexed 1 document, 76 clauses")
    assert f"{FLAGSHIP_ID}  [corpus, 76 clauses]  {FLAGSHIP_TITLE}" in result.stdout
    generation = (store / "CURRENT").read_text(encoding="utf-8").strip()
    manifest = json.loads((store / generation / "manifest.json").read_text(encoding="utf-8"))
    assert [document["clauses"] for document in manifest["documents"]] == [76]
    again = run_cli("index", str(FLAGSHIP), env={"ASSISTANT_STORE": str(store)})
    assert again.returncode == 0 and "up to date" in again.stdout
    assert (store / "CURRENT").read_text(encoding="utf-8").strip() == generation


def test_a_degraded_answer_says_so_under_it_in_the_readable_output(assistant):
    from dataclasses import replace

    from assistant.cli import format_answer

    answer = assistant.ask("谁负责学前教育？")
    assert "向量检索" not in format_answer(answer)
    shown, lines = format_answer(replace(answer, degraded=True)).splitlines(), answer.answer.splitlines()
    assert shown[:len(lines)] == lines
    assert shown[len(lines)] == "（向量检索暂时不可用，本回答仅按关键词和条款结构检索。）"
