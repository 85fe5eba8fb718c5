import re

import pytest

from assistant.parser import extract_targets, parse_policy, responsible_units, strip_markdown
from assistant.records import ClauseKind
from tests.conftest import FLAGSHIP, items_in_part
from assistant.text import fold


def plain_text_export(markdown: str) -> str:
    """The same policy as plain text: no markdown, half-width parentheses, single newlines."""
    lines = [strip_markdown(line) for line in markdown.splitlines()]
    text = "\n".join(line for line in lines if line)
    return text.replace("（", "(").replace("）", ")")


def tree_shape(tree):
    return [(c.id, c.section, c.responsible_units, c.kind, fold(c.text)) for c in tree.clauses]


def test_parts_items_and_campaigns(tree):
    assert [part.heading for part in tree.parts] == [
        "一、指导思想", "二、发展目标", "三、总体思路", "四、重点任务", "五、攻坚行动", "六、保障措施"]
    assert len(items_in_part(tree, "重点任务")) == 15
    assert len(items_in_part(tree, "攻坚行动")) == 7
    assert [item.title for item in items_in_part(tree, "保障措施")] == [
        "加强组织领导", "加强资金保障", "加强督查问效", "加强宣传引导"]


def test_every_task_and_campaign_has_its_units_on_every_clause(tree):
    for item in items_in_part(tree, "重点任务") + items_in_part(tree, "攻坚行动"):
        assert item.responsible_units, item.id
        assert item.responsible_units[0] == "区教育局"
        for clause in tree.clauses_of(item):
            assert clause.responsible_units == item.responsible_units


def test_units_are_read_from_notes_in_any_position_and_bracket_style(tree):
    assert tree.item("四（五）").responsible_units == (
        "区教育局", "区委编办", "区财政局", "区人社局", "区住建委", "区政务服务办", "区市场监管局", "各街镇")
    # 四（八）: the note stands in a paragraph of its own
    assert tree.item("四（八）").responsible_units == ("区教育局", "区残联")
    # 五（三）: split by a page break (区 / 委编办) and closed with a half-width bracket
    assert tree.item("五（三）").responsible_units[1] == "区委编办"
    assert tree.item("五（三）").responsible_units[-1] == "各街镇"


def test_clause_ids_and_heading_paths(tree):
    assert tree.clause("四（五）.2").section == "四、重点任务 > （五）推进学前教育普及普惠发展 > 具体举措 2"
    assert tree.clause("四（五）").section == "四、重点任务 > （五）推进学前教育普及普惠发展 > 行动目标"
    assert tree.clause("五（四）").section == "五、攻坚行动 > （四）学前教育普及普惠区创建攻坚行动"
    assert [c.id for c in tree.clauses_of(tree.item("四（十二）"))] == [
        "四（十二）", "四（十二）.1", "四（十二）.2", "四（十二）.3", "四（十二）.4"]
    # an item whose 具体举措 is one unnumbered paragraph
    assert tree.clause("四（十一）.举措").kind == ClauseKind.MEASURE
    ids = [clause.id for clause in tree.clauses]
    assert len(ids) == len(set(ids))


def test_notice_header_and_document_record(tree):
    assert tree.document.issuer == "天津市西青区人民政府办公室"
    assert tree.document.date == "2023年11月23日"
    assert tree.document.title == "西青区教育高质量发展三年行动方案（2023—2025年）"
    assert all(clause.document == tree.document for clause in tree.clauses)
    assert tree.clause("通知").kind == ClauseKind.NOTICE
    assert tree.clause("序言").text.startswith("为深入贯彻落实党的二十大精神")


def test_page_break_splits_are_repaired(tree):
    assert "深入贯彻党的二十大精神和党的教育方针" in tree.clause("一").text
    assert "学校党组织书记主持党组织全面工作，支持和保证校长" in tree.clause("四（一）.2").text
    assert "思政课质量评价体系" in tree.clause("四（二）.2").text
    assert "制定小学教学质量监测评估办法和初高中" in tree.clause("四（十一）.举措").text
    # the 行动目标 of 四（五） has two real paragraphs, kept as two lines
    assert tree.clause("四（五）").text.count("\n") == 1


def test_traditional_characters_kept_for_display_and_folded_for_matching(tree):
    clause = tree.clause("四（十四）.2")
    assert "督導體制" in clause.text
    assert "督导体制" in fold(clause.text)


def test_plain_text_export_gives_the_same_tree(tree):
    plain = plain_text_export(FLAGSHIP.read_text(encoding="utf-8"))
    assert "#" not in plain and "**" not in plain and "（" not in plain
    assert tree_shape(parse_policy(plain, document_id=tree.document.id)) == tree_shape(tree)


def test_a_small_policy_in_plain_text_parses_the_same_way():
    text = "\n".join([
        "某区关于印发某区教育行动方案的通知",
        "各单位：现将方案印发给你们。",
        "2024年1月2日",
        "一、重点任务",
        "(一)办好家门口的学校",
        "行动目标：新增学位不少于100个。(责任单位：区教育局、区",
        "财政局)",
        "具体举措：",
        "1. 建设新校。推进",
        "学校建设。",
    ])
    tree = parse_policy(text, document_id="demo")
    assert tree.document.date == "2024年1月2日"
    item = tree.item("一（一）")
    assert item.responsible_units == ("区教育局", "区财政局")
    assert tree.clause("一（一）.1").text == "1. 建设新校。推进学校建设。"
    assert [t.value for t in tree.clause("一（一）").targets] == ["100个"]


def test_quantitative_targets(tree):
    preschool = {t.value: t for t in tree.clause("四（五）").targets}
    assert set(preschool) == {"93%", "85%", "50%"}
    assert preschool["93%"].measure == "学前三年毛入园率"
    assert preschool["93%"].comparator == "以上"
    places = tree.clause("四（六）").targets
    assert [(t.value, t.deadline) for t in places] == [("3240个", "到2025年"), ("2700个", "到2025年")]
    for target in tree.targets:
        assert target.phrase in tree.clause(target.clause_id).text
    # a year or a formula is not a target
    assert extract_targets("x", "到2025年落实“2+1项目”。") == ()


@pytest.mark.parametrize("note, units", [
    ("（责任单位：区教育局、区残联）", ("区教育局", "区残联")),
    ("(责任单位: 区教育局, 区财政局)", ("区教育局", "区财政局")),
    ("没有责任单位的句子。", ()),
])
def test_responsible_units_note(note, units):
    assert responsible_units(note) == units


def test_no_clause_is_empty_or_keeps_markdown(tree):
    for clause in tree.clauses:
        assert clause.text.strip()
        assert not re.search(r"^#|\*\*", clause.text, re.M)
