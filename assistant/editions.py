"""Two editions of a plan compared: the items one lists that the other does not.

"2026—2028年方案相比2023—2025年方案新增了哪些重点任务" is not answered by any clause: it is the
difference between two documents' lists of items. Items are matched by their titles (character
bigrams), so a task reworded slightly (推进学前教育普及普惠发展 → 推进学前教育优质普惠发展) counts as
kept, not as removed and added.
"""

from __future__ import annotations

from dataclasses import dataclass

from .records import Item, Part, PolicyTree
from .text import fold

# Titles sharing at least this share of their character bigrams name the same item.
SAME_TITLE_SHARE = 0.5


@dataclass(frozen=True)
class EditionChange:
    """The items of a part that ``newer`` lists and ``older`` does not (added), and the reverse."""

    older: PolicyTree
    newer: PolicyTree
    older_part: Part
    newer_part: Part
    added: tuple[Item, ...]
    removed: tuple[Item, ...]


def _bigrams(title: str) -> set[str]:
    folded = fold(title)
    return {folded[i:i + 2] for i in range(len(folded) - 1)}


def same_title(first: str, second: str) -> bool:
    a, b = _bigrams(first), _bigrams(second)
    return bool(a and b) and len(a & b) / min(len(a), len(b)) >= SAME_TITLE_SHARE


def _unmatched(items: list[Item], others: list[Item]) -> tuple[Item, ...]:
    return tuple(item for item in items if not any(same_title(item.title, other.title) for other in others))


def compare_editions(first: PolicyTree, second: PolicyTree, first_part: Part, second_part: Part) -> EditionChange:
    """Compare the items of one part in two documents; the one whose period starts later is the newer."""
    older, newer, older_part, newer_part = first, second, first_part, second_part
    if (first.document.period or (0, 0)) > (second.document.period or (0, 0)):
        older, newer, older_part, newer_part = second, first, second_part, first_part
    older_items = [older.item(item_id) for item_id in older_part.item_ids]
    newer_items = [newer.item(item_id) for item_id in newer_part.item_ids]
    return EditionChange(older, newer, older_part, newer_part, _unmatched(newer_items, older_items),
                         _unmatched(older_items, newer_items))
