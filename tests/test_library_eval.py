"""The library gold (many documents, evidence by text) through the scorer, the CLI and the chunk baselines.

None of these tests loads the engine: answers are written by hand or read from a file (``--answers``).
"""

import json
import subprocess
import sys

from assistant.settings import PROJECT_ROOT
from eval import report
from eval.baselines import ChunkBaseline, RetrieverKind
from eval.score import LIBRARY_GOLD, gold_item, judge, load_gold, summarise, unit_names_cited
from eval.systems import library_paths

HUANGNAN = "huangnan-education-14th-fyp"
KINDERGARTENS = {"id": "k", "split": "dev", "category": "scoped_fact",
                 "question": "黄南州“十四五”期间要新建、改扩建多少所幼儿园？新增多少学位？",
                 "documents": [HUANGNAN], "facts": ["36所", "4800个"],
                 "evidence": ["新建、改扩建幼儿园36所，新增学位4800个"], "refused": False}
OUT_OF_SCOPE = {"id": "o", "split": "test", "category": "out_of_scope", "question": "杨柳青一中的校长叫什么名字？",
                "documents": [], "facts": [], "evidence": [], "refused": True}
CLAUSE = "到2025年，新建、改扩建幼儿园36所，新增学位4800个，学前三年毛入园率达到92%。"


def _citation(document: str, text: str, clause_id: str = "第三章第一节") -> dict:
    return {"id": clause_id, "document": document, "document_title": "", "section": "", "text": text, "score": 1.0}


def _answer(text: str, *citations: dict, refused: bool = False, question: str = "") -> dict:
    return {"question": question, "answer": text, "refused": refused, "intent": "test",
            "citations": list(citations), "latency_ms": 3.0, "terms": []}


RIGHT = _answer("新建、改扩建幼儿园36所，新增学位4800个。", _citation(HUANGNAN, CLAUSE))


def test_the_library_gold_loads_as_library_items():
    items = load_gold(LIBRARY_GOLD)
    assert len(items) > 100 and all(item.is_library and not item.cite for item in items)
    assert {item.split for item in items} == {"dev", "test"}
    assert all(item.required_citations == item.evidence for item in items)


def test_library_paths_are_the_shipped_corpus_and_both_library_folders():
    paths = library_paths()
    assert [path.name for path in paths[1:]] == ["dev", "test"] and all(path.exists() for path in paths)


def test_a_right_answer_is_fully_correct():
    verdict = judge(gold_item(KINDERGARTENS), RIGHT, [])
    assert verdict.correct and verdict.cite_ok and verdict.hit_at_1
    assert (verdict.facts_share, verdict.citation_recall, verdict.document_precision) == (1.0, 1.0, 1.0)


def test_a_citation_from_another_document_makes_the_answer_wrong():
    other = _citation("xiqing-education-plan-2026-2028", "新建、改扩建幼儿园10所")
    verdict = judge(gold_item(KINDERGARTENS), _answer(RIGHT["answer"], _citation(HUANGNAN, CLAUSE), other), [])
    assert not verdict.correct and verdict.facts_ok and verdict.cite_ok
    assert verdict.document_precision == 0.5 and verdict.foreign_documents == ["xiqing-education-plan-2026-2028"]


def test_an_answer_whose_citations_miss_the_evidence_is_wrong():
    elsewhere = _citation(HUANGNAN, "新建幼儿园36所；学位4800个。")   # right numbers, not the gold clause
    verdict = judge(gold_item(KINDERGARTENS), _answer(RIGHT["answer"], elsewhere), [])
    assert not verdict.correct and verdict.facts_ok and not verdict.cite_ok
    assert verdict.citation_recall == 0.0 and not verdict.hit_at_1


def test_a_missing_fact_or_an_ungrounded_number_makes_the_answer_wrong():
    item = gold_item(KINDERGARTENS)
    partial = judge(item, _answer("新建、改扩建幼儿园36所。", _citation(HUANGNAN, CLAUSE)), [])
    assert not partial.correct and partial.facts_share == 0.5
    invented = judge(item, _answer(RIGHT["answer"] + "总投资9亿元。", _citation(HUANGNAN, CLAUSE)), [])
    assert not invented.correct and invented.ungrounded == ["9"]


