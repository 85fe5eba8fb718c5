"""Command line: a thin layer over :class:`assistant.engine.Assistant` and :mod:`assistant.library`.

    python -m assistant ask "谁负责学前教育？"
    python -m assistant ask --json --document xiqing-education-plan-2023-2025 "区财政局负责哪些任务？"
    printf '谁负责学前教育？\\n{"question": "那目标是多少？", "history": ["谁负责学前教育？"]}\\n' \\
        | python -m assistant ask --json -
    python -m assistant index [FILE|DIR ...]
    python -m assistant docs list [--json]
    python -m assistant docs add FILE|DIR ...
    python -m assistant docs remove ID ...
    python -m assistant outline [FILE] [--document ID] [--json]
    python -m assistant chat [--document ID]
    python -m assistant feedback export [--format jsonl|csv] [--db FILE]

Exit codes: 0 done; 2 bad input (an argument, a setting, a file), printed as one line ``error: …``
on stderr, nothing done; 1 a batch (``ask -``) ran to its end but reported some lines as errors, each
in its place: ``{"line": N, "question": ..., "error": ...}`` (``error: line N: …`` without --json).
"""

from __future__ import annotations

import argparse
import codecs
import json
import os
import re
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

EXIT_USAGE = 2
EXIT_SOME_LINES_FAILED = 1


