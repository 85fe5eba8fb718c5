"""Score answers that follow the JSON contract against the gold set.

A gold item says which facts an answer must contain, which clauses it must cite and whether it
must be refused. A fact may list equivalent forms separated by ``|`` (``22|二十二``): any one counts. An answer is *fully correct* when its refusal matches and, for an answerable
question, it contains every fact (compared after folding: simplified, NFKC, no spaces) and cites
every required clause (a citation of ``四（五）.1`` counts for ``四（五）``).
"""

from __future__ import annotations

import json
import statistics
from dataclasses import dataclass, field
from pathlib import Path

from assistant.grounding import ungrounded
from assistant.text import fold

GOLD = Path(__file__).resolve().parent / "gold.jsonl"
MAX_ANSWER_CHARS = 600


@dataclass(frozen=True)
class GoldItem:
    id: str
    split: str
    category: str
    question: str
    facts: tuple[str, ...]
    cite: tuple[str, ...]
    refused: bool
    history: tuple[str, ...] = ()


def load_gold(path: Path = GOLD, split: str | None = None) -> list[GoldItem]:
    items = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            data = json.loads(line)
            item = GoldItem(id=data["id"], split=data["split"], category=data["category"],
                            question=data["question"], facts=tuple(data["facts"]), cite=tuple(data["cite"]),
                            refused=bool(data["refused"]), history=tuple(data.get("history", ())))
            if split in (None, "all", item.split):
                items.append(item)
    return items


def _cites(citation_ids: list[str], required: str) -> bool:
    return any(cid == required or cid.startswith(required + ".") for cid in citation_ids)


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

    @property
    def correct(self) -> bool:
        if self.item.refused:
            return self.refusal_ok
        return self.refusal_ok and self.facts_ok and self.cite_ok


def judge(item: GoldItem, answer: dict, unit_names: list[str]) -> Verdict:
    refused = bool(answer.get("refused"))
    text = str(answer.get("answer", ""))
    citations = answer.get("citations") or []
    ids = [str(citation.get("id", "")) for citation in citations]
    folded = fold(text)
    facts_ok = all(any(fold(form) in folded for form in fact.split("|")) for fact in item.facts)
    cite_ok = all(_cites(ids, required) for required in item.cite)
    first = item.cite[0] if item.cite else None
    cited_texts = [f"{c.get('section', '')}\n{c.get('text', '')}" for c in citations]
    return Verdict(
        item=item,
        refusal_ok=refused == item.refused,
        facts_ok=facts_ok and not refused,
        cite_ok=cite_ok and not refused,
        hit_at_1=bool(first) and _cites(ids[:1], first) or any(_cites(ids[:1], r) for r in item.cite),
        hit_at_3=any(_cites(ids[:3], r) for r in item.cite),
        over_length=len(text) > MAX_ANSWER_CHARS,
        ungrounded=[] if refused else ungrounded(text, cited_texts, unit_names),
        latency_ms=float(answer.get("latency_ms", 0.0)),
    )


def _rate(values: list[bool]) -> float | None:
    """Share of true values; None (undefined) when there is nothing to count."""
    return round(sum(values) / len(values), 4) if values else None


def percentile(values: list[float], fraction: float) -> float:
    """The value below which ``fraction`` of ``values`` lie (nearest rank, no interpolation)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def _metrics(verdicts: list[Verdict]) -> dict:
    answerable = [v for v in verdicts if not v.item.refused]
    said_refused = [v for v in verdicts if (v.refusal_ok and v.item.refused) or (not v.refusal_ok and not v.item.refused)]
    true_refusals = [v for v in verdicts if v.item.refused and v.refusal_ok]
    latencies = [v.latency_ms for v in verdicts] or [0.0]
    return {
        "questions": len(verdicts),
        "overall": _rate([v.correct for v in verdicts]),
        "facts": _rate([v.facts_ok for v in answerable]),
        "citation": _rate([v.cite_ok for v in answerable]),
        "hit_at_1": _rate([v.hit_at_1 for v in answerable]),
        "hit_at_3": _rate([v.hit_at_3 for v in answerable]),
        # undefined (None) for a system that never refuses
        "refusal_precision": round(len(true_refusals) / len(said_refused), 4) if said_refused else None,
        "refusal_recall": _rate([v.refusal_ok for v in verdicts if v.item.refused]),
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
        "by_category": {c: _rate([v.correct for v in by_category[c]]) for c in categories},
        "category_metrics": {c: _metrics(by_category[c]) for c in categories},
    }
