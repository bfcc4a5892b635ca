"""Cell values that a spreadsheet program will show, never run: the one guard for every export.

A name, a question stem or a note typed by a user may begin with `=`, `+`, `-`, `@`, a tab or a
carriage return; written as-is, Excel or WPS reads it as a formula (OWASP "CSV injection":
`=HYPERLINK(...)`, `=cmd|...`). Every .xlsx and .csv the platform writes — class reports, question
bank exports, records, and any later export (party/ included) — passes its text values through the
two functions here:

- `xlsx_cell(sheet, value)`: text goes in as a *text* cell (openpyxl would otherwise store a string
  starting with `=` as a formula, and `#N/A` as an error), so the sheet shows exactly what was typed
  and an exported question bank still imports back unchanged.
- `csv_value(value)`: OWASP's rule for CSV, which has no cell types: text starting with one of those
  characters gets a leading `'`, which spreadsheet programs show as text and do not evaluate.

One layout rule lives here too, for the same exports: `xlsx_freeze_header(sheet, header_row)` keeps
the column headers in view while the rows scroll (issue 21: the title rows were frozen, or nothing).

Numbers, dates and None pass through unchanged, so numeric columns stay numeric (a -1.5 学时
correction is a number, not text). This module imports nothing of the project, so every app —
cms, learning, party — may use it without breaking the one-way dependencies.

Not defusedcsv: it covers CSV only (the xlsx exports need the same rule) and exempts text that
looks like a number ("-1,5"), which Excel may still evaluate; the rule here is four lines.
"""

from openpyxl.cell.cell import ERROR_CODES, Cell

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value) -> bool:
    """A text value a spreadsheet program could take for a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def csv_value(value):
    """A CSV field: text that could be a formula gets OWASP's leading quote; others unchanged."""
    if is_formula_like(value):
        return "'" + value
    return value


def xlsx_cell(sheet, value):
    """The value for `sheet.append()`: text that openpyxl would not store as plain text (a formula,
    an error code) becomes a text cell of `sheet`; anything else is returned as is. Works for
    normal and write-only worksheets."""
    if isinstance(value, str) and (is_formula_like(value) or value in ERROR_CODES):
        cell = Cell(sheet, column=1, row=1, value=value)  # placed by append(), as WriteOnlyCell
        cell.data_type = "s"
        return cell
    return value


def xlsx_row(sheet, values) -> list:
    """A whole row of values for `sheet.append()`, each through xlsx_cell."""
    return [xlsx_cell(sheet, value) for value in values]


def xlsx_freeze_header(sheet, header_row: int) -> None:
    """Freeze the sheet below row `header_row` (1-based: the column headers), so the headers stay
    in view while the rows scroll; the title rows above stay with them, so keep those few. A
    write-only sheet writes its view with its first row: call this before the first append."""
    sheet.freeze_panes = f"A{header_row + 1}"
