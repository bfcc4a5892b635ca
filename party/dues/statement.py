"""A branch's 党费缴费明细 imported from the spreadsheet its 组织委员 keeps (or a bank's or WeChat
group's statement): .xlsx, .xls or CSV (UTF-8 or GBK) through tabular.reader — header synonyms,
title rows above the header, full-width digits, the upload and row caps.

Each row is one payment: who (学号/工号, or 姓名 when unique in the branch), how much, for which
month or months ("2026-04", "2026年4月", "2026-04至2026-06" for a quarter), paid when, with an
optional 流水号 and 备注. A 合计/小计 row is skipped and said so. Every problem is a row error — a
negative or non-numeric amount, a month in the future, someone who is not a member of this branch
or not a Party member in that month, a 流水号 already recorded — and one bad row imports nothing.
The preview lists ignored columns and the values filled in (the month chosen on the form when the
file has none, today's date when there is no 缴费日期); the import rechecks everything and writes all
rows in one transaction (services.payments_record_bulk)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from party.dues import selectors, services
from party.dues.exceptions import DuesError
from party.dues.models import PaymentSource, StatementImport
from party.dues.rules import ZERO
from party.dues.values import month_label, month_span, parse_amount, parse_month
from party.members.models import Member
from party.members.registry import RowError
from tabular.reader import CappedErrors, TableError, read_table

HEADERS: dict[str, tuple[str, ...]] = {
    "student_no": ("学号/工号", "学号", "工号", "学工号", "人员编号", "职工号"),
    "name": ("姓名", "党员姓名", "缴费人", "交费人"),
    "amount": (
        "金额",
        "交纳金额",
        "缴纳金额",
        "缴费金额",
        "交费金额",
        "党费金额",
        "实缴金额",
        "实交金额",
        "党费",
        "实缴党费",
    ),
    "month": ("月份", "所属月份", "缴费月份", "交纳月份", "党费月份", "所属期间", "缴费期间"),
    "paid_on": ("缴费日期", "交纳日期", "缴纳日期", "交费日期", "支付日期", "日期"),
    "reference": ("流水号", "交易流水号", "交易单号", "订单号", "凭证号", "商户单号"),
    "note": ("备注", "说明"),
    "seq": ("序号", "编号"),  # read only to recognise a 合计 row written in it
}
REQUIRED = ("amount",)
TOTAL_ROW = re.compile(r"^(合\s*计|总\s*计|小\s*计|total)$", re.IGNORECASE)
RANGE_SPLIT = re.compile(r"\s*(?:至|到|~|～|—|–|－)\s*")
EXCEL_EPOCH = date(1899, 12, 30)


def _label(key: str) -> str:
    return HEADERS[key][0]


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").strip()


@dataclass
class Defaulted:
    column: str
    value: str
    rows: list[int] = field(default_factory=list)


@dataclass
class StatementRow:
    row: int
    member: Member
    amount: str  # Decimal as text, two decimals
    months: list[date]
    paid_on: date
    reference: str
    note: str

    def as_json(self) -> dict:
        return {
            "row": self.row,
            "member": self.member.pk,
            "name": self.member.name,
            "student_no": self.member.student_no,
            "amount": self.amount,
            "months": [month_label(m) for m in self.months],
            "paid_on": self.paid_on.isoformat(),
            "reference": self.reference,
            "note": self.note,
        }


@dataclass
class StatementPlan:
    rows: list[StatementRow]
    header_row: int
    format_label: str
    ignored: list[str]
    defaulted: list[Defaulted]
    skipped: list[int]  # 合计 rows

    @property
    def total(self) -> Decimal:
        return sum((Decimal(r.amount) for r in self.rows), ZERO)


class StatementError(Exception):
    """The statement has errors; nothing was written. `errors` lists the first ones, `total` all."""

    def __init__(self, errors: list[RowError]):
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors
        self.total = getattr(errors, "total", len(errors))


def parse_months(text: str, *, default: date | None) -> tuple[list[date], bool]:
    """(months, defaulted): one month, a range for a quarter or 补交, or the form's month."""
    text = _fold(text)
    if not text:
        if default is None:
            raise DuesError(_("没有填写月份，上传时也没有选择月份。"), code="month_required")
        return [default], True
    if re.fullmatch(r"\d{5}(\.0+)?", text):  # an Excel serial date (old .xls)
        return [(EXCEL_EPOCH + timedelta(days=int(float(text)))).replace(day=1)], False
    text = re.sub(r"(\d{4}-\d{2}-\d{2}) 00:00:00", r"\1", text)
    parts = [p for p in RANGE_SPLIT.split(text) if p]
    if len(parts) == 2:
        first = parse_month(parts[0])
        second = parts[1]
        if re.fullmatch(r"\d{1,2}\s*月?", second):  # 2026年4月至6月
            second = f"{first.year}-{re.sub(r'[^0-9]', '', second)}"
        last = parse_month(second)
        if last < first:
            raise DuesError(_("月份范围“%(v)s”起止颠倒。") % {"v": text}, code="months_order")
        months = month_span(first, last)
        if len(months) > 24:
            raise DuesError(
                _("月份范围“%(v)s”超过 24 个月。") % {"v": text}, code="months_too_many"
            )
        return months, False
    return [parse_month(text)], False


