"""Parse the text of a Chinese policy document into a clause tree.

The parser knows the genre, not one file. It reads the numbering (第一章 / 第一节 / 第一条,
一、 / （一） / 1. / （1） / ①, 附件, and markdown or .docx heading levels for unnumbered
headings), splits headings that run together on one line, repairs page-break splits, reads
tables flattened to lines (序号 / 任务 / 责任单位 / 配合单位), and takes the document's
title, issuer, date, 文号, place and period from its own header.

The tree it builds: **parts** are the outermost numbered level (一、 or 第一章, 附件);
**items** are the numbered entries inside a part (（五）, 第三条, a table row); every deeper
numbered entry is a **measure** clause of its item. Text outside items is kept as notice,
preamble and paragraph clauses. Clause ids follow the numbering: ``四（五）``, ``四（五）.2``,
``第三条``, ``三.段2``.

    >>> from assistant.parser import parse_policy
    >>> tree = parse_policy("关于印发某区学前教育行动计划（2024—2026年）的通知\\n一、主要任务\\n"
    ...                     "（一）扩大普惠资源。新建幼儿园5所。（责任单位：区教育局、区财政局）")
    >>> tree.item("一（一）").responsible_units
    ('区教育局', '区财政局')
    >>> tree.document.period
    (2024, 2026)

Parsing is linear in the length of the text.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path

from .records import Clause, ClauseKind, Document, Item, Part, PolicyTree, QuantTarget
from .text import NOT_DECIMAL, chinese_numeral, five_year_plans, parse_chinese_numeral, to_simplified

_CN = "一二三四五六七八九十百零〇两"
_NUM = rf"[{_CN}\d]+"
_MARKDOWN_PREFIX = re.compile(r"^\s{0,3}(#{1,6})\s*")
_MARKDOWN_QUOTE = re.compile(r"^\s{0,3}>\s*")
_MARKDOWN_EMPHASIS = re.compile(r"\*\*|__")
_SENTENCE_END = tuple("。！？；：!?;:")
_CLOSERS = "”’」』）)"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


@dataclass(frozen=True)
class _Marker:
    """One kind of numbering: its rank decides nesting (a lower rank encloses a higher one)."""

    name: str
    rank: float
    pattern: re.Pattern


# Order matters: the first pattern that matches a line wins.
_MARKERS = (
    _Marker("attachment", -20, re.compile(r"^(附件)\s*(\d*)\s*[:：]?\s*(.*)$")),
    _Marker("chapter", 1, re.compile(rf"^(第\s*({_NUM})\s*(?:[章编編]|部分))\s*(.*)$")),
    _Marker("section", 2, re.compile(rf"^(第\s*({_NUM})\s*[节節])\s*(.*)$")),
    _Marker("article", 3, re.compile(rf"^(第\s*({_NUM})\s*[条條])\s*(.*)$")),
    _Marker("l1", 3, re.compile(rf"^(([{_CN}]+)\s*[、．.])\s*(.+)$")),
    _Marker("l2", 4, re.compile(rf"^([（(]\s*([{_CN}]+)\s*[)）])\s*[、.．]?\s*(.*)$")),
    _Marker("l3", 5, re.compile(rf"^((\d{{1,3}})\s*(?:[.．、]{NOT_DECIMAL}))\s*(\S.*)$")),
    _Marker("l4", 6, re.compile(r"^([（(]\s*(\d{1,3})\s*[)）])\s*[、.．]?\s*(.*)$")),
    _Marker("l5", 7, re.compile(rf"^(([{_CIRCLED}]))\s*(.*)$")),
)
# A table row (序号 68) is an item, like （一）: it is recognised by the table reader, not by a pattern.
_ROW = _Marker("row", 4, re.compile(r"(?!)"))
_MARKER_BY_NAME = {marker.name: marker for marker in (*_MARKERS, _ROW)}
# Markers that may start a new heading in the middle of a line, right after a sentence ends
# ("一、提高认识。（一）……1.……" or "第一章总则第一条为了……"); the colon of a clock time (21:00、) ends none.
_INLINE_START = re.compile(
    rf"(?<=[。；;！？!?：:{_CLOSERS}])(?<!\d[:：])\s*(?=第\s*{_NUM}\s*[章节条節條]|[{_CN}]{{1,3}}、|[（(]\s*[{_CN}\d]{{1,3}}\s*[)）]|"
    rf"\d{{1,2}}[.．、]{NOT_DECIMAL}|[{_CIRCLED}])")
_CHAPTER_THEN_ARTICLE = re.compile(rf"^(第\s*{_NUM}\s*[章节節][^。；，,：:\s]{{0,20}}?)\s*(?=第\s*{_NUM}\s*[节条節條])")

_TITLE_WORDS = re.compile(r"(方案|通知|意见|办法|规划|计划|决定|条例|规定|细则|纲要|要点|措施|报告|分解表|清单|规则|标准|指南|公告|通告|批复|函)")
_NOTICE_TITLE = re.compile(r"(?:关于)?(?:印发|转发|发布)(.+?)的(?:通知|函)$")
_FIELD_MEASURES = re.compile(r"^(?:具体举措|主要举措|工作举措|具体措施|主要措施|重点举措)\s*[:：]?\s*$")
_FIELD_TARGET = re.compile(r"^(行动目标|工作目标|主要目标|发展目标|目标任务)\s*[:：]")
_UNIT_FIELD_NAMES = ("主要责任单位|责任单位|责任部门|责任科室|责任处室|主责单位|主责科室|牵头单位|牵头部门|牵头科室|牵头处室|"
                     "协同配合单位|协同单位|协同部门|配合单位|配合部门|配合科室|参与单位|协办单位|牵头|配合")
# A note's value runs to a bracket, a sentence end, or the next note (牵头单位：A配合单位：B).
_BRACKETED_NOTE = re.compile(rf"[（(]\s*(?:{_UNIT_FIELD_NAMES})\s*[:：][^）)]*[)）]")
# A note's value runs to the end of its line, sentence or bracket; a bracketed part of a name
# (各镇(街、区)) is kept whole. The label may stand in brackets: 【牵头单位】县教育局.
_UNIT_FIELD = re.compile(
    rf"({_UNIT_FIELD_NAMES})\s*(?:[:：]|[】\]]\s*[:：]?)\s*((?:(?!{_UNIT_FIELD_NAMES})(?:[^（()）\n；;。【]|[（(][^（()）\n]*[)）]))*)")
_COOPERATING = ("配合", "协同", "参与", "协办")
_UNIT_SUFFIX = re.compile(
    r"(局|委|办|府|会|处|中心|院|校|团|所|部|室|厅|站|馆|队|社|行|司|办事处|管委会|分局|街道|街镇|乡镇|镇|部门|单位|机构|公司|联|协|园|组)$")
_SEPARATORS = re.compile(r"[、，,；;/]|\s+")
_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_CHINESE_DATE = re.compile(r"[〇零一二三四五六七八九]{4}年[一二三四五六七八九十]{1,2}月[一二三四五六七八九十]{1,3}日")
_ISO_DATE = re.compile(r"(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)")
_PUBLISHED = re.compile(r"(发布时间|发表时间|发布日期|成文日期|日期|時間|时间)\s*[:：]")
_SOURCE = re.compile(r"(?:信息来源|来源|發布機構|发布机构|发文机关|發文機關|來源)\s*[:：]\s*([^\s|｜]+)")
_DOC_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,14}\s*[〔\[［【(（]\s*(?:19|20)\d{2}\s*[〕\]］】)）]\s*\d{1,4}\s*号")
_PERIOD = re.compile(r"((?:19|20)\d{2})\s*(?:年)?\s*[—–\-－~～至到]+\s*((?:19|20)\d{2})\s*年?")
_PERIOD_LINE = re.compile(r"[（(]\s*(?:19|20)\d{2}[^）)]{0,12}[)）]")
_SINGLE_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_PLACE = re.compile(
    r"([\u4e00-\u9fff]{1,10}?(?:特别行政区|维吾尔自治区|壮族自治区|回族自治区|自治区|自治州|自治县|[省市州盟县区旗])+)"
    r"(?![域级内间外块属划分])")
_NATIONAL_ISSUERS = ("国务院", "教育部", "国家发展改革委", "财政部", "中共中央", "全国人民代表大会", "人力资源社会保障部")
_DOMAIN_WORDS = ("教育", "关于", "人民", "政府", "办公", "委员会", "发展", "印发", "学前", "职业")


@dataclass
class _Line:
    marker: str            # a marker name, "heading" (unnumbered markdown/.docx heading), "field" or "text"
    text: str              # the whole line, verbatim
    number: str = ""       # numeral of a numbered line
    label: str = ""        # 一、 / （一） / 第三条
    rest: str = ""         # what follows the label
    level: int = 0         # markdown heading level
    simple: str = ""       # the text in simplified characters, for matching field and title words

    def __post_init__(self) -> None:
        self.simple = self.simple or to_simplified(self.text)

    @property
    def rank(self) -> float:
        if self.marker == "heading":
            return self.level - 10   # unnumbered headings enclose all numbering
        return _MARKER_BY_NAME[self.marker].rank


# ---------------------------------------------------------------------------------------- lines

def strip_markdown(line: str) -> str:
    return _MARKDOWN_EMPHASIS.sub("", _MARKDOWN_QUOTE.sub("", _MARKDOWN_PREFIX.sub("", line))).strip()


def _split_run_together(line: str) -> list[str]:
    """Headings that run on after a sentence, or a chapter heading followed by its first article."""
    pieces: list[str] = []
    for piece in _INLINE_START.split(line):
        while (match := _CHAPTER_THEN_ARTICLE.match(piece)) and match.end() < len(piece):
            pieces.append(match.group(1))
            piece = piece[match.end():]
        pieces.append(piece)
    return [piece.strip() for piece in pieces if piece.strip()]


def _classify(text: str, heading_level: int) -> _Line:
    simple = to_simplified(text)   # converted once per line: every line goes through here
    if _FIELD_MEASURES.match(unicodedata.normalize("NFKC", simple)):
        return _Line("field", text, simple=simple)
    for marker in _MARKERS:
        match = marker.pattern.match(text)
        if not match:
            continue
        label, number, rest = match.group(1), match.group(2), match.group(3).strip()
        if marker.name == "l1" and (not rest or not any(mark in label for mark in "、.．")):
            continue
        return _Line(marker.name, text, number or "", label.replace(" ", ""), rest, simple=simple)
    if heading_level:   # a markdown or .docx heading without numbering
        return _Line("heading", text, level=heading_level, rest=text, simple=simple)
    return _Line("text", text, simple=simple)


def _is_heading_only(line: _Line) -> bool:
    """A short numbered line with no sentence after its heading words. An article has no heading
    words: what follows 第十条 is its text, even a short one (申报…应当具备下列基本条件：)."""
    if line.marker == "article":
        return not line.rest
    return line.marker not in ("text", "field") and len(line.rest) <= 40 and not re.search(r"[。；;！？]", line.rest)


def _lines(text: str) -> list[_Line]:
    """Text → classified lines, re-joining sentences split by line wrapping or page breaks."""
    lines: list[_Line] = []
    in_header = True   # titles stand alone only before the first numbered heading
    for raw in text.splitlines():
        heading = _MARKDOWN_PREFIX.match(raw)
        stripped = strip_markdown(raw)
        if not stripped:
            continue
        for piece in _split_run_together(stripped):
            line = _classify(piece, len(heading.group(1)) if heading else 0)
            previous = lines[-1] if lines else None
            if previous is not None and line.marker == "text" and _continues(previous, line, in_header):
                previous.text += piece
                previous.rest += piece
                previous.simple += line.simple
                continue
            lines.append(line)
            in_header = in_header and line.marker in ("text", "heading", "field")
    return lines


def _continues(line: _Line, following: _Line, in_header: bool) -> bool:
    """Whether ``following`` is the rest of this line's sentence (a page break or a wrap)."""
    if line.marker in ("field", "heading") or line.text.endswith(_SENTENCE_END + tuple(_CLOSERS)):
        return False
    if line.marker != "text" and _is_heading_only(line):
        return False
    # Lines that stand alone although they end no sentence: titles, a web page's 发布时间 line,
    # table cells (序号, unit names).
    if any((in_header and _is_title_line(candidate)) or _PUBLISHED.search(candidate.simple)
           or _SOURCE.search(candidate.simple) for candidate in (line, following)):
        return False
    if following.text.isdigit() or following.text in _TABLE_HEADER_WORDS or _looks_like_units(line.text):
        return False
    # A short line with no punctuation at all is a cell or a heading, not a broken sentence.
    return len(line.text) >= 20 or bool(re.search(r"[。，；、,;]", line.text))


