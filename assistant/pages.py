"""Clause permalinks: one clause on a page of its own at ``/clause/{document}/{clause_id}``, in its context.

A citation in the chat links here (:func:`clause_url`), so a clause can be opened, bookmarked and cited
outside the chat. The page is plain HTML with inline CSS: it fetches nothing and needs no JavaScript
(a copy button is the one extra). Every string from a document or a request is escaped.

    >>> clause_url("xiqing-education-plan-2023-2025", "四（五）")
    '/clause/xiqing-education-plan-2023-2025/%E5%9B%9B%EF%BC%88%E4%BA%94%EF%BC%89'
"""

from __future__ import annotations

import html
from urllib.parse import quote

from starlette.responses import HTMLResponse

from . import views
from .records import Clause, Library, PolicyTree
from .text import fold

# A clause outside any item and part (a notice, a preamble) is shown with this many clauses either side.
NEIGHBOURS = 2
MAX_LISTED_DOCUMENTS = 10

CSS = """
body { margin: 0; background: #f9fafb; color: #1f2937; line-height: 1.7;
       font-family: system-ui, "PingFang SC", "Microsoft YaHei", sans-serif; }
main { max-width: 860px; margin: 0 auto; padding: 16px 20px 40px; }
a { color: #b91c1c; }
h1 { font-size: 1.4em; margin: 12px 0 2px; }
h2 { font-size: 1.05em; margin: 22px 0 8px; color: #374151; }
header { margin-bottom: 14px; }
.details, .path { color: #4b5563; font-size: 0.92em; margin: 0; }
.clause-id { font-weight: 600; color: #b91c1c; }
.cite { margin-top: 12px; padding: 8px 12px; border: 1px dashed #d1d5db; border-radius: 8px; background: #fff; }
#formal-citation { font-weight: 600; user-select: all; }
.cite button { margin-left: 8px; font-size: 0.85em; cursor: pointer; }
ol.clauses { list-style: none; padding: 0; margin: 0; }
.clause { border: 1px solid #e5e7eb; border-radius: 8px; padding: 8px 12px; margin: 6px 0; background: #fff; }
.clause.current { border: 2px solid #b91c1c; background: #fef2f2; }
.clause-label { color: #4b5563; font-size: 0.9em; }
.clause-text { white-space: pre-wrap; margin-top: 4px; }
dl.units { display: grid; grid-template-columns: max-content 1fr; gap: 4px 12px; margin: 0; }
dl.units dt { font-weight: 600; }
dl.units dd { margin: 0; }
table { border-collapse: collapse; width: 100%; background: #fff; font-size: 0.92em; }
th, td { border: 1px solid #e5e7eb; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f3f4f6; white-space: nowrap; }
"""

COPY_BUTTON = ('<button type="button" onclick="navigator.clipboard.writeText('
               "document.getElementById('formal-citation').textContent)"
               ".then(() => { this.textContent = '已复制'; })\">复制</button>")


def clause_url(document_id: str, clause_id: str) -> str:
    """The path of a clause's page; both ids percent-encoded (clause ids hold （）, dots and CJK)."""
    return f"/clause/{quote(document_id, safe='')}/{quote(clause_id, safe='')}"


def find_clause(tree: PolicyTree, clause_id: str) -> Clause | None:
    """The clause with this id, also when written with half-width parentheses or traditional
    characters (四(十三).2): ids are compared folded."""
    if tree.has_clause(clause_id):
        return tree.clause(clause_id)
    wanted = fold(clause_id)
    return next((clause for clause in tree.clauses if fold(clause.id) == wanted), None)


def formal_citation(clause: Clause) -> str:
    return f"《{clause.document.title or clause.document.id}》{clause.id}"


def clause_response(library: Library, document_id: str, clause_id: str) -> HTMLResponse:
    """The clause's page, or a 404 page saying whether the document or the clause was not found."""
    if not library.has(document_id):
        listed = [tree.document for tree in library.trees[:MAX_LISTED_DOCUMENTS]]
        choices = "".join(f"<li>{_escape(document.id)}：{_escape(document.title)}</li>" for document in listed)
        return _message(404, "未找到文件", f"知识库中没有编号为“{_escape(document_id)}”的文件。",
                        f"<p>知识库中的文件：</p><ul>{choices}</ul>")
    tree = library.tree(document_id)
    clause = find_clause(tree, clause_id)
    if clause is None:
        title = tree.document.title or tree.document.id
        return _message(404, "未找到条款", f"《{_escape(title)}》中没有编号为“{_escape(clause_id)}”的条款。")
    return HTMLResponse(clause_page(tree, clause))


