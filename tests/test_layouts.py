"""The parser on the layouts of the genre: each test is a small policy written here, in the way real
documents are published, and asserts the tree and the document record the parser builds from it."""

from assistant.parser import parse_policy
from assistant.records import ClauseKind


def test_regulation_with_chapters_and_articles_run_together():
    tree = parse_policy("第一章总则第一条为了加强管理，制定本条例。第二条本条例适用于幼儿园。"
                        "第二章设置第三条幼儿园的设置应当与居民人口相适应。", "regulation")
    assert [part.heading for part in tree.parts] == ["第一章总则", "第二章设置"]
    assert [item.id for item in tree.items] == ["第一条", "第二条", "第三条"]
    assert tree.clause("第三条").text == "第三条幼儿园的设置应当与居民人口相适应。"
    assert tree.item("第三条").part == "第二章设置"


def test_articles_inside_sections_keep_the_section_in_their_path():
    tree = parse_policy("第一章 总则\n第一节 一般规定\n第一条 为了规范办学，制定本办法。\n第二节 附则\n"
                        "第二条 本办法自发布之日起施行。", "rules")
    assert tree.clause("第二条").section == "第一章总则 > 第二节附则 > 第二条"


def test_five_year_plan_with_chapters_sections_and_inline_headings():
    text = "\n".join([
        "某州人民政府关于印发某州教育事业发展“十四五”规划的通知",
        "某州政〔2021〕15号",
        "各县人民政府：现将规划印发给你们，请认真贯彻执行。",
        "某州人民政府",
        "2021年9月18日",
        "某州教育事业发展“十四五”规划",
        "第一章 发展基础",
        "第一节 发展成就",
        "（一）发展基础。“十三五”时期，全州累计投入教育经费68.4亿元。",
        "（二）普及水平。学前三年毛入园率提高到89.6%。",
        "第二章 主要任务",
        "第一节 推进学前教育",
        "一、扩大资源",
        "（一）新建幼儿园。新建幼儿园36所，新增学位4800个。",
    ])
    tree = parse_policy(text, "prefecture-plan")
    document = tree.document
    assert document.title == "某州教育事业发展“十四五”规划"
    assert document.issuer == "某州人民政府"
    assert document.date == "2021年9月18日"
    assert document.doc_number == "某州政〔2021〕15号"
    assert document.place == "某州"
    assert document.period == (2021, 2025)
    assert [part.heading for part in tree.parts] == ["第一章发展基础", "第二章主要任务"]
    assert [item.title for item in tree.items] == ["发展成就", "推进学前教育"]
    inline = tree.clause("第一章第一节（一）")
    assert inline.path[-1] == "（一）发展基础" and "68.4亿元" in inline.text
    assert tree.clause("第二章第一节一（一）").targets[0].value == "36所"


def test_opinion_with_numbering_run_together_and_its_signature_at_the_end():
    text = ("某市人民政府关于进一步加强农村教育工作的意见\n"
            "一、提高认识，明确任务。农村教育具有基础性地位。（一）明确目标。到2007年巩固率达到95%以上。"
            "1.加快普及。各县要制定规划。2.提高质量。加强教学管理。（二）落实责任。各级政府要列入议事日程。\n"
            "二、加大投入。（一）保障经费。①新增经费主要用于农村。②提高公用经费标准。\n"
            "某市人民政府\n二〇〇五年六月八日\n2005年6月8日")
    tree = parse_policy(text, "opinion-2005")
    assert tree.document.issuer == "某市人民政府"
    assert tree.document.date == "2005年6月8日"
    assert tree.document.period is None
    assert [item.id for item in tree.items] == ["一（一）", "一（二）", "二（一）"]
    assert [clause.id for clause in tree.clauses_of(tree.item("一（一）"))] == ["一（一）", "一（一）.1", "一（一）.2"]
    assert tree.clause("二（一）②").text == "②提高公用经费标准。"


