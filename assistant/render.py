"""Safe HTML for the web chat: every string from a user or a document is escaped, then our own
markup (cards, ``<mark>`` highlights) is added around it. Nothing a question or a clause contains
can become a tag, an attribute or a markdown link.

    >>> highlight("普惠性幼兒園<b>覆盖率", ["幼儿园"])
    '普惠性<mark>幼兒園</mark>&lt;b&gt;覆盖率'
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from urllib.parse import urlencode

from .pages import clause_url
from .records import Answer, AnswerMode, Clause, PolicyTree
from .text import fold

MIN_TERM_CHARS = 2
# Under an answer given while the vector store could not be reached (the chat and the CLI).
DEGRADED_NOTE = "向量检索暂时不可用，本回答仅按关键词和条款结构检索。"


def escape(text: str) -> str:
    # Escaped text inside an HTML block is never parsed as markdown; newlines become <br>.
    return html.escape(text, quote=True).replace("\n", "<br>")


def _folded_chars(text: str) -> tuple[str, list[int]]:
    """Fold character by character, remembering which original character each folded one came from."""
    folded, origin = [], []
    for index, char in enumerate(text):
        for out in fold(char) if not char.isspace() else "":
            folded.append(out)
            origin.append(index)
    return "".join(folded), origin


def highlight(text: str, terms: list[str] | tuple[str, ...]) -> str:
    """``text`` escaped, with every occurrence of a term (matched after folding) in ``<mark>``."""
    folded, origin = _folded_chars(text)
    marked = [False] * len(text)
    for term in {fold(term) for term in terms}:
        if len(term) < MIN_TERM_CHARS:
            continue
        start = folded.find(term)
        while start >= 0:
            for position in range(start, start + len(term)):
                marked[origin[position]] = True
            start = folded.find(term, start + 1)
    out, inside = [], False
    for char, is_marked in zip(text, marked):
        if is_marked != inside:
            out.append("<mark>" if is_marked else "</mark>")
            inside = is_marked
        out.append(escape(char))
    if inside:
        out.append("</mark>")
    return "".join(out)


def question_html(question: str) -> str:
    return f'<div class="question">{escape(question)}</div>'


def answer_html(answer: Answer, text: str | None = None, with_citations: bool = True) -> str:
    """The answer (or the part of it streamed so far) and, when complete, its citation cards."""
    shown = answer.answer if text is None else text
    suggestions = ""
    if answer.refused and answer.suggestions and with_citations:
        # The suggested questions become buttons that ask them, in place of the same questions as text.
        shown = shown.removesuffix(" / ".join(answer.suggestions))
        suggestions = "".join(f'<button type="button" class="suggestion">{escape(question)}</button>'
                              for question in answer.suggestions)
        suggestions = f'<div class="suggestions">{suggestions}</div>'
    body = escape(shown)
    if answer.degraded:
        body += f'<div class="mode-note fallback">{DEGRADED_NOTE}</div>'
    if answer.mode is AnswerMode.LLM:
        body += '<div class="mode-note">由模型组织语言，单位和数字已与引用条款逐一核对。</div>'
    elif answer.mode is AnswerMode.FALLBACK:
        body += (f'<div class="mode-note fallback">模型回答未采用（{escape(answer.fallback_reason or "")}），'
                 '以上为条款摘录。</div>')
    if answer.refused:
        body = f'<div class="refusal"><strong>方案未涉及</strong><br>{body}{suggestions}</div>'
    else:
        body = f'<div class="answer">{body}</div>'
    if with_citations and answer.citations:
        cards = "".join(citation_card(c.id, c.section, c.text, answer.terms, c.document_title,
                                      clause_url(c.document, c.id))
                        for c in answer.citations)
        body += f'<div class="citations"><div class="citations-title">引用条款（{len(answer.citations)}）</div>{cards}</div>'
    state = "complete" if with_citations else "streaming"  # the last piece carries the citations
    return f'<div class="reply {state}">{body}</div>'



def citation_card(clause_id: str, section: str, text: str, terms=(), document_title: str = "", url: str = "") -> str:
    """A card, collapsed: the document's title, the clause id and heading path; inside, the clause and a
    link to it in its context (``url``, the clause's permalink)."""
    document = f'<span class="cite-doc">《{escape(document_title)}》</span> ' if document_title else ""
    link = (f'<a class="cite-link" href="{escape(url)}" target="_blank" rel="noopener">在原文中查看 ›</a>'
            if url else "")
    return (f'<details class="cite-card"><summary>{document}<span class="cite-id">{escape(clause_id)}</span> '
            f'<span class="cite-path">{escape(section)}</span></summary>'
            f'<div class="cite-text">{highlight(text, terms)}</div>{link}</details>')


def clause_html(clause: Clause, terms=(), with_document: bool = False) -> str:
    units = "、".join(clause.responsible_units)
    unit_line = f'<div class="clause-units">责任单位：{escape(units)}</div>' if units else ""
    title = clause.document.title or clause.document.id
    document = f'<div class="cite-doc">《{escape(title)}》</div>' if with_document else ""
    return (f'<div class="clause-view">{document}<div class="cite-id">{escape(clause.id)}</div>'
            f'<div class="cite-path">{escape(clause.section)}</div>'
            f'<div class="cite-text">{highlight(clause.text, terms)}</div>{unit_line}</div>')


def _toc_clause(clause: Clause) -> str:
    label = clause.path[-1] if clause.path else ""
    return (f'<details class="toc-clause"><summary>{escape(clause.id)} {escape(label)}</summary>'
            f'{clause_html(clause)}</details>')


def _toc_item(tree: PolicyTree, item_id: str) -> str:
    item = tree.item(item_id)
    leaves = "".join(_toc_clause(clause) for clause in tree.clauses_of(item))
    return (f'<details class="toc-item"><summary>{escape(item.id)} {escape(item.title)}</summary>'
            f'{leaves}</details>')


def _toc_entries(tree: PolicyTree) -> list[str]:
    """Clauses outside parts (notice, preamble), items outside parts, then each part with its contents."""
    item_ids_in_parts = {item_id for part in tree.parts for item_id in part.item_ids}
    placed = {cid for part in tree.parts for cid in part.clause_ids}
    placed |= {cid for item in tree.items for cid in item.clause_ids}
    entries = [_toc_clause(clause) for clause in tree.clauses if clause.id not in placed]
    entries += [_toc_item(tree, item.id) for item in tree.items if item.id not in item_ids_in_parts]
    for part in tree.parts:
        inner = [_toc_clause(tree.clause(cid)) for cid in part.clause_ids]
        inner += [_toc_item(tree, item_id) for item_id in part.item_ids]
        entries.append(f'<details class="toc-part"><summary>{escape(part.heading)}</summary>{"".join(inner)}</details>')
    return entries


def outline_html(tree: PolicyTree) -> str:
    """The table of contents as a tree of expandable parts → items → clauses (each shows its whole text)."""
    return f'<div class="toc">{"".join(_toc_entries(tree))}</div>'


def library_outline_html(trees: Sequence[PolicyTree]) -> str:
    """One document's table of contents as :func:`outline_html`; several, each under its title."""
    if len(trees) == 1:
        return outline_html(trees[0])
    documents = "".join(f'<details class="toc-document"><summary>《{escape(tree.document.title or tree.document.id)}》'
                        f'</summary>{"".join(_toc_entries(tree))}</details>' for tree in trees)
    return f'<div class="toc">{documents}</div>'


def heading_html(title: str, line: str) -> str:
    """The page heading: a document's title or the library's name, and one line under it."""
    return f'<div class="heading"><h2>{escape(title)}</h2><p>{escape(line)}</p></div>'


def note_html(text: str) -> str:
    return f'<div class="note">{escape(text)}</div>'


def link_html(url: str, inner_html: str) -> str:
    """A link opening in a new tab around markup that is already escaped."""
    return f'<a href="{escape(url)}" target="_blank" rel="noopener">{inner_html}</a>'


def table_html(headers: Sequence[str], rows: Sequence[Sequence[str]], elem_class: str, empty: str) -> str:
    """A table of cells that are already HTML (escaped by the caller); each cell carries its column's
    name, so a phone can show every row as a card (see the CSS in :mod:`assistant.ui`)."""
    if not rows:
        return note_html(empty)
    head = "".join(f"<th>{escape(header)}</th>" for header in headers)
    body = "".join("<tr>" + "".join(f'<td data-label="{escape(header)}">{cell}</td>'
                                     for header, cell in zip(headers, row)) + "</tr>" for row in rows)
    return f'<div class="table-wrap"><table class="data-table {elem_class}"><thead><tr>{head}</tr></thead>' \
           f'<tbody>{body}</tbody></table></div>'


def downloads_html(path: str, query: dict[str, str], label: str) -> str:
    """Links that download a table (``path`` is an export route) as Excel and as CSV, and a print button."""
    links = "".join(f'<a class="download" href="{escape(path)}?{escape(urlencode({**query, "format": kind}))}" '
                    f'download>{escape(text)}</a>' for kind, text in (("xlsx", f"下载{label}（Excel）"),
                                                                       ("csv", "CSV")))
    return f'<div class="downloads">{links}<button type="button" class="print">打印</button></div>'
