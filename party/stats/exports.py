"""The statistics as .xlsx: one sheet per table, each headed by its title, the unit, the date or
period counted and who exported it when; every cell through spreadsheet_safety."""

from __future__ import annotations

import io

from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from openpyxl import Workbook

from party.organisation.models import Unit
from party.stats.tables import Table
from spreadsheet_safety import xlsx_freeze_header, xlsx_row

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER_ROWS = 5  # title, unit, date/period, exported by/at, blank; then the column names


def workbook_bytes(*, tables: list[Table], unit: Unit, user, at) -> bytes:
    workbook = Workbook(write_only=True)
    exported_by = user.get_full_name() or user.username
    stamp = timezone.localtime(at).strftime("%Y-%m-%d %H:%M")
    for table in tables:
        sheet = workbook.create_sheet(table.title[:31].replace("/", "、"))
        xlsx_freeze_header(sheet, 6)  # title, unit, period, who and when, a blank row, header
        sheet.append(xlsx_row(sheet, [table.title]))
        sheet.append(xlsx_row(sheet, [_("单位：%(unit)s") % {"unit": unit.name}]))
        sheet.append(xlsx_row(sheet, [table.period]))
        sheet.append(
            xlsx_row(
                sheet,
                [
                    _("导出人：%(user)s") % {"user": exported_by},
                    _("导出时间：%(at)s") % {"at": stamp},
                ],
            )
        )
        sheet.append([])
        sheet.append(xlsx_row(sheet, table.columns))
        for row in table.rows:
            sheet.append(xlsx_row(sheet, row))
        for note in table.notes:
            sheet.append(xlsx_row(sheet, [note]))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(*, tables: list[Table], unit: Unit, user, at, name: str) -> HttpResponse:
    response = HttpResponse(
        workbook_bytes(tables=tables, unit=unit, user=user, at=at), content_type=XLSX
    )
    filename = f"{unit.name}-{name}-{timezone.localtime(at):%Y%m%d}.xlsx"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
