"""The member registry to and from Excel: columns by header (synonyms, title rows, full-width,
WPS/GBK CSV: tabular.reader), every bad row reported with near-matches, all or nothing; and the
export, through spreadsheet_safety with the exporting user and time on the first row.

A row names its 党支部 by name or by path (演示学院党委/本科生第一党支部); it must be an existing
branch inside the importer's scope (unit_scope). An existing 学号/工号 in scope is updated; one
outside the scope is that row's error. The optional stage-date columns (申请入党日期,
确定为入党积极分子日期, …) enter the documented history (档案补录, stage_history_import) of a
person who has none yet; for a person with a history they must agree with it.
"""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from openpyxl import Workbook

from party.members.exceptions import MemberError
from party.members.models import Gender, Member, Stage, StageChange
from party.members.services import (
    group_first_record,
    member_group_change,
    stage_dates,
    stage_history_import,
)
from party.organisation.models import Unit, UnitKind
from party.organisation.selectors import unit_scope
from spreadsheet_safety import xlsx_freeze_header, xlsx_row
from tabular.reader import CappedErrors, TableError, read_table
from tabular.similar import near_matches

# The path into the Party in order, each with the date column that records it.
HISTORY = (
    (Stage.APPLICANT, "applied_on"),
    (Stage.ACTIVIST, "activist_on"),
    (Stage.CANDIDATE, "candidate_on"),
    (Stage.PROBATIONARY, "probationary_on"),
    (Stage.FULL_MEMBER, "full_member_on"),
)

# Accepted header names of each column; the first is the one the template and the export write.
HEADERS: dict[str, tuple[str, ...]] = {
    "name": ("姓名",),
    "gender": ("性别",),
    "ethnicity": ("民族",),
    "birth_date": ("出生日期", "出生年月", "出生年月日", "生日"),
    "student_no": ("学号/工号", "学号", "工号", "学工号", "人员编号"),
    "unit": ("党支部", "所在党支部", "支部", "所在支部", "党组织", "所在党组织"),
    "group": ("党小组", "所在党小组"),
    "phone": ("手机号", "手机", "手机号码", "联系电话", "电话"),
    "applied_on": ("申请入党日期", "递交入党申请书日期", "入党申请日期", "申请入党时间"),
    "activist_on": (
        "确定为入党积极分子日期",
        "确定为积极分子日期",
        "列为入党积极分子日期",
        "列为积极分子日期",
        "确定积极分子时间",
    ),
    "candidate_on": ("确定为发展对象日期", "列为发展对象日期", "确定发展对象时间"),
    "probationary_on": (
        "接收为预备党员日期",
        "入党日期",
        "发展为预备党员日期",
        "接收预备党员时间",
    ),
    "full_member_on": ("转为正式党员日期", "转正日期", "预备党员转正日期", "转正时间"),
}
REQUIRED = ("name", "gender", "student_no", "unit")
DEFAULT_ETHNICITY = "汉族"
STUDENT_NO_RE = re.compile(r"^[A-Za-z0-9_-]{1,30}$")
PHONE_RE = re.compile(r"^1\d{10}$")
GENDERS = {"男": Gender.MALE, "女": Gender.FEMALE, "M": Gender.MALE, "F": Gender.FEMALE}
GENDERS |= {
    "MALE": Gender.MALE,
    "FEMALE": Gender.FEMALE,
    "男性": Gender.MALE,
    "女性": Gender.FEMALE,
}
PATH_SEPARATORS = re.compile(r"\s*[/／>＞\\|]\s*")
EXCEL_EPOCH = date(1899, 12, 30)


def _label(key: str) -> str:
    return HEADERS[key][0]


