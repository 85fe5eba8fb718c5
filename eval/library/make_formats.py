"""Build the non-markdown test documents of the library evaluation from their sources.

    .venv/bin/python eval/library/make_formats.py

Sources live in eval/library/sources/ (UTF-8 text; the gold set's facts and evidence are checked
against them). Outputs go to eval/library/test/:

- shaoguan-preschool-opinions-2019.html   a government web page (traditional characters, UTF-8)
- yanzhou-special-education-plan-2023-2027.docx   a Word file (一、 = Heading 1, （一） = Heading 2)
- county-high-school-14th-action-plan.pdf   a PDF with a text layer (STSong-Light), page numbers
- tianshui-rural-education-opinions-2005.txt   GB18030, CRLF line ends, run-together numbering

Source line markers (docx/pdf/html sources): "# " centred title, "## " heading 1, "### " heading 2,
"> " right-aligned line (signature, date); a first-line "<!-- ... -->" comment is dropped.
Requires python-docx and reportlab (`.venv/bin/pip install python-docx reportlab`).
"""
from __future__ import annotations

import html
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
SRC = HERE / "sources"
OUT = HERE / "test"


def source_lines(name: str) -> list[str]:
    text = (SRC / name).read_text(encoding="utf-8")
    text = re.sub(r"\A<!--.*?-->\s*", "", text, flags=re.S)
    return [ln.rstrip() for ln in text.splitlines() if ln.strip()]


def kind(line: str) -> tuple[str, str]:
    for mark, k in (("### ", "h2"), ("## ", "h1"), ("# ", "title"), ("> ", "right")):
        if line.startswith(mark):
            return k, line[len(mark):]
    return "p", line


# --------------------------------------------------------------------------- html
def _ent(s: str) -> str:
    """Escape as a CMS would: entities for quotes and dashes (parsers must unescape)."""
    s = html.escape(s, quote=False)
    return (s.replace("“", "&ldquo;").replace("”", "&rdquo;").replace("—", "&mdash;")
             .replace("·", "&middot;"))


def build_html() -> Path:
    lines = source_lines("shaoguan-preschool-opinions-2019.md")
    title = lines[0]
    body = []
    info, wenhao = lines[1], lines[2]
    date, source = re.match(r"發布時間：(.+?)\s+來源：(.+)", info).groups()
    body.append(f'<p class="wh" style="text-align:center">{_ent(wenhao)}</p>')
    for ln in lines[3:]:
        if re.match(r"^[一二三四五六七八九十]+、", ln):
            body.append(f'<p style="text-indent:2em"><strong>{_ent(ln)}</strong></p>')
        elif ln in ("韶關市人民政府",) or re.match(r"^\d{4}年\d+月\d+日$", ln):
            body.append(f'<p style="text-align:right">{_ent(ln)}</p>')
        else:
            body.append(f'<p style="text-indent:2em">&nbsp;&nbsp;{_ent(ln)}</p>')
    page = f"""<!DOCTYPE html>
<html lang="zh-Hant">
<head>
<meta charset="utf-8">
<meta name="ArticleTitle" content="{_ent(title)}">
<meta name="PubDate" content="{date}">
<meta name="ContentSource" content="{_ent(source)}">
<title>{_ent(title)}_政策文件_韶關市人民政府門戶網站</title>
<link rel="stylesheet" href="/css/common.css">
</head>
<body>
<div class="top-bar"><a href="/">簡體版</a> | <a href="/big5/">繁體版</a> | <a href="/wza/">無障礙</a> | <a href="/login">登錄</a></div>
<div class="header"><img src="/images/logo.png" alt="韶關市人民政府門戶網站"></div>
<div class="nav">
  <ul>
    <li><a href="/">首頁</a></li>
    <li><a href="/zwgk/">政務公開</a></li>
    <li><a href="/zwfw/">政務服務</a></li>
    <li><a href="/hdjl/">互動交流</a></li>
    <li><a href="/zjsg/">走進韶關</a></li>
  </ul>
</div>
<div class="crumb">當前位置：<a href="/">首頁</a> &gt; <a href="/zwgk/">政務公開</a> &gt; <a href="/zwgk/zcwj/">政策文件</a></div>
<div class="main">
  <div class="side">
    <h3>政策文件</h3>
    <ul>
      <li><a href="/zwgk/zcwj/szfwj/">市政府文件</a></li>
      <li><a href="/zwgk/zcwj/szfbgswj/">市政府辦公室文件</a></li>
      <li><a href="/zwgk/zcjd/">政策解讀</a></li>
    </ul>
  </div>
  <div class="article">
    <table class="xxgk-info">
      <tr><td>索引號：</td><td>11440200007017XXXX/2019-00152</td><td>分類：</td><td>教育</td></tr>
      <tr><td>發布機構：</td><td>韶關市人民政府</td><td>成文日期：</td><td>2019-06-12</td></tr>
      <tr><td>文號：</td><td>{_ent(wenhao)}</td><td>發布日期：</td><td>2019-06-18</td></tr>
    </table>
    <h1>{_ent(title)}</h1>
    <div class="info">發布時間：{date}&nbsp;&nbsp;&nbsp;來源：{_ent(source)}&nbsp;&nbsp;&nbsp;【字體：<a href="javascript:void(0)">大</a> <a href="javascript:void(0)">中</a> <a href="javascript:void(0)">小</a>】</div>
    <div class="content" id="zoom">
{chr(10).join('      ' + b for b in body)}
    </div>
    <div class="related">
      <h4>相關閱讀</h4>
      <ul>
        <li><a href="/zwgk/zcjd/content/post_1673.html">圖解：《韶關市人民政府關於加快發展學前教育的實施意見》</a></li>
        <li><a href="/zwgk/zcwj/content/post_1520.html">韶關市第三期學前教育行動計劃（2017—2020年）</a></li>
      </ul>
    </div>
    <div class="tools"><a href="javascript:window.print()">【打印本頁】</a> <a href="javascript:window.close()">【關閉窗口】</a></div>
  </div>
</div>
<div class="footer">
  <p>主辦單位：韶關市人民政府辦公室&nbsp;&nbsp;承辦單位：韶關市政務服務數據管理局</p>
  <p>網站標識碼：4402000001&nbsp;&nbsp;粵ICP備05008869號&nbsp;&nbsp;粵公網安備 44020302000101號</p>
  <p>地址：韶關市湞江區風度北路　聯繫電話：0751-8888888</p>
</div>
<script type="text/javascript">
  var _hmt = _hmt || [];
  (function () {{
    var zoom = document.getElementById("zoom");
    document.querySelectorAll(".info a").forEach(function (a, i) {{
      a.onclick = function () {{ zoom.style.fontSize = [20, 16, 14][i] + "px"; }};
    }});
  }})();
</script>
</body>
</html>
"""
    out = OUT / "shaoguan-preschool-opinions-2019.html"
    out.write_text(page, encoding="utf-8")
    return out


