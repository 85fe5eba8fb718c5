"""Score answers that follow the JSON contract against a gold set.

Two kinds of gold item share one judge:

- *clause gold* (``eval/gold.jsonl``, one document): ``cite`` lists clause ids the answer must cite
  (a citation of ``四（五）.1`` counts for ``四（五）``);
- *library gold* (``eval/library_gold.jsonl``, many documents): ``evidence`` lists verbatim text the
  cited clauses must contain, and ``documents`` the documents every citation must come from.

A fact may list equivalent forms separated by ``|`` (``22|二十二``): any one counts. Facts and
evidence are compared after folding (simplified, NFKC, no spaces). An answer is *fully correct* when
its refusal matches and, for an answerable question, it contains every fact and meets every citation
requirement; a library answer must also cite only its gold documents and be grounded.

A gold line may also give ``scope`` (the document the asker picked, passed as ``document``) and
``unspecified`` (the document covers the topic but not the detail asked: a correct answer says so).
Three answer-quality figures are kept besides: *lead correct* (the first fact, the key one, is within the
first ``LEAD_CHARS`` characters; for an ``unspecified`` item, the statement that the detail is not set),
*citation precision* (the share of citations that carry the answer: for library gold a citation holding
an evidence string or a fact, for clause gold a citation of a gold clause) and *false refusals*.
"""

from __future__ import annotations

import json
import statistics
from dataclasses import dataclass, field
from pathlib import Path

from assistant.grounding import ungrounded
from assistant.parser import cooperating_units, responsible_units
from assistant.text import fold

HERE = Path(__file__).resolve().parent
GOLD = HERE / "gold.jsonl"
LIBRARY_GOLD = HERE / "library_gold.jsonl"
MAX_ANSWER_CHARS = 600
LEAD_CHARS = 150
# How an answer says that a policy sets no such detail (the judge's own list, not the product's wording).
NOT_SET_PHRASES = ("没有规定", "未规定", "没有明确", "未明确", "没有具体", "未作具体", "没有专门", "未专门",
                   "没有提到", "未提到", "未提及", "没有提及", "没有写", "未写明", "没有写明", "未作规定",
                   "没有列出", "未列出", "不推荐")
_COMMON_KEYS = ("id", "split", "category", "question", "facts", "refused")


@dataclass(frozen=True)
class GoldItem:
    id: str
    split: str
    category: str
    question: str
    facts: tuple[str, ...]
    refused: bool
    cite: tuple[str, ...] = ()                  # clause gold: clause ids to cite
    history: tuple[str, ...] = ()
    documents: tuple[str, ...] | None = None    # library gold: documents the answer must come from
    evidence: tuple[str, ...] = ()              # library gold: text the cited clauses must contain
    scope: str | None = None                    # the document the asker picked (None: the whole library)
    unspecified: bool = False                   # the topic is covered, the detail asked is not

    @property
    def is_library(self) -> bool:
        return self.documents is not None

    @property
    def required_citations(self) -> tuple[str, ...]:
        """What the citations must cover: evidence strings (library) or clause ids."""
        return self.evidence if self.is_library else self.cite


def _strings(data: dict, key: str) -> tuple[str, ...]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(entry, str) for entry in value):
        raise ValueError(f"{key!r} must be a list of strings")
    return tuple(value)


def gold_item(data: dict) -> GoldItem:
    """One gold line: clause gold when it has ``cite``, else library gold (``documents``, ``evidence``)."""
    if not isinstance(data, dict):
        raise ValueError("a gold line must be a JSON object")
    kind_keys = ("cite",) if "cite" in data else ("documents", "evidence")
    missing = [key for key in (*_COMMON_KEYS, *kind_keys) if key not in data]
    if missing:
        raise ValueError(f"missing {', '.join(missing)}")
    common = dict(id=str(data["id"]), split=str(data["split"]), category=str(data["category"]),
                  question=str(data["question"]), facts=_strings(data, "facts"), refused=bool(data["refused"]),
                  history=_strings(data, "history"), unspecified=bool(data.get("unspecified", False)))
    scope = data.get("scope")
    if scope is not None and not isinstance(scope, str):
        raise ValueError("'scope' must be a document id or null")
    if "cite" in data:
        return GoldItem(**common, cite=_strings(data, "cite"), scope=scope)
    return GoldItem(**common, documents=_strings(data, "documents"), evidence=_strings(data, "evidence"), scope=scope)


