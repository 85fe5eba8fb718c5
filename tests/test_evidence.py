"""Sentence-level evidence, details a policy does not set, two editions compared, and titles quoted
in pieces: over small invented policies (places and numbers are made up), through Assistant.ask."""

from __future__ import annotations

import pytest

from assistant.engine import Assistant
from assistant.evidence import Sentence, is_headline, sentences_of
from assistant.parser import parse_policy
from assistant.settings import Settings

OLD_EDITION = """# 青梧县教育提质三年行动方案（2022—2024年）

青梧县人民政府办公室
2022年2月10日

## 一、重点任务

（一）扩大学前教育资源

行动目标：新建公办幼儿园6所。（责任单位：县教育局、县财政局）

（二）提高乡村教师待遇

行动目标：落实乡村教师生活补助。（责任单位：县教育局、县财政局）

具体举措：

1. 提高乡村教师生活补助。按学校距县城距离分档发放：

①10公里以内每人每月260元；

②30公里以上每人每月720元。

（三）推进校园足球普及

行动目标：建成校园足球特色学校15所。（责任单位：县教育局、县体育局）

## 二、保障措施

（一）加强组织领导

成立由分管副县长任组长的工作专班。
"""

NEW_EDITION = """# 青梧县教育提质三年行动方案（2025—2027年）

青梧县人民政府办公室
2025年2月12日

## 一、重点任务

（一）扩大学前教育优质资源

行动目标：新建公办幼儿园4所。（责任单位：县教育局、县财政局）

（二）提高乡村教师待遇

行动目标：乡村教师生活补助每人每月不低于500元。（责任单位：县教育局、县财政局）

（三）推进人工智能教育

行动目标：建成人工智能教育实验校10所。（责任单位：县教育局、县科技局）

## 二、保障措施

（一）加强组织领导

成立由县长任组长的领导小组。心理援助热线为0756-2330123，全天开通。
"""


def library_of(tmp_path_factory, files: dict[str, str]) -> Assistant:
    """An assistant over a new library of these markdown documents (file stem → text)."""
    folder = tmp_path_factory.mktemp("library")
    for stem, text in files.items():
        (folder / f"{stem}.md").write_text(text, encoding="utf-8")
    return Assistant.load(Settings(corpus=[folder], store=tmp_path_factory.mktemp("store") / "s", show_progress=False))


def clause(text: str):
    """The clause of one numbered item whose lines are ``text``."""
    body = "\n\n".join(text.split("\n"))
    tree = parse_policy(f"# 白沙县学校管理办法\n\n## 一、总则\n\n（一）{body}\n", "t", "t.md")
    return tree.clauses[-1]


def test_a_table_flattened_to_one_cell_per_line_reads_as_rows():
    texts = [s.text for s in sentences_of(clause("主要指标。\n普惠性幼儿园覆盖率（%）\n85.2\n90\n约束性"))]
    assert texts[-1] == "普惠性幼儿园覆盖率（%） | 85.2 | 90 | 约束性"


def test_a_headline_is_a_short_opening_or_a_line_that_introduces_a_list():
    owner = clause("（一）加强资金保障。要加大投入。")
    assert is_headline(Sentence(owner, "（一）加强资金保障。", 0))
    assert is_headline(Sentence(owner, "按学校距县城距离分档发放：", 3))
    assert not is_headline(Sentence(owner, "要始终坚持教育优先发展，加大财政保障力度，确保投入只增不减。", 0))


@pytest.fixture(scope="module")
def editions(tmp_path_factory) -> Assistant:
    return library_of(tmp_path_factory, {"qingwu-plan-2022-2024": OLD_EDITION, "qingwu-plan-2025-2027": NEW_EDITION})


def test_the_sentence_that_holds_the_amount_is_quoted_not_the_clauses_opening(editions):
    answer = editions.ask("青梧县2022—2024年方案里，学校离县城35公里的乡村老师每月补助多少？")
    assert not answer.refused
    assert "720元" in answer.answer
    assert [c.document for c in answer.citations] == ["qingwu-plan-2022-2024"] * len(answer.citations)


def test_a_detail_the_policy_does_not_set_is_said_to_be_unset_and_one_it_states_is_answered(editions):
    clock = editions.ask("青梧县2025—2027年方案里，幼儿园每天几点放学？")
    assert not clock.refused and "没有规定具体的钟点时间" in clock.answer.splitlines()[0]
    phone = editions.ask("青梧县2025—2027年方案里的心理援助热线电话是多少？")
    assert not phone.refused and "0756-2330123" in phone.answer


def test_what_a_new_edition_added_and_dropped_is_the_difference_of_their_items(editions):
    added = editions.ask("青梧县2025—2027年方案相比2022—2024年方案新增了哪些重点任务？")
    assert not added.refused
    assert "推进人工智能教育" in added.answer and "校园足球" not in added.answer
    # a task reworded slightly (扩大学前教育资源 → 扩大学前教育优质资源) is kept, not added
    assert "扩大学前教育" not in added.answer
    assert {c.document for c in added.citations} == {"qingwu-plan-2022-2024", "qingwu-plan-2025-2027"}
    dropped = editions.ask("青梧县2025—2027年方案去掉了2022—2024年方案里的哪些重点任务？")
    assert "推进校园足球普及" in dropped.answer and "人工智能" not in dropped.answer


