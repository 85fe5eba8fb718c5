"""Library-level wording: refusals, example questions, the library listing and document labels.

Every sentence is a template from ``prompts/answers.toml`` filled from the library's own records,
so nothing here belongs to one document.
"""

from __future__ import annotations

import re

from .editions import EditionChange
from .parser import NATIONAL_PLACE
from .records import Document, Library, PolicyTree
from .scope import Scope
from .text import count_text

MAX_LISTED_TITLES = 3
MAX_EXAMPLES = 4


def _spoken_label(label: str) -> str:
    """How a question names a numbered entry: 第2项 for 2., the label itself for （三） or 第三条."""
    number = re.fullmatch(r"(\d+)[.．、]", label)
    return f"第{number.group(1)}项" if number else label


def period_text(document: Document) -> str:
    if not document.period:
        return ""
    first, last = document.period
    return f"{first}年" if first == last else f"{first}—{last}年"


class Replies:
    def __init__(self, library: Library, templates: dict) -> None:
        self.library = library
        self.templates = templates
        self.examples = self._examples()
        self._examples_by_document: dict[str, list[str]] = {}

    # ---------------------------------------------------------------- refusals
    def refusal(self, reason: str, scope: Scope | None = None) -> str:
        templates = self.templates
        documents = self._scoped_documents(scope)
        examples = " / ".join(self.suggestions(scope))
        scope_name = (templates["scope_one"].format(title=documents[0].title) if len(documents) == 1
                      else templates["scope_many"])
        if reason == "injection":
            return templates["refusal_injection"].format(scope=scope_name, examples=examples)
        not_set = templates.get(f"not_set_{reason}")
        detail = templates["reason_detail"].format(detail=not_set) if not_set else templates.get(f"reason_{reason}", "")
        places = "、".join(dict.fromkeys(document.place for document in self.library.documents if document.place))
        periods = "、".join(dict.fromkeys(period_text(document) for document in self.library.documents
                                          if document.period))
        detail = detail.format(scope=scope_name, places=places or "—", periods=periods or "—")
        return templates["refusal"].format(scope=scope_name, reason=detail, coverage=self._coverage(documents),
                                           examples=examples)

    def suggestions(self, scope: Scope | None = None) -> list[str]:
        """The questions a refusal suggests: a refusal about one document suggests questions that document answers."""
        documents = self._scoped_documents(scope)
        return list(self._examples_of_one(documents[0].id) if len(documents) == 1 else self.examples)

    def _scoped_documents(self, scope: Scope | None) -> list[Document]:
        if scope is not None and scope.named and scope.documents:
            return [self.library.tree(document_id).document for document_id in scope.documents]
        return self.library.documents

    def _coverage(self, documents: list[Document]) -> str:
        templates = self.templates
        if len(documents) == 1:
            tree = self.library.tree(documents[0].id)
            parts = "、".join(templates["coverage_part"].format(count=count_text(len(part.item_ids)),
                                                                title=part.title)
                             for part in tree.parts if part.item_ids and part.title and len(part.item_ids) < 100)
            return templates["coverage_one"].format(title=documents[0].title, parts=parts) if parts else ""
        titles = "、".join(f"《{document.title}》" for document in documents[:MAX_LISTED_TITLES])
        if len(documents) > MAX_LISTED_TITLES:
            titles += "等"
        return templates["coverage_many"].format(count=count_text(len(documents)), titles=titles)

    def _examples(self) -> list[str]:
        """Four questions the library can answer, made from its first documents' items and units."""
        templates = self.templates
        examples = [templates["example_library"]] if len(self.library.trees) > 1 else []
        for tree in self.library.trees[:2]:
            examples += self._examples_of(tree)
        return list(dict.fromkeys(examples))[:MAX_EXAMPLES]

    def _examples_of_one(self, document_id: str) -> list[str]:
        if document_id not in self._examples_by_document:
            found = self._examples_of(self.library.tree(document_id))
            self._examples_by_document[document_id] = found[:MAX_EXAMPLES] or self.examples
        return self._examples_by_document[document_id]

    def _examples_of(self, tree: PolicyTree) -> list[str]:
        templates = self.templates
        # In a library, each example names its document's place, so that it is answered from it.
        place = tree.document.place if len(self.library.trees) > 1 and tree.document.place != NATIONAL_PLACE else ""
        found: list[str] = []
        with_units = [item for item in tree.items if item.responsible_units and 4 <= len(item.title) <= 16]
        if with_units:
            found.append(templates["example_units"].format(item=with_units[len(with_units) // 3].title))
        units = tree.responsible_units
        if len(units) > 2:
            found.append(templates["example_unit_items"].format(unit=units[2]))
        parts = sorted((part for part in tree.parts if part.item_ids and part.title), key=lambda p: -len(p.item_ids))
        if parts:
            found.append(templates["example_list"].format(part=parts[0].title))
            items = tree.items_in(parts[0])
            if items:
                item = items[len(items) // 2]
                found.append(templates["example_item"].format(part=parts[0].title, label=_spoken_label(item.label)))
        return [templates["example_scoped"].format(place=place, question=question) if place else question
                for question in found]

    # ---------------------------------------------------------------- the library itself
    def listing(self, documents: list[Document]) -> str:
        templates = self.templates
        count = count_text(len(documents))
        lines = [templates["library"].format(count=count)]
        for document in documents:
            details = "，".join(fact for fact in (document.issuer, document.date, document.doc_number) if fact)
            lines.append(templates["library_entry"].format(title=document.title, details=details or document.id)
                         .replace("（）", ""))
        return "\n".join(lines)

    def edition_change(self, change: EditionChange, added: bool, removed: bool) -> str:
        """What a newer edition lists that the older does not (``added``), and the reverse (``removed``)."""
        templates = self.templates
        names = dict(newer=change.newer.document.title, older=change.older.document.title,
                     part=change.newer_part.title)
        lines = []
        for wanted, items, key in ((added, change.added, "edition_added"), (removed, change.removed, "edition_removed")):
            if not wanted:
                continue
            if not items:
                lines.append(templates[f"{key}_none"].format(**names))
                continue
            lines.append(templates[key].format(**names, count=count_text(len(items))))
            lines.append("；".join(f"{item.label}{item.title}" for item in items) + "。")
        return "\n".join(lines)

    def label(self, document: Document) -> str:
        return self.templates["document_label"].format(title=document.title)
