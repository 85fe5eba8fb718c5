import json

CONTRACT = {"question", "answer", "refused", "intent", "citations", "latency_ms", "terms"}


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
    assert data["citations"][0]["id"] == "四（十三）"
    assert data["citations"][0]["section"] == "四、重点任务 > （十三）聚焦数字化赋能教育发展 > 行动目标"


def test_ask_jsonl_batch_keeps_order_and_reports_bad_lines(run_cli):
    questions = ["谁负责学前教育？", "", "今天天气怎么样？", "七项攻坚行动分别是什么？"]
    result = run_cli("ask", "--json", "-", stdin="\n".join(questions) + "\n")
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["question"] for line in lines] == questions
    assert lines[1] == {"question": "", "error": "question is empty"}
    assert lines[2]["refused"] is True and lines[0]["refused"] is False
    assert result.returncode == 2


def test_bad_input_gives_one_line_and_exit_2(run_cli, tmp_path):
    unreadable = tmp_path / "missing.md"
    binary = tmp_path / "binary.md"
    binary.write_bytes(b"\xff\xfe\x00bad")
    cases = [("ask", ""), ("ask", "问" * 2001), ("ask", "--nope", "x"), ("frobnicate",),
             ("outline", str(unreadable)), ("index", str(binary)), ("ask", "--mode", "sparse", "x")]
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
    assert len(data["items"]) == 15 + 7 + 4
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
    result = run_cli("index", env={"ASSISTANT_STORE": str(store)})
    assert result.returncode == 0, result.stderr
    assert "indexed 76 clauses from 1 file(s)" in result.stdout
    assert json.loads((store / "manifest.json").read_text(encoding="utf-8"))["clauses"] == 76