@dataclass
class RowError:
    row: int | None  # None: the file as a whole
    column: str
    message: str

    def __str__(self) -> str:
        if self.row is None:
            return self.message
        return _("第 %(row)s 行【%(column)s】：%(message)s") % {
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


class RegistryError(Exception):
    """The file has errors; nothing was imported. `errors` lists the first ones, `total` all."""

    def __init__(self, errors: list[RowError]):
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors
        self.total = getattr(errors, "total", len(errors))


@dataclass
class RegistryRow:
    row: int
    name: str
    gender: str
    ethnicity: str
    birth_date: date | None
    student_no: str
    unit: Unit
    group: Unit | None
    phone: str
    history: list[tuple[str, date]]  # (stage, date), in order
    existing: Member | None = None
    history_new: bool = False  # the history will be entered (档案补录)

    @property
    def gender_label(self) -> str:
        return str(Gender(self.gender).label)

    @property
    def stage_label(self) -> str:
        return str(Stage(self.history[-1][0]).label) if self.history else ""


@dataclass
class Defaulted:
    """A value the import fills in or reads loosely, shown in the preview before commit."""

    column: str
    value: str
    rows: list[int] = field(default_factory=list)


@dataclass
class RegistryPlan:
    rows: list[RegistryRow]
    header_row: int
    format_label: str
    ignored: list[str]
    defaulted: list[Defaulted]

    @property
    def to_create(self) -> int:
        return sum(1 for r in self.rows if r.existing is None)

    @property
    def to_update(self) -> int:
        return sum(1 for r in self.rows if r.existing is not None)

    @property
    def histories(self) -> int:
        return sum(1 for r in self.rows if r.history_new)


@dataclass
class RegistryResult:
    created: int = 0
    updated: int = 0
    histories: int = 0


# --- reading cells ---------------------------------------------------------------------------


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})(?:\s*[-/.月]\s*(\d{1,2})\s*日?)?\s*月?$")


def parse_date(text: str) -> tuple[date | None, bool]:
    """(date, day_defaulted) of a cell as people type dates: 2023-09-01, 2023/9/1, 2023.9.1,
    2023年9月1日, 20230901, an Excel serial number (old .xls), "2023-09-01 00:00:00" (xlsx); a
    year and month only (2023.09, 2023年9月) is the 1st, and says so. ValueError otherwise."""
    text = _fold(text)
    if not text:
        return None, False
    if re.fullmatch(r"\d{4}-\d{2}-\d{2} 00:00:00", text):
        text = text[:10]
    if re.fullmatch(r"\d{8}", text):
        return datetime.strptime(text, "%Y%m%d").date(), False
    if re.fullmatch(r"\d{4,5}(\.0+)?", text) and 10000 <= float(text) <= 80000:
        return EXCEL_EPOCH + timedelta(days=int(float(text))), False
    match = DATE_RE.match(text)
    if not match:
        raise ValueError(text)
    year, month, day = match.groups()
    return date(int(year), int(month), int(day or 1)), day is None


# --- plan ------------------------------------------------------------------------------------


class _Branches:
    """The branches (and their 党小组) in the importer's scope, found by name or path."""

    def __init__(self, *, user):
        scope = unit_scope(user=user)
        units = list(Unit.objects.filter(scope.q()).order_by("path")) if not scope.empty else []
        self.branches = [u for u in units if u.kind == UnitKind.BRANCH]
        self.groups = [u for u in units if u.kind == UnitKind.GROUP]
        # Every ancestor is named, those above the scope's roots too (a path may start anywhere).
        step = Unit.steplen
        above = {b.path[:i] for b in self.branches for i in range(step, len(b.path), step)}
        names = dict(Unit.objects.filter(path__in=above).values_list("path", "name"))
        self.ancestry = {
            b.pk: [names.get(b.path[:i], "") for i in range(step, len(b.path), step)] + [b.name]
            for b in self.branches
        }
        self.by_name: dict[str, list[Unit]] = {}
        for b in self.branches:
            self.by_name.setdefault(b.name, []).append(b)

    def branch(self, text: str) -> tuple[Unit | None, str]:
        """(branch, "") or (None, the reason with near-matches)."""
        parts = [p for p in PATH_SEPARATORS.split(_fold(text)) if p]
        candidates = self.by_name.get(parts[-1], []) if parts else []
        found = [b for b in candidates if self.ancestry[b.pk][-len(parts) :] == parts]
        if len(found) == 1:
            return found[0], ""
        if len(found) > 1:
            return None, _("有 %(n)s 个同名党支部，请写出上级党组织，如「%(path)s」。") % {
                "n": len(found),
                "path": "/".join(self.ancestry[found[0].pk][-2:]),
            }
        if candidates:  # the name exists, the ancestors written do not match
            paths = "、".join("/".join(self.ancestry[b.pk][-2:]) for b in candidates)
            return None, _("「%(name)s」的上级党组织不符；您管理范围内有：%(paths)s。") % {
                "name": text,
                "paths": paths,
            }
        near = sorted({n for n, _r in near_matches(parts[-1] if parts else "", self.by_name)})
        hint = _("（相近：%(names)s）") % {"names": "、".join(near)} if near else ""
        return None, _(
            "「%(name)s」不是您管理范围内的党支部%(hint)s。党支部由组织部在党组织树中维护。"
        ) % {"name": text, "hint": hint}

    def group(self, branch: Unit, text: str) -> tuple[Unit | None, str]:
        name = _fold(text)
        inside = [g for g in self.groups if g.path.startswith(branch.path)]
        found = [g for g in inside if g.name == name]
        if found:
            return found[0], ""
        near = [n for n, _r in near_matches(name, {g.name for g in inside})]
        hint = _("（相近：%(names)s）") % {"names": "、".join(near)} if near else ""
        known = "、".join(g.name for g in inside) or _("无")
        return None, _("「%(branch)s」没有党小组「%(name)s」%(hint)s；现有：%(known)s。") % {
            "branch": branch.name,
            "name": name,
            "hint": hint,
            "known": known,
        }


