"""Answering over a library of documents: scope by place, period and title, comparisons, the
library listing, refusals that name what the library covers, and safe incremental builds."""

from pathlib import Path

import pytest

from assistant.engine import InvalidQuestion
from assistant.library import (CORPUS, LibraryError, add_documents, corpus_files, parse_source, read_sources,
                               remove_documents, sync_store)
from assistant.records import Intent
from assistant.settings import Settings
from index.store import build_generation, open_current, passages_sha256

OLD_EDITION = "xiqing-education-plan-2023-2025"
NEW_EDITION = "xiqing-education-plan-2026-2028"
PREFECTURE = "huangnan-education-14th-fyp"


def cited_documents(answer):
    return {citation.document for citation in answer.citations}


def test_every_document_has_its_record_from_its_own_text(library_assistant):
    documents = {document.id: document for document in library_assistant.library.documents}
    assert documents[PREFECTURE].period == (2021, 2025)
    assert documents[PREFECTURE].doc_number.endswith("〔2021〕15号")
    assert documents[NEW_EDITION].period == (2026, 2028)
    assert documents[OLD_EDITION].place == documents[NEW_EDITION].place == "西青区"
    assert all(document.title for document in documents.values())


def test_a_question_naming_a_place_is_answered_from_that_place(library_assistant):
    answer = library_assistant.ask("黄南州学前三年毛入园率到2025年要达到多少？")
    assert not answer.refused and cited_documents(answer) == {PREFECTURE}
    lead, label = answer.answer.splitlines()[:2]
    assert "93%" in lead and label.startswith("《黄南")


def test_the_period_picks_the_edition(library_assistant):
    for years, edition in (("2023—2025年", OLD_EDITION), ("2026—2028年", NEW_EDITION)):
        answer = library_assistant.ask(f"西青区{years}的方案中特殊教育的责任单位是谁？")
        assert cited_documents(answer) == {edition}, years


def test_a_comparison_answers_for_each_document_with_its_own_facts(library_assistant):
    answer = library_assistant.ask("西青区2023—2025年和2026—2028年的方案里，学前三年毛入园率目标分别是多少？")
    assert cited_documents(answer) == {OLD_EDITION, NEW_EDITION}
    old, new = (library_assistant.library.tree(edition) for edition in (OLD_EDITION, NEW_EDITION))
    for tree in (old, new):
        assert f"《{tree.document.title}》" in answer.answer
    blocks = answer.answer.split("《")
    old_block = next(block for block in blocks if block.startswith(old.document.title))
    new_block = next(block for block in blocks if block.startswith(new.document.title))
    old_rate = next(t.value for t in old.targets if "毛入园率" in t.measure)
    new_rate = next(t.value for t in new.targets if "毛入园率" in t.measure)
    assert old_rate != new_rate and old_rate in old_block and new_rate in new_block


def test_the_library_listing_names_every_document_with_issuer_and_date(library_assistant):
    answer = library_assistant.ask("知识库里有哪些文件？")
    assert answer.intent == Intent.LIBRARY and not answer.refused
    for document in library_assistant.library.documents:
        assert document.title in answer.answer
        if document.date:
            assert document.date in answer.answer


def test_the_listing_can_be_scoped_by_place(library_assistant):
    answer = library_assistant.ask("知识库里有哪些西青区的文件？")
    assert cited_documents(answer) == {OLD_EDITION, NEW_EDITION}


@pytest.mark.parametrize("question, covered", [
    ("和平区的学前教育由谁负责？", ["只涉及", "西青区", "黄南"]),
    # The city around the 西青区 documents does not make another of its districts 西青区.
    ("天津市和平区今年幼儿园学位紧不紧？", ["只涉及", "西青区"]),
    ("2035年有什么教育规划？", ["只覆盖", "2023—2025年", "2026—2028年", "2021—2025年"]),
])
def test_places_and_years_no_document_covers_are_refused_naming_what_the_library_covers(
        library_assistant, question, covered):
    answer = library_assistant.ask(question)
    assert answer.refused and not answer.citations
    assert all(word in answer.answer for word in covered)


def test_a_follow_up_continues_the_previous_question_in_the_document_picked(library_assistant):
    first = "孩子上幼儿园难，区里有什么打算？"
    opening = library_assistant.ask(first, document=OLD_EDITION)
    follow_up = library_assistant.ask("谁负责？", [first], document=OLD_EDITION)
    assert not follow_up.refused and follow_up.intent == Intent.RESPONSIBLE_UNITS
    assert {citation.id for citation in follow_up.citations} <= {citation.id for citation in opening.citations} | \
        {citation.id.split(".")[0] for citation in opening.citations}
    assert "区教育局" in follow_up.answer and cited_documents(follow_up) == {OLD_EDITION}
    # The answer line comes first, before the document's name.
    assert follow_up.answer.split("\n")[0].startswith("重点任务（五）")


def test_a_province_limits_the_question_to_the_documents_of_its_places(library_assistant):
    tree = library_assistant.library.tree(PREFECTURE)
    answer = library_assistant.ask("知识库里有哪些青海省的文件？")
    assert answer.intent == Intent.LIBRARY and tree.document.title in answer.answer
    assert cited_documents(answer) == {PREFECTURE}


def test_an_unscoped_question_is_answered_from_the_document_that_has_the_answer(library_assistant):
    answer = library_assistant.ask("教师周转宿舍计划建多少套？")
    assert cited_documents(answer) == {PREFECTURE} and "500套" in answer.answer


