"""A library of many documents: made from real ones by ``eval.synthetic``, built and asked through the CLI
with the real model; what loading computes from the texts is kept under the store (``assistant.cache``)
and only what changed is computed again; a search within a few documents is exact; and ``python -m
eval.scale`` (``make bench-scale``) runs end to end on small libraries."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import chromadb
import numpy as np
import pytest
from chromadb.config import Settings as ChromaSettings
from policies import run_assistant, write_rural_rules_gb18030, write_sports_plan

import assistant.engine as engine_module
import assistant.library as library_module
from assistant.engine import Assistant
from assistant.library import DERIVED, add_documents, sync_store
from assistant.parser import parse_policy
from assistant.settings import DEFAULT_CORPUS, PROJECT_ROOT, Settings
from assistant.text import chinese_numeral
from eval.scale import named_questions, states
from eval.synthetic import CLAUSES_PER_DOCUMENT, is_copy, make_library, source_documents
from index.store import EXACT_SEARCH_DOCUMENTS, open_current

FLAGSHIP = DEFAULT_CORPUS / "xiqing-education-plan-2023-2025.md"
MADE = 60
QUESTIONS = ["谁负责学前教育？", "课后服务怎么安排？", "重点任务（十三）的行动目标是什么？", "校园足球有什么安排？"]


# ------------------------------------------------------------------ a made library


@pytest.fixture(scope="module")
def made_library(tmp_path_factory) -> list[Path]:
    return make_library(tmp_path_factory.mktemp("made") / "library", MADE)


@pytest.fixture(scope="module")
def made_store(made_library, tmp_path_factory) -> Path:
    store = tmp_path_factory.mktemp("made-store") / "store"
    result = run_assistant("index", str(made_library[0].parent),
                           env={"ASSISTANT_STORE": str(store), "ASSISTANT_SHOW_PROGRESS": "false"}, timeout=900)
    assert result.returncode == 0, result.stderr
    return store


def test_a_made_library_is_the_real_documents_then_copies_each_in_a_place_of_its_own(made_library):
    sources = source_documents()
    assert len(made_library) == MADE
    real, copies = made_library[:len(sources)], made_library[len(sources):]
    assert [path.read_text(encoding="utf-8") for path in real] == [source.text for source in sources]
    assert all(is_copy(path.stem) for path in copies) and not any(is_copy(path.stem) for path in real)
    trees = [parse_policy(path.read_text(encoding="utf-8"), path.stem) for path in copies]
    places = [tree.document.place for tree in trees]
    assert all(places) and len(set(places)) == len(places)
    assert not set(places) & {source.place for source in sources}
    placed = [source for source in sources if source.place]
    for copy, tree in enumerate(trees):
        base = placed[copy % len(placed)]
        assert base.place not in tree.document.title
        if base.parts:   # joined with other documents' parts, numbered on: 一、 … 十二、
            numerals = [part.numeral for part in tree.parts if not part.numeral.startswith("附件")]
            assert numerals == [chinese_numeral(number) for number in range(1, len(numerals) + 1)]
            assert len(numerals) > base.parts and len(tree.clauses) > base.clauses
            assert len(tree.clauses) >= CLAUSES_PER_DOCUMENT * 0.7


def test_a_smaller_made_library_is_the_start_of_a_larger_one(tmp_path):
    smaller = make_library(tmp_path / "smaller", 31)
    larger = make_library(tmp_path / "larger", 36)
    assert [(path.name, path.read_bytes()) for path in smaller] == \
        [(path.name, path.read_bytes()) for path in larger[:31]]


def test_questions_naming_a_copied_document_are_answered_from_it_with_its_own_figures(made_library, made_store):
    questions = named_questions(made_library, limit=20)
    assert len(questions) >= 15
    # Each asks for a figure other documents of the library state otherwise.
    assert all(question.others for question in questions)
    result = subprocess.run([sys.executable, "-m", "assistant", "ask", "-", "--json"], cwd=PROJECT_ROOT,
                            input="\n".join(question.question for question in questions), capture_output=True,
                            text=True, timeout=600,
                            env={**os.environ, "ASSISTANT_STORE": str(made_store), "ASSISTANT_SHOW_PROGRESS": "false"})
    assert result.returncode == 0, result.stderr
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(answers) == len(questions)
    elsewhere = [(question.question, [citation["document"] for citation in answer["citations"]])
                 for question, answer in zip(questions, answers)
                 if answer["refused"]
                 or any(citation["document"] != question.document for citation in answer["citations"])]
    assert not elsewhere
    others = [(question.question, answer["answer"]) for question, answer in zip(questions, answers)
              if any(states(answer["answer"], other) for other in question.others)]
    assert not others
    own = sum(question.answered_by(answer) for question, answer in zip(questions, answers))
    assert own >= 0.8 * len(questions)


def test_a_search_within_a_few_documents_scores_all_their_passages(made_library, made_store):
    store = open_current(made_store)
    vectors = _stored_vectors(store)
    rng = np.random.default_rng(3)
    ids = [info.id for info in store.documents()]
    for documents in ([ids[5]], ids[10:10 + EXACT_SEARCH_DOCUMENTS]):
        query = rng.normal(size=store.manifest.dimension).astype(np.float32)
        expected = _brute_force(vectors, query, set(documents), k=10)
        found = store.nearest(query, k=10, documents=documents)
        assert [key for key, _ in found] == [key for key, _ in expected]
        assert np.allclose([score for _, score in found], [score for _, score in expected], atol=1e-5)
    # Past a few documents the index is searched and filtered: the same clauses, found approximately. The
    # query is a real text's vector (a passage of a document outside them): a random vector, near no passage,
    # is the index's worst case and found as few as 4 of 10.
    many = ids[::3]
    query = next(vector for passage_id, vector in vectors.items() if passage_id.split("/", 1)[0] == ids[1])
    expected = {key for key, _ in _brute_force(vectors, query, set(many), k=10)}
    found = store.nearest(query, k=10, documents=many)
    assert len(found) == 10 and all(key.split("/", 1)[0] in many for key, _ in found)
    assert len(expected & {key for key, _ in found}) >= 8
    store.close()


def _stored_vectors(store) -> dict[str, np.ndarray]:
    client = chromadb.PersistentClient(path=str(store.directory), settings=ChromaSettings(anonymized_telemetry=False))
    stored = client.get_collection("clauses").get(include=["embeddings"])
    return dict(zip(stored["ids"], np.asarray(stored["embeddings"], dtype=np.float32)))


def _brute_force(vectors: dict[str, np.ndarray], query: np.ndarray, documents: set[str], k: int):
    best: dict[str, float] = {}
    scored = sorted(((float(vector @ query / np.linalg.norm(vector) / np.linalg.norm(query)), passage_id)
                     for passage_id, vector in vectors.items() if passage_id.split("/", 1)[0] in documents),
                    reverse=True)
    for similarity, passage_id in scored:
        best.setdefault(passage_id.rsplit("#", 1)[0], similarity)
    return list(best.items())[:k]


# ------------------------------------------------------------------ what loading keeps


@pytest.fixture
def small_library(tmp_path) -> Settings:
    folder = tmp_path / "corpus"
    folder.mkdir()
    shutil.copy(FLAGSHIP, folder)
    write_sports_plan(folder)
    settings = Settings(store=tmp_path / "store", corpus=[folder], show_progress=False)
    sync_store(settings)
    return settings


@pytest.fixture
def counted(monkeypatch):
    """How many documents were parsed, and how many had their clauses cut into words, since."""
    counts = {"parsed": 0, "cut": 0}
    parse, cut = library_module.parse_policy, engine_module.clause_tokens

    def parsing(*args, **kwargs):
        counts["parsed"] += 1
        return parse(*args, **kwargs)

    def cutting(*args, **kwargs):
        counts["cut"] += 1
        return cut(*args, **kwargs)

    monkeypatch.setattr(library_module, "parse_policy", parsing)
    monkeypatch.setattr(engine_module, "clause_tokens", cutting)
    return counts


def _load(settings: Settings) -> Assistant:
    return Assistant.from_store(settings, open_current(settings.store))


def _answers(assistant: Assistant) -> list[tuple[str, list[tuple[str, str]]]]:
    return [(answer.answer, [(citation.document, citation.id) for citation in answer.citations])
            for answer in map(assistant.ask, QUESTIONS)]


def test_a_second_load_reads_the_parses_and_words_the_first_kept(small_library, counted):
    first = _answers(_load(small_library))
    assert counted == {"parsed": 0, "cut": 2}   # parsed when the store was built; cut into words once
    counted.update(parsed=0, cut=0)
    assistant = _load(small_library)
    bm25 = assistant.retriever.bm25
    assert _answers(assistant) == first
    assert counted == {"parsed": 0, "cut": 0}
    assert assistant.retriever.bm25 is bm25   # questions never rebuild the index


def test_adding_a_document_parses_only_that_document(small_library, counted, tmp_path):
    _load(small_library)
    counted.update(parsed=0, cut=0)
    added = write_rural_rules_gb18030(tmp_path)
    add_documents(small_library, [added])
    assert counted["parsed"] == 1
    _load(small_library)
    assert counted["parsed"] == 1


def test_a_damaged_kept_file_is_computed_again_and_replaced(small_library, counted):
    first = _answers(_load(small_library))
    kept = sorted((Path(small_library.store) / DERIVED).rglob("*.pickle"))
    assert len(kept) == 4   # two documents' parses and words
    for path in kept:
        path.write_bytes(b"not a pickle")
    counted.update(parsed=0, cut=0)
    assert _answers(_load(small_library)) == first
    assert counted == {"parsed": 2, "cut": 2}
    assert all(path.read_bytes() != b"not a pickle" for path in kept)


def test_parses_kept_by_another_parser_are_never_read(small_library, counted, monkeypatch):
    first = _answers(_load(small_library))
    monkeypatch.setattr(library_module, "_PARSER_CODE", "another parser")
    counted.update(parsed=0, cut=0)
    assert _answers(_load(small_library)) == first
    assert counted == {"parsed": 2, "cut": 2}   # a document's words are kept with its parse


def test_a_store_where_nothing_can_be_kept_only_loads_slower(small_library, counted):
    derived = Path(small_library.store) / DERIVED
    shutil.rmtree(derived)
    derived.write_text("a file where the folder would be")
    first = _answers(_load(small_library))
    counted.update(parsed=0, cut=0)
    assert _answers(_load(small_library)) == first
    assert counted == {"parsed": 2, "cut": 2}


def test_kept_files_no_load_uses_are_deleted_once_stale(small_library):
    trees = Path(small_library.store) / DERIVED / "trees"
    _load(small_library)
    stale, recent = trees / ("0" * 64 + ".pickle"), trees / ("1" * 64 + ".pickle")
    for path in (stale, recent):
        path.write_bytes(b"left by an older library")
    two_hours_ago = time.time() - 7200
    os.utime(stale, (two_hours_ago, two_hours_ago))
    _load(small_library)
    assert not stale.exists() and recent.exists()
    assert len(list(trees.glob("*.pickle"))) == 3


# ------------------------------------------------------------------ the benchmark script


def test_the_scale_benchmark_measures_small_libraries_on_both_stores(tmp_path):
    figures, plot = tmp_path / "scale.json", tmp_path / "scale.png"
    result = subprocess.run([sys.executable, "-m", "eval.scale", "--sizes", "1,29", "--stores", "local,server",
                             "--gold-questions", "3", "--named-questions", "2", "--json", str(figures),
                             "--plot", str(plot)], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=900,
                            env={key: value for key, value in os.environ.items() if not key.startswith("ASSISTANT_")})
    assert result.returncode == 0, result.stderr
    rows = json.loads(figures.read_text())
    assert [(row["store"], row["documents"]) for row in rows] == \
        [("local", 1), ("local", 29), ("server", 1), ("server", 29)]
    for row in rows:
        assert row["clauses"] > 0 and row["build_clauses_per_s"] > 0 and row["serve_peak_mib"] > 0
        assert 0 < row["ask_p50_ms"] <= row["ask_p95_ms"]
    assert [row["named_asked"] for row in rows] == [0, 2, 0, 2]
    assert rows[1]["clauses"] == rows[3]["clauses"] > rows[0]["clauses"]
    assert "local: 1 → 29 documents" in result.stdout and "server: 1 → 29 documents" in result.stdout
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_scale_benchmark_refuses_bad_sizes_in_one_line():
    result = subprocess.run([sys.executable, "-m", "eval.scale", "--sizes", "0,x"], cwd=PROJECT_ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.startswith("error: ") and len(result.stderr.strip().splitlines()) == 1
