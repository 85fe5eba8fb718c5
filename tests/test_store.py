"""The library store: real Chroma files in tmp_path, the real default embedding model.

The embedder is loaded once and wrapped so each test can count (or break) what gets embedded.
"""

from __future__ import annotations

import fcntl
import json
from pathlib import Path

import numpy as np
import pytest

import index.store as store_module
from assistant.embeddings import load_embedder
from assistant.records import Clause, ClauseKind, Document
from assistant.settings import USE_MODEL
from index.store import (
    StoreCorrupted,
    StoreDocument,
    StoreError,
    build_generation,
    current_generation,
    embedding_text,
    open_current,
    passages,
)

EDUCATION = {
    "c1": ("发展目标", "到2025年，全区普惠性幼儿园覆盖率达到90%以上，学前教育普及普惠水平显著提升。"),
    "c2": ("教师队伍", "加强教师队伍建设，每年招聘优秀高校毕业生充实中小学教师队伍，完善教师培训体系。"),
    "c3": ("校园安全", "健全校园安全防控体系，落实学校食品安全管理制度，定期开展消防应急疏散演练。"),
}
TRANSPORT = {
    "t1": ("公共交通", "优化公交线网布局，新开通三条连接地铁站的社区公交线路，提高公共交通出行比例。"),
    "t2": ("道路建设", "加快推进主干道路改造提升工程，打通断头路，缓解早晚高峰交通拥堵。"),
}
HEALTH = {
    "h1": ("基层医疗", "提升社区卫生服务中心诊疗能力，推进家庭医生签约服务全覆盖。"),
}
LAST_SENTENCE = "最后，建设一座面向青少年的天文科普馆，配备专业天文望远镜和球幕影院。"


def library_document(document_id: str, clauses: dict[str, tuple[str, str]], origin: str = "corpus"):
    """A (StoreDocument, clauses) pair built by hand."""
    document = Document(id=document_id, title=f"{document_id} 方案")
    built = [Clause(clause_id, document, ClauseKind.PARAGRAPH, (heading,), text)
             for clause_id, (heading, text) in clauses.items()]
    text = "\n".join(clause.text for clause in built)
    return StoreDocument.from_text(document_id, f"data/{document_id}.md", origin, text), built


class CountingEmbedder:
    """The real embedder, counting the texts it embeds; can be told to fail on a given call."""

    def __init__(self, embedder, fail_on_call: int | None = None, error: BaseException | None = None) -> None:
        self.embedder = embedder
        self.texts: list[str] = []
        self.calls = 0
        self.fail_on_call = fail_on_call
        self.error = error

    def encode(self, texts: list[str]) -> np.ndarray:
        self.calls += 1
        if self.calls == self.fail_on_call:
            raise self.error
        self.texts += texts
        return self.embedder.encode(texts)


@pytest.fixture(scope="session")
def embedder():
    return load_embedder(USE_MODEL)


@pytest.fixture
def counting(monkeypatch, embedder):
    """Install a fresh CountingEmbedder for every build; ``counting()`` returns the latest."""
    made: list[CountingEmbedder] = []

    def install(**failure) -> None:
        def load(name: str) -> CountingEmbedder:
            made.append(CountingEmbedder(embedder, **failure))
            return made[-1]

        monkeypatch.setattr(store_module, "load_embedder", load)

    install()

    class Counter:
        def __call__(self) -> CountingEmbedder | None:
            return made[-1] if made else None

        def fail(self, **failure) -> None:
            made.clear()
            install(**failure)

        def reset(self) -> None:
            made.clear()

    return Counter()


def query(embedder, text: str) -> np.ndarray:
    return embedder.encode([text])[0]


def generations(path: Path) -> list[str]:
    return sorted(entry.name for entry in path.iterdir() if entry.name.startswith("gen-"))


def test_nearest_finds_the_right_clause(tmp_path, counting, embedder):
    store = build_generation(tmp_path, [library_document("education", EDUCATION),
                                        library_document("transport", TRANSPORT)], USE_MODEL)
    found = store.nearest(query(embedder, "幼儿园覆盖率要达到多少？"), 3)
    assert found[0][0] == "education/c1"
    assert len(found) == 3 and len({key for key, _ in found}) == 3
    assert [score for _, score in found] == sorted((score for _, score in found), reverse=True)
    assert all(-1.0 <= score <= 1.0 for _, score in found)
    assert store.nearest(query(embedder, "缓解交通拥堵"), 1)[0][0] == "transport/t2"
    assert len(store.nearest(query(embedder, "教育"), 50)) == 5   # k beyond the library: every clause once


