"""Typed records that flow through the pipeline: file → text → clauses → hits → answer.

A document is parsed into a :class:`PolicyTree`: parts (一、 / 第一章), numbered items within a
part (（五） / 第三条 / a table row), and clauses, the smallest citable units. A
:class:`Library` holds many trees; every clause knows its :class:`Document`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import Enum


class Choice(str, Enum):
    """An enum read from user input: ``parse`` names the valid choices when the value is not one.

    >>> ClauseKind.parse("measure")
    <ClauseKind.MEASURE: 'measure'>
    """

    @classmethod
    def label(cls) -> str:
        return cls.__name__

    @classmethod
    def parse(cls, value: str):
        try:
            return cls(value)
        except ValueError:
            choices = ", ".join(member.value for member in cls)
            raise ValueError(f"unknown {cls.label()} {value!r}; choose one of: {choices}") from None


class ClauseKind(Choice):
    NOTICE = "notice"          # the covering notice: issuer, addressees, date
    PREAMBLE = "preamble"      # text before the first part
    PARAGRAPH = "paragraph"    # body text of a part that is not inside a numbered item
    ITEM = "item"              # a numbered item's own text: 行动目标, its body, its 责任单位
    MEASURE = "measure"        # a numbered sub-clause of an item (具体举措 1. / （1） / ①)


@dataclass(frozen=True)
class Document:
    """What a document says about itself, parsed from its text (never configured)."""

    id: str                             # stable, from the file name
    title: str
    issuer: str = ""
    date: str = ""                      # as written: 2023年11月23日
    doc_number: str = ""                # 文号: 津西青政办发〔2023〕12号
    place: str = ""                     # 西青区, from the title or the issuer
    period: tuple[int, int] | None = None  # (2023, 2025); 十四五 → (2021, 2025); one year → (y, y)
    source: str = ""                    # file name it was read from
    sha256: str = ""                    # of the text it was parsed from

    def to_dict(self) -> dict:
        data = asdict(self)
        data["period"] = list(self.period) if self.period else None
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "Document":
        period = data.get("period")
        return cls(**{**data, "period": tuple(period) if period else None})


@dataclass(frozen=True)
class QuantTarget:
    """A quantitative target found in a clause, e.g. 普惠性幼儿园覆盖率 ≥ 85% by 2025."""

    clause_id: str
    measure: str        # the indicator, as named in the clause (a verbatim part of it): 普惠性幼儿园覆盖率
    value: str          # the number with its unit, verbatim ("85%", "3240个", "1.5万人")
    number: float       # 85.0, 3240.0, 15000.0 (万/亿 applied)
    unit: str           # %, 个, 人 (without 万/亿)
    comparator: str     # as written: 以上 / 不少于 / 以内 / 超过 / ≥ / 达到 / 增加 / 下降…以上 / ""
    deadline: str       # when, as written: 到2025年 / 2024年底前 / 每学期 / 三年内 / ""
    phrase: str         # the verbatim phrase the target was read from


@dataclass(frozen=True)
class Clause:
    """The smallest citable unit of a policy."""

    id: str
    document: Document
    kind: ClauseKind
    path: tuple[str, ...]             # heading path, outermost first
    text: str                         # verbatim text (page breaks repaired), for display
    item_id: str = ""                 # the numbered item it belongs to
    responsible_units: tuple[str, ...] = ()
    targets: tuple[QuantTarget, ...] = ()

    @property
    def section(self) -> str:
        return " > ".join(self.path)

    def to_dict(self) -> dict:
        data = asdict(self)
        data["document"] = self.document.to_dict()
        data["kind"] = self.kind.value
        data["section"] = self.section
        return data


@dataclass(frozen=True)
class Item:
    """A numbered item within a part: 重点任务（五）, 攻坚行动（三）, 第三条, a task table's row."""

    id: str                           # 四（五） / 第三条 / 六.68
    number: int                       # 5
    label: str                        # （五） / 第三条 / 68.
    title: str                        # 推进学前教育普及普惠发展 ('' when the item has no heading words)
    part: str                         # heading of its part: 四、重点任务 ('' when the document has no parts)
    part_title: str                   # 重点任务
    clause_ids: tuple[str, ...]
    responsible_units: tuple[str, ...] = ()    # 责任单位 / 牵头单位 / 主要责任单位
    cooperating_units: tuple[str, ...] = ()    # 配合单位 / 协同配合单位

    @property
    def heading(self) -> str:
        return f"{self.label}{self.title}"

    @property
    def is_article(self) -> bool:
        """An article of a regulation (第三条), rather than a numbered task."""
        return self.id.startswith("第") and self.id.endswith("条")


