"""The vocabulary data files under ``data/lexicon`` as one typed record.

    >>> from assistant.settings import Settings
    >>> lexicon = Lexicon.load(Settings().lexicon_dir)
    >>> "学前教育" in lexicon.expand("孩子上幼儿园难")
    True
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .text import fold

INTENT_CUE_KEYS = ("responsible_units", "unit_items", "target", "measures", "list", "count", "document", "library",
                   "outline", "asks_amount", "asks_time", "asks_place", "asks_condition", "edition_added",
                   "edition_removed", "edition_changed", "articles_form", "national", "outline_parts",
                   "reverse_units", "yes_no", "yes_have", "asks_allowed", "prohibition")


# Questions whose readings are remembered (a few hundred strings).
MAX_REMEMBERED = 4096


def _compile(patterns: list[str]) -> tuple[re.Pattern, ...]:
    return tuple(re.compile(fold(pattern)) for pattern in patterns)


def _data_lines(path: Path) -> list[str]:
    """The lines of a word-list file, without comments and blank lines."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def _term_pattern(term: str) -> re.Pattern:
    """Latin terms match whole words ("art" is not in "part"); Chinese terms match anywhere."""
    escaped = re.escape(term)
    return re.compile(rf"\b{escaped}\b" if term.isascii() else escaped)


