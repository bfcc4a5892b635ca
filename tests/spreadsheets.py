"""Checks shared by the tests of every .xlsx export."""


def assert_header_frozen(sheet, first_header: str) -> None:
    """The row whose column A reads `first_header` is the last frozen row: the column headers stay
    in view while the rows scroll (issue 21; spreadsheet_safety.xlsx_freeze_header)."""
    header = next(cell.row for cell in sheet["A"] if cell.value == first_header)
    assert sheet.freeze_panes == f"A{header + 1}", (sheet.title, sheet.freeze_panes, header)