def test_who_is_responsible_in_two_editions_is_not_read_as_a_list_of_changed_items(editions):
    answer = editions.ask("提高乡村教师待遇的责任单位，2025—2027年方案比2022—2024年方案多了哪个单位？")
    assert "县财政局" in answer.answer and "新增的" not in answer.answer


def test_a_title_quoted_in_pieces_names_its_document(library_assistant):
    # "黄南州教育…规划" is not its title's exact wording (黄南藏族自治州教育事业发展“十四五”规划)
    answer = library_assistant.ask("教育事业发展规划里黄南藏族自治州要新增多少学前学位？")
    assert {c.document for c in answer.citations} == {"huangnan-education-14th-fyp"}
    answer = library_assistant.ask("藏族自治州教育事业发展规划要新建、改扩建多少所幼儿园？")
    assert not answer.refused and {c.document for c in answer.citations} == {"huangnan-education-14th-fyp"}


def test_counts_of_nothing_or_of_a_hundred_and_numbers_past_ninety_nine_do_not_fail(library_assistant):
    for question in ("市南区教育体育事业发展第十三个五年规划列出的所有责任单位有哪些？", "重点任务（一百二十）是什么？",
                     "四（一百）的行动目标是什么？"):
        assert library_assistant.ask(question).answer


DUTIES_PLAN = """# 青梧县特殊教育提升行动计划（2025—2027年）

青梧县人民政府办公室
2025年3月3日

为推进全县特殊教育（以下简称“特教”）优质发展，制定本计划。

## 一、重点任务

（一）提升普及水平

1.完善入学安置机制。每年6月底前完成适龄残疾儿童入学评估。

（1）送教上门。对不能到校的重度残疾儿童送教上门，做到：

①每生每月送教不少于3次；

②送教教师享受交通补助。

牵头单位：县教育局

配合单位：县卫健局、县残联

2.做好早期筛查。县妇幼保健院每年开展0—6岁儿童残疾筛查。

牵头单位：县卫健局

配合单位：县教育局

（二）加强教师队伍

1.提高教师待遇。特教津贴按基本工资的15%发放。

牵头单位：县人社局

配合单位：县财政局、各镇(街、区)

## 二、保障措施

（一）加强组织领导

成立青梧县特殊教育提升工作领导小组，由分管副县长任组长，领导小组办公室设在县教育局。
"""


@pytest.fixture(scope="module")
def duties(tmp_path_factory) -> Assistant:
    return library_of(tmp_path_factory, {"qingwu-special-2025-2027": DUTIES_PLAN})


def test_a_measure_with_its_own_units_is_answered_with_them(duties):
    answer = duties.ask("完善入学安置机制由谁牵头，谁配合？")
    assert "县教育局" in answer.answer and "县卫健局、县残联" in answer.answer
    assert "县人社局" not in answer.answer
    # the measure is cited, and the sub-clause that carries its units
    assert {"一（一）.1", "一（一）.1（1）②"} <= {c.id for c in answer.citations}


def test_a_units_measures_are_listed_by_role(duties):
    led = duties.ask("县卫健局牵头哪些任务？")
    assert "做好早期筛查" in led.answer and "完善入学安置机制" not in led.answer
    helped = duties.ask("县卫健局配合哪些任务？")
    assert "完善入学安置机制" in helped.answer and "做好早期筛查" not in helped.answer
    both = duties.ask("县卫健局负责哪些事？")
    assert "做好早期筛查" in both.answer and "完善入学安置机制" in both.answer


def test_a_headline_ending_in_a_colon_brings_the_clauses_under_it(duties):
    answer = duties.ask("重度残疾孩子送教上门每月几次？")
    assert "3次" in answer.answer


def test_a_listing_is_narrowed_by_date_place_and_topic(library_assistant):
    before = library_assistant.ask("知识库里有哪些是2020年以前发布的文件？")
    listed = {c.document for c in before.citations}
    assert {"shinan-education-13th-fyp-excerpt", "mianyang-left-behind-children-opinions-2010"} <= listed
    assert "xiqing-education-plan-2026-2028" not in listed
    sichuan = library_assistant.ask("知识库里有哪些四川省的文件？")
    assert {c.document for c in sichuan.citations} == {"sichuan-student-mental-health-plan-2023-2025",
                                                       "mianyang-left-behind-children-opinions-2010"}
    teachers = library_assistant.ask("知识库里有专门讲教师队伍建设的文件吗？")
    assert {c.document for c in teachers.citations} == {"anji-teacher-workforce-plan-2024-2026"}


