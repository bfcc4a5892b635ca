"""Who of a unit's Party members is below the yearly 学时 line (party.members.education), for the
unit's managers: the page, its xlsx export and the API read `unit_yearly_rows`."""

import io
from dataclasses import dataclass

from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from openpyxl import Workbook

from party.members.education import YearlyStanding, yearly_standing
from party.members.models import MEMBER_STAGES, Member, Stage
from party.members.selectors import members_in_scope
from party.organisation.models import Unit
from spreadsheet_safety import xlsx_freeze_header, xlsx_row


@dataclass(frozen=True)
class YearlyRow:
    member: Member
    standing: YearlyStanding

    @property
    def stage_label(self) -> str:
        return str(Stage(self.member.current_stage).label)


def unit_yearly_rows(*, user, unit: Unit, year: int) -> list[YearlyRow]:
    """The Party members (预备 and 正式, current stage) of `unit` and everything under it that `user`
    manages, those below the line first (most missing first), then by name. Four queries: the
    scope, the members, the ledger, the committee posts."""
    members = list(
        members_in_scope(user=user)
        .filter(unit__path__startswith=unit.path, current_stage__in=MEMBER_STAGES)
        .select_related("unit")
        .order_by("unit__path", "student_no")
    )
    standings = yearly_standing(members=members, year=year)
    rows = [YearlyRow(member=m, standing=standings[m.pk]) for m in members]
    rows.sort(key=lambda r: (not r.standing.below, -r.standing.missing, r.member.unit.path))
    return rows


def yearly_xlsx_response(*, unit: Unit, year: int, rows: list[YearlyRow], user) -> HttpResponse:
    """The list as .xlsx: every cell through spreadsheet_safety, the first row naming who
    exported it and when."""
    at = timezone.now()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("年度学时"))
    xlsx_freeze_header(sheet, 2)  # the title row, then the header
    exported_by = user.get_full_name() or user.username
    sheet.append(
        xlsx_row(
            sheet,
            [
                _("%(unit)s %(year)s 年党员学时") % {"unit": unit.name, "year": year},
                _("导出人：%(user)s") % {"user": exported_by},
                _("导出时间：%(at)s") % {"at": timezone.localtime(at).strftime("%Y-%m-%d %H:%M")},
            ],
        )
    )
    sheet.append(
        xlsx_row(
            sheet,
            [
                _("姓名"),
                _("学号/工号"),
                _("党支部"),
                _("当前阶段"),
                _("已修学时"),
                _("应修学时"),
                _("差额"),
                _("是否达标"),
            ],
        )
    )
    for row in rows:
        s = row.standing
        sheet.append(
            xlsx_row(
                sheet,
                [
                    row.member.name,
                    row.member.student_no,
                    row.member.unit.name,
                    row.stage_label,
                    float(s.earned) if s.earned is not None else "",
                    float(s.required),
                    float(s.missing),
                    _("未达标") if s.below else _("达标"),
                ],
            )
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    filename = f"{unit.name}-{year}年党员学时-{timezone.localtime(at):%Y%m%d}.xlsx"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