class UsageError(Exception):
    """Bad input from the user: printed as one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, not argparse's usage block
        raise UsageError(message)


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m assistant", description="政策文件问答助手：回答附原文条款")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    ask = commands.add_parser("ask", help="answer a question (or '-' for one question per line on stdin)")
    ask.add_argument("question", help="the question, or '-' to read questions (or JSON objects) from stdin")
    ask.add_argument("--json", action="store_true", help="print the JSON contract (JSONL with '-')")
    ask.add_argument("--mode", default="hybrid", help="retrieval: hybrid (default), bm25, dense")
    ask.add_argument("--document", metavar="ID", help="answer from this document only (see `docs list`)")
    index = commands.add_parser("index", help="build the library at ASSISTANT_STORE from these files and folders")
    index.add_argument("files", nargs="*", type=Path, metavar="FILE|DIR",
                       help="policy files or folders (default: ASSISTANT_CORPUS, else the shipped corpus)")
    docs = commands.add_parser("docs", help="list, add or remove the library's documents")
    actions = docs.add_subparsers(dest="action", required=True, parser_class=_Parser)
    listing = actions.add_parser("list", help="the documents of the library")
    listing.add_argument("--json", action="store_true")
    add = actions.add_parser("add", help="add (or update) documents; unchanged ones are not embedded again")
    add.add_argument("files", nargs="+", type=Path, metavar="FILE|DIR")
    remove = actions.add_parser("remove", help="remove documents by id")
    remove.add_argument("ids", nargs="+", metavar="ID")
    outline = commands.add_parser("outline", help="print a document's clause tree")
    outline.add_argument("file", nargs="?", type=Path, help="a policy file (default: a document of the library)")
    outline.add_argument("--document", metavar="ID", help="a document of the library (see `docs list`)")
    outline.add_argument("--json", action="store_true")
    chat = commands.add_parser("chat", help="interactive chat in the terminal")
    chat.add_argument("--document", metavar="ID", help="answer from this document only")
    feedback = commands.add_parser("feedback", help="export the 👍/👎 feedback given in the web chat")
    feedback.add_argument("action", choices=["export"])
    feedback.add_argument("--format", choices=["jsonl", "csv"], default="jsonl")
    feedback.add_argument("--db", type=Path, help="SQLite file (default: ASSISTANT_FEEDBACK_DB)")
    return parser


# ---------------------------------------------------------------- settings


_SETTINGS_SOURCE_ERROR = re.compile(r'field "(\w+)"')
CORPUS_EXAMPLE = """ASSISTANT_CORPUS='["data/corpus", "policies/plan.docx"]'"""


def settings_problem(error: Exception) -> str:
    """One sentence saying which ``ASSISTANT_*`` variable is wrong, for a pydantic settings error."""
    from pydantic import ValidationError

    if isinstance(error, ValidationError):
        problems = []
        for detail in error.errors():
            if not detail["loc"]:   # a rule over several variables names them itself
                problems.append(detail["msg"].removeprefix("Value error, "))
                continue
            field, *rest = [str(part) for part in detail["loc"]]
            where = f"ASSISTANT_{field.upper()}" + "".join(f"[{part}]" for part in rest)
            problems.append(f"{where}: {detail['msg']}")
        hint = f" (write it as {CORPUS_EXAMPLE})" if any(p.startswith("ASSISTANT_CORPUS") for p in problems) else ""
        return "; ".join(problems) + hint
    match = _SETTINGS_SOURCE_ERROR.search(str(error))
    field = match.group(1) if match else "?"
    if field == "corpus":
        return f"ASSISTANT_CORPUS is not valid JSON: write it as a JSON list of files and folders, {CORPUS_EXAMPLE}"
    return f"ASSISTANT_{field.upper()} cannot be read: {error}"


def load_settings(**overrides):
    """``Settings()`` the assistant can work with, or a UsageError naming each variable that is wrong:
    checked before any command (and by ``app.py``) runs, so a bad value is one line, not a traceback later."""
    from pydantic import ValidationError
    from pydantic_settings import SettingsError

    from .settings import Settings
    try:
        settings = Settings(**overrides)
    except (SettingsError, ValidationError) as error:
        raise UsageError(settings_problem(error)) from None
    folder_problems = _folder_problems(settings)
    problems = _range_problems(settings) + (folder_problems or _content_problems(settings)) + \
        _model_problems(settings)
    if problems:
        raise UsageError("; ".join(problems))
    return settings


# Numbers a setting's type accepts but the assistant cannot work with: (lowest, highest) allowed.
_SETTING_RANGES = {"top_k": (1, 1000), "port": (1, 65535), "max_question_chars": (1, 1_000_000),
                   "rrf_k": (0, 1_000_000)}
# The files each folder setting must hold: read when the assistant loads, checked before anything runs.
_SETTING_FILES = {"lexicon_dir": ("synonyms.toml", "intents.toml", "units.toml", "scope.toml", "stopwords.txt",
                                  "places.txt"),
                  "prompts_dir": ("answers.toml",)}


def _range_problems(settings) -> list[str]:
    return [f"ASSISTANT_{field.upper()} must be a whole number from {low} to {high}, got {value}"
            for field, (low, high) in _SETTING_RANGES.items()
            if not low <= (value := getattr(settings, field)) <= high]


def _needed_files(settings) -> Iterator[tuple[str, Path, tuple[str, ...]]]:
    """(variable, folder, the files it must hold) of each folder setting."""
    for field, names in _SETTING_FILES.items():
        needed = names + (("llm.toml",) if field == "prompts_dir" and settings.uses_llm else ())
        yield f"ASSISTANT_{field.upper()}", Path(getattr(settings, field)), needed


def _folder_problems(settings) -> list[str]:
    problems = []
    for variable, folder, needed in _needed_files(settings):
        if not folder.is_dir():
            problems.append(f"{variable} names no folder: {folder}")
        elif missing := [name for name in needed if not (folder / name).is_file()]:
            problems.append(f"{variable} ({folder}) lacks {', '.join(missing)}")
    return problems


def _content_problems(settings) -> list[str]:
    """The lexicon and prompt files must read as what they are: a syntax error or a missing entry is one
    line here, not a traceback when the library loads."""
    import tomllib

    from .lexicon import Lexicon
    problems = []
    for variable, folder, needed in _needed_files(settings):
        for name in needed:
            try:
                text = (folder / name).read_text(encoding="utf-8")
                if name.endswith(".toml"):
                    tomllib.loads(text)
            except UnicodeDecodeError:
                problems.append(f"{variable}: {folder / name} is not UTF-8 text")
            except tomllib.TOMLDecodeError as error:
                problems.append(f"{variable}: {folder / name} is not valid TOML ({error})")
            except OSError as error:
                problems.append(f"{variable}: {folder / name} cannot be read ({error.strerror})")
    if problems:
        return problems
    try:
        Lexicon.load(settings.lexicon_dir)
    except KeyError as error:
        return [f"ASSISTANT_LEXICON_DIR ({settings.lexicon_dir}) lacks the entry {error}"]
    except (TypeError, ValueError, AttributeError, re.error) as error:
        return [f"ASSISTANT_LEXICON_DIR ({settings.lexicon_dir}) holds an entry that cannot be used ({error})"]
    return []


def _model_problems(settings) -> list[str]:
    """The embedding model must be on this machine: found locally here, before any command could ask a hub."""
    from .embeddings import UnknownModel, resolve_model
    try:
        resolve_model(settings.embedding_model)
    except UnknownModel as error:
        return [f"ASSISTANT_EMBEDDING_MODEL: {error}"]
    return []


def _library_errors():
    """The exceptions of the library layer whose message is one sentence for the user."""
    from index.store import StoreError

    from .library import LibraryError
    from .readers import UnreadableDocument
    return LibraryError, StoreError, UnreadableDocument


# ---------------------------------------------------------------- ask / chat


def _load_assistant(mode: str, settings=None):
    from .engine import Assistant
    from .retrieval import RetrievalMode
    try:
        retrieval_mode = RetrievalMode.parse(mode)
    except ValueError as error:
        raise UsageError(str(error)) from None
    return Assistant.load(settings or load_settings(), mode=retrieval_mode)


def _checked_document(assistant, document: str | None) -> str | None:
    from .engine import InvalidQuestion
    try:
        return assistant.validate_document(document)
    except InvalidQuestion as error:
        raise UsageError(str(error)) from None


def format_answer(answer, labelled: bool = False) -> str:
    from .records import AnswerMode
    from .render import DEGRADED_NOTE

    lines = [answer.answer]
    if answer.degraded:
        lines.append(f"（{DEGRADED_NOTE}）")
    if answer.mode is AnswerMode.FALLBACK:
        lines.append(f"（模型回答未采用：{answer.fallback_reason}；以上为条款摘录。）")
    if answer.citations:
        lines += ["", "引用条款："]
        for number, citation in enumerate(answer.citations, start=1):
            source = f"《{citation.document_title}》 " if labelled and citation.document_title else ""
            # A model's answer cites by number ([1]); the extractive one by clause id.
            label = f"[{number}] {citation.id}" if answer.mode is AnswerMode.LLM else f"[{citation.id}]"
            lines.append(f"{label} {source}{citation.section}")
            excerpt = citation.text if len(citation.text) <= 160 else citation.text[:160] + "……"
            lines.append(textwrap.indent(excerpt, "    "))
    return "\n".join(lines)


def _ask(args) -> int:
    return _ask_batch(args) if args.question == "-" else _ask_one(args)


def _ask_one(args) -> int:
    from .engine import InvalidQuestion
    if not args.question.strip():
        raise UsageError("question is empty")
    if problem := _text_problem(args.question, "question"):
        raise UsageError(problem)
    assistant = _load_assistant(args.mode)
    document = _checked_document(assistant, args.document)
    try:
        answer = assistant.ask(args.question, document=document)
    except InvalidQuestion as error:
        raise UsageError(str(error)) from None
    labelled = len(assistant.library.trees) > 1
    print(json.dumps(answer.to_dict(), ensure_ascii=False) if args.json else format_answer(answer, labelled))
    return 0


def _ask_batch(args) -> int:
    """One answer per stdin line, in order. A line that cannot be answered is reported in its place, so
    output line N is always about input line N, and the batch goes on to the end."""
    from .engine import InvalidQuestion
    assistant = _load_assistant(args.mode)
    default_document = _checked_document(assistant, args.document)
    labelled = len(assistant.library.trees) > 1
    status = 0
    # Bytes, not text: a line that is not UTF-8 must be reported in its place, not end the batch.
    for number, raw in enumerate(sys.stdin.buffer, start=1):
        try:
            question, history, document = _batch_request(_decoded(raw, number), default_document)
            answer = assistant.ask(question, history, document=document)
        except (InvalidQuestion, _BadLine) as error:
            status = EXIT_SOME_LINES_FAILED
            shown = error.question if isinstance(error, _BadLine) else question
            record = {"line": number, "question": _shown(shown), "error": str(error)}
            print(json.dumps(record, ensure_ascii=False) if args.json else f"error: line {number}: {error}",
                  flush=True)
            continue
        print(json.dumps(answer.to_dict(), ensure_ascii=False) if args.json
              else format_answer(answer, labelled) + "\n", flush=True)
    return status


class _BadLine(ValueError):
    """A batch line that is not a question: reported in its place, the batch goes on."""

    def __init__(self, message: str, question: object) -> None:
        super().__init__(message)
        self.question = question


def _decoded(raw: bytes, number: int) -> str:
    """A stdin line as text, without its line ending (and a first line without a UTF-8 BOM)."""
    if number == 1:
        raw = raw.removeprefix(codecs.BOM_UTF8)
    try:
        return raw.decode("utf-8").removesuffix("\n").removesuffix("\r")
    except UnicodeDecodeError as error:
        raise _BadLine(f"the line is not valid UTF-8 (byte 0x{raw[error.start]:02x} at offset {error.start})",
                       None) from None


def _shown(question: object) -> object:
    """What a bad line's record shows as its question: null for text that cannot be printed."""
    from .text import has_lone_surrogate
    return None if isinstance(question, str) and has_lone_surrogate(question) else question