def test_each_question_within_a_question_gets_its_sentence_and_a_quoted_name_is_looked_for(duties, editions):
    answer = editions.ask("青梧县2022—2024年方案里，乡村教师30公里以上每月补助多少？校园足球特色学校建几所？")
    assert "720元" in answer.answer and "15所" in answer.answer
    quoted = editions.ask("青梧县2022—2024年方案提到的“校园足球特色学校”要建几所？")
    assert "15所" in quoted.answer


def test_a_bracketed_part_of_a_unit_name_stays_with_it(duties):
    answer = duties.ask("提高教师待遇由谁牵头，谁配合？")
    assert "县人社局" in answer.answer and "各镇(街、区)" in answer.answer


def test_a_plan_or_a_work_group_named_in_the_question_does_not_ask_for_measures(duties):
    answer = duties.ask("青梧县特殊教育提升行动计划里，工作领导小组的组长是谁？办公室设在哪里？")
    assert "分管副县长" in answer.answer and "办公室设在县教育局" in answer.answer


def test_a_document_named_by_the_short_name_it_gives_its_subject(tmp_path_factory):
    library = library_of(tmp_path_factory, {"qingwu-special-2025-2027": DUTIES_PLAN, "qingwu-plan-2025-2027": NEW_EDITION})
    answer = library.ask("特教行动计划里，提高教师待遇由谁牵头？")
    assert {c.document for c in answer.citations} == {"qingwu-special-2025-2027"}
    assert "县人社局" in answer.answer


BRACKETED_NOTES = """# 青梧县2026年教育督导工作要点

## 一、聚焦督政

1.开展县级政府履职评价。每年对乡镇履行教育职责情况评价1次。

【牵头单位】县教育督导室

【配合单位】县委督查室、县政府督查室

2.迎接国家督导评估。完善义务教育学校办学条件。

【牵头单位】县教育局

【配合单位】县财政局、县住房城乡建设局

## 二、聚焦督学

3.深化责任督学挂牌督导。每名责任督学每月到校督导不少于2次。

【牵头单位】县教育督导室

【配合单位】县教育局人事股
"""


def test_unit_notes_with_bracketed_labels_are_read(tmp_path_factory):
    library = library_of(tmp_path_factory, {"qingwu-supervision-2026": BRACKETED_NOTES})
    tree = library.library.trees[0]
    assert [(item.responsible_units, item.cooperating_units) for item in tree.items][1] == \
        (("县教育局",), ("县财政局", "县住房城乡建设局"))
    outline = library.ask("这个工作要点分几个部分？一共列了多少条？")
    assert "两个部分" in outline.answer or "二个部分" in outline.answer
    assert "三项" in outline.answer
    tasks = library.ask("县教育督导室要牵头干点啥？")   # colloquial: 干点啥 → 干点什么
    assert "开展县级政府履职评价" in tasks.answer and "深化责任督学挂牌督导" in tasks.answer
    assert "迎接国家督导评估" not in tasks.answer


def test_who_a_sentence_names_answers_who_when_no_item_is_about_the_topic(duties):
    answer = duties.ask("工作领导小组办公室设在哪个部门？")
    assert "办公室设在县教育局" in answer.answer
    assert "县人社局" not in answer.answer


def test_an_unscoped_question_quoting_a_name_is_answered_from_the_document_that_uses_it(editions):
    answer = editions.ask("“校园足球特色学校”要建几所？")
    assert "15所" in answer.answer
    assert {c.document for c in answer.citations} == {"qingwu-plan-2022-2024"}


ROLE_NOTES = """# 南溪市义务教育招生入学实施意见

南溪市教育局

一、招生办法

（一）推行一网通办。实行数据共享核验，家长不需重复提交材料。（市教育局牵头，市大数据中心配合）

（二）规范民办学校招生。报名人数超过招生计划的，一律实行电脑随机录取。（市教育局牵头，市市场监管局、市发展改革委配合）

（三）做好旱厕改造。农村学校旱厕年内全部改造为水冲式厕所。（牵头：市住建局；配合：市教育局）

请各校于2025年12月10日前报送工作总结。

南溪市教育局
2025年3月5日
"""


def test_units_named_before_their_role_and_bare_role_labels_are_read():
    tree = parse_policy(ROLE_NOTES, "nanxi", "nanxi.md")
    units = {item.id: (item.responsible_units, item.cooperating_units) for item in tree.items}
    assert units["一（一）"] == (("市教育局",), ("市大数据中心",))
    assert units["一（二）"] == (("市教育局",), ("市市场监管局", "市发展改革委"))
    assert units["一（三）"] == (("市住建局",), ("市教育局",))
    # the signature's date, not a deadline written in a sentence
    assert tree.document.date == "2025年3月5日"