# ---------------------------------------------------------------------------------------- nodes

@dataclass
class _Node:
    line: _Line
    parent: "_Node | None" = None
    children: list["_Node"] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)         # own paragraphs
    measure_texts: list[str] = field(default_factory=list)  # an unnumbered 具体举措 paragraph
    in_measures: bool = False
    row_cells: list[str] = field(default_factory=list)      # a table row's cells after its number

    @property
    def marker(self) -> str:
        return self.line.marker

    @property
    def title(self) -> str:
        rest = self.line.rest
        if self.marker in ("row", "article"):   # articles and table rows have no heading words
            return ""
        if _is_heading_only(self.line):
            return rest.rstrip("。.")
        first = re.split(r"[。；;！？]", rest, maxsplit=1)[0]
        return first if len(first) <= 30 else ""

    @property
    def inline_text(self) -> str:
        """Text on the heading line beyond its heading words (the whole line when there is any)."""
        return "" if _is_heading_only(self.line) else self.line.text


@dataclass
class _Table:
    columns: list[str]

    @property
    def unit_columns(self) -> list[str]:
        return [column for column in self.columns[1:] if "单位" in column or "部门" in column]


_TABLE_HEADER_WORDS = ("序号", "编号")


def _looks_like_units(text: str) -> bool:
    names = [name.strip("。.") for name in _SEPARATORS.split(text) if name.strip("。. ")]
    return bool(names) and all(len(name) <= 20 and not re.search(r"\d", name)
                               and (_UNIT_SUFFIX.search(name) or name.startswith("各")) for name in names)


