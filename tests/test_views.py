import re

from assistant import render, views
from assistant.parser import parse_policy
from assistant.records import Answer, Citation, Intent

HOSTILE = '<script>alert(1)</script><img src=x onerror=alert(2)>[链接](javascript:alert(3))'


def _tags(html: str) -> set[str]:
    return set(re.findall(r"<\s*([a-zA-Z]+)", html))


OUR_TAGS = {"div", "details", "summary", "span", "mark", "br", "strong"}


def test_a_hostile_question_and_clause_render_as_text():
    answer = Answer(question=HOSTILE, answer=f"回答{HOSTILE}", refused=False, intent=Intent.TOPIC,
                    citations=(Citation("四（五）", "doc", f"路径{HOSTILE}", f"条款{HOSTILE}", 1.0),),
                    terms=("script", "条款"))
    for html in (render.question_html(HOSTILE), render.answer_html(answer),
                 render.answer_html(answer, "回答<scr", with_citations=False)):
        assert _tags(html) <= OUR_TAGS, html
        assert "&lt;script&gt;" in html or "&lt;scr" in html
    assert "<mark>script</mark>" in render.answer_html(answer)  # highlighted, still escaped around it


def test_a_hostile_document_renders_as_text_in_the_outline_and_clause_view():
    text = ("西青区测试方案\n\n四、重点任务\n\n（一）完善<script>alert(1)</script>制度\n\n"
            f"行动目标：目标{HOSTILE}。（责任单位：区教育局）\n\n具体举措：\n\n1. 举措<b>一</b>。\n")
    tree = parse_policy(text, document_id="hostile")
    assert any("<script>" in clause.text or "<script>" in clause.section for clause in tree.clauses)
    for html in [render.outline_html(tree)] + [render.clause_html(clause, ["目标"]) for clause in tree.clauses]:
        assert _tags(html) <= OUR_TAGS, html


def test_highlight_matches_folded_forms_and_maps_back_to_the_original():
    assert render.highlight("教育督導體制", ["督导体制"]) == "教育<mark>督導體制</mark>"
    assert render.highlight("达到９３％以上", ["93%"]) == "达到<mark>９３％</mark>以上"
    assert render.highlight("学前教育", ["学"]) == "学前教育"  # one-character terms would mark everything


def test_responsibility_views_are_built_from_the_tree(tree):
    rows = views.responsibilities(tree)
    assert len(rows) == 22 and all(row.responsible_units for row in rows)
    assert [row.item_id for row in views.responsibilities(tree, "区卫健委")] == ["五（二）"]
    finance = views.unit_duties(tree, "区财政局")[0]
    assert finance.item_ids == ("四（四）", "四（五）", "四（六）", "四（十二）", "五（三）", "五（四）", "五（五）", "五（七）")
    assert len(views.unit_duties(tree)) == len(tree.responsible_units)


def test_target_view_lists_every_quantitative_target_with_its_clause(tree):
    rows = views.targets(tree)
    assert len(rows) == len(tree.targets)
    preschool = [row for row in rows if row.clause_id == "四（五）"]
    assert {row.value for row in preschool} >= {"93%", "85%", "50%"}
    assert all(row.phrase in tree.clause(row.clause_id).text for row in rows)


def test_clause_search_is_folded_and_needs_every_word(tree):
    assert [c.id for c in views.search_clauses(tree, "督導 督学")] == ["四（十四）.2"]
    assert views.search_clauses(tree, "督导 督学") == views.search_clauses(tree, "督導 督學")
    assert views.search_clauses(tree, "  ") == list(tree.clauses)
    assert views.search_clauses(tree, "火星基地") == []