def parse_paid_on(text: str) -> tuple[date, bool]:
    """(date, defaulted): 2026-04-05, 2026/4/5, 2026年4月5日, 20260405, an Excel serial; today
    when empty."""
    text = _fold(text)
    if not text:
        return timezone.localdate(), True
    text = re.sub(r"^(\d{4}-\d{2}-\d{2})[ T]\d{2}:\d{2}(:\d{2})?$", r"\1", text)
    if re.fullmatch(r"\d{8}", text):
        return datetime.strptime(text, "%Y%m%d").date(), False
    if re.fullmatch(r"\d{5}(\.0+)?", text):
        return EXCEL_EPOCH + timedelta(days=int(float(text))), False
    match = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?", text)
    if not match:
        raise DuesError(_("日期“%(v)s”无法识别。") % {"v": text}, code="paid_on_invalid")
    try:
        return date(*(int(g) for g in match.groups())), False
    except ValueError:
        raise DuesError(_("日期“%(v)s”无法识别。") % {"v": text}, code="paid_on_invalid") from None


class _Roster:
    """The branch's people by 学号 and by name; anyone else is "not a member of this branch"."""

    def __init__(self, unit):
        self.members = list(selectors.branch_members(unit=unit))
        self.by_no = {m.student_no.upper(): m for m in self.members}
        self.by_name: dict[str, list[Member]] = {}
        for m in self.members:
            self.by_name.setdefault(m.name, []).append(m)

    def find(self, student_no: str, name: str, unit_name: str) -> Member:
        if student_no:
            member = self.by_no.get(student_no.upper())
            if member is None:
                raise DuesError(
                    _("学号/工号 %(no)s 不是%(unit)s的党员。")
                    % {"no": student_no, "unit": unit_name},
                    code="not_in_branch",
                )
            if name and _fold(member.name) != name:
                raise DuesError(
                    _("学号/工号 %(no)s 是%(real)s，与姓名“%(name)s”不符。")
                    % {"no": student_no, "real": member.name, "name": name},
                    code="name_mismatch",
                )
            return member
        found = self.by_name.get(name, [])
        if not found:
            raise DuesError(
                _("“%(name)s”不是%(unit)s的党员。") % {"name": name, "unit": unit_name},
                code="not_in_branch",
            )
        if len(found) > 1:
            raise DuesError(
                _("本支部有 %(n)d 人叫“%(name)s”，请填写学号/工号。")
                % {"n": len(found), "name": name},
                code="name_ambiguous",
            )
        return found[0]


class _Checker:
    """Runs a parser of one cell; a DuesError becomes that row's error (None returned)."""

    def __init__(self, number: int, errors: list):
        self.number, self.errors = number, errors

    def __call__(self, key, func, *args, **kwargs):
        try:
            return func(*args, **kwargs)
        except DuesError as exc:
            self.errors.append(RowError(self.number, _label(key), exc.message))
            return None


