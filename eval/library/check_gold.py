"""Check eval/library_gold.jsonl against the library's document texts.

    .venv/bin/python eval/library/check_gold.py [--warn]

Every fact (at least one of its |-alternatives) and every evidence string must be a plain substring
of one of the question's documents. The text of a document is its own file when it is markdown or
plain text, else its source in eval/library/sources/ (for the .html/.docx/.pdf/.txt files built by
make_formats.py). Also checks ids, splits, categories, field shapes, and that the built files still
carry their sources' text. Exits 1 on any error. --warn also lists, for `unscoped` questions, other
documents that contain the same evidence (a hint that the question may not be unique).
"""
from __future__ import annotations

import html
import json
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
MAIN = HERE.parent.parent
GOLD = MAIN / "eval" / "library_gold.jsonl"
SHARED = Path("/work/shared/corpus")

CATEGORIES = {"scoped_fact", "unscoped", "compare", "library", "structure", "item",
              "responsible_units", "unit_items", "target", "document_meta", "out_of_scope"}
KEYS = ["id", "split", "category", "question", "documents", "facts", "evidence", "refused"]


def load_library() -> tuple[dict[str, str], dict[str, str]]:
    """Return ({doc id: text}, {doc id: split where it may be used})."""
    texts: dict[str, str] = {}
    split: dict[str, str] = {}
    texts["xiqing-education-plan-2023-2025"] = (SHARED / "xiqing-education-plan-2023-2025.md").read_text("utf-8")
    for p in sorted((SHARED / "more").glob("*.md")):
        if p.name != "README.md":
            texts[p.stem] = p.read_text("utf-8")
    for doc_id in texts:
        split[doc_id] = "dev"
    for p in sorted((HERE / "dev").iterdir()):
        texts[p.stem] = p.read_text("utf-8")
        split[p.stem] = "dev"
    for p in sorted((HERE / "test").iterdir()):
        if p.suffix == ".md":
            texts[p.stem] = p.read_text("utf-8")
        else:
            srcs = [s for s in (HERE / "sources").glob(p.stem + ".*")]
            if len(srcs) != 1:
                raise SystemExit(f"error: {p.name}: expected one source in sources/, found {srcs}")
            texts[p.stem] = re.sub(r"\A<!--.*?-->\s*", "", srcs[0].read_text("utf-8"), flags=re.S)
        split[p.stem] = "test"
    return texts, split


def check_built(texts: dict[str, str]) -> list[str]:
    """The built files must carry every paragraph of their source."""
    errors = []
    test = HERE / "test"
    for p in sorted(test.iterdir()):
        if p.suffix == ".md":
            continue
        paras = [re.sub(r"^(#+|>) ", "", ln).strip() for ln in texts[p.stem].splitlines() if ln.strip()]
        if p.suffix == ".txt":
            got = p.read_bytes().decode("gb18030").replace("\r\n", "\n")
        elif p.suffix == ".html":
            raw = p.read_text("utf-8")
            got = html.unescape(re.sub(r"<[^>]+>", "", raw)).replace("\xa0", " ")
        elif p.suffix == ".docx":
            try:
                import docx  # noqa: PLC0415
            except ImportError:
                print(f"note: python-docx missing, {p.name} not checked")
                continue
            got = "\n".join(par.text for par in docx.Document(str(p)).paragraphs)
        else:  # .pdf: no text extractor in the project's environment; check it exists and has pages
            data = p.read_bytes()
            if not data.startswith(b"%PDF") or b"STSong-Light" not in data:
                errors.append(f"{p.name}: not a PDF with the STSong-Light font")
            continue
        flat = re.sub(r"\s+", "", got)
        for para in paras:
            if re.sub(r"\s+", "", para) not in flat:
                errors.append(f"{p.name}: source paragraph missing from built file: {para[:40]}")
    return errors


def found(s: str, docs: list[str], texts: dict[str, str]) -> list[str]:
    return [d for d in docs if s in texts[d]]


def main() -> int:
    warn = "--warn" in sys.argv
    texts, doc_split = load_library()
    errors: list[str] = check_built(texts)
    warnings: list[str] = []
    seen: set[str] = set()
    counts: Counter = Counter()
    docs_used: Counter = Counter()
    lines = GOLD.read_text("utf-8").splitlines()
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            q = json.loads(line)
        except json.JSONDecodeError as e:
            errors.append(f"line {n}: not JSON: {e}")
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
        if not re.fullmatch(rf"lib-{q['split']}-\d{{3}}", qid):
            err("id should be lib-<split>-NNN")
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
        if q["split"] == "dev" and any(doc_split[d] == "test" for d in docs):
            err("dev question uses a test document")
        if q["split"] == "test" and all(doc_split[d] == "dev" for d in docs):
            err("test question uses no test document")
        if q["category"] == "compare" and len(docs) < 2:
            err("compare needs two documents or more")
        if not 1 <= len(q["facts"]) <= 4:
            err(f"{len(q['facts'])} facts (want 1-4)")
        if not 1 <= len(q["evidence"]) <= 3:
            err(f"{len(q['evidence'])} evidence strings (want 1-3)")
        for f in q["facts"]:
            if not any(found(alt, docs, texts) for alt in f.split("|")):
                err(f"fact not found in {docs}: {f!r}")
        covered = set()
        for e in q["evidence"]:
            if not 8 <= len(e) <= 30:
                err(f"evidence length {len(e)} not in 8-30: {e!r}")
            hit = found(e, docs, texts)
            if not hit:
                err(f"evidence not found in {docs}: {e!r}")
            covered.update(hit)
            if warn and q["category"] == "unscoped":
                others = [d for d in texts if d not in docs and e in texts[d]]
                if others:
                    warnings.append(f"{qid}: evidence {e!r} also in {others}")
        if q["category"] in ("compare", "library") and len(covered) < min(2, len(docs)):
            warnings.append(f"{qid}: evidence covers only {sorted(covered)}")
    splits = {s for s, _ in counts}
    for s in ("dev", "test"):
        if s not in splits:
            errors.append(f"split {s!r} has no questions")
    n_test = sum(v for (s, _), v in counts.items() if s == "test")
    if n_test < 100:
        errors.append(f"only {n_test} test questions (want >= 100)")
    for d, s in doc_split.items():
        if d not in docs_used:
            errors.append(f"document {d} ({s}) is used by no question")

    for s in ("dev", "test"):
        row = {c: v for (sp, c), v in sorted(counts.items()) if sp == s}
        print(f"{s}: {sum(row.values())} questions  " + ", ".join(f"{c} {v}" for c, v in row.items()))
    for w in warnings:
        print("warning:", w)
    for e in errors:
        print("error:", e)
    print("OK" if not errors else f"{len(errors)} error(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
