"""Understand a question and compose a cited answer from the clause tree (no LLM).

The question is analysed into a :class:`Query` (folded text, tokens, policy terms, explicit
item/measure references, units, parts). The intent decides which clauses answer it; the answer
is composed only of text copied from those clauses, which are returned as citations.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path

from .lexicon import Lexicon
from .records import Answer, Citation, Clause, Hit, Intent, Item, ItemKind, Part, PolicyTree, QuantTarget
from .retrieval import QueryTokenizer
from .text import chinese_numeral, fold, parse_chinese_numeral

MAX_ANSWER_CHARS = 600
_NUMERAL = r"[一二三四五六七八九十\d]+"
_PART_WORDS = {
    ItemKind.TASK: ("重点任务", "key task"),
    ItemKind.CAMPAIGN: ("攻坚行动", "攻坚", "campaign"),
    ItemKind.SAFEGUARD: ("保障措施", "safeguard"),
}
_ITEM_REF = re.compile(
    rf"(重点任务|任务|攻坚行动|攻坚|保障措施|key tasks?|tasks?|campaigns?|safeguards?)\s*"
    rf"(?:[(（]\s*({_NUMERAL})\s*[)）]|第\s*({_NUMERAL})\s*(?:项|个|条)?|#?\s*(\d+))"
    rf"|第\s*({_NUMERAL})\s*(?:项|个|条)\s*(重点任务|任务|攻坚行动|攻坚|保障措施)"
)
_CLAUSE_REF = re.compile(rf"([一二三四五六])\s*[(（]\s*({_NUMERAL})\s*[)）](?:\s*[.．第]\s*(\d+))?")
_MEASURE_REF = re.compile(rf"(?:第\s*({_NUMERAL})\s*(?:项|条|个)\s*(?:具体)?举措|举措\s*({_NUMERAL})|measure\s*(\d+))")
_YEAR = re.compile(r"(?<!\d)(20\d\d|19\d\d)(?:\s*年|(?!\d))")
_SENTENCE = re.compile(r"[^。；]*[。；]?")
# "七项", "十五个", "几条": a count, not a topic.
_COUNTED = re.compile(r"^[一二三四五六七八九十两几多少\d]+[项个条大类]?$")
_MONEY = re.compile(r"\d+(?:\.\d+)?\s*[万亿]?元")
_MONEY_WORD = re.compile(r"[钱费价]|元|tuition|fee|cost|price")


@dataclass
class Query:
    question: str
    folded: str
    tokens: list[str]
    terms: list[str]                       # tokens plus the policy terms they imply
    items: list[Item] = field(default_factory=list)
    measure_number: int | None = None
    units: list[str] = field(default_factory=list)
    part_kinds: list[ItemKind] = field(default_factory=list)
    paragraph_parts: list[Part] = field(default_factory=list)
    topic_terms: list[str] = field(default_factory=list)


class Composer:
    """Turns a question into an :class:`Answer` using the tree, the lexicon and retrieval hits."""

    def __init__(self, tree: PolicyTree, lexicon: Lexicon, tokenizer: QueryTokenizer, prompts_dir: Path) -> None:
        self.tree = tree
        self.lexicon = lexicon
        self.tokenizer = tokenizer
        self.templates = tomllib.loads((Path(prompts_dir) / "answers.toml").read_text(encoding="utf-8"))
        self.corpus_folded = fold("\n".join(f"{clause.section}\n{clause.text}" for clause in tree.clauses))
        self.unit_names = self._unit_names()
        self.title = tree.document.title
        self.part_words = {fold(word) for words in _PART_WORDS.values() for word in words} | \
            {fold(part.title) for part in tree.parts} | {word + "s" for words in _PART_WORDS.values() for word in words}

    # ---------------------------------------------------------------- analysis
    def _unit_names(self) -> list[tuple[str, str]]:
        """(folded name or alias, unit) pairs, longest first so 区委编办 wins over 编办."""
        pairs: dict[str, str] = {}
        for unit in self.tree.responsible_units:
            folded = fold(unit)
            pairs[folded] = unit
            for prefix in ("区委", "区", "市"):
                if folded.startswith(prefix) and len(folded) - len(prefix) >= 2:
                    pairs.setdefault(folded[len(prefix):], unit)
            for alias in self.lexicon.unit_aliases.get(unit, ()):
                pairs.setdefault(alias, unit)
        return sorted(pairs.items(), key=lambda pair: -len(pair[0]))

    def find_units(self, folded: str) -> list[str]:
        found: dict[str, None] = {}
        remaining = folded
        for name, unit in self.unit_names:
            pattern = rf"\b{re.escape(name)}\b" if name.isascii() else re.escape(name)
            if re.search(pattern, remaining):
                found[unit] = None
                remaining = re.sub(pattern, "□", remaining)
        return list(found)

    def analyse(self, question: str) -> Query:
        folded = fold(question)
        tokens = self.tokenizer.tokens(folded)
        query = Query(question=question, folded=folded, tokens=tokens, terms=[])
        query.items, query.measure_number = self._explicit_items(folded)
        query.units = self.find_units(folded)
        query.part_kinds = [kind for kind, words in _PART_WORDS.items() if any(w in folded for w in words)]
        query.paragraph_parts = [part for part in self.tree.parts
                                 if not part.item_ids and fold(part.title) in folded]
        # Named parts and items are structure, not topic: "方案的指导思想" has no topic of its own.
        topic_text = folded
        for title in [fold(part.title) for part in query.paragraph_parts] + [fold(item.title) for item in query.items]:
            topic_text = topic_text.replace(title, " ")
        query.topic_terms = [token for token in self.tokenizer.tokens(topic_text) if not self._names_structure(token)]
        query.terms = list(dict.fromkeys(tokens + self.lexicon.expand(folded)))
        return query

    @staticmethod
    def is_follow_up(query: Query) -> bool:
        """A question with no topic of its own ("那目标是多少？") continues the previous one."""
        return not (query.items or query.topic_terms or query.units or query.part_kinds or query.paragraph_parts)

    def cited_items(self, answer: Answer) -> list[Item]:
        """The items an answer cites, in citation order: what a follow-up question refers to."""
        item_ids = dict.fromkeys(self.tree.clause(citation.id).item_id for citation in answer.citations)
        return [self.tree.item(item_id) for item_id in item_ids if item_id]

    def continue_from(self, query: Query, previous: Query, previous_items: list[Item]) -> Query:
        """The follow-up ``query`` completed by the previous question (both are left unchanged)."""
        # "那目标是多少？" after "区民政局负责什么？" asks about the unit's items, not the unit again.
        asks_about_items = any(self.lexicon.cues(kind, query.folded)
                               for kind in ("target", "measures", "responsible_units"))
        return replace(query, items=previous_items, units=[] if asks_about_items else previous.units,
                       terms=list(dict.fromkeys(query.terms + previous.terms)))

    def _names_structure(self, token: str) -> bool:
        """Words that name a kind of answer, a part, a count or a unit rather than a topic."""
        return (self._is_answer_word(token) or token in self.lexicon.boilerplate
                or self.lexicon.is_generic(token) or bool(_COUNTED.match(token))
                or token in self.part_words or any(token == name for name, _ in self.unit_names))

    def _is_answer_word(self, token: str) -> bool:
        """An answer word, or answer words run together (具体 + 措施 → 具体措施)."""
        if token in self.lexicon.answer_words:
            return True
        return any(token[:cut] in self.lexicon.answer_words and self._is_answer_word(token[cut:])
                   for cut in range(1, len(token)))

    def _explicit_items(self, folded: str) -> tuple[list[Item], int | None]:
        items: list[Item] = []
        measure_number = None
        for match in _ITEM_REF.finditer(folded):
            word = match.group(1) or match.group(6)
            numeral = next(group for group in (match.group(2), match.group(3), match.group(4), match.group(5)) if group)
            kind = next(kind for kind, words in _PART_WORDS.items() if any(w in word for w in words)) \
                if not word.startswith("任务") and not word.startswith("task") else ItemKind.TASK
            item = self._item_by_number(kind, numeral)
            if item:
                items.append(item)
        for match in _CLAUSE_REF.finditer(folded):
            item = self._item_by_id(f"{match.group(1)}（{chinese_numeral(parse_chinese_numeral(match.group(2)))}）")
            if item:
                items.append(item)
                if match.group(3):
                    measure_number = int(match.group(3))
        for item in self.tree.items:
            if fold(item.title) in folded:
                items.append(item)
        if measure_match := _MEASURE_REF.search(folded):
            numeral = next(group for group in measure_match.groups() if group)
            measure_number = parse_chinese_numeral(numeral)
        return list(dict.fromkeys(items)), measure_number

    def _item_by_number(self, kind: ItemKind, numeral: str) -> Item | None:
        try:
            number = parse_chinese_numeral(numeral)
        except ValueError:
            return None
        return next((item for item in self.tree.items if item.kind == kind and item.number == number), None)

    def _item_by_id(self, item_id: str) -> Item | None:
        try:
            return self.tree.item(item_id)
        except KeyError:
            return None

    # ---------------------------------------------------------------- scope
    def refusal_reason(self, query: Query, dense_max: float, hits: list[Hit] = ()) -> str | None:
        """Why the question is outside the policy, or None when it is in scope."""
        folded = query.folded
        if any(pattern.search(folded) for pattern in self.lexicon.injection):
            return "injection"
        mentions_home = "西青" in folded
        if not mentions_home and any(place in folded for place in self.lexicon.other_places):
            return "other_place"
        first, last = self.lexicon.years
        years = [int(year) for year in _YEAR.findall(folded)]
        if any(year < first or year > last for year in years):
            return "other_year"
        if any(pattern.search(folded) for pattern in self.lexicon.person):
            return "person"
        if any(pattern.search(folded) for pattern in self.lexicon.money_amount) and \
                not self._states_an_amount(query, hits):
            return "money"
        if query.items or query.paragraph_parts or self.lexicon.cues("document", folded):
            return None
        if query.units or query.part_kinds or self._asks_whole_tree(folded):
            return None
        words = self._question_words(query)
        if not words:
            return "no_topic"
        wording = self.lexicon.matched_wording(folded)
        covered = [word for word in words if self._covered(word, wording)]
        if len(covered) < self.lexicon.min_covered_share * len(words) and dense_max < self.dense_in_scope:
            return "uncovered"
        return None

    # Dense similarity above which a question with words the policy never uses is still answered.
    dense_in_scope = 0.5

    def _question_words(self, query: Query) -> list[str]:
        """The topic words the user wrote (unlike :meth:`_topic_words`, without the policy terms the
        lexicon adds), each once: jieba's search mode also yields the parts of a
        longer word (家门, 门口 of 家门口), which would count one word several times; and pieces
        jieba only guessed (多建, 要交) are fragments of a sentence, not words."""
        words = [word for word in dict.fromkeys(query.topic_terms)
                 if self.tokenizer.in_dictionary(word) or word.isascii()]
        return [word for word in words if not any(word != other and word in other for other in words)]

    def _states_an_amount(self, query: Query, hits: list[Hit]) -> bool:
        """A retrieved clause on the question's topic states an amount of money (生均300元)."""
        topic = [word for word in self._question_words(query) if not _MONEY_WORD.search(word)]
        return any(_MONEY.search(hit.clause.text) and any(word in fold(hit.clause.text) for word in topic)
                   for hit in hits[:3])

    def _covered(self, token: str, wording: list[str]) -> bool:
        """In the policy's text, a known everyday word, or part of one found in the question."""
        return (token in self.corpus_folded or token in self.lexicon.synonym_keys
                or any(token in found or found in token for found in wording))

    # ---------------------------------------------------------------- intent
    def intent(self, query: Query) -> Intent:
        cues = self.lexicon.cues
        folded = query.folded
        if not query.items and not query.units and (
                cues("document", folded) or (query.paragraph_parts and not query.topic_terms)):
            return Intent.DOCUMENT
        if not (query.items or query.units or query.topic_terms) and (
                self._asks_whole_tree(folded)):
            return Intent.COUNT if cues("count", folded) and not cues("list", folded) else Intent.LIST
        if query.units and not cues("responsible_units", folded) and (
                cues("unit_items", folded) or "负责" in folded or "参与" in folded or not query.topic_terms):
            return Intent.UNIT_ITEMS
        if cues("responsible_units", folded):
            return Intent.RESPONSIBLE_UNITS
        if query.items:
            if cues("target", folded) and not cues("measures", folded.replace("行动目标", "")):
                return Intent.TARGET
            if query.measure_number or cues("measures", folded.replace("保障措施", "")):
                return Intent.MEASURES
            return Intent.ITEM
        if (query.part_kinds or self._asks_whole_tree(folded)) \
                and not query.topic_terms:
            return Intent.COUNT if cues("count", folded) and not cues("list", folded) else Intent.LIST
        if cues("target", folded):
            return Intent.TARGET
        if cues("measures", folded):
            return Intent.MEASURES
        return Intent.TOPIC

    @classmethod
    def _asks_whole_tree(cls, folded: str) -> bool:
        """Questions about every unit or every target of the policy."""
        return cls._asks_all_units(folded) or cls._asks_all_targets(folded)

    @staticmethod
    def _asks_all_units(folded: str) -> bool:
        return any(word in folded for word in ("责任单位", "部门", "单位")) and \
            any(word in folded for word in ("所有", "全部", "哪些", "多少", "几个", "都有"))

    @staticmethod
    def _asks_all_targets(folded: str) -> bool:
        return any(word in folded for word in ("量化", "指标", "数字目标", "数量目标"))

    # ---------------------------------------------------------------- items for a topic
    def topic_items(self, query: Query, hits: list[Hit], limit: int = 3) -> list[Item]:
        """Items that the question's topic points to, best first."""
        if query.items:
            return query.items
        terms = self._topic_words(query)
        scores: dict[str, float] = {}
        for hit in hits:
            if hit.clause.item_id:
                scores[hit.clause.item_id] = scores.get(hit.clause.item_id, 0.0) + hit.score
        if not scores and not terms:
            return []
        top_body = max(scores.values(), default=1.0) or 1.0
        title_scores = {item.id: self._title_overlap(item, terms) for item in self.tree.items}
        top_title = max(title_scores.values(), default=0) or 1
        combined = {item.id: scores.get(item.id, 0.0) / top_body + 0.8 * title_scores[item.id] / top_title
                    for item in self.tree.items if item.kind != ItemKind.SAFEGUARD or scores.get(item.id)}
        ranked = sorted((item_id for item_id in combined if combined[item_id] > 0), key=combined.get, reverse=True)
        if not ranked:
            return []
        best = combined[ranked[0]]
        best_title = title_scores[ranked[0]]
        # When the question names a topic found in item titles, only items whose titles match answer it.
        chosen = [item_id for item_id in ranked if combined[item_id] >= 0.75 * best
                  and (title_scores[item_id] > 0 or best_title == 0)][:limit]
        # A key task and a campaign whose titles match the question equally well both answer it
        # (学前教育 is 四（五） and 五（四）).
        if best_title > 0:
            chosen += [item_id for item_id in ranked if title_scores[item_id] == best_title and item_id not in chosen]
        return [self.tree.item(item_id) for item_id in chosen[:limit]]

    # ---------------------------------------------------------------- compose
    def compose(self, query: Query, intent: Intent, hits: list[Hit]) -> tuple[str, list[tuple[Clause, float]]]:
        handler = getattr(self, f"_compose_{intent.value}")
        return handler(query, hits)

    def heading(self, item: Item) -> str:
        part_title = item.part.split("、", 1)[-1]
        return f"{part_title}{item.label}{item.title}"

    def _head(self, item: Item) -> Clause:
        return self.tree.clause(item.id)

    def _compose_responsible_units(self, query: Query, hits: list[Hit]):
        items = [item for item in self.topic_items(query, hits) if item.responsible_units]
        if not items:
            return self._compose_topic(query, hits)
        lines = [self.templates["responsible_units"].format(
            heading=self.heading(item), count=chinese_numeral(len(item.responsible_units)),
            units="、".join(item.responsible_units)) for item in items]
        return "\n".join(lines), [(self._head(item), 1.0) for item in items]

    def _compose_unit_items(self, query: Query, hits: list[Hit]):
        units = query.units
        if len(units) > 1 and any(word in query.folded for word in ("共同", "都", "同时", "一起", "均", "shared", "both")):
            items = [item for item in self.tree.items if all(unit in item.responsible_units for unit in units)]
            header = self.templates["unit_items_shared"].format(units="和".join(units), count=chinese_numeral(len(items)) if items else "零")
            return "\n".join([header] + self._grouped_titles(items)), [(self._head(item), 1.0) for item in items]
        lines: list[str] = []
        all_items: list[Item] = []
        mentions: list[Clause] = []
        for unit in units:
            items = [item for item in self.tree.items if unit in item.responsible_units
                     and (not query.part_kinds or item.kind in query.part_kinds)]
            if not items:
                lines.append(self.templates["unit_items_none"].format(title=self.title, unit=unit))
                continue
            lines.append(self.templates["unit_items"].format(unit=unit, count=chinese_numeral(len(items))))
            lines.extend(self._grouped_titles(items))
            mentioned = [clause for clause in self.tree.clauses
                         if clause.kind.value == "safeguard" and unit in clause.text
                         and (not query.part_kinds or ItemKind.SAFEGUARD in query.part_kinds)]
            if mentioned:
                lines.append(self.templates["unit_mentioned"].format(
                    headings="、".join(self.heading(self.tree.item(clause.item_id)) for clause in mentioned)))
            all_items.extend(items)
            mentions.extend(mentioned)
        citations = [(self._head(item), 1.0) for item in dict.fromkeys(all_items)]
        return "\n".join(lines), citations + [(clause, 0.5) for clause in mentions]

    def _grouped_titles(self, items: list[Item]) -> list[str]:
        lines = []
        for kind in ItemKind:
            group = [item for item in items if item.kind == kind]
            if group:
                part_title = group[0].part.split("、", 1)[-1]
                lines.append(f"{part_title}：" + "；".join(f"{item.label}{item.title}" for item in group) + "。")
        return lines

    def _compose_target(self, query: Query, hits: list[Hit]):
        if not query.items and (matched := self.matching_targets(query)):
            return self._target_lines(matched)
        items = self.topic_items(query, hits)
        if not items:
            if self._asks_all_targets(query.folded):
                return self._compose_list(query, hits)
            return self._compose_topic(query, hits)
        topic = [term for term in query.topic_terms if len(term) >= 2]
        lines: list[str] = []
        citations: list[tuple[Clause, float]] = []
        explicit_target_text = bool(query.items) and "行动目标" in query.folded
        for item in items:
            clauses = self.tree.clauses_of(item)
            targets = [target for clause in clauses for target in clause.targets]
            focused = [target for target in targets if any(term in fold(target.phrase) for term in topic)]
            if explicit_target_text and not focused:
                head = self._head(item)
                lines.append(self.templates["target_text"].format(heading=self.heading(item)))
                lines.append(self._strip_field(head.text))
                citations.append((head, 1.0))
                continue
            chosen = focused or targets
            if not chosen:
                head = self._head(item)
                lines.append(self.templates["target_text"].format(heading=self.heading(item)))
                lines.append(self._strip_field(head.text))
                citations.append((head, 1.0))
                continue
            item_lines, item_citations = self._target_lines(chosen)
            lines.extend(item_lines.split("\n"))
            citations.extend(item_citations)
        return "\n".join(lines), citations

    def matching_targets(self, query: Query) -> list[QuantTarget]:
        """The quantitative targets whose wording shares most with the question (at least 3 characters)."""
        own = set(query.tokens)
        terms = self._topic_words(query)

        def score(terms_matched: set[str]) -> int:
            # The user's own words count double the policy terms they were expanded to.
            return sum(len(term) * (2 if term in own else 1) for term in terms_matched)

        matched = {id(target): {term for term in terms if term in fold(target.phrase)} for target in self.tree.targets}
        # Words of the item's title break ties (职业院校 … 占比 is the 职业教育 target).
        rank = {id(target): (score(matched[id(target)]),
                             self._title_overlap(self.tree.item(self.tree.clause(target.clause_id).item_id), terms))
                for target in self.tree.targets}
        ranked = sorted(self.tree.targets, key=lambda target: rank[id(target)], reverse=True)
        if not ranked or rank[id(ranked[0])][0] < 4:
            return []
        best = rank[id(ranked[0])]
        chosen = [target for target in ranked if rank[id(target)] == best]
        covered = set().union(*(matched[id(target)] for target in chosen))
        # Add targets for words no chosen target covers ("优良率和达标率" asks for two).
        for target in ranked:
            extra = {term for term in matched[id(target)] - covered if term in own}
            if target not in chosen and extra and score(extra) >= 4:
                chosen.append(target)
                covered |= matched[id(target)]
        return chosen

    def _target_lines(self, targets: list[QuantTarget]) -> tuple[str, list[tuple[Clause, float]]]:
        lines: list[str] = []
        citations: list[tuple[Clause, float]] = []
        for item_id in dict.fromkeys(self.tree.clause(target.clause_id).item_id for target in targets):
            item = self.tree.item(item_id)
            own = [target for target in targets if self.tree.clause(target.clause_id).item_id == item_id]
            phrases = dict.fromkeys(
                (f"到{target.deadline}，" if target.deadline and target.deadline not in target.phrase else "")
                + target.phrase for target in own)
            lines.append(self.templates["targets"].format(heading=self.heading(item)))
            lines.append("；".join(phrases) + "。")
            citations.extend((self.tree.clause(clause_id), 1.0)
                             for clause_id in dict.fromkeys(target.clause_id for target in own))
        return "\n".join(lines), citations

    @staticmethod
    def _strip_field(text: str) -> str:
        return re.sub(r"^行动目标\s*[:：]\s*", "", text)

    def _compose_measures(self, query: Query, hits: list[Hit]):
        items = self.topic_items(query, hits)
        if not items or (not query.items and not self._title_matches(items[0], query)):
            # The topic is narrower than any item (老年大学 within 终身教育): quote the clauses instead.
            return self._compose_topic(query, hits)
        lines: list[str] = []
        citations: list[tuple[Clause, float]] = []
        for item in items:
            clauses = self.tree.clauses_of(item)
            measures = [clause for clause in clauses if clause.kind.value == "measure"]
            if query.measure_number and query.items:
                wanted = [clause for clause in measures if clause.id.endswith(f".{query.measure_number}")]
                if wanted:
                    lines.append(f"{self.heading(item)}：")
                    lines.append(wanted[0].text)
                    citations.append((wanted[0], 1.0))
                    continue
            lines.append(self.templates["measures"].format(heading=self.heading(item)))
            head = self._head(item)
            if not query.items and head.targets and item.kind == ItemKind.TASK:
                lines.append("目标：" + "；".join(dict.fromkeys(t.phrase for t in head.targets)) + "。")
                citations.append((head, 1.0))
            if measures:
                lines.extend(self._measure_headline(clause) for clause in measures)
                citations.extend((clause, 1.0) for clause in measures)
            else:
                lines.append(self._first_sentences(self._without_units(head.text), 160))
                citations.append((head, 1.0))
        return "\n".join(lines), citations

    def _topic_words(self, query: Query) -> list[str]:
        """The question's words and policy terms that can name a topic."""
        return [term for term in query.terms if len(term) >= 2 and not self._names_structure(term)]

    @staticmethod
    def _title_overlap(item: Item, terms: list[str]) -> int:
        """Characters of ``terms`` found in the item's title."""
        title = fold(item.title)
        return sum(len(term) for term in terms if term in title)

    def _title_matches(self, item: Item, query: Query) -> bool:
        return self._title_overlap(item, self._topic_words(query)) > 0

    @staticmethod
    def _measure_headline(clause: Clause) -> str:
        first = clause.text.split("。", 1)[0]
        if len(first) > 60:
            first = first[:60].rsplit("，", 1)[0]
            return first + "……"
        return first + "。"

    @staticmethod
    def _first_sentences(text: str, budget: int) -> str:
        out = ""
        for sentence in _SENTENCE.findall(text):
            if not sentence:
                continue
            if out and len(out) + len(sentence) > budget:
                return out + "……"
            out += sentence
        return out

    def _compose_item(self, query: Query, hits: list[Hit]):
        lines: list[str] = []
        citations: list[tuple[Clause, float]] = []
        for item in query.items:
            clauses = self.tree.clauses_of(item)
            head = clauses[0]
            lines.append(f"{self.heading(item)}")
            if item.kind == ItemKind.TASK:
                lines.append("行动目标：" + self._first_sentences(self._strip_field(self._without_units(head.text)), 200))
            else:
                lines.append(self._first_sentences(self._without_units(head.text), 220))
            if item.responsible_units:
                lines.append(self.templates["item_units"].format(units="、".join(item.responsible_units)))
            citations.append((head, 1.0))
            measures = [clause for clause in clauses if clause.kind.value == "measure"]
            if measures:
                lines.append("具体举措：" + " ".join(self._measure_headline(clause) for clause in measures))
                citations.extend((clause, 0.9) for clause in measures)
        return "\n".join(lines), citations

    @staticmethod
    def _without_units(text: str) -> str:
        return re.sub(r"\s*[（(]\s*责任单位[^)）]*[)）]", "", text).strip()

    def _compose_list(self, query: Query, hits: list[Hit]):
        if self._asks_all_targets(query.folded) and not query.part_kinds:
            lines = [self.templates["all_targets"].format(title=self.title)]
            citations = []
            for item in self.tree.items:
                targets = [target for clause in self.tree.clauses_of(item) for target in clause.targets]
                if targets:
                    lines.append(f"{item.label}{item.title}：" + "；".join(dict.fromkeys(t.phrase for t in targets)) + "。")
                    citations.extend((self.tree.clause(cid), 1.0) for cid in dict.fromkeys(t.clause_id for t in targets))
            return "\n".join(lines), citations
        if self._asks_all_units(query.folded) and not query.part_kinds:
            units = self.tree.responsible_units
            text = self.templates["all_units"].format(title=self.title, count=chinese_numeral(len(units)),
                                                      units="、".join(units))
            items = [item for item in self.tree.items if item.responsible_units]
            return text, [(self._head(item), 1.0) for item in items]
        lines: list[str] = []
        citations: list[tuple[Clause, float]] = []
        for kind in query.part_kinds or [ItemKind.TASK]:
            items = self.tree.items_of(kind)
            if not items:
                continue
            lines.append(self.templates["list"].format(title=self.title, part=items[0].part.split("、", 1)[-1],
                                                       count=chinese_numeral(len(items))))
            lines.extend(f"{item.label}{item.title}" for item in items)
            citations.extend((self._head(item), 1.0) for item in items)
        return "\n".join(lines), citations

    def _compose_count(self, query: Query, hits: list[Hit]):
        if self._asks_all_units(query.folded) and not query.part_kinds:
            return self._compose_list(query, hits)
        lines: list[str] = []
        citations: list[tuple[Clause, float]] = []
        for kind in query.part_kinds:
            items = self.tree.items_of(kind)
            if not items:
                continue
            lines.append(self.templates["count"].format(
                title=self.title, part=items[0].part.split("、", 1)[-1], count=chinese_numeral(len(items)),
                titles="；".join(f"{item.label}{item.title}" for item in items)))
            citations.extend((self._head(item), 1.0) for item in items)
        return "\n".join(lines), citations

    def _compose_document(self, query: Query, hits: list[Hit]):
        if query.paragraph_parts and not query.topic_terms:
            lines, citations = [], []
            for part in query.paragraph_parts:
                clauses = [self.tree.clause(clause_id) for clause_id in part.clause_ids]
                lines.append(f"{part.heading}：")
                budget = MAX_ANSWER_CHARS // max(1, len(query.paragraph_parts)) - 20
                for clause in clauses:
                    if budget <= 0:
                        break
                    piece = self._first_sentences(clause.text, budget)
                    lines.append(piece)
                    budget -= len(piece)
                    citations.append((clause, 1.0))
            return "\n".join(lines), citations
        notice = next((clause for clause in self.tree.clauses if clause.kind.value == "notice"), None)
        document = self.tree.document
        if notice is None:
            return self._compose_topic(query, hits)
        public = "此件主动公开" if "主动公开" in notice.text else ""
        text = self.templates["document"].format(title=document.title, issuer=document.issuer, date=document.date,
                                                 public=public)
        return text.replace("（）", ""), [(notice, 1.0)]

    def _compose_topic(self, query: Query, hits: list[Hit]):
        """The sentences of the best clauses that share most words with the question."""
        terms = [term for term in query.terms if term not in self.lexicon.answer_words and len(term) >= 2] or query.terms
        lines: list[str] = []
        citations: list[tuple[Clause, float]] = []
        budget = 420
        for hit in hits[:3]:
            clause = hit.clause
            sentences = [s for s in _SENTENCE.findall(self._without_units(clause.text)) if s.strip()]
            scored = sorted(range(len(sentences)),
                            key=lambda i: -sum(len(term) for term in terms if term in fold(sentences[i])))
            keep = sorted(i for i in scored[:2] if sum(len(t) for t in terms if t in fold(sentences[i])) > 0)
            if not keep:
                keep = [0] if not lines else []
            if not keep:
                continue
            excerpt = "".join(sentences[i] for i in keep)
            if len(excerpt) > budget:
                if lines:
                    break
                excerpt = excerpt[:budget].rsplit("，", 1)[0] + "……"
            heading = self.heading(self.tree.item(clause.item_id)) if clause.item_id else clause.path[-1]
            lines.append(self.templates["topic"].format(heading=heading) + excerpt)
            citations.append((clause, hit.score))
            budget -= len(excerpt)
            if budget < 80:
                break
        return "\n".join(lines), citations


    def refusal(self, reason: str) -> str:
        examples = " / ".join(self.templates["examples"])
        if reason == "injection":
            return self.templates["refusal_injection"].format(title=self.title, examples=examples)
        detail = self.templates.get(f"reason_{reason}", "")
        return self.templates["refusal"].format(title=self.title, reason=detail, examples=examples)


def fit_answer(text: str, limit: int = MAX_ANSWER_CHARS, more: str = "……") -> str:
    """Cut an over-long answer at a line or sentence boundary."""
    if len(text) <= limit:
        return text
    cut = text[: limit - len(more)]
    boundary = max(cut.rfind("\n"), cut.rfind("。"), cut.rfind("；"))
    return (cut[: boundary + 1] if boundary > limit // 2 else cut) + more


def to_citations(cited: list[tuple[Clause, float]]) -> tuple[Citation, ...]:
    seen: dict[str, Citation] = {}
    for clause, score in cited:
        if clause.id not in seen:
            seen[clause.id] = Citation(id=clause.id, document=clause.document.id, section=clause.section,
                                       text=clause.text, score=round(float(score), 4))
    return tuple(seen.values())
