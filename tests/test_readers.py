"""assistant.readers on real files written here: text in several encodings, a government web page,
a Word document made by python-docx, and PDFs typeset by reportlab with its built-in Chinese font."""

from __future__ import annotations

import time
import zipfile
from pathlib import Path

import docx
import pdfplumber
import pytest
from docx.enum.style import WD_STYLE_TYPE
from PIL import Image
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from assistant.readers import SUPPORTED_SUFFIXES, UnreadableDocument, read_document

TITLE = "西青区教育高质量发展三年行动方案"
PART = "一、总体要求"
ITEM = "（一）指导思想"
GUIDING = ("坚持以习近平新时代中国特色社会主义思想为指导，全面贯彻党的教育方针，落实立德树人根本任务，"
           "坚持教育优先发展，推动全区教育高质量发展，办好人民满意的教育。")
MEASURE = ("1.完善学前教育公共服务体系。到2025年，全区学前教育普及率达到98%以上，"
           "普惠性幼儿园覆盖率达到90%以上，公办园在园幼儿占比达到55%以上。")
UNITS = "责任单位：区教育局、区财政局"
SECOND_ITEM = "（二）主要目标"
GOALS = ("到2025年，基本形成优质均衡的基本公共教育服务体系，教育治理体系和治理能力现代化水平明显提升，"
         "人民群众对教育的满意度进一步提高。")
POLICY_LINES = [TITLE, PART, ITEM, GUIDING, MEASURE, UNITS, SECOND_ITEM, GOALS]