def registry_read(file, *, user) -> RegistryPlan:
    """Read and check every row; RegistryError listing every problem (nothing is written)."""
    try:
        table = read_table(file, synonyms=HEADERS, required=REQUIRED)
    except TableError as exc:
        if exc.row is not None:
            raise RegistryError(
                [RowError(exc.row, _label(key), _("缺少此列。")) for key in exc.missing]
            ) from exc
        raise RegistryError([RowError(None, _("文件"), str(exc))]) from exc
    branches = _Branches(user=user)
    errors: list[RowError] = CappedErrors()
    rows: list[RegistryRow] = []
    seen: dict[str, int] = {}
    defaulted: dict[tuple[str, str], Defaulted] = {}

    def note_default(column: str, value: str, number: int) -> None:
        defaulted.setdefault((column, value), Defaulted(column, value)).rows.append(number)

    try:
        for number, values in table.rows:
            row = _row_check(number, values, branches, seen, errors, note_default)
            if row is not None:
                rows.append(row)
    except TableError as exc:  # past the row cap
        raise RegistryError([RowError(None, _("文件"), str(exc))]) from exc
    if not rows and not errors:
        errors.append(RowError(table.header_row + 1, _("文件"), _("表中没有人员。")))
    if not errors:
        _check_existing(rows, errors, user=user)
    if errors:
        errors.sort(key=lambda e: e.row or 0)
        raise RegistryError(errors)
    return RegistryPlan(
        rows=rows,
        header_row=table.header_row,
        format_label=table.format_label,
        ignored=table.ignored,
        defaulted=list(defaulted.values()),
    )


def _row_check(number, values, branches, seen, errors, note_default) -> RegistryRow | None:
    data = {key: _fold(values.get(key, "")) for key in HEADERS}
    row_errors: list[RowError] = []

    def error(key: str, message: str) -> None:
        row_errors.append(RowError(number, _label(key), message))

    for key in REQUIRED:
        if not data[key]:
            error(key, _("不能为空。"))
    if len(data["name"]) > 50:
        error("name", _("过长（最多 50 个字）。"))
    gender = GENDERS.get(data["gender"].upper()) if data["gender"] else None
    if data["gender"] and gender is None:
        error("gender", _("“%(value)s”应为“男”或“女”。") % {"value": data["gender"]})
    ethnicity = data["ethnicity"]
    if not ethnicity:
        ethnicity = DEFAULT_ETHNICITY
        note_default(
            _label("ethnicity"), _("空白，按“%(v)s”登记") % {"v": DEFAULT_ETHNICITY}, number
        )
    elif len(ethnicity) > 20:
        error("ethnicity", _("过长（最多 20 个字）。"))
    elif not ethnicity.endswith("族"):
        note_default(_label("ethnicity"), _("“%(v)s”按“%(v)s族”登记") % {"v": ethnicity}, number)
        ethnicity += "族"
    if no := data["student_no"]:
        if not STUDENT_NO_RE.match(no):
            error("student_no", _("只能包含字母、数字、下划线和连字符，最多 30 位。"))
        elif no in seen:
            error("student_no", _("与第 %(row)s 行重复。") % {"row": seen[no]})
        else:
            seen[no] = number
    if data["phone"] and not PHONE_RE.match(data["phone"].replace("-", "").replace(" ", "")):
        error("phone", _("应为 11 位手机号码。"))
    dates: dict[str, date] = {}
    for key in ("birth_date", *(k for _s, k in HISTORY)):
        try:
            day, day_defaulted = parse_date(data[key])
        except ValueError:
            error(key, _("“%(value)s”不是日期，应写成 2023-09-01。") % {"value": data[key]})
            continue
        if day is None:
            continue
        if day > timezone.localdate():
            error(key, _("日期不能晚于今天。"))
            continue
        if day_defaulted:
            note_default(_label(key), _("只有年月，按当月 1 日登记"), number)
        dates[key] = day
    history = _history(dates, error)
    unit = group = None
    if data["unit"]:
        unit, reason = branches.branch(data["unit"])
        if unit is None:
            error("unit", reason)
        elif data["group"]:
            group, reason = branches.group(unit, data["group"])
            if group is None:
                error("group", reason)
    if row_errors:
        errors.extend(row_errors)
        return None
    return RegistryRow(
        row=number,
        name=data["name"],
        gender=gender,
        ethnicity=ethnicity,
        birth_date=dates.get("birth_date"),
        student_no=data["student_no"],
        unit=unit,
        group=group,
        phone=data["phone"].replace("-", "").replace(" ", ""),
        history=history,
    )


