"""Read a policy document file (markdown, plain text, web page, Word, PDF) into plain text.

This is the "file → text" step of file → text → clauses: it knows file formats, not policies.
The text has one paragraph or heading a line; Word headings keep their level as markdown ``#``
markers, Word and markdown tables give one cell a line, row by row, and PDF lines broken by
wrapping or page breaks are joined again, so the parser sees the same text whichever format the
policy came in.

    >>> from assistant.readers import read_document
    >>> text = read_document("方案.docx")
    >>> text.splitlines()[:2]
    ['# 西青区教育高质量发展三年行动方案', '## 一、总体要求']

Anything that cannot be read raises :class:`UnreadableDocument`, whose message is one sentence
naming the file.
"""

from __future__ import annotations

import codecs
import io
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import charset_normalizer
import docx
import pdfplumber
import trafilatura
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from .text import to_simplified


class UnreadableDocument(ValueError):
    """A file that cannot be read as a policy document.

    str(error) is one clear sentence for the user, naming the file."""


TEXT_SUFFIXES = (".md", ".markdown", ".txt", ".text")
HTML_SUFFIXES = (".html", ".htm")
SUPPORTED_SUFFIXES: tuple[str, ...] = (*TEXT_SUFFIXES, *HTML_SUFFIXES, ".docx", ".pdf")


def read_document(path: str | Path) -> str:
    """The document's text: one paragraph/heading per line, UTF-8 str, NFC not required."""
    path = Path(path)
    data = _read_bytes(path)
    text = _READERS[path.suffix.lower()](path, data)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise UnreadableDocument(f"cannot read {path}: it contains no text")
    return text


def _read_bytes(path: Path) -> bytes:
    if not path.exists():
        raise UnreadableDocument(f"cannot read {path}: no such file")
    if path.is_dir():
        raise UnreadableDocument(f"cannot read {path}: it is a folder, not a document")
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        kind = f"'{path.suffix}' files" if path.suffix else "files without a suffix"
        raise UnreadableDocument(
            f"cannot read {path}: {kind} are not supported (supported: {', '.join(SUPPORTED_SUFFIXES)})")
    try:
        data = path.read_bytes()
    except OSError as error:
        raise UnreadableDocument(f"cannot read {path}: {error.strerror or error}") from error
    if not data:
        raise UnreadableDocument(f"cannot read {path}: the file is empty")
    return data


# --- text files ---------------------------------------------------------------------------------

# UTF-32 before UTF-16: the UTF-32-LE BOM starts with the UTF-16-LE one.
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Charset detection looks at this much of a file: enough to tell encodings apart, and fast on 20 MB.
_DETECTION_PREFIX = 64 * 1024
_NON_ASCII = re.compile(rb"[\x80-\xff]")
# Control characters (other than tab, newlines, form feed) and U+FFFD do not occur in real text.
_NON_TEXT = re.compile(r"[\x00-\x08\x0e-\x1f\x7f\ufffd]")
_NON_TEXT_SAMPLE = 10_000
_NON_TEXT_SHARE = 0.02


def _decode(path: Path, data: bytes, declared: str | None = None) -> str:
    """Decode by BOM, else strict UTF-8, else the declared charset, else charset detection."""
    text = _decode_by_bom(data)
    if text is None:
        text = _decode_strictly(data, "utf-8")
    if text is None and declared:
        text = _decode_strictly(data, declared)
    if text is None:
        text = _decode_detected(path, data)
    if "\x00" in text or _mostly_not_text(text[:_NON_TEXT_SAMPLE]):
        raise UnreadableDocument(f"cannot read {path}: it holds binary data, not text")
    return text.removeprefix("\ufeff")


def _decode_by_bom(data: bytes) -> str | None:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    return None


