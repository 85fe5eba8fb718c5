"""Compose a cited answer from the clause tree (no LLM), for a question already read.

:mod:`assistant.reading` reads the question into a :class:`~assistant.reading.Query` and its
intent; the intent decides which clauses answer it here. The answer is composed only of text
copied from those clauses, which are returned as citations, and opens with a lead: the sentence
that answers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .evidence import (SHAPE_PATTERNS, Evidence, EvidenceFinder, EvidenceQuery, Sentence, Shape, holds, is_headline,
                       sentences_of)
from .lexicon import Lexicon
from .parser import cooperating_units, responsible_units
from .records import Citation, Clause, ClauseKind, Hit, Intent, Item, Part, PolicyTree, QuantTarget
from .reading import Query, QuestionReader
from .retrieval import QueryTokenizer
from .text import LIST_NUMBER, count_text, fold, quoted_names, whole_words

MAX_ANSWER_CHARS = 600
# The last clauses of a document, searched with its header by a question about the document.
CLOSING_CLAUSES = 3
# Sentences quoted after a headline that evidence chose (the headline alone says nothing).
HEADLINE_FOLLOWERS = 4
# ...or, for a question that asks for a list (哪些情况…), as many as its list holds, up to this.
LIST_FOLLOWERS = 10
# A question asks several things when it has parts of at least this many characters between ？ or ；.
_QUESTION_PARTS = re.compile(r"[?？;；]|，(?:还有|另外|以及|同时)")
MIN_QUESTION_PART = 4
# Characters an answer may run over its evidence budget to answer another part of the question.
PART_EXTRA_CHARS = 120
# Sentences ranked for a question, and kept after preferring those in the parts it names.
EVIDENCE_POOL = 40
EVIDENCE_KEPT = 8
# A word that names a unit (市教育局, 县卫生健康委): it is looked for as the one in charge.
_UNIT_NAME = re.compile(r"..(局|委|办|院|中心|政府|部)$")
# A unit named in a question the way policies write them (市交通运输局, 县卫生健康委员会).
_PROSE_UNIT = re.compile(r"(?:市|区|县|省|州)[\u4e00-\u9fff]{2,10}?(?:局|委员会|委|办公室|办|院|中心)")
MAX_PROSE_CLAUSES = 6
# A unit with at most this many tasks is answered with what they say, not only their titles.
FEW_ITEMS = 2
ITEM_CONTENT_CHARS = 160
MIN_CONTENT_CHARS = 4
# An item the question names is quoted up to this length; its own text counts from this length.
NAMED_ITEM_CHARS = 360
ARTICLE_CHARS = 480
SHORT_CLAUSE_CHARS = 200
# A named item with at most this many measures has each told up to its share of NAMED_ITEM_CHARS.
MAX_MEASURES_TOLD = 6
MIN_MEASURE_CHARS = 60
MIN_PROSE_CHARS = 30
# A part of a sentence (up to ；) is quoted with the rest of its sentence up to this length.
WHOLE_SENTENCE_CHARS = 120
# Characters of the question's topic words a measure's headline must hold to be the measure asked about.
MIN_MEASURE_OVERLAP = 4
# The lead that answers first is at most this long; a longer sentence is cut to its stretch that answers.
LEAD_CHARS = 120
TIGHT_LEAD_CHARS = 70
# What holding the amount or time asked for counts, in the IDF units of the words matched (a rare word).
SHAPE_WEIGHT = 8.0
# Intents whose composed answer quotes clauses: a lead sentence answers first. (Units, lists, counts,
# items and the document's details open with the answer already.)
LEAD_INTENTS = frozenset({Intent.TOPIC, Intent.TARGET, Intent.MEASURES})
# The best evidence sentences searched for a detail the question asks (a fee, a telephone number).
DETAIL_EVIDENCE = 10
# Target fields that open an item (行动目标：…): such an item's head clause is its target.
_TARGET_FIELDS = ("行动目标", "工作目标", "主要目标", "发展目标", "目标任务")
_SENTENCE = re.compile(r"[^。；]*[。；]?")
# A date, or a 文号/令号, in a header sentence.
_DATED = re.compile(r"\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|\d{4}-\d{1,2}-\d{1,2}|〔\d{4}〕\s*\d+\s*号|令第\s*\d+\s*号")
_YEAR_SPAN = re.compile(r"(?:19|20)\d\d\s*年?\s*[—–\-至到]+\s*(?:19|20)\d\d\s*年")
_YEAR_WORDS = re.compile(r"(?:19|20)\d\d年|[一二三四五六七八九十]{1,3}五(?=[”\"]|规划|时期|期间|末)")


@dataclass(frozen=True)
class Duty:
    """Units a document assigns to one measure of an item (1.完善…机制。 … 牵头单位：… 配合单位：…)."""

    measure: Clause                    # the measure's own clause (二（一）.1)
    lead: tuple[str, ...]
    cooperating: tuple[str, ...]
    sources: tuple[Clause, ...]        # the clauses whose notes name them (may be a sub-clause: ③)


class Composer:
    """Composes a cited answer to a read question from the tree, the lexicon and retrieval hits."""

    def __init__(self, tree: PolicyTree, lexicon: Lexicon, tokenizer: QueryTokenizer, templates: dict,
                 reader: QuestionReader) -> None:
        self.tree = tree
        self.lexicon = lexicon
        self.tokenizer = tokenizer
        self.templates = templates
        self.reader = reader   # how this document reads a question: its units, parts and items by name
        self.title = tree.document.title
        # How answers refer to the document: 本方案, 本规划, 本条例 … after the genre its title names.
        self.this = templates["this"].format(genre=reader.genre or templates["this_default"])
        self.has_units = any(item.responsible_units for item in tree.items)
        self._evidence_finder: EvidenceFinder | None = None
        self._duties: dict[str, list[Duty]] = {}
        self._document_sources: list[Clause] | None = None

    @property
    def evidence_finder(self) -> EvidenceFinder:
        """The document's sentences, split and indexed on first use."""
        if self._evidence_finder is None:
            self._evidence_finder = EvidenceFinder(self.tree)
        return self._evidence_finder

    def evidence(self, query: Query, hits: list[Hit], within: str | None = None) -> list[Evidence]:
        """The document's sentences that best answer the question, or the part of it ``within`` (a
        question may ask two things: "建多少所？辍学率控制在多少以内？")."""
        text = query.folded if within is None else within
        topic = [term for term in query.topic_terms if term not in self.lexicon.answer_words and len(term) >= 2]
        # A part without a topic of its own ("标准是多少？") asks about the topic of the rest.
        own = whole_words(term for term in topic if term in text) or whole_words(topic)
        # A word the document never uses is looked for as the policy terms it stands for (打工: 务工).
        corpus = self.reader.corpus_folded
        own = whole_words(list(own) + [term for word in own if word not in corpus
                                       for term in self.lexicon.expand(word) if term in corpus])
        implied = whole_words(term for term in (query.terms if within is None else self.lexicon.expand(text))
                               if term not in query.tokens and len(term) >= 2)
        shapes = query.shapes if within is None else frozenset(
            shape for shape in Shape if self.lexicon.cues(f"asks_{shape.value}", text))
        # A span of years (2023—2025年) names a document's period, not a fact to look for.
        years = tuple(dict.fromkeys(_YEAR_WORDS.findall(_YEAR_SPAN.sub(" ", text))))
        # A name in quotation marks ("留守儿童之家", "三个课堂") is looked for as written.
        quoted = tuple(quoted_names(text))
        # A unit the document names only in prose (市教育局负责……) is looked for as the one in charge.
        in_charge = tuple(f"{term}负责" for term in whole_words(topic) if _UNIT_NAME.search(term))
        ranked = self.evidence_finder.rank(EvidenceQuery(own or tuple(query.topic_terms), implied, shapes,
                                                          years + quoted + in_charge), hits, limit=EVIDENCE_POOL)
        # A question that names a part (第二章职责分工里…) is answered from it when it can be.
        headings = tuple(part.heading for part in query.parts)
        in_parts = [evidence for evidence in ranked if evidence.sentence.clause.path[:1] and
                    evidence.sentence.clause.path[0] in headings]
        return (in_parts or ranked)[:EVIDENCE_KEPT]

    def _asked_parts(self, query: Query) -> list[str]:
        """The questions within the question, when it asks several ("…多少所？…控制在多少以内？")."""
        parts = [part for part in _QUESTION_PARTS.split(query.folded) if len(part.strip()) >= MIN_QUESTION_PART]
        return parts if len(parts) > 1 else []

    def unset_detail(self, query: Query, hits: list[Hit]) -> str | None:
        """A detail the question asks (a fee, a time of day) that the best sentences do not give, or None:
        the answer then says so before what the document does say."""
        kinds = self.lexicon.details_asked(query.folded)
        if not kinds:
            return None
        # The covering notice's dates and numbers are the document's, not an answer's.
        evidence = [e for e in self.evidence(query, hits) if e.sentence.clause.kind != ClauseKind.NOTICE]
        return next((kind for kind in kinds if not holds(evidence[:DETAIL_EVIDENCE], self.lexicon.details[kind][1])),
                    None)

    # ---------------------------------------------------------------- items for a topic
    def topic_items(self, query: Query, hits: list[Hit], limit: int = 3) -> list[Item]:
        """Items that the question's topic points to, best first."""
        if query.items:
            return query.items
        terms = self.reader.topic_words(query)
        scores: dict[str, float] = {}
        for hit in hits:
            if hit.clause.item_id:
                scores[hit.clause.item_id] = scores.get(hit.clause.item_id, 0.0) + hit.score
        if not scores and not terms:
            return []
        top_body = max(scores.values(), default=1.0) or 1.0
        title_scores = {item.id: self.reader.title_overlap(item, terms) for item in self.tree.items}
        top_title = max(title_scores.values(), default=0) or 1
        combined = {item.id: scores.get(item.id, 0.0) / top_body + 0.8 * title_scores[item.id] / top_title
                    for item in self.tree.items if not self._names_no_units(item) or scores.get(item.id)}
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
        if self._asks_boxes(query):
            return self._compose_boxes()
        units = self._prose_units(query)
        if units and intent in (Intent.TOPIC, Intent.MEASURES) and self.lexicon.cues("unit_items", query.folded):
            return self._compose_prose_units(units)
        handler = getattr(self, f"_compose_{intent.value}")
        return handler(query, hits)

    # ---------------------------------------------------------------- the lead
    def lead(self, query: Query, intent: Intent, hits: list[Hit], cited: list[tuple[Clause, float]],
             unset: str | None = None) -> str:
        """One or two sentences (at most LEAD_CHARS) that answer the question as asked, from the cited
        text; '' when the composed answer opens with its answer already (units, a list, a count)."""
        templates = self.templates
        if self._asks_boxes(query):
            return ""   # the list of boxes is the answer
        if unset:
            sentence = self._lead_sentence(query, hits, cited)
            return fit_answer(templates["lead_not_set"].format(this=self.this, detail=templates[f"not_set_{unset}"],
                                                               sentence=sentence), LEAD_CHARS)
        if intent not in LEAD_INTENTS:
            return ""
        if intent == Intent.MEASURES and (query.items or self.lexicon.cues("list", query.folded)):
            lead = self._measures_lead(cited)
            if lead:
                return lead
        sentence = self._lead_sentence(query, hits, cited)
        cues = self.lexicon.cues
        if sentence and cues("yes_no", query.folded):
            if cues("asks_allowed", query.folded) and cues("prohibition", fold(sentence)):
                kind = "lead_forbidden"
            else:
                kind = "lead_yes" if cues("yes_have", query.folded) else "lead_rule"
            sentence = templates[kind].format(this=self.this, sentence=sentence)
        return fit_answer(sentence, LEAD_CHARS)

    def _measures_lead(self, cited: list[tuple[Clause, float]]) -> str:
        """The headlines of the measures of the first item cited (……有三项举措：A；B；C。)."""
        measures = [clause for clause, _ in cited if clause.kind == ClauseKind.MEASURE and clause.item_id]
        if not measures:
            return ""
        item = self.tree.item(measures[0].item_id)
        own = [clause for clause in measures if clause.item_id == item.id]
        headlines = [LIST_NUMBER.sub("", self._measure_headline(clause)).strip().rstrip("。") for clause in own]
        return fit_answer(self.templates["lead_measures"].format(
            heading=self.heading(item), count=count_text(len(own)), headlines="；".join(headlines)), LEAD_CHARS)

    def _lead_sentence(self, query: Query, hits: list[Hit], cited: list[tuple[Clause, float]]) -> str:
        """The best evidence sentence among the cited clauses, whole, without its unit note."""
        cited_ids = {clause.id for clause, _ in cited}
        ranked = [evidence for evidence in self.evidence(query, hits) if evidence.sentence.clause.id in cited_ids]
        if not ranked:
            return ""
        # For 多少 or 什么时候, the best sentence that holds an amount or a time answers.
        shaped = [evidence for evidence in ranked if _holds_shape(evidence.sentence.text, query)]
        best = (shaped or ranked)[0]
        sentences = self.evidence_finder.whole_sentence(best.sentence, WHOLE_SENTENCE_CHARS)
        if sentences and is_headline(sentences[-1]):   # a headline says what follows: the next sentence answers
            sentences += self.evidence_finder.following(sentences[-1], 1)
        text = "".join(self._without_units(sentence.text).strip() for sentence in sentences)
        return self._tightest(text, query) if len(text) > TIGHT_LEAD_CHARS else text

    def _tightest(self, text: str, query: Query) -> str:
        """The comma-separated stretch of a long sentence that holds most of what the question asks
        (到2025年“双师型”教师占比达到60% of a sentence about training teachers)."""
        pieces = [piece for piece in re.findall(r"[^，,：:]+[，,：:]?", text) if piece.strip()]
        weight = self.tokenizer.weight
        terms = [term for term in dict.fromkeys(query.terms) if len(term) >= 2]

        def score(piece: str) -> float:
            folded = fold(piece)
            shaped = _holds_shape(piece, query)
            return sum(weight(term) for term in terms if term in folded) + (SHAPE_WEIGHT if shaped else 0.0)

        best = max(range(len(pieces)), key=lambda index: (score(pieces[index]), -index))
        start = end = best
        while end + 1 < len(pieces) and len("".join(pieces[start:end + 2])) <= TIGHT_LEAD_CHARS:
            end += 1
            if score(pieces[end]) == 0:
                break
        chosen = "".join(pieces[start:end + 1]).rstrip("，,：:")
        return chosen if chosen.endswith(("。", "；", "！", "？")) else chosen + "。"

    def _prose_units(self, query: Query) -> list[str]:
        """Units the question names that this document gives work only in its prose (市交通运输局负责……)."""
        named = dict.fromkeys(match.group(0) for match in _PROSE_UNIT.finditer(query.folded))
        return [unit for unit in named
                if unit not in self.reader.unit_of and f"{unit}负责" in self.reader.corpus_folded]

    def _compose_prose_units(self, units: list[str]):
        """Every sentence of the body that names each unit, by clause: its duties as the text states them."""
        lines: list[str] = []
        citations: list[tuple[Clause, float]] = []
        for unit in units:
            lines.append(self.templates["unit_in_prose"].format(unit=unit))
            found = 0
            for clause in self.tree.clauses:
                if clause.kind == ClauseKind.NOTICE or found == MAX_PROSE_CLAUSES:
                    continue
                said = [sentence.text for sentence in sentences_of(clause) if unit in fold(sentence.text)]
                if said:
                    lines.append(self.templates["topic"].format(heading=self.clause_heading(clause)) + "".join(said))
                    citations.append((clause, 1.0))
                    found += 1
        return "\n".join(lines), citations

    def _asks_boxes(self, query: Query) -> bool:
        """"有几个专栏？各叫什么？": the question names the kind of box and asks for all of them."""
        cues = self.lexicon.cues
        return any(word in query.folded for word in self.lexicon.box_words) and not re.search(r"\d", query.folded) \
            and (cues("count", query.folded) or cues("list", query.folded))

    def _compose_boxes(self):
        boxes = self.evidence_finder.boxes()
        if not boxes:
            return "", []
        lines = [self.templates["boxes"].format(title=self.title, count=count_text(len(boxes), before_ge=True))]
        lines += [box.text for box in boxes]
        return "\n".join(lines), [(clause, 1.0) for clause in dict.fromkeys(box.clause for box in boxes)]

    def heading(self, item: Item) -> str:
        return f"{item.part_title}{item.label}{item.title}"

    def _head(self, item: Item) -> Clause:
        return self.tree.clause(item.id)

    def _unit_sources(self, item: Item) -> list[tuple[Clause, float]]:
        """The clauses of an item that state its units: its head, or the 牵头单位/配合单位 lines
        that follow its measures."""
        stating = [clause for clause in self.tree.clauses_of(item)
                   if responsible_units(clause.text) or cooperating_units(clause.text)]
        return [(clause, 1.0) for clause in stating or [self._head(item)]]

    def duties(self, item: Item) -> list[Duty]:
        """The units each top-level measure of ``item`` is given, when the document names units per
        measure (with its sub-clauses: a measure's note may follow its last ③)."""
        if item.id not in self._duties:
            clauses = self.tree.clauses_of(item)
            measure_id = re.compile(re.escape(item.id) + r"\.\d+")
            found = []
            for measure in (clause for clause in clauses if measure_id.fullmatch(clause.id)):
                family = [clause for clause in clauses if _of_measure(clause.id, measure.id)]
                lead = tuple(dict.fromkeys(unit for clause in family for unit in responsible_units(clause.text)))
                cooperating = tuple(dict.fromkeys(unit for clause in family for unit in cooperating_units(clause.text)))
                sources = tuple(clause for clause in family
                                if responsible_units(clause.text) or cooperating_units(clause.text))
                if lead or cooperating:
                    found.append(Duty(measure, lead, cooperating, sources))
            measures = [clause for clause in clauses if measure_id.fullmatch(clause.id)]
            if len(measures) > 1 and [duty.measure for duty in found] == measures[-1:]:
                found = []   # one note after the last measure names the whole item's units
            self._duties[item.id] = found
        return self._duties[item.id]

    def _item_duty(self, item: Item) -> Duty:
        return Duty(self._head(item), item.responsible_units, item.cooperating_units,
                    tuple(clause for clause, _ in self._unit_sources(item)))

    def _asked_duty(self, query: Query, items: list[Item]) -> Duty | None:
        """The measure whose headline the question names more of than any item title (完善残疾儿童入学安置机制)."""
        # Words of the document's title name the document, not a measure (特殊教育 in 特殊教育…计划).
        terms = [term for term in self.reader.topic_words(query) if term not in self.reader.title_tokens]
        best, best_overlap = None, max((self.reader.title_overlap(item, terms) for item in items), default=0)
        for item in items:
            for duty in self.duties(item):
                headline = fold(_SENTENCE.match(duty.measure.text).group(0))
                overlap = sum(len(term) for term in whole_words(terms) if term in headline)
                if overlap >= MIN_MEASURE_OVERLAP and overlap > best_overlap:
                    best, best_overlap = duty, overlap
        return best

    def _compose_responsible_units(self, query: Query, hits: list[Hit]):
        items = [item for item in self.topic_items(query, hits, limit=5) if item.responsible_units]
        if not items:
            return self._compose_topic(query, hits)
        # Items the question names (or a follow-up's) answer as named; otherwise the best sentence may.
        best = None if query.items else self._sentence_over_titles(query, hits, items)
        if best is not None and self._names_unit(best.sentence):
            return self._compose_topic(query, hits)   # the sentence names who (由市教育局会同…)
        if best is not None and best.sentence.clause.item_id:
            # The item that holds the sentence answers, not the items whose titles share a word.
            own = self.tree.item(best.sentence.clause.item_id)
            duty = next((duty for duty in self.duties(own) if _of_measure(best.sentence.clause.id, duty.measure.id)),
                        None)
            if duty is None and own.responsible_units:
                items = [own]
        else:
            duty = None
        text, cited = self._duty_lines(duty) if duty is not None else self._units_of_topic(query, hits, items)
        # "由谁牵头？标准是多少？": the part that asks something else gets its sentence too.
        for part in self._asked_parts(query):
            if self.lexicon.cues("responsible_units", part):
                continue
            found = self.evidence(query, hits, within=part)[:1]
            if found and self._without_units(found[0].sentence.text) not in text:
                clause = found[0].sentence.clause
                text += "\n" + self.templates["topic"].format(heading=self.clause_heading(clause)) + \
                    self._without_units(found[0].sentence.text)
                cited.append((clause, found[0].score))
        return text, cited

    def _sentence_over_titles(self, query: Query, hits: list[Hit], items: list[Item]) -> Evidence | None:
        """The sentence that best answers the question, when it holds more of the topic than any
        item's title (or names a unit when no title holds any): that sentence, or its measure, answers
        "谁" (由市教育局会同市卫生健康委每年组织1次集中培训; 区图书馆为每所乡村学校设立流动图书服务点 under
        推进馆校合作共享), not the units of an item whose title shares a word with the question."""
        ranked = self.evidence(query, hits)
        if not ranked:
            return None
        # The user's own words, not the policy terms they imply (职业教育 also implies words that a
        # sentence of another item may hold); words of the document's own title name no item.
        terms = whole_words(term for term in query.topic_terms if term not in self.reader.title_tokens)
        best_title = max((self.reader.title_overlap(item, terms) for item in items), default=0)
        sentence = fold(self._without_units(ranked[0].sentence.text))
        held = sum(len(term) for term in terms if term in sentence)
        if held > best_title or (best_title == 0 and self._names_unit(ranked[0].sentence)):
            return ranked[0]
        return None

    def _names_unit(self, sentence: Sentence) -> bool:
        """Whether the sentence, without its unit note, names one of the document's units."""
        pattern = self.reader.unit_pattern
        return pattern is not None and bool(pattern.search(fold(self._without_units(sentence.text))))

    def _duty_lines(self, duty: Duty) -> tuple[str, list[tuple[Clause, float]]]:
        item = self.tree.item(duty.measure.item_id)
        lines = [self.templates["measure_units"].format(
            heading=self.heading(item), measure=self._measure_headline(duty.measure), units="、".join(duty.lead))]
        if duty.cooperating:
            lines.append(self.templates["cooperating_units"].format(units="、".join(duty.cooperating)))
        return "\n".join(lines), [(duty.measure, 1.0)] + [(clause, 1.0) for clause in duty.sources]

    def _units_of_topic(self, query: Query, hits: list[Hit], items: list[Item]):
        duty = self._asked_duty(query, items)
        if duty is not None:
            return self._duty_lines(duty)
        items = items[:3]
        lines = []
        for item in items:
            lines.append(self.templates["responsible_units"].format(
                heading=self.heading(item), count=count_text(len(item.responsible_units)),
                units="、".join(item.responsible_units)))
            if item.cooperating_units:
                lines.append(self.templates["cooperating_units"].format(units="、".join(item.cooperating_units)))
        return "\n".join(lines), [pair for item in items for pair in self._unit_sources(item)]

    def _compose_unit_items(self, query: Query, hits: list[Hit]):
        units = query.units
        if len(units) > 1 and any(word in query.folded for word in ("共同", "都", "同时", "一起", "均", "shared", "both")):
            items = [item for item in self.tree.items if all(unit in item.responsible_units for unit in units)]
            header = self.templates["unit_items_shared"].format(units="和".join(units), count=count_text(len(items)))
            return "\n".join([header] + self._grouped_titles(items)), \
                [pair for item in items for pair in self._unit_sources(item)]
        if any(self.duties(item) for item in self.tree.items):
            return self._compose_unit_measures(query)
        lines: list[str] = []
        all_items: list[Item] = []
        mentions: list[Clause] = []
        for unit in units:
            items = [item for item in self.tree.items if unit in item.responsible_units + item.cooperating_units
                     and self._in_named_parts(item, query)]
            if not items:
                lines.append(self.templates["unit_items_none"].format(title=self.title, this=self.this, unit=unit))
                continue
            lines.append(self.templates["unit_items"].format(unit=unit, count=count_text(len(items))))
            lines.extend(self._grouped_titles(items))
            mentioned = self._mentioned(unit, query)
            if mentioned:
                lines.append(self._mentioned_line(mentioned, unit))
            all_items.extend(items)
            mentions.extend(mentioned)
        citations = [pair for item in dict.fromkeys(all_items) for pair in self._unit_sources(item)]
        few = list(dict.fromkeys(all_items))
        if len(few) <= FEW_ITEMS:
            # A unit with one or two tasks: what the tasks say, not only their titles.
            for item in few:
                text, clauses = self._item_content(item, NAMED_ITEM_CHARS // max(1, len(few)))
                if text:
                    lines.append(f"{self._item_name(item)}：{text}")
                    citations.extend((clause, 0.9) for clause in clauses)
        return "\n".join(lines), citations + [(clause, 0.5) for clause in mentions]

    def _item_prose(self, item: Item) -> str:
        """What an item's own clause says beyond its heading and unit notes."""
        text = self._without_units(self._head(item).text)
        for heading in (self._item_name(item), item.title):
            if heading and text.startswith(heading):
                return text[len(heading):].lstrip("。.：: ")
        return text

    def _item_content(self, item: Item, budget: int) -> tuple[str, list[Clause]]:
        """What an item says beyond its heading (its own text, then its measures), up to ``budget``
        characters, and the clauses it is taken from."""
        clauses = self.tree.clauses_of(item)
        prose = self._item_prose(item)
        parts = ([(prose, clauses[0])] if len(prose) >= MIN_CONTENT_CHARS else []) + \
            [(self._without_units(clause.text), clause) for clause in clauses[1:]]
        used: list[Clause] = []
        text = ""
        for piece, clause in parts:
            if text and len(text) + len(piece) > budget:
                return self._first_sentences(text + piece, budget), used + [clause]
            text += piece
            used.append(clause)
        return text, used

    def _compose_unit_measures(self, query: Query):
        """A unit's measures, in a document that names units per measure: those it leads and those it
        helps with (only one of them when the question says 牵头 or 配合)."""
        # 负责 asks for every role, even beside 配合 ("负责哪项？又配合哪项？").
        either = "负责" in query.folded
        lead_asked = either or any(word in query.folded for word in self.lexicon.lead_words)
        cooperating_asked = either or any(word in query.folded for word in self.lexicon.cooperating_words)
        roles = [("lead", lead_asked or not cooperating_asked), ("cooperating", cooperating_asked or not lead_asked)]
        lines: list[str] = []
        citations: list[tuple[Clause, float]] = []
        # Items whose units are not given per measure (a task table's rows) count as one duty each.
        duties = [duty for item in self.tree.items if self._in_named_parts(item, query)
                  for duty in self.duties(item) or [self._item_duty(item)]]
        for unit in query.units:
            for role, wanted in roles:
                mine = [duty for duty in duties if unit in getattr(duty, role)]
                if not wanted or not mine:
                    continue
                lines.append(self.templates[f"unit_measures_{role}"].format(unit=unit, count=count_text(len(mine))))
                # One or two measures are quoted whole (up to a length), more by their headlines.
                phrase = self._measure_headline if len(mine) > FEW_ITEMS else \
                    (lambda clause: self._told(clause, ITEM_CONTENT_CHARS))
                for item_id in dict.fromkeys(duty.measure.item_id for duty in mine):
                    item = self.tree.item(item_id)
                    measures = [phrase(duty.measure) for duty in mine
                                if duty.measure.item_id == item_id and duty.measure.id != item_id]
                    if not measures and len(mine) <= FEW_ITEMS:
                        # The whole item is the unit's (its note names the item's units): what it says.
                        content, clauses = self._item_content(item, NAMED_ITEM_CHARS // len(mine))
                        measures = [content] if content else []
                        citations.extend((clause, 0.9) for clause in clauses)
                    lines.append(self.heading(item) + ("：" + "".join(measures) if measures else "。"))
                citations.extend((clause, 1.0) for duty in mine for clause in (duty.measure, *duty.sources))
            mentioned = self._mentioned(unit, query)
            if mentioned:
                lines.append(self._mentioned_line(mentioned, unit))
                citations.extend((clause, 0.5) for clause in mentioned)
            if not citations:
                lines.append(self.templates["unit_items_none"].format(title=self.title, this=self.this, unit=unit))
        return "\n".join(lines), citations

    def _mentioned(self, unit: str, query: Query) -> list[Clause]:
        """Clauses of items without units of their own (保障措施) that still give the unit work in
        their text (领导小组办公室设在市教育局…处)."""
        return [clause for clause in self.tree.clauses
                if clause.item_id and unit in clause.text
                and self._names_no_units(self.tree.item(clause.item_id))
                and self._in_named_parts(self.tree.item(clause.item_id), query)]

    def _mentioned_line(self, mentioned: list[Clause], unit: str) -> str:
        """Where else the unit is named, with the sentence that names it (领导小组办公室设在…处)."""
        said = [sentence.text for clause in mentioned for sentence in sentences_of(clause) if unit in sentence.text]
        return self.templates["unit_mentioned"].format(
            headings="、".join(dict.fromkeys(self.heading(self.tree.item(clause.item_id)) for clause in mentioned)),
            sentences="".join(dict.fromkeys(said)))

    def _grouped_titles(self, items: list[Item]) -> list[str]:
        lines = []
        for part in dict.fromkeys(item.part for item in items):
            group = [item for item in items if item.part == part]
            part_title = group[0].part_title or group[0].part
            lines.append((f"{part_title}：" if part_title else "")
                         + "；".join(self._item_name(item) for item in group) + "。")
        return lines

    @staticmethod
    def _item_name(item: Item) -> str:
        return f"{item.label}{item.title}"

    def _names_no_units(self, item: Item) -> bool:
        """An item that names no units in a document whose other items do (a 保障措施)."""
        return self.has_units and not item.responsible_units

    @staticmethod
    def _in_named_parts(item: Item, query: Query) -> bool:
        return not query.parts or item.part in {part.heading for part in query.parts}

    def _has_target_field(self, item: Item) -> bool:
        """An item that opens with 行动目标： (its head clause is the target)."""
        return self._head(item).path[-1] in _TARGET_FIELDS

    def main_parts(self) -> list[Part]:
        """The part with the most items: what "有哪些任务" lists when no part is named."""
        return sorted(self.reader.item_parts, key=lambda part: -len(part.item_ids))[:1]

    def _compose_target(self, query: Query, hits: list[Hit]):
        if not query.items and not self.reader.asks_all_targets(query.folded):
            # A target asked by its topic ("入园率要达到多少") is a sentence that states it.
            return self._compose_topic(query, hits)
        items = self.topic_items(query, hits)
        if not items:
            if self.reader.asks_all_targets(query.folded):
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

    def _target_lines(self, targets: list[QuantTarget]) -> tuple[str, list[tuple[Clause, float]]]:
        lines: list[str] = []
        citations: list[tuple[Clause, float]] = []
        # Targets are grouped by their item, or by their clause when it belongs to no item.
        group_of = {id(target): self.tree.clause(target.clause_id).item_id or target.clause_id for target in targets}
        for group in dict.fromkeys(group_of.values()):
            own = [target for target in targets if group_of[id(target)] == group]
            phrases = dict.fromkeys(self._target_statement(target) for target in own)
            lines.append(self.templates["targets"].format(heading=self.clause_heading(self.tree.clause(own[0].clause_id))))
            lines.append("；".join(phrases) + "。")
            citations.extend((self.tree.clause(clause_id), 1.0)
                             for clause_id in dict.fromkeys(target.clause_id for target in own))
        return "\n".join(lines), citations

    # A target is quoted with its whole sentence when that is short, so "36所 … 4800个" stay together.
    target_sentence_chars = 90

    def _target_statement(self, target: QuantTarget) -> str:
        clause_text = self._without_units(self.tree.clause(target.clause_id).text)
        sentence = next((sentence for sentence in _SENTENCE.findall(clause_text) if target.phrase in sentence), "")
        sentence = self._strip_field(sentence.strip()).rstrip("。；;")
        if sentence and len(sentence) <= self.target_sentence_chars:
            return sentence
        deadline = f"{target.deadline}，" if target.deadline and target.deadline not in target.phrase else ""
        return deadline + target.phrase

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
        counted = self.lexicon.cues("count", query.folded)
        for item in items:
            clauses = self.tree.clauses_of(item)
            measures = [clause for clause in clauses if clause.kind == ClauseKind.MEASURE]
            # "列了几条？第一条是…" asks for all of them: the count, then each.
            if query.measure_number and query.items and not counted:
                wanted = [clause for clause in measures if clause.id.endswith(f".{query.measure_number}")]
                if wanted:
                    lines.append(f"{self.heading(item)}：")
                    lines.append(wanted[0].text)
                    citations.append((wanted[0], 1.0))
                    continue
            if counted and measures:
                lines.append(self.templates["measures_counted"].format(heading=self.heading(item),
                                                                       count=count_text(len(measures))))
            else:
                lines.append(self.templates["measures"].format(heading=self.heading(item)))
            head = self._head(item)
            if not query.items and head.targets and self._has_target_field(item):
                lines.append("目标：" + "；".join(dict.fromkeys(t.phrase for t in head.targets)) + "。")
                citations.append((head, 1.0))
            # An item the question names is told in full: its own text (一是……二是……), then its measures.
            budget = NAMED_ITEM_CHARS if query.items else ITEM_CONTENT_CHARS
            prose = self._item_prose(item)
            if query.items and len(prose) >= MIN_PROSE_CHARS:
                lines.append(self._first_sentences(prose, budget))
                citations.append((head, 1.0))
            if measures:
                if query.items and len(measures) <= MAX_MEASURES_TOLD:
                    # A named item's few measures are told, not only headlined (1.实施…工程。每年培养20名…).
                    share = max(MIN_MEASURE_CHARS, NAMED_ITEM_CHARS // len(measures))
                    lines.extend(self._told(clause, share) for clause in measures)
                else:
                    lines.extend(self._measure_headline(clause) for clause in measures)
                if query.items and head not in measures:   # the item named: its own clause states its title
                    citations.append((head, 1.0))
                citations.extend((clause, 1.0) for clause in measures)
            elif not (query.items and len(prose) >= MIN_PROSE_CHARS):
                lines.append(self._told(head, budget))
                citations.append((head, 1.0))
        return "\n".join(lines), citations

    def clause_heading(self, clause: Clause) -> str:
        return self.heading(self.tree.item(clause.item_id)) if clause.item_id else (clause.path[-1] if clause.path else "")

    def _title_matches(self, item: Item, query: Query) -> bool:
        # Words of the document's title name the document, not an item (美育 in 美育浸润行动实施方案).
        terms = [term for term in self.reader.topic_words(query) if term not in self.reader.title_tokens]
        return self.reader.title_overlap(item, terms) > 0

    def _told(self, clause: Clause, budget: int) -> str:
        """A clause as written, without its unit note, up to ``budget`` characters."""
        return self._first_sentences(self._without_units(clause.text), budget)

    @staticmethod
    def _measure_headline(clause: Clause) -> str:
        first = clause.text.split("。", 1)[0]
        if len(first) > 60:
            first = first[:60].rsplit("，", 1)[0]
            return first + "……"
        return first.rstrip("；;，,") + "。"

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
            if not item.title:
                # An article is quoted as written, its enumeration (（一）…（五）) and what follows it included.
                lines.append(fit_answer("\n".join(self._without_units(clause.text) for clause in clauses),
                                        ARTICLE_CHARS))
                citations.extend((clause, 1.0) for clause in clauses)
                continue
            if self._has_target_field(item):
                lines.append("行动目标：" + self._first_sentences(self._strip_field(self._without_units(head.text)), 200))
            else:
                lines.append(self._told(head, 220))
            if item.responsible_units:
                lines.append(self.templates["item_units"].format(units="、".join(item.responsible_units)))
            citations.append((head, 1.0))
            measures = [clause for clause in clauses if clause.kind == ClauseKind.MEASURE]
            if measures:
                lines.append("具体举措：" + " ".join(self._measure_headline(clause) for clause in measures))
                citations.extend((clause, 0.9) for clause in measures)
        return "\n".join(lines), citations

    @staticmethod
    def _without_units(text: str) -> str:
        # A unit name may hold brackets of its own: （责任单位：市教育局、各区（县）教育局）.
        return re.sub(r"\s*[（(]\s*责任单位(?:[^()（）]|[（(][^()（）]*[)）])*[)）]", "", text).strip()

    def _compose_outline(self) -> tuple[str, list[tuple[Clause, float]]]:
        parts = [part for part in self.tree.parts if part.label]
        chapters = [part for part in parts if part.label.endswith("章")]
        counted = chapters or parts   # a regulation's 附件 is no chapter
        unit = self.templates["outline_unit_chapter" if chapters else "outline_unit_part"]
        articles = [item for item in self.tree.items if item.is_article]
        # …and how many articles, or else numbered items, it holds (十四条 / 十四项).
        numbered = [item for item in self.tree.items if item.part]
        article_count = self.templates["outline_articles"].format(count=count_text(len(articles))) if articles \
            else self.templates["outline_items"].format(count=count_text(len(numbered))) if numbered else ""
        lines = [self.templates["outline"].format(title=self.title, count=count_text(len(counted), unit.startswith("个")),
                                                  unit=unit,
                                                  articles=article_count)]
        # Each part with how many items or articles it holds (二、重点任务（九项）).
        lines += [self.templates["outline_part_articles" if articles else "outline_part_items"].format(
                      heading=part.heading, count=count_text(len(part.item_ids))) if part.item_ids else part.heading
                  for part in parts]
        # Each part is cited by its first clause and by its last item, which shows its count.
        cited: list[Clause | None] = []
        for part in parts:
            cited.append(self._part_clause(part))
            if part.item_ids:
                cited.append(self._head(self.tree.item(part.item_ids[-1])))
        cited += [self._head(item) for item in (articles or numbered)[-1:]]
        return "\n".join(lines), [(clause, 1.0) for clause in cited if clause is not None]

    def _part_clause(self, part: Part) -> Clause | None:
        """The first clause of a part: its own text, else its first item's."""
        clause_ids = list(part.clause_ids) or [self.tree.item(item_id).clause_ids[0] for item_id in part.item_ids[:1]]
        return self.tree.clause(clause_ids[0]) if clause_ids else None

    def _compose_list(self, query: Query, hits: list[Hit]):
        if query.outline and (not query.parts or self.lexicon.cues("outline_parts", query.folded)):
            return self._compose_outline()
        if self.reader.asks_all_targets(query.folded) and not query.parts:
            lines = [self.templates["all_targets"].format(title=self.title, this=self.this)]
            citations = []
            for item in self.tree.items:
                targets = [target for clause in self.tree.clauses_of(item) for target in clause.targets]
                if targets:
                    lines.append(f"{item.label}{item.title}：" + "；".join(dict.fromkeys(t.phrase for t in targets)) + "。")
                    citations.extend((self.tree.clause(cid), 1.0) for cid in dict.fromkeys(t.clause_id for t in targets))
            return "\n".join(lines), citations
        if self.reader.asks_all_units(query.folded) and not query.parts:
            units = self.tree.responsible_units
            text = self.templates["all_units"].format(title=self.title, this=self.this, count=count_text(len(units)),
                                                      units="、".join(units))
            items = [item for item in self.tree.items if item.responsible_units]
            return text, [pair for item in items for pair in self._unit_sources(item)]
        lines: list[str] = []
        citations: list[tuple[Clause, float]] = []
        for part in query.parts or self.main_parts():
            items = self.tree.items_in(part)
            lines.append(self.templates["list"].format(title=self.title, this=self.this, part=self._part_name(part),
                                                       count=count_text(len(items)), unit=self._entry_unit(items)))
            lines.extend(self._item_name(item) for item in items)
            lines, citations = self._with_count_statement(part, lines, citations)
            # The part's own heading clause (一、提高认识，明确任务。) first, when it has one.
            citations.extend((self.tree.clause(clause_id), 1.0) for clause_id in part.clause_ids[:1])
            citations.extend((self._head(item), 1.0) for item in items)
        return "\n".join(lines), citations

    @staticmethod
    def _part_name(part: Part) -> str:
        """A chapter or a 部分 by its number and title (第六章监督考核), another part by its title."""
        return part.heading if part.label.startswith("第") else (part.title or part.heading)

    def _entry_unit(self, items: list[Item]) -> str:
        """Articles are counted in 条, other entries in 项."""
        articles = items and all(item.is_article for item in items)
        return self.templates["outline_unit_article" if articles else "outline_unit_item"]

    def _with_count_statement(self, part: Part, lines: list[str], citations: list[tuple[Clause, float]]):
        """Where the document itself states how many items a part has (实施七项攻坚行动), quote and cite it."""
        count = len(part.item_ids)
        pattern = re.compile(rf"(?:{count_text(count)}|{count})\s*[项个大]\s*{re.escape(fold(part.title))}")
        for clause in self.tree.clauses:
            if clause.item_id and clause.item_id in part.item_ids:
                continue
            sentence = next((sentence for sentence in _SENTENCE.findall(self._without_units(clause.text))
                             if pattern.search(fold(sentence))), "")
            if sentence:
                quoted = self._first_sentences(sentence, 120)
                return lines + [self.templates["count_statement"].format(sentence=quoted)], \
                    citations + [(clause, 0.9)]
        return lines, citations

    def _compose_count(self, query: Query, hits: list[Hit]):
        if self.reader.asks_all_units(query.folded) and not query.parts:
            return self._compose_list(query, hits)
        lines: list[str] = []
        citations: list[tuple[Clause, float]] = []
        for part in query.parts:
            items = self.tree.items_in(part)
            lines.append(self.templates["count"].format(
                title=self.title, this=self.this, part=self._part_name(part), count=count_text(len(items)),
                unit=self._entry_unit(items), titles="；".join(self._item_name(item) for item in items)))
            lines, citations = self._with_count_statement(part, lines, citations)
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
        document = self.tree.document
        sources = self.document_sources()
        if not sources:
            return self._compose_topic(query, hits)
        templates = self.templates
        details = "".join([templates["document_issuer"].format(issuer=document.issuer) if document.issuer else "",
                           templates["document_date"].format(date=document.date) if document.date else ""])
        text = templates["document"].format(
            title=document.title, details=details + templates["document_issued"] if details else "",
            number=templates["document_number"].format(number=document.doc_number) if document.doc_number else "",
            public=templates["document_public"] if any("主动公开" in clause.text for clause in sources) else "")
        # The header's own dated lines say more than the record: 发布时间 beside 成文日期, 自…起施行.
        stated = [(sentence.strip(), clause) for clause in self._header_clauses()
                  for sentence in _SENTENCE.findall(clause.text) if _DATED.search(sentence)]
        extra = [(sentence, clause) for sentence, clause in stated if not all(
            fact in text for fact in _DATED.findall(sentence))][:2]
        # … and its other lines answer what else the question asks of the header (发布时间、来源, 哪次会议).
        terms = whole_words(term for term in query.topic_terms if len(term) >= 2)
        # The header, and the closing clauses where a document says when it takes effect, for how
        # long, and what it replaces (自…起施行，有效期5年；…同时废止).
        closing = list(self.tree.clauses[-CLOSING_CLAUSES:])
        matched = sorted(((sum(len(term) for term in terms if term in fold(sentence.text)), sentence.text, clause)
                          for clause in dict.fromkeys(self._header_clauses() + closing)
                          for sentence in sentences_of(clause)),
                         key=lambda found: -found[0])
        extra += [(sentence, clause) for score, sentence, clause in matched[:3]
                  if score >= 2 and sentence not in text and all(sentence != other for other, _ in extra)]
        # A joint issuer (教育部等九部门) is named in full where the header lists its members.
        joint = self._joint_issuers()
        if joint is not None and all(joint[0] != sentence for sentence, _ in extra):
            extra.insert(0, joint)
        lines = [text] + [templates["document_stated"].format(sentence=sentence) for sentence, _ in extra]
        return "\n".join(lines), [(clause, 1.0) for clause in dict.fromkeys(sources + [c for _, c in extra])]

    def _joint_issuers(self) -> tuple[str, Clause] | None:
        """The header sentence that lists the members of an issuer written as 教育部等九部门."""
        issuer = self.tree.document.issuer
        if "等" not in issuer:
            return None
        first = issuer.split("等", 1)[0]
        listing = [(sentence.text.count("、"), sentence.text, clause) for clause in self._header_clauses()
                   for sentence in sentences_of(clause) if first in sentence.text and sentence.text.count("、") >= 2]
        if not listing:
            return None
        _, sentence, clause = max(listing, key=lambda found: found[0])
        return sentence, clause

    def _header_clauses(self) -> list[Clause]:
        return [clause for clause in self.tree.clauses if clause.kind in (ClauseKind.NOTICE, ClauseKind.PREAMBLE)]

    def document_sources(self) -> list[Clause]:
        """The clauses that state the document's issuer, date and 文号 (the notice, a web page's
        发布时间 line, a signature)."""
        if self._document_sources is None:
            self._document_sources = self._find_document_sources()
        return self._document_sources

    def _find_document_sources(self) -> list[Clause]:
        document = self.tree.document
        facts = [fact for fact in (document.issuer, document.date, document.doc_number) if fact]
        # For each fact, the first clause that states it (the date may be only in the signature).
        found = [next((clause for clause in self.tree.clauses
                       if fold(fact) in fold(clause.text) or fold(fact) in fold(clause.section)), None)
                 for fact in facts]
        return list(dict.fromkeys(clause for clause in found if clause is not None))

    # Evidence sentences quoted for a topic: those scoring at least this share of the best, in at
    # most this many clauses, within this many characters.
    evidence_share = 0.7
    target_share = 0.6
    part_share = 0.85       # for a question within the question: its next-best sentence, when nearly as good
    evidence_clauses = 3
    evidence_chars = 420

    def _compose_topic(self, query: Query, hits: list[Hit]):
        """The sentences that best answer the question, grouped by their clause, best clause first."""
        ranked = self.evidence(query, hits)
        if not ranked:
            return "", []
        best = ranked[0].score
        chosen: dict[str, list[Evidence]] = {}
        used = 0
        best_item = ranked[0].sentence.clause.item_id
        asked_terms = [term for term in query.terms if len(term) >= 2 and not self.reader.names_structure_word(term)]
        for evidence in ranked:
            if used + len(evidence.sentence.text) > self.evidence_chars:
                break
            # The target of the item the best sentence is in says what it aims at (建成…老年大学，
            # 办学规模达到3000人): it is quoted at a lower share.
            is_target = bool(best_item) and evidence.sentence.clause.id == best_item and \
                fold(evidence.sentence.text).startswith(_TARGET_FIELDS)
            if evidence.score < (self.target_share if is_target else self.evidence_share) * best:
                continue
            clause_id = evidence.sentence.clause.id
            # Another clause is cited for a sentence as good as the best clause's other sentences (a
            # worry often has its answer in two places: a camera parents can watch; parents at lunch),
            # when that sentence shares a word with the question or a policy term it implies (not only
            # its clause's retrieval rank). The covering notice or the preamble only ever answers
            # first: their dates and numbers are the document's, not the answer's.
            if clause_id not in chosen and chosen and (
                    len(chosen) == self.evidence_clauses
                    or evidence.sentence.clause.kind in (ClauseKind.NOTICE, ClauseKind.PREAMBLE)
                    or not any(term in fold(evidence.sentence.text) for term in asked_terms)):
                continue
            chosen.setdefault(clause_id, []).append(evidence)
            used += len(evidence.sentence.text)
        if not chosen:   # the best sentence alone is longer than the budget
            chosen = {ranked[0].sentence.clause.id: ranked[:1]}
        # Each question within the question gets its best sentence (the whole question's ranking may
        # favour one of them).
        quoted = {evidence.sentence for group in chosen.values() for evidence in group}
        for part in self._asked_parts(query):
            ranked_part = self.evidence(query, hits, within=part)
            found = [evidence for evidence in ranked_part if evidence.score >= self.part_share * ranked_part[0].score
                     and evidence.sentence not in quoted][:1]
            if found and used + len(found[0].sentence.text) <= self.evidence_chars + PART_EXTRA_CHARS:
                chosen.setdefault(found[0].sentence.clause.id, []).append(found[0])
                quoted.add(found[0].sentence)
                used += len(found[0].sentence.text)
        asks_list = self.lexicon.cues("list", query.folded) or "哪些" in query.folded
        followers_wanted = LIST_FOLLOWERS if asks_list else HEADLINE_FOLLOWERS
        lines: list[str] = []
        citations: list[tuple[Clause, float]] = []
        for group in chosen.values():
            clause = group[0].sentence.clause
            # A part of a sentence is quoted with the rest of its sentence when that is short.
            sentences = [part for evidence in group
                         for part in self.evidence_finder.whole_sentence(evidence.sentence, WHOLE_SENTENCE_CHARS)]
            # A headline says what follows; what follows answers (构建三个育人体系。 → the three;
            # 按距离分档发放： → ① ② ③, which may be clauses of their own).
            followers = [after for sentence in sentences if is_headline(sentence)
                         for after in self.evidence_finder.following(sentence, followers_wanted)]
            own = sentences + [after for after in followers if after.clause.id == clause.id]
            under = [after for after in followers if after.clause.id != clause.id and after.clause.id not in chosen]
            # A short clause (an article of two sentences) is quoted whole: its other sentence often
            # answers the other half of the question.
            whole = self._without_units(clause.text)
            excerpt = whole if len(whole) <= SHORT_CLAUSE_CHARS and "\n" not in whole else \
                self._excerpt(list({sentence.position: sentence for sentence in own}.values()))
            excerpt += "".join(self._without_units(after.text) for after in under)
            if not excerpt:
                continue
            lines.append(self.templates["topic"].format(heading=self.clause_heading(clause)) +
                         fit_answer(excerpt, self.evidence_chars))
            citations.append((clause, group[0].score))
            citations.extend((after.clause, group[0].score) for after in under)
        return "\n".join(lines), citations

    def _excerpt(self, sentences: list[Sentence]) -> str:
        """Sentences of one clause in their order; a gap between them is marked "……"."""
        out, previous = "", None
        for sentence in sorted(sentences, key=lambda sentence: sentence.position):
            text = self._without_units(sentence.text).strip()
            if not text:
                continue
            gap = previous is not None and sentence.position != previous + 1
            out += ("……" if gap else "") + text
            previous = sentence.position
        return out


_NUMBER_TAIL = re.compile(r"[\d.．:：%％]+$")


def _holds_shape(text: str, query: Query) -> bool:
    """Whether the text holds one of the shapes of answer the question asks for (an amount, a time)."""
    return any(SHAPE_PATTERNS[shape].search(text) for shape in query.shapes)


def _of_measure(clause_id: str, measure_id: str) -> bool:
    """The measure's own clause or one under it (二（一）.1（3）③ of 二（一）.1, not 二（一）.10)."""
    return clause_id == measure_id or (clause_id.startswith(measure_id) and not clause_id[len(measure_id)].isdigit())


def fit_answer(text: str, limit: int = MAX_ANSWER_CHARS, more: str = "……") -> str:
    """Cut an over-long answer at a line or sentence boundary."""
    if len(text) <= limit:
        return text
    cut = text[: limit - len(more)]
    boundary = max(cut.rfind("\n"), cut.rfind("。"), cut.rfind("；"))
    if boundary > limit // 2:
        return cut[: boundary + 1] + more
    # Never a piece of a number: 85.2 cut to 8 would state a figure the policy does not give.
    return _NUMBER_TAIL.sub("", cut) + more


def to_citations(cited: list[tuple[Clause, float]]) -> tuple[Citation, ...]:
    seen: dict[tuple[str, str], Citation] = {}
    for clause, score in cited:
        if (clause.document.id, clause.id) not in seen:
            seen[(clause.document.id, clause.id)] = Citation(id=clause.id, document=clause.document.id,
                                       document_title=clause.document.title, section=clause.section,
                                       text=clause.text, score=round(float(score), 4))
    return tuple(seen.values())