def _batch_request(line: str, default_document: str | None) -> tuple[str, list[str], str | None]:
    """A stdin line: a plain question, or ``{"question": ..., "history": [...], "document": ...}``."""
    question, history, document = _parsed_request(line, default_document)
    texts = [("question", question), *((f"history[{index}]", item) for index, item in enumerate(history))]
    for name, text in texts + ([("document", document)] if document is not None else []):
        if problem := _text_problem(text, name):
            raise _BadLine(problem, question)
    return question, history, document


def _parsed_request(line: str, default_document: str | None) -> tuple[str, list[str], str | None]:
    stripped = line.strip()
    if not (stripped.startswith("{") and stripped.endswith("}")):
        return line, [], default_document
    try:
        request = json.loads(stripped)
    except json.JSONDecodeError as error:
        raise _BadLine(f"the line looks like a JSON object but is not valid JSON ({error.msg})", line) from None
    if not isinstance(request, dict):
        return line, [], default_document
    question = request.get("question")
    unknown = sorted(set(request) - {"question", "history", "document"})
    if unknown:
        raise _BadLine(f"unknown field(s) {', '.join(unknown)}: a request has question, history and document",
                       question)
    if not isinstance(question, str):
        raise _BadLine("question is missing or not a string", question)
    history = request.get("history") or []
    if not isinstance(history, list) or not all(isinstance(item, str) for item in history):
        raise _BadLine("history must be a list of the earlier questions (strings)", question)
    document = request.get("document", default_document)
    if document is not None and not isinstance(document, str):
        raise _BadLine("document must be a document id (a string)", question)
    return question, history, document