class _TreeBuilder:
    def __init__(self) -> None:
        self.header: list[_Line] = []
        self.root = _Node(_Line("root", ""))
        self.stack: list[_Node] = []
        self.table: _Table | None = None
        self.pending_columns: list[str] = []
        self.signature: list[str] = []

    def feed(self, line: _Line) -> None:
        if self._feed_table(line):
            return
        # Before the body, a heading that reads like a title (…方案, …规划) belongs to the header.
        if line.marker == "text" or (line.marker == "heading" and not self.stack and not self._body_started()
                                     and _TITLE_WORDS.search(line.simple)):
            return self._on_text(line)
        if line.marker == "field":
            if self.stack:
                self.stack[-1].in_measures = True
            return
        if line.marker == "attachment" and not self._body_started():
            return self._on_text(_Line("text", line.text))
        node = _Node(line)
        while self.stack and self.stack[-1].line.rank >= line.rank:
            self.stack.pop()
        node.parent = self.stack[-1] if self.stack else self.root
        node.parent.children.append(node)
        self.stack.append(node)

    def _body_started(self) -> bool:
        return bool(self.root.children)

    def _on_text(self, line: _Line) -> None:
        if not self.stack:
            self.header.append(line)
            return
        node = self.stack[-1]
        if _DATE.fullmatch(line.text) or _CHINESE_DATE.fullmatch(line.text):
            # A date on its own line closes the document (or an attachment): the signature, with the
            # issuing body on the line before it.
            if node.texts and len(node.texts[-1]) <= 40 and _ISSUING_BODY.search(node.texts[-1]):
                self.signature.append(node.texts.pop())
            self.signature.append(line.text)
        elif node.marker == "row":
            node.row_cells.append(line.text)
        elif node.in_measures and not node.children:
            node.measure_texts.append(line.text)
        else:
            node.texts.append(line.text)

    def _feed_table(self, line: _Line) -> bool:
        """A table flattened to lines: a header of column names, then rows that start with their 序号."""
        if line.marker == "text" and line.text in _TABLE_HEADER_WORDS:
            self.pending_columns = [line.text]
            return True
        if self.pending_columns and self.table is None:
            # Short lines are column names until the first row's number (1) begins the rows.
            if line.marker == "text" and len(line.text) <= 12 and not line.text.endswith(_SENTENCE_END) \
                    and not line.text.isdigit():
                self.pending_columns.append(line.text)
                return True
            if len(self.pending_columns) >= 3:
                self.table = _Table(self.pending_columns)
            else:
                for column in self.pending_columns:
                    self._on_text(_Line("text", column))
            self.pending_columns = []
        if self.table is not None and line.marker == "text" and line.text.isdigit():
            node = _Node(_Line("row", line.text, line.text, f"序号{line.text}", ""))
            while self.stack and self.stack[-1].line.rank >= _ROW.rank:
                self.stack.pop()
            node.parent = self.stack[-1] if self.stack else self.root
            node.parent.children.append(node)
            self.stack.append(node)
            return True
        return False


# ---------------------------------------------------------------------------------------- header

@dataclass
class _Header:
    title: str = ""
    notice_line: str = ""    # the notice title as written (its issuing bodies still apart)
    notice: list[str] = field(default_factory=list)
    preamble: list[str] = field(default_factory=list)
    meta: list[str] = field(default_factory=list)   # 发布时间/来源 lines of a web page

    @property
    def notice_title(self) -> str:
        return canonical_title(self.notice_line)


def canonical_title(text: str) -> str:
    """Titles are shown with full-width parentheses and no stray spaces or book-title marks."""
    text = re.sub(r"\s*\(\s*", "（", text)
    text = re.sub(r"\s*\)\s*", "）", text)
    return re.sub(r"\s+", "", text.replace("《", "").replace("》", ""))


def _is_title_line(line: _Line) -> bool:
    text = line.simple
    return (len(text) <= 90 and bool(_TITLE_WORDS.search(text)) and not re.search(r"[。；;：:，,]", text)
            and not _PUBLISHED.search(text))


# At most this many characters of a title's end wrapped onto a line of their own (的通知 / 知).
MAX_TITLE_TAIL = 4
# The first line of a title that goes on on the next line: it names the issuer and 关于, no sentence.
_TITLE_START = re.compile(r"^[^。；：:，,]{2,40}关于[^。；：:，,]*$")


def _unclosed(text: str) -> bool:
    """A title cut inside its brackets: 某某行动计划（ / 2023—2025年）."""
    return text.count("（") + text.count("(") > text.count("）") + text.count(")")


def _completes_notice_title(title: str, line: str) -> bool:
    """A line that only ends a notice's title the line before broke off (…》的通 / 知)."""
    joined = _Line("text", title + line)
    return len(line) <= MAX_TITLE_TAIL and _is_notice_title(joined) and not _is_notice_title(_Line("text", title))


def _is_notice_title(line: _Line) -> bool:
    return bool(_NOTICE_TITLE.search(canonical_title(line.simple)))


def _read_header(lines: list[_Line]) -> _Header:
    """Title lines, a covering notice, a web page's 发布时间/来源 lines and the preamble."""
    header = _Header()
    titles: list[_Line] = []
    for line in lines:
        if any(canonical_title(line.simple) == canonical_title(title.simple) for title in titles):
            continue   # a web page repeats its title above the article
        if _PUBLISHED.search(line.simple) or _SOURCE.search(line.simple):
            header.meta.append(line.text)
        elif titles and not header.preamble and (_PERIOD_LINE.fullmatch(line.text) or _unclosed(titles[-1].text)
                                                 or _completes_notice_title(titles[-1].text, line.text)):
            # The title's period on a line of its own, or the end of a wrapped title (…的通 / 知).
            titles[-1] = _Line("text", titles[-1].text + line.text)
        elif _is_title_line(line) and not header.preamble:
            if header.notice and not titles and _TITLE_START.search(to_simplified(header.notice[-1])):
                # A title wrapped over two lines (a PDF): "…关于印发某省学生" / "心理健康促进行动计划的通知".
                line = _Line("text", header.notice.pop() + line.text)
            titles.append(line)
        elif titles and len(titles) == 1 and _is_notice_title(titles[0]):
            header.notice.append(line.text)
        elif titles:
            header.preamble.append(line.text)
        else:
            header.notice.append(line.text)   # before any title: 文号, addressees, or a page's own lines
    notices = [title for title in titles if _is_notice_title(title)]
    plans = [title for title in titles if not _is_notice_title(title)]
    header.notice_line = notices[0].text if notices else ""
    if plans:
        header.title = canonical_title(plans[0].text)
    elif notices:
        header.title = canonical_title(_NOTICE_TITLE.search(canonical_title(notices[0].text)).group(1))
    if not titles:   # no title at all: what precedes the body is its preamble
        header.preamble, header.notice = header.notice, []
    return header


