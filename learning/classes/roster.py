"""Trainee roster import from .xlsx: columns by header, every bad row reported, all or nothing."""

import re
import secrets
from dataclasses import dataclass, field
from io import BytesIO

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook

from learning.classes.models import Branch, College, Enrolment, TraineeProfile, TraineeStage

# Accepted header names of each column (real rosters vary); the first is the one in the template.
HEADERS: dict[str, tuple[str, ...]] = {
    "name": ("姓名",),
    "student_no": ("学号/工号", "学号", "工号", "学工号"),
    "college": ("学院", "学院/二级党组织", "二级党组织", "单位"),
    "branch": ("党支部", "支部", "所在党支部"),
    "stage": ("培养阶段", "阶段", "政治面貌"),
    "phone": ("手机号", "手机", "联系电话", "电话"),
}
REQUIRED = ("name", "student_no", "college", "branch", "stage")
STUDENT_NO_RE = re.compile(r"^[A-Za-z0-9_-]{1,30}$")
PHONE_RE = re.compile(r"^1\d{10}$")
TRAINEES_GROUP = "学员"  # cms.roles.TRAINEES, named here because learning/ may not import cms/.


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return _("第 %(row)s 行【%(column)s】：%(message)s") % {
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


@dataclass
class RosterRow:
    row: int
    name: str
    student_no: str
    college: str
    branch: str
    stage: str
    phone: str


@dataclass
class InitialPassword:
    """A new account's random first password: shown once to the importer, never stored in clear."""

    student_no: str
    name: str
    password: str


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    enrolled: int = 0
    colleges_created: int = 0
    branches_created: int = 0
    errors: list[RowError] = field(default_factory=list)
    initial_passwords: list[InitialPassword] = field(default_factory=list)


# No 0/O, 1/l/I: the sheet is printed and typed in by hand. 12 of 55 symbols ≈ 69 bits.
PASSWORD_ALPHABET = "23456789abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ"
PASSWORD_LENGTH = 12


def initial_password_generate() -> str:
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(PASSWORD_LENGTH))


class RosterError(Exception):
    """The roster has errors; nothing was imported."""

    def __init__(self, errors: list[RowError]):
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # 学号 typed as a number in Excel
    return str(value).replace("\u3000", " ").strip()


def _column_label(key: str) -> str:
    return HEADERS[key][0]


def roster_parse(file) -> list[RosterRow]:
    """Read and check every row; raise RosterError listing all problems."""
    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not .xlsx
        raise RosterError(
            [RowError(0, _("文件"), _("无法读取，请上传 .xlsx 格式的名单。"))]
        ) from exc
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None) or ()
    columns: dict[str, int] = {}
    for index, cell in enumerate(header):
        title = _text(cell)
        for key, names in HEADERS.items():
            if title in names and key not in columns:
                columns[key] = index
    errors: list[RowError] = [
        RowError(1, _column_label(key), _("缺少此列。")) for key in REQUIRED if key not in columns
    ]
    if errors:
        raise RosterError(errors)

    parsed: list[RosterRow] = []
    seen: dict[str, int] = {}
    for number, values in enumerate(rows, start=2):

        def cell(key, values=values):
            index = columns.get(key)
            return _text(values[index]) if index is not None and index < len(values) else ""

        data = {key: cell(key) for key in HEADERS}
        if not any(data.values()):
            continue  # blank lines between blocks are common in hand-made rosters
        row_errors = []
        for key in REQUIRED:
            if not data[key]:
                row_errors.append(RowError(number, _column_label(key), _("不能为空。")))
        if data["name"] and len(data["name"]) > 50:
            row_errors.append(RowError(number, "姓名", _("过长（最多 50 个字）。")))
        if data["student_no"]:
            if not STUDENT_NO_RE.match(data["student_no"]):
                row_errors.append(
                    RowError(
                        number, "学号/工号", _("只能包含字母、数字、下划线和连字符，最多 30 位。")
                    )
                )
            elif data["student_no"] in seen:
                row_errors.append(
                    RowError(
                        number,
                        "学号/工号",
                        _("与第 %(row)s 行重复。") % {"row": seen[data["student_no"]]},
                    )
                )
            else:
                seen[data["student_no"]] = number
        stage = TraineeStage.from_label(data["stage"]) if data["stage"] else None
        if data["stage"] and stage is None:
            row_errors.append(
                RowError(
                    number,
                    "培养阶段",
                    _("“%(value)s”不是有效的培养阶段，应为：%(choices)s。")
                    % {
                        "value": data["stage"],
                        "choices": "、".join(str(label) for label in TraineeStage.labels),
                    },
                )
            )
        if data["phone"] and not PHONE_RE.match(data["phone"]):
            row_errors.append(RowError(number, "手机号", _("应为 11 位手机号码。")))
        if len(data["college"]) > 100 or len(data["branch"]) > 100:
            row_errors.append(RowError(number, "学院/党支部", _("名称过长（最多 100 个字）。")))
        if row_errors:
            errors.extend(row_errors)
            continue
        parsed.append(
            RosterRow(
                row=number,
                name=data["name"],
                student_no=data["student_no"],
                college=data["college"],
                branch=data["branch"],
                stage=stage.value,
                phone=data["phone"],
            )
        )
    workbook.close()
    if not parsed and not errors:
        errors.append(RowError(2, _("文件"), _("名单中没有学员。")))
    _check_accounts(parsed, errors)
    if errors:
        errors.sort(key=lambda e: e.row)
        raise RosterError(errors)
    return parsed