def statement_read(file, *, user, unit, default_month: date | None = None) -> StatementPlan:
    """Read and check every row of a statement for `unit`; StatementError lists every problem
    (nothing is written). The user must keep the branch's dues (services check it per row)."""
    try:
        table = read_table(file, synonyms=HEADERS, required=REQUIRED)
    except TableError as exc:
        if exc.row is not None:
            raise StatementError(
                [RowError(exc.row, _label(key), _("缺少此列。")) for key in exc.missing]
            ) from exc
        raise StatementError([RowError(None, _("文件"), str(exc))]) from exc
    if "student_no" not in table.columns and "name" not in table.columns:
        raise StatementError(
            [RowError(table.header_row, _("姓名"), _("表头应有“学号/工号”或“姓名”列。"))]
        )
    roster = _Roster(unit)
    errors: list[RowError] = CappedErrors()
    rows: list[StatementRow] = []
    skipped: list[int] = []
    defaulted: dict[tuple[str, str], Defaulted] = {}

    def note_default(key: str, value: str, number: int) -> None:
        defaulted.setdefault((_label(key), value), Defaulted(_label(key), value)).rows.append(
            number
        )

    try:
        for number, values in table.rows:
            data = {key: _fold(values.get(key, "")) for key in HEADERS}
            if any(TOTAL_ROW.match(data[k]) for k in ("seq", "name", "student_no")):
                skipped.append(number)
                continue
            row_errors = []

            check = _Checker(number, row_errors)

            if not data["name"] and not data["student_no"]:
                row_errors.append(RowError(number, _("姓名"), _("没有填写学号/工号或姓名。")))
                member = None
            else:
                key = "student_no" if data["student_no"] else "name"
                member = check(key, roster.find, data["student_no"], data["name"], unit.name)
            if not data["amount"]:
                row_errors.append(RowError(number, _label("amount"), _("不能为空。")))
                amount = None
            else:
                amount = check("amount", parse_amount, data["amount"])
            months = check("month", parse_months, data["month"], default=default_month)
            paid_on = check("paid_on", parse_paid_on, data["paid_on"])
            if paid_on and paid_on[0] > timezone.localdate():
                row_errors.append(RowError(number, _label("paid_on"), _("交纳日期不能晚于今天。")))
            if len(data["reference"]) > 64 or len(data["note"]) > 200:
                key = "reference" if len(data["reference"]) > 64 else "note"
                row_errors.append(RowError(number, _label(key), _("过长。")))
            if row_errors:
                errors.extend(row_errors)
                continue
            if months[1]:
                note_default("month", month_label(months[0][0]), number)
            if paid_on[1]:
                note_default("paid_on", paid_on[0].isoformat(), number)
            rows.append(
                StatementRow(
                    row=number,
                    member=member,
                    amount=str(amount),
                    months=months[0],
                    paid_on=paid_on[0],
                    reference=data["reference"],
                    note=data["note"],
                )
            )
    except TableError as exc:  # past the row cap
        raise StatementError([RowError(None, _("文件"), str(exc))]) from exc
    if not rows and not errors:
        errors.append(RowError(table.header_row + 1, _("文件"), _("表中没有交纳记录。")))
    if not errors:
        for problem in services.payments_check(by_user=user, entries=_entries(rows), month=None):
            errors.append(RowError(problem["row"], _("交纳记录"), problem["message"]))
    if errors:
        errors.sort(key=lambda e: e.row or 0)
        raise StatementError(errors)
    return StatementPlan(
        rows=rows,
        header_row=table.header_row,
        format_label=table.format_label,
        ignored=table.ignored,
        defaulted=list(defaulted.values()),
        skipped=skipped,
    )


def _entries(rows: list[StatementRow]) -> list[services.BulkEntry]:
    return [
        services.BulkEntry(
            member=r.member,
            amount=r.amount,
            months=r.months,
            reference=r.reference or None,
            note=r.note,
            row=r.row,
            paid_on=r.paid_on,
        )
        for r in rows
    ]


def statement_stage(*, user, unit, filename: str, plan: StatementPlan) -> StatementImport:
    """Keep the checked rows (not the file) for the preview until the 组织委员 confirms."""
    StatementImport.objects.filter(
        owner=user, imported_at__isnull=True, created_at__lt=timezone.now() - timedelta(days=1)
    ).delete()
    return StatementImport.objects.create(
        owner=user, unit=unit, filename=filename[-255:], rows=[r.as_json() for r in plan.rows]
    )


@transaction.atomic
def statement_import(*, user, statement: StatementImport) -> int:
    """Record every row of a staged statement, or none (each is checked again: the ledger may
    have changed since the preview). Returns the number of payments."""
    statement = StatementImport.objects.select_for_update().get(pk=statement.pk)
    if statement.imported_at is not None:
        raise DuesError(_("这份明细已经导入过。"), code="already_imported")
    members = {
        m.pk: m
        for m in selectors.branch_members(unit=statement.unit).filter(
            pk__in=[r["member"] for r in statement.rows]
        )
    }
    entries = []
    for r in statement.rows:
        member = members.get(r["member"])
        if member is None:
            raise DuesError(
                _("第 %(row)s 行的党员已不在本支部，请重新上传。") % {"row": r["row"]},
                code="not_in_branch",
            )
        entries.append(
            services.BulkEntry(
                member=member,
                amount=r["amount"],
                months=[parse_month(m) for m in r["months"]],
                reference=r["reference"] or None,
                note=r["note"],
                row=r["row"],
                paid_on=date.fromisoformat(r["paid_on"]),
            )
        )
    payments = services.payments_record_bulk(
        by_user=user, entries=entries, month=None, source=PaymentSource.STATEMENT
    )
    statement.imported_at = timezone.now()
    statement.rows = []  # the payments hold them now; the staged copy is not kept
    statement.save(update_fields=["imported_at", "rows"])
    return len(payments)
