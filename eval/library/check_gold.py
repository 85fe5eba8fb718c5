"""Check a library gold file against the library's documents.

    .venv/bin/python eval/library/check_gold.py [--gold FILE] [--warn]
    .venv/bin/python eval/library/check_gold.py --gold eval/library_gold.jsonl        # the default
    .venv/bin/python eval/library/check_gold.py --gold eval/library_gold.jsonl

The library is data/corpus/*.md (split dev), eval/library/dev/* (dev) and eval/library/test/*
(test); a document's id is its file name without suffix, and its text is what
assistant.readers.read_document makes of the file (any format: .md/.txt in any encoding, .html,
.docx, .pdf). Every fact (at least one of its |-alternatives) and every evidence string must be a
plain substring of one of the question's documents. For the files built by make_formats.py, a string
the reader does not reproduce exactly (a PDF's wrapped title, a web page's publication line, a
table row) may instead be found in the file's source under eval/library/sources/, provided the
built file carries that text up to whitespace; such matches are counted in a note.

Also checks ids (lib-<split>[batch]-NNN), splits, categories and field shapes, that every built file
still carries its source's text (and its encoding, line ends, charset label, page count), and that
every library document is used by some question of eval/library_gold*.jsonl. Exits 1 on any error.
--warn also lists, for `unscoped` questions, other documents that contain the same evidence (a hint
that the question may not be unique).
"""
from __future__ import annotations

import argparse
import html
import json
import re
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent      # eval/library
MAIN = HERE.parent.parent
sys.path[:0] = [str(HERE), str(MAIN)]
sys.dont_write_bytecode = True  # importing make_formats must leave no __pycache__ in eval/library

from make_formats import BY_ID, Doc, source_text  # noqa: E402

from assistant.readers import SUPPORTED_SUFFIXES, read_document  # noqa: E402

GOLD = MAIN / "eval" / "library_gold.jsonl"
CORPUS = MAIN / "data" / "corpus"
FOLDERS = ((CORPUS, "dev"), (HERE / "dev", "dev"), (HERE / "test", "test"))

CATEGORIES = {"scoped_fact", "unscoped", "compare", "library", "structure", "item",
              "responsible_units", "unit_items", "target", "document_meta", "out_of_scope"}
KEYS = ["id", "split", "category", "question", "documents", "facts", "evidence", "refused"]


def flat(s: str) -> str:
    return re.sub(r"[\s|]+", "", s)


@dataclass
class Document:
    id: str
    path: Path
    split: str
    text: str                    # read_document(path)
    source: str | None = None    # the source text, for a file built by make_formats.py
    carried: str = ""            # flat text the built file carries (to allow a source match)
    via_source: int = 0          # gold strings matched only in the source text

    def has(self, s: str) -> bool:
        if s in self.text:
            return True
        if self.source is not None and s in self.source and flat(s) in self.carried:
            self.via_source += 1
            return True
        return False


def load_library(errors: list[str]) -> dict[str, Document]:
    docs: dict[str, Document] = {}
    for folder, split in FOLDERS:
        for p in sorted(folder.iterdir()):
            if p.name == "README.md" or p.suffix.lower() not in SUPPORTED_SUFFIXES:
                continue
            if p.stem in docs:
                errors.append(f"{p}: duplicate document id (also {docs[p.stem].path})")
                continue
            docs[p.stem] = Document(p.stem, p, split, read_document(p))
    for d in BY_ID.values():
        if d.id not in docs or docs[d.id].path != d.path:
            errors.append(f"{d.path.relative_to(MAIN)}: built document missing (make_formats.py)")
            continue
        docs[d.id].source = source_text(d)
        errors += check_built(d, docs[d.id])
    return docs


def raw_page_text(d: Doc) -> str:
    """A web page's text with its tags stripped (the reader leaves out page furniture)."""
    raw = d.path.read_bytes().decode(d.opts["encoding"])
    return html.unescape(re.sub(r"<[^>]+>", "", raw)).replace("\xa0", " ")


def check_built(d: Doc, doc: Document) -> list[str]:
    """The built file must keep its format's traits and carry every paragraph of its source."""
    errors: list[str] = []
    name = d.path.name
    data = d.path.read_bytes()
    if d.fmt in ("txt", "html"):
        try:
            data.decode(d.opts["encoding"])
        except UnicodeDecodeError:
            errors.append(f"{name}: not {d.opts['encoding']}")
    if d.fmt == "txt" and b"\r\n" not in data:
        errors.append(f"{name}: no CRLF line ends")
    if d.fmt == "html" and d.opts.get("charset_label"):
        label = d.opts["charset_label"].encode()
        if b'charset="' + label + b'"' not in data and b"charset=" + label not in data:
            errors.append(f"{name}: charset declaration {d.opts['charset_label']} missing")
    if d.fmt == "pdf":
        if not data.startswith(b"%PDF") or b"STSong-Light" not in data:
            errors.append(f"{name}: not a PDF with the STSong-Light font")
        import pdfplumber  # noqa: PLC0415
        with pdfplumber.open(str(d.path)) as pdf:
            n, (lo, hi) = len(pdf.pages), d.opts.get("pages", (1, 999))
        if not lo <= n <= hi:
            errors.append(f"{name}: {n} pages (want {lo}-{hi})")
    doc.carried = flat(doc.text)
    raw = None
    for n, line in enumerate(doc.source.splitlines(), 1):
        para = flat(re.sub(r"^(#+|>) ", "", line))
        if not para or para in doc.carried:
            continue
        if d.fmt == "html":  # e.g. the publication line, which the reader does not keep
            raw = flat(raw_page_text(d)) if raw is None else raw
            if para in raw:
                doc.carried += "\n" + para
                continue
        errors.append(f"{name}: source line {n} (after the comment) missing from the built file")
    return errors