def load_gold(path: Path = GOLD, split: str | None = None) -> list[GoldItem]:
    """The gold items of ``path`` (of one split, unless ``split`` is None or "all"); ValueError names a bad line."""
    items = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = gold_item(json.loads(line))
        except ValueError as error:
            raise ValueError(f"line {number}: {error}") from None
        if split in (None, "all", item.split):
            items.append(item)
    return items


def _cited_text(citation: dict) -> str:
    """What a citation shows, for grounding: its document title, section and text."""
    return "\n".join(str(citation.get(key, "")) for key in ("document_title", "section", "text"))


def _cites_clause(citations: list[dict], clause_id: str) -> bool:
    ids = [str(citation.get("id", "")) for citation in citations]
    return any(cid == clause_id or cid.startswith(clause_id + ".") for cid in ids)


def _cites_evidence(citations: list[dict], evidence: str) -> bool:
    wanted = fold(evidence)
    return any(wanted in fold(str(c.get("section", ""))) or wanted in fold(str(c.get("text", "")))
               for c in citations)


def _covered(item: GoldItem, citations: list[dict]) -> list[bool]:
    """For each required citation of ``item``: is it covered by ``citations``?"""
    covers = _cites_evidence if item.is_library else _cites_clause
    return [covers(citations, required) for required in item.required_citations]


def _has_fact(folded_answer: str, fact: str) -> bool:
    return any(fold(form) in folded_answer for form in fact.split("|"))


def _says_not_set(folded_text: str) -> bool:
    return any(phrase in folded_text for phrase in NOT_SET_PHRASES)


def _lead_ok(item: GoldItem, text: str) -> bool | None:
    """Is the key fact (or, for an ``unspecified`` item, that the detail is not set) in the lead?"""
    lead = fold(text[:LEAD_CHARS])
    if item.unspecified:
        return _says_not_set(lead)
    return _has_fact(lead, item.facts[0]) if item.facts else None


def _carries(item: GoldItem, citation: dict) -> bool:
    """Does a citation carry the answer: hold an evidence string or a fact (library), or a gold clause?"""
    if not item.is_library:
        return any(_cites_clause([citation], clause_id) for clause_id in item.cite)
    shown = fold(str(citation.get("section", "")) + str(citation.get("text", "")))
    return (any(fold(evidence) in shown for evidence in item.evidence)
            or any(_has_fact(shown, fact) for fact in item.facts))


def _share(values: list[bool]) -> float | None:
    """Share of true values; None (undefined) when there is nothing to count."""
    return round(sum(values) / len(values), 4) if values else None


def unit_names_cited(answers: list[dict]) -> list[str]:
    """Unit names in the 责任单位/牵头单位/配合单位 notes of every citation of ``answers`` (read as the
    parser reads them)."""
    names: dict[str, None] = {}
    for answer in answers:
        for citation in answer.get("citations") or []:
            text = str(citation.get("text", ""))
            names.update(dict.fromkeys(name for name in responsible_units(text) + cooperating_units(text)
                                       if len(name) >= 2))
    return list(names)


@dataclass
class Verdict:
    item: GoldItem
    refusal_ok: bool
    facts_ok: bool
    cite_ok: bool
    hit_at_1: bool
    hit_at_3: bool
    over_length: bool
    ungrounded: list[str] = field(default_factory=list)
    latency_ms: float = 0.0
    facts_share: float | None = None          # share of the gold facts in the answer
    citation_recall: float | None = None      # share of the required citations covered
    document_precision: float | None = None   # share of citations from the gold documents (library gold)
    foreign_documents: list[str] = field(default_factory=list)  # cited documents outside the gold ones
    lead_ok: bool | None = None               # key fact within the first LEAD_CHARS characters
    citation_precision: float | None = None   # share of the citations that carry the answer

    @property
    def documents_ok(self) -> bool:
        return not self.foreign_documents

    @property
    def correct(self) -> bool:
        if self.item.refused:
            return self.refusal_ok
        answered = self.refusal_ok and self.facts_ok and self.cite_ok
        if self.item.is_library:
            return answered and self.documents_ok and not self.ungrounded
        return answered