def test_a_word_the_tokenizer_splits_into_characters_is_still_found(tmp_path_factory):
    library = library_of(tmp_path_factory, {"nanxi-enrollment-2025": ROLE_NOTES, "qingwu-plan-2025-2027": NEW_EDITION})
    answer = library.ask("农村学校的旱厕今年能改完吗？")   # jieba cuts 旱厕 into 旱 and 厕
    assert not answer.refused and "水冲式厕所" in answer.answer
    helped = library.ask("市大数据中心要配合做什么？")
    assert "推行一网通办" in helped.answer and "规范民办学校招生" not in helped.answer
    both = library.ask("市教育局负责哪项任务？又配合哪项？")
    assert "推行一网通办" in both.answer and "做好旱厕改造" in both.answer
    advice = library.ask("给孩子买校车意外险，哪家保险公司便宜？")
    assert advice.refused


def test_a_school_the_document_never_names_is_outside_it(editions):
    answer = editions.ask("青梧县第一实验小学2025—2027年要建几个人工智能实验室？")
    assert answer.refused and "这所学校" in answer.answer


def test_an_outline_question_lists_the_parts_even_beside_parts_it_names(tmp_path_factory):
    two_parts = ROLE_NOTES.replace("一、招生办法", "一、招生办法\n\n二、保障措施\n\n（一）加强领导。成立工作专班。")
    library = library_of(tmp_path_factory, {"nanxi-enrollment-2025": two_parts})
    answer = library.ask("这个实施意见分几个部分？除了保障措施还有哪些部分？")
    assert "二个部分" in answer.answer or "两个部分" in answer.answer
    assert "招生办法" in answer.answer and "保障措施" in answer.answer


NATIONAL_OPINIONS = """# 教育部等三部门关于加强中小学阅读工作的指导意见

教育部
2024年3月1日

一、总体要求

（一）主要目标。到2027年，中小学生年人均阅读量达到20本。
"""


def test_a_listing_of_national_documents(tmp_path_factory):
    library = library_of(tmp_path_factory, {"national-reading-opinions-2024": NATIONAL_OPINIONS,
                                            "qingwu-plan-2025-2027": NEW_EDITION})
    assert library.library.tree("national-reading-opinions-2024").document.place == "全国"
    listing = library.ask("知识库里有哪些国家部委发的文件？")
    assert {c.document for c in listing.citations} == {"national-reading-opinions-2024"}


def test_a_time_of_day_the_policy_does_not_set_is_said_to_be_unset(assistant):
    answer = assistant.ask("学校课后服务到几点？")
    assert not answer.refused and answer.answer.startswith("本方案没有规定具体的钟点时间。")
    assert any(citation.id.startswith("四（三）") for citation in answer.citations)


MEASURES_WITH_BOXES = """# 中共石井县委办公室　石井县人民政府办公室关于印发《石井县减轻教师负担若干措施》的通知

石办发〔2025〕3号

2025年4月2日

## 石井县减轻教师负担若干措施

### 第一部分　总体要求

坚持源头治理，让教师潜心教书。

### 第二部分　主要措施

#### 一、严控督查检查

实行年度计划管理。一是督查检查每学年不超过1次；二是能合并的合并。（牵头单位：县委督查室；配合单位：县教育局）

> 专栏1　“一表通”数据工程

1.2025年9月底前建成数据平台。

2.报表压减至60张以内。

#### 二、保障休息权益

教师每周夜间值守原则上不超过2次；值守后次日上午可以不安排第一、二节课。（牵头单位：县教育局；配合单位：县财政局）

> 专栏2　“安心从教”保障工程

1.县财政每年安排专项经费500万元。

2.新建教师周转宿舍120套。

### 第三部分　保障机制

#### 一、强化督查问责

将减负落实情况纳入年度绩效考核。（牵头单位：县委督查室）
"""


@pytest.fixture(scope="module")
def boxes(tmp_path_factory) -> Assistant:
    return library_of(tmp_path_factory, {"shijing-teacher-burden-2025": MEASURES_WITH_BOXES})


def test_boxes_beside_the_text_are_listed_and_a_box_brings_its_lines(boxes):
    listing = boxes.ask("石井县减负若干措施里有几个专栏？各叫什么？")
    assert "共有两个专栏" in listing.answer
    assert "“一表通”数据工程" in listing.answer and "“安心从教”保障工程" in listing.answer
    box = boxes.ask("专栏2“安心从教”保障工程包括哪些内容？")
    assert "500万元" in box.answer and "120套" in box.answer and "60张" not in box.answer


def test_an_outline_gives_each_part_with_its_count_of_items(boxes):
    answer = boxes.ask("石井县减轻教师负担若干措施分几个部分？")
    assert "第二部分主要措施（二项）" in answer.answer and "第三部分保障机制（一项）" in answer.answer


def test_a_part_of_a_sentence_is_quoted_with_the_rest_of_its_short_sentence(boxes):
    answer = boxes.ask("石井县老师一周最多值几次夜班？值完第二天上午要上课吗？")
    assert not answer.refused
    assert "不超过2次" in answer.answer and "第一、二节课" in answer.answer


def test_a_unit_with_one_task_is_told_what_the_task_says(boxes):
    answer = boxes.ask("石井县财政局要配合做什么？")
    assert "夜间值守" in answer.answer


