"""``python -m eval``: score systems that speak the JSON contract on the gold sets.

    python -m eval                                   # every system on both gold sets; prints tables
    python -m eval --report eval/report              # ... and writes report.md, summary.json, charts
    python -m eval --systems assistant --split test --show-failures
    python -m eval --gold eval/library_gold.jsonl    # only the library gold, over every library document
    python -m eval --answers answers.jsonl           # answers produced elsewhere (one JSON object per line)
    python -m eval --url http://127.0.0.1:7860/api/ask   # a running server that speaks the contract

Without ``--gold`` both gold sets are scored: ``eval/gold.jsonl`` (one document, over the shipped
corpus) and ``eval/library_gold.jsonl`` (over ``--library``, by default every document of the library).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from . import report
from .score import GOLD, LIBRARY_GOLD, GoldItem, judge, load_gold, summarise, unit_names_cited
from .systems import SYSTEMS, AskFunction, flagship_file, http_system, library_paths, load_system, read_answers

EMPTY_ANSWER = {"answer": "", "refused": False, "citations": []}


class UsageError(Exception):
    """Bad command-line input: reported as one line, exit code 2."""


@dataclass(frozen=True)
class GoldSet:
    path: Path
    items: list[GoldItem]

    @property
    def is_library(self) -> bool:
        return any(item.is_library for item in self.items)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m eval", description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=["dev", "test", "all"], default="all", help="questions to score")
    parser.add_argument("--gold", type=Path, help=f"one gold set (JSONL); default: {GOLD.name} and {LIBRARY_GOLD.name}")
    parser.add_argument("--library", type=Path, action="append",
                        help="file or folder our systems answer from (repeatable; default: data/corpus, "
                             "eval/library/dev and eval/library/test for library gold, the flagship for eval/gold.jsonl)")
    parser.add_argument("--systems", default=",".join(SYSTEMS),
                        help=f"comma-separated, from: {', '.join(SYSTEMS)}")
    parser.add_argument("--answers", type=Path, action="append", default=[],
                        help="score a JSONL file of answers instead (repeatable; named after the file)")
    parser.add_argument("--url", action="append", default=[], help="score an HTTP endpoint instead (repeatable)")
    parser.add_argument("--report", type=Path, help="write report.md, summary.json and charts to this folder")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON instead of a table")
    parser.add_argument("--show-failures", action="store_true", help="print every wrong or ungrounded answer")
    return parser


def _gold_sets(args) -> list[GoldSet]:
    """The gold sets to score, each with the corpus our systems answer it from."""
    gold_sets = []
    for path in [args.gold] if args.gold else [GOLD, LIBRARY_GOLD]:
        try:
            items = load_gold(path, args.split)
        except OSError as error:
            raise UsageError(f"cannot read gold set {path}: {error.strerror}") from None
        except ValueError as error:
            raise UsageError(f"gold set {path} is not valid JSONL: {error}") from None
        if not items:
            raise UsageError(f"no gold questions in {path} for split {args.split!r}")
        gold_sets.append(GoldSet(path, items))
    return gold_sets


def _corpus(gold_set: GoldSet, args) -> list[Path] | None:
    """What the systems answer a gold set from: ``--library`` when given, else the whole library for
    library gold, and the flagship alone (None) for the flagship's gold."""
    return args.library or (library_paths() if gold_set.is_library else None)


def _outside_contenders(args) -> dict[str, AskFunction]:
    """Answers files and HTTP endpoints named on the command line."""
    contenders: dict[str, AskFunction] = {}
    for path in args.answers:
        try:
            answers = read_answers(path)
        except OSError as error:
            raise UsageError(f"cannot read answers from {path}: {error.strerror}") from None
        except ValueError as error:
            raise UsageError(str(error)) from None
        contenders[path.stem] = (lambda question, history, document=None, answers=answers:
                                 answers.get(question, EMPTY_ANSWER))
    for url in args.url:
        if not url.startswith(("http://", "https://")):
            raise UsageError(f"--url must be an http(s) URL, got {url!r}")
        contenders[url] = http_system(url)
    return contenders


def _system_names(args) -> list[str]:
    names = [name.strip() for name in args.systems.split(",") if name.strip()]
    unknown = [name for name in names if name not in SYSTEMS]
    if unknown or not names:
        raise UsageError(f"unknown system {', '.join(unknown) or '(none)'}; choose from: {', '.join(SYSTEMS)}")
    return names


def _flagship_units() -> list[str]:
    from assistant.parser import parse_policy_file

    # 区政府督查室 is named in 保障措施（三）, outside any 责任单位 note.
    return parse_policy_file(flagship_file()).responsible_units + ["区政府督查室"]