def _decode_strictly(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


def _decode_detected(path: Path, data: bytes) -> str:
    best = charset_normalizer.from_bytes(_detection_sample(data)).best()
    if best is None:
        raise UnreadableDocument(f"cannot read {path}: it holds binary data or an unknown text encoding")
    return data.decode(_widen_chinese_charset(best.encoding), errors="replace")


def _detection_sample(data: bytes) -> bytes:
    """A prefix of the text from the line where non-ASCII bytes begin (ASCII tells no encoding
    apart), cut at a line end so no multibyte character is cut in half."""
    # Bytes that failed strict UTF-8 hold a byte >= 0x80.
    start = data.rfind(b"\n", 0, _NON_ASCII.search(data).start()) + 1
    sample = data[start:start + _DETECTION_PREFIX]
    if len(sample) < _DETECTION_PREFIX:
        return sample
    line_end = sample.rfind(b"\n")
    return sample[: line_end + 1] if line_end > len(sample) // 2 else sample


def _widen_chinese_charset(encoding: str) -> str:
    """GB2312 and GBK pages often hold characters only their superset GB18030 has."""
    name = codecs.lookup(encoding).name
    return "gb18030" if name in {"gb2312", "gbk", "cp936"} else name


def _mostly_not_text(sample: str) -> bool:
    return len(_NON_TEXT.findall(sample)) > len(sample) * _NON_TEXT_SHARE


# --- web pages ----------------------------------------------------------------------------------

_DECLARED_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)
# The line under a government article's title: 发布时间：2023-06-15 来源：区教育局
_PUBLICATION_LABEL = re.compile(r"^(?:发布时间|发布日期|发文日期|成文日期|日期|来源|信息来源|文章来源|发布机构|发文机关)\s*[:：]")
# Page widgets that share the publication line: 【字体：大 中 小】 打印本页 分享到
_PUBLICATION_WIDGETS = re.compile(r"\s*(?:【|\[|字体\s*[:：]|字号\s*[:：]|打印|分享|浏览次数|阅读次数|阅读量|点击量|点击数|访问量).*$")
_PUBLICATION_MAX_CHARS = 120
MIN_TITLE_CHARS = 8
# The publication line sits under the title; a clock or date in the site's banner comes before it.
_TEXT_IN_BODY = "//body//text()[not(ancestor::script or ancestor::style)]"
_TEXT_AFTER_TITLE = "(//h1)[1]/following::text()[not(ancestor::script or ancestor::style)]"
_ARTICLE_BLOCKS = ("head", "p", "item", "cell", "quote", "code")


def _read_html(path: Path, data: bytes) -> str:
    html = _decode(path, data, declared=_declared_charset(data))
    # Precision: on a short article the default mode falls back to keeping much of the page.
    article = trafilatura.bare_extraction(
        html, favor_precision=True, include_tables=True, include_comments=False, with_metadata=True)
    body = _article_lines(article.body) if article is not None and article.body is not None else []
    body = _with_repeated_lines(body, html)
    if not body:
        raise UnreadableDocument(f"cannot read {path}: no article text found in the web page")
    page = trafilatura.load_html(html)
    title = _without_site_name((article.title or "").strip() or _first_text(page, "//h1") or _first_text(page, "//title"))
    if title in body:  # anything above the title is the site's banner, kept by a fallback extractor
        body = body[body.index(title) + 1:]
    # trafilatura usually leaves out the title and the publication line as page furniture.
    header = [line for line in (title, _publication_line(page)) if line and line not in body]
    return "\n".join(header + body)


# A page title's tail naming the site or its section: …的通知--南屏市云岭区人民政府网, …_政策文件_某市人民政府.
_SITE_NAME = re.compile(r"\s*(?:--|——|_|\||｜|\s-\s)\s*[^_|｜]{2,30}$")
_SITE_WORDS = ("网", "网站", "门户", "政府", "平台", "首页", "政策文件", "通知公告", "政务公开")


def _without_site_name(title: str) -> str:
    """The page title without the site and section names a CMS appends to it."""
    while (match := _SITE_NAME.search(title)) and match.start() >= MIN_TITLE_CHARS and \
            to_simplified(match.group(0)).rstrip().endswith(_SITE_WORDS):
        title = title[:match.start()]
    return title


def _with_repeated_lines(body: list[str], html: str) -> list[str]:
    """The article as the balanced mode reads it between the precise article's first and last lines:
    precision drops a paragraph that repeats an earlier one (a second 主责单位：… line), and a
    policy's repeated lines are its content."""
    if not body:
        return body
    balanced = trafilatura.bare_extraction(html, include_tables=True, include_comments=False)
    lines = _article_lines(balanced.body) if balanced is not None and balanced.body is not None else []
    if body[0] not in lines or body[-1] not in lines:
        return body
    start = lines.index(body[0])
    end = len(lines) - lines[::-1].index(body[-1])
    span = lines[start:end]
    remaining = iter(span)
    # Only when the span holds every precise line in order (it adds lines, it loses none).
    return span if all(line in remaining for line in body) else body