CITY_RULES = """# 澜沧市校园体育场地开放管理办法

澜沧市教育局
2025年3月1日

第一条　为了规范学校体育场地向社会开放，制定本办法。

第二条　申请开放的学校应当具备下列条件：

（一）场地与教学区相对隔离；

（二）配备专职管理人员。

第三条　学校体育场地开放时间为每周六、周日9时至17时，寒暑假另行安排。
"""

COUNTY_POINTS = """# 青石县2025年校园足球工作要点

青石县教育局
2025年3月10日

根据澜沧市教育局学校体育工作部署，结合我县实际，制定本要点。

一、普及校园足球

1.每所小学每周安排1节足球课。（牵头：县教育局；配合：县体育局）
"""


def test_a_county_named_by_its_city_in_its_opening_is_listed_with_the_city(tmp_path_factory):
    library = library_of(tmp_path_factory, {"lancang-sports-grounds-2025": CITY_RULES,
                                            "qingshi-sports-points-2025": COUNTY_POINTS,
                                            "qingwu-plan-2025-2027": NEW_EDITION})
    listing = library.ask("知识库里跟澜沧市有关的文件有哪些（含下面的县）？")
    assert {c.document for c in listing.citations} == {"lancang-sports-grounds-2025", "qingshi-sports-points-2025"}
    assert any("根据澜沧市教育局" in c.text for c in listing.citations)
    # A listing by topic keeps to the titles that hold it, not the words of the question around it.
    football = library.ask("库里有没有专门讲校园足球的文件？是哪份？")
    assert {c.document for c in football.citations} == {"qingshi-sports-points-2025"}
    # An article that introduces a list keeps its text, and a named article is quoted.
    article = library.ask("澜沧市场地开放管理办法第二条怎么规定的？")
    assert "应当具备下列条件" in article.answer and "专职管理人员" in article.answer
    hours = library.ask("澜沧市场地开放管理办法第三条规定开放到几点？")
    assert "9时至17时" in hours.answer


PROSE_DUTIES = """# 松岭市校园足球管理办法

松岭市教育局
2025年2月1日

## 第一章　总则

第一条　为了推进校园足球普及，制定本办法。

## 第二章　职责分工

第二条　市教育局负责组织校园足球联赛；市财政局负责保障联赛和场地建设经费；市体育局负责派出裁判员。

## 第三章　教学与招生

第三条　特色学校每周安排1节足球课，其他学校每两周不少于1节。

第四条　足球特长生招生学校每校每年招收足球特长生不超过20名。

第五条　每年评选“优秀足球教练员”10名，给予表彰。
"""


def test_prose_duties_counts_of_people_and_names_of_people(tmp_path_factory):
    library = library_of(tmp_path_factory, {"songling-football-measures-2025": PROSE_DUTIES,
                                            "qingwu-plan-2025-2027": NEW_EDITION})
    duty = library.ask("松岭市校园足球管理办法第二章里，市财政局负责哪些工作？")
    assert "保障联赛和场地建设经费" in duty.answer
    # 收多少人 asks for a number of students, not a fee.
    admitted = library.ask("松岭市足球特长生每校收多少人？")
    assert not admitted.refused and "20名" in admitted.answer
    # A word and the character jieba leaves after it (足球课) is looked for together.
    lessons = library.ask("松岭市的学校一周上几节足球课？")
    assert "每周安排1节足球课" in lessons.answer
    # Policies name no award winners.
    winners = library.ask("松岭市评上“优秀足球教练员”的都有哪些人？")
    assert winners.refused


def test_counts_of_a_named_part_and_of_a_named_items_measures(boxes):
    part = boxes.ask("石井县减负措施第二部分“主要措施”一共有几条？第一条和最后一条是什么？")
    assert "严控督查检查" in part.answer and "保障休息权益" in part.answer
    measures = boxes.ask("石井县“严控督查检查”列了几条具体举措？第一条和最后一条是什么？")
    assert "共二项" in measures.answer or "共两项" in measures.answer
    assert "数据平台" in measures.answer and "60张" in measures.answer
    outline = boxes.ask("石井县减轻教师负担若干措施分几个部分？")
    assert "第二部分二" in [citation.id for citation in outline.citations]   # a part's last item shows its count


JOINT_NOTICE = """# 翠屏省教育厅等三部门关于印发《翠屏省中小学实验教学提升计划》的通知

翠教基〔2024〕5号

各市教育局：为提高实验教学质量，翠屏省教育厅、翠屏省财政厅、翠屏省科学技术厅研究制定了《翠屏省中小学实验教学提升计划》，现印发给你们。

2024年3月1日

## 翠屏省中小学实验教学提升计划

一、主要目标

（一）到2026年，实验开出率达到95%以上。
"""


