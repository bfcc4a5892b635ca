"""党费 reports per branch and month, for a branch, a 院系党委 and the 组织部 (whatever unit of
their scope they choose), and their .xlsx in the layout of a 党费收缴明细表: a title, who exported
it and when, then one row per branch (应交人数, 已交清人数, 应交/实交/未交 per month and in all) and,
on a second sheet, one row per member with the amount paid for each month. Every cell through
spreadsheet_safety. The figures come from selectors.branch_report (the ledger's rule, each member
in the branch of the month, read from the 党费 summary) and selectors.month_totals; the per-member
sheet from selectors.branch_lines, the same rule: a member who moved during the span has a row in
each branch, with the months they belonged to it (blank in the others), so each branch's rows on
明细 add up to its row on 汇总. Report and ledger agree to the 分 (tests/party/dues/test_reports.py
reconciles them both ways)."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from party.dues import selectors
from party.dues.rules import ZERO
from party.dues.values import month_span
from party.members.models import Member
from party.organisation.models import Unit
from spreadsheet_safety import xlsx_freeze_header, xlsx_row


@dataclass
class BranchRow:
    unit: Unit
    months: list[selectors.BranchMonth] = field(default_factory=list)

    @property
    def owed(self) -> Decimal:
        return sum((m.owed for m in self.months), ZERO)

    @property
    def paid(self) -> Decimal:
        return sum((m.paid for m in self.months), ZERO)

    @property
    def outstanding(self) -> Decimal:
        return self.owed - self.paid


@dataclass
class DuesReport:
    unit: Unit
    first: date
    last: date
    branches: list[BranchRow]
    months: list[selectors.MonthTotal]

    @property
    def owed(self) -> Decimal:
        return sum((b.owed for b in self.branches), ZERO)

    @property
    def paid(self) -> Decimal:
        return sum((b.paid for b in self.branches), ZERO)

    @property
    def outstanding(self) -> Decimal:
        return self.owed - self.paid


@dataclass
class DetailRow:
    """A member's months in one branch (明细): paid per month they belonged to it, owed and paid."""

    unit: Unit
    member: Member
    paid_by_month: dict[date, Decimal] = field(default_factory=dict)
    owed: Decimal = ZERO
    paid: Decimal = ZERO


def report_year_span(year: int) -> tuple[date, date]:
    this_month = selectors.this_month()
    return date(year, 1, 1), min(date(year, 12, 1), this_month)


def dues_report(*, user, unit: Unit, first: date, last: date) -> DuesReport:
    """Owed / paid / outstanding of every branch under `unit` (itself, if a branch) that `user`
    may read, per month from `first` to `last`."""
    branches = list(selectors.report_units(user=user).filter(path__startswith=unit.path))
    cells = selectors.branch_report(units=branches, first=first, last=last)
    rows = {b.pk: BranchRow(unit=b) for b in branches}
    for cell in cells:
        rows[cell.unit.pk].months.append(cell)
    return DuesReport(
        unit=unit,
        first=first,
        last=last,
        branches=list(rows.values()),
        months=selectors.month_totals(cells=cells, first=first, last=last),
    )


def report_xlsx(*, report: DuesReport, user, at) -> tuple[bytes, list[Member]]:
    """The 党费收缴明细表 as .xlsx: 汇总 (per branch) and 明细 (per member, returned too, for the
    access log)."""
    book = Workbook(write_only=True)
    stamp = timezone.localtime(at).strftime("%Y-%m-%d %H:%M")
    who = user.get_full_name() or user.username
    months = month_span(report.first, report.last)
    title = _("%(unit)s 党费收缴明细表（%(first)s 至 %(last)s）") % {
        "unit": report.unit.name,
        "first": report.first.strftime("%Y-%m"),
        "last": report.last.strftime("%Y-%m"),
    }
    stamp_row = [_("导出人：%(user)s") % {"user": who}, _("导出时间：%(at)s") % {"at": stamp}]
    sheet = book.create_sheet(_("汇总"))
    xlsx_freeze_header(sheet, 3)  # title, who and when, header
    sheet.append(xlsx_row(sheet, [title]))
    sheet.append(xlsx_row(sheet, stamp_row))
    header = [_("序号"), _("党支部")]
    for month in months:
        header += [
            _("%(m)s 应交") % {"m": month.strftime("%Y-%m")},
            _("%(m)s 实交") % {"m": month.strftime("%Y-%m")},
        ]
    header += [_("应交合计（元）"), _("实交合计（元）"), _("未交合计（元）")]
    sheet.append(xlsx_row(sheet, header))
    for index, row in enumerate(report.branches, start=1):
        values = [index, row.unit.name]
        for cell in row.months:
            values += [cell.owed, cell.paid]
        values += [row.owed, row.paid, row.outstanding]
        sheet.append(xlsx_row(sheet, values))
    values = ["", _("合计")]
    for total in report.months:
        values += [total.owed, total.paid]
    values += [report.owed, report.paid, report.outstanding]
    sheet.append(xlsx_row(sheet, values))

    detail = book.create_sheet(_("明细"))
    xlsx_freeze_header(detail, 3)
    detail.append(xlsx_row(detail, [title]))
    detail.append(xlsx_row(detail, stamp_row))
    detail.append(
        xlsx_row(
            detail,
            [_("序号"), _("党支部"), _("姓名"), _("学号/工号")]
            + [m.strftime("%Y-%m") for m in months]
            + [_("应交（元）"), _("实交（元）"), _("未交（元）")],
        )
    )
    units = {row.unit.pk: row.unit for row in report.branches}
    rows: dict[tuple[int, int], DetailRow] = {}
    for unit_id, member, line in selectors.branch_lines(unit_ids=set(units), months=months):
        row = rows.setdefault((unit_id, member.pk), DetailRow(unit=units[unit_id], member=member))
        row.paid_by_month[line.month] = line.paid
        row.owed += line.owed
        row.paid += line.paid
    exported: dict[int, Member] = {}
    index = 0
    for row in sorted(rows.values(), key=lambda r: (r.unit.path, r.member.student_no)):
        if not (row.owed or row.paid):
            continue
        exported.setdefault(row.member.pk, row.member)
        index += 1
        detail.append(
            xlsx_row(
                detail,
                [index, row.unit.name, row.member.name, row.member.student_no]
                + [row.paid_by_month.get(month) for month in months]
                + [row.owed, row.paid, row.owed - row.paid],
            )
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue(), list(exported.values())