def test_lead_and_cooperating_units_written_as_lines_or_notes():
    text = "\n".join([
        "某县特殊教育提升行动计划（2023—2027年）",
        "一、主要任务",
        "（一）扩大特殊教育资源",
        "1. 建设特殊教育资源中心。",
        "牵头单位：县教育局",
        "配合单位：县财政局、县残联",
        "2. 培训资源教师。",
        "（二）加强融合教育",
        "推进随班就读。（牵头单位：县教育局；配合单位：县卫健局）",
        "（三）提高保障水平",
        "落实生均公用经费。",
    ])
    tree = parse_policy(text, "county-plan")
    assert tree.document.period == (2023, 2027)
    assert tree.item("一（一）").responsible_units == ("县教育局",)
    # a note on a line of its own ends with its line: the next measure is not part of a unit's name
    assert tree.item("一（一）").cooperating_units == ("县财政局", "县残联")
    assert tree.item("一（二）").cooperating_units == ("县卫健局",)
    assert tree.item("一（三）").responsible_units == ()


def test_task_table_flattened_to_lines():
    text = "\n".join([
        "某区2024年教育重点工作任务分解表",
        "发布时间：2024-03-01 来源：某区教育局",
        "序号", "任务", "牵头单位", "配合单位",
        "一、办好学前教育",
        "1", "新建公办幼儿园3所。", "区教育局", "区财政局、区住建局",
        "2", "落实普惠性民办园补助政策。", "区教育局", "区财政局",
        "二、发展义务教育",
        "3", "新增义务教育学位2000个。", "区教育局", "各街道办事处",
    ])
    tree = parse_policy(text, "tasks")
    assert tree.document.issuer == "某区教育局" and tree.document.date == "2024-03-01"
    assert tree.document.period == (2024, 2024)
    assert [item.id for item in tree.items] == ["序号1", "序号2", "序号3"]
    row = tree.item("序号1")
    assert row.part == "一、办好学前教育"
    assert row.responsible_units == ("区教育局",) and row.cooperating_units == ("区财政局", "区住建局")
    assert tree.clause("序号3").text.startswith("新增义务教育学位2000个。")


def test_traditional_characters_are_kept_and_read():
    text = "某市人民政府關於加快發展學前教育的實施意見\n一、總體要求\n（一）主要目標。到2025年，毛入園率達到92%以上。" \
           "（責任單位：市教育局、市財政局）"
    tree = parse_policy(text, "traditional")
    assert tree.document.title == "某市人民政府關於加快發展學前教育的實施意見"
    assert tree.item("一（一）").title == "主要目標"
    assert tree.item("一（一）").responsible_units == ("市教育局", "市财政局")


def test_attachment_and_unnumbered_headings_from_a_word_document():
    text = "\n".join([
        "# 某区课后服务实施方案",
        "# 总体要求",
        "坚持公益普惠。",
        "## 服务时间",
        "每天下午放学后开展。",
        "附件1",
        "课后服务经费测算表",
    ])
    tree = parse_policy(text, "docx-like")
    assert tree.document.title == "某区课后服务实施方案"
    assert [part.heading for part in tree.parts] == ["总体要求", "附件1"]
    assert tree.items[0].title == "服务时间"
    assert tree.clause(tree.items[0].id).text == "每天下午放学后开展。"


def test_an_excerpt_that_stops_mid_sentence_and_page_breaks_inside_sentences():
    text = "一、总体要求\n（一）发展目标。到2025年，全区学前三年毛入园率达到\n\n93%以上，普惠性幼儿园覆盖率达到"
    tree = parse_policy(text, "excerpt")
    clause = tree.clause("一（一）")
    assert "毛入园率达到93%以上" in clause.text
    assert clause.text.endswith("覆盖率达到")
    assert clause.kind == ClauseKind.ITEM


def test_repeated_numbering_keeps_every_clause_citable():
    tree = parse_policy("一、主要任务\n（一）甲。内容一。\n一、主要任务\n（一）乙。内容二。", "repeated")
    ids = [clause.id for clause in tree.clauses]
    assert len(ids) == len(set(ids)) == 2


def test_document_without_a_title_is_named_after_its_file():
    tree = parse_policy("第一条 为了加强管理，制定本规定。", "school-rules")
    assert tree.document.title == "school-rules"