def test_a_joint_issuer_is_named_in_full(tmp_path_factory):
    library = library_of(tmp_path_factory, {"cuiping-lab-teaching-2024": JOINT_NOTICE,
                                            "qingwu-plan-2025-2027": NEW_EDITION})
    answer = library.ask("翠屏省中小学实验教学提升计划是哪些部门联合印发的？")
    assert "翠屏省教育厅等三部门" in answer.answer
    assert "翠屏省财政厅" in answer.answer and "翠屏省科学技术厅" in answer.answer


CITY_PLAN = """# 澜沧市中小学实验教学提升方案（2025—2026年）

澜沧市教育局
2025年4月1日

一、主要任务

（一）开齐实验课程。小学科学、初中理化生实验开出率达到100%。（责任单位：市教育局基础教育处）

（二）配齐实验员。24个班以上的中学配备专职实验员不少于2名。（责任单位：市教育局人事处）
"""


def test_among_several_documents_of_one_place_the_title_or_the_best_match_answers(tmp_path_factory):
    library = library_of(tmp_path_factory, {"lancang-sports-grounds-2025": CITY_RULES,
                                            "lancang-lab-teaching-2025-2026": CITY_PLAN,
                                            "qingwu-plan-2025-2027": NEW_EDITION})
    by_title = library.ask("澜沧市中小学实验教学提升方案由哪个单位负责配齐实验员？")
    assert {c.document for c in by_title.citations} == {"lancang-lab-teaching-2025-2026"}
    by_place = library.ask("澜沧市学校体育场地开放时间是几点到几点？")
    assert {c.document for c in by_place.citations} == {"lancang-sports-grounds-2025"}
    assert "9时至17时" in by_place.answer


RULES_WITH_TARGET = """# 澜沧市教育系统节约能源管理规定

澜沧市教育局
2025年7月8日

第一条　为了推进节约型校园建设，制定本规定。

第二条　到2027年底，全市教育系统分布式光伏装机容量达到15兆瓦。

第三条　“绿色校园”平台向全体师生开放使用。

第四条　每年认定节能示范校10所。
"""


def test_years_and_details_a_policy_does_not_give(tmp_path_factory):
    library = library_of(tmp_path_factory, {"lancang-energy-rules-2025": RULES_WITH_TARGET,
                                            "lancang-lab-teaching-2025-2026": CITY_PLAN,
                                            "qingwu-plan-2025-2027": NEW_EDITION})
    # A document without a period may set a target for the year asked.
    solar = library.ask("学校屋顶装分布式光伏，到2027年底装机容量要达到多少？")
    assert not solar.refused and "15兆瓦" in solar.answer
    scoped = library.ask("澜沧市到2027年底分布式光伏装机容量要达到多少？")
    assert {c.document for c in scoped.citations} == {"lancang-energy-rules-2025"}
    # A website or the schools chosen: the policy gives none, and says so first; a list of people is refused.
    for question in ("澜沧市“绿色校园”平台的网址是什么？怎么登录？", "澜沧市哪些学校被认定为节能示范校？"):
        answer = library.ask(question)
        assert not answer.refused and "没有列出" in answer.answer.splitlines()[0], question
    assert library.ask("澜沧市节能示范校评审专家都有哪些人？能给我名单吗？").refused


ARTICLES_WITH_LISTS = """# 澜沧市学校节能考核办法

澜沧市教育局
2025年5月1日

第一条　市教育局每年对各学校节能工作进行考核，考核内容包括：

（一）节能制度落实情况；

（二）能耗定额完成情况。

考核结果分为优秀、良好、合格、不合格4个等次，纳入学校年度考核。

第二条　空调使用实行温度控制，夏季室内温度设置不得低于26℃，冬季不得高于20℃。室外温度低于28℃时原则上不开启制冷空调。
"""


def test_an_article_is_quoted_with_its_list_and_a_short_one_whole(tmp_path_factory):
    library = library_of(tmp_path_factory, {"lancang-energy-review-2025": ARTICLES_WITH_LISTS,
                                            "qingwu-plan-2025-2027": NEW_EDITION})
    article = library.ask("澜沧市学校节能考核办法第一条的考核内容有哪些？考核结果怎么用？")
    assert "能耗定额完成情况" in article.answer and "4个等次" in article.answer
    temperatures = library.ask("澜沧市学校夏天空调最低开到多少度？外面多少度以下不开冷空调？")
    assert "26℃" in temperatures.answer and "28℃" in temperatures.answer


ITEM_NOTES = """# 澜沧市美育浸润行动实施方案（2025—2027年）

澜沧市教育局
2025年3月18日

一、重点任务

（一）实施课堂提质行动。开齐开足艺术课程。

1.艺术课程开课率达到100%。

牵头单位：市教育局基础教育处；配合单位：市教育科学研究院

（二）实施特色创建行动。引导学校打造特色项目。

1.每年评选市级美育示范学校不少于15所。

2.每所学校艺术社团不少于5个。

牵头单位：市教育局艺术处；配合单位：市文化局、各区（县）教育局

二、保障措施

（一）加强组织领导。成立美育工作领导小组，领导小组办公室设在市教育局艺术处。
"""