def test_an_article_and_an_outline_of_other_layouts(library_assistant):
    article = library_assistant.ask("幼儿园管理条例第三条怎么规定的？", document="kindergarten-regulations-articles-excerpt")
    assert [citation.id for citation in article.citations] == ["第三条"]
    outline = library_assistant.ask("黄南州教育事业发展“十四五”规划一共分几章？")
    assert "五章" in outline.answer and "第五章保障措施" in outline.answer


def test_the_document_parameter_scopes_and_an_unknown_one_is_refused(library_assistant):
    answer = library_assistant.ask("谁负责学前教育？", document=NEW_EDITION)
    assert cited_documents(answer) == {NEW_EDITION}
    with pytest.raises(InvalidQuestion, match="no document"):
        library_assistant.ask("谁负责学前教育？", document="no-such-document")


def test_every_citation_names_its_document_and_its_title(library_assistant):
    answer = library_assistant.ask("区残联负责哪些任务？")
    titles = {document.id: document.title for document in library_assistant.library.documents}
    assert answer.citations
    assert all(citation.document_title == titles[citation.document] for citation in answer.citations)


# ---------------------------------------------------------------- building the library

def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


POLICY = "某区{name}行动计划（2024—2026年）\n一、主要任务\n（一）{name}。新建场所{number}个。（责任单位：区教育局）\n"


@pytest.fixture()
def small_library(tmp_path):
    folder = tmp_path / "policies"
    folder.mkdir()
    write(folder / "reading.md", POLICY.format(name="阅读推广", number=3))
    write(folder / "sports.md", POLICY.format(name="体育提升", number=5))
    return Settings(store=tmp_path / "store", corpus=[folder], show_progress=False), tmp_path


def test_add_and_remove_documents_incrementally(small_library):
    settings, folder = small_library
    store = sync_store(settings)
    assert [info.id for info in store.documents()] == ["reading", "sports"]
    extra = write(folder / "music.md", POLICY.format(name="艺术教育", number=7))
    store, added = add_documents(settings, [extra])
    assert added == ["music"] and store.manifest.embedded_passages < store.manifest.passages
    same, _ = add_documents(settings, [extra])
    assert same.generation == store.generation   # unchanged: nothing rebuilt
    store = remove_documents(settings, ["music"])
    assert [info.id for info in store.documents()] == ["reading", "sports"]
    with pytest.raises(LibraryError, match="no document"):
        remove_documents(settings, ["music"])


def test_the_same_file_twice_is_one_document_and_a_folder_lists_each_file_once(small_library):
    settings, folder = small_library
    reading = folder / "policies" / "reading.md"
    assert corpus_files([reading, reading, folder / "policies"]).count(reading.resolve()) == 1
    store = sync_store(settings, corpus=[reading, reading])
    assert [info.id for info in store.documents()] == ["reading"]


@pytest.mark.parametrize("bad_text", ["", "这只是一段没有编号的话。", None])
def test_a_failed_build_keeps_the_previous_library(small_library, bad_text):
    settings, folder = small_library
    good = sync_store(settings)
    bad = folder / "bad.md"
    if bad_text is None:
        bad.write_bytes(b"\x00\x01\x02binary")
    else:
        write(bad, bad_text)
    with pytest.raises(LibraryError):
        sync_store(settings, corpus=[folder / "policies", bad])
    assert open_current(settings.store).generation == good.generation


def test_two_files_that_would_share_an_id_are_refused(small_library):
    settings, folder = small_library
    other = folder / "other"
    other.mkdir()
    write(other / "reading.md", POLICY.format(name="劳动教育", number=9))
    with pytest.raises(LibraryError, match="rename"):
        sync_store(settings, corpus=[folder / "policies", other])


def test_a_refusal_about_one_document_suggests_questions_that_document_answers(library_assistant):
    answer = library_assistant.ask("黄南州的学校食堂菜价是多少？")
    assert answer.refused
    suggestions = answer.answer.split("您可以这样问：", 1)[1].split(" / ")
    assert suggestions and all(suggestion.startswith("在黄南") for suggestion in suggestions)
    for suggestion in suggestions:
        assert {c.document for c in library_assistant.ask(suggestion).citations} == {PREFECTURE}


def test_a_store_whose_clauses_an_older_parser_read_otherwise_is_rebuilt_at_sync(tmp_path):
    """A text read into other clauses (a parser change: 1.2019—2021年… became a measure) makes the
    stored vectors stale; syncing rebuilds the store though the text itself is unchanged."""
    policy = tmp_path / "corpus" / "qinghe-preschool-plan-2025-2027.md"
    policy.parent.mkdir()
    policy.write_text("# 清河县学前教育行动计划（2025—2027年）\n\n## 一、主要任务\n\n（一）扩充资源。\n\n"
                      "1.2025—2027年新建公办幼儿园12所。\n\n2.新增学位3600个。\n", encoding="utf-8")
    settings = Settings(store=tmp_path / "store", corpus=[policy.parent], show_progress=False)
    [document] = read_sources(corpus_files(settings.corpus), CORPUS)
    tree = parse_source(document)
    older = [clause for clause in tree.clauses if clause.id != "一（一）.1"]   # as an older parser read it
    stale = build_generation(settings.store, [(document, older)], settings.embedding_model)
    synced = sync_store(settings)
    assert synced.generation != stale.generation
    assert {info.passages_sha256 for info in synced.documents()} == {passages_sha256(document.id, tree.clauses)}
    assert sync_store(settings).generation == synced.generation   # and then it is current
