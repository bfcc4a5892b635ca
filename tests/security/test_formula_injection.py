"""Issue 12, formula injection: no export writes a user's text as a spreadsheet formula.

Reproduction on the old code: a trainee named `=HYPERLINK("http://evil","点我")` (a roster import
allowed it) came out of the class report .xlsx as a live formula and out of the .csv unquoted; a
question stem `=1+1` came out of the bank export as a formula. Every export goes through
spreadsheet_safety (one helper); the last test fails when a new module writes a workbook or a CSV
without it.
"""

import ast
import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from openpyxl import load_workbook

from spreadsheet_safety import FORMULA_TRIGGERS, csv_value, xlsx_cell, xlsx_row

pytestmark = pytest.mark.django_db

EVIL_NAME = '=HYPERLINK("http://evil.example","点我")'
EVIL_VALUES = [EVIL_NAME, "+1+1", "-2+3", "@SUM(1+1)", "\t=1+1", "\r=1+1", "#N/A"]


def _all_cells(data: bytes):
    workbook = load_workbook(io.BytesIO(data))  # not data_only: formulas would show as formulas
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            yield from row


def _response_bytes(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(
            part if isinstance(part, bytes) else part.encode()
            for part in response.streaming_content
        )
    return response.content


# --- the helper itself -------------------------------------------------------------------------


@pytest.mark.parametrize("trigger", FORMULA_TRIGGERS)
def test_csv_value_quotes_every_trigger(trigger):
    assert csv_value(f"{trigger}1+1") == f"'{trigger}1+1"


def test_csv_value_leaves_plain_text_and_numbers():
    assert csv_value("张三") == "张三"
    assert csv_value("a=b") == "a=b"
    assert csv_value(Decimal("-1.50")) == Decimal("-1.50")
    assert csv_value(-2) == -2


def test_xlsx_cells_are_text_not_formulas():
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(xlsx_row(sheet, [*EVIL_VALUES, -1.5, "普通"]))
    buffer = io.BytesIO()
    workbook.save(buffer)
    cells = list(_all_cells(buffer.getvalue()))
    assert [c.value for c in cells] == [*EVIL_VALUES, -1.5, "普通"]
    assert [c.data_type for c in cells] == ["s"] * len(EVIL_VALUES) + ["n", "s"]
    assert xlsx_cell(sheet, 3) == 3


# --- every export -------------------------------------------------------------------------------


@pytest.fixture
def evil_class(db):
    from learning.classes.models import Enrolment, TrainingClass
    from tests.factories import make_branch_unit, make_trainee_profile, make_user

    # The trainees' 学院 and 党支部 are their member records' units (issue 15).
    branch = make_branch_unit("@学院", "-支部")
    training_class = TrainingClass.objects.create(name="=1+1", intake="1")
    for n, name in enumerate(EVIL_VALUES):
        user = make_user(f"evil{n}")
        profile = make_trainee_profile(
            user=user, name=name, student_no=f"E{n:03d}", branch=branch, stage="applicant"
        )
        Enrolment.objects.create(training_class=training_class, trainee=profile)
    return training_class


def test_class_report_xlsx_has_no_formula(evil_class):
    from learning.reports.exports import class_report_xlsx
    from learning.reports.selectors import ReportFilters

    data = _response_bytes(class_report_xlsx(training_class=evil_class, filters=ReportFilters()))
    cells = list(_all_cells(data))
    assert not [c.coordinate for c in cells if c.data_type in ("f", "e")]
    texts = {c.value for c in cells}
    assert set(EVIL_VALUES) <= texts and "@学院" in texts and "-支部" in texts
    assert any(str(v).startswith("=1+1") for v in texts)  # the title, shown as typed


def test_class_report_csv_quotes_formulas(evil_class):
    from learning.reports.exports import class_report_csv
    from learning.reports.selectors import ReportFilters

    text = _response_bytes(
        class_report_csv(training_class=evil_class, filters=ReportFilters())
    ).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    names = {row[0] for row in rows[1:]}
    assert names == {csv_value(v) for v in EVIL_VALUES}
    assert all(not field.startswith(FORMULA_TRIGGERS) for row in rows for field in row)
    assert {row[2] for row in rows[1:]} == {"'@学院"}
    assert "0.00" in rows[1]  # numbers stay numbers


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_dashboard_export_neutralises_class_names(evil_class, fmt):
    from learning.reports.exports import dashboard_export
    from learning.reports.selectors import ReportFilters, dashboard
    from tests.factories import make_user

    staff = make_user("office", is_superuser=True)
    response = dashboard_export(summaries=dashboard(user=staff), filters=ReportFilters(), fmt=fmt)
    data = _response_bytes(response)
    if fmt == "xlsx":
        cells = list(_all_cells(data))
        assert not [c.coordinate for c in cells if c.data_type in ("f", "e")]
        assert "=1+1 1" in {c.value for c in cells}
    else:
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        assert rows[1][0] == "'=1+1 1"


def test_question_bank_export_has_no_formula_and_imports_back():
    from learning.quizzes import excel
    from learning.quizzes.models import Question, QuestionBank

    bank = QuestionBank.objects.create(name="=题库")
    Question.objects.create(
        bank=bank, type="single", stem="=1+1", options=["@SUM(1)", "-1", "+2"], answer="A"
    )
    Question.objects.create(bank=bank, type="fill", stem="填空", answer=[["-1"]])
    Question.objects.create(bank=bank, type="short", stem="简答", answer="=cmd|' /C calc'!A0")
    data = excel.export_xlsx(bank.questions.order_by("id"))
    cells = list(_all_cells(data))
    assert not [c.coordinate for c in cells if c.data_type in ("f", "e")]
    result = excel.import_questions(file=io.BytesIO(data), bank_name="回导")
    assert result.ok, result.errors
    back = list(Question.objects.filter(bank__name="回导").order_by("id"))
    assert [q.stem for q in back] == ["=1+1", "填空", "简答"]
    assert back[0].options == ["@SUM(1)", "-1", "+2"]
    assert back[2].answer == "=cmd|' /C calc'!A0"


# --- nothing writes a spreadsheet around the helper ---------------------------------------------

# Modules that write only fixed text of their own (templates with headers and examples).
WRITES_ONLY_FIXED_TEXT = {"learning/classes/roster/sheets.py"}


def _writes_spreadsheets(tree: ast.AST) -> bool:
    """Calls Workbook(...) (openpyxl) or csv.writer / csv.DictWriter."""
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id == "Workbook":
            return True
        if (
            isinstance(func, ast.Attribute)
            and func.attr in ("writer", "DictWriter", "Workbook")
            and isinstance(func.value, ast.Name)
            and func.value.id in ("csv", "openpyxl")
        ):
            return True
    return False


def _imports_the_helper(tree: ast.AST) -> bool:
    return any(
        isinstance(node, ast.ImportFrom | ast.Import)
        and any(
            "spreadsheet_safety" in (getattr(node, "module", None) or alias.name)
            for alias in node.names
        )
        for node in ast.walk(tree)
    )


def test_every_spreadsheet_writer_uses_the_helper():
    root = Path(settings.BASE_DIR)
    offenders = []
    for package in ("cms", "learning", "media_pipeline", "search", "party"):
        for path in sorted((root / package).rglob("*.py")):
            relative = path.relative_to(root).as_posix()
            if "/migrations/" in relative or relative in WRITES_ONLY_FIXED_TEXT:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            if _writes_spreadsheets(tree) and not _imports_the_helper(tree):
                offenders.append(relative)
    assert offenders == [], (
        "These modules write .xlsx/.csv without spreadsheet_safety (formula injection): "
        f"{offenders}"
    )