def lines_of(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


# --- text files ---------------------------------------------------------------------------------


def test_markdown_is_returned_as_is_with_its_markers(tmp_path):
    source = f"# {TITLE}\n\n## {PART}\n\n### {ITEM}\n\n**{GUIDING}**\n"
    path = tmp_path / "方案.md"
    path.write_text(source, encoding="utf-8")
    assert read_document(path) == source


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030", "gbk", "utf-16"])
def test_text_in_chinese_encodings_decodes_without_bom(tmp_path, encoding):
    source = "\n".join(POLICY_LINES) + "\n"
    path = tmp_path / f"方案-{encoding}.txt"
    path.write_bytes(source.encode(encoding))  # utf-8-sig and utf-16 write a BOM
    assert read_document(str(path)) == source


def test_windows_line_ends_become_newlines(tmp_path):
    path = tmp_path / "方案.text"
    path.write_bytes("\r\n".join(POLICY_LINES).encode("gb18030"))
    assert lines_of(read_document(path)) == POLICY_LINES
    assert "\r" not in read_document(path)


def test_large_text_file_reads_fast(tmp_path):
    paragraph = ("\n".join(POLICY_LINES) + "\n").encode("utf-8")
    path = tmp_path / "大文件.txt"
    path.write_bytes(paragraph * (20_000_000 // len(paragraph)))
    started = time.perf_counter()
    text = read_document(path)
    assert time.perf_counter() - started < 3
    assert text.startswith(TITLE) and text.count(UNITS) == 20_000_000 // len(paragraph)


def test_large_gb18030_file_is_detected_on_a_prefix_and_reads_fast(tmp_path):
    paragraph = ("\n".join(POLICY_LINES) + "\n").encode("gb18030")
    path = tmp_path / "大文件.txt"
    path.write_bytes(paragraph * (20_000_000 // len(paragraph)))
    started = time.perf_counter()
    text = read_document(path)
    assert time.perf_counter() - started < 5
    assert text.startswith(TITLE) and text.endswith(GOALS + "\n")


def test_encoding_is_detected_where_the_chinese_text_begins(tmp_path):
    english_preamble = b"Xiqing District education policy, plain ASCII header line.\n" * 2000  # > 64 KB
    path = tmp_path / "方案.txt"
    path.write_bytes(english_preamble + "\n".join(POLICY_LINES).encode("gb18030"))
    assert read_document(path).endswith("\n".join(POLICY_LINES))


# --- web pages ----------------------------------------------------------------------------------

GOV_PAGE = f"""<!DOCTYPE html>
<html><head>
<meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>{TITLE}_政策文件_天津市西青区人民政府</title>
<style>.nav {{ color: #c00; }} .footer {{ font-size: 12px; }}</style>
<script>var _hmt = _hmt || []; var 统计代码 = "站点访问统计";</script>
</head><body>
<div class="header"><div class="nav"><ul>
  <li><a href="/">网站首页</a></li><li><a href="/zwgk/">政务公开</a></li>
  <li><a href="/hdjl/">互动交流</a></li><li><a href="/bsfw/">办事服务</a></li>
</ul></div></div>
<div class="breadcrumb">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; <a href="/zcwj/">政策文件</a></div>
<div class="article">
  <h1>{TITLE}</h1>
  <div class="info"><span>发布时间：2023-06-15</span>　<span>来源：区教育局</span>　<span>【字体：大 中 小】</span></div>
  <div class="content">
    <p>{PART}</p>
    <p>{ITEM}</p>
    <p>　　{GUIDING}</p>
    <p>{MEASURE}</p>
    <p>{UNITS}</p>
    <table border="1">
      <tr><td>指标</td><td>2023年</td><td>2025年</td></tr>
      <tr><td>学前教育普及率</td><td>95%</td><td>98%</td></tr>
    </table>
    <p>{SECOND_ITEM}</p>
    <p>{GOALS}</p>
  </div>
</div>
<div class="footer">
  <p>主办单位：天津市西青区人民政府办公室</p>
  <p>网站标识码：1201110001　津ICP备05003285号</p>
</div>
<script>document.write("页脚脚本");</script>
</body></html>
"""


def test_government_web_page_keeps_the_article_and_drops_the_site(tmp_path):
    path = tmp_path / "方案.html"
    path.write_bytes(GOV_PAGE.encode("gb18030"))  # declared GB2312, as many gov sites do
    lines = lines_of(read_document(path))
    assert lines[0] == TITLE
    assert lines[1].startswith("发布时间：2023-06-15") and "来源：区教育局" in lines[1]
    assert "字体" not in lines[1]
    for paragraph in POLICY_LINES[1:]:
        assert paragraph in lines  # one paragraph a line, full-width indent trimmed
    table = ["指标", "2023年", "2025年", "学前教育普及率", "95%", "98%"]
    start = lines.index("指标")
    assert lines[start:start + len(table)] == table  # one cell a line, row by row
    assert lines.index(UNITS) < start < lines.index(SECOND_ITEM)
    text = "\n".join(lines)
    for furniture in ("网站首页", "当前位置", "政务公开", "主办单位", "网站标识码", "津ICP备", "站点访问统计",
                      "页脚脚本", "color"):
        assert furniture not in text


def test_web_page_with_line_breaks_and_a_date_in_its_banner(tmp_path):
    notice = f"关于印发{TITLE}的通知"
    page = f"""<html><head><meta charset="utf-8"><title>{notice}-西青区人民政府</title></head><body>
    <div class="top">日期：2024年1月1日 星期一 <a href="/login">登录</a></div>
    <div class="nav"><a href="/">首页</a> <a href="/jg/">机构概况</a></div>
    <div class="hd"><h1>{notice}</h1><p class="info">发布日期：2023-06-15<b>|</b>来源：区教育局</p></div>
    <div id="zoom">各街镇、各部门：<br>{"<br>".join(POLICY_LINES[1:])}</div>
    <div class="foot">版权所有：天津市西青区人民政府</div></body></html>"""
    path = tmp_path / "通知.html"
    path.write_text(page, encoding="utf-8")
    lines = lines_of(read_document(path))
    assert lines[:2] == [notice, "发布日期：2023-06-15|来源：区教育局"]
    assert lines[-len(POLICY_LINES) + 1:] == POLICY_LINES[1:]  # one line per <br>
    text = "\n".join(lines)
    assert "星期一" not in text and "机构概况" not in text and "版权所有" not in text


def test_web_page_without_h1_takes_its_title_from_the_head(tmp_path):
    page = GOV_PAGE.replace(f"<h1>{TITLE}</h1>", "")
    path = tmp_path / "方案.htm"
    path.write_text(page.replace("charset=gb2312", "charset=utf-8"), encoding="utf-8")
    first_line = lines_of(read_document(path))[0]
    assert first_line.startswith(TITLE)


def test_web_page_declared_utf8_but_written_in_gbk_is_detected(tmp_path):
    path = tmp_path / "方案.html"
    path.write_bytes(GOV_PAGE.replace("charset=gb2312", "charset=utf-8").encode("gbk"))
    assert MEASURE in lines_of(read_document(path))


# --- Word documents -----------------------------------------------------------------------------


def write_docx(path: Path) -> None:
    document = docx.Document()
    document.add_paragraph(TITLE, style="Title")
    document.add_paragraph(PART, style="Heading 1")
    document.add_paragraph(ITEM, style="Heading 2")
    document.add_paragraph(GUIDING)
    document.add_paragraph("")  # empty paragraphs are layout, not text
    document.add_paragraph(MEASURE)
    table = document.add_table(rows=3, cols=3)
    table.cell(0, 0).merge(table.cell(0, 2)).text = "重点指标"  # one cell across the header row
    for column, text in enumerate(["指标", "2023年", "2025年"]):
        table.cell(1, column).text = text
    for column, text in enumerate(["学前教育普及率", "95%", "98%"]):
        table.cell(2, column).text = text
    document.add_paragraph(UNITS)
    chinese_heading = document.styles.add_style("标题 2", WD_STYLE_TYPE.PARAGRAPH)
    document.add_paragraph(SECOND_ITEM, style=chinese_heading)
    custom = document.styles.add_style("方案小标题", WD_STYLE_TYPE.PARAGRAPH)
    custom.base_style = document.styles["Heading 3"]
    document.add_paragraph("1.主要指标", style=custom)
    document.add_paragraph(GOALS)
    document.save(path)


def test_word_document_keeps_order_heading_levels_and_table_cells(tmp_path):
    path = tmp_path / "方案.docx"
    write_docx(path)
    assert lines_of(read_document(path)) == [
        f"# {TITLE}",
        f"# {PART}",
        f"## {ITEM}",
        GUIDING,
        MEASURE,
        "重点指标",  # the merged cell once, not once per column it spans
        "指标", "2023年", "2025年",
        "学前教育普及率", "95%", "98%",
        UNITS,
        f"## {SECOND_ITEM}",
        "### 1.主要指标",
        GOALS,
    ]


def test_vertically_merged_cell_is_not_repeated(tmp_path):
    document = docx.Document()
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).merge(table.cell(1, 0)).text = "学前教育"
    table.cell(0, 1).text = "区教育局"
    table.cell(1, 1).text = "区财政局"
    path = tmp_path / "分工.docx"
    document.save(path)
    assert lines_of(read_document(path)) == ["学前教育", "区教育局", "区财政局"]


# --- PDF ----------------------------------------------------------------------------------------

FONT = "STSong-Light"  # reportlab's built-in Chinese font: the PDF names it, no font file is embedded
pdfmetrics.registerFont(UnicodeCIDFont(FONT))
PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 72
BODY_SIZE = 14
LEADING = 24
TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN
RUNNING_HEADER = "天津市西青区教育局文件"
BOLD_HEADINGS = {PART, ITEM, SECOND_ITEM}


def wrap(text: str, size: float, width: float) -> list[str]:
    """Break text into lines as a typesetter does: as many characters as fit in the width."""
    lines = [""]
    for char in text:
        if pdfmetrics.stringWidth(lines[-1] + char, FONT, size) > width:
            lines.append("")
        lines[-1] += char
    return lines


def write_pdf(path: Path, paragraphs: list[str], break_inside: tuple[str, ...] = (),
              page_number: str = "- {n} -", indent: bool = False) -> None:
    """A policy typeset on A4 with a running header and page numbers; a page break comes after the
    first line of each paragraph in `break_inside`, so it splits a sentence across pages. As in
    official documents, the title is letter-spaced, headings are bold by printing them twice, and
    with `indent` each paragraph's first line is indented by two characters."""
    pages: list[list[tuple[str, str, float]]] = [[]]
    for paragraph in paragraphs:
        kind = "title" if paragraph == TITLE else "heading" if paragraph in BOLD_HEADINGS else "body"
        first_indent = 2 * BODY_SIZE if indent and kind != "title" else 0
        for number, line in enumerate(wrap_paragraph(paragraph, first_indent)):
            pages[-1].append((line, kind, first_indent if number == 0 else 0))
            if number == 0 and paragraph in break_inside:
                pages.append([])
    pdf = canvas.Canvas(str(path), pagesize=A4)
    for n, lines in enumerate(pages, start=1):
        pdf.setFont(FONT, 9)
        pdf.drawCentredString(PAGE_WIDTH / 2, PAGE_HEIGHT - 40, RUNNING_HEADER)
        y = PAGE_HEIGHT - MARGIN - 20
        for line, kind, line_indent in lines:
            if kind == "title":
                pdf.setFont(FONT, 20)
                pdf.drawCentredString(PAGE_WIDTH / 2, y, line, charSpace=6)
            else:
                pdf.setFont(FONT, BODY_SIZE)
                for offset in (0, 0.3) if kind == "heading" else (0,):
                    pdf.drawString(MARGIN + line_indent + offset, y, line)
            y -= LEADING
        pdf.setFont(FONT, 10)
        pdf.drawCentredString(PAGE_WIDTH / 2, 40, page_number.format(n=n, total=len(pages)))
        pdf.showPage()
    pdf.save()


def wrap_paragraph(paragraph: str, first_indent: float = 0) -> list[str]:
    first, *_ = wrap(paragraph, BODY_SIZE, TEXT_WIDTH - first_indent)
    return [first, *wrap(paragraph[len(first):], BODY_SIZE, TEXT_WIDTH)] if paragraph[len(first):] else [first]


def page_texts(path: Path) -> list[str]:
    with pdfplumber.open(path) as pdf:
        return [page.extract_text() for page in pdf.pages]


@pytest.fixture
def policy_pdf(tmp_path) -> Path:
    path = tmp_path / "方案.pdf"
    write_pdf(path, POLICY_LINES, break_inside=(MEASURE, GOALS))
    return path


def test_pdf_fixture_wraps_paragraphs_and_breaks_pages_mid_sentence(policy_pdf):
    pages = page_texts(policy_pdf)
    assert len(pages) == 3
    assert len(wrap_paragraph(GUIDING)) >= 3  # wrapped over several lines...
    assert GUIDING not in pages[0].splitlines()
    assert "1.完善学前教育公共服务体系" in pages[0] and "普惠性幼儿园覆盖率" in pages[1]  # ...and across pages
    assert "一一、、总总体体要要求求" in pages[0]  # bold by double printing
    assert "西 青 区" in pages[0]  # letter-spaced title


def test_pdf_lines_are_rejoined_and_page_furniture_dropped(policy_pdf):
    lines = lines_of(read_document(policy_pdf))
    assert lines == POLICY_LINES
    text = "\n".join(lines)
    assert RUNNING_HEADER not in text
    assert "- 1 -" not in text and "- 2 -" not in text


@pytest.mark.parametrize("page_number", ["- {n} -", "— {n} —", "第{n}页", "第 {n} 页 共 {total} 页", "{n}/{total}", "{n}"])
def test_pdf_page_numbers_in_common_styles_are_dropped(tmp_path, page_number):
    path = tmp_path / "方案.pdf"
    write_pdf(path, POLICY_LINES, break_inside=(MEASURE, GOALS), page_number=page_number)
    assert lines_of(read_document(path)) == POLICY_LINES


def test_pdf_short_lines_without_full_stop_stay_on_their_own(tmp_path):
    # Headings that do not look numbered still end well short of the margin, so they are not joined.
    paragraphs = [TITLE, "总体要求", GUIDING, "保障措施", MEASURE]
    path = tmp_path / "方案.pdf"
    write_pdf(path, paragraphs, break_inside=(GUIDING,))
    assert lines_of(read_document(path)) == paragraphs


def test_pdf_with_indented_paragraphs_joins_a_line_ending_in_a_full_stop(tmp_path):
    # Where paragraphs start indented, a full line at the margin continues even after "。" or "”".
    sentence_filling_the_first_line = "坚持以习近平新时代中国特色社会主义思想为指导，落实立德树人。"
    guiding = sentence_filling_the_first_line + "坚持教育优先发展，推动全区教育高质量发展，实施“双减”政策。"
    quoted = "2.提高作业管理与设计水平。积极全面深入实施“优结构、提质量”作业专项行动，出台作业设计指导意见。"
    paragraphs = [TITLE, PART, ITEM, guiding, MEASURE, quoted, UNITS, SECOND_ITEM, GOALS]
    assert wrap_paragraph(guiding, 2 * BODY_SIZE)[0] == sentence_filling_the_first_line
    assert wrap_paragraph(quoted, 2 * BODY_SIZE)[0].endswith("”")
    path = tmp_path / "方案.pdf"
    write_pdf(path, paragraphs, break_inside=(MEASURE,), indent=True)
    assert lines_of(read_document(path)) == paragraphs


def test_pdf_without_text_layer_asks_for_ocr(tmp_path):
    scan = tmp_path / "scan.png"
    Image.new("RGB", (400, 560), "white").save(scan)
    path = tmp_path / "扫描件.pdf"
    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.drawImage(str(scan), 0, 0, width=PAGE_WIDTH, height=PAGE_HEIGHT)
    pdf.showPage()
    pdf.save()
    with pytest.raises(UnreadableDocument, match="扫描件.pdf") as error:
        read_document(path)
    assert "no text layer" in str(error.value) and "OCR" in str(error.value)


# --- errors -------------------------------------------------------------------------------------


def assert_unreadable(path: Path, *words: str) -> str:
    with pytest.raises(UnreadableDocument) as error:
        read_document(path)
    message = str(error.value)
    assert path.name in message and "\n" not in message
    for word in words:
        assert word in message
    return message


def test_missing_file(tmp_path):
    assert_unreadable(tmp_path / "不存在.md", "no such file")


def test_folder(tmp_path):
    folder = tmp_path / "方案.md"
    folder.mkdir()
    assert_unreadable(folder, "folder")


@pytest.mark.parametrize("content", [b"", b"  \n\t\r\n", "　\n".encode("utf-8")])
def test_empty_file(tmp_path, content):
    path = tmp_path / "空白.txt"
    path.write_bytes(content)
    assert_unreadable(path)


def test_unsupported_suffix_lists_the_supported_ones(tmp_path):
    path = tmp_path / "方案.xlsx"
    path.write_bytes(b"PK\x03\x04")
    message = assert_unreadable(path, ".xlsx")
    assert all(suffix in message for suffix in SUPPORTED_SUFFIXES)


@pytest.mark.parametrize("content", [
    bytes(range(256)) * 64,                              # NUL bytes among the rest
    bytes(range(1, 32)) * 200,                           # control characters, no NUL
    b"\x89PNG\r\n\x1a\n" + bytes(range(128, 256)) * 40,  # an image renamed to .txt
])
def test_binary_content_with_text_suffix(tmp_path, content):
    path = tmp_path / "乱码.txt"
    path.write_bytes(content)
    assert_unreadable(path, "binary")


def test_corrupt_docx(tmp_path):
    path = tmp_path / "损坏.docx"
    path.write_bytes(b"PK\x03\x04 this is not really a zip archive")
    assert_unreadable(path, "Word")


def test_docx_that_is_a_zip_without_a_document(tmp_path):
    path = tmp_path / "空壳.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "not a Word document")
    assert_unreadable(path, "Word")


def test_corrupt_pdf(tmp_path):
    path = tmp_path / "损坏.pdf"
    path.write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage without pages")
    assert_unreadable(path, "PDF")


def test_web_page_without_article_text(tmp_path):
    path = tmp_path / "空页面.html"
    path.write_text("<html><head><script>var a = 1;</script></head><body><nav></nav></body></html>",
                    encoding="utf-8")
    assert_unreadable(path)


def test_a_traditional_character_page_keeps_its_publication_line_without_widgets(tmp_path):
    page = (GOV_PAGE.replace('<span>发布时间：2023-06-15</span>　<span>来源：区教育局</span>　<span>【字体：大 中 小】</span>',
                             '發布時間：2023-06-15 10:30&nbsp;&nbsp;來源：區教育局&nbsp;&nbsp;閱讀量：1275')
            .replace('charset=gb2312', 'charset=utf-8'))
    path = tmp_path / "繁體.html"
    path.write_bytes(page.encode("utf-8"))
    lines = lines_of(read_document(path))
    assert lines[1].startswith("發布時間：2023-06-15 10:30") and "來源：區教育局" in lines[1]
    assert "閱讀量" not in lines[1]


def test_a_web_page_keeps_a_paragraph_that_repeats_an_earlier_one(tmp_path):
    # two items with the same units line: dropping the second would leave (二) without its units
    units = "主责单位：区教育局；协同单位：区市场监管局"
    page = f"""<html><head><meta charset="utf-8"><title>某区学校管理方案</title></head><body>
<div class="nav"><a href="/">首页</a></div>
<div class="article"><h1>某区学校管理方案</h1>
<p>一、主要任务</p>
<p>（一）加强食堂管理。落实校长陪餐制度，每学期检查不少于2次。</p>
<p>{units}</p>
<p>（二）加强饮水管理。每学期检测饮用水不少于1次。</p>
<p>{units}</p>
<p>（三）加强宿舍管理。每学期检查宿舍不少于3次，及时消除安全隐患。</p>
</div><div class="footer">版权所有</div></body></html>"""
    path = tmp_path / "重复.html"
    path.write_bytes(page.encode("utf-8"))
    lines = lines_of(read_document(path))
    assert lines.count(units) == 2
    assert lines[lines.index("（二）加强饮水管理。每学期检测饮用水不少于1次。") + 1] == units
    assert "版权所有" not in lines and "首页" not in lines


def test_a_page_title_loses_the_site_name_a_cms_appends(tmp_path):
    page = GOV_PAGE.replace(f"<h1>{TITLE}</h1>", "").replace(
        f"<title>{TITLE}_政策文件_天津市西青区人民政府</title>", f"<title>{TITLE}--天津市西青区人民政府网</title>"
    ).replace("charset=gb2312", "charset=utf-8")
    path = tmp_path / "站名.html"
    path.write_bytes(page.encode("utf-8"))
    assert lines_of(read_document(path))[0] == TITLE


def test_a_markdown_table_is_read_one_cell_a_line_like_a_word_table(tmp_path):
    path = tmp_path / "分工.md"
    path.write_text("附件：重点任务分工表\n\n| 序号 | 重点任务 | 牵头单位 |\n| :--- | --- | ---: |\n"
                    "| 1 | 建设社区学校 | 县教育局 |\n\n正文 | 不是表格\n", encoding="utf-8")
    assert read_document(path).splitlines() == ["附件：重点任务分工表", "", "序号", "重点任务", "牵头单位",
                                                "1", "建设社区学校", "县教育局", "", "正文 | 不是表格"]