def _declared_charset(data: bytes) -> str | None:
    match = _DECLARED_CHARSET.search(data[:4096])
    if not match:
        return None
    try:
        return _widen_chinese_charset(match[1].decode("ascii"))
    except LookupError:
        return None


def _article_lines(body) -> list[str]:
    """One line per paragraph, heading, list item and table cell (row by row) of trafilatura's XML."""
    for line_break in body.iter("lb"):
        line_break.tail = "\n" + (line_break.tail or "")
    lines = []
    for block in body.iter(*_ARTICLE_BLOCKS):
        if next(block.iterdescendants(*_ARTICLE_BLOCKS), None) is None:  # innermost blocks only
            lines += [_collapse_spaces(line) for line in "".join(block.itertext()).split("\n")]
    return [line for line in lines if line]


def _collapse_spaces(text: str) -> str:
    return " ".join(text.split())


def _first_text(page, xpath: str) -> str:
    found = page.xpath(xpath) if page is not None else []
    return _collapse_spaces(found[0].text_content()) if found else ""


def _publication_line(page) -> str:
    """The line under the title holding 发布时间：/来源：, without the page's widgets."""
    if page is None:
        return ""
    after_title = page.xpath(_TEXT_AFTER_TITLE) if page.xpath("//h1") else page.xpath(_TEXT_IN_BODY)
    for text in after_title:
        if _PUBLICATION_LABEL.match(to_simplified(text.strip())):   # 發布時間 on a traditional page
            element = text.getparent().getparent() if text.is_tail else text.getparent()
            line = _collapse_spaces(_publication_block(element).text_content())
            widgets = _PUBLICATION_WIDGETS.search(to_simplified(line))   # same length: OpenCC maps character by character
            return line[:widgets.start()] if widgets else line
    return ""


def _publication_block(element):
    """From the label's element up to the widest block that still starts with a label and is short,
    e.g. from <span>发布时间：…</span> to <div class="info">, but not to the article holding it."""
    parent = element.getparent()
    while parent is not None and _is_publication_text(_collapse_spaces(parent.text_content())):
        element, parent = parent, parent.getparent()
    return element


def _is_publication_text(text: str) -> bool:
    return len(text) <= _PUBLICATION_MAX_CHARS and bool(_PUBLICATION_LABEL.match(to_simplified(text)))


# --- Word documents -----------------------------------------------------------------------------

_HEADING_STYLE = re.compile(r"^(?:heading|标题)\s*([1-9])$", re.IGNORECASE)
_TITLE_STYLE = re.compile(r"^(?:title|标题)$", re.IGNORECASE)
_STYLE_DEPTH = 10  # styles are based on others a few deep; a damaged file's chain could loop


def _read_docx(path: Path, data: bytes) -> str:
    try:
        return "\n".join(_docx_lines(docx.Document(io.BytesIO(data))))
    except Exception as error:  # python-docx raises zip, XML, KeyError ... for a damaged file
        raise UnreadableDocument(f"cannot read {path}: it is not a valid .docx Word document "
                                 "(damaged, or an old .doc or other format renamed)") from error


def _docx_lines(document) -> Iterator[str]:
    # In document order, so each table stays where it is among the paragraphs.
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            yield from _paragraph_lines(block)
        else:
            yield from _table_lines(block)


def _paragraph_lines(paragraph: Paragraph) -> Iterator[str]:
    text = paragraph.text.strip()
    if text:
        level = _heading_level(paragraph.style)
        yield f"{'#' * level} {text}" if level else text


def _heading_level(style) -> int:
    """1-9 for a heading style or a style based on one ("Heading 2", "标题 2", "Title" is 1), else 0."""
    for _ in range(_STYLE_DEPTH):
        if style is None:
            break
        name = (style.name or "").strip()
        if match := _HEADING_STYLE.match(name):
            return int(match[1])
        if _TITLE_STYLE.match(name):
            return 1
        style = style.base_style
    return 0


def _table_lines(table: Table) -> Iterator[str]:
    # python-docx repeats a merged cell for each grid column and row it spans: emit it once.
    emitted = set()
    for row in table.rows:
        for cell in row.cells:
            if cell._tc not in emitted:
                emitted.add(cell._tc)
                yield from _cell_lines(cell)


def _cell_lines(cell: _Cell) -> Iterator[str]:
    text = " ".join(p.text.strip() for p in cell.paragraphs if p.text.strip())
    if text:
        yield text
    for nested in cell.tables:
        yield from _table_lines(nested)


