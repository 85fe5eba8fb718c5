"""End to end in a real headless Chromium (Debian's, driven by Playwright) against ``python app.py``.

``ASSISTANT_SCREENSHOT=docs/chat.png`` makes the chat test save its screenshot there (``make screenshot``).
"""

import os
import sqlite3
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from eval.webapp import CHROMIUM, CHROMIUM_FLAGS



@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make browser` installs Debian's chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, web_server):
    context = browser.new_context(viewport={"width": 1280, "height": 1000}, locale="zh-CN")
    page = context.new_page()
    page.outside_requests = []  # anything not on loopback would leave this machine
    page.on("request", lambda request: None if request.url.startswith(("http://127.0.0.1", "data:", "blob:"))
            else page.outside_requests.append(request.url))
    page.goto(web_server["url"] + "/")
    expect(page.locator("#question textarea")).to_be_visible(timeout=15000)
    yield page
    assert page.outside_requests == []
    context.close()


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
    expect(cards.first).to_contain_text("四、重点任务 > （五）推进学前教育普及普惠发展")
    cards.first.locator("summary").click()
    expect(cards.first.locator(".cite-text")).to_contain_text("全区学前三年毛入园率达到93%以上")
    expect(cards.first.locator("mark").first).to_be_visible()
    ask(page, "那目标是多少？")
    expect(page.locator("#chat .answer").last).to_contain_text("93%")
    expect(page.locator("#chat .citations").last.locator(".cite-id").first).to_have_text("四（五）")
    if os.environ.get("ASSISTANT_SCREENSHOT"):
        page.locator("#chat .cite-card").last.locator("summary").click()
        page.screenshot(path=os.environ["ASSISTANT_SCREENSHOT"])


def test_clearing_the_chat_forgets_the_previous_question(page):
    ask(page, "谁负责特殊教育？")
    page.locator("#chat button").first.click()  # the chat's own clear (🗑) button
    expect(page.locator("#chat .reply")).to_have_count(0)
    ask(page, "那目标是多少？")  # no previous question any more: nothing to follow up on
    expect(page.locator("#chat .reply").last).not_to_contain_text("99%")


def test_example_question_is_asked_on_click(page):
    page.get_by_role("button", name="区财政局负责哪些任务？").click()
    expect(page.locator('#chat .reply.complete')).to_have_count(1, timeout=15000)
    expect(page.locator("#chat .answer").last).to_contain_text("区财政局")
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


def test_clause_browser_searches_and_shows_the_whole_clause(page):
    page.get_by_role("tab", name="条款浏览").click()
    page.locator("#clause-search textarea").fill("督導")
    page.locator("#clause-search-button").click()
    expect(page.get_by_text("找到 4 条")).to_be_visible()
    page.get_by_role("gridcell").filter(has_text="四（十四）.2").first.click()
    view = page.locator("#clause-view")
    expect(view).to_contain_text("让督导检查“长牙带电”")
    expect(view.locator("mark").first).to_have_text("督導")
    page.locator("#toc summary", has_text="五、攻坚行动").click()
    page.locator("#toc summary", has_text="五（二） 学生体质健康提升攻坚行动").click()
    page.locator("#toc summary", has_text="五（二）").last.click()
    expect(page.locator("#toc")).to_contain_text("每两年举办体育教师基本功大赛")


def test_duties_and_targets_tables_come_from_the_tree(page):
    page.get_by_role("tab", name="责任分工").click()
    page.locator("#unit-filter input").click()
    page.get_by_role("option", name="区残联", exact=True).click()
    expect(page.locator("#duties-units").get_by_role("gridcell").nth(2)).to_have_text("四（八） 加快特殊教育融合发展")
    expect(page.locator("#duties-items").get_by_role("gridcell").first).to_have_text("四（八）")
    page.get_by_role("tab", name="量化指标").click()
    expect(page.get_by_text("共 29 项")).to_be_visible()
    targets = page.locator("#targets-table")
    expect(targets.get_by_role("gridcell").filter(has_text="全区学前三年毛入园率达到93%以上").first).to_be_visible()