def _text_problem(text: str, name: str) -> str | None:
    """Why ``text`` cannot be asked, found before the engine sees it: undecodable input (lone surrogates,
    what Python makes of bytes that are not UTF-8) cannot be matched, stored or printed, and control
    characters alone are no question."""
    from .text import has_lone_surrogate, without_controls
    if has_lone_surrogate(text):
        return f"{name} is not valid UTF-8 text (it holds a lone surrogate)"
    if text.strip() and not without_controls(text).strip():
        return f"{name} is empty (it holds only control characters)"
    return None


def _chat(args) -> int:
    from .engine import InvalidQuestion
    from .views import heading
    assistant = _load_assistant("hybrid")
    document = _checked_document(assistant, args.document)
    title, line = heading(assistant.library)
    if document:
        scoped = assistant.library.tree(document).document.title or document
        line = f"只依据《{scoped}》回答。"
    print(f"{title} —— {line}输入问题，回车提问；输入 exit 退出。")
    labelled = len(assistant.library.trees) > 1 and not document
    history: list[str] = []
    # Bytes that are not UTF-8 arrive as lone surrogates whatever the locale, and are refused below.
    sys.stdin.reconfigure(errors="surrogateescape")
    while True:
        try:
            question = input("\n问：")
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        if question.strip().lower() in {"exit", "quit", "退出"}:
            return 0
        if problem := _text_problem(question, "question"):
            print(f"（{problem}）")
            continue
        try:
            answer = assistant.ask(question, history, document=document)
        except InvalidQuestion as error:
            print(f"（{error}）")
            continue
        history.append(question)
        print("答：" + format_answer(answer, labelled))


