"""Typed records that flow through the pipeline: text → clauses → hits → answer."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import Enum


class Choice(str, Enum):
    """An enum read from user input: ``parse`` names the valid choices when the value is not one.

    >>> ItemKind.parse("task")
    <ItemKind.TASK: 'task'>
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


class ClauseKind(str, Enum):
    NOTICE = "notice"          # the covering notice: issuer, addressees, date
    PREAMBLE = "preamble"      # the paragraph before part 一
    PARAGRAPH = "paragraph"    # body text of a part (一、二、三)
    TARGET = "target"          # 行动目标 of a key task, with its 责任单位
    MEASURE = "measure"        # one 具体举措 (numbered, or the only one)
    CAMPAIGN = "campaign"      # the body of a 攻坚行动
    SAFEGUARD = "safeguard"    # one 保障措施


class ItemKind(Choice):
    TASK = "task"              # 重点任务 (四)
    CAMPAIGN = "campaign"      # 攻坚行动 (五)
    SAFEGUARD = "safeguard"    # 保障措施 (六)


@dataclass(frozen=True)
class Document:
    id: str
    title: str
    issuer: str = ""
    date: str = ""


@dataclass(frozen=True)
class QuantTarget:
    """A quantitative target found in a clause, e.g. 普惠性幼儿园覆盖率 ≥ 85% by 2025."""

    clause_id: str
    measure: str        # what is measured, as worded in the clause
    value: str          # the number with its unit, verbatim ("85%", "3240个")
    number: float
    unit: str
    qualifier: str      # 以上 / 不少于 / 以内 / 超过 / 至少 / ""
    deadline: str       # "2025年" where stated, else ""
    phrase: str         # the verbatim phrase the target was read from


@dataclass(frozen=True)
class Clause:
    """The smallest citable unit of a policy."""

    id: str
    document: Document
    kind: ClauseKind
    path: tuple[str, ...]             # heading path, outermost first
    text: str                         # verbatim text (page breaks repaired), for display
    item_id: str = ""                 # the 重点任务/攻坚行动/保障措施 it belongs to
    responsible_units: tuple[str, ...] = ()
    targets: tuple[QuantTarget, ...] = ()

    @property
    def section(self) -> str:
        return " > ".join(self.path)

    def to_dict(self) -> dict:
        data = asdict(self)
        data["kind"] = self.kind.value
        data["section"] = self.section
        return data


@dataclass(frozen=True)
class Item:
    """A 重点任务, 攻坚行动 or 保障措施 with the ids of its clauses."""

    id: str                           # 四（五）
    kind: ItemKind
    number: int                       # 5
    label: str                        # （五）
    title: str                        # 推进学前教育普及普惠发展
    part: str                         # 四、重点任务
    clause_ids: tuple[str, ...]
    responsible_units: tuple[str, ...] = ()

    @property
    def heading(self) -> str:
        return f"{self.label}{self.title}"


@dataclass(frozen=True)
class Part:
    numeral: str                      # 四
    title: str                        # 重点任务
    item_ids: tuple[str, ...] = ()
    clause_ids: tuple[str, ...] = ()

    @property
    def heading(self) -> str:
        return f"{self.numeral}、{self.title}"


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

    def item(self, item_id: str) -> Item:
        return self._item_index[item_id]

    def items_of(self, kind: ItemKind) -> list[Item]:
        return [item for item in self.items if item.kind == kind]

    def clauses_of(self, item: Item) -> list[Clause]:
        return [self._clause_index[clause_id] for clause_id in item.clause_ids]

    @property
    def targets(self) -> list[QuantTarget]:
        return [target for clause in self.clauses for target in clause.targets]

    @property
    def responsible_units(self) -> list[str]:
        """Every unit named as 责任单位, in order of first appearance."""
        seen: dict[str, None] = {}
        for item in self.items:
            seen.update(dict.fromkeys(item.responsible_units))
        return list(seen)


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
    ITEM = "item"                             # 重点任务（十三）
    COUNT = "count"                           # 有几项
    DOCUMENT = "document"                     # 发文单位 / 日期
    TOPIC = "topic"                           # anything else in scope
    OUT_OF_SCOPE = "out_of_scope"


@dataclass(frozen=True)
class Citation:
    id: str
    document: str
    section: str
    text: str
    score: float


@dataclass(frozen=True)
class Answer:
    question: str
    answer: str
    refused: bool
    intent: Intent
    citations: tuple[Citation, ...]
    latency_ms: float = 0.0
    terms: tuple[str, ...] = ()   # folded words the question matched on, for highlighting

    def to_dict(self) -> dict:
        return {
            "question": self.question,
            "answer": self.answer,
            "refused": self.refused,
            "intent": self.intent.value,
            "citations": [asdict(citation) for citation in self.citations],
            "latency_ms": round(self.latency_ms, 2),
            "terms": list(self.terms),
        }
