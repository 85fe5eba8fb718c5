"""Sentence-level evidence: the sentences of one document that carry the answer to a question.

Clauses are long; the answer to "送教上门多久一次" is one sentence of a measure, not its opening.
A document's clauses are split into sentences (at 。；！？ and line ends, verbatim), and for a question
each sentence is ranked by

- BM25 over the document's sentences, words matched as written (substrings, so no tokenizer decides
  whether 食品安全监管 holds 食品安全): the user's own words, plus (at a lower weight) the policy
  terms the lexicon adds for everyday wording;
- the retrieval score of its clause (dense + BM25 over clauses), so the sense of the whole clause counts;
- whether it holds what the question asks for: an amount ("多少", "几所") or a time ("什么时候").

    >>> finder = EvidenceFinder(tree)                               # doctest: +SKIP
    >>> [e.sentence.text for e in finder.rank(EvidenceQuery(("送教",), (), frozenset({Shape.AMOUNT})), hits)][:1]
    ['①每生每月送教不少于4次、每次不少于2小时；']                                # doctest: +SKIP
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from .records import Choice, Clause, Hit, PolicyTree
from .text import fold

# A sentence ends at 。；！？ or a line end; its closing mark stays with it.
_SENTENCE = re.compile(r"[^。；！？!?\n]+[。；！？!?]?")
# An amount: a number with a measure word or a percentage (36所, 4800个, 92%, 1:3, 三年, 1.5倍).
_AMOUNT = re.compile(r"\d+(?:\.\d+)?\s*(?:%|％|[:：]\s*\d+|[^\d\s，。；、（）()]{1,2})|"
                     r"[一二三四五六七八九十百千万两]+\s*(?:个|所|名|人|次|项|年|月|天|周|倍|节|学时|课时|小时|分钟|成)")
# A time: a year, a date, a deadline or a period (2025年底前, 每学期, 3个工作日内).
_TIME = re.compile(r"(?:19|20)\d\d\s*年|\d{1,2}\s*月|\d{1,2}\s*时|[底前内]|每(?:年|月|周|学期|学年|天|日)|工作日|小时|分钟|"
                   r"[一二三四五六七八九十\d]+\s*(?:年|个月|天|周)")
# A place to go or to apply: a platform, a website, a service window (在哪报名, 去哪办).
_PLACE = re.compile(r"平台|网站|网上|线上|现场|窗口|大厅|服务中心|小程序|公众号|app|APP|地点|场所|登录")
# The title line of a box set beside the text (专栏2　“安心从教”保障工程): its lines follow it.
BOX_TITLE = re.compile(r"^(?:专栏|附表)\s*\d+")
# What one must have or do to qualify (持有居住证并缴纳社会保险满1年, 应当具备下列条件).
_CONDITION = re.compile(r"依据|条件|必须|须|应当|具备|具有|持有|满\s*\d|符合|凭")
# Clause rank (in retrieval) beyond which the clause lends its sentences nothing.
PRIOR_DEPTH = 8
MIN_SENTENCE_CHARS = 4
# BM25's usual constants; words looked up recently are kept per document.
BM25_K1 = 1.2
BM25_B = 0.75
MAX_CACHED_WORDS = 4096
MAX_HEADLINE_CHARS = 20
# A line this short without sentence punctuation is a table cell.
MAX_CELL_CHARS = 12
_SENTENCE_PUNCTUATION = re.compile(r"[。；，,;！？]")
_VALUE = re.compile(r"[\d.%％—\-～~≥≤<>＜＞+]+\s*\S{0,2}")


class Shape(Choice):
    """What a question asks for, beyond its topic."""

    AMOUNT = "amount"    # 多少, 几所, 比例
    TIME = "time"        # 什么时候, 多久, 期限
    PLACE = "place"      # 在哪报名, 去哪里办
    CONDITION = "condition"   # 要满足什么条件, 什么资格


SHAPE_PATTERNS = {Shape.AMOUNT: _AMOUNT, Shape.TIME: _TIME, Shape.PLACE: _PLACE, Shape.CONDITION: _CONDITION}


@dataclass(frozen=True)
class Sentence:
    clause: Clause
    text: str           # verbatim from the clause's text
    position: int       # its order within the clause


@dataclass(frozen=True)
class Evidence:
    sentence: Sentence
    score: float


@dataclass(frozen=True)
class EvidenceQuery:
    """What evidence is searched for: the user's topic words, the policy terms they imply, and the
    shapes of answer the question asks for."""

    own: tuple[str, ...]
    implied: tuple[str, ...] = ()
    shapes: frozenset[Shape] = field(default_factory=frozenset)
    literals: tuple[str, ...] = ()    # folded strings the sentence should contain as written (2020年, 十三五)


def sentences_of(clause: Clause) -> list[Sentence]:
    """The clause's sentences. A table flattened to one cell per line reads as rows: short value cells
    (numbers, then 预期性) join the line before them, so "平均受教育年限（年） | 8.6 | 9.5" is one sentence."""
    texts: list[str] = []
    for line in clause.text.split("\n"):
        line = line.strip()
        if not line:
            continue
        if texts and _is_value_cell(line, in_row=" | " in texts[-1]):
            texts[-1] += " | " + line
            continue
        texts.extend(match.group(0).strip() for match in _SENTENCE.finditer(line))
    return [Sentence(clause, text, position) for position, text in enumerate(t for t in texts if t)
            if len(text) >= MIN_SENTENCE_CHARS]


class EvidenceFinder:
    """Ranks the sentences of one document for a question. Built once per document, on first use."""

    # Weights: the clause's retrieval rank, and a sentence holding the asked shape, relative to the
    # best lexical match (1.0); implied policy terms relative to the user's own words.
    prior_weight = 0.5
    shape_weight = 0.35
    implied_weight = 0.5
    literal_weight = 0.4

    def __init__(self, tree: PolicyTree) -> None:
        self.sentences = [sentence for clause in tree.clauses for sentence in sentences_of(clause)]
        self.folded = [fold(sentence.text) for sentence in self.sentences]
        self.index_of = {(sentence.clause.id, sentence.position): index for index, sentence in enumerate(self.sentences)}
        # A sentence is searched with its parent's heading: ③30公里以上每人每月800元 is about the
        # 乡村教师生活补助 its heading names.
        self.searched = [fold(_parent_heading(sentence.clause)) + " " + text
                         for sentence, text in zip(self.sentences, self.folded)]
        lengths = np.array([len(text) for text in self.searched], dtype=np.float32)
        self.length_norm = 1 - BM25_B + BM25_B * lengths / (lengths.mean() if len(lengths) else 1.0)
        self._frequencies: dict[str, np.ndarray] = {}

    def boxes(self) -> list[Sentence]:
        """The title lines of the document's boxes (专栏1…), in order."""
        return [sentence for sentence in self.sentences if BOX_TITLE.match(sentence.text)]

    def following(self, sentence: Sentence, count: int) -> list[Sentence]:
        """Up to ``count`` sentences after ``sentence``: in its clause, and when the clause ends there,
        in the clauses under it (送教上门要做到： → ①… ②… ③…)."""
        index = self.index_of[(sentence.clause.id, sentence.position)]
        path = sentence.clause.path
        after = []
        for other in self.sentences[index + 1: index + 1 + count]:
            under = len(other.clause.path) > len(path) and other.clause.path[:len(path)] == path
            if (other.clause.id != sentence.clause.id and not under) or BOX_TITLE.match(other.text):
                break
            after.append(other)
        return after

    def whole_sentence(self, sentence: Sentence, max_chars: int) -> list[Sentence]:
        """The parts of the full sentence that ``sentence`` is one ；-separated part of (在高速公路上不得
        超过80公里；…；遇冰雪、雾天…不得超过20公里。), when it is at most ``max_chars`` long; else
        ``sentence`` alone."""
        index = self.index_of[(sentence.clause.id, sentence.position)]
        start = index
        while start > 0 and self._continues(self.sentences[start - 1], sentence.clause):
            start -= 1
        end = index
        while self._continues(self.sentences[end], sentence.clause) and end + 1 < len(self.sentences) \
                and self.sentences[end + 1].clause.id == sentence.clause.id:
            end += 1
        run = self.sentences[start:end + 1]
        return run if sum(len(part.text) for part in run) <= max_chars else [sentence]

    @staticmethod
    def _continues(part: Sentence, clause: Clause) -> bool:
        return part.clause.id == clause.id and part.text.endswith(("；", ";"))

    def _frequency(self, word: str) -> np.ndarray:
        """How often ``word`` occurs in each searched sentence (as written: Chinese words are matched
        as substrings, so 食品安全 is found in 食品安全监管 however a tokenizer would cut it)."""
        if word not in self._frequencies:
            if len(self._frequencies) > MAX_CACHED_WORDS:
                self._frequencies.clear()
            self._frequencies[word] = np.array([text.count(word) for text in self.searched], dtype=np.float32)
        return self._frequencies[word]

    def _lexical(self, words: tuple[str, ...]) -> np.ndarray:
        """BM25 of ``words`` over the sentences."""
        scores = np.zeros(len(self.sentences), dtype=np.float32)
        total = len(self.sentences)
        for word in words:
            frequency = self._frequency(word)
            found = int(np.count_nonzero(frequency))
            if not found:
                continue
            idf = np.log(1 + (total - found + 0.5) / (found + 0.5))
            scores += idf * frequency * (BM25_K1 + 1) / (frequency + BM25_K1 * self.length_norm)
        return scores

    def rank(self, query: EvidenceQuery, hits: list[Hit], limit: int = 8) -> list[Evidence]:
        """The best sentences, best first; only sentences that match a word of the question or belong
        to one of the best retrieved clauses."""
        if not self.sentences:
            return []
        implied = tuple(term for term in query.implied if term not in query.own)
        lexical = self._lexical(query.own) + self.implied_weight * self._lexical(implied)
        top = float(lexical.max())
        lexical = lexical / top if top > 0 else lexical
        prior = {hit.clause.id: 1.0 / (1 + rank) for rank, hit in enumerate(hits[:PRIOR_DEPTH])}
        scored = []
        for index, sentence in enumerate(self.sentences):
            clause_prior = prior.get(sentence.clause.id, 0.0)
            if lexical[index] <= 0 and clause_prior < 0.5 and not any(
                    literal in self.folded[index] for literal in query.literals):
                continue
            shaped = any(SHAPE_PATTERNS[shape].search(sentence.text) for shape in query.shapes)
            literal = sum(literal in self.folded[index] for literal in query.literals)
            score = float(lexical[index]) + self.prior_weight * clause_prior + self.shape_weight * shaped + \
                self.literal_weight * literal
            scored.append(Evidence(sentence, round(score, 6)))
        scored.sort(key=lambda evidence: -evidence.score)
        return scored[:limit]


def _is_value_cell(line: str, in_row: bool) -> bool:
    """A table cell of a row already begun: a short number (85.2, —), or a short word after one (预期性)."""
    if len(line) > MAX_CELL_CHARS or _SENTENCE_PUNCTUATION.search(line):
        return False
    return bool(_VALUE.fullmatch(line)) or in_row


def is_headline(sentence: Sentence) -> bool:
    """A sentence that only names what follows: a clause's short opening (（二）加强资金保障。) or a
    sentence that introduces a list (按学校距县城距离分档发放：)."""
    text = sentence.text.rstrip()
    return text.endswith(("：", ":")) or (sentence.position == 0 and len(text) <= MAX_HEADLINE_CHARS) \
        or bool(BOX_TITLE.match(text))


def _parent_heading(clause: Clause) -> str:
    return clause.path[-2] if len(clause.path) >= 2 else ""


def holds(evidence: list[Evidence], patterns: tuple[re.Pattern, ...]) -> bool:
    """Whether one of the sentences matches every pattern (a detail the question asks for)."""
    return any(all(pattern.search(fold(e.sentence.text)) for pattern in patterns) for e in evidence)