def test_a_note_after_an_items_last_measure_is_the_items_and_other_mentions_are_quoted(tmp_path_factory):
    library = library_of(tmp_path_factory, {"lancang-aesthetic-2025-2027": ITEM_NOTES,
                                            "qingwu-plan-2025-2027": NEW_EDITION})
    helper = library.ask("澜沧市美育方案里市文化局要配合做什么？")
    assert "实施特色创建行动" in helper.answer
    assert "15所" in helper.answer and "5个" in helper.answer   # the whole item, not only its last measure
    lead = library.ask("澜沧市美育方案里市教育局艺术处承担哪些任务？")
    assert "实施特色创建行动" in lead.answer and "领导小组办公室设在市教育局艺术处" in lead.answer


def test_numbered_entries_and_reverse_unit_questions(tmp_path_factory):
    points = "\n\n".join(["# 澜沧市2025年学校体育工作要点", "澜沧市教育局", "2025年2月1日", "一、普及教学"]
                         + [f"{n}.任务{n}要做的事。【牵头单位】市教育局{'体卫艺处' if n % 2 else '基教处'}" for n in range(1, 4)]
                         + ["二、保障条件"]
                         + [f"{n}.任务{n}要做的事。【牵头单位】市教育局基教处" for n in range(4, 7)])
    library = library_of(tmp_path_factory, {"lancang-sports-points-2025": points, "lancang-energy-review-2025":
                                            ARTICLES_WITH_LISTS, "qingwu-plan-2025-2027": NEW_EDITION})
    # 第5条 of a document numbered 1.–6. through its parts is item 5.
    assert "任务5要做的事" in library.ask("澜沧市学校体育工作要点的第5条是什么？").answer
    # "是哪些任务的责任单位" asks for the unit's tasks.
    reverse = library.ask("澜沧市学校体育工作要点里，市教育局体卫艺处是哪些任务的责任单位？")
    assert "任务1" in reverse.answer and "任务3" in reverse.answer and "任务2" not in reverse.answer


def test_a_named_items_few_measures_are_told_not_only_headlined(tmp_path_factory):
    plan = "\n\n".join(["# 澜沧市教师队伍建设方案（2025—2027年）", "澜沧市教育局", "2025年3月1日", "一、重点任务",
                        "（一）打造高水平干部队伍。建设一支业务精湛的干部队伍。",
                        "1.实施校长培养工程。每年培养骨干校长20名。", "2.完善教师培训体系。五年一周期培训不少于360学时。"])
    library = library_of(tmp_path_factory, {"lancang-teachers-2025-2027": plan, "qingwu-plan-2025-2027": NEW_EDITION})
    answer = library.ask("澜沧市教师队伍建设方案重点任务（一）有哪些具体举措？")
    assert "20名" in answer.answer and "360学时" in answer.answer


def test_units_given_work_only_in_prose_are_answered_with_every_sentence_that_names_them(tmp_path_factory):
    library = library_of(tmp_path_factory, {"songling-football-measures-2025": PROSE_DUTIES,
                                            "qingwu-plan-2025-2027": NEW_EDITION})
    answer = library.ask("松岭市校园足球管理办法给市体育局和市财政局派了哪些活？")
    assert "派出裁判员" in answer.answer and "保障联赛和场地建设经费" in answer.answer
    assert [citation.id for citation in answer.citations] == ["第二条"]
    for question in ("松岭市校园足球管理办法里市体育局涉及哪些工作？", "松岭市财政局的工作有哪些？"):
        assert "文件中写到" in library.ask(question).answer, question


CANTEEN_PLAN = """# 松岭市中小学食堂管理提升方案（2025—2027年）

松岭市教育局
2025年3月1日

## 一、重点任务

（一）加强营养膳食管理

每所学校配备1名营养健康管理员，由市教育局会同市卫生健康委每年组织1次集中培训。每周公布带量食谱。（责任单位：市教育局）

（二）开展学生营养状况监测

每年开展1次学生营养状况监测。（责任单位：市卫生健康委、市财政局）

（三）规范食堂经营

学校食堂不得对外承包。（责任单位：市市场监管局）
"""


def test_who_is_answered_by_the_sentence_that_names_the_unit_over_an_item_title_sharing_a_word(tmp_path_factory):
    library = library_of(tmp_path_factory, {"songling-canteen-plan-2025-2027": CANTEEN_PLAN})
    answer = library.ask("营养健康管理员谁负责培训？")
    assert "由市教育局会同市卫生健康委" in answer.answer
    assert "市财政局" not in answer.answer and "市市场监管局" not in answer.answer
    # An item whose title names the topic is still answered by its units.
    monitoring = library.ask("学生营养状况监测谁负责？")
    assert "市卫生健康委、市财政局" in monitoring.answer


CARE_PLAN = """# 松岭市家庭教育指导服务方案（2025—2027年）

松岭市教育局
2025年3月1日

## 一、主要任务

（一）关爱特殊家庭

为外出务工人员子女建立家庭教育指导档案，每名学生由1名教师结对帮扶，每学期至少家访1次。

（二）办好家长学校

家长学校每学期授课不少于4次。
"""