@dataclass(frozen=True)
class Part:
    label: str                        # 四、 / 第一章 / 附件1
    numeral: str                      # 四 / 一 / 1
    title: str                        # 重点任务
    item_ids: tuple[str, ...] = ()
    clause_ids: tuple[str, ...] = ()

    @property
    def heading(self) -> str:
        return f"{self.label}{self.title}"


@dataclass(frozen=True)
class PolicyTree:
    document: Document
    parts: tuple[Part, ...]
    items: tuple[Item, ...]
    clauses: tuple[Clause, ...]
    _clause_index: dict = field(default_factory=dict, compare=False, repr=False)
    _item_index: dict = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._clause_index.update({clause.id: clause for clause in self.clauses})
        self._item_index.update({item.id: item for item in self.items})

    def clause(self, clause_id: str) -> Clause:
        return self._clause_index[clause_id]

    def has_clause(self, clause_id: str) -> bool:
        return clause_id in self._clause_index

    def item(self, item_id: str) -> Item:
        return self._item_index[item_id]

    def items_in(self, part: Part) -> list[Item]:
        return [self._item_index[item_id] for item_id in part.item_ids]

    def clauses_of(self, item: Item) -> list[Clause]:
        return [self._clause_index[clause_id] for clause_id in item.clause_ids]

    @property
    def targets(self) -> list[QuantTarget]:
        return [target for clause in self.clauses for target in clause.targets]

    @property
    def responsible_units(self) -> list[str]:
        """Every unit named as responsible or cooperating, in order of first appearance."""
        seen: dict[str, None] = {}
        for item in self.items:
            seen.update(dict.fromkeys(item.responsible_units))
            seen.update(dict.fromkeys(item.cooperating_units))
        return list(seen)


@dataclass(frozen=True)
class Library:
    """Every parsed document the assistant answers from, in a stable order."""

    trees: tuple[PolicyTree, ...]
    _tree_index: dict = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._tree_index.update({tree.document.id: tree for tree in self.trees})

    def tree(self, document_id: str) -> PolicyTree:
        return self._tree_index[document_id]

    def has(self, document_id: str) -> bool:
        return document_id in self._tree_index

    @property
    def documents(self) -> list[Document]:
        return [tree.document for tree in self.trees]

    @property
    def clauses(self) -> list[Clause]:
        return [clause for tree in self.trees for clause in tree.clauses]


@dataclass(frozen=True)
class Hit:
    clause: Clause
    score: float
    bm25_rank: int | None = None
    dense_rank: int | None = None


class Intent(str, Enum):
    RESPONSIBLE_UNITS = "responsible_units"   # 谁负责X
    UNIT_ITEMS = "unit_items"                 # 区财政局负责哪些任务
    TARGET = "target"                         # 目标 / 数字
    MEASURES = "measures"                     # 具体举措 / 怎么做
    LIST = "list"                             # 七项攻坚行动分别是什么
    ITEM = "item"                             # 重点任务（十三） / 第三条
    COUNT = "count"                           # 有几项
    DOCUMENT = "document"                     # 发文单位 / 日期
    LIBRARY = "library"                       # 知识库里有哪些文件
    TOPIC = "topic"                           # anything else in scope
    OUT_OF_SCOPE = "out_of_scope"


@dataclass(frozen=True)
class Citation:
    id: str
    document: str
    document_title: str
    section: str
    text: str
    score: float


class AnswerMode(Choice):
    EXTRACTIVE = "extractive"              # composed from the clauses (the default)
    LLM = "llm"                            # worded by a language model, checked against its citations
    FALLBACK = "extractive-fallback"       # the model's answer failed (fallback_reason says why): extractive


@dataclass(frozen=True)
class Answer:
    question: str
    answer: str
    refused: bool
    intent: Intent
    citations: tuple[Citation, ...]
    latency_ms: float = 0.0
    terms: tuple[str, ...] = ()   # folded words the question matched on, for highlighting
    suggestions: tuple[str, ...] = ()   # questions a refusal suggests instead (the chat shows them as buttons)
    mode: AnswerMode = AnswerMode.EXTRACTIVE
    fallback_reason: str | None = None
    degraded: bool = False   # the vector store could not be reached: answered from BM25 and the clause tree

    def to_dict(self) -> dict:
        fallback = {"fallback_reason": self.fallback_reason} if self.mode is AnswerMode.FALLBACK else {}
        # Only when set, so that the contract of a normal answer stays as it was.
        degraded = {"degraded": True} if self.degraded else {}
        return {
            "question": self.question,
            "answer": self.answer,
            "refused": self.refused,
            "intent": self.intent.value,
            "citations": [asdict(citation) for citation in self.citations],
            "latency_ms": round(self.latency_ms, 2),
            "terms": list(self.terms),
            "suggestions": list(self.suggestions),
            "mode": self.mode.value,
            **fallback,
            **degraded,
        }
