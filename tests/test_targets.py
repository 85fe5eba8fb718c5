"""Quantitative targets (量化指标): the indicator each number is about as the text names it, its comparator,
its value and when it holds. Every target of the flagship is checked, then sentences of real documents of
other layouts (copied here, so the tests do not depend on files outside the project), then single cases."""

from dataclasses import asdict

import pytest

from assistant import views
from assistant.parser import extract_targets
from assistant.records import QuantTarget

# A measure is never one of these on its own: it must name the indicator.
FILLER = {"认定", "按照每年生均", "按照", "实现", "确保", "力争", "其中", "每年", "每学期", "全区", "达到", "保持在",
          "新增", "新建", "建成", "开展", "投入", "依托我区", "推动", "到2025年"}
LEADING_FILLER = ("到2025年", "全区", "实现", "确保", "力争", "其中", "每年", "每学期", "我区", "、", "，")
TRAILING_FILLER = ("达到", "保持在", "的", "不少于", "不低于", "超过", "控制在", "至少")
COMPARATOR_WORDS = ("不少于", "不低于", "不超过", "超过", "至少", "以上", "以内", "达到", "增加")


def one(targets, value: str) -> QuantTarget:
    found = [target for target in targets if target.value == value]
    assert len(found) == 1, [asdict(target) for target in targets]
    return found[0]


def test_every_flagship_measure_is_words_of_its_clause_naming_the_indicator(tree):
    assert len(tree.targets) >= 29
    for target in tree.targets:
        text = tree.clause(target.clause_id).text
        assert target.measure in text and target.phrase in text
        assert target.measure not in FILLER and len(target.measure) >= 2, target
        assert not target.measure.startswith(LEADING_FILLER) and not target.measure.endswith(TRAILING_FILLER), target
        assert target.value in target.phrase.replace(" ", "")


def test_flagship_comparators_and_deadlines_are_read_where_the_text_has_them(tree):
    for target in tree.targets:
        around = target.phrase.replace(" ", "")
        at = around.index(target.value)
        if around[at + len(target.value):].startswith(("以上", "以内")) or around[:at].endswith(COMPARATOR_WORDS):
            assert target.comparator, target
        if target.deadline:
            assert target.deadline in tree.clause(target.clause_id).text.replace(" ", "")
    with_comparator = [target for target in tree.targets if target.comparator]
    with_deadline = [target for target in tree.targets if target.deadline]
    assert len(with_comparator) >= 0.7 * len(tree.targets)
    assert len(with_deadline) >= 15
    assert {target.deadline for target in with_deadline} >= {"到2025年", "每年", "每学期", "每学年"}


@pytest.mark.parametrize("clause_id, value, measure, comparator, deadline", [
    ("四（五）", "93%", "学前三年毛入园率", "以上", ""),
    ("四（五）", "85%", "普惠性幼儿园覆盖率", "以上", ""),
    ("四（四）", "95%", "达标率", "超过", ""),
    ("四（四）.3", "50个", "区级劳动教育实践基地", "不少于", ""),
    ("四（四）.3", "300元", "劳动教育专项经费", "", "每年"),
    ("四（二）.2", "4次", "组织教研活动", "不少于", "每学期"),
    ("四（七）", "1名", "正高级教师", "至少", ""),
    ("四（七）.2", "40学时", "参加区级全员培训", "不少于", ""),
    ("四（十一）.举措", "1次", "考核", "", "每学年"),
    ("四（八）", "99%", "适龄残疾儿童义务教育入学率", "达到", "到2025年"),
    ("四（八）.1", "10%", "义务教育阶段接受送教上门的残疾儿童比例", "以内", ""),
    ("四（九）.3", "60%", "“双师型”教师占比", "达到", "到2025年"),
    ("四（十三）", "10%", "资源总量", "增加", "每年"),
    ("四（十三）.1", "6所", "基地校", "", ""),
    ("五（四）", "50%", "公办园幼儿占比", "以上", ""),
    ("五（四）", "10%", "幼儿园教师招聘数量", "不低于", "每年"),
])
def test_flagship_targets_read_from_the_text(tree, clause_id, value, measure, comparator, deadline):
    target = one(tree.clause(clause_id).targets, value)
    assert (target.measure, target.comparator, target.deadline) == (measure, comparator, deadline)


def test_the_target_table_shows_the_comparator(tree):
    row = next(row for row in views.targets(tree) if row.clause_id == "四（五）" and row.value == "93%")
    assert (row.measure, row.comparator, row.value, row.deadline) == ("学前三年毛入园率", "以上", "93%", "")


def test_a_target_round_trips_through_its_dict(tree):
    clause = tree.clause("四（五）")
    data = clause.to_dict()["targets"][0]
    assert data["comparator"] == "以上" and "qualifier" not in data
    assert QuantTarget(**data) == clause.targets[0]


# ---------------------------------------------------------------- other documents, other layouts

