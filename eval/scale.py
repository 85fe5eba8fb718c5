"""``python -m eval.scale`` (``make bench-scale``): how cost grows with the library, 1 → 50 → 500 documents.

Libraries: the flagship alone, then the first 50 and all 500 documents of :mod:`eval.synthetic` (about
50,000 clauses), each on the local store and on a Chroma server (``chroma run`` on loopback). For each:

- build: ``python -m assistant index DIR`` into a fresh store; wall time, clauses per second, peak memory;
- serve: ``python app.py`` on it; start to a healthy ``/healthz`` (the first start after the build, which
  cuts the clauses into words for BM25, and a restart, which reads them kept), and its peak memory once asked;
- ask: ``POST /api/ask`` over loopback, p50 and p95, over the flagship's gold questions and questions that
  name a copied document by its place and ask for a figure of its own ("named");
- named: of those, how many were answered from their document alone with its own figure.

It prints one row per library, how each cost grew from 50 to 500 documents, and draws the curves
(``--plot``). Figures are measured from outside, as a user meets them.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from assistant.parser import parse_policy
from assistant.scope import short_place

from .bench import run_measured
from .score import load_gold, percentile
from .synthetic import QUANTITY_UNITS, is_copy, make_library
from .systems import flagship_file
from .webapp import ChromaServer, ServerDidNotStart, free_port, running_app

SIZES = (1, 50, 500)
STORES = ("local", "server")
GOLD_QUESTIONS = 100
NAMED_QUESTIONS = 50
# A copy's own figures: the quantities eval.synthetic shifted, which no other document states.
OWN_FIGURE = re.compile(rf"\d{{2,5}}(?:{QUANTITY_UNITS})")


@dataclass(frozen=True)
class NamedQuestion:
    """A question naming a document by its place, the figure of its own the answer must give, and the
    figures other documents give for the same measure (and it never states), which it must not."""

    question: str
    document: str
    value: str
    others: tuple[str, ...] = ()

    def answered_by(self, answer: dict) -> bool:
        """Answered from its document alone, with its own figure and no other document's."""
        citations = answer.get("citations") or []
        text = answer.get("answer", "")
        return (not answer.get("refused") and bool(citations)
                and all(citation["document"] == self.document for citation in citations)
                and states(text, self.value) and not any(states(text, other) for other in self.others))


@dataclass(frozen=True)
class LibraryFigures:
    store: str
    documents: int
    clauses: int
    build_s: float
    build_clauses_per_s: float
    build_peak_mib: float
    ready_s: float
    restart_s: float
    serve_peak_mib: float
    ask_p50_ms: float
    ask_p95_ms: float
    named_correct: int
    named_asked: int


def states(text: str, value: str) -> bool:
    """``value`` (324名) in ``text`` as a figure of its own, not the end of another (1324名)."""
    return re.search(rf"(?<![\d.]){re.escape(value)}", text) is not None