# ---------------------------------------------------------------- the library


def _generation(settings) -> str | None:
    from index.store import StoreError, current_generation
    try:
        return current_generation(settings.store)
    except StoreError:
        return None


def _print_library(store, library, heading: str) -> None:
    infos = {info.id: info for info in store.documents()}
    print(heading)
    for tree in library.trees:
        info = infos.get(tree.document.id)
        origin = f"{info.origin}, " if info else ""
        print(f"  {tree.document.id}  [{origin}{len(tree.clauses)} clauses]  {tree.document.title}")


def _summary(store) -> str:
    manifest = store.manifest
    documents = len(manifest.documents)
    return (f"{documents} document{'s' if documents != 1 else ''}, {manifest.clauses} clauses "
            f"({manifest.passages} passages)")


def _index(args) -> int:
    settings = load_settings()
    before = _generation(settings)
    from .library import sync_library
    store, library, rebuilt = sync_library(settings, args.files or None)
    manifest = store.manifest
    if store.generation == before and not rebuilt:
        heading = f"the library at {settings.store} is up to date ({store.generation}): {_summary(store)}"
    else:
        reused = manifest.passages - manifest.embedded_passages
        heading = (f"indexed {_summary(store)} with {manifest.model} in {manifest.build_seconds:.1f}s "
                   f"(embedded {manifest.embedded_passages} passages, reused {reused}) "
                   f"into {settings.store} ({store.generation})")
    _print_library(store, library, heading)
    return 0


def _docs(args) -> int:
    settings = load_settings()
    return {"list": _docs_list, "add": _docs_add, "remove": _docs_remove}[args.action](args, settings)


def _docs_list(args, settings) -> int:
    from .library import load_library, open_or_sync
    from .views import document_details, library_listing
    store = open_or_sync(settings)
    library = load_library(store)
    listing = library_listing(library, store.documents(), store.generation)
    if args.json:
        print(json.dumps(listing, ensure_ascii=False, indent=2))
        return 0
    count = len(listing["documents"])
    print(f"{count} document{'s' if count != 1 else ''} in {settings.store} ({store.generation}):")
    for tree, record in zip(library.trees, listing["documents"]):
        print(f"{record['id']}  [{record['origin']}, {record['clauses']} clauses]")
        print(f"    {record['title']}")
        details = document_details(tree.document)
        if details:
            print(f"    {details}")
    return 0


def _docs_add(args, settings) -> int:
    from .library import add_documents
    before = _generation(settings)
    store, ids = add_documents(settings, args.files)
    if store.generation == before:
        print(f"already in the library, unchanged: {', '.join(ids)}; the library has {_summary(store)}")
        return 0
    print(f"added {', '.join(ids)}: embedded {store.manifest.embedded_passages} passages in "
          f"{store.manifest.build_seconds:.1f}s; the library has {_summary(store)} ({store.generation})")
    return 0