def used_elsewhere(gold: Path) -> Counter:
    """Documents used by the questions of the other eval/library_gold*.jsonl files."""
    used: Counter = Counter()
    for p in sorted((MAIN / "eval").glob("library_gold*.jsonl")):
        if p.resolve() == gold.resolve():
            continue
        for line in p.read_text("utf-8").splitlines():
            try:
                used.update(json.loads(line).get("documents", []))
            except (json.JSONDecodeError, AttributeError, TypeError):
                pass  # that file's own check reports it
    return used


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gold", type=Path, default=GOLD, help="gold JSONL file (default %(default)s)")
    ap.add_argument("--warn", action="store_true",
                    help="list other documents holding an unscoped question's evidence")
    args = ap.parse_args(argv)
    gold: Path = args.gold
    errors: list[str] = []
    texts = load_library(errors)
    warnings: list[str] = []
    seen: set[str] = set()
    counts: Counter = Counter()
    docs_used: Counter = Counter()
    for n, line in enumerate(gold.read_text("utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            q = json.loads(line)
        except json.JSONDecodeError as e:
            errors.append(f"line {n}: not JSON: {e}")
            continue
        if not isinstance(q, dict):
            errors.append(f"line {n}: not a JSON object")
            continue
        qid = q.get("id", f"line {n}")

        def err(msg: str) -> None:
            errors.append(f"{qid}: {msg}")

        if list(q) != KEYS:
            err(f"keys {list(q)} != {KEYS}")
            continue
        if qid in seen:
            err("duplicate id")
        seen.add(qid)
        if q["split"] not in ("dev", "test"):
            err(f"bad split {q['split']!r}")
        elif not re.fullmatch(rf"lib-{q['split']}\d*-\d{{3}}", str(qid)):
            err("id should be lib-<split>[batch]-NNN")
        if q["category"] not in CATEGORIES:
            err(f"bad category {q['category']!r}")
        if not isinstance(q["question"], str) or not q["question"].strip():
            err("empty question")
        if not all(isinstance(x, list) for x in (q["documents"], q["facts"], q["evidence"])):
            err("documents/facts/evidence must be lists")
            continue
        if not isinstance(q["refused"], bool):
            err("refused must be a boolean")
        counts[(q["split"], q["category"])] += 1
        if q["refused"] != (q["category"] == "out_of_scope"):
            err("refused must be true exactly for out_of_scope")
        if q["refused"]:
            if q["documents"] or q["facts"] or q["evidence"]:
                err("a refusal has no documents, facts or evidence")
            continue
        docs = q["documents"]
        for d in docs:
            if d not in texts:
                err(f"unknown document {d!r}")
        docs = [d for d in docs if d in texts]
        if not docs:
            err("no documents")
            continue
        if len(set(docs)) != len(docs):
            err("duplicate document")
        docs_used.update(docs)
        if q["split"] == "dev" and any(texts[d].split == "test" for d in docs):
            err("dev question uses a test document")
        if q["split"] == "test" and all(texts[d].split == "dev" for d in docs):
            err("test question uses no test document")
        if q["category"] == "compare" and len(docs) < 2:
            err("compare needs two documents or more")
        if not 1 <= len(q["facts"]) <= 4:
            err(f"{len(q['facts'])} facts (want 1-4)")
        if not 1 <= len(q["evidence"]) <= 3:
            err(f"{len(q['evidence'])} evidence strings (want 1-3)")
        for f in q["facts"]:
            if not any(texts[d].has(alt) for alt in f.split("|") for d in docs):
                err(f"fact not found in {docs}: {f!r}")
        covered = set()
        for e in q["evidence"]:
            if not 8 <= len(e) <= 30:
                err(f"evidence length {len(e)} not in 8-30: {e!r}")
            hit = [d for d in docs if texts[d].has(e)]
            if not hit:
                err(f"evidence not found in {docs}: {e!r}")
            covered.update(hit)
            if args.warn and q["category"] == "unscoped":
                others = [d for d in texts if d not in docs and e in texts[d].text]
                if others:
                    warnings.append(f"{qid}: evidence {e!r} also in {others}")
        if q["category"] in ("compare", "library") and len(covered) < min(2, len(docs)):
            warnings.append(f"{qid}: evidence covers only {sorted(covered)}")
    if not counts:
        errors.append("no questions")
    n_test = sum(v for (s, _), v in counts.items() if s == "test")
    if n_test and n_test < 100:
        errors.append(f"only {n_test} test questions (want >= 100)")
    elsewhere = used_elsewhere(gold)
    for d in texts.values():
        if not docs_used[d.id] and not elsewhere[d.id]:
            errors.append(f"document {d.id} ({d.split}) is used by no question of any library gold file")

    print(f"{gold.name}:")
    for s in ("dev", "test"):
        row = {c: v for (sp, c), v in sorted(counts.items()) if sp == s}
        if row:
            print(f"{s}: {sum(row.values())} questions  " + ", ".join(f"{c} {v}" for c, v in row.items()))
    print("by document: " + ", ".join(f"{d} {v}" for d, v in sorted(docs_used.items())))
    for d in texts.values():
        if d.via_source:
            print(f"note: {d.path.name}: {d.via_source} string(s) matched in its source text only "
                  "(the reader does not reproduce them exactly)")
    for w in warnings:
        print("warning:", w)
    for e in errors:
        print("error:", e)
    print("OK" if not errors else f"{len(errors)} error(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
