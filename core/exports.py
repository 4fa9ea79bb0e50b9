"""Excel exports shared by every list in the portal."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from io import BytesIO
from urllib.parse import quote

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell, MergedCell
from openpyxl.styles import Font

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# What makes a spreadsheet read a cell as a formula (OWASP "CSV injection"): a leading = + - @,
# or a tab or carriage return before one.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _safe(value: object) -> object:
    if not isinstance(value, str):
        return value
    # Control characters cannot be stored in a workbook at all (openpyxl refuses them).
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    # A cell starting with "=" would be run as a formula by Excel: store it as text instead.
    if value[:1] in FORMULA_STARTS:
        return "'" + value
    return value


def keep_as_text(cell: Cell | MergedCell) -> Cell | MergedCell:
    """Make an openpyxl cell holding formula-like text store it as text, value unchanged.

    For workbooks whose values must read back exactly (the roster template's drop-down lists);
    exports use ``_safe`` instead, which also shows the reader that the text was defused.
    """
    if isinstance(cell.value, str):
        cell.value = ILLEGAL_CHARACTERS_RE.sub("", cell.value)
        if cell.value[:1] in FORMULA_STARTS:
            cell.data_type = "s"
    return cell


def xlsx_response(
    filename: str,
    sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence]]],
) -> HttpResponse:
    """Build a workbook in write-only mode (constant memory per row) and return it for download.

    ``sheets`` is a list of (title, header, rows).
    """
    workbook = Workbook(write_only=True)
    for title, header, rows in sheets:
        sheet = workbook.create_sheet(title=title[:31])
        bold = []
        for label in header:
            cell = WriteOnlyCell(sheet, value=str(label))
            cell.font = Font(bold=True)
            bold.append(cell)
        sheet.append(bold)
        for row in rows:
            sheet.append([_safe(v) for v in row])
    buffer = BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition(filename)
    return response


def content_disposition(filename: str) -> str:
    """An attachment header that keeps a Chinese file name intact (RFC 5987)."""
    return f"attachment; filename*=UTF-8''{quote(filename)}"