def _document(document_id: str, header: _Header, header_text: str, tail_text: str, source: str,
              sha256: str) -> Document:
    issuer = ""
    simple_notice_line = to_simplified(header.notice_line)
    if "关于" in simple_notice_line:
        issuer = header.notice_line[:simple_notice_line.index("关于")]
    simple_title = to_simplified(header.title)
    if not issuer and "关于" in simple_title and _ISSUING_BODY.search(simple_title.split("关于", 1)[0]):
        issuer = header.title[:simple_title.index("关于")]   # 某市人民政府关于……的意见
    if not issuer:
        issuer = next((match.group(1) for line in header.meta if (match := _SOURCE.search(to_simplified(line)))), "")
    if not issuer:
        issuer = _signature(header.notice) or _signature(tail_text.splitlines())
    title = header.title or header.notice_title
    return Document(
        id=document_id,
        title=title or document_id,
        issuer=_joined_bodies(issuer),
        date=_date(header_text, tail_text),
        doc_number=_doc_number(header_text),
        place=_place(to_simplified(title), to_simplified(issuer)),
        period=_period(to_simplified(title)),
        source=source,
        sha256=sha256,
    )


NATIONAL_PLACE = "全国"   # the place of a document issued for the whole country
_ISSUING_BODY = re.compile(r"(政府|办公室|办公厅|局|委员会|委|厅|部|院|中心)$")


def _joined_bodies(issuer: str) -> str:
    """Joint issuers written apart (市教育局　市财政局) as one list: 市教育局、市财政局."""
    return "、".join(canonical_title(body) for body in issuer.split())


def _signature(lines: list[str]) -> str:
    """An issuing body standing on its own line just before the date (the signature of a notice)."""
    for before, after in zip(lines, lines[1:]):
        if (_DATE.fullmatch(after.strip()) or _CHINESE_DATE.fullmatch(after.strip())) and len(before) <= 40 \
                and _ISSUING_BODY.search(before):
            return before.strip()
    return ""


def _date(header_text: str, tail_text: str) -> str:
    """The date the document was written (成文日期): a date written out in the header or the
    signature comes before a web page's 2019-06-18 发布时间 line."""
    # A date on a line of its own is the signature's; a date inside a sentence may be a deadline
    # (2025年12月10日前报送).
    for text in (header_text, tail_text):
        for line in text.splitlines():
            if match := _DATE.fullmatch(line.strip()):
                return f"{match.group(1)}年{int(match.group(2))}月{int(match.group(3))}日"
    for text in (header_text, tail_text):
        if match := _DATE.search(text):
            return f"{match.group(1)}年{int(match.group(2))}月{int(match.group(3))}日"
    # Other forms are kept as written (二〇〇五年六月八日, 2016-05-19), so they can be found in the text.
    for pattern in (_CHINESE_DATE, _ISO_DATE):
        for text in (header_text, tail_text):
            if match := pattern.search(text):
                return match.group(0)
    return ""


def _doc_number(text: str) -> str:
    match = _DOC_NUMBER.search(text)
    return re.sub(r"\s+", "", match.group(0)) if match else ""


def _place(title: str, issuer: str) -> str:
    """The most specific place named at the start of the title, else of the issuer (天津市西青区 → 西青区)."""
    for text in (title, issuer):
        text = re.sub(r"^.*?关于(?:印发)?", "", text) if text is title else text
        if any(text.startswith(name) for name in _NATIONAL_ISSUERS):
            return NATIONAL_PLACE
        place = ""
        position = 0
        while match := _PLACE.match(text, position):
            candidate = match.group(1)
            if any(word in candidate for word in _DOMAIN_WORDS):
                break
            place, position = candidate, match.end()
        if place:
            return place
    return ""


def _period(text: str) -> tuple[int, int] | None:
    if match := _PERIOD.search(text):
        first, last = int(match.group(1)), int(match.group(2))
        if first <= last <= first + 20:
            return first, last
    for _, span in five_year_plans(text):
        return span
    if match := _SINGLE_YEAR.search(text):
        year = int(match.group(1))
        return year, year
    return None


# ---------------------------------------------------------------------------------------- units

def responsible_units(text: str) -> tuple[str, ...]:
    """Unit names of every 责任单位 / 牵头单位 note in the text (not 配合单位), in order."""
    return _units(text, cooperating=False)


def cooperating_units(text: str) -> tuple[str, ...]:
    return _units(text, cooperating=True)


# A note that names the units before their role: （市教育局牵头，市发展改革委、市财政局配合）.
# A unit's name may hold a bracket of its own: 县（区）教育局.
_NOTE_TEXT = r"(?:[^（()）:：]|[（(][^（()）]{1,6}[)）])"
_ROLE_AFTER_UNITS = re.compile(
    rf"[（(]\s*({_NOTE_TEXT}{{2,60}}?)\s*牵头\s*(?:[，,；;]\s*({_NOTE_TEXT}{{2,120}}?)\s*(?:配合|协同|参与))?\s*[)）]")


def _units(text: str, cooperating: bool) -> tuple[str, ...]:
    found: dict[str, None] = {}
    for match in _ROLE_AFTER_UNITS.finditer(to_simplified(text)):
        named = match.group(2) if cooperating else match.group(1)
        if named:
            found.update(dict.fromkeys(_unit_names(named)))
    # A note in brackets may be split by a page break (（责任单位：区 / 委编办）): its line breaks go;
    # a note on a line of its own ends with its line.
    simple = _BRACKETED_NOTE.sub(lambda match: re.sub(r"\s*\n\s*", "", match.group(0)), to_simplified(text))
    for match in _UNIT_FIELD.finditer(simple):
        if any(word in match.group(1) for word in _COOPERATING) != cooperating:
            continue
        found.update(dict.fromkeys(_unit_names(match.group(2))))
    return tuple(found)


def _unit_names(text: str) -> list[str]:
    """Unit names in a list; a separator inside brackets belongs to a name (各镇(街、区))."""
    names, depth, start = [], 0, 0
    for position, char in enumerate(text + "、"):
        depth += (char in "(（") - (char in ")）")
        if depth <= 0 and _SEPARATORS.fullmatch(char):
            names.append(text[start:position])
            start, depth = position + 1, 0
    return [name for name in (part.strip(" 。.等") for part in names) if name]