def test_parts_numbered_as_bu_fen_with_items_and_measures_that_open_with_a_year():
    tree = parse_policy("\n".join([
        "中共某县委办公室　某县人民政府办公室关于印发《某县减轻教师负担若干措施》的通知",
        "某办发〔2025〕7号",
        "各乡镇：现印发给你们，请认真贯彻落实。",
        "2025年5月20日",
        "## 某县减轻教师负担若干措施",
        "### 第一部分　总体要求",
        "坚持源头治理。",
        "### 第二部分　主要措施",
        "一、严控督查检查",
        "实行年度计划管理。（牵头单位：县委督查室；配合单位：县教育局）",
        "1.2025年9月底前建成数据平台。",
        "2.报表压减至60张以内。",
        "二、规范抽调借用",
        "单次借用时间不超过3个月。（牵头单位：县委组织部）",
    ]), "measures")
    assert [part.heading for part in tree.parts] == ["第一部分总体要求", "第二部分主要措施"]
    assert [item.title for item in tree.items] == ["严控督查检查", "规范抽调借用"]
    measures = [clause.text for clause in tree.clauses_of(tree.items[0]) if clause.kind == ClauseKind.MEASURE]
    assert measures == ["1.2025年9月底前建成数据平台。", "2.报表压减至60张以内。"]
    assert tree.document.title == "某县减轻教师负担若干措施"
    # Joint issuers written apart are listed, not run together.
    assert tree.document.issuer == "中共某县委办公室、某县人民政府办公室"


def test_a_decimal_after_a_number_is_not_a_heading():
    tree = parse_policy("某市行动计划\n一、主要目标\n（一）提高投入。生均经费增长1.5倍。2.5万名学生受益。\n"
                        "3.2025年起全面实施。\n4.2019—2021年新建幼儿园120所。", "plan")
    # 2.5万 is a number; 3.2025年起 and 4.2019—2021年 are measures that open with a year or a span.
    assert [clause.text for clause in tree.clauses if clause.kind == ClauseKind.MEASURE] == [
        "3.2025年起全面实施。", "4.2019—2021年新建幼儿园120所。"]


def test_a_notice_title_wrapped_over_three_lines_is_joined():
    tree = parse_policy("\n".join([
        "某市教育局文件",
        "某教体〔2024〕21号",
        "某市教育局等七部门关于印发《某市儿童青少",
        "年近视防控攻坚行动计划（2024—2026年）》的通",
        "知",
        "各县（市、区）教育局：现印发给你们。",
        "某市教育局",
        "2024年4月26日",
        "一、工作目标",
        "（一）近视率每年降低0.5个百分点以上。",
    ]), "myopia")
    assert tree.document.title == "某市儿童青少年近视防控攻坚行动计划（2024—2026年）"
    assert tree.document.issuer == "某市教育局等七部门"


def test_a_clock_time_is_not_a_heading():
    tree = parse_policy("某区睡眠管理方案\n一、重点任务\n（一）控制作业。小学生到21:00、初中生到22:00仍未完成作业的可以停止。"
                        "到校时间一般不早于7:50. 午休不少于20分钟。", "sleep")
    assert [clause.id for clause in tree.clauses if clause.kind == ClauseKind.MEASURE] == []
    assert "21:00、初中生到22:00" in tree.clause("一（一）").text


def test_a_task_table_in_an_attachment_with_a_deadline_column():
    tree = parse_policy("\n".join([
        "某县社区教育三年行动方案（2024—2026年）", "某县人民政府办公室", "2024年3月1日",
        "一、重点任务", "（一）建设社区学校。建成社区学校20所。（责任单位：县教育局）",
        "附件：重点任务分工表",
        "序号", "重点任务", "牵头单位", "配合单位", "完成时限",
        "1", "建设社区学校", "县教育局", "县财政局", "2025年底前",
        "2", "开设老年大学分校", "县老干部局", "县教育局", "2026年6月底前",
    ]), "community")
    rows = [item for item in tree.items if item.id.startswith("序号")]
    assert [(row.title, row.responsible_units, row.cooperating_units) for row in rows] == [
        ("建设社区学校", ("县教育局",), ("县财政局",)), ("开设老年大学分校", ("县老干部局",), ("县教育局",))]
    assert "2026年6月底前" in tree.clause("序号2").text