@dataclass(frozen=True)
class Lexicon:
    synonyms: tuple[tuple[re.Pattern, tuple[str, ...]], ...]   # literal keys and [patterns]
    synonym_keys: frozenset[str]                               # the literal keys
    intent_cues: dict[str, tuple[re.Pattern, ...]]
    answer_words: frozenset[str]
    boilerplate: frozenset[str]
    unit_aliases: dict[str, tuple[str, ...]]   # core of a unit's name (教育局) → other names for it
    injection: tuple[re.Pattern, ...]
    details: dict[str, tuple[tuple[re.Pattern, ...], tuple[re.Pattern, ...]]]   # kind → (question, evidence)
    person: tuple[re.Pattern, ...]
    named_institutions: tuple[re.Pattern, ...]   # 第一实验小学: a school named by its own name
    named_topics: tuple[str, ...]                # 高考, 考研: a field of education a question may be about
    generic: frozenset[str]
    generic_patterns: tuple[re.Pattern, ...]
    min_covered_share: float
    topic_word_weight: float            # a question word this rare, found in the best clauses, names its topic
    known_places: tuple[str, ...]
    places: tuple[tuple[str, str], ...]   # (administrative code, name) of every province, prefecture, county
    part_aliases: dict[str, str]
    part_suffix_words: tuple[str, ...]
    box_words: tuple[str, ...]           # 专栏: boxes set beside the text, listed when asked for
    genres: tuple[str, ...]          # kinds of document (方案, 规划, 条例 …), as titles end
    stopwords: frozenset[str]
    listing_words: frozenset[str]    # words of a question about the library that name no topic
    lead_words: tuple[str, ...]          # a unit's role asked: leading (牵头) …
    cooperating_words: tuple[str, ...]   # … or helping (配合)
    # Answers for recent questions: each document's reading of a question asks the same things.
    colloquial: tuple[tuple[str, str], ...] = ()   # (colloquial word, standard word)
    _memo: dict = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def load(cls, directory: str | Path) -> "Lexicon":
        directory = Path(directory)
        synonym_file = tomllib.loads((directory / "synonyms.toml").read_text(encoding="utf-8"))
        synonyms, synonym_patterns = synonym_file["terms"], synonym_file.get("patterns", {})
        intents = tomllib.loads((directory / "intents.toml").read_text(encoding="utf-8"))
        units = tomllib.loads((directory / "units.toml").read_text(encoding="utf-8"))["aliases"]
        scope = tomllib.loads((directory / "scope.toml").read_text(encoding="utf-8"))
        stopwords = (directory / "stopwords.txt").read_text(encoding="utf-8").split()
        return cls(
            synonyms=tuple((_term_pattern(fold(key)), tuple(fold(v) for v in values))
                           for key, values in synonyms.items())
            + tuple((re.compile(fold(pattern)), tuple(fold(v) for v in values))
                    for pattern, values in synonym_patterns.items()),
            synonym_keys=frozenset(fold(key) for key in synonyms),
            intent_cues={key: _compile(intents[key]) for key in INTENT_CUE_KEYS},
            answer_words=frozenset(fold(word) for word in intents["answer_words"]),
            boilerplate=frozenset(fold(word) for word in intents["boilerplate"]),
            unit_aliases={fold(kind): tuple(fold(alias) for alias in aliases) for kind, aliases in units.items()},
            injection=_compile(scope["injection"]),
            details={kind: (_compile(detail["question"]), _compile(detail["evidence"]))
                     for kind, detail in scope["details"].items()},
            person=_compile(scope["person"]),
            named_institutions=_compile(scope["named_institutions"]),
            named_topics=tuple(fold(topic) for topic in scope["named_topics"]),
            generic=frozenset(fold(word) for word in scope["generic"]),
            generic_patterns=_compile(scope["generic_patterns"]),
            min_covered_share=float(scope["min_covered_share"]),
            topic_word_weight=float(scope["topic_word_weight"]),
            known_places=tuple(fold(place) for place in scope["known_places"]),
            places=tuple(tuple(line.split(maxsplit=1)) for line in _data_lines(directory / "places.txt")),
            part_aliases={fold(alias): fold(words) for alias, words in intents["part_aliases"].items()},
            part_suffix_words=tuple(fold(word) for word in intents["part_suffix_words"]),
            box_words=tuple(fold(word) for word in intents["box_words"]),
            genres=tuple(fold(word) for word in intents["genres"]),
            stopwords=frozenset(stopwords),
            listing_words=frozenset(fold(word) for word in intents["listing_words"]),
            colloquial=tuple((fold(word), fold(standard)) for word, standard in synonym_file.get("colloquial", {}).items()),
            lead_words=tuple(fold(word) for word in intents["lead_words"]),
            cooperating_words=tuple(fold(word) for word in intents["cooperating_words"]),
        )

    def _remembered(self, key: tuple, compute):
        if key not in self._memo:
            if len(self._memo) > MAX_REMEMBERED:
                self._memo.clear()
            self._memo[key] = compute()
        return self._memo[key]

    def standard_wording(self, question: str) -> str:
        """The question with colloquial words in their standard form (啥 → 什么), to be read."""
        # Not inside quotation marks: a quoted name is kept as written (“蜀娃心语”).
        pieces = re.split(r"([“「『\"][^”」』\"]*[”」』\"])", question)
        for index in range(0, len(pieces), 2):
            for word, standard in self.colloquial:
                pieces[index] = pieces[index].replace(word, standard)
        return "".join(pieces)

    def expand(self, folded_question: str) -> list[str]:
        """Policy terms implied by the question's everyday or English wording."""
        return list(self._remembered(("expand", folded_question), lambda: self._expand(folded_question)))

    def _expand(self, folded_question: str) -> tuple[str, ...]:
        terms: dict[str, None] = {}
        for pattern, values in self.synonyms:
            if pattern.search(folded_question):
                terms.update(dict.fromkeys(values))
        return tuple(terms)

    def matched_wording(self, folded_question: str) -> list[str]:
        """The everyday words of the question the synonym table knows (keys and pattern matches)."""
        return list(self._remembered(("wording", folded_question), lambda: self._matched_wording(folded_question)))

    def _matched_wording(self, folded_question: str) -> tuple[str, ...]:
        found = []
        for pattern, _ in self.synonyms:
            match = pattern.search(folded_question)
            if match:
                found.append(match.group(0))
        return tuple(found)

    def genre_of(self, folded_title: str) -> str:
        """The kind of document a title names last (…实施方案 → 实施方案), or ''."""
        found = [(folded_title.rfind(genre), len(genre), genre) for genre in self.genres if genre in folded_title]
        return max(found)[2] if found else ""

    def is_generic(self, token: str) -> bool:
        return token in self.generic or any(pattern.search(token) for pattern in self.generic_patterns)

    def details_asked(self, folded_question: str) -> list[str]:
        """The kinds of detail (money, phone …) the question asks for."""
        return [kind for kind, (question, _) in self.details.items()
                if any(pattern.search(folded_question) for pattern in question)]

    def cues(self, intent: str, folded_question: str) -> bool:
        return self._remembered((intent, folded_question), lambda: any(
            pattern.search(folded_question) for pattern in self.intent_cues[intent]))
