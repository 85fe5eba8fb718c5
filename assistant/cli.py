"""Command line: a thin layer over :class:`assistant.engine.Assistant`.

    python -m assistant ask "谁负责学前教育？"
    python -m assistant ask --json "区财政局负责哪些任务？"
    printf '谁负责学前教育？\\n七项攻坚行动分别是什么？\\n' | python -m assistant ask --json -
    python -m assistant index [FILE ...]
    python -m assistant outline [FILE] [--json]
    python -m assistant chat
    python -m assistant feedback export [--format jsonl|csv] [--db FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import textwrap
from pathlib import Path

EXIT_USAGE = 2


class UsageError(Exception):
    """Bad input from the user: printed as one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, not argparse's usage block
        raise UsageError(message)


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m assistant", description="西青区教育政策问答助手")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    ask = commands.add_parser("ask", help="answer a question (or '-' for one question per line on stdin)")
    ask.add_argument("question", help="the question, or '-' to read questions from stdin")
    ask.add_argument("--json", action="store_true", help="print the JSON contract (JSONL with '-')")
    ask.add_argument("--mode", default="hybrid", help="retrieval: hybrid (default), bm25, dense")
    index = commands.add_parser("index", help="(re)build the store at ASSISTANT_STORE from these files")
    index.add_argument("files", nargs="*", type=Path, help="policy files (default: the shipped corpus)")
    outline = commands.add_parser("outline", help="print the clause tree")
    outline.add_argument("file", nargs="?", type=Path, help="policy file (default: the shipped corpus)")
    outline.add_argument("--json", action="store_true")
    commands.add_parser("chat", help="interactive chat in the terminal")
    feedback = commands.add_parser("feedback", help="export the 👍/👎 feedback given in the web chat")
    feedback.add_argument("action", choices=["export"])
    feedback.add_argument("--format", choices=["jsonl", "csv"], default="jsonl")
    feedback.add_argument("--db", type=Path, help="SQLite file (default: ASSISTANT_FEEDBACK_DB)")
    return parser


def _read_policy(path: Path):
    from .parser import parse_policy
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"cannot read {path}: {getattr(error, 'strerror', None) or error}") from None
    return parse_policy(text, document_id=path.stem)


def _settings(**overrides):
    from .settings import Settings
    return Settings(**overrides)


def _load_assistant(mode: str):
    from .engine import Assistant
    from .retrieval import RetrievalMode
    try:
        retrieval_mode = RetrievalMode.parse(mode)
    except ValueError as error:
        raise UsageError(str(error)) from None
    settings = _settings()
    for path in settings.corpus:
        if not Path(path).is_file():
            raise UsageError(f"cannot read {path}: no such file (check ASSISTANT_CORPUS)")
    return Assistant.load(settings, mode=retrieval_mode)


def format_answer(answer) -> str:
    lines = [answer.answer]
    if answer.citations:
        lines += ["", "引用条款："]
        for citation in answer.citations:
            lines.append(f"[{citation.id}] {citation.section}")
            excerpt = citation.text if len(citation.text) <= 160 else citation.text[:160] + "……"
            lines.append(textwrap.indent(excerpt, "    "))
    return "\n".join(lines)


def _ask(args) -> int:
    from .engine import InvalidQuestion
    if args.question != "-":
        if not args.question.strip():
            raise UsageError("question is empty")
        assistant = _load_assistant(args.mode)
        try:
            answer = assistant.ask(args.question)
        except InvalidQuestion as error:
            raise UsageError(str(error)) from None
        print(json.dumps(answer.to_dict(), ensure_ascii=False) if args.json else format_answer(answer))
        return 0
    assistant = _load_assistant(args.mode)
    status = 0
    for line in sys.stdin:
        question = line.rstrip("\n")
        try:
            answer = assistant.ask(question)
        except InvalidQuestion as error:
            # Keep one output line per input line, so answers stay aligned with questions.
            status = EXIT_USAGE
            record = {"question": question, "error": str(error)}
            print(json.dumps(record, ensure_ascii=False) if args.json else f"error: {error}", flush=True)
            continue
        print(json.dumps(answer.to_dict(), ensure_ascii=False) if args.json else format_answer(answer) + "\n",
              flush=True)
    return status


def _index(args) -> int:
    from index.store import build_store
    settings = _settings()
    files = args.files or settings.corpus
    clauses = [clause for path in files for clause in _read_policy(Path(path)).clauses]
    store = build_store(settings.store, clauses, settings.embedding_model, show_progress=settings.show_progress)
    manifest = store.manifest
    print(f"indexed {manifest.clauses} clauses from {len(files)} file(s) with {manifest.model} "
          f"in {manifest.build_seconds:.1f}s into {settings.store}")
    return 0


def _outline(args) -> int:
    settings = _settings()
    tree = _read_policy(args.file or settings.corpus[0])
    if args.json:
        from .views import outline

        print(json.dumps(outline(tree), ensure_ascii=False, indent=2))
        return 0
    print(f"{tree.document.title}（{tree.document.issuer}，{tree.document.date}）")
    for clause in tree.clauses:
        units = f"  [责任单位：{'、'.join(clause.responsible_units)}]" if clause.responsible_units else ""
        print(f"{clause.id}  {clause.section}{units}")
        print(textwrap.indent(clause.text, "    "))
    return 0


def _chat(args) -> int:
    assistant = _load_assistant("hybrid")
    from .engine import InvalidQuestion
    print(f"西青区教育政策问答助手 —— 依据《{assistant.tree.document.title}》回答。输入问题，回车提问；输入 exit 退出。")
    history: list[str] = []
    while True:
        try:
            question = input("\n问：")
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        if question.strip().lower() in {"exit", "quit", "退出"}:
            return 0
        try:
            answer = assistant.ask(question, history)
        except InvalidQuestion as error:
            print(f"（{error}）")
            continue
        history.append(question)
        print("答：" + format_answer(answer))


def _feedback(args) -> int:
    import csv
    import sqlite3

    from .feedback import COLUMNS, FeedbackStore

    path = args.db or _settings().feedback_db
    if not path.is_file():
        raise UsageError(f"no feedback file at {path}")
    try:
        records = FeedbackStore(path).export()
    except sqlite3.DatabaseError as error:
        raise UsageError(f"{path} is not a feedback database: {error}") from None
    if args.format == "jsonl":
        for record in records:
            print(json.dumps(record, ensure_ascii=False))
    else:
        writer = csv.DictWriter(sys.stdout, fieldnames=COLUMNS)
        writer.writeheader()
        for record in records:
            writer.writerow({**record, "citations": " ".join(record["citations"])})
    return 0


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    try:
        args = _build_parser().parse_args(argv)
        handler = {"ask": _ask, "index": _index, "outline": _outline, "chat": _chat,
                   "feedback": _feedback}[args.command]
        return handler(args)
    except UsageError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