# ---------------------------------------------------------------------------------------- targets

# The units a target is counted in, longest first (个百分点 before 个); 万/亿 scale the number.
_UNITS = ("个百分点", "个工作日", "个月", "平方米", "公顷", "学时", "课时", "小时", "分钟", "人次", "%", "％", "个", "元",
          "人", "次", "名", "所", "项", "周", "间", "门", "家", "天", "套", "张", "台", "册", "辆", "亩", "座", "处", "支",
          "批", "班", "床", "篇", "场", "块", "倍", "件", "种", "期", "节", "户", "位", "年")
_SCALES = {"万": 1e4, "亿": 1e8}
# 3240个, 1.5万人次, 1000余万元, 1至2项, 400元至800元; not an ordinal (第3次), a part of a formula (2+1项)
# a format (11人制) or an age (3周岁).
_QUANTITY = re.compile(r"(?<![\d.+\-—第])(\d+(?:\.\d+)?)(?:\s*[至—–\-～~]\s*\d+(?:\.\d+)?)?\s*[余多]?\s*([万亿]?)\s*"
                       rf"[余多]?\s*({'|'.join(map(re.escape, _UNITS))})"
                       r"(?:\s*[至—–\-～~]\s*\d+(?:\.\d+)?\s*\2\s*\3)?(?![制岁])")
# What comes before a rate, not a target: 每100名住宿生, 每增加500名学生.
_PER = re.compile(r"每(?:增加|满|超过)?\s*$")
# Comparators as written: after the number (93%以上), before it (不少于4次, ≥85%), or a change (增加10%).
_COMPARATORS_AFTER = ("及以上", "以上", "以下", "以内", "之内", "左右", "内")
_COMPARATORS_BEFORE = ("≥", "≤", "＞", "＜", ">", "<", "≧", "≦", "不少于", "不低于", "不超过", "不高于", "不多于", "不大于",
                       "不小于", "不足", "至少", "最少", "最多", "超过", "高于", "低于", "少于", "多于", "大于", "小于",
                       "控制在", "保持在", "稳定在", "维持在", "提高到", "提高至", "提升到", "提升至", "增加到", "增加至",
                       "增长到", "降低到", "降低至", "下降到", "下降至", "减少到", "减少至", "压减至", "压减到", "压缩至",
                       "压缩到", "扩大到", "扩大至", "调整到", "调整至", "增至", "降至", "不得超过", "不得少于", "不得低于",
                       "不宜超过", "达到", "保持", "达", "约")
_CHANGES = ("增加", "增长", "提高", "提升", "下降", "降低", "减少", "压减", "压缩")
_LONGEST_FIRST = sorted(_COMPARATORS_BEFORE + _CHANGES, key=len, reverse=True)   # 不得超过 before 超过
# Comparators only right before the number (达95%, not the 达 of 达标率 some words earlier).
_ADJACENT_ONLY = ("达", "约", "保持")
# When a target holds: a date or a span (到2025年, 2024年底前, 2023—2025年, “十四五”期间), a window
# (三年内, 年内) or a frequency (每年, 每学期, 年均).
_WHEN = (r"(?:(?:到|至|截至|截止到?|于|在)\s*)?(?:\d{4}\s*年?\s*[—–\-~～至到]\s*)?\d{4}\s*年"
         r"(?:\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?)?(?:年?底|末|初|上半年|下半年|[秋春]季学期|[秋春]季)?"
         r"(?:前|以前|之前|起|以来)?"
         r"|(?:到|至)?“?十[一二三四五六七八九]五”?(?:期间|末|时期)?"
         r"|[一二三四五六七八九十两\d]{1,2}\s*年(?:内|累计|间)"
         r"|每[一二两三四五六\d]?个?(?:学年|学期|年度|年|季度|月|周|天|日|半年)(?!级)|年均|年内|全年|逐年")
_TIME = re.compile(_WHEN)
# A year compared with is a baseline, not a deadline (比2015年, 较2024年).
_BASELINE = ("比", "较")
# A frequency holds only in its own phrase; a date or a window (三年内) holds for its whole sentence.
_FREQUENCY = re.compile(r"每|年均|逐年")
_SENTENCES = re.compile(r"[^。！？!?\n]+")
_PARTS = re.compile(r"[^；;]+")
_PHRASE_SPLIT = re.compile(r"[，；。：,;\u3000\t\n]")
# Units that count things, so the thing counted may follow the number: 3所幼儿园, 1名正高级教师, 1次专项督导.
_COUNTERS = frozenset(("个", "名", "所", "项", "次", "间", "门", "家", "套", "张", "台", "册", "辆", "座", "处", "支", "批",
                       "班", "篇", "场", "块", "件", "种", "期", "节", "户", "位", "平方米", "亩", "公顷"))
_NOT_A_NOUN = frozenset("以上下左及之内的到至在为于用每后前起年月周日天和或与")
# Where the thing counted ends: a number, a break, a comparator, or a verb that starts the rest of the sentence.
_NOUN_END = re.compile(r"[\d，；。：,;、\s]|的|到|用于|推进(?!会)|开展|进行|参加|担任|支教|开设|实施|专题研究|作为|负责|"
                       r"完成|全面|顺利|全部|(?<![行作认成因])为|中有|共有|"
                       + "|".join(word for word in _LONGEST_FIRST if len(word) > 1))
# A thing counted this long names the measure even when the words before the number could (至少培养1名正高级教师),
# unless those words are longer than this: then it is the only short name (数控技术应用、…等 7 个专业).
_COUNTED_MIN_CHARS = 3
_MEASURE_MAX_CHARS = 16
# What is paid at a rate: 按照每年生均300元的标准安排劳动教育专项经费.
_RATE_OF = re.compile(r"\s*的?(?:标准|比例)\s*(?:安排|拨付|发放|保障|补助|核拨|计提|提取|落实|配置|配备|给予)\s*"
                      r"([^，；。：,;、\s]{2,16})")
_LEADING_FILLER = re.compile(
    rf"^(?:\s|第[{_CN}\d]+条|[（(][{_CN}\d]{{1,3}}[)）]|[{_CN}]{{1,3}}、|\d{{1,3}}\s*[.．、]{NOT_DECIMAL}|[{_CIRCLED}]|"
    rf"[、，（(的]|[一二三四五六七八九十]是|其中|同时|并且|并|且|另外|此外|以及|全区|全市|全县|全州|全省|全镇|我区|我市|"
    rf"我县|本区|本市|实现|确保|力争|争取|努力|逐步|进一步|推动|做到|将|含|包括|共有|中有|累计|应当|原则上|一般|或者|{_WHEN})+")
