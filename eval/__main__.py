"""``python -m eval``: score systems that speak the JSON contract on the gold set.

    python -m eval                                   # every system, every question; prints a table
    python -m eval --report eval/report              # ... and writes report.md, summary.json, by_category.png
    python -m eval --systems assistant --split test --show-failures
    python -m eval --answers answers.jsonl           # answers produced elsewhere (one JSON object per line)
    python -m eval --url http://127.0.0.1:7860/api/ask   # a running server that speaks the contract
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from . import report
from .score import GOLD, GoldItem, judge, load_gold, summarise
from .systems import SYSTEMS, AskFunction, http_system, load_system, read_answers

EMPTY_ANSWER = {"answer": "", "refused": False, "citations": []}


class UsageError(Exception):
    """Bad command-line input: reported as one line, exit code 2."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m eval", description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=["dev", "test", "all"], default="all", help="questions to score")
    parser.add_argument("--gold", type=Path, default=GOLD, help="gold set (JSONL)")
    parser.add_argument("--systems", default=",".join(SYSTEMS),
                        help=f"comma-separated, from: {', '.join(SYSTEMS)}")
    parser.add_argument("--answers", type=Path, action="append", default=[],
                        help="score a JSONL file of answers instead (repeatable; named after the file)")
    parser.add_argument("--url", action="append", default=[], help="score an HTTP endpoint instead (repeatable)")
    parser.add_argument("--report", type=Path, help="write report.md, summary.json and charts to this folder")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON instead of a table")
    parser.add_argument("--show-failures", action="store_true", help="print every wrong or ungrounded answer")
    return parser


def _contenders(args) -> dict[str, AskFunction]:
    contenders: dict[str, AskFunction] = {}
    for path in args.answers:
        try:
            answers = read_answers(path)
        except OSError as error:
            raise UsageError(f"cannot read answers from {path}: {error.strerror}") from None
        except ValueError as error:
            raise UsageError(str(error)) from None
        contenders[path.stem] = lambda question, history, answers=answers: answers.get(question, EMPTY_ANSWER)
    for url in args.url:
        if not url.startswith(("http://", "https://")):
            raise UsageError(f"--url must be an http(s) URL, got {url!r}")
        contenders[url] = http_system(url)
    if contenders:
        return contenders
    names = [name.strip() for name in args.systems.split(",") if name.strip()]
    unknown = [name for name in names if name not in SYSTEMS]
    if unknown or not names:
        raise UsageError(f"unknown system {', '.join(unknown) or '(none)'}; choose from: {', '.join(SYSTEMS)}")
    return {name: load_system(name) for name in names}


def _unit_names() -> list[str]:
    from assistant.parser import parse_policy_file
    from assistant.settings import Settings

    # 区政府督查室 is named in 保障措施（三）, outside any 责任单位 note.
    return parse_policy_file(Settings().corpus[0]).responsible_units + ["区政府督查室"]


def evaluate(contenders: dict[str, AskFunction], items: list[GoldItem], show_failures: bool = False) -> dict:
    units = _unit_names()
    splits = sorted({item.split for item in items})
    summary = {"questions": len(items), "questions_by_split": {"all": len(items)}, "systems": {}}
    summary["questions_by_split"].update({split: sum(i.split == split for i in items) for split in splits})
    for name, ask in contenders.items():
        answers = [ask(item.question, list(item.history)) for item in items]
        verdicts = [judge(item, answer, units) for item, answer in zip(items, answers)]
        system = summarise(verdicts)
        system["splits"] = {split: summarise([v for v in verdicts if v.item.split == split]) for split in splits}
        summary["systems"][name] = system
        if show_failures:
            _print_failures(name, verdicts, answers)
    summary["headline"] = report.headline(summary)
    return summary


def _print_failures(name, verdicts, answers) -> None:
    for verdict, answer in zip(verdicts, answers):
        if not verdict.correct or verdict.ungrounded:
            print(f"--- [{name}] {verdict.item.id} ({verdict.item.category}, {verdict.item.split}) "
                  f"{verdict.item.question}")
            print(f"    refusal_ok={verdict.refusal_ok} facts_ok={verdict.facts_ok} cite_ok={verdict.cite_ok} "
                  f"ungrounded={verdict.ungrounded} cited={[c.get('id') for c in answer.get('citations', [])]}")
            print("    " + str(answer.get("answer", "")).replace("\n", "\n    "))


def _ratio(value: float | None, width: int = 5, digits: int = 2) -> str:
    return f"{'–':>{width}}" if value is None else f"{value:{width}.{digits}f}"


def _table(summary: dict) -> str:
    rows = [f"{'system':26} {'split':5} {'correct':>7} {'facts':>6} {'cite':>6} {'hit@1':>6} {'refP':>5} "
            f"{'refR':>5} {'ungr':>4} {'p50ms':>7} {'p95ms':>7}"]
    for name, system in summary["systems"].items():
        for split in ("all", *system["splits"]):
            s = report.of_split(system, split)
            rows.append(f"{name[:26]:26} {split:5} {_ratio(s['overall'], 7, 3)} {_ratio(s['facts'], 6, 3)} "
                        f"{_ratio(s['citation'], 6, 3)} {_ratio(s['hit_at_1'], 6, 3)} "
                        f"{_ratio(s['refusal_precision'])} {_ratio(s['refusal_recall'])} "
                        f"{s['ungrounded_answers']:4d} {s['p50_ms']:7.2f} {s['p95_ms']:7.2f}")
    top = summary.get("headline")
    if top:
        rows.append(f"test part: assistant {top['assistant']:.3f} vs best baseline {top['best_baseline']} "
                    f"{top['best_baseline_overall']:.3f} ({top['margin_points']:+.1f} points)")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        try:
            items = load_gold(args.gold, args.split)
        except OSError as error:
            raise UsageError(f"cannot read gold set {args.gold}: {error.strerror}") from None
        except (ValueError, KeyError) as error:
            raise UsageError(f"gold set {args.gold} is not valid JSONL: {error}") from None
        if not items:
            raise UsageError(f"no gold questions in {args.gold} for split {args.split!r}")
        summary = evaluate(_contenders(args), items, args.show_failures)
    except UsageError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(json.dumps(summary, ensure_ascii=False, indent=2) if args.json else _table(summary))
    if args.report:
        descriptions = {name: SYSTEMS[name].description if name in SYSTEMS else "answers scored from outside"
                        for name in summary["systems"]}
        for path in report.write(summary, descriptions, args.report):
            print(f"wrote {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