def _check_accounts(rows: list[RosterRow], errors: list[RowError]) -> None:
    """A 学号 that names an existing account which is not a trainee must not be taken over."""
    numbers = [r.student_no for r in rows]
    User = get_user_model()
    clash = set(
        User.objects.filter(username__in=numbers, trainee_profile__isnull=True).values_list(
            "username", flat=True
        )
    )
    for r in rows:
        if r.student_no in clash:
            errors.append(
                RowError(r.row, "学号/工号", _("已有同名的非学员账号，请联系管理员处理。"))
            )


def _check_scope(rows: list[RosterRow], *, by) -> None:
    """A row may create a trainee, or update one the importing user may manage (the same selector
    as the trainee admin: trainees of their classes or in no class yet); any other existing 学号
    is that row's error, and nothing is imported. `by=None` is the command line (unscoped)."""
    if by is None:
        return
    from learning.classes.selectors import trainees_for_trainer

    numbers = [r.student_no for r in rows]
    existing = set(
        TraineeProfile.objects.filter(student_no__in=numbers).values_list("student_no", flat=True)
    )
    allowed = set(
        trainees_for_trainer(user=by)
        .filter(student_no__in=existing)
        .values_list("student_no", flat=True)
    )
    errors = [
        RowError(
            r.row,
            "学号/工号",
            _("学号 %(no)s 属于其他培训班，无权修改") % {"no": r.student_no},
        )
        for r in rows
        if r.student_no in existing and r.student_no not in allowed
    ]
    if errors:
        raise RosterError(errors)


def trainees_import(*, file, training_class=None, by=None) -> ImportResult:
    """Create or update trainees from a roster, enrol them in a class; all or nothing.

    New accounts log in with their 学号 as username and a random initial password, returned in
    `result.initial_passwords` (for initial_password_sheet) and nowhere else; they must change it
    before anything else works (site, admin and API). `by` is the importing user: a row may only
    update trainees within their scope (see _check_scope); None means the command line.
    """
    rows = roster_parse(file)
    _check_scope(rows, by=by)
    result = ImportResult()
    with transaction.atomic():
        colleges = {c.name: c for c in College.objects.filter(name__in={r.college for r in rows})}
        for name in sorted({r.college for r in rows} - set(colleges)):
            colleges[name] = College.objects.create(name=name)
            result.colleges_created += 1
        branches = {
            (b.college_id, b.name): b for b in Branch.objects.filter(college__in=colleges.values())
        }
        existing = {
            p.student_no: p
            for p in TraineeProfile.objects.select_related("user").filter(
                student_no__in=[r.student_no for r in rows]
            )
        }
        trainees_group = Group.objects.filter(name=TRAINEES_GROUP).first()
        for r in rows:
            college = colleges[r.college]
            branch = branches.get((college.pk, r.branch))
            if branch is None:
                branch = branches[(college.pk, r.branch)] = Branch.objects.create(
                    college=college, name=r.branch
                )
                result.branches_created += 1
            profile = existing.get(r.student_no)
            if profile is None:
                password = initial_password_generate()
                user = trainee_account_create(
                    student_no=r.student_no,
                    name=r.name,
                    password=password,
                    group=trainees_group,
                )
                result.initial_passwords.append(InitialPassword(r.student_no, r.name, password))
                profile = TraineeProfile.objects.create(
                    user=user,
                    name=r.name,
                    student_no=r.student_no,
                    college=college,
                    branch=branch,
                    stage=r.stage,
                    phone=r.phone,
                    must_change_password=True,
                )
                result.created += 1
            else:
                profile.name, profile.college, profile.branch = r.name, college, branch
                profile.stage = r.stage
                profile.phone = r.phone or profile.phone
                profile.save(update_fields=["name", "college", "branch", "stage", "phone"])
                result.updated += 1
            if training_class is not None:
                _enrolment, created = Enrolment.objects.get_or_create(
                    training_class=training_class, trainee=profile
                )
                result.enrolled += int(created)
    return result


def trainee_account_create(*, student_no: str, name: str, password: str, group=None):
    """The login account of a new trainee: username = 学号, `password` (a random one from
    initial_password_generate), in the 学员 role; the profile's must_change_password makes them
    change it at first login. Used by the roster import and by the trainee form, so both create
    accounts the same way."""
    User = get_user_model()
    user = User.objects.create_user(username=student_no, password=password)
    user.first_name = name[:150]
    user.save(update_fields=["first_name"])
    if group is None:
        group = Group.objects.filter(name=TRAINEES_GROUP).first()
    if group is not None:
        user.groups.add(group)
    return user


def roster_template() -> bytes:
    """An empty roster with the expected headers and one example row."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "学员名单"
    sheet.append([HEADERS[key][0] for key in HEADERS])
    sheet.append(
        ["张三", "2023010101", "计算机学院", "本科生第一党支部", "入党积极分子", "13800000000"]
    )
    for column, width in zip("ABCDEF", (10, 16, 20, 22, 14, 16), strict=True):
        sheet.column_dimensions[column].width = width
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def initial_password_sheet(passwords: list[InitialPassword]) -> bytes:
    """The sheet of new accounts' initial passwords, for the trainer to hand out (and then destroy)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "初始密码"
    sheet.append(["姓名", "学号/工号（用户名）", "初始密码"])
    for entry in passwords:
        sheet.append([entry.name, entry.student_no, entry.password])
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.data_type = "s"  # a name like "=1+1" stays text, never a formula
    sheet.append([])
    sheet.append(["首次登录后必须修改密码。本表只能下载一次，分发后请销毁。"])
    for column, width in zip("ABC", (12, 22, 18), strict=True):
        sheet.column_dimensions[column].width = width
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