# shinan-education-13th-fyp-excerpt.md (data/corpus): a five-year plan's review, web punctuation, 亿元/万元.
SHINAN = ("截止到2015年底,教育经费累计投入约41亿元。投入约8亿元的中小学改扩建、重建任务顺利完成并投入使用;"
          "累计投入约3420万元建设、改造18所学校的食堂或厨房,新建一个配餐中心;累计投入约1.11亿元的校安工程全面完工,"
          "投入约3700万元完成了约15万平方米校舍、场地维修工程,投入约640万元实施了2.4万平方米的绿化,"
          "投入1000余万元实施24所中小学的消防设施和用电线路的安全改造,投入1053万元完成3.9万平方米供暖改造。")
# qiaocheng-task-breakdown-2025-excerpt.md (data/corpus): a task table flattened to lines.
QIAOCHENG = "序号\n重点工作任务\n主要责任单位\n3\n固定资产投资增长7.5%左右。\n区发改委"
# kindergarten-regulations-articles-excerpt.md (data/corpus): articles run together; an age is not a target.
KINDERGARTEN = "第二条本条例适用于招收三周岁以上学龄前幼儿,对其进行保育和教育的幼儿园。"
# A prefecture's 十四五 plan (eval/library/dev/huangnan-education-14th-fyp.md): baselines and changes.
HUANGNAN = ("学前三年毛入园率由2015年的71.3%提高到2020年的89.6%；九年义务教育巩固率达到95.1%；"
            "高中阶段毛入学率达到88.3%，比2015年提高17.2个百分点。")
# A city's three-year plan (eval/library/test/guilin-mandarin-promotion-plan-2025-2027.md): a year in brackets.
GUILIN = ("到2027年，全市普通话普及率达到93%以上（2024年为91.2%），龙胜各族自治县、恭城瑶族自治县普通话普及率"
          "达到88%以上；全市中小学幼儿园语言文字规范化达标建设实现全覆盖，三年内新创建市级语言文字规范化示范校30所。")
# A county's measures (eval/library/dev/qutan-teacher-burden-measures-2025.md): reductions against a base year.
QUTAN = "到2025年底，全县涉及中小学的督查检查考核事项比2024年压减50%以上，面向学校的各类报表数量压减60%以上。"


def test_a_five_year_plan_review_with_amounts_in_yi_and_wan_yuan():
    targets = extract_targets("一（一）.1", SHINAN)
    assert len(targets) == 13
    for target in targets:
        assert target.measure in SHINAN and target.measure not in FILLER - {"投入"}
    total = one(targets, "41亿元")
    assert (total.measure, total.comparator, total.deadline) == ("教育经费累计投入", "约", "截止到2015年底")
    assert (total.number, total.unit) == (4.1e9, "元")
    assert one(targets, "8亿元").measure == "中小学改扩建"
    assert one(targets, "1.11亿元").measure == "校安工程"
    assert one(targets, "18所").measure == "学校"
    assert one(targets, "15万平方米").measure == "校舍"
    assert one(targets, "3.9万平方米").measure == "供暖改造"
    assert one(targets, "1000余万元").number == 1e7
    # only the first sentence says when
    assert [target.deadline for target in targets].count("截止到2015年底") == 1


def test_a_task_table_row_keeps_its_change_and_its_approximation():
    target = one(extract_targets("序号3", QIAOCHENG), "7.5%")
    assert (target.measure, target.comparator, target.deadline) == ("固定资产投资", "增长…左右", "")


def test_an_age_in_words_is_not_a_target():
    assert extract_targets("第二条", KINDERGARTEN) == ()
    assert extract_targets("x", "面向3至6周岁学龄前儿童。") == ()


def test_a_baseline_year_is_the_time_of_its_own_number_only():
    targets = extract_targets("第一章第一节（二）", HUANGNAN)
    base, reached = one(targets, "71.3%"), one(targets, "89.6%")
    assert (base.measure, base.deadline) == ("学前三年毛入园率", "2015年")
    assert (reached.measure, reached.comparator, reached.deadline) == ("学前三年毛入园率", "提高到", "到2020年")
    rise = one(targets, "17.2个百分点")
    assert (rise.measure, rise.comparator) == ("高中阶段毛入学率", "提高")
    assert rise.deadline != "2015年"


def test_a_year_in_brackets_holds_only_inside_them():
    targets = extract_targets("一", GUILIN)
    assert one(targets, "91.2%").deadline == "2024年"
    assert one(targets, "93%").deadline == one(targets, "88%").deadline == "到2027年"
    assert one(targets, "88%").measure == "龙胜各族自治县、恭城瑶族自治县普通话普及率"
    schools = one(targets, "30所")
    assert (schools.measure, schools.deadline) == ("新创建市级语言文字规范化示范校", "三年内")


def test_a_reduction_against_a_base_year():
    targets = extract_targets("第一部分", QUTAN)
    checks = one(targets, "50%")
    assert (checks.measure, checks.comparator, checks.deadline) == (
        "涉及中小学的督查检查考核事项", "压减…以上", "到2025年底")
    assert one(targets, "60%").measure == "面向学校的各类报表数量"