def test_unit_names_for_grounding_come_from_the_unit_notes_of_citations():
    cited = [_answer("", _citation(HUANGNAN, "……（责任单位：区教育局、区残联）")),
             _answer("", _citation(HUANGNAN, "牵头单位：区卫生健康局\n配合单位：区财政局、区民政局等"))]
    units = unit_names_cited(cited)
    assert units == ["区教育局", "区残联", "区卫生健康局", "区财政局", "区民政局"]
    item = gold_item({**KINDERGARTENS, "facts": []})
    verdict = judge(item, _answer("由区残联负责。" + RIGHT["answer"], _citation(HUANGNAN, CLAUSE)), units)
    assert not verdict.correct and verdict.ungrounded == ["区残联"]


def test_refusals():
    refusal = _answer("资料中没有这方面的内容。", refused=True)
    assert judge(gold_item(OUT_OF_SCOPE), refusal, []).correct
    assert not judge(gold_item(OUT_OF_SCOPE), RIGHT, []).correct
    wrongly_refused = judge(gold_item(KINDERGARTENS), refusal, [])
    assert not wrongly_refused.correct and not wrongly_refused.refusal_ok and wrongly_refused.facts_share == 0.0
    summary = summarise([judge(gold_item(OUT_OF_SCOPE), refusal, []), wrongly_refused])
    assert summary["refusal_precision"] == 0.5 and summary["refusal_recall"] == 1.0


def test_lead_correct_needs_the_key_fact_within_the_first_150_characters():
    item = gold_item(KINDERGARTENS)
    assert judge(item, RIGHT, []).lead_ok
    late = _answer("黄南州的规划提出：" + "加快发展学前教育。" * 20 + RIGHT["answer"], _citation(HUANGNAN, CLAUSE))
    verdict = judge(item, late, [])
    assert verdict.correct and verdict.lead_ok is False
    assert judge(gold_item(OUT_OF_SCOPE), _answer("没有。", refused=True), []).lead_ok is None


def test_an_unspecified_detail_must_be_said_to_be_not_set():
    item = gold_item({**KINDERGARTENS, "category": "unspecified", "question": "黄南州新幼儿园哪天开学？",
                      "facts": ["36所"], "unspecified": True})
    said = judge(item, _answer("规划没有规定开学日期。它提出新建、改扩建幼儿园36所。", _citation(HUANGNAN, CLAUSE)), [])
    assert said.correct and said.lead_ok
    silent = judge(item, _answer("规划提出新建、改扩建幼儿园36所。", _citation(HUANGNAN, CLAUSE)), [])
    assert not silent.correct and silent.lead_ok is False


def test_citation_precision_counts_citations_that_carry_the_answer_and_false_refusals_are_counted():
    padded = _answer(RIGHT["answer"], _citation(HUANGNAN, CLAUSE), _citation(HUANGNAN, "加强教师队伍建设。"))
    verdict = judge(gold_item(KINDERGARTENS), padded, [])
    assert verdict.correct and verdict.citation_precision == 0.5
    refused = judge(gold_item(KINDERGARTENS), _answer("没有。", refused=True), [])
    summary = summarise([verdict, refused, judge(gold_item(OUT_OF_SCOPE), _answer("没有。", refused=True), [])])
    assert summary["false_refusals"] == 1 and summary["citation_precision"] == 0.5


def test_a_scoped_gold_line_is_asked_with_its_document_picked(tmp_path):
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({**KINDERGARTENS, "scope": HUANGNAN}, ensure_ascii=False) + "\n", encoding="utf-8")
    assert load_gold(gold)[0].scope == HUANGNAN
    gold.write_text(json.dumps({**KINDERGARTENS, "scope": 3}) + "\n", encoding="utf-8")
    try:
        load_gold(gold)
    except ValueError as error:
        assert "scope" in str(error)
    else:
        raise AssertionError("a scope that is not a document id must be rejected")


def test_traditional_and_simplified_forms_match_both_ways():
    shaoguan = "shaoguan-preschool-opinions-2019"
    traditional = {"id": "t", "split": "test", "category": "target", "question": "韶关公办幼儿园在园幼儿占比？",
                   "documents": [shaoguan], "facts": ["公辦幼兒園", "50%"],
                   "evidence": ["公辦幼兒園在園幼兒佔比達到50%以上"], "refused": False}
    cited = _citation(shaoguan, "到2021年，公办幼儿园在园幼儿占比达到50%以上。")   # the evidence, simplified
    assert judge(gold_item(traditional), _answer("公办幼儿园在园幼儿占比达到50%。", cited), []).correct
    simplified = {**traditional, "facts": ["公办幼儿园"], "evidence": ["公办幼儿园在园幼儿占比达到50%以上"]}
    cited = _citation(shaoguan, "到2021年，公辦幼兒園在園幼兒佔比達到50%以上。")
    assert judge(gold_item(simplified), _answer("公辦幼兒園在園幼兒佔比達到５０%。", cited), []).correct


