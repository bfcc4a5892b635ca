"""The 民主评议 report as an .xlsx file: every cell through spreadsheet_safety (no formulas from
people's text), and a header saying who exported it and when (exports are traceable)."""

import io

from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from openpyxl import Workbook

from party.appraisal.models import Grade
from spreadsheet_safety import xlsx_freeze_header, xlsx_row


def _percent(value: float) -> str:
    return f"{value * 100:.1f}%"


def report_xlsx_response(*, unit, year, rows, total, user, at) -> HttpResponse:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("民主评议"))
    xlsx_freeze_header(sheet, 2)  # the title row, then the header
    stamp = timezone.localtime(at).strftime("%Y-%m-%d %H:%M")
    sheet.append(
        xlsx_row(
            sheet,
            [
                _("%(unit)s %(year)s 年度民主评议党员结果") % {"unit": unit.name, "year": year},
                _("导出人：%(user)s") % {"user": user.get_full_name() or user.username},
                _("导出时间：%(at)s") % {"at": stamp},
            ],
        )
    )
    header = [_("党支部"), _("阶段"), _("参评党员"), _("已投票"), _("参与率")]
    for _value, label in Grade.choices:
        header += [str(label), _("%(grade)s占比") % {"grade": label}]
    header.append(_("尚未评定"))
    sheet.append(xlsx_row(sheet, header))
    for row in [*rows, total]:
        name = row.unit.name if row.unit else _("合计")
        phase = (
            row.campaign.get_phase_display()
            if row.campaign
            else ("" if not row.unit else _("未开启"))
        )
        values = [name, phase, row.participants, row.voted, _percent(row.participation)]
        for value, _label in Grade.choices:
            values += [row.grades.get(value, 0), _percent(row.share(value))]
        values.append(row.undecided)
        sheet.append(xlsx_row(sheet, values))
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = content_disposition_header(
        True, f"民主评议-{unit.name}-{year}.xlsx"
    )
    return response
