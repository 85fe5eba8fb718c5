import re

from assistant import render, views
from assistant.parser import parse_policy
from assistant.records import Answer, Citation, Intent, Library

HOSTILE = '<script>alert(1)</script><img src=x onerror=alert(2)>[链接](javascript:alert(3))'


def _tags(html: str) -> set[str]:
    return set(re.findall(r"<\s*([a-zA-Z][a-zA-Z0-9]*)", html))


OUR_TAGS = {"div", "details", "summary", "span", "mark", "br", "strong", "a", "button"}


def test_a_hostile_question_and_clause_render_as_text():
    answer = Answer(question=HOSTILE, answer=f"回答{HOSTILE}", refused=False, intent=Intent.TOPIC,
                    citations=(Citation("四（五）", "doc", f"文件{HOSTILE}", f"路径{HOSTILE}", f"条款{HOSTILE}", 1.0),),
                    terms=("script", "条款"))
    for html in (render.question_html(HOSTILE), render.answer_html(answer),
                 render.answer_html(answer, "回答<scr", with_citations=False)):
        assert _tags(html) <= OUR_TAGS, html
        assert "&lt;script&gt;" in html or "&lt;scr" in html
        assert re.findall(r"<a [^>]*href=\"([^\"]*)\"", html) in ([], ["/clause/doc/%E5%9B%9B%EF%BC%88%E4%BA%94%EF%BC%89"])
    assert "<mark>script</mark>" in render.answer_html(answer)  # highlighted, still escaped around it


def test_a_hostile_document_renders_as_text_in_the_outline_and_clause_view():
    text = ("西青区测试方案\n\n四、重点任务\n\n（一）完善<script>alert(1)</script>制度\n\n"
            f"行动目标：目标{HOSTILE}。（责任单位：区教育局）\n\n具体举措：\n\n1. 举措<b>一</b>。\n")
    tree = parse_policy(text, document_id="hostile")
    assert any("<script>" in clause.text or "<script>" in clause.section for clause in tree.clauses)
    pages = [render.outline_html(tree), render.library_outline_html([tree, tree])]
    pages += [render.clause_html(clause, ["目标"], with_document=True) for clause in tree.clauses]
    for html in pages:
        assert _tags(html) <= OUR_TAGS, html


def test_a_hostile_document_title_renders_as_text_in_the_heading_and_notes():
    for html in (render.heading_html(f"标题{HOSTILE}", f"说明{HOSTILE}"), render.note_html(HOSTILE),
                 render.citation_card("一", "一、总则", "正文", (), f"文件{HOSTILE}")):
        assert _tags(html) <= OUR_TAGS | {"h2", "p"}, html
        assert "&lt;script&gt;" in html


def test_citation_cards_name_their_document():
    answer = Answer("问", "答", False, Intent.TOPIC,
                    (Citation("四（五）", "plan", "某区行动方案", "四、重点任务", "正文", 1.0),))
    assert '<span class="cite-doc">《某区行动方案》</span>' in render.answer_html(answer)


def test_highlight_matches_folded_forms_and_maps_back_to_the_original():
    assert render.highlight("教育督導體制", ["督导体制"]) == "教育<mark>督導體制</mark>"
    assert render.highlight("达到９３％以上", ["93%"]) == "达到<mark>９３％</mark>以上"
    assert render.highlight("学前教育", ["学"]) == "学前教育"  # one-character terms would mark everything


def test_responsibility_views_are_built_from_the_tree(tree):
    rows = views.responsibilities(tree)
    assert len(rows) == 22 and all(row.responsible_units for row in rows)
    assert {row.part_title for row in rows} == {"重点任务", "攻坚行动"}
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


def _plan(title: str, document_id: str) -> str:
    return (f"{title}\n\n一、主要任务\n\n（一）建设学校\n\n行动目标：新建学校3所。（牵头单位：区教育局；配合单位：区财政局）\n\n"
            "（二）培训教师\n\n每年培训教师200人次。（责任单位：区人社局）\n\n二、保障措施\n\n（一）加强领导\n\n"
            "成立工作专班。\n")


