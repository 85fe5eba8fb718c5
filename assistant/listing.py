"""Which documents a question about the library asks to list: "知识库里有哪些条例", "…2020年以前发布的
文件", "有专门讲学前教育的文件吗", "哪些是按第一条这种条款形式写的".

Each filter applies only when the question uses it and some document passes it; the filters narrow
one after the other.
"""

from __future__ import annotations

import re

from .lexicon import Lexicon
from .parser import NATIONAL_PLACE
from .records import Document, Library
from .retrieval import QueryTokenizer
from .text import fold, whole_words

_BEFORE = re.compile(r"((?:19|20)\d\d)\s*年?\s*(?:以前|之前|前)")
_AFTER = re.compile(r"((?:19|20)\d\d)\s*年?\s*(?:以后|之后|以来|后)")
_YEAR = re.compile(r"(?:19|20)\d\d")


_DIGITS = str.maketrans("〇零一二三四五六七八九", "00123456789")


def _year(document: Document) -> int | None:
    """The year of a document's date, written in digits or in Chinese numerals (二〇一〇年三月五日)."""
    found = _YEAR.search(document.date.translate(_DIGITS))
    return int(found.group(0)) if found else None


class ListingFilter:
    def __init__(self, library: Library, lexicon: Lexicon, tokenizer: QueryTokenizer,
                 with_articles: set[str], place_words: set[str]) -> None:
        self.library = library
        self.lexicon = lexicon
        self.tokenizer = tokenizer
        self.with_articles = with_articles
        self.place_words = place_words      # places scope a listing (四川省的文件); they are not its topic
        self.titles = {tree.document.id: fold(tree.document.title) for tree in library.trees}

    def documents(self, folded: str, document_ids: list[str]) -> tuple[str, ...]:
        for narrow in (self._of_kind, self._of_years, self._of_form, self._national, self._on_topic):
            narrowed = narrow(folded, document_ids)
            if narrowed:
                document_ids = narrowed
        return tuple(document_ids)

    def _of_kind(self, folded: str, document_ids: list[str]) -> list[str]:
        """哪些条例, 哪些规划: the kinds of document named, as titles end."""
        asked = [genre for genre in self.lexicon.genres if genre in folded]
        return [document_id for document_id in document_ids if any(genre in self.titles[document_id] for genre in asked)]

    def _of_years(self, folded: str, document_ids: list[str]) -> list[str]:
        """2020年以前 / 2020年以后: by the year of the document's date."""
        before, after = _BEFORE.search(folded), _AFTER.search(folded)
        if not (before or after):
            return []
        years = {document_id: _year(self.library.tree(document_id).document) for document_id in document_ids}
        return [document_id for document_id, year in years.items() if year is not None
                and (not before or year < int(before.group(1))) and (not after or year >= int(after.group(1)))]

    def _of_form(self, folded: str, document_ids: list[str]) -> list[str]:
        """按"第一条"写的: documents made of articles."""
        if not self.lexicon.cues("articles_form", folded):
            return []
        return [document_id for document_id in document_ids if document_id in self.with_articles]

    def _national(self, folded: str, document_ids: list[str]) -> list[str]:
        """国家部委发的: documents of the whole country."""
        if not self.lexicon.cues("national", folded):
            return []
        return [document_id for document_id in document_ids
                if self.library.tree(document_id).document.place == NATIONAL_PLACE]

    def _on_topic(self, folded: str, document_ids: list[str]) -> list[str]:
        """专门讲学前教育的: documents whose titles hold the question's topic words."""
        tokens = self.tokenizer.tokens(folded)
        kept = [token for token in tokens if self._names_topic(token)]
        # Not the pieces of a word that names no topic (知识 of 知识库), and whole words only
        # (教师队伍, not also 教师 and 队伍).
        dropped = [token for token in tokens if token not in kept]
        words = whole_words(word for word in kept if not any(word in other for other in dropped))
        # Only words some title uses can name documents (not 没有 or 哪份 of the question's wording).
        words = [word for word in words if any(word in self.titles[document_id] for document_id in document_ids)]
        # All of them in the title when some title has all, else any.
        every = [document_id for document_id in document_ids if words and all(word in self.titles[document_id] for word in words)]
        return every or [document_id for document_id in document_ids
                         if any(word in self.titles[document_id] for word in words)]

    def _names_topic(self, token: str) -> bool:
        lexicon = self.lexicon
        return (len(token) >= 2 and not any(char.isdigit() for char in token) and token not in lexicon.answer_words
                and not lexicon.is_generic(token) and not lexicon.cues("library", token)
                and token not in lexicon.listing_words
                and not any(token in place or place in token for place in self.place_words)
                and not any(genre in token for genre in lexicon.genres))