def test_a_worry_in_everyday_words_is_answered_when_a_rare_word_stands_for_what_the_clauses_hold(tmp_path_factory):
    library = library_of(tmp_path_factory, {"songling-family-plan-2025-2027": CARE_PLAN})
    # 打工 is what the policy calls 务工; the rest is everyday talk around it.
    answer = library.ask("我常年在外面打工，孩子留在老家跟老人过，学校能帮点啥？")
    assert not answer.refused and "1名教师结对帮扶" in answer.answer


def test_an_answer_from_a_library_opens_with_its_answer_before_the_documents_name(tmp_path_factory):
    library = library_of(tmp_path_factory, {"songling-canteen-plan-2025-2027": CANTEEN_PLAN,
                                            "songling-family-plan-2025-2027": CARE_PLAN})
    units = library.ask("松岭市学生营养状况监测谁负责？")
    first, second = units.answer.split("\n")[:2]
    assert "市卫生健康委、市财政局" in first and second.startswith("《松岭市中小学食堂管理提升方案")
    topic = library.ask("松岭市家长学校每学期上几次课？")
    assert topic.answer.split("\n")[0].startswith("家长学校每学期授课不少于4次")


AID_RULES = """# 松岭市学生资助管理办法

松岭市教育局
2025年3月1日

## 第一章　认定

第八条　下列学生直接认定为特别困难：

（一）最低生活保障家庭学生；

（二）特困供养学生；

（三）孤儿和事实无人抚养儿童；

（四）家庭经济困难残疾学生；

（五）脱贫不稳定户学生；

（六）突发严重困难户学生。

第九条　认定结果在校内公示不少于5个工作日。
"""


def test_a_question_asking_which_gets_the_whole_list_a_headline_opens(tmp_path_factory):
    library = library_of(tmp_path_factory, {"songling-aid-rules-2025": AID_RULES})
    answer = library.ask("哪些情况的学生能直接认定为特别困难？")
    assert "最低生活保障家庭学生" in answer.answer and "突发严重困难户学生" in answer.answer


ELDERLY_PLAN = """# 松岭市终身教育三年行动方案（2025—2027年）

松岭市教育局
2025年3月1日

## 一、重点任务

（一）构建终身教育体系

行动目标：构建老年教育新格局，到2027年，建成高水平市级老年大学，办学规模达到3000人。

1. 提升老年教育服务水平。发挥老年大学示范作用，健全老年大学、街镇老年学校、社区学习点三级办学体系。开展老年人智能技术应用培训。

（二）办好家长学校

行动目标：家长学校覆盖率达到100%。
"""


def test_a_worry_about_a_topic_also_gets_the_target_of_the_item_that_answers_it(tmp_path_factory):
    library = library_of(tmp_path_factory, {"songling-lifelong-plan-2025-2027": ELDERLY_PLAN})
    answer = library.ask("家里老人退休了想上老年大学，市里在这方面有什么规划？")
    assert "三级办学体系" in answer.answer and "3000人" in answer.answer


ENROLMENT_RULES = """# 松岭市义务教育招生入学实施意见

松岭市教育局
2025年4月1日

## 一、时间安排

（一）6月1日至6月10日，小学和初中新生网上报名。

（二）7月10日前公布录取结果。
"""


def test_a_question_about_a_field_of_education_the_document_never_names_is_refused(tmp_path_factory):
    library = library_of(tmp_path_factory, {"songling-enrolment-opinions-2025": ENROLMENT_RULES})
    # The document's 报名 is a primary school's, not 高考's.
    assert library.ask("今年高考报名是什么时候？").refused
    answered = library.ask("小学新生什么时候网上报名？")
    assert not answered.refused and "6月1日至6月10日" in answered.answer


CHILDREN_HOMES = """# 松岭市关爱留守儿童实施意见

松岭市人民政府
2025年3月1日

## 一、主要措施

（一）丰富课余生活。充分利用“留守儿童之家”和乡村学校少年宫，在节假日向留守儿童免费开放“留守儿童之家”。

（二）建设活动阵地。到2027年，全市建成“留守儿童之家”300所。
"""


def test_the_lead_of_a_how_many_question_is_a_sentence_that_holds_an_amount(tmp_path_factory):
    library = library_of(tmp_path_factory, {"songling-left-behind-opinions-2025": CHILDREN_HOMES})
    answer = library.ask("“留守儿童之家”要建多少所？")
    assert "300所" in answer.answer.split("\n")[0]


def test_a_prohibition_answers_whether_something_is_allowed_with_no(tmp_path_factory):
    library = library_of(tmp_path_factory, {"songling-canteen-plan-2025-2027": CANTEEN_PLAN})
    answer = library.ask("学校食堂包给外面的老板经营，这样允许吗？")
    assert answer.answer.startswith("不允许。本方案规定：") and "不得对外承包" in answer.answer.split("\n")[0]
