"""Tables and outlines built from the parsed trees (never typed by hand), for the CLI, the API and the UI.

    >>> from assistant.parser import parse_policy_file
    >>> from assistant.settings import DEFAULT_CORPUS
    >>> tree = parse_policy_file(DEFAULT_CORPUS / "xiqing-education-plan-2023-2025.md")
    >>> [row.item_id for row in responsibilities(tree, unit="区残联")]
    ['四（八）']
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from .records import Clause, Document, Item, Library, PolicyTree
from .text import fold

# What the UI calls a library of several documents (one document is called by its own title).
LIBRARY_NAME = "教育政策问答助手"
ITEM_TITLE_CHARS = 30


@dataclass(frozen=True)
class Responsibility:
    item_id: str
    part_title: str           # 重点任务 / 攻坚行动 / 保障措施 / 总则 ('' when the document has no parts)
    title: str
    responsible_units: tuple[str, ...]
    cooperating_units: tuple[str, ...] = ()


@dataclass(frozen=True)
class UnitDuties:
    unit: str
    item_ids: tuple[str, ...]                 # items it is responsible for (责任单位 / 牵头单位)
    titles: tuple[str, ...]
    cooperating_ids: tuple[str, ...] = ()     # items it cooperates on (配合单位)
    cooperating_titles: tuple[str, ...] = ()


@dataclass(frozen=True)
class TargetRow:
    measure: str              # the indicator, as named in the clause: 学前三年毛入园率
    value: str                # 93%
    deadline: str             # 到2025年 / 每学期 / '' (as written)
    clause_id: str
    item_title: str
    phrase: str
    comparator: str = ""      # 以上 / 不少于 / ≥ / '' (as written)


class _StoredInfo(Protocol):  # index.store.StoredDocumentInfo, without importing Chroma here
    id: str
    source: str
    origin: str
    clauses: int
    added_at: str


# ---------------------------------------------------------------- the library


def document_record(document: Document, info: _StoredInfo | None = None, clauses: int | None = None) -> dict:
    """One document as listed by ``docs list --json`` and ``GET /api/documents``."""
    return {
        "id": document.id,
        "title": document.title,
        "issuer": document.issuer,
        "date": document.date,
        "doc_number": document.doc_number,
        "place": document.place,
        "period": list(document.period) if document.period else None,
        "origin": info.origin if info is not None else "",
        "source": info.source if info is not None else document.source,
        "clauses": info.clauses if info is not None else (clauses or 0),
        "added_at": info.added_at if info is not None else "",
    }


def library_listing(library: Library, infos: Iterable[_StoredInfo] = (), generation: str | None = None) -> dict:
    """The library as plain data: ``{"generation", "documents": [document_record, ...]}``."""
    by_id = {info.id: info for info in infos}
    return {"generation": generation,
            "documents": [document_record(tree.document, by_id.get(tree.document.id), len(tree.clauses))
                          for tree in library.trees]}


def document_labels(library: Library) -> dict[str, str]:
    """Document id → the name shown in pickers: its title, with the id added where titles repeat."""
    titles = [tree.document.title or tree.document.id for tree in library.trees]
    return {tree.document.id: title if titles.count(title) == 1 else f"{title}（{tree.document.id}）"
            for tree, title in zip(library.trees, titles)}


def heading(library: Library) -> tuple[str, str]:
    """The page heading and the line under it: a one-document library is named by its title."""
    if len(library.trees) == 1:
        title = library.trees[0].document.title or library.trees[0].document.id
        return title, f"依据《{title}》回答，每个事实都附原文条款。"
    return LIBRARY_NAME, f"知识库共 {len(library.trees)} 份文件，回答注明出自哪份文件，每个事实都附原文条款。"


def document_details(document: Document) -> str:
    """Issuer, date, 文号, place and period, as one line ('' when the document states none)."""
    period = ""
    if document.period:
        first, last = document.period
        period = f"{first}年" if first == last else f"{first}—{last}年"
    return "，".join(fact for fact in (document.issuer, document.date, document.doc_number, document.place, period)
                    if fact)


# ---------------------------------------------------------------- one document


def item_title(tree: PolicyTree, item: Item) -> str:
    """The item's heading words, or the start of its text when it has none (第一条 …)."""
    if item.title:
        return item.title
    clauses = tree.clauses_of(item)
    text = clauses[0].text.replace("\n", " ") if clauses else ""
    return text[:ITEM_TITLE_CHARS] + ("…" if len(text) > ITEM_TITLE_CHARS else "")


def outline(tree: PolicyTree) -> dict:
    """The clause tree as plain data: document, parts, items with their units, every clause."""
    return {
        "document": tree.document.to_dict(),
        "parts": [{"label": part.label, "title": part.title, "items": list(part.item_ids),
                   "clauses": list(part.clause_ids)} for part in tree.parts],
        "items": [{"id": item.id, "label": item.label, "number": item.number, "title": item.title,
                   "part": item.part, "part_title": item.part_title,
                   "responsible_units": list(item.responsible_units),
                   "cooperating_units": list(item.cooperating_units), "clauses": list(item.clause_ids)}
                  for item in tree.items],
        "clauses": [_clause_record(clause) for clause in tree.clauses],
    }


def _clause_record(clause: Clause) -> dict:
    record = clause.to_dict()
    record["document"] = clause.document.id   # the document itself is given once, at the top
    return record


def responsibilities(tree: PolicyTree, unit: str | None = None) -> list[Responsibility]:
    """Item → responsible and cooperating units, for the items that name units; only ``unit``'s if given."""
    return [Responsibility(item.id, item.part_title, item_title(tree, item), item.responsible_units,
                           item.cooperating_units)
            for item in tree.items
            if (item.responsible_units or item.cooperating_units)
            and (not unit or unit in item.responsible_units or unit in item.cooperating_units)]


def unit_duties(tree: PolicyTree, unit: str | None = None) -> list[UnitDuties]:
    """Unit → the items it is responsible for and those it cooperates on, in order of first mention."""
    units = [unit] if unit else tree.responsible_units
    rows = []
    for name in units:
        leads = [item for item in tree.items if name in item.responsible_units]
        helps = [item for item in tree.items if name in item.cooperating_units]
        if leads or helps:
            rows.append(UnitDuties(name, tuple(item.id for item in leads),
                                   tuple(item_title(tree, item) for item in leads),
                                   tuple(item.id for item in helps), tuple(item_title(tree, item) for item in helps)))
    return rows


def targets(tree: PolicyTree) -> list[TargetRow]:
    """Every quantitative target with the item it belongs to."""
    rows = []
    for target in tree.targets:
        clause = tree.clause(target.clause_id)
        item = tree.item(clause.item_id) if clause.item_id else None
        rows.append(TargetRow(target.measure, target.value, target.deadline, target.clause_id,
                              item_title(tree, item) if item else clause.section, target.phrase, target.comparator))
    return rows


class _HasClauses(Protocol):
    @property
    def clauses(self) -> Sequence[Clause]: ...


def search_clauses(source: PolicyTree | Library | _HasClauses, keywords: str) -> list[Clause]:
    """Clauses of a document or a library whose id, heading path or text contains every keyword
    (folded: 繁/简, full/half width, so 四(十三) finds 四（十三）); every clause when there are no keywords."""
    clauses = list(source.clauses)
    words = [fold(word) for word in keywords.split()]
    words = [word for word in words if word]
    if not words:
        return clauses
    return [clause for clause in clauses
            if all(word in fold(f"{clause.id} {clause.section} {clause.text}") for word in words)]
