"""Checks shared by the tests of every .xlsx export, and files for the import tests."""

import io

from openpyxl import Workbook


def assert_header_frozen(sheet, first_header: str) -> None:
    """The row whose column A reads `first_header` is the last frozen row: the column headers stay
    in view while the rows scroll (issue 21; spreadsheet_safety.xlsx_freeze_header)."""
    header = next(cell.row for cell in sheet["A"] if cell.value == first_header)
    assert sheet.freeze_panes == f"A{header + 1}", (sheet.title, sheet.freeze_panes, header)


def xlsx(rows, *, merge: list[str] = (), name="file.xlsx") -> io.BytesIO:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(list(row))
    for cells in merge:
        sheet.merge_cells(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = name
    return buffer


def named(data: bytes, name: str) -> io.BytesIO:
    buffer = io.BytesIO(data)
    buffer.name = name
    return buffer