def _history(dates: dict[str, date], error) -> list[tuple[str, date]]:
    """The stage dates as a path: no step skipped, each on or after the one before."""
    history: list[tuple[str, date]] = []
    last_key = None
    for stage, key in HISTORY:
        day = dates.get(key)
        if day is None:
            continue
        if len(history) != [k for _s, k in HISTORY].index(key):
            missing = next(k for _s, k in HISTORY if k not in dates)
            error(key, _("缺少「%(column)s」：发展阶段须逐级填写。") % {"column": _label(missing)})
            return []
        if history and day < history[-1][1]:
            error(
                key,
                _("早于「%(column)s」（%(day)s）。")
                % {"column": _label(last_key), "day": history[-1][1]},
            )
            return []
        history.append((stage, day))
        last_key = key
    return history


def _check_existing(rows: list[RegistryRow], errors, *, user) -> None:
    """An existing 学号/工号 is updated when the importer manages that record; its history, when
    the row gives stage dates, must be the recorded one (changes go through the timeline page)."""
    scope = unit_scope(user=user)
    existing = {
        m.student_no: m
        for m in Member.objects.select_related("unit").filter(
            student_no__in=[r.student_no for r in rows]
        )
    }
    recorded: dict[int, list] = {}
    for change in (
        StageChange.objects.filter(member__in=existing.values())
        .order_by("decided_on", "id")
        .only("member_id", "stage", "decided_on")
    ):
        recorded.setdefault(change.member_id, []).append(change)
    for r in rows:
        member = existing.get(r.student_no)
        if member is None:
            r.history_new = bool(r.history)
            continue
        if not scope.covers(member.unit):
            errors.append(
                RowError(
                    r.row,
                    _label("student_no"),
                    _("%(no)s 已登记在其他党支部（不在您的管理范围内），请联系组织部办理转接。")
                    % {"no": r.student_no},
                )
            )
            continue
        if member.left_on is not None:  # 转出本校: the record is read-only
            errors.append(
                RowError(
                    r.row,
                    _label("student_no"),
                    _(
                        "%(no)s 的组织关系已于%(day)s转出本校，档案不再更新；转入本校请在档案页面办理。"
                    )
                    % {"no": r.student_no, "day": member.left_on},
                )
            )
            continue
        if r.unit is not None and member.unit_id != r.unit.pk:
            # A move between branches is a 组织关系转接 (dated, append-only), never an overwrite.
            errors.append(
                RowError(
                    r.row,
                    _label("unit"),
                    _("%(no)s 已登记在%(unit)s；转到其他党支部请在档案页面办理组织关系转接。")
                    % {"no": r.student_no, "unit": member.unit.name},
                )
            )
            continue
        r.existing = member
        changes = recorded.get(member.pk, [])
        if not changes:
            r.history_new = bool(r.history)
        elif r.history:
            on_record = stage_dates(changes)
            differs = [stage for stage, day in r.history if on_record.get(stage) != day]
            if differs:
                errors.append(
                    RowError(
                        r.row,
                        _("发展阶段日期"),
                        _(
                            "与档案中已有的阶段记录不一致（%(stages)s）；请在发展纪实页面中记录变更。"
                        )
                        % {"stages": "、".join(str(Stage(s).label) for s in differs)},
                    )
                )