# --- PDF ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _PdfLine:
    text: str
    left: float   # x of the first character, in points
    right: float  # x where the last character ends
    top: float    # y of the line's top, from the top of the page
    size: float   # font size: one CJK character is this wide


# Page numbers: "- 3 -", "— 3 —", "3", "第3页", "第3页 共12页", "3/12", "Page 3 of 12".
_PAGE_NUMBER = re.compile(
    r"^(?:[-—–－~～\s]*\d+[-—–－~～\s]*|第\s*\d+\s*页(?:\s*[,，]?\s*共\s*\d+\s*页)?"
    r"|共\s*\d+\s*页\s*[,，]?\s*第\s*\d+\s*页|\d+\s*/\s*\d+|page\s*\d+(?:\s*of\s*\d+)?)$",
    re.IGNORECASE)
_EDGE_LINES = 3  # running headers, footers and page numbers are among a page's first/last lines
# A line ending so ends its sentence or clause; where paragraphs are not indented, other lines run on.
_SENTENCE_END = tuple("。！？；：!?;:”’」』）)…")
# A line starting so is a new heading or paragraph: 一、 （一） (一) 1. 1、 （1） ① 第一章 第三条 附件
_NEW_BLOCK = re.compile(
    r"^(?:[一二三四五六七八九十百]+\s*、|[（(]\s*[一二三四五六七八九十百\d]+\s*[)）]|\d+\s*[.．、](?!\d)"
    r"|[①-⑳]|第\s*[一二三四五六七八九十百零〇\d]+\s*[章节条款部分篇]|附件)")
# A wrapped line reaches the right margin within about this many characters; a heading stops well short.
_WRAP_SLACK_CHARS = 2.5
_FULL_LINE_QUANTILE = 0.9
# Paragraphs' first lines indented by about two characters, on at least this share of the lines.
_FIRST_LINE_INDENT = (1.5, 2.5)
_INDENTED_SHARE = 0.1
_CJK = r"[\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]"
_SPACE_BETWEEN_CJK = re.compile(rf"(?<={_CJK})\s+(?={_CJK})")


def _read_pdf(path: Path, data: bytes) -> str:
    try:
        pages = _pdf_pages(data)
    except Exception as error:  # pdfminer raises many types (syntax, stream, password ...) for a damaged file
        raise UnreadableDocument(f"cannot read {path}: it is not a readable PDF "
                                 "(damaged, password-protected or another format)") from error
    body = _drop_page_furniture(pages)
    if not any(body):  # a scan may still carry page numbers as text
        raise UnreadableDocument(
            f"cannot read {path}: the PDF has no text layer (scanned pages?); run OCR on it first")
    return "\n".join(_rejoin_wrapped_lines(body))


def _pdf_pages(data: bytes) -> list[list[_PdfLine]]:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        # dedupe_chars: word processors fake bold by printing each character twice
        return [[_pdf_line(line) for line in page.dedupe_chars().extract_text_lines(return_chars=True)
                 if line["text"].strip()] for page in pdf.pages]


def _pdf_line(line: dict) -> _PdfLine:
    # pdfplumber turns wide letter spacing into spaces, which mean nothing between CJK characters.
    text = _SPACE_BETWEEN_CJK.sub("", line["text"].strip())
    size = max(char["size"] for char in line["chars"])
    return _PdfLine(text, line["x0"], line["x1"], line["top"], size)


def _drop_page_furniture(pages: list[list[_PdfLine]]) -> list[list[_PdfLine]]:
    running = _running_lines(pages)
    return [_strip_page_edges(page, running) for page in pages]


def _furniture_key(line: _PdfLine) -> tuple[str, int, int]:
    # Same words, size and height on the page; digits vary ("2023年第3期").
    return re.sub(r"\d+", "#", line.text), round(line.size), round(line.top / 5)


