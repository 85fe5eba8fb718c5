"""The Gradio chat (Chinese UI): 问答, 条款浏览, 责任分工, 量化指标.

Nothing on the page is written for one document: the heading, the document pickers, the example
questions and every table are filled from the library when the page loads (so a page opened after
``docs add`` shows the new document without a restart). Every string from a user or a document
reaches the page through :mod:`assistant.render` (escaped) or as a plain table cell; answers come
from the same ``Assistant.ask`` as the API.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import gradio as gr

from . import render, views
from .pages import clause_url
from .engine import Assistant, InvalidQuestion
from .feedback import FeedbackStore, FeedbackUnavailable, Rating
from .records import Answer, Library, PolicyTree
from .replies import Replies
from .text import fold

PAGE_TITLE = views.LIBRARY_NAME
DUTIES_EXPORT, TARGETS_EXPORT = "/api/duties", "/api/targets"   # the export routes of assistant.web
ALL_DOCUMENTS = "*"            # the pickers' value for "every document" (never a document id: ids name files)
ALL_DOCUMENTS_LABEL = "全部文件"
ALL_UNITS = "全部单位"
MAX_EXAMPLES = 4
LOAD_WAIT_SECONDS = 60
STREAM_STEPS = 16          # the answer appears in about this many pieces
STREAM_PAUSE_SECONDS = 0.02
CONCURRENT_CHATS = 8
NOT_LOADED = "知识库尚未加载完成，请稍后刷新页面。"
WARNING_TITLE = "提示"

# System fonts only: the page must not fetch fonts (or anything else) from the internet.
THEME = gr.themes.Soft(primary_hue="red", font=["system-ui", "PingFang SC", "Microsoft YaHei", "sans-serif"],
                       font_mono=["ui-monospace", "monospace"])
CSS = """
.answer, .refusal { line-height: 1.7; }
.refusal { border-left: 4px solid #d97706; padding: 4px 10px; background: #fffbeb; }
.suggestions { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 8px; }
.suggestion { border: 1px solid #fca5a5; border-radius: 14px; padding: 3px 10px; background: #fff; color: #b91c1c;
  cursor: pointer; font-size: 0.92em; text-align: left; }
.mode-note { margin-top: 6px; font-size: 0.85em; color: #6b7280; }
.mode-note.fallback { color: #b45309; }
.citations { margin-top: 10px; }
.citations-title { font-size: 0.85em; color: #6b7280; margin-bottom: 4px; }
.cite-card { border: 1px solid #e5e7eb; border-radius: 8px; padding: 6px 10px; margin: 4px 0; background: #fafafa; }
.cite-card summary { cursor: pointer; }
.cite-doc { color: #1f2937; font-size: 0.9em; }
.cite-id { font-weight: 600; color: #b91c1c; }
.cite-path { color: #4b5563; font-size: 0.9em; }
.cite-text { margin-top: 6px; line-height: 1.7; }
.cite-link { display: inline-block; margin-top: 4px; font-size: 0.9em; }
.clause-units { margin-top: 6px; color: #374151; font-size: 0.9em; }
mark { background: #fde68a; padding: 0 1px; border-radius: 2px; }
.toc details { margin-left: 14px; }
.toc summary { cursor: pointer; padding: 2px 0; }
.clause-view { border: 1px solid #e5e7eb; border-radius: 8px; padding: 10px; }
.heading h2 { margin: 4px 0; }
.heading p { margin: 2px 0 8px; color: #4b5563; }
#chat .bubble-wrap { padding-top: 34px; }   /* the first message starts below the chat's 🗑 button */
.table-wrap { overflow: auto; max-height: 560px; border: 1px solid #e5e7eb; border-radius: 8px; }
.data-table { border-collapse: collapse; width: 100%; min-width: 760px; font-size: 0.92em; }
.data-table th { position: sticky; top: 0; background: #f3f4f6; text-align: left; padding: 6px 8px; white-space: nowrap; }
.data-table td { border-top: 1px solid #e5e7eb; padding: 6px 8px; vertical-align: top; min-width: 4.5em; line-height: 1.6; }
.downloads { display: flex; gap: 12px; align-items: center; margin: 6px 0; flex-wrap: wrap; }
.downloads .print { border: 1px solid #d1d5db; border-radius: 6px; padding: 2px 10px; background: #fff; cursor: pointer; }
@media (max-width: 640px) {   /* a phone */
  #chat { height: auto !important; min-height: 0 !important; max-height: none !important; overflow: visible !important; }
  .heading h2 { font-size: 1.15em; }
  .heading p { font-size: 0.85em; margin-bottom: 2px; }
  .table-wrap { max-height: none; overflow: visible; border: none; }
  .data-table { min-width: 0; }
  .data-table thead { display: none; }
  .data-table, .data-table tbody, .data-table tr, .data-table td { display: block; width: 100%; box-sizing: border-box; }
  .data-table tr { border: 1px solid #e5e7eb; border-radius: 8px; margin: 8px 0; padding: 6px 10px; }
  .data-table td { border: none; padding: 2px 0; min-width: 0; }
  .data-table td::before { content: attr(data-label) "："; color: #6b7280; font-size: 0.85em; }
}
@media print {
  [role="tablist"], #question, #ask, #examples, #new-chat, .downloads, .icon-button-wrapper, footer,
  #chat-document, #clause-document, #duties-document, #targets-document, #unit-filter, #clause-search,
  #clause-search-button { display: none !important; }
  #chat { height: auto !important; overflow: visible !important; border: none !important; }
  .table-wrap { max-height: none; overflow: visible; border: none; }
  .data-table { min-width: 0; font-size: 9.5pt; }
  .data-table th { position: static; }
  .data-table tr { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
"""

# Gradio's own English labels (tooltips, screen-reader names) that its zh-CN translation lacks.
GRADIO_LABELS_ZH = {"Copy message": "复制", "Copied message": "已复制", "More tabs": "更多标签页",
                    "chatbot conversation": "对话内容", "Copy table data": "复制表格", "Fullscreen": "全屏",
                    "Exit fullscreen mode": "退出全屏", "Clear": "清空", "Copy": "复制", "Copied": "已复制",
                    "Textbox": "问题", "Dropdown": "下拉选择", "Close": "关闭", "Retry": "重试", "Undo": "撤销",
                    "Edit": "编辑", "Share": "分享", "Like": "赞", "Dislike": "踩", "Liked": "已赞", "Disliked": "已踩",
                    "Info": "提示", "Warning": "注意", "Error": "出错了"}
GRADIO_PREFIXES_ZH = (("user's message: ", "你的问题："), ("bot's message: ", "回答："))

# Runs once in the page: puts Chinese on Gradio's own labels as they appear, asks a refusal's
# suggested question when it is clicked, prints from the tables' 打印 button and opens citation
# cards for printing.
HEAD = """<script>
(() => {
  const WORDS = %(words)s, PREFIXES = %(prefixes)s, NAMES = ["title", "aria-label", "placeholder"];
  const translate = (el) => {
    for (const name of NAMES) {
      const value = el.getAttribute(name);
      if (!value) continue;
      let out = WORDS[value];
      for (const [en, zh] of PREFIXES) if (out === undefined && value.startsWith(en)) out = zh + value.slice(en.length);
      if (out !== undefined) el.setAttribute(name, out);
    }
  };
  // A toast's heading (Info, Warning) is text, not an attribute.
  const retitle = (el) => el.childNodes.forEach((node) => {
    const out = node.nodeType === 3 && WORDS[node.textContent.trim()];
    if (out) node.textContent = out;
  });
  const sweep = (root) => {
    translate(root);
    root.querySelectorAll("[title],[aria-label],[placeholder]").forEach(translate);
    (root.matches(".toast-title") ? [root] : root.querySelectorAll(".toast-title")).forEach(retitle);
  };
  new MutationObserver((records) => records.forEach((record) => record.type === "attributes"
      ? translate(record.target) : record.addedNodes.forEach((node) => node.nodeType === 1 && sweep(node))))
    .observe(document.documentElement, {subtree: true, childList: true, attributes: true, attributeFilter: NAMES});
  document.addEventListener("click", (event) => {
    const suggestion = event.target.closest(".suggestion");
    if (suggestion) {
      const box = document.querySelector("#question textarea");
      box.value = suggestion.textContent;
      box.dispatchEvent(new Event("input", {bubbles: true}));
      setTimeout(() => document.querySelector("#ask").click(), 50);
    }
    if (event.target.closest(".downloads .print")) window.print();
  });
  window.addEventListener("beforeprint", () => document.querySelectorAll("details.cite-card").forEach((d) => { d.open = true; }));
})();
</script>""" % {"words": json.dumps(GRADIO_LABELS_ZH, ensure_ascii=False),
                "prefixes": json.dumps(GRADIO_PREFIXES_ZH, ensure_ascii=False)}

# After an answer: show its start with the question above it, not its end. On a desk the chat's
# messages scroll inside their own box; on a phone the chat grows with the page, so the page scrolls.
SHOW_LAST_QUESTION = """() => {
  const questions = document.querySelectorAll("#chat .question");
  if (!questions.length) return;
  const row = questions[questions.length - 1].closest(".message-row") || questions[questions.length - 1];
  let box = row.parentElement;
  while (box && !(box.scrollHeight > box.clientHeight + 1 && /auto|scroll/.test(getComputedStyle(box).overflowY))) {
    box = box.parentElement;
  }
  if (box && box.closest("#chat")) {
    box.scrollTop += row.getBoundingClientRect().top - box.getBoundingClientRect().top - 40;
    const top = row.getBoundingClientRect().top;
    if (top < 0 || top > window.innerHeight - 160) window.scrollBy(0, top - 48);
  } else {
    window.scrollBy(0, row.getBoundingClientRect().top - 8);
  }
}"""

GetAssistant = Callable[..., "Assistant | None"]


def _stream_pieces(text: str) -> list[str]:
    step = max(2, len(text) // STREAM_STEPS)
    return [text[:end] for end in range(step, len(text), step)] + [text]


# ---------------------------------------------------------------- documents in pickers


def _choices(library: Library, with_all: bool) -> list[tuple[str, str]]:
    labels = views.document_labels(library)
    choices = [(label, document_id) for document_id, label in labels.items()]
    return ([(ALL_DOCUMENTS_LABEL, ALL_DOCUMENTS)] if with_all else []) + choices


def _trees(library: Library, document: str | None) -> list[PolicyTree]:
    """The picked document's tree, or every tree for 全部文件 (or a document no longer in the library)."""
    if document and document != ALL_DOCUMENTS and library.has(document):
        return [library.tree(document)]
    return list(library.trees)


def _tree(library: Library, document: str | None, default: Callable[[PolicyTree], bool] = lambda tree: True):
    """The picked document's tree; without one, the first document ``default`` accepts (else the first)."""
    if document and library.has(document):
        return library.tree(document)
    return next((tree for tree in library.trees if default(tree)), library.trees[0])


def _document_picker(elem_id: str, with_all: bool) -> gr.Dropdown:
    initial = [(ALL_DOCUMENTS_LABEL, ALL_DOCUMENTS)] if with_all else []
    return gr.Dropdown(choices=initial, value=ALL_DOCUMENTS if with_all else None, label="文件",
                       elem_id=elem_id, interactive=True, visible=False, filterable=False)


def _picker_update(library: Library, with_all: bool, value: str) -> dict:
    # One document needs no picker.
    return gr.update(choices=_choices(library, with_all), value=value, visible=len(library.trees) > 1)


# ---------------------------------------------------------------- the page


def build_ui(get_assistant: GetAssistant, feedback: FeedbackStore) -> gr.Blocks:
    """The Blocks app; ``get_assistant(timeout)`` returns the assistant answering now (waiting for the first load)."""
    with gr.Blocks(title=PAGE_TITLE, analytics_enabled=False) as demo:
        heading = gr.HTML(render.heading_html(PAGE_TITLE, "正在加载知识库……"), elem_id="heading")
        with gr.Tabs():
            with gr.Tab("问答", id="chat"):
                chat = _ChatTab(get_assistant, feedback)
            with gr.Tab("条款浏览", id="clauses"):
                clauses = _ClauseTab(get_assistant)
            with gr.Tab("责任分工", id="duties"):
                duties = _DutiesTab(get_assistant)
            with gr.Tab("量化指标", id="targets"):
                targets = _TargetsTab(get_assistant)
        tabs = (chat, clauses, duties, targets)
        outputs = [heading] + [component for tab in tabs for component in tab.filled]

        def fill_page():
            assistant = get_assistant(timeout=LOAD_WAIT_SECONDS)
            if assistant is None:
                return [render.heading_html(PAGE_TITLE, NOT_LOADED)] + [gr.update() for _ in outputs[1:]]
            updates = [render.heading_html(*views.heading(assistant.library))]
            for tab in tabs:
                updates += tab.fill(assistant)
            return updates

        demo.load(fill_page, None, outputs, show_progress="hidden")
    # Answers take milliseconds; the limit only bounds how many chats stream at the same time.
    demo.queue(default_concurrency_limit=CONCURRENT_CHATS)
    return demo


def _loaded(get_assistant: GetAssistant) -> Assistant:
    assistant = get_assistant(timeout=LOAD_WAIT_SECONDS)
    if assistant is None:
        raise gr.Error(NOT_LOADED, title=WARNING_TITLE)
    return assistant


class _ChatTab:
    def __init__(self, get_assistant: GetAssistant, feedback: FeedbackStore) -> None:
        self.picker = _document_picker("chat-document", with_all=True)
        # The label would cover the first message on a phone; the view is moved by SHOW_LAST_QUESTION.
        chatbot = gr.Chatbot(label="对话", show_label=False, height=560, elem_id="chat", autoscroll=False,
                             feedback_options=("Like", "Dislike"), buttons=["copy"],
                             placeholder="可以用日常说法提问，回答附原文条款。")
        turns = gr.State([])  # [{"question": str, "answer": contract dict}], one per exchange
        with gr.Row():
            box = gr.Textbox(label="问题", show_label=False, placeholder="请输入问题，回车提问", scale=8,
                             elem_id="question", max_length=2000, min_width=200)
            send = gr.Button("提问", variant="primary", scale=1, elem_id="ask", min_width=64)
        with gr.Row(elem_id="examples"):
            self.examples = [gr.Button("", size="sm", visible=False) for _ in range(MAX_EXAMPLES)]
        clear = gr.Button("新对话", size="sm", elem_id="new-chat")
        self.filled = [self.picker, *self.examples]

        def respond(question: str, document: str | None, messages: list, history: list):
            if not (question or "").strip():
                gr.Warning("请输入问题。", title=WARNING_TITLE)
                yield messages, history, question
                return
            assistant = _loaded(get_assistant)
            scope = None if document in (None, "", ALL_DOCUMENTS) else document
            try:
                answer: Answer = assistant.ask(question, [turn["question"] for turn in history], document=scope)
            except InvalidQuestion as error:
                gr.Warning(f"无法回答这个问题：{error}", title=WARNING_TITLE)
                yield messages, history, question
                return
            messages = messages + [{"role": "user", "content": render.question_html(answer.question)},
                                   {"role": "assistant", "content": ""}]
            # The turn is recorded before streaming, so 👍/👎 given mid-stream is not lost.
            history = history + [{"question": answer.question, "answer": answer.to_dict()}]
            for piece in _stream_pieces(answer.answer):
                messages[-1] = {"role": "assistant",
                                "content": render.answer_html(answer, piece, with_citations=False)}
                yield messages, history, ""
                time.sleep(STREAM_PAUSE_SECONDS)
            messages[-1] = {"role": "assistant", "content": render.answer_html(answer)}
            yield messages, history, ""

        def record_feedback(history: list, data: gr.LikeData) -> None:
            index = data.index[0] if isinstance(data.index, (list, tuple)) else data.index
            turn = history[index // 2] if 0 <= index // 2 < len(history) else None
            if turn is None or data.liked not in (True, False):
                return
            answer = turn["answer"]
            try:
                feedback.add(Rating.UP if data.liked else Rating.DOWN, turn["question"], answer["answer"],
                             [citation["id"] for citation in answer["citations"]], answer["refused"])
            except FeedbackUnavailable:
                gr.Warning("反馈暂时无法保存，请稍后再试。", title=WARNING_TITLE)
                return
            gr.Info("感谢反馈！", title="提示")

        def pick(document: str):
            return self._example_updates(_loaded(get_assistant), document)

        inputs, outputs = [box, self.picker, chatbot, turns], [chatbot, turns, box]
        box.submit(respond, inputs, outputs).then(None, js=SHOW_LAST_QUESTION)
        send.click(respond, inputs, outputs).then(None, js=SHOW_LAST_QUESTION)
        for button in self.examples:
            button.click(lambda text: text, button, box).then(respond, inputs, outputs).then(None, js=SHOW_LAST_QUESTION)
        self.picker.input(pick, self.picker, self.examples, show_progress="hidden")
        chatbot.like(record_feedback, [turns], None)
        clear.click(lambda: ([], [], ""), None, outputs)
        chatbot.clear(lambda: [], None, turns)  # noqa: PIE807 -- the chat's own 🗑 button: forget the turns too

    def fill(self, assistant: Assistant) -> list:
        return ([_picker_update(assistant.library, True, ALL_DOCUMENTS)]
                + self._example_updates(assistant, ALL_DOCUMENTS))

    @staticmethod
    def _example_updates(assistant: Assistant, document: str | None) -> list:
        """Example questions the picked document (or the whole library) can answer."""
        library = assistant.library
        if document and document != ALL_DOCUMENTS and library.has(document) and len(library.trees) > 1:
            examples = Replies(Library((library.tree(document),)), assistant.replies.templates).examples
        else:
            examples = assistant.replies.examples
        examples = examples[:MAX_EXAMPLES]
        return [gr.update(value=examples[index], visible=True) if index < len(examples)
                else gr.update(value="", visible=False) for index in range(MAX_EXAMPLES)]


CLAUSE_HEADERS = ("文件", "条款编号", "所在位置", "内容")
MAX_CLAUSE_ROWS = 200
SNIPPET_CHARS = 90


def _snippet(text: str, words: list[str]) -> str:
    """The clause's text from a little before its first match, so the match shows in a short row."""
    folded = fold(text)
    starts = [folded.find(fold(word)) for word in words if fold(word) in folded]
    start = max(0, min(starts) - 20) if starts else 0
    piece = text[start:start + SNIPPET_CHARS]
    return ("…" if start else "") + piece + ("…" if start + SNIPPET_CHARS < len(text) else "")


def _clause_results(library: Library, document: str | None, text: str) -> tuple[str, str]:
    """The clauses matching ``text`` as a table (ids link to their permalinks, matches marked) and a count line."""
    words = (text or "").split()
    found = [clause for tree in _trees(library, document) for clause in views.search_clauses(tree, text or "")]
    labels = views.document_labels(library)
    rows = [[render.escape(labels.get(clause.document.id, clause.document.id)),
             render.link_html(clause_url(clause.document.id, clause.id), render.highlight(clause.id, words)),
             render.highlight(clause.section, words), render.highlight(_snippet(clause.text, words), words)]
            for clause in found[:MAX_CLAUSE_ROWS]]
    shown = f"，显示前 {MAX_CLAUSE_ROWS} 条" if len(found) > MAX_CLAUSE_ROWS else ""
    if not words:
        note = f"共 {len(found)} 条{shown}，点击条款编号查看原文上下文。"
    else:
        note = f"找到 {len(found)} 条{shown}，点击条款编号查看原文上下文。" if found else "没有找到包含这些关键词的条款。"
    return render.table_html(CLAUSE_HEADERS, rows, "clause-results", "没有条款。"), note


class _ClauseTab:
    def __init__(self, get_assistant: GetAssistant) -> None:
        self.picker = _document_picker("clause-document", with_all=True)
        with gr.Row():
            keywords = gr.Textbox(label="关键词或条款编号（空格分隔，繁简均可）", placeholder="如：幼儿园 85%，或 四（十三）",
                                  scale=6, elem_id="clause-search")
            search = gr.Button("搜索", scale=1, elem_id="clause-search-button", min_width=64)
        self.count = gr.Markdown("正在加载……", elem_id="clause-count")
        self.table = gr.HTML(elem_id="clause-table")
        gr.Markdown("#### 目录（点击展开）")
        self.toc = gr.HTML(elem_id="toc")
        self.filled = [self.picker, self.count, self.table, self.toc]

        def run_search(document: str, text: str):
            table, note = _clause_results(_loaded(get_assistant).library, document, text)
            return table, note

        def pick(document: str, text: str):
            library = _loaded(get_assistant).library
            table, note = _clause_results(library, document, text)
            return table, note, render.library_outline_html(_trees(library, document))

        search.click(run_search, [self.picker, keywords], [self.table, self.count])
        keywords.submit(run_search, [self.picker, keywords], [self.table, self.count])
        self.picker.input(pick, [self.picker, keywords], [self.table, self.count, self.toc])

    def fill(self, assistant: Assistant) -> list:
        library = assistant.library
        table, note = _clause_results(library, ALL_DOCUMENTS, "")
        return [_picker_update(library, True, ALL_DOCUMENTS), note, table, render.library_outline_html(library.trees)]


def _has_duties(tree: PolicyTree) -> bool:
    return bool(views.responsibilities(tree))


def _item_link(tree: PolicyTree, item_id: str) -> str:
    """An item's id, linking to its first clause's permalink."""
    clause_ids = tree.item(item_id).clause_ids
    escaped = render.escape(item_id)
    return render.link_html(clause_url(tree.document.id, clause_ids[0]), escaped) if clause_ids else escaped


def _duties_tables(tree: PolicyTree, unit: str | None) -> tuple[str, str, str]:
    """Item → units and unit → items as tables, and the download links for what is shown."""
    unit = None if unit in (None, "", ALL_UNITS) else unit
    items = [[_item_link(tree, row.item_id), render.escape(row.part_title), render.escape(row.title),
              render.escape("、".join(row.responsible_units)), render.escape("、".join(row.cooperating_units))]
             for row in views.responsibilities(tree, unit)]
    units = [[render.escape(row.unit), str(len(row.item_ids)),
              "；".join(f"{_item_link(tree, i)} {render.escape(t)}" for i, t in zip(row.item_ids, row.titles)),
              "；".join(f"{_item_link(tree, i)} {render.escape(t)}" for i, t in zip(row.cooperating_ids, row.cooperating_titles))]
             for row in views.unit_duties(tree, unit)]
    query = {"document": tree.document.id} | ({"unit": unit} if unit else {})
    return (render.table_html(("编号", "类别", "任务", "责任单位", "配合单位"), items, "duties-items", "没有写明单位的任务。"),
            render.table_html(("单位", "负责任务数", "负责的任务", "配合的任务"), units, "duties-units", "没有单位。"),
            render.downloads_html(DUTIES_EXPORT, query, "责任分工"))


def _duties_note(tree: PolicyTree) -> str:
    rows = views.responsibilities(tree)
    title = tree.document.title or tree.document.id
    if not rows:
        return render.note_html(f"《{title}》没有写明任务的责任单位。")
    return render.note_html(f"《{title}》中写明责任单位的任务共 {len(rows)} 项，单位共 {len(tree.responsible_units)} 个。")


class _DutiesTab:
    def __init__(self, get_assistant: GetAssistant) -> None:
        self.picker = _document_picker("duties-document", with_all=False)
        self.unit = gr.Dropdown(choices=[ALL_UNITS], value=ALL_UNITS, label="按单位筛选", elem_id="unit-filter",
                                interactive=True)
        self.note = gr.HTML(elem_id="duties-note")
        self.downloads = gr.HTML(elem_id="duties-downloads")
        gr.Markdown("#### 任务 → 单位")
        self.item_table = gr.HTML(elem_id="duties-items")
        gr.Markdown("#### 单位 → 任务")
        self.unit_table = gr.HTML(elem_id="duties-units")
        self.filled = [self.picker, self.unit, self.note, self.item_table, self.unit_table, self.downloads]

        def pick(document: str):
            tree = _tree(_loaded(get_assistant).library, document, _has_duties)
            return (gr.update(choices=[ALL_UNITS] + tree.responsible_units, value=ALL_UNITS), _duties_note(tree),
                    *_duties_tables(tree, None))

        def filter_unit(document: str, unit: str):
            return _duties_tables(_tree(_loaded(get_assistant).library, document, _has_duties), unit)

        tables = [self.item_table, self.unit_table, self.downloads]
        self.picker.input(pick, self.picker, [self.unit, self.note, *tables])
        self.unit.input(filter_unit, [self.picker, self.unit], tables)

    def fill(self, assistant: Assistant) -> list:
        library = assistant.library
        tree = _tree(library, None, _has_duties)
        return [_picker_update(library, False, tree.document.id),
                gr.update(choices=[ALL_UNITS] + tree.responsible_units, value=ALL_UNITS),
                _duties_note(tree), *_duties_tables(tree, None)]


TARGET_HEADERS = ("条款", "所属任务", "指标", "比较", "目标值", "期限", "原文")


def _target_tables(tree: PolicyTree) -> tuple[str, str, str]:
    rows = [[render.link_html(clause_url(tree.document.id, row.clause_id), render.escape(row.clause_id)),
             render.escape(row.item_title),
             render.escape(row.measure), render.escape(row.comparator or "—"), render.escape(row.value), render.escape(row.deadline or "—"),
             render.escape(row.phrase)] for row in views.targets(tree)]
    title = tree.document.title or tree.document.id
    note = render.note_html(f"《{title}》中的全部量化指标（共 {len(rows)} 项），由解析后的条款自动生成；"
                            "“原文”为条款中的原句。")
    return (note, render.table_html(TARGET_HEADERS, rows, "targets", "这份文件没有量化指标。"),
            render.downloads_html(TARGETS_EXPORT, {"document": tree.document.id}, "量化指标"))


class _TargetsTab:
    def __init__(self, get_assistant: GetAssistant) -> None:
        self.picker = _document_picker("targets-document", with_all=False)
        self.note = gr.HTML(elem_id="targets-note")
        self.downloads = gr.HTML(elem_id="targets-downloads")
        self.table = gr.HTML(elem_id="targets-table")
        self.filled = [self.picker, self.note, self.table, self.downloads]

        def pick(document: str):
            return _target_tables(_tree(_loaded(get_assistant).library, document, lambda tree: bool(tree.targets)))

        self.picker.input(pick, self.picker, [self.note, self.table, self.downloads])

    def fill(self, assistant: Assistant) -> list:
        library = assistant.library
        tree = _tree(library, None, lambda tree: bool(tree.targets))
        return [_picker_update(library, False, tree.document.id), *_target_tables(tree)]