# --------------------------------------------------------------------------- docx
def build_docx() -> Path:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    doc = Document()
    for style_name, font, size in (("Normal", "仿宋_GB2312", 16), ("Heading 1", "黑体", 16),
                                   ("Heading 2", "楷体_GB2312", 16), ("Title", "方正小标宋简体", 22)):
        st = doc.styles[style_name]
        st.font.size = Pt(size)
        st.font.name = font
        st.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)

    header = doc.sections[0].header.paragraphs[0]
    header.text = "兖州区人民政府办公室文件"
    header.alignment = WD_ALIGN_PARAGRAPH.CENTER
    # page number field in the footer
    fp = doc.sections[0].footer.paragraphs[0]
    fp.alignment = WD_ALIGN_PARAGRAPH.CENTER
    fp.add_run("— ")
    run = fp.add_run()
    for tag, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if tag:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), tag)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._r.append(el)
    fp.add_run(" —")

    for ln in source_lines("yanzhou-special-education-plan-2023-2027.md"):
        k, text = kind(ln)
        if k == "title":
            p = doc.add_paragraph(text, style="Title")
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif k == "h1":
            doc.add_heading(text, level=1)
        elif k == "h2":
            doc.add_heading(text, level=2)
        elif k == "right":
            p = doc.add_paragraph(text)
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        else:
            p = doc.add_paragraph(text)
            if text in ("济宁市兖州区人民政府办公室", ) or text.startswith("兖政办字"):
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            else:
                p.paragraph_format.first_line_indent = Pt(32)
    out = OUT / "yanzhou-special-education-plan-2023-2027.docx"
    doc.core_properties.title = "兖州区特殊教育发展提升五年行动计划（2023—2027年）"
    doc.core_properties.author = "兖州区政府办公室"
    doc.save(out)
    return out


# --------------------------------------------------------------------------- pdf
def build_pdf() -> Path:
    from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_RIGHT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import cm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    base = dict(fontName="STSong-Light", fontSize=15, leading=27, wordWrap="CJK")
    body = ParagraphStyle("body", firstLineIndent=30, alignment=TA_JUSTIFY, **base)
    head = ParagraphStyle("head", **base)
    title = ParagraphStyle("title", alignment=TA_CENTER, spaceBefore=8, spaceAfter=14,
                           **{**base, "fontSize": 19, "leading": 30})
    right = ParagraphStyle("right", alignment=TA_RIGHT, **base)
    center = ParagraphStyle("center", alignment=TA_CENTER, **base)

    def page_no(canvas, doc):
        canvas.saveState()
        canvas.setFont("STSong-Light", 12)
        canvas.drawCentredString(A4[0] / 2, 1.4 * cm, f"— {doc.page} —")
        canvas.restoreState()

    story = []
    for ln in source_lines("county-high-school-14th-action-plan.md"):
        k, text = kind(ln)
        text = html.escape(text, quote=False)
        if k == "title":
            story.append(Paragraph(text, title))
        elif k in ("h1", "h2"):
            story.append(Paragraph(f"<b>{text}</b>", head))
        elif k == "right":
            story.append(Paragraph(text, right))
        elif text in ("教育部等九部门文件",):
            story.append(Paragraph(f'<font size="24" color="red">{text}</font>',
                                   ParagraphStyle("red", alignment=TA_CENTER,
                                                  **{**base, "leading": 40})))
        elif re.match(r"^教基〔", text):
            story.append(Paragraph(text, center))
            story.append(Spacer(1, 10))
        else:
            story.append(Paragraph(text, body))
    out = OUT / "county-high-school-14th-action-plan.pdf"
    SimpleDocTemplate(str(out), pagesize=A4, leftMargin=2.8 * cm, rightMargin=2.6 * cm,
                      topMargin=3.7 * cm, bottomMargin=3.5 * cm,
                      title="“十四五”县域普通高中发展提升行动计划", author="教育部").build(
        story, onFirstPage=page_no, onLaterPages=page_no)
    return out


# --------------------------------------------------------------------------- txt
def build_txt() -> Path:
    text = (SRC / "tianshui-rural-education-opinions-2005.txt").read_text(encoding="utf-8")
    out = OUT / "tianshui-rural-education-opinions-2005.txt"
    out.write_bytes(text.replace("\r\n", "\n").replace("\n", "\r\n").encode("gb18030"))
    return out


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    for build in (build_html, build_docx, build_pdf, build_txt):
        path = build()
        print(f"{path.relative_to(HERE)}  {path.stat().st_size} bytes")