def _run_eval(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "eval", *args], capture_output=True, text=True,
                          cwd=PROJECT_ROOT, timeout=300)


def _write_jsonl(path, rows) -> None:
    path.write_text("\n".join(json.dumps(row, ensure_ascii=False) for row in rows) + "\n", encoding="utf-8")


def test_cli_scores_library_answers_from_a_file(tmp_path):
    gold, answers = tmp_path / "gold.jsonl", tmp_path / "outside.jsonl"
    _write_jsonl(gold, [KINDERGARTENS, OUT_OF_SCOPE])
    _write_jsonl(answers, [{**RIGHT, "question": KINDERGARTENS["question"]}])  # the refusal is missing: wrong
    result = _run_eval("--gold", str(gold), "--answers", str(answers))
    assert result.returncode == 0, result.stderr
    header, columns, *rows = result.stdout.splitlines()
    assert "2 questions" in header and "docP" in columns
    assert rows[0].split()[:3] == ["outside", "all", "0.500"]
    result = _run_eval("--gold", str(gold), "--answers", str(answers), "--json", "--report", str(tmp_path / "r"))
    summary = json.loads(result.stdout)
    assert summary["kind"] == "library" and summary["systems"]["outside"]["document_precision"] == 1.0
    assert summary["systems"]["outside"]["splits"]["test"]["refusal_recall"] == 0.0
    assert "evidence recall" in (tmp_path / "r" / "report.md").read_text(encoding="utf-8")


def test_cli_rejects_a_bad_library_gold_line_with_one_error_line(tmp_path):
    gold, answers = tmp_path / "gold.jsonl", tmp_path / "outside.jsonl"
    _write_jsonl(gold, [KINDERGARTENS, {key: value for key, value in OUT_OF_SCOPE.items() if key != "evidence"}])
    _write_jsonl(answers, [RIGHT])
    result = _run_eval("--gold", str(gold), "--answers", str(answers))
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith("error: ") and len(result.stderr.splitlines()) == 1
    assert "line 2" in result.stderr and "evidence" in result.stderr


def test_report_has_a_library_part_when_both_gold_sets_are_scored(tmp_path):
    from eval.__main__ import evaluate

    items = [gold_item(KINDERGARTENS), gold_item(OUT_OF_SCOPE)]
    library = {**evaluate({"outside": lambda question, history, document=None: RIGHT}, items), "kind": "library",
               "gold": "eval/library_gold.jsonl"}
    clause = {**library, "kind": "clause", "gold": "eval/gold.jsonl"}
    files = report.write({**clause, "library": library}, {"outside": "answers"}, tmp_path)
    assert {path.name for path in files} >= {"by_category.png", "library_by_category.png", "report.md"}
    text = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "# Library evaluation" in text and "## Library: test part" in text
    assert json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))["library"]["kind"] == "library"


def test_chunk_baseline_over_a_library_cites_its_chunk_with_the_document_id(tmp_path):
    (tmp_path / "plan-a.md").write_text("# 甲县教育规划\n\n新建、改扩建幼儿园36所，新增学位4800个。\n", encoding="utf-8")
    (tmp_path / "plan-b.txt").write_text("乙县职业教育\n\n建设实训基地3个，培训教师200人。\n", encoding="utf-8")
    (tmp_path / "README.md").write_text("not a document\n", encoding="utf-8")
    baseline = ChunkBaseline.load_library(RetrieverKind.BM25, [tmp_path])
    assert sorted({chunk.document for chunk in baseline.chunks}) == ["plan-a", "plan-b"]
    answer = baseline.ask("乙县要建设几个实训基地？")
    citation = answer["citations"][0]
    assert citation["document"] == "plan-b" and citation["id"] == "chunk-1" and "实训基地3个" in citation["text"]
    item = gold_item({**KINDERGARTENS, "documents": ["plan-a"]})
    assert judge(item, baseline.ask(KINDERGARTENS["question"]), []).correct
