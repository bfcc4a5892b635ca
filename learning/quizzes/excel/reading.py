"""Reading the question sheet: the file recognised (format, header row, columns, by tabular), its
rows turned into questions with every error and warning, and the all-or-nothing import."""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext

from learning.quizzes.drawing import bank_questions_changed
from learning.quizzes.excel.columns import (
    COLUMN_LABELS,
    DEFAULT_SCORE,
    HEADER_SYNONYMS,
    REQUIRED_COLUMNS,
)
from learning.quizzes.excel.rows import RowError, row_question
from learning.quizzes.models import Question, QuestionBank
from tabular.reader import CappedErrors, TableError, read_table


@dataclass
class ImportResult:
    questions: list[Question] = field(default_factory=list)
    errors: CappedErrors = field(default_factory=CappedErrors)
    # Values filled in by default because their column is missing: the user confirms them.
    warnings: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)  # headers of the columns not used
    header_row: int | None = None
    format_label: str = ""
    created: int = 0
    imported: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def error_total(self) -> int:
        return self.errors.total


def parse_file(file) -> ImportResult:
    """Questions (unsaved) from an uploaded .xlsx/.xls/.csv, with every error and warning."""
    result = ImportResult()
    try:
        table = read_table(file, synonyms=HEADER_SYNONYMS, required=REQUIRED_COLUMNS)
    except TableError as exc:
        if exc.row is not None:
            for column in exc.missing:
                names = "/".join(HEADER_SYNONYMS[column])
                result.errors.append(
                    RowError(
                        exc.row,
                        COLUMN_LABELS[column],
                        gettext("缺少「%(names)s」列") % {"names": names},
                    )
                )
        else:
            result.errors.append(RowError(None, "", str(exc)))
        return result
    result.header_row = table.header_row
    result.ignored = table.ignored
    result.format_label = table.format_label
    labels = {**COLUMN_LABELS, **table.headers}
    try:
        for row_number, values in table.rows:
            question = row_question(values, row_number, result.errors, labels)
            if question is not None:
                question.import_row = row_number  # shown in the preview
                result.questions.append(question)
    except TableError as exc:  # past the row cap: that is the one thing to fix
        result.questions = []
        result.errors = CappedErrors([RowError(None, "", str(exc))])
        return result
    if not result.questions and not result.errors:
        result.errors.append(RowError(table.header_row + 1, "", gettext("表头下面没有试题")))
    if "score" not in table.columns and result.questions:
        result.warnings.append(
            gettext(
                "文件中没有「分值」列，全部 %(n)s 道试题都将按 %(score)s 分计。"
                "如果试题分值不同，请在文件中加上「分值」列后重新上传。"
            )
            % {"n": len(result.questions), "score": DEFAULT_SCORE}
        )
    return result


def import_questions(
    *, file, bank_name: str, user=None, accept_warnings: bool = False
) -> ImportResult:
    """Import every question of the file into the bank, or none of them if any row is bad.

    Warnings (values defaulted because their column is missing) stop the import unless the user
    accepted them (`accept_warnings`, after seeing the preview).
    """
    result = parse_file(file)
    if not result.ok or (result.warnings and not accept_warnings):
        return result
    with transaction.atomic():
        bank, _ = QuestionBank.objects.get_or_create(
            name=bank_name, defaults={"created_by": user, "owner": user}
        )
        for question in result.questions:
            question.bank = bank
        Question.objects.bulk_create(result.questions, batch_size=500)
        # bulk_create sends no signals: the bank's cached draw pools end here.
        bank_questions_changed([bank.pk])
    result.created = len(result.questions)
    result.imported = True
    return result
