"""End to end in a real headless Chromium (Debian's, driven by Playwright) against ``python app.py``.

``ASSISTANT_SCREENSHOTS=docs`` makes the long-answer test save ``phone.png`` and ``desktop.png`` there
(``make screenshot``).
"""

import os
import re
import sqlite3
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright
from policies import SPECIAL_TITLE, SPORTS_TITLE, served_library, write_special_plan_docx, write_sports_plan

from eval.webapp import CHROMIUM, CHROMIUM_FLAGS

FLAGSHIP_TITLE = "西青区教育高质量发展三年行动方案（2023—2025年）"


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make browser` installs Debian's chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


PHONE = {"width": 390, "height": 844}
DESK = {"width": 1280, "height": 900}


def _open(browser, url: str, viewport: dict = DESK):
    context = browser.new_context(viewport=viewport, locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    page.outside_requests = []  # anything not on loopback would leave this machine
    page.on("request", lambda request: None if request.url.startswith(("http://127.0.0.1", "data:", "blob:"))
            else page.outside_requests.append(request.url))
    page.goto(url + "/")
    expect(page.locator("#question textarea")).to_be_visible(timeout=15000)
    expect(page.locator("#heading p")).not_to_contain_text("正在加载", timeout=15000)
    return context, page


@pytest.fixture
def page(browser, web_server):
    context, page = _open(browser, web_server["url"])
    yield page
    assert page.outside_requests == []
    context.close()


@pytest.fixture(scope="module")
def library_server(store_dir, assistant, tmp_path_factory):
    """``python app.py`` over three documents: the flagship, a Markdown plan and a Word plan."""
    folder = tmp_path_factory.mktemp("e2e-library")
    files = (write_sports_plan(folder), write_special_plan_docx(folder))
    with served_library(store_dir, folder, *files) as served:
        yield served


@pytest.fixture
def library_page(browser, library_server):
    context, page = _open(browser, library_server["url"])
    yield page
    assert page.outside_requests == []
    context.close()


def pick(page, picker: str, label: str) -> None:
    """Choose ``label`` in a Gradio dropdown (``picker`` is its elem_id)."""
    page.locator(f"#{picker} input").click()
    page.get_by_role("option", name=label, exact=True).click()
    expect(page.locator(f"#{picker} input")).to_have_value(label)


def ask(page, question: str) -> None:
    """Ask and wait until the answer has finished streaming."""
    done = page.locator('#chat .reply.complete')
    replies = done.count()
    page.locator("#question textarea").fill(question)
    page.locator("#ask").click()
    expect(done).to_have_count(replies + 1, timeout=15000)


def test_chat_answers_with_citation_cards_and_follows_up(page):
    ask(page, "谁负责学前教育？")
    answer = page.locator("#chat .answer").last
    expect(answer).to_contain_text("区教育局")
    cards = page.locator("#chat .cite-card")
    expect(cards.first).to_contain_text("四（五）")
    expect(cards.first.locator(".cite-doc")).to_have_text(f"《{FLAGSHIP_TITLE}》")
    expect(cards.first).to_contain_text("四、重点任务 > （五）推进学前教育普及普惠发展")
    cards.first.locator("summary").click()
    expect(cards.first.locator(".cite-text")).to_contain_text("全区学前三年毛入园率达到93%以上")
    expect(cards.first.locator("mark").first).to_be_visible()
    ask(page, "那目标是多少？")
    expect(page.locator("#chat .answer").last).to_contain_text("93%")
    expect(page.locator("#chat .citations").last.locator(".cite-id").first).to_have_text("四（五）")


def test_clearing_the_chat_forgets_the_previous_question(page):
    ask(page, "谁负责特殊教育？")
    page.locator("#chat button").first.click()  # the chat's own clear (🗑) button
    expect(page.locator("#chat .reply")).to_have_count(0)
    ask(page, "那目标是多少？")  # no previous question any more: nothing to follow up on
    expect(page.locator("#chat .reply").last).not_to_contain_text("99%")


def test_one_document_library_is_named_by_its_title_and_needs_no_picker(page):
    expect(page.locator("#heading h2")).to_have_text(FLAGSHIP_TITLE)
    expect(page.locator("#chat-document")).to_be_hidden()
    expect(page.locator("#clause-document")).to_be_hidden()


def test_example_questions_come_from_the_library_and_are_asked_on_click(page, assistant):
    examples = assistant.replies.examples
    buttons = page.locator("#examples button")
    expect(buttons.filter(has_text=re.compile("."))).to_have_count(len(examples))
    assert [buttons.nth(index).inner_text() for index in range(len(examples))] == examples
    unit_question = next(example for example in examples if example.endswith("负责哪些任务？"))
    page.get_by_role("button", name=unit_question).click()
    expect(page.locator('#chat .reply.complete')).to_have_count(1, timeout=15000)
    expect(page.locator("#chat .answer").last).to_contain_text(unit_question.removesuffix("负责哪些任务？"))
    expect(page.locator("#chat .cite-card").first).to_be_visible()


def test_refusal_is_shown_as_not_covered(page):
    ask(page, "明天天气怎么样？")
    refusal = page.locator("#chat .refusal").last
    expect(refusal).to_contain_text("方案未涉及")
    expect(page.locator("#chat .cite-card")).to_have_count(0)


def test_markup_in_a_question_is_shown_as_text_never_run(page):
    ask(page, '谁负责学前教育？<img src=x onerror="window.pwned=1"><b>粗体</b>')
    expect(page.locator("#chat .question").last).to_contain_text('<img src=x onerror="window.pwned=1">')
    assert page.locator("#chat img[src=x], #chat .question b").count() == 0
    assert page.evaluate("window.pwned") is None


def test_feedback_lands_in_the_sqlite_file(page, web_server):
    ask(page, "特殊教育由哪些部门负责？")
    page.get_by_role("button", name="赞", exact=True).last.click()  # Gradio's zh-CN label for 👍
    expect(page.get_by_text("感谢反馈")).to_be_visible(timeout=10000)
    with sqlite3.connect(web_server["feedback_db"]) as connection:
        rows = connection.execute("SELECT rating, question, citations FROM feedback ORDER BY id").fetchall()
    assert ("up", "特殊教育由哪些部门负责？", '["四（八）"]') in rows


def test_clause_browser_searches_and_opens_the_whole_clause(page):
    page.get_by_role("tab", name="条款浏览").click()
    page.locator("#clause-search textarea").fill("督導")
    page.locator("#clause-search-button").click()
    expect(page.get_by_text("找到 4 条")).to_be_visible()
    results = page.locator("#clause-table tbody tr")
    expect(results).to_have_count(4)
    expect(results.first.locator("mark").first).to_have_text(re.compile("^督[导導]$"))   # found in either script
    with page.context.expect_page() as opened:
        page.locator("#clause-table a", has_text="四（十四）.2").click()
    clause = opened.value
    expect(clause.locator(".clause.current")).to_contain_text("让督导检查“长牙带电”")
    clause.close()
    page.locator("#toc summary", has_text="五、攻坚行动").click()
    page.locator("#toc summary", has_text="五（二） 学生体质健康提升攻坚行动").click()
    page.locator("#toc summary", has_text="五（二）").last.click()
    expect(page.locator("#toc")).to_contain_text("每两年举办体育教师基本功大赛")


def test_duties_and_targets_tables_come_from_the_tree(page, tree):
    page.get_by_role("tab", name="责任分工").click()
    page.locator("#unit-filter input").click()
    page.get_by_role("option", name="区残联", exact=True).click()
    expect(page.locator("#duties-units td").nth(2)).to_have_text("四（八） 加快特殊教育融合发展")
    expect(page.locator("#duties-items td").first).to_have_text("四（八）")
    page.get_by_role("tab", name="量化指标").click()
    expect(page.get_by_text(f"共 {len(tree.targets)} 项")).to_be_visible()
    targets = page.locator("#targets-table")
    expect(targets.locator("td").filter(has_text="全区学前三年毛入园率达到93%以上").first).to_be_visible()


# ---------------------------------------------------------------- a library of several documents


def test_library_heading_and_examples_come_from_the_library(library_page):
    page = library_page
    expect(page.locator("#heading h2")).to_have_text("教育政策问答助手")
    expect(page.locator("#heading p")).to_contain_text("3 份文件")
    expect(page.locator("#chat-document input")).to_have_value("全部文件")
    page.locator("#chat-document input").click()
    options = page.get_by_role("option")
    expect(options).to_have_count(4)
    labels = [text.split("\n")[-1] for text in options.all_inner_texts()]   # the chosen one has a ✓ first
    assert labels == ["全部文件", FLAGSHIP_TITLE, SPORTS_TITLE, SPECIAL_TITLE]
    page.keyboard.press("Escape")


def test_chat_document_picker_scopes_answers_and_examples(library_page):
    page = library_page
    pick(page, "chat-document", SPECIAL_TITLE)
    # The examples are now the picked document's.
    expect(page.get_by_role("button", name="谁负责建设送教上门队伍？")).to_be_visible()
    ask(page, "谁负责特殊教育资源？")
    cards = page.locator("#chat .citations").last.locator(".cite-card")
    expect(cards.first.locator(".cite-doc")).to_have_text(f"《{SPECIAL_TITLE}》")
    assert set(cards.locator(".cite-doc").all_inner_texts()) == {f"《{SPECIAL_TITLE}》"}
    expect(page.locator("#chat .answer").last).to_contain_text("配合单位：区残联、区卫健委")
    pick(page, "chat-document", FLAGSHIP_TITLE)
    ask(page, "谁负责特殊教育？")
    cards = page.locator("#chat .citations").last.locator(".cite-card")
    expect(cards.first.locator(".cite-id")).to_have_text("四（八）")
    assert set(cards.locator(".cite-doc").all_inner_texts()) == {f"《{FLAGSHIP_TITLE}》"}


def test_clause_browser_picks_a_document(library_page):
    page = library_page
    page.get_by_role("tab", name="条款浏览").click()
    total = 76 + 7 + 4
    expect(page.get_by_text(f"共 {total} 条")).to_be_visible()
    expect(page.locator("#toc details.toc-document")).to_have_count(3)
    pick(page, "clause-document", SPECIAL_TITLE)
    expect(page.get_by_text("共 4 条")).to_be_visible()
    expect(page.locator("#toc")).to_contain_text("一、主要任务")
    expect(page.locator("#toc")).not_to_contain_text("重点任务")
    page.locator("#clause-search textarea").fill("送教")
    page.locator("#clause-search-button").click()
    expect(page.get_by_text("找到 1 条")).to_be_visible()
    result = page.locator("#clause-table tbody tr")
    expect(result.locator("td").first).to_have_text(SPECIAL_TITLE)
    expect(result.locator("mark").first).to_have_text("送教")
    with page.context.expect_page() as opened:
        result.locator("a", has_text="一（二）").click()
    expect(opened.value.locator("h1")).to_contain_text(SPECIAL_TITLE)
    opened.value.close()


def test_duties_and_targets_pick_a_document(library_page):
    page = library_page
    page.get_by_role("tab", name="责任分工").click()
    expect(page.locator("#duties-document input")).to_have_value(FLAGSHIP_TITLE)
    pick(page, "duties-document", SPECIAL_TITLE)
    items = page.locator("#duties-items")
    expect(items.locator("td").filter(has_text="区残联、区卫健委")).to_have_count(1)
    page.locator("#unit-filter input").click()
    page.get_by_role("option", name="区民政局", exact=True).click()
    units = page.locator("#duties-units")
    expect(units.locator("td").first).to_have_text("区民政局")
    expect(units.locator("td").nth(3)).to_have_text("一（二） 建设送教上门队伍")
    page.get_by_role("tab", name="量化指标").click()
    pick(page, "targets-document", SPORTS_TITLE)
    expect(page.locator("#targets-note")).to_contain_text(f"《{SPORTS_TITLE}》")
    expect(page.locator("#targets-table td").filter(has_text="新建标准化学校操场12个").first).to_be_visible()


# ---------------------------------------------------------------- a phone and a desk

VIEWPORTS = pytest.mark.parametrize("viewport", [PHONE, DESK], ids=["phone", "desk"])
# Words a Chinese UI may show in Latin letters: the file formats it offers.
LATIN_ALLOWED = {"Excel", "CSV"}


@pytest.fixture
def sized_page(browser, web_server, viewport):
    context, page = _open(browser, web_server["url"], viewport)
    yield page
    assert page.outside_requests == []
    context.close()


def _in_view(page, locator) -> bool:
    box = locator.bounding_box()
    size = page.viewport_size
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= size["height"] \
        and box["x"] >= 0 and box["x"] + box["width"] <= size["width"]


@VIEWPORTS
def test_question_box_examples_and_new_chat_are_visible_on_load(sized_page, assistant):
    page = sized_page
    buttons = page.locator("#examples button").filter(has_text=re.compile("."))
    expect(buttons).to_have_count(len(assistant.replies.examples))
    for locator in [page.locator("#question textarea"), page.locator("#ask"), page.locator("#new-chat"),
                    *[buttons.nth(index) for index in range(buttons.count())]]:
        assert _in_view(page, locator), locator


@VIEWPORTS
def test_the_start_of_a_long_answer_is_in_view_once_it_arrives(sized_page):
    page = sized_page
    ask(page, "谁负责学前教育？")
    ask(page, "孩子上幼儿园难，区里有什么打算？")   # a long answer: lead, measures, four citation cards
    question = page.locator("#chat .question").last
    answer = page.locator("#chat .reply").last
    page.wait_for_timeout(300)   # the view moves after the last piece has arrived
    assert _in_view(page, question)
    assert question.bounding_box()["y"] < page.viewport_size["height"] / 3   # moved up to the top, not left below
    assert _controls_over(page, question) == []
    answer_top = answer.bounding_box()["y"]
    assert question.bounding_box()["y"] < answer_top < page.viewport_size["height"] - 40
    expect(answer.locator("details.cite-card").first).not_to_have_attribute("open", "")
    if os.environ.get("ASSISTANT_SCREENSHOTS"):   # `make screenshot`: the README's pictures
        name = "phone.png" if page.viewport_size == PHONE else "desktop.png"
        page.screenshot(path=str(Path(os.environ["ASSISTANT_SCREENSHOTS"]) / name))


def _controls_over(page, locator) -> list[str]:
    """The chat's own buttons (🗑, ↓) that lie over ``locator`` (copy/赞/踩 sit under their message)."""
    target = locator.bounding_box()
    covering = []
    for control in page.locator("#chat button:visible").all():
        box = control.bounding_box()
        if box is None or control.locator("xpath=ancestor::*[contains(@class,'message-buttons')]").count():
            continue
        if not (box["x"] + box["width"] <= target["x"] or target["x"] + target["width"] <= box["x"]
                or box["y"] + box["height"] <= target["y"] or target["y"] + target["height"] <= box["y"]):
            covering.append(control.get_attribute("aria-label") or control.inner_text())
    return covering


@VIEWPORTS
def test_no_control_covers_the_first_question(sized_page):
    page = sized_page
    ask(page, "谁负责学前教育？")
    assert _controls_over(page, page.locator("#chat .question").first) == []


def _latin_strings(page) -> list[str]:
    """Latin words a user sees in the page's own chrome: visible text, tooltips, screen-reader names,
    placeholders (the text of answers, clauses and tables comes from documents and is left out)."""
    found = page.evaluate("""() => {
      const out = [], skip = "#chat .message, .data-table td, .toc, .cite-card, script, style, svg";
      for (const el of document.querySelectorAll("*")) {
        if (el.closest(skip)) continue;
        for (const name of ["title", "aria-label", "placeholder", "alt"]) {
          const value = el.getAttribute(name);
          if (value && !/^(你的问题|回答)：/.test(value)) out.push(value);
        }
      }
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      while (walker.nextNode()) {
        const el = walker.currentNode.parentElement;
        if (el && !el.closest(skip) && el.getClientRects().length) out.push(walker.currentNode.textContent);
      }
      return out;
    }""")
    return sorted({word for text in found for word in re.findall(r"[A-Za-z]{3,}", text)} - LATIN_ALLOWED)


@VIEWPORTS
def test_no_english_in_the_interface(sized_page):
    page = sized_page
    ask(page, "谁负责学前教育？")
    page.locator("#chat .message-buttons button").first.hover()
    page.get_by_role("button", name="赞", exact=True).last.click()     # its toast too
    expect(page.get_by_text("感谢反馈")).to_be_visible(timeout=10000)
    assert _latin_strings(page) == []
    for tab in ("条款浏览", "责任分工", "量化指标"):
        page.get_by_role("tab", name=tab).click()
        page.wait_for_timeout(300)
        assert _latin_strings(page) == [], tab


def test_api_docs_render_with_nothing_fetched_from_outside(browser, web_server):
    context, page = _open(browser, web_server["url"])
    page.goto(web_server["url"] + "/docs")
    expect(page.locator(".swagger-ui .opblock-summary-path", has_text="/api/ask").first).to_be_visible(timeout=15000)
    assert page.outside_requests == []
    context.close()


@VIEWPORTS
def test_a_citation_card_links_to_the_clause_in_its_context(sized_page):
    page = sized_page
    ask(page, "谁负责学前教育？")
    card = page.locator("#chat .cite-card").first
    card.locator("summary").click()
    with page.context.expect_page() as opened:
        card.locator(".cite-link").click()
    clause = opened.value
    expect(clause.locator(".clause.current")).to_contain_text("全区学前三年毛入园率达到93%以上")
    expect(clause.locator("#formal-citation")).to_have_text(f"《{FLAGSHIP_TITLE}》四（五）")
    assert "/clause/" in clause.url
    clause.close()


@pytest.mark.parametrize("written", ["四（十三）", "四(十三)"])
def test_the_clause_browser_finds_ids_in_either_width(page, written):
    page.get_by_role("tab", name="条款浏览").click()
    page.locator("#clause-search textarea").fill(written)
    page.locator("#clause-search-button").click()
    rows = page.locator("#clause-table tbody tr")
    expect(rows.first.locator("td").nth(1)).to_have_text("四（十三）")
    expect(rows.first.locator("td").nth(1).locator("mark")).to_have_text("四（十三）")
    for index in range(rows.count()):
        assert rows.nth(index).locator("td").nth(1).inner_text().startswith("四（十三）")


def _download(page, link_text: str, folder: Path) -> Path:
    with page.expect_download() as download:
        page.locator(".downloads:visible a", has_text=link_text).click()
    path = folder / download.value.suggested_filename
    download.value.save_as(path)
    return path


def test_duties_and_targets_download_as_excel_and_csv(page, tmp_path):
    import csv
    import io

    import openpyxl

    page.get_by_role("tab", name="责任分工").click()
    page.locator("#unit-filter input").click()
    page.get_by_role("option", name="区残联", exact=True).click()
    expect(page.locator("#duties-items tbody tr")).to_have_count(1)
    sheet = openpyxl.load_workbook(_download(page, "Excel", tmp_path)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0][:2] == ["文件", "编号"] and [row[1] for row in rows[1:]] == ["四（八）"]
    page.get_by_role("tab", name="量化指标").click()
    shown = page.locator("#targets-table tbody tr").count()
    data = _download(page, "CSV", tmp_path).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert table[0][:4] == ["文件", "条款", "所属任务", "指标"] and len(table) - 1 == shown


@VIEWPORTS
def test_targets_show_comparators_and_read_as_cards_on_a_phone(sized_page, viewport, tree):
    page = sized_page
    page.get_by_role("tab", name="量化指标").click()
    row = page.locator("#targets-table tbody tr").filter(has_text="毛入园率").first
    cells = row.locator("td")
    expect(cells.nth(3)).to_have_text("以上")
    expect(cells.nth(4)).to_have_text("93%")
    dated = next(target for target in tree.targets if target.deadline and target.comparator)
    row = page.locator("#targets-table tbody tr").filter(has_text=dated.phrase).filter(has_text=dated.value).first
    expect(row.locator("td").nth(3)).to_have_text(dated.comparator)
    expect(row.locator("td").nth(5)).to_have_text(dated.deadline)
    if viewport == PHONE:   # each field of a row on its own line, the full width of the card
        assert all(cells.nth(index).bounding_box()["width"] > 250 for index in range(7))


def test_a_refusals_suggestions_are_asked_when_clicked(page):
    ask(page, "明天天气怎么样？")
    suggestion = page.locator("#chat .refusal .suggestion").first
    question = suggestion.inner_text()
    suggestion.click()
    expect(page.locator("#chat .reply.complete")).to_have_count(2, timeout=15000)
    expect(page.locator("#chat .question").last).to_have_text(question)
    expect(page.locator("#chat .reply").last.locator(".refusal")).to_have_count(0)


def test_tables_print_without_the_controls(page):
    page.get_by_role("tab", name="责任分工").click()
    expect(page.locator("#duties-items tbody tr").first).to_be_visible()
    page.emulate_media(media="print")
    expect(page.locator("[role=tablist]").first).to_be_hidden()
    expect(page.locator("#duties-downloads .downloads")).to_be_hidden()
    expect(page.locator("#duties-items tbody tr").first).to_be_visible()
    page.emulate_media(media="screen")
