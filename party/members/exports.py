"""The pipeline board as an .xlsx file: every cell through spreadsheet_safety (no formulas from
people's text), and a header saying who exported it and when (exports are traceable)."""

import io

from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from openpyxl import Workbook

from party.members.models import Stage
from spreadsheet_safety import xlsx_freeze_header, xlsx_row


def pipeline_xlsx_response(*, unit, progress, due, user, at) -> HttpResponse:
    workbook = Workbook(write_only=True)
    people = workbook.create_sheet(_("人员"))
    xlsx_freeze_header(people, 2)  # the title row, then the header
    exported_by = user.get_full_name() or user.username
    stamp = timezone.localtime(at).strftime("%Y-%m-%d %H:%M")
    people.append(
        xlsx_row(
            people,
            [
                _("%(unit)s 发展党员工作进度") % {"unit": unit.name},
                _("导出人：%(user)s") % {"user": exported_by},
                _("导出时间：%(at)s") % {"at": stamp},
            ],
        )
    )
    people.append(
        xlsx_row(
            people,
            [
                _("姓名"),
                _("学号/工号"),
                _("党支部"),
                _("当前阶段"),
                _("起始日期"),
                _("逾期事项"),
                _("下一阶段"),
                _("最早日期"),
                _("缺材料"),
                _("本人已提交，待确认"),
            ],
        )
    )
    for p in progress:
        overdue = "；".join(row.step.title for row in p.due if row.overdue)
        people.append(
            xlsx_row(
                people,
                [
                    p.member.name,
                    p.member.student_no,
                    p.member.unit.name,
                    str(Stage(p.stage).label) if p.stage else "",
                    p.stage_since,
                    overdue,
                    str(Stage(p.next.stage).label) if p.next else "",
                    p.next.earliest if p.next else None,
                    "；".join(row.step.documents for row in p.missing_documents),
                    "；".join(row.step.documents or row.step.title for row in p.pending),
                ],
            )
        )
    items = workbook.create_sheet(_("到期事项"))
    xlsx_freeze_header(items, 1)
    items.append(xlsx_row(items, [_("姓名"), _("学号/工号"), _("步骤"), _("到期日"), _("状态")]))
    for item in due:
        items.append(
            xlsx_row(
                items,
                [
                    item.member.name,
                    item.member.student_no,
                    f"{item.step.code} {item.step.title}",
                    item.due_on,
                    (_("已逾期") if item.overdue else _("即将到期"))
                    + (" " + _("本人已提交，待确认") if item.pending else ""),
                ],
            )
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    filename = f"{unit.name}-发展党员工作进度-{timezone.localtime(at):%Y%m%d}.xlsx"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
