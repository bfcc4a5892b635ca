"""Report exports: streamed .xlsx (openpyxl write-only) and .csv (UTF-8 with BOM) responses."""

import csv
import functools
import tempfile
from collections.abc import Callable, Iterable
from copy import copy
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone, translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from learning.classes.membership import STAGE_CHOICES
from learning.classes.models import TrainingClass, hours_text
from learning.reports.class_report import CERTIFIED_LABEL
from learning.reports.selectors import (
    ClassSummary,
    ReportFilters,
    ReportStatus,
    class_report,
    iter_rows,
)
from party.organisation.models import Unit
from spreadsheet_safety import csv_value, xlsx_cell, xlsx_freeze_header

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HOURS_FORMAT = "0.00"


@dataclass(frozen=True)
class Column:
    label: str
    width: float
    value: Callable
    number_format: str | None = None


def official_language(func):
    """Exports and PDFs are documents handed to the Party committee: always in the site's language
    (Chinese), whatever language the trainer browses in. A new override per call (thread-safe)."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with translation.override(settings.LANGUAGE_CODE):
            return func(*args, **kwargs)

    return wrapper


def report_columns() -> list[Column]:
    """The class report's columns, Chinese headers first (one definition for xlsx and csv).

    Labels (stage, status, exam result) are translated once per export here, not once per row:
    at 10,000 rows the per-row gettext calls were ~15% of an .xlsx export.
    """
    stages = {value: str(label) for value, label in STAGE_CHOICES}
    statuses = {value: str(label) for value, label in ReportStatus.choices}
    # ReportRow.status_label's rule, translated once: 已结业 only with a certificate.
    certified = str(CERTIFIED_LABEL)
    passed = {None: _("未考试"), True: _("通过"), False: _("未通过")}
    return [
        Column(_("姓名"), 12, lambda r: r.name),
        Column(_("学号/工号"), 14, lambda r: r.student_no),
        Column(_("学院"), 20, lambda r: r.college),
        Column(_("党支部"), 22, lambda r: r.branch),
        Column(_("发展阶段"), 12, lambda r: stages.get(r.stage, r.stage)),
        Column(_("已修学时"), 10, lambda r: r.earned_hours, HOURS_FORMAT),
        Column(_("应修学时"), 10, lambda r: r.required_hours, HOURS_FORMAT),
        # 请假 学时 that count toward 结业 (within the class's allowance; issue 14).
        Column(_("请假计入学时"), 12, lambda r: r.excused_hours, HOURS_FORMAT),
        Column(_("已完成课程"), 10, lambda r: r.lessons_completed, "0"),
        Column(_("课程总数"), 10, lambda r: r.lessons_total, "0"),
        Column(_("考试成绩"), 10, lambda r: r.exam_score, HOURS_FORMAT),
        Column(_("考试通过"), 10, lambda r: passed[r.exam_passed]),
        Column(
            _("状态"),
            12,
            lambda r: (
                certified
                if r.status == ReportStatus.COMPLETED and r.certificate_no
                else statuses.get(r.status, r.status)
            ),
        ),
        # What 结业 still lacks, as the report page says it (ReportRow.missing; issue 14).
        Column(_("未达结业条件"), 28, lambda r: "、".join(r.missing_labels)),
        Column(_("证书编号"), 20, lambda r: r.certificate_no or ""),
    ]


def dashboard_columns() -> list[Column]:
    return [
        Column(_("培训班"), 32, lambda s: str(s.training_class)),
        Column(_("开班日期"), 12, lambda s: s.training_class.start_date, "yyyy-mm-dd"),
        Column(_("结业日期"), 12, lambda s: s.training_class.end_date, "yyyy-mm-dd"),
        Column(_("学员人数"), 10, lambda s: s.trainees, "0"),
        Column(_("已达结业条件"), 12, lambda s: s.completed, "0"),
        Column(_("结业率（%）"), 12, lambda s: s.completion_rate, "0.0"),
        Column(_("参加考试"), 10, lambda s: s.examined, "0"),
        Column(_("考试通过"), 10, lambda s: s.passed, "0"),
        Column(_("通过率（%）"), 12, lambda s: s.pass_rate, "0.0"),
    ]


def filters_text(filters: ReportFilters) -> str:
    # The form hands over the units; only filters built from bare ids need their names read.
    wanted = [
        pk
        for pk, unit in (
            (filters.branch, filters.branch_unit),
            (filters.college, filters.college_unit),
        )
        if pk and unit is None
    ]
    units = dict(Unit.objects.filter(pk__in=wanted).values_list("pk", "name")) if wanted else {}
    parts = filters.describe(
        branch_name=units.get(filters.branch, ""), college_name=units.get(filters.college, "")
    )
    if not parts:
        return _("筛选条件：全部学员")
    return _("筛选条件：") + "；".join(f"{label}={value}" for label, value in parts)


def write_xlsx(out, *, title: str, subtitle: list[str], columns: list[Column], items: Iterable):
    """Write a workbook row by row: write-only mode keeps memory flat for any number of rows."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=_("报表"))
    for index, column in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = column.width
    # Rows: the title, the subtitle lines, a blank row, then the column headers. Freeze below the
    # headers so they stay in view while scrolling the trainees (rows above a frozen row always
    # stay with it; the title block is kept to a few short lines).
    xlsx_freeze_header(ws, len(subtitle) + 3)

    def cell(value, **style):
        c = xlsx_cell(ws, value)
        if not isinstance(c, Cell):
            c = WriteOnlyCell(ws, value=value)
        for key, val in style.items():
            setattr(c, key, val)
        return c

    ws.append([cell(title, font=Font(bold=True, size=14))])
    for line in subtitle:
        ws.append([cell(line, font=Font(color="555555"))])
    ws.append([])
    header_fill = PatternFill("solid", fgColor="F3E3E3")
    ws.append(
        [
            cell(
                c.label, font=Font(bold=True), fill=header_fill, alignment=Alignment(wrap_text=True)
            )
            for c in columns
        ]
    )
    # A cell's number format is a style registered in the workbook; registering it on every cell
    # is costly, so each format is registered once and its style copied (openpyxl's own way of
    # copying styles between cells).
    styles = {}
    for number_format in {c.number_format for c in columns if c.number_format}:
        prototype = WriteOnlyCell(ws)
        prototype.number_format = number_format
        styles[number_format] = prototype._style
    formats = [styles.get(c.number_format) for c in columns]
    getters = [c.value for c in columns]
    for item in items:
        values = []
        for getter, style in zip(getters, formats, strict=True):
            value = getter(item)
            if style is not None and value is not None:
                c = WriteOnlyCell(ws, value=value)
                c._style = copy(style)
                values.append(c)
            else:
                values.append(xlsx_cell(ws, value))
        ws.append(values)
    wb.save(out)