_TRAILING_FILLER = re.compile(
    rf"(?:\s|[、，（(]|的|了|在|(?<![生人])均|按照?|由[区市县州省]?(?:财政|政府)|每(?:生|人|校|所|个|名|班|课时)|"
    rf"原则上|一般|应当|不得|由|从|(?:比|较)\s*\d{{4}}\s*年(?:底|末)?|{_WHEN})+$")
# Measures that name nothing by themselves: a bare verb or a filler word.
_BARE_MEASURES = frozenset(("新增", "新建", "建成", "建设", "开展", "举办", "组织", "完成", "参加", "参与", "认定", "选派",
                            "遴选", "打造", "培养", "配备", "招收", "召开", "进行", "安排", "投入", "实施", "评选", "补充",
                            "依托", "明确", "创建", "改造", "达到", "超过", "增加", "提高", "生均", "人均", "其中", "做到"))


@dataclass(frozen=True)
class _Quantity:
    start: int          # where the number starts in its phrase
    end: int
    value: str          # as written, without spaces: 1.5万人次
    number: float       # 15000.0
    unit: str           # 人次


def _quantities(phrase: str) -> list[_Quantity]:
    """Numbers with units in a phrase, in order; a year (2025年), a window (近3年, 3年内) or a rate (每100名) is not one."""
    found = []
    for match in _QUANTITY.finditer(phrase):
        amount, unit = match.group(1), match.group(3)
        if _PER.search(phrase[:match.start()]) or unit == "年" and (
                len(amount) > 2 or "." in amount or phrase[:match.start()].endswith("近")
                or phrase[match.end():match.end() + 1] in "内来前后级底度间累"):
            continue
        found.append(_Quantity(match.start(), match.end(), re.sub(r"\s+", "", match.group(0)),
                               float(amount) * _SCALES.get(match.group(2), 1), unit))
    return found


def _comparator_before(segment: str) -> tuple[str, int]:
    """The comparator before a number (right before it, or some words before: 不低于总数的10%) and where it starts."""
    stripped = segment.rstrip()
    for word in _LONGEST_FIRST:
        if stripped.endswith(word):
            return word, len(stripped) - len(word)
    found = [(segment.rfind(word), word) for word in _COMPARATORS_BEFORE if word not in _ADJACENT_ONLY]
    position, word = max(found, key=lambda pair: (pair[0] + len(pair[1]) if pair[0] >= 0 else -1, len(pair[1])))
    return (word, position) if position >= 0 else ("", -1)


def _clean_measure(text: str) -> str:
    """The words of a measure without the filler around the indicator's name (到2025年, 全区, 达到 …)."""
    previous = None
    while previous != text:
        previous = text
        text = _TRAILING_FILLER.sub("", _LEADING_FILLER.sub("", text))
        for opening, closing in ("“”", "（）"):
            if text.startswith(opening) and closing not in text:
                text = text[1:]
            if text.endswith(closing) and opening not in text:
                text = text[:-1]
            if opening in text[text.rfind(closing) + 1:]:
                text = text[:text.rfind(opening)]
    return text


def _names_something(measure: str) -> bool:
    return len(measure) >= 2 and measure not in _BARE_MEASURES


def _thing_counted(after: str) -> str:
    """The noun a counted number is of when the noun follows it (认定不少于50个区级劳动教育实践基地)."""
    if not re.match(r"[\u4e00-\u9fff“]", after) or after[0] in _NOT_A_NOUN or _NOUN_END.match(after):
        return ""
    end = _NOUN_END.search(after)
    noun = _clean_measure(after[:end.start() if end else len(after)].rstrip("和或与及"))
    return noun if noun not in _BARE_MEASURES and len(noun) <= _MEASURE_MAX_CHARS else ""


def _measure(segment: str, comparator: str, position: int, quantity: _Quantity, after: str, previous: str) -> str:
    """The indicator a number is about, a verbatim part of its phrase: the thing counted when it follows the
    number, what a rate is paid for, the words before the comparator, else the indicator named before it."""
    head = _clean_measure(segment[:position] if position >= 0 else segment)
    counted = _thing_counted(after) if quantity.unit in _COUNTERS else ""
    # 至少培养1名正高级教师, 建设、改造18所学校, but 必修课程不少于6个模块
    if _names_something(counted) and (len(counted) >= _COUNTED_MIN_CHARS or not _names_something(head)
                                      or head.endswith(tuple(_BARE_MEASURES)) or len(head) > _MEASURE_MAX_CHARS):
        return counted
    rate = _RATE_OF.match(after)
    if rate and re.search("按照?", segment):
        return rate.group(1)
    if _names_something(head):
        return head
    between = _clean_measure(segment[position + len(comparator):]) if position >= 0 else ""
    if _names_something(between):
        return between
    # 投入约8亿元的中小学改扩建: what the amount is of; a bare verb (投入约3420万元) rather than another
    # number's indicator; 比2015年提高17.2个百分点: the indicator named before.
    of = _thing_counted(after[1:]) if after.startswith("的") and not re.match("的(?:标准|比例)", after) else ""
    return of or counted or (head if len(head) >= 2 else "") or previous or between


@dataclass(frozen=True)
class _Time:
    start: int          # in its sentence
    end: int
    text: str           # without spaces: 到2025年
    is_date: bool       # a date, a span or a window, not a frequency (每年)
    own: bool           # 由2015年的71.3%: the time of the number right after it only
    brackets: tuple[int, int] | None    # （2024年为91.2%）: the time of the numbers in the brackets only


def _times(sentence: str) -> list[_Time]:
    """The time expressions of a sentence, but not a baseline (比2015年) or a year in a title (《…（2023—2025年）》)."""
    titles = [match.span() for match in re.finditer(r"《[^》]*》", sentence)]
    brackets = [match.span() for match in re.finditer(r"[（(][^（()）]*[)）]", sentence)]
    times = []
    for match in _TIME.finditer(sentence):
        lead = sentence[:match.start()].rstrip()
        if lead.endswith(_BASELINE) or any(start <= match.start() < end for start, end in titles):
            continue
        times.append(_Time(match.start(), match.end(), re.sub(r"\s+", "", match.group(0)),
                           not _FREQUENCY.match(match.group(0)), lead.endswith(("由", "从")),
                           next((span for span in brackets if span[0] <= match.start() < span[1]), None)))
    return times


def _deadline(times: list[_Time], phrase_start: int, segment_start: int, part_end: int, at: int) -> str:
    """The nearest time before a number in its phrase, else the nearest date before it in the sentence,
    else a deadline after it up to the next ； (…，2025年底前)."""
    times = [time for time in times if not (time.own and time.start < segment_start)
             and (time.brackets is None or time.brackets[0] <= at < time.brackets[1])]
    found = ([time for time in times if phrase_start <= time.start and time.end <= at]
             or [time for time in times if time.end <= at and time.is_date]
             or [time for time in times if at <= time.start < part_end and time.text.endswith(("前", "底"))][:1])
    return found[-1].text if found else ""