def test_nearest_can_be_scoped_to_documents(tmp_path, counting, embedder):
    store = build_generation(tmp_path, [library_document("education", EDUCATION),
                                        library_document("transport", TRANSPORT),
                                        library_document("health", HEALTH)], USE_MODEL)
    vector = query(embedder, "幼儿园覆盖率")
    scoped = store.nearest(vector, 5, documents={"transport", "health"})
    assert {key.split("/")[0] for key, _ in scoped} == {"transport", "health"}
    assert len(scoped) == 3
    assert [key for key, _ in store.nearest(vector, 2, documents=["education"])][0] == "education/c1"
    assert store.nearest(vector, 5, documents=set()) == []
    assert store.nearest(vector, 5, documents={"unknown"}) == []


def test_adding_a_document_embeds_only_it_and_removing_one_drops_its_vectors(tmp_path, counting, embedder):
    education, transport, health = (library_document("education", EDUCATION),
                                    library_document("transport", TRANSPORT), library_document("health", HEALTH))
    first = build_generation(tmp_path, [education, transport], USE_MODEL)
    assert len(counting().texts) == 5

    counting.reset()
    added = build_generation(tmp_path, [education, transport, health], USE_MODEL)
    assert counting().texts == [embedding_text(health[1][0])]
    assert added.manifest.embedded_passages == 1 and added.manifest.passages == 6
    assert added.nearest(query(embedder, "家庭医生签约"), 1)[0][0] == "health/h1"
    # Copied vectors are the very vectors embedded the first time.
    vector = query(embedder, "幼儿园覆盖率")
    [(key, score)], [(first_key, first_score)] = added.nearest(vector, 1), first.nearest(vector, 1)
    assert key == first_key and score == pytest.approx(first_score, abs=1e-5)
    added_at = {info.id: info.added_at for info in first.documents()}
    assert {info.id: info.added_at for info in added.documents() if info.id != "health"} == added_at

    counting.reset()
    removed = build_generation(tmp_path, [education, health], USE_MODEL)
    assert counting() is None   # nothing new: the model is not even loaded
    assert [info.id for info in removed.documents()] == ["education", "health"]
    assert removed.manifest.passages == 4
    assert not any(key.startswith("transport/") for key, _ in removed.nearest(query(embedder, "公交线路"), 10))


def test_unchanged_rebuild_embeds_nothing_but_changes_and_another_model_do(tmp_path, counting, embedder):
    documents = [library_document("education", EDUCATION), library_document("transport", TRANSPORT)]
    build_generation(tmp_path, documents, USE_MODEL)
    counting.reset()
    again = build_generation(tmp_path, documents, USE_MODEL)
    assert counting() is None
    assert again.generation == "gen-2" == current_generation(tmp_path)
    assert again.nearest(query(embedder, "幼儿园覆盖率"), 1)[0][0] == "education/c1"

    changed = {**TRANSPORT, "t2": ("道路建设", "新建三座过街天桥，保障学生上下学通行安全。")}
    build_generation(tmp_path, [documents[0], library_document("transport", changed)], USE_MODEL)
    assert len(counting().texts) == 2   # the whole changed document, nothing else

    counting.reset()
    other_model = build_generation(tmp_path, documents, "another-model")
    assert len(counting().texts) == 5 and other_model.manifest.model == "another-model"


@pytest.mark.parametrize("failure", [
    pytest.param({"fail_on_call": 2, "error": RuntimeError("embedder crashed")}, id="embedding-error"),
    pytest.param({"fail_on_call": 2, "error": KeyboardInterrupt()}, id="interrupted"),
])
def test_a_failed_build_leaves_the_previous_generation_current(tmp_path, counting, embedder, monkeypatch, failure):
    education = library_document("education", EDUCATION)
    build_generation(tmp_path, [education], USE_MODEL).close()
    before = generations(tmp_path)
    counting.fail(**failure)
    monkeypatch.setattr(store_module, "ENCODE_CHUNK", 1)   # one passage per call: fail mid-way
    with pytest.raises(StoreError, match="previous library is still in use") as raised:
        build_generation(tmp_path, [education, library_document("transport", TRANSPORT)], USE_MODEL)
    assert isinstance(raised.value.__cause__, type(failure["error"]))
    assert current_generation(tmp_path) == "gen-1"
    assert generations(tmp_path) == before
    reader = open_current(tmp_path)
    assert [info.id for info in reader.documents()] == ["education"]
    assert reader.nearest(query(embedder, "幼儿园覆盖率"), 1)[0][0] == "education/c1"

    counting.fail()   # the next build, in this same process, succeeds
    rebuilt = build_generation(tmp_path, [education, library_document("transport", TRANSPORT)], USE_MODEL)
    assert rebuilt.nearest(query(embedder, "公交线路"), 1)[0][0] == "transport/t1"


def clause_of_another_document():
    document, clauses = library_document("education", EDUCATION)
    stray = Clause("x", Document(id="transport", title="交通"), ClauseKind.PARAGRAPH, ("x",), "x")
    return [(document, [*clauses, stray])]