# --- import ----------------------------------------------------------------------------------


def registry_import(*, file, by_user) -> RegistryResult:
    """Import a checked registry: create or update every row and enter new histories; all or
    nothing (the rows are checked again inside the transaction)."""
    result = RegistryResult()
    with transaction.atomic():
        plan = registry_read(file, user=by_user)
        for r in plan.rows:
            fields = {
                "name": r.name,
                "gender": r.gender,
                "ethnicity": r.ethnicity,
            }
            if r.existing is None:
                member = Member.objects.create(
                    student_no=r.student_no,
                    birth_date=r.birth_date,
                    phone=r.phone,
                    unit=r.unit,
                    group=r.group,
                    **fields,
                )
                group_first_record(member=member, by_user=by_user, note=_("名册导入"))
                result.created += 1
            else:
                member = r.existing
                for name, value in fields.items():
                    setattr(member, name, value)
                # A blank optional cell keeps what is on record.
                member.birth_date = r.birth_date or member.birth_date
                member.phone = r.phone or member.phone
                member.save(update_fields=[*fields, "birth_date", "phone"])
                # The branch never changes here (_check_existing); the 党小组 only through its
                # history: a dated change from today (党小组调整), as on the member page.
                if (r.group.pk if r.group else None) != member.group_id:
                    try:
                        member_group_change(
                            member=member,
                            to_group=r.group,
                            on=timezone.localdate(),
                            note=_("名册导入"),
                            by_user=by_user,
                        )
                    except MemberError as exc:
                        raise RegistryError(
                            [RowError(r.row, _label("group"), exc.message)]
                        ) from None
                result.updated += 1
            if r.history_new:
                stage_history_import(member=member, entries=r.history, by_user=by_user)
                result.histories += 1
    return result


def registry_template() -> bytes:
    """An empty registry with the expected headers and one example row."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("党员名册")
    xlsx_freeze_header(sheet, 1)
    sheet.append([_label(key) for key in HEADERS])
    sheet.append(
        [
            "张三",
            "男",
            "汉族",
            "2003-05-01",
            "2023010101",
            "演示学院党委/本科生第一党支部",
            "第一党小组",
            "13800000000",
            "2023-10-08",
            "2024-04-15",
            "",
            "",
            "",
        ]
    )
    for index in range(len(HEADERS)):
        sheet.column_dimensions[chr(ord("A") + index)].width = 16
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- export ----------------------------------------------------------------------------------


def registry_xlsx(*, members, title: str, user, at) -> bytes:
    """The registry of `members` (with their stage changes prefetched) in the import's columns,
    so an export can be corrected and imported again; the first row names who exported it and
    when. Every cell goes through spreadsheet_safety (no formulas from people's text)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("党员名册"))
    xlsx_freeze_header(sheet, 2)  # the title row, then the header
    exported_by = user.get_full_name() or user.username
    stamp = timezone.localtime(at).strftime("%Y-%m-%d %H:%M")
    sheet.append(
        xlsx_row(
            sheet,
            [
                title,
                _("导出人：%(user)s") % {"user": exported_by},
                _("导出时间：%(at)s") % {"at": stamp},
                _("含个人信息，请妥善保管"),
            ],
        )
    )
    sheet.append(xlsx_row(sheet, [_label(key) for key in HEADERS] + [_("当前阶段")]))
    members = list(members)
    step = Unit.steplen
    parents = dict(
        Unit.objects.filter(path__in={m.unit.path[:-step] for m in members}).values_list(
            "path", "name"
        )
    )
    for m in members:
        on_record = stage_dates(list(m.stage_changes.all()))
        current = getattr(m, "current_stage", None)
        sheet.append(
            xlsx_row(
                sheet,
                [
                    m.name,
                    m.get_gender_display(),
                    m.ethnicity,
                    m.birth_date,
                    m.student_no,
                    "/".join(filter(None, [parents.get(m.unit.path[:-step]), m.unit.name])),
                    m.group.name if m.group else "",
                    m.phone,
                    *(on_record.get(stage) for stage, _k in HISTORY),
                    str(Stage(current).label) if current else "",
                ],
            )
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "no-store"
    return response