def _docs_remove(args, settings) -> int:
    from .library import remove_documents
    ids = list(dict.fromkeys(args.ids))
    store = remove_documents(settings, ids)
    print(f"removed {', '.join(ids)}; the library has {_summary(store)} ({store.generation})")
    return 0


# ---------------------------------------------------------------- outline


def _outline(args) -> int:
    if args.file and args.document:
        raise UsageError("give a FILE or --document ID, not both")
    if args.file:
        from .parser import parse_policy_file
        tree = parse_policy_file(args.file)
    else:
        tree = _library_document(args.document)
    if args.json:
        from .views import outline

        print(json.dumps(outline(tree), ensure_ascii=False, indent=2))
        return 0
    from .views import document_details
    details = document_details(tree.document)
    print(tree.document.title + (f"（{details}）" if details else ""))
    for clause in tree.clauses:
        units = f"  [责任单位：{'、'.join(clause.responsible_units)}]" if clause.responsible_units else ""
        print(f"{clause.id}  {clause.section}{units}")
        print(textwrap.indent(clause.text, "    "))
    return 0


def _library_document(document: str | None):
    """A document of the library: the one named, or the only one."""
    from .library import load_library, open_or_sync
    library = load_library(open_or_sync(load_settings()))
    ids = [tree.document.id for tree in library.trees]
    if document is None:
        if len(ids) == 1:
            return library.trees[0]
        raise UsageError(f"the library holds {len(ids)} documents: name one with --document ID "
                         f"({', '.join(ids[:10])}{', …' if len(ids) > 10 else ''})")
    if not library.has(document):
        raise UsageError(f"no document {document!r} in the library; documents: {', '.join(ids[:10])}")
    return library.tree(document)


# ---------------------------------------------------------------- feedback


def _feedback(args) -> int:
    import csv

    from .feedback import COLUMNS, NotAFeedbackDatabase, read_feedback

    path = args.db or load_settings().feedback_db
    try:
        records = read_feedback(path)
    except NotAFeedbackDatabase as error:
        raise UsageError(str(error)) from None
    if args.format == "jsonl":
        for record in records:
            print(json.dumps(record, ensure_ascii=False))
    else:
        writer = csv.DictWriter(sys.stdout, fieldnames=COLUMNS)
        writer.writeheader()
        for record in records:
            writer.writerow({**record, "citations": " ".join(record["citations"])})
    return 0


def _check_arguments(args) -> None:
    """Every text argument must be UTF-8: the shell hands other bytes over as lone surrogates, which
    cannot be printed, stored or matched. (File names are paths, which may be any bytes.)"""
    from .text import has_lone_surrogate
    for name, value in vars(args).items():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str) and has_lone_surrogate(item):
                label = _ARGUMENT_LABELS.get(name, name)
                raise UsageError(f"the {label} argument is not valid UTF-8 text: {_as_bytes(item)}")


# How the text arguments whose names differ from their ``dest`` appear on the command line.
_ARGUMENT_LABELS = {"document": "--document", "mode": "--mode", "ids": "ID"}


def _as_bytes(text: str) -> str:
    """Undecodable text as the bytes it came from (``\\xff\\xfe``), to show which ones are wrong."""
    try:
        return os.fsencode(text).decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:   # a surrogate no byte made (``main()`` called with one)
        return ascii(text)


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    try:
        args = _build_parser().parse_args(argv)
        _check_arguments(args)
        handler = {"ask": _ask, "index": _index, "docs": _docs, "outline": _outline, "chat": _chat,
                   "feedback": _feedback}[args.command]
        try:
            return handler(args)
        except _library_errors() as error:
            raise UsageError(str(error)) from None
    except UsageError as error:
        message = " ".join(str(error).split())   # one line, whatever the message holds
        print(f"error: {message}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
