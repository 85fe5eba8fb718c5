"""The 责任分工 and 量化指标 tables as downloads: JSON, CSV or XLSX (``GET /api/duties``, ``GET /api/targets``).

Rows come from :func:`views.responsibilities` and :func:`views.targets`, one document's or the whole
library's; the first column, 文件, names each row's document so a library-wide table can be filtered.
JSON is ``{"columns": [...], "rows": [[...], ...]}``: lists keep the column order the CSV and XLSX
files have. CSV is UTF-8 with a BOM, without which Excel reads Chinese as mojibake.

    >>> ExportFormat.parse("pdf")
    Traceback (most recent call last):
    ValueError: unknown format 'pdf'; choose one of: json, csv, xlsx
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import quote

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from starlette.responses import JSONResponse, Response

from . import views
from .records import Choice, Library, PolicyTree

DUTY_COLUMNS = ("文件", "编号", "类别", "任务", "责任单位", "配合单位")
TARGET_COLUMNS = ("文件", "条款", "所属任务", "指标", "比较", "目标值", "期限", "原文")
# XLSX column widths in characters (a CJK character counts about two); the long texts wrap.
COLUMN_WIDTHS = {"文件": 36, "任务": 40, "原文": 60, "所属任务": 30, "指标": 30, "责任单位": 36, "配合单位": 24}
DEFAULT_WIDTH = 12
UNIT_SEPARATOR = "、"
# Characters a file name cannot hold on some system; a unit given in the request is put in the name.
_UNSAFE_IN_NAMES = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


class ExportFormat(Choice):
    JSON = "json"
    CSV = "csv"
    XLSX = "xlsx"

    @classmethod
    def label(cls) -> str:
        return "format"


MEDIA_TYPES = {ExportFormat.CSV: "text/csv; charset=utf-8",
               ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


# A cell starting with one of these is a formula to a spreadsheet that opens the CSV.
FORMULA_STARTS = frozenset("=+-@\t\r")


@dataclass(frozen=True)
class Table:
    name: str                        # duties / targets: the file name starts with it
    sheet: str                       # the XLSX worksheet's title
    columns: tuple[str, ...]
    rows: list[list[str]]


def duties_table(library: Library, document: str | None = None, unit: str | None = None) -> Table:
    """Item → 责任单位 and 配合单位, for one document (or every one); only ``unit``'s items if given."""
    labels = views.document_labels(library)
    rows = [[labels[tree.document.id], duty.item_id, duty.part_title, duty.title,
             UNIT_SEPARATOR.join(duty.responsible_units), UNIT_SEPARATOR.join(duty.cooperating_units)]
            for tree in _trees(library, document) for duty in views.responsibilities(tree, unit)]
    return Table("duties", "责任分工", DUTY_COLUMNS, rows)


def targets_table(library: Library, document: str | None = None) -> Table:
    """Every quantitative target with its clause and item, for one document (or every one)."""
    labels = views.document_labels(library)
    rows = [[labels[tree.document.id], target.clause_id, target.item_title, target.measure, target.comparator,
             target.value, target.deadline, target.phrase]
            for tree in _trees(library, document) for target in views.targets(tree)]
    return Table("targets", "量化指标", TARGET_COLUMNS, rows)


def _trees(library: Library, document: str | None) -> Iterable[PolicyTree]:
    return [library.tree(document)] if document else library.trees


def export_response(table: Table, chosen: ExportFormat, scope: Iterable[str | None] = ()) -> Response:
    """The table in the chosen format; CSV and XLSX as attachments named ``<name>-<scope...>.<ext>``
    (``scope``: the document id, or ``library``, and the unit when filtered)."""
    if chosen is ExportFormat.JSON:
        return JSONResponse({"columns": list(table.columns), "rows": table.rows})
    content = csv_bytes(table) if chosen is ExportFormat.CSV else xlsx_bytes(table)
    filename = "-".join([table.name, *(part for part in scope if part)]) + f".{chosen.value}"
    return Response(content, media_type=MEDIA_TYPES[chosen],
                    headers={"Content-Disposition": content_disposition(filename)})


def content_disposition(filename: str) -> str:
    """An attachment header any browser reads: an ASCII name, and the real one (RFC 6266/5987) for
    names with Chinese characters (a unit, a document id from a Chinese file name)."""
    filename = _UNSAFE_IN_NAMES.sub("_", filename)
    fallback = re.sub(r"[^A-Za-z0-9._-]", "_", filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def csv_bytes(table: Table) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(table.columns)
    writer.writerows([[_as_text(cell) for cell in row] for row in table.rows])
    return ("\ufeff" + text.getvalue()).encode("utf-8")


def _as_text(cell: str) -> str:
    """A cell a spreadsheet would run as a formula (=…, +…, -…, @…) opens with an apostrophe, which
    keeps it text (CSV injection; a document's text is not to be trusted)."""
    return "'" + cell if cell[:1] in FORMULA_STARTS else cell


def xlsx_bytes(table: Table) -> bytes:
    """One worksheet: a bold, frozen header row with a filter; wide, wrapping columns for the long texts."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = table.sheet
    sheet.append(list(table.columns))
    for row in table.rows:
        sheet.append(row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = wrap
            cell.data_type = "s"   # text that starts with "=" stays text, never a formula
    for index, column in enumerate(table.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = COLUMN_WIDTHS.get(column, DEFAULT_WIDTH)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
