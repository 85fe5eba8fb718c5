"""The Gradio chat (Chinese UI): 问答, 条款浏览, 责任分工, 量化指标.

Every string from a user or the document reaches the page through :mod:`assistant.render`
(escaped) or as a plain table cell; answers come from the same ``Assistant.ask`` as the API.
"""

from __future__ import annotations

import time
from typing import Callable

import gradio as gr

from . import render, views
from .engine import Assistant, InvalidQuestion
from .feedback import FeedbackStore, Rating
from .records import Answer, PolicyTree

EXAMPLES = [
    "孩子上幼儿园难，区里有什么打算？",
    "重点任务（十三）的行动目标是什么？",
    "区财政局负责哪些任务？",
    "七项攻坚行动分别是什么？",
    "普惠性幼儿园覆盖率要达到多少？",
    "Who is responsible for special education?",
]
ALL_UNITS = "全部单位"
STREAM_STEPS = 16          # the answer appears in about this many pieces
STREAM_PAUSE_SECONDS = 0.02
CONCURRENT_CHATS = 8

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
.cite-id { font-weight: 600; color: #b91c1c; }
.cite-path { color: #4b5563; font-size: 0.9em; }
.cite-text { margin-top: 6px; line-height: 1.7; }
.clause-units { margin-top: 6px; color: #374151; font-size: 0.9em; }
mark { background: #fde68a; padding: 0 1px; border-radius: 2px; }
.toc details { margin-left: 14px; }
.toc summary { cursor: pointer; padding: 2px 0; }
.clause-view { border: 1px solid #e5e7eb; border-radius: 8px; padding: 10px; }
"""


def _stream_pieces(text: str) -> list[str]:
    step = max(2, len(text) // STREAM_STEPS)
    return [text[:end] for end in range(step, len(text), step)] + [text]


def build_ui(tree: PolicyTree, get_assistant: Callable[..., Assistant | None], feedback: FeedbackStore) -> gr.Blocks:
    """The Blocks app; ``get_assistant(timeout)`` waits for the assistant to finish loading."""
    title = tree.document.title
    with gr.Blocks(title="西青区教育政策问答助手", analytics_enabled=False) as demo:
        gr.Markdown(f"## 西青区教育政策问答助手\n依据《{title}》回答，每个事实都附原文条款。")
        with gr.Tabs():
            with gr.Tab("问答", id="chat"):
                _chat_tab(get_assistant, feedback)
            with gr.Tab("条款浏览", id="clauses"):
                _clause_tab(tree)
            with gr.Tab("责任分工", id="duties"):
                _duties_tab(tree)
            with gr.Tab("量化指标", id="targets"):
                _targets_tab(tree)
    # Answers take milliseconds; the limit only bounds how many chats stream at the same time.
    demo.queue(default_concurrency_limit=CONCURRENT_CHATS)
    return demo


def _chat_tab(get_assistant, feedback: FeedbackStore) -> None:
    chatbot = gr.Chatbot(label="对话", height=520, elem_id="chat", feedback_options=("Like", "Dislike"),
                         placeholder="可以用日常说法提问，例如：孩子上幼儿园难，区里有什么打算？", buttons=["copy"])
    turns = gr.State([])  # [{"question": str, "answer": contract dict}], one per exchange
    with gr.Row():
        box = gr.Textbox(show_label=False, placeholder="请输入问题，回车提问", scale=8, elem_id="question",
                         max_length=2000)
        send = gr.Button("提问", variant="primary", scale=1, elem_id="ask")
    with gr.Row(elem_id="examples"):
        example_buttons = [gr.Button(question, size="sm") for question in EXAMPLES]
    clear = gr.Button("新对话", size="sm", elem_id="new-chat")

    def respond(question: str, messages: list, history: list):
        if not (question or "").strip():
            gr.Warning("请输入问题。")
            yield messages, history, question
            return
        assistant = get_assistant(timeout=60)
        if assistant is None:
            raise gr.Error("索引尚未加载完成，请稍后再试。")
        try:
            answer: Answer = assistant.ask(question, [turn["question"] for turn in history])
        except InvalidQuestion as error:
            gr.Warning(f"无法回答这个问题：{error}")
            yield messages, history, question
            return
        messages = messages + [{"role": "user", "content": render.question_html(answer.question)},
                               {"role": "assistant", "content": ""}]
        # The turn is recorded before streaming, so 👍/👎 given mid-stream is not lost.
        history = history + [{"question": answer.question, "answer": answer.to_dict()}]
        for piece in _stream_pieces(answer.answer):
            messages[-1] = {"role": "assistant", "content": render.answer_html(answer, piece, with_citations=False)}
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

    outputs = [chatbot, turns, box]
    box.submit(respond, [box, chatbot, turns], outputs)
    send.click(respond, [box, chatbot, turns], outputs)
    for button in example_buttons:
        button.click(lambda text: text, button, box).then(respond, [box, chatbot, turns], outputs)
    chatbot.like(record_feedback, [turns], None)
    clear.click(lambda: ([], [], ""), None, outputs)
    chatbot.clear(lambda: [], None, turns)  # the chat's own 🗑 button: forget the turns too


def _clause_rows(clauses) -> list[list[str]]:
    return [[clause.id, clause.section, clause.text[:60] + ("…" if len(clause.text) > 60 else "")]
            for clause in clauses]


def _clause_tab(tree: PolicyTree) -> None:
    with gr.Row():
        keywords = gr.Textbox(label="关键词（空格分隔，繁简均可）", placeholder="如：幼儿园 85%", scale=6,
                              elem_id="clause-search")
        search = gr.Button("搜索", scale=1, elem_id="clause-search-button")
    count = gr.Markdown(f"共 {len(tree.clauses)} 条，点击一行查看全文。")
    table = gr.Dataframe(value=_clause_rows(tree.clauses), headers=["条款编号", "所在位置", "内容摘要"],
                         interactive=False, wrap=True, max_height=360, elem_id="clause-table")
    clause_view = gr.HTML(elem_id="clause-view")
    gr.Markdown("#### 目录（点击展开）")
    gr.HTML(render.outline_html(tree), elem_id="toc")

    def run_search(text: str):
        found = views.search_clauses(tree, text or "")
        note = f"找到 {len(found)} 条，点击一行查看全文。" if found else "没有找到包含这些关键词的条款。"
        return _clause_rows(found), note

    def show_clause(text: str, event: gr.SelectData) -> str:
        row = event.row_value or []
        clause_id = str(row[0]) if row else ""
        try:
            clause = tree.clause(clause_id)
        except KeyError:
            return ""
        return render.clause_html(clause, (text or "").split())

    search.click(run_search, keywords, [table, count])
    keywords.submit(run_search, keywords, [table, count])
    table.select(show_clause, keywords, clause_view)


def _duties_tables(tree: PolicyTree, unit: str | None):
    unit = None if unit in (None, "", ALL_UNITS) else unit
    items = [[row.item_id, row.kind, row.title, "、".join(row.responsible_units)]
             for row in views.responsibilities(tree, unit)]
    units = [[row.unit, len(row.item_ids), "；".join(f"{i} {t}" for i, t in zip(row.item_ids, row.titles))]
             for row in views.unit_duties(tree, unit)]
    return items, units


def _duties_tab(tree: PolicyTree) -> None:
    unit = gr.Dropdown(choices=[ALL_UNITS] + tree.responsible_units, value=ALL_UNITS, label="按责任单位筛选",
                       elem_id="unit-filter")
    items, units = _duties_tables(tree, None)
    gr.Markdown("#### 任务 → 责任单位")
    item_table = gr.Dataframe(value=items, headers=["编号", "类别", "任务", "责任单位"], interactive=False,
                              wrap=True, elem_id="duties-items")
    gr.Markdown("#### 责任单位 → 任务")
    unit_table = gr.Dataframe(value=units, headers=["责任单位", "任务数", "任务"], interactive=False, wrap=True,
                              elem_id="duties-units")
    unit.change(lambda name: _duties_tables(tree, name), unit, [item_table, unit_table])


def _targets_tab(tree: PolicyTree) -> None:
    rows = [[row.clause_id, row.item_title, row.measure, row.value, row.deadline or "—", row.phrase]
            for row in views.targets(tree)]
    gr.Markdown(f"方案中的全部量化指标（共 {len(rows)} 项），由解析后的条款自动生成；“原文”为条款中的原句。")
    gr.Dataframe(value=rows, headers=["条款", "所属任务", "指标", "目标值", "期限", "原文"], interactive=False,
                 wrap=True, column_widths=["9%", "17%", "17%", "8%", "7%", "42%"], elem_id="targets-table")
