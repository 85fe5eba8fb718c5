"""Read a question as one document understands it (no answer is composed here).

A question is analysed into a :class:`Query`: folded text, tokens, policy terms, the items,
measures, units and parts it names by the document's own words, and its topic words. The reader
also tells the intent (what kind of answer is asked for) and whether the document covers the
question at all; :mod:`assistant.answer` composes the answer from that.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from typing import Iterable

from .evidence import Shape
from .lexicon import Lexicon
from .records import Clause, Hit, Intent, Item, Part, PolicyTree
from .retrieval import QueryTokenizer
from .text import chinese_numeral, fold, parse_chinese_numeral, whole_words

# Items numbered through a document: at least this many, each number once.
MIN_NUMBERED_THROUGH = 5
# A question word this long found in an item's title puts the question in the document's scope.
MIN_TITLE_WORD = 4
# The best clauses a rare word of the question must be found in to name its topic.
FOUND_TOPIC_CLAUSES = 3
# Words a question has beyond the document's that make it everyday talk around a topic it does hold.
EVERYDAY_TALK_WORDS = 3
# Words of a document's title a question must use to count as quoting the title.
MIN_QUOTED_TITLE_WORDS = 3
_NUMERAL = r"[一二三四五六七八九十百零两\d]+"
_CLAUSE_REF = re.compile(rf"([一二三四五六七八九十]+)\s*[(（]\s*({_NUMERAL})\s*[)）](?:\s*[.．第]\s*(\d+))?")
ARTICLE_REF = re.compile(rf"第\s*({_NUMERAL})\s*条")
_ROW_REF = re.compile(r"序号\s*(\d+)|第\s*(\d+)\s*项")
_PART_ITEM_REF = re.compile(rf"第\s*({_NUMERAL})\s*部分\s*(?:的|中|里)?\s*第?\s*[(（]\s*({_NUMERAL})\s*[)）]")
_PART_REF = re.compile(rf"第\s*({_NUMERAL})\s*(章|编|部分)")
_MEASURE_REF = re.compile(rf"(?:第\s*({_NUMERAL})\s*(?:项|条|个)\s*(?:具体)?举措|举措\s*({_NUMERAL})|measure\s*(\d+))")
# "七项", "十五个", "几条": a count, not a topic.
_COUNTED = re.compile(r"^哪?[一二三四五六七八九十两几多少\d]+[项个条大类节章点种块]?$")
# 第一, 第一个, 最后一个: which of a list, not a topic.
_ORDINAL = re.compile(r"^(第[一二三四五六七八九十几\d]+[个项条点]?|最后一?[个项条点]?|首个|末尾)$")
# "包括哪几项工程", "分几个方面": the noun that is counted names the list, not a topic.
_COUNTED_NOUN = re.compile(r"(?:几|哪几|多少|哪些)\s*[项个条大类]?\s*(?:工程|任务|方面|措施|举措|行动|部分|内容|工作|条款)")

@dataclass
class Query:
    question: str
    folded: str
    tokens: list[str]
    terms: list[str]                       # tokens plus the policy terms they imply
    items: list[Item] = field(default_factory=list)
    measure_number: int | None = None
    units: list[str] = field(default_factory=list)
    parts: list[Part] = field(default_factory=list)             # parts of items the question names
    outline: bool = False                                       # asks for the document's parts
    paragraph_parts: list[Part] = field(default_factory=list)
    topic_terms: list[str] = field(default_factory=list)
    shapes: frozenset[Shape] = frozenset()                      # an amount, a time


class QuestionReader:
    """Reads a question as one document understands it: the items, units and parts it names, its
    topic words, what kind of answer it asks for, and whether the document covers it."""

    def __init__(self, tree: PolicyTree, lexicon: Lexicon, tokenizer: QueryTokenizer,
                 scope_words: set[str] = frozenset(), place_pattern: re.Pattern | None = None) -> None:
        self.tree = tree
        self.lexicon = lexicon
        self.tokenizer = tokenizer
        self.scope_words = scope_words   # the library's place names: they scope a question, they are not its topic
        self.place_pattern = place_pattern   # the same names as one pattern, longest first
        self.corpus_folded = fold("\n".join(f"{clause.section}\n{clause.text}" for clause in tree.clauses))
        self.unit_names = self._unit_names()
        self.unit_of = dict(self.unit_names)
        # One pattern, longest names first, so a name inside a longer one is not found again.
        self.unit_pattern = re.compile("|".join(rf"\b{re.escape(name)}\b" if name.isascii() else re.escape(name)
                                                for name, _ in self.unit_names)) if self.unit_names else None
        self.genre = lexicon.genre_of(fold(tree.document.title))   # 方案, 规划, 条例 …
        self.item_parts = [part for part in tree.parts if part.item_ids]
        # How a question may name a part of items: its title, or a general alias (攻坚 → 攻坚行动).
        self.part_names = self._part_names()
        self.part_words = {name for name, _ in self.part_names} | {fold(part.title) for part in tree.parts} | \
            {name + "s" for name, _ in self.part_names if name.isascii()}
        self.item_ref = self._item_reference_pattern()
        # Per instance, so a reloaded library does not keep the old one alive through a shared cache.
        self._cached_analysis = lru_cache(maxsize=256)(self._analysis)
        self.title_tokens = set(tokenizer.tokens(fold(tree.document.title)))
        self.item_titles = "\n".join(fold(item.title) for item in tree.items)

    # ---------------------------------------------------------------- analysis
    def _part_names(self) -> list[tuple[str, Part]]:
        """(folded name, part) pairs, longest first."""
        pairs: dict[str, Part] = {}
        for part in self.item_parts:
            title = fold(part.title)
            if title:
                pairs.setdefault(title, part)
            for alias, target in self.lexicon.part_aliases.items():
                if target in title:
                    pairs.setdefault(alias, part)
        return sorted(pairs.items(), key=lambda pair: -len(pair[0]))

    def _item_reference_pattern(self) -> re.Pattern | None:
        """重点任务（五） / 攻坚行动第三项 / 第二项保障措施 / key task 5, for this document's parts."""
        words = [re.escape(name) + ("s?" if name.isascii() else "") for name, _ in self.part_names]
        words += [re.escape(word) for word in self.lexicon.part_suffix_words]
        if not words:
            return None
        alternation = "|".join(words)
        return re.compile(
            rf"({alternation})\s*(?:的\s*)?(?:第?\s*[(（]\s*({_NUMERAL})\s*[)）]\s*(?:项|个|条)?|第\s*({_NUMERAL})\s*(?:项|个|条)?(?!部分|章|节)|#?\s*(\d+))"
            rf"|第\s*({_NUMERAL})\s*(?:项|个|条)\s*({alternation})")

    def named_parts(self, folded: str) -> list[Part]:
        """Parts of items named by title (攻坚行动), alias (攻坚) or number (第三章, 第二部分)."""
        found: dict[str, Part] = {}
        for name, part in self.part_names:
            if re.search(rf"\b{re.escape(name)}s?\b" if name.isascii() else re.escape(name), folded):
                found.setdefault(part.heading, part)
        for match in _PART_REF.finditer(folded):
            if part := self._part_by_number(match.group(1), match.group(2)):
                found.setdefault(part.heading, part)
        return list(found.values())

    def _part_by_number(self, numeral: str, unit: str) -> Part | None:
        try:
            number = parse_chinese_numeral(numeral.replace("两", "二"))
        except ValueError:
            return None
        if unit in ("章", "编"):
            return next((part for part in self.item_parts if part.label.startswith("第") and part.label.endswith(unit)
                         and parse_chinese_numeral(part.numeral) == number), None)
        numbered = [part for part in self.tree.parts if part.label]
        return numbered[number - 1] if 0 < number <= len(numbered) else None

    def _unit_names(self) -> list[tuple[str, str]]:
        """(folded name or alias, unit) pairs, longest first so 区委编办 wins over 编办."""
        pairs: dict[str, str] = {}
        for unit in self.tree.responsible_units:
            folded = fold(unit)
            pairs[folded] = unit
            for prefix in ("区委", "区", "市"):
                if folded.startswith(prefix) and len(folded) - len(prefix) >= 2:
                    pairs.setdefault(folded[len(prefix):], unit)
            for kind, aliases in self.lexicon.unit_aliases.items():
                if kind in folded:
                    for alias in aliases:
                        pairs.setdefault(alias, unit)
        return sorted(pairs.items(), key=lambda pair: -len(pair[0]))

    def find_units(self, folded: str) -> list[str]:
        """The units a question names, in the order it names them (区委编办 is not also 编办)."""
        if self.unit_pattern is None:
            return []
        return list(dict.fromkeys(self.unit_of[match.group(0)] for match in self.unit_pattern.finditer(folded)))

    def analyse(self, question: str) -> Query:
        """The question as this document reads it (cached: one question is read several times while
        the library decides which documents answer it; callers never change the Query)."""
        return self._cached_analysis(question)

    def _analysis(self, question: str) -> Query:
        folded = fold(question)
        tokens = self.tokenizer.question_tokens(folded)
        query = Query(question=question, folded=folded, tokens=tokens, terms=[])
        query.items, query.measure_number = self._explicit_items(folded)
        query.units = self.find_units(folded)
        query.parts = self.named_parts(folded)
        query.outline = self.lexicon.cues("outline", folded) and not query.items
        query.paragraph_parts = [part for part in self.tree.parts
                                 if not part.item_ids and len(part.title) >= 2 and fold(part.title) in folded]
        # Named parts and items are structure, not topic: "方案的指导思想" has no topic of its own.
        topic_text = _COUNTED_NOUN.sub(" ", _PART_REF.sub(" ", folded))
        if self.place_pattern is not None:   # 泉州市 scopes the question; its piece 州市 is no topic
            topic_text = self.place_pattern.sub(" ", topic_text)
        if self.unit_pattern is not None:    # nor are the pieces of a unit it names (数据 of 市大数据中心)
            topic_text = self.unit_pattern.sub(" ", topic_text)
        named = query.paragraph_parts + query.parts
        for title in [fold(part.title) for part in named] + [fold(item.title) for item in query.items]:
            if title:   # articles and table rows have no title
                topic_text = topic_text.replace(title, " ")
        topic_tokens = self.tokenizer.tokens(topic_text)
        # A word and the character after it that the policy writes together (足球课) is a topic word too.
        topic_tokens += [word for word in self.tokenizer.compounds(folded)
                         if word in topic_text and word in self.corpus_folded]
        # A question that quotes the document's title ("黄南州教育事业发展“十四五”规划第三章…") names the
        # document with those words, not a topic.
        quoted = {token for token in topic_tokens if token in self.title_tokens}
        # Count words, not the pieces jieba's search mode also yields (特殊 and 教育 of 特殊教育).
        whole = whole_words(quoted)
        # So does one that names its parts or items in the document's own words ("集团化办学方案的保障措施").
        untitled = [token for token in topic_tokens if token not in self.title_tokens]
        # …unless the title's words are all it asks about (滨川市近视防控计划: 近视率每年降多少).
        other_words = [token for token in untitled if (self.tokenizer.in_dictionary(token) or token in self.corpus_folded)
                       and not self.names_structure_word(token)]
        if (len(whole) >= MIN_QUOTED_TITLE_WORDS and (other_words or query.parts or query.items or query.units
                                                      or query.outline)) or (whole and (query.parts or query.items)):
            topic_tokens = untitled
        query.topic_terms = [token for token in topic_tokens if not self.names_structure_word(token)]
        query.terms = list(dict.fromkeys(tokens + self.lexicon.expand(folded)))
        query.shapes = frozenset(shape for shape in Shape if self.lexicon.cues(f"asks_{shape.value}", folded))
        return query

    def structure_words(self) -> set[str]:
        """Folded words that, in a question, may name this document's items, units or parts: a cheap
        test of which documents to analyse a question with."""
        words = {name for name, _ in self.unit_names} | {name for name, _ in self.part_names}
        words |= {fold(part.title) for part in self.tree.parts if part.title and not part.item_ids}
        for item in self.tree.items:
            words.add(fold(item.id))
            if len(item.title) >= 4:
                words.add(fold(item.title))
        return {word for word in words if len(word) >= 2}

    def topic_fit(self, question: str) -> int:
        """How much this document is about the question's topic words: their length times how often
        the text uses them (a word the text names once says little)."""
        return sum(len(word) * min(self.corpus_folded.count(word), 10) for word in self.analyse(question).topic_terms)

    def names_structure(self, question: str) -> bool:
        """Whether the question names one of this document's items, units or parts by their words."""
        query = self.analyse(question)
        return bool(query.items or query.units or query.paragraph_parts)

    @staticmethod
    def is_follow_up(query: Query) -> bool:
        """A question with no topic of its own ("那目标是多少？") continues the previous one."""
        return not (query.items or query.topic_terms or query.units or query.parts or query.paragraph_parts
                    or query.outline)

    def items_of(self, cited: Iterable[tuple[Clause, float]]) -> list[Item]:
        """The items of cited clauses, in citation order: what a follow-up question refers to."""
        item_ids = dict.fromkeys(clause.item_id for clause, _ in cited if clause.item_id)
        return [self.tree.item(item_id) for item_id in item_ids]

    def continue_from(self, query: Query, previous: Query, previous_items: list[Item]) -> Query:
        """The follow-up ``query`` completed by the previous question (both are left unchanged)."""
        # "那目标是多少？" after "区民政局负责什么？" asks about the unit's items, not the unit again.
        asks_about_items = any(self.lexicon.cues(kind, query.folded)
                               for kind in ("target", "measures", "responsible_units"))
        return replace(query, items=previous_items, units=[] if asks_about_items else previous.units,
                       terms=list(dict.fromkeys(query.terms + previous.terms)))

    def names_structure_word(self, token: str) -> bool:
        """Words that name a kind of answer, a part, a count or a unit rather than a topic."""
        return (self._is_answer_word(token) or token in self.lexicon.boilerplate or token in self.scope_words
                or token in self.lexicon.genres
                or self.lexicon.is_generic(token) or bool(_COUNTED.match(token)) or bool(_ORDINAL.match(token))
                or token in self.part_words or token in self.unit_of)

    def _is_answer_word(self, token: str) -> bool:
        """An answer word, or answer words run together (具体 + 措施 → 具体措施)."""
        if token in self.lexicon.answer_words:
            return True
        return any(token[:cut] in self.lexicon.answer_words and self._is_answer_word(token[cut:])
                   for cut in range(1, len(token)))

    def _explicit_items(self, folded: str) -> tuple[list[Item], int | None]:
        items: list[Item] = []
        measure_number = None
        for match in self.item_ref.finditer(folded) if self.item_ref else ():
            word = match.group(1) or match.group(6)
            numeral = next(group for group in (match.group(2), match.group(3), match.group(4), match.group(5)) if group)
            if item := self._item_by_number(word, numeral):
                items.append(item)
        for match in _CLAUSE_REF.finditer(folded):
            try:
                item = self.item_by_id(f"{match.group(1)}（{chinese_numeral(parse_chinese_numeral(match.group(2)))}）")
            except ValueError:   # 四（一百）: no item is numbered so
                item = None
            if item:
                items.append(item)
                if match.group(3):
                    measure_number = int(match.group(3))
        for match in _PART_ITEM_REF.finditer(folded):
            # 第四部分第（四）条: item （四） of part 四
            try:
                item = self.item_by_id(f"{chinese_numeral(parse_chinese_numeral(match.group(1)))}"
                                        f"（{chinese_numeral(parse_chinese_numeral(match.group(2)))}）")
            except ValueError:
                item = None
            if item:
                items.append(item)
        numbered_entries = []
        for match in ARTICLE_REF.finditer(folded):
            articles = [item for item in [self.item_by_id(f"第{match.group(1)}条"),
                                          self._item_by_number_label("条", match.group(1))] if item]
            if not articles and not items and not self.lexicon.cues("count", folded) and not self.named_parts(folded):
                # 第3条 of a 工作要点 whose items are numbered 1.–20. through its parts: item 3 (not
                # when a part is named, or its entries counted: 第二部分有几条？第一条是…).
                through = self._numbered_through.get(parse_chinese_numeral(match.group(1).replace("两", "二")))
                articles = [through] if through else []
            items += articles
            if not articles:
                numbered_entries.append(match.group(1))
        for match in _ROW_REF.finditer(folded):
            items += [item for item in [self.item_by_id(f"序号{match.group(1) or match.group(2)}")] if item]
        for item in self.tree.items:
            if len(item.title) >= 4 and fold(item.title) in folded:
                items.append(item)
        if measure_match := _MEASURE_REF.search(folded):
            numeral = next(group for group in measure_match.groups() if group)
            measure_number = parse_chinese_numeral(numeral)
        elif items and numbered_entries:
            # "（二）推动师资均衡配置下的第3条": in a document without articles, the item's third entry.
            measure_number = parse_chinese_numeral(numbered_entries[0].replace("两", "二"))
        return list(dict.fromkeys(items)), measure_number

    def _item_by_number(self, word: str, numeral: str) -> Item | None:
        """Item ``numeral`` of the part the word names (重点任务, 攻坚, key task; 任务 is any part ending in it)."""
        try:
            number = parse_chinese_numeral(numeral.replace("两", "二"))
        except ValueError:
            return None
        word = word.rstrip("s") if word.isascii() else word
        parts = [part for name, part in self.part_names if name in (word, word + "s")] or \
            [part for part in self.item_parts if fold(part.title).endswith(word)]
        for part in parts:
            match = next((item for item in self.tree.items_in(part) if item.number == number), None)
            if match:
                return match
        return None

    @cached_property
    def _numbered_through(self) -> dict[int, Item]:
        """Items numbered 1., 2., … through the whole document (a 工作要点), by number; empty when
        the numbering starts again in each part."""
        numbered = [item for item in self.tree.items if re.fullmatch(r"\d+[.．、]", item.label)]
        numbers = [item.number for item in numbered]
        if len(numbered) < MIN_NUMBERED_THROUGH or len(set(numbers)) != len(numbers):
            return {}
        return {item.number: item for item in numbered}

    def _item_by_number_label(self, suffix: str, numeral: str) -> Item | None:
        """第3条 and 第三条 name the same article."""
        try:
            label = f"第{chinese_numeral(parse_chinese_numeral(numeral.replace('两', '二')))}{suffix}"
        except ValueError:
            return None
        return self.item_by_id(label)

    def item_by_id(self, item_id: str) -> Item | None:
        try:
            return self.tree.item(item_id)
        except KeyError:
            return None

    # ---------------------------------------------------------------- scope
    def refusal_reason(self, query: Query, dense_max: float, hits: list[Hit] = ()) -> str | None:
        """Why the question is outside the policy, or None when it is in scope."""
        folded = query.folded
        if any(pattern.search(folded) for pattern in self.lexicon.person):
            return "person"
        if any(match.group(0) not in self.corpus_folded
               for pattern in self.lexicon.named_institutions for match in pattern.finditer(folded)):
            return "institution"
        if query.items or query.paragraph_parts or query.outline or self.lexicon.cues("document", folded):
            return None
        if query.units or query.parts or self.asks_whole_tree(folded):
            return None
        words = self._question_words(query)
        if not words:
            return "no_topic"
        if any(len(word) >= MIN_TITLE_WORD and word in self.item_titles for word in words):
            return None   # the question names the topic of an item (学前教育)
        wording = self.lexicon.matched_wording(folded)
        # Each word counts by how much it says: a policy that holds 旱厕 covers 旱厕今年能不能改完.
        weight = self.tokenizer.weight
        uncovered = [word for word in words if not self._covered(word, wording)]
        covered = sum(weight(word) for word in words if word not in uncovered)
        if covered < self.lexicon.min_covered_share * sum(map(weight, words)) and dense_max < self.dense_in_scope \
                and not self._names_a_found_topic(words, uncovered, hits):
            return "uncovered"
        if self._about_an_absent_field(folded, words):
            return "uncovered"
        return None

    def _about_an_absent_field(self, folded: str, words: list[str]) -> bool:
        """The question is about a field of education (高考) the document never names: the field is its
        rarest word, or it is written right before a word of the question (高考报名: another 报名
        than the document's primary-school one)."""
        weight = self.tokenizer.weight
        rarest = max(words, key=weight)
        for name in self.lexicon.named_topics:
            at = folded.find(name)
            if at < 0 or name in self.corpus_folded:
                continue
            after = at + len(name)
            if rarest == name or any(folded.startswith(word, after) for word in words):
                return True
        return False

    def _names_a_found_topic(self, words: list[str], uncovered: list[str], hits: list[Hit]) -> bool:
        """A rare word of the question that the best clauses hold, as written or as the policy terms
        it stands for (打工: 务工), names its topic when the words the document lacks are everyday talk
        around it: several of them (作业太多了，孩子天天写到十点多), or none rarer than it. (In
        驾照考试怎么预约 the rarer 驾照 is what is asked, and no policy holds it.)"""
        found = fold("".join(hit.clause.text for hit in hits[:FOUND_TOPIC_CLAUSES]))
        weight = self.tokenizer.weight
        rarest_missing = max(map(weight, uncovered), default=0.0)
        return any(len(word) >= 2 and weight(word) >= self.lexicon.topic_word_weight
                   and (word in found or any(term in found for term in self.lexicon.expand(word)))
                   and (len(uncovered) >= EVERYDAY_TALK_WORDS or weight(word) >= rarest_missing)
                   for word in words)

    # Dense similarity above which a question with words the policy never uses is still answered.
    dense_in_scope = 0.5

    def _question_words(self, query: Query) -> list[str]:
        """The topic words the user wrote (unlike :meth:`topic_words`, without the policy terms the
        lexicon adds), each once: jieba's search mode also yields the parts of a
        longer word (家门, 门口 of 家门口), which would count one word several times; and pieces
        jieba only guessed (多建, 要交) are fragments of a sentence, not words, unless the policy
        writes them too (旱厕)."""
        # Nor the pieces of an everyday word that names no topic (两口, 口子 of 两口子).
        generic = [word for word in self.lexicon.generic if len(word) >= 3 and word in query.folded]
        words = [word for word in dict.fromkeys(query.topic_terms)
                 if (self.tokenizer.in_dictionary(word) or word.isascii() or word in self.corpus_folded)
                 and not any(word in other for other in generic)]
        return list(whole_words(words))

    def _covered(self, token: str, wording: list[str]) -> bool:
        """In the policy's text, a known everyday word, or part of one found in the question."""
        return (token in self.corpus_folded or token in self.lexicon.synonym_keys
                or any(token in found or found in token for found in wording))

    # ---------------------------------------------------------------- intent
    def intent(self, query: Query) -> Intent:
        cues = self.lexicon.cues
        folded = query.folded
        # The kind of document its name ends in asks for nothing ("减负措施规定每周哪天…", "行动计划里…").
        asked = folded.replace(self.genre, " ").replace(self.genre[-2:], " ") if self.genre else folded
        # "分几个部分" asks for the outline, even beside parts it names ("除了总体目标还有哪些部分").
        if query.outline and not query.units and (not query.parts or self.lexicon.cues("outline_parts", folded)):
            return Intent.LIST
        if not query.items and not query.units and (
                cues("document", folded) or (query.paragraph_parts and not query.topic_terms)):
            return Intent.DOCUMENT
        if not (query.items or query.units or query.topic_terms) and (
                self.asks_whole_tree(folded)):
            return Intent.COUNT if cues("count", folded) and not cues("list", folded) else Intent.LIST
        if query.units and (not cues("responsible_units", folded) or cues("reverse_units", folded)) and (
                cues("unit_items", folded) or not query.topic_terms or
                any(word in folded for word in ("负责", *self.lexicon.lead_words, *self.lexicon.cooperating_words))):
            return Intent.UNIT_ITEMS
        if cues("responsible_units", folded):
            return Intent.RESPONSIBLE_UNITS
        if query.items:
            if query.measure_number:
                return Intent.MEASURES
            if all(not item.title for item in query.items):
                return Intent.ITEM   # an article (第三十条) is answered by quoting it, whatever it asks of it
            if cues("target", folded) and not cues("measures", asked.replace("行动目标", "")):
                return Intent.TARGET
            if cues("measures", asked.replace("保障措施", "")):
                return Intent.MEASURES
            return Intent.ITEM
        # "第二部分主要措施一共有几条" counts a named part's items whatever else the question says.
        if (query.parts or self.asks_whole_tree(folded)) and (not query.topic_terms or cues("count", folded)):
            return Intent.COUNT if cues("count", folded) and not cues("list", folded) else Intent.LIST
        if cues("target", folded):
            return Intent.TARGET
        if cues("measures", asked):
            return Intent.MEASURES
        # "有哪几种组建模式" lists the measures of the item whose title names it (优化集团组建模式).
        if cues("list", folded) and any(self.title_overlap(item, query.topic_terms) >= MIN_TITLE_WORD
                                        for item in self.tree.items):
            return Intent.MEASURES
        return Intent.TOPIC

    def asks_whole_tree(self, folded: str) -> bool:
        """Questions about every unit or every target of the policy."""
        return self.asks_all_units(folded) or self.asks_all_targets(folded)

    @staticmethod
    def asks_all_units(folded: str) -> bool:
        return any(word in folded for word in ("责任单位", "部门", "单位")) and \
            any(word in folded for word in ("所有", "全部", "哪些", "多少", "几个", "都有"))

    def asks_all_targets(self, folded: str) -> bool:
        """All of the document's targets: 量化指标有哪些, not one indicator named in the question
        ("主要指标表里…覆盖率2027年目标是多少")."""
        return any(word in folded for word in ("量化", "指标", "数字目标", "数量目标")) and \
            self.lexicon.cues("list", folded) and not self.lexicon.cues("asks_amount", folded)

    def topic_words(self, query: Query) -> list[str]:
        """The question's words and policy terms that can name a topic."""
        return [term for term in query.terms if len(term) >= 2 and not self.names_structure_word(term)]

    @staticmethod
    def title_overlap(item: Item, terms: list[str]) -> int:
        """Characters of ``terms`` found in the item's title."""
        title = fold(item.title)
        return sum(len(term) for term in terms if term in title)