def xlsx_response(filename: str, **kwargs) -> FileResponse:
    """Build the workbook in a temporary file, then stream it out in chunks."""
    # FileResponse closes the file (and so deletes it) when the response is done.
    tmp = tempfile.TemporaryFile()  # noqa: SIM115
    write_xlsx(tmp, **kwargs)
    tmp.seek(0)
    return FileResponse(tmp, as_attachment=True, filename=filename, content_type=XLSX_TYPE)


class _Echo:
    def write(self, value):
        return value


def _csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, str):
        return csv_value(value)  # names and notes are typed by users: never a formula
    return str(value)


def csv_response(filename: str, *, columns: list[Column], items: Iterable) -> StreamingHttpResponse:
    """CSV in UTF-8 with a BOM so Excel opens the Chinese correctly; rows streamed as produced."""
    writer = csv.writer(_Echo())

    def lines():
        # Rows are produced while the response streams, after the view has returned.
        with translation.override(settings.LANGUAGE_CODE):
            yield "\ufeff" + writer.writerow([c.label for c in columns])
            for item in items:
                yield writer.writerow([_csv_value(c.value(item)) for c in columns])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _report_title(training_class: TrainingClass) -> str:
    return _("%(name)s 学习情况报表") % {"name": str(training_class)}


def _report_subtitle(training_class: TrainingClass, filters: ReportFilters) -> list[str]:
    now = timezone.localtime()
    return [
        _("导出时间：%(time)s") % {"time": now.strftime("%Y-%m-%d %H:%M")},
        _("应修学时：%(hours)s；开班日期：%(start)s；结业日期：%(end)s")
        % {
            "hours": hours_text(training_class.required_hours),
            "start": training_class.start_date or "—",
            "end": training_class.end_date or "—",
        },
        filters_text(filters),
    ]


def report_filename(training_class: TrainingClass, ext: str) -> str:
    day = timezone.localdate().strftime("%Y%m%d")
    return f"{training_class}-学习情况-{day}.{ext}".replace("/", "-").replace(" ", "")


@official_language
def class_report_xlsx(*, training_class: TrainingClass, filters: ReportFilters) -> FileResponse:
    rows = iter_rows(class_report(training_class=training_class, filters=filters))
    return xlsx_response(
        report_filename(training_class, "xlsx"),
        title=_report_title(training_class),
        subtitle=_report_subtitle(training_class, filters),
        columns=report_columns(),
        items=rows,
    )


@official_language
def class_report_csv(
    *, training_class: TrainingClass, filters: ReportFilters
) -> StreamingHttpResponse:
    rows = iter_rows(class_report(training_class=training_class, filters=filters))
    return csv_response(
        report_filename(training_class, "csv"), columns=report_columns(), items=rows
    )


@official_language
def dashboard_export(*, summaries: list[ClassSummary], filters: ReportFilters, fmt: str):
    day = timezone.localdate().strftime("%Y%m%d")
    filename = f"培训班汇总-{day}.{fmt}"
    if fmt == "csv":
        return csv_response(filename, columns=dashboard_columns(), items=summaries)
    return xlsx_response(
        filename,
        title=_("培训班汇总"),
        subtitle=[
            _("导出时间：%(time)s") % {"time": timezone.localtime().strftime("%Y-%m-%d %H:%M")},
            filters_text(filters),
        ],
        columns=dashboard_columns(),
        items=summaries,
    )
