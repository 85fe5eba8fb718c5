"""The Gradio chat (Chinese UI): 问答, 条款浏览, 责任分工, 量化指标.

Nothing on the page is written for one document: the heading, the document pickers, the example
questions and every table are filled from the library when the page loads (so a page opened after
``docs add`` shows the new document without a restart). Every string from a user or a document
reaches the page through :mod:`assistant.render` (escaped) or as a plain table cell; answers come
from the same ``Assistant.ask`` as the API.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import gradio as gr

from . import render, views
from .engine import Assistant, InvalidQuestion
from .feedback import FeedbackStore, Rating
from .records import Answer, Library, PolicyTree
from .replies import Replies

PAGE_TITLE = views.LIBRARY_NAME
ALL_DOCUMENTS = "*"            # the pickers' value for "every document" (never a document id: ids name files)
ALL_DOCUMENTS_LABEL = "全部文件"
ALL_UNITS = "全部单位"
MAX_EXAMPLES = 4
LOAD_WAIT_SECONDS = 60
STREAM_STEPS = 16          # the answer appears in about this many pieces
STREAM_PAUSE_SECONDS = 0.02
CONCURRENT_CHATS = 8
NOT_LOADED = "知识库尚未加载完成，请稍后刷新页面。"

# System fonts only: the page must not fetch fonts (or anything else) from the internet.
THEME = gr.themes.Soft(primary_hue="red", font=["system-ui", "PingFang SC", "Microsoft YaHei", "sans-serif"],
                       font_mono=["ui-monospace", "monospace"])
CSS = """
.answer, .refusal { line-height: 1.7; }
.refusal { border-left: 4px solid #d97706; padding: 4px 10px; background: #fffbeb; }
.citations { margin-top: 10px; }
.citations-title { font-size: 0.85em; color: #6b7280; margin-bottom: 4px; }
.cite-card { border: 1px solid #e5e7eb; border-radius: 8px; padding: 6px 10px; margin: 4px 0; background: #fafafa; }
.cite-card summary { cursor: pointer; }
.cite-doc { color: #1f2937; font-size: 0.9em; }
.cite-id { font-weight: 600; color: #b91c1c; }
.cite-path { color: #4b5563; font-size: 0.9em; }
.cite-text { margin-top: 6px; line-height: 1.7; }
.clause-units { margin-top: 6px; color: #374151; font-size: 0.9em; }
mark { background: #fde68a; padding: 0 1px; border-radius: 2px; }
.toc details { margin-left: 14px; }
.toc summary { cursor: pointer; padding: 2px 0; }
.clause-view { border: 1px solid #e5e7eb; border-radius: 8px; padding: 10px; }
.heading h2 { margin: 4px 0; }
.heading p { margin: 2px 0 8px; color: #4b5563; }
"""

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
        raise gr.Error(NOT_LOADED)
    return assistant


class _ChatTab:
    def __init__(self, get_assistant: GetAssistant, feedback: FeedbackStore) -> None:
        self.picker = _document_picker("chat-document", with_all=True)
        chatbot = gr.Chatbot(label="对话", height=520, elem_id="chat", feedback_options=("Like", "Dislike"),
                             placeholder="可以用日常说法提问，回答附原文条款。", buttons=["copy"])
        turns = gr.State([])  # [{"question": str, "answer": contract dict}], one per exchange
        with gr.Row():
            box = gr.Textbox(show_label=False, placeholder="请输入问题，回车提问", scale=8, elem_id="question",
                             max_length=2000)
            send = gr.Button("提问", variant="primary", scale=1, elem_id="ask")
        with gr.Row(elem_id="examples"):
            self.examples = [gr.Button("", size="sm", visible=False) for _ in range(MAX_EXAMPLES)]
        clear = gr.Button("新对话", size="sm", elem_id="new-chat")
        self.filled = [self.picker, *self.examples]

        def respond(question: str, document: str | None, messages: list, history: list):
            if not (question or "").strip():
                gr.Warning("请输入问题。")
                yield messages, history, question
                return
            assistant = _loaded(get_assistant)
            scope = None if document in (None, "", ALL_DOCUMENTS) else document
            try:
                answer: Answer = assistant.ask(question, [turn["question"] for turn in history], document=scope)
            except InvalidQuestion as error:
                gr.Warning(f"无法回答这个问题：{error}")
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
            feedback.add(Rating.UP if data.liked else Rating.DOWN, turn["question"], answer["answer"],
                         [citation["id"] for citation in answer["citations"]], answer["refused"])
            gr.Info("感谢反馈！")

        def pick(document: str):
            return self._example_updates(_loaded(get_assistant), document)

        inputs, outputs = [box, self.picker, chatbot, turns], [chatbot, turns, box]
        box.submit(respond, inputs, outputs)
        send.click(respond, inputs, outputs)
        for button in self.examples:
            button.click(lambda text: text, button, box).then(respond, inputs, outputs)
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


CLAUSE_HEADERS = ["文件", "条款编号", "所在位置", "内容摘要"]


def _clause_rows(library: Library, clauses) -> list[list[str]]:
    labels = views.document_labels(library)
    return [[labels.get(clause.document.id, clause.document.id), clause.id, clause.section,
             clause.text[:60] + ("…" if len(clause.text) > 60 else "")] for clause in clauses]


class _ClauseTab:
    def __init__(self, get_assistant: GetAssistant) -> None:
        self.picker = _document_picker("clause-document", with_all=True)
        with gr.Row():
            keywords = gr.Textbox(label="关键词（空格分隔，繁简均可）", placeholder="如：幼儿园 85%", scale=6,
                                  elem_id="clause-search")
            search = gr.Button("搜索", scale=1, elem_id="clause-search-button")
        self.count = gr.Markdown("正在加载……", elem_id="clause-count")
        self.table = gr.Dataframe(value=[["", "", "", ""]], headers=CLAUSE_HEADERS, interactive=False, wrap=True,
                                  max_height=360, elem_id="clause-table",
                                  column_widths=["22%", "12%", "30%", "36%"])
        self.clause_view = gr.HTML(elem_id="clause-view")
        gr.Markdown("#### 目录（点击展开）")
        self.toc = gr.HTML(elem_id="toc")
        self.filled = [self.picker, self.count, self.table, self.clause_view, self.toc]

        def run_search(document: str, text: str):
            library = _loaded(get_assistant).library
            return self._results(library, document, text)

        def pick(document: str, text: str):
            library = _loaded(get_assistant).library
            rows, note = self._results(library, document, text)
            return rows, note, "", render.library_outline_html(_trees(library, document))

        def show_clause(document: str, text: str, event: gr.SelectData) -> str:
            library = _loaded(get_assistant).library
            row = event.row_value or []
            if len(row) < 2:
                return ""
            by_label = {label: document_id for document_id, label in views.document_labels(library).items()}
            document_id = by_label.get(str(row[0]))
            if document_id is None or not library.tree(document_id).has_clause(str(row[1])):
                return ""
            clause = library.tree(document_id).clause(str(row[1]))
            return render.clause_html(clause, (text or "").split(), with_document=len(library.trees) > 1)

        search.click(run_search, [self.picker, keywords], [self.table, self.count])
        keywords.submit(run_search, [self.picker, keywords], [self.table, self.count])
        self.picker.input(pick, [self.picker, keywords], [self.table, self.count, self.clause_view, self.toc])
        self.table.select(show_clause, [self.picker, keywords], self.clause_view)

    @staticmethod
    def _results(library: Library, document: str, text: str):
        found = [clause for tree in _trees(library, document) for clause in views.search_clauses(tree, text or "")]
        if not (text or "").strip():
            note = f"共 {len(found)} 条，点击一行查看全文。"
        else:
            note = f"找到 {len(found)} 条，点击一行查看全文。" if found else "没有找到包含这些关键词的条款。"
        return _clause_rows(library, found) or [["", "", "", ""]], note

    def fill(self, assistant: Assistant) -> list:
        library = assistant.library
        rows, note = self._results(library, ALL_DOCUMENTS, "")
        return [_picker_update(library, True, ALL_DOCUMENTS), note, rows, "",
                render.library_outline_html(library.trees)]


def _has_duties(tree: PolicyTree) -> bool:
    return bool(views.responsibilities(tree))


def _duties_tables(tree: PolicyTree, unit: str | None):
    unit = None if unit in (None, "", ALL_UNITS) else unit
    items = [[row.item_id, row.part_title, row.title, "、".join(row.responsible_units), "、".join(row.cooperating_units)]
             for row in views.responsibilities(tree, unit)]
    units = [[row.unit, len(row.item_ids), "；".join(f"{i} {t}" for i, t in zip(row.item_ids, row.titles)),
              "；".join(f"{i} {t}" for i, t in zip(row.cooperating_ids, row.cooperating_titles))]
             for row in views.unit_duties(tree, unit)]
    return items or [["", "", "", "", ""]], units or [["", "", "", ""]]


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
        gr.Markdown("#### 任务 → 单位")
        self.item_table = gr.Dataframe(value=[["", "", "", "", ""]], headers=["编号", "类别", "任务", "责任单位", "配合单位"],
                                       interactive=False, wrap=True, elem_id="duties-items")
        gr.Markdown("#### 单位 → 任务")
        self.unit_table = gr.Dataframe(value=[["", "", "", ""]], headers=["单位", "负责任务数", "负责的任务", "配合的任务"],
                                       interactive=False, wrap=True, elem_id="duties-units")
        self.filled = [self.picker, self.unit, self.note, self.item_table, self.unit_table]

        def pick(document: str):
            tree = _tree(_loaded(get_assistant).library, document, _has_duties)
            items, units = _duties_tables(tree, None)
            return (gr.update(choices=[ALL_UNITS] + tree.responsible_units, value=ALL_UNITS), _duties_note(tree),
                    items, units)

        def filter_unit(document: str, unit: str):
            return _duties_tables(_tree(_loaded(get_assistant).library, document, _has_duties), unit)

        self.picker.input(pick, self.picker, [self.unit, self.note, self.item_table, self.unit_table])
        self.unit.input(filter_unit, [self.picker, self.unit], [self.item_table, self.unit_table])

    def fill(self, assistant: Assistant) -> list:
        library = assistant.library
        tree = _tree(library, None, _has_duties)
        items, units = _duties_tables(tree, None)
        return [_picker_update(library, False, tree.document.id),
                gr.update(choices=[ALL_UNITS] + tree.responsible_units, value=ALL_UNITS),
                _duties_note(tree), items, units]


def _target_rows(tree: PolicyTree):
    rows = [[row.clause_id, row.item_title, row.measure, row.value, row.deadline or "—", row.phrase]
            for row in views.targets(tree)]
    title = tree.document.title or tree.document.id
    note = render.note_html(f"《{title}》中的全部量化指标（共 {len(rows)} 项），由解析后的条款自动生成；"
                            "“原文”为条款中的原句。")
    return note, rows or [["", "", "", "", "", ""]]


class _TargetsTab:
    def __init__(self, get_assistant: GetAssistant) -> None:
        self.picker = _document_picker("targets-document", with_all=False)
        self.note = gr.HTML(elem_id="targets-note")
        self.table = gr.Dataframe(value=[["", "", "", "", "", ""]], headers=["条款", "所属任务", "指标", "目标值", "期限", "原文"],
                                  interactive=False, wrap=True, column_widths=["9%", "17%", "17%", "8%", "7%", "42%"],
                                  elem_id="targets-table")
        self.filled = [self.picker, self.note, self.table]

        def pick(document: str):
            return _target_rows(_tree(_loaded(get_assistant).library, document, lambda tree: bool(tree.targets)))

        self.picker.input(pick, self.picker, [self.note, self.table])

    def fill(self, assistant: Assistant) -> list:
        library = assistant.library
        tree = _tree(library, None, lambda tree: bool(tree.targets))
        return [_picker_update(library, False, tree.document.id), *_target_rows(tree)]