@pytest.mark.parametrize(("documents", "message"), [
    pytest.param(lambda: [], "no documents", id="empty"),
    pytest.param(lambda: [library_document("education", EDUCATION), library_document("education", TRANSPORT)],
                 "'education' is given twice", id="duplicate-id"),
    pytest.param(lambda: [library_document("../escape", EDUCATION)], "cannot name a file", id="unsafe-id"),
    pytest.param(lambda: [library_document("education", EDUCATION, origin="web")], "origin 'web'", id="origin"),
    pytest.param(lambda: [(StoreDocument("education", "e.md", "corpus", "text", "0" * 64), [])],
                 "does not match", id="sha256"),
    pytest.param(clause_of_another_document, "was given with document", id="foreign-clause"),
    pytest.param(lambda: [library_document("empty", {})], "no clauses", id="no-clauses"),
])
def test_invalid_input_is_refused_and_changes_nothing(tmp_path, counting, documents, message):
    build_generation(tmp_path, [library_document("health", HEALTH)], USE_MODEL).close()
    with pytest.raises(StoreError, match=message):
        build_generation(tmp_path, documents(), USE_MODEL)
    assert current_generation(tmp_path) == "gen-1"
    assert generations(tmp_path) == ["gen-1"]


def test_duplicate_clause_ids_are_refused(tmp_path, counting):
    document, clauses = library_document("education", EDUCATION)
    with pytest.raises(StoreError, match="clause id 'c1' appears twice"):
        build_generation(tmp_path, [(document, [*clauses, clauses[0]])], USE_MODEL)
    assert open_current(tmp_path) is None


def test_a_long_clause_becomes_passages_and_is_found_by_its_last_sentence(tmp_path, counting, embedder):
    body = "".join(text for _, text in [*EDUCATION.values(), *TRANSPORT.values(), *HEALTH.values()] * 2)
    long_clauses = {"long": ("综合措施", body + LAST_SENTENCE), **TRANSPORT}
    document = library_document("plan", long_clauses)
    store = build_generation(tmp_path, [document], USE_MODEL, passage_chars=120)
    expected = passages(embedding_text(document[1][0]), 120)
    assert len(expected) >= 5 and all(len(passage) <= 120 for passage in expected)
    assert [info.passages for info in store.documents()] == [len(expected) + 2]
    assert store.nearest(query(embedder, LAST_SENTENCE), 1)[0][0] == "plan/long"
    found = store.nearest(query(embedder, "天文科普馆"), 3)
    assert found[0][0] == "plan/long" and len(found) == 3   # one entry for the clause, however many passages


def test_passages_split_at_sentences_then_commas_and_never_exceed_the_limit():
    assert passages("短句。", 10) == ["短句。"]
    assert passages("第一句。第二句！第三句？", 8) == ["第一句。第二句！", "第三句？"]
    assert passages("一二三四五，六七八九十，甲乙。", 6) == ["一二三四五，", "六七八九十，", "甲乙。"]
    assert passages("一二三四五六七八九十", 4) == ["一二三四", "五六七八", "九十"]
    assert passages("", 4) == [] and passages("  \n ", 4) == []
    text = ("加强教师队伍建设，每年招聘优秀高校毕业生；" * 20) + "完善培训体系。" * 10
    for limit in (1, 7, 50, 256):
        cut = passages(text, limit)
        assert all(len(passage) <= limit for passage in cut) and "".join(cut) == text
    with pytest.raises(ValueError):
        passages("text", 0)


