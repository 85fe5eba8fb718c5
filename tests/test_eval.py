import json
import re

from assistant.text import fold
from eval.baselines import ChunkBaseline, RetrieverKind
from eval.score import judge, load_gold, summarise

# A fact that is only a count (7, 二十二) is derived by counting, not copied from a clause.
# Every other fact is copied from the policy (a list question's facts come from several clauses).
_COUNT = re.compile(r"^[0-9一二三四五六七八九十百]+$")


def test_gold_set_is_well_formed(tree):
    items = load_gold()
    assert len(items) >= 150 and len({item.id for item in items}) == len(items)
    assert {item.split for item in items} == {"dev", "test"}
    assert sum(item.refused for item in items) >= 20
    clause_ids = [clause.id for clause in tree.clauses]
    source = fold(" ".join(f"{clause.section} {clause.text}" for clause in tree.clauses))
    for item in items:
        assert item.refused == (not item.cite), item.id
        assert all(any(cid == r or cid.startswith(r + ".") for cid in clause_ids) for r in item.cite), item.id
        for fact in item.facts:
            forms = fact.split("|")
            if not all(_COUNT.match(form) for form in forms):
                assert any(fold(form) in source for form in forms), (item.id, fact)


def test_dev_accuracy_and_grounding_on_every_question(assistant, tree):
    items = load_gold()
    verdicts = [judge(item, assistant.ask(item.question, list(item.history)).to_dict(), tree.responsible_units)
                for item in items]
    dev = summarise([v for v in verdicts if v.item.split == "dev"])
    assert dev["overall"] >= 0.95, [v.item.id for v in verdicts if v.item.split == "dev" and not v.correct]
    assert dev["refusal_recall"] == 1.0
    assert summarise(verdicts)["ungrounded_answers"] == 0


def test_scorer_catches_wrong_and_ungrounded_answers(tree):
    item = next(item for item in load_gold() if item.id == "ru-02")
    wrong = {"answer": "由区财政局负责，目标95%", "refused": False,
             "citations": [{"id": "四（八）", "section": "", "text": "（责任单位：区教育局、区残联）"}]}
    verdict = judge(item, wrong, tree.responsible_units)
    assert not verdict.correct and verdict.ungrounded == ["95", "区财政局"]
    refused = judge(item, {"answer": "不知道", "refused": True, "citations": []}, tree.responsible_units)
    assert not refused.correct


def test_a_fact_may_be_given_in_equivalent_forms(tree):
    item = next(item for item in load_gold() if item.id == "t-ct-03")  # 职业教育重点打造几个专业？ 7|七
    cited = [{"id": "四（九）.1", "section": "", "text": "7 个专业"}]
    assert judge(item, {"answer": "共七个专业", "refused": False, "citations": cited}, []).correct
    assert judge(item, {"answer": "共 7 个专业", "refused": False, "citations": cited}, []).correct
    assert not judge(item, {"answer": "共六个专业", "refused": False, "citations": cited}, []).correct


def test_chunk_baseline_answers_with_a_verbatim_chunk_citing_the_clauses_it_overlaps(settings):
    baseline = ChunkBaseline.load(RetrieverKind.BM25, settings)
    raw = settings.corpus[0].read_text(encoding="utf-8")
    assert all(chunk.text in raw and chunk.clause_ids for chunk in baseline.chunks)
    answer = baseline.ask("学前三年毛入园率要达到多少？")
    assert answer["refused"] is False and "93%" in answer["answer"]
    assert "四（五）" in [citation["id"] for citation in answer["citations"]]
    # clauses are ranked by overlap: a chunk that starts inside 四（十二）.2 cites it first
    chunk = next(chunk for chunk in baseline.chunks if chunk.text.startswith("2. 大力“引优”"))
    assert chunk.clause_ids[0] == "四（十二）.2"