# ---------------------------------------------------------------- single cases

@pytest.mark.parametrize("text, value, measure, comparator", [
    ("每学期组织教研活动不少于4次。", "4次", "组织教研活动", "不少于"),
    ("普惠性幼儿园覆盖率达到85%以上。", "85%", "普惠性幼儿园覆盖率", "以上"),
    ("学生体质健康达标率超过95%。", "95%", "学生体质健康达标率", "超过"),
    ("农村学校艺术教师缺口控制在200人以内。", "200人", "农村学校艺术教师缺口", "以内"),
    ("将送教上门的残疾儿童比例控制在适龄残疾儿童总数的10%以内。", "10%", "送教上门的残疾儿童比例", "以内"),
    ("公办园在园幼儿占比≥50%。", "50%", "公办园在园幼儿占比", "≥"),
    ("公办幼儿园生均公用经费不低于800元。", "800元", "公办幼儿园生均公用经费", "不低于"),
    ("每个培训班次学员人数不得超过35人。", "35人", "每个培训班次学员人数", "不得超过"),
    ("认定不少于50个区级劳动教育实践基地。", "50个", "区级劳动教育实践基地", "不少于"),
    ("每所学校至少配备1名专职心理健康教育教师。", "1名", "专职心理健康教育教师", "至少"),
    ("新建幼儿园3所，新增学位3000个。", "3所", "新建幼儿园", ""),
    ("新建幼儿园3所，新增学位3000个。", "3000个", "新增学位", ""),
])
def test_comparators(text, value, measure, comparator):
    target = one(extract_targets("x", text), value)
    assert (target.measure, target.comparator) == (measure, comparator)


@pytest.mark.parametrize("text, value, deadline", [
    ("到2025年，全区学前三年毛入园率达到93%以上。", "93%", "到2025年"),
    ("到 2025 年，随班就读比例达到50%。", "50%", "到2025年"),
    ("2024年底前，建成智慧校园示范校20所。", "20所", "2024年底前"),
    ("到2025年底，学位达到200个。", "200个", "到2025年底"),
    ("每年评选市级美育示范学校不少于15所。", "15所", "每年"),
    ("每学期开展1次视力筛查。", "1次", "每学期"),
    ("中小学每周安排1节写字课。", "1节", "每周"),
    ("2023—2025年新建、改扩建中小学幼儿园12所。", "12所", "2023—2025年"),
    ("三年内培养市级美育骨干教师200名。", "200名", "三年内"),
    ("“十四五”期间新增学位4800个。", "4800个", "“十四五”期间"),
    ("全区女子足球队达到40支\u30002025年10月底前", "40支", "2025年10月底前"),
    ("普惠性幼儿园覆盖率达到85%以上。", "85%", ""),
])
def test_deadlines(text, value, deadline):
    assert one(extract_targets("x", text), value).deadline == deadline


def test_a_frequency_holds_only_in_its_own_phrase():
    targets = extract_targets("x", "按照每人每月不低于800元的标准发放，建设教师周转宿舍500套。")
    assert one(targets, "800元").deadline == "每月"
    assert one(targets, "500套").deadline == ""


@pytest.mark.parametrize("text, value, number, unit", [
    ("在校学生10.35万人。", "10.35万人", 103500.0, "人"),
    ("五年累计培训不少于1.5万人次。", "1.5万人次", 15000.0, "人次"),
    ("全州累计投入教育经费68.4亿元。", "68.4亿元", 6.84e9, "元"),
    ("新建、改扩建校舍面积36.7万平方米。", "36.7万平方米", 367000.0, "平方米"),
    ("投入1000余万元实施消防改造。", "1000余万元", 1e7, "元"),
    ("每名学生掌握1至2项艺术技能。", "1至2项", 1.0, "项"),
    ("按照每人每月400元至800元的标准发放补助。", "400元至800元", 400.0, "元"),
])
def test_numbers_with_wan_yi_and_ranges(text, value, number, unit):
    target = one(extract_targets("x", text), value)
    assert (target.number, target.unit) == (pytest.approx(number), unit)


@pytest.mark.parametrize("text", [
    "到2025年落实“2+1项目”。",                       # a year and a formula
    "已经州政府第43次常务会议研究同意。",               # an ordinal
    "小学组采用8人制。",                               # a format
    "申报人近3年每学年承担的教学工作量不得低于平均工作量。",  # a window of years
])
def test_not_targets(text):
    assert extract_targets("x", text) == ()


def test_a_rate_is_not_a_target_but_what_it_sets_is():
    targets = extract_targets("x", "按照每100名住宿生不少于1名的标准配备专职生活管理员。")
    assert [(target.value, target.measure, target.comparator) for target in targets] == [
        ("1名", "专职生活管理员", "不少于")]