def _cited_documents(item: GoldItem, citations: list[dict]) -> list[str]:
    """The document of each citation (library gold; clause gold does not check documents)."""
    return [str(citation.get("document", "")) for citation in citations] if item.is_library else []


def judge(item: GoldItem, answer: dict, unit_names: list[str]) -> Verdict:
    refused = bool(answer.get("refused"))
    text = str(answer.get("answer", ""))
    citations = answer.get("citations") or []
    folded = fold(text)
    facts = [_has_fact(folded, fact) and not refused for fact in item.facts]
    if item.unspecified:
        facts.append(_says_not_set(folded) and not refused)
    covered = [hit and not refused for hit in _covered(item, citations)]
    documents = _cited_documents(item, citations)
    return Verdict(
        item=item,
        refusal_ok=refused == item.refused,
        facts_ok=all(facts) and not refused,
        cite_ok=all(covered) and not refused,
        hit_at_1=any(_covered(item, citations[:1])),
        hit_at_3=any(_covered(item, citations[:3])),
        over_length=len(text) > MAX_ANSWER_CHARS,
        ungrounded=[] if refused else ungrounded(text, [_cited_text(c) for c in citations], unit_names),
        latency_ms=float(answer.get("latency_ms", 0.0)),
        facts_share=_share(facts),
        citation_recall=_share(covered),
        document_precision=_share([document in item.documents for document in documents]),
        foreign_documents=sorted({document for document in documents if document not in item.documents}),
        lead_ok=None if item.refused else _lead_ok(item, text) and not refused,
        citation_precision=None if item.refused or refused else _share([_carries(item, c) for c in citations]),
    )


def percentile(values: list[float], fraction: float) -> float:
    """The value below which ``fraction`` of ``values`` lie (nearest rank, no interpolation)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def _mean(values: list[float | None]) -> float | None:
    """Mean of the defined values; None when none is defined."""
    defined = [value for value in values if value is not None]
    return round(statistics.fmean(defined), 4) if defined else None


def _metrics(verdicts: list[Verdict]) -> dict:
    answerable = [v for v in verdicts if not v.item.refused]
    said_refused = [v for v in verdicts if v.refusal_ok == v.item.refused]
    true_refusals = [v for v in verdicts if v.item.refused and v.refusal_ok]
    latencies = [v.latency_ms for v in verdicts] or [0.0]
    return {
        "questions": len(verdicts),
        "overall": _share([v.correct for v in verdicts]),
        "facts": _share([v.facts_ok for v in answerable]),
        "citation": _share([v.cite_ok for v in answerable]),
        "hit_at_1": _share([v.hit_at_1 for v in answerable]),
        "hit_at_3": _share([v.hit_at_3 for v in answerable]),
        "facts_share": _mean([v.facts_share for v in answerable]),
        "lead_correct": _share([v.lead_ok for v in answerable if v.lead_ok is not None]),
        "citation_precision": _mean([v.citation_precision for v in answerable]),
        "false_refusals": sum(not v.refusal_ok for v in answerable),
        "citation_recall": _mean([v.citation_recall for v in answerable]),
        # library gold only: None on clause gold and for a system that never cites
        "document_precision": _mean([v.document_precision for v in answerable]),
        # undefined (None) for a system that never refuses
        "refusal_precision": round(len(true_refusals) / len(said_refused), 4) if said_refused else None,
        "refusal_recall": _share([v.refusal_ok for v in verdicts if v.item.refused]),
        "over_600_chars": sum(v.over_length for v in verdicts),
        "ungrounded_answers": sum(bool(v.ungrounded) for v in verdicts),
        "p50_ms": round(statistics.median(latencies), 2),
        "p95_ms": round(percentile(latencies, 0.95), 2),
    }


def summarise(verdicts: list[Verdict]) -> dict:
    """Every metric over all verdicts; ``by_category`` (fully correct) and ``category_metrics``
    (every metric) per category."""
    by_category = {}
    for verdict in verdicts:
        by_category.setdefault(verdict.item.category, []).append(verdict)
    categories = sorted(by_category)
    return {
        **_metrics(verdicts),
        "by_category": {c: _share([v.correct for v in by_category[c]]) for c in categories},
        "category_metrics": {c: _metrics(by_category[c]) for c in categories},
    }