def evaluate(contenders: dict[str, AskFunction], items: list[GoldItem], show_failures: bool = False) -> dict:
    """Ask every contender every item and summarise the verdicts, overall and per split.

    Grounding checks unit names: the flagship's for clause gold; for library gold, those named in
    the unit notes of any citation the contender gave in the run."""
    flagship_units = _flagship_units() if any(not item.is_library for item in items) else []
    splits = sorted({item.split for item in items})
    summary = {"questions": len(items), "questions_by_split": {"all": len(items)}, "systems": {}}
    summary["questions_by_split"].update({split: sum(i.split == split for i in items) for split in splits})
    for name, ask in contenders.items():
        answers = [ask(item.question, list(item.history), item.scope) for item in items]
        library_units = unit_names_cited(answers)
        verdicts = [judge(item, answer, library_units if item.is_library else flagship_units)
                    for item, answer in zip(items, answers)]
        system = summarise(verdicts)
        system["splits"] = {split: summarise([v for v in verdicts if v.item.split == split]) for split in splits}
        summary["systems"][name] = system
        if show_failures:
            _print_failures(name, verdicts, answers)
    summary["headline"] = report.headline(summary)
    return summary


def _score(gold_set: GoldSet, outside: dict[str, AskFunction], system_names: list[str], args) -> dict:
    """Summary of one gold set: the outside contenders if any, else the named systems over its corpus."""
    corpus = _corpus(gold_set, args)
    contenders = outside or {name: load_system(name, corpus) for name in system_names}
    summary = evaluate(contenders, gold_set.items, args.show_failures)
    summary["gold"] = _shown(gold_set.path)
    summary["kind"] = "library" if gold_set.is_library else "clause"
    summary["corpus"] = [_shown(path) for path in corpus or [flagship_file()]]
    return summary


def _shown(path: Path) -> str:
    """``path`` relative to the working folder when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _print_failures(name, verdicts, answers) -> None:
    for verdict, answer in zip(verdicts, answers):
        if not verdict.correct or verdict.ungrounded:
            print(f"--- [{name}] {verdict.item.id} ({verdict.item.category}, {verdict.item.split}) "
                  f"{verdict.item.question}")
            cited = [(c.get("document"), c.get("id")) if verdict.item.is_library else c.get("id")
                     for c in answer.get("citations", [])]
            print(f"    refusal_ok={verdict.refusal_ok} facts_ok={verdict.facts_ok} cite_ok={verdict.cite_ok} "
                  f"foreign_documents={verdict.foreign_documents} ungrounded={verdict.ungrounded} cited={cited}")
            print("    " + str(answer.get("answer", "")).replace("\n", "\n    "))


def _ratio(value: float | None, width: int = 5, digits: int = 2) -> str:
    return f"{'–':>{width}}" if value is None else f"{value:{width}.{digits}f}"


def _table(summary: dict) -> str:
    rows = [f"gold set {summary.get('gold', '')}: {summary['questions']} questions",
            f"{'system':26} {'split':5} {'correct':>7} {'facts':>6} {'cite':>6} {'recall':>6} {'hit@1':>6} "
            f"{'docP':>5} {'refP':>5} {'refR':>5} {'lead':>5} {'citP':>5} {'falseR':>6} {'ungr':>4} "
            f"{'p50ms':>7} {'p95ms':>7}"]
    for name, system in summary["systems"].items():
        for split in ("all", *system["splits"]):
            s = report.of_split(system, split)
            rows.append(f"{name[:26]:26} {split:5} {_ratio(s['overall'], 7, 3)} {_ratio(s['facts'], 6, 3)} "
                        f"{_ratio(s['citation'], 6, 3)} {_ratio(s['citation_recall'], 6, 3)} "
                        f"{_ratio(s['hit_at_1'], 6, 3)} {_ratio(s['document_precision'])} "
                        f"{_ratio(s['refusal_precision'])} {_ratio(s['refusal_recall'])} "
                        f"{_ratio(s['lead_correct'])} {_ratio(s['citation_precision'])} {s['false_refusals']:6d} "
                        f"{s['ungrounded_answers']:4d} {s['p50_ms']:7.2f} {s['p95_ms']:7.2f}")
    top = summary.get("headline")
    if top:
        rows.append(f"test part: assistant {top['assistant']:.3f} vs best baseline {top['best_baseline']} "
                    f"{top['best_baseline_overall']:.3f} ({top['margin_points']:+.1f} points)")
    return "\n".join(rows)


def _combined(summaries: list[dict]) -> dict:
    """One gold set's summary; with both, the clause gold's with the library gold's under ``library``."""
    if len(summaries) == 1:
        return summaries[0]
    clause, library = summaries
    return {**clause, "library": library}


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        gold_sets = _gold_sets(args)
        outside = _outside_contenders(args)
        system_names = [] if outside else _system_names(args)
        summaries = [_score(gold_set, outside, system_names, args) for gold_set in gold_sets]
    except UsageError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    summary = _combined(summaries)
    print(json.dumps(summary, ensure_ascii=False, indent=2) if args.json
          else "\n\n".join(_table(s) for s in summaries))
    if args.report:
        descriptions = {name: SYSTEMS[name].description if name in SYSTEMS else "answers scored from outside"
                        for s in summaries for name in s["systems"]}
        for path in report.write(summary, descriptions, args.report):
            print(f"wrote {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
