"""Tables and outlines built from the parsed tree (never typed by hand), for the CLI, the API and the UI.

    >>> from assistant.parser import parse_policy_file
    >>> from assistant.settings import DEFAULT_CORPUS
    >>> tree = parse_policy_file(DEFAULT_CORPUS)
    >>> [row.item_id for row in responsibilities(tree, unit="区残联")]
    ['四（八）']
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from .records import Clause, PolicyTree
from .text import fold

KIND_LABELS = {"task": "重点任务", "campaign": "攻坚行动", "safeguard": "保障措施"}


@dataclass(frozen=True)
class Responsibility:
    item_id: str
    kind: str                 # 重点任务 / 攻坚行动
    title: str
    responsible_units: tuple[str, ...]


@dataclass(frozen=True)
class UnitDuties:
    unit: str
    item_ids: tuple[str, ...]
    titles: tuple[str, ...]


@dataclass(frozen=True)
class TargetRow:
    measure: str
    value: str
    deadline: str
    clause_id: str
    item_title: str
    phrase: str


def outline(tree: PolicyTree) -> dict:
    """The clause tree as plain data: document, items with their units, every clause."""
    return {
        "document": asdict(tree.document),
        "items": [{"id": item.id, "kind": item.kind.value, "title": item.title, "part": item.part,
                   "responsible_units": list(item.responsible_units), "clauses": list(item.clause_ids)}
                  for item in tree.items],
        "clauses": [clause.to_dict() for clause in tree.clauses],
    }


def responsibilities(tree: PolicyTree, unit: str | None = None) -> list[Responsibility]:
    """Item → responsible units, for the items that have them; only ``unit``'s items if given."""
    return [Responsibility(item.id, KIND_LABELS[item.kind.value], item.title, item.responsible_units)
            for item in tree.items
            if item.responsible_units and (not unit or unit in item.responsible_units)]


def unit_duties(tree: PolicyTree, unit: str | None = None) -> list[UnitDuties]:
    """Unit → the items it is responsible for, in the policy's order of first mention."""
    units = [unit] if unit else tree.responsible_units
    rows = []
    for name in units:
        items = [item for item in tree.items if name in item.responsible_units]
        if items:
            rows.append(UnitDuties(name, tuple(item.id for item in items), tuple(item.title for item in items)))
    return rows


def targets(tree: PolicyTree) -> list[TargetRow]:
    """Every quantitative target with the item it belongs to."""
    rows = []
    for target in tree.targets:
        clause = tree.clause(target.clause_id)
        item = tree.item(clause.item_id) if clause.item_id else None
        rows.append(TargetRow(target.measure, target.value, target.deadline, target.clause_id,
                              item.title if item else clause.section, target.phrase))
    return rows


def search_clauses(tree: PolicyTree, keywords: str) -> list[Clause]:
    """Clauses whose heading path or text contains every keyword (folded: 繁/简, full/half width)."""
    words = [fold(word) for word in keywords.split()]
    words = [word for word in words if word]
    if not words:
        return list(tree.clauses)
    return [clause for clause in tree.clauses
            if all(word in fold(f"{clause.section} {clause.text}") for word in words)]