def test_naive_rag_uses_our_embeddings_through_langchain_chroma(settings):
    naive = ChunkBaseline.load(RetrieverKind.DENSE, settings)
    answer = naive.ask("适龄残疾儿童义务教育入学率")
    assert answer["answer"] in settings.corpus[0].read_text(encoding="utf-8")
    assert any(citation["id"].startswith("四（八）") for citation in answer["citations"])


def test_cli_writes_report_with_summary_chart_and_tables(run_cli, tmp_path):
    gold = tmp_path / "gold.jsonl"
    rows = [
        {"id": "a", "split": "dev", "category": "target", "question": "学前三年毛入园率要达到多少？",
         "facts": ["93%"], "cite": ["四（五）"], "refused": False},
        {"id": "b", "split": "test", "category": "responsible_units", "question": "谁负责特殊教育？",
         "facts": ["区教育局", "区残联"], "cite": ["四（八）"], "refused": False},
        {"id": "c", "split": "test", "category": "out_of_scope", "question": "明天天气怎么样？",
         "facts": [], "cite": [], "refused": True}]
    gold.write_text("\n".join(json.dumps(row, ensure_ascii=False) for row in rows), encoding="utf-8")
    result = run_cli("--gold", str(gold), "--systems", "assistant,bm25-jieba-chunks",
                     "--report", str(tmp_path / "report"), "--json", module="eval")
    assert result.returncode == 0, result.stderr
    summary = json.loads((tmp_path / "report" / "summary.json").read_text(encoding="utf-8"))
    assert summary["questions"] == 3 and json.loads(result.stdout)["systems"].keys() == summary["systems"].keys()
    ours, baseline = summary["systems"]["assistant"], summary["systems"]["bm25-jieba-chunks"]
    assert ours["overall"] == 1.0 and set(ours["by_category"]) == {"target", "responsible_units", "out_of_scope"}
    assert baseline["by_category"]["out_of_scope"] == 0.0 and baseline["refusal_precision"] is None
    assert ours["p50_ms"] > 0 and ours["p95_ms"] >= ours["p50_ms"]
    refusals = ours["category_metrics"]["out_of_scope"]
    assert refusals["refusal_recall"] == 1.0 and refusals["facts"] is None  # no answerable question there
    assert summary["headline"]["best_baseline"] == "bm25-jieba-chunks"
    assert "| `assistant` | 100.0" in (tmp_path / "report" / "report.md").read_text(encoding="utf-8")
    assert (tmp_path / "report" / "by_category.png").read_bytes().startswith(b"\x89PNG")


def test_cli_scores_answers_produced_elsewhere(run_cli, assistant, tmp_path):
    items = load_gold(split="dev")[:4]
    answers = [assistant.ask(item.question, list(item.history)).to_dict() for item in items]
    answers[0]["answer"] = "不知道"  # one wrong answer
    path = tmp_path / "outside.jsonl"
    path.write_text("\n".join(json.dumps(a, ensure_ascii=False) for a in answers), encoding="utf-8")
    gold = tmp_path / "gold.jsonl"
    gold.write_text("\n".join(json.dumps({**item.__dict__, "facts": list(item.facts), "cite": list(item.cite),
                                          "history": list(item.history)}, ensure_ascii=False)
                              for item in items), encoding="utf-8")
    result = run_cli("--gold", str(gold), "--answers", str(path), "--json", module="eval")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["systems"]["outside"]["overall"] == 0.75


def test_cli_rejects_bad_input_with_one_line_and_exit_2(run_cli, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"answer": "no question"}\n', encoding="utf-8")
    for args in (["--answers", str(bad)], ["--answers", str(tmp_path / "missing.jsonl")],
                 ["--systems", "gpt-9"], ["--url", "ftp://example"], ["--gold", str(bad)]):
        result = run_cli(*args, module="eval")
        assert result.returncode == 2, (args, result.stderr)
        assert result.stderr.startswith("error: ") and "Traceback" not in result.stderr, args
