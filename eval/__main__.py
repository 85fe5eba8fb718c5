"""``python -m eval``: score the assistant (or a JSONL file of answers) on the gold set.

    python -m eval                         # our pipeline, all questions
    python -m eval --split test            # only the held-out part
    python -m eval --answers answers.jsonl # answers produced elsewhere (JSON contract, one per line)
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .score import GOLD, judge, load_gold, summarise


def _our_answers(items, mode: str) -> list[dict]:
    from assistant.engine import Assistant
    from assistant.retrieval import RetrievalMode

    assistant = Assistant.load(mode=RetrievalMode.parse(mode))
    return [assistant.ask(item.question, list(item.history)).to_dict() for item in items]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval", description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=["dev", "test", "all"], default="all")
    parser.add_argument("--gold", type=Path, default=GOLD)
    parser.add_argument("--answers", type=Path, help="JSONL answers in gold order (question must match)")
    parser.add_argument("--mode", default="hybrid", help="retrieval mode of our pipeline: hybrid, bm25, dense")
    parser.add_argument("--show-failures", action="store_true")
    args = parser.parse_args(argv)
    items = load_gold(args.gold, args.split)
    if args.answers:
        try:
            by_question = {}
            for line in args.answers.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    record = json.loads(line)
                    by_question[record["question"]] = record
        except (OSError, ValueError, KeyError) as error:
            print(f"error: cannot read answers from {args.answers}: {error}", file=sys.stderr)
            return 2
        answers = [by_question.get(item.question, {"answer": "", "refused": False, "citations": []})
                   for item in items]
    else:
        answers = _our_answers(items, args.mode)
    from assistant.parser import parse_policy_file
    from assistant.settings import Settings

    units = parse_policy_file(Settings().corpus[0]).responsible_units + ["区政府督查室"]
    verdicts = [judge(item, answer, units) for item, answer in zip(items, answers)]
    summary = summarise(verdicts)
    print(json.dumps(summary, ensure_ascii=False, indent=2))
    if args.show_failures:
        for verdict, answer in zip(verdicts, answers):
            if not verdict.correct or verdict.ungrounded:
                print(f"--- {verdict.item.id} [{verdict.item.category}] {verdict.item.question}")
                print(f"    refusal_ok={verdict.refusal_ok} facts_ok={verdict.facts_ok} cite_ok={verdict.cite_ok} "
                      f"ungrounded={verdict.ungrounded} cited={[c['id'] for c in answer.get('citations', [])]}")
                print("    " + answer.get("answer", "").replace("\n", "\n    "))
    return 0


if __name__ == "__main__":
    sys.exit(main())