def _running_lines(pages: list[list[_PdfLine]]) -> set[tuple[str, int, int]]:
    """Keys of the lines at the top or bottom of most pages: running headers and footers."""
    counts = Counter()
    for page in pages:
        counts.update({_furniture_key(line) for line in page[:_EDGE_LINES] + page[-_EDGE_LINES:]})
    needed = max(2, len(pages) // 2 + 1)
    return {key for key, count in counts.items() if count >= needed}


def _strip_page_edges(page: list[_PdfLine], running: set[tuple[str, int, int]]) -> list[_PdfLine]:
    def is_furniture(line: _PdfLine) -> bool:
        return bool(_PAGE_NUMBER.match(line.text)) or _furniture_key(line) in running

    start, end = 0, len(page)
    while start < min(_EDGE_LINES, end) and is_furniture(page[start]):
        start += 1
    while end > max(start, len(page) - _EDGE_LINES) and is_furniture(page[end - 1]):
        end -= 1
    return page[start:end]


@dataclass(frozen=True)
class _PlacedLine:
    """A line measured from its page's left margin, in characters of its own font size."""

    text: str
    size: float
    indent: float  # characters from the margin to the first one
    reach: float   # characters from the margin to the end of the last one


def _rejoin_wrapped_lines(pages: list[list[_PdfLine]]) -> list[str]:
    """Join lines that wrapping or a page break split, keeping headings and paragraphs apart."""
    lines = _placed_lines(pages)
    full_reach = _typical_full_reach(lines)
    indented_paragraphs = _uses_first_line_indents(lines)
    joined: list[str] = []
    for previous, line in zip([None, *lines], lines):
        if previous is not None and _runs_on(previous, line, full_reach, indented_paragraphs):
            joined[-1] = _join(joined[-1], line.text)
        else:
            joined.append(line.text)
    return joined


def _placed_lines(pages: list[list[_PdfLine]]) -> list[_PlacedLine]:
    # Measured from each page's own margin: printed documents mirror odd and even pages.
    placed = []
    for page in filter(None, pages):
        margin = min(line.left for line in page)
        placed += [_PlacedLine(line.text, line.size, (line.left - margin) / line.size,
                               (line.right - margin) / line.size) for line in page]
    return placed


def _typical_full_reach(lines: list[_PlacedLine]) -> float:
    reaches = sorted(line.reach for line in lines)
    return reaches[int(_FULL_LINE_QUANTILE * (len(reaches) - 1))]


def _uses_first_line_indents(lines: list[_PlacedLine]) -> bool:
    """Whether paragraphs start indented by about two characters, as official documents' do."""
    indented = sum(_FIRST_LINE_INDENT[0] <= line.indent <= _FIRST_LINE_INDENT[1] for line in lines)
    return indented >= _INDENTED_SHARE * len(lines)


def _runs_on(line: _PlacedLine, next_line: _PlacedLine, full_reach: float, indented_paragraphs: bool) -> bool:
    if (line.reach < full_reach - _WRAP_SLACK_CHARS  # a heading or a paragraph's last line
            or abs(line.size - next_line.size) >= 1  # a title in large type is not the body's first line
            or _NEW_BLOCK.match(next_line.text)):
        return False
    if indented_paragraphs:  # the indent tells a new paragraph, even after a full stop at the margin
        return next_line.indent < _FIRST_LINE_INDENT[0]
    return not line.text.endswith(_SENTENCE_END)


def _join(text: str, continuation: str) -> str:
    # A space between two words of Latin script, none inside CJK text or a number CJK wrapping split.
    last, first = text[-1], continuation[0]
    between_words = last.isascii() and first.isascii() and last.isalnum() and first.isalnum()
    return f"{text} {continuation}" if between_words and not (last.isdigit() and first.isdigit()) else text + continuation


# A markdown table row (| a | b |) and the row under its header (| --- | :-: |).
_PIPE_ROW = re.compile(r"^\s*\|(.*)\|\s*$")
_PIPE_RULE = re.compile(r"^[\s|:\-]+$")


def _read_markdown(path: Path, data: bytes) -> str:
    """Markdown as written, its pipe tables read as a Word table is: one cell a line, row by row."""
    lines = []
    for line in _decode(path, data).splitlines(keepends=True):
        row = _PIPE_ROW.match(line)
        if row is None:
            lines.append(line)
        elif not _PIPE_RULE.fullmatch(line):
            lines += [cell.strip() + "\n" for cell in row.group(1).split("|") if cell.strip()]
    return "".join(lines)


_READERS: dict[str, Callable[[Path, bytes], str]] = {
    **dict.fromkeys((".txt", ".text"), _decode),
    **dict.fromkeys((".md", ".markdown"), _read_markdown),
    **dict.fromkeys(HTML_SUFFIXES, _read_html),
    ".docx": _read_docx,
    ".pdf": _read_pdf,
}
