"""Parse a policy's text (markdown or plain) into a clause tree.

Only the wording and numbering of the text matter: markdown decoration (``#``, ``**``),
heading levels, full- or half-width parentheses and page-break line splits are all
normalised away, so a markdown file and its plain-text export give the same tree.

    >>> from assistant.parser import parse_policy_file
    >>> from assistant.settings import DEFAULT_CORPUS
    >>> tree = parse_policy_file(DEFAULT_CORPUS)
    >>> tree.item("四（五）").title
    '推进学前教育普及普惠发展'
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from .records import Clause, ClauseKind, Document, Item, ItemKind, Part, PolicyTree, QuantTarget
from .text import chinese_numeral, parse_chinese_numeral

NUMERALS = "一二三四五六七八九十"
_MARKDOWN_PREFIX = re.compile(r"^\s{0,3}(?:#{1,6}\s*|>\s*)")
_MARKDOWN_EMPHASIS = re.compile(r"\*\*|__")
_PART = re.compile(rf"^([{NUMERALS}]+)\s*、\s*([^。；，]{{1,24}})$")
_ITEM = re.compile(rf"^[（(]\s*([{NUMERALS}]+)\s*[)）]\s*(\S.*)$")
_TARGET_FIELD = re.compile(r"^行动目标\s*[:：]\s*(.*)$")
_MEASURES_FIELD = re.compile(r"^具体举措\s*[:：]?\s*$")
_MEASURE = re.compile(r"^(\d{1,2})\s*[.．、]\s*(\S.*)$")
_DATE = re.compile(r"^\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日$")
_DATE_ANYWHERE = re.compile(r"\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日")
_TITLE_WORDS = re.compile(r"(方案|通知|意见|办法|规划|计划|决定)")
_RESPONSIBLE = re.compile(r"[（(]\s*责任单位\s*[:：]\s*(.+?)\s*[)）]", re.S)
# A line that does not end a sentence continues on the next line (a page break).
_SENTENCE_END = tuple("。！？；：!?;:）)")

# Quantitative targets: an arabic number with a unit, not part of a year or a formula ("2+1项目").
_QUANTITY = re.compile(r"(?<![\d.+])(\d+(?:\.\d+)?)\s*(%|个|元|人|次|学时|名|所|项|周)")
_QUALIFIER_AFTER = ("以上", "以内", "以下")
_QUALIFIER_BEFORE = ("不少于", "不低于", "至少", "超过", "达到", "控制在", "增加")
_PHRASE_SPLIT = re.compile(r"[，；。：,;]")
_DEADLINE = re.compile(r"到\s*(\d{4})\s*年")
_MEASURE_NOISE = re.compile(r"^(到\s*\d{4}\s*年|实现|确保|每年|每学期|逐步|其中|、)+|(达到|超过|不少于|不低于|至少|控制在|的)+$")


@dataclass
class _Block:
    kind: str          # title, date, text, part, item, target, measures, measure
    text: str
    number: str = ""   # numeral of a part/item, digits of a measure
    heading: str = ""  # the heading words of a part/item

    def joinable(self) -> bool:
        return self.kind in {"text", "target", "measure", "item_inline"} and not self.text.endswith(_SENTENCE_END)


def strip_markdown(line: str) -> str:
    return _MARKDOWN_EMPHASIS.sub("", _MARKDOWN_PREFIX.sub("", line)).strip()


def _classify(line: str, in_header: bool) -> _Block:
    if match := _PART.match(line):
        return _Block("part", line, match.group(1), match.group(2).strip())
    if match := _ITEM.match(line):
        rest = match.group(2).strip()
        if "。" in rest:  # 保障措施 style: （一）加强组织领导。各部门……
            return _Block("item_inline", line, match.group(1), rest.split("。", 1)[0])
        if len(rest) <= 40 and not rest.endswith(_SENTENCE_END):
            return _Block("item", line, match.group(1), rest)
    if match := _TARGET_FIELD.match(line):
        return _Block("target", line)
    if _MEASURES_FIELD.match(line):
        return _Block("measures", line)
    if match := _MEASURE.match(line):
        return _Block("measure", line, match.group(1))
    if _DATE.match(line):
        return _Block("date", line)
    if in_header and len(line) <= 80 and _TITLE_WORDS.search(line) and not re.search(r"[。；：:;]", line):
        return _Block("title", line)
    return _Block("text", line)


def _blocks(text: str) -> list[_Block]:
    """Lines → blocks, re-joining sentences split by page breaks."""
    blocks: list[_Block] = []
    for raw in text.splitlines():
        line = strip_markdown(raw)
        if not line:
            continue
        if blocks and blocks[-1].joinable():
            blocks[-1].text += line
            continue
        in_header = not any(block.kind == "part" for block in blocks)
        blocks.append(_classify(line, in_header))
    return blocks


def canonical_title(text: str) -> str:
    """Titles are shown with full-width parentheses and no stray spaces."""
    text = re.sub(r"\s*\(\s*", "（", text)
    text = re.sub(r"\s*\)\s*", "）", text)
    return re.sub(r"\s+", "", text.replace("《", "").replace("》", ""))


def responsible_units(text: str) -> tuple[str, ...]:
    """The unit names of a ``（责任单位：A、B）`` note, in order."""
    match = _RESPONSIBLE.search(text)
    if not match:
        return ()
    names = re.split(r"[、，,]", re.sub(r"\s+", "", match.group(1)))
    return tuple(name for name in names if name)


def extract_targets(clause_id: str, text: str) -> tuple[QuantTarget, ...]:
    """Every number-with-unit in a clause, with what it measures and its qualifier."""
    targets = []
    for sentence in re.split(r"(?<=。)", text):
        deadline_match = _DEADLINE.search(sentence)
        deadline = f"{deadline_match.group(1)}年" if deadline_match else ""
        for phrase in _PHRASE_SPLIT.split(sentence):
            previous_end = 0
            for match in _QUANTITY.finditer(phrase):
                before = phrase[previous_end:match.start()]
                after = phrase[match.end():match.end() + 2]
                qualifier = next((word for word in _QUALIFIER_AFTER if after.startswith(word)), "")
                if not qualifier:
                    qualifier = next((word for word in _QUALIFIER_BEFORE if before.rstrip().endswith(word)), "")
                measure = _MEASURE_NOISE.sub("", re.sub(r"\s+", "", before).strip("、“”\"")) or phrase.strip()
                targets.append(QuantTarget(
                    clause_id=clause_id,
                    measure=measure,
                    value=f"{match.group(1)}{match.group(2)}",
                    number=float(match.group(1)),
                    unit=match.group(2),
                    qualifier=qualifier,
                    deadline=deadline,
                    phrase=phrase.strip(),
                ))
                previous_end = match.end()
    return tuple(targets)


@dataclass
class _ItemDraft:
    numeral: str
    title: str
    part: Part
    clauses: list[list] = field(default_factory=list)  # [role, measure number, [texts]]
    in_measures: bool = False
    measure_count: int = 0


class _TreeBuilder:
    def __init__(self, document_id: str) -> None:
        self.document_id = document_id
        self.titles: list[str] = []
        self.notice: list[str] = []
        self.preamble: list[str] = []
        self.parts: list[tuple[str, str, list[str], list[_ItemDraft]]] = []
        self.item: _ItemDraft | None = None

    def feed(self, block: _Block) -> None:
        handler = getattr(self, f"_on_{block.kind}")
        handler(block)

    # header ---------------------------------------------------------------
    def _on_title(self, block: _Block) -> None:
        self.titles.append(block.text)

    def _on_date(self, block: _Block) -> None:
        self._on_text(block)

    # structure ------------------------------------------------------------
    def _on_part(self, block: _Block) -> None:
        self.parts.append((block.number, block.heading, [], []))
        self.item = None

    def _part_record(self) -> Part:
        numeral, title, _, _ = self.parts[-1]
        return Part(numeral=numeral, title=title)

    def _on_item(self, block: _Block) -> None:
        if not self.parts:
            return self._on_text(block)
        self.item = _ItemDraft(block.number, block.heading, self._part_record())
        self.parts[-1][3].append(self.item)

    def _on_item_inline(self, block: _Block) -> None:
        self._on_item(block)
        if self.item is not None:
            self._add_clause("head", block.text)

    def _on_target(self, block: _Block) -> None:
        if self.item is None:
            return self._on_text(block)
        self._add_clause("target", block.text)

    def _on_measures(self, block: _Block) -> None:
        if self.item is None:
            return self._on_text(block)
        self.item.in_measures = True

    def _on_measure(self, block: _Block) -> None:
        if self.item is None or not self.item.in_measures:
            return self._on_text(block)
        self.item.measure_count += 1
        self._add_clause("measure", block.text, block.number)

    def _on_text(self, block: _Block) -> None:
        if self.item is not None:
            if self.item.in_measures and self.item.measure_count == 0:
                self.item.measure_count += 1
                self._add_clause("measure", block.text, "")
            elif self.item.clauses:
                self.item.clauses[-1][2].append(block.text)
            else:
                self._add_clause("head", block.text)
        elif self.parts:
            self.parts[-1][2].append(block.text)
        elif len(self.titles) >= 2 or (self.titles and not _TITLE_WORDS.search(self.titles[0])):
            self.preamble.append(block.text)
        else:
            self.notice.append(block.text)

    def _add_clause(self, role: str, text: str, number: str | None = None) -> None:
        assert self.item is not None
        self.item.clauses.append([role, number, [text]])

    # output ---------------------------------------------------------------
    def build(self) -> PolicyTree:
        notice_title = canonical_title(self.titles[0]) if self.titles else ""
        plan_title = canonical_title(self.titles[1]) if len(self.titles) > 1 else _title_from_notice(notice_title)
        issuer = notice_title.split("关于", 1)[0] if "关于" in notice_title else ""
        date_match = _DATE_ANYWHERE.search("\n".join(self.notice))
        document = Document(
            id=self.document_id,
            title=plan_title or notice_title,
            issuer=issuer,
            date=re.sub(r"\s+", "", date_match.group(0)) if date_match else "",
        )
        clauses: list[Clause] = []
        if self.notice:
            clauses.append(Clause("通知", document, ClauseKind.NOTICE, (notice_title or document.title,),
                                  "\n".join(self.notice)))
        if self.preamble:
            clauses.append(Clause("序言", document, ClauseKind.PREAMBLE, (document.title,),
                                  "\n".join(self.preamble)))
        parts: list[Part] = []
        items: list[Item] = []
        for numeral, title, paragraphs, drafts in self.parts:
            part = Part(numeral=numeral, title=title)
            part_clause_ids = []
            for index, paragraph in enumerate(paragraphs, start=1):
                clause_id = numeral if len(paragraphs) == 1 else f"{numeral}.段{index}"
                clauses.append(Clause(clause_id, document, ClauseKind.PARAGRAPH, (part.heading,), paragraph))
                part_clause_ids.append(clause_id)
            part_items = [self._build_item(draft, part, document, clauses) for draft in drafts]
            items.extend(part_items)
            parts.append(replace(part, item_ids=tuple(item.id for item in part_items),
                                 clause_ids=tuple(part_clause_ids)))
        return PolicyTree(document=document, parts=tuple(parts), items=tuple(items), clauses=tuple(clauses))

    @staticmethod
    def _build_item(draft: _ItemDraft, part: Part, document: Document, clauses: list[Clause]) -> Item:
        number = parse_chinese_numeral(draft.numeral)
        label = f"（{chinese_numeral(number)}）"
        item_id = f"{part.numeral}{label}"
        kind = _item_kind(part.title)
        item_path = (part.heading, f"{label}{draft.title}")
        units = next((responsible_units("".join(texts)) for role, _, texts in draft.clauses
                      if responsible_units("".join(texts))), ())
        clause_ids = []
        for role, measure_number, texts in draft.clauses:
            text = "\n".join(texts)
            if role == "measure":
                clause_id = f"{item_id}.{measure_number or '举措'}"
                path = item_path + (f"具体举措 {measure_number}" if measure_number else "具体举措",)
                clause_kind = ClauseKind.MEASURE
            else:
                clause_id = item_id
                path = item_path + (("行动目标",) if role == "target" else ())
                clause_kind = {ItemKind.SAFEGUARD: ClauseKind.SAFEGUARD,
                               ItemKind.CAMPAIGN: ClauseKind.CAMPAIGN}.get(kind, ClauseKind.TARGET)
            clauses.append(Clause(clause_id, document, clause_kind, path, text, item_id, units,
                                  extract_targets(clause_id, text)))
            clause_ids.append(clause_id)
        return Item(id=item_id, kind=kind, number=number, label=label, title=draft.title,
                    part=part.heading, clause_ids=tuple(clause_ids), responsible_units=units)


def _title_from_notice(notice_title: str) -> str:
    match = re.search(r"印发(.+?)的通知", notice_title)
    return match.group(1) if match else ""


def _item_kind(part_title: str) -> ItemKind:
    if "攻坚" in part_title:
        return ItemKind.CAMPAIGN
    if "保障" in part_title:
        return ItemKind.SAFEGUARD
    return ItemKind.TASK


def parse_policy(text: str, document_id: str = "policy") -> PolicyTree:
    """Parse policy text (markdown or plain) into a :class:`PolicyTree`."""
    builder = _TreeBuilder(document_id)
    for block in _blocks(text):
        builder.feed(block)
    return builder.build()


def parse_policy_file(path: str | Path) -> PolicyTree:
    """Read a UTF-8 policy file and parse it; the document id is the file name without suffix."""
    path = Path(path)
    return parse_policy(path.read_text(encoding="utf-8"), document_id=path.stem)