def extract_targets(clause_id: str, text: str) -> tuple[QuantTarget, ...]:
    """Every number with a unit in a clause: the indicator it is about, its comparator, value and deadline."""
    targets = []
    for sentence in _SENTENCES.findall(text):
        # A number with no indicator before it (…开展普通话培训，每年不少于1500人次) is about the
        # indicator of the number before it, else about what the phrase before it names.
        times, previous, last_phrase = _times(sentence), "", ""
        for part in _PARTS.finditer(sentence):
            phrase_start = part.start()
            for phrase in _PHRASE_SPLIT.split(part.group(0)):
                segment_start = 0
                for quantity in _quantities(phrase):
                    rest = phrase[quantity.end:]
                    after = next((word for word in _COMPARATORS_AFTER if rest.lstrip().startswith(word)), "")
                    rest_after = rest.lstrip()[len(after):] if after else rest
                    segment = phrase[segment_start:quantity.start]
                    before, position = _comparator_before(segment)
                    measure = (_measure(segment, before, position, quantity, rest_after, previous)
                               or last_phrase or phrase.strip())
                    deadline = _deadline(times, phrase_start, phrase_start + segment_start, part.end(),
                                         phrase_start + quantity.start)
                    targets.append(QuantTarget(
                        clause_id=clause_id, measure=measure, value=quantity.value, number=quantity.number,
                        unit=quantity.unit, deadline=deadline, phrase=phrase.strip(),
                        comparator=f"{before}…{after}" if before in _CHANGES and after else after or before))
                    previous = measure if _names_something(measure) else previous
                    # the next number's words start after this one's, and after the thing it counts (6个街道、4个镇)
                    segment_start = len(phrase) - len(rest_after)
                    if rest_after.startswith(measure):
                        segment_start += len(measure)
                phrase_start += len(phrase) + 1
                last_phrase = _clean_measure(phrase) or last_phrase
    return tuple(targets)


# ---------------------------------------------------------------------------------------- tree

def _short_label(node: _Node) -> str:
    """The label as it appears in ids: 四 / （五） / .2 / （1） / ① / 第三条 / 序号68."""
    line = node.line
    if node.marker == "l1":
        return _numeral(line.number)
    if node.marker in ("l2", "l4"):
        return f"（{_numeral(line.number) if node.marker == 'l2' else line.number}）"
    if node.marker == "l3":
        return f".{line.number}"
    if node.marker == "attachment":
        return f"附件{line.number}"
    if node.marker == "heading":
        return line.text[:20]
    return line.label


def _numeral(number: str) -> str:
    """Chinese numerals in their canonical form (十五, not 一十五)."""
    try:
        return chinese_numeral(parse_chinese_numeral(number.replace("两", "二")))
    except ValueError:
        return number


def _display_label(node: _Node) -> str:
    """The label as shown in headings: 四、 / （五） / 1. / 第三条."""
    if node.marker == "l1":
        return f"{_numeral(node.line.number)}、"
    if node.marker == "l2":
        return f"（{_numeral(node.line.number)}）"
    if node.marker == "l3":
        return f"{node.line.number}."
    if node.marker == "l4":
        return f"（{node.line.number}）"
    if node.marker == "heading":
        return ""
    if node.marker == "attachment":
        return f"附件{node.line.number}"
    return node.line.label


def _node_number(node: _Node) -> int:
    try:
        return parse_chinese_numeral(node.line.number.replace("两", "二"))
    except ValueError:
        return 0


class _ClauseWriter:
    def __init__(self, document: Document) -> None:
        self.document = document
        self.clauses: list[Clause] = []
        self.copies: dict[tuple[str, str], int] = {}
        self.by_item: dict[str, list[int]] = {}

    def claim(self, base_id: str, space: str = "clause") -> str:
        """A unique id within its space (clause, item, part): numbering may repeat (an attachment
        restarts at 一、), so later copies get #2, #3."""
        key = (space, base_id)
        copies = self.copies.get(key, 0) + 1
        self.copies[key] = copies
        return base_id if copies == 1 else f"{base_id}#{copies}"

    def add(self, clause_id: str, kind: ClauseKind, path: tuple[str, ...], text: str, item_id: str = "") -> str:
        unique = self.claim(clause_id)
        if item_id:
            self.by_item.setdefault(item_id, []).append(len(self.clauses))
        self.clauses.append(Clause(unique, self.document, kind, path, text, item_id, (),
                                   extract_targets(unique, text)))
        return unique

    def item_clauses(self, item_id: str) -> list[Clause]:
        return [self.clauses[index] for index in self.by_item.get(item_id, ())]

    def set_units(self, item_id: str, units: tuple[str, ...]) -> None:
        """Every clause of an item carries the item's units, unless a measure names its own."""
        for index in self.by_item.get(item_id, ()):
            clause = self.clauses[index]
            own = responsible_units(clause.text) + cooperating_units(clause.text)
            clause_units = tuple(dict.fromkeys(own)) if own and clause.kind == ClauseKind.MEASURE else units
            self.clauses[index] = replace(clause, responsible_units=clause_units)


def _heading(node: _Node) -> str:
    return f"{_display_label(node)}{node.title}" if node.marker != "row" else node.line.label


def _build(document: Document, header: _Header, root: _Node, table: _Table | None,
           signature: list[str]) -> PolicyTree:
    writer = _ClauseWriter(document)
    if header.notice or header.meta:   # a web page's 发布时间/来源 line is the document's notice
        writer.add("通知", ClauseKind.NOTICE, (header.notice_title or document.title,),
                   "\n".join(header.meta + header.notice))
    if header.preamble:
        writer.add("序言", ClauseKind.PREAMBLE, (document.title,), "\n".join(header.preamble))
    parts: list[Part] = []
    items: list[Item] = []
    uses_articles = _contains(root, "article")
    for part_node in root.children:
        if uses_articles and part_node.marker == "article":
            # Articles outside any chapter: a document of articles only.
            items.append(_build_item(writer, part_node, None, "", (), table))
            continue
        part_id = writer.claim(_short_label(part_node), "part")
        part = Part(label=_display_label(part_node), numeral=part_node.line.number or part_id,
                    title=part_node.title)
        path = (part.heading,)
        clause_ids = _paragraphs(writer, part_id, part_node.texts + _inline(part_node), path)
        item_nodes = _item_nodes(part_node, uses_articles)
        part_items = [_build_item(writer, node, part, part_id, _intermediate_path(node, part_node), table)
                      for node in item_nodes]
        for node in _intermediate_nodes(part_node, item_nodes):
            node_path = path + _intermediate_path(node, part_node)[:-1] + (_heading(node),)
            clause_ids += _paragraphs(writer, part_id + _short_label(node), node.texts + _inline(node), node_path)
        items.extend(part_items)
        parts.append(Part(label=part.label, numeral=part.numeral, title=part.title,
                          item_ids=tuple(item.id for item in part_items), clause_ids=tuple(clause_ids)))
    if signature:
        writer.add("落款", ClauseKind.NOTICE, (document.title,), "\n".join(signature))
    return PolicyTree(document=document, parts=tuple(parts), items=tuple(items), clauses=tuple(writer.clauses))


