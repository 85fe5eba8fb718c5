"""Clause permalinks (``GET /clause/{document}/{clause_id}``) and the duty and target tables as files
(``GET /api/duties``, ``GET /api/targets``), over real HTTP: the flagship alone (fixture ``web_server``)
and a library of three documents."""

from __future__ import annotations

import csv
import html
import io
import re
from urllib.parse import quote

import httpx
import openpyxl
import pytest
from policies import (
    SPECIAL_ID,
    SPECIAL_TITLE,
    SPORTS_ID,
    SPORTS_TITLE,
    served_library,
    write_special_plan_docx,
    write_sports_plan,
)

from assistant import views
from assistant.pages import clause_url
from assistant.parser import parse_policy_file

FLAGSHIP_ID = "xiqing-education-plan-2023-2025"
FLAGSHIP_TITLE = "西青区教育高质量发展三年行动方案（2023—2025年）"
DUTY_COLUMNS = ["文件", "编号", "类别", "任务", "责任单位", "配合单位"]
TARGET_COLUMNS = ["文件", "条款", "所属任务", "指标", "比较", "目标值", "期限", "原文"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(scope="module")
def http(web_server):
    with httpx.Client(base_url=web_server["url"], timeout=30) as client:
        yield client


def _clauses_listed(page: str) -> list[tuple[str, bool]]:
    """The clauses a page lists, in order, each with whether it is the one highlighted."""
    return [(html.unescape(clause_id), bool(current))
            for clause_id, current in re.findall(r'<li id="([^"]+)" class="clause( current)?"', page)]


def _formal_citation(page: str) -> str:
    return html.unescape(re.search(r'id="formal-citation">([^<]*)<', page).group(1))


def _csv_rows(response: httpx.Response) -> list[list[str]]:
    assert response.content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8")[1:])))


# ---------------------------------------------------------------- clause permalinks


def test_clause_url_percent_encodes_both_ids():
    assert clause_url(FLAGSHIP_ID, "四（十三）.2") == \
        "/clause/xiqing-education-plan-2023-2025/%E5%9B%9B%EF%BC%88%E5%8D%81%E4%B8%89%EF%BC%89.2"
    assert clause_url("a/b c", "x?#") == "/clause/a%2Fb%20c/x%3F%23"


def test_a_clause_page_shows_the_clause_among_its_items_clauses(http, tree):
    response = http.get(clause_url(FLAGSHIP_ID, "四（十三）.2"))
    assert response.status_code == 200 and response.headers["content-type"] == "text/html; charset=utf-8"
    page = response.text
    assert f"<title>《{FLAGSHIP_TITLE}》四（十三）.2</title>" in page
    assert "天津市西青区人民政府办公室，2023年11月23日" in page and 'href="/"' in page
    assert html.escape("四、重点任务 > （十三）聚焦数字化赋能教育发展 > 具体举措 2") in page
    assert _clauses_listed(page) == [("四（十三）", False), ("四（十三）.1", False), ("四（十三）.2", True)]
    assert "所在条目：四、重点任务 （十三）聚焦数字化赋能教育发展" in page
    assert html.escape(tree.clause("四（十三）.1").text) in page and "按需应用“专递课堂”" in page
    assert f'href="{clause_url(FLAGSHIP_ID, "四（十三）.1")}"' in page
    assert "<dt>责任单位</dt><dd>区教育局、区委网信办</dd>" in page and "配合单位" not in page
    assert _formal_citation(page) == f"《{FLAGSHIP_TITLE}》四（十三）.2"


def test_a_clause_page_lists_the_clauses_targets(http):
    page = http.get(clause_url(FLAGSHIP_ID, "四（五）")).text
    assert "<h2>量化指标</h2>" in page
    assert "<td>93%</td>" in page and "<td>85%</td>" in page and "<td>以上</td>" in page
    assert "量化指标" not in http.get(clause_url(FLAGSHIP_ID, "四（五）.1")).text   # a measure with no number


def test_a_clause_outside_items_is_shown_with_its_part_or_its_neighbours(http):
    paragraph = http.get(clause_url(FLAGSHIP_ID, "三.段2")).text
    assert "所在部分：三、总体思路" in paragraph
    assert _clauses_listed(paragraph) == [(f"三.段{n}", n == 2) for n in range(1, 8)]
    assert "责任分工" not in paragraph
    notice = http.get(clause_url(FLAGSHIP_ID, "通知")).text
    assert _clauses_listed(notice) == [("通知", True), ("序言", False), ("一", False)]


def test_an_id_with_half_width_parentheses_finds_the_clause(http):
    response = http.get(clause_url(FLAGSHIP_ID, "四(十三).2"))
    assert response.status_code == 200
    assert _formal_citation(response.text) == f"《{FLAGSHIP_TITLE}》四（十三）.2"
    assert ("四（十三）.2", True) in _clauses_listed(response.text)


def test_an_unknown_document_or_clause_is_a_404_page_saying_which(http):
    document = http.get(clause_url("no-such-plan", "四（五）"))
    assert document.status_code == 404 and document.headers["content-type"].startswith("text/html")
    assert "未找到文件" in document.text and "no-such-plan" in document.text and FLAGSHIP_ID in document.text
    clause = http.get(clause_url(FLAGSHIP_ID, "四（九十九）"))
    assert clause.status_code == 404 and "未找到条款" in clause.text
    assert f"《{FLAGSHIP_TITLE}》中没有编号为“四（九十九）”的条款" in clause.text
    hostile = http.get(clause_url(FLAGSHIP_ID, "<script>alert(1)</script>"))
    assert hostile.status_code == 404 and "<script>alert" not in hostile.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in hostile.text
    assert all("Traceback" not in response.text for response in (document, clause, hostile))


# ---------------------------------------------------------------- exports


def test_duties_as_json(http):
    response = http.get("/api/duties")
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    table = response.json()
    assert table["columns"] == DUTY_COLUMNS
    assert len(table["rows"]) == 22                      # 重点任务 15 and 攻坚行动 7; 保障措施 names no units
    assert [FLAGSHIP_TITLE, "四（八）", "重点任务", "加快特殊教育融合发展", "区教育局、区残联", ""] in table["rows"]
    assert http.get("/api/duties", params={"document": FLAGSHIP_ID, "format": "json"}).json() == table


def test_duties_filtered_by_unit(http):
    rows = http.get("/api/duties", params={"unit": "区财政局"}).json()["rows"]
    assert [row[1] for row in rows] == ["四（四）", "四（五）", "四（六）", "四（十二）",
                                        "五（三）", "五（四）", "五（五）", "五（七）"]
    assert all("区财政局" in row[4] for row in rows)
    assert http.get("/api/duties", params={"unit": "区残联"}).json()["rows"] == [
        [FLAGSHIP_TITLE, "四（八）", "重点任务", "加快特殊教育融合发展", "区教育局、区残联", ""]]
    assert http.get("/api/duties", params={"unit": "区气象局"}).json()["rows"] == []


def test_targets_as_json(http, tree):
    table = http.get("/api/targets", params={"document": FLAGSHIP_ID}).json()
    assert table["columns"] == TARGET_COLUMNS
    assert len(table["rows"]) == len(views.targets(tree)) > 20
    [enrolment] = [row for row in table["rows"] if row[1] == "四（五）" and row[5] == "93%"]
    assert enrolment[0] == FLAGSHIP_TITLE and enrolment[2] == "推进学前教育普及普惠发展"
    assert enrolment[4] == "以上" and "93%以上" in enrolment[7]


def test_csv_has_a_bom_and_the_json_rows(http):
    for path, columns in (("/api/duties", DUTY_COLUMNS), ("/api/targets", TARGET_COLUMNS)):
        response = http.get(path, params={"format": "csv", "document": FLAGSHIP_ID})
        assert response.status_code == 200 and response.headers["content-type"] == "text/csv; charset=utf-8"
        name = f"{path.rsplit('/', 1)[1]}-{FLAGSHIP_ID}.csv"
        assert response.headers["content-disposition"] == f"attachment; filename=\"{name}\"; filename*=UTF-8''{name}"
        rows = _csv_rows(response)
        assert rows[0] == columns
        assert rows[1:] == http.get(path, params={"document": FLAGSHIP_ID}).json()["rows"]


def test_a_unit_is_named_in_the_file_name(http):
    response = http.get("/api/duties", params={"format": "csv", "unit": "区残联"})
    disposition = response.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="duties-library-___.csv"')
    assert disposition.endswith("filename*=UTF-8''" + quote("duties-library-区残联.csv"))
    assert [row[1] for row in _csv_rows(response)[1:]] == ["四（八）"]


def test_xlsx_has_a_bold_frozen_header_and_the_json_rows(http):
    response = http.get("/api/targets", params={"format": "xlsx"})
    assert response.status_code == 200 and response.headers["content-type"] == XLSX
    assert 'filename="targets-library.xlsx"' in response.headers["content-disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet.title == "量化指标"
    rows = [[cell if cell is not None else "" for cell in row] for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == TARGET_COLUMNS and all(cell.font.bold for cell in sheet[1])
    assert rows[1:] == http.get("/api/targets").json()["rows"] and sheet.max_row == len(rows) > 20
    assert sheet.freeze_panes == "A2"
    widths = {sheet.cell(1, index).value: sheet.column_dimensions[letter].width
              for index, letter in enumerate("ABCDEFGH", start=1)}
    assert widths["原文"] == 60 and widths["比较"] == 12 and widths["所属任务"] > widths["条款"]
    assert sheet["H2"].alignment.wrap_text

    duties = openpyxl.load_workbook(io.BytesIO(http.get("/api/duties", params={"format": "xlsx"}).content)).active
    assert duties.title == "责任分工" and duties.max_row == 23 and duties.column_dimensions["D"].width == 40


@pytest.mark.parametrize("path", ["/api/duties", "/api/targets"])
def test_bad_requests_for_exports(http, path):
    bad_format = http.get(path, params={"format": "pdf"})
    assert bad_format.status_code == 400
    assert bad_format.json()["error"] == "unknown format 'pdf'; choose one of: json, csv, xlsx"
    unknown = http.get(path, params={"document": "no-such-plan", "format": "csv"})
    assert unknown.status_code == 404
    assert "no-such-plan" in unknown.json()["error"] and FLAGSHIP_ID in unknown.json()["error"]
    for method in ("POST", "PUT", "DELETE"):
        response = http.request(method, path)
        assert response.status_code == 405 and "GET" in response.headers["allow"].split(", ")
        assert response.json()["error"].startswith(f"{method} is not allowed on {path}; use GET")


def test_the_new_routes_are_in_the_openapi_schema(http):
    paths = http.get("/openapi.json").json()["paths"]
    assert {"/api/duties", "/api/targets", "/clause/{document}/{clause_id}"} <= set(paths)


# ---------------------------------------------------------------- a library of three documents


@pytest.fixture(scope="module")
def library_http(store_dir, assistant, tmp_path_factory):
    """The flagship with a Word plan that names 配合单位 and a Markdown plan added (``docs add``)."""
    folder = tmp_path_factory.mktemp("exports-library")
    files = (write_special_plan_docx(folder), write_sports_plan(folder))
    with served_library(store_dir, folder, *files) as served, \
            httpx.Client(base_url=served["url"], timeout=60) as client:
        yield client


def test_library_tables_name_each_rows_document(library_http, tmp_path):
    order = [document["title"] for document in library_http.get("/api/documents").json()["documents"]]
    assert sorted(order) == sorted([FLAGSHIP_TITLE, SPECIAL_TITLE, SPORTS_TITLE])
    rows = library_http.get("/api/duties").json()["rows"]
    assert list(dict.fromkeys(row[0] for row in rows)) == order
    assert [SPECIAL_TITLE, "一（二）", "主要任务", "建设送教上门队伍", "区残联", "区教育局、区民政局"] in rows
    helped = library_http.get("/api/duties", params={"unit": "区残联", "format": "csv"})
    assert sorted((row[0], row[1]) for row in _csv_rows(helped)[1:]) == sorted(
        [(FLAGSHIP_TITLE, "四（八）"), (SPECIAL_TITLE, "一（一）"), (SPECIAL_TITLE, "一（二）")])
    sports = library_http.get("/api/targets", params={"document": SPORTS_ID}).json()["rows"]
    assert {row[0] for row in sports} == {SPORTS_TITLE}
    parsed = views.targets(parse_policy_file(write_sports_plan(tmp_path)))
    assert [row[1] for row in sports] == [target.clause_id for target in parsed] and len(parsed) >= 3
    assert sports[0][1:3] == ["一", "一、工作目标"] and sports[0][4:6] == ["以上", "60%"]


def test_library_clause_page_shows_cooperating_units(library_http):
    page = library_http.get(clause_url(SPECIAL_ID, "一(二)")).text
    assert f"<title>《{SPECIAL_TITLE}》一（二）</title>" in page
    assert "<dt>责任单位</dt><dd>区残联</dd>" in page and "<dt>配合单位</dt><dd>区教育局、区民政局</dd>" in page
    assert _formal_citation(page) == f"《{SPECIAL_TITLE}》一（二）"
    assert "<td>16次</td>" in page and "<td>不少于</td>" in page


def test_csv_cells_a_spreadsheet_would_run_as_formulas_stay_text():
    from assistant.exports import Table, csv_bytes

    cells = ["=HYPERLINK(\"http://example.com\",\"点击\")", "+1", "-2+3", "@SUM(A1)", "\t=1", "区教育局", "85%"]
    table = Table("duties", "责任分工", tuple(f"c{index}" for index in range(len(cells))), [cells])
    rows = list(csv.reader(io.StringIO(csv_bytes(table).decode("utf-8-sig"))))
    assert rows[1] == ["'" + cell for cell in cells[:5]] + cells[5:]