def test_cooperating_units_appear_in_both_duty_views():
    tree = parse_policy(_plan("某区学校建设方案", "build"), document_id="build")
    rows = {row.item_id: row for row in views.responsibilities(tree)}
    assert rows["一（一）"].responsible_units == ("区教育局",)
    assert rows["一（一）"].cooperating_units == ("区财政局",)
    finance = views.unit_duties(tree, "区财政局")[0]
    assert finance.item_ids == () and finance.cooperating_ids == ("一（一）",)
    assert [row.item_id for row in views.responsibilities(tree, "区财政局")] == ["一（一）"]


def test_outline_is_plain_data_with_parts_items_and_clauses(tree):
    data = views.outline(tree)
    assert data["document"]["id"] == tree.document.id and data["document"]["period"] == [2023, 2025]
    assert [part["title"] for part in data["parts"]][3:] == ["重点任务", "攻坚行动", "保障措施"]
    item = next(item for item in data["items"] if item["id"] == "四（八）")
    assert item["part_title"] == "重点任务" and "区残联" in item["responsible_units"]
    assert item["cooperating_units"] == [] and item["clauses"][0] == "四（八）"
    assert all(clause["document"] == tree.document.id for clause in data["clauses"])


def test_library_views_list_label_and_name_the_documents(tree):
    one = Library((tree,))
    assert views.heading(one)[0] == tree.document.title
    other = parse_policy(_plan("某区学校建设方案", "build"), document_id="build")
    twin = parse_policy(_plan("某区学校建设方案", "build-2"), document_id="build-2")
    library = Library((tree, other, twin))
    title, line = views.heading(library)
    assert title == views.LIBRARY_NAME and "3 份文件" in line
    labels = views.document_labels(library)
    assert labels[tree.document.id] == tree.document.title
    assert labels["build"] == "某区学校建设方案（build）" and labels["build-2"] == "某区学校建设方案（build-2）"
    listing = views.library_listing(library, generation="gen-3")
    assert listing["generation"] == "gen-3"
    first = listing["documents"][0]
    assert set(first) == {"id", "title", "issuer", "date", "doc_number", "place", "period", "origin", "source",
                          "clauses", "added_at"}
    assert first["clauses"] == len(tree.clauses) and first["period"] == [2023, 2025]
    assert views.search_clauses(library, "新建学校") == [other.clause("一（一）"), twin.clause("一（一）")]
    assert "《某区学校建设方案》" in render.library_outline_html(library.trees)


def test_untitled_items_are_named_by_their_text():
    tree = parse_policy("某县办学管理办法\n\n第一章 总则\n\n第一条 为规范办学行为，制定本办法。\n\n"
                        "第二条 本办法适用于全县中小学。\n", document_id="rules")
    assert [views.item_title(tree, item) for item in tree.items][0].startswith("第一条 为规范办学行为")


def test_a_refusals_suggestions_become_buttons_in_place_of_the_same_text():
    suggestions = ("谁负责学前教育？", f"问{HOSTILE}")
    answer = Answer(question="天气", answer="抱歉……您可以这样问：" + " / ".join(suggestions), refused=True,
                    intent=Intent.OUT_OF_SCOPE, citations=(), suggestions=suggestions)
    html = render.answer_html(answer)
    assert _tags(html) <= OUR_TAGS, html
    assert re.findall(r'<button type="button" class="suggestion">', html) == ['<button type="button" class="suggestion">'] * 2
    assert html.count("谁负责学前教育？") == 1 and "您可以这样问：<" in html.replace("<br>", "")
    streaming = render.answer_html(answer, "抱歉……", with_citations=False)   # buttons come with the last piece
    assert "suggestion" not in streaming