def _contains(node: _Node, marker: str) -> bool:
    return any(child.marker == marker or _contains(child, marker) for child in node.children)


def _inline(node: _Node) -> list[str]:
    return [node.inline_text] if node.inline_text else []


def _item_nodes(part_node: _Node, uses_articles: bool) -> list[_Node]:
    """A part's items: its articles wherever they stand, else its direct numbered children."""
    if uses_articles:
        found: list[_Node] = []
        stack = list(reversed(part_node.children))
        while stack:
            node = stack.pop()
            if node.marker == "article":
                found.append(node)
            else:
                stack.extend(reversed(node.children))
        return found
    return list(part_node.children)


def _intermediate_nodes(part_node: _Node, item_nodes: list[_Node]) -> list[_Node]:
    """Nodes between a part and its items (第一节 between 第一章 and 第三条)."""
    wanted = {id(node) for node in item_nodes}
    found: list[_Node] = []
    stack = list(reversed(part_node.children))
    while stack:
        node = stack.pop()
        if id(node) in wanted:
            continue
        found.append(node)
        stack.extend(reversed(node.children))
    return found


def _intermediate_path(node: _Node, part_node: _Node) -> tuple[str, ...]:
    path: list[str] = []
    current = node.parent
    while current is not None and current is not part_node and current.marker != "root":
        path.append(_heading(current))
        current = current.parent
    return tuple(reversed(path)) + (_heading(node),)


def _paragraphs(writer: _ClauseWriter, base_id: str, texts: list[str], path: tuple[str, ...]) -> list[str]:
    if len(texts) == 1:
        return [writer.add(base_id, ClauseKind.PARAGRAPH, path, texts[0])]
    return [writer.add(f"{base_id}.段{index}", ClauseKind.PARAGRAPH, path, text)
            for index, text in enumerate(texts, start=1)]


def _build_item(writer: _ClauseWriter, node: _Node, part: Part | None, part_id: str, inner_path: tuple[str, ...],
                table: _Table | None) -> Item:
    if node.marker in ("article", "row") or part is None:   # numbered across the whole document
        item_id = writer.claim(node.line.label, "item")
    else:
        item_id = writer.claim(f"{part_id}{_short_label(node)}", "item")
    base_path = ((part.heading,) if part and part.heading else ()) + (inner_path or (_heading(node),))
    own = _row_lines(node, table) if node.marker == "row" else _inline(node) + node.texts
    text = "\n".join(own) or _heading(node)
    first = own[0] if own else ""
    field_name = _FIELD_TARGET.match(first)
    item_path = base_path + ((field_name.group(1),) if field_name else ())
    clause_ids = [writer.add(item_id, ClauseKind.ITEM, item_path, text, item_id)]
    if node.measure_texts:
        clause_ids.append(writer.add(f"{item_id}.举措", ClauseKind.MEASURE, base_path + ("具体举措",),
                                     "\n".join(node.measure_texts), item_id))
    for child in node.children:
        clause_ids += _measure_clauses(writer, child, item_id, item_id, base_path, node.in_measures)
    all_text = "\n".join(clause.text for clause in writer.item_clauses(item_id))
    lead_units = responsible_units(all_text)
    cooperating = cooperating_units(all_text)
    units = lead_units + tuple(unit for unit in cooperating if unit not in lead_units)
    writer.set_units(item_id, units)
    number = _node_number(node)
    label = _display_label(node) if node.marker != "row" else node.line.label
    return Item(id=item_id, number=number, label=label, title=node.title if node.marker != "row" else _row_title(text),
                part=part.heading if part else "", part_title=part.title if part else "",
                clause_ids=tuple(clause_ids), responsible_units=lead_units, cooperating_units=cooperating)


def _row_title(text: str) -> str:
    first = re.split(r"[。；，,\n]", text, maxsplit=1)[0]
    return first[:30]


def _row_lines(node: _Node, table: _Table | None) -> list[str]:
    """A table row's cells: its task, then each unit cell under its column's name
    (主要责任单位：区发改委), so the row reads like a clause with a units note."""
    columns = table.unit_columns if table else []
    if table and len(node.row_cells) == len(table.columns) - 1:   # every cell filled: read them by position
        by_column = dict(zip(table.columns[1:], node.row_cells))
        tasks = [cell for column, cell in by_column.items() if column not in columns]
        units = [by_column[column] for column in columns]
    else:   # empty cells are missing from the lines: tell units from tasks by their look
        tasks = [cell for cell in node.row_cells if not _looks_like_units(cell)]
        units = [cell for cell in node.row_cells if _looks_like_units(cell)]
    named = [f"{column}：{cell}" for column, cell in zip(columns, units)]
    return (tasks or node.row_cells[:1]) + named + units[len(named):]


def _measure_clauses(writer: _ClauseWriter, node: _Node, parent_id: str, item_id: str,
                     parent_path: tuple[str, ...], under_measures_field: bool) -> list[str]:
    clause_id = f"{parent_id}{_short_label(node)}"
    name = f"具体举措 {node.line.number}" if under_measures_field and node.marker == "l3" else _heading(node)[:40]
    path = parent_path + (name,)
    text = "\n".join(_inline(node) + node.texts) or _heading(node)
    ids = [writer.add(clause_id, ClauseKind.MEASURE, path, text, item_id)]
    for child in node.children:
        ids += _measure_clauses(writer, child, clause_id, item_id, path, False)
    return ids


def parse_policy(text: str, document_id: str = "policy", source: str = "") -> PolicyTree:
    """Parse a policy's text (markdown or plain) into a :class:`PolicyTree`."""
    builder = _TreeBuilder()
    for line in _lines(text):
        builder.feed(line)
    header = _read_header(builder.header)
    header_text = "\n".join(line.simple for line in builder.header)
    tail_text = "\n".join(line.strip() for line in text[-600:].splitlines() if line.strip())
    sha256 = hashlib.sha256(text.encode("utf-8")).hexdigest()
    document = _document(document_id, header, header_text, tail_text, source, sha256)
    return _build(document, header, builder.root, builder.table, builder.signature)


def document_id_for(path: str | Path) -> str:
    """A stable id from the file name: its stem, with spaces and separators made hyphens."""
    return re.sub(r"[\s/\\:]+", "-", Path(path).stem).strip("-") or "document"


def parse_policy_file(path: str | Path) -> PolicyTree:
    """Read a document of any supported format and parse it; the id comes from the file name."""
    from .readers import read_document

    path = Path(path)
    return parse_policy(read_document(path), document_id=document_id_for(path), source=str(path))