def not_ready_response(error: str | None) -> HTMLResponse:
    """503 while the library loads (or with the reason it could not be loaded)."""
    reason = f"知识库无法加载：{_escape(error)}" if error else "知识库正在加载，请稍后刷新页面。"
    return _message(503, "暂不可用", reason)


def clause_page(tree: PolicyTree, clause: Clause) -> str:
    document = tree.document
    title = document.title or document.id
    details = views.document_details(document)
    context_title, context = _context(tree, clause)
    siblings = "".join(_clause_entry(tree, other, current=other.id == clause.id) for other in context)
    body = (f'<header><h1>《{_escape(title)}》</h1>'
            + (f'<p class="details">{_escape(details)}</p>' if details else "") + "</header>"
            + f'<section><p class="path">{_escape(clause.section)}</p>'
            f'<p>条款编号：<span class="clause-id">{_escape(clause.id)}</span></p>'
            f'<div class="cite">引用：<span id="formal-citation">{_escape(formal_citation(clause))}</span>'
            f'{COPY_BUTTON}</div></section>'
            f'<section><h2>{_escape(context_title)}</h2><ol class="clauses">{siblings}</ol></section>'
            + _units(tree, clause) + _targets(tree, clause))
    return _page(f"《{title}》{clause.id}", body)


def _context(tree: PolicyTree, clause: Clause) -> tuple[str, list[Clause]]:
    """The clauses shown with this one, and what they are: its item's, else its part's, else its neighbours."""
    if clause.item_id:
        item = tree.item(clause.item_id)
        where = f"{item.part} " if item.part else ""
        return f"所在条目：{where}{item.label}{views.item_title(tree, item)}", tree.clauses_of(item)
    for part in tree.parts:
        if clause.id in part.clause_ids:
            return f"所在部分：{part.heading}", [tree.clause(clause_id) for clause_id in part.clause_ids]
    index = tree.clauses.index(clause)
    return "上下文", list(tree.clauses[max(0, index - NEIGHBOURS):index + NEIGHBOURS + 1])


def _clause_entry(tree: PolicyTree, clause: Clause, current: bool) -> str:
    label = clause.path[-1] if clause.path else ""
    link = html.escape(clause_url(tree.document.id, clause.id))
    return (f'<li id="{_escape(clause.id)}" class="clause{" current" if current else ""}"'
            + (' aria-current="true"' if current else "")
            + f'><a href="{link}">{_escape(clause.id)}</a> <span class="clause-label">{_escape(label)}</span>'
            f'<div class="clause-text">{_escape(clause.text)}</div></li>')


def _units(tree: PolicyTree, clause: Clause) -> str:
    """The item's 责任单位 and 配合单位 (a clause outside items: the units it names itself)."""
    item = tree.item(clause.item_id) if clause.item_id else None
    responsible = item.responsible_units if item else clause.responsible_units
    cooperating = item.cooperating_units if item else ()
    rows = "".join(f"<dt>{name}</dt><dd>{_escape('、'.join(units))}</dd>"
                   for name, units in (("责任单位", responsible), ("配合单位", cooperating)) if units)
    return f'<section><h2>责任分工</h2><dl class="units">{rows}</dl></section>' if rows else ""


def _targets(tree: PolicyTree, clause: Clause) -> str:
    """The clause's quantitative targets, as the 量化指标 export lists them."""
    rows = [row for row in views.targets(tree) if row.clause_id == clause.id]
    if not rows:
        return ""
    cells = "".join("<tr>" + "".join(f"<td>{_escape(cell)}</td>" for cell in
                                     (row.measure, row.comparator, row.value, row.deadline, row.phrase)) + "</tr>"
                    for row in rows)
    return ('<section><h2>量化指标</h2><table><thead><tr><th>指标</th><th>比较</th><th>目标值</th><th>期限</th>'
            f'<th>原文</th></tr></thead><tbody>{cells}</tbody></table></section>')


def _message(status: int, title: str, message: str, more: str = "") -> HTMLResponse:
    """A short page for a missing document or clause, or a library not loaded yet (``message`` is HTML)."""
    return HTMLResponse(_page(title, f"<h1>{title}</h1><p>{message}</p>{more}"), status_code=status)


def _page(title: str, body: str) -> str:
    return ('<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{_escape(title)}</title><style>{CSS}</style></head>"
            f'<body><main><nav><a href="/">← 返回问答</a></nav>{body}</main></body></html>')


def _escape(text: str) -> str:
    return html.escape(text, quote=True)