def named_questions(paths: list[Path], limit: int = NAMED_QUESTIONS) -> list[NamedQuestion]:
    """One question for each copied document with a figure of its own, up to ``limit``, spread over the
    library: "<place><measure>是多少？" about a target whose value was shifted in that copy."""
    trees = {path.stem: parse_policy(path.read_text(encoding="utf-8"), path.stem) for path in paths}
    values: dict[str, set[str]] = {}
    for tree in trees.values():
        for target in tree.targets:
            values.setdefault(_unplaced(target.measure, tree.document.place), set()).add(target.value)
    copies = [document_id for document_id in trees if is_copy(document_id)]
    questions = []
    for document_id in copies[::max(1, len(copies) // limit)] if limit else ():
        tree = trees[document_id]
        target = next((target for target in tree.targets if OWN_FIGURE.fullmatch(target.value)
                       and target.measure and target.value not in target.measure), None)
        if target is not None and tree.document.place:
            # Figures the document states itself (for something else, or unshifted: 8个) are not another's.
            text = "\n".join(clause.text for clause in tree.clauses)
            measure = _unplaced(target.measure, tree.document.place)
            others = tuple(sorted(value for value in values[measure] if not states(text, value)))
            questions.append(NamedQuestion(f"{tree.document.place}{target.measure}是多少？", document_id,
                                           target.value, others))
    return questions[:limit]


def _unplaced(measure: str, place: str) -> str:
    """A measure as every copy names it (西青区劳动教育基地 → 劳动教育基地)."""
    return measure.replace(place, "").replace(short_place(place), "") if place else measure


def _peak_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _library(size: int, workdir: Path) -> Path:
    folder = workdir / f"library-{size}"
    if not folder.exists():
        if size == 1:
            folder.mkdir()
            (folder / flagship_file().name).write_bytes(flagship_file().read_bytes())
        else:
            make_library(folder, size)
    return folder


def measure_library(store: str, size: int, workdir: Path, chroma_url: str | None,
                    gold_questions: int = GOLD_QUESTIONS, named_limit: int = NAMED_QUESTIONS) -> LibraryFigures:
    import httpx

    from index.store import open_current

    folder = _library(size, workdir)
    name = f"{store}-{size}"
    env = {"ASSISTANT_STORE": str(workdir / f"store-{name}"), "ASSISTANT_SHOW_PROGRESS": "false",
           "ASSISTANT_FEEDBACK_DB": str(workdir / f"feedback-{name}.sqlite3")}
    if chroma_url:
        env["ASSISTANT_CHROMA_URL"] = chroma_url
    env = {**_environment(), **env}
    build_s, build_mib = run_measured([sys.executable, "-m", "assistant", "index", str(folder)], env)
    clauses = open_current(Path(env["ASSISTANT_STORE"]), chroma_url).manifest.clauses
    gold = [(item.question, list(item.history)) for item in load_gold()][:gold_questions]
    named = named_questions(sorted(folder.iterdir()), named_limit)
    timings, correct = [], 0
    with running_app(env, timeout=900) as first:
        ready_s = first.ready_seconds
    with running_app(env, timeout=900) as app, httpx.Client(base_url=app.url, timeout=60) as client:
        client.post("/api/ask", json={"question": gold[0][0]}).raise_for_status()   # one-off costs
        for question, history in gold:
            timings.append(_timed(client, {"question": question, "history": history})[1])
        for item in named:
            answer, elapsed = _timed(client, {"question": item.question})
            timings.append(elapsed)
            correct += item.answered_by(answer)
        serve_mib = _peak_mib(app.process.pid)
    return LibraryFigures(store, size, clauses, round(build_s, 1), round(clauses / build_s, 1), round(build_mib),
                          round(ready_s, 1), round(app.ready_seconds, 1), round(serve_mib),
                          round(statistics.median(timings), 1), round(percentile(timings, 0.95), 1),
                          correct, len(named))


def _timed(client, body: dict) -> tuple[dict, float]:
    sent = time.perf_counter()
    response = client.post("/api/ask", json=body)
    elapsed = (time.perf_counter() - sent) * 1000
    response.raise_for_status()
    return response.json(), elapsed


def _environment() -> dict[str, str]:
    return {key: value for key, value in os.environ.items() if not key.startswith("ASSISTANT_")}


def measure(sizes: tuple[int, ...], stores: tuple[str, ...], workdir: Path, **questions: int) -> list[LibraryFigures]:
    figures = []
    for store in stores:
        if store == "server":
            with ChromaServer(workdir / "chroma-data", free_port(), workdir / "chroma.log") as server:
                figures += [measure_library(store, size, workdir, server.url, **questions) for size in sizes]
        else:
            figures += [measure_library(store, size, workdir, None, **questions) for size in sizes]
    return figures


COLUMNS = [("store", "store"), ("documents", "docs"), ("clauses", "clauses"), ("build_s", "build s"),
           ("build_clauses_per_s", "clauses/s"), ("build_peak_mib", "build MiB"), ("ready_s", "ready s"),
           ("restart_s", "restart s"),
           ("serve_peak_mib", "serve MiB"), ("ask_p50_ms", "p50 ms"), ("ask_p95_ms", "p95 ms")]


def table(figures: list[LibraryFigures]) -> str:
    lines = ["  ".join(f"{label:>10}" for _, label in COLUMNS) + "       named"]
    for row in figures:
        values = asdict(row)
        lines.append("  ".join(f"{values[key]:>10}" for key, _ in COLUMNS)
                     + f"  {row.named_correct:>4}/{row.named_asked:<4}")
    return "\n".join(lines)


def growth(figures: list[LibraryFigures]) -> str:
    """How each cost grew between the two largest libraries of each store."""
    lines = []
    for store in dict.fromkeys(row.store for row in figures):
        rows = sorted((row for row in figures if row.store == store), key=lambda row: row.documents)
        if len(rows) < 2:
            continue
        small, large = rows[-2], rows[-1]
        ratio = large.clauses / small.clauses
        parts = [f"{key} ×{getattr(large, key) / getattr(small, key):.2f}"
                 for key in ("build_s", "ready_s", "restart_s", "serve_peak_mib", "ask_p50_ms", "ask_p95_ms")
                 if getattr(small, key)]
        lines.append(f"{store}: {small.documents} → {large.documents} documents (clauses ×{ratio:.1f}): "
                     + ", ".join(parts))
    return "\n".join(lines)


def plot(figures: list[LibraryFigures], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    panels = [("ask_p50_ms", "per-question p50 (ms)"), ("ask_p95_ms", "per-question p95 (ms)"),
              ("build_clauses_per_s", "build (clauses/s)"), ("serve_peak_mib", "app memory (MiB)")]
    figure, axes = pyplot.subplots(1, len(panels), figsize=(14, 3.4))
    for axis, (key, title) in zip(axes, panels):
        for store in dict.fromkeys(row.store for row in figures):
            rows = [row for row in figures if row.store == store]
            axis.plot([row.clauses for row in rows], [getattr(row, key) for row in rows], marker="o", label=store)
        axis.set_xscale("log")
        axis.set_xlabel("clauses in the library")
        axis.set_title(title)
        axis.grid(True, alpha=0.3)
    axes[0].legend()
    figure.tight_layout()
    figure.savefig(path, dpi=110)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.scale", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="library sizes in documents")
    parser.add_argument("--stores", default=",".join(STORES), help="local, server or both")
    parser.add_argument("--gold-questions", type=int, default=GOLD_QUESTIONS, help="flagship gold questions asked")
    parser.add_argument("--named-questions", type=int, default=NAMED_QUESTIONS,
                        help="questions naming a copied document asked (at most one per document)")
    parser.add_argument("--plot", type=Path, help="draw the curves into this PNG")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    parser.add_argument("--workdir", type=Path, help="keep the libraries and stores here (default: a temporary folder)")
    args = parser.parse_args(argv)
    try:
        sizes = tuple(int(size) for size in args.sizes.split(","))
        stores = tuple(args.stores.split(","))
        if any(size < 1 for size in sizes) or not set(stores) <= set(STORES) or args.gold_questions < 1 \
                or args.named_questions < 0:
            raise ValueError
    except ValueError:
        print(f"error: --sizes takes positive numbers (1,50,500), --stores {' or '.join(STORES)} (or both, "
              "comma-separated), --gold-questions at least 1", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="assistant-scale-") as temporary:
        workdir = args.workdir or Path(temporary)
        workdir.mkdir(parents=True, exist_ok=True)
        try:
            figures = measure(sizes, stores, workdir, gold_questions=args.gold_questions,
                              named_limit=args.named_questions)
        except (ServerDidNotStart, RuntimeError, subprocess.SubprocessError) as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
    print(table(figures))
    print(growth(figures))
    if args.plot:
        plot(figures, args.plot)
    if args.json:
        args.json.write_text(json.dumps([asdict(row) for row in figures], indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