def test_documents_and_texts_are_kept(tmp_path, counting):
    education = library_document("education", EDUCATION)
    health = library_document("health", HEALTH, origin="added")
    build_generation(tmp_path, [education, health], USE_MODEL).close()
    store = open_current(tmp_path)
    infos = {info.id: info for info in store.documents()}
    assert infos["health"].origin == "added" and infos["education"].origin == "corpus"
    assert infos["education"].source == "data/education.md"
    assert (infos["education"].clauses, infos["education"].passages) == (3, 3)
    assert infos["health"].sha256 == health[0].sha256 and infos["health"].added_at.endswith("+00:00")
    assert store.text("education") == education[0].text
    with pytest.raises(StoreError, match="no document 'transport'"):
        store.text("transport")
    manifest = json.loads((tmp_path / "gen-1" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["model"] == USE_MODEL and manifest["dimension"] == 512
    assert (tmp_path / "gen-1" / "texts" / "health.txt").read_text(encoding="utf-8") == health[0].text


def test_nothing_built_yet(tmp_path):
    assert open_current(tmp_path) is None and current_generation(tmp_path) is None
    assert open_current(tmp_path / "missing") is None


def remove_database(generation: Path) -> None:
    (generation / "chroma.sqlite3").unlink()


def garble_database(generation: Path) -> None:
    (generation / "chroma.sqlite3").write_bytes(b"not a database" * 100)


def garble_manifest(generation: Path) -> None:
    (generation / "manifest.json").write_text("{not json", encoding="utf-8")


def miscount_manifest(generation: Path) -> None:
    manifest = json.loads((generation / "manifest.json").read_text(encoding="utf-8"))
    manifest["documents"][0]["passages"] += 1
    (generation / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def remove_text(generation: Path) -> None:
    (generation / "texts" / "education.txt").unlink()


def point_nowhere(generation: Path) -> None:
    (generation.parent / "CURRENT").write_text("gen-99\n", encoding="utf-8")


def garble_current(generation: Path) -> None:
    (generation.parent / "CURRENT").write_bytes(b"\xff\xfe garbage")


@pytest.mark.parametrize("damage", [remove_database, garble_database, garble_manifest, miscount_manifest,
                                    remove_text, point_nowhere, garble_current])
def test_a_damaged_store_raises_store_corrupted_with_the_fix(tmp_path, counting, embedder, damage):
    path = tmp_path / "store"
    build_generation(path, [library_document("education", EDUCATION)], USE_MODEL).close()
    damage(path / "gen-1")
    with pytest.raises(StoreCorrupted) as raised:
        open_current(path)
    message = str(raised.value)
    assert f"the library store at {path} is damaged" in message
    assert "python -m assistant index" in message and "Traceback" not in message

    # A rebuild repairs it.
    rebuilt = build_generation(path, [library_document("education", EDUCATION)], USE_MODEL)
    assert rebuilt.nearest(query(embedder, "幼儿园覆盖率"), 1)[0][0] == "education/c1"


class RandomEmbedder:
    """Unit vectors without meaning: enough for tests about files, and fast."""

    def encode(self, texts: list[str]) -> np.ndarray:
        vectors = np.random.default_rng(len(texts)).normal(size=(len(texts), 512)).astype(np.float32)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def test_a_large_generation_missing_its_vector_index_is_corrupted(tmp_path, monkeypatch):
    # Chroma writes its vector index files once 1,000 vectors are added (below that it rebuilds
    # them from its log on open, so losing them there is harmless).
    monkeypatch.setattr(store_module, "load_embedder", lambda name: RandomEmbedder())
    build_generation(tmp_path, [library_document("many", {f"c{n}": ("条款", f"第{n}条。") for n in range(1200)})],
                     USE_MODEL).close()
    next((tmp_path / "gen-1").glob("*/data_level0.bin")).unlink()
    with pytest.raises(StoreCorrupted, match="damaged .*Chroma cannot read gen-1"):
        open_current(tmp_path)


def test_old_generations_are_collected(tmp_path, counting):
    documents = [library_document("education", EDUCATION)]
    for _ in range(4):
        build_generation(tmp_path, documents, USE_MODEL).close()
    assert generations(tmp_path) == ["gen-3", "gen-4"]
    assert current_generation(tmp_path) == "gen-4"


def test_unfinished_generations_are_removed_by_the_next_build(tmp_path, counting):
    build_generation(tmp_path, [library_document("education", EDUCATION)], USE_MODEL).close()
    (tmp_path / "gen-2").mkdir()   # left by a build that was killed
    assert open_current(tmp_path).generation == "gen-1"
    build_generation(tmp_path, [library_document("education", EDUCATION)], USE_MODEL).close()
    assert generations(tmp_path) == ["gen-1", "gen-2"]
    assert json.loads((tmp_path / "gen-2" / "manifest.json").read_text(encoding="utf-8"))["documents"]


def test_a_reader_holding_the_previous_generation_keeps_answering(tmp_path, counting, embedder):
    reader = build_generation(tmp_path, [library_document("education", EDUCATION)], USE_MODEL)
    newer = build_generation(tmp_path, [library_document("transport", TRANSPORT)], USE_MODEL)
    assert newer.generation == current_generation(tmp_path) == "gen-2"
    assert reader.nearest(query(embedder, "幼儿园覆盖率"), 1)[0][0] == "education/c1"
    assert reader.text("education").startswith("到2025年")
    assert open_current(tmp_path).nearest(query(embedder, "幼儿园覆盖率"), 1)[0][0].startswith("transport/")


def test_two_builders_cannot_race(tmp_path, counting):
    build_generation(tmp_path, [library_document("education", EDUCATION)], USE_MODEL).close()
    with open(tmp_path / ".lock", "a") as other_builder:
        fcntl.flock(other_builder, fcntl.LOCK_EX)
        with pytest.raises(StoreError, match="another build"):
            build_generation(tmp_path, [library_document("health", HEALTH)], USE_MODEL)
    assert current_generation(tmp_path) == "gen-1" and generations(tmp_path) == ["gen-1"]
